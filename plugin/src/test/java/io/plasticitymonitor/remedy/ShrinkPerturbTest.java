package io.plasticitymonitor.remedy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityListener;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

/** Shrink-and-perturb acts at the start of every task after the first, on every trained array. */
class ShrinkPerturbTest {
  @TempDir Path dir;

  @Test
  void withoutNoiseTheSecondTaskStartsFromLambdaTimesTheWeights() {
    DataSet batch = TinyNets.batch(8, 4, 3, false, 3);
    MultiLayerNetwork net = TinyNets.mlp(new Sgd(0.1), 0, 4, 5, 3);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PlasticityListener listener =
        TinyNets.listener(dir, "sp0", new RemedySettings.ShrinkPerturb(0.25, 0), registry)) {
      net.addListeners(listener);
      double[] start = TinyNets.params(net);
      listener.startTask("a");
      assertThat(TinyNets.params(net)).containsExactly(start); // the first task is not shrunk
      net.fit(batch);
      listener.endTask();
      double[] before = TinyNets.params(net);

      listener.startTask("b");

      double[] after = TinyNets.params(net);
      for (int k = 0; k < before.length; k++) {
        assertThat(after[k]).as("parameter %d", k).isEqualTo(0.25 * before[k]);
      }
      // W and b of two layers.
      assertThat(TinyNets.applied(registry, "shrink-perturb")).isEqualTo(4.0);
      assertThat(listener.endTask().remedyApplied()).isEqualTo(4);
    }
  }

  @Test
  void theNoiseIsAFreshInitialisationScaledBySigma() {
    MultiLayerNetwork net = TinyNets.mlp(new Sgd(0.1), 0, 400, 50, 3);
    try (PlasticityListener listener =
        TinyNets.listener(
            dir, "sp", new RemedySettings.ShrinkPerturb(0.4, 0.1), new SimpleMeterRegistry())) {
      net.addListeners(listener);
      listener.startTask("a");
      net.fit(TinyNets.batch(8, 400, 3, false, 3));
      listener.endTask();
      var w = net.getLayer(0).getParam("W").dup();
      var b = net.getLayer(0).getParam("b").dup();
      listener.startTask("b");
      var noise = net.getLayer(0).getParam("W").sub(w.mul(0.4));
      // He init of fan-in 400 has standard deviation √(2/400); σ = 0.1 of it.
      assertThat(noise.stdNumber().doubleValue())
          .isCloseTo(0.1 * Math.sqrt(2.0 / 400), within(2e-4));
      // Biases are initialised to 0, so they are only shrunk.
      assertThat(net.getLayer(0).getParam("b")).isEqualTo(b.mul(0.4));
    }
  }
}
