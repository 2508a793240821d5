package io.plasticitymonitor.remedy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.internal.network.UnitSurgery;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * L2-init on a layer whose gradient is exactly 0 (its inputs are all 0, so dL/dW = xᵀδ = 0): only
 * the penalty moves its weights, toward their values when the remedy was bound.
 */
class L2InitTest {
  private static final double EXACT = 1e-12;

  @Test
  void oneIterationIsTheRegenerativeStepTowardTheInitialWeights() {
    double lr = 0.1;
    double lambda = 0.5;
    MultiLayerNetwork net = TinyNets.mlp(new Sgd(lr), 0, 3, 4, 2);
    INDArray initial = net.getLayer(0).getParam("W").dup();
    L2Init remedy = new L2Init(UnitSurgery.of(net), lambda);
    net.fit(
        TinyNets.batch(8, 3, 2, false, 2)); // moves layer0's W away from θ₀ (no remedy step yet)
    INDArray moved = net.getLayer(0).getParam("W").dup();
    assertThat(moved.sub(initial).norm2Number().doubleValue()).isGreaterThan(1e-4);

    net.fit(TinyNets.batch(8, 3, 2, true, 1)); // zero inputs: layer0's W gets no gradient
    long pulled = remedy.afterIteration(net.getIterationCount() - 1, 0);

    // θ ← θ − 2λ·lr·(θ − θ₀) = θ − 0.1·(θ − θ₀)
    INDArray expected = moved.sub(moved.sub(initial).mul(2 * lambda * lr));
    INDArray after = net.getLayer(0).getParam("W");
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        assertThat(after.getDouble(i, j)).isCloseTo(expected.getDouble(i, j), within(EXACT));
      }
    }
    assertThat(pulled).isEqualTo(4); // W and b of both layers
  }

  @Test
  void withoutGradientTheWeightsReturnToTheirInitialValues() {
    MultiLayerNetwork net = TinyNets.mlp(new Sgd(0.5), 0, 3, 4, 2);
    INDArray initial = net.getLayer(0).getParam("W").dup();
    L2Init remedy = new L2Init(UnitSurgery.of(net), 0.25);
    net.fit(TinyNets.batch(8, 3, 2, false, 2));
    remedy.afterIteration(0, 0);
    assertThat(net.getLayer(0).getParam("W").sub(initial).norm2Number().doubleValue())
        .isGreaterThan(1e-4);
    DataSet zeros = TinyNets.batch(8, 3, 2, true, 1);
    for (int i = 1; i <= 300; i++) { // (1 − 2·0.25·0.5)^300 ≈ 1e-38 of the distance is left
      net.fit(zeros);
      remedy.afterIteration(i, 0);
    }
    assertThat(net.getLayer(0).getParam("W").sub(initial).norm2Number().doubleValue())
        .isLessThan(EXACT);
  }

  @Test
  void lambdaZeroChangesNothing() {
    DataSet data = TinyNets.batch(8, 3, 2, false, 2);
    MultiLayerNetwork plain = TinyNets.mlp(new Sgd(0.1), 0, 3, 4, 2);
    MultiLayerNetwork l2 = TinyNets.mlp(new Sgd(0.1), 0, 3, 4, 2);
    L2Init remedy = new L2Init(UnitSurgery.of(l2), 0);
    for (int i = 0; i < 3; i++) {
      plain.fit(data);
      l2.fit(data);
      assertThat(remedy.afterIteration(i, 0)).isZero();
    }
    assertThat(TinyNets.params(l2)).containsExactly(TinyNets.params(plain));
  }

  /**
   * Through the listener: θ₀ is taken at the first forward pass, before that iteration's update.
   * The first batch has zero inputs, so layer0's W gets no gradient (nor the output layer's W: the
   * hidden activations are ReLU(0) = 0); the output layer's bias does learn: a twin without the
   * remedy ends at {@code b₁ − lr·g}, and with it the pull must bring that back toward the
   * pre-update {@code b₁} by {@code c = 2λ·lr} (a θ₀ taken after the update would leave it where
   * the twin is). Then a real batch moves layer0, and another zero batch pulls it back by {@code c}
   * of the way.
   */
  @Test
  void throughTheListenerTheAnchorIsTheNetworkBeforeItsFirstUpdate(@TempDir Path dir) {
    double lr = 0.1;
    double lambda = 0.5;
    double c = 2 * lambda * lr;
    MultiLayerNetwork net = TinyNets.mlp(new Sgd(lr), 0, 3, 4, 2);
    MultiLayerNetwork twin = TinyNets.mlp(new Sgd(lr), 0, 3, 4, 2);
    INDArray initialW0 = net.getLayer(0).getParam("W").dup();
    INDArray initialB1 = net.getLayer(1).getParam("b").dup();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PlasticityListener listener =
        TinyNets.listener(dir, "l2-init", new RemedySettings.L2Init(lambda), registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      DataSet zeros = TinyNets.batch(8, 3, 2, true, 1);
      net.fit(zeros);
      twin.fit(zeros);
      INDArray plainStep = twin.getLayer(1).getParam("b");
      INDArray pulled = plainStep.sub(plainStep.sub(initialB1).mul(c));
      assertThat(plainStep.sub(initialB1).norm2Number().doubleValue()).isGreaterThan(1e-6);
      for (int j = 0; j < 2; j++) {
        assertThat(net.getLayer(1).getParam("b").getDouble(0, j))
            .isCloseTo(pulled.getDouble(0, j), within(EXACT));
      }
      assertThat(net.getLayer(0).getParam("W")).isEqualTo(initialW0);

      net.fit(TinyNets.batch(8, 3, 2, false, 2));
      INDArray moved = net.getLayer(0).getParam("W").dup();
      net.fit(zeros);
      INDArray expected = moved.sub(moved.sub(initialW0).mul(c));
      INDArray after = net.getLayer(0).getParam("W");
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
          assertThat(after.getDouble(i, j)).isCloseTo(expected.getDouble(i, j), within(EXACT));
        }
      }
      assertThat(TinyNets.applied(registry, "l2-init")).isEqualTo(12.0); // 4 arrays × 3 iterations
      assertThat(listener.endTask().remedy()).contains("l2-init");
    }
  }
}
