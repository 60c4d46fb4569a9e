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
 *    the protected share of two groups; else one proportion per group;
 *  - mfair (multinomial FA*IR, Zehlike et al., IP&M 2022; mfair.c): one
 *    proportion per group or the query's own shares, a base (non-protected)
 *    group; a query that runs out of a protected group is flagged;
 *  - exposure (Singh & Joachims, KDD 2018; exposure.c): the top k by score
 *    (k = 20 by default: the LP has k^2 variables) get one ranking drawn
 *    from the LP's doubly stochastic matrix, the utilities being the
 *    model's top-one probabilities softmax(s) of those k items, the draw
 *    seeded by the seed and the query's contents; a query whose constraint
 *    cannot be met keeps the score order and is flagged;
 *  - the orders of a whole data set (ft_rank_orders) keep equal scores in
 *    input order, or put every query's items in a random order first.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/rerankers.h"
#include "metrics/metrics.h"

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

/* The start of every re-ranker: *k_out = its k for n items, no flags,
 * the scratch with the score order.  1: no items (nothing to do), 0: go
 * on, < 0: an error (the scratch freed). */
static int rr_start(const struct ft_method_spec *s, const double *score, size_t n,
                    size_t *k_out, int *flags, struct scratch *sc, struct ft_error *err)
{
	int rc;

	*k_out = top_k(s, n);
	if (flags)
		*flags = 0;
	if (n == 0)
		return 1;
	if ((rc = scratch_new(sc, n, err)))
		return rc;
	if ((rc = ft_rank_order(score, n, sc->all, err))) {
		scratch_free(sc);
		return rc;
	}
	return 0;
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
	if ((rc = rr_start(s, score, n, k_out, flags, &sc, err)))
		return rc < 0 ? rc : 0;
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

	if (n_groups > FT_MAX_LIST)
		return ft_error_set(err, FT_EINVAL, "%s: at most %d groups", s->method->name,
		                    FT_MAX_LIST);
	for (algo = 0; algo < FT_N_DET; algo++)
		if (!strcmp(s->method->name, ft_det_name(algo)))
			break;
	if (algo == FT_N_DET)
		return ft_error_set(err, FT_EINVAL, "%s: not a Geyik re-ranker",
		                    s->method->name);
	if ((rc = rr_start(s, score, n, k_out, flags, &sc, err)))
		return rc < 0 ? rc : 0;
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
	scratch_free(&sc);
	return rc;
}

/* Multinomial FA*IR (src/fair/mfair.c): parameters p (a list), alpha,
 * adjust, k, base.  p = 0 takes the query's own group shares; base -1 is
 * the group other than the protected one (two groups only, checked by
 * ft_rerank_check_groups). */
int ft_rerank_mfair(const struct ft_method_spec *s, const double *score,
                    const int32_t *group, size_t n, size_t n_groups,
                    int32_t protected_group, size_t *order, size_t *k_out, int *flags,
                    struct ft_error *err)
{
	size_t k = top_k(s, n), n_failed = 0, *cnt = NULL;
	double props[FT_MAX_LIST], a = s->params[1];
	int32_t base = s->params[4] >= 0 ? (int32_t)s->params[4] : 1 - protected_group;
	struct scratch sc;
	int rc;

	if (n_groups > FT_MAX_LIST)
		return ft_error_set(err, FT_EINVAL, "mfair: at most %d groups", FT_MAX_LIST);
	if ((rc = rr_start(s, score, n, k_out, flags, &sc, err)))
		return rc < 0 ? rc : 0;
	if (s->n_list > 1) {
		memcpy(props, s->list, n_groups * sizeof *props);
	} else if (!(cnt = calloc(n_groups, sizeof *cnt))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	} else {
		for (size_t i = 0; i < n; i++)
			cnt[group[i]]++;
		for (size_t g = 0; g < n_groups; g++)
			props[g] = (double)cnt[g] / (double)n;
	}
	if (props[base] >= 1.0) {
		/* no protected item: the score order */
		memcpy(order, sc.all, k * sizeof *order);
	} else {
		if (s->params[2] && (rc = ft_mfair_adjust_alpha(k, n_groups, props, base, a, &a,
		                                                NULL, err)))
			goto done;
		if ((rc = ft_mfair_rerank(score, group, n, n_groups, props, base, a, k, order,
		                          &n_failed, err)))
			goto done;
	}
	if (flags && n_failed)
		*flags |= FT_RERANK_SHORT;
	fill_rest(sc.all, n, k, order, sc.used);
done:
	free(cnt);
	scratch_free(&sc);
	return rc;
}

/* The stream of a query's sampled ranking: its contents (scores and
 * groups) and the seed, so that train, eval and predict draw the same
 * ranking of the same query. */
static uint64_t content_seed(uint64_t seed, const double *score, const int32_t *group,
                             size_t n)
{
	char text[17 * 2 + 1];
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		unsigned char b[sizeof(double) + sizeof(int32_t)];
		memcpy(b, &score[i], sizeof(double));
		memcpy(b + sizeof(double), &group[i], sizeof(int32_t));
		for (size_t j = 0; j < sizeof b; j++)
			h = (h ^ b[j]) * 0x100000001b3ULL;
	}
	snprintf(text, sizeof text, "%016llx", (unsigned long long)h);
	return ft_seed_of_text(seed, text);
}

/* Singh & Joachims' exposure re-ranker (src/fair/exposure.c): parameters
 * kind (dp|dt), delta, k, seed.  The top k items by score get the
 * stochastic ranking of the exposure LP, whose utilities are their
 * estimated relevances: the model's top-one probabilities softmax(s)
 * among them (ListNet's, DELTR's reading of a score); one ranking is drawn
 * from its Birkhoff-von Neumann decomposition. */
int ft_rerank_exposure(const struct ft_method_spec *s, const double *score,
                       const int32_t *group, size_t n, size_t n_groups,
                       int32_t protected_group, size_t *order, size_t *k_out, int *flags,
                       struct ft_error *err)
{
	size_t k = top_k(s, n), *perm = NULL;
	double *rel = NULL, *P = NULL, mx, z = 0;
	int32_t *g = NULL;
	struct ft_bvn *d = NULL;
	struct ft_error e2 = {0};
	struct ft_rng rng;
	struct scratch sc;
	int rc;

	(void)protected_group;
	if ((rc = rr_start(s, score, n, k_out, flags, &sc, err)))
		return rc < 0 ? rc : 0;
	memcpy(order, sc.all, n * sizeof *order);
	rel = malloc(k * sizeof *rel);
	g = malloc(k * sizeof *g);
	perm = malloc(k * sizeof *perm);
	P = malloc(k * k * sizeof *P);
	if (!rel || !g || !perm || !P) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	mx = score[sc.all[0]];
	for (size_t j = 0; j < k; j++) {
		rel[j] = exp(score[sc.all[j]] - mx);   /* max-shifted softmax */
		z += rel[j];
		g[j] = group[sc.all[j]];
	}
	for (size_t j = 0; j < k; j++)
		rel[j] /= z;
	rc = ft_exposure_lp(rel, g, k, n_groups, (int)s->params[0], s->params[1], P, NULL,
	                    &e2);
	if (rc == FT_EDATA) {
		/* the constraint cannot be met: the score order, flagged */
		if (flags)
			*flags |= FT_RERANK_SHORT;
		rc = 0;
		goto done;
	}
	if (rc || (rc = ft_bvn_decompose(P, k, 0, &d, &e2))) {
		ft_error_set(err, rc, "exposure: %s", e2.msg);
		goto done;
	}
	ft_rng_seed(&rng, content_seed((uint64_t)s->params[3], score, group, n));
	ft_bvn_sample(d, &rng, perm);
	for (size_t j = 0; j < k; j++)
		order[j] = sc.all[perm[j]];
done:
	ft_bvn_free(d);
	free(rel);
	free(g);
	free(perm);
	free(P);
	scratch_free(&sc);
	return rc;
}

const char *ft_rerank_short_text(const struct ft_method *m)
{
	if (m->rerank == ft_rerank_fair)
		return "have fewer protected items than the table asks for; all of them are "
		       "placed as early as it asks";
	if (m->rerank == ft_rerank_mfair)
		return "ran out of a protected group's items before the table was met; the "
		       "prefixes that fail take the protected item that fails least";
	if (m->rerank == ft_rerank_exposure)
		return "cannot meet the exposure constraint within delta; they keep the score "
		       "order";
	return "could not meet the re-ranker's constraint";
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
	if (rr->method->rerank == ft_rerank_mfair) {
		if (rr->params[4] < 0 && n_groups != 2)
			return ft_error_set(err, FT_EINVAL, "%s: with %zu groups give base=I, the "
			                    "index of the non-protected group (0 .. %zu, in the order "
			                    "of the group names)", name, n_groups, n_groups - 1);
		if (rr->params[4] >= (double)n_groups)
			return ft_error_set(err, FT_EINVAL, "%s: base=%g is not a group index "
			                    "(0 .. %zu)", name, rr->params[4], n_groups - 1);
		if (rr->n_list > 1 && rr->n_list != n_groups)
			return ft_error_set(err, FT_EINVAL, "%s: p gives %zu proportions for %zu "
			                    "groups", name, rr->n_list, n_groups);
		return 0;
	}
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

/* Tail items: score descending, then a random position. */
struct tail_key {
	double s;
	size_t pos, item;
};

static int cmp_tail(const void *a, const void *b)
{
	const struct tail_key *x = a, *y = b;

	if (x->s != y->s)
		return (x->s < y->s) - (x->s > y->s);
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* The items past the re-ranker's k in score order with equal scores in a
 * random order of their own (from seed), independent of the order that
 * chose the top k: the items a re-ranker leaves are ranked by score alone,
 * so their ties are ties (the pooled measurement, src/metrics/
 * rank_expect.c, takes them so). */
static int shuffle_tail(const double *s, size_t n, size_t k, uint64_t seed, size_t *order,
                        size_t *perm)
{
	struct tail_key *t;
	size_t *pos;

	if (k + 1 >= n)
		return 0;
	t = malloc((n - k) * sizeof *t);
	pos = malloc(n * sizeof *pos);
	if (!t || !pos) {
		free(t);
		free(pos);
		return FT_ENOMEM;
	}
	ft_tie_perm(seed, n, perm);   /* item perm[j] gets the random position j */
	for (size_t j = 0; j < n; j++)
		pos[perm[j]] = j;
	for (size_t r = k; r < n; r++) {
		t[r - k].item = order[r];
		t[r - k].s = s[order[r]];
		t[r - k].pos = pos[order[r]];
	}
	qsort(t, n - k, sizeof *t, cmp_tail);
	for (size_t r = k; r < n; r++)
		order[r] = t[r - k].item;
	free(t);
	free(pos);
	return 0;
}

/* One query's order: by score or re-ranked, in the input order or (ties
 * FT_TIE_RANDOM) in a random order of its items from qseed, which breaks
 * ties between equal scores as ft_rank_order_ties does. */
static int query_order(const double *s, const int32_t *g, size_t n, size_t n_groups,
                       const struct ft_method_spec *rr, int32_t prot, int random,
                       uint64_t qseed, size_t *order, size_t *k, int *fl,
                       size_t *perm, double *s2, int32_t *g2, size_t *o2,
                       struct ft_error *err)
{
	int rc;

	*k = n;
	if (!random)
		return rr ? rr->method->rerank(rr, s, g, n, n_groups, prot, order, k, fl, err) :
		       ft_rank_order(s, n, order, err);
	if (!rr)
		return ft_rank_order_ties(s, n, FT_TIE_RANDOM, qseed, order, err);
	ft_tie_perm(qseed, n, perm);
	for (size_t i = 0; i < n; i++) {
		s2[i] = s[perm[i]];
		g2[i] = g[perm[i]];
	}
	if ((rc = rr->method->rerank(rr, s2, g2, n, n_groups, prot, o2, k, fl, err)))
		return rc;
	for (size_t r = 0; r < n; r++)
		order[r] = perm[o2[r]];
	if (shuffle_tail(s, n, *k, ft_seed_of_text(qseed, "tail"), order, perm))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	return 0;
}

int ft_rank_orders(const struct ft_rank_data *rd, const double *s,
                   const struct ft_method_spec *rr, int32_t protected_group, int ties,
                   uint64_t seed, size_t *order, size_t *kq, size_t *n_short,
                   struct ft_error *err)
{
	size_t nmax = 1, *perm = NULL, *o2 = NULL;
	double *s2 = NULL;
	int32_t *g2 = NULL;
	int random = ties == FT_TIE_RANDOM, rc = 0;

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
	for (size_t q = 0; q < rd->n_queries; q++)
		if (rd->qoff[q + 1] - rd->qoff[q] > nmax)
			nmax = rd->qoff[q + 1] - rd->qoff[q];
	if (random && rr && (!(perm = malloc(nmax * sizeof *perm)) ||
	                     !(o2 = malloc(nmax * sizeof *o2)) ||
	                     !(s2 = malloc(nmax * sizeof *s2)) ||
	                     !(g2 = malloc(nmax * sizeof *g2)))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t q = 0; q < rd->n_queries; q++) {
		size_t lo = rd->qoff[q], n = rd->qoff[q + 1] - lo, k = n;
		uint64_t qseed = ft_seed_of_text(seed, rd->qid ? rd->qid[q] : NULL);
		int fl = 0;
		if ((rc = query_order(s + lo, rd->group ? rd->group + lo : NULL, n, rd->n_groups,
		                      rr, protected_group, random, qseed, order + lo, &k, &fl,
		                      perm, s2, g2, o2, err)))
			goto done;
		if (kq)
			kq[q] = k;
		if (n_short)
			*n_short += (fl & FT_RERANK_SHORT) != 0;
	}
done:
	free(perm);
	free(o2);
	free(s2);
	free(g2);
	return rc;
}
