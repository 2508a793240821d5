package io.plasticitymonitor.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Short tasks, as a user sees them: a fresh listener at its defaults attached to a
 * 784-2000-2000-2000-10 network, {@code startTask}, {@code n} training iterations at batch 128,
 * {@code endTask()}; the wall time of {@code endTask()} in training iterations of the same network
 * without a listener, timed just before each round (wall, since that is what the user waits). The
 * task's first periodic analysis starts as soon as the probe sample is full (two iterations): there
 * is no cost estimate yet, so after few iterations it is still running when the task ends.
 */
final class ShortTaskBench {
  private static final int UNIT_ITERATIONS = 4;

  /** One {@code endTask()}: iterations before it, its wall time, the iteration unit, what ran. */
  record Round(
      int iterations, long endTaskNanos, long iterationNanos, long analyses, double cancelled) {
    double inIterations() {
      return (double) endTaskNanos / iterationNanos;
    }
  }

  record Result(Map<Integer, List<Round>> rounds, String data) {}

  private final int[] lengths;
  private final int cycles;
  private final Path outputDirectory;

  ShortTaskBench(int[] lengths, int cycles, Path outputDirectory) {
    this.lengths = lengths;
    this.cycles = cycles;
    this.outputDirectory = outputDirectory;
  }

  Result run() {
    Workloads.Data data = Workloads.mnistOrSynthetic(20, 3);
    MultiLayerNetwork net = Workloads.mlp(5, DataType.FLOAT, EndOfTaskBench.HIDDEN);
    Map<Integer, List<Round>> rounds = new LinkedHashMap<>();
    for (int n : lengths) {
      rounds.put(n, new ArrayList<>());
    }
    round(net, data, lengths[0], -1); // warm-up: JIT, ND4J's first ops, the listener's classes
    int index = 0;
    for (int c = 0; c < cycles; c++) {
      for (int k = 0; k < lengths.length; k++) { // 5 50 500, then 500 50 5
        int n = c % 2 == 0 ? lengths[k] : lengths[lengths.length - 1 - k];
        Round r = round(net, data, n, index++);
        rounds.get(n).add(r);
        Bench.log(
            "short-task: %4d iterations: endTask %.3f s wall = %.1f iterations of %.3f s; "
                + "%d analyses timed, %.0f cancelled",
            n,
            r.endTaskNanos() / 1e9,
            r.inIterations(),
            r.iterationNanos() / 1e9,
            r.analyses(),
            r.cancelled());
      }
    }
    net.close();
    return new Result(rounds, data.source());
  }

  private Round round(MultiLayerNetwork net, Workloads.Data data, int n, int index) {
    net.setListeners(new ArrayList<>());
    long unitStart = System.nanoTime();
    for (int i = 0; i < UNIT_ITERATIONS; i++) {
      net.fit(data.batches().get(i % data.batches().size()));
    }
    long unit = (System.nanoTime() - unitStart) / UNIT_ITERATIONS;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PlasticityListener listener =
        PlasticityMonitors.listener(
            PlasticityConfig.builder()
                .runId(index < 0 ? "bench-short-task-warm-up" : "bench-short-task-" + index)
                .outputDirectory(outputDirectory)
                .build(),
            registry)) {
      net.setListeners(listener);
      listener.startTask("task");
      for (int i = 0; i < n; i++) {
        net.fit(data.batches().get(i % data.batches().size()));
      }
      long start = System.nanoTime();
      listener.endTask();
      long end = System.nanoTime() - start;
      Timer timer = registry.find("plasticity.analysis").timer();
      Counter cancelled = registry.find("plasticity.analysis.cancelled").counter();
      return new Round(
          n,
          end,
          unit,
          timer == null ? 0 : timer.count(),
          cancelled == null ? Double.NaN : cancelled.count());
    } finally {
      net.setListeners(new ArrayList<>());
    }
  }
}
