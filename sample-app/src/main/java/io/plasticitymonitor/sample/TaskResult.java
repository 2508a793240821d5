package io.plasticitymonitor.sample;

import java.util.List;
import java.util.Objects;

/**
 * What the app reports about one ended task: the plugin's numbers plus the app's own timings, as
 * plain values (so the table, CSV, plots and page do not depend on the plugin's types).
 *
 * @param index 1 for the first task
 * @param task the task's name
 * @param description what makes the task different
 * @param accuracy accuracy on the task's held-out examples; NaN when unknown
 * @param endLoss mean data loss (DL4J's score without the weight-decay penalty) over the last 10%
 *     of the task's iterations; NaN when unknown
 * @param endScore the plugin's end score: DL4J's score (loss plus penalty) over the same
 *     iterations; NaN when unknown
 * @param trainSeconds wall time of the task's training
 * @param examplesPerSecond training throughput
 * @param absorbedRatio (dead by weights + merged) / units over the hidden layers; NaN when unknown
 * @param layers every analysed layer, in network order
 * @param plasticity how well the task was learnt, beside a fresh network's result
 */
record TaskResult(
    int index,
    String task,
    String description,
    double accuracy,
    double endLoss,
    double endScore,
    double trainSeconds,
    double examplesPerSecond,
    double absorbedRatio,
    List<LayerRow> layers,
    Learning plasticity) {

  TaskResult {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(plasticity, "plasticity");
    layers = List.copyOf(layers);
  }

  /** A task whose learning is known only by its accuracy (no baseline, no online loss). */
  TaskResult(
      int index,
      String task,
      String description,
      double accuracy,
      double endLoss,
      double endScore,
      double trainSeconds,
      double examplesPerSecond,
      double absorbedRatio,
      List<LayerRow> layers) {
    this(
        index,
        task,
        description,
        accuracy,
        endLoss,
        endScore,
        trainSeconds,
        examplesPerSecond,
        absorbedRatio,
        layers,
        new Learning(Scenario.Headline.ACCURACY, accuracy, Double.NaN, Double.NaN, Double.NaN));
  }

  /**
   * How well the task was learnt: the scenario's headline number for the monitored network and for
   * a freshly initialised one trained the same way ({@link Baseline}).
   *
   * @param headline which number: accuracy (higher is better) or online error (lower is better)
   * @param achieved the monitored network's
   * @param onlineLoss the monitored network's mean data loss before each update, over the task
   * @param baseline the fresh network's; NaN where no baseline was trained for this task
   * @param reference a reference learner's headline (the linear learner of
   *     slowly-changing-regression, trained continually); NaN where there is none
   */
  record Learning(
      Scenario.Headline headline,
      double achieved,
      double onlineLoss,
      double baseline,
      double reference) {
    Learning {
      Objects.requireNonNull(headline, "headline");
    }

    /** {@link Scenario.Headline#gap}: positive when the monitored network learnt worse. */
    double gap() {
      return Double.isNaN(baseline) || Double.isNaN(achieved)
          ? Double.NaN
          : headline.gap(achieved, baseline);
    }
  }

  /** The layers whose unit measures exist (hidden layers). */
  List<LayerRow> hiddenLayers() {
    return layers.stream().filter(LayerRow::hidden).toList();
  }

  /**
   * One layer's measures at the end of a task. Counts are -1 and measures NaN where they do not
   * apply (unit measures of a non-hidden layer, activations without a probe) or could not be
   * computed (non-finite parameters).
   *
   * @param layer the layer's name as DL4J reports it ({@code layer0}, …)
   * @param units units of the layer
   * @param hidden whether the layer is hidden (has unit measures)
   * @param deadWeights units dead by weights
   * @param deadActivations τ-dormant units on the probe
   * @param merged merged units
   * @param distinct units that are neither dead nor merged
   * @param srankActivations srank of the probe activations
   * @param srankWeights srank of the weight matrix
   * @param weightMagnitude mean |w|
   * @param becameDead units that died (by weights) during this task
   * @param nonfiniteParameters NaN or ±Inf parameters
   */
  record LayerRow(
      String layer,
      int units,
      boolean hidden,
      int deadWeights,
      int deadActivations,
      int merged,
      int distinct,
      double srankActivations,
      double srankWeights,
      double weightMagnitude,
      int becameDead,
      long nonfiniteParameters) {

    LayerRow {
      Objects.requireNonNull(layer, "layer");
    }
  }
}
