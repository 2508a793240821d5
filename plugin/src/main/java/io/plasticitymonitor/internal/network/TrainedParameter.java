package io.plasticitymonitor.internal.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * One live parameter array that DL4J's updater trains — every parameter of a layer that is not
 * frozen, except those whose updater is {@code NoOp} (batch normalization's running statistics) —
 * and its learning rate. Obtain them from {@link UnitSurgery#trainedParameters()}.
 */
public final class TrainedParameter {
  private final String layer;
  private final String param;
  private final INDArray view;
  private final IUpdater updater;

  private TrainedParameter(String layer, String param, INDArray view, IUpdater updater) {
    this.layer = layer;
    this.param = param;
    this.view = view;
    this.updater = updater;
  }

  static List<TrainedParameter> of(Model model) {
    List<TrainedParameter> out = new ArrayList<>();
    for (ModelAccess.Entry e : ModelAccess.layers(model)) {
      if (ModelAccess.frozen(e.layer())) {
        continue;
      }
      for (Map.Entry<String, INDArray> p : e.layer().paramTable().entrySet()) {
        IUpdater u = e.layer().getConfig().getUpdaterByParam(p.getKey());
        if (!(u instanceof NoOp)) {
          out.add(new TrainedParameter(e.name(), p.getKey(), p.getValue(), u));
        }
      }
    }
    return out;
  }

  /** The layer's name as DL4J reports it. */
  public String layer() {
    return layer;
  }

  /** The parameter's key in the layer's parameter table ({@code W}, {@code b}, …). */
  public String param() {
    return param;
  }

  /** The updater's learning rate at {@code (iteration, epoch)}; 1 for an updater without one. */
  public double learningRate(int iteration, int epoch) {
    return updater != null && updater.hasLearningRate()
        ? updater.getLearningRate(iteration, epoch)
        : 1.0;
  }

  /** A detached copy of the parameter's current values, in its shape, order and data type. */
  public INDArray copy() {
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      return view.dup(view.ordering());
    }
  }

  /**
   * {@code θ ← θ − c·(θ − anchor) = (1 − c)·θ + c·anchor}, in place on the live parameters; {@code
   * anchor} has the parameter's shape. Call between iterations only.
   */
  public void pullToward(INDArray anchor, double c) {
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      view.muli(1 - c);
      Nd4j.exec(new Axpy(anchor, view, view, c));
    }
  }

  @Override
  public String toString() {
    return layer + "/" + param;
  }
}
