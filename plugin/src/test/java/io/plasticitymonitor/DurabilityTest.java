package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGKILL at any moment leaves every line of {@code tasks.jsonl} valid and every task that ended
 * before it present. A real child JVM ({@link KilledTrainer}) trains a tiny network over many short
 * tasks and prints {@code ended N} after each {@code endTask()}; it is killed with {@link
 * Process#destroyForcibly()} (SIGKILL on Linux) at seeded random moments: after a random number of
 * ended tasks, plus a random part of the next task (so the kill lands in training, in the analysis,
 * in the write or in the fsync).
 */
class DurabilityTest {
  private static final long SEED = 20_240_606L;
  private static final int ROUNDS = 6;
  private static final int MAX_TASKS_BEFORE_KILL = 40;
  private static final long MAX_JITTER_MICROS = 150_000;

  /** Fields of metrics.md's "Per-task record" every line must hold. */
  private static final List<String> TASK_FIELDS =
      List.of(
          "run",
          "task",
          "index",
          "started_at",
          "ended_at",
          "iterations",
          "end_score",
          "end_accuracy",
          "layers",
          "absorbed_ratio");

  private static final List<String> LAYER_FIELDS =
      List.of(
          "layer",
          "units",
          "dead_weights",
          "dead_activations",
          "merged",
          "distinct",
          "weight_magnitude",
          "nonfinite_parameters",
          "dead_distance",
          "merge_distance",
          "rank",
          "became_dead",
          "left_dead",
          "became_merged",
          "left_merged");

  @TempDir Path dir;

  /** What one round saw: the last {@code ended N} the child printed and the lines it left. */
  private record Round(
      int tasksBeforeKill, long jitterMicros, int lastEnded, int exit, int lines) {}

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aKilledRunKeepsEveryEndedTaskAndOnlyWholeLines(TestReporter reporter) throws Exception {
    Random random = new Random(SEED);
    List<Round> rounds = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      // Round 0 kills right after start-up, before or while the first task ends.
      int tasks = i == 0 ? 0 : 1 + random.nextInt(MAX_TASKS_BEFORE_KILL);
      long jitter = (long) (random.nextDouble() * MAX_JITTER_MICROS);
      rounds.add(killOnce("kill-" + i, tasks, jitter));
    }
    for (int i = 0; i < rounds.size(); i++) {
      reporter.publishEntry("kill-" + i, rounds.get(i).toString());
    }
    assertThat(rounds)
        .as("some kills landed after tasks had ended")
        .anySatisfy(r -> assertThat(r.lastEnded()).isPositive());
  }

  private Round killOnce(String run, int tasksBeforeKill, long jitterMicros) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(
                java.toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                KilledTrainer.class.getName(),
                dir.toString(),
                run)
            .redirectError(dir.resolve(run + ".stderr").toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process child = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (IOException ignored) {
                // the pipe closes when the child dies
              }
            },
            "killed-trainer-stdout");
    reader.setDaemon(true);
    reader.start();
    List<String> seen = new ArrayList<>();
    try {
      String target = tasksBeforeKill == 0 ? "ready" : "ended " + tasksBeforeKill;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!seen.contains(target)) {
        String l = lines.poll(1, TimeUnit.SECONDS);
        if (l != null) {
          seen.add(l);
          continue;
        }
        if (!child.isAlive() && lines.isEmpty()) {
          reader.join(TimeUnit.SECONDS.toMillis(10));
          if (lines.isEmpty()) {
            throw new AssertionError(
                run
                    + ": the child exited ("
                    + child.exitValue()
                    + ") before '"
                    + target
                    + "': "
                    + Files.readString(dir.resolve(run + ".stderr")));
          }
        }
        assertThat(deadline - System.nanoTime())
            .as("%s: line '%s' within 90 s", run, target)
            .isPositive();
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(jitterMicros));
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("%s: killed child exits", run).isTrue();
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    lines.drainTo(seen);
    int lastEnded =
        seen.stream()
            .filter(l -> l.startsWith("ended "))
            .mapToInt(l -> Integer.parseInt(l.substring(6)))
            .max()
            .orElse(0);
    int exit = child.exitValue();
    assertThat(exit).as("%s: ended by SIGKILL, not by itself", run).isEqualTo(128 + 9);

    Path log = dir.resolve(run).resolve("tasks.jsonl");
    List<JsonNode> records = new ArrayList<>();
    if (Files.exists(log)) {
      byte[] bytes = Files.readAllBytes(log);
      if (bytes.length > 0) {
        assertThat(bytes[bytes.length - 1])
            .as("%s: the file ends with a whole line", run)
            .isEqualTo((byte) '\n');
      }
      ObjectMapper json = new ObjectMapper();
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
        if (!line.isEmpty()) {
          records.add(json.readTree(line)); // throws on a torn or corrupt line
        }
      }
    }
    for (int k = 0; k < records.size(); k++) {
      JsonNode r = records.get(k);
      int index = k + 1;
      assertThat(TASK_FIELDS)
          .allSatisfy(f -> assertThat(r.has(f)).as("%s line %d has %s", run, index, f).isTrue());
      assertThat(r.get("index").asInt()).as("%s: indices 1..k in order", run).isEqualTo(index);
      assertThat(r.get("task").asText()).isEqualTo("task-" + index);
      assertThat(r.get("run").asText()).isEqualTo(run);
      assertThat(r.get("iterations").asInt()).isEqualTo(2);
      assertThat(r.get("layers")).hasSize(3);
      for (JsonNode layer : r.get("layers")) {
        assertThat(LAYER_FIELDS)
            .allSatisfy(
                f ->
                    assertThat(layer.has(f)).as("%s line %d layer has %s", run, index, f).isTrue());
      }
    }
    assertThat(records.size())
        .as("%s: every task that ended before the kill is recorded", run)
        .isGreaterThanOrEqualTo(lastEnded)
        .as("%s: at most the task being ended when killed is there beyond them", run)
        .isLessThanOrEqualTo(lastEnded + 1);
    return new Round(tasksBeforeKill, jitterMicros, lastEnded, exit, records.size());
  }
}
