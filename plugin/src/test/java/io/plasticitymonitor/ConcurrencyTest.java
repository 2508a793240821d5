package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/** One listener shared by ParallelWrapper's workers; periodic analyses while training runs. */
class ConcurrencyTest {
  @TempDir Path dir;

  @Test
  void parallelWrapperWorkersShareOneListener() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config = PlasticityConfig.builder().runId("pw").outputDirectory(dir)
        .probeSize(32).analysisBudget(1.0).build();
    MultiLayerNetwork net = Networks.mlp(0.05, 3, 20, 16, 16, 4);
    DataSet data = Networks.data(1024, 20, 4, 9);
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.watch(net); // the workers train replicas; task ends analyse the averaged network
      ParallelWrapper pw = new ParallelWrapper.Builder<>(net).workers(2).prefetchBuffer(4)
          .averagingFrequency(2).build();
      for (int task = 1; task <= 2; task++) {
        listener.startTask("task-" + task);
        pw.fit(Networks.iterator(data, 16));
        TaskSummary s = listener.endTask();
        assertThat(s.iterations()).as("every worker's iterations are counted").isEqualTo(1024 / 16);
        assertThat(s.layers()).hasSize(3);
      }
      pw.close();
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();
      assertThat(registry.get("plasticity.analysis").timer().count()).isGreaterThanOrEqualTo(2);
    }
    assertThat(Files.readAllLines(dir.resolve("pw").resolve("tasks.jsonl"))).hasSize(2);
  }

  @Test
  void periodicAnalysesPublishWhileTrainingAndTasksMayEndFromAnotherThread() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config = PlasticityConfig.builder().runId("periodic").outputDirectory(dir)
        .probeSize(32).analysisBudget(1.0).build();
    MultiLayerNetwork net = Networks.mlp(0.05, 3, 20, 32, 4);
    DataSet data = Networks.data(2048, 20, 4, 9);
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.startTask("t");
      for (int epoch = 0; epoch < 3; epoch++) {
        net.fit(Networks.iterator(data, 16));
      }
      // With the whole budget, analyses run back to back: several publish before the task ends.
      assertThat(registry.get("plasticity.last.analysis.iteration").gauge().value()).isPositive();
      long periodic = registry.get("plasticity.analysis").timer().count();
      assertThat(periodic).isGreaterThanOrEqualTo(2);
      TaskSummary s = CompletableFuture.supplyAsync(listener::endTask).get();
      assertThat(s.iterations()).isEqualTo(3 * 2048 / 16);
      assertThat(registry.get("plasticity.last.analysis.iteration").gauge().value())
          .isEqualTo(3 * 2048 / 16 - 1);
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();
    }
  }
}
