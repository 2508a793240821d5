package io.plasticitymonitor;

import io.plasticitymonitor.internal.export.PlasticityMeters;
import io.plasticitymonitor.internal.network.NetworkReader;
import io.plasticitymonitor.internal.network.NetworkSnapshot;
import io.plasticitymonitor.internal.network.NetworkStructure;
import io.plasticitymonitor.report.PlasticityReport;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.deeplearning4j.nn.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs analyses: snapshots on the calling (training) thread, computation on the analysis thread,
 * at most one at a time so that at most one snapshot is ever held. Owns that thread.
 */
final class Analyses {
  private static final Logger LOG = LoggerFactory.getLogger(Analyses.class);

  private final String run;
  private final AnalysisRunner runner;
  private final AnalysisSchedule schedule;
  private final AnalysisThread thread;
  private final PlasticityMeters meters;
  private final Failures failures;
  private final Map<Model, NetworkStructure> structures =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final AtomicBoolean running = new AtomicBoolean();
  private ExecutorService executor;

  Analyses(String run, AnalysisRunner runner, AnalysisSchedule schedule, AnalysisThread thread,
      PlasticityMeters meters, Failures failures) {
    this.run = run;
    this.runner = runner;
    this.schedule = schedule;
    this.thread = thread;
    this.meters = meters;
    this.failures = failures;
  }

  /**
   * From {@code iterationDone}: starts a periodic analysis of {@code model} if one is due, or counts
   * it as skipped when the previous one still runs. {@code published} gets the report on the
   * analysis thread.
   */
  void periodicIfDue(Model model, TaskState task, long iteration, Consumer<PlasticityReport> published) {
    if (!schedule.due(task.probeReady())) {
      return;
    }
    if (!running.compareAndSet(false, true)) {
      meters.analysisSkipped();
      schedule.restart();
      return;
    }
    long start = schedule.now();
    NetworkSnapshot snapshot;
    try {
      snapshot = snapshot(model, task);
    } catch (RuntimeException e) {
      running.set(false);
      failures.analysis("periodic analysis (snapshot)", e);
      return;
    } catch (Error e) {
      running.set(false);
      throw e;
    }
    long snapshotNanos = schedule.now() - start;
    schedule.callbackTime(-snapshotNanos); // counted in this analysis's cost instead
    Instant takenAt = Instant.now();
    executor().submit(() -> {
      long analysisStart = schedule.now();
      try {
        published.accept(runner.analyze(snapshot, iteration, takenAt, failures::analysisPart));
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        failures.analysis("periodic analysis", e);
      } finally {
        long cost = snapshotNanos + schedule.now() - analysisStart;
        meters.analysisTime(cost);
        schedule.finished(cost);
        running.set(false);
      }
    });
  }

  /**
   * The end-of-task analysis of {@code model}: waits for a periodic one still running, then
   * snapshots and analyses. Returns null (logged and counted) when it fails.
   */
  PlasticityReport atTaskEnd(Model model, TaskState task, long iteration, Instant endedAt) {
    long start = System.nanoTime();
    try {
      // The single analysis thread would make this one wait anyway; waiting before the snapshot
      // keeps at most one snapshot (a copy of the parameters and activations) in memory.
      executor().submit(() -> { }).get();
      NetworkSnapshot snapshot = snapshot(model, task);
      return executor().submit(
          () -> runner.analyze(snapshot, iteration, endedAt, failures::analysisPart)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.analysis("end-of-task analysis", e);
    } catch (ExecutionException e) {
      failures.analysis("end-of-task analysis", e.getCause());
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      failures.analysis("end-of-task analysis", e);
    } finally {
      meters.analysisTime(System.nanoTime() - start);
    }
    return null;
  }

  private NetworkSnapshot snapshot(Model model, TaskState task) {
    NetworkStructure structure = structures.computeIfAbsent(model, m -> {
      NetworkStructure s = NetworkStructure.of(m);
      LOG.info("Plasticity monitor measures layers {}", s.layerNames());
      s.notes().forEach(n -> LOG.info("Plasticity monitor: {}", n));
      return s;
    });
    return NetworkReader.snapshot(model, structure, task.probe());
  }

  private synchronized ExecutorService executor() {
    if (executor == null) {
      executor = thread.start(run);
    }
    return executor;
  }

  /** Waits for the analysis still running (at most 30 s) and stops the thread. */
  void close() {
    ExecutorService ex;
    synchronized (this) {
      ex = executor;
    }
    if (ex == null) {
      return;
    }
    ex.shutdown();
    try {
      if (!ex.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Plasticity analysis still running 30 s after close(); abandoning it");
        ex.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
