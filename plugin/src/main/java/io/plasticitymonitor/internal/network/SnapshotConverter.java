package io.plasticitymonitor.internal.network;

import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.analysis.RecurrentLayerData;
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
   * double-precision copies of one layer at a time, plus the weights of the layers still to be read
   * that it has already read as outgoing weights, besides the snapshot: not a second copy of the
   * whole network.
   */
  public static List<LayerData> layerData(NetworkSnapshot snapshot) {
    return new LayerDataList(snapshot);
  }

  /**
   * {@link #layerData}: each {@code get} converts one layer. A layer's weights are converted once,
   * in the layout its {@link LayerData} reads them, and serve both as its own and as the outgoing
   * weights of the layers it reads.
   */
  private static final class LayerDataList extends java.util.AbstractList<LayerData>
      implements java.util.RandomAccess {
    private final NetworkSnapshot snapshot;
    private final List<LayerPlan> plans;
    private final Map<String, LayerPlan> byName = new HashMap<>();
    private final HostArrays.Reader reader = new HostArrays.Reader();

    /**
     * Weights as doubles, by layer, {@code [fanIn, units]} for a convolution and as DL4J keeps them
     * otherwise ({@link #weights}), kept from their first conversion until their last read in a
     * pass through the layers in order: a layer's are read as its own and as the outgoing weights
     * of each layer that feeds it.
     */
    private final Map<String, double[]> converted = new HashMap<>();

    /** How many reads of each layer's weights a pass in order has still to make. */
    private final Map<String, Integer> readsLeft = new HashMap<>();

    LayerDataList(NetworkSnapshot snapshot) {
      this.snapshot = snapshot;
      this.plans = snapshot.structure().layers();
      for (LayerPlan plan : plans) {
        byName.put(plan.name(), plan);
      }
      for (LayerPlan plan : plans) {
        readsLeft.merge(plan.name(), 1, Integer::sum);
        if (plan.outgoingKnown()) {
          for (ConsumerLink link : plan.consumers()) {
            readsLeft.merge(link.consumer(), 1, Integer::sum);
          }
        }
      }
    }

    /** {@code a}'s elements in 'c' order, in a new array of exactly that length. */
    private double[] copy(INDArray a) {
      return reader.copy(a);
    }

    @Override
    public int size() {
      return plans.size();
    }

    /**
     * A layer's {@code W} as doubles: a convolution's {@code [nOut, nIn·k]} transposed to {@code
     * [fanIn, units]}, the layout of {@link LayerData#weights()}; a dense or recurrent {@code W}
     * ({@code [nIn, ·]}) as it is.
     */
    private double[] weights(LayerPlan plan) {
      String name = plan.name();
      double[] w = converted.get(name);
      if (w == null) {
        w = convert(plan);
      }
      // Read out of order, a layer's weights may be read more often than counted: then they are
      // converted again, never wrong.
      if (readsLeft.merge(name, -1, Integer::sum) > 0) {
        converted.put(name, w);
      } else {
        converted.remove(name);
      }
      return w;
    }

    private double[] convert(LayerPlan plan) {
      INDArray w = snapshot.weights(plan.name());
      if (plan.kind() != LayerKind.CONVOLUTION) {
        return copy(w);
      }
      int units = (int) w.size(0);
      int fanIn = (int) (w.length() / Math.max(1, units));
      return reader.transposed(w, units, fanIn);
    }

    @Override
    public LayerData get(int index) {
      LayerPlan plan = plans.get(index);
      if (plan.kind() == LayerKind.RECURRENT) {
        return recurrent(plan);
      }
      INDArray w = snapshot.weights(plan.name());
      double[] weights = weights(plan);
      INDArray b = snapshot.bias(plan.name());
      double[] bias = b == null ? null : copy(b);
      if (bias != null && bias.length != plan.units()) {
        bias = null; // layers such as CenterLoss keep other vectors under "b"; not a per-unit bias
      }
      Outgoing out = outgoing(plan);
      double[] outgoing = out.weights();
      int outWidth = out.width();
      ProbeActivations probe = probeActivations(plan);
      double[] activations = probe.values();
      int examples = probe.rows();
      long nonfinite = countNonFinite(weights) + (bias == null ? 0 : countNonFinite(bias));
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

    /**
     * Each unit's outgoing weights, every consumer's side by side unit by unit, and their count:
     * one new {@code [units, width]} array, or a dense consumer's {@code W} itself when that
     * consumer alone reads exactly these units, one row each.
     */
    private Outgoing outgoing(LayerPlan plan) {
      if (!plan.outgoingKnown()) {
        return new Outgoing(null, 0);
      }
      int units = plan.units();
      List<ConsumerLink> links = plan.consumers();
      int[] widths = new int[links.size()];
      int width = 0;
      for (int j = 0; j < links.size(); j++) {
        widths[j] = readsPerUnit(links.get(j));
        width += widths[j];
      }
      if (links.size() == 1 && readsAllInOrder(links.get(0), units)) {
        return new Outgoing(weights(byName.get(links.get(0).consumer())), width);
      }
      double[] out = new double[units * width];
      for (int j = 0, column = 0; j < links.size(); j++) {
        ConsumerLink link = links.get(j);
        LayerPlan consumer = byName.get(link.consumer());
        gatherOutgoing(
            link,
            consumer,
            snapshot.weights(consumer.name()),
            weights(consumer),
            units,
            out,
            width,
            column);
        column += widths[j];
      }
      return new Outgoing(out, width);
    }

    /** How many of the consumer's weights read each of the producer's units. */
    private int readsPerUnit(ConsumerLink link) {
      LayerPlan consumer = byName.get(link.consumer());
      INDArray cw = snapshot.weights(consumer.name());
      if (consumer.kind() != LayerKind.CONVOLUTION) { // [nIn, nOut]: a block of rows
        return (int) (cw.size(0) / link.width() * cw.size(1));
      }
      return (int) (cw.length() / cw.size(1)); // [nOut, nIn, k…]: nOut·k
    }

    /**
     * A consumer that reads exactly these units, in order, so that its {@code W} as {@link
     * #weights} holds it is already {@code [units, width]}: a dense or recurrent {@code W}'s rows
     * one a unit, or a convolution's transposed {@code [nIn·k, nOut]}, whose rows {@code i·k … i·k
     * + k − 1} are unit {@code i}'s.
     */
    private boolean readsAllInOrder(ConsumerLink link, int units) {
      LayerPlan consumer = byName.get(link.consumer());
      INDArray cw = snapshot.weights(consumer.name());
      if (consumer.kind() == LayerKind.CONVOLUTION) {
        return link.offset() == 0 && cw.size(1) == units;
      }
      long nIn = cw.size(0);
      return nIn / link.width() == 1 && link.offset() == 0 && units == nIn;
    }

    /**
     * The probe's activations of the layer as {@code [rows, units]}, or none when they do not fit.
     */
    private ProbeActivations probeActivations(LayerPlan plan) {
      INDArray act = snapshot.activations(plan.name());
      if (act == null) {
        return new ProbeActivations(null, 0);
      }
      double[] values = copy(act);
      int rows = (int) act.size(0);
      return values.length == (long) rows * plan.units()
          ? new ProbeActivations(values, rows)
          : new ProbeActivations(null, 0);
    }

    /** Each unit's γ and β, from the batch norm's channels (or the layer norm's gain and bias). */
    private LayerData.Normalised normalised(LayerPlan plan) {
      LayerPlan.Normalisation norm = plan.normalisation();
      double[] gamma =
          slice(copy(snapshot.extra(plan.name(), "gamma")), norm.offset(), plan.units());
      INDArray betaArray = snapshot.extra(plan.name(), "beta");
      double[] beta =
          betaArray == null
              ? new double[plan.units()]
              : slice(copy(betaArray), norm.offset(), plan.units());
      return new LayerData.Normalised(gamma, beta, norm.perLayer());
    }

    /** A recurrent layer: W, RW and b as DL4J keeps them, the consumers' rows as for any layer. */
    private LayerData recurrent(LayerPlan plan) {
      INDArray w = snapshot.weights(plan.name());
      double[] input = weights(plan);
      double[] rw = copy(snapshot.extra(plan.name(), "RW"));
      INDArray b = snapshot.bias(plan.name());
      double[] bias = b == null ? null : copy(b);
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
   * Writes the weights of {@code consumer} that read each of the producer's units into columns
   * {@code column…} of {@code out} ({@code [units, width]} row-major): for a dense or recurrent
   * consumer the rows of its {@code W} fed by the unit's channel, for a convolution {@code W[:,
   * channel, :, :]} kernel position by kernel position ({@code [k…, nOut]}; every measure of {@code
   * z_i} is a norm or a distance, the same in any order common to all units).
   *
   * @param cw the consumer's {@code W} (for its shape)
   * @param c the consumer's {@code W} as {@link LayerDataList#weights} holds it: as {@code cw} for
   *     a dense or recurrent consumer, {@code [nIn·k, nOut]} for a convolution
   */
  private static void gatherOutgoing(
      ConsumerLink link,
      LayerPlan consumer,
      INDArray cw,
      double[] c,
      int units,
      double[] out,
      int width,
      int column) {
    if (consumer.kind() != LayerKind.CONVOLUTION) { // dense and recurrent W: [nIn, ·]
      int nIn = (int) cw.size(0);
      int nOut = (int) cw.size(1);
      int block = nIn / link.width();
      for (int i = 0; i < units; i++) {
        int[] rows = link.denseRows(nIn, i);
        for (int p = 0; p < block; p++) {
          System.arraycopy(c, rows[p] * nOut, out, i * width + column + p * nOut, nOut);
        }
      }
      return;
    }
    int nOut = (int) cw.size(0);
    int nIn = (int) cw.size(1);
    int kk = (int) (cw.length() / ((long) nOut * nIn)); // kernel positions: 1-, 2- or 3-D
    for (int i = 0; i < units; i++) {
      int ch = link.offset() + i;
      // c[(ch·kk + q)·nOut + o] = W[o, ch, q]: the channel's weights are kk·nOut values in a row.
      System.arraycopy(c, ch * kk * nOut, out, i * width + column, kk * nOut);
    }
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
