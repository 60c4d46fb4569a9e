/*
 * dp.h - the raw samplers behind the differential-privacy mechanisms of
 * fairtrain.h (src/core/dp_noise.c), for the mechanisms' own files and the
 * tests; internal, not installed.
 *
 * Every sampler draws from a struct ft_noise: getrandom(2), or a seeded
 * ft_rng in test mode.  A failed getrandom is sticky (ns->err): samplers go
 * on returning harmless values, and the public mechanisms check ns->err
 * before anything is released.
 */
#ifndef FT_CORE_DP_H
#define FT_CORE_DP_H

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

/* 64 random bits. */
uint64_t ft_noise_u64(struct ft_noise *ns);
/* Uniform on {0, .., n - 1}, unbiased (rejection); 0 for n = 0. */
uint64_t ft_noise_below(struct ft_noise *ns, uint64_t n);
/* Uniform on (0, 1) with every double drawn with probability equal to the
 * width of the interval it stands for (Mironov 2012, sec. 5.2): the
 * exponent is geometric, the 52 mantissa bits uniform.  Unlike the usual
 * 53-bit grid, values below 2^-53 occur, with their correct probabilities. */
double ft_noise_uniform(struct ft_noise *ns);
/* Standard normal (Box-Muller on two full-precision uniforms). */
double ft_noise_normal(struct ft_noise *ns);
/* Laplace(0, scale) by inversion, in plain floating point: for tests and
 * for simulated noise (intervals), never for a release (ft_dp_snapping). */
double ft_noise_laplace(struct ft_noise *ns, double scale);
/* Gamma(k, scale) for a whole k >= 1: -scale sum of k logs of uniforms. */
double ft_noise_gamma_int(struct ft_noise *ns, size_t k, double scale);
/* The discrete Laplace distribution P(Z = z) proportional to
 * exp(-|z| s / t) for whole s, t >= 1, exactly (Canonne, Kamath & Steinke,
 * "The Discrete Gaussian for Differential Privacy", NeurIPS 2020,
 * Algorithm 2), in integer arithmetic only. */
int64_t ft_noise_discrete_laplace(struct ft_noise *ns, uint64_t s, uint64_t t);
/* A vector b (d entries) with density proportional to exp(-||b||_2 / scale):
 * norm ~ Gamma(d, scale), direction uniform on the sphere (Chaudhuri,
 * Monteleoni & Sarwate, JMLR 2011, sec. 4 and 5). */
void ft_noise_vector(struct ft_noise *ns, double *b, size_t d, double scale);

/* The rational s / t that the geometric mechanism uses for eps / sens:
 * eps rounded down to a multiple of 2^-20, over sens, reduced.  FT_EINVAL
 * when eps < 2^-20 or sens < 1. */
int ft_dp_geometric_rate(double eps, int64_t sens, uint64_t *s, uint64_t *t);

/* The audit's exact cells (src/metrics/dp_audit.c): cells[g * 4 + 2 y +
 * yhat] counts the rows of group g (rows of no group left out); yhat is
 * score >= threshold, or a coin flip of P(yhat = 1) = pos[i] drawn from ns
 * for a randomized classifier. */
void ft_dp_audit_cells(const struct ft_eval_input *in, struct ft_noise *ns,
                       int64_t *cells);

/* The sums ft_dp_encoder_private releases (src/data/dp_encode.c) for
 * column col of t: values clamped to [lo, hi], missing or non-numeric
 * cells as the midpoint m; s1 = sum x, s2 = sum (x - m)^2. */
void ft_dp_clamped_sums(const struct ft_table *t, size_t col, double lo, double hi,
                        double *s1, double *s2);

/* The CDFs the tests compare draws with (exact, in double). */
double ft_cdf_laplace(double x, double scale);
/* P(Z <= k) for the discrete Laplace of exp(-|z| / scale) (a two-sided
 * geometric distribution with alpha = exp(-1 / scale)). */
double ft_cdf_discrete_laplace(double k, double scale);
double ft_cdf_normal(double x);
/* Gamma(k, 1) for a whole k: the regularized lower incomplete gamma P(k, x)
 * = 1 - e^-x sum_{j<k} x^j / j!, summed in log space. */
double ft_cdf_gamma_int(double x, size_t k);

/* One-sample Kolmogorov-Smirnov statistic D_n = sup |F_n - F| of x (n
 * values, sorted here in place) against a continuous CDF. */
double ft_ks_continuous(double *x, size_t n, double (*cdf)(double, const void *),
                        const void *ctx);
/* The same for a distribution on the lattice {k * step}: x holds lattice
 * values; F is evaluated at every lattice point from one below the
 * smallest draw to the largest (both step functions jump only there). */
double ft_ks_lattice(double *x, size_t n, double step,
                     double (*cdf)(double, const void *), const void *ctx);
/* The asymptotic critical value of sqrt(n) D_n at level alpha
 * (Kolmogorov's distribution, sqrt(-ln(alpha / 2) / 2)); conservative for
 * discrete distributions. */
double ft_ks_critical(double alpha);

#endif
