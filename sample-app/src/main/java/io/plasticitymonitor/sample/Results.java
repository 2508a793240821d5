package io.plasticitymonitor.sample;

import io.plasticitymonitor.analysis.ActivationMeasures;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.UnitMeasures;
import io.plasticitymonitor.report.LayerSummary;
import io.plasticitymonitor.report.TaskSummary;
import java.util.ArrayList;
import java.util.List;

/** Turns the plugin's per-task summary into the app's plain {@link TaskResult}. */
final class Results {
  private Results() {}

  static TaskResult from(
      TaskSummary s,
      String description,
      double endLoss,
      double trainSeconds,
      double examplesPerSecond) {
    double accuracy = s.endAccuracy().isPresent() ? s.endAccuracy().getAsDouble() : Double.NaN;
    return from(
        s,
        description,
        endLoss,
        trainSeconds,
        examplesPerSecond,
        new TaskResult.Learning(
            Scenario.Headline.ACCURACY, accuracy, Double.NaN, Double.NaN, Double.NaN));
  }

  static TaskResult from(
      TaskSummary s,
      String description,
      double endLoss,
      double trainSeconds,
      double examplesPerSecond,
      TaskResult.Learning learning) {
    List<TaskResult.LayerRow> rows = new ArrayList<>();
    for (LayerSummary l : s.layers()) {
      rows.add(row(l.measures(), l.becameDead()));
    }
    return new TaskResult(
        s.index(),
        s.task(),
        description,
        s.endAccuracy().isPresent() ? s.endAccuracy().getAsDouble() : Double.NaN,
        endLoss,
        s.endScore(),
        trainSeconds,
        examplesPerSecond,
        s.absorbedRatio(),
        rows,
        learning);
  }

  /** One layer's measures as a row; {@code becameDead} is -1 where unknown (offline analysis). */
  static TaskResult.LayerRow row(LayerMeasures m, int becameDead) {
    UnitMeasures u = m.unitMeasures();
    ActivationMeasures a = m.activations();
    return new TaskResult.LayerRow(
        m.layer(),
        m.units(),
        m.hidden(),
        u == null ? -1 : u.deadByWeights(),
        a == null ? -1 : a.deadByActivations(),
        u == null ? -1 : u.merged(),
        u == null ? -1 : u.distinct(),
        a == null || a.rank() == null ? Double.NaN : a.rank().srank(),
        m.weightRank() == null ? Double.NaN : m.weightRank().srank(),
        m.weightMagnitude(),
        becameDead,
        m.nonfiniteParameters());
  }
}
