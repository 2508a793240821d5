package io.plasticitymonitor.remedy;

import io.micrometer.core.instrument.MeterRegistry;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitors;
import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small double-precision MLPs, fixed batches and listeners for the remedy tests. */
final class TinyNets {
  private TinyNets() {}

  /**
   * {@code sizes[0] → ReLU … → softmax sizes[n-1]}, He init, in double precision, with decoupled
   * weight decay {@code weightDecay(γ, true)} set on each layer: set network-wide, DL4J 1.0.0-M2.1
   * puts it into each layer's regularization twice (see UnitSurgeryTest).
   */
  static MultiLayerNetwork mlp(IUpdater updater, double weightDecay, int... sizes) {
    var b =
        new NeuralNetConfiguration.Builder()
            .seed(11)
            .dataType(DataType.DOUBLE)
            .updater(updater)
            .weightInit(WeightInit.RELU)
            .list();
    for (int i = 0; i < sizes.length - 2; i++) {
      b.layer(
          new DenseLayer.Builder()
              .nIn(sizes[i])
              .nOut(sizes[i + 1])
              .activation(Activation.RELU)
              .weightDecay(weightDecay, true)
              .build());
    }
    b.layer(
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(sizes[sizes.length - 2])
            .nOut(sizes[sizes.length - 1])
            .activation(Activation.SOFTMAX)
            .weightDecay(weightDecay, true)
            .build());
    MultiLayerNetwork net = new MultiLayerNetwork(b.build());
    net.init();
    return net;
  }

  /** {@code examples} inputs uniform in [0, 1) (or all 0) with random one-hot labels. */
  static DataSet batch(int examples, int inputs, int classes, boolean zeros, long seed) {
    Random r = new Random(seed);
    INDArray x = Nd4j.zeros(DataType.DOUBLE, examples, inputs);
    if (!zeros) {
      for (int i = 0; i < examples; i++) {
        for (int j = 0; j < inputs; j++) {
          x.putScalar(i, j, r.nextDouble());
        }
      }
    }
    INDArray y = Nd4j.zeros(DataType.DOUBLE, examples, classes);
    for (int i = 0; i < examples; i++) {
      y.putScalar(i, r.nextInt(classes), 1.0);
    }
    return new DataSet(x, y);
  }

  static PlasticityListener listener(
      Path dir, String run, RemedySettings remedy, MeterRegistry registry) {
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId(run)
            .outputDirectory(dir)
            .probeSize(4)
            .remedy(remedy)
            .build();
    return PlasticityMonitors.listener(config, registry);
  }

  static double applied(MeterRegistry registry, String remedy) {
    return registry.get("plasticity.remedy.applied").tag("remedy", remedy).counter().count();
  }

  /** A copy of the network's parameters as a flat double array (DL4J's flat order). */
  static double[] params(MultiLayerNetwork net) {
    return net.params().dup().data().asDouble();
  }

  /** A copy of the network's updater state as a flat double array. */
  static double[] state(MultiLayerNetwork net) {
    return net.getUpdater().getStateViewArray().dup().data().asDouble();
  }
}
