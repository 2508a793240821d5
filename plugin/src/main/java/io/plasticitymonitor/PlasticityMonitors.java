package io.plasticitymonitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;

/**
 * A plain factory for applications without Guice.
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
    return new PlasticityListener(config, registry, detectors);
  }
}
