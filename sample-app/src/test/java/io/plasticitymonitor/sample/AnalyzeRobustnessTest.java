package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code analyze} on malformed, truncated and hostile model files: one clear message naming the
 * file, exit status 2, no stack trace. Every file is derived from a real saved network: cut at
 * several points, with an entry missing or damaged, with sizes in the parameter header that ask for
 * terabytes or less than nothing, a class name that is not a layer, a configuration that does not
 * match its parameters, and a zip bomb (a configuration.json that inflates to 300 MB, more than the
 * heap of the child JVM that runs the command in its own process).
 */
class AnalyzeRobustnessTest {
  private static final String CONF = "configuration.json";
  private static final String COEF = "coefficients.bin";
  private static final int BOMB_MB = 300;
  private static final String CHILD_HEAP = "-Xmx256m";

  @TempDir static Path dir;
  static byte[] good;
  static Map<String, byte[]> entries;

  @BeforeAll
  static void saveARealNetwork() throws IOException {
    Path file = dir.resolve("good.zip");
    ModelSerializer.writeModel(Networks.mlp(20, 2, 16, 0.05, 0.1, 1), file.toFile(), false);
    good = Files.readAllBytes(file);
    entries = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        try (InputStream in = zip.getInputStream(e)) {
          entries.put(e.getName(), in.readAllBytes());
        }
      }
    }
    assertThat(entries).containsKeys(CONF, COEF);
  }

  private static byte[] zip(Map<String, byte[]> content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : content.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] with(String entry, byte[] value) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>(entries);
    if (value == null) {
      m.remove(entry);
    } else {
      m.put(entry, value);
    }
    return zip(m);
  }

  private static byte[] conf(String from, String to) throws IOException {
    String text = new String(entries.get(CONF), StandardCharsets.UTF_8);
    assertThat(text).contains(from);
    return with(
        CONF,
        text.replaceFirst(java.util.regex.Pattern.quote(from), to)
            .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * coefficients.bin with one of its two buffer lengths replaced. Nd4j's layout: for the shape
   * buffer, then the data buffer: writeUTF(allocation mode), long length, writeUTF(data type), then
   * the elements.
   */
  private static byte[] coefficientLength(int buffer, long length) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(entries.get(COEF).clone());
    for (int i = 0; ; i++) {
      b.position(b.position() + 2 + b.getShort(b.position())); // allocation mode
      int lengthAt = b.position();
      long n = b.getLong();
      int typeLength = b.getShort(b.position());
      String type = new String(b.array(), b.position() + 2, typeLength, StandardCharsets.UTF_8);
      b.position(b.position() + 2 + typeLength);
      if (i == buffer) {
        b.putLong(lengthAt, length);
        return with(COEF, b.array());
      }
      b.position(b.position() + (int) n * (type.equals("LONG") ? 8 : 4));
    }
  }

  /**
   * {@value #BOMB_MB} MB of spaces, deflated to about {@value #BOMB_MB} KB: more than the child's
   * heap.
   */
  private static byte[] zipBomb() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.setLevel(9);
      z.putNextEntry(new ZipEntry(CONF));
      byte[] spaces = new byte[1 << 20];
      java.util.Arrays.fill(spaces, (byte) ' ');
      for (int i = 0; i < BOMB_MB; i++) {
        z.write(spaces);
      }
      z.closeEntry();
      z.putNextEntry(new ZipEntry(COEF));
      z.write(entries.get(COEF));
      z.closeEntry();
    }
    return bytes.toByteArray();
  }

  private static byte[] cut(double fraction) {
    return java.util.Arrays.copyOf(good, (int) (good.length * fraction));
  }

  record Bad(String name, ThrowingBytes bytes) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface ThrowingBytes {
    byte[] get() throws IOException;
  }

  static List<Bad> badFiles() {
    return List.of(
        new Bad("empty", () -> new byte[0]),
        new Bad(
            "random-bytes",
            () -> {
              byte[] b = new byte[4096];
              new Random(7).nextBytes(b);
              return b;
            }),
        new Bad("text", () -> "not a model\n".getBytes(StandardCharsets.UTF_8)),
        new Bad("truncated-10pct", () -> cut(0.1)),
        new Bad("truncated-50pct", () -> cut(0.5)),
        new Bad("truncated-90pct", () -> cut(0.9)),
        new Bad("truncated-last-byte", () -> java.util.Arrays.copyOf(good, good.length - 1)),
        new Bad(
            "coefficients-cut-in-half",
            () ->
                with(
                    COEF,
                    java.util.Arrays.copyOf(entries.get(COEF), entries.get(COEF).length / 2))),
        new Bad(
            "coefficients-random",
            () -> {
              byte[] b = new byte[entries.get(COEF).length];
              new Random(11).nextBytes(b);
              return with(COEF, b);
            }),
        new Bad("coefficients-missing", () -> with(COEF, null)),
        new Bad("configuration-missing", () -> with(CONF, null)),
        new Bad(
            "configuration-broken-json",
            () -> with(CONF, "{\"confs\": [ {\"layer\": ".getBytes(StandardCharsets.UTF_8))),
        new Bad(
            "configuration-not-an-object",
            () -> with(CONF, "[1,2,3]".getBytes(StandardCharsets.UTF_8))),
        new Bad(
            "configuration-empty-object", () -> with(CONF, "{}".getBytes(StandardCharsets.UTF_8))),
        new Bad(
            "configuration-deeply-nested",
            () ->
                with(
                    CONF,
                    ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8))),
        new Bad(
            "configuration-class-not-a-layer",
            () -> conf("org.deeplearning4j.nn.conf.layers.DenseLayer", "java.lang.ProcessBuilder")),
        new Bad(
            "configuration-does-not-match-parameters", () -> conf("\"nout\" : 16", "\"nout\" : 8")),
        new Bad("configuration-negative-width", () -> conf("\"nout\" : 16", "\"nout\" : -16")),
        new Bad("header-shape-length-1TiB", () -> coefficientLength(0, 1L << 40)),
        new Bad("header-data-length-1TiB", () -> coefficientLength(1, 1L << 40)),
        new Bad("header-data-length-negative", () -> coefficientLength(1, -5)),
        new Bad("zip-bomb-configuration", AnalyzeRobustnessTest::zipBomb));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aBadModelFileIsOneClearMessageAndExitStatus2(Bad bad) throws Exception {
    Path file = Files.write(dir.resolve(bad.name() + ".zip"), bad.bytes().get());
    OptionsTest.Outcome o = OptionsTest.run("analyze", file.toString());
    assertThat(o.exit()).as(o.err()).isEqualTo(SampleApp.EXIT_USAGE);
    assertThat(o.err())
        .startsWith("analyze: cannot read " + file)
        .doesNotContain("\tat ", "Exception in thread");
    assertThat(o.err().lines().count()).as(o.err()).isLessThanOrEqualTo(4);
    assertThat(o.out()).isEmpty();
  }

  @Test
  void theUndamagedFileIsAnalysed() throws Exception {
    Path file = Files.write(dir.resolve("control.zip"), good);
    OptionsTest.Outcome o = OptionsTest.run("analyze", file.toString());
    assertThat(o.exit()).as(o.err()).isZero();
    assertThat(o.out()).contains("layer0", "layer1", "layer2");
  }

  /**
   * The same through the real command in its own JVM, where the libraries' own logging reaches
   * standard error too: for a truncated file, a header asking for a terabyte and the zip bomb,
   * standard error holds the message and no stack trace. (In-process runs above cannot see what
   * DL4J and ND4J print to System.err.)
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void inItsOwnProcessStandardErrorHoldsNoStackTrace() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("truncated", cut(0.5));
    files.put("terabyte-header", coefficientLength(1, 1L << 40));
    files.put("zip-bomb", zipBomb());
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path file = Files.write(dir.resolve("process-" + f.getKey() + ".zip"), f.getValue());
      Path err = dir.resolve("process-" + f.getKey() + ".err");
      ProcessBuilder pb =
          new ProcessBuilder(
                  java.toString(),
                  CHILD_HEAP,
                  "-cp",
                  System.getProperty("java.class.path"),
                  SampleApp.class.getName(),
                  "analyze",
                  file.toString())
              .redirectError(err.toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().put("OMP_NUM_THREADS", "1");
      Process p = pb.start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(f.getKey() + ": analyze still running after 90 s");
      }
      String stderr = Files.readString(err);
      assertThat(p.exitValue()).as("%s: %s", f.getKey(), stderr).isEqualTo(SampleApp.EXIT_USAGE);
      assertThat(stderr)
          .as(f.getKey())
          .contains("analyze: cannot read " + file)
          .doesNotContain("\tat ", "Exception in thread", "hs_err");
    }
  }
}
