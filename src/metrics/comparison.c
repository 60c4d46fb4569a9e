/*
 * comparison.c - the before/after comparison table: tidy rows of
 * (metric, model, split, group, convention, value, interval), built by the
 * CLI and stored in the model file's /comparison group.
 *
 * The measurements themselves are ft_group_metrics, ft_fairness_summaries
 * and ft_permutation_test on the caller's input as given, so a randomized
 * classifier (in->pos set) is measured by its expected rates throughout,
 * and the permutation pair is picked by expected selection rates; nothing
 * here recomputes yhat from the score.  ft_comparison_measure_all (what a
 * training run calls) gives the rows of both, checking the input once,
 * sorting the scores once and sweeping them once for every AUC, and
 * scanning the pair's rows once for the four permutation tests.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "metrics/metrics.h"

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
	free(c->ref);
	free(c);
}

/* The rows of a group table and of a summary table. */
static int add_measured(struct ft_comparison *c, const char *model, const char *split,
                        const struct ft_eval_input *in, const struct ft_group_table *gt,
                        const struct ft_summary_table *st)
{
	const struct ft_value none = {0.0, "no bootstrap"};
	int rc = 0;

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
	return rc;
}

int ft_comparison_measure(struct ft_comparison *c, const char *model,
                          const char *split, const struct ft_eval_input *in,
                          struct ft_error *err)
{
	struct ft_group_table *gt = NULL;
	struct ft_summary_table *st = NULL;
	int rc;

	rc = ft_group_metrics(in, &gt, err);
	if (!rc)
		rc = ft_fairness_summaries(in, c->n_bootstrap, c->seed, c->level, &st, err);
	if (!rc)
		rc = add_measured(c, model, split, in, gt, st);
	if (rc && !(err && err->code))
		ft_error_set(err, rc, "out of memory");
	ft_group_table_free(gt);
	ft_summary_table_free(st);
	return rc;
}

static const int PERM_METRICS[] = {FT_M_SELECTION_RATE, FT_M_TPR, FT_M_FPR, FT_M_ACCURACY};
#define N_PERM_METRICS (sizeof PERM_METRICS / sizeof *PERM_METRICS)

/* The pair of the permutation tests: selection rates decide, groups
 * without rows never take part; -1 when there is none. */
static void perm_pair(const struct ft_eval_input *in, const struct ft_group_table *gt,
                      long *a, long *b)
{
	double best = -1;

	*a = *b = -1;
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
				*a = (long)g;
				*b = (long)h;
			}
		}
}

/* The rows of the tests of PERM_METRICS on the pair (a, b). */
static int add_perm(struct ft_comparison *c, const char *model, const char *split,
                    const struct ft_eval_input *in, long a, long b,
                    const struct ft_value *gap, const double *p, struct ft_error *err)
{
	const struct ft_value none = {0.0, "not a bootstrap statistic"};
	char pair[256], name[64];
	int rc;

	snprintf(pair, sizeof pair, "%s vs %s", in->group_names[a], in->group_names[b]);
	for (size_t k = 0; k < N_PERM_METRICS; k++) {
		struct ft_value pv = {NAN, NULL};
		if (gap[k].why)
			pv.why = "gap undefined";
		else
			pv.value = p[k];
		snprintf(name, sizeof name, "%s_gap", ft_metric_name(PERM_METRICS[k]));
		rc = ft_comparison_add(c, name, model, split, pair, "permutation_test",
		                       gap[k], none, none);
		snprintf(name, sizeof name, "%s_gap_p_value", ft_metric_name(PERM_METRICS[k]));
		if (!rc)
			rc = ft_comparison_add(c, name, model, split, pair, "permutation_test",
			                       pv, none, none);
		if (rc)
			return ft_error_set(err, rc, "out of memory");
	}
	return 0;
}

int ft_comparison_permutation(struct ft_comparison *c, const char *model,
                              const char *split, const struct ft_eval_input *in,
                              size_t n_perm, struct ft_error *err)
{
	struct ft_group_table *gt = NULL;
	struct ft_value gap[N_PERM_METRICS];
	double p[N_PERM_METRICS];
	long a, b;
	int rc;

	if (in->n_groups < 2 || n_perm == 0)
		return 0;
	rc = ft_group_metrics(in, &gt, err);
	if (rc)
		return rc;
	perm_pair(in, gt, &a, &b);
	ft_group_table_free(gt);
	if (a < 0)
		return 0;
	for (size_t k = 0; k < N_PERM_METRICS; k++)
		if ((rc = ft_permutation_test(in, PERM_METRICS[k], (size_t)a, (size_t)b, n_perm,
		                              c->seed + k, &gap[k], &p[k], err)))
			return rc;
	return add_perm(c, model, split, in, a, b, gap, p, err);
}

/* LiFT's and AIF360's distribution and inequality measures
 * (ft_distribution_measures) beside the summaries: the distances between
 * the groups' score distributions and the smoothed empirical differential
 * fairness (convention between_groups), the Atkinson index, Theil L and the
 * coefficient of variation of the benefit (individual).  Left out: GE(2)
 * and Theil T, which are the rows generalized_entropy_index and
 * theil_index already; consistency, which needs the features
 * (ft_comparison_add_consistency); the distances to a reference
 * distribution unless the comparison has one. */
static int add_distribution(struct ft_comparison *c, const char *model, const char *split,
                            const struct ft_measures *ms, struct ft_error *err)
{
	const struct ft_value none = {0.0, "no bootstrap"};
	int rc;

	for (size_t k = 0; k < ms->n; k++) {
		const char *name = ms->m[k].name;
		int between = !strncmp(name, "score_", 6) || strstr(name, "differential");
		if (!strcmp(name, "ge_index") || !strcmp(name, "theil_t_index") ||
		    !strcmp(name, "consistency") || (!c->ref && strstr(name, "_to_reference")))
			continue;
		if ((rc = ft_comparison_add(c, name, model, split, "",
		                            strstr(name, "_to_reference") ? "to_reference" :
		                            between ? "between_groups" : "individual",
		                            ms->m[k].v, none, none)))
			return ft_error_set(err, rc, "out of memory");
	}
	return 0;
}

/* The measures of add_distribution, the scores' order given. */
static int distribution_of(const struct ft_comparison *c, const struct ft_eval_input *in,
                           const struct ft_sorted *v, struct ft_measures *ms,
                           struct ft_error *err)
{
	struct ft_dist_opts o;

	ft_dist_opts_init(&o);
	o.ref = c->ref;
	o.n_ref = c->n_ref;
	return ft_distribution_measures_sorted(in, NULL, &o, v, ms, err);
}

/* The definition of a subgroup by its member groups: "{Female&Black,
 * Male&Black}" ("{}" for the empty subgroup). */
static char *subgroup_name(const struct ft_subgroup *sg, const struct ft_eval_input *in)
{
	size_t len = 3, at = 0;
	char *s;

	for (size_t g = 0; g < sg->n_groups; g++)
		if (sg->member[g])
			len += strlen(in->group_names[g]) + 2;
	if (!(s = malloc(len)))
		return NULL;
	s[at++] = '{';
	for (size_t g = 0; g < sg->n_groups; g++)
		if (sg->member[g])
			at += (size_t)sprintf(s + at, "%s%s", at > 1 ? ", " : "", in->group_names[g]);
	s[at++] = '}';
	s[at] = '\0';
	return s;
}

/* The rich-subgroup audits of Kearns, Neel, Roth & Wu (ft_subgroup_audit,
 * AIF360's GerryFair auditor) for false positives and false negatives:
 * the subgroup of the largest size-weighted rate disparity, its size and
 * its disparity, the subgroup's definition in the group column
 * (convention rich_subgroup). */
static int add_subgroups(struct ft_comparison *c, const char *model, const char *split,
                         const struct ft_eval_input *in, struct ft_subgroup *const sgs[2],
                         struct ft_error *err)
{
	static const char *const NAMES[2][3] = {
		{"subgroup_fp_weighted_disparity", "subgroup_fp_disparity", "subgroup_fp_size"},
		{"subgroup_fn_weighted_disparity", "subgroup_fn_disparity", "subgroup_fn_size"},
	};
	const struct ft_value none = {0.0, "no bootstrap"};
	int rc = 0;

	for (int rate = 0; rate < 2 && !rc && sgs[rate]; rate++) {
		const struct ft_subgroup *sg = sgs[rate];
		char *def = subgroup_name(sg, in);
		if (!def)
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		{
			struct ft_value v[3] = {{sg->weighted, NULL}, {sg->disparity, NULL},
			                        {sg->size, NULL}};
			for (int k = 0; k < 3 && !rc; k++)
				rc = ft_comparison_add(c, NAMES[rate][k], model, split, def,
				                       "rich_subgroup", v[k], none, none);
		}
		free(def);
		if (rc)
			return ft_error_set(err, rc, "out of memory");
	}
	return 0;
}

/* The audits of add_subgroups (none without two groups). */
static int subgroups_of(const struct ft_eval_input *in, struct ft_subgroup *sgs[2],
                        struct ft_error *err)
{
	sgs[0] = sgs[1] = NULL;
	if (!in->group || in->n_groups < 2)
		return 0;
	return ft_subgroup_audits(in, sgs, err);
}

int ft_comparison_add_consistency(struct ft_comparison *c, const char *model,
                                  const char *split, const struct ft_eval_input *in,
                                  const struct ft_dataset *x, size_t k,
                                  struct ft_error *err)
{
	const struct ft_value none = {0.0, "no bootstrap"};
	struct ft_value v;
	double *yh;
	int rc;

	if (!x || x->n != in->n)
		return ft_error_set(err, FT_EINVAL, "consistency: %zu feature rows for %zu "
		                    "predictions", x ? x->n : 0, in->n);
	if (!(yh = ft_xalloc(in->n ? in->n : 1, sizeof *yh)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	for (size_t i = 0; i < in->n; i++)
		yh[i] = ft_eval_pos(in, i);
	rc = ft_consistency(x, yh, in->w, k, &v, err);
	free(yh);
	if (!rc && (rc = ft_comparison_add(c, "consistency", model, split, "", "individual",
	                                   v, none, none)))
		return ft_error_set(err, rc, "out of memory");
	return rc;
}

/* The pieces of a measurement once the scores are sorted: each computed on
 * a thread of its own (OpenMP sections, the pieces' own parallel loops then
 * serial), the rows added afterwards in the order of one thread, so the
 * comparison is the same for any thread count:
 *   - the group metrics' row sums, then the permutation tests of the pair
 *     whose selection rates they show apart most (a table without the AUC,
 *     which the pair does not read);
 *   - the AUC sweep;
 *   - the distribution measures;
 *   - the subgroup audits;
 *   - the bootstrap's cells (ft_boot_build_sorted), which the summaries resample
 *     afterwards on every thread.
 * The group metrics' table is made from the row sums and the sweep once
 * both are done.  The sections share the threads from 65,536 rows (work of
 * 64 a row: each piece walks every row, a cache miss or more a row when
 * that is in score order); below that, and on Adult, the calling thread
 * takes them one after the other.  Before, the threshold was
 * ft_parallel_worth's 4,194,304 rows, so a 1M-row file ran them serially. */
struct pieces {
	struct ft_group_sums gs;
	struct ft_measures ms;
	struct ft_subgroup *sg[2];
	struct ft_value gap[N_PERM_METRICS];
	double p[N_PERM_METRICS];
	long a, b;
	int rc_sweep;             /* FT_ENOMEM of the sweep (no message) */
	int rc_boot;              /* FT_ENOMEM of the bootstrap's cells */
	int rc[4];                /* group metrics, distribution, subgroups, tests */
	struct ft_error err[4];
};

static void tests_piece(const struct ft_comparison *c, const struct ft_eval_input *in,
                        size_t n_perm, struct pieces *pc)
{
	struct ft_group_table *rates = NULL;

	if ((pc->rc[0] = ft_group_tally(in, &pc->gs)) != 0 ||
	    !(in->n_groups >= 2 && n_perm > 0))
		return;
	if ((pc->rc[0] = ft_group_table_of(in, &pc->gs, NULL, &rates)) != 0)
		return;
	perm_pair(in, rates, &pc->a, &pc->b);
	ft_group_table_free(rates);
	if (pc->a >= 0)
		pc->rc[3] = ft_permutation_tests(in, PERM_METRICS, N_PERM_METRICS, (size_t)pc->a,
		                                 (size_t)pc->b, n_perm, c->seed, pc->gap, pc->p,
		                                 &pc->err[3]);
}

static void run_pieces(const struct ft_comparison *c, const struct ft_eval_input *in,
                       struct ft_swept *sw, size_t n_perm, struct pieces *pc)
{
	pc->a = pc->b = -1;
	#pragma omp parallel sections if (ft_get_threads() > 1 && ft_parallel_worth(in->n * 64))
	{
		#pragma omp section
		tests_piece(c, in, n_perm, pc);
		#pragma omp section
		pc->rc[1] = distribution_of(c, in, &sw->view, &pc->ms, &pc->err[1]);
		#pragma omp section
		pc->rc_sweep = ft_eval_sweep_sorted(in, 1, sw);
		#pragma omp section
		pc->rc_boot = c->n_bootstrap > 0 ?
			ft_boot_build_sorted(in, &sw->view, FT_BOOT_BINS, &sw->boot) : 0;
		#pragma omp section
		pc->rc[2] = subgroups_of(in, pc->sg, &pc->err[2]);
	}
}

int ft_comparison_measure_all(struct ft_comparison *c, const char *model,
                              const char *split, const struct ft_eval_input *in,
                              size_t n_perm, struct ft_error *err)
{
	struct ft_summary_table *st = NULL;
	struct ft_group_table *gt = NULL;
	struct ft_swept sw;
	struct pieces pc;
	uint64_t *keys = NULL;
	int rc;

	memset(&pc, 0, sizeof pc);
	memset(&sw, 0, sizeof sw);
	if ((rc = ft_eval_check(in, err)) != 0)
		return rc;
	/* the sorted items become the view's scores in place, and no order is
	 * kept: every piece reads the view (at scale this is a run's peak: 17
	 * bytes a row with the scores, a byte more than the sort alone, for up
	 * to 127 groups with unit weights) */
	if ((rc = ft_score_sort_keys(in->score, 1, in->n, &keys)) != 0 ||
	    (rc = ft_sorted_from_keys(in, keys, &sw.view)) != 0) {
		rc = ft_error_set(err, rc, "out of memory");
		goto done;
	}
	run_pieces(c, in, &sw, n_perm, &pc);
	/* the first failure in the order of one thread: the sweep, the group
	 * metrics, the summaries (the bootstrap's cells first), then the other
	 * pieces' */
	if (pc.rc_sweep) {
		rc = ft_error_set(err, pc.rc_sweep, "out of memory");
		goto done;
	}
	if ((rc = pc.rc[0]) ||
	    (rc = ft_group_table_of(in, &pc.gs, &sw, &gt)) != 0) {
		if (rc == FT_ENOMEM)
			ft_error_set(err, rc, "metrics: out of memory for %zu rows", in->n);
		goto done;
	}
	if (pc.rc_boot) {
		rc = ft_error_set(err, pc.rc_boot, "fairness: out of memory for %zu rows, %zu "
		                  "resamples", in->n, c->n_bootstrap);
		goto done;
	}
	if ((rc = ft_fairness_summaries_swept(in, &sw, c->n_bootstrap, c->seed, c->level, &st,
	                                      err)))
		goto done;
	for (int k = 1; k < 4; k++)
		if (pc.rc[k]) {
			rc = pc.rc[k];
			if (err)
				*err = pc.err[k];
			goto done;
		}
	if ((rc = add_measured(c, model, split, in, gt, st)) ||
	    (rc = add_distribution(c, model, split, &pc.ms, err)) ||
	    (rc = add_subgroups(c, model, split, in, pc.sg, err)))
		goto done;
	if (pc.a >= 0 && (rc = add_perm(c, model, split, in, pc.a, pc.b, pc.gap, pc.p, err)))
		goto done;
done:
	if (rc && !(err && err->code))
		ft_error_set(err, rc, "out of memory");
	ft_group_table_free(gt);
	ft_group_sums_free(&pc.gs);
	ft_summary_table_free(st);
	ft_subgroup_free(pc.sg[0]);
	ft_subgroup_free(pc.sg[1]);
	ft_swept_free(&sw);
	return rc;
}
