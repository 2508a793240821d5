package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The budget arithmetic on a clock the test moves by hand. */
class AnalysisScheduleTest {
  private final AtomicLong now = new AtomicLong(1_000);

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void nothingIsDueBeforeTheProbeIsReadyAndTheFirstIsDueAtOnce() {
    AnalysisSchedule s = new AnalysisSchedule(0.01, now::get);
    assertThat(s.due(false)).isFalse();
    assertThat(s.due(true)).as("no cost estimate yet").isTrue();
  }

  @Test
  void theNextAnalysisWaitsUntilItsCostIsTheBudgetsShareOfTheCycle() {
    AnalysisSchedule s = new AnalysisSchedule(0.01, now::get);
    s.finished(ms(10)); // 10 ms at 1%: the cycle is 1 s
    now.addAndGet(ms(999));
    assertThat(s.due(true)).isFalse();
    now.addAndGet(ms(1));
    assertThat(s.due(true)).isTrue();
    assertThat(s.due(false)).as("still not without a probe").isFalse();
  }

  @Test
  void callbackTimeCountsAgainstTheBudgetAndASnapshotsTimeCanBeTakenBack() {
    AnalysisSchedule s = new AnalysisSchedule(0.5, now::get);
    s.finished(ms(10));
    s.callbackTime(ms(5)); // (10 + 5) ms at 50%: 30 ms
    now.addAndGet(ms(29));
    assertThat(s.due(true)).isFalse();
    now.addAndGet(ms(1));
    assertThat(s.due(true)).isTrue();
    s.callbackTime(-ms(5)); // the snapshot's time moves into the analysis's cost
    now.addAndGet(-ms(10)); // 20 ms after the cycle started: (10 + 0) / 0.5 = 20 ms
    assertThat(s.due(true)).isTrue();
  }

  @Test
  void aRestartStartsANewCycleAndKeepsTheCostEstimate() {
    AnalysisSchedule s = new AnalysisSchedule(1.0, now::get);
    s.finished(ms(100));
    s.callbackTime(ms(50));
    now.addAndGet(ms(500));
    assertThat(s.due(true)).isTrue();
    s.restart(); // callbacks so far belong to the old cycle
    assertThat(s.due(true)).isFalse();
    now.addAndGet(ms(99));
    assertThat(s.due(true)).isFalse();
    now.addAndGet(ms(1));
    assertThat(s.due(true)).as("the 100 ms estimate still holds").isTrue();
  }
}
