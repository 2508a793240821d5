package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.RankMeasures;
import io.plasticitymonitor.analysis.UnitMeasures;
import io.plasticitymonitor.report.LayerSummary;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.TextGenerationLSTM;
import org.deeplearning4j.zoo.model.UNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's model zoo as a test bed: real architectures (residual CNNs with batch normalisation, a
 * U-Net with merges, a VGG, a recurrent text model), built by {@code deeplearning4j-zoo} at random
 * initialisation (no weights are downloaded) with small inputs, trained for two tasks of two
 * iterations on random data of their input shape with the listener attached as a user would. The
 * monitor must measure every layer with parameters or say why not, never fail, publish counts that
 * are in range and gauges that match them, and give a scrape that {@code promtool check metrics}
 * accepts (Debian package {@code prometheus}; the test fails, not skips, without it).
 */
public class ZooNetworksTest {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final int BATCH = 2;
  private static final int ITERATIONS = 2;

  @TempDir Path dir;

  /** A zoo network and random data of its input and output shape. */
  public record Zoo(String name, Supplier<Model> model, Supplier<DataSet> data) {
    @Override
    public String toString() {
      return name;
    }
  }

  public static Stream<Arguments> zoo() {
    return Stream.of(resNet50(), vgg16(), simpleCnn(), darknet19(), uNet(), textGenerationLstm())
        .map(Arguments::of);
  }

  /** 96×96 is the smallest input whose final 3×3 pooling still fits after ResNet50's stride 32. */
  static Zoo resNet50() {
    return new Zoo(
        "ResNet50",
        () ->
            ResNet50.builder()
                .numClasses(4)
                .inputShape(new int[] {3, 96, 96})
                .seed(1)
                .build()
                .init(),
        () -> new DataSet(images(3, 96, 96, 1), oneHot(4, 2)));
  }

  /** VGG16 reads flattened images ({@code InputType.convolutionalFlat}). */
  static Zoo vgg16() {
    return new Zoo(
        "VGG16",
        () ->
            VGG16.builder().numClasses(4).inputShape(new int[] {3, 32, 32}).seed(1).build().init(),
        () -> new DataSet(images(3, 32, 32, 3).reshape(BATCH, 3 * 32 * 32), oneHot(4, 4)));
  }

  /**
   * SimpleCNN ends in a softmax activation without a loss, so DL4J cannot fit it as it is; a loss
   * layer is appended by DL4J's own transfer-learning API, every zoo layer kept.
   */
  static Zoo simpleCnn() {
    return new Zoo(
        "SimpleCNN",
        () -> {
          MultiLayerNetwork zoo =
              (MultiLayerNetwork)
                  SimpleCNN.builder()
                      .numClasses(4)
                      .inputShape(new int[] {3, 48, 48})
                      .seed(1)
                      .build()
                      .init();
          return new TransferLearning.Builder(zoo)
              .fineTuneConfiguration(new FineTuneConfiguration.Builder().build())
              .addLayer(
                  new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(
                          LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                      .activation(Activation.IDENTITY)
                      .build())
              .build();
        },
        () -> new DataSet(images(3, 48, 48, 5), oneHot(4, 6)));
  }

  static Zoo darknet19() {
    return new Zoo(
        "Darknet19",
        () ->
            Darknet19.builder()
                .numClasses(4)
                .inputShape(new int[] {3, 64, 64})
                .seed(1)
                .build()
                .init(),
        () -> new DataSet(images(3, 64, 64, 7), oneHot(4, 8)));
  }

  /** U-Net pools four times: 32×32 is the smallest input that stays whole. */
  static Zoo uNet() {
    return new Zoo(
        "UNet",
        () -> UNet.builder().inputShape(new int[] {3, 32, 32}).seed(1).build().init(),
        () -> new DataSet(images(3, 32, 32, 9), mask(32, 32, 10)));
  }

  static Zoo textGenerationLstm() {
    int steps = 8;
    int characters = 12;
    return new Zoo(
        "TextGenerationLSTM",
        () ->
            TextGenerationLSTM.builder()
                .maxLength(steps)
                .totalUniqueCharacters(characters)
                .inputShape(new int[] {steps, characters})
                .build()
                .init(),
        () -> new DataSet(sequences(characters, steps, 11), sequences(characters, steps, 12)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("zoo")
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void everyLayerIsMeasuredOrSkippedWithAReasonAndTheScrapeIsValid(Zoo zoo) throws Exception {
    Model model = zoo.model().get();
    List<String> withParameters = layersWithParameters(model);
    List<String> notes = ModelAnalysis.notes(model);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PlasticityConfig config =
        PlasticityConfig.builder().runId(zoo.name()).outputDirectory(dir).probeSize(4).build();
    List<TaskSummary> summaries = new ArrayList<>();
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      model.addListeners(listener);
      for (String task : List.of("a", "b")) {
        listener.startTask(task);
        for (int i = 0; i < ITERATIONS; i++) {
          DataSet data = zoo.data().get();
          assertThatCode(() -> fit(model, data))
              .as("training %s", zoo.name())
              .doesNotThrowAnyException();
        }
        summaries.add(listener.endTask());
      }
      assertThat(registry.get("plasticity.analysis.errors").counter().count())
          .as("analysis errors")
          .isZero();
      gaugesMatch(registry, summaries.get(1));
      promtoolAccepts(registry.scrape());
    }
    for (TaskSummary s : summaries) {
      assertThat(s.iterations()).isEqualTo(ITERATIONS);
      assertThat(s.absorbedRatio())
          .as("NaN only without hidden layers")
          .satisfiesAnyOf(r -> assertThat(r).isBetween(0.0, 1.0), r -> assertThat(r).isNaN());
      List<String> measured = s.layers().stream().map(l -> l.measures().layer()).toList();
      assertThat(measured).as("measured layers of %s", zoo.name()).isNotEmpty();
      for (String layer : withParameters) {
        if (!measured.contains(layer)) {
          assertThat(notes)
              .as("layer '%s' of %s is neither measured nor explained", layer, zoo.name())
              .anySatisfy(n -> assertThat(n).contains("'" + layer + "'"));
        }
      }
      s.layers().forEach(l -> assertInRange(l.measures()));
    }
  }

  /** Every layer's gauges read what the task summary says, NaN where a measure does not apply. */
  private static void gaugesMatch(PrometheusMeterRegistry registry, TaskSummary last) {
    for (LayerSummary l : last.layers()) {
      LayerMeasures m = l.measures();
      String name = m.layer();
      assertThat(layerGauge(registry, "plasticity.layer.units", name).value()).isEqualTo(m.units());
      assertThat(
              registry
                  .get("plasticity.rank")
                  .tags("layer", name, "of", "weights", "measure", "srank")
                  .gauge()
                  .value())
          .isEqualTo(m.weightRank().srank());
      Gauge dead =
          registry
              .find("plasticity.dead.units")
              .tags("layer", name, "criterion", "weights")
              .gauge();
      if (m.unitMeasures() != null) {
        assertThat(dead).as("dead-units gauge of hidden layer %s", name).isNotNull();
        assertThat(dead.value()).isEqualTo(m.unitMeasures().deadByWeights());
      } else if (m.hidden()) {
        assertThat(dead)
            .as("dead-units gauge of hidden layer %s, not measurable", name)
            .isNotNull();
        assertThat(dead.value()).as("dead units of %s, not measurable", name).isNaN();
      } else {
        assertThat(dead).as("output layer %s has no dead units", name).isNull();
      }
      if (m.recurrentRank() != null) {
        assertThat(
                registry
                    .get("plasticity.rank")
                    .tags("layer", name, "of", "recurrent_weights", "measure", "srank")
                    .gauge()
                    .value())
            .isEqualTo(m.recurrentRank().srank());
      }
    }
    assertThat(registry.getMeters())
        .allSatisfy(
            meter ->
                meter
                    .measure()
                    .forEach(
                        sample ->
                            assertThat(sample.getValue())
                                .as("%s", meter.getId())
                                .satisfiesAnyOf(
                                    v -> assertThat(v).isNaN(), v -> assertThat(v).isFinite())));
  }

  /** Convolutions followed by batch normalisation and recurrent layers have per-unit measures. */
  @Test
  void batchNormalisedAndRecurrentUnitsAreMeasured() {
    ComputationGraph resNet = (ComputationGraph) resNet50().model().get();
    List<LayerMeasures> res =
        ModelAnalysis.analyze(
            resNet, images(3, 96, 96, 21), io.plasticitymonitor.analysis.Thresholds.DEFAULTS);
    // res2a_branch2a → bn2a_branch2a → ReLU → res2a_branch2b: a conv whose units are normalised.
    LayerMeasures conv =
        res.stream().filter(m -> m.layer().equals("res2a_branch2a")).findFirst().orElseThrow();
    assertThat(conv.unitMeasures()).isNotNull();
    assertThat(conv.activations()).isNotNull();
    assertThat(conv.unitMeasures().deadByWeights())
        .as("fresh network: γ = 1 on every channel")
        .isZero();
    // Every convolution of ResNet50 is followed by batch norm, the output layer by nothing: all
    // hidden layers have per-unit measures, through the residual adds too.
    assertThat(res.stream().filter(LayerMeasures::hidden))
        .allSatisfy(m -> assertThat(m.unitMeasures()).as(m.layer()).isNotNull())
        .hasSize(53);
    assertThat(ModelAnalysis.notes(resNet))
        .filteredOn(n -> n.contains("BatchNormalization"))
        .hasSize(53)
        .allSatisfy(n -> assertThat(n).contains("measured as the scale and shift"));

    MultiLayerNetwork text = (MultiLayerNetwork) textGenerationLstm().model().get();
    List<LayerMeasures> lstm =
        ModelAnalysis.analyze(
            text, sequences(12, 8, 22), io.plasticitymonitor.analysis.Thresholds.DEFAULTS);
    assertThat(lstm).extracting(LayerMeasures::layer).contains("layer0", "layer1");
    assertThat(lstm.get(0).unitMeasures()).isNotNull();
    assertThat(lstm.get(0).unitMeasures().merged()).as("random init has no twins").isZero();
    assertThat(lstm.get(0).recurrentRank().max()).isEqualTo(256);
    assertThat(lstm.get(1).unitMeasures()).as("layer1 feeds the output layer").isNotNull();
  }

  private static void assertInRange(LayerMeasures m) {
    assertThat(m.units()).as(m.layer()).isPositive();
    assertThat(m.nonfiniteParameters()).as(m.layer()).isZero();
    assertThat(m.weightMagnitude()).as(m.layer()).isFinite().isPositive();
    assertRank(m.layer(), m.weightRank());
    UnitMeasures u = m.unitMeasures();
    if (u != null) {
      assertThat(u.deadByWeights()).as(m.layer()).isBetween(0, m.units());
      assertThat(u.merged()).as(m.layer()).isBetween(0, m.units() - u.deadByWeights());
      assertThat(u.distinct()).as(m.layer()).isEqualTo(m.units() - u.deadByWeights() - u.merged());
      if (u.deadDistance() != null) {
        assertThat(u.deadDistance().p10()).as(m.layer()).isBetween(0.0, u.deadDistance().median());
      }
      if (u.mergeDistance() != null) {
        assertThat(u.mergeDistance().p10())
            .as(m.layer())
            .isBetween(0.0, u.mergeDistance().median());
        assertThat(u.mergeDistance().median()).as(m.layer()).isLessThanOrEqualTo(2.0);
      }
    }
    if (m.activations() != null) {
      assertThat(m.activations().deadByActivations()).as(m.layer()).isBetween(0, m.units());
      assertRank(m.layer(), m.activations().rank());
    }
  }

  private static void assertRank(String layer, RankMeasures r) {
    assertThat(r.srank()).as(layer).isBetween(0, r.max());
    assertThat(r.numerical()).as(layer).isBetween(0, r.max());
    assertThat(r.effective()).as(layer).isBetween(0.0, r.max() + 1e-9);
    assertThat(r.stable()).as(layer).isBetween(0.0, r.max() + 1e-9);
  }

  private static Gauge layerGauge(PrometheusMeterRegistry registry, String name, String layer) {
    return registry.get(name).tags("layer", layer).gauge();
  }

  private void promtoolAccepts(String scrape) throws Exception {
    assertThat(PROMTOOL).as("promtool (Debian package prometheus)").exists();
    Path file = Files.writeString(dir.resolve("scrape.txt"), scrape, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
            .redirectInput(file.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics says: %s", out).isZero();
  }

  /** Names of every layer that has parameters, as the metric contract names layers. */
  private static List<String> layersWithParameters(Model model) {
    List<String> names = new ArrayList<>();
    if (model instanceof MultiLayerNetwork mln) {
      for (int i = 0; i < mln.getnLayers(); i++) {
        String n = mln.getLayerWiseConfigurations().getConf(i).getLayer().getLayerName();
        if (mln.getLayer(i).numParams() > 0) {
          names.add(n != null ? n : "layer" + i);
        }
      }
    } else {
      for (Layer l : ((ComputationGraph) model).getLayers()) {
        if (l.numParams() > 0) {
          names.add(l.conf().getLayer().getLayerName());
        }
      }
    }
    return names;
  }

  private static void fit(Model model, DataSet data) {
    if (model instanceof MultiLayerNetwork mln) {
      mln.fit(data);
    } else {
      ((ComputationGraph) model).fit(data);
    }
  }

  private static INDArray images(int channels, int height, int width, long seed) {
    Random r = new Random(seed);
    float[] v = new float[BATCH * channels * height * width];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat();
    }
    return Nd4j.create(v, new long[] {BATCH, channels, height, width}, DataType.FLOAT);
  }

  private static INDArray oneHot(int classes, long seed) {
    Random r = new Random(seed);
    INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, classes);
    for (int i = 0; i < BATCH; i++) {
      y.putScalar(i, r.nextInt(classes), 1f);
    }
    return y;
  }

  private static INDArray mask(int height, int width, long seed) {
    Random r = new Random(seed);
    INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 1, height, width);
    for (int i = 0; i < BATCH; i++) {
      for (int h = 0; h < height; h++) {
        for (int w = 0; w < width; w++) {
          y.putScalar(new int[] {i, 0, h, w}, r.nextBoolean() ? 1f : 0f);
        }
      }
    }
    return y;
  }

  /** One-hot characters, {@code [batch, characters, steps]}. */
  private static INDArray sequences(int characters, int steps, long seed) {
    Random r = new Random(seed);
    INDArray x = Nd4j.zeros(DataType.FLOAT, BATCH, characters, steps);
    for (int i = 0; i < BATCH; i++) {
      for (int t = 0; t < steps; t++) {
        x.putScalar(new int[] {i, r.nextInt(characters), t}, 1f);
      }
    }
    return x;
  }
}
