/*
 * split.c - stratified splits of a raw table: one train/test split
 * (ft_table_split) and k folds for cross-validation (ft_table_kfold).
 *
 * Rows are grouped into strata by (target value after label_strip, group
 * key = sensitive values joined with "&"); a missing target or sensitive
 * value is a stratum value of its own, so such rows are split too (the
 * encoder drops them later).  Strata are ordered by their text (label, then
 * group).  Each row gets a key from the seed and its global row index i
 * (its place among all rows of the data, in a distributed run too):
 * ft_split_key(seed, i), a bijection of i for a given seed, so keys never
 * tie.  Within each stratum of m rows, ordered by key, a split sends the
 * first round(test_frac * m) rows to the test part; k folds give the first
 * rows of the stratum to one fold, the next to the next fold and so on,
 * with the per-stratum fold sizes of dealing the stratum to the folds in
 * turn, one deal continuing where the last stopped (so fold sizes differ by
 * at most one overall and within every stratum, as scikit-learn's
 * StratifiedKFold balances them).  Parts keep the original row order.
 *
 * Why keys rather than a shuffle: which part a row goes to depends only on
 * its key and on counts per stratum, so the rows need not sit in one
 * process.  In a distributed run (core/dist.h) the strata are merged across
 * ranks by their text, the counts summed, and the cut key of each stratum
 * (the key of its last test row, or of the last row of each fold) found by
 * bisection over the 64-bit keys: 64 rounds of one integer reduction each,
 * exact.  The same table, spec and seed always give the same split, on
 * every platform and for any number of ranks.
 *
 * It does not encode anything: the parts are tables, so the encoder is fitted
 * on the training part alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"

uint64_t ft_split_key(uint64_t seed, uint64_t i)
{
	/* splitmix64's finaliser: a bijection of 64-bit words */
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z ^= i;
	for (int r = 0; r < 2; r++) {
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
	}
	return z;
}

/* The strata of a table: each row's stratum (0 .. n-1, in order of their
 * text, over every rank), each stratum's size over every rank, and each
 * stratum's local keys sorted (skey[sstart[j] .. sstart[j+1])). */
struct strata {
	size_t n;
	uint32_t *of;            /* n_rows: the row's stratum */
	uint64_t *size;          /* n */
	uint64_t *key;           /* n_rows: the row's key */
	uint64_t *skey;          /* n_rows: keys grouped by stratum, sorted */
	size_t *sstart;          /* n + 1 */
};

static void strata_free(struct strata *st)
{
	free(st->of);
	free(st->size);
	free(st->key);
	free(st->skey);
	free(st->sstart);
	memset(st, 0, sizeof *st);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The text of a stratum: "\2label" or "\1" (missing), "\37", then
 * "\2group key" or "\1".  *buf grows as needed. */
static int stratum_text(const char *label, size_t ll, const char *group, char **buf,
                        size_t *cap, size_t *len)
{
	size_t gl = group ? strlen(group) : 0, need = ll + gl + 5;

	if (need > *cap) {
		char *b = realloc(*buf, need);
		if (!b)
			return FT_ENOMEM;
		*buf = b;
		*cap = need;
	}
	*len = 0;
	(*buf)[(*len)++] = label ? '\2' : '\1';
	if (label) {
		memcpy(*buf + *len, label, ll);
		*len += ll;
	}
	(*buf)[(*len)++] = '\37';
	(*buf)[(*len)++] = group ? '\2' : '\1';
	if (group) {
		memcpy(*buf + *len, group, gl);
		*len += gl;
	}
	(*buf)[*len] = '\0';
	return 0;
}

/* Strata, sizes and keys of t's rows (collective in a distributed run). */
static int strata_of(const struct ft_table *t, const struct ft_spec *s, uint64_t seed,
                     struct strata *st, struct ft_error *err)
{
	struct ft_strmap local, groups;
	long tcol = -1, *scol = NULL, *gkey = NULL, *memo = NULL;
	size_t n = t->n_rows, n_sens = s ? s->n_sensitive : 0, cap = 0, len, bytes = 0;
	size_t *off = NULL, n_all = 0, m = 0, *fill = NULL;
	uint32_t *gid = NULL;
	uint64_t row0 = 0;
	char *buf = NULL, *mine = NULL, *all = NULL, **sorted = NULL;
	int rc = 0;

	memset(st, 0, sizeof *st);
	memset(&local, 0, sizeof local);
	memset(&groups, 0, sizeof groups);
	for (size_t k = 0; k < n_sens; k++)
		if (!s->sensitive || !s->sensitive[k]) {
			rc = ft_error_set(err, FT_EINVAL,
			                  "%s: sensitive column names missing", t->path);
			goto done;
		}
	if (!(scol = malloc((n_sens ? n_sens : 1) * sizeof *scol)))
		goto nomem;
	if (s && s->target && (tcol = ft_table_col(t, s->target)) < 0) {
		rc = ft_no_column(t, "", s->target, FT_EINVAL, err);
		goto done;
	}
	for (size_t k = 0; k < n_sens; k++)
		if ((scol[k] = ft_table_col(t, s->sensitive[k])) < 0) {
			rc = ft_no_column(t, "", s->sensitive[k], FT_EINVAL, err);
			goto done;
		}

	/* The local strata by their text, each row's local id in of[]; the
	 * text depends only on (label value id, group id), so it is built
	 * and looked up once per pair seen (memo), unless the pairs could
	 * outnumber the rows (a target of many values) */
	st->of = ft_xalloc(n, sizeof *st->of);
	st->key = ft_xalloc(n, sizeof *st->key);
	gkey = ft_xalloc(n, sizeof *gkey);
	if (!st->of || !st->key || !gkey || ft_strmap_init(&local) != 0 ||
	    ft_strmap_init(&groups) != 0 || ft_group_ids(t, scol, n_sens, NULL, gkey, &groups))
		goto nomem;
	{
		size_t nl = tcol >= 0 ? t->vals[tcol].n + 1 : 1, ng = groups.n + 1;
		if (nl <= n / ng + 1 && !(memo = malloc(nl * ng * sizeof *memo)))
			goto nomem;
		if (memo)
			for (size_t q = 0; q < nl * ng; q++)
				memo[q] = -1;
		for (size_t i = 0; i < n; i++) {
			const char *label = NULL;
			size_t ll = 0, at = 0;
			uint32_t id = FT_MISSING;
			long k;
			if (tcol >= 0)
				id = ft_cell_id(t, i, (size_t)tcol);
			if (memo) {
				at = (id == FT_MISSING ? nl - 1 : id) * ng +
				     (gkey[i] >= 0 ? (size_t)gkey[i] : ng - 1);
				if (memo[at] >= 0) {
					st->of[i] = (uint32_t)memo[at];
					continue;
				}
			}
			if (id != FT_MISSING) {
				label = t->vals[tcol].str[id];
				ll = ft_label_len(label, s->label_strip);
			}
			if (stratum_text(label, ll, gkey[i] >= 0 ? ft_strmap_key(&groups,
			                 (size_t)gkey[i]) : NULL, &buf, &cap, &len) ||
			    (k = ft_strmap_put(&local, buf, len, NULL)) < 0)
				goto nomem;
			if (memo)
				memo[at] = k;
			st->of[i] = (uint32_t)k;
		}
	}

	/* Every rank's strata, sorted and merged: the global ids */
	for (size_t k = 0; k < local.n; k++)
		bytes += local.klen[k] + 1;
	if (!(mine = malloc(bytes ? bytes : 1)))
		goto nomem;
	memcpy(mine, local.keys, bytes);
	if ((rc = ft_dist_allgather(mine, bytes, (void **)&all, &off)))
		goto nomem;
	for (size_t at = 0; at < off[ft_dist_np()]; at += strlen(all + at) + 1)
		n_all++;
	if (!(sorted = malloc((n_all ? n_all : 1) * sizeof *sorted)))
		goto nomem;
	for (size_t at = 0, q = 0; at < off[ft_dist_np()]; at += strlen(all + at) + 1)
		sorted[q++] = all + at;
	qsort(sorted, n_all, sizeof *sorted, cmp_strp);
	for (size_t q = 0; q < n_all; q++)
		if (q == 0 || strcmp(sorted[q], sorted[m - 1]))
			sorted[m++] = sorted[q];
	if (!(gid = malloc((local.n ? local.n : 1) * sizeof *gid)))
		goto nomem;
	for (size_t k = 0; k < local.n; k++) {
		const char *key = ft_strmap_key(&local, k);
		char **hit = bsearch(&key, sorted, m, sizeof *sorted, cmp_strp);
		gid[k] = (uint32_t)(hit - sorted);
	}
	st->n = m;
	st->size = calloc(m ? m : 1, sizeof *st->size);
	st->sstart = calloc(m + 1, sizeof *st->sstart);
	st->skey = ft_xalloc(n, sizeof *st->skey);
	fill = calloc(m + 1, sizeof *fill);
	if (!st->size || !st->sstart || !st->skey || !fill)
		goto nomem;

	/* keys from the global row index; sizes summed over ranks */
	ft_dist_scan_u64(n, &row0, NULL);
	for (size_t i = 0; i < n; i++) {
		st->of[i] = gid[st->of[i]];
		st->key[i] = ft_split_key(seed, row0 + i);
		st->size[st->of[i]]++;
		st->sstart[st->of[i] + 1]++;
	}
	for (size_t j = 0; j < m; j++)
		st->sstart[j + 1] += st->sstart[j];
	for (size_t i = 0; i < n; i++)
		st->skey[st->sstart[st->of[i]] + fill[st->of[i]]++] = st->key[i];
	for (size_t j = 0; j < m; j++)
		if (ft_sort_u64(st->skey + st->sstart[j], st->sstart[j + 1] - st->sstart[j]))
			goto nomem;
	ft_dist_sum_u64(st->size, m);
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	ft_strmap_free(&local);
	ft_strmap_free(&groups);
	free(scol);
	free(gkey);
	free(memo);
	free(buf);
	free(mine);
	free(all);
	free(off);
	free(sorted);
	free(gid);
	free(fill);
	if (rc)
		strata_free(st);
	return rc;
}

/* The agreed outcome of a step that may fail on one rank (rc), with the
 * strata freed on failure. */
static int agree(int rc, struct strata *st, struct ft_error *err)
{
	if ((rc = ft_dist_agree(rc, err)))
		strata_free(st);
	return rc;
}

/* For each target (stratum sj[q], rank want[q] >= 1 among its keys in
 * increasing order), the key of that row: cut[q].  Bisection over the keys,
 * all targets at once, each round one sum over ranks of how many local
 * keys lie at or below the midpoints. */
static int cut_keys(const struct strata *st, const size_t *sj, const uint64_t *want,
                    size_t nq, uint64_t *cut)
{
	uint64_t *lo = malloc((nq ? nq : 1) * sizeof *lo), *cnt = malloc((nq ? nq : 1) * sizeof *cnt);
	int rc = 0;

	if (!lo || !cnt) {
		rc = FT_ENOMEM;
		goto done;
	}
	for (size_t q = 0; q < nq; q++) {
		lo[q] = 0;
		cut[q] = UINT64_MAX;     /* hi: every key lies at or below it */
	}
	for (int round = 0; round < 64; round++) {
		for (size_t q = 0; q < nq; q++) {
			const uint64_t *k = st->skey + st->sstart[sj[q]];
			size_t a = 0, b = st->sstart[sj[q] + 1] - st->sstart[sj[q]];
			uint64_t mid = lo[q] + (cut[q] - lo[q]) / 2;
			while (a < b) {   /* keys <= mid */
				size_t h = a + (b - a) / 2;
				if (k[h] <= mid)
					a = h + 1;
				else
					b = h;
			}
			cnt[q] = a;
		}
		ft_dist_sum_u64(cnt, nq);
		for (size_t q = 0; q < nq; q++) {
			uint64_t mid = lo[q] + (cut[q] - lo[q]) / 2;
			if (lo[q] == cut[q])
				continue;
			if (cnt[q] >= want[q])
				cut[q] = mid;
			else
				lo[q] = mid + 1;
		}
	}
done:
	free(lo);
	free(cnt);
	return rc;
}

/* Uses s->target (may be NULL: groups only), s->label_strip and
 * s->sensitive.  FT_EINVAL for a fraction outside (0, 1) or an unknown
 * column, FT_EDATA when a part would be empty; on failure both outputs are
 * NULL.  Collective in a distributed run: t is this rank's rows.  keep
 * (ft_table_split_keep): t itself becomes the training part, its rows
 * kept in place, and train is not set. */
static int split_table(const struct ft_table *t, struct ft_table *keep,
                       const struct ft_spec *s, double test_frac, uint64_t seed,
                       struct ft_table **train, struct ft_table **test,
                       struct ft_error *err)
{
	struct strata st;
	size_t *rows_tr = NULL, *rows_te = NULL, n_tr = 0, n_te = 0, *sj = NULL, nq = 0;
	size_t n = t->n_rows;
	uint64_t *want = NULL, *cut = NULL, *at = NULL, tot[2] = {0, 0};
	struct ft_table *a = NULL, *b = NULL;
	int rc = 0;

	if (train)
		*train = NULL;
	*test = NULL;
	memset(&st, 0, sizeof st);
	if (!(test_frac > 0 && test_frac < 1))
		return ft_error_set(err, FT_EINVAL, "%s: test fraction %g is not in (0, 1)",
		                    t->path, test_frac);
	if ((rc = agree(strata_of(t, s, seed, &st, err), &st, err)))
		return rc;
	sj = malloc((st.n ? st.n : 1) * sizeof *sj);
	want = malloc((st.n ? st.n : 1) * sizeof *want);
	cut = malloc((st.n ? st.n : 1) * sizeof *cut);
	at = calloc(st.n ? st.n : 1, sizeof *at);
	/* one array: the training rows from the front, the test rows from
	 * the back (then put in ascending order) */
	rows_tr = ft_xalloc(n, sizeof *rows_tr);
	rc = !sj || !want || !cut || !at || !rows_tr ?
	     ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path) : 0;
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	/* the first round(test_frac m) keys of each stratum go to test */
	for (size_t j = 0; j < st.n; j++) {
		uint64_t nt = (uint64_t)floor(test_frac * (double)st.size[j] + 0.5);
		at[j] = nt;
		if (nt > 0) {
			sj[nq] = j;
			want[nq++] = nt;
		}
	}
	if ((rc = ft_dist_agree(cut_keys(&st, sj, want, nq, cut) ?
	                        ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path) :
	                        0, err)))
		goto done;
	for (size_t j = 0; j < st.n; j++)
		at[j] = 0;       /* 0: no test rows; else 1 + its cut's index */
	for (size_t q = 0; q < nq; q++)
		at[sj[q]] = q + 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t q = at[st.of[i]];
		if (q && st.key[i] <= cut[q - 1])
			rows_tr[n - 1 - n_te++] = i;
		else
			rows_tr[n_tr++] = i;
	}
	rows_te = rows_tr + n_tr;
	for (size_t a0 = 0, b0 = n_te; a0 + 1 < b0; a0++, b0--) {
		size_t x = rows_te[a0];
		rows_te[a0] = rows_te[b0 - 1];
		rows_te[b0 - 1] = x;
	}
	/* the strata are done with: not held beside the parts' tables */
	strata_free(&st);
	tot[0] = n_tr;
	tot[1] = n_te;
	ft_dist_sum_u64(tot, 2);
	if (tot[0] == 0 || tot[1] == 0) {
		rc = ft_error_set(err, FT_EDATA,
		                  "%s: a test fraction of %g leaves the %s part empty (%llu rows)",
		                  t->path, test_frac, tot[0] == 0 ? "training" : "test",
		                  (unsigned long long)(tot[0] + tot[1]));
		goto done;
	}
	/* the test rows copied first: then the training rows may take t's
	 * place (the table is never held twice) */
	if ((rc = ft_table_subset(t, rows_te, n_te, &b, err)) == 0)
		rc = keep ? (ft_table_keep_rows(keep, rows_tr, n_tr) ?
		             ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path) : 0) :
		     ft_table_subset(t, rows_tr, n_tr, &a, err);
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	if (train)
		*train = a;
	*test = b;
	a = b = NULL;
done:
	strata_free(&st);
	ft_table_free(a);
	ft_table_free(b);
	free(sj);
	free(want);
	free(cut);
	free(at);
	free(rows_tr);
	return rc;
}

int ft_table_split(const struct ft_table *t, const struct ft_spec *s,
                   double test_frac, uint64_t seed, struct ft_table **train,
                   struct ft_table **test, struct ft_error *err)
{
	return split_table(t, NULL, s, test_frac, seed, train, test, err);
}

int ft_table_split_keep(struct ft_table *t, const struct ft_spec *s, double test_frac,
                        uint64_t seed, struct ft_table **test, struct ft_error *err)
{
	return split_table(t, t, s, test_frac, seed, NULL, test, err);
}

/* Contract in fairtrain.h.  The deal of stratum j starts at the fold after
 * the one that took the last row of stratum j-1, so that small strata do
 * not all pile their extra row onto fold 0 and the fold sizes differ by at
 * most one in total as well as within each stratum.  Stratum j's rows in
 * key order go to fold start_j (as many as the deal gives it), then to
 * start_j + 1 and so on around. */
int ft_table_kfold(const struct ft_table *t, const struct ft_spec *s,
                   size_t k, uint64_t seed, uint32_t *fold,
                   struct ft_error *err)
{
	struct strata st;
	size_t *sj = NULL, nq = 0, next = 0, *first = NULL;
	uint64_t *want = NULL, *cut = NULL, rows = t->n_rows;
	int rc;

	if (k < 2 || k > UINT32_MAX)
		return ft_error_set(err, FT_EINVAL, "%s: %zu folds: need at least 2",
		                    t->path, k);
	ft_dist_sum_u64(&rows, 1);
	if (k > rows)
		return ft_error_set(err, FT_EDATA, "%s: %zu folds of %llu rows leave a "
		                    "fold empty", t->path, k, (unsigned long long)rows);
	memset(&st, 0, sizeof st);
	if ((rc = agree(strata_of(t, s, seed, &st, err), &st, err)))
		return rc;
	/* per stratum, k cuts: the last key of each fold's block in turn */
	nq = st.n * k > 0 ? st.n * k : 1;
	sj = malloc(nq * sizeof *sj);
	want = malloc(nq * sizeof *want);
	cut = malloc(nq * sizeof *cut);
	nq = 0;
	first = malloc((st.n ? st.n : 1) * sizeof *first);
	rc = !sj || !want || !cut || !first ?
	     ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path) : 0;
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	for (size_t j = 0; j < st.n; j++) {
		uint64_t m = st.size[j], sum = 0;
		first[j] = nq;
		/* dealing m rows from fold next on gives fold next + b (b-th
		 * in turn) m / k rows, one more for b < m % k */
		for (size_t b = 0; b < k; b++) {
			sum += m / k + (b < m % k);
			sj[nq] = j;
			want[nq++] = sum;
		}
	}
	if ((rc = ft_dist_agree(cut_keys(&st, sj, want, nq, cut) ?
	                        ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path) :
	                        0, err)))
		goto done;
	/* the fold of each row: its block b among the stratum's cuts */
	next = 0;
	{
		size_t *start = malloc((st.n ? st.n : 1) * sizeof *start);
		if ((rc = ft_dist_agree(start ? 0 : ft_error_set(err, FT_ENOMEM,
		                        "%s: out of memory", t->path), err))) {
			free(start);
			goto done;
		}
		for (size_t j = 0; j < st.n; j++) {
			start[j] = next;
			next = (next + (size_t)(st.size[j] % k)) % k;
		}
		for (size_t i = 0; i < t->n_rows; i++) {
			size_t j = st.of[i], b = 0;
			const uint64_t *c = cut + first[j];
			while (b + 1 < k && (want[first[j] + b] == 0 || st.key[i] > c[b]))
				b++;
			fold[i] = (uint32_t)((start[j] + b) % k);
		}
		free(start);
	}
done:
	strata_free(&st);
	free(sj);
	free(want);
	free(cut);
	free(first);
	return rc;
}
