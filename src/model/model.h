/*
 * model.h - row helpers shared by the linear models (internal, not
 * installed).
 *
 * A row of struct ft_dataset is a dense numeric part num[i, 0..n_num-1]
 * (features 0..n_num-1) plus, for each categorical column c, one hot feature
 * code[i, c] (or -1 for none).  These helpers touch only those non-zeros;
 * nothing ever builds the dense one-hot row.  Callers guarantee that codes
 * lie in [n_num, p) (ft_logreg_objective checks it; the predictors skip codes
 * outside the model).
 */
#ifndef FT_MODEL_H
#define FT_MODEL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"
#include "core/vmath.h"

/* The logistic loss of a row and its first two derivatives in the margin
 * z, from e = exp(-|z|) (ft_exp_neg(fabs(z)), which never overflows) and
 * one log1p, all inline (core/vmath.h) so that a loop over rows runs them
 * in SIMD lanes.  Shared by logistic regression and its private version
 * (src/fair/dp_logreg.c), so both have the same loss to the bit.
 *   softplus(+-z) = max(+-z, 0) + log1p(e)
 *   sigmoid(z)  = 1 / (1 + e) for z >= 0, e / (1 + e) for z < 0
 *   l(y, z)     = y softplus(-z) + (1 - y) softplus(z)
 *   l'(z)       = s - y, written for y in {0, 1} as -sigmoid(-z) or
 *                 sigmoid(z), so neither branch cancels when s is close to y
 *   l''(z)      = s (1 - s) = e q^2 with q = 1 / (1 + e), no cancellation
 *                 in 1 - s, and no second division.
 * max(v, 0) is v > 0 ? v : 0.0: the value of fmax(v, 0.0) for every v,
 * NaN included (both give 0), without a libm call.
 * ft_logistic_loss returns l and sets *r = l'. */
static inline double ft_logistic_loss(double y, double z, double e, double *r)
{
	double q = 1.0 / (1.0 + e), eq = e * q, nz = -z;
	double s_pos = z >= 0.0 ? q : eq;   /* sigmoid(z) */
	double s_neg = z >= 0.0 ? eq : q;   /* sigmoid(-z) */

	*r = y * -s_neg + (1.0 - y) * s_pos;
	return ft_log1p_unit(e) + y * (nz > 0.0 ? nz : 0.0) + (1.0 - y) * (z > 0.0 ? z : 0.0);
}

/* l''(z) from e = exp(-|z|), as above. */
static inline double ft_logistic_curv_e(double e)
{
	double q = 1.0 / (1.0 + e);
	return e * q * q;
}

/* The loss l[k], the residual r[k] = l' and (when h is not NULL) the
 * curvature h[k] = l'' of m rows with labels y[k] and margins z[k], each
 * row in its own SIMD lane (the same bits as one row at a time).  Callers
 * batch their rows through it: libm's exp and log1p one row at a time are
 * faster than these inline ones one at a time, not than two lanes. */
static inline void ft_logistic_batch(const double *y, const double *z, size_t m,
                                     double *l, double *r, double *h)
{
	if (h) {
		#pragma omp simd
		for (size_t k = 0; k < m; k++) {
			double e = ft_exp_neg(fabs(z[k]));
			l[k] = ft_logistic_loss(y[k], z[k], e, &r[k]);
			h[k] = ft_logistic_curv_e(e);
		}
	} else {
		#pragma omp simd
		for (size_t k = 0; k < m; k++)
			l[k] = ft_logistic_loss(y[k], z[k], ft_exp_neg(fabs(z[k])), &r[k]);
	}
}

/* h[k] = l''(z[k]) of m rows, in SIMD lanes. */
static inline void ft_logistic_curv_batch(const double *z, size_t m, double *h)
{
	#pragma omp simd
	for (size_t k = 0; k < m; k++)
		h[k] = ft_logistic_curv_e(ft_exp_neg(fabs(z[k])));
}

/* Rows per batch of the callers of ft_logistic_batch (stack arrays). */
#define FT_LOGISTIC_BATCH 64

/* x_i . beta over the non-zeros of row i. */
static inline double ft_row_dot(const struct ft_dataset *d, size_t i,
                                const double *beta)
{
	double s = 0.0;

	if (d->n_num > 0) {
		const double *xi = d->num + i * d->n_num;
		for (size_t j = 0; j < d->n_num; j++)
			s += xi[j] * beta[j];
	}
	if (d->n_cat > 0) {
		const int32_t *ci = d->code + i * d->n_cat;
		for (size_t c = 0; c < d->n_cat; c++)
			if (ci[c] >= 0)
				s += beta[ci[c]];
	}
	return s;
}

/* z[k] = x_{i+k} . beta for the four rows i .. i + 3, each summed in
 * exactly ft_row_dot's order (numeric features, then codes), so the same
 * bits.  Four independent sums: one row's sum is a chain of dependent
 * additions whose latency, not the arithmetic, bounds ft_row_dot; four at
 * once keep the adder busy. */
static inline void ft_row_dot4(const struct ft_dataset *d, size_t i,
                               const double *beta, double z[4])
{
	double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
	size_t nn = d->n_num, nc = d->n_cat;

	if (nn > 0) {
		const double *x0 = d->num + i * nn, *x1 = x0 + nn, *x2 = x1 + nn, *x3 = x2 + nn;
		for (size_t j = 0; j < nn; j++) {
			s0 += x0[j] * beta[j];
			s1 += x1[j] * beta[j];
			s2 += x2[j] * beta[j];
			s3 += x3[j] * beta[j];
		}
	}
	if (nc > 0) {
		const int32_t *c0 = d->code + i * nc, *c1 = c0 + nc, *c2 = c1 + nc, *c3 = c2 + nc;
		for (size_t c = 0; c < nc; c++) {
			if (c0[c] >= 0)
				s0 += beta[c0[c]];
			if (c1[c] >= 0)
				s1 += beta[c1[c]];
			if (c2[c] >= 0)
				s2 += beta[c2[c]];
			if (c3[c] >= 0)
				s3 += beta[c3[c]];
		}
	}
	z[0] = s0;
	z[1] = s1;
	z[2] = s2;
	z[3] = s3;
}

/* g += a x_i over the non-zeros of row i.  g must not overlap the data
 * (the numeric part runs in SIMD lanes, each entry its own product and
 * sum, so the same bits). */
/* g[code] += a over the codes of row i (ft_row_axpy's categorical half;
 * logreg.c's gradient adds the numeric half four rows at a time). */
static inline void ft_row_axpy_codes(const struct ft_dataset *d, size_t i, double a,
                                     double *g)
{
	if (d->n_cat > 0) {
		const int32_t *ci = d->code + i * d->n_cat;
		for (size_t c = 0; c < d->n_cat; c++)
			if (ci[c] >= 0)
				g[ci[c]] += a;
	}
}

static inline void ft_row_axpy(const struct ft_dataset *d, size_t i, double a,
                               double *g)
{
	if (d->n_num > 0) {
		const double *xi = d->num + i * d->n_num;
		#pragma omp simd
		for (size_t j = 0; j < d->n_num; j++)
			g[j] += a * xi[j];
	}
	ft_row_axpy_codes(d, i, a, g);
}

/* H += t xt_i xt_i^T in the upper triangle of the row-major H (leading
 * dimension ld), where xt_i = (x_i, 1) sits at offset off: feature j at
 * off + j, the intercept (when intercept) at off + p.  Feature order makes
 * this cheap: numeric indices < categorical codes < p, so a numeric-numeric,
 * numeric-code or anything-intercept product lands in the upper triangle as
 * it is; only code-code pairs are ordered.  The row's present codes (and the
 * intercept) are gathered into idx first (n_cat + 1 entries of scratch), so
 * the inner loops have no branches.  Two categorical columns on one feature
 * count (1 + 1)^2. */
static inline void ft_row_outer(const struct ft_dataset *d, size_t i, double t,
                                int intercept, size_t off, double *H, size_t ld,
                                size_t *idx)
{
	size_t nn = d->n_num, nc = d->n_cat, m = 0;
	const double *xi = nn > 0 ? d->num + i * nn : NULL;
	const int32_t *ci = nc > 0 ? d->code + i * nc : NULL;

	for (size_t c = 0; c < nc; c++)
		if (ci[c] >= 0)
			idx[m++] = off + (size_t)ci[c];
	if (intercept)
		idx[m++] = off + d->p;
	for (size_t j = 0; j < nn; j++) {
		double tj = t * xi[j], *Hj = H + (off + j) * ld;
		for (size_t k = j; k < nn; k++)
			Hj[off + k] += tj * xi[k];
		for (size_t k = 0; k < m; k++)
			Hj[idx[k]] += tj;
	}
	for (size_t k = 0; k < m; k++) {
		size_t u = idx[k];
		H[u * ld + u] += t;
		for (size_t e = k + 1; e < m; e++) {
			size_t v = idx[e];
			if (u < v)
				H[u * ld + v] += t;
			else if (u > v)
				H[v * ld + u] += t;
			else
				H[u * ld + u] += 2.0 * t;
		}
	}
}

/* Scores and P(yhat = 1) of the rows of d: the mixture mx when not NULL,
 * else model m; then the thresholds th (when not NULL) applied to that
 * score.  pos may be NULL.  ft_predictor_decide's engine (predictor.c). */
int ft_classify(const struct ft_linear_model *m, const struct ft_mixture *mx,
                const struct ft_thresholds *th, const struct ft_dataset *d,
                double threshold, double *score, double *pos,
                struct ft_error *err);

/* 1 / (1 + exp(-z)) without overflow: exp is only taken of -|z|. */
static inline double ft_sigmoid(double z)
{
	double e;

	if (z >= 0.0) {
		e = exp(-z);
		return 1.0 / (1.0 + e);
	}
	e = exp(z);
	return e / (1.0 + e);
}

#endif
