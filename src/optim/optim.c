/*
 * optim.c - solver options, names and the ft_minimize entry point.
 *
 * This file only validates and dispatches; the iterations live in newton.c
 * and lbfgs.c.  It knows nothing about what is being minimised: solvers see
 * only struct ft_objective.
 *
 * AUTO picks Newton with the dense Hessian (Cholesky) when the objective
 * supplies one and dim <= dense_max_dim, and L-BFGS otherwise.  An explicit
 * NEWTON uses the dense Hessian under the same rule and truncated Newton-CG
 * on hess_vec beyond it.  max_iter = 0 means the solver's default: 100
 * Newton iterations, 1000 L-BFGS iterations.
 */
#include <math.h>
#include <stdint.h>
#include "fairtrain.h"
#include "optim/optim.h"

#define NEWTON_MAX_ITER 100
#define LBFGS_MAX_ITER 1000

void ft_solver_opts_init(struct ft_solver_opts *o)
{
	o->solver = FT_SOLVER_AUTO;
	o->max_iter = 0;          /* the solver's default, see above */
	o->tol = 1e-8;
	o->lbfgs_m = 10;
	o->dense_max_dim = 2000;
}

const char *ft_solver_name(int solver)
{
	switch (solver) {
	case FT_SOLVER_AUTO: return "auto";
	case FT_SOLVER_NEWTON: return "newton";
	case FT_SOLVER_LBFGS: return "lbfgs";
	default: return "unknown";
	}
}

const char *ft_solver_opts_check(const struct ft_solver_opts *o)
{
	if (o->solver != FT_SOLVER_AUTO && o->solver != FT_SOLVER_NEWTON &&
	    o->solver != FT_SOLVER_LBFGS)
		return "solver must be auto, newton or lbfgs";
	if (o->max_iter < 0)
		return "max_iter must be >= 0 (0 = the solver's default)";
	if (!(o->tol >= 0.0) || !isfinite(o->tol))
		return "tol must be a finite number >= 0";
	if (o->lbfgs_m < 1 || o->lbfgs_m > 1000)
		return "lbfgs_m must be between 1 and 1000";
	return NULL;
}

int ft_opt_eval(const struct ft_opt_run *r, const double *x, double *f,
                double *g, int iter)
{
	const char *name = ft_solver_name(r->solver);
	size_t n = r->obj->dim;
	int rc;

	rc = r->obj->value_grad(r->obj->ctx, x, f, g);
	if (rc != 0) {
		rc = rc < 0 ? rc : FT_EINVAL;
		return ft_error_set(r->err, rc, "%s: objective failed at iteration %d: %s",
		                    name, iter, ft_strerror(rc));
	}
	if (!isfinite(*f))
		return ft_error_set(r->err, FT_ENUMERIC,
		                    "%s: objective value is %g at iteration %d",
		                    name, *f, iter);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(g[i]))
			return ft_error_set(r->err, FT_ENUMERIC,
			                    "%s: gradient entry %zu is %g at iteration %d",
			                    name, i, g[i], iter);
	return 0;
}

int ft_minimize(const struct ft_objective *obj, double *x,
                const struct ft_solver_opts *o, struct ft_solver_result *res,
                struct ft_error *err)
{
	struct ft_solver_opts def;
	struct ft_solver_result local;
	struct ft_opt_run r;
	const char *msg;
	int have_dense;

	if (!o) {
		ft_solver_opts_init(&def);
		o = &def;
	}
	if (!res)
		res = &local;
	res->solver = o->solver;
	res->iterations = 0;
	res->f = NAN;
	res->grad_norm = NAN;
	res->converged = 0;
	if (!obj || !obj->value_grad || !x)
		return ft_error_set(err, FT_EINVAL,
		                    "minimize: no objective or no start point");
	if (obj->dim == 0)
		return ft_error_set(err, FT_EINVAL, "minimize: objective has dimension 0");
	if ((msg = ft_solver_opts_check(o)) != NULL)
		return ft_error_set(err, FT_EINVAL, "minimize: %s", msg);

	/* dense Newton needs dim^2 doubles: refuse what cannot be addressed */
	have_dense = obj->hessian && obj->dim <= o->dense_max_dim &&
	             obj->dim <= SIZE_MAX / sizeof(double) / obj->dim;
	r.obj = obj;
	r.tol = o->tol;
	r.lbfgs_m = o->lbfgs_m;
	r.err = err;
	r.dense = 0;
	switch (o->solver) {
	case FT_SOLVER_AUTO:
		r.solver = have_dense ? FT_SOLVER_NEWTON : FT_SOLVER_LBFGS;
		r.dense = have_dense;
		break;
	case FT_SOLVER_NEWTON:
		if (!have_dense && !obj->hess_vec && obj->hessian)
			return ft_error_set(err, FT_EINVAL,
			                    "newton: dimension %zu is above dense_max_dim %zu and the objective has no hessian-vector product",
			                    obj->dim, o->dense_max_dim);
		if (!have_dense && !obj->hess_vec)
			return ft_error_set(err, FT_EINVAL,
			                    "newton: the objective has neither a hessian nor a hessian-vector product");
		r.solver = FT_SOLVER_NEWTON;
		r.dense = have_dense;
		break;
	default:
		r.solver = FT_SOLVER_LBFGS;
		break;
	}
	r.max_iter = o->max_iter > 0 ? o->max_iter :
	             r.solver == FT_SOLVER_NEWTON ? NEWTON_MAX_ITER : LBFGS_MAX_ITER;
	res->solver = r.solver;
	if (r.solver == FT_SOLVER_NEWTON)
		return ft_newton_run(&r, x, res);
	return ft_lbfgs_run(&r, x, res);
}
