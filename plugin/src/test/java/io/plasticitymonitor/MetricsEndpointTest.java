package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scrape endpoint, over real HTTP on 127.0.0.1. */
class MetricsEndpointTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private PlasticityListener listener(PlasticityConfig.Builder b) {
    return Guice.createInjector(new PlasticityMonitorModule(b.outputDirectory(dir).build()))
        .getInstance(PlasticityListener.class);
  }

  private HttpResponse<String> get(int port, String auth) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
    if (auth != null) {
      r.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheScrapeTextOnLoopbackFromTheFirstTask() throws Exception {
    try (PlasticityListener l = listener(PlasticityConfig.builder().runId("http").metricsPort(0))) {
      assertThat(l.metricsPort()).isEmpty();
      l.startTask("one");
      int port = l.metricsPort().orElseThrow();
      HttpResponse<String> r = get(port, null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(r.body()).contains("plasticity_task{run=\"http\"} 1.0");
      l.endTask();
    }
  }

  @Test
  void basicAuthKeepsStrangersOut() throws Exception {
    try (PlasticityListener l =
        listener(
            PlasticityConfig.builder()
                .runId("auth")
                .metricsPort(0)
                .basicAuth("prometheus", "s3cret"))) {
      l.startTask("one");
      int port = l.metricsPort().orElseThrow();
      assertThat(get(port, null).statusCode()).isEqualTo(401);
      assertThat(get(port, "prometheus:wrong").statusCode()).isEqualTo(401);
      assertThat(get(port, "prometheus:s3cret").statusCode()).isEqualTo(200);
      l.endTask();
    }
  }

  @Test
  void aTakenPortIsLoggedCountedAndTrainingGoesOnWithoutTheEndpoint() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      MultiLayerNetwork net = Networks.mlp(0.1, 3, 4, 6, 2);
      try (PlasticityListener l =
          PlasticityMonitors.listener(
              PlasticityConfig.builder()
                  .runId("taken")
                  .outputDirectory(dir)
                  .metricsPort(port)
                  .build(),
              registry)) {
        net.addListeners(l);
        l.startTask("one"); // does not throw into the training loop
        net.fit(Networks.data(16, 4, 2, 1));
        assertThat(l.metricsEndpointUp()).isFalse();
        assertThat(l.metricsPort()).isEmpty();
        assertThat(
                registry
                    .get("plasticity.monitor.errors")
                    .tag("cause", "metrics_endpoint")
                    .counter()
                    .count())
            .isEqualTo(1.0);
        assertThat(l.endTask().index()).isEqualTo(1);
        l.startTask("two");
        net.fit(Networks.data(16, 4, 2, 2));
        l.endTask();
      }
      assertThat(Files.readAllLines(dir.resolve("taken").resolve("tasks.jsonl"))).hasSize(2);
    }
  }

  @Test
  void theEndpointIsUpFromTheFirstTaskToClose() throws Exception {
    PlasticityListener l = listener(PlasticityConfig.builder().runId("up").metricsPort(0));
    assertThat(l.metricsEndpointUp()).isFalse();
    l.startTask("one");
    assertThat(l.metricsEndpointUp()).isTrue();
    l.endTask();
    l.close();
    assertThat(l.metricsEndpointUp()).isFalse();
    assertThat(listener(PlasticityConfig.builder().runId("off")).metricsEndpointUp()).isFalse();
  }

  private HttpResponse<String> scrape(int port, String accept) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
    if (accept != null) {
      r.header("Accept", accept);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesOpenMetricsWhenAskedAsPrometheusAsksAndTextOtherwise() throws Exception {
    try (PlasticityListener l = listener(PlasticityConfig.builder().runId("om").metricsPort(0))) {
      l.startTask("one");
      int port = l.metricsPort().orElseThrow();
      // What Prometheus 2.x sends with every scrape.
      HttpResponse<String> om =
          scrape(
              port,
              "application/openmetrics-text;version=1.0.0,"
                  + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
      assertThat(om.headers().firstValue("Content-Type"))
          .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(om.body())
          .endsWith("# EOF\n")
          .contains("# TYPE plasticity_monitor_errors counter")
          .contains("plasticity_monitor_errors_total{cause=\"callback\",run=\"om\"} 0");
      for (String accept :
          new String[] {
            null, "text/plain", "*/*", "application/openmetrics-text;q=0, text/plain;version=0.0.4"
          }) {
        HttpResponse<String> text = scrape(port, accept);
        assertThat(text.headers().firstValue("Content-Type"))
            .as("Accept: %s", accept)
            .hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text.body())
            .as("Accept: %s", accept)
            .doesNotContain("# EOF")
            .contains("# TYPE plasticity_monitor_errors_total counter");
      }
      l.endTask();
    }
  }

  @Test
  void aPortNeedsAPrometheusRegistry() {
    PlasticityConfig config =
        PlasticityConfig.builder().runId("simple").outputDirectory(dir).metricsPort(0).build();
    try (PlasticityListener l = PlasticityMonitors.listener(config, new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> l.startTask("one"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("PrometheusMeterRegistry");
    }
  }
}
