package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
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
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
    if (auth != null) {
      r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
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
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(r.body()).contains("plasticity_task{run=\"http\"} 1.0");
      l.endTask();
    }
  }

  @Test
  void basicAuthKeepsStrangersOut() throws Exception {
    try (PlasticityListener l = listener(PlasticityConfig.builder().runId("auth").metricsPort(0)
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
  void aTakenPortIsAClearErrorAtStart() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      try (PlasticityListener l = listener(PlasticityConfig.builder().runId("taken").metricsPort(port))) {
        assertThatThrownBy(() -> l.startTask("one")).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("metricsPort " + port);
      }
    }
  }

  @Test
  void aPortNeedsAPrometheusRegistry() {
    PlasticityConfig config = PlasticityConfig.builder().runId("simple").outputDirectory(dir).metricsPort(0).build();
    try (PlasticityListener l = PlasticityMonitors.listener(config, new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> l.startTask("one")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("PrometheusMeterRegistry");
    }
  }
}
