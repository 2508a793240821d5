package io.plasticitymonitor.internal.network;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * One live parameter array that DL4J decays with decoupled weight decay ({@link WeightDecay}, the
 * regularization {@code weightDecay(γ, applyLR)} configures), and how much it decays it by.
 *
 * <p>DL4J applies weight decay after the updater: the update becomes {@code u + c·θ} with {@code c
 * = γ(iteration, epoch) · (applyLR ? lr(iteration, epoch) : 1)}, and then {@code θ ← θ − u − c·θ}
 * ({@code UpdaterBlock.applyRegularizationAllVariables}; the learning rate is the updater's at that
 * iteration and epoch, 1 for an updater without one). {@link #decayStep} returns that {@code c}.
 * Obtain instances from {@link UnitSurgery#decayedParameters()}.
 */
public final class DecayedParameter {
  private final String layer;
  private final String param;
  private final INDArray view;
  private final int fanIn;
  private final List<WeightDecay> decays;
  private final IUpdater updater;

  DecayedParameter(
      String layer,
      String param,
      INDArray view,
      int fanIn,
      List<WeightDecay> decays,
      IUpdater updater) {
    this.layer = layer;
    this.param = param;
    this.view = view;
    this.fanIn = fanIn;
    this.decays = List.copyOf(decays);
    this.updater = updater;
  }

  /** The layer's name as DL4J reports it. */
  public String layer() {
    return layer;
  }

  /** The parameter's key in the layer's parameter table ({@code W}, {@code b}, …). */
  public String param() {
    return param;
  }

  public long[] shape() {
    return view.shape();
  }

  public char ordering() {
    return view.ordering();
  }

  public DataType dataType() {
    return view.dataType();
  }

  /**
   * Inputs per unit of the layer the parameter belongs to: {@code nIn} for a dense {@code W} {@code
   * [nIn, nOut]}, {@code nIn·kH·kW} for a convolution {@code W}; other parameters (biases, …) take
   * the fan-in of their layer's {@code W}, or 1 in a layer without one.
   */
  public int fanIn() {
    return fanIn;
  }

  /**
   * {@code c = Σ γ(iteration, epoch) · (applyLR ? lr(iteration, epoch) : 1)} over the parameter's
   * weight-decay regularizations: what DL4J's update at {@code (iteration, epoch)} multiplied the
   * parameter by and subtracted.
   */
  public double decayStep(int iteration, int epoch) {
    double lr =
        updater != null && updater.hasLearningRate()
            ? updater.getLearningRate(iteration, epoch)
            : 1.0;
    double c = 0;
    for (WeightDecay d : decays) {
      c += d.getCoeff().valueAt(iteration, epoch) * (d.isApplyLR() ? lr : 1.0);
    }
    return c;
  }

  /**
   * {@code θ ← θ + c·x}, in place on the live parameters; {@code x} has the parameter's shape. Call
   * between iterations only.
   */
  public void addScaled(INDArray x, double c) {
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      Nd4j.exec(new Axpy(x, view, view, c));
    }
  }

  @Override
  public String toString() {
    return layer + "/" + param;
  }
}
