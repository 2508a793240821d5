package io.plasticitymonitor.analysis;

import static io.plasticitymonitor.analysis.TestMatrices.FLOAT32_EPS;
import static io.plasticitymonitor.analysis.TestMatrices.FLOAT64_EPS;
import static io.plasticitymonitor.analysis.TestMatrices.gaussian;
import static io.plasticitymonitor.analysis.TestMatrices.multiply;
import static io.plasticitymonitor.analysis.TestMatrices.plantedSingularValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RanksTest {

  private static final double DELTA = 0.01;

  /** Rank measures are sums of a few well-conditioned terms: agreement to ~1e-15 expected. */
  private static final double RANK_TOLERANCE = 1e-12;

  @Test
  void identity() {
    // σ = (1, 1, 1, 1, 1): srank 5 (4 < 0.99·5 = 4.95 ≤ 5), p_k = 1/5 → exp(ln 5) = 5, stable 5/1.
    double[] id = new double[25];
    for (int i = 0; i < 5; i++) {
      id[i * 6] = 1;
    }
    RankMeasures r = Ranks.ofMatrix(id, 5, 5, FLOAT64_EPS, DELTA);
    assertThat(r.srank()).isEqualTo(5);
    assertThat(r.effective()).isCloseTo(5, within(RANK_TOLERANCE));
    assertThat(r.stable()).isCloseTo(5, within(RANK_TOLERANCE));
    assertThat(r.numerical()).isEqualTo(5);
    assertThat(r.max()).isEqualTo(5);
  }

  @Test
  void zeroAndEmptyMatricesHaveRankZero() {
    assertThat(Ranks.ofMatrix(new double[12], 3, 4, FLOAT64_EPS, DELTA))
        .isEqualTo(new RankMeasures(0, 0, 0, 0, 3));
    assertThat(Ranks.ofMatrix(new double[0], 0, 4, FLOAT64_EPS, DELTA))
        .isEqualTo(new RankMeasures(0, 0, 0, 0, 0));
    assertThat(Ranks.of(new double[0], 2, 2, FLOAT64_EPS, DELTA))
        .isEqualTo(new RankMeasures(0, 0, 0, 0, 2));
  }

  @Test
  void diagonalOneOneTwoThousandth() {
    // diag(1, 1, 2, 1e-3): σ = (2, 1, 1, 0.001), Σσ = 4.001.
    // srank: prefix sums 2, 3, 4 ≥ 0.99·4.001 = 3.96099 → 3.
    // effective: p = (2, 1, 1, 0.001)/4.001, −Σ p ln p = 1.0417838685302072 → e^H =
    // 2.8342684697752127.
    // stable: (4 + 1 + 1 + 1e-6)/4 = 1.50000025.
    // numerical: cutoff 2·4·eps is 9.5e-7 (float32) or 1.8e-15 (float64), both below 1e-3 → 4.
    double[] m = new double[16];
    m[0] = 1;
    m[5] = 1;
    m[10] = 2;
    m[15] = 1e-3;
    for (double eps : new double[] {FLOAT32_EPS, FLOAT64_EPS}) {
      RankMeasures r = Ranks.ofMatrix(m, 4, 4, eps, DELTA);
      assertThat(r.srank()).isEqualTo(3);
      assertThat(r.effective()).isCloseTo(2.8342684697752127, within(RANK_TOLERANCE));
      assertThat(r.stable()).isCloseTo(1.50000025, within(RANK_TOLERANCE));
      assertThat(r.numerical()).isEqualTo(4);
      assertThat(r.max()).isEqualTo(4);
    }
  }

  @Test
  void duplicatedColumns() {
    // Columns (c1, c2, c1) with c1 = (1, 0, 1, 0), c2 = (0, 1, 0, 1): MᵀM =
    // [[2,0,2],[0,2,0],[2,0,2]],
    // eigenvalues 4, 2, 0 → σ = (2, √2, 0). srank 2, stable (4 + 2)/4 = 1.5, numerical 2,
    // effective exp(−p ln p − q ln q) with p = 2/(2 + √2), q = √2/(2 + √2).
    double[] m = {
      1, 0, 1,
      0, 1, 0,
      1, 0, 1,
      0, 1, 0
    };
    RankMeasures r = Ranks.ofMatrix(m, 4, 3, FLOAT64_EPS, DELTA);
    double p = 2 / (2 + Math.sqrt(2));
    double q = 1 - p;
    assertThat(r.srank()).isEqualTo(2);
    assertThat(r.effective()).isCloseTo(Math.exp(-p * Math.log(p) - q * Math.log(q)), within(1e-9));
    assertThat(r.stable()).isCloseTo(1.5, within(RANK_TOLERANCE));
    assertThat(r.numerical()).isEqualTo(2);
    assertThat(r.max()).isEqualTo(3);
  }

  @Test
  void plantedRankOfAProduct() {
    // [n, k]·[k, m] has rank k.
    Random rnd = new Random(3);
    for (int k : new int[] {1, 2, 5, 9}) {
      int n = 30;
      int m = 20;
      double[] product = multiply(gaussian(rnd, n * k), gaussian(rnd, k * m), n, k, m);
      RankMeasures r = Ranks.ofMatrix(product, n, m, FLOAT64_EPS, DELTA);
      assertThat(r.numerical()).isEqualTo(k);
      assertThat(r.srank()).isBetween(1, k);
      assertThat(r.effective()).isBetween(1.0, k + RANK_TOLERANCE);
      assertThat(r.stable()).isBetween(1.0, k + RANK_TOLERANCE);
      assertThat(r.max()).isEqualTo(m);
    }
  }

  @Test
  void numericalRankDependsOnTheDataTypesEpsilon() {
    // σ = (1, 0.5, 1e-9) on 3×3: float32 cutoff 3·2⁻²³ ≈ 3.6e-7 drops 1e-9, float64 cutoff
    // 3·2⁻⁵² ≈ 6.7e-16 keeps it.
    double[] m = plantedSingularValues(new Random(5), 3, 3, 1, 0.5, 1e-9);
    assertThat(Ranks.ofMatrix(m, 3, 3, FLOAT32_EPS, DELTA).numerical()).isEqualTo(2);
    assertThat(Ranks.ofMatrix(m, 3, 3, FLOAT64_EPS, DELTA).numerical()).isEqualTo(3);
    // The same through the analyzer, on a layer's weights.
    assertThat(
            LayerAnalyzer.analyze(TestMatrices.output(m, 3, 3, FLOAT32_EPS), Thresholds.DEFAULTS)
                .weightRank()
                .numerical())
        .isEqualTo(2);
    assertThat(
            LayerAnalyzer.analyze(TestMatrices.output(m, 3, 3, FLOAT64_EPS), Thresholds.DEFAULTS)
                .weightRank()
                .numerical())
        .isEqualTo(3);
  }

  @Test
  void srankFollowsDelta() {
    // σ = (3, 2, 1), Σ = 6. δ = 0: needs all 6 → 3. δ = 0.5: 3 ≥ 3 → 1. δ = 0.2: 5 ≥ 4.8 → 2.
    double[] s = {3, 2, 1};
    assertThat(Ranks.of(s, 3, 3, FLOAT64_EPS, 0).srank()).isEqualTo(3);
    assertThat(Ranks.of(s, 3, 3, FLOAT64_EPS, 0.5).srank()).isEqualTo(1);
    assertThat(Ranks.of(s, 3, 3, FLOAT64_EPS, 0.2).srank()).isEqualTo(2);
    // Zero σ skipped by the entropy: (1, 0) has effective rank exactly 1.
    assertThat(Ranks.of(new double[] {1, 0}, 2, 2, FLOAT64_EPS, DELTA).effective()).isEqualTo(1);
  }

  @Test
  void rejectsBadSingularValues() {
    assertThatThrownBy(() -> Ranks.of(new double[] {1, 2}, 2, 2, FLOAT64_EPS, DELTA))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ranks.of(new double[] {1, -1}, 2, 2, FLOAT64_EPS, DELTA))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ranks.of(new double[] {1, 1, 1}, 2, 3, FLOAT64_EPS, DELTA))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ranks.of(new double[] {Double.NaN}, 1, 1, FLOAT64_EPS, DELTA))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
