/*
 * corr_remove.c - Fairlearn's CorrelationRemover (fairlearn/preprocessing/
 * _correlation_remover.py): each non-sensitive feature z is replaced by
 * alpha z* + (1 - alpha) z, z* = z - S_c W*, where S_c holds the sensitive
 * columns centred on their means and W* = argmin ||z - S_c W||^2
 * (np.linalg.lstsq).
 *
 * The sensitive columns here are the one-hot indicators of the groups.
 * Their centred span is the part of span(S) orthogonal to the constant
 * vector, so the least-squares projection of z onto it is (mean of z in
 * the row's group) - (mean of z): exactly, with no solve,
 *   x'_j = x_j - alpha (mean_g(x_j) - mean(x_j)),
 * and every output feature has zero sample covariance with every group
 * indicator (at alpha = 1).  Means are unweighted over the training rows,
 * as Fairlearn's.  Fairlearn's code centres S by the single grand mean of
 * all sensitive entries (X_sensitive.mean()), which equals the column mean
 * for its usual input, one 0/1 sensitive column (two groups), where both
 * give this projection; with several sensitive columns of unequal means its
 * projection is not on the centred indicators, and the documented formula
 * (per-column means, as here) is the one that removes the correlation.
 * Features are all encoded features (Fairlearn drops the sensitive columns
 * from its output; in fairtrain they are features only with use_sensitive,
 * and then become constant at alpha = 1).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/transform.h"

struct cr_ctx {
	const struct ft_dataset *d;
	size_t G;
	double *x;               /* per chunk: one dense row */
};

/* partial: [0, p) sum of x, then G blocks of p group sums, then G counts */
static void cr_chunk(void *vctx, size_t chunk, size_t lo, size_t hi, double *partial)
{
	const struct cr_ctx *c = vctx;
	size_t p = c->d->p, G = c->G;
	double *x = c->x + chunk * p;

	for (size_t i = lo; i < hi; i++) {
		size_t g = (size_t)c->d->group[i];
		ft_dataset_row(c->d, i, x);
		for (size_t j = 0; j < p; j++) {
			partial[j] += x[j];
			partial[(1 + g) * p + j] += x[j];
		}
		partial[(1 + G) * p + g] += 1;
	}
}

int ft_transform_fit_corr_remove(const struct ft_dataset *d, size_t n_groups,
                                 double alpha, const char *const *names,
                                 struct ft_transform **t, struct ft_error *err)
{
	struct ft_transform *tr = NULL;
	struct cr_ctx c;
	size_t p, G = n_groups, len;
	double *sums = NULL;
	int rc;

	*t = NULL;
	c.x = NULL;
	if (!(alpha >= 0 && alpha <= 1))
		return ft_error_set(err, FT_EINVAL, "corr-remove: alpha %g is outside [0, 1]",
		                    alpha);
	if ((rc = ft_transform_check_input(d, n_groups, 1, "corr-remove", err)) != 0)
		return rc;
	p = d->p;
	len = (1 + G) * p + G;
	tr = ft_transform_new(FT_TRANSFORM_CORR_REMOVE, p, p, G, 1);
	sums = calloc(len, sizeof *sums);
	c.d = d;
	c.G = G;
	c.x = ft_xalloc(ft_parallel_chunks(d->n, len) * p, sizeof *c.x);
	if (!tr || !sums || !c.x || ft_transform_copy_names(tr, names)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	tr->corr.alpha = alpha;
	tr->corr.mean = ft_xalloc(p, sizeof *tr->corr.mean);
	tr->corr.group_mean = ft_xalloc(G * p, sizeof *tr->corr.group_mean);
	if (!tr->corr.mean || !tr->corr.group_mean ||
	    ft_parallel_sum(d->n, len, sums, cr_chunk, &c)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t j = 0; j < p; j++)
		tr->corr.mean[j] = sums[j] / (double)d->n;
	for (size_t g = 0; g < G; g++) {
		double ng = sums[(1 + G) * p + g];
		/* a group without training rows: NaN means, and apply refuses
		 * its rows */
		for (size_t j = 0; j < p; j++)
			tr->corr.group_mean[g * p + j] = ng > 0 ? sums[(1 + g) * p + j] / ng : NAN;
	}
	*t = tr;
	tr = NULL;
done:
	ft_transform_free(tr);
	free(sums);
	free(c.x);
	return rc;
}

int ft_fit_corr_remove(const struct ft_fit_input *in, double alpha,
                       const char *const *names, struct ft_transform **t,
                       struct ft_fit_output *out, struct ft_error *err)
{
	struct ft_transform *tr;
	int rc;

	*t = NULL;
	if ((rc = ft_transform_fit_corr_remove(in->train, in->n_groups, alpha, names, &tr,
	                                       err)) != 0 ||
	    (rc = ft_fit_on_transform(in, tr, t, out, err)) != 0)
		return rc;
	ft_fit_diag(out, "alpha", alpha);
	return 0;
}
