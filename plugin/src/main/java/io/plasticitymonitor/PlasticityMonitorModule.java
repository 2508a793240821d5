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
import io.plasticitymonitor.internal.export.EndpointSink;
import io.plasticitymonitor.internal.export.LiveHistory;
import io.plasticitymonitor.internal.export.PlasticityMeters;
import io.plasticitymonitor.internal.export.PushgatewaySink;
import io.plasticitymonitor.internal.export.TaskLog;
import io.plasticitymonitor.remedy.RemedyRunner;
import io.plasticitymonitor.report.Sink;
import java.util.Objects;
import java.util.Set;

/**
 * Guice bindings of the plasticity monitor. Declares bindings only: no thread, socket or file is
 * touched until the listener's first {@code startTask}.
 *
 * <p>Provides: {@link PlasticityConfig} (the instance given), {@link PlasticityListener}
 * (singleton), {@link MeterRegistry} (default: a new {@link PrometheusMeterRegistry}; replace it
 * with {@code OptionalBinder.newOptionalBinder(binder(),
 * MeterRegistry.class).setBinding().toInstance(mine)}), the set of {@link SymmetryDetector}s (empty
 * unless you add some with {@link #detectors}) and the set of {@link Sink}s (the meters, the task
 * log, the {@code /metrics} endpoint and the Pushgateway, in that order, the live page's history
 * with {@link PlasticityConfig#livePage()}, then any you add with {@link #sinks}). Requires
 * nothing.
 */
public final class PlasticityMonitorModule extends AbstractModule {
  private final PlasticityConfig config;
  private final Wiring wiring;

  public PlasticityMonitorModule(PlasticityConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.wiring = new Wiring(config);
  }

  /**
   * The extension point for detectors of further mirror symmetries; from any module: {@code
   * PlasticityMonitorModule.detectors(binder()).addBinding().to(MyDetector.class);}
   */
  public static Multibinder<SymmetryDetector> detectors(Binder binder) {
    return Multibinder.newSetBinder(binder, SymmetryDetector.class);
  }

  /**
   * The extension point for sinks of the reports and task summaries; from any module: {@code
   * PlasticityMonitorModule.sinks(binder()).addBinding().to(MySink.class);}
   */
  public static Multibinder<Sink> sinks(Binder binder) {
    return Multibinder.newSetBinder(binder, Sink.class);
  }

  @Override
  protected void configure() {
    bind(PlasticityConfig.class).toInstance(config);
    detectors(binder());
    // The set keeps this order: the meters are current before the Pushgateway scrapes them.
    Multibinder<Sink> sinks = sinks(binder());
    sinks.addBinding().to(PlasticityMeters.class);
    sinks.addBinding().to(TaskLog.class);
    sinks.addBinding().to(EndpointSink.class);
    sinks.addBinding().to(PushgatewaySink.class);
    if (config.livePage()) {
      sinks.addBinding().to(LiveHistory.class);
    }
    OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class)
        .setDefault()
        .to(PrometheusMeterRegistry.class);
    OptionalBinder.newOptionalBinder(binder(), AnalysisSchedule.Clock.class)
        .setDefault()
        .toInstance(System::nanoTime);
    OptionalBinder.newOptionalBinder(binder(), AnalysisThread.class)
        .setDefault()
        .toInstance(AnalysisThread.daemon());
  }

  @Provides
  @Singleton
  PrometheusMeterRegistry prometheusRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  @Provides
  @Singleton
  PlasticityMeters meters(MeterRegistry registry) {
    return wiring.meters(registry);
  }

  @Provides
  @Singleton
  TaskLog taskLog() {
    return wiring.taskLog();
  }

  @Provides
  @Singleton
  EndpointSink endpoint(MeterRegistry registry, PlasticityMeters meters, LiveHistory live) {
    return wiring.endpoint(registry, meters, live);
  }

  @Provides
  @Singleton
  LiveHistory liveHistory() {
    return wiring.liveHistory();
  }

  @Provides
  @Singleton
  PushgatewaySink pushgateway(MeterRegistry registry, PlasticityMeters meters) {
    return wiring.pushgateway(registry, meters);
  }

  @Provides
  @Singleton
  Failures failures(PlasticityMeters meters) {
    return wiring.failures(meters);
  }

  @Provides
  @Singleton
  Sinks sinkDispatch(Set<Sink> sinks, Failures failures) {
    return wiring.sinks(sinks, failures);
  }

  @Provides
  @Singleton
  AnalysisSchedule schedule(AnalysisSchedule.Clock clock) {
    return wiring.schedule(clock);
  }

  @Provides
  @Singleton
  Analyses analyses(
      Set<SymmetryDetector> detectors,
      AnalysisSchedule schedule,
      AnalysisThread thread,
      PlasticityMeters meters,
      Failures failures) {
    return wiring.analyses(detectors, schedule, thread, meters, failures);
  }

  @Provides
  @Singleton
  RemedyRunner remedies() {
    return wiring.remedies();
  }

  @Provides
  @Singleton
  PlasticityListener listener(
      MeterRegistry registry,
      PlasticityMeters meters,
      AnalysisSchedule schedule,
      Analyses analyses,
      RemedyRunner remedies,
      Sinks sinks,
      EndpointSink endpoint,
      Failures failures) {
    return wiring.listener(
        registry, meters, schedule, analyses, remedies, sinks, endpoint, failures);
  }
}
