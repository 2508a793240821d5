package io.plasticitymonitor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Makes the executor analyses run on: one daemon thread, or in tests the caller's thread. */
interface AnalysisThread {
  /** A new executor for run {@code run}; called once, when the first analysis is submitted. */
  ExecutorService start(String run);

  /** One background daemon thread named after the run. */
  static AnalysisThread daemon() {
    return run ->
        Executors.newSingleThreadExecutor(
            r -> {
              Thread th = new Thread(r, "plasticity-analysis-" + run);
              th.setDaemon(true);
              return th;
            });
  }
}
