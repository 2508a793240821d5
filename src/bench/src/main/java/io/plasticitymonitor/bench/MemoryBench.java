package io.plasticitymonitor.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitors;
import io.plasticitymonitor.analysis.LayerAnalyzer;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.internal.network.NetworkReader;
import io.plasticitymonitor.internal.network.NetworkSnapshot;
import io.plasticitymonitor.internal.network.NetworkStructure;
import io.plasticitymonitor.internal.network.SnapshotConverter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * (e): what the monitor holds. (1) One snapshot — detached copies of every measured layer's
 * parameters plus the probe activations — measured by adding up the buffers of the arrays it holds,
 * against that count by construction; and the heap held while the analysis has one layer's
 * double-precision data in flight. (2) Heap and off-heap bytes after each task of a continual run
 * with the listener: nothing may grow with iterations or tasks.
 */
final class MemoryBench {

  /**
   * @param layerInFlightBytes the most heap, after GC, held while one layer's double-precision data
   *     is in flight during an analysis, above what was held before it started
   * @param wholeNetworkDoubleBytes what converting the whole network to double at once would hold:
   *     parameters, outgoing copies and activations, 8 bytes each
   */
  record Snapshot(
      String network,
      long parameterBytes,
      long activationBytes,
      long measuredBytes,
      long layerInFlightBytes,
      long wholeNetworkDoubleBytes) {}

  record TaskSample(int task, long iterations, long heapBytes, long offHeapBytes) {}

  record Result(List<Snapshot> snapshots, List<TaskSample> tasks, int iterationsPerTask) {}

  private final int tasks;
  private final int iterationsPerTask;
  private final Path outputDirectory;

  MemoryBench(int tasks, int iterationsPerTask, Path outputDirectory) {
    this.tasks = tasks;
    this.iterationsPerTask = iterationsPerTask;
    this.outputDirectory = outputDirectory;
  }

  Result run() throws Exception {
    Workloads.Data data = Workloads.mnistOrSynthetic(50, 13);
    INDArray probe = Workloads.probe(data);
    List<Snapshot> snapshots = new ArrayList<>();
    snapshots.add(snapshot("784-512-512-10", Workloads.mlp(1, DataType.FLOAT, 512, 512), probe));
    snapshots.add(
        snapshot(
            "784-2000-2000-2000-10",
            Workloads.mlp(1, DataType.FLOAT, EndOfTaskBench.HIDDEN),
            probe));

    List<TaskSample> samples = new ArrayList<>();
    MultiLayerNetwork net = Workloads.mlp(2, DataType.FLOAT, 512, 512);
    long iterations = 0;
    try (PlasticityListener listener =
        PlasticityMonitors.listener(
            PlasticityConfig.builder()
                .runId("bench-memory")
                .outputDirectory(outputDirectory)
                .build(),
            new SimpleMeterRegistry())) {
      net.setListeners(listener);
      for (int t = 1; t <= tasks; t++) {
        listener.startTask("task-" + t);
        for (int i = 0; i < iterationsPerTask; i++) {
          net.fit(data.batches().get(i % data.batches().size()));
        }
        iterations += iterationsPerTask;
        listener.endTask();
        settle();
        TaskSample s = new TaskSample(t, iterations, heapUsed(), offHeap());
        Bench.log(
            "memory: after task %d (%d iterations): heap %.1f MB, process RSS %.1f MB",
            t, iterations, s.heapBytes() / 1e6, s.offHeapBytes() / 1e6);
        samples.add(s);
      }
    }
    return new Result(snapshots, samples, iterationsPerTask);
  }

  private static Snapshot snapshot(String name, MultiLayerNetwork net, INDArray probe)
      throws Exception {
    NetworkStructure structure = NetworkStructure.of(net);
    long hiddenUnits = 0;
    for (int i = 0; i < net.getnLayers() - 1; i++) {
      hiddenUnits += net.getLayer(i).getParam("b").length();
    }
    long params = net.params().length() * 4;
    long activations = probe.size(0) * hiddenUnits * 4;
    NetworkSnapshot held = NetworkReader.snapshot(net, structure, new INDArray[] {probe});
    long measured = bytesHeld(held);
    Bench.log(
        "memory: snapshot of %s: %.2f MB held (parameters %.2f MB + probe activations %.2f MB)",
        name, measured / 1e6, params / 1e6, activations / 1e6);
    // The analysis converts one layer at a time: measure the heap held with each layer in flight.
    settle();
    long before = heapUsed();
    long inFlight = 0;
    long whole = 0;
    for (LayerData layer : SnapshotConverter.layerData(held)) {
      settle();
      inFlight = Math.max(inFlight, heapUsed() - before);
      whole +=
          8L
              * (layer.weights().length
                  + (layer.bias() == null ? 0 : layer.bias().length)
                  + (layer.outgoing() == null ? 0 : layer.outgoing().length)
                  + (layer.activations() == null ? 0 : layer.activations().length));
      LayerAnalyzer.analyze(layer, Thresholds.DEFAULTS);
    }
    Bench.log(
        "memory: analysis of %s: at most %.2f MB of heap with a layer in flight (the whole "
            + "network in double precision: %.2f MB)",
        name, inFlight / 1e6, whole / 1e6);
    if (held.structure() == null) {
      throw new AssertionError(); // keeps the snapshot reachable until here
    }
    net.close();
    return new Snapshot(name, params, activations, measured, inFlight, whole);
  }

  /**
   * The bytes of every array a snapshot holds: its weight, bias and activation maps, read by
   * reflection (the snapshot keeps them package-private). ND4J's CPU buffers are allocated by
   * libnd4j, outside what javacpp's counters see, so counting the arrays is the exact measure.
   */
  @SuppressWarnings("unchecked")
  private static long bytesHeld(NetworkSnapshot snapshot) throws ReflectiveOperationException {
    long bytes = 0;
    for (String field : new String[] {"weights", "biases", "activations"}) {
      java.lang.reflect.Field f = NetworkSnapshot.class.getDeclaredField(field);
      f.setAccessible(true);
      for (INDArray a : ((java.util.Map<String, INDArray>) f.get(snapshot)).values()) {
        bytes += a.data().length() * a.data().getElementSize();
      }
    }
    return bytes;
  }

  private static void settle() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100); // ND4J frees off-heap buffers from a reference queue after a GC
    }
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Resident set size of the process: ND4J's native buffers are in it, whoever allocated them. */
  private static long offHeap() {
    return org.bytedeco.javacpp.Pointer.physicalBytes();
  }
}
