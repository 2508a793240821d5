package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plasticitymonitor.analysis.FreshNetworkGap;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The fresh-network baseline on real MNIST (the first 2,000 training and 1,000 test images). */
class FreshBaselineTest {
  private static final int ITERATIONS = 80;
  private static final int BATCH = 32;
  private static DataSet train;
  private static DataSet test;

  @BeforeAll
  static void loadMnist() {
    train = Mnist.load(true, 2000);
    test = Mnist.load(false, 1000);
  }

  /**
   * The continually trained network here is itself fresh: trained from its initialisation on the
   * task for {@link #ITERATIONS}. A fresh copy with the same seed is then the very same network, so
   * both gaps are exactly 0. The learning-rate schedule drops at iteration 40, so a copy that kept
   * the trained network's iteration count (80) would train at the low rate throughout and differ.
   */
  @Test
  void aFreshCopyWithTheSameSeedIsTheSameNetwork() {
    MultiLayerNetwork net = mlp(42);
    double endScore = trainLikeATask(net);
    double accuracy = net.evaluate(iterator(test)).accuracy();

    Baseline b = FreshBaseline.of(net).seed(42).train(iterator(train), ITERATIONS, iterator(test));

    assertThat(b.accuracy()).hasValue(accuracy);
    assertThat(b.score()).hasValue(endScore);
    assertThat(FreshNetworkGap.ofAccuracy(b.accuracy().getAsDouble(), accuracy)).isZero();
    assertThat(FreshNetworkGap.ofScore(b.score().getAsDouble(), endScore)).isZero();
    assertThat(accuracy).isGreaterThan(0.6); // it learnt the task: the comparison means something
  }

  /**
   * A fresh network against fresh copies of other seeds: the gap is 0 in expectation. Over 8 seed
   * pairs the mean gap must lie within 4 standard errors (the gaps' own spread / √8) of 0; a copy
   * that trained fewer iterations, at another learning rate or from a trained start would sit far
   * outside (and the test also checks that the seeds do make the networks differ).
   */
  @Test
  void aFreshCopyOfAFreshNetworkHasGapZeroInExpectation() {
    int pairs = 8;
    double[] accuracyGaps = new double[pairs];
    double[] scoreGaps = new double[pairs];
    for (int i = 0; i < pairs; i++) {
      MultiLayerNetwork net = mlp(100 + i);
      double endScore = trainLikeATask(net);
      double accuracy = net.evaluate(iterator(test)).accuracy();
      Baseline b =
          FreshBaseline.of(net).seed(200 + i).train(iterator(train), ITERATIONS, iterator(test));
      accuracyGaps[i] = FreshNetworkGap.ofAccuracy(b.accuracy().getAsDouble(), accuracy);
      scoreGaps[i] = FreshNetworkGap.ofScore(b.score().getAsDouble(), endScore);
    }
    assertWithinStandardErrors(accuracyGaps, 4);
    assertWithinStandardErrors(scoreGaps, 4);
  }

  @Test
  void theCallersRandomStreamIsLeftAlone() {
    MultiLayerNetwork net = mlp(3);
    Nd4j.getRandom().setSeed(77);
    double expected = Nd4j.getRandom().nextDouble();
    Nd4j.getRandom().setSeed(77);
    FreshBaseline.of(net).seed(5).train(iterator(train), 3);
    assertThat(Nd4j.getRandom().nextDouble()).isEqualTo(expected);
  }

  @Test
  void badInputIsRejectedNamingTheSettingAndValue() {
    MultiLayerNetwork net = mlp(3);
    assertThatThrownBy(() -> FreshBaseline.of(net).train(iterator(train), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FreshBaseline iterations")
        .hasMessageContaining("(got: 0)");
    assertThatThrownBy(() -> FreshBaseline.of(net.getLayer(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FreshBaseline.of")
        .hasMessageContaining("DenseLayer");
  }

  /** Trains as a task would, one minibatch an iteration; returns the end score (last 10%). */
  private static double trainLikeATask(MultiLayerNetwork net) {
    DataSetIterator it = iterator(train);
    double tail = 0;
    int last = (ITERATIONS + 9) / 10;
    for (int i = 0; i < ITERATIONS; i++) {
      if (!it.hasNext()) {
        it.reset();
      }
      net.fit(it.next());
      if (i >= ITERATIONS - last) {
        tail += net.score();
      }
    }
    return tail / last;
  }

  private static void assertWithinStandardErrors(double[] gaps, double k) {
    double mean = 0;
    for (double g : gaps) {
      mean += g / gaps.length;
    }
    double var = 0;
    for (double g : gaps) {
      var += (g - mean) * (g - mean) / (gaps.length - 1);
    }
    double se = Math.sqrt(var / gaps.length);
    assertThat(se).isGreaterThan(0); // the seeds gave different networks
    assertThat(Math.abs(mean)).isLessThanOrEqualTo(k * se);
  }

  private static DataSetIterator iterator(DataSet data) {
    return new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(
        data.asList(), BATCH);
  }

  private static MultiLayerNetwork mlp(long seed) {
    Map<Integer, Double> lr = new HashMap<>();
    lr.put(0, 0.1);
    lr.put(ITERATIONS / 2, 0.01);
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(new MapSchedule(ScheduleType.ITERATION, lr)))
            .weightInit(WeightInit.RELU)
            .list()
            .layer(new DenseLayer.Builder().nIn(784).nOut(64).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(64)
                    .nOut(10)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }
}
