/*
 * encode_dist.c - the encoder's statistics over every rank's rows
 * (data.h): what ft_encoder_fit (encode.c) learns from the training rows
 * that is not a sum of numbers: category sets with their counts, group
 * names, the values named in messages.
 *
 * Each function gathers the local part (distinct texts, a few values) from
 * every rank in rank order, which is global row order, and merges it in a
 * fixed way (sorted by strcmp, counts added), so the result is the one a
 * single process computes from all the rows.  In one process the gathering
 * is a copy and the merge is the single-process computation itself.  The
 * numeric statistics are exact sums (core/internal.h, struct ft_xsum),
 * reduced in encode.c.
 */
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a u64 and a string (with its NUL) to *b: the text up to its
 * first NUL, as every name is a C string afterwards (merge reads the
 * records back by their NULs; the CSV reader refuses NUL bytes, an
 * in-memory table might not). */
static int put(char **b, size_t *len, size_t *cap, uint64_t c, const char *s, size_t l)
{
	size_t need;

	l = strnlen(s, l);
	need = *len + sizeof c + l + 1;

	if (need > *cap) {
		size_t nc = *cap ? *cap : 256;
		char *q;
		while (nc < need)
			nc *= 2;
		if (!(q = realloc(*b, nc)))
			return FT_ENOMEM;
		*b = q;
		*cap = nc;
	}
	memcpy(*b + *len, &c, sizeof c);
	memcpy(*b + *len + sizeof c, s, l);
	(*b)[*len + sizeof c + l] = '\0';
	*len = need;
	return 0;
}

/* Every rank's (count, text) records, gathered and merged: distinct texts
 * sorted with their counts added. */
static int merge(const char *mine, size_t len, char ***out_s, size_t **out_c,
                 size_t *out_n)
{
	char *all = NULL, **s = NULL;
	size_t *off = NULL, *c = NULL, n = 0, m = 0, np = (size_t)ft_dist_np();
	struct ft_strmap map;
	int rc;

	*out_s = NULL;
	*out_c = NULL;
	*out_n = 0;
	memset(&map, 0, sizeof map);
	if ((rc = ft_dist_allgather(mine, len, (void **)&all, &off)))
		return rc;
	rc = FT_ENOMEM;
	if (ft_strmap_init(&map))
		goto done;
	for (size_t at = 0; at < off[np]; at += sizeof(uint64_t) + strlen(all + at + 8) + 1)
		n++;
	s = malloc((n ? n : 1) * sizeof *s);
	c = calloc(n ? n : 1, sizeof *c);
	if (!s || !c)
		goto done;
	/* distinct texts, counts added (exact: integers) */
	for (size_t at = 0; at < off[np]; ) {
		uint64_t k;
		const char *t = all + at + sizeof k;
		size_t l = strlen(t);
		long id;
		memcpy(&k, all + at, sizeof k);
		if ((id = ft_strmap_put(&map, t, l, NULL)) < 0)
			goto done;
		c[id] += (size_t)k;
		at += sizeof k + l + 1;
	}
	m = map.n;
	for (size_t i = 0; i < m; i++)
		if (!(s[i] = ft_strdup(ft_strmap_key(&map, i)))) {
			ft_strv_free(s, i);
			s = NULL;
			goto done;
		}
	/* sorted, each with its count */
	{
		size_t *cs = malloc((m ? m : 1) * sizeof *cs);
		char **ord = malloc((m ? m : 1) * sizeof *ord);
		if (!cs || !ord) {
			free(cs);
			free(ord);
			ft_strv_free(s, m);
			s = NULL;
			goto done;
		}
		memcpy(ord, s, m * sizeof *ord);
		qsort(ord, m, sizeof *ord, cmp_strp);
		for (size_t i = 0; i < m; i++)
			cs[i] = c[ft_strmap_get(&map, ord[i], strlen(ord[i]))];
		memcpy(s, ord, m * sizeof *s);
		free(ord);
		free(c);
		c = cs;
	}
	*out_s = s;
	*out_c = c;
	*out_n = m;
	s = NULL;
	c = NULL;
	rc = 0;
done:
	ft_strmap_free(&map);
	free(all);
	free(off);
	free(s);
	free(c);
	return rc;
}

int ft_enc_merge_values(const struct ft_values *v, const size_t *count, char ***out_s,
                        size_t **out_c, size_t *out_n)
{
	char *b = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;

	for (size_t id = 0; id < v->n && !rc; id++)
		if (count[id])
			rc = put(&b, &len, &cap, count[id], v->str[id], v->len[id]);
	if ((rc = ft_dist_agree(rc, NULL))) {
		free(b);
		return rc;
	}
	rc = merge(b, len, out_s, out_c, out_n);
	free(b);
	return ft_dist_agree(rc, NULL);
}

int ft_enc_merge_keys(const struct ft_strmap *keys, char ***out, size_t *n)
{
	char *b = NULL;
	size_t len = 0, cap = 0, *c = NULL;
	int rc = 0;

	for (size_t k = 0; k < keys->n && !rc; k++)
		rc = put(&b, &len, &cap, 1, ft_strmap_key(keys, k), keys->klen[k]);
	if ((rc = ft_dist_agree(rc, NULL))) {
		free(b);
		return rc;
	}
	rc = merge(b, len, out, &c, n);
	free(b);
	free(c);
	return ft_dist_agree(rc, NULL);
}

int ft_enc_first_values(const struct ft_table *t, size_t j, const unsigned char *use,
                        size_t max, char *list, size_t size, int *more)
{
	struct ft_strmap seen, all_seen;
	char *b = NULL, *all = NULL;
	size_t len = 0, cap = 0, *off = NULL, at_list = 0, np = (size_t)ft_dist_np();
	int rc = 0;

	list[0] = '\0';
	*more = 0;
	memset(&seen, 0, sizeof seen);
	memset(&all_seen, 0, sizeof all_seen);
	/* this rank's first max distinct values, in row order */
	rc = ft_strmap_init(&seen) || ft_strmap_init(&all_seen) ? FT_ENOMEM : 0;
	for (size_t i = 0; i < t->n_rows && !rc && seen.n < max; i++) {
		const char *c;
		int added;
		if (!use[i])
			continue;
		c = ft_table_cell(t, i, j);
		if (ft_strmap_put(&seen, c, strlen(c), &added) < 0)
			rc = FT_ENOMEM;
		else if (added)
			rc = put(&b, &len, &cap, 0, c, strlen(c));
	}
	if (!(rc = ft_dist_agree(rc, NULL)))
		rc = ft_dist_agree(ft_dist_allgather(b, len, (void **)&all, &off), NULL);
	if (rc)
		goto done;
	/* the first max distinct over the ranks in order */
	for (size_t at = 0; at < off[np] && all_seen.n < max; ) {
		const char *c = all + at + sizeof(uint64_t);
		size_t l = strlen(c);
		int added;
		if (ft_strmap_put(&all_seen, c, l, &added) < 0) {
			rc = FT_ENOMEM;
			break;
		}
		if (added && at_list + l + 8 < size)
			at_list += (size_t)snprintf(list + at_list, size - at_list, "%s'%s'",
			                            at_list ? ", " : "", c);
		at += sizeof(uint64_t) + l + 1;
	}
	*more = all_seen.n >= max;
done:
	ft_strmap_free(&seen);
	ft_strmap_free(&all_seen);
	free(b);
	free(all);
	free(off);
	return rc;
}

int ft_enc_first_value(const struct ft_table *t, size_t j, const unsigned char *use,
                       char **first, int *two)
{
	uint32_t id0 = FT_MISSING;
	int my_two = 0, rc;
	int64_t flag;
	char *b = NULL, *all = NULL;
	size_t len = 0, cap = 0, *off = NULL, np = (size_t)ft_dist_np();

	*first = NULL;
	*two = 0;
	for (size_t i = 0; i < t->n_rows && !my_two; i++) {
		uint32_t id;
		if (!use[i])
			continue;
		id = ft_cell_id(t, i, j);
		if (id0 == FT_MISSING)
			id0 = id;
		else if (id != id0)
			my_two = 1;
	}
	rc = id0 != FT_MISSING ? put(&b, &len, &cap, 0, t->vals[j].str[id0],
	                             t->vals[j].len[id0]) : 0;
	if (!(rc = ft_dist_agree(rc, NULL)))
		rc = ft_dist_agree(ft_dist_allgather(b, len, (void **)&all, &off), NULL);
	if (rc)
		goto done;
	flag = my_two;
	ft_dist_max_i64(&flag, 1);
	*two = flag != 0;
	if (off[np] > 0) {
		/* the first rank with used rows has the first value */
		size_t r = 0;
		while (off[r + 1] == off[r])
			r++;
		if (!(*first = ft_strdup(all + off[r] + 8)))
			rc = FT_ENOMEM;
		/* another value on another rank: its first value differs */
		for (size_t q = r; q < np && !rc; q++)
			if (off[q + 1] > off[q] && strcmp(all + off[q] + 8, *first))
				*two = 1;
	}
done:
	free(b);
	free(all);
	free(off);
	return rc;
}

int ft_dataset_gather(const struct ft_dataset *d, struct ft_dataset *out)
{
	size_t n = d->n, na = 0;
	void *a[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
	int rc;

	*out = *d;
	rc = ft_dist_allrows(d->num, n, d->n_num * sizeof *d->num, &a[0], &na) ||
	     ft_dist_allrows(d->code, n, d->n_cat * sizeof *d->code, &a[1], &na) ||
	     ft_dist_allrows(d->w, n, sizeof *d->w, &a[2], &na) ||
	     (d->y && ft_dist_allrows(d->y, n, sizeof *d->y, &a[3], &na)) ||
	     (d->group && ft_dist_allrows(d->group, n, sizeof *d->group, &a[4], &na)) ||
	     ft_dist_allrows(d->line, n, sizeof *d->line, &a[5], &na) ? FT_ENOMEM : 0;
	out->n = na;
	out->num = a[0];
	out->code = a[1];
	out->w = a[2];
	out->y = d->y ? a[3] : NULL;
	out->group = d->group ? a[4] : NULL;
	out->line = a[5];
	out->row = NULL;
	if (rc) {
		for (int k = 0; k < 6; k++)
			free(a[k]);
		memset(out, 0, sizeof *out);
	}
	return ft_dist_agree(rc, NULL);
}

void ft_dataset_gathered_free(struct ft_dataset *d)
{
	free(d->num);
	free(d->code);
	free(d->w);
	free(d->y);
	free(d->group);
	free(d->line);
	memset(d, 0, sizeof *d);
}
