package io.plasticitymonitor.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The networks and data the benchmarks train: MNIST-shaped, batch 128. */
final class Workloads {
  static final int BATCH = 128;
  static final int INPUTS = 784;
  static final int CLASSES = 10;

  private Workloads() {}

  /** A dense ReLU MLP {@code 784 → hidden… → 10} (softmax), float32, SGD lr 0.05, ReLU init. */
  static MultiLayerNetwork mlp(long seed, DataType type, int... hidden) {
    var b =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(type)
            .updater(new Sgd(0.05))
            .weightInit(WeightInit.RELU)
            .list();
    int in = INPUTS;
    for (int h : hidden) {
      b.layer(new DenseLayer.Builder().nIn(in).nOut(h).activation(Activation.RELU).build());
      in = h;
    }
    b.layer(
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(in)
            .nOut(CLASSES)
            .activation(Activation.SOFTMAX)
            .build());
    MultiLayerConfiguration conf = b.build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /**
   * A 2-D convolution network on MNIST's 28x28x1 images with two {@code channels}-channel 3x3 ReLU
   * convolutions (the second one {@code channels → channels}, fan-in {@code 9·channels}), global
   * average pooling and a softmax output. Strides of 4 leave 7x7 and then 2x2 positions: the
   * analysis sees each channel's activation averaged over positions, so its cost does not depend on
   * them, while the probe's forward pass (on the training thread) grows with them.
   */
  static MultiLayerNetwork conv(long seed, int channels) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(DataType.FLOAT)
            .updater(new Sgd(0.05))
            .weightInit(WeightInit.RELU)
            .list()
            .layer(
                new ConvolutionLayer.Builder(3, 3)
                    .stride(4, 4)
                    .nOut(channels)
                    .activation(Activation.RELU)
                    .build())
            .layer(
                new ConvolutionLayer.Builder(3, 3)
                    .stride(4, 4)
                    .nOut(channels)
                    .activation(Activation.RELU)
                    .build())
            .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(CLASSES)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.convolutionalFlat(28, 28, 1))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  static String convLabel(int channels) {
    return "conv 28x28x1 → 3x3/4 " + channels + " → 3x3/4 " + channels + " → avg pool → 10";
  }

  /** Batches of 128, real MNIST when its IDX files are found, else uniform noise of that shape. */
  record Data(List<DataSet> batches, String source) {}

  static Data mnistOrSynthetic(int batches, long seed) {
    Path dir = mnistDirectory();
    if (dir != null) {
      try {
        return new Data(readMnist(dir, batches), "MNIST training images (" + dir + ")");
      } catch (IOException | RuntimeException e) {
        System.err.println(
            "bench: cannot read MNIST from " + dir + " (" + e + "); using synthetic data");
      }
    }
    Random r = new Random(seed);
    List<DataSet> out = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      float[] x = new float[BATCH * INPUTS];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextFloat();
      }
      float[] y = new float[BATCH * CLASSES];
      for (int i = 0; i < BATCH; i++) {
        y[i * CLASSES + r.nextInt(CLASSES)] = 1;
      }
      out.add(
          new DataSet(
              Nd4j.create(x, new long[] {BATCH, INPUTS}, 'c'),
              Nd4j.create(y, new long[] {BATCH, CLASSES}, 'c')));
    }
    return new Data(out, "synthetic uniform [0,1) inputs of MNIST's shape, random labels");
  }

  /** 256 inputs for a probe, from the first batches. */
  static INDArray probe(Data data) {
    return Nd4j.vstack(data.batches().get(0).getFeatures(), data.batches().get(1).getFeatures());
  }

  private static Path mnistDirectory() {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("PLASTICITY_DATA_DIR");
    if (env != null) {
      candidates.add(Path.of(env));
    }
    Path home = Path.of(System.getProperty("user.home"), ".deeplearning4j");
    candidates.add(home);
    candidates.add(home.resolve("MNIST"));
    candidates.add(home.resolve("data").resolve("MNIST"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p.resolve("train-images-idx3-ubyte"))
          && Files.isRegularFile(p.resolve("train-labels-idx1-ubyte"))) {
        return p;
      }
    }
    return null;
  }

  private static List<DataSet> readMnist(Path dir, int batches) throws IOException {
    int n = batches * BATCH;
    float[] x = new float[n * INPUTS];
    float[] y = new float[n * CLASSES];
    try (DataInputStream images = open(dir.resolve("train-images-idx3-ubyte"));
        DataInputStream labels = open(dir.resolve("train-labels-idx1-ubyte"))) {
      if (images.readInt() != 2051 || labels.readInt() != 2049) {
        throw new IOException("not MNIST IDX files");
      }
      int count = images.readInt();
      images.readInt();
      images.readInt();
      labels.readInt();
      if (count < n) {
        throw new IOException("only " + count + " images");
      }
      byte[] row = new byte[INPUTS];
      for (int i = 0; i < n; i++) {
        images.readFully(row);
        for (int j = 0; j < INPUTS; j++) {
          x[i * INPUTS + j] = (row[j] & 0xff) / 255f;
        }
        y[i * CLASSES + labels.readUnsignedByte()] = 1;
      }
    }
    List<DataSet> out = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      float[] bx = new float[BATCH * INPUTS];
      float[] by = new float[BATCH * CLASSES];
      System.arraycopy(x, b * BATCH * INPUTS, bx, 0, bx.length);
      System.arraycopy(y, b * BATCH * CLASSES, by, 0, by.length);
      out.add(
          new DataSet(
              Nd4j.create(bx, new long[] {BATCH, INPUTS}, 'c'),
              Nd4j.create(by, new long[] {BATCH, CLASSES}, 'c')));
    }
    return out;
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
  }
}
