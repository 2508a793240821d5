package io.plasticitymonitor.analysis;

import java.util.Objects;

/**
 * The metric contract's measures for one recurrent layer (section "Recurrent units"), in double
 * precision, as a pure function of a {@link RecurrentLayerData}, which is read, never modified.
 *
 * <p>Background (Ziyin, "Symmetry Induces Structure and Constraint of Learning", arXiv:2309.16932):
 * a mirror symmetry {@code T} of the loss makes its fixed set {@code θ = Tθ} absorbing, and the
 * distance {@code ‖θ − Tθ‖} says how close a network is to it. A recurrent layer of {@code n} units
 * and {@code G} gate blocks has two kinds:
 *
 * <ul>
 *   <li><b>Permutation</b> {@code T_ij} of hidden units {@code i, j}: it swaps columns {@code
 *       g·n+i} and {@code g·n+j} of every block of {@code W}, {@code RW} and {@code b}, rows {@code
 *       i} and {@code j} of {@code RW}, the units' peepholes and their outgoing weights. The pair
 *       distance is {@code d(i, j) = ‖θ − T_ij θ‖₂/√2}: over the parameters that only one unit owns
 *       this is {@code ‖v_i − v_j‖₂}, and in each gate block the four recurrent weights among the
 *       two units ({@code A = RW[i, i']}, {@code B = RW[i, j']}, {@code C = RW[j, i']}, {@code D =
 *       RW[j, j']}, {@code i' = g·n + i}) add {@code (A − D)² + (B − C)²}. So twins have equal
 *       self-weights and equal cross-weights, not {@code A = B}. {@code i ~ j} when {@code d(i, j)
 *       ≤ ε_merge · max(‖θ_i‖₂, ‖θ_j‖₂)}, {@code ‖θ_i‖₂} the norm of every parameter unit {@code i}
 *       owns, each counted once (its columns, its row of {@code RW}, its peepholes, its outgoing
 *       weights); groups are connected components, {@code merged = alive − groups}, {@code m_i =
 *       min_j d(i, j)/max(‖θ_i‖₂, ‖θ_j‖₂)} over alive {@code j ≠ i}, as for a dense layer.
 *   <li><b>Sign flip</b> of unit {@code i} (odd block-input and cell activations, tanh; for a
 *       positively homogeneous one, ReLU, the rescaling on the same parameters): it negates the
 *       block-input column {@code 0·n + i} of {@code W}, {@code b} and {@code RW} (the self-weight
 *       {@code RW[i, i]} is negated twice and stays), the peepholes, row {@code i} of {@code RW}
 *       and the outgoing weights. Its fixed set is those parameters at 0, where the cell state and
 *       the output of the unit stay 0. Dead by weights: {@code p_i = ‖a_i‖₂·‖z_i‖₂ ≤ ε_dead ·
 *       mean_j p_j}, {@code a_i} = the block-input column of {@code W}, {@code b} and {@code RW}
 *       without {@code RW[i, i]}, and the peepholes; {@code z_i} = row {@code i} of {@code RW}'s
 *       gate columns without {@code RW[i, i]}, and the outgoing weights. Without such an activation
 *       the per-unit measures are not reported.
 * </ul>
 *
 * <p>Ranks: {@code W} as {@code [nIn, G·n]} (the contract's {@code of="weights"}), the gate columns
 * of {@code RW} as {@code [n, G·n]} ({@code of="recurrent_weights"}) and the hidden outputs as
 * {@code [rows, n]} ({@code of="activations"}). Weight magnitude: mean {@code |w|} over {@code W}
 * and the gate columns of {@code RW}. Cost: {@code O(n²·d)} for {@code d} parameters per unit, the
 * pair distances being computed directly (exactly 0 for exact twins).
 */
final class RecurrentAnalyzer {
  private RecurrentAnalyzer() {}

  /**
   * @param measures the layer's measures; {@code unitMeasures} null when the outgoing weights are
   *     not known or the activation has no sign or rescaling symmetry
   * @param recurrentRank rank measures of {@code RW}'s gate columns; null when a parameter is not
   *     finite
   */
  record Result(LayerMeasures measures, RankMeasures recurrentRank) {}

  /**
   * Measures one recurrent layer (one direction).
   *
   * <p>Example: SimpleRnn with 3 units, {@code W = 0}, {@code b = 0}, {@code RW = [[1, 2, 2], [2,
   * 1, 2], [0, 0, 5]]} (row = from, column = to), outgoing {@code [[1], [1], [3]]}: units 0 and 1
   * are twins (self-weights 1 and 1, cross-weights 2 and 2, weight 0 from unit 2 and 2 to it,
   * outgoing 1), so merged is 1, {@code m_0 = m_1 = 0}, and {@code ‖θ_0‖² = 1 + 5 + 9 − 1 = 14}.
   *
   * @param layer the layer's numbers; not modified
   * @param t the thresholds
   */
  static Result analyze(RecurrentLayerData layer, Thresholds t) {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(t, "thresholds");
    long found = nonfinite(layer.input()) + nonfinite(layer.recurrent()) + nonfinite(layer.bias());
    long nonfiniteCount = Math.max(found, layer.nonfiniteParameters());
    boolean hidden = layer.outgoing() != null;
    if (nonfiniteCount > 0 || nonfinite(layer.outgoing()) > 0) {
      return new Result(
          new LayerMeasures(
              layer.name(), layer.units(), hidden, nonfiniteCount, Double.NaN, null, null, null),
          null);
    }
    int n = layer.units();
    int width = layer.gates() * n;
    double[] gateColumns = gateColumns(layer);
    RankMeasures weightRank =
        Ranks.ofMatrix(
            layer.input(), layer.inputs(), width, layer.machineEpsilon(), t.srankDelta());
    RankMeasures recurrentRank =
        Ranks.ofMatrix(gateColumns, n, width, layer.machineEpsilon(), t.srankDelta());
    long count = (long) layer.input().length + gateColumns.length;
    double magnitude =
        count == 0 ? 0 : (Sums.absolute(layer.input()) + Sums.absolute(gateColumns)) / count;
    UnitMeasures units = hidden && layer.signSymmetric() ? unitMeasures(layer, t) : null;
    ActivationMeasures activations =
        Activations.measure(layer.activations(), layer.rows(), n, layer.machineEpsilon(), t);
    return new Result(
        new LayerMeasures(layer.name(), n, hidden, 0, magnitude, weightRank, units, activations),
        recurrentRank);
  }

  /** The gate columns of {@code RW}, {@code [n, G·n]}, without the peepholes. */
  private static double[] gateColumns(RecurrentLayerData layer) {
    int n = layer.units();
    int width = layer.gates() * n;
    int cols = layer.recurrentColumns();
    if (cols == width) {
      return layer.recurrent();
    }
    double[] out = new double[n * width];
    for (int r = 0; r < n; r++) {
      System.arraycopy(layer.recurrent(), r * cols, out, r * width, width);
    }
    return out;
  }

  private static UnitMeasures unitMeasures(RecurrentLayerData layer, Thresholds t) {
    int n = layer.units();
    int gates = layer.gates();
    int nIn = layer.inputs();
    int width = gates * n;
    int cols = layer.recurrentColumns();
    int peep = layer.peepholes();
    double[] w = layer.input();
    double[] rw = layer.recurrent();
    double[] b = layer.bias();
    double[] out = layer.outgoing();
    int outWidth = layer.outWidth();

    // Dead by weights: the sign flip's parameters of each unit.
    double[] product = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double in = 0;
      for (int f = 0; f < nIn; f++) {
        double v = w[f * width + i];
        in += v * v;
      }
      if (b != null) {
        in += b[i] * b[i];
      }
      for (int r = 0; r < n; r++) {
        if (r != i) {
          double v = rw[r * cols + i];
          in += v * v;
        }
      }
      for (int p = 0; p < peep; p++) {
        double v = rw[i * cols + width + p];
        in += v * v;
      }
      double outSq = Sums.squares(out, i * outWidth, i * outWidth + outWidth);
      for (int c = 0; c < width; c++) {
        if (c != i) {
          double v = rw[i * cols + c];
          outSq += v * v;
        }
      }
      product[i] = Math.sqrt(in) * Math.sqrt(outSq);
      sum += product[i];
    }
    double mean = n == 0 ? 0 : sum / n;
    boolean[] dead = new boolean[n];
    double[] r = new double[n];
    int deadCount = 0;
    for (int i = 0; i < n; i++) {
      dead[i] = product[i] <= t.deadEpsilon() * mean;
      deadCount += dead[i] ? 1 : 0;
      r[i] = mean > 0 ? product[i] / mean : 0;
    }
    int[] deadUnits = new int[deadCount];
    int[] alive = new int[n - deadCount];
    for (int i = 0, a = 0, k = 0; i < n; i++) {
      if (dead[i]) {
        deadUnits[a++] = i;
      } else {
        alive[k++] = i;
      }
    }

    Pairs pairs = new Pairs(layer);
    int m = alive.length;
    int[] parent = new int[m];
    double[] nearest = new double[m];
    java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
    for (int a = 0; a < m; a++) {
      parent[a] = a;
    }
    for (int a = 0; a < m; a++) {
      int i = alive[a];
      for (int c = a + 1; c < m; c++) {
        int j = alive[c];
        double d = Math.sqrt(pairs.squared(i, j));
        double max = Math.sqrt(Math.max(pairs.normSq[i], pairs.normSq[j]));
        double rel = max > 0 ? d / max : 0;
        nearest[a] = Math.min(nearest[a], rel);
        nearest[c] = Math.min(nearest[c], rel);
        if (d <= t.mergeEpsilon() * max) {
          union(parent, a, c);
        }
      }
    }
    int mergedCount = 0;
    for (int a = 0; a < m; a++) {
      if (find(parent, a) != a) {
        mergedCount++;
      }
    }
    int[] mergedUnits = new int[mergedCount];
    for (int a = 0, k = 0; a < m; a++) {
      if (find(parent, a) != a) {
        mergedUnits[k++] = alive[a];
      }
    }
    return new UnitMeasures(
        deadCount,
        mergedCount,
        n - deadCount - mergedCount,
        n == 0 ? null : Percentiles.of(r),
        m < 2 ? null : Percentiles.of(nearest),
        deadUnits,
        mergedUnits);
  }

  /** {@code d(i, j)²} of units {@code i, j} of {@code layer}, as the merged-unit search uses it. */
  static double pairDistanceSquared(RecurrentLayerData layer, int i, int j) {
    return new Pairs(layer).squared(i, j);
  }

  /**
   * Each unit's parameters laid out for the pair distance: those it alone owns ({@code own}: its
   * columns of {@code W} and {@code b} in every gate block, its peepholes, its outgoing weights),
   * its columns of {@code RW} ({@code col[i][g·n + r] = RW[r, g·n + i]}) and its row of {@code RW}.
   */
  private static final class Pairs {
    final int n;
    final int gates;
    final int width;
    final int ownWidth;
    final double[] own;
    final double[] col;
    final double[] row;

    /** {@code ‖θ_i‖²}: every parameter unit {@code i} owns, its self-weights counted once. */
    final double[] normSq;

    Pairs(RecurrentLayerData layer) {
      n = layer.units();
      gates = layer.gates();
      width = gates * n;
      int nIn = layer.inputs();
      int cols = layer.recurrentColumns();
      int peep = layer.peepholes();
      double[] w = layer.input();
      double[] rw = layer.recurrent();
      double[] b = layer.bias();
      int outWidth = layer.outWidth();
      ownWidth = gates * nIn + (b == null ? 0 : gates) + peep + outWidth;
      own = new double[n * ownWidth];
      col = new double[n * width];
      row = new double[n * width];
      normSq = new double[n];
      for (int i = 0; i < n; i++) {
        int k = i * ownWidth;
        for (int g = 0; g < gates; g++) {
          for (int f = 0; f < nIn; f++) {
            own[k++] = w[f * width + g * n + i];
          }
        }
        if (b != null) {
          for (int g = 0; g < gates; g++) {
            own[k++] = b[g * n + i];
          }
        }
        for (int p = 0; p < peep; p++) {
          own[k++] = rw[i * cols + width + p];
        }
        if (outWidth > 0) {
          System.arraycopy(layer.outgoing(), i * outWidth, own, k, outWidth);
        }
        for (int g = 0; g < gates; g++) {
          for (int r = 0; r < n; r++) {
            col[i * width + g * n + r] = rw[r * cols + g * n + i];
          }
        }
        System.arraycopy(rw, i * cols, row, i * width, width);
        double self = 0;
        for (int g = 0; g < gates; g++) {
          double v = rw[i * cols + g * n + i];
          self += v * v;
        }
        normSq[i] =
            Sums.squares(own, i * ownWidth, i * ownWidth + ownWidth)
                + Sums.squares(col, i * width, i * width + width)
                + Sums.squares(row, i * width, i * width + width)
                - self;
      }
    }

    /**
     * {@code d(i, j)²}: see the class comment. Each term a square of a difference, no cancellation.
     */
    double squared(int i, int j) {
      double s = Sums.squaredDistance(own, i * ownWidth, j * ownWidth, ownWidth);
      for (int g = 0; g < gates; g++) {
        int base = g * n;
        for (int r = 0; r < n; r++) {
          if (r != i && r != j) {
            double diff = col[i * width + base + r] - col[j * width + base + r];
            s += diff * diff;
          }
        }
        for (int u = 0; u < n; u++) {
          if (u != i && u != j) {
            double diff = row[i * width + base + u] - row[j * width + base + u];
            s += diff * diff;
          }
        }
        double a = row[i * width + base + i]; // RW[i, i']
        double bij = row[i * width + base + j]; // RW[i, j']
        double c = row[j * width + base + i]; // RW[j, i']
        double d = row[j * width + base + j]; // RW[j, j']
        s += (a - d) * (a - d) + (bij - c) * (bij - c);
      }
      return s;
    }
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /** The larger root goes under the smaller, so each group's root is its lowest index. */
  private static void union(int[] parent, int i, int j) {
    int ri = find(parent, i);
    int rj = find(parent, j);
    if (ri < rj) {
      parent[rj] = ri;
    } else if (rj < ri) {
      parent[ri] = rj;
    }
  }

  private static long nonfinite(double[] values) {
    if (values == null) {
      return 0;
    }
    long count = 0;
    for (double v : values) {
      if (!Double.isFinite(v)) {
        count++;
      }
    }
    return count;
  }
}
