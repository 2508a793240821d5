package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A real full disk: the task log lives on a 64 KiB tmpfs mounted for this test, nearly filled
 * beforehand, so an append runs out of space part-way through a line (ENOSPC after a short write).
 * Training goes on, each failed append is counted, the file never holds a half-written line, and
 * once space is freed the next task's line is appended after the whole ones. Needs root (mount);
 * skipped, with that reason, elsewhere.
 */
class DiskFullTest {
  private static final int TMPFS_BYTES = 64 * 1024;

  /** Left free after the filler: room for a few lines, not for all. */
  private static final int FREE_BYTES = 8 * 1024;

  @TempDir Path dir;
  private Path mount;
  private boolean mounted;

  private static int run(String... command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  @BeforeEach
  void mountASmallFileSystem() throws Exception {
    mount = Files.createDirectories(dir.resolve("small-disk"));
    mounted =
        run(
                "mount",
                "-t",
                "tmpfs",
                "-o",
                "size=" + TMPFS_BYTES + ",mode=0700",
                "tmpfs",
                mount.toString())
            == 0;
    assumeTrue(mounted, "needs root to mount a 64 KiB tmpfs (a real full disk)");
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      run("umount", "-l", mount.toString());
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aFullDiskIsCountedTrainingGoesOnAndNoLineIsHalfWritten() throws Exception {
    Path filler = mount.resolve("filler");
    Files.write(filler, new byte[TMPFS_BYTES - FREE_BYTES]);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("full").outputDirectory(mount).build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 5, 2);
    DataSet data = Networks.data(16, 4, 2, 1);
    Path log = mount.resolve("full").resolve("tasks.jsonl");
    int tasks = 0;
    List<Integer> failedAt = new ArrayList<>();
    try (PlasticityListener listener = PlasticityMonitors.listener(config, registry)) {
      net.addListeners(listener);
      while (failedAt.size() < 3 && tasks < 50) {
        tasks++;
        listener.startTask("task-" + tasks);
        double errorsBefore = taskLogErrors(registry);
        net.fit(data); // training goes on whatever the disk says
        listener.endTask(); // never throws
        if (taskLogErrors(registry) > errorsBefore) {
          failedAt.add(tasks);
        }
        assertWholeLines(log);
      }
      assertThat(failedAt).as("the disk filled up").hasSize(3);
      int recorded = assertWholeLines(log);
      assertThat(recorded)
          .as("lines before the disk filled")
          .isGreaterThanOrEqualTo(failedAt.get(0) - 1)
          .isPositive()
          .as("every task is either a whole line or a counted failure")
          .isEqualTo(tasks - failedAt.size());

      Files.delete(filler); // space again: the next line goes after the whole ones
      tasks++;
      listener.startTask("task-" + tasks);
      net.fit(data);
      listener.endTask();
      assertThat(assertWholeLines(log)).isEqualTo(recorded + 1);
      List<String> lines = Files.readAllLines(log);
      assertThat(new ObjectMapper().readTree(lines.get(lines.size() - 1)).get("task").asText())
          .isEqualTo("task-" + tasks);
      assertThat(taskLogErrors(registry)).isEqualTo(3);
      assertThat(registry.get("plasticity.analysis.errors").counter().count())
          .as("a full disk is not an analysis failure")
          .isZero();
    }
  }

  private static double taskLogErrors(SimpleMeterRegistry registry) {
    return registry.get("plasticity.sink.errors").tags("sink", "task_log").counter().count();
  }

  /** Every line parses and the file ends with a newline; returns the number of lines. */
  private static int assertWholeLines(Path log) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    byte[] bytes = Files.readAllBytes(log);
    if (bytes.length == 0) {
      return 0;
    }
    assertThat(bytes[bytes.length - 1]).as("no half-written line").isEqualTo((byte) '\n');
    ObjectMapper json = new ObjectMapper();
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
    for (String line : lines) {
      json.readTree(line);
    }
    return lines.length;
  }
}
