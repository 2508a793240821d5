package io.plasticitymonitor.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cuts a data set into the scenario's tasks. Task {@code k} (1-based) trains on {@code
 * examplesPerTask} examples drawn from the training split and is evaluated on up to {@code
 * evalExamples} examples of the test split, both transformed the same way:
 *
 * <ul>
 *   <li>permuted scenarios: a fixed random pixel permutation (task 1: the identity), with a fresh
 *       random draw of training examples for every task;
 *   <li>split-mnist: only the examples of classes {@code 2k-2} and {@code 2k-1}; the network keeps
 *       its 10 outputs (class-incremental).
 * </ul>
 *
 * Everything is drawn from generators seeded by {@code seed} and {@code k}, so a task is the same
 * whichever tasks were made before it.
 */
final class TaskFactory {
  private final Scenario scenario;
  private final DataSources.Splits data;
  private final int examplesPerTask;
  private final int evalExamples;
  private final long seed;

  TaskFactory(
      Scenario scenario, DataSources.Splits data, int examplesPerTask, int evalExamples, long seed) {
    this.scenario = scenario;
    this.data = data;
    this.examplesPerTask = examplesPerTask;
    this.evalExamples = evalExamples;
    this.seed = seed;
  }

  /** The most training examples one task of {@code scenario} can have on this data. */
  int maxExamplesPerTask(int tasks) {
    if (scenario.permuted()) {
      return data.train().size();
    }
    int max = Integer.MAX_VALUE;
    for (int k = 1; k <= tasks; k++) {
      max = Math.min(max, indicesOfClasses(data.train(), classesOf(k)).length);
    }
    return max;
  }

  /** Task {@code k}, 1-based. */
  Task create(int k) {
    if (k < 1 || k > scenario.maxTasks()) {
      throw new IllegalArgumentException(scenario + " has tasks 1.." + scenario.maxTasks()
          + " (got: " + k + ")");
    }
    Random rng = new Random(seed * 1_000_003L + k);
    int[] trainRows;
    int[] evalRows;
    int[] permutation = null;
    String description;
    if (scenario.permuted()) {
      trainRows = sample(allIndices(data.train().size()), examplesPerTask, rng);
      evalRows = sample(allIndices(data.test().size()), evalExamples, rng);
      permutation = k == 1 ? null : permutation(data.train().features(), rng);
      description = k == 1 ? "identity permutation" : "pixel permutation " + k;
    } else {
      int[] classes = classesOf(k);
      trainRows = sample(indicesOfClasses(data.train(), classes), examplesPerTask, rng);
      evalRows = sample(indicesOfClasses(data.test(), classes), evalExamples, rng);
      description = "classes " + classes[0] + " and " + classes[1];
    }
    return new Task(k, "task-" + k, description,
        features(data.train(), trainRows, permutation), labels(data.train(), trainRows),
        features(data.test(), evalRows, permutation), labels(data.test(), evalRows));
  }

  private static int[] classesOf(int k) {
    return new int[] {2 * k - 2, 2 * k - 1};
  }

  private static int[] allIndices(int n) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    return all;
  }

  private static int[] indicesOfClasses(ImageSet set, int[] classes) {
    List<Integer> rows = new ArrayList<>();
    int[] labels = set.labels();
    for (int i = 0; i < labels.length; i++) {
      for (int c : classes) {
        if (labels[i] == c) {
          rows.add(i);
        }
      }
    }
    return rows.stream().mapToInt(Integer::intValue).toArray();
  }

  /** {@code min(count, pool.length)} distinct entries of {@code pool} in random order. */
  private static int[] sample(int[] pool, int count, Random rng) {
    int[] p = pool.clone();
    int m = Math.min(count, p.length);
    for (int i = 0; i < m; i++) {
      int j = i + rng.nextInt(p.length - i);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return java.util.Arrays.copyOf(p, m);
  }

  private static int[] permutation(int n, Random rng) {
    int[] perm = allIndices(n);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }

  /** Rows of {@code set}, pixel {@code f} of the result taken from pixel {@code perm[f]}. */
  static INDArray features(ImageSet set, int[] rows, int[] perm) {
    int d = set.features();
    float[] src = set.pixels();
    float[] out = new float[rows.length * d];
    for (int r = 0; r < rows.length; r++) {
      int from = rows[r] * d;
      int to = r * d;
      if (perm == null) {
        System.arraycopy(src, from, out, to, d);
      } else {
        for (int f = 0; f < d; f++) {
          out[to + f] = src[from + perm[f]];
        }
      }
    }
    return Nd4j.create(out, new long[] {rows.length, d}, 'c');
  }

  private static INDArray labels(ImageSet set, int[] rows) {
    int[] y = new int[rows.length];
    for (int r = 0; r < rows.length; r++) {
      y[r] = set.labels()[rows[r]];
    }
    return ArrayIterator.oneHot(y, ImageSet.CLASSES);
  }

  /**
   * One task's data.
   *
   * @param index 1 for the first task
   * @param name the task's name in the task log ({@code task-1}, …)
   * @param description what makes the task different, for people
   */
  record Task(
      int index,
      String name,
      String description,
      INDArray trainFeatures,
      INDArray trainLabels,
      INDArray evalFeatures,
      INDArray evalLabels) {

    int trainExamples() {
      return (int) trainFeatures.size(0);
    }

    int evalExamples() {
      return (int) evalFeatures.size(0);
    }
  }
}
