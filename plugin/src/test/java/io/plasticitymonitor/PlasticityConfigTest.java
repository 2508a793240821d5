package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlasticityConfigTest {
  @TempDir Path dir;

  private PlasticityConfig.Builder valid() {
    return PlasticityConfig.builder().runId("run-1").outputDirectory(dir);
  }

  private void rejects(
      UnaryOperator<PlasticityConfig.Builder> change, String setting, String value) {
    assertThatThrownBy(() -> change.apply(valid()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining("(got: " + value + ")");
  }

  @Test
  void defaultsAreTheContractsThresholds() {
    PlasticityConfig c = valid().build();
    assertThat(c.deadEpsilon()).isEqualTo(1e-3);
    assertThat(c.dormantTau()).isEqualTo(0.025);
    assertThat(c.mergeEpsilon()).isEqualTo(0.05);
    assertThat(c.srankDelta()).isEqualTo(0.01);
    assertThat(c.probeSize()).isEqualTo(256);
    assertThat(c.analysisBudget()).isEqualTo(0.01);
    assertThat(c.metricsBindAddress()).isEqualTo("127.0.0.1");
    assertThat(c.metricsPort()).isEmpty();
    assertThat(c.livePage()).isFalse();
    assertThat(c.existingRun()).isEqualTo(PlasticityConfig.ExistingRun.REFUSE);
    assertThat(c.runDirectory()).isEqualTo(dir.resolve("run-1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "-x", "a b", "run\"}", "x{y}", "ü"})
  void rejectsRunIdsThatCannotBeLabelValues(String id) {
    rejects(b -> b.runId(id), "runId", "\"" + id + "\"");
  }

  @Test
  void rejectsAMissingRunIdAndOverlongOnes() {
    rejects(b -> b.runId(null), "runId", "null");
    rejects(b -> b.runId("r".repeat(129)), "runId", "\"" + "r".repeat(129) + "\"");
  }

  @Test
  void rejectsThresholdsOutsideTheirRange() {
    rejects(b -> b.deadEpsilon(-1e-3), "deadEpsilon", "-0.001");
    rejects(b -> b.dormantTau(1.0), "dormantTau", "1.0");
    rejects(b -> b.mergeEpsilon(Double.NaN), "mergeEpsilon", "NaN");
    rejects(b -> b.srankDelta(2), "srankDelta", "2.0");
    rejects(b -> b.probeSize(0), "probeSize", "0");
    rejects(b -> b.analysisBudget(0), "analysisBudget", "0.0");
    rejects(b -> b.analysisBudget(1.5), "analysisBudget", "1.5");
  }

  @Test
  void rejectsBadEndpointSettings() {
    rejects(b -> b.metricsPort(-1), "metricsPort", "-1");
    rejects(b -> b.metricsPort(70000), "metricsPort", "70000");
    rejects(b -> b.metricsBindAddress(" "), "metricsBindAddress", "\" \"");
    rejects(b -> b.pushgateway(URI.create("ftp://host/")), "pushgateway", "\"ftp://host/\"");
    rejects(b -> b.basicAuth("a:b", "pw"), "basicAuth", "\"a:b\"");
    rejects(b -> b.livePage(true), "livePage", "true without a metricsPort");
    rejects(b -> b.existingRun(null), "existingRun", "null");
  }

  @Test
  void rejectsAnOutputDirectoryThatCannotBeWritten() throws Exception {
    Path file = Files.createFile(dir.resolve("a-file"));
    rejects(b -> b.outputDirectory(file), "outputDirectory", "\"" + file + "\"");
    rejects(
        b -> b.outputDirectory(file.resolve("below")),
        "outputDirectory",
        "\"" + file.resolve("below") + "\"");
  }
}
