package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class TaskFactoryTest {
  private static final int FEATURES = 784;

  /** Images whose pixels encode (image, pixel), so permutations and draws can be checked. */
  private static ImageSet synthetic(int n, long seed) {
    Random rng = new Random(seed);
    float[] pixels = new float[n * FEATURES];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rng.nextInt(ImageSet.CLASSES);
      for (int f = 0; f < FEATURES; f++) {
        pixels[i * FEATURES + f] = (i * FEATURES + f) / (float) (n * FEATURES);
      }
    }
    return new ImageSet(pixels, labels, FEATURES);
  }

  private static final DataSources.Splits DATA =
      new DataSources.Splits(synthetic(600, 1), synthetic(200, 2));

  @Test
  void firstPermutedTaskIsTheIdentityAndLaterOnesArePermutations() {
    TaskFactory f = new TaskFactory(Scenario.PERMUTED_MNIST, DATA, 50, 20, 42);
    TaskFactory.Task t1 = f.create(1);
    TaskFactory.Task t2 = f.create(2);
    assertThat(t1.trainExamples()).isEqualTo(50);
    assertThat(t1.evalExamples()).isEqualTo(20);
    assertThat(t1.description()).isEqualTo("identity permutation");
    assertThat(t2.name()).isEqualTo("task-2");

    // identity: each row is an original image, pixels in order
    float[] row = t1.trainFeatures().getRow(0).toFloatVector();
    int image = Math.round(row[0] * 600 * FEATURES) / FEATURES;
    for (int p = 0; p < FEATURES; p++) {
      assertThat(row[p]).isEqualTo(DATA.train().pixels()[image * FEATURES + p]);
    }
    // permuted: every row holds the same multiset of one image's pixels, reordered
    float[] permuted = t2.trainFeatures().getRow(0).toFloatVector();
    int source = (int) Math.floor(minOf(permuted) * 600 * FEATURES + 0.5) / FEATURES;
    Set<Float> expected = new HashSet<>();
    for (int p = 0; p < FEATURES; p++) {
      expected.add(DATA.train().pixels()[source * FEATURES + p]);
    }
    Set<Float> actual = new HashSet<>();
    for (float v : permuted) {
      actual.add(v);
    }
    assertThat(actual).isEqualTo(expected);
    int[] order = pixelOrder(permuted, 600);
    assertThat(order).isNotEqualTo(java.util.stream.IntStream.range(0, FEATURES).toArray());
  }

  @Test
  void trainAndHeldOutExamplesShareTheTasksPermutation() {
    TaskFactory f = new TaskFactory(Scenario.PERMUTED_MNIST, DATA, 10, 10, 42);
    TaskFactory.Task t = f.create(3);
    // offset of each pixel within its image, recovered from its value, must agree across rows
    int[] trainOrder = pixelOrder(t.trainFeatures().getRow(0).toFloatVector(), 600);
    int[] evalOrder = pixelOrder(t.evalFeatures().getRow(0).toFloatVector(), 200);
    assertThat(evalOrder).isEqualTo(trainOrder);
  }

  @Test
  void tasksAreRepeatableAndIndependentOfOrder() {
    TaskFactory a = new TaskFactory(Scenario.PERMUTED_MNIST, DATA, 30, 10, 5);
    TaskFactory b = new TaskFactory(Scenario.PERMUTED_MNIST, DATA, 30, 10, 5);
    a.create(1);
    INDArray fromA = a.create(2).trainFeatures();
    INDArray fromB = b.create(2).trainFeatures();
    assertThat(fromA).isEqualTo(fromB);
    INDArray otherSeed =
        new TaskFactory(Scenario.PERMUTED_MNIST, DATA, 30, 10, 6).create(2).trainFeatures();
    assertThat(otherSeed).isNotEqualTo(fromA);
  }

  @Test
  void splitMnistTasksHoldTwoClassesEach() {
    TaskFactory f = new TaskFactory(Scenario.SPLIT_MNIST, DATA, 40, 1000, 42);
    for (int k = 1; k <= 5; k++) {
      TaskFactory.Task t = f.create(k);
      int[] classes = t.trainLabels().argMax(1).toIntVector();
      assertThat(classes).containsOnly(2 * k - 2, 2 * k - 1);
      assertThat(t.evalLabels().argMax(1).toIntVector()).containsOnly(2 * k - 2, 2 * k - 1);
      assertThat(t.evalExamples()).as("capped at what the test split has").isLessThan(200);
      assertThat(t.description()).isEqualTo("classes " + (2 * k - 2) + " and " + (2 * k - 1));
    }
    assertThat(f.maxExamplesPerTask(5)).isLessThan(600).isPositive();
    assertThatThrownBy(() -> f.create(6)).hasMessageContaining("has tasks 1..5 (got: 6)");
  }

  private static float minOf(float[] v) {
    float m = Float.MAX_VALUE;
    for (float x : v) {
      m = Math.min(m, x);
    }
    return m;
  }

  private static int[] pixelOrder(float[] row, int n) {
    int[] order = new int[row.length];
    for (int p = 0; p < row.length; p++) {
      order[p] = Math.round(row[p] * n * FEATURES) % FEATURES;
    }
    return order;
  }

  @Test
  void randomLabelTasksKeepTheImagesAndDrawFreshReproducibleLabels() {
    TaskFactory f = new TaskFactory(Scenario.RANDOM_LABEL_MNIST, DATA, 300, 300, 42);
    TaskFactory.Task t1 = f.create(1);
    TaskFactory.Task t2 = f.create(2);
    assertThat(t2.trainFeatures()).as("the same images every task").isEqualTo(t1.trainFeatures());
    assertThat(t1.evalFeatures())
        .as("memorisation is scored on the training images")
        .isEqualTo(t1.trainFeatures());
    assertThat(t1.evalLabels()).isEqualTo(t1.trainLabels());
    int[] y1 = t1.trainLabels().argMax(1).toIntVector();
    int[] y2 = t2.trainLabels().argMax(1).toIntVector();
    int same = 0;
    int[] counts = new int[ImageSet.CLASSES];
    for (int i = 0; i < y1.length; i++) {
      same += y1[i] == y2[i] ? 1 : 0;
      counts[y1[i]]++;
    }
    // independent uniform labels agree on 1 in 10: 30 of 300 expected, sd ≈ 5.2
    assertThat(same).isBetween(10, 55);
    for (int c : counts) {
      assertThat(c).as("every class drawn").isPositive();
    }
    assertThat(
            new TaskFactory(Scenario.RANDOM_LABEL_MNIST, DATA, 300, 300, 42)
                .create(2)
                .trainLabels())
        .as("reproducible per seed")
        .isEqualTo(t2.trainLabels());
    assertThat(
            new TaskFactory(Scenario.RANDOM_LABEL_MNIST, DATA, 300, 300, 43)
                .create(2)
                .trainLabels())
        .isNotEqualTo(t2.trainLabels());
  }

  @Test
  void warmStartTrainsOnHalfTheExamplesThenOnAllOfThem() {
    TaskFactory f = new TaskFactory(Scenario.WARM_START, DATA, 101, 40, 42);
    TaskFactory.Task half = f.create(1);
    TaskFactory.Task all = f.create(2);
    assertThat(half.trainExamples()).isEqualTo(50);
    assertThat(all.trainExamples()).isEqualTo(101);
    assertThat(
            all.trainFeatures()
                .get(
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 50),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()))
        .isEqualTo(half.trainFeatures());
    assertThat(all.evalFeatures())
        .as("both tasks scored on the same test examples")
        .isEqualTo(half.evalFeatures());
  }
}
