package io.plasticitymonitor.remedy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The text form of {@link RemedySettings} ({@link RemedySettings#parse}): {@code
 * name[:key=value,…]}.
 */
final class RemedySpec {
  static final String SYNTAX =
      "remedy must be none, syre, redo, cbp, shrink-perturb or l2-init, optionally "
          + "followed by :key=value,… (e.g. redo:every=250,tau=0.1)";

  private final String remedy;
  private final Map<String, String> values;
  private final String spec;
  private final List<String> known = new ArrayList<>();

  private RemedySpec(String remedy, Map<String, String> values, String spec) {
    this.remedy = remedy;
    this.values = values;
    this.spec = spec;
  }

  static Optional<RemedySettings> parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          SYNTAX + " (got: " + (spec == null ? "null" : "\"" + spec + "\"") + ")");
    }
    String s = spec.trim().toLowerCase(Locale.ROOT);
    int colon = s.indexOf(':');
    String name = colon < 0 ? s : s.substring(0, colon).trim();
    Map<String, String> values = new LinkedHashMap<>();
    if (colon >= 0) {
      for (String kv : s.substring(colon + 1).split(",", -1)) {
        int eq = kv.indexOf('=');
        String key = eq < 0 ? "" : kv.substring(0, eq).trim();
        String value = eq < 0 ? "" : kv.substring(eq + 1).trim();
        if (key.isEmpty() || value.isEmpty() || values.put(key, value) != null) {
          throw new IllegalArgumentException(SYNTAX + " (got: \"" + spec + "\")");
        }
      }
    }
    RemedySpec p = new RemedySpec(name, values, spec);
    // Defaults come from RemedySettings' factories: the one place they are written.
    RemedySettings r =
        switch (name) {
          case "none" -> null;
          case "syre" -> {
            RemedySettings.Syre d = RemedySettings.syre();
            yield new RemedySettings.Syre(
                p.real("anchor-scale", d.anchorScale()),
                p.whole("seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE));
          }
          case "redo" -> {
            RemedySettings.Redo d = RemedySettings.redo();
            yield new RemedySettings.Redo(
                (int) p.whole("every", d.every(), Integer.MIN_VALUE, Integer.MAX_VALUE),
                p.real("tau", d.tau()));
          }
          case "cbp" -> {
            RemedySettings.ContinualBackprop d = RemedySettings.continualBackprop();
            yield new RemedySettings.ContinualBackprop(
                p.real("rate", d.replacementRate()),
                (int) p.whole("maturity", d.maturity(), Integer.MIN_VALUE, Integer.MAX_VALUE),
                p.real("decay", d.decay()));
          }
          case "shrink-perturb" -> {
            RemedySettings.ShrinkPerturb d = RemedySettings.shrinkPerturb();
            yield new RemedySettings.ShrinkPerturb(
                p.real("shrink", d.shrink()), p.real("noise", d.noise()));
          }
          case "l2-init" ->
              new RemedySettings.L2Init(p.real("lambda", RemedySettings.l2Init().lambda()));
          default -> throw new IllegalArgumentException(SYNTAX + " (got: \"" + spec + "\")");
        };
    p.done();
    return Optional.ofNullable(r);
  }

  private double real(String key, double fallback) {
    known.add(key);
    String v = values.remove(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "remedy " + remedy + " parameter " + key + " must be a number (got: \"" + v + "\")");
    }
  }

  private long whole(String key, long fallback, long min, long max) {
    known.add(key);
    String v = values.remove(key);
    if (v == null) {
      return fallback;
    }
    try {
      long x = Long.parseLong(v);
      if (x < min || x > max) {
        throw new NumberFormatException();
      }
      return x;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "remedy "
              + remedy
              + " parameter "
              + key
              + " must be a whole number from "
              + min
              + " to "
              + max
              + " (got: \""
              + v
              + "\")");
    }
  }

  private void done() {
    if (!values.isEmpty()) {
      throw new IllegalArgumentException(
          "remedy "
              + remedy
              + " has no parameter "
              + String.join(", ", values.keySet())
              + " (it has: "
              + (known.isEmpty() ? "none" : String.join(", ", known))
              + ") (got: \""
              + spec
              + "\")");
    }
  }
}
