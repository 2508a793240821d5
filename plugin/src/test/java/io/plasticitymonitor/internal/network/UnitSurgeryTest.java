package io.plasticitymonitor.internal.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Where a unit's weights and updater state are, in convolutions (a channel flattened into a dense
 * layer owns a block of its rows) and through a merge vertex; and the decay DL4J applies.
 */
class UnitSurgeryTest {

  /**
   * conv 3×3 (1→3 channels) → conv 2×2 (3→2) → dense 4 (reads 2×3×3, flattened NCHW) → output 2.
   */
  private static MultiLayerNetwork cnn() {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(4)
            .dataType(DataType.DOUBLE)
            .updater(new Adam(1e-3))
            .list()
            .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU).build())
            .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.RELU).build())
            .layer(new DenseLayer.Builder().nOut(4).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(2)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.convolutional(6, 6, 1))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    // Every weight positive, so every unit is active and every weight has Adam state.
    for (int i = 0; i < 4; i++) {
      net.getLayer(i)
          .getParam("W")
          .assign(Nd4j.rand(DataType.DOUBLE, net.getLayer(i).getParam("W").shape()).addi(0.1));
    }
    Random r = new Random(1);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 8, 1, 6, 6);
    INDArray y = Nd4j.zeros(DataType.DOUBLE, 8, 2);
    for (int i = 0; i < 8; i++) {
      y.putScalar(i, r.nextInt(2), 1);
    }
    net.fit(new DataSet(x, y));
    net.fit(new DataSet(x, y));
    return net;
  }

  @Test
  void replacingAConvolutionChannelTouchesItsFilterBiasAndFlattenedRowsOnly() {
    MultiLayerNetwork net = cnn();
    UnitSurgery s = UnitSurgery.of(net);
    assertThat(s.replaceableLayers()).containsExactly("layer0", "layer1", "layer2");
    INDArray w1 = net.getLayer(1).getParam("W").dup();
    INDArray b1 = net.getLayer(1).getParam("b").dup();
    INDArray w2 = net.getLayer(2).getParam("W").dup();
    double[] state = net.getUpdater().getStateViewArray().dup().data().asDouble();

    s.replace("layer1", new int[] {1});

    INDArray w1After = net.getLayer(1).getParam("W");
    assertThat(w1After.get(NDArrayIndex.point(0))).isEqualTo(w1.get(NDArrayIndex.point(0)));
    assertThat(w1After.get(NDArrayIndex.point(1))).isNotEqualTo(w1.get(NDArrayIndex.point(1)));
    assertThat(net.getLayer(1).getParam("b").getDouble(1)).isZero();
    assertThat(net.getLayer(1).getParam("b").getDouble(0)).isEqualTo(b1.getDouble(0));
    // layer1's output is 2 channels of 3×3; flattened NCHW, channel 1 feeds rows 9..17 of layer2's
    // W.
    INDArray w2After = net.getLayer(2).getParam("W");
    for (int row = 0; row < 18; row++) {
      if (row >= 9) {
        assertThat(w2After.getRow(row).norm2Number().doubleValue()).as("row %d", row).isZero();
      } else {
        assertThat(w2After.getRow(row)).as("row %d", row).isEqualTo(w2.getRow(row));
      }
    }
    assertThat(new UnitActivity(s).outgoingAbsSum("layer1")[1]).isZero();
    double rows0to8 = 0;
    for (int row = 0; row < 9; row++) {
      for (int j = 0; j < 4; j++) {
        rows0to8 += Math.abs(w2After.getDouble(row, j));
      }
    }
    assertThat(new UnitActivity(s).outgoingAbsSum("layer1")[0]).isCloseTo(rows0to8, within(1e-12));
    // Channel c of layer0 is read by layer1 as W[:, c, :, :].
    INDArray w1Now = net.getLayer(1).getParam("W");
    double channel2 = 0;
    for (int o = 0; o < 2; o++) {
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 2; x++) {
          channel2 += Math.abs(w1Now.getDouble(o, 2, y, x));
        }
      }
    }
    assertThat(new UnitActivity(s).outgoingAbsSum("layer0")[2]).isCloseTo(channel2, within(1e-12));
    // Adam state: m and v of the filter (3·2·2 = 12 weights), the bias and the 9·4 outgoing weights
    // were all non-zero; exactly those 2·49 entries are now 0 and nothing else changed.
    double[] after = net.getUpdater().getStateViewArray().dup().data().asDouble();
    int changed = 0;
    for (int k = 0; k < state.length; k++) {
      if (after[k] != state[k]) {
        changed++;
        assertThat(after[k]).isZero();
      }
    }
    assertThat(changed).isEqualTo(2 * (12 + 1 + 36));
  }

  @Test
  void aConvolutionChannelReadByAConvolutionOwnsOneInputSliceOfItsFilters() {
    MultiLayerNetwork net = cnn();
    INDArray w1 = net.getLayer(1).getParam("W").dup();
    UnitSurgery.of(net).zeroOutgoing("layer0", new int[] {2});
    INDArray after = net.getLayer(1).getParam("W");
    for (int in = 0; in < 3; in++) {
      INDArray slice =
          after.get(
              NDArrayIndex.all(), NDArrayIndex.point(in), NDArrayIndex.all(), NDArrayIndex.all());
      if (in == 2) {
        assertThat(slice.norm2Number().doubleValue()).isZero();
      } else {
        assertThat(slice)
            .isEqualTo(
                w1.get(
                    NDArrayIndex.all(),
                    NDArrayIndex.point(in),
                    NDArrayIndex.all(),
                    NDArrayIndex.all()));
      }
    }
  }

  @Test
  void throughAMergeVertexTheOutgoingRowIsShiftedByTheInputsBefore() {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(3)
            .dataType(DataType.DOUBLE)
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
    INDArray out = graph.getLayer("out").getParam("W").dup();
    UnitSurgery s = UnitSurgery.of(graph);
    assertThat(s.replaceableLayers()).containsExactly("a", "b");

    s.zeroOutgoing("b", new int[] {1}); // unit 1 of "b" is input 4 + 1 of "out"

    for (int row = 0; row < 7; row++) {
      INDArray now = graph.getLayer("out").getParam("W").getRow(row);
      if (row == 5) {
        assertThat(now.norm2Number().doubleValue()).isZero();
      } else {
        assertThat(now).isEqualTo(out.getRow(row));
      }
    }
  }

  @Test
  void refusesTheOutputLayerAndUnitsOutOfRange() {
    MultiLayerNetwork net = cnn();
    UnitSurgery s = UnitSurgery.of(net);
    assertThatThrownBy(() -> s.replace("layer3", new int[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("layer3");
    assertThatThrownBy(() -> s.zeroOutgoing("layer1", new int[] {2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(got: 2)");
  }

  @Test
  void theDecayStepIsTheLayersWeightDecayTimesItsLearningRate() {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .dataType(DataType.DOUBLE)
            .updater(new Sgd(new ExponentialSchedule(ScheduleType.ITERATION, 0.2, 0.5)))
            .list()
            .layer(new DenseLayer.Builder().nIn(3).nOut(4).weightDecay(0.1, true).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(4)
                    .nOut(2)
                    .activation(Activation.IDENTITY)
                    .weightDecay(0.3, false)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    var decayed = UnitSurgery.of(net).decayedParameters();
    assertThat(decayed)
        .extracting(DecayedParameter::toString)
        .containsExactly("layer0/W", "layer1/W");
    // γ·lr(iteration 2) = 0.1 · 0.2·0.5² with applyLR; 0.3 without.
    assertThat(decayed.get(0).decayStep(2, 0)).isCloseTo(0.1 * 0.2 * 0.25, within(1e-15));
    assertThat(decayed.get(1).decayStep(2, 0)).isCloseTo(0.3, within(1e-15));
    assertThat(decayed.get(0).fanIn()).isEqualTo(3);
    assertThat(decayed.get(1).fanIn()).isEqualTo(4);
  }

  /**
   * DL4J 1.0.0-M2.1 puts a network-wide {@code weightDecay(γ, true)} into each layer's
   * regularization twice (copyConfigToLayer copies it, then LayerValidation.configureBaseLayer adds
   * it again), so weights decay by {@code 2·lr·γ} per iteration. The decay step reads what DL4J
   * really applies: a layer whose inputs are 0 has no gradient, and its weights shrink by exactly
   * that step.
   */
  @Test
  void aNetworkWideWeightDecayIsAppliedTwiceAndTheDecayStepSaysSo() {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .dataType(DataType.DOUBLE)
            .updater(new Sgd(0.1))
            .weightDecay(0.5, true)
            .list()
            .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(4)
                    .nOut(2)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    assertThat(net.getLayer(0).getConfig().getRegularizationByParam("W")).hasSize(2);
    double step = UnitSurgery.of(net).decayedParameters().get(0).decayStep(0, 0);
    assertThat(step).isCloseTo(2 * 0.1 * 0.5, within(1e-15));
    INDArray before = net.getLayer(0).getParam("W").dup();
    INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, 2);
    y.getColumn(0).assign(1);
    net.fit(new DataSet(Nd4j.zeros(DataType.DOUBLE, 4, 3), y));
    INDArray after = net.getLayer(0).getParam("W");
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        assertThat(after.getDouble(i, j))
            .isCloseTo((1 - step) * before.getDouble(i, j), within(1e-12));
      }
    }
  }

  /** Units behind batch norm and recurrent units are left alone, and the notes say so. */
  @Test
  void normalisedAndRecurrentUnitsAreNotReplaceable() {
    var bn =
        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
            .seed(1)
            .list()
            .layer(
                new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(4).nOut(5).build())
            .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build())
            .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(3).build())
            .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(2).build())
            .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(4))
            .build();
    MultiLayerNetwork bnNet = new MultiLayerNetwork(bn);
    bnNet.init();
    UnitSurgery s = UnitSurgery.of(bnNet);
    assertThat(s.replaceableLayers()).containsExactly("layer2");
    assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("layer0", "normalised"));

    var rnn =
        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
            .seed(1)
            .list()
            .layer(
                new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(3).nOut(4).build())
            .layer(
                new org.deeplearning4j.nn.conf.layers.LSTM.Builder()
                    .nOut(5)
                    .activation(org.nd4j.linalg.activations.Activation.TANH)
                    .build())
            .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder().nOut(2).build())
            .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(3, 4))
            .build();
    MultiLayerNetwork rnnNet = new MultiLayerNetwork(rnn);
    rnnNet.init();
    assertThat(UnitSurgery.of(rnnNet).replaceableLayers()).isEmpty();
  }
}
