/*
 * ranking.c - ranking metrics of one query, on plain arrays: the score sort,
 * NDCG@k, precision@k, Kendall's tau-b, group exposure and DELTR's exposure
 * ratio, Geyik et al.'s skew@k and NDKL, Yang & Stoyanovich's rND / rKL /
 * rRD, Beutel et al.'s pairwise accuracy across groups, and the mean over
 * queries.  The contracts are in include/fairtrain.h ("ranking metrics and
 * re-ranking"); this block records the choices the papers leave open.
 *
 * Conventions.  Rank r counts from 1 at the top; the DCG discount and the
 * exposure of rank r are 1 / log2(1 + r).  NDCG's gain is 2^rel - 1
 * (Burges et al. 2005, the LETOR convention), IDCG@k the DCG@k of the items
 * sorted by relevance.  Logarithms in skew, NDKL are natural (Geyik et al.
 * 2019, Section 3); rKL uses base 2 as the authors' code does (the base
 * cancels in the normalised value).
 *
 * rND / rKL / rRD (Yang & Stoyanovich, "Measuring Fairness in Ranked
 * Outputs", SSDBM 2017, Section 3).  What is computed, exactly:
 *   - cut-offs i = step, 2 step, ... up to and including N (the code's
 *     `countni % cut_point == 0` over 1..N);
 *   - the discount 1 / log2(i + 1), as the authors' measures.py
 *     (calculateNDFairness) computes it; the paper prints 1 / log2 i;
 *   - rKL: the exact binary KL divergence with 0 log 0 = 0.  measures.py
 *     replaces a share of 0 or 1 by 0.001 before taking logs, which changes
 *     the value of any prefix made of one group only; we do not;
 *   - rRD: the one-sided form of measures.py (calculaterRD, "consistent
 *     with the poster of FATML"): max(0, R - R_i) with R = S / (N - S) and
 *     R_i = x_i / (i - x_i); the paper's arXiv version takes |R_i - R|.
 *     A prefix with no non-protected item has R_i = +infinity and adds 0;
 *     measures.py sets R_i = 0 there, counting a prefix of protected items
 *     only as maximally unfair to the protected group;
 *   - the normalizer Z: measures.py averages the value of random "unfair"
 *     rankings generated with fairness probabilities {0, 0.98} ({0, 0.5}
 *     for rRD) and takes the larger mean; the Fairlearn port uses {0, 1}.
 *     Probability 0 puts every protected item at the bottom, 1 at the top,
 *     so we compute Z deterministically as max(value(protected at the
 *     bottom), value(protected at the top)) for rND and rKL and
 *     value(protected at the bottom) for rRD (for the one-sided rRD the
 *     bottom ranking minimises every x_i at once, so it is the exact
 *     maximum; for rND and rKL scripts/fixtures/make_ranking_fixtures.py
 *     checks by dynamic programming over all rankings, N <= 50, that the
 *     larger extreme is the maximum too).  The most unfair ranking
 *     therefore scores exactly 1, and every ranking at most 1.
 *
 * Not here: re-ranking (src/fair/rerank.c), reading queries from files.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "metrics/metrics.h"

#define UNDEF(o, w) do { (o)->value = NAN; (o)->why = (w); } while (0)
#define DEF(o, v) do { (o)->value = (v); (o)->why = NULL; } while (0)

/* 1 / log2(1 + r), the discount of rank r >= 1. */
static double discount(size_t r)
{
	return 1.0 / log2(1.0 + (double)r);
}

/* ------------------------------------------------------------- checks */

/* order must hold each of 0 .. n-1 once. */
static int check_order(const size_t *order, size_t n, const char *what,
                       struct ft_error *err)
{
	unsigned char *seen = NULL;
	int rc = 0;

	if (n == 0)
		return 0;
	if (!order)
		return ft_error_set(err, FT_EINVAL, "ranking: %s is NULL with %zu items",
		                    what, n);
	seen = calloc(n, 1);
	if (!seen)
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	for (size_t r = 0; r < n; r++) {
		if (order[r] >= n || seen[order[r]]) {
			rc = ft_error_set(err, FT_EINVAL,
			                  "ranking: %s[%zu] = %zu is %s", what, r, order[r],
			                  order[r] >= n ? "not an item index" :
			                  "repeated (not a permutation)");
			goto done;
		}
		seen[order[r]] = 1;
	}
done:
	free(seen);
	return rc;
}

int ft_rank_check_rel(const double *rel, size_t n, struct ft_error *err)
{
	if (n > 0 && !rel)
		return ft_error_set(err, FT_EINVAL, "ranking: rel is NULL with %zu items", n);
	for (size_t i = 0; i < n; i++)
		if (!(rel[i] >= 0.0 && rel[i] < INFINITY))
			return ft_error_set(err, FT_EINVAL,
			                    "ranking: rel[%zu] = %g is not a finite relevance >= 0",
			                    i, rel[i]);
	return 0;
}

static int check_groups(const int32_t *group, size_t n, size_t n_groups,
                        struct ft_error *err)
{
	if (n_groups == 0 || n_groups > INT32_MAX)
		return ft_error_set(err, FT_EINVAL, "ranking: n_groups = %zu is not in 1 .. %ld",
		                    n_groups, (long)INT32_MAX);
	if (n > 0 && !group)
		return ft_error_set(err, FT_EINVAL, "ranking: group is NULL with %zu items", n);
	for (size_t i = 0; i < n; i++)
		if (group[i] < -1 || (group[i] >= 0 && (size_t)group[i] >= n_groups))
			return ft_error_set(err, FT_EINVAL,
			                    "ranking: group[%zu] = %ld is not -1 or a group index below %zu",
			                    i, (long)group[i], n_groups);
	return 0;
}

/* Target proportions: >= 0, finite, summing to 1 within 1e-9. */
static int check_target(const double *t, size_t n_groups, struct ft_error *err)
{
	double s = 0;

	for (size_t g = 0; g < n_groups; g++) {
		if (!(t[g] >= 0.0 && t[g] <= 1.0))
			return ft_error_set(err, FT_EINVAL,
			                    "ranking: target[%zu] = %g is not a proportion", g, t[g]);
		s += t[g];
	}
	if (fabs(s - 1.0) > 1e-9)
		return ft_error_set(err, FT_EINVAL,
		                    "ranking: target proportions sum to %.17g, not 1", s);
	return 0;
}

/* Check group and order, and list the groups of the known-group items in
 * rank order: *seq (malloc'ed, may be NULL when *m = 0) has *m entries. */
static int known_seq(const int32_t *group, const size_t *order, size_t n,
                     size_t n_groups, int32_t **seq, size_t *m,
                     struct ft_error *err)
{
	int rc;

	*seq = NULL;
	*m = 0;
	if ((rc = check_groups(group, n, n_groups, err)) < 0 ||
	    (rc = check_order(order, n, "order", err)) < 0)
		return rc;
	if (n == 0)
		return 0;
	*seq = malloc(n * sizeof **seq);
	if (!*seq)
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	for (size_t r = 0; r < n; r++)
		if (group[order[r]] >= 0)
			(*seq)[(*m)++] = group[order[r]];
	return 0;
}

/* ------------------------------------------------------ the score sort */

/* Merge sort of item indices by score descending; stable because a run
 * from the left wins ties. */
static void merge_desc(const double *score, size_t *a, size_t *tmp, size_t n)
{
	size_t h, i, j, k;

	if (n < 2)
		return;
	h = n / 2;
	merge_desc(score, a, tmp, h);
	merge_desc(score, a + h, tmp, n - h);
	for (i = 0, j = h, k = 0; i < h && j < n;)
		tmp[k++] = score[a[j]] > score[a[i]] ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

int ft_rank_order(const double *score, size_t n, size_t *order,
                  struct ft_error *err)
{
	size_t *tmp = NULL;

	if (n == 0)
		return 0;
	if (!score || !order)
		return ft_error_set(err, FT_EINVAL, "ranking: %s is NULL with %zu items",
		                    score ? "order" : "score", n);
	for (size_t i = 0; i < n; i++)
		if (isnan(score[i]))
			return ft_error_set(err, FT_EINVAL, "ranking: score[%zu] is NaN", i);
	tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	merge_desc(score, order, tmp, n);
	free(tmp);
	return 0;
}

/* --------------------------------------------------- relevance metrics */

int ft_cmp_double_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y) - (x > y);
}

/* 2^rel - 1 without losing small gains to rounding. */
double ft_rank_gain(double rel)
{
	return expm1(rel * 0.69314718055994530942);  /* ln 2 */
}

/* Check rel and order; 1 (out undefined) when there are no items. */
static int rel_start(const double *rel, const size_t *order, size_t n,
                     struct ft_value *out, struct ft_error *err)
{
	int rc;

	if ((rc = ft_rank_check_rel(rel, n, err)) < 0 ||
	    (rc = check_order(order, n, "order", err)) < 0)
		return rc;
	if (n == 0) {
		UNDEF(out, "no items");
		return 1;
	}
	return 0;
}

int ft_ndcg(const double *rel, const size_t *order, size_t n, size_t k,
            struct ft_value *out, struct ft_error *err)
{
	double *ideal = NULL, dcg = 0, idcg = 0;
	int rc;

	if ((rc = rel_start(rel, order, n, out, err)) != 0)
		return rc < 0 ? rc : 0;
	if (k == 0 || k > n)
		k = n;
	ideal = malloc(n * sizeof *ideal);
	if (!ideal)
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	memcpy(ideal, rel, n * sizeof *ideal);
	qsort(ideal, n, sizeof *ideal, ft_cmp_double_desc);
	for (size_t r = 0; r < k; r++) {
		dcg += ft_rank_gain(rel[order[r]]) * discount(r + 1);
		idcg += ft_rank_gain(ideal[r]) * discount(r + 1);
	}
	if (idcg > 0)
		DEF(out, dcg / idcg);
	else
		UNDEF(out, "no relevant items");
	free(ideal);
	return 0;
}

int ft_precision(const double *rel, const size_t *order, size_t n, size_t k,
                 struct ft_value *out, struct ft_error *err)
{
	size_t hits = 0;
	int rc;

	if ((rc = rel_start(rel, order, n, out, err)) != 0)
		return rc < 0 ? rc : 0;
	if (k == 0)
		k = n;
	for (size_t r = 0; r < k && r < n; r++)
		hits += rel[order[r]] > 0;
	DEF(out, (double)hits / (double)k);
	return 0;
}

/* ---------------------------------------------------------- Kendall tau */

/* Knight's O(n log n) algorithm, as scipy.stats.kendalltau: sort by (a, b),
 * count ties in a (n1) and in (a, b) jointly (n3), then merge-sort the b
 * values counting the swaps (discordant pairs) and the ties in b (n2):
 *   tau_b = (n0 - n1 - n2 + n3 - 2 swaps) / sqrt((n0 - n1)(n0 - n2)),
 * n0 = n(n - 1)/2. */

struct pair {
	double a, b;
};

static int cmp_pair(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	if (p->a != q->a)
		return (p->a > q->a) - (p->a < q->a);
	return (p->b > q->b) - (p->b < q->b);
}

/* Sort b ascending; return the number of inversions (pairs i < j with
 * b[i] > b[j]). */
static uint64_t count_swaps(double *b, double *tmp, size_t n)
{
	size_t h, i, j, k;
	uint64_t s;

	if (n < 2)
		return 0;
	h = n / 2;
	s = count_swaps(b, tmp, h) + count_swaps(b + h, tmp, n - h);
	for (i = 0, j = h, k = 0; i < h && j < n;) {
		if (b[j] < b[i]) {
			s += h - i;        /* b[j] jumps every remaining left value */
			tmp[k++] = b[j++];
		} else {
			tmp[k++] = b[i++];
		}
	}
	while (i < h)
		tmp[k++] = b[i++];
	while (j < n)
		tmp[k++] = b[j++];
	memcpy(b, tmp, n * sizeof *b);
	return s;
}

/* Pairs within runs of equal values: sum t (t - 1) / 2. */
static uint64_t tie_pairs_b(const double *b, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && b[j] == b[i]; j++)
			;
		s += (uint64_t)(j - i) * (j - i - 1) / 2;
	}
	return s;
}

int ft_kendall_tau(const double *a, const double *b, size_t n,
                   struct ft_value *out, struct ft_error *err)
{
	struct pair *p = NULL;
	double *bb = NULL, *tmp = NULL;
	uint64_t n0, n1 = 0, n2, n3 = 0, swaps;
	int rc = 0;

	if (n > 0 && (!a || !b))
		return ft_error_set(err, FT_EINVAL, "kendall: %s is NULL with %zu items",
		                    a ? "b" : "a", n);
	for (size_t i = 0; i < n; i++)
		if (isnan(a[i]) || isnan(b[i]))
			return ft_error_set(err, FT_EINVAL, "kendall: %s[%zu] is NaN",
			                    isnan(a[i]) ? "a" : "b", i);
	if (n < 2) {
		UNDEF(out, "fewer than two items");
		return 0;
	}
	p = malloc(n * sizeof *p);
	bb = malloc(n * sizeof *bb);
	tmp = malloc(n * sizeof *tmp);
	if (!p || !bb || !tmp) {
		rc = ft_error_set(err, FT_ENOMEM, "kendall: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		p[i].a = a[i];
		p[i].b = b[i];
	}
	qsort(p, n, sizeof *p, cmp_pair);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && p[j].a == p[i].a; j++)
			;
		n1 += (uint64_t)(j - i) * (j - i - 1) / 2;
		for (size_t u = i, v; u < j; u = v) {
			for (v = u + 1; v < j && p[v].b == p[u].b; v++)
				;
			n3 += (uint64_t)(v - u) * (v - u - 1) / 2;
		}
	}
	for (size_t i = 0; i < n; i++)
		bb[i] = p[i].b;
	swaps = count_swaps(bb, tmp, n);
	n2 = tie_pairs_b(bb, n);
	n0 = (uint64_t)n * (n - 1) / 2;
	if (n1 == n0 || n2 == n0) {
		UNDEF(out, "a ranking is constant (every pair tied)");
	} else {
		/* in doubles: the counts are exact up to 2^53 */
		double num = (double)n0 - (double)n1 - (double)n2 + (double)n3 -
		             2.0 * (double)swaps;
		double tau = num / sqrt((double)(n0 - n1)) / sqrt((double)(n0 - n2));

		DEF(out, fmin(1.0, fmax(-1.0, tau)));
	}
done:
	free(p);
	free(bb);
	free(tmp);
	return rc;
}

int ft_kendall_tau_orders(const size_t *order_a, const size_t *order_b,
                          size_t n, struct ft_value *out, struct ft_error *err)
{
	double *ra = NULL, *rb = NULL;
	int rc;

	if ((rc = check_order(order_a, n, "order_a", err)) < 0 ||
	    (rc = check_order(order_b, n, "order_b", err)) < 0)
		return rc;
	if (n < 2) {
		UNDEF(out, "fewer than two items");
		return 0;
	}
	ra = malloc(n * sizeof *ra);
	rb = malloc(n * sizeof *rb);
	if (!ra || !rb) {
		rc = ft_error_set(err, FT_ENOMEM, "kendall: out of memory");
		goto done;
	}
	/* score = -rank, so that the top scores highest */
	for (size_t r = 0; r < n; r++) {
		ra[order_a[r]] = -(double)r;
		rb[order_b[r]] = -(double)r;
	}
	rc = ft_kendall_tau(ra, rb, n, out, err);
done:
	free(ra);
	free(rb);
	return rc;
}

/* ------------------------------------------------------------ exposure */

/* Sum and count of the exposure of each group's items. */
static int exposure_sums(const int32_t *group, const size_t *order, size_t n,
                         size_t n_groups, double *sum, size_t *cnt,
                         struct ft_error *err)
{
	int rc;

	if ((rc = check_groups(group, n, n_groups, err)) < 0 ||
	    (rc = check_order(order, n, "order", err)) < 0)
		return rc;
	memset(sum, 0, n_groups * sizeof *sum);
	memset(cnt, 0, n_groups * sizeof *cnt);
	for (size_t r = 0; r < n; r++) {
		int32_t g = group[order[r]];

		if (g >= 0) {
			sum[g] += discount(r + 1);
			cnt[g]++;
		}
	}
	return 0;
}

int ft_group_exposure(const int32_t *group, const size_t *order, size_t n,
                      size_t n_groups, struct ft_value *exposure,
                      struct ft_error *err)
{
	double *sum = NULL;
	size_t *cnt = NULL;
	int rc;

	if (n_groups == 0 || n_groups > INT32_MAX)
		return ft_error_set(err, FT_EINVAL, "ranking: n_groups = %zu is not in 1 .. %ld",
		                    n_groups, (long)INT32_MAX);
	sum = malloc(n_groups * sizeof *sum);
	cnt = malloc(n_groups * sizeof *cnt);
	if (!sum || !cnt) {
		rc = ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
		goto done;
	}
	if ((rc = exposure_sums(group, order, n, n_groups, sum, cnt, err)) < 0)
		goto done;
	for (size_t g = 0; g < n_groups; g++) {
		if (cnt[g])
			DEF(&exposure[g], sum[g] / (double)cnt[g]);
		else
			UNDEF(&exposure[g], "no items in group");
	}
done:
	free(sum);
	free(cnt);
	return rc;
}

int ft_exposure_ratio(const int32_t *group, const size_t *order, size_t n,
                      size_t n_groups, int32_t protected_group,
                      struct ft_value *out, struct ft_error *err)
{
	double *sum = NULL, so = 0;
	size_t *cnt = NULL, co = 0;
	int rc;

	if (protected_group < 0 || (size_t)protected_group >= n_groups)
		return ft_error_set(err, FT_EINVAL,
		                    "ranking: protected group %ld is not a group index below %zu",
		                    (long)protected_group, n_groups);
	sum = malloc(n_groups * sizeof *sum);
	cnt = malloc(n_groups * sizeof *cnt);
	if (!sum || !cnt) {
		rc = ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
		goto done;
	}
	if ((rc = exposure_sums(group, order, n, n_groups, sum, cnt, err)) < 0)
		goto done;
	for (size_t g = 0; g < n_groups; g++)
		if (g != (size_t)protected_group) {
			so += sum[g];
			co += cnt[g];
		}
	if (cnt[protected_group] == 0)
		UNDEF(out, "no items of the protected group");
	else if (co == 0)
		UNDEF(out, "no items outside the protected group");
	else
		DEF(out, (sum[protected_group] / (double)cnt[protected_group]) /
		         (so / (double)co));
done:
	free(sum);
	free(cnt);
	return rc;
}

/* ------------------------------------------- group shares of the prefixes
 *
 * Skew, NDKL, the infeasible index and rND / rKL / rRD depend on the
 * ranking only through the groups of its known-group items in rank order.
 * Each is computed here from a soft sequence (metrics.h): m slots, F[r G +
 * g] the probability that slot r holds an item of group g.  A ranking
 * gives a 0/1 sequence (soft_of_order), and these functions then compute
 * the integer counts of the definitions exactly (sums of 1.0); a ranking
 * with exchangeable tied items (rank_expect.c) gives the expected counts of
 * every prefix. */

/* The soft 0/1 sequence of a ranking's known-group items: *F (malloc'ed,
 * NULL when *m = 0) and *m; group and order checked. */
static int soft_of_order(const int32_t *group, const size_t *order, size_t n,
                         size_t G, double **F, size_t *m, struct ft_error *err)
{
	int32_t *seq = NULL;
	int rc;

	*F = NULL;
	if ((rc = known_seq(group, order, n, G, &seq, m, err)) < 0)
		return rc;
	if (*m && !(*F = calloc(*m * G, sizeof **F)))
		rc = ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	for (size_t r = 0; !rc && r < *m; r++)
		(*F)[r * G + (size_t)seq[r]] = 1.0;
	free(seq);
	return rc;
}

/* The target: given (checked) or the group shares of the m slots. */
static int target_of(const double *target, const double *F, size_t m,
                     size_t G, double *t, struct ft_error *err)
{
	int rc;

	if (target) {
		if ((rc = check_target(target, G, err)) < 0)
			return rc;
		memcpy(t, target, G * sizeof *t);
		return 0;
	}
	ft_soft_shares(F, m, G, t);
	return 0;
}

void ft_soft_shares(const double *F, size_t m, size_t G, double *t)
{
	memset(t, 0, G * sizeof *t);
	for (size_t r = 0; r < m; r++)
		for (size_t g = 0; g < G; g++)
			t[g] += F[r * G + g];
	/* the column sums are counts (exactly, in exact arithmetic) */
	for (size_t g = 0; g < G && m > 0; g++)
		t[g] = round(t[g]) / (double)m;
}

void ft_soft_topk(const double *F, size_t m, size_t G, size_t k, double *c, size_t *kk)
{
	*kk = k < m ? k : m;
	memset(c, 0, G * sizeof *c);
	for (size_t r = 0; r < *kk; r++)
		for (size_t g = 0; g < G; g++)
			c[g] += F[r * G + g];
}

/* LiFT's smoothed skew from the count c of the top k and target t
 * (include/fairtrain.h): the common denominators k + a G cancel. */
static double skew_lift(double c, size_t k, double t, double a)
{
	return log((c + a) / ((double)k * t + a));
}

void ft_skew_of_counts(const double *c, size_t kk, size_t m, const double *t, size_t G,
                       double alpha, struct ft_value *plain, struct ft_value *smooth)
{
	for (size_t g = 0; g < G; g++) {
		if (plain) {
			if (m == 0)
				UNDEF(&plain[g], "no items of known group");
			else if (t[g] == 0)
				UNDEF(&plain[g], "target proportion is 0");
			else if (!(c[g] > 0))
				UNDEF(&plain[g], "group absent from the top k");
			else
				DEF(&plain[g], log(c[g] / (double)kk / t[g]));
		}
		if (smooth) {
			if (m == 0)
				UNDEF(&smooth[g], "no items of known group");
			else
				DEF(&smooth[g], skew_lift(c[g], kk, t[g], alpha));
		}
	}
}

/* What skew starts from: the soft sequence, the target and the expected
 * counts of the top k (k >= 1, alpha > 0 checked); the caller frees *F,
 * *t and *c. */
static int topk_setup(const int32_t *group, const size_t *order, size_t n, size_t G,
                      const double *target, size_t k, double alpha, double **F,
                      size_t *m, double **t, double **c, size_t *kk,
                      struct ft_error *err)
{
	int rc;

	*F = *t = *c = NULL;
	if (k == 0)
		return ft_error_set(err, FT_EINVAL, "skew: k must be at least 1");
	if (!(alpha > 0) || !isfinite(alpha))
		return ft_error_set(err, FT_EINVAL, "skew: smoothing alpha = %g is not > 0", alpha);
	if ((rc = soft_of_order(group, order, n, G, F, m, err)) < 0)
		return rc;
	*t = malloc(G * sizeof **t);
	*c = malloc(G * sizeof **c);
	if (!*t || !*c)
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	if ((rc = target_of(target, *F, *m, G, *t, err)) < 0)
		return rc;
	ft_soft_topk(*F, *m, G, k, *c, kk);
	return 0;
}

int ft_skew(const int32_t *group, const size_t *order, size_t n,
            size_t n_groups, const double *target, size_t k,
            struct ft_value *skew, struct ft_error *err)
{
	double *F = NULL, *t = NULL, *c = NULL;
	size_t m = 0, kk = 0;
	int rc;

	if ((rc = topk_setup(group, order, n, n_groups, target, k, FT_LIFT_ALPHA, &F, &m,
	                     &t, &c, &kk, err)) >= 0)
		ft_skew_of_counts(c, kk, m, t, n_groups, FT_LIFT_ALPHA, skew, NULL);
	free(F);
	free(t);
	free(c);
	return rc;
}

int ft_skew_smoothed(const int32_t *group, const size_t *order, size_t n,
                     size_t n_groups, const double *target, size_t k, double alpha,
                     struct ft_value *skew, struct ft_error *err)
{
	double *F = NULL, *t = NULL, *c = NULL;
	size_t m = 0, kk = 0;
	int rc;

	if ((rc = topk_setup(group, order, n, n_groups, target, k, alpha, &F, &m, &t, &c,
	                     &kk, err)) >= 0)
		ft_skew_of_counts(c, kk, m, t, n_groups, alpha, NULL, skew);
	free(F);
	free(t);
	free(c);
	return rc;
}

void ft_skew_extremes(const struct ft_value *v, size_t G, struct ft_value *min_skew,
                      struct ft_value *max_skew, int32_t *argmin, int32_t *argmax)
{
	int32_t lo = -1, hi = -1;

	for (size_t g = 0; g < G; g++) {
		if (v[g].why)
			continue;
		if (lo < 0 || v[g].value < v[lo].value)
			lo = (int32_t)g;
		if (hi < 0 || v[g].value > v[hi].value)
			hi = (int32_t)g;
	}
	if (lo < 0) {
		UNDEF(min_skew, "no items of known group");
		UNDEF(max_skew, "no items of known group");
	} else {
		DEF(min_skew, v[lo].value);
		DEF(max_skew, v[hi].value);
	}
	if (argmin)
		*argmin = lo;
	if (argmax)
		*argmax = hi;
}

int ft_skew_minmax(const int32_t *group, const size_t *order, size_t n,
                   size_t n_groups, const double *target, size_t k, double alpha,
                   struct ft_value *min_skew, struct ft_value *max_skew,
                   int32_t *argmin, int32_t *argmax, struct ft_error *err)
{
	struct ft_value *v = malloc(n_groups ? n_groups * sizeof *v : 1);
	int rc;

	if (!v)
		return ft_error_set(err, FT_ENOMEM, "skew: out of memory");
	if ((rc = ft_skew_smoothed(group, order, n, n_groups, target, k, alpha, v, err)) >= 0)
		ft_skew_extremes(v, n_groups, min_skew, max_skew, argmin, argmax);
	free(v);
	return rc;
}

int ft_skew_summary(const int32_t *group, const size_t *order, const size_t *qoff,
                    size_t n_queries, size_t n_groups, const double *target,
                    size_t k, double alpha, struct ft_skew_summary *out,
                    struct ft_error *err)
{
	double *sum = NULL, *sum_p = NULL, *num = NULL, *den = NULL;
	size_t *n_s = NULL, *n_p = NULL;
	int rc = 0;

	if (!qoff || !out)
		return ft_error_set(err, FT_EINVAL, "skew summary: %s is NULL",
		                    qoff ? "out" : "qoff");
	if (n_groups == 0 || n_groups > INT32_MAX)
		return ft_error_set(err, FT_EINVAL, "skew summary: n_groups = %zu is not in 1 .. %ld",
		                    n_groups, (long)INT32_MAX);
	sum = calloc(n_groups, sizeof *sum);
	sum_p = calloc(n_groups, sizeof *sum_p);
	num = calloc(n_groups, sizeof *num);
	den = calloc(n_groups, sizeof *den);
	n_s = calloc(n_groups, sizeof *n_s);
	n_p = calloc(n_groups, sizeof *n_p);
	if (!sum || !sum_p || !num || !den || !n_s || !n_p) {
		rc = ft_error_set(err, FT_ENOMEM, "skew summary: out of memory");
		goto done;
	}
	for (size_t q = 0; q < n_queries && !rc; q++) {
		size_t lo = qoff[q], nq = qoff[q + 1] - lo, m = 0, kk = 0;
		double *F = NULL, *t = NULL, *c = NULL;

		if (qoff[q + 1] < lo) {
			rc = ft_error_set(err, FT_EINVAL, "skew summary: qoff[%zu] < qoff[%zu]", q + 1, q);
			break;
		}
		rc = topk_setup(group + lo, order + lo, nq, n_groups, target, k, alpha,
		                &F, &m, &t, &c, &kk, err);
		for (size_t g = 0; !rc && m > 0 && g < n_groups; g++) {
			sum[g] += skew_lift(c[g], kk, t[g], alpha);
			n_s[g]++;
			num[g] += c[g];
			den[g] += (double)kk * t[g];
			if (c[g] > 0 && t[g] > 0) {   /* ft_skew's defined cases */
				sum_p[g] += log(c[g] / (double)kk / t[g]);
				n_p[g]++;
			}
		}
		free(F);
		free(t);
		free(c);
	}
	if (rc)
		goto done;
	for (size_t g = 0; g < n_groups; g++) {
		struct ft_skew_summary *s = &out[g];

		s->alpha = alpha;
		s->n_mean = n_s[g];
		s->n_present = n_p[g];
		if (n_s[g])
			DEF(&s->mean, sum[g] / (double)n_s[g]);
		else
			UNDEF(&s->mean, "no query has items of known group");
		if (n_p[g])
			DEF(&s->mean_present, sum_p[g] / (double)n_p[g]);
		else
			UNDEF(&s->mean_present, "the group is in no query's top k");
		if (num[g] > 0 && den[g] > 0)
			DEF(&s->pooled, log(num[g] / den[g]));
		else
			UNDEF(&s->pooled, num[g] > 0 ? "target proportion is 0" :
			      "the group is in no query's top k");
	}
done:
	free(sum);
	free(sum_p);
	free(num);
	free(den);
	free(n_s);
	free(n_p);
	return rc;
}

void ft_soft_ndkl(const double *F, size_t m, size_t G, const double *t,
                  struct ft_value *out)
{
	double *cnt = NULL, sum = 0, z = 0;

	if (m == 0) {
		UNDEF(out, "no items of known group");
		return;
	}
	for (size_t r = 0; r < m; r++)
		for (size_t g = 0; g < G; g++)
			if (t[g] == 0 && F[r * G + g] > 0) {
				UNDEF(out, "target proportion is 0 for a group in the ranking");
				return;
			}
	if (!(cnt = calloc(G, sizeof *cnt))) {
		UNDEF(out, "out of memory");
		return;
	}
	for (size_t i = 1; i <= m; i++) {
		double kl = 0;

		for (size_t g = 0; g < G; g++)
			cnt[g] += F[(i - 1) * G + g];
		/* KL(D_i || t) = sum_g D_i(g) ln(D_i(g) / t(g)), 0 ln 0 = 0 */
		for (size_t g = 0; g < G; g++)
			if (cnt[g] > 0) {
				double d = cnt[g] / (double)i;

				kl += d * log(d / t[g]);
			}
		/* KL >= 0; a prefix on target can round to -1e-17 */
		sum += fmax(kl, 0.0) * discount(i);
		z += discount(i);
	}
	DEF(out, sum / z);
	free(cnt);
}

int ft_ndkl(const int32_t *group, const size_t *order, size_t n,
            size_t n_groups, const double *target, struct ft_value *out,
            struct ft_error *err)
{
	double *F = NULL, *t = NULL;
	size_t m = 0;
	int rc;

	if ((rc = soft_of_order(group, order, n, n_groups, &F, &m, err)) < 0)
		goto done;
	if (!(t = malloc(n_groups * sizeof *t))) {
		rc = ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
		goto done;
	}
	if ((rc = target_of(target, F, m, n_groups, t, err)) < 0)
		goto done;
	ft_soft_ndkl(F, m, n_groups, t, out);
done:
	free(F);
	free(t);
	return rc;
}

size_t ft_soft_infeasible(const double *F, size_t m, size_t G, const uint64_t *a,
                          const uint64_t *b, size_t k, double *cnt)
{
	size_t count = 0;

	memset(cnt, 0, G * sizeof *cnt);
	for (size_t i = 1; i <= m && i <= k; i++) {
		for (size_t g = 0; g < G; g++)
			cnt[g] += F[(i - 1) * G + g];
		for (size_t g = 0; g < G; g++)
			if (cnt[g] < (double)ft_ratio_floor(i, a[g], b[g])) {
				count++;
				break;
			}
	}
	return count;
}

/* Geyik et al.'s InfeasibleIndex, floor(i p) exact (src/core/ratio.c, as
 * the re-rankers of src/fair/rerank.c). */
int ft_infeasible_index(const int32_t *group, const size_t *order, size_t n,
                        size_t n_groups, const double *p, size_t k,
                        size_t *count, struct ft_error *err)
{
	double *F = NULL, *cnt = NULL;
	size_t m = 0, *tot = NULL;
	uint64_t *a = NULL, *b = NULL;
	int rc;

	*count = 0;
	if ((rc = soft_of_order(group, order, n, n_groups, &F, &m, err)) < 0)
		goto done;
	cnt = calloc(n_groups, sizeof *cnt);
	tot = calloc(n_groups, sizeof *tot);
	a = calloc(n_groups, sizeof *a);
	b = calloc(n_groups, sizeof *b);
	if (!cnt || !tot || !a || !b) {
		rc = ft_error_set(err, FT_ENOMEM, "infeasible index: out of memory");
		goto done;
	}
	if (p) {
		if ((rc = ft_props_rational(p, n_groups, a, b, "infeasible index", err)) < 0)
			goto done;
	} else {
		for (size_t i = 0; i < n; i++)
			if (group[i] >= 0)
				tot[group[i]]++;
		ft_props_counts(tot, n_groups, a, b);
	}
	*count = ft_soft_infeasible(F, m, n_groups, a, b, k, cnt);
done:
	free(F);
	free(cnt);
	free(tot);
	free(a);
	free(b);
	return rc;
}

/* -------------------------------------------------------- rND rKL rRD */

const char *ft_rank_fair_name(int measure)
{
	static const char *const names[FT_N_RANK_FAIR] = { "rnd", "rkl", "rrd" };

	return measure >= 0 && measure < FT_N_RANK_FAIR ? names[measure] : "unknown";
}

/* Binary KL divergence in bits of (a, 1 - a) from (b, 1 - b), 0 < b < 1. */
static double kl2(double a, double b)
{
	double s = 0;

	if (a > 0)
		s += a * log2(a / b);
	if (a < 1)
		s += (1 - a) * log2((1 - a) / (1 - b));
	return fmax(s, 0.0);
}

/* One cut-off's term: x protected (expected) among the top i, S of N
 * overall. */
static double rf_term(int measure, double x, size_t i, size_t S, size_t N)
{
	double share = x / (double)i, all = (double)S / (double)N;

	switch (measure) {
	case FT_RF_RND:
		return fabs(share - all);
	case FT_RF_RKL:
		return kl2(share, all);
	default: {
		double R = (double)S / (double)(N - S);

		if (!((double)i - x > 0))   /* R_i = +infinity: over-represented */
			return 0;
		return fmax(0.0, R - x / ((double)i - x));
	}
	}
}

/* The unnormalised value of a ranking given by each slot's protected
 * share pf[0 .. N-1] (stride apart). */
static double rf_value(int measure, const double *pf, size_t stride, size_t N,
                       size_t S, size_t step)
{
	double v = 0, x = 0;

	for (size_t i = 1; i <= N; i++) {
		x += pf[(i - 1) * stride];
		if (i % step == 0)
			v += rf_term(measure, x, i, S, N) / log2((double)i + 1.0);
	}
	return v;
}

int ft_soft_rank_fairness(int measure, const double *F, size_t N, size_t G,
                          int32_t prot, size_t step, struct ft_value *out)
{
	double *ext = NULL, v, z, s = 0;
	size_t S;

	if (step == 0)
		step = 10;
	for (size_t i = 0; i < N; i++)
		s += F[i * G + (size_t)prot];
	S = (size_t)llround(s);    /* a count in exact arithmetic */
	if (S == 0) {
		UNDEF(out, "no items of the protected group");
		return 0;
	}
	if (S == N) {
		UNDEF(out, "no items outside the protected group");
		return 0;
	}
	if (N < step) {
		UNDEF(out, "fewer items of known group than the first cut-off");
		return 0;
	}
	if (!(ext = malloc(N * sizeof *ext)))
		return FT_ENOMEM;
	v = rf_value(measure, F + prot, G, N, S, step);
	/* normalizer: protected at the bottom (and for rND, rKL at the top) */
	for (size_t i = 0; i < N; i++)
		ext[i] = i >= N - S;
	z = rf_value(measure, ext, 1, N, S, step);
	if (measure != FT_RF_RRD) {
		for (size_t i = 0; i < N; i++)
			ext[i] = i < S;
		z = fmax(z, rf_value(measure, ext, 1, N, S, step));
	}
	if (z > 0)
		DEF(out, v / z);
	else
		UNDEF(out, "the measure is 0 for every ranking of these sizes");
	free(ext);
	return 0;
}

int ft_rank_fairness(int measure, const int32_t *group, const size_t *order,
                     size_t n, size_t n_groups, int32_t protected_group,
                     size_t step, struct ft_value *out, struct ft_error *err)
{
	double *F = NULL;
	size_t N = 0;
	int rc;

	if (measure < 0 || measure >= FT_N_RANK_FAIR)
		return ft_error_set(err, FT_EINVAL, "rank fairness: unknown measure %d", measure);
	if (protected_group < 0 || (size_t)protected_group >= n_groups)
		return ft_error_set(err, FT_EINVAL,
		                    "rank fairness: protected group %ld is not a group index below %zu",
		                    (long)protected_group, n_groups);
	if ((rc = soft_of_order(group, order, n, n_groups, &F, &N, err)) >= 0 &&
	    ft_soft_rank_fairness(measure, F, N, n_groups, protected_group, step, out))
		rc = ft_error_set(err, FT_ENOMEM, "rank fairness: out of memory");
	free(F);
	return rc;
}

/* --------------------------------------------------- pairwise accuracy */

void ft_pairwise_free(struct ft_pairwise *pw)
{
	if (!pw)
		return;
	free(pw->acc);
	free(pw->row);
	free(pw);
}

/* max - min of the defined values of v[i * stride], i < n. */
static void spread(const struct ft_value *v, size_t n, size_t stride,
                   struct ft_value *out)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ft_value *x = &v[i * stride];

		if (!x->why) {
			lo = fmin(lo, x->value);
			hi = fmax(hi, x->value);
			c++;
		}
	}
	if (c >= 2)
		DEF(out, hi - lo);
	else
		UNDEF(out, "fewer than two groups with a defined accuracy");
}

int ft_pairwise_finish(const double *above, const double *nrel, const double *nirr,
                       size_t G, struct ft_pairwise **out)
{
	struct ft_pairwise *pw = calloc(1, sizeof *pw);
	double irr_all = 0, best = -1;

	*out = NULL;
	/* zeroed: every entry is set below, which GCC's -O1 (the sanitizer
	 * build) cannot see through spread() */
	if (!pw || !(pw->acc = calloc(G ? G * G : 1, sizeof *pw->acc)) ||
	    !(pw->row = calloc(G ? G : 1, sizeof *pw->row))) {
		ft_pairwise_free(pw);
		return FT_ENOMEM;
	}
	pw->n_groups = G;
	for (size_t g = 0; g < G; g++)
		irr_all += nirr[g];
	for (size_t a = 0; a < G; a++) {
		double ra = 0;

		for (size_t b = 0; b < G; b++) {
			struct ft_value *v = &pw->acc[a * G + b];

			ra += above[a * G + b];
			if (nrel[a] == 0)
				UNDEF(v, "no relevant items in the first group");
			else if (nirr[b] == 0)
				UNDEF(v, "no irrelevant items in the second group");
			else
				DEF(v, above[a * G + b] / (nrel[a] * nirr[b]));
		}
		if (nrel[a] == 0)
			UNDEF(&pw->row[a], "no relevant items in group");
		else if (irr_all == 0)
			UNDEF(&pw->row[a], "no irrelevant items");
		else
			DEF(&pw->row[a], ra / (nrel[a] * irr_all));
	}
	spread(pw->row, G, 1, &pw->gap);
	spread(pw->acc, G, G + 1, &pw->intra_gap);
	for (size_t a = 0; a < G; a++)
		for (size_t b = a + 1; b < G; b++) {
			const struct ft_value *x = &pw->acc[a * G + b], *y = &pw->acc[b * G + a];

			if (!x->why && !y->why)
				best = fmax(best, fabs(x->value - y->value));
		}
	if (best >= 0)
		DEF(&pw->inter_gap, best);
	else
		UNDEF(&pw->inter_gap, "no pair of groups with both directions defined");
	*out = pw;
	return 0;
}

int ft_pairwise_accuracy(const double *rel, const int32_t *group,
                         const size_t *order, size_t n, size_t n_groups,
                         struct ft_pairwise **out, struct ft_error *err)
{
	double *above = NULL;           /* G*G: pairs (relevant a above irrelevant b) */
	double *nrel = NULL, *nirr = NULL, *seen = NULL;
	size_t G = n_groups;
	int rc;

	*out = NULL;
	if ((rc = ft_rank_check_rel(rel, n, err)) < 0 ||
	    (rc = check_groups(group, n, n_groups, err)) < 0 ||
	    (rc = check_order(order, n, "order", err)) < 0)
		return rc;
	above = calloc(G * G, sizeof *above);
	nrel = calloc(G, sizeof *nrel);
	nirr = calloc(G, sizeof *nirr);
	seen = calloc(G, sizeof *seen);
	if (!above || !nrel || !nirr || !seen) {
		rc = ft_error_set(err, FT_ENOMEM, "pairwise accuracy: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if (group[i] >= 0) {
			if (rel[i] > 0)
				nrel[group[i]]++;
			else
				nirr[group[i]]++;
		}
	/* Top to bottom: a relevant item of group a at this rank is above every
	 * irrelevant item of group b not yet seen. */
	for (size_t r = 0; r < n; r++) {
		size_t i = order[r];
		int32_t a = group[i];

		if (a < 0)
			continue;
		if (rel[i] > 0) {
			for (size_t b = 0; b < G; b++)
				above[(size_t)a * G + b] += nirr[b] - seen[b];
		} else {
			seen[a]++;
		}
	}
	if (ft_pairwise_finish(above, nrel, nirr, G, out))
		rc = ft_error_set(err, FT_ENOMEM, "pairwise accuracy: out of memory");
done:
	free(above);
	free(nrel);
	free(nirr);
	free(seen);
	return rc;
}

/* ------------------------------------------------------ over queries */

void ft_query_mean(const struct ft_value *v, size_t n, struct ft_value *out,
                   size_t *n_defined)
{
	double s = 0;
	size_t c = 0;

	for (size_t q = 0; q < n; q++)
		if (!v[q].why) {
			s += v[q].value;
			c++;
		}
	if (n_defined)
		*n_defined = c;
	if (c)
		DEF(out, s / (double)c);
	else
		UNDEF(out, n ? "undefined in every query" : "no queries");
}
