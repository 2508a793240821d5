package io.plasticitymonitor.report;

import io.plasticitymonitor.analysis.FreshNetworkGap;
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
 * @param remedyApplied what the remedy applied during the task: units re-initialised (redo, cbp) or
 *     parameter arrays changed (syre, shrink-perturb, l2-init); 0 without a remedy
 * @param stepImprovement mean step plasticity over the task's measured iterations (docs/metrics.md
 *     item 9); NaN without one
 * @param stepImprovementSamples how many iterations of the task step plasticity was measured on
 * @param baselineAccuracy a fresh network's accuracy on the task (item 10), where given
 * @param baselineScore a fresh network's end score on the task (item 10), where given
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
    long remedyApplied,
    double stepImprovement,
    long stepImprovementSamples,
    OptionalDouble baselineAccuracy,
    OptionalDouble baselineScore) {

  public TaskSummary {
    layers = List.copyOf(layers);
    remedy = remedy == null ? Optional.empty() : remedy;
    baselineAccuracy = baselineAccuracy == null ? OptionalDouble.empty() : baselineAccuracy;
    baselineScore = baselineScore == null ? OptionalDouble.empty() : baselineScore;
  }

  /** A task without step-plasticity samples or baseline. */
  public TaskSummary(
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
    this(
        run,
        task,
        index,
        startedAt,
        endedAt,
        iterations,
        endScore,
        endAccuracy,
        layers,
        absorbedRatio,
        remedy,
        remedyApplied,
        Double.NaN,
        0,
        OptionalDouble.empty(),
        OptionalDouble.empty());
  }

  /**
   * The fresh-network gap on accuracy, {@code baseline − achieved} (docs/metrics.md item 10):
   * positive when the continually trained network is worse; NaN unless both accuracies are known.
   */
  public double accuracyGap() {
    return baselineAccuracy.isPresent() && endAccuracy.isPresent()
        ? FreshNetworkGap.ofAccuracy(baselineAccuracy.getAsDouble(), endAccuracy.getAsDouble())
        : Double.NaN;
  }

  /**
   * The fresh-network gap on the end score, {@code achieved − baseline}: positive when the
   * continually trained network is worse; NaN unless both scores are known.
   */
  public double scoreGap() {
    return baselineScore.isPresent()
        ? FreshNetworkGap.ofScore(baselineScore.getAsDouble(), endScore) // NaN endScore gives NaN
        : Double.NaN;
  }

  /** A task without a remedy. */
  public TaskSummary(
      String run,
      String task,
      int index,
      Instant startedAt,
      Instant endedAt,
      long iterations,
      double endScore,
      OptionalDouble endAccuracy,
      List<LayerSummary> layers,
      double absorbedRatio) {
    this(
        run,
        task,
        index,
        startedAt,
        endedAt,
        iterations,
        endScore,
        endAccuracy,
        layers,
        absorbedRatio,
        Optional.empty(),
        0);
  }
}
