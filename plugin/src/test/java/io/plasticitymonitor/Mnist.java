package io.plasticitymonitor;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The first examples of real MNIST, read from the original IDX files where {@code run-sample.sh
 * --fetch-only} (run by {@code test-all.sh}) puts them: {@code $PLASTICITY_DATA_DIR}, else {@code
 * ~/.deeplearning4j}. Pixels scaled to [0, 1], labels one-hot.
 */
final class Mnist {
  private Mnist() {}

  /** The first {@code n} training examples ({@code train}) or test examples. */
  static DataSet load(boolean train, int n) {
    String env = System.getenv("PLASTICITY_DATA_DIR");
    Path dir =
        env != null && !env.isBlank()
            ? Path.of(env)
            : Path.of(System.getProperty("user.home"), ".deeplearning4j");
    String prefix = train ? "train" : "t10k";
    Path images = dir.resolve(prefix + "-images-idx3-ubyte");
    Path labels = dir.resolve(prefix + "-labels-idx1-ubyte");
    if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
      throw new IllegalStateException(
          "MNIST is not in "
              + dir
              + ": run ./run-sample.sh --fetch-only "
              + "(or set PLASTICITY_DATA_DIR to a directory holding the four IDX files)");
    }
    try (DataInputStream im = open(images);
        DataInputStream lb = open(labels)) {
      if (im.readInt() != 2051 || lb.readInt() != 2049) {
        throw new IllegalStateException("not MNIST IDX files: " + images + ", " + labels);
      }
      int count = im.readInt();
      lb.readInt();
      int rows = im.readInt();
      int cols = im.readInt();
      int take = Math.min(n, count);
      float[] x = new float[take * rows * cols];
      byte[] row = new byte[rows * cols];
      INDArray y = Nd4j.zeros(DataType.FLOAT, take, 10);
      for (int i = 0; i < take; i++) {
        im.readFully(row);
        for (int j = 0; j < row.length; j++) {
          x[i * row.length + j] = (row[j] & 0xff) / 255f;
        }
        y.putScalar(i, lb.readUnsignedByte(), 1f);
      }
      return new DataSet(Nd4j.create(x, new long[] {take, (long) rows * cols}, 'c'), y);
    } catch (IOException e) {
      throw new IllegalStateException("reading MNIST from " + dir, e);
    }
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
  }
}
