package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Thresholds;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Outgoing weights are found through merge vertices, pooling and flattening: a unit planted dead
 * (incoming and outgoing zeroed where the contract says they are) must count as dead, and only it.
 */
class StructuresTest {

  @Test
  void graphFindsOutgoingWeightsThroughAMergeVertex() {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(3)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.1))
            .graphBuilder()
            .addInputs("in")
            .addLayer(
                "a",
                new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.RELU).build(),
                "in")
            .addLayer(
                "b",
                new DenseLayer.Builder().nIn(5).nOut(3).activation(Activation.RELU).build(),
                "in")
            .addVertex("merge", new MergeVertex(), "a", "b")
            .addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(7)
                    .nOut(2)
                    .activation(Activation.SOFTMAX)
                    .build(),
                "merge")
            .setOutputs("out")
            .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    // Unit 1 of "b" arrives as row 4 + 1 of out's W.
    graph.getLayer("b").getParam("W").getColumn(1).assign(0);
    graph.getLayer("b").getParam("b").putScalar(1, 0);
    graph.getLayer("out").getParam("W").getRow(5).assign(0);

    List<LayerMeasures> layers =
        ModelAnalysis.analyze(graph, Nd4j.rand(DataType.FLOAT, 20, 5), Thresholds.DEFAULTS);

    assertThat(layers).extracting(LayerMeasures::layer).containsExactly("a", "b", "out");
    assertThat(layers.get(0).unitMeasures().deadByWeights()).isZero();
    assertThat(layers.get(1).unitMeasures().deadUnits()).containsExactly(1);
    assertThat(layers.get(1).activations().rank().max()).isEqualTo(3);
    assertThat(layers.get(2).hidden()).isFalse();
  }

  @Test
  void convolutionChannelsAreUnitsAndTheirOutgoingRowsFollowTheFlattening() {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.1))
            .list()
            .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
            .layer(
                new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                    .kernelSize(2, 2)
                    .stride(2, 2)
                    .build())
            .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.RELU).build())
            .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(2)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.convolutional(8, 8, 1))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    // Channel 2 of layer0 is read by layer2 as W[:, 2, :, :].
    zero(net.getLayer(0).getParam("W"), 0, 2);
    net.getLayer(0).getParam("b").putScalar(2, 0);
    zero(net.getLayer(2).getParam("W"), 1, 2);
    // 8x8 → conv 3x3 → 6x6 → pool → 3x3 → conv 2x2 → 2x2: channel 1 of layer2 feeds rows 4..7 of
    // layer3.
    zero(net.getLayer(2).getParam("W"), 0, 1);
    net.getLayer(2).getParam("b").putScalar(1, 0);
    net.getLayer(3).getParam("W").get(NDArrayIndex.interval(4, 8), NDArrayIndex.all()).assign(0);

    List<LayerMeasures> layers =
        ModelAnalysis.analyze(net, Nd4j.rand(DataType.FLOAT, 16, 1, 8, 8), Thresholds.DEFAULTS);

    assertThat(layers)
        .extracting(LayerMeasures::layer)
        .containsExactly("layer0", "layer2", "layer3", "layer4");
    assertThat(layers.get(0).units()).isEqualTo(4);
    assertThat(layers.get(0).unitMeasures().deadUnits()).containsExactly(2);
    assertThat(layers.get(1).unitMeasures().deadUnits()).containsExactly(1);
    assertThat(layers.get(2).unitMeasures().deadByWeights()).isZero();
    // A dead channel puts out only ReLU(0) = 0: dormant too.
    assertThat(layers.get(0).activations().deadByActivations()).isGreaterThanOrEqualTo(1);
    assertThat(layers.get(0).weightRank().max()).isEqualTo(4);
  }

  /** Zeroes every element of a 4-D array whose index along {@code dim} is {@code at}. */
  private static void zero(INDArray w, int dim, int at) {
    long[] s = w.shape();
    for (long a = 0; a < s[0]; a++) {
      for (long b = 0; b < s[1]; b++) {
        for (long c = 0; c < s[2]; c++) {
          for (long d = 0; d < s[3]; d++) {
            if ((dim == 0 ? a : b) == at) {
              w.putScalar(new long[] {a, b, c, d}, 0);
            }
          }
        }
      }
    }
  }

  @Test
  void layersItCannotReadAreSkippedWithAReasonAndTheRestIsMeasured() {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.1))
            .list()
            .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.RELU).build())
            .layer(new ElementWiseMultiplicationLayer.Builder().nIn(5).nOut(5).build())
            .layer(new DenseLayer.Builder().nOut(4).activation(Activation.RELU).build())
            .layer(new DropoutLayer.Builder(0.5).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(2)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.feedForward(6))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();

    List<LayerMeasures> layers =
        ModelAnalysis.analyze(net, Nd4j.rand(DataType.FLOAT, 10, 6), Thresholds.DEFAULTS);

    assertThat(layers)
        .extracting(LayerMeasures::layer)
        .containsExactly("layer0", "layer2", "layer4");
    // layer0 feeds a layer the monitor cannot read: hidden, activations measured, outgoing unknown.
    assertThat(layers.get(0).hidden()).isTrue();
    assertThat(layers.get(0).unitMeasures()).isNull();
    assertThat(layers.get(0).activations()).isNotNull();
    // layer2 reaches the output layer through dropout.
    assertThat(layers.get(1).unitMeasures()).isNotNull();
    assertThat(ModelAnalysis.notes(net))
        .anySatisfy(
            n -> assertThat(n).contains("layer1").contains("ElementWiseMultiplicationLayer"))
        .anySatisfy(n -> assertThat(n).contains("layer0").contains("dead-unit"));
  }

  @Test
  void aLayerBeforeBatchNormalisationHasNormalisedUnits() {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.1))
            .list()
            .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.IDENTITY).build())
            .layer(new BatchNormalization.Builder().build())
            .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
            .layer(new DenseLayer.Builder().nOut(4).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(2)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.feedForward(6))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();

    List<LayerMeasures> layers =
        ModelAnalysis.analyze(net, Nd4j.rand(DataType.FLOAT, 10, 6), Thresholds.DEFAULTS);

    assertThat(layers)
        .extracting(LayerMeasures::layer)
        .containsExactly("layer0", "layer3", "layer4");
    assertThat(layers.get(0).unitMeasures()).isNotNull();
    assertThat(layers.get(0).unitMeasures().deadByWeights())
        .as("γ = 1, β = 0 at initialisation")
        .isZero();
    assertThat(layers.get(0).activations().rank().max()).isEqualTo(5);
    assertThat(ModelAnalysis.notes(net))
        .anySatisfy(
            n ->
                assertThat(n)
                    .contains("'layer1'")
                    .contains("BatchNormalization")
                    .contains("'layer0'"));
  }

  @Test
  void recurrentLayersAreMeasuredAsRecurrentUnits() {
    MultiLayerNetwork net = Networks.lstm(Activation.TANH);
    INDArray probe = Nd4j.rand(DataType.FLOAT, 2, 3, 5);

    List<LayerMeasures> layers = ModelAnalysis.analyze(net, probe, Thresholds.DEFAULTS);

    assertThat(layers).extracting(LayerMeasures::layer).containsExactly("layer0", "layer1");
    LayerMeasures lstm = layers.get(0);
    assertThat(lstm.hidden()).isTrue();
    assertThat(lstm.weightRank().max()).isEqualTo(3); // W = [3, 16]
    assertThat(lstm.recurrentRank().max()).isEqualTo(4); // RW = [4, 16]
    assertThat(lstm.unitMeasures().merged()).isZero();
    assertThat(lstm.activations().rank().max()).isEqualTo(4); // [2 examples · 5 steps, 4 units]
    assertThat(layers.get(1).weightRank().max()).isEqualTo(2);
  }

  @Test
  void aRecurrentLayerWithoutSignSymmetryHasNoUnitMeasuresAndSaysWhy() {
    MultiLayerNetwork net = Networks.lstm(Activation.SIGMOID);
    List<LayerMeasures> layers =
        ModelAnalysis.analyze(net, Nd4j.rand(DataType.FLOAT, 2, 3, 5), Thresholds.DEFAULTS);
    assertThat(layers.get(0).hidden()).isTrue();
    assertThat(layers.get(0).unitMeasures()).isNull();
    assertThat(layers.get(0).activations()).isNotNull();
    assertThat(ModelAnalysis.notes(net))
        .anySatisfy(n -> assertThat(n).contains("'layer0'", "sigmoid"));
  }
}
