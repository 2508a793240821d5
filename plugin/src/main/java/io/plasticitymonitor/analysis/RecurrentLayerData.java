package io.plasticitymonitor.analysis;

import java.util.Objects;

/**
 * One recurrent layer's numbers (one direction of it), detached and in double precision: what
 * {@link RecurrentAnalyzer} reads. Arrays are row-major and are not modified by any analysis.
 *
 * <p>The layout is DL4J's for SimpleRnn ({@code gates = 1}), LSTM and GravesLSTM ({@code gates =
 * 4}, column blocks block input, forget, output, input gate): unit {@code i} owns column {@code
 * g·units + i} of every block of the input weights, the recurrent weights and the bias, row {@code
 * i} of the recurrent weights, its peepholes and its outgoing weights.
 *
 * @param name the layer's name as DL4J reports it (with a direction suffix where it has two)
 * @param units hidden units {@code n}
 * @param gates gate blocks {@code G}
 * @param inputs {@code nIn}
 * @param input {@code W = [nIn, G·n]}
 * @param recurrent {@code RW = [n, G·n + peepholes]}: the gate columns, then unit {@code i}'s
 *     peephole weights in row {@code i} of the last {@code peepholes} columns (GravesLSTM: 3)
 * @param peepholes peephole columns at the end of {@code recurrent}, 0 when none
 * @param bias {@code [G·n]}, or null when the layer has none
 * @param outgoing null when the consumers' weights are not known; else {@code [n, outWidth]}, row
 *     {@code i} the consumers' weights that read unit {@code i}'s output
 * @param outWidth length of each outgoing row; 0 when {@code outgoing} is null
 * @param activations null when not measured; else the hidden outputs {@code [rows, n]}, every
 *     example and time step a row
 * @param rows rows of {@code activations}; 0 when it is null
 * @param signSymmetric whether the unit's output is an odd (tanh) or positively homogeneous (ReLU)
 *     function of its block input, so that the sign flip or rescaling of its block-input and
 *     outgoing parameters is a symmetry and dead by weights is defined
 * @param machineEpsilon machine epsilon of the parameters' data type
 * @param nonfiniteParameters NaN or ±Inf among the layer's parameters
 */
public record RecurrentLayerData(
    String name,
    int units,
    int gates,
    int inputs,
    double[] input,
    double[] recurrent,
    int peepholes,
    double[] bias,
    double[] outgoing,
    int outWidth,
    double[] activations,
    int rows,
    boolean signSymmetric,
    double machineEpsilon,
    long nonfiniteParameters) {

  public RecurrentLayerData {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(recurrent, "recurrent");
    if (units < 0 || gates < 1 || inputs < 0 || peepholes < 0) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": units "
              + units
              + ", gates "
              + gates
              + ", inputs "
              + inputs
              + ", peepholes "
              + peepholes);
    }
    long width = (long) gates * units;
    check(name, "input", input.length, inputs * width);
    check(name, "recurrent", recurrent.length, units * (width + peepholes));
    if (bias != null) {
      check(name, "bias", bias.length, width);
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
    if (activations == null ? rows != 0 : activations.length != (long) rows * units) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": activations has "
              + (activations == null ? "no" : activations.length)
              + " values, expected rows*units = "
              + rows
              + "*"
              + units);
    }
    if (!(machineEpsilon > 0 && machineEpsilon < 1)) {
      throw new IllegalArgumentException(
          "layer " + name + ": machineEpsilon must be in (0, 1) (got: " + machineEpsilon + ")");
    }
  }

  private static void check(String name, String what, long actual, long expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(
          "layer " + name + ": " + what + " has " + actual + " values, expected " + expected);
    }
  }

  /** Columns of {@code recurrent} per row: the gate columns and the peepholes. */
  int recurrentColumns() {
    return gates * units + peepholes;
  }
}
