package io.plasticitymonitor.bench;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;

/**
 * The BLAS/LAPACK calls an analysis cannot do without, called directly on OpenBLAS (the library
 * ND4J's CPU backend runs on), on off-heap buffers filled beforehand so that only the call is
 * timed.
 */
final class Floor {
  private Floor() {}

  /** {@code dsyrk}: the upper triangle of {@code XᵀX} for {@code X = [k, n]} column-major. */
  static void gram(DoublePointer x, int k, int n, DoublePointer c) {
    openblas.cblas_dsyrk(
        openblas.CblasColMajor,
        openblas.CblasUpper,
        openblas.CblasTrans,
        n,
        k,
        1.0,
        x,
        k,
        0.0,
        c,
        n);
  }

  /** Eigenvalues only of the symmetric {@code n × n} matrix in {@code c} (destroyed). */
  static void eigenvalues(DoublePointer c, int n, DoublePointer w) {
    int info =
        openblas.LAPACKE_dsyev(openblas.LAPACK_COL_MAJOR, (byte) 'N', (byte) 'U', n, c, n, w);
    if (info != 0) {
      throw new IllegalStateException("dsyev info " + info);
    }
  }

  /**
   * Singular values only, {@code dgesvd}, of the {@code rows × cols} column-major {@code a}
   * (destroyed).
   */
  static void svd(DoublePointer a, int rows, int cols, DoublePointer s) {
    DoublePointer superb = new DoublePointer(Math.max(1, Math.min(rows, cols)));
    try {
      int info =
          openblas.LAPACKE_dgesvd(
              openblas.LAPACK_COL_MAJOR,
              (byte) 'N',
              (byte) 'N',
              rows,
              cols,
              a,
              rows,
              s,
              null,
              1,
              null,
              1,
              superb);
      if (info != 0) {
        throw new IllegalStateException("dgesvd info " + info);
      }
    } finally {
      superb.close();
    }
  }
}
