/*
 * lambdaloss.c - LambdaLoss for NDCG, the NDCG-Loss2 weighting, for the
 * linear ranker (struct ft_rank_params.loss = FT_RANK_LAMBDALOSS):
 *
 *   Wang, Li, Golbandi, Bendersky & Najork, "The LambdaLoss Framework for
 *   Ranking Metric Optimization", CIKM 2018, section 4.2 (eq. 11,
 *   NDCG-Loss2) with the hard assignment of section 3.3 (the ranks are
 *   those of the current scores).
 *
 * Per query, with ranks r_i of the current scores (a stable descending
 * sort: ties in row order), gains G_i = (2^max(rel_i, 0) - 1) / IDCG (the
 * metrics' convention: labels below 0 give no gain) and D(x) = log2(1 + x):
 *   l_q = sum over pairs G_i > G_j of
 *         delta_ij |G_i - G_j| log2(1 + exp(-(s_i - s_j))),
 *   delta_ij = 1/D(|r_i - r_j|) - 1/D(|r_i - r_j| + 1)   (> 0).
 * The paper shows this weighted pairwise loss bounds the NDCG loss
 * (Theorem 1 there).  The weights depend on s only through the order, so
 * between two changes of the order l_q is smooth with
 *   d l_q / d s_i = -sum_j w_ij sigma(-(s_i - s_j)) / ln 2 (+ the mirror
 *   terms for j), w_ij = delta_ij |G_i - G_j|,
 * which is what we return (finite differences match it away from ties,
 * tests/unit/test_rank_losses.c).  This is NDCG-Loss2, not LambdaRank's
 * weighting |G_i - G_j| |1/D(1 + r_i) - 1/D(1 + r_j)| (the paper's
 * NDCG-Loss1-like "LambdaRank" row); NDCG-Loss2 is the paper's proposal and
 * the one it proves a bound for.  Queries without a relevant item add
 * nothing.  Sums run as the other losses (src/model/rank.h): chunks of
 * whole queries through ft_parallel_sum; each chunk writes only its own
 * queries' entries of c and of the scratch arrays.
 *
 * Not here: the fit (src/model/rank.c), fairness terms (added by rank.c to
 * any loss).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "model/model.h"
#include "model/rank.h"

struct key {
	double s;
	size_t i;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y) - (x > y);
}

struct ll_call {
	const struct ft_rank_data *rd;
	const double *s, *aq;
	double *c;
	struct key *key;       /* n: scratch */
	double *G;             /* n: gains, then sorted gains (scratch) */
	size_t *rank;          /* n: rank - 1 within the query */
};

/* log(1 + e^t) without overflow. */
static double softplus(double t)
{
	return t > 0.0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

static void ll_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	struct ll_call *a = ctx;
	const struct ft_rank_data *rd = a->rd;
	const double *s = a->s;
	size_t q0, q1;

	(void)chunk;
	ft_rank_query_range(rd, lo, hi, &q0, &q1);
	for (size_t q = q0; q < q1; q++) {
		size_t b0 = rd->qoff[q], b1 = rd->qoff[q + 1], m = b1 - b0;
		double idcg = 0.0, loss = 0.0, wq;
		double *G = a->G + b0;
		struct key *k = a->key + b0;

		for (size_t i = b0; i < b1; i++)
			a->c[i] = 0.0;
		if (m < 2)
			continue;
		/* IDCG from the sorted gains (G as scratch), then G itself */
		for (size_t i = 0; i < m; i++)
			G[i] = expm1(fmax(rd->rel[b0 + i], 0.0) * FT_LN2);
		qsort(G, m, sizeof *G, cmp_desc);
		for (size_t r = 0; r < m; r++)
			idcg += G[r] / log2(2.0 + (double)r);
		if (!(idcg > 0.0))
			continue;
		for (size_t i = 0; i < m; i++)
			G[i] = expm1(fmax(rd->rel[b0 + i], 0.0) * FT_LN2) / idcg;
		for (size_t i = 0; i < m; i++) {
			k[i].s = s[b0 + i];
			k[i].i = i;
		}
		qsort(k, m, sizeof *k, cmp_key);
		for (size_t r = 0; r < m; r++)
			a->rank[b0 + k[r].i] = r;
		wq = a->aq[q] / FT_LN2;
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < m; j++) {
				size_t ri = a->rank[b0 + i], rj = a->rank[b0 + j];
				double d, dx, w, sg;
				if (!(G[i] > G[j]))
					continue;
				dx = (double)(ri > rj ? ri - rj : rj - ri);
				w = (1.0 / log2(1.0 + dx) - 1.0 / log2(2.0 + dx)) * (G[i] - G[j]);
				d = s[b0 + i] - s[b0 + j];
				loss += w * softplus(-d);
				sg = ft_sigmoid(-d);
				a->c[b0 + i] -= wq * w * sg;
				a->c[b0 + j] += wq * w * sg;
			}
		part[0] += wq * loss;
	}
}

int ft_lambdaloss_part(const struct ft_rank_data *rd, const double *s,
                       const double *aq, double *c, double *loss)
{
	struct ll_call a = { rd, s, aq, c, NULL, NULL, NULL };
	double part = 0.0;
	int rc = FT_ENOMEM;

	a.key = malloc((rd->n ? rd->n : 1) * sizeof *a.key);
	a.G = malloc((rd->n ? rd->n : 1) * sizeof *a.G);
	a.rank = malloc((rd->n ? rd->n : 1) * sizeof *a.rank);
	if (a.key && a.G && a.rank)
		rc = ft_parallel_sum(rd->n, 1, &part, ll_chunk, &a);
	if (rc == 0)
		*loss += part;
	free(a.key);
	free(a.G);
	free(a.rank);
	return rc;
}
