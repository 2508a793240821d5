package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.inject.Guice;
import com.google.inject.multibindings.OptionalBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
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
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("pw")
            .outputDirectory(dir)
            .probeSize(32)
            .analysisBudget(1.0)
            .build();
    MultiLayerNetwork net = Networks.mlp(0.05, 3, 20, 16, 16, 4);
    DataSet data = Networks.data(1024, 20, 4, 9);
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      listener.watch(net); // the workers train replicas; task ends analyse the averaged network
      ParallelWrapper pw =
          new ParallelWrapper.Builder<>(net)
              .workers(2)
              .prefetchBuffer(4)
              .averagingFrequency(2)
              .build();
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

  /**
   * The schedule's clock moves on an hour before each iteration's callback (a listener ahead of the
   * monitor's moves it) and analyses run on the training thread: so every iteration from the one
   * that fills the probe analyses, none is skipped, and the count is exact.
   */
  @Test
  void periodicAnalysesPublishWhileTrainingAndTasksMayEndFromAnotherThread() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("periodic")
            .outputDirectory(dir)
            .probeSize(32)
            .analysisBudget(1.0)
            .build();
    AtomicLong now = new AtomicLong();
    PlasticityListener listener =
        Guice.createInjector(
                new PlasticityMonitorModule(config),
                b -> {
                  OptionalBinder.newOptionalBinder(b, MeterRegistry.class)
                      .setBinding()
                      .toInstance(registry);
                  OptionalBinder.newOptionalBinder(b, AnalysisSchedule.Clock.class)
                      .setBinding()
                      .toInstance(now::get);
                  OptionalBinder.newOptionalBinder(b, AnalysisThread.class)
                      .setBinding()
                      .toInstance(run -> MoreExecutors.newDirectExecutorService());
                })
            .getInstance(PlasticityListener.class);
    MultiLayerNetwork net = Networks.mlp(0.05, 3, 20, 32, 4);
    DataSet data = Networks.data(2048, 20, 4, 9);
    int batch = 16;
    int iterations = 3 * 2048 / batch;
    try (listener) {
      net.addListeners(
          new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
              now.addAndGet(TimeUnit.HOURS.toNanos(1));
            }
          });
      net.addListeners(listener);
      listener.startTask("t");
      for (int epoch = 0; epoch < 3; epoch++) {
        net.fit(Networks.iterator(data, batch));
      }
      int probeFilledAt = 32 / batch; // the iteration (1-based) whose batch completes the probe
      assertThat(registry.get("plasticity.analysis").timer().count())
          .as("one periodic analysis per iteration from the one that fills the probe")
          .isEqualTo(iterations - probeFilledAt + 1);
      assertThat(registry.get("plasticity.analysis.skipped").counter().count()).isZero();
      assertThat(registry.get("plasticity.last.analysis.iteration").gauge().value())
          .as("published while training")
          .isEqualTo(iterations - 1);
      TaskSummary s = CompletableFuture.supplyAsync(listener::endTask).get();
      assertThat(s.iterations()).isEqualTo(iterations);
      assertThat(registry.get("plasticity.analysis").timer().count())
          .isEqualTo(iterations - probeFilledAt + 2);
      assertThat(registry.get("plasticity.last.analysis.iteration").gauge().value())
          .isEqualTo(iterations - 1);
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();
    }
  }
}
