package io.plasticitymonitor.internal.network;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * Changes a live DL4J network in place, unit by unit or array by array, for the remedies; {@link
 * UnitActivity} reads what they decide on. Knows how DL4J lays out weights and updater state.
 *
 * <p>Unit {@code i} of a hidden layer is what the metric contract says (docs/metrics.md): its
 * <em>incoming</em> weights are column {@code i} of a dense {@code W [nIn, nOut]} or filter {@code
 * W[i, :, :, :]} of a convolution, plus bias {@code b[i]}; its <em>outgoing</em> weights are every
 * weight of the consuming layers that reads it — row {@code i} of the next dense {@code W}, all the
 * rows fed by channel {@code i} when a convolution is flattened into a dense layer (NCHW: a block
 * of rows; NHWC: every {@code width}-th row), {@code W_next[:, i, :, :]} for a next convolution —
 * with the position shifts of merge vertices ({@link NetworkStructure}).
 *
 * <p>A layer's units can be replaced when the layer is hidden, its outgoing weights are known and
 * neither it nor a consumer is frozen; {@link #notes()} says why any other hidden layer is left
 * alone. Every method changes parameters in place and must run between iterations (in {@code
 * iterationDone}, or between {@code fit} calls), on the thread that trains the network, never
 * during a forward or backward pass. One instance serves one network.
 */
public final class UnitSurgery {
  private final WeakReference<Model> model;
  final NetworkStructure structure;
  private final Map<String, LayerPlan> plans = new LinkedHashMap<>();
  final List<String> replaceable = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private UnitSurgery(Model model, NetworkStructure structure) {
    this.model = new WeakReference<>(model);
    this.structure = structure;
    for (LayerPlan p : structure.layers()) {
      plans.put(p.name(), p);
    }
    for (LayerPlan p : structure.layers()) {
      if (!p.feedsLaterLayers()) {
        continue;
      }
      String why = null;
      if (p.kind() == LayerKind.RECURRENT
          || p.normalisation() != null
          || p.consumers().stream()
              .anyMatch(l -> plans.get(l.consumer()).kind() == LayerKind.RECURRENT)) {
        why =
            "its units are recurrent or normalised units, which the remedies do not re-initialise";
      } else if (!p.outgoingKnown()) {
        why =
            p.outgoingUnknownReason() == null
                ? "its outgoing weights are not known"
                : p.outgoingUnknownReason();
      } else if (ModelAccess.frozen(entry(p.name()).layer())) {
        why = "it is frozen";
      } else {
        for (ConsumerLink link : p.consumers()) {
          if (ModelAccess.frozen(entry(link.consumer()).layer())) {
            why = "its consumer '" + link.consumer() + "' is frozen";
          }
        }
      }
      if (why == null) {
        replaceable.add(p.name());
      } else {
        notes.add("layer '" + p.name() + "': units not replaced by remedies: " + why);
      }
    }
  }

  /**
   * Reads the structure of a MultiLayerNetwork or ComputationGraph.
   *
   * @throws IllegalArgumentException for any other kind of model
   */
  public static UnitSurgery of(Model model) {
    return new UnitSurgery(model, NetworkStructure.of(model));
  }

  /** Hidden layers whose units can be re-initialised, in network order. */
  public List<String> replaceableLayers() {
    return List.copyOf(replaceable);
  }

  /** One line per hidden layer whose units are left alone, and why. */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** Units (columns or channels) of a measured layer. */
  public int units(String layer) {
    return plan(layer).units();
  }

  /** The iteration count the network is at (the {@code iteration} its listeners are given). */
  public static int iterationCount(Model model) {
    return ModelAccess.iterationCount(model);
  }

  // ---- per-unit changes ---------------------------------------------------------------------

  /**
   * Re-initialises the incoming weights and the bias of {@code units}: the values are those of a
   * fresh initialisation of the whole layer by its own initialiser (weight init, bias init), drawn
   * from ND4J's random generator, of which only the units' slices are copied in.
   */
  public void reinitIncoming(String layer, int[] units) {
    LayerPlan p = replaceablePlan(layer);
    if (units.length == 0) {
      return;
    }
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      ModelAccess.Entry e = entry(layer);
      Map<String, INDArray> fresh = ModelAccess.freshParams(e.layer());
      for (Slice s : incoming(p, units)) {
        INDArray param = e.layer().getParam(s.param());
        INDArray drawn = fresh.get(s.param());
        INDArray live = flat(param, s);
        INDArray from =
            flat(drawn.ordering() == param.ordering() ? drawn : drawn.dup(param.ordering()), s);
        for (long k : s.elements()) {
          live.putScalar(k, from.getDouble(k));
        }
      }
    }
  }

  /** Sets the outgoing weights of {@code units} to 0. */
  public void zeroOutgoing(String layer, int[] units) {
    LayerPlan p = replaceablePlan(layer);
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (Slice s : outgoing(p, units)) {
        INDArray live = flat(entry(s.layer()).layer().getParam(s.param()), s);
        for (long k : s.elements()) {
          live.putScalar(k, 0.0);
        }
      }
    }
  }

  /**
   * Resets the updater state (Adam's moments, momentum, …) of the incoming weights, bias and
   * outgoing weights of {@code units} to what a fresh updater starts from. Nothing to do for SGD,
   * or before the network's updater exists.
   */
  public void resetUpdaterState(String layer, int[] units) {
    LayerPlan p = replaceablePlan(layer);
    List<Slice> slices = new ArrayList<>(incoming(p, units));
    slices.addAll(outgoing(p, units));
    Map<String, List<ModelAccess.StateView>> views = new HashMap<>();
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (Slice s : slices) {
        List<ModelAccess.StateView> state =
            views.computeIfAbsent(
                s.layer() + "\u0000" + s.param(),
                k -> {
                  ModelAccess.Entry e = entry(s.layer());
                  return ModelAccess.stateViews(
                      model(), e.owner(), s.param(), e.layer().getParam(s.param()));
                });
        for (ModelAccess.StateView v : state) {
          for (long k : s.elements()) {
            v.state().putScalar(v.base() + k, v.initialValue());
          }
        }
      }
    }
  }

  /**
   * {@link #reinitIncoming}, {@link #zeroOutgoing} and {@link #resetUpdaterState} of {@code units}.
   */
  public void replace(String layer, int[] units) {
    if (units.length == 0) {
      return;
    }
    reinitIncoming(layer, units);
    zeroOutgoing(layer, units);
    resetUpdaterState(layer, units);
  }

  // ---- whole arrays -------------------------------------------------------------------------

  /**
   * Every parameter array of a layer that is not frozen and that DL4J decays with {@link
   * WeightDecay}, with the decay it applies.
   */
  public List<DecayedParameter> decayedParameters() {
    List<DecayedParameter> out = new ArrayList<>();
    for (ModelAccess.Entry e : ModelAccess.layers(model())) {
      if (ModelAccess.frozen(e.layer())) {
        continue;
      }
      Map<String, INDArray> table = e.layer().paramTable();
      int layerFanIn = table.containsKey("W") ? fanIn(table.get("W")) : 1;
      for (Map.Entry<String, INDArray> p : table.entrySet()) {
        List<Regularization> regs = e.layer().getConfig().getRegularizationByParam(p.getKey());
        List<WeightDecay> decays = new ArrayList<>();
        if (regs != null) {
          for (Regularization r : regs) {
            if (r instanceof WeightDecay wd) {
              decays.add(wd);
            }
          }
        }
        if (!decays.isEmpty()) {
          out.add(
              new DecayedParameter(
                  e.name(),
                  p.getKey(),
                  p.getValue(),
                  layerFanIn,
                  decays,
                  e.layer().getConfig().getUpdaterByParam(p.getKey())));
        }
      }
    }
    return out;
  }

  /**
   * Every parameter array DL4J's updater trains, live: those of every layer that is not frozen,
   * except the ones with a {@code NoOp} updater (batch normalization's running statistics).
   */
  public List<TrainedParameter> trainedParameters() {
    return TrainedParameter.of(model());
  }

  /**
   * {@code θ ← λ·θ + σ·θ_fresh} for every trained parameter array (one whose updater is not {@code
   * NoOp}, so not batch normalization's running statistics) of every layer that is not frozen,
   * where {@code θ_fresh} is a new initialisation of the layer by its own initialiser (as {@link
   * #reinitIncoming}); with {@code σ = 0} nothing is drawn. Returns the number of arrays changed.
   */
  public int shrinkAndPerturb(double shrink, double noise) {
    int touched = 0;
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (ModelAccess.Entry e : ModelAccess.layers(model())) {
        if (ModelAccess.frozen(e.layer())) {
          continue;
        }
        Map<String, INDArray> fresh = noise == 0 ? null : ModelAccess.freshParams(e.layer());
        for (Map.Entry<String, INDArray> p : e.layer().paramTable().entrySet()) {
          IUpdater u = e.layer().getConfig().getUpdaterByParam(p.getKey());
          if (u instanceof NoOp) {
            continue;
          }
          INDArray live = p.getValue();
          live.muli(shrink);
          if (fresh != null && fresh.get(p.getKey()) != null) {
            Nd4j.exec(new Axpy(fresh.get(p.getKey()), live, live, noise));
          }
          touched++;
        }
      }
    }
    return touched;
  }

  // ---- unit slices --------------------------------------------------------------------------

  /**
   * Elements of one parameter array, as positions in the array's own memory order (its ordering;
   * DL4J's parameter views are contiguous, so that is also the order of the flat parameter and
   * updater-state segments). Elements are addressed one by one through a rank-1 view: in ND4J
   * 1.0.0-M2.1, {@code get(indices)} on a view of the flat parameters fails for some rows.
   */
  private record Slice(String layer, String param, long[] elements) {}

  private List<Slice> incoming(LayerPlan p, int[] units) {
    List<Slice> out = new ArrayList<>();
    INDArray w = entry(p.name()).layer().getParam("W");
    INDArray b = entry(p.name()).layer().paramTable().get("b");
    boolean bias = b != null && b.length() == p.units();
    long[] shape = w.shape();
    for (int u : units) {
      check(p, u);
      List<Long> e = new ArrayList<>();
      if (p.kind() == LayerKind.DENSE) {
        for (long i = 0; i < shape[0]; i++) {
          e.add(offset(w, i, u));
        }
      } else {
        for (long c = 0; c < shape[1]; c++) {
          for (long y = 0; y < shape[2]; y++) {
            for (long x = 0; x < shape[3]; x++) {
              e.add(offset(w, u, c, y, x));
            }
          }
        }
      }
      out.add(new Slice(p.name(), "W", toArray(e)));
      if (bias) {
        out.add(new Slice(p.name(), "b", new long[] {u}));
      }
    }
    return out;
  }

  private List<Slice> outgoing(LayerPlan p, int[] units) {
    List<Slice> out = new ArrayList<>();
    for (ConsumerLink link : p.consumers()) {
      LayerPlan c = plan(link.consumer());
      INDArray w = entry(c.name()).layer().getParam("W");
      long[] shape = w.shape();
      for (int u : units) {
        check(p, u);
        List<Long> e = new ArrayList<>();
        if (c.kind() == LayerKind.DENSE) {
          for (int row : link.denseRows((int) shape[0], u)) {
            for (long j = 0; j < shape[1]; j++) {
              e.add(offset(w, row, j));
            }
          }
        } else {
          long ch = link.offset() + u;
          for (long o = 0; o < shape[0]; o++) {
            for (long y = 0; y < shape[2]; y++) {
              for (long x = 0; x < shape[3]; x++) {
                e.add(offset(w, o, ch, y, x));
              }
            }
          }
        }
        out.add(new Slice(c.name(), "W", toArray(e)));
      }
    }
    return out;
  }

  /**
   * Position of element {@code index} in the memory order of {@code a} ('c': last index fastest).
   */
  private static long offset(INDArray a, long... index) {
    long[] shape = a.shape();
    long pos = 0;
    if (a.ordering() == 'f') {
      for (int d = shape.length - 1; d >= 0; d--) {
        pos = pos * shape[d] + index[d];
      }
    } else {
      for (int d = 0; d < shape.length; d++) {
        pos = pos * shape[d] + index[d];
      }
    }
    return pos;
  }

  private static long[] toArray(List<Long> list) {
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  /** A rank-1 view of a contiguous parameter array in its memory order. */
  private static INDArray flat(INDArray a, Slice s) {
    INDArray flat = Shape.newShapeNoCopy(a, new long[] {a.length()}, a.ordering() == 'f');
    if (flat == null) {
      throw new IllegalStateException(
          "cannot view parameter '" + s.layer() + "'/" + s.param() + " as a vector");
    }
    return flat;
  }

  private static void check(LayerPlan p, int u) {
    if (u < 0 || u >= p.units()) {
      throw new IllegalArgumentException(
          "layer '" + p.name() + "' has units 0 to " + (p.units() - 1) + " (got: " + u + ")");
    }
  }

  private static int fanIn(INDArray w) {
    long[] s = w.shape();
    if (s.length == 4) {
      return (int) (s[1] * s[2] * s[3]);
    }
    return (int) Math.max(1, s[0]);
  }

  LayerPlan plan(String layer) {
    LayerPlan p = plans.get(layer);
    if (p == null) {
      throw new IllegalArgumentException(
          "no measured layer '" + layer + "' (layers: " + plans.keySet() + ")");
    }
    return p;
  }

  LayerPlan replaceablePlan(String layer) {
    LayerPlan p = plan(layer);
    if (!replaceable.contains(layer)) {
      throw new IllegalArgumentException(
          "the units of layer '"
              + layer
              + "' cannot be replaced "
              + "(replaceable: "
              + replaceable
              + ")");
    }
    return p;
  }

  /** The network; held weakly, so a released ParallelWrapper replica can be collected. */
  private Model model() {
    Model m = model.get();
    if (m == null) {
      throw new IllegalStateException("the network of this UnitSurgery has been garbage-collected");
    }
    return m;
  }

  ModelAccess.Entry entry(String layer) {
    return ModelAccess.layer(model(), structure, layer);
  }
}
