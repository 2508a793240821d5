package io.plasticitymonitor.sample;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-task table: one console row per ended task (task, accuracy, and for every hidden layer
 * dead units, merged units, activation srank), and the same numbers, with more columns, as CSV.
 */
final class ResultTable {
  private ResultTable() {}

  /** The two header lines for tasks shaped like {@code first}, without baseline columns. */
  static List<String> header(TaskResult first) {
    return header(first, false);
  }

  /**
   * The two header lines for tasks shaped like {@code first}; with {@code baseline}, the fresh
   * network's result and the gap follow the achieved one (and the linear reference, where the
   * scenario has one).
   */
  static List<String> header(TaskResult first, boolean baseline) {
    boolean reference = !Double.isNaN(first.plasticity().reference());
    StringBuilder top = new StringBuilder(String.format(Locale.ROOT, "%-8s %8s %8s", "", "", ""));
    StringBuilder cols =
        new StringBuilder(
            String.format(Locale.ROOT, "%-8s %8s %8s", "task", headlineName(first), "loss"));
    if (baseline) {
      top.append(String.format(Locale.ROOT, " | %-17s", "fresh network"));
      cols.append(String.format(Locale.ROOT, " | %8s %8s", "fresh", "gap"));
    }
    if (reference) {
      top.append(String.format(Locale.ROOT, " | %8s", ""));
      cols.append(String.format(Locale.ROOT, " | %8s", "linear"));
    }
    for (TaskResult.LayerRow l : first.hiddenLayers()) {
      top.append(String.format(Locale.ROOT, " | %-22s", l.layer() + " (" + l.units() + " units)"));
      cols.append(String.format(Locale.ROOT, " | %6s %6s %8s", "dead", "merged", "srank"));
    }
    top.append(String.format(Locale.ROOT, " | %8s %7s", "", ""));
    cols.append(String.format(Locale.ROOT, " | %8s %7s", "absorbed", "train s"));
    return List.of(top.toString(), cols.toString());
  }

  /** The console row of one task, without baseline columns. */
  static String row(TaskResult r) {
    return row(r, false);
  }

  /** The console row of one task, in the columns of {@link #header(TaskResult, boolean)}. */
  static String row(TaskResult r, boolean baseline) {
    TaskResult.Learning p = r.plasticity();
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%-8s %8s %8s",
                r.task(),
                fixed(p.achieved(), 4),
                fixed(r.endLoss(), 4)));
    if (baseline) {
      s.append(
          String.format(Locale.ROOT, " | %8s %8s", fixed(p.baseline(), 4), signed(p.gap(), 4)));
    }
    if (!Double.isNaN(p.reference())) {
      s.append(String.format(Locale.ROOT, " | %8s", fixed(p.reference(), 4)));
    }
    for (TaskResult.LayerRow l : r.hiddenLayers()) {
      s.append(
          String.format(
              Locale.ROOT,
              " | %6s %6s %8s",
              count(l.deadWeights()),
              count(l.merged()),
              fixed(l.srankActivations(), 0)));
    }
    s.append(
        String.format(
            Locale.ROOT, " | %8s %7s", fixed(r.absorbedRatio(), 3), fixed(r.trainSeconds(), 1)));
    return s.toString();
  }

  /** The CSV columns for tasks shaped like {@code first}: task columns, then per layer. */
  static List<String> csvHeader(TaskResult first) {
    List<String> h =
        new ArrayList<>(
            List.of(
                "index",
                "task",
                "description",
                "accuracy",
                "end_loss",
                "end_score",
                "train_seconds",
                "examples_per_second",
                "absorbed_ratio",
                "headline",
                "achieved",
                "online_loss",
                "baseline",
                "gap",
                "reference"));
    for (TaskResult.LayerRow l : first.layers()) {
      for (String m :
          List.of(
              "units",
              "dead_weights",
              "dead_activations",
              "merged",
              "distinct",
              "srank_activations",
              "srank_weights",
              "weight_magnitude",
              "became_dead",
              "nonfinite_parameters")) {
        h.add(l.layer() + "_" + m);
      }
    }
    return h;
  }

  /**
   * Writes every task as one CSV row (RFC 4180; empty cells where a value does not apply). Layers
   * are matched by position; every task of a run has the same layers.
   */
  static void writeCsv(List<TaskResult> results, Writer w) throws IOException {
    if (results.isEmpty()) {
      return;
    }
    w.write(String.join(",", csvHeader(results.get(0))));
    w.write("\r\n");
    for (TaskResult r : results) {
      List<String> cells =
          new ArrayList<>(
              List.of(
                  Integer.toString(r.index()),
                  quote(r.task()),
                  quote(r.description()),
                  num(r.accuracy()),
                  num(r.endLoss()),
                  num(r.endScore()),
                  num(r.trainSeconds()),
                  num(r.examplesPerSecond()),
                  num(r.absorbedRatio()),
                  r.plasticity().headline() == Scenario.Headline.ACCURACY
                      ? "accuracy"
                      : "online_error",
                  num(r.plasticity().achieved()),
                  num(r.plasticity().onlineLoss()),
                  num(r.plasticity().baseline()),
                  num(r.plasticity().gap()),
                  num(r.plasticity().reference())));
      for (TaskResult.LayerRow l : r.layers()) {
        cells.add(Integer.toString(l.units()));
        cells.add(cnt(l.deadWeights()));
        cells.add(cnt(l.deadActivations()));
        cells.add(cnt(l.merged()));
        cells.add(cnt(l.distinct()));
        cells.add(num(l.srankActivations()));
        cells.add(num(l.srankWeights()));
        cells.add(num(l.weightMagnitude()));
        cells.add(cnt(l.becameDead()));
        cells.add(Long.toString(l.nonfiniteParameters()));
      }
      w.write(String.join(",", cells));
      w.write("\r\n");
    }
  }

  /** {@code accuracy} or {@code error}: what the headline column holds. */
  static String headlineName(TaskResult r) {
    return r.plasticity().headline() == Scenario.Headline.ACCURACY ? "accuracy" : "error";
  }

  static String signed(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%+." + decimals + "f", v);
  }

  static String fixed(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String count(int v) {
    return v < 0 ? "-" : Integer.toString(v);
  }

  private static String cnt(int v) {
    return v < 0 ? "" : Integer.toString(v);
  }

  private static String num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.6g", v);
  }

  private static String quote(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
