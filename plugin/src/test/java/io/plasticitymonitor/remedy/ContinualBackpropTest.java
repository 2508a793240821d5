package io.plasticitymonitor.remedy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityListener;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Continual backprop on a 4-10-10-3 ReLU network: the replacement rate, maturity and utility order.
 */
class ContinualBackpropTest {
  @TempDir Path dir;

  /**
   * Every first-layer unit active and alike, but unit 3 of layer0 contributes nothing: its outgoing
   * row is 0.
   */
  private static MultiLayerNetwork planted() {
    MultiLayerNetwork net = TinyNets.mlp(new Sgd(0.01), 0, 4, 10, 10, 3);
    net.getLayer(0).getParam("W").assign(0.5);
    net.getLayer(0).getParam("b").assign(0.1);
    net.getLayer(1).getParam("W").getRow(3).assign(0);
    return net;
  }

  private static double run(
      Path dir, String id, RemedySettings.ContinualBackprop cbp, int iterations) {
    DataSet batch = TinyNets.batch(16, 4, 3, false, 9);
    MultiLayerNetwork net = planted();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PlasticityListener listener = TinyNets.listener(dir, id, cbp, registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      for (int i = 0; i < iterations; i++) {
        net.fit(batch);
      }
      return TinyNets.applied(registry, "cbp");
    }
  }

  @Test
  void replacesRhoTimesTheMatureUnitsPerIteration() {
    // Maturity 0: every unit is mature from its first iteration, so each layer owes 0.1·10 = 1
    // replacement per iteration: 2 hidden layers × 10 iterations.
    assertThat(run(dir, "cbp-rate", new RemedySettings.ContinualBackprop(0.1, 0, 0.99), 10))
        .isEqualTo(20.0);
  }

  @Test
  void noUnitIsReplacedBeforeItIsMature() {
    // Maturity 5: ages reach 5 after iteration 4 (nothing eligible: age must exceed 5); after
    // iteration 5 all 10 units of each layer are mature and one replacement per layer is owed.
    var cbp = new RemedySettings.ContinualBackprop(0.1, 5, 0.99);
    assertThat(run(dir, "cbp-young", cbp, 5)).isZero();
    assertThat(run(dir, "cbp-mature", cbp, 6)).isEqualTo(2.0);
  }

  @Test
  void theUnitOfLowestUtilityGoesFirst() {
    DataSet batch = TinyNets.batch(16, 4, 3, false, 9);
    MultiLayerNetwork twin = planted();
    MultiLayerNetwork net = planted();
    try (PlasticityListener listener =
        TinyNets.listener(
            dir,
            "cbp-order",
            new RemedySettings.ContinualBackprop(0.1, 0, 0.99),
            new SimpleMeterRegistry())) {
      net.addListeners(listener);
      twin.fit(batch);
      net.fit(batch);
    }
    // After iteration 0, layer0 replaced one unit: unit 3, whose utility is 0 (outgoing weights 0).
    INDArray w = net.getLayer(0).getParam("W");
    INDArray v = twin.getLayer(0).getParam("W");
    for (int u = 0; u < 10; u++) {
      if (u == 3) {
        assertThat(w.getColumn(u)).isNotEqualTo(v.getColumn(u));
      } else {
        assertThat(w.getColumn(u)).isEqualTo(v.getColumn(u));
      }
    }
    // Its outgoing row in layer1 is 0 again, but where layer1's own replaced unit (one column) drew
    // new incoming weights.
    INDArray w1 = net.getLayer(1).getParam("W");
    INDArray v1 = twin.getLayer(1).getParam("W");
    int replacedInLayer1 = 0;
    for (int k = 0; k < 10; k++) {
      boolean redrawn = false;
      for (int i = 0; i < 10; i++) {
        redrawn |= i != 3 && w1.getDouble(i, k) != v1.getDouble(i, k);
      }
      if (redrawn) {
        replacedInLayer1++;
      } else {
        assertThat(w1.getDouble(3, k)).as("layer1 W(3, %d)", k).isZero();
      }
    }
    assertThat(replacedInLayer1).isEqualTo(1);
  }

  @Test
  void lowestUtilityBreaksTiesByIndexAndReturnsSortedIndices() {
    double[] utility = {0.5, 0.1, 0.1, 0.0, 0.9};
    assertThat(ContinualBackprop.lowestUtility(List.of(0, 1, 2, 3, 4), utility, 3))
        .containsExactly(1, 2, 3);
    assertThat(ContinualBackprop.lowestUtility(List.of(0, 2, 4), utility, 1)).containsExactly(2);
  }
}
