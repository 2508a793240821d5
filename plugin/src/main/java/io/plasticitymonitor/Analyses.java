package io.plasticitymonitor;

import io.plasticitymonitor.internal.export.PlasticityMeters;
import io.plasticitymonitor.internal.network.NativeMemory;
import io.plasticitymonitor.internal.network.NetworkReader;
import io.plasticitymonitor.internal.network.NetworkSnapshot;
import io.plasticitymonitor.internal.network.NetworkStructure;
import io.plasticitymonitor.report.PlasticityReport;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.deeplearning4j.nn.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs analyses: snapshots on the calling (training) thread, computation on the analysis thread, at
 * most one at a time so that at most one snapshot is ever held. Owns that thread.
 *
 * <p>{@link #atTaskEnd} never waits for a whole periodic analysis: one still running whose snapshot
 * is of the task's last iteration (no training since) is the end-of-task analysis, and its report
 * is published once, as the task's; any other is cancelled, stops before its next layer, publishes
 * nothing and is counted in {@code plasticity.analysis.cancelled}.
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

  /** The periodic analysis from its snapshot until it has finished, else null. */
  private final AtomicReference<Periodic> running = new AtomicReference<>();

  private ExecutorService executor;

  Analyses(
      String run,
      AnalysisRunner runner,
      AnalysisSchedule schedule,
      AnalysisThread thread,
      PlasticityMeters meters,
      Failures failures) {
    this.run = run;
    this.runner = runner;
    this.schedule = schedule;
    this.thread = thread;
    this.meters = meters;
    this.failures = failures;
  }

  /**
   * A periodic analysis in flight and what the end of its task decided about it. Its state moves
   * once from {@code RUNNING}: to {@code DONE} when it publishes, to {@code TAKEN} when the task's
   * end takes its report instead, to {@code CANCELLED} when the task's end stops it.
   */
  private static final class Periodic {
    static final int RUNNING = 0;
    static final int DONE = 1;
    static final int TAKEN = 2;
    static final int CANCELLED = 3;

    final Model model;
    final TaskState task;

    /**
     * The task's iteration count at the snapshot: equal at the task's end means no training since.
     */
    final long taskIterations;

    final AtomicInteger state = new AtomicInteger(RUNNING);

    /** The report, for the task's end once it was {@code TAKEN}; set before the state is read. */
    volatile PlasticityReport report;

    Periodic(Model model, TaskState task) {
      this.model = model;
      this.task = task;
      this.taskIterations = task.iterations();
    }

    boolean cancelled() {
      return state.get() == CANCELLED;
    }
  }

  /**
   * From {@code iterationDone}: starts a periodic analysis of {@code model} if one is due, or
   * counts it as skipped when the previous one still runs. {@code published} gets the report on the
   * analysis thread.
   */
  void periodicIfDue(
      Model model, TaskState task, long iteration, Consumer<PlasticityReport> published) {
    if (!schedule.due(task.probeReady())) {
      return;
    }
    Periodic p = new Periodic(model, task);
    if (!running.compareAndSet(null, p)) {
      meters.analysisSkipped();
      schedule.restart();
      return;
    }
    long start = schedule.now();
    NetworkSnapshot snapshot;
    try {
      snapshot = snapshot(model, task);
    } catch (RuntimeException e) {
      running.set(null);
      failures.analysis("periodic analysis (snapshot)", e);
      return;
    } catch (Error e) {
      running.set(null);
      throw e;
    }
    long snapshotNanos = schedule.now() - start;
    schedule.callbackTime(-snapshotNanos); // counted in this analysis's cost instead
    Instant takenAt = Instant.now();
    executor()
        .submit(
            () -> {
              long analysisStart = schedule.now();
              boolean cancelled = false;
              try {
                Optional<PlasticityReport> report =
                    runner.analyze(
                        snapshot, iteration, takenAt, failures::analysisPart, p::cancelled);
                if (report.isPresent()) {
                  p.report = report.get();
                  if (p.state.compareAndSet(Periodic.RUNNING, Periodic.DONE)) {
                    published.accept(report.get());
                  }
                }
                cancelled = p.cancelled();
              } catch (VirtualMachineError e) {
                throw e;
              } catch (Throwable e) {
                failures.analysis("periodic analysis", e);
              } finally {
                release(snapshot); // part of the analysis's cost, which the budget spaces
                long cost = snapshotNanos + schedule.now() - analysisStart;
                meters.analysisTime(cost);
                if (cancelled) {
                  meters.analysisCancelled(); // its partial cost would underestimate the next one's
                } else {
                  schedule.finished(cost);
                }
                running.set(null);
              }
            });
  }

  /**
   * The end-of-task analysis of {@code model}: the report of a periodic analysis still running on a
   * snapshot of this task's last iteration, else a new one, after cancelling a periodic analysis
   * still running and letting it stop at its next layer. Returns null (logged and counted) when it
   * fails.
   */
  PlasticityReport atTaskEnd(Model model, TaskState task, long iteration, Instant endedAt) {
    long start = System.nanoTime();
    boolean analysed = false;
    try {
      Periodic p = running.get();
      if (p != null
          && p.model == model
          && p.task == task
          && p.taskIterations == task.iterations()
          && p.state.compareAndSet(Periodic.RUNNING, Periodic.TAKEN)) {
        // Queued behind the periodic analysis on the one analysis thread: runs once it has
        // finished.
        PlasticityReport taken = executor().submit(() -> p.report).get();
        if (taken != null) {
          return taken;
        }
      } else if (p != null) {
        p.state.compareAndSet(Periodic.RUNNING, Periodic.CANCELLED);
      }
      // The single analysis thread would make this one wait anyway; waiting before the snapshot
      // keeps at most one snapshot (a copy of the parameters and activations) in memory.
      executor().submit(() -> {}).get();
      analysed = true;
      long own = schedule.now();
      NetworkSnapshot snapshot = snapshot(model, task);
      PlasticityReport report =
          executor()
              .submit(
                  () -> {
                    try {
                      return runner.analyze(snapshot, iteration, endedAt, failures::analysisPart);
                    } finally {
                      release(snapshot);
                    }
                  })
              .get();
      // What a periodic analysis of this network costs: the next task's first one is then spaced
      // by the budget, not started as soon as its probe is full and cancelled by a short task's
      // end.
      schedule.finished(schedule.now() - own);
      return report;
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
      if (analysed) {
        meters.analysisTime(System.nanoTime() - start);
      }
    }
    return null;
  }

  /**
   * Frees an analysed snapshot's native memory and hands what the C allocator holds free back to
   * the system, so that the process's resident set after an analysis is what training needs.
   */
  private void release(NetworkSnapshot snapshot) {
    try {
      snapshot.close();
    } catch (RuntimeException e) {
      failures.analysis("releasing a snapshot", e);
    }
    NativeMemory.trim();
  }

  private NetworkSnapshot snapshot(Model model, TaskState task) {
    NetworkStructure structure =
        structures.computeIfAbsent(
            model,
            m -> {
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
