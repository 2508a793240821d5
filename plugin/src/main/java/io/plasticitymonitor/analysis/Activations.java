package io.plasticitymonitor.analysis;

/**
 * The activation measures (metric contract items 2 and 5, {@code of="activations"}) of a matrix of
 * unit outputs {@code h = [rows, units]}, row-major; rows are probe examples, or examples and time
 * steps for a recurrent layer.
 *
 * <ul>
 *   <li><b>Dormant</b> (τ-dormant, Sokar, Agarwal, Castro &amp; Evci, "The Dormant Neuron
 *       Phenomenon in Deep Reinforcement Learning", ICML 2023): {@code s_i = mean_x|h_i(x)| /
 *       mean_k mean_x|h_k(x)| ≤ τ}; a layer whose mean is 0 has every unit dormant.
 *   <li><b>Rank</b>: {@link Ranks} of {@code h}, not centred.
 * </ul>
 */
final class Activations {
  private Activations() {}

  /**
   * @param h {@code [rows, units]}, row-major; not modified
   * @return the measures, or null when there is no row or a value is NaN or ±Inf
   */
  static ActivationMeasures measure(
      double[] h, int rows, int units, double machineEpsilon, Thresholds t) {
    if (h == null || rows == 0) {
      return null;
    }
    for (double v : h) {
      if (!Double.isFinite(v)) {
        return null;
      }
    }
    double[] meanAbs = new double[units];
    for (int x = 0; x < rows; x++) {
      for (int i = 0, k = x * units; i < units; i++, k++) {
        meanAbs[i] += Math.abs(h[k]);
      }
    }
    for (int i = 0; i < units; i++) {
      meanAbs[i] /= rows;
    }
    // The same rule ReDo recycles by (LayerAnalyzer.dormantUnits).
    int dormant = LayerAnalyzer.dormantUnits(meanAbs, t.dormantTau()).length;
    return new ActivationMeasures(
        dormant, Ranks.ofMatrix(h, rows, units, machineEpsilon, t.srankDelta()));
  }
}
