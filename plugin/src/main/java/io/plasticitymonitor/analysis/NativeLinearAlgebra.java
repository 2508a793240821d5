package io.plasticitymonitor.analysis;

import org.nd4j.linalg.api.blas.BlasException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The only place this package touches ND4J, used purely as a BLAS/LAPACK engine on double-precision
 * copies. Arrays are created outside any workspace the calling thread has open (a DL4J callback may
 * have one) and freed as soon as they are read back, so large layers do not wait for the GC.
 */
@SuppressWarnings("try") // the workspace scopes are held for their effect, never referenced
final class NativeLinearAlgebra {

  private NativeLinearAlgebra() {}

  /**
   * Singular values by LAPACK {@code dgesvd}, no vectors, in LAPACK's order (descending).
   *
   * @param columnMajor {@code rows × cols}, column-major, both ≥ 1, finite; not modified
   */
  static double[] singularValues(double[] columnMajor, int rows, int cols) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      // create copies off-heap, and gesvd overwrites only that copy. 'f' is LAPACK's native layout.
      INDArray a = Nd4j.create(columnMajor, new long[] {rows, cols}, 'f');
      INDArray s = Nd4j.create(DataType.DOUBLE, Math.min(rows, cols));
      try {
        Nd4j.getBlasWrapper().lapack().gesvd(a, s, null, null);
        return s.toDoubleVector();
      } catch (BlasException | RuntimeException e) { // BlasException (info > 0) is an Error
        throw new IllegalStateException("LAPACK dgesvd failed on a " + rows + "x" + cols + " matrix", e);
      } finally {
        a.close();
        s.close();
      }
    }
  }

  /**
   * Row blocks of the Gram matrix {@code G = ΘΘᵀ} of the rows of {@code Θ = [m, d]}, upper triangle
   * only, one {@code dgemm} per block: never more than one block is held, not the whole {@code m × m}.
   */
  static final class GramRows implements AutoCloseable {
    private final INDArray theta;
    private final int m;

    /** @param rowMajor {@code Θ} as {@code m × d}, row-major, {@code m, d ≥ 1}; not modified */
    GramRows(double[] rowMajor, int m, int d) {
      this.m = m;
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        this.theta = Nd4j.create(rowMajor, new long[] {m, d}, 'c'); // copies off-heap
      }
    }

    /**
     * Returns {@code G[r0:r1, r0:m]} row-major: entry {@code (i, j)} is {@code θ_i·θ_j} at
     * {@code (i - r0) * (m - r0) + (j - r0)}.
     */
    double[] block(int r0, int r1) {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        // Row ranges of a 'c' array are contiguous views: BLAS reads them in place.
        INDArray left = theta.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all());
        INDArray right = theta.get(NDArrayIndex.interval(r0, m), NDArrayIndex.all());
        INDArray g = Nd4j.gemm(left, right, false, true);
        try {
          INDArray c = g.ordering() == 'c' && !g.isView() ? g : g.dup('c');
          try {
            double[] out = c.data().asDouble();
            long expected = (long) (r1 - r0) * (m - r0);
            if (out.length != expected) {
              throw new IllegalStateException("gemm returned " + out.length + " values, expected "
                  + expected);
            }
            return out;
          } finally {
            c.close();
          }
        } finally {
          g.close();
        }
      }
    }

    @Override
    public void close() {
      theta.close();
    }
  }
}
