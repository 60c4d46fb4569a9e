/*
 * common.c - small helpers shared by the CSV reader, the splitter and the
 * encoder (declared in data.h): a string hash map, number parsing, label
 * stripping, group keys and column lists for error messages.
 *
 * The map exists so that counting categories, groups and strata is linear in
 * the number of cells; it never removes keys and owns copies of them.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "data/data.h"

#define MAP_MIN_CAP 16

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int ft_strmap_init(struct ft_strmap *m)
{
	memset(m, 0, sizeof *m);
	m->slot = calloc(MAP_MIN_CAP, sizeof *m->slot);
	if (!m->slot)
		return FT_ENOMEM;
	m->cap = MAP_MIN_CAP;
	return 0;
}

void ft_strmap_free(struct ft_strmap *m)
{
	if (!m)
		return;
	free(m->slot);
	free(m->hash);
	free(m->koff);
	free(m->klen);
	free(m->keys);
	memset(m, 0, sizeof *m);
}

static long lookup(const struct ft_strmap *m, const char *s, size_t len,
                   uint64_t h, size_t *pos)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;

	for (;;) {
		uint32_t v = m->slot[i];
		if (v == 0) {
			*pos = i;
			return -1;
		}
		v--;
		if (m->hash[v] == h && m->klen[v] == len &&
		    memcmp(m->keys + m->koff[v], s, len) == 0) {
			*pos = i;
			return (long)v;
		}
		i = (i + 1) & mask;
	}
}

long ft_strmap_get(const struct ft_strmap *m, const char *s, size_t len)
{
	size_t pos;

	if (!m->slot)
		return -1;
	return lookup(m, s, len, fnv1a(s, len), &pos);
}

/* Double the slot array; ids and key text stay where they are. */
static int grow_slots(struct ft_strmap *m)
{
	size_t cap = m->cap * 2, mask = cap - 1;
	uint32_t *slot = calloc(cap, sizeof *slot);

	if (!slot)
		return FT_ENOMEM;
	for (size_t id = 0; id < m->n; id++) {
		size_t i = (size_t)m->hash[id] & mask;
		while (slot[i])
			i = (i + 1) & mask;
		slot[i] = (uint32_t)(id + 1);
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
	return 0;
}

static int grow_ids(struct ft_strmap *m)
{
	size_t na = m->n_alloc ? 2 * m->n_alloc : 16;
	uint64_t *h = realloc(m->hash, na * sizeof *h);
	size_t *o, *l;

	if (!h)
		return FT_ENOMEM;
	m->hash = h;
	o = realloc(m->koff, na * sizeof *o);
	if (!o)
		return FT_ENOMEM;
	m->koff = o;
	l = realloc(m->klen, na * sizeof *l);
	if (!l)
		return FT_ENOMEM;
	m->klen = l;
	m->n_alloc = na;
	return 0;
}

long ft_strmap_put(struct ft_strmap *m, const char *s, size_t len, int *added)
{
	uint64_t h = fnv1a(s, len);
	size_t pos;
	long id;

	if (added)
		*added = 0;
	if (!m->slot || m->n >= UINT32_MAX - 1)
		return -1;
	id = lookup(m, s, len, h, &pos);
	if (id >= 0)
		return id;
	/* Make every room first, so that a failure leaves the map as it was.
	 * Growing the slots moves the free slot: look it up again. */
	if (2 * (m->n + 1) > m->cap) {
		if (grow_slots(m) != 0)
			return -1;
		lookup(m, s, len, h, &pos);
	}
	if (m->n == m->n_alloc && grow_ids(m) != 0)
		return -1;
	if (m->keys_len + len + 1 > m->keys_cap) {
		size_t kc = m->keys_cap ? m->keys_cap : 256;
		char *k;
		while (kc < m->keys_len + len + 1)
			kc *= 2;
		k = realloc(m->keys, kc);
		if (!k)
			return -1;
		m->keys = k;
		m->keys_cap = kc;
	}
	memcpy(m->keys + m->keys_len, s, len);
	m->keys[m->keys_len + len] = '\0';
	id = (long)m->n;
	m->hash[m->n] = h;
	m->koff[m->n] = m->keys_len;
	m->klen[m->n] = len;
	m->keys_len += len + 1;
	m->n++;
	m->slot[pos] = (uint32_t)m->n;
	if (added)
		*added = 1;
	return id;
}

const char *ft_strmap_key(const struct ft_strmap *m, size_t id)
{
	return m->keys + m->koff[id];
}

int ft_parse_double(const char *s, double *v)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	if (end == s)
		return 1;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0')
		return 1;
	*v = x;
	/* strtod sets ERANGE for overflow (inf) and for underflow (a tiny
	 * but finite value, which is fine); isfinite tells them apart. */
	return isfinite(x) ? 0 : 2;
}

int ft_parse_plain_decimal(const char *s, size_t len, double *v)
{
	static const double p10[16] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
		1e13, 1e14, 1e15
	};
	struct ft_numtok t;
	double x;

	ft_num_scan(s, 0, len, &t);
	if (t.end != len || ft_num_whole(&t) == 0 || t.dot == t.end || ft_num_digits(&t) > 15)
		return 0;
	x = (double)t.m / p10[t.dot ? t.end - t.dot : 0];
	*v = t.neg ? -x : x;
	return 1;
}

size_t ft_label_len(const char *v, const char *strip)
{
	size_t n = strlen(v);

	if (!strip || !*strip)
		return n;
	while (n > 0 && strchr(strip, v[n - 1]))
		n--;
	return n;
}

void ft_col_list(const struct ft_table *t, char *buf, size_t size)
{
	size_t len = 0;
	static const char more[] = ", ...";

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t j = 0; j < t->n_cols; j++) {
		size_t nl = strlen(t->names[j]), sep = j ? 2 : 0;
		/* keep room for ", ..." unless this is the last name */
		size_t need = sep + nl + (j + 1 < t->n_cols ? sizeof more - 1 : 0);
		if (len + need + 1 > size) {
			if (len + sizeof more <= size)
				memcpy(buf + len, more, sizeof more);
			return;
		}
		if (sep) {
			memcpy(buf + len, ", ", 2);
			len += 2;
		}
		memcpy(buf + len, t->names[j], nl);
		len += nl;
		buf[len] = '\0';
	}
}

int ft_group_key(const struct ft_table *t, size_t row, const long *cols,
                 size_t n, char **buf, size_t *cap, size_t *len)
{
	size_t at = 0;

	for (size_t k = 0; k < n; k++) {
		size_t j = (size_t)cols[k], vl;
		uint32_t id = ft_cell_id(t, row, j);
		if (id == FT_MISSING)
			return 1;
		vl = t->vals[j].len[id];
		if (at + vl + 2 > *cap) {
			size_t c = *cap ? *cap : 64;
			char *b;
			while (c < at + vl + 2)
				c *= 2;
			b = realloc(*buf, c);
			if (!b)
				return FT_ENOMEM;
			*buf = b;
			*cap = c;
		}
		if (k)
			(*buf)[at++] = '&';
		memcpy(*buf + at, t->vals[j].str[id], vl);
		at += vl;
	}
	if (!*buf) {
		/* n == 0: still hand back a valid empty string */
		*buf = malloc(1);
		if (!*buf)
			return FT_ENOMEM;
		*cap = 1;
	}
	(*buf)[at] = '\0';
	*len = at;
	return 0;
}

/* Rows are first reduced to the tuple of their value ids in the n columns
 * (equal tuples have equal keys); memo[tuple] caches the key id, so the
 * joined text is built and looked up once per distinct tuple.  With one
 * column the value id is the tuple and memo is indexed by it directly;
 * otherwise tuples are numbered by a map over their raw bytes.  Two tuples
 * may still join to one key ("a&b" + "c" and "a" + "b&c"): ids come from
 * the key text, so they share an id, as they would row by row. */
int ft_group_ids(const struct ft_table *t, const long *cols, size_t n,
                 const unsigned char *use, long *key, struct ft_strmap *keys)
{
	return ft_group_ids_range(t, cols, n, 0, t->n_rows, use, key, keys);
}

int ft_group_ids_range(const struct ft_table *t, const long *cols, size_t n, size_t lo,
                       size_t hi, const unsigned char *use, long *key,
                       struct ft_strmap *keys)
{
	struct ft_strmap tuples;
	long *memo = NULL;
	uint32_t *tup = NULL;
	char *buf = NULL;
	size_t memo_cap, cap = 0, len;
	int rc = 0;

	memset(&tuples, 0, sizeof tuples);
	if (n == 1) {
		memo_cap = t->vals[cols[0]].n;
	} else {
		memo_cap = 64;
		tup = malloc((n ? n : 1) * sizeof *tup);
		if (!tup || ft_strmap_init(&tuples) != 0)
			goto nomem;
	}
	memo = malloc((memo_cap ? memo_cap : 1) * sizeof *memo);
	if (!memo)
		goto nomem;
	for (size_t m = 0; m < memo_cap; m++)
		memo[m] = -1;
	for (size_t i = lo; i < hi; i++) {
		const uint32_t *row = ft_cell_row(t, i);
		size_t m;

		if (key)
			key[i - lo] = -1;
		if (use && !use[i - lo])
			continue;
		if (n == 1) {
			uint32_t id = ft_cell_in(t, row, i, (size_t)cols[0],
			                         ft_cell_pos(t, (size_t)cols[0]));
			if (id == FT_MISSING)
				continue;
			m = id;
		} else {
			int miss = 0;
			long id;
			for (size_t k = 0; k < n; k++) {
				tup[k] = ft_cell_in(t, row, i, (size_t)cols[k],
				                    ft_cell_pos(t, (size_t)cols[k]));
				miss |= tup[k] == FT_MISSING;
			}
			if (miss)
				continue;
			id = ft_strmap_put(&tuples, (const char *)tup, n * sizeof *tup,
			                   NULL);
			if (id < 0)
				goto nomem;
			m = (size_t)id;
			if (m >= memo_cap) {
				long *p = realloc(memo, 2 * memo_cap * sizeof *p);
				if (!p)
					goto nomem;
				memo = p;
				for (size_t q = memo_cap; q < 2 * memo_cap; q++)
					memo[q] = -1;
				memo_cap *= 2;
			}
		}
		if (memo[m] < 0) {
			/* no cell is missing here, so ft_group_key returns 0 or
			 * FT_ENOMEM */
			if (ft_group_key(t, i, cols, n, &buf, &cap, &len) != 0 ||
			    (memo[m] = ft_strmap_put(keys, buf, len, NULL)) < 0)
				goto nomem;
		}
		if (key)
			key[i - lo] = memo[m];
	}
	goto done;
nomem:
	rc = FT_ENOMEM;
done:
	ft_strmap_free(&tuples);
	free(memo);
	free(tup);
	free(buf);
	return rc;
}

int ft_no_column(const struct ft_table *t, const char *what, const char *name, int code,
                 struct ft_error *err)
{
	char list[320], hint[96] = "";

	ft_col_list(t, list, sizeof list);
	/* one column whose name holds another delimiter: the file was read
	 * with the wrong one */
	if (t->n_cols == 1) {
		static const char *const D[] = {";", "\t", "|", " "};
		static const char *const OPT[] = {"';'", "tab", "'|'", "whitespace"};
		for (size_t k = 0; k < 4; k++)
			if (strstr(t->names[0], D[k])) {
				snprintf(hint, sizeof hint, "; the file has one column whose name "
				         "holds %s: --delimiter %s?", k == 1 ? "tabs" : OPT[k], OPT[k]);
				break;
			}
	}
	return ft_error_set(err, code, "%s: no %scolumn '%s' (columns: %s)%s", t->path, what,
	                    name ? name : "", list, hint);
}
