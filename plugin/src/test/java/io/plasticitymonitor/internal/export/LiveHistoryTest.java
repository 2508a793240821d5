package io.plasticitymonitor.internal.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plasticitymonitor.analysis.ActivationMeasures;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.RankMeasures;
import io.plasticitymonitor.analysis.UnitMeasures;
import io.plasticitymonitor.report.PlasticityReport;
import io.plasticitymonitor.report.TaskSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The live page's data: what each report and task adds, and the bound on what is kept. */
class LiveHistoryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A report whose hidden layer has {@code dead} dead units, 1 merged, srank 6; output layer plain.
   */
  private static PlasticityReport report(long iteration, int dead) {
    LayerMeasures hidden =
        new LayerMeasures(
            "dense",
            10,
            true,
            0,
            0.5,
            new RankMeasures(8, 8, 7, 9, 10),
            new UnitMeasures(dead, 1, 9 - dead, null, null, new int[dead], new int[] {4}),
            new ActivationMeasures(2, new RankMeasures(6, 6.5, 5, 7, 10)));
    LayerMeasures out =
        new LayerMeasures("out", 3, false, 0, 0.3, new RankMeasures(3, 3, 3, 3, 3), null, null);
    return new PlasticityReport(
        "r", iteration, Instant.ofEpochSecond(1000 + iteration), List.of(hidden, out), Map.of());
  }

  @Test
  void eachReportIsAPointPerLayerAndEachEndedTaskARow() throws Exception {
    LiveHistory h = new LiveHistory("r");
    h.taskStarted("task-1", 1);
    h.reportPublished(report(10, 3));
    h.taskEnded(
        new TaskSummary(
            "r",
            "task-1",
            1,
            Instant.EPOCH,
            Instant.EPOCH,
            10,
            0.42,
            OptionalDouble.of(0.9),
            List.of(),
            0.1));
    JsonNode d = JSON.readTree(h.json());
    assertThat(d.get("run").asText()).isEqualTo("r");
    assertThat(d.get("currentTask").isNull()).isTrue();
    JsonNode a = d.get("analyses").get(0);
    assertThat(a.get("time").asDouble()).isEqualTo(1010.0);
    assertThat(a.get("iteration").asLong()).isEqualTo(10);
    assertThat(a.get("task").asText()).isEqualTo("task-1");
    JsonNode dense = a.get("layers").get("dense");
    assertThat(dense.get("dead").asInt()).isEqualTo(3);
    assertThat(dense.get("deadActivations").asInt()).isEqualTo(2);
    assertThat(dense.get("merged").asInt()).isEqualTo(1);
    assertThat(dense.get("srank").asDouble()).isEqualTo(6.0);
    assertThat(dense.get("units").asInt()).isEqualTo(10);
    JsonNode out = a.get("layers").get("out");
    assertThat(out.get("dead").isNull()).isTrue();
    assertThat(out.get("srank").isNull()).isTrue();
    JsonNode t = d.get("tasks").get(0);
    assertThat(t.get("index").asInt()).isEqualTo(1);
    assertThat(t.get("accuracy").asDouble()).isEqualTo(0.9);
    assertThat(t.get("score").asDouble()).isEqualTo(0.42);
    assertThat(t.get("absorbedRatio").asDouble()).isEqualTo(0.1);
    assertThat(d.get("plasticity").isArray()).isTrue();
  }

  @Test
  void aTaskWithoutAccuracyHasNullNotNaN() throws Exception {
    LiveHistory h = new LiveHistory("r");
    h.taskEnded(
        new TaskSummary(
            "r",
            "t",
            1,
            Instant.EPOCH,
            Instant.EPOCH,
            0,
            Double.NaN,
            OptionalDouble.empty(),
            List.of(),
            Double.NaN));
    JsonNode t = JSON.readTree(h.json()).get("tasks").get(0);
    assertThat(t.get("accuracy").isNull()).isTrue();
    assertThat(t.get("score").isNull()).isTrue();
  }

  @Test
  void aLongRunIsThinnedToHalfItsResolutionNotCutToItsEnd() throws Exception {
    LiveHistory h = new LiveHistory("r");
    for (int i = 0; i < LiveHistory.MAX_POINTS; i++) {
      h.reportPublished(report(i, 0));
    }
    assertThat(h.points()).isEqualTo(LiveHistory.MAX_POINTS);
    h.reportPublished(report(LiveHistory.MAX_POINTS, 0));
    assertThat(h.points()).isEqualTo(LiveHistory.MAX_POINTS / 2 + 1);
    JsonNode a = JSON.readTree(h.json()).get("analyses");
    assertThat(a.get(0).get("iteration").asLong()).isZero(); // the run's start is still there
    assertThat(a.get(1).get("iteration").asLong()).isEqualTo(2);
    assertThat(a.get(a.size() - 1).get("iteration").asLong()).isEqualTo(LiveHistory.MAX_POINTS);
  }
}
