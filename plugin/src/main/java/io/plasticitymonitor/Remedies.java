package io.plasticitymonitor;

import io.plasticitymonitor.remedy.RemedyRunner;
import java.util.Optional;

/** Turns the configured {@link RemedySettings} into the runner the listener drives. */
final class Remedies {
  private Remedies() {}

  static RemedyRunner runner(Optional<RemedySettings> settings) {
    if (settings.isEmpty()) {
      return RemedyRunner.none();
    }
    RemedySettings r = settings.get();
    if (r instanceof RemedySettings.Syre s) {
      return RemedyRunner.syre(s.anchorScale(), s.seed());
    }
    if (r instanceof RemedySettings.Redo s) {
      return RemedyRunner.redo(s.every(), s.tau());
    }
    if (r instanceof RemedySettings.ContinualBackprop s) {
      return RemedyRunner.continualBackprop(s.replacementRate(), s.maturity(), s.decay());
    }
    RemedySettings.ShrinkPerturb s = (RemedySettings.ShrinkPerturb) r;
    return RemedyRunner.shrinkPerturb(s.shrink(), s.noise());
  }
}
