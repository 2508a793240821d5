package io.plasticitymonitor.remedy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.internal.network.DecayedParameter;
import io.plasticitymonitor.internal.network.UnitSurgery;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Syre on a layer whose gradient is exactly 0 (its inputs are all 0, so dL/dW = xᵀδ = 0): only the
 * decay moves its weights, and they must go to the anchor instead of to 0.
 */
class SyreTest {
  private static final double EXACT = 1e-12;
  @TempDir Path dir;

  private static INDArray anchorOf(MultiLayerNetwork net, String layer, double scale, long seed) {
    DecayedParameter w =
        UnitSurgery.of(net).decayedParameters().stream()
            .filter(p -> p.layer().equals(layer) && p.param().equals("W"))
            .findFirst()
            .orElseThrow();
    return Syre.anchor(w, scale, seed);
  }

  @Test
  void oneIterationIsPlainDecayTowardTheAnchor() {
    double lr = 0.1;
    double gamma = 0.5;
    MultiLayerNetwork net = TinyNets.mlp(new Sgd(lr), gamma, 3, 4, 2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PlasticityListener listener =
        TinyNets.listener(dir, "syre-step", new RemedySettings.Syre(1.0, 7), registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      INDArray before = net.getLayer(0).getParam("W").dup();
      INDArray anchor = anchorOf(net, "layer0", 1.0, 7);

      net.fit(TinyNets.batch(8, 3, 2, true, 1));

      // θ ← θ − lr·γ·(θ − θ₀), and nothing else: the gradient of layer0's W is 0. (Weight decay is
      // set per layer in TinyNets; set network-wide, DL4J applies it twice and syre follows that.)
      INDArray expected = before.sub(before.sub(anchor).mul(lr * gamma));
      INDArray after = net.getLayer(0).getParam("W");
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
          assertThat(after.getDouble(i, j)).isCloseTo(expected.getDouble(i, j), within(EXACT));
        }
      }
      // Both decayed arrays (W of layer0 and of the output layer) corrected once; biases carry no
      // decay.
      assertThat(TinyNets.applied(registry, "syre")).isEqualTo(2.0);
      assertThat(listener.endTask().remedyApplied()).isEqualTo(2);
    }
  }

  @Test
  void withoutGradientTheWeightsSettleOnTheAnchorNotOnZero() {
    DataSet zeros = TinyNets.batch(8, 3, 2, true, 1);
    MultiLayerNetwork plain = TinyNets.mlp(new Sgd(0.5), 0.5, 3, 4, 2);
    MultiLayerNetwork syre = TinyNets.mlp(new Sgd(0.5), 0.5, 3, 4, 2);
    try (PlasticityListener listener =
        TinyNets.listener(
            dir, "syre-limit", new RemedySettings.Syre(1.0, 7), new SimpleMeterRegistry())) {
      syre.addListeners(listener);
      INDArray anchor = anchorOf(syre, "layer0", 1.0, 7);
      for (int i = 0; i < 300; i++) { // (1 − 0.25)^300 ≈ 1e-37 of the start is left
        plain.fit(zeros);
        syre.fit(zeros);
      }
      assertThat(anchor.norm2Number().doubleValue()).isGreaterThan(0.5); // σ₀ = 1/√3 per weight
      assertThat(syre.getLayer(0).getParam("W").sub(anchor).norm2Number().doubleValue())
          .isLessThan(EXACT);
      assertThat(plain.getLayer(0).getParam("W").norm2Number().doubleValue()).isLessThan(EXACT);
    }
  }

  @Test
  void anchorsHaveTheDocumentedScaleAndDependOnlyOnSeedAndName() {
    MultiLayerNetwork a = TinyNets.mlp(new Sgd(0.1), 0.1, 400, 50, 2);
    MultiLayerNetwork b = TinyNets.mlp(new Sgd(0.1), 0.1, 400, 50, 2);
    INDArray anchor = anchorOf(a, "layer0", 0.01, 3);
    // σ₀ = 0.01/√400 = 5e-4; the sample standard deviation of 20,000 draws is within 2%.
    assertThat(anchor.stdNumber().doubleValue()).isCloseTo(5e-4, within(1e-5));
    assertThat(anchorOf(b, "layer0", 0.01, 3)).isEqualTo(anchor);
    assertThat(anchorOf(a, "layer0", 0.01, 4)).isNotEqualTo(anchor);
  }

  @Test
  void withoutWeightDecaySyreChangesNothing() {
    DataSet data = TinyNets.batch(8, 3, 2, false, 2);
    MultiLayerNetwork plain = TinyNets.mlp(new Sgd(0.1), 0, 3, 4, 2);
    MultiLayerNetwork syre = TinyNets.mlp(new Sgd(0.1), 0, 3, 4, 2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PlasticityListener listener =
        TinyNets.listener(dir, "syre-nowd", RemedySettings.syre(), registry)) {
      syre.addListeners(listener);
      listener.startTask("t");
      for (int i = 0; i < 3; i++) {
        plain.fit(data);
        syre.fit(data);
      }
      assertThat(TinyNets.params(syre)).containsExactly(TinyNets.params(plain));
      assertThat(TinyNets.applied(registry, "syre")).isZero();
    }
  }
}
