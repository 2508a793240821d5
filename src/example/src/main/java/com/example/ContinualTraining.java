package com.example;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.micrometer.core.instrument.MeterRegistry;
import io.plasticitymonitor.PlasticityConfig;
import io.plasticitymonitor.PlasticityListener;
import io.plasticitymonitor.PlasticityMonitorModule;
import io.plasticitymonitor.TaskData;
import io.plasticitymonitor.report.LayerSummary;
import io.plasticitymonitor.report.TaskSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.stream.IntStream;
import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Continual learning with the Plasticity Monitor attached: a 784-128-128-10 ReLU network trained
 * on two tasks of permuted MNIST (the same digits, the pixels shuffled differently for each task),
 * with /metrics served while it trains and one line per task in {@code runs/<run>/tasks.jsonl}.
 * The README's snippet is the middle of {@link #main}.
 *
 * <p>MNIST is read by DL4J's {@link MnistDataSetIterator} from {@code ~/.deeplearning4j}, where the
 * repository's {@code ./run-sample.sh --fetch-only} puts it (DL4J would otherwise download it).
 */
public final class ContinualTraining {
  public static void main(String[] args) throws Exception {
    MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(42)
        .updater(new Sgd(0.05))
        .weightInit(WeightInit.RELU)
        .weightDecay(0.1, true)
        .list()
        .layer(new DenseLayer.Builder().nIn(784).nOut(128).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nIn(128).nOut(128).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(128).nOut(10).activation(Activation.SOFTMAX).build())
        .build());
    network.init();
    // --- the README's snippet ---------------------------------------------------------------
    String runId = "example-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    PlasticityConfig config = PlasticityConfig.builder()
        .runId(runId)                            // required; the `run` tag of every series
        .outputDirectory(Path.of("runs"))        // <run>/tasks.jsonl goes here
        .metricsPort(0)                          // optional: serve /metrics (0: any free port)
        .livePage(true)                          // optional: and a live page of the run at /live/
        .build();
    Injector injector = Guice.createInjector(new PlasticityMonitorModule(config));
    PlasticityListener listener = injector.getInstance(PlasticityListener.class);
    MeterRegistry registry = injector.getInstance(MeterRegistry.class); // Prometheus, unless you bind one

    network.addListeners(listener);              // MultiLayerNetwork or ComputationGraph
    for (int task = 1; task <= 2; task++) {
      DataSetIterator trainData = permutedMnist(task, true);
      DataSetIterator heldOut = permutedMnist(task, false);
      listener.startTask("task-" + task, TaskData.builder().evaluation(heldOut).build());
      network.fit(trainData, 1);
      TaskSummary summary = listener.endTask();  // returns once the task's analysis is published and recorded
      print(summary, listener, registry);
    }
    listener.close();
    // ----------------------------------------------------------------------------------------

    System.out.println("tasks.jsonl: " + config.outputDirectory().resolve(runId).resolve("tasks.jsonl").toAbsolutePath());
  }

  private static void print(TaskSummary summary, PlasticityListener listener, MeterRegistry registry) {
    System.out.printf("%s: accuracy %.3f, absorbed units %.1f%%; %d meters on /metrics, port %s%n",
        summary.task(), summary.endAccuracy().orElse(Double.NaN), 100 * summary.absorbedRatio(),
        registry.getMeters().size(), listener.metricsPort().map(String::valueOf).orElse("none"));
    for (LayerSummary layer : summary.layers()) {
      System.out.printf("  %-8s %4d units, %3d became dead, %3d became merged%n",
          layer.measures().layer(), layer.measures().units(), layer.becameDead(), layer.becameMerged());
    }
  }

  /**
   * MNIST for one task: 4,000 training images or 1,000 held-out test images, task 1 as they are,
   * each later task with its pixels shuffled in a fixed way of its own.
   */
  private static DataSetIterator permutedMnist(int task, boolean train) throws IOException {
    DataSetIterator data = train
        ? new MnistDataSetIterator(32, 4000, false, true, true, task)
        : new MnistDataSetIterator(250, 1000, false, false, false, 0);
    int[] pixels = IntStream.range(0, 784).toArray();
    Random random = new Random(task);
    for (int i = pixels.length - 1; task > 1 && i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = pixels[i];
      pixels[i] = pixels[j];
      pixels[j] = t;
    }
    data.setPreProcessor(batch -> batch.setFeatures(batch.getFeatures().getColumns(pixels)));
    return data;
  }
}
