package io.plasticitymonitor.remedy;

import java.util.Map;

/**
 * A remedy that acts after an iteration on that iteration's batch activity. DL4J hands the
 * activations over during the forward pass, before the update; acting then would be undone or
 * skewed by the update, so the activity is kept until {@link #afterIteration} of the same
 * iteration.
 */
abstract class BatchActivityRemedy implements Remedy {
  private Map<String, double[]> pending;
  private int pendingIteration = -1;

  @Override
  public final void forwardPass(int iteration, Map<String, double[]> meanAbsActivations) {
    pending = meanAbsActivations;
    pendingIteration = iteration;
  }

  @Override
  public final long afterIteration(int iteration, int epoch) {
    if (pending == null || pendingIteration != iteration) {
      return 0;
    }
    Map<String, double[]> activity = pending;
    pending = null;
    return act(activity);
  }

  /**
   * Acts on the per-unit mean |activation| of the iteration just updated, by replaceable layer.
   * Returns the count applied.
   */
  abstract long act(Map<String, double[]> activity);
}
