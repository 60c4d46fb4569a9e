/*
 * rerankers.c - the re-rankers of the method registry, applied to one query
 * or to every query of a ranking: FA*IR (Zehlike et al., CIKM 2017) with
 * its table capped at the query's protected items, and DetGreedy, DetCons,
 * DetRelaxed (Geyik, Ambler & Kenthapadi, KDD 2019) with target proportions
 * given or taken from the query.  The algorithms themselves are in
 * rerank.c (ft_fair_rerank, ft_det_rerank_items); this file holds the
 * choices around them (README, "Fair ranking"):
 *  - a re-ranker orders each query's top k (k clipped to the query's size;
 *    the whole query when k is 0); the other items follow in score order;
 *  - FA*IR: a query with fewer protected items than the table asks for gets
 *    all of them as early as the table asks and the rest by score (the
 *    table is capped at the protected count and the query is flagged
 *    FT_RERANK_SHORT); p defaults to the query's protected share;
 *  - Det*: p = 0 takes the query's own group proportions; one number is
 *    the protected share of two groups; else one proportion per group.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fair/rerankers.h"

/* The item of each rank by score, and the items after the top k: order
 * gets all n items, order[0 .. k) as placed, the rest in score order. */
static void fill_rest(const size_t *by_score, size_t n, size_t k, size_t *order,
                      unsigned char *used)
{
	size_t at = k;

	memset(used, 0, n);
	for (size_t r = 0; r < k; r++)
		used[order[r]] = 1;
	for (size_t r = 0; r < n; r++)
		if (!used[by_score[r]])
			order[at++] = by_score[r];
}

/* Scratch of a query: the score order, table, flags. */
struct scratch {
	size_t *all, *m;
	unsigned char *used;
};

static int scratch_new(struct scratch *sc, size_t n, struct ft_error *err)
{
	sc->all = malloc((n ? n : 1) * sizeof *sc->all);
	sc->m = malloc((n ? n : 1) * sizeof *sc->m);
	sc->used = malloc(n ? n : 1);
	if (!sc->all || !sc->m || !sc->used) {
		free(sc->all);
		free(sc->m);
		free(sc->used);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	return 0;
}

static void scratch_free(struct scratch *sc)
{
	free(sc->all);
	free(sc->m);
	free(sc->used);
}

/* k of spec s (parameter named "k") for n items. */
static size_t top_k(const struct ft_method_spec *s, size_t n)
{
	for (size_t j = 0; j < s->method->n_params; j++)
		if (!strcmp(s->method->params[j].name, "k")) {
			size_t k = (size_t)s->params[j];
			return k && k < n ? k : n;
		}
	return n;
}

int ft_rerank_fair(const struct ft_method_spec *s, const double *score,
                   const int32_t *group, size_t n, size_t n_groups,
                   int32_t protected_group, size_t *order, size_t *k_out, int *flags,
                   struct ft_error *err)
{
	/* parameters in table order: p, alpha, adjust, k */
	size_t k = top_k(s, n), np = 0;
	struct scratch sc;
	double p, a;
	int rc;

	(void)n_groups;
	*k_out = k;
	if (flags)
		*flags = 0;
	if (n == 0)
		return 0;
	if ((rc = scratch_new(&sc, n, err)))
		return rc;
	if ((rc = ft_rank_order(score, n, sc.all, err)))
		goto done;
	for (size_t i = 0; i < n; i++)
		np += group[i] == protected_group;
	p = s->params[0] > 0 ? s->params[0] : (double)np / (double)n;
	if (!(p > 0 && p < 1)) {
		/* no protected item, or nothing else: the score order */
		memcpy(order, sc.all, k * sizeof *order);
	} else {
		rc = s->params[2] ? ft_fair_adjust_alpha(k, p, s->params[1], &a, sc.m, NULL, err) :
		     ft_fair_mtable(k, p, s->params[1], sc.m, err);
		for (size_t i = 0; !rc && i < k; i++)
			if (sc.m[i] > np) {
				sc.m[i] = np;
				if (flags)
					*flags |= FT_RERANK_SHORT;
			}
		if (!rc)
			rc = ft_fair_rerank(score, group, n, protected_group, sc.m, k, order, err);
	}
	if (!rc)
		fill_rest(sc.all, n, k, order, sc.used);
done:
	scratch_free(&sc);
	return rc;
}

int ft_rerank_det(const struct ft_method_spec *s, const double *score,
                  const int32_t *group, size_t n, size_t n_groups,
                  int32_t protected_group, size_t *order, size_t *k_out, int *flags,
                  struct ft_error *err)
{
	/* parameters in table order: p (a list), k */
	size_t k = top_k(s, n);
	double props[FT_MAX_LIST];
	struct scratch sc;
	int algo, rc;

	*k_out = k;
	if (flags)
		*flags = 0;
	if (n == 0)
		return 0;
	if (n_groups > FT_MAX_LIST)
		return ft_error_set(err, FT_EINVAL, "%s: at most %d groups", s->method->name,
		                    FT_MAX_LIST);
	for (algo = 0; algo < FT_N_DET; algo++)
		if (!strcmp(s->method->name, ft_det_name(algo)))
			break;
	if (algo == FT_N_DET)
		return ft_error_set(err, FT_EINVAL, "%s: not a Geyik re-ranker",
		                    s->method->name);
	if ((rc = scratch_new(&sc, n, err)))
		return rc;
	if ((rc = ft_rank_order(score, n, sc.all, err)))
		goto done;
	if (s->n_list > 1) {
		memcpy(props, s->list, n_groups * sizeof *props);
	} else if (s->params[0] > 0) {
		props[protected_group] = s->params[0];
		props[1 - protected_group] = 1 - s->params[0];
	}
	/* p = 0: the query's own shares, exactly (count / n; NULL) */
	rc = ft_det_rerank_items(algo, score, group, n, n_groups,
	                         s->n_list > 1 || s->params[0] > 0 ? props : NULL, k,
	                         order, err);
	if (!rc)
		fill_rest(sc.all, n, k, order, sc.used);
done:
	scratch_free(&sc);
	return rc;
}

int ft_rerank_check_groups(const struct ft_method_spec *rr, size_t n_groups,
                           struct ft_error *err)
{
	const char *name = rr->method->name;

	if (n_groups > FT_MAX_LIST)
		return ft_error_set(err, FT_EINVAL, "re-ranking takes at most %d groups, not "
		                    "%zu", FT_MAX_LIST, n_groups);
	if (n_groups < 2)
		return ft_error_set(err, FT_EINVAL, "re-ranking needs groups (--sensitive or "
		                    "--sensitive-feature, and --protected)");
	if (rr->method->rerank != ft_rerank_det)
		return 0;
	if (rr->n_list <= 1 && rr->params[0] > 0 && n_groups != 2)
		return ft_error_set(err, FT_EINVAL, "%s: p=%g gives the protected share, which "
		                    "fixes the proportions only with two groups (there are %zu: "
		                    "give p=a/b/..)", name, rr->params[0], n_groups);
	if (rr->n_list > 1 && rr->n_list != n_groups)
		return ft_error_set(err, FT_EINVAL, "%s: p gives %zu proportions for %zu groups",
		                    name, rr->n_list, n_groups);
	return 0;
}

int ft_rank_orders(const struct ft_rank_data *rd, const double *s,
                   const struct ft_method_spec *rr, int32_t protected_group,
                   size_t *order, size_t *kq, size_t *n_short, struct ft_error *err)
{
	if (n_short)
		*n_short = 0;
	if (rr) {
		for (size_t i = 0; i < rd->n; i++)
			if (!rd->group || rd->group[i] < 0) {
				if (rd->line)
					return ft_error_set(err, FT_EDATA, "%s:%zu: the re-ranker %s needs "
					                    "the item's group, and it has none", rd->path,
					                    rd->line[i], rr->method->name);
				return ft_error_set(err, FT_EDATA, "item %zu: the re-ranker %s needs "
				                    "the item's group", i + 1, rr->method->name);
			}
	}
	for (size_t q = 0; q < rd->n_queries; q++) {
		size_t lo = rd->qoff[q], n = rd->qoff[q + 1] - lo, k = n;
		int fl = 0, rc;
		if (rr)
			rc = rr->method->rerank(rr, s + lo, rd->group + lo, n, rd->n_groups,
			                        protected_group, order + lo, &k, &fl, err);
		else
			rc = ft_rank_order(s + lo, n, order + lo, err);
		if (rc)
			return rc;
		if (kq)
			kq[q] = k;
		if (n_short)
			*n_short += (fl & FT_RERANK_SHORT) != 0;
	}
	return 0;
}
