package io.plasticitymonitor;

import io.plasticitymonitor.internal.export.TaskLog;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Applies {@link PlasticityConfig#existingRun()} when the run's task log already holds tasks, so
 * that a run id used twice never mixes two runs in one file silently: refuse, resume the numbering,
 * or start the log afresh. Runs at the listener's first {@code startTask}, before any sink starts.
 */
final class ExistingRuns {
  private ExistingRuns() {}

  /**
   * @return the index of the last task already in the log that this run continues, 0 for a new log
   * @throws IllegalStateException when the log holds tasks and the setting is {@code REFUSE}, or it
   *     cannot be read
   */
  static int apply(PlasticityConfig config) {
    TaskLog log = new TaskLog(config.runDirectory());
    try {
      int lines = log.completeLines();
      if (lines == 0) {
        return 0;
      }
      return switch (config.existingRun()) {
        case REFUSE ->
            throw new IllegalStateException(
                log.file()
                    + " already holds "
                    + lines
                    + (lines == 1 ? " task" : " tasks")
                    + " of run '"
                    + config.runId()
                    + "': choose "
                    + "another PlasticityConfig.runId, or set PlasticityConfig.existingRun(RESUME) to "
                    + "continue its numbering, or existingRun(OVERWRITE) to replace it");
        case RESUME -> log.lastIndex().orElse(0);
        case OVERWRITE -> {
          log.delete();
          yield 0;
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Plasticity monitor: cannot read "
              + log.file()
              + " to apply PlasticityConfig.existingRun("
              + config.existingRun()
              + "): "
              + e.getMessage(),
          e);
    }
  }
}
