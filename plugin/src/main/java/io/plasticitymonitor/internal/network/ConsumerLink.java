package io.plasticitymonitor.internal.network;

/**
 * How the units of one layer reach a later layer with weights: unit {@code i} arrives as channel
 * (or feature) {@code offset + i} of the consumer's input, which has {@code width} channels in all
 * (more than the producer's units when a merge vertex concatenates several inputs).
 *
 * @param consumer the consuming layer's name
 * @param offset where the producer's units start among the consumer's input channels
 * @param width the consumer's input channels in all
 * @param channelsLast whether a flattened spatial input is laid out channels-last (NHWC)
 */
record ConsumerLink(String consumer, int offset, int width, boolean channelsLast) {}
