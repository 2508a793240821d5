package io.plasticitymonitor.analysis;

/**
 * Sums over array ranges with four independent accumulators. A single running sum waits on the
 * previous addition's latency (four cycles a value); four chains run at the adder's throughput. The
 * order differs from a left-to-right sum only in rounding, within the same {@code γ_n} bound.
 */
final class Sums {
  private Sums() {}

  /** {@code Σ a[k]²} over {@code [from, to)}. */
  static double squares(double[] a, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = from;
    for (int end = to - 3; k < end; k += 4) {
      s0 += a[k] * a[k];
      s1 += a[k + 1] * a[k + 1];
      s2 += a[k + 2] * a[k + 2];
      s3 += a[k + 3] * a[k + 3];
    }
    for (; k < to; k++) {
      s0 += a[k] * a[k];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code Σ |a[k]|} over the whole array. */
  static double absolute(double[] a) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (int end = a.length - 3; k < end; k += 4) {
      s0 += Math.abs(a[k]);
      s1 += Math.abs(a[k + 1]);
      s2 += Math.abs(a[k + 2]);
      s3 += Math.abs(a[k + 3]);
    }
    for (; k < a.length; k++) {
      s0 += Math.abs(a[k]);
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code Σ (a[i + k] − a[j + k])²} for {@code k < length}: a squared distance, exactly 0 for
   * equal ranges.
   */
  static double squaredDistance(double[] a, int i, int j, int length) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (int end = length - 3; k < end; k += 4) {
      double t0 = a[i + k] - a[j + k];
      double t1 = a[i + k + 1] - a[j + k + 1];
      double t2 = a[i + k + 2] - a[j + k + 2];
      double t3 = a[i + k + 3] - a[j + k + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    for (; k < length; k++) {
      double t = a[i + k] - a[j + k];
      s0 += t * t;
    }
    return (s0 + s1) + (s2 + s3);
  }
}
