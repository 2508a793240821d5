package io.plasticitymonitor.analysis;

/**
 * What the probe batch's activations say (metric contract items 2 and 5, of="activations").
 *
 * @param deadByActivations τ-dormant units (Sokar et al. 2023)
 * @param rank rank measures of the {@code [examples, units]} activation matrix, not centred
 */
public record ActivationMeasures(int deadByActivations, RankMeasures rank) {}
