package io.plasticitymonitor;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * What a user may give with a task: probe inputs for the activation measures (otherwise the monitor
 * samples the task's own training inputs) and held-out data whose accuracy becomes the task's end
 * accuracy.
 *
 * <pre>{@code
 * listener.startTask("task-2", TaskData.builder()
 *     .probe(heldOutFeatures)          // [examples, ...] as the network's input
 *     .evaluation(heldOutIterator)     // accuracy measured at endTask()
 *     .build());
 * }</pre>
 */
public final class TaskData {
  private static final TaskData NONE = new TaskData(null, null, null);

  private final INDArray[] probe;
  private final DataSetIterator evaluation;
  private final MultiDataSetIterator graphEvaluation;

  private TaskData(INDArray[] probe, DataSetIterator evaluation, MultiDataSetIterator graphEvaluation) {
    this.probe = probe;
    this.evaluation = evaluation;
    this.graphEvaluation = graphEvaluation;
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

  /** Collects task data; at most one kind of evaluation data. */
  public static final class Builder {
    private INDArray[] probe;
    private DataSetIterator evaluation;
    private MultiDataSetIterator graphEvaluation;

    private Builder() {}

    /**
     * Inputs to measure activations on, as the network takes them (one array per network input,
     * first dimension the examples). Kept by reference: do not modify them during the task.
     */
    public Builder probe(INDArray... inputs) {
      Objects.requireNonNull(inputs, "probe");
      if (inputs.length == 0 || Arrays.stream(inputs).anyMatch(a -> a == null || a.rank() < 2 || a.size(0) < 1)) {
        throw new IllegalArgumentException(
            "TaskData.probe must be one or more arrays of shape [examples, ...] with at least one "
                + "example (got: " + Arrays.toString(Arrays.stream(inputs)
                    .map(a -> a == null ? "null" : Arrays.toString(a.shape())).toArray()) + ")");
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

    public TaskData build() {
      if (evaluation != null && graphEvaluation != null) {
        throw new IllegalArgumentException(
            "TaskData.evaluation may be a DataSetIterator or a MultiDataSetIterator, not both");
      }
      return new TaskData(probe, evaluation, graphEvaluation);
    }
  }
}
