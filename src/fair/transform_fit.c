/*
 * transform_fit.c - the tail every ft_fit_* of a feature transformation
 * shares (check the input; apply the fitted transform to the training rows
 * and fit the logistic model on the result).  The transform type itself
 * (free, check, apply) is src/model/transform.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include "core/internal.h"
#include "fair/transform.h"

int ft_transform_check_input(const struct ft_dataset *d, size_t n_groups,
                             int need_groups, const char *method,
                             struct ft_error *err)
{
	if (!d || !d->y)
		return ft_error_set(err, FT_EINVAL, "%s: needs labels", method);
	if (d->n == 0)
		return ft_error_set(err, FT_EDATA, "%s: no training rows", method);
	if (need_groups && (!d->group || n_groups == 0))
		return ft_error_set(err, FT_EINVAL, "%s: needs groups", method);
	for (size_t i = 0; need_groups && i < d->n; i++)
		if (d->group[i] < 0 || (size_t)d->group[i] >= n_groups)
			return ft_error_set(err, FT_EDATA, "%s: row %zu has no group", method, i + 1);
	return 0;
}

int ft_fit_on_transform(const struct ft_fit_input *in, struct ft_transform *t,
                        struct ft_transform **tout, struct ft_fit_output *out,
                        struct ft_error *err)
{
	struct ft_dataset *td = NULL;
	int rc;

	*tout = NULL;
	if ((rc = ft_transform_apply(t, in->train, &td, err)) != 0 ||
	    (rc = ft_logreg_fit(td, in->lr, &out->pred.linear, &out->res, err)) != 0) {
		ft_transform_free(t);
		ft_dataset_free(td);
		ft_fit_output_clear(out);
		return rc;
	}
	ft_dataset_free(td);
	*tout = t;
	return 0;
}

/* ---------------------------------------------- the registry's fit rows */

/* A fitted transform becomes part of the predictor: the model file saves
 * it and every decision (predict, eval, the before/after tables) applies
 * it first (struct ft_predictor.transform). */
/* t by address: it is read after the fit call, whatever the order in
 * which a call's arguments are evaluated */
static int own(int rc, struct ft_transform *const *t, struct ft_fit_output *out)
{
	if (rc == 0) {
		out->pred.kind = FT_PRED_LINEAR;
		out->pred.transform = *t;
	}
	return rc;
}

int ft_fit_dir_method(const struct ft_fit_input *in, struct ft_fit_output *out,
                      struct ft_error *err)
{
	struct ft_transform *t = NULL;
	return own(ft_fit_dir(in, in->params[0], NULL, NULL, &t, out, err), &t, out);
}

int ft_fit_corr_remove_method(const struct ft_fit_input *in, struct ft_fit_output *out,
                              struct ft_error *err)
{
	struct ft_transform *t = NULL;
	return own(ft_fit_corr_remove(in, in->params[0], NULL, &t, out, err), &t, out);
}

int ft_fit_lfr_method(const struct ft_fit_input *in, struct ft_fit_output *out,
                      struct ft_error *err)
{
	struct ft_lfr_params p;
	struct ft_transform *t = NULL;

	ft_lfr_params_init(&p);
	p.k = (size_t)in->params[0];
	p.Ax = in->params[1];
	p.Ay = in->params[2];
	p.Az = in->params[3];
	p.restarts = (size_t)in->params[4];
	p.seed = (uint64_t)in->params[5];
	p.max_iter = (int)in->params[6];
	return own(ft_fit_lfr(in, &p, NULL, &t, out, err), &t, out);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

/* Up to bins - 1 cut points of numeric column c of d at its training
 * quantiles k/bins: each the midpoint between the two distinct values the
 * quantile falls between (a column with fewer distinct values gets fewer
 * cuts; a constant one none). */
static int quantile_cuts(const struct ft_dataset *d, size_t c, size_t bins, double *cuts,
                         size_t *n_cuts)
{
	double *v = ft_xalloc(d->n, sizeof *v);
	size_t m = 0;

	if (!v)
		return FT_ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		v[i] = d->num[i * d->n_num + c];
	qsort(v, d->n, sizeof *v, cmp_double);
	for (size_t k = 1; k < bins; k++) {
		size_t q = k * d->n / bins;
		double cut;
		while (q > 0 && q < d->n && !(v[q - 1] < v[q]))
			q++;
		if (q == 0 || q >= d->n)
			continue;
		cut = v[q - 1] + (v[q] - v[q - 1]) / 2;
		if (m == 0 || cut > cuts[m - 1])
			cuts[m++] = cut;
	}
	free(v);
	*n_cuts = m;
	return 0;
}

/* optim-pre's columns are chosen by position among the data set's feature
 * columns as encoded (the numeric columns first, then the categorical
 * ones; `fairtrain inspect` and the model file list them). */
int ft_fit_optim_pre_method(const struct ft_fit_input *in, struct ft_fit_output *out,
                            struct ft_error *err)
{
	const struct ft_dataset *d = in->train;
	struct ft_optim_pre_params p;
	struct ft_transform *t = NULL;
	size_t bins = (size_t)in->params[1], cols[3], n_cuts[3] = {0, 0, 0}, nc = 0;
	int is_cat[3] = {0, 0, 0}, rc = 0;
	double *cut_mem[3] = {NULL, NULL, NULL};
	const double *cuts[3] = {NULL, NULL, NULL};

	ft_optim_pre_params_init(&p);
	p.epsilon = in->params[0];
	p.dlist[0] = in->params[5];
	p.dlist[1] = in->params[6];
	p.dlist[2] = in->params[7];
	for (size_t k = 0; k < 3; k++) {
		size_t c = (size_t)in->params[2 + k];
		if (c == 0)
			continue;
		if (c > d->n_num + d->n_cat)
			return ft_error_set(err, FT_EINVAL, "optim-pre: col%zu=%zu, and the data "
			                    "has %zu feature columns (%zu numeric, then %zu "
			                    "categorical)", k + 1, c, d->n_num + d->n_cat,
			                    d->n_num, d->n_cat);
		for (size_t j = 0; j < nc; j++)
			if (cols[j] == c - 1)
				return ft_error_set(err, FT_EINVAL, "optim-pre: column %zu is given "
				                    "twice", c);
		cols[nc] = c - 1;
		nc++;
	}
	if (nc == 0)
		return ft_error_set(err, FT_EINVAL, "optim-pre: no column to discretize "
		                    "(col1, col2, col3 are all 0)");
	for (size_t j = 0; j < nc && rc == 0; j++) {
		if (cols[j] >= d->n_num) {
			is_cat[j] = 1;
			cols[j] -= d->n_num;
			continue;
		}
		if (!(cut_mem[j] = ft_xalloc(bins, sizeof *cut_mem[j])))
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		else if (quantile_cuts(d, cols[j], bins, cut_mem[j], &n_cuts[j]))
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		cuts[j] = cut_mem[j];
	}
	if (rc == 0) {
		p.n_cols = nc;
		p.col = cols;
		p.is_cat = is_cat;
		p.cuts = cuts;
		p.n_cuts = n_cuts;
		rc = own(ft_fit_optim_pre(in, &p, NULL, &t, out, err), &t, out);
	}
	for (size_t j = 0; j < 3; j++)
		free(cut_mem[j]);
	return rc;
}
