package io.plasticitymonitor.remedy;

import java.util.Optional;

/**
 * An opt-in remedy for absorbed units, and its parameters: give one to {@link
 * PlasticityConfig.Builder#remedy}. Each record checks its parameters when it is made and fails
 * with an {@link IllegalArgumentException} naming the parameter and quoting the value.
 *
 * <pre>{@code
 * PlasticityConfig.builder().runId("run").remedy(RemedySettings.redo()).build();          // defaults
 * PlasticityConfig.builder().runId("run").remedy(new RemedySettings.Redo(250, 0.1)).build();
 * PlasticityConfig.builder().runId("run").remedy(RemedySettings.parse("cbp:rate=1e-3").orElseThrow()).build();
 * }</pre>
 *
 * <p>Every remedy runs on the training thread, in the listener's {@code iterationDone} (after
 * DL4J's update of that iteration and before the next one, so it never races the updater) or, for
 * shrink-and-perturb, in {@code startTask}. They act on every iteration the listener sees, inside a
 * task or not, and on every network it is attached to (each ParallelWrapper replica on its own).
 * "Hidden units" are those of the layers whose outgoing weights the monitor can read
 * (docs/metrics.md) and that are not frozen. What each does, with formula and citation, is in the
 * Javadoc of its record; docs/remedies.md has measurements.
 */
public sealed interface RemedySettings
    permits RemedySettings.Syre,
        RemedySettings.Redo,
        RemedySettings.ContinualBackprop,
        RemedySettings.ShrinkPerturb,
        RemedySettings.L2Init {

  /**
   * The remedy's name: {@code syre}, {@code redo}, {@code cbp}, {@code shrink-perturb} or {@code
   * l2-init}.
   */
  String name();

  /** Syre with σ₀ scale 0.01 and anchor seed 0. */
  static Syre syre() {
    return new Syre(0.01, 0);
  }

  /** ReDo every 1000 iterations with τ = 0.025. */
  static Redo redo() {
    return new Redo(1000, 0.025);
  }

  /** Continual backprop with replacement rate 1e-4, maturity 100 and utility decay 0.99. */
  static ContinualBackprop continualBackprop() {
    return new ContinualBackprop(1e-4, 100, 0.99);
  }

  /** Shrink-and-perturb with λ = 0.4 and σ = 0.1. */
  static ShrinkPerturb shrinkPerturb() {
    return new ShrinkPerturb(0.4, 0.1);
  }

  /** L2-init with λ = 0.01. */
  static L2Init l2Init() {
    return new L2Init(0.01);
  }

  /**
   * Syre (Ziyin, Xu &amp; Chuang 2024, "Remove Symmetries to Control Model Expressivity"): weight
   * decay pulls toward a fixed random anchor instead of toward 0, which removes the absorbing
   * states at 0 of the rescaling, rotation and permutation symmetries: {@code θ ← θ − lr·γ·(θ −
   * θ₀)} in place of DL4J's decoupled {@code θ ← θ − lr·γ·θ}, with {@code θ₀ ~ N(0, σ₀²)}, {@code
   * σ₀ = anchorScale / √fan_in}, drawn once per parameter array.
   *
   * <p>It acts on exactly the parameter arrays that carry DL4J's decoupled weight decay ({@code
   * weightDecay(γ, applyLR)}, {@code WeightDecay} regularization) with the network's own {@code γ},
   * learning-rate schedule and {@code applyLR}: after each iteration it adds {@code c·θ₀}, where
   * {@code c} is the decay DL4J just applied. Without weight decay it changes nothing (and says so
   * in the log). L2 regularization ({@code l2(…)}, applied through the updater) is not changed.
   * Note that DL4J 1.0.0-M2.1 puts a network-wide {@code weightDecay(γ, …)} into every layer twice,
   * so it decays by {@code 2γ}; syre re-centres exactly the decay DL4J applies.
   *
   * @param anchorScale the anchor's scale before dividing by √fan_in; ≥ 0, default 0.01 (0 is plain
   *     weight decay)
   * @param seed seed of the anchors; each array's anchor depends only on it, the layer's name and
   *     the parameter's name, so ParallelWrapper's replicas share anchors
   */
  record Syre(double anchorScale, long seed) implements RemedySettings {
    public Syre {
      if (!(anchorScale >= 0 && Double.isFinite(anchorScale))) {
        throw bad("syre.anchorScale", anchorScale, "a finite number ≥ 0");
      }
    }

    @Override
    public String name() {
      return "syre";
    }
  }

  /**
   * ReDo, recycling dormant neurons (Sokar, Agarwal, Castro &amp; Evci, ICML 2023, "The Dormant
   * Neuron Phenomenon in Deep Reinforcement Learning"): every {@code every} iterations, on that
   * iteration's training batch, a hidden unit with {@code s_i = mean_x|h_i(x)| / mean_k
   * mean_x|h_k(x)| ≤ τ} (all units when the layer's mean is 0) gets new incoming weights and bias
   * from its layer's initialiser, zero outgoing weights, and fresh updater state for all of them.
   *
   * @param every iterations between recycling steps (at iterations {@code every, 2·every, …} of the
   *     network's iteration count); ≥ 1, default 1000
   * @param tau {@code τ} in [0, 1); default 0.025, the monitor's own dormant threshold (metric
   *     contract item 2), so ReDo recycles what {@code
   *     plasticity_dead_units{criterion="activations"}} counts on the training batch
   */
  record Redo(int every, double tau) implements RemedySettings {
    public Redo {
      if (every < 1) {
        throw bad("redo.every", every, "at least 1");
      }
      if (!(tau >= 0 && tau < 1)) {
        throw bad("redo.tau", tau, "a number in [0, 1)");
      }
    }

    @Override
    public String name() {
      return "redo";
    }
  }

  /**
   * Continual backprop (Dohare, Hernandez-Garcia, Lan, Rahman, Mahmood &amp; Sutton, Nature 632,
   * 2024, "Loss of plasticity in deep continual learning"): each hidden unit keeps a contribution
   * utility {@code u_i ← η·u_i + (1 − η)·mean_x|h_i(x)|·Σ_k|w_out,ik|} and an age (iterations since
   * it was last (re)initialised). Every iteration each hidden layer owes {@code ρ·#(units older
   * than m)} more replacements; when a whole one is owed, the mature units of lowest utility get
   * new incoming weights and bias from the layer's initialiser, zero outgoing weights, fresh
   * updater state, and utility and age 0.
   *
   * @param replacementRate {@code ρ} in [0, 1]; default 1e-4
   * @param maturity {@code m}, iterations before a unit may be replaced; ≥ 0, default 100
   * @param decay {@code η} in [0, 1); default 0.99
   */
  record ContinualBackprop(double replacementRate, int maturity, double decay)
      implements RemedySettings {
    public ContinualBackprop {
      if (!(replacementRate >= 0 && replacementRate <= 1)) {
        throw bad("cbp.replacementRate", replacementRate, "a number in [0, 1]");
      }
      if (maturity < 0) {
        throw bad("cbp.maturity", maturity, "at least 0");
      }
      if (!(decay >= 0 && decay < 1)) {
        throw bad("cbp.decay", decay, "a number in [0, 1)");
      }
    }

    @Override
    public String name() {
      return "cbp";
    }
  }

  /**
   * Shrink and perturb (Ash &amp; Adams, NeurIPS 2020, "On Warm-Starting Neural Network Training"):
   * at the start of every task after the first, {@code θ ← λ·θ + σ·ε} for every trained parameter
   * array, with {@code ε} a fresh draw of the layer's own initialiser (so the noise has each
   * layer's initial scale; biases initialised to a constant are only shrunk).
   *
   * @param shrink {@code λ} in (0, 1]; default 0.4
   * @param noise {@code σ} ≥ 0; default 0.1
   */
  record ShrinkPerturb(double shrink, double noise) implements RemedySettings {
    public ShrinkPerturb {
      if (!(shrink > 0 && shrink <= 1)) {
        throw bad("shrink-perturb.shrink", shrink, "a number in (0, 1]");
      }
      if (!(noise >= 0 && Double.isFinite(noise))) {
        throw bad("shrink-perturb.noise", noise, "a finite number ≥ 0");
      }
    }

    @Override
    public String name() {
      return "shrink-perturb";
    }
  }

  /**
   * L2-init, regenerative regularisation (Kumar, Marklund &amp; Van Roy 2023, "Maintaining
   * Plasticity in Continual Learning via Regenerative Regularization"): the penalty {@code λ‖θ −
   * θ₀‖²} toward the parameters the network started from, applied after every iteration as the
   * decoupled step {@code θ ← θ − c·(θ − θ₀)}, {@code c = min(1, 2λ·lr)} with the parameter's
   * learning rate at that iteration (1 for an updater without one), on every parameter array DL4J's
   * updater trains (frozen layers and batch normalization's running statistics excepted).
   *
   * <p>It reuses syre's anchor mechanism with another anchor: {@code θ₀} is a copy of the
   * parameters taken when the remedy first sees the network — at the first task's start when the
   * listener knows the network then (a watched one), otherwise at the first forward pass, before
   * that iteration's update. It is independent of DL4J's own weight decay, which keeps pulling
   * toward 0.
   *
   * @param lambda {@code λ} ≥ 0, finite; default 0.01 (0 changes nothing)
   */
  record L2Init(double lambda) implements RemedySettings {
    public L2Init {
      if (!(lambda >= 0 && Double.isFinite(lambda))) {
        throw bad("l2-init.lambda", lambda, "a finite number ≥ 0");
      }
    }

    @Override
    public String name() {
      return "l2-init";
    }
  }

  /**
   * Reads a remedy from text, for command lines: {@code none}, or a name ({@code syre}, {@code
   * redo}, {@code cbp}, {@code shrink-perturb}, {@code l2-init}) optionally followed by {@code
   * :key=value,…} to change parameters from their defaults — syre: {@code anchor-scale}, {@code
   * seed}; redo: {@code every}, {@code tau}; cbp: {@code rate}, {@code maturity}, {@code decay};
   * shrink-perturb: {@code shrink}, {@code noise}; l2-init: {@code lambda}. Example: {@code
   * redo:every=250,tau=0.1}.
   *
   * @return empty for {@code none}
   * @throws IllegalArgumentException naming what is wrong and quoting the text
   */
  static Optional<RemedySettings> parse(String spec) {
    return RemedySpec.parse(spec);
  }

  private static IllegalArgumentException bad(String parameter, Object got, String expected) {
    return new IllegalArgumentException(
        "PlasticityConfig.remedy " + parameter + " must be " + expected + " (got: " + got + ")");
  }
}
