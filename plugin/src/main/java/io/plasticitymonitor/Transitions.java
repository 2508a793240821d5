package io.plasticitymonitor;

import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.UnitMeasures;
import io.plasticitymonitor.report.LayerSummary;
import io.plasticitymonitor.report.PlasticityReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Diffs two task-end reports into each layer's transitions: units that became or stopped being dead
 * (by weights) or merged since the previous task's end.
 */
final class Transitions {
  private Transitions() {}

  /**
   * Each layer of {@code report} with its transitions since {@code previous} (null for the first
   * task: every dead or merged unit is new). Empty when there is no report.
   */
  static List<LayerSummary> layers(PlasticityReport report, PlasticityReport previous) {
    List<LayerSummary> layers = new ArrayList<>();
    if (report == null) {
      return layers;
    }
    for (LayerMeasures m : report.layers()) {
      UnitMeasures now = m.unitMeasures();
      UnitMeasures before =
          previous == null
              ? null
              : previous.layer(m.layer()).map(LayerMeasures::unitMeasures).orElse(null);
      int[] deadNow = now == null ? new int[0] : now.deadUnits();
      int[] deadBefore = before == null ? new int[0] : before.deadUnits();
      int[] mergedNow = now == null ? new int[0] : now.mergedUnits();
      int[] mergedBefore = before == null ? new int[0] : before.mergedUnits();
      layers.add(
          new LayerSummary(
              m,
              missingFrom(deadNow, deadBefore),
              missingFrom(deadBefore, deadNow),
              missingFrom(mergedNow, mergedBefore),
              missingFrom(mergedBefore, mergedNow),
              report.symmetries().getOrDefault(m.layer(), Map.of())));
    }
    return layers;
  }

  /** How many of the sorted indices {@code a} are not in the sorted indices {@code b}. */
  static int missingFrom(int[] a, int[] b) {
    int n = 0;
    for (int x : a) {
      if (Arrays.binarySearch(b, x) < 0) {
        n++;
      }
    }
    return n;
  }
}
