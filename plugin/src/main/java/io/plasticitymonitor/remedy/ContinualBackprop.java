package io.plasticitymonitor.remedy;

import io.plasticitymonitor.internal.network.UnitActivity;
import io.plasticitymonitor.internal.network.UnitSurgery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Continual backprop (Dohare, Hernandez-Garcia, Lan, Rahman, Mahmood &amp; Sutton, Nature 632,
 * 2024, "Loss of plasticity in deep continual learning"): selective re-initialisation of the hidden
 * units that contribute least.
 *
 * <p>Each hidden unit {@code i} of each replaceable layer keeps, after every iteration,
 *
 * <pre>u_i ← η·u_i + (1 − η)·mean_x|h_i(x)|·Σ_k|w_out,ik|     (contribution utility)
 * a_i ← a_i + 1                                            (age)</pre>
 *
 * with {@code h_i} on that iteration's training batch and the outgoing weights after its update.
 * The layer then owes {@code ρ·#{i : a_i > m}} more replacements; once at least one whole
 * replacement is owed, that many of the mature units ({@code a_i > m}) with the lowest utility (the
 * lower index first among equals) get new incoming weights and bias from the layer's initialiser,
 * zero outgoing weights, fresh updater state, {@code u_i = 0} and {@code a_i = 0}. The paper's
 * variant that corrects the next layer's bias for the removed unit's mean contribution is not used.
 * Counted: units replaced.
 */
final class ContinualBackprop extends BatchActivityRemedy {
  private final UnitSurgery surgery;
  private final UnitActivity reader;
  private final double rate;
  private final int maturity;
  private final double decay;
  private final Map<String, LayerState> layers = new HashMap<>();

  private static final class LayerState {
    final double[] utility;
    final int[] age;
    double owed;

    LayerState(int units) {
      utility = new double[units];
      age = new int[units];
    }
  }

  ContinualBackprop(UnitSurgery surgery, double rate, int maturity, double decay) {
    this.surgery = surgery;
    this.reader = new UnitActivity(surgery);
    this.rate = rate;
    this.maturity = maturity;
    this.decay = decay;
    for (String layer : surgery.replaceableLayers()) {
      layers.put(layer, new LayerState(surgery.units(layer)));
    }
  }

  @Override
  public boolean wantsActivations(int iteration) {
    return true;
  }

  @Override
  long act(Map<String, double[]> activity) {
    long replaced = 0;
    for (String layer : surgery.replaceableLayers()) {
      double[] h = activity.get(layer);
      LayerState s = layers.get(layer);
      if (h == null || s == null || h.length != s.utility.length) {
        continue;
      }
      double[] out = reader.outgoingAbsSum(layer);
      List<Integer> mature = new ArrayList<>();
      for (int i = 0; i < h.length; i++) {
        s.utility[i] = decay * s.utility[i] + (1 - decay) * h[i] * out[i];
        s.age[i]++;
        if (s.age[i] > maturity) {
          mature.add(i);
        }
      }
      s.owed += rate * mature.size();
      int n = (int) Math.min(Math.floor(s.owed), mature.size());
      if (n < 1) {
        continue;
      }
      s.owed -= n;
      int[] chosen = lowestUtility(mature, s.utility, n);
      surgery.replace(layer, chosen);
      for (int i : chosen) {
        s.utility[i] = 0;
        s.age[i] = 0;
      }
      replaced += n;
    }
    return replaced;
  }

  /**
   * The {@code n} candidates of lowest utility, the lower index first among equals, sorted by
   * index.
   */
  static int[] lowestUtility(List<Integer> candidates, double[] utility, int n) {
    List<Integer> sorted = new ArrayList<>(candidates);
    sorted.sort(
        (a, b) ->
            utility[a] != utility[b]
                ? Double.compare(utility[a], utility[b])
                : Integer.compare(a, b));
    int[] out = new int[n];
    for (int k = 0; k < n; k++) {
      out[k] = sorted.get(k);
    }
    Arrays.sort(out);
    return out;
  }
}
