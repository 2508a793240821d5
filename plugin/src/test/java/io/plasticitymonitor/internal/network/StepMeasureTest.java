package io.plasticitymonitor.internal.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Step plasticity on real DL4J networks, measured the way the listener does: the batch taken in
 * {@code onBackwardPass}, its data loss in {@code onGradientCalculation} (before the update) and in
 * {@code iterationDone} (after it).
 */
class StepMeasureTest {
  /** Double precision arithmetic on a handful of numbers. */
  private static final double EXACT = 1e-12;

  /** Measures every iteration, as the listener does on the iterations it samples. */
  private static final class EveryStep extends BaseTrainingListener {
    final StepMeasure measure = new StepMeasure();
    final List<Double> values = new ArrayList<>();
    final List<String> reasons = new ArrayList<>();

    @Override
    public void onBackwardPass(Model model) {
      String reason = measure.takeBatch(model);
      if (reason != null) {
        reasons.add(reason);
      }
    }

    @Override
    public void onGradientCalculation(Model model) {
      measure.beforeUpdate(model);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      values.add(measure.afterUpdate(model));
    }
  }

  /**
   * One SGD step of linear regression has a closed form. DL4J's MSE with one output is {@code L(w,
   * b) = (1/B)·Σ_i r_i²}, {@code r_i = w·x_i + b − y_i} (no ½; the mean over the batch is DL4J's
   * mini-batch division), so {@code ∂L/∂w = (2/B)·Σ r_i x_i}, {@code ∂L/∂b = (2/B)·Σ r_i}.
   *
   * <p>With {@code w = 0.5}, {@code b = 0}, the batch {@code (x, y) = (1, 1), (2, 0)} and {@code η
   * = 0.1}: {@code r = (−0.5, 1)}, {@code L = (0.25 + 1)/2 = 0.625}; {@code ∂L/∂w = −0.5·1 + 1·2 =
   * 1.5}, {@code ∂L/∂b = −0.5 + 1 = 0.5}; after the step {@code w = 0.35}, {@code b = −0.05},
   * {@code r = (−0.7, 0.65)}, {@code L = (0.49 + 0.4225)/2 = 0.45625}; step plasticity {@code 1 −
   * 0.45625/0.625 = 0.27}.
   */
  @Test
  void oneSgdStepOfLinearRegressionMatchesTheHandDerivation() {
    MultiLayerNetwork net = linearRegression(1, 0.1);
    net.setParams(Nd4j.create(new double[] {0.5, 0.0}, 1, 2)); // W then b
    EveryStep listener = new EveryStep();
    net.addListeners(listener);

    net.fit(
        new DataSet(
            Nd4j.create(new double[][] {{1}, {2}}), Nd4j.create(new double[][] {{1}, {0}})));

    assertThat(listener.reasons).isEmpty();
    assertThat(listener.values).hasSize(1);
    assertThat(listener.values.get(0)).isCloseTo(0.27, within(EXACT));
    assertThat(net.params().getDouble(0))
        .isCloseTo(0.35, within(EXACT)); // the step was the one derived
    assertThat(net.params().getDouble(1)).isCloseTo(-0.05, within(EXACT));
  }

  /**
   * The same closed form in matrix form on a random batch: with {@code X̃ = [X, 1]} and residuals
   * {@code r = X̃θ − y}, one step gives {@code r⁺ = (I − (2η/B)·X̃X̃ᵀ)·r}, so the step plasticity
   * is {@code 1 − ‖r⁺‖²/‖r‖²}. Both as a MultiLayerNetwork and as a ComputationGraph.
   */
  @Test
  void oneSgdStepOfLinearRegressionMatchesTheClosedFormOnARandomBatch() {
    int batch = 8;
    int inputs = 3;
    double lr = 0.05;
    Random r = new Random(7);
    double[][] x = new double[batch][inputs];
    double[][] y = new double[batch][1];
    double[] theta = new double[inputs + 1];
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < inputs; j++) {
        x[i][j] = r.nextGaussian();
      }
      y[i][0] = r.nextGaussian();
    }
    for (int j = 0; j <= inputs; j++) {
      theta[j] = r.nextGaussian();
    }
    double[] res = new double[batch];
    for (int i = 0; i < batch; i++) {
      res[i] = theta[inputs] - y[i][0];
      for (int j = 0; j < inputs; j++) {
        res[i] += x[i][j] * theta[j];
      }
    }
    double before = 0;
    double after = 0;
    for (int i = 0; i < batch; i++) {
      double next = res[i];
      for (int k = 0; k < batch; k++) {
        double kernel = 1; // the bias column of X̃
        for (int j = 0; j < inputs; j++) {
          kernel += x[i][j] * x[k][j];
        }
        next -= 2 * lr / batch * kernel * res[k];
      }
      before += res[i] * res[i];
      after += next * next;
    }
    double expected = 1 - after / before;
    assertThat(expected).isBetween(0.05, 0.95); // a step that neither stalls nor fits exactly

    DataSet data = new DataSet(Nd4j.create(x), Nd4j.create(y));
    MultiLayerNetwork mln = linearRegression(inputs, lr);
    mln.setParams(Nd4j.create(theta, 1, inputs + 1));
    EveryStep onMln = new EveryStep();
    mln.addListeners(onMln);
    mln.fit(data);
    assertThat(onMln.values)
        .singleElement()
        .satisfies(v -> assertThat(v).isCloseTo(expected, within(EXACT)));

    ComputationGraph cg = linearRegressionGraph(inputs, lr);
    cg.setParams(Nd4j.create(theta, 1, inputs + 1));
    EveryStep onCg = new EveryStep();
    cg.addListeners(onCg);
    cg.fit(data);
    assertThat(onCg.reasons).isEmpty();
    assertThat(onCg.values)
        .singleElement()
        .satisfies(v -> assertThat(v).isCloseTo(expected, within(EXACT)));
  }

  @Test
  void aFrozenNetworkHasStepPlasticityZeroEvenWithDropout() {
    // Learning rate 0: the update changes nothing. Dropout would make two training-mode passes
    // differ; both passes are in inference mode, so the losses are equal to the last bit.
    MultiLayerNetwork net = mlpWithDropout(0.0, 3);
    EveryStep listener = new EveryStep();
    net.addListeners(listener);
    DataSet data = classification(32, 12, 4, 5);
    for (int i = 0; i < 5; i++) {
      net.fit(data);
    }
    assertThat(listener.values).hasSize(5).containsOnly(0.0);
  }

  @Test
  void aLearningNetworkImprovesOnItsOwnBatch() {
    MultiLayerNetwork net = mlpWithDropout(0.1, 3);
    EveryStep listener = new EveryStep();
    net.addListeners(listener);
    DataSet data = classification(32, 12, 4, 5);
    for (int i = 0; i < 5; i++) {
      net.fit(data);
    }
    assertThat(listener.values)
        .hasSize(5)
        .allSatisfy(v -> assertThat(v).isGreaterThan(0).isLessThan(1));
  }

  @Test
  void measuringLeavesTrainingUnchanged() {
    // Same seed, same data, dropout on: the measured network must end with exactly the parameters
    // of the unmeasured one (the measure draws no random numbers and leaves DL4J's update alone).
    MultiLayerNetwork measured = mlpWithDropout(0.1, 11);
    MultiLayerNetwork plain = mlpWithDropout(0.1, 11);
    EveryStep listener = new EveryStep();
    measured.addListeners(listener);
    DataSet data = classification(32, 12, 4, 5);
    for (int i = 0; i < 4; i++) {
      Nd4j.getRandom().setSeed(100 + i);
      measured.fit(data);
      Nd4j.getRandom().setSeed(100 + i);
      plain.fit(data);
    }
    assertThat(listener.values).hasSize(4).doesNotContain(Double.NaN);
    assertThat(measured.params()).isEqualTo(plain.params());
  }

  @Test
  void aBatchWithMaskArraysIsNotMeasured() {
    MultiLayerNetwork net = linearRegression(1, 0.1);
    EveryStep listener = new EveryStep();
    net.addListeners(listener);
    DataSet data =
        new DataSet(
            Nd4j.create(new double[][] {{1}, {2}}),
            Nd4j.create(new double[][] {{1}, {0}}),
            null,
            Nd4j.create(new double[][] {{1}, {0}}));
    net.fit(data);
    assertThat(listener.reasons).containsExactly("minibatches with mask arrays are not measured");
    assertThat(listener.values).singleElement().satisfies(v -> assertThat(v).isNaN());
  }

  private static MultiLayerNetwork linearRegression(int inputs, double lr) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .dataType(DataType.DOUBLE)
            .updater(new Sgd(lr))
            .list()
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(inputs)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static ComputationGraph linearRegressionGraph(int inputs, double lr) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .dataType(DataType.DOUBLE)
            .updater(new Sgd(lr))
            .graphBuilder()
            .addInputs("in")
            .addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(inputs)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build(),
                "in")
            .setOutputs("out")
            .build();
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return net;
  }

  private static MultiLayerNetwork mlpWithDropout(double lr, long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(lr))
            .weightInit(WeightInit.RELU)
            .list()
            .layer(
                new DenseLayer.Builder()
                    .nIn(12)
                    .nOut(16)
                    .activation(Activation.RELU)
                    .dropOut(0.5)
                    .build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(16)
                    .nOut(4)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static DataSet classification(int examples, int inputs, int classes, long seed) {
    Random r = new Random(seed);
    INDArray x = Nd4j.create(DataType.FLOAT, examples, inputs);
    INDArray y = Nd4j.zeros(DataType.FLOAT, examples, classes);
    for (int i = 0; i < examples; i++) {
      for (int j = 0; j < inputs; j++) {
        x.putScalar(i, j, r.nextFloat());
      }
      y.putScalar(i, r.nextInt(classes), 1f);
    }
    return new DataSet(x, y);
  }
}
