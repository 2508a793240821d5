package io.plasticitymonitor.analysis;

import java.util.Objects;

/**
 * One layer's numbers, detached from the network and converted to double precision: everything the
 * analysis reads. Arrays are row-major and are not modified by any analysis.
 *
 * @param name the layer's name as DL4J reports it
 * @param units number of units (dense outputs or convolution output channels)
 * @param fanIn inputs per unit (dense nIn; convolution nIn·kH·kW)
 * @param weights the weight matrix {@code M = [fanIn, units]}: {@code weights[f * units + i]}
 * @param bias {@code [units]}, or null when the layer has no bias
 * @param outgoing null unless the layer is hidden; else {@code [units, outWidth]}: row {@code i} is
 *     {@code z_i}, every weight of the consuming layers that reads unit {@code i}, in any order
 *     that is the same for every unit (the measures are norms and distances)
 * @param outWidth length of each {@code z_i}; 0 when {@code outgoing} is null
 * @param activations null when not measured; else {@code [examples, units]} on the probe batch,
 *     convolution channels averaged over spatial positions
 * @param examples rows of {@code activations}; 0 when it is null
 * @param machineEpsilon machine epsilon of the parameters' data type (2⁻²³ for float32, 2⁻⁵² for
 *     float64), used by the numerical rank
 * @param nonfiniteParameters count of NaN or ±Inf among the layer's parameters (weights and bias)
 * @param feedsLaterLayers whether the layer is hidden by the contract's definition (its units feed
 *     a later layer with weights), also when its outgoing weights are not known
 * @param normalised null, or the scale and shift of units behind a batch or layer normalisation:
 *     the per-unit measures use them in place of the weights and bias (contract, "Normalised
 *     units"); ranks and weight magnitude stay those of {@code weights}
 * @param recurrent null, or a recurrent layer's numbers: then the layer is measured by {@link
 *     RecurrentAnalyzer} and the other arrays are empty ({@code fanIn} 0)
 */
public record LayerData(
    String name,
    int units,
    int fanIn,
    double[] weights,
    double[] bias,
    double[] outgoing,
    int outWidth,
    double[] activations,
    int examples,
    double machineEpsilon,
    long nonfiniteParameters,
    boolean feedsLaterLayers,
    Normalised normalised,
    RecurrentLayerData recurrent) {

  /**
   * The scale and shift of units behind a batch or layer normalisation: the per-unit measures use
   * {@code ã_i = (γ_i·w_i/ρ_i, β_i)} in place of {@code (w_i, b_i)} (contract, "Normalised units").
   *
   * @param gamma {@code [units]}: {@code γ_i} (batch norm) or the layer-norm gain {@code g_i}
   * @param shift {@code [units]}: {@code β_i} (batch norm) or the bias {@code b_i}
   * @param perLayer false for batch norm ({@code ρ_i = ‖w_i‖₂}); true for layer norm ({@code ρ =
   *     ‖W‖_F/√units})
   */
  public record Normalised(double[] gamma, double[] shift, boolean perLayer) {
    public Normalised {
      Objects.requireNonNull(gamma, "gamma");
      Objects.requireNonNull(shift, "shift");
    }
  }

  /** A plain dense or convolution layer: hidden exactly when its outgoing weights are given. */
  public LayerData(
      String name,
      int units,
      int fanIn,
      double[] weights,
      double[] bias,
      double[] outgoing,
      int outWidth,
      double[] activations,
      int examples,
      double machineEpsilon,
      long nonfiniteParameters) {
    this(
        name,
        units,
        fanIn,
        weights,
        bias,
        outgoing,
        outWidth,
        activations,
        examples,
        machineEpsilon,
        nonfiniteParameters,
        outgoing != null,
        null,
        null);
  }

  /** A recurrent layer, measured by {@link RecurrentAnalyzer}. */
  public static LayerData recurrent(RecurrentLayerData layer, boolean feedsLaterLayers) {
    return new LayerData(
        layer.name(),
        layer.units(),
        0,
        new double[0],
        null,
        null,
        0,
        null,
        0,
        layer.machineEpsilon(),
        layer.nonfiniteParameters(),
        feedsLaterLayers,
        null,
        layer);
  }

  public LayerData {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(weights, "weights");
    if (units < 0 || fanIn < 0 || weights.length != (long) units * fanIn) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": weights has "
              + weights.length
              + " values, expected fanIn*units = "
              + fanIn
              + "*"
              + units);
    }
    if (bias != null && bias.length != units) {
      throw new IllegalArgumentException(
          "layer " + name + ": bias has " + bias.length + " values, expected " + units);
    }
    if (outgoing == null ? outWidth != 0 : outgoing.length != (long) units * outWidth) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": outgoing has "
              + (outgoing == null ? "no" : outgoing.length)
              + " values, expected units*outWidth = "
              + units
              + "*"
              + outWidth);
    }
    if (activations == null ? examples != 0 : activations.length != (long) examples * units) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": activations has "
              + (activations == null ? "no" : activations.length)
              + " values, expected examples*units = "
              + examples
              + "*"
              + units);
    }
    if (normalised != null
        && (normalised.gamma().length != units || normalised.shift().length != units)) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": normalised units have "
              + normalised.gamma().length
              + " scales and "
              + normalised.shift().length
              + " shifts, expected "
              + units
              + " of each");
    }
    if (!(machineEpsilon > 0 && machineEpsilon < 1)) {
      throw new IllegalArgumentException(
          "layer " + name + ": machineEpsilon must be in (0, 1) (got: " + machineEpsilon + ")");
    }
  }

  /** A hidden layer: its units feed a later layer with weights, whose weights we know. */
  public boolean hidden() {
    return outgoing != null;
  }
}
