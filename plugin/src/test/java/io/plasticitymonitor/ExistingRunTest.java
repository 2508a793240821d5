package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.plasticitymonitor.PlasticityConfig.ExistingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run id used again: refused unless the config says to resume or to overwrite. */
class ExistingRunTest {
  @TempDir Path dir;

  /** Trains {@code tasks} one-batch tasks under run id "again"; returns the indices it got. */
  private List<Integer> run(int tasks, ExistingRun what) {
    PlasticityConfig.Builder b = PlasticityConfig.builder().runId("again").outputDirectory(dir);
    if (what != null) {
      b.existingRun(what);
    }
    MultiLayerNetwork net = Networks.mlp(0.1, 5, 4, 6, 2);
    List<Integer> indices = new ArrayList<>();
    try (PlasticityListener l = PlasticityMonitors.listener(b.build())) {
      net.addListeners(l);
      for (int t = 0; t < tasks; t++) {
        l.startTask("task");
        net.fit(Networks.data(16, 4, 2, t));
        indices.add(l.endTask().index());
      }
    }
    return indices;
  }

  private List<Integer> logged() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<Integer> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("again").resolve("tasks.jsonl"))) {
      out.add(json.readTree(line).get("index").asInt());
    }
    return out;
  }

  @Test
  void aSecondRunUnderTheSameIdIsRefusedByDefaultAndTheLogIsUntouched() throws Exception {
    assertThat(run(2, null)).containsExactly(1, 2);
    assertThatThrownBy(() -> run(1, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tasks.jsonl already holds 2 tasks of run 'again'")
        .hasMessageContaining("PlasticityConfig.runId")
        .hasMessageContaining("existingRun(RESUME)")
        .hasMessageContaining("existingRun(OVERWRITE)");
    assertThat(logged()).containsExactly(1, 2);
  }

  @Test
  void resumeContinuesTheNumbering() throws Exception {
    run(2, null);
    assertThat(run(2, ExistingRun.RESUME)).containsExactly(3, 4);
    assertThat(logged()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void overwriteStartsTheLogAfresh() throws Exception {
    run(3, null);
    assertThat(run(1, ExistingRun.OVERWRITE)).containsExactly(1);
    assertThat(logged()).containsExactly(1);
  }

  @Test
  void aNewRunIdNeedsNoSetting() throws Exception {
    assertThat(run(1, ExistingRun.RESUME)).containsExactly(1);
    assertThat(run(1, ExistingRun.RESUME)).containsExactly(2);
  }

  @Test
  void aLogWhoseLastLineIsNotATaskCannotBeResumed() throws Exception {
    Files.createDirectories(dir.resolve("again"));
    Files.writeString(dir.resolve("again").resolve("tasks.jsonl"), "{\"index\":1}\nnot json\n");
    assertThatThrownBy(() -> run(1, ExistingRun.RESUME))
        .hasMessageContaining("tasks.jsonl")
        .hasMessageContaining("not a task record");
  }
}
