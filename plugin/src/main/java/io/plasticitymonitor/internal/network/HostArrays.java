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
   * Reads arrays as doubles into buffers it keeps and reuses, so that reading layer after layer
   * allocates the largest layer's buffers once. Not for use by two threads at once.
   */
  static final class Reader {
    private float[] floats = new float[0];
    private double[] doubles = new double[0];

    /**
     * The elements of {@code a} in 'c' order, as doubles, in the first {@code a.length()} values of
     * the returned array: this reader's buffer (valid until its next read) or, off the bulk path, a
     * new array of exactly that length.
     */
    double[] read(INDArray a) {
      if (bulkCopyable(a)) {
        int n = (int) a.length();
        if (a.dataType() == DataType.FLOAT) {
          if (floats.length < n) {
            floats = new float[n];
          }
          ((FloatPointer) a.data().addressPointer()).get(floats, 0, n);
          double[] v = doubles(n);
          for (int i = 0; i < n; i++) {
            v[i] = floats[i];
          }
          return v;
        }
        if (a.dataType() == DataType.DOUBLE) {
          double[] v = doubles(n);
          ((DoublePointer) a.data().addressPointer()).get(v, 0, n);
          return v;
        }
      }
      return throughNd4j(a);
    }

    /** A new array holding exactly {@code a}'s elements in 'c' order. */
    double[] copy(INDArray a) {
      return java.util.Arrays.copyOf(read(a), (int) a.length());
    }

    private double[] doubles(int n) {
      if (doubles.length < n) {
        doubles = new double[n];
      }
      return doubles;
    }
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
