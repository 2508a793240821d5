package io.plasticitymonitor.bench;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitors;
import io.plasticitymonitor.TaskData;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.memory.AllocationsTracker;
import org.nd4j.linalg.api.memory.enums.AllocationKind;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * (f), continual part: the memory of DL4J's zoo ResNet50 over a run of tasks, training only and
 * then with the listener at its defaults, each phase on a fresh network of the same seed. After
 * each task, after GC: heap used, the off-heap bytes javacpp counts ({@code Pointer.totalBytes()}),
 * the bytes of ND4J's workspaces and the resident set; and the resident set's peak within the task,
 * sampled every 20 ms. On the CPU backend libnd4j allocates the arrays' buffers itself, outside
 * javacpp's counter, which then sees next to nothing; the workspaces (DL4J's per-layer working
 * memory) are counted by ND4J, and everything is in the resident set. Writes {@code
 * resnet50-memory.csv} and {@code resnet50-memory.png} to the output directory.
 *
 * <p>Both phases run in one JVM, training only first: memory the allocator keeps after the first
 * phase is there for the second to reuse, so the difference of their peaks is what the listener
 * needs on top of training, not the allocator's retention.
 */
final class ResNet50MemoryBench {
  static final String CSV = "resnet50-memory.csv";
  static final String PNG = "resnet50-memory.png";

  enum Phase {
    TRAINING("training-only", "training only"),
    LISTENER("listener", "with the listener");

    final String id;
    final String label;

    Phase(String id, String label) {
      this.id = id;
      this.label = label;
    }
  }

  /**
   * One task's memory.
   *
   * @param workspaceBytes ND4J's workspaces, as its allocation tracker counts them
   * @param analyses analyses the {@code plasticity.analysis} timer counted during the task, the
   *     end-of-task one included; -1 without the listener
   */
  record Sample(
      Phase phase,
      int task,
      long heapBytes,
      long offHeapBytes,
      long workspaceBytes,
      long rssBytes,
      long rssPeakBytes,
      long analyses) {}

  record Result(
      int input,
      int batch,
      int probe,
      int iterationsPerTask,
      long parameters,
      List<Sample> trainingOnly,
      List<Sample> withListener,
      Path csv,
      Path png) {

    /** One copy of the parameters in float32, the snapshot's unit. */
    long parameterBytes() {
      return parameters * 4;
    }

    static long peak(List<Sample> samples) {
      return samples.stream().mapToLong(Sample::rssPeakBytes).max().orElse(0);
    }

    /**
     * Least-squares slope in bytes per task over tasks 2..N (the first task also holds what the
     * first iterations allocate once); NaN with fewer than two such tasks.
     */
    static double slope(List<Sample> samples, ToLongFunction<Sample> bytes) {
      List<Sample> after = samples.stream().filter(s -> s.task() >= 2).toList();
      int n = after.size();
      if (n < 2) {
        return Double.NaN;
      }
      double mx = after.stream().mapToDouble(Sample::task).average().orElseThrow();
      double my = after.stream().mapToDouble(s -> bytes.applyAsLong(s)).average().orElseThrow();
      double sxy = 0;
      double sxx = 0;
      for (Sample s : after) {
        sxy += (s.task() - mx) * (bytes.applyAsLong(s) - my);
        sxx += (s.task() - mx) * (s.task() - mx);
      }
      return sxy / sxx;
    }
  }

  private final int input;
  private final Integer stepEvery;
  private final int batch;
  private final int probe;
  private final int tasks;
  private final int iterationsPerTask;
  private final Path outputDirectory;

  /**
   * @param stepEvery the listener's {@code stepPlasticityEvery}, or null for its default
   */
  ResNet50MemoryBench(
      int input,
      int batch,
      int probe,
      int tasks,
      int iterationsPerTask,
      Integer stepEvery,
      Path outputDirectory) {
    this.stepEvery = stepEvery;
    this.input = input;
    this.batch = batch;
    this.probe = probe;
    this.tasks = tasks;
    this.iterationsPerTask = iterationsPerTask;
    this.outputDirectory = outputDirectory;
  }

  private PlasticityConfig config(Path outputDirectory) {
    PlasticityConfig.Builder b =
        PlasticityConfig.builder()
            .runId("bench-resnet50-memory")
            .outputDirectory(outputDirectory)
            .probeSize(probe);
    if (stepEvery != null) {
      b.stepPlasticityEvery(stepEvery);
    }
    return b.build();
  }

  Result run() throws Exception {
    DataSet data = ResNet50Bench.data(batch, input);
    INDArray probeImages = ResNet50Bench.probeImages(probe, input);
    List<Sample> training;
    List<Sample> listener;
    long parameters;
    try (RssSampler rss = new RssSampler()) {
      ComputationGraph net = ResNet50Bench.network(input);
      parameters = net.numParams();
      training = trainingOnly(net, data, rss);
      net.close();
      ResNet50Bench.settle();
      listener = withListener(ResNet50Bench.network(input), data, probeImages, rss);
    }
    Path csv = outputDirectory.resolve(CSV);
    Path png = outputDirectory.resolve(PNG);
    writeCsv(csv, training, listener);
    drawChart(png, training, listener);
    Bench.log("resnet50: memory over tasks written to %s and %s", csv, png);
    return new Result(
        input, batch, probe, iterationsPerTask, parameters, training, listener, csv, png);
  }

  private List<Sample> trainingOnly(ComputationGraph net, DataSet data, RssSampler rss)
      throws InterruptedException {
    warmUp(net, data);
    List<Sample> samples = new ArrayList<>();
    for (int t = 1; t <= tasks; t++) {
      rss.restart();
      for (int i = 0; i < iterationsPerTask; i++) {
        net.fit(data);
      }
      long peak = rss.peak();
      samples.add(sample(Phase.TRAINING, t, peak, -1));
    }
    return samples;
  }

  private List<Sample> withListener(
      ComputationGraph net, DataSet data, INDArray probeImages, RssSampler rss)
      throws InterruptedException {
    List<Sample> samples = new ArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PlasticityListener listener =
        PlasticityMonitors.listener(config(outputDirectory), registry)) {
      net.setListeners(listener);
      warmUp(net, data); // no task running: the listener only watches
      for (int t = 1; t <= tasks; t++) {
        rss.restart();
        long before = analyses(registry);
        listener.startTask("task-" + t, TaskData.builder().probe(probeImages).build());
        for (int i = 0; i < iterationsPerTask; i++) {
          net.fit(data);
        }
        listener.endTask();
        long peak = rss.peak();
        samples.add(sample(Phase.LISTENER, t, peak, analyses(registry) - before));
      }
    } finally {
      net.setListeners(new ArrayList<>());
      net.close();
    }
    return samples;
  }

  /**
   * Two iterations before the first task, in both phases: DL4J sizes a new network's workspaces in
   * its first iterations, which would otherwise fall into the first task's peak of one phase and
   * not be told apart from the listener's.
   */
  private static void warmUp(ComputationGraph net, DataSet data) throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      net.fit(data);
    }
    ResNet50Bench.settle();
  }

  /** The after-GC readings at a task's end, with the task's resident-set peak. */
  private static Sample sample(Phase phase, int task, long rssPeak, long analyses)
      throws InterruptedException {
    ResNet50Bench.settle();
    Sample s =
        new Sample(
            phase,
            task,
            ResNet50Bench.heapUsed(),
            Pointer.totalBytes(),
            AllocationsTracker.getInstance().bytesOnDevice(AllocationKind.WORKSPACE, 0),
            Pointer.physicalBytes(),
            rssPeak,
            analyses);
    Bench.log(
        "resnet50: %s, task %d: heap %.1f MB, off-heap (javacpp) %.1f MB, workspaces %.1f MB, "
            + "RSS %.0f MB, RSS peak in the task %.0f MB%s",
        phase.label,
        task,
        s.heapBytes() / 1e6,
        s.offHeapBytes() / 1e6,
        s.workspaceBytes() / 1e6,
        s.rssBytes() / 1e6,
        s.rssPeakBytes() / 1e6,
        analyses < 0 ? "" : ", " + analyses + " analyses");
    return s;
  }

  /** Analyses published so far (the {@code plasticity.analysis} timer counts them). */
  private static long analyses(SimpleMeterRegistry registry) {
    Timer timer = registry.find("plasticity.analysis").timer();
    return timer == null ? 0 : timer.count();
  }

  private static void writeCsv(Path file, List<Sample> training, List<Sample> listener)
      throws IOException {
    StringBuilder b =
        new StringBuilder(
            "phase,task,heap_bytes,offheap_bytes,rss_bytes,rss_peak_bytes,workspace_bytes\n");
    for (List<Sample> phase : List.of(training, listener)) {
      for (Sample s : phase) {
        b.append(
            String.format(
                Locale.ROOT,
                "%s,%d,%d,%d,%d,%d,%d%n",
                s.phase().id,
                s.task(),
                s.heapBytes(),
                s.offHeapBytes(),
                s.rssBytes(),
                s.rssPeakBytes(),
                s.workspaceBytes()));
      }
    }
    Files.writeString(file, b);
  }

  private void drawChart(Path file, List<Sample> training, List<Sample> listener)
      throws IOException {
    List<MemoryChart.Line> lines = new ArrayList<>();
    for (List<Sample> phase : List.of(training, listener)) {
      boolean dashed = phase == listener;
      String suffix = " (" + phase.get(0).phase().label + ")";
      lines.add(line("heap after GC" + suffix, MemoryChart.BLUE, dashed, phase, Sample::heapBytes));
      lines.add(
          line(
              "off-heap, javacpp" + suffix,
              MemoryChart.GREEN,
              dashed,
              phase,
              Sample::offHeapBytes));
      lines.add(
          line(
              "ND4J workspaces" + suffix,
              MemoryChart.PURPLE,
              dashed,
              phase,
              Sample::workspaceBytes));
      lines.add(line("RSS after GC" + suffix, MemoryChart.ORANGE, dashed, phase, Sample::rssBytes));
      lines.add(
          line(
              "RSS peak in the task" + suffix,
              MemoryChart.RED,
              dashed,
              phase,
              Sample::rssPeakBytes));
    }
    MemoryChart.draw(
        file,
        String.format(
            Locale.ROOT,
            "ResNet50 (DL4J zoo), input 3×%d×%d, batch %d, %d iteration%s a task, probe %d",
            input,
            input,
            batch,
            iterationsPerTask,
            iterationsPerTask == 1 ? "" : "s",
            probe),
        "task",
        "MB",
        lines);
  }

  private static MemoryChart.Line line(
      String label,
      Color colour,
      boolean dashed,
      List<Sample> samples,
      ToLongFunction<Sample> bytes) {
    double[] x = samples.stream().mapToDouble(Sample::task).toArray();
    double[] y = samples.stream().mapToDouble(s -> bytes.applyAsLong(s) / 1e6).toArray();
    return new MemoryChart.Line(label, colour, dashed, x, y);
  }
}
