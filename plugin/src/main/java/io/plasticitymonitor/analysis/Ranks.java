package io.plasticitymonitor.analysis;

/**
 * The four rank measures of a matrix (metric contract, item 5), the rotation symmetry's absorbing
 * state: a direction the layer no longer uses (Ziyin, arXiv:2309.16932). With singular values
 * {@code σ₁ ≥ σ₂ ≥ … ≥ 0}:
 *
 * <ul>
 *   <li>{@code srank} — smallest {@code k} with {@code Σ_{i≤k} σ_i ≥ (1 − δ)·Σ σ_i}, {@code δ}
 *       default 0.01 (Kumar, Agarwal, Ghosh &amp; Levine, "Implicit Under-Parameterization Inhibits
 *       Data-Efficient Deep Reinforcement Learning", ICLR 2021);
 *   <li>{@code effective} — {@code exp(−Σ p_k ln p_k)}, {@code p_k = σ_k/Σσ}, zero {@code p_k}
 *       contributing 0 (Roy &amp; Vetterli, "The effective rank: a measure of effective
 *       dimensionality", EUSIPCO 2007);
 *   <li>{@code stable} — {@code Σσ_i²/σ₁²};
 *   <li>{@code numerical} — {@code #{σ_k > σ₁·max(rows, cols)·eps}}, {@code eps} the machine
 *       epsilon of the data's type (2⁻²³ float32, 2⁻⁵² float64): numpy's {@code matrix_rank} rule;
 *   <li>{@code max} — {@code min(rows, cols)}.
 * </ul>
 *
 * An all-zero or empty matrix has every rank 0 ({@code max} still {@code min(rows, cols)}).
 */
final class Ranks {

  private Ranks() {}

  /**
   * Rank measures from singular values.
   *
   * <p>Example: {@code diag(1, 1, 2, 1e-3)} has {@code σ = (2, 1, 1, 1e-3)}, {@code Σσ = 4.001}:
   * srank 3 (2 + 1 + 1 = 4 ≥ 0.99·4.001), effective ≈ 2.83427, stable = 6.000001/4 = 1.50000025,
   * numerical 4 for either epsilon.
   *
   * @param sigmaDescending singular values, largest first, all finite and ≥ 0 (as from {@link
   *     SingularValues#of}); at most {@code min(rows, cols)} of them; not modified
   * @param rows rows of the matrix
   * @param cols columns of the matrix
   * @param eps machine epsilon of the matrix's data type, in (0, 1)
   * @param delta srank's {@code δ}, in [0, 1)
   * @return srank, effective, stable and numerical rank, and {@code min(rows, cols)}
   * @throws IllegalArgumentException on unsorted, negative or non-finite values or bad parameters
   */
  public static RankMeasures of(
      double[] sigmaDescending, int rows, int cols, double eps, double delta) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("negative dimension (got: " + rows + "x" + cols + ")");
    }
    int max = Math.min(rows, cols);
    if (sigmaDescending.length > max) {
      throw new IllegalArgumentException(
          sigmaDescending.length + " singular values for a " + rows + "x" + cols + " matrix");
    }
    if (!(eps > 0 && eps < 1)) {
      throw new IllegalArgumentException("eps must be in (0, 1) (got: " + eps + ")");
    }
    if (!(delta >= 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in [0, 1) (got: " + delta + ")");
    }
    for (int k = 0; k < sigmaDescending.length; k++) {
      double s = sigmaDescending[k];
      if (!(s >= 0 && s < Double.POSITIVE_INFINITY) || (k > 0 && s > sigmaDescending[k - 1])) {
        throw new IllegalArgumentException(
            "singular values must be finite, ≥ 0 and descending (got: " + s + " at " + k + ")");
      }
    }
    double s1 = sigmaDescending.length == 0 ? 0 : sigmaDescending[0];
    if (s1 == 0) {
      return new RankMeasures(0, 0, 0, 0, max);
    }
    int n = sigmaDescending.length;
    // Every measure but the numerical rank is scale-free: work on r_k = σ_k/σ₁ ∈ [0, 1], whose sums
    // and squares cannot overflow. The total is the last prefix sum of the same loop, so srank
    // reaches it exactly when δ = 0.
    double[] prefix = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += sigmaDescending[k] / s1;
      prefix[k] = sum;
    }
    double target = (1 - delta) * sum;
    int srank = n;
    for (int k = 0; k < n; k++) {
      if (prefix[k] >= target) {
        srank = k + 1;
        break;
      }
    }
    double entropy = 0;
    double stable = 0;
    double cutoff = s1 * Math.max(rows, cols) * eps; // numpy's tolerance, on σ itself
    int numerical = 0;
    for (double s : sigmaDescending) {
      double r = s / s1;
      if (r > 0) {
        double p = r / sum;
        entropy -= p * Math.log(p);
      }
      stable += r * r;
      if (s > cutoff) {
        numerical++;
      }
    }
    return new RankMeasures(srank, Math.exp(entropy), stable, numerical, max);
  }

  /**
   * Smallest {@code min(rows, cols)} for which {@link #ofMatrix} tries the Gram route first; below
   * it {@code dgesvd} costs less than two LAPACK calls' overhead.
   */
  static final int GRAM_ROUTE_MIN_DIMENSION = 48;

  /**
   * Rank measures of a matrix.
   *
   * <p>Two routes to the same numbers. The singular values come from the eigenvalues of the smaller
   * Gram matrix ({@link GramSpectrum}, 2–3× cheaper than an SVD for a large square matrix) whenever
   * its rounding-error bounds prove that the srank and numerical rank are those of the exact
   * singular values and the effective and stable rank within {@code 1e-6} of theirs; otherwise, and
   * for matrices smaller than {@value #GRAM_ROUTE_MIN_DIMENSION} on a side, from LAPACK {@code
   * dgesvd} ({@link SingularValues#of}). Float32 parameters almost always take the Gram route
   * (their numerical-rank cutoff {@code σ₁·max(rows, cols)·2⁻²³} is far above its noise); float64
   * ones take it only when every singular value is far above that noise. All-zero rows and columns
   * (e.g. a unit dead on every probe example) are dropped first: they add exact zero singular
   * values, which no measure counts.
   *
   * @param rowMajor {@code rows × cols}, row-major, finite; not modified
   * @param rows rows of the matrix
   * @param cols columns of the matrix
   * @param eps machine epsilon of the matrix's data type, in (0, 1)
   * @param delta srank's {@code δ}, in [0, 1)
   * @return the rank measures
   * @throws IllegalArgumentException on a length mismatch, NaN or ±Inf
   * @throws IllegalStateException if LAPACK fails (see {@link SingularValues#of})
   */
  public static RankMeasures ofMatrix(
      double[] rowMajor, int rows, int cols, double eps, double delta) {
    return ofMatrix(
        rowMajor, rows, cols, eps, delta, Math.min(rows, cols) >= GRAM_ROUTE_MIN_DIMENSION);
  }

  /** {@link #ofMatrix(double[], int, int, double, double)}, the Gram route tried or not (tests). */
  static RankMeasures ofMatrix(
      double[] rowMajor, int rows, int cols, double eps, double delta, boolean tryGram) {
    return ofMatrix(rowMajor, rows, cols, eps, delta, tryGram, null);
  }

  /**
   * {@link #ofMatrix(double[], int, int, double, double)}, handing {@code MᵀM} ({@code cols ×
   * cols}, column-major, upper triangle) to {@code keepColumnGram} whenever the Gram route computed
   * exactly that matrix (no zero row or column dropped, {@code rows ≥ cols}), whether or not its
   * eigenvalues were then proven good enough. The caller may reuse it: a hidden layer's {@code WᵀW}
   * is part of the Gram matrix of its units' parameter vectors.
   */
  static RankMeasures ofMatrix(
      double[] rowMajor,
      int rows,
      int cols,
      double eps,
      double delta,
      java.util.function.Consumer<double[]> keepColumnGram) {
    return ofMatrix(
        rowMajor,
        rows,
        cols,
        eps,
        delta,
        Math.min(rows, cols) >= GRAM_ROUTE_MIN_DIMENSION,
        keepColumnGram);
  }

  private static RankMeasures ofMatrix(
      double[] rowMajor,
      int rows,
      int cols,
      double eps,
      double delta,
      boolean tryGram,
      java.util.function.Consumer<double[]> keepColumnGram) {
    if (rows < 0 || cols < 0 || rowMajor.length != (long) rows * cols) {
      throw new IllegalArgumentException(
          "matrix has " + rowMajor.length + " values, expected rows*cols = " + rows + "*" + cols);
    }
    for (double v : rowMajor) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("matrix holds a non-finite value (got: " + v + ")");
      }
    }
    // Zero rows and columns (units dead on every probe example, examples no unit responds to) add
    // exact zero singular values and nothing else; every measure ignores those, with the cutoff and
    // max still those of the whole matrix. Dropping them is exact, makes the work smaller, and
    // spares the Gram route values it could only bound by its noise.
    Compact c = Compact.of(rowMajor, rows, cols);
    if (c.rows == 0 || c.cols == 0) {
      return of(new double[0], rows, cols, eps, delta);
    }
    if (tryGram && Math.min(c.rows, c.cols) >= GRAM_ROUTE_MIN_DIMENSION) {
      boolean whole = c.rows == rows && c.cols == cols;
      GramSpectrum spectrum =
          GramSpectrum.of(c.values, c.rows, c.cols, whole ? keepColumnGram : null);
      RankMeasures fast = of(spectrum.sigma(), rows, cols, eps, delta);
      if (spectrum.certifies(fast, rows, cols, eps, delta)) {
        return fast;
      }
    }
    return of(SingularValues.of(c.values, c.rows, c.cols), rows, cols, eps, delta);
  }

  /** A matrix without its all-zero rows and columns (the same array when it has none). */
  private record Compact(double[] values, int rows, int cols) {
    static Compact of(double[] m, int rows, int cols) {
      // Usually every row and column has a nonzero early on: stop looking at a row at its first
      // nonzero, and keep scanning only the columns still without one.
      boolean[] rowUsed = new boolean[rows];
      boolean[] colUsed = new boolean[cols];
      int usedRows = 0;
      for (int r = 0; r < rows; r++) {
        for (int k = r * cols, end = k + cols; k < end; k++) {
          if (m[k] != 0) {
            rowUsed[r] = true;
            usedRows++;
            break;
          }
        }
      }
      int[] pending = new int[cols];
      int open = 0;
      for (int c = 0; c < cols; c++) {
        pending[open++] = c;
      }
      for (int r = 0; r < rows && open > 0; r++) {
        int keep = 0;
        for (int p = 0; p < open; p++) {
          int c = pending[p];
          if (m[r * cols + c] != 0) {
            colUsed[c] = true;
          } else {
            pending[keep++] = c;
          }
        }
        open = keep;
      }
      int usedCols = cols - open;
      if (usedRows == rows && usedCols == cols) {
        return new Compact(m, rows, cols);
      }
      double[] out = new double[usedRows * usedCols];
      int k = 0;
      for (int r = 0; r < rows; r++) {
        if (rowUsed[r]) {
          for (int c = 0, at = r * cols; c < cols; c++, at++) {
            if (colUsed[c]) {
              out[k++] = m[at];
            }
          }
        }
      }
      return new Compact(out, usedRows, usedCols);
    }
  }
}
