package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.multibindings.OptionalBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plasticitymonitor.report.PlasticityReport;
import io.plasticitymonitor.report.Sink;
import io.plasticitymonitor.report.TaskSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's sink gets every event once, in order, and a failing one harms nothing else. */
class SinkTest {
  @TempDir Path dir;

  /** Writes down what it is told. */
  private static final class Recording implements Sink {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public void start() {
      events.add("start");
    }

    @Override
    public void taskStarted(String task, int index) {
      events.add("taskStarted " + task + " " + index);
    }

    @Override
    public void reportPublished(PlasticityReport report) {
      events.add("reportPublished " + report.layers().size() + " layers");
    }

    @Override
    public void taskEnded(TaskSummary summary) {
      events.add("taskEnded " + summary.task() + " " + summary.layers().size() + " layers");
    }

    @Override
    public void close() {
      events.add("close");
    }
  }

  /** Fails at every task end, as a full disk would. */
  private static final class Broken implements Sink {
    @Override
    public String name() {
      return "broken";
    }

    @Override
    public void taskEnded(TaskSummary summary) throws IOException {
      throw new IOException("no space left on device");
    }
  }

  @Test
  void aSinkBoundWithGuiceGetsEveryEventOnceInOrder() {
    Recording recording = new Recording();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config = PlasticityConfig.builder().runId("sink").outputDirectory(dir).build();
    PlasticityListener listener =
        Guice.createInjector(
                new PlasticityMonitorModule(config),
                b -> {
                  OptionalBinder.newOptionalBinder(b, MeterRegistry.class)
                      .setBinding()
                      .toInstance(registry);
                  PlasticityMonitorModule.sinks(b).addBinding().toInstance(recording);
                })
            .getInstance(PlasticityListener.class);
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 2);
    net.addListeners(listener);
    for (int task = 1; task <= 2; task++) {
      listener.startTask("t" + task);
      net.fit(Networks.data(16, 4, 2, task)); // 16 inputs never fill the 256-example probe
      listener.endTask();
    }
    listener.close();
    listener.close();
    assertThat(recording.events)
        .containsExactly(
            "start",
            "taskStarted t1 1",
            "reportPublished 2 layers",
            "taskEnded t1 2 layers",
            "taskStarted t2 2",
            "reportPublished 2 layers",
            "taskEnded t2 2 layers",
            "close");
  }

  @Test
  void aFailingSinkIsCountedAndTheOthersStillGetTheCall() throws Exception {
    Recording recording = new Recording();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("broken").outputDirectory(dir).build();
    MultiLayerNetwork net = Networks.mlp(0.1, 1, 4, 5, 2);
    try (PlasticityListener listener =
        PlasticityMonitors.listener(config, registry, Set.of(), Set.of(new Broken(), recording))) {
      net.addListeners(listener);
      listener.startTask("t");
      net.fit(Networks.data(16, 4, 2, 1));
      TaskSummary s = listener.endTask(); // never throws
      assertThat(s.layers()).hasSize(2);
      assertThat(registry.get("plasticity.sink.errors").tags("sink", "broken").counter().count())
          .isEqualTo(1);
      assertThat(registry.get("plasticity.sink.errors").tags("sink", "task_log").counter().count())
          .isZero();
      assertThat(registry.get("plasticity.analysis.errors").counter().count()).isZero();
      assertThat(recording.events).contains("taskEnded t 2 layers");
    }
    assertThat(Files.readAllLines(dir.resolve("broken").resolve("tasks.jsonl"))).hasSize(1);
  }

  @Test
  void aSinkNameThatIsNoTagValueOrIsTakenFailsNamingIt() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PlasticityConfig config =
        PlasticityConfig.builder().runId("names").outputDirectory(dir).build();
    Sink spaced = () -> "My Sink";
    assertThatThrownBy(
            () -> PlasticityMonitors.listener(config, registry, Set.of(), Set.of(spaced)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Sink.name()")
        .hasMessageContaining("(got: \"My Sink\")");
    Sink taken = () -> "task_log";
    assertThatThrownBy(() -> PlasticityMonitors.listener(config, registry, Set.of(), Set.of(taken)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two sinks are named \"task_log\"");
  }
}
