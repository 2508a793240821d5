package io.plasticitymonitor.remedy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.analysis.LayerAnalyzer;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * ReDo on a 4-6-5-3 ReLU network with two planted τ-dormant units in the first hidden layer (units
 * 1 and 4: tiny but positive incoming weights, so they are active, get gradients and have Adam
 * state, with a score s ≈ 0.003 ≤ τ = 0.025). A twin network trains on the same batches without the
 * remedy: afterwards the two must differ in exactly the planted units' weights and updater state,
 * where the indices are worked out by hand from DL4J's flat layout.
 */
class RedoTest {
  @TempDir Path dir;

  private static final int[] PLANTED = {1, 4};

  private static MultiLayerNetwork planted() {
    MultiLayerNetwork net = TinyNets.mlp(new Adam(1e-4), 0, 4, 6, 5, 3);
    net.getLayer(0).getParam("W").assign(0.5);
    net.getLayer(0).getParam("b").assign(0.1);
    for (int u : PLANTED) {
      net.getLayer(0).getParam("W").getColumn(u).assign(0.001);
      net.getLayer(0).getParam("b").putScalar(u, 0);
    }
    net.getLayer(1).getParam("W").assign(0.3);
    return net;
  }

  /**
   * Flat indices (into the parameters, or into one Adam moment) of the planted units' incoming
   * weights, biases and outgoing weights. Layer0's W [4, 6] is stored column-major at 0..23, its b
   * at 24..29; layer1's W [6, 5] column-major from 30, so element (u, j) is at 30 + u + 6j.
   */
  private static Set<Integer> plantedIndices() {
    Set<Integer> s = new HashSet<>();
    for (int u : PLANTED) {
      for (int i = 0; i < 4; i++) {
        s.add(u * 4 + i);
      }
      s.add(24 + u);
      for (int j = 0; j < 5; j++) {
        s.add(30 + u + 6 * j);
      }
    }
    return s;
  }

  @Test
  void recyclesExactlyThePlantedDormantUnitsAndResetsTheirAdamState() throws Exception {
    DataSet batch = TinyNets.batch(16, 4, 3, false, 5);
    MultiLayerNetwork twin = planted();
    MultiLayerNetwork net = planted();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskSummary summary;
    try (PlasticityListener listener =
        TinyNets.listener(dir, "redo", new RemedySettings.Redo(3, 0.025), registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      for (int i = 0; i <= 3; i++) { // iterations 0..3: recycled after the update of iteration 3
        twin.fit(batch);
        net.fit(batch);
      }
      summary = listener.endTask();
      assertThat(TinyNets.applied(registry, "redo")).isEqualTo(2.0);
    }
    assertThat(summary.remedy()).contains("redo");
    assertThat(summary.remedyApplied()).isEqualTo(2);
    JsonNode line =
        new ObjectMapper().readTree(Files.readAllLines(dir.resolve("redo/tasks.jsonl")).get(0));
    assertThat(line.get("remedy").asText()).isEqualTo("redo");
    assertThat(line.get("remedy_applied").asLong()).isEqualTo(2);

    Set<Integer> planted = plantedIndices();
    double[] p = TinyNets.params(net);
    double[] q = TinyNets.params(twin);
    for (int k = 0; k < p.length; k++) {
      if (!planted.contains(k)) {
        assertThat(p[k]).as("parameter %d", k).isEqualTo(q[k]);
      }
    }
    for (int u : PLANTED) {
      for (int j = 0; j < 5; j++) {
        assertThat(p[30 + u + 6 * j]).as("outgoing (%d, %d)", u, j).isZero();
        assertThat(q[30 + u + 6 * j]).isNotZero();
      }
      assertThat(p[24 + u]).as("bias %d (bias init 0)", u).isZero();
      assertThat(q[24 + u]).isNotZero();
      for (int i = 0; i < 4; i++) {
        assertThat(p[u * 4 + i]).as("incoming (%d, %d) re-drawn", i, u).isNotEqualTo(q[u * 4 + i]);
      }
    }

    // One Adam block for the whole network: [m of every parameter | v of every parameter].
    double[] s = TinyNets.state(net);
    double[] t = TinyNets.state(twin);
    assertThat(s).hasSize(2 * p.length);
    for (int half = 0; half < 2; half++) {
      for (int k = 0; k < p.length; k++) {
        int at = half * p.length + k;
        if (planted.contains(k)) {
          assertThat(s[at]).as("state %d of planted parameter %d", half, k).isZero();
          assertThat(t[at]).isNotZero();
        } else {
          assertThat(s[at]).as("state %d of parameter %d", half, k).isEqualTo(t[at]);
        }
      }
    }
  }

  @Test
  void nothingHappensBetweenRecyclingSteps() {
    DataSet batch = TinyNets.batch(16, 4, 3, false, 5);
    MultiLayerNetwork twin = planted();
    MultiLayerNetwork net = planted();
    try (PlasticityListener listener =
        TinyNets.listener(
            dir, "redo-wait", new RemedySettings.Redo(3, 0.025), new SimpleMeterRegistry())) {
      net.addListeners(listener);
      for (int i = 0; i < 3; i++) { // iterations 0, 1, 2
        twin.fit(batch);
        net.fit(batch);
      }
    }
    assertThat(TinyNets.params(net)).containsExactly(TinyNets.params(twin));
  }

  @Test
  void dormantUnitsAreThoseAtMostTauTimesTheLayerMean() {
    // mean = 1; τ = 0.25: 0.25 is dormant (≤), 0.26 is not.
    assertThat(LayerAnalyzer.dormantUnits(new double[] {0.0, 0.25, 0.26, 3.49}, 0.25))
        .containsExactly(0, 1);
    assertThat(LayerAnalyzer.dormantUnits(new double[] {0, 0, 0}, 0.025)).containsExactly(0, 1, 2);
    assertThat(LayerAnalyzer.dormantUnits(new double[] {1, 1}, 0.025)).isEmpty();
  }
}
