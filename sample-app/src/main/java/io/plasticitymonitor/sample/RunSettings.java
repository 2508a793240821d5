package io.plasticitymonitor.sample;

import io.plasticitymonitor.remedy.RemedySettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The validated options of one training run (see {@link SampleApp} for their meaning). */
record RunSettings(
    Scenario scenario,
    int tasks,
    int examplesPerTask,
    int evalExamples,
    int epochs,
    int depth,
    int width,
    Scenario.Optimizer optimizer,
    double learningRate,
    int batchSize,
    double weightDecay,
    long seed,
    String runId,
    Path output,
    boolean overwrite,
    int port,
    String bind,
    int linger,
    URI pushgateway,
    int probeSize,
    int stepEvery,
    Path dataDir,
    Path fashionDir,
    boolean saveModel,
    Optional<RemedySettings> remedy,
    int baselineEvery) {

  Path runDirectory() {
    return output.resolve(runId);
  }

  /** The monitored network (and every baseline: the same spec, another seed). */
  Networks.Spec network(int inputs) {
    boolean regression = scenario.headline() == Scenario.Headline.ONLINE_ERROR;
    return new Networks.Spec(
        inputs,
        depth,
        width,
        regression ? 1 : ImageSet.CLASSES,
        regression,
        optimizer,
        learningRate,
        weightDecay);
  }

  /** Whether task {@code k} (1-based) gets a fresh baseline network. */
  boolean baselineFor(int k) {
    return baselineEvery > 0 && (k - 1) % baselineEvery == 0;
  }

  /** The network as people write it, e.g. {@code 784-128-128-10 ReLU MLP}. */
  String architecture(int inputs) {
    return network(inputs).describe();
  }

  /** The settings shown on the report page, in order. */
  Map<String, String> describe(int inputs) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("scenario", scenario.cliName());
    m.put("tasks", Integer.toString(tasks));
    m.put(
        "training examples per task",
        examplesPerTask + " (" + epochs + (epochs == 1 ? " epoch)" : " epochs)"));
    m.put("held-out examples per task", Integer.toString(evalExamples));
    m.put(
        "network",
        architecture(inputs)
            + (scenario.images()
                ? ", He (ReLU) init"
                : ", Kaiming uniform init (Dohare et al.'s learner)"));
    m.put(
        "optimiser",
        optimizer.cliName()
            + ", learning rate "
            + SampleApp.plain(learningRate)
            + ", batch "
            + batchSize);
    m.put(
        "weight decay",
        weightDecay > 0
            ? SampleApp.plain(weightDecay)
                + " (decoupled: DL4J weightDecay(wd, true), weights only)"
            : "none");
    m.put("remedy", remedy.map(Object::toString).orElse("none"));
    m.put(
        "fresh baseline",
        baselineEvery == 0
            ? "none"
            : baselineEvery == 1 ? "every task" : "every " + baselineEvery + " tasks");
    m.put("seed", Long.toString(seed));
    m.put("probe examples", Integer.toString(probeSize));
    m.put(
        "step plasticity",
        stepEvery == 0
            ? "off"
            : stepEvery == 1 ? "every iteration" : "every " + stepEvery + " iterations");
    return m;
  }
}
