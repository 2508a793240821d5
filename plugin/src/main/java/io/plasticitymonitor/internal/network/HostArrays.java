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

  /** The elements of {@code a} in 'c' order, as doubles. */
  public static double[] toDoubles(INDArray a) {
    if (bulkCopyable(a)) {
      int n = (int) a.length();
      if (a.dataType() == DataType.FLOAT) {
        float[] f = new float[n];
        ((FloatPointer) a.data().addressPointer()).get(f, 0, n);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = f[i];
        }
        return v;
      }
      if (a.dataType() == DataType.DOUBLE) {
        double[] v = new double[n];
        ((DoublePointer) a.data().addressPointer()).get(v, 0, n);
        return v;
      }
    }
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
