package io.plasticitymonitor.analysis;

import java.util.Random;

/**
 * Builders for test inputs: layers from per-unit vectors, matrices with planted singular values.
 */
final class TestMatrices {

  static final double FLOAT32_EPS = 0x1p-23;
  static final double FLOAT64_EPS = 0x1p-52;

  private TestMatrices() {}

  /**
   * A hidden layer from per-unit vectors: {@code in[i]} is column i of W (length fanIn), {@code
   * bias} may be null, {@code out[i]} is z_i.
   */
  static LayerData hidden(double[][] in, double[] bias, double[][] out) {
    int units = in.length;
    int fanIn = units == 0 ? 0 : in[0].length;
    int outWidth = units == 0 ? 0 : out[0].length;
    double[] w = new double[fanIn * units];
    double[] o = new double[units * outWidth];
    for (int i = 0; i < units; i++) {
      for (int f = 0; f < fanIn; f++) {
        w[f * units + i] = in[i][f];
      }
      System.arraycopy(out[i], 0, o, i * outWidth, outWidth);
    }
    return new LayerData("hidden", units, fanIn, w, bias, o, outWidth, null, 0, FLOAT64_EPS, 0);
  }

  /** The same layer with probe activations {@code act[example][unit]} and the given epsilon. */
  static LayerData withActivations(LayerData l, double[][] act, double eps) {
    int examples = act.length;
    double[] h = new double[examples * l.units()];
    for (int x = 0; x < examples; x++) {
      System.arraycopy(act[x], 0, h, x * l.units(), l.units());
    }
    return new LayerData(
        l.name(),
        l.units(),
        l.fanIn(),
        l.weights(),
        l.bias(),
        l.outgoing(),
        l.outWidth(),
        h,
        examples,
        eps,
        l.nonfiniteParameters());
  }

  /** A layer that is not hidden, weights {@code [fanIn, units]} row-major. */
  static LayerData output(double[] weights, int fanIn, int units, double eps) {
    return new LayerData("output", units, fanIn, weights, null, null, 0, null, 0, eps, 0);
  }

  static double[] flatten(double[][] rows) {
    int c = rows.length == 0 ? 0 : rows[0].length;
    double[] out = new double[rows.length * c];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * c, c);
    }
    return out;
  }

  static double[] gaussian(Random rnd, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextGaussian();
    }
    return v;
  }

  /** Row-major {@code A·B} for {@code A = [n, k]}, {@code B = [k, m]}. */
  static double[] multiply(double[] a, double[] b, int n, int k, int m) {
    double[] c = new double[n * m];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < k; p++) {
        double v = a[i * k + p];
        for (int j = 0; j < m; j++) {
          c[i * m + j] += v * b[p * m + j];
        }
      }
    }
    return c;
  }

  /** A random Householder reflection {@code I − 2vvᵀ/vᵀv}: orthogonal to rounding, n × n. */
  static double[] householder(Random rnd, int n) {
    double[] v = gaussian(rnd, n);
    double vv = 0;
    for (double x : v) {
      vv += x * x;
    }
    double[] q = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        q[i * n + j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / vv;
      }
    }
    return q;
  }

  /**
   * {@code Q₁·diag(sigma)·Q₂} of shape {@code rows × cols}, so its singular values are exactly
   * {@code sigma} (padded with zeros) up to rounding of order {@code 2⁻⁵³·σ₁}.
   */
  static double[] plantedSingularValues(Random rnd, int rows, int cols, double... sigma) {
    double[] d = new double[rows * cols];
    for (int k = 0; k < sigma.length; k++) {
      d[k * cols + k] = sigma[k];
    }
    double[] left = multiply(householder(rnd, rows), d, rows, rows, cols);
    return multiply(left, householder(rnd, cols), rows, cols, cols);
  }

  static double[] transpose(double[] m, int rows, int cols) {
    double[] t = new double[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }
}
