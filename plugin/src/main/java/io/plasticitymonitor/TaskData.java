package io.plasticitymonitor;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * What a user may give with a task: probe inputs for the activation measures (otherwise the monitor
 * samples the task's own training inputs), held-out data whose accuracy becomes the task's end
 * accuracy, and a fresh network's result on the task to compare with (the fresh-network gap).
 *
 * <pre>{@code
 * listener.startTask("task-2", TaskData.builder()
 *     .probe(heldOutFeatures)          // [examples, ...] as the network's input
 *     .evaluation(heldOutIterator)     // accuracy measured at endTask()
 *     .baseline(0.91)                  // a fresh network's accuracy on the same evaluation data
 *     .baselineScore(0.31)             // and its end score
 *     .build());
 * }</pre>
 */
public final class TaskData {
  private static final TaskData NONE = new TaskData(null, null, null, null);

  private final INDArray[] probe;
  private final DataSetIterator evaluation;
  private final MultiDataSetIterator graphEvaluation;
  private final Baseline baseline;

  private TaskData(
      INDArray[] probe,
      DataSetIterator evaluation,
      MultiDataSetIterator graphEvaluation,
      Baseline baseline) {
    this.probe = probe;
    this.evaluation = evaluation;
    this.graphEvaluation = graphEvaluation;
    this.baseline = baseline;
  }

  /** No probe and no evaluation data. */
  public static TaskData none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The probe inputs, one per network input. */
  public Optional<INDArray[]> probe() {
    return Optional.ofNullable(probe).map(INDArray[]::clone);
  }

  public Optional<DataSetIterator> evaluation() {
    return Optional.ofNullable(evaluation);
  }

  public Optional<MultiDataSetIterator> graphEvaluation() {
    return Optional.ofNullable(graphEvaluation);
  }

  /** A fresh network's result on this task, if given. */
  public Optional<Baseline> baseline() {
    return Optional.ofNullable(baseline);
  }

  /** Collects task data; at most one kind of evaluation data. */
  public static final class Builder {
    private INDArray[] probe;
    private DataSetIterator evaluation;
    private MultiDataSetIterator graphEvaluation;
    private OptionalDouble baselineAccuracy = OptionalDouble.empty();
    private OptionalDouble baselineScore = OptionalDouble.empty();

    private Builder() {}

    /**
     * Inputs to measure activations on, as the network takes them (one array per network input,
     * first dimension the examples). Kept by reference: do not modify them during the task.
     */
    public Builder probe(INDArray... inputs) {
      Objects.requireNonNull(inputs, "probe");
      if (inputs.length == 0
          || Arrays.stream(inputs).anyMatch(a -> a == null || a.rank() < 2 || a.size(0) < 1)) {
        throw new IllegalArgumentException(
            "TaskData.probe must be one or more arrays of shape [examples, ...] with at least one "
                + "example (got: "
                + Arrays.toString(
                    Arrays.stream(inputs)
                        .map(a -> a == null ? "null" : Arrays.toString(a.shape()))
                        .toArray())
                + ")");
      }
      this.probe = inputs.clone();
      return this;
    }

    /** Held-out data of the task; its classification accuracy is measured at {@code endTask()}. */
    public Builder evaluation(DataSetIterator data) {
      this.evaluation = Objects.requireNonNull(data, "evaluation");
      return this;
    }

    /** Held-out data for a ComputationGraph with several inputs or outputs. */
    public Builder evaluation(MultiDataSetIterator data) {
      this.graphEvaluation = Objects.requireNonNull(data, "evaluation");
      return this;
    }

    /**
     * The accuracy a freshly initialised network of the same configuration reaches on this task's
     * evaluation data after training on the same task data for the same number of iterations.
     *
     * @throws IllegalArgumentException if it is outside [0, 1], quoting it
     */
    public Builder baseline(double accuracy) {
      this.baselineAccuracy = Baseline.accuracy(accuracy).accuracy();
      return this;
    }

    /**
     * That fresh network's end score: DL4J's training score, regularisation included, averaged over
     * the last 10% of its iterations (the same quantity as the task's {@code end_score}).
     *
     * @throws IllegalArgumentException if it is not finite, quoting it
     */
    public Builder baselineScore(double score) {
      this.baselineScore = Baseline.score(score).score();
      return this;
    }

    /** Both parts of a baseline at once, e.g. from {@link FreshBaseline}; replaces earlier ones. */
    public Builder baseline(Baseline baseline) {
      Objects.requireNonNull(baseline, "baseline");
      this.baselineAccuracy = baseline.accuracy();
      this.baselineScore = baseline.score();
      return this;
    }

    public TaskData build() {
      if (evaluation != null && graphEvaluation != null) {
        throw new IllegalArgumentException(
            "TaskData.evaluation may be a DataSetIterator or a MultiDataSetIterator, not both");
      }
      Baseline b =
          baselineAccuracy.isEmpty() && baselineScore.isEmpty()
              ? null
              : new Baseline(baselineAccuracy, baselineScore);
      return new TaskData(probe, evaluation, graphEvaluation, b);
    }
  }
}
