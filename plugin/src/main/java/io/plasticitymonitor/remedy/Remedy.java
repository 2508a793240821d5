package io.plasticitymonitor.remedy;

import java.util.Map;

/**
 * One remedy bound to one network. Every method runs on the thread that trains that network; the
 * counts returned are what {@code plasticity.remedy.applied} adds (units re-initialised, or
 * parameter arrays changed, as each remedy documents).
 */
interface Remedy {
  /**
   * Whether {@link #forwardPass} should get the per-unit activations of iteration {@code
   * iteration}.
   */
  default boolean wantsActivations(int iteration) {
    return false;
  }

  /**
   * The training batch's per-unit mean |activation| of each replaceable hidden layer, from the
   * forward pass of {@code iteration}; called before that iteration's update.
   */
  default void forwardPass(int iteration, Map<String, double[]> meanAbsActivations) {}

  /**
   * After DL4J's update of {@code iteration}, before the next forward pass. Returns the count
   * applied.
   */
  default long afterIteration(int iteration, int epoch) {
    return 0;
  }

  /**
   * At {@code startTask} of the task with this index (1 for the first). Returns the count applied.
   */
  default long taskStarted(int taskIndex) {
    return 0;
  }
}
