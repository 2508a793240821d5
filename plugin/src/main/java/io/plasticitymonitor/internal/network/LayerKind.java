package io.plasticitymonitor.internal.network;

/** The layers whose units the monitor can read. */
enum LayerKind {
  /** Dense or output layer: {@code W} is {@code [nIn, nOut]}, a unit is an output column. */
  DENSE,
  /** 2-D convolution: {@code W} is {@code [nOut, nIn, kH, kW]}, a unit is an output channel. */
  CONVOLUTION
}
