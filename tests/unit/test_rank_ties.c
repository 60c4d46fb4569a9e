/*
 * test_rank_ties.c - issue 16's metric and re-ranker defects and the
 * uncertainty over queries: tie-aware NDCG@k and precision@k against
 * scikit-learn's ndcg_score(ignore_ties=False) and brute-force averages
 * over every order of the tied items (tests/fixtures/rank_ties.tsv, made by
 * scripts/fixtures/make_rank_multi_fixtures.py), tie orders; exact default
 * proportions on the one-group queries that crashed (9, 11, 18, 20, 21
 * items); LiFT-smoothed skew and its summary over queries; DetCons and
 * DetRelaxed against exact rational arithmetic on 300 random queries
 * (det_exact.tsv), DetConstSort against a numpy port of AIF360
 * (det_const.tsv); the bootstrap and paired test against a Python port of
 * the same random streams (qboot.tsv), their reproducibility for 1 and 2
 * threads and their coverage; every @k metric at k = 1, 5, 20, n.  Run
 * from the repository root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"
#include "tsv.h"

#define FIX(name) "tests/fixtures/" name
#define MAXN 64

/* Split s at commas into up to max doubles ("nan" allowed); the count. */
/* ------------------------------------------------------------- ties */

static void test_ties_fixture(void)
{
	FILE *fp = fopen(FIX("rank_ties.tsv"), "r");
	char line[4096], *f[8];
	double rel[MAXN], score[MAXN];
	size_t n = 0, checked = 0;
	double worst = 0;

	T_CHECK(fp != NULL);
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		int nf;
		if (line[0] == '#')
			continue;
		nf = fields(line, f, 8);
		if (nf == 5 && !strcmp(f[0], "query")) {
			n = strtoul(f[2], NULL, 10);
			T_CHECK(parse_d(f[3], rel, MAXN) == n && parse_d(f[4], score, MAXN) == n);
		} else if (nf == 6 && !strcmp(f[0], "ref")) {
			size_t k = strtoul(f[2], NULL, 10);
			struct ft_value nd, pr;
			double sk = strtod(f[3], NULL), bp = strtod(f[5], NULL);
			T_CHECK(ft_ndcg_ties(rel, score, n, k, &nd, NULL) == 0 && !nd.why);
			T_CHECK(ft_precision_ties(rel, score, n, k, &pr, NULL) == 0 && !pr.why);
			/* 1e-12: sums of a few terms; observed agreement is 1e-16 */
			T_CHECKF(fabs(nd.value - sk) <= 1e-12, "%s k=%zu: ndcg %.17g sklearn %.17g",
			         f[1], k, nd.value, sk);
			T_CHECKF(fabs(pr.value - bp) <= 1e-12, "%s k=%zu: precision %.17g brute %.17g",
			         f[1], k, pr.value, bp);
			worst = fmax(worst, fmax(fabs(nd.value - sk), fabs(pr.value - bp)));
			checked++;
		}
	}
	fclose(fp);
	T_CHECKF(checked >= 40, "only %zu reference rows", checked);
	printf("# ties: %zu (query, k) pairs against scikit-learn and brute force, "
	       "largest difference %.3g\n", checked, worst);
}

/* Defect 1: on tied scores the order-based NDCG depends on the row order;
 * the tie-aware one does not, and without ties they are the same bits. */
static void test_ties_row_order(void)
{
	const double rel[8] = { 0, 0, 0, 3, 2, 0, 1, 3 };
	const double s[8] = { 1, 1, 1, 1, 0.5, 0.5, 0.5, 0 };
	double relr[8], sr[8];
	size_t o[8], orr[8];
	struct ft_value a, b, ta, tb;

	for (int i = 0; i < 8; i++) {
		relr[i] = rel[7 - i];
		sr[i] = s[7 - i];
	}
	T_CHECK(ft_rank_order(s, 8, o, NULL) == 0 && ft_rank_order(sr, 8, orr, NULL) == 0);
	T_CHECK(ft_ndcg(rel, o, 8, 3, &a, NULL) == 0 && ft_ndcg(relr, orr, 8, 3, &b, NULL) == 0);
	T_CHECKF(fabs(a.value - b.value) > 0.1, "file order %g, reversed %g", a.value, b.value);
	T_CHECK(ft_ndcg_ties(rel, s, 8, 3, &ta, NULL) == 0 &&
	        ft_ndcg_ties(relr, sr, 8, 3, &tb, NULL) == 0);
	T_CHECK(ta.value == tb.value);
	/* no ties: the same as the order-based value */
	{
		const double s2[8] = { .8, .1, .7, .6, .5, .4, .3, .2 };
		struct ft_value x, y;
		T_CHECK(ft_rank_order(s2, 8, o, NULL) == 0);
		for (size_t k = 1; k <= 8; k++) {
			T_CHECK(ft_ndcg(rel, o, 8, k, &x, NULL) == 0);
			T_CHECK(ft_ndcg_ties(rel, s2, 8, k, &y, NULL) == 0);
			T_CHECKF(x.value == y.value, "k=%zu %.17g %.17g", k, x.value, y.value);
			T_CHECK(ft_precision(rel, o, 8, k, &x, NULL) == 0);
			T_CHECK(ft_precision_ties(rel, s2, 8, k, &y, NULL) == 0);
			T_CHECK(x.value == y.value);
		}
	}
}

/* The mean of the NDCG of seeded random tie-breaks tends to the
 * tie-aware value; each is a permutation that respects the scores. */
static void test_ties_random_order(void)
{
	const double rel[8] = { 0, 0, 0, 3, 2, 0, 1, 3 };
	const double s[8] = { 1, 1, 1, 1, 0.5, 0.5, 0.5, 0 };
	size_t o[8], o2[8], nt, ns;
	struct ft_value v, t;
	double sum = 0;
	int differ = 0;

	T_CHECK(ft_ndcg_ties(rel, s, 8, 3, &t, NULL) == 0);
	for (uint64_t seed = 0; seed < 4000; seed++) {
		int seen[8] = { 0 };
		T_CHECK(ft_rank_order_ties(s, 8, FT_TIE_RANDOM, seed, o, NULL) == 0);
		for (int r = 0; r < 8; r++) {
			seen[o[r]]++;
			if (r)
				T_CHECK(s[o[r - 1]] >= s[o[r]]);
		}
		for (int i = 0; i < 8; i++)
			T_CHECK(seen[i] == 1);
		T_CHECK(ft_ndcg(rel, o, 8, 3, &v, NULL) == 0);
		sum += v.value;
		T_CHECK(ft_rank_order_ties(s, 8, FT_TIE_RANDOM, seed, o2, NULL) == 0);
		T_CHECK(memcmp(o, o2, sizeof o) == 0);     /* same seed, same order */
		if (seed == 1)
			differ = memcmp(o, o2, sizeof o);
	}
	(void)differ;
	/* 4000 draws: the standard error of the mean is below 0.005 */
	T_CHECKF(fabs(sum / 4000 - t.value) < 0.02, "mean %g, tie-aware %g", sum / 4000, t.value);
	T_CHECK(ft_rank_order_ties(s, 8, FT_TIE_STABLE, 9, o, NULL) == 0);
	T_CHECK(ft_rank_order(s, 8, o2, NULL) == 0 && memcmp(o, o2, sizeof o) == 0);
	T_CHECK(ft_rank_ties(s, 8, &nt, &ns, NULL) == 0 && nt == 7 && ns == 2);
	T_CHECK(strstr(ft_tie_rule(FT_TIE_STABLE), "input order") != NULL);
	T_CHECK(strstr(ft_tie_rule(FT_TIE_RANDOM), "random") != NULL);
	T_CHECK(ft_rank_order_ties(s, 8, 7, 0, o, NULL) == FT_EINVAL);
	{
		double bad[2] = { 1, NAN };
		T_CHECK(ft_ndcg_ties(rel, bad, 2, 1, &v, NULL) == FT_EINVAL);
		T_CHECK(ft_rank_ties(bad, 2, NULL, NULL, NULL) == FT_EINVAL);
	}
}

/* ---------------------------------------------------------- proportions */

/* Defect 2: one-group queries of 9, 11, 18, 20, 21 items: 1/n added n
 * times exceeds 1; the exact shares are 1, and every re-ranker accepts
 * both (tolerance 1e-9, divided by the sum). */
static void test_exact_proportions(void)
{
	const size_t sizes[] = { 9, 11, 18, 20, 21 };
	int32_t g[32];
	double s[32], p[2];
	size_t out[32];

	for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++) {
		size_t n = sizes[c];
		double acc = 0;
		for (size_t i = 0; i < n; i++) {
			g[i] = 0;
			s[i] = (double)i;
			acc += 1.0 / (double)n;
		}
		T_CHECKF(acc > 1.0, "n = %zu: 1/n added n times is %.17g", n, acc);
		T_CHECK(ft_group_proportions(g, n, 2, p, NULL) == 0 && p[0] == 1.0 && p[1] == 0.0);
		for (int algo = 0; algo < FT_N_DET; algo++) {
			double old[2] = { acc, 0 };
			struct ft_error err = { 0 };
			T_CHECKF(ft_det_rerank_items(algo, s, g, n, 2, old, n, out, &err) == 0,
			         "%s n=%zu: %s", ft_det_name(algo), n, err.msg);
			T_CHECK(ft_det_rerank_items(algo, s, g, n, 2, p, n, out, NULL) == 0);
			T_CHECK(ft_det_rerank_items(algo, s, g, n, 2, NULL, n, out, NULL) == 0);
			T_CHECK(s[out[0]] == (double)(n - 1));
		}
	}
	/* still refused: off by more than 1e-9 */
	{
		double bad[2] = { 0.6, 0.5 }, neg[2] = { 1.1, -0.1 };
		T_CHECK(ft_det_rerank_items(0, s, g, 5, 2, bad, 5, out, NULL) == FT_EINVAL);
		T_CHECK(ft_det_rerank_items(0, s, g, 5, 2, neg, 5, out, NULL) == FT_EINVAL);
	}
	{
		const int32_t gg[5] = { -1, 0, 2, 2, -1 };
		double q[3];
		T_CHECK(ft_group_proportions(gg, 5, 3, q, NULL) == 0);
		T_CHECK(q[0] == 1.0 / 3 && q[1] == 0 && q[2] == 2.0 / 3);
		T_CHECK(ft_group_proportions(gg, 1, 3, q, NULL) == FT_EDATA);
		T_CHECK(ft_group_proportions(gg, 5, 2, q, NULL) == FT_EINVAL);
	}
}

/* Defect 4: DetCons and DetRelaxed equal exact rational arithmetic on 300
 * random queries, with p = NULL (exact shares) and with p as doubles. */
static void test_det_exact_fixture(void)
{
	FILE *fp = fopen(FIX("det_exact.tsv"), "r");
	char line[8192], *f[8];
	size_t agree_null = 0, agree_p = 0, total = 0;

	T_CHECK(fp != NULL);
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		double gd[MAXN], s[MAXN], cons[MAXN], relx[MAXN], p[8];
		int32_t g[MAXN];
		size_t n, G, out[MAXN], cnt[8] = { 0 };
		int ok_null = 1, ok_p = 1;

		if (line[0] == '#' || fields(line, f, 8) != 7 || strcmp(f[0], "q"))
			continue;
		G = strtoul(f[2], NULL, 10);
		n = parse_d(f[3], gd, MAXN);
		T_CHECK(parse_d(f[4], s, MAXN) == n && parse_d(f[5], cons, MAXN) == n &&
		        parse_d(f[6], relx, MAXN) == n);
		for (size_t i = 0; i < n; i++) {
			g[i] = (int32_t)gd[i];
			cnt[g[i]]++;
		}
		for (size_t a = 0; a < G; a++)
			p[a] = (double)cnt[a] / (double)n;
		for (int which = 0; which < 2; which++) {
			int algo = which ? FT_DET_RELAXED : FT_DET_CONS;
			const double *want = which ? relx : cons;
			T_CHECK(ft_det_rerank_items(algo, s, g, n, G, NULL, n, out, NULL) == 0);
			for (size_t r = 0; r < n; r++)
				ok_null &= out[r] == (size_t)want[r];
			T_CHECK(ft_det_rerank_items(algo, s, g, n, G, p, n, out, NULL) == 0);
			for (size_t r = 0; r < n; r++)
				ok_p &= out[r] == (size_t)want[r];
		}
		agree_null += ok_null;
		agree_p += ok_p;
		total++;
	}
	fclose(fp);
	T_CHECK(total == 300);
	T_CHECKF(agree_null == total && agree_p == total,
	         "DetCons/DetRelaxed agree with exact arithmetic in %zu (p = NULL) and %zu "
	         "(p doubles) of %zu queries", agree_null, agree_p, total);
	printf("# det exact: DetCons and DetRelaxed agree with Fractions on %zu/%zu (p = NULL) "
	       "and %zu/%zu (p = count/n doubles)\n", agree_null, total, agree_p, total);
}

/* DetConstSort against the numpy port of AIF360's "Constrained". */
static void test_det_const_fixture(void)
{
	FILE *fp = fopen(FIX("det_const.tsv"), "r");
	char line[8192], *f[9];
	size_t agree = 0, total = 0;

	T_CHECK(fp != NULL);
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		double gd[MAXN], s[MAXN], want[MAXN], p[8];
		int32_t g[MAXN];
		size_t n, G, k, out[MAXN];
		int ok = 1;

		if (line[0] == '#' || fields(line, f, 9) != 8 || strcmp(f[0], "q"))
			continue;
		G = strtoul(f[2], NULL, 10);
		k = strtoul(f[3], NULL, 10);
		T_CHECK(parse_d(f[4], p, 8) == G);
		n = parse_d(f[5], gd, MAXN);
		T_CHECK(parse_d(f[6], s, MAXN) == n && parse_d(f[7], want, MAXN) == k);
		for (size_t i = 0; i < n; i++)
			g[i] = (int32_t)gd[i];
		T_CHECK(ft_det_rerank_items(FT_DET_CONST_SORT, s, g, n, G, p, k, out, NULL) == 0);
		for (size_t r = 0; r < k; r++)
			ok &= out[r] == (size_t)want[r];
		agree += ok;
		total++;
	}
	fclose(fp);
	T_CHECKF(total == 200 && agree == total, "DetConstSort agrees with AIF360 in %zu of %zu",
	         agree, total);
	printf("# det_const_sort: %zu/%zu queries equal the AIF360 port\n", agree, total);
}

/* DetConstSort when a group runs out: the rest by score, every item once. */
static void test_det_const_exhausted(void)
{
	const double s[6] = { .9, .8, .7, .6, .5, .4 };
	const int32_t g[6] = { 0, 0, 0, 0, 0, 1 };
	const double p[2] = { .5, .5 };
	size_t out[6], seen[6] = { 0 };

	T_CHECK(ft_det_rerank_items(FT_DET_CONST_SORT, s, g, 6, 2, p, 6, out, NULL) == 0);
	for (int r = 0; r < 6; r++)
		seen[out[r]]++;
	for (int i = 0; i < 6; i++)
		T_CHECK(seen[i] == 1);
	T_CHECK(out[0] == 0 && out[1] == 5);   /* r = 2: both minimums rise */
}

/* -------------------------------------------------------------- skew */

/* LiFT's formula by hand; an absent group is defined; on target it is 0. */
static void test_skew_smoothed(void)
{
	const int32_t g[6] = { 0, 0, 0, 1, 1, 2 };
	const size_t o[6] = { 0, 1, 2, 3, 4, 5 };
	const double t[3] = { 0.5, 0.25, 0.25 };
	struct ft_value v[3], plain[3], lo, hi;
	int32_t amin, amax;

	/* top 4: counts 3, 1, 0 against k t = 2, 1, 1 */
	T_CHECK(ft_skew_smoothed(g, o, 6, 3, t, 4, 1.0, v, NULL) == 0);
	T_NEAR(v[0].value, log(4.0 / 3.0), 1e-15);
	T_NEAR(v[1].value, 0.0, 1e-15);
	T_NEAR(v[2].value, log(1.0 / 2.0), 1e-15);
	/* LiFT's computeAllSkews literally: log(p+a) - log(q+a) - log(psum/qsum) */
	T_NEAR(v[2].value, log(0 + 1.0) - log(1 + 1.0) - log((4 + 3.0) / (4 + 3.0)), 1e-15);
	T_CHECK(ft_skew(g, o, 6, 3, t, 4, plain, NULL) == 0 && plain[2].why);
	T_CHECK(ft_skew_minmax(g, o, 6, 3, t, 4, 1.0, &lo, &hi, &amin, &amax, NULL) == 0);
	T_CHECK(amin == 2 && amax == 0 && lo.value == v[2].value && hi.value == v[0].value);
	/* on target: 0 exactly */
	{
		const int32_t g2[4] = { 0, 1, 0, 1 };
		T_CHECK(ft_skew_smoothed(g2, o, 4, 2, NULL, 2, 1.0, v, NULL) == 0);
		T_CHECK(v[0].value == 0 && v[1].value == 0);
	}
	T_CHECK(ft_skew_smoothed(g, o, 6, 3, t, 0, 1.0, v, NULL) == FT_EINVAL);
	T_CHECK(ft_skew_smoothed(g, o, 6, 3, t, 4, 0.0, v, NULL) == FT_EINVAL);
}

/* Defect 3: the mean over the queries where the group appears has the
 * wrong sign; the summary says how many queries each number uses and
 * gives the pooled value. */
static void test_skew_summary(void)
{
	/* 4 queries of 4 items, top 2; group 1 holds half of each query.
	 * q0: group 1 at the top twice (skew ln 2); q1-q3: absent. */
	const int32_t g[16] = { 1, 1, 0, 0,  0, 0, 1, 1,  0, 0, 1, 1,  0, 0, 1, 1 };
	const size_t o[16] = { 0, 1, 2, 3,  0, 1, 2, 3,  0, 1, 2, 3,  0, 1, 2, 3 };
	const size_t qoff[5] = { 0, 4, 8, 12, 16 };
	struct ft_skew_summary s[2];

	T_CHECK(ft_skew_summary(g, o, qoff, 4, 2, NULL, 2, FT_LIFT_ALPHA, s, NULL) == 0);
	T_CHECK(s[1].n_present == 1 && s[1].n_mean == 4);
	T_NEAR(s[1].mean_present.value, log(2.0), 1e-15);      /* looks over-represented */
	T_NEAR(s[1].pooled.value, log(2.0 / 4.0), 1e-15);      /* 2 of 8 places, expected 4 */
	/* smoothed: q0 ln(3/2), q1-q3 ln(1/2) */
	T_NEAR(s[1].mean.value, (log(1.5) + 3 * log(0.5)) / 4, 1e-15);
	T_CHECK(s[1].mean.value < 0 && s[1].pooled.value < 0 && s[1].mean_present.value > 0);
	T_CHECK(s[1].alpha == 1.0);
	printf("# skew summary: present-only mean %+.3f over %zu query, smoothed mean %+.3f over "
	       "%zu, pooled %+.3f\n", s[1].mean_present.value, s[1].n_present, s[1].mean.value,
	       s[1].n_mean, s[1].pooled.value);
}

/* ------------------------------------------------------------ cut-offs */

/* Every @k metric at k = 1, 5, 20 and n, against direct counts. */
static void test_cutoffs(void)
{
	enum { N = 30 };
	double rel[N], s[N], p[3] = { 0.5, 0.3, 0.2 };
	int32_t g[N];
	size_t o[N], ks[4] = { 1, 5, 20, N };
	struct ft_value v, sk[3], sm[3];

	for (int i = 0; i < N; i++) {
		rel[i] = (double)((i * 7) % 4);
		s[i] = (double)((i * 11) % N) / N;
		g[i] = (i * 5) % 3;
	}
	T_CHECK(ft_rank_order(s, N, o, NULL) == 0);
	for (int c = 0; c < 4; c++) {
		size_t k = ks[c], hits = 0, cnt[3] = { 0 }, inf;
		double dcg = 0, idcg = 0, sorted[N];
		for (size_t r = 0; r < k; r++) {
			hits += rel[o[r]] > 0;
			cnt[g[o[r]]]++;
			dcg += (pow(2, rel[o[r]]) - 1) / log2(r + 2.0);
		}
		memcpy(sorted, rel, sizeof sorted);
		for (int i = 0; i < N; i++)
			for (int j = i + 1; j < N; j++)
				if (sorted[j] > sorted[i]) {
					double t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t;
				}
		for (size_t r = 0; r < k; r++)
			idcg += (pow(2, sorted[r]) - 1) / log2(r + 2.0);
		T_CHECK(ft_ndcg(rel, o, N, k, &v, NULL) == 0);
		T_NEAR(v.value, dcg / idcg, 1e-14);
		T_CHECK(ft_ndcg_ties(rel, s, N, k, &v, NULL) == 0);
		T_NEAR(v.value, dcg / idcg, 1e-14);
		T_CHECK(ft_precision(rel, o, N, k, &v, NULL) == 0 && v.value == (double)hits / k);
		T_CHECK(ft_precision_ties(rel, s, N, k, &v, NULL) == 0);
		T_NEAR(v.value, (double)hits / k, 1e-15);
		T_CHECK(ft_skew(g, o, N, 3, p, k, sk, NULL) == 0);
		T_CHECK(ft_skew_smoothed(g, o, N, 3, p, k, 1.0, sm, NULL) == 0);
		for (int a = 0; a < 3; a++) {
			if (cnt[a])
				T_NEAR(sk[a].value, log((double)cnt[a] / k / p[a]), 1e-14);
			else
				T_CHECK(sk[a].why != NULL);
			T_NEAR(sm[a].value, log((cnt[a] + 1.0) / (k * p[a] + 1.0)), 1e-14);
		}
		T_CHECK(ft_infeasible_index(g, o, N, 3, p, k, &inf, NULL) == 0 && inf <= k);
	}
}

/* ------------------------------------------------------ uncertainty */

struct qfix {
	struct ft_value v[64], w[64];
	size_t n;
};

static int load_qboot(struct qfix *q)
{
	FILE *fp = fopen(FIX("qboot.tsv"), "r");
	char line[4096], *f[8];
	double x[64];

	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		struct ft_value *dst;
		if (line[0] == '#' || fields(line, f, 8) != 2)
			continue;
		dst = !strcmp(f[0], "v") ? q->v : q->w;
		q->n = parse_d(f[1], x, 64);
		for (size_t i = 0; i < q->n; i++) {
			dst[i].value = x[i];
			dst[i].why = isnan(x[i]) ? "undefined" : NULL;
		}
	}
	fclose(fp);
	return 0;
}

static void test_qboot_fixture(void)
{
	struct qfix q;
	FILE *fp;
	char line[4096], *f[8];
	int rows = 0;
	size_t n_def = 0;

	memset(&q, 0, sizeof q);
	T_CHECK(load_qboot(&q) == 0 && q.n == 40);
	for (size_t i = 0; i < q.n; i++)
		n_def += !q.v[i].why;
	fp = fopen(FIX("qboot.tsv"), "r");
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		int nf;
		if (line[0] == '#')
			continue;
		nf = fields(line, f, 8);
		if (nf == 7 && !strcmp(f[0], "boot")) {
			struct ft_interval iv;
			uint64_t seed = strtoull(f[1], NULL, 10);
			size_t nb = strtoul(f[2], NULL, 10);
			double level = strtod(f[3], NULL);
			for (int threads = 1; threads <= 2; threads++) {
				ft_set_threads(threads);
				T_CHECK(ft_query_bootstrap(q.v, q.n, nb, seed, level, &iv, NULL) == 0);
				/* the Python port draws the same streams: equal to rounding */
				T_NEAR(iv.lo.value, strtod(f[4], NULL), 1e-15);
				T_NEAR(iv.hi.value, strtod(f[5], NULL), 1e-15);
				T_CHECK(iv.n_boot == strtoul(f[6], NULL, 10) && iv.n_used == n_def);
			}
			rows++;
		} else if (nf == 5 && !strcmp(f[0], "paired")) {
			struct ft_value d;
			double pv;
			size_t used;
			T_CHECK(ft_query_paired_test(q.w, q.v, q.n, strtoul(f[2], NULL, 10),
			                             strtoull(f[1], NULL, 10), &d, &pv, &used,
			                             NULL) == 0);
			T_NEAR(d.value, strtod(f[3], NULL), 1e-15);
			T_CHECK(pv == strtod(f[4], NULL));
			rows++;
		}
	}
	fclose(fp);
	ft_set_threads(0);
	T_CHECK(rows == 4);
}

/* Coverage: 95% intervals of the mean of 40 N(0.5, 0.2) queries cover 0.5
 * in about 95% of 300 data sets (binomial sd 1.3%: [0.88, 0.99] is 5 sd). */
static void test_qboot_coverage(void)
{
	struct ft_rng r;
	struct ft_value v[40];
	int cover = 0;

	ft_rng_seed(&r, 2026);
	for (int d = 0; d < 300; d++) {
		struct ft_interval iv;
		for (int i = 0; i < 40; i++) {
			v[i].value = 0.5 + 0.2 * ft_rng_normal(&r);
			v[i].why = NULL;
		}
		T_CHECK(ft_query_bootstrap(v, 40, 400, (uint64_t)d, 0.95, &iv, NULL) == 0);
		cover += iv.lo.value <= 0.5 && 0.5 <= iv.hi.value;
	}
	T_CHECKF(cover >= 264 && cover <= 297, "coverage %d of 300", cover);
	printf("# bootstrap coverage: %d/300 intervals at 95%% contain the mean\n", cover);
}

static void test_qboot_ratio_and_errors(void)
{
	const double num[4] = { 2, 0, 0, 0 }, den[4] = { 1, 1, 1, 1 };
	struct ft_interval iv;
	struct ft_value one[1] = { { NAN, "x" } }, d;
	double pv;

	T_CHECK(ft_query_bootstrap_ratio(num, den, 4, 1, 200, 1, 0.9, &iv, NULL) == 0);
	T_NEAR(iv.est.value, log(0.5), 1e-15);
	T_CHECK(iv.n_boot < 200);     /* resamples without query 0 have log 0 */
	T_CHECK(ft_query_bootstrap(one, 1, 100, 1, 0.95, &iv, NULL) == 0 && iv.est.why);
	T_CHECK(ft_query_bootstrap(one, 1, 1, 1, 0.95, &iv, NULL) == FT_EINVAL);
	T_CHECK(ft_query_bootstrap(one, 1, 10, 1, 1.5, &iv, NULL) == FT_EINVAL);
	T_CHECK(ft_query_paired_test(one, one, 1, 10, 1, &d, &pv, NULL, NULL) == 0 && d.why);
}

int main(void)
{
	T_RUN(test_ties_fixture);
	T_RUN(test_ties_row_order);
	T_RUN(test_ties_random_order);
	T_RUN(test_exact_proportions);
	T_RUN(test_det_exact_fixture);
	T_RUN(test_det_const_fixture);
	T_RUN(test_det_const_exhausted);
	T_RUN(test_skew_smoothed);
	T_RUN(test_skew_summary);
	T_RUN(test_cutoffs);
	T_RUN(test_qboot_fixture);
	T_RUN(test_qboot_coverage);
	T_RUN(test_qboot_ratio_and_errors);
	return t_done();
}
