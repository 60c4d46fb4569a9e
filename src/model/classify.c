/*
 * classify.c - the decisions of every kind of fitted classifier: a linear
 * model, exponentiated gradient's randomized mixture of linear models, and
 * group-specific randomized thresholds on a model's score (fairtrain.h,
 * "Randomized classifiers and post-processing").  Also the free functions
 * of those structures and of a fit output.
 *
 * It does not fit anything.  A randomized classifier is reported by its
 * probability of a positive decision, P(yhat = 1), not by a random draw:
 * metrics of such a classifier are expectations over its coin flips, as in
 * Agarwal et al. (ICML 2018, sec. 2) and Hardt et al. (NeurIPS 2016, sec. 4).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"

void ft_mixture_free(struct ft_mixture *mx)
{
	if (!mx)
		return;
	for (size_t k = 0; mx->h && k < mx->k; k++)
		ft_linear_model_free(mx->h[k]);
	free(mx->h);
	free(mx->weight);
	free(mx);
}

void ft_thresholds_free(struct ft_thresholds *th)
{
	if (!th)
		return;
	free(th->t0);
	free(th->t1);
	free(th->p);
	free(th->q);
	free(th->c);
	free(th);
}

void ft_frontier_free(struct ft_frontier *fr)
{
	if (!fr)
		return;
	for (size_t k = 0; fr->h && k < fr->k; k++)
		ft_linear_model_free(fr->h[k]);
	free(fr->h);
	free(fr->lambda);
	free(fr->error);
	free(fr->violation);
	free(fr);
}

void ft_fit_output_clear(struct ft_fit_output *out)
{
	ft_linear_model_free(out->model);
	ft_mixture_free(out->mixture);
	ft_thresholds_free(out->thresholds);
	ft_frontier_free(out->frontier);
	free(out->budget);
	out->model = NULL;
	out->mixture = NULL;
	out->thresholds = NULL;
	out->frontier = NULL;
	out->budget = NULL;
}

/* A NaN score means the row's group was needed and unknown (linear.c). */
static int no_group(const struct ft_dataset *d, size_t i, const char *what,
                    struct ft_error *err)
{
	if (d->line)
		return ft_error_set(err, FT_EDATA, "line %zu: %s needs the row's sensitive "
		                    "group, and the row has none", d->line[i], what);
	return ft_error_set(err, FT_EDATA, "row %zu: %s needs the row's sensitive group, "
	                    "and the row has none", i + 1, what);
}

int ft_classify(const struct ft_linear_model *m, const struct ft_mixture *mx,
                const struct ft_thresholds *th, const struct ft_dataset *d,
                double threshold, double *score, double *pos,
                struct ft_error *err)
{
	size_t n = d->n;

	if (!m && !mx)
		return ft_error_set(err, FT_EINVAL, "classify: no model");
	/* a ranker's scores only order the items of a query: a sigmoid of them
	 * is no probability, so refuse rather than classify with it */
	if ((m && m->type == FT_MODEL_RANKER) ||
	    (mx && mx->k && mx->h[0]->type == FT_MODEL_RANKER))
		return ft_error_set(err, FT_EINVAL, "classify: the model is a linear "
		                    "ranker (it orders items per query and gives no "
		                    "probabilities)");
	if (isnan(threshold))
		return ft_error_set(err, FT_EINVAL, "classify: threshold is not a number");
	if (mx) {
		double *s = malloc((n ? n : 1) * sizeof *s);

		if (!s)
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		memset(score, 0, n * sizeof *score);
		if (pos)
			memset(pos, 0, n * sizeof *pos);
		for (size_t k = 0; k < mx->k; k++) {
			double wk = mx->weight[k];

			if (wk == 0.0)
				continue;
			ft_linear_predict_proba(mx->h[k], d, s);
			for (size_t i = 0; i < n; i++) {
				if (isnan(s[i])) {
					free(s);
					return no_group(d, i, "a per-group model", err);
				}
				score[i] += wk * s[i];
				if (pos)
					pos[i] += wk * (s[i] >= threshold);
			}
		}
		free(s);
		/* the weights sum to 1 up to rounding: keep both in [0, 1] */
		for (size_t i = 0; i < n; i++) {
			score[i] = fmin(1.0, fmax(0.0, score[i]));
			if (pos)
				pos[i] = fmin(1.0, fmax(0.0, pos[i]));
		}
	} else {
		ft_linear_predict_proba(m, d, score);
		for (size_t i = 0; i < n; i++) {
			if (isnan(score[i]))
				return no_group(d, i, "a per-group model", err);
			if (pos)
				pos[i] = score[i] >= threshold;
		}
	}
	if (th && pos) {
		for (size_t i = 0; i < n; i++) {
			int32_t g = d->group ? d->group[i] : -1;
			double s = score[i], a;

			if (g < 0 || (size_t)g >= th->n_groups)
				return no_group(d, i, "group-specific thresholds", err);
			a = th->p[g] * (s >= th->t0[g]) + (1.0 - th->p[g]) * (s >= th->t1[g]);
			pos[i] = (1.0 - th->q[g]) * a + th->q[g] * th->c[g];
		}
	} else if (th) {
		for (size_t i = 0; i < n; i++) {
			int32_t g = d->group ? d->group[i] : -1;
			if (g < 0 || (size_t)g >= th->n_groups)
				return no_group(d, i, "group-specific thresholds", err);
		}
	}
	return 0;
}
