package io.plasticitymonitor;

/**
 * Which iterations the step-plasticity measure runs on (docs/metrics.md item 9): every {@code n}-th
 * iteration of the network's count, none, or — the default — as many as fit in a share of the
 * training time, by a token bucket: credit accrues at {@code share} nanoseconds per nanosecond of
 * wall time, a measurement is due while the credit is not negative, and its cost is then charged.
 * So over any long stretch the measure's time stays within {@code share} of the wall time; the
 * credit never rises above 0, so a pause (between tasks, in a slow data loader) buys one
 * measurement right after it, not a burst. Thread-safe: ParallelWrapper's workers share one.
 */
final class StepSampling {
  private final int every;
  private final double share;
  private long lastNanos;
  private boolean started;
  private double credit;

  private StepSampling(int every, double share) {
    this.every = every;
    this.share = share;
  }

  /** Measured while the time it takes stays within {@code share} of wall time, in (0, 1]. */
  static StepSampling budget(double share) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException(
          "step plasticity share of training time must be in (0, 1] (got: " + share + ")");
    }
    return new StepSampling(-1, share);
  }

  /** Every {@code n}-th iteration ({@code iteration % n == 0}); {@code n = 0}: never. */
  static StepSampling every(int n) {
    if (n < 0) {
      throw new IllegalArgumentException(
          "PlasticityConfig.stepPlasticityEvery must be at least 0 "
              + "(0 turns the step measure off) (got: "
              + n
              + ")");
    }
    return new StepSampling(n, 0);
  }

  /** Whether the measure is on at all. */
  boolean enabled() {
    return every != 0;
  }

  /**
   * Whether the iteration the network is at should be measured.
   *
   * @param iteration the network's own iteration count
   * @param nowNanos {@link System#nanoTime()}
   */
  synchronized boolean due(long iteration, long nowNanos) {
    if (every >= 0) {
      return every > 0 && iteration % every == 0;
    }
    if (!started) {
      started = true;
      lastNanos = nowNanos;
      return true; // the first: credit 0, and the cost is not known yet
    }
    credit = Math.min(credit + share * Math.max(0, nowNanos - lastNanos), 0);
    lastNanos = nowNanos;
    return credit >= 0;
  }

  /** Charges a measurement's cost (training-thread time, nanoseconds). */
  synchronized void charge(long costNanos) {
    if (every < 0) {
      credit -= costNanos;
    }
  }

  @Override
  public String toString() {
    return every < 0 ? "budget(" + share + ")" : every == 0 ? "off" : "every(" + every + ")";
  }
}
