package io.plasticitymonitor.analysis;

/**
 * The mean of the last {@code window} values added (fewer while fewer have been added): the rolling
 * gauge of step plasticity (docs/metrics.md item 9). Sums are recomputed from the kept values on
 * every {@link #mean()} call rather than kept as a running total, so no rounding error builds up
 * over a long run. Not thread-safe: callers synchronize.
 */
public final class RollingMean {
  private final double[] values;
  private int next;
  private int size;

  /**
   * @param window how many of the latest values the mean covers, at least 1
   * @throws IllegalArgumentException if {@code window < 1}
   */
  public RollingMean(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("rolling window must be at least 1 (got: " + window + ")");
    }
    this.values = new double[window];
  }

  /**
   * Adds a value, dropping the oldest when the window is full.
   *
   * @throws IllegalArgumentException if {@code value} is NaN (a mean of kept values must be one)
   */
  public void add(double value) {
    if (Double.isNaN(value)) {
      throw new IllegalArgumentException("rolling mean of NaN");
    }
    values[next] = value;
    next = (next + 1) % values.length;
    size = Math.min(size + 1, values.length);
  }

  /** The mean of the kept values; NaN when none has been added since the last {@link #clear()}. */
  public double mean() {
    if (size == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += values[i];
    }
    return sum / size;
  }

  /** How many values the mean covers now: {@code min(added, window)}. */
  public int size() {
    return size;
  }

  /** Forgets every value. */
  public void clear() {
    next = 0;
    size = 0;
  }
}
