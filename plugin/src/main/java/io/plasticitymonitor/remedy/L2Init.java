package io.plasticitymonitor.remedy;

import io.plasticitymonitor.internal.network.TrainedParameter;
import io.plasticitymonitor.internal.network.UnitSurgery;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L2-init, regenerative regularisation (Kumar, Marklund &amp; Van Roy 2023, "Maintaining Plasticity
 * in Continual Learning via Regenerative Regularization"): the penalty {@code λ‖θ − θ₀‖²} toward
 * the parameters the network started from, so that units drift back toward their (trainable)
 * initial state instead of toward the absorbing states at 0 that plain L2 favours.
 *
 * <p>Syre's anchor mechanism with another anchor: {@code θ₀} is a copy of every trained parameter
 * array ({@link UnitSurgery#trainedParameters()}) taken when this remedy is bound to the network —
 * at the first task's start when the listener knows the network then, otherwise at its first
 * forward pass, before that iteration's update. After every iteration the penalty's gradient step
 * is applied, decoupled from the updater as DL4J's {@code weightDecay(γ, true)} is:
 *
 * <pre>θ ← θ − c·(θ − θ₀),   c = min(1, 2λ·lr(iteration, epoch))</pre>
 *
 * <p>with {@code lr} the parameter's updater learning rate (1 for an updater without one); {@code
 * c} is capped at 1 (straight to θ₀) because a larger step would overshoot. Kumar et al. add the
 * penalty to the loss, so an adaptive updater rescales it; for SGD the two are the same step.
 * Counted: parameter arrays pulled, per iteration.
 */
final class L2Init implements Remedy {
  private static final Logger LOG = LoggerFactory.getLogger(L2Init.class);

  private final List<TrainedParameter> parameters;
  private final List<INDArray> anchors;
  private final double lambda;

  L2Init(UnitSurgery surgery, double lambda) {
    this.lambda = lambda;
    this.parameters = surgery.trainedParameters();
    this.anchors = new ArrayList<>(parameters.size());
    for (TrainedParameter p : parameters) {
      anchors.add(p.copy());
    }
    LOG.info("Remedy l2-init: {} pulled toward their values now with λ = {}", parameters, lambda);
  }

  @Override
  public long afterIteration(int iteration, int epoch) {
    if (lambda == 0) {
      return 0;
    }
    long pulled = 0;
    for (int i = 0; i < parameters.size(); i++) {
      TrainedParameter p = parameters.get(i);
      double c = Math.min(1, 2 * lambda * p.learningRate(iteration, epoch));
      if (c > 0) {
        p.pullToward(anchors.get(i), c);
        pulled++;
      }
    }
    return pulled;
  }
}
