package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void oneValueIsBothPercentiles() {
    // m = 1: ⌈0.1⌉ = ⌈0.5⌉ = 1st smallest.
    assertThat(Percentiles.of(new double[] {7})).isEqualTo(new Percentiles(7, 7));
  }

  @Test
  void threeValues() {
    // m = 3: p10 = ⌈0.3⌉ = 1st, median = ⌈1.5⌉ = 2nd smallest.
    assertThat(Percentiles.of(new double[] {30, 10, 20})).isEqualTo(new Percentiles(10, 20));
  }

  @Test
  void tenValues() {
    // m = 10: p10 = ⌈1⌉ = 1st, median = ⌈5⌉ = 5th smallest (nearest rank: no interpolation).
    double[] v = {9, 0, 8, 1, 7, 2, 6, 3, 5, 4};
    assertThat(Percentiles.of(v)).isEqualTo(new Percentiles(0, 4));
  }

  @Test
  void elevenValues() {
    // m = 11: p10 = ⌈1.1⌉ = 2nd, median = ⌈5.5⌉ = 6th smallest.
    double[] v = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    assertThat(Percentiles.of(v)).isEqualTo(new Percentiles(1, 5));
  }

  @Test
  void nearestRankUsesExactIntegerCeiling() {
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = i + 1;
    }
    // ⌈7·100/100⌉ = 7 (0.07·100 is 7.000000000000001 in floating point, whose ceiling is 8).
    assertThat(Percentiles.nearestRank(hundred, 7)).isEqualTo(7);
    assertThat(Percentiles.nearestRank(hundred, 0)).isEqualTo(1);
    assertThat(Percentiles.nearestRank(hundred, 100)).isEqualTo(100);
  }

  @Test
  void inputIsNotModified() {
    double[] v = {3, 1, 2};
    Percentiles.of(v);
    assertThat(v).containsExactly(3, 1, 2);
  }

  @Test
  void rejectsEmptyAndNaN() {
    assertThatThrownBy(() -> Percentiles.of(new double[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Percentiles.of(new double[] {1, Double.NaN}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
