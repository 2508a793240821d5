package io.plasticitymonitor.analysis;

/**
 * Everything measured on one layer. Parts that do not apply are null: {@code unitMeasures} for
 * layers that are not hidden, {@code activations} where no probe activations were measured, and
 * every measure but {@code units} and {@code nonfiniteParameters} when the parameters hold NaN or
 * ±Inf.
 *
 * @param layer the layer's name
 * @param units number of units
 * @param hidden whether the layer is hidden (its units feed a later layer with weights)
 * @param nonfiniteParameters count of NaN or ±Inf parameters (item 8)
 * @param weightMagnitude mean |w| over the weights, biases excluded (item 6); NaN when non-finite
 * @param weightRank rank measures of the {@code [fanIn, units]} weight matrix; null when non-finite
 * @param unitMeasures items 1, 3, 4, 7 for hidden layers; null otherwise
 * @param activations items 2 and 5 of the activations; null when not measured or non-finite
 * @param recurrentRank rank measures of a recurrent layer's recurrent weights {@code [n, G·n]}
 *     ({@code of="recurrent_weights"}); null for other layers or when non-finite
 */
public record LayerMeasures(
    String layer,
    int units,
    boolean hidden,
    long nonfiniteParameters,
    double weightMagnitude,
    RankMeasures weightRank,
    UnitMeasures unitMeasures,
    ActivationMeasures activations,
    RankMeasures recurrentRank) {

  /** A layer without recurrent weights. */
  public LayerMeasures(
      String layer,
      int units,
      boolean hidden,
      long nonfiniteParameters,
      double weightMagnitude,
      RankMeasures weightRank,
      UnitMeasures unitMeasures,
      ActivationMeasures activations) {
    this(
        layer,
        units,
        hidden,
        nonfiniteParameters,
        weightMagnitude,
        weightRank,
        unitMeasures,
        activations,
        null);
  }
}
