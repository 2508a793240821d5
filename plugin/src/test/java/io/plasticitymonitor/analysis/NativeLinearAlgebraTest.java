package io.plasticitymonitor.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The bulk copies between Java arrays and ND4J's native memory, and the Gram eigenvalues. */
class NativeLinearAlgebraTest {

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

  @Test
  void smallerGramEigenvaluesTallAndWide() {
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

  @Test
  void gramEigenvaluesAcrossColumnBlocks() {
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
}
