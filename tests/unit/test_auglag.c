/*
 * test_auglag.c - the augmented Lagrangian (src/optim/auglag.c) on small
 * problems with known solutions and multipliers: active and inactive
 * constraints, an equality written as two inequalities, a nonlinear
 * constraint, both inner solvers (dense Newton and L-BFGS); the gradient of
 * L_rho against finite differences; infeasible problems reported as
 * FT_EDATA with the constraint named; bad options.
 */
#include <math.h>
#include <string.h>
#include "fairtrain.h"
#include "optim/optim.h"
#include "t.h"

/* ------------------------------------------------------------ problems */

/* f = sum_i (x_i - t_i)^2 over dim 2, target t = (1, 2). */
static const double tgt[2] = { 1, 2 };

static int sq_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	*f = 0;
	for (int i = 0; i < 2; i++) {
		*f += (x[i] - tgt[i]) * (x[i] - tgt[i]);
		if (g)
			g[i] = 2 * (x[i] - tgt[i]);
	}
	return 0;
}

static int sq_h(void *ctx, const double *x, double *H)
{
	(void)ctx;
	(void)x;
	H[0] = 2; H[1] = 0; H[2] = 0; H[3] = 2;
	return 0;
}

static int sq_hv(void *ctx, const double *x, const double *v, double *hv)
{
	(void)ctx;
	(void)x;
	hv[0] = 2 * v[0];
	hv[1] = 2 * v[1];
	return 0;
}

/* Linear constraints A x - b <= 0, rows of A in lin_A (m x 2). */
struct lin {
	size_t m;
	double A[8], b[4];
};

static int lin_eval(void *ctx, const double *x, double *c, double *J)
{
	const struct lin *L = ctx;

	for (size_t k = 0; k < L->m; k++) {
		c[k] = L->A[2 * k] * x[0] + L->A[2 * k + 1] * x[1] - L->b[k];
		if (J) {
			J[2 * k] = L->A[2 * k];
			J[2 * k + 1] = L->A[2 * k + 1];
		}
	}
	return 0;
}

static struct ft_objective sq_obj(int with_hessian)
{
	struct ft_objective o = { 2, NULL, sq_vg, with_hessian ? sq_hv : NULL,
	                          with_hessian ? sq_h : NULL };
	return o;
}

/* min |x - (1, 2)|^2 s.t. x0 + x1 <= 1 (active) and x0 <= 5 (inactive):
 * x* = (0, 1), lambda* = (2, 0). */
static void run_active_inactive(int solver)
{
	struct lin L = { 2, { 1, 1, 1, 0 }, { 1, 5 } };
	struct ft_objective o = sq_obj(1);
	struct ft_constraints con = { 2, &L, lin_eval, NULL, NULL, NULL, NULL };
	struct ft_auglag_opts opt;
	struct ft_auglag_result res;
	struct ft_error err = { 0 };
	double x[2] = { 3, 3 }, lam[2] = { 0, 0 };

	ft_auglag_opts_init(&opt);
	opt.inner.solver = solver;
	opt.tol_kkt = 1e-9;
	opt.tol_feas = 1e-9;
	T_CHECKF(ft_auglag(&o, &con, x, lam, &opt, &res, &err) == 0, "%s", err.msg);
	T_CHECK(res.converged);
	T_NEAR(x[0], 0.0, 1e-7);
	T_NEAR(x[1], 1.0, 1e-7);
	T_NEAR(lam[0], 2.0, 1e-6);
	T_CHECK(lam[1] == 0.0);
	T_CHECK(res.max_violation <= 1e-9);
	T_CHECK(res.kkt_residual <= 1e-9);
	T_NEAR(res.f, 2.0, 1e-7);
	T_CHECK(res.outer_iterations >= 1 && res.inner_iterations >= 1);
	/* KKT by hand: grad f + lambda grad c */
	T_NEAR(2 * (x[0] - 1) + lam[0] + lam[1], 0.0, 1e-6);
	T_NEAR(2 * (x[1] - 2) + lam[0], 0.0, 1e-6);
}

static void test_active_inactive_newton(void)
{
	run_active_inactive(FT_SOLVER_NEWTON);
}

static void test_active_inactive_lbfgs(void)
{
	run_active_inactive(FT_SOLVER_LBFGS);
}

static void test_active_inactive_auto(void)
{
	run_active_inactive(FT_SOLVER_AUTO);
}

/* All constraints inactive at the unconstrained minimum: x = (1, 2),
 * lambda = 0, nothing to do beyond one inner solve. */
static void test_all_inactive(void)
{
	struct lin L = { 2, { 1, 1, -1, 0 }, { 10, 10 } };
	struct ft_objective o = sq_obj(1);
	struct ft_constraints con = { 2, &L, lin_eval, NULL, NULL, NULL, NULL };
	struct ft_auglag_result res;
	struct ft_error err = { 0 };
	double x[2] = { 0, 0 }, lam[2] = { 5, 5 };   /* wrong guesses are fine */

	T_CHECKF(ft_auglag(&o, &con, x, lam, NULL, &res, &err) == 0, "%s", err.msg);
	T_CHECK(res.converged);
	T_NEAR(x[0], 1.0, 1e-7);
	T_NEAR(x[1], 2.0, 1e-7);
	T_CHECK(lam[0] == 0.0 && lam[1] == 0.0);
	T_CHECK(res.complementarity <= 1e-6);
}

/* Equality x0 + x1 = 1 as x0 + x1 - 1 <= 0 and 1 - x0 - x1 <= 0, with
 * f = |x - (1, 2)|^2: x* = (0, 1), the "<=" multiplier 2, the ">=" one 0.
 * With target (-1, -1) instead the ">=" side is active: x* = (0.5, 0.5),
 * multiplier 3. */
static void test_equality_pair(void)
{
	struct lin L = { 2, { 1, 1, -1, -1 }, { 1, -1 } };
	struct ft_objective o = sq_obj(1);
	struct ft_constraints con = { 2, &L, lin_eval, NULL, NULL, NULL, NULL };
	struct ft_auglag_result res;
	struct ft_error err = { 0 };
	double x[2] = { 0, 0 }, lam[2] = { 0, 0 };

	T_CHECKF(ft_auglag(&o, &con, x, lam, NULL, &res, &err) == 0, "%s", err.msg);
	T_CHECK(res.converged);
	T_NEAR(x[0], 0.0, 1e-6);
	T_NEAR(x[1], 1.0, 1e-6);
	T_NEAR(lam[0] - lam[1], 2.0, 1e-5);
	T_CHECK(lam[1] <= 1e-6);
}

/* min x0 + x1 s.t. x0^2 + x1^2 <= 2: x* = (-1, -1), lambda* = 1/2.  f is
 * linear (unbounded without the constraint); the constraint has curvature
 * 2 mu I, supplied through the hess callback for the Newton run. */
static int lin_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	*f = x[0] + x[1];
	if (g)
		g[0] = g[1] = 1;
	return 0;
}

static int zero_h(void *ctx, const double *x, double *H)
{
	(void)ctx;
	(void)x;
	memset(H, 0, 4 * sizeof *H);
	return 0;
}

static int ball_eval(void *ctx, const double *x, double *c, double *J)
{
	(void)ctx;
	c[0] = x[0] * x[0] + x[1] * x[1] - 2;
	if (J) {
		J[0] = 2 * x[0];
		J[1] = 2 * x[1];
	}
	return 0;
}

static int ball_hess(void *ctx, const double *x, const double *mu, double *H)
{
	(void)ctx;
	(void)x;
	H[0] += 2 * mu[0];
	H[3] += 2 * mu[0];
	return 0;
}

static void run_ball(int newton)
{
	struct ft_objective o = { 2, NULL, lin_vg, NULL, newton ? zero_h : NULL };
	static const char *const names[] = { "|x|^2" };
	static const double bound[] = { 2 };
	struct ft_constraints con = { 1, NULL, ball_eval, ball_hess, names, bound, NULL };
	struct ft_auglag_result res;
	struct ft_error err = { 0 };
	double x[2] = { 0.3, -0.2 }, lam = 0;

	T_CHECKF(ft_auglag(&o, &con, x, &lam, NULL, &res, &err) == 0, "%s", err.msg);
	T_CHECK(res.converged);
	T_NEAR(x[0], -1.0, 1e-6);
	T_NEAR(x[1], -1.0, 1e-6);
	T_NEAR(lam, 0.5, 1e-6);
	T_CHECK(res.kkt_residual <= 1e-6);
	T_NEAR(1 + lam * 2 * x[0], 0.0, 1e-5);
}

static void test_nonlinear_newton(void)
{
	run_ball(1);
}

static void test_nonlinear_lbfgs(void)
{
	run_ball(0);
}

/* ------------------------------------------------ L_rho by differences */

/* grad L_rho against central differences at points where some constraints
 * are in the max(0, .) region and some are not. */
static void test_lagrangian_gradient_fd(void)
{
	struct lin L = { 3, { 1, 1, 1, 0, -2, 0.5 }, { 1, 5, 0.2 } };
	struct ft_objective o = sq_obj(1);
	struct ft_constraints con = { 3, &L, lin_eval, NULL, NULL, NULL, NULL };
	struct ft_constraints ball = { 1, NULL, ball_eval, ball_hess, NULL, NULL, NULL };
	const double pts[3][2] = { { 0.3, 0.9 }, { 2, -1 }, { -0.7, 1.6 } };
	const double lam[3] = { 0.5, 0, 2 }, rhos[2] = { 1, 30 };

	for (int p = 0; p < 3; p++)
		for (int r = 0; r < 2; r++)
			for (int which = 0; which < 2; which++) {
				const struct ft_constraints *cc = which ? &ball : &con;
				double g[2], Lp, Lm, L0, xp[2];
				T_CHECK(ft_auglag_lagrangian(&o, cc, pts[p], lam, rhos[r], &L0, g) == 0);
				for (int i = 0; i < 2; i++) {
					double h = 1e-6, fd;
					memcpy(xp, pts[p], sizeof xp);
					xp[i] += h;
					ft_auglag_lagrangian(&o, cc, xp, lam, rhos[r], &Lp, NULL);
					xp[i] -= 2 * h;
					ft_auglag_lagrangian(&o, cc, xp, lam, rhos[r], &Lm, NULL);
					fd = (Lp - Lm) / (2 * h);
					T_CHECKF(fabs(fd - g[i]) <= 1e-6 * fmax(1, fabs(g[i])),
					         "point %d rho %g set %d: d/dx%d %.10g, fd %.10g",
					         p, rhos[r], which, i, g[i], fd);
				}
			}
}

/* L_rho = f when every constraint is slack with lambda = 0, and
 * f + lambda c + rho/2 c^2 when active. */
static void test_lagrangian_value(void)
{
	struct lin L = { 1, { 1, 1 }, { 1 } };
	struct ft_objective o = sq_obj(1);
	struct ft_constraints con = { 1, &L, lin_eval, NULL, NULL, NULL, NULL };
	double x[2] = { 1, 1 }, lam = 0.5, Lv;

	/* c = 1: f = 1, L = 1 + 0.5 + 2 / 2 * 1 = 2.5 with rho = 2 */
	T_CHECK(ft_auglag_lagrangian(&o, &con, x, &lam, 2.0, &Lv, NULL) == 0);
	T_NEAR(Lv, 2.5, 1e-14);
	/* x = (0, 0): c = -1, lambda + rho c < 0: L = f - lambda^2 / (2 rho) */
	x[0] = x[1] = 0;
	T_CHECK(ft_auglag_lagrangian(&o, &con, x, &lam, 2.0, &Lv, NULL) == 0);
	T_NEAR(Lv, 5.0 - 0.25 / 4.0, 1e-14);
}

/* ------------------------------------------------------------- failures */

/* x0 <= -1 and x0 >= 1: no point satisfies both. */
static void test_infeasible(void)
{
	struct lin L = { 2, { 1, 0, -1, 0 }, { -1, -1 } };
	static const char *const names[] = { "x0", "-x0" };
	static const double bound[] = { -1, -1 };
	struct ft_objective o = sq_obj(1);
	struct ft_constraints con = { 2, &L, lin_eval, NULL, names, bound, NULL };
	struct ft_auglag_result res;
	struct ft_error err = { 0 };
	double x[2] = { 0, 0 }, lam[2] = { 0, 0 };
	int rc = ft_auglag(&o, &con, x, lam, NULL, &res, &err);

	T_CHECKF(rc == FT_EDATA, "rc %d", rc);
	T_CHECKF(strstr(err.msg, "constraint cannot be met: ") == err.msg, "%s", err.msg);
	T_CHECKF(strstr(err.msg, "exceeds -1 by 1"), "%s", err.msg);
	T_CHECK(!res.converged);
	T_NEAR(res.max_violation, 1.0, 1e-3);
	T_CHECK(res.outer_iterations < 50);
	T_NEAR(x[0], 0.0, 1e-3);
}

/* A constraint no x can meet on its own, c = x0^2 + x1^2 + 1 <= 0, named
 * by its index when there are no names. */
static int pos_eval(void *ctx, const double *x, double *c, double *J)
{
	(void)ctx;
	c[0] = x[0] * x[0] + x[1] * x[1] + 1;
	if (J) {
		J[0] = 2 * x[0];
		J[1] = 2 * x[1];
	}
	return 0;
}

static void test_infeasible_unnamed(void)
{
	struct ft_objective o = sq_obj(0);
	struct ft_constraints con = { 1, NULL, pos_eval, NULL, NULL, NULL, NULL };
	struct ft_error err = { 0 };
	double x[2] = { 1, 1 };

	T_CHECK(ft_auglag(&o, &con, x, NULL, NULL, NULL, &err) == FT_EDATA);
	T_CHECKF(strstr(err.msg, "constraint 0 = 1 exceeds 0 by 1"), "%s", err.msg);
}

static int bad_eval(void *ctx, const double *x, double *c, double *J)
{
	(void)ctx;
	(void)x;
	(void)J;
	c[0] = NAN;
	return 0;
}

static int fail_eval(void *ctx, const double *x, double *c, double *J)
{
	(void)ctx;
	(void)x;
	(void)c;
	(void)J;
	return FT_ENOMEM;
}

static void test_errors(void)
{
	struct lin L = { 1, { 1, 1 }, { 1 } };
	struct ft_objective o = sq_obj(1);
	struct ft_constraints con = { 1, &L, lin_eval, NULL, NULL, NULL, NULL };
	struct ft_constraints nan_con = { 1, NULL, bad_eval, NULL, NULL, NULL, NULL };
	struct ft_constraints fail_con = { 1, NULL, fail_eval, NULL, NULL, NULL, NULL };
	struct ft_auglag_opts opt;
	struct ft_error err = { 0 };
	double x[2] = { 0, 0 };

	ft_auglag_opts_init(&opt);
	opt.rho_factor = 1;
	T_CHECK(ft_auglag(&o, &con, x, NULL, &opt, NULL, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "rho_factor"), "%s", err.msg);
	ft_auglag_opts_init(&opt);
	opt.tol_feas = 0;
	ft_error_clear(&err);
	T_CHECK(ft_auglag(&o, &con, x, NULL, &opt, NULL, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_auglag(NULL, &con, x, NULL, NULL, NULL, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_auglag(&o, &nan_con, x, NULL, NULL, NULL, &err) == FT_ENUMERIC);
	ft_error_clear(&err);
	T_CHECK(ft_auglag(&o, &fail_con, x, NULL, NULL, NULL, &err) == FT_ENOMEM);
	T_CHECKF(strstr(err.msg, "auglag"), "%s", err.msg);
}

/* No constraints: plain minimisation. */
static void test_no_constraints(void)
{
	struct ft_objective o = sq_obj(1);
	struct ft_constraints con = { 0, NULL, NULL, NULL, NULL, NULL, NULL };
	struct ft_auglag_result res;
	struct ft_error err = { 0 };
	double x[2] = { 0, 0 };

	T_CHECKF(ft_auglag(&o, &con, x, NULL, NULL, &res, &err) == 0, "%s", err.msg);
	T_CHECK(res.converged);
	T_NEAR(x[0], 1.0, 1e-8);
	T_NEAR(x[1], 2.0, 1e-8);
}

int main(void)
{
	T_RUN(test_active_inactive_newton);
	T_RUN(test_active_inactive_lbfgs);
	T_RUN(test_active_inactive_auto);
	T_RUN(test_all_inactive);
	T_RUN(test_equality_pair);
	T_RUN(test_nonlinear_newton);
	T_RUN(test_nonlinear_lbfgs);
	T_RUN(test_lagrangian_gradient_fd);
	T_RUN(test_lagrangian_value);
	T_RUN(test_infeasible);
	T_RUN(test_infeasible_unnamed);
	T_RUN(test_errors);
	T_RUN(test_no_constraints);
	return t_done();
}
