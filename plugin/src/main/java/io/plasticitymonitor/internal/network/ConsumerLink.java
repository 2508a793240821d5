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
record ConsumerLink(String consumer, int offset, int width, boolean channelsLast) {
  /**
   * The rows of a dense consumer's {@code W} ({@code [nIn, nOut]}) fed by the producer's unit
   * {@code unit}, in order: one row per spatial position when a convolution was flattened into the
   * dense layer ({@code nIn / width} of them), channels-last or channels-first as laid out. Reading
   * (outgoing weights) and writing (zeroing them) both use it, so they agree.
   */
  int[] denseRows(int nIn, int unit) {
    int block = nIn / width;
    int ch = offset + unit;
    int[] rows = new int[block];
    for (int q = 0; q < block; q++) {
      rows[q] = channelsLast ? q * width + ch : ch * block + q;
    }
    return rows;
  }
}
