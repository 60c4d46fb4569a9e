/*
 * csv.c - read a delimited text file into a struct ft_table of strings.
 *
 * The only file in the project that includes <csv.h> (libcsv).  It handles
 * what the distributed data sets need: a header row or given names, any
 * one-character delimiter or runs of blanks (german.data), quoted fields,
 * blanks around fields (adult's ", "), CRLF, a UTF-8 BOM, blank lines
 * anywhere, physical lines skipped first (adult.test's "|1x3 Cross
 * validator"), and missing-value tokens.  All cell text lives in one arena
 * with one offset per cell, so reading costs no allocation per cell.
 *
 * It does not interpret cells: types, categories and roles belong to the
 * encoder (encode.c).  It does not stream: the whole file is read at once.
 *
 * libcsv is fed one physical line at a time so that every row and every
 * error knows its 1-based line number; a quoted field that spans lines keeps
 * the line where its row starts.  CSV_STRICT makes a stray quote an error
 * instead of text.  libcsv trims blanks around unquoted fields; quoted fields
 * keep theirs.
 *
 * Contract details the header leaves open:
 * - repeated header names are renamed as pandas does ("decile_score",
 *   "decile_score.1"), because COMPAS as distributed repeats two; names
 *   given in opts must be unique and non-empty;
 * - header == 0 needs opts->names; a file without data rows is FT_EDATA;
 * - ft_table_cell and ft_table_col do no bounds checks beyond the name
 *   lookup: rows and columns must be in range.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "data/data.h"

static const char *const default_missing[] = { "", "?", "NA" };

void ft_read_opts_init(struct ft_read_opts *o)
{
	memset(o, 0, sizeof *o);
	o->delimiter = ',';
	o->header = 1;
}

/* Everything the libcsv callbacks need; one per ft_table_read call. */
struct reader {
	const char *path;
	const struct ft_read_opts *o;
	const char *const *missing;
	size_t n_missing;
	size_t *miss_len;    /* strlen of each missing token */
	size_t miss_max;     /* the longest */
	int in_header;       /* the next row is the header row */
	size_t n_cols;       /* fields per row; 0 until known */
	size_t nf;           /* fields seen in the current row */
	size_t lineno;       /* physical line being fed */
	size_t row_line;     /* line where the current row started */
	char *arena;
	size_t arena_len, arena_cap;
	size_t *off;
	size_t off_len, off_cap;
	size_t *lines;
	size_t n_rows, rows_cap;
	char **names;        /* column names once the header (or opts) is known */
	int rc;              /* first error; callbacks do nothing once set */
	struct ft_error *err;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need) {
		if (c > ((size_t)-1) / 2 / elem)
			return FT_ENOMEM;
		c *= 2;
	}
	q = realloc(*p, c * elem);
	if (!q)
		return FT_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int fail_nomem(struct reader *r)
{
	r->rc = ft_error_set(r->err, FT_ENOMEM, "%s: out of memory", r->path);
	return r->rc;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A cell equal to a missing token once blanks around it are ignored (libcsv
 * already trims unquoted fields; quoted ones keep their blanks in the table
 * but " ? " is still missing). */
static int is_missing(const struct reader *r, const char *s, size_t len)
{
	/* fast exit for the common case: a long cell with no blanks around */
	if (len > r->miss_max && !is_blank((unsigned char)s[0]) &&
	    !is_blank((unsigned char)s[len - 1]))
		return 0;
	while (len > 0 && is_blank((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_blank((unsigned char)s[len - 1]))
		len--;
	for (size_t i = 0; i < r->n_missing; i++)
		if (r->miss_len[i] == len && memcmp(r->missing[i], s, len) == 0)
			return 1;
	return 0;
}

/* libcsv field callback: append the field to the arena. */
static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	size_t at;

	if (r->rc)
		return;
	/* Whitespace mode sets CSV_EMPTY_IS_NULL: an unquoted empty field is a
	 * gap between two blanks (or at a line's ends), not a field. */
	if (r->o->whitespace && s == NULL)
		return;
	r->nf++;
	/* Too many fields: keep counting for the message, store nothing. */
	if (r->n_cols && r->nf > r->n_cols)
		return;
	if (grow((void **)&r->off, &r->off_cap, r->off_len + 1, sizeof *r->off)) {
		fail_nomem(r);
		return;
	}
	if (!r->in_header && is_missing(r, s ? s : "", len)) {
		r->off[r->off_len++] = FT_MISSING;
		return;
	}
	at = r->arena_len;
	if (grow((void **)&r->arena, &r->arena_cap, at + len + 1, 1)) {
		fail_nomem(r);
		return;
	}
	if (len)
		memcpy(r->arena + at, s, len);
	r->arena[at + len] = '\0';
	r->arena_len = at + len + 1;
	r->off[r->off_len++] = at;
}

/* Make header names unique the way pandas does ("decile_score",
 * "decile_score.1"): COMPAS as distributed repeats two column names, and
 * that is how every analysis of it refers to the second copies. */
static int dedupe_names(struct reader *r, size_t n)
{
	struct ft_strmap orig, used;
	char *buf = NULL;
	int rc = 0;

	memset(&used, 0, sizeof used);
	if (ft_strmap_init(&orig) != 0 || ft_strmap_init(&used) != 0) {
		rc = FT_ENOMEM;
		goto done;
	}
	/* Every original name is reserved first, so a renamed copy never takes
	 * the name of a real column further right. */
	for (size_t j = 0; j < n; j++)
		if (ft_strmap_put(&orig, r->names[j], strlen(r->names[j]), NULL) < 0) {
			rc = FT_ENOMEM;
			goto done;
		}
	for (size_t j = 0; j < n; j++) {
		size_t nl = strlen(r->names[j]), bl;
		int added;

		if (ft_strmap_put(&used, r->names[j], nl, &added) < 0) {
			rc = FT_ENOMEM;
			goto done;
		}
		if (added)
			continue;
		buf = malloc(nl + 24);
		if (!buf) {
			rc = FT_ENOMEM;
			goto done;
		}
		for (unsigned long k = 1;; k++) {
			bl = (size_t)snprintf(buf, nl + 24, "%s.%lu", r->names[j], k);
			if (ft_strmap_get(&orig, buf, bl) >= 0)
				continue;
			if (ft_strmap_put(&used, buf, bl, &added) < 0) {
				rc = FT_ENOMEM;
				goto done;
			}
			if (added)
				break;
		}
		free(r->names[j]);
		r->names[j] = buf;
		buf = NULL;
	}
done:
	if (rc)
		fail_nomem(r);
	free(buf);
	ft_strmap_free(&orig);
	ft_strmap_free(&used);
	return rc;
}

/* The first row after skip_rows when header == 1: names, or a check that it
 * has as many fields as the names given (which then replace it). */
static void take_header(struct reader *r)
{
	size_t n = r->nf;

	r->in_header = 0;
	if (r->o->names) {
		if (n != r->n_cols)
			r->rc = ft_error_set(r->err, FT_EPARSE,
			                     "%s:%zu: expected %zu fields, found %zu",
			                     r->path, r->row_line, r->n_cols, n);
		goto reset;
	}
	r->names = calloc(n, sizeof *r->names);
	if (!r->names) {
		fail_nomem(r);
		goto reset;
	}
	r->n_cols = n;
	for (size_t j = 0; j < n; j++) {
		const char *s = r->arena + r->off[j];
		if (!*s) {
			r->rc = ft_error_set(r->err, FT_EPARSE,
			                     "%s:%zu: empty column name (column %zu)",
			                     r->path, r->row_line, j + 1);
			goto reset;
		}
		r->names[j] = ft_strdup(s);
		if (!r->names[j]) {
			fail_nomem(r);
			goto reset;
		}
	}
	dedupe_names(r, n);
reset:
	r->arena_len = 0;
	r->off_len = 0;
}

/* libcsv row callback. */
static void on_row(int c, void *data)
{
	struct reader *r = data;

	(void)c;
	if (r->rc)
		return;
	if (r->nf == 0)
		return;  /* whitespace mode: a line of blanks only */
	if (r->in_header) {
		take_header(r);
	} else if (r->nf != r->n_cols) {
		r->rc = ft_error_set(r->err, FT_EPARSE,
		                     "%s:%zu: expected %zu fields, found %zu",
		                     r->path, r->row_line, r->n_cols, r->nf);
	} else if (grow((void **)&r->lines, &r->rows_cap, r->n_rows + 1,
	                sizeof *r->lines)) {
		fail_nomem(r);
	} else {
		r->lines[r->n_rows++] = r->row_line;
	}
	r->nf = 0;
}

/* Names given in opts: copied, and checked since they replace a header. */
static int copy_names(struct reader *r)
{
	const struct ft_read_opts *o = r->o;

	if (o->n_names == 0)
		return r->rc = ft_error_set(r->err, FT_EINVAL,
		                            "%s: no column names given", r->path);
	r->names = calloc(o->n_names, sizeof *r->names);
	if (!r->names)
		return fail_nomem(r);
	r->n_cols = o->n_names;
	for (size_t j = 0; j < o->n_names; j++) {
		if (!o->names[j] || !*o->names[j])
			return r->rc = ft_error_set(r->err, FT_EINVAL,
			                            "%s: empty column name (column %zu)",
			                            r->path, j + 1);
		for (size_t i = 0; i < j; i++)
			if (strcmp(o->names[i], o->names[j]) == 0)
				return r->rc = ft_error_set(r->err, FT_EINVAL,
				                            "%s: duplicate column name '%s'",
				                            r->path, o->names[j]);
		r->names[j] = ft_strdup(o->names[j]);
		if (!r->names[j])
			return fail_nomem(r);
	}
	return 0;
}

/* Slurp the file: one read is faster than stdio line by line, and the
 * buffer is edited in place (tabs in whitespace mode). */
static int slurp(const char *path, char **buf_out, size_t *len_out,
                 struct ft_error *err)
{
	FILE *fp = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc = 0;

	fp = fopen(path, "rb");
	if (!fp) {
		rc = ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	do {
		if (grow((void **)&buf, &cap, len + 65536, 1)) {
			rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
			goto done;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		rc = ft_error_set(err, FT_EIO, "%s: read error: %s", path,
		                  strerror(errno));
		goto done;
	}
	*buf_out = buf;
	*len_out = len;
	buf = NULL;
done:
	if (fp)
		fclose(fp);
	free(buf);
	return rc;
}

/* Look at one physical line before libcsv sees it.  Returns whether a quoted
 * field is still open at its end, from the state inq at its start: under
 * CSV_STRICT a quote can only open, close or double inside a quoted field,
 * so quote parity is exact.  *blank says the line holds only blanks.  In
 * whitespace mode, tabs outside quotes become spaces, since libcsv takes a
 * single delimiter character. */
static int scan_line(char *s, size_t ll, int whitespace, int inq, int *blank)
{
	size_t i = 0;

	while (i < ll && (is_blank((unsigned char)s[i]) || s[i] == '\n'))
		i++;
	*blank = i == ll;
	if (whitespace) {
		for (i = 0; i < ll; i++) {
			if (s[i] == '"')
				inq = !inq;
			else if (s[i] == '\t' && !inq)
				s[i] = ' ';
		}
	} else {
		const char *qp = s, *qe = s + ll;
		while ((qp = memchr(qp, '"', (size_t)(qe - qp))) != NULL) {
			inq = !inq;
			qp++;
		}
	}
	return inq;
}

static void free_names(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t j = 0; j < n; j++)
		free(names[j]);
	free(names);
}

/* Read a whole file (o NULL = defaults).  On failure *out is NULL and the
 * error names the path as given, and the line when there is one. */
int ft_table_read(const char *path, const struct ft_read_opts *o,
                  struct ft_table **out, struct ft_error *err)
{
	struct ft_read_opts def;
	struct reader r;
	struct csv_parser p;
	int parser_ok = 0, inq = 0, rc = 0;
	unsigned char copts = CSV_STRICT | CSV_STRICT_FINI;
	char *buf = NULL, *s, *end;
	size_t len = 0;
	struct ft_table *t = NULL;

	*out = NULL;
	memset(&r, 0, sizeof r);
	if (!o) {
		ft_read_opts_init(&def);
		o = &def;
	}
	r.path = path;
	r.o = o;
	r.err = err;
	r.missing = o->missing ? (const char *const *)o->missing : default_missing;
	r.n_missing = o->missing ? o->n_missing : sizeof default_missing / sizeof *default_missing;
	if (!o->whitespace && (o->delimiter == '"' || o->delimiter == '\n' ||
	                       o->delimiter == '\r' || o->delimiter == '\0')) {
		rc = ft_error_set(err, FT_EINVAL, "%s: invalid delimiter", path);
		goto done;
	}
	r.miss_len = malloc((r.n_missing ? r.n_missing : 1) * sizeof *r.miss_len);
	if (!r.miss_len) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	for (size_t i = 0; i < r.n_missing; i++) {
		r.miss_len[i] = strlen(r.missing[i]);
		if (r.miss_len[i] > r.miss_max)
			r.miss_max = r.miss_len[i];
	}
	if (o->names) {
		if ((rc = copy_names(&r)) != 0)
			goto done;
	} else if (!o->header) {
		rc = ft_error_set(err, FT_EINVAL,
		                  "%s: no header and no column names given", path);
		goto done;
	}
	r.in_header = o->header != 0;

	if ((rc = slurp(path, &buf, &len, err)) != 0)
		goto done;

	if (o->whitespace)
		copts |= CSV_EMPTY_IS_NULL;
	if (csv_init(&p, copts) != 0) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	parser_ok = 1;
	csv_set_delim(&p, o->whitespace ? ' ' : (unsigned char)o->delimiter);
	/* libcsv grows its field buffer by blk_size: 128 bytes a step is slow
	 * for long quoted fields, and a few KB is nothing. */
	csv_set_blk_size(&p, 4096);

	s = buf;
	end = buf + len;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (s < end && !r.rc) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t ll = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		int blank, q;

		r.lineno++;
		if (r.lineno <= o->skip_rows) {
			s += ll;
			continue;
		}
		q = scan_line(s, ll, o->whitespace, inq, &blank);
		if (!inq) {
			if (blank) {
				s += ll;
				continue;
			}
			r.row_line = r.lineno;
		}
		inq = q;
		if (csv_parse(&p, s, ll, on_field, on_row, &r) != ll && !r.rc) {
			if (csv_error(&p) == CSV_EPARSE)
				r.rc = ft_error_set(err, FT_EPARSE,
				                    "%s:%zu: malformed quote in field %zu",
				                    path, r.lineno, r.nf + 1);
			else
				fail_nomem(&r);
		}
		s += ll;
	}
	if (!r.rc && csv_fini(&p, on_field, on_row, &r) != 0 && !r.rc) {
		if (csv_error(&p) == CSV_EPARSE)
			r.rc = ft_error_set(err, FT_EPARSE,
			                    "%s:%zu: unterminated quoted field",
			                    path, r.row_line);
		else
			fail_nomem(&r);
	}
	if ((rc = r.rc) != 0)
		goto done;
	if (r.n_rows == 0) {
		rc = ft_error_set(err, FT_EDATA, "%s: no data rows", path);
		goto done;
	}

	t = calloc(1, sizeof *t);
	if (!t || !(t->path = ft_strdup(path))) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	t->n_rows = r.n_rows;
	t->n_cols = r.n_cols;
	t->names = r.names;
	r.names = NULL;
	/* give back the slack of the doubling growth */
	t->arena = r.arena_len ? realloc(r.arena, r.arena_len) : r.arena;
	if (!t->arena)
		t->arena = r.arena;
	r.arena = NULL;
	t->off = r.off;
	r.off = NULL;
	t->line = r.lines;
	r.lines = NULL;
	*out = t;
	t = NULL;
done:
	if (parser_ok)
		csv_free(&p);
	free(buf);
	free(r.miss_len);
	free_names(r.names, r.n_cols);
	free(r.arena);
	free(r.off);
	free(r.lines);
	ft_table_free(t);
	return rc;
}

void ft_table_free(struct ft_table *t)
{
	if (!t)
		return;
	free(t->path);
	free_names(t->names, t->n_cols);
	free(t->arena);
	free(t->off);
	free(t->line);
	free(t);
}

const char *ft_table_cell(const struct ft_table *t, size_t row, size_t col)
{
	size_t o = t->off[row * t->n_cols + col];

	return o == FT_MISSING ? NULL : t->arena + o;
}

long ft_table_col(const struct ft_table *t, const char *name)
{
	for (size_t j = 0; j < t->n_cols; j++)
		if (strcmp(t->names[j], name) == 0)
			return (long)j;
	return -1;
}

/* Rows may repeat and come in any order; n may be 0.  Cells, names, path
 * and line numbers are copied. */
int ft_table_subset(const struct ft_table *t, const size_t *rows, size_t n,
                    struct ft_table **out, struct ft_error *err)
{
	struct ft_table *s = NULL;
	size_t bytes = 0, at = 0, nc = t->n_cols;
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		if (rows[i] >= t->n_rows) {
			rc = ft_error_set(err, FT_EINVAL,
			                  "%s: row %zu out of range (%zu rows)",
			                  t->path, rows[i], t->n_rows);
			goto done;
		}
		for (size_t j = 0; j < nc; j++) {
			size_t o = t->off[rows[i] * nc + j];
			if (o != FT_MISSING)
				bytes += strlen(t->arena + o) + 1;
		}
	}
	s = calloc(1, sizeof *s);
	if (!s)
		goto nomem;
	s->n_rows = n;
	s->n_cols = nc;
	s->path = ft_strdup(t->path);
	s->names = calloc(nc ? nc : 1, sizeof *s->names);
	s->arena = malloc(bytes ? bytes : 1);
	s->off = malloc((n * nc > 0 ? n * nc : 1) * sizeof *s->off);
	s->line = malloc((n ? n : 1) * sizeof *s->line);
	if (!s->path || !s->names || !s->arena || !s->off || !s->line)
		goto nomem;
	for (size_t j = 0; j < nc; j++)
		if (!(s->names[j] = ft_strdup(t->names[j])))
			goto nomem;
	for (size_t i = 0; i < n; i++) {
		s->line[i] = t->line[rows[i]];
		for (size_t j = 0; j < nc; j++) {
			size_t o = t->off[rows[i] * nc + j], l;
			if (o == FT_MISSING) {
				s->off[i * nc + j] = FT_MISSING;
				continue;
			}
			l = strlen(t->arena + o) + 1;
			memcpy(s->arena + at, t->arena + o, l);
			s->off[i * nc + j] = at;
			at += l;
		}
	}
	*out = s;
	s = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	ft_table_free(s);
	return rc;
}
