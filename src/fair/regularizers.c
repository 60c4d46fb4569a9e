/*
 * regularizers.c - fairness regularizers: weighted L2 logistic regression
 * plus lambda times a differentiable fairness penalty R (methods reg-dp,
 * reg-eo, reg-eop, reg-cov):
 *
 *   F(theta) = L(theta) + lambda C W R(theta),   theta = x = (beta, b),
 *
 * L = C sum_i w_i l(y_i, z_i) + 1/2 ||beta||^2 the objective of
 * ft_logreg_objective, z_i = x_i.beta + b, W = sum_i w_i.  The scale C W
 * makes lambda weigh R against the weighted MEAN log loss:
 *
 *   F / (C W) = mean_w log loss + ||beta||^2 / (2 C W) + lambda R,
 *
 * so one lambda means the same on 1,000 or 1,000,000 rows and for any C.
 * lambda = 0 is the unmitigated model (fitted by ft_logreg_fit itself, so
 * bit for bit the baseline).
 *
 * Rate penalties, with p_i = sigmoid(z_i) and weighted means over a row set
 * S (DP: every row; soft TPR: y = 1; soft FPR: y = 0):
 *
 *   m_g = sum_{i in S, g(i) = g} w_i p_i / W_{S,g},   m = sum_{i in S} w_i p_i / W_S
 *   Gap_S = (m_0 - m_1)^2                 two groups
 *         = sum_g (m_g - m)^2             more groups (each group's gap to the
 *                                          overall mean)
 *   reg-dp:  R = Gap_all      reg-eo: R = Gap_{y=1} + Gap_{y=0}
 *   reg-eop: R = Gap_{y=1}
 *
 * Exact gradient, with xt_i = (x_i, 1) (no intercept part when
 * fit_intercept = 0):
 *
 *   dm_g = (1 / W_{S,g}) sum_{i in S, g} w_i p_i (1 - p_i) xt_i
 *   two groups:   dGap = 2 (m_0 - m_1) (dm_0 - dm_1)
 *   more groups:  dm = sum_g (W_{S,g} / W_S) dm_g, so
 *                 dGap = sum_g a_g dm_g,  a_g = 2 (m_g - m) - 2 (W_{S,g} / W_S) sum_h (m_h - m).
 *
 * One pass over the rows gives, per (set, group), sum w p and the vector
 * sum w p (1 - p) xt: (sets x groups) x (p + 2) partial sums from
 * ft_parallel_sum, touching only each row's non-zeros (ft_row_dot,
 * ft_row_axpy).
 *
 * Exact Hessian.  R is a function of the means only, R = Gap(m), so
 *
 *   d2R = sum_S [ sum_{g,h} Q_gh dm_g dm_h^T + sum_g a_g d2m_g ],
 *   d2m_g = (1 / W_{S,g}) sum_{i in S, g} w_i p_i (1 - p_i)(1 - 2 p_i) xt_i xt_i^T,
 *
 * with Q = d2Gap / dm2: two groups Q = 2 [1 -1; -1 1]; more groups
 * Gap = ||P m||^2 with P = I - 1 pi^T, pi_g = W_{S,g} / W_S, so
 * Q_gh = 2 (P^T P)_gh = 2 (delta_gh - pi_g - pi_h + G pi_g pi_h).
 * The first term is rank <= G per set (from the gradient pass's dm_g); the
 * second is one row sum like the logistic Hessian, each row weighted by
 * w_i (a_g / W_{S,g}) p_i (1 - p_i)(1 - 2 p_i), touching only the row's
 * non-zeros (dense numeric block plus categorical codes).  The logistic
 * part comes from ft_logreg_objective's hessian / hess_vec.  R is not
 * convex, so H may be indefinite; the dense Newton solver shifts it until
 * Cholesky succeeds (Nocedal & Wright Algorithm 3.3), Newton-CG stops at
 * negative curvature.  ft_minimize then picks the solver from the user's
 * options (AUTO: dense Newton while dim <= dense_max_dim, else L-BFGS).
 *
 * Covariance penalty (reg-cov; the decision-boundary covariance of Zafar et
 * al., AISTATS 2017, squared):
 *
 *   cov_k = (1 / W) sum_i w_i (z_ik - zbar_k) (x_i.beta + b),  zbar_k = W_k / W,
 *   R = sum_k cov_k^2,
 *
 * z_ik = 1[row i in group k]; two groups use one indicator (group 1), more
 * groups one per group.  Since sum_i w_i (z_ik - zbar_k) = 0, b drops out and
 * cov_k = c_k . beta with the constant vector
 *   c_k = (s_k - zbar_k s) / W,  s_k = sum_{i in k} w_i x_i,  s = sum_k s_k
 * (equivalently cov_k = (W_k / W)(mean_k z - mean z)).  c_k is summed once,
 * when the objective is built; afterwards R costs O(K p) per evaluation:
 *   gradient 2 sum_k cov_k c_k,   Hessian 2 sum_k c_k c_k^T.
 * R is a convex quadratic, so reg-cov keeps the Newton solver (Hessian and
 * Hessian-vector product of L plus the rank-K term).
 *
 * Undefined cases are FT_EDATA errors naming the group: a group without
 * rows (or without weight), and for soft TPR / FPR a group without positive
 * / negative labels.
 *
 * This file does not parse method specs (methods.c), measure fairness
 * (src/metrics) or write models.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "fair/fair.h"
#include "model/model.h"

enum { REG_DP = 0, REG_EO, REG_EOP, REG_COV, REG_N };

/* Default iteration cap of the rate penalties (see reg_fit). */
#define REG_MAX_ITER 1000

static const char *const kind_name[REG_N] = { "reg-dp", "reg-eo", "reg-eop", "reg-cov" };

/* Per-group setup sums (struct setup layout): rows, positive rows, weight,
 * positive weight, negative weight. */
enum { S_N = 0, S_NPOS, S_W, S_WPOS, S_WNEG, S_LEN };

struct reg_ctx {
	int kind;
	const struct ft_dataset *d;   /* borrowed */
	size_t G;                     /* groups */
	char **names;                 /* G group names (copies) */
	int fit_intercept;
	double lambda, W, scale;      /* scale = lambda C W */
	struct ft_objective lr;       /* the logistic part */
	size_t n_sets;                /* row sets: 1 (DP, EOP), 2 (EO), 0 (COV) */
	double *gstat;                /* G * S_LEN setup sums */
	double *wsg;                  /* 2 * G: W_{S,g} of set 0 and 1 */
	double ws[2];                 /* W_S */
	double *mean;                 /* 2 * G: m_g of the last evaluation */
	double *coef;                 /* 2 * G: a_g = dR / dm_g of the last gradient */
	double *hcoef;                /* 2 * G: scale a_g / W_{S,g} (Hessian rows) */
	double *dm;                   /* 2 * G * (p + 1): dm_g of the last gradient */
	double *dmv;                  /* G: dm_h . v scratch (hess_vec) */
	double *sums;                 /* 2 * G * (p + 2) pass results */
	double *gpen;                 /* p + 1: gradient of R */
	/* reg-cov */
	size_t n_ind;                 /* indicators K */
	double *cvec;                 /* K * (p + 1), c_k[p] = 0 */
	double *cov;                  /* K: cov_k of the last evaluation */
};


static double weight(const struct ft_dataset *d, size_t i)
{
	return d->w ? d->w[i] : 1.0;
}

/* The row set of a row for a rate penalty: 0 or 1, or -1 for none. */
static int row_set(int kind, double y)
{
	switch (kind) {
	case REG_DP: return 0;
	case REG_EO: return y == 1.0 ? 0 : 1;
	case REG_EOP: return y == 1.0 ? 0 : -1;
	default: return -1;
	}
}

/* ------------------------------------------------------- row passes */

struct pass {
	const struct reg_ctx *c;
	int kind;                     /* which row sets (REG_DP for COV's mean_p) */
	const double *x;
	int with_grad;
};

/* Rows [lo, hi): per (set, group) block of stride p + 2 (with_grad) the
 * vector sum w p (1 - p) xt in [0, p] and sum w p at [p + 1]; without the
 * gradient only sum w p (stride 1). */
static void rate_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                       double *part)
{
	const struct pass *a = ctx;
	const struct reg_ctx *c = a->c;
	const struct ft_dataset *d = c->d;
	size_t p = d->p, stride = a->with_grad ? p + 2 : 1;
	double b = c->fit_intercept ? a->x[p] : 0.0;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double w = weight(d, i), z, e, q, s, *o;
		int set = row_set(a->kind, d->y[i]);
		if (w == 0.0 || set < 0)
			continue;
		o = part + ((size_t)set * c->G + (size_t)d->group[i]) * stride;
		z = ft_row_dot(d, i, a->x) + b;
		/* sigmoid and s (1 - s) = e / (1 + e)^2 from e = exp(-|z|),
		 * which never overflows and does not cancel in 1 - s */
		e = exp(-fabs(z));
		q = 1.0 / (1.0 + e);
		s = z >= 0.0 ? q : e * q;
		if (!a->with_grad) {
			o[0] += w * s;
			continue;
		}
		o[p + 1] += w * s;
		e *= w * q * q;
		ft_row_axpy(d, i, e, o);
		if (c->fit_intercept)
			o[p] += e;
	}
}

/* Setup sums over rows [lo, hi): per group S_LEN counts and weights, then
 * (reg-cov) per group s_g = sum w_i x_i (p entries each). */
static void setup_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                        double *part)
{
	const struct reg_ctx *c = ctx;
	const struct ft_dataset *d = c->d;
	double *fs = part + c->G * S_LEN;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		size_t g = (size_t)d->group[i];
		double w = weight(d, i), *o = part + g * S_LEN;
		o[S_N] += 1.0;
		if (d->y[i] == 1.0) {
			o[S_NPOS] += 1.0;
			o[S_WPOS] += w;
		} else {
			o[S_WNEG] += w;
		}
		o[S_W] += w;
		if (c->kind == REG_COV && w != 0.0)
			ft_row_axpy(d, i, w, fs + g * d->p);
	}
}

/* Per-group means of p over a kind's row sets into c->mean (value only). */
static int rate_means(struct reg_ctx *c, int kind, const double *x,
                      const double *wsg)
{
	struct pass a = { c, kind, x, 0 };
	size_t K = (kind == REG_EO ? 2 : 1) * c->G;
	int rc;

	memset(c->sums, 0, K * sizeof *c->sums);
	if ((rc = ft_parallel_sum(c->d->n, K, c->sums, rate_chunk, &a)) != 0)
		return rc;
	for (size_t k = 0; k < K; k++)
		c->mean[k] = c->sums[k] / wsg[k];
	return 0;
}

/* R and (g != NULL) its gradient for the rate penalties; see the top. */
static int rate_penalty(struct reg_ctx *c, const double *x, double *R, double *g)
{
	const struct ft_dataset *d = c->d;
	size_t G = c->G, p = d->p, dim = p + 1, stride = g ? p + 2 : 1;
	size_t K = c->n_sets * G;
	struct pass a = { c, c->kind, x, g != NULL };
	int rc;

	memset(c->sums, 0, K * stride * sizeof *c->sums);
	if ((rc = ft_parallel_sum(d->n, K * stride, c->sums, rate_chunk, &a)) != 0)
		return rc;
	*R = 0.0;
	if (g)
		memset(g, 0, dim * sizeof *g);
	for (size_t set = 0; set < c->n_sets; set++) {
		const double *wsg = c->wsg + set * G, *sum = c->sums + set * G * stride;
		double *m = c->mean + set * G, mall = 0.0, devsum = 0.0;
		for (size_t k = 0; k < G; k++) {
			double swp = sum[k * stride + stride - 1];
			m[k] = swp / wsg[k];
			mall += swp;
		}
		mall /= c->ws[set];
		double *coef = c->coef + set * G;
		if (G == 2) {
			double gap = m[0] - m[1];
			*R += gap * gap;
			coef[0] = 2.0 * gap;
			coef[1] = -2.0 * gap;
		} else {
			for (size_t k = 0; k < G; k++) {
				double dev = m[k] - mall;
				*R += dev * dev;
				devsum += dev;
			}
			for (size_t k = 0; k < G; k++)
				coef[k] = 2.0 * (m[k] - mall) -
				          2.0 * (wsg[k] / c->ws[set]) * devsum;
		}
		if (!g)
			continue;
		/* dR = sum_g a_g dm_g, dm_g = (sum w p (1 - p) xt) / W_{S,g} */
		for (size_t k = 0; k < G; k++) {
			double t = coef[k] / wsg[k];
			const double *v = sum + k * stride;
			for (size_t j = 0; j < dim; j++)
				g[j] += t * v[j];
		}
	}
	return 0;
}

/* R = sum_k (c_k . beta)^2 and its gradient (reg-cov). */
static void cov_penalty(struct reg_ctx *c, const double *x, double *R, double *g)
{
	size_t dim = c->d->p + 1;

	*R = 0.0;
	if (g)
		memset(g, 0, dim * sizeof *g);
	for (size_t k = 0; k < c->n_ind; k++) {
		const double *ck = c->cvec + k * dim;
		double v = 0.0;
		for (size_t j = 0; j < dim; j++)
			v += ck[j] * x[j];
		c->cov[k] = v;
		*R += v * v;
		if (g)
			for (size_t j = 0; j < dim; j++)
				g[j] += 2.0 * v * ck[j];
	}
}

static int penalty(struct reg_ctx *c, const double *x, double *R, double *g)
{
	if (c->kind == REG_COV) {
		cov_penalty(c, x, R, g);
		return 0;
	}
	return rate_penalty(c, x, R, g);
}

/* ---------------------------------------------------------- the vtable */

static int reg_value_grad(void *ctx, const double *x, double *f, double *g)
{
	struct reg_ctx *c = ctx;
	size_t dim = c->d->p + 1;
	double R;
	int rc;

	if ((rc = c->lr.value_grad(c->lr.ctx, x, f, g)) != 0)
		return rc;
	if (c->scale == 0.0)
		return 0;
	if ((rc = penalty(c, x, &R, g ? c->gpen : NULL)) != 0)
		return rc;
	*f += c->scale * R;
	if (g)
		for (size_t j = 0; j < dim; j++)
			g[j] += c->scale * c->gpen[j];
	return 0;
}

/* reg-cov only: H = H_L + 2 scale sum_k c_k c_k^T. */
static int cov_hess_vec(void *ctx, const double *x, const double *v, double *hv)
{
	struct reg_ctx *c = ctx;
	size_t dim = c->d->p + 1;
	int rc;

	if ((rc = c->lr.hess_vec(c->lr.ctx, x, v, hv)) != 0)
		return rc;
	for (size_t k = 0; k < c->n_ind; k++) {
		const double *ck = c->cvec + k * dim;
		double t = 0.0;
		for (size_t j = 0; j < dim; j++)
			t += ck[j] * v[j];
		t *= 2.0 * c->scale;
		for (size_t j = 0; j < dim; j++)
			hv[j] += t * ck[j];
	}
	return 0;
}

static int cov_hessian(void *ctx, const double *x, double *H)
{
	struct reg_ctx *c = ctx;
	size_t dim = c->d->p + 1;
	int rc;

	if ((rc = c->lr.hessian(c->lr.ctx, x, H)) != 0)
		return rc;
	for (size_t k = 0; k < c->n_ind; k++) {
		const double *ck = c->cvec + k * dim;
		for (size_t r = 0; r < dim; r++) {
			double t = 2.0 * c->scale * ck[r];
			if (t == 0.0)
				continue;
			for (size_t e = 0; e < dim; e++)
				H[r * dim + e] += t * ck[e];
		}
	}
	return 0;
}

/* ------------------------------------------- Hessian of the rate penalties */

/* Q_gh = d2 Gap_S / dm_g dm_h (see the top). */
static double gap_curv(const struct reg_ctx *c, size_t set, size_t g, size_t h)
{
	const double *wsg = c->wsg + set * c->G;
	double pg, ph;

	if (c->G == 2)
		return g == h ? 2.0 : -2.0;
	pg = wsg[g] / c->ws[set];
	ph = wsg[h] / c->ws[set];
	return 2.0 * ((g == h) - pg - ph + (double)c->G * pg * ph);
}

/* The gradient pass at x, then per (set, group) dm_g into c->dm and the row
 * weight scale a_g / W_{S,g} into c->hcoef. */
static int rate_prepare(struct reg_ctx *c, const double *x)
{
	size_t G = c->G, dim = c->d->p + 1, stride = dim + 1;
	double R;
	int rc;

	if ((rc = rate_penalty(c, x, &R, c->gpen)) != 0)
		return rc;
	for (size_t k = 0; k < c->n_sets * G; k++) {
		c->hcoef[k] = c->scale * c->coef[k] / c->wsg[k];
		for (size_t j = 0; j < dim; j++)
			c->dm[k * dim + j] = c->sums[k * stride + j] / c->wsg[k];
	}
	return 0;
}

/* The curvature row weight of row i: w_i (scale a_g / W_{S,g})
 * p (1 - p)(1 - 2 p), or 0 for a row outside every set.  With
 * e = exp(-|z|), q = 1 / (1 + e): p (1 - p) = e q^2 and
 * 1 - 2 p = -sign(z) (1 - e) q, 1 - e by expm1 (no cancellation). */
static double curv_weight(const struct reg_ctx *c, size_t i, const double *x)
{
	const struct ft_dataset *d = c->d;
	double w = weight(d, i), z, e, q, t;
	int set = row_set(c->kind, d->y[i]);

	if (w == 0.0 || set < 0)
		return 0.0;
	t = c->hcoef[(size_t)set * c->G + (size_t)d->group[i]];
	if (t == 0.0)
		return 0.0;
	z = ft_row_dot(d, i, x) + (c->fit_intercept ? x[d->p] : 0.0);
	e = exp(-fabs(z));
	q = 1.0 / (1.0 + e);
	return w * t * e * q * q * (z >= 0.0 ? expm1(-fabs(z)) : -expm1(-fabs(z))) * q;
}

struct hpass {
	const struct reg_ctx *c;
	const double *x, *v;
	size_t *idx;                  /* dense Hessian scratch, n_cat + 1 per chunk */
	size_t idx_stride;            /* its chunks this many apart */
};

/* Rows [lo, hi): sum_i t_i xt_i xt_i^T into the upper triangle of the
 * dim x dim partial (t_i = curv_weight), by ft_row_outer. */
static void rate_hess_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                            double *H)
{
	const struct hpass *a = ctx;
	const struct ft_dataset *d = a->c->d;
	size_t dim = d->p + 1, *idx = a->idx + chunk * a->idx_stride;

	for (size_t i = lo; i < hi; i++) {
		double t = curv_weight(a->c, i, a->x);
		if (t != 0.0)
			ft_row_outer(d, i, t, a->c->fit_intercept, 0, H, dim, idx);
	}
}

/* Rows [lo, hi): sum_i t_i (xt_i . v) xt_i into the dim partial. */
static void rate_hv_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                          double *hv)
{
	const struct hpass *a = ctx;
	const struct ft_dataset *d = a->c->d;
	size_t p = d->p;
	double vb = a->c->fit_intercept ? a->v[p] : 0.0, hb = 0.0;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double t = curv_weight(a->c, i, a->x);
		if (t == 0.0)
			continue;
		t *= ft_row_dot(d, i, a->v) + vb;
		ft_row_axpy(d, i, t, hv);
		hb += t;
	}
	if (a->c->fit_intercept)
		hv[p] += hb;
}

/* reg-dp / reg-eo / reg-eop: H = H_L + scale d2R (see the top). */
static int rate_hessian(void *ctx, const double *x, double *H)
{
	struct reg_ctx *c = ctx;
	const struct ft_dataset *d = c->d;
	size_t G = c->G, dim = d->p + 1;
	struct hpass a = {.c = c, .x = x};
	int rc;

	if ((rc = c->lr.hessian(c->lr.ctx, x, H)) != 0)
		return rc;
	if (c->scale == 0.0)
		return 0;
	if ((rc = rate_prepare(c, x)) != 0)
		return rc;
	/* the row sum adds to H's upper triangle; H_L is symmetric, so copying
	 * the upper triangle down at the end gives H_L + scale d2R */
	a.idx = ft_chunk_scratch(ft_parallel_chunks(d->n, dim * dim), d->n_cat + 1,
	                         sizeof *a.idx, &a.idx_stride);
	if (!a.idx)
		return FT_ENOMEM;
	rc = ft_parallel_sum(d->n, dim * dim, H, rate_hess_chunk, &a);
	free(a.idx);
	if (rc)
		return rc;
	/* scale sum_{g,h} Q_gh dm_g dm_h^T, upper triangle: row r of it is
	 * sum_g dm_g[r] u_g with u_g = scale sum_h Q_gh dm_h (in c->gpen) */
	for (size_t set = 0; set < c->n_sets; set++) {
		const double *dm = c->dm + set * G * dim;
		for (size_t g = 0; g < G; g++) {
			double *u = c->gpen;
			memset(u, 0, dim * sizeof *u);
			for (size_t h = 0; h < G; h++) {
				double q = c->scale * gap_curv(c, set, g, h);
				for (size_t j = 0; j < dim; j++)
					u[j] += q * dm[h * dim + j];
			}
			for (size_t r = 0; r < dim; r++) {
				double t = dm[g * dim + r];
				if (t == 0.0)
					continue;
				for (size_t e = r; e < dim; e++)
					H[r * dim + e] += t * u[e];
			}
		}
	}
	for (size_t r = 0; r < dim; r++)
		for (size_t e = r + 1; e < dim; e++)
			H[e * dim + r] = H[r * dim + e];
	return 0;
}

static int rate_hess_vec(void *ctx, const double *x, const double *v, double *hv)
{
	struct reg_ctx *c = ctx;
	const struct ft_dataset *d = c->d;
	size_t G = c->G, dim = d->p + 1;
	struct hpass a = {.c = c, .x = x, .v = v};
	int rc;

	if ((rc = c->lr.hess_vec(c->lr.ctx, x, v, hv)) != 0)
		return rc;
	if (c->scale == 0.0)
		return 0;
	if ((rc = rate_prepare(c, x)) != 0)
		return rc;
	if ((rc = ft_parallel_sum(d->n, dim, hv, rate_hv_chunk, &a)) != 0)
		return rc;
	/* scale sum_{g,h} Q_gh dm_g (dm_h . v) */
	for (size_t set = 0; set < c->n_sets; set++) {
		const double *dm = c->dm + set * G * dim;
		for (size_t h = 0; h < G; h++) {
			double sh = 0.0;
			for (size_t j = 0; j < dim; j++)
				sh += dm[h * dim + j] * v[j];
			c->dmv[h] = sh;
		}
		for (size_t g = 0; g < G; g++) {
			double t = 0.0;
			for (size_t h = 0; h < G; h++)
				t += gap_curv(c, set, g, h) * c->dmv[h];
			t *= c->scale;
			for (size_t j = 0; j < dim; j++)
				hv[j] += t * dm[g * dim + j];
		}
	}
	return 0;
}

/* ------------------------------------------------------ construction */

static void ctx_free(struct reg_ctx *c)
{
	if (!c)
		return;
	if (c->names)
		for (size_t k = 0; k < c->G; k++)
			free(c->names[k]);
	free(c->names);
	ft_logreg_objective_free(&c->lr);
	free(c->gstat);
	free(c->wsg);
	free(c->mean);
	free(c->coef);
	free(c->hcoef);
	free(c->dm);
	free(c->dmv);
	free(c->sums);
	free(c->gpen);
	free(c->cvec);
	free(c->cov);
	free(c);
}

static int kind_of(const char *method)
{
	if (method)
		for (int k = 0; k < REG_N; k++)
			if (strcmp(method, kind_name[k]) == 0)
				return k;
	return -1;
}

/* Group sums, the undefined cases, W_{S,g}, and reg-cov's c_k. */
static int setup(struct reg_ctx *c, struct ft_error *err)
{
	const struct ft_dataset *d = c->d;
	const char *name = kind_name[c->kind];
	size_t G = c->G, p = d->p, dim = p + 1;
	size_t len = G * S_LEN + (c->kind == REG_COV ? G * p : 0);
	double *fs, *s = NULL;
	int rc = 0;

	c->gstat = calloc(len, sizeof *c->gstat);
	if (!c->gstat)
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", name);
	if ((rc = ft_parallel_sum(d->n, len, c->gstat, setup_chunk, c)) != 0)
		return ft_error_set(err, rc, "%s: out of memory", name);
	fs = c->gstat + G * S_LEN;
	c->W = 0.0;
	for (size_t k = 0; k < G; k++) {
		const double *o = c->gstat + k * S_LEN;
		if (o[S_N] == 0.0)
			return ft_error_set(err, FT_EDATA, "%s: group '%s' has no rows",
			                    name, c->names[k]);
		if (!(o[S_W] > 0.0))
			return ft_error_set(err, FT_EDATA, "%s: group '%s' has zero total weight",
			                    name, c->names[k]);
		if ((c->kind == REG_EO || c->kind == REG_EOP) && !(o[S_WPOS] > 0.0))
			return ft_error_set(err, FT_EDATA, o[S_NPOS] == 0.0 ?
			                    "%s: group '%s' has no positive labels" :
			                    "%s: group '%s' has zero weight on positive labels",
			                    name, c->names[k]);
		if (c->kind == REG_EO && !(o[S_WNEG] > 0.0))
			return ft_error_set(err, FT_EDATA, o[S_N] == o[S_NPOS] ?
			                    "%s: group '%s' has no negative labels" :
			                    "%s: group '%s' has zero weight on negative labels",
			                    name, c->names[k]);
		c->W += o[S_W];
		switch (c->kind) {
		case REG_EO:
			c->wsg[G + k] = o[S_WNEG];
			/* fall through */
		case REG_EOP:
			c->wsg[k] = o[S_WPOS];
			break;
		default:
			c->wsg[k] = o[S_W];
			break;
		}
	}
	c->ws[0] = c->ws[1] = 0.0;
	for (size_t set = 0; set < c->n_sets; set++)
		for (size_t k = 0; k < G; k++)
			c->ws[set] += c->wsg[set * G + k];
	if (c->kind != REG_COV)
		return 0;

	/* c_k = (s_k - (W_k / W) s) / W; the intercept entry is exactly 0 */
	c->n_ind = G == 2 ? 1 : G;
	c->cvec = calloc(c->n_ind * dim, sizeof *c->cvec);
	c->cov = calloc(c->n_ind, sizeof *c->cov);
	s = calloc(p > 0 ? p : 1, sizeof *s);
	if (!c->cvec || !c->cov || !s) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	for (size_t k = 0; k < G; k++)
		for (size_t j = 0; j < p; j++)
			s[j] += fs[k * p + j];
	for (size_t k = 0; k < c->n_ind; k++) {
		size_t grp = G == 2 ? 1 : k;
		double zbar = c->gstat[grp * S_LEN + S_W] / c->W;
		for (size_t j = 0; j < p; j++)
			c->cvec[k * dim + j] = (fs[grp * p + j] - zbar * s[j]) / c->W;
	}
done:
	free(s);
	return rc;
}

int ft_reg_objective(const char *method, const struct ft_dataset *d,
                     size_t n_groups, const char *const *group_names,
                     double C, int fit_intercept, double lambda,
                     struct ft_objective *obj, struct ft_error *err)
{
	int kind = kind_of(method), rc = 0;
	const char *name = kind >= 0 ? kind_name[kind] : "reg";
	struct reg_ctx *c = NULL;
	size_t G = n_groups, dim;

	if (obj)
		memset(obj, 0, sizeof *obj);
	if (!obj || kind < 0)
		return ft_error_set(err, FT_EINVAL, "reg: unknown method '%s'",
		                    method ? method : "(null)");
	if (!(lambda >= 0.0) || !isfinite(lambda))
		return ft_error_set(err, FT_EINVAL, "%s: lambda must be a finite number >= 0 (got %g)",
		                    name, lambda);
	if (!d)
		return ft_error_set(err, FT_EINVAL, "%s: no data set", name);
	if (!d->group || G < 2)
		return ft_error_set(err, FT_EDATA,
		                    "%s: needs a sensitive attribute with at least two groups (found %zu)",
		                    name, d->group ? G : (size_t)0);
	for (size_t i = 0; i < d->n; i++)
		if (d->group[i] < 0 || (size_t)d->group[i] >= G)
			return ft_error_set(err, FT_EDATA, "%s: row %zu has group %ld outside 0..%zu",
			                    name, i, (long)d->group[i], G - 1);

	c = calloc(1, sizeof *c);
	if (!c)
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", name);
	c->kind = kind;
	c->d = d;
	c->G = G;
	c->fit_intercept = fit_intercept;
	c->lambda = lambda;
	c->n_sets = kind == REG_EO ? 2 : kind == REG_COV ? 0 : 1;
	/* validates C, fit_intercept and the data (labels, weights, codes) */
	if ((rc = ft_logreg_objective(d, C, fit_intercept, &c->lr, err)) != 0)
		goto done;
	dim = d->p + 1;
	c->names = calloc(G, sizeof *c->names);
	c->wsg = calloc(2 * G, sizeof *c->wsg);
	c->mean = calloc(2 * G, sizeof *c->mean);
	c->coef = calloc(2 * G, sizeof *c->coef);
	c->hcoef = calloc(2 * G, sizeof *c->hcoef);
	c->dm = calloc(2 * G * dim, sizeof *c->dm);
	c->dmv = calloc(G, sizeof *c->dmv);
	c->sums = calloc(2 * G * (dim + 1), sizeof *c->sums);
	c->gpen = calloc(dim, sizeof *c->gpen);
	if (!c->names || !c->wsg || !c->mean || !c->coef || !c->hcoef || !c->dm || !c->dmv ||
	    !c->sums || !c->gpen) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory (%zu groups)", name, G);
		goto done;
	}
	for (size_t k = 0; k < G; k++) {
		char buf[32];
		const char *nm = group_names && group_names[k] ? group_names[k] : NULL;
		if (!nm) {
			snprintf(buf, sizeof buf, "%zu", k);
			nm = buf;
		}
		if (!(c->names[k] = ft_strdup(nm))) {
			rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", name);
			goto done;
		}
	}
	if ((rc = setup(c, err)) != 0)
		goto done;
	c->scale = lambda * C * c->W;
	obj->dim = dim;
	obj->ctx = c;
	obj->value_grad = reg_value_grad;
	obj->hess_vec = kind == REG_COV ? cov_hess_vec : rate_hess_vec;
	obj->hessian = kind == REG_COV ? cov_hessian : rate_hessian;
	c = NULL;
done:
	ctx_free(c);
	return rc;
}

void ft_reg_objective_free(struct ft_objective *obj)
{
	if (!obj)
		return;
	ctx_free(obj->ctx);
	obj->ctx = NULL;
}

int ft_reg_penalty(const struct ft_objective *obj, const double *x, double *R,
                   double *g)
{
	if (!obj || !obj->ctx || !x || !R)
		return FT_EINVAL;
	return penalty(obj->ctx, x, R, g);
}

/* ------------------------------------------------------ the fit functions */

/* NULL when the fit input is usable, else a static message. */
static const char *check_input(const struct ft_fit_input *in)
{
	if (!in)
		return "no fit input";
	if (!in->train)
		return "no training data";
	if (!in->params)
		return "no parameters";
	if (!(in->params[0] >= 0.0) || !isfinite(in->params[0]))
		return "lambda must be a finite number >= 0";
	if (in->lr)
		return ft_logreg_check(in->lr);
	return NULL;
}

/* lambda, R, L and the per-group soft rates (reg-cov: cov_k and mean p). */
static int diagnostics(struct reg_ctx *c, const double *x,
                       struct ft_fit_output *out)
{
	char nm[FT_DIAG_NAME + 64];
	double R, L;
	int rc;

	if ((rc = penalty(c, x, &R, NULL)) != 0)
		return rc;
	if ((rc = c->lr.value_grad(c->lr.ctx, x, &L, NULL)) != 0)
		return rc;
	ft_fit_diag(out, "lambda", c->lambda);
	ft_fit_diag(out, "penalty", R);
	ft_fit_diag(out, "logistic_objective", L);
	if (c->kind == REG_COV) {
		for (size_t k = 0; k < c->n_ind; k++) {
			snprintf(nm, sizeof nm, "cov[%s]", c->names[c->G == 2 ? 1 : k]);
			ft_fit_diag(out, nm, c->cov[k]);
		}
		if ((rc = rate_means(c, REG_DP, x, c->wsg)) != 0)
			return rc;
	}
	for (size_t set = 0; set < (c->kind == REG_EO ? 2u : 1u); set++)
		for (size_t k = 0; k < c->G; k++) {
			const char *what = c->kind == REG_DP || c->kind == REG_COV ? "mean_p" :
			                   set == 0 ? "soft_tpr" : "soft_fpr";
			snprintf(nm, sizeof nm, "%s[%s]", what, c->names[k]);
			ft_fit_diag(out, nm, c->mean[set * c->G + k]);
		}
	return 0;
}

static int reg_fit(int kind, const struct ft_fit_input *in,
                   struct ft_fit_output *out, struct ft_error *err)
{
	const char *name = kind_name[kind], *msg;
	struct ft_logreg_params def;
	const struct ft_logreg_params *lp;
	struct ft_solver_opts so;
	struct ft_objective obj;
	struct ft_linear_model *m = NULL;
	const struct ft_dataset *d;
	double *x = NULL, lambda;
	size_t p;
	int rc;

	memset(&obj, 0, sizeof obj);
	if (!out)
		return ft_error_set(err, FT_EINVAL, "%s: no fit output", name);
	memset(out, 0, sizeof *out);
	if ((msg = check_input(in)) != NULL)
		return ft_error_set(err, FT_EINVAL, "%s: %s", name, msg);
	d = in->train;
	p = d->p;
	lambda = in->params[0];
	if (in->lr) {
		lp = in->lr;
	} else {
		ft_logreg_params_init(&def);
		lp = &def;
	}
	if (in->baseline && in->baseline->p != p)
		return ft_error_set(err, FT_EINVAL,
		                    "%s: the baseline has %zu features, the data %zu",
		                    name, in->baseline->p, p);
	/* builds and checks everything, also when lambda = 0 */
	if ((rc = ft_reg_objective(name, d, in->n_groups, in->group_names, lp->C,
	                           lp->fit_intercept, lambda, &obj, err)) != 0)
		goto done;
	x = calloc(p + 1, sizeof *x);
	if (!x) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory (%zu features)", name, p);
		goto done;
	}
	if (lambda == 0.0) {
		/* the unmitigated fit, through the same code path as the baseline */
		if ((rc = ft_logreg_fit(d, lp, &m, &out->res, err)) != 0)
			goto done;
		if (p > 0)
			memcpy(x, m->coef, p * sizeof *x);
		x[p] = m->intercept;
	} else {
		/* warm start from the baseline (its averaged vector for a per-group
		 * model); b stays 0 without an intercept */
		if (in->baseline) {
			if (p > 0)
				memcpy(x, in->baseline->coef, p * sizeof *x);
			x[p] = lp->fit_intercept ? in->baseline->intercept : 0.0;
		}
		/* The rate penalties are not convex: away from the optimum the
		 * shifted Newton steps can be short (reg-eo, lambda = 100 on
		 * Adult: 105 iterations), so the default iteration cap is the
		 * 1000 these methods had under L-BFGS, not Newton's 100.  An
		 * explicit max_iter is kept. */
		so = lp->solver;
		if (kind != REG_COV && so.max_iter == 0)
			so.max_iter = REG_MAX_ITER;
		if ((rc = ft_minimize(&obj, x, &so, &out->res, err)) != 0)
			goto done;
		for (size_t j = 0; j <= p; j++)
			if (!isfinite(x[j])) {
				rc = ft_error_set(err, FT_ENUMERIC, "%s: coefficient %zu is %g",
				                  name, j, x[j]);
				goto done;
			}
		m = calloc(1, sizeof *m);
		if (m)
			m->coef = malloc((p > 0 ? p : 1) * sizeof *m->coef);
		if (!m || !m->coef) {
			rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory (%zu features)", name, p);
			goto done;
		}
		m->type = FT_MODEL_LOGREG;
		m->p = p;
		if (p > 0)
			memcpy(m->coef, x, p * sizeof *x);
		m->intercept = lp->fit_intercept ? x[p] : 0.0;
	}
	if ((rc = diagnostics(obj.ctx, x, out)) != 0) {
		rc = ft_error_set(err, rc, "%s: diagnostics failed: %s", name, ft_strerror(rc));
		goto done;
	}
	out->pred.linear = m;
	m = NULL;
done:
	if (rc)
		out->n_diag = 0;
	free(x);
	ft_linear_model_free(m);
	ft_reg_objective_free(&obj);
	return rc;
}

int ft_fit_reg_dp(const struct ft_fit_input *in, struct ft_fit_output *out,
                  struct ft_error *err)
{
	return reg_fit(REG_DP, in, out, err);
}

int ft_fit_reg_eo(const struct ft_fit_input *in, struct ft_fit_output *out,
                  struct ft_error *err)
{
	return reg_fit(REG_EO, in, out, err);
}

int ft_fit_reg_eop(const struct ft_fit_input *in, struct ft_fit_output *out,
                   struct ft_error *err)
{
	return reg_fit(REG_EOP, in, out, err);
}

int ft_fit_reg_cov(const struct ft_fit_input *in, struct ft_fit_output *out,
                   struct ft_error *err)
{
	return reg_fit(REG_COV, in, out, err);
}
