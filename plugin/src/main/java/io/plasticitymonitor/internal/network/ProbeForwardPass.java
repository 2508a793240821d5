package io.plasticitymonitor.internal.network;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One probe slice through the network in inference mode, a layer (graph vertex) at a time: each
 * wanted output is handed over as soon as it is computed, and every output is freed once the last
 * layer that reads it has run. DL4J's {@code feedForward} returns every layer's output at once —
 * for ResNet50 about 80 MB an image — where the measures keep one row per example and channel; here
 * only the outputs still to be read are held (a few MB an image).
 *
 * <p>The steps are those of DL4J's own detached forward pass ({@code ffToLayerActivationsDetached}
 * of {@link MultiLayerNetwork} and {@link ComputationGraph}): outputs outside any workspace, each
 * layer's working memory in the thread's {@code WS_LAYER_WORKING_MEM} workspace, which training on
 * the same thread has already sized, and no masks.
 */
final class ProbeForwardPass {
  /** DL4J's names for the per-layer working memory; training on this thread opens the same. */
  private static final String WORKING_MEMORY = "WS_LAYER_WORKING_MEM";

  private static final String RNN_LOOP_MEMORY = "WS_RNN_LOOP_WORKING_MEM";

  /** As MultiLayerNetwork configures them; used only where the thread has none of that name yet. */
  private static final WorkspaceConfiguration WORKING_MEMORY_CONFIG =
      WorkspaceConfiguration.builder()
          .initialSize(0)
          .overallocationLimit(0.3)
          .policyLearning(LearningPolicy.OVER_TIME)
          .policyReset(ResetPolicy.BLOCK_LEFT)
          .policySpill(SpillPolicy.REALLOCATE)
          .policyAllocation(AllocationPolicy.OVERALLOCATE)
          .build();

  private static final WorkspaceConfiguration RNN_LOOP_MEMORY_CONFIG =
      WorkspaceConfiguration.builder()
          .initialSize(0)
          .overallocationLimit(0.05)
          .policyReset(ResetPolicy.BLOCK_LEFT)
          .policyAllocation(AllocationPolicy.OVERALLOCATE)
          .policySpill(SpillPolicy.REALLOCATE)
          .policyLearning(LearningPolicy.FIRST_LOOP)
          .build();

  private ProbeForwardPass() {}

  /**
   * Runs {@code in} through {@code model} up to the last layer named in {@code wanted} (graph
   * vertex names, or a chain's layer names), handing {@code measured} each wanted layer's full
   * output, which is freed after the call returns: the consumer copies what it keeps.
   *
   * @return the most bytes of layer outputs held at once, the slice's peak above its input
   */
  static long run(
      Model model,
      NetworkStructure structure,
      INDArray[] in,
      Set<String> wanted,
      BiConsumer<String, INDArray> measured) {
    if (model instanceof MultiLayerNetwork mln) {
      INDArray saved = mln.getInput();
      try {
        return chain(mln, structure, in[0], wanted, measured);
      } finally {
        mln.setInput(saved); // the pass stores the slice as the network's input
      }
    }
    ComputationGraph cg = (ComputationGraph) model;
    INDArray[] saved = cg.getInputs();
    try {
      return graph(cg, in, wanted, measured);
    } finally {
      if (saved != null) {
        cg.setInputs(saved);
      }
    }
  }

  private static long chain(
      MultiLayerNetwork mln,
      NetworkStructure structure,
      INDArray in,
      Set<String> wanted,
      BiConsumer<String, INDArray> measured) {
    Map<Integer, List<String>> byIndex = new HashMap<>();
    int last = -1;
    for (String name : wanted) {
      int i = structure.chainIndex(name);
      byIndex.computeIfAbsent(i, k -> new ArrayList<>()).add(name);
      last = Math.max(last, i);
    }
    mln.setInput(in);
    mln.clearLayerMaskArrays();
    LayerWorkspaceMgr mgr =
        workspaces(mln.getLayerWiseConfigurations().getInferenceWorkspaceMode());
    Held held = new Held(List.of(in));
    INDArray x = in;
    try {
      for (int i = 0; i <= last; i++) {
        INDArray layerInput = x;
        try (MemoryWorkspace ignored = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
          InputPreProcessor pre = mln.getLayerWiseConfigurations().getInputPreProcess(i);
          if (pre != null) {
            x = pre.preProcess(x, mln.getInputMiniBatchSize(), mgr);
            held.add(x);
            held.release(layerInput);
            layerInput = x;
          }
          x = mln.getLayer(i).activate(x, false, mgr);
        } finally {
          mln.getLayer(i).clear();
        }
        held.add(x);
        for (String name : byIndex.getOrDefault(i, List.of())) {
          measured.accept(name, x);
        }
        held.release(layerInput);
      }
      return held.peakBytes();
    } finally {
      held.releaseAll();
    }
  }

  private static long graph(
      ComputationGraph cg,
      INDArray[] in,
      Set<String> wanted,
      BiConsumer<String, INDArray> measured) {
    GraphVertex[] vertices = cg.getVertices();
    int[] order = cg.topologicalSortOrder();
    int[] stepOf = new int[vertices.length];
    for (int s = 0; s < order.length; s++) {
      stepOf[order[s]] = s;
    }
    int stop = -1;
    for (String name : wanted) {
      GraphVertex v = cg.getVertex(name);
      if (v != null) {
        stop = Math.max(stop, stepOf[v.getVertexIndex()]);
      }
    }
    // The step after which nothing that runs reads a vertex's output.
    int[] lastRead = new int[vertices.length];
    for (GraphVertex v : vertices) {
      int read = stepOf[v.getVertexIndex()];
      VertexIndices[] to = v.getOutputVertices();
      if (to != null) {
        for (VertexIndices t : to) {
          int s = stepOf[t.getVertexIndex()];
          if (s <= stop) {
            read = Math.max(read, s);
          }
        }
      }
      lastRead[v.getVertexIndex()] = read;
    }
    cg.setInputs(in);
    cg.clearLayerMaskArrays();
    LayerWorkspaceMgr mgr = workspaces(cg.getConfiguration().getInferenceWorkspaceMode());
    Held held = new Held(List.of(in));
    INDArray[] outputs = new INDArray[vertices.length];
    try {
      for (int s = 0; s <= stop; s++) {
        GraphVertex v = vertices[order[s]];
        int idx = v.getVertexIndex();
        INDArray out;
        try (MemoryWorkspace ignored = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
          out = v.isInputVertex() ? in[idx] : v.doForward(false, mgr);
          VertexIndices[] to = v.getOutputVertices();
          if (to != null) {
            for (VertexIndices t : to) {
              if (stepOf[t.getVertexIndex()] <= stop) {
                vertices[t.getVertexIndex()].setInput(t.getVertexEdgeNumber(), out, mgr);
              }
            }
          }
        } finally {
          if (!v.isInputVertex()) {
            v.clear();
          }
        }
        outputs[idx] = out;
        held.add(out);
        if (wanted.contains(v.getVertexName())) {
          measured.accept(v.getVertexName(), out);
        }
        for (int u = 0; u < outputs.length; u++) {
          if (outputs[u] != null && lastRead[u] <= s) {
            held.release(outputs[u]);
            outputs[u] = null;
          }
        }
      }
      return held.peakBytes();
    } finally {
      for (GraphVertex v : vertices) {
        if (!v.isInputVertex()) {
          v.clear();
        }
      }
      held.releaseAll();
    }
  }

  /** DL4J's workspaces for a detached forward pass in the given inference mode. */
  private static LayerWorkspaceMgr workspaces(WorkspaceMode mode) {
    if (mode == WorkspaceMode.NONE) {
      return LayerWorkspaceMgr.noWorkspaces();
    }
    LayerWorkspaceMgr mgr =
        LayerWorkspaceMgr.builder()
            .noWorkspaceFor(ArrayType.ACTIVATIONS)
            .with(ArrayType.INPUT, WORKING_MEMORY, WORKING_MEMORY_CONFIG)
            .with(ArrayType.FF_WORKING_MEM, WORKING_MEMORY, WORKING_MEMORY_CONFIG)
            .with(ArrayType.RNN_FF_LOOP_WORKING_MEM, RNN_LOOP_MEMORY, RNN_LOOP_MEMORY_CONFIG)
            .build();
    mgr.setHelperWorkspacePointers(new HashMap<>());
    return mgr;
  }

  /**
   * The layer outputs a forward pass holds. An output may share its buffer with another (a reshape,
   * an identity vertex, a layer that hands its input on): a buffer is freed only when no array
   * still held, nor the slice's input, reads it.
   */
  private static final class Held {
    private final List<INDArray> inputs;

    /** Each array held, with how many places hold it (a vertex may pass its input on as is). */
    private final Map<INDArray, Integer> arrays = new IdentityHashMap<>();

    private long peak;

    Held(List<INDArray> inputs) {
      this.inputs = inputs;
    }

    void add(INDArray a) {
      if (a != null && !isInput(a)) {
        arrays.merge(a, 1, Integer::sum);
        peak = Math.max(peak, bytes());
      }
    }

    /**
     * One place stops holding {@code a}; when none holds it, its buffer is freed unless an array
     * still held, or the slice's input, reads it.
     */
    void release(INDArray a) {
      if (a == null || isInput(a) || !arrays.containsKey(a)) {
        return;
      }
      if (arrays.merge(a, -1, Integer::sum) > 0) {
        return;
      }
      arrays.remove(a);
      DataBuffer buffer = base(a);
      for (INDArray other : arrays.keySet()) {
        if (base(other) == buffer) {
          return;
        }
      }
      for (INDArray input : inputs) {
        if (base(input) == buffer) {
          return;
        }
      }
      NativeMemory.free(List.of(a));
    }

    void releaseAll() {
      for (INDArray a : new ArrayList<>(arrays.keySet())) {
        arrays.put(a, 1);
        release(a);
      }
    }

    long peakBytes() {
      return peak;
    }

    private boolean isInput(INDArray a) {
      for (INDArray input : inputs) {
        if (input == a) {
          return true;
        }
      }
      return false;
    }

    private long bytes() {
      Set<DataBuffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      long total = 0;
      for (INDArray a : arrays.keySet()) {
        DataBuffer b = base(a);
        if (seen.add(b)) {
          total += b.length() * b.getElementSize();
        }
      }
      return total;
    }

    private static DataBuffer base(INDArray a) {
      DataBuffer d = a.data();
      DataBuffer original = d.originalDataBuffer();
      return original == null ? d : original;
    }
  }
}
