package io.plasticitymonitor.internal.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.report.PlasticityReport;
import io.plasticitymonitor.report.Sink;
import io.plasticitymonitor.report.TaskSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * What the live page draws: the run's history in memory, bounded. Each published report becomes one
 * point per layer (dead by weights and by activations, merged, activation srank, units); each ended
 * task one row (accuracy, end score, absorbed ratio). Points are kept at most {@link #MAX_POINTS}:
 * when that many are held, every second one is dropped, so that the whole run stays on the page at
 * half the resolution rather than only its end. {@link #json()} is the page's {@code data.json}.
 */
public final class LiveHistory implements Sink {
  /** At most this many analyses are kept (a few hundred kB of JSON for a ten-layer network). */
  public static final int MAX_POINTS = 2000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String run;
  private final List<Point> points = new ArrayList<>();
  private final List<TaskRow> tasks = new ArrayList<>();
  private String currentTask;

  public LiveHistory(String run) {
    this.run = run;
  }

  private record LayerPoint(
      String layer,
      int units,
      Integer dead,
      Integer deadActivations,
      Integer merged,
      Double srank) {}

  private record Point(double time, long iteration, String task, List<LayerPoint> layers) {}

  private record TaskRow(int index, String task, double accuracy, double score, double absorbed) {}

  @Override
  public String name() {
    return "live_page";
  }

  @Override
  public synchronized void taskStarted(String task, int index) {
    currentTask = task;
  }

  @Override
  public synchronized void reportPublished(PlasticityReport report) {
    List<LayerPoint> layers = new ArrayList<>(report.layers().size());
    for (LayerMeasures m : report.layers()) {
      var u = m.unitMeasures();
      var a = m.activations();
      layers.add(
          new LayerPoint(
              m.layer(),
              m.units(),
              u == null ? null : u.deadByWeights(),
              a == null ? null : a.deadByActivations(),
              u == null ? null : u.merged(),
              a == null || a.rank() == null ? null : (double) a.rank().srank()));
    }
    if (points.size() >= MAX_POINTS) {
      for (int i = points.size() - 1; i >= 0; i -= 2) {
        points.remove(i);
      }
    }
    points.add(
        new Point(
            report.takenAt().toEpochMilli() / 1000.0, report.iteration(), currentTask, layers));
  }

  @Override
  public synchronized void taskEnded(TaskSummary summary) {
    tasks.add(
        new TaskRow(
            summary.index(),
            summary.task(),
            summary.endAccuracy().orElse(Double.NaN),
            summary.endScore(),
            summary.absorbedRatio()));
    currentTask = null;
  }

  /** Number of analyses held (at most {@link #MAX_POINTS}). */
  public synchronized int points() {
    return points.size();
  }

  /**
   * The page's data: {@code run}, {@code currentTask}, {@code analyses}, {@code tasks}, {@code
   * plasticity}.
   */
  public synchronized byte[] json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("run", run);
    if (currentTask == null) {
      root.putNull("currentTask");
    } else {
      root.put("currentTask", currentTask);
    }
    ArrayNode analyses = root.putArray("analyses");
    for (Point p : points) {
      ObjectNode o = analyses.addObject();
      o.put("time", p.time());
      o.put("iteration", p.iteration());
      if (p.task() != null) {
        o.put("task", p.task());
      }
      ObjectNode layers = o.putObject("layers");
      for (LayerPoint l : p.layers()) {
        ObjectNode x = layers.putObject(l.layer());
        x.put("units", l.units());
        put(x, "dead", l.dead());
        put(x, "deadActivations", l.deadActivations());
        put(x, "merged", l.merged());
        if (l.srank() == null) {
          x.putNull("srank");
        } else {
          x.put("srank", l.srank());
        }
      }
    }
    ArrayNode rows = root.putArray("tasks");
    for (TaskRow t : tasks) {
      ObjectNode o = rows.addObject();
      o.put("index", t.index());
      o.put("task", t.task());
      number(o, "accuracy", t.accuracy());
      number(o, "score", t.score());
      number(o, "absorbedRatio", t.absorbed());
    }
    // The plasticity measures (docs/metrics.md) get their charts here once the monitor exports
    // them; the page shows a note while this is empty.
    root.putArray("plasticity");
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("live page data", e);
    }
  }

  private static void put(ObjectNode o, String k, Integer v) {
    if (v == null) {
      o.putNull(k);
    } else {
      o.put(k, v);
    }
  }

  private static void number(ObjectNode o, String k, double v) {
    if (Double.isFinite(v)) {
      o.put(k, v);
    } else {
      o.putNull(k);
    }
  }
}
