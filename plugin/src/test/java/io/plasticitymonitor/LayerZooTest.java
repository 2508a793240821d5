package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Every kind of layer a user may have, in a MultiLayerNetwork and in a ComputationGraph, trained
 * for a task with the listener attached: each is measured or skipped with a reason, the dense layer
 * after it is always measured, and nothing fails.
 */
class LayerZooTest {
  @TempDir Path dir;

  enum Shape {
    FLAT,
    SEQUENCE,
    LAST_STEP,
    IMAGE,
    INDEX,
    INDEX_SEQUENCE
  }

  /** What the monitor should do with the layer under test. */
  enum Expect {
    MEASURED,
    SKIPPED_WITH_REASON,
    PASSED_THROUGH
  }

  static Stream<Arguments> zoo() {
    return Stream.of(
        Arguments.of(
            "BatchNormalization",
            (Supplier<Layer>) () -> new BatchNormalization.Builder().build(),
            Shape.FLAT,
            Expect.SKIPPED_WITH_REASON),
        Arguments.of(
            "DropoutLayer",
            (Supplier<Layer>) () -> new DropoutLayer.Builder(0.8).build(),
            Shape.FLAT,
            Expect.PASSED_THROUGH),
        Arguments.of(
            "ActivationLayer",
            (Supplier<Layer>)
                () -> new ActivationLayer.Builder().activation(Activation.TANH).build(),
            Shape.FLAT,
            Expect.PASSED_THROUGH),
        Arguments.of(
            "PReLULayer",
            (Supplier<Layer>) () -> new PReLULayer.Builder().inputShape(6).build(),
            Shape.FLAT,
            Expect.PASSED_THROUGH),
        Arguments.of(
            "FrozenLayer",
            (Supplier<Layer>) () -> new FrozenLayer(new DenseLayer.Builder().nOut(5).build()),
            Shape.FLAT,
            Expect.MEASURED),
        Arguments.of(
            "FrozenLayerWithBackprop",
            (Supplier<Layer>)
                () -> new FrozenLayerWithBackprop(new DenseLayer.Builder().nOut(5).build()),
            Shape.FLAT,
            Expect.MEASURED),
        Arguments.of(
            "EmbeddingLayer",
            (Supplier<Layer>) () -> new EmbeddingLayer.Builder().nIn(10).nOut(5).build(),
            Shape.INDEX,
            Expect.MEASURED),
        Arguments.of(
            "EmbeddingSequenceLayer",
            (Supplier<Layer>)
                () -> new EmbeddingSequenceLayer.Builder().nIn(10).nOut(5).inputLength(4).build(),
            Shape.INDEX_SEQUENCE,
            Expect.MEASURED),
        Arguments.of(
            "LSTM",
            (Supplier<Layer>) () -> new LSTM.Builder().nOut(5).build(),
            Shape.SEQUENCE,
            Expect.MEASURED),
        Arguments.of(
            "SimpleRnn",
            (Supplier<Layer>) () -> new SimpleRnn.Builder().nOut(5).build(),
            Shape.SEQUENCE,
            Expect.MEASURED),
        Arguments.of(
            "LastTimeStep",
            (Supplier<Layer>)
                () ->
                    new LastTimeStep(
                        new LSTM.Builder().nOut(5).activation(Activation.TANH).build()),
            Shape.LAST_STEP,
            Expect.MEASURED),
        Arguments.of(
            "Bidirectional",
            (Supplier<Layer>) () -> new Bidirectional(new LSTM.Builder().nOut(5).build()),
            Shape.SEQUENCE,
            Expect.SKIPPED_WITH_REASON),
        Arguments.of(
            "SelfAttentionLayer",
            (Supplier<Layer>)
                () -> new SelfAttentionLayer.Builder().nOut(6).nHeads(2).projectInput(true).build(),
            Shape.SEQUENCE,
            Expect.SKIPPED_WITH_REASON),
        Arguments.of(
            "Convolution1DLayer",
            (Supplier<Layer>) () -> new Convolution1DLayer.Builder().kernelSize(2).nOut(4).build(),
            Shape.SEQUENCE,
            Expect.MEASURED),
        Arguments.of(
            "Convolution2D",
            (Supplier<Layer>) () -> new Convolution2D.Builder(2, 2).nOut(4).build(),
            Shape.IMAGE,
            Expect.MEASURED),
        Arguments.of(
            "DepthwiseConvolution2D",
            (Supplier<Layer>)
                () -> new DepthwiseConvolution2D.Builder(2, 2).depthMultiplier(2).build(),
            Shape.IMAGE,
            Expect.SKIPPED_WITH_REASON),
        Arguments.of(
            "SeparableConvolution2D",
            (Supplier<Layer>) () -> new SeparableConvolution2D.Builder(2, 2).nOut(4).build(),
            Shape.IMAGE,
            Expect.SKIPPED_WITH_REASON),
        Arguments.of(
            "Deconvolution2D",
            (Supplier<Layer>) () -> new Deconvolution2D.Builder(2, 2).nOut(4).build(),
            Shape.IMAGE,
            Expect.SKIPPED_WITH_REASON),
        Arguments.of(
            "SubsamplingLayer",
            (Supplier<Layer>)
                () -> new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).build(),
            Shape.IMAGE,
            Expect.PASSED_THROUGH));
  }

  private static InputType inputType(Shape shape) {
    return switch (shape) {
      case FLAT -> InputType.feedForward(6);
      case INDEX -> InputType.feedForward(1);
      case SEQUENCE, LAST_STEP -> InputType.recurrent(3, 4);
      case INDEX_SEQUENCE -> InputType.recurrent(1, 4);
      case IMAGE -> InputType.convolutional(5, 5, 2);
    };
  }

  private static INDArray features(Shape shape, int n) {
    return switch (shape) {
      case FLAT -> Nd4j.rand(DataType.FLOAT, n, 6);
      case INDEX ->
          Nd4j.rand(DataType.FLOAT, n, 1).muli(10).castTo(DataType.INT32).castTo(DataType.FLOAT);
      case SEQUENCE, LAST_STEP -> Nd4j.rand(DataType.FLOAT, n, 3, 4);
      case INDEX_SEQUENCE ->
          Nd4j.rand(DataType.FLOAT, n, 4).muli(10).castTo(DataType.INT32).castTo(DataType.FLOAT);
      case IMAGE -> Nd4j.rand(DataType.FLOAT, n, 2, 5, 5);
    };
  }

  /** The layer under test, then (for sequences) global pooling, a dense layer and the output. */
  private static List<Layer> stack(Layer layer, Shape shape) {
    Layer pool = new GlobalPoolingLayer.Builder(PoolingType.AVG).build();
    // Embeddings take indices, which no InputType describes: their followers get nIn by hand.
    boolean byHand = shape == Shape.INDEX || shape == Shape.INDEX_SEQUENCE;
    var denseB = new DenseLayer.Builder().nOut(4).activation(Activation.RELU);
    var outB =
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(2)
            .activation(Activation.SOFTMAX);
    Layer dense = byHand ? denseB.nIn(5).build() : denseB.build();
    Layer out = byHand ? outB.nIn(4).build() : outB.build();
    return shape == Shape.SEQUENCE || shape == Shape.INDEX_SEQUENCE
        ? List.of(layer, pool, dense, out)
        : List.of(layer, dense, out);
  }

  private static INDArray labels(int n) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, n, 2);
    for (int i = 0; i < n; i++) {
      y.putScalar(i, i % 2, 1);
    }
    return y;
  }

  @ParameterizedTest(name = "{0} in a MultiLayerNetwork")
  @MethodSource("zoo")
  void multiLayerNetwork(String kind, Supplier<Layer> layer, Shape shape, Expect expect)
      throws Exception {
    var b =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.01))
            .list();
    for (Layer l : stack(layer.get(), shape)) {
      b.layer(l);
    }
    if (!byHand(shape)) {
      b.setInputType(inputType(shape));
    }
    MultiLayerNetwork net = new MultiLayerNetwork(b.build());
    net.init();
    check(net, kind, shape, expect, "layer0", n -> net.fit(features(shape, n), labels(n)));
  }

  @ParameterizedTest(name = "{0} in a ComputationGraph")
  @MethodSource("zoo")
  void computationGraph(String kind, Supplier<Layer> layer, Shape shape, Expect expect)
      throws Exception {
    var g =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.01))
            .graphBuilder()
            .addInputs("in");
    String previous = "in";
    List<Layer> layers = stack(layer.get(), shape);
    for (int i = 0; i < layers.size(); i++) {
      String name = i == 0 ? "x" : "v" + i;
      g.addLayer(name, layers.get(i), previous);
      previous = name;
    }
    g.setOutputs(previous);
    if (!byHand(shape)) {
      g.setInputTypes(inputType(shape));
    }
    ComputationGraphConfiguration conf = g.build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    check(
        graph,
        kind,
        shape,
        expect,
        "x",
        n -> graph.fit(new INDArray[] {features(shape, n)}, new INDArray[] {labels(n)}));
  }

  interface Fit {
    void run(int n);
  }

  private static boolean byHand(Shape shape) {
    return shape == Shape.INDEX || shape == Shape.INDEX_SEQUENCE;
  }

  private void check(Model model, String kind, Shape shape, Expect expect, String name, Fit fit) {
    fit.run(4); // the network itself works on this data
    List<LayerMeasures> offline =
        ModelAnalysis.analyze(model, features(shape, 8), Thresholds.DEFAULTS);
    switch (expect) {
      case MEASURED -> assertThat(offline).extracting(LayerMeasures::layer).contains(name);
      case SKIPPED_WITH_REASON -> {
        assertThat(offline).extracting(LayerMeasures::layer).doesNotContain(name);
        assertThat(ModelAnalysis.notes(model))
            .anySatisfy(n -> assertThat(n).contains("'" + name + "'"));
      }
      case PASSED_THROUGH ->
          assertThat(offline).extracting(LayerMeasures::layer).doesNotContain(name);
    }
    assertThat(offline).hasSizeGreaterThanOrEqualTo(2); // the dense and output layers at least

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("zoo").outputDirectory(dir).probeSize(8).build();
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      model.addListeners(listener);
      listener.startTask(kind);
      fit.run(16);
      fit.run(16);
      TaskSummary s = listener.endTask();
      assertThat(s.layers()).hasSize(offline.size());
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).as(kind).isZero();
    }
  }
}
