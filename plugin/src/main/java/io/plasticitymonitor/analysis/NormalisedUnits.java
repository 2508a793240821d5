package io.plasticitymonitor.analysis;

import java.util.Objects;

/**
 * The normalised incoming vectors of units whose pre-activations pass a batch or layer
 * normalisation (metric contract, "Normalised units"): {@code ã_i = (γ_i·w_i/ρ_i, β_i)}.
 *
 * <p>Batch normalisation makes each unit's filter {@code w_i} scale-invariant and cancels its bias,
 * so the rescaling symmetry of the unit sits between its scale and shift {@code (γ_i, β_i)} and its
 * outgoing weights, and twins need equal filter directions {@code w_i/‖w_i‖₂}, not equal filters:
 * {@code ρ_i = ‖w_i‖₂} ({@link Scale#PER_UNIT}). Layer normalisation standardises over the layer's
 * units, so only one scale for the whole {@code W} is free: {@code ρ = ‖W‖_F/√units}, the
 * root-mean-square column norm ({@link Scale#PER_LAYER}). A zero {@code w_i} (or {@code W}) gives
 * {@code ŵ_i = 0}. With {@code ã_i} in place of {@code a_i}, the contract's items 1, 3 and 7 read:
 * dead when {@code ‖(γ_i, β_i)‖₂·‖z_i‖₂ ≤ ε_dead·mean}, merged over {@code θ_i = (γ_i·ŵ_i, β_i,
 * z_i)}, since {@code ‖ã_i‖₂ = ‖(γ_i, β_i)‖₂} whenever {@code w_i ≠ 0}.
 *
 * <p>Example: {@code W = [[3, 0], [4, 0]]} ({@code [fanIn 2, units 2]}), {@code γ = (2, 5)}, {@code
 * β = (1, 0)}, per unit: {@code ã_0 = (1.2, 1.6, 1)}, {@code ã_1 = (0, 0, 0)}.
 */
final class NormalisedUnits {
  /** Which scale of the producer's weights the normalisation makes irrelevant. */
  enum Scale {
    /** Batch normalisation: each unit's own filter. */
    PER_UNIT,
    /** Layer normalisation: one scale for all the layer's units. */
    PER_LAYER
  }

  private NormalisedUnits() {}

  /**
   * {@code γ_i/ρ_i} for every unit (0 where {@code ρ_i = 0}): {@code ã_i}'s weights are {@code w_i}
   * times it, so a caller forms them value by value without a second {@code [fanIn, units]} array.
   *
   * @param weights {@code [fanIn, units]}, row-major (a {@link LayerData}'s weights); not modified
   * @param gamma {@code [units]}; not modified
   */
  static double[] factors(double[] weights, int fanIn, int units, double[] gamma, Scale scale) {
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(gamma, "gamma");
    Objects.requireNonNull(scale, "scale");
    if (weights.length != (long) fanIn * units || gamma.length != units) {
      throw new IllegalArgumentException(
          "weights has "
              + weights.length
              + " values and gamma "
              + gamma.length
              + ", expected fanIn*units = "
              + fanIn
              + "*"
              + units
              + " and "
              + units);
    }
    double[] sq = new double[units];
    for (int f = 0; f < fanIn; f++) {
      for (int i = 0, k = f * units; i < units; i++, k++) {
        sq[i] += weights[k] * weights[k];
      }
    }
    double[] factor = new double[units];
    if (scale == Scale.PER_UNIT) {
      for (int i = 0; i < units; i++) {
        factor[i] = sq[i] > 0 ? gamma[i] / Math.sqrt(sq[i]) : 0;
      }
    } else {
      double total = 0;
      for (double s : sq) {
        total += s;
      }
      double rho = units == 0 ? 0 : Math.sqrt(total / units);
      for (int i = 0; i < units; i++) {
        factor[i] = rho > 0 ? gamma[i] / rho : 0;
      }
    }
    return factor;
  }
}
