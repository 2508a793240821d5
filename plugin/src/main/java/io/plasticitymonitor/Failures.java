package io.plasticitymonitor;

import io.plasticitymonitor.internal.export.PlasticityMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error policy: a failure inside the monitor is logged with what failed, counted by its cause,
 * and never thrown into training. Analyses count in {@code plasticity.analysis.errors}, sinks in
 * {@code plasticity.sink.errors{sink}}, the rest in {@code plasticity.monitor.errors{cause}}.
 */
final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private final PlasticityMeters meters;

  Failures(PlasticityMeters meters) {
    this.meters = meters;
  }

  /** An analysis, or a part of one, failed. */
  void analysis(String what, Throwable e) {
    meters.analysisFailed();
    LOG.warn("Plasticity monitor: {} failed; training continues", what, e);
  }

  /** Counts a part of an analysis that already logged why (a detector, the activations). */
  void analysisPart() {
    meters.analysisFailed();
  }

  /** A training callback's own work failed (reading the inputs into the probe sample). */
  void callback(String what, Throwable e) {
    other("callback", what, e);
  }

  /** Measuring a task's accuracy on its evaluation data failed. */
  void evaluation(String what, Throwable e) {
    other("evaluation", what, e);
  }

  /** A remedy failed while acting on the network. */
  void remedy(String what, Throwable e) {
    other("remedy", what, e);
  }

  /** Measuring step plasticity failed (that iteration gives no sample). */
  void step(String what, Throwable e) {
    other("step", what, e);
  }

  /** A call to a sink failed. */
  void sink(String sink, String what, Throwable e) {
    meters.sinkFailed(sink);
    LOG.warn("Plasticity monitor: sink '{}' failed in {}; training continues", sink, what, e);
  }

  private void other(String cause, String what, Throwable e) {
    meters.failed(cause);
    LOG.warn("Plasticity monitor: {} failed; training continues", what, e);
  }
}
