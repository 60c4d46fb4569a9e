/*
 * test_rank_expect.c - the metrics of rankings with tied items
 * (src/metrics/rank_expect.c) against brute force: every order of the
 * input items (n! of them, n <= 7) is ranked (by score, or by a re-ranker
 * of the registry), measured with the order-based metrics of ranking.c,
 * and averaged; the pooled metrics must equal those averages (NDCG@k,
 * precision@k, each group's exposure, each item's rank, the pairwise
 * accuracies, the expected group counts of every prefix) for random
 * queries with heavy ties and unknown groups.  Then the cases that show
 * what pooling is for: a query of all-equal scores sorted by relevance
 * (NDCG not 1; skew 0, NDKL 0, exposure ratio 1), and equality with the
 * order-based metrics when there are no ties.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "metrics/metrics.h"
#include "t.h"

#define NMAX 7
#define G 3

/* Heap's algorithm state: every permutation of 0 .. n-1. */
struct perms {
	size_t n, c[NMAX], a[NMAX], i;
};

static void perms_init(struct perms *p, size_t n)
{
	p->n = n;
	p->i = 0;
	for (size_t j = 0; j < n; j++) {
		p->a[j] = j;
		p->c[j] = 0;
	}
}

static int perms_next(struct perms *p)
{
	while (p->i < p->n) {
		if (p->c[p->i] < p->i) {
			size_t j = p->i % 2 ? p->c[p->i] : 0, t = p->a[j];
			p->a[j] = p->a[p->i];
			p->a[p->i] = t;
			p->c[p->i]++;
			p->i = 0;
			return 1;
		}
		p->c[p->i] = 0;
		p->i++;
	}
	return 0;
}

/* The averages over every input order of one query's ranking. */
struct avg {
	double ndcg[NMAX + 1], prec[NMAX + 1], expo[G], erank[NMAX], acc[G * G], row[G];
	double cnt[NMAX * G];      /* expected count of group g in the top i known */
	size_t m;                  /* known items */
	size_t count;
};

/* Rank the items in input order `in` (a permutation): by score, or by the
 * re-ranker rr; order gets item indices. */
static int rank_in(const size_t *in, size_t n, const double *score, const int32_t *grp,
                   const struct ft_method_spec *rr, size_t *order)
{
	double s2[NMAX];
	int32_t g2[NMAX];
	size_t o2[NMAX], k;
	int fl;

	for (size_t i = 0; i < n; i++) {
		s2[i] = score[in[i]];
		g2[i] = grp[in[i]];
	}
	if (rr) {
		if (rr->method->rerank(rr, s2, g2, n, G, 1, o2, &k, &fl, NULL))
			return -1;
	} else if (ft_rank_order(s2, n, o2, NULL)) {
		return -1;
	}
	for (size_t r = 0; r < n; r++)
		order[r] = in[o2[r]];
	return 0;
}

/* The items past the re-ranker's k in score order, equal scores in the
 * order of their positions in sigma. */
static void tail_by(size_t *order, size_t n, size_t k, const double *score,
                    const size_t *sigma)
{
	size_t pos[NMAX];

	for (size_t i = 0; i < n; i++)
		pos[sigma[i]] = i;
	for (size_t a = k + 1; a < n; a++)
		for (size_t b = a; b > k; b--) {
			size_t x = order[b - 1], y = order[b];
			if (score[y] > score[x] || (score[y] == score[x] && pos[y] < pos[x])) {
				order[b - 1] = y;
				order[b] = x;
			}
		}
}

/* Every input order of the items (P); with a re-ranker whose top k is
 * shorter than the query, every order (S) of the ties past k as well: the
 * pooled measurement takes them in uniformly random order, independently
 * of the input order that chose the top k. */
static int brute(const double *rel, const double *score, const int32_t *grp, size_t n,
                 const struct ft_method_spec *rr, size_t k, struct avg *A)
{
	struct perms P, S;
	size_t order[NMAX], base[NMAX];

	memset(A, 0, sizeof *A);
	perms_init(&P, n);
	do {
		if (rank_in(P.a, n, score, grp, rr, base))
			return -1;
		perms_init(&S, k < n ? n : 1);
	do {
		struct ft_value v, ex[G];
		struct ft_pairwise *pw = NULL;
		size_t m = 0, c[G] = {0};
		memcpy(order, base, n * sizeof *order);
		if (k < n)
			tail_by(order, n, k, score, S.a);
		for (size_t kk = 1; kk <= n; kk++) {
			ft_ndcg(rel, order, n, kk, &v, NULL);
			A->ndcg[kk] += v.value;
			ft_precision(rel, order, n, kk, &v, NULL);
			A->prec[kk] += v.value;
		}
		ft_group_exposure(grp, order, n, G, ex, NULL);
		for (size_t g = 0; g < G; g++)
			A->expo[g] += ex[g].why ? 0 : ex[g].value;
		for (size_t r = 0; r < n; r++)
			A->erank[order[r]] += (double)(r + 1);
		ft_pairwise_accuracy(rel, grp, order, n, G, &pw, NULL);
		for (size_t j = 0; j < G * G; j++)
			A->acc[j] += pw->acc[j].why ? 0 : pw->acc[j].value;
		for (size_t g = 0; g < G; g++)
			A->row[g] += pw->row[g].why ? 0 : pw->row[g].value;
		ft_pairwise_free(pw);
		for (size_t r = 0; r < n; r++)
			if (grp[order[r]] >= 0) {
				c[grp[order[r]]]++;
				for (size_t g = 0; g < G; g++)
					A->cnt[m * G + g] += (double)c[g];
				m++;
			}
		A->m = m;
		A->count++;
	} while (perms_next(&S));
	} while (perms_next(&P));
	return 0;
}

/* The pooled metrics of the ranking made from the input order, against
 * the averages; worst difference into *worst. */
static void compare(const double *rel, const double *score, const int32_t *grp, size_t n,
                    const struct ft_method_spec *rr, const struct avg *A, double *worst,
                    const char *what)
{
	size_t in[NMAX], order[NMAX], m = 0, k = n;
	struct ft_xrank x;
	struct ft_value v, ex[G];
	struct ft_pairwise *pw = NULL;
	double er[NMAX], *F = NULL, cum[G] = {0}, N = (double)A->count, d;

	for (size_t i = 0; i < n; i++)
		in[i] = i;
	if (rr) {
		int fl;
		T_CHECK(rr->method->rerank(rr, score, grp, n, G, 1, order, &k, &fl, NULL) == 0);
	} else {
		T_CHECK(rank_in(in, n, score, grp, NULL, order) == 0);
	}
	T_CHECK(ft_xrank_build(&x, order, n, score, grp, rr ? FT_XR_RERANK : FT_XR_SCORE, k,
	                       NULL) == 0);
/* 1e-11: the brute-force average sums up to 5! x 5! = 14400 terms of
 * order 1, each rounded (observed 3e-13); both NaN (undefined) is equal */
#define CMP(a, b) do { d = isnan(a) && isnan(b) ? 0 : fabs((a) - (b)); \
	*worst = fmax(*worst, d); \
	T_CHECKF(d <= 1e-11, "%s n=%zu %s: %.17g vs brute %.17g", what, n, #a, (double)(a), \
	         (double)(b)); } while (0)
	for (size_t kk = 1; kk <= n; kk++) {
		T_CHECK(ft_xrank_ndcg(&x, rel, kk, &v, NULL) == 0);
		CMP(v.value, A->ndcg[kk] / N);
		T_CHECK(ft_xrank_precision(&x, rel, kk, &v, NULL) == 0);
		CMP(v.value, A->prec[kk] / N);
	}
	T_CHECK(ft_xrank_exposure(&x, grp, G, 1, ex, NULL) == 0);
	for (size_t g = 0; g < G; g++)
		CMP(ex[g].why ? 0 : ex[g].value, A->expo[g] / N);
	T_CHECK(ft_xrank_erank(&x, er) == 0);
	for (size_t i = 0; i < n; i++)
		CMP(er[i], A->erank[i] / N);
	T_CHECK(ft_xrank_pairwise(&x, rel, grp, G, &pw) == 0);
	for (size_t j = 0; j < G * G; j++)
		CMP(pw->acc[j].why ? 0 : pw->acc[j].value, A->acc[j] / N);
	for (size_t g = 0; g < G; g++)
		CMP(pw->row[g].why ? 0 : pw->row[g].value, A->row[g] / N);
	ft_pairwise_free(pw);
	T_CHECK(ft_xrank_soft(&x, grp, G, &F, &m) == 0);
	T_CHECK(m == A->m);
	for (size_t r = 0; r < m; r++)
		for (size_t g = 0; g < G; g++) {
			cum[g] += F[r * G + g];
			CMP(cum[g], A->cnt[r * G + g] / N);
		}
#undef CMP
	free(F);
	ft_xrank_free(&x);
}

/* Random queries with heavy ties: scores from {0, 1, 2}, groups from
 * {-1, 0, 1, 2} (no -1 for re-rankers, which need every group). */
static void test_expect_brute_force(void)
{
	static const char *const SPECS[] = {
		NULL, "fair:p=0.4,alpha=0.3", "fair:p=0.5,alpha=0.2,k=3", "det_greedy",
		"det_cons:p=0.5/0.25/0.25", "det_relaxed", "det_const_sort", "det_greedy:k=3",
		"mfair:p=0.4/0.3/0.3,alpha=0.2,base=0",
	};
	struct ft_rng rng;
	double worst = 0;
	size_t cases = 0;

	ft_rng_seed(&rng, 16);
	for (size_t sp = 0; sp < sizeof SPECS / sizeof *SPECS; sp++) {
		struct ft_method_spec rr;
		if (SPECS[sp])
			T_CHECK(ft_method_spec_parse(SPECS[sp], FT_TASK_RANK, FT_STAGE_RERANK, &rr,
			                             NULL) == 0);
		for (int t = 0; t < 40; t++) {
			/* a top k shorter than the query: n! x n! orders, n <= 5 */
			int short_k = SPECS[sp] && strstr(SPECS[sp], "k=3");
			size_t n = 3 + (size_t)ft_rng_below(&rng, short_k ? 3 : NMAX - 2);
			double rel[NMAX], score[NMAX];
			int32_t grp[NMAX];
			struct avg A;
			/* FA*IR has two groups: protected 1 and the rest (0) */
			size_t ng = SPECS[sp] && !strncmp(SPECS[sp], "fair", 4) ? 2 : G;
			for (size_t i = 0; i < n; i++) {
				rel[i] = (double)ft_rng_below(&rng, 4);
				score[i] = (double)ft_rng_below(&rng, 3);
				grp[i] = (int32_t)ft_rng_below(&rng, ng + (SPECS[sp] ? 0 : 1)) -
				         (SPECS[sp] ? 0 : 1);
			}
			if (brute(rel, score, grp, n, SPECS[sp] ? &rr : NULL, short_k ? 3 : n, &A))
				continue;   /* a re-ranker refused this query */
			compare(rel, score, grp, n, SPECS[sp] ? &rr : NULL, &A, &worst,
			        SPECS[sp] ? SPECS[sp] : "score");
			cases++;
		}
	}
	T_CHECKF(cases >= 300, "only %zu cases", cases);
	printf("# expected metrics: %zu random tied queries (score order and 8 re-rankers) "
	       "equal the average over every input order, largest difference %.3g\n", cases,
	       worst);
}

/* Defect 1 of issue 16: every score equal, the file sorted by relevance. */
static void test_expect_all_tied(void)
{
	const size_t n = 6;
	const double rel[6] = {3, 2, 2, 1, 0, 0}, s[6] = {0, 0, 0, 0, 0, 0};
	const int32_t g[6] = {0, 0, 0, 1, 1, 1};
	size_t order[6], m;
	struct ft_xrank x;
	struct ft_value v, plain, stable, ratio, sk[2], nd;
	double *F = NULL, t[2], c[2], mean_gain = 0, dcg = 0, idcg = 0;
	size_t kk;

	T_CHECK(ft_rank_order(s, n, order, NULL) == 0);
	T_CHECK(ft_ndcg(rel, order, n, 3, &stable, NULL) == 0);
	T_CHECK(stable.value == 1.0);   /* the old answer: the file's order */
	T_CHECK(ft_xrank_build(&x, order, n, s, g, FT_XR_SCORE, 0, NULL) == 0);
	T_CHECK(ft_xrank_ndcg(&x, rel, 3, &v, NULL) == 0);
	for (size_t i = 0; i < n; i++)
		mean_gain += (pow(2, rel[i]) - 1) / (double)n;
	for (size_t r = 1; r <= 3; r++) {
		dcg += mean_gain / log2(1.0 + (double)r);
		idcg += (pow(2, rel[r - 1]) - 1) / log2(1.0 + (double)r);
	}
	T_NEAR(v.value, dcg / idcg, 1e-14);
	T_CHECKF(v.value < 0.5, "all tied: ndcg@3 = %g", v.value);
	T_CHECK(ft_xrank_exposure(&x, g, 2, 1, NULL, &ratio) == 0);
	T_NEAR(ratio.value, 1.0, 1e-15);
	T_CHECK(ft_xrank_soft(&x, g, 2, &F, &m) == 0 && m == n);
	ft_soft_shares(F, m, 2, t);
	ft_soft_topk(F, m, 2, 2, c, &kk);
	ft_skew_of_counts(c, kk, m, t, 2, FT_LIFT_ALPHA, sk, NULL);
	T_NEAR(sk[0].value, 0, 1e-15);
	ft_soft_ndkl(F, m, 2, t, &nd);
	T_NEAR(nd.value, 0, 1e-15);
	ft_xrank_free(&x);
	free(F);
	/* order-based, for contrast: the file order puts group 0 first */
	T_CHECK(ft_skew(g, order, n, 2, NULL, 2, sk, NULL) == 0);
	T_CHECK(sk[1].why != NULL && fabs(sk[0].value - log(2)) < 1e-15);
	(void)plain;
}

/* No ties: the pooled metrics are the order-based ones, bit for bit
 * where the arithmetic is the same. */
static void test_expect_no_ties(void)
{
	const size_t n = 8;
	const double rel[8] = {0, 2, 1, 3, 0, 1, 0, 2};
	const double s[8] = {.3, .9, .1, .8, .4, .2, .7, .6};
	const int32_t g[8] = {0, 1, 1, 0, -1, 1, 0, 1};
	size_t order[8], m;
	struct ft_xrank x;
	struct ft_value a, b, ea[2], eb[2], ra, rb;
	struct ft_pairwise *pa = NULL, *pb = NULL;
	double *F = NULL, t[2];

	T_CHECK(ft_rank_order(s, n, order, NULL) == 0);
	T_CHECK(ft_xrank_build(&x, order, n, s, g, FT_XR_SCORE, 0, NULL) == 0);
	for (size_t k = 1; k <= n; k++) {
		T_CHECK(ft_xrank_ndcg(&x, rel, k, &a, NULL) == 0 &&
		        ft_ndcg(rel, order, n, k, &b, NULL) == 0);
		T_CHECK(a.value == b.value);
	}
	T_CHECK(ft_xrank_exposure(&x, g, 2, 1, ea, &ra) == 0);
	T_CHECK(ft_group_exposure(g, order, n, 2, eb, NULL) == 0);
	T_CHECK(ft_exposure_ratio(g, order, n, 2, 1, &rb, NULL) == 0);
	T_NEAR(ea[0].value, eb[0].value, 1e-15);
	T_NEAR(ra.value, rb.value, 1e-15);
	T_CHECK(ft_xrank_pairwise(&x, rel, g, 2, &pa) == 0);
	T_CHECK(ft_pairwise_accuracy(rel, g, order, n, 2, &pb, NULL) == 0);
	T_CHECK(pa->gap.value == pb->gap.value && pa->inter_gap.why && pb->inter_gap.why);
	for (size_t j = 0; j < 4; j++)
		T_CHECK(pa->acc[j].why ? pb->acc[j].why != NULL :
		        pa->acc[j].value == pb->acc[j].value);
	T_CHECK(ft_xrank_soft(&x, g, 2, &F, &m) == 0 && m == 7);
	ft_soft_shares(F, m, 2, t);
	ft_soft_ndkl(F, m, 2, t, &a);
	T_CHECK(ft_ndkl(g, order, n, 2, NULL, &b, NULL) == 0);
	T_CHECK(a.value == b.value);
	T_CHECK(ft_soft_rank_fairness(FT_RF_RND, F, m, 2, 1, 2, &a) == 0);
	T_CHECK(ft_rank_fairness(FT_RF_RND, g, order, n, 2, 1, 2, &b, NULL) == 0);
	T_CHECK(a.value == b.value);
	ft_pairwise_free(pa);
	ft_pairwise_free(pb);
	free(F);
	ft_xrank_free(&x);
}

static void test_expect_bad_input(void)
{
	struct ft_xrank x;
	struct ft_error err = {0};
	const size_t order[2] = {0, 1};
	const double rel[2] = {1, -1};
	struct ft_value v;

	T_CHECK(ft_xrank_build(&x, order, 2, NULL, NULL, FT_XR_SCORE, 0, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "needs the scores") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_xrank_build(&x, order, 2, NULL, NULL, 7, 0, &err) == FT_EINVAL);
	T_CHECK(ft_xrank_build(&x, order, 2, NULL, NULL, FT_XR_SINGLE, 0, NULL) == 0);
	ft_error_clear(&err);
	T_CHECK(ft_xrank_ndcg(&x, rel, 1, &v, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "rel[1]") != NULL);
	ft_xrank_free(&x);
	T_CHECK(ft_rank_order_ties(rel, 2, FT_TIE_EXPECT, 1, (size_t *)order, &err) == FT_EINVAL);
}

int main(void)
{
	T_RUN(test_expect_brute_force);
	T_RUN(test_expect_all_tied);
	T_RUN(test_expect_no_ties);
	T_RUN(test_expect_bad_input);
	return t_done();
}
