package io.plasticitymonitor;

import io.plasticitymonitor.analysis.LayerAnalyzer;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.internal.network.NetworkSnapshot;
import io.plasticitymonitor.internal.network.SnapshotConverter;
import io.plasticitymonitor.report.PlasticityReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a snapshot into a report: the analysis step, run on the analysis thread. */
final class AnalysisRunner {
  private static final Logger LOG = LoggerFactory.getLogger(AnalysisRunner.class);
  private static final Pattern DETECTOR_NAME = Pattern.compile("[a-z0-9_]{1,40}");

  private final String run;
  private final Thresholds thresholds;
  private final Set<SymmetryDetector> detectors;

  /**
   * @throws IllegalArgumentException naming a detector whose name is not a valid tag value
   */
  AnalysisRunner(String run, Thresholds thresholds, Set<SymmetryDetector> detectors) {
    for (SymmetryDetector d : detectors) {
      if (d.name() == null || !DETECTOR_NAME.matcher(d.name()).matches()) {
        throw new IllegalArgumentException(
            "SymmetryDetector.name() of "
                + d.getClass().getName()
                + " must be lower case letters, digits and _ (at most 40) (got: \""
                + d.name()
                + "\")");
      }
    }
    this.run = run;
    this.thresholds = thresholds;
    this.detectors = Set.copyOf(detectors);
  }

  /**
   * Analyses every layer of the snapshot. A user detector that throws loses only its own value, a
   * failed probe forward pass only the activation measures (each logged, and reported through
   * {@code onFailure}); anything else propagates.
   */
  PlasticityReport analyze(
      NetworkSnapshot snapshot, long iteration, Instant takenAt, Runnable onFailure) {
    return analyze(snapshot, iteration, takenAt, onFailure, () -> false).orElseThrow();
  }

  /**
   * As {@link #analyze(NetworkSnapshot, long, Instant, Runnable)}, but stops before the next layer
   * once {@code cancelled} says so, and then returns empty: a cancelled analysis reports nothing,
   * not a part of the network. A layer already started is finished first, so cancelling takes
   * effect within one layer's analysis.
   */
  Optional<PlasticityReport> analyze(
      NetworkSnapshot snapshot,
      long iteration,
      Instant takenAt,
      Runnable onFailure,
      BooleanSupplier cancelled) {
    if (cancelled.getAsBoolean()) {
      return Optional.empty();
    }
    snapshot
        .activationFailure()
        .ifPresent(
            why -> {
              LOG.warn("Plasticity monitor: activations not measured: {}", why);
              onFailure.run();
            });
    List<LayerMeasures> layers = new ArrayList<>();
    Map<String, Map<String, Double>> symmetries = new LinkedHashMap<>();
    List<LayerData> data = SnapshotConverter.layerData(snapshot);
    LayerAnalyzer.Buffers buffers = new LayerAnalyzer.Buffers();
    for (int i = 0; i < data.size(); i++) {
      if (i > 0 && cancelled.getAsBoolean()) {
        return Optional.empty();
      }
      LayerData layer = data.get(i); // converted here, one layer in flight
      layers.add(LayerAnalyzer.analyze(layer, thresholds, buffers));
      if (!detectors.isEmpty()) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (SymmetryDetector d : detectors) {
          try {
            values.put(d.name(), d.absorbedUnits(layer));
          } catch (RuntimeException e) {
            LOG.warn("Symmetry detector '{}' failed on layer '{}'", d.name(), layer.name(), e);
            onFailure.run();
          }
        }
        symmetries.put(layer.name(), values);
      }
    }
    return Optional.of(new PlasticityReport(run, iteration, takenAt, layers, symmetries));
  }
}
