/*
 * letor.c - ranking data (struct ft_rank_data): the LETOR / SVMlight reader,
 * ranking data from a table through the encoder, groups from a feature,
 * dropping a feature, and query-level splits.
 *
 * LETOR format (Qin & Liu, "Introducing LETOR 4.0 Datasets", 2013; the
 * SVMlight ranking format of Joachims 2002):
 *     REL qid:Q 1:V 2:V ... # comment
 * one document per line.  We accept what those distributions write and
 * nothing looser: a finite relevance, a qid as the second token, indices
 * strictly increasing from 1 (absent indices are 0, so sparse SVMlight
 * files read too), finite values.  Every violation is one error naming
 * file:line, because a silently skipped line changes a query's ranking.
 *
 * Queries are kept contiguous: rows are gathered by query in order of first
 * appearance, stably (a counting sort on the query's id), so the row order
 * inside a query is the file's.  LETOR files already list each query's
 * documents together; the regrouping costs one pass when they do.
 *
 * Features are held dense (n x p doubles): ranking data sets have tens to
 * hundreds of features per document (LETOR 4.0: 46, MSLR: 136), nearly all
 * non-zero, and the losses visit every document of a query together.
 * Since p is the largest index a file names, memory is bounded by what
 * the file holds (struct ft_letor_opts): an index above max_features
 * (100,000) is an error naming file:line, and so is a matrix of more than
 * max_cells_per_value (16) cells per value or row written in the file,
 * beyond 2^20 cells any file gets.  A value takes at least 4 bytes of the
 * file ("1:1 ") and a row 8, so a file of N bytes needs at most about
 * 32 N + 8 MB for the matrix; the 34-byte file "1 qid:1 1:1" /
 * "0 qid:1 30000000:1" is refused at its line 2 instead of taking 10 GB.
 *
 * Values a model cannot use are refused at read time, naming the line:
 * a relevance above 1000 in magnitude (NDCG's gain 2^rel - 1 overflows
 * from 1024 on) and a feature value above 1e150 in magnitude (the solvers
 * square features: 1e150^2 = 1e300 leaves room for sums over 1e8
 * documents below DBL_MAX, about 1.8e308).
 *
 * Not here: ranking metrics, the losses (src/model/rank.c), fairness
 * (src/fair/deltr.c, src/fair/pairwise.c).
 */
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"

void ft_rank_data_free(struct ft_rank_data *rd)
{
	if (!rd)
		return;
	free(rd->path);
	free(rd->x);
	free(rd->rel);
	ft_strv_free(rd->feature_names, rd->p);
	free(rd->group);
	ft_strv_free(rd->group_names, rd->n_groups);
	free(rd->qoff);
	ft_strv_free(rd->qid, rd->n_queries);
	free(rd->line);
	free(rd);
}

/* An empty struct with the per-row arrays for n rows and p features (x
 * left NULL with no_x, for a caller that hands over its own), and the
 * query arrays for nq queries (zeroed, names NULL).  NULL when out of
 * memory. */
static struct ft_rank_data *rd_alloc(const char *path, size_t n, size_t p,
                                     size_t nq, int no_x)
{
	struct ft_rank_data *rd = calloc(1, sizeof *rd);

	if (!rd)
		return NULL;
	rd->n = n;
	rd->p = p;
	rd->n_queries = nq;
	rd->path = ft_strdup(path ? path : "");
	if (!no_x)
		rd->x = n && p && p > ((size_t)-1) / n ? NULL : ft_xalloc(n * p, sizeof *rd->x);
	rd->rel = ft_xalloc(n, sizeof *rd->rel);
	rd->line = ft_xalloc(n, sizeof *rd->line);
	rd->feature_names = calloc(p ? p : 1, sizeof *rd->feature_names);
	rd->qoff = calloc(nq + 1, sizeof *rd->qoff);
	rd->qid = calloc(nq ? nq : 1, sizeof *rd->qid);
	if (!rd->path || (!no_x && !rd->x) || !rd->rel || !rd->line || !rd->feature_names ||
	    !rd->qoff || !rd->qid) {
		ft_rank_data_free(rd);
		return NULL;
	}
	return rd;
}

/* Stable gathering by query: given each row's query id (0 .. nq-1, ids in
 * order of first appearance), perm[k] = the row that goes to position k and
 * qoff the query offsets (nq + 1 entries). */
static int gather(const size_t *qrow, size_t n, size_t nq, size_t *perm,
                  size_t *qoff)
{
	size_t *fill = calloc(nq + 1, sizeof *fill);

	if (!fill)
		return FT_ENOMEM;
	memset(qoff, 0, (nq + 1) * sizeof *qoff);
	for (size_t i = 0; i < n; i++)
		qoff[qrow[i] + 1]++;
	for (size_t q = 0; q < nq; q++)
		qoff[q + 1] += qoff[q];
	memcpy(fill, qoff, (nq + 1) * sizeof *fill);
	for (size_t i = 0; i < n; i++)
		perm[fill[qrow[i]]++] = i;
	free(fill);
	return 0;
}

/* ------------------------------------------------------------ LETOR */

/* What the reader collects before the matrix is handed out, one of two
 * ways.  Dense (dense = 1, from the start): each row written straight into
 * x, w >= p cells a row, zeros where the line names no value; the matrix
 * is then compacted to p cells a row in place, and when the queries are
 * already contiguous it is the result itself.  Lists: each row's (index,
 * value) pairs, turned into the matrix once the whole file is read.  The
 * dense way touches the matrix alone (on 1M rows of 10 values, 80 MB
 * instead of 200 MB of lists and matrix); the lists are what a sparse
 * file needs, and the reader moves to them when the dense matrix would
 * hold more cells than check_dense allows for the rows read so far, or
 * when its memory cannot be had.  Both give the same matrix,
 * and the same errors, at the same lines. */
struct letor {
	const char *path;      /* base name, for messages */
	size_t n, n_alloc;
	double *rel;
	size_t *line, *qrow;   /* per row: source line, query id */
	size_t nv;             /* values on the lines read (check_dense) */
	/* the current line's values: 0-based indices ascending */
	size_t lm, lm_alloc;
	uint32_t *lidx;
	double *lval;
	/* dense: x holds x_rows rows of w cells */
	int dense;
	double *x;
	size_t w, x_rows;
	/* lists: row i's pairs are idx / val [voff[i], voff[i + 1]) */
	size_t *voff;
	size_t nl, nl_alloc;
	uint32_t *idx;
	double *val;
	size_t p;              /* 1 + the largest index */
	size_t p_line;         /* the line where p was set */
	struct ft_letor_opts o;
	struct ft_strmap qids;
};

/* The limits of the top of the file. */
#define MAX_REL 1000.0
#define MAX_VALUE 1e150
#define FREE_CELLS ((size_t)1 << 20)

void ft_letor_opts_init(struct ft_letor_opts *o)
{
	o->max_features = 100000;
	o->max_cells_per_value = 16;
}

/* realloc *a to hold cap elements of size bytes. */
static int resize(void **a, size_t cap, size_t size)
{
	void *p;

	if (cap > ((size_t)-1) / size || !(p = realloc(*a, cap * size)))
		return FT_ENOMEM;
	*a = p;
	return 0;
}

/* Make room for one more row (and the row offset after it). */
static int add_row(struct letor *L)
{
	size_t c;

	if (L->n + 2 <= L->n_alloc)
		return 0;
	c = L->n_alloc ? 2 * L->n_alloc : 256;
	if (resize((void **)&L->rel, c, sizeof *L->rel) ||
	    resize((void **)&L->line, c, sizeof *L->line) ||
	    resize((void **)&L->qrow, c, sizeof *L->qrow) ||
	    resize((void **)&L->voff, c, sizeof *L->voff))
		return FT_ENOMEM;
	L->n_alloc = c;
	return 0;
}

/* Room for need (index, value) pairs in *k and *v, which hold *cap (at
 * least first once grown, doubling). */
static int pairs_room(uint32_t **k, double **v, size_t *cap, size_t need, size_t first)
{
	size_t c = *cap ? *cap : first;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if (resize((void **)k, c, sizeof **k) || resize((void **)v, c, sizeof **v))
		return FT_ENOMEM;
	*cap = c;
	return 0;
}

/* Append one (index, value) pair to the current line. */
static int add_value(struct letor *L, size_t k, double v)
{
	if (pairs_room(&L->lidx, &L->lval, &L->lm_alloc, L->lm + 1, 64))
		return FT_ENOMEM;
	L->lidx[L->lm] = (uint32_t)k;
	L->lval[L->lm++] = v;
	return 0;
}

/* The cells check_dense allows for held values and rows. */
static size_t allowed_cells(const struct letor *L, size_t held)
{
	size_t per = L->o.max_cells_per_value;

	return per && held > (SIZE_MAX - FREE_CELLS) / per ? SIZE_MAX : FREE_CELLS + per * held;
}

/* Append m pairs to the lists. */
static int list_append(struct letor *L, const uint32_t *k, const double *v, size_t m)
{
	if (m == 0)
		return 0;       /* a row without values: nothing to copy (idx may be NULL) */
	if (pairs_room(&L->idx, &L->val, &L->nl_alloc, L->nl + m, 1024))
		return FT_ENOMEM;
	memcpy(L->idx + L->nl, k, m * sizeof *k);
	memcpy(L->val + L->nl, v, m * sizeof *v);
	L->nl += m;
	return 0;
}

/* From dense to lists: the rows so far as their cells other than +0.0
 * (the zeros the matrix starts from, so a matrix built from the lists is
 * the same bits; -0.0 is kept).  FT_ENOMEM when the lists cannot be had. */
static int dense_leave(struct letor *L)
{
	for (size_t r = 0; r < L->n; r++) {
		const double *xr = L->x + r * L->w;
		L->voff[r] = L->nl;
		for (size_t j = 0; j < L->w; j++) {
			uint32_t k = (uint32_t)j;
			uint64_t bits;
			memcpy(&bits, &xr[j], sizeof bits);
			if (bits && list_append(L, &k, &xr[j], 1))
				return FT_ENOMEM;
		}
	}
	L->voff[L->n] = L->nl;
	free(L->x);
	L->x = NULL;
	L->w = L->x_rows = 0;
	L->dense = 0;
	return 0;
}

/* Room in x for row n at width L->p or more: 0, or 1 when the matrix
 * would hold more cells than check_dense allows for what is read (or its
 * memory is short), and the reader should move to the lists.  So the
 * dense way holds no more than the matrix check_dense lets through. */
static int dense_room(struct letor *L)
{
	size_t w = L->w, rows = L->x_rows, lim;
	double *x;

	if (L->p > w)
		w = L->p > 2 * w ? L->p : 2 * w;
	if (L->n + 1 > rows)
		rows = L->n_alloc;
	if (w == L->w && rows == L->x_rows)
		return 0;
	lim = allowed_cells(L, L->nv + L->lm + L->n + 1);
	if (rows > lim / w || rows * w > SIZE_MAX / sizeof *x ||
	    !(x = realloc(L->x, rows * w * sizeof *x)))
		return 1;
	L->x = x;
	if (w > L->w) {
		/* wider rows: each moved to its place, from the last (a row's
		 * new place never starts before its old one) */
		for (size_t r = L->n; r-- > 0;) {
			memmove(x + r * w, x + r * L->w, L->w * sizeof *x);
			memset(x + r * w + L->w, 0, (w - L->w) * sizeof *x);
		}
		L->w = w;
	}
	L->x_rows = rows;
	return 0;
}

/* The current line into row n, dense or as lists. */
static int commit_row(struct letor *L)
{
	if (L->dense && L->p > 0 && dense_room(L) && dense_leave(L))
		return FT_ENOMEM;
	if (L->dense) {
		/* the values, and zeros between and after them (indices
		 * ascend) */
		double *xr = L->w ? L->x + L->n * L->w : NULL;
		size_t j = 0;
		for (size_t k = 0; k < L->lm; k++) {
			for (; j < L->lidx[k]; j++)
				xr[j] = 0.0;
			xr[j++] = L->lval[k];
		}
		for (; j < L->w; j++)
			xr[j] = 0.0;
	} else {
		L->voff[L->n] = L->nl;
		if (list_append(L, L->lidx, L->lval, L->lm))
			return FT_ENOMEM;
		L->voff[L->n + 1] = L->nl;
	}
	L->nv += L->lm;
	L->n++;
	return 0;
}

/* Parse a whole token of len bytes (NUL-terminated) as a number: 0
 * finite, 1 not a number, 2 not finite ("nan", "inf", "1e999"). */
static int parse_num(const char *s, size_t len, double *v)
{
	char *end;

	if (!*s)
		return 1;
	if (ft_parse_plain_decimal(s, len, v))
		return 0;
	*v = strtod(s, &end);
	if (*end)
		return 1;
	return isfinite(*v) ? 0 : 2;
}

/* The blanks between tokens: " \t\r\n\v\f". */
static inline int blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The next token from *pos, as strtok_r(NULL, " \t\r\n\v\f", pos) gives
 * it (cut in place) from a line cut at its first '#', in one pass and
 * without building strtok_r's table of blanks for each token; NULL at the
 * end of the line.  *len gets its length and *colon its first ':' (NULL
 * when none). */
static char *token(char **pos, size_t *len, char **colon)
{
	char *s = *pos, *t;

	while (blank(*s))
		s++;
	*colon = NULL;
	if (!*s || *s == '#') {
		*s = '\0';
		*pos = s;
		return NULL;
	}
	for (t = s; *s && *s != '#' && !blank(*s); s++)
		if (*s == ':' && !*colon)
			*colon = s;
	*len = (size_t)(s - t);
	if (*s == '#')
		*s = '\0';     /* the rest of the line is a comment */
	else if (*s)
		*s++ = '\0';
	*pos = s;
	return t;
}

/* One data line: its first token starts at s (what follows a '#' is a
 * comment). */
static int parse_line(struct letor *L, char *s, size_t lineno,
                      struct ft_error *err)
{
	const char *P = L->path;
	char *pos = s, *tok, *colon;
	double rel;
	size_t prev = 0, len = 0;
	long qid;
	int r;

	tok = token(&pos, &len, &colon);
	if ((r = parse_num(tok, len, &rel)) != 0)
		return ft_error_set(err, FT_EPARSE, "%s:%zu: relevance '%s' is %s",
		                    P, lineno, tok, r == 1 ? "not a number" : "not finite");
	if (fabs(rel) > MAX_REL)
		return ft_error_set(err, FT_EPARSE, "%s:%zu: relevance '%s' is too "
		                    "large (at most %g: NDCG's gain 2^rel - 1 must stay "
		                    "finite)", P, lineno, tok, MAX_REL);
	tok = token(&pos, &len, &colon);
	if (!tok)
		return ft_error_set(err, FT_EPARSE,
		                    "%s:%zu: missing qid (expected 'qid:Q' after the relevance)",
		                    P, lineno);
	if (strncmp(tok, "qid:", 4) != 0 || !tok[4])
		return ft_error_set(err, FT_EPARSE,
		                    "%s:%zu: missing qid (expected 'qid:Q' after the relevance, found '%s')",
		                    P, lineno, tok);
	if (add_row(L))
		return FT_ENOMEM;
	if ((qid = ft_strmap_put(&L->qids, tok + 4, len - 4, NULL)) < 0)
		return FT_ENOMEM;
	L->rel[L->n] = rel;
	L->line[L->n] = lineno;
	L->qrow[L->n] = (size_t)qid;
	L->lm = 0;
	while ((tok = token(&pos, &len, &colon)) != NULL) {
		const char *e = tok;
		size_t k = 0;
		int big = 0;
		double v;
		if (!colon || tok[0] < '0' || tok[0] > '9')
			return ft_error_set(err, FT_EPARSE,
			                    "%s:%zu: bad feature '%s' (expected INDEX:VALUE)",
			                    P, lineno, tok);
		/* the digits, as strtoull reads them; once the value passes
		 * 2^31 it is out of range whatever digits follow */
		for (; *e >= '0' && *e <= '9'; e++) {
			if (k > ((size_t)1 << 31))
				big = 1;
			else
				k = 10 * k + (size_t)(*e - '0');
		}
		if (e != colon || big || k == 0 || k > ((size_t)1 << 31))
			return ft_error_set(err, FT_EPARSE,
			                    "%s:%zu: bad feature index in '%s' (expected 1 .. 2147483648)",
			                    P, lineno, tok);
		if (k <= prev)
			return ft_error_set(err, FT_EPARSE,
			                    "%s:%zu: feature index %zu follows %zu (indices must increase)",
			                    P, lineno, k, prev);
		if (k > L->o.max_features)
			return ft_error_set(err, FT_EDATA,
			                    "%s:%zu: feature index %zu is above the limit of "
			                    "%zu features (max_features)", P, lineno, k,
			                    L->o.max_features);
		if ((r = parse_num(colon + 1, len - (size_t)(colon + 1 - tok), &v)) != 0)
			return ft_error_set(err, FT_EPARSE,
			                    "%s:%zu: feature %zu: value '%s' is %s", P,
			                    lineno, k, colon + 1,
			                    r == 1 ? "not a number" : "not finite");
		if (fabs(v) > MAX_VALUE)
			return ft_error_set(err, FT_EPARSE,
			                    "%s:%zu: feature %zu: value '%s' is too large "
			                    "(at most %g: the solvers square it)", P,
			                    lineno, k, colon + 1, MAX_VALUE);
		prev = k;
		if (add_value(L, prev - 1, v))
			return FT_ENOMEM;
		if (prev > L->p) {
			L->p = prev;
			L->p_line = lineno;
		}
	}
	return commit_row(L);
}

/* The dense, query-gathered struct from what was read. */
static int letor_build(struct letor *L, const char *path,
                       struct ft_rank_data **out, struct ft_error *err)
{
	struct ft_rank_data *rd = NULL;
	size_t *perm = ft_xalloc(L->n, sizeof *perm), nq = L->qids.n, p = L->p, k;
	int rc = 0, keep = 0;

	if (!perm || !(rd = rd_alloc(path, L->n, p, nq, L->dense)))
		goto nomem;
	if (gather(L->qrow, L->n, nq, perm, rd->qoff))
		goto nomem;
	for (k = 0; k < L->n && perm[k] == k; k++)
		;
	if (L->dense) {
		/* rows of p cells, in place (a row's new place never starts
		 * after its old one) */
		if (L->w > p)
			for (size_t r = 0; r < L->n; r++)
				memmove(L->x + r * p, L->x + r * L->w, p * sizeof *L->x);
		L->w = p;
		/* the file's queries already contiguous: the matrix itself */
		keep = k == L->n;
		if (keep) {
			double *x = realloc(L->x, L->n * p * sizeof *x);
			rd->x = x ? x : L->x;
			L->x = NULL;
		} else if (!(rd->x = ft_xalloc(L->n * p, sizeof *rd->x))) {
			goto nomem;
		}
	} else {
		memset(rd->x, 0, L->n * p * sizeof *rd->x);
	}
	for (k = 0; k < L->n; k++) {
		size_t i = perm[k];
		double *xk = rd->x + k * p;
		rd->rel[k] = L->rel[i];
		rd->line[k] = L->line[i];
		if (keep)
			continue;
		if (L->dense)
			memcpy(xk, L->x + i * p, p * sizeof *xk);
		else
			for (size_t v = L->voff[i]; v < L->voff[i + 1]; v++)
				xk[L->idx[v]] = L->val[v];
	}
	for (size_t j = 0; j < p; j++) {
		char buf[32];
		snprintf(buf, sizeof buf, "f%zu", j + 1);
		if (!(rd->feature_names[j] = ft_strdup(buf)))
			goto nomem;
	}
	for (size_t q = 0; q < nq; q++)
		if (!(rd->qid[q] = ft_strdup(ft_strmap_key(&L->qids, q))))
			goto nomem;
	*out = rd;
	rd = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory (%zu rows, %zu features)",
	                  L->path, L->n, L->p);
done:
	free(perm);
	ft_rank_data_free(rd);
	return rc;
}

/* The dense matrix n x p against what the file holds (the top of the
 * file): at most max_cells_per_value cells per value or row beyond
 * FREE_CELLS.  Checked before anything larger is allocated (the dense
 * way holds no more than that for the rows read so far). */
static int check_dense(const struct letor *L, struct ft_error *err)
{
	size_t allowed = allowed_cells(L, L->nv + L->n);

	if (L->p <= allowed / L->n)
		return 0;
	return ft_error_set(err, FT_EDATA,
	                    "%s:%zu: feature index %zu makes a dense matrix of %zu x "
	                    "%zu cells for %zu values in the file (more than %zu per "
	                    "value: max_cells_per_value)", L->path, L->p_line, L->p,
	                    L->n, L->p, L->nv, L->o.max_cells_per_value);
}

int ft_letor_read(const char *path, struct ft_rank_data **out,
                  struct ft_error *err)
{
	return ft_letor_read_opts(path, NULL, out, err);
}

int ft_letor_read_opts(const char *path, const struct ft_letor_opts *o,
                       struct ft_rank_data **out, struct ft_error *err)
{
	struct letor L;
	FILE *fp = NULL;
	char *buf = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;

	*out = NULL;
	memset(&L, 0, sizeof L);
	L.path = ft_basename(path);
	L.dense = 1;
	if (o)
		L.o = *o;
	else
		ft_letor_opts_init(&L.o);
	if (ft_strmap_init(&L.qids) != 0 || add_row(&L) != 0) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", L.path);
		goto done;
	}
	L.voff[0] = 0;
	if (!(fp = fopen(path, "r"))) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot open: %s", path, strerror(errno));
		goto done;
	}
	while ((len = getline(&buf, &cap, fp)) >= 0) {
		char *s = buf;
		lineno++;
		if (memchr(buf, '\0', (size_t)len)) {
			rc = ft_error_set(err, FT_EPARSE, "%s:%zu: NUL byte in a text line",
			                  L.path, lineno);
			goto done;
		}
		while (blank(*s))
			s++;
		if (!*s || *s == '#')
			continue;       /* blank, or a comment line */
		if ((rc = parse_line(&L, s, lineno, err)) != 0) {
			if (rc == FT_ENOMEM)
				ft_error_set(err, rc, "%s: out of memory", L.path);
			goto done;
		}
	}
	if (ferror(fp)) {
		rc = ft_error_set(err, FT_EIO, "%s: read error", path);
		goto done;
	}
	if (L.n == 0) {
		rc = ft_error_set(err, FT_EDATA, "%s: no data lines", L.path);
		goto done;
	}
	if (L.p == 0) {
		rc = ft_error_set(err, FT_EDATA, "%s: no features on any line", L.path);
		goto done;
	}
	if ((rc = check_dense(&L, err)) != 0)
		goto done;
	rc = letor_build(&L, path, out, err);
done:
	if (fp)
		fclose(fp);
	free(buf);
	free(L.rel);
	free(L.line);
	free(L.qrow);
	free(L.voff);
	free(L.lidx);
	free(L.lval);
	free(L.x);
	free(L.idx);
	free(L.val);
	ft_strmap_free(&L.qids);
	return rc;
}

/* ------------------------------------------------------ from a table */

static int no_query_column(const struct ft_table *t, const char *query,
                           struct ft_error *err)
{
	return ft_no_column(t, "query ", query, FT_EINVAL, err);
}

/* The query column of t (checked: present, and not a feature of e when e is
 * given). */
static int query_col(const struct ft_table *t, const struct ft_encoder *e,
                     const char *query, size_t *col, struct ft_error *err)
{
	long j = query ? ft_table_col(t, query) : -1;

	if (j < 0)
		return no_query_column(t, query, err);
	for (size_t c = 0; e && c < e->n_cols; c++) {
		const struct ft_column *ec = &e->cols[c];
		if (strcmp(ec->name, query) != 0)
			continue;
		if (ft_column_is_feature(e, ec))
			return ft_error_set(err, FT_EINVAL,
			                    "%s: query column '%s' is a feature of the encoder (give it as ft_spec.query)",
			                    t->path, query);
	}
	*col = (size_t)j;
	return 0;
}

int ft_rank_data_from_table(const struct ft_table *t, const struct ft_encoder *e,
                            const char *query, int mode,
                            struct ft_rank_data **out,
                            struct ft_encode_stats *st, struct ft_error *err)
{
	return ft_rank_data_from_table_at(t, e, query, mode, out, st, NULL, err);
}

int ft_rank_data_from_table_at(const struct ft_table *t, const struct ft_encoder *e,
                               const char *query, int mode, struct ft_rank_data **out,
                               struct ft_encode_stats *st, size_t **qfirst,
                               struct ft_error *err)
{
	struct ft_dataset *d = NULL;
	struct ft_rank_data *rd = NULL;
	struct ft_strmap qmap;
	size_t *qrow = NULL, *perm = NULL, qc = 0, nq;
	int rc;

	*out = NULL;
	memset(&qmap, 0, sizeof qmap);
	if ((rc = query_col(t, e, query, &qc, err)) != 0)
		goto done;
	if ((rc = ft_encoder_apply(e, t, mode, &d, st, err)) != 0)
		goto done;
	qrow = ft_xalloc(d->n, sizeof *qrow);
	perm = ft_xalloc(d->n, sizeof *perm);
	if (!qrow || !perm || ft_strmap_init(&qmap) != 0)
		goto nomem;
	/* queries by value id of the query cell, in order of first appearance
	 * among the rows kept */
	for (size_t k = 0; k < d->n; k++) {
		uint32_t id = ft_cell_id(t, d->row[k], qc);
		const struct ft_values *v = &t->vals[qc];
		long q;
		if (id == FT_MISSING) {
			rc = ft_error_set(err, FT_EDATA, "%s:%zu: missing query id in column '%s'",
			                  t->path, d->line[k], query);
			goto done;
		}
		if ((q = ft_strmap_put(&qmap, v->str[id], v->len[id], NULL)) < 0)
			goto nomem;
		qrow[k] = (size_t)q;
	}
	nq = qmap.n;
	if (!(rd = rd_alloc(t->path, d->n, d->p, nq, 0)) ||
	    gather(qrow, d->n, nq, perm, rd->qoff))
		goto nomem;
	if (d->group && !(rd->group = ft_xalloc(d->n, sizeof *rd->group)))
		goto nomem;
	for (size_t k = 0; k < d->n; k++) {
		size_t i = perm[k];
		ft_dataset_row(d, i, rd->x + k * d->p);
		rd->rel[k] = d->y ? d->y[i] : NAN;
		rd->line[k] = d->line[i];
		if (rd->group)
			rd->group[k] = d->group[i];
	}
	for (size_t j = 0; j < d->p; j++)
		if (!(rd->feature_names[j] = ft_strdup(e->feature_names[j])))
			goto nomem;
	for (size_t q = 0; q < nq; q++)
		if (!(rd->qid[q] = ft_strdup(ft_strmap_key(&qmap, q))))
			goto nomem;
	if (qfirst) {
		/* the table row of each query's first row */
		if (!(*qfirst = ft_xalloc(nq, sizeof **qfirst)))
			goto nomem;
		for (size_t q = 0; q < nq; q++)
			(*qfirst)[q] = d->row[perm[rd->qoff[q]]];
	}
	if (rd->group) {
		rd->n_groups = e->n_groups;
		if (!(rd->group_names = calloc(e->n_groups ? e->n_groups : 1,
		                               sizeof *rd->group_names)))
			goto nomem;
		for (size_t g = 0; g < e->n_groups; g++)
			if (!(rd->group_names[g] = ft_strdup(e->group_names[g])))
				goto nomem;
	}
	*out = rd;
	rd = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	if (rc && st)
		memset(st, 0, sizeof *st);
	ft_dataset_free(d);
	ft_rank_data_free(rd);
	ft_strmap_free(&qmap);
	free(qrow);
	free(perm);
	return rc;
}

/* ------------------------------------------------- groups and features */

int ft_rank_data_group_by_feature(struct ft_rank_data *rd, size_t f,
                                  double value, struct ft_error *err)
{
	int32_t *g = NULL;
	char **names = NULL;
	int rc = 0;

	if (f >= rd->p)
		return ft_error_set(err, FT_EINVAL, "%s: feature %zu out of range (%zu features)",
		                    rd->path, f, rd->p);
	g = ft_xalloc(rd->n, sizeof *g);
	names = calloc(2, sizeof *names);
	if (!g || !names)
		goto nomem;
	for (size_t k = 0; k < 2; k++) {
		const char *nm = rd->feature_names ? rd->feature_names[f] : "feature";
		size_t l = strlen(nm) + 40;
		if (!(names[k] = malloc(l)))
			goto nomem;
		char b[FT_FMT_DOUBLE_LEN];

		snprintf(names[k], l, "%s%s%s", nm, k ? "=" : "!=", ft_fmt_double(b, value));
	}
	for (size_t i = 0; i < rd->n; i++)
		g[i] = rd->x[i * rd->p + f] == value;
	free(rd->group);
	ft_strv_free(rd->group_names, rd->n_groups);
	rd->group = g;
	rd->group_names = names;
	rd->n_groups = 2;
	return 0;
nomem:
	free(g);
	ft_strv_free(names, 2);
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
	return rc;
}

int ft_rank_data_drop_feature(struct ft_rank_data *rd, size_t f,
                              struct ft_error *err)
{
	size_t p = rd->p;

	if (f >= p)
		return ft_error_set(err, FT_EINVAL, "%s: feature %zu out of range (%zu features)",
		                    rd->path, f, p);
	if (p == 1)
		return ft_error_set(err, FT_EDATA, "%s: cannot drop the only feature",
		                    rd->path);
	/* compact in place, row by row (memmove: the ranges overlap) */
	for (size_t i = 0; i < rd->n; i++) {
		double *dst = rd->x + i * (p - 1);
		const double *src = rd->x + i * p;
		memmove(dst, src, f * sizeof *dst);
		memmove(dst + f, src + f + 1, (p - f - 1) * sizeof *dst);
	}
	free(rd->feature_names[f]);
	memmove(rd->feature_names + f, rd->feature_names + f + 1,
	        (p - f - 1) * sizeof *rd->feature_names);
	rd->p = p - 1;
	return 0;
}

/* ------------------------------------------------------------ splits */

/* 0 .. nq-1 shuffled by Fisher-Yates (ft_rng seeded by seed; for i = nq..2
 * swap positions i-1 and ft_rng_below(i)); NULL when out of memory. */
static size_t *shuffled(size_t nq, uint64_t seed)
{
	size_t *order = ft_xalloc(nq ? nq : 1, sizeof *order);
	struct ft_rng rng;

	if (!order)
		return NULL;
	for (size_t q = 0; q < nq; q++)
		order[q] = q;
	ft_rng_seed(&rng, seed);
	for (size_t i = nq; i >= 2; i--) {
		size_t j = (size_t)ft_rng_below(&rng, i), tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	return order;
}

/* in_test[q] for nq queries by the rule of the header. */
static int pick_test(size_t nq, double frac, uint64_t seed,
                     unsigned char *in_test, const char *path,
                     struct ft_error *err)
{
	size_t *order, n_te;

	if (!(frac > 0 && frac < 1))
		return ft_error_set(err, FT_EINVAL, "%s: test fraction %g is not in (0, 1)",
		                    path, frac);
	n_te = (size_t)llround(frac * (double)nq);
	if (n_te == 0 || n_te >= nq)
		return ft_error_set(err, FT_EDATA,
		                    "%s: %zu quer%s cannot be split %g / %g with both parts "
		                    "non-empty (give the test part with --test)",
		                    path, nq, nq == 1 ? "y" : "ies", 1 - frac, frac);
	if (!(order = shuffled(nq, seed)))
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
	memset(in_test, 0, nq);
	for (size_t k = 0; k < n_te; k++)
		in_test[order[k]] = 1;
	free(order);
	return 0;
}

/* The queries of t's rows (qrow[i]: the row's id in qmap) over every rank
 * in order of first appearance: *all, and *pos (malloc'ed) the place of
 * each of qmap's ids in it. */
static int global_queries(const struct ft_table *t, const long *qrow,
                          const struct ft_strmap *qmap, struct ft_named *all,
                          size_t **pos)
{
	size_t nq = qmap->n;
	uint64_t row0 = 0, *first = ft_xalloc(nq, sizeof *first);
	uint64_t *count = calloc(nq ? nq : 1, sizeof *count);
	char **name = ft_xalloc(nq, sizeof *name);
	int rc = 0;

	*pos = ft_xalloc(nq, sizeof **pos);
	ft_dist_scan_u64(t->n_rows, &row0, NULL);
	if (!first || !count || !name || !*pos)
		rc = FT_ENOMEM;
	for (size_t q = 0; !rc && q < nq; q++)
		name[q] = (char *)ft_strmap_key(qmap, q);
	/* ids are in order of first appearance: the first row of id q is
	 * the first row whose id is q */
	for (size_t i = t->n_rows; !rc && i-- > 0;) {
		first[qrow[i]] = row0 + i;
		count[qrow[i]]++;
	}
	if (!(rc = ft_dist_agree(rc, NULL)))
		rc = ft_dist_merge_named(name, first, count, nq, all, *pos);
	free(first);
	free(count);
	free(name);
	return rc ? FT_ENOMEM : 0;
}

/* Fold `fold` of k over nq queries: the queries at the positions p of the
 * same shuffle with p mod k == fold are the test part. */
static int pick_fold(size_t nq, size_t k, size_t fold, uint64_t seed,
                     unsigned char *in_test, const char *path, struct ft_error *err)
{
	size_t *order;

	if (k < 2 || fold >= k || nq < k)
		return ft_error_set(err, FT_EDATA, "%s: %zu queries cannot make %zu folds",
		                    path, nq, k);
	if (!(order = shuffled(nq, seed)))
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
	for (size_t p = 0; p < nq; p++)
		in_test[order[p]] = p % k == fold;
	free(order);
	return 0;
}

/* The test queries: a fraction (k = 0) or fold `fold` of k. */
static int pick(size_t nq, double frac, size_t k, size_t fold, uint64_t seed,
                unsigned char *in_test, const char *path, struct ft_error *err)
{
	return k ? pick_fold(nq, k, fold, seed, in_test, path, err) :
	       pick_test(nq, frac, seed, in_test, path, err);
}

int ft_table_split_query(const struct ft_table *t, const char *query,
                         double test_frac, uint64_t seed,
                         struct ft_table **train, struct ft_table **test,
                         struct ft_error *err)
{
	return ft_table_fold_query(t, query, test_frac, 0, 0, seed, train, test, err);
}

int ft_table_fold_query(const struct ft_table *t, const char *query, double test_frac,
                        size_t k, size_t fold, uint64_t seed, struct ft_table **train,
                        struct ft_table **test, struct ft_error *err)
{
	size_t qc = 0, n = t->n_rows, nq, n_tr = 0, n_te = 0;
	size_t *rows_tr = NULL, *rows_te = NULL, *pos = NULL;
	long *qrow = NULL;
	struct ft_strmap qmap;
	struct ft_named all;
	unsigned char *in_test = NULL;
	long col;
	int rc;

	*train = *test = NULL;
	memset(&qmap, 0, sizeof qmap);
	memset(&all, 0, sizeof all);
	if ((rc = query_col(t, NULL, query, &qc, err)) != 0)
		goto done;
	col = (long)qc;
	qrow = ft_xalloc(n, sizeof *qrow);
	rows_tr = ft_xalloc(n, sizeof *rows_tr);
	rows_te = ft_xalloc(n, sizeof *rows_te);
	if (!qrow || !rows_tr || !rows_te || ft_strmap_init(&qmap) != 0 ||
	    ft_group_ids(t, &col, 1, NULL, qrow, &qmap) != 0)
		goto nomem;
	for (size_t i = 0; i < n && !rc; i++)
		if (qrow[i] < 0)
			rc = ft_error_set(err, FT_EDATA, "%s:%zu: missing query id in column '%s'",
			                  ft_table_row_path(t, i), t->line[i], query);
	/* the queries of every rank (a distributed run), in order of first
	 * appearance: which go to test depends on the whole list only */
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	if (global_queries(t, qrow, &qmap, &all, &pos))
		goto nomem;
	nq = all.n;
	if (!(in_test = ft_xalloc(nq, 1)))
		goto nomem;
	if ((rc = pick(nq, test_frac, k, fold, seed, in_test, t->path, err)) != 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		if (in_test[pos[qrow[i]]])
			rows_te[n_te++] = i;
		else
			rows_tr[n_tr++] = i;
	}
	if ((rc = ft_table_subset(t, rows_tr, n_tr, train, err)) != 0 ||
	    (rc = ft_table_subset(t, rows_te, n_te, test, err)) != 0) {
		ft_table_free(*train);
		*train = NULL;
		goto done;
	}
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	ft_strmap_free(&qmap);
	free(qrow);
	free(rows_tr);
	free(rows_te);
	free(in_test);
	free(pos);
	ft_named_free(&all);
	return rc;
}

/* The queries of rd with keep[q] == want, as a new struct (data.h). */
int ft_rank_data_select(const struct ft_rank_data *rd, const unsigned char *keep,
                        unsigned char want, struct ft_rank_data **out)
{
	struct ft_rank_data *s;
	size_t n = 0, nq = 0, k = 0, qk = 0, p = rd->p;

	for (size_t q = 0; q < rd->n_queries; q++)
		if (keep[q] == want) {
			nq++;
			n += rd->qoff[q + 1] - rd->qoff[q];
		}
	if (!(s = rd_alloc(rd->path, n, p, nq, 0)))
		return FT_ENOMEM;
	if (rd->group && !(s->group = ft_xalloc(n, sizeof *s->group)))
		goto nomem;
	for (size_t q = 0; q < rd->n_queries; q++) {
		size_t a = rd->qoff[q], b = rd->qoff[q + 1];
		if (keep[q] != want)
			continue;
		memcpy(s->x + k * p, rd->x + a * p, (b - a) * p * sizeof *s->x);
		memcpy(s->rel + k, rd->rel + a, (b - a) * sizeof *s->rel);
		memcpy(s->line + k, rd->line + a, (b - a) * sizeof *s->line);
		if (s->group)
			memcpy(s->group + k, rd->group + a, (b - a) * sizeof *s->group);
		if (!(s->qid[qk] = ft_strdup(rd->qid[q])))
			goto nomem;
		k += b - a;
		s->qoff[++qk] = k;
	}
	for (size_t j = 0; j < p; j++)
		if (!(s->feature_names[j] = ft_strdup(rd->feature_names[j])))
			goto nomem;
	if (rd->group_names) {
		if (!(s->group_names = calloc(rd->n_groups ? rd->n_groups : 1,
		                              sizeof *s->group_names)))
			goto nomem;
		s->n_groups = rd->n_groups;
		for (size_t g = 0; g < rd->n_groups; g++)
			if (!(s->group_names[g] = ft_strdup(rd->group_names[g])))
				goto nomem;
	} else {
		s->n_groups = rd->n_groups;
	}
	*out = s;
	return 0;
nomem:
	ft_rank_data_free(s);
	return FT_ENOMEM;
}

int ft_rank_data_split(const struct ft_rank_data *rd, double test_frac,
                       uint64_t seed, struct ft_rank_data **train,
                       struct ft_rank_data **test, struct ft_error *err)
{
	return ft_rank_data_fold(rd, test_frac, 0, 0, seed, train, test, err);
}

int ft_rank_data_fold(const struct ft_rank_data *rd, double test_frac, size_t k,
                      size_t fold, uint64_t seed, struct ft_rank_data **train,
                      struct ft_rank_data **test, struct ft_error *err)
{
	unsigned char *in_test;
	int rc;

	*train = *test = NULL;
	if (!(in_test = ft_xalloc(rd->n_queries ? rd->n_queries : 1, 1)))
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
	if ((rc = pick(rd->n_queries, test_frac, k, fold, seed, in_test, rd->path,
	               err)) != 0)
		goto done;
	if (ft_rank_data_select(rd, in_test, 0, train) != 0 ||
	    ft_rank_data_select(rd, in_test, 1, test) != 0) {
		ft_rank_data_free(*train);
		*train = NULL;
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
	}
done:
	free(in_test);
	return rc;
}
