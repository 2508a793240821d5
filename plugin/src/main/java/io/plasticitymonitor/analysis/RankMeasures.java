package io.plasticitymonitor.analysis;

/**
 * The four rank measures of one matrix (metric contract, item 5). An all-zero matrix has every rank
 * 0.
 *
 * @param srank smallest k whose top singular values hold (1 − δ) of their sum (Kumar et al. 2021)
 * @param effective exp of the entropy of the normalised singular values (Roy &amp; Vetterli 2007)
 * @param stable Σσ²/σ₁²
 * @param numerical #{σ &gt; σ₁·max(rows, cols)·eps} (numpy's matrix_rank rule)
 * @param max min(rows, cols)
 */
public record RankMeasures(int srank, double effective, double stable, int numerical, int max) {}
