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
 *   - randomized classifiers (ft_eval_input.pos), deterministically:
 *     pos = 1[score >= threshold] gives bit-identical group tables,
 *     summaries, bootstrap intervals, permutation gaps and p-values and
 *     comparison rows to pos = NULL (unit, few-valued and continuous
 *     weights: refined and row-list cells, both permutation paths); row
 *     expansion: the rate metrics and rate-based summaries of fractional pos
 *     equal those of the data set in which row i becomes a yhat = 1 row of
 *     weight w_i pos_i and a yhat = 0 row of weight w_i (1 - pos_i), measured
 *     with pos = NULL (itself checked against scikit-learn); score metrics
 *     equal those of pos = NULL; GE(2) and Theil equal their definitions over
 *     the expected benefits pos_i - y_i + 1, written out here; a
 *     hand-computed six-row case; undefined reasons; input errors.
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

/* A randomized classifier: cells refined by (weight, pos) pairs (a mixture's
 * few pos values; group-specific thresholds with three weight values),
 * row-list cells (continuous pos, with and without continuous weights). */
static void test_boot_vs_rows_pos(void)
{
	boot_agreement(0, 1, 300, 20, 0);
	boot_agreement(1, 2, 400, 20, 0);
	boot_agreement(0, 3, 1200, 4, 1);
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

/* The walks in score order read a byte a row for (stratum, label) up to
 * 127 groups and four bytes above (struct ft_sorted): the same rows in 3
 * groups declared as 3 and as 200 groups (197 of them empty) give the same
 * summaries and intervals to the bit, weighted (row-list cells) and not,
 * deterministic and randomized. */
static void test_sorted_wide_strata(void)
{
	struct synth d = { 0 };
	const char **names = malloc(200 * sizeof *names);
	char (*buf)[16] = malloc(200 * sizeof *buf);   /* "g" and any int */

	if (!names || !buf) {
		T_FAIL("out of memory");
		goto done;
	}
	for (int k = 0; k < 200; k++) {
		snprintf(buf[k], sizeof buf[k], "g%d", k);
		names[k] = buf[k];
	}
	for (int weights = 0; weights < 3; weights += 2)
		for (int randomized = 0; randomized < 2; randomized++) {
			struct ft_summary_table *t[2] = { NULL, NULL };
			struct ft_eval_input in;

			synth_free(&d);
			memset(&d, 0, sizeof d);
			if (synth_make(&d, 4000, 300, weights, 13) != 0 ||
			    (randomized && synth_pos(&d, 3, 2) != 0)) {
				T_FAIL("out of memory");
				goto done;
			}
			in = synth_input(&d, 1);
			T_CHECK(ft_fairness_summaries(&in, 200, 8, 0.9, &t[0], NULL) == 0);
			in.n_groups = 200;
			in.group_names = names;
			T_CHECK(ft_fairness_summaries(&in, 200, 8, 0.9, &t[1], NULL) == 0);
			if (t[0] && t[1])
				T_CHECKF(same_tables(t[0], t[1]), "weights %d, randomized %d: 3 and "
				         "200 groups differ", weights, randomized);
			ft_summary_table_free(t[0]);
			ft_summary_table_free(t[1]);
		}
done:
	synth_free(&d);
	free(names);
	free(buf);
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

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ft_quantile_select (the intervals') against ft_quantile_sorted of the
 * sorted values, to the bit: sizes from 1 to 1,001, values distinct, with
 * three values only, all equal, ascending, descending; levels 0 to 1. */
static void test_quantile_select(void)
{
	static const size_t ms[] = {1, 2, 3, 4, 5, 17, 100, 1000, 1001};
	static const double qs[] = {0, 0.001, 0.025, 0.25, 0.5, 0.975, 0.999, 1};
	double *a = malloc(1001 * sizeof *a), *b = malloc(1001 * sizeof *b);
	struct ft_rng r;
	size_t bad = 0, n = 0;

	if (!a || !b) {
		T_FAIL("out of memory");
		free(a);
		free(b);
		return;
	}
	ft_rng_seed(&r, 99);
	for (size_t im = 0; im < sizeof ms / sizeof *ms; im++)
		for (int kind = 0; kind < 5; kind++)
			for (size_t iq = 0; iq < sizeof qs / sizeof *qs; iq++) {
				size_t m = ms[im];
				double want, got;
				for (size_t i = 0; i < m; i++)
					a[i] = kind == 0 ? ft_rng_normal(&r) :
					       kind == 1 ? (double)ft_rng_below(&r, 3) :
					       kind == 2 ? 0.25 :
					       kind == 3 ? (double)i : (double)(m - i);
				memcpy(b, a, m * sizeof *a);
				qsort(b, m, sizeof *b, cmp_dbl);
				want = ft_quantile_sorted(b, m, qs[iq]);
				got = ft_quantile_select(a, m, qs[iq]);
				bad += memcmp(&want, &got, sizeof want) != 0;
				n++;
			}
	T_CHECKF(bad == 0, "%zu of %zu quantiles differ from the sorted values'", bad, n);
	T_CHECK(isnan(ft_quantile_select(a, 0, 0.5)));
	free(a);
	free(b);
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

/* Unit weights and deterministic decisions: the rows are counted in
 * integers (permutation.c scan_counts); a common weight of 0.5 takes the
 * summing scan instead, and every gap and p-value must be the same bits
 * (the rates do not see the scale, which is exact in binary).  Rows of a
 * third group and of no group, the pair (2, 0) and (0, 1), all rate
 * metrics, weights NULL and an array of ones. */
static void test_perm_counts_path(void)
{
	enum { N = 6007 };
	static const int M[] = {FT_M_BASE_RATE, FT_M_SELECTION_RATE, FT_M_TPR, FT_M_FPR,
	                        FT_M_TNR, FT_M_FNR, FT_M_PPV, FT_M_NPV, FT_M_ACCURACY};
	enum { K = sizeof M / sizeof *M };
	double *y = malloc(N * sizeof *y), *s = malloc(N * sizeof *s);
	double *w1 = malloc(N * sizeof *w1), *wh = malloc(N * sizeof *wh);
	int32_t *g = malloc(N * sizeof *g);
	struct ft_eval_input in;
	struct ft_rng r;
	size_t bad = 0;

	if (!y || !s || !w1 || !wh || !g) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_rng_seed(&r, 77);
	for (size_t i = 0; i < N; i++) {
		g[i] = (int32_t)ft_rng_below(&r, 4) - 1;
		y[i] = ft_rng_uniform(&r) < 0.3 + 0.1 * g[i];
		s[i] = ft_rng_uniform(&r) * (0.8 + 0.1 * g[i]);
		w1[i] = 1.0;
		wh[i] = 0.5;
	}
	ft_eval_input_init(&in);
	in.n = N;
	in.y = y;
	in.score = s;
	in.group = g;
	in.n_groups = 3;
	for (int pair = 0; pair < 2; pair++) {
		size_t a = pair ? 0 : 2, b = pair ? 1 : 0;
		struct ft_value gap[3][K];
		double p[3][K];
		const double *ws[3] = {NULL, w1, wh};
		for (int v = 0; v < 3; v++) {
			in.w = ws[v];
			T_CHECK(ft_permutation_tests(&in, M, K, a, b, 300, 5, gap[v], p[v], NULL) == 0);
		}
		for (int v = 1; v < 3; v++)
			for (size_t q = 0; q < K; q++)
				bad += memcmp(&gap[0][q].value, &gap[v][q].value, sizeof(double)) != 0 ||
				       memcmp(&p[0][q], &p[v][q], sizeof(double)) != 0 ||
				       gap[0][q].why != gap[v][q].why;
		T_CHECK(p[0][2] > 0 && p[0][2] <= 1 && gap[0][2].why == NULL);
	}
	T_CHECKF(bad == 0, "%zu tests differ between the counted and the summed scans", bad);
done:
	free(y);
	free(s);
	free(w1);
	free(wh);
	free(g);
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

/* ------------------------------------- randomized classifiers (pos) */

/* The deterministic checks of ft_eval_input.pos: the indicator
 * 1[score >= threshold] against pos = NULL bit for bit, row expansion, a
 * hand case, undefined reasons, input errors.  (The Monte-Carlo checks
 * with pos are beside their pos = NULL counterparts above.) */

static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static int same_why(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

static int same_value(struct ft_value a, struct ft_value b)
{
	return same_bits(a.value, b.value) && same_why(a.why, b.why);
}

/* Every value of two group tables bit for bit; returns the differences. */
static int diff_group_tables(const struct ft_group_table *a, const struct ft_group_table *b)
{
	int bad = 0;

	for (size_t r = 0; r <= a->n_groups; r++)
		for (int m = 0; m < FT_N_METRICS; m++)
			if (!same_value(FT_GT(a, r, m), FT_GT(b, r, m))) {
				if (!bad)
					T_FAIL("row %zu, %s: %.17g (%s) vs %.17g (%s)", r, ft_metric_name(m),
					       FT_GT(a, r, m).value, FT_GT(a, r, m).why ? FT_GT(a, r, m).why : "-",
					       FT_GT(b, r, m).value, FT_GT(b, r, m).why ? FT_GT(b, r, m).why : "-");
				bad++;
			}
	return bad;
}

static int diff_summaries(const struct ft_summary_table *a, const struct ft_summary_table *b)
{
	int bad = 0;

	if (a->n != b->n) {
		T_FAIL("%zu vs %zu summaries", a->n, b->n);
		return 1;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct ft_summary *x = &a->s[i], *y = &b->s[i];
		if (x->metric != y->metric || x->convention != y->convention ||
		    !same_value(x->v, y->v) || !same_value(x->lo, y->lo) ||
		    !same_value(x->hi, y->hi)) {
			if (!bad)
				T_FAIL("%s / %s: %.17g [%.17g, %.17g] vs %.17g [%.17g, %.17g]",
				       ft_fairness_name(x->metric), ft_convention_name(x->convention),
				       x->v.value, x->lo.value, x->hi.value, y->v.value, y->lo.value,
				       y->hi.value);
			bad++;
		}
	}
	return bad;
}


static int diff_comparisons(const struct ft_comparison *a, const struct ft_comparison *b)
{
	if (a->n != b->n) {
		T_FAIL("%zu vs %zu comparison rows", a->n, b->n);
		return 1;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct ft_comparison_row *x = &a->rows[i], *y = &b->rows[i];
		if (strcmp(x->metric, y->metric) || strcmp(x->group, y->group) ||
		    strcmp(x->convention, y->convention) || !same_bits(x->value, y->value) ||
		    !same_bits(x->lo, y->lo) || !same_bits(x->hi, y->hi) ||
		    !same_why(x->why, y->why) || !same_why(x->ci_why, y->ci_why)) {
			T_FAIL("comparison row %zu (%s, %s): %.17g vs %.17g", i, x->metric, x->group,
			       x->value, y->value);
			return 1;
		}
	}
	return 0;
}

/* ft_comparison_measure_all on 1 and 2 threads gives every row to the bit:
 * 120,000 rows (above the 65,536 from which its pieces, the AUC sweep with
 * the group metrics and the permutation tests, the distribution measures,
 * the subgroup audits and the bootstrap's cells, run as OpenMP sections
 * beside each other), continuous weights (row-list bootstrap cells), and
 * again as a randomized classifier. */
static void test_measure_all_threads(void)
{
	struct synth d = { 0 };
	struct ft_error err = { 0 };
	int saved = omp_get_max_threads();

	if (synth_make(&d, 120000, 1000, 2, 41) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	for (int randomized = 0; randomized < 2; randomized++) {
		struct ft_comparison *c[2] = { calloc(1, sizeof *c[0]), calloc(1, sizeof *c[1]) };
		struct ft_eval_input in;

		if (randomized && synth_pos(&d, 3, 5) != 0) {
			T_FAIL("out of memory");
			free(c[0]);
			free(c[1]);
			goto done;
		}
		in = synth_input(&d, 0);
		in.threshold = 0.5;
		for (int k = 0; k < 2; k++) {
			if (!c[k])
				continue;
			c[k]->n_bootstrap = 50;
			c[k]->seed = 3;
			c[k]->level = 0.95;
			c[k]->threshold = 0.5;
			omp_set_num_threads(k + 1);
			T_CHECKF(ft_comparison_measure_all(c[k], "m", "test", &in, 100, &err) == 0,
			         "%s", err.msg);
		}
		omp_set_num_threads(saved);
		if (c[0] && c[1]) {
			size_t kinds[3] = { 0, 0, 0 };   /* tests, distances, intervals */

			for (size_t i = 0; i < c[0]->n; i++) {
				const struct ft_comparison_row *r = &c[0]->rows[i];
				kinds[0] += !strcmp(r->convention, "permutation_test");
				kinds[1] += strstr(r->metric, "earth_movers") != NULL && !r->why;
				kinds[2] += !r->ci_why && r->lo < r->hi;
			}
			/* every piece gave its rows */
			T_CHECKF(kinds[0] >= 2 && kinds[1] >= 1 && kinds[2] >= 10,
			         "%zu test rows, %zu distances, %zu intervals", kinds[0], kinds[1],
			         kinds[2]);
			diff_comparisons(c[0], c[1]);
		}
		ft_comparison_free(c[0]);
		ft_comparison_free(c[1]);
	}
done:
	omp_set_num_threads(saved);
	synth_free(&d);
}

static void indicator_case(size_t n, double grid, int weights, double threshold, long priv)
{
	struct synth d = { 0 };
	struct ft_eval_input in0, in1;
	struct ft_group_table *g0 = NULL, *g1 = NULL;
	struct ft_summary_table *s0 = NULL, *s1 = NULL;
	struct ft_comparison *c0 = calloc(1, sizeof *c0), *c1 = calloc(1, sizeof *c1);
	struct ft_error err = { 0 };

	if (!c0 || !c1 || synth_make(&d, n, grid, weights, 77 + (uint64_t)weights) != 0 ||
	    !(d.pos = malloc(n * sizeof *d.pos))) {
		T_FAIL("out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		d.pos[i] = d.s[i] >= threshold;
	in1 = synth_input(&d, priv);
	in1.threshold = threshold;
	in0 = in1;
	in0.pos = NULL;
	T_CHECK(ft_group_metrics(&in0, &g0, &err) == 0);
	T_CHECK(ft_group_metrics(&in1, &g1, &err) == 0);
	if (g0 && g1)
		T_CHECKF(diff_group_tables(g0, g1) == 0, "weights %d: group tables differ", weights);
	T_CHECK(ft_fairness_summaries(&in0, 200, 31, 0.9, &s0, &err) == 0);
	T_CHECK(ft_fairness_summaries(&in1, 200, 31, 0.9, &s1, &err) == 0);
	if (s0 && s1)
		T_CHECKF(diff_summaries(s0, s1) == 0, "weights %d, grid %g: summaries differ",
		         weights, grid);
	for (int m = FT_M_BASE_RATE; m <= FT_M_ACCURACY; m++) {
		struct ft_value ga, gb;
		double pa, pb;

		T_CHECK(ft_permutation_test(&in0, m, 0, 2, 300, 5, &ga, &pa, &err) == 0);
		T_CHECK(ft_permutation_test(&in1, m, 0, 2, 300, 5, &gb, &pb, &err) == 0);
		T_CHECKF(same_value(ga, gb) && same_bits(pa, pb),
		         "weights %d, %s: gap %.17g p %.17g vs gap %.17g p %.17g", weights,
		         ft_metric_name(m), ga.value, pa, gb.value, pb);
	}
	c0->n_bootstrap = c1->n_bootstrap = 50;
	c0->seed = c1->seed = 9;
	c0->level = c1->level = 0.95;
	c0->threshold = c1->threshold = threshold;
	T_CHECK(ft_comparison_measure(c0, "m", "test", &in0, &err) == 0);
	T_CHECK(ft_comparison_permutation(c0, "m", "test", &in0, 200, &err) == 0);
	T_CHECK(ft_comparison_measure(c1, "m", "test", &in1, &err) == 0);
	T_CHECK(ft_comparison_permutation(c1, "m", "test", &in1, 200, &err) == 0);
	T_CHECKF(c0->n > 90, "%zu rows", c0->n);
	diff_comparisons(c0, c1);
done:
	ft_group_table_free(g0);
	ft_group_table_free(g1);
	ft_summary_table_free(s0);
	ft_summary_table_free(s1);
	ft_comparison_free(c0);
	ft_comparison_free(c1);
	synth_free(&d);
}

static void test_pos_indicator_is_deterministic(void)
{
	/* unit weights: refined cells, hypergeometric permutations */
	indicator_case(2000, 20, 0, 0.5, 1);
	/* three weight values, continuous scores, a threshold inside a bin */
	indicator_case(2000, 1e6, 1, 0.37, -1);
	/* continuous weights, 5 scores: row-list cells, shuffled permutations */
	indicator_case(3000, 4, 2, 0.5, 0);
}


/* Row i -> (y_i, score 1, w_i pos_i) when pos_i > 0 and (y_i, score 0,
 * w_i (1 - pos_i)) when pos_i < 1, threshold 0.5: the expanded rows are
 * exactly the rows that can land in each cell. */
static int expand(const struct synth *d, struct synth *e)
{
	size_t m = 0;

	memset(e, 0, sizeof *e);
	e->G = d->G;
	e->y = malloc(2 * d->n * sizeof *e->y);
	e->s = malloc(2 * d->n * sizeof *e->s);
	e->w = malloc(2 * d->n * sizeof *e->w);
	e->g = malloc(2 * d->n * sizeof *e->g);
	if (!e->y || !e->s || !e->w || !e->g)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1, p = d->pos[i];
		for (int yhat = 1; yhat >= 0; yhat--) {
			if (yhat ? !(p > 0) : !(p < 1))
				continue;
			e->y[m] = d->y[i];
			e->s[m] = yhat;
			e->w[m] = w * (yhat ? p : 1 - p);
			e->g[m] = d->g[i];
			m++;
		}
	}
	e->n = m;
	return 0;
}

static int near(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(1, fabs(b));
}

static double xlogx(double x)
{
	return x > 0 ? x * log(x) : 0;
}

/* GE(2) and Theil of the expected benefits b_i = pos_i - y_i + 1, weighted
 * by w / sum w, from the definitions. */
static void inequality_by_definition(const struct synth *d, double *ge, double *theil)
{
	double W = 0, B = 0, mu, a = 0, t = 0;

	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1;
		W += w;
		B += w * (d->pos[i] - d->y[i] + 1);
	}
	mu = B / W;
	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1, x = (d->pos[i] - d->y[i] + 1) / mu;
		a += w * (x * x - 1);
		t += w * xlogx(x);
	}
	*ge = a / (2 * W);
	*theil = t / W;
}

static void expansion_case(int weights, int pos, double grid, long priv, uint64_t seed)
{
	struct synth d = { 0 }, e = { 0 };
	struct ft_eval_input in, ine, in0;
	struct ft_group_table *gr = NULL, *ge = NULL, *g0 = NULL;
	struct ft_summary_table *sr = NULL, *se = NULL, *s0 = NULL;
	int compared = 0;

	if (synth_make(&d, 1500, grid, weights, seed) != 0 ||
	    synth_pos(&d, pos == 4 ? 1 : pos, 5) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	/* pos 4: some exact 0s and 1s among the mixture's values, and rows of
	 * weight 0 */
	for (size_t i = 0; pos == 4 && i < d.n; i++) {
		if (i % 23 == 0)
			d.pos[i] = (double)(i % 2);
		if (d.w && i % 19 == 0)
			d.w[i] = 0;
	}
	if (expand(&d, &e) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	in = synth_input(&d, priv);
	ine = synth_input(&e, priv);
	in0 = in;
	in0.pos = NULL;
	if (ft_group_metrics(&in, &gr, NULL) || ft_group_metrics(&ine, &ge, NULL) ||
	    ft_group_metrics(&in0, &g0, NULL) ||
	    ft_fairness_summaries(&in, 0, 0, 0.95, &sr, NULL) ||
	    ft_fairness_summaries(&ine, 0, 0, 0.95, &se, NULL) ||
	    ft_fairness_summaries(&in0, 0, 0, 0.95, &s0, NULL)) {
		T_FAIL("a call failed");
		goto done;
	}
	for (size_t r = 0; r <= d.G; r++) {
		for (int m = 0; m < FT_N_METRICS; m++) {
			struct ft_value a = FT_GT(gr, r, m), b = FT_GT(ge, r, m);

			if (m == FT_M_COUNT || m >= FT_M_LOG_LOSS)
				b = FT_GT(g0, r, m);   /* rows and score metrics: pos = NULL */
			if (m == FT_M_COUNT || m == FT_M_AUC) {
				T_CHECKF(same_value(a, b), "pos %d, row %zu, %s: %.17g vs %.17g", pos, r,
				         ft_metric_name(m), a.value, b.value);
				continue;
			}
			T_CHECKF(same_why(a.why, b.why) && (a.why || near(a.value, b.value, 1e-12)),
			         "weights %d, pos %d, row %zu, %s: %.17g (%s), expanded %.17g (%s)",
			         weights, pos, r, ft_metric_name(m), a.value, a.why ? a.why : "-",
			         b.value, b.why ? b.why : "-");
			compared++;
		}
	}
	T_CHECK(sr->n == se->n && sr->n == s0->n);
	for (size_t k = 0; k < sr->n && k < se->n; k++) {
		const struct ft_summary *a = &sr->s[k], *b = &se->s[k];
		int f = a->metric;

		if (f == FT_F_GEI || f == FT_F_THEIL)
			continue;
		if (f == FT_F_AUC_GAP) {
			b = &s0->s[k];
			T_CHECK(same_value(a->v, b->v));
			continue;
		}
		T_CHECKF(same_why(a->v.why, b->v.why) &&
		         (a->v.why || near(a->v.value, b->v.value, 1e-12)),
		         "weights %d, pos %d, %s / %s: %.17g (%s), expanded %.17g (%s)", weights,
		         pos, ft_fairness_name(f), ft_convention_name(a->convention), a->v.value,
		         a->v.why ? a->v.why : "-", b->v.value, b->v.why ? b->v.why : "-");
		compared++;
	}
	{
		double gei, theil;
		const struct ft_summary *a = NULL, *b = NULL;

		inequality_by_definition(&d, &gei, &theil);
		for (size_t k = 0; k < sr->n; k++) {
			if (sr->s[k].metric == FT_F_GEI)
				a = &sr->s[k];
			if (sr->s[k].metric == FT_F_THEIL)
				b = &sr->s[k];
		}
		T_CHECKF(a && !a->v.why && near(a->v.value, gei, 1e-12), "GE(2) %.17g, expected %.17g",
		         a ? a->v.value : NAN, gei);
		T_CHECKF(b && !b->v.why && near(b->v.value, theil, 1e-12), "Theil %.17g, expected %.17g",
		         b ? b->v.value : NAN, theil);
		/* the expanded rows' indices count the coin flips as inequality:
		 * strictly larger (every pos mode here has fractional values) */
		for (size_t k = 0; a && b && k < se->n; k++) {
			if (se->s[k].metric == FT_F_GEI)
				T_CHECK(se->s[k].v.value > a->v.value);
			if (se->s[k].metric == FT_F_THEIL)
				T_CHECK(se->s[k].v.value > b->v.value);
		}
	}
	T_CHECKF(compared > 70, "only %zu values compared", (size_t)compared);
done:
	ft_group_table_free(gr);
	ft_group_table_free(ge);
	ft_group_table_free(g0);
	ft_summary_table_free(sr);
	ft_summary_table_free(se);
	ft_summary_table_free(s0);
	synth_free(&d);
	synth_free(&e);
}

/* pos: 1 a mixture, 2 group thresholds, 3 continuous (synth_pos), 4 the
 * mixture with exact 0s and 1s and zero weights */
static void test_pos_row_expansion(void)
{
	for (int pos = 1; pos <= 4; pos++)
		for (int weights = 0; weights < 3; weights++)
			expansion_case(weights, pos, pos == 3 ? 1e6 : 20, weights == 1 ? -1 : 1,
			               200 + (uint64_t)(10 * pos + weights));
}


/* A small randomized input: groups named A, B, C; privileged A. */
static struct ft_eval_input pos_input(size_t n, const double *y, const double *s,
                                      const double *w, const double *pos,
                                      const int32_t *g, size_t G)
{
	static const char *const names[] = { "A", "B", "C" };
	struct ft_eval_input in;

	ft_eval_input_init(&in);
	in.n = n;
	in.y = y;
	in.score = s;
	in.w = w;
	in.pos = pos;
	in.group = g;
	in.n_groups = G;
	in.group_names = names;
	in.privileged = 0;
	return in;
}

/*   row  group  y  w  pos   b = pos - y + 1
 *    0     A    1  1  0.5    0.5
 *    1     A    0  1  0.25   1.25
 *    2     A    1  2  1      1
 *    3     B    1  1  0.2    0.2
 *    4     B    0  2  0.5    1.5
 *    5     B    0  1  0      1
 * A: W 4, selected 0.5 + 0.25 + 2 = 2.75; positives 3, TP 2.5; negatives 1,
 *    FP 0.25; correct TP 2.5 + TN 0.75 = 3.25.
 * B: W 4, selected 0.2 + 1 + 0 = 1.2; positives 1, TP 0.2; negatives 3,
 *    FP 1; correct 0.2 + (1 + 1) = 2.2.
 * The scores are chosen so that score >= 0.5 disagrees with pos. */
static void test_pos_hand_case(void)
{
	static const double y[] = { 1, 0, 1, 1, 0, 0 };
	static const double w[] = { 1, 1, 2, 1, 2, 1 };
	static const double pos[] = { 0.5, 0.25, 1, 0.2, 0.5, 0 };
	static const double s[] = { 0.9, 0.1, 0.2, 0.8, 0.3, 0.7 };
	static const int32_t g[] = { 0, 0, 0, 1, 1, 1 };
	struct ft_eval_input in = pos_input(6, y, s, w, pos, g, 2);
	struct ft_group_table *t = NULL;
	struct ft_summary_table *st = NULL;
	double srA = 2.75 / 4, srB = 1.2 / 4, tprA = 2.5 / 3, tprB = 0.2;
	double fprA = 0.25, fprB = 1.0 / 3, srO = 3.95 / 8;

	T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
	T_CHECK(ft_fairness_summaries(&in, 0, 0, 0.95, &st, NULL) == 0);
	if (!t || !st)
		goto done;
	T_NEAR(FT_GT(t, 1, FT_M_SELECTION_RATE).value, srA, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_SELECTION_RATE).value, srB, 1e-15);
	T_NEAR(FT_GT(t, 0, FT_M_SELECTION_RATE).value, srO, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_TPR).value, tprA, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_TPR).value, tprB, 1e-15);
	T_NEAR(FT_GT(t, 0, FT_M_TPR).value, 2.7 / 4, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_FPR).value, fprA, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_FPR).value, fprB, 1e-15);
	T_NEAR(FT_GT(t, 0, FT_M_FPR).value, 1.25 / 4, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_ACCURACY).value, 3.25 / 4, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_ACCURACY).value, 2.2 / 4, 1e-15);
	T_NEAR(FT_GT(t, 0, FT_M_ACCURACY).value, 5.45 / 8, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_PPV).value, 2.5 / 2.75, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_NPV).value, 2.0 / 2.8, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_BALANCED_ACCURACY).value, (tprA + 0.75) / 2, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_COUNT).value, 3, 0);
	T_NEAR(FT_GT(t, 0, FT_M_COUNT).value, 6, 0);
	T_NEAR(FT_GT(t, 0, FT_M_WEIGHT).value, 8, 1e-15);
	/* the AUC is the score's: A has positive scores 0.9, 0.2 (w 2) against
	 * a negative at 0.1: 1 */
	T_NEAR(FT_GT(t, 1, FT_M_AUC).value, 1, 1e-15);
	for (size_t k = 0; k < st->n; k++) {
		const struct ft_summary *x = &st->s[k];
		double v = NAN;

		switch (x->metric * 8 + x->convention) {
		case FT_F_DP_DIFF * 8 + FT_CONV_BETWEEN: v = srA - srB; break;
		case FT_F_DP_DIFF * 8 + FT_CONV_TO_OVERALL: v = srA - srO; break;
		case FT_F_DP_DIFF * 8 + FT_CONV_SIGNED: v = srB - srA; break;
		case FT_F_DP_RATIO * 8 + FT_CONV_BETWEEN: v = srB / srA; break;
		case FT_F_DP_RATIO * 8 + FT_CONV_TO_OVERALL: v = srB / srO; break;
		case FT_F_DP_RATIO * 8 + FT_CONV_SIGNED: v = srB / srA; break;
		case FT_F_EOP_DIFF * 8 + FT_CONV_SIGNED: v = tprB - tprA; break;
		case FT_F_EO_DIFF * 8 + FT_CONV_BETWEEN: v = fmax(tprA - tprB, fprB - fprA); break;
		case FT_F_EO_DIFF * 8 + FT_CONV_SIGNED: v = tprA - tprB; break;
		case FT_F_AOD * 8 + FT_CONV_SIGNED: v = ((fprB - fprA) + (tprB - tprA)) / 2; break;
		case FT_F_GEI * 8 + FT_CONV_INDIVIDUAL: {
			/* sum w b = 7.95, sum w b^2 = 9.3525, W = 8 */
			double mu = 7.95 / 8;
			v = (9.3525 / (8 * mu * mu) - 1) / 2;
			break;
		}
		case FT_F_THEIL * 8 + FT_CONV_INDIVIDUAL: {
			double mu = 7.95 / 8;
			v = (xlogx(0.5 / mu) + xlogx(1.25 / mu) + 2 * xlogx(1 / mu) + xlogx(0.2 / mu) +
			     2 * xlogx(1.5 / mu) + xlogx(1 / mu)) / 8;
			break;
		}
		case FT_F_GEI_BETWEEN * 8 + FT_CONV_INDIVIDUAL: {
			/* group means: A 3.75 / 4, B 4.2 / 4 */
			double mu = 7.95 / 8, a = 3.75 / 4 / mu, b = 4.2 / 4 / mu;
			v = (4 * (a * a - 1) + 4 * (b * b - 1)) / 16;
			break;
		}
		default:
			continue;
		}
		T_CHECKF(x->v.why == NULL && near(x->v.value, v, 1e-14),
		         "%s / %s = %.17g, expected %.17g", ft_fairness_name(x->metric),
		         ft_convention_name(x->convention), x->v.value, v);
	}
done:
	ft_group_table_free(t);
	ft_summary_table_free(st);
}

/* Undefined reasons: "no predicted positives" means no row with pos > 0;
 * rows with pos > 0 and no weight are "zero total weight". */
static void test_pos_undefined(void)
{
	double y[] = { 1, 0, 1, 0, 1, 0 }, w[] = { 1, 1, 1, 1, 0, 1 };
	double pos[] = { 0, 0, 1, 1, 0.5, 0 }, s[] = { 0.9, 0.9, 0.1, 0.1, 0.9, 0.9 };
	int32_t g[] = { 0, 0, 1, 1, 2, 2 };
	struct ft_eval_input in = pos_input(6, y, s, w, pos, g, 3);
	struct ft_group_table *t = NULL;

	T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
	if (!t)
		return;
	/* group 0: scores say selected, pos says never */
	T_STREQ(FT_GT(t, 1, FT_M_PPV).why, "no predicted positives");
	T_NEAR(FT_GT(t, 1, FT_M_SELECTION_RATE).value, 0, 0);
	T_NEAR(FT_GT(t, 1, FT_M_NPV).value, 0.5, 0);
	/* group 1: always selected */
	T_STREQ(FT_GT(t, 2, FT_M_NPV).why, "no predicted negatives");
	T_NEAR(FT_GT(t, 2, FT_M_PPV).value, 0.5, 0);
	/* group 2: the only row that may be selected has weight 0 */
	T_STREQ(FT_GT(t, 3, FT_M_PPV).why, "predicted positives have zero total weight");
	T_STREQ(FT_GT(t, 3, FT_M_TPR).why, "positive labels have zero total weight");
	T_NEAR(FT_GT(t, 3, FT_M_COUNT).value, 2, 0);
	T_NEAR(FT_GT(t, 3, FT_M_NPV).value, 1, 0);
	ft_group_table_free(t);
}

static void test_pos_errors(void)
{
	static const double y[] = { 1, 0, 1, 0 }, s[] = { .9, .2, .6, .7 };
	static const int32_t g[] = { 0, 0, 1, 1 };
	double pos[] = { 0.5, 0.5, 0.5, 0.5 };
	struct {
		size_t at;
		double v;
		const char *msg;
	} bad[] = {
		{ 3, NAN, "metrics: pos[3] = nan is not a probability in [0, 1]" },
		{ 2, 1.5, "metrics: pos[2] = 1.5 is not a probability in [0, 1]" },
		{ 0, -0.25, "metrics: pos[0] = -0.25 is not a probability in [0, 1]" },
		{ 1, INFINITY, "metrics: pos[1] = inf is not a probability in [0, 1]" },
	};
	struct ft_eval_input in = pos_input(4, y, s, NULL, pos, g, 2);

	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		struct ft_error err = { 0 };
		struct ft_group_table *t = (struct ft_group_table *)&err;
		struct ft_summary_table *st = (struct ft_summary_table *)&err;
		struct ft_value gap;
		double p;

		pos[bad[k].at] = bad[k].v;
		T_CHECK(ft_group_metrics(&in, &t, &err) == FT_EINVAL && t == NULL);
		T_STREQ(err.msg, bad[k].msg);
		memset(&err, 0, sizeof err);
		T_CHECK(ft_fairness_summaries(&in, 10, 1, 0.95, &st, &err) == FT_EINVAL && st == NULL);
		T_STREQ(err.msg, bad[k].msg);
		memset(&err, 0, sizeof err);
		T_CHECK(ft_permutation_test(&in, FT_M_TPR, 0, 1, 10, 1, &gap, &p, &err) == FT_EINVAL);
		T_STREQ(err.msg, bad[k].msg);
		pos[bad[k].at] = 0.5;
	}
	/* the bounds themselves are fine */
	pos[0] = 0;
	pos[1] = 1;
	{
		struct ft_group_table *t = NULL;
		T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
		ft_group_table_free(t);
	}
}

int main(void)
{
	T_RUN(test_names_and_order);
	T_RUN(test_hand_summaries);
	T_RUN(test_undefined_rules);
	T_RUN(test_summary_errors);
	T_RUN(test_reference_fixtures);
	T_RUN(test_quantile);
	T_RUN(test_quantile_select);
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
	T_RUN(test_boot_vs_rows_pos);
	T_RUN(test_boot_cells_exact);
	T_RUN(test_boot_determinism_and_threads);
	T_RUN(test_measure_all_threads);
	T_RUN(test_sorted_wide_strata);
	T_RUN(test_boot_undefined);
	T_RUN(test_perm_exact);
	T_RUN(test_perm_vs_rows_unit);
	T_RUN(test_perm_vs_rows_weighted);
	T_RUN(test_perm_vs_rows_pos);
	T_RUN(test_perm_counts_path);
	T_RUN(test_perm_extremes);
	T_RUN(test_perm_errors);
	T_RUN(test_pos_indicator_is_deterministic);
	T_RUN(test_pos_row_expansion);
	T_RUN(test_pos_hand_case);
	T_RUN(test_pos_undefined);
	T_RUN(test_pos_errors);
	return t_done();
}
