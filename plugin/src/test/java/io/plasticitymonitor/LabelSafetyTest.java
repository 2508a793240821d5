package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plasticitymonitor.analysis.LayerData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Label values from user input. Layer names come from the user's network configuration and become
 * the {@code layer} label: names with quotes, backslashes, newlines, tabs, non-ASCII letters and
 * great length still give a valid scrape, checked by {@code promtool check metrics} (Debian package
 * prometheus), one series per layer. Detector names, which become the {@code symmetry} label, are
 * checked when the listener is made; run ids by the config (PlasticityConfigTest); task names never
 * become labels (SeriesBoundTest).
 */
class LabelSafetyTest {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final List<String> NAMES =
      List.of(
          "he said \"hi\"",
          "back\\slash\\",
          "two\nlines\r\n",
          "tab\there",
          "ünïcødé-层-😀",
          "x".repeat(300),
          "} 1\nfake_metric{a=\"b\"} 2\n# HELP");

  @TempDir Path dir;

  private static MultiLayerNetwork named(List<String> hidden) {
    var b =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.1))
            .weightInit(WeightInit.RELU)
            .list();
    int in = 4;
    for (String name : hidden) {
      b.layer(
          new DenseLayer.Builder().name(name).nIn(in).nOut(5).activation(Activation.RELU).build());
      in = 5;
    }
    b.layer(
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .name("out \"final\"")
            .nIn(in)
            .nOut(2)
            .activation(Activation.SOFTMAX)
            .build());
    MultiLayerNetwork net = new MultiLayerNetwork(b.build());
    net.init();
    return net;
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void hostileLayerNamesGiveAValidScrapeWithOneSeriesPerLayer() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PlasticityConfig config =
        PlasticityConfig.builder().runId("labels").outputDirectory(dir).build();
    MultiLayerNetwork net = named(NAMES);
    String scrape;
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      net.fit(Networks.data(16, 4, 2, 1));
      listener.endTask();
      scrape = registry.scrape();
    }

    // Every layer is its own series: the label values, unescaped, are distinct and readable.
    Set<String> layers = new TreeSet<>();
    Matcher m =
        Pattern.compile("^plasticity_layer_units\\{(.*)\\} \\S+$", Pattern.MULTILINE)
            .matcher(scrape);
    while (m.find()) {
      Matcher layer = Pattern.compile("layer=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
      assertThat(layer.find()).isTrue();
      layers.add(layer.group(1).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    assertThat(layers).as("one series per layer").hasSize(NAMES.size() + 1);
    assertThat(layers)
        .allSatisfy(
            v -> {
              assertThat(v).doesNotContain("\n", "\r", "\t");
              assertThat(v.length()).isLessThanOrEqualTo(128);
            });
    assertThat(layers).contains("he said \"hi\"", "back\\slash\\", "out \"final\"");
    assertThat(scrape)
        .as("no line injected through a name")
        .doesNotContainPattern("(?m)^fake_metric");

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

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void namesThatCleanToTheSameLabelStaySeparateSeries() throws Exception {
    // Cleaning (non-ASCII to '_', 128 characters at most) maps these pairs to one value each; the
    // second of each pair gets a suffix instead of silently losing its series.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PlasticityConfig config =
        PlasticityConfig.builder().runId("collide").outputDirectory(dir).build();
    String longName = "y".repeat(200);
    MultiLayerNetwork net = named(List.of("dense-é", "dense-ü", longName, longName + "-2"));
    String scrape;
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      net.fit(Networks.data(16, 4, 2, 1));
      listener.endTask();
      scrape = registry.scrape();
    }
    List<String> units =
        scrape.lines().filter(l -> l.startsWith("plasticity_layer_units{")).toList();
    assertThat(units).as("one series per layer").hasSize(5);
    String y128 = "y".repeat(128);
    assertThat(units)
        .anySatisfy(l -> assertThat(l).contains("layer=\"dense-_\""))
        .anySatisfy(l -> assertThat(l).contains("layer=\"dense-_~2\""))
        .anySatisfy(l -> assertThat(l).contains("layer=\"" + y128 + "\""))
        .anySatisfy(l -> assertThat(l).contains("layer=\"" + y128.substring(2) + "~2\""));
    assertThat(scrape.lines().filter(l -> l.startsWith("plasticity_rank{")).count())
        .as("every gauge of each layer is there: 4 hidden layers × 2 of × 4 measures + output 4")
        .isEqualTo(4 * 2 * 4 + 4);
  }

  @Test
  void aDetectorNameThatIsNotASafeLabelValueIsRefusedAtConstruction() {
    for (String name : new String[] {"sign\"flip", "Sign", "two\nlines", "", "x".repeat(41)}) {
      SymmetryDetector d =
          new SymmetryDetector() {
            @Override
            public String name() {
              return name;
            }

            @Override
            public double absorbedUnits(LayerData layer) {
              return 0;
            }
          };
      PlasticityConfig config =
          PlasticityConfig.builder().runId("detectors").outputDirectory(dir).build();
      assertThatThrownBy(
              () ->
                  PlasticityMonitors.listener(
                      config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Set.of(d)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("SymmetryDetector.name()")
          .hasMessageContaining("(got: \"" + name + "\")");
    }
  }
}
