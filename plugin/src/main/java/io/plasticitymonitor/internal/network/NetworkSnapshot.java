package io.plasticitymonitor.internal.network;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Detached copies of what one analysis reads, taken on the training thread: each measured layer's
 * weights and bias (in the parameters' own data type, row-major) and the probe activations of the
 * hidden layers ({@code [examples, units]}). Nothing here is a view of the live parameters, so the
 * analysis thread can read it while training goes on.
 */
public final class NetworkSnapshot {
  private final NetworkStructure structure;
  private final Map<String, INDArray> weights;
  private final Map<String, INDArray> biases;
  private final Map<String, INDArray> activations;
  private final String activationFailure;

  NetworkSnapshot(NetworkStructure structure, Map<String, INDArray> weights,
      Map<String, INDArray> biases, Map<String, INDArray> activations, String activationFailure) {
    this.activationFailure = activationFailure;
    this.structure = structure;
    this.weights = Map.copyOf(weights);
    this.biases = Map.copyOf(biases);
    this.activations = Map.copyOf(activations);
  }

  /** Why no activations were measured although a probe was given, if that happened. */
  public java.util.Optional<String> activationFailure() {
    return java.util.Optional.ofNullable(activationFailure);
  }

  public NetworkStructure structure() {
    return structure;
  }

  INDArray weights(String layer) {
    return weights.get(layer);
  }

  INDArray bias(String layer) {
    return biases.get(layer);
  }

  INDArray activations(String layer) {
    return activations.get(layer);
  }

  /** Examples in the probe activations (0 when none were measured). */
  public int probeExamples() {
    return activations.values().stream().findFirst().map(a -> (int) a.size(0)).orElse(0);
  }
}
