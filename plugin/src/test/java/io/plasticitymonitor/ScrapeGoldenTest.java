package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole Prometheus exposition of a 3 → 2 → 2 network whose every weight is set by hand, against
 * a golden file. Only the analysis timer's lines are left out (they hold durations).
 *
 * <p>By hand: layer0 W = [[1,0],[0,1],[0,0]], b = 0, so a_0 = (1,0,0,0) and a_1 = (0,1,0,0); the
 * output W = [[1,0],[0,2]] gives z_0 = (1,0) and z_1 = (0,2). Norm products 1 and 2, mean 1.5: dead
 * distance p10 = 1/1.5 = 0.667, median the same (nearest rank ⌈0.5·2⌉ = 1st). Twins: ‖θ_0 − θ_1‖ =
 * √7, max norm √5, so the merge distance is √(7/5) = 1.183. Layer0's weights have σ = (1, 1): srank
 * 2, effective 2, stable 2, numerical 2. The probe x = [[1,2,0],[3,0,0]] gives ReLU activations
 * [[1,2],[3,0]], mean |h| = (2, 1), layer mean 1.5: nobody dormant.
 *
 * <p>The learning rate is 0, so the one training step (measured: the first always is) leaves the
 * loss as it was: step plasticity 0. Against the baseline given with the task, the accuracy gap is
 * 0.875 − 0.75 = 0.125 and the score gap the end score minus 3.
 */
class ScrapeGoldenTest {
  @TempDir Path dir;

  @Test
  void scrapeTextMatchesTheGoldenFile() throws Exception {
    MultiLayerNetwork net = Networks.mlp(0.0, 1, 3, 2, 2);
    net.getLayer(0)
        .getParam("W")
        .assign(Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}, {0, 0}}));
    net.getLayer(0).getParam("b").assign(0);
    net.getLayer(1).getParam("W").assign(Nd4j.createFromArray(new float[][] {{1, 0}, {0, 2}}));
    net.getLayer(1).getParam("b").assign(0);
    INDArray probe =
        Nd4j.createFromArray(new float[][] {{1, 2, 0}, {3, 0, 0}}).castTo(DataType.FLOAT);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PlasticityConfig config =
        PlasticityConfig.builder().runId("golden").outputDirectory(dir).build();
    String scrape;
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask(
          "t", TaskData.builder().probe(probe).baseline(0.875).baselineScore(3.0).build());
      net.fit(probe, Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}}));
      listener.endTask(0.75);
      scrape = registry.scrape();
    }
    String actual =
        Arrays.stream(scrape.split("\n"))
            .filter(
                l -> !l.contains("plasticity_analysis_seconds") && !l.contains("training_score"))
            .sorted()
            .collect(Collectors.joining("\n", "", "\n"));
    String expected =
        new String(
            getClass().getResourceAsStream("/golden-scrape.txt").readAllBytes(),
            StandardCharsets.UTF_8);
    if (System.getenv("UPDATE_GOLDEN") != null) {
      Files.writeString(Path.of("src/test/resources/golden-scrape.txt"), actual);
    }
    assertThat(actual).isEqualTo(expected);
  }
}
