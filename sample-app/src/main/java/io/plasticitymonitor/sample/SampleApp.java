package io.plasticitymonitor.sample;

import io.plasticitymonitor.remedy.RemedySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.deeplearning4j.optimize.api.TrainingListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The sample app: continual learning on real MNIST that shows plasticity being lost, live. Trains
 * one MLP on a sequence of tasks with the Plasticity Monitor listener attached, serves Prometheus
 * {@code /metrics} while it runs, prints a progress bar and a table row per task, and writes a
 * report under {@code <output>/<run-id>/}. {@code analyze} measures a saved model offline.
 */
@Command(
    name = "sample-app",
    mixinStandardHelpOptions = true,
    version = "Plasticity Monitor sample app 0.1.0",
    sortOptions = false,
    usageHelpAutoWidth = true,
    abbreviateSynopsis = true,
    subcommands = {AnalyzeCommand.class},
    description = {
      "Trains a ReLU MLP on a sequence of tasks (random-label MNIST by default) with the Plasticity"
          + " Monitor listener attached, serves Prometheus /metrics while it trains, prints a"
          + " progress bar and one table row per task, and writes tasks.jsonl, results.csv, PNG"
          + " plots and index.html under <output>/<run-id>/.",
      "With --baseline a fresh network of the same configuration learns each task too, and the"
          + " gap between the two says how much of the ability to learn has been lost.",
      ""
    },
    footer = {
      "",
      "Exit status: 0 done, 1 failed while running, 2 bad options, 3 data missing or damaged.",
      "Data: MNIST from --data-dir (run-sample.sh fetches it); Fashion-MNIST from the Debian"
          + " package dataset-fashion-mnist."
    })
public final class SampleApp implements Callable<Integer> {
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_NO_DATA = 3;

  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      paramLabel = "NAME",
      converter = Scenario.Converter.class,
      defaultValue = "random-label-mnist",
      description =
          "permuted-mnist (each task a fixed random pixel permutation, the first the"
              + " identity), split-mnist (class-incremental: classes 0-1, 2-3, ...; at most 5 tasks),"
              + " permuted-fashion (Fashion-MNIST), random-label-mnist (the same images, fresh random"
              + " labels every task), warm-start (half of the data, then all of it) or"
              + " slowly-changing-regression (Dohare et al. 2024). Default: ${DEFAULT-VALUE}. The"
              + " options below default to the scenario's own settings (README).")
  Scenario scenario;

  @Option(
      names = "--tasks",
      paramLabel = "N",
      description = "Number of tasks. Default: per scenario (6 for permuted-mnist).")
  Integer tasks;

  @Option(
      names = "--examples-per-task",
      paramLabel = "N",
      description =
          "Training examples of each task (permuted and split: drawn afresh for every"
              + " task from the 60,000 training images; random-label-mnist: the images memorised;"
              + " warm-start: all of them, task 1 gets half; slowly-changing-regression: examples per"
              + " flip). Default: per scenario (8000 for permuted-mnist).")
  Integer examplesPerTask;

  @Option(
      names = "--eval-examples",
      paramLabel = "N",
      description =
          "Held-out examples of each task (from the test images) whose accuracy goes to"
              + " the plugin as the task's end accuracy (random-label-mnist evaluates on its training"
              + " images, slowly-changing-regression online). Default: per scenario (2000).")
  Integer evalExamples;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      description =
          "Passes over each task's examples. Default: per scenario (1 for" + " permuted-mnist).")
  Integer epochs;

  @Option(
      names = "--depth",
      paramLabel = "N",
      description = "Hidden layers. Default: per scenario (2 for permuted-mnist).")
  Integer depth;

  @Option(
      names = "--width",
      paramLabel = "N",
      description = "Units per hidden layer. Default: per scenario (128 for permuted-mnist).")
  Integer width;

  @Option(
      names = "--optimizer",
      paramLabel = "NAME",
      description =
          "sgd or adam (DL4J's Sgd, Adam with its default betas). Default: per scenario"
              + " (sgd for permuted-mnist).")
  String optimizer;

  @Option(
      names = "--learning-rate",
      paramLabel = "LR",
      description = "Learning rate. Default: per scenario (0.05 for permuted-mnist).")
  Double learningRate;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "Mini-batch size. Default: per scenario (32 for permuted-mnist).")
  Integer batchSize;

  @Option(
      names = "--weight-decay",
      paramLabel = "WD",
      description =
          "Decoupled weight decay on every layer's weights, as DL4J"
              + " weightDecay(WD, true); 0 turns it off. Default: per scenario (0.1 for"
              + " permuted-mnist, 0 for the others).")
  Double weightDecay;

  @Option(
      names = "--baseline",
      negatable = true,
      description =
          "Train a freshly initialised network of the same configuration on every"
              + " task's data for the same iterations and print its result beside the achieved one,"
              + " with the gap. Default: per scenario (on for random-label-mnist, warm-start and"
              + " slowly-changing-regression).")
  Boolean baseline;

  @Option(
      names = "--baseline-every",
      paramLabel = "K",
      description =
          "Train the fresh baseline on tasks 1, 1+K, 1+2K, ... only (implies --baseline).")
  Integer baselineEvery;

  @Option(
      names = "--remedy",
      paramLabel = "NAME",
      defaultValue = "none",
      description =
          "Act on absorbed units while training: none, syre, redo, cbp,"
              + " shrink-perturb or l2-init (the plugin's RemedySettings; docs/remedies.md), optionally with"
              + " parameters, e.g. redo:every=250,tau=0.1. Default: ${DEFAULT-VALUE}.")
  String remedy;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description =
          "Seed of the network's initialisation, the permutations and the sampling."
              + " Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "The run's name: the `run` label of every series and the report folder"
              + " (letters, digits and . _ : -). Default: <scenario>-wd<WD>-<date>-<time>.")
  String runId;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      defaultValue = "runs",
      description = "Task log and report go to DIR/<run-id>/. Default: ${DEFAULT-VALUE}.")
  Path output;

  @Option(
      names = "--overwrite",
      description = "Replace the report of an earlier run with the same --run-id.")
  boolean overwrite;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "9404",
      description =
          "Serve Prometheus /metrics on this port while training (0: any free port)."
              + " Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description = "Address /metrics listens on. Default: ${DEFAULT-VALUE}.")
  String bind;

  @Option(
      names = "--linger",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "Keep /metrics up this long after the last task so Prometheus scrapes the"
              + " final state. Default: ${DEFAULT-VALUE}.")
  int linger;

  @Option(
      names = "--pushgateway",
      paramLabel = "URL",
      description =
          "Push the metrics to this Prometheus Pushgateway at every task's end (for"
              + " batch runs), e.g. http://127.0.0.1:9091.")
  String pushgateway;

  @Option(
      names = "--probe-size",
      paramLabel = "N",
      defaultValue = "256",
      description =
          "Training examples of each task kept to measure activations. Default:"
              + " ${DEFAULT-VALUE}.")
  int probeSize;

  @Option(
      names = "--step-every",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "Measure step plasticity (the drop of the minibatch loss across one update) on every"
              + " N-th iteration; 0 turns it off. The sample app's networks are small and its"
              + " tasks short, so it measures on a fixed share of the iterations (the plugin's own"
              + " default, a share of its time budget, samples a few per task here). Each"
              + " measured iteration costs about half an iteration more. Default:"
              + " ${DEFAULT-VALUE}.")
  int stepEvery;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "${env:PLASTICITY_DATA_DIR:-${sys:user.home}/.deeplearning4j}",
      description =
          "Where the MNIST IDX files are (DL4J's resource directory). Default:"
              + " $PLASTICITY_DATA_DIR, else ~/.deeplearning4j.")
  Path dataDir;

  @Option(
      names = "--fashion-dir",
      paramLabel = "DIR",
      defaultValue = "/usr/share/datasets/fashion-mnist",
      description =
          "Where the gzipped Fashion-MNIST IDX files are. Default: ${DEFAULT-VALUE}"
              + " (Debian package dataset-fashion-mnist).")
  Path fashionDir;

  @Option(
      names = "--save-model",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Save the trained network as <run folder>/model.zip (for `analyze`)." + " Default: on.")
  boolean saveModel;

  /** True when the output is an interactive terminal: the progress bar redraws in place. */
  boolean terminal;

  /** Further listeners added to the network after the monitor (tests use one to pace training). */
  List<TrainingListener> extraListeners = List.of();

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    SampleApp app = new SampleApp();
    app.terminal = System.console() != null;
    System.exit(commandLine(app).execute(args));
  }

  /**
   * The command line with this app's error handling (bad options print one message, exit 2) and
   * help that never cuts a word.
   */
  static CommandLine commandLine(SampleApp app) {
    CommandLine cl = new CommandLine(app);
    cl.setHelpFactory(WordWrapHelp::new);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println(ex.getCommandLine().getCommandName() + ": " + ex.getMessage());
          err.println(
              "Try '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help' for the options.");
          err.flush();
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, line, parsed) -> {
          PrintWriter err = line.getErr();
          err.println(line.getCommandName() + ": failed: " + ex);
          Throwable cause = ex.getCause();
          while (cause != null) {
            err.println("  caused by: " + cause);
            cause = cause.getCause();
          }
          err.flush();
          return EXIT_FAILED;
        });
    return cl;
  }

  @Override
  public Integer call() throws Exception {
    RunSettings settings = validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return new ContinualRun(settings, out, terminal, extraListeners).run();
    } catch (DataUnavailableException e) {
      err.println("sample-app: " + e.getMessage());
      err.flush();
      return EXIT_NO_DATA;
    } catch (ContinualRun.BadSettingException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e, null, null);
    }
  }

  /**
   * Checks every option and returns the run's settings; a bad one is a {@link ParameterException}.
   */
  RunSettings validate() {
    Scenario.Defaults d = scenario.defaults();
    int tasks = orElse(this.tasks, d.tasks());
    int examplesPerTask = orElse(this.examplesPerTask, d.examplesPerTask());
    int evalExamples = orElse(this.evalExamples, d.evalExamples());
    int epochs = orElse(this.epochs, d.epochs());
    int depth = orElse(this.depth, d.depth());
    int width = orElse(this.width, d.width());
    double learningRate = this.learningRate != null ? this.learningRate : d.learningRate();
    int batchSize = orElse(this.batchSize, d.batchSize());
    double weightDecay = this.weightDecay != null ? this.weightDecay : d.weightDecay();
    Scenario.Optimizer optimizer = d.optimizer();
    if (this.optimizer != null) {
      optimizer =
          switch (this.optimizer) {
            case "sgd" -> Scenario.Optimizer.SGD;
            case "adam" -> Scenario.Optimizer.ADAM;
            default -> throw usage("--optimizer must be sgd or adam (got: " + this.optimizer + ")");
          };
    }
    int baselineEvery = d.baselineEvery();
    if (baseline != null) {
      baselineEvery = baseline ? 1 : 0;
    }
    if (this.baselineEvery != null) {
      require(
          this.baselineEvery >= 1 && this.baselineEvery <= 10_000,
          "--baseline-every must be 1 to 10000 (got: " + this.baselineEvery + ")");
      require(
          baseline == null || baseline, "--baseline-every cannot be combined with --no-baseline");
      baselineEvery = this.baselineEvery;
    }
    require(tasks >= 1, "--tasks must be at least 1 (got: " + tasks + ")");
    require(
        tasks <= scenario.maxTasks(),
        "--tasks must be at most "
            + scenario.maxTasks()
            + " for "
            + scenario
            + " (got: "
            + tasks
            + ")");
    require(tasks <= 10_000, "--tasks must be at most 10000 (got: " + tasks + ")");
    int maxExamples = scenario.images() ? 60_000 : 1_000_000;
    require(
        examplesPerTask >= 1 && examplesPerTask <= maxExamples,
        "--examples-per-task must be 1 to " + maxExamples + " (got: " + examplesPerTask + ")");
    require(
        scenario != Scenario.WARM_START || examplesPerTask >= 2,
        "--examples-per-task must be at least 2 for warm-start (got: " + examplesPerTask + ")");
    if (scenario == Scenario.RANDOM_LABEL_MNIST || !scenario.images()) {
      require(
          this.evalExamples == null,
          "--eval-examples does not apply to "
              + scenario
              + (scenario.images()
                  ? " (it is scored on the images it memorises)"
                  : " (it is scored online)")
              + " (got: "
              + this.evalExamples
              + ")");
      evalExamples = scenario.images() ? examplesPerTask : 0;
    } else {
      require(
          evalExamples >= 1 && evalExamples <= 10_000,
          "--eval-examples must be 1 to 10000 (got: " + evalExamples + ")");
    }
    require(epochs >= 1 && epochs <= 1000, "--epochs must be 1 to 1000 (got: " + epochs + ")");
    require(depth >= 1 && depth <= 64, "--depth must be 1 to 64 (got: " + depth + ")");
    require(width >= 2 && width <= 65_536, "--width must be 2 to 65536 (got: " + width + ")");
    require(
        Double.isFinite(learningRate) && learningRate > 0,
        "--learning-rate must be a positive number (got: " + learningRate + ")");
    require(
        batchSize >= 1 && batchSize <= 60_000,
        "--batch-size must be 1 to 60000 (got: " + batchSize + ")");
    require(
        Double.isFinite(weightDecay) && weightDecay >= 0 && weightDecay < 1,
        "--weight-decay must be in [0, 1) (got: " + weightDecay + ")");
    require(port >= 0 && port <= 65_535, "--port must be 0 to 65535 (got: " + port + ")");
    require(bind != null && !bind.isBlank(), "--bind must be a host name or IP address");
    try {
      InetAddress.getByName(bind);
    } catch (IOException e) {
      throw usage("--bind must be a host name or IP address of this machine (got: " + bind + ")");
    }
    require(
        linger >= 0 && linger <= 86_400,
        "--linger must be 0 to 86400 seconds (got: " + linger + ")");
    require(
        probeSize >= 1 && probeSize <= 65_536,
        "--probe-size must be 1 to 65536 (got: " + probeSize + ")");
    require(
        stepEvery >= 0 && stepEvery <= 1_000_000,
        "--step-every must be 0 (off) to 1000000 (got: " + stepEvery + ")");
    Optional<RemedySettings> remedySettings;
    try {
      remedySettings = RemedySettings.parse(remedy);
    } catch (IllegalArgumentException e) {
      throw usage("--remedy: " + e.getMessage());
    }
    URI push = null;
    if (pushgateway != null) {
      try {
        push = new URI(pushgateway);
      } catch (URISyntaxException e) {
        throw usage(
            "--pushgateway must be an http:// or https:// URL (got: "
                + pushgateway
                + ": "
                + e.getReason()
                + ")");
      }
      require(
          ("http".equals(push.getScheme()) || "https".equals(push.getScheme()))
              && push.getHost() != null,
          "--pushgateway must be an http:// or https:// URL (got: " + pushgateway + ")");
    }
    String id =
        runId != null
            ? runId
            : scenario
                + "-wd"
                + plain(weightDecay)
                + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    require(
        RUN_ID.matcher(id).matches(),
        "--run-id must be letters, digits and . _ : -, at most"
            + " 128, starting with a letter or digit (got: '"
            + id
            + "')");
    Path runDir = output.resolve(id);
    if (!overwrite && Files.exists(runDir.resolve(Report.TASK_LOG))) {
      throw usage(
          "the run folder "
              + runDir
              + " already holds a run ("
              + Report.TASK_LOG
              + "); choose another --run-id or pass --overwrite");
    }
    if (port != 0) {
      checkPortFree();
    }
    return new RunSettings(
        scenario,
        tasks,
        examplesPerTask,
        evalExamples,
        epochs,
        depth,
        width,
        optimizer,
        learningRate,
        batchSize,
        weightDecay,
        seed,
        id,
        output,
        overwrite,
        port,
        bind,
        linger,
        push,
        probeSize,
        stepEvery,
        dataDir,
        fashionDir,
        saveModel,
        remedySettings,
        baselineEvery);
  }

  private void checkPortFree() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
    } catch (IOException e) {
      throw usage(
          "cannot serve /metrics on "
              + bind
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "); pick another --port, or --port 0 for any free one");
    }
  }

  private static int orElse(Integer given, int fallback) {
    return given != null ? given : fallback;
  }

  static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw usage(message);
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
