/*
 * prejudice.c - the prejudice remover regularizer: Kamishima, Akaho, Asoh &
 * Sakuma, "Fairness-aware classifier with prejudice remover regularizer",
 * ECML PKDD 2012, sections 4.1 (model) and 4.2 (prejudice index).
 *
 * Objective (the paper's eq. 4 with C = 1, in the scale of logreg.c):
 *
 *   F(theta) = C [ sum_i w_i logloss(y_i, p_i) + eta PI ] + 1/2 ||beta||^2
 *              (+ 1/2 sum_s b_s^2 with penalize_intercept = 1)
 *
 * intercepts not penalised by default (penalize_intercept = 0, as
 * logreg.c and scikit-learn); with penalize_intercept = 1 they are, as in
 * Kamishima's code (fadm/lr/pr.py, LRwPRObjetiveType4Mixin.loss, which
 * AIF360's PrejudiceRemover runs: its bias is a constant column inside
 * coef, under 0.5 C ||coef||^2, its C being 1 / fairtrain's C), so that
 * F / C is that objective exactly, the minimiser of AIF360's loss with a
 * correct gradient (see "Gradient" below; checked against a numpy port in
 * tests/unit/test_prejudice.c, German credit).  p_i = sigmoid(x_i . beta_{s_i} + b_{s_i}) for the
 * per-group model (one (beta, b) per group, per_group = 1, the paper's
 * model) or p_i = sigmoid(x_i . beta + b) (per_group = 0, shared weights).
 * The prejudice index (sec. 4.2, with the model-based estimates of its
 * eq. 6):
 *
 *   PI = sum_i w_i sum_{y in {0,1}} P(y|x_i,s_i) ln( Phat(y|s_i) / Phat(y) )
 *   Phat(y|s) = sum_{i: s_i = s} w_i P(y|x_i,s) / W_s,
 *   Phat(y)   = sum_i w_i P(y|x_i,s_i) / W,
 *
 * W_s and W the group and total weights.  Any number of groups (the
 * reference code allows two).  Grouping the rows by s:
 *
 *   PI = sum_s W_s KL( Bern(m_s) || Bern(m) ),  m_s = A_s / W_s,  m = A / W,
 *   A_s = sum_{i in s} w_i p_i,  B_s = sum_{i in s} w_i (1 - p_i),
 *
 * so PI depends on theta only through the 2 G row sums A_s, B_s.
 *
 * Gradient: PI depends on theta directly through P(y|x_i,s_i) and also
 * through the averages Phat.  Writing PI = sum_s [A_s ln m_s + B_s ln(1-m_s)]
 * - [A ln m + B ln(1-m)] with A = sum_s A_s and differentiating in A_s
 * (W_s fixed) gives exactly
 *
 *   dPI/dA_s = logit(m_s) - logit(m),
 *
 * in which the terms that come through Phat (A_s d ln m_s/dA_s - B_s ...)
 * cancel: sum_{i in s} w_i [p_i / m_s - (1 - p_i) / (1 - m_s)] = 0.  Hence
 *
 *   dPI/dtheta = sum_s c_s V_s,  c_s = logit(m_s) - logit(m),
 *   V_s = sum_{i in s} w_i p_i (1 - p_i) xt_i  (in the block of group s for
 *         the per-group model; in the one block for the shared model),
 *
 * xt_i = (x_i, 1).  This is checked against central finite differences in
 * tests/unit/test_prejudice.c.  The public reference code (the one AIF360
 * wraps) gets this gradient wrong when eta > 0, so its optimiser stops near
 * its start; never compare with it.  logit(m_s) is computed as ln A_s -
 * ln B_s, both sums of sigmoids taken without cancellation (B_s sums
 * sigmoid(-z), not 1 - p).
 *
 * Speed: one pass over the rows per evaluation computes the loss, A_s, B_s,
 * the loss gradient and V_s as partial sums over blocks of rows
 * (ft_parallel_sum), 64 rows at a time: their margins, then exp(-|z|),
 * the sigmoids and the loss in SIMD lanes (core/vmath.h, as logreg.c; the
 * passes compiled for each vector width, FT_SIMD_VARIANTS), then the sums
 * row by row; the O(G (p + 1)) combination happens after.  The exact
 * Hessian (see "Hessian" below: a row part plus a rank G + 1 part) is
 * supplied too, dense and as Hessian-vector products, so the solver is the
 * one asked for: auto = Newton with the dense Hessian while dim <=
 * dense_max_dim, which takes a handful of iterations from the warm start
 * (the unmitigated baseline, copied into every group for the per-group
 * model, as Kamishima's code starts from per-group logistic fits), where
 * L-BFGS needs hundreds on Adult.  PI is not convex; Newton's modified
 * Cholesky handles indefinite Hessians.
 *
 * This file does not choose eta, measure fairness on test data, or encode.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/dist.h"
#include "fair/fair.h"
#include "fair/prejudice.h"
#include "model/model.h"
#include "core/internal.h"

struct pr_ctx {
	const struct ft_dataset *d;   /* borrowed */
	size_t G, p, dim;
	int per_group, fit_intercept;
	int pen_b;                    /* 1: b^2/2 per block (pinned, or penalize_intercept) */
	double C, eta;
	double *gw;                   /* G group weights W_s */
	double *buf;                  /* partial sums of one evaluation */
	double *cs;                   /* G: c_s = logit(m_s) - logit(m) */
};

/* Offsets into the partial-sum buffer: [loss, A[G], B[G], gloss[dim],
 * V[G (p + 1)]]. */
#define OFF_A(c) ((size_t)1)
#define OFF_B(c) (1 + (c)->G)
#define OFF_GL(c) (1 + 2 * (c)->G)
#define OFF_V(c) (1 + 2 * (c)->G + (c)->dim)

struct pr_call {
	const struct pr_ctx *c;
	const double *x;
	int with_grad;
};

static double row_weight(const struct ft_dataset *d, size_t i)
{
	return d->w ? d->w[i] : 1.0;
}

/* sigmoid(z) = P(y = 1) into *sp and sigmoid(-z) = P(y = 0) into *sn,
 * both from e = exp(-|z|) (returned), which never overflows, and neither
 * by 1 - the other, so neither cancels; inline, for SIMD lanes. */
static inline double sigmoids(double z, double *sp, double *sn)
{
	double e = ft_exp_neg(fabs(z)), q = 1.0 / (1.0 + e);

	*sp = z >= 0.0 ? q : e * q;
	*sn = z >= 0.0 ? e * q : q;
	return e;
}

/* The margins z[k] of the rows i0 + k (k < m) of a batch, each with its
 * block's weights (the per-group model), and off[k] that block's offset;
 * 0 for a row without weight (its z is never used). */
static void pr_margins(const struct pr_ctx *c, const double *x, size_t i0, size_t m,
                       double *z, size_t *off)
{
	const struct ft_dataset *d = c->d;
	size_t p = c->p;

	for (size_t k = 0; k < m; k++) {
		size_t i = i0 + k, o = c->per_group ? (size_t)d->group[i] * (p + 1) : 0;
		off[k] = o;
		z[k] = row_weight(d, i) == 0.0 ? 0.0 :
		       ft_row_dot(d, i, x + o) + (c->fit_intercept ? x[o + p] : 0.0);
	}
}

/* Partial sums of rows [lo, hi) (see the layout above).  The loss and its
 * residual are logreg.c's (ft_logistic_loss, model.h: e = exp(-|z|) and
 * log1p(e) inline, a batch of rows in SIMD lanes), sigmoid(+-z) from the
 * same e; the sums in row order. */
static void pr_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                     double *part)
{
	const struct pr_call *a = ctx;
	const struct pr_ctx *c = a->c;
	const struct ft_dataset *d = c->d;
	size_t p = c->p, bs = p + 1, off[FT_LOGISTIC_BATCH];
	double *A = part + OFF_A(c), *B = part + OFF_B(c);
	double *gl = part + OFF_GL(c), *V = part + OFF_V(c), loss = 0.0;
	double z[FT_LOGISTIC_BATCH], l[FT_LOGISTIC_BATCH], r[FT_LOGISTIC_BATCH],
	       sp[FT_LOGISTIC_BATCH], sn[FT_LOGISTIC_BATCH];
	int grad = a->with_grad, pen = a->with_grad && c->eta > 0.0;

	(void)chunk;
	for (size_t i0 = lo; i0 < hi; i0 += FT_LOGISTIC_BATCH) {
		size_t m = hi - i0 < FT_LOGISTIC_BATCH ? hi - i0 : FT_LOGISTIC_BATCH;
		const double *y = d->y + i0;

		pr_margins(c, a->x, i0, m, z, off);
		#pragma omp simd
		for (size_t k = 0; k < m; k++) {
			double e = sigmoids(z[k], &sp[k], &sn[k]);
			l[k] = ft_logistic_loss(y[k], z[k], e, &r[k]);
		}
		for (size_t k = 0; k < m; k++) {
			size_t i = i0 + k, s = (size_t)d->group[i];
			double w = row_weight(d, i);
			if (w == 0.0)
				continue;
			loss += w * l[k];
			A[s] += w * sp[k];
			B[s] += w * sn[k];
			if (grad) {
				double rw = w * r[k];
				ft_row_axpy(d, i, rw, gl + off[k]);
				if (c->fit_intercept)
					gl[off[k] + p] += rw;
			}
			if (pen) {
				double v = w * sp[k] * sn[k];
				ft_row_axpy(d, i, v, V + s * bs);
				if (c->fit_intercept)
					V[s * bs + p] += v;
			}
		}
	}
	part[0] += loss;
}

/* The pass again for wider vectors (core/internal.h: the same bits at
 * every level). */
FT_SIMD_VARIANTS(pr_chunk, (void *ctx, size_t chunk, size_t lo, size_t hi, double *part),
                 (ctx, chunk, lo, hi, part))

/* x ln(x / y) with 0 ln 0 = 0, from logs already taken. */
static double xlog(double x, double lx, double ly)
{
	return x > 0.0 ? x * (lx - ly) : 0.0;
}

/* One pass: fills c->buf.  Returns 0 or FT_ENOMEM. */
static int pr_pass(struct pr_ctx *c, const double *x, int with_grad)
{
	struct pr_call a = {c, x, with_grad};
	size_t len = with_grad ? OFF_V(c) + (c->eta > 0.0 ? c->G * (c->p + 1) : 0)
	                       : OFF_GL(c);

	memset(c->buf, 0, len * sizeof *c->buf);
	return ft_parallel_sum(c->d->n, len, c->buf, pr_chunk_pick(), &a);
}

/* PI from the group sums, and c_s = logit(m_s) - logit(m) into cs (G
 * entries, may be NULL).  A group without weight contributes nothing; a
 * sum that underflowed to 0 is floored at DBL_MIN so that its logit stays
 * finite (its V_s is then 0 too). */
static double pr_index(const struct pr_ctx *c, double *cs)
{
	const double *A = c->buf + OFF_A(c), *B = c->buf + OFF_B(c);
	double At = 0.0, Bt = 0.0, lA, lB, lW, pi = 0.0;

	for (size_t s = 0; s < c->G; s++) {
		At += A[s];
		Bt += B[s];
	}
	lA = log(fmax(At, DBL_MIN));
	lB = log(fmax(Bt, DBL_MIN));
	lW = log(At + Bt);
	for (size_t s = 0; s < c->G; s++) {
		double Ws = A[s] + B[s], la, lb, lws;
		if (!(Ws > 0.0)) {
			if (cs)
				cs[s] = 0.0;
			continue;
		}
		la = log(fmax(A[s], DBL_MIN));
		lb = log(fmax(B[s], DBL_MIN));
		lws = log(Ws);
		/* A_s ln(m_s / m) + B_s ln((1 - m_s) / (1 - m)) */
		pi += xlog(A[s], la - lws, lA - lW) + xlog(B[s], lb - lws, lB - lW);
		if (cs)
			cs[s] = (la - lb) - (lA - lB);
	}
	return pi;
}

static int pr_value_grad(void *ctx, const double *x, double *f, double *g)
{
	struct pr_ctx *c = ctx;
	size_t p = c->p, bs = p + 1, nb = c->per_group ? c->G : 1;
	double *cv = c->cs, pi, val;
	int rc;

	if ((rc = pr_pass(c, x, g != NULL)) != 0)
		return rc;
	pi = pr_index(c, cv);
	val = c->C * (c->buf[0] + c->eta * pi);
	if (g) {
		const double *gl = c->buf + OFF_GL(c), *V = c->buf + OFF_V(c);
		for (size_t j = 0; j < c->dim; j++)
			g[j] = c->C * gl[j];
		if (c->eta > 0.0)
			for (size_t s = 0; s < c->G; s++) {
				double k = c->C * c->eta * cv[s];
				double *gs = g + (c->per_group ? s * bs : 0);
				const double *Vs = V + s * bs;
				if (k == 0.0)
					continue;
				for (size_t j = 0; j < bs; j++)
					gs[j] += k * Vs[j];
			}
	}
	/* 1/2 ||beta_g||^2 for every block; 1/2 b^2 when b is pinned or
	 * penalised */
	for (size_t k = 0; k < nb; k++) {
		const double *xb = x + k * bs;
		for (size_t j = 0; j < p; j++) {
			val += 0.5 * xb[j] * xb[j];
			if (g)
				g[k * bs + j] += xb[j];
		}
		if (c->pen_b) {
			val += 0.5 * xb[p] * xb[p];
			if (g)
				g[k * bs + p] += xb[p];
		}
	}
	*f = val;
	return 0;
}

int ft_prejudice_terms(const struct ft_objective *obj, const double *x,
                       double *loss, double *pi, double *w_sum)
{
	struct pr_ctx *c = obj->ctx;
	double v;
	int rc;

	if ((rc = pr_pass(c, x, 0)) != 0)
		return rc;
	v = pr_index(c, NULL);
	if (loss)
		*loss = c->buf[0];
	if (pi)
		*pi = v;
	if (w_sum) {
		double W = 0.0;
		for (size_t s = 0; s < c->G; s++)
			W += c->gw[s];
		*w_sum = W;
	}
	return 0;
}

/* ------------------------------------------------------------ Hessian */

/* Second derivatives.  With d p_i = p_i (1 - p_i) xt_i and, from the top,
 * dPI/dA_s = c_s, dc_s/dA_t = delta_st alpha_s - alpha (alpha_s = 1/A_s +
 * 1/B_s, alpha = 1/A + 1/B, B_s = W_s - A_s):
 *
 *   H = C sum_i w_i a_i xt_i xt_i^T                  (row part)
 *     + C eta [ sum_s alpha_s V_s V_s^T - alpha U U^T ] (rank G + 1 part)
 *     + I on the betas (and on pinned intercepts),
 *   a_i = p_i (1 - p_i) [1 + eta c_{s_i} (1 - 2 p_i)],
 *
 * V_s placed in its block (per-group) or the one block (shared), U =
 * sum_s V_s.  The row part is not positive semi-definite when eta > 0
 * (c_s (1 - 2 p_i) can be below -1/eta): Newton's modified Cholesky
 * (newton.c) shifts it when needed.  Every call first makes one pass for
 * A_s, B_s, c_s and V_s, then one pass over the rows. */
static void pr_alpha(const struct pr_ctx *c, double *alpha_s, double *alpha)
{
	const double *A = c->buf + OFF_A(c), *B = c->buf + OFF_B(c);
	double At = 0.0, Bt = 0.0;

	for (size_t s = 0; s < c->G; s++) {
		At += A[s];
		Bt += B[s];
		alpha_s[s] = A[s] + B[s] > 0.0 ?
		             1.0 / fmax(A[s], DBL_MIN) + 1.0 / fmax(B[s], DBL_MIN) : 0.0;
	}
	*alpha = 1.0 / fmax(At, DBL_MIN) + 1.0 / fmax(Bt, DBL_MIN);
}

struct ph_call {
	const struct pr_ctx *c;
	const double *x, *v;
	size_t *idx;                  /* hessian scratch, n_cat + 1 per chunk */
	size_t idx_stride;            /* its chunks this many apart */
};

/* a_i (times C w_i) of the rows i0 + k (k < m) of a batch into t[k], 0
 * for a row without weight, and their block offsets; e = exp(-|z|) as in
 * pr_chunk, in SIMD lanes. */
static void pr_curv(const struct pr_ctx *c, const double *x, size_t i0, size_t m,
                    double *t, size_t *off)
{
	const struct ft_dataset *d = c->d;
	double z[FT_LOGISTIC_BATCH], cw[FT_LOGISTIC_BATCH];

	pr_margins(c, x, i0, m, z, off);
	for (size_t k = 0; k < m; k++) {
		size_t i = i0 + k;
		/* C w, and eta c_s: 0 for a row without weight, whose group may
		 * be unknown */
		cw[k] = c->C * row_weight(d, i);
		t[k] = cw[k] == 0.0 ? 0.0 : c->eta * c->cs[d->group[i]];
	}
	#pragma omp simd
	for (size_t k = 0; k < m; k++) {
		double sp, sn;
		(void)sigmoids(z[k], &sp, &sn);
		t[k] = cw[k] * sp * sn * (1.0 + t[k] * (sn - sp));
	}
}

/* Row part of H over [lo, hi) into the upper triangle of part (dim x dim):
 * ft_row_outer shifted to the row's block (numeric indices < codes <
 * intercept inside a block keeps every product in the upper triangle but
 * code-code pairs). */
static void ph_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                     double *H)
{
	const struct ph_call *a = ctx;
	const struct pr_ctx *c = a->c;
	const struct ft_dataset *d = c->d;
	size_t dim = c->dim, *idx = a->idx + chunk * a->idx_stride, off[FT_LOGISTIC_BATCH];
	double t[FT_LOGISTIC_BATCH];

	for (size_t i0 = lo; i0 < hi; i0 += FT_LOGISTIC_BATCH) {
		size_t m = hi - i0 < FT_LOGISTIC_BATCH ? hi - i0 : FT_LOGISTIC_BATCH;
		pr_curv(c, a->x, i0, m, t, off);
		for (size_t k = 0; k < m; k++)
			if (t[k] != 0.0)
				ft_row_outer(d, i0 + k, t[k], c->fit_intercept, off[k], H, dim, idx);
	}
}

/* Row part of H v over [lo, hi). */
static void phv_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                      double *hv)
{
	const struct ph_call *a = ctx;
	const struct pr_ctx *c = a->c;
	size_t p = c->p, off[FT_LOGISTIC_BATCH];
	double t[FT_LOGISTIC_BATCH];

	(void)chunk;
	for (size_t i0 = lo; i0 < hi; i0 += FT_LOGISTIC_BATCH) {
		size_t m = hi - i0 < FT_LOGISTIC_BATCH ? hi - i0 : FT_LOGISTIC_BATCH;
		pr_curv(c, a->x, i0, m, t, off);
		for (size_t k = 0; k < m; k++) {
			size_t i = i0 + k;
			double u;
			if (t[k] == 0.0)
				continue;
			u = t[k] * (ft_row_dot(c->d, i, a->v + off[k]) +
			            (c->fit_intercept ? a->v[off[k] + p] : 0.0));
			ft_row_axpy(c->d, i, u, hv + off[k]);
			if (c->fit_intercept)
				hv[off[k] + p] += u;
		}
	}
}

/* The Hessian's passes again for wider vectors, as pr_chunk's. */
FT_SIMD_VARIANTS(ph_chunk, (void *ctx, size_t chunk, size_t lo, size_t hi, double *part),
                 (ctx, chunk, lo, hi, part))
FT_SIMD_VARIANTS(phv_chunk, (void *ctx, size_t chunk, size_t lo, size_t hi, double *part),
                 (ctx, chunk, lo, hi, part))

/* The first pass of a Hessian call: c_s and V_s at x (V only when eta >
 * 0), alpha_s into the scratch after V. */
static int ph_prepare(struct pr_ctx *c, const double *x, double *alpha)
{
	int rc = pr_pass(c, x, 1);

	if (rc)
		return rc;
	(void)pr_index(c, c->cs);
	pr_alpha(c, c->buf + OFF_V(c) + c->G * (c->p + 1), alpha);
	return 0;
}

/* V_s as a dim vector (placed in its block) into u; U = sum_s if s ==
 * SIZE_MAX. */
static void placed(const struct pr_ctx *c, size_t s, double *u)
{
	const double *V = c->buf + OFF_V(c);
	size_t bs = c->p + 1;

	memset(u, 0, c->dim * sizeof *u);
	for (size_t t = 0; t < c->G; t++) {
		double *ut = u + (c->per_group ? t * bs : 0);
		if (s != SIZE_MAX && t != s)
			continue;
		for (size_t j = 0; j < bs; j++)
			ut[j] += V[t * bs + j];
	}
}

/* The identity on the betas (and pinned intercepts) and the rank G + 1
 * part, added to H v (v not NULL) or to the full H. */
static int ph_finish(const struct pr_ctx *c, const double *v, double alpha,
                     double *out)
{
	const double *alpha_s = c->buf + OFF_V(c) + c->G * (c->p + 1);
	size_t dim = c->dim, bs = c->p + 1;
	double *u;

	for (size_t k = 0; k < dim; k++)
		if (k % bs != c->p || c->pen_b) {
			if (v)
				out[k] += v[k];
			else
				out[k * dim + k] += 1.0;
		}
	if (c->eta == 0.0)
		return 0;
	u = malloc(dim * sizeof *u);
	if (!u)
		return FT_ENOMEM;
	for (size_t s = 0; s <= c->G; s++) {
		double k = c->C * c->eta * (s < c->G ? alpha_s[s] : -alpha), uv = 0.0;
		placed(c, s < c->G ? s : SIZE_MAX, u);
		if (k == 0.0)
			continue;
		if (v) {
			for (size_t j = 0; j < dim; j++)
				uv += u[j] * v[j];
			for (size_t j = 0; j < dim; j++)
				out[j] += k * uv * u[j];
		} else {
			for (size_t r = 0; r < dim; r++) {
				double kr = k * u[r];
				if (kr == 0.0)
					continue;
				for (size_t j = 0; j < dim; j++)
					out[r * dim + j] += kr * u[j];
			}
		}
	}
	free(u);
	return 0;
}

static int pr_hess_vec(void *ctx, const double *x, const double *v,
                       double *hv)
{
	struct pr_ctx *c = ctx;
	struct ph_call a = {.c = c, .x = x, .v = v};
	double alpha;
	int rc;

	if ((rc = ph_prepare(c, x, &alpha)) != 0)
		return rc;
	memset(hv, 0, c->dim * sizeof *hv);
	if ((rc = ft_parallel_sum(c->d->n, c->dim, hv, phv_chunk_pick(), &a)) != 0)
		return rc;
	return ph_finish(c, v, alpha, hv);
}

static int pr_hessian(void *ctx, const double *x, double *H)
{
	struct pr_ctx *c = ctx;
	struct ph_call a = {.c = c, .x = x};
	size_t dim = c->dim;
	double alpha;
	int rc;

	if ((rc = ph_prepare(c, x, &alpha)) != 0)
		return rc;
	a.idx = ft_chunk_scratch(ft_parallel_chunks(c->d->n, dim * dim), c->d->n_cat + 1,
	                         sizeof *a.idx, &a.idx_stride);
	if (!a.idx)
		return FT_ENOMEM;
	memset(H, 0, dim * dim * sizeof *H);
	rc = ft_parallel_sum(c->d->n, dim * dim, H, ph_chunk_pick(), &a);
	free(a.idx);
	if (rc)
		return rc;
	for (size_t r = 0; r < dim; r++)
		for (size_t e = r + 1; e < dim; e++)
			H[e * dim + r] = H[r * dim + e];
	return ph_finish(c, NULL, alpha, H);
}

/* ------------------------------------------------------------- checks */

/* The groups: known for every row with weight, in 0..G-1; the group
 * weights W_s into gw.  The per-group model also needs both labels with
 * positive weight in every group (else that group's intercept runs off). */
/* Weighted counts of (group, label) over rows [lo, hi): part[2 s + y]
 * (ft_parallel_sum); rows of no group are checked before. */
static void wy_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct ft_dataset *d = ctx;

	(void)chunk;
	for (size_t i = lo; i < hi; i++)
		part[2 * (size_t)d->group[i] + (d->y[i] == 1.0)] += row_weight(d, i);
}

static int check_groups(const struct ft_dataset *d, size_t G, int per_group,
                        double *gw, struct ft_error *err)
{
	double *wy = NULL;
	int rc = 0;

	if (G == 0)
		return ft_error_set(err, FT_EDATA, "prejudice: needs a sensitive "
		                    "attribute (no groups)");
	if (!d->group)
		return ft_error_set(err, FT_EDATA, "prejudice: the data set has no "
		                    "groups");
	for (size_t i = 0; i < d->n && !rc; i++) {
		int32_t s = d->group[i];
		if (s < 0 || (size_t)s >= G) {
			if (d->line)
				rc = ft_error_set(err, FT_EDATA, "prejudice: line %zu: "
				                  "group %ld is not one of the %zu groups",
				                  d->line[i], (long)s, G);
			else
				rc = ft_error_set(err, FT_EDATA, "prejudice: row %zu: "
				                  "group %ld is not one of the %zu groups",
				                  i, (long)s, G);
		}
	}
	/* the first bad row of every rank's (a distributed data set) */
	if ((rc = ft_dist_agree(rc, err)))
		return rc;
	wy = calloc(2 * G, sizeof *wy);
	if (!wy || ft_parallel_sum(d->n, 2 * G, wy, wy_chunk, (void *)d)) {
		free(wy);
		return ft_error_set(err, FT_ENOMEM, "prejudice: out of memory");
	}
	for (size_t s = 0; s < G; s++) {
		gw[s] = wy[2 * s] + wy[2 * s + 1];
		if (per_group && (!(wy[2 * s] > 0.0) || !(wy[2 * s + 1] > 0.0))) {
			rc = ft_error_set(err, FT_EDATA, "prejudice: group %zu has no "
			                  "rows with label %d; the per-group model needs "
			                  "both labels in every group (use per_group=0)",
			                  s, wy[2 * s] > 0.0 ? 1 : 0);
			break;
		}
	}
	free(wy);
	return rc;
}

/* -------------------------------------------------------------- the API */

int ft_prejudice_objective(const struct ft_dataset *d, size_t n_groups,
                           double C, int fit_intercept, int penalize_intercept,
                           double eta, int per_group, struct ft_objective *obj,
                           struct ft_error *err)
{
	struct ft_objective lr;
	struct pr_ctx *c = NULL;
	size_t len;
	int rc;

	memset(obj, 0, sizeof *obj);
	if (!(eta >= 0.0) || !isfinite(eta))
		return ft_error_set(err, FT_EINVAL, "prejudice: eta must be a finite "
		                    "number >= 0 (got %g)", eta);
	if (per_group != 0 && per_group != 1)
		return ft_error_set(err, FT_EINVAL, "prejudice: per_group must be 0 "
		                    "or 1 (got %d)", per_group);
	if (penalize_intercept != 0 && penalize_intercept != 1)
		return ft_error_set(err, FT_EINVAL, "prejudice: penalize_intercept must "
		                    "be 0 or 1 (got %d)", penalize_intercept);
	/* the same data checks as the plain fit (labels, weights, features,
	 * codes, both classes), then the groups */
	if ((rc = ft_logreg_objective(d, C, fit_intercept, &lr, err)) != 0)
		return rc;
	ft_logreg_objective_free(&lr);
	if (n_groups > SIZE_MAX / 4 / (d->p + 1))
		return ft_error_set(err, FT_EINVAL, "prejudice: too many groups (%zu)",
		                    n_groups);
	c = calloc(1, sizeof *c);
	if (!c)
		return ft_error_set(err, FT_ENOMEM, "prejudice: out of memory");
	c->d = d;
	c->G = n_groups;
	c->p = d->p;
	c->dim = per_group ? n_groups * (d->p + 1) : d->p + 1;
	c->per_group = per_group;
	c->fit_intercept = fit_intercept;
	c->pen_b = !fit_intercept || penalize_intercept;
	c->C = C;
	c->eta = eta;
	c->gw = calloc(n_groups ? n_groups : 1, sizeof *c->gw);
	len = OFF_V(c) + n_groups * (d->p + 1) + n_groups;
	c->buf = malloc(len * sizeof *c->buf);
	c->cs = calloc(n_groups ? n_groups : 1, sizeof *c->cs);
	if (!c->gw || !c->buf || !c->cs) {
		rc = ft_error_set(err, FT_ENOMEM, "prejudice: out of memory");
		goto done;
	}
	if ((rc = check_groups(d, n_groups, per_group, c->gw, err)) != 0)
		goto done;
	obj->dim = c->dim;
	obj->ctx = c;
	obj->value_grad = pr_value_grad;
	obj->hess_vec = pr_hess_vec;
	obj->hessian = pr_hessian;
	c = NULL;
done:
	if (c) {
		free(c->gw);
		free(c->buf);
		free(c->cs);
		free(c);
	}
	return rc;
}

void ft_prejudice_objective_free(struct ft_objective *obj)
{
	struct pr_ctx *c;

	if (!obj || !obj->ctx)
		return;
	c = obj->ctx;
	free(c->gw);
	free(c->buf);
	free(c->cs);
	free(c);
	obj->ctx = NULL;
}

/* Contract (struct ft_method.fit): params[0] = eta >= 0, params[1] =
 * per_group (0 or 1), params[2] = penalize_intercept (0 or 1).  Starts from in->baseline when given (its vector in
 * every group; a per-group baseline group by group), else from zero.  On
 * success out->pred.linear is the fitted model (per-group: n_groups blocks and
 * coef / intercept their average weighted by group weight), out->res the
 * solver's result, and the diagnostics prejudice_index and log_loss (means
 * per unit weight at the solution, nats), their values at the start
 * (baseline_prejudice_index, baseline_log_loss), eta, per_group and
 * penalize_intercept.  On failure out->pred.linear is NULL. */
int ft_fit_prejudice(const struct ft_fit_input *in, struct ft_fit_output *out,
                     struct ft_error *err)
{
	struct ft_objective obj;
	struct ft_solver_opts so;
	struct ft_linear_model *m = NULL;
	const struct ft_linear_model *bl;
	const struct ft_dataset *d;
	const char *msg;
	double *x = NULL, eta, loss0 = 0, pi0 = 0, loss = 0, pi = 0, W = 0;
	size_t G, p, bs, nb;
	int per_group, pen_b, rc;

	memset(&obj, 0, sizeof obj);
	if (!out)
		return ft_error_set(err, FT_EINVAL, "prejudice: no output");
	out->pred.linear = NULL;
	if (!in || !in->train || !in->params || !in->lr)
		return ft_error_set(err, FT_EINVAL, "prejudice: incomplete input");
	if ((msg = ft_logreg_check(in->lr)) != NULL)
		return ft_error_set(err, FT_EINVAL, "prejudice: %s", msg);
	eta = in->params[0];
	if (in->params[1] != 0.0 && in->params[1] != 1.0)
		return ft_error_set(err, FT_EINVAL, "prejudice: per_group must be 0 "
		                    "or 1 (got %g)", in->params[1]);
	per_group = in->params[1] == 1.0;
	if (in->params[2] != 0.0 && in->params[2] != 1.0)
		return ft_error_set(err, FT_EINVAL, "prejudice: penalize_intercept must be "
		                    "0 or 1 (got %g)", in->params[2]);
	pen_b = in->params[2] == 1.0;
	d = in->train;
	G = in->n_groups;
	if ((rc = ft_prejudice_objective(d, G, in->lr->C, in->lr->fit_intercept, pen_b,
	                                 eta, per_group, &obj, err)) != 0)
		return rc;
	p = d->p;
	bs = p + 1;
	nb = per_group ? G : 1;
	x = calloc(obj.dim, sizeof *x);
	m = calloc(1, sizeof *m);
	if (m)
		m->coef = calloc(p ? p : 1, sizeof *m->coef);
	if (m && per_group) {
		m->group_coef = calloc(G * p > 0 ? G * p : 1, sizeof *m->group_coef);
		m->group_intercept = calloc(G, sizeof *m->group_intercept);
	}
	if (!x || !m || !m->coef ||
	    (per_group && (!m->group_coef || !m->group_intercept))) {
		rc = ft_error_set(err, FT_ENOMEM, "prejudice: out of memory");
		goto done;
	}
	/* warm start: the baseline in every block (Kamishima's code starts
	 * from per-group logistic fits; the shared baseline is one Newton fit
	 * away and already at hand) */
	bl = in->baseline;
	if (bl && bl->p == p && bl->coef)
		for (size_t k = 0; k < nb; k++) {
			int own = per_group && bl->n_groups == G && bl->group_coef &&
			          bl->group_intercept;
			memcpy(x + k * bs, own ? bl->group_coef + k * p : bl->coef,
			       p * sizeof *x);
			if (in->lr->fit_intercept)
				x[k * bs + p] = own ? bl->group_intercept[k] : bl->intercept;
		}
	if ((rc = ft_prejudice_terms(&obj, x, &loss0, &pi0, &W)) != 0) {
		rc = ft_error_set(err, rc, "prejudice: out of memory");
		goto done;
	}
	/* the solver asked for: auto = Newton with the dense Hessian while
	 * dim <= dense_max_dim (a handful of iterations from the warm start),
	 * L-BFGS beyond */
	so = in->lr->solver;
	if ((rc = ft_minimize(&obj, x, &so, &out->res, err)) != 0)
		goto done;
	for (size_t j = 0; j < obj.dim; j++)
		if (!isfinite(x[j])) {
			rc = ft_error_set(err, FT_ENUMERIC, "prejudice: coefficient %zu "
			                  "is %g", j, x[j]);
			goto done;
		}
	if ((rc = ft_prejudice_terms(&obj, x, &loss, &pi, NULL)) != 0) {
		rc = ft_error_set(err, rc, "prejudice: out of memory");
		goto done;
	}
	m->type = FT_MODEL_LOGREG;
	m->p = p;
	if (per_group) {
		const struct pr_ctx *c = obj.ctx;
		m->n_groups = G;
		m->intercept = 0.0;
		for (size_t k = 0; k < G; k++) {
			double a = W > 0.0 ? c->gw[k] / W : 1.0 / (double)G;
			double b = in->lr->fit_intercept ? x[k * bs + p] : 0.0;
			memcpy(m->group_coef + k * p, x + k * bs, p * sizeof *x);
			m->group_intercept[k] = b;
			for (size_t j = 0; j < p; j++)
				m->coef[j] += a * x[k * bs + j];
			m->intercept += a * b;
		}
	} else {
		memcpy(m->coef, x, p * sizeof *x);
		m->intercept = in->lr->fit_intercept ? x[p] : 0.0;
	}
	ft_fit_diag(out, "eta", eta);
	ft_fit_diag(out, "per_group", per_group);
	ft_fit_diag(out, "penalize_intercept", pen_b);
	ft_fit_diag(out, "prejudice_index", W > 0.0 ? pi / W : 0.0);
	ft_fit_diag(out, "log_loss", W > 0.0 ? loss / W : 0.0);
	ft_fit_diag(out, "baseline_prejudice_index", W > 0.0 ? pi0 / W : 0.0);
	ft_fit_diag(out, "baseline_log_loss", W > 0.0 ? loss0 / W : 0.0);
	out->pred.linear = m;
	m = NULL;
done:
	free(x);
	ft_linear_model_free(m);
	ft_prejudice_objective_free(&obj);
	return rc;
}
