package io.plasticitymonitor;

import java.util.concurrent.atomic.LongAdder;

/**
 * When a periodic analysis is due: spaced so that the monitor's time per cycle — iteration
 * callbacks on the training thread plus the last analysis (snapshot and computation) — stays within
 * {@code budget} of the cycle, assuming the next analysis costs what the last did. The first is due
 * as soon as the probe is ready, since there is no estimate yet.
 */
final class AnalysisSchedule {
  /** A nanosecond time source: {@code System::nanoTime}, or a test's own. */
  interface Clock {
    long nanoTime();
  }

  private final double budget;
  private final Clock clock;

  /** Time spent in iteration callbacks; snapshots excluded, they count in the analysis's cost. */
  private final LongAdder callbackNanos = new LongAdder();

  private volatile long callbackNanosAtLastEnd;
  private volatile long lastCostNanos;
  private volatile long lastEndNanos;

  /**
   * @param budget fraction of training time the monitor may use, in (0, 1]
   * @param clock nanosecond time source ({@code System::nanoTime} outside tests)
   */
  AnalysisSchedule(double budget, Clock clock) {
    this.budget = budget;
    this.clock = clock;
    this.lastEndNanos = clock.nanoTime();
  }

  long now() {
    return clock.nanoTime();
  }

  /** Whether an analysis is due now, given whether the probe sample is complete. */
  boolean due(boolean probeReady) {
    if (!probeReady) {
      return false;
    }
    long cost = lastCostNanos;
    if (cost == 0) {
      return true;
    }
    long callbacks = Math.max(0, callbackNanos.sum() - callbackNanosAtLastEnd);
    return now() - lastEndNanos >= (cost + callbacks) / budget;
  }

  /** Adds time spent in a callback (negative to take a snapshot's time back out). */
  void callbackTime(long nanos) {
    callbackNanos.add(nanos);
  }

  /** Starts a new cycle now without changing the cost estimate: at a task's start, or a skip. */
  void restart() {
    lastEndNanos = now();
    callbackNanosAtLastEnd = callbackNanos.sum();
  }

  /**
   * An analysis — periodic, or a task's end, which costs what a periodic one would — finished after
   * costing {@code costNanos} in all; a new cycle starts.
   */
  void finished(long costNanos) {
    lastCostNanos = Math.max(1, costNanos);
    restart();
  }
}
