package io.plasticitymonitor;

import java.time.Instant;
import java.util.Arrays;

/** The task in progress: its name, start, iteration count, training scores and probe. */
final class TaskState {
  final String name;
  final int index;
  final Instant startedAt;
  final TaskData data;
  final ProbeSampler sampler;
  private double[] scores = new double[1024];
  private int count;

  TaskState(String name, int index, Instant startedAt, TaskData data, int probeSize) {
    this.name = name;
    this.index = index;
    this.startedAt = startedAt;
    this.data = data;
    this.sampler = data.probe().isPresent() ? null : new ProbeSampler(probeSize, 0x5eedL + index);
  }

  /** Records one iteration's score. Memory is 8 bytes an iteration, freed when the task ends. */
  synchronized void iteration(double score) {
    if (count == scores.length) {
      scores = Arrays.copyOf(scores, count * 2);
    }
    scores[count++] = score;
  }

  synchronized long iterations() {
    return count;
  }

  /** Mean score over the last 10% of the iterations (at least one); NaN without iterations. */
  synchronized double endScore() {
    if (count == 0) {
      return Double.NaN;
    }
    int last = Math.max(1, (int) Math.ceil(count * 0.1));
    double sum = 0;
    for (int i = count - last; i < count; i++) {
      sum += scores[i];
    }
    return sum / last;
  }

  /** The probe to measure activations on: the user's, else the sample of training inputs so far. */
  org.nd4j.linalg.api.ndarray.INDArray[] probe() {
    return data.probe().orElseGet(() -> sampler.sample());
  }

  boolean probeReady() {
    return sampler == null || sampler.isFull();
  }
}
