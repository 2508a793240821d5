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
 */
record LayerPlan(
    String name,
    LayerKind kind,
    int units,
    int fanIn,
    boolean feedsLaterLayers,
    List<ConsumerLink> consumers,
    String outgoingUnknownReason,
    boolean channelsLast) {

  LayerPlan {
    consumers = List.copyOf(consumers);
  }

  boolean outgoingKnown() {
    return feedsLaterLayers && outgoingUnknownReason == null && !consumers.isEmpty();
  }
}
