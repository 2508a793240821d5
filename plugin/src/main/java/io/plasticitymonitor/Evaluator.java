package io.plasticitymonitor;

import java.util.OptionalDouble;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** A task's accuracy on its evaluation data, for either kind of model. */
final class Evaluator {
  /**
   * The accuracy of {@code model} on {@code data}'s evaluation iterator (rewound first when it can
   * be), empty when the task has none for this kind of model.
   */
  OptionalDouble accuracy(Model model, TaskData data) {
    if (model instanceof ComputationGraph cg) {
      if (data.graphEvaluation().isPresent()) {
        var it = data.graphEvaluation().get();
        if (it.resetSupported()) {
          it.reset();
        }
        return OptionalDouble.of(cg.evaluate(it).accuracy());
      }
      if (data.evaluation().isPresent()) {
        return OptionalDouble.of(cg.evaluate(rewound(data.evaluation().get())).accuracy());
      }
    } else if (model instanceof MultiLayerNetwork mln && data.evaluation().isPresent()) {
      return OptionalDouble.of(mln.evaluate(rewound(data.evaluation().get())).accuracy());
    }
    return OptionalDouble.empty();
  }

  private static DataSetIterator rewound(DataSetIterator it) {
    if (it.resetSupported()) {
      it.reset();
    }
    return it;
  }
}
