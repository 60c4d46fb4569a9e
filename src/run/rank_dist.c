/*
 * rank_dist.c - ranking data in a distributed run (run.h): whole queries on
 * each rank, and the rows a ranking measurement needs on rank 0.
 *
 * A query's rows may sit on several ranks (a byte range can cut through
 * it, and a query's rows need not be adjacent in the file), but every
 * ranking sum works on whole queries.  ft_run_rank_spread numbers the
 * queries over every rank in order of first appearance (as one process
 * numbers them), lays the rows out as the chunks of ft_parallel_sum moved
 * up to query starts, and sends each query's rows to the rank whose chunks
 * hold its start, where they are put in order: rank by rank, each rank's
 * rows in their order, which is global row order.  So a query never spans
 * two ranks, and the sums add the same chunks in the same order as one
 * process.  Measuring a ranking (NDCG, exposure, re-ranked orders) is per
 * query, then means over queries: ft_run_rank_gather sends each row's
 * relevance, group and line with the scores to rank 0, which measures
 * with the single-process code; the features stay where they are.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"
#include "run/run.h"

/* A row on its way: global query, relevance, group, line, then p
 * features, all as doubles (group and line are exact in a double). */
#define HEAD 4

/* The rank whose rows [bound[first[r]], bound[first[r+1]]) hold row at. */
static int owner_of(const struct ft_dist_part *p, size_t at)
{
	int r = 0;

	while (r + 1 < ft_dist_np() && p->bound[p->first[r + 1]] <= at)
		r++;
	return r;
}

/* rd's arrays replaced by the rows received (recv, m of them, sorted by
 * global query), its queries by the global ones g0 .. g1-1. */
static int rebuild(struct ft_rank_data *rd, const double *recv, size_t m,
                   const struct ft_named *all, const size_t *goff, size_t g0, size_t g1)
{
	size_t p = rd->p, rec = HEAD + p, nq = g1 - g0;
	double *x = ft_xalloc(m * p, sizeof *x), *rel = ft_xalloc(m, sizeof *rel);
	size_t *line = ft_xalloc(m, sizeof *line), *qoff = calloc(nq + 1, sizeof *qoff);
	int32_t *group = rd->group ? ft_xalloc(m, sizeof *group) : NULL;
	char **qid = calloc(nq ? nq : 1, sizeof *qid);

	if (!x || !rel || !line || !qoff || (rd->group && !group) || !qid)
		goto nomem;
	for (size_t q = 0; q < nq; q++) {
		qoff[q + 1] = goff[g0 + q + 1] - goff[g0];
		if (!(qid[q] = ft_strdup(all->name[g0 + q])))
			goto nomem;
	}
	for (size_t i = 0; i < m; i++) {
		const double *r = recv + i * rec;
		rel[i] = r[1];
		if (group)
			group[i] = (int32_t)r[2];
		line[i] = (size_t)r[3];
		memcpy(x + i * p, r + HEAD, p * sizeof *x);
	}
	free(rd->x);
	free(rd->rel);
	free(rd->line);
	free(rd->group);
	free(rd->qoff);
	ft_strv_free(rd->qid, rd->n_queries);
	rd->x = x;
	rd->rel = rel;
	rd->line = line;
	rd->group = group;
	rd->qoff = qoff;
	rd->qid = qid;
	rd->n = m;
	rd->n_queries = nq;
	return 0;
nomem:
	free(x);
	free(rel);
	free(line);
	free(group);
	free(qoff);
	ft_strv_free(qid, nq);
	return FT_ENOMEM;
}

int ft_run_rank_spread(struct ft_rank_data *rd, const size_t *qfirst, uint64_t row0,
                       struct ft_dist_part *part, struct ft_error *err)
{
	struct ft_named all;
	size_t nq = rd->n_queries, p = rd->p, rec = HEAD + p, np = (size_t)ft_dist_np();
	size_t *pos = ft_xalloc(nq, sizeof *pos), *goff = NULL, *scount = NULL, *fill = NULL;
	size_t m = 0, K, g0, g1, *cnt = NULL;
	uint64_t *first = ft_xalloc(nq, sizeof *first), *count = ft_xalloc(nq, sizeof *count);
	double *send = ft_xalloc(rd->n * rec, sizeof *send), *recv = NULL, *sorted = NULL;
	int rc = !pos || !first || !count || !send ? FT_ENOMEM : 0;

	memset(&all, 0, sizeof all);
	for (size_t q = 0; !rc && q < nq; q++) {
		first[q] = row0 + qfirst[q];
		count[q] = rd->qoff[q + 1] - rd->qoff[q];
	}
	if ((rc = ft_dist_agree(rc, NULL)) ||
	    (rc = ft_dist_merge_named(rd->qid, first, count, nq, &all, pos)))
		goto done;
	/* the global layout: query g is rows goff[g] .. goff[g+1]-1 */
	K = all.n;
	goff = calloc(K + 1, sizeof *goff);
	scount = calloc(np, sizeof *scount);
	fill = calloc(np, sizeof *fill);
	rc = !goff || !scount || !fill ? FT_ENOMEM : 0;
	for (size_t g = 0; !rc && g < K; g++)
		goff[g + 1] = goff[g] + (size_t)all.count[g];
	if (!rc)
		rc = ft_dist_part_init(part, goff[K], goff, K);
	if ((rc = ft_dist_agree(rc, NULL)))
		goto done;
	/* each local query's rows to the rank that owns its start, query
	 * after query, rows in order */
	for (size_t q = 0; q < nq; q++)
		scount[owner_of(part, goff[pos[q]])] += count[q];
	for (size_t r = 1; r < np; r++)
		fill[r] = fill[r - 1] + scount[r - 1];
	for (size_t q = 0; q < nq; q++) {
		int to = owner_of(part, goff[pos[q]]);
		for (size_t i = rd->qoff[q]; i < rd->qoff[q + 1]; i++) {
			double *r = send + fill[to]++ * rec;
			r[0] = (double)pos[q];
			r[1] = rd->rel[i];
			r[2] = rd->group ? rd->group[i] : -1;
			r[3] = (double)rd->line[i];
			memcpy(r + HEAD, rd->x + i * p, p * sizeof *r);
		}
	}
	if ((rc = ft_dist_exchange(send, scount, rec * sizeof *send, (void **)&recv, &m)))
		goto done;
	/* this rank's queries g0 .. g1-1, rows in order: a stable counting
	 * sort by query of what came, rank after rank */
	for (g0 = 0; g0 < K && goff[g0] < part->row0; g0++)
		;
	for (g1 = g0; g1 < K && goff[g1] < part->row0 + part->n; g1++)
		;
	cnt = calloc(g1 - g0 + 1, sizeof *cnt);
	sorted = ft_xalloc(m * rec, sizeof *sorted);
	rc = !cnt || !sorted ? FT_ENOMEM : 0;
	if ((rc = ft_dist_agree(rc, NULL)))
		goto done;
	for (size_t i = 0; i < m; i++)
		cnt[(size_t)recv[i * rec] - g0 + 1]++;
	for (size_t g = 1; g <= g1 - g0; g++)
		cnt[g] += cnt[g - 1];
	for (size_t i = 0; i < m; i++)
		memcpy(sorted + cnt[(size_t)recv[i * rec] - g0]++ * rec, recv + i * rec,
		       rec * sizeof *sorted);
	rc = ft_dist_agree(rebuild(rd, sorted, m, &all, goff, g0, g1), NULL);
done:
	ft_named_free(&all);
	free(pos);
	free(first);
	free(count);
	free(send);
	free(recv);
	free(sorted);
	free(goff);
	free(scount);
	free(fill);
	free(cnt);
	return rc ? ft_error_set(err, rc, "%s: out of memory", rd->path) : 0;
}

int ft_run_rank_gather(const struct ft_rank_data *rd, const double *const *score, size_t k,
                       struct ft_rank_data **out, double **all_scores,
                       struct ft_error *err)
{
	struct ft_rank_data *g = NULL;
	size_t n = 0, nq = 0, *off = NULL, *qlen = NULL, *allq = NULL;
	char *ids = NULL, *allids = NULL;
	size_t idl = 0;
	int rc = 0;

	*out = NULL;
	for (size_t j = 0; j < k; j++)
		all_scores[j] = NULL;
	/* the per-row arrays, and the queries' lengths and ids, rank by rank */
	{
		const void *in[4] = {rd->rel, rd->group, rd->line, NULL};
		size_t elem[4] = {sizeof *rd->rel, sizeof *rd->group, sizeof *rd->line, 0};
		void *o[3];
		if ((rc = ft_dist_allrows_k(rd->n, 3, in, elem, o, &n)))
			goto done;
		if (ft_dist_me() == 0 && (g = calloc(1, sizeof *g))) {
			g->rel = o[0];
			g->group = o[1];
			g->line = o[2];
		} else {
			free(o[0]);
			free(o[1]);
			free(o[2]);
			rc = ft_dist_me() == 0 ? FT_ENOMEM : 0;
		}
	}
	for (size_t j = 0; !rc && j < k; j++) {
		size_t m;
		rc = ft_dist_allrows(score[j], rd->n, sizeof *score[j], (void **)&all_scores[j],
		                     &m);
	}
	qlen = ft_xalloc(rd->n_queries, sizeof *qlen);
	for (size_t q = 0; qlen && q < rd->n_queries; q++) {
		qlen[q] = rd->qoff[q + 1] - rd->qoff[q];
		idl += strlen(rd->qid[q]) + 1;
	}
	if ((ids = malloc(idl ? idl : 1)))
		for (size_t q = 0, at = 0; q < rd->n_queries; q++) {
			size_t l = strlen(rd->qid[q]) + 1;
			memcpy(ids + at, rd->qid[q], l);
			at += l;
		}
	if ((rc = ft_dist_agree(rc || !qlen || !ids ? FT_ENOMEM : 0, NULL)) ||
	    (rc = ft_dist_allrows(qlen, rd->n_queries, sizeof *qlen, (void **)&allq, &nq)) ||
	    (rc = ft_dist_allgather(ids, idl, (void **)&allids, &off)))
		goto done;
	if (ft_dist_me() == 0) {
		/* a ranking data set of every row, without features */
		g->path = ft_strdup(rd->path);
		g->n = n;
		g->p = 0;
		g->n_groups = rd->n_groups;
		g->n_queries = nq;
		g->qoff = calloc(nq + 1, sizeof *g->qoff);
		g->qid = calloc(nq ? nq : 1, sizeof *g->qid);
		g->feature_names = calloc(1, sizeof *g->feature_names);
		g->x = malloc(sizeof *g->x);
		if (rd->group_names)
			g->group_names = ft_strv_copy(rd->group_names, rd->n_groups);
		rc = !g->path || !g->qoff || !g->qid || !g->feature_names || !g->x ||
		     (rd->group_names && !g->group_names) ? FT_ENOMEM : 0;
		for (size_t q = 0, at = 0; !rc && q < nq; q++) {
			g->qoff[q + 1] = g->qoff[q] + allq[q];
			if (!(g->qid[q] = ft_strdup(allids + at)))
				rc = FT_ENOMEM;
			at += strlen(allids + at) + 1;
		}
	}
	rc = ft_dist_agree(rc, NULL);
done:
	free(qlen);
	free(allq);
	free(ids);
	free(allids);
	free(off);
	if (rc || ft_dist_me() != 0) {
		ft_rank_data_free(g);
		g = NULL;
	}
	/* the scores stay on rank 0 only */
	if (rc || ft_dist_me() != 0)
		for (size_t j = 0; j < k; j++) {
			free(all_scores[j]);
			all_scores[j] = NULL;
		}
	*out = g;
	return rc ? ft_error_set(err, rc, "out of memory") : 0;
}

/* A distributed run: ranking data of this rank's rows of t, its queries
 * then spread over the ranks whole (rank_dist.c); the encoding counts
 * summed over the ranks. */
int ft_run_rank_spread_table(const struct ft_table *t, const struct ft_encoder *e,
                             const char *query, int mode, struct ft_rank_data **out,
                             struct ft_dist_part *part, struct ft_encode_stats *st,
                             struct ft_error *err)
{
	size_t *qfirst = NULL;
	uint64_t row0 = 0;
	int rc = ft_rank_data_from_table_at(t, e, query, mode, out, st, &qfirst, err);

	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	ft_dist_scan_u64(t->n_rows, &row0, NULL);
	ft_run_sum_stats(st);
	if (mode == FT_APPLY_TRAIN && ft_run_rows((*out)->n) == 0)
		rc = ft_encode_none_left(t->path, st, err);
	else
		rc = ft_run_rank_spread(*out, qfirst, row0, part, err);
done:
	free(qfirst);
	return rc;
}

/* A distributed run of data every rank read whole (LETOR): each rank keeps
 * the queries its chunks start (part), as ft_run_rank_spread lays them. */
int ft_run_rank_keep_own(struct ft_rank_data **rd, struct ft_dist_part *part,
                         struct ft_error *err)
{
	struct ft_rank_data *mine = NULL;
	unsigned char *keep = ft_xalloc((*rd)->n_queries, 1);
	int rc = keep ? ft_dist_part_init(part, (*rd)->n, (*rd)->qoff, (*rd)->n_queries) :
	         FT_ENOMEM;

	for (size_t q = 0; !rc && q < (*rd)->n_queries; q++)
		keep[q] = (*rd)->qoff[q] >= part->row0 && (*rd)->qoff[q] < part->row0 + part->n;
	if (!rc)
		rc = ft_rank_data_select(*rd, keep, 1, &mine);
	free(keep);
	if ((rc = ft_dist_agree(rc, NULL)))
		return ft_error_set(err, rc, "%s: out of memory", (*rd)->path);
	ft_rank_data_free(*rd);
	*rd = mine;
	return 0;
}
