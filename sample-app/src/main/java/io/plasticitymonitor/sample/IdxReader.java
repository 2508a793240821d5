package io.plasticitymonitor.sample;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (LeCun's format: a big-endian magic number {@code
 * 0x00000801} for labels or {@code 0x00000803} for images, the dimension sizes, then unsigned
 * bytes), plain or gzipped. Every size is checked, and where a SHA-256 of the (decompressed)
 * content is given, the content too; a bad file fails with an {@link IOException} that names it.
 */
final class IdxReader {
  static final int LABELS_MAGIC = 0x00000801;
  static final int IMAGES_MAGIC = 0x00000803;

  private IdxReader() {}

  /** The labels of an idx1 file, each checked to be a class in 0..9. */
  static int[] readLabels(Path file) throws IOException {
    return readLabels(file, null);
  }

  /**
   * The labels of an idx1 file, each checked to be a class in 0..9.
   *
   * @param sha256 hex SHA-256 of the decompressed content, or null to skip that check
   */
  static int[] readLabels(Path file, String sha256) throws IOException {
    MessageDigest digest = sha256 == null ? null : sha256();
    try (DataInputStream in = open(file, digest)) {
      checkMagic(file, in.readInt(), LABELS_MAGIC);
      int count = in.readInt();
      checkCount(file, count);
      byte[] raw = new byte[count];
      readFully(file, in, raw);
      checkEnd(file, in);
      checkDigest(file, digest, sha256);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = raw[i] & 0xff;
        if (labels[i] >= ImageSet.CLASSES) {
          throw new IOException(file + ": label " + i + " is " + labels[i] + ", not a class 0..9");
        }
      }
      return labels;
    }
  }

  /**
   * The images of an idx3 file as {@code [count, rows * cols]} pixels scaled to [0, 1].
   *
   * @param sha256 hex SHA-256 of the decompressed content, or null to skip that check
   */
  static float[] readImages(Path file, int expectedRows, int expectedCols, String sha256)
      throws IOException {
    MessageDigest digest = sha256 == null ? null : sha256();
    try (DataInputStream in = open(file, digest)) {
      checkMagic(file, in.readInt(), IMAGES_MAGIC);
      int count = in.readInt();
      checkCount(file, count);
      int rows = in.readInt();
      int cols = in.readInt();
      if (rows != expectedRows || cols != expectedCols) {
        throw new IOException(
            file
                + ": images are "
                + rows
                + "x"
                + cols
                + ", expected "
                + expectedRows
                + "x"
                + expectedCols);
      }
      byte[] raw = new byte[Math.multiplyExact(count, rows * cols)];
      readFully(file, in, raw);
      checkEnd(file, in);
      checkDigest(file, digest, sha256);
      float[] pixels = new float[raw.length];
      for (int i = 0; i < raw.length; i++) {
        pixels[i] = (raw[i] & 0xff) / 255f;
      }
      return pixels;
    }
  }

  /**
   * Reads a 28x28 image file and its label file into one set, checking that their counts agree.
   *
   * @param imagesSha256 hex SHA-256 of the decompressed image file, or null
   * @param labelsSha256 hex SHA-256 of the decompressed label file, or null
   */
  static ImageSet read(Path images, Path labels, String imagesSha256, String labelsSha256)
      throws IOException {
    int[] y = readLabels(labels, labelsSha256);
    float[] x = readImages(images, 28, 28, imagesSha256);
    if (x.length != (long) y.length * 784) {
      throw new IOException(
          images
              + " holds "
              + x.length / 784
              + " images but "
              + labels
              + " holds "
              + y.length
              + " labels");
    }
    return new ImageSet(x, y, 784);
  }

  private static DataInputStream open(Path file, MessageDigest digest) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    if (file.getFileName().toString().endsWith(".gz")) {
      in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    if (digest != null) {
      in = new DigestInputStream(in, digest);
    }
    return new DataInputStream(in);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static void checkDigest(Path file, MessageDigest digest, String expected)
      throws IOException {
    if (digest == null) {
      return;
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equalsIgnoreCase(expected)) {
      throw new IOException(
          file
              + ": content has SHA-256 "
              + actual
              + ", expected "
              + expected
              + " (the file is damaged or not the expected data set)");
    }
  }

  private static void checkMagic(Path file, int magic, int expected) throws IOException {
    if (magic != expected) {
      throw new IOException(
          String.format(
              "%s: not an IDX %s file (magic 0x%08x, expected 0x%08x)",
              file, expected == IMAGES_MAGIC ? "image" : "label", magic, expected));
    }
  }

  private static void checkCount(Path file, int count) throws IOException {
    if (count <= 0 || count > 1_000_000) {
      throw new IOException(file + ": implausible item count " + count);
    }
  }

  private static void readFully(Path file, DataInputStream in, byte[] into) throws IOException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new IOException(file + ": file is truncated", e);
    }
  }

  private static void checkEnd(Path file, InputStream in) throws IOException {
    if (in.read() != -1) {
      throw new IOException(file + ": unexpected data after the last item");
    }
  }
}
