package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.OptionalBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.report.TaskSummary;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuiceWiringTest {
  @TempDir Path dir;

  private PlasticityConfig config() {
    return PlasticityConfig.builder().runId("guice").outputDirectory(dir).build();
  }

  @Test
  void defaultsToOneSharedPrometheusRegistryAndOneListener() {
    Injector injector = Guice.createInjector(new PlasticityMonitorModule(config()));
    assertThat(injector.getInstance(MeterRegistry.class))
        .isInstanceOf(PrometheusMeterRegistry.class)
        .isSameAs(injector.getInstance(MeterRegistry.class));
    PlasticityListener listener = injector.getInstance(PlasticityListener.class);
    assertThat(listener).isSameAs(injector.getInstance(PlasticityListener.class));
    assertThat(listener.registry()).isSameAs(injector.getInstance(MeterRegistry.class));
  }

  @Test
  void creatingTheInjectorRegistersNothingAndStartsNothing() {
    Injector injector = Guice.createInjector(new PlasticityMonitorModule(config()));
    injector.getInstance(PlasticityListener.class);
    assertThat(injector.getInstance(MeterRegistry.class).getMeters()).isEmpty();
    assertThat(dir).isEmptyDirectory();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("plasticity-"));
  }

  @Test
  void theApplicationMayBindItsOwnRegistry() {
    SimpleMeterRegistry mine = new SimpleMeterRegistry();
    Injector injector =
        Guice.createInjector(
            new PlasticityMonitorModule(config()),
            new AbstractModule() {
              @Override
              protected void configure() {
                OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class)
                    .setBinding()
                    .toInstance(mine);
              }
            });
    PlasticityListener listener = injector.getInstance(PlasticityListener.class);
    listener.startTask("t");
    assertThat(mine.find("plasticity.task").gauge().value()).isEqualTo(1);
    listener.endTask();
    listener.close();
  }

  /** Counts units with all-negative incoming weights: an example of a user's own detector. */
  static final class NegativeUnits implements SymmetryDetector {
    @Override
    public String name() {
      return "negative";
    }

    @Override
    public double absorbedUnits(LayerData layer) {
      int n = 0;
      for (int i = 0; i < layer.units(); i++) {
        boolean all = true;
        for (int f = 0; f < layer.fanIn(); f++) {
          all &= layer.weights()[f * layer.units() + i] < 0;
        }
        n += all ? 1 : 0;
      }
      return n;
    }
  }

  @Test
  void detectorsBoundThroughTheMultibinderArePublished() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Injector injector =
        Guice.createInjector(
            new PlasticityMonitorModule(config()),
            new AbstractModule() {
              @Override
              protected void configure() {
                OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class)
                    .setBinding()
                    .toInstance(registry);
                PlasticityMonitorModule.detectors(binder()).addBinding().to(NegativeUnits.class);
              }
            });
    MultiLayerNetwork net = Networks.mlp(0.0, 1, 4, 3, 2);
    net.getLayer(0).getParam("W").getColumn(1).assign(-1);
    try (PlasticityListener listener = injector.getInstance(PlasticityListener.class)) {
      net.addListeners(listener);
      listener.startTask("t");
      net.fit(Networks.data(8, 4, 2, 1));
      TaskSummary s = listener.endTask();
      assertThat(
              registry
                  .get("plasticity.symmetry.absorbed.units")
                  .tags("layer", "layer0", "symmetry", "negative")
                  .gauge()
                  .value())
          .isEqualTo(1);
      assertThat(s.layers().get(0).symmetries()).containsEntry("negative", 1.0);
    }
  }
}
