package io.plasticitymonitor.internal.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * What a training callback's model is. DL4J hands the network to callbacks during {@code fit}, but
 * during layer-wise pretraining ({@code MultiLayerNetwork.pretrain}: autoencoders, variational
 * autoencoders) it hands the layer being trained, and only to the listeners that layer holds: those
 * given to the network with {@code setListeners}, not those added with {@code addListeners}.
 */
public final class CallbackModels {
  private CallbackModels() {}

  /** Whether the monitor can read the model as a network. */
  public static boolean isNetwork(Model model) {
    return model instanceof MultiLayerNetwork || model instanceof ComputationGraph;
  }

  /**
   * The network a callback's model belongs to: the model itself when it is a network; for a layer,
   * the first candidate network that holds that very layer (the same object); else null.
   *
   * @param candidates networks to look in, in order of preference; nulls are skipped
   */
  public static Model networkOf(Model model, Model... candidates) {
    if (isNetwork(model)) {
      return model;
    }
    if (!(model instanceof Layer layer)) {
      return null;
    }
    for (Model c : candidates) {
      if (c != null && holds(c, layer)) {
        return c;
      }
    }
    return null;
  }

  private static boolean holds(Model network, Layer layer) {
    Layer[] layers =
        network instanceof MultiLayerNetwork mln
            ? mln.getLayers()
            : network instanceof ComputationGraph cg ? cg.getLayers() : new Layer[0];
    for (Layer l : layers) {
      if (l == layer) {
        return true;
      }
    }
    return false;
  }

  /**
   * Gives {@code listener} to every pretrainable layer of the network that does not hold it yet, so
   * that layer-wise pretraining reaches it however it was attached to the network. (An autoencoder
   * shares the network's listener collection; a variational autoencoder keeps a copy, which {@code
   * addListeners} on the network does not reach.) The layer gets a new collection, which is also
   * handed to its optimiser if it has one already.
   *
   * @return the layers the listener was given to
   */
  public static int attachToPretrainLayers(Model network, TrainingListener listener) {
    Layer[] layers =
        network instanceof MultiLayerNetwork mln
            ? mln.getLayers()
            : network instanceof ComputationGraph cg ? cg.getLayers() : new Layer[0];
    int attached = 0;
    for (Layer l : layers) {
      if (!l.isPretrainLayer()) {
        continue;
      }
      Collection<TrainingListener> held = l.getListeners();
      if (held != null && held.contains(listener)) {
        continue;
      }
      // Some layers hand out a copy of their collection (the VAE): set a new one rather than add.
      List<TrainingListener> list = new ArrayList<>(held == null ? List.of() : held);
      list.add(listener);
      l.setListeners(list);
      // A layer that has trained already keeps a copy in its optimiser.
      if (l.getOptimizer() != null) {
        l.getOptimizer().setListeners(l.getListeners());
      }
      attached++;
    }
    return attached;
  }
}
