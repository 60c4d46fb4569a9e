/*
 * rank_expect.c - the ranking metrics of one query when some items cannot
 * be told apart: the expectation over every order of the tied items, all
 * equally likely (README, "Fair ranking", Ties).
 *
 * A model that gives equal scores leaves their order to the file: on LSAT
 * a ranker with all-zero weights kept the file's order, which is sorted by
 * relevance, and scored NDCG 1.0.  Here the items fall into pools of
 * exchangeable items, and the ranking into segments of slots, each slot of
 * a segment holding an item of pool P with probability w(P) = count(P) /
 * length(segment):
 *   FT_XR_SINGLE  every item its own pool, every slot its own segment: the
 *                 ranking as it is (no ties, or ties already broken);
 *   FT_XR_SCORE   the ranking by score: a pool is a set of equal scores,
 *                 and its slots one segment (McSherry & Najork, ECIR 2008;
 *                 scikit-learn's ndcg_score(ignore_ties=False));
 *   FT_XR_RERANK  a re-ranked ranking: every re-ranker decides by score and
 *                 group only, so items of equal score and group are
 *                 exchangeable wherever they land; in the re-ranked top k
 *                 each slot is its own segment of its item's pool, and the
 *                 items past k (in score order) form one segment per score
 *                 that mixes the pools of that score.  Exact when the
 *                 re-ranker's choice between tied items of different groups
 *                 does not depend on their input order (FA*IR's
 *                 non-protected groups and the Geyik re-rankers' fallback
 *                 "best remaining item" take such items in input order).
 *
 * What is exact.  Every metric that is a sum over slots or pairs is the
 * exact expectation: NDCG@k and precision@k (a slot's expected gain is the
 * weighted mean gain of its pools), each item's expected exposure and rank
 * (and so the groups' mean exposures and their ratio, a ratio of
 * expectations as Singh & Joachims define exposure for stochastic
 * rankings), and the pairwise accuracies: the expected number of relevant
 * items of group a above irrelevant items of group b is
 *   sum over segments t of B_b(t) sum_{s < t} A_a(s) + sum_t A_a(t) B_b(t) / 2
 * with A_a(t) (B_b(t)) the expected relevant items of a (irrelevant of b)
 * in segment t: slots of different segments are ordered, the items of one
 * segment are in uniformly random order, and two items of one pool are
 * above each other with probability 1/2.  Kendall's tau-b compares the
 * items' expected ranks with the labels (for FT_XR_SCORE the same as the
 * scores: equal scores, equal expected ranks).  Skew, NDKL, the infeasible
 * index and rND / rKL / rRD are not linear in the ranking; they are
 * computed from the expected group counts of every prefix (ranking.c's
 * soft sequences), which equals the metric of the ranking itself whenever
 * no tie mixes groups.
 *
 * Not here: the metrics of a given order (ranking.c), choosing an order
 * for ties (rank_ties.c), the mean over queries (src/run/rank.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "metrics/metrics.h"

#define UNDEF(o, w) do { (o)->value = NAN; (o)->why = (w); } while (0)
#define DEF(o, v) do { (o)->value = (v); (o)->why = NULL; } while (0)

static double discount(size_t r)
{
	return 1.0 / log2(1.0 + (double)r);
}

void ft_xrank_free(struct ft_xrank *x)
{
	if (!x)
		return;
	free(x->pool);
	free(x->psize);
	free(x->seg_lo);
	free(x->ent_off);
	free(x->ent_pool);
	free(x->ent_cnt);
	memset(x, 0, sizeof *x);
}

/* Items of one query sorted for pooling: by score, then group. */
struct key {
	double s;
	int32_t g;
	size_t i;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->s != y->s)
		return (x->s < y->s) - (x->s > y->s);
	if (x->g != y->g)
		return (x->g > y->g) - (x->g < y->g);
	return (x->i > y->i) - (x->i < y->i);
}

/* Pools: FT_XR_SINGLE every item; FT_XR_SCORE equal scores; FT_XR_RERANK
 * equal (score, group). */
static int make_pools(struct ft_xrank *x, const double *score, const int32_t *group,
                      int mode)
{
	struct key *k;
	size_t n = x->n;

	if (mode == FT_XR_SINGLE) {
		for (size_t i = 0; i < n; i++) {
			x->pool[i] = i;
			x->psize[i] = 1;
		}
		x->n_pool = n;
		return 0;
	}
	if (!(k = malloc((n ? n : 1) * sizeof *k)))
		return FT_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		k[i].s = score[i];
		k[i].g = mode == FT_XR_RERANK && group ? group[i] : 0;
		k[i].i = i;
	}
	qsort(k, n, sizeof *k, cmp_key);
	x->n_pool = 0;
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && k[b].s == k[a].s && k[b].g == k[a].g; b++)
			;
		for (size_t c = a; c < b; c++)
			x->pool[k[c].i] = x->n_pool;
		x->psize[x->n_pool++] = (double)(b - a);
	}
	free(k);
	return 0;
}

int ft_xrank_build(struct ft_xrank *x, const size_t *order, size_t n,
                   const double *score, const int32_t *group, int mode, size_t k,
                   struct ft_error *err)
{
	size_t single = mode == FT_XR_SINGLE ? n : mode == FT_XR_RERANK ? k : 0, ne = 0;
	size_t m = n ? n : 1;

	memset(x, 0, sizeof *x);
	x->n = n;
	x->order = order;
	if (mode < 0 || mode >= FT_N_XR)
		return ft_error_set(err, FT_EINVAL, "ranking: unknown tie mode %d", mode);
	if (mode != FT_XR_SINGLE && n > 0 && !score)
		return ft_error_set(err, FT_EINVAL, "ranking: pooling ties needs the scores");
	x->pool = malloc(m * sizeof *x->pool);
	x->psize = malloc(m * sizeof *x->psize);
	x->seg_lo = malloc((m + 1) * sizeof *x->seg_lo);
	x->ent_off = malloc((m + 1) * sizeof *x->ent_off);
	x->ent_pool = malloc(m * sizeof *x->ent_pool);
	x->ent_cnt = malloc(m * sizeof *x->ent_cnt);
	if (!x->pool || !x->psize || !x->seg_lo || !x->ent_off || !x->ent_pool ||
	    !x->ent_cnt || make_pools(x, score, group, mode)) {
		ft_xrank_free(x);
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	}
	/* segments: the first `single` slots one each, then runs of equal
	 * score; a segment's entries are its pools with their counts (a run's
	 * items are listed pool by pool: runs are short or of one pool) */
	for (size_t r = 0, e; r < n; r = e) {
		size_t lo = ne;
		e = r + 1;
		if (r >= single)
			while (e < n && score[order[e]] == score[order[r]])
				e++;
		x->seg_lo[x->n_seg] = r;
		x->ent_off[x->n_seg] = ne;
		for (size_t s = r; s < e; s++) {
			size_t p = x->pool[order[s]], j;
			for (j = lo; j < ne && x->ent_pool[j] != p; j++)
				;
			if (j == ne) {
				x->ent_pool[ne] = p;
				x->ent_cnt[ne++] = 0;
			}
			x->ent_cnt[j] += 1;
		}
		x->n_seg++;
	}
	x->seg_lo[x->n_seg] = n;
	x->ent_off[x->n_seg] = ne;
	return 0;
}

/* The expected value in one slot of segment s of an item quantity whose
 * pool sums are psum: sum over the segment's pools of w(P) psum(P)/|P|. */
static double seg_mean(const struct ft_xrank *x, size_t s, const double *psum)
{
	double len = (double)(x->seg_lo[s + 1] - x->seg_lo[s]), v = 0;

	for (size_t e = x->ent_off[s]; e < x->ent_off[s + 1]; e++)
		v += x->ent_cnt[e] / len * psum[x->ent_pool[e]] / x->psize[x->ent_pool[e]];
	return v;
}

/* Pool sums of f(item). */
static double *pool_sums(const struct ft_xrank *x, const double *v, int indicator)
{
	double *ps = calloc(x->n_pool ? x->n_pool : 1, sizeof *ps);

	if (!ps)
		return NULL;
	for (size_t i = 0; i < x->n; i++)
		ps[x->pool[i]] += indicator ? (double)(v[i] > 0) : ft_rank_gain(v[i]);
	return ps;
}

/* sum over slots r < k of disc(r) * (expected value of the item at r). */
static double topk_sum(const struct ft_xrank *x, const double *psum, size_t k, int disc)
{
	double v = 0;

	for (size_t s = 0; s < x->n_seg && x->seg_lo[s] < k; s++) {
		double mean = seg_mean(x, s, psum);
		for (size_t r = x->seg_lo[s]; r < x->seg_lo[s + 1] && r < k; r++)
			v += disc ? mean * discount(r + 1) : mean;
	}
	return v;
}

int ft_xrank_ndcg(const struct ft_xrank *x, const double *rel, size_t k,
                  struct ft_value *out, struct ft_error *err)
{
	double *ps = NULL, *ideal = NULL, idcg = 0, dcg;
	size_t n = x->n;
	int rc;

	if ((rc = ft_rank_check_rel(rel, n, err)) < 0)
		return rc;
	if (n == 0) {
		UNDEF(out, "no items");
		return 0;
	}
	if (k == 0 || k > n)
		k = n;
	ps = pool_sums(x, rel, 0);
	ideal = malloc(n * sizeof *ideal);
	if (!ps || !ideal) {
		rc = ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
		goto done;
	}
	memcpy(ideal, rel, n * sizeof *ideal);
	qsort(ideal, n, sizeof *ideal, ft_cmp_double_desc);
	for (size_t r = 0; r < k; r++)
		idcg += ft_rank_gain(ideal[r]) * discount(r + 1);
	dcg = topk_sum(x, ps, k, 1);
	if (idcg > 0)
		DEF(out, dcg / idcg);
	else
		UNDEF(out, "no relevant items");
done:
	free(ps);
	free(ideal);
	return rc;
}

int ft_xrank_precision(const struct ft_xrank *x, const double *rel, size_t k,
                       struct ft_value *out, struct ft_error *err)
{
	double *ps;
	int rc;

	if ((rc = ft_rank_check_rel(rel, x->n, err)) < 0)
		return rc;
	if (x->n == 0) {
		UNDEF(out, "no items");
		return 0;
	}
	if (k == 0)
		k = x->n;
	if (!(ps = pool_sums(x, rel, 1)))
		return ft_error_set(err, FT_ENOMEM, "ranking: out of memory");
	DEF(out, topk_sum(x, ps, k, 0) / (double)k);
	free(ps);
	return 0;
}

/* For every pool the sum over its slots of w(P) f(slot) (f = rank r + 1,
 * or the exposure 1 / log2(1 + r)). */
static double *pool_slot_sums(const struct ft_xrank *x, int expo)
{
	double *ps = calloc(x->n_pool ? x->n_pool : 1, sizeof *ps);

	if (!ps)
		return NULL;
	for (size_t s = 0; s < x->n_seg; s++) {
		double len = (double)(x->seg_lo[s + 1] - x->seg_lo[s]), f = 0;
		for (size_t r = x->seg_lo[s]; r < x->seg_lo[s + 1]; r++)
			f += expo ? discount(r + 1) : (double)(r + 1);
		for (size_t e = x->ent_off[s]; e < x->ent_off[s + 1]; e++)
			ps[x->ent_pool[e]] += x->ent_cnt[e] / len * f;
	}
	return ps;
}

int ft_xrank_erank(const struct ft_xrank *x, double *erank)
{
	double *ps = pool_slot_sums(x, 0);

	if (!ps)
		return FT_ENOMEM;
	for (size_t i = 0; i < x->n; i++)
		erank[i] = ps[x->pool[i]] / x->psize[x->pool[i]];
	free(ps);
	return 0;
}

int ft_xrank_exposure(const struct ft_xrank *x, const int32_t *group, size_t G,
                      int32_t prot, struct ft_value *exposure, struct ft_value *ratio)
{
	double *ps = pool_slot_sums(x, 1), *sum = calloc(G ? G : 1, sizeof *sum);
	size_t *cnt = calloc(G ? G : 1, sizeof *cnt), co = 0;
	double so = 0;

	if (!ps || !sum || !cnt) {
		free(ps);
		free(sum);
		free(cnt);
		return FT_ENOMEM;
	}
	for (size_t i = 0; i < x->n; i++)
		if (group[i] >= 0) {
			sum[group[i]] += ps[x->pool[i]] / x->psize[x->pool[i]];
			cnt[group[i]]++;
		}
	for (size_t g = 0; g < G; g++) {
		if (exposure) {
			if (cnt[g])
				DEF(&exposure[g], sum[g] / (double)cnt[g]);
			else
				UNDEF(&exposure[g], "no items in group");
		}
		if ((int32_t)g != prot) {
			so += sum[g];
			co += cnt[g];
		}
	}
	if (ratio) {
		if (prot < 0 || (size_t)prot >= G)
			UNDEF(ratio, "no protected group");
		else if (cnt[prot] == 0)
			UNDEF(ratio, "no items of the protected group");
		else if (co == 0)
			UNDEF(ratio, "no items outside the protected group");
		else
			DEF(ratio, (sum[prot] / (double)cnt[prot]) / (so / (double)co));
	}
	free(ps);
	free(sum);
	free(cnt);
	return 0;
}

int ft_xrank_soft(const struct ft_xrank *x, const int32_t *group, size_t G,
                  double **F, size_t *m)
{
	double *pg = calloc((x->n_pool ? x->n_pool : 1) * G, sizeof *pg);
	double *pk = calloc(x->n_pool ? x->n_pool : 1, sizeof *pk), *row = NULL;
	size_t rows = 0;
	int rc = 0;

	*F = NULL;
	*m = 0;
	if (!pg || !pk || !(row = malloc((G ? G : 1) * sizeof *row)) ||
	    !(*F = malloc((x->n ? x->n : 1) * (G ? G : 1) * sizeof **F))) {
		rc = FT_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < x->n; i++)
		if (group[i] >= 0) {
			pg[x->pool[i] * G + (size_t)group[i]] += 1;
			pk[x->pool[i]] += 1;
		}
	/* a segment holds sum_P count(P) known(P) / |P| known items (an
	 * integer whenever a segment of unknown-group items is one pool), each
	 * slot with the segment's expected group shares */
	for (size_t s = 0; s < x->n_seg; s++) {
		double known = 0;
		size_t nk;
		memset(row, 0, G * sizeof *row);
		for (size_t e = x->ent_off[s]; e < x->ent_off[s + 1]; e++) {
			size_t p = x->ent_pool[e];
			known += x->ent_cnt[e] * pk[p] / x->psize[p];
			for (size_t g = 0; g < G; g++)
				row[g] += x->ent_cnt[e] * pg[p * G + g] / x->psize[p];
		}
		nk = (size_t)llround(known);
		for (size_t j = 0; j < nk && known > 0; j++, rows++)
			for (size_t g = 0; g < G; g++)
				(*F)[rows * G + g] = row[g] / known;
	}
	*m = rows;
done:
	if (rc) {
		free(*F);
		*F = NULL;
	}
	free(pg);
	free(pk);
	free(row);
	return rc;
}

int ft_xrank_pairwise(const struct ft_xrank *x, const double *rel, const int32_t *group,
                      size_t G, struct ft_pairwise **out)
{
	double *pr = calloc((x->n_pool ? x->n_pool : 1) * G, sizeof *pr);
	double *pi = calloc((x->n_pool ? x->n_pool : 1) * G, sizeof *pi);
	double *A = calloc(G, sizeof *A), *B = calloc(G, sizeof *B);
	double *cumA = calloc(G, sizeof *cumA), *above = calloc(G * G, sizeof *above);
	double *nrel = calloc(G, sizeof *nrel), *nirr = calloc(G, sizeof *nirr);
	int rc = FT_ENOMEM;

	*out = NULL;
	if (!pr || !pi || !A || !B || !cumA || !above || !nrel || !nirr)
		goto done;
	for (size_t i = 0; i < x->n; i++)
		if (group[i] >= 0) {
			size_t c = x->pool[i] * G + (size_t)group[i];
			if (rel[i] > 0) {
				pr[c] += 1;
				nrel[group[i]] += 1;
			} else {
				pi[c] += 1;
				nirr[group[i]] += 1;
			}
		}
	for (size_t s = 0; s < x->n_seg; s++) {
		memset(A, 0, G * sizeof *A);
		memset(B, 0, G * sizeof *B);
		for (size_t e = x->ent_off[s]; e < x->ent_off[s + 1]; e++) {
			size_t p = x->ent_pool[e];
			for (size_t g = 0; g < G; g++) {
				A[g] += x->ent_cnt[e] * pr[p * G + g] / x->psize[p];
				B[g] += x->ent_cnt[e] * pi[p * G + g] / x->psize[p];
			}
		}
		for (size_t a = 0; a < G; a++)
			for (size_t b = 0; b < G; b++)
				above[a * G + b] += B[b] * (cumA[a] + A[a] / 2);
		for (size_t a = 0; a < G; a++)
			cumA[a] += A[a];
	}
	rc = ft_pairwise_finish(above, nrel, nirr, G, out);
done:
	free(pr);
	free(pi);
	free(A);
	free(B);
	free(cumA);
	free(above);
	free(nrel);
	free(nirr);
	return rc;
}
