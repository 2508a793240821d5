package io.plasticitymonitor.internal.export;

/** Every meter name and tag key of the metric contract (docs/metrics.md), in one place. */
public final class MeterNames {
  private MeterNames() {}

  public static final String LAYER_UNITS = "plasticity.layer.units";
  public static final String DEAD_UNITS = "plasticity.dead.units";
  public static final String MERGED_UNITS = "plasticity.merged.units";
  public static final String DISTINCT_UNITS = "plasticity.distinct.units";
  public static final String RANK = "plasticity.rank";
  public static final String RANK_MAX = "plasticity.rank.max";
  public static final String WEIGHT_MAGNITUDE = "plasticity.weight.magnitude";
  public static final String DEAD_DISTANCE = "plasticity.dead.distance";
  public static final String MERGE_DISTANCE = "plasticity.merge.distance";
  public static final String NONFINITE_PARAMETERS = "plasticity.nonfinite.parameters";
  public static final String ABSORBED_UNITS = "plasticity.absorbed.units";
  public static final String TASK = "plasticity.task";
  public static final String TASK_END_SCORE = "plasticity.task.end.score";
  public static final String TASK_END_ACCURACY = "plasticity.task.end.accuracy";
  public static final String TRAINING_SCORE = "plasticity.training.score";
  public static final String ANALYSIS = "plasticity.analysis";
  public static final String ANALYSIS_ERRORS = "plasticity.analysis.errors";
  public static final String ANALYSIS_SKIPPED = "plasticity.analysis.skipped";
  public static final String UNOBSERVED_TASKS = "plasticity.unobserved.tasks";
  public static final String ANALYSIS_CANCELLED = "plasticity.analysis.cancelled";
  public static final String LAST_ANALYSIS_ITERATION = "plasticity.last.analysis.iteration";
  public static final String SYMMETRY_UNITS = "plasticity.symmetry.absorbed.units";
  public static final String MONITOR_ERRORS = "plasticity.monitor.errors";
  public static final String SINK_ERRORS = "plasticity.sink.errors";
  public static final String PUSH_ERRORS = "plasticity.push.errors";
  public static final String REMEDY_APPLIED = "plasticity.remedy.applied";
  public static final String STEP_IMPROVEMENT = "plasticity.step.improvement";
  public static final String TASK_END_STEP_IMPROVEMENT = "plasticity.task.end.step.improvement";
  public static final String TASK_BASELINE_ACCURACY = "plasticity.task.baseline.accuracy";
  public static final String TASK_BASELINE_SCORE = "plasticity.task.baseline.score";
  public static final String GAP = "plasticity.gap";

  public static final String TAG_RUN = "run";
  public static final String TAG_LAYER = "layer";
  public static final String TAG_CRITERION = "criterion";
  public static final String TAG_OF = "of";
  public static final String TAG_MEASURE = "measure";
  public static final String TAG_STATISTIC = "statistic";
  public static final String TAG_SYMMETRY = "symmetry";
  public static final String TAG_REMEDY = "remedy";
  public static final String TAG_CAUSE = "cause";
  public static final String TAG_SINK = "sink";
  public static final String TAG_BASIS = "basis";
}
