package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FreshNetworkGapTest {
  private static final double EXACT = 1e-15;

  @Test
  void aNetworkWorseThanFreshHasAPositiveGapOnBothBases() {
    // Accuracy 0.90 fresh, 0.60 continual: 0.30 worse. Score 0.3 fresh, 1.1 continual: 0.8 worse.
    assertThat(FreshNetworkGap.ofAccuracy(0.90, 0.60)).isCloseTo(0.30, within(EXACT));
    assertThat(FreshNetworkGap.ofScore(0.3, 1.1)).isCloseTo(0.8, within(EXACT));
  }

  @Test
  void aNetworkBetterThanFreshHasANegativeGap() {
    assertThat(FreshNetworkGap.ofAccuracy(0.80, 0.85)).isCloseTo(-0.05, within(EXACT));
    assertThat(FreshNetworkGap.ofScore(0.5, 0.25)).isEqualTo(-0.25);
  }

  @Test
  void equalResultsHaveNoGap() {
    assertThat(FreshNetworkGap.ofAccuracy(0.7, 0.7)).isZero();
    assertThat(FreshNetworkGap.ofScore(0.4, 0.4)).isZero();
  }

  @Test
  void aMissingValueGivesNaN() {
    assertThat(FreshNetworkGap.ofAccuracy(Double.NaN, 0.7)).isNaN();
    assertThat(FreshNetworkGap.ofAccuracy(0.7, Double.NaN)).isNaN();
    assertThat(FreshNetworkGap.ofScore(Double.NaN, 0.7)).isNaN();
    assertThat(FreshNetworkGap.ofScore(0.7, Double.NaN)).isNaN();
  }
}
