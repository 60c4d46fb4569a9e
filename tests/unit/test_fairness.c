/*
 * test_fairness.c - fairness summaries, their bootstrap intervals and the
 * permutation test (src/metrics/fairness.c, bootstrap.c, permutation.c):
 *   - names, table order with and without a privileged group;
 *   - a hand-computed weighted case (three groups, an absent fourth, rows
 *     without a group): every summary under every convention;
 *   - every "undefined" rule and its reason;
 *   - the numpy / Fairlearn / AIF360-formula references of
 *     scripts/fixtures/make_metric_fixtures.py (1e-12 relative);
 *   - the count-based bootstrap against a row-resampling bootstrap written
 *     here (means, spreads, undefined fractions and the interval ends agree
 *     within Monte-Carlo error; unit, few-valued and continuous weights),
 *     determinism, 1 vs 2 OpenMP threads, undefined resamples, the
 *     percentile rule, binned against exact AUC;
 *   - the same bootstrap checks for a randomized classifier (pos set: a few
 *     values, so refined cells, and continuous, so row-list cells);
 *   - the permutation test against the exact hypergeometric p-value, against
 *     a row-shuffling test written here (unit and general weights, and with
 *     pos: the type fast path and both fallbacks), p = 1 for identical
 *     groups, the +1 correction, errors.
 * The deterministic checks of pos (bit identity, row expansion, a hand
 * case) are in test_randomized.c.
 * The statistical comparisons use fixed seeds, so a run is reproducible;
 * each is a 5-standard-error (or Kolmogorov-Smirnov at 0.001) check, so a
 * change to how the library consumes random numbers may, rarely, need other
 * seeds rather than a fix.  Every check here was seen to fail against a
 * deliberately broken library (21 mutations of src/metrics, all caught).
 * Run from the repository root.
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "metrics/metrics.h"
#include "metrics_fixture.h"
#include "t.h"

static const struct ft_summary *find(const struct ft_summary_table *t, int f, int c)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->s[i].metric == f && t->s[i].convention == c)
			return &t->s[i];
	return NULL;
}

static void expect_sum(const struct ft_summary_table *t, int f, int c, double v)
{
	const struct ft_summary *s = find(t, f, c);

	if (!s) {
		T_FAIL("%s / %s missing", ft_fairness_name(f), ft_convention_name(c));
		return;
	}
	T_CHECKF(s->v.why == NULL && fabs(s->v.value - v) <= 1e-14 * fmax(1, fabs(v)),
	         "%s / %s = %.17g (%s), expected %.17g", ft_fairness_name(f),
	         ft_convention_name(c), s->v.value, s->v.why ? s->v.why : "defined", v);
}

static void expect_why(const struct ft_summary_table *t, int f, int c, const char *why)
{
	const struct ft_summary *s = find(t, f, c);

	if (!s) {
		T_FAIL("%s / %s missing", ft_fairness_name(f), ft_convention_name(c));
		return;
	}
	T_CHECKF(isnan(s->v.value) && s->v.why && strcmp(s->v.why, why) == 0,
	         "%s / %s = %g, reason \"%s\", expected \"%s\"", ft_fairness_name(f),
	         ft_convention_name(c), s->v.value, s->v.why ? s->v.why : "(null)", why);
}

/* ---------------------------------------------------------- names */

static void test_names_and_order(void)
{
	static const char *const fn[FT_N_FAIRNESS] = {
		"demographic_parity_difference", "demographic_parity_ratio",
		"equal_opportunity_difference", "equalized_odds_difference",
		"equalized_odds_difference_mean", "average_odds_difference",
		"error_rate_difference", "predictive_parity_difference", "auc_difference",
		"generalized_entropy_index", "theil_index",
		"between_group_generalized_entropy_index", "between_group_theil_index",
	};
	static const double y[] = { 1, 0, 1, 0 }, s[] = { .9, .2, .6, .7 };
	static const int32_t g[] = { 0, 0, 1, 1 };
	struct ft_eval_input in;
	struct ft_summary_table *t = NULL;
	size_t k = 0;

	for (int f = 0; f < FT_N_FAIRNESS; f++)
		T_STREQ(ft_fairness_name(f), fn[f]);
	T_STREQ(ft_fairness_name(FT_N_FAIRNESS), "unknown");
	T_STREQ(ft_convention_name(FT_CONV_BETWEEN), "between_groups");
	T_STREQ(ft_convention_name(FT_CONV_TO_OVERALL), "to_overall");
	T_STREQ(ft_convention_name(FT_CONV_SIGNED), "unprivileged_minus_privileged");
	T_STREQ(ft_convention_name(FT_CONV_INDIVIDUAL), "individual");
	T_STREQ(ft_convention_name(-1), "unknown");

	ft_eval_input_init(&in);
	in.n = 4;
	in.y = y;
	in.score = s;
	in.group = g;
	in.n_groups = 2;
	/* no privileged group: 9 x 2 + 4 */
	T_CHECK(ft_fairness_summaries(&in, 0, 1, 0.95, &t, NULL) == 0);
	if (!t)
		return;
	T_CHECK(t->n == 22 && t->n_bootstrap == 0);
	for (int f = 0; f < FT_N_FAIRNESS; f++)
		for (int c = 0; c < FT_N_CONV; c++) {
			if (f <= FT_F_AUC_GAP ? c >= FT_CONV_SIGNED : c != FT_CONV_INDIVIDUAL)
				continue;
			T_CHECKF(k < t->n && t->s[k].metric == f && t->s[k].convention == c,
			         "slot %zu is %d/%d, expected %d/%d", k, t->s[k].metric,
			         t->s[k].convention, f, c);
			k++;
		}
	for (size_t i = 0; i < t->n; i++)
		T_STREQ(t->s[i].lo.why, "no bootstrap requested");
	ft_summary_table_free(t);
	t = NULL;
	/* privileged: 9 x 3 + 4, signed right after to_overall */
	in.privileged = 1;
	T_CHECK(ft_fairness_summaries(&in, 0, 1, 0.95, &t, NULL) == 0);
	if (!t)
		return;
	T_CHECK(t->n == 31);
	T_CHECK(t->s[2].metric == FT_F_DP_DIFF && t->s[2].convention == FT_CONV_SIGNED);
	T_CHECK(t->s[27].metric == FT_F_GEI && t->s[27].convention == FT_CONV_INDIVIDUAL);
	ft_summary_table_free(t);
	ft_summary_table_free(NULL);
}

/* ------------------------------------------------ hand-computed case */

/* A (0, privileged): TP .9 w2, FN .3 w1, FP .7 w1, TN .2 w4
 * B (1):             TP .6 w1, FN .4 w1, FP .8 w2, TN .1 w2
 * C (2):             TP .55 w1, FN .45 w2, FP .5 w1, TN .45 w1
 * D (3):             no rows (skipped)
 * no group:          TP .95 w1, TN .05 w1
 * Rates (sel, TPR, FPR, err, PPV, AUC):
 *   A 3/8, 2/3, 1/5, 1/4, 2/3, 14/15      B 1/2, 1/2, 1/2, 1/2, 1/3, 1/2
 *   C 2/5, 1/3, 1/2, 3/5, 1/2, 1/2        overall 3/7, 5/9, 1/3, 8/21, 5/9, 83/108
 *   B + C pooled 5/11, 2/5, 1/2, 6/11, 2/5, 1/2 */
static const double f_y[] = { 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0 };
static const double f_s[] = { .9, .3, .7, .2, .6, .4, .8, .1, .55, .45, .5, .45, .95, .05 };
static const double f_w[] = { 2, 1, 1, 4, 1, 1, 2, 2, 1, 2, 1, 1, 1, 1 };
static const int32_t f_g[] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, -1, -1 };
static const char *const f_names[] = { "A", "B", "C", "D" };

static struct ft_eval_input hand_input(void)
{
	struct ft_eval_input in;

	ft_eval_input_init(&in);
	in.n = 14;
	in.y = f_y;
	in.score = f_s;
	in.w = f_w;
	in.group = f_g;
	in.n_groups = 4;
	in.group_names = f_names;
	in.privileged = 0;
	return in;
}

static void test_hand_summaries(void)
{
	struct ft_eval_input in = hand_input();
	struct ft_summary_table *t = NULL;
	struct ft_error err = { 0 };
	const int B = FT_CONV_BETWEEN, O = FT_CONV_TO_OVERALL, S = FT_CONV_SIGNED,
	          I = FT_CONV_INDIVIDUAL;

	T_CHECKF(ft_fairness_summaries(&in, 0, 1, 0.95, &t, &err) == 0, "%s", err.msg);
	if (!t)
		return;
	T_CHECK(t->n == 31);
	expect_sum(t, FT_F_DP_DIFF, B, 1.0 / 8);
	expect_sum(t, FT_F_DP_DIFF, O, 1.0 / 14);
	expect_sum(t, FT_F_DP_DIFF, S, 7.0 / 88);
	expect_sum(t, FT_F_DP_RATIO, B, 3.0 / 4);
	expect_sum(t, FT_F_DP_RATIO, O, 6.0 / 7);
	expect_sum(t, FT_F_DP_RATIO, S, 40.0 / 33);
	expect_sum(t, FT_F_EOP_DIFF, B, 1.0 / 3);
	expect_sum(t, FT_F_EOP_DIFF, O, 2.0 / 9);
	expect_sum(t, FT_F_EOP_DIFF, S, -4.0 / 15);
	/* TPR gaps 1/3, 2/9, -4/15; FPR gaps 3/10, 1/6, 3/10 */
	expect_sum(t, FT_F_EO_DIFF, B, 1.0 / 3);
	expect_sum(t, FT_F_EO_DIFF, O, 2.0 / 9);
	expect_sum(t, FT_F_EO_DIFF, S, 3.0 / 10);
	expect_sum(t, FT_F_EO_DIFF_MEAN, B, 19.0 / 60);
	expect_sum(t, FT_F_EO_DIFF_MEAN, O, 7.0 / 36);
	expect_sum(t, FT_F_EO_DIFF_MEAN, S, 17.0 / 60);
	expect_sum(t, FT_F_AOD, B, 19.0 / 60);
	expect_sum(t, FT_F_AOD, O, 7.0 / 36);
	expect_sum(t, FT_F_AOD, S, 1.0 / 60);
	expect_sum(t, FT_F_ERR_DIFF, B, 7.0 / 20);
	expect_sum(t, FT_F_ERR_DIFF, O, 23.0 / 105);
	expect_sum(t, FT_F_ERR_DIFF, S, 13.0 / 44);
	expect_sum(t, FT_F_PP_DIFF, B, 1.0 / 3);
	expect_sum(t, FT_F_PP_DIFF, O, 2.0 / 9);
	expect_sum(t, FT_F_PP_DIFF, S, -4.0 / 15);
	expect_sum(t, FT_F_AUC_GAP, B, 13.0 / 30);
	expect_sum(t, FT_F_AUC_GAP, O, 29.0 / 108);
	expect_sum(t, FT_F_AUC_GAP, S, -13.0 / 30);
	/* benefit cells overall: TN 8 (b 1), FP 4 (b 2), FN 4 (b 0), TP 5 (b 1):
	 * mu = 21 / 21 = 1; group means A 1, B 7/6, C 4/5, no group 1 */
	expect_sum(t, FT_F_GEI, I, 4.0 / 21);
	expect_sum(t, FT_F_THEIL, I, 8 * log(2.0) / 21);
	expect_sum(t, FT_F_GEI_BETWEEN, I, 11.0 / 1260);
	expect_sum(t, FT_F_THEIL_BETWEEN, I, (7 * log(7.0 / 6) + 4 * log(4.0 / 5)) / 21);
	ft_summary_table_free(t);
}

/* ------------------------------------------------ undefined rules */

static struct ft_summary_table *run(const double *y, const double *s, const double *w,
                                    const int32_t *g, size_t n, size_t G, long priv,
                                    size_t n_boot)
{
	static const char *const names[] = { "A", "B", "C", "D", "E" };
	struct ft_eval_input in;
	struct ft_summary_table *t = NULL;
	struct ft_error err = { 0 };

	ft_eval_input_init(&in);
	in.n = n;
	in.y = y;
	in.score = s;
	in.w = w;
	in.group = g;
	in.n_groups = G;
	in.group_names = names;
	in.privileged = priv;
	if (ft_fairness_summaries(&in, n_boot, 7, 0.9, &t, &err) != 0)
		T_FAIL("%s", err.msg);
	return t;
}

static void test_undefined_rules(void)
{
	const int B = FT_CONV_BETWEEN, O = FT_CONV_TO_OVERALL, S = FT_CONV_SIGNED,
	          I = FT_CONV_INDIVIDUAL;
	struct ft_summary_table *t;

	/* C (2) has negatives only: TPR undefined for C; the first undefined
	 * group in index order is named */
	{
		static const double y[] = { 1, 0, 1, 0, 0, 0 }, s[] = { .9, .2, .6, .7, .3, .8 };
		static const int32_t g[] = { 0, 0, 1, 1, 2, 2 };
		t = run(y, s, NULL, g, 6, 3, 1, 0);
		if (!t)
			return;
		expect_why(t, FT_F_EOP_DIFF, B, "tpr undefined for group 'C': no positive labels");
		expect_why(t, FT_F_EOP_DIFF, O, "tpr undefined for group 'C': no positive labels");
		expect_why(t, FT_F_EO_DIFF, B, "tpr undefined for group 'C': no positive labels");
		expect_why(t, FT_F_AUC_GAP, B, "auc undefined for group 'C': no positive labels");
		/* the signed convention pools A and C, which has a positive: TPR 1
		 * against B's 1; FPR 1/3 against 1 */
		expect_sum(t, FT_F_EOP_DIFF, S, 0);
		expect_sum(t, FT_F_AOD, S, -1.0 / 3);
		/* selection rates 1/2, 1, 1/2 */
		expect_sum(t, FT_F_DP_DIFF, B, 0.5);
		ft_summary_table_free(t);
	}
	/* the pooled unprivileged rows have no positives; overall has none for
	 * to_overall's FPR either way round */
	{
		static const double y[] = { 1, 0, 0, 0 }, s[] = { .9, .2, .6, .7 };
		static const int32_t g[] = { 0, 0, 1, 2 };
		t = run(y, s, NULL, g, 4, 3, 0, 0);
		if (!t)
			return;
		expect_why(t, FT_F_EOP_DIFF, S,
		           "tpr undefined for the unprivileged groups: no positive labels");
		ft_summary_table_free(t);
	}
	/* no positive label anywhere: to_overall names "overall" first */
	{
		static const double y[] = { 0, 0, 0, 0 }, s[] = { .9, .2, .6, .7 };
		static const int32_t g[] = { 0, 0, 1, 1 };
		t = run(y, s, NULL, g, 4, 2, -1, 0);
		if (!t)
			return;
		expect_why(t, FT_F_EOP_DIFF, O, "tpr undefined overall: no positive labels");
		expect_why(t, FT_F_EOP_DIFF, B, "tpr undefined for group 'A': no positive labels");
		ft_summary_table_free(t);
	}
	/* one group with rows (B is named but absent): between needs two */
	{
		static const double y[] = { 1, 0, 1 }, s[] = { .9, .2, .6 };
		static const int32_t g[] = { 0, 0, -1 };
		t = run(y, s, NULL, g, 3, 2, 1, 0);
		if (!t)
			return;
		expect_why(t, FT_F_DP_DIFF, B, "fewer than two groups with rows");
		expect_why(t, FT_F_DP_RATIO, B, "fewer than two groups with rows");
		/* A's selection rate 1/2 against overall 2/3 */
		expect_sum(t, FT_F_DP_DIFF, O, 2.0 / 3 - 1.0 / 2);
		expect_sum(t, FT_F_DP_RATIO, O, 0.75);
		expect_why(t, FT_F_DP_DIFF, S, "privileged group 'B' has no rows");
		ft_summary_table_free(t);
	}
	/* no groups at all */
	{
		static const double y[] = { 1, 0 }, s[] = { .9, .2 };
		t = run(y, s, NULL, NULL, 2, 0, -1, 0);
		if (!t)
			return;
		T_CHECK(t->n == 22);
		expect_why(t, FT_F_DP_DIFF, O, "no groups with rows");
		expect_why(t, FT_F_DP_DIFF, B, "fewer than two groups with rows");
		/* b = 1, 1: no inequality */
		expect_sum(t, FT_F_GEI, I, 0);
		expect_sum(t, FT_F_THEIL_BETWEEN, I, 0);
		ft_summary_table_free(t);
	}
	/* only the privileged group (and ungrouped rows) */
	{
		static const double y[] = { 1, 0, 1 }, s[] = { .9, .2, .6 };
		static const int32_t g[] = { 0, 0, -1 };
		t = run(y, s, NULL, g, 3, 2, 0, 0);
		if (!t)
			return;
		expect_why(t, FT_F_DP_DIFF, S, "no rows outside the privileged group");
		ft_summary_table_free(t);
	}
	/* ratios with zero denominators */
	{
		static const double y[] = { 1, 0, 1, 0 }, s[] = { .1, .2, .3, .4 };
		static const int32_t g[] = { 0, 0, 1, 1 };
		t = run(y, s, NULL, g, 4, 2, 0, 0);
		if (!t)
			return;
		expect_why(t, FT_F_DP_RATIO, B, "selection_rate is 0 in every group");
		expect_why(t, FT_F_DP_RATIO, O, "selection_rate is 0 overall");
		expect_why(t, FT_F_DP_RATIO, S, "selection_rate is 0 for privileged group 'A'");
		expect_sum(t, FT_F_DP_DIFF, B, 0);
		/* every row predicted 0: the positives are false negatives, but the
		 * negatives have benefit 1 */
		expect_sum(t, FT_F_GEI, I, 0.5 * (0.5 * (0 - 1) + 0.5 * (4 - 1)));
		ft_summary_table_free(t);
	}
	{
		/* A selects nobody, B selects: between ratio 0, signed undefined */
		static const double y[] = { 1, 0, 1, 0 }, s[] = { .1, .2, .8, .4 };
		static const int32_t g[] = { 0, 0, 1, 1 };
		t = run(y, s, NULL, g, 4, 2, 0, 0);
		if (!t)
			return;
		expect_sum(t, FT_F_DP_RATIO, B, 0);
		expect_sum(t, FT_F_DP_RATIO, O, 0);
		expect_why(t, FT_F_DP_RATIO, S, "selection_rate is 0 for privileged group 'A'");
		ft_summary_table_free(t);
	}
	/* every row a false negative: mean benefit 0 */
	{
		static const double y[] = { 1, 1 }, s[] = { .1, .2 };
		static const int32_t g[] = { 0, 1 };
		t = run(y, s, NULL, g, 2, 2, -1, 0);
		if (!t)
			return;
		expect_why(t, FT_F_GEI, I, "mean benefit is 0 (every row is a false negative)");
		expect_why(t, FT_F_THEIL_BETWEEN, I,
		           "mean benefit is 0 (every row is a false negative)");
		ft_summary_table_free(t);
	}
	/* no rows; zero weights */
	{
		static const double y[] = { 1, 0 }, s[] = { .9, .2 }, w[] = { 0, 0 };
		static const int32_t g[] = { 0, 1 };
		t = run(NULL, NULL, NULL, NULL, 0, 0, -1, 50);
		if (!t)
			return;
		expect_why(t, FT_F_GEI, I, "no rows");
		T_STREQ(find(t, FT_F_GEI, I)->lo.why,
		        "undefined in 50 of 50 resamples (first: no rows)");
		ft_summary_table_free(t);
		t = run(y, s, w, g, 2, 2, 1, 0);
		if (!t)
			return;
		expect_why(t, FT_F_GEI, I, "zero total weight");
		expect_why(t, FT_F_DP_DIFF, B,
		           "selection_rate undefined for group 'A': zero total weight");
		expect_why(t, FT_F_DP_DIFF, S,
		           "selection_rate undefined for group 'B': zero total weight");
		ft_summary_table_free(t);
	}
}

static void test_summary_errors(void)
{
	static const double y[] = { 1, 0 }, s[] = { .9, .2 };
	struct ft_eval_input in;
	struct ft_summary_table *t = (struct ft_summary_table *)1;
	struct ft_error err = { 0 };

	ft_eval_input_init(&in);
	in.n = 2;
	in.y = y;
	in.score = s;
	T_CHECK(ft_fairness_summaries(&in, 10, 1, 1.0, &t, &err) == FT_EINVAL);
	T_CHECK(t == NULL);
	T_CHECKF(strstr(err.msg, "level = 1 is not in (0, 1)") != NULL, "%s", err.msg);
	err.code = 0;
	T_CHECK(ft_fairness_summaries(&in, 10, 1, NAN, &t, &err) == FT_EINVAL);
	/* the level is not looked at without resamples */
	T_CHECK(ft_fairness_summaries(&in, 0, 1, 7, &t, NULL) == 0);
	ft_summary_table_free(t);
	err.code = 0;
	in.score = NULL;
	T_CHECK(ft_fairness_summaries(&in, 0, 1, 0.95, &t, &err) == FT_EINVAL);
	T_CHECK(ft_fairness_summaries(&in, 0, 1, 0.95, NULL, NULL) == FT_EINVAL);
}

/* ---------------------------------------------------------- fixtures */

static void test_reference_fixtures(void)
{
	struct mfix f;
	char msg[600];
	size_t checked = 0;
	double worst = 0;

	if (mfix_load(&f, msg, sizeof msg) != 0) {
		T_FAIL("%s", msg);
		mfix_free(&f);
		return;
	}
	for (size_t si = 0; si < f.n_sets; si++) {
		struct mfix_set *s = &f.sets[si];
		struct ft_eval_input in;
		struct ft_summary_table *t = NULL;
		struct ft_error err = { 0 };

		mfix_input(s, &in);
		if (ft_fairness_summaries(&in, 0, 1, 0.95, &t, &err) != 0) {
			T_FAIL("set %s: %s", s->name, err.msg);
			continue;
		}
		for (size_t k = 0; k < f.n_ref; k++) {
			struct mfix_ref *r = &f.ref[k];
			const struct ft_summary *x = NULL;

			if (strcmp(r->set, s->name) != 0 || strcmp(r->kind, "summary") != 0)
				continue;
			for (size_t i = 0; i < t->n; i++)
				if (strcmp(ft_fairness_name(t->s[i].metric), r->name) == 0 &&
				    strcmp(ft_convention_name(t->s[i].convention), r->target) == 0)
					x = &t->s[i];
			if (!x) {
				T_FAIL("set %s: no %s / %s", s->name, r->name, r->target);
				continue;
			}
			T_CHECKF(x->v.why == NULL && mfix_close(x->v.value, r->value, 1e-12),
			         "set %s, %s / %s: %.17g, reference %.17g (%s)", s->name, r->name,
			         r->target, x->v.value, r->value, x->v.why ? x->v.why : "defined");
			if (r->value != 0)
				worst = fmax(worst, fabs(x->v.value - r->value) / fabs(r->value));
			checked++;
		}
		ft_summary_table_free(t);
	}
	T_CHECKF(checked == 3 * 31, "%zu reference summaries checked, expected 93", checked);
	fprintf(stderr, "summary fixtures: %zu values, max relative difference %.3g\n",
	        checked, worst);
	mfix_free(&f);
}

/* --------------------------------------------------------- bootstrap */

/* Synthetic data: groups 0 .. G-1 with shares 3:2:2, about 1/8 of rows
 * without a group, scores on a grid of `grid` steps; weights: 0 none,
 * 1 three values, 2 continuous.  pos (synth_pos) NULL unless set. */
struct synth {
	size_t n, G;
	double *y, *s, *w, *pos;
	int32_t *g;
};

static void synth_free(struct synth *d)
{
	free(d->y);
	free(d->s);
	free(d->w);
	free(d->pos);
	free(d->g);
}

/* P(yhat = 1) of a randomized classifier: mode 1 a mixture of three
 * thresholds (values 0, .5, .8, 1), 2 group-specific randomized thresholds
 * (three values a group), 3 continuous (the score plus noise). */
static int synth_pos(struct synth *d, int mode, uint64_t seed)
{
	struct ft_rng r;

	d->pos = malloc(d->n * sizeof *d->pos);
	if (!d->pos)
		return -1;
	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < d->n; i++) {
		double s = d->s[i];
		int k = d->g[i] + 1;

		if (mode == 1)
			d->pos[i] = 0.5 * (s >= 0.4) + 0.3 * (s >= 0.5) + 0.2 * (s >= 0.6);
		else if (mode == 2)
			d->pos[i] = (1 - 0.1 * (k == 2)) * ((0.3 + 0.1 * k) * (s >= 0.4 + 0.05 * k) +
			                                    (0.7 - 0.1 * k) * (s >= 0.55)) +
			            0.05 * (k == 2);
		else
			d->pos[i] = fmin(1, fmax(0, s + 0.4 * (ft_rng_uniform(&r) - 0.5)));
	}
	return 0;
}

static int synth_make(struct synth *d, size_t n, double grid, int weights, uint64_t seed)
{
	struct ft_rng r;

	d->n = n;
	d->G = 3;
	d->pos = NULL;
	d->y = malloc(n * sizeof *d->y);
	d->s = malloc(n * sizeof *d->s);
	d->w = weights ? malloc(n * sizeof *d->w) : NULL;
	d->g = malloc(n * sizeof *d->g);
	if (!d->y || !d->s || (weights && !d->w) || !d->g)
		return -1;
	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++) {
		double u = ft_rng_uniform(&r), x = ft_rng_normal(&r), z;
		d->g[i] = u < 0.125 ? -1 : u < 0.5 ? 0 : u < 0.75 ? 1 : 2;
		z = 1.2 * x - 0.3 + 0.4 * (d->g[i] == 0) - 0.2 * (d->g[i] == 2);
		d->s[i] = round(grid / (1 + exp(-z))) / grid;
		d->y[i] = ft_rng_uniform(&r) < 1 / (1 + exp(-(1.4 * x - 0.2)));
		if (weights == 1)
			d->w[i] = (double)(1 + ft_rng_below(&r, 3)) / 2;
		else if (weights == 2)
			d->w[i] = 0.2 + 2 * ft_rng_uniform(&r);
	}
	return 0;
}

static struct ft_eval_input synth_input(const struct synth *d, long priv)
{
	static const char *const names[] = { "g0", "g1", "g2" };
	struct ft_eval_input in;

	ft_eval_input_init(&in);
	in.n = d->n;
	in.y = d->y;
	in.score = d->s;
	in.w = d->w;
	in.pos = d->pos;
	in.group = d->g;
	in.n_groups = d->G;
	in.group_names = names;
	in.privileged = priv;
	return in;
}

/* The count-based replicates (internal entry points), slot-major. */
static struct ft_fval *count_replicates(const struct ft_eval_input *in, size_t B,
                                        uint64_t seed, size_t *n_slots, size_t *list)
{
	int metric[64], conv[64];
	uint32_t *order = NULL;
	struct ft_boot *bt = NULL;
	struct ft_fval *rep = NULL;
	uint8_t present[16] = { 0 };
	size_t cells, bins;

	for (size_t i = 0; i < in->n; i++)
		if (in->group[i] >= 0)
			present[in->group[i]] = 1;
	*n_slots = ft_fair_slots(in->privileged, metric, conv);
	rep = malloc(*n_slots * B * sizeof *rep);
	if (!rep || ft_score_order(in->score, in->n, &order) != 0 ||
	    ft_boot_build(in, order, FT_BOOT_BINS, &bt) != 0 ||
	    ft_boot_run(bt, present, *n_slots, metric, conv, B, seed, rep) != 0) {
		free(rep);
		rep = NULL;
	}
	if (bt)
		ft_boot_info(bt, &cells, list, &bins);
	ft_boot_free(bt);
	free(order);
	return rep;
}

/* The plain bootstrap: draw n rows with replacement, evaluate the summaries
 * on the drawn rows with the public call.  Slot-major like the above. */
static struct ft_fval *row_replicates(const struct ft_eval_input *in, size_t B,
                                      uint64_t seed, size_t n_slots)
{
	struct ft_fval *rep = malloc(n_slots * B * sizeof *rep);
	double *y = malloc(in->n * sizeof *y), *s = malloc(in->n * sizeof *s);
	double *w = malloc(in->n * sizeof *w), *pos = malloc(in->n * sizeof *pos);
	int32_t *g = malloc(in->n * sizeof *g);
	struct ft_rng r;
	struct ft_eval_input rin = *in;

	if (!rep || !y || !s || !w || !pos || !g) {
		free(rep);
		rep = NULL;
		goto done;
	}
	rin.y = y;
	rin.score = s;
	rin.w = in->w ? w : NULL;
	rin.pos = in->pos ? pos : NULL;
	rin.group = g;
	ft_rng_seed(&r, seed);
	for (size_t b = 0; b < B; b++) {
		struct ft_summary_table *t = NULL;

		for (size_t i = 0; i < in->n; i++) {
			size_t j = (size_t)ft_rng_below(&r, in->n);
			y[i] = in->y[j];
			s[i] = in->score[j];
			w[i] = in->w ? in->w[j] : 1;
			pos[i] = in->pos ? in->pos[j] : 0;
			g[i] = in->group[j];
		}
		if (ft_fairness_summaries(&rin, 0, 0, 0.95, &t, NULL) != 0 || t->n != n_slots) {
			ft_summary_table_free(t);
			free(rep);
			rep = NULL;
			goto done;
		}
		for (size_t k = 0; k < n_slots; k++) {
			memset(&rep[k * B + b], 0, sizeof rep[0]);
			rep[k * B + b].v = t->s[k].v.value;
			rep[k * B + b].why.code = t->s[k].v.why != NULL;
		}
		ft_summary_table_free(t);
	}
done:
	free(y);
	free(s);
	free(w);
	free(pos);
	free(g);
	return rep;
}

struct moments {
	double mean, sd, undef;
	size_t m;
};

static struct moments moments_of(const struct ft_fval *x, size_t B)
{
	struct moments o = { 0, 0, 0, 0 };
	double s = 0, s2 = 0;

	for (size_t b = 0; b < B; b++) {
		if (x[b].why.code) {
			o.undef += 1;
			continue;
		}
		s += x[b].v;
		o.m++;
	}
	o.mean = o.m ? s / (double)o.m : NAN;
	for (size_t b = 0; b < B; b++)
		if (!x[b].why.code)
			s2 += (x[b].v - o.mean) * (x[b].v - o.mean);
	o.sd = o.m > 1 ? sqrt(s2 / (double)(o.m - 1)) : NAN;
	o.undef /= (double)B;
	return o;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The two-sample Kolmogorov-Smirnov distance between the defined values of
 * two sets of B replicates. */
static double ks_stat(const struct ft_fval *a, const struct ft_fval *b, size_t B)
{
	double *x = malloc(B * sizeof *x), *y = malloc(B * sizeof *y), d = 1;
	size_t m = 0, n = 0, i = 0, j = 0;

	if (!x || !y)
		goto done;
	for (size_t k = 0; k < B; k++) {
		if (!a[k].why.code)
			x[m++] = a[k].v;
		if (!b[k].why.code)
			y[n++] = b[k].v;
	}
	qsort(x, m, sizeof *x, cmp_d);
	qsort(y, n, sizeof *y, cmp_d);
	d = 0;
	while (i < m && j < n) {
		double v = fmin(x[i], y[j]);
		while (i < m && x[i] == v)
			i++;
		while (j < n && y[j] == v)
			j++;
		d = fmax(d, fabs((double)i / (double)m - (double)j / (double)n));
	}
done:
	free(x);
	free(y);
	return d;
}

/* Count-based against row-based: every summary's undefined fraction, mean
 * and sd within Monte-Carlo error (5 standard errors; sd within 12%), and
 * the whole distribution by a two-sample Kolmogorov-Smirnov test. */
static void boot_agreement(int weights, int pos, size_t n, double grid, int want_list)
{
	enum { B = 3000 };
	struct synth d;
	struct ft_eval_input in;
	struct ft_fval *rc = NULL, *rr = NULL;
	size_t n_slots = 0, list = 0, compared = 0;
	int metric[64], conv[64];
	double max_ks = 0;

	if (synth_make(&d, n, grid, weights, 100 + (uint64_t)weights) != 0 ||
	    (pos && synth_pos(&d, pos, 7) != 0)) {
		T_FAIL("out of memory");
		goto done;
	}
	in = synth_input(&d, 1);
	ft_fair_slots(in.privileged, metric, conv);
	rc = count_replicates(&in, B, 11, &n_slots, &list);
	rr = rc ? row_replicates(&in, B, 12, n_slots) : NULL;
	if (!rc || !rr) {
		T_FAIL("replicates failed");
		goto done;
	}
	T_CHECKF(want_list ? list > 0 : list == 0, "weights %d, pos %d: %zu row-list cells",
	         weights, pos, list);
	for (size_t k = 0; k < n_slots; k++) {
		struct moments a = moments_of(rc + k * B, B), b = moments_of(rr + k * B, B);
		double se_m = sqrt(a.sd * a.sd / (double)a.m + b.sd * b.sd / (double)b.m);
		double fu = (a.undef + b.undef) / 2;

		T_CHECKF(fabs(a.undef - b.undef) <= 5 * sqrt(fu * (1 - fu) * 2.0 / B) + 1e-9,
		         "weights %d, pos %d, %s / %s: undefined in %.4f vs %.4f of resamples", weights,
		         pos, ft_fairness_name(metric[k]), ft_convention_name(conv[k]), a.undef, b.undef);
		if (a.m < B / 2 || b.m < B / 2)
			continue;
		if (b.sd == 0 && a.sd == 0) {
			T_CHECK(a.mean == b.mean);
			continue;
		}
		T_CHECKF(fabs(a.mean - b.mean) <= 5 * se_m,
		         "weights %d, pos %d, %s / %s: mean %.6g (counts) vs %.6g (rows), se %.3g",
		         weights, pos, ft_fairness_name(metric[k]), ft_convention_name(conv[k]),
		         a.mean, b.mean, se_m);
		{
			double dks = ks_stat(rc + k * B, rr + k * B, B);
			/* two-sample Kolmogorov-Smirnov at 0.001: c = 1.95 */
			T_CHECKF(dks <= 1.95 * sqrt(2.0 / B),
			         "weights %d, pos %d, %s / %s: Kolmogorov-Smirnov distance %.4f", weights,
			         pos, ft_fairness_name(metric[k]), ft_convention_name(conv[k]), dks);
			max_ks = fmax(max_ks, dks);
		}
		T_CHECKF(fabs(a.sd / b.sd - 1) <= 0.12,
		         "weights %d, pos %d, %s / %s: sd %.6g (counts) vs %.6g (rows)", weights,
		         pos, ft_fairness_name(metric[k]), ft_convention_name(conv[k]), a.sd, b.sd);
		compared++;
	}
	T_CHECKF(compared >= 25, "only %zu summaries compared", compared);
	fprintf(stderr, "bootstrap, weights %d, pos %d: counts vs rows, largest KS distance "
	        "%.4f (critical %.4f)\n", weights, pos, max_ks, 1.95 * sqrt(2.0 / B));

	/* the public intervals against the row bootstrap's percentiles */
	if (weights == 0) {
		struct ft_summary_table *t = NULL;
		double *tmp = malloc(B * sizeof *tmp);

		T_CHECK(ft_fairness_summaries(&in, B, 11, 0.95, &t, NULL) == 0);
		for (size_t k = 0; t && tmp && k < n_slots; k++) {
			struct moments b = moments_of(rr + k * B, B);
			size_t m = 0;
			double lo, hi;

			for (size_t i = 0; i < B; i++)
				if (!rr[k * B + i].why.code)
					tmp[m++] = rr[k * B + i].v;
			if (m < B || b.sd == 0)
				continue;
			qsort(tmp, m, sizeof *tmp, cmp_d);
			lo = ft_quantile_sorted(tmp, m, 0.025);
			hi = ft_quantile_sorted(tmp, m, 0.975);
			/* percentiles of lumpy distributions jump between atoms: loose */
			T_CHECKF(t->s[k].lo.why == NULL && fabs(t->s[k].lo.value - lo) <= 0.5 * b.sd &&
			         fabs(t->s[k].hi.value - hi) <= 0.5 * b.sd,
			         "%s / %s: interval [%.5g, %.5g], row bootstrap [%.5g, %.5g], sd %.3g",
			         ft_fairness_name(metric[k]), ft_convention_name(conv[k]),
			         t->s[k].lo.value, t->s[k].hi.value, lo, hi, b.sd);
			/* the same replicates give exactly these ends */
			{
				size_t mc = 0;
				for (size_t i = 0; i < B; i++)
					if (!rc[k * B + i].why.code)
						tmp[mc++] = rc[k * B + i].v;
				qsort(tmp, mc, sizeof *tmp, cmp_d);
				T_CHECK(t->s[k].lo.value == ft_quantile_sorted(tmp, mc, (1 - 0.95) / 2));
				T_CHECK(t->s[k].hi.value == ft_quantile_sorted(tmp, mc, (1 + 0.95) / 2));
			}
		}
		ft_summary_table_free(t);
		free(tmp);
	}
done:
	free(rc);
	free(rr);
	synth_free(&d);
}

static void test_boot_vs_rows_unit(void)
{
	boot_agreement(0, 0, 300, 20, 0);
}

static void test_boot_vs_rows_few_weights(void)
{
	boot_agreement(1, 0, 300, 20, 0);
}

static void test_boot_vs_rows_continuous_weights(void)
{
	/* 5 distinct scores: about 30 rows with distinct weights per cell */
	boot_agreement(2, 0, 1200, 4, 1);
}

/* A randomized classifier: cells refined by (weight, pos) pairs (a few pos
 * values, with and without weights), row-list cells (continuous pos), and
 * group-specific thresholds with three weight values. */
static void test_boot_vs_rows_pos_few(void)
{
	boot_agreement(0, 1, 300, 20, 0);
}

static void test_boot_vs_rows_pos_groups(void)
{
	boot_agreement(1, 2, 400, 20, 0);
}

static void test_boot_vs_rows_pos_continuous(void)
{
	boot_agreement(0, 3, 1200, 4, 1);
}

static void test_boot_vs_rows_pos_weights_continuous(void)
{
	boot_agreement(2, 3, 1200, 4, 1);
}

/* The cells reproduce the data: a "resample" that draws every row once gives
 * the exact cells of every target (counts exactly, weights to rounding), with
 * equal-frequency bins, a threshold inside a bin's range, all three kinds
 * of weights, and pos NULL, a few pos values or continuous pos (with the
 * GE / Theil terms of the randomized rows). */
static void test_boot_cells_exact(void)
{
	static const double thresholds[] = { 0.5, 0.37, 0.0, 1.0 };

	for (int pm = 0; pm < 4; pm += 1 + (pm == 1))
	for (int weights = 0; weights < 3; weights++)
		for (int ti = 0; ti < 4; ti++)
			for (int grid = 0; grid < 2; grid++) {
				struct synth d;
				struct ft_eval_input in;
				struct ft_conf ex[6], bc[6];
				uint32_t *order = NULL;
				struct ft_boot *bt = NULL;
				size_t cells, list, bins;

				if (synth_make(&d, 3000, grid ? 1e6 : 50, weights, 40 + (uint64_t)ti) != 0 ||
				    (pm && synth_pos(&d, pm, 3) != 0)) {
					T_FAIL("out of memory");
					synth_free(&d);
					return;
				}
				in = synth_input(&d, 2);
				in.threshold = thresholds[ti];
				if (ft_strata_conf(&in, ex) != 0 || ft_score_order(d.s, d.n, &order) != 0 ||
				    ft_boot_build(&in, order, FT_BOOT_BINS, &bt) != 0 ||
				    ft_boot_full(bt, bc, NULL) != 0) {
					T_FAIL("out of memory");
					goto next;
				}
				ft_targets_from_strata(ex, 3, 2);
				ft_boot_info(bt, &cells, &list, &bins);
				for (int t = 0; t < 6; t++) {
					for (int k = 0; k < 4; k++) {
						T_CHECKF(bc[t].c[k] == ex[t].c[k] &&
						         fabs(bc[t].w[k] - ex[t].w[k]) <= 1e-12 * ex[t].w[k],
						         "pos %d, weights %d, threshold %g, grid %d, target %d, "
						         "cell %d: %g rows / %.17g weight, expected %g / %.17g",
						         pm, weights, in.threshold, grid, t, k, bc[t].c[k],
						         bc[t].w[k], ex[t].c[k], ex[t].w[k]);
					}
					T_CHECKF(fabs(bc[t].bvar - ex[t].bvar) <= 1e-12 * ex[t].bvar &&
					         fabs(bc[t].bjen - ex[t].bjen) <= -1e-12 * ex[t].bjen &&
					         (pm == 3 ? ex[t].bvar > 0 && ex[t].bjen < 0 : 1) &&
					         (pm == 0 ? ex[t].bvar == 0 && ex[t].bjen == 0 : 1),
					         "pos %d, target %d: benefit terms %.17g %.17g, expected "
					         "%.17g %.17g", pm, t, bc[t].bvar, bc[t].bjen, ex[t].bvar,
					         ex[t].bjen);
				}
				T_CHECKF(grid ? bins >= FT_BOOT_BINS : bins <= 51, "%zu bins", bins);
next:
				ft_boot_free(bt);
				free(order);
				synth_free(&d);
			}
}

static void test_boot_vs_rows_continuous_scores(void)
{
	/* more distinct scores than bins: equal-frequency bins, the threshold
	 * as an extra edge, binned AUC (the row bootstrap's is exact) */
	boot_agreement(1, 0, 800, 1e6, 0);
}

static int same_tables(const struct ft_summary_table *a, const struct ft_summary_table *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct ft_summary *x = &a->s[i], *y = &b->s[i];
		if (memcmp(&x->lo.value, &y->lo.value, sizeof(double)) != 0 ||
		    memcmp(&x->hi.value, &y->hi.value, sizeof(double)) != 0 ||
		    memcmp(&x->v.value, &y->v.value, sizeof(double)) != 0 ||
		    (x->lo.why == NULL) != (y->lo.why == NULL))
			return 0;
	}
	return 1;
}

static void test_boot_determinism_and_threads(void)
{
	struct synth d;
	struct ft_eval_input in;
	struct ft_summary_table *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
	int saved = omp_get_max_threads();

	if (synth_make(&d, 5000, 1000, 2, 3) != 0) {
		T_FAIL("out of memory");
		return;
	}
	in = synth_input(&d, 0);
	omp_set_num_threads(1);
	T_CHECK(ft_fairness_summaries(&in, 300, 5, 0.9, &t1, NULL) == 0);
	T_CHECK(ft_fairness_summaries(&in, 300, 5, 0.9, &t2, NULL) == 0);
	omp_set_num_threads(2);
	T_CHECK(ft_fairness_summaries(&in, 300, 5, 0.9, &t3, NULL) == 0);
	T_CHECK(ft_fairness_summaries(&in, 300, 6, 0.9, &t4, NULL) == 0);
	omp_set_num_threads(saved);
	if (t1 && t2 && t3 && t4) {
		int differ = 0;
		T_CHECKF(same_tables(t1, t2), "same seed, different intervals");
		T_CHECKF(same_tables(t1, t3), "1 and 2 threads give different intervals");
		for (size_t i = 0; i < t1->n; i++)
			differ += t1->s[i].lo.value != t4->s[i].lo.value;
		T_CHECKF(differ > 20, "another seed changed only %d intervals", differ);
		T_CHECK(t1->n_bootstrap == 300 && t1->level == 0.9 && t1->seed == 5);
		for (size_t i = 0; i < t1->n; i++)
			T_CHECKF(t1->s[i].lo.why || t1->s[i].lo.value <= t1->s[i].hi.value,
			         "slot %zu: lo %g > hi %g", i, t1->s[i].lo.value, t1->s[i].hi.value);
	}
	ft_summary_table_free(t1);
	ft_summary_table_free(t2);
	ft_summary_table_free(t3);
	ft_summary_table_free(t4);
	synth_free(&d);
}

/* Groups A and B each have exactly one positive among 40 rows: TPR is
 * defined in a resample only when both positives are drawn, about
 * (1 - e^-1)^2 = 40% of them: the EOP interval is undefined.  C has
 * negatives only: undefined in every resample. */
static void test_boot_undefined(void)
{
	enum { N = 80 };
	double y[N + 10], s[N + 10];
	int32_t g[N + 10];
	struct ft_summary_table *t;
	const struct ft_summary *x;

	for (int i = 0; i < N; i++) {
		y[i] = i == 0 || i == 40;
		s[i] = (double)(i % 10) / 10;
		g[i] = i < 40 ? 0 : 1;
	}
	t = run(y, s, NULL, g, N, 2, -1, 1000);
	if (!t)
		return;
	x = find(t, FT_F_EOP_DIFF, FT_CONV_BETWEEN);
	T_CHECK(x && x->v.why == NULL);
	T_CHECKF(x && x->lo.why && isnan(x->lo.value) && x->hi.why && isnan(x->hi.value) &&
	         strncmp(x->lo.why, "undefined in ", 13) == 0 &&
	         strstr(x->lo.why, " of 1000 resamples (first: tpr undefined for group '") &&
	         strstr(x->lo.why, "': no positive labels)"),
	         "reason \"%s\"", x && x->lo.why ? x->lo.why : "(null)");
	x = find(t, FT_F_DP_DIFF, FT_CONV_BETWEEN);
	T_CHECK(x && x->lo.why == NULL && x->hi.why == NULL && x->lo.value <= x->hi.value);
	ft_summary_table_free(t);

	/* only A's positive is rare (B has ten): undefined in about 37% of the
	 * resamples, fewer than half, so the interval exists */
	for (int i = 40; i < 50; i++)
		y[i] = 1;
	t = run(y, s, NULL, g, N, 2, -1, 1000);
	if (!t)
		return;
	x = find(t, FT_F_EOP_DIFF, FT_CONV_BETWEEN);
	T_CHECKF(x && x->lo.why == NULL && x->lo.value <= x->hi.value, "reason %s",
	         x && x->lo.why ? x->lo.why : "-");
	ft_summary_table_free(t);

	/* C without positives: the point and every resample are undefined */
	for (int i = N; i < N + 10; i++) {
		y[i] = 0;
		s[i] = 0.7;
		g[i] = 2;
	}
	t = run(y, s, NULL, g, N + 10, 3, -1, 200);
	if (!t)
		return;
	x = find(t, FT_F_EOP_DIFF, FT_CONV_BETWEEN);
	T_STREQ(x ? x->lo.why : NULL, "undefined in 200 of 200 resamples (first: tpr "
	        "undefined for group 'C': no positive labels)");
	T_STREQ(x ? x->v.why : NULL, "tpr undefined for group 'C': no positive labels");
	ft_summary_table_free(t);
}

static void test_quantile(void)
{
	double x[] = { 1, 2, 3, 4 }, one[] = { 5 };

	/* numpy.quantile(..., method='linear') */
	T_NEAR(ft_quantile_sorted(x, 4, 0.25), 1.75, 1e-15);
	T_NEAR(ft_quantile_sorted(x, 4, 0.975), 3.925, 1e-15);
	T_NEAR(ft_quantile_sorted(x, 4, 0.025), 1.075, 1e-15);
	T_NEAR(ft_quantile_sorted(x, 4, 0), 1, 0);
	T_NEAR(ft_quantile_sorted(x, 4, 1), 4, 0);
	T_NEAR(ft_quantile_sorted(x, 4, 0.5), 2.5, 0);
	T_NEAR(ft_quantile_sorted(one, 1, 0.975), 5, 0);
	T_CHECK(isnan(ft_quantile_sorted(x, 0, 0.5)));
}

/* Binned AUC: exact with few distinct scores; close with continuous ones. */
static void test_binned_auc(void)
{
	struct synth d;
	struct ft_eval_input in;
	uint32_t *order = NULL;
	struct ft_boot *bt = NULL;
	double ex[6], bn[6], num[6], pos[6], neg[6], worst = 0;
	uint8_t pool[4] = { 1, 0, 1, 0 };
	size_t cells, list, bins;

	for (int pass = 0; pass < 2; pass++) {
		if (synth_make(&d, pass ? 50000 : 2000, pass ? 1e6 : 100, 1, 77) != 0) {
			T_FAIL("out of memory");
			return;
		}
		in = synth_input(&d, 1);
		if (ft_score_order(d.s, d.n, &order) != 0 ||
		    ft_auc_sweep(&in, order, pool, num, pos, neg) != 0 ||
		    ft_boot_build(&in, order, FT_BOOT_BINS, &bt) != 0) {
			T_FAIL("out of memory");
			goto next;
		}
		ft_boot_full(bt, NULL, bn);
		ft_boot_info(bt, &cells, &list, &bins);
		for (int t = 0; t < 6; t++) {
			ex[t] = num[t] / (pos[t] * neg[t]);
			if (t == 3)
				continue;    /* the rows without a group: not a target */
			T_CHECKF(!isnan(bn[t]) && !isnan(ex[t]), "target %d: AUC is NaN", t);
			if (pass == 0)
				T_CHECKF(fabs(bn[t] - ex[t]) <= 1e-14, "target %d: binned %.17g, exact %.17g",
				         t, bn[t], ex[t]);
			else
				worst = fmax(worst, fabs(bn[t] - ex[t]));
		}
		if (pass == 0)
			T_CHECKF(bins <= 101, "%zu bins for 101 distinct scores", bins);
		else
			T_CHECKF(bins >= FT_BOOT_BINS && bins <= FT_BOOT_BINS + 1, "%zu bins", bins);
next:
		ft_boot_free(bt);
		bt = NULL;
		free(order);
		order = NULL;
		synth_free(&d);
	}
	T_CHECKF(worst < 2e-3, "binned AUC off by %.3g", worst);
	fprintf(stderr, "binned AUC (%d bins), 50000 continuous scores: max |binned - exact| %.2e\n",
	        FT_BOOT_BINS, worst);
}

/* The binning error on real data: logistic regression fitted on UCI Adult
 * (adult.data, sex sensitive), scored on adult.test; groups sex, then race.
 * Skipped without the data folder. */
static void adult_binned_auc(const char *sensitive, double *worst, size_t *rows,
                             size_t *groups)
{
	char path[4096], *sens[1], *drop[] = { "fnlwgt" };
	struct ft_read_opts ro;
	struct ft_spec sp;
	struct ft_logreg_params lp;
	struct ft_table *tr = NULL, *te = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_dataset *d = NULL, *dt = NULL;
	struct ft_linear_model *m = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0 };
	struct ft_eval_input in;
	struct ft_boot *bt = NULL;
	uint32_t *order = NULL;
	double *p = NULL, *num = NULL, *pos = NULL, *neg = NULL, *bn = NULL;
	uint8_t *pool = NULL;

	sens[0] = (char *)sensitive;
	ft_read_opts_init(&ro);
	ro.header = 0;
	ro.names = t_adult_names();
	ro.n_names = T_ADULT_N_NAMES;
	ft_spec_init(&sp);
	sp.target = "income";
	sp.positive = ">50K";
	sp.label_strip = ".";
	sp.sensitive = sens;
	sp.n_sensitive = 1;
	sp.drop = drop;
	sp.n_drop = 1;
	ft_logreg_params_init(&lp);
	snprintf(path, sizeof path, "%s/adult/adult.data", t_data_dir());
	if (ft_table_read(path, &ro, &tr, &err) != 0 ||
	    ft_encoder_fit(tr, &sp, &enc, &err) != 0 ||
	    ft_encoder_apply(enc, tr, FT_APPLY_TRAIN, &d, &st, &err) != 0 ||
	    ft_logreg_fit(d, &lp, &m, NULL, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	snprintf(path, sizeof path, "%s/adult/adult.test", t_data_dir());
	ro.skip_rows = 1;
	if (ft_table_read(path, &ro, &te, &err) != 0 ||
	    ft_encoder_apply(enc, te, FT_APPLY_TRAIN, &dt, &st, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	p = malloc(dt->n * sizeof *p);
	num = malloc((dt->n_groups + 3) * sizeof *num);
	pos = malloc((dt->n_groups + 3) * sizeof *pos);
	neg = malloc((dt->n_groups + 3) * sizeof *neg);
	bn = malloc((dt->n_groups + 3) * sizeof *bn);
	pool = calloc(dt->n_groups + 1, 1);
	if (!p || !num || !pos || !neg || !bn || !pool) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_linear_predict_proba(m, dt, p);
	ft_eval_input_init(&in);
	in.n = dt->n;
	in.y = dt->y;
	in.score = p;
	in.group = dt->group;
	in.n_groups = dt->n_groups;
	in.privileged = 0;
	for (size_t g = 1; g < dt->n_groups; g++)
		pool[g] = 1;
	if (ft_score_order(p, dt->n, &order) != 0 || ft_auc_sweep(&in, order, pool, num, pos, neg) ||
	    ft_boot_build(&in, order, FT_BOOT_BINS, &bt) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_boot_full(bt, NULL, bn);
	*worst = 0;
	for (size_t t = 0; t < dt->n_groups + 3; t++) {
		if (t == dt->n_groups || !(pos[t] > 0 && neg[t] > 0))
			continue;
		T_CHECKF(!isnan(bn[t]), "target %zu: binned AUC is NaN", t);
		*worst = fmax(*worst, fabs(bn[t] - num[t] / (pos[t] * neg[t])));
	}
	*rows = dt->n;
	*groups = dt->n_groups;
done:
	ft_boot_free(bt);
	free(order);
	free(p);
	free(num);
	free(pos);
	free(neg);
	free(bn);
	free(pool);
	ft_linear_model_free(m);
	ft_dataset_free(d);
	ft_dataset_free(dt);
	ft_encoder_free(enc);
	ft_table_free(tr);
	ft_table_free(te);
}

static void test_binned_auc_adult(void)
{
	double w_sex = 1, w_race = 1;
	size_t n = 0, g_sex = 0, g_race = 0;

	adult_binned_auc("sex", &w_sex, &n, &g_sex);
	adult_binned_auc("race", &w_race, &n, &g_race);
	T_CHECKF(w_sex < 5e-4 && w_race < 5e-4, "binned AUC off by %.3g (sex), %.3g (race)",
	         w_sex, w_race);
	fprintf(stderr, "binned AUC on Adult test (%zu rows; %zu sex, %zu race groups, overall, "
	        "pooled): max |binned - exact| %.2e (sex), %.2e (race)\n", n, g_sex, g_race,
	        w_sex, w_race);
}

/* ---------------------------------------------------- permutation test */

static double lchoose(double n, double k)
{
	return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

/* Selection-rate gap: the permuted number of a's selected rows is
 * hypergeometric, so the p-value is known exactly. */
static void test_perm_exact(void)
{
	enum { NA = 12, NB = 15 };
	double y[NA + NB], s[NA + NB];
	int32_t g[NA + NB];
	struct ft_eval_input in;
	struct ft_value gap;
	double p, exact = 0, obs, K = 0, n_perm = 200000;

	for (int i = 0; i < NA + NB; i++) {
		g[i] = i < NA ? 0 : 1;
		y[i] = i % 3 == 0;
		/* a selects 8 of 12, b 5 of 15 */
		s[i] = (i < NA ? i < 8 : i - NA < 5) ? 0.9 : 0.1;
		K += s[i] > 0.5;
	}
	ft_eval_input_init(&in);
	in.n = NA + NB;
	in.y = y;
	in.score = s;
	in.group = g;
	in.n_groups = 2;
	T_CHECK(ft_permutation_test(&in, FT_M_SELECTION_RATE, 0, 1, (size_t)n_perm, 3, &gap, &p,
	                            NULL) == 0);
	obs = 8.0 / NA - 5.0 / NB;
	T_NEAR(gap.value, obs, 1e-15);
	T_CHECK(gap.why == NULL);
	for (int x = 0; x <= NA; x++) {
		double gx = x / (double)NA - (K - x) / NB;
		if (K - x < 0 || K - x > NB)
			continue;
		if (fabs(gx) >= fabs(obs) - 1e-12)
			exact += exp(lchoose(K, x) + lchoose(NA + NB - K, NA - x) -
			             lchoose(NA + NB, NA));
	}
	/* p = (1 + hits) / (1 + N): E p = (1 + N exact) / (1 + N) */
	T_CHECKF(fabs(p - (1 + n_perm * exact) / (1 + n_perm)) <=
	         5 * sqrt(exact * (1 - exact) / n_perm),
	         "p %.5f, exact %.5f", p, exact);
	fprintf(stderr, "permutation test: p %.5f, exact %.5f\n", p, exact);
}

/* A row-shuffling permutation test, as plainly as possible. */
static double perm_rows(const struct ft_eval_input *in, int metric, size_t n_perm,
                        uint64_t seed, double obs)
{
	size_t N = 0, na = 0, hits = 0;
	size_t *idx = malloc(in->n * sizeof *idx);
	struct ft_rng r;

	if (!idx)
		return NAN;
	for (size_t i = 0; i < in->n; i++)
		if (in->group[i] == 0 || in->group[i] == 1) {
			idx[N++] = i;
			na += in->group[i] == 0;
		}
	ft_rng_seed(&r, seed);
	for (size_t p = 0; p < n_perm; p++) {
		double ca[4] = { 0 }, cb[4] = { 0 }, ra, rb;
		for (size_t i = N - 1; i > 0; i--) {
			size_t j = (size_t)ft_rng_below(&r, i + 1), t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
		for (size_t i = 0; i < N; i++) {
			size_t k = idx[i];
			int y = in->y[k] == 1;
			double w = in->w ? in->w[k] : 1, *c = i < na ? ca : cb;

			if (in->pos) {
				/* expected cells */
				c[2 * y + 1] += w * in->pos[k];
				c[2 * y] += w * (1 - in->pos[k]);
			} else {
				c[2 * y + (in->score[k] >= in->threshold)] += w;
			}
		}
		/* metric is TPR here: TP / (TP + FN) */
		(void)metric;
		if (ca[3] + ca[2] == 0 || cb[3] + cb[2] == 0) {
			hits++;
			continue;
		}
		ra = ca[3] / (ca[3] + ca[2]);
		rb = cb[3] / (cb[3] + cb[2]);
		hits += fabs(ra - rb) >= fabs(obs) * (1 - 1e-12);
	}
	free(idx);
	return (1.0 + (double)hits) / (1.0 + (double)n_perm);
}

static void perm_vs_rows(int weights, int pos, uint64_t seed)
{
	struct synth d;
	struct ft_eval_input in;
	struct ft_value gap;
	double p1, p2, n_perm = 20000;

	if (synth_make(&d, 400, 20, weights, seed) != 0 ||
	    (pos && synth_pos(&d, pos, 8) != 0)) {
		T_FAIL("out of memory");
		synth_free(&d);
		return;
	}
	in = synth_input(&d, -1);
	T_CHECK(ft_permutation_test(&in, FT_M_TPR, 0, 1, (size_t)n_perm, 9, &gap, &p1,
	                            NULL) == 0);
	p2 = perm_rows(&in, FT_M_TPR, (size_t)n_perm, 10, gap.value);
	T_CHECKF(gap.why == NULL && p1 > 0.02 && p1 < 0.98,
	         "pos %d: gap %g, p %g: pick other data", pos, gap.value, p1);
	T_CHECKF(fabs(p1 - p2) <= 5 * sqrt(2 * p2 * (1 - p2) / n_perm),
	         "weights %d, pos %d: p %.5f (counts) vs %.5f (shuffled rows)", weights, pos, p1,
	         p2);
	synth_free(&d);
}

static void test_perm_vs_rows_unit(void)
{
	perm_vs_rows(0, 0, 55);
}

static void test_perm_vs_rows_weighted(void)
{
	perm_vs_rows(2, 0, 55);
}

/* pos: a few (y, pos) types with unit weights (the type fast path), more
 * than MAX_TYPES (continuous pos: rows shuffled), and weights with pos. */
static void test_perm_vs_rows_pos(void)
{
	/* data seeds picked for p-values away from 0 and 1 */
	perm_vs_rows(0, 1, 62);
	perm_vs_rows(0, 2, 69);
	perm_vs_rows(0, 3, 57);
	perm_vs_rows(2, 2, 58);
}

static void test_perm_extremes(void)
{
	double y[40], s[40], w[40];
	int32_t g[40];
	struct ft_eval_input in;
	struct ft_value gap;
	double p;

	/* identical groups: gap 0, every permutation as extreme: p = 1 */
	for (int i = 0; i < 40; i++) {
		g[i] = i < 20 ? 0 : 1;
		y[i] = (i % 20) < 8;
		s[i] = (i % 20) % 3 == 0 ? 0.8 : 0.2;
		w[i] = 1;
	}
	ft_eval_input_init(&in);
	in.n = 40;
	in.y = y;
	in.score = s;
	in.group = g;
	in.n_groups = 2;
	for (int m = FT_M_BASE_RATE; m <= FT_M_ACCURACY; m++) {
		T_CHECK(ft_permutation_test(&in, m, 0, 1, 500, 1, &gap, &p, NULL) == 0);
		T_CHECKF(gap.value == 0 && p == 1, "%s: gap %g, p %g", ft_metric_name(m),
		         gap.value, p);
	}
	/* a common weight other than 1 changes nothing */
	for (int i = 0; i < 40; i++)
		w[i] = 2.5;
	in.w = w;
	T_CHECK(ft_permutation_test(&in, FT_M_TPR, 0, 1, 500, 1, &gap, &p, NULL) == 0);
	T_CHECK(gap.value == 0 && p == 1);
	in.w = NULL;

	/* all of a selected, none of b: no permutation reaches it (but the
	 * swap of the groups), p = (1 + hits) / (1 + n) with the +1 */
	for (int i = 0; i < 40; i++)
		s[i] = i < 20 ? 0.9 : 0.1;
	T_CHECK(ft_permutation_test(&in, FT_M_SELECTION_RATE, 0, 1, 9, 4, &gap, &p, NULL) == 0);
	T_NEAR(gap.value, 1, 0);
	T_NEAR(p, 0.1, 1e-15);
	T_CHECK(ft_permutation_test(&in, FT_M_SELECTION_RATE, 0, 1, 0, 4, &gap, &p, NULL) == 0);
	T_CHECK(p == 1);
	T_CHECK(ft_permutation_test(&in, FT_M_SELECTION_RATE, 0, 1, 20000, 4, &gap, &p,
	                            NULL) == 0);
	T_CHECKF(p < 1e-3, "p = %g for a gap of 1", p);
	/* determinism */
	{
		double p2;
		T_CHECK(ft_permutation_test(&in, FT_M_ACCURACY, 0, 1, 1000, 8, &gap, &p, NULL) == 0);
		T_CHECK(ft_permutation_test(&in, FT_M_ACCURACY, 0, 1, 1000, 8, &gap, &p2, NULL) == 0);
		T_CHECK(p == p2);
	}
}

static void test_perm_errors(void)
{
	static const double y[] = { 1, 0, 1, 0 }, s[] = { .9, .2, .6, .7 };
	static const int32_t g[] = { 0, 0, 1, 2 };
	struct ft_eval_input in;
	struct ft_value gap;
	struct ft_error err = { 0 };
	double p;

	ft_eval_input_init(&in);
	in.n = 4;
	in.y = y;
	in.score = s;
	in.group = g;
	in.n_groups = 3;
	T_CHECK(ft_permutation_test(&in, FT_M_TPR, 0, 0, 10, 1, &gap, &p, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "not two different groups"), "%s", err.msg);
	err.code = 0;
	T_CHECK(ft_permutation_test(&in, FT_M_TPR, 0, 3, 10, 1, &gap, &p, &err) == FT_EINVAL);
	err.code = 0;
	T_CHECK(ft_permutation_test(&in, FT_M_AUC, 0, 1, 10, 1, &gap, &p, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "'auc' is not a rate metric"), "%s", err.msg);
	T_CHECK(ft_permutation_test(&in, FT_M_LOG_LOSS, 0, 1, 10, 1, &gap, &p, NULL) == FT_EINVAL);
	T_CHECK(ft_permutation_test(&in, FT_M_TPR, 0, 1, 10, 1, NULL, &p, NULL) == FT_EINVAL);
	/* undefined gap: group 2 has no positives; not an error */
	T_CHECK(ft_permutation_test(&in, FT_M_TPR, 0, 2, 10, 1, &gap, &p, NULL) == 0);
	T_CHECK(isnan(gap.value) && isnan(p));
	T_STREQ(gap.why, "undefined for group b: no positive labels");
	T_CHECK(ft_permutation_test(&in, FT_M_FPR, 1, 0, 10, 1, &gap, &p, NULL) == 0);
	T_STREQ(gap.why, "undefined for group a: no negative labels");
}

int main(void)
{
	T_RUN(test_names_and_order);
	T_RUN(test_hand_summaries);
	T_RUN(test_undefined_rules);
	T_RUN(test_summary_errors);
	T_RUN(test_reference_fixtures);
	T_RUN(test_quantile);
	T_RUN(test_binned_auc);
	{
		char probe[4096];
		FILE *fp;
		snprintf(probe, sizeof probe, "%s/adult/adult.test", t_data_dir());
		if ((fp = fopen(probe, "r")) != NULL) {
			fclose(fp);
			T_RUN(test_binned_auc_adult);
		} else {
			T_SKIP(test_binned_auc_adult, "no data sets (set FAIRTRAIN_DATA)");
		}
	}
	T_RUN(test_boot_vs_rows_unit);
	T_RUN(test_boot_vs_rows_few_weights);
	T_RUN(test_boot_vs_rows_continuous_weights);
	T_RUN(test_boot_vs_rows_continuous_scores);
	T_RUN(test_boot_vs_rows_pos_few);
	T_RUN(test_boot_vs_rows_pos_groups);
	T_RUN(test_boot_vs_rows_pos_continuous);
	T_RUN(test_boot_vs_rows_pos_weights_continuous);
	T_RUN(test_boot_cells_exact);
	T_RUN(test_boot_determinism_and_threads);
	T_RUN(test_boot_undefined);
	T_RUN(test_perm_exact);
	T_RUN(test_perm_vs_rows_unit);
	T_RUN(test_perm_vs_rows_weighted);
	T_RUN(test_perm_vs_rows_pos);
	T_RUN(test_perm_extremes);
	T_RUN(test_perm_errors);
	return t_done();
}
