package io.plasticitymonitor.analysis;

import java.util.Arrays;

/**
 * Two nearest-rank percentiles of a set of m values: p10 is the ⌈0.1·m⌉-th smallest, median the
 * ⌈0.5·m⌉-th smallest (1-based). Nearest rank, not interpolation, so each statistic is one of the
 * values: a p10 of 0 means at least a tenth of the units sit exactly in the absorbing state.
 *
 * @param p10 the ⌈0.1·m⌉-th smallest value
 * @param median the ⌈0.5·m⌉-th smallest value
 */
public record Percentiles(double p10, double median) {

  /**
   * p10 and median of {@code values}.
   *
   * <p>Example: for {@code {5, 1, 4, 2, 3}} (m = 5) p10 is the 1st smallest, 1, and the median the
   * 3rd, 3; for m = 11 they are the 2nd and 6th smallest.
   *
   * @param values at least one value, none NaN; not modified (a sorted copy is used)
   * @return the ⌈0.1·m⌉-th and ⌈0.5·m⌉-th smallest values
   * @throws IllegalArgumentException if {@code values} is empty or holds NaN
   */
  public static Percentiles of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("percentiles of no values");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    if (Double.isNaN(sorted[sorted.length - 1])) { // Arrays.sort puts NaN last
      throw new IllegalArgumentException("percentiles of NaN");
    }
    return new Percentiles(nearestRank(sorted, 10), nearestRank(sorted, 50));
  }

  /**
   * The nearest-rank {@code percent}-th percentile: the ⌈percent·m/100⌉-th smallest of the m values
   * (the smallest for percent 0). Integer arithmetic, because in floating point ⌈0.07·100⌉ is 8.
   *
   * @param sortedAscending m ≥ 1 values, ascending; not modified
   * @param percent in [0, 100]
   * @return one of the values
   */
  public static double nearestRank(double[] sortedAscending, int percent) {
    int m = sortedAscending.length;
    if (m == 0 || percent < 0 || percent > 100) {
      throw new IllegalArgumentException("nearest rank " + percent + "% of " + m + " values");
    }
    long rank = ((long) percent * m + 99) / 100; // ⌈percent·m/100⌉, 1-based
    return sortedAscending[(int) Math.max(1, rank) - 1];
  }
}
