package io.plasticitymonitor.internal.export;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plasticitymonitor.report.Sink;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /metrics} (and the live page, when its history is given) from the first task's
 * start to close, when a port is configured. A port that cannot be bound does not stop training: it
 * is logged, counted in {@code plasticity.monitor.errors{cause="metrics_endpoint"}}, and {@link
 * #port()} stays empty.
 */
public final class EndpointSink implements Sink {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointSink.class);

  private final MeterRegistry registry;
  private final PlasticityMeters meters;
  private final Optional<Integer> port;
  private final String host;
  private final String user;
  private final String password;
  private final Optional<LiveHistory> live;
  private volatile MetricsEndpoint endpoint;

  /**
   * @param port the port to serve on, none for no endpoint
   * @param user basic-auth user, or null for none
   * @param live the run's history, to serve the live page at {@code /live/}; none for no page
   */
  public EndpointSink(
      MeterRegistry registry,
      PlasticityMeters meters,
      Optional<Integer> port,
      String host,
      String user,
      String password,
      Optional<LiveHistory> live) {
    this.registry = registry;
    this.meters = meters;
    this.port = port;
    this.host = host;
    this.user = user;
    this.password = password;
    this.live = live;
  }

  @Override
  public String name() {
    return "endpoint";
  }

  /**
   * @throws IllegalStateException when a port is configured but the registry is not a Prometheus
   *     one (a configuration error, thrown to the first {@code startTask})
   */
  @Override
  public synchronized void start() {
    if (port.isEmpty() || endpoint != null) {
      return;
    }
    PrometheusMeterRegistry prometheus =
        PrometheusRegistries.find(registry, "PlasticityConfig.metricsPort");
    try {
      endpoint =
          MetricsEndpoint.start(
              prometheus, host, port.get(), user, password, live.map(LivePage::new));
    } catch (IllegalStateException e) {
      meters.failed("metrics_endpoint");
      LOG.error(
          "{} Training goes on without /metrics; PlasticityListener.metricsEndpointUp() is "
              + "false.",
          e.getMessage());
    }
  }

  /** The port served on, once started; empty when it could not be bound. */
  public Optional<Integer> port() {
    MetricsEndpoint e = endpoint;
    return e == null ? Optional.empty() : Optional.of(e.port());
  }

  @Override
  public synchronized void close() {
    if (endpoint != null) {
      endpoint.close();
      endpoint = null;
    }
  }
}
