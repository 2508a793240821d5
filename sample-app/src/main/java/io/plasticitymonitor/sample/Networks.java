package io.plasticitymonitor.sample;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The network of the reference regime: an MLP of ReLU layers trained by plain SGD. */
final class Networks {
  private Networks() {}

  /**
   * {@code inputs → depth × width ReLU (He init) → 10 softmax}, SGD at {@code learningRate}, and,
   * when {@code weightDecay > 0}, DL4J's decoupled weight decay {@code weightDecay(wd, true)} on the
   * weights of every layer (biases are not decayed). Unnamed layers, so DL4J reports them as
   * {@code layer0}, {@code layer1}, …; the last hidden layer is {@code layer<depth-1>}.
   */
  static MultiLayerNetwork mlp(
      int inputs, int depth, int width, double learningRate, double weightDecay, long seed) {
    NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .updater(new Sgd(learningRate))
        .weightInit(WeightInit.RELU);
    if (weightDecay > 0) {
      base.weightDecay(weightDecay, true);
    }
    NeuralNetConfiguration.ListBuilder list = base.list();
    int in = inputs;
    for (int i = 0; i < depth; i++) {
      list.layer(new DenseLayer.Builder().nIn(in).nOut(width).activation(Activation.RELU).build());
      in = width;
    }
    list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
        .nIn(in).nOut(ImageSet.CLASSES).activation(Activation.SOFTMAX).build());
    MultiLayerNetwork net = new MultiLayerNetwork(list.build());
    net.init();
    return net;
  }
}
