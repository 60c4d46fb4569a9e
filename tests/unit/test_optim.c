/*
 * test_optim.c - ft_minimize: Newton (dense Cholesky and truncated CG) and
 * L-BFGS on functions with known minimisers, reporting of non-convergence,
 * NaN handling, indefinite Hessians and option errors.
 */
#include <math.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"

/* ------------------------------------------------------- test objectives */

/* f = 1/2 x.A x - b.x over dim QN, A diagonally dominant SPD plus a
 * tridiagonal coupling; the minimiser is A^-1 b.  Counts evaluations. */
#define QN 3
static const double qa[QN * QN] = { 4, 1, 0, 1, 3, -1, 0, -1, 2 };
static const double qxstar[QN] = { 1, -2, 0.5 };
static double qb[QN];
static int n_evals;

static void quad_setup(void)
{
	for (int i = 0; i < QN; i++) {
		qb[i] = 0;
		for (int j = 0; j < QN; j++)
			qb[i] += qa[i * QN + j] * qxstar[j];
	}
}

static int quad_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	n_evals++;
	*f = 0;
	for (int i = 0; i < QN; i++) {
		double ax = 0;
		for (int j = 0; j < QN; j++)
			ax += qa[i * QN + j] * x[j];
		*f += 0.5 * x[i] * ax - qb[i] * x[i];
		if (g)
			g[i] = ax - qb[i];
	}
	return 0;
}

static int quad_hv(void *ctx, const double *x, const double *v, double *hv)
{
	(void)ctx;
	(void)x;
	for (int i = 0; i < QN; i++) {
		hv[i] = 0;
		for (int j = 0; j < QN; j++)
			hv[i] += qa[i * QN + j] * v[j];
	}
	return 0;
}

static int quad_h(void *ctx, const double *x, double *H)
{
	(void)ctx;
	(void)x;
	memcpy(H, qa, sizeof qa);
	return 0;
}

/* Rosenbrock: 100 (y - x^2)^2 + (1 - x)^2, minimum 0 at (1, 1). */
static int rosen_vg(void *ctx, const double *x, double *f, double *g)
{
	double a = x[1] - x[0] * x[0], b = 1 - x[0];
	(void)ctx;
	*f = 100 * a * a + b * b;
	if (g) {
		g[0] = -400 * x[0] * a - 2 * b;
		g[1] = 200 * a;
	}
	return 0;
}

static int rosen_h(void *ctx, const double *x, double *H)
{
	(void)ctx;
	H[0] = 1200 * x[0] * x[0] - 400 * x[1] + 2;
	H[1] = H[2] = -400 * x[0];
	H[3] = 200;
	return 0;
}

static int rosen_hv(void *ctx, const double *x, const double *v, double *hv)
{
	double H[4];
	rosen_h(ctx, x, H);
	hv[0] = H[0] * v[0] + H[1] * v[1];
	hv[1] = H[2] * v[0] + H[3] * v[1];
	return 0;
}

/* Double well: x^4/4 - x^2/2 + y^2/2.  Saddle at 0, minima (+-1, 0) with
 * f = -1/4; the Hessian diag(3x^2 - 1, 1) is indefinite for |x| < 1/sqrt 3. */
static int well_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	*f = pow(x[0], 4) / 4 - x[0] * x[0] / 2 + x[1] * x[1] / 2;
	if (g) {
		g[0] = x[0] * x[0] * x[0] - x[0];
		g[1] = x[1];
	}
	return 0;
}

static int well_h(void *ctx, const double *x, double *H)
{
	(void)ctx;
	H[0] = 3 * x[0] * x[0] - 1;
	H[1] = H[2] = 0;
	H[3] = 1;
	return 0;
}

static int well_hv(void *ctx, const double *x, const double *v, double *hv)
{
	(void)ctx;
	hv[0] = (3 * x[0] * x[0] - 1) * v[0];
	hv[1] = v[1];
	return 0;
}

/* (x - 2)^2 where x <= 0.5, NaN beyond: the full Newton step from 0 lands
 * on x = 2. */
static int nan_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	*f = x[0] <= 0.5 ? (x[0] - 2) * (x[0] - 2) : NAN;
	if (g)
		g[0] = 2 * (x[0] - 2);
	return 0;
}

static int nan_h(void *ctx, const double *x, double *H)
{
	(void)ctx;
	(void)x;
	H[0] = 2;
	return 0;
}

/* Finite f, NaN gradient. */
static int nangrad_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	*f = x[0] * x[0];
	if (g)
		g[0] = NAN;
	return 0;
}

static int fail_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	(void)x;
	(void)f;
	(void)g;
	return FT_ENOMEM;
}

/* Ill-conditioned separable quadratic in dim 200: sum i/2 (x_i - 1)^2 * k_i
 * with k_i from 1 to 1000. */
#define BN 200
static int big_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	*f = 0;
	for (int i = 0; i < BN; i++) {
		double k = 1 + 999.0 * i / (BN - 1), e = x[i] - 1;
		*f += 0.5 * k * e * e;
		if (g)
			g[i] = k * e;
	}
	return 0;
}

static int big_hv(void *ctx, const double *x, const double *v, double *hv)
{
	(void)ctx;
	(void)x;
	for (int i = 0; i < BN; i++)
		hv[i] = (1 + 999.0 * i / (BN - 1)) * v[i];
	return 0;
}

static struct ft_objective obj_of(size_t dim,
                                  int (*vg)(void *, const double *, double *, double *),
                                  int (*hv)(void *, const double *, const double *, double *),
                                  int (*h)(void *, const double *, double *))
{
	struct ft_objective o;
	o.dim = dim;
	o.ctx = NULL;
	o.value_grad = vg;
	o.hess_vec = hv;
	o.hessian = h;
	return o;
}

/* ------------------------------------------------------------------ tests */

static void test_opts_defaults(void)
{
	struct ft_solver_opts o;

	ft_solver_opts_init(&o);
	T_CHECK(o.solver == FT_SOLVER_AUTO);
	T_CHECK(o.max_iter == 0);
	T_NEAR(o.tol, 1e-8, 0);
	T_CHECK(o.lbfgs_m == 10);
	T_CHECK(o.dense_max_dim == 2000);
	T_STREQ(ft_solver_name(FT_SOLVER_AUTO), "auto");
	T_STREQ(ft_solver_name(FT_SOLVER_NEWTON), "newton");
	T_STREQ(ft_solver_name(FT_SOLVER_LBFGS), "lbfgs");
	T_STREQ(ft_solver_name(42), "unknown");
}

static void test_quadratic_newton_dense(void)
{
	struct ft_objective ob = obj_of(QN, quad_vg, quad_hv, quad_h);
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[QN] = { 0, 0, 0 }, fstar;
	int rc;

	quad_setup();
	rc = ft_minimize(&ob, x, NULL, &res, &err);
	T_CHECKF(rc == 0, "rc %d: %s", rc, err.msg);
	T_CHECK(res.solver == FT_SOLVER_NEWTON);
	T_CHECK(res.converged);
	/* exact Hessian of a quadratic: one full step */
	T_CHECKF(res.iterations == 1, "iterations %d", res.iterations);
	for (int i = 0; i < QN; i++)
		T_NEAR(x[i], qxstar[i], 1e-12);
	quad_vg(NULL, qxstar, &fstar, NULL);
	T_NEAR(res.f, fstar, 1e-12);
	T_CHECK(res.grad_norm <= 1e-8);
}

static void test_quadratic_newton_cg(void)
{
	struct ft_objective ob = obj_of(QN, quad_vg, quad_hv, NULL);
	struct ft_solver_opts o;
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[QN] = { 3, 3, 3 };
	int rc;

	quad_setup();
	ft_solver_opts_init(&o);
	o.solver = FT_SOLVER_NEWTON;
	o.tol = 1e-12;
	rc = ft_minimize(&ob, x, &o, &res, &err);
	T_CHECKF(rc == 0, "rc %d: %s", rc, err.msg);
	T_CHECK(res.solver == FT_SOLVER_NEWTON);
	T_CHECK(res.converged);
	for (int i = 0; i < QN; i++)
		T_NEAR(x[i], qxstar[i], 1e-10);
}

static void test_quadratic_lbfgs(void)
{
	struct ft_objective ob = obj_of(QN, quad_vg, NULL, NULL);
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[QN] = { 0, 0, 0 };
	int rc;

	quad_setup();
	/* AUTO without a Hessian is L-BFGS */
	rc = ft_minimize(&ob, x, NULL, &res, &err);
	T_CHECKF(rc == 0, "rc %d: %s", rc, err.msg);
	T_CHECK(res.solver == FT_SOLVER_LBFGS);
	T_CHECK(res.converged);
	T_CHECKF(res.iterations < 30, "iterations %d", res.iterations);
	for (int i = 0; i < QN; i++)
		T_NEAR(x[i], qxstar[i], 1e-7);
}

static void test_auto_dense_max_dim(void)
{
	struct ft_objective ob = obj_of(QN, quad_vg, quad_hv, quad_h);
	struct ft_solver_opts o;
	struct ft_solver_result res;
	double x[QN] = { 0, 0, 0 };

	quad_setup();
	ft_solver_opts_init(&o);
	o.dense_max_dim = 2;
	T_CHECK(ft_minimize(&ob, x, &o, &res, NULL) == 0);
	T_CHECK(res.solver == FT_SOLVER_LBFGS);
	T_CHECK(res.converged);
	/* explicit Newton beyond dense_max_dim runs CG on hess_vec */
	o.solver = FT_SOLVER_NEWTON;
	x[0] = x[1] = x[2] = 0;
	T_CHECK(ft_minimize(&ob, x, &o, &res, NULL) == 0);
	T_CHECK(res.solver == FT_SOLVER_NEWTON);
	T_CHECK(res.converged);
	for (int i = 0; i < QN; i++)
		T_NEAR(x[i], qxstar[i], 1e-7);
}

static void rosen_case(int solver, int with_h, int with_hv)
{
	struct ft_objective ob = obj_of(2, rosen_vg, with_hv ? rosen_hv : NULL,
	                                with_h ? rosen_h : NULL);
	struct ft_solver_opts o;
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[2] = { -1.2, 1 };
	int rc;

	ft_solver_opts_init(&o);
	o.solver = solver;
	o.tol = 1e-10;
	rc = ft_minimize(&ob, x, &o, &res, &err);
	T_CHECKF(rc == 0, "rc %d: %s", rc, err.msg);
	T_CHECK(res.solver == solver);
	T_CHECKF(res.converged, "not converged after %d iterations, |g| %g",
	         res.iterations, res.grad_norm);
	T_NEAR(x[0], 1, 1e-7);
	T_NEAR(x[1], 1, 1e-7);
	T_CHECK(res.f < 1e-14);
}

static void test_rosenbrock_newton_dense(void)
{
	rosen_case(FT_SOLVER_NEWTON, 1, 0);
}

static void test_rosenbrock_newton_cg(void)
{
	rosen_case(FT_SOLVER_NEWTON, 0, 1);
}

static void test_rosenbrock_lbfgs(void)
{
	rosen_case(FT_SOLVER_LBFGS, 0, 0);
}

static void test_rosenbrock_lbfgs_m1(void)
{
	struct ft_objective ob = obj_of(2, rosen_vg, NULL, NULL);
	struct ft_solver_opts o;
	struct ft_solver_result res;
	double x[2] = { -1.2, 1 };

	ft_solver_opts_init(&o);
	o.lbfgs_m = 1;
	o.tol = 1e-9;
	o.max_iter = 5000;
	T_CHECK(ft_minimize(&ob, x, &o, &res, NULL) == 0);
	T_CHECK(res.converged);
	T_NEAR(x[0], 1, 1e-6);
	T_NEAR(x[1], 1, 1e-6);
}

static void test_not_converged(void)
{
	struct ft_objective ob = obj_of(2, rosen_vg, rosen_hv, rosen_h);
	struct ft_solver_opts o;
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[2] = { -1.2, 1 }, f0;
	int solvers[2] = { FT_SOLVER_NEWTON, FT_SOLVER_LBFGS };

	rosen_vg(NULL, x, &f0, NULL);
	for (int s = 0; s < 2; s++) {
		ft_solver_opts_init(&o);
		o.solver = solvers[s];
		o.max_iter = 3;
		x[0] = -1.2;
		x[1] = 1;
		T_CHECK(ft_minimize(&ob, x, &o, &res, &err) == 0);
		T_CHECK(err.code == 0);
		T_CHECK(!res.converged);
		T_CHECK(res.iterations == 3);
		T_CHECK(res.f < f0);
		T_CHECK(res.grad_norm > 0);
		double fx;
		rosen_vg(NULL, x, &fx, NULL);
		T_NEAR(res.f, fx, 1e-15);
	}
}

static void test_already_optimal(void)
{
	struct ft_objective ob = obj_of(QN, quad_vg, quad_hv, quad_h);
	struct ft_solver_result res;
	double x[QN];

	quad_setup();
	memcpy(x, qxstar, sizeof x);
	n_evals = 0;
	T_CHECK(ft_minimize(&ob, x, NULL, &res, NULL) == 0);
	T_CHECK(res.converged);
	T_CHECK(res.iterations == 0);
	T_CHECK(n_evals == 1);
}

static void test_nan_objective(void)
{
	struct ft_objective ob = obj_of(1, nan_vg, NULL, nan_h);
	struct ft_solver_opts o;
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[1] = { 0 };
	int rc;

	/* Newton's full step lands where f is NaN */
	rc = ft_minimize(&ob, x, NULL, &res, &err);
	T_CHECK(rc == FT_ENUMERIC);
	T_CHECK(err.code == FT_ENUMERIC);
	T_CHECKF(strstr(err.msg, "objective value is nan") != NULL, "msg: %s", err.msg);
	T_CHECK(x[0] == 0);  /* the last accepted iterate */
	/* NaN at the start, L-BFGS */
	ft_error_clear(&err);
	ft_solver_opts_init(&o);
	o.solver = FT_SOLVER_LBFGS;
	x[0] = 1;
	T_CHECK(ft_minimize(&ob, x, &o, &res, &err) == FT_ENUMERIC);
	T_CHECKF(strstr(err.msg, "lbfgs") != NULL, "msg: %s", err.msg);
	/* NaN gradient */
	ft_error_clear(&err);
	ob = obj_of(1, nangrad_vg, NULL, NULL);
	x[0] = 1;
	T_CHECK(ft_minimize(&ob, x, NULL, &res, &err) == FT_ENUMERIC);
	T_CHECKF(strstr(err.msg, "gradient") != NULL, "msg: %s", err.msg);
}

static void test_callback_error(void)
{
	struct ft_objective ob = obj_of(1, fail_vg, NULL, NULL);
	struct ft_error err = { 0 };
	double x[1] = { 0 };

	T_CHECK(ft_minimize(&ob, x, NULL, NULL, &err) == FT_ENOMEM);
	T_CHECK(err.code == FT_ENOMEM);
	T_CHECKF(strstr(err.msg, "objective failed") != NULL, "msg: %s", err.msg);
}

static void well_case(int with_h)
{
	struct ft_objective ob = obj_of(2, well_vg, with_h ? NULL : well_hv,
	                                with_h ? well_h : NULL);
	struct ft_solver_opts o;
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[2] = { 0.1, 1 };
	int rc;

	ft_solver_opts_init(&o);
	o.solver = FT_SOLVER_NEWTON;
	o.tol = 1e-12;
	rc = ft_minimize(&ob, x, &o, &res, &err);
	T_CHECKF(rc == 0, "rc %d: %s", rc, err.msg);
	T_CHECK(res.converged);
	/* a minimum, not the saddle a pure Newton step heads for */
	T_NEAR(x[0], 1, 1e-9);
	T_NEAR(x[1], 0, 1e-9);
	T_NEAR(res.f, -0.25, 1e-14);
}

static void test_indefinite_dense(void)
{
	well_case(1);
}

static void test_indefinite_cg(void)
{
	well_case(0);
}

/* Coupled well: (x^2 + y^2)/2 + 2xy + (x^4 + y^4)/4.  At the origin the
 * Hessian [[1, 2], [2, 1]] has a positive diagonal but is indefinite, so the
 * first Cholesky fails and the shift has to grow from zero.  Minima at
 * (1, -1) and (-1, 1), f = -1/2. */
static int cwell_vg(void *ctx, const double *x, double *f, double *g)
{
	(void)ctx;
	*f = (x[0] * x[0] + x[1] * x[1]) / 2 + 2 * x[0] * x[1] +
	     (pow(x[0], 4) + pow(x[1], 4)) / 4;
	if (g) {
		g[0] = x[0] + 2 * x[1] + x[0] * x[0] * x[0];
		g[1] = x[1] + 2 * x[0] + x[1] * x[1] * x[1];
	}
	return 0;
}

static int cwell_h(void *ctx, const double *x, double *H)
{
	(void)ctx;
	H[0] = 1 + 3 * x[0] * x[0];
	H[1] = H[2] = 2;
	H[3] = 1 + 3 * x[1] * x[1];
	return 0;
}

static void test_indefinite_positive_diagonal(void)
{
	struct ft_objective ob = obj_of(2, cwell_vg, NULL, cwell_h);
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[2] = { 0.1, 0 };
	int rc;

	rc = ft_minimize(&ob, x, NULL, &res, &err);
	T_CHECKF(rc == 0, "rc %d: %s", rc, err.msg);
	T_CHECK(res.solver == FT_SOLVER_NEWTON);
	T_CHECK(res.converged);
	T_NEAR(fabs(x[0]), 1, 1e-7);
	T_NEAR(x[1], -x[0], 1e-7);
	T_NEAR(res.f, -0.5, 1e-14);
}

static void test_large_ill_conditioned(void)
{
	struct ft_objective ob = obj_of(BN, big_vg, big_hv, NULL);
	struct ft_solver_opts o;
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double x[BN];
	int solvers[2] = { FT_SOLVER_NEWTON, FT_SOLVER_LBFGS };

	for (int s = 0; s < 2; s++) {
		memset(x, 0, sizeof x);
		ft_solver_opts_init(&o);
		o.solver = solvers[s];
		o.tol = 1e-10;
		T_CHECKF(ft_minimize(&ob, x, &o, &res, &err) == 0, "%s", err.msg);
		T_CHECKF(res.converged, "%s: |g| %g after %d", ft_solver_name(solvers[s]),
		         res.grad_norm, res.iterations);
		/* |x - x*| <= |g| / min k = tol |g(x0)| / 1 ~ 1e-10 * 8e3 */
		for (int i = 0; i < BN; i++)
			T_NEAR(x[i], 1, 1e-6);
	}
}

static void test_bad_options(void)
{
	struct ft_objective ob = obj_of(QN, quad_vg, NULL, NULL);
	struct ft_solver_opts o;
	struct ft_error err = { 0 };
	double x[QN] = { 0, 0, 0 };

	ft_solver_opts_init(&o);
	o.tol = -1;
	T_CHECK(ft_minimize(&ob, x, &o, NULL, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "tol") != NULL, "msg: %s", err.msg);
	ft_solver_opts_init(&o);
	o.tol = NAN;
	T_CHECK(ft_minimize(&ob, x, &o, NULL, NULL) == FT_EINVAL);
	ft_solver_opts_init(&o);
	o.lbfgs_m = 0;
	T_CHECK(ft_minimize(&ob, x, &o, NULL, NULL) == FT_EINVAL);
	ft_solver_opts_init(&o);
	o.max_iter = -1;
	T_CHECK(ft_minimize(&ob, x, &o, NULL, NULL) == FT_EINVAL);
	ft_solver_opts_init(&o);
	o.solver = 9;
	T_CHECK(ft_minimize(&ob, x, &o, NULL, NULL) == FT_EINVAL);
	/* Newton without any second-order information */
	ft_error_clear(&err);
	ft_solver_opts_init(&o);
	o.solver = FT_SOLVER_NEWTON;
	T_CHECK(ft_minimize(&ob, x, &o, NULL, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "neither") != NULL, "msg: %s", err.msg);
	/* dense Hessian only, but the dimension is over the limit */
	ob.hessian = quad_h;
	o.dense_max_dim = 1;
	T_CHECK(ft_minimize(&ob, x, &o, NULL, NULL) == FT_EINVAL);
	/* no objective, dimension 0 */
	T_CHECK(ft_minimize(NULL, x, NULL, NULL, NULL) == FT_EINVAL);
	ob.dim = 0;
	T_CHECK(ft_minimize(&ob, x, NULL, NULL, NULL) == FT_EINVAL);
	/* x untouched by failed option checks */
	T_CHECK(x[0] == 0 && x[1] == 0 && x[2] == 0);
}

int main(void)
{
	T_RUN(test_opts_defaults);
	T_RUN(test_quadratic_newton_dense);
	T_RUN(test_quadratic_newton_cg);
	T_RUN(test_quadratic_lbfgs);
	T_RUN(test_auto_dense_max_dim);
	T_RUN(test_rosenbrock_newton_dense);
	T_RUN(test_rosenbrock_newton_cg);
	T_RUN(test_rosenbrock_lbfgs);
	T_RUN(test_rosenbrock_lbfgs_m1);
	T_RUN(test_not_converged);
	T_RUN(test_already_optimal);
	T_RUN(test_nan_objective);
	T_RUN(test_callback_error);
	T_RUN(test_indefinite_dense);
	T_RUN(test_indefinite_cg);
	T_RUN(test_indefinite_positive_diagonal);
	T_RUN(test_large_ill_conditioned);
	T_RUN(test_bad_options);
	return t_done();
}
