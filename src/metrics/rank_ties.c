/*
 * rank_ties.c - ranking metrics that do not depend on how tied scores are
 * ordered, and the orders a caller may choose for ties.
 *
 * A linear ranker often gives equal scores (equal features, a constant
 * feature, binary features), and NDCG of "the" ranking then depends on the
 * row order of the file: on TREC, 0.889 in file order, 0.498 shuffled,
 * 0.174 reversed for the same model.  The functions here take scores and
 * return the expectation over all orders of the tied items, all equally
 * likely.  By linearity, a set of t tied items that occupies ranks
 * a+1 .. a+t contributes its mean gain times the discounts of those of its
 * ranks that lie within the cut-off (McSherry & Najork, "Computing
 * Information Retrieval Performance Measures Efficiently in the Presence
 * of Tied Scores", ECIR 2008; scikit-learn's _tie_averaged_dcg, which
 * ndcg_score(ignore_ties=False) uses).  The ideal DCG does not depend on
 * ties.  Precision@k is the same with the gain 1[rel > 0] and no discount.
 *
 * The orders: FT_TIE_STABLE (equal scores keep the input order, what
 * ft_rank_order and predict do) and FT_TIE_RANDOM (a seeded uniformly
 * random order of every tied set: a Fisher-Yates shuffle, then a stable
 * sort).
 *
 * Not here: the metrics of a given order (ranking.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "metrics/metrics.h"

#define UNDEF(o, w) do { (o)->value = NAN; (o)->why = (w); } while (0)
#define DEF(o, v) do { (o)->value = (v); (o)->why = NULL; } while (0)

const char *ft_tie_rule(int tie)
{
	switch (tie) {
	case FT_TIE_STABLE:
		return "items with equal scores keep their input order (stable sort)";
	case FT_TIE_RANDOM:
		return "items with equal scores are put in a seeded uniformly random order";
	default:
		return "unknown tie rule";
	}
}

static int check_scores(const double *score, size_t n, const char *tag,
                        struct ft_error *err)
{
	if (n > 0 && !score)
		return ft_error_set(err, FT_EINVAL, "%s: score is NULL with %zu items", tag, n);
	for (size_t i = 0; i < n; i++)
		if (isnan(score[i]))
			return ft_error_set(err, FT_EINVAL, "%s: score[%zu] is NaN", tag, i);
	return 0;
}

int ft_rank_order_ties(const double *score, size_t n, int tie, uint64_t seed,
                       size_t *order, struct ft_error *err)
{
	size_t *perm = NULL, *o2 = NULL;
	double *s2 = NULL;
	struct ft_rng r;
	int rc;

	if (tie < 0 || tie >= FT_N_TIE)
		return ft_error_set(err, FT_EINVAL, "ranking: unknown tie rule %d", tie);
	if ((rc = check_scores(score, n, "ranking", err)) < 0)
		return rc;
	if (tie == FT_TIE_STABLE || n < 2)
		return ft_rank_order(score, n, order, err);
	perm = malloc(n * sizeof *perm);
	o2 = malloc(n * sizeof *o2);
	s2 = malloc(n * sizeof *s2);
	if (!perm || !o2 || !s2) {
		rc = ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	ft_rng_seed(&r, seed);
	for (size_t i = n; i >= 2; i--) {
		size_t j = (size_t)ft_rng_below(&r, i), t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		s2[i] = score[perm[i]];
	if ((rc = ft_rank_order(s2, n, o2, err)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		order[i] = perm[o2[i]];
done:
	free(perm);
	free(o2);
	free(s2);
	return rc;
}

int ft_rank_ties(const double *score, size_t n, size_t *n_tied, size_t *n_sets,
                 struct ft_error *err)
{
	double *s;
	size_t tied = 0, sets = 0;
	int rc;

	if ((rc = check_scores(score, n, "ranking", err)) < 0)
		return rc;
	s = malloc((n ? n : 1) * sizeof *s);
	if (!s)
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	if (n)
		memcpy(s, score, n * sizeof *s);
	qsort(s, n, sizeof *s, ft_cmp_double_desc);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && s[j] == s[i]; j++)
			;
		if (j - i > 1) {
			tied += j - i;
			sets++;
		}
	}
	free(s);
	if (n_tied)
		*n_tied = tied;
	if (n_sets)
		*n_sets = sets;
	return 0;
}

/* The tie-averaged sum over the top k of w(item) d(rank): kind 0 NDCG
 * (w = gain, d = 1/log2(1 + r)), kind 1 precision (w = 1[rel > 0],
 * d = 1).  order is the score order (ties adjacent). */
static double tie_sum(int kind, const double *rel, const double *score,
                      const size_t *order, size_t n, size_t k)
{
	double total = 0;

	for (size_t a = 0, b; a < n && a < k; a = b) {
		double wsum = 0, dsum = 0;

		for (b = a + 1; b < n && score[order[b]] == score[order[a]]; b++)
			;
		for (size_t r = a; r < b; r++) {
			double x = rel[order[r]];
			wsum += kind == 0 ? ft_rank_gain(x) : (x > 0);
		}
		for (size_t r = a; r < b && r < k; r++)
			dsum += kind == 0 ? 1.0 / log2(2.0 + (double)r) : 1.0;
		total += wsum / (double)(b - a) * dsum;
	}
	return total;
}

/* Check, sort, and compute: NDCG (kind 0) or precision (kind 1). */
static int tie_metric(int kind, const double *rel, const double *score, size_t n,
                      size_t k, struct ft_value *out, struct ft_error *err)
{
	size_t *order = NULL;
	double *ideal = NULL, v;
	int rc;

	if ((rc = ft_rank_check_rel(rel, n, err)) < 0)
		return rc;
	if ((rc = check_scores(score, n, "ranking", err)) < 0)
		return rc;
	if (n == 0) {
		UNDEF(out, "no items");
		return 0;
	}
	order = malloc(n * sizeof *order);
	ideal = malloc(n * sizeof *ideal);
	if (!order || !ideal) {
		rc = ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
		goto done;
	}
	if ((rc = ft_rank_order(score, n, order, err)) < 0)
		goto done;
	if (kind == 1) {
		if (k == 0)
			k = n;
		DEF(out, tie_sum(1, rel, score, order, n, k) / (double)k);
		goto done;
	}
	if (k == 0 || k > n)
		k = n;
	v = tie_sum(0, rel, score, order, n, k);
	{
		double idcg = 0;

		memcpy(ideal, rel, n * sizeof *ideal);
		qsort(ideal, n, sizeof *ideal, ft_cmp_double_desc);
		for (size_t r = 0; r < k; r++)
			idcg += ft_rank_gain(ideal[r]) / log2(2.0 + (double)r);
		if (idcg > 0)
			DEF(out, v / idcg);
		else
			UNDEF(out, "no relevant items");
	}
done:
	free(order);
	free(ideal);
	return rc;
}

int ft_ndcg_ties(const double *rel, const double *score, size_t n, size_t k,
                 struct ft_value *out, struct ft_error *err)
{
	return tie_metric(0, rel, score, n, k, out, err);
}

int ft_precision_ties(const double *rel, const double *score, size_t n,
                      size_t k, struct ft_value *out, struct ft_error *err)
{
	return tie_metric(1, rel, score, n, k, out, err);
}
