package io.plasticitymonitor;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Computes a task's {@link Baseline} the way the fresh-network gap defines it (docs/metrics.md item
 * 10): a copy of the network's configuration, freshly initialised with a stated seed, trained on
 * the task's data for the given number of iterations, and evaluated.
 *
 * <pre>{@code
 * Baseline fresh = FreshBaseline.of(network).seed(7)
 *     .train(taskTrainingData, iterationsOfTheTask, taskHeldOutData);
 * listener.startTask("task-3", TaskData.builder().evaluation(taskHeldOutData).baseline(fresh).build());
 * }</pre>
 *
 * <p><b>Cost.</b> It trains a second network: while it runs, a second model of the same size
 * (parameters, updater state, activations of a minibatch) is in memory, and it takes as long as
 * training the task itself for that many iterations, plus one pass over the evaluation data. Call
 * it when your budget allows, e.g. on every few tasks only. Nothing of the monitor is involved: it
 * runs on the caller's request, not inside training callbacks, and its errors are the caller's.
 *
 * <p><b>What it does.</b> The copy is the network's configuration as it is when {@link #of} is
 * called ({@code MultiLayerConfiguration.clone()} / {@code ComputationGraphConfiguration.clone()}),
 * with its iteration and epoch counts set back to 0 (so learning-rate schedules start over) and
 * every layer's seed set to {@link #seed}. Training is one {@code fit(minibatch)} per iteration,
 * taking minibatches from the iterator in order and resetting it when it runs out, so the count is
 * exact; no listener is attached. The end score is the mean of DL4J's training score (the loss plus
 * the regularisation penalty, as {@code end_score}) over the last 10% of the iterations (at least
 * one), the accuracy that of DL4J's {@code evaluate} on the evaluation data. It all runs on a
 * thread of its own, because DL4J's {@code init()} reseeds ND4J's random generator, which is per
 * thread: the caller's random stream is left as it was.
 */
public final class FreshBaseline {
  private final MultiLayerConfiguration mlnConf;
  private final ComputationGraphConfiguration cgConf;
  private final long seed;

  private FreshBaseline(
      MultiLayerConfiguration mlnConf, ComputationGraphConfiguration cgConf, long seed) {
    this.mlnConf = mlnConf;
    this.cgConf = cgConf;
    this.seed = seed;
  }

  /**
   * Copies the configuration of {@code network}; the seed is the configuration's own until {@link
   * #seed} says otherwise.
   *
   * @throws IllegalArgumentException if it is neither a MultiLayerNetwork nor a ComputationGraph
   */
  public static FreshBaseline of(Model network) {
    Objects.requireNonNull(network, "network");
    if (network instanceof MultiLayerNetwork mln) {
      MultiLayerConfiguration conf = mln.getLayerWiseConfigurations().clone();
      return new FreshBaseline(conf, null, conf.getConf(0).getSeed());
    }
    if (network instanceof ComputationGraph cg) {
      ComputationGraphConfiguration conf = cg.getConfiguration().clone();
      return new FreshBaseline(null, conf, conf.getDefaultConfiguration().getSeed());
    }
    throw new IllegalArgumentException(
        "FreshBaseline.of needs a MultiLayerNetwork or a ComputationGraph (got: "
            + network.getClass().getName()
            + ")");
  }

  /** The same, initialised with {@code seed} instead. */
  public FreshBaseline seed(long seed) {
    return new FreshBaseline(mlnConf, cgConf, seed);
  }

  /** The seed the fresh network is initialised with. */
  public long seed() {
    return seed;
  }

  /**
   * Trains the fresh network for {@code iterations} minibatches of {@code training}; score only.
   */
  public Baseline train(DataSetIterator training, long iterations) {
    return run(Objects.requireNonNull(training, "training"), null, iterations, null, null);
  }

  /**
   * Trains the fresh network for {@code iterations} minibatches of {@code training} and evaluates
   * it on {@code evaluation} (reset first where it can be).
   *
   * @throws IllegalArgumentException if {@code iterations < 1} or {@code training} yields no
   *     minibatch
   */
  public Baseline train(DataSetIterator training, long iterations, DataSetIterator evaluation) {
    return run(
        Objects.requireNonNull(training, "training"),
        null,
        iterations,
        Objects.requireNonNull(evaluation, "evaluation"),
        null);
  }

  /** For a ComputationGraph with several inputs or outputs; score only. */
  public Baseline train(MultiDataSetIterator training, long iterations) {
    return run(null, Objects.requireNonNull(training, "training"), iterations, null, null);
  }

  /** For a ComputationGraph with several inputs or outputs. */
  public Baseline train(
      MultiDataSetIterator training, long iterations, MultiDataSetIterator evaluation) {
    return run(
        null,
        Objects.requireNonNull(training, "training"),
        iterations,
        null,
        Objects.requireNonNull(evaluation, "evaluation"));
  }

  /** A freshly initialised network of the copied configuration, on the calling thread. */
  Model freshNetwork() {
    if (mlnConf != null) {
      MultiLayerConfiguration conf = mlnConf.clone();
      conf.setIterationCount(0);
      conf.setEpochCount(0);
      for (NeuralNetConfiguration c : conf.getConfs()) {
        c.setSeed(seed);
        c.setIterationCount(0);
        c.setEpochCount(0);
      }
      MultiLayerNetwork net = new MultiLayerNetwork(conf);
      net.init();
      return net;
    }
    ComputationGraphConfiguration conf = cgConf.clone();
    conf.setIterationCount(0);
    conf.setEpochCount(0);
    conf.getDefaultConfiguration().setSeed(seed);
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return net;
  }

  private Baseline run(
      DataSetIterator training,
      MultiDataSetIterator graphTraining,
      long iterations,
      DataSetIterator evaluation,
      MultiDataSetIterator graphEvaluation) {
    if (iterations < 1) {
      throw new IllegalArgumentException(
          "FreshBaseline iterations must be at least 1 (got: " + iterations + ")");
    }
    if (mlnConf != null && graphTraining != null) {
      throw new IllegalArgumentException(
          "FreshBaseline of a MultiLayerNetwork needs a DataSetIterator "
              + "(got: "
              + graphTraining.getClass().getName()
              + ")");
    }
    AtomicReference<Baseline> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread worker =
        new Thread(
            () -> {
              try {
                result.set(
                    trainAndEvaluate(
                        training, graphTraining, iterations, evaluation, graphEvaluation));
              } catch (Throwable e) {
                failure.set(e);
              } finally {
                Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
              }
            },
            "plasticity-fresh-baseline");
    worker.start();
    try {
      worker.join();
    } catch (InterruptedException e) {
      worker.interrupt();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("FreshBaseline interrupted", e);
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    if (e != null) {
      throw new IllegalStateException("FreshBaseline failed", e);
    }
    return result.get();
  }

  private Baseline trainAndEvaluate(
      DataSetIterator training,
      MultiDataSetIterator graphTraining,
      long iterations,
      DataSetIterator evaluation,
      MultiDataSetIterator graphEvaluation) {
    Model net = freshNetwork();
    long last = Math.max(1, (iterations + 9) / 10); // ⌈0.1·iterations⌉, as end_score
    double tail = 0;
    reset(training, graphTraining);
    for (long i = 0; i < iterations; i++) {
      if (!hasNext(training, graphTraining)) {
        if (i == 0 || !reset(training, graphTraining) || !hasNext(training, graphTraining)) {
          throw new IllegalArgumentException(
              "FreshBaseline training data ran out after "
                  + i
                  + " of "
                  + iterations
                  + " iterations and cannot be reset (got: "
                  + (training != null ? training : graphTraining).getClass().getName()
                  + ")");
        }
      }
      if (training != null) {
        DataSet ds = training.next();
        if (net instanceof MultiLayerNetwork mln) {
          mln.fit(ds);
        } else {
          ((ComputationGraph) net).fit(ds);
        }
      } else {
        MultiDataSet mds = graphTraining.next();
        ((ComputationGraph) net).fit(mds);
      }
      if (i >= iterations - last) {
        tail += net.score();
      }
    }
    double score = tail / last;
    OptionalDouble accuracy = OptionalDouble.empty();
    if (evaluation != null) {
      reset(evaluation, null);
      accuracy =
          OptionalDouble.of(
              net instanceof MultiLayerNetwork mln
                  ? mln.evaluate(evaluation).accuracy()
                  : ((ComputationGraph) net).evaluate(evaluation).accuracy());
    } else if (graphEvaluation != null) {
      reset(null, graphEvaluation);
      accuracy = OptionalDouble.of(((ComputationGraph) net).evaluate(graphEvaluation).accuracy());
    }
    if (!Double.isFinite(score)) {
      throw new IllegalStateException(
          "FreshBaseline: the fresh network's end score is " + score + " (its training diverged)");
    }
    return new Baseline(accuracy, OptionalDouble.of(score));
  }

  private static boolean hasNext(DataSetIterator a, MultiDataSetIterator b) {
    return a != null ? a.hasNext() : b.hasNext();
  }

  private static boolean reset(DataSetIterator a, MultiDataSetIterator b) {
    boolean supported = a != null ? a.resetSupported() : b.resetSupported();
    if (supported) {
      if (a != null) {
        a.reset();
      } else {
        b.reset();
      }
    }
    return supported;
  }
}
