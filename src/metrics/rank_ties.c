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
 * The expectation itself is rank_expect.c's (pools of equal scores).
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
	case FT_TIE_EXPECT:
		return "metrics are the expectation over every order of items with equal "
		       "scores";
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

void ft_tie_perm(uint64_t seed, size_t n, size_t *perm)
{
	struct ft_rng r;

	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	ft_rng_seed(&r, seed);
	for (size_t i = n; i >= 2; i--) {
		size_t j = (size_t)ft_rng_below(&r, i), t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
}

int ft_rank_order_ties(const double *score, size_t n, int tie, uint64_t seed,
                       size_t *order, struct ft_error *err)
{
	size_t *perm = NULL, *o2 = NULL;
	double *s2 = NULL;
	int rc;

	if (tie < 0 || tie >= FT_N_TIE)
		return ft_error_set(err, FT_EINVAL, "ranking: unknown tie rule %d", tie);
	if (tie == FT_TIE_EXPECT)
		return ft_error_set(err, FT_EINVAL, "ranking: an order of tied items cannot be "
		                    "their expectation (stable or random)");
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
	ft_tie_perm(seed, n, perm);
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

/* Check, sort, and measure the score order with its ties pooled
 * (rank_expect.c, FT_XR_SCORE): NDCG (kind 0) or precision (kind 1). */
static int tie_metric(int kind, const double *rel, const double *score, size_t n,
                      size_t k, struct ft_value *out, struct ft_error *err)
{
	size_t *order = NULL;
	struct ft_xrank x;
	int rc;

	if ((rc = ft_rank_check_rel(rel, n, err)) < 0)
		return rc;
	if ((rc = check_scores(score, n, "ranking", err)) < 0)
		return rc;
	if (n == 0) {
		UNDEF(out, "no items");
		return 0;
	}
	if (!(order = malloc(n * sizeof *order)))
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	if ((rc = ft_rank_order(score, n, order, err)) < 0 ||
	    (rc = ft_xrank_build(&x, order, n, score, NULL, FT_XR_SCORE, 0, err)) < 0)
		goto done;
	rc = kind == 0 ? ft_xrank_ndcg(&x, rel, k, out, err) :
	     ft_xrank_precision(&x, rel, k, out, err);
	ft_xrank_free(&x);
done:
	free(order);
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
