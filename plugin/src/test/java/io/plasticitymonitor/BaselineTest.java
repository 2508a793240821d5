package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class BaselineTest {

  @Test
  void taskDataKeepsTheBaselineGiven() {
    TaskData d = TaskData.builder().baseline(0.91).baselineScore(0.31).build();
    assertThat(d.baseline()).contains(Baseline.of(0.91, 0.31));
    assertThat(TaskData.builder().baseline(0.5).build().baseline().orElseThrow().score()).isEmpty();
    assertThat(TaskData.builder().baselineScore(2.5).build().baseline())
        .contains(new Baseline(OptionalDouble.empty(), OptionalDouble.of(2.5)));
    assertThat(TaskData.builder().build().baseline()).isEmpty();
    assertThat(TaskData.none().baseline()).isEmpty();
  }

  @Test
  void aBaselineRecordReplacesBothParts() {
    TaskData d =
        TaskData.builder().baseline(0.2).baselineScore(9).baseline(Baseline.accuracy(0.8)).build();
    assertThat(d.baseline()).contains(Baseline.accuracy(0.8));
  }

  @Test
  void badAccuracyIsRejectedNamingTheSettingAndValue() {
    for (double bad : new double[] {-0.01, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> TaskData.builder().baseline(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("TaskData.baseline accuracy")
          .hasMessageContaining("(got: " + bad + ")");
    }
  }

  @Test
  void badScoreIsRejectedNamingTheSettingAndValue() {
    for (double bad :
        new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> TaskData.builder().baselineScore(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("TaskData.baselineScore")
          .hasMessageContaining("(got: " + bad + ")");
    }
  }

  @Test
  void aBaselineNeedsSomething() {
    assertThatThrownBy(() -> new Baseline(OptionalDouble.empty(), OptionalDouble.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("neither");
    assertThatThrownBy(() -> new Baseline(OptionalDouble.of(2), OptionalDouble.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(got: 2.0)");
  }
}
