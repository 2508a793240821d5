package io.plasticitymonitor.sample;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.plasticitymonitor.ModelAnalysis;
import io.plasticitymonitor.analysis.ActivationMeasures;
import io.plasticitymonitor.analysis.LayerMeasures;
import io.plasticitymonitor.analysis.Percentiles;
import io.plasticitymonitor.analysis.RankMeasures;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.analysis.UnitMeasures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code analyze}: the plasticity measures of a saved DL4J model, offline. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Reads a DL4J model saved with ModelSerializer (a MultiLayerNetwork or ComputationGraph"
          + " zip, e.g. the model.zip of a sample-app run) and prints the per-layer measures of"
          + " the metric contract: dead, merged and distinct units, rank of the weights (and of"
          + " the activations on a probe batch when --probe-examples is given), weight magnitude.",
      ""
    })
final class AnalyzeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.zip", description = "The saved model.")
  Path model;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table or json. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(
      names = "--probe-examples",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Measure activations on N MNIST test images (needs --data-dir; the model's"
              + " input must be 784 pixels). 0 measures weights only. Default: ${DEFAULT-VALUE}.")
  int probeExamples;

  @Option(
      names = "--probe-fashion",
      description = "Take the probe from Fashion-MNIST instead of MNIST.")
  boolean probeFashion;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "${env:PLASTICITY_DATA_DIR:-${sys:user.home}/.deeplearning4j}",
      description =
          "Where the MNIST IDX files are. Default: $PLASTICITY_DATA_DIR, else"
              + " ~/.deeplearning4j.")
  Path dataDir;

  @Option(
      names = "--fashion-dir",
      paramLabel = "DIR",
      defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "Where the gzipped Fashion-MNIST files are. Default: ${DEFAULT-VALUE}.")
  Path fashionDir;

  @Override
  public Integer call() throws Exception {
    if (!format.equals("table") && !format.equals("json")) {
      throw usage("--format must be table or json (got: " + format + ")");
    }
    if (probeExamples < 0 || probeExamples > 10_000) {
      throw usage("--probe-examples must be 0 to 10000 (got: " + probeExamples + ")");
    }
    if (!Files.isRegularFile(model)) {
      throw usage("no model file at " + model);
    }
    Model net;
    try {
      net = restore(model);
    } catch (IOException | RuntimeException e) {
      throw usage("cannot read " + model + " as a DL4J ModelSerializer zip: " + e.getMessage());
    } catch (OutOfMemoryError e) { // sizes in a damaged or hostile file; nothing else is allocated
      throw usage(
          "cannot read "
              + model
              + ": what it holds does not fit in memory ("
              + e.getMessage()
              + ")");
    }
    INDArray probe = null;
    if (probeExamples > 0) {
      try {
        DataSources.Splits data =
            probeFashion ? DataSources.fashion(fashionDir) : DataSources.mnist(dataDir);
        int[] rows = new int[probeExamples];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = i;
        }
        probe = TaskFactory.features(data.test(), rows, null);
      } catch (DataUnavailableException e) {
        spec.commandLine().getErr().println("analyze: " + e.getMessage());
        spec.commandLine().getErr().flush();
        return SampleApp.EXIT_NO_DATA;
      }
    }
    List<LayerMeasures> measures = ModelAnalysis.analyze(net, probe, Thresholds.DEFAULTS);
    List<String> notes = ModelAnalysis.notes(net);
    PrintWriter out = spec.commandLine().getOut();
    if (format.equals("json")) {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Map<String, Object> root = toJson(model, measures);
      root.put("notes", notes);
      out.println(json.writeValueAsString(root));
    } else {
      printTable(out, measures);
      notes.forEach(n -> out.println("note: " + n));
    }
    out.flush();
    return 0;
  }

  /** A configuration.json beyond this is refused before DL4J reads it whole (a zip bomb). */
  static final int MAX_CONFIGURATION_BYTES = 64 << 20;

  /** A MultiLayerNetwork or a ComputationGraph, whichever the zip holds. */
  static Model restore(Path file) throws IOException {
    boolean graph;
    try (ZipFile zip = new ZipFile(file.toFile())) {
      var conf = zip.getEntry("configuration.json");
      if (conf == null) {
        throw new IOException("no configuration.json inside");
      }
      byte[] bytes;
      try (var in = zip.getInputStream(conf)) {
        bytes = in.readNBytes(MAX_CONFIGURATION_BYTES + 1);
      }
      if (bytes.length > MAX_CONFIGURATION_BYTES) {
        throw new IOException(
            "its configuration.json is larger than "
                + (MAX_CONFIGURATION_BYTES >> 20)
                + " MB, which no saved network needs");
      }
      String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      graph = text.contains("\"vertices\"");
    }
    return graph
        ? ModelSerializer.restoreComputationGraph(file.toFile(), false)
        : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
  }

  private static void printTable(PrintWriter out, List<LayerMeasures> measures) {
    out.printf(
        Locale.ROOT,
        "%-12s %6s %6s %6s %6s %6s %8s | %-29s | %-29s | %10s %9s%n",
        "layer",
        "units",
        "hidden",
        "dead",
        "dormnt",
        "merged",
        "distinct",
        "weights rank: srank eff num",
        "activations: srank eff num",
        "mean |w|",
        "nonfinite");
    for (LayerMeasures m : measures) {
      UnitMeasures u = m.unitMeasures();
      ActivationMeasures a = m.activations();
      out.printf(
          Locale.ROOT,
          "%-12s %6d %6s %6s %6s %6s %8s | %-29s | %-29s | %10s %9d%n",
          m.layer(),
          m.units(),
          m.hidden() ? "yes" : "no",
          u == null ? "-" : Integer.toString(u.deadByWeights()),
          a == null ? "-" : Integer.toString(a.deadByActivations()),
          u == null ? "-" : Integer.toString(u.merged()),
          u == null ? "-" : Integer.toString(u.distinct()),
          rank(m.weightRank()),
          a == null ? "-" : rank(a.rank()),
          Double.isNaN(m.weightMagnitude())
              ? "-"
              : String.format(Locale.ROOT, "%.5f", m.weightMagnitude()),
          m.nonfiniteParameters());
    }
  }

  private static String rank(RankMeasures r) {
    if (r == null) {
      return "-";
    }
    return String.format(
        Locale.ROOT, "%d %.1f %d (of %d)", r.srank(), r.effective(), r.numerical(), r.max());
  }

  /** The same field names as the plugin's task log (metrics.md, "Per-task record"). */
  static Map<String, Object> toJson(Path model, List<LayerMeasures> measures) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", model.toString());
    root.put("layers", measures.stream().map(AnalyzeCommand::layerJson).toList());
    return root;
  }

  private static Map<String, Object> layerJson(LayerMeasures m) {
    UnitMeasures u = m.unitMeasures();
    ActivationMeasures a = m.activations();
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("layer", m.layer());
    l.put("units", m.units());
    l.put("hidden", m.hidden());
    l.put("dead_weights", u == null ? null : u.deadByWeights());
    l.put("dead_activations", a == null ? null : a.deadByActivations());
    l.put("merged", u == null ? null : u.merged());
    l.put("distinct", u == null ? null : u.distinct());
    l.put("weight_magnitude", Double.isNaN(m.weightMagnitude()) ? null : m.weightMagnitude());
    l.put("nonfinite_parameters", m.nonfiniteParameters());
    l.put("dead_distance", u == null ? null : percentiles(u.deadDistance()));
    l.put("merge_distance", u == null ? null : percentiles(u.mergeDistance()));
    Map<String, Object> rank = new LinkedHashMap<>();
    rank.put("weights", rankJson(m.weightRank()));
    rank.put("activations", a == null ? null : rankJson(a.rank()));
    l.put("rank", rank);
    return l;
  }

  private static Map<String, Object> percentiles(Percentiles p) {
    if (p == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("p10", p.p10());
    m.put("median", p.median());
    return m;
  }

  private static Map<String, Object> rankJson(RankMeasures r) {
    if (r == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("srank", r.srank());
    m.put("effective", r.effective());
    m.put("stable", r.stable());
    m.put("numerical", r.numerical());
    m.put("max", r.max());
    return m;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
