package io.plasticitymonitor.internal.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;

/**
 * What the remedies need to know of DL4J's runtime objects: the layers with their names, the object
 * the updater knows each layer by, a fresh initialisation of a layer's parameters, and the slices
 * of the updater state that belong to one parameter array.
 *
 * <p>DL4J 1.0.0-M2.1 keeps all parameters in one flat buffer and the updater state in another. The
 * updater groups consecutive parameter arrays with equal updater configuration into {@link
 * UpdaterBlock}s; a block's state is {@code k} consecutive sub-arrays as long as the block's
 * parameters (Adam: {@code k = 2}, m then v), each laid out like the block's parameters. So the
 * state of one parameter array is, in each sub-array, the interval at the array's offset in the
 * block, and element {@code e} of that interval belongs to element {@code e} of the parameter's
 * flat segment, that is of the parameter view in its own memory order ({@code 'f'} for dense {@code
 * W}, {@code 'c'} for convolution {@code W}).
 */
final class ModelAccess {
  private ModelAccess() {}

  /** A runtime layer, its name as DL4J reports it, and the object its updater state belongs to. */
  record Entry(String name, Layer layer, Trainable owner) {}

  /**
   * One parameter array's part of one updater state sub-array: element {@code e} of the parameter
   * (in its memory order) has its state at {@code state[base + e]}, a fresh updater's value being
   * {@code initialValue}.
   */
  record StateView(INDArray state, long base, double initialValue) {}

  /** Every layer with parameters, in network order. */
  static List<Entry> layers(Model model) {
    List<Entry> out = new ArrayList<>();
    if (model instanceof MultiLayerNetwork mln) {
      for (int i = 0; i < mln.getnLayers(); i++) {
        Layer l = mln.getLayer(i);
        if (l.numParams() > 0) {
          out.add(new Entry(chainName(mln, i), l, l));
        }
      }
    } else if (model instanceof ComputationGraph cg) {
      for (Layer l : cg.getLayers()) {
        String name = l.conf().getLayer().getLayerName();
        if (l.numParams() > 0) {
          out.add(new Entry(name, l, cg.getVertex(name)));
        }
      }
    } else {
      throw new IllegalArgumentException(
          "The plasticity monitor reads MultiLayerNetwork and "
              + "ComputationGraph models (got: "
              + (model == null ? "null" : model.getClass().getName())
              + ")");
    }
    return out;
  }

  /** The named layer; {@code structure} must have been read from {@code model}. */
  static Entry layer(Model model, NetworkStructure structure, String name) {
    if (structure.isGraph()) {
      ComputationGraph cg = (ComputationGraph) model;
      return new Entry(name, cg.getLayer(name), cg.getVertex(name));
    }
    Layer l = ((MultiLayerNetwork) model).getLayer(structure.chainIndex(name));
    return new Entry(name, l, l);
  }

  /**
   * The same naming rule as {@link NetworkStructure}: the configured name, else {@code layer<i>}.
   */
  private static String chainName(MultiLayerNetwork mln, int i) {
    String n = mln.getLayerWiseConfigurations().getConf(i).getLayer().getLayerName();
    return n != null ? n : "layer" + i;
  }

  static boolean frozen(Layer layer) {
    return layer instanceof FrozenLayer || layer instanceof FrozenLayerWithBackprop;
  }

  /**
   * A new initialisation of the layer's parameters, drawn by the layer's own parameter initialiser
   * (its weight init, bias init, …) into a temporary buffer; the live parameters are untouched.
   * Draws from ND4J's random generator of the calling thread, as DL4J's {@code init()} does.
   */
  static Map<String, INDArray> freshParams(Layer layer) {
    NeuralNetConfiguration conf = layer.conf();
    long n = conf.getLayer().initializer().numParams(conf);
    INDArray buffer = Nd4j.createUninitialized(layer.params().dataType(), 1, n);
    return conf.getLayer().initializer().init(conf, buffer, true);
  }

  static int iterationCount(Model model) {
    if (model instanceof MultiLayerNetwork mln) {
      return mln.getIterationCount();
    }
    return ((ComputationGraph) model).getIterationCount();
  }

  static int epochCount(Model model) {
    if (model instanceof MultiLayerNetwork mln) {
      return mln.getEpochCount();
    }
    return ((ComputationGraph) model).getEpochCount();
  }

  /**
   * The updater state of one parameter array: one view per state sub-array (none for SGD, or when
   * the network has not created its updater yet), each shaped and ordered like {@code param} so the
   * same indices select the same weights, with the value a fresh updater starts from (0, but the
   * epsilon of AdaGrad and RMSProp, as their {@code setStateViewArray} initialises it).
   */
  static List<StateView> stateViews(
      Model model, Trainable owner, String paramName, INDArray param) {
    Updater updater;
    if (model instanceof MultiLayerNetwork mln) {
      updater = mln.getUpdater(false);
    } else {
      updater = ((ComputationGraph) model).getUpdater(false);
    }
    if (!(updater instanceof BaseMultiLayerUpdater<?> multi)) {
      return List.of();
    }
    for (UpdaterBlock block : multi.getUpdaterBlocks()) {
      for (UpdaterBlock.ParamState ps : block.getLayersAndVariablesInBlock()) {
        if (ps.getLayer() != owner || !ps.getParamName().equals(paramName)) {
          continue;
        }
        INDArray state = block.getUpdaterView();
        if (state == null) {
          return List.of();
        }
        long blockParams = block.getParamOffsetEnd() - block.getParamOffsetStart();
        long blockState = block.getUpdaterViewOffsetEnd() - block.getUpdaterViewOffsetStart();
        long offset = ps.getParamOffsetStart() - block.getParamOffsetStart();
        long length = ps.getParamOffsetEnd() - ps.getParamOffsetStart();
        if (blockParams <= 0 || blockState % blockParams != 0 || length != param.length()) {
          throw new IllegalStateException(
              "updater state of '"
                  + owner.getConfig().getLayerName()
                  + "'/"
                  + paramName
                  + " is not laid out as expected (block of "
                  + blockParams
                  + " parameters with "
                  + blockState
                  + " state values)");
        }
        double initial = initialStateValue(block.getGradientUpdater().getConfig());
        INDArray flat =
            Shape.newShapeNoCopy(state, new long[] {state.length()}, state.ordering() == 'f');
        if (flat == null) {
          throw new IllegalStateException(
              "cannot view the updater state of '"
                  + owner.getConfig().getLayerName()
                  + "'/"
                  + paramName
                  + " as a vector");
        }
        List<StateView> views = new ArrayList<>();
        for (long k = 0; k < blockState / blockParams; k++) {
          views.add(new StateView(flat, k * blockParams + offset, initial));
        }
        return views;
      }
    }
    return List.of();
  }

  private static double initialStateValue(IUpdater config) {
    if (config instanceof AdaGrad a) {
      return a.getEpsilon();
    }
    if (config instanceof RmsProp r) {
      return r.getEpsilon();
    }
    return 0;
  }
}
