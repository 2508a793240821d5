package io.plasticitymonitor.internal.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.plasticitymonitor.Networks;
import io.plasticitymonitor.analysis.LayerData;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link NetworkReader#snapshot}: layers converted one at a time, in any order, to the same values;
 * the probe run in slices gives the activations of one pass.
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

  @Test
  void aConvolutionsOutgoingWeightsAreEachChannelsWeightsInTheNextConvolution() {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(5)
                .dataType(DataType.FLOAT)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(2).nOut(3).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(4).build())
                .layer(new GlobalPoolingLayer(PoolingType.AVG))
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(2)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(6, 6, 2))
                .build());
    net.init();
    LayerData conv =
        SnapshotConverter.layerData(NetworkReader.snapshot(net, NetworkStructure.of(net), null))
            .get(0);
    INDArray next = net.getLayer(1).getParam("W"); // [nOut 4, nIn 3, 2, 2]
    assertThat(conv.outWidth()).isEqualTo(4 * 2 * 2);
    for (int i = 0; i < 3; i++) {
      // z_i = W_next[:, i, :, :], in an order of the reader's choosing, the same for every unit.
      double[] expected =
          doubles(
              next.get(
                  NDArrayIndex.all(),
                  NDArrayIndex.point(i),
                  NDArrayIndex.all(),
                  NDArrayIndex.all()));
      double[] row = Arrays.copyOfRange(conv.outgoing(), i * 16, i * 16 + 16);
      Arrays.sort(expected);
      Arrays.sort(row);
      assertThat(row).as("unit " + i).containsExactly(expected);
    }
  }

  @Test
  void closingASnapshotFreesItsCopiesAndLeavesTheNetworkAsItWas() {
    MultiLayerNetwork net = net();
    INDArray params = net.params().dup();
    NetworkStructure structure = NetworkStructure.of(net);
    NetworkSnapshot snapshot =
        NetworkReader.snapshot(
            net, structure, new INDArray[] {Nd4j.rand(DataType.FLOAT, 6, 4)}, Long.MAX_VALUE);
    INDArray w = snapshot.weights("layer0");
    INDArray h = snapshot.activations("layer0");
    snapshot.close();
    snapshot.close(); // again: nothing happens
    assertThat(w.wasClosed()).isTrue();
    assertThat(h.wasClosed()).isTrue();
    assertThat(net.params()).isEqualTo(params);
    net.output(Nd4j.rand(DataType.FLOAT, 2, 4)); // the network's own arrays are all still there
  }

  @Test
  void aProbeRunInOneExampleSlicesGivesTheActivationsOfOnePass() {
    // Convolution → batch norm → ReLU with a residual add: per-channel means per example.
    assertSlicesMatchOnePass(residualGraph(), Nd4j.rand(DataType.FLOAT, 7, 2, 8, 8));
    // An LSTM: a row per example and time step, in example-major order.
    assertSlicesMatchOnePass(Networks.lstm(Activation.TANH), Nd4j.rand(DataType.FLOAT, 5, 3, 6));
  }

  @Test
  void theProbesRowsAreThoseOfDl4jsOwnForwardPassAndLeaveNetworkAndProbeAsTheyWere() {
    ComputationGraph graph = residualGraph();
    INDArray probe = Nd4j.rand(DataType.FLOAT, 5, 2, 8, 8);
    INDArray probeBefore = probe.dup();
    INDArray outputBefore = graph.outputSingle(probe).dup();
    Map<String, INDArray> full = graph.feedForward(probe, false);
    NetworkStructure structure = NetworkStructure.of(graph);
    // Budget 1 byte: a slice per example, every layer output freed as soon as it is read.
    NetworkSnapshot snapshot = NetworkReader.snapshot(graph, structure, new INDArray[] {probe}, 1);
    int measured = 0;
    for (LayerPlan plan : structure.layers()) {
      if (!plan.feedsLaterLayers()) {
        continue;
      }
      INDArray expected = full.get(plan.activationSource()).mean(2, 3); // [examples, channels]
      assertThat(snapshot.activations(plan.name()).castTo(DataType.DOUBLE))
          .as(plan.name())
          .matches(a -> a.equalsWithEps(expected.castTo(DataType.DOUBLE), 1e-6), "equal");
      measured++;
    }
    assertThat(measured).isEqualTo(2); // conv (read through bn and relu) and conv2
    assertThat(probe).isEqualTo(probeBefore);
    // Nothing the network holds was freed: the same output, and it trains on.
    assertThat(graph.outputSingle(probe)).isEqualTo(outputBefore);
    graph.fit(new DataSet(probe, oneHot(5, 3)));

    MultiLayerNetwork lstm = Networks.lstm(Activation.TANH);
    INDArray sequences = Nd4j.rand(DataType.FLOAT, 4, 3, 6);
    INDArray lstmOut = lstm.output(sequences).dup();
    INDArray h = lstm.feedForward(sequences, false).get(1); // [examples, units, steps]
    NetworkStructure lstmStructure = NetworkStructure.of(lstm);
    NetworkSnapshot s = NetworkReader.snapshot(lstm, lstmStructure, new INDArray[] {sequences}, 1);
    INDArray rows = h.permute(0, 2, 1).dup('c').reshape('c', 4 * 6, 4);
    assertThat(s.activations(lstmStructure.layers().get(0).name()))
        .matches(a -> a.equalsWithEps(rows, 1e-6), "equal");
    assertThat(lstm.output(sequences)).isEqualTo(lstmOut);
  }

  private static ComputationGraph residualGraph() {
    ComputationGraph graph =
        new ComputationGraph(
            new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 2))
                .addLayer(
                    "conv",
                    new ConvolutionLayer.Builder(3, 3)
                        .nOut(4)
                        .convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY)
                        .build(),
                    "in")
                .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
                .addLayer("relu", new ActivationLayer(Activation.RELU), "bn")
                .addLayer(
                    "conv2",
                    new ConvolutionLayer.Builder(3, 3)
                        .nOut(4)
                        .convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU)
                        .build(),
                    "relu")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "relu", "conv2")
                .addLayer("pool", new GlobalPoolingLayer(PoolingType.AVG), "add")
                .addLayer(
                    "out",
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build(),
                    "pool")
                .setOutputs("out")
                .build());
    graph.init();
    // Running statistics away from their initial values, as after training.
    graph.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 16, 2, 8, 8), oneHot(16, 3)));
    return graph;
  }

  private static void assertSlicesMatchOnePass(Model model, INDArray probe) {
    NetworkStructure structure = NetworkStructure.of(model);
    INDArray[] in = {probe};
    NetworkSnapshot whole = NetworkReader.snapshot(model, structure, in, Long.MAX_VALUE);
    NetworkSnapshot sliced = NetworkReader.snapshot(model, structure, in, 1);
    int measured = 0;
    for (LayerPlan plan : structure.layers()) {
      INDArray a = whole.activations(plan.name());
      if (a == null) {
        continue;
      }
      measured++;
      INDArray b = sliced.activations(plan.name());
      assertThat(b.shape()).as(plan.name()).containsExactly(a.shape());
      double[] x = doubles(a);
      double[] y = doubles(b);
      for (int i = 0; i < x.length; i++) {
        assertThat(y[i]).as(plan.name() + "[" + i + "]").isCloseTo(x[i], within(1e-5));
      }
    }
    assertThat(measured).isPositive();
    assertThat(whole.probeExamples()).isEqualTo(sliced.probeExamples()).isPositive();
  }

  private static INDArray oneHot(int n, int classes) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
    for (int i = 0; i < n; i++) {
      y.putScalar(i, i % classes, 1f);
    }
    return y;
  }
}
