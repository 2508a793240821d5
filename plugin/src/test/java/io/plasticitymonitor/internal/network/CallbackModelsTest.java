package io.plasticitymonitor.internal.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class CallbackModelsTest {
  static MultiLayerNetwork vaeNet(long seed) {
    var conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.05))
            .list()
            .layer(
                new VariationalAutoencoder.Builder()
                    .nOut(2)
                    .encoderLayerSizes(4)
                    .decoderLayerSizes(4)
                    .activation(Activation.TANH)
                    .build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(2)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.feedForward(5))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Records which models the callbacks carried. */
  static final class Recorder extends BaseTrainingListener {
    final List<Model> seen = new ArrayList<>();

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      seen.add(model);
    }
  }

  @Test
  void aLayerMapsToTheNetworkThatHoldsItAndNoOther() {
    MultiLayerNetwork a = vaeNet(1);
    MultiLayerNetwork b = vaeNet(1);
    assertThat(CallbackModels.networkOf(a, b)).isSameAs(a);
    assertThat(CallbackModels.networkOf(a.getLayer(0), b, a)).isSameAs(a);
    assertThat(CallbackModels.networkOf(a.getLayer(0), b)).isNull();
    assertThat(CallbackModels.networkOf(a.getLayer(0), (Model) null)).isNull();
  }

  @Test
  void attachingMakesPretrainingReachAListenerAddedWithAddListenersAfterItsFirstPretraining() {
    MultiLayerNetwork net = vaeNet(2);
    Recorder recorder = new Recorder();
    net.addListeners(recorder);
    net.pretrainLayer(0, Nd4j.rand(DataType.FLOAT, 8, 5));
    int before = recorder.seen.size();
    assertThat(before).as("DL4J does not pass VAE pretraining to addListeners' listeners").isZero();

    assertThat(CallbackModels.attachToPretrainLayers(net, recorder)).isEqualTo(1);
    assertThat(CallbackModels.attachToPretrainLayers(net, recorder)).as("only once").isZero();
    net.pretrainLayer(0, Nd4j.rand(DataType.FLOAT, 8, 5));

    assertThat(recorder.seen.size()).isEqualTo(before + 1);
    Model carried = recorder.seen.get(recorder.seen.size() - 1);
    assertThat(carried).as("DL4J hands the layer").isSameAs(net.getLayer(0));
    assertThat(CallbackModels.networkOf(carried, net)).isSameAs(net);
  }
}
