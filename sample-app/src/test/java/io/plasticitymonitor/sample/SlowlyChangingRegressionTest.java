package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The slowly-changing regression data: a fixed LTU target and only the slow bits held per task. */
class SlowlyChangingRegressionTest {
  private static final int M = SlowlyChangingRegression.INPUTS;
  private static final int F = SlowlyChangingRegression.FLIPPING_BITS;

  @Test
  void theSlowBitsAreHeldForTheWholeTaskAndTheOthersAreDrawnPerExample() {
    TaskFactory.Task t = new SlowlyChangingRegression(3).task(4, 400);
    float[][] x = t.trainFeatures().toFloatMatrix();
    assertThat(x).hasNumberOfRows(400);
    for (int j = 0; j < M; j++) {
      Set<Float> seen = new HashSet<>();
      for (float[] row : x) {
        assertThat(row[j]).isIn(0f, 1f);
        seen.add(row[j]);
      }
      if (j < F) {
        assertThat(seen).as("slow bit %d within one task", j).hasSize(1);
      } else {
        assertThat(seen).as("fast bit %d", j).containsExactlyInAnyOrder(0f, 1f);
      }
    }
  }

  @Test
  void tasksDifferOnlyInTheSlowBitsAndShareOneTargetNetwork() {
    SlowlyChangingRegression scr = new SlowlyChangingRegression(3);
    SlowlyChangingRegression again = new SlowlyChangingRegression(3);
    int changedTasks = 0;
    for (int k = 1; k <= 6; k++) {
      TaskFactory.Task t = scr.task(k, 200);
      float[][] x = t.trainFeatures().toFloatMatrix();
      float[] y = t.trainLabels().toFloatVector();
      for (int i = 0; i < x.length; i++) {
        // one target for every task: an independently built target of the same seed agrees
        assertThat(y[i]).isEqualTo((float) again.target(x[i]));
        // a sum of ±1 output weights over fired threshold units plus a ±1 bias: an integer
        assertThat(y[i]).isEqualTo((float) Math.rint(y[i]));
        assertThat(Math.abs(y[i])).isLessThanOrEqualTo(SlowlyChangingRegression.TARGET_UNITS + 1);
      }
      if (k > 1 && !java.util.Arrays.equals(scr.slowBits(k), scr.slowBits(k - 1))) {
        changedTasks++;
      }
    }
    assertThat(changedTasks).as("the slow bits change between tasks").isPositive();
    assertThat(scr.task(2, 50).trainFeatures())
        .as("reproducible per seed")
        .isEqualTo(again.task(2, 50).trainFeatures());
  }

  @Test
  void theTargetIsNotConstantAndDependsOnTheSeed() {
    SlowlyChangingRegression a = new SlowlyChangingRegression(1);
    SlowlyChangingRegression b = new SlowlyChangingRegression(2);
    float[] ya = a.task(1, 300).trainLabels().toFloatVector();
    Set<Float> values = new HashSet<>();
    for (float v : ya) {
      values.add(v);
    }
    assertThat(values.size()).as("distinct target values in one task").isGreaterThan(3);
    TaskFactory.Task tb = b.task(1, 300);
    float[][] xb = tb.trainFeatures().toFloatMatrix();
    int differ = 0;
    for (float[] row : xb) {
      if (a.target(row) != b.target(row)) {
        differ++;
      }
    }
    assertThat(differ).isPositive();
  }

  @Test
  void theThresholdFollowsTheRepositorysFormula() {
    // One input, one target unit, β = 0.7: S = (m − W + b)/2 and τ = β(m+1) − S give, for the four
    // draws of (W, b): (+1,+1) τ 0.9, pre-activations 1 and 2; (+1,−1) τ 1.9, −1 and 0; (−1,+1)
    // τ −0.1, 1 and 0; (−1,−1) τ 0.9, −1 and −2. The unit fires on both inputs or on neither, so
    // the target is the same for x = 0 and x = 1 whatever the seed (a threshold of β(m+1) alone
    // would separate them for (+1,+1)).
    for (long seed = 0; seed < 20; seed++) {
      SlowlyChangingRegression one = new SlowlyChangingRegression(1, 0, 1, 0.7, seed);
      assertThat(one.target(new float[] {1})).isEqualTo(one.target(new float[] {0}));
    }
    assertThatThrownBy(() -> new SlowlyChangingRegression(5, 6, 3, 0.7, 1))
        .hasMessageContaining("flipping bits must be 0 to 5 (got: 6)");
  }
}
