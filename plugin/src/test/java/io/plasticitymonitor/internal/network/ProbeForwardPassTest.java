package io.plasticitymonitor.internal.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.plasticitymonitor.ZooNetworksTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link ProbeForwardPass} on DL4J's model zoo (residual blocks, merges, a VGG read through
 * preprocessors, a recurrent model): the probe's rows are those of DL4J's own {@code feedForward}
 * reduced the same way, although every output is freed after its last reader and the probe runs an
 * example a slice; the network computes what it did before, and the probe is untouched.
 */
class ProbeForwardPassTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.plasticitymonitor.ZooNetworksTest#zoo")
  void theRowsAreThoseOfDl4jsFeedForward(ZooNetworksTest.Zoo zoo) {
    Model model = zoo.model().get();
    INDArray probe = zoo.data().get().getFeatures();
    INDArray probeBefore = probe.dup();
    Map<String, INDArray> full = dl4jFeedForward(model, probe);
    INDArray outputBefore = output(model, probe).dup();
    NetworkStructure structure = NetworkStructure.of(model);

    NetworkSnapshot snapshot = NetworkReader.snapshot(model, structure, new INDArray[] {probe}, 1);

    int compared = 0;
    for (LayerPlan plan : structure.layers()) {
      if (!plan.feedsLaterLayers()) {
        continue;
      }
      INDArray expected = NetworkReader.perUnit(full.get(plan.activationSource()), plan);
      INDArray actual = snapshot.activations(plan.name());
      if (expected == null) {
        assertThat(actual).as(plan.name()).isNull();
        continue;
      }
      assertThat(actual).as(plan.name()).isNotNull();
      assertThat(actual.shape()).as(plan.name()).containsExactly(expected.shape());
      // float32 through tens of layers, with other batch sizes (so other kernels) than DL4J's
      // pass: agreement to 1e-5 of the layer's largest value.
      assertAgree(plan.name(), expected, actual, 1e-5);
      compared++;
    }
    assertThat(compared).as("layers compared in %s", zoo.name()).isPositive();
    assertThat(probe).isEqualTo(probeBefore);
    assertAgree("the network's output", outputBefore, output(model, probe), 0);
    snapshot.close();
  }

  /**
   * {@code actual} within {@code tolerance} of the largest finite value of {@code expected} (at
   * least 1) of it, element by element; where {@code expected} is not finite (an untrained ResNet50
   * overflows in its last stage), {@code actual} holds the same.
   */
  private static void assertAgree(
      String what, INDArray expected, INDArray actual, double tolerance) {
    double[] x = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] y = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    assertThat(y).as(what).hasSameSizeAs(x);
    double scale = 1;
    for (double v : x) {
      if (Double.isFinite(v)) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    for (int i = 0; i < x.length; i++) {
      if (Double.isNaN(x[i])) {
        assertThat(y[i]).as("%s[%d]", what, i).isNaN();
      } else if (Double.isInfinite(x[i])) {
        assertThat(y[i]).as("%s[%d]", what, i).isEqualTo(x[i]);
      } else {
        assertThat(y[i]).as("%s[%d]", what, i).isCloseTo(x[i], within(tolerance * scale));
      }
    }
  }

  /** Every layer's full output by the name the structure reads it under. */
  private static Map<String, INDArray> dl4jFeedForward(Model model, INDArray probe) {
    if (model instanceof ComputationGraph cg) {
      return cg.feedForward(probe, false);
    }
    MultiLayerNetwork mln = (MultiLayerNetwork) model;
    List<INDArray> acts = mln.feedForward(probe, false);
    Map<String, INDArray> byName = new HashMap<>();
    for (int i = 0; i < mln.getnLayers(); i++) {
      byName.put(mln.getLayer(i).conf().getLayer().getLayerName(), acts.get(i + 1));
    }
    return byName;
  }

  private static INDArray output(Model model, INDArray probe) {
    if (model instanceof ComputationGraph cg) {
      return cg.outputSingle(probe);
    }
    return ((MultiLayerNetwork) model).output(probe);
  }
}
