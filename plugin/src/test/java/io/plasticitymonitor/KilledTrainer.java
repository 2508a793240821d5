package io.plasticitymonitor;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The child process of {@link DurabilityTest}: trains a tiny real network over many short tasks and
 * prints {@code ready} once it trains, then {@code ended N} after each {@code endTask()} returns,
 * until it is killed. Standard output is the protocol with the test (logs go to standard error).
 *
 * <p>Arguments: the output directory and the run id. It stops by itself after two minutes, so a
 * test that fails to kill it leaves nothing running for long.
 */
final class KilledTrainer {
  private KilledTrainer() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId(args[1])
            .outputDirectory(Path.of(args[0]))
            .probeSize(16)
            .analysisBudget(1.0)
            .build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 8, 16, 16, 3);
    DataSet data = Networks.data(32, 8, 3, 7);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    try (PlasticityListener listener =
        PlasticityMonitors.listener(config, new SimpleMeterRegistry())) {
      net.addListeners(listener);
      out.println("ready");
      out.flush();
      for (int n = 1; System.nanoTime() < deadline; n++) {
        listener.startTask("task-" + n);
        net.fit(data); // two iterations: the probe fills in the first, a periodic analysis may run
        net.fit(data);
        listener.endTask();
        out.println("ended " + n);
        out.flush();
      }
    }
  }
}
