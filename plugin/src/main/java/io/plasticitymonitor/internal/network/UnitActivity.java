package io.plasticitymonitor.internal.network;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Reads, from a live network and its training callbacks, what the remedies decide on: each
 * replaceable unit's mean |activation| on the training batch and the sum of its outgoing |weights|.
 * The units are those of a {@link UnitSurgery} (its {@link UnitSurgery#replaceableLayers()}), which
 * changes them. Runs on the thread that trains the network.
 */
public final class UnitActivity {
  private final UnitSurgery surgery;

  /** Reads the units that {@code surgery} can replace. */
  public UnitActivity(UnitSurgery surgery) {
    this.surgery = surgery;
  }

  /**
   * Per replaceable layer, each unit's mean |activation| over the examples (and, for a convolution,
   * over spatial positions), from a MultiLayerNetwork's {@code onForwardPass} list (index 0 the
   * input, index {@code i + 1} the output of layer {@code i}). Safe inside the callback's
   * workspace: the results are plain doubles.
   */
  public Map<String, double[]> meanAbsActivations(List<INDArray> activations) {
    Map<String, double[]> out = new HashMap<>();
    if (surgery.structure.isGraph()) {
      return out;
    }
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (String name : surgery.replaceable) {
        int i = surgery.structure.chainIndex(name) + 1;
        if (i < activations.size() && activations.get(i) != null) {
          double[] m = meanAbs(activations.get(i), surgery.plan(name));
          if (m != null) {
            out.put(name, m);
          }
        }
      }
    }
    return out;
  }

  /** As {@link #meanAbsActivations(List)}, from a ComputationGraph's activations by vertex name. */
  public Map<String, double[]> meanAbsActivations(Map<String, INDArray> activations) {
    Map<String, double[]> out = new HashMap<>();
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (String name : surgery.replaceable) {
        INDArray a = activations.get(name);
        if (a != null) {
          double[] m = meanAbs(a, surgery.plan(name));
          if (m != null) {
            out.put(name, m);
          }
        }
      }
    }
    return out;
  }

  private static double[] meanAbs(INDArray a, LayerPlan plan) {
    // Not a.amean(dims): in ND4J 1.0.0-M2.1 it reduces over every dimension.
    INDArray m;
    if (plan.kind() == LayerKind.CONVOLUTION && a.rank() == 4) {
      m =
          Transforms.abs(a, true)
              .mean(plan.channelsLast() ? new int[] {0, 1, 2} : new int[] {0, 2, 3});
    } else if (a.rank() == 2) {
      m = Transforms.abs(a, true).mean(0);
    } else {
      return null;
    }
    double[] v = m.toDoubleVector();
    return v.length == plan.units() ? v : null;
  }

  /**
   * {@code Σ_k |w_out,ik|} for each unit {@code i} of a replaceable layer: the sum of its outgoing
   * |weights|.
   */
  public double[] outgoingAbsSum(String layer) {
    LayerPlan p = surgery.replaceablePlan(layer);
    double[] out = new double[p.units()];
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (ConsumerLink link : p.consumers()) {
        LayerPlan c = surgery.plan(link.consumer());
        INDArray w = Transforms.abs(surgery.entry(c.name()).layer().getParam("W"), true);
        if (c.kind() == LayerKind.DENSE) {
          double[] rows = w.sum(1).toDoubleVector();
          for (int u = 0; u < p.units(); u++) {
            for (int row : link.denseRows(rows.length, u)) {
              out[u] += rows[row];
            }
          }
        } else {
          double[] channels = w.sum(0, 2, 3).toDoubleVector();
          for (int u = 0; u < p.units(); u++) {
            out[u] += channels[link.offset() + u];
          }
        }
      }
    }
    return out;
  }
}
