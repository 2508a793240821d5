package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.plasticitymonitor.remedy.RemedySettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --remedy}: the plugin's remedies by name, with parameters; bad ones exit 2 with one
 * message.
 */
class RemedyOptionTest {
  @TempDir Path tmp;

  private RunSettings parse(String... args) {
    SampleApp app = new SampleApp();
    new CommandLine(app).parseArgs(args);
    return app.validate();
  }

  @Test
  void noRemedyUnlessAsked() {
    RunSettings s = parse("--port", "0", "--output", tmp.toString());
    assertThat(s.remedy()).isEmpty();
    assertThat(s.describe(784)).containsEntry("remedy", "none");
  }

  @Test
  void namesAndParametersBecomeRemedySettings() {
    assertThat(parse("--port", "0", "--remedy", "syre").remedy()).contains(RemedySettings.syre());
    assertThat(parse("--port", "0", "--remedy", "redo").remedy()).contains(RemedySettings.redo());
    assertThat(parse("--port", "0", "--remedy", "cbp").remedy())
        .contains(RemedySettings.continualBackprop());
    assertThat(parse("--port", "0", "--remedy", "shrink-perturb").remedy())
        .contains(RemedySettings.shrinkPerturb());
    assertThat(parse("--port", "0", "--remedy", "redo:every=250").remedy())
        .contains(new RemedySettings.Redo(250, 0.025));
  }

  @Test
  void anUnknownRemedyIsABadOption() {
    OptionsTest.Outcome o =
        OptionsTest.run("--port", "0", "--output", tmp.toString(), "--remedy", "dropout");
    assertThat(o.exit()).isEqualTo(SampleApp.EXIT_USAGE);
    assertThat(o.err())
        .contains("--remedy: remedy must be none, syre, redo, cbp, shrink-perturb or l2-init")
        .contains("(got: \"dropout\")");
  }
}
