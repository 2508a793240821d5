package io.plasticitymonitor.internal.network;

import io.plasticitymonitor.analysis.LayerData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads DL4J networks: the current training inputs (for the probe), detached snapshots of the
 * parameters and probe activations (on the training thread), and per-layer {@link LayerData} in
 * double precision (on the analysis thread). The only place that knows how DL4J lays out weights:
 * dense {@code W} is {@code [nIn, nOut]}, convolution {@code W} is {@code [nOut, nIn, kH, kW]}.
 */
public final class NetworkReader {
  /** Whether ND4J's arrays live in host memory that javacpp can copy in bulk (the CPU backend). */
  private static final boolean HOST_MEMORY = Nd4j.getEnvironment().isCPU();

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

  /**
   * Converts a snapshot to one {@link LayerData} per measured layer, in double precision, with each
   * hidden unit's outgoing weights gathered from the layers that read it. The list is lazy: a layer
   * is converted when it is read, so an analysis that goes through the layers in order holds the
   * double-precision copies of about one layer at a time (issue 5: one detached copy of the
   * parameters in flight, the snapshot's), not of the whole network.
   */
  public static List<LayerData> layerData(NetworkSnapshot snapshot) {
    return new LayerDataList(snapshot);
  }

  /** {@link #layerData}: each {@code get} converts one layer, reusing the last two weight arrays. */
  private static final class LayerDataList extends java.util.AbstractList<LayerData>
      implements java.util.RandomAccess {
    private final NetworkSnapshot snapshot;
    private final List<LayerPlan> plans;
    private final Map<String, LayerPlan> byName = new HashMap<>();
    /** Weights as doubles, by layer: a layer's are read as its own and as its producer's outgoing. */
    private final Map<String, double[]> recent = new java.util.LinkedHashMap<>(4, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
        return size() > 2;
      }
    };

    LayerDataList(NetworkSnapshot snapshot) {
      this.snapshot = snapshot;
      this.plans = snapshot.structure().layers();
      for (LayerPlan plan : plans) {
        byName.put(plan.name(), plan);
      }
    }

    @Override
    public int size() {
      return plans.size();
    }

    private double[] weightsAsDouble(String layer) {
      return recent.computeIfAbsent(layer, n -> toDoubles(snapshot.weights(n)));
    }

    @Override
    public LayerData get(int index) {
      LayerPlan plan = plans.get(index);
      INDArray w = snapshot.weights(plan.name());
      double[] raw = weightsAsDouble(plan.name());
      double[] weights = plan.kind() == LayerKind.DENSE ? raw : transpose(raw, plan.units(), plan.fanIn());
      INDArray b = snapshot.bias(plan.name());
      double[] bias = b == null ? null : toDoubles(b);
      if (bias != null && bias.length != plan.units()) {
        bias = null; // layers such as CenterLoss keep other vectors under "b"; not a per-unit bias
      }
      double[] outgoing = null;
      int outWidth = 0;
      if (plan.outgoingKnown()) {
        List<double[]> parts = new ArrayList<>();
        for (ConsumerLink link : plan.consumers()) {
          LayerPlan consumer = byName.get(link.consumer());
          parts.add(outgoingFrom(link, consumer, snapshot.weights(consumer.name()),
              weightsAsDouble(consumer.name()), plan.units()));
        }
        for (double[] p : parts) {
          outWidth += p.length / Math.max(1, plan.units());
        }
        outgoing = interleave(parts, plan.units(), outWidth);
      }
      INDArray act = snapshot.activations(plan.name());
      double[] activations = act == null ? null : toDoubles(act);
      int examples = act == null ? 0 : (int) act.size(0);
      if (activations != null && activations.length != (long) examples * plan.units()) {
        activations = null;
        examples = 0;
      }
      long nonfinite = countNonFinite(raw) + (bias == null ? 0 : countNonFinite(bias));
      return new LayerData(plan.name(), plan.units(), plan.fanIn(), weights, bias, outgoing,
          outWidth, activations, examples, machineEpsilon(w.dataType()), nonfinite);
    }
  }

  /**
   * The weights of {@code consumer} that read each of the producer's units, as {@code [units, k]}
   * row-major: for a dense consumer the rows fed by the unit's channel, for a convolution {@code
   * W[:, channel, :, :]}.
   */
  private static double[] outgoingFrom(ConsumerLink link, LayerPlan consumer, INDArray cw, double[] c,
      int units) {
    if (consumer.kind() == LayerKind.DENSE) {
      int nIn = (int) cw.size(0);
      int nOut = (int) cw.size(1);
      int block = nIn / link.width();
      int k = block * nOut;
      if (block == 1 && link.offset() == 0 && units == nIn) {
        return c; // the consumer reads exactly these units, one row each: W itself, not a copy
      }
      double[] out = new double[units * k];
      for (int i = 0; i < units; i++) {
        int ch = link.offset() + i;
        for (int p = 0; p < block; p++) {
          int row = link.channelsLast() ? p * link.width() + ch : ch * block + p;
          System.arraycopy(c, row * nOut, out, i * k + p * nOut, nOut);
        }
      }
      return out;
    }
    int nOut = (int) cw.size(0);
    int nIn = (int) cw.size(1);
    int kk = (int) (cw.size(2) * cw.size(3));
    int k = nOut * kk;
    double[] out = new double[units * k];
    for (int i = 0; i < units; i++) {
      int ch = link.offset() + i;
      for (int o = 0; o < nOut; o++) {
        System.arraycopy(c, (o * nIn + ch) * kk, out, i * k + o * kk, kk);
      }
    }
    return out;
  }

  /** Joins per-consumer {@code [units, k_j]} blocks into {@code [units, Σk_j]}. */
  private static double[] interleave(List<double[]> parts, int units, int outWidth) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    double[] out = new double[units * outWidth];
    int col = 0;
    for (double[] p : parts) {
      int k = units == 0 ? 0 : p.length / units;
      for (int i = 0; i < units; i++) {
        System.arraycopy(p, i * k, out, i * outWidth + col, k);
      }
      col += k;
    }
    return out;
  }

  /** {@code [rows, cols]} row-major to its transpose. */
  private static double[] transpose(double[] m, int rows, int cols) {
    double[] t = new double[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  static double[] toDoubles(INDArray a) {
    if (HOST_MEMORY && !a.isView() && a.ordering() == 'c' && a.data().offset() == 0
        && a.data().length() == a.length() && a.length() <= Integer.MAX_VALUE) {
      // One bulk copy out of native memory: ND4J's asDouble() reads element by element (~5 ns each).
      int n = (int) a.length();
      if (a.dataType() == DataType.FLOAT) {
        float[] f = new float[n];
        ((org.bytedeco.javacpp.FloatPointer) a.data().addressPointer()).get(f, 0, n);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = f[i];
        }
        return v;
      }
      if (a.dataType() == DataType.DOUBLE) {
        double[] v = new double[n];
        ((org.bytedeco.javacpp.DoublePointer) a.data().addressPointer()).get(v, 0, n);
        return v;
      }
    }
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      INDArray d = a.castTo(DataType.DOUBLE);
      if (d == a || d.isView() || d.ordering() != 'c') {
        d = d.dup('c');
      }
      double[] v = d.data().asDouble();
      return v.length == a.length() ? v : java.util.Arrays.copyOf(v, (int) a.length());
    }
  }

  private static long countNonFinite(double[] v) {
    long n = 0;
    for (double x : v) {
      if (!Double.isFinite(x)) {
        n++;
      }
    }
    return n;
  }

  /** Machine epsilon of a floating-point data type, as numpy's finfo reports it. */
  static double machineEpsilon(DataType type) {
    return switch (type) {
      case DOUBLE -> Math.ulp(1.0);
      case HALF -> Math.scalb(1.0, -10);
      case BFLOAT16 -> Math.scalb(1.0, -7);
      default -> Math.ulp(1.0f);
    };
  }
}
