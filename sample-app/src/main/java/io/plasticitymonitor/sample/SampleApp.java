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
    subcommands = {AnalyzeCommand.class},
    description = {
      "Trains a ReLU MLP on a sequence of tasks (permuted MNIST by default) with the Plasticity"
          + " Monitor listener attached, serves Prometheus /metrics while it trains, prints a"
          + " progress bar and one table row per task, and writes tasks.jsonl, results.csv, PNG"
          + " plots and index.html under <output>/<run-id>/.",
      "With weight decay 0.1 (the default) units die task after task and the accuracy on each new"
          + " task falls; run again with --weight-decay 0 to compare.",
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

  @Option(names = "--scenario", paramLabel = "NAME", converter = Scenario.Converter.class,
      defaultValue = "permuted-mnist",
      description = "permuted-mnist (each task a fixed random pixel permutation, the first the"
          + " identity), split-mnist (class-incremental: classes 0-1, 2-3, ...; at most 5 tasks) or"
          + " permuted-fashion (Fashion-MNIST). Default: ${DEFAULT-VALUE}.")
  Scenario scenario;

  @Option(names = "--tasks", paramLabel = "N", defaultValue = "6",
      description = "Number of tasks. Default: ${DEFAULT-VALUE}.")
  int tasks;

  @Option(names = "--examples-per-task", paramLabel = "N", defaultValue = "8000",
      description = "Training examples of each task (drawn afresh for every task from the 60,000"
          + " training images). Default: ${DEFAULT-VALUE}.")
  int examplesPerTask;

  @Option(names = "--eval-examples", paramLabel = "N", defaultValue = "2000",
      description = "Held-out examples of each task (from the test images) whose accuracy goes to"
          + " the plugin as the task's end accuracy. Default: ${DEFAULT-VALUE}.")
  int evalExamples;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "1",
      description = "Passes over each task's examples. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--depth", paramLabel = "N", defaultValue = "2",
      description = "Hidden layers. Default: ${DEFAULT-VALUE}.")
  int depth;

  @Option(names = "--width", paramLabel = "N", defaultValue = "128",
      description = "Units per hidden layer. Default: ${DEFAULT-VALUE}.")
  int width;

  @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "0.05",
      description = "SGD learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
      description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--weight-decay", paramLabel = "WD", defaultValue = "0.1",
      description = "Decoupled weight decay on every layer's weights, as DL4J"
          + " weightDecay(WD, true); 0 turns it off. Default: ${DEFAULT-VALUE}.")
  double weightDecay;

  @Option(names = "--remedy", paramLabel = "NAME", defaultValue = "none",
      description = "Act on absorbed units while training: none, syre, redo, cbp or"
          + " shrink-perturb (the plugin's RemedySettings; docs/remedies.md), optionally with"
          + " parameters, e.g. redo:every=250,tau=0.1. Default: ${DEFAULT-VALUE}.")
  String remedy;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Seed of the network's initialisation, the permutations and the sampling."
          + " Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--run-id", paramLabel = "ID",
      description = "The run's name: the `run` label of every series and the report folder"
          + " (letters, digits and . _ : -). Default: <scenario>-wd<WD>-<date>-<time>.")
  String runId;

  @Option(names = "--output", paramLabel = "DIR", defaultValue = "runs",
      description = "Task log and report go to DIR/<run-id>/. Default: ${DEFAULT-VALUE}.")
  Path output;

  @Option(names = "--overwrite",
      description = "Replace the report of an earlier run with the same --run-id.")
  boolean overwrite;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "9404",
      description = "Serve Prometheus /metrics on this port while training (0: any free port)."
          + " Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address /metrics listens on. Default: ${DEFAULT-VALUE}.")
  String bind;

  @Option(names = "--linger", paramLabel = "SECONDS", defaultValue = "0",
      description = "Keep /metrics up this long after the last task so Prometheus scrapes the"
          + " final state. Default: ${DEFAULT-VALUE}.")
  int linger;

  @Option(names = "--pushgateway", paramLabel = "URL",
      description = "Push the metrics to this Prometheus Pushgateway at every task's end (for"
          + " batch runs), e.g. http://127.0.0.1:9091.")
  String pushgateway;

  @Option(names = "--probe-size", paramLabel = "N", defaultValue = "256",
      description = "Training examples of each task kept to measure activations. Default:"
          + " ${DEFAULT-VALUE}.")
  int probeSize;

  @Option(names = "--data-dir", paramLabel = "DIR",
      defaultValue = "${env:PLASTICITY_DATA_DIR:-${sys:user.home}/.deeplearning4j}",
      description = "Where the MNIST IDX files are (DL4J's resource directory). Default:"
          + " $PLASTICITY_DATA_DIR, else ~/.deeplearning4j.")
  Path dataDir;

  @Option(names = "--fashion-dir", paramLabel = "DIR",
      defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "Where the gzipped Fashion-MNIST IDX files are. Default: ${DEFAULT-VALUE}"
          + " (Debian package dataset-fashion-mnist).")
  Path fashionDir;

  @Option(names = "--save-model", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Save the trained network as <run folder>/model.zip (for `analyze`)."
          + " Default: on.")
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
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println(ex.getCommandLine().getCommandName() + ": " + ex.getMessage());
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName()
          + " --help' for the options.");
      err.flush();
      return EXIT_USAGE;
    });
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
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

  /** Checks every option and returns the run's settings; a bad one is a {@link ParameterException}. */
  RunSettings validate() {
    require(tasks >= 1, "--tasks must be at least 1 (got: " + tasks + ")");
    require(tasks <= scenario.maxTasks(), "--tasks must be at most " + scenario.maxTasks()
        + " for " + scenario + " (got: " + tasks + ")");
    require(tasks <= 10_000, "--tasks must be at most 10000 (got: " + tasks + ")");
    require(examplesPerTask >= 1 && examplesPerTask <= 60_000,
        "--examples-per-task must be 1 to 60000 (got: " + examplesPerTask + ")");
    require(evalExamples >= 1 && evalExamples <= 10_000,
        "--eval-examples must be 1 to 10000 (got: " + evalExamples + ")");
    require(epochs >= 1 && epochs <= 1000, "--epochs must be 1 to 1000 (got: " + epochs + ")");
    require(depth >= 1 && depth <= 64, "--depth must be 1 to 64 (got: " + depth + ")");
    require(width >= 2 && width <= 65_536, "--width must be 2 to 65536 (got: " + width + ")");
    require(Double.isFinite(learningRate) && learningRate > 0,
        "--learning-rate must be a positive number (got: " + learningRate + ")");
    require(batchSize >= 1 && batchSize <= 60_000,
        "--batch-size must be 1 to 60000 (got: " + batchSize + ")");
    require(Double.isFinite(weightDecay) && weightDecay >= 0 && weightDecay < 1,
        "--weight-decay must be in [0, 1) (got: " + weightDecay + ")");
    require(port >= 0 && port <= 65_535, "--port must be 0 to 65535 (got: " + port + ")");
    require(bind != null && !bind.isBlank(), "--bind must be a host name or IP address");
    try {
      InetAddress.getByName(bind);
    } catch (IOException e) {
      throw usage("--bind must be a host name or IP address of this machine (got: " + bind + ")");
    }
    require(linger >= 0 && linger <= 86_400,
        "--linger must be 0 to 86400 seconds (got: " + linger + ")");
    require(probeSize >= 1 && probeSize <= 65_536,
        "--probe-size must be 1 to 65536 (got: " + probeSize + ")");
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
        throw usage("--pushgateway must be an http:// or https:// URL (got: " + pushgateway
            + ": " + e.getReason() + ")");
      }
      require(("http".equals(push.getScheme()) || "https".equals(push.getScheme()))
              && push.getHost() != null,
          "--pushgateway must be an http:// or https:// URL (got: " + pushgateway + ")");
    }
    String id = runId != null ? runId
        : scenario + "-wd" + plain(weightDecay) + "-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    require(RUN_ID.matcher(id).matches(), "--run-id must be letters, digits and . _ : -, at most"
        + " 128, starting with a letter or digit (got: '" + id + "')");
    Path runDir = output.resolve(id);
    if (!overwrite && Files.exists(runDir.resolve(Report.TASK_LOG))) {
      throw usage("the run folder " + runDir + " already holds a run (" + Report.TASK_LOG
          + "); choose another --run-id or pass --overwrite");
    }
    if (port != 0) {
      checkPortFree();
    }
    return new RunSettings(scenario, tasks, examplesPerTask, evalExamples, epochs, depth, width,
        learningRate, batchSize, weightDecay, seed, id, output, overwrite, port, bind, linger, push,
        probeSize, dataDir, fashionDir, saveModel, remedySettings);
  }

  private void checkPortFree() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
    } catch (IOException e) {
      throw usage("cannot serve /metrics on " + bind + ":" + port + " (" + e.getMessage()
          + "); pick another --port, or --port 0 for any free one");
    }
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
