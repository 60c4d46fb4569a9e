/*
 * sample.h - exact discrete samplers for the bootstrap and the permutation
 * test (src/metrics/sample.c).  Internal to libfairtrain, not installed.
 *
 * "Exact" means the algorithm draws from the stated distribution itself (no
 * normal or Poisson approximation); the only error is floating-point
 * rounding in the probabilities, far below anything a test can see.
 */
#ifndef FT_METRICS_SAMPLE_H
#define FT_METRICS_SAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

/* Binomial(n, p): inversion when n min(p, 1-p) < 10, else Hormann's BTRD.
 * p <= 0 (or NaN) gives 0, p >= 1 gives n. */
uint64_t ft_sample_binomial(struct ft_rng *r, uint64_t n, double p);

/* Hypergeometric: the number of "good" items among `draws` items taken
 * without replacement from good + bad items (draws <= good + bad; larger
 * draws are clamped).  Inversion searching outwards from the mode. */
uint64_t ft_sample_hypergeometric(struct ft_rng *r, uint64_t good,
                                  uint64_t bad, uint64_t draws);

/* Multinomial(n; cnt[0..k) / total) by conditional binomials:
 * out[i] ~ Binomial(n - out[0..i), cnt[i] / (total - cnt[0..i))).
 * total must be the sum of cnt (> 0 when n > 0). */
void ft_sample_multinomial(struct ft_rng *r, uint64_t n, const uint64_t *cnt,
                           size_t k, uint64_t total, uint64_t *out);

/* The most streams ft_sample_multinomial_n takes. */
#define FT_SAMPLE_MAX_STREAMS 8

/* R independent draws of the same multinomial, draw j from stream r[j]
 * into out[j][0..k): each the bits ft_sample_multinomial(&r[j], n, cnt, k,
 * total, out[j]) would give, and each stream left where it would leave it.
 * The draws of one multinomial form a chain (each binomial's n is what the
 * earlier cells left), so one at a time waits on the latency of every
 * BTRD setup (a square root and divisions); R chains advanced cell by cell
 * overlap.  1 <= R <= FT_SAMPLE_MAX_STREAMS. */
void ft_sample_multinomial_n(struct ft_rng *r, size_t R, uint64_t n, const uint64_t *cnt,
                             size_t k, uint64_t total, uint64_t *const *out);

/* The mode probabilities of hypergeometric draws already made (nine long
 * double log-factorials and an exponential each, more than half of a draw
 * of a permutation test's 10^5 or more rows): a draw whose (good, bad,
 * draws) has its slot here takes the value stored, the same bits.  One
 * entry a slot, the last stored; zeroed (calloc) before the first draw,
 * and no draw asks for good = 0. */
#define FT_HYPER_MEMO_BITS 10
struct ft_hyper_memo {
	uint64_t good[1 << FT_HYPER_MEMO_BITS], bad[1 << FT_HYPER_MEMO_BITS],
	         draws[1 << FT_HYPER_MEMO_BITS];
	double pm[1 << FT_HYPER_MEMO_BITS];
};

/* Multivariate hypergeometric: how many of `draws` items taken without
 * replacement from an urn with cnt[i] items of colour i are of each colour,
 * by sequential univariate draws.  total = sum of cnt, draws <= total.
 * memo (NULL: none) keeps the draws' mode probabilities for the next calls
 * (a permutation test's draws repeat the same urns). */
void ft_sample_mvhypergeometric(struct ft_rng *r, uint64_t draws,
                                const uint64_t *cnt, size_t k, uint64_t total,
                                uint64_t *out, struct ft_hyper_memo *memo);

/* log(k!) in long double (a 25-digit table below 30, Stirling series above; relative
 * error below 1e-18).  Thread-safe, unlike lgamma's signgam. */
long double ft_log_factorial(uint64_t k);

#endif
