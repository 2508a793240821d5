package io.plasticitymonitor.sample;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitorModule;
import io.plasticitymonitor.TaskData;
import io.plasticitymonitor.report.TaskSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One continual-learning run, wired the way a user wires the plugin: a {@link PlasticityConfig},
 * the Guice {@link PlasticityMonitorModule}, the {@link PlasticityListener} added to the network,
 * and {@code startTask}/{@code endTask} around each task's {@code fit}.
 */
final class ContinualRun {
  static final String MODEL_FILE = "model.zip";

  private final RunSettings s;
  private final PrintWriter out;
  private final boolean terminal;
  private final List<TrainingListener> extraListeners;

  ContinualRun(
      RunSettings settings,
      PrintWriter out,
      boolean terminal,
      List<TrainingListener> extraListeners) {
    this.s = settings;
    this.out = out;
    this.terminal = terminal;
    this.extraListeners = List.copyOf(extraListeners);
  }

  /** Runs every task and writes the report; returns the exit code. */
  int run()
      throws DataUnavailableException, BadSettingException, IOException, InterruptedException {
    Instant started = Instant.now();
    PlasticityConfig config = config();
    Path runDir = s.runDirectory();
    if (s.overwrite()) {
      clear(runDir);
    }

    DataSources.Splits data = null;
    if (s.scenario().images()) {
      out.printf(
          Locale.ROOT,
          "Loading %s ...%n",
          s.scenario().fashion()
              ? "Fashion-MNIST from " + s.fashionDir()
              : "MNIST from " + s.dataDir() + " with DL4J's MnistDataSetIterator");
      out.flush();
      long loadStart = System.nanoTime();
      data = DataSources.load(s.scenario(), s.dataDir(), s.fashionDir());
      out.printf(
          Locale.ROOT,
          "Loaded %,d training and %,d test images in %.1f s%n",
          data.train().size(),
          data.test().size(),
          (System.nanoTime() - loadStart) / 1e9);
    }
    TaskFactory factory =
        new TaskFactory(s.scenario(), data, s.examplesPerTask(), s.evalExamples(), s.seed());
    int maxExamples = factory.maxExamplesPerTask(s.tasks());
    if (s.examplesPerTask() > maxExamples) {
      throw new BadSettingException(
          "--examples-per-task must be at most "
              + maxExamples
              + " for "
              + s.scenario()
              + " (got: "
              + s.examplesPerTask()
              + ")");
    }
    int inputs = data != null ? data.train().features() : SlowlyChangingRegression.INPUTS;

    Networks.Spec spec = s.network(inputs);
    MultiLayerNetwork net = Networks.build(spec, s.seed());
    // Dohare et al. compare the slowly-changing regression learner with a linear learner trained
    // on the same stream: it cannot lose plasticity, so it is the line the learner should stay
    // under.
    MultiLayerNetwork linear =
        s.scenario().images()
            ? null
            : Networks.build(
                new Networks.Spec(
                    inputs, 0, 0, 1, true, Scenario.Optimizer.SGD, s.learningRate(), 0),
                s.seed() + 1);
    Injector injector = Guice.createInjector(new PlasticityMonitorModule(config));
    PlasticityListener monitor = injector.getInstance(PlasticityListener.class);
    ProgressBar progress = new ProgressBar(out, terminal, System::nanoTime);
    net.addListeners(monitor, progress);
    extraListeners.forEach(net::addListeners);

    out.printf(
        Locale.ROOT,
        "Run %s: %s, %d task%s of %d examples, %s, %s lr %s, batch %d," + " weight decay %s%s%n",
        s.runId(),
        s.scenario(),
        s.tasks(),
        s.tasks() == 1 ? "" : "s",
        s.examplesPerTask(),
        s.architecture(inputs),
        s.optimizer().cliName(),
        SampleApp.plain(s.learningRate()),
        s.batchSize(),
        SampleApp.plain(s.weightDecay()),
        s.baselineEvery() == 0
            ? ""
            : ", fresh baseline "
                + (s.baselineEvery() == 1
                    ? "every task"
                    : "every " + s.baselineEvery() + " tasks"));
    out.flush();

    List<TaskResult> results = new ArrayList<>();
    List<String> plotProblems = new ArrayList<>();
    try {
      for (int k = 1; k <= s.tasks(); k++) {
        TaskFactory.Task task = factory.create(k);
        // The baseline is trained first, so that its result is known when the task starts.
        TaskTraining.Outcome baseline = s.baselineFor(k) ? Baseline.train(s, spec, task) : null;
        INDArray probe =
            task.trainFeatures()
                .get(
                    NDArrayIndex.interval(0, Math.min(s.probeSize(), task.trainExamples())),
                    NDArrayIndex.all())
                .dup();
        monitor.startTask(task.name(), taskData(probe, task, baseline));
        if (k == 1) {
          announceEndpoints(monitor);
        }

        progress.start(
            String.format(Locale.ROOT, "%s/%d", task.name(), s.tasks()),
            (long) task.trainExamples() * s.epochs());
        long t0 = System.nanoTime();
        TaskTraining.Outcome achieved = TaskTraining.fit(net, s, task);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        double rate = progress.finish();

        TaskSummary summary = monitor.endTask();
        double reference =
            linear == null
                ? Double.NaN
                : TaskTraining.fit(linear, s, task).headline(s.scenario().headline());
        Scenario.Headline headline = s.scenario().headline();
        TaskResult.Learning learning =
            new TaskResult.Learning(
                headline,
                achieved.headline(headline),
                achieved.onlineLoss(),
                baseline == null ? Double.NaN : baseline.headline(headline),
                reference);
        TaskResult result =
            Results.from(
                summary, task.description(), progress.endLoss(), trainSeconds, rate, learning);
        results.add(result);
        if (k == 1) {
          ResultTable.header(result, s.baselineEvery() > 0).forEach(out::println);
        }
        out.println(ResultTable.row(result, s.baselineEvery() > 0));
        out.flush();
        // The report is rewritten after every task, so a stopped run keeps a current one.
        plotProblems.clear();
        Report.write(runDir, s.runId(), settingsFor(inputs, started), results, plotProblems);
      }

      if (s.saveModel()) {
        ModelSerializer.writeModel(net, runDir.resolve(MODEL_FILE).toFile(), false);
      }
      List<Path> files =
          Report.write(runDir, s.runId(), settingsFor(inputs, started), results, plotProblems);
      printSummary(results, runDir, files, plotProblems, started);
      linger(monitor);
    } finally {
      monitor.close();
    }
    return 0;
  }

  /**
   * What the monitor gets at a task's start: the probe, and for the scenarios scored by accuracy
   * the evaluation examples whose accuracy becomes the task's end accuracy, with the fresh
   * baseline's accuracy on the same examples when this task has one, so the monitor reports the gap
   * ({@code plasticity.task.baseline.accuracy}, {@code plasticity.gap}). The regression's headline
   * is an online error, not DL4J's end score, so no score baseline is handed over.
   */
  private TaskData taskData(INDArray probe, TaskFactory.Task task, TaskTraining.Outcome baseline) {
    TaskData.Builder b = TaskData.builder().probe(probe);
    if (s.scenario().headline() == Scenario.Headline.ACCURACY) {
      b.evaluation(new ArrayIterator(task.evalFeatures(), task.evalLabels(), 500, null));
      if (baseline != null) {
        b.baseline(baseline.accuracy());
      }
    }
    return b.build();
  }

  private PlasticityConfig config() throws BadSettingException {
    try {
      PlasticityConfig.Builder b =
          PlasticityConfig.builder()
              .runId(s.runId())
              .outputDirectory(s.output())
              .metricsPort(s.port())
              .metricsBindAddress(s.bind())
              .livePage(true)
              .probeSize(s.probeSize())
              .stepPlasticityEvery(s.stepEvery());
      if (s.pushgateway() != null) {
        b.pushgateway(s.pushgateway());
      }
      s.remedy().ifPresent(b::remedy);
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new BadSettingException(e.getMessage());
    }
  }

  private java.util.Map<String, String> settingsFor(int inputs, Instant started) {
    java.util.Map<String, String> m = s.describe(inputs);
    m.put("started", started.toString());
    m.put(
        "elapsed",
        String.format(
            Locale.ROOT, "%.0f s", Duration.between(started, Instant.now()).toMillis() / 1000.0));
    return m;
  }

  private void announceEndpoints(PlasticityListener monitor) {
    monitor
        .metricsPort()
        .ifPresent(
            p ->
                out.printf(
                    Locale.ROOT,
                    "Prometheus metrics: http://%s:%d/metrics%nLive page: http://%s:%d/live/%n",
                    hostForUrl(s.bind()),
                    p,
                    hostForUrl(s.bind()),
                    p));
    if (s.pushgateway() != null) {
      out.println("Pushing to " + s.pushgateway() + " at every task's end");
    }
    out.println("Task log: " + s.runDirectory().resolve(Report.TASK_LOG));
    out.flush();
  }

  private static String hostForUrl(String bind) {
    if ("0.0.0.0".equals(bind) || "::".equals(bind)) {
      return "localhost";
    }
    return bind.contains(":") ? "[" + bind + "]" : bind;
  }

  private void printSummary(
      List<TaskResult> results,
      Path runDir,
      List<Path> files,
      List<String> plotProblems,
      Instant started) {
    out.println();
    if (results.isEmpty()) {
      return;
    }
    String name = ResultTable.headlineName(results.get(0));
    out.print(name + " per task:");
    results.forEach(r -> out.print(" " + ResultTable.fixed(r.plasticity().achieved(), 3)));
    out.println();
    if (results.stream().anyMatch(r -> !Double.isNaN(r.plasticity().baseline()))) {
      out.print("fresh network:");
      results.forEach(r -> out.print(" " + ResultTable.fixed(r.plasticity().baseline(), 3)));
      out.println();
      out.print("gap (positive: the continually trained network learnt worse):");
      results.forEach(r -> out.print(" " + ResultTable.signed(r.plasticity().gap(), 3)));
      out.println();
    }
    if (!Double.isNaN(results.get(0).plasticity().reference())) {
      out.print("linear learner:");
      results.forEach(r -> out.print(" " + ResultTable.fixed(r.plasticity().reference(), 3)));
      out.println();
    }
    if (!results.isEmpty()) {
      for (TaskResult.LayerRow layer : results.get(0).hiddenLayers()) {
        out.printf(Locale.ROOT, "%s dead units (weights):", layer.layer());
        results.forEach(r -> out.print(" " + valueOf(r, layer.layer(), true)));
        out.println();
        out.printf(Locale.ROOT, "%s activation srank:", layer.layer());
        results.forEach(r -> out.print(" " + valueOf(r, layer.layer(), false)));
        out.println();
      }
    }
    out.printf(
        Locale.ROOT,
        "Finished in %.0f s. Report: %s%n",
        Duration.between(started, Instant.now()).toMillis() / 1000.0,
        runDir.resolve(Report.PAGE).toAbsolutePath());
    out.println(
        "Files: "
            + String.join(", ", files.stream().map(f -> f.getFileName().toString()).toList())
            + ", "
            + Report.TASK_LOG
            + (s.saveModel() ? ", " + MODEL_FILE : ""));
    for (String problem : plotProblems) {
      out.println("Plots were not drawn: " + problem);
    }
    out.flush();
  }

  private static String valueOf(TaskResult r, String layer, boolean dead) {
    return r.layers().stream()
        .filter(l -> l.layer().equals(layer))
        .findFirst()
        .map(
            l ->
                dead
                    ? (l.deadWeights() < 0 ? "-" : Integer.toString(l.deadWeights()))
                    : ResultTable.fixed(l.srankActivations(), 0))
        .orElse("-");
  }

  private void linger(PlasticityListener monitor) throws InterruptedException {
    if (s.linger() > 0 && monitor.metricsPort().isPresent()) {
      out.printf(
          Locale.ROOT, "Serving the final metrics for %d s (Ctrl-C to stop) ...%n", s.linger());
      out.flush();
      Thread.sleep(s.linger() * 1000L);
    }
  }

  /** Removes the files an earlier run with the same id left (only those this app writes). */
  private static void clear(Path runDir) throws IOException {
    for (String name :
        List.of(
            Report.TASK_LOG,
            Report.CSV,
            Report.ACCURACY_PNG,
            Report.DEAD_PNG,
            Report.MERGED_PNG,
            Report.SRANK_PNG,
            Report.PAGE,
            MODEL_FILE)) {
      Files.deleteIfExists(runDir.resolve(name));
    }
  }

  /** An option that is only found bad once the run has started (data-dependent limits). */
  static final class BadSettingException extends Exception {
    private static final long serialVersionUID = 1L;

    BadSettingException(String message) {
      super(message);
    }
  }
}
