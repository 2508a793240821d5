package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  private static final float EXACT = 0f;

  @TempDir Path tmp;

  static byte[] images(int magic, int count, int rows, int cols, int pixelBytes)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    out.writeInt(rows);
    out.writeInt(cols);
    for (int i = 0; i < pixelBytes; i++) {
      out.writeByte(i % 256);
    }
    return bytes.toByteArray();
  }

  static byte[] labels(int... values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(IdxReader.LABELS_MAGIC);
    out.writeInt(values.length);
    for (int v : values) {
      out.writeByte(v);
    }
    return bytes.toByteArray();
  }

  private Path write(String name, byte[] content) throws IOException {
    Path file = tmp.resolve(name);
    if (name.endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(content);
      }
    } else {
      Files.write(file, content);
    }
    return file;
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  @Test
  void readsPlainAndGzippedFilesScaledToUnitRange() throws Exception {
    byte[] img = images(IdxReader.IMAGES_MAGIC, 2, 28, 28, 2 * 784);
    byte[] lab = labels(7, 0);
    for (String suffix : new String[] {"", ".gz"}) {
      ImageSet set =
          IdxReader.read(
              write("img" + suffix, img), write("lab" + suffix, lab), sha256(img), sha256(lab));
      assertThat(set.size()).isEqualTo(2);
      assertThat(set.features()).isEqualTo(784);
      assertThat(set.labels()).containsExactly(7, 0);
      assertThat(set.pixels()[0]).isEqualTo(0f);
      assertThat(set.pixels()[255]).isEqualTo(1f);
      assertThat(set.pixels()[1]).isCloseTo(1 / 255f, org.assertj.core.data.Offset.offset(EXACT));
    }
  }

  @Test
  void rejectsAWrongMagicNumber() throws Exception {
    Path file = write("x", images(IdxReader.LABELS_MAGIC, 1, 28, 28, 784));
    assertThatThrownBy(() -> IdxReader.readImages(file, 28, 28, null))
        .hasMessageContaining("not an IDX image file (magic 0x00000801, expected 0x00000803)");
  }

  @Test
  void rejectsTruncatedAndOversizedFiles() throws Exception {
    Path shortFile = write("short.gz", images(IdxReader.IMAGES_MAGIC, 2, 28, 28, 784 + 10));
    assertThatThrownBy(() -> IdxReader.readImages(shortFile, 28, 28, null))
        .hasMessageContaining("truncated");
    Path longFile = write("long", images(IdxReader.IMAGES_MAGIC, 1, 28, 28, 785));
    assertThatThrownBy(() -> IdxReader.readImages(longFile, 28, 28, null))
        .hasMessageContaining("unexpected data after the last item");
    Path wrongShape = write("shape", images(IdxReader.IMAGES_MAGIC, 1, 32, 32, 1024));
    assertThatThrownBy(() -> IdxReader.readImages(wrongShape, 28, 28, null))
        .hasMessageContaining("images are 32x32, expected 28x28");
  }

  @Test
  void rejectsLabelsOutsideTheTenClassesAndMismatchedCounts() throws Exception {
    Path bad = write("bad", labels(3, 10));
    assertThatThrownBy(() -> IdxReader.readLabels(bad)).hasMessageContaining("label 1 is 10");
    Path img = write("img", images(IdxReader.IMAGES_MAGIC, 2, 28, 28, 2 * 784));
    Path lab = write("lab", labels(1, 2, 3));
    assertThatThrownBy(() -> IdxReader.read(img, lab, null, null))
        .hasMessageContaining("holds 2 images but")
        .hasMessageContaining("holds 3 labels");
  }

  @Test
  void rejectsContentWithAnotherChecksum() throws Exception {
    byte[] lab = labels(1, 2);
    Path file = write("lab.gz", lab);
    String other = sha256(labels(1, 3));
    assertThatThrownBy(() -> IdxReader.readLabels(file, other))
        .hasMessageContaining("content has SHA-256 " + sha256(lab))
        .hasMessageContaining("expected " + other);
  }

  @Test
  void readsTheDebianFashionMnistPackageWhenInstalled() throws Exception {
    assumeThat(
            Files.isRegularFile(
                DataSources.DEBIAN_FASHION_DIR.resolve("t10k-labels-idx1-ubyte.gz")))
        .as("dataset-fashion-mnist installed")
        .isTrue();
    DataSources.Splits fashion = DataSources.fashion(DataSources.DEBIAN_FASHION_DIR);
    assertThat(fashion.train().size()).isEqualTo(60_000);
    assertThat(fashion.test().size()).isEqualTo(10_000);
    assertThat(fashion.train().features()).isEqualTo(784);
  }
}
