package io.plasticitymonitor.bench;

import io.plasticitymonitor.analysis.LayerAnalyzer;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.internal.network.NativeMemory;
import io.plasticitymonitor.internal.network.NetworkReader;
import io.plasticitymonitor.internal.network.NetworkSnapshot;
import io.plasticitymonitor.internal.network.NetworkStructure;
import io.plasticitymonitor.internal.network.SnapshotConverter;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * (f) by phase: the resident set's peak in each step of one analysis of ResNet50, taken apart
 * outside the listener so that each step can be timed alone — a training iteration, the snapshot
 * (the parameters' copies and the probe's forward pass in slices), the analysis (conversion to
 * double and every measure, on a thread of its own as the listener runs it), and what is left after
 * the snapshot is closed and glibc trimmed.
 */
final class ResNet50PhasesBench {
  private final int input;
  private final int batch;
  private final int probe;

  ResNet50PhasesBench(int input, int batch, int probe) {
    this.input = input;
    this.batch = batch;
    this.probe = probe;
  }

  String run() throws Exception {
    ComputationGraph net = ResNet50Bench.network(input);
    DataSet data = ResNet50Bench.data(batch, input);
    INDArray probeImages = ResNet50Bench.probeImages(probe, input);
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%n### (f) ResNet50's analysis by phase%n%nInput 3×%d×%d, training batch %d, probe %d"
                + " images; resident set sampled every 20 ms, readings after GC where it says so."
                + "%n%n| phase | RSS before, MB | RSS peak in the phase, MB | above before, MB"
                + " | Java heap committed at the end, MB |%n|---|---|---|---|---|%n",
            input,
            input,
            batch,
            probe));
    try (RssSampler rss = new RssSampler()) {
      for (int i = 0; i < 2; i++) {
        net.fit(data); // DL4J sizes its workspaces in the first iterations
      }
      ResNet50Bench.settle();
      long before = Pointer.physicalBytes();
      rss.restart();
      net.fit(data);
      row(b, "one training iteration (after GC before)", before, rss.peak());
      ResNet50Bench.settle();

      before = Pointer.physicalBytes();
      rss.restart();
      try (NetworkSnapshot weightsOnly =
          NetworkReader.snapshot(net, NetworkStructure.of(net), null)) {
        row(b, "snapshot of the parameters alone (no probe; closed after)", before, rss.peak());
      }
      ResNet50Bench.settle();

      before = Pointer.physicalBytes();
      rss.restart();
      NetworkSnapshot snapshot =
          NetworkReader.snapshot(net, NetworkStructure.of(net), new INDArray[] {probeImages});
      row(
          b,
          "snapshot: copies of the parameters, probe forward pass in slices",
          before,
          rss.peak());

      before = Pointer.physicalBytes();
      rss.restart();
      String[] largest = new String[1];
      Thread analysis =
          new Thread(() -> largest[0] = analyse(snapshot, rss), "bench-phases-analysis");
      analysis.start();
      analysis.join();
      row(b, "analysis of all layers (snapshot held)", before, rss.peak());

      snapshot.close();
      long trimStart = System.nanoTime();
      NativeMemory.trim(); // what the listener does after every analysis
      long trimNanos = System.nanoTime() - trimStart;
      ResNet50Bench.settle();
      long after = Pointer.physicalBytes();
      b.append(
          String.format(
              Locale.ROOT,
              "%nAfter the snapshot is closed, glibc trimmed (%.1f ms wall) and the heap collected:"
                  + " %d MB resident. The analysis's largest step: %s.%n",
              trimNanos / 1e6,
              after >> 20,
              largest[0]));

      // A periodic analysis runs beside training: two iterations alone, then two iterations with
      // a snapshot taken before them and analysed on its own thread meanwhile.
      b.append(
          String.format(
              Locale.ROOT,
              "%nBeside training (as a periodic analysis runs):%n%n| phase | RSS before, MB"
                  + " | RSS peak in the phase, MB | above before, MB"
                  + " | Java heap committed at the end, MB |%n|---|---|---|---|---|%n"));
      before = Pointer.physicalBytes();
      rss.restart();
      net.fit(data);
      net.fit(data);
      row(b, "two training iterations alone", before, rss.peak());
      ResNet50Bench.settle();

      before = Pointer.physicalBytes();
      rss.restart();
      NetworkSnapshot beside =
          NetworkReader.snapshot(net, NetworkStructure.of(net), new INDArray[] {probeImages});
      Thread besideAnalysis = new Thread(() -> analyse(beside, rss), "bench-phases-beside");
      besideAnalysis.start();
      net.fit(data);
      net.fit(data);
      besideAnalysis.join();
      row(b, "snapshot, then its analysis beside two training iterations", before, rss.peak());
      beside.close();
      NativeMemory.trim();
    }
    net.close();
    return b.toString();
  }

  /** Analyses every layer as the listener does; returns the layer whose step peaked highest. */
  private static String analyse(NetworkSnapshot snapshot, RssSampler rss) {
    List<LayerData> layers = SnapshotConverter.layerData(snapshot);
    LayerAnalyzer.Buffers buffers = new LayerAnalyzer.Buffers();
    long highest = 0;
    String which = "";
    long start = rss.peak();
    for (int i = 0; i < layers.size(); i++) {
      long before = Pointer.physicalBytes();
      LayerData layer = layers.get(i);
      LayerAnalyzer.analyze(layer, Thresholds.DEFAULTS, buffers);
      long step = Pointer.physicalBytes() - before;
      if (step > highest) {
        highest = step;
        which =
            String.format(
                Locale.ROOT,
                "%s (%d units, fan-in %d, %d outgoing each), +%d MB",
                layer.name(),
                layer.units(),
                layer.fanIn(),
                layer.outWidth(),
                step >> 20);
      }
    }
    return which.isEmpty() ? "none grew the resident set (from " + (start >> 20) + " MB)" : which;
  }

  private static void row(StringBuilder b, String phase, long before, long peak) {
    b.append(
        String.format(
            Locale.ROOT,
            "| %s | %d | %d | %+d | %d |%n",
            phase,
            before >> 20,
            peak >> 20,
            (peak - before) >> 20,
            Runtime.getRuntime().totalMemory() >> 20));
  }
}
