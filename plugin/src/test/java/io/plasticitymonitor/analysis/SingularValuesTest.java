package io.plasticitymonitor.analysis;

import static io.plasticitymonitor.analysis.TestMatrices.gaussian;
import static io.plasticitymonitor.analysis.TestMatrices.plantedSingularValues;
import static io.plasticitymonitor.analysis.TestMatrices.transpose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SingularValuesTest {

  /** Absolute error allowed on σ of matrices with σ₁ ≈ 1: a backward-stable SVD gives ~1e-16. */
  private static final double SIGMA_TOLERANCE = 1e-13;

  @Test
  void knownTwoByThree() {
    // M = [[1, 2, 3], [4, 5, 6]]: MMᵀ = [[14, 32], [32, 77]], eigenvalues (91 ± √8065)/2.
    double[] m = {1, 2, 3, 4, 5, 6};
    double s1 = Math.sqrt((91 + Math.sqrt(8065)) / 2); // 9.508032000695724
    double s2 = Math.sqrt((91 - Math.sqrt(8065)) / 2); // 0.772869635673483
    assertThat(SingularValues.of(m, 2, 3))
        .containsExactly(new double[] {s1, s2}, within(SIGMA_TOLERANCE));
    // The tall transpose has the same singular values.
    assertThat(SingularValues.of(transpose(m, 2, 3), 3, 2))
        .containsExactly(new double[] {s1, s2}, within(SIGMA_TOLERANCE));
  }

  @Test
  void diagonalGivesSortedAbsoluteDiagonal() {
    // diag(1, 1, 2, 1e-3) → σ = (2, 1, 1, 1e-3).
    double[] m = new double[16];
    m[0] = 1;
    m[5] = 1;
    m[10] = 2;
    m[15] = 1e-3;
    assertThat(SingularValues.of(m, 4, 4))
        .containsExactly(new double[] {2, 1, 1, 1e-3}, within(SIGMA_TOLERANCE));
  }

  @Test
  void plantedTinySingularValueIsResolved() {
    // Eigenvalues of MᵀM could not resolve 1e-9 (its square is below 2⁻⁵²); a real SVD does.
    Random rnd = new Random(11);
    for (int[] shape : new int[][] {{6, 4}, {4, 6}, {5, 5}}) {
      double[] m = plantedSingularValues(rnd, shape[0], shape[1], 1, 0.5, 1e-9);
      double[] s = SingularValues.of(m, shape[0], shape[1]);
      assertThat(s).hasSize(Math.min(shape[0], shape[1]));
      assertThat(s[0]).isCloseTo(1, within(SIGMA_TOLERANCE));
      assertThat(s[1]).isCloseTo(0.5, within(SIGMA_TOLERANCE));
      assertThat(s[2]).isCloseTo(1e-9, within(SIGMA_TOLERANCE));
      for (int k = 3; k < s.length; k++) {
        assertThat(s[k]).isCloseTo(0, within(SIGMA_TOLERANCE));
      }
    }
  }

  @Test
  void randomMatricesSortedAndFrobeniusConsistentTallAndWide() {
    Random rnd = new Random(7);
    for (int[] shape :
        new int[][] {{1, 1}, {1, 9}, {9, 1}, {40, 7}, {7, 40}, {33, 33}, {100, 64}}) {
      int rows = shape[0];
      int cols = shape[1];
      double[] m = gaussian(rnd, rows * cols);
      double[] copy = m.clone();
      double[] s = SingularValues.of(m, rows, cols);
      assertThat(m).isEqualTo(copy);
      assertThat(s).hasSize(Math.min(rows, cols));
      double frobenius = 0;
      for (double v : m) {
        frobenius += v * v;
      }
      double sumSquares = 0;
      for (int k = 0; k < s.length; k++) {
        sumSquares += s[k] * s[k];
        assertThat(s[k]).isGreaterThanOrEqualTo(0);
        if (k > 0) {
          assertThat(s[k]).isLessThanOrEqualTo(s[k - 1]);
        }
      }
      assertThat(sumSquares).isCloseTo(frobenius, within(1e-10 * frobenius));
      // Transposing changes nothing.
      assertThat(SingularValues.of(transpose(m, rows, cols), cols, rows))
          .containsExactly(s, within(1e-12 * s[0]));
    }
  }

  @Test
  void emptyDimensionsGiveNoValues() {
    assertThat(SingularValues.of(new double[0], 0, 5)).isEmpty();
    assertThat(SingularValues.of(new double[0], 5, 0)).isEmpty();
    assertThat(SingularValues.of(new double[0], 0, 0)).isEmpty();
  }

  @Test
  void zeroMatrixHasZeroSingularValues() {
    assertThat(SingularValues.of(new double[12], 3, 4)).containsExactly(0, 0, 0);
  }

  @Test
  void rejectsNonFiniteAndWrongLength() {
    assertThatThrownBy(() -> SingularValues.of(new double[] {1, Double.NaN}, 1, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SingularValues.of(new double[] {1, Double.POSITIVE_INFINITY}, 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SingularValues.of(new double[3], 2, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
