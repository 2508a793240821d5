package io.plasticitymonitor.analysis;

import java.util.function.Consumer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BLAS/LAPACK called directly on OpenBLAS, the library ND4J's CPU backend runs on, on buffers in
 * host memory. Why not through ND4J: each ND4J op allocates zeroed arrays and builds an op context
 * (tens of microseconds, which is what a 128-wide layer's whole Gram matrix costs), its {@code
 * syrk} wrapper passes {@code k = 1}, and its {@code gemm} needs a copy per slice of the inner
 * dimension. Here the Gram matrix of every slice is one {@code dsyrk} straight on the matrix's own
 * buffer.
 *
 * <p>{@link #AVAILABLE} is false on other backends (CUDA) or where OpenBLAS's natives do not load;
 * {@link NativeLinearAlgebra} then goes through ND4J as before. Buffers come from {@code malloc}
 * and are freed before return: outside javacpp's accounting, whose limits would otherwise call
 * {@code System.gc()} or throw {@code OutOfMemoryError} when the process's resident size is large
 * (it counts ND4J's memory too), and not left to the GC.
 */
final class HostBlas {
  private static final Logger LOG = LoggerFactory.getLogger(HostBlas.class);

  /** Whether OpenBLAS is loaded in this process as ND4J's CPU backend (the only case we use it). */
  static final boolean AVAILABLE = probe();

  private HostBlas() {}

  private static boolean probe() {
    try {
      if (!org.nd4j.linalg.factory.Nd4j.getEnvironment().isCPU()) {
        return false;
      }
      org.bytedeco.javacpp.Loader.load(openblas.class); // the natives, or an UnsatisfiedLinkError
      return true;
    } catch (Throwable e) { // NoClassDefFoundError, UnsatisfiedLinkError: not this backend
      LOG.debug("OpenBLAS not callable directly ({}); BLAS/LAPACK go through ND4J", e.toString());
      return false;
    }
  }

  /**
   * Eigenvalues of the smaller Gram matrix of {@code M} (see {@link
   * NativeLinearAlgebra#smallerGramEigenvalues(double[], int, int, Consumer)} for the contract):
   * {@code dsyrk} per slice of {@link NativeLinearAlgebra#GRAM_SLICE} of the inner dimension,
   * summed in place ({@code β = 1}), then {@code dsyev} without vectors.
   */
  static double[] smallerGramEigenvalues(
      double[] rowMajor, int rows, int cols, Consumer<double[]> keep) {
    int n = Math.min(rows, cols);
    int k = Math.max(rows, cols);
    // Row-major M is column-major A = Mᵀ = [cols, rows], lda = cols. rows ≥ cols: G = MᵀM = AAᵀ,
    // and a slice of the inner dimension (rows of M) is a column range of A, at k0·cols. rows <
    // cols:
    // G = MMᵀ = AᵀA, and a slice (columns of M) is a row range of A, at k0 with the same lda.
    boolean tall = rows >= cols;
    // Each slice is a position in the one buffer: javacpp passes address + position.
    try (Buffer ab = Buffer.of(rowMajor);
        Buffer gb = new Buffer((long) n * n);
        Buffer wb = new Buffer(n)) {
      DoublePointer a = ab.pointer;
      DoublePointer g = gb.pointer;
      DoublePointer w = wb.pointer;
      for (int k0 = 0; k0 < k; k0 += NativeLinearAlgebra.GRAM_SLICE) {
        int depth = Math.min(k, k0 + NativeLinearAlgebra.GRAM_SLICE) - k0;
        a.position(tall ? (long) k0 * cols : k0);
        openblas.cblas_dsyrk(
            openblas.CblasColMajor,
            openblas.CblasUpper,
            tall ? openblas.CblasNoTrans : openblas.CblasTrans,
            n,
            depth,
            1.0,
            a,
            cols,
            k0 == 0 ? 0.0 : 1.0,
            g,
            n);
      }
      a.position(0);
      if (keep != null && tall) {
        double[] gram = new double[n * n];
        g.get(gram);
        keep.accept(gram);
      }
      int info =
          openblas.LAPACKE_dsyev(openblas.LAPACK_COL_MAJOR, (byte) 'N', (byte) 'U', n, g, n, w);
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
      double[] out = new double[n];
      w.get(out);
      return out;
    }
  }

  /**
   * Singular values by {@code dgesvd}, no vectors, descending (see {@link
   * NativeLinearAlgebra#singularValues}).
   */
  static double[] singularValues(double[] columnMajor, int rows, int cols) {
    int n = Math.min(rows, cols);
    try (Buffer a = Buffer.of(columnMajor);
        Buffer s = new Buffer(n);
        Buffer superb = new Buffer(Math.max(1, n))) {
      int info =
          openblas.LAPACKE_dgesvd(
              openblas.LAPACK_COL_MAJOR,
              (byte) 'N',
              (byte) 'N',
              rows,
              cols,
              a.pointer,
              rows,
              s.pointer,
              (DoublePointer) null,
              1,
              (DoublePointer) null,
              1,
              superb.pointer);
      if (info != 0) {
        throw new IllegalStateException(
            "LAPACK dgesvd failed (info " + info + ") on a " + rows + "x" + cols + " matrix");
      }
      double[] out = new double[n];
      s.pointer.get(out);
      return out;
    }
  }

  /**
   * {@code G[r0:r1, r0:m]} of {@code Θ = [m, d]} row-major by one {@code dgemm}; see {@link
   * NativeLinearAlgebra.GramBlocks}.
   */
  static final class GramRows implements NativeLinearAlgebra.GramBlocks {
    private final Buffer thetaBuffer;
    private final Buffer blockBuffer;
    private final DoublePointer theta;
    private final DoublePointer block;
    private final double[] out;
    private final int m;
    private final int d;

    GramRows(double[] rowMajor, int m, int d, int maxBlockRows) {
      this.m = m;
      this.d = d;
      long size = (long) Math.min(m, maxBlockRows) * m;
      this.thetaBuffer = Buffer.of(rowMajor, (long) m * d);
      try {
        this.blockBuffer = new Buffer(size);
      } catch (RuntimeException e) {
        thetaBuffer.close();
        throw e;
      }
      this.theta = thetaBuffer.pointer;
      this.block = blockBuffer.pointer;
      this.out = new double[Math.toIntExact(size)];
    }

    @Override
    public double[] block(int r0, int r1) {
      int width = m - r0;
      if ((long) (r1 - r0) * width > out.length) {
        throw new IllegalArgumentException("block of " + (r1 - r0) + " rows exceeds the buffer");
      }
      theta.position((long) r0 * d); // rows r0.. are both operands' first row
      openblas.cblas_dgemm(
          openblas.CblasRowMajor,
          openblas.CblasNoTrans,
          openblas.CblasTrans,
          r1 - r0,
          width,
          d,
          1.0,
          theta,
          d,
          theta,
          d,
          0.0,
          block,
          width);
      theta.position(0);
      block.get(out, 0, (r1 - r0) * width);
      return out;
    }

    @Override
    public void close() {
      blockBuffer.close();
      thetaBuffer.close();
    }
  }

  /** {@code count} doubles of {@code malloc}ed native memory, freed by {@link #close}. */
  private static final class Buffer implements AutoCloseable {
    final DoublePointer pointer;
    private final Pointer raw;

    Buffer(long count) {
      raw = Pointer.malloc(Math.max(1, count) * Double.BYTES);
      if (raw == null || raw.isNull()) {
        throw new IllegalStateException(
            "could not allocate " + count * Double.BYTES + " bytes of native memory for BLAS");
      }
      pointer = new DoublePointer(raw).capacity(count).limit(count);
    }

    static Buffer of(double[] values) {
      return of(values, values.length);
    }

    /** The first {@code count} of {@code values}. */
    static Buffer of(double[] values, long count) {
      Buffer b = new Buffer(count);
      b.pointer.put(values, 0, Math.toIntExact(count));
      return b;
    }

    @Override
    public void close() {
      Pointer.free(raw);
    }
  }
}
