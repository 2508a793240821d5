package io.plasticitymonitor.sample;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The fresh-network baseline of a task: a newly initialised network of the monitored network's
 * configuration, trained on the same task data, in the same order, for the same iterations, and
 * measured the same way. It has no listeners (the monitor never sees it), no remedy, and nothing of
 * the monitored network is read or changed. Costs one more training of the task.
 */
final class Baseline {
  private Baseline() {}

  /**
   * The seed of task {@code task}'s baseline network, derived from the run seed and the task so
   * that every baseline of a run starts somewhere else and a rerun gives the same ones.
   */
  static long seedFor(long runSeed, int task) {
    return runSeed * 6_364_136_223_846_793_005L + 1_442_695_040_888_963_407L * task;
  }

  /** Trains and measures the baseline of {@code task}. */
  static TaskTraining.Outcome train(RunSettings s, Networks.Spec spec, TaskFactory.Task task) {
    return train(s, spec, task, seedFor(s.seed(), task.index()));
  }

  /** As {@link #train(RunSettings, Networks.Spec, TaskFactory.Task)}, from a given seed. */
  static TaskTraining.Outcome train(
      RunSettings s, Networks.Spec spec, TaskFactory.Task task, long seed) {
    MultiLayerNetwork fresh = Networks.build(spec, seed);
    return TaskTraining.fit(fresh, s, task);
  }
}
