/**
 * The plugin's numerics: pure functions from one layer's numbers ({@link
 * io.plasticitymonitor.analysis.LayerData}, double precision, detached from the network) to the
 * metric contract's measures ({@link io.plasticitymonitor.analysis.LayerMeasures}).
 *
 * <p>Nothing here reads a network, publishes a meter or keeps state; no argument is modified.
 * BLAS/LAPACK ({@code dsyrk}/{@code dgemm} for Gram matrices, {@code dsyev} for their eigenvalues,
 * {@code dgesvd} for singular values where the Gram route cannot prove its result: see {@link
 * io.plasticitymonitor.analysis.Ranks#ofMatrix}) run on copies, called directly on OpenBLAS when
 * ND4J's CPU backend runs on it, else through ND4J outside any workspace ({@code
 * NativeLinearAlgebra}).
 *
 * <p>Entry points: {@link io.plasticitymonitor.analysis.LayerAnalyzer#analyze}, {@link
 * io.plasticitymonitor.analysis.SingularValues#of}, {@link io.plasticitymonitor.analysis.Ranks#of},
 * {@link io.plasticitymonitor.analysis.Percentiles#of}.
 */
package io.plasticitymonitor.analysis;
