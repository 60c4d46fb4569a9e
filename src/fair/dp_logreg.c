/*
 * dp_logreg.c - differentially private L2 logistic regression:
 *
 *   Chaudhuri, Monteleoni & Sarwate, "Differentially Private Empirical Risk
 *   Minimization", JMLR 12:1069-1109, 2011.  Algorithm 1 (output
 *   perturbation, Theorem 6 / Corollary 8) and Algorithm 2 (objective
 *   perturbation, Theorem 9 / Corollary 11, with the extra regulariser
 *   Delta the paper adds when epsilon' <= 0).
 *
 * The paper's objective over w, with n rows (x_i, y_i), ||x_i|| <= 1:
 *   J(w) = (1/n) sum_i l(y_i w.x_i) + Lambda/2 ||w||^2.
 * fairtrain's (scikit-learn's) is C sum_i l_i + 1/2 ||w||^2 = n C J, so
 * Lambda = 1 / (n C).  Everything below is written in the C-units the
 * solver sees (multiply the paper's terms by n C).
 *
 * What the proofs assume, and how it is met here:
 *  - rows of norm <= 1: every row is clipped to ||x_i|| <= R (row_norm,
 *    the user's bound; x_i scaled by min(1, R / ||x_i||)).  The intercept
 *    is the weight of a constant feature 1, so the augmented row has norm
 *    <= q = sqrt(R^2 + 1) (q = R without an intercept).  For q != 1 the
 *    paper's algorithms are applied to x / q and u = q w (u.x/q = w.x):
 *    the regulariser becomes Lambda / q^2 in u, which gives the factors q
 *    and q^2 below.  (diffprivlib's Vector mechanism writes c q where this
 *    derivation, and the eigenvalue bound c ||x||^2 of the rank-one
 *    Hessian l'' x x^T in the proof of Theorem 9, give c q^2; the two agree
 *    at q = 1, which is where tests/unit/test_dp_logreg.c compares them.)
 *  - the loss convex, differentiable, |l'| <= 1 and 0 <= l'' <= c: for the
 *    logistic loss l(z) = log(1 + e^-z), l' = -1 / (1 + e^z) in (-1, 0) and
 *    l'' = sigma(z) (1 - sigma(z)) <= 1/4, so c = 1/4.  Row weights w_i in
 *    [0, 1] keep both bounds (w_i l has |.'| <= 1, .'' <= c); a method
 *    whose weights reach W_max (dp-reweigh) passes weight_max, and the fit
 *    uses weights w_i / W_max with C W_max, the same objective.
 *  - the regulariser 1/2 ||w||^2 on every coordinate, the intercept's too
 *    (strong convexity Lambda in every direction bounds the Jacobian in
 *    Theorem 9): so the private model penalises its intercept, unlike the
 *    non-private fit.
 *  - neighbouring data sets differ in one row (n stays, and is public).
 *  - the exact minimiser: the solver runs to a relative gradient of
 *    DP_TOL (1e-10), and a fit that does not converge is an error.
 *
 * Objective perturbation (Algorithm 2), q-scaled:
 *   epsilon' = epsilon - 2 ln(1 + c q^2 / (n Lambda)) = epsilon - 2 ln(1 +
 *     c q^2 C);
 *   if epsilon' <= 0: Delta = c q^2 / (n (e^(epsilon/4) - 1)) - Lambda (>= 0
 *     then) and epsilon' = epsilon / 2; else Delta = 0;
 *   b with density exp(-epsilon' ||b|| / (2 q)) (norm ~ Gamma(d, 2q /
 *     epsilon'), direction uniform; the sensitivity of the gradient term is
 *     ||w l' y x - w' l' y' x'|| <= 2 q);
 *   minimise C sum_i w_i l_i + 1/2 (1 + n C Delta) ||x||^2 + C b.x.
 * Output perturbation (Algorithm 1): the minimiser x* of the unperturbed
 * objective changes by at most 2 q / (n Lambda) = 2 q C between
 * neighbours (Corollary 8: 1-Lipschitz loss, Lambda-strongly convex
 * objective), so x* + b with density exp(-epsilon ||b|| / (2 q C)) is
 * epsilon-DP; with delta > 0, Gaussian noise of L2 sensitivity 2 q C
 * (ft_dp_gaussian_sigma) instead.
 *
 * epsilon = 0 means infinity: the non-private ft_logreg_fit itself (no
 * clipping, no noise, intercept unpenalised), so that the method equals
 * the unmitigated fit exactly.
 *
 * What is not released: the solver's iteration count, final objective and
 * gradient norm depend on the data, so res reports 0 for them; the number
 * of clipped rows is not reported either.
 *
 * Not here: the encoder's statistics (src/data/dp_encode.c: standardize
 * with public bounds, or privately), the noise (src/core/dp_noise.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/dp.h"
#include "model/model.h"
#include "core/dp.h"
#include "core/internal.h"
#include "core/dist.h"

/* The logistic loss's curvature bound (the paper's c). */
#define DP_C 0.25
#define DP_TOL 1e-10
#define BLOCK_ROWS 4096

void ft_dplr_params_init(struct ft_dplr_params *p)
{
	memset(p, 0, sizeof *p);
	p->epsilon = 1.0;
	p->delta = 0.0;
	p->mechanism = FT_DP_OBJECTIVE;
	p->row_norm = 1.0;
	p->C = 1.0;
	p->fit_intercept = 1;
	p->weight_max = 1.0;
	ft_solver_opts_init(&p->solver);
}

static const char *check_params(const struct ft_dplr_params *p)
{
	if (!(p->epsilon >= 0.0) || !isfinite(p->epsilon))
		return "epsilon must be a finite number >= 0 (0 = no privacy)";
	if (!(p->delta >= 0.0 && p->delta < 1.0))
		return "delta must be in [0, 1)";
	if (p->mechanism != FT_DP_OBJECTIVE && p->mechanism != FT_DP_OUTPUT)
		return "mechanism must be objective or output";
	if (p->mechanism == FT_DP_OBJECTIVE && p->delta > 0.0 && p->epsilon > 0.0)
		return "objective perturbation is pure epsilon-DP: delta must be 0 "
		       "(output perturbation takes delta > 0 with Gaussian noise)";
	if (!(p->row_norm > 0.0) || !isfinite(p->row_norm))
		return "row_norm must be a positive finite number";
	if (!(p->C > 0.0) || !isfinite(p->C))
		return "C must be a positive finite number";
	if (p->fit_intercept != 0 && p->fit_intercept != 1)
		return "fit_intercept must be 0 or 1";
	if (!(p->weight_max > 0.0) || !isfinite(p->weight_max))
		return "weight_max must be a positive finite number";
	return NULL;
}

int ft_dplr_calibrate(const struct ft_dplr_params *p, size_t n, size_t n_features,
                      struct ft_dplr_calib *cal, struct ft_error *err)
{
	const char *msg = check_params(p);
	double eps = p->epsilon, cq2;

	memset(cal, 0, sizeof *cal);
	if (msg)
		return ft_error_set(err, FT_EINVAL, "dp-logreg: %s", msg);
	if (n == 0)
		return ft_error_set(err, FT_EDATA, "dp-logreg: no training rows");
	if (!(eps > 0.0))
		return ft_error_set(err, FT_EINVAL, "dp-logreg: epsilon 0 (infinity) has no "
		                    "calibration");
	cal->n = n;
	cal->dim = n_features + (p->fit_intercept ? 1 : 0);
	cal->q = p->fit_intercept ? sqrt(p->row_norm * p->row_norm + 1.0) : p->row_norm;
	cal->C = p->C * p->weight_max;
	cal->Lambda = 1.0 / ((double)n * cal->C);
	cal->reg = 1.0;
	cq2 = DP_C * cal->q * cal->q;
	if (p->mechanism == FT_DP_OBJECTIVE) {
		/* eps - 2 ln(1 + c q^2 / (n Lambda)), n Lambda = 1 / C */
		cal->eps_prime = eps - 2.0 * log1p(cq2 * cal->C);
		if (!(cal->eps_prime > 0.0)) {
			cal->Delta = cq2 / ((double)n * expm1(eps / 4.0)) - cal->Lambda;
			if (cal->Delta < 0.0)
				cal->Delta = 0.0;     /* rounding only: >= 0 in exact arithmetic */
			cal->eps_prime = eps / 2.0;
		}
		/* 1 + n C Delta */
		cal->reg = 1.0 + (double)n * cal->C * cal->Delta;
		cal->scale = 2.0 * cal->q / cal->eps_prime;
	} else if (p->delta > 0.0) {
		int rc = ft_dp_gaussian_sigma(2.0 * cal->q * cal->C, eps, p->delta, &cal->scale,
		                              err);
		if (rc)
			return rc;
		cal->gaussian = 1;
	} else {
		cal->scale = 2.0 * cal->q * cal->C / eps;
	}
	if (!isfinite(cal->scale) || !isfinite(cal->reg))
		return ft_error_set(err, FT_ENUMERIC, "dp-logreg: the noise scale is not finite "
		                    "(epsilon %g, C %g, row_norm %g)", eps, p->C, p->row_norm);
	return 0;
}

int ft_dplr_clip_factors(const struct ft_dataset *d, double row_norm, double *s)
{
	for (size_t i = 0; i < d->n; i++) {
		double r2 = 0.0;
		for (size_t j = 0; j < d->n_num; j++) {
			double v = d->num[i * d->n_num + j];
			r2 += v * v;
		}
		for (size_t c = 0; c < d->n_cat; c++)
			r2 += d->code[i * d->n_cat + c] >= 0;
		s[i] = r2 > row_norm * row_norm ? row_norm / sqrt(r2) : 1.0;
		/* rounding may leave s x a hair above row_norm: shave it */
		while (s[i] < 1.0 && s[i] * s[i] * r2 > row_norm * row_norm)
			s[i] = nextafter(s[i], 0.0);
	}
	return 0;
}

/* ------------------------------------------------------ the objective */

struct dpobj {
	const struct ft_dataset *d;
	const double *s;          /* clipping factors */
	const double *b;          /* the noise, dim entries or NULL */
	double C, wscale, reg;    /* C; 1 / weight_max; quadratic weight */
	int intercept;
	size_t p;
};

struct dpcall {
	const struct dpobj *o;
	const double *x, *v;
	size_t *idx;
	size_t idx_stride;            /* its chunks this many apart */
};

static double wt(const struct dpobj *o, size_t i)
{
	return (o->d->w ? o->d->w[i] : 1.0) * o->wscale;
}

static double zrow(const struct dpobj *o, size_t i, const double *x)
{
	return o->s[i] * ft_row_dot(o->d, i, x) + (o->intercept ? x[o->p] : 0.0);
}

/* The margins of rows [i0, i0 + m) into z. */
static void zrows(const struct dpobj *o, size_t i0, size_t m, const double *x, double *z)
{
	for (size_t k = 0; k < m; k++)
		z[k] = zrow(o, i0 + k, x);
}

/* Of the rows i0 + k of a batch (k < m): w[k] their weights and t[k] =
 * C w l''(z) their Hessian weights (meaningless where w[k] is 0). */
static void curv_rows(const struct dpobj *o, size_t i0, size_t m, const double *x,
                      double *t, double *w)
{
	double z[FT_LOGISTIC_BATCH];

	zrows(o, i0, m, x, z);
	ft_logistic_curv_batch(z, m, t);
	for (size_t k = 0; k < m; k++) {
		w[k] = wt(o, i0 + k);
		t[k] = o->C * w[k] * t[k];
	}
}

/* The loss terms are logreg.c's (ft_logistic_batch, model.h), a batch of
 * rows at a time; the sums in row order.  part: gradient (p + 1), then f */
static void vg_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct dpcall *a = ctx;
	const struct dpobj *o = a->o;
	double f = 0.0, gb = 0.0, z[FT_LOGISTIC_BATCH], l[FT_LOGISTIC_BATCH],
	       rz[FT_LOGISTIC_BATCH];

	(void)chunk;
	for (size_t i0 = lo; i0 < hi; i0 += FT_LOGISTIC_BATCH) {
		size_t m = hi - i0 < FT_LOGISTIC_BATCH ? hi - i0 : FT_LOGISTIC_BATCH;
		zrows(o, i0, m, a->x, z);
		ft_logistic_batch(o->d->y + i0, z, m, l, rz, NULL);
		for (size_t k = 0; k < m; k++) {
			size_t i = i0 + k;
			double w = wt(o, i), r;
			if (w == 0.0)
				continue;
			f += w * l[k];
			r = rz[k] * (o->C * w);
			ft_row_axpy(o->d, i, r * o->s[i], part);
			gb += r;
		}
	}
	part[o->p + 1] += o->C * f;
	if (o->intercept)
		part[o->p] += gb;
}

static void hv_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct dpcall *a = ctx;
	const struct dpobj *o = a->o;
	double hb = 0.0, vb = o->intercept ? a->v[o->p] : 0.0;
	double ct[FT_LOGISTIC_BATCH], w[FT_LOGISTIC_BATCH];

	(void)chunk;
	for (size_t i0 = lo; i0 < hi; i0 += FT_LOGISTIC_BATCH) {
		size_t m = hi - i0 < FT_LOGISTIC_BATCH ? hi - i0 : FT_LOGISTIC_BATCH;
		curv_rows(o, i0, m, a->x, ct, w);
		for (size_t k = 0; k < m; k++) {
			size_t i = i0 + k;
			double t;
			if (w[k] == 0.0)
				continue;
			t = ct[k] * (o->s[i] * ft_row_dot(o->d, i, a->v) + vb);
			ft_row_axpy(o->d, i, t * o->s[i], part);
			hb += t;
		}
	}
	if (o->intercept)
		part[o->p] += hb;
}

/* The loss Hessian: H_bb (features) in the upper triangle through
 * ft_row_outer with t s_i^2; the cross terms t s_i x_i into row p below
 * the diagonal (contiguous), and t on H[p][p]. */
static void hess_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct dpcall *a = ctx;
	const struct dpobj *o = a->o;
	size_t p = o->p, dim = p + 1, *idx = a->idx + chunk * a->idx_stride;
	double ct[FT_LOGISTIC_BATCH], w[FT_LOGISTIC_BATCH];

	for (size_t i0 = lo; i0 < hi; i0 += FT_LOGISTIC_BATCH) {
		size_t m = hi - i0 < FT_LOGISTIC_BATCH ? hi - i0 : FT_LOGISTIC_BATCH;
		curv_rows(o, i0, m, a->x, ct, w);
		for (size_t k = 0; k < m; k++) {
			size_t i = i0 + k;
			double t = ct[k];
			if (w[k] == 0.0)
				continue;
			ft_row_outer(o->d, i, t * o->s[i] * o->s[i], 0, 0, part, dim, idx);
			if (o->intercept) {
				ft_row_axpy(o->d, i, t * o->s[i], part + p * dim);
				part[p * dim + p] += t;
			}
		}
	}
}

/* The three passes again for wider vectors, as logreg.c's (internal.h:
 * the same bits at every level). */
FT_SIMD_VARIANTS(vg_chunk, (void *ctx, size_t chunk, size_t lo, size_t hi, double *part),
                 (ctx, chunk, lo, hi, part))
FT_SIMD_VARIANTS(hv_chunk, (void *ctx, size_t chunk, size_t lo, size_t hi, double *part),
                 (ctx, chunk, lo, hi, part))
FT_SIMD_VARIANTS(hess_chunk, (void *ctx, size_t chunk, size_t lo, size_t hi, double *part),
                 (ctx, chunk, lo, hi, part))

static int dp_value_grad(void *ctx, const double *x, double *f, double *g)
{
	const struct dpobj *o = ctx;
	size_t p = o->p, dim = p + 1;
	struct dpcall a = {.o = o, .x = x};
	double *buf = calloc(dim + 1, sizeof *buf);
	int rc;

	if (!buf)
		return FT_ENOMEM;
	rc = ft_parallel_sum(o->d->n, dim + 1, buf, vg_chunk_pick(), &a);
	if (rc) {
		free(buf);
		return rc;
	}
	*f = buf[dim];
	for (size_t j = 0; j < dim; j++) {
		double bj = o->b && (j < p || o->intercept) ? o->b[j] : 0.0;
		*f += 0.5 * o->reg * x[j] * x[j] + o->C * bj * x[j];
		if (g)
			g[j] = buf[j] + o->reg * x[j] + o->C * bj;
	}
	if (!o->intercept) {
		/* b pinned at 0 (as src/model/logreg.c): 1/2 b^2 */
		*f += 0.5 * (1.0 - o->reg) * x[p] * x[p];
		if (g)
			g[p] = x[p];
	}
	free(buf);
	return 0;
}

static int dp_hess_vec(void *ctx, const double *x, const double *v, double *hv)
{
	const struct dpobj *o = ctx;
	size_t p = o->p;
	struct dpcall a = {.o = o, .x = x, .v = v};
	int rc;

	memset(hv, 0, (p + 1) * sizeof *hv);
	if ((rc = ft_parallel_sum(o->d->n, p + 1, hv, hv_chunk_pick(), &a)) != 0)
		return rc;
	for (size_t j = 0; j <= p; j++)
		hv[j] += (j < p || o->intercept ? o->reg : 1.0) * v[j];
	return 0;
}

static int dp_hessian(void *ctx, const double *x, double *H)
{
	const struct dpobj *o = ctx;
	size_t p = o->p, dim = p + 1;
	struct dpcall a = {.o = o, .x = x};
	int rc;

	a.idx = ft_chunk_scratch(ft_parallel_chunks(o->d->n, dim * dim), o->d->n_cat + 1,
	                         sizeof *a.idx, &a.idx_stride);
	if (!a.idx)
		return FT_ENOMEM;
	memset(H, 0, dim * dim * sizeof *H);
	rc = ft_parallel_sum(o->d->n, dim * dim, H, hess_chunk_pick(), &a);
	free(a.idx);
	if (rc)
		return rc;
	/* the cross terms sit in row p below the diagonal: mirror them into
	 * column p, then the whole upper triangle into the lower one */
	for (size_t j = 0; j < p; j++)
		H[j * dim + p] = H[p * dim + j];
	for (size_t r = 0; r < dim; r++)
		for (size_t e = r + 1; e < dim; e++)
			H[e * dim + r] = H[r * dim + e];
	for (size_t j = 0; j <= p; j++)
		H[j * dim + j] += j < p || o->intercept ? o->reg : 1.0;
	return 0;
}

/* ------------------------------------------------------------ the fit */

/* The first bad row of d (labels, weights in [0, wmax], features). */
static int check_rows(const struct ft_dataset *d, double wmax, struct ft_error *err)
{
	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1.0;
		if (d->y[i] != 0.0 && d->y[i] != 1.0)
			return ft_error_set(err, FT_EDATA, "dp-logreg: row %zu: label %g is not 0 "
			                    "or 1", i + 1, d->y[i]);
		if (!(w >= 0.0 && w <= wmax))
			return ft_error_set(err, FT_EDATA, "dp-logreg: row %zu: weight %g is "
			                    "outside [0, %g], the bound the privacy proof needs "
			                    "(private methods take no weight column)", i + 1, w, wmax);
		for (size_t j = 0; j < d->n_num; j++)
			if (!isfinite(d->num[i * d->n_num + j]))
				return ft_error_set(err, FT_EDATA, "dp-logreg: row %zu: numeric "
				                    "feature %zu is not finite", i + 1, j);
		for (size_t c = 0; c < d->n_cat; c++) {
			int32_t k = d->code[i * d->n_cat + c];
			if (k < -1 || (k >= 0 && ((size_t)k < d->n_num || (size_t)k >= d->p)))
				return ft_error_set(err, FT_EINVAL, "dp-logreg: row %zu: categorical "
				                    "code %ld out of range", i + 1, (long)k);
		}
	}
	return 0;
}

static int check_data(const struct ft_dataset *d, double wmax, struct ft_error *err)
{
	if (!d || !d->y)
		return ft_error_set(err, FT_EINVAL, "dp-logreg: no labelled data");
	if (ft_dist_rows_total(d->n) == 0)
		return ft_error_set(err, FT_EDATA, "dp-logreg: no training rows");
	if (d->n_num > d->p || (d->n_num > 0 && !d->num) || (d->n_cat > 0 && !d->code))
		return ft_error_set(err, FT_EINVAL, "dp-logreg: malformed data set");
	/* the first bad row over the ranks of a distributed data set */
	return ft_dist_agree(check_rows(d, wmax, err), err);
}

int ft_dplr_fit_noise(const struct ft_dataset *d, const struct ft_dplr_params *p,
                      const struct ft_dplr_calib *cal, const double *b, double *x,
                      struct ft_solver_result *res, struct ft_error *err)
{
	struct dpobj o;
	struct ft_objective obj;
	struct ft_solver_opts so = p->solver;
	struct ft_solver_result r;
	double *s = NULL;
	int rc;

	if ((rc = check_data(d, p->weight_max, err)) != 0)
		return rc;
	s = malloc((d->n ? d->n : 1) * sizeof *s);
	if (!s)
		return ft_error_set(err, FT_ENOMEM, "dp-logreg: out of memory");
	ft_dplr_clip_factors(d, p->row_norm, s);
	memset(&o, 0, sizeof o);
	o.d = d;
	o.s = s;
	o.C = cal->C;
	o.wscale = 1.0 / p->weight_max;
	o.intercept = p->fit_intercept;
	o.p = d->p;
	o.reg = p->mechanism == FT_DP_OBJECTIVE ? cal->reg : 1.0;
	o.b = p->mechanism == FT_DP_OBJECTIVE ? b : NULL;
	memset(&obj, 0, sizeof obj);
	obj.dim = d->p + 1;
	obj.ctx = &o;
	obj.value_grad = dp_value_grad;
	obj.hess_vec = dp_hess_vec;
	obj.hessian = dp_hessian;
	if (so.tol > DP_TOL)
		so.tol = DP_TOL;
	memset(x, 0, (d->p + 1) * sizeof *x);
	if ((rc = ft_minimize(&obj, x, &so, &r, err)) != 0)
		goto done;
	if (!r.converged) {
		rc = ft_error_set(err, FT_ENUMERIC, "dp-logreg: the solver did not reach the "
		                  "minimiser the privacy proof needs (raise --max-iter)");
		goto done;
	}
	if (p->mechanism == FT_DP_OUTPUT && b)
		for (size_t j = 0; j < cal->dim; j++)
			x[j] += b[j];
	if (!p->fit_intercept)
		x[d->p] = 0.0;
	for (size_t j = 0; j <= d->p; j++)
		if (!isfinite(x[j])) {
			rc = ft_error_set(err, FT_ENUMERIC, "dp-logreg: coefficient %zu is %g", j,
			                  x[j]);
			goto done;
		}
	if (res) {
		/* iterations, f and |g| depend on the data: not released */
		memset(res, 0, sizeof *res);
		res->solver = r.solver;
		res->converged = 1;
	}
done:
	free(s);
	return rc;
}

int ft_dplr_fit(const struct ft_dataset *d, const struct ft_dplr_params *p,
                struct ft_noise *ns, struct ft_budget *bud, int stage,
                struct ft_linear_model **out, struct ft_solver_result *res,
                struct ft_error *err)
{
	struct ft_dplr_calib cal;
	struct ft_linear_model *m = NULL;
	double *x = NULL, *b = NULL;
	const char *msg;
	int rc;

	*out = NULL;
	if (!p || !d)
		return ft_error_set(err, FT_EINVAL, "dp-logreg: no data or parameters");
	if ((msg = check_params(p)) != NULL)
		return ft_error_set(err, FT_EINVAL, "dp-logreg: %s", msg);
	if (p->epsilon == 0.0) {
		/* infinity: the non-private fit itself */
		struct ft_logreg_params lp;
		ft_logreg_params_init(&lp);
		lp.C = p->C;
		lp.fit_intercept = p->fit_intercept;
		lp.solver = p->solver;
		return ft_logreg_fit(d, &lp, out, res, err);
	}
	if ((rc = check_data(d, p->weight_max, err)) != 0)
		return rc;
	if ((rc = ft_dplr_calibrate(p, ft_dist_rows_total(d->n), d->p, &cal, err)) != 0)
		return rc;
	/* refuse before any noise is drawn */
	if (bud) {
		struct ft_budget trial = *bud;
		if ((rc = ft_budget_spend(&trial, stage, p->mechanism == FT_DP_OBJECTIVE ?
		                          "objective-perturbation" : cal.gaussian ?
		                          "output-perturbation-gaussian" : "output-perturbation",
		                          "logistic regression coefficients", p->epsilon,
		                          p->mechanism == FT_DP_OUTPUT ? p->delta : 0.0, err)) != 0)
			return rc;
	}
	x = calloc(d->p + 1, sizeof *x);
	b = calloc(cal.dim + 1, sizeof *b);
	m = calloc(1, sizeof *m);
	if (m)
		m->coef = malloc((d->p ? d->p : 1) * sizeof *m->coef);
	if (!x || !b || !m || !m->coef) {
		rc = ft_error_set(err, FT_ENOMEM, "dp-logreg: out of memory");
		goto done;
	}
	if (cal.gaussian)
		for (size_t j = 0; j < cal.dim; j++)
			b[j] = cal.scale * ft_noise_normal(ns);
	else
		ft_noise_vector(ns, b, cal.dim, cal.scale);
	if (ns->err) {
		rc = ft_error_set(err, FT_EIO, "dp-logreg: getrandom failed");
		goto done;
	}
	if ((rc = ft_dplr_fit_noise(d, p, &cal, b, x, res, err)) != 0)
		goto done;
	m->type = FT_MODEL_LOGREG;
	m->p = d->p;
	if (d->p)
		memcpy(m->coef, x, d->p * sizeof *x);
	m->intercept = x[d->p];
	if (bud) {
		ft_budget_spend(bud, stage, p->mechanism == FT_DP_OBJECTIVE ?
		                "objective-perturbation" : cal.gaussian ?
		                "output-perturbation-gaussian" : "output-perturbation",
		                "logistic regression coefficients", p->epsilon,
		                p->mechanism == FT_DP_OUTPUT ? p->delta : 0.0, NULL);
		bud->seeded |= ns->seeded;
	}
	*out = m;
	m = NULL;
done:
	/* the noise must not outlive the fit */
	if (b)
		memset(b, 0, (cal.dim + 1) * sizeof *b);
	free(b);
	free(x);
	ft_linear_model_free(m);
	return rc;
}
