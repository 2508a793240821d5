package io.plasticitymonitor.internal.export;

import static io.plasticitymonitor.internal.export.MeterNames.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Percentiles;
import io.plasticitymonitor.analysis.RankMeasures;
import io.plasticitymonitor.report.PlasticityReport;
import io.plasticitymonitor.report.Sink;
import io.plasticitymonitor.report.TaskSummary;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The monitor's meters. Callbacks publish plain numbers and immutable reports into volatile fields;
 * gauges only read them (held strongly: a weakly held gauge reads NaN after a GC). Per-layer gauges
 * are registered when a layer first appears in a report, only those that apply to it; {@link
 * #close()} removes every meter this binder registered.
 */
public final class PlasticityMeters implements MeterBinder, Sink {
  /**
   * The causes of {@code plasticity.monitor.errors} besides analyses and sinks (docs/metrics.md).
   */
  public static final List<String> CAUSES =
      List.of("callback", "evaluation", "remedy", "metrics_endpoint", "step");

  /** Base unit of fractions in 0..1; Micrometer's BaseUnits has none, Prometheus shows _ratio. */
  static final String RATIO = "ratio";

  // Prometheus keeps one HELP line per metric name, so each name has one description for all tags.
  private static final String DEAD_UNITS_HELP =
      "Dead units: criterion=weights counts units whose "
          + "incoming and outgoing weights are both near zero (absorbing state of the rescaling symmetry); "
          + "criterion=activations counts tau-dormant units on the probe batch";
  private static final String RANK_HELP =
      "Rank (rotation symmetry) of the layer's weights [fan_in, units] "
          + "(of=weights) or probe activations [examples, units] (of=activations); measure=srank|effective|stable|numerical";
  private static final String GAP_HELP =
      "Last ended task against a fresh network of the same "
          + "configuration: basis=accuracy is baseline - achieved accuracy, basis=score is achieved - "
          + "baseline end score; positive means the continually trained network is worse";
  private static final String RANK_MAX_HELP =
      "Largest possible rank, min(rows, cols), of the matrix named by of";

  private final String run;
  private final MeterRegistry target;
  private final Map<String, Counter> causeErrors = new HashMap<>();
  private final Map<String, Counter> sinkErrors = new HashMap<>();
  private final Set<String> sinkNames = new LinkedHashSet<>();
  private final List<Meter> registered = new ArrayList<>();
  private final Set<String> layersBound = new HashSet<>();
  private final Set<String> symmetriesBound = new HashSet<>();

  /** Layer name → its label value, unique within this binder (see {@link #layerLabel}). */
  private final Map<String, String> layerLabels = new HashMap<>();

  private MeterRegistry registry;
  private Timer analysisTimer;
  private Counter errors;
  private Counter skipped;
  private Counter unobserved;
  private Counter cancelled;
  private Counter pushErrors;
  private String remedy;
  private Counter remedyApplied;
  private long remedyAppliedBeforeBind;

  private volatile PlasticityReport latest;
  private volatile double tasks;
  private volatile double taskEndScore = Double.NaN;
  private volatile double taskEndAccuracy = Double.NaN;
  private volatile double trainingScore = Double.NaN;
  private volatile double stepImprovement = Double.NaN;
  private volatile double taskEndStepImprovement = Double.NaN;
  private volatile double baselineAccuracy = Double.NaN;
  private volatile double baselineScore = Double.NaN;
  private volatile double accuracyGap = Double.NaN;
  private volatile double scoreGap = Double.NaN;

  /** Meters of run {@code run}, registered in {@code registry} when the first task starts. */
  public PlasticityMeters(String run, MeterRegistry registry) {
    this.run = run;
    this.target = registry;
  }

  @Override
  public String name() {
    return "meters";
  }

  @Override
  public void start() {
    bindTo(target);
  }

  @Override
  public void taskStarted(String task, int index) {
    tasks = index;
  }

  @Override
  public void reportPublished(PlasticityReport report) {
    publish(report);
  }

  @Override
  public void taskEnded(TaskSummary summary) {
    taskEndScore = summary.endScore();
    taskEndAccuracy = summary.endAccuracy().orElse(Double.NaN);
    taskEndStepImprovement = summary.stepImprovement();
    baselineAccuracy = summary.baselineAccuracy().orElse(Double.NaN);
    baselineScore = summary.baselineScore().orElse(Double.NaN);
    accuracyGap = summary.accuracyGap();
    scoreGap = summary.scoreGap();
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    if (this.registry != null) {
      throw new IllegalStateException("PlasticityMeters of run '" + run + "' is already bound");
    }
    this.registry = registry;
    Tags tags = Tags.of(TAG_RUN, run);
    gauge(
        ABSORBED_UNITS,
        tags,
        "Over all hidden layers: (units dead by weights + merged units) / units",
        RATIO,
        m -> m.latest == null ? Double.NaN : m.latest.absorbedRatio());
    gauge(
        TASK,
        tags,
        "Tasks started so far in this run (1 during the first task)",
        null,
        m -> m.tasks);
    gauge(
        TASK_END_SCORE,
        tags,
        "Mean training score over the last 10% of the iterations of the last ended task",
        null,
        m -> m.taskEndScore);
    gauge(
        TASK_END_ACCURACY,
        tags,
        "Accuracy on the last ended task's evaluation data",
        null,
        m -> m.taskEndAccuracy);
    gauge(
        TRAINING_SCORE, tags, "Training score of the latest iteration", null, m -> m.trainingScore);
    gauge(
        STEP_IMPROVEMENT,
        tags,
        "Step plasticity: 1 - loss after / loss before a training step on "
            + "its own minibatch, clamped to [0, 1]; mean of the running task's last 10 measured steps",
        RATIO,
        m -> m.stepImprovement);
    gauge(
        TASK_END_STEP_IMPROVEMENT,
        tags,
        "Step plasticity of the last ended task: the mean over its measured steps",
        RATIO,
        m -> m.taskEndStepImprovement);
    gauge(
        TASK_BASELINE_ACCURACY,
        tags,
        "Accuracy a fresh network of the same configuration reached "
            + "on the last ended task (its baseline), where the job gave one",
        null,
        m -> m.baselineAccuracy);
    gauge(
        TASK_BASELINE_SCORE,
        tags,
        "End score a fresh network of the same configuration reached "
            + "on the last ended task (its baseline), where the job gave one",
        null,
        m -> m.baselineScore);
    gauge(GAP, tags.and(TAG_BASIS, "accuracy"), GAP_HELP, null, m -> m.accuracyGap);
    gauge(GAP, tags.and(TAG_BASIS, "score"), GAP_HELP, null, m -> m.scoreGap);
    gauge(
        LAST_ANALYSIS_ITERATION,
        tags,
        "Iteration of the newest published analysis",
        null,
        m -> m.latest == null ? Double.NaN : m.latest.iteration());
    analysisTimer =
        keep(
            Timer.builder(ANALYSIS)
                .tags(tags)
                .description("Time of each plasticity analysis (snapshot and computation)")
                .register(registry));
    errors =
        keep(
            Counter.builder(ANALYSIS_ERRORS)
                .tags(tags)
                .description(
                    "Plasticity analyses (or parts of them: a detector, the probe's activations) that failed")
                .register(registry));
    skipped =
        keep(
            Counter.builder(ANALYSIS_SKIPPED)
                .tags(tags)
                .description("Due plasticity analyses dropped because one was still running")
                .register(registry));
    unobserved =
        keep(
            Counter.builder(UNOBSERVED_TASKS)
                .tags(tags)
                .description(
                    "Tasks that ended without a network to measure (no training callback carried one)")
                .register(registry));
    cancelled =
        keep(
            Counter.builder(ANALYSIS_CANCELLED)
                .tags(tags)
                .description(
                    "Periodic plasticity analyses stopped unpublished because their task ended "
                        + "after further training")
                .register(registry));
    for (String cause : CAUSES) {
      causeErrors.put(
          cause,
          keep(
              Counter.builder(MONITOR_ERRORS)
                  .tags(tags.and(TAG_CAUSE, cause))
                  .description("Failures inside the monitor outside analyses and sinks, by cause")
                  .register(registry)));
    }
    for (String sink : sinkNames) {
      bindSinkErrors(sink);
    }
    pushErrors =
        keep(
            Counter.builder(PUSH_ERRORS)
                .tags(tags)
                .description("Pushes to the Pushgateway that failed after their retries")
                .register(registry));
    if (remedy != null) {
      remedyApplied =
          keep(
              Counter.builder(REMEDY_APPLIED)
                  .tags(tags.and(TAG_REMEDY, remedy))
                  .description(
                      "What the remedy applied: units re-initialised (redo, cbp) or parameter "
                          + "arrays changed (syre, shrink-perturb, l2-init)")
                  .register(registry));
      remedyApplied.increment(remedyAppliedBeforeBind);
    }
    if (latest != null) {
      bindLayers(latest);
    }
  }

  /** Makes {@code report} the one the gauges read, registering gauges for layers seen first. */
  public void publish(PlasticityReport report) {
    latest = report;
    bindLayers(report);
  }

  public PlasticityReport latest() {
    return latest;
  }

  public void trainingScore(double score) {
    trainingScore = score;
  }

  /** The running task's rolling step plasticity (NaN until its first measured iteration). */
  public void stepImprovement(double value) {
    stepImprovement = value;
  }

  public void analysisTime(long nanos) {
    Timer t = analysisTimer;
    if (t != null) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  public void analysisFailed() {
    if (errors != null) {
      errors.increment();
    }
  }

  /** Counts a failure of {@code cause}, one of {@link #CAUSES}. */
  public void failed(String cause) {
    Counter c = causeErrors.get(cause);
    if (c != null) {
      c.increment();
    }
  }

  /** The sinks whose failures are counted; call before the first task starts. */
  public synchronized void sinks(Collection<String> names) {
    sinkNames.addAll(names);
    if (registry != null) {
      names.forEach(this::bindSinkErrors);
    }
  }

  /** Counts a failed call to the sink named {@code sink}. */
  public void sinkFailed(String sink) {
    Counter c;
    synchronized (this) {
      c = sinkErrors.get(sink);
    }
    if (c != null) {
      c.increment();
    }
  }

  private synchronized void bindSinkErrors(String sink) {
    if (!sinkErrors.containsKey(sink)) {
      sinkErrors.put(
          sink,
          keep(
              Counter.builder(SINK_ERRORS)
                  .tags(Tags.of(TAG_RUN, run, TAG_SINK, sink))
                  .description(
                      "Calls to a sink (meters, task log, endpoint, Pushgateway, yours) that failed")
                  .register(registry)));
    }
  }

  public void analysisSkipped() {
    if (skipped != null) {
      skipped.increment();
    }
  }

  public void unobservedTask() {
    if (unobserved != null) {
      unobserved.increment();
    }
  }

  public void analysisCancelled() {
    if (cancelled != null) {
      cancelled.increment();
    }
  }

  public void pushFailed() {
    if (pushErrors != null) {
      pushErrors.increment();
    }
  }

  /** Names the configured remedy, so {@link #bindTo} registers its counter. Call before binding. */
  public synchronized void remedy(String name) {
    this.remedy = name;
  }

  /** Adds to {@code plasticity.remedy.applied}; counts before binding are kept until then. */
  public synchronized void remedyApplied(long n) {
    if (remedyApplied != null) {
      remedyApplied.increment(n);
    } else {
      remedyAppliedBeforeBind += n;
    }
  }

  public double errorCount() {
    return errors == null ? 0 : errors.count();
  }

  private synchronized void bindLayers(PlasticityReport report) {
    if (registry == null) {
      return;
    }
    for (LayerMeasures l : report.layers()) {
      if (layersBound.add(l.layer())) {
        bindLayer(l);
      }
    }
    for (Map.Entry<String, Map<String, Double>> e : report.symmetries().entrySet()) {
      for (String symmetry : e.getValue().keySet()) {
        String layer = e.getKey();
        if (symmetriesBound.add(layer + "\u0000" + symmetry)) {
          gauge(
              SYMMETRY_UNITS,
              Tags.of(TAG_RUN, run, TAG_LAYER, layerLabel(layer), TAG_SYMMETRY, symmetry),
              "Units in the absorbing states of a user-defined mirror symmetry",
              null,
              m -> {
                PlasticityReport r = m.latest;
                Map<String, Double> s = r == null ? null : r.symmetries().get(layer);
                Double v = s == null ? null : s.get(symmetry);
                return v == null ? Double.NaN : v;
              });
        }
      }
    }
  }

  private void bindLayer(LayerMeasures first) {
    String name = first.layer();
    Tags t = Tags.of(TAG_RUN, run, TAG_LAYER, layerLabel(name));
    layerGauge(LAYER_UNITS, t, "Units in the layer", name, l -> l.units());
    layerGauge(
        NONFINITE_PARAMETERS,
        t,
        "NaN or infinite values among the layer's parameters",
        name,
        l -> l.nonfiniteParameters());
    layerGauge(
        WEIGHT_MAGNITUDE,
        t,
        "Mean absolute weight of the layer, biases excluded",
        name,
        LayerMeasures::weightMagnitude);
    bindRank(t, "weights", name, LayerMeasures::weightRank);
    if (first.recurrentRank() != null) {
      bindRank(t, "recurrent_weights", name, LayerMeasures::recurrentRank);
    }
    if (first.hidden()) {
      layerGauge(
          DEAD_UNITS,
          t.and(TAG_CRITERION, "weights"),
          DEAD_UNITS_HELP,
          name,
          l -> l.unitMeasures() == null ? Double.NaN : l.unitMeasures().deadByWeights());
      layerGauge(
          MERGED_UNITS,
          t,
          "Alive units minus groups of identical units: the absorbing state of the permutation symmetry",
          name,
          l -> l.unitMeasures() == null ? Double.NaN : l.unitMeasures().merged());
      layerGauge(
          DISTINCT_UNITS,
          t,
          "Units minus dead and merged units: the layer's effective width",
          name,
          l -> l.unitMeasures() == null ? Double.NaN : l.unitMeasures().distinct());
      bindPercentiles(
          DEAD_DISTANCE,
          t,
          "Units' norm product relative to the layer mean (0 = dead by weights, 1 = average)",
          name,
          l -> l.unitMeasures() == null ? null : l.unitMeasures().deadDistance());
      bindPercentiles(
          MERGE_DISTANCE,
          t,
          "Relative distance of each alive unit's parameters to its nearest twin (0 = merged)",
          name,
          l -> l.unitMeasures() == null ? null : l.unitMeasures().mergeDistance());
    }
    if (first.hidden() || first.activations() != null) {
      layerGauge(
          DEAD_UNITS,
          t.and(TAG_CRITERION, "activations"),
          DEAD_UNITS_HELP,
          name,
          l -> l.activations() == null ? Double.NaN : l.activations().deadByActivations());
      bindRank(
          t, "activations", name, l -> l.activations() == null ? null : l.activations().rank());
    }
  }

  private void bindRank(
      Tags t,
      String of,
      String layer,
      java.util.function.Function<LayerMeasures, RankMeasures> rank) {
    Tags ot = t.and(TAG_OF, of);
    layerGauge(
        RANK,
        ot.and(TAG_MEASURE, "srank"),
        RANK_HELP,
        layer,
        l -> value(rank.apply(l), r -> r.srank()));
    layerGauge(
        RANK,
        ot.and(TAG_MEASURE, "effective"),
        RANK_HELP,
        layer,
        l -> value(rank.apply(l), RankMeasures::effective));
    layerGauge(
        RANK,
        ot.and(TAG_MEASURE, "stable"),
        RANK_HELP,
        layer,
        l -> value(rank.apply(l), RankMeasures::stable));
    layerGauge(
        RANK,
        ot.and(TAG_MEASURE, "numerical"),
        RANK_HELP,
        layer,
        l -> value(rank.apply(l), r -> r.numerical()));
    layerGauge(RANK_MAX, ot, RANK_MAX_HELP, layer, l -> value(rank.apply(l), r -> r.max()));
  }

  private void bindPercentiles(
      String meter,
      Tags t,
      String description,
      String layer,
      java.util.function.Function<LayerMeasures, Percentiles> p) {
    layerGauge(
        meter,
        t.and(TAG_STATISTIC, "p10"),
        description + "; statistic says which",
        layer,
        l -> {
          Percentiles x = p.apply(l);
          return x == null ? Double.NaN : x.p10();
        });
    layerGauge(
        meter,
        t.and(TAG_STATISTIC, "median"),
        description + "; statistic says which",
        layer,
        l -> {
          Percentiles x = p.apply(l);
          return x == null ? Double.NaN : x.median();
        });
  }

  /**
   * A layer name as a label value: names come from the user's configuration, so anything outside
   * printable ASCII becomes '_' and the length is capped, keeping series names readable and
   * bounded.
   */
  static String labelValue(String layer) {
    String clean = layer.replaceAll("[^\\x20-\\x7E]", "_");
    return clean.length() <= 128 ? clean : clean.substring(0, 128);
  }

  /**
   * The layer's label value, distinct from every other layer's: two names that clean to the same
   * {@link #labelValue} (say "dense-é" and "dense-ü", or two long names with one prefix) would
   * otherwise share one series, and the second layer's gauges would be dropped as duplicates. The
   * later one gets a suffix {@code ~2}, {@code ~3}, … (within the 128 characters).
   */
  private String layerLabel(String layer) {
    String known = layerLabels.get(layer);
    if (known != null) {
      return known;
    }
    String base = labelValue(layer);
    String label = base;
    for (int k = 2; layerLabels.containsValue(label); k++) {
      String suffix = "~" + k;
      label = base.substring(0, Math.min(base.length(), 128 - suffix.length())) + suffix;
    }
    layerLabels.put(layer, label);
    return label;
  }

  private static <T> double value(T x, ToDoubleFunction<T> f) {
    return x == null ? Double.NaN : f.applyAsDouble(x);
  }

  private void layerGauge(
      String meter,
      Tags tags,
      String description,
      String layer,
      ToDoubleFunction<LayerMeasures> f) {
    gauge(
        meter,
        tags,
        description,
        null,
        m -> {
          PlasticityReport r = m.latest;
          if (r == null) {
            return Double.NaN;
          }
          return r.layer(layer).map(f::applyAsDouble).orElse(Double.NaN);
        });
  }

  private void gauge(
      String meter,
      Tags tags,
      String description,
      String baseUnit,
      ToDoubleFunction<PlasticityMeters> f) {
    keep(
        Gauge.builder(meter, this, f)
            .tags(tags)
            .description(description)
            .baseUnit(baseUnit)
            .strongReference(true)
            .register(registry));
  }

  private <M extends Meter> M keep(M meter) {
    registered.add(meter);
    return meter;
  }

  /** Removes every meter this binder registered. */
  @Override
  public synchronized void close() {
    if (registry != null) {
      for (Meter m : registered) {
        registry.remove(m);
      }
      registry = null; // a listener whose start failed may start again
    }
    registered.clear();
    causeErrors.clear();
    sinkErrors.clear();
    layersBound.clear();
    symmetriesBound.clear();
    layerLabels.clear();
  }
}
