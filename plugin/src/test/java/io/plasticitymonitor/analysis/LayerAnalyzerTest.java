package io.plasticitymonitor.analysis;

import static io.plasticitymonitor.analysis.TestMatrices.FLOAT64_EPS;
import static io.plasticitymonitor.analysis.TestMatrices.hidden;
import static io.plasticitymonitor.analysis.TestMatrices.withActivations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerAnalyzerTest {

  private static final Thresholds T = Thresholds.DEFAULTS;

  /** Hand-computed ratios of small numbers: a few ulps. */
  private static final double HAND_TOLERANCE = 1e-12;

  private static double[] v(double... x) {
    return x;
  }

  private static UnitMeasures units(LayerData layer) {
    return LayerAnalyzer.analyze(layer, T).unitMeasures();
  }

  // ---- dead by weights (item 1) and the rescaling distance (item 7)

  @Test
  void plantedDeadUnitsAreExactlyThoseIndices() {
    // Units 1 and 3: a_i = 0 and z_i = 0. Unit 4: a_i = 0 but z_i ≠ 0, so its product is 0 too.
    double[][] in = {v(1, 2), v(0, 0), v(-2, 1), v(0, 0), v(0, 0), v(3, 0)};
    double[][] out = {v(1, 0, 2), v(0, 0, 0), v(0, 3, 1), v(0, 0, 0), v(5, 5, 5), v(1, 1, 1)};
    UnitMeasures u = units(hidden(in, null, out));
    assertThat(u.deadUnits()).containsExactly(1, 3, 4);
    assertThat(u.deadByWeights()).isEqualTo(3);
    assertThat(u.merged()).isZero();
    assertThat(u.distinct()).isEqualTo(3);
    // Products √5·√5 = 5, 0, √5·√10, 0, 0, 3·√3; r_i = p_i/mean, sorted: 0, 0, 0, r_0, …
    // p10 = 1st smallest = 0, median = ⌈3⌉ = 3rd smallest = 0.
    assertThat(u.deadDistance()).isEqualTo(new Percentiles(0, 0));
  }

  @Test
  void unitBelowEpsilonTimesMeanIsDead() {
    // Products 1, 1, 1e-4: mean ≈ 0.6667, ε_dead·mean ≈ 6.7e-4 ≥ 1e-4 → unit 2 dead.
    // A bias alone keeps a unit's incoming norm non-zero: unit 1 has a = (0, 0 | b = 1).
    double[][] in = {v(1, 0), v(0, 0), v(1e-2, 0)};
    double[] bias = {0, 1, 0};
    double[][] out = {v(1), v(1), v(1e-2)};
    UnitMeasures u = units(hidden(in, bias, out));
    assertThat(u.deadUnits()).containsExactly(2);
    // r = (1, 1, 1e-4)/(2.0001/3): p10 = 1st smallest, median = 2nd smallest.
    double mean = 2.0001 / 3;
    assertThat(u.deadDistance().p10()).isCloseTo(1e-4 / mean, within(HAND_TOLERANCE));
    assertThat(u.deadDistance().median()).isCloseTo(1 / mean, within(HAND_TOLERANCE));
  }

  @Test
  void allZeroLayerIsAllDeadWithRankZero() {
    double[][] in = {v(0, 0, 0), v(0, 0, 0)};
    double[][] out = {v(0, 0), v(0, 0)};
    LayerMeasures m = LayerAnalyzer.analyze(hidden(in, new double[2], out), T);
    UnitMeasures u = m.unitMeasures();
    assertThat(u.deadUnits()).containsExactly(0, 1);
    assertThat(u.merged()).isZero();
    assertThat(u.distinct()).isZero();
    assertThat(u.deadDistance()).isEqualTo(new Percentiles(0, 0));
    assertThat(u.mergeDistance()).isNull();
    assertThat(m.weightRank()).isEqualTo(new RankMeasures(0, 0, 0, 0, 2));
    assertThat(m.weightMagnitude()).isZero();
  }

  @Test
  void oneUnit() {
    LayerMeasures m =
        LayerAnalyzer.analyze(hidden(new double[][] {v(3, 4)}, null, new double[][] {v(2)}), T);
    UnitMeasures u = m.unitMeasures();
    assertThat(u.deadByWeights()).isZero();
    assertThat(u.merged()).isZero();
    assertThat(u.distinct()).isEqualTo(1);
    assertThat(u.deadDistance()).isEqualTo(new Percentiles(1, 1));
    assertThat(u.mergeDistance()).isNull(); // fewer than two alive units
    // W = [[3], [4]] as [fanIn = 2, units = 1]: σ = 5, every rank 1.
    assertThat(m.weightRank()).isEqualTo(new RankMeasures(1, 1, 1, 1, 1));
    assertThat(m.weightMagnitude()).isEqualTo(3.5);
  }

  @Test
  void noUnits() {
    LayerData empty =
        new LayerData(
            "empty", 0, 3, new double[0], null, new double[0], 0, null, 0, FLOAT64_EPS, 0);
    LayerMeasures m = LayerAnalyzer.analyze(empty, T);
    assertThat(m.unitMeasures().deadDistance()).isNull();
    assertThat(m.unitMeasures().mergeDistance()).isNull();
    assertThat(m.unitMeasures().distinct()).isZero();
    assertThat(m.weightMagnitude()).isZero();
    assertThat(m.weightRank()).isEqualTo(new RankMeasures(0, 0, 0, 0, 0));
  }

  // ---- merged units (item 3), distinct (item 4), the permutation distance (item 7)

  private static final double[] X_IN = {1, -2, 0.5};
  private static final double[] X_OUT = {2, 1};
  private static final double[] Y_IN = {-3, 0, 1};
  private static final double[] Y_OUT = {0, 4};
  private static final double[] Z_IN = {0, 1, -1};
  private static final double[] Z_OUT = {-2, 2};

  @Test
  void twoExactCopies() {
    UnitMeasures u =
        units(
            hidden(new double[][] {X_IN, Y_IN, X_IN}, null, new double[][] {X_OUT, Y_OUT, X_OUT}));
    assertThat(u.merged()).isEqualTo(1);
    assertThat(u.mergedUnits()).containsExactly(2);
    assertThat(u.distinct()).isEqualTo(2);
    // m = (0, m_Y, 0): p10 = 1st, median = 2nd smallest, both exactly 0.
    assertThat(u.mergeDistance()).isEqualTo(new Percentiles(0, 0));
  }

  @Test
  void threeExactCopiesKeepTheLowestIndex() {
    // Copies of X at 1, 3, 4; Y at 0, Z at 2.
    UnitMeasures u =
        units(
            hidden(
                new double[][] {Y_IN, X_IN, Z_IN, X_IN, X_IN},
                v(0.1, 0.2, 0.3, 0.2, 0.2),
                new double[][] {Y_OUT, X_OUT, Z_OUT, X_OUT, X_OUT}));
    assertThat(u.merged()).isEqualTo(2);
    assertThat(u.mergedUnits()).containsExactly(3, 4);
    assertThat(u.distinct()).isEqualTo(3);
    // m = (m_Y, 0, m_Z, 0, 0): p10 = 1st smallest = 0, median = ⌈2.5⌉ = 3rd smallest = 0.
    assertThat(u.mergeDistance()).isEqualTo(new Percentiles(0, 0));
  }

  /** θ = (3, 0 | 4, s): ‖θ‖ = √(25 + s²), so two such units are |s − s'| apart. */
  private static LayerData twinCandidates(double... s) {
    double[][] in = new double[s.length + 2][];
    double[][] out = new double[s.length + 2][];
    for (int i = 0; i < s.length; i++) {
      in[i] = v(3, 0);
      out[i] = v(4, s[i]);
    }
    in[s.length] = v(0, 5); // two units far from everything
    out[s.length] = v(-4, 0);
    in[s.length + 1] = v(-5, 1);
    out[s.length + 1] = v(0, -3);
    return hidden(in, null, out);
  }

  @Test
  void nearTwinJustInsideEpsilonIsMerged() {
    // ‖θ_1 − θ_0‖ = 0.2, max norm √25.04 = 5.004: relative 0.03997 ≤ 0.05.
    UnitMeasures u = units(twinCandidates(0, 0.2));
    assertThat(u.mergedUnits()).containsExactly(1);
    assertThat(u.mergeDistance().p10()).isCloseTo(0.2 / Math.sqrt(25.04), within(HAND_TOLERANCE));
  }

  @Test
  void nearTwinJustOutsideEpsilonIsNotMerged() {
    // ‖θ_1 − θ_0‖ = 0.3, max norm √25.09 = 5.009: relative 0.0599 > 0.05.
    UnitMeasures u = units(twinCandidates(0, 0.3));
    assertThat(u.merged()).isZero();
    assertThat(u.mergedUnits()).isEmpty();
    assertThat(u.mergeDistance().p10()).isCloseTo(0.3 / Math.sqrt(25.09), within(HAND_TOLERANCE));
  }

  @Test
  void chainIsOneGroup() {
    // A = s 0, B = s 0.15, C = s 0.3: A~B (0.15/5.0022 = 0.030), B~C (0.15/5.009 = 0.030),
    // A≁C (0.3/5.009 = 0.060); the connected component {A, B, C} counts as one group.
    UnitMeasures u = units(twinCandidates(0, 0.15, 0.3));
    assertThat(u.merged()).isEqualTo(2);
    assertThat(u.mergedUnits()).containsExactly(1, 2);
    assertThat(u.distinct()).isEqualTo(5 - 2);
  }

  @Test
  void deadUnitsAreNotMerged() {
    // Units 1 and 2 are identical but dead (product 1e-6 ≤ 1e-3·mean); they are not merged and
    // do not give the alive units a merge distance of 0.
    double[][] in = {X_IN, v(1e-3, 0, 0), v(1e-3, 0, 0), Y_IN};
    double[][] out = {X_OUT, v(1e-3, 0), v(1e-3, 0), Y_OUT};
    UnitMeasures u = units(hidden(in, null, out));
    assertThat(u.deadUnits()).containsExactly(1, 2);
    assertThat(u.merged()).isZero();
    assertThat(u.distinct()).isEqualTo(2);
    // m_X = m_Y = ‖θ_X − θ_Y‖/max(‖θ_X‖, ‖θ_Y‖): θ_X − θ_Y = (4, −2, −0.5, 2, −3), squared 33.25;
    // ‖θ_X‖² = 1 + 4 + 0.25 + 4 + 1 = 10.25, ‖θ_Y‖² = 9 + 0 + 1 + 0 + 16 = 26.
    double m = Math.sqrt(33.25) / Math.sqrt(26);
    assertThat(u.mergeDistance().p10()).isCloseTo(m, within(HAND_TOLERANCE));
    assertThat(u.mergeDistance().median()).isCloseTo(m, within(HAND_TOLERANCE));
  }

  @Test
  void biasTakesPartInTheComparison() {
    // Same weights, biases 0 and 3: θ differ by 3 in the bias entry, relative 3/‖θ‖ ≫ 0.05.
    UnitMeasures u =
        units(hidden(new double[][] {X_IN, X_IN}, v(0, 3), new double[][] {X_OUT, X_OUT}));
    assertThat(u.merged()).isZero();
  }

  @Test
  void allUnitsIdenticalInALargeLayer() {
    // 2048 copies of one unit: one group, every unit but unit 0 merged, every m_i exactly 0.
    Random rnd = new Random(17);
    double[] a = TestMatrices.gaussian(rnd, 200);
    double[] z = TestMatrices.gaussian(rnd, 100);
    double[][] in = new double[2048][];
    double[][] out = new double[2048][];
    for (int i = 0; i < in.length; i++) {
      in[i] = a;
      out[i] = z;
    }
    UnitMeasures u = units(hidden(in, null, out));
    assertThat(u.merged()).isEqualTo(2047);
    assertThat(u.distinct()).isEqualTo(1);
    assertThat(u.mergedUnits()).hasSize(2047).startsWith(1, 2).endsWith(2047);
    assertThat(u.mergeDistance()).isEqualTo(new Percentiles(0, 0));
  }

  // ---- dead by activations (item 2) and the activation rank (item 5)

  @Test
  void dormantUnitsFromPlantedColumns() {
    // Columns 1 and 3 are 0; column 4 has mean |h| 0.005; columns 0 and 2 have mean |h| 1
    // (signs alternate: |h| is averaged, not h). Layer mean = 2.005/5 = 0.401;
    // s_4 = 0.005/0.401 = 0.0125 ≤ 0.025 → dormant: 3 units.
    double[][] act = {
      v(1, 0, -1, 0, 0.005), v(-1, 0, 1, 0, -0.005), v(1, 0, 1, 0, 0.005), v(-1, 0, -1, 0, -0.005)
    };
    LayerData layer = withActivations(anyHiddenLayer(5), act, FLOAT64_EPS);
    ActivationMeasures a = LayerAnalyzer.analyze(layer, T).activations();
    assertThat(a.deadByActivations()).isEqualTo(3);
    // Columns 0, 2, 4: column 4 = 0.005·column 0 → the [4, 5] matrix has rank 2.
    assertThat(a.rank().numerical()).isEqualTo(2);
    assertThat(a.rank().max()).isEqualTo(4);
  }

  @Test
  void unitJustAboveTauIsNotDormant() {
    // Mean |h| (1, 0.06): layer mean 0.53, s_1 = 0.113 > 0.025.
    double[][] act = {v(1, 0.06), v(1, -0.06)};
    LayerData layer = withActivations(anyHiddenLayer(2), act, FLOAT64_EPS);
    assertThat(LayerAnalyzer.analyze(layer, T).activations().deadByActivations()).isZero();
  }

  @Test
  void allZeroActivationsAreAllDormant() {
    LayerData layer = withActivations(anyHiddenLayer(3), new double[4][3], FLOAT64_EPS);
    ActivationMeasures a = LayerAnalyzer.analyze(layer, T).activations();
    assertThat(a.deadByActivations()).isEqualTo(3);
    assertThat(a.rank()).isEqualTo(new RankMeasures(0, 0, 0, 0, 3));
  }

  @Test
  void noOrNonFiniteActivationsAreNotMeasured() {
    assertThat(LayerAnalyzer.analyze(anyHiddenLayer(3), T).activations()).isNull();
    LayerData nan =
        withActivations(anyHiddenLayer(2), new double[][] {v(1, Double.NaN)}, FLOAT64_EPS);
    LayerMeasures m = LayerAnalyzer.analyze(nan, T);
    assertThat(m.activations()).isNull();
    assertThat(m.unitMeasures()).isNotNull(); // the parameters are fine
  }

  private static LayerData anyHiddenLayer(int units) {
    double[][] in = new double[units][];
    double[][] out = new double[units][];
    for (int i = 0; i < units; i++) {
      in[i] = v(i + 1, 1);
      out[i] = v(1, -i);
    }
    return hidden(in, null, out);
  }

  // ---- weight magnitude (item 6), non-finite parameters (item 8)

  @Test
  void weightMagnitudeExcludesBias() {
    // W = [[1, -2], [3, -4]] as [fanIn = 2, units = 2]: mean |w| = 10/4 = 2.5, bias ignored.
    LayerData layer =
        new LayerData(
            "dense", 2, 2, v(1, -2, 3, -4), v(100, -100), null, 0, null, 0, FLOAT64_EPS, 0);
    LayerMeasures m = LayerAnalyzer.analyze(layer, T);
    assertThat(m.weightMagnitude()).isEqualTo(2.5);
    assertThat(m.unitMeasures()).isNull(); // not hidden
    assertThat(m.hidden()).isFalse();
    assertThat(m.weightRank().numerical()).isEqualTo(2);
  }

  @Test
  void nanInWeightsReportsOnlyTheCount() {
    double[][] in = {v(1, Double.NaN), v(2, 3)};
    double[][] out = {v(1), v(1)};
    LayerMeasures m = LayerAnalyzer.analyze(hidden(in, null, out), T);
    assertThat(m).isEqualTo(new LayerMeasures("hidden", 2, true, 1, Double.NaN, null, null, null));
  }

  @Test
  void callersCountIsKeptAndNonFiniteOutgoingSkipsTheMeasures() {
    LayerData counted =
        new LayerData(
            "l", 1, 1, v(Double.POSITIVE_INFINITY), null, null, 0, null, 0, FLOAT64_EPS, 3);
    assertThat(LayerAnalyzer.analyze(counted, T).nonfiniteParameters()).isEqualTo(3);
    // Inf in the next layer's weights: this layer's count stays 0, nothing is measured.
    LayerMeasures m =
        LayerAnalyzer.analyze(
            hidden(new double[][] {v(1)}, null, new double[][] {v(Double.NEGATIVE_INFINITY)}), T);
    assertThat(m.nonfiniteParameters()).isZero();
    assertThat(m.weightMagnitude()).isNaN();
    assertThat(m.weightRank()).isNull();
    assertThat(m.unitMeasures()).isNull();
    assertThat(m.activations()).isNull();
  }

  // ---- properties

  @Test
  void inputArraysAreNotModified() {
    Random rnd = new Random(23);
    for (int trial = 0; trial < 10; trial++) {
      int units = 1 + rnd.nextInt(40);
      int fanIn = 1 + rnd.nextInt(30);
      int outWidth = 1 + rnd.nextInt(20);
      int examples = 1 + rnd.nextInt(16);
      double[] w = TestMatrices.gaussian(rnd, fanIn * units);
      double[] b = rnd.nextBoolean() ? TestMatrices.gaussian(rnd, units) : null;
      double[] o = TestMatrices.gaussian(rnd, units * outWidth);
      double[] h = TestMatrices.gaussian(rnd, examples * units);
      if (units > 2) { // a duplicate and a dead unit exercise every path
        for (int f = 0; f < fanIn; f++) {
          w[f * units + 1] = w[f * units];
          w[f * units + 2] = 0;
        }
        System.arraycopy(o, 0, o, outWidth, outWidth);
        if (b != null) {
          b[1] = b[0];
          b[2] = 0;
        }
      }
      double[] w0 = w.clone();
      double[] b0 = b == null ? null : b.clone();
      double[] o0 = o.clone();
      double[] h0 = h.clone();
      LayerData layer =
          new LayerData("l", units, fanIn, w, b, o, outWidth, h, examples, FLOAT64_EPS, 0);
      LayerMeasures m = LayerAnalyzer.analyze(layer, T);
      assertThat(m.unitMeasures()).isNotNull();
      assertThat(w).isEqualTo(w0);
      assertThat(b).isEqualTo(b0);
      assertThat(o).isEqualTo(o0);
      assertThat(h).isEqualTo(h0);
    }
  }
}
