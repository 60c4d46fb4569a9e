/*
 * optim.h - what the solver drivers in src/optim share (internal, not
 * installed).
 *
 * ft_minimize (optim.c) checks the options, resolves FT_SOLVER_AUTO and the
 * per-solver defaults, and hands over to one driver: Newton (newton.c, dense
 * Cholesky or truncated CG) or L-BFGS (lbfgs.c).  Every evaluation of the
 * objective goes through ft_opt_eval, which turns a failing callback or a
 * NaN/Inf into FT_ENUMERIC (or the callback's code) with one message.
 */
#ifndef FT_OPTIM_H
#define FT_OPTIM_H

#include <stddef.h>
#include "fairtrain.h"

/* NULL when the options are usable, else a static message naming the bad
 * field.  Shared with the trainers' parameter checks (ft_logreg_check). */
const char *ft_solver_opts_check(const struct ft_solver_opts *o);

/* Relative rounding noise assumed in f (a sum over many rows): below it
 * the line searches judge a step by its slope, not by f (Hager & Zhang's
 * approximate Wolfe conditions). */
#define FT_OPT_F_NOISE 1e-10

/* What a driver needs besides the objective and the start point. */
struct ft_opt_run {
	const struct ft_objective *obj;
	int solver;            /* FT_SOLVER_NEWTON or FT_SOLVER_LBFGS */
	int dense;             /* Newton: 1 = dense Hessian + Cholesky, 0 = CG */
	int max_iter;          /* resolved: > 0 */
	double tol;
	size_t lbfgs_m;
	struct ft_error *err;
};

/* f = f(x) and g = grad f(x) (g not NULL), checked: a callback error is
 * returned with a message, a NaN or infinity in f or g is FT_ENUMERIC.
 * iter names the iteration in the message. */
int ft_opt_eval(const struct ft_opt_run *r, const double *x, double *f,
                double *g, int iter);

/* The drivers.  x is the start on entry and the last accepted iterate on
 * return (also on error).  res is filled on success. */
int ft_newton_run(const struct ft_opt_run *r, double *x,
                  struct ft_solver_result *res);
int ft_lbfgs_run(const struct ft_opt_run *r, double *x,
                 struct ft_solver_result *res);

/* ------------------------------------------------ augmented Lagrangian
 * (auglag.c)  Minimise f(x) subject to c_k(x) <= 0, k < m, by the
 * Powell-Hestenes-Rockafellar augmented Lagrangian with ft_minimize as the
 * inner solver.  Internal: the fair-classification constraints of
 * src/fair/covariance.c are its callers. */

/* The constraints.  eval fills c (m values) and, when J is not NULL, the
 * Jacobian J (m x dim, row-major: row k is grad c_k).  hess (may be NULL)
 * adds sum_k mu_k Hess c_k(x) to the dense dim x dim H; NULL means zero
 * curvature (linear constraints, or piecewise linear ones away from their
 * kinks).  Return 0 or a negative FT_E* code.  names, bound and scale (each
 * m entries, each may be NULL) are only for messages: constraint k is
 * "names[k] <= bound[k]" with c_k = scale[k] (value_k - bound[k]), so the
 * failure message can say "cov[Female] = 0.02 exceeds 0.01 by 0.01". */
struct ft_constraints {
	size_t m;
	void *ctx;
	int (*eval)(void *ctx, const double *x, double *c, double *J);
	int (*hess)(void *ctx, const double *x, const double *mu, double *H);
	const char *const *names;
	const double *bound;
	const double *scale;
};

struct ft_auglag_opts {
	struct ft_solver_opts inner; /* inner solver; AUTO = dense Newton when f
	                                has a Hessian and dim <= dense_max_dim,
	                                else L-BFGS; tol is set per outer step */
	int max_outer;         /* default 50 */
	double rho0;           /* first penalty; <= 0: Birgin & Martinez's rule */
	double rho_factor;     /* penalty growth, default 10 */
	double rho_max;        /* cap; <= 0: 1e8 rho0 */
	double tol_feas;       /* max_k c_k <= tol_feas, default 1e-6 */
	double tol_kkt;        /* relative KKT residual, default 1e-6 */
	double tol_comp;       /* relative complementarity, default 1e-6 */
	double f_scale;        /* the size of f (and its gradient) that counts as
	                          1 in the relative tests, default 1 */
};
void ft_auglag_opts_init(struct ft_auglag_opts *o);

struct ft_auglag_result {
	int outer_iterations;
	int inner_iterations;  /* summed over the outer steps */
	int converged;         /* feasibility, KKT and complementarity all met */
	double f;              /* f at the returned x */
	double max_violation;  /* max(0, max_k c_k) */
	size_t worst;          /* the k of the largest c_k */
	double kkt_residual;   /* ||grad f + J^T lambda||_inf / max(f_scale, ||grad f||_inf) */
	double complementarity;/* max_k |lambda_k c_k| / max(f_scale, |f|) */
	double grad_norm;      /* ||grad f + J^T lambda||_2, not scaled */
	double rho;            /* the final penalty */
	int inner_solver;      /* the one ft_minimize used (enum ft_solver) */
};

/* Minimise obj subject to con from x (in place).  lambda (m entries, may be
 * NULL) holds starting multipliers on entry (negative ones are taken as 0)
 * and the multipliers on return.  Not meeting the KKT or complementarity
 * tolerance within max_outer is not an error (res->converged = 0); a
 * violation above tol_feas that the penalty cap or max_outer cannot remove
 * is FT_EDATA ("constraint cannot be met: ..."), x and lambda then holding
 * the last iterate. */
int ft_auglag(const struct ft_objective *obj, const struct ft_constraints *con,
              double *x, double *lambda, const struct ft_auglag_opts *o,
              struct ft_auglag_result *res, struct ft_error *err);

/* L_rho(x, lambda) and its gradient g (dim entries, may be NULL), as the
 * inner solver sees it; for tests.  0 or a negative FT_E* code. */
int ft_auglag_lagrangian(const struct ft_objective *obj,
                         const struct ft_constraints *con, const double *x,
                         const double *lambda, double rho, double *L, double *g);

/* ------------------------------------------------ linear programs
 * (simplex.c)  min c.x s.t. row i of A x (sense -1: <=, 0: =, 1: >=) b_i,
 * x >= 0; A by columns (col_start n + 1, row_idx and val col_start[n]).
 * x gets n values, *obj c.x, *iterations (may be NULL) the pivots.
 * FT_EDATA when infeasible or unbounded, FT_ENUMERIC when the iteration
 * limit is reached or a basis is singular. */
struct ft_lp {
	size_t m, n;
	const size_t *col_start;
	const size_t *row_idx;
	const double *val;
	const double *c;
	const double *b;
	const signed char *sense;
};
int ft_lp_solve(const struct ft_lp *lp, double *x, double *obj, size_t *iterations,
                struct ft_error *err);
/* The same from a dense row-major A (m x nv; zeros skipped), with rel[r] <
 * 0, 0, > 0 for <=, =, >= and *value = c.x: 0, FT_EDATA (infeasible or
 * unbounded), FT_ENUMERIC, FT_ENOMEM (for the exposure LPs of
 * src/fair/exposure.c). */
int ft_lp_solve_dense(size_t m, size_t nv, const double *A, const double *b,
                      const int *rel, const double *c, double *x, double *value);

#endif
