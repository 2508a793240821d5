package io.plasticitymonitor.internal.network;

import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The data loss of the minibatch a network is training on (docs/metrics.md item 9): DL4J's {@code
 * score(batch, false)} minus {@code calcRegularizationScore(true)} — the output layers' loss summed
 * over the batch and divided by its size, in inference mode, without any L1/L2/weight-decay
 * penalty.
 *
 * <p>DL4J keeps the iteration's features on the network until the next iteration ({@code
 * getInput()}, {@code getInputs()}); a MultiLayerNetwork keeps its labels too ({@code
 * getLabels()}), but a ComputationGraph has them only on its output layers, and clears those at the
 * end of its gradient computation, right after {@code onBackwardPass}. So {@link #current} takes
 * references to them in {@code onBackwardPass}; they are valid until that iteration's {@code
 * iterationDone} returns.
 */
public final class MinibatchLoss {
  private MinibatchLoss() {}

  /**
   * The minibatch of the iteration in progress: its features and labels.
   *
   * @param features one array per network input
   * @param labels one array per network output
   */
  public record Batch(INDArray[] features, INDArray[] labels) {
    public Batch {
      features = features.clone();
      labels = labels.clone();
    }
  }

  /** A batch, or why there is none to measure. */
  public sealed interface Current permits Measurable, NotMeasurable {}

  /** The iteration's batch, ready for {@link #of}. */
  public record Measurable(Batch batch) implements Current {}

  /** Why the iteration's loss cannot be measured; a fixed text, fit for a log line. */
  public record NotMeasurable(String reason) implements Current {}

  /**
   * Takes the batch the network is training on. Call in {@code onBackwardPass}, on the training
   * thread.
   */
  public static Current current(Model model) {
    if (model instanceof MultiLayerNetwork mln) {
      if (mln.getLayerWiseConfigurations().getBackpropType() == BackpropType.TruncatedBPTT) {
        return new NotMeasurable("truncated BPTT trains on segments of the batch");
      }
      if (Arrays.stream(mln.getLayers()).anyMatch(l -> l.getMaskArray() != null)) {
        return new NotMeasurable("minibatches with mask arrays are not measured");
      }
      if (!(mln.getOutputLayer() instanceof IOutputLayer)) {
        return new NotMeasurable("the last layer is not an output layer");
      }
      INDArray in = mln.getInput();
      INDArray labels = mln.getLabels();
      if (in == null || labels == null) {
        return new NotMeasurable("the network holds no features or labels");
      }
      return new Measurable(new Batch(new INDArray[] {in}, new INDArray[] {labels}));
    }
    if (model instanceof ComputationGraph cg) {
      if (cg.getConfiguration().getBackpropType() == BackpropType.TruncatedBPTT) {
        return new NotMeasurable("truncated BPTT trains on segments of the batch");
      }
      if (anyPresent(cg.getInputMaskArrays()) || anyPresent(cg.getLabelMaskArrays())) {
        return new NotMeasurable("minibatches with mask arrays are not measured");
      }
      INDArray[] in = cg.getInputs();
      int outputs = cg.getNumOutputArrays();
      INDArray[] labels = new INDArray[outputs];
      for (int i = 0; i < outputs; i++) {
        Layer out = cg.getOutputLayer(i);
        if (out instanceof FrozenLayerWithBackprop f) {
          out = f.getInsideLayer();
        }
        if (!(out instanceof IOutputLayer o)) {
          return new NotMeasurable("output " + i + " is not an output layer");
        }
        labels[i] = o.getLabels();
      }
      if (in == null
          || in.length == 0
          || Arrays.stream(in).anyMatch(Objects::isNull)
          || Arrays.stream(labels).anyMatch(Objects::isNull)) {
        return new NotMeasurable("the network holds no features or labels");
      }
      return new Measurable(new Batch(in, labels));
    }
    return new NotMeasurable(
        "not a MultiLayerNetwork or ComputationGraph (layer-wise pretraining?)");
  }

  /**
   * The data loss of {@code batch} at the network's current parameters, in inference mode: one
   * forward pass of the batch and one sum over the parameters for the penalty. Draws no random
   * numbers. Call on the training thread between the gradient and the next forward pass ({@code
   * onGradientCalculation}, {@code iterationDone}); it clears the layers' stored inputs, which DL4J
   * no longer needs by then.
   */
  public static double of(Model model, Batch batch) {
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      if (model instanceof MultiLayerNetwork mln) {
        double score = mln.score(new DataSet(batch.features()[0], batch.labels()[0]), false);
        return score - mln.calcRegularizationScore(true);
      }
      if (model instanceof ComputationGraph cg) {
        double score = cg.score(new MultiDataSet(batch.features(), batch.labels()), false);
        return score - cg.calcRegularizationScore(true);
      }
    }
    throw new IllegalArgumentException(
        "not a MultiLayerNetwork or ComputationGraph: " + model.getClass().getName());
  }

  private static boolean anyPresent(INDArray[] arrays) {
    return arrays != null && Arrays.stream(arrays).anyMatch(Objects::nonNull);
  }
}
