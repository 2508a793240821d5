package io.plasticitymonitor.analysis;

/**
 * Singular values of {@code M} from the eigenvalues of its smaller Gram matrix, each with a bound
 * on its error, and the test of whether those bounds prove a set of rank measures equal to the ones
 * of the exact singular values (metric contract, item 5).
 *
 * <p>Why and when: LAPACK's {@code dgesvd} of a 2000×2000 matrix spends seconds in the bidiagonal
 * reduction, half of it matrix–vector work. The Gram route costs {@code k·n²} flops of {@code
 * dgemm} plus a symmetric eigenvalue solve of size {@code n = min(rows, cols)}, 2–3× less for
 * square matrices. Its price is resolution: squaring maps every {@code σ_k ≪ √eps·σ₁} to noise. So
 * the route is used only where the bounds below prove that it does not matter, and {@link
 * Ranks#ofMatrix} falls back to {@code dgesvd} everywhere else (numerical rank of float64
 * parameters near the cutoff, matrices with a collapsed tail whose tiny singular values weigh in
 * the effective rank).
 *
 * <p>The bound. With {@code u = 2⁻⁵³}, {@code G = XᵀX} ({@code X = [k, n]}) summed over slices of
 * 256 of the inner dimension, each slice in any order, satisfies {@code |fl(G)_ij − G_ij| ≤
 * γ_t‖x_i‖‖x_j‖} with {@code t = min(k, 256) + ⌈k/256⌉} (not {@code k}: that is what the slices
 * buy), so {@code ‖fl(G) − G‖₂ ≤ γ_t‖M‖_F²}; a backward-stable symmetric eigensolver adds {@code
 * p(n)·u·‖G‖₂}. By Weyl's inequality every eigenvalue is then within {@code δλ = 2·((t +
 * 2)·u·‖M‖_F² + (n + 8)·u·λ̂₁)} of the exact {@code σ_k²} (the factor 2 covers {@code γ_k}'s
 * denominator, {@code λ̂₁}'s own error and LAPACK's "modest" {@code p(n)}, taken as {@code n}). For
 * {@code σ̂_k = √max(λ̂_k, 0)} this gives {@code |σ̂_k − σ_k| ≤ e_k = min(√δλ, δλ/σ̂_k)}.
 *
 * <p>Certification ({@link #certifies}): the numerical rank and srank are integers and must be
 * proven equal, every {@code σ_k} on the same side of the cutoff {@code σ₁·max(rows, cols)·eps} and
 * the srank's prefix sum on the same side of {@code (1 − δ)·Σσ}; the effective and stable rank must
 * be proven within {@link #RELATIVE_TOLERANCE} of their exact values. For float32 parameters the
 * cutoff ({@code ≥ 2⁻²³·max(rows, cols)·σ₁}) lies far above the Gram route's noise ({@code ≈ √δλ}),
 * so all but the most collapsed float32 matrices pass; float64 matrices pass only when every
 * singular value is far above the noise (full numerical rank).
 */
final class GramSpectrum {

  /**
   * Largest proven relative error of the effective and the stable rank accepted from the Gram
   * route. The bound is a worst case (rounding errors all aligned); the observed agreement with
   * {@code dgesvd} is ~1e-12 (see the tests).
   */
  static final double RELATIVE_TOLERANCE = 1e-6;

  private static final double UNIT_ROUNDOFF = 0x1p-53;

  private final double[] sigma;
  private final double[] error;
  private final double deltaLambda;

  private GramSpectrum(double[] sigma, double[] error, double deltaLambda) {
    this.sigma = sigma;
    this.error = error;
    this.deltaLambda = deltaLambda;
  }

  /**
   * Singular values of {@code M} through its smaller Gram matrix.
   *
   * @param rowMajor {@code M} as {@code rows × cols}, row-major, finite, not all zero, both
   *     dimensions ≥ 1; not modified
   */
  static GramSpectrum of(double[] rowMajor, int rows, int cols) {
    return of(rowMajor, rows, cols, null);
  }

  /**
   * As {@link #of(double[], int, int)}, handing {@code MᵀM} to {@code keepColumnGram} when that is
   * the Gram matrix used ({@code rows ≥ cols}); see {@link
   * NativeLinearAlgebra#smallerGramEigenvalues(double[], int, int, java.util.function.Consumer)}.
   */
  static GramSpectrum of(
      double[] rowMajor, int rows, int cols, java.util.function.Consumer<double[]> keepColumnGram) {
    double frobeniusSquared = Sums.squares(rowMajor, 0, rowMajor.length);
    double[] ascending =
        NativeLinearAlgebra.smallerGramEigenvalues(rowMajor, rows, cols, keepColumnGram);
    int n = ascending.length;
    int k = Math.max(rows, cols);
    double largest = n == 0 ? 0 : Math.max(0, ascending[n - 1]);
    int depth = NativeLinearAlgebra.gramSummationDepth(k);
    double deltaLambda =
        2.0 * UNIT_ROUNDOFF * ((depth + 2.0) * frobeniusSquared + (n + 8.0) * largest);
    double noise = Math.sqrt(deltaLambda);
    double[] sigma = new double[n];
    double[] error = new double[n];
    for (int i = 0; i < n; i++) {
      double lambda = ascending[n - 1 - i];
      double s = lambda > 0 ? Math.sqrt(lambda) : 0;
      sigma[i] = s;
      error[i] = s > 0 ? Math.min(noise, deltaLambda / s) : noise;
    }
    // dsyev returns them ascending; rounding in the square root cannot break the order, but the
    // contract of Ranks.of is checked, so make it a guarantee.
    for (int i = 1; i < n; i++) {
      if (sigma[i] > sigma[i - 1]) {
        sigma[i] = sigma[i - 1];
      }
    }
    return new GramSpectrum(sigma, error, deltaLambda);
  }

  /** Singular values, largest first. */
  double[] sigma() {
    return sigma;
  }

  /** Bound on {@code |σ̂_k − σ_k|}, per value. */
  double[] error() {
    return error;
  }

  /**
   * Whether the error bounds prove that {@code measures}, computed by {@link Ranks#of} from {@link
   * #sigma()}, are the measures of the exact singular values: equal srank and numerical rank,
   * effective and stable rank within {@link #RELATIVE_TOLERANCE}.
   */
  boolean certifies(RankMeasures measures, int rows, int cols, double eps, double delta) {
    if (sigma.length == 0 || !(sigma[0] - error[0] > 0)) {
      return false; // nothing resolved: not even σ₁ is known to be nonzero
    }
    return numericalRankProven(measures.numerical(), rows, cols, eps)
        && srankProven(measures.srank(), delta)
        && stableProven()
        && effectiveProven(measures.effective());
  }

  private boolean numericalRankProven(int numerical, int rows, int cols, double eps) {
    double scale = Math.max(rows, cols) * eps;
    double cutLow = (sigma[0] - error[0]) * scale;
    double cutHigh = (sigma[0] + error[0]) * scale;
    int counted = 0;
    for (int k = 0; k < sigma.length; k++) {
      if (sigma[k] - error[k] > cutHigh) {
        counted++;
      } else if (!(sigma[k] + error[k] <= cutLow)) {
        return false; // could be on either side of the cutoff
      }
    }
    return counted == numerical;
  }

  /**
   * srank is the smallest {@code k} with {@code f(k) = P_k − (1 − δ)S ≥ 0} ({@code P_k} the sum of
   * the {@code k} largest σ, {@code S} of all); {@code f} is nondecreasing in {@code k}, and each σ
   * enters it with a weight of magnitude at most 1, so {@code |f̂(k) − f(k)| ≤ Σe}.
   */
  private boolean srankProven(int srank, double delta) {
    double total = 0;
    double errors = 0;
    for (int k = 0; k < sigma.length; k++) {
      total += sigma[k];
      errors += error[k];
    }
    double margin = errors + 4.0 * sigma.length * UNIT_ROUNDOFF * total; // and the sums' rounding
    double before = 0; // P_{srank − 1}
    for (int k = 0; k < srank - 1; k++) {
      before += sigma[k];
    }
    double at = before + sigma[srank - 1];
    // f(0) = −(1 − δ)S < 0 holds exactly: S > 0 once σ₁ is proven nonzero.
    boolean notEarlier = srank == 1 || before - (1 - delta) * total + margin < 0;
    return at - (1 - delta) * total - margin >= 0 && notEarlier;
  }

  /**
   * {@code Σσ²/σ₁²}: each {@code |σ̂_k² − σ_k²| ≤ δλ} (clamped negatives included), so the relative
   * error is at most {@code n·δλ/Σσ̂² + δλ/σ̂₁²} to first order; a factor 2 is kept in reserve.
   */
  private boolean stableProven() {
    double sumSquares = 0;
    for (double s : sigma) {
      sumSquares += s * s;
    }
    double s1 = sigma[0];
    double bound = sigma.length * deltaLambda / sumSquares + deltaLambda / (s1 * s1);
    return 2 * bound <= RELATIVE_TOLERANCE;
  }

  /**
   * {@code H = −Σ p_k ln p_k}, {@code p_k = σ_k/S}, and {@code ∂H/∂σ_k = −(ln p_k + H)/S}. Moving
   * the σ one at a time to their exact values (mean value theorem, with {@code S} staying within
   * {@code S ± Σe}, at most a factor 2 either way, and {@code H} within the bound itself): a σ
   * resolved to a factor 2 ({@code e_k ≤ σ̂_k/2}) moves {@code H} by at most {@code e_k·(|ln p̂_k +
   * H| + 2 ln 2 + 1)/(S − Σe)}; an unresolved one, whose exact value lies in {@code [0, h_k = σ̂_k
   * + e_k]}, by at most {@code φ(h_k/S') + (H + 1)·h_k/S'} with {@code φ(p) = −p ln p} and {@code
   * S' = S − Σe} (the integral of the derivative from 0). The relative error of {@code exp(H)} is
   * then at most {@code exp(ΔH) − 1}; a factor 2 is kept in reserve.
   */
  private boolean effectiveProven(double effective) {
    double total = 0;
    double errors = 0;
    for (int k = 0; k < sigma.length; k++) {
      total += sigma[k];
      errors += error[k];
    }
    double low = total - errors;
    if (!(low > total / 2)) {
      return false;
    }
    double h = Math.log(effective);
    double dh = 0;
    for (int k = 0; k < sigma.length; k++) {
      double s = sigma[k];
      double e = error[k];
      if (e == 0) {
        continue;
      }
      if (e <= s / 2) {
        dh += e * (Math.abs(Math.log(s / total) + h) + 2 * Math.log(2) + 1) / low;
      } else {
        double p = Math.min(Math.exp(-1), (s + e) / low);
        dh += -p * Math.log(p) + (h + 1) * (s + e) / low;
      }
    }
    return Math.expm1(2 * dh) <= RELATIVE_TOLERANCE;
  }
}
