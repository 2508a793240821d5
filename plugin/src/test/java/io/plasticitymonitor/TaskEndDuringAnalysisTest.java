package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.inject.Guice;
import com.google.inject.multibindings.OptionalBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.report.PlasticityReport;
import io.plasticitymonitor.report.Sink;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/**
 * {@code endTask()} while a periodic analysis is still running: cancelled when training went on
 * after its snapshot, its report taken as the task's when not. The analysis thread is the test's
 * own: jobs queue until the test runs them, so every interleaving below is forced, not timed. The
 * probe (32 examples) fills at the second iteration (batch 16); with no cost estimate yet the first
 * periodic analysis is due then.
 */
class TaskEndDuringAnalysisTest {
  private static final int BATCH = 16;

  /** How long the test waits for a job the other thread is about to queue before failing. */
  private static final long JOB_TIMEOUT_SECONDS = 60;

  @TempDir Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ManualExecutor analysisThread = new ManualExecutor();
  private final List<PlasticityReport> published = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> iterations = Collections.synchronizedList(new ArrayList<>());
  private final CallingDetector detector = new CallingDetector();

  /** The schedule's clock: it moves only when a test moves it. */
  private final AtomicLong now = new AtomicLong();

  private PlasticityListener listener;
  private MultiLayerNetwork net;
  private List<DataSet> batches;

  @BeforeEach
  void setUp() {
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("task-end")
            .outputDirectory(dir)
            .probeSize(2 * BATCH)
            .build();
    Sink recorder =
        new Sink() {
          @Override
          public String name() {
            return "recorder";
          }

          @Override
          public void reportPublished(PlasticityReport report) {
            published.add(report);
          }
        };
    listener =
        Guice.createInjector(
                new PlasticityMonitorModule(config),
                b -> {
                  OptionalBinder.newOptionalBinder(b, MeterRegistry.class)
                      .setBinding()
                      .toInstance(registry);
                  OptionalBinder.newOptionalBinder(b, AnalysisThread.class)
                      .setBinding()
                      .toInstance(run -> analysisThread);
                  PlasticityMonitorModule.sinks(b).addBinding().toInstance(recorder);
                  PlasticityMonitorModule.detectors(b).addBinding().toInstance(detector);
                  OptionalBinder.newOptionalBinder(b, AnalysisSchedule.Clock.class)
                      .setBinding()
                      .toInstance(now::get);
                })
            .getInstance(PlasticityListener.class);
    net = Networks.mlp(0.05, 3, 20, 32, 16, 4);
    net.addListeners(
        new BaseTrainingListener() {
          @Override
          public void iterationDone(Model model, int iteration, int epoch) {
            iterations.add((long) iteration);
          }
        });
    net.addListeners(listener);
    batches = Networks.data(8 * BATCH, 20, 4, 9).batchBy(BATCH);
  }

  private void train(int n) {
    for (int i = 0; i < n; i++) {
      net.fit(batches.get(i % batches.size()));
    }
  }

  private long lastIteration() {
    return iterations.get(iterations.size() - 1);
  }

  private double count(String counter) {
    return registry.get(counter).counter().count();
  }

  @Test
  void aStalePeriodicAnalysisIsCancelledBetweenLayersAndPublishesNothing() throws Exception {
    listener.startTask("t");
    train(2); // the periodic analysis snapshots iteration 2 and queues
    long periodicIteration = lastIteration();
    train(2); // training goes on: that snapshot is stale
    Runnable periodic = analysisThread.next();

    // The detector runs on the first layer of the periodic analysis: there the task ends, on
    // another thread, which cancels it and queues its own wait behind it.
    List<CompletableFuture<TaskSummary>> ending = new ArrayList<>();
    List<Runnable> queuedByEnd = new ArrayList<>();
    detector.onFirstCall =
        () -> {
          ending.add(CompletableFuture.supplyAsync(listener::endTask));
          queuedByEnd.add(analysisThread.nextUnchecked());
        };
    periodic.run();
    assertThat(detector.layers)
        .as("the periodic analysis stopped after its first layer")
        .hasSize(1);
    assertThat(count("plasticity.analysis.cancelled")).isEqualTo(1);
    assertThat(published).as("a cancelled analysis publishes nothing").isEmpty();

    queuedByEnd.get(0).run(); // the end-of-task analysis waited for the cancelled one to stop
    analysisThread.next().run(); // and then ran its own
    TaskSummary summary = ending.get(0).get(JOB_TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(published)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.iteration()).isEqualTo(lastIteration()).isNotEqualTo(periodicIteration);
              assertThat(r.layers()).hasSize(3);
            });
    assertThat(summary.layers()).hasSize(3);
    assertThat(count("plasticity.analysis.errors")).isZero();
    assertThat(registry.get("plasticity.monitor.errors").counters())
        .allSatisfy(c -> assertThat(c.count()).isZero());
    assertThatCode(() -> train(3)).as("training after the task goes on").doesNotThrowAnyException();
    assertThat(analysisThread.queued()).isZero();
    listener.close();
  }

  @Test
  void aPeriodicAnalysisOfTheLastIterationIsTheTaskEndAnalysis() throws Exception {
    listener.startTask("t");
    train(2); // the periodic analysis snapshots the task's last iteration and queues
    Runnable periodic = analysisThread.next();

    CompletableFuture<TaskSummary> ending = CompletableFuture.supplyAsync(listener::endTask);
    Runnable queuedByEnd = analysisThread.next(); // once the task's end has claimed the report
    periodic.run();
    queuedByEnd.run();
    TaskSummary summary = ending.get(JOB_TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(analysisThread.queued()).as("no second analysis was queued").isZero();
    assertThat(detector.layers).as("one analysis: each layer seen once").hasSize(3);
    assertThat(registry.get("plasticity.analysis").timer().count()).isEqualTo(1);
    assertThat(published)
        .as("published once, as the task's report")
        .singleElement()
        .satisfies(r -> assertThat(r.iteration()).isEqualTo(lastIteration()));
    assertThat(listener.latestReport()).containsSame(published.get(0));
    assertThat(summary.layers()).hasSize(3);
    assertThat(summary.absorbedRatio()).isEqualTo(published.get(0).absorbedRatio());
    assertThat(count("plasticity.analysis.cancelled")).isZero();
    assertThat(count("plasticity.analysis.errors")).isZero();
    listener.close();
  }

  @Test
  void aPeriodicAnalysisThatFailsLeavesTheTaskEndToItsOwnAnalysis() throws Exception {
    listener.startTask("t");
    train(2);
    Runnable periodic = analysisThread.next();
    CompletableFuture<TaskSummary> ending = CompletableFuture.supplyAsync(listener::endTask);
    Runnable queuedByEnd = analysisThread.next();
    detector.onFirstCall =
        () -> {
          throw new AssertionError(
              "the periodic analysis fails"); // not a detector's RuntimeException
        };
    periodic.run();
    assertThat(count("plasticity.analysis.errors")).isEqualTo(1);
    queuedByEnd.run(); // the task's end finds no report to take
    analysisThread.next().run(); // its wait, then its own analysis
    analysisThread.next().run();
    TaskSummary summary = ending.get(JOB_TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(summary.layers()).hasSize(3);
    assertThat(published)
        .singleElement()
        .satisfies(r -> assertThat(r.iteration()).isEqualTo(lastIteration()));
    listener.close();
  }

  @Test
  void theNextTasksFirstPeriodicAnalysisIsSpacedByTheTaskEndsCost() throws Exception {
    listener.startTask("short");
    train(3); // the run's first periodic analysis is due once the probe is full: no estimate yet
    Runnable cancelled = analysisThread.next();
    CompletableFuture<TaskSummary> ending = CompletableFuture.supplyAsync(listener::endTask);
    Runnable queuedByEnd = analysisThread.next(); // queued after cancelling
    cancelled.run();
    queuedByEnd.run();
    Runnable own = analysisThread.next();
    now.addAndGet(TimeUnit.SECONDS.toNanos(1)); // the end-of-task analysis costs 1 s on this clock
    own.run();
    ending.get(JOB_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(count("plasticity.analysis.cancelled")).isEqualTo(1);

    listener.startTask("next");
    train(4);
    assertThat(analysisThread.queued())
        .as("not due: 1 s of analysis needs 100 s of training")
        .isZero();
    now.addAndGet(TimeUnit.SECONDS.toNanos(100));
    train(1);
    assertThat(analysisThread.queued()).as("due once the budget allows it").isEqualTo(1);
    analysisThread.next().run();
    CompletableFuture<TaskSummary> next = CompletableFuture.supplyAsync(listener::endTask);
    analysisThread.next().run();
    analysisThread.next().run();
    assertThat(next.get(JOB_TIMEOUT_SECONDS, TimeUnit.SECONDS).layers()).hasSize(3);
    listener.close();
  }

  /** Counts the layers it sees; runs {@code onFirstCall} the first time. */
  private static final class CallingDetector implements SymmetryDetector {
    final List<String> layers = Collections.synchronizedList(new ArrayList<>());
    volatile Runnable onFirstCall;

    @Override
    public String name() {
      return "calling";
    }

    @Override
    public double absorbedUnits(LayerData layer) {
      layers.add(layer.name());
      Runnable r = onFirstCall;
      if (r != null) {
        onFirstCall = null;
        r.run();
      }
      return 0;
    }
  }

  /** An executor whose jobs wait in a queue until the test takes and runs them. */
  private static final class ManualExecutor extends AbstractExecutorService {
    private final LinkedBlockingQueue<Runnable> jobs = new LinkedBlockingQueue<>();
    private volatile boolean shutdown;

    Runnable next() throws InterruptedException {
      Runnable r = jobs.poll(JOB_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(r).as("a job was queued").isNotNull();
      return r;
    }

    Runnable nextUnchecked() {
      try {
        return next();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    int queued() {
      return jobs.size();
    }

    @Override
    public void execute(Runnable command) {
      jobs.add(command);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      List<Runnable> left = new ArrayList<>();
      jobs.drainTo(left);
      return left;
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
