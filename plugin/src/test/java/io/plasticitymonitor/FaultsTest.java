package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/** A failure inside the monitor never reaches training, is counted, and loses no record. */
class FaultsTest {
  @TempDir Path dir;

  @Test
  void aThrowingDetectorIsCountedAndTheContractMeasuresStillPublish() {
    SymmetryDetector broken =
        new SymmetryDetector() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public double absorbedUnits(LayerData layer) {
            throw new IllegalStateException("boom");
          }
        };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("faults").outputDirectory(dir).build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 2);
    try (PlasticityListener listener =
        PlasticityMonitors.listener(config, registry, Set.of(broken))) {
      net.addListeners(listener);
      listener.startTask("t");
      net.fit(Networks.data(16, 4, 2, 1));
      TaskSummary s = listener.endTask();
      assertThat(registry.get("plasticity.analysis.errors").counter().count())
          .isEqualTo(2); // 2 layers
      assertThat(registry.get("plasticity.layer.units").tags("layer", "layer0").gauge().value())
          .isEqualTo(5);
      assertThat(s.layers()).hasSize(2);
    }
  }

  @Test
  void anUnwritableTaskLogIsCountedAndTrainingGoesOn() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("blocked").outputDirectory(dir).build();
    Files.createFile(dir.resolve("blocked")); // the run directory's place is taken by a file
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 2);
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      net.fit(Networks.data(16, 4, 2, 1));
      TaskSummary s = listener.endTask();
      assertThat(s.layers()).hasSize(2);
      assertThat(registry.get("plasticity.sink.errors").tags("sink", "task_log").counter().count())
          .isEqualTo(1);
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();
      net.fit(Networks.data(16, 4, 2, 2)); // still trains
    }
  }

  @Test
  void nonFiniteParametersAreReportedAndTheirMeasuresSkipped() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config = PlasticityConfig.builder().runId("nan").outputDirectory(dir).build();
    MultiLayerNetwork net = Networks.mlp(0.0, 1, 4, 5, 2);
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      net.fit(Networks.data(16, 4, 2, 1));
      // Planted after the fit: one NaN update would spread to every weight it touches.
      net.getLayer(0).getParam("W").putScalar(0, 1, Float.NaN);
      net.getLayer(0).getParam("b").putScalar(3, Float.POSITIVE_INFINITY);
      TaskSummary s = listener.endTask();
      assertThat(
              registry
                  .get("plasticity.nonfinite.parameters")
                  .tags("layer", "layer0")
                  .gauge()
                  .value())
          .isEqualTo(2);
      assertThat(
              registry
                  .get("plasticity.dead.units")
                  .tags("layer", "layer0", "criterion", "weights")
                  .gauge()
                  .value())
          .isNaN();
      assertThat(s.layers().get(0).measures().weightRank()).isNull();
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();
    }
  }

  @Test
  void endTaskWithoutATaskAndTwoTasksAtOnceAreUsageErrors() {
    PlasticityConfig config =
        PlasticityConfig.builder().runId("usage").outputDirectory(dir).build();
    try (PlasticityListener listener =
        PlasticityMonitors.listener(config, new SimpleMeterRegistry())) {
      assertThatThrownBy(listener::endTask)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("startTask");
      listener.startTask("a");
      assertThatThrownBy(() -> listener.startTask("b"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'a' is still running");
      assertThatThrownBy(() -> listener.startTask(" "))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closeEndsTheRunningTaskSoItsLineIsRecorded() throws Exception {
    PlasticityConfig config =
        PlasticityConfig.builder().runId("close").outputDirectory(dir).build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityListener listener = PlasticityMonitors.listener(config, registry);
    net.addListeners(listener);
    listener.startTask("unfinished");
    net.fit(Networks.data(16, 4, 2, 1));
    listener.close();
    listener.close();
    List<String> lines = Files.readAllLines(dir.resolve("close").resolve("tasks.jsonl"));
    assertThat(lines).hasSize(1);
    assertThat(new ObjectMapper().readTree(lines.get(0)).get("task").asText())
        .isEqualTo("unfinished");
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void aTornLastLineFromACrashIsCutBeforeTheNextAppend() throws Exception {
    Path runDir = Files.createDirectories(dir.resolve("torn"));
    Files.writeString(
        runDir.resolve("tasks.jsonl"), "{\"task\":\"a\",\"index\":1}\n{\"task\":\"b\",\"ind");
    // The run goes on after the crash under the same id: resumed, so the log is appended to.
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("torn")
            .outputDirectory(dir)
            .existingRun(PlasticityConfig.ExistingRun.RESUME)
            .build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 2);
    try (PlasticityListener listener =
        PlasticityMonitors.listener(config, new SimpleMeterRegistry())) {
      net.addListeners(listener);
      listener.startTask("c");
      DataSet d = Networks.data(8, 4, 2, 1);
      net.fit(d);
      listener.endTask();
    }
    List<String> lines = Files.readAllLines(runDir.resolve("tasks.jsonl"));
    assertThat(lines).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(lines.get(0)).get("task").asText()).isEqualTo("a");
    assertThat(json.readTree(lines.get(1)).get("task").asText()).isEqualTo("c");
    assertThat(json.readTree(lines.get(1)).get("index").asInt()).isEqualTo(2);
  }
}
