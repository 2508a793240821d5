package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepImprovementTest {

  @Test
  void halvingTheLossIsOneHalf() {
    assertThat(StepImprovement.of(2.0, 1.0)).isEqualTo(0.5);
  }

  @Test
  void anUnchangedLossIsZero() {
    // A frozen network: the step changed nothing.
    assertThat(StepImprovement.of(0.7, 0.7)).isZero();
  }

  @Test
  void fittingTheBatchExactlyIsOne() {
    assertThat(StepImprovement.of(0.7, 0.0)).isEqualTo(1.0);
  }

  @Test
  void aStepThatRaisesTheLossIsClampedToZero() {
    assertThat(StepImprovement.of(1.0, 3.0)).isZero();
    assertThat(StepImprovement.of(1.0, Double.POSITIVE_INFINITY)).isZero();
  }

  @Test
  void aLossAfterBelowZeroIsClampedToOne() {
    assertThat(StepImprovement.of(1.0, -0.5)).isEqualTo(1.0);
  }

  @Test
  void noSampleWhereTheRatioMeansNothing() {
    assertThat(StepImprovement.of(0.0, 0.0)).isNaN(); // already fit: UPGD's 1e-8 clamp would say 0
    assertThat(StepImprovement.of(0.0, 1e-9)).isNaN();
    assertThat(StepImprovement.of(-1.0, -2.0)).isNaN(); // a loss that can be negative
    assertThat(StepImprovement.of(Double.NaN, 1.0)).isNaN();
    assertThat(StepImprovement.of(Double.POSITIVE_INFINITY, 1.0)).isNaN();
    assertThat(StepImprovement.of(1.0, Double.NaN)).isNaN();
  }

  @Test
  void tinyPositiveLossesStillGiveTheRatio() {
    assertThat(StepImprovement.of(1e-30, 0.25e-30)).isEqualTo(0.75);
  }
}
