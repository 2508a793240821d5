package io.plasticitymonitor.analysis;

import java.util.Arrays;

/**
 * What the hidden units' parameters say (metric contract items 1, 3, 4 and 7).
 *
 * @param deadByWeights units with ‖a_i‖·‖z_i‖ ≤ ε_dead·mean (rescaling symmetry)
 * @param merged alive units minus groups of twins (permutation symmetry)
 * @param distinct units − deadByWeights − merged
 * @param deadDistance percentiles of r_i over all units; null when the layer has no units
 * @param mergeDistance percentiles of m_i over alive units; null when fewer than two are alive
 * @param deadUnits sorted indices of the units dead by weights
 * @param mergedUnits sorted indices of merged units: every member of a group of twins but its
 *     lowest-index one, so {@code mergedUnits.length == merged}
 */
public record UnitMeasures(
    int deadByWeights,
    int merged,
    int distinct,
    Percentiles deadDistance,
    Percentiles mergeDistance,
    int[] deadUnits,
    int[] mergedUnits) {

  public UnitMeasures {
    deadUnits = deadUnits.clone();
    mergedUnits = mergedUnits.clone();
  }

  @Override
  public int[] deadUnits() {
    return deadUnits.clone();
  }

  @Override
  public int[] mergedUnits() {
    return mergedUnits.clone();
  }

  /**
   * The record's text with the unit indices written out (a record prints arrays as {@code [I@…}).
   */
  @Override
  public String toString() {
    return "UnitMeasures[deadByWeights="
        + deadByWeights
        + ", merged="
        + merged
        + ", distinct="
        + distinct
        + ", deadDistance="
        + deadDistance
        + ", mergeDistance="
        + mergeDistance
        + ", deadUnits="
        + Arrays.toString(deadUnits)
        + ", mergedUnits="
        + Arrays.toString(mergedUnits)
        + "]";
  }
}
