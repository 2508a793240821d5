package io.plasticitymonitor.internal.network;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees ND4J's native buffers when the monitor is done with them, and hands the C allocator's free
 * memory back to the operating system after an analysis.
 *
 * <p>An analysis frees hundreds of MB of native memory (the snapshot, the probe's layer outputs,
 * BLAS buffers). glibc keeps most of it in the process: each large free raises its threshold for
 * serving allocations from its heaps instead of fresh mappings, and memory freed inside its heaps
 * is not unmapped. JavaCPP's {@code Pointer.trimMemory()} calls {@code malloc_trim(0)}, which
 * returns every whole free page of every arena; JavaCPP calls it itself only when the process nears
 * its {@code maxPhysicalBytes}, and in the version DL4J 1.0.0-M2.1 brings (1.5.7) the method is
 * private, so it is called by reflection. Where it is missing or fails, nothing is trimmed.
 */
public final class NativeMemory {
  private static final Logger LOG = LoggerFactory.getLogger(NativeMemory.class);
  private static final Method TRIM = trimMethod();

  private NativeMemory() {}

  /**
   * Frees the buffers of {@code arrays} now rather than when the garbage collector finds their Java
   * objects, each once, leaving out those ND4J does not let go of (views, workspace arrays).
   */
  static void free(Collection<INDArray> arrays) {
    Set<INDArray> done = Collections.newSetFromMap(new IdentityHashMap<>());
    for (INDArray a : arrays) {
      if (a != null && done.add(a) && a.closeable()) {
        a.close();
      }
    }
  }

  /** {@code malloc_trim(0)} where JavaCPP offers it; never throws. */
  public static void trim() {
    if (TRIM == null) {
      return;
    }
    try {
      TRIM.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("Plasticity monitor: could not trim native memory", e);
    }
  }

  private static Method trimMethod() {
    try {
      Method m = Pointer.class.getDeclaredMethod("trimMemory");
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug(
          "Plasticity monitor: JavaCPP offers no trimMemory; native memory is not trimmed", e);
      return null;
    }
  }
}
