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

#endif
