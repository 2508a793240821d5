package io.plasticitymonitor.sample;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The networks the scenarios train: MLPs of ReLU layers. */
final class Networks {
  private Networks() {}

  /**
   * What a network is, apart from its seed: the same spec and seed give the same network.
   *
   * @param inputs input features
   * @param depth hidden layers (0: a linear model)
   * @param width units per hidden layer
   * @param outputs output units
   * @param regression a linear output with squared error (else softmax with cross-entropy)
   * @param optimizer the updater
   * @param learningRate its learning rate
   * @param weightDecay DL4J's decoupled weight decay {@code weightDecay(wd, true)}; 0 for none
   */
  record Spec(
      int inputs,
      int depth,
      int width,
      int outputs,
      boolean regression,
      Scenario.Optimizer optimizer,
      double learningRate,
      double weightDecay) {

    /** The network as people write it, e.g. {@code 784-128-128-10 ReLU MLP}. */
    String describe() {
      StringBuilder s = new StringBuilder(Integer.toString(inputs));
      for (int i = 0; i < depth; i++) {
        s.append('-').append(width);
      }
      s.append('-').append(outputs);
      return s.append(depth == 0 ? " linear" : " ReLU MLP")
          .append(regression ? ", squared error" : "")
          .toString();
    }
  }

  /**
   * {@code inputs → depth × width ReLU → outputs}, and, when {@code weightDecay > 0}, DL4J's
   * decoupled weight decay {@code weightDecay(wd, true)} on the weights of every layer (biases are
   * not decayed). Classification: He (ReLU) normal init, softmax and cross-entropy. Regression: the
   * initialisation of Dohare et al.'s learner ({@code lop/nets/ffnn.py}): hidden weights uniform on
   * ±√(6/fan_in) (Kaiming uniform for ReLU), output weights uniform on ±√(3/fan_in) (Kaiming
   * uniform, linear), biases 0, identity output, squared error. Unnamed layers, so DL4J reports
   * them as {@code layer0}, {@code layer1}, …
   */
  static MultiLayerNetwork build(Spec spec, long seed) {
    NeuralNetConfiguration.Builder base =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(updater(spec))
            .weightInit(WeightInit.RELU);
    if (spec.weightDecay() > 0) {
      base.weightDecay(spec.weightDecay(), true);
    }
    NeuralNetConfiguration.ListBuilder list = base.list();
    int in = spec.inputs();
    for (int i = 0; i < spec.depth(); i++) {
      DenseLayer.Builder b =
          new DenseLayer.Builder().nIn(in).nOut(spec.width()).activation(Activation.RELU);
      if (spec.regression()) {
        b.weightInit(uniform(Math.sqrt(6.0 / in)));
      }
      list.layer(b.build());
      in = spec.width();
    }
    if (spec.regression()) {
      list.layer(
          new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
              .nIn(in)
              .nOut(spec.outputs())
              .activation(Activation.IDENTITY)
              .weightInit(uniform(Math.sqrt(3.0 / in)))
              .build());
    } else {
      list.layer(
          new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
              .nIn(in)
              .nOut(spec.outputs())
              .activation(Activation.SOFTMAX)
              .build());
    }
    MultiLayerNetwork net = new MultiLayerNetwork(list.build());
    net.init();
    return net;
  }

  /** The permuted-MNIST reference network: SGD, He init, softmax over the 10 classes. */
  static MultiLayerNetwork mlp(
      int inputs, int depth, int width, double learningRate, double weightDecay, long seed) {
    return build(
        new Spec(
            inputs,
            depth,
            width,
            ImageSet.CLASSES,
            false,
            Scenario.Optimizer.SGD,
            learningRate,
            weightDecay),
        seed);
  }

  private static WeightInitDistribution uniform(double bound) {
    return new WeightInitDistribution(new UniformDistribution(-bound, bound));
  }

  private static IUpdater updater(Spec spec) {
    return switch (spec.optimizer()) {
      case SGD -> new Sgd(spec.learningRate());
      case ADAM -> new Adam(spec.learningRate());
    };
  }
}
