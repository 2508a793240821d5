package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page in a real browser: Debian's chromium, headless, loads the page of a listener that
 * trained a small real network for two tasks, and the charts it drew hold that run's data.
 */
class LivePageTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path SCREENSHOT = Path.of("target", "live-page.png");
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private PlasticityListener trainTwoTasks(PlasticityConfig.Builder b) {
    PlasticityListener listener = PlasticityMonitors.listener(b.outputDirectory(dir).build());
    MultiLayerNetwork net = Networks.mlp(0.1, 7, 8, 16, 16, 3);
    net.addListeners(listener);
    for (int t = 1; t <= 2; t++) {
      listener.startTask(
          "task-" + t,
          TaskData.builder()
              .evaluation(Networks.iterator(Networks.data(96, 8, 3, 100 + t), 32))
              .build());
      for (int epoch = 0; epoch < 10; epoch++) {
        net.fit(Networks.iterator(Networks.data(96, 8, 3, t), 16));
      }
      listener.endTask();
    }
    return listener;
  }

  private HttpResponse<String> get(int port, String path, String auth) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (auth != null) {
      r.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Runs headless chromium with a fresh profile; returns what it printed on standard output. */
  private String chromium(String url, String... args) throws IOException, InterruptedException {
    assertThat(CHROMIUM)
        .as(
            "the live page's browser test needs Debian's chromium: apt-get install chromium "
                + "(test-all.sh installs it)")
        .exists();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"),
                // The page polls data.json and draws: let its scripts and timers run before the
                // dump.
                "--virtual-time-budget=10000"));
    cmd.addAll(List.of(args));
    cmd.add(url);
    Path out = dir.resolve("chromium.out");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(dir.resolve("chromium.err").toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium ended within 120 s").isTrue();
    assertThat(p.exitValue())
        .as("chromium's exit status; stderr: %s", Files.readString(dir.resolve("chromium.err")))
        .isZero();
    return Files.readString(out);
  }

  /** data-points of the chart element with this id, as the page wrote it into the DOM. */
  private static int points(String dom, String id) {
    Matcher tag = Pattern.compile("<div[^>]*\\bid=\"" + id + "\"[^>]*>").matcher(dom);
    assertThat(tag.find()).as("chart #%s in the page", id).isTrue();
    Matcher n = Pattern.compile("data-points=\"(\\d+)\"").matcher(tag.group());
    assertThat(n.find())
        .as("chart #%s says how many points it holds: %s", id, tag.group())
        .isTrue();
    return Integer.parseInt(n.group(1));
  }

  @Test
  void aRealBrowserDrawsTheRunsChartsWithItsData() throws Exception {
    try (PlasticityListener l =
        trainTwoTasks(PlasticityConfig.builder().runId("live").metricsPort(0).livePage(true))) {
      int port = l.metricsPort().orElseThrow();
      JsonNode data = new ObjectMapper().readTree(get(port, "/live/data.json", null).body());
      assertThat(data.get("run").asText()).isEqualTo("live");
      assertThat(data.get("tasks")).hasSize(2);
      int analyses = data.get("analyses").size();
      assertThat(analyses)
          .as("one point per published analysis, at least the two task ends")
          .isGreaterThanOrEqualTo(2);
      int layers = data.get("analyses").get(0).get("layers").size();

      String url = "http://127.0.0.1:" + port + "/live/";
      String dom = chromium(url, "--dump-dom");
      assertThat(dom).contains("data-analyses=\"" + analyses + "\"", "data-tasks=\"2\"");
      // Dead and merged: every layer at every analysis; srank: the hidden layers with activations.
      assertThat(points(dom, "dead")).isEqualTo(analyses * (layers - 1));
      assertThat(points(dom, "merged")).isEqualTo(analyses * (layers - 1));
      assertThat(points(dom, "srank")).isPositive();
      assertThat(points(dom, "accuracy")).isEqualTo(2);
      assertThat(points(dom, "score")).isEqualTo(2);
      assertThat(dom).contains("<canvas"); // uPlot drew

      Files.createDirectories(SCREENSHOT.getParent());
      Files.deleteIfExists(SCREENSHOT);
      chromium(url, "--window-size=1280,1100", "--screenshot=" + SCREENSHOT.toAbsolutePath());
      assertThat(Files.size(SCREENSHOT)).as("a screenshot of the page").isGreaterThan(20_000);
    }
  }

  @Test
  void thePageSitsBehindTheSameBasicAuthAsMetrics() throws Exception {
    try (PlasticityListener l =
        trainTwoTasks(
            PlasticityConfig.builder()
                .runId("live-auth")
                .metricsPort(0)
                .basicAuth("prometheus", "s3cret")
                .livePage(true))) {
      int port = l.metricsPort().orElseThrow();
      for (String path : List.of("/live/", "/live/data.json", "/live/uPlot.iife.min.js")) {
        assertThat(get(port, path, null).statusCode()).as(path).isEqualTo(401);
        assertThat(get(port, path, "prometheus:s3cret").statusCode()).as(path).isEqualTo(200);
      }
    }
  }

  @Test
  void withoutTheSettingThereIsNoPage() throws Exception {
    try (PlasticityListener l =
        PlasticityMonitors.listener(
            PlasticityConfig.builder()
                .runId("no-live")
                .outputDirectory(dir)
                .metricsPort(0)
                .build())) {
      l.startTask("one");
      assertThat(get(l.metricsPort().orElseThrow(), "/live/", null).statusCode()).isEqualTo(404);
      l.endTask();
    }
  }
}
