package io.plasticitymonitor.internal.export;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus scrape endpoint: {@code GET /metrics} serves the registry's exposition, in the
 * OpenMetrics text format when the request's {@code Accept} header asks for it (as Prometheus does)
 * and in the Prometheus text format 0.0.4 otherwise, as the Prometheus Java client does. Binds the
 * address it is given (127.0.0.1 by default in the config), optionally behind HTTP basic auth,
 * which covers the live page under {@code /live/} too when there is one.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
  private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String OPENMETRICS =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving.
   *
   * @param user basic-auth user, or null for none
   * @param live the live page to serve at {@code /live/}, if any
   * @throws IllegalStateException when the port is taken or the address cannot be bound
   */
  static MetricsEndpoint start(
      PrometheusMeterRegistry registry,
      String host,
      int port,
      String user,
      String password,
      Optional<LivePage> live) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (BindException e) {
      throw new IllegalStateException(
          "PlasticityConfig.metricsPort "
              + port
              + " on "
              + host
              + " cannot be bound ("
              + e.getMessage()
              + "): is another process using it?",
          e);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot serve /metrics on " + host + ":" + port + ": " + e, e);
    }
    List<HttpContext> contexts = new ArrayList<>();
    contexts.add(server.createContext("/metrics", exchange -> serve(exchange, registry)));
    live.ifPresent(page -> contexts.add(server.createContext("/live", page)));
    if (user != null) {
      BasicAuthenticator auth =
          new BasicAuthenticator("plasticity-monitor") {
            @Override
            public boolean checkCredentials(String u, String p) {
              // Constant-time comparison: the password is a secret.
              return MessageDigest.isEqual(
                      u.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8))
                  & MessageDigest.isEqual(
                      p.getBytes(StandardCharsets.UTF_8),
                      password.getBytes(StandardCharsets.UTF_8));
            }
          };
      contexts.forEach(c -> c.setAuthenticator(auth));
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "plasticity-metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
    LOG.info(
        "Plasticity metrics served on http://{}:{}/metrics", host, server.getAddress().getPort());
    if (live.isPresent()) {
      LOG.info(
          "Plasticity live page on http://{}:{}{}",
          host,
          server.getAddress().getPort(),
          LivePage.PATH);
    }
    return new MetricsEndpoint(server, executor);
  }

  private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())
          && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String type =
          wantsOpenMetrics(exchange.getRequestHeaders().get("Accept")) ? OPENMETRICS : TEXT;
      byte[] body = registry.scrape(type).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /**
   * Whether an {@code Accept} header lists the OpenMetrics text format with a non-zero quality, as
   * Prometheus's scrapes do ({@code application/openmetrics-text;version=1.0.0,...;q=0.5}).
   */
  static boolean wantsOpenMetrics(List<String> accept) {
    if (accept == null) {
      return false;
    }
    for (String header : accept) {
      for (String range : header.split(",")) {
        String[] parts = range.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/openmetrics-text")) {
          continue;
        }
        boolean refused = false;
        for (int i = 1; i < parts.length; i++) {
          String[] kv = parts[i].trim().split("=", 2);
          if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("q")) {
            try {
              refused = Double.parseDouble(kv[1].trim()) <= 0;
            } catch (NumberFormatException e) {
              refused = true;
            }
          }
        }
        if (!refused) {
          return true;
        }
      }
    }
    return false;
  }

  /** The port actually bound (useful when 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
