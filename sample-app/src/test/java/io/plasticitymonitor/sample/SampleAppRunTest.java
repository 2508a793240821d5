package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A short real run on real MNIST (2 tasks, few examples): the task log, the report files, and a
 * real HTTP GET of {@code /metrics} made while the second task trains. Needs the MNIST files in the
 * data directory ({@code ./run-sample.sh --fetch-only} puts them there); skipped without them.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SampleAppRunTest {
  private static final Pattern METRICS_URL =
      Pattern.compile("Prometheus metrics: (http://127\\.0\\.0\\.1:\\d+/metrics)");
  private static final long WAIT_SECONDS = 120;

  static Path dataDir() {
    String env = System.getenv("PLASTICITY_DATA_DIR");
    return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".deeplearning4j");
  }

  @BeforeAll
  static void needsMnist() {
    boolean present =
        DataSources.MNIST_FILES.stream().allMatch(f -> Files.isRegularFile(dataDir().resolve(f)));
    assumeThat(present).as("MNIST in " + dataDir() + " (./run-sample.sh --fetch-only)").isTrue();
  }

  /**
   * Holds training at an iteration of the second task until the test has read {@code /metrics}, so
   * the GET happens while the run trains, whatever the machine's speed.
   */
  static final class Pause extends BaseTrainingListener {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private int calls;
    private final int at;

    Pause(int at) {
      this.at = at;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      if (++calls == at) {
        reached.countDown();
        try {
          release.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** A writer other threads may read while the app writes (StringWriter is synchronised). */
  static final class Shared extends Writer {
    final StringWriter text = new StringWriter();

    @Override
    public void write(char[] buf, int off, int len) {
      text.write(buf, off, len);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    String read() {
      return text.toString();
    }
  }

  @Test
  void shortRunLogsTasksWritesTheReportAndServesMetricsWhileTraining(@TempDir Path tmp)
      throws Exception {
    int examples = 640;
    int batch = 32;
    int iterationsPerTask = examples / batch;
    Pause pause = new Pause(iterationsPerTask + 5); // five iterations into task 2
    SampleApp app = new SampleApp();
    app.extraListeners = List.of(pause);
    Shared out = new Shared();
    StringWriter err = new StringWriter();
    CommandLine cl = SampleApp.commandLine(app);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));

    ObjectMapper json = new ObjectMapper();
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> exit =
          runner.submit(
              () ->
                  cl.execute(
                      "--scenario",
                      "permuted-mnist",
                      "--tasks",
                      "2",
                      "--examples-per-task",
                      Integer.toString(examples),
                      "--eval-examples",
                      "300",
                      "--batch-size",
                      Integer.toString(batch),
                      "--probe-size",
                      "64",
                      "--port",
                      "0",
                      "--baseline-every",
                      "2",
                      "--run-id",
                      "test-run",
                      "--output",
                      tmp.toString(),
                      "--data-dir",
                      dataDir().toString()));

      boolean paused = pause.reached.await(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(paused)
          .as("training reached task 2; output so far:%n%s%s", out.read(), err)
          .isTrue();
      String metrics;
      JsonNode live;
      try {
        Matcher url = METRICS_URL.matcher(out.read());
        assertThat(url.find()).as("the app printed its /metrics URL:%n%s", out.read()).isTrue();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(url.group(1)))
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        metrics = response.body();
        // The live page's data, served beside /metrics: task 1 ended, task 2 is running.
        assertThat(out.read()).contains("Live page: " + url.group(1).replace("/metrics", "/live/"));
        live =
            json.readTree(
                http.send(
                        HttpRequest.newBuilder(
                                URI.create(url.group(1).replace("/metrics", "/live/data.json")))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
      } finally {
        pause.release.countDown();
      }
      assertThat(metrics)
          .contains(
              "plasticity_task{run=\"test-run\"} 2.0",
              "plasticity_layer_units{layer=\"layer0\",run=\"test-run\"} 128.0",
              "plasticity_dead_units{criterion=\"weights\",layer=\"layer1\",run=\"test-run\"}",
              "plasticity_rank{layer=\"layer1\",measure=\"srank\",of=\"activations\",run=\"test-run\"}",
              "plasticity_task_end_accuracy{run=\"test-run\"}");
      assertThat(live.get("run").asText()).isEqualTo("test-run");
      assertThat(live.get("currentTask").asText()).isEqualTo("task-2");
      assertThat(live.get("tasks")).hasSize(1);
      assertThat(live.get("analyses").size()).isPositive();
      assertThat(live.get("analyses").get(0).get("layers").has("layer1")).isTrue();

      assertThat(exit.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .as("exit status; stderr:%n%s", err)
          .isZero();
    } finally {
      runner.shutdownNow();
      assertThat(runner.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    // console: a progress bar per task, a table row per task, the summary
    assertThat(out.read())
        .contains(
            "task-1/2 [",
            "task-2/2 [",
            "ex/s",
            "loss",
            "accuracy per task:",
            "layer1 dead units (weights):");
    assertThat(out.read().lines().filter(l -> l.matches("task-[12] +\\d\\.\\d{4} .*"))).hasSize(2);

    // task log: one JSON line per task, as metrics.md says
    Path run = tmp.resolve("test-run");
    List<String> lines = Files.readAllLines(run.resolve("tasks.jsonl"));
    assertThat(lines).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode task = json.readTree(lines.get(i));
      assertThat(task.get("run").asText()).isEqualTo("test-run");
      assertThat(task.get("task").asText()).isEqualTo("task-" + (i + 1));
      assertThat(task.get("index").asInt()).isEqualTo(i + 1);
      assertThat(task.get("iterations").asInt()).isEqualTo(iterationsPerTask);
      // isNumber first: asDouble() of a JSON null is 0.0, which would pass the range check.
      assertThat(task.get("end_accuracy").isNumber()).as("end_accuracy measured").isTrue();
      assertThat(task.get("end_accuracy").asDouble()).isBetween(0.0, 1.0);
      assertThat(task.get("layers")).hasSize(3);
      JsonNode layer1 = task.get("layers").get(1);
      assertThat(layer1.get("layer").asText()).isEqualTo("layer1");
      assertThat(layer1.get("units").asInt()).isEqualTo(128);
      // The key is always written (null when not measured): a hidden layer's count is a number.
      assertThat(layer1.get("dead_weights").isInt()).as("dead_weights measured").isTrue();
      assertThat(layer1.get("dead_weights").asInt()).isBetween(0, 128);
      assertThat(layer1.get("rank").get("activations").get("srank").asInt()).isPositive();
    }
    // the first task's accuracy is learnt: far above the 0.1 of guessing
    assertThat(json.readTree(lines.get(0)).get("end_accuracy").asDouble()).isGreaterThan(0.3);
    // the fresh baseline of task 1 (every 2nd task) reaches the monitor: the same number as the
    // app's own CSV, and the gap is baseline minus achieved; task 2 has none, so both are null
    JsonNode first = json.readTree(lines.get(0));
    assertThat(first.get("baseline_accuracy").isNumber()).as("task 1 baseline").isTrue();
    List<String> csv = Files.readAllLines(run.resolve(Report.CSV));
    List<String> columns = List.of(csv.get(0).split(","));
    double csvBaseline = Double.parseDouble(csv.get(1).split(",")[columns.indexOf("baseline")]);
    assertThat(first.get("baseline_accuracy").asDouble()).isCloseTo(csvBaseline, within(1e-4));
    assertThat(first.get("gap").get("accuracy").asDouble())
        .isCloseTo(
            first.get("baseline_accuracy").asDouble() - first.get("end_accuracy").asDouble(),
            within(1e-12));
    JsonNode second = json.readTree(lines.get(1));
    assertThat(second.get("baseline_accuracy").isNull()).as("task 2 has no baseline").isTrue();
    assertThat(second.get("gap").get("accuracy").isNull()).isTrue();

    // report
    for (String png :
        List.of(Report.ACCURACY_PNG, Report.DEAD_PNG, Report.MERGED_PNG, Report.SRANK_PNG)) {
      assertThat(ImageIO.read(run.resolve(png).toFile())).as(png).isNotNull();
    }
    assertThat(Files.readAllLines(run.resolve(Report.CSV))).hasSize(3);
    assertThat(Files.readString(run.resolve(Report.PAGE))).contains("task-2", "accuracy.png");
    assertThat(run.resolve(ContinualRun.MODEL_FILE)).isRegularFile();

    // analyze: the saved model, offline, as a table and as JSON
    OptionsTest.Outcome table = OptionsTest.run("analyze", run.resolve("model.zip").toString());
    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out()).contains("layer0", "layer1", "layer2");
    OptionsTest.Outcome asJson =
        OptionsTest.run(
            "analyze",
            run.resolve("model.zip").toString(),
            "--format",
            "json",
            "--probe-examples",
            "50",
            "--data-dir",
            dataDir().toString());
    assertThat(asJson.exit()).as(asJson.err()).isZero();
    JsonNode analysed = json.readTree(asJson.out());
    assertThat(analysed.get("layers")).hasSize(3);
    assertThat(analysed.get("layers").get(0).get("units").asInt()).isEqualTo(128);
    assertThat(analysed.get("layers").get(1).get("rank").get("activations").get("srank").asInt())
        .isPositive();
  }
}
