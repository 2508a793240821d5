package io.plasticitymonitor.internal.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Detached copies of what one analysis reads, taken on the training thread: each measured layer's
 * weights and bias (in the parameters' own data type, row-major) and the probe activations of the
 * hidden layers ({@code [examples, units]}). Nothing here is a view of the live parameters, so the
 * analysis thread can read it while training goes on.
 */
public final class NetworkSnapshot implements AutoCloseable {
  private final NetworkStructure structure;
  private final Map<String, INDArray> weights;
  private final Map<String, INDArray> biases;
  private final Map<String, INDArray> activations;
  private final Map<String, Map<String, INDArray>> extras;
  private final String activationFailure;
  private boolean closed;

  NetworkSnapshot(
      NetworkStructure structure,
      Map<String, INDArray> weights,
      Map<String, INDArray> biases,
      Map<String, INDArray> activations,
      String activationFailure) {
    this(structure, weights, biases, Map.of(), activations, activationFailure);
  }

  /**
   * @param extras per layer, the further parameters its measures read: a recurrent layer's {@code
   *     RW}, a normalised layer's {@code gamma} and {@code beta}
   */
  NetworkSnapshot(
      NetworkStructure structure,
      Map<String, INDArray> weights,
      Map<String, INDArray> biases,
      Map<String, Map<String, INDArray>> extras,
      Map<String, INDArray> activations,
      String activationFailure) {
    this.extras = Map.copyOf(extras);
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

  /** A further parameter of a layer ({@code RW}, {@code gamma}, {@code beta}), or null. */
  INDArray extra(String layer, String parameter) {
    return extras.getOrDefault(layer, Map.of()).get(parameter);
  }

  INDArray activations(String layer) {
    return activations.get(layer);
  }

  /**
   * Frees the copies' native memory now, not when the garbage collector gets to their Java objects:
   * a snapshot holds as much as the network's parameters, while its Java objects are so small that
   * a collection that finds them can be long in coming, with more snapshots taken meanwhile.
   * Nothing may read the snapshot afterwards; closing again does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<INDArray> all = new ArrayList<>();
    all.addAll(weights.values());
    all.addAll(biases.values());
    all.addAll(activations.values());
    extras.values().forEach(e -> all.addAll(e.values()));
    NativeMemory.free(all);
  }

  /** Examples in the probe activations (0 when none were measured). */
  public int probeExamples() {
    return activations.values().stream().findFirst().map(a -> (int) a.size(0)).orElse(0);
  }
}
