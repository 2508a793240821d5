package io.plasticitymonitor.internal.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.plasticitymonitor.analysis.LayerData;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link NetworkReader#layerData}: converted one layer at a time, in any order, to the same values.
 */
class NetworkReaderTest {

  private static MultiLayerNetwork net() {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(3)
                .dataType(DataType.FLOAT)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(5).nOut(3).activation(Activation.RELU).build())
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(3)
                        .nOut(2)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build());
    net.init();
    return net;
  }

  private static double[] doubles(INDArray a) {
    return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }

  @Test
  void layersReadInAnyOrderHoldTheNetworksParametersAndTheirConsumersWeights() {
    MultiLayerNetwork net = net();
    NetworkStructure structure = NetworkStructure.of(net);
    INDArray probe = Nd4j.rand(DataType.FLOAT, 6, 4);
    List<LayerData> layers =
        SnapshotConverter.layerData(NetworkReader.snapshot(net, structure, new INDArray[] {probe}));
    assertThat(layers).hasSize(3);
    for (int index : new int[] {2, 0, 1, 0, 2}) { // out of order, and again: each get converts anew
      LayerData l = layers.get(index);
      assertThat(l.name()).isEqualTo("layer" + index);
      assertThat(l.weights()).containsExactly(doubles(net.getLayer(index).getParam("W")));
      assertThat(l.bias()).containsExactly(doubles(net.getLayer(index).getParam("b")));
      if (index < 2) {
        // z_i is row i of the next layer's W = [units, nOut]: exactly that matrix, row-major.
        assertThat(l.outgoing()).containsExactly(doubles(net.getLayer(index + 1).getParam("W")));
        assertThat(l.examples()).isEqualTo(6);
      } else {
        assertThat(l.hidden()).isFalse();
      }
    }
    // The snapshot is detached: training on does not change what was read.
    double[] before = layers.get(0).weights();
    net.getLayer(0).getParam("W").addi(1);
    assertThat(layers.get(0).weights()).containsExactly(before);
  }
}
