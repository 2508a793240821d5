package io.plasticitymonitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.internal.export.EndpointSink;
import io.plasticitymonitor.internal.export.LiveHistory;
import io.plasticitymonitor.internal.export.PlasticityMeters;
import io.plasticitymonitor.internal.export.PushgatewaySink;
import io.plasticitymonitor.internal.export.TaskLog;
import io.plasticitymonitor.remedy.RemedyRunner;
import io.plasticitymonitor.report.Sink;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How each collaborator of the listener is made from the configuration: the one place that both
 * {@link PlasticityMonitorModule} (through Guice) and {@link PlasticityMonitors} (without it) call,
 * so the two wirings cannot drift apart. The no-Guice path must not touch Guice: an application
 * without it may carry a Guava that Guice cannot run on.
 */
final class Wiring {
  private final PlasticityConfig config;

  Wiring(PlasticityConfig config) {
    this.config = config;
  }

  PlasticityMeters meters(MeterRegistry registry) {
    return new PlasticityMeters(config.runId(), registry);
  }

  TaskLog taskLog() {
    return new TaskLog(config.runDirectory());
  }

  /** The run's history for the live page; a sink only when {@link PlasticityConfig#livePage()}. */
  LiveHistory liveHistory() {
    return new LiveHistory(config.runId());
  }

  EndpointSink endpoint(MeterRegistry registry, PlasticityMeters meters, LiveHistory live) {
    return new EndpointSink(
        registry,
        meters,
        config.metricsPort(),
        config.metricsBindAddress(),
        config.basicAuthUser().orElse(null),
        config.basicAuthPassword().orElse(null),
        config.livePage() ? Optional.of(live) : Optional.empty());
  }

  PushgatewaySink pushgateway(MeterRegistry registry, PlasticityMeters meters) {
    return new PushgatewaySink(registry, meters, config.pushgateway(), config.runId());
  }

  Failures failures(PlasticityMeters meters) {
    return new Failures(meters);
  }

  Sinks sinks(Iterable<Sink> sinks, Failures failures) {
    return new Sinks(sinks, failures);
  }

  AnalysisSchedule schedule(AnalysisSchedule.Clock clock) {
    return new AnalysisSchedule(config.analysisBudget(), clock);
  }

  Analyses analyses(
      Set<SymmetryDetector> detectors,
      AnalysisSchedule schedule,
      AnalysisThread thread,
      PlasticityMeters meters,
      Failures failures) {
    AnalysisRunner runner =
        new AnalysisRunner(
            config.runId(),
            new Thresholds(
                config.deadEpsilon(),
                config.dormantTau(),
                config.mergeEpsilon(),
                config.srankDelta()),
            detectors);
    return new Analyses(config.runId(), runner, schedule, thread, meters, failures);
  }

  /**
   * Step plasticity: its gauge is fed after every sample, its training-thread time counts as
   * callback time in the analyses' budget, its failures have their own cause.
   */
  StepPlasticity steps(PlasticityMeters meters, AnalysisSchedule schedule, Failures failures) {
    return new StepPlasticity(
        config.stepSampling(), meters::stepImprovement, schedule::callbackTime, failures::step);
  }

  RemedyRunner remedies() {
    return RemedyRunner.of(config.remedy());
  }

  PlasticityListener listener(
      MeterRegistry registry,
      PlasticityMeters meters,
      AnalysisSchedule schedule,
      Analyses analyses,
      RemedyRunner remedies,
      Sinks sinks,
      EndpointSink endpoint,
      Failures failures) {
    return new PlasticityListener(
        config,
        registry,
        meters,
        schedule,
        analyses,
        new Evaluator(),
        remedies,
        steps(meters, schedule, failures),
        sinks,
        endpoint,
        failures);
  }

  /**
   * The whole listener without Guice: the built-in sinks in the module's order (meters, task log,
   * endpoint, Pushgateway, the live page's history), then {@code userSinks}.
   */
  PlasticityListener listener(
      MeterRegistry registry, Set<SymmetryDetector> detectors, Iterable<Sink> userSinks) {
    PlasticityMeters meters = meters(registry);
    LiveHistory live = liveHistory();
    EndpointSink endpoint = endpoint(registry, meters, live);
    List<Sink> all =
        new ArrayList<>(List.of(meters, taskLog(), endpoint, pushgateway(registry, meters)));
    if (config.livePage()) {
      all.add(live);
    }
    userSinks.forEach(all::add);
    Failures failures = failures(meters);
    AnalysisSchedule schedule = schedule(System::nanoTime);
    return listener(
        registry,
        meters,
        schedule,
        analyses(detectors, schedule, AnalysisThread.daemon(), meters, failures),
        remedies(),
        sinks(all, failures),
        endpoint,
        failures);
  }
}
