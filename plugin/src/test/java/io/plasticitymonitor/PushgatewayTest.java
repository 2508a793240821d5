package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes at task end to a real Pushgateway (Debian's prometheus-pushgateway, started here on
 * 127.0.0.1), and to one that is not there: bounded retries, counted, training unaffected.
 */
class PushgatewayTest {
  private static final Path BINARY = Path.of("/usr/bin/prometheus-pushgateway");
  @TempDir Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private int runOneTask(URI pushgateway, String run, PrometheusMeterRegistry registry) {
    PlasticityConfig config =
        PlasticityConfig.builder().runId(run).outputDirectory(dir).pushgateway(pushgateway).build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 2);
    Counter failures;
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      net.fit(Networks.data(16, 4, 2, 1));
      listener.endTask();
      failures = registry.get("plasticity.push.errors").counter();
    } // close() waits for the push
    return (int) failures.count();
  }

  @Test
  void pushesTheScrapeToARealPushgateway() throws Exception {
    assertThat(BINARY).as("Debian package prometheus-pushgateway (.ci/run installs it)").exists();
    int port = freePort();
    Process gateway =
        new ProcessBuilder(
                BINARY.toString(),
                "--web.listen-address=127.0.0.1:" + port,
                "--persistence.file=" + dir.resolve("pgw.data"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("pgw.log").toFile())
            .start();
    try {
      URI base = URI.create("http://127.0.0.1:" + port);
      awaitReady(base.resolve("/-/ready"));
      int failures =
          runOneTask(base, "pushed", new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      assertThat(failures).isZero();
      String metrics =
          http.send(
                  HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains("plasticity_task{")
          .containsPattern(
              "plasticity_layer_units\\{[^}]*job=\"plasticity-monitor\"[^}]*layer=\"layer0\"[^}]*run=\"pushed\"[^}]*\\} 5");
    } finally {
      gateway.destroy();
      gateway.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anUnreachablePushgatewayIsRetriedCountedAndHarmless() throws Exception {
    int closed = freePort(); // nothing listens there now
    int failures =
        runOneTask(
            URI.create("http://127.0.0.1:" + closed),
            "unpushed",
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    assertThat(failures).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("unpushed").resolve("tasks.jsonl"))).hasSize(1);
  }

  private void awaitReady(URI ready) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Pushgateway not ready within 20 s at " + ready);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
