package io.plasticitymonitor.internal.network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.Pooling2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which layers of a network the monitor measures, where each layer's outgoing weights are, and which
 * layers it skips and why. Worked out once per network from its configuration and parameter shapes;
 * immutable, so the analysis thread may read it freely.
 *
 * <p>A MultiLayerNetwork is read as a chain and a ComputationGraph through its vertex inputs. Between
 * a layer and the layers with weights that read it, parameterless steps that keep unit {@code i} at
 * position {@code i} (dropout, activation, pooling, padding, cropping, upsampling, element-wise,
 * scale, shift and preprocessor vertices) are followed; merge vertices shift the position by the
 * widths of the inputs before it. Any other step ends the trail: the layer's outgoing weights are
 * then unknown and the per-unit measures are not reported for it.
 */
public final class NetworkStructure {
  private final boolean graph;
  private final List<LayerPlan> layers;
  private final Map<String, Integer> chainIndex;
  private final List<String> skipped;

  private NetworkStructure(
      boolean graph, List<LayerPlan> layers, Map<String, Integer> chainIndex, List<String> skipped) {
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
    throw new IllegalArgumentException("The plasticity monitor reads MultiLayerNetwork and "
        + "ComputationGraph models (got: " + (model == null ? "null" : model.getClass().getName()) + ")");
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

  /** A node of the unified graph: a layer with weights, a step that keeps positions, a merge, or unknown. */
  private record Node(String name, Step step, List<String> inputs, LayerPlanDraft weighted, String what) {}

  private enum Step { WEIGHTED, PASS, MERGE, UNKNOWN, INPUT }

  private record LayerPlanDraft(LayerKind kind, int units, int fanIn, int inputChannels, boolean channelsLast) {}

  private static NetworkStructure ofChain(MultiLayerNetwork net) {
    Map<String, Node> nodes = new LinkedHashMap<>();
    Map<String, Integer> index = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    String previous = null;
    for (int i = 0; i < net.getnLayers(); i++) {
      Layer conf = net.getLayerWiseConfigurations().getConf(i).getLayer();
      String name = conf.getLayerName() != null ? conf.getLayerName() : "layer" + i;
      Node node = classify(name, conf, net.getLayer(i), previous == null ? List.of() : List.of(previous), skipped);
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
      } else if (vertex instanceof ElementWiseVertex || vertex instanceof PreprocessorVertex
          || vertex instanceof ScaleVertex || vertex instanceof ShiftVertex) {
        node = new Node(name, Step.PASS, inputs, null, vertex.getClass().getSimpleName());
      } else {
        node = new Node(name, Step.UNKNOWN, inputs, null, vertex.getClass().getSimpleName());
      }
      nodes.put(name, node);
    }
    return new NetworkStructure(true, plans(nodes, skipped), Map.of(), skipped);
  }

  private static Node classify(String name, Layer conf, org.deeplearning4j.nn.api.Layer runtime,
      List<String> inputs, List<String> skipped) {
    Layer inner = unwrap(conf);
    String what = inner.getClass().getSimpleName();
    // An embedding is a dense layer on one-hot inputs: the same W [nIn, nOut], the same units.
    boolean weightedType = inner instanceof DenseLayer || inner instanceof BaseOutputLayer
        || inner.getClass() == EmbeddingLayer.class || isConvolution2d(inner);
    if (weightedType) {
      INDArray w = runtime.getParam("W");
      if (w != null) {
        long[] s = w.shape();
        if (isConvolution2d(inner) && s.length == 4) {
          ConvolutionLayer convConf = (ConvolutionLayer) inner;
          boolean nhwc = convConf.getCnn2dDataFormat() == CNN2DFormat.NHWC;
          return new Node(name, Step.WEIGHTED, inputs,
              new LayerPlanDraft(LayerKind.CONVOLUTION, (int) s[0], (int) (s[1] * s[2] * s[3]), (int) s[1], nhwc),
              what);
        }
        if (!(inner instanceof ConvolutionLayer) && s.length == 2) {
          return new Node(name, Step.WEIGHTED, inputs,
              new LayerPlanDraft(LayerKind.DENSE, (int) s[1], (int) s[0], (int) s[0], false), what);
        }
      }
      skipped.add("layer '" + name + "' (" + what + "): not measured: its weight parameter 'W' has an "
          + "unexpected shape");
      return new Node(name, Step.UNKNOWN, inputs, null, what);
    }
    if (inner instanceof DropoutLayer || inner instanceof ActivationLayer
        || inner.getClass() == SubsamplingLayer.class || inner instanceof Pooling2D
        || inner instanceof GlobalPoolingLayer
        || inner instanceof Upsampling2D || inner instanceof ZeroPaddingLayer
        || inner instanceof Cropping2D || inner instanceof LossLayer) {
      return new Node(name, Step.PASS, inputs, null, what);
    }
    skipped.add("layer '" + name + "' (" + what + "): not measured: only dense, output and 2-D "
        + "convolution layers have units the monitor can read");
    return new Node(name, Step.UNKNOWN, inputs, null, what);
  }

  /** Plain 2-D convolutions only: depthwise, separable, 1-D, 3-D and transposed ones differ in W. */
  private static boolean isConvolution2d(Layer l) {
    return l.getClass() == ConvolutionLayer.class || l.getClass() == Convolution2D.class;
  }

  private static Layer unwrap(Layer conf) {
    Layer l = conf;
    while (true) {
      if (l instanceof FrozenLayer f && f.getLayer() != null) {
        l = f.getLayer();
      } else if (l instanceof FrozenLayerWithBackprop f && f.getUnderlying() != null) {
        l = f.getUnderlying();
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
    for (Node n : nodes.values()) {
      if (n.step() != Step.WEIGHTED) {
        continue;
      }
      LayerPlanDraft d = n.weighted();
      Trail trail = new Trail();
      follow(n.name(), 0, d.units(), nodes, children, widths, trail, 0);
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
        if (reason == null && (c.inputChannels() % link.width() != 0
            || (c.kind() == LayerKind.CONVOLUTION && c.inputChannels() != link.width()))) {
          reason = "its units reach '" + link.consumer() + "' with " + c.inputChannels()
              + " inputs, which does not split into " + link.width() + " channels";
        }
      }
      if (feeds && reason != null) {
        skipped.add("layer '" + n.name() + "': dead-unit and merged-unit measures not reported: " + reason);
      }
      plans.add(new LayerPlan(n.name(), d.kind(), d.units(), d.fanIn(), feeds,
          reason == null ? links : List.of(), reason, d.channelsLast()));
    }
    return plans;
  }

  private static final class Trail {
    final List<ConsumerLink> links = new ArrayList<>();
    boolean feeds;
    String unknown;
  }

  private static void follow(String from, int offset, int width, Map<String, Node> nodes,
      Map<String, List<String>> children, Map<String, Integer> widths, Trail trail, int depth) {
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
        }
        case PASS -> follow(childName, offset, width, nodes, children, widths, trail, depth + 1);
        case MERGE -> {
          int before = 0;
          int total = 0;
          boolean seen = false;
          for (String in : child.inputs()) {
            int w = width(in, nodes, widths);
            if (w < 0) {
              trail.feeds = true;
              trail.unknown = "its units reach merge vertex '" + childName + "' whose input '" + in
                  + "' has no known width";
              return;
            }
            if (in.equals(from) && !seen) {
              before = total;
              seen = true;
            }
            total += w;
          }
          follow(childName, offset + before, total, nodes, children, widths, trail, depth + 1);
        }
        case UNKNOWN -> {
          // A layer the monitor cannot read (batch norm, LSTM, ...) still makes this layer hidden.
          trail.feeds = true;
          trail.unknown = "its units reach '" + childName + "' (" + child.what()
              + "), which the monitor cannot map to units";
        }
        case INPUT -> { }
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
      case PASS -> w = n.inputs().isEmpty() ? -1 : width(n.inputs().get(0), nodes, widths);
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
