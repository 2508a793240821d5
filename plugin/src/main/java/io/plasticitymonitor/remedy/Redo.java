package io.plasticitymonitor.remedy;

import io.plasticitymonitor.analysis.LayerAnalyzer;
import io.plasticitymonitor.internal.network.UnitSurgery;
import java.util.Map;

/**
 * ReDo, recycling dormant neurons (Sokar, Agarwal, Castro &amp; Evci, ICML 2023, "The Dormant
 * Neuron Phenomenon in Deep Reinforcement Learning").
 *
 * <p>A hidden unit {@code i} is τ-dormant on a batch when
 *
 * <pre>s_i = mean_x|h_i(x)| / ( (1/H)·Σ_k mean_x|h_k(x)| ) ≤ τ</pre>
 *
 * (convolution channels averaged over positions too; every unit of a layer whose mean is 0). Every
 * {@code every} iterations — at network iteration counts {@code every, 2·every, …} — the
 * activations of that iteration's training batch decide, and after the iteration's update each
 * dormant unit gets new incoming weights and bias from its layer's initialiser, zero outgoing
 * weights (so the network's output does not jump), and fresh updater state for all of those
 * weights. Counted: units recycled.
 */
final class Redo extends BatchActivityRemedy {
  private final UnitSurgery surgery;
  private final int every;
  private final double tau;

  Redo(UnitSurgery surgery, int every, double tau) {
    this.surgery = surgery;
    this.every = every;
    this.tau = tau;
  }

  @Override
  public boolean wantsActivations(int iteration) {
    return iteration > 0 && iteration % every == 0;
  }

  @Override
  long act(Map<String, double[]> scores) {
    long recycled = 0;
    for (String layer : surgery.replaceableLayers()) {
      double[] m = scores.get(layer);
      if (m == null) {
        continue;
      }
      int[] dormant = LayerAnalyzer.dormantUnits(m, tau);
      surgery.replace(layer, dormant);
      recycled += dormant.length;
    }
    return recycled;
  }
}
