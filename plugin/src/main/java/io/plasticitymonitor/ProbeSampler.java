package io.plasticitymonitor;

import io.plasticitymonitor.internal.network.HostArrays;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.Indexer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A uniform sample of one task's training inputs (reservoir sampling, Vitter's algorithm R), kept
 * as detached copies so it outlives the training workspaces. The work per iteration shrinks as the
 * task goes on: after n examples a new one is copied with probability size/n.
 */
final class ProbeSampler {

  private final int size;
  private final SplittableRandom random;
  private float[] floats = new float[0];
  private double[] doubles = new double[0];
  private INDArray[] buffer;
  private int filled;
  private long seen;

  ProbeSampler(int size, long seed) {
    this.size = size;
    this.random = new SplittableRandom(seed);
  }

  /** Offers the rows of one minibatch (one array per network input). */
  synchronized void offer(INDArray[] inputs) {
    if (inputs == null || inputs.length == 0 || inputs[0] == null || inputs[0].rank() < 2) {
      return;
    }
    if (buffer != null && !compatible(inputs)) {
      return; // a batch shaped unlike the first (e.g. a different sequence length): not sampled
    }
    int rows = (int) inputs[0].size(0);
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      if (buffer == null) {
        buffer = new INDArray[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
          long[] shape = inputs[k].shape().clone();
          shape[0] = size;
          buffer[k] = Nd4j.create(inputs[k].dataType(), shape, 'c');
        }
      }
      for (int r = 0; r < rows; r++) {
        seen++;
        int slot;
        if (filled < size) {
          slot = filled++;
        } else {
          long j = random.nextLong(seen);
          if (j >= size) {
            continue;
          }
          slot = (int) j;
        }
        for (int k = 0; k < inputs.length; k++) {
          copyRow(inputs[k], r, buffer[k], slot);
        }
      }
    }
  }

  /**
   * Copies example {@code r} of {@code from} into slot {@code slot} of {@code to}: one bulk copy
   * through a scratch array when both are contiguous host arrays of one type (the usual minibatch),
   * else an ND4J assign, which costs tens of microseconds a row on the training thread.
   */
  private void copyRow(INDArray from, int r, INDArray to, int slot) {
    int row = (int) (to.length() / to.size(0));
    if (HostArrays.bulkCopyable(from) && HostArrays.bulkCopyable(to)) {
      Indexer in = from.data().indexer();
      Indexer out = to.data().indexer();
      if (in instanceof FloatIndexer f && out instanceof FloatIndexer t) {
        if (floats.length < row) {
          floats = new float[row];
        }
        f.get((long) r * row, floats, 0, row);
        t.put((long) slot * row, floats, 0, row);
        return;
      }
      if (in instanceof DoubleIndexer f && out instanceof DoubleIndexer t) {
        if (doubles.length < row) {
          doubles = new double[row];
        }
        f.get((long) r * row, doubles, 0, row);
        t.put((long) slot * row, doubles, 0, row);
        return;
      }
    }
    to.slice(slot).assign(from.slice(r));
  }

  private boolean compatible(INDArray[] inputs) {
    if (inputs.length != buffer.length) {
      return false;
    }
    for (int k = 0; k < inputs.length; k++) {
      long[] a = Arrays.copyOfRange(inputs[k].shape(), 1, inputs[k].rank());
      long[] b = Arrays.copyOfRange(buffer[k].shape(), 1, buffer[k].rank());
      if (!Arrays.equals(a, b)) {
        return false;
      }
    }
    return true;
  }

  synchronized int filled() {
    return filled;
  }

  synchronized boolean isFull() {
    return filled >= size;
  }

  /** A copy of the sample so far, or null when empty. */
  synchronized INDArray[] sample() {
    if (filled == 0) {
      return null;
    }
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      INDArray[] out = new INDArray[buffer.length];
      for (int k = 0; k < buffer.length; k++) {
        out[k] =
            filled == size
                ? buffer[k].dup()
                : buffer[k].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, filled)).dup();
      }
      return out;
    }
  }
}
