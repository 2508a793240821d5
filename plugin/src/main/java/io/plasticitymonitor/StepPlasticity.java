package io.plasticitymonitor;

import io.plasticitymonitor.internal.network.StepMeasure;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.DoubleConsumer;
import java.util.function.LongConsumer;
import org.deeplearning4j.nn.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step plasticity for the listener (docs/metrics.md item 9): decides with {@link StepSampling}
 * which iterations to measure, measures them on the training thread with {@link StepMeasure} (the
 * batch in {@code onBackwardPass}, the loss before the update in {@code onGradientCalculation},
 * after it in {@code iterationDone}), and adds the samples to the running task's {@link
 * StepStatistics}. Its training-thread time is charged to the sampling budget and reported to
 * {@code onTime} (so the periodic analyses count it as monitor time). A failure is reported to
 * {@code onFailure} and never reaches training; that iteration gives no sample.
 */
final class StepPlasticity {
  private static final Logger LOG = LoggerFactory.getLogger(StepPlasticity.class);

  private final StepSampling sampling;
  private final StepMeasure measure = new StepMeasure();
  private final DoubleConsumer onRolling;
  private final LongConsumer onTime;
  private final BiConsumer<String, Throwable> onFailure;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /** The running task's samples; null between tasks. */
  private volatile StepStatistics task;

  /** Per thread: the statistics the iteration in progress was sampled for, and its time so far. */
  private final ThreadLocal<InFlight> inFlight = new ThreadLocal<>();

  private static final class InFlight {
    final StepStatistics statistics;
    long nanos;

    InFlight(StepStatistics statistics) {
      this.statistics = statistics;
    }
  }

  /**
   * @param onRolling receives the running task's rolling mean after every sample (the gauge)
   * @param onTime receives the training-thread nanoseconds of every measured iteration
   * @param onFailure receives what failed and why
   */
  StepPlasticity(
      StepSampling sampling,
      DoubleConsumer onRolling,
      LongConsumer onTime,
      BiConsumer<String, Throwable> onFailure) {
    this.sampling = Objects.requireNonNull(sampling, "sampling");
    this.onRolling = onRolling;
    this.onTime = onTime;
    this.onFailure = onFailure;
  }

  /** A task started: a fresh set of samples, and the gauge reads NaN until its first. */
  void taskStarted() {
    task = new StepStatistics();
    onRolling.accept(Double.NaN);
  }

  /** The running task ended: its samples, closed to later ones. */
  StepStatistics taskEnded() {
    StepStatistics t = task;
    task = null;
    if (t == null) {
      t = new StepStatistics();
    }
    t.close();
    return t;
  }

  /**
   * From {@code onBackwardPass}: decides whether this iteration is measured and takes its batch.
   */
  void backwardPass(Model model) {
    inFlight.remove();
    StepStatistics t = task;
    if (t == null || !sampling.enabled()) {
      return;
    }
    long start = System.nanoTime();
    try {
      if (!sampling.due(iterationCount(model), start)) {
        return;
      }
      String reason = measure.takeBatch(model);
      if (reason != null) {
        if (logged.add(reason)) {
          LOG.info("Plasticity monitor: step plasticity not measured: {}", reason);
        }
        return;
      }
      InFlight f = new InFlight(t);
      f.nanos = System.nanoTime() - start;
      inFlight.set(f);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      abandon("step plasticity (batch)", e);
    }
  }

  /** From {@code onGradientCalculation}: the loss before the update, on a measured iteration. */
  void gradientCalculated(Model model) {
    InFlight f = inFlight.get();
    if (f == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      measure.beforeUpdate(model);
      f.nanos += System.nanoTime() - start;
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      abandon("step plasticity (loss before the update)", e);
    }
  }

  /**
   * From {@code iterationDone}, after the remedy's step: the loss after the update, and the sample.
   */
  void iterationDone(Model model) {
    InFlight f = inFlight.get();
    if (f == null) {
      return;
    }
    inFlight.remove();
    long start = System.nanoTime();
    try {
      double p = measure.afterUpdate(model);
      if (f.statistics.add(p)) {
        onRolling.accept(f.statistics.rolling());
      }
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      measure.discard();
      onFailure.accept("step plasticity (loss after the update)", e);
    } finally {
      long nanos = f.nanos + System.nanoTime() - start;
      sampling.charge(nanos);
      onTime.accept(nanos);
    }
  }

  private void abandon(String what, Throwable e) {
    InFlight f = inFlight.get();
    inFlight.remove();
    measure.discard();
    if (f != null) {
      sampling.charge(f.nanos);
      onTime.accept(f.nanos);
    }
    onFailure.accept(what, e);
  }

  private static long iterationCount(Model model) {
    if (model instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork mln) {
      return mln.getIterationCount();
    }
    if (model instanceof org.deeplearning4j.nn.graph.ComputationGraph cg) {
      return cg.getIterationCount();
    }
    return 0;
  }
}
