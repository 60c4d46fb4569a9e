/*
 * covariance.c - constrained logistic regression with Zafar et al.'s
 * covariance proxies for disparate impact and disparate mistreatment.
 *
 *   Zafar, Valera, Gomez-Rodriguez & Gummadi, "Fairness Constraints:
 *   Mechanisms for Fair Classification", AISTATS 2017 (section 3: the
 *   decision-boundary covariance; 3.1 = cov-fair, 3.2 = cov-acc).
 *   Zafar, Valera, Gomez-Rodriguez & Gummadi, "Fairness Beyond Disparate
 *   Treatment & Disparate Impact: Learning Classification without Disparate
 *   Mistreatment", WWW 2017 (section 4: the misclassification-distance
 *   covariance; eq. 8 / 9 = mistreat).
 *
 * Notation.  theta = (beta, b) = x[0 .. p-1], x[p] (the layout of
 * ft_logreg_objective), xt_i = (x_i, 1), d_i(theta) = xt_i . theta, weights
 * w_i, W = sum_i w_i.  F(theta) = C sum_i w_i logloss_i + 1/2 ||beta||^2 is
 * the logistic objective (ft_logreg_objective).  Group indicators z_ik = 1
 * when row i is in group k: with two groups only one indicator is needed
 * (the covariances of the two indicators are negatives of each other), the
 * non-privileged group's (group 0 when no group is privileged); with more
 * groups one per group.
 *
 * Decision-boundary covariance (AISTATS 2017, eq. 3), weighted:
 *   cov_k(theta) = (1/W) sum_i w_i (z_ik - zbar_k) d_i(theta),
 *   zbar_k = (1/W) sum_i w_i z_ik.
 * It is linear, cov_k = a_k . theta with
 *   a_k = (1/W) [S_k - zbar_k S],  S_k = sum_{i in k} w_i xt_i,  S = sum_i w_i xt_i,
 * so a_k is computed once, from one pass that sums w_i xt_i per group over
 * the non-zeros of each row (ft_parallel_sum).  Its intercept entry is
 * exactly 0 (sum_i w_i (z_ik - zbar_k) = 0) and is set so.
 *
 * cov-fair (AISTATS 2017, problem 4):
 *   min F(theta)  s.t.  cov_k(theta) <= c  and  -cov_k(theta) <= c  for all k.
 * cov-acc (AISTATS 2017, problem 5; the "accuracy constraints" formulation):
 *   min sum_k cov_k(theta)^2  s.t.  F(theta) <= (1 + gamma) F(theta*),
 * F(theta*) = in->baseline_objective (the unconstrained optimum).  The
 * paper minimises |cov| (sum of absolute values); the square is smooth and
 * has the same zero set.  Which optimum: the objective is flat along every
 * direction that leaves all cov_k unchanged.  When the least loss at zero
 * covariance, F_0 = min F s.t. cov_k = 0 for all k (cov-fair's problem
 * with c = 0), is within the bound, every zero-covariance point of the
 * loss ball is optimal (a set, not a point: on Adult an augmented
 * Lagrangian from the baseline ends on the loss boundary, Zafar's SLSQP
 * near the unconstrained model), and the method returns the least-loss
 * member, the c = 0 solution itself: unique (F strictly convex on the
 * hyperplane) and independent of gamma and of the start.  Otherwise the
 * minimum of sum cov_k^2 is positive, lies on the boundary of the
 * strictly convex loss ball and is unique; it is solved as above from the
 * baseline.  So the fit first solves the c = 0 problem (stage 1), and
 * only when F_0 exceeds the bound (or that solve did not converge) the
 * problem above (stage 2).  Diagnostics: min_cov_zero (1 = the minimum
 * covariance is zero and the least-loss member was returned) and
 * gamma_zero_cov = F_0 / F* - 1, the smallest gamma at which it is.
 * mistreat (WWW 2017, eq. 8 / 9): with signed labels s_i = 2 y_i - 1 and the
 * misclassification distance g_i(theta) = min(0, s_i d_i(theta)),
 *   cov^S_k(theta) = (1/W_S) sum_{i in S} w_i (z_ik - zbar^S_k) g_i(theta),
 * S = the negatives (y = 0: false positives, fpr = 1) and / or the
 * positives (y = 1: false negatives, fnr = 1); W_S and zbar^S_k are the
 * weight and the indicator mean within S, as in the authors' code
 * (disparate_mistreatment/.../funcs_disp_mist.py normalises each set by its
 * own size and group shares).  min F s.t. |cov^S_k| <= c.
 *
 * Solver: the augmented Lagrangian of src/optim/auglag.c around ft_minimize
 * (dense Newton: the logistic Hessian is cheap at Adult's size, and L-BFGS
 * needs hundreds of iterations on the unscaled one-hot design).  Chosen
 * over NLopt's SLSQP (what the authors use through scipy) because it reuses
 * the existing solver, its row sums and warm starts, adds no dependency and
 * reports the multipliers and the KKT residual directly.  Each constraint is
 * divided by the norm of its gradient (at the start point for mistreat) so
 * that all constraints are distances in theta space of similar size; values,
 * bounds and multipliers in the diagnostics are in the original units.
 *
 * Non-smoothness (mistreat).  g_i is piecewise linear with a kink at
 * s_i d_i = 0, so cov^S_k is piecewise linear and, because z_ik - zbar_k
 * takes both signs, neither convex nor concave (a difference of convex
 * functions).  With the plain (sub)gradient (s_i xt_i where s_i d_i < 0,
 * else 0) Newton and L-BFGS stall: on Adult the inner solves ran into their
 * iteration limit at every outer step, because a piecewise linear function
 * has no point of zero gradient near a kink.  So min(0, t) is replaced by
 * its C^1 smoothing over a band of half-width h = MIS_H = 0.01 (in logit
 * units of the decision value):
 *   phi(t) = t                     t <= -h
 *          = -(t - h)^2 / (4 h)    -h < t < h
 *          = 0                     t >= h,
 * |phi - min(0, t)| <= h / 4, phi' = 1, -(t - h) / (2 h), 0.  Outside the
 * band the gradient is the paper's subgradient exactly.  The curvature of
 * phi inside the band is left out of the Newton Hessian (hess = NULL): the
 * step stays a descent direction and the line search absorbs the rest.
 * The authors use DCCP (Shen et al. 2016): convex-concave programming that
 * linearises the concave part at the current point and solves a sequence
 * of convex subproblems with an interior-point solver, each iterate
 * feasible for the true constraints.  Both are local methods from the same
 * start with no global guarantee; ours is one smooth constrained problem
 * solved by the augmented Lagrangian, and its reported constraint values
 * are those of the smoothed g (within h / 4 per misclassified row of the
 * paper's, weighted: at most h / 4 in total).

 * Expected, not a bug: zero decision-boundary covariance is not
 * demographic parity.  On Adult the p%-rule levels off near 80% at c = 0,
 * with about 1.5 points of accuracy lost (the AISTATS 2017 figure 2 shape).
 *
 * Not here: the method table and parameter parsing (methods.c), per-point
 * "no positive gets a negative prediction" variants of the authors' code,
 * and the penalty version of the covariance (regularizers.c, reg-cov).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/fair.h"
#include "model/model.h"
#include "optim/optim.h"
#include "core/internal.h"

#define BLOCK_ROWS 4096
#define NAME_MAX_LEN 48
/* half-width of the band in which min(0, t) is smoothed (mistreat) */
#define MIS_H 0.01

/* Everything one fit needs besides the logistic objective. */
struct cov {
	const struct ft_fit_input *in;
	const struct ft_dataset *d;
	size_t p, dim, G;
	int fit_intercept;
	size_t K;              /* indicators */
	size_t *gk;            /* K: the group of indicator k */
	double W;              /* total weight */
	double *A;             /* K x dim: cov_k = A_k . theta */
	/* constraints (m of them) */
	size_t m;
	double *scale;         /* m: c_k = scale_k (value_k - bound_k) */
	double *bound;         /* m */
	char (*name)[NAME_MAX_LEN];
	const char **name_ptr; /* m, into name */
	double c;              /* cov-fair / mistreat bound */
	/* cov-acc */
	struct ft_objective *loss;
	double loss_bound, loss_star;
	double *H;             /* dim x dim scratch for the loss Hessian */
	/* mistreat */
	int use_set[2];        /* [0] negatives (fpr), [1] positives (fnr) */
	double WS[2];          /* weight of each set */
	double *zbarS;         /* 2 x K: indicator means within each set */
	double *part;          /* 2 x (G + 1) x (dim + 1) row sums */
	double *vs, *Gs;       /* m / 2 raw covariances and their gradients */
	size_t n_sets;
};

static double wt(const struct ft_dataset *d, size_t i)
{
	return d->w ? d->w[i] : 1.0;
}

/* The block a row's sums go to: its group, or G for rows of no group. */
static size_t gblock(const struct ft_dataset *d, size_t G, size_t i)
{
	int32_t g = d->group[i];
	return g >= 0 && (size_t)g < G ? (size_t)g : G;
}

static const char *gname(const struct ft_fit_input *in, size_t g, char *buf,
                         size_t n)
{
	if (in->group_names && in->group_names[g])
		return in->group_names[g];
	snprintf(buf, n, "group %zu", g);
	return buf;
}

/* ------------------------------------------------ setup and the a_k */

struct sum_call {
	const struct ft_dataset *d;
	size_t G, dim;
};

/* part[(g * dim) ..] += w_i xt_i for rows of group block g (G + 1 blocks) */
static void sums_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct sum_call *a = ctx;
	const struct ft_dataset *d = a->d;
	size_t p = d->p;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double w = wt(d, i);
		double *blk = part + gblock(d, a->G, i) * a->dim;
		if (w == 0.0)
			continue;
		ft_row_axpy(d, i, w, blk);
		blk[p] += w;
	}
}

static void cov_free(struct cov *cv)
{
	free(cv->gk);
	free(cv->A);
	free(cv->scale);
	free(cv->bound);
	free(cv->name);
	free(cv->name_ptr);
	free(cv->H);
	free(cv->zbarS);
	free(cv->part);
	free(cv->vs);
	free(cv->Gs);
}

/* Check the input, pick the indicators, compute W and the a_k; allocate
 * room for m constraints.  tag names the method in messages. */
static int cov_setup(struct cov *cv, const struct ft_fit_input *in, size_t m_per_k,
                     const char *tag, struct ft_error *err)
{
	const struct ft_dataset *d = in ? in->train : NULL;
	struct sum_call sc;
	double *S = NULL;
	int rc = 0;

	memset(cv, 0, sizeof *cv);
	if (!in || !d || !in->lr || !in->params)
		return ft_error_set(err, FT_EINVAL, "%s: incomplete fit input", tag);
	if (!d->group)
		return ft_error_set(err, FT_EDATA, "%s: needs a sensitive attribute", tag);
	if (in->n_groups < 2)
		return ft_error_set(err, FT_EDATA, "%s: needs at least two groups, found %zu",
		                    tag, in->n_groups);
	if (in->baseline && in->baseline->p != d->p)
		return ft_error_set(err, FT_EINVAL, "%s: baseline has %zu features, the data %zu",
		                    tag, in->baseline->p, d->p);
	cv->in = in;
	cv->d = d;
	cv->p = d->p;
	cv->dim = d->p + 1;
	cv->G = in->n_groups;
	cv->fit_intercept = in->lr->fit_intercept;
	cv->K = cv->G == 2 ? 1 : cv->G;
	cv->m = cv->K * m_per_k;
	cv->gk = malloc(cv->K * sizeof *cv->gk);
	cv->A = calloc(cv->K * cv->dim, sizeof *cv->A);
	S = calloc((cv->G + 1) * cv->dim, sizeof *S);
	if (cv->m > 0) {
		cv->scale = malloc(cv->m * sizeof *cv->scale);
		cv->bound = malloc(cv->m * sizeof *cv->bound);
		cv->name = malloc(cv->m * sizeof *cv->name);
		cv->name_ptr = malloc(cv->m * sizeof *cv->name_ptr);
	}
	if (!cv->gk || !cv->A || !S ||
	    (cv->m > 0 && (!cv->scale || !cv->bound || !cv->name || !cv->name_ptr))) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", tag);
		goto done;
	}
	if (cv->G == 2)
		cv->gk[0] = in->privileged == 0 ? 1 : 0;   /* the non-privileged group */
	else
		for (size_t k = 0; k < cv->K; k++)
			cv->gk[k] = k;
	for (size_t k = 0; k < cv->m; k++)
		cv->name_ptr[k] = cv->name[k];

	sc.d = d;
	sc.G = cv->G;
	sc.dim = cv->dim;
	if ((rc = ft_parallel_sum(d->n, (cv->G + 1) * cv->dim, S, sums_chunk, &sc)) != 0) {
		rc = ft_error_set(err, rc, "%s: out of memory", tag);
		goto done;
	}
	/* S_total in block G after adding the groups in */
	for (size_t g = 0; g < cv->G; g++)
		for (size_t j = 0; j < cv->dim; j++)
			S[cv->G * cv->dim + j] += S[g * cv->dim + j];
	cv->W = S[cv->G * cv->dim + cv->p];
	if (!(cv->W > 0.0) || !isfinite(cv->W)) {
		rc = ft_error_set(err, FT_EDATA, "%s: total training weight is %g", tag, cv->W);
		goto done;
	}
	for (size_t k = 0; k < cv->K; k++) {
		const double *Sk = S + cv->gk[k] * cv->dim, *St = S + cv->G * cv->dim;
		double zbar = Sk[cv->p] / cv->W;
		for (size_t j = 0; j < cv->p; j++)
			cv->A[k * cv->dim + j] = (Sk[j] - zbar * St[j]) / cv->W;
		cv->A[k * cv->dim + cv->p] = 0.0;   /* sum_i w_i (z_ik - zbar_k) = 0 */
	}
done:
	free(S);
	if (rc)
		cov_free(cv);
	return rc;
}

/* Start point: the baseline, or zero without one. */
static void start_point(const struct cov *cv, double *x)
{
	const struct ft_linear_model *b = cv->in->baseline;

	memset(x, 0, cv->dim * sizeof *x);
	if (b) {
		if (cv->p > 0)
			memcpy(x, b->coef, cv->p * sizeof *x);
		x[cv->p] = cv->fit_intercept ? b->intercept : 0.0;
	}
}

static int make_model(const struct cov *cv, const double *x,
                      struct ft_linear_model **out, const char *tag,
                      struct ft_error *err)
{
	struct ft_linear_model *m = calloc(1, sizeof *m);

	if (m)
		m->coef = malloc((cv->p > 0 ? cv->p : 1) * sizeof *m->coef);
	if (!m || !m->coef) {
		ft_linear_model_free(m);
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", tag);
	}
	for (size_t j = 0; j < cv->dim; j++)
		if (!isfinite(x[j])) {
			ft_linear_model_free(m);
			return ft_error_set(err, FT_ENUMERIC, "%s: coefficient %zu is %g", tag, j, x[j]);
		}
	m->type = FT_MODEL_LOGREG;
	m->p = cv->p;
	if (cv->p > 0)
		memcpy(m->coef, x, cv->p * sizeof *x);
	m->intercept = cv->fit_intercept ? x[cv->p] : 0.0;
	*out = m;
	return 0;
}

static double dot(size_t n, const double *a, const double *b)
{
	double s = 0.0;

	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* Default AL options for these problems: the inner solver of in->lr, and
 * f measured against C W, the size of the logistic loss's gradient sums
 * (so tol_kkt is a tolerance on the mean-loss gradient). */
static void al_opts(const struct cov *cv, struct ft_auglag_opts *o, double f_scale)
{
	ft_auglag_opts_init(o);
	o->inner = cv->in->lr->solver;
	o->inner.max_iter = 0;
	o->f_scale = f_scale;
}

/* The diagnostics every method reports first (never dropped by the
 * FT_MAX_DIAG limit). */
static void diag_common(struct ft_fit_output *out, const struct ft_auglag_result *r)
{
	ft_fit_diag(out, "max_violation", r->max_violation);
	ft_fit_diag(out, "kkt_residual", r->kkt_residual);
	ft_fit_diag(out, "complementarity", r->complementarity);
	ft_fit_diag(out, "outer_iterations", r->outer_iterations);
	ft_fit_diag(out, "inner_iterations", r->inner_iterations);
	ft_fit_diag(out, "converged", r->converged);
}

static void set_res(struct ft_fit_output *out, const struct ft_auglag_result *r)
{
	out->res.solver = r->inner_solver;
	out->res.iterations = r->inner_iterations;
	out->res.f = r->f;
	out->res.grad_norm = r->grad_norm;
	out->res.converged = r->converged;
}

/* ------------------------------------------------------------ cov-fair */

/* c_{2k} = s (a_k . x - c), c_{2k+1} = s (-a_k . x - c), s = scale. */
static int fair_eval(void *ctx, const double *x, double *c, double *J)
{
	const struct cov *cv = ctx;
	size_t n = cv->dim;

	for (size_t k = 0; k < cv->K; k++) {
		const double *a = cv->A + k * n;
		double v = dot(n, a, x), s = cv->scale[2 * k];
		c[2 * k] = s * (v - cv->c);
		c[2 * k + 1] = s * (-v - cv->c);
		if (J)
			for (size_t j = 0; j < n; j++) {
				J[2 * k * n + j] = s * a[j];
				J[(2 * k + 1) * n + j] = -s * a[j];
			}
	}
	return 0;
}

/* Names "cov[G]" / "-cov[G]" and bounds c; scale 1 / ||a_k||. */
static void cov_constraints(struct cov *cv, const char *prefix, size_t first,
                            size_t k, double s)
{
	char buf[32];
	const char *g = gname(cv->in, cv->gk[k], buf, sizeof buf);

	snprintf(cv->name[first], NAME_MAX_LEN, "%s[%s]", prefix, g);
	snprintf(cv->name[first + 1], NAME_MAX_LEN, "-%s[%s]", prefix, g);
	cv->bound[first] = cv->bound[first + 1] = cv->c;
	cv->scale[first] = cv->scale[first + 1] = s;
}

/* min F s.t. |cov_k| <= c for every k (cov-fair's problem), from the
 * baseline: x (dim) and lam (2 K, zeroed here) on return; cv has room for
 * 2 K constraints. */
static int fair_solve(struct cov *cv, struct ft_objective *loss, double c, double *x,
                      double *lam, struct ft_auglag_result *r, struct ft_error *err)
{
	struct ft_constraints con;
	struct ft_auglag_opts o;

	cv->c = c;
	cv->m = 2 * cv->K;
	for (size_t k = 0; k < cv->K; k++) {
		double nrm = sqrt(dot(cv->dim, cv->A + k * cv->dim, cv->A + k * cv->dim));
		cov_constraints(cv, "cov", 2 * k, k, nrm > 0.0 ? 1.0 / nrm : 1.0);
	}
	start_point(cv, x);
	memset(lam, 0, cv->m * sizeof *lam);
	con.m = cv->m;
	con.ctx = cv;
	con.eval = fair_eval;
	con.hess = NULL;            /* linear */
	con.names = cv->name_ptr;
	con.bound = cv->bound;
	con.scale = cv->scale;
	al_opts(cv, &o, cv->in->lr->C * cv->W);
	return ft_auglag(loss, &con, x, lam, &o, r, err);
}

int ft_fit_cov_fair(const struct ft_fit_input *in, struct ft_fit_output *out,
                    struct ft_error *err)
{
	struct cov cv;
	struct ft_objective loss;
	struct ft_auglag_result r;
	double *x = NULL, *lam = NULL, *x0 = NULL;
	char name[FT_DIAG_NAME], buf[32];
	int rc;

	memset(&loss, 0, sizeof loss);
	if ((rc = cov_setup(&cv, in, 2, "cov-fair", err)) != 0)
		return rc;
	if (!(in->params[0] >= 0.0) || !isfinite(in->params[0])) {
		rc = ft_error_set(err, FT_EINVAL, "cov-fair: c must be a finite number >= 0, "
		                  "not %g", in->params[0]);
		goto done;
	}
	if ((rc = ft_logreg_objective(cv.d, in->lr->C, in->lr->fit_intercept, &loss, err)) != 0)
		goto done;
	x = malloc(cv.dim * sizeof *x);
	x0 = malloc(cv.dim * sizeof *x0);
	lam = calloc(cv.m, sizeof *lam);
	if (!x || !x0 || !lam) {
		rc = ft_error_set(err, FT_ENOMEM, "cov-fair: out of memory");
		goto done;
	}
	start_point(&cv, x0);
	if ((rc = fair_solve(&cv, &loss, in->params[0], x, lam, &r, err)) != 0)
		goto done;
	if ((rc = make_model(&cv, x, &out->pred.linear, "cov-fair", err)) != 0)
		goto done;
	set_res(out, &r);
	diag_common(out, &r);
	for (size_t k = 0; k < cv.K; k++) {
		const char *g = gname(in, cv.gk[k], buf, sizeof buf);
		const double *a = cv.A + k * cv.dim;
		/* multipliers of |cov| <= c in cov units: lambda_k scale_k;
		 * signed: > 0 when the upper side binds, < 0 the lower */
		double lk = (lam[2 * k] - lam[2 * k + 1]) * cv.scale[2 * k];
		snprintf(name, sizeof name, "cov[%s]", g);
		ft_fit_diag(out, name, dot(cv.dim, a, x));
		snprintf(name, sizeof name, "cov[%s]:bound", g);
		ft_fit_diag(out, name, cv.c);
		snprintf(name, sizeof name, "cov[%s]:lambda", g);
		ft_fit_diag(out, name, lk);
		snprintf(name, sizeof name, "cov[%s]:baseline", g);
		ft_fit_diag(out, name, dot(cv.dim, a, x0));
	}
done:
	free(x);
	free(x0);
	free(lam);
	ft_logreg_objective_free(&loss);
	cov_free(&cv);
	return rc;
}

/* ------------------------------------------------------------- cov-acc */

/* f = sum_k (a_k . x)^2, gradient 2 sum_k cov_k a_k, Hessian 2 sum a a^T. */
static int acc_vg(void *ctx, const double *x, double *f, double *g)
{
	const struct cov *cv = ctx;
	size_t n = cv->dim;

	*f = 0.0;
	if (g)
		memset(g, 0, n * sizeof *g);
	for (size_t k = 0; k < cv->K; k++) {
		const double *a = cv->A + k * n;
		double v = dot(n, a, x);
		*f += v * v;
		if (g)
			for (size_t j = 0; j < n; j++)
				g[j] += 2.0 * v * a[j];
	}
	return 0;
}

static int acc_hess(void *ctx, const double *x, double *H)
{
	const struct cov *cv = ctx;
	size_t n = cv->dim;

	(void)x;
	memset(H, 0, n * n * sizeof *H);
	for (size_t k = 0; k < cv->K; k++) {
		const double *a = cv->A + k * n;
		for (size_t i = 0; i < n; i++)
			if (a[i] != 0.0)
				for (size_t j = 0; j < n; j++)
					H[i * n + j] += 2.0 * a[i] * a[j];
	}
	return 0;
}

static int acc_hv(void *ctx, const double *x, const double *v, double *hv)
{
	const struct cov *cv = ctx;
	size_t n = cv->dim;

	(void)x;
	memset(hv, 0, n * sizeof *hv);
	for (size_t k = 0; k < cv->K; k++) {
		const double *a = cv->A + k * n;
		double t = 2.0 * dot(n, a, v);
		for (size_t j = 0; j < n; j++)
			hv[j] += t * a[j];
	}
	return 0;
}

/* c = (F(x) - bound) / F*: the loss constraint in relative units. */
static int acc_con(void *ctx, const double *x, double *c, double *J)
{
	const struct cov *cv = ctx;
	double F;
	int rc;

	if ((rc = cv->loss->value_grad(cv->loss->ctx, x, &F, J)) != 0)
		return rc;
	c[0] = (F - cv->loss_bound) / cv->loss_star;
	if (J)
		for (size_t j = 0; j < cv->dim; j++)
			J[j] /= cv->loss_star;
	return 0;
}

static int acc_con_hess(void *ctx, const double *x, const double *mu, double *H)
{
	const struct cov *cv = ctx;
	size_t nn = cv->dim * cv->dim;
	int rc;

	if (!(mu[0] > 0.0))
		return 0;
	if ((rc = cv->loss->hessian(cv->loss->ctx, x, cv->H)) != 0)
		return rc;
	for (size_t i = 0; i < nn; i++)
		H[i] += mu[0] / cv->loss_star * cv->H[i];
	return 0;
}

int ft_fit_cov_acc(const struct ft_fit_input *in, struct ft_fit_output *out,
                   struct ft_error *err)
{
	struct cov cv;
	struct ft_objective loss, obj;
	struct ft_constraints con;
	struct ft_auglag_opts o;
	struct ft_auglag_result r;
	double *x = NULL, *x0 = NULL, *lam0 = NULL, lam = 0.0, gamma, F, F0;
	char name[FT_DIAG_NAME], buf[32];
	int rc, zero;

	memset(&loss, 0, sizeof loss);
	if ((rc = cov_setup(&cv, in, 2, "cov-acc", err)) != 0)
		return rc;
	gamma = in->params[0];
	if (!(gamma >= 0.0) || !isfinite(gamma)) {
		rc = ft_error_set(err, FT_EINVAL, "cov-acc: gamma must be a finite number >= 0, "
		                  "not %g", gamma);
		goto done;
	}
	if (!(in->baseline_objective > 0.0) || !isfinite(in->baseline_objective)) {
		rc = ft_error_set(err, FT_EINVAL, "cov-acc: the baseline objective must be a "
		                  "positive finite number, not %g", in->baseline_objective);
		goto done;
	}
	if ((rc = ft_logreg_objective(cv.d, in->lr->C, in->lr->fit_intercept, &loss, err)) != 0)
		goto done;
	cv.loss = &loss;
	cv.loss_star = in->baseline_objective;
	cv.loss_bound = (1.0 + gamma) * in->baseline_objective;
	cv.H = malloc(cv.dim * cv.dim * sizeof *cv.H);
	x = malloc(cv.dim * sizeof *x);
	x0 = malloc(cv.dim * sizeof *x0);
	lam0 = malloc(2 * cv.K * sizeof *lam0);
	if (!cv.H || !x || !x0 || !lam0) {
		rc = ft_error_set(err, FT_ENOMEM, "cov-acc: out of memory");
		goto done;
	}
	start_point(&cv, x0);

	/* Stage 1: the least loss at zero covariance (see the top).  When it
	 * is within the loss bound, the optima are the zero-covariance points
	 * in the loss ball, and this is the defined one. */
	if ((rc = fair_solve(&cv, &loss, 0.0, x, lam0, &r, err)) != 0)
		goto done;
	if ((rc = loss.value_grad(loss.ctx, x, &F0, NULL)) != 0) {
		rc = ft_error_set(err, rc, "cov-acc: loss at zero covariance: %s", ft_strerror(rc));
		goto done;
	}
	zero = r.converged && F0 <= cv.loss_bound;

	if (!zero) {
		/* Stage 2: min sum_k cov_k^2 s.t. F <= bound, unique (the
		 * minimum is > 0, on the boundary of the strictly convex ball) */
		cv.m = 1;
		snprintf(cv.name[0], NAME_MAX_LEN, "loss");
		cv.name_ptr[0] = cv.name[0];
		cv.bound[0] = cv.loss_bound;
		cv.scale[0] = 1.0 / cv.loss_star;
		memcpy(x, x0, cv.dim * sizeof *x);
		obj.dim = cv.dim;
		obj.ctx = &cv;
		obj.value_grad = acc_vg;
		obj.hess_vec = acc_hv;
		obj.hessian = acc_hess;
		con.m = 1;
		con.ctx = &cv;
		con.eval = acc_con;
		con.hess = acc_con_hess;
		con.names = cv.name_ptr;
		con.bound = cv.bound;
		con.scale = cv.scale;
		al_opts(&cv, &o, 1.0);
		if ((rc = ft_auglag(&obj, &con, x, &lam, &o, &r, err)) != 0)
			goto done;
	}
	if ((rc = make_model(&cv, x, &out->pred.linear, "cov-acc", err)) != 0)
		goto done;
	if ((rc = loss.value_grad(loss.ctx, x, &F, NULL)) != 0) {
		rc = ft_error_set(err, rc, "cov-acc: loss at the solution: %s", ft_strerror(rc));
		goto done;
	}
	set_res(out, &r);
	out->res.f = F;    /* the logistic objective, like every other method */
	diag_common(out, &r);
	ft_fit_diag(out, "min_cov_zero", zero);
	ft_fit_diag(out, "gamma_zero_cov", F0 / cv.loss_star - 1.0);
	ft_fit_diag(out, "loss", F);
	ft_fit_diag(out, "loss:bound", cv.loss_bound);
	ft_fit_diag(out, "loss:lambda", lam / cv.loss_star);
	ft_fit_diag(out, "loss:baseline", cv.loss_star);
	for (size_t k = 0; k < cv.K; k++) {
		const char *g = gname(in, cv.gk[k], buf, sizeof buf);
		snprintf(name, sizeof name, "cov[%s]", g);
		ft_fit_diag(out, name, dot(cv.dim, cv.A + k * cv.dim, x));
		snprintf(name, sizeof name, "cov[%s]:baseline", g);
		ft_fit_diag(out, name, dot(cv.dim, cv.A + k * cv.dim, x0));
	}
done:
	if (rc) {
		ft_linear_model_free(out->pred.linear);
		out->pred.linear = NULL;
	}
	free(x);
	free(x0);
	free(lam0);
	ft_logreg_objective_free(&loss);
	cov_free(&cv);
	return rc;
}

/* ------------------------------------------------------------ mistreat */

/* Row sums for the mistreatment covariances at theta = x.  For set s
 * (0 = negatives, 1 = positives) and group block g the partial buffer
 * holds, at ((s * (G + 1) + g) * (dim + 1)):
 *   [0, dim)  sum w_i s_i xt_i over misclassified rows (s_i d_i < 0)
 *   [dim]     sum w_i g_i = sum w_i s_i d_i over the same rows. */
struct mis_call {
	const struct cov *cv;
	const double *x;
	int grad;
};

static void mis_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct mis_call *a = ctx;
	const struct cov *cv = a->cv;
	const struct ft_dataset *d = cv->d;
	size_t stride = cv->dim + 1, p = cv->p;
	double b = cv->fit_intercept ? a->x[p] : 0.0;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		int set = d->y[i] > 0.5;
		double w = wt(d, i), sg = set ? 1.0 : -1.0, t, gv, dg;
		double *blk;
		if (w == 0.0 || !cv->use_set[set])
			continue;
		t = sg * (ft_row_dot(d, i, a->x) + b);
		if (!(t < MIS_H))
			continue;    /* correctly classified: g_i = 0 */
		if (t <= -MIS_H) {
			gv = t;
			dg = 1.0;
		} else {         /* the smoothing band, see the top */
			gv = -(t - MIS_H) * (t - MIS_H) / (4.0 * MIS_H);
			dg = -(t - MIS_H) / (2.0 * MIS_H);
		}
		blk = part + ((size_t)set * (cv->G + 1) + gblock(d, cv->G, i)) * stride;
		blk[cv->dim] += w * gv;
		if (a->grad) {
			ft_row_axpy(d, i, w * sg * dg, blk);
			blk[p] += w * sg * dg;
		}
	}
}

/* Raw covariances (m / 2 of them, in constraint order: for each used set,
 * for each indicator) and, when G is not NULL, their gradients. */
static int mis_cov(const struct cov *cv, const double *x, double *v, double *Gr)
{
	struct mis_call a = { cv, x, Gr != NULL };
	size_t stride = cv->dim + 1, nb = cv->G + 1, len = 2 * nb * stride, q = 0;
	int rc;

	memset(cv->part, 0, len * sizeof *cv->part);
	if ((rc = ft_parallel_sum(cv->d->n, len, cv->part, mis_chunk, &a)) != 0)
		return rc;
	for (int s = 0; s < 2; s++) {
		const double *base = cv->part + (size_t)s * nb * stride;
		if (!cv->use_set[s])
			continue;
		for (size_t k = 0; k < cv->K; k++, q++) {
			const double *Bk = base + cv->gk[k] * stride;
			double zb = cv->zbarS[(size_t)s * cv->K + k], T = 0.0;
			for (size_t g = 0; g < nb; g++)
				T += base[g * stride + cv->dim];
			/* (1/W_S) sum_{i in S} w_i (z_ik - zbar) g_i
			 *   = (T_k - zbar T) / W_S */
			v[q] = (Bk[cv->dim] - zb * T) / cv->WS[s];
			if (Gr)
				for (size_t j = 0; j < cv->dim; j++) {
					double tot = 0.0;
					for (size_t g = 0; g < nb; g++)
						tot += base[g * stride + j];
					Gr[q * cv->dim + j] = (Bk[j] - zb * tot) / cv->WS[s];
				}
			if (Gr && !cv->fit_intercept)
				Gr[q * cv->dim + cv->p] = 0.0;   /* b is pinned at 0 */
		}
	}
	return 0;
}

/* c_{2q} = s (v_q - c), c_{2q+1} = s (-v_q - c), J from the gradients. */
static int mis_eval(void *ctx, const double *x, double *c, double *J)
{
	struct cov *cv = ctx;
	size_t n = cv->dim, nq = cv->m / 2;
	int rc;

	if ((rc = mis_cov(cv, x, cv->vs, J ? cv->Gs : NULL)) != 0)
		return rc;
	for (size_t q = 0; q < nq; q++) {
		double s = cv->scale[2 * q];
		c[2 * q] = s * (cv->vs[q] - cv->c);
		c[2 * q + 1] = s * (-cv->vs[q] - cv->c);
		if (J)
			for (size_t j = 0; j < n; j++) {
				J[2 * q * n + j] = s * cv->Gs[q * n + j];
				J[(2 * q + 1) * n + j] = -s * cv->Gs[q * n + j];
			}
	}
	return 0;
}

int ft_fit_mistreat(const struct ft_fit_input *in, struct ft_fit_output *out,
                    struct ft_error *err)
{
	static const char *const set_name[2] = { "cov_fpr", "cov_fnr" };
	struct cov cv;
	struct ft_objective loss;
	struct ft_constraints con;
	struct ft_auglag_opts o;
	struct ft_auglag_result r;
	double *x = NULL, *x0 = NULL, *lam = NULL, *v = NULL, *v0 = NULL, *Gr = NULL;
	double *cnt = NULL;
	char name[FT_DIAG_NAME], buf[32];
	size_t nq, q;
	int rc;

	memset(&loss, 0, sizeof loss);
	memset(&cv, 0, sizeof cv);
	if (in && in->params) {
		double f0 = in->params[1], f1 = in->params[2];
		if ((f0 != 0.0 && f0 != 1.0) || (f1 != 0.0 && f1 != 1.0))
			return ft_error_set(err, FT_EINVAL, "mistreat: fpr and fnr must be 0 or 1");
		if (f0 == 0.0 && f1 == 0.0)
			return ft_error_set(err, FT_EINVAL, "mistreat: at least one of fpr and fnr "
			                    "must be 1");
	}
	if (in && in->params)
		rc = cov_setup(&cv, in, 2 * (size_t)(in->params[1] + in->params[2]), "mistreat", err);
	else
		rc = cov_setup(&cv, in, 0, "mistreat", err);
	if (rc)
		return rc;
	cv.c = in->params[0];
	cv.use_set[0] = in->params[1] == 1.0;
	cv.use_set[1] = in->params[2] == 1.0;
	if (!(cv.c >= 0.0) || !isfinite(cv.c)) {
		rc = ft_error_set(err, FT_EINVAL, "mistreat: c must be a finite number >= 0, "
		                  "not %g", cv.c);
		goto done;
	}
	if ((rc = ft_logreg_objective(cv.d, in->lr->C, in->lr->fit_intercept, &loss, err)) != 0)
		goto done;
	nq = cv.m / 2;
	x = malloc(cv.dim * sizeof *x);
	x0 = malloc(cv.dim * sizeof *x0);
	lam = calloc(cv.m, sizeof *lam);
	v = malloc(nq * sizeof *v);
	v0 = malloc(nq * sizeof *v0);
	Gr = malloc(nq * cv.dim * sizeof *Gr);
	cnt = calloc(2 * (cv.G + 1), sizeof *cnt);
	cv.zbarS = malloc(2 * cv.K * sizeof *cv.zbarS);
	cv.part = malloc(2 * (cv.G + 1) * (cv.dim + 1) * sizeof *cv.part);
	cv.vs = malloc(nq * sizeof *cv.vs);
	cv.Gs = malloc(nq * cv.dim * sizeof *cv.Gs);
	if (!x || !x0 || !lam || !v || !v0 || !Gr || !cnt || !cv.zbarS || !cv.part ||
	    !cv.vs || !cv.Gs) {
		rc = ft_error_set(err, FT_ENOMEM, "mistreat: out of memory");
		goto done;
	}
	/* weight of each (set, group) and the indicator means within a set */
	for (size_t i = 0; i < cv.d->n; i++)
		cnt[(size_t)(cv.d->y[i] > 0.5) * (cv.G + 1) + gblock(cv.d, cv.G, i)] += wt(cv.d, i);
	for (int s = 0; s < 2; s++) {
		cv.WS[s] = 0.0;
		for (size_t g = 0; g <= cv.G; g++)
			cv.WS[s] += cnt[(size_t)s * (cv.G + 1) + g];
		for (size_t k = 0; k < cv.K; k++)
			cv.zbarS[(size_t)s * cv.K + k] =
				cv.WS[s] > 0.0 ? cnt[(size_t)s * (cv.G + 1) + cv.gk[k]] / cv.WS[s] : 0.0;
		/* ft_logreg_objective has checked that both classes have weight */
	}
	start_point(&cv, x);
	memcpy(x0, x, cv.dim * sizeof *x);
	/* names and scales: 1 / ||grad cov|| at the start (1 where it is 0) */
	if ((rc = mis_cov(&cv, x, v0, Gr)) != 0) {
		rc = ft_error_set(err, rc, "mistreat: out of memory");
		goto done;
	}
	q = 0;
	for (int s = 0; s < 2; s++) {
		if (!cv.use_set[s])
			continue;
		for (size_t k = 0; k < cv.K; k++, q++) {
			double nrm = sqrt(dot(cv.dim, Gr + q * cv.dim, Gr + q * cv.dim));
			cov_constraints(&cv, set_name[s], 2 * q, k, nrm > 0.0 ? 1.0 / nrm : 1.0);
		}
	}
	con.m = cv.m;
	con.ctx = &cv;
	con.eval = mis_eval;
	con.hess = NULL;            /* piecewise linear: no curvature */
	con.names = cv.name_ptr;
	con.bound = cv.bound;
	con.scale = cv.scale;
	al_opts(&cv, &o, in->lr->C * cv.W);
	if ((rc = ft_auglag(&loss, &con, x, lam, &o, &r, err)) != 0)
		goto done;
	if ((rc = make_model(&cv, x, &out->pred.linear, "mistreat", err)) != 0)
		goto done;
	if ((rc = mis_cov(&cv, x, v, NULL)) != 0) {
		rc = ft_error_set(err, rc, "mistreat: out of memory");
		goto done;
	}
	set_res(out, &r);
	diag_common(out, &r);
	q = 0;
	for (int s = 0; s < 2; s++) {
		if (!cv.use_set[s])
			continue;
		for (size_t k = 0; k < cv.K; k++, q++) {
			const char *g = gname(in, cv.gk[k], buf, sizeof buf);
			snprintf(name, sizeof name, "%s[%s]", set_name[s], g);
			ft_fit_diag(out, name, v[q]);
			snprintf(name, sizeof name, "%s[%s]:bound", set_name[s], g);
			ft_fit_diag(out, name, cv.c);
			snprintf(name, sizeof name, "%s[%s]:lambda", set_name[s], g);
			ft_fit_diag(out, name, (lam[2 * q] - lam[2 * q + 1]) * cv.scale[2 * q]);
			snprintf(name, sizeof name, "%s[%s]:baseline", set_name[s], g);
			ft_fit_diag(out, name, v0[q]);
		}
	}
done:
	if (rc) {
		ft_linear_model_free(out->pred.linear);
		out->pred.linear = NULL;
	}
	free(x);
	free(x0);
	free(lam);
	free(v);
	free(v0);
	free(Gr);
	free(cnt);
	ft_logreg_objective_free(&loss);
	cov_free(&cv);
	return rc;
}
