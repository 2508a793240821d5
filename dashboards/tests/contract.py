"""The metric contract (docs/metrics.md, "Meters") as Prometheus shows the names.

Shared by check_structure.py (which also compares it with docs/metrics.md when that is present, so
a contract change cannot slip past the dashboards and rules that read it) and src/e2e/.
"""

CONTRACT = frozenset({
    "plasticity_layer_units", "plasticity_dead_units", "plasticity_merged_units",
    "plasticity_distinct_units", "plasticity_rank", "plasticity_rank_max",
    "plasticity_weight_magnitude", "plasticity_dead_distance", "plasticity_merge_distance",
    "plasticity_nonfinite_parameters", "plasticity_absorbed_units_ratio", "plasticity_task",
    "plasticity_task_end_score", "plasticity_task_end_accuracy", "plasticity_training_score",
    "plasticity_analysis_seconds_count", "plasticity_analysis_seconds_sum",
    "plasticity_analysis_seconds_max", "plasticity_analysis_errors_total",
    "plasticity_analysis_skipped_total", "plasticity_unobserved_tasks_total",
    "plasticity_last_analysis_iteration",
    "plasticity_sink_errors_total", "plasticity_monitor_errors_total",
    "plasticity_step_improvement_ratio", "plasticity_task_end_step_improvement_ratio",
    "plasticity_task_baseline_accuracy",
    "plasticity_task_baseline_score", "plasticity_gap",
})

# Meters the contract documents outside its table because they exist only when opted in
# (docs/metrics.md, "Decisions"): dashboards and rules may read them, and must stay quiet without.
OPT_IN = frozenset({
    "plasticity_remedy_applied_total",
})
