package io.plasticitymonitor.analysis;

import java.util.Objects;

/**
 * Computes the metric contract's measures for one layer (items 1–8 of the contract), in double
 * precision, as a pure function: the {@link LayerData} arrays are read, never modified.
 *
 * <p>Background (Ziyin, "Symmetry Induces Structure and Constraint of Learning", arXiv:2309.16932):
 * each mirror symmetry of the loss has absorbing states that gradient descent never leaves and that
 * weight decay or gradient noise favour. The measures count how many units sit in (or near) the
 * absorbing states of the three symmetries every MLP/CNN has. For hidden unit {@code i}, {@code
 * a_i} is column {@code i} of the weights followed by {@code b_i} (when there is a bias), {@code
 * z_i} row {@code i} of {@code outgoing}, and {@code θ_i = (a_i, z_i)}.
 *
 * <ul>
 *   <li><b>Dead by weights</b> (rescaling symmetry; absorbing state {@code a_i = 0, z_i = 0}):
 *       {@code p_i = ‖a_i‖₂·‖z_i‖₂ ≤ ε_dead·mean_j p_j}, {@code ε_dead} default 1e-3. A layer whose
 *       products are all 0 has every unit dead. Distance: {@code r_i = p_i / mean_j p_j} (all 0
 *       when the mean is 0), reported as nearest-rank p10 and median over all units.
 *   <li><b>Merged</b> (permutation symmetry; absorbing state {@code θ_i = θ_j}): among units not
 *       dead by weights, {@code i ~ j} when {@code ‖θ_i − θ_j‖₂ ≤ ε_merge·max(‖θ_i‖₂, ‖θ_j‖₂)},
 *       {@code ε_merge} default 0.05; groups are the connected components of {@code ~} (so a chain
 *       {@code A ~ B ~ C} is one group even when {@code A ≁ C}); {@code merged = alive − groups},
 *       and the merged units are every member of a group but its lowest index. Distance: {@code m_i
 *       = min_{j≠i alive} ‖θ_i − θ_j‖₂ / max(‖θ_i‖₂, ‖θ_j‖₂)} over alive {@code i}, reported when
 *       at least two units are alive. Computed through one BLAS Gram matrix with exact
 *       recomputation where the threshold is in doubt (see {@link TwinFinder}): exact twins give
 *       exactly 0 and the {@code ε_merge} decision is made on the directly computed distance.
 *   <li><b>Distinct</b> = {@code units − dead by weights − merged}, the layer's effective width.
 *   <li><b>Rank</b> (rotation symmetry): {@link Ranks} of the weights as {@code [fanIn, units]},
 *       for every layer; and of the probe activations as {@code [examples, units]}, not centred.
 *   <li><b>Weight magnitude</b>: mean {@code |w|} over the weights, biases excluded (Dohare et al.,
 *       "Loss of plasticity in deep continual learning", Nature 2024); 0 for an empty matrix.
 *   <li><b>Dead by activations</b> (τ-dormant, Sokar, Agarwal, Castro &amp; Evci, "The Dormant
 *       Neuron Phenomenon in Deep Reinforcement Learning", ICML 2023): {@code s_i = mean_x|h_i(x)|
 *       / mean_k mean_x|h_k(x)| ≤ τ}, {@code τ} default 0.025; a layer whose mean is 0 has every
 *       unit dormant.
 *   <li><b>Non-finite parameters</b>: a layer with NaN or ±Inf in its weights, bias or outgoing
 *       weights reports only its name, units, whether it is hidden and the count; nothing else
 *       would mean anything. Activations holding NaN or ±Inf are likewise not measured.
 * </ul>
 */
public final class LayerAnalyzer {

  /** Rows of W gathered at once when the units' parameter vectors are assembled. */
  private static final int TRANSPOSE_STRIP = 32;

  private LayerAnalyzer() {}

  /**
   * Measures one layer.
   *
   * <p>Example: a hidden layer of 3 units where unit 1 has {@code a_1 = 0} (its outgoing weights
   * may be anything) and units 0 and 2 have identical {@code θ}: {@code deadUnits = {1}}, {@code
   * mergedUnits = {2}}, distinct 1, and the merge distance's p10 and median are 0.
   *
   * @param layer the layer's numbers; not modified
   * @param t the thresholds ({@link Thresholds#DEFAULTS} for the contract's defaults)
   * @return the measures; {@code unitMeasures} null unless the layer is hidden, {@code activations}
   *     null unless finite activations of at least one example were given. The non-finite count is
   *     the caller's {@link LayerData#nonfiniteParameters()}, or the count found in weights and
   *     bias if that is larger (the outgoing weights are the next layer's parameters, counted
   *     there)
   */
  public static LayerMeasures analyze(LayerData layer, Thresholds t) {
    return analyze(layer, t, new Buffers());
  }

  /**
   * As {@link #analyze(LayerData, Thresholds)}, with the working arrays taken from {@code buffers}:
   * an analysis that passes one {@link Buffers} to every layer allocates its largest layer's
   * working arrays once, not every layer's.
   */
  public static LayerMeasures analyze(LayerData layer, Thresholds t, Buffers buffers) {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(t, "thresholds");
    Objects.requireNonNull(buffers, "buffers");
    if (layer.recurrent() != null) {
      RecurrentAnalyzer.Result r = RecurrentAnalyzer.analyze(layer.recurrent(), t);
      LayerMeasures m = r.measures();
      return new LayerMeasures(
          m.layer(),
          m.units(),
          m.hidden() || layer.feedsLaterLayers(),
          m.nonfiniteParameters(),
          m.weightMagnitude(),
          m.weightRank(),
          m.unitMeasures(),
          m.activations(),
          r.recurrentRank());
    }
    boolean hidden = layer.hidden() || layer.feedsLaterLayers();
    long found =
        countNonfinite(layer.weights())
            + countNonfinite(layer.bias())
            + (layer.normalised() == null
                ? 0
                : countNonfinite(layer.normalised().gamma())
                    + countNonfinite(layer.normalised().shift()));
    long nonfinite = Math.max(layer.nonfiniteParameters(), found);
    if (nonfinite > 0 || countNonfinite(layer.outgoing()) > 0) {
      return new LayerMeasures(
          layer.name(), layer.units(), hidden, nonfinite, Double.NaN, null, null, null);
    }
    // For a hidden layer with fanIn ≥ units the weights' rank comes from WᵀW, the units' incoming
    // part of the Gram matrix the merged-unit search needs: kept and reused there.
    double[][] columnGram = new double[1][];
    boolean reuse = layer.hidden() && layer.normalised() == null && layer.fanIn() >= layer.units();
    RankMeasures weightRank =
        Ranks.ofMatrix(
            layer.weights(),
            layer.fanIn(),
            layer.units(),
            layer.machineEpsilon(),
            t.srankDelta(),
            reuse ? g -> columnGram[0] = g : null);
    return new LayerMeasures(
        layer.name(),
        layer.units(),
        hidden,
        nonfinite,
        weightMagnitude(layer.weights()),
        weightRank,
        layer.hidden() ? unitMeasures(layer, t, columnGram[0], buffers) : null,
        Activations.measure(
            layer.activations(), layer.examples(), layer.units(), layer.machineEpsilon(), t));
  }

  private static double weightMagnitude(double[] w) {
    if (w.length == 0) {
      return 0;
    }
    return Sums.absolute(w) / w.length;
  }

  /**
   * @param weightGram {@code WᵀW} as {@link Ranks#ofMatrix} hands it over, or null
   */
  private static UnitMeasures unitMeasures(
      LayerData layer, Thresholds t, double[] weightGram, Buffers buffers) {
    int n = layer.units();
    int fanIn = layer.fanIn();
    int outWidth = layer.outWidth();
    double[] w = layer.weights();
    // Normalised units: ã_i = (γ_i·ŵ_i, β_i) in place of (w_i, b_i), so ‖ã_i‖ = ‖(γ_i, β_i)‖.
    // Unit i's weights are w_i·scale[i], formed where they are read.
    LayerData.Normalised norm = layer.normalised();
    double[] scale =
        norm == null
            ? null
            : NormalisedUnits.factors(
                w,
                fanIn,
                n,
                norm.gamma(),
                norm.perLayer() ? NormalisedUnits.Scale.PER_LAYER : NormalisedUnits.Scale.PER_UNIT);
    double[] bias = layer.normalised() == null ? layer.bias() : layer.normalised().shift();
    double[] out = layer.outgoing();

    // Sums of squares in double: parameters come from float32 or float64 networks, far below the
    // 1e154 where a square would overflow.
    double[] inSq = new double[n];
    for (int f = 0; f < fanIn; f++) {
      if (scale == null) {
        for (int i = 0, k = f * n; i < n; i++, k++) {
          inSq[i] += w[k] * w[k];
        }
      } else {
        for (int i = 0, k = f * n; i < n; i++, k++) {
          double v = w[k] * scale[i];
          inSq[i] += v * v;
        }
      }
    }
    double[] product = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      if (bias != null) {
        inSq[i] += bias[i] * bias[i];
      }
      double outSq = Sums.squares(out, i * outWidth, i * outWidth + outWidth);
      product[i] = Math.sqrt(inSq[i]) * Math.sqrt(outSq);
      sum += product[i];
    }
    double mean = n == 0 ? 0 : sum / n;

    boolean[] dead = new boolean[n];
    int deadCount = 0;
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      dead[i] = product[i] <= t.deadEpsilon() * mean; // mean 0: every product is 0, all dead
      if (dead[i]) {
        deadCount++;
      }
      r[i] = mean > 0 ? product[i] / mean : 0;
    }
    int[] deadUnits = new int[deadCount];
    int[] alive = new int[n - deadCount];
    for (int i = 0, a = 0, b = 0; i < n; i++) {
      if (dead[i]) {
        deadUnits[a++] = i;
      } else {
        alive[b++] = i;
      }
    }

    int m = alive.length;
    int d = fanIn + (bias == null ? 0 : 1) + outWidth;
    if ((long) m * d > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "layer "
              + layer.name()
              + ": "
              + m
              + " alive units of "
              + d
              + " parameters each exceed one Java array");
    }
    double[] theta = buffers.theta(m * d); // every one of its first m·d values is written below
    // a_i is column i of W = [fanIn, n]: gather it in strips of rows of W, so the strip stays in
    // cache while every unit takes its part (a plain column walk misses the cache on every value).
    for (int f0 = 0; f0 < fanIn; f0 += TRANSPOSE_STRIP) {
      int f1 = Math.min(fanIn, f0 + TRANSPOSE_STRIP);
      for (int a = 0; a < m; a++) {
        int i = alive[a];
        double s = scale == null ? 1 : scale[i]; // × 1 is exact: w itself
        for (int f = f0, k = a * d + f0; f < f1; f++, k++) {
          theta[k] = w[f * n + i] * s;
        }
      }
    }
    for (int a = 0; a < m; a++) {
      int i = alive[a];
      int at = a * d + fanIn;
      if (bias != null) {
        theta[at++] = bias[i];
      }
      System.arraycopy(out, i * outWidth, theta, at, outWidth);
    }
    TwinFinder.Twins twins =
        TwinFinder.find(
            theta,
            m,
            d,
            t.mergeEpsilon(),
            weightGram == null ? null : new TwinFinder.KnownHead(weightGram, n, alive, fanIn),
            buffers);
    int[] rep = twins.representative();
    int mergedCount = 0;
    for (int a = 0; a < m; a++) {
      if (rep[a] != a) {
        mergedCount++;
      }
    }
    int[] mergedUnits = new int[mergedCount];
    for (int a = 0, k = 0; a < m; a++) {
      if (rep[a] != a) {
        mergedUnits[k++] = alive[a]; // ascending, and the group's lowest index stays out
      }
    }

    return new UnitMeasures(
        deadCount,
        mergedCount,
        n - deadCount - mergedCount,
        n == 0 ? null : Percentiles.of(r),
        m < 2 ? null : Percentiles.of(twins.nearest()),
        deadUnits,
        mergedUnits);
  }

  /**
   * The τ-dormant units (Sokar, Agarwal, Castro &amp; Evci, ICML 2023): indices {@code i} with
   * {@code meanAbs[i] ≤ τ · (1/H)·Σ_k meanAbs[k]}, every unit when that mean is 0. The dormant
   * count and ReDo both use it, so ReDo recycles exactly what the monitor counts. {@code meanAbs}
   * (each unit's mean |activation| over a batch) is not modified.
   */
  public static int[] dormantUnits(double[] meanAbs, double tau) {
    double mean = 0;
    for (double v : meanAbs) {
      mean += v;
    }
    mean /= Math.max(1, meanAbs.length);
    int n = 0;
    int[] out = new int[meanAbs.length];
    for (int i = 0; i < meanAbs.length; i++) {
      if (mean == 0 || meanAbs[i] / mean <= tau) {
        out[n++] = i;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /**
   * Working arrays that one thread reuses from layer to layer, so that analysing a network
   * allocates its largest layer's {@code Θ} once rather than every layer's (for ResNet50 that is
   * the difference between a few tens of MB and about 0.4 GB of garbage an analysis). Grow-only;
   * not for use by two threads at once; hold one for an analysis and drop it when that ends.
   */
  public static final class Buffers {
    private double[] theta = new double[0];
    private double[] tail = new double[0];

    public Buffers() {}

    /** At least {@code length} values; their contents are whatever the last layer left. */
    double[] theta(int length) {
      if (theta.length < length) {
        theta = new double[length];
      }
      return theta;
    }

    /** As {@link #theta}, for {@link TwinFinder}'s rows without their known head. */
    double[] tail(int length) {
      if (tail.length < length) {
        tail = new double[length];
      }
      return tail;
    }
  }

  private static long countNonfinite(double[] values) {
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
