package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The number of series does not grow with tasks or iterations: 1,000 short tasks of one iteration
 * each, then one long task, on a tiny real network, and the registry's meters and the scrape's
 * series are the same set after the last task as after the first.
 */
class SeriesBoundTest {
  private static final int TASKS = 1_000;
  private static final int LONG_TASK_ITERATIONS = 500;

  @TempDir Path dir;

  private static Set<String> meterIds(PrometheusMeterRegistry registry) {
    return registry.getMeters().stream()
        .map(Meter::getId)
        .map(Object::toString)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Each sample line's series, {@code name{labels}}, without its value. */
  static Set<String> series(String scrape) {
    return Arrays.stream(scrape.split("\n"))
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.substring(0, l.lastIndexOf(' ')))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aThousandTasksAndManyIterationsAddNoSeries(TestReporter reporter) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // analysisBudget 1.0: periodic analyses run back to back, so they too are exercised.
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("series")
            .outputDirectory(dir)
            .probeSize(8)
            .analysisBudget(1.0)
            .build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 6, 6, 2);
    DataSet batch = Networks.data(8, 4, 2, 1);
    Set<String> metersAfterFirst = null;
    Set<String> seriesAfterFirst = null;
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      for (int n = 1; n <= TASKS; n++) {
        listener.startTask("task-" + n); // a new name every time: names must never become labels
        net.fit(batch);
        listener.endTask();
        if (n == 1) {
          metersAfterFirst = meterIds(registry);
          seriesAfterFirst = series(registry.scrape());
        }
      }
      assertThat(meterIds(registry)).as("meters after %d tasks", TASKS).isEqualTo(metersAfterFirst);
      String scrape = registry.scrape();
      assertThat(series(scrape)).as("series after %d tasks", TASKS).isEqualTo(seriesAfterFirst);
      assertThat(scrape).doesNotContain("task-");

      listener.startTask("long");
      for (int i = 0; i < LONG_TASK_ITERATIONS; i++) {
        net.fit(batch);
      }
      listener.endTask();
      assertThat(meterIds(registry)).isEqualTo(metersAfterFirst);
      assertThat(series(registry.scrape()))
          .as("series after a %d-iteration task", LONG_TASK_ITERATIONS)
          .isEqualTo(seriesAfterFirst);
      assertThat(registry.get("plasticity.analysis").timer().count())
          .as("periodic analyses ran too")
          .isGreaterThan(TASKS + 1);
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();
    }
    // 3 layers: 2 hidden (units, dead×2, merged, distinct, distances×4, ranks 2×5, magnitude,
    // nonfinite) and the output (units, weight ranks, magnitude, nonfinite) plus the run's meters.
    reporter.publishEntry(
        "series",
        seriesAfterFirst.size()
            + " series, "
            + metersAfterFirst.size()
            + " meters after task 1, after task "
            + TASKS
            + " and after a task of "
            + LONG_TASK_ITERATIONS
            + " iterations");
    assertThat(seriesAfterFirst).hasSizeBetween(40, 80);
    assertThat(Files.readAllLines(dir.resolve("series").resolve("tasks.jsonl"))).hasSize(TASKS + 1);
  }
}
