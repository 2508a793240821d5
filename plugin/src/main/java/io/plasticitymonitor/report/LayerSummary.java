package io.plasticitymonitor.report;

import io.plasticitymonitor.analysis.LayerMeasures;
import java.util.Map;

/**
 * One layer at the end of a task, with the units that changed state since the previous task's end
 * (for the first task: since a start with no dead or merged unit). Units are counted by weights.
 *
 * @param measures the layer's measures at the task's end
 * @param becameDead units dead now that were not at the previous task's end
 * @param leftDead units dead at the previous task's end that are not now
 * @param becameMerged units merged now that were not before (a group's lowest-index unit is never
 *     counted as merged)
 * @param leftMerged units merged before that are not now
 * @param symmetries counts of the user's symmetry detectors by name
 */
public record LayerSummary(
    LayerMeasures measures,
    int becameDead,
    int leftDead,
    int becameMerged,
    int leftMerged,
    Map<String, Double> symmetries) {

  public LayerSummary {
    symmetries = Map.copyOf(symmetries);
  }
}
