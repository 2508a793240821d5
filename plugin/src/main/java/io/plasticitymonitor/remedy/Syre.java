package io.plasticitymonitor.remedy;

import io.plasticitymonitor.internal.network.DecayedParameter;
import io.plasticitymonitor.internal.network.UnitSurgery;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syre: weight decay toward a fixed random anchor (Ziyin, Xu &amp; Chuang 2024, "Remove Symmetries
 * to Control Model Expressivity").
 *
 * <p>Plain weight decay pulls every parameter toward 0, which is the fixed point of every mirror
 * symmetry of the loss (a dead unit, a lost direction, two merged units are all symmetric states of
 * the zero-centred penalty), so it makes those absorbing states attractive. Decay toward a random
 * anchor {@code θ₀} that no symmetry maps to itself removes them:
 *
 * <pre>θ ← θ − lr·γ·(θ − θ₀),   θ₀ ~ N(0, σ₀²) elementwise,   σ₀ = anchorScale / √fan_in</pre>
 *
 * <p>DL4J's decoupled weight decay ({@code weightDecay(γ, applyLR)}) has already applied {@code θ ←
 * θ − c·θ} inside the update of each iteration, with {@code c = γ·lr} (or {@code γ} without {@code
 * applyLR}); adding {@code c·θ₀} right after that iteration makes the step exactly the one above,
 * with the network's own {@code γ}, schedules and learning rate ({@link
 * DecayedParameter#decayStep}). Arrays without DL4J weight decay are left alone; with none at all
 * Syre changes nothing and logs so once.
 *
 * <p>Anchors are drawn once per array from a generator seeded by {@code seed}, the layer's name and
 * the parameter's name, so they do not depend on ND4J's random state and replicas share them.
 * Counted: parameter arrays corrected, per iteration.
 */
final class Syre implements Remedy {
  private static final Logger LOG = LoggerFactory.getLogger(Syre.class);

  private final UnitSurgery surgery;
  private final double anchorScale;
  private final long seed;
  private List<DecayedParameter> parameters;
  private List<INDArray> anchors;

  Syre(UnitSurgery surgery, double anchorScale, long seed) {
    this.surgery = surgery;
    this.anchorScale = anchorScale;
    this.seed = seed;
  }

  @Override
  public long afterIteration(int iteration, int epoch) {
    if (parameters == null) {
      bind();
    }
    long corrected = 0;
    for (int i = 0; i < parameters.size(); i++) {
      DecayedParameter p = parameters.get(i);
      double c = p.decayStep(iteration, epoch);
      if (c != 0 && anchorScale != 0) {
        p.addScaled(anchors.get(i), c);
        corrected++;
      }
    }
    return corrected;
  }

  private void bind() {
    parameters = surgery.decayedParameters();
    anchors = new ArrayList<>(parameters.size());
    for (DecayedParameter p : parameters) {
      anchors.add(anchor(p, anchorScale, seed));
    }
    if (parameters.isEmpty()) {
      LOG.warn(
          "Remedy syre: no parameter has DL4J weight decay (weightDecay(γ, applyLR)), so there "
              + "is no decay to re-centre; syre changes nothing");
    } else {
      LOG.info(
          "Remedy syre: weight decay of {} pulls toward random anchors (σ₀ = {}/√fan_in)",
          parameters,
          anchorScale);
    }
  }

  /** {@code θ₀ ~ N(0, (scale/√fan_in)²)} in the parameter's shape, order and data type. */
  static INDArray anchor(DecayedParameter p, double scale, long seed) {
    long n = 1;
    for (long d : p.shape()) {
      n *= d;
    }
    double sigma = scale / Math.sqrt(p.fanIn());
    SplittableRandom rng = new SplittableRandom(seed ^ fnv(p.layer() + "\u0000" + p.param()));
    double[] v = new double[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = sigma * rng.nextGaussian();
    }
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      return Nd4j.create(v, p.shape(), p.ordering()).castTo(p.dataType());
    }
  }

  /** FNV-1a, 64 bit: a stable hash of a name (String.hashCode has only 32 bits). */
  private static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
