/*
 * letor_encode.c - LETOR data through a model's preprocessing: the
 * pass-through encoder of a LETOR training file (one numeric column per
 * feature index, "f1" .. "fP", values used as given) and the alignment of
 * another LETOR file to it, so that a ranker trained on LETOR data is
 * saved, reloaded and applied like any other model (README, "Fair
 * ranking").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "data/data.h"

/* The pass-through encoder of LETOR data rd (training part): one numeric
 * column per feature index "f1" .. "fP", mean 0 and sd 1 (values pass
 * unchanged); column K (1-based, 0 = none) is the sensitive one, a feature
 * unless colorblind, and the groups are rd's (set by
 * ft_rank_data_group_by_feature). */
struct ft_encoder *ft_letor_encoder(const struct ft_rank_data *rd, size_t K,
                                   int colorblind)
{
	struct ft_encoder *e = calloc(1, sizeof *e);
	size_t nf = 0;

	if (!e || !(e->cols = calloc(rd->p, sizeof *e->cols)))
		goto nomem;
	e->n_cols = rd->p;
	e->use_sensitive = K ? !colorblind : 0;
	e->missing_policy = FT_MISSING_DROP;
	for (size_t j = 0; j < rd->p; j++) {
		struct ft_column *c = &e->cols[j];
		c->role = K && j == K - 1 ? FT_ROLE_SENSITIVE : FT_ROLE_FEATURE;
		c->type = FT_NUMERIC;
		c->sd = 1;
		c->impute_cat = -1;
		if (!(c->name = ft_strdup(rd->feature_names[j])))
			goto nomem;
		if (c->role == FT_ROLE_FEATURE || e->use_sensitive)
			c->offset = nf++;
	}
	e->n_features = e->n_num = nf;
	if (!(e->feature_names = calloc(nf ? nf : 1, sizeof *e->feature_names)))
		goto nomem;
	for (size_t j = 0; j < rd->p; j++)
		if (e->cols[j].role == FT_ROLE_FEATURE || e->use_sensitive)
			if (!(e->feature_names[e->cols[j].offset] = ft_strdup(e->cols[j].name)))
				goto nomem;
	if (K) {
		if (!(e->sensitive = calloc(1, sizeof *e->sensitive)) ||
		    !(e->sensitive[0] = ft_strdup(rd->feature_names[K - 1])))
			goto nomem;
		e->n_sensitive = 1;
		if (!(e->group_names = calloc(rd->n_groups, sizeof *e->group_names)))
			goto nomem;
		e->n_groups = rd->n_groups;
		for (size_t g = 0; g < rd->n_groups; g++)
			if (!(e->group_names[g] = ft_strdup(rd->group_names[g])))
				goto nomem;
	}
	return e;
nomem:
	ft_encoder_free(e);
	return NULL;
}

/* LETOR data raw aligned to encoder e (letor_encoder's layout): the
 * encoder's features by column index, 0 where raw has no such index;
 * groups from column K (1-based) == V.  *n_extra counts raw's feature
 * indices beyond the encoder's columns (ignored). */
int ft_letor_apply(const struct ft_encoder *e, size_t K, double V, int by_value,
                   const struct ft_rank_data *raw, struct ft_rank_data **out,
                   size_t *n_extra, struct ft_error *err)
{
	struct ft_rank_data *rd = calloc(1, sizeof *rd);
	size_t p = e->n_features, n = raw->n, nq = raw->n_queries, P = raw->p;
	size_t *src = malloc((p ? p : 1) * sizeof *src);

	*out = NULL;
	*n_extra = P > e->n_cols ? P - e->n_cols : 0;
	for (size_t j = 0; j < e->n_cols; j++) {
		char want[32];
		snprintf(want, sizeof want, "f%zu", j + 1);
		if (strcmp(e->cols[j].name, want)) {
			free(src);
			free(rd);
			return ft_error_set(err, FT_EFORMAT, "column %zu of the model's "
			                    "encoder is '%s', not the letor feature '%s'",
			                    j, e->cols[j].name, want);
		}
	}
	if (!rd || !src)
		goto nomem;
	rd->n = n;
	rd->p = p;
	rd->n_queries = nq;
	rd->path = ft_strdup(raw->path);
	rd->x = malloc((n && p ? n * p : 1) * sizeof *rd->x);
	rd->rel = malloc((n ? n : 1) * sizeof *rd->rel);
	rd->line = malloc((n ? n : 1) * sizeof *rd->line);
	rd->feature_names = calloc(p ? p : 1, sizeof *rd->feature_names);
	rd->qoff = malloc((nq + 1) * sizeof *rd->qoff);
	rd->qid = calloc(nq ? nq : 1, sizeof *rd->qid);
	if (!rd->path || !rd->x || !rd->rel || !rd->line || !rd->feature_names ||
	    !rd->qoff || !rd->qid)
		goto nomem;
	for (size_t j = 0; j < e->n_cols; j++)
		if (e->cols[j].role == FT_ROLE_FEATURE ||
		    (e->cols[j].role == FT_ROLE_SENSITIVE && e->use_sensitive))
			src[e->cols[j].offset] = j;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < p; j++)
			rd->x[i * p + j] = src[j] < P ? raw->x[i * P + src[j]] : 0.0;
	memcpy(rd->rel, raw->rel, n * sizeof *rd->rel);
	memcpy(rd->line, raw->line, n * sizeof *rd->line);
	memcpy(rd->qoff, raw->qoff, (nq + 1) * sizeof *rd->qoff);
	for (size_t j = 0; j < p; j++)
		if (!(rd->feature_names[j] = ft_strdup(e->feature_names[j])))
			goto nomem;
	for (size_t q = 0; q < nq; q++)
		if (!(rd->qid[q] = ft_strdup(raw->qid[q])))
			goto nomem;
	if (K) {
		rd->group = malloc((n ? n : 1) * sizeof *rd->group);
		rd->group_names = calloc(e->n_groups, sizeof *rd->group_names);
		if (!rd->group || !rd->group_names)
			goto nomem;
		rd->n_groups = e->n_groups;
		for (size_t g = 0; g < e->n_groups; g++)
			if (!(rd->group_names[g] = ft_strdup(e->group_names[g])))
				goto nomem;
		/* as ft_rank_data_group_by_feature: group 1 where x_K == V; or as
		 * ft_rank_data_groups_by_values: the group named by the value */
		for (size_t i = 0; i < n; i++) {
			double x = K - 1 < P ? raw->x[i * P + K - 1] : 0.0;
			char name[64];
			if (!by_value) {
				rd->group[i] = x == V;
				continue;
			}
			snprintf(name, sizeof name, "%s=%.15g", e->sensitive[0], x);
			rd->group[i] = -1;
			for (size_t g = 0; g < e->n_groups; g++)
				if (!strcmp(e->group_names[g], name))
					rd->group[i] = (int32_t)g;
		}
	}
	free(src);
	*out = rd;
	return 0;
nomem:
	free(src);
	ft_rank_data_free(rd);
	return ft_error_set(err, FT_ENOMEM, "%s: out of memory", raw->path);
}

