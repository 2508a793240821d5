package io.plasticitymonitor;

import io.plasticitymonitor.analysis.LayerData;

/**
 * A detector for the absorbing states of a mirror symmetry of your own model, beyond the three the
 * monitor always measures (rescaling → dead units, rotation → collapsed rank, permutation → merged
 * units). Every mirror symmetry {@code l(θ) = l((I − 2OOᵀ)θ)} gives a constraint {@code Oᵀθ = 0}
 * that gradient descent cannot leave (Ziyin, arXiv 2309.16932); a detector counts the units of a
 * layer that sit on such a constraint.
 *
 * <p>Bind one with {@link PlasticityMonitorModule#detectors(com.google.inject.Binder)}. Its count
 * is exported as {@code plasticity.symmetry.absorbed.units{run, layer, symmetry=name()}} and
 * written to the task log under {@code symmetries}. It runs on the analysis thread, once per
 * measured layer and analysis; an exception it throws is logged and counted, and the other measures
 * still publish.
 */
public interface SymmetryDetector {
  /** The {@code symmetry} tag value: lower case letters, digits and underscores, at most 40. */
  String name();

  /**
   * Units of {@code layer} in this symmetry's absorbing states, or {@code Double.NaN} when the
   * detector does not apply to the layer. Must not modify the layer's arrays.
   */
  double absorbedUnits(LayerData layer);
}
