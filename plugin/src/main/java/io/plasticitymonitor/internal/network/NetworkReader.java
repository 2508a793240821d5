package io.plasticitymonitor.internal.network;

import io.plasticitymonitor.analysis.LayerData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Reads a live DL4J network on the training thread: the current training inputs (for the probe) and
 * detached snapshots of the parameters and probe activations. {@link SnapshotConverter} turns a
 * snapshot into per-layer {@link LayerData} on the analysis thread.
 */
public final class NetworkReader {
  /**
   * The least {@link #sliceBudgetBytes} of a probe slice: small networks take theirs in one pass.
   */
  private static final long MIN_SLICE_BYTES = 8L << 20;

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
   * network in inference mode, in slices, and keeps the hidden layers' activations (convolution
   * channels averaged over spatial positions). The model's stored inputs are restored afterwards.
   * Holds the network's lock, as DL4J's own fit and forward passes do: called from a training
   * callback it runs between iterations, from another thread it waits for the running one.
   *
   * @param probe the probe inputs (one per network input), or null for no activation measures
   */
  public static NetworkSnapshot snapshot(
      Model model, NetworkStructure structure, INDArray[] probe) {
    return snapshot(model, structure, probe, sliceBudgetBytes(model));
  }

  /**
   * {@link #snapshot(Model, NetworkStructure, INDArray[])} with the probe's slices held to {@code
   * sliceBudgetBytes} of full layer outputs (at least one example a slice).
   */
  static NetworkSnapshot snapshot(
      Model model, NetworkStructure structure, INDArray[] probe, long sliceBudgetBytes) {
    // DL4J's fit and forward passes hold the network's lock: a snapshot taken from another thread
    // (endTask() beside a running fit) waits for the iteration to end rather than copying
    // parameters mid-update or clearing the inputs its backward pass reads.
    synchronized (model) {
      return snapshotLocked(model, structure, probe, sliceBudgetBytes);
    }
  }

  private static NetworkSnapshot snapshotLocked(
      Model model, NetworkStructure structure, INDArray[] probe, long sliceBudgetBytes) {
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
        try {
          activations.putAll(probeActivations(model, structure, probe, sliceBudgetBytes));
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

  /**
   * The probe's per-unit activations of every layer that feeds later layers, computed slice by
   * slice: the measures keep one row per example (per example and time step for sequences), while a
   * forward pass holds layer outputs in full (for a convolution, every spatial position), so the
   * probe is cut into slices whose outputs held at once stay within {@link #sliceBudgetBytes}; each
   * output is reduced to its rows as soon as it is computed ({@link ProbeForwardPass}). Rows are
   * per example and inference mode normalises with running statistics, so the result is the same as
   * one pass over the whole probe. The first slice is one example, which sizes the others.
   */
  private static Map<String, INDArray> probeActivations(
      Model model, NetworkStructure structure, INDArray[] probe, long budget) {
    Map<String, List<LayerPlan>> bySource = new HashMap<>();
    for (LayerPlan plan : structure.layers()) {
      if (plan.feedsLaterLayers()) {
        bySource.computeIfAbsent(plan.activationSource(), k -> new ArrayList<>()).add(plan);
      }
    }
    long n = probe[0].size(0);
    Map<String, List<INDArray>> parts = new HashMap<>();
    long from = 0;
    long slice = 1;
    while (from < n) {
      long to = Math.min(n, from + slice);
      INDArray[] in = slice(probe, from, to);
      try {
        long held =
            ProbeForwardPass.run(
                model,
                structure,
                in,
                bySource.keySet(),
                (source, a) -> {
                  for (LayerPlan plan : bySource.get(source)) {
                    INDArray h = perUnit(a, plan);
                    if (h != null) {
                      parts.computeIfAbsent(plan.name(), k -> new ArrayList<>()).add(h);
                    }
                  }
                });
        if (from == 0) {
          long perExample = Math.max(1, held / Math.max(1, to - from));
          slice = Math.max(1, budget / perExample);
        }
      } finally {
        release(in, probe);
      }
      from = to;
    }
    Map<String, INDArray> out = new HashMap<>();
    for (Map.Entry<String, List<INDArray>> e : parts.entrySet()) {
      List<INDArray> p = e.getValue();
      out.put(e.getKey(), p.size() == 1 ? p.get(0) : Nd4j.concat(0, p.toArray(new INDArray[0])));
    }
    return out;
  }

  /**
   * The most bytes of layer outputs one probe slice may hold at once: an eighth of a copy of the
   * parameters, so that the forward pass adds little to the copy the snapshot holds, and at least
   * {@value #MIN_SLICE_BYTES} so that small networks run their probe in one pass.
   */
  private static long sliceBudgetBytes(Model model) {
    INDArray params = model.params();
    long bytes = params == null ? 0 : params.length() * params.dataType().width();
    return Math.max(MIN_SLICE_BYTES, bytes / 8);
  }

  private static INDArray[] slice(INDArray[] probe, long from, long to) {
    if (from == 0 && to == probe[0].size(0)) {
      return probe;
    }
    INDArray[] out = new INDArray[probe.length];
    for (int i = 0; i < probe.length; i++) {
      INDArrayIndex[] index = new INDArrayIndex[probe[i].rank()];
      index[0] = NDArrayIndex.interval(from, to);
      for (int d = 1; d < index.length; d++) {
        index[d] = NDArrayIndex.all();
      }
      out[i] = probe[i].get(index).dup('c');
    }
    return out;
  }

  /** Frees a slice where it is a copy, now rather than at the next garbage collection. */
  private static void release(INDArray[] slice, INDArray[] probe) {
    Set<INDArray> callers = Collections.newSetFromMap(new IdentityHashMap<>());
    callers.addAll(Arrays.asList(probe));
    List<INDArray> copies = new ArrayList<>(Arrays.asList(slice));
    copies.removeIf(callers::contains);
    NativeMemory.free(copies);
  }

  /**
   * Activations as {@code [rows, units]}: a row per example, with convolution channels averaged
   * over positions (time, height and width, depth), or a row per example and time step for
   * recurrent and embedding-sequence outputs; the units start at channel {@code activationOffset}.
   * Null when the shape is not one of these.
   */
  static INDArray perUnit(INDArray a, LayerPlan plan) {
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
      h = h.get(NDArrayIndex.all(), NDArrayIndex.interval(offset, offset + plan.units()));
    }
    return h.dup('c');
  }
}
