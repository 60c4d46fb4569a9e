/*
 * explain.c - ft_explain: where a model's gap comes from and which input
 * columns are proxies of the groups, for the before/after report of train
 * and eval.  The measures themselves are src/metrics/explain.c's
 * (ft_gap_decomposition, ft_proxy_report); this file chooses what to
 * decompose and orders the results.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "run/run.h"

/* The largest contributions shown. */
#define TOP_CONTRIB 8

struct by_abs {
	double v;
	size_t j;
};

static int by_abs_desc(const void *a, const void *b)
{
	const struct by_abs *x = a, *y = b;
	double u = fabs(x->v), w = fabs(y->v);

	/* ties by feature index, so that the order is the same on every libc */
	return u < w ? 1 : u > w ? -1 : (x->j > y->j) - (x->j < y->j);
}

static int by_nmi_desc(const void *a, const void *b)
{
	double x = ((const struct ft_proxy *)a)->nmi, y = ((const struct ft_proxy *)b)->nmi;
	return (x < y) - (x > y);
}

void ft_explain_free(struct ft_explain *x)
{
	if (!x)
		return;
	free(x->model);
	free(x->split);
	free(x->group_a);
	free(x->group_b);
	ft_strv_free(x->contrib_names, x->n_contrib);
	free(x->contrib);
	for (size_t j = 0; j < x->n_proxy; j++)
		free(x->proxy[j].column);
	free(x->proxy);
	free(x);
}

/* Each group's weighted sum of decision values and weight over rows [lo,
 * hi): part[g], part[ng + g] (ft_parallel_sum). */
struct pp_call {
	const struct ft_dataset *ds;
	const double *dec;
	size_t ng;
};

static void pp_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct pp_call *a = ctx;
	const struct ft_dataset *ds = a->ds;

	(void)chunk;
	for (size_t i = lo; i < hi; i++)
		if (ds->group[i] >= 0) {
			double w = ds->w ? ds->w[i] : 1.0;
			part[ds->group[i]] += w * a->dec[i];
			part[a->ng + (size_t)ds->group[i]] += w;
		}
}

/* The pair of groups to explain: the largest gap in mean decision value
 * dec, or the privileged group against the group farthest from it; 0 when
 * found, -1 when not, FT_ENOMEM.  sum: 2 ng doubles, zeroed. */
static int pick_pair(const struct ft_dataset *ds, const double *dec, size_t ng, long priv,
                     size_t *a, size_t *b, double *sum)
{
	struct pp_call c = {ds, dec, ng};
	double best = -1, *ws = sum + ng;

	if (ft_parallel_sum(ds->n, 2 * ng, sum, pp_chunk, &c))
		return FT_ENOMEM;
	for (size_t g = 0; g < ng; g++)
		for (size_t h = 0; h < ng; h++) {
			double gap;
			if (g == h || !(ws[g] > 0) || !(ws[h] > 0) ||
			    (priv >= 0 && h != (size_t)priv))
				continue;
			gap = fabs(sum[g] / ws[g] - sum[h] / ws[h]);
			if (gap > best) {
				best = gap;
				*a = g;
				*b = h;
			}
		}
	return best < 0 ? -1 : 0;
}

/* The top contributions of the gap decomposition into x. */
static int decompose(struct ft_explain *x, const struct ft_linear_model *m,
                     const struct ft_dataset *ds, size_t a, size_t b,
                     const struct ft_encoder *e, char *const *names)
{
	struct ft_error err = {0};
	double *contrib = malloc((m->p ? m->p : 1) * sizeof *contrib);
	struct by_abs *idx = malloc((m->p ? m->p : 1) * sizeof *idx);
	size_t k = m->p < TOP_CONTRIB ? m->p : TOP_CONTRIB;
	int rc = FT_ENOMEM;

	if (!contrib || !idx)
		goto done;
	if (ft_gap_decomposition(m, ds, a, b, contrib, &x->gap, &err)) {
		rc = 0;   /* nothing to decompose (a per-group model, an empty group) */
		goto done;
	}
	for (size_t j = 0; j < m->p; j++)
		idx[j] = (struct by_abs){contrib[j], j};
	qsort(idx, m->p, sizeof *idx, by_abs_desc);
	x->contrib = malloc((k ? k : 1) * sizeof *x->contrib);
	x->contrib_names = calloc(k ? k : 1, sizeof *x->contrib_names);
	if (!x->contrib || !x->contrib_names)
		goto done;
	for (size_t j = 0; j < k; j++) {
		x->contrib[j] = idx[j].v;
		if (!(x->contrib_names[j] = ft_strdup(names[idx[j].j])))
			goto done;
		x->n_contrib = j + 1;
	}
	if (!(x->group_a = ft_strdup(e->group_names[a])) ||
	    !(x->group_b = ft_strdup(e->group_names[b])))
		goto done;
	rc = 0;
done:
	free(contrib);
	free(idx);
	return rc;
}

/* The sums over ds's rows and over train's rows each run in their own
 * scope (run.h). */
int ft_run_explain_parts(const struct ft_linear_model *m, const struct ft_transform *t,
                         const struct ft_dataset *ds,
                         const char *model, const char *split, const struct ft_encoder *e,
                         const struct ft_dataset *train, const struct ft_dist_part *pds,
                         const struct ft_dist_part *ptrain, struct ft_explain **out,
                         struct ft_error *err)
{
	struct ft_explain *x = calloc(1, sizeof *x);
	struct ft_error e2 = {0};   /* no proxy report (one group) is no error */
	struct ft_dataset *tds = NULL;
	char *const *names = e->feature_names;
	size_t ng = e->n_groups, a = 0, b = 0;
	double *dec = NULL, *sum = NULL;
	int rc = FT_ENOMEM, pick, prc;

	*out = NULL;
	if (!x || !(x->model = ft_strdup(model)) || !(x->split = ft_strdup(split)))
		goto done;
	if (!ds->group || ng < 2 || !train->group) {
		rc = 0;
		goto done;
	}
	if (t) {
		/* the model is linear in the transform's outputs: its decisions
		 * and the gap are computed on the transformed rows */
		if ((rc = ft_transform_apply(t, ds, &tds, &e2))) {
			ft_explain_free(x);
			return ft_error_set(err, rc, "%s", e2.msg);
		}
		ds = tds;
		names = t->names;
		rc = FT_ENOMEM;
	}
	dec = malloc((ds->n ? ds->n : 1) * sizeof *dec);
	sum = calloc(2 * ng, sizeof *sum);
	if (!dec || !sum)
		goto done;
	ft_linear_decision(m, ds, dec);
	if (pds)
		ft_dist_scope_push(pds);
	/* a per-group model has no single beta to split the gap with */
	pick = pick_pair(ds, dec, ng, ft_run_privileged(e), &a, &b, sum);
	rc = pick == FT_ENOMEM ? pick : pick == 0 && m->n_groups == 0 ?
	     decompose(x, m, ds, a, b, e, names) : 0;
	if (pds)
		ft_dist_scope_pop();
	/* the decisions are not needed for the proxies: not held beside their
	 * sorts (issue 20 item 7) */
	free(dec);
	dec = NULL;
	ft_dataset_free(tds);
	tds = NULL;
	if (rc)
		goto done;
	if (ptrain)
		ft_dist_scope_push(ptrain);
	prc = ft_proxy_report(e, train, &x->proxy, &x->n_proxy, &e2);
	if (ptrain)
		ft_dist_scope_pop();
	if (prc == 0) {
		qsort(x->proxy, x->n_proxy, sizeof *x->proxy, by_nmi_desc);
		/* own the column names: the report borrows them from e */
		for (size_t j = 0; j < x->n_proxy; j++)
			if (!(x->proxy[j].column = ft_strdup(x->proxy[j].column))) {
				for (size_t k = j + 1; k < x->n_proxy; k++)
					x->proxy[k].column = NULL;
				rc = FT_ENOMEM;
				goto done;
			}
	}
	rc = 0;
done:
	free(dec);
	free(sum);
	ft_dataset_free(tds);
	if (rc) {
		ft_explain_free(x);
		return ft_error_set(err, rc, "out of memory");
	}
	*out = x;
	return 0;
}

int ft_explain(const struct ft_linear_model *m, const struct ft_dataset *ds,
               const char *model, const char *split, const struct ft_encoder *e,
               const struct ft_dataset *train, struct ft_explain **out,
               struct ft_error *err)
{
	return ft_run_explain_parts(m, NULL, ds, model, split, e, train, NULL, NULL, out, err);
}

int ft_run_explain(const struct ft_predictor *pr, const struct ft_loaded *l,
                   struct ft_explain **out, struct ft_error *err)
{
	const struct ft_dataset *ds = l->test ? l->test : l->train;
	const struct ft_dist_parts *p = l->dist;

	return ft_run_explain_parts(pr->linear, pr->transform, ds, "mitigated", l->test ? "test" : "train", l->enc,
	                            l->train, p ? (l->test ? &p->test : &p->train) : NULL,
	                            p ? &p->train : NULL, out, err);
}
