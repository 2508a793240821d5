package io.plasticitymonitor.internal.network;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies out of ND4J arrays in bulk where they live in host memory (the CPU backend): ND4J's own
 * element accessors cost about 5 ns an element, which matters on the training thread and for wide
 * layers. Other backends go through ND4J.
 */
public final class HostArrays {
  /** Whether ND4J's arrays live in host memory that javacpp can copy in bulk. */
  public static final boolean HOST_MEMORY = Nd4j.getEnvironment().isCPU();

  private HostArrays() {}

  /**
   * Whether {@code a} can be copied in bulk: host memory, not a view, in 'c' order from the start
   * of its buffer.
   */
  public static boolean bulkCopyable(INDArray a) {
    return HOST_MEMORY
        && !a.isView()
        && a.ordering() == 'c'
        && a.data().offset() == 0
        && a.data().length() == a.length()
        && a.length() <= Integer.MAX_VALUE;
  }

  /**
   * Copies arrays out as doubles through a small buffer it keeps, a block of values at a time, so
   * that reading a layer holds nothing besides its copy: no float or double array of the whole
   * layer, which for a wide convolution would be hundreds of MB of Java heap to commit and fault
   * in. Not for use by two threads at once.
   */
  static final class Reader {
    /** Values read from native memory at once when nothing asks for more. */
    private static final int BLOCK = 1 << 16;

    /** Rows of a matrix transposed at once, and the side of the tiles they are written in. */
    private static final int TILE = 32;

    private float[] floats = new float[0];
    private double[] doubles = new double[0];

    /** A new array holding exactly {@code a}'s elements in 'c' order. */
    double[] copy(INDArray a) {
      if (!bulkCopyable(a)) {
        return throughNd4j(a);
      }
      int n = (int) a.length();
      double[] out = new double[n];
      if (a.dataType() == DataType.DOUBLE) {
        ((DoublePointer) a.data().addressPointer()).get(out, 0, n);
        return out;
      }
      if (a.dataType() != DataType.FLOAT) {
        return throughNd4j(a);
      }
      FloatPointer from = new FloatPointer(a.data().addressPointer());
      float[] block = floats(Math.min(n, BLOCK));
      for (int at = 0; at < n; at += block.length) {
        int len = Math.min(block.length, n - at);
        from.position(at).get(block, 0, len);
        for (int i = 0; i < len; i++) {
          out[at + i] = block[i];
        }
      }
      return out;
    }

    /**
     * A new {@code [cols, rows]} array holding the transpose of {@code a} read as {@code [rows,
     * cols]} in 'c' order (a convolution's {@code [nOut, nIn, k…]} as {@code [nOut, nIn·k]}).
     */
    double[] transposed(INDArray a, int rows, int cols) {
      if (a.length() != (long) rows * cols) {
        throw new IllegalArgumentException(
            a.length() + " values are not a " + rows + "x" + cols + " matrix");
      }
      boolean isFloat = a.dataType() == DataType.FLOAT;
      if (!bulkCopyable(a) || !(isFloat || a.dataType() == DataType.DOUBLE)) {
        return transpose(throughNd4j(a), rows, cols);
      }
      double[] t = new double[rows * cols];
      FloatPointer fromFloat = isFloat ? new FloatPointer(a.data().addressPointer()) : null;
      DoublePointer fromDouble = isFloat ? null : new DoublePointer(a.data().addressPointer());
      double[] block = doubles(Math.min(rows, TILE) * cols);
      float[] raw = isFloat ? floats(block.length) : null;
      for (int r0 = 0; r0 < rows; r0 += TILE) {
        int r1 = Math.min(rows, r0 + TILE);
        int len = (r1 - r0) * cols;
        if (isFloat) {
          fromFloat.position((long) r0 * cols).get(raw, 0, len);
          for (int i = 0; i < len; i++) {
            block[i] = raw[i];
          }
        } else {
          fromDouble.position((long) r0 * cols).get(block, 0, len);
        }
        // In tiles, so that the rows written stay in cache: value by value, every write of a wide
        // matrix would land on another page.
        for (int c0 = 0; c0 < cols; c0 += TILE) {
          int c1 = Math.min(cols, c0 + TILE);
          for (int r = r0; r < r1; r++) {
            for (int c = c0, k = (r - r0) * cols + c0; c < c1; c++, k++) {
              t[c * rows + r] = block[k];
            }
          }
        }
      }
      return t;
    }

    private float[] floats(int n) {
      if (floats.length < n) {
        floats = new float[n];
      }
      return floats;
    }

    private double[] doubles(int n) {
      if (doubles.length < n) {
        doubles = new double[n];
      }
      return doubles;
    }
  }

  /** {@code [rows, cols]} row-major transposed. */
  private static double[] transpose(double[] m, int rows, int cols) {
    double[] t = new double[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  private static double[] throughNd4j(INDArray a) {
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      INDArray d = a.castTo(DataType.DOUBLE);
      if (d == a || d.isView() || d.ordering() != 'c') {
        d = d.dup('c');
      }
      double[] v = d.data().asDouble();
      return v.length == a.length() ? v : java.util.Arrays.copyOf(v, (int) a.length());
    }
  }
}
