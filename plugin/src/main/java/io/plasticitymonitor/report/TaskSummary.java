package io.plasticitymonitor.report;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the monitor recorded for one ended task: the line of {@code tasks.jsonl}, as a value.
 *
 * @param run the run id
 * @param task the task's name
 * @param index 1 for the run's first task
 * @param startedAt when {@code startTask} was called
 * @param endedAt when {@code endTask} was called
 * @param iterations training iterations during the task (all workers)
 * @param endScore mean training score over the last 10% of the task's iterations; NaN with none
 * @param endAccuracy accuracy on the task's evaluation data, where some was given
 * @param layers each measured layer at the task's end
 * @param absorbedRatio (dead by weights + merged) / units over the hidden layers
 * @param remedy the configured remedy's name ({@link RemedySettings#name()}), if any
 * @param remedyApplied what the remedy applied during the task: units re-initialised (redo, cbp)
 *     or parameter arrays changed (syre, shrink-perturb); 0 without a remedy
 */
public record TaskSummary(
    String run,
    String task,
    int index,
    Instant startedAt,
    Instant endedAt,
    long iterations,
    double endScore,
    OptionalDouble endAccuracy,
    List<LayerSummary> layers,
    double absorbedRatio,
    Optional<String> remedy,
    long remedyApplied) {

  public TaskSummary {
    layers = List.copyOf(layers);
    remedy = remedy == null ? Optional.empty() : remedy;
  }

  /** A task without a remedy. */
  public TaskSummary(String run, String task, int index, Instant startedAt, Instant endedAt,
      long iterations, double endScore, OptionalDouble endAccuracy, List<LayerSummary> layers,
      double absorbedRatio) {
    this(run, task, index, startedAt, endedAt, iterations, endScore, endAccuracy, layers,
        absorbedRatio, Optional.empty(), 0);
  }
}
