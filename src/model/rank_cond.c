/*
 * rank_cond.c - is a linear ranker's solution identified?  The exact
 * mode's conditioning diagnostics (ft_rank_fit, include/fairtrain.h).
 *
 * A ranking loss sees the features only through score differences within
 * a query, so a feature that is constant within every query, or a
 * combination of features that is, leaves the loss flat along some
 * direction of w; with l2 = 0 (the default) the solver walks along it and
 * may report convergence at weights of +-500 on near-constant collinear
 * features (the LSAT case).  We measure the curvature the solution
 * sits in: the eigenvalues of the Hessian of the loss plus l2 I at w
 * (LAPACK dsyev), and report rcond = lambda_min / lambda_max (0 when
 * lambda_min <= 0): below 1e-8 (about sqrt of the machine epsilon) the
 * weights along the flat direction are not determined by the data to any
 * useful accuracy, and "ill_conditioned" is 1.  The fairness terms are left
 * out: the question is whether the data pin the ranker down.  The Hessian
 * is the loss's own (ListNet dense, RankNet through Hessian-vector
 * products, one per weight); LambdaLoss has none and gets central
 * differences of its gradient, step 1e-5 max(1, |w_j|), symmetrized.
 *
 * Not here: the fits (rank.c, deltr.c, pairwise.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "linalg/linalg.h"
#include "model/rank.h"

#define RCOND_WARN 1e-8

/* The dim x dim Hessian of obj at w into H. */
static int hessian_of(const struct ft_objective *obj, const double *w, size_t dim,
                      double *H, double *x, double *gp, double *gm)
{
	double f;
	int rc;

	if (obj->hessian)
		return obj->hessian(obj->ctx, w, H);
	for (size_t j = 0; j < dim; j++) {
		double *col = H + j * dim;
		memset(x, 0, dim * sizeof *x);
		if (obj->hess_vec) {
			x[j] = 1.0;
			if ((rc = obj->hess_vec(obj->ctx, w, x, col)) != 0)
				return rc;
			continue;
		}
		{
			double h = 1e-5 * fmax(1.0, fabs(w[j]));
			memcpy(x, w, dim * sizeof *x);
			x[j] = w[j] + h;
			if ((rc = obj->value_grad(obj->ctx, x, &f, gp)) != 0)
				return rc;
			x[j] = w[j] - h;
			if ((rc = obj->value_grad(obj->ctx, x, &f, gm)) != 0)
				return rc;
			for (size_t i = 0; i < dim; i++)
				col[i] = (gp[i] - gm[i]) / (2.0 * h);
		}
	}
	for (size_t i = 0; i < dim; i++)
		for (size_t j = i + 1; j < dim; j++)
			H[i * dim + j] = H[j * dim + i] =
				0.5 * (H[i * dim + j] + H[j * dim + i]);
	return 0;
}

int ft_rank_conditioning(const struct ft_rank_data *rd,
                         const struct ft_rank_params *p, const double *w,
                         struct ft_rank_result *res, struct ft_error *err)
{
	struct ft_rank_params q = *p;
	struct ft_objective obj;
	size_t dim = rd->p;
	double *H = NULL, *ev = NULL, *x = NULL, *gp = NULL, *gm = NULL, rcond = 0.0;
	double nrm;
	int rc;

	q.fair = FT_RANK_FAIR_NONE;
	q.reference = 0;
	if ((rc = ft_rank_loss_objective(rd, &q, &obj, err)) != 0)
		return rc;
	H = malloc(dim * dim * sizeof *H);
	ev = malloc(dim * sizeof *ev);
	x = malloc(dim * sizeof *x);
	gp = malloc(dim * sizeof *gp);
	gm = malloc(dim * sizeof *gm);
	if (!H || !ev || !x || !gp || !gm) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
		goto done;
	}
	if ((rc = hessian_of(&obj, w, dim, H, x, gp, gm)) != 0) {
		rc = ft_error_set(err, rc, "%s: the hessian at the solution could not be computed",
		                  rd->path);
		goto done;
	}
	for (size_t i = 0; i < dim * dim; i++)
		if (!isfinite(H[i])) {
			rc = ft_error_set(err, FT_ENUMERIC, "%s: the hessian at the solution is not finite",
			                  rd->path);
			goto done;
		}
	if ((rc = ft_la_eigvalsh(dim, H, ev)) != 0) {
		rc = ft_error_set(err, rc, "%s: the hessian's eigenvalues could not be computed",
		                  rd->path);
		goto done;
	}
	if (ev[dim - 1] > 0.0 && ev[0] > 0.0)
		rcond = ev[0] / ev[dim - 1];
	nrm = ft_la_nrm2(dim, w);
	ft_rank_diag(res, "hessian_rcond", rcond);
	ft_rank_diag(res, "weight_norm", nrm);
	ft_rank_diag(res, "ill_conditioned", rcond < RCOND_WARN);
done:
	ft_rank_objective_free(&obj);
	free(H);
	free(ev);
	free(x);
	free(gp);
	free(gm);
	return rc;
}
