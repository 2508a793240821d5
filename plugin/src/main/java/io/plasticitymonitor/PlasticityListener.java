package io.plasticitymonitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.analysis.UnitMeasures;
import io.plasticitymonitor.export.MetricsEndpoint;
import io.plasticitymonitor.export.PlasticityMeters;
import io.plasticitymonitor.export.PushgatewayClient;
import io.plasticitymonitor.export.TaskLog;
import io.plasticitymonitor.network.NetworkReader;
import io.plasticitymonitor.network.NetworkSnapshot;
import io.plasticitymonitor.network.NetworkStructure;
import io.plasticitymonitor.remedy.RemedyRunner;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DL4J training listener that measures how much of a network has been absorbed into the states
 * that make it stop learning — dead units, collapsed rank, merged units — per layer and per task,
 * and publishes it to Micrometer and to {@code <output>/<run>/tasks.jsonl}.
 *
 * <pre>{@code
 * network.addListeners(listener);             // MultiLayerNetwork or ComputationGraph
 * listener.startTask("task-1");
 * network.fit(trainData, epochs);
 * listener.endTask();                          // analysed, published and recorded when it returns
 * listener.close();
 * }</pre>
 *
 * <p>On the training thread the listener only copies: the probe sample and, when an analysis is due,
 * the parameters and the probe's activations. The analysis runs on one background thread; periodic
 * analyses are spaced so they cost at most {@link PlasticityConfig#analysisBudget()} of training
 * time, and one that falls due while another still runs is skipped and counted. Every {@link
 * #endTask()} analyses. Nothing the monitor does throws into training: a failure is logged and
 * counted in {@code plasticity.analysis.errors}, and the next analysis tries again. One listener may
 * be shared by ParallelWrapper's workers.
 *
 * <p>With a remedy configured ({@link PlasticityConfig#remedy()}), the listener also changes the
 * network: in {@code iterationDone}, after DL4J's update and before the next iteration, or in
 * {@code startTask} (see {@link RemedySettings}).
 */
public final class PlasticityListener extends BaseTrainingListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PlasticityListener.class);
  private static final Pattern DETECTOR_NAME = Pattern.compile("[a-z0-9_]{1,40}");

  private final PlasticityConfig config;
  private final MeterRegistry registry;
  private final PlasticityMeters meters;
  private final AnalysisRunner runner;
  private final TaskLog taskLog;
  private final PushgatewayClient pushgateway;
  private final RemedyRunner remedies;

  private final Object lock = new Object();
  private final Map<Model, NetworkStructure> structures = Collections.synchronizedMap(new WeakHashMap<>());
  private final AtomicBoolean analysisRunning = new AtomicBoolean();
  private ExecutorService executor;
  private MetricsEndpoint endpoint;
  private boolean started;
  private volatile boolean closed;
  private int tasksStarted;
  private PlasticityReport previousTaskEnd;

  private volatile TaskState task;
  private volatile Model lastModel;
  private volatile Model watched;
  private volatile long lastIteration;
  private volatile long lastAnalysisCostNanos;
  private volatile long lastAnalysisEndNanos = System.nanoTime();
  /** Time spent in iteration callbacks (snapshots excluded: they count in the analysis cost). */
  private final java.util.concurrent.atomic.LongAdder callbackNanos = new java.util.concurrent.atomic.LongAdder();
  private volatile long callbackNanosAtLastAnalysisEnd;
  private volatile long remedyAppliedAtTaskStart;

  PlasticityListener(PlasticityConfig config, MeterRegistry registry, Set<SymmetryDetector> detectors) {
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    for (SymmetryDetector d : detectors) {
      if (d.name() == null || !DETECTOR_NAME.matcher(d.name()).matches()) {
        throw new IllegalArgumentException("SymmetryDetector.name() of " + d.getClass().getName()
            + " must be lower case letters, digits and _ (at most 40) (got: \"" + d.name() + "\")");
      }
    }
    this.meters = new PlasticityMeters(config.runId());
    this.runner = new AnalysisRunner(config.runId(), new Thresholds(config.deadEpsilon(),
        config.dormantTau(), config.mergeEpsilon(), config.srankDelta()), detectors);
    this.taskLog = new TaskLog(config.runDirectory());
    this.pushgateway = config.pushgateway().map(u -> new PushgatewayClient(u, config.runId())).orElse(null);
    this.remedies = Remedies.runner(config.remedy());
    remedies.name().ifPresent(meters::remedy);
    remedies.onApplied(meters::remedyApplied);
    remedies.onFailure(this::failed);
  }

  /** Starts a task with no probe or evaluation data of its own. */
  public void startTask(String name) {
    startTask(name, TaskData.none());
  }

  /**
   * Starts a task. The first call binds the meters and, when configured, starts the {@code /metrics}
   * endpoint (which fails here, clearly, if its port is taken). With the shrink-and-perturb remedy
   * configured, every task after the first starts by applying it to the network last trained (or
   * watched).
   *
   * @throws IllegalStateException when a task is still running or the listener is closed
   */
  public void startTask(String name, TaskData data) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("task name must not be blank (got: "
          + (name == null ? "null" : "\"" + name + "\"") + ")");
    }
    Objects.requireNonNull(data, "data");
    int index;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("startTask(\"" + name + "\") on a closed PlasticityListener");
      }
      if (task != null) {
        throw new IllegalStateException("task '" + task.name + "' is still running: call endTask() "
            + "before startTask(\"" + name + "\")");
      }
      ensureStarted();
      tasksStarted++;
      task = new TaskState(name, tasksStarted, Instant.now(), data, config.probeSize());
      meters.taskStarted(tasksStarted);
      lastAnalysisEndNanos = System.nanoTime();
      callbackNanosAtLastAnalysisEnd = callbackNanos.sum();
      remedyAppliedAtTaskStart = remedies.applied();
      index = tasksStarted;
    }
    remedies.taskStarted(taskEndModel(), index); // shrink-and-perturb acts between tasks
  }

  /**
   * Ends the running task: measures the accuracy on its evaluation data (if it was given), analyses
   * the network, publishes the report and appends the task's line to the task log. Returns once all
   * of that is done; a failure in any of it is logged and counted, never thrown.
   *
   * @throws IllegalStateException when no task is running
   */
  public TaskSummary endTask() {
    return end(null);
  }

  /** Ends the running task with an accuracy the caller measured itself. */
  public TaskSummary endTask(double accuracy) {
    if (!(accuracy >= 0 && accuracy <= 1)) {
      throw new IllegalArgumentException("accuracy must be in [0, 1] (got: " + accuracy + ")");
    }
    return end(accuracy);
  }

  /** The newest published report, if any analysis has finished. */
  public java.util.Optional<PlasticityReport> latestReport() {
    return java.util.Optional.ofNullable(meters.latest());
  }

  /** The port {@code /metrics} is served on, once the first task started (if configured). */
  public java.util.Optional<Integer> metricsPort() {
    synchronized (lock) {
      return java.util.Optional.ofNullable(endpoint).map(MetricsEndpoint::port);
    }
  }

  /**
   * Analyse this network at every task end, instead of the last one seen in a training callback.
   * Use it with ParallelWrapper, whose workers train replicas that it averages into the network you
   * gave it: watch that network.
   */
  public void watch(Model model) {
    this.watched = Objects.requireNonNull(model, "model");
  }

  /** The registry the meters are bound to. */
  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    if (closed) {
      return;
    }
    remedies.afterIteration(model, iteration, epoch); // after DL4J's update, before the next iteration
    long entered = System.nanoTime();
    try {
      lastModel = model;
      lastIteration = iteration;
      double score = model.score();
      meters.trainingScore(score);
      TaskState t = task;
      if (t == null) {
        return;
      }
      t.iteration(score);
      if (t.sampler != null) {
        t.sampler.offer(NetworkReader.currentInputs(model));
      }
      if (analysisDue(t)) {
        if (!analysisRunning.compareAndSet(false, true)) {
          meters.analysisSkipped();
          lastAnalysisEndNanos = System.nanoTime();
          callbackNanosAtLastAnalysisEnd = callbackNanos.sum();
          return;
        }
        analyseInBackground(model, t, iteration);
      }
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      failed("iteration callback", e);
    } finally {
      callbackNanos.add(System.nanoTime() - entered);
    }
  }

  @Override
  public void onForwardPass(Model model, List<INDArray> activations) {
    if (!closed) {
      remedies.forwardPass(model, activations);
    }
  }

  @Override
  public void onForwardPass(Model model, Map<String, INDArray> activations) {
    if (!closed) {
      remedies.forwardPass(model, activations);
    }
  }

  private boolean analysisDue(TaskState t) {
    if (!t.probeReady()) {
      return false;
    }
    long cost = lastAnalysisCostNanos;
    if (cost == 0) {
      return true; // the first: no estimate yet
    }
    // Spaced so that the monitor's time on the training thread (iteration callbacks, snapshots)
    // and on the analysis thread, per cycle, stays within analysisBudget of the cycle: the next
    // analysis is assumed to cost what the last did.
    long callbacks = Math.max(0, callbackNanos.sum() - callbackNanosAtLastAnalysisEnd);
    return System.nanoTime() - lastAnalysisEndNanos >= (cost + callbacks) / config.analysisBudget();
  }

  private void analyseInBackground(Model model, TaskState t, long iteration) {
    long start = System.nanoTime();
    NetworkSnapshot snapshot;
    try {
      snapshot = snapshot(model, t);
    } catch (RuntimeException | Error e) {
      analysisRunning.set(false);
      throw e;
    }
    long snapshotNanos = System.nanoTime() - start;
    callbackNanos.add(-snapshotNanos); // counted in this analysis's cost instead
    Instant takenAt = Instant.now();
    executor().submit(() -> {
      long analysisStart = System.nanoTime();
      try {
        meters.publish(runner.analyze(snapshot, iteration, takenAt, meters::analysisFailed));
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        failed("periodic analysis", e);
      } finally {
        long cost = snapshotNanos + System.nanoTime() - analysisStart;
        meters.analysisTime(cost);
        lastAnalysisCostNanos = Math.max(1, cost);
        lastAnalysisEndNanos = System.nanoTime();
        callbackNanosAtLastAnalysisEnd = callbackNanos.sum();
        analysisRunning.set(false);
      }
    });
  }

  private NetworkSnapshot snapshot(Model model, TaskState t) {
    NetworkStructure structure = structures.computeIfAbsent(model, m -> {
      NetworkStructure s = NetworkStructure.of(m);
      LOG.info("Plasticity monitor measures layers {}", s.layerNames());
      s.notes().forEach(n -> LOG.info("Plasticity monitor: {}", n));
      return s;
    });
    return NetworkReader.snapshot(model, structure, t.probe());
  }

  private TaskSummary end(Double givenAccuracy) {
    TaskState t;
    synchronized (lock) {
      t = task;
      if (t == null) {
        throw new IllegalStateException("endTask() with no task running: call startTask(name) first");
      }
      task = null;
    }
    Instant endedAt = Instant.now();
    Model model = taskEndModel();
    OptionalDouble accuracy = givenAccuracy != null ? OptionalDouble.of(givenAccuracy) : evaluate(model, t);
    double endScore = t.endScore();
    PlasticityReport report = null;
    if (model != null) {
      long start = System.nanoTime();
      try {
        // Let a periodic analysis still running finish first (the single analysis thread would make
        // this one wait for it anyway): so at most one snapshot, one copy of the parameters and
        // the probe activations, is ever held.
        executor().submit(() -> { }).get();
        NetworkSnapshot snapshot = snapshot(model, t);
        long iteration = lastIteration;
        Future<PlasticityReport> f = executor().submit(
            () -> runner.analyze(snapshot, iteration, endedAt, meters::analysisFailed));
        report = f.get();
        meters.publish(report);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed("end-of-task analysis", e);
      } catch (ExecutionException e) {
        failed("end-of-task analysis", e.getCause());
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        failed("end-of-task analysis", e);
      } finally {
        meters.analysisTime(System.nanoTime() - start);
      }
    }
    TaskSummary summary;
    synchronized (lock) {
      summary = summarize(config.runId(), t, endedAt, endScore, accuracy, report, previousTaskEnd,
          remedies.name(), remedies.applied() - remedyAppliedAtTaskStart);
      if (report != null) {
        previousTaskEnd = report;
      }
    }
    meters.taskEnded(endScore, accuracy.orElse(Double.NaN));
    try {
      taskLog.append(summary);
    } catch (IOException | RuntimeException e) {
      failed("writing " + taskLog.file(), e);
    }
    push();
    return summary;
  }

  /** The watched network, else the last one trained, unless its parameters were released. */
  private Model taskEndModel() {
    Model w = watched;
    if (w != null) {
      return w;
    }
    Model last = lastModel;
    if (last != null && last.params() != null && last.params().wasClosed()) {
      LOG.warn("Plasticity monitor: the last network trained has been released (a ParallelWrapper "
          + "replica?): call listener.watch(network) so task ends analyse the network itself");
      return null;
    }
    return last;
  }

  private OptionalDouble evaluate(Model model, TaskState t) {
    try {
      if (model instanceof ComputationGraph cg) {
        if (t.data.graphEvaluation().isPresent()) {
          var it = t.data.graphEvaluation().get();
          if (it.resetSupported()) {
            it.reset();
          }
          return OptionalDouble.of(cg.evaluate(it).accuracy());
        }
        if (t.data.evaluation().isPresent()) {
          return OptionalDouble.of(cg.evaluate(reset(t.data.evaluation().get())).accuracy());
        }
      } else if (model instanceof MultiLayerNetwork mln && t.data.evaluation().isPresent()) {
        return OptionalDouble.of(mln.evaluate(reset(t.data.evaluation().get())).accuracy());
      }
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      failed("evaluating task '" + t.name + "'", e);
    }
    return OptionalDouble.empty();
  }

  private static DataSetIterator reset(DataSetIterator it) {
    if (it.resetSupported()) {
      it.reset();
    }
    return it;
  }

  /** The task's record, with the units that changed state since the previous task's end. */
  static TaskSummary summarize(String run, TaskState t, Instant endedAt, double endScore, OptionalDouble accuracy,
      PlasticityReport report, PlasticityReport previous, Optional<String> remedy, long remedyApplied) {
    List<LayerSummary> layers = new ArrayList<>();
    if (report != null) {
      for (LayerMeasures m : report.layers()) {
        UnitMeasures now = m.unitMeasures();
        UnitMeasures before = previous == null ? null
            : previous.layer(m.layer()).map(LayerMeasures::unitMeasures).orElse(null);
        int[] deadNow = now == null ? new int[0] : now.deadUnits();
        int[] deadBefore = before == null ? new int[0] : before.deadUnits();
        int[] mergedNow = now == null ? new int[0] : now.mergedUnits();
        int[] mergedBefore = before == null ? new int[0] : before.mergedUnits();
        layers.add(new LayerSummary(m, missingFrom(deadNow, deadBefore), missingFrom(deadBefore, deadNow),
            missingFrom(mergedNow, mergedBefore), missingFrom(mergedBefore, mergedNow),
            report.symmetries().getOrDefault(m.layer(), Map.of())));
      }
    }
    return new TaskSummary(run, t.name, t.index, t.startedAt, endedAt,
        t.iterations(), endScore, accuracy, layers, report == null ? Double.NaN : report.absorbedRatio(),
        remedy, remedyApplied);
  }

  /** How many of the sorted indices {@code a} are not in the sorted indices {@code b}. */
  private static int missingFrom(int[] a, int[] b) {
    int n = 0;
    for (int x : a) {
      if (Arrays.binarySearch(b, x) < 0) {
        n++;
      }
    }
    return n;
  }

  private void push() {
    if (pushgateway == null) {
      return;
    }
    PrometheusMeterRegistry prometheus = prometheusRegistry();
    executor().submit(() -> {
      try {
        pushgateway.push(prometheus.scrape());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        meters.pushFailed();
        LOG.warn("Push to {} failed after retries: {}", pushgateway.target(), e.toString());
      }
    });
  }

  private void ensureStarted() {
    if (started) {
      return;
    }
    if (config.metricsPort().isPresent()) {
      endpoint = MetricsEndpoint.start(prometheusRegistry(), config.metricsBindAddress(),
          config.metricsPort().get(), config.basicAuthUser().orElse(null),
          config.basicAuthPassword().orElse(null));
    } else if (pushgateway != null) {
      prometheusRegistry(); // fail now, not at the first task end
    }
    meters.bindTo(registry);
    started = true;
  }

  private PrometheusMeterRegistry prometheusRegistry() {
    if (registry instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (registry instanceof CompositeMeterRegistry c) {
      for (MeterRegistry r : c.getRegistries()) {
        if (r instanceof PrometheusMeterRegistry p) {
          return p;
        }
      }
    }
    throw new IllegalStateException("PlasticityConfig.metricsPort and .pushgateway need a "
        + "PrometheusMeterRegistry, but the MeterRegistry bound is a " + registry.getClass().getName());
  }

  private synchronized ExecutorService executor() {
    if (executor == null) {
      executor = Executors.newSingleThreadExecutor(r -> {
        Thread th = new Thread(r, "plasticity-analysis-" + config.runId());
        th.setDaemon(true);
        return th;
      });
    }
    return executor;
  }

  private void failed(String what, Throwable e) {
    meters.analysisFailed();
    LOG.warn("Plasticity monitor: {} failed; training continues", what, e);
  }

  /**
   * Ends a task still running (so its line is recorded), waits for the analysis thread, removes the
   * meters and stops the endpoint. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    if (task != null) {
      LOG.warn("PlasticityListener closed while task '{}' was running: ending it", task.name);
      try {
        endTask();
      } catch (IllegalStateException ignored) {
        // ended concurrently
      }
    }
    ExecutorService ex;
    MetricsEndpoint ep;
    synchronized (lock) {
      closed = true;
      ep = endpoint;
      endpoint = null;
    }
    synchronized (this) {
      ex = executor;
    }
    if (ex != null) {
      ex.shutdown();
      try {
        if (!ex.awaitTermination(30, TimeUnit.SECONDS)) {
          LOG.warn("Plasticity analysis still running 30 s after close(); abandoning it");
          ex.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    meters.close();
    if (ep != null) {
      ep.close();
    }
  }
}
