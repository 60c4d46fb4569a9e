/*
 * lbfgs.c - limited-memory BFGS with a Wolfe line search.
 *
 * Direction: the two-loop recursion (Nocedal & Wright, Numerical
 * Optimization, 2nd ed., Algorithm 7.4) over the last m pairs
 * s = x_{k+1} - x_k, y = g_{k+1} - g_k, with the initial matrix
 * gamma I, gamma = s.y / y.y of the newest pair (N&W eq. 7.20).  A pair with
 * s.y <= eps y.y is skipped, which keeps the implicit inverse Hessian
 * positive definite; an ascent direction (round-off) resets the memory.
 *
 * Step: N&W Algorithms 3.5 and 3.6 (bracketing, then zoom with safeguarded
 * cubic interpolation) for the strong Wolfe conditions
 *   f(x + t d) <= f + c1 t g.d   and   |g(x + t d).d| <= c2 |g.d|,
 * c1 = 1e-4, c2 = 0.9, or, where f has run into its rounding error, an
 * approximate Wolfe point (see approx_wolfe).  When the budget runs out
 * with a point that satisfies only the first (Armijo) condition, that point
 * is taken and its pair is kept only if s.y is positive.  The first step is
 * scaled to length 1.
 *
 * Stops like Newton: ||g|| <= tol max(1, ||g(x0)||), max_iter, or a line
 * search that finds no acceptable point (converged = 0, not an error).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include "fairtrain.h"
#include "linalg/linalg.h"
#include "optim/optim.h"

#define WOLFE_C1 1e-4
#define WOLFE_C2 0.9
#define MAX_BRACKET 30
#define MAX_ZOOM 40

/* The line search's view of one trial point. */
struct ls {
	const struct ft_opt_run *r;
	const double *x, *d;   /* base point and direction */
	double f, gd;          /* f(x) and g(x).d (< 0) */
	double *xt, *gt;       /* trial point and its gradient */
	double ft;
	int iter;
};

/* Evaluate phi(t) = f(x + t d) into ls->xt, ls->ft, ls->gt; *dphi = gt.d. */
static int ls_eval(struct ls *s, double t, double *dphi)
{
	size_t n = s->r->obj->dim;
	int rc;

	ft_la_copy(n, s->x, s->xt);
	ft_la_axpy(n, t, s->d, s->xt);
	rc = ft_opt_eval(s->r, s->xt, &s->ft, s->gt, s->iter);
	if (rc == 0)
		*dphi = ft_la_dot(n, s->gt, s->d);
	return rc;
}

static int armijo(const struct ls *s, double t, double ft)
{
	return ft <= s->f + WOLFE_C1 * t * s->gd;
}

/* Near the minimum the decrease c1 t g.d falls below the rounding error of
 * f (a sum over many rows) and Armijo becomes a coin toss.  Hager & Zhang
 * (SIAM J. Optim. 16, 2005) then trust the slope instead: a point with f
 * within F_NOISE |f| of f(x) whose slope satisfies the strong Wolfe
 * curvature condition (which implies their approximate Wolfe condition
 * phi'(t) <= (2 c1 - 1) phi'(0)) is accepted. */
static int approx_wolfe(const struct ls *s, double ft, double dt)
{
	return ft <= s->f + FT_OPT_F_NOISE * fabs(s->f) &&
	       fabs(dt) <= -WOLFE_C2 * s->gd;
}

/* Minimiser of the cubic that interpolates phi and phi' at a and b (N&W eq.
 * 3.59), or the midpoint when that is undefined or too close to an end. */
static double cubic_step(double a, double fa, double da, double b, double fb,
                         double db)
{
	double d1 = da + db - 3.0 * (fa - fb) / (a - b);
	double disc = d1 * d1 - da * db, d2, t, lo, hi, w;

	lo = fmin(a, b);
	hi = fmax(a, b);
	w = hi - lo;
	if (disc >= 0.0) {
		d2 = copysign(sqrt(disc), b - a);
		t = b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2);
		if (isfinite(t) && t >= lo + 0.1 * w && t <= hi - 0.1 * w)
			return t;
	}
	return 0.5 * (a + b);
}

/* N&W Algorithm 3.6.  lo satisfies Armijo and has the lowest f so far.
 * Returns 0 with the accepted point in s->xt/gt/ft, 1 when nothing
 * acceptable was found, or an error. */
static int zoom(struct ls *s, double lo, double flo, double dlo, double hi,
                double fhi, double dhi, double *t_out)
{
	double t, dt;
	int rc;

	for (int j = 0; j < MAX_ZOOM; j++) {
		t = cubic_step(lo, flo, dlo, hi, fhi, dhi);
		if ((rc = ls_eval(s, t, &dt)) != 0)
			return rc;
		if (approx_wolfe(s, s->ft, dt)) {
			*t_out = t;
			return 0;
		}
		if (!armijo(s, t, s->ft) || s->ft >= flo) {
			hi = t;
			fhi = s->ft;
			dhi = dt;
		} else {
			if (fabs(dt) <= -WOLFE_C2 * s->gd) {
				*t_out = t;
				return 0;
			}
			if (dt * (hi - lo) >= 0.0) {
				hi = lo;
				fhi = flo;
				dhi = dlo;
			}
			lo = t;
			flo = s->ft;
			dlo = dt;
		}
		if (fabs(hi - lo) <= DBL_EPSILON * fmax(1.0, fabs(lo)))
			break;
	}
	/* Safeguard: settle for the Armijo point lo when it moved at all. */
	if (lo > 0.0 && flo < s->f) {
		if ((rc = ls_eval(s, lo, &dt)) != 0)
			return rc;
		*t_out = lo;
		return 0;
	}
	return 1;
}

/* N&W Algorithm 3.5: grow t until the minimum is bracketed, then zoom. */
static int wolfe_search(struct ls *s, double t, double *t_out)
{
	double tp = 0.0, fp = s->f, dp = s->gd, dt;
	int rc;

	for (int i = 0; i < MAX_BRACKET; i++) {
		if ((rc = ls_eval(s, t, &dt)) != 0)
			return rc;
		if (approx_wolfe(s, s->ft, dt)) {
			*t_out = t;
			return 0;
		}
		if (!armijo(s, t, s->ft) || (i > 0 && s->ft >= fp))
			return zoom(s, tp, fp, dp, t, s->ft, dt, t_out);
		if (fabs(dt) <= -WOLFE_C2 * s->gd) {
			*t_out = t;
			return 0;
		}
		if (dt >= 0.0)
			return zoom(s, t, s->ft, dt, tp, fp, dp, t_out);
		tp = t;
		fp = s->ft;
		dp = dt;
		t *= 2.0;
	}
	*t_out = tp;   /* the last trial satisfies Armijo and is still in xt */
	return 0;
}

int ft_lbfgs_run(const struct ft_opt_run *r, double *x,
                 struct ft_solver_result *res)
{
	size_t n = r->obj->dim, m = r->lbfgs_m, k = 0, newest = 0;
	double *g = NULL, *gt = NULL, *xt = NULL, *d = NULL, *S = NULL, *Y = NULL;
	double *rho = NULL, *alpha = NULL, *tmp;
	double f, gnorm, thresh, gd, gamma = 1.0, t;
	struct ls s;
	int rc = 0, it = 0;

	g = malloc(n * sizeof *g);
	gt = malloc(n * sizeof *gt);
	xt = malloc(n * sizeof *xt);
	d = malloc(n * sizeof *d);
	rho = malloc(m * sizeof *rho);
	alpha = malloc(m * sizeof *alpha);
	if (n <= ((size_t)-1) / sizeof(double) / m) {
		S = malloc(m * n * sizeof *S);
		Y = malloc(m * n * sizeof *Y);
	}
	if (!g || !gt || !xt || !d || !rho || !alpha || !S || !Y) {
		rc = ft_error_set(r->err, FT_ENOMEM,
		                  "lbfgs: out of memory (dimension %zu, memory %zu)", n, m);
		goto done;
	}

	if ((rc = ft_opt_eval(r, x, &f, g, 0)) != 0)
		goto done;
	gnorm = ft_la_nrm2(n, g);
	thresh = r->tol * fmax(1.0, gnorm);
	while (gnorm > thresh && it < r->max_iter) {
		/* two-loop recursion: d = -H_k g over the k stored pairs, pair
		 * (newest - j) mod m being the j-th newest */
		ft_la_copy(n, g, d);
		for (size_t j = 0; j < k; j++) {
			size_t i = (newest + m - j) % m;
			alpha[i] = rho[i] * ft_la_dot(n, S + i * n, d);
			ft_la_axpy(n, -alpha[i], Y + i * n, d);
		}
		ft_la_scal(n, k > 0 ? -gamma : -1.0, d);
		for (size_t j = k; j-- > 0;) {
			size_t i = (newest + m - j) % m;
			/* d holds -r here, so the update of N&W is negated too */
			double b = rho[i] * ft_la_dot(n, Y + i * n, d);
			ft_la_axpy(n, -alpha[i] - b, S + i * n, d);
		}
		gd = ft_la_dot(n, g, d);
		if (!(gd < 0.0)) {
			k = 0;
			for (size_t i = 0; i < n; i++)
				d[i] = -g[i];
			gd = -gnorm * gnorm;
		}
		s.r = r;
		s.x = x;
		s.d = d;
		s.f = f;
		s.gd = gd;
		s.xt = xt;
		s.gt = gt;
		s.iter = it + 1;
		/* without curvature information, a first step of length 1 */
		rc = wolfe_search(&s, k == 0 ? fmin(1.0, 1.0 / gnorm) : 1.0, &t);
		if (rc < 0)
			goto done;
		if (rc > 0) {
			rc = 0;
			break;  /* no acceptable step at this precision */
		}
		/* new pair s = xt - x, y = gt - g, stored only when s.y > 0 (with
		 * a margin), so a skipped pair never overwrites a kept one */
		{
			double sy = 0.0, yy = 0.0;

			for (size_t q = 0; q < n; q++) {
				double yq = gt[q] - g[q];
				sy += (xt[q] - x[q]) * yq;
				yy += yq * yq;
			}
			if (sy > DBL_EPSILON * yy && yy > 0.0) {
				size_t i = k == 0 ? 0 : (newest + 1) % m;
				for (size_t q = 0; q < n; q++) {
					S[i * n + q] = xt[q] - x[q];
					Y[i * n + q] = gt[q] - g[q];
				}
				rho[i] = 1.0 / sy;
				gamma = sy / yy;
				newest = i;
				if (k < m)
					k++;
			}
		}
		ft_la_copy(n, xt, x);
		tmp = g;
		g = gt;
		gt = tmp;
		f = s.ft;
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
	free(S);
	free(Y);
	free(rho);
	free(alpha);
	return rc;
}
