package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Recurrent units (metric contract, "Recurrent units") on cases that can be checked by hand. */
class RecurrentAnalyzerTest {
  private static final double EPS32 = 0x1p-23;
  private static final double TIGHT = 1e-12;

  /** The Javadoc example: a SimpleRnn whose units 0 and 1 are twins with self ≠ cross weight. */
  @Test
  void simpleRnnTwinsWithDifferentSelfAndCrossWeights() {
    double[] rw = {
      1, 2, 2,
      2, 1, 2,
      0, 0, 5
    };
    RecurrentLayerData layer =
        new RecurrentLayerData(
            "rnn",
            3,
            1,
            2,
            new double[6],
            rw,
            0,
            new double[3],
            new double[] {1, 1, 3},
            1,
            null,
            0,
            true,
            EPS32,
            0);
    RecurrentAnalyzer.Result result = RecurrentAnalyzer.analyze(layer, Thresholds.DEFAULTS);
    UnitMeasures u = result.measures().unitMeasures();
    assertThat(u.deadByWeights()).isZero();
    assertThat(u.merged()).isEqualTo(1);
    assertThat(u.mergedUnits()).containsExactly(1);
    assertThat(u.distinct()).isEqualTo(2);
    // m_0 = m_1 = 0 and m_2 > 0: over 3 values p10 is the smallest, the median the 2nd smallest.
    assertThat(u.mergeDistance().p10()).isZero();
    assertThat(u.mergeDistance().median()).isZero();
    // Dead products: unit 0 ‖(2, 0)‖·‖(2, 2, 1)‖ = 6, unit 1 the same, unit 2 √8·3; r = p / mean.
    double mean = (6 + 6 + 3 * Math.sqrt(8)) / 3;
    assertThat(u.deadDistance().p10()).isCloseTo(6 / mean, within(TIGHT));
    assertThat(result.measures().hidden()).isTrue();
    // W = 0: rank 0 of max min(2, 3); RW has full rank 3.
    assertThat(result.measures().weightRank().numerical()).isZero();
    assertThat(result.recurrentRank().numerical()).isEqualTo(3);
    assertThat(result.recurrentRank().max()).isEqualTo(3);
    // Magnitude: (0·6 + |RW| 15) / (6 + 9).
    assertThat(result.measures().weightMagnitude()).isCloseTo(15.0 / 15, within(TIGHT));
  }

  /**
   * An LSTM (4 gate blocks, peepholes) with units 1 and 3 planted at the fixed set of their swap:
   * columns and rows equal outside the pair, self-weights equal, cross-weights equal, and the
   * self-weight different from the cross-weight, so that comparing the units' columns and rows as
   * plain vectors would not find them.
   */
  @Test
  void plantedLstmTwinAtTheFixedSetOfItsSwapIsMerged() {
    Lstm l = Lstm.random(5, 3, 3, 2, 11);
    l.plantTwin(1, 3);
    RecurrentLayerData data = l.data(true);
    UnitMeasures u = RecurrentAnalyzer.analyze(data, Thresholds.DEFAULTS).measures().unitMeasures();
    assertThat(u.merged()).isEqualTo(1);
    assertThat(u.mergedUnits()).containsExactly(3);
    assertThat(u.mergeDistance().p10()).isZero();
    // The plain-vector comparison: unit 1's columns of RW differ from unit 3's in rows 1 and 3.
    assertThat(l.rw[1 * l.cols() + 1]).isNotEqualTo(l.rw[1 * l.cols() + 3]);
  }

  @Test
  void randomLstmHasNoTwinsAndNoDeadUnits() {
    UnitMeasures u =
        RecurrentAnalyzer.analyze(Lstm.random(6, 4, 3, 2, 5).data(true), Thresholds.DEFAULTS)
            .measures()
            .unitMeasures();
    assertThat(u.merged()).isZero();
    assertThat(u.deadByWeights()).isZero();
    assertThat(u.mergeDistance().p10()).isPositive();
  }

  /**
   * The pair distance equals ‖θ − T_ij θ‖/√2 over all the layer's parameters, built by brute force.
   */
  @Test
  void pairDistanceIsTheDistanceToTheSwapOverAllParameters() {
    for (long seed = 1; seed <= 5; seed++) {
      Lstm l = Lstm.random(5, 3, 4, 3, seed);
      for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
          double brute = l.swapDistanceSquared(i, j) / 2;
          assertThat(RecurrentAnalyzer.pairDistanceSquared(l.data(true), i, j))
              .as("seed %d, pair %d %d", seed, i, j)
              .isCloseTo(brute, within(1e-9 * (1 + brute)));
        }
      }
    }
  }

  /**
   * A unit with its sign-flip parameters at 0 is dead; its other gates' columns may be anything.
   */
  @Test
  void unitAtTheFixedSetOfItsSignFlipIsDead() {
    Lstm l = Lstm.random(5, 3, 3, 2, 7);
    l.plantDead(2);
    UnitMeasures u =
        RecurrentAnalyzer.analyze(l.data(true), Thresholds.DEFAULTS).measures().unitMeasures();
    assertThat(u.deadUnits()).containsExactly(2);
    assertThat(u.deadDistance().p10()).isZero();
    // The gates (forget, output, input: sigmoid) have no sign flip: their columns at 0 leave the
    // unit alive.
    Lstm gates = Lstm.random(5, 3, 3, 2, 7);
    for (int g = 1; g < 4; g++) {
      int c = g * gates.n + 2;
      for (int f = 0; f < gates.nIn; f++) {
        gates.w[f * 4 * gates.n + c] = 0;
      }
      gates.b[c] = 0;
      for (int r = 0; r < gates.n; r++) {
        gates.rw[r * gates.cols() + c] = 0;
      }
    }
    assertThat(
            RecurrentAnalyzer.analyze(gates.data(true), Thresholds.DEFAULTS)
                .measures()
                .unitMeasures()
                .deadByWeights())
        .isZero();
  }

  @Test
  void withoutSignSymmetryOrOutgoingWeightsNoUnitMeasures() {
    Lstm l = Lstm.random(4, 2, 2, 0, 3);
    assertThat(
            RecurrentAnalyzer.analyze(l.data(false), Thresholds.DEFAULTS).measures().unitMeasures())
        .isNull();
    RecurrentLayerData noOut =
        new RecurrentLayerData("x", 4, 4, 2, l.w, l.rw, 0, l.b, null, 0, null, 0, true, EPS32, 0);
    RecurrentAnalyzer.Result r = RecurrentAnalyzer.analyze(noOut, Thresholds.DEFAULTS);
    assertThat(r.measures().unitMeasures()).isNull();
    assertThat(r.measures().hidden()).isFalse();
    assertThat(r.measures().weightRank()).isNotNull();
  }

  @Test
  void peepholesAreNotPartOfTheRecurrentRank() {
    Lstm l = Lstm.random(4, 2, 2, 3, 9);
    RecurrentAnalyzer.Result r = RecurrentAnalyzer.analyze(l.data(true), Thresholds.DEFAULTS);
    assertThat(r.recurrentRank().max()).isEqualTo(4); // [n, 4n] = [4, 16]
    assertThat(r.measures().weightRank().max()).isEqualTo(2); // [nIn, 4n] = [2, 16]
  }

  @Test
  void activationsOverTimeGiveDormantUnitsAndRank() {
    // 4 rows (2 examples × 2 steps) of 3 units; unit 2 always 0, units 0 and 1 equal: rank 1.
    double[] h = {1, 1, 0, 2, 2, 0, 1, 1, 0, 2, 2, 0};
    Lstm l = Lstm.random(3, 2, 2, 0, 4);
    RecurrentLayerData data =
        new RecurrentLayerData(
            "x", 3, 4, 2, l.w, l.rw, 0, l.b, l.z, l.outWidth, h, 4, true, EPS32, 0);
    ActivationMeasures a =
        RecurrentAnalyzer.analyze(data, Thresholds.DEFAULTS).measures().activations();
    assertThat(a.deadByActivations()).isEqualTo(1);
    assertThat(a.rank().numerical()).isEqualTo(1);
    assertThat(a.rank().max()).isEqualTo(3);
  }

  @Test
  void nonFiniteParametersAreCountedAndNothingElseReported() {
    Lstm l = Lstm.random(3, 2, 2, 0, 4);
    l.rw[5] = Double.NaN;
    RecurrentAnalyzer.Result r = RecurrentAnalyzer.analyze(l.data(true), Thresholds.DEFAULTS);
    assertThat(r.measures().nonfiniteParameters()).isEqualTo(1);
    assertThat(r.measures().weightMagnitude()).isNaN();
    assertThat(r.measures().unitMeasures()).isNull();
    assertThat(r.recurrentRank()).isNull();
  }

  @Test
  void inputIsNotModifiedAndShapesAreChecked() {
    Lstm l = Lstm.random(4, 2, 3, 3, 8);
    double[] rw = l.rw.clone();
    double[] w = l.w.clone();
    RecurrentAnalyzer.analyze(l.data(true), Thresholds.DEFAULTS);
    assertThat(l.rw).containsExactly(rw);
    assertThat(l.w).containsExactly(w);
    assertThatThrownBy(
            () ->
                new RecurrentLayerData(
                    "bad", 4, 4, 2, new double[3], l.rw, 3, null, null, 0, null, 0, true, EPS32, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input has 3 values, expected 32");
  }

  /** A random LSTM-shaped layer (4 gate blocks) with peepholes and outgoing weights. */
  static final class Lstm {
    final int n;
    final int nIn;
    final int outWidth;
    final int peep;
    final double[] w;
    final double[] rw;
    final double[] b;
    final double[] z;

    private Lstm(int n, int nIn, int outWidth, int peep, Random r) {
      this.n = n;
      this.nIn = nIn;
      this.outWidth = outWidth;
      this.peep = peep;
      w = gaussian(r, nIn * 4 * n);
      rw = gaussian(r, n * (4 * n + peep));
      b = gaussian(r, 4 * n);
      z = gaussian(r, n * outWidth);
    }

    static Lstm random(int n, int nIn, int outWidth, int peep, long seed) {
      return new Lstm(n, nIn, outWidth, peep, new Random(seed));
    }

    int cols() {
      return 4 * n + peep;
    }

    RecurrentLayerData data(boolean signSymmetric) {
      return new RecurrentLayerData(
          "lstm", n, 4, nIn, w, rw, peep, b, z, outWidth, null, 0, signSymmetric, EPS32, 0);
    }

    /** Makes θ a fixed point of T_ij: j's parameters become i's, the 2×2 blocks symmetric. */
    void plantTwin(int i, int j) {
      int c = cols();
      for (int g = 0; g < 4; g++) {
        int ci = g * n + i;
        int cj = g * n + j;
        for (int f = 0; f < nIn; f++) {
          w[f * 4 * n + cj] = w[f * 4 * n + ci];
        }
        b[cj] = b[ci];
        for (int r = 0; r < n; r++) {
          if (r != i && r != j) {
            rw[r * c + cj] = rw[r * c + ci];
          }
        }
        for (int u = 0; u < n; u++) {
          if (u != i && u != j) {
            rw[j * c + g * n + u] = rw[i * c + g * n + u];
          }
        }
        rw[j * c + cj] = rw[i * c + ci]; // D = A
        rw[j * c + ci] = rw[i * c + cj]; // C = B
      }
      for (int p = 0; p < peep; p++) {
        rw[j * c + 4 * n + p] = rw[i * c + 4 * n + p];
      }
      System.arraycopy(z, i * outWidth, z, j * outWidth, outWidth);
    }

    /** The sign flip's parameters of unit i to 0; RW[i, i] and the other gates stay. */
    void plantDead(int i) {
      int c = cols();
      for (int f = 0; f < nIn; f++) {
        w[f * 4 * n + i] = 0;
      }
      b[i] = 0;
      for (int r = 0; r < n; r++) {
        if (r != i) {
          rw[r * c + i] = 0;
        }
      }
      for (int col = 0; col < 4 * n; col++) {
        if (col != i) {
          rw[i * c + col] = 0;
        }
      }
      for (int p = 0; p < peep; p++) {
        rw[i * c + 4 * n + p] = 0;
      }
      for (int k = 0; k < outWidth; k++) {
        z[i * outWidth + k] = 0;
      }
    }

    /** ‖θ − T_ij θ‖² with T_ij applied to full copies of every array. */
    double swapDistanceSquared(int i, int j) {
      int c = cols();
      int[] perm = new int[n];
      for (int u = 0; u < n; u++) {
        perm[u] = u == i ? j : u == j ? i : u;
      }
      double s = 0;
      for (int f = 0; f < nIn; f++) {
        for (int g = 0; g < 4; g++) {
          for (int u = 0; u < n; u++) {
            double d = w[f * 4 * n + g * n + u] - w[f * 4 * n + g * n + perm[u]];
            s += d * d;
          }
        }
      }
      for (int g = 0; g < 4; g++) {
        for (int u = 0; u < n; u++) {
          double d = b[g * n + u] - b[g * n + perm[u]];
          s += d * d;
        }
      }
      for (int r = 0; r < n; r++) {
        for (int g = 0; g < 4; g++) {
          for (int u = 0; u < n; u++) {
            double d = rw[r * c + g * n + u] - rw[perm[r] * c + g * n + perm[u]];
            s += d * d;
          }
        }
        for (int p = 0; p < peep; p++) {
          double d = rw[r * c + 4 * n + p] - rw[perm[r] * c + 4 * n + p];
          s += d * d;
        }
        for (int k = 0; k < outWidth; k++) {
          double d = z[r * outWidth + k] - z[perm[r] * outWidth + k];
          s += d * d;
        }
      }
      return s;
    }

    private static double[] gaussian(Random r, int size) {
      double[] v = new double[size];
      for (int k = 0; k < size; k++) {
        v[k] = r.nextGaussian();
      }
      return v;
    }
  }
}
