package io.plasticitymonitor.internal.network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.AutoEncoder;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.BaseUpsamplingLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1D;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.GravesBidirectionalLSTM;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.Pooling2D;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.Subsampling3DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.misc.RepeatVector;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.layers.util.MaskLayer;
import org.deeplearning4j.nn.conf.layers.util.MaskZeroLayer;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationRationalTanh;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which layers of a network the monitor measures, where each layer's outgoing weights are, and
 * which layers it skips and why. Worked out once per network from its configuration and parameter
 * shapes; immutable, so the analysis thread may read it freely.
 *
 * <p>A MultiLayerNetwork is read as a chain and a ComputationGraph through its vertex inputs.
 * Between a layer and the layers with weights that read it, steps that keep unit {@code i} at
 * position {@code i} (dropout, activation, PReLU, pooling, padding, cropping, upsampling,
 * element-wise, scale, shift and preprocessor vertices) are followed; merge vertices shift the
 * position by the widths of the inputs before it. A batch normalisation on the way is followed too
 * and makes the layer's units normalised units (metric contract, "Normalised units"): their scale
 * and shift are the batch norm's. Any other step ends the trail: the layer's outgoing weights are
 * then unknown and the per-unit measures are not reported for it.
 */
public final class NetworkStructure {
  private final boolean graph;
  private final List<LayerPlan> layers;
  private final Map<String, Integer> chainIndex;
  private final List<String> skipped;

  private NetworkStructure(
      boolean graph,
      List<LayerPlan> layers,
      Map<String, Integer> chainIndex,
      List<String> skipped) {
    this.graph = graph;
    this.layers = List.copyOf(layers);
    this.chainIndex = Map.copyOf(chainIndex);
    this.skipped = List.copyOf(skipped);
  }

  /**
   * Reads the structure of a MultiLayerNetwork or ComputationGraph.
   *
   * @throws IllegalArgumentException for any other kind of model
   */
  public static NetworkStructure of(Model model) {
    if (model instanceof MultiLayerNetwork mln) {
      return ofChain(mln);
    }
    if (model instanceof ComputationGraph cg) {
      return ofGraph(cg);
    }
    throw new IllegalArgumentException(
        "The plasticity monitor reads MultiLayerNetwork and "
            + "ComputationGraph models (got: "
            + (model == null ? "null" : model.getClass().getName())
            + ")");
  }

  /** Layers that are measured, in network order. */
  List<LayerPlan> layers() {
    return layers;
  }

  boolean isGraph() {
    return graph;
  }

  /** MultiLayerNetwork only: the index of a layer in the chain. */
  int chainIndex(String layer) {
    return chainIndex.get(layer);
  }

  /** Names of the measured layers, in network order. */
  public List<String> layerNames() {
    return layers.stream().map(LayerPlan::name).toList();
  }

  /** One line per layer that is not measured, or whose outgoing weights are not read: why. */
  public List<String> notes() {
    return skipped;
  }

  // ---- building ------------------------------------------------------------------------------

  /**
   * A node of the unified graph: a layer with weights, a step that keeps positions, an element-wise
   * combination of several inputs, a merge, a batch norm, or unknown.
   */
  private record Node(
      String name,
      Step step,
      List<String> inputs,
      LayerPlanDraft weighted,
      String what,
      boolean activation) {
    Node(String name, Step step, List<String> inputs, LayerPlanDraft weighted, String what) {
      this(name, step, inputs, weighted, what, false);
    }
  }

  private enum Step {
    WEIGHTED,
    PASS,
    COMBINE,
    MERGE,
    NORMALISE,
    UNKNOWN,
    INPUT
  }

  private record LayerPlanDraft(
      LayerKind kind,
      int units,
      int fanIn,
      int inputChannels,
      boolean channelsLast,
      LayerPlan.Recurrent recurrent,
      boolean layerNorm) {
    LayerPlanDraft(LayerKind kind, int units, int fanIn, int inputChannels, boolean channelsLast) {
      this(kind, units, fanIn, inputChannels, channelsLast, null, false);
    }
  }

  private static NetworkStructure ofChain(MultiLayerNetwork net) {
    Map<String, Node> nodes = new LinkedHashMap<>();
    Map<String, Integer> index = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    String previous = null;
    for (int i = 0; i < net.getnLayers(); i++) {
      Layer conf = net.getLayerWiseConfigurations().getConf(i).getLayer();
      String name = conf.getLayerName() != null ? conf.getLayerName() : "layer" + i;
      Node node =
          classify(
              name,
              conf,
              net.getLayer(i),
              previous == null ? List.of() : List.of(previous),
              skipped);
      nodes.put(name, node);
      index.put(name, i);
      previous = name;
    }
    return new NetworkStructure(false, plans(nodes, skipped), index, skipped);
  }

  private static NetworkStructure ofGraph(ComputationGraph cg) {
    ComputationGraphConfiguration conf = cg.getConfiguration();
    Map<String, Node> nodes = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (String input : conf.getNetworkInputs()) {
      nodes.put(input, new Node(input, Step.INPUT, List.of(), null, "network input"));
    }
    for (int idx : cg.topologicalSortOrder()) {
      String name = cg.getVertices()[idx].getVertexName();
      if (nodes.containsKey(name)) {
        continue;
      }
      GraphVertex vertex = conf.getVertices().get(name);
      List<String> inputs = conf.getVertexInputs().getOrDefault(name, List.of());
      Node node;
      if (vertex instanceof LayerVertex lv) {
        node = classify(name, lv.getLayerConf().getLayer(), cg.getLayer(name), inputs, skipped);
      } else if (vertex instanceof MergeVertex) {
        node = new Node(name, Step.MERGE, inputs, null, "MergeVertex");
      } else if (vertex instanceof ElementWiseVertex && inputs.size() > 1) {
        node = new Node(name, Step.COMBINE, inputs, null, "ElementWiseVertex");
      } else if (vertex instanceof ElementWiseVertex
          || vertex instanceof PreprocessorVertex
          || vertex instanceof ScaleVertex
          || vertex instanceof ShiftVertex
          || vertex instanceof LastTimeStepVertex) {
        node = new Node(name, Step.PASS, inputs, null, vertex.getClass().getSimpleName());
      } else {
        node = new Node(name, Step.UNKNOWN, inputs, null, vertex.getClass().getSimpleName());
      }
      nodes.put(name, node);
    }
    return new NetworkStructure(true, plans(nodes, skipped), Map.of(), skipped);
  }

  private static Node classify(
      String name,
      Layer conf,
      org.deeplearning4j.nn.api.Layer runtime,
      List<String> inputs,
      List<String> skipped) {
    Layer inner = unwrap(conf);
    String what = inner.getClass().getSimpleName();
    if (inner instanceof BatchNormalization bn) {
      if (bn.isLockGammaBeta()) {
        return new Node(
            name, Step.UNKNOWN, inputs, null, what + " with lockGammaBeta (no per-channel γ, β)");
      }
      return new Node(name, Step.NORMALISE, inputs, null, what);
    }
    if (inner instanceof LSTM || inner instanceof GravesLSTM || inner instanceof SimpleRnn) {
      return recurrent(name, (BaseRecurrentLayer) inner, runtime, inputs, skipped, what);
    }
    // An embedding is a dense layer on one-hot inputs: the same W [nIn, nOut], the same units.
    boolean weightedType =
        inner instanceof DenseLayer
            || inner instanceof BaseOutputLayer
            || inner instanceof EmbeddingLayer
            || inner instanceof EmbeddingSequenceLayer
            || inner instanceof AutoEncoder
            || isConvolution(inner);
    if (weightedType) {
      INDArray w = runtime.getParam("W");
      if (w != null) {
        long[] s = w.shape();
        if (isConvolution(inner) && s.length >= 3) {
          boolean channelsLast =
              inner instanceof Convolution3D c3
                  ? c3.getDataFormat() == Convolution3D.DataFormat.NDHWC
                  : inner.getClass() != Convolution1DLayer.class
                      && ((ConvolutionLayer) inner).getCnn2dDataFormat() == CNN2DFormat.NHWC;
          long fanIn = 1;
          for (int k = 1; k < s.length; k++) {
            fanIn *= s[k];
          }
          return new Node(
              name,
              Step.WEIGHTED,
              inputs,
              new LayerPlanDraft(
                  LayerKind.CONVOLUTION, (int) s[0], (int) fanIn, (int) s[1], channelsLast),
              what);
        }
        if (!(inner instanceof ConvolutionLayer) && s.length == 2) {
          boolean layerNorm = inner instanceof DenseLayer d && d.hasLayerNorm();
          return new Node(
              name,
              Step.WEIGHTED,
              inputs,
              new LayerPlanDraft(
                  LayerKind.DENSE, (int) s[1], (int) s[0], (int) s[0], false, null, layerNorm),
              what);
        }
      }
      skipped.add(
          "layer '"
              + name
              + "' ("
              + what
              + "): not measured: its weight parameter 'W' has an "
              + "unexpected shape");
      return new Node(name, Step.UNKNOWN, inputs, null, what);
    }
    if (inner instanceof ActivationLayer) {
      return new Node(name, Step.PASS, inputs, null, what, true);
    }
    if (inner instanceof DropoutLayer
        || inner instanceof BaseUpsamplingLayer
        || inner instanceof SubsamplingLayer
        || inner instanceof Subsampling3DLayer
        || inner instanceof Pooling2D
        || inner instanceof GlobalPoolingLayer
        || inner instanceof ZeroPaddingLayer
        || inner instanceof ZeroPadding1DLayer
        || inner instanceof ZeroPadding3DLayer
        || inner instanceof Cropping1D
        || inner instanceof Cropping2D
        || inner instanceof Cropping3D
        || inner instanceof LossLayer
        || inner instanceof CnnLossLayer
        || inner instanceof RnnLossLayer
        || inner instanceof Cnn3DLossLayer
        || inner instanceof MaskLayer
        || inner instanceof RepeatVector) {
      return new Node(name, Step.PASS, inputs, null, what);
    }
    if (inner instanceof PReLULayer) {
      // A PReLU is positively homogeneous: it keeps the rescaling symmetry of the unit before it.
      return new Node(name, Step.PASS, inputs, null, what, true);
    }
    skipped.add("layer '" + name + "' (" + what + "): not measured: " + whyNot(inner));
    return new Node(name, Step.UNKNOWN, inputs, null, what);
  }

  private static String whyNot(Layer inner) {
    if (inner instanceof ElementWiseMultiplicationLayer) {
      return "each of its units reads one input, so it has no permutation symmetry of its own";
    }
    if (inner instanceof DepthwiseConvolution2D) {
      return "each output channel reads one input channel, so its units have no permutation symmetry";
    }
    if (inner instanceof SeparableConvolution2D) {
      return "a unit is a pointwise column after a depthwise filter shared by all units";
    }
    if (inner instanceof Deconvolution2D || inner instanceof Deconvolution3D) {
      return "transposed convolutions keep their output channels in the second axis of 'W', which "
          + "the monitor does not read";
    }
    if (inner instanceof VariationalAutoencoder) {
      return "a network of its own (encoder, latent, decoder) inside one layer";
    }
    if (inner instanceof Bidirectional || inner instanceof GravesBidirectionalLSTM) {
      return "its two directions' units are not read yet; the layers after it are measured";
    }
    return "no per-unit parameter layout the monitor can read (dense, output, convolution, "
        + "embedding and recurrent layers have one)";
  }

  private static Node recurrent(
      String name,
      BaseRecurrentLayer conf,
      org.deeplearning4j.nn.api.Layer runtime,
      List<String> inputs,
      List<String> skipped,
      String what) {
    INDArray w = runtime.getParam("W");
    INDArray rw = runtime.getParam("RW");
    int gates = conf instanceof SimpleRnn ? 1 : 4;
    if (w == null
        || rw == null
        || w.rank() != 2
        || rw.rank() != 2
        || w.size(1) != gates * rw.size(0)) {
      skipped.add(
          "layer '"
              + name
              + "' ("
              + what
              + "): not measured: its parameters 'W', 'RW' do not "
              + "have the expected shapes");
      return new Node(name, Step.UNKNOWN, inputs, null, what);
    }
    if (conf instanceof SimpleRnn rnn && rnn.hasLayerNorm()) {
      skipped.add(
          "layer '"
              + name
              + "' ("
              + what
              + "): not measured: layer normalisation inside a "
              + "recurrent layer is not read");
      return new Node(name, Step.UNKNOWN, inputs, null, what);
    }
    int n = (int) rw.size(0);
    int peepholes = (int) (rw.size(1) - (long) gates * n);
    boolean timeLast = conf.getRnnDataFormat() != RNNFormat.NWC;
    boolean symmetric = signSymmetric(conf.getActivationFn());
    if (!symmetric) {
      skipped.add(
          "layer '"
              + name
              + "' ("
              + what
              + "): dead-unit and merged-unit measures not "
              + "reported: its activation ("
              + conf.getActivationFn()
              + ") is neither odd nor positively "
              + "homogeneous, so its units have no sign or rescaling symmetry");
    }
    LayerPlan.Recurrent r = new LayerPlan.Recurrent(gates, peepholes, symmetric, timeLast);
    return new Node(
        name,
        Step.WEIGHTED,
        inputs,
        new LayerPlanDraft(
            LayerKind.RECURRENT, n, (int) w.size(0), (int) w.size(0), false, r, false),
        what);
  }

  /**
   * Whether a unit's output is an odd (tanh) or positively homogeneous (ReLU) function of its
   * input: then flipping or rescaling a recurrent unit's block input and outgoing weights is a
   * symmetry.
   */
  private static boolean signSymmetric(IActivation f) {
    return f instanceof ActivationTanH
        || f instanceof ActivationSoftSign
        || f instanceof ActivationHardTanH
        || f instanceof ActivationRationalTanh
        || f instanceof ActivationIdentity
        || f instanceof ActivationReLU
        || f instanceof ActivationLReLU;
  }

  /** Plain convolutions: depthwise, separable and transposed ones keep their units differently. */
  private static boolean isConvolution(Layer l) {
    return l.getClass() == ConvolutionLayer.class
        || l.getClass() == Convolution2D.class
        || l.getClass() == Convolution1DLayer.class
        || l.getClass() == Convolution1D.class
        || l.getClass() == Convolution3D.class;
  }

  private static Layer unwrap(Layer conf) {
    Layer l = conf;
    while (true) {
      if (l instanceof FrozenLayer f && f.getLayer() != null) {
        l = f.getLayer();
      } else if (l instanceof FrozenLayerWithBackprop f && f.getUnderlying() != null) {
        l = f.getUnderlying();
      } else if ((l instanceof LastTimeStep
              || l instanceof TimeDistributed
              || l instanceof MaskZeroLayer)
          && ((BaseWrapperLayer) l).getUnderlying() != null) {
        l = ((BaseWrapperLayer) l).getUnderlying();
      } else {
        return l;
      }
    }
  }

  private static List<LayerPlan> plans(Map<String, Node> nodes, List<String> skipped) {
    Map<String, List<String>> children = new LinkedHashMap<>();
    for (Node n : nodes.values()) {
      for (String in : n.inputs()) {
        children.computeIfAbsent(in, k -> new ArrayList<>()).add(n.name());
      }
    }
    Map<String, Integer> widths = new LinkedHashMap<>();
    List<LayerPlan> plans = new ArrayList<>();
    java.util.Set<String> folded = new java.util.HashSet<>();
    for (Node n : nodes.values()) {
      if (n.step() != Step.WEIGHTED) {
        continue;
      }
      LayerPlanDraft d = n.weighted();
      Trail trail = new Trail();
      follow(n.name(), 0, d.units(), null, false, nodes, children, widths, trail, 0);
      String reason = trail.unknown;
      if (reason == null && trail.feeds && trail.links.isEmpty()) {
        reason = "its units reach no layer whose weights can be read";
      }
      boolean feeds = trail.feeds;
      List<ConsumerLink> links = new ArrayList<>();
      for (ConsumerLink link : trail.links) {
        links.add(new ConsumerLink(link.consumer(), link.offset(), link.width(), d.channelsLast()));
      }
      // The consumer must read whole blocks of our channels, or the mapping is not what we think.
      for (ConsumerLink link : links) {
        LayerPlanDraft c = nodes.get(link.consumer()).weighted();
        if (reason == null
            && (c.inputChannels() % link.width() != 0
                || (c.kind() == LayerKind.CONVOLUTION && c.inputChannels() != link.width()))) {
          reason =
              "its units reach '"
                  + link.consumer()
                  + "' with "
                  + c.inputChannels()
                  + " inputs, which does not split into "
                  + link.width()
                  + " channels";
        }
      }
      LayerPlan.Normalisation normalisation = null;
      String source = n.name();
      int sourceOffset = 0;
      if (reason == null && !trail.normalisers.isEmpty()) {
        if (trail.normalisers.size() > 1) {
          reason =
              "its units reach several batch normalisations ("
                  + String.join(", ", trail.normalisers.keySet())
                  + ")";
        } else if (trail.plainLinks > 0) {
          reason = "its units reach a layer both through batch normalisation and directly";
        } else {
          var bn = trail.normalisers.entrySet().iterator().next();
          normalisation = new LayerPlan.Normalisation(bn.getKey(), bn.getValue(), false);
          source = bn.getKey();
          sourceOffset = bn.getValue();
          // The activations are the batch norm's output after the activation right after it.
          List<String> after = children.getOrDefault(bn.getKey(), List.of());
          if (after.size() == 1 && nodes.get(after.get(0)).activation()) {
            source = after.get(0);
          }
          folded.add(bn.getKey());
          skipped.add(
              "layer '"
                  + bn.getKey()
                  + "' (BatchNormalization): measured as the scale and "
                  + "shift of the units of '"
                  + n.name()
                  + "'");
        }
      }
      if (normalisation == null && d.layerNorm()) {
        normalisation = new LayerPlan.Normalisation(n.name(), 0, true);
      }
      if (feeds && reason != null) {
        skipped.add(
            "layer '" + n.name() + "': dead-unit and merged-unit measures not reported: " + reason);
      }
      plans.add(
          new LayerPlan(
              n.name(),
              d.kind(),
              d.units(),
              d.fanIn(),
              feeds,
              reason == null ? links : List.of(),
              reason,
              d.channelsLast(),
              reason == null ? normalisation : null,
              d.recurrent(),
              reason == null ? source : n.name(),
              reason == null ? sourceOffset : 0));
    }
    for (Node n : nodes.values()) {
      if (n.step() == Step.NORMALISE && !folded.contains(n.name())) {
        skipped.add(
            "layer '"
                + n.name()
                + "' (BatchNormalization): not measured: it does not "
                + "normalise the units of exactly one measured layer");
      }
    }
    return plans;
  }

  private static final class Trail {
    final List<ConsumerLink> links = new ArrayList<>();

    /** Batch norms met on the way, each with the producer's channel offset there. */
    final Map<String, Integer> normalisers = new LinkedHashMap<>();

    /** Links reached without passing a batch norm. */
    int plainLinks;

    boolean feeds;
    String unknown;
  }

  /**
   * @param normaliser the batch norm passed on the way, or null
   * @param mixed whether an element-wise combination of several inputs was passed on the way
   */
  private static void follow(
      String from,
      int offset,
      int width,
      String normaliser,
      boolean mixed,
      Map<String, Node> nodes,
      Map<String, List<String>> children,
      Map<String, Integer> widths,
      Trail trail,
      int depth) {
    if (depth > 10_000) {
      trail.unknown = "the graph is too deep to follow";
      return;
    }
    for (String childName : children.getOrDefault(from, List.of())) {
      Node child = nodes.get(childName);
      switch (child.step()) {
        case WEIGHTED -> {
          trail.feeds = true;
          trail.links.add(new ConsumerLink(childName, offset, width, false));
          if (normaliser == null) {
            trail.plainLinks++;
          }
        }
        case PASS ->
            follow(
                childName,
                offset,
                width,
                normaliser,
                mixed,
                nodes,
                children,
                widths,
                trail,
                depth + 1);
        case COMBINE ->
            follow(
                childName,
                offset,
                width,
                normaliser,
                true,
                nodes,
                children,
                widths,
                trail,
                depth + 1);
        case NORMALISE -> {
          if (normaliser != null || mixed) {
            // Normalising a sum (after a residual add) or twice: the units are not one batch
            // norm's.
            trail.feeds = true;
            trail.unknown =
                "its units reach batch normalisation '"
                    + childName
                    + "' "
                    + (mixed
                        ? "through an element-wise combination with other layers"
                        : "after another one");
            return;
          }
          trail.normalisers.putIfAbsent(childName, offset);
          follow(
              childName, offset, width, childName, mixed, nodes, children, widths, trail,
              depth + 1);
        }
        case MERGE -> {
          int before = 0;
          int total = 0;
          boolean seen = false;
          for (String in : child.inputs()) {
            int w = width(in, nodes, widths);
            if (w < 0) {
              trail.feeds = true;
              trail.unknown =
                  "its units reach merge vertex '"
                      + childName
                      + "' whose input '"
                      + in
                      + "' has no known width";
              return;
            }
            if (in.equals(from) && !seen) {
              before = total;
              seen = true;
            }
            total += w;
          }
          follow(
              childName,
              offset + before,
              total,
              normaliser,
              mixed,
              nodes,
              children,
              widths,
              trail,
              depth + 1);
        }
        case UNKNOWN -> {
          // A layer the monitor cannot read (attention, a separable convolution, ...) still makes
          // this layer hidden.
          trail.feeds = true;
          trail.unknown =
              "its units reach '"
                  + childName
                  + "' ("
                  + child.what()
                  + "), which the monitor cannot map to units";
        }
        case INPUT -> {}
      }
    }
  }

  /** Output width (features or channels) of a node, or -1 when unknown. */
  private static int width(String name, Map<String, Node> nodes, Map<String, Integer> widths) {
    Integer known = widths.get(name);
    if (known != null) {
      return known;
    }
    Node n = nodes.get(name);
    int w;
    switch (n.step()) {
      case WEIGHTED -> w = n.weighted().units();
      case PASS, COMBINE, NORMALISE ->
          w = n.inputs().isEmpty() ? -1 : width(n.inputs().get(0), nodes, widths);
      case MERGE -> {
        int sum = 0;
        for (String in : n.inputs()) {
          int x = width(in, nodes, widths);
          if (x < 0) {
            sum = -1;
            break;
          }
          sum += x;
        }
        w = sum;
      }
      default -> w = -1;
    }
    widths.put(name, w);
    return w;
  }
}
