package io.plasticitymonitor.analysis;

/**
 * The fresh-network gap (docs/metrics.md item 10): a continually trained network's result on a task
 * against a freshly initialised network of the same configuration trained on the same task data for
 * the same number of iterations. Both signs are chosen so that <b>positive means the continually
 * trained network is worse</b> than the fresh one (it lost plasticity), 0 that it is as good,
 * negative that it is better. NaN stands for a missing value, in and out.
 */
public final class FreshNetworkGap {
  private FreshNetworkGap() {}

  /**
   * {@code baseline − achieved}: accuracy, higher is better.
   *
   * @return NaN when either is NaN
   */
  public static double ofAccuracy(double baselineAccuracy, double achievedAccuracy) {
    return baselineAccuracy - achievedAccuracy; // NaN propagates
  }

  /**
   * {@code achieved − baseline}: score (loss), lower is better.
   *
   * @return NaN when either is NaN
   */
  public static double ofScore(double baselineScore, double achievedScore) {
    return achievedScore - baselineScore;
  }
}
