package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.report.LayerSummary;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A real MultiLayerNetwork with planted absorbing states, trained at learning rate 0 so the plants
 * stay put: the published numbers must be exactly the planted ones.
 */
class PlantedNetworkTest {
  private static final double EXACT = 1e-12;

  @TempDir Path dir;

  /** 10 → 8 → 6 → 3; layer0 units 2 and 5 dead, units 0 and 1 twins; layer1 untouched. */
  static MultiLayerNetwork planted() {
    MultiLayerNetwork net = Networks.mlp(0.0, 7, 10, 8, 6, 3);
    INDArray w0 = net.getLayer(0).getParam("W");
    INDArray b0 = net.getLayer(0).getParam("b");
    INDArray w1 = net.getLayer(1).getParam("W");
    for (int dead : new int[] {2, 5}) {
      w0.getColumn(dead).assign(0);
      b0.putScalar(dead, 0);
      w1.getRow(dead).assign(0);
    }
    w0.getColumn(1).assign(w0.getColumn(0));
    b0.putScalar(0, 0.1);
    b0.putScalar(1, 0.1);
    w1.getRow(1).assign(w1.getRow(0));
    return net;
  }

  @Test
  void publishesThePlantedDeadAndMergedUnits() throws Exception {
    MultiLayerNetwork net = planted();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("planted").outputDirectory(dir).build();
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      DataSet data = Networks.data(64, 10, 3, 1);
      listener.startTask("only", TaskData.builder().probe(data.getFeatures()).build());
      net.fit(Networks.iterator(data, 16));
      TaskSummary summary = listener.endTask(0.5);

      assertThat(gauge(registry, "plasticity.layer.units", "layer0")).isEqualTo(8);
      assertThat(
              registry
                  .get("plasticity.dead.units")
                  .tags("run", "planted", "layer", "layer0", "criterion", "weights")
                  .gauge()
                  .value())
          .isEqualTo(2);
      assertThat(gauge(registry, "plasticity.merged.units", "layer0")).isEqualTo(1);
      assertThat(gauge(registry, "plasticity.distinct.units", "layer0")).isEqualTo(5);
      assertThat(gauge(registry, "plasticity.dead.units", "layer1")).as("needs criterion").isNaN();
      assertThat(
              registry
                  .get("plasticity.dead.units")
                  .tags("layer", "layer1", "criterion", "weights")
                  .gauge()
                  .value())
          .isZero();
      // layer1's weights [8, 6] have two zero rows and two equal rows: rank 5 at most, and a random
      // 5 x 6 block has full rank.
      assertThat(
              registry
                  .get("plasticity.rank")
                  .tags("layer", "layer1", "of", "weights", "measure", "numerical")
                  .gauge()
                  .value())
          .isEqualTo(5);
      assertThat(
              registry
                  .get("plasticity.rank.max")
                  .tags("layer", "layer1", "of", "weights")
                  .gauge()
                  .value())
          .isEqualTo(6);
      // The twins' distance is exactly 0, so the 10th percentile of the merge distance is too.
      assertThat(
              registry
                  .get("plasticity.merge.distance")
                  .tags("layer", "layer0", "statistic", "p10")
                  .gauge()
                  .value())
          .isCloseTo(0, within(EXACT));
      // (2 dead + 1 merged) of 8 + 6 hidden units; the output layer is not hidden.
      assertThat(registry.get("plasticity.absorbed.units").gauge().value())
          .isCloseTo(3.0 / 14, within(EXACT));
      assertThat(registry.find("plasticity.dead.units").tags("layer", "layer2").gauge()).isNull();
      assertThat(
              registry
                  .get("plasticity.rank")
                  .tags("layer", "layer2", "of", "weights", "measure", "srank")
                  .gauge()
                  .value())
          .isPositive();
      assertThat(registry.get("plasticity.task.end.accuracy").gauge().value()).isEqualTo(0.5);
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();

      assertThat(summary.index()).isEqualTo(1);
      assertThat(summary.iterations()).isEqualTo(4);
      LayerSummary l0 = summary.layers().get(0);
      assertThat(l0.becameDead()).isEqualTo(2);
      assertThat(l0.becameMerged()).isEqualTo(1);
      assertThat(l0.measures().unitMeasures().deadUnits()).containsExactly(2, 5);
      assertThat(l0.measures().unitMeasures().mergedUnits()).containsExactly(1);
    }

    List<String> lines = Files.readAllLines(dir.resolve("planted").resolve("tasks.jsonl"));
    assertThat(lines).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(lines.get(0));
    assertThat(line.get("run").asText()).isEqualTo("planted");
    assertThat(line.get("task").asText()).isEqualTo("only");
    assertThat(line.get("index").asInt()).isEqualTo(1);
    assertThat(line.get("iterations").asLong()).isEqualTo(4);
    assertThat(line.get("end_accuracy").asDouble()).isEqualTo(0.5);
    assertThat(line.get("absorbed_ratio").asDouble()).isCloseTo(3.0 / 14, within(EXACT));
    JsonNode layer0 = line.get("layers").get(0);
    assertThat(layer0.get("layer").asText()).isEqualTo("layer0");
    assertThat(layer0.get("units").asInt()).isEqualTo(8);
    assertThat(layer0.get("dead_weights").asInt()).isEqualTo(2);
    assertThat(layer0.get("merged").asInt()).isEqualTo(1);
    assertThat(layer0.get("distinct").asInt()).isEqualTo(5);
    assertThat(layer0.get("became_dead").asInt()).isEqualTo(2);
    assertThat(layer0.get("left_dead").asInt()).isZero();
    assertThat(layer0.get("rank").get("weights").get("max").asInt()).isEqualTo(8);
    assertThat(layer0.get("rank").get("activations").get("max").asInt()).isEqualTo(8);
    assertThat(layer0.get("merge_distance").get("p10").asDouble()).isCloseTo(0, within(EXACT));
    JsonNode output = line.get("layers").get(2);
    assertThat(output.get("dead_weights").isNull()).isTrue();
    assertThat(output.get("rank").get("activations").isNull()).isTrue();
  }

  @Test
  void transitionsCountUnitsThatChangedStateBetweenTasks() throws Exception {
    MultiLayerNetwork net = planted();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("transitions").outputDirectory(dir).build();
    try (PlasticityListener listener =
        PlasticityMonitors.listener(config, new SimpleMeterRegistry())) {
      net.addListeners(listener);
      DataSet data = Networks.data(32, 10, 3, 2);
      listener.startTask("a");
      net.fit(data);
      listener.endTask();
      // Revive unit 2, kill unit 3 of layer0.
      net.getLayer(0).getParam("W").getColumn(2).assign(0.5);
      net.getLayer(1).getParam("W").getRow(2).assign(0.5);
      net.getLayer(0).getParam("W").getColumn(3).assign(0);
      net.getLayer(0).getParam("b").putScalar(3, 0);
      net.getLayer(1).getParam("W").getRow(3).assign(0);
      listener.startTask("b");
      net.fit(data);
      TaskSummary b = listener.endTask();
      LayerSummary l0 = b.layers().get(0);
      assertThat(l0.measures().unitMeasures().deadUnits()).containsExactly(3, 5);
      assertThat(l0.becameDead()).isEqualTo(1);
      assertThat(l0.leftDead()).isEqualTo(1);
      assertThat(b.index()).isEqualTo(2);
    }
    assertThat(Files.readAllLines(dir.resolve("transitions").resolve("tasks.jsonl"))).hasSize(2);
  }

  private static double gauge(SimpleMeterRegistry registry, String name, String layer) {
    var g = registry.find(name).tags("run", "planted", "layer", layer).gauges();
    return g.size() == 1 ? g.iterator().next().value() : Double.NaN;
  }
}
