package io.plasticitymonitor.internal.export;

import io.micrometer.core.instrument.MeterRegistry;
import io.plasticitymonitor.report.Sink;
import java.util.Optional;

/** Serves {@code /metrics} from the first task's start to close, when a port is configured. */
public final class EndpointSink implements Sink {
  private final MeterRegistry registry;
  private final Optional<Integer> port;
  private final String host;
  private final String user;
  private final String password;
  private volatile MetricsEndpoint endpoint;

  /**
   * @param port the port to serve on, none for no endpoint
   * @param user basic-auth user, or null for none
   */
  public EndpointSink(MeterRegistry registry, Optional<Integer> port, String host, String user,
      String password) {
    this.registry = registry;
    this.port = port;
    this.host = host;
    this.user = user;
    this.password = password;
  }

  @Override
  public String name() {
    return "endpoint";
  }

  @Override
  public synchronized void start() {
    if (port.isPresent() && endpoint == null) {
      endpoint = MetricsEndpoint.start(
          PrometheusRegistries.find(registry, "PlasticityConfig.metricsPort"), host, port.get(),
          user, password);
    }
  }

  /** The port served on, once started. */
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
