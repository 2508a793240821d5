package io.plasticitymonitor.analysis;

import java.util.Arrays;

/**
 * Singular values of a dense matrix, by LAPACK {@code dgesvd} (through ND4J's native backend, in
 * double precision, no singular vectors).
 *
 * <p>A real SVD and not the eigenvalues of {@code MᵀM}: squaring loses every singular value below
 * about {@code σ₁·√eps ≈ 1.5e-8·σ₁}, and the numerical rank (metric contract, item 5) needs them
 * down to {@code σ₁·max(rows, cols)·2⁻⁵²}. {@code dgesvd} is backward stable: each computed σ is
 * within a modest multiple of {@code σ₁·2⁻⁵³} of the exact one.
 */
final class SingularValues {

  private SingularValues() {}

  /**
   * Returns the singular values of {@code M}, largest first. Tall and wide matrices alike.
   *
   * <p>Example: {@code of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3)} is {@code {9.50803200069572,
   * 0.77286963567348}}, the square roots of the eigenvalues {@code (91 ± √8065)/2} of {@code MMᵀ =
   * [[14, 32], [32, 77]]}.
   *
   * @param rowMajor {@code M} as {@code rows × cols}, row-major: {@code M[r][c] = rowMajor[r * cols
   *     + c]}; not modified (LAPACK works on an off-heap copy)
   * @param rows number of rows, ≥ 0
   * @param cols number of columns, ≥ 0
   * @return {@code min(rows, cols)} values {@code σ₁ ≥ σ₂ ≥ … ≥ 0}; empty when a dimension is 0
   *     (LAPACK is not called then)
   * @throws IllegalArgumentException if the length does not match or a value is NaN or ±Inf
   * @throws IllegalStateException if LAPACK reports a failure (dgesvd not converging), which does
   *     not happen for finite input in practice
   */
  public static double[] of(double[] rowMajor, int rows, int cols) {
    if (rows < 0 || cols < 0 || rowMajor.length != (long) rows * cols) {
      throw new IllegalArgumentException(
          "matrix has " + rowMajor.length + " values, expected rows*cols = " + rows + "*" + cols);
    }
    for (double v : rowMajor) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("matrix holds a non-finite value (got: " + v + ")");
      }
    }
    if (rows == 0 || cols == 0) {
      return new double[0];
    }
    // The row-major buffer of M, read column-major as [cols, rows], is Mᵀ: same singular values,
    // and LAPACK gets its native layout without a transposing copy.
    double[] sigma = NativeLinearAlgebra.singularValues(rowMajor, cols, rows);
    // dgesvd returns them sorted; a check costs nothing and makes the order a guarantee.
    for (int k = 1; k < sigma.length; k++) {
      if (!(sigma[k - 1] >= sigma[k])) {
        sortDescending(sigma);
        break;
      }
    }
    return sigma;
  }

  private static void sortDescending(double[] a) {
    Arrays.sort(a);
    for (int i = 0, j = a.length - 1; i < j; i++, j--) {
      double t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
