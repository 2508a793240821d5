package io.plasticitymonitor;

import java.util.OptionalDouble;

/**
 * What a freshly initialised network of the same configuration achieves on a task when it is
 * trained on the same task data for the same number of iterations: the reference the continually
 * trained network is compared with (the fresh-network gap, docs/metrics.md item 10). Give it with
 * the task, {@code TaskData.builder().baseline(…)}; compute it yourself or with {@link
 * FreshBaseline}.
 *
 * <pre>{@code
 * Baseline.accuracy(0.91)          // accuracy on the task's evaluation data
 * Baseline.score(0.31)             // end score: mean training score over the last 10% of iterations
 * Baseline.of(0.91, 0.31)          // both
 * }</pre>
 *
 * @param accuracy the fresh network's accuracy on the task's evaluation data, in [0, 1], if known
 * @param score the fresh network's end score (the same quantity as the task's {@code end_score}:
 *     DL4J's training score, regularisation included, averaged over the last 10% of its
 *     iterations), finite, if known
 */
public record Baseline(OptionalDouble accuracy, OptionalDouble score) {

  /**
   * @throws IllegalArgumentException if neither is given, the accuracy is outside [0, 1] or the
   *     score is not finite, quoting the value
   */
  public Baseline {
    if (accuracy == null || score == null) {
      throw new IllegalArgumentException(
          "Baseline needs OptionalDouble values, not null (got: accuracy="
              + accuracy
              + ", score="
              + score
              + ")");
    }
    if (accuracy.isEmpty() && score.isEmpty()) {
      throw new IllegalArgumentException(
          "Baseline needs an accuracy, a score or both (got: neither)");
    }
    if (accuracy.isPresent()) {
      checkAccuracy(accuracy.getAsDouble());
    }
    if (score.isPresent()) {
      checkScore(score.getAsDouble());
    }
  }

  /** A baseline accuracy alone. */
  public static Baseline accuracy(double accuracy) {
    return new Baseline(OptionalDouble.of(checkAccuracy(accuracy)), OptionalDouble.empty());
  }

  /** A baseline end score alone. */
  public static Baseline score(double score) {
    return new Baseline(OptionalDouble.empty(), OptionalDouble.of(checkScore(score)));
  }

  /** A baseline accuracy and end score. */
  public static Baseline of(double accuracy, double score) {
    return new Baseline(
        OptionalDouble.of(checkAccuracy(accuracy)), OptionalDouble.of(checkScore(score)));
  }

  private static double checkAccuracy(double accuracy) {
    if (!(accuracy >= 0 && accuracy <= 1)) {
      throw new IllegalArgumentException(
          "TaskData.baseline accuracy must be in [0, 1] (got: " + accuracy + ")");
    }
    return accuracy;
  }

  private static double checkScore(double score) {
    if (!Double.isFinite(score)) {
      throw new IllegalArgumentException(
          "TaskData.baselineScore must be a finite number (got: " + score + ")");
    }
    return score;
  }
}
