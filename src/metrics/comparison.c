/*
 * comparison.c - the before/after comparison table: tidy rows of
 * (metric, model, split, group, convention, value, interval), built by the
 * CLI and stored in the model file's /comparison group.
 *
 * The measurements themselves are ft_group_metrics, ft_fairness_summaries
 * and ft_permutation_test on the caller's input as given, so a randomized
 * classifier (in->pos set) is measured by its expected rates throughout,
 * and the permutation pair is picked by expected selection rates; nothing
 * here recomputes yhat from the score.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"

static void row_free(struct ft_comparison_row *r)
{
	free(r->metric);
	free(r->model);
	free(r->split);
	free(r->group);
	free(r->convention);
	free(r->why);
	free(r->ci_why);
}

int ft_comparison_add(struct ft_comparison *c, const char *metric,
                      const char *model, const char *split, const char *group,
                      const char *convention, struct ft_value v,
                      struct ft_value lo, struct ft_value hi)
{
	struct ft_comparison_row *r, *rows;
	const char *ci_why = lo.why ? lo.why : hi.why;

	/* grow by doubling: the CLI adds a few hundred rows a run */
	if ((c->n & (c->n - 1)) == 0) {
		rows = realloc(c->rows, (c->n ? 2 * c->n : 16) * sizeof *rows);
		if (!rows)
			return FT_ENOMEM;
		c->rows = rows;
	}
	r = &c->rows[c->n];
	memset(r, 0, sizeof *r);
	r->metric = ft_strdup(metric);
	r->model = ft_strdup(model);
	r->split = ft_strdup(split);
	r->group = ft_strdup(group ? group : "");
	r->convention = ft_strdup(convention ? convention : "");
	r->value = v.why ? 0.0 : v.value;
	r->why = v.why ? ft_strdup(v.why) : NULL;
	r->lo = ci_why ? 0.0 : lo.value;
	r->hi = ci_why ? 0.0 : hi.value;
	r->ci_why = ci_why ? ft_strdup(ci_why) : NULL;
	if (!r->metric || !r->model || !r->split || !r->group || !r->convention ||
	    (v.why && !r->why) || (ci_why && !r->ci_why)) {
		row_free(r);
		return FT_ENOMEM;
	}
	c->n++;
	return 0;
}

void ft_comparison_free(struct ft_comparison *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		row_free(&c->rows[i]);
	free(c->rows);
	free(c);
}

int ft_comparison_measure(struct ft_comparison *c, const char *model,
                          const char *split, const struct ft_eval_input *in,
                          struct ft_error *err)
{
	struct ft_group_table *gt = NULL;
	struct ft_summary_table *st = NULL;
	const struct ft_value none = {0.0, "no bootstrap"};
	int rc;

	rc = ft_group_metrics(in, &gt, err);
	if (!rc)
		rc = ft_fairness_summaries(in, c->n_bootstrap, c->seed, c->level, &st, err);
	for (size_t r = 0; !rc && r <= in->n_groups; r++)
		for (int m = 0; !rc && m < FT_N_METRICS; m++)
			rc = ft_comparison_add(c, ft_metric_name(m), model, split,
			                       r ? in->group_names[r - 1] : "overall", "",
			                       FT_GT(gt, r, m), none, none);
	for (size_t k = 0; !rc && st && k < st->n; k++) {
		const struct ft_summary *s = &st->s[k];
		rc = ft_comparison_add(c, ft_fairness_name(s->metric), model, split, "",
		                       ft_convention_name(s->convention), s->v,
		                       st->n_bootstrap ? s->lo : none,
		                       st->n_bootstrap ? s->hi : none);
	}
	if (rc && !(err && err->code))
		ft_error_set(err, rc, "out of memory");
	ft_group_table_free(gt);
	ft_summary_table_free(st);
	return rc;
}

int ft_comparison_permutation(struct ft_comparison *c, const char *model,
                              const char *split, const struct ft_eval_input *in,
                              size_t n_perm, struct ft_error *err)
{
	static const int METRICS[] = {FT_M_SELECTION_RATE, FT_M_TPR, FT_M_FPR, FT_M_ACCURACY};
	const struct ft_value none = {0.0, "not a bootstrap statistic"};
	struct ft_group_table *gt = NULL;
	long a = -1, b = -1;
	char pair[256], name[64];
	int rc;

	if (in->n_groups < 2 || n_perm == 0)
		return 0;
	rc = ft_group_metrics(in, &gt, err);
	if (rc)
		return rc;
	/* the pair: selection rates decide, groups without rows never take part */
	{
		double best = -1;
		for (size_t g = 0; g < in->n_groups; g++)
			for (size_t h = 0; h < in->n_groups; h++) {
				struct ft_value sg = FT_GT(gt, g + 1, FT_M_SELECTION_RATE);
				struct ft_value sh = FT_GT(gt, h + 1, FT_M_SELECTION_RATE);
				double d;
				if (g == h || sg.why || sh.why)
					continue;
				if (in->privileged >= 0 && h != (size_t)in->privileged)
					continue;
				d = in->privileged >= 0 ? fabs(sg.value - sh.value) : sg.value - sh.value;
				if (d > best) {
					best = d;
					a = (long)g;
					b = (long)h;
				}
			}
	}
	ft_group_table_free(gt);
	if (a < 0)
		return 0;
	snprintf(pair, sizeof pair, "%s vs %s", in->group_names[a], in->group_names[b]);
	for (size_t k = 0; k < sizeof METRICS / sizeof *METRICS; k++) {
		struct ft_value gap, pv = {NAN, NULL};
		double p;
		rc = ft_permutation_test(in, METRICS[k], (size_t)a, (size_t)b, n_perm,
		                         c->seed + k, &gap, &p, err);
		if (rc)
			return rc;
		if (gap.why)
			pv.why = "gap undefined";
		else
			pv.value = p;
		snprintf(name, sizeof name, "%s_gap", ft_metric_name(METRICS[k]));
		rc = ft_comparison_add(c, name, model, split, pair, "permutation_test",
		                       gap, none, none);
		snprintf(name, sizeof name, "%s_gap_p_value", ft_metric_name(METRICS[k]));
		if (!rc)
			rc = ft_comparison_add(c, name, model, split, pair, "permutation_test",
			                       pv, none, none);
		if (rc)
			return ft_error_set(err, rc, "out of memory");
	}
	return 0;
}
