package io.plasticitymonitor.internal.network;

/** The layers whose units the monitor can read. */
enum LayerKind {
  /** Dense or output layer: {@code W} is {@code [nIn, nOut]}, a unit is an output column. */
  DENSE,
  /**
   * 1-, 2- or 3-D convolution: {@code W} is {@code [nOut, nIn, k…]}, a unit is an output channel.
   */
  CONVOLUTION,
  /**
   * SimpleRnn, LSTM, GravesLSTM: {@code W} is {@code [nIn, G·n]}, {@code RW} {@code [n, G·n (+3)]},
   * a unit is a hidden unit; as a consumer its {@code W} reads features like a dense layer's.
   */
  RECURRENT
}
