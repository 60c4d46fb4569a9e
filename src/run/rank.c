/*
 * rank.c - measuring rankings for the before/after table (train --task
 * rank, eval of a ranking model, audit of rankings, compare --task rank):
 * every metric per query, then its mean over the queries where it is
 * defined, with a bootstrap interval over queries, and paired tests of
 * each model against the one before it.
 *
 * Choices (README, "Fair ranking"):
 *  - ties (struct ft_measure_opts.ties): by default every metric is the
 *    expectation over the orders of items the model cannot tell apart
 *    (equal scores; after a re-ranker, equal score and group:
 *    src/metrics/rank_expect.c), so no number depends on the file's row
 *    order; FT_TIE_RANDOM measures one seeded random order of each query
 *    (the one predict writes with the same seed), FT_TIE_STABLE the input
 *    order;
 *  - @k metrics at every cut-off the caller gives (10 by default);
 *  - skew@k is LiFT's smoothed skew (alpha = 1), defined for every query
 *    with items of known group, averaged over all of them; beside it the
 *    unsmoothed mean over the queries where the group is in the top k
 *    (skew@k_present, with their number skew@k_present_queries) and the
 *    pooled ln(sum c / sum k t) (skew@k_pooled); targets are each query's
 *    own group shares unless the caller gives one (also for NDKL and the
 *    infeasible index);
 *  - relevance labels below 0 (LSAT's ZFYA is a z-score) give no gain in
 *    NDCG, and an item is relevant for precision and pairwise accuracy
 *    when its label is above 0; Kendall's tau compares the items' expected
 *    ranks with the labels as given;
 *  - intervals: percentile bootstrap of the queries (ft_query_bootstrap;
 *    the pooled skew by ft_query_bootstrap_ratio); none with fewer than two
 *    queries;
 *  - tests: the mitigated model against the baseline and the re-ranked
 *    model against the mitigated one, query by query: rows "M_change" (the
 *    mean paired difference with its bootstrap interval) and
 *    "M_change_p_value" (sign-flip permutation test), convention
 *    "paired_test".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/dist.h"
#include "core/internal.h"
#include "fair/rerankers.h"
#include "metrics/metrics.h"
#include "run/run.h"

#define UNDEF_VALUE(o, w) do { (o)->value = NAN; (o)->why = (w); } while (0)
#define DEF_VALUE(o, v) do { (o)->value = (v); (o)->why = NULL; } while (0)

enum { K_MEAN = 0, K_COUNT, K_POOLED };

/* One row of the table (a metric, per group or overall). */
struct rowdef {
	char name[48];
	int per_group, kind;
	size_t off;                 /* first slot */
	size_t src;                 /* K_COUNT of present queries: the row counted */
};

/* The rows of one measurement and where each quantity goes. */
struct layout {
	size_t n_rows, n_slots, K, G;
	const size_t *cut;
	struct rowdef *row;
	/* row indices (SIZE_MAX: absent) */
	size_t nq, ndcg_k, ndcg, prec_k, tau, expo, ratio, skew_k, ndkl, rf, pw, pgap,
	       pinter;
};
/* per cut-off: skew, skew_present, skew_present_queries, skew_pooled,
 * min_skew, max_skew, infeasible_index */
#define SKEW_ROWS 7

static size_t add_row(struct layout *L, const char *name, int per_group, int kind)
{
	struct rowdef *r = &L->row[L->n_rows];

	snprintf(r->name, sizeof r->name, "%s", name);
	r->per_group = per_group;
	r->kind = kind;
	r->off = L->n_slots;
	r->src = SIZE_MAX;
	L->n_slots += per_group ? L->G : 1;
	return L->n_rows++;
}

static int layout_make(struct layout *L, const struct ft_measure_opts *ms, size_t G)
{
	static const size_t TEN = 10;
	char nm[48];

	memset(L, 0, sizeof *L);
	L->K = ms->n_cutoffs ? ms->n_cutoffs : 1;
	L->cut = ms->n_cutoffs ? ms->cutoffs : &TEN;
	L->G = G;
	if (!(L->row = calloc(16 + L->K * (2 + SKEW_ROWS), sizeof *L->row)))
		return FT_ENOMEM;
	L->nq = add_row(L, "n_queries", 0, K_COUNT);
	L->ndcg_k = L->n_rows;
	for (size_t k = 0; k < L->K; k++) {
		snprintf(nm, sizeof nm, "ndcg@%zu", L->cut[k]);
		add_row(L, nm, 0, K_MEAN);
	}
	L->ndcg = add_row(L, "ndcg", 0, K_MEAN);
	L->prec_k = L->n_rows;
	for (size_t k = 0; k < L->K; k++) {
		snprintf(nm, sizeof nm, "precision@%zu", L->cut[k]);
		add_row(L, nm, 0, K_MEAN);
	}
	L->tau = add_row(L, "kendall_tau", 0, K_MEAN);
	L->expo = L->ratio = L->skew_k = L->ndkl = L->rf = L->pw = L->pgap = L->pinter =
		SIZE_MAX;
	if (!G)
		return 0;
	L->expo = add_row(L, "exposure", 1, K_MEAN);
	L->ratio = add_row(L, "exposure_ratio", 0, K_MEAN);
	L->skew_k = L->n_rows;
	for (size_t k = 0; k < L->K; k++) {
		size_t c = L->cut[k], p;
		snprintf(nm, sizeof nm, "skew@%zu", c);
		add_row(L, nm, 1, K_MEAN);
		snprintf(nm, sizeof nm, "skew@%zu_present", c);
		p = add_row(L, nm, 1, K_MEAN);
		snprintf(nm, sizeof nm, "skew@%zu_present_queries", c);
		L->row[add_row(L, nm, 1, K_COUNT)].src = p;
		snprintf(nm, sizeof nm, "skew@%zu_pooled", c);
		add_row(L, nm, 1, K_POOLED);
		snprintf(nm, sizeof nm, "min_skew@%zu", c);
		add_row(L, nm, 0, K_MEAN);
		snprintf(nm, sizeof nm, "max_skew@%zu", c);
		add_row(L, nm, 0, K_MEAN);
		snprintf(nm, sizeof nm, "infeasible_index@%zu", c);
		add_row(L, nm, 0, K_MEAN);
	}
	L->ndkl = add_row(L, "ndkl", 0, K_MEAN);
	L->rf = add_row(L, "rnd", 0, K_MEAN);
	add_row(L, "rkl", 0, K_MEAN);
	add_row(L, "rrd", 0, K_MEAN);
	L->pw = add_row(L, "pairwise_accuracy", 1, K_MEAN);
	L->pgap = add_row(L, "pairwise_gap", 0, K_MEAN);
	L->pinter = add_row(L, "pairwise_inter_gap", 0, K_MEAN);
	return 0;
}

/* Per-query values of one model: v[slot * nq + q]; the pooled skew's
 * numerator and denominator at [(k G + g) nq + q]. */
struct vals {
	size_t nq;
	struct ft_value *v;
	double *num, *den;
};

static void vals_free(struct vals *V)
{
	free(V->v);
	free(V->num);
	free(V->den);
	memset(V, 0, sizeof *V);
}

static int vals_new(struct vals *V, const struct layout *L, size_t nq)
{
	size_t q1 = nq ? nq : 1, kg = L->K * (L->G ? L->G : 1);

	V->nq = nq;
	V->v = calloc(L->n_slots * q1, sizeof *V->v);
	V->num = calloc(kg * q1, sizeof *V->num);
	V->den = calloc(kg * q1, sizeof *V->den);
	return V->v && V->num && V->den ? 0 : FT_ENOMEM;
}

/* Scratch of one query's measurement. */
struct scratch {
	double *relc, *erank, *c, *cnt, *t;
	struct ft_value *tmp, *tmp2;
	uint64_t *pa, *pb;
	size_t *tot;
};

static void scratch_free(struct scratch *S)
{
	free(S->relc);
	free(S->erank);
	free(S->c);
	free(S->cnt);
	free(S->t);
	free(S->tmp);
	free(S->tmp2);
	free(S->pa);
	free(S->pb);
	free(S->tot);
}

static int scratch_new(struct scratch *S, size_t nmax, size_t G)
{
	size_t g1 = G ? G : 1;

	memset(S, 0, sizeof *S);
	S->relc = malloc(nmax * sizeof *S->relc);
	S->erank = malloc(nmax * sizeof *S->erank);
	S->c = malloc(g1 * sizeof *S->c);
	S->cnt = malloc(g1 * sizeof *S->cnt);
	S->t = malloc(g1 * sizeof *S->t);
	S->tmp = malloc(g1 * sizeof *S->tmp);
	S->tmp2 = malloc(g1 * sizeof *S->tmp2);
	S->pa = malloc(g1 * sizeof *S->pa);
	S->pb = malloc(g1 * sizeof *S->pb);
	S->tot = malloc(g1 * sizeof *S->tot);
	return S->relc && S->erank && S->c && S->cnt && S->t && S->tmp && S->tmp2 && S->pa && S->pb &&
	       S->tot ? 0 : FT_ENOMEM;
}

#define VAL(L, V, r, slot, q) (&(V)->v[((L)->row[r].off + (slot)) * (V)->nq + (q)])

/* The group metrics of one query from its soft sequence F (m slots). */
static int group_metrics(const struct layout *L, struct vals *V, size_t q,
                         const struct ft_xrank *x, const int32_t *g, int32_t prot,
                         const struct ft_measure_opts *ms, struct scratch *S)
{
	size_t G = L->G, m = 0, n = x->n;
	double *F = NULL;
	struct ft_pairwise *pw = NULL;
	int rc;

	if ((rc = ft_xrank_exposure(x, g, G, prot, S->tmp, VAL(L, V, L->ratio, 0, q))))
		return rc;
	for (size_t a = 0; a < G; a++)
		*VAL(L, V, L->expo, a, q) = S->tmp[a];
	if ((rc = ft_xrank_soft(x, g, G, &F, &m)))
		return rc;
	/* the target: given, or the query's shares (for the infeasible index
	 * as exact fractions of the counts) */
	memset(S->tot, 0, G * sizeof *S->tot);
	for (size_t i = 0; i < n; i++)
		if (g[i] >= 0)
			S->tot[g[i]]++;
	if (ms->n_target) {
		memcpy(S->t, ms->target, G * sizeof *S->t);
		rc = ft_props_rational(ms->target, G, S->pa, S->pb, "target", NULL);
	} else {
		ft_soft_shares(F, m, G, S->t);
		ft_props_counts(S->tot, G, S->pa, S->pb);
	}
	for (size_t k = 0; !rc && k < L->K; k++) {
		size_t r0 = L->skew_k + k * SKEW_ROWS, kk;
		ft_soft_topk(F, m, G, L->cut[k], S->c, &kk);
		ft_skew_of_counts(S->c, kk, m, S->t, G, FT_LIFT_ALPHA, S->tmp2, S->tmp);
		for (size_t a = 0; a < G; a++) {
			*VAL(L, V, r0, a, q) = S->tmp[a];
			*VAL(L, V, r0 + 1, a, q) = S->tmp2[a];
		}
		ft_skew_extremes(S->tmp, G, VAL(L, V, r0 + 4, 0, q), VAL(L, V, r0 + 5, 0, q),
		                 NULL, NULL);
		for (size_t a = 0; a < G && m > 0; a++) {
			V->num[(k * G + a) * V->nq + q] = S->c[a];
			V->den[(k * G + a) * V->nq + q] = (double)kk * S->t[a];
		}
		if (m == 0)
			UNDEF_VALUE(VAL(L, V, r0 + 6, 0, q), "no items of known group");
		else
			DEF_VALUE(VAL(L, V, r0 + 6, 0, q),
			          (double)ft_soft_infeasible(F, m, G, S->pa, S->pb, L->cut[k], S->cnt));
	}
	if (!rc) {
		ft_soft_ndkl(F, m, G, S->t, VAL(L, V, L->ndkl, 0, q));
		for (int f = 0; f < FT_N_RANK_FAIR && !rc; f++)
			if (prot < 0)
				UNDEF_VALUE(VAL(L, V, L->rf + f, 0, q), "no protected group");
			else
				rc = ft_soft_rank_fairness(f, F, m, G, prot, 10,
				                           VAL(L, V, L->rf + f, 0, q));
	}
	if (!rc && !(rc = ft_xrank_pairwise(x, S->relc, g, G, &pw))) {
		for (size_t a = 0; a < G; a++)
			*VAL(L, V, L->pw, a, q) = pw->row[a];
		*VAL(L, V, L->pgap, 0, q) = pw->gap;
		*VAL(L, V, L->pinter, 0, q) = pw->inter_gap;
	}
	ft_pairwise_free(pw);
	free(F);
	return rc;
}

/* One query: every per-query value of the model whose ranking is
 * order (items 0 .. n-1 of query q), with pools of ties by mode. */
static int measure_query(const struct layout *L, struct vals *V, size_t q,
                         const struct ft_rank_data *rd, const size_t *order,
                         const double *score, int mode, size_t k_rr, int32_t prot,
                         const struct ft_measure_opts *ms, struct scratch *S,
                         struct ft_error *err)
{
	size_t lo = rd->qoff[q], n = rd->qoff[q + 1] - lo;
	const double *rel = rd->rel + lo;
	const int32_t *g = L->G ? rd->group + lo : NULL;
	struct ft_xrank x;
	int rc;

	for (size_t i = 0; i < n; i++)
		S->relc[i] = rel[i] > 0 ? rel[i] : 0;
	if ((rc = ft_xrank_build(&x, order, n, score, g, mode, k_rr, err)))
		return rc;
	for (size_t k = 0; k < L->K && !rc; k++)
		rc = ft_xrank_ndcg(&x, S->relc, L->cut[k], VAL(L, V, L->ndcg_k + k, 0, q), err);
	if (!rc)
		rc = ft_xrank_ndcg(&x, S->relc, 0, VAL(L, V, L->ndcg, 0, q), err);
	for (size_t k = 0; k < L->K && !rc; k++)
		rc = ft_xrank_precision(&x, S->relc, L->cut[k], VAL(L, V, L->prec_k + k, 0, q),
		                        err);
	if (!rc && ft_xrank_erank(&x, S->erank))
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
	if (!rc) {
		/* tau-b of -(expected rank) and the labels */
		for (size_t i = 0; i < n; i++)
			S->erank[i] = -S->erank[i];
		rc = ft_kendall_tau(S->erank, rel, n, VAL(L, V, L->tau, 0, q), err);
	}
	if (!rc && L->G && group_metrics(L, V, q, &x, g, prot, ms, S))
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
	ft_xrank_free(&x);
	return rc;
}

/* The per-query values of one model: its scores s, re-ranked by rr (or
 * not), ordered and measured by the tie rule. */
static int measure_model(const struct layout *L, struct vals *V,
                         const struct ft_rank_data *rd, const double *s,
                         const struct ft_method_spec *rr, int32_t prot,
                         const struct ft_measure_opts *ms, size_t *n_short,
                         struct ft_error *err)
{
	size_t n1 = rd->n ? rd->n : 1, nq = rd->n_queries, nmax = 1;
	size_t *order = malloc(n1 * sizeof *order), *kq = malloc((nq ? nq : 1) * sizeof *kq);
	int ties = ms->ties, mode, rc;
	struct scratch S;

	for (size_t q = 0; q < nq; q++)
		if (rd->qoff[q + 1] - rd->qoff[q] > nmax)
			nmax = rd->qoff[q + 1] - rd->qoff[q];
	memset(&S, 0, sizeof S);
	if (!order || !kq || scratch_new(&S, nmax, L->G) || vals_new(V, L, nq)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	mode = ties != FT_TIE_EXPECT ? FT_XR_SINGLE : rr ? FT_XR_RERANK : FT_XR_SCORE;
	if ((rc = ft_rank_orders(rd, s, rr, prot, ties == FT_TIE_RANDOM ? FT_TIE_RANDOM :
	                         FT_TIE_STABLE, ms->tie_seed, order, kq, n_short, err)))
		goto done;
	for (size_t q = 0; q < nq && !rc; q++)
		rc = measure_query(L, V, q, rd, order + rd->qoff[q], s + rd->qoff[q], mode,
		                   kq[q], prot, ms, &S, err);
done:
	free(order);
	free(kq);
	scratch_free(&S);
	return rc;
}

static const char *const ONE_QUERY = "fewer than two queries: no interval over queries";

/* value and interval of the mean of vq (bootstrap over queries). */
static int mean_row(const struct ft_value *vq, size_t nq, const struct ft_measure_opts *ms,
                    uint64_t seed, struct ft_value *v, struct ft_value *lo,
                    struct ft_value *hi, struct ft_error *err)
{
	struct ft_interval iv;
	size_t used = 0;
	int rc;

	ft_query_mean(vq, nq, v, &used);
	/* undefined in every query for one reason: keep that reason */
	for (size_t q = 0; v->why && q < nq && vq[q].why; q++)
		if (strcmp(vq[q].why, vq[0].why))
			break;
		else if (q + 1 == nq)
			v->why = vq[0].why;
	UNDEF_VALUE(lo, ms->n_bootstrap ? ONE_QUERY : "no bootstrap");
	*hi = *lo;
	if (v->why || used < 2 || ms->n_bootstrap < 2)
		return 0;
	if ((rc = ft_query_bootstrap(vq, nq, ms->n_bootstrap, seed, ms->level, &iv, err)))
		return rc;
	*lo = iv.lo;
	*hi = iv.hi;
	return 0;
}

static int pooled_row(const double *num, const double *den, size_t nq,
                      const struct ft_measure_opts *ms, uint64_t seed, struct ft_value *v,
                      struct ft_value *lo, struct ft_value *hi, struct ft_error *err)
{
	struct ft_interval iv;
	double a = 0, b = 0;
	int rc;

	for (size_t q = 0; q < nq; q++) {
		a += num[q];
		b += den[q];
	}
	if (a > 0 && b > 0)
		DEF_VALUE(v, log(a / b));
	else
		UNDEF_VALUE(v, a > 0 ? "target proportion is 0" : "the group is in no query's top k");
	UNDEF_VALUE(lo, ms->n_bootstrap ? ONE_QUERY : "no bootstrap");
	*hi = *lo;
	if (v->why || nq < 2 || ms->n_bootstrap < 2)
		return 0;
	if ((rc = ft_query_bootstrap_ratio(num, den, nq, 1, ms->n_bootstrap, seed, ms->level,
	                                   &iv, err)))
		return rc;
	*lo = iv.lo;
	*hi = iv.hi;
	return 0;
}

static const char *slot_group(const struct layout *L, const struct ft_rank_data *rd,
                              size_t r, size_t slot)
{
	return L->row[r].per_group ? rd->group_names[slot] : "overall";
}

/* The rows of one model from its per-query values. */
static int add_model(struct ft_comparison *cmp, const char *model, const char *split,
                     const struct layout *L, const struct vals *V,
                     const struct ft_rank_data *rd, const struct ft_measure_opts *ms,
                     struct ft_error *err)
{
	size_t nq = V->nq;
	int rc = 0;

	for (size_t r = 0; r < L->n_rows && !rc; r++) {
		const struct rowdef *d = &L->row[r];
		for (size_t slot = 0; slot < (d->per_group ? L->G : 1) && !rc; slot++) {
			struct ft_value v, lo, hi;
			size_t pk = (r - L->skew_k) / SKEW_ROWS;
			if (d->kind == K_MEAN) {
				rc = mean_row(VAL(L, V, r, slot, 0), nq, ms, cmp->seed, &v, &lo, &hi, err);
			} else if (d->kind == K_POOLED) {
				rc = pooled_row(V->num + (pk * L->G + slot) * nq,
				                V->den + (pk * L->G + slot) * nq, nq, ms, cmp->seed, &v,
				                &lo, &hi, err);
			} else {
				size_t c = nq;
				if (d->src != SIZE_MAX) {
					c = 0;
					for (size_t q = 0; q < nq; q++)
						c += !VAL(L, V, d->src, slot, q)->why;
				}
				DEF_VALUE(&v, (double)c);
				UNDEF_VALUE(&lo, "a count");
				hi = lo;
			}
			if (!rc && ft_comparison_add(cmp, d->name, model, split,
			                             slot_group(L, rd, r, slot), "", v, lo, hi))
				rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		}
	}
	return rc;
}

/* Paired tests of model a against model b (per-query means only). */
static int add_tests(struct ft_comparison *cmp, const char *model, const char *split,
                     const struct layout *L, const struct vals *A, const struct vals *B,
                     const struct ft_rank_data *rd, const struct ft_measure_opts *ms,
                     struct ft_error *err)
{
	size_t nq = A->nq;
	struct ft_value *d = malloc((nq ? nq : 1) * sizeof *d);
	int rc = 0;

	if (!d)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	for (size_t r = 0; r < L->n_rows && !rc; r++) {
		const struct rowdef *def = &L->row[r];
		char nm[80];
		if (def->kind != K_MEAN)
			continue;
		for (size_t slot = 0; slot < (def->per_group ? L->G : 1) && !rc; slot++) {
			const struct ft_value *a = VAL(L, A, r, slot, 0), *b = VAL(L, B, r, slot, 0);
			struct ft_value diff, lo, hi, pv;
			double p = NAN;
			size_t used = 0;
			for (size_t q = 0; q < nq; q++) {
				if (a[q].why || b[q].why) {
					UNDEF_VALUE(&d[q], "undefined for a model");
				} else {
					DEF_VALUE(&d[q], a[q].value - b[q].value);
					used++;
				}
			}
			if ((rc = mean_row(d, nq, ms, cmp->seed, &diff, &lo, &hi, err)))
				break;
			if (ms->n_perm && used >= 2 &&
			    (rc = ft_query_paired_test(a, b, nq, ms->n_perm, cmp->seed, &diff, &p,
			                               &used, err)))
				break;
			if (!ms->n_perm)
				UNDEF_VALUE(&pv, "no permutation test");
			else if (used < 2)
				UNDEF_VALUE(&pv, "fewer than two queries where both are defined");
			else
				DEF_VALUE(&pv, p);
			snprintf(nm, sizeof nm, "%s_change", def->name);
			if (ft_comparison_add(cmp, nm, model, split, slot_group(L, rd, r, slot),
			                      "paired_test", diff, lo, hi))
				rc = FT_ENOMEM;
			snprintf(nm, sizeof nm, "%s_change_p_value", def->name);
			UNDEF_VALUE(&lo, "a p-value");
			if (!rc && ft_comparison_add(cmp, nm, model, split,
			                             slot_group(L, rd, r, slot), "paired_test", pv, lo,
			                             lo))
				rc = FT_ENOMEM;
			if (rc)
				rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		}
	}
	free(d);
	return rc;
}

int ft_run_rank_check(const struct ft_measure_opts *ms, size_t n_groups,
                      struct ft_error *err)
{
	double s = 0;

	if (ms->ties < 0 || ms->ties >= FT_N_TIE)
		return ft_error_set(err, FT_EINVAL, "unknown tie rule %d", ms->ties);
	if (ms->n_cutoffs > FT_MAX_CUTOFFS)
		return ft_error_set(err, FT_EINVAL, "at most %d cut-offs", FT_MAX_CUTOFFS);
	for (size_t k = 0; k < ms->n_cutoffs; k++)
		if (ms->cutoffs[k] == 0)
			return ft_error_set(err, FT_EINVAL, "a cut-off @k needs k >= 1");
	if (ms->n_bootstrap && (ms->n_bootstrap < 2 || !(ms->level > 0 && ms->level < 1)))
		return ft_error_set(err, FT_EINVAL, "the bootstrap needs at least 2 resamples "
		                    "and a level in (0, 1)");
	if (ms->n_target > FT_MAX_LIST)
		return ft_error_set(err, FT_EINVAL, "at most %d target shares", FT_MAX_LIST);
	if (!ms->n_target)
		return 0;
	if (n_groups && ms->n_target != n_groups)
		return ft_error_set(err, FT_EINVAL, "the target gives %zu shares for %zu groups",
		                    ms->n_target, n_groups);
	for (size_t g = 0; g < ms->n_target; g++) {
		if (!(ms->target[g] >= 0 && ms->target[g] <= 1))
			return ft_error_set(err, FT_EINVAL, "target share %g is not in [0, 1]",
			                    ms->target[g]);
		s += ms->target[g];
	}
	if (fabs(s - 1) > 1e-9)
		return ft_error_set(err, FT_EINVAL, "the target shares sum to %.17g, not 1", s);
	return 0;
}

int ft_run_rank_model(struct ft_comparison *cmp, const char *model, const char *split,
                      const struct ft_rank_data *rd, const double *score,
                      const struct ft_method_spec *rr, int32_t prot,
                      const struct ft_measure_opts *ms, size_t *n_short,
                      struct ft_error *err)
{
	struct layout L;
	struct vals V;
	int rc;

	memset(&V, 0, sizeof V);
	if ((rc = ft_run_rank_check(ms, rd->group ? rd->n_groups : 0, err)))
		return rc;
	if (layout_make(&L, ms, rd->group ? rd->n_groups : 0))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (!(rc = measure_model(&L, &V, rd, score, rr, prot, ms, n_short, err)))
		rc = add_model(cmp, model, split, &L, &V, rd, ms, err);
	vals_free(&V);
	free(L.row);
	return rc;
}

/* The models of one part measured from their scores: baseline (sb; NULL:
 * none), mitigated (sm) and (m->rr) re-ranked. */
static int scored_part(struct ft_comparison *cmp, const char *split,
                       const struct ft_rank_data *rd, const double *sb, const double *sm,
                       const struct ft_run_rankers *m, const struct ft_measure_opts *ms,
                       size_t *n_short, struct ft_error *err)
{
	struct vals Vb, Vm, Vr;
	struct layout L;
	size_t G = rd->group ? rd->n_groups : 0;
	int rc = 0;

	memset(&Vb, 0, sizeof Vb);
	memset(&Vm, 0, sizeof Vm);
	memset(&Vr, 0, sizeof Vr);
	memset(&L, 0, sizeof L);
	if (layout_make(&L, ms, G)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if (sb && ((rc = measure_model(&L, &Vb, rd, sb, NULL, m->prot, ms, NULL, err)) ||
	           (rc = add_model(cmp, "baseline", split, &L, &Vb, rd, ms, err))))
		goto done;
	/* the same fit: the same rows, at no cost */
	if (m->same && sb) {
		if ((rc = ft_run_copy_rows(cmp, "baseline", "mitigated", split, err)))
			goto done;
	} else if ((rc = measure_model(&L, &Vm, rd, sm, NULL, m->prot, ms, NULL, err)) ||
	           (rc = add_model(cmp, "mitigated", split, &L, &Vm, rd, ms, err)) ||
	           (sb && (rc = add_tests(cmp, "mitigated", split, &L, &Vm, &Vb, rd, ms,
	                                  err)))) {
		goto done;
	}
	if (m->rr && (!(rc = measure_model(&L, &Vr, rd, sm, m->rr, m->prot, ms, n_short,
	                                   err)) &&
	              !(rc = add_model(cmp, "reranked", split, &L, &Vr, rd, ms, err))))
		rc = add_tests(cmp, "reranked", split, &L, &Vr, Vm.v ? &Vm : &Vb, rd, ms, err);
done:
	vals_free(&Vb);
	vals_free(&Vm);
	vals_free(&Vr);
	free(L.row);
	return rc;
}

/* Baseline, mitigated and (rr) re-ranked scores of one part measured; in
 * a distributed run each rank scores its queries and rank 0 measures every
 * rank's rows (rank_dist.c). */
int ft_run_rank_part(struct ft_comparison *cmp, const char *split,
                     const struct ft_rank_data *rd, const struct ft_run_rankers *m,
                     const struct ft_measure_opts *ms, size_t *n_short,
                     struct ft_error *err)
{
	size_t n = rd->n ? rd->n : 1, G = rd->group ? rd->n_groups : 0;
	double *sb = malloc(n * sizeof *sb), *sm = malloc(n * sizeof *sm), *all[2] = {0, 0};
	const double *sc[2] = {sb, sm};
	struct ft_rank_data *g = NULL;
	uint64_t ns = 0;
	int rc;

	*n_short = 0;
	if (!(rc = ft_run_rank_check(ms, G, err)) && (!sb || !sm))
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	if (m->wb)
		ft_rank_scores(rd, m->wb, sb);
	ft_rank_scores(rd, m->w, sm);
	if (!ft_dist_on()) {
		rc = scored_part(cmp, split, rd, m->wb ? sb : NULL, sm, m, ms, n_short, err);
		goto done;
	}
	if ((rc = ft_run_rank_gather(rd, sc, 2, &g, all, err)))
		goto done;
	if (ft_dist_me() == 0) {
		ft_dist_solo(1);
		rc = scored_part(cmp, split, g, m->wb ? all[0] : NULL, all[1], m, ms, n_short,
		                 err);
		ft_dist_solo(0);
		ns = *n_short;
	}
	ft_dist_sum_u64(&ns, 1);
	*n_short = (size_t)ns;
	rc = ft_dist_agree(rc, err);
done:
	ft_rank_data_free(g);
	free(all[0]);
	free(all[1]);
	free(sb);
	free(sm);
	return rc;
}

int ft_run_is_eopp(const struct ft_method_spec *rr)
{
	return rr && rr->method && !strcmp(rr->method->name, "eopp-rank");
}

int ft_run_fit_eopp(const struct ft_rank_data *rd, const double *w,
                    const struct ft_method_spec *rr, struct ft_eopp **out,
                    struct ft_error *err)
{
	struct ft_eopp_params ep;
	size_t n = rd->n, n_all = n, *rank = NULL;
	double *s = ft_xalloc(n ? n : 1, sizeof *s), *lab = ft_xalloc(n ? n : 1, sizeof *lab);
	int32_t *pos = ft_xalloc(n ? n : 1, sizeof *pos), *grp = NULL;
	void *all[4] = {NULL, NULL, NULL, NULL};
	int rc = 0;

	*out = NULL;
	ft_eopp_params_init(&ep);
	ep.n_quantiles = (size_t)rr->params[0];
	ep.cutoff = (size_t)rr->params[1];
	ep.original_scale = (int)rr->params[2];
	ep.max_importance_weight = rr->params[3];
	rank = ft_xalloc(n ? n : 1, sizeof *rank);
	grp = ft_xalloc(n ? n : 1, sizeof *grp);
	if (!s || !lab || !pos || !rank || !grp) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	ft_rank_scores(rd, w, s);
	if ((rc = ft_rank_positions(rd, s, rank, err)))
		goto done;
	for (size_t i = 0; i < n; i++) {
		lab[i] = rd->rel[i] > 0 ? 1.0 : 0.0;
		pos[i] = (int32_t)(rank[i] < INT32_MAX ? rank[i] : INT32_MAX);
		grp[i] = rd->group ? rd->group[i] : -1;
	}
	if (ft_dist_on()) {
		const void *in[4] = {s, lab, grp, pos};
		const size_t elem[4] = {sizeof *s, sizeof *lab, sizeof *grp, sizeof *pos};
		if (ft_dist_allrows_k(n, 4, in, elem, all, &n_all)) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
	}
	rc = ft_eopp_fit(all[0] ? all[0] : s, all[1] ? all[1] : lab, all[2] ? all[2] : grp,
	                 ep.cutoff ? (all[3] ? all[3] : pos) : NULL, n_all, rd->n_groups, &ep,
	                 out, err);
done:
	for (int k = 0; k < 4; k++)
		free(all[k]);
	free(s);
	free(lab);
	free(pos);
	free(rank);
	free(grp);
	return rc;
}
