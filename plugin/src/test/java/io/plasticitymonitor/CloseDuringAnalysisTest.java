package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plasticitymonitor.analysis.LayerData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/**
 * {@code close()} while a periodic analysis of a bigger layer is in flight: it returns without an
 * exception, waits for that analysis, still records the running task's line, and leaves no thread
 * and no open port behind.
 */
class CloseDuringAnalysisTest {
  @TempDir Path dir;

  /**
   * A detector that says when a periodic analysis reached it, and keeps that analysis running until
   * the thread calling close() is blocked waiting, so the overlap is certain rather than likely.
   */
  private static final class Witness implements SymmetryDetector {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch closing = new CountDownLatch(1);
    final AtomicLong leftAt = new AtomicLong();
    volatile Thread closer;

    @Override
    public String name() {
      return "witness";
    }

    @Override
    public double absorbedUnits(LayerData layer) {
      if (entered.getCount() > 0) {
        entered.countDown();
        try {
          closing.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        // close() has been called; hold on until it waits for this analysis (the test's timeout
        // fails a close() that never waits).
        while (closer.getState() != Thread.State.WAITING
            && closer.getState() != Thread.State.TIMED_WAITING) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        leftAt.set(System.nanoTime());
      }
      return 0;
    }
  }

  private static Set<Thread> monitorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t ->
                t.isAlive()
                    && (t.getName().startsWith("plasticity-")
                        || t.getName().startsWith("HTTP-Dispatcher")))
        .collect(Collectors.toSet());
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void closeWhileAPeriodicAnalysisRunsWaitsForItAndLeavesNothingBehind() throws Exception {
    Set<Thread> before = monitorThreads();
    Witness witness = new Witness();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("close-busy")
            .outputDirectory(dir)
            .probeSize(64)
            .analysisBudget(1.0)
            .metricsPort(0)
            .build();
    MultiLayerNetwork net = Networks.mlp(0.05, 3, 64, 512, 512, 10);
    DataSet data = Networks.data(512, 64, 10, 5);
    PlasticityListener listener = PlasticityMonitors.listener(config, registry, Set.of(witness));
    net.addListeners(listener);
    listener.startTask("busy");
    int port = listener.metricsPort().orElseThrow();
    net.fit(
        Networks.iterator(data, 32)); // the probe fills after 2 batches; then an analysis is due
    assertThat(witness.entered.await(60, TimeUnit.SECONDS))
        .as("a periodic analysis started")
        .isTrue();
    Counter errors = registry.get("plasticity.analysis.errors").counter();
    assertThat(monitorThreads())
        .as("analysis and endpoint threads run")
        .hasSizeGreaterThan(before.size());

    long closeCalled = System.nanoTime();
    witness.closer = Thread.currentThread();
    witness.closing.countDown();
    listener.close(); // must not throw
    long closeReturned = System.nanoTime();

    assertThat(witness.leftAt.get())
        .as("the analysis was still running when close() was called")
        .isGreaterThan(closeCalled)
        .as("close() waited for it")
        .isLessThan(closeReturned);
    List<String> lines = Files.readAllLines(dir.resolve("close-busy").resolve("tasks.jsonl"));
    assertThat(lines).hasSize(1);
    var record = new ObjectMapper().readTree(lines.get(0));
    assertThat(record.get("task").asText()).isEqualTo("busy");
    assertThat(record.get("iterations").asInt()).isEqualTo(512 / 32);
    assertThat(record.get("layers")).hasSize(3);
    assertThat(record.get("layers").get(1).get("units").asInt()).isEqualTo(512);
    assertThat(errors.count()).isZero();
    assertThat(registry.getMeters()).as("close() removes every meter").isEmpty();
    assertThat(monitorThreads()).as("no analysis or endpoint thread left").isEqualTo(before);
    try (Socket s = new Socket()) {
      assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", port), 1000))
          .as("/metrics port closed")
          .isInstanceOf(IOException.class);
    }
    net.fit(Networks.iterator(data, 32)); // the network still trains with the closed listener on it
  }

  /**
   * Tasks ended and the listener closed from a controller thread while another thread trains
   * without pause (a shutdown hook, a scheduler): the end-of-task probe pass runs beside fit().
   * Training sees no exception, no analysis fails, every task's line is there.
   */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void tasksEndedAndCloseCalledFromAnotherThreadWhileFitRuns() throws Exception {
    Set<Thread> before = monitorThreads();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("close-racing")
            .outputDirectory(dir)
            .probeSize(48)
            .analysisBudget(0.5)
            .build();
    MultiLayerNetwork net = Networks.mlp(0.05, 3, 64, 64, 64, 10);
    DataSet data = Networks.data(1024, 64, 10, 5);
    PlasticityListener listener = PlasticityMonitors.listener(config, registry);
    net.addListeners(listener);
    listener.startTask("task-0");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> trainingFailure = new AtomicReference<>();
    AtomicInteger batches = new AtomicInteger();
    Thread trainer =
        new Thread(
            () -> {
              var it =
                  Networks.iterator(data, 16); // batches of 16, probes of 48: a mix-up would show
              try {
                while (!stop.get()) {
                  if (!it.hasNext()) {
                    it.reset();
                  }
                  net.fit(it.next());
                  batches.incrementAndGet();
                }
              } catch (Throwable t) {
                trainingFailure.set(t);
              }
            },
            "trainer");
    trainer.start();
    int ends = 200;
    for (int k = 1; k <= ends; k++) {
      listener.endTask();
      if (k < ends) {
        listener.startTask("task-" + k);
      }
    }
    listener.startTask("task-last");
    Counter errors = registry.get("plasticity.analysis.errors").counter();
    listener.close(); // ends task-last beside a running fit()
    stop.set(true);
    trainer.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(trainer.isAlive()).as("training stopped when asked").isFalse();

    assertThat(trainingFailure.get()).as("training saw no exception").isNull();
    assertThat(batches.get()).as("training ran alongside").isPositive();
    assertThat(errors.count()).as("no analysis failed").isZero();
    assertThat(Files.readAllLines(dir.resolve("close-racing").resolve("tasks.jsonl")))
        .hasSize(ends + 1);
    assertThat(monitorThreads()).as("no analysis thread left").isEqualTo(before);
  }
}
