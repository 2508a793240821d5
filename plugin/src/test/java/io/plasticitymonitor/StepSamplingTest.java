package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The sampling rule on a clock the test sets, so no wall-clock expectation. */
class StepSamplingTest {
  private static final long MS = 1_000_000;

  @Test
  void everyNthIterationOfTheNetworksCount() {
    StepSampling s = StepSampling.every(3);
    int measured = 0;
    for (int it = 0; it < 30; it++) {
      if (s.due(it, 0)) {
        measured++;
        assertThat(it % 3).isZero();
      }
    }
    assertThat(measured).isEqualTo(10);
    assertThat(StepSampling.every(1).due(17, 0)).isTrue();
  }

  @Test
  void zeroIsOff() {
    StepSampling s = StepSampling.every(0);
    assertThat(s.enabled()).isFalse();
    for (int it = 0; it < 10; it++) {
      assertThat(s.due(it, it * MS)).isFalse();
    }
  }

  /**
   * Share 0.005, each measurement costs 2 ms, an iteration takes 1 ms of wall time: after a
   * measurement the credit is −2 ms and comes back at 0.005 ms per ms, so the next is due 400
   * iterations later. Over 4,000 iterations: the first, then one every 400 → 10.
   */
  @Test
  void theBudgetSpacesMeasurementsByCostOverShare() {
    StepSampling s = StepSampling.budget(0.005);
    int measured = 0;
    long spent = 0;
    for (int it = 0; it < 4000; it++) {
      long now = it * MS + spent;
      if (s.due(it, now)) {
        measured++;
        s.charge(2 * MS);
        spent += 2 * MS;
      }
    }
    assertThat(measured).isBetween(10, 11);
    long wall = 4000 * MS + spent;
    assertThat((double) spent / wall)
        .isLessThanOrEqualTo(0.005 + 2.0 * MS / wall); // one measurement of slack
  }

  @Test
  void aLongPauseBuysOneMeasurementNotABurst() {
    StepSampling s = StepSampling.budget(0.01);
    assertThat(s.due(0, 0)).isTrue();
    s.charge(MS);
    long now = 10_000 * MS; // 10 s idle: 100 ms of credit uncapped, 100 measurements' worth
    int burst = 0;
    for (int it = 1; it < 50; it++) {
      now += 10_000; // 10 µs an iteration: accrues almost nothing
      if (s.due(it, now)) {
        burst++;
        s.charge(MS);
      }
    }
    assertThat(burst).isEqualTo(1);
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> StepSampling.every(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stepPlasticityEvery")
        .hasMessageContaining("(got: -1)");
    assertThatThrownBy(() -> StepSampling.budget(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(got: 0.0)");
  }
}
