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
 * them, then the gradient), each row as a sparse vector (its numeric
 * block and one hot feature per categorical column), so a pass costs
 * O(n (k q + k^2)) for q = numeric + categorical columns, not O(n k p).
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
	/* the rows as sparse vectors: row i's q entries idx/val (the numeric
	 * block, then each categorical column's hot feature with value 1; an
	 * all-zero category has value 0), and ||x_i||^2 */
	const uint32_t *idx;
	const double *val;
	const double *xx;
	size_t q;
	const double *y;
	const int8_t *cls;       /* 1 privileged, 0 not */
	size_t n, p, k;
	double n_cls[2];
	double Ax, Ay, Az;
	const double *V, *w;     /* current parameters */
	double vv[64];           /* ||v_a||^2 */
	double *gram;            /* k * k: v_a . v_b */
	double *D, *M;           /* n * k: distances, softmax */
	double sgn[64];          /* L_z's signs (k <= 64 is checked) */
	double lx, ly, lz;       /* the last value's parts */
	double *wtmp;            /* k: w of the u parametrization */
};

/* x_i . v_a for every a (the sparse row against the dense prototypes) */
static void lfr_xv(const struct lfr_ctx *c, size_t i, double *xv)
{
	const uint32_t *ix = c->idx + i * c->q;
	const double *vl = c->val + i * c->q;

	for (size_t a = 0; a < c->k; a++) {
		const double *v = c->V + a * c->p;
		double s = 0;
		for (size_t t = 0; t < c->q; t++)
			s += vl[t] * v[ix[t]];
		xv[a] = s;
	}
}

/* pass 1: distances, softmax, class sums of M, L_x and L_y sums
 * partial: [0, k) unpriv M sums, [k, 2k) priv, 2k lx_u, 2k+1 lx_p, 2k+2 ly.
 * Every term through the sparse rows: ||x - v_a||^2 = ||x||^2 - 2 x.v_a +
 * ||v_a||^2 and ||x^ - x||^2 = m' G m - 2 sum_a m_a x.v_a + ||x||^2 (G the
 * prototypes' Gram matrix), O(k q + k^2) a row instead of O(k p). */
static void lfr_pass1(void *vctx, size_t chunk, size_t lo, size_t hi, double *partial)
{
	struct lfr_ctx *c = vctx;
	size_t k = c->k;
	double xv[64];

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double *d = c->D + i * k, *m = c->M + i * k, mn = INFINITY, z = 0, yh = 0, e;
		double mgm = 0, mxv = 0;
		int cl = c->cls[i];
		lfr_xv(c, i, xv);
		for (size_t a = 0; a < k; a++) {
			d[a] = sqrt(fmax(0.0, c->xx[i] - 2.0 * xv[a] + c->vv[a]));
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
		for (size_t a = 0; a < k; a++) {
			double ga = 0;
			for (size_t b = 0; b < k; b++)
				ga += c->gram[a * k + b] * m[b];
			mgm += m[a] * ga;
			mxv += m[a] * xv[a];
		}
		e = fmax(0.0, mgm - 2.0 * mxv + c->xx[i]);
		partial[2 * k + (size_t)cl] += e;
		yh = fmin(1.0 - DBL_EPSILON, fmax(DBL_EPSILON, yh));
		partial[2 * k + 2] -= c->y[i] * log(yh) + (1.0 - c->y[i]) * log(1.0 - yh);
	}
}

/* pass 2: the gradient.  partial: [0, k p) the rows' part of dL/dV, [k p,
 * k p + k) dL/dw, then A (k x k) and s (k) with dL/dv_a = partial_a +
 * sum_b A_ab v_b - s_a v_a, summed after the pass (lfr_eval), so that a row
 * costs O(k q + k^2):
 *   reconstruction: dL/dv_a += cx m_a (x^ - x) = cx m_a (sum_b m_b v_b - x);
 *                   dL/dM_a += cx (x^ - x).v_a = cx ((G m)_a - x.v_a)
 *   softmax: dL/d(-d_a) = M_a (G_a - sum_b M_b G_b) = da; d(-d_a)/dv_a =
 *                   (x - v_a) / d_a, so dL/dv_a += (da / d_a) (x - v_a). */
static void lfr_pass2(void *vctx, size_t chunk, size_t lo, size_t hi, double *partial)
{
	struct lfr_ctx *c = vctx;
	size_t p = c->p, k = c->k, n = c->n, q = c->q;
	const double *sg = c->sgn;
	double Gm[64], xc[64], xv[64], *gw = partial + k * p, *A = gw + k, *S = A + k * k;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		const double *d = c->D + i * k, *m = c->M + i * k, *vl = c->val + i * q;
		const uint32_t *ix = c->idx + i * q;
		int cl = c->cls[i];
		double cx = c->Ax * 2.0 / (c->n_cls[cl] * (double)p), yh = 0, dy = 0, mg = 0;
		double cz = c->Az / (double)k * (cl ? -1.0 : 1.0) / c->n_cls[cl];
		lfr_xv(c, i, xv);
		for (size_t a = 0; a < k; a++)
			yh += m[a] * c->w[a];
		/* d(log loss)/d yh, zero where the clip holds */
		if (yh > DBL_EPSILON && yh < 1.0 - DBL_EPSILON)
			dy = -c->Ay / (double)n * (c->y[i] / yh - (1.0 - c->y[i]) / (1.0 - yh));
		for (size_t a = 0; a < k; a++) {
			double ga = 0;
			for (size_t b = 0; b < k; b++) {
				ga += c->gram[a * k + b] * m[b];
				A[a * k + b] += cx * m[a] * m[b];
			}
			Gm[a] = dy * c->w[a] + cz * sg[a] + cx * (ga - xv[a]);
			gw[a] += dy * m[a];
			xc[a] = -cx * m[a];
		}
		for (size_t a = 0; a < k; a++)
			mg += m[a] * Gm[a];
		for (size_t a = 0; a < k; a++) {
			double da = m[a] * (Gm[a] - mg);
			if (!(d[a] > 0))
				continue;
			xc[a] += da / d[a];
			S[a] += da / d[a];
		}
		/* the x terms, sparse */
		for (size_t a = 0; a < k; a++)
			for (size_t t = 0; t < q; t++)
				partial[a * p + ix[t]] += xc[a] * vl[t];
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
	for (size_t a = 0; a < k; a++)
		for (size_t b = 0; b <= a; b++) {
			double t = 0;
			for (size_t j = 0; j < p; j++)
				t += V[a * p + j] * V[b * p + j];
			c->gram[a * k + b] = c->gram[b * k + a] = t;
		}
	for (size_t a = 0; a < k; a++)
		c->vv[a] = c->gram[a * k + a];
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
		size_t len2 = k * p + k + k * k + k;
		double *g2 = calloc(len2, sizeof *g2), *A, *S;
		if (!g2 || ft_parallel_sum(c->n, len2, g2, lfr_pass2, c)) {
			free(g2);
			return FT_ENOMEM;
		}
		A = g2 + k * p + k;
		S = A + k * k;
		for (size_t a = 0; a < k; a++)
			for (size_t j = 0; j < p; j++) {
				double t = g2[a * p + j] - S[a] * V[a * p + j];
				for (size_t b = 0; b < k; b++)
					t += A[a * k + b] * V[b * p + j];
				g[a * p + j] = t;
			}
		memcpy(g + k * p, g2 + k * p, k * sizeof *g);
		free(g2);
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
	free((void *)c->idx);
	free((void *)c->val);
	free((void *)c->xx);
	free(c->gram);
	free((void *)c->cls);
	free(c->D);
	free(c->M);
	free(c->wtmp);
}

static int lfr_ctx_init(struct lfr_ctx *c, const struct ft_dataset *d, long privileged,
                        const struct ft_lfr_params *p, struct ft_error *err)
{
	uint32_t *idx;
	double *val, *xx;
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
	c->q = d->n_num + d->n_cat;
	idx = ft_xalloc(d->n * (c->q ? c->q : 1), sizeof *idx);
	val = ft_xalloc(d->n * (c->q ? c->q : 1), sizeof *val);
	xx = ft_xalloc(d->n, sizeof *xx);
	cls = ft_xalloc(d->n, sizeof *cls);
	c->idx = idx;
	c->val = val;
	c->xx = xx;
	c->cls = cls;
	c->gram = ft_xalloc(p->k * p->k, sizeof *c->gram);
	c->D = ft_xalloc(d->n * p->k, sizeof *c->D);
	c->M = ft_xalloc(d->n * p->k, sizeof *c->M);
	c->wtmp = ft_xalloc(p->k, sizeof *c->wtmp);
	if (!idx || !val || !xx || !cls || !c->gram || !c->D || !c->M || !c->wtmp) {
		lfr_ctx_free(c);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < d->n; i++) {
		uint32_t *ix = idx + i * c->q;
		double *vl = val + i * c->q, s2 = 0;
		for (size_t j = 0; j < d->n_num; j++) {
			ix[j] = (uint32_t)j;
			vl[j] = d->num[i * d->n_num + j];
		}
		for (size_t j = 0; j < d->n_cat; j++) {
			int32_t code = d->code[i * d->n_cat + j];
			ix[d->n_num + j] = code >= 0 ? (uint32_t)code : 0;
			vl[d->n_num + j] = code >= 0 ? 1.0 : 0.0;
		}
		for (size_t t = 0; t < c->q; t++)
			s2 += vl[t] * vl[t];
		xx[i] = s2;
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
