package io.plasticitymonitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plasticitymonitor.report.Sink;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A plain factory for applications without Guice: the same listener as {@link
 * PlasticityMonitorModule} provides, made without Guice.
 *
 * <pre>{@code
 * PlasticityListener listener = PlasticityMonitors.listener(config);  // its own Prometheus registry
 * MeterRegistry registry = listener.registry();
 * }</pre>
 */
public final class PlasticityMonitors {
  private PlasticityMonitors() {}

  /** A listener with a new PrometheusMeterRegistry. */
  public static PlasticityListener listener(PlasticityConfig config) {
    return listener(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** A listener publishing to the given registry. */
  public static PlasticityListener listener(PlasticityConfig config, MeterRegistry registry) {
    return listener(config, registry, Set.of());
  }

  /** A listener publishing to the given registry, with detectors of further symmetries. */
  public static PlasticityListener listener(
      PlasticityConfig config, MeterRegistry registry, Set<SymmetryDetector> detectors) {
    return listener(config, registry, detectors, Set.of());
  }

  /**
   * A listener publishing to the given registry, with detectors of further symmetries and sinks of
   * your own (called after the built-in ones).
   *
   * @throws IllegalArgumentException naming a detector or sink whose name is not a valid tag value
   */
  public static PlasticityListener listener(
      PlasticityConfig config,
      MeterRegistry registry,
      Set<SymmetryDetector> detectors,
      Set<Sink> sinks) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(registry, "registry");
    return new Wiring(config).listener(registry, Set.copyOf(detectors), List.copyOf(sinks));
  }
}
