/*
 * test_ranking_metrics.c - ranking metrics (src/metrics/ranking.c): the
 * stable score sort, tiny hand-computed cases for every metric (the
 * arithmetic is in the comments), the undefined cases and their reasons,
 * the error paths, and scikit-learn / scipy / numpy values for every metric
 * on the queries of tests/fixtures/rank_data.tsv (rank_ref.tsv, made by
 * scripts/fixtures/make_ranking_fixtures.py).  Run from the repository
 * root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"

#define RANK_DATA "tests/fixtures/rank_data.tsv"
#define RANK_REF "tests/fixtures/rank_ref.tsv"

#define EQ(a, b) T_NEAR(a, b, 1e-14)

static void expect(struct ft_value v, double want)
{
	T_CHECKF(v.why == NULL, "undefined (%s), expected %.17g", v.why, want);
	T_CHECKF(fabs(v.value - want) <= 1e-14 * fmax(1, fabs(want)),
	         "value %.17g, expected %.17g", v.value, want);
}

static void expect_undef(struct ft_value v, const char *why)
{
	T_CHECKF(isnan(v.value), "value %g, expected NaN", v.value);
	T_CHECKF(v.why && strcmp(v.why, why) == 0, "reason \"%s\", expected \"%s\"",
	         v.why ? v.why : "(null)", why);
}

/* ------------------------------------------------------- the score sort */

static void test_rank_order(void)
{
	const double s[] = { 0.5, 2, 0.5, -1, 2, 0.5 };
	const size_t want[] = { 1, 4, 0, 2, 5, 3 };   /* ties keep item order */
	size_t order[6];
	struct ft_error err = { 0 };
	double bad[] = { 1, NAN };

	T_CHECK(ft_rank_order(s, 6, order, &err) == 0);
	for (size_t i = 0; i < 6; i++)
		T_CHECK(order[i] == want[i]);
	T_CHECK(ft_rank_order(bad, 2, order, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "score[1] is NaN") != NULL);
	T_CHECK(ft_rank_order(NULL, 0, NULL, &err) == 0);
}

/* ------------------------------------------------- relevance metrics */

/* rel (3, 2, 0, 1) in item order, ranked 0 1 2 3: gains 2^rel - 1 = 7, 3,
 * 0, 1.  DCG@4 = 7/log2 2 + 3/log2 3 + 0/log2 4 + 1/log2 5.  The ideal
 * order has gains 7, 3, 1, 0: IDCG@4 = 7 + 3/log2 3 + 1/log2 4.
 * @2: DCG = IDCG = 7 + 3/log2 3 -> 1.  Ranked 3 2 1 0 (gains 1 0 3 7):
 * DCG@2 = 1 + 0 = 1, NDCG@2 = 1 / (7 + 3/log2 3). */
static void test_ndcg_hand(void)
{
	const double rel[] = { 3, 2, 0, 1 }, zero[] = { 0, 0, 0 };
	const size_t id[] = { 0, 1, 2, 3 }, rev[] = { 3, 2, 1, 0 };
	struct ft_value v;

	T_CHECK(ft_ndcg(rel, id, 4, 0, &v, NULL) == 0);
	expect(v, (7 + 3 / log2(3) + 1 / log2(5)) / (7 + 3 / log2(3) + 1 / log2(4)));
	T_CHECK(ft_ndcg(rel, id, 4, 4, &v, NULL) == 0);
	expect(v, (7 + 3 / log2(3) + 1 / log2(5)) / (7 + 3 / log2(3) + 1 / log2(4)));
	T_CHECK(ft_ndcg(rel, id, 4, 2, &v, NULL) == 0);
	expect(v, 1);
	T_CHECK(ft_ndcg(rel, rev, 4, 2, &v, NULL) == 0);
	expect(v, 1 / (7 + 3 / log2(3)));
	T_CHECK(ft_ndcg(rel, rev, 4, 100, &v, NULL) == 0);   /* k > n: k = n */
	expect(v, (1 + 3 / log2(4) + 7 / log2(5)) / (7 + 3 / log2(3) + 1 / log2(4)));
	T_CHECK(ft_ndcg(zero, id, 3, 0, &v, NULL) == 0);
	expect_undef(v, "no relevant items");
	T_CHECK(ft_ndcg(NULL, NULL, 0, 0, &v, NULL) == 0);
	expect_undef(v, "no items");
	/* a weak top item: DCG@1 = 2^1 - 1 = 1, IDCG@1 = 7 */
	T_CHECK(ft_ndcg(rel, rev, 4, 1, &v, NULL) == 0);
	expect(v, 1.0 / 7.0);
}

/* rel (3, 2, 0, 1) ranked 3 2 1 0: relevant (rel > 0) flags 1 0 1 1.
 * P@1 = 1/1, P@2 = 1/2, P@3 = 2/3, P@4 = 3/4, P@0 = P@4, P@8 = 3/8. */
static void test_precision_hand(void)
{
	const double rel[] = { 3, 2, 0, 1 };
	const size_t rev[] = { 3, 2, 1, 0 };
	struct ft_value v;

	T_CHECK(ft_precision(rel, rev, 4, 1, &v, NULL) == 0);
	expect(v, 1);
	T_CHECK(ft_precision(rel, rev, 4, 2, &v, NULL) == 0);
	expect(v, 0.5);
	T_CHECK(ft_precision(rel, rev, 4, 3, &v, NULL) == 0);
	expect(v, 2.0 / 3.0);
	T_CHECK(ft_precision(rel, rev, 4, 0, &v, NULL) == 0);
	expect(v, 0.75);
	T_CHECK(ft_precision(rel, rev, 4, 8, &v, NULL) == 0);
	expect(v, 3.0 / 8.0);
	T_CHECK(ft_precision(NULL, NULL, 0, 3, &v, NULL) == 0);
	expect_undef(v, "no items");
}

/* a = 1 2 3 4, b = 1 3 2 4: of the 6 pairs only (2, 3) is discordant, so
 * tau = (5 - 1) / 6.  With ties, a = 1 1 2 3, b = 1 2 2 3: pairs (0,1)
 * tied in a, (1,2) tied in b, the other 4 concordant: n0 = 6, n1 = n2 = 1,
 * tau_b = 4 / sqrt(5 * 5) = 0.8.  Reversed: -1. */
static void test_kendall_hand(void)
{
	const double a[] = { 1, 2, 3, 4 }, b[] = { 1, 3, 2, 4 }, r[] = { 4, 3, 2, 1 };
	const double ta[] = { 1, 1, 2, 3 }, tb[] = { 1, 2, 2, 3 }, c[] = { 5, 5, 5, 5 };
	const size_t o1[] = { 0, 1, 2, 3 }, o2[] = { 0, 2, 1, 3 };
	struct ft_value v;

	T_CHECK(ft_kendall_tau(a, b, 4, &v, NULL) == 0);
	expect(v, 4.0 / 6.0);
	T_CHECK(ft_kendall_tau(ta, tb, 4, &v, NULL) == 0);
	expect(v, 0.8);
	T_CHECK(ft_kendall_tau(a, r, 4, &v, NULL) == 0);
	expect(v, -1);
	T_CHECK(ft_kendall_tau(a, c, 4, &v, NULL) == 0);
	expect_undef(v, "a ranking is constant (every pair tied)");
	T_CHECK(ft_kendall_tau(a, b, 1, &v, NULL) == 0);
	expect_undef(v, "fewer than two items");
	/* the rankings 0 1 2 3 and 0 2 1 3 are a and b above */
	T_CHECK(ft_kendall_tau_orders(o1, o2, 4, &v, NULL) == 0);
	expect(v, 4.0 / 6.0);
}

/* ------------------------------------------------------------ exposure */

/* Ranking 2 0 1 3 4, groups (0, 1, 0, 1, -1): item 2 at rank 1, item 0 at
 * rank 2, item 1 at 3, item 3 at 4, item 4 (unknown) at 5.
 *   group 0: (1/log2 2 + 1/log2 3) / 2;  group 1: (1/log2 4 + 1/log2 5) / 2;
 *   group 2: no items.  Ratio, protected = 1: group 1 / group 0. */
static void test_exposure_hand(void)
{
	const int32_t g[] = { 0, 1, 0, 1, -1 };
	const size_t order[] = { 2, 0, 1, 3, 4 };
	struct ft_value e[3], v;
	double e0 = (1 + 1 / log2(3)) / 2, e1 = (0.5 + 1 / log2(5)) / 2;

	T_CHECK(ft_group_exposure(g, order, 5, 3, e, NULL) == 0);
	expect(e[0], e0);
	expect(e[1], e1);
	expect_undef(e[2], "no items in group");
	T_CHECK(ft_exposure_ratio(g, order, 5, 3, 1, &v, NULL) == 0);
	expect(v, e1 / e0);
	T_CHECK(ft_exposure_ratio(g, order, 5, 3, 2, &v, NULL) == 0);
	expect_undef(v, "no items of the protected group");
	T_CHECK(ft_exposure_ratio(g, order, 5, 2, 2, &v, NULL) == FT_EINVAL);
}

/* --------------------------------------------------------- skew, NDKL */

/* Known-group sequence 0 0 1 0 1 1 (item 6, unknown, ranked third, is
 * dropped); default target = shares of the list = (1/2, 1/2, 0).
 *   top 2: p0 = 1 -> ln(1 / (1/2)) = ln 2; group 1 absent; group 2 target 0.
 *   top 4: p0 = 3/4 -> ln 1.5; p1 = 1/4 -> ln 0.5.
 *   target (0.25, 0.25, 0.5), top 4: ln 3, ln 1, group 2 absent. */
static void test_skew_hand(void)
{
	const int32_t g[] = { 0, 0, 1, 0, 1, 1, -1 };
	const size_t order[] = { 0, 1, 6, 2, 3, 4, 5 };
	const double t[] = { 0.25, 0.25, 0.5 }, bad[] = { 0.5, 0.5, 0.5 };
	struct ft_value s[3];
	struct ft_error err = { 0 };

	T_CHECK(ft_skew(g, order, 7, 3, NULL, 2, s, NULL) == 0);
	expect(s[0], log(2));
	expect_undef(s[1], "group absent from the top k");
	expect_undef(s[2], "target proportion is 0");
	T_CHECK(ft_skew(g, order, 7, 3, NULL, 4, s, NULL) == 0);
	expect(s[0], log(1.5));
	expect(s[1], log(0.5));
	T_CHECK(ft_skew(g, order, 7, 3, t, 4, s, NULL) == 0);
	expect(s[0], log(3));
	expect(s[1], 0);
	expect_undef(s[2], "group absent from the top k");
	T_CHECK(ft_skew(g, order, 7, 3, bad, 4, s, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "sum to") != NULL);
	T_CHECK(ft_skew(g, order, 7, 3, NULL, 0, s, NULL) == FT_EINVAL);
}

/* Groups 0 1 ranked so, target (1/2, 1/2):
 *   i = 1: D = (1, 0), KL = 1 ln(1 / 0.5) = ln 2;  i = 2: D = target, 0.
 *   NDKL = (ln 2 / log2 2 + 0) / (1/log2 2 + 1/log2 3) = ln 2 / (1 + 1/log2 3).
 * Groups 0 0 1 1, default target (1/2, 1/2): KL(1,0) = ln 2 at i = 1, 2;
 * i = 3: (2/3) ln(4/3) + (1/3) ln(2/3); i = 4: 0. */
static void test_ndkl_hand(void)
{
	const int32_t g[] = { 0, 1 }, h[] = { 0, 0, 1, 1 };
	const size_t o[] = { 0, 1 }, p[] = { 0, 1, 2, 3 };
	const double t[] = { 0.5, 0.5 }, t0[] = { 1, 0 };
	struct ft_value v;
	double kl3 = 2.0 / 3.0 * log(4.0 / 3.0) + 1.0 / 3.0 * log(2.0 / 3.0);

	T_CHECK(ft_ndkl(g, o, 2, 2, t, &v, NULL) == 0);
	expect(v, log(2) / (1 + 1 / log2(3)));
	T_CHECK(ft_ndkl(h, p, 4, 2, NULL, &v, NULL) == 0);
	expect(v, (log(2) + log(2) / log2(3) + kl3 / log2(4)) /
	          (1 + 1 / log2(3) + 1 / log2(4) + 1 / log2(5)));
	T_CHECK(ft_ndkl(g, o, 2, 2, t0, &v, NULL) == 0);
	expect_undef(v, "target proportion is 0 for a group in the ranking");
}

/* ----------------------------------------------------- rND, rKL, rRD */

/* N = 20 with S = 10 protected (group 1), step 10: cut-offs 10 and 20; at
 * 20 every term is 0 (x = S).  So value = term(10) / log2 11 and
 * Z = max over the extremes of term(10) / log2 11:
 *   rND: extremes |0 - .5| = |1 - .5| = .5;  x_10 = 3: |.3 - .5| = .2 -> 0.4;
 *   rKL: extremes KL((0,1)||(.5,.5)) = KL((1,0)||..) = 1 bit; x_10 = 3:
 *        .3 log2(.3/.5) + .7 log2(.7/.5);
 *   rRD: R = 1; bottom: x_10 = 0 -> 1 - 0 = 1 = Z; x_10 = 3: 1 - 3/7 = 4/7.
 * Alternating 1 0 1 0 ...: x_10 = 5 on target -> 0.  Protected at the
 * bottom -> 1 for all three; at the top: rND, rKL 1, rRD 0 (over-
 * represented). */
static void ranking_of(const char *pat, int32_t *g, size_t *order)
{
	for (size_t i = 0; pat[i]; i++) {
		g[i] = pat[i] - '0';
		order[i] = i;
	}
}

static void test_rank_fair_hand(void)
{
	int32_t g[20];
	size_t order[20];
	struct ft_value v;
	double kl3 = 0.3 * log2(0.6) + 0.7 * log2(1.4);

	ranking_of("01010101010101010101", g, order);
	for (int m = 0; m < FT_N_RANK_FAIR; m++) {
		T_CHECK(ft_rank_fairness(m, g, order, 20, 2, 1, 10, &v, NULL) == 0);
		expect(v, 0);
	}
	ranking_of("00000000001111111111", g, order);
	for (int m = 0; m < FT_N_RANK_FAIR; m++) {
		T_CHECK(ft_rank_fairness(m, g, order, 20, 2, 1, 0, &v, NULL) == 0);
		expect(v, 1);
	}
	ranking_of("11111111110000000000", g, order);
	T_CHECK(ft_rank_fairness(FT_RF_RND, g, order, 20, 2, 1, 10, &v, NULL) == 0);
	expect(v, 1);
	T_CHECK(ft_rank_fairness(FT_RF_RKL, g, order, 20, 2, 1, 10, &v, NULL) == 0);
	expect(v, 1);
	T_CHECK(ft_rank_fairness(FT_RF_RRD, g, order, 20, 2, 1, 10, &v, NULL) == 0);
	expect(v, 0);
	ranking_of("10010000101111011010", g, order);     /* 3 protected in the top 10 */
	T_CHECK(ft_rank_fairness(FT_RF_RND, g, order, 20, 2, 1, 10, &v, NULL) == 0);
	expect(v, 0.4);
	T_CHECK(ft_rank_fairness(FT_RF_RKL, g, order, 20, 2, 1, 10, &v, NULL) == 0);
	expect(v, kl3);
	T_CHECK(ft_rank_fairness(FT_RF_RRD, g, order, 20, 2, 1, 10, &v, NULL) == 0);
	expect(v, 4.0 / 7.0);
	/* undefined cases */
	ranking_of("00000000000000000000", g, order);
	T_CHECK(ft_rank_fairness(FT_RF_RND, g, order, 20, 2, 1, 10, &v, NULL) == 0);
	expect_undef(v, "no items of the protected group");
	ranking_of("0101", g, order);
	T_CHECK(ft_rank_fairness(FT_RF_RND, g, order, 4, 2, 1, 10, &v, NULL) == 0);
	expect_undef(v, "fewer items of known group than the first cut-off");
	ranking_of("0101010101", g, order);               /* only the cut-off N */
	T_CHECK(ft_rank_fairness(FT_RF_RND, g, order, 10, 2, 1, 10, &v, NULL) == 0);
	expect_undef(v, "the measure is 0 for every ranking of these sizes");
	T_CHECK(ft_rank_fairness(9, g, order, 10, 2, 1, 10, &v, NULL) == FT_EINVAL);
	T_STREQ(ft_rank_fair_name(FT_RF_RKL), "rkl");
	T_STREQ(ft_rank_fair_name(-1), "unknown");
}

/* N = 30, S = 10, step 10: cut-offs 10, 20, 30 (30 = N is included).
 * Protected at the bottom: x = 0, 0, 10 -> rND terms 1/3, 1/3, 0; at the
 * top: x = 10, 10, 10 -> 2/3, 1/6, 0.  Z = max(1/3/log2 11 + 1/3/log2 21,
 * 2/3/log2 11 + 1/6/log2 21) = the top's.  The ranking with 5 protected in
 * the top 10 and 5 in 11..20: x = 5, 10, 10 -> 1/6, 1/6, 0. */
static void test_rank_fair_cutoffs(void)
{
	int32_t g[30];
	size_t order[30];
	struct ft_value v;
	double z = 2.0 / 3.0 / log2(11) + 1.0 / 6.0 / log2(21);

	ranking_of("101010101001010101010000000000", g, order);
	T_CHECK(ft_rank_fairness(FT_RF_RND, g, order, 30, 2, 1, 10, &v, NULL) == 0);
	expect(v, (1.0 / 6.0 / log2(11) + 1.0 / 6.0 / log2(21)) / z);
	ranking_of("000000000000000000001111111111", g, order);
	T_CHECK(ft_rank_fairness(FT_RF_RND, g, order, 30, 2, 1, 10, &v, NULL) == 0);
	expect(v, (1.0 / 3.0 / log2(11) + 1.0 / 3.0 / log2(21)) / z);
}

/* ------------------------------------------------- pairwise accuracy */

/* Items (rel, group): 0 (1, 0), 1 (0, 1), 2 (1, 1), 3 (0, 0), 4 (1, -1);
 * ranked 0 1 2 4 3.  Relevant: 0 (g0), 2 (g1); irrelevant: 1 (g1), 3 (g0).
 *   acc[0][0]: 0 above 3: 1.   acc[0][1]: 0 above 1: 1.
 *   acc[1][0]: 2 above 3: 1.   acc[1][1]: 2 above 1? no: 0.
 *   row[0] = 2/2 = 1, row[1] = 1/2; gap = 1/2; inter = |1 - 1| = 0;
 *   intra = 1 - 0 = 1.  Group 2 has no items: its row is undefined. */
static void test_pairwise_hand(void)
{
	const double rel[] = { 1, 0, 1, 0, 1 };
	const int32_t g[] = { 0, 1, 1, 0, -1 };
	const size_t order[] = { 0, 1, 2, 4, 3 };
	struct ft_pairwise *pw = NULL;

	T_CHECK(ft_pairwise_accuracy(rel, g, order, 5, 3, &pw, NULL) == 0);
	if (!pw)
		return;
	expect(pw->acc[0 * 3 + 0], 1);
	expect(pw->acc[0 * 3 + 1], 1);
	expect(pw->acc[1 * 3 + 0], 1);
	expect(pw->acc[1 * 3 + 1], 0);
	expect_undef(pw->acc[2 * 3 + 0], "no relevant items in the first group");
	expect_undef(pw->acc[0 * 3 + 2], "no irrelevant items in the second group");
	expect(pw->row[0], 1);
	expect(pw->row[1], 0.5);
	expect_undef(pw->row[2], "no relevant items in group");
	expect(pw->gap, 0.5);
	expect(pw->inter_gap, 0);
	expect(pw->intra_gap, 1);
	ft_pairwise_free(pw);
	ft_pairwise_free(NULL);
}

/* ------------------------------------------------------ query mean */

static void test_query_mean(void)
{
	struct ft_value v[3] = { { 0.5, NULL }, { NAN, "no relevant items" }, { 1, NULL } };
	struct ft_value m;
	size_t c;

	ft_query_mean(v, 3, &m, &c);
	expect(m, 0.75);
	T_CHECK(c == 2);
	ft_query_mean(v + 1, 1, &m, &c);
	expect_undef(m, "undefined in every query");
	T_CHECK(c == 0);
	ft_query_mean(v, 0, &m, NULL);
	expect_undef(m, "no queries");
}

/* ------------------------------------------------------------- errors */

static void test_errors(void)
{
	const double rel[] = { 1, 0, 2 }, neg[] = { 1, -1, 0 };
	const int32_t g[] = { 0, 1, 3 };
	const size_t dup[] = { 0, 1, 1 }, big[] = { 0, 1, 3 }, id[] = { 0, 1, 2 };
	struct ft_value v[4];
	struct ft_pairwise *pw = NULL;
	struct ft_error err = { 0 };

	T_CHECK(ft_ndcg(rel, dup, 3, 0, v, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "order[2] = 1 is repeated") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_precision(rel, big, 3, 0, v, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "not an item index") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_ndcg(neg, id, 3, 0, v, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "rel[1]") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_group_exposure(g, id, 3, 2, v, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "group[2] = 3") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_group_exposure(g, id, 3, 0, v, &err) == FT_EINVAL);
	T_CHECK(ft_ndkl(g, id, 3, 2, NULL, v, NULL) == FT_EINVAL);
	T_CHECK(ft_pairwise_accuracy(rel, g, id, 3, 2, &pw, NULL) == FT_EINVAL && !pw);
	T_CHECK(ft_kendall_tau_orders(id, dup, 3, v, NULL) == FT_EINVAL);
}

/* ---------------------------------------------------- the fixtures */

#define MAXQ 8
#define MAXN 64

struct query {
	size_t n, G;
	double rel[MAXN], score[MAXN], score2[MAXN];
	int32_t group[MAXN];
};

static struct query qs[MAXQ];
static size_t n_q;

static int load_data(void)
{
	FILE *f = fopen(RANK_DATA, "r");
	char line[512];

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		size_t q, G, i;
		double rel, s, s2;
		long g;

		if (line[0] == '#' ||
		    sscanf(line, "%zu %zu %zu %lf %ld %lf %lf", &q, &G, &i, &rel, &g, &s, &s2) != 7)
			continue;
		if (q >= MAXQ || i >= MAXN)
			continue;
		if (q + 1 > n_q)
			n_q = q + 1;
		qs[q].G = G;
		qs[q].n = i + 1 > qs[q].n ? i + 1 : qs[q].n;
		qs[q].rel[i] = rel;
		qs[q].group[i] = (int32_t)g;
		qs[q].score[i] = s;
		qs[q].score2[i] = s2;
	}
	fclose(f);
	return n_q >= 4 ? 0 : -1;
}

/* The C value of (metric, argument) on query q. */
static int compute(const struct query *d, const char *metric, long arg,
                   struct ft_value *v)
{
	size_t order[MAXN];
	struct ft_value tmp[MAXN];
	double uniform[8];
	struct ft_pairwise *pw = NULL;
	int rc = 0;

	for (size_t g = 0; g < d->G; g++)
		uniform[g] = 1.0 / (double)d->G;
	if (ft_rank_order(d->score, d->n, order, NULL) < 0)
		return -1;
	if (!strcmp(metric, "ndcg"))
		rc = ft_ndcg(d->rel, order, d->n, (size_t)arg, v, NULL);
	else if (!strcmp(metric, "precision"))
		rc = ft_precision(d->rel, order, d->n, (size_t)arg, v, NULL);
	else if (!strcmp(metric, "kendall"))
		rc = ft_kendall_tau(d->score, d->score2, d->n, v, NULL);
	else if (!strcmp(metric, "exposure")) {
		rc = ft_group_exposure(d->group, order, d->n, d->G, tmp, NULL);
		*v = tmp[arg];
	} else if (!strcmp(metric, "exposure_ratio"))
		rc = ft_exposure_ratio(d->group, order, d->n, d->G, (int32_t)arg, v, NULL);
	else if (!strncmp(metric, "skew", 4)) {
		size_t k = (size_t)atoi(metric + 4);

		rc = ft_skew(d->group, order, d->n, d->G, strstr(metric, "uniform") ? uniform : NULL,
		             k, tmp, NULL);
		*v = tmp[arg];
	} else if (!strcmp(metric, "ndkl"))
		rc = ft_ndkl(d->group, order, d->n, d->G, NULL, v, NULL);
	else if (!strcmp(metric, "ndkl_uniform"))
		rc = ft_ndkl(d->group, order, d->n, d->G, uniform, v, NULL);
	else if (!strcmp(metric, "rnd") || !strcmp(metric, "rkl") || !strcmp(metric, "rrd"))
		rc = ft_rank_fairness(metric[1] == 'n' ? FT_RF_RND : metric[1] == 'k' ? FT_RF_RKL :
		                      FT_RF_RRD, d->group, order, d->n, d->G, 1, (size_t)arg, v,
		                      NULL);
	else if (!strncmp(metric, "pair_", 5)) {
		rc = ft_pairwise_accuracy(d->rel, d->group, order, d->n, d->G, &pw, NULL);
		if (rc == 0) {
			if (!strcmp(metric, "pair_acc"))
				*v = pw->acc[arg];
			else if (!strcmp(metric, "pair_row"))
				*v = pw->row[arg];
			else if (!strcmp(metric, "pair_gap"))
				*v = pw->gap;
			else if (!strcmp(metric, "pair_inter_gap"))
				*v = pw->inter_gap;
			else
				*v = pw->intra_gap;
		}
		ft_pairwise_free(pw);
	} else if (!strcmp(metric, "infeasible_uniform")) {
		size_t c;

		rc = ft_infeasible_index(d->group, order, d->n, d->G, uniform, (size_t)arg, &c, NULL);
		v->value = (double)c;
		v->why = NULL;
	} else {
		return -2;
	}
	return rc;
}

static void test_fixtures(void)
{
	FILE *f = fopen(RANK_REF, "r");
	char line[512], metric[64], val[64];
	size_t n_checked = 0, n_undef = 0;
	double worst = 0;

	T_CHECKF(f != NULL, "cannot read " RANK_REF);
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		size_t q;
		long arg;
		double want;
		struct ft_value v;
		int rc;

		if (line[0] == '#' || sscanf(line, "%zu %63s %ld %63s", &q, metric, &arg, val) != 4)
			continue;
		want = strtod(val, NULL);
		T_CHECK(q < n_q);
		if (q >= n_q)
			break;
		rc = compute(&qs[q], metric, arg, &v);
		T_CHECKF(rc == 0, "query %zu %s(%ld): rc %d", q, metric, arg, rc);
		if (rc)
			continue;
		n_checked++;
		if (isnan(want)) {
			n_undef++;
			T_CHECKF(v.why != NULL, "query %zu %s(%ld) = %.17g, python: undefined", q,
			         metric, arg, v.value);
			continue;
		}
		T_CHECKF(v.why == NULL, "query %zu %s(%ld) undefined (%s), python %.17g", q,
		         metric, arg, v.why, want);
		T_CHECKF(fabs(v.value - want) <= 1e-12 * fmax(1, fabs(want)),
		         "query %zu %s(%ld) = %.17g, python %.17g", q, metric, arg, v.value, want);
		if (v.why == NULL)
			worst = fmax(worst, fabs(v.value - want) / fmax(1, fabs(want)));
	}
	fclose(f);
	T_CHECK(n_checked > 200 && n_undef > 5);
	fprintf(stderr, "rank fixtures: %zu values (%zu undefined), max relative difference %.3g\n",
	        n_checked, n_undef, worst);
}

int main(void)
{
	T_RUN(test_rank_order);
	T_RUN(test_ndcg_hand);
	T_RUN(test_precision_hand);
	T_RUN(test_kendall_hand);
	T_RUN(test_exposure_hand);
	T_RUN(test_skew_hand);
	T_RUN(test_ndkl_hand);
	T_RUN(test_rank_fair_hand);
	T_RUN(test_rank_fair_cutoffs);
	T_RUN(test_pairwise_hand);
	T_RUN(test_query_mean);
	T_RUN(test_errors);
	if (load_data() == 0) {
		T_RUN(test_fixtures);
	} else {
		printf("FAIL test_fixtures: cannot read " RANK_DATA " (run from the repository root)\n");
		t_n_fail++;
	}
	return t_done();
}
