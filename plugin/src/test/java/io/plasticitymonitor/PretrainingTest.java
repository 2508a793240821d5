package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.AutoEncoder;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Layer-wise pretraining ({@code MultiLayerNetwork.pretrain}) of a variational autoencoder and a
 * dense autoencoder: DL4J reports it only to listeners given with {@code setListeners}, and hands
 * the layer, not the network, to their callbacks. The monitor measures the network however the
 * listener was attached, or says how to attach it.
 */
class PretrainingTest {
  @TempDir Path dir;

  static MultiLayerNetwork vae() {
    var conf =
        new NeuralNetConfiguration.Builder()
            .seed(2)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.05))
            .list()
            .layer(
                new VariationalAutoencoder.Builder()
                    .nOut(3)
                    .encoderLayerSizes(8)
                    .decoderLayerSizes(8)
                    .activation(Activation.TANH)
                    .build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(3)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.feedForward(10))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  static MultiLayerNetwork autoEncoder() {
    var conf =
        new NeuralNetConfiguration.Builder()
            .seed(2)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.05))
            .list()
            .layer(new AutoEncoder.Builder().nOut(6).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(3)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.feedForward(10))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  @Test
  void pretrainingWithSetListenersIsMeasuredOnTheWatchedNetwork() {
    MultiLayerNetwork[] nets = {vae(), autoEncoder()};
    for (int k = 0; k < nets.length; k++) {
      MultiLayerNetwork net = nets[k];
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      PlasticityConfig config =
          PlasticityConfig.builder().runId("pretrain-" + k).outputDirectory(dir).build();
      try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
        net.setListeners(listener);
        listener.watch(net);
        listener.startTask("pretrain");
        net.pretrain(Networks.iterator(Networks.data(64, 10, 3, 1), 16));
        TaskSummary s = listener.endTask();
        assertThat(s.iterations()).as("one callback per batch, not two").isEqualTo(4);
        assertThat(s.layers()).extracting(l -> l.measures().layer()).contains("layer1");
        assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();
        assertThat(registry.get("plasticity.unobserved.tasks").counter().count()).isZero();
        // Supervised training afterwards goes on as usual.
        listener.startTask("fit");
        net.fit(Networks.data(16, 10, 3, 2));
        assertThat(listener.endTask().iterations()).isEqualTo(1);
      }
    }
  }

  /**
   * With setListeners alone the pretraining callbacks carry only the layer, which holds no
   * reference to its network: the iterations count, nothing is measured, and the task is counted as
   * unobserved (with a warning saying to watch the network) instead of failing.
   */
  @Test
  void pretrainingWithSetListenersAloneCountsTheTaskAsUnobserved() {
    MultiLayerNetwork net = vae();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("layer-only").outputDirectory(dir).build();
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.setListeners(listener);
      listener.startTask("pretrain");
      net.pretrain(Networks.iterator(Networks.data(64, 10, 3, 1), 16));
      TaskSummary s = listener.endTask();
      assertThat(s.iterations()).isEqualTo(4);
      assertThat(s.layers()).isEmpty();
      assertThat(registry.get("plasticity.unobserved.tasks").counter().count()).isEqualTo(1);
      assertThat(registry.get("plasticity.monitor.errors").counters())
          .allSatisfy(c -> assertThat(c.count()).isZero());
      // Once fit has shown the network, the layer maps to it: the next pretraining is measured.
      net.fit(Networks.data(16, 10, 3, 2));
      listener.startTask("pretrain-again");
      net.pretrain(Networks.iterator(Networks.data(32, 10, 3, 3), 16));
      TaskSummary again = listener.endTask();
      assertThat(again.iterations()).isEqualTo(2);
      assertThat(again.layers()).extracting(l -> l.measures().layer()).contains("layer1");
    }
  }

  @Test
  void pretrainingWithAddListenersIsMeasuredOnceTheNetworkIsWatched() {
    MultiLayerNetwork net = vae();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("watched").outputDirectory(dir).build();
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.watch(net);
      listener.startTask("pretrain");
      net.pretrain(Networks.iterator(Networks.data(64, 10, 3, 1), 16));
      TaskSummary s = listener.endTask();
      assertThat(s.iterations()).isEqualTo(4);
      assertThat(s.layers()).extracting(l -> l.measures().layer()).containsExactly("layer1");
      assertThat(ModelAnalysis.notes(net))
          .anySatisfy(n -> assertThat(n).contains("'layer0'", "VariationalAutoencoder"));
    }
  }

  @Test
  void pretrainingThatNeverReachesTheListenerIsCountedNotSilent() {
    MultiLayerNetwork net = vae();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("unseen").outputDirectory(dir).build();
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask("pretrain");
      net.pretrain(Networks.iterator(Networks.data(64, 10, 3, 1), 16));
      TaskSummary s = listener.endTask();
      assertThat(s.iterations())
          .as("VAE pretraining never reaches addListeners' listeners")
          .isZero();
      assertThat(registry.get("plasticity.unobserved.tasks").counter().count()).isEqualTo(1);
    }
  }
}
