/*
 * rank.c - measuring a ranking for the before/after table of a ranker
 * (train --task rank, eval of a ranking model): every metric per query,
 * then the mean over the queries where it is defined (ft_query_mean).
 *
 * Choices (README, "Fair ranking"): skew@10 and NDKL take each query's own
 * group proportions as the target; relevance labels below 0 (LSAT's ZFYA is
 * a z-score) give no gain in NDCG, and an item is relevant for precision
 * and pairwise accuracy when its label is above 0; Kendall's tau compares
 * scores with the labels as given.  No bootstrap intervals.
 */
#include <stdlib.h>
#include <string.h>
#include "fair/rerankers.h"
#include "run/run.h"

/* The rows of the comparison, in this order: name, one row per group (1)
 * or one "overall" row (0), needs groups. */
static const struct {
	const char *name;
	int per_group, groups;
} METRICS[] = {
	{"ndcg@10", 0, 0}, {"ndcg", 0, 0}, {"precision@10", 0, 0},
	{"kendall_tau", 0, 0}, {"exposure", 1, 1}, {"exposure_ratio", 0, 1},
	{"skew@10", 1, 1}, {"ndkl", 0, 1}, {"rnd", 0, 1}, {"rkl", 0, 1},
	{"rrd", 0, 1}, {"pairwise_accuracy", 1, 1}, {"pairwise_gap", 0, 1},
	{"pairwise_inter_gap", 0, 1},
};
enum { M_NDCG10, M_NDCG, M_P10, M_TAU, M_EXPOSURE, M_RATIO, M_SKEW, M_NDKL,
       M_RND, M_RKL, M_RRD, M_PAIRWISE, M_PGAP, M_PINTER, N_M };
#define CUTOFF 10

static const struct ft_value NO_CI = {0.0, "no interval for ranking metrics"};

/* Measure one model on rd (orders as rank_orders; score NULL for a
 * re-ranked order, whose Kendall's tau then uses the ranks) and append its
 * rows to cmp: each metric per query, then the mean over the queries where
 * it is defined. */
int ft_run_rank_measure(struct ft_comparison *cmp, const char *model, const char *split,
                        const struct ft_rank_data *rd, const double *score,
                        const size_t *order, int32_t prot, struct ft_error *err)
{
	size_t nq = rd->n_queries, G = rd->group ? rd->n_groups : 0, off[N_M + 1];
	size_t nmax = 0;
	struct ft_value *v = NULL, *tmp = NULL, mean;
	struct ft_pairwise *pw = NULL;
	double *relc = NULL, *pseudo = NULL;
	int rc = 0;

	off[0] = 0;
	for (int m = 0; m < N_M; m++)
		off[m + 1] = off[m] + (METRICS[m].groups && !G ? 0 :
		                       METRICS[m].per_group ? G : 1);
	for (size_t q = 0; q < nq; q++)
		if (rd->qoff[q + 1] - rd->qoff[q] > nmax)
			nmax = rd->qoff[q + 1] - rd->qoff[q];
	v = calloc(off[N_M] * (nq ? nq : 1), sizeof *v);
	tmp = calloc(G ? G : 1, sizeof *tmp);
	relc = malloc((nmax ? nmax : 1) * sizeof *relc);
	pseudo = malloc((nmax ? nmax : 1) * sizeof *pseudo);
	if (!v || !tmp || !relc || !pseudo) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
#define V(m, slot, q) (&v[(off[m] + (slot)) * nq + (q)])
	for (size_t q = 0; q < nq && !rc; q++) {
		size_t lo = rd->qoff[q], n = rd->qoff[q + 1] - lo;
		const size_t *o = order + lo;
		const int32_t *g = G ? rd->group + lo : NULL;
		const double *rel = rd->rel + lo;

		for (size_t i = 0; i < n; i++)
			relc[i] = rel[i] > 0 ? rel[i] : 0;
		if (!score)
			for (size_t r = 0; r < n; r++)
				pseudo[o[r]] = -(double)r;
		if ((rc = ft_ndcg(relc, o, n, CUTOFF, V(M_NDCG10, 0, q), err)) ||
		    (rc = ft_ndcg(relc, o, n, 0, V(M_NDCG, 0, q), err)) ||
		    (rc = ft_precision(relc, o, n, CUTOFF, V(M_P10, 0, q), err)) ||
		    (rc = ft_kendall_tau(score ? score + lo : pseudo, rel, n, V(M_TAU, 0, q), err)))
			break;
		if (!G)
			continue;
		if ((rc = ft_exposure_ratio(g, o, n, G, prot, V(M_RATIO, 0, q), err)) ||
		    (rc = ft_ndkl(g, o, n, G, NULL, V(M_NDKL, 0, q), err)) ||
		    (rc = ft_rank_fairness(FT_RF_RND, g, o, n, G, prot, CUTOFF, V(M_RND, 0, q), err)) ||
		    (rc = ft_rank_fairness(FT_RF_RKL, g, o, n, G, prot, CUTOFF, V(M_RKL, 0, q), err)) ||
		    (rc = ft_rank_fairness(FT_RF_RRD, g, o, n, G, prot, CUTOFF, V(M_RRD, 0, q), err)) ||
		    (rc = ft_group_exposure(g, o, n, G, tmp, err)))
			break;
		for (size_t a = 0; a < G; a++)
			*V(M_EXPOSURE, a, q) = tmp[a];
		if ((rc = ft_skew(g, o, n, G, NULL, CUTOFF, tmp, err)))
			break;
		for (size_t a = 0; a < G; a++)
			*V(M_SKEW, a, q) = tmp[a];
		if ((rc = ft_pairwise_accuracy(relc, g, o, n, G, &pw, err)))
			break;
		for (size_t a = 0; a < G; a++)
			*V(M_PAIRWISE, a, q) = pw->row[a];
		*V(M_PGAP, 0, q) = pw->gap;
		*V(M_PINTER, 0, q) = pw->inter_gap;
		ft_pairwise_free(pw);
		pw = NULL;
	}
	for (int m = 0; m < N_M && !rc; m++)
		for (size_t slot = 0; slot < off[m + 1] - off[m]; slot++) {
			const struct ft_value *vq = V(m, slot, 0);
			ft_query_mean(vq, nq, &mean, NULL);
			/* undefined everywhere for one reason: keep that reason */
			for (size_t q = 0; mean.why && q < nq && vq[q].why; q++)
				if (strcmp(vq[q].why, vq[0].why))
					break;
				else if (q + 1 == nq)
					mean.why = vq[0].why;
			if (ft_comparison_add(cmp, METRICS[m].name, model, split,
			                      METRICS[m].per_group ? rd->group_names[slot] : "overall",
			                      "", mean, NO_CI, NO_CI)) {
				rc = ft_error_set(err, FT_ENOMEM, "out of memory");
				break;
			}
		}
#undef V
done:
	ft_pairwise_free(pw);
	free(v);
	free(tmp);
	free(relc);
	free(pseudo);
	return rc;
}


/* Baseline, mitigated and (rr) re-ranked scores of one part measured. */
int ft_run_rank_part(struct ft_comparison *cmp, const char *split,
                     const struct ft_rank_data *rd, const double *wb, const double *w,
                     int same, const struct ft_method_spec *rr, int32_t prot,
                     size_t *n_short, struct ft_error *err)
{
	size_t n = rd->n ? rd->n : 1;
	double *sb = malloc(n * sizeof *sb), *sm = malloc(n * sizeof *sm);
	size_t *order = malloc(n * sizeof *order);
	int rc = 0;

	*n_short = 0;
	if (!sb || !sm || !order) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if (wb) {
		ft_rank_scores(rd, wb, sb);
		if ((rc = ft_rank_orders(rd, sb, NULL, prot, order, NULL, NULL, err)) ||
		    (rc = ft_run_rank_measure(cmp, "baseline", split, rd, sb, order, prot, err)))
			goto done;
	}
	ft_rank_scores(rd, w, sm);
	/* the same fit: the same rows, at no cost */
	if (same && wb)
		rc = ft_run_copy_rows(cmp, "baseline", "mitigated", split, err);
	else if (!(rc = ft_rank_orders(rd, sm, NULL, prot, order, NULL, NULL, err)))
		rc = ft_run_rank_measure(cmp, "mitigated", split, rd, sm, order, prot, err);
	if (!rc && rr && !(rc = ft_rank_orders(rd, sm, rr, prot, order, NULL, n_short, err)))
		rc = ft_run_rank_measure(cmp, "reranked", split, rd, NULL, order, prot, err);
done:
	free(sb);
	free(sm);
	free(order);
	return rc;
}

