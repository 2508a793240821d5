package io.plasticitymonitor.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitors;
import io.plasticitymonitor.TaskData;
import io.plasticitymonitor.report.TaskSummary;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.model.ResNet50;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * (f): one end-of-task analysis of DL4J's zoo ResNet50 (random initialisation, 25.6 M parameters,
 * 53 convolutions with batch normalisation, residual adds), in training iterations of the same
 * network, and the memory it takes: heap after GC and the process's resident set (ND4J's buffers
 * are in it) before and after, and the resident set's peak while {@code endTask()} runs, sampled
 * every 20 ms. Process CPU time, fastest of the rounds.
 */
final class ResNet50Bench {
  record Result(
      int input,
      int batch,
      int probe,
      List<Long> iterationNanos,
      List<Long> endTaskNanos,
      long rssBefore,
      long rssPeak,
      long heapBefore,
      long heapPeakAfterGc,
      int layers,
      int withUnitMeasures) {
    long iteration() {
      return iterationNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    long endTask() {
      return endTaskNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
    }
  }

  private final int input;
  private final int batch;
  private final int probe;
  private final int cycles;
  private final Path outputDirectory;

  ResNet50Bench(int input, int batch, int probe, int cycles, Path outputDirectory) {
    this.input = input;
    this.batch = batch;
    this.probe = probe;
    this.cycles = cycles;
    this.outputDirectory = outputDirectory;
  }

  Result run() throws Exception {
    ComputationGraph net = network(input);
    DataSet data = data(batch, input);
    INDArray probeImages = probeImages(probe, input);
    List<Long> iterations = new ArrayList<>();
    List<Long> ends = new ArrayList<>();
    net.fit(data); // warm-up
    long rssBefore = Long.MAX_VALUE;
    long rssPeak = 0;
    long heapBefore = Long.MAX_VALUE;
    long heapPeak = 0;
    int layers = 0;
    int withUnits = 0;
    for (int c = 0; c < cycles; c++) {
      iterations.add(iteration(net, data));
      settle();
      heapBefore = Math.min(heapBefore, heapUsed());
      rssBefore = Math.min(rssBefore, org.bytedeco.javacpp.Pointer.physicalBytes());
      TaskSummary summary;
      long start;
      long end;
      long peak;
      try (RssSampler rss = new RssSampler();
          PlasticityListener listener =
              PlasticityMonitors.listener(
                  PlasticityConfig.builder()
                      .runId("bench-resnet50-" + c)
                      .outputDirectory(outputDirectory)
                      .probeSize(probe)
                      .build(),
                  new SimpleMeterRegistry())) {
        listener.watch(net);
        listener.startTask("task", TaskData.builder().probe(probeImages).build());
        System.gc();
        start = CpuClock.nanos();
        summary = listener.endTask();
        end = CpuClock.nanos();
        peak = rss.peak();
        settle();
        heapPeak = Math.max(heapPeak, heapUsed());
      }
      ends.add(end - start);
      rssPeak = Math.max(rssPeak, peak);
      layers = summary.layers().size();
      withUnits =
          (int) summary.layers().stream().filter(l -> l.measures().unitMeasures() != null).count();
      iterations.add(iteration(net, data));
      Bench.log(
          "resnet50: cycle %d: iteration %.2f s, endTask %.2f s CPU, RSS peak %.0f MB, "
              + "%d layers measured, %d with unit measures",
          c + 1,
          iterations.get(iterations.size() - 1) / 1e9,
          ends.get(ends.size() - 1) / 1e9,
          rssPeak / 1e6,
          layers,
          withUnits);
    }
    return new Result(
        input,
        batch,
        probe,
        iterations,
        ends,
        rssBefore,
        rssPeak,
        heapBefore,
        heapPeak,
        layers,
        withUnits);
  }

  private static long iteration(ComputationGraph net, DataSet data) {
    net.setListeners(new ArrayList<>());
    System.gc();
    long start = CpuClock.nanos();
    net.fit(data);
    return CpuClock.nanos() - start;
  }

  /** The zoo ResNet50, 10 classes, seed 1: every caller gets the same initial network. */
  static ComputationGraph network(int input) {
    return (ComputationGraph)
        ResNet50.builder()
            .numClasses(10)
            .inputShape(new int[] {3, input, input})
            .seed(1)
            .build()
            .init();
  }

  /** One training minibatch of uniform noise images with random labels, the same every call. */
  static DataSet data(int batch, int input) {
    return new DataSet(images(batch, input, 1), oneHot(batch, 10, 2));
  }

  /** The probe images, drawn apart from the training minibatch. */
  static INDArray probeImages(int probe, int input) {
    return images(probe, input, 3);
  }

  private static INDArray images(int n, int input, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n * 3 * input * input];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat();
    }
    return Nd4j.create(v, new long[] {n, 3, input, input}, DataType.FLOAT);
  }

  private static INDArray oneHot(int n, int classes, long seed) {
    Random r = new Random(seed);
    INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
    for (int i = 0; i < n; i++) {
      y.putScalar(i, r.nextInt(classes), 1f);
    }
    return y;
  }

  static void settle() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100); // ND4J frees off-heap buffers from a reference queue after a GC
    }
  }

  static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
