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
 * Reads a live DL4J network on the training thread: the current training inputs (for the probe) and
 * detached snapshots of the parameters and probe activations. {@link SnapshotConverter} turns a
 * snapshot into per-layer {@link LayerData} on the analysis thread.
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
   * Copies every measured layer's parameters and, when a probe is given, runs it through the
   * network in inference mode and keeps the hidden layers' activations (convolution channels
   * averaged over spatial positions). The model's stored inputs are restored afterwards. Call
   * between iterations, never during a forward or backward pass.
   *
   * @param probe the probe inputs (one per network input), or null for no activation measures
   */
  public static NetworkSnapshot snapshot(
      Model model, NetworkStructure structure, INDArray[] probe) {
    Map<String, INDArray> weights = new HashMap<>();
    Map<String, INDArray> biases = new HashMap<>();
    Map<String, INDArray> activations = new HashMap<>();
    Map<String, Map<String, INDArray>> extras = new HashMap<>();
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (LayerPlan plan : structure.layers()) {
        org.deeplearning4j.nn.api.Layer layer = runtimeLayer(model, structure, plan.name());
        weights.put(plan.name(), layer.getParam("W").dup('c'));
        INDArray b = layer.paramTable().get("b");
        if (b != null) {
          biases.put(plan.name(), b.dup('c'));
        }
        Map<String, INDArray> extra = new HashMap<>();
        if (plan.kind() == LayerKind.RECURRENT) {
          extra.put("RW", layer.getParam("RW").dup('c'));
        }
        LayerPlan.Normalisation norm = plan.normalisation();
        if (norm != null && norm.perLayer()) {
          extra.put("gamma", layer.getParam("g").dup('c'));
          if (b != null) {
            extra.put("beta", b.dup('c'));
          }
        } else if (norm != null) {
          org.deeplearning4j.nn.api.Layer bn = runtimeLayer(model, structure, norm.layer());
          extra.put("gamma", bn.getParam("gamma").dup('c'));
          extra.put("beta", bn.getParam("beta").dup('c'));
        }
        if (!extra.isEmpty()) {
          extras.put(plan.name(), extra);
        }
      }
      if (probe != null && structure.layers().stream().anyMatch(LayerPlan::feedsLaterLayers)) {
        Map<String, INDArray> raw;
        try {
          raw = forward(model, structure, probe);
        } catch (RuntimeException e) {
          // The weights can still be measured; the caller counts the failure.
          return new NetworkSnapshot(
              structure,
              weights,
              biases,
              extras,
              Map.of(),
              "the probe's forward pass failed: " + e);
        }
        for (LayerPlan plan : structure.layers()) {
          INDArray a = raw.get(plan.name());
          if (plan.feedsLaterLayers() && a != null) {
            INDArray h = perUnit(a, plan);
            if (h != null) {
              activations.put(plan.name(), h);
            }
          }
        }
      }
    }
    return new NetworkSnapshot(structure, weights, biases, extras, activations, null);
  }

  private static org.deeplearning4j.nn.api.Layer runtimeLayer(
      Model model, NetworkStructure structure, String name) {
    if (structure.isGraph()) {
      return ((ComputationGraph) model).getLayer(name);
    }
    return ((MultiLayerNetwork) model).getLayer(structure.chainIndex(name));
  }

  private static Map<String, INDArray> forward(
      Model model, NetworkStructure structure, INDArray[] probe) {
    Map<String, INDArray> out = new HashMap<>();
    if (model instanceof MultiLayerNetwork mln) {
      int last =
          structure.layers().stream()
              .filter(LayerPlan::feedsLaterLayers)
              .mapToInt(p -> structure.chainIndex(p.activationSource()))
              .max()
              .orElse(0);
      INDArray saved = mln.getInput();
      try {
        // feedForwardToLayer stores the probe as the network's input; put the user's back.
        List<INDArray> acts = mln.feedForwardToLayer(last, probe[0], false);
        for (LayerPlan plan : structure.layers()) {
          int i = structure.chainIndex(plan.activationSource());
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
        Map<String, INDArray> all = cg.feedForward(probe, false);
        for (LayerPlan plan : structure.layers()) {
          INDArray a = all.get(plan.activationSource());
          if (a != null) {
            out.put(plan.name(), a);
          }
        }
      } finally {
        if (saved != null) {
          cg.setInputs(saved);
        }
      }
    }
    return out;
  }

  /**
   * Activations as {@code [rows, units]}: a row per example, with convolution channels averaged
   * over positions (time, height and width, depth), or a row per example and time step for
   * recurrent and embedding-sequence outputs; the units start at channel {@code activationOffset}.
   * Null when the shape is not one of these.
   */
  private static INDArray perUnit(INDArray a, LayerPlan plan) {
    INDArray h;
    if (plan.kind() == LayerKind.CONVOLUTION && a.rank() >= 3) {
      int[] positions = new int[a.rank() - 2];
      for (int k = 0; k < positions.length; k++) {
        positions[k] = plan.channelsLast() ? k + 1 : k + 2;
      }
      h = a.mean(positions);
    } else if (a.rank() == 3) {
      boolean timeLast = plan.recurrent() == null || plan.recurrent().timeLast();
      INDArray steps = timeLast ? a.permute(0, 2, 1) : a;
      h = steps.dup('c').reshape('c', a.size(0) * steps.size(1), steps.size(2));
    } else if (a.rank() == 2) {
      h = a;
    } else {
      return null;
    }
    long offset = plan.activationOffset();
    if (h.size(1) < offset + plan.units()) {
      return null;
    }
    if (offset > 0 || h.size(1) != plan.units()) {
      h =
          h.get(
              org.nd4j.linalg.indexing.NDArrayIndex.all(),
              org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + plan.units()));
    }
    return h.dup('c');
  }
}
