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
    List<LayerRow> layers) {

  TaskResult {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(description, "description");
    layers = List.copyOf(layers);
  }

  /** The layers whose unit measures exist (hidden layers). */
  List<LayerRow> hiddenLayers() {
    return layers.stream().filter(LayerRow::hidden).toList();
  }

  /**
   * One layer's measures at the end of a task. Counts are -1 and measures NaN where they do not
   * apply (unit measures of a non-hidden layer, activations without a probe) or could not be computed
   * (non-finite parameters).
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
