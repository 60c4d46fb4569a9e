/*
 * lfr.c - learning fair representations: Zemel, Wu, Swersky, Pitassi &
 * Dwork, "Learning Fair Representations", ICML 2013, sec. 2; the objective
 * exactly as AIF360 writes it (aif360/algorithms/preprocessing/lfr.py and
 * lfr_helpers/helpers.py, LFR_optim_objective and get_xhat_y_hat):
 *
 *   M_ic = softmax_c(-||x_i - v_c||)          (Euclidean distance, not its
 *                                              square: scipy's cdist)
 *   x^_i = sum_c M_ic v_c,  y^_i = clip(sum_c M_ic w_c, eps, 1 - eps)
 *   L_x  = mean over the unprivileged rows and features of (x^ - x)^2
 *          + the same over the privileged rows
 *   L_z  = mean over c of |mean_unpriv M_ic - mean_priv M_ic|
 *   L_y  = mean over all rows of the log loss of y^
 *   L    = Ax L_x + Ay L_y + Az L_z
 *
 * with eps = DBL_EPSILON (np.finfo(float).eps), two classes (the
 * privileged group, every other group pooled: AIF360's single
 * unprivileged/privileged pair), unweighted rows (AIF360's LFR does not read
 * instance weights).
 *
 * Fitting.  AIF360 runs scipy's L-BFGS-B with a finite-difference gradient,
 * bounds w in [0, 1], from one uniform [0, 1) start, and maxfun = 5000
 * function evaluations, which its finite differences spend in about
 * 5000 / (k (p + 1)) gradients.  Here: the exact gradient (back-propagated
 * through the softmax; checked against finite differences in
 * tests/unit/test_transform.c; L_z's |.| takes the sign, 0 at 0), the
 * project's L-BFGS (src/optim/lbfgs.c through ft_minimize), w = sigmoid(u)
 * so that the bounds hold without a bounded solver, several seeded uniform
 * starts (as AIF360's, w clipped to [0.01, 0.99] before the logit), the
 * lowest objective kept.  Every row sum goes through ft_parallel_sum (two
 * passes: the softmax and the class means first, since L_z's sign needs
 * them, then the gradient).
 *
 * The transform is AIF360's: new rows get x^ (transform.c); the classifier
 * is a logistic regression on x^.  No group is needed at prediction.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/transform.h"

void ft_lfr_params_init(struct ft_lfr_params *p)
{
	memset(p, 0, sizeof *p);
	p->k = 5;
	p->Ax = 0.01;
	p->Ay = 1.0;
	p->Az = 50.0;
	p->restarts = 3;
	p->seed = 1;
	p->max_iter = 5000;
}

struct lfr_ctx {
	const double *X;         /* n * p dense rows */
	const double *y;
	const int8_t *cls;       /* 1 privileged, 0 not */
	size_t n, p, k;
	double n_cls[2];
	double Ax, Ay, Az;
	const double *V, *w;     /* current parameters */
	double *D, *M;           /* n * k: distances, softmax */
	double sgn[64];          /* L_z's signs (k <= 64 is checked) */
	double lx, ly, lz;       /* the last value's parts */
	double *wtmp;            /* k: w of the u parametrization */
};

/* pass 1: distances, softmax, class sums of M, L_x and L_y sums
 * partial: [0, k) unpriv M sums, [k, 2k) priv, 2k lx_u, 2k+1 lx_p, 2k+2 ly */
static void lfr_pass1(void *vctx, size_t chunk, size_t lo, size_t hi, double *partial)
{
	struct lfr_ctx *c = vctx;
	size_t p = c->p, k = c->k;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		const double *x = c->X + i * p;
		double *d = c->D + i * k, *m = c->M + i * k, mn = INFINITY, z = 0, yh = 0, e = 0;
		int cl = c->cls[i];
		for (size_t a = 0; a < k; a++) {
			double s = 0;
			for (size_t j = 0; j < p; j++) {
				double t = x[j] - c->V[a * p + j];
				s += t * t;
			}
			d[a] = sqrt(s);
			mn = fmin(mn, d[a]);
		}
		for (size_t a = 0; a < k; a++) {
			m[a] = exp(mn - d[a]);        /* max-shifted softmax of -d */
			z += m[a];
		}
		for (size_t a = 0; a < k; a++) {
			m[a] /= z;
			partial[(size_t)cl * k + a] += m[a];
			yh += m[a] * c->w[a];
		}
		for (size_t j = 0; j < p; j++) {
			double xh = 0;
			for (size_t a = 0; a < k; a++)
				xh += m[a] * c->V[a * p + j];
			e += (xh - x[j]) * (xh - x[j]);
		}
		partial[2 * k + (size_t)cl] += e;
		yh = fmin(1.0 - DBL_EPSILON, fmax(DBL_EPSILON, yh));
		partial[2 * k + 2] -= c->y[i] * log(yh) + (1.0 - c->y[i]) * log(1.0 - yh);
	}
}

/* pass 2: the gradient, [0, k p) for V, [k p, k p + k) for w */
static void lfr_pass2(void *vctx, size_t chunk, size_t lo, size_t hi, double *partial)
{
	struct lfr_ctx *c = vctx;
	size_t p = c->p, k = c->k, n = c->n;
	const double *sg = c->sgn;
	double Gm[64], *gw = partial + k * p;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		const double *x = c->X + i * p, *d = c->D + i * k, *m = c->M + i * k;
		int cl = c->cls[i];
		double cx = c->Ax * 2.0 / (c->n_cls[cl] * (double)p), yh = 0, dy = 0, mg = 0;
		double cz = c->Az / (double)k * (cl ? -1.0 : 1.0) / c->n_cls[cl];
		for (size_t a = 0; a < k; a++)
			yh += m[a] * c->w[a];
		/* d(log loss)/d yh, zero where the clip holds */
		if (yh > DBL_EPSILON && yh < 1.0 - DBL_EPSILON)
			dy = -c->Ay / (double)n * (c->y[i] / yh - (1.0 - c->y[i]) / (1.0 - yh));
		for (size_t a = 0; a < k; a++) {
			Gm[a] = dy * c->w[a] + cz * sg[a];
			gw[a] += dy * m[a];
		}
		/* reconstruction: e = x^ - x; dL/dM_a += cx e.v_a; dL/dv_a += cx M_a e */
		for (size_t j = 0; j < p; j++) {
			double e = -x[j];
			for (size_t a = 0; a < k; a++)
				e += m[a] * c->V[a * p + j];
			for (size_t a = 0; a < k; a++) {
				Gm[a] += cx * e * c->V[a * p + j];
				partial[a * p + j] += cx * m[a] * e;
			}
		}
		/* softmax: dL/d(-d_a) = M_a (G_a - sum_b M_b G_b); d(-d_a)/dv_a =
		 * (x - v_a) / d_a */
		for (size_t a = 0; a < k; a++)
			mg += m[a] * Gm[a];
		for (size_t a = 0; a < k; a++) {
			double da = m[a] * (Gm[a] - mg);
			if (!(d[a] > 0))
				continue;
			for (size_t j = 0; j < p; j++)
				partial[a * p + j] += da * (x[j] - c->V[a * p + j]) / d[a];
		}
	}
}

/* L at (V, w) and, when g is not NULL, dL/dV and dL/dw. */
static int lfr_eval(struct lfr_ctx *c, const double *V, const double *w, double *f,
                    double *g)
{
	size_t k = c->k, p = c->p, len1 = 2 * k + 3;
	double s1[2 * 64 + 3];
	double *sg = c->sgn;

	c->V = V;
	c->w = w;
	memset(s1, 0, len1 * sizeof *s1);
	if (ft_parallel_sum(c->n, len1, s1, lfr_pass1, c))
		return FT_ENOMEM;
	c->lx = s1[2 * k] / (c->n_cls[0] * (double)p) + s1[2 * k + 1] / (c->n_cls[1] * (double)p);
	c->ly = s1[2 * k + 2] / (double)c->n;
	c->lz = 0;
	for (size_t a = 0; a < k; a++) {
		double diff = s1[a] / c->n_cls[0] - s1[k + a] / c->n_cls[1];
		c->lz += fabs(diff);
		sg[a] = diff > 0 ? 1.0 : diff < 0 ? -1.0 : 0.0;
	}
	c->lz /= (double)k;
	*f = c->Ax * c->lx + c->Ay * c->ly + c->Az * c->lz;
	if (!isfinite(*f))
		return FT_ENUMERIC;
	if (g) {
		memset(g, 0, (k * p + k) * sizeof *g);
		if (ft_parallel_sum(c->n, k * p + k, g, lfr_pass2, c))
			return FT_ENOMEM;
	}
	return 0;
}

/* The vtable over x = (V, u), w = sigmoid(u). */
static int lfr_vg(void *vctx, const double *x, double *f, double *g)
{
	struct lfr_ctx *c = vctx;
	size_t k = c->k, kp = c->k * c->p;
	int rc;

	for (size_t a = 0; a < k; a++)
		c->wtmp[a] = 1.0 / (1.0 + exp(-x[kp + a]));
	if ((rc = lfr_eval(c, x, c->wtmp, f, g)) != 0)
		return rc;
	if (g)
		for (size_t a = 0; a < k; a++)
			g[kp + a] *= c->wtmp[a] * (1.0 - c->wtmp[a]);
	return 0;
}

static void lfr_ctx_free(struct lfr_ctx *c)
{
	free((void *)c->X);
	free((void *)c->cls);
	free(c->D);
	free(c->M);
	free(c->wtmp);
}

static int lfr_ctx_init(struct lfr_ctx *c, const struct ft_dataset *d, long privileged,
                        const struct ft_lfr_params *p, struct ft_error *err)
{
	double *X;
	int8_t *cls;
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = ft_transform_check_input(d, d->n_groups, 1, "lfr", err)) != 0)
		return rc;
	if (p->k < 1 || p->k > 64)
		return ft_error_set(err, FT_EINVAL, "lfr: k = %zu prototypes is not in 1 .. 64",
		                    p->k);
	if (!(p->Ax >= 0 && p->Ay >= 0 && p->Az >= 0) || !isfinite(p->Ax + p->Ay + p->Az))
		return ft_error_set(err, FT_EINVAL, "lfr: Ax, Ay and Az must be finite and >= 0");
	if (privileged < 0 || (size_t)privileged >= d->n_groups)
		return ft_error_set(err, FT_EINVAL, "lfr: needs a privileged group (AIF360's "
		                    "privileged_groups; --privileged NAME)");
	c->n = d->n;
	c->p = d->p;
	c->k = p->k;
	c->Ax = p->Ax;
	c->Ay = p->Ay;
	c->Az = p->Az;
	c->y = d->y;
	X = ft_xalloc(d->n * d->p, sizeof *X);
	cls = ft_xalloc(d->n, sizeof *cls);
	c->X = X;
	c->cls = cls;
	c->D = ft_xalloc(d->n * p->k, sizeof *c->D);
	c->M = ft_xalloc(d->n * p->k, sizeof *c->M);
	c->wtmp = ft_xalloc(p->k, sizeof *c->wtmp);
	if (!X || !cls || !c->D || !c->M || !c->wtmp) {
		lfr_ctx_free(c);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < d->n; i++) {
		ft_dataset_row(d, i, X + i * d->p);
		cls[i] = d->group[i] == privileged;
		c->n_cls[cls[i]] += 1;
		if (d->y[i] != 0 && d->y[i] != 1) {
			lfr_ctx_free(c);
			return ft_error_set(err, FT_EDATA, "lfr: row %zu has label %g, not 0/1",
			                    i + 1, d->y[i]);
		}
	}
	if (c->n_cls[0] == 0 || c->n_cls[1] == 0) {
		lfr_ctx_free(c);
		return ft_error_set(err, FT_EDATA, "lfr: the %s has no training rows",
		                    c->n_cls[1] == 0 ? "privileged group" : "unprivileged pool");
	}
	return 0;
}

int ft_lfr_objective(const struct ft_dataset *d, long privileged,
                     const struct ft_lfr_params *p, const double *V, const double *w,
                     double *f, double *g, struct ft_error *err)
{
	struct lfr_ctx c;
	int rc;

	if ((rc = lfr_ctx_init(&c, d, privileged, p, err)) != 0)
		return rc;
	rc = lfr_eval(&c, V, w, f, g);
	lfr_ctx_free(&c);
	if (rc)
		return ft_error_set(err, rc, rc == FT_ENOMEM ? "out of memory" :
		                    "lfr: the objective is not finite");
	return 0;
}

int ft_transform_fit_lfr(const struct ft_dataset *d, long privileged,
                         const struct ft_lfr_params *p, const char *const *names,
                         struct ft_transform **t, struct ft_error *err)
{
	struct lfr_ctx c;
	struct ft_objective obj;
	struct ft_solver_opts so;
	struct ft_solver_result res;
	struct ft_transform *tr = NULL;
	double *x = NULL, *best = NULL, best_f = INFINITY;
	size_t dim;
	int rc;

	*t = NULL;
	if (p->restarts < 1 || p->max_iter < 1)
		return ft_error_set(err, FT_EINVAL, "lfr: needs at least one start and iteration");
	if ((rc = lfr_ctx_init(&c, d, privileged, p, err)) != 0)
		return rc;
	dim = c.k * c.p + c.k;
	x = ft_xalloc(dim, sizeof *x);
	best = ft_xalloc(dim, sizeof *best);
	tr = ft_transform_new(FT_TRANSFORM_LFR, d->p, d->p, 0, 0);
	if (!x || !best || !tr || ft_transform_copy_names(tr, names)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	obj.dim = dim;
	obj.ctx = &c;
	obj.value_grad = lfr_vg;
	obj.hess_vec = NULL;
	obj.hessian = NULL;
	ft_solver_opts_init(&so);
	so.solver = FT_SOLVER_LBFGS;
	so.max_iter = p->max_iter;
	for (size_t r = 0; r < p->restarts; r++) {
		struct ft_rng rng;
		struct ft_error e2 = {0};
		double f;
		ft_rng_seed(&rng, p->seed + r);
		/* AIF360's start: uniform [0, 1) for w then V */
		for (size_t a = 0; a < c.k; a++) {
			double w0 = fmin(0.99, fmax(0.01, ft_rng_uniform(&rng)));
			x[c.k * c.p + a] = log(w0 / (1.0 - w0));
		}
		for (size_t j = 0; j < c.k * c.p; j++)
			x[j] = ft_rng_uniform(&rng);
		rc = ft_minimize(&obj, x, &so, &res, &e2);
		if (rc == FT_ENOMEM) {
			rc = ft_error_set(err, rc, "out of memory");
			goto done;
		}
		/* a start that fails numerically keeps its last accepted iterate */
		if ((rc = lfr_vg(&c, x, &f, NULL)) != 0)
			continue;
		if (f < best_f) {
			best_f = f;
			memcpy(best, x, dim * sizeof *x);
		}
	}
	if (!isfinite(best_f)) {
		rc = ft_error_set(err, FT_ENUMERIC, "lfr: no start reached a finite objective");
		goto done;
	}
	rc = 0;
	tr->lfr.k = c.k;
	tr->lfr.prototypes = ft_xalloc(c.k * c.p, sizeof *tr->lfr.prototypes);
	tr->lfr.w = ft_xalloc(c.k, sizeof *tr->lfr.w);
	if (!tr->lfr.prototypes || !tr->lfr.w) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(tr->lfr.prototypes, best, c.k * c.p * sizeof *best);
	for (size_t a = 0; a < c.k; a++)
		tr->lfr.w[a] = 1.0 / (1.0 + exp(-best[c.k * c.p + a]));
	tr->lfr.Ax = p->Ax;
	tr->lfr.Ay = p->Ay;
	tr->lfr.Az = p->Az;
	tr->lfr.objective = best_f;
	*t = tr;
	tr = NULL;
done:
	ft_transform_free(tr);
	free(x);
	free(best);
	lfr_ctx_free(&c);
	return rc;
}

int ft_fit_lfr(const struct ft_fit_input *in, const struct ft_lfr_params *p,
               const char *const *names, struct ft_transform **t,
               struct ft_fit_output *out, struct ft_error *err)
{
	struct ft_transform *tr;
	double f, lx = 0, ly = 0, lz = 0;
	int rc;

	*t = NULL;
	if ((rc = ft_transform_fit_lfr(in->train, in->privileged, p, names, &tr, err)) != 0)
		return rc;
	/* the parts of the objective at the fit, for the diagnostics */
	{
		struct lfr_ctx c;
		if (lfr_ctx_init(&c, in->train, in->privileged, p, err) == 0) {
			if (lfr_eval(&c, tr->lfr.prototypes, tr->lfr.w, &f, NULL) == 0) {
				lx = c.lx;
				ly = c.ly;
				lz = c.lz;
			}
			lfr_ctx_free(&c);
		}
	}
	if ((rc = ft_fit_on_transform(in, tr, t, out, err)) != 0)
		return rc;
	ft_fit_diag(out, "lfr_objective", (*t)->lfr.objective);
	ft_fit_diag(out, "L_x", lx);
	ft_fit_diag(out, "L_y", ly);
	ft_fit_diag(out, "L_z", lz);
	for (size_t a = 0; a < (*t)->lfr.k; a++) {
		char name[FT_DIAG_NAME];
		snprintf(name, sizeof name, "w[%zu]", a);
		ft_fit_diag(out, name, (*t)->lfr.w[a]);
	}
	return 0;
}
