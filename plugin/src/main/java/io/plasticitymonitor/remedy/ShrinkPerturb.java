package io.plasticitymonitor.remedy;

import io.plasticitymonitor.internal.network.UnitSurgery;

/**
 * Shrink and perturb (Ash &amp; Adams, NeurIPS 2020, "On Warm-Starting Neural Network Training"):
 * at the start of every task after the first,
 *
 * <pre>θ ← λ·θ + σ·ε</pre>
 *
 * for every trained parameter array of every layer that is not frozen, with {@code ε} a fresh draw
 * of the layer's own initialiser (so the noise has each layer's initial scale, and biases
 * initialised to a constant are only shrunk). Shrinking keeps what the network learnt, in its
 * direction, while bringing it back to where gradients are large again; the noise breaks the ties
 * (dead units, merged twins) that shrinking alone would keep. Counted: parameter arrays changed.
 */
final class ShrinkPerturb implements Remedy {
  private final UnitSurgery surgery;
  private final double shrink;
  private final double noise;

  ShrinkPerturb(UnitSurgery surgery, double shrink, double noise) {
    this.surgery = surgery;
    this.shrink = shrink;
    this.noise = noise;
  }

  @Override
  public long taskStarted(int taskIndex) {
    if (taskIndex <= 1) {
      return 0;
    }
    return surgery.shrinkAndPerturb(shrink, noise);
  }
}
