/*
 * test_metrics.c - per-group metrics (ft_group_metrics, src/metrics/
 * metrics.c): names and defaults, a hand-computed weighted case with three
 * groups and rows without a group (every metric, overall and per group),
 * every "undefined" reason, input errors, the exact AUC sweep and the sort,
 * and scikit-learn's values on the fixtures of
 * scripts/fixtures/make_metric_fixtures.py (1e-12 relative).  Run from the
 * repository root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "metrics/metrics.h"
#include "metrics_fixture.h"
#include "t.h"

/* exact up to rounding */
#define EQ(a, b) T_NEAR(a, b, 1e-14)

static void expect(const struct ft_group_table *t, size_t row, int m, double v)
{
	const struct ft_value *x = &FT_GT(t, row, m);

	T_CHECKF(x->why == NULL, "row %zu %s: undefined (%s), expected %.17g", row,
	         ft_metric_name(m), x->why, v);
	T_CHECKF(fabs(x->value - v) <= 1e-14 * fmax(1, fabs(v)),
	         "row %zu %s = %.17g, expected %.17g", row, ft_metric_name(m), x->value, v);
}

static void expect_undef(const struct ft_group_table *t, size_t row, int m,
                         const char *why)
{
	const struct ft_value *x = &FT_GT(t, row, m);

	T_CHECKF(isnan(x->value), "row %zu %s = %g, expected NaN", row, ft_metric_name(m),
	         x->value);
	T_CHECKF(x->why && strcmp(x->why, why) == 0, "row %zu %s: reason \"%s\", expected \"%s\"",
	         row, ft_metric_name(m), x->why ? x->why : "(null)", why);
}

/* ---------------------------------------------------------- names */

static void test_names(void)
{
	const char *want[FT_N_METRICS] = {
		"count", "weight", "base_rate", "selection_rate", "tpr", "fpr", "tnr", "fnr",
		"ppv", "npv", "accuracy", "balanced_accuracy", "log_loss", "brier", "auc", "ece",
	};
	struct ft_eval_input in;

	for (int m = 0; m < FT_N_METRICS; m++)
		T_STREQ(ft_metric_name(m), want[m]);
	T_STREQ(ft_metric_name(-1), "unknown");
	T_STREQ(ft_metric_name(FT_N_METRICS), "unknown");
	memset(&in, 0x5a, sizeof in);
	ft_eval_input_init(&in);
	T_CHECK(in.n == 0 && !in.y && !in.score && !in.w && !in.group && in.n_groups == 0);
	T_CHECK(!in.group_names && in.privileged == -1 && in.threshold == 0.5 &&
	        in.ece_bins == 10);
}

/* ------------------------------------------------ hand-computed case */

/* Groups A (0), B (1), C (2), D (3, no rows) and rows without a group.
 *   A: TP .9 w1, FN .4 w2, FP .6 w1, TN .2 w1, FP .5 w2 (0.5 >= threshold)
 *   B: TP .8 w1, TN .3 w3, FN .3 w1 (a tie across classes)
 *   C: TN .1 w1, TN 0 w0.5 (negatives only)
 *   -1: TP 1.0 w2 (score 1 goes to the last ECE bin), FP .7 w1 */
static const double h_y[] = { 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0 };
static const double h_s[] = { .9, .4, .6, .2, .5, .8, .3, .3, .1, 0, 1, .7 };
static const double h_w[] = { 1, 2, 1, 1, 2, 1, 3, 1, 1, .5, 2, 1 };
static const int32_t h_g[] = { 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, -1, -1 };
static const char *const h_names[] = { "A", "B", "C", "D" };

static struct ft_eval_input hand_input(void)
{
	struct ft_eval_input in;

	ft_eval_input_init(&in);
	in.n = 12;
	in.y = h_y;
	in.score = h_s;
	in.w = h_w;
	in.group = h_g;
	in.n_groups = 4;
	in.group_names = h_names;
	return in;
}

static void test_hand_case(void)
{
	struct ft_eval_input in = hand_input();
	struct ft_group_table *t = NULL;
	struct ft_error err = { 0 };
	double ll_a, ll_b, ll_c, ll_u, clip = -log1p(-1e-15);

	T_CHECKF(ft_group_metrics(&in, &t, &err) == 0, "%s", err.msg);
	if (!t)
		return;
	T_CHECK(t->n_groups == 4);

	/* A: cells TP 1, FN 2, FP 3, TN 1 (weights), W = 7 */
	expect(t, 1, FT_M_COUNT, 5);
	expect(t, 1, FT_M_WEIGHT, 7);
	expect(t, 1, FT_M_BASE_RATE, 3.0 / 7);
	expect(t, 1, FT_M_SELECTION_RATE, 4.0 / 7);
	expect(t, 1, FT_M_TPR, 1.0 / 3);
	expect(t, 1, FT_M_FNR, 2.0 / 3);
	expect(t, 1, FT_M_FPR, 3.0 / 4);
	expect(t, 1, FT_M_TNR, 1.0 / 4);
	expect(t, 1, FT_M_PPV, 1.0 / 4);
	expect(t, 1, FT_M_NPV, 1.0 / 3);
	expect(t, 1, FT_M_ACCURACY, 2.0 / 7);
	expect(t, 1, FT_M_BALANCED_ACCURACY, (1.0 / 3 + 1.0 / 4) / 2);
	ll_a = -(log(.9) + 2 * log(.4) + log(.4) + log(.8) + 2 * log(.5));
	expect(t, 1, FT_M_LOG_LOSS, ll_a / 7);
	expect(t, 1, FT_M_BRIER, (.01 + 2 * .36 + .36 + .04 + 2 * .25) / 7);
	/* positives .9 (w1) and .4 (w2) against negatives .6, .2, .5 (w 1, 1, 2):
	 * .9 beats all 4, .4 beats .2: (4 + 2) / (3 * 4) */
	expect(t, 1, FT_M_AUC, 0.5);
	/* one row per ECE bin: sum w |y - s| / W */
	expect(t, 1, FT_M_ECE, (.1 + 2 * .6 + .6 + .2 + 2 * .5) / 7);

	/* B: TP 1, TN 3, FN 1, W = 5 */
	expect(t, 2, FT_M_COUNT, 3);
	expect(t, 2, FT_M_WEIGHT, 5);
	expect(t, 2, FT_M_BASE_RATE, 2.0 / 5);
	expect(t, 2, FT_M_SELECTION_RATE, 1.0 / 5);
	expect(t, 2, FT_M_TPR, 0.5);
	expect(t, 2, FT_M_FNR, 0.5);
	expect(t, 2, FT_M_FPR, 0);
	expect(t, 2, FT_M_TNR, 1);
	expect(t, 2, FT_M_PPV, 1);
	expect(t, 2, FT_M_NPV, 3.0 / 4);
	expect(t, 2, FT_M_ACCURACY, 4.0 / 5);
	expect(t, 2, FT_M_BALANCED_ACCURACY, 3.0 / 4);
	ll_b = -(log(.8) + 3 * log(.7) + log(.3));
	expect(t, 2, FT_M_LOG_LOSS, ll_b / 5);
	expect(t, 2, FT_M_BRIER, (.04 + 3 * .09 + .49) / 5);
	/* .8 beats .3 (w3): 3; .3 ties .3: 3 / 2; over 2 * 3 */
	expect(t, 2, FT_M_AUC, 4.5 / 6);
	/* bin 3 holds .3 (w3, y0) and .3 (w1, y1): |1 - 1.2|; bin 8: .2 */
	expect(t, 2, FT_M_ECE, (.2 + .2) / 5);

	/* C: negatives only, all predicted negative, W = 1.5 */
	expect(t, 3, FT_M_COUNT, 2);
	expect(t, 3, FT_M_WEIGHT, 1.5);
	expect(t, 3, FT_M_BASE_RATE, 0);
	expect(t, 3, FT_M_SELECTION_RATE, 0);
	expect_undef(t, 3, FT_M_TPR, "no positive labels");
	expect_undef(t, 3, FT_M_FNR, "no positive labels");
	expect(t, 3, FT_M_FPR, 0);
	expect(t, 3, FT_M_TNR, 1);
	expect_undef(t, 3, FT_M_PPV, "no predicted positives");
	expect(t, 3, FT_M_NPV, 1);
	expect(t, 3, FT_M_ACCURACY, 1);
	expect_undef(t, 3, FT_M_BALANCED_ACCURACY, "no positive labels");
	/* score 0 is clipped to 1e-15: -log(1 - 1e-15) */
	ll_c = -log(.9) + .5 * clip;
	expect(t, 3, FT_M_LOG_LOSS, ll_c / 1.5);
	expect(t, 3, FT_M_BRIER, .01 / 1.5);
	expect_undef(t, 3, FT_M_AUC, "no positive labels");
	expect(t, 3, FT_M_ECE, .1 / 1.5);

	/* D: no rows */
	expect(t, 4, FT_M_COUNT, 0);
	expect(t, 4, FT_M_WEIGHT, 0);
	for (int m = FT_M_BASE_RATE; m < FT_N_METRICS; m++)
		expect_undef(t, 4, m, "no rows in group");

	/* overall (row 0) includes the rows without a group:
	 * TP 4, FN 3, FP 4, TN 5.5, W = 16.5 */
	expect(t, 0, FT_M_COUNT, 12);
	expect(t, 0, FT_M_WEIGHT, 16.5);
	expect(t, 0, FT_M_BASE_RATE, 7 / 16.5);
	expect(t, 0, FT_M_SELECTION_RATE, 8 / 16.5);
	expect(t, 0, FT_M_TPR, 4.0 / 7);
	expect(t, 0, FT_M_FNR, 3.0 / 7);
	expect(t, 0, FT_M_FPR, 4 / 9.5);
	expect(t, 0, FT_M_TNR, 5.5 / 9.5);
	expect(t, 0, FT_M_PPV, 0.5);
	expect(t, 0, FT_M_NPV, 5.5 / 8.5);
	expect(t, 0, FT_M_ACCURACY, 9.5 / 16.5);
	expect(t, 0, FT_M_BALANCED_ACCURACY, (4.0 / 7 + 5.5 / 9.5) / 2);
	ll_u = 2 * clip - log(.3);
	expect(t, 0, FT_M_LOG_LOSS, (ll_a + ll_b + ll_c + ll_u) / 16.5);
	expect(t, 0, FT_M_BRIER, (1.63 + .8 + .01 + .49) / 16.5);
	/* per positive, the negative weight below it plus half the tied:
	 * 1.0 w2: 9.5; .9: 9.5; .8: 9.5; .4 w2: 5.5; .3: 2.5 + 3/2 */
	expect(t, 0, FT_M_AUC, (19 + 9.5 + 9.5 + 11 + 4) / (7 * 9.5));
	/* bin 9 holds .9 (w1) and 1.0 (w2): |3 - 2.9|; the rest as in the groups,
	 * plus .7 in bin 7 */
	expect(t, 0, FT_M_ECE, (.1 + 1.2 + .6 + .2 + 1.0 + .2 + .2 + .1 + 0 + .7) / 16.5);
	ft_group_table_free(t);
}

/* Unit weights are the same as w = NULL, and weights scale out. */
static void test_weights_null_and_scale(void)
{
	struct ft_eval_input in = hand_input();
	struct ft_group_table *t1 = NULL, *t2 = NULL, *t3 = NULL;
	double ones[12], twice[12];

	for (int i = 0; i < 12; i++) {
		ones[i] = 1;
		twice[i] = 2 * h_w[i];
	}
	in.w = NULL;
	T_CHECK(ft_group_metrics(&in, &t1, NULL) == 0);
	in.w = ones;
	T_CHECK(ft_group_metrics(&in, &t2, NULL) == 0);
	if (t1 && t2)
		for (size_t k = 0; k < 5 * FT_N_METRICS; k++)
			T_CHECK((isnan(t1->v[k].value) && isnan(t2->v[k].value)) ||
			        t1->v[k].value == t2->v[k].value);
	ft_group_table_free(t1);
	ft_group_table_free(t2);
	t1 = NULL;
	in.w = h_w;
	T_CHECK(ft_group_metrics(&in, &t1, NULL) == 0);
	in.w = twice;
	T_CHECK(ft_group_metrics(&in, &t3, NULL) == 0);
	if (t1 && t3)
		for (size_t r = 0; r < 5; r++)
			for (int m = FT_M_BASE_RATE; m < FT_N_METRICS; m++) {
				double a = FT_GT(t1, r, m).value, b = FT_GT(t3, r, m).value;
				T_CHECKF((isnan(a) && isnan(b)) || fabs(a - b) <= 1e-14,
				         "row %zu %s: %g vs %g with doubled weights", r,
				         ft_metric_name(m), a, b);
			}
	ft_group_table_free(t1);
	ft_group_table_free(t3);
}

/* ------------------------------------------------ undefined reasons */

/* Groups: 0 positives only, all predicted positive; 1 all weights zero;
 * 2 no rows; 3 positives of zero weight, predicted negatives of zero weight;
 * 4 predicted positives of zero weight; 5 negatives only predicted positive. */
static void test_undefined_reasons(void)
{
	static const double y[] = { 1, 1, 0, 1, 1, 0, 0, 0, 0, 0 };
	static const double s[] = { .9, .8, .7, .2, .2, .6, .8, .1, .9, .7 };
	static const double w[] = { 1, 1, 0, 0, 0, 1, 0, 1, 1, 2 };
	static const int32_t g[] = { 0, 0, 1, 1, 3, 3, 4, 4, 5, 5 };
	struct ft_eval_input in;
	struct ft_group_table *t = NULL;

	ft_eval_input_init(&in);
	in.n = 10;
	in.y = y;
	in.score = s;
	in.w = w;
	in.group = g;
	in.n_groups = 6;
	T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
	if (!t)
		return;
	/* 0: no negatives, no predicted negatives */
	expect(t, 1, FT_M_TPR, 1);
	expect_undef(t, 1, FT_M_FPR, "no negative labels");
	expect_undef(t, 1, FT_M_TNR, "no negative labels");
	expect_undef(t, 1, FT_M_NPV, "no predicted negatives");
	expect_undef(t, 1, FT_M_BALANCED_ACCURACY, "no negative labels");
	expect_undef(t, 1, FT_M_AUC, "no negative labels");
	expect(t, 1, FT_M_PPV, 1);
	/* 1: rows, but zero total weight */
	expect(t, 2, FT_M_COUNT, 2);
	expect(t, 2, FT_M_WEIGHT, 0);
	for (int m = FT_M_BASE_RATE; m < FT_N_METRICS; m++)
		expect_undef(t, 2, m, "zero total weight");
	/* 2: no rows */
	for (int m = FT_M_BASE_RATE; m < FT_N_METRICS; m++)
		expect_undef(t, 3, m, "no rows in group");
	/* 3: a positive of weight 0 (predicted negative), a negative of weight 1
	 * predicted positive */
	expect_undef(t, 4, FT_M_TPR, "positive labels have zero total weight");
	expect_undef(t, 4, FT_M_NPV, "predicted negatives have zero total weight");
	expect_undef(t, 4, FT_M_AUC, "positive labels have zero total weight");
	expect(t, 4, FT_M_PPV, 0);
	expect(t, 4, FT_M_FPR, 1);
	expect(t, 4, FT_M_BASE_RATE, 0);
	/* 4: the predicted positive has weight 0 */
	expect_undef(t, 5, FT_M_PPV, "predicted positives have zero total weight");
	expect_undef(t, 5, FT_M_TPR, "no positive labels");
	expect(t, 5, FT_M_NPV, 1);
	expect(t, 5, FT_M_SELECTION_RATE, 0);
	/* 5: negatives only, all predicted positive: no predicted negatives */
	expect_undef(t, 6, FT_M_NPV, "no predicted negatives");
	expect(t, 6, FT_M_PPV, 0);
	expect(t, 6, FT_M_FPR, 1);
	ft_group_table_free(t);
}

static void test_empty_input(void)
{
	struct ft_eval_input in;
	struct ft_group_table *t = NULL;

	ft_eval_input_init(&in);
	T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
	if (!t)
		return;
	T_CHECK(t->n_groups == 0);
	expect(t, 0, FT_M_COUNT, 0);
	expect(t, 0, FT_M_WEIGHT, 0);
	for (int m = FT_M_BASE_RATE; m < FT_N_METRICS; m++)
		expect_undef(t, 0, m, "no rows");
	ft_group_table_free(t);
}

/* No groups at all: group may be NULL; only the overall row. */
static void test_no_groups(void)
{
	static const double y[] = { 1, 0, 1, 0 }, s[] = { .9, .1, .4, .6 };
	struct ft_eval_input in;
	struct ft_group_table *t = NULL;

	ft_eval_input_init(&in);
	in.n = 4;
	in.y = y;
	in.score = s;
	T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
	if (!t)
		return;
	expect(t, 0, FT_M_ACCURACY, 0.5);
	expect(t, 0, FT_M_AUC, 0.75);
	ft_group_table_free(t);
}

/* Threshold and ECE bins are honoured. */
static void test_threshold_and_bins(void)
{
	static const double y[] = { 1, 0, 1, 0 }, s[] = { .35, .3, .75, .74 };
	struct ft_eval_input in;
	struct ft_group_table *t = NULL;

	ft_eval_input_init(&in);
	in.n = 4;
	in.y = y;
	in.score = s;
	in.threshold = 0.35;
	in.ece_bins = 2;
	T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
	if (!t)
		return;
	/* yhat = 1, 0, 1, 1 */
	expect(t, 0, FT_M_SELECTION_RATE, 0.75);
	expect(t, 0, FT_M_TPR, 1);
	expect(t, 0, FT_M_FPR, 0.5);
	/* bins [0, .5): y 1, 0 vs s .35, .3 -> |1 - .65|; [.5, 1]: |1 - 1.49| */
	expect(t, 0, FT_M_ECE, (.35 + .49) / 4);
	ft_group_table_free(t);
}

/* ------------------------------------------------------- errors */

static void expect_error(struct ft_eval_input *in, const char *frag)
{
	struct ft_group_table *t = (struct ft_group_table *)1;
	struct ft_error err = { 0 };
	int rc = ft_group_metrics(in, &t, &err);

	T_CHECKF(rc == FT_EINVAL, "rc %d for \"%s\"", rc, frag);
	T_CHECK(t == NULL);
	T_CHECKF(strstr(err.msg, frag) != NULL, "message \"%s\", expected \"%s\"", err.msg, frag);
}

static void test_input_errors(void)
{
	double y[] = { 1, 0, 1 }, s[] = { .5, .2, .9 }, w[] = { 1, 1, 1 };
	int32_t g[] = { 0, 1, -1 };
	struct ft_eval_input in;
	struct ft_error err = { 0 };

	T_CHECK(ft_group_metrics(NULL, NULL, &err) == FT_EINVAL);
	ft_eval_input_init(&in);
	in.n = 3;
	in.y = y;
	in.score = s;
	in.w = w;
	in.group = g;
	in.n_groups = 2;
	{
		struct ft_group_table *t = NULL;
		T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
		ft_group_table_free(t);
		err.code = 0;
		T_CHECK(ft_group_metrics(&in, NULL, &err) == FT_EINVAL);
	}
	y[1] = 0.5;
	expect_error(&in, "y[1] = 0.5 is not a 0/1 label");
	y[1] = -1;
	expect_error(&in, "y[1] = -1 is not a 0/1 label");
	y[1] = 0;
	s[2] = 1.5;
	expect_error(&in, "score[2] = 1.5 is not in [0, 1]");
	s[2] = NAN;
	expect_error(&in, "score[2] = nan is not in [0, 1]");
	s[2] = .9;
	w[0] = -1;
	expect_error(&in, "w[0] = -1 is not a finite non-negative weight");
	w[0] = INFINITY;
	expect_error(&in, "w[0] = inf is not a finite");
	w[0] = 1;
	g[1] = 2;
	expect_error(&in, "group[1] = 2 is not -1 or a group index below 2");
	g[1] = -2;
	expect_error(&in, "group[1] = -2");
	g[1] = 1;
	in.privileged = 2;
	expect_error(&in, "privileged = 2 is not -1 or a group index below 2");
	in.privileged = -3;
	expect_error(&in, "privileged = -3");
	in.privileged = -1;
	in.threshold = NAN;
	expect_error(&in, "threshold is not a number");
	in.threshold = 0.5;
	in.ece_bins = 0;
	expect_error(&in, "ece_bins = 0 is not in 1 .. ");
	in.ece_bins = 10;
	in.group = NULL;
	expect_error(&in, "n_groups is 2 but group is NULL");
	in.group = g;
	in.y = NULL;
	expect_error(&in, "y is NULL with 3 rows");
	in.y = y;
	in.score = NULL;
	expect_error(&in, "score is NULL with 3 rows");
}

/* The check reads the rows in blocks without branches and names the
 * first bad row: at a block's edges, late in the input, with two bad rows
 * in one block and in two blocks, for every array it checks. */
static void test_input_errors_blocks(void)
{
	enum { N = 3 * 4096 + 5 };
	static double y[N], s[N], w[N], p[N];
	static int32_t g[N];
	static const size_t at[] = { 0, 4095, 4096, 8191, 8200, N - 1 };
	struct ft_eval_input in;
	char frag[96];

	for (size_t i = 0; i < N; i++) {
		y[i] = (double)(i % 2);
		s[i] = i % 3 ? 0.25 : -0.0;      /* -0.0 is in [0, 1] */
		w[i] = 1.0 + (double)(i % 4);
		p[i] = i % 5 ? 1.0 : 0.0;
		g[i] = (int32_t)(i % 3) - 1;
	}
	ft_eval_input_init(&in);
	in.n = N;
	in.y = y;
	in.score = s;
	in.w = w;
	in.pos = p;
	in.group = g;
	in.n_groups = 2;
	{
		struct ft_group_table *t = NULL;
		T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
		ft_group_table_free(t);
	}
	for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
		size_t i = at[k];
		double y0 = y[i], s0 = s[i], w0 = w[i], p0 = p[i];
		int32_t g0 = g[i];

		y[i] = NAN;
		snprintf(frag, sizeof frag, "y[%zu] = nan is not a 0/1 label", i);
		expect_error(&in, frag);
		y[i] = y0;
		s[i] = -1e-300;
		snprintf(frag, sizeof frag, "score[%zu] = -1e-300 is not in [0, 1]", i);
		expect_error(&in, frag);
		s[i] = s0;
		w[i] = NAN;
		snprintf(frag, sizeof frag, "w[%zu] = nan is not a finite", i);
		expect_error(&in, frag);
		w[i] = w0;
		p[i] = 1.5;
		snprintf(frag, sizeof frag, "pos[%zu] = 1.5 is not a probability", i);
		expect_error(&in, frag);
		p[i] = p0;
		g[i] = 2;
		snprintf(frag, sizeof frag, "group[%zu] = 2 is not -1", i);
		expect_error(&in, frag);
		g[i] = INT32_MIN;
		snprintf(frag, sizeof frag, "group[%zu] = %ld is not -1", i, (long)INT32_MIN);
		expect_error(&in, frag);
		g[i] = g0;
	}
	/* the first of two: in one block, and in two blocks */
	y[4100] = 3;
	g[4097] = 7;
	expect_error(&in, "group[4097] = 7");
	s[10] = 2;
	expect_error(&in, "score[10] = 2 is not");
	s[10] = 0.25;
	y[4100] = 1;
	g[4097] = 0;
	{
		struct ft_group_table *t = NULL;
		T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
		ft_group_table_free(t);
	}
}

/* ------------------------------------------------- sort and sweep */

static void test_sort(void)
{
	enum { N = 5000 };
	double *s = malloc(N * sizeof *s);
	uint32_t *o = NULL;
	struct ft_rng r;
	int ok = 1;

	if (!s)
		return;
	ft_rng_seed(&r, 5);
	for (int i = 0; i < N; i++)
		s[i] = i % 7 == 0 ? round(ft_rng_uniform(&r) * 10) / 10 : ft_rng_uniform(&r);
	s[0] = -0.0;
	s[1] = 0.0;
	s[2] = 1.0;
	s[3] = 5e-324;
	T_CHECK(ft_score_order(s, N, &o) == 0);
	if (o) {
		uint8_t *seen = calloc(N, 1);
		for (int i = 0; i < N && seen; i++) {
			if (o[i] >= N || seen[o[i]])
				ok = 0;
			else
				seen[o[i]] = 1;
			if (i > 0 && s[o[i]] < s[o[i - 1]])
				ok = 0;
		}
		free(seen);
	}
	T_CHECK(ok);
	free(o);
	o = NULL;
	T_CHECK(ft_score_order(s, 0, &o) == 0);
	free(o);
	free(s);
}

/* The order is exactly a stable sort's: (score, row) ascending, checked
 * against qsort on (score, row), where many different doubles round to one
 * float (runs fixed by insertion and, above 32, by qsort), with equal
 * doubles, -0.0 and +0.0, negatives and values beyond float range. */
struct ref_sr { double s; uint32_t i; };
static int cmp_ref_sr(const void *x, const void *y)
{
	const struct ref_sr *a = x, *b = y;
	if (a->s != b->s)
		return a->s < b->s ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

static void test_sort_stable(void)
{
	enum { N = 20000 };
	double *s = malloc(N * sizeof *s);
	struct ref_sr *ref = malloc(N * sizeof *ref);
	uint32_t *o = NULL, *o3 = NULL;
	double *s3, *sv = NULL;
	struct ft_rng r;
	size_t bad = 0;

	if (!s || !ref)
		goto done;
	ft_rng_seed(&r, 11);
	for (int i = 0; i < N; i++) {
		double u = ft_rng_uniform(&r);
		switch (i % 5) {
		case 0: s[i] = 0.5 + u * 1e-9; break;            /* one float, long run */
		case 1: s[i] = 0.25 + (double)ft_rng_below(&r, 40) * 1e-10; break; /* short runs */
		case 2: s[i] = round(u * 100) / 100; break;      /* equal doubles */
		case 3: s[i] = (u - 0.5) * 1e300; break;         /* beyond float */
		default: s[i] = u < 0.5 ? -0.0 : 0.0; break;
		}
	}
	for (int i = 0; i < N; i++)
		ref[i] = (struct ref_sr){s[i] + 0.0, (uint32_t)i};
	qsort(ref, N, sizeof *ref, cmp_ref_sr);
	T_CHECK(ft_score_order(s, N, &o) == 0);
	for (int i = 0; o && i < N; i++)
		bad += o[i] != ref[i].i;
	T_CHECKF(o && bad == 0, "%zu rows out of place", bad);
	/* the items that carry their scores (a column read in place, stride
	 * 3): the same order, and the scores handed back are the rows' own
	 * bits (-0.0 stays -0.0) */
	if ((s3 = calloc(3 * (size_t)N, sizeof *s3)) != NULL) {
		for (int i = 0; i < N; i++)
			s3[3 * i + 1] = s[i];
		T_CHECK(ft_score_order_stride(s3 + 1, 3, N, &o3, &sv) == 0);
		bad = 0;
		for (int i = 0; o3 && sv && i < N; i++)
			bad += o3[i] != ref[i].i || memcmp(&sv[i], &s[o3[i]], sizeof sv[i]) != 0;
		T_CHECKF(o3 && sv && bad == 0, "%zu rows out of place or values changed", bad);
		free(o3);
		free(sv);
		o3 = NULL;
		sv = NULL;
		{
			/* the sort's items themselves: rows in the same order */
			uint64_t *key = NULL;
			T_CHECK(ft_score_sort_keys(s3 + 1, 3, N, &key) == 0);
			bad = 0;
			for (int i = 0; key && i < N; i++)
				bad += (uint32_t)key[i] != ref[i].i;
			T_CHECKF(key && bad == 0, "%zu items out of place", bad);
			free(key);
		}
		T_CHECK(ft_score_order_stride(s3, 3, 0, &o3, &sv) == 0 && o3 && sv);
		free(o3);
		free(sv);
		free(s3);
	}
done:
	free(o);
	free(s);
	free(ref);
}

/* The sweep against the O(n^2) pair sum, with ties, weights, and a pool. */
static void test_auc_pairs(void)
{
	enum { N = 400, G = 3 };
	double y[N], s[N], w[N];
	int32_t g[N];
	uint8_t pool[G + 1] = { 0, 1, 1, 0 };
	double num[G + 3], pos[G + 3], neg[G + 3];
	struct ft_eval_input in;
	struct ft_rng r;
	uint32_t *o = NULL;

	ft_rng_seed(&r, 9);
	for (int i = 0; i < N; i++) {
		y[i] = ft_rng_uniform(&r) < 0.4;
		s[i] = round((0.3 * y[i] + 0.7 * ft_rng_uniform(&r)) * 20) / 20;
		w[i] = 0.25 + (double)ft_rng_below(&r, 8) / 4;
		g[i] = (int32_t)ft_rng_below(&r, G + 1) - 1;
	}
	ft_eval_input_init(&in);
	in.n = N;
	in.y = y;
	in.score = s;
	in.w = w;
	in.group = g;
	in.n_groups = G;
	T_CHECK(ft_score_order(s, N, &o) == 0);
	if (!o)
		return;
	T_CHECK(ft_auc_sweep(&in, o, pool, num, pos, neg) == 0);
	for (int t = 0; t < G + 3; t++) {
		double ref = 0, P = 0, Ng = 0;
		for (int i = 0; i < N; i++) {
			size_t si = g[i] < 0 ? G : (size_t)g[i];
			int in_i = t == G + 1 || (t == G + 2 ? pool[si] : (int)si == t);
			if (!in_i || y[i] != 1)
				continue;
			P += w[i];
			for (int j = 0; j < N; j++) {
				size_t sj = g[j] < 0 ? G : (size_t)g[j];
				int in_j = t == G + 1 || (t == G + 2 ? pool[sj] : (int)sj == t);
				if (!in_j || y[j] != 0)
					continue;
				ref += w[i] * w[j] * (s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0);
			}
		}
		for (int j = 0; j < N; j++) {
			size_t sj = g[j] < 0 ? G : (size_t)g[j];
			int in_j = t == G + 1 || (t == G + 2 ? pool[sj] : (int)sj == t);
			if (in_j && y[j] == 0)
				Ng += w[j];
		}
		T_CHECKF(fabs(num[t] - ref) <= 1e-10 * ref, "target %d: num %.17g vs %.17g", t,
		         num[t], ref);
		T_NEAR(pos[t], P, 1e-12);
		T_NEAR(neg[t], Ng, 1e-12);
	}
	/* the binned form with one bin per distinct score is the same AUC */
	{
		double hp[21] = { 0 }, hn[21] = { 0 };
		for (int i = 0; i < N; i++) {
			int k = (int)lround(s[i] * 20);
			if (y[i] == 1)
				hp[k] += w[i];
			else
				hn[k] += w[i];
		}
		T_NEAR(ft_auc_binned(hp, hn, 21), num[G + 1] / (pos[G + 1] * neg[G + 1]), 1e-13);
	}
	free(o);
}

/* ------------------------------------------------ scikit-learn fixtures */

static void test_sklearn_fixtures(void)
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
		struct ft_group_table *t = NULL;
		struct ft_error err = { 0 };

		mfix_input(s, &in);
		if (ft_group_metrics(&in, &t, &err) != 0) {
			T_FAIL("set %s: %s", s->name, err.msg);
			continue;
		}
		for (size_t k = 0; k < f.n_ref; k++) {
			struct mfix_ref *r = &f.ref[k];
			size_t row;
			int m;

			if (strcmp(r->set, s->name) != 0 || strcmp(r->kind, "metric") != 0)
				continue;
			row = strcmp(r->target, "overall") == 0 ? 0 : 1 + (size_t)atoi(r->target);
			for (m = 0; m < FT_N_METRICS; m++)
				if (strcmp(ft_metric_name(m), r->name) == 0)
					break;
			if (m == FT_N_METRICS || row > s->n_groups) {
				T_FAIL("set %s: unknown metric %s or target %s", s->name, r->name,
				       r->target);
				continue;
			}
			T_CHECKF(FT_GT(t, row, m).why == NULL && mfix_close(FT_GT(t, row, m).value,
			                                                    r->value, 1e-12),
			         "set %s, %s, %s: %.17g, reference %.17g (%s)", s->name, r->target,
			         r->name, FT_GT(t, row, m).value, r->value,
			         FT_GT(t, row, m).why ? FT_GT(t, row, m).why : "defined");
			if (r->value != 0)
				worst = fmax(worst, fabs(FT_GT(t, row, m).value - r->value) /
				                    fabs(r->value));
			checked++;
		}
		ft_group_table_free(t);
	}
	T_CHECKF(checked >= 3 * 16 * 3, "only %zu reference values checked", checked);
	fprintf(stderr, "sklearn fixtures: %zu metric values, max relative difference %.3g\n",
	        checked, worst);
	mfix_free(&f);
}

int main(void)
{
	T_RUN(test_names);
	T_RUN(test_hand_case);
	T_RUN(test_weights_null_and_scale);
	T_RUN(test_undefined_reasons);
	T_RUN(test_empty_input);
	T_RUN(test_no_groups);
	T_RUN(test_threshold_and_bins);
	T_RUN(test_input_errors);
	T_RUN(test_input_errors_blocks);
	T_RUN(test_sort);
	T_RUN(test_sort_stable);
	T_RUN(test_auc_pairs);
	T_RUN(test_sklearn_fixtures);
	return t_done();
}
