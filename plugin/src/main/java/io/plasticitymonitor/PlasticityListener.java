package io.plasticitymonitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.plasticitymonitor.internal.export.EndpointSink;
import io.plasticitymonitor.internal.export.PlasticityMeters;
import io.plasticitymonitor.internal.network.CallbackModels;
import io.plasticitymonitor.internal.network.NetworkReader;
import io.plasticitymonitor.remedy.RemedyRunner;
import io.plasticitymonitor.remedy.RemedySettings;
import io.plasticitymonitor.report.PlasticityReport;
import io.plasticitymonitor.report.TaskSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * <p>On the training thread the listener only copies: the probe sample and, when an analysis is
 * due, the parameters and the probe's activations. The analysis runs on one background thread;
 * periodic analyses are spaced so they cost at most {@link PlasticityConfig#analysisBudget()} of
 * training time, and one that falls due while another still runs is skipped and counted. Every
 * {@link #endTask()} analyses, cancelling a periodic analysis made stale by training since its
 * snapshot rather than waiting for it (docs/metrics.md). Nothing the monitor does throws into
 * training: a failure is logged and counted by its cause (docs/metrics.md), and the next analysis
 * tries again. One listener may be shared by ParallelWrapper's workers.
 *
 * <p>With a remedy configured ({@link PlasticityConfig#remedy()}), the listener also changes the
 * network: in {@code iterationDone}, after DL4J's update and before the next iteration, or in
 * {@code startTask} (see {@link RemedySettings}).
 *
 * <p>This class is the DL4J callbacks and the task lifecycle; when to analyse ({@code
 * AnalysisSchedule}), running analyses ({@code Analyses}), accuracy ({@code Evaluator}), the
 * transitions between tasks ({@code Transitions}), the error policy ({@code Failures}) and the
 * sinks are collaborators, wired by {@link PlasticityMonitorModule}.
 */
public final class PlasticityListener extends BaseTrainingListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PlasticityListener.class);

  private final PlasticityConfig config;
  private final MeterRegistry registry;
  private final PlasticityMeters meters;
  private final AnalysisSchedule schedule;
  private final Analyses analyses;
  private final Evaluator evaluator;
  private final RemedyRunner remedies;
  private final StepPlasticity steps;
  private final Sinks sinks;
  private final EndpointSink endpoint;
  private final Failures failures;

  private final Object lock = new Object();
  private boolean started;
  private volatile boolean closed;
  private int tasksStarted;
  private PlasticityReport previousTaskEnd;
  private volatile PlasticityReport latest;

  private volatile TaskState task;
  private volatile Model lastModel;
  private volatile Model watched;
  private volatile boolean warnedLayerWithoutNetwork;
  private volatile boolean warnedUnobserved;
  private volatile long lastIteration;
  private volatile long remedyAppliedAtTaskStart;

  PlasticityListener(
      PlasticityConfig config,
      MeterRegistry registry,
      PlasticityMeters meters,
      AnalysisSchedule schedule,
      Analyses analyses,
      Evaluator evaluator,
      RemedyRunner remedies,
      StepPlasticity steps,
      Sinks sinks,
      EndpointSink endpoint,
      Failures failures) {
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.meters = meters;
    this.schedule = schedule;
    this.analyses = analyses;
    this.evaluator = evaluator;
    this.remedies = remedies;
    this.steps = steps;
    this.sinks = sinks;
    this.endpoint = endpoint;
    this.failures = failures;
    remedies.name().ifPresent(meters::remedy);
    remedies.onApplied(meters::remedyApplied);
    remedies.onFailure(failures::remedy);
  }

  /** Starts a task with no probe or evaluation data of its own. */
  public void startTask(String name) {
    startTask(name, TaskData.none());
  }

  /**
   * Starts a task. The first call applies {@link PlasticityConfig#existingRun()} to the run's task
   * log and starts the sinks: binds the meters and, when configured, starts the {@code /metrics}
   * endpoint (a port that cannot be bound is logged and counted, and training goes on without it:
   * see {@link #metricsEndpointUp()}). With the shrink-and-perturb remedy configured, every task
   * after the first starts by applying it to the network last trained (or watched).
   *
   * @throws IllegalStateException when a task is still running, the listener is closed, or (at the
   *     first call) the run's task log already holds tasks and {@code existingRun} is {@code
   *     REFUSE}
   */
  public void startTask(String name, TaskData data) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "task name must not be blank (got: "
              + (name == null ? "null" : "\"" + name + "\"")
              + ")");
    }
    Objects.requireNonNull(data, "data");
    int index;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            "startTask(\"" + name + "\") on a closed PlasticityListener");
      }
      if (task != null) {
        throw new IllegalStateException(
            "task '"
                + task.name
                + "' is still running: call endTask() "
                + "before startTask(\""
                + name
                + "\")");
      }
      ensureStarted();
      tasksStarted++;
      task = new TaskState(name, tasksStarted, Instant.now(), data, config.probeSize());
      schedule.restart();
      steps.taskStarted();
      remedyAppliedAtTaskStart = remedies.applied();
      index = tasksStarted;
    }
    sinks.taskStarted(name, index);
    remedies.taskStarted(taskEndModel(), index); // shrink-and-perturb acts between tasks
  }

  /**
   * Ends the running task: measures the accuracy on its evaluation data (if it was given), analyses
   * the network, publishes the report and hands the task's summary to the sinks (the task log among
   * them). Returns once all of that is done; a failure in any of it is logged and counted, never
   * thrown.
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
  public Optional<PlasticityReport> latestReport() {
    return Optional.ofNullable(latest);
  }

  /**
   * The port {@code /metrics} is served on, once the first task started (if configured); empty
   * while {@link #metricsEndpointUp()} is false.
   */
  public Optional<Integer> metricsPort() {
    return endpoint.port();
  }

  /**
   * Whether {@code /metrics} (and the live page, if configured) is being served. False before the
   * first {@code startTask}, without a {@code metricsPort}, after {@code close()}, and when the
   * port could not be bound: that is logged and counted in {@code
   * plasticity.monitor.errors{cause="metrics_endpoint"}}, and training goes on without it.
   */
  public boolean metricsEndpointUp() {
    return endpoint.port().isPresent();
  }

  /**
   * Analyse this network at every task end, instead of the last one seen in a training callback.
   * Use it with ParallelWrapper, whose workers train replicas that it averages into the network you
   * gave it: watch that network. Also needed to measure layer-wise pretraining ({@code
   * MultiLayerNetwork.pretrain}), whose callbacks carry the layer being trained, not the network:
   * the watched network is the one they are mapped to, and the listener is given to its
   * pretrainable layers, so pretraining reaches it however it was attached.
   */
  public void watch(Model model) {
    this.watched = Objects.requireNonNull(model, "model");
    // Layer-wise pretraining reports only to the listeners its layers hold; addListeners on the
    // network does not reach a variational autoencoder's. Give ourselves to those layers.
    CallbackModels.attachToPretrainLayers(model, this);
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
    // During pretraining DL4J hands the layer being trained: measure the network that holds it.
    Model network = CallbackModels.networkOf(model, watched, lastModel);
    if (network != null) {
      remedies.afterIteration(
          network, iteration, epoch); // after DL4J's update, before the next one
    }
    steps.iterationDone(
        model); // after the remedy: the loss of the parameters the next step starts from
    long entered = schedule.now();
    try {
      double score = model.score();
      meters.trainingScore(score);
      TaskState t = task;
      if (network == null) {
        warnLayerWithoutNetwork(model);
        if (t != null) {
          t.iteration(score);
        }
        return;
      }
      lastModel = network;
      lastIteration = iteration;
      if (t == null) {
        return;
      }
      t.iteration(score);
      if (t.sampler != null) {
        t.sampler.offer(NetworkReader.currentInputs(network));
      }
      analyses.periodicIfDue(network, t, iteration, this::publish);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      failures.callback("iteration callback", e);
    } finally {
      schedule.callbackTime(schedule.now() - entered);
    }
  }

  @Override
  public void onBackwardPass(Model model) {
    if (!closed) {
      steps.backwardPass(model);
    }
  }

  @Override
  public void onGradientCalculation(Model model) {
    if (!closed) {
      steps.gradientCalculated(model);
    }
  }

  @Override
  public void onForwardPass(Model model, List<INDArray> activations) {
    if (!closed && CallbackModels.isNetwork(model)) {
      remedies.forwardPass(model, activations);
    }
  }

  private void warnLayerWithoutNetwork(Model layer) {
    if (!warnedLayerWithoutNetwork) {
      warnedLayerWithoutNetwork = true;
      LOG.warn(
          "Plasticity monitor: a training callback carried a {} rather than its network (layer-wise "
              + "pretraining does that); call listener.watch(network) so the monitor measures the network",
          layer == null ? "null model" : layer.getClass().getSimpleName());
    }
  }

  @Override
  public void onForwardPass(Model model, Map<String, INDArray> activations) {
    if (!closed && CallbackModels.isNetwork(model)) {
      remedies.forwardPass(model, activations);
    }
  }

  private void publish(PlasticityReport report) {
    latest = report;
    sinks.reportPublished(report);
  }

  private TaskSummary end(Double givenAccuracy) {
    TaskState t;
    synchronized (lock) {
      t = task;
      if (t == null) {
        throw new IllegalStateException(
            "endTask() with no task running: call startTask(name) first");
      }
      task = null;
    }
    StepStatistics stepSamples = steps.taskEnded();
    Instant endedAt = Instant.now();
    Model model = taskEndModel();
    if (model == null) {
      meters.unobservedTask();
      if (!warnedUnobserved) {
        warnedUnobserved = true;
        LOG.warn(
            "Plasticity monitor: task '{}' ended ({} iterations seen) without a network to measure: "
                + "attach the listener with network.setListeners(listener) or addListeners(listener), and "
                + "for layer-wise pretraining also call listener.watch(network)",
            t.name,
            t.iterations());
      }
    }
    OptionalDouble accuracy =
        givenAccuracy != null ? OptionalDouble.of(givenAccuracy) : evaluate(model, t);
    double endScore = t.endScore();
    PlasticityReport report = null;
    if (model != null) {
      report = analyses.atTaskEnd(model, t, lastIteration, endedAt);
      if (report != null) {
        publish(report);
      }
    }
    TaskSummary summary;
    synchronized (lock) {
      summary =
          new TaskSummary(
              config.runId(),
              t.name,
              t.index,
              t.startedAt,
              endedAt,
              t.iterations(),
              endScore,
              accuracy,
              Transitions.layers(report, previousTaskEnd),
              report == null ? Double.NaN : report.absorbedRatio(),
              remedies.name(),
              remedies.applied() - remedyAppliedAtTaskStart,
              stepSamples.mean(),
              stepSamples.count(),
              t.data.baseline().map(Baseline::accuracy).orElse(OptionalDouble.empty()),
              t.data.baseline().map(Baseline::score).orElse(OptionalDouble.empty()));
      if (report != null) {
        previousTaskEnd = report;
      }
    }
    sinks.taskEnded(summary);
    return summary;
  }

  private OptionalDouble evaluate(Model model, TaskState t) {
    try {
      return evaluator.accuracy(model, t.data);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      failures.evaluation("evaluating task '" + t.name + "'", e);
      return OptionalDouble.empty();
    }
  }

  /** The watched network, else the last one trained, unless its parameters were released. */
  private Model taskEndModel() {
    Model w = watched;
    if (w != null) {
      return w;
    }
    Model last = lastModel;
    if (last != null && last.params() != null && last.params().wasClosed()) {
      LOG.warn(
          "Plasticity monitor: the last network trained has been released (a ParallelWrapper "
              + "replica?): call listener.watch(network) so task ends analyse the network itself");
      return null;
    }
    return last;
  }

  private void ensureStarted() {
    if (started) {
      return;
    }
    int resumedAfter = ExistingRuns.apply(config);
    if (resumedAfter > 0) {
      LOG.info(
          "Plasticity monitor: run '{}' resumes after task {} of its task log",
          config.runId(),
          resumedAfter);
    }
    meters.sinks(sinks.names());
    try {
      sinks.start();
    } catch (RuntimeException e) {
      sinks.close();
      throw e;
    } catch (Exception e) {
      sinks.close();
      throw new IllegalStateException("Plasticity monitor: a sink failed to start: " + e, e);
    }
    tasksStarted = resumedAfter;
    started = true;
  }

  /**
   * Ends a task still running (so its summary reaches the sinks), waits for the analysis thread,
   * then closes the sinks: the meters are removed and the endpoint stops. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    TaskState running = task;
    if (running != null) {
      LOG.warn("PlasticityListener closed while task '{}' was running: ending it", running.name);
      try {
        endTask();
      } catch (IllegalStateException ignored) {
        // ended concurrently
      }
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    analyses.close();
    sinks.close();
  }
}
