package io.plasticitymonitor.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Percentiles;
import io.plasticitymonitor.analysis.RankMeasures;
import io.plasticitymonitor.analysis.UnitMeasures;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** A task summary printed as text says which units are dead or merged, by index. */
class TaskSummaryTextTest {
  @Test
  void printsTheUnitIndicesNotArrayIdentities() {
    UnitMeasures units =
        new UnitMeasures(
            2,
            1,
            5,
            new Percentiles(0.1, 0.5),
            new Percentiles(0.2, 0.6),
            new int[] {3, 7},
            new int[] {5});
    LayerMeasures layer =
        new LayerMeasures(
            "layer0", 8, true, 0, 0.25, new RankMeasures(4, 4.5, 3.2, 6, 8), units, null);
    TaskSummary summary =
        new TaskSummary(
            "r",
            "task-1",
            1,
            Instant.EPOCH,
            Instant.EPOCH,
            10,
            0.5,
            OptionalDouble.of(0.75),
            List.of(new LayerSummary(layer, 2, 0, 1, 0, Map.of())),
            0.375);
    assertThat(summary.toString())
        .contains("deadUnits=[3, 7]", "mergedUnits=[5]", "task-1")
        .doesNotContain("[I@");
  }
}
