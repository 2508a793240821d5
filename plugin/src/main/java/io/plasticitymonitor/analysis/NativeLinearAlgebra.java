package io.plasticitymonitor.analysis;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.nd4j.linalg.api.blas.BlasException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The only place this package calls BLAS/LAPACK, on double-precision copies: directly on OpenBLAS
 * when ND4J runs on it ({@link HostBlas}, the CPU backend), else through ND4J. ND4J arrays are
 * created outside any workspace the calling thread has open (a DL4J callback may have one) and
 * freed as soon as they are read back, so large layers do not wait for the GC.
 */
@SuppressWarnings("try") // the workspace scopes are held for their effect, never referenced
final class NativeLinearAlgebra {

  /**
   * Whether arrays live in host memory that javacpp can copy in bulk. ND4J's own {@code double[]}
   * transfers go one element at a time through an indexer (~5 ns each: 40 ms for a 2000×4000 Θ).
   */
  private static final boolean HOST_MEMORY = Nd4j.getEnvironment().isCPU();

  /**
   * Whether to call OpenBLAS directly (when it is there); the ND4J route otherwise. Tests switch it
   * off to run the same checks on both routes.
   */
  static volatile boolean direct = HostBlas.AVAILABLE;

  private NativeLinearAlgebra() {}

  /** A new off-heap {@code double} array holding {@code values} in {@code order}; one bulk copy. */
  static INDArray toNative(double[] values, long[] shape, char order) {
    if (!HOST_MEMORY) {
      return Nd4j.create(values, shape, order);
    }
    INDArray a = Nd4j.createUninitialized(DataType.DOUBLE, shape, order);
    if (a.length() != values.length) {
      a.close();
      throw new IllegalArgumentException(
          values.length + " values for shape " + java.util.Arrays.toString(shape));
    }
    ((DoublePointer) a.data().addressPointer()).put(values, 0, values.length);
    return a;
  }

  /**
   * The values of an array as {@code double}, in its own ordering (anything else is copied first).
   */
  static double[] toJava(INDArray a) {
    if (HOST_MEMORY
        && a.dataType() == DataType.DOUBLE
        && !a.isView()
        && a.data().offset() == 0
        && a.data().length() == a.length()) {
      double[] out = new double[Math.toIntExact(a.length())];
      ((DoublePointer) a.data().addressPointer()).get(out, 0, out.length);
      return out;
    }
    INDArray c = a.castTo(DataType.DOUBLE).dup(a.ordering()); // fresh, contiguous, offset 0
    try {
      return HOST_MEMORY ? toJava(c) : c.data().asDouble();
    } finally {
      c.close();
    }
  }

  /**
   * Singular values by LAPACK {@code dgesvd}, no vectors, in LAPACK's order (descending).
   *
   * @param columnMajor {@code rows × cols}, column-major, both ≥ 1, finite; not modified
   */
  static double[] singularValues(double[] columnMajor, int rows, int cols) {
    if (direct) {
      return HostBlas.singularValues(columnMajor, rows, cols);
    }
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      // create copies off-heap, and gesvd overwrites only that copy. 'f' is LAPACK's native layout.
      INDArray a = toNative(columnMajor, new long[] {rows, cols}, 'f');
      INDArray s = Nd4j.create(DataType.DOUBLE, Math.min(rows, cols));
      try {
        Nd4j.getBlasWrapper().lapack().gesvd(a, s, null, null);
        return s.toDoubleVector();
      } catch (BlasException | RuntimeException e) { // BlasException (info > 0) is an Error
        throw new IllegalStateException(
            "LAPACK dgesvd failed on a " + rows + "x" + cols + " matrix", e);
      } finally {
        a.close();
        s.close();
      }
    }
  }

  /** Columns of the Gram matrix computed per {@code gemm} in {@link #smallerGramEigenvalues}. */
  private static final int GRAM_BLOCK = 128;

  /**
   * Length of the inner-dimension slices whose Gram matrices are summed in {@link
   * #smallerGramEigenvalues}: whatever order BLAS sums a slice in, an entry's rounding error is
   * then within {@code γ_{depth}·|x_i|·|x_j|}, {@code depth = } {@link #gramSummationDepth},
   * instead of {@code γ_k} for one gemm over all {@code k}.
   */
  static final int GRAM_SLICE = 256;

  /** The depth of the summation that builds each Gram entry, for its rounding-error bound. */
  static int gramSummationDepth(int k) {
    return Math.min(k, GRAM_SLICE) + (k + GRAM_SLICE - 1) / GRAM_SLICE;
  }

  /**
   * Eigenvalues of the smaller Gram matrix of {@code M}: {@code MᵀM} ({@code cols × cols}) when
   * {@code rows ≥ cols}, else {@code MMᵀ} ({@code rows × rows}). The Gram matrix's upper triangle
   * is built by {@code dgemm} in column blocks (about the flops of {@code dsyrk}: ND4J's {@code
   * syrk} wrapper passes {@code k = 1}) and in slices of {@value #GRAM_SLICE} of the inner
   * dimension, summed (see {@link #gramSummationDepth}); its eigenvalues come from LAPACK {@code
   * dsyev} without vectors (tridiagonal reduction, then the root-free QR of {@code dsterf}).
   *
   * @param rowMajor {@code M} as {@code rows × cols}, row-major, both ≥ 1, finite; not modified
   * @return {@code min(rows, cols)} eigenvalues, ascending (LAPACK's order); tiny ones may be
   *     slightly negative
   */
  static double[] smallerGramEigenvalues(double[] rowMajor, int rows, int cols) {
    return smallerGramEigenvalues(rowMajor, rows, cols, null);
  }

  /**
   * {@link #smallerGramEigenvalues(double[], int, int)}, also handing the Gram matrix itself to
   * {@code keep} (before LAPACK overwrites it) when it is {@code MᵀM}, i.e. {@code rows ≥ cols}:
   * column-major {@code cols × cols}, upper triangle only ({@code G[i][j]} at {@code j·cols + i}
   * for {@code i ≤ j}; the lower triangle holds nothing meaningful).
   */
  static double[] smallerGramEigenvalues(
      double[] rowMajor, int rows, int cols, java.util.function.Consumer<double[]> keep) {
    if (direct) {
      return HostBlas.smallerGramEigenvalues(rowMajor, rows, cols, keep);
    }
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      // G = XᵀX with X = [k, n], n the smaller dimension. Row-major M read column-major as
      // [cols, rows] is Mᵀ: for rows < cols that is X itself (MMᵀ = (Mᵀ)ᵀMᵀ); for rows ≥ cols,
      // X = M row-major.
      int n = Math.min(rows, cols);
      int k = Math.max(rows, cols);
      INDArray x =
          rows < cols
              ? toNative(rowMajor, new long[] {cols, rows}, 'f')
              : toNative(rowMajor, new long[] {rows, cols}, 'c');
      INDArray g = Nd4j.create(DataType.DOUBLE, new long[] {n, n}, 'f');
      INDArray w = Nd4j.create(DataType.DOUBLE, n);
      try {
        // One buffer per column block, G[0:c1, c0:c1] (its upper triangle is what counts), summed
        // over the slices by gemm itself (β = 1), then copied into G once.
        int blocks = (n + GRAM_BLOCK - 1) / GRAM_BLOCK;
        INDArray[] sums = new INDArray[blocks];
        try {
          for (int k0 = 0; k0 < k; k0 += GRAM_SLICE) {
            // A slice of rows of X, column-major so that its column ranges are contiguous.
            INDArray slice =
                x.get(NDArrayIndex.interval(k0, Math.min(k, k0 + GRAM_SLICE)), NDArrayIndex.all())
                    .dup('f');
            try {
              for (int b = 0; b < blocks; b++) {
                int c0 = b * GRAM_BLOCK;
                int c1 = Math.min(n, c0 + GRAM_BLOCK);
                INDArray left = slice.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c1));
                INDArray right = slice.get(NDArrayIndex.all(), NDArrayIndex.interval(c0, c1));
                if (sums[b] == null) {
                  sums[b] = Nd4j.create(DataType.DOUBLE, new long[] {c1, c1 - c0}, 'f');
                }
                Nd4j.gemm(left, right, sums[b], true, false, 1.0, k0 == 0 ? 0.0 : 1.0);
              }
            } finally {
              slice.close();
            }
          }
          for (int b = 0; b < blocks; b++) {
            int c0 = b * GRAM_BLOCK;
            int c1 = Math.min(n, c0 + GRAM_BLOCK);
            g.get(NDArrayIndex.interval(0, c1), NDArrayIndex.interval(c0, c1)).assign(sums[b]);
          }
        } finally {
          for (INDArray b : sums) {
            if (b != null) {
              b.close();
            }
          }
        }
        if (keep != null && rows >= cols) {
          keep.accept(toJava(g));
        }
        int info = Nd4j.getBlasWrapper().lapack().syev('N', 'U', g, w);
        if (info != 0) {
          throw new IllegalStateException(
              "LAPACK dsyev failed (info "
                  + info
                  + ") on a "
                  + n
                  + "x"
                  + n
                  + " Gram matrix of a "
                  + rows
                  + "x"
                  + cols
                  + " matrix (inner dimension "
                  + k
                  + ")");
        }
        return w.toDoubleVector();
      } catch (BlasException e) { // an Error in ND4J
        throw new IllegalStateException(
            "LAPACK dsyev failed on a " + n + "x" + n + " Gram matrix", e);
      } finally {
        x.close();
        g.close();
        w.close();
      }
    }
  }

  /**
   * Row blocks of the Gram matrix {@code G = ΘΘᵀ} of the rows of {@code Θ = [m, d]}, upper triangle
   * only, one {@code dgemm} per block: never more than one block is held, not the whole {@code m ×
   * m}.
   */
  interface GramBlocks extends AutoCloseable {
    /**
     * Returns {@code G[r0:r1, r0:m]} row-major: entry {@code (i, j)} is {@code θ_i·θ_j} at {@code
     * (i - r0) * (m - r0) + (j - r0)}. The array may be reused by the next call (and be longer than
     * the block); the caller may modify it.
     */
    double[] block(int r0, int r1);

    @Override
    void close();
  }

  /**
   * Gram row blocks of {@code Θ} as {@code m × d} row-major in the first {@code m·d} values of
   * {@code rowMajor} ({@code m, d ≥ 1}; not modified), blocks of at most {@code maxBlockRows} rows.
   */
  static GramBlocks gramRows(double[] rowMajor, int m, int d, int maxBlockRows) {
    return direct
        ? new HostBlas.GramRows(rowMajor, m, d, maxBlockRows)
        : new GramRows(rowMajor, m, d);
  }

  /** {@link GramBlocks} through ND4J: one fresh array per block. */
  static final class GramRows implements GramBlocks {
    private final INDArray theta;
    private final int m;

    /**
     * @param rowMajor {@code Θ} as {@code m × d}, row-major, in its first {@code m·d} values,
     *     {@code m, d ≥ 1}; not modified
     */
    GramRows(double[] rowMajor, int m, int d) {
      this.m = m;
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        double[] values =
            rowMajor.length == (long) m * d ? rowMajor : Arrays.copyOf(rowMajor, m * d);
        this.theta = toNative(values, new long[] {m, d}, 'c'); // copies off-heap
      }
    }

    @Override
    public double[] block(int r0, int r1) {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        // Row ranges of a 'c' array are contiguous views: BLAS reads them in place.
        INDArray left = theta.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all());
        INDArray right = theta.get(NDArrayIndex.interval(r0, m), NDArrayIndex.all());
        INDArray g = Nd4j.gemm(left, right, false, true);
        try {
          INDArray c = g.ordering() == 'c' && !g.isView() ? g : g.dup('c');
          try {
            double[] out = toJava(c);
            long expected = (long) (r1 - r0) * (m - r0);
            if (out.length != expected) {
              throw new IllegalStateException(
                  "gemm returned " + out.length + " values, expected " + expected);
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
