package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Step plasticity and the fresh-network gap through the listener: what reaches the gauges and
 * {@code tasks.jsonl} (docs/metrics.md items 9 and 10).
 */
class DirectMeasuresTest {
  private static final double EXACT = 1e-12;
  @TempDir Path dir;

  private PlasticityListener listener(String run, int stepEvery, MeterRegistry registry) {
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId(run)
            .outputDirectory(dir)
            .probeSize(4)
            .stepPlasticityEvery(stepEvery)
            .build();
    return PlasticityMonitors.listener(config, registry);
  }

  private JsonNode line(String run, int index) throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve(run).resolve("tasks.jsonl"));
    return new ObjectMapper().readTree(lines.get(index));
  }

  private static double gauge(MeterRegistry registry, String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void aFrozenNetworkHasStepPlasticityZero() throws Exception {
    MultiLayerNetwork net = Networks.mlp(0.0, 3, 6, 8, 3); // learning rate 0
    DataSet data = Networks.data(16, 6, 3, 1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskSummary s;
    try (PlasticityListener l = listener("frozen", 1, registry)) {
      net.addListeners(l);
      l.startTask("t");
      for (int i = 0; i < 5; i++) {
        net.fit(data);
      }
      assertThat(gauge(registry, "plasticity.step.improvement")).isZero();
      s = l.endTask();
    }
    assertThat(s.stepImprovement()).isZero();
    assertThat(s.stepImprovementSamples()).isEqualTo(5);
    JsonNode j = line("frozen", 0);
    assertThat(j.get("step_improvement").isNumber()).isTrue();
    assertThat(j.get("step_improvement").asDouble()).isZero();
    assertThat(j.get("step_improvement_samples").asLong()).isEqualTo(5);
  }

  /**
   * The hand-derived step of {@code StepMeasureTest} through the listener: linear regression,
   * {@code w = 0.5}, {@code b = 0}, batch {@code (1, 1), (2, 0)}, SGD 0.1 — loss 0.625 before,
   * 0.45625 after, step plasticity 0.27 in the gauge and the task's record.
   */
  @Test
  void oneSgdStepOfLinearRegressionReachesTheGaugeAndTheRecord() throws Exception {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .dataType(DataType.DOUBLE)
            .updater(new Sgd(0.1))
            .list()
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(1)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.setParams(Nd4j.create(new double[] {0.5, 0.0}, 1, 2));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskSummary s;
    try (PlasticityListener l = listener("linear", 1, registry)) {
      net.addListeners(l);
      l.startTask("t");
      net.fit(
          new DataSet(
              Nd4j.create(new double[][] {{1}, {2}}), Nd4j.create(new double[][] {{1}, {0}})));
      assertThat(gauge(registry, "plasticity.step.improvement")).isCloseTo(0.27, within(EXACT));
      assertThat(gauge(registry, "plasticity.task.end.step.improvement")).isNaN();
      s = l.endTask();
      assertThat(gauge(registry, "plasticity.task.end.step.improvement"))
          .isCloseTo(0.27, within(EXACT));
    }
    assertThat(s.stepImprovement()).isCloseTo(0.27, within(EXACT));
    assertThat(s.stepImprovementSamples()).isEqualTo(1);
    assertThat(line("linear", 0).get("step_improvement").asDouble()).isCloseTo(0.27, within(EXACT));
  }

  @Test
  void theGaugeStartsEachTaskEmptyAndTheMeasureCanBeTurnedOff() throws Exception {
    MultiLayerNetwork net = Networks.mlp(0.1, 3, 6, 8, 3);
    DataSet data = Networks.data(16, 6, 3, 1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PlasticityListener l = listener("window", 2, registry)) {
      net.addListeners(l);
      l.startTask("a");
      for (int i = 0; i < 4; i++) {
        net.fit(data);
      }
      assertThat(gauge(registry, "plasticity.step.improvement")).isBetween(0.0, 1.0);
      assertThat(l.endTask().stepImprovementSamples()).isEqualTo(2); // iterations 0 and 2
      l.startTask("b");
      assertThat(gauge(registry, "plasticity.step.improvement")).isNaN(); // nothing of task a
      l.endTask();
    }
    SimpleMeterRegistry offRegistry = new SimpleMeterRegistry();
    TaskSummary off;
    try (PlasticityListener l = listener("off", 0, offRegistry)) {
      net.addListeners(l);
      l.startTask("t");
      net.fit(data);
      off = l.endTask();
      assertThat(gauge(offRegistry, "plasticity.step.improvement")).isNaN();
    }
    assertThat(off.stepImprovementSamples()).isZero();
    assertThat(off.stepImprovement()).isNaN();
    assertThat(line("off", 0).get("step_improvement").isNull()).isTrue();
  }

  @Test
  void theDefaultSamplingMeasuresTheFirstIterationOfATask() {
    MultiLayerNetwork net = Networks.mlp(0.1, 3, 6, 8, 3);
    PlasticityConfig config =
        PlasticityConfig.builder().runId("budget").outputDirectory(dir).build();
    assertThat(config.stepPlasticityEvery()).isEmpty();
    try (PlasticityListener l = PlasticityMonitors.listener(config, new SimpleMeterRegistry())) {
      net.addListeners(l);
      l.startTask("t");
      net.fit(Networks.data(16, 6, 3, 1));
      assertThat(l.endTask().stepImprovementSamples()).isEqualTo(1);
    }
  }

  /**
   * An activation that works in training and throws in inference: every inference pass of the step
   * measure fails. Training must go on exactly as without the monitor, and the failure is counted
   * under its own cause.
   */
  @Test
  void aFailureInTheStepMeasureNeverReachesTraining() throws Exception {
    MultiLayerNetwork monitored = failingInInference();
    MultiLayerNetwork plain = failingInInference();
    DataSet data = Networks.data(16, 6, 3, 1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskSummary s;
    try (PlasticityListener l = listener("failing", 1, registry)) {
      monitored.addListeners(l);
      l.startTask("t");
      for (int i = 0; i < 3; i++) {
        monitored.fit(data);
        plain.fit(data);
      }
      s = l.endTask();
      assertThat(registry.get("plasticity.monitor.errors").tag("cause", "step").counter().count())
          .isEqualTo(3);
    }
    assertThat(monitored.params()).isEqualTo(plain.params());
    assertThat(s.stepImprovementSamples()).isZero();
    assertThat(s.iterations()).isEqualTo(3);
  }

  @Test
  void theGapAgainstTheGivenBaselineReachesTheGaugesAndTheRecord() throws Exception {
    MultiLayerNetwork net = Networks.mlp(0.1, 3, 6, 8, 3);
    DataSet data = Networks.data(16, 6, 3, 1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskSummary with;
    TaskSummary without;
    try (PlasticityListener l = listener("gap", 0, registry)) {
      net.addListeners(l);
      l.startTask("a", TaskData.builder().baseline(0.875).baselineScore(0.25).build());
      net.fit(data);
      with = l.endTask(0.5);
      assertThat(registry.get("plasticity.gap").tag("basis", "accuracy").gauge().value())
          .isEqualTo(0.375);
      assertThat(registry.get("plasticity.gap").tag("basis", "score").gauge().value())
          .isEqualTo(with.endScore() - 0.25);
      assertThat(gauge(registry, "plasticity.task.baseline.accuracy")).isEqualTo(0.875);
      assertThat(gauge(registry, "plasticity.task.baseline.score")).isEqualTo(0.25);
      l.startTask("b");
      net.fit(data);
      without = l.endTask(0.5);
      assertThat(registry.get("plasticity.gap").tag("basis", "accuracy").gauge().value()).isNaN();
      assertThat(gauge(registry, "plasticity.task.baseline.accuracy")).isNaN();
    }
    assertThat(with.accuracyGap()).isEqualTo(0.375); // 0.875 − 0.5: the continual network is worse
    assertThat(with.scoreGap()).isGreaterThan(0); // a loss above 0.25 after one step from random
    assertThat(without.accuracyGap()).isNaN();
    JsonNode a = line("gap", 0);
    assertThat(a.get("baseline_accuracy").asDouble()).isEqualTo(0.875);
    assertThat(a.get("baseline_score").asDouble()).isEqualTo(0.25);
    assertThat(a.get("gap").get("accuracy").asDouble()).isEqualTo(0.375);
    assertThat(a.get("gap").get("score").asDouble()).isEqualTo(with.scoreGap());
    JsonNode b = line("gap", 1);
    assertThat(b.get("baseline_accuracy").isNull()).isTrue();
    assertThat(b.get("gap").get("accuracy").isNull()).isTrue();
    assertThat(b.get("gap").get("score").isNull()).isTrue();
  }

  private static MultiLayerNetwork failingInInference() {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.1))
            .weightInit(WeightInit.RELU)
            .list()
            .layer(new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.RELU).build())
            .layer(new ActivationLayer.Builder().activation(new IdentityInTrainingOnly()).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(8)
                    .nOut(3)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Identity while training; throws in inference. */
  static final class IdentityInTrainingOnly extends BaseActivationFunction {
    @Override
    public INDArray getActivation(INDArray in, boolean training) {
      if (!training) {
        throw new IllegalStateException("this activation runs in training only");
      }
      return in;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
      return new Pair<>(epsilon, null);
    }

    @Override
    public String toString() {
      return "identity-in-training-only";
    }
  }
}
