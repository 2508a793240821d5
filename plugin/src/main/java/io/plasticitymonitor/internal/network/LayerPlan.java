package io.plasticitymonitor.internal.network;

import java.util.List;

/**
 * What the monitor reads of one layer with weights, worked out once per network.
 *
 * @param name the layer's name as DL4J reports it
 * @param kind dense or convolution
 * @param units output units (columns or channels)
 * @param fanIn inputs per unit
 * @param feedsLaterLayers whether some later layer with weights reads this layer (a hidden layer)
 * @param consumers where the units' outgoing weights are; empty when none, or when they pass a
 *     layer that cannot be mapped to units ({@code outgoingUnknownReason} then says which)
 * @param outgoingUnknownReason null, or why the outgoing weights of a hidden layer are not read
 * @param channelsLast whether the layer's activations are NHWC (convolutions only)
 * @param normalisation null, or the batch normalisation (or, for layer norm, the layer itself)
 *     whose scale and shift the units' measures use
 * @param recurrent null unless {@code kind} is {@link LayerKind#RECURRENT}
 * @param activationSource the node whose output holds the units' activations: the layer itself, or
 *     the batch norm after it (or the activation layer right after that batch norm)
 * @param activationOffset where the units start among the channels of {@code activationSource}
 */
record LayerPlan(
    String name,
    LayerKind kind,
    int units,
    int fanIn,
    boolean feedsLaterLayers,
    List<ConsumerLink> consumers,
    String outgoingUnknownReason,
    boolean channelsLast,
    Normalisation normalisation,
    Recurrent recurrent,
    String activationSource,
    int activationOffset) {

  LayerPlan {
    consumers = List.copyOf(consumers);
  }

  /** A plain dense or convolution layer, its activations its own output. */
  LayerPlan(
      String name,
      LayerKind kind,
      int units,
      int fanIn,
      boolean feedsLaterLayers,
      List<ConsumerLink> consumers,
      String outgoingUnknownReason,
      boolean channelsLast) {
    this(
        name,
        kind,
        units,
        fanIn,
        feedsLaterLayers,
        consumers,
        outgoingUnknownReason,
        channelsLast,
        null,
        null,
        name,
        0);
  }

  /**
   * Where a normalised unit's scale and shift are: per channel {@code offset + i} of a batch
   * normalisation's {@code gamma} and {@code beta}, or per unit of the layer's own layer-norm gain
   * {@code g} and bias {@code b}.
   *
   * @param layer the batch-norm layer, or the layer itself for layer normalisation
   * @param offset the producer's first channel among the batch norm's
   * @param perLayer true for layer normalisation (one scale for the whole {@code W})
   */
  record Normalisation(String layer, int offset, boolean perLayer) {}

  /**
   * @param gates gate blocks: 1 for SimpleRnn, 4 for the LSTMs
   * @param peepholes GravesLSTM's 3 peephole columns at the end of {@code RW}, else 0
   * @param signSymmetric whether the activation is odd or positively homogeneous
   * @param timeLast whether the activations are {@code [examples, units, time]} (NCW)
   */
  record Recurrent(int gates, int peepholes, boolean signSymmetric, boolean timeLast) {}

  boolean outgoingKnown() {
    return feedsLaterLayers && outgoingUnknownReason == null && !consumers.isEmpty();
  }
}
