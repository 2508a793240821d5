package io.plasticitymonitor.analysis;

import static io.plasticitymonitor.analysis.TestMatrices.FLOAT32_EPS;
import static io.plasticitymonitor.analysis.TestMatrices.FLOAT64_EPS;
import static io.plasticitymonitor.analysis.TestMatrices.gaussian;
import static io.plasticitymonitor.analysis.TestMatrices.multiply;
import static io.plasticitymonitor.analysis.TestMatrices.plantedSingularValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Gram route to singular values ({@link GramSpectrum}) against LAPACK {@code dgesvd} and
 * against matrices of known spectrum: its error bounds hold, it certifies what it computes right,
 * and {@link Ranks#ofMatrix} gives the numbers of the exact singular values either way.
 */
class GramSpectrumTest {

  private static final double DELTA = 0.01;

  /** Observed agreement of the two routes' effective and stable ranks (bound: 1e-6). */
  private static final double ROUTES_AGREE = 1e-10;

  @Test
  void errorBoundsHoldAgainstSvdTallWideAndSquare() {
    Random rnd = new Random(17);
    for (int[] shape : new int[][] {{150, 60}, {60, 150}, {120, 120}, {300, 200}}) {
      int rows = shape[0];
      int cols = shape[1];
      double[] m = gaussian(rnd, rows * cols);
      double[] copy = m.clone();
      GramSpectrum g = GramSpectrum.of(m, rows, cols);
      double[] svd = SingularValues.of(m, rows, cols);
      assertThat(m).isEqualTo(copy);
      assertThat(g.sigma()).hasSize(Math.min(rows, cols));
      for (int k = 0; k < svd.length; k++) {
        // dgesvd is itself within ~1e-15·σ₁ of the truth.
        assertThat(Math.abs(g.sigma()[k] - svd[k]))
            .isLessThanOrEqualTo(g.error()[k] + 1e-13 * svd[0]);
        if (k > 0) {
          assertThat(g.sigma()[k]).isLessThanOrEqualTo(g.sigma()[k - 1]);
        }
      }
    }
  }

  @Test
  void plantedSpectrumFloat32IsCertifiedAndExact() {
    // σ = 1, 0.9, …, 0.1 then a tail 1e-3 … on a 90×70 matrix: every measure known in closed form.
    double[] sigma = new double[70];
    for (int k = 0; k < 70; k++) {
      sigma[k] = k < 10 ? 1 - 0.1 * k : 1e-3 * (1 + (69 - k) / 60.0);
    }
    double[] m = plantedSingularValues(new Random(23), 90, 70, sigma);
    RankMeasures exact = Ranks.of(sigma, 90, 70, FLOAT32_EPS, DELTA);
    GramSpectrum g = GramSpectrum.of(m, 90, 70);
    RankMeasures gram = Ranks.of(g.sigma(), 90, 70, FLOAT32_EPS, DELTA);
    assertThat(g.certifies(gram, 90, 70, FLOAT32_EPS, DELTA)).isTrue();
    assertSame(gram, exact);
    assertSame(Ranks.ofMatrix(m, 90, 70, FLOAT32_EPS, DELTA, true), exact);
  }

  @Test
  void float32CutoffIsDecidedExactlyAndDoubtfulCasesFallBackToSvd() {
    // 120×100 with ‖M‖_F² ≈ 60: the float32 cutoff is σ₁·120·2⁻²³ ≈ 1.43e-5, where the Gram
    // route's proven error is δλ/σ ≈ 3e-12/1.43e-5 ≈ 2e-7 (1.5%). A singular value 10% above or
    // below the cutoff is resolved and counted right; one 1e-7 relative away from it is not, so the
    // SVD decides.
    double cutoff = 120 * FLOAT32_EPS;
    for (double factor : new double[] {1.1, 0.9, 1 + 1e-7, 1 - 1e-7}) {
      double[] sigma = new double[100];
      for (int k = 0; k < 99; k++) {
        sigma[k] = 1 - k / 200.0;
      }
      sigma[99] = cutoff * factor;
      double[] m = plantedSingularValues(new Random(29), 120, 100, sigma);
      int expected = factor > 1 ? 100 : 99;
      GramSpectrum g = GramSpectrum.of(m, 120, 100);
      RankMeasures gram = Ranks.of(g.sigma(), 120, 100, FLOAT32_EPS, DELTA);
      boolean resolvable = Math.abs(factor - 1) > 0.05;
      assertThat(g.certifies(gram, 120, 100, FLOAT32_EPS, DELTA)).isEqualTo(resolvable);
      if (resolvable) {
        assertThat(gram.numerical()).isEqualTo(expected);
      }
      RankMeasures chosen = Ranks.ofMatrix(m, 120, 100, FLOAT32_EPS, DELTA, true);
      assertThat(chosen.numerical()).isEqualTo(expected);
      assertSame(chosen, Ranks.ofMatrix(m, 120, 100, FLOAT32_EPS, DELTA, false));
    }
  }

  @Test
  void float64TinySingularValuesAreLeftToTheSvd() {
    // σ₁₀₀ = 1e-9: far below the Gram route's noise (~1e-7 here) and far above the float64 cutoff
    // (~3e-14), so only an SVD can say the numerical rank is 100 — the route must not certify.
    double[] sigma = new double[100];
    for (int k = 0; k < 99; k++) {
      sigma[k] = 1 - k / 200.0;
    }
    sigma[99] = 1e-9;
    double[] m = plantedSingularValues(new Random(31), 120, 100, sigma);
    GramSpectrum g = GramSpectrum.of(m, 120, 100);
    RankMeasures gram = Ranks.of(g.sigma(), 120, 100, FLOAT64_EPS, DELTA);
    assertThat(g.certifies(gram, 120, 100, FLOAT64_EPS, DELTA)).isFalse();
    assertThat(Ranks.ofMatrix(m, 120, 100, FLOAT64_EPS, DELTA).numerical()).isEqualTo(100);
    // With float32 parameters the same matrix has numerical rank 99 (1e-9 is below the cutoff).
    assertThat(Ranks.of(g.sigma(), 120, 100, FLOAT32_EPS, DELTA).numerical()).isEqualTo(99);
    assertThat(Ranks.ofMatrix(m, 120, 100, FLOAT32_EPS, DELTA).numerical()).isEqualTo(99);
  }

  @Test
  void float64WellConditionedMatrixIsCertifiedToo() {
    double[] sigma = new double[80];
    for (int k = 0; k < 80; k++) {
      sigma[k] = 2 - k / 50.0;
    }
    double[] m = plantedSingularValues(new Random(37), 80, 100, sigma);
    GramSpectrum g = GramSpectrum.of(m, 80, 100);
    RankMeasures gram = Ranks.of(g.sigma(), 80, 100, FLOAT64_EPS, DELTA);
    assertThat(g.certifies(gram, 80, 100, FLOAT64_EPS, DELTA)).isTrue();
    assertSame(gram, Ranks.of(sigma, 80, 100, FLOAT64_EPS, DELTA));
  }

  @Test
  void collapsedRankFallsBackAndMatchesTheSvd() {
    // A rank-3 product, 100×100: 97 zero singular values come out of the Gram route as noise of
    // ~1e-8·σ₁, whose weight in the effective rank the bounds cannot exclude.
    Random rnd = new Random(41);
    double[] m = multiply(gaussian(rnd, 100 * 3), gaussian(rnd, 3 * 100), 100, 3, 100);
    for (double eps : new double[] {FLOAT32_EPS, FLOAT64_EPS}) {
      GramSpectrum g = GramSpectrum.of(m, 100, 100);
      assertThat(g.certifies(Ranks.of(g.sigma(), 100, 100, eps, DELTA), 100, 100, eps, DELTA))
          .isFalse();
      RankMeasures chosen = Ranks.ofMatrix(m, 100, 100, eps, DELTA);
      RankMeasures svd = Ranks.ofMatrix(m, 100, 100, eps, DELTA, false);
      assertThat(chosen).isEqualTo(svd);
      assertThat(chosen.numerical()).isEqualTo(3);
    }
  }

  @Test
  void routesAgreeOnRandomAndLayerLikeMatrices() {
    Random rnd = new Random(43);
    int certified = 0;
    for (int[] shape : new int[][] {{256, 64}, {64, 256}, {200, 200}, {784, 128}}) {
      int rows = shape[0];
      int cols = shape[1];
      double[] m = gaussian(rnd, rows * cols);
      for (int i = 0; i < m.length; i++) {
        m[i] = (float) (m[i] * 0.05); // values a float32 network holds
      }
      for (double eps : new double[] {FLOAT32_EPS, FLOAT64_EPS}) {
        GramSpectrum g = GramSpectrum.of(m, rows, cols);
        RankMeasures gram = Ranks.of(g.sigma(), rows, cols, eps, DELTA);
        RankMeasures svd = Ranks.ofMatrix(m, rows, cols, eps, DELTA, false);
        if (g.certifies(gram, rows, cols, eps, DELTA)) {
          certified++;
          assertSame(gram, svd);
        }
        assertSame(Ranks.ofMatrix(m, rows, cols, eps, DELTA), svd);
      }
    }
    assertThat(certified)
        .isEqualTo(8); // full-rank Gaussian matrices: every case takes the Gram route
  }

  @Test
  void nonnegativeActivationsLikeMatrixIsCertified() {
    // ReLU activations, not centred: a dominant σ₁ (the mean) and a spread tail.
    Random rnd = new Random(47);
    int examples = 256;
    int units = 300;
    double[] h = new double[examples * units];
    for (int i = 0; i < h.length; i++) {
      h[i] = (float) Math.max(0, rnd.nextGaussian() + 0.3);
    }
    GramSpectrum g = GramSpectrum.of(h, examples, units);
    RankMeasures gram = Ranks.of(g.sigma(), examples, units, FLOAT32_EPS, DELTA);
    assertThat(g.certifies(gram, examples, units, FLOAT32_EPS, DELTA)).isTrue();
    assertSame(gram, Ranks.ofMatrix(h, examples, units, FLOAT32_EPS, DELTA, false));
  }

  @Test
  void zeroRowsAndColumnsAreDroppedExactly() {
    // Activations of a layer with dead units: 256 examples × 120 units, 7 units never active and
    // 5 examples to which no unit responds. The zero rows and columns add exact zero singular
    // values; without them the Gram route proves its result, which equals the SVD of the whole.
    Random rnd = new Random(53);
    int examples = 256;
    int units = 120;
    double[] h = new double[examples * units];
    for (int x = 0; x < examples; x++) {
      for (int i = 0; i < units; i++) {
        boolean dead = i % 17 == 3 || x % 50 == 7;
        h[x * units + i] = dead ? 0 : (float) Math.max(0, rnd.nextGaussian() + 0.3);
      }
    }
    RankMeasures whole = Ranks.ofMatrix(h, examples, units, FLOAT32_EPS, DELTA, false);
    RankMeasures chosen = Ranks.ofMatrix(h, examples, units, FLOAT32_EPS, DELTA, true);
    assertSame(chosen, whole);
    assertThat(whole.numerical()).isEqualTo(units - 7);
    assertThat(whole.max()).isEqualTo(units);
    // The Gram route alone on the whole matrix cannot bound the seven zero values tightly enough.
    GramSpectrum g = GramSpectrum.of(h, examples, units);
    assertThat(
            g.certifies(
                Ranks.of(g.sigma(), examples, units, FLOAT32_EPS, DELTA),
                examples,
                units,
                FLOAT32_EPS,
                DELTA))
        .isFalse();
    // Dropping zeros never changes a result, whichever route: an all-zero matrix has rank 0.
    assertThat(Ranks.ofMatrix(new double[examples * units], examples, units, FLOAT32_EPS, DELTA))
        .isEqualTo(new RankMeasures(0, 0, 0, 0, units));
  }

  private static void assertSame(RankMeasures actual, RankMeasures expected) {
    assertThat(actual.srank()).isEqualTo(expected.srank());
    assertThat(actual.numerical()).isEqualTo(expected.numerical());
    assertThat(actual.max()).isEqualTo(expected.max());
    assertThat(actual.effective())
        .isCloseTo(expected.effective(), within(ROUTES_AGREE * expected.effective()));
    assertThat(actual.stable())
        .isCloseTo(expected.stable(), within(ROUTES_AGREE * expected.stable()));
  }
}
