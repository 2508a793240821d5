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
 *       its 10 outputs (class-incremental);
 *   <li>random-label-mnist: the same {@code examplesPerTask} training images in every task, each
 *       with a fresh uniformly random label per task; the task is evaluated on those very examples
 *       (memorisation: the training accuracy reached);
 *   <li>warm-start: one draw of {@code examplesPerTask} training images; task 1 is its first half,
 *       task 2 all of it; both are evaluated on the same test examples;
 *   <li>slowly-changing-regression: {@link SlowlyChangingRegression}, no images.
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
  private final SlowlyChangingRegression regression;

  TaskFactory(
      Scenario scenario,
      DataSources.Splits data,
      int examplesPerTask,
      int evalExamples,
      long seed) {
    this.scenario = scenario;
    this.data = data;
    this.examplesPerTask = examplesPerTask;
    this.evalExamples = evalExamples;
    this.seed = seed;
    this.regression =
        scenario == Scenario.SLOWLY_CHANGING_REGRESSION ? new SlowlyChangingRegression(seed) : null;
  }

  /** The most training examples one task of {@code scenario} can have on this data. */
  int maxExamplesPerTask(int tasks) {
    if (scenario != Scenario.SPLIT_MNIST) {
      return regression != null ? Integer.MAX_VALUE : data.train().size();
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
      throw new IllegalArgumentException(
          scenario + " has tasks 1.." + scenario.maxTasks() + " (got: " + k + ")");
    }
    if (regression != null) {
      return regression.task(k, examplesPerTask);
    }
    if (scenario == Scenario.RANDOM_LABEL_MNIST) {
      return randomLabels(k);
    }
    if (scenario == Scenario.WARM_START) {
      return warmStart(k);
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
    return new Task(
        k,
        "task-" + k,
        description,
        features(data.train(), trainRows, permutation),
        labels(data.train(), trainRows),
        features(data.test(), evalRows, permutation),
        labels(data.test(), evalRows));
  }

  /** Drawn once per run, whatever the task: the images of random-label-mnist and warm-start. */
  private int[] fixedTrainRows() {
    return sample(allIndices(data.train().size()), examplesPerTask, new Random(seed * 1_000_003L));
  }

  private Task randomLabels(int k) {
    int[] rows = fixedTrainRows();
    Random rng = new Random(seed * 998_244_353L + k);
    int[] y = new int[rows.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.nextInt(ImageSet.CLASSES);
    }
    INDArray x = features(data.train(), rows, null);
    INDArray labels = ArrayIterator.oneHot(y, ImageSet.CLASSES);
    return new Task(k, "task-" + k, "random labels " + k, x, labels, x, labels);
  }

  private Task warmStart(int k) {
    int[] all = fixedTrainRows();
    int[] rows = k == 1 ? java.util.Arrays.copyOf(all, all.length / 2) : all;
    int[] evalRows =
        sample(allIndices(data.test().size()), evalExamples, new Random(seed * 1_000_003L + 1));
    return new Task(
        k,
        "task-" + k,
        k == 1 ? "first half (" + rows.length + " examples)" : "all " + rows.length + " examples",
        features(data.train(), rows, null),
        labels(data.train(), rows),
        features(data.test(), evalRows, null),
        labels(data.test(), evalRows));
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
