package io.plasticitymonitor.internal.network;

import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.analysis.RecurrentLayerData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Converts a {@link NetworkSnapshot} into per-layer {@link LayerData} in double precision, on the
 * analysis thread. Knows how DL4J lays out weights: dense {@code W} is {@code [nIn, nOut]},
 * convolution {@code W} is {@code [nOut, nIn, kH, kW]}.
 */
public final class SnapshotConverter {
  private SnapshotConverter() {}

  /**
   * Converts a snapshot to one {@link LayerData} per measured layer, in double precision, with each
   * hidden unit's outgoing weights gathered from the layers that read it. The list is lazy: a layer
   * is converted when it is read, so an analysis that goes through the layers in order holds the
   * double-precision copies of about one layer at a time besides the snapshot, not a second copy of
   * the whole network.
   */
  public static List<LayerData> layerData(NetworkSnapshot snapshot) {
    return new LayerDataList(snapshot);
  }

  /**
   * {@link #layerData}: each {@code get} converts one layer, reusing the last two weight arrays.
   */
  private static final class LayerDataList extends java.util.AbstractList<LayerData>
      implements java.util.RandomAccess {
    private final NetworkSnapshot snapshot;
    private final List<LayerPlan> plans;
    private final Map<String, LayerPlan> byName = new HashMap<>();

    /**
     * Weights as doubles, by layer: a layer's are read as its own and as its producer's outgoing.
     */
    private final Map<String, double[]> recent =
        new java.util.LinkedHashMap<>(4, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > 2;
          }
        };

    LayerDataList(NetworkSnapshot snapshot) {
      this.snapshot = snapshot;
      this.plans = snapshot.structure().layers();
      for (LayerPlan plan : plans) {
        byName.put(plan.name(), plan);
      }
    }

    @Override
    public int size() {
      return plans.size();
    }

    private double[] weightsAsDouble(String layer) {
      return recent.computeIfAbsent(layer, n -> HostArrays.toDoubles(snapshot.weights(n)));
    }

    @Override
    public LayerData get(int index) {
      LayerPlan plan = plans.get(index);
      if (plan.kind() == LayerKind.RECURRENT) {
        return recurrent(plan);
      }
      INDArray w = snapshot.weights(plan.name());
      double[] raw = weightsAsDouble(plan.name());
      double[] weights =
          plan.kind() == LayerKind.DENSE ? raw : transpose(raw, plan.units(), plan.fanIn());
      INDArray b = snapshot.bias(plan.name());
      double[] bias = b == null ? null : HostArrays.toDoubles(b);
      if (bias != null && bias.length != plan.units()) {
        bias = null; // layers such as CenterLoss keep other vectors under "b"; not a per-unit bias
      }
      Outgoing out = outgoing(plan);
      double[] outgoing = out.weights();
      int outWidth = out.width();
      ProbeActivations probe = probeActivations(plan);
      double[] activations = probe.values();
      int examples = probe.rows();
      long nonfinite = countNonFinite(raw) + (bias == null ? 0 : countNonFinite(bias));
      LayerData.Normalised normalised = null;
      if (plan.normalisation() != null && outgoing != null) {
        normalised = normalised(plan);
      }
      return new LayerData(
          plan.name(),
          plan.units(),
          plan.fanIn(),
          weights,
          bias,
          outgoing,
          outWidth,
          activations,
          examples,
          machineEpsilon(w.dataType()),
          nonfinite,
          plan.feedsLaterLayers(),
          normalised,
          null);
    }

    /** Each unit's outgoing weights, every consumer's interleaved unit by unit, and their count. */
    private Outgoing outgoing(LayerPlan plan) {
      if (!plan.outgoingKnown()) {
        return new Outgoing(null, 0);
      }
      List<double[]> parts = new ArrayList<>();
      for (ConsumerLink link : plan.consumers()) {
        LayerPlan consumer = byName.get(link.consumer());
        parts.add(
            outgoingFrom(
                link,
                consumer,
                snapshot.weights(consumer.name()),
                weightsAsDouble(consumer.name()),
                plan.units()));
      }
      int width = 0;
      for (double[] p : parts) {
        width += p.length / Math.max(1, plan.units());
      }
      return new Outgoing(interleave(parts, plan.units(), width), width);
    }

    /**
     * The probe's activations of the layer as {@code [rows, units]}, or none when they do not fit.
     */
    private ProbeActivations probeActivations(LayerPlan plan) {
      INDArray act = snapshot.activations(plan.name());
      if (act == null) {
        return new ProbeActivations(null, 0);
      }
      double[] values = HostArrays.toDoubles(act);
      int rows = (int) act.size(0);
      return values.length == (long) rows * plan.units()
          ? new ProbeActivations(values, rows)
          : new ProbeActivations(null, 0);
    }

    /** Each unit's γ and β, from the batch norm's channels (or the layer norm's gain and bias). */
    private LayerData.Normalised normalised(LayerPlan plan) {
      LayerPlan.Normalisation norm = plan.normalisation();
      double[] gamma =
          slice(
              HostArrays.toDoubles(snapshot.extra(plan.name(), "gamma")),
              norm.offset(),
              plan.units());
      INDArray betaArray = snapshot.extra(plan.name(), "beta");
      double[] beta =
          betaArray == null
              ? new double[plan.units()]
              : slice(HostArrays.toDoubles(betaArray), norm.offset(), plan.units());
      return new LayerData.Normalised(gamma, beta, norm.perLayer());
    }

    /** A recurrent layer: W, RW and b as DL4J keeps them, the consumers' rows as for any layer. */
    private LayerData recurrent(LayerPlan plan) {
      INDArray w = snapshot.weights(plan.name());
      double[] input = HostArrays.toDoubles(w);
      double[] rw = HostArrays.toDoubles(snapshot.extra(plan.name(), "RW"));
      INDArray b = snapshot.bias(plan.name());
      double[] bias = b == null ? null : HostArrays.toDoubles(b);
      LayerPlan.Recurrent r = plan.recurrent();
      if (bias != null && bias.length != r.gates() * plan.units()) {
        bias = null;
      }
      Outgoing out = outgoing(plan);
      double[] outgoing = out.weights();
      int outWidth = out.width();
      ProbeActivations probe = probeActivations(plan);
      double[] activations = probe.values();
      int rows = probe.rows();
      long nonfinite =
          countNonFinite(input) + countNonFinite(rw) + (bias == null ? 0 : countNonFinite(bias));
      return LayerData.recurrent(
          new RecurrentLayerData(
              plan.name(),
              plan.units(),
              r.gates(),
              plan.fanIn(),
              input,
              rw,
              r.peepholes(),
              bias,
              outgoing,
              outWidth,
              activations,
              rows,
              r.signSymmetric(),
              machineEpsilon(w.dataType()),
              nonfinite),
          plan.feedsLaterLayers());
    }
  }

  private static double[] slice(double[] v, int offset, int length) {
    return offset == 0 && v.length == length
        ? v
        : java.util.Arrays.copyOfRange(v, offset, offset + length);
  }

  /**
   * The weights of {@code consumer} that read each of the producer's units, as {@code [units, k]}
   * row-major: for a dense consumer the rows fed by the unit's channel, for a convolution {@code
   * W[:, channel, :, :]}.
   */
  private static double[] outgoingFrom(
      ConsumerLink link, LayerPlan consumer, INDArray cw, double[] c, int units) {
    if (consumer.kind() != LayerKind.CONVOLUTION) { // dense and recurrent W: [nIn, ·]
      int nIn = (int) cw.size(0);
      int nOut = (int) cw.size(1);
      int block = nIn / link.width();
      int k = block * nOut;
      if (block == 1 && link.offset() == 0 && units == nIn) {
        return c; // the consumer reads exactly these units, one row each: W itself, not a copy
      }
      double[] out = new double[units * k];
      for (int i = 0; i < units; i++) {
        int[] rows = link.denseRows(nIn, i);
        for (int p = 0; p < block; p++) {
          System.arraycopy(c, rows[p] * nOut, out, i * k + p * nOut, nOut);
        }
      }
      return out;
    }
    int nOut = (int) cw.size(0);
    int nIn = (int) cw.size(1);
    int kk = (int) (cw.length() / ((long) nOut * nIn)); // kernel positions: 1-, 2- or 3-D
    int k = nOut * kk;
    double[] out = new double[units * k];
    for (int i = 0; i < units; i++) {
      int ch = link.offset() + i;
      for (int o = 0; o < nOut; o++) {
        System.arraycopy(c, (o * nIn + ch) * kk, out, i * k + o * kk, kk);
      }
    }
    return out;
  }

  /** Joins per-consumer {@code [units, k_j]} blocks into {@code [units, Σk_j]}. */
  private static double[] interleave(List<double[]> parts, int units, int outWidth) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    double[] out = new double[units * outWidth];
    int col = 0;
    for (double[] p : parts) {
      int k = units == 0 ? 0 : p.length / units;
      for (int i = 0; i < units; i++) {
        System.arraycopy(p, i * k, out, i * outWidth + col, k);
      }
      col += k;
    }
    return out;
  }

  /** {@code [rows, cols]} row-major to its transpose. */
  private static double[] transpose(double[] m, int rows, int cols) {
    double[] t = new double[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  private static long countNonFinite(double[] v) {
    long n = 0;
    for (double x : v) {
      if (!Double.isFinite(x)) {
        n++;
      }
    }
    return n;
  }

  /** Machine epsilon of a floating-point data type, as numpy's finfo reports it. */
  static double machineEpsilon(DataType type) {
    return switch (type) {
      case DOUBLE -> Math.ulp(1.0);
      case HALF -> Math.scalb(1.0, -10);
      case BFLOAT16 -> Math.scalb(1.0, -7);
      default -> Math.ulp(1.0f);
    };
  }

  private record Outgoing(double[] weights, int width) {}

  private record ProbeActivations(double[] values, int rows) {}
}
