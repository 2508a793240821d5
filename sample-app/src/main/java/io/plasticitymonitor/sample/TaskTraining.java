package io.plasticitymonitor.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains one network on one task the way the run does and measures how well it learnt it: the same
 * code for the monitored network and for its fresh baseline, so the two numbers differ only in
 * where the network started.
 */
final class TaskTraining {
  private TaskTraining() {}

  /**
   * How well a network learnt a task.
   *
   * @param accuracy accuracy on the task's evaluation examples after training (NaN for regression)
   * @param onlineLoss mean data loss on each mini-batch before the update on it, over every
   *     iteration of the task (DL4J's score without the weight-decay penalty)
   * @param iterations the updates made
   */
  record Outcome(double accuracy, double onlineLoss, long iterations) {
    /** The scenario's headline number. */
    double headline(Scenario.Headline h) {
      return h == Scenario.Headline.ACCURACY ? accuracy : onlineLoss;
    }
  }

  /**
   * The iterator of task {@code task.index()}'s training examples: shuffled at each pass by a
   * generator seeded by the run seed and the task (the same for the monitored network and its
   * baseline), or, for the online regression, in the order the examples arrive.
   */
  static ArrayIterator trainingData(RunSettings s, TaskFactory.Task task) {
    Random shuffle = s.scenario().images() ? new Random(s.seed() * 7_919L + task.index()) : null;
    return new ArrayIterator(task.trainFeatures(), task.trainLabels(), s.batchSize(), shuffle);
  }

  /** Fits {@code net} to the task for the run's epochs with the listeners it has, then measures. */
  static Outcome fit(MultiLayerNetwork net, RunSettings s, TaskFactory.Task task) {
    LossMeter meter = new LossMeter();
    List<TrainingListener> before = new ArrayList<>(net.getListeners());
    net.addListeners(meter);
    try {
      net.fit(trainingData(s, task), s.epochs());
    } finally {
      net.setListeners(before);
    }
    double accuracy =
        s.scenario().headline() == Scenario.Headline.ACCURACY
            ? accuracy(net, task.evalFeatures(), task.evalLabels())
            : Double.NaN;
    return new Outcome(accuracy, meter.mean(), meter.count);
  }

  /** Fraction of rows whose largest output is the labelled class. */
  static double accuracy(MultiLayerNetwork net, INDArray features, INDArray oneHotLabels) {
    INDArray predicted = net.output(features, false).argMax(1);
    INDArray actual = oneHotLabels.argMax(1);
    long n = features.size(0);
    long right = 0;
    for (long i = 0; i < n; i++) {
      if (predicted.getLong(i) == actual.getLong(i)) {
        right++;
      }
    }
    return n == 0 ? Double.NaN : (double) right / n;
  }

  /** Sums the data loss of every iteration. */
  private static final class LossMeter extends BaseTrainingListener {
    private double sum;
    private long count;

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      double score = model.score();
      if (model instanceof MultiLayerNetwork net) {
        score -= net.calcRegularizationScore(true);
      }
      sum += score;
      count++;
    }

    double mean() {
      return count == 0 ? Double.NaN : sum / count;
    }
  }
}
