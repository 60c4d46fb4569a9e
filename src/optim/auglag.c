/*
 * auglag.c - inequality-constrained minimisation by the augmented
 * Lagrangian method:
 *
 *   minimise f(x)  subject to  c_k(x) <= 0,  k = 0 .. m-1.
 *
 * The Powell-Hestenes-Rockafellar (PHR) augmented Lagrangian (Nocedal &
 * Wright, Numerical Optimization, 2nd ed., eq. 17.65; Birgin & Martinez,
 * Practical Augmented Lagrangian Methods for Constrained Optimization, SIAM
 * 2014, ch. 4) is
 *
 *   L_rho(x, lambda) = f(x) + 1/(2 rho) sum_k [max(0, lambda_k + rho c_k(x))^2
 *                                              - lambda_k^2],
 *   grad_x L_rho     = grad f(x) + sum_k mu_k grad c_k(x),
 *                      mu_k = max(0, lambda_k + rho c_k(x)).
 *
 * L_rho is once continuously differentiable in x.  Each outer step
 *   1. minimises L_rho(., lambda) with ft_minimize, warm-started at the
 *      previous x, to ||grad L_rho||_2 <= 0.1 tol_kkt max(f_scale,
 *      ||grad f||_inf);
 *   2. updates the multipliers, lambda_k <- mu_k = max(0, lambda_k + rho c_k)
 *      (first-order update, N&W eq. 17.39 / B&M Algorithm 4.1 step 3);
 *   3. multiplies rho by rho_factor (10) when the combined measure of
 *      infeasibility and complementarity
 *        V = max_k |max(c_k, -lambda_k / rho)|
 *      did not fall below 1/4 of its previous value (B&M Algorithm 4.1
 *      step 4; V is the max violation plus the part of complementarity the
 *      multiplier update alone may be slow to remove), up to rho_max.
 * It stops when
 *   max violation     max(0, max_k c_k)                              <= tol_feas,
 *   KKT residual      ||grad f + sum_k lambda_k grad c_k||_inf
 *                       / max(f_scale, ||grad f||_inf)               <= tol_kkt,
 *   complementarity   max_k |lambda_k c_k| / max(f_scale, |f|)       <= tol_comp.
 * After step 2 the KKT residual is exactly ||grad L_rho||_inf at the inner
 * solution, so step 1's tolerance is what makes it small.  The first
 * penalty follows Birgin & Martinez (section 12.4): rho0 = 10 max(1, |f|) /
 * max(1, 1/2 sum_k max(0, c_k)^2), clipped to [1e-8, 1e8], which balances the
 * objective and the penalty at the start point.
 *
 * Inner solver: L_rho is wrapped as a struct ft_objective.  value_grad is
 * always there (so L-BFGS works for any f); when f has a dense Hessian the
 * wrapper also supplies the generalised Hessian
 *   H_f + rho sum_{k: mu_k > 0} grad c_k grad c_k^T + sum_k mu_k H_{c_k}
 * (the last term from the constraints' hess callback; absent = 0), so that
 * ft_minimize's AUTO mode takes dense Newton for small dimensions.  The
 * max(0, .)^2 is not twice differentiable where lambda_k + rho c_k = 0;
 * Newton with a line search on this semismooth function still converges
 * (and fast) in practice, and it is what makes the constrained logistic fit
 * on Adult take milliseconds where L-BFGS takes hundreds of iterations.
 *
 * Infeasibility: when max_k c_k stays above 100 tol_feas after rho has
 * reached rho_max without a 4x decrease of V, or after max_outer steps, the
 * result is FT_EDATA with one line naming the most violated constraint; a
 * violation between tol_feas and 100 tol_feas is returned with
 * res->converged = 0.  A problem
 * that is feasible but does not meet the KKT or complementarity tolerance
 * within max_outer is not an error: res->converged = 0.
 *
 * Not here: equality constraints (write h = 0 as h <= 0 and -h <= 0), bound
 * constraints as such, and any knowledge of what f and c are.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "linalg/linalg.h"
#include "optim/optim.h"

#define RHO0_MIN 1e-8
#define RHO0_MAX 1e8
#define V_DECREASE 0.25

void ft_auglag_opts_init(struct ft_auglag_opts *o)
{
	ft_solver_opts_init(&o->inner);
	o->max_outer = 50;
	o->rho0 = 0.0;
	o->rho_factor = 10.0;
	o->rho_max = 0.0;
	o->tol_feas = 1e-6;
	o->tol_kkt = 1e-6;
	o->tol_comp = 1e-6;
	o->f_scale = 1.0;
}

static const char *opts_check(const struct ft_auglag_opts *o)
{
	if (o->max_outer < 1)
		return "max_outer must be >= 1";
	if (!isfinite(o->rho0))
		return "rho0 must be finite";
	if (!(o->rho_factor > 1.0) || !isfinite(o->rho_factor))
		return "rho_factor must be a finite number > 1";
	if (!isfinite(o->rho_max))
		return "rho_max must be finite";
	if (!(o->tol_feas > 0.0) || !(o->tol_kkt > 0.0) || !(o->tol_comp > 0.0) ||
	    !isfinite(o->tol_feas + o->tol_kkt + o->tol_comp))
		return "tol_feas, tol_kkt and tol_comp must be finite numbers > 0";
	if (!(o->f_scale > 0.0) || !isfinite(o->f_scale))
		return "f_scale must be a finite number > 0";
	return ft_solver_opts_check(&o->inner);
}

/* The wrapper's state: the current lambda and rho, and the last point at
 * which f and the constraints were evaluated (Newton asks for the Hessian
 * at the point whose gradient it has just seen, so this saves a pass). */
struct al {
	const struct ft_objective *obj;
	const struct ft_constraints *con;
	size_t dim, m;
	const double *lambda;
	double rho;
	double f;             /* at xc */
	double *gf;           /* dim: grad f at xc */
	double *c;            /* m */
	double *J;            /* m * dim */
	double *mu;           /* m: max(0, lambda + rho c) */
	double *xc;           /* dim: the cached point */
	int have;             /* 0: nothing cached, 1: values, 2: values + gradients */
};

/* f, c (and with grad, grad f and J) at x, from the cache when x is the
 * cached point; then mu for the current lambda and rho. */
static int al_point(struct al *a, const double *x, int grad)
{
	int rc, want = grad ? 2 : 1;

	if (a->have < want || memcmp(a->xc, x, a->dim * sizeof *x) != 0) {
		a->have = 0;
		rc = a->obj->value_grad(a->obj->ctx, x, &a->f, grad ? a->gf : NULL);
		if (rc)
			return rc < 0 ? rc : FT_EINVAL;
		rc = a->m > 0 ? a->con->eval(a->con->ctx, x, a->c, grad ? a->J : NULL) : 0;
		if (rc)
			return rc < 0 ? rc : FT_EINVAL;
		/* fmax(0, NaN) is 0: a NaN constraint would pass unseen */
		for (size_t k = 0; k < a->m; k++)
			if (!isfinite(a->c[k]))
				return FT_ENUMERIC;
		for (size_t k = 0; grad && k < a->m * a->dim; k++)
			if (!isfinite(a->J[k]))
				return FT_ENUMERIC;
		memcpy(a->xc, x, a->dim * sizeof *x);
		a->have = want;
	}
	for (size_t k = 0; k < a->m; k++)
		a->mu[k] = fmax(0.0, a->lambda[k] + a->rho * a->c[k]);
	return 0;
}

static int al_value_grad(void *ctx, const double *x, double *f, double *g)
{
	struct al *a = ctx;
	double pen = 0.0;
	int rc;

	if ((rc = al_point(a, x, g != NULL)) != 0)
		return rc;
	/* (mu^2 - lambda^2) / (2 rho): both terms O(lambda^2 / rho), their
	 * difference is what matters and is formed as (mu - l)(mu + l) */
	for (size_t k = 0; k < a->m; k++)
		pen += (a->mu[k] - a->lambda[k]) * (a->mu[k] + a->lambda[k]);
	*f = a->f + pen / (2.0 * a->rho);
	if (g) {
		memcpy(g, a->gf, a->dim * sizeof *g);
		for (size_t k = 0; k < a->m; k++)
			if (a->mu[k] > 0.0)
				ft_la_axpy(a->dim, a->mu[k], a->J + k * a->dim, g);
	}
	return 0;
}

/* H_f + rho sum_{mu_k > 0} J_k J_k^T + sum_k mu_k H_{c_k}: the generalised
 * Hessian of L_rho (see the top). */
static int al_hessian(void *ctx, const double *x, double *H)
{
	struct al *a = ctx;
	size_t n = a->dim;
	int rc;

	if ((rc = al_point(a, x, 1)) != 0)
		return rc;
	if ((rc = a->obj->hessian(a->obj->ctx, x, H)) != 0)
		return rc < 0 ? rc : FT_EINVAL;
	for (size_t k = 0; k < a->m; k++) {
		const double *Jk = a->J + k * n;
		if (!(a->mu[k] > 0.0))
			continue;
		for (size_t i = 0; i < n; i++) {
			double s = a->rho * Jk[i];
			if (s != 0.0)
				ft_la_axpy(n, s, Jk, H + i * n);
		}
	}
	if (a->con->hess && (rc = a->con->hess(a->con->ctx, x, a->mu, H)) != 0)
		return rc < 0 ? rc : FT_EINVAL;
	return 0;
}

/* The same as a product, for truncated Newton-CG; only offered when the
 * constraints have no curvature term (no hess callback). */
static int al_hess_vec(void *ctx, const double *x, const double *v, double *hv)
{
	struct al *a = ctx;
	int rc;

	if ((rc = al_point(a, x, 1)) != 0)
		return rc;
	if ((rc = a->obj->hess_vec(a->obj->ctx, x, v, hv)) != 0)
		return rc < 0 ? rc : FT_EINVAL;
	for (size_t k = 0; k < a->m; k++)
		if (a->mu[k] > 0.0) {
			const double *Jk = a->J + k * a->dim;
			ft_la_axpy(a->dim, a->rho * ft_la_dot(a->dim, Jk, v), Jk, hv);
		}
	return 0;
}

int ft_auglag_lagrangian(const struct ft_objective *obj,
                         const struct ft_constraints *con, const double *x,
                         const double *lambda, double rho, double *L, double *g)
{
	struct al a;
	size_t n = obj->dim, m = con->m;
	int rc = FT_ENOMEM;

	memset(&a, 0, sizeof a);
	a.obj = obj;
	a.con = con;
	a.dim = n;
	a.m = m;
	a.lambda = lambda;
	a.rho = rho;
	a.gf = malloc(n * sizeof *a.gf);
	a.xc = malloc(n * sizeof *a.xc);
	a.c = malloc((m ? m : 1) * sizeof *a.c);
	a.mu = malloc((m ? m : 1) * sizeof *a.mu);
	a.J = malloc((m ? m * n : 1) * sizeof *a.J);
	if (a.gf && a.xc && a.c && a.mu && a.J)
		rc = al_value_grad(&a, x, L, g);
	free(a.gf);
	free(a.xc);
	free(a.c);
	free(a.mu);
	free(a.J);
	return rc;
}

static double inf_norm(size_t n, const double *v)
{
	double s = 0.0;

	for (size_t i = 0; i < n; i++)
		s = fmax(s, fabs(v[i]));
	return s;
}

/* "constraint cannot be met: cov[Female] = 0.0312 exceeds 0.01 by 0.0212" */
static int infeasible(const struct ft_constraints *con, const double *c,
                      size_t k, struct ft_error *err)
{
	double s = con->scale && con->scale[k] > 0.0 ? con->scale[k] : 1.0;
	double b = con->bound ? con->bound[k] : 0.0, over = c[k] / s;

	if (con->names && con->names[k])
		return ft_error_set(err, FT_EDATA,
		                    "constraint cannot be met: %s = %.6g exceeds %.6g by %.3g",
		                    con->names[k], b + over, b, over);
	return ft_error_set(err, FT_EDATA,
	                    "constraint cannot be met: constraint %zu = %.6g exceeds %.6g by %.3g",
	                    k, b + over, b, over);
}

int ft_auglag(const struct ft_objective *obj, const struct ft_constraints *con,
              double *x, double *lambda, const struct ft_auglag_opts *o,
              struct ft_auglag_result *res, struct ft_error *err)
{
	struct ft_auglag_opts def;
	struct ft_auglag_result local;
	struct ft_objective alobj;
	struct ft_solver_opts inner;
	struct ft_solver_result ires;
	struct al a;
	double *lam = NULL, *gl = NULL, V_prev = INFINITY, rho_max;
	const char *msg;
	size_t n, m;
	int rc = 0;

	memset(&a, 0, sizeof a);
	if (!o) {
		ft_auglag_opts_init(&def);
		o = &def;
	}
	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	res->f = res->kkt_residual = res->complementarity = NAN;
	res->max_violation = NAN;
	if (!obj || !obj->value_grad || !x || !con || (con->m > 0 && !con->eval))
		return ft_error_set(err, FT_EINVAL,
		                    "auglag: no objective, constraints or start point");
	if (obj->dim == 0)
		return ft_error_set(err, FT_EINVAL, "auglag: objective has dimension 0");
	if ((msg = opts_check(o)) != NULL)
		return ft_error_set(err, FT_EINVAL, "auglag: %s", msg);
	n = obj->dim;
	m = con->m;
	if (m > 0 && n > ((size_t)-1) / sizeof(double) / m)
		return ft_error_set(err, FT_EINVAL, "auglag: %zu constraints in dimension %zu "
		                    "are too many", m, n);

	a.obj = obj;
	a.con = con;
	a.dim = n;
	a.m = m;
	a.gf = malloc(n * sizeof *a.gf);
	a.xc = malloc(n * sizeof *a.xc);
	gl = malloc(n * sizeof *gl);
	a.c = malloc((m ? m : 1) * sizeof *a.c);
	a.mu = malloc((m ? m : 1) * sizeof *a.mu);
	a.J = malloc((m ? m * n : 1) * sizeof *a.J);
	lam = malloc((m ? m : 1) * sizeof *lam);
	if (!a.gf || !a.xc || !gl || !a.c || !a.mu || !a.J || !lam) {
		rc = ft_error_set(err, FT_ENOMEM, "auglag: out of memory (%zu constraints, "
		                  "dimension %zu)", m, n);
		goto done;
	}
	for (size_t k = 0; k < m; k++)
		lam[k] = lambda && lambda[k] > 0.0 ? lambda[k] : 0.0;
	a.lambda = lam;
	a.rho = 1.0;

	alobj.dim = n;
	alobj.ctx = &a;
	alobj.value_grad = al_value_grad;
	alobj.hessian = obj->hessian ? al_hessian : NULL;
	alobj.hess_vec = obj->hess_vec && !con->hess ? al_hess_vec : NULL;
	inner = o->inner;

	/* the start point: rho0 by Birgin & Martinez's rule */
	if ((rc = al_point(&a, x, 1)) != 0) {
		rc = ft_error_set(err, rc, "auglag: objective or constraints failed at the "
		                  "start point: %s", ft_strerror(rc));
		goto done;
	}
	if (o->rho0 > 0.0) {
		a.rho = o->rho0;
	} else {
		double s = 0.0;
		for (size_t k = 0; k < m; k++)
			s += 0.5 * fmax(0.0, a.c[k]) * fmax(0.0, a.c[k]);
		a.rho = 10.0 * fmax(1.0, fabs(a.f)) / fmax(1.0, s);
		a.rho = fmin(fmax(a.rho, RHO0_MIN), RHO0_MAX);
	}
	rho_max = o->rho_max > 0.0 ? fmax(o->rho_max, a.rho) : 1e8 * a.rho;

	for (int outer = 1; outer <= o->max_outer; outer++) {
		double target, gnorm, V = 0.0, viol = 0.0, kkt, comp = 0.0, fs;
		size_t worst = 0;

		res->outer_iterations = outer;
		/* inner tolerance: ||grad L_rho||_2 <= target, where ft_minimize
		 * measures relative to max(1, ||grad L_rho(x0)||_2) */
		if ((rc = al_value_grad(&a, x, &fs, gl)) != 0) {
			rc = ft_error_set(err, rc, "auglag: objective or constraints failed "
			                  "at outer iteration %d: %s", outer, ft_strerror(rc));
			goto done;
		}
		target = 0.1 * o->tol_kkt * fmax(o->f_scale, inf_norm(n, a.gf));
		gnorm = ft_la_nrm2(n, gl);
		inner.tol = target / fmax(1.0, gnorm);
		rc = ft_minimize(&alobj, x, &inner, &ires, err);
		res->inner_iterations += ires.iterations;
		if (rc)
			goto done;

		/* at the inner solution: multipliers, violation, V, KKT */
		if ((rc = al_value_grad(&a, x, &fs, gl)) != 0) {
			rc = ft_error_set(err, rc, "auglag: objective or constraints failed "
			                  "at outer iteration %d: %s", outer, ft_strerror(rc));
			goto done;
		}
		for (size_t k = 0; k < m; k++) {
			double ck = a.c[k];
			V = fmax(V, fabs(fmax(ck, -lam[k] / a.rho)));
			if (k == 0 || ck > a.c[worst])
				worst = k;
			viol = fmax(viol, ck);
			lam[k] = a.mu[k];
			comp = fmax(comp, fabs(lam[k] * ck));
		}
		/* gl = grad f + J^T mu and mu is the new lambda */
		kkt = inf_norm(n, gl) / fmax(o->f_scale, inf_norm(n, a.gf));
		comp /= fmax(o->f_scale, fabs(a.f));
		res->f = a.f;
		res->max_violation = viol;
		res->worst = worst;
		res->kkt_residual = kkt;
		res->complementarity = comp;
		res->rho = a.rho;
		res->grad_norm = ft_la_nrm2(n, gl);
		res->inner_solver = ires.solver;
		if (viol <= o->tol_feas && kkt <= o->tol_kkt && comp <= o->tol_comp) {
			res->converged = 1;
			break;
		}
		/* V already below tol_feas: only the KKT residual is missing,
		 * which a larger penalty does not help */
		if (V > V_DECREASE * V_prev && V > o->tol_feas) {
			if (a.rho >= rho_max) {
				/* the penalty is spent and V no longer shrinks: stop
				 * (an error below when still infeasible) */
				break;
			} else {
				a.rho = fmin(a.rho * o->rho_factor, rho_max);
			}
		}
		V_prev = V;
	}
	/* A violation within 100 tol_feas after the penalty is spent is a
	 * constraint met to the solver's accuracy (non-convex constraints such as
	 * disparate mistreatment at c = 0 stall there): not converged, not an
	 * error; the diagnostics carry the violation.  Beyond it: infeasible. */
	if (!res->converged && res->max_violation > 100.0 * o->tol_feas)
		rc = infeasible(con, a.c, res->worst, err);
done:
	if (lambda && lam && rc != FT_ENOMEM)
		memcpy(lambda, lam, m * sizeof *lam);
	free(a.gf);
	free(a.xc);
	free(gl);
	free(a.c);
	free(a.mu);
	free(a.J);
	free(lam);
	return rc;
}
