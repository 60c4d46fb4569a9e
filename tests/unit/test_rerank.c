/*
 * test_rerank.c - fair re-ranking (src/fair/rerank.c): FA*IR tables, their
 * exact failure probabilities and the adjusted level against the
 * independent Python computation in tests/fixtures/fair_ref.tsv
 * (scripts/fixtures/make_ranking_fixtures.py: scipy.stats.binom, exact
 * rational enumeration of all 2^k sequences for k <= 20, an exact rational
 * forward pass, Monte Carlo bounds), hand-computed tables and failure
 * probabilities, the FA*IR re-ranking (hand case; on random data the table
 * holds at every prefix and each class keeps its score order), the Geyik et
 * al. re-rankers on hand examples worked step by step, their feasibility on
 * random data, and the error paths.  Run from the repository root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"

#define FAIR_REF "tests/fixtures/fair_ref.tsv"
#define MAXK 2048

/* --------------------------------------------------------- the fixture */

struct fcase {
	char name[16];
	size_t k;
	double p, alpha;
	size_t m[MAXK], adj_m[MAXK];
	double fail_exact, fail_enum, fail_no_last, mc[3];
	double adj_alpha, adj_fail, adj_next_fail;
	int have_enum, have_no_last, have_next, have_fail, have_adj;
};

static struct fcase cases[16];
static size_t n_cases;

static void parse_list(const char *s, size_t *m, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		char *end;

		m[i] = strtoul(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
	}
}

static int load_fixture(void)
{
	FILE *f = fopen(FAIR_REF, "r");
	static char line[65536];

	if (!f)
		return -1;
	n_cases = 0;
	while (fgets(line, sizeof line, f)) {
		char *name, *k, *p, *alpha, *kind, *value, *save;
		struct fcase *c = NULL;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = 0;
		name = strtok_r(line, "\t", &save);
		k = strtok_r(NULL, "\t", &save);
		p = strtok_r(NULL, "\t", &save);
		alpha = strtok_r(NULL, "\t", &save);
		kind = strtok_r(NULL, "\t", &save);
		value = strtok_r(NULL, "\t", &save);
		if (!value)
			continue;
		for (size_t i = 0; i < n_cases; i++)
			if (strcmp(cases[i].name, name) == 0)
				c = &cases[i];
		if (!c) {
			if (n_cases == 16)
				break;
			c = &cases[n_cases++];
			memset(c, 0, sizeof *c);
			snprintf(c->name, sizeof c->name, "%s", name);
			c->k = strtoul(k, NULL, 10);
			c->p = strtod(p, NULL);
			c->alpha = strtod(alpha, NULL);
			if (c->k > MAXK)
				c->k = MAXK;
		}
		if (strcmp(kind, "mtable") == 0)
			parse_list(value, c->m, c->k);
		else if (strcmp(kind, "adj_mtable") == 0)
			parse_list(value, c->adj_m, c->k), c->have_adj = 1;
		else if (strcmp(kind, "fail_exact") == 0)
			c->fail_exact = strtod(value, NULL), c->have_fail = 1;
		else if (strcmp(kind, "fail_enum") == 0)
			c->fail_enum = strtod(value, NULL), c->have_enum = 1;
		else if (strcmp(kind, "fail_no_last") == 0)
			c->fail_no_last = strtod(value, NULL), c->have_no_last = 1;
		else if (strcmp(kind, "fail_mc") == 0)
			sscanf(value, "%lf,%lf,%lf", &c->mc[0], &c->mc[1], &c->mc[2]);
		else if (strcmp(kind, "adj_alpha") == 0)
			c->adj_alpha = strtod(value, NULL);
		else if (strcmp(kind, "adj_fail") == 0)
			c->adj_fail = strtod(value, NULL);
		else if (strcmp(kind, "adj_next_fail") == 0)
			c->adj_next_fail = strtod(value, NULL), c->have_next = 1;
	}
	fclose(f);
	return n_cases >= 8 ? 0 : -1;
}

/* The brief's three cases must be in the fixture. */
static void test_fixture_cases(void)
{
	static const struct { size_t k; double p, alpha; } want[] = {
		{ 10, 0.5, 0.1 }, { 20, 0.3, 0.05 }, { 50, 0.6, 0.1 },
	};

	for (size_t w = 0; w < 3; w++) {
		int found = 0;

		for (size_t i = 0; i < n_cases; i++)
			found |= cases[i].k == want[w].k && cases[i].p == want[w].p &&
			         cases[i].alpha == want[w].alpha;
		T_CHECKF(found, "case (%zu, %g, %g) missing from " FAIR_REF, want[w].k,
		         want[w].p, want[w].alpha);
	}
}

/* ------------------------------------------------------- FA*IR tables */

static void test_mtable_fixture(void)
{
	for (size_t c = 0; c < n_cases; c++) {
		size_t m[MAXK];
		struct ft_error err = { 0 };

		T_CHECK(ft_fair_mtable(cases[c].k, cases[c].p, cases[c].alpha, m, &err) == 0);
		for (size_t i = 0; i < cases[c].k; i++)
			T_CHECKF(m[i] == cases[c].m[i], "case %s: m[%zu] = %zu, scipy %zu",
			         cases[c].name, i, m[i], cases[c].m[i]);
	}
}

/* Worked by hand from the binomial CDF, p = 1/2:
 *   F(0; 1) = 1/2, F(0; 2) = 1/4, F(0; 3) = 1/8 all > 0.1 -> m = 0, 0, 0;
 *   F(0; 4) = 1/16 <= 0.1 < F(1; 4) = 5/16 -> m(4) = 1.
 * The strict test: alpha = 1/4, F(0; 2) = 1/4 is not > 1/4, so m(2) = 1
 * (scipy's binom.ppf(0.25, 2, 0.5) would give 0). */
static void test_mtable_hand(void)
{
	size_t m[4];
	struct ft_error err = { 0 };

	T_CHECK(ft_fair_mtable(4, 0.5, 0.1, m, &err) == 0);
	T_CHECK(m[0] == 0 && m[1] == 0 && m[2] == 0 && m[3] == 1);
	T_CHECK(ft_fair_mtable(2, 0.5, 0.25, m, &err) == 0);
	T_CHECK(m[0] == 0 && m[1] == 1);
	T_CHECK(ft_fair_mtable(3, 0.0, 0.1, m, &err) == FT_EINVAL);
	T_CHECK(ft_fair_mtable(3, 0.5, 1.0, m, &err) == FT_EINVAL);
	T_CHECK(ft_fair_mtable(0, 0.5, 0.1, NULL, &err) == 0);
}

/* k = 2, p = 1/2, by hand:
 *   m = (1, 1): fails iff rank 1 is not protected: 1/2;
 *   m = (0, 1): fails iff neither is protected: 1/4;
 *   m = (0, 2): fails unless both are: 3/4;  m = (1, 2): also 3/4;
 * p = 0.3, m = (1, 1, 1): fails iff rank 1 is not protected: 0.7. */
static void test_fail_prob_hand(void)
{
	size_t a[] = { 1, 1 }, b[] = { 0, 1 }, c[] = { 0, 2 }, d[] = { 1, 2 }, e[] = { 1, 1, 1 };
	double f;

	T_CHECK(ft_fair_fail_prob(a, 2, 0.5, &f, NULL) == 0);
	T_NEAR(f, 0.5, 1e-15);
	T_CHECK(ft_fair_fail_prob(b, 2, 0.5, &f, NULL) == 0);
	T_NEAR(f, 0.25, 1e-15);
	T_CHECK(ft_fair_fail_prob(c, 2, 0.5, &f, NULL) == 0);
	T_NEAR(f, 0.75, 1e-15);
	T_CHECK(ft_fair_fail_prob(d, 2, 0.5, &f, NULL) == 0);
	T_NEAR(f, 0.75, 1e-15);
	T_CHECK(ft_fair_fail_prob(e, 3, 0.3, &f, NULL) == 0);
	T_NEAR(f, 0.7, 1e-15);
	T_CHECK(ft_fair_fail_prob(NULL, 0, 0.3, &f, NULL) == 0 && f == 0);
	T_CHECK(ft_fair_fail_prob(e, 3, 1.0, &f, NULL) == FT_EINVAL);
}

static void test_fail_prob_fixture(void)
{
	for (size_t c = 0; c < n_cases; c++) {
		const struct fcase *x = &cases[c];
		double f;

		if (!x->have_fail)
			continue;
		T_CHECK(ft_fair_fail_prob(x->m, x->k, x->p, &f, NULL) == 0);
		T_CHECKF(fabs(f - x->fail_exact) <= 1e-12 * x->fail_exact,
		         "case %s: fail = %.17g, exact %.17g", x->name, f, x->fail_exact);
		if (x->have_enum)
			T_CHECKF(fabs(f - x->fail_enum) <= 1e-12 * x->fail_enum,
			         "case %s: fail = %.17g, enumeration %.17g", x->name, f,
			         x->fail_enum);
		T_CHECKF(f >= x->mc[1] && f <= x->mc[2], "case %s: fail %.6g outside the "
		         "Monte Carlo interval [%.6g, %.6g]", x->name, f, x->mc[1], x->mc[2]);
		/* The table steps up at its last position: leaving that test out
		 * (fairsearchcore's off-by-one) gives the smaller value. */
		if (x->have_no_last) {
			double g;

			T_CHECK(x->m[x->k - 1] > x->m[x->k - 2]);
			T_CHECK(ft_fair_fail_prob(x->m, x->k - 1, x->p, &g, NULL) == 0);
			T_NEAR(g, x->fail_no_last, 1e-12);
			T_CHECKF(f > g + 0.01, "case %s: the last test adds nothing (%.6g vs %.6g)",
			         x->name, f, g);
		}
	}
}

/* The failure probability is a step function of the level, so alpha_c is
 * checked where it is determined: the level where the table steps past
 * alpha (a*, to 1e-9 against Python's bisection on exact rationals), the
 * table just below it (exact), its failure probability (<= alpha, 1e-12)
 * and the next table's (> alpha). */
static void test_adjust_fixture(void)
{
	for (size_t c = 0; c < n_cases; c++) {
		const struct fcase *x = &cases[c];
		size_t m[MAXK], m2[MAXK];
		double ac, f, f2;
		struct ft_error err = { 0 };

		if (!x->have_adj)
			continue;
		T_CHECK(ft_fair_adjust_alpha(x->k, x->p, x->alpha, &ac, m, &f, &err) == 0);
		T_CHECKF(fabs(ac - x->adj_alpha) <= 1e-9 * x->adj_alpha,
		         "case %s: alpha_c = %.17g, python %.17g", x->name, ac, x->adj_alpha);
		T_CHECK(ac <= x->alpha);
		for (size_t i = 0; i < x->k; i++)
			T_CHECKF(m[i] == x->adj_m[i], "case %s: adjusted m[%zu] = %zu, python %zu",
			         x->name, i, m[i], x->adj_m[i]);
		T_CHECKF(fabs(f - x->adj_fail) <= 1e-12 * x->adj_fail,
		         "case %s: adjusted fail = %.17g, python %.17g", x->name, f, x->adj_fail);
		T_CHECK(f <= x->alpha);
		T_CHECK(ft_fair_mtable(x->k, x->p, ac, m2, &err) == 0);
		T_CHECK(memcmp(m, m2, x->k * sizeof *m) == 0);
		if (x->have_next) {
			/* one double up the table steps and fails more than alpha */
			T_CHECK(ft_fair_mtable(x->k, x->p, nextafter(ac, 1.0), m2, &err) == 0);
			T_CHECK(ft_fair_fail_prob(m2, x->k, x->p, &f2, &err) == 0);
			T_CHECKF(fabs(f2 - x->adj_next_fail) <= 1e-12 * x->adj_next_fail,
			         "case %s: next table fails %.17g, python %.17g", x->name, f2,
			         x->adj_next_fail);
			T_CHECK(f2 > x->alpha);
		} else {
			T_CHECK(ac == x->alpha);
		}
	}
}

/* Small k: the unadjusted table may already fail at most alpha (k = 3, p =
 * 1/2, alpha = 0.1: the table is all 0, failure probability 0). */
static void test_adjust_no_change(void)
{
	size_t m[3];
	double ac, f;

	T_CHECK(ft_fair_adjust_alpha(3, 0.5, 0.1, &ac, m, &f, NULL) == 0);
	T_CHECK(ac == 0.1 && f == 0 && m[0] == 0 && m[1] == 0 && m[2] == 0);
	T_CHECK(ft_fair_adjust_alpha(0, 0.5, 0.1, &ac, NULL, &f, NULL) == 0 && ac == 0.1);
}

/* --------------------------------------------------- FA*IR re-ranking */

/* Scores .9 .8 .7 (non-protected, items 0-2) and .6 .5 .4 (protected,
 * items 3-5), table (0, 1, 1, 2, 2, 3):
 *   rank 1: m = 0, best is item 0 (.9);  rank 2: 0 protected < 1 -> item 3;
 *   rank 3: 1 >= 1, .8 > .5 -> item 1;   rank 4: 1 < 2 -> item 4;
 *   rank 5: 2 >= 2, .7 > .4 -> item 2;   rank 6: 2 < 3 -> item 5. */
static void test_fair_rerank_hand(void)
{
	const double s[] = { .9, .8, .7, .6, .5, .4 };
	const int32_t g[] = { 0, 0, 0, 1, 1, 1 };
	const size_t m[] = { 0, 1, 1, 2, 2, 3 }, want[] = { 0, 3, 1, 4, 2, 5 };
	const size_t m0[] = { 0, 0, 0 };
	/* equal scores: the protected item first */
	const double t[] = { .5, .5, .1 };
	const int32_t tg[] = { 0, 1, -1 };
	size_t out[6];
	struct ft_error err = { 0 };

	T_CHECK(ft_fair_rerank(s, g, 6, 1, m, 6, out, &err) == 0);
	for (size_t i = 0; i < 6; i++)
		T_CHECKF(out[i] == want[i], "rank %zu: item %zu, expected %zu", i + 1, out[i],
		         want[i]);
	T_CHECK(ft_fair_rerank(t, tg, 3, 1, m0, 3, out, &err) == 0);
	T_CHECK(out[0] == 1 && out[1] == 0 && out[2] == 2);
}

static void test_fair_rerank_random(void)
{
	enum { N = 120, K = 60 };
	double s[N];
	int32_t g[N];
	size_t m[K], out[K], order[N];
	unsigned char used[N] = { 0 };
	struct ft_rng r;
	double a;
	struct ft_error err = { 0 };

	ft_rng_seed(&r, 7);
	for (size_t i = 0; i < N; i++) {
		g[i] = ft_rng_uniform(&r) < 0.35 ? 1 : (ft_rng_uniform(&r) < 0.9 ? 0 : -1);
		/* the protected group scores lower: the table has to act */
		s[i] = ft_rng_normal(&r) - (g[i] == 1 ? 1.0 : 0.0);
	}
	T_CHECK(ft_fair_topk(s, g, N, 1, K, 0.4, 0.1, 1, out, &a, &err) == 0);
	T_CHECK(ft_fair_adjust_alpha(K, 0.4, 0.1, &a, m, NULL, &err) == 0);
	T_CHECK(ft_rank_order(s, N, order, &err) == 0);
	{
		size_t tp = 0, ip = 0, iq = 0, moved = 0;

		for (size_t i = 0; i < K; i++) {
			size_t it = out[i];

			T_CHECK(it < N && !used[it]);
			used[it] = 1;
			tp += g[it] == 1;
			T_CHECKF(tp >= m[i], "prefix %zu holds %zu protected, table %zu", i + 1, tp,
			         m[i]);
			/* each class in score order: it is the class's next in order */
			if (g[it] == 1) {
				while (g[order[ip]] != 1)
					ip++;
				T_CHECK(order[ip++] == it);
			} else {
				while (g[order[iq]] == 1)
					iq++;
				T_CHECK(order[iq++] == it);
			}
			moved += it != order[i];     /* the table acted */
		}
		T_CHECK(moved > 0);
	}
	/* an unconstrained table gives the plain score order */
	memset(m, 0, sizeof m);
	T_CHECK(ft_fair_rerank(s, g, N, 1, m, K, out, &err) == 0);
	for (size_t i = 0; i < K; i++)
		T_CHECK(out[i] == order[i]);
}

static void test_fair_rerank_errors(void)
{
	const double s[] = { .9, .8, .7, .6 };
	const int32_t g[] = { 0, 0, 0, 1 }, bad[] = { 0, -2, 0, 1 };
	const size_t m[] = { 0, 1, 2, 2 }, jump[] = { 0, 2, 2, 2 };
	size_t out[4];
	struct ft_error err = { 0 };

	T_CHECK(ft_fair_rerank(s, g, 4, 1, m, 4, out, &err) == FT_EDATA);
	T_CHECK(strstr(err.msg, "needs 2 protected items") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_fair_rerank(s, g, 4, 1, jump, 4, out, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_fair_rerank(s, g, 4, 1, m, 5, out, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_fair_rerank(s, bad, 4, 1, m, 2, out, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_fair_rerank(s, g, 4, -1, m, 2, out, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_fair_topk(s, g, 4, 1, 4, 0.9, 0.1, 0, out, NULL, &err) == FT_EDATA);
}

/* ------------------------------------------------------ Geyik et al. */

/* Three groups, p = (.5, .3, .2); lists A .9 .8 .7 .6 .5, B .85 .4 .3,
 * C .95 .2 .1; k = 6.  floor / ceil of r p per rank r:
 *   r  A      B      C          DetGreedy            DetCons (ceil(rp)/p)
 *   1  0 / 1  0 / 1  0 / 1   max{A.9,B.85,C.95}: C  min{2, 3.33, 5}: A
 *   2  1 / 1  0 / 1  0 / 1   A below min: A         B 3.33 < C 5: B
 *   3  1 / 2  0 / 1  0 / 1   A .8 < B .85: B        A 4 < C 5: A
 *   4  2 / 2  1 / 2  0 / 1   A below min: A         B 6.67 > C 5: C
 *   5  2 / 3  1 / 2  1 / 1   A .7 > B .4: A         A 6 < B 6.67: A
 *   6  3 / 3  1 / 2  1 / 2   B .4 > C .2: B         B 6.67 < C 10: B
 * (DetGreedy at r = 5: C has 1 = ceil, so only A, B; at r = 6 A is full.)
 * DetRelaxed takes ceil of DetCons' keys (2,4,5 / 4,5 / 4,5 / 7,5 / 6,7 /
 * 7,10): the same picks as DetCons here. */
static void test_det_hand(void)
{
	const double A[] = { .9, .8, .7, .6, .5 }, B[] = { .85, .4, .3 },
	             C[] = { .95, .2, .1 };
	const double *const lists[] = { A, B, C };
	const size_t len[] = { 5, 3, 3 };
	const double p[] = { .5, .3, .2 };
	const size_t greedy_g[] = { 2, 0, 1, 0, 0, 1 }, greedy_i[] = { 0, 0, 0, 1, 2, 1 };
	const size_t cons_g[] = { 0, 1, 0, 2, 0, 1 }, cons_i[] = { 0, 0, 1, 0, 2, 1 };
	size_t og[6], oi[6];
	struct ft_error err = { 0 };

	T_CHECK(ft_det_rerank(FT_DET_GREEDY, 3, lists, len, p, 6, og, oi, &err) == 0);
	for (size_t r = 0; r < 6; r++)
		T_CHECKF(og[r] == greedy_g[r] && oi[r] == greedy_i[r],
		         "greedy rank %zu: (%zu, %zu), expected (%zu, %zu)", r + 1, og[r], oi[r],
		         greedy_g[r], greedy_i[r]);
	for (int algo = FT_DET_CONS; algo <= FT_DET_RELAXED; algo++) {
		T_CHECK(ft_det_rerank(algo, 3, lists, len, p, 6, og, oi, &err) == 0);
		for (size_t r = 0; r < 6; r++)
			T_CHECKF(og[r] == cons_g[r] && oi[r] == cons_i[r],
			         "%s rank %zu: (%zu, %zu), expected (%zu, %zu)", ft_det_name(algo),
			         r + 1, og[r], oi[r], cons_g[r], cons_i[r]);
	}
}

/* Where the three differ: p = (.36, .34, .30), lists g0 .5 .4, g1 .9 .8,
 * g2 .95 .1, k = 2.  Rank 1: floors 0, ceils 1, every group below max.
 *   DetGreedy: highest next score, g2 (.95); rank 2: g0 .5 vs g1 .9 -> g1.
 *   DetCons: ceil(r p)/p = 2.78, 2.94, 3.33 -> g0; rank 2: g1 2.94 < g2
 *     3.33 -> g1.
 *   DetRelaxed: ceil of those = 3, 3, 4 -> {g0, g1}, higher score g1 (.9);
 *     rank 2: g0 3 < g2 4 -> g0. */
static void test_det_differ(void)
{
	const double g0[] = { .5, .4 }, g1[] = { .9, .8 }, g2[] = { .95, .1 };
	const double *const lists[] = { g0, g1, g2 };
	const size_t len[] = { 2, 2, 2 };
	const double p[] = { .36, .34, .30 };
	/* DetConstSort: minimums first rise at r = 3 for g0 (1.08) and g1
	 * (1.02); g1's .9 goes first, g0's .5 stays below it */
	const size_t want[FT_N_DET][2] = { { 2, 1 }, { 0, 1 }, { 1, 0 }, { 1, 0 } };
	size_t og[2], oi[2];

	for (int algo = 0; algo < FT_N_DET; algo++) {
		T_CHECK(ft_det_rerank(algo, 3, lists, len, p, 2, og, oi, NULL) == 0);
		T_CHECKF(og[0] == want[algo][0] && og[1] == want[algo][1],
		         "%s: groups %zu %zu, expected %zu %zu", ft_det_name(algo), og[0], og[1],
		         want[algo][0], want[algo][1]);
		T_CHECK(oi[0] == 0 && oi[1] == 0);
	}
	T_STREQ(ft_det_name(FT_DET_GREEDY), "det_greedy");
	T_STREQ(ft_det_name(FT_DET_RELAXED), "det_relaxed");
	T_STREQ(ft_det_name(FT_N_DET), "unknown");
}

/* The floor constraints are met at every prefix by DetCons and DetRelaxed
 * for two and three groups when no group runs out (Geyik et al., Section
 * 4.2); on the items interface each group keeps its score order. */
static void test_det_random(void)
{
	enum { N = 300, K = 100 };
	double s[N];
	int32_t g[N], gk[K];
	size_t out[K], order[N], id[K], viol;
	struct ft_rng r;
	struct ft_error err = { 0 };
	const double p2[] = { 0.3, 0.7 }, p3[] = { 0.2, 0.3, 0.5 };

	ft_rng_seed(&r, 11);
	for (size_t G = 2; G <= 3; G++) {
		const double *p = G == 2 ? p2 : p3;

		for (size_t i = 0; i < N; i++) {
			g[i] = (int32_t)ft_rng_below(&r, G);
			s[i] = ft_rng_normal(&r) + 0.8 * g[i];
		}
		T_CHECK(ft_rank_order(s, N, order, &err) == 0);
		for (int algo = 0; algo < FT_N_DET; algo++) {
			size_t next[3] = { 0, 0, 0 };

			T_CHECK(ft_det_rerank_items(algo, s, g, N, G, p, K, out, &err) == 0);
			for (size_t i = 0; i < K; i++) {
				gk[i] = g[out[i]];
				id[i] = i;
			}
			T_CHECK(ft_infeasible_index(gk, id, K, G, p, K, &viol, &err) == 0);
			if (algo != FT_DET_GREEDY)
				T_CHECKF(viol == 0, "%s, %zu groups: %zu infeasible prefixes",
				         ft_det_name(algo), G, viol);
			for (size_t i = 0; i < K; i++) {
				size_t c = (size_t)g[out[i]];

				while (g[order[next[c]]] != (int32_t)c)
					next[c]++;
				T_CHECK(order[next[c]++] == out[i]);
			}
		}
		/* the unconstrained order is infeasible somewhere */
		T_CHECK(ft_infeasible_index(g, order, N, G, p, K, &viol, &err) == 0);
		T_CHECK(viol > 0);
	}
}

/* InfeasibleIndex by hand, p = (1/2, 1/2): groups in rank order 0 0 1 1 0:
 * i = 2: group 1 has 0 < floor(1) = 1 -> infeasible; i = 3: 1 >= floor(1.5);
 * i = 4: 2, 2 fine; i = 5 fine; i = 1: floors 0.  One prefix.  An unknown
 * item is skipped; k = 1 counts only the first prefix (0). */
static void test_infeasible_hand(void)
{
	const int32_t g[] = { 0, 0, -1, 1, 1, 0 };
	const size_t order[] = { 0, 1, 2, 3, 4, 5 };
	const double p[] = { .5, .5 };
	size_t c;

	T_CHECK(ft_infeasible_index(g, order, 6, 2, p, 10, &c, NULL) == 0 && c == 1);
	T_CHECK(ft_infeasible_index(g, order, 6, 2, p, 1, &c, NULL) == 0 && c == 0);
	/* NULL: the shares 3/5, 2/5 of the known items; every prefix keeps
	 * floor(i 3/5) and floor(i 2/5) */
	T_CHECK(ft_infeasible_index(g, order, 6, 2, NULL, 10, &c, NULL) == 0 && c == 0);
}

static void test_det_errors(void)
{
	const double A[] = { .5, .9 }, B[] = { .3 };
	const double *const lists[] = { A, B };
	const size_t len[] = { 2, 1 };
	const double p[] = { .5, .5 }, bad_p[] = { .5, .6 };
	const double s[] = { 1, 2 };
	const int32_t g[] = { 0, -1 };
	size_t og[3], oi[3];
	struct ft_error err = { 0 };

	T_CHECK(ft_det_rerank(0, 2, lists, len, p, 2, og, oi, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "descending") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_det_rerank(0, 2, lists, len, bad_p, 1, og, oi, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_det_rerank(7, 2, lists, len, p, 1, og, oi, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_det_rerank_items(0, s, g, 2, 2, p, 1, og, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "every item needs its group") != NULL);
}

/* A group runs out: the best remaining item fills in (p = (1/2, 1/2), B
 * has one item): A .9, B .8, then A .7, A .6. */
static void test_det_exhausted(void)
{
	const double A[] = { .9, .7, .6 }, B[] = { .8 };
	const double *const lists[] = { A, B };
	const size_t len[] = { 3, 1 };
	const double p[] = { .5, .5 };
	size_t og[4], oi[4];

	T_CHECK(ft_det_rerank(FT_DET_CONS, 2, lists, len, p, 4, og, oi, NULL) == 0);
	T_CHECK(og[0] == 0 && og[1] == 1 && og[2] == 0 && og[3] == 0);
	T_CHECK(oi[0] == 0 && oi[1] == 0 && oi[2] == 1 && oi[3] == 2);
}

int main(void)
{
	int have = load_fixture() == 0;

	T_RUN(test_mtable_hand);
	T_RUN(test_fail_prob_hand);
	if (have) {
		T_RUN(test_fixture_cases);
		T_RUN(test_mtable_fixture);
		T_RUN(test_fail_prob_fixture);
		T_RUN(test_adjust_fixture);
	} else {
		/* the fixture is part of the repository: its absence is a failure */
		printf("FAIL test_rerank_fixture: cannot read " FAIR_REF " (run from the repository root)\n");
		t_n_fail++;
	}
	T_RUN(test_adjust_no_change);
	T_RUN(test_fair_rerank_hand);
	T_RUN(test_fair_rerank_random);
	T_RUN(test_fair_rerank_errors);
	T_RUN(test_det_hand);
	T_RUN(test_det_differ);
	T_RUN(test_det_random);
	T_RUN(test_infeasible_hand);
	T_RUN(test_det_errors);
	T_RUN(test_det_exhausted);
	return t_done();
}
