package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import io.micrometer.core.instrument.MeterRegistry;
import io.plasticitymonitor.remedy.RemedySettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemedySettingsTest {
  @TempDir Path dir;

  @Test
  void parsesNamesWithTheirDefaultsAndParameters() {
    assertThat(RemedySettings.parse("none")).isEmpty();
    assertThat(RemedySettings.parse("syre")).contains(new RemedySettings.Syre(0.01, 0));
    assertThat(RemedySettings.parse("redo")).contains(new RemedySettings.Redo(1000, 0.025));
    assertThat(RemedySettings.parse("cbp"))
        .contains(new RemedySettings.ContinualBackprop(1e-4, 100, 0.99));
    assertThat(RemedySettings.parse("shrink-perturb"))
        .contains(new RemedySettings.ShrinkPerturb(0.4, 0.1));
    assertThat(RemedySettings.parse("REDO:every=250, tau=0.1"))
        .contains(new RemedySettings.Redo(250, 0.1));
    assertThat(RemedySettings.parse("cbp:rate=1e-3,maturity=50"))
        .contains(new RemedySettings.ContinualBackprop(1e-3, 50, 0.99));
    assertThat(RemedySettings.parse("syre:anchor-scale=0.1,seed=-3"))
        .contains(new RemedySettings.Syre(0.1, -3));
    assertThat(RemedySettings.parse("shrink-perturb:noise=0"))
        .contains(new RemedySettings.ShrinkPerturb(0.4, 0));
    assertThat(RemedySettings.shrinkPerturb().name()).isEqualTo("shrink-perturb");
    assertThat(RemedySettings.continualBackprop().name()).isEqualTo("cbp");
  }

  @Test
  void badTextIsRejectedNamingWhatIsWrong() {
    assertThatThrownBy(() -> RemedySettings.parse("dropout"))
        .hasMessageContaining("none, syre, redo, cbp, " + "shrink-perturb or l2-init")
        .hasMessageContaining("(got: \"dropout\")");
    assertThatThrownBy(() -> RemedySettings.parse("redo:often=3"))
        .hasMessageContaining("no parameter often")
        .hasMessageContaining("every, tau");
    assertThatThrownBy(() -> RemedySettings.parse("redo:every="))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RemedySettings.parse("redo:every=2.5"))
        .hasMessageContaining("every")
        .hasMessageContaining("(got: \"2.5\")");
    assertThatThrownBy(() -> RemedySettings.parse("redo:every=0"))
        .hasMessage("PlasticityConfig.remedy redo.every must be at least 1 (got: 0)");
    assertThatThrownBy(() -> RemedySettings.parse("none:tau=1"))
        .hasMessageContaining("no parameter tau");
    assertThatThrownBy(() -> RemedySettings.parse(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordsCheckTheirParameters() {
    assertThatThrownBy(() -> new RemedySettings.Syre(-0.1, 0))
        .hasMessage(
            "PlasticityConfig.remedy syre.anchorScale must be a finite number ≥ 0 (got: -0.1)");
    assertThatThrownBy(() -> new RemedySettings.Redo(10, 1.0))
        .hasMessageContaining("redo.tau")
        .hasMessageContaining("(got: 1.0)");
    assertThatThrownBy(() -> new RemedySettings.ContinualBackprop(1.5, 100, 0.99))
        .hasMessageContaining("cbp.replacementRate")
        .hasMessageContaining("(got: 1.5)");
    assertThatThrownBy(() -> new RemedySettings.ContinualBackprop(1e-4, -1, 0.99))
        .hasMessageContaining("cbp.maturity")
        .hasMessageContaining("(got: -1)");
    assertThatThrownBy(() -> new RemedySettings.ContinualBackprop(1e-4, 100, 1.0))
        .hasMessageContaining("cbp.decay");
    assertThatThrownBy(() -> new RemedySettings.ShrinkPerturb(0, 0.1))
        .hasMessageContaining("shrink-perturb.shrink")
        .hasMessageContaining("(got: 0.0)");
    assertThatThrownBy(() -> new RemedySettings.ShrinkPerturb(0.4, Double.NaN))
        .hasMessageContaining("shrink-perturb.noise")
        .hasMessageContaining("(got: NaN)");
  }

  @Test
  void theConfigCarriesTheRemedyAndTheModuleRegistersItsCounter() {
    PlasticityConfig none = PlasticityConfig.builder().runId("r").outputDirectory(dir).build();
    assertThat(none.remedy()).isEmpty();
    PlasticityConfig config =
        PlasticityConfig.builder()
            .runId("r")
            .outputDirectory(dir)
            .remedy(RemedySettings.redo())
            .build();
    assertThat(config.remedy()).contains(RemedySettings.redo());
    assertThat(config.toString()).contains("remedy=Redo[every=1000, tau=0.025]");

    var injector = Guice.createInjector(new PlasticityMonitorModule(config));
    try (PlasticityListener listener = injector.getInstance(PlasticityListener.class)) {
      listener.startTask("t");
      MeterRegistry registry = injector.getInstance(MeterRegistry.class);
      assertThat(
              registry
                  .get("plasticity.remedy.applied")
                  .tags("run", "r", "remedy", "redo")
                  .counter()
                  .count())
          .isZero();
      assertThat(listener.endTask().remedy()).contains("redo");
    }
  }

  @Test
  void l2InitFromTextAndItsBadValues() {
    assertThat(RemedySettings.parse("l2-init")).contains(new RemedySettings.L2Init(0.01));
    assertThat(RemedySettings.parse("l2-init:lambda=1e-3"))
        .contains(new RemedySettings.L2Init(1e-3));
    assertThat(RemedySettings.l2Init().name()).isEqualTo("l2-init");
    assertThatThrownBy(() -> RemedySettings.parse("l2-init:lambda=-1"))
        .hasMessage(
            "PlasticityConfig.remedy l2-init.lambda must be a finite number ≥ 0 (got: -1.0)");
    assertThatThrownBy(() -> new RemedySettings.L2Init(Double.NaN))
        .hasMessageContaining("l2-init.lambda")
        .hasMessageContaining("(got: NaN)");
    assertThatThrownBy(() -> RemedySettings.parse("l2-init:anchor-scale=1"))
        .hasMessageContaining("no parameter anchor-scale")
        .hasMessageContaining("lambda");
  }
}
