package io.plasticitymonitor.internal.network;

import io.plasticitymonitor.analysis.LayerData;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a live DL4J network on the training thread: the current training inputs (for the probe)
 * and detached snapshots of the parameters and probe activations. {@link SnapshotConverter} turns
 * a snapshot into per-layer {@link LayerData} on the analysis thread.
 */
public final class NetworkReader {
  private NetworkReader() {}

  /**
   * The inputs of the iteration that just ran (MultiLayerNetwork: one array; ComputationGraph: one
   * per network input), or null when the model holds none. Valid only inside the callback.
   */
  public static INDArray[] currentInputs(Model model) {
    if (model instanceof MultiLayerNetwork mln) {
      INDArray in = mln.getInput();
      return in == null ? null : new INDArray[] {in};
    }
    if (model instanceof ComputationGraph cg) {
      INDArray[] in = cg.getInputs();
      return in == null || in.length == 0 || in[0] == null ? null : in;
    }
    return null;
  }

  /**
   * Copies every measured layer's parameters and, when a probe is given, runs it through the network
   * in inference mode and keeps the hidden layers' activations (convolution channels averaged over
   * spatial positions). The model's stored inputs are restored afterwards. Call between iterations,
   * never during a forward or backward pass.
   *
   * @param probe the probe inputs (one per network input), or null for no activation measures
   */
  public static NetworkSnapshot snapshot(Model model, NetworkStructure structure, INDArray[] probe) {
    Map<String, INDArray> weights = new HashMap<>();
    Map<String, INDArray> biases = new HashMap<>();
    Map<String, INDArray> activations = new HashMap<>();
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (LayerPlan plan : structure.layers()) {
        org.deeplearning4j.nn.api.Layer layer = runtimeLayer(model, structure, plan.name());
        weights.put(plan.name(), layer.getParam("W").dup('c'));
        INDArray b = layer.paramTable().get("b");
        if (b != null) {
          biases.put(plan.name(), b.dup('c'));
        }
      }
      if (probe != null && structure.layers().stream().anyMatch(LayerPlan::feedsLaterLayers)) {
        Map<String, INDArray> raw;
        try {
          raw = forward(model, structure, probe);
        } catch (RuntimeException e) {
          // The weights can still be measured; the caller counts the failure.
          return new NetworkSnapshot(structure, weights, biases, Map.of(),
              "the probe's forward pass failed: " + e);
        }
        for (LayerPlan plan : structure.layers()) {
          INDArray a = raw.get(plan.name());
          if (plan.feedsLaterLayers() && a != null) {
            activations.put(plan.name(), perUnit(a, plan));
          }
        }
      }
    }
    return new NetworkSnapshot(structure, weights, biases, activations, null);
  }

  private static org.deeplearning4j.nn.api.Layer runtimeLayer(
      Model model, NetworkStructure structure, String name) {
    if (structure.isGraph()) {
      return ((ComputationGraph) model).getLayer(name);
    }
    return ((MultiLayerNetwork) model).getLayer(structure.chainIndex(name));
  }

  private static Map<String, INDArray> forward(Model model, NetworkStructure structure, INDArray[] probe) {
    Map<String, INDArray> out = new HashMap<>();
    if (model instanceof MultiLayerNetwork mln) {
      int last = structure.layers().stream().filter(LayerPlan::feedsLaterLayers)
          .mapToInt(p -> structure.chainIndex(p.name())).max().orElse(0);
      INDArray saved = mln.getInput();
      try {
        // feedForwardToLayer stores the probe as the network's input; put the user's back.
        List<INDArray> acts = mln.feedForwardToLayer(last, probe[0], false);
        for (LayerPlan plan : structure.layers()) {
          int i = structure.chainIndex(plan.name());
          if (i + 1 < acts.size()) {
            out.put(plan.name(), acts.get(i + 1));
          }
        }
      } finally {
        mln.setInput(saved);
      }
    } else {
      ComputationGraph cg = (ComputationGraph) model;
      INDArray[] saved = cg.getInputs();
      try {
        out.putAll(cg.feedForward(probe, false));
      } finally {
        if (saved != null) {
          cg.setInputs(saved);
        }
      }
    }
    return out;
  }

  /** Activations as {@code [examples, units]}: convolution channels averaged over positions. */
  private static INDArray perUnit(INDArray a, LayerPlan plan) {
    if (plan.kind() == LayerKind.CONVOLUTION && a.rank() == 4) {
      return plan.channelsLast() ? a.mean(1, 2) : a.mean(2, 3);
    }
    return a.rank() == 2 ? a.dup('c') : a.reshape('c', a.size(0), a.length() / a.size(0));
  }
}
