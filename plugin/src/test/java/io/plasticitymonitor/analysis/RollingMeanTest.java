package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RollingMeanTest {

  @Test
  void emptyIsNaN() {
    RollingMean m = new RollingMean(3);
    assertThat(m.mean()).isNaN();
    assertThat(m.size()).isZero();
  }

  @Test
  void fewerValuesThanTheWindowAreAllAveraged() {
    RollingMean m = new RollingMean(3);
    m.add(1);
    m.add(2);
    assertThat(m.mean()).isEqualTo(1.5);
    assertThat(m.size()).isEqualTo(2);
  }

  @Test
  void theOldestValuesLeaveTheWindow() {
    RollingMean m = new RollingMean(3);
    for (double v : new double[] {100, 1, 2, 3}) {
      m.add(v);
    }
    assertThat(m.mean()).isEqualTo(2.0); // (1 + 2 + 3) / 3: the 100 has left
    m.add(9);
    assertThat(m.mean()).isEqualTo((2 + 3 + 9) / 3.0);
    assertThat(m.size()).isEqualTo(3);
  }

  @Test
  void clearForgetsEverything() {
    RollingMean m = new RollingMean(2);
    m.add(5);
    m.add(7);
    m.clear();
    assertThat(m.mean()).isNaN();
    m.add(1);
    assertThat(m.mean()).isEqualTo(1.0); // nothing of the 5 and 7 remains
  }

  @Test
  void noDriftOverManyValues() {
    RollingMean m = new RollingMean(10);
    for (int i = 0; i < 1_000_000; i++) {
      m.add(i % 2 == 0 ? 0.1 : 1e9);
    }
    for (int i = 0; i < 10; i++) {
      m.add(0.1);
    }
    double tenTenths = 0;
    for (int i = 0; i < 10; i++) {
      tenTenths += 0.1;
    }
    // A running total that added and removed 1e9 half a million times would be off by ~1e-7.
    assertThat(m.mean()).isEqualTo(tenTenths / 10);
  }

  @Test
  void rejectsABadWindowAndNaN() {
    assertThatThrownBy(() -> new RollingMean(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(got: 0)");
    assertThatThrownBy(() -> new RollingMean(1).add(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
