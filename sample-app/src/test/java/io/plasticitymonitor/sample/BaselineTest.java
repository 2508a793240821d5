package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;

/**
 * The fresh-network baseline, on the slowly-changing regression (generated data, no download):
 * trained from a fresh initialisation on the same data for the same iterations, measured the same
 * way, and without touching the monitored network.
 */
class BaselineTest {
  @TempDir Path tmp;

  private RunSettings settings(String... extra) {
    SampleApp app = new SampleApp();
    String[] base = {
      "--scenario",
      "slowly-changing-regression",
      "--examples-per-task",
      "240",
      "--batch-size",
      "8",
      "--port",
      "0",
      "--output",
      tmp.toString()
    };
    String[] args =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
            .toArray(String[]::new);
    new CommandLine(app).parseArgs(args);
    return app.validate();
  }

  @Test
  void aBaselineFromTheRunSeedRetracesTheFirstTaskExactly() {
    RunSettings s = settings("--seed", "5");
    Networks.Spec spec = s.network(SlowlyChangingRegression.INPUTS);
    TaskFactory.Task task = new SlowlyChangingRegression(5).task(1, 240);
    MultiLayerNetwork net = Networks.build(spec, s.seed());
    TaskTraining.Outcome continual = TaskTraining.fit(net, s, task);
    TaskTraining.Outcome fresh = Baseline.train(s, spec, task, s.seed());
    assertThat(fresh.iterations()).isEqualTo(continual.iterations()).isEqualTo(30);
    assertThat(fresh.onlineLoss()).isEqualTo(continual.onlineLoss());
    assertThat(Scenario.Headline.ONLINE_ERROR.gap(continual.onlineLoss(), fresh.onlineLoss()))
        .isZero();
  }

  @Test
  void onTheFirstTaskTheGapOfAFreshNetworkIsZeroInExpectation() {
    // Task 1: the monitored network is itself fresh, so baseline − achieved is the difference of
    // two draws of the same distribution. Over 12 seeds its mean must be within 3 standard errors
    // of 0 (the error is a few tenths, the seed-to-seed spread of the same order).
    int n = 12;
    double[] gaps = new double[n];
    for (int i = 0; i < n; i++) {
      RunSettings s = settings("--seed", Integer.toString(100 + i));
      Networks.Spec spec = s.network(SlowlyChangingRegression.INPUTS);
      TaskFactory.Task task = new SlowlyChangingRegression(s.seed()).task(1, 240);
      double achieved = TaskTraining.fit(Networks.build(spec, s.seed()), s, task).onlineLoss();
      double baseline = Baseline.train(s, spec, task).onlineLoss();
      gaps[i] = Scenario.Headline.ONLINE_ERROR.gap(achieved, baseline);
    }
    double mean = java.util.Arrays.stream(gaps).average().orElseThrow();
    double sd =
        Math.sqrt(java.util.Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (n - 1));
    assertThat(sd).as("the baselines start from other initialisations").isPositive();
    assertThat(Math.abs(mean)).isLessThanOrEqualTo(3 * sd / Math.sqrt(n));
  }

  @Test
  void theBaselineLeavesTheMonitoredNetworkAndItsListenersAlone() {
    RunSettings s = settings("--seed", "9");
    Networks.Spec spec = s.network(SlowlyChangingRegression.INPUTS);
    MultiLayerNetwork net = Networks.build(spec, s.seed());
    BaseTrainingListener listener = new BaseTrainingListener() {};
    net.addListeners(listener);
    INDArray before = net.params().dup();
    TaskTraining.Outcome fresh =
        Baseline.train(s, spec, new SlowlyChangingRegression(9).task(1, 240));
    assertThat(fresh.onlineLoss()).isFinite();
    assertThat(net.params()).isEqualTo(before);
    assertThat(List.copyOf(net.getListeners())).containsExactly(listener);
  }

  @Test
  void baselineSeedsDependOnTheRunSeedAndTheTask() {
    assertThat(Baseline.seedFor(42, 1))
        .isNotEqualTo(Baseline.seedFor(42, 2))
        .isNotEqualTo(Baseline.seedFor(43, 1))
        .isNotEqualTo(42L);
    assertThat(Baseline.seedFor(42, 3)).isEqualTo(Baseline.seedFor(42, 3));
  }

  @Test
  void gapsArePositiveWhenTheContinualNetworkLearntWorse() {
    assertThat(Scenario.Headline.ACCURACY.gap(0.6, 0.9))
        .isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(Scenario.Headline.ONLINE_ERROR.gap(1.2, 0.8))
        .isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-12));
    TaskResult.Learning none =
        new TaskResult.Learning(Scenario.Headline.ACCURACY, 0.5, 1, Double.NaN, Double.NaN);
    assertThat(none.gap()).isNaN();
  }
}
