package io.plasticitymonitor.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * (a) and (b): process CPU time of training a 784-512-512-10 MLP at batch 128 with each listener,
 * against none. Sides run in A B B A order, every round on a fresh network with the same seed and
 * data; the fastest round of each side counts.
 */
final class OverheadBench {

  enum Side {
    NONE("no listener"),
    NO_OP("no-op TrainingListener (control)"),
    PLASTICITY("PlasticityListener, defaults"),
    PLASTICITY_NO_STEP("PlasticityListener, step measure off"),
    STATS("DL4J StatsListener + InMemoryStatsStorage, defaults");

    final String label;

    Side(String label) {
      this.label = label;
    }
  }

  record Result(
      Map<Side, List<Long>> cpuNanos,
      int iterations,
      String data,
      List<Long> analyses,
      List<Double> analysisThreadShare) {
    long best(Side s) {
      return cpuNanos.get(s).stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    double ratio(Side s) {
      return (double) best(s) / best(Side.NONE);
    }

    double median(Side s) {
      long[] v = cpuNanos.get(s).stream().mapToLong(Long::longValue).sorted().toArray();
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    double medianRatio(Side s) {
      return median(s) / median(Side.NONE);
    }
  }

  private static final int LEAD_IN = 10;
  private static final int WARM_UP_ITERATIONS = 500;

  private final int iterations;
  private final int cycles;
  private long lastAnalyses;
  private long lastAnalysisThreadNanos;
  private final Path outputDirectory;

  OverheadBench(int iterations, int cycles, Path outputDirectory) {
    this.iterations = iterations;
    this.cycles = cycles;
    this.outputDirectory = outputDirectory;
  }

  Result run() throws Exception {
    Workloads.Data data = Workloads.mnistOrSynthetic(200, 1);
    Map<Side, List<Long>> times = new EnumMap<>(Side.class);
    List<Long> analyses = new ArrayList<>();
    List<Double> share = new ArrayList<>();
    for (Side s : Side.values()) {
      times.put(s, new ArrayList<>());
    }
    // Warm-up, not counted: JIT, ND4J's first ops, the listeners' classes. DL4J's training loop
    // keeps getting faster for a thousand iterations or so (the JIT), which interleaving alone
    // would
    // not cancel: the first side would pay for it.
    for (Side s : Side.values()) {
      round(s, data, WARM_UP_ITERATIONS, -1);
    }
    Side[] order = Side.values();
    int round = 0;
    for (int c = 0; c < cycles; c++) {
      for (int k = 0; k < 2 * order.length; k++) { // A B C D D C B A
        Side s = k < order.length ? order[k] : order[2 * order.length - 1 - k];
        long t = round(s, data, iterations, round++);
        times.get(s).add(t);
        if (s == Side.PLASTICITY || s == Side.PLASTICITY_NO_STEP) {
          analyses.add(lastAnalyses);
          share.add((double) lastAnalysisThreadNanos / t);
        }
        Bench.log(
            "overhead: %-55s round %2d: %.3f s CPU%s",
            s.label,
            round,
            t / 1e9,
            s == Side.PLASTICITY || s == Side.PLASTICITY_NO_STEP
                ? String.format(
                    java.util.Locale.ROOT,
                    " (%d periodic analyses, analysis thread %.2f%% of the round)",
                    lastAnalyses,
                    100.0 * lastAnalysisThreadNanos / t)
                : "");
      }
    }
    return new Result(times, iterations, data.source(), analyses, share);
  }

  /** Analyses published so far (the {@code plasticity.analysis} timer counts them). */
  private static long analyses(SimpleMeterRegistry registry) {
    var timer = registry.find("plasticity.analysis").timer();
    return timer == null ? 0 : timer.count();
  }

  private long round(Side side, Workloads.Data data, int iters, int round) throws Exception {
    MultiLayerNetwork net = Workloads.mlp(42, DataType.FLOAT, 512, 512);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityListener plasticity = null;
    InMemoryStatsStorage storage = null;
    switch (side) {
      case NONE -> {}
      case NO_OP -> net.setListeners(new BaseTrainingListener() {});
      case PLASTICITY, PLASTICITY_NO_STEP -> {
        PlasticityConfig.Builder config =
            PlasticityConfig.builder()
                .runId("bench-overhead-" + Math.max(0, round))
                .outputDirectory(outputDirectory)
                // Rounds reuse their run ids in one folder; the task log is not what is measured.
                .existingRun(PlasticityConfig.ExistingRun.OVERWRITE);
        if (side == Side.PLASTICITY_NO_STEP) {
          config.stepPlasticityEvery(0);
        }
        plasticity = PlasticityMonitors.listener(config.build(), registry);
        net.setListeners(plasticity);
        plasticity.startTask("task-1");
      }
      case STATS -> {
        storage = new InMemoryStatsStorage();
        net.setListeners(new StatsListener(storage));
      }
    }
    // Untimed lead-in, the same for every side: the probe fills in two iterations, and the task's
    // first analysis runs at once (it has no cost estimate yet); the window below then sees the
    // steady cadence that analysisBudget sets. That first analysis and endTask() are per-task
    // costs,
    // measured in (c).
    int lead = 0;
    for (;
        lead < LEAD_IN || (plasticity != null && analyses(registry) == 0 && lead < 500);
        lead++) {
      net.fit(data.batches().get(lead % data.batches().size()));
    }
    if (plasticity != null) {
      CpuClock.awaitIdle("plasticity-analysis-");
    }
    long before = analyses(registry);
    System.gc();
    long analysisThreadBefore = CpuClock.threadNanos("plasticity-analysis-");
    long start = CpuClock.nanos();
    for (int i = 0; i < iters; i++) {
      net.fit(data.batches().get((lead + i) % data.batches().size()));
    }
    if (plasticity != null) {
      CpuClock.awaitIdle("plasticity-analysis-"); // an analysis in flight is this round's cost
    }
    long cpu = CpuClock.nanos() - start;
    lastAnalyses = analyses(registry) - before;
    lastAnalysisThreadNanos = CpuClock.threadNanos("plasticity-analysis-") - analysisThreadBefore;
    if (plasticity != null) {
      plasticity.close(); // ends the task (its end-of-task analysis is not timed here: see (c))
    }
    if (storage != null) {
      storage.close();
    }
    net.close();
    return cpu;
  }
}
