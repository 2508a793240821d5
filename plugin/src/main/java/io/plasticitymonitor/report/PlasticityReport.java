package io.plasticitymonitor.report;

import io.plasticitymonitor.analysis.LayerMeasures;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of one analysis: immutable, published whole, read by the meters and the task log.
 *
 * @param run the run id
 * @param iteration the model's iteration when the snapshot was taken
 * @param takenAt when the snapshot was taken
 * @param layers the measured layers, in network order
 * @param symmetries per layer, the counts of the user's {@link SymmetryDetector}s by name
 */
public record PlasticityReport(
    String run,
    long iteration,
    Instant takenAt,
    List<LayerMeasures> layers,
    Map<String, Map<String, Double>> symmetries) {

  public PlasticityReport {
    layers = List.copyOf(layers);
    Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
    symmetries.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    symmetries = Map.copyOf(copy);
  }

  public Optional<LayerMeasures> layer(String name) {
    for (LayerMeasures l : layers) {
      if (l.layer().equals(name)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  /**
   * Over all hidden layers whose units were measured: (dead by weights + merged) / units; NaN when
   * there is none.
   */
  public double absorbedRatio() {
    long absorbed = 0;
    long units = 0;
    for (LayerMeasures l : layers) {
      if (l.unitMeasures() != null) {
        absorbed += l.unitMeasures().deadByWeights() + l.unitMeasures().merged();
        units += l.units();
      }
    }
    return units == 0 ? Double.NaN : (double) absorbed / units;
  }
}
