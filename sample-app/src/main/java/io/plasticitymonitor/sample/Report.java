package io.plasticitymonitor.sample;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The end-of-run report in the run's folder: the table as CSV, PNG plots (accuracy per task; dead,
 * merged and activation srank per layer per task) and {@code index.html}, a page that links them.
 */
final class Report {
  static final String CSV = "results.csv";
  static final String ACCURACY_PNG = "accuracy.png";
  static final String DEAD_PNG = "dead_units.png";
  static final String MERGED_PNG = "merged_units.png";
  static final String SRANK_PNG = "activation_srank.png";
  static final String PAGE = "index.html";
  static final String TASK_LOG = "tasks.jsonl";

  private Report() {}

  /**
   * Writes every report file into {@code dir} and returns their paths, the page last.
   *
   * @param settings what the run was asked to do, shown on the page in this order
   * @param plotProblem filled with why the plots could not be drawn, if they could not
   */
  static List<Path> write(
      Path dir,
      String runId,
      Map<String, String> settings,
      List<TaskResult> results,
      List<String> plotProblem)
      throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    Path csv = dir.resolve(CSV);
    try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      ResultTable.writeCsv(results, w);
    }
    written.add(csv);
    try {
      written.addAll(plots(dir, results));
    } catch (IOException | RuntimeException | LinkageError e) {
      // A JDK without fonts or AWT libraries still gets the CSV, the log and the page.
      plotProblem.add(e.toString());
    }
    Path page = dir.resolve(PAGE);
    Files.writeString(page, html(runId, settings, results, plotProblem), StandardCharsets.UTF_8);
    written.add(page);
    return written;
  }

  static List<Path> plots(Path dir, List<TaskResult> results) throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(write(headlineChart(results), dir.resolve(ACCURACY_PNG)));

    List<String> hidden =
        results.isEmpty()
            ? List.of()
            : results.get(0).hiddenLayers().stream().map(TaskResult.LayerRow::layer).toList();
    LineChart dead = new LineChart("Dead units per hidden layer (at each task's end)", "units");
    for (int i = 0; i < hidden.size(); i++) {
      String layer = hidden.get(i);
      dead.add(
          layer + " by weights",
          layerValues(results, layer, l -> count(l.deadWeights())),
          false,
          i);
      dead.add(
          layer + " dormant",
          layerValues(results, layer, l -> count(l.deadActivations())),
          true,
          i);
    }
    files.add(write(dead, dir.resolve(DEAD_PNG)));

    LineChart merged = new LineChart("Merged units per hidden layer", "units");
    for (String layer : hidden) {
      merged.add(layer, layerValues(results, layer, l -> count(l.merged())), false);
    }
    files.add(write(merged, dir.resolve(MERGED_PNG)));

    LineChart srank = new LineChart("srank of the probe activations per hidden layer", "srank");
    for (String layer : hidden) {
      srank.add(layer, layerValues(results, layer, TaskResult.LayerRow::srankActivations), false);
    }
    files.add(write(srank, dir.resolve(SRANK_PNG)));
    return files;
  }

  /**
   * The scenario's headline per task (accuracy, or online error for the regression), with the fresh
   * network's beside it where a baseline was trained and the linear reference where there is one.
   */
  static LineChart headlineChart(List<TaskResult> results) {
    boolean accuracy =
        results.isEmpty() || results.get(0).plasticity().headline() == Scenario.Headline.ACCURACY;
    LineChart chart =
        accuracy
            ? new LineChart("Accuracy on each task's evaluation examples", "accuracy").yMax(1)
            : new LineChart(
                "Mean squared error on each example before its update, per task", "error");
    chart.add(
        accuracy ? "accuracy" : "error", values(results, r -> r.plasticity().achieved()), false);
    if (results.stream().anyMatch(r -> !Double.isNaN(r.plasticity().baseline()))) {
      chart.add("fresh network", values(results, r -> r.plasticity().baseline()), true);
    }
    if (results.stream().anyMatch(r -> !Double.isNaN(r.plasticity().reference()))) {
      chart.add("linear learner", values(results, r -> r.plasticity().reference()), true);
    }
    return chart;
  }

  private static Path write(LineChart chart, Path file) throws IOException {
    chart.writePng(file);
    return file;
  }

  private static double count(int v) {
    return v < 0 ? Double.NaN : v;
  }

  private static double[] values(List<TaskResult> results, ToDoubleFunction<TaskResult> f) {
    return results.stream().mapToDouble(f).toArray();
  }

  private static double[] layerValues(
      List<TaskResult> results, String layer, ToDoubleFunction<TaskResult.LayerRow> f) {
    double[] v = new double[results.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] =
          results.get(i).layers().stream()
              .filter(l -> l.layer().equals(layer))
              .mapToDouble(f)
              .findFirst()
              .orElse(Double.NaN);
    }
    return v;
  }

  static String html(
      String runId,
      Map<String, String> settings,
      List<TaskResult> results,
      List<String> plotProblem) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(esc("Plasticity Monitor: " + runId))
        .append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}\n")
        .append("table{border-collapse:collapse;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
        .append("th{background:#f3f3f3}td.l,th.l{text-align:left}\n")
        .append("img{max-width:100%;border:1px solid #eee;margin:.5em 0}\n")
        .append("</style>\n</head>\n<body>\n<h1>Run ")
        .append(esc(runId))
        .append("</h1>\n");

    h.append("<h2>Settings</h2>\n<table>\n");
    for (Map.Entry<String, String> e : settings.entrySet()) {
      h.append("<tr><th class=\"l\">")
          .append(esc(e.getKey()))
          .append("</th><td class=\"l\">")
          .append(esc(e.getValue()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append(
            "<h2>Per task</h2>\n<p>The scenario's headline (accuracy on the task's evaluation "
                + "examples at its end, or the online error), a fresh network's on the same task where a "
                + "baseline was trained, and the gap (positive: the continually trained network learnt "
                + "worse); "
                + "for each hidden layer the units dead by weights, merged units and the srank of the "
                + "probe activations (metric contract items 1, 3, 5). Full numbers: <a href=\"")
        .append(CSV)
        .append("\">")
        .append(CSV)
        .append("</a>; the plugin's task log: <a href=\"")
        .append(TASK_LOG)
        .append("\">")
        .append(TASK_LOG)
        .append("</a>.</p>\n<table>\n<tr>")
        .append("<th class=\"l\">task</th><th class=\"l\">data</th><th>")
        .append(results.isEmpty() ? "accuracy" : ResultTable.headlineName(results.get(0)))
        .append("</th><th>fresh network</th><th>gap</th><th>loss</th>");
    List<String> hidden =
        results.isEmpty()
            ? List.of()
            : results.get(0).hiddenLayers().stream().map(TaskResult.LayerRow::layer).toList();
    for (String layer : hidden) {
      h.append("<th>")
          .append(esc(layer))
          .append(" dead</th><th>")
          .append(esc(layer))
          .append(" merged</th><th>")
          .append(esc(layer))
          .append(" srank</th>");
    }
    h.append("<th>absorbed</th><th>train s</th></tr>\n");
    for (TaskResult r : results) {
      h.append("<tr><td class=\"l\">")
          .append(esc(r.task()))
          .append("</td><td class=\"l\">")
          .append(esc(r.description()))
          .append("</td><td>")
          .append(ResultTable.fixed(r.plasticity().achieved(), 4))
          .append("</td><td>")
          .append(ResultTable.fixed(r.plasticity().baseline(), 4))
          .append("</td><td>")
          .append(ResultTable.signed(r.plasticity().gap(), 4))
          .append("</td><td>")
          .append(ResultTable.fixed(r.endLoss(), 4))
          .append("</td>");
      for (TaskResult.LayerRow l : r.hiddenLayers()) {
        h.append("<td>")
            .append(cell(l.deadWeights()))
            .append("</td><td>")
            .append(cell(l.merged()))
            .append("</td><td>")
            .append(ResultTable.fixed(l.srankActivations(), 0))
            .append("</td>");
      }
      h.append("<td>")
          .append(ResultTable.fixed(r.absorbedRatio(), 3))
          .append("</td><td>")
          .append(ResultTable.fixed(r.trainSeconds(), 1))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>Plots</h2>\n");
    if (!plotProblem.isEmpty()) {
      h.append("<p>The plots could not be drawn here: ")
          .append(esc(String.join("; ", plotProblem)))
          .append("</p>\n");
    } else {
      Map<String, String> plots = new LinkedHashMap<>();
      plots.put(
          ACCURACY_PNG,
          "How well each task was learnt (dashed: a fresh network of the same"
              + " configuration trained on the same data for the same iterations)");
      plots.put(
          DEAD_PNG,
          "Dead units per layer per task (solid: by weights; dashed: dormant " + "on the probe)");
      plots.put(MERGED_PNG, "Merged units per layer per task");
      plots.put(SRANK_PNG, "srank of the activations per layer per task");
      for (Map.Entry<String, String> p : plots.entrySet()) {
        h.append("<h3>")
            .append(esc(p.getValue()))
            .append("</h3>\n<p><a href=\"")
            .append(p.getKey())
            .append("\"><img src=\"")
            .append(p.getKey())
            .append("\" alt=\"")
            .append(esc(p.getValue()))
            .append("\"></a></p>\n");
      }
    }
    h.append(
        "<p>What the measures mean: the metric contract (metrics.md) and "
            + "sample-app/README.md.</p>\n</body>\n</html>\n");
    return h.toString();
  }

  private static String cell(int v) {
    return v < 0 ? "-" : Integer.toString(v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
