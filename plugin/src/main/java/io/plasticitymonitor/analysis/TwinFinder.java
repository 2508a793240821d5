package io.plasticitymonitor.analysis;

import java.util.Arrays;

/**
 * Groups of twins among the rows {@code θ_0 … θ_{m−1}} of {@code Θ = [m, d]} (metric contract,
 * items 3 and 7, permutation symmetry): {@code i ~ j} when {@code ‖θ_i − θ_j‖ ≤ ε·max(‖θ_i‖,
 * ‖θ_j‖)}, groups are the connected components of {@code ~}, and {@code m_i} is the distance from
 * {@code θ_i} to its nearest other row over the larger norm.
 *
 * <p>Cost: one Gram matrix {@code G = ΘΘᵀ} by BLAS (upper triangle, in row blocks so at most {@link
 * #BLOCK_ELEMENTS} of it are held), then O(d) Java work for only a few pairs. Pairwise distances
 * come from {@code d²_ij = ‖θ_i‖² + ‖θ_j‖² − 2G_ij}, which cancels badly for near-twins; so nothing
 * is decided on it alone:
 *
 * <ul>
 *   <li>Its error is bounded: with {@code u = 2⁻⁵³}, {@code |fl(G_ij) − θ_i·θ_j| ≤ γ_d‖θ_i‖‖θ_j‖}
 *       (Cauchy–Schwarz on the standard dot-product bound, any summation order), likewise for the
 *       squared norms, so the estimated ratio {@code ρ̂} of {@code ρ = ‖θ_i − θ_j‖/max} satisfies
 *       {@code |ρ̂² − ρ²| ≤ (4γ_d + 8u)(1 + O(u))} and hence {@code |ρ̂ − ρ| ≤ √((4d + 8)u)}. We
 *       use {@code slack = max(1e-6, 2·√((4d + 8)u))}, twice that bound (≈ 3e-6 for d = 5000).
 *   <li>An edge needs {@code ρ ≤ ε}, so only pairs with {@code ρ̂ ≤ ε + slack} can be edges; for
 *       those the distance is recomputed directly, and the threshold is decided on that exact value
 *       (skipped when the pair is already in one component, which leaves the components unchanged;
 *       this keeps a layer of thousands of identical units at O(m·d)).
 *   <li>{@code m_i} is the direct distance to the Gram-nearest row, so within {@code 2·slack} of
 *       the true minimum, and exactly 0 when {@code θ_i} has an exact duplicate (found by hashing
 *       the rows, O(m·d)) whatever the Gram rounding.
 * </ul>
 */
final class TwinFinder {

  /** Largest piece of the Gram matrix held at once: 4M doubles, 32 MB. */
  static final long BLOCK_ELEMENTS = 1L << 22;

  /**
   * Most rows of {@code G} per gemm. Each block {@code G[r0:r1, r0:m]} also computes the lower half
   * of its diagonal square, so tall blocks waste flops (one block of all {@code m} rows is a full
   * {@code m × m} gemm, twice the work of the triangle); 128 rows keep the waste near {@code 128/m}
   * of the triangle while each gemm stays large enough to run at full speed.
   */
  static final int MAX_BLOCK_ROWS = 128;

  private static final double UNIT_ROUNDOFF = 0x1p-53;

  /** Values of a row hashed, besides its squared norm, to bucket candidate exact duplicates. */
  private static final int HASHED_VALUES = 16;

  private TwinFinder() {}

  /**
   * @param representative for each row, the lowest index in its group (itself when alone)
   * @param nearest {@code m_i} for each row; null when there are fewer than two rows
   */
  record Twins(int[] representative, double[] nearest) {}

  /**
   * The Gram matrix of the first {@code width} values of every row, already computed for another
   * purpose over a superset of the rows: {@code θ_a[0:width]·θ_b[0:width] = gram[index[b]·n +
   * index[a]]} for {@code a < b}, with {@code index} ascending (column-major {@code n × n}, upper
   * triangle). {@link LayerAnalyzer} passes the {@code WᵀW} of the weights' rank this way, so only
   * the bias and outgoing part of {@code Θ} still needs a gemm. Rounding: each entry is then a sum
   * of two dot products, within {@code γ_{d+1}‖θ_i‖‖θ_j‖} of the exact one (Cauchy–Schwarz on the
   * two parts), which the slack below covers.
   */
  record KnownHead(double[] gram, int n, int[] index, int width) {}

  static Twins find(double[] theta, int m, int d, double epsMerge) {
    return find(theta, m, d, epsMerge, defaultBlockRows(m), null, new LayerAnalyzer.Buffers());
  }

  static Twins find(
      double[] theta,
      int m,
      int d,
      double epsMerge,
      KnownHead head,
      LayerAnalyzer.Buffers buffers) {
    return find(theta, m, d, epsMerge, defaultBlockRows(m), head, buffers);
  }

  private static int defaultBlockRows(int m) {
    return m == 0
        ? 1
        : (int) Math.max(1, Math.min(Math.min(m, MAX_BLOCK_ROWS), BLOCK_ELEMENTS / m));
  }

  static Twins find(double[] theta, int m, int d, double epsMerge, int blockRows) {
    return find(theta, m, d, epsMerge, blockRows, null, new LayerAnalyzer.Buffers());
  }

  /**
   * @param theta {@code Θ} as {@code m × d}, row-major, finite, in its first {@code m·d} values
   *     (the rest, if any, is ignored); not modified
   * @param blockRows rows of {@code G} per gemm (tests use small blocks to cover the seams)
   * @param head the Gram matrix of the rows' first values when already at hand, or null
   * @param buffers where the rows' tails are gathered when {@code head} is given
   */
  static Twins find(
      double[] theta,
      int m,
      int d,
      double epsMerge,
      int blockRows,
      KnownHead head,
      LayerAnalyzer.Buffers buffers) {
    if (m < 0 || d < 0 || theta.length < (long) m * d || blockRows < 1) {
      throw new IllegalArgumentException(
          "theta has "
              + theta.length
              + " values for "
              + m
              + "x"
              + d
              + " (blockRows "
              + blockRows
              + ")");
    }
    double[] sq = new double[m];
    double[] norm = new double[m];
    for (int i = 0; i < m; i++) {
      sq[i] = Sums.squares(theta, i * d, i * d + d);
      norm[i] = Math.sqrt(sq[i]);
    }
    int[] parent = new int[m];
    for (int i = 0; i < m; i++) {
      parent[i] = i;
    }
    boolean[] exactTwin = markExactDuplicates(theta, m, d, sq, parent);
    if (m < 2 || d == 0) { // d == 0: all rows are equal and already united, every m_i is 0
      return new Twins(representatives(parent), m < 2 ? null : new double[m]);
    }

    double slack = Math.max(1e-6, 2 * Math.sqrt((4.0 * d + 8) * UNIT_ROUNDOFF));
    double candidate = epsMerge + slack;
    double candidateSquared = candidate * candidate;
    // The pair loop compares squares, ρ̂² = d̂²/max², which orders pairs as ρ̂ does: no square
    // root per pair.
    double[] bestEstimate = new double[m];
    Arrays.fill(bestEstimate, Double.POSITIVE_INFINITY);
    int[] bestJ = new int[m];
    for (int i = 0; i < m; i++) {
      bestJ[i] = i == 0 ? 1 : 0; // a real neighbour even if every estimate were NaN
    }
    int tailWidth = head == null ? d : d - head.width();
    double[] tail = head == null ? theta : tail(theta, m, d, head.width(), buffers);
    try (NativeLinearAlgebra.GramBlocks gram =
        tailWidth == 0 ? null : NativeLinearAlgebra.gramRows(tail, m, tailWidth, blockRows)) {
      for (int r0 = 0; r0 < m; r0 += blockRows) {
        int r1 = Math.min(m, r0 + blockRows);
        int width = m - r0;
        double[] g = gram == null ? new double[(r1 - r0) * width] : gram.block(r0, r1);
        if (head != null) {
          addHead(g, head, r0, r1, m);
        }
        for (int i = r0; i < r1; i++) {
          int row = (i - r0) * width - r0; // g[row + j] = G_ij
          double sqI = sq[i];
          double bestI = bestEstimate[i];
          int bestJI = bestJ[i];
          for (int j = i + 1; j < m; j++) {
            double maxSq = Math.max(sqI, sq[j]);
            double d2 = sqI + sq[j] - 2 * g[row + j];
            double estimate = maxSq > 0 ? Math.max(0, d2) / maxSq : 0; // ρ̂²
            if (estimate < bestI) {
              bestI = estimate;
              bestJI = j;
            }
            if (estimate < bestEstimate[j]) {
              bestEstimate[j] = estimate;
              bestJ[j] = i;
            }
            if (estimate <= candidateSquared
                && find(parent, i) != find(parent, j)
                && distance(theta, d, i, j) <= epsMerge * Math.max(norm[i], norm[j])) {
              union(parent, i, j);
            }
          }
          bestEstimate[i] = bestI;
          bestJ[i] = bestJI;
        }
      }
    }
    double[] nearest = new double[m];
    for (int i = 0; i < m; i++) {
      if (!exactTwin[i]) {
        int j = bestJ[i];
        double max = Math.max(norm[i], norm[j]);
        nearest[i] = max > 0 ? distance(theta, d, i, j) / max : 0;
      }
    }
    return new Twins(representatives(parent), nearest);
  }

  /** The last {@code d − width} values of every row, in the first {@code m·(d − width)} values. */
  private static double[] tail(
      double[] theta, int m, int d, int width, LayerAnalyzer.Buffers buffers) {
    int t = d - width;
    double[] out = buffers.tail(m * t);
    for (int a = 0; a < m; a++) {
      System.arraycopy(theta, a * d + width, out, a * t, t);
    }
    return out;
  }

  /** Adds the known head's Gram entries to the block {@code G[r0:r1, r0:m]} (row-major, j > i). */
  private static void addHead(double[] g, KnownHead head, int r0, int r1, int m) {
    double[] hg = head.gram();
    int n = head.n();
    int[] index = head.index();
    int width = m - r0;
    for (int j = r0 + 1; j < m; j++) {
      int column = index[j] * n; // entry (index[i], index[j]), i < j, of the upper triangle
      for (int i = r0, end = Math.min(r1, j); i < end; i++) {
        g[(i - r0) * width + (j - r0)] += hg[column + index[i]];
      }
    }
  }

  /** ‖θ_i − θ_j‖₂, directly: no cancellation, exactly 0 for equal rows. */
  static double distance(double[] theta, int d, int i, int j) {
    return Math.sqrt(Sums.squaredDistance(theta, i * d, j * d, d));
  }

  /**
   * Unites rows that are exactly equal (±0 alike) and marks them. Equal rows have equal squared
   * norms (the same sums in the same order), so rows are bucketed by a hash of the squared norm and
   * {@link #HASHED_VALUES} of their values, and only rows within a bucket are compared in full:
   * O(m) hashing and, but for rows that share a bucket, no O(m·d) pass.
   */
  private static boolean[] markExactDuplicates(
      double[] theta, int m, int d, double[] sq, int[] parent) {
    long[] keyed = new long[m];
    int[] hash = new int[m];
    int step = Math.max(1, d / HASHED_VALUES);
    for (int i = 0; i < m; i++) {
      long h = 0x6a09e667f3bcc909L ^ Double.doubleToLongBits(sq[i]);
      h *= 0x9e3779b97f4a7c15L;
      for (int k = i * d, end = k + d; k < end; k += step) {
        double v = theta[k];
        long bits = v == 0 ? 0 : Double.doubleToLongBits(v);
        h = (h ^ bits) * 0x9e3779b97f4a7c15L;
        h ^= h >>> 29;
      }
      hash[i] = (int) (h ^ (h >>> 32));
      keyed[i] = ((long) hash[i] << 32) | i; // sort by hash, then index
    }
    Arrays.sort(keyed);
    boolean[] twin = new boolean[m];
    boolean[] matched = new boolean[m]; // already united with an earlier equal row of its run
    for (int start = 0; start < m; ) {
      int end = start + 1;
      while (end < m && (int) (keyed[end] >> 32) == (int) (keyed[start] >> 32)) {
        end++;
      }
      for (int a = start; a < end; a++) {
        int i = (int) keyed[a];
        if (matched[i]) {
          continue;
        }
        for (int b = a + 1; b < end; b++) {
          int j = (int) keyed[b];
          if (!matched[j] && equalRows(theta, d, i, j)) {
            matched[j] = true;
            twin[i] = true;
            twin[j] = true;
            union(parent, i, j);
          }
        }
      }
      start = end;
    }
    return twin;
  }

  private static boolean equalRows(double[] theta, int d, int i, int j) {
    for (int a = i * d, b = j * d, end = a + d; a < end; a++, b++) {
      if (theta[a] != theta[b]) {
        return false;
      }
    }
    return true;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]]; // path halving
      i = parent[i];
    }
    return i;
  }

  /** Links the larger root under the smaller, so every root is its group's lowest index. */
  private static void union(int[] parent, int i, int j) {
    int ri = find(parent, i);
    int rj = find(parent, j);
    if (ri < rj) {
      parent[rj] = ri;
    } else if (rj < ri) {
      parent[ri] = rj;
    }
  }

  private static int[] representatives(int[] parent) {
    int[] rep = new int[parent.length];
    for (int i = 0; i < parent.length; i++) {
      rep[i] = find(parent, i);
    }
    return rep;
  }
}
