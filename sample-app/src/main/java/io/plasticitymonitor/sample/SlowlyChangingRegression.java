package io.plasticitymonitor.sample;

import java.util.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The data of Dohare et al.'s slowly-changing regression problem (Nature 632, 2024; repository
 * shibhansh/loss-of-plasticity, {@code lop/slowly_changing_regression} and {@code
 * lop/nets/fix_ltu_net.py}), task by task.
 *
 * <p>Inputs are {@code m} bits. The first {@code f} are the slowly changing ones: they are drawn
 * once per task and held for all of the task's examples (the repository's default data, {@code
 * flip_one} false); the other {@code m − f} are drawn afresh for every example. The target is a
 * fixed network with one hidden layer of {@code targetUnits} linear threshold units: every weight
 * and bias uniform on {−1, +1}; unit {@code i} fires ({@code 1}) when its pre-activation exceeds
 * {@code τ_i = β(m+1) − S_i}, {@code S_i = (m − Σ_j W_ij + b_i)/2}; the output is the weighted sum
 * of the fired units plus a bias. One task is one flip period of the repository ({@code flip_after}
 * examples), so the error per task is the repository's error binned by flip period.
 *
 * <p>Everything comes from generators seeded by {@code seed} (the target) and {@code seed} and the
 * task (the data), so a task is the same whichever were made before it.
 */
final class SlowlyChangingRegression {
  /** Inputs {@code m}, as in the repository's configurations. */
  static final int INPUTS = 20;

  /** Slowly changing bits {@code f}. */
  static final int FLIPPING_BITS = 15;

  /** Hidden units of the target network. */
  static final int TARGET_UNITS = 100;

  /** The LTU threshold parameter β. */
  static final double BETA = 0.7;

  private final int inputs;
  private final int flippingBits;
  private final long seed;
  private final float[][] w1;
  private final float[] b1;
  private final float[] tau;
  private final float[] w2;
  private final float b2;

  SlowlyChangingRegression(long seed) {
    this(INPUTS, FLIPPING_BITS, TARGET_UNITS, BETA, seed);
  }

  SlowlyChangingRegression(int inputs, int flippingBits, int targetUnits, double beta, long seed) {
    if (flippingBits < 0 || flippingBits > inputs) {
      throw new IllegalArgumentException(
          "flipping bits must be 0 to " + inputs + " (got: " + flippingBits + ")");
    }
    this.inputs = inputs;
    this.flippingBits = flippingBits;
    this.seed = seed;
    Random rng = new Random(seed * 1_000_003L + 17);
    w1 = new float[targetUnits][inputs];
    b1 = new float[targetUnits];
    tau = new float[targetUnits];
    w2 = new float[targetUnits];
    for (int i = 0; i < targetUnits; i++) {
      float sum = 0;
      for (int j = 0; j < inputs; j++) {
        w1[i][j] = sign(rng);
        sum += w1[i][j];
      }
      b1[i] = sign(rng);
      float s = (inputs - sum + b1[i]) / 2f;
      tau[i] = (float) (beta * (inputs + 1)) - s;
    }
    for (int i = 0; i < targetUnits; i++) {
      w2[i] = sign(rng);
    }
    b2 = sign(rng);
  }

  private static float sign(Random rng) {
    return rng.nextBoolean() ? 1f : -1f;
  }

  int inputs() {
    return inputs;
  }

  int flippingBits() {
    return flippingBits;
  }

  /** The target network's output for one input. */
  double target(float[] x) {
    double out = b2;
    for (int i = 0; i < w1.length; i++) {
      double pre = b1[i];
      for (int j = 0; j < inputs; j++) {
        pre += w1[i][j] * x[j];
      }
      if (pre > tau[i]) {
        out += w2[i];
      }
    }
    return out;
  }

  /** The slowly changing bits of task {@code k}: drawn once per task. */
  float[] slowBits(int k) {
    Random rng = new Random(seed * 7_368_787L + 31L * k);
    float[] bits = new float[flippingBits];
    for (int j = 0; j < flippingBits; j++) {
      bits[j] = rng.nextBoolean() ? 1f : 0f;
    }
    return bits;
  }

  /** Task {@code k} (1-based): {@code examples} inputs and targets, in the order they arrive. */
  TaskFactory.Task task(int k, int examples) {
    float[] slow = slowBits(k);
    Random rng = new Random(seed * 2_147_483_647L + 131L * k);
    float[] x = new float[examples * inputs];
    float[] y = new float[examples];
    float[] row = new float[inputs];
    for (int e = 0; e < examples; e++) {
      System.arraycopy(slow, 0, row, 0, flippingBits);
      for (int j = flippingBits; j < inputs; j++) {
        row[j] = rng.nextBoolean() ? 1f : 0f;
      }
      System.arraycopy(row, 0, x, e * inputs, inputs);
      y[e] = (float) target(row);
    }
    var features = Nd4j.create(x, new long[] {examples, inputs}, 'c');
    var targets = Nd4j.create(y, new long[] {examples, 1}, 'c');
    return new TaskFactory.Task(
        k, "task-" + k, "slow bits " + bits(slow), features, targets, features, targets);
  }

  private static String bits(float[] b) {
    StringBuilder s = new StringBuilder();
    for (float v : b) {
      s.append(v > 0 ? '1' : '0');
    }
    return s.toString();
  }
}
