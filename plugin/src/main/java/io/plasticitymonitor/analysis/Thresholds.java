package io.plasticitymonitor.analysis;

/**
 * The thresholds of the metric contract.
 *
 * @param deadEpsilon {@code ε_dead}: dead by weights when the unit's norm product is at most this
 *     times the layer's mean product (contract default 1e-3)
 * @param dormantTau {@code τ}: dormant when the unit's mean |activation| is at most this times the
 *     layer's mean (default 0.025, Sokar et al. 2023)
 * @param mergeEpsilon {@code ε_merge}: merged when the relative distance of two units' parameters
 *     is at most this (default 0.05)
 * @param srankDelta {@code δ} of srank (default 0.01, Kumar et al. 2021)
 */
public record Thresholds(
    double deadEpsilon, double dormantTau, double mergeEpsilon, double srankDelta) {
  public static final Thresholds DEFAULTS = new Thresholds(1e-3, 0.025, 0.05, 0.01);

  public Thresholds {
    check("deadEpsilon", deadEpsilon);
    check("dormantTau", dormantTau);
    check("mergeEpsilon", mergeEpsilon);
    check("srankDelta", srankDelta);
  }

  private static void check(String name, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1) (got: " + v + ")");
    }
  }
}
