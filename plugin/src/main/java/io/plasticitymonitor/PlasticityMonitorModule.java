package io.plasticitymonitor;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import java.util.Set;

/**
 * Guice bindings of the plasticity monitor. Declares bindings only: no thread, socket or file is
 * touched until the listener's first {@code startTask}.
 *
 * <p>Provides: {@link PlasticityConfig} (the instance given), {@link PlasticityListener} (singleton),
 * {@link MeterRegistry} (default: a new {@link PrometheusMeterRegistry}; replace it with {@code
 * OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setBinding().toInstance(mine)}),
 * and the set of {@link SymmetryDetector}s (empty unless you add some with {@link #detectors}).
 * Requires nothing.
 */
public final class PlasticityMonitorModule extends AbstractModule {
  private final PlasticityConfig config;

  public PlasticityMonitorModule(PlasticityConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * The extension point for detectors of further mirror symmetries; from any module:
   * {@code PlasticityMonitorModule.detectors(binder()).addBinding().to(MyDetector.class);}
   */
  public static Multibinder<SymmetryDetector> detectors(Binder binder) {
    return Multibinder.newSetBinder(binder, SymmetryDetector.class);
  }

  @Override
  protected void configure() {
    bind(PlasticityConfig.class).toInstance(config);
    detectors(binder());
    OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class)
        .setDefault().to(PrometheusMeterRegistry.class);
  }

  @Provides
  @Singleton
  PrometheusMeterRegistry prometheusRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  @Provides
  @Singleton
  PlasticityListener listener(PlasticityConfig config, MeterRegistry registry, Set<SymmetryDetector> detectors) {
    return new PlasticityListener(config, registry, detectors);
  }
}
