package io.plasticitymonitor;

import java.util.Arrays;
import java.util.SplittableRandom;
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
          buffer[k].slice(slot).assign(inputs[k].slice(r));
        }
      }
    }
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
        out[k] = filled == size ? buffer[k].dup() : buffer[k].get(
            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, filled)).dup();
      }
      return out;
    }
  }
}
