package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Faults that pass: a detector that fails for a while does not stop the analyses after it, and an
 * exporter (the meter registry) that throws while the monitor registers its per-layer gauges is
 * counted while training and the task log go on. (FaultsTest covers a detector that always throws,
 * the unwritable log and NaN parameters; PushgatewayTest the unreachable gateway.)
 */
class ExporterFaultTest {
  @TempDir Path dir;

  @Test
  void theAnalysisAfterAFailingDetectorRunsAndPublishes() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    SymmetryDetector flaky =
        new SymmetryDetector() {
          @Override
          public String name() {
            return "flaky";
          }

          @Override
          public double absorbedUnits(LayerData layer) {
            if (calls.incrementAndGet() <= 2) { // both layers of the first analysis
              throw new IllegalStateException("not yet");
            }
            return 1;
          }
        };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("flaky").outputDirectory(dir).build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 2);
    DataSet data = Networks.data(16, 4, 2, 1);
    try (PlasticityListener listener =
        PlasticityMonitors.listener(config, registry, Set.of(flaky))) {
      net.addListeners(listener);
      for (int task = 1; task <= 2; task++) {
        listener.startTask("t" + task);
        net.fit(data);
        listener.endTask();
      }
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isEqualTo(2);
      assertThat(
              registry
                  .get("plasticity.symmetry.absorbed.units")
                  .tags("layer", "layer0", "symmetry", "flaky")
                  .gauge()
                  .value())
          .as("the second analysis published the detector's value")
          .isEqualTo(1);
    }
    List<String> lines = Files.readAllLines(dir.resolve("flaky").resolve("tasks.jsonl"));
    assertThat(lines).hasSize(2);
    JsonNode second = new ObjectMapper().readTree(lines.get(1)).get("layers").get(0);
    assertThat(second.get("symmetries").get("flaky").asDouble()).isEqualTo(1);
  }

  @Test
  void aMeterRegistryThatThrowsOnLayerGaugesIsCountedAndTrainingGoesOn() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                if (id.getName().equals("plasticity.rank")) {
                  throw new IllegalStateException("exporter down");
                }
                return id;
              }
            });
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("exporter")
            .outputDirectory(dir)
            .probeSize(8)
            .analysisBudget(1.0)
            .build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 5, 2);
    DataSet data = Networks.data(16, 4, 2, 1);
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      for (int task = 1; task <= 3; task++) {
        listener.startTask("t" + task);
        for (int i = 0; i < 5; i++) {
          net.fit(data); // periodic analyses publish too, on the analysis thread
        }
        TaskSummary s = listener.endTask(); // never throws
        assertThat(s.layers()).hasSize(3);
      }
      assertThat(registry.get("plasticity.sink.errors").tags("sink", "meters").counter().count())
          .isPositive();
      assertThat(registry.get("plasticity.analysis.errors").counter().count())
          .as("the analyses themselves succeeded")
          .isZero();
      assertThat(registry.get("plasticity.layer.units").tags("layer", "layer0").gauge().value())
          .as("what was registered before the failure reads the reports")
          .isEqualTo(5);
      assertThat(registry.get("plasticity.task").gauge().value()).isEqualTo(3);
    }
    assertThat(Files.readAllLines(dir.resolve("exporter").resolve("tasks.jsonl"))).hasSize(3);
    net.fit(data);
  }
}
