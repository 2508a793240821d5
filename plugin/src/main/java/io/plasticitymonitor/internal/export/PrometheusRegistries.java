package io.plasticitymonitor.internal.export;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Finds the Prometheus registry that the endpoint and the Pushgateway read. */
final class PrometheusRegistries {
  private PrometheusRegistries() {}

  /**
   * The registry itself or the first Prometheus registry inside a composite.
   *
   * @param setting the configuration that needs it, for the error message
   * @throws IllegalStateException when there is none
   */
  static PrometheusMeterRegistry find(MeterRegistry registry, String setting) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (registry instanceof CompositeMeterRegistry c) {
      for (MeterRegistry r : c.getRegistries()) {
        if (r instanceof PrometheusMeterRegistry p) {
          return p;
        }
      }
    }
    throw new IllegalStateException(
        setting
            + " needs a PrometheusMeterRegistry, but the "
            + "MeterRegistry bound is a "
            + registry.getClass().getName());
  }
}
