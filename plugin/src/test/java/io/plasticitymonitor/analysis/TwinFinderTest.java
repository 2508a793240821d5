package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Gram-matrix path against a direct O(n²·d) computation of the definitions, on seeded random
 * layers with planted exact twins, near-twins on both sides of ε_merge, chains and dead units.
 */
class TwinFinderTest {

  private static final Thresholds T = Thresholds.DEFAULTS;

  /**
   * m_i may come from the Gram-nearest rather than the true nearest neighbour: documented to be
   * within 2·slack (slack ≥ 1e-6) of the minimum; in practice it agrees to rounding.
   */
  private static final double MERGE_DISTANCE_TOLERANCE = 2e-6;

  /** r_i: the same sums in the same order, a few ulps apart at most. */
  private static final double DEAD_DISTANCE_TOLERANCE = 1e-12;

  /** Relative perturbations planted between a unit and its copy; 0.05 is ε_merge. */
  private static final double[] PERTURBATIONS = {
    0, 0, 1e-12, 1e-9, 1e-6, 1e-3, 0.02, 0.035, 0.045, 0.055, 0.065, 0.08, 0.2
  };

  @Test
  void gramPathAgreesWithBruteForceOnRandomLayers() {
    int[][] sizes = { // units, fanIn, outWidth, bias (1/0)
      {2, 3, 2, 1},
      {3, 1, 1, 0},
      {7, 4, 3, 0},
      {16, 8, 8, 1},
      {33, 10, 6, 1},
      {64, 3, 2, 0},
      {120, 24, 16, 1},
      {257, 40, 30, 0},
      {600, 50, 20, 1}
    };
    for (int[] size : sizes) {
      for (long seed = 1; seed <= 3; seed++) {
        Random rnd = new Random(seed * 1000 + size[0]);
        LayerData layer = randomLayer(rnd, size[0], size[1], size[2], size[3] == 1);
        UnitMeasures expected = bruteForce(layer, T);
        UnitMeasures actual = LayerAnalyzer.analyze(layer, T).unitMeasures();
        String what = "units=" + size[0] + " seed=" + seed;
        assertThat(actual.deadUnits()).as(what).containsExactly(expected.deadUnits());
        assertThat(actual.mergedUnits()).as(what).containsExactly(expected.mergedUnits());
        assertThat(actual.deadByWeights()).as(what).isEqualTo(expected.deadByWeights());
        assertThat(actual.merged()).as(what).isEqualTo(expected.merged());
        assertThat(actual.distinct()).as(what).isEqualTo(expected.distinct());
        assertClose(actual.deadDistance(), expected.deadDistance(), DEAD_DISTANCE_TOLERANCE, what);
        assertClose(
            actual.mergeDistance(), expected.mergeDistance(), MERGE_DISTANCE_TOLERANCE, what);
      }
    }
  }

  @Test
  void layersWhoseWeightGramIsReusedAgreeWithBruteForce() {
    // fanIn ≥ units ≥ 48: the weights' rank takes the Gram route and hands WᵀW to the merged-unit
    // search, which then computes only the bias and outgoing part of Θ's Gram matrix.
    int[][] sizes = {{64, 80, 20, 1}, {100, 100, 30, 0}, {120, 200, 10, 1}, {90, 90, 3, 1}};
    for (int[] size : sizes) {
      for (long seed = 1; seed <= 2; seed++) {
        Random rnd = new Random(seed * 7000 + size[0]);
        LayerData planted = randomLayer(rnd, size[0], size[1], size[2], size[3] == 1);
        // No exactly-zero column in W (a unit whose incoming weights are all 0 is dropped before
        // the Gram route, which then computes a smaller matrix that is not reused): 1e-200 instead.
        double[] w = planted.weights().clone();
        for (int k = 0; k < w.length; k++) {
          w[k] = w[k] == 0 ? 1e-200 : w[k];
        }
        LayerData layer =
            new LayerData(
                planted.name(),
                planted.units(),
                planted.fanIn(),
                w,
                planted.bias(),
                planted.outgoing(),
                planted.outWidth(),
                null,
                0,
                planted.machineEpsilon(),
                0);
        UnitMeasures expected = bruteForce(layer, T);
        UnitMeasures actual = LayerAnalyzer.analyze(layer, T).unitMeasures();
        String what = "units=" + size[0] + " fanIn=" + size[1] + " seed=" + seed;
        assertThat(expected.merged()).as(what).isPositive();
        assertThat(actual.deadUnits()).as(what).containsExactly(expected.deadUnits());
        assertThat(actual.mergedUnits()).as(what).containsExactly(expected.mergedUnits());
        assertClose(actual.deadDistance(), expected.deadDistance(), DEAD_DISTANCE_TOLERANCE, what);
        assertClose(
            actual.mergeDistance(), expected.mergeDistance(), MERGE_DISTANCE_TOLERANCE, what);
      }
    }
  }

  @Test
  void aKnownHeadGramGivesTheSameTwinsAsTheWholeGram() {
    // Rows are a subset (index) of n = 60 units; their first 25 values have a Gram matrix known
    // over all 60, column-major upper triangle, as the weights' rank hands it over.
    Random rnd = new Random(123);
    int n = 60;
    int width = 25;
    int tailWidth = 9;
    double[][] head = new double[n][];
    for (int u = 0; u < n; u++) {
      head[u] = TestMatrices.gaussian(rnd, width);
      if (u >= 3 && u % 4 == 0) {
        head[u] = head[u - 3].clone();
      }
    }
    int[] index = java.util.stream.IntStream.range(0, n).filter(u -> u % 7 != 2).toArray();
    int m = index.length;
    int d = width + tailWidth;
    double[] theta = new double[m * d];
    for (int a = 0; a < m; a++) {
      System.arraycopy(head[index[a]], 0, theta, a * d, width);
      System.arraycopy(TestMatrices.gaussian(rnd, tailWidth), 0, theta, a * d + width, tailWidth);
    }
    // A twin across the whole row: row 10 (unit 11) is row 3's θ perturbed by 1%, the head too,
    // so the known Gram matrix must say so as well.
    double[] twin = Arrays.copyOfRange(theta, 3 * d, 4 * d);
    perturb(rnd, twin, 0.01);
    System.arraycopy(twin, 0, theta, 10 * d, d);
    head[index[10]] = Arrays.copyOf(twin, width);
    double[] gram = new double[n * n];
    for (int j = 0; j < n; j++) {
      for (int i = 0; i <= j; i++) {
        double dot = 0;
        for (int k = 0; k < width; k++) {
          dot += head[i][k] * head[j][k];
        }
        gram[j * n + i] = dot;
      }
    }
    TwinFinder.Twins whole = TwinFinder.find(theta, m, d, T.mergeEpsilon());
    LayerAnalyzer.Buffers reused = new LayerAnalyzer.Buffers(); // its tail buffer serves every call
    for (int blockRows : new int[] {1, 5, 128}) {
      TwinFinder.Twins known =
          TwinFinder.find(
              theta,
              m,
              d,
              T.mergeEpsilon(),
              blockRows,
              new TwinFinder.KnownHead(gram, n, index, width),
              reused);
      assertThat(known.representative()).containsExactly(whole.representative());
      assertThat(known.nearest())
          .containsExactly(whole.nearest(), within(MERGE_DISTANCE_TOLERANCE));
    }
    assertThat(whole.representative()[10]).isEqualTo(3);
  }

  @Test
  void plantedLayersActuallyExerciseBothSidesOfTheThreshold() {
    // Guards the comparison above against testing only trivial layers.
    Random rnd = new Random(1000 + 257);
    UnitMeasures u = bruteForce(randomLayer(rnd, 257, 40, 30, false), T);
    assertThat(u.deadByWeights()).isPositive();
    assertThat(u.merged()).isPositive();
    assertThat(u.distinct()).isGreaterThan(u.merged());
  }

  @Test
  void everyBlockSizeGivesTheSameGroupsAndDistances() {
    Random rnd = new Random(99);
    int m = 75;
    int d = 31;
    double[] theta = new double[m * d];
    for (int i = 0; i < m; i++) {
      double[] row = TestMatrices.gaussian(rnd, d);
      if (i >= 5 && rnd.nextInt(3) == 0) { // near or exact copy of an earlier row
        int src = rnd.nextInt(i);
        System.arraycopy(theta, src * d, row, 0, d);
        perturb(rnd, row, PERTURBATIONS[rnd.nextInt(PERTURBATIONS.length)]);
      }
      System.arraycopy(row, 0, theta, i * d, d);
    }
    TwinFinder.Twins whole = TwinFinder.find(theta, m, d, T.mergeEpsilon(), m);
    for (int blockRows : new int[] {1, 2, 7, 74}) {
      TwinFinder.Twins blocked = TwinFinder.find(theta, m, d, T.mergeEpsilon(), blockRows);
      assertThat(blocked.representative()).containsExactly(whole.representative());
      assertThat(blocked.nearest())
          .containsExactly(whole.nearest(), within(MERGE_DISTANCE_TOLERANCE));
    }
    // Θ in a reused buffer longer than m·d: what lies beyond (here NaN) is never read.
    double[] padded = java.util.Arrays.copyOf(theta, m * d + 3 * d);
    java.util.Arrays.fill(padded, m * d, padded.length, Double.NaN);
    TwinFinder.Twins fromPadded = TwinFinder.find(padded, m, d, T.mergeEpsilon(), 7);
    assertThat(fromPadded.representative()).containsExactly(whole.representative());
    assertThat(fromPadded.nearest())
        .containsExactly(whole.nearest(), within(MERGE_DISTANCE_TOLERANCE));
    // And both agree with the definition.
    for (int i = 0; i < m; i++) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < m; j++) {
        if (j != i) {
          best = Math.min(best, ratio(row(theta, d, i), row(theta, d, j)));
        }
      }
      assertThat(whole.nearest()[i]).isCloseTo(best, within(MERGE_DISTANCE_TOLERANCE));
    }
  }

  @Test
  void exactTwinsHaveDistanceZeroNextToNearTwinsBelowGramResolution() {
    // Rows 0 and 1 are equal, rows 2 and 3 lie 1e-10 (relative) from them: far below what
    // ‖θ_i‖² + ‖θ_j‖² − 2G_ij can resolve (≈ √(d·2⁻⁵³) ≈ 5e-7), so the Gram estimate cannot tell
    // the exact twin from the near ones. m_0 and m_1 must still be exactly 0.
    int d = 2000;
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      double[] base = TestMatrices.gaussian(rnd, d);
      double[] theta = new double[5 * d];
      System.arraycopy(base, 0, theta, 0, d);
      System.arraycopy(base, 0, theta, d, d);
      for (int r = 2; r <= 3; r++) {
        double[] near = base.clone();
        perturb(rnd, near, 1e-10);
        System.arraycopy(near, 0, theta, r * d, d);
      }
      System.arraycopy(TestMatrices.gaussian(rnd, d), 0, theta, 4 * d, d);
      TwinFinder.Twins twins = TwinFinder.find(theta, 5, d, T.mergeEpsilon());
      assertThat(twins.nearest()[0]).as("seed " + seed).isZero();
      assertThat(twins.nearest()[1]).as("seed " + seed).isZero();
      assertThat(twins.nearest()[2]).as("seed " + seed).isPositive().isLessThan(1e-9);
      assertThat(twins.representative()).containsExactly(0, 0, 0, 0, 4);
    }
  }

  @Test
  void thresholdIsDecidedExactlyBelowGramResolution() {
    // ε_merge = 1e-9, far below the Gram estimate's resolution (≈ 5e-7 for d = 2000): a pair
    // 5e-10 apart must merge and a pair 3e-9 apart must not, which only the direct recomputation
    // can tell.
    Thresholds tiny = new Thresholds(1e-3, 0.025, 1e-9, 0.01);
    int d = 2000;
    for (long seed = 1; seed <= 10; seed++) {
      Random rnd = new Random(seed);
      double[] base = TestMatrices.gaussian(rnd, d);
      double[] inside = base.clone();
      perturb(rnd, inside, 5e-10);
      double[] outside = TestMatrices.gaussian(rnd, d);
      double[] outsideNear = outside.clone();
      perturb(rnd, outsideNear, 3e-9);
      double[] theta = new double[4 * d];
      System.arraycopy(base, 0, theta, 0, d);
      System.arraycopy(inside, 0, theta, d, d);
      System.arraycopy(outside, 0, theta, 2 * d, d);
      System.arraycopy(outsideNear, 0, theta, 3 * d, d);
      TwinFinder.Twins twins = TwinFinder.find(theta, 4, d, tiny.mergeEpsilon());
      assertThat(twins.representative()).as("seed " + seed).containsExactly(0, 0, 2, 3);
    }
  }

  // ---- test data

  private static LayerData randomLayer(
      Random rnd, int units, int fanIn, int outWidth, boolean withBias) {
    int d = fanIn + (withBias ? 1 : 0) + outWidth;
    double[][] theta = new double[units][];
    for (int i = 0; i < units; i++) {
      int kind = i < 2 ? 0 : rnd.nextInt(10);
      if (kind <= 5) { // independent unit, of varied scale
        theta[i] = TestMatrices.gaussian(rnd, d);
        scale(theta[i], Math.exp(rnd.nextGaussian()));
      } else if (kind <= 8) { // copy of an earlier unit, possibly of a copy (chains)
        theta[i] = theta[rnd.nextInt(i)].clone();
        perturb(rnd, theta[i], PERTURBATIONS[rnd.nextInt(PERTURBATIONS.length)]);
      } else { // dead: zero incoming, outgoing zero or not; or tiny everywhere
        theta[i] = TestMatrices.gaussian(rnd, d);
        if (rnd.nextBoolean()) {
          Arrays.fill(theta[i], 0, fanIn + (withBias ? 1 : 0), 0);
        } else {
          scale(theta[i], 1e-4);
        }
      }
    }
    double[] w = new double[fanIn * units];
    double[] b = withBias ? new double[units] : null;
    double[] o = new double[units * outWidth];
    for (int i = 0; i < units; i++) {
      for (int f = 0; f < fanIn; f++) {
        w[f * units + i] = theta[i][f];
      }
      if (withBias) {
        b[i] = theta[i][fanIn];
      }
      System.arraycopy(theta[i], d - outWidth, o, i * outWidth, outWidth);
    }
    return new LayerData(
        "random", units, fanIn, w, b, o, outWidth, null, 0, TestMatrices.FLOAT64_EPS, 0);
  }

  /** Adds a random direction of norm {@code relative·‖v‖}. */
  private static void perturb(Random rnd, double[] v, double relative) {
    if (relative == 0) {
      return;
    }
    double[] dir = TestMatrices.gaussian(rnd, v.length);
    double scale = relative * norm(v) / norm(dir);
    for (int k = 0; k < v.length; k++) {
      v[k] += scale * dir[k];
    }
  }

  private static void scale(double[] v, double s) {
    for (int k = 0; k < v.length; k++) {
      v[k] *= s;
    }
  }

  // ---- the definitions, computed directly

  static UnitMeasures bruteForce(LayerData layer, Thresholds t) {
    int n = layer.units();
    double[][] a = new double[n][];
    double[][] z = new double[n][];
    double[][] theta = new double[n][];
    int la = layer.fanIn() + (layer.bias() == null ? 0 : 1);
    for (int i = 0; i < n; i++) {
      a[i] = new double[la];
      for (int f = 0; f < layer.fanIn(); f++) {
        a[i][f] = layer.weights()[f * n + i];
      }
      if (layer.bias() != null) {
        a[i][la - 1] = layer.bias()[i];
      }
      z[i] = Arrays.copyOfRange(layer.outgoing(), i * layer.outWidth(), (i + 1) * layer.outWidth());
      theta[i] = new double[la + z[i].length];
      System.arraycopy(a[i], 0, theta[i], 0, la);
      System.arraycopy(z[i], 0, theta[i], la, z[i].length);
    }
    double[] p = new double[n];
    double mean = 0;
    for (int i = 0; i < n; i++) {
      p[i] = norm(a[i]) * norm(z[i]);
      mean += p[i] / n;
    }
    boolean[] dead = new boolean[n];
    int deadCount = 0;
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      dead[i] = p[i] <= t.deadEpsilon() * mean;
      deadCount += dead[i] ? 1 : 0;
      r[i] = mean > 0 ? p[i] / mean : 0;
    }
    double[] thetaNorm = new double[n];
    for (int i = 0; i < n; i++) {
      thetaNorm[i] = norm(theta[i]);
    }
    // Components of ~ among alive units by breadth-first search over all pairs.
    int[] group = new int[n];
    Arrays.fill(group, -1);
    int groups = 0;
    boolean[] mergedUnit = new boolean[n];
    for (int s = 0; s < n; s++) {
      if (dead[s] || group[s] >= 0) {
        continue;
      }
      group[s] = groups;
      ArrayDeque<Integer> queue = new ArrayDeque<>();
      queue.add(s);
      while (!queue.isEmpty()) {
        int i = queue.poll();
        for (int j = 0; j < n; j++) {
          if (!dead[j]
              && group[j] < 0
              && distance(theta[i], theta[j])
                  <= t.mergeEpsilon() * Math.max(thetaNorm[i], thetaNorm[j])) {
            group[j] = groups;
            mergedUnit[j] = true; // s is the lowest index of its group: units are visited in order
            queue.add(j);
          }
        }
      }
      groups++;
    }
    int alive = n - deadCount;
    int[] deadUnits = new int[deadCount];
    int[] mergedUnits = new int[alive - groups];
    double[] nearest = new double[alive];
    for (int i = 0, kd = 0, km = 0, ka = 0; i < n; i++) {
      if (dead[i]) {
        deadUnits[kd++] = i;
        continue;
      }
      if (mergedUnit[i]) {
        mergedUnits[km++] = i;
      }
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        if (j != i && !dead[j]) {
          best = Math.min(best, ratio(theta[i], theta[j]));
        }
      }
      nearest[ka++] = best;
    }
    return new UnitMeasures(
        deadCount,
        alive - groups,
        n - deadCount - (alive - groups),
        n == 0 ? null : percentiles(r),
        alive < 2 ? null : percentiles(nearest),
        deadUnits,
        mergedUnits);
  }

  private static Percentiles percentiles(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int m = s.length;
    return new Percentiles(s[(int) Math.ceil(m / 10.0) - 1], s[(int) Math.ceil(m / 2.0) - 1]);
  }

  private static double ratio(double[] x, double[] y) {
    double max = Math.max(norm(x), norm(y));
    return max == 0 ? 0 : distance(x, y) / max;
  }

  private static double distance(double[] x, double[] y) {
    double s = 0;
    for (int k = 0; k < x.length; k++) {
      s += (x[k] - y[k]) * (x[k] - y[k]);
    }
    return Math.sqrt(s);
  }

  private static double norm(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private static double[] row(double[] theta, int d, int i) {
    return Arrays.copyOfRange(theta, i * d, (i + 1) * d);
  }

  private static void assertClose(
      Percentiles actual, Percentiles expected, double tolerance, String what) {
    if (expected == null) {
      assertThat(actual).as(what).isNull();
      return;
    }
    assertThat(actual).as(what).isNotNull();
    assertThat(actual.p10()).as(what).isCloseTo(expected.p10(), within(tolerance));
    assertThat(actual.median()).as(what).isCloseTo(expected.median(), within(tolerance));
  }
}
