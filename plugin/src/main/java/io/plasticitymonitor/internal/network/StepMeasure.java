package io.plasticitymonitor.internal.network;

import io.plasticitymonitor.analysis.StepImprovement;
import org.deeplearning4j.nn.api.Model;

/**
 * Measures step plasticity (docs/metrics.md item 9) of one iteration, in three calls on the thread
 * that trains the network: {@link #takeBatch} in {@code onBackwardPass} (the labels of a
 * ComputationGraph are reachable only then), {@link #beforeUpdate} in {@code onGradientCalculation}
 * (after the gradient, before the update: the loss at the parameters the gradient was taken at) and
 * {@link #afterUpdate} in {@code iterationDone} (the loss after the update), both losses in
 * inference mode by {@link MinibatchLoss}. State is per thread, because ParallelWrapper's workers
 * train their replicas each on its own thread and DL4J calls every callback of an iteration on the
 * thread that trains it.
 */
public final class StepMeasure {
  private final ThreadLocal<Pending> pending = new ThreadLocal<>();

  /** The iteration's batch and, once {@link #beforeUpdate} ran, its loss before the update. */
  private record Pending(Model model, MinibatchLoss.Batch batch, double lossBefore) {}

  /**
   * Takes references to the iteration's batch. Call in {@code onBackwardPass} of an iteration to be
   * measured.
   *
   * @return null when taken, else why the iteration cannot be measured
   */
  public String takeBatch(Model model) {
    pending.remove();
    MinibatchLoss.Current current = MinibatchLoss.current(model);
    if (current instanceof MinibatchLoss.NotMeasurable n) {
      return n.reason();
    }
    pending.set(new Pending(model, ((MinibatchLoss.Measurable) current).batch(), Double.NaN));
    return null;
  }

  /**
   * The batch's loss at the parameters the gradient was computed at: one inference forward pass,
   * only when {@link #takeBatch} took this model's batch on this thread. Call in {@code
   * onGradientCalculation}.
   */
  public void beforeUpdate(Model model) {
    Pending p = pending.get();
    if (p != null && p.model() == model) {
      pending.set(new Pending(model, p.batch(), MinibatchLoss.of(model, p.batch())));
    }
  }

  /**
   * The step plasticity of the iteration whose batch this thread took: the batch's loss now, after
   * the update, against the loss before. Call in {@code iterationDone}.
   *
   * @return {@link StepImprovement#of}: in [0, 1], or NaN when the iteration gives no sample (no
   *     batch taken for this model, or losses whose ratio means nothing)
   */
  public double afterUpdate(Model model) {
    Pending p = pending.get();
    pending.remove(); // the batch's arrays are valid only within this iteration
    if (p == null || p.model() != model) {
      return Double.NaN;
    }
    double before = p.lossBefore();
    if (!(before > 0) || before == Double.POSITIVE_INFINITY) {
      return Double.NaN; // no sample whatever the loss after: spare its forward pass
    }
    return StepImprovement.of(before, MinibatchLoss.of(model, p.batch()));
  }

  /** Whether this thread holds a batch of {@code model} for the iteration in progress. */
  public boolean pending(Model model) {
    Pending p = pending.get();
    return p != null && p.model() == model;
  }

  /** Drops what this thread holds (an iteration that failed between its calls). */
  public void discard() {
    pending.remove();
  }
}
