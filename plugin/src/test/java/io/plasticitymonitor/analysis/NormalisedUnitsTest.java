package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.plasticitymonitor.analysis.NormalisedUnits.Scale;
import org.junit.jupiter.api.Test;

/** {@link NormalisedUnits#factors}, read as the vectors {@code γ_i·w_i/ρ_i} they scale. */
class NormalisedUnitsTest {
  private static final double TIGHT = 1e-15;

  /**
   * {@code γ_i·w_i/ρ_i} for every unit, in the layout of {@code weights}, as the analysis forms it.
   */
  private static double[] scaledDirections(
      double[] weights, int fanIn, int units, double[] gamma, Scale scale) {
    double[] factor = NormalisedUnits.factors(weights, fanIn, units, gamma, scale);
    double[] out = new double[weights.length];
    for (int f = 0; f < fanIn; f++) {
      for (int i = 0, k = f * units; i < units; i++, k++) {
        out[k] = weights[k] * factor[i];
      }
    }
    return out;
  }

  @Test
  void perUnitGivesGammaTimesTheFilterDirection() {
    double[] w = {3, 0, 4, 0}; // [fanIn 2, units 2]: unit 0 = (3, 4), unit 1 = 0
    double[] out = scaledDirections(w, 2, 2, new double[] {2, 5}, Scale.PER_UNIT);
    assertThat(out).containsExactly(new double[] {1.2, 0, 1.6, 0}, within(TIGHT));
    assertThat(w).containsExactly(3, 0, 4, 0);
  }

  @Test
  void perUnitIsInvariantToEachFiltersScale() {
    double[] w = {1, -2, 3, 0.5, 2, -1};
    double[] scaled = {10, -0.2, 30, 0.05, 20, -0.1}; // unit 0 ×10, unit 1 ×0.1
    double[] gamma = {0.7, -1.3};
    assertThat(scaledDirections(scaled, 3, 2, gamma, Scale.PER_UNIT))
        .containsExactly(scaledDirections(w, 3, 2, gamma, Scale.PER_UNIT), within(1e-12));
  }

  @Test
  void perLayerUsesTheRootMeanSquareColumnNormAndKeepsRelativeScales() {
    // Columns (3, 4) and (0, 10): ‖W‖_F² = 125, ρ = √(125/2).
    double[] w = {3, 0, 4, 10};
    double rho = Math.sqrt(125.0 / 2);
    double[] out = scaledDirections(w, 2, 2, new double[] {1, 2}, Scale.PER_LAYER);
    assertThat(out).containsExactly(new double[] {3 / rho, 0, 4 / rho, 20 / rho}, within(TIGHT));
    double[] doubled = {6, 0, 8, 20};
    assertThat(scaledDirections(doubled, 2, 2, new double[] {1, 2}, Scale.PER_LAYER))
        .containsExactly(out, within(TIGHT));
  }

  @Test
  void gammaZeroOrZeroFilterGivesZero() {
    double[] out =
        scaledDirections(new double[] {1, 0, 1, 0}, 2, 2, new double[] {0, 3}, Scale.PER_UNIT);
    assertThat(out).containsOnly(0.0);
    assertThat(scaledDirections(new double[4], 2, 2, new double[] {1, 1}, Scale.PER_LAYER))
        .containsOnly(0.0);
  }

  @Test
  void shapesAreChecked() {
    assertThatThrownBy(() -> scaledDirections(new double[5], 2, 2, new double[2], Scale.PER_UNIT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weights has 5 values");
  }
}
