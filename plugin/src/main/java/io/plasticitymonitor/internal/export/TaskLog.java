package io.plasticitymonitor.internal.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Percentiles;
import io.plasticitymonitor.analysis.RankMeasures;
import io.plasticitymonitor.report.LayerSummary;
import io.plasticitymonitor.report.Sink;
import io.plasticitymonitor.report.TaskSummary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalInt;

/**
 * The durable per-task record: one JSON line per ended task appended to {@code <run
 * dir>/tasks.jsonl} and forced to disk before {@code endTask()} returns, so a killed run keeps
 * every task that ended. A line is written with one write; if the write fails (disk full) the file
 * is cut back to its last complete line, and a torn tail left by a crash is cut off before the next
 * append.
 */
public final class TaskLog implements Sink {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public TaskLog(Path runDirectory) {
    this.file = runDirectory.resolve("tasks.jsonl");
  }

  public Path file() {
    return file;
  }

  @Override
  public String name() {
    return "task_log";
  }

  /**
   * The index of the last task in the log: empty when there is no log or no complete line in it.
   *
   * @throws IOException when the file cannot be read or its last line is not a task record
   */
  public synchronized OptionalInt lastIndex() throws IOException {
    if (!Files.exists(file)) {
      return OptionalInt.empty();
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return OptionalInt.empty(); // only a torn first line, which the next append cuts off
    }
    String last = text.substring(text.lastIndexOf('\n', end - 1) + 1, end);
    try {
      JsonNode index = JSON.readTree(last).get("index");
      if (index == null || !index.canConvertToInt()) {
        throw new IOException(file + ": its last line has no task index: " + abbreviate(last));
      }
      return OptionalInt.of(index.intValue());
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": its last line is not a task record: " + abbreviate(last), e);
    }
  }

  /** Number of complete lines (tasks) in the log; 0 when there is none. */
  public synchronized int completeLines() throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return (int) text.chars().filter(c -> c == '\n').count();
  }

  /** Deletes the log (a run started afresh under the same id). */
  public synchronized void delete() throws IOException {
    Files.deleteIfExists(file);
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 80) + "…";
  }

  @Override
  public void taskEnded(TaskSummary summary) throws IOException {
    try {
      append(summary);
    } catch (IOException e) {
      throw new IOException("writing " + file + " failed: " + e.getMessage(), e);
    }
  }

  /** Appends the task's line and forces it to disk. */
  public synchronized void append(TaskSummary task) throws IOException {
    byte[] line = (JSON.writeValueAsString(toJson(task)) + "\n").getBytes(StandardCharsets.UTF_8);
    Files.createDirectories(file.getParent());
    boolean created = !Files.exists(file);
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      long end = completeLength(ch);
      ch.truncate(end);
      try {
        ByteBuffer buf = ByteBuffer.wrap(line);
        long pos = end;
        while (buf.hasRemaining()) {
          pos += ch.write(buf, pos);
        }
        ch.force(true);
        if (created) {
          forceDirectory(file.getParent()); // the new file's name must survive a power loss too
        }
      } catch (IOException e) {
        ch.truncate(end);
        throw e;
      }
    }
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some file systems cannot sync a directory; the file itself is already on disk.
    }
  }

  /** Length of the file up to and including its last newline. */
  private static long completeLength(FileChannel ch) throws IOException {
    long size = ch.size();
    ByteBuffer one = ByteBuffer.allocate(1);
    for (long p = size - 1; p >= 0; p--) {
      one.clear();
      ch.read(one, p);
      if (one.get(0) == '\n') {
        return p + 1;
      }
    }
    return 0;
  }

  /** The contract's JSON fields (metrics.md, "Per-task record"); absent measures are null. */
  static ObjectNode toJson(TaskSummary t) {
    ObjectNode o = JSON.createObjectNode();
    o.put("run", t.run());
    o.put("task", t.task());
    o.put("index", t.index());
    o.put("started_at", t.startedAt().toString());
    o.put("ended_at", t.endedAt().toString());
    o.put("iterations", t.iterations());
    number(o, "end_score", t.endScore());
    if (t.endAccuracy().isPresent()) {
      number(o, "end_accuracy", t.endAccuracy().getAsDouble());
    } else {
      o.putNull("end_accuracy");
    }
    var layers = o.putArray("layers");
    for (LayerSummary s : t.layers()) {
      LayerMeasures m = s.measures();
      ObjectNode l = layers.addObject();
      l.put("layer", m.layer());
      l.put("units", m.units());
      l.put("hidden", m.hidden());
      var u = m.unitMeasures();
      var a = m.activations();
      integer(l, "dead_weights", u == null ? null : u.deadByWeights());
      integer(l, "dead_activations", a == null ? null : a.deadByActivations());
      integer(l, "merged", u == null ? null : u.merged());
      integer(l, "distinct", u == null ? null : u.distinct());
      number(l, "weight_magnitude", m.weightMagnitude());
      l.put("nonfinite_parameters", m.nonfiniteParameters());
      percentiles(l, "dead_distance", u == null ? null : u.deadDistance());
      percentiles(l, "merge_distance", u == null ? null : u.mergeDistance());
      ObjectNode rank = l.putObject("rank");
      rank(rank, "weights", m.weightRank());
      if (m.recurrentRank() != null) {
        rank(rank, "recurrent_weights", m.recurrentRank());
      }
      rank(rank, "activations", a == null ? null : a.rank());
      l.put("became_dead", s.becameDead());
      l.put("left_dead", s.leftDead());
      l.put("became_merged", s.becameMerged());
      l.put("left_merged", s.leftMerged());
      if (!s.symmetries().isEmpty()) {
        ObjectNode sym = l.putObject("symmetries");
        s.symmetries().forEach((k, v) -> number(sym, k, v));
      }
    }
    number(o, "absorbed_ratio", t.absorbedRatio());
    if (t.remedy().isPresent()) {
      o.put("remedy", t.remedy().get());
      o.put("remedy_applied", t.remedyApplied());
    } else {
      o.putNull("remedy");
      o.putNull("remedy_applied");
    }
    number(o, "step_improvement", t.stepImprovement());
    o.put("step_improvement_samples", t.stepImprovementSamples());
    number(o, "baseline_accuracy", t.baselineAccuracy().orElse(Double.NaN));
    number(o, "baseline_score", t.baselineScore().orElse(Double.NaN));
    ObjectNode gap = o.putObject("gap");
    number(gap, "accuracy", t.accuracyGap());
    number(gap, "score", t.scoreGap());
    return o;
  }

  private static void number(ObjectNode o, String k, double v) {
    if (Double.isFinite(v)) {
      o.put(k, v);
    } else {
      o.putNull(k);
    }
  }

  private static void integer(ObjectNode o, String k, Integer v) {
    if (v == null) {
      o.putNull(k);
    } else {
      o.put(k, v);
    }
  }

  private static void percentiles(ObjectNode o, String k, Percentiles p) {
    if (p == null) {
      o.putNull(k);
      return;
    }
    ObjectNode x = o.putObject(k);
    number(x, "p10", p.p10());
    number(x, "median", p.median());
  }

  private static void rank(ObjectNode o, String k, RankMeasures r) {
    if (r == null) {
      o.putNull(k);
      return;
    }
    ObjectNode x = o.putObject(k);
    x.put("srank", r.srank());
    number(x, "effective", r.effective());
    number(x, "stable", r.stable());
    x.put("numerical", r.numerical());
    x.put("max", r.max());
  }
}
