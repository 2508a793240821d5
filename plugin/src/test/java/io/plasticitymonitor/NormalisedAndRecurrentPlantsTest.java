package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Real DL4J networks with planted absorbing states of batch-normalised and recurrent units (metric
 * contract, "Normalised units" and "Recurrent units"), trained at learning rate 0 so the plants
 * stay put: the published counts must be exactly the planted ones.
 */
class NormalisedAndRecurrentPlantsTest {
  @TempDir Path dir;

  /**
   * dense 6 → 8 (identity) → batch norm → ReLU → dense 8 → 5 → output 3. Unit 2 planted dead
   * through γ = β = 0 and zero outgoing weights (its filter left as it was: batch norm makes it
   * irrelevant); unit 1 a twin of unit 0 with its filter 3 times as long (the same function under
   * batch norm).
   */
  static MultiLayerNetwork batchNormPlanted() {
    var conf =
        new NeuralNetConfiguration.Builder()
            .seed(3)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.0))
            .list()
            .layer(new DenseLayer.Builder().nOut(8).activation(Activation.IDENTITY).build())
            .layer(new BatchNormalization.Builder().build())
            .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
            .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(3)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.feedForward(6))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    INDArray w0 = net.getLayer(0).getParam("W");
    INDArray gamma = net.getLayer(1).getParam("gamma");
    INDArray beta = net.getLayer(1).getParam("beta");
    INDArray w3 = net.getLayer(3).getParam("W");
    gamma.putScalar(2, 0);
    beta.putScalar(2, 0);
    w3.getRow(2).assign(0);
    w0.getColumn(1).assign(w0.getColumn(0).mul(3));
    gamma.putScalar(0, 0.8);
    gamma.putScalar(1, 0.8);
    beta.putScalar(0, 0.1);
    beta.putScalar(1, 0.1);
    w3.getRow(1).assign(w3.getRow(0));
    return net;
  }

  @Test
  void unitPlantedDeadThroughGammaBetaAndOutgoingCountsAndTheScaledTwinMerges() {
    MultiLayerNetwork net = batchNormPlanted();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config = PlasticityConfig.builder().runId("bn").outputDirectory(dir).build();
    DataSet data = data(32, 6, 3, 1);
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask("only", TaskData.builder().probe(data.getFeatures()).build());
      net.fit(data);
      TaskSummary summary = listener.endTask();
      LayerMeasures l0 = summary.layers().get(0).measures();
      assertThat(l0.layer()).isEqualTo("layer0");
      assertThat(l0.hidden()).isTrue();
      assertThat(l0.unitMeasures().deadUnits()).containsExactly(2);
      assertThat(l0.unitMeasures().mergedUnits()).containsExactly(1);
      assertThat(l0.unitMeasures().distinct()).isEqualTo(6);
      assertThat(
              registry
                  .get("plasticity.dead.units")
                  .tags("layer", "layer0", "criterion", "weights")
                  .gauge()
                  .value())
          .isEqualTo(1);
      assertThat(registry.get("plasticity.merged.units").tags("layer", "layer0").gauge().value())
          .isEqualTo(1);
      // Activations are read after the batch norm and ReLU: the dead unit outputs ReLU(0) = 0.
      assertThat(l0.activations().deadByActivations()).isGreaterThanOrEqualTo(1);
      assertThat(summary.layers()).extracting(l -> l.measures().layer()).doesNotContain("layer1");
    }
    assertThat(ModelAnalysis.notes(net))
        .anySatisfy(n -> assertThat(n).contains("'layer1'", "layer0"));
  }

  /**
   * γ = β = 0 with the outgoing weights left non-zero: the product ‖(γ, β)‖·‖z‖ is 0 all the same,
   * so the unit is dead, as a dense unit with zero incoming weights is (contract item 1).
   */
  @Test
  void gammaAndBetaAtZeroAreDeadByTheProductCriterion() {
    MultiLayerNetwork net = batchNormPlanted();
    net.getLayer(3).getParam("W").getRow(2).assign(0.5);
    List<LayerMeasures> m =
        ModelAnalysis.analyze(net, data(16, 6, 3, 2).getFeatures(), Thresholds.DEFAULTS);
    assertThat(m.get(0).unitMeasures().deadUnits()).containsExactly(2);
    assertThat(m.get(0).unitMeasures().deadDistance().p10()).isZero();
  }

  /**
   * Layer normalisation (DenseLayer with hasLayerNorm): unit 1 planted dead through gain g = 0,
   * bias b = 0 and zero outgoing weights; scaling the whole W changes no measure (one scale for the
   * layer is free), scaling one column does change its direction's length.
   */
  @Test
  void layerNormUnitsUseTheirGainAndBiasAndIgnoreTheLayersScale() {
    var conf =
        new NeuralNetConfiguration.Builder()
            .seed(4)
            .dataType(DataType.DOUBLE)
            .updater(new Sgd(0.0))
            .list()
            .layer(
                new DenseLayer.Builder()
                    .nOut(6)
                    .hasLayerNorm(true)
                    .activation(Activation.RELU)
                    .build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(3)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.feedForward(5))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.getLayer(0).getParam("g").putScalar(1, 0);
    net.getLayer(0).getParam("b").putScalar(1, 0);
    net.getLayer(1).getParam("W").getRow(1).assign(0);
    INDArray probe = data(8, 5, 3, 4).getFeatures().castTo(DataType.DOUBLE);
    LayerMeasures before = ModelAnalysis.analyze(net, probe, Thresholds.DEFAULTS).get(0);
    assertThat(before.unitMeasures().deadUnits()).containsExactly(1);

    net.getLayer(0).getParam("W").muli(7);
    LayerMeasures scaled = ModelAnalysis.analyze(net, probe, Thresholds.DEFAULTS).get(0);
    assertThat(scaled.unitMeasures().deadDistance().median())
        .isCloseTo(
            before.unitMeasures().deadDistance().median(),
            org.assertj.core.api.Assertions.within(1e-9));
    assertThat(scaled.unitMeasures().mergeDistance().p10())
        .isCloseTo(
            before.unitMeasures().mergeDistance().p10(),
            org.assertj.core.api.Assertions.within(1e-9));
  }

  /** LSTM(3 → 5) → RnnOutputLayer: units 1 and 3 planted at the fixed set of their swap. */
  @Test
  void plantedTwinInAnLstmCounts() {
    for (boolean graves : new boolean[] {false, true}) {
      var b =
          new NeuralNetConfiguration.Builder()
              .seed(5)
              .dataType(DataType.FLOAT)
              .updater(new Sgd(0.0))
              .list();
      b.layer(
          graves
              ? new GravesLSTM.Builder().nOut(5).activation(Activation.TANH).build()
              : new LSTM.Builder().nOut(5).activation(Activation.TANH).build());
      b.layer(
          new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
              .nOut(3)
              .activation(Activation.SOFTMAX)
              .build());
      b.setInputType(InputType.recurrent(3, 4));
      MultiLayerNetwork net = new MultiLayerNetwork(b.build());
      net.init();
      plantLstmTwin(net, 1, 3, 5);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      PlasticityConfig config =
          PlasticityConfig.builder()
              .runId(graves ? "graves-lstm" : "lstm")
              .outputDirectory(dir)
              .build();
      INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, 4);
      try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
        net.addListeners(listener);
        listener.startTask("only", TaskData.builder().probe(x).build());
        net.fit(x, Nd4j.zeros(DataType.FLOAT, 8, 3, 4).putScalar(0, 0, 0, 1));
        TaskSummary summary = listener.endTask();
        LayerMeasures lstm = summary.layers().get(0).measures();
        assertThat(lstm.layer()).as("graves %s", graves).isEqualTo("layer0");
        assertThat(lstm.unitMeasures().mergedUnits()).as("graves %s", graves).containsExactly(3);
        assertThat(lstm.unitMeasures().deadByWeights()).isZero();
        assertThat(registry.get("plasticity.merged.units").tags("layer", "layer0").gauge().value())
            .isEqualTo(1);
        assertThat(
                registry
                    .get("plasticity.rank")
                    .tags("layer", "layer0", "of", "recurrent_weights", "measure", "numerical")
                    .gauge()
                    .value())
            .isPositive();
        assertThat(lstm.activations()).isNotNull();
      }
    }
  }

  /** Makes the LSTM's parameters a fixed point of swapping units i and j, self ≠ cross weight. */
  private static void plantLstmTwin(MultiLayerNetwork net, int i, int j, int n) {
    INDArray w = net.getLayer(0).getParam("W");
    INDArray rw = net.getLayer(0).getParam("RW");
    INDArray b = net.getLayer(0).getParam("b");
    INDArray out = net.getLayer(1).getParam("W");
    for (int g = 0; g < 4; g++) {
      int ci = g * n + i;
      int cj = g * n + j;
      w.getColumn(cj).assign(w.getColumn(ci));
      b.putScalar(cj, b.getDouble(ci));
      for (int r = 0; r < n; r++) {
        if (r != i && r != j) {
          rw.putScalar(r, cj, rw.getDouble(r, ci));
        }
      }
      for (int u = 0; u < n; u++) {
        if (u != i && u != j) {
          rw.putScalar(j, g * n + u, rw.getDouble(i, g * n + u));
        }
      }
      rw.putScalar(j, cj, rw.getDouble(i, ci)); // self-weights equal
      rw.putScalar(j, ci, rw.getDouble(i, cj)); // cross-weights equal
    }
    for (long p = 4L * n; p < rw.size(1); p++) { // GravesLSTM's peepholes
      rw.putScalar(j, p, rw.getDouble(i, p));
    }
    out.getRow(j).assign(out.getRow(i));
    assertThat(rw.getDouble(i, i)).isNotEqualTo(rw.getDouble(i, j));
    assertThat(rw.get(NDArrayIndex.point(j), NDArrayIndex.all()).length()).isEqualTo(rw.size(1));
  }

  private static DataSet data(int examples, int inputs, int classes, long seed) {
    Random r = new Random(seed);
    INDArray x = Nd4j.create(DataType.FLOAT, examples, inputs);
    INDArray y = Nd4j.zeros(DataType.FLOAT, examples, classes);
    for (int e = 0; e < examples; e++) {
      for (int k = 0; k < inputs; k++) {
        x.putScalar(e, k, r.nextGaussian());
      }
      y.putScalar(e, r.nextInt(classes), 1);
    }
    return new DataSet(x, y);
  }
}
