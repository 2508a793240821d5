package io.plasticitymonitor.sample;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The continual-learning scenarios: how a data set is cut into a sequence of tasks, which network
 * learns them, and which number says how well a task was learnt. Each scenario carries the defaults
 * it runs with when an option is not given (sample-app/README.md gives their sources).
 */
enum Scenario {
  /** Each task a fixed random pixel permutation of MNIST; the first task the identity. */
  PERMUTED_MNIST(
      "permuted-mnist",
      false,
      Integer.MAX_VALUE,
      Headline.ACCURACY,
      new Defaults(6, 8000, 2000, 1, 2, 128, Optimizer.SGD, 0.05, 32, 0.1, 0)),
  /** Class-incremental MNIST: task k holds only classes 2k-2 and 2k-1 (at most 5 tasks). */
  SPLIT_MNIST(
      "split-mnist",
      false,
      5,
      Headline.ACCURACY,
      new Defaults(5, 8000, 2000, 1, 2, 128, Optimizer.SGD, 0.05, 32, 0.1, 0)),
  /** As permuted-mnist, on Fashion-MNIST. */
  PERMUTED_FASHION(
      "permuted-fashion",
      true,
      Integer.MAX_VALUE,
      Headline.ACCURACY,
      new Defaults(6, 8000, 2000, 1, 2, 128, Optimizer.SGD, 0.05, 32, 0.1, 0)),
  /**
   * Memorisation: the same MNIST images every task, each given a fresh uniformly random label; the
   * headline is the training accuracy reached within the task's fixed budget (Lyle et al. 2023;
   * Kumar, Marklund & Van Roy 2023).
   */
  RANDOM_LABEL_MNIST(
      "random-label-mnist",
      false,
      Integer.MAX_VALUE,
      Headline.ACCURACY,
      new Defaults(8, 600, 600, 15, 2, 100, Optimizer.ADAM, 1e-3, 16, 0, 1)),
  /**
   * Warm starting (Ash & Adams 2020): task 1 trains on the first half of the examples, task 2 on
   * all of them; a fresh network trained on all of them is the baseline.
   */
  WARM_START(
      "warm-start",
      false,
      2,
      Headline.ACCURACY,
      new Defaults(2, 8000, 5000, 30, 2, 128, Optimizer.SGD, 0.05, 32, 0, 1)),
  /**
   * Dohare et al. 2024's slowly-changing regression: m-bit binary inputs whose first f bits change
   * only between tasks, a fixed random LTU target network, a 5-unit ReLU learner trained online;
   * the headline is the mean squared error on each example before the update on it.
   */
  SLOWLY_CHANGING_REGRESSION(
      "slowly-changing-regression",
      false,
      Integer.MAX_VALUE,
      Headline.ONLINE_ERROR,
      new Defaults(30, 10_000, 0, 1, 1, 5, Optimizer.SGD, 0.01, 1, 0, 1));

  /** The number that says how well a task was learnt, and which way is better. */
  enum Headline {
    /** Accuracy on the task's evaluation examples after training on it: higher is better. */
    ACCURACY,
    /** Mean data loss on each mini-batch before the update on it: lower is better. */
    ONLINE_ERROR;

    /**
     * How far the continually trained network is behind the fresh one: positive when it learnt the
     * task worse. {@code baseline − achieved} for accuracy, {@code achieved − baseline} for an
     * error.
     */
    double gap(double achieved, double baseline) {
      return this == ACCURACY ? baseline - achieved : achieved - baseline;
    }
  }

  /** The updaters the app can train with. */
  enum Optimizer {
    SGD,
    ADAM;

    String cliName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * What a scenario runs with when the option is not given.
   *
   * @param baselineEvery train a fresh baseline on every k-th task; 0 for none
   */
  record Defaults(
      int tasks,
      int examplesPerTask,
      int evalExamples,
      int epochs,
      int depth,
      int width,
      Optimizer optimizer,
      double learningRate,
      int batchSize,
      double weightDecay,
      int baselineEvery) {}

  private final String cliName;
  private final boolean fashion;
  private final int maxTasks;
  private final Headline headline;
  private final Defaults defaults;

  Scenario(String cliName, boolean fashion, int maxTasks, Headline headline, Defaults defaults) {
    this.cliName = cliName;
    this.fashion = fashion;
    this.maxTasks = maxTasks;
    this.headline = headline;
    this.defaults = defaults;
  }

  /** The name on the command line, e.g. {@code permuted-mnist}. */
  String cliName() {
    return cliName;
  }

  boolean fashion() {
    return fashion;
  }

  boolean permuted() {
    return this == PERMUTED_MNIST || this == PERMUTED_FASHION;
  }

  /** Whether the tasks are images (MNIST or Fashion-MNIST) rather than generated data. */
  boolean images() {
    return this != SLOWLY_CHANGING_REGRESSION;
  }

  Headline headline() {
    return headline;
  }

  Defaults defaults() {
    return defaults;
  }

  /** The most tasks the scenario can make. */
  int maxTasks() {
    return maxTasks;
  }

  static String names() {
    return Arrays.stream(values()).map(Scenario::cliName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return cliName;
  }

  /** picocli converter that accepts the command-line names. */
  static final class Converter implements ITypeConverter<Scenario> {
    @Override
    public Scenario convert(String value) {
      for (Scenario s : values()) {
        if (s.cliName.equals(value)) {
          return s;
        }
      }
      throw new TypeConversionException(
          "unknown scenario '" + value + "' (choose one of: " + names() + ")");
    }
  }
}
