package io.plasticitymonitor.bench;

import io.plasticitymonitor.analysis.LayerAnalyzer;
import io.plasticitymonitor.analysis.LayerData;
import io.plasticitymonitor.analysis.Thresholds;
import io.plasticitymonitor.internal.network.NetworkReader;
import io.plasticitymonitor.internal.network.NetworkSnapshot;
import io.plasticitymonitor.internal.network.NetworkStructure;
import io.plasticitymonitor.internal.network.SnapshotConverter;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * (d): the analysis of a 784-w-w-10 network (what the analysis thread does: snapshot to double
 * arrays, then every layer's measures) against its floor, the BLAS/LAPACK calls its results cannot
 * do without, timed alone on the same shapes: per hidden layer {@code dsyrk} of the units'
 * parameter vectors {@code Θ = [units, fanIn + 1 + outWidth]}; per layer the singular values of the
 * weights and (hidden layers) of the probe activations by the cheaper exact-enough LAPACK route,
 * {@code dsyrk} of the smaller Gram matrix then {@code dsyev}. Also the snapshot, which runs on the
 * training thread.
 */
final class WidthBench {

  record Row(
      String network, int width, long snapshot, long analysis, long floor, long svdOfWeights) {
    double ratio() {
      return (double) analysis / floor;
    }
  }

  private final int[] widths;
  private final int convChannels;
  private final int cycles;
  private final boolean withSvd;

  /** {@code convChannels} &gt; 0 adds the convolution network of {@link Workloads#conv}. */
  WidthBench(int[] widths, int convChannels, int cycles, boolean withSvd) {
    this.widths = widths;
    this.convChannels = convChannels;
    this.cycles = cycles;
    this.withSvd = withSvd;
  }

  List<Row> run() {
    Workloads.Data data = Workloads.mnistOrSynthetic(2, 9);
    INDArray probe = Workloads.probe(data);
    List<Row> rows = new ArrayList<>();
    List<Integer> cases = new ArrayList<>();
    for (int w : widths) {
      cases.add(w);
    }
    if (convChannels > 0) {
      cases.add(-convChannels); // negative: the convolution network
    }
    for (int c0 : cases) {
      boolean conv = c0 < 0;
      int w = Math.abs(c0);
      String label = conv ? Workloads.convLabel(w) : "784-" + w + "-" + w + "-10";
      Bench.log("width: %s", label);
      MultiLayerNetwork net =
          conv ? Workloads.conv(11, w) : Workloads.mlp(11, DataType.FLOAT, w, w);
      NetworkStructure structure = NetworkStructure.of(net);
      long snapshotBest = Long.MAX_VALUE;
      long analysisBest = Long.MAX_VALUE;
      long floorBest = Long.MAX_VALUE;
      NetworkSnapshot snapshot = NetworkReader.snapshot(net, structure, new INDArray[] {probe});
      List<Shape> shapes = shapes(SnapshotConverter.layerData(snapshot));
      long[] once = once(net, structure, probe, shapes);
      boolean large = once[0] + once[1] + once[2] > LARGE_NANOS;
      if (large) { // one repetition is the measurement: BLAS/LAPACK-bound, the JIT's share is noise
        snapshotBest = once[0];
        analysisBest = once[1];
        floorBest = once[2];
      }
      int[] repetitions = large ? new int[] {0, 0} : warmUp(net, structure, probe, shapes);
      int reps = repetitions[0];
      int floorReps = repetitions[1];
      for (int c = 0; c < (large ? 0 : cycles); c++) {
        for (int k = 0; k < 4; k++) { // A B B A
          System.gc();
          if (k == 0 || k == 3) {
            long snap = 0;
            long analysis = 0;
            for (int r = 0; r < reps; r++) {
              long start = CpuClock.nanos();
              NetworkSnapshot s = NetworkReader.snapshot(net, structure, new INDArray[] {probe});
              long mid = CpuClock.nanos();
              analyse(s);
              snap += mid - start;
              analysis += CpuClock.nanos() - mid;
            }
            snapshotBest = Math.min(snapshotBest, snap / reps);
            analysisBest = Math.min(analysisBest, analysis / reps);
          } else {
            long start = CpuClock.nanos();
            for (int r = 0; r < floorReps; r++) {
              floor(shapes);
            }
            floorBest = Math.min(floorBest, (CpuClock.nanos() - start) / floorReps);
          }
        }
      }
      long svd = withSvd ? svdOfWeights(shapes) : -1;
      for (Shape s : shapes) {
        s.close();
      }
      net.close();
      Row row = new Row(label, w, snapshotBest, analysisBest, floorBest, svd);
      Bench.log(
          "%s: snapshot %.1f ms, analysis %.1f ms, floor %.1f ms (%.2fx)%s",
          label,
          row.snapshot() / 1e6,
          row.analysis() / 1e6,
          row.floor() / 1e6,
          row.ratio(),
          svd < 0 ? "" : String.format(", dgesvd of the weights alone %.1f ms", svd / 1e6));
      rows.add(row);
    }
    return rows;
  }

  /** One repetition, timed: snapshot, analysis and floor, in process CPU nanoseconds. */
  private static long[] once(
      MultiLayerNetwork net, NetworkStructure structure, INDArray probe, List<Shape> shapes) {
    System.gc();
    long t0 = CpuClock.nanos();
    NetworkSnapshot s = NetworkReader.snapshot(net, structure, new INDArray[] {probe});
    long t1 = CpuClock.nanos();
    analyse(s);
    long t2 = CpuClock.nanos();
    floor(shapes);
    long t3 = CpuClock.nanos();
    return new long[] {t1 - t0, t2 - t1, t3 - t2};
  }

  /** Untimed CPU time spent warming up each width: the JIT compiles the analysis's loops. */
  private static final long WARM_UP_NANOS = 1_500_000_000L;

  /**
   * A first repetition (snapshot, analysis and floor) longer than this is the measurement: from
   * width 8192 up one takes minutes of CPU, nearly all of it in BLAS/LAPACK, where the JIT and the
   * repetitions' spread are noise against it; smaller widths are warmed up and repeated.
   */
  private static final long LARGE_NANOS = 30_000_000_000L;

  /** Process CPU time a timed round should last at least: the clock ticks in 10 ms. */
  private static final long ROUND_NANOS = 1_000_000_000L;

  /**
   * Runs the snapshot, analysis and floor untimed until the JIT has compiled them (at least {@link
   * #WARM_UP_NANOS} and 5 repetitions), then returns the repetitions per round, of the snapshot and
   * analysis and of the floor, that make a round last {@link #ROUND_NANOS}, judged on the warmed-up
   * code. Without this, the small widths were timed mostly in the interpreter: one cold repetition
   * set the count.
   */
  private static int[] warmUp(
      MultiLayerNetwork net, NetworkStructure structure, INDArray probe, List<Shape> shapes) {
    long start = CpuClock.nanos();
    for (int r = 0; r < 5 || CpuClock.nanos() - start < WARM_UP_NANOS; r++) {
      analyse(NetworkReader.snapshot(net, structure, new INDArray[] {probe}));
      floor(shapes);
    }
    long t0 = CpuClock.nanos();
    for (int r = 0; r < 3; r++) {
      analyse(NetworkReader.snapshot(net, structure, new INDArray[] {probe}));
    }
    long t1 = CpuClock.nanos();
    for (int r = 0; r < 3; r++) {
      floor(shapes);
    }
    long t2 = CpuClock.nanos();
    return new int[] {repetitions((t1 - t0) / 3), repetitions((t2 - t1) / 3)};
  }

  private static int repetitions(long perRepetition) {
    return (int) Math.max(1, Math.min(5000, ROUND_NANOS / Math.max(1, perRepetition)));
  }

  private static void analyse(NetworkSnapshot snapshot) {
    LayerAnalyzer.Buffers buffers = new LayerAnalyzer.Buffers(); // as the listener's analysis does
    for (LayerData layer : SnapshotConverter.layerData(snapshot)) {
      LayerAnalyzer.analyze(layer, Thresholds.DEFAULTS, buffers);
    }
  }

  /** One matrix whose Gram matrix {@code XᵀX} ({@code X = [k, n]} column-major) is needed. */
  private static final class Gram implements AutoCloseable {
    final int k;
    final int n;
    final boolean eigenvalues;
    final DoublePointer x;
    final DoublePointer c;
    final DoublePointer w;
    final double[] rowMajor;
    final int rows;
    final int cols;

    /** The smaller Gram matrix of {@code M = [rows, cols]} row-major, for its singular values. */
    static Gram ofMatrix(double[] m, int rows, int cols, boolean eigenvalues) {
      if (rows
          < cols) { // MMᵀ = XᵀX with X = Mᵀ = the row-major buffer read column-major [cols, rows]
        return new Gram(m, cols, rows, eigenvalues, m, rows, cols);
      }
      double[] colMajor = new double[m.length]; // X = M column-major [rows, cols]
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          colMajor[c * rows + r] = m[r * cols + c];
        }
      }
      return new Gram(colMajor, rows, cols, eigenvalues, m, rows, cols);
    }

    private Gram(
        double[] colMajor,
        int k,
        int n,
        boolean eigenvalues,
        double[] rowMajor,
        int rows,
        int cols) {
      this.k = k;
      this.n = n;
      this.eigenvalues = eigenvalues;
      this.x = new DoublePointer(colMajor);
      this.c = new DoublePointer((long) n * n);
      this.w = new DoublePointer(n);
      this.rowMajor = rowMajor;
      this.rows = rows;
      this.cols = cols;
    }

    void run() {
      Floor.gram(x, k, n, c);
      if (eigenvalues) {
        Floor.eigenvalues(c, n, w);
      }
    }

    @Override
    public void close() {
      x.close();
      c.close();
      w.close();
    }
  }

  private record Shape(List<Gram> grams) implements AutoCloseable {
    @Override
    public void close() {
      grams.forEach(Gram::close);
    }
  }

  private static List<Shape> shapes(List<LayerData> layers) {
    List<Shape> out = new ArrayList<>();
    for (LayerData l : layers) {
      List<Gram> grams = new ArrayList<>();
      grams.add(Gram.ofMatrix(l.weights(), l.fanIn(), l.units(), true));
      if (l.activations() != null) {
        grams.add(Gram.ofMatrix(l.activations(), l.examples(), l.units(), true));
      }
      if (l.hidden()) { // Θ = [units, d] row-major = Θᵀ column-major [d, units]: G = ΘΘᵀ
        int d = l.fanIn() + (l.bias() == null ? 0 : 1) + l.outWidth();
        double[] theta = new double[l.units() * d];
        for (int i = 0; i < l.units(); i++) {
          for (int f = 0; f < l.fanIn(); f++) {
            theta[i * d + f] = l.weights()[f * l.units() + i];
          }
          int at = i * d + l.fanIn();
          if (l.bias() != null) {
            theta[at++] = l.bias()[i];
          }
          System.arraycopy(l.outgoing(), i * l.outWidth(), theta, at, l.outWidth());
        }
        grams.add(new Gram(theta, d, l.units(), false, null, 0, 0));
      }
      out.add(new Shape(grams));
    }
    return out;
  }

  private static void floor(List<Shape> shapes) {
    for (Shape s : shapes) {
      s.grams().forEach(Gram::run);
    }
  }

  /**
   * What the singular values of the weights alone cost by dgesvd (the route before the Gram one).
   */
  private static long svdOfWeights(List<Shape> shapes) {
    long total = 0;
    for (Shape s : shapes) {
      Gram g = s.grams().get(0);
      double[] colMajor = new double[g.rowMajor.length];
      for (int r = 0; r < g.rows; r++) {
        for (int c = 0; c < g.cols; c++) {
          colMajor[c * g.rows + r] = g.rowMajor[r * g.cols + c];
        }
      }
      try (DoublePointer a = new DoublePointer(colMajor);
          DoublePointer sv = new DoublePointer(Math.min(g.rows, g.cols))) {
        long start = CpuClock.nanos();
        Floor.svd(a, g.rows, g.cols, sv);
        total += CpuClock.nanos() - start;
      }
    }
    return total;
  }
}
