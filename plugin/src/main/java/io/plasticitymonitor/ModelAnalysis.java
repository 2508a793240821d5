package io.plasticitymonitor;

import io.plasticitymonitor.analysis.LayerAnalyzer;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.internal.network.NetworkReader;
import io.plasticitymonitor.internal.network.NetworkSnapshot;
import io.plasticitymonitor.internal.network.NetworkStructure;
import io.plasticitymonitor.internal.network.SnapshotConverter;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Offline analysis of a network that is not training, e.g. one loaded with ModelSerializer. */
public final class ModelAnalysis {
  private ModelAnalysis() {}

  /**
   * Measures every readable layer of {@code model}.
   *
   * @param probe inputs for the activation measures ({@code [examples, ...]}), or null for none
   * @return one entry per measured layer, in network order
   */
  public static List<LayerMeasures> analyze(Model model, INDArray probe, Thresholds thresholds) {
    NetworkStructure structure = NetworkStructure.of(model);
    INDArray[] inputs = probe == null ? null : new INDArray[] {probe};
    try (NetworkSnapshot snapshot = NetworkReader.snapshot(model, structure, inputs)) {
      List<LayerData> layers = SnapshotConverter.layerData(snapshot);
      LayerAnalyzer.Buffers buffers = new LayerAnalyzer.Buffers();
      return layers.stream().map(l -> LayerAnalyzer.analyze(l, thresholds, buffers)).toList();
    }
  }

  /** The layers {@link #analyze} skips or reads only in part, and why. */
  public static List<String> notes(Model model) {
    return NetworkStructure.of(model).notes();
  }
}
