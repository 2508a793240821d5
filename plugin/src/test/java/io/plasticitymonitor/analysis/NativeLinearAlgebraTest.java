package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The bulk copies between Java arrays and ND4J's native memory, and the Gram eigenvalues, Gram row
 * blocks and singular values by both routes: OpenBLAS called directly ({@link HostBlas}) and ND4J.
 */
class NativeLinearAlgebraTest {

  @AfterEach
  void restoreRoute() {
    NativeLinearAlgebra.direct = HostBlas.AVAILABLE;
  }

  @Test
  void openBlasIsCalledDirectlyOnTheCpuBackend() {
    // The build's backend is nd4j-native: if this fails, the analysis silently took the slow route.
    assertThat(HostBlas.AVAILABLE).isTrue();
    assertThat(NativeLinearAlgebra.direct).isTrue();
  }

  @Test
  void bulkCopiesRoundTripInBothOrders() {
    double[] v = TestMatrices.gaussian(new Random(3), 6 * 7);
    for (char order : new char[] {'c', 'f'}) {
      INDArray a = NativeLinearAlgebra.toNative(v, new long[] {6, 7}, order);
      assertThat(a.ordering()).isEqualTo(order);
      // Element (r, c) sits where the order says.
      int r = 4;
      int c = 5;
      double expected = order == 'c' ? v[r * 7 + c] : v[c * 6 + r];
      assertThat(a.getDouble(r, c)).isEqualTo(expected);
      assertThat(NativeLinearAlgebra.toJava(a)).containsExactly(v);
      a.close();
    }
  }

  @Test
  void viewsAndFloatArraysAreCopiedFirst() {
    INDArray a = Nd4j.arange(0, 20).castTo(DataType.DOUBLE).reshape('c', 4, 5);
    INDArray rows = a.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all()); // a view at offset 5
    assertThat(NativeLinearAlgebra.toJava(rows)).containsExactly(5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
    INDArray f = Nd4j.create(new float[] {0.1f, 2.5f, -3}, new long[] {3}, DataType.FLOAT);
    assertThat(NativeLinearAlgebra.toJava(f)).containsExactly(0.1f, 2.5, -3);
  }

  @ParameterizedTest(name = "direct OpenBLAS: {0}")
  @ValueSource(booleans = {true, false})
  void smallerGramEigenvaluesTallAndWide(boolean direct) {
    NativeLinearAlgebra.direct = direct;
    // M = [[1, 2, 3], [4, 5, 6]]: MMᵀ = [[14, 32], [32, 77]], eigenvalues (91 ∓ √8065)/2; the tall
    // transpose gives the same two from its 2×2 Gram matrix MᵀM... of the transpose.
    double[] m = {1, 2, 3, 4, 5, 6};
    double small = (91 - Math.sqrt(8065)) / 2;
    double large = (91 + Math.sqrt(8065)) / 2;
    assertThat(NativeLinearAlgebra.smallerGramEigenvalues(m, 2, 3))
        .containsExactly(new double[] {small, large}, within(1e-12));
    assertThat(NativeLinearAlgebra.smallerGramEigenvalues(TestMatrices.transpose(m, 2, 3), 3, 2))
        .containsExactly(new double[] {small, large}, within(1e-12));
  }

  @ParameterizedTest(name = "direct OpenBLAS: {0}")
  @ValueSource(booleans = {true, false})
  void gramEigenvaluesAcrossColumnBlocks(boolean direct) {
    NativeLinearAlgebra.direct = direct;
    // 300 columns span two 256-column blocks of the Gram matrix: compare with the SVD's σ².
    Random rnd = new Random(5);
    double[] m = TestMatrices.gaussian(rnd, 400 * 300);
    double[] lambda = NativeLinearAlgebra.smallerGramEigenvalues(m, 400, 300);
    double[] sigma = SingularValues.of(m, 400, 300);
    for (int k = 0; k < 300; k++) {
      double s = sigma[299 - k];
      assertThat(lambda[k]).isCloseTo(s * s, within(1e-9 * sigma[0] * sigma[0]));
    }
  }

  /**
   * The kept {@code MᵀM} against a brute-force sum, for a tall matrix whose 700 rows span three
   * slices of the inner dimension (256, 256, 188), and the same eigenvalues from the wide
   * transpose.
   */
  @ParameterizedTest(name = "direct OpenBLAS: {0}")
  @ValueSource(booleans = {true, false})
  void keptGramMatrixIsExactUpToRoundingAcrossSlices(boolean direct) {
    NativeLinearAlgebra.direct = direct;
    int rows = 700;
    int cols = 60;
    double[] m = TestMatrices.gaussian(new Random(11), rows * cols);
    double[][] kept = new double[1][];
    double[] tall = NativeLinearAlgebra.smallerGramEigenvalues(m, rows, cols, g -> kept[0] = g);
    assertThat(kept[0]).hasSize(cols * cols);
    for (int j = 0; j < cols; j++) {
      for (int i = 0; i <= j; i++) {
        double exact = 0;
        double scale = 0;
        for (int r = 0; r < rows; r++) {
          exact += m[r * cols + i] * m[r * cols + j];
          scale += Math.abs(m[r * cols + i] * m[r * cols + j]);
        }
        assertThat(kept[0][j * cols + i])
            .as("G[%d][%d]", i, j)
            .isCloseTo(exact, within(1e-13 * scale));
      }
    }
    kept[0] = null;
    double[] wide =
        NativeLinearAlgebra.smallerGramEigenvalues(
            TestMatrices.transpose(m, rows, cols), cols, rows, g -> kept[0] = g);
    assertThat(kept[0]).as("MMᵀ is not MᵀM: nothing kept").isNull();
    assertThat(wide).containsExactly(tall, within(1e-10 * tall[cols - 1]));
  }

  /** Every block of {@code ΘΘᵀ}, against direct dot products, with blocks that do not divide m. */
  @ParameterizedTest(name = "direct OpenBLAS: {0}")
  @ValueSource(booleans = {true, false})
  void gramRowBlocksMatchDotProducts(boolean direct) {
    NativeLinearAlgebra.direct = direct;
    int m = 23;
    int d = 9;
    int blockRows = 5;
    double[] theta = TestMatrices.gaussian(new Random(12), m * d);
    try (NativeLinearAlgebra.GramBlocks gram =
        NativeLinearAlgebra.gramRows(theta, m, d, blockRows)) {
      for (int r0 = 0; r0 < m; r0 += blockRows) {
        int r1 = Math.min(m, r0 + blockRows);
        double[] g = gram.block(r0, r1);
        for (int i = r0; i < r1; i++) {
          for (int j = r0; j < m; j++) {
            double dot = 0;
            for (int k = 0; k < d; k++) {
              dot += theta[i * d + k] * theta[j * d + k];
            }
            assertThat(g[(i - r0) * (m - r0) + (j - r0)])
                .as("G[%d][%d]", i, j)
                .isCloseTo(dot, within(1e-12));
          }
        }
      }
    }
  }

  @Test
  void singularValuesAgreeOnBothRoutes() {
    double[] m = TestMatrices.gaussian(new Random(13), 30 * 17);
    NativeLinearAlgebra.direct = true;
    double[] direct = SingularValues.of(m, 30, 17);
    NativeLinearAlgebra.direct = false;
    double[] nd4j = SingularValues.of(m, 30, 17);
    assertThat(direct).hasSize(17).containsExactly(nd4j, within(1e-12 * nd4j[0]));
    // Known values: diag(3, 2) padded with a zero row has σ = (3, 2).
    NativeLinearAlgebra.direct = true;
    assertThat(SingularValues.of(new double[] {3, 0, 0, 2, 0, 0}, 3, 2))
        .containsExactly(new double[] {3, 2}, within(1e-15));
  }
}
