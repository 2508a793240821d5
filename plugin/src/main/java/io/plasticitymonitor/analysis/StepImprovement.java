package io.plasticitymonitor.analysis;

/**
 * Step plasticity (docs/metrics.md item 9; Elsayed &amp; Mahmood, ICLR 2024, "Addressing Loss of
 * Plasticity and Catastrophic Forgetting in Continual Learning", the per-step measure of UPGD's
 * {@code core/run/run_stats.py}): how much one training step lowered the data loss on the minibatch
 * it was computed from,
 *
 * <pre>p = clamp(1 − lossAfter / lossBefore, 0, 1)</pre>
 *
 * <p>1 means the step fit the batch exactly, 0 that it did not lower the loss (or raised it). Where
 * the ratio means nothing the result is NaN, "no sample": {@code lossBefore} not finite or not
 * {@code > 0} (a batch already fit exactly, or a loss that can be negative), or {@code lossAfter}
 * NaN. UPGD clamps {@code lossBefore} to at least 1e-8 instead, which scores an exactly fit batch 0
 * or 1 depending on rounding; a sample that says nothing is better left out of a mean. A {@code
 * lossAfter} of +∞ (the step diverged) gives 0, one below 0 (possible only for a loss that can be
 * negative) gives 1.
 */
public final class StepImprovement {
  private StepImprovement() {}

  /**
   * @param lossBefore the data loss of the batch at the parameters the step's gradient was taken at
   * @param lossAfter the data loss of the same batch, in the same mode, after the step
   * @return {@code clamp(1 − lossAfter/lossBefore, 0, 1)}, or NaN when that is not a sample
   */
  public static double of(double lossBefore, double lossAfter) {
    if (!(lossBefore > 0) || lossBefore == Double.POSITIVE_INFINITY || Double.isNaN(lossAfter)) {
      return Double.NaN;
    }
    double p = 1 - lossAfter / lossBefore;
    return Math.max(0, Math.min(1, p));
  }
}
