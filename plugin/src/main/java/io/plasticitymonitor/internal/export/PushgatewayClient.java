package io.plasticitymonitor.internal.export;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Pushes the scrape text to a Prometheus Pushgateway with a plain HTTP PUT (which replaces the
 * group {@code job="plasticity-monitor", run=<run>}), with a few bounded retries. The client_java
 * pushgateway module is not used: its versions that resolve here lag the metrics core.
 */
final class PushgatewayClient {
  static final int ATTEMPTS = 3;
  private final URI target;
  private final HttpClient http;

  PushgatewayClient(URI base, String run) {
    String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
    this.target =
        base.resolve(
            path
                + "/metrics/job/plasticity-monitor/run/"
                + URLEncoder.encode(run, StandardCharsets.UTF_8));
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  }

  URI target() {
    return target;
  }

  /**
   * Sends {@code exposition}; retries {@value #ATTEMPTS} times in all, with a short pause between.
   *
   * @throws IOException the last failure once every attempt failed
   */
  void push(String exposition) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        HttpRequest req =
            HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .PUT(HttpRequest.BodyPublishers.ofString(exposition))
                .build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 == 2) {
          return;
        }
        last =
            new IOException(
                "Pushgateway "
                    + target
                    + " answered "
                    + resp.statusCode()
                    + ": "
                    + resp.body().strip());
      } catch (IOException e) {
        last = e;
      }
      if (attempt < ATTEMPTS) {
        Thread.sleep(200L * attempt);
      }
    }
    throw last;
  }
}
