package io.plasticitymonitor;

import io.plasticitymonitor.analysis.RollingMean;

/**
 * One task's step-plasticity samples (docs/metrics.md item 9): their mean and count for the task's
 * record, and the mean of the latest {@link #WINDOW} for the gauge. Closed when the task ends, so a
 * sample finished after that is dropped instead of landing in the next task. Thread-safe.
 */
final class StepStatistics {
  /** Measured iterations the gauge averages. */
  static final int WINDOW = 10;

  private final RollingMean latest = new RollingMean(WINDOW);
  private double sum;
  private long count;
  private boolean closed;

  /**
   * Adds a sample unless the task has ended or it is NaN (an iteration without a sample).
   *
   * @return whether it was added
   */
  synchronized boolean add(double value) {
    if (closed || Double.isNaN(value)) {
      return false;
    }
    latest.add(value);
    sum += value;
    count++;
    return true;
  }

  /** Mean of the latest {@link #WINDOW} samples; NaN before the first. */
  synchronized double rolling() {
    return latest.mean();
  }

  /** Mean of all the task's samples; NaN without one. */
  synchronized double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  synchronized long count() {
    return count;
  }

  /** The task ended: later samples are dropped. */
  synchronized void close() {
    closed = true;
  }
}
