/*
 * newton.c - Newton's method with a backtracking (Armijo) line search.
 *
 * Direction, one of two ways (chosen by ft_minimize):
 *   dense: the full Hessian H from obj->hessian, factorised by LAPACK's
 *     Cholesky.  When H is not positive definite we factorise H + tau I with
 *     a growing tau (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 *     Algorithm 3.3), so the step is always a descent direction.
 *   CG: truncated Newton-CG on obj->hess_vec (N&W Algorithm 7.1): conjugate
 *     gradients on H d = -g, stopped at the forcing tolerance
 *     min(0.5, sqrt(||g||)) ||g|| (superlinear convergence) or at the first
 *     direction of non-positive curvature.
 * Step: the full Newton step first, then backtracking with a safeguarded
 * quadratic interpolation until f(x + t d) <= f(x) + c1 t g.d, or, once
 * that decrease is below the rounding error of f, until the slope at the
 * trial point shows enough decrease (see FT_OPT_F_NOISE).
 *
 * Stops when ||g|| <= tol max(1, ||g(x0)||), after max_iter iterations, or
 * when the line search cannot decrease f any more (round-off level); the
 * last two are reported as converged = 0, not as errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "linalg/linalg.h"
#include "optim/optim.h"

#define ARMIJO_C1 1e-4
#define MAX_BACKTRACK 60
#define MAX_SHIFTS 80

/* Dense Newton direction: solve (H + tau I) d = -g by Cholesky.
 *
 * Trick: LAPACK's dpotrf with uplo 'L' reads and overwrites only the lower
 * triangle, and H is symmetric, so after a failed attempt the strict upper
 * triangle still holds H: we restore the lower triangle from it and the
 * diagonal from diag0 instead of keeping a second n x n copy. */
static int dense_direction(const struct ft_opt_run *r, const double *x,
                           const double *g, double *H, double *diag0,
                           double *d, int iter)
{
	size_t n = r->obj->dim;
	double maxabs = 0.0, mindiag = INFINITY, beta, tau;
	int rc, info = 0;

	rc = r->obj->hessian(r->obj->ctx, x, H);
	if (rc != 0) {
		rc = rc < 0 ? rc : FT_EINVAL;
		return ft_error_set(r->err, rc, "newton: hessian failed at iteration %d: %s",
		                    iter, ft_strerror(rc));
	}
	for (size_t k = 0; k < n * n; k++)
		if (!isfinite(H[k]))
			return ft_error_set(r->err, FT_ENUMERIC,
			                    "newton: hessian entry (%zu, %zu) is %g at iteration %d",
			                    k / n, k % n, H[k], iter);
	for (size_t i = 0; i < n; i++) {
		diag0[i] = H[i * n + i];
		maxabs = fmax(maxabs, fabs(diag0[i]));
		mindiag = fmin(mindiag, diag0[i]);
	}
	/* N&W 3.3: start from 0 when the diagonal is positive, else just past
	 * its most negative entry; beta is scaled to the matrix. */
	beta = 1e-3 * (maxabs > 0.0 ? maxabs : 1.0);
	tau = mindiag > 0.0 ? 0.0 : beta - mindiag;
	for (int s = 0; s < MAX_SHIFTS; s++) {
		if (s > 0) {
			for (size_t j = 0; j < n; j++)
				for (size_t i = j + 1; i < n; i++)
					H[j * n + i] = H[i * n + j];
			tau = fmax(4.0 * tau, beta);
		}
		for (size_t i = 0; i < n; i++)
			H[i * n + i] = diag0[i] + tau;
		info = ft_la_cholesky(n, H);
		if (info <= 0)
			break;
	}
	if (info < 0)
		return ft_error_set(r->err, info, "newton: dimension %zu is too large for lapack", n);
	if (info > 0)
		return ft_error_set(r->err, FT_ENUMERIC,
		                    "newton: cannot make the hessian positive definite at iteration %d",
		                    iter);
	for (size_t i = 0; i < n; i++)
		d[i] = -g[i];
	rc = ft_la_cholesky_solve(n, H, d);
	if (rc != 0)
		return ft_error_set(r->err, rc, "newton: dimension %zu is too large for lapack", n);
	return 0;
}

/* Truncated Newton-CG direction (N&W Algorithm 7.1).  Work vectors z, res,
 * p, Hp of n entries.  CG minimises the model q(d) = g.d + d.H.d / 2; the
 * residual res = H z + g is its gradient. */
static int cg_direction(const struct ft_opt_run *r, const double *x,
                        const double *g, double gnorm, double *d, double *res,
                        double *p, double *Hp, int iter)
{
	size_t n = r->obj->dim, max_cg = n < 10 ? 10 : n;
	double eps = fmin(0.5, sqrt(gnorm)) * gnorm, rr, rr_new, pHp, alpha;
	int rc;

	memset(d, 0, n * sizeof *d);
	ft_la_copy(n, g, res);
	for (size_t i = 0; i < n; i++)
		p[i] = -g[i];
	rr = gnorm * gnorm;
	for (size_t j = 0; j < max_cg; j++) {
		rc = r->obj->hess_vec(r->obj->ctx, x, p, Hp);
		if (rc != 0) {
			rc = rc < 0 ? rc : FT_EINVAL;
			return ft_error_set(r->err, rc,
			                    "newton: hessian-vector product failed at iteration %d: %s",
			                    iter, ft_strerror(rc));
		}
		pHp = ft_la_dot(n, p, Hp);
		if (!isfinite(pHp))
			return ft_error_set(r->err, FT_ENUMERIC,
			                    "newton: hessian-vector product is not finite at iteration %d",
			                    iter);
		if (pHp <= 0.0) {
			/* negative curvature: keep what CG has, or steepest descent
			 * when it has nothing yet */
			if (j == 0)
				ft_la_copy(n, p, d);
			return 0;
		}
		alpha = rr / pHp;
		ft_la_axpy(n, alpha, p, d);
		ft_la_axpy(n, alpha, Hp, res);
		rr_new = ft_la_dot(n, res, res);
		if (sqrt(rr_new) <= eps)
			return 0;
		/* p = -res + (rr_new / rr) p */
		ft_la_scal(n, rr_new / rr, p);
		ft_la_axpy(n, -1.0, res, p);
		rr = rr_new;
	}
	return 0;
}

int ft_newton_run(const struct ft_opt_run *r, double *x,
                  struct ft_solver_result *res)
{
	size_t n = r->obj->dim;
	double *g = NULL, *gt = NULL, *xt = NULL, *d = NULL, *H = NULL;
	double *w1 = NULL, *w2 = NULL, *w3 = NULL, *tmp;
	double f, ft = 0.0, gnorm, thresh, gd, t;
	int rc = 0, it = 0, accepted;

	g = malloc(n * sizeof *g);
	gt = malloc(n * sizeof *gt);
	xt = malloc(n * sizeof *xt);
	d = malloc(n * sizeof *d);
	w1 = malloc(n * sizeof *w1);   /* dense: diag0; CG: residual */
	if (r->dense) {
		H = malloc(n * n * sizeof *H);
	} else {
		w2 = malloc(n * sizeof *w2);
		w3 = malloc(n * sizeof *w3);
	}
	if (!g || !gt || !xt || !d || !w1 || (r->dense ? !H : !w2 || !w3)) {
		rc = ft_error_set(r->err, FT_ENOMEM, "newton: out of memory (dimension %zu)", n);
		goto done;
	}

	if ((rc = ft_opt_eval(r, x, &f, g, 0)) != 0)
		goto done;
	gnorm = ft_la_nrm2(n, g);
	thresh = r->tol * fmax(1.0, gnorm);
	while (gnorm > thresh && it < r->max_iter) {
		rc = r->dense ? dense_direction(r, x, g, H, w1, d, it)
		              : cg_direction(r, x, g, gnorm, d, w1, w2, w3, it);
		if (rc != 0)
			goto done;
		gd = ft_la_dot(n, g, d);
		if (!(gd < 0.0)) {
			/* cannot happen with exact arithmetic; fall back to -g */
			for (size_t i = 0; i < n; i++)
				d[i] = -g[i];
			gd = -gnorm * gnorm;
		}
		/* Armijo backtracking from the full step.  The next trial is the
		 * minimiser of the quadratic through f, g.d and f(x + t d),
		 * kept within [0.1 t, 0.5 t]. */
		t = 1.0;
		accepted = 0;
		for (int ls = 0; ls < MAX_BACKTRACK; ls++) {
			ft_la_copy(n, x, xt);
			ft_la_axpy(n, t, d, xt);
			if ((rc = ft_opt_eval(r, xt, &ft, gt, it + 1)) != 0)
				goto done;
			if (ft <= f + ARMIJO_C1 * t * gd) {
				accepted = 1;
				break;
			}
			/* f at its rounding floor: take the step when the slope
			 * says the quadratic model decreased enough, i.e.
			 * g(x + t d).d <= (2 c1 - 1) g.d (Hager & Zhang's
			 * approximate Wolfe condition) */
			if (ft <= f + FT_OPT_F_NOISE * fabs(f) &&
			    ft_la_dot(n, gt, d) <= (2.0 * ARMIJO_C1 - 1.0) * gd) {
				accepted = 1;
				break;
			}
			double tq = -gd * t * t / (2.0 * (ft - f - gd * t));
			t = fmin(fmax(tq, 0.1 * t), 0.5 * t);
		}
		if (!accepted)
			break;  /* no decrease left at this precision */
		ft_la_copy(n, xt, x);
		tmp = g;
		g = gt;
		gt = tmp;
		f = ft;
		gnorm = ft_la_nrm2(n, g);
		it++;
	}
	res->iterations = it;
	res->f = f;
	res->grad_norm = gnorm;
	res->converged = gnorm <= thresh;
done:
	free(g);
	free(gt);
	free(xt);
	free(d);
	free(w1);
	free(w2);
	free(w3);
	free(H);
	return rc;
}
