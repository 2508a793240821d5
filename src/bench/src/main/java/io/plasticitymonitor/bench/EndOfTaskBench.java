package io.plasticitymonitor.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitors;
import io.plasticitymonitor.TaskData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * (c): one end-of-task analysis ({@code endTask()}: snapshot, analysis, publication, task log) of a
 * 784-2000-2000-2000-10 network, in training iterations of the same network at batch 128. Both by
 * process CPU time, A B B A, fastest of each.
 */
final class EndOfTaskBench {
  static final int[] HIDDEN = {2000, 2000, 2000};
  private static final int ITERATIONS_PER_ROUND = 6;

  record Result(List<Long> iterationNanos, List<Long> endTaskNanos, String data) {
    long iteration() {
      return iterationNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    long endTask() {
      return endTaskNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
    }
  }

  private final int cycles;
  private final Path outputDirectory;

  EndOfTaskBench(int cycles, Path outputDirectory) {
    this.cycles = cycles;
    this.outputDirectory = outputDirectory;
  }

  Result run() throws Exception {
    Workloads.Data data = Workloads.mnistOrSynthetic(20, 3);
    MultiLayerNetwork net = Workloads.mlp(5, DataType.FLOAT, HIDDEN);
    INDArray probe = Workloads.probe(data);
    List<Long> iterations = new ArrayList<>();
    List<Long> ends = new ArrayList<>();
    trainingRound(net, data); // warm-up
    endTaskRound(net, probe, -1);
    int round = 0;
    for (int c = 0; c < cycles; c++) {
      iterations.add(trainingRound(net, data));
      ends.add(endTaskRound(net, probe, round++));
      ends.add(endTaskRound(net, probe, round++));
      iterations.add(trainingRound(net, data));
      Bench.log(
          "end-of-task: cycle %d: iteration %.3f s, endTask %.3f / %.3f s CPU",
          c + 1,
          iterations.get(iterations.size() - 1) / 1e9,
          ends.get(ends.size() - 2) / 1e9,
          ends.get(ends.size() - 1) / 1e9);
    }
    return new Result(iterations, ends, data.source());
  }

  /** CPU time of one training iteration: the mean of a few, no listener attached. */
  private static long trainingRound(MultiLayerNetwork net, Workloads.Data data) {
    net.setListeners(new ArrayList<>());
    System.gc();
    long start = CpuClock.nanos();
    for (int i = 0; i < ITERATIONS_PER_ROUND; i++) {
      net.fit(data.batches().get(i % data.batches().size()));
    }
    return (CpuClock.nanos() - start) / ITERATIONS_PER_ROUND;
  }

  private long endTaskRound(MultiLayerNetwork net, INDArray probe, int round) {
    try (PlasticityListener listener =
        PlasticityMonitors.listener(
            PlasticityConfig.builder()
                .runId("bench-end-of-task-" + Math.max(0, round))
                .outputDirectory(outputDirectory)
                // Rounds reuse their run ids in one folder; the task log is not what is measured.
                .existingRun(PlasticityConfig.ExistingRun.OVERWRITE)
                .build(),
            new SimpleMeterRegistry())) {
      listener.watch(net);
      listener.startTask("task", TaskData.builder().probe(probe).build());
      System.gc();
      long start = CpuClock.nanos();
      listener.endTask();
      return CpuClock.nanos() - start;
    }
  }
}
