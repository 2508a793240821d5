package io.plasticitymonitor;

import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small real DL4J networks and data for tests. */
public final class Networks {
  private Networks() {}

  /**
   * An LSTM of 4 units with the given activation reading 3 features a step, under a softmax output
   * of 2 classes a step.
   */
  public static MultiLayerNetwork lstm(Activation activation) {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(5)
                .dataType(DataType.FLOAT)
                .list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).activation(activation).build())
                .layer(
                    new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(4)
                        .nOut(2)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build());
    net.init();
    return net;
  }

  /**
   * A dense ReLU MLP {@code sizes[0] → … → sizes[n-1]} with a softmax output, SGD at {@code lr}.
   */
  static MultiLayerNetwork mlp(double lr, long seed, int... sizes) {
    var b =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(lr))
            .weightInit(WeightInit.RELU)
            .list();
    for (int i = 0; i < sizes.length - 2; i++) {
      b.layer(
          new DenseLayer.Builder()
              .nIn(sizes[i])
              .nOut(sizes[i + 1])
              .activation(Activation.RELU)
              .build());
    }
    b.layer(
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(sizes[sizes.length - 2])
            .nOut(sizes[sizes.length - 1])
            .activation(Activation.SOFTMAX)
            .build());
    MultiLayerConfiguration conf = b.build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Random inputs with random one-hot labels. */
  static DataSet data(int examples, int inputs, int classes, long seed) {
    Random r = new Random(seed);
    INDArray x = Nd4j.create(DataType.FLOAT, examples, inputs);
    for (int i = 0; i < examples; i++) {
      for (int j = 0; j < inputs; j++) {
        x.putScalar(i, j, r.nextFloat());
      }
    }
    INDArray y = Nd4j.zeros(DataType.FLOAT, examples, classes);
    for (int i = 0; i < examples; i++) {
      y.putScalar(i, r.nextInt(classes), 1f);
    }
    return new DataSet(x, y);
  }

  static DataSetIterator iterator(DataSet data, int batch) {
    return new ListDataSetIterator<>(data.asList(), batch);
  }
}
