/*
 * shard.c - data read from several files, and in a distributed run each
 * rank's part of them (ft_shard_read).
 *
 * The rows of a data set are those of its files in the order given, each
 * file's rows in file order; every later stage (filters, split, folds, the
 * encoder, the chunks of every row sum) counts rows in that global order.
 * One process reads every file and joins the tables (ft_table_concat).  In
 * a distributed run (core/dist.h) rank r of np reads
 *   - with several files: whole files, the files F r / np .. F (r+1) / np - 1
 *     (one shard per node when F = np: a rank opens only its own files, so
 *     they may sit on the node's local disk);
 *   - with one file: a byte range of it, the bytes after the header cut into
 *     np equal ranges, each cut moved up to the start of the next line.  A
 *     rank counts the lines of its range first, so that after an exclusive
 *     scan every rank knows the file line its range starts at and messages
 *     name real lines ("adult.data:7: expected 15 fields, found 14").  This
 *     assumes no quoted field spans two lines (give several files then).
 * Every rank reads the header itself (the first lines of the file, or of
 * the first file for a rank without files: the lowest rank with files
 * sends its names).  Files whose columns differ are an error naming both.
 * A failure on any rank is every rank's failure, with the message of the
 * first rank that failed, which is the first failure in row order.
 *
 * In one process a single big file is read by two threads (ft_read_plan):
 * cut at the first newline past a share of the bytes (the middle, or
 * less when the caller hashes the file beside) that is outside quotes (quote
 * parity is exact under CSV_STRICT, so a quoted field with newlines is
 * never cut, which the byte ranges of ranks above still assume), each part
 * read by csv.c, then joined (ft_table_append) into the table one reading
 * makes; a part that fails sends the file to one reading, for its message.
 *
 * It does not parse (csv.c does, given a byte range) or interpret cells.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"

const char *ft_table_row_path(const struct ft_table *t, size_t row)
{
	if (t->file && row < t->n_rows && t->file[row] < t->n_files)
		return t->files[t->file[row]];
	return t->path;
}

/* ------------------------------------------------------------ joining */

/* Do a and b have the same column names?  Else the error names both. */
static int same_columns(const struct ft_table *a, const char *pa,
                        const struct ft_table *b, const char *pb,
                        struct ft_error *err)
{
	if (a->n_cols != b->n_cols)
		return ft_error_set(err, FT_EDATA, "%s: %zu columns, but %s has %zu",
		                    pb, b->n_cols, pa, a->n_cols);
	for (size_t j = 0; j < a->n_cols; j++)
		if (strcmp(a->names[j], b->names[j]))
			return ft_error_set(err, FT_EDATA,
			                    "%s: column %zu is '%s', but in %s it is '%s'",
			                    pb, j + 1, b->names[j], pa, a->names[j]);
	return 0;
}

int ft_table_concat(struct ft_table *const *t, const char *const *paths, size_t n,
                    struct ft_table **out, struct ft_error *err)
{
	struct ft_table *s = NULL;
	struct ft_strmap m;
	uint32_t *map = NULL;
	size_t nc, rows = 0, at = 0, max_vals = 1;
	int rc = 0;

	*out = NULL;
	memset(&m, 0, sizeof m);
	if (n == 0)
		return ft_error_set(err, FT_EINVAL, "no tables to join");
	nc = t[0]->n_cols;
	for (size_t f = 0; f < n; f++) {
		if (f && (rc = same_columns(t[0], paths[0], t[f], paths[f], err)))
			return rc;
		rows += t[f]->n_rows;
		for (size_t j = 0; j < nc; j++)
			if (t[f]->vals[j].n > max_vals)
				max_vals = t[f]->vals[j].n;
	}
	if (!(s = calloc(1, sizeof *s)))
		goto nomem;
	s->n_rows = rows;
	s->n_cols = nc;
	s->path = ft_strdup(paths[0]);
	s->names = ft_strv_copy(t[0]->names, nc);
	s->vals = calloc(nc ? nc : 1, sizeof *s->vals);
	s->cell = malloc((rows * nc > 0 ? rows * nc : 1) * sizeof *s->cell);
	s->line = malloc((rows ? rows : 1) * sizeof *s->line);
	s->files = ft_strv_copy((char *const *)paths, n);
	s->file = malloc((rows ? rows : 1) * sizeof *s->file);
	map = malloc(max_vals * sizeof *map);
	if (!s->path || !s->names || !s->vals || !s->cell || !s->line || !s->files ||
	    !s->file || !map)
		goto nomem;
	s->n_files = n;
	for (size_t f = 0; f < n; f++)
		for (size_t i = 0; i < t[f]->n_rows; i++, at++) {
			s->line[at] = t[f]->line[i];
			s->file[at] = (uint32_t)f;
		}
	/* each column's values renumbered in order of first appearance over
	 * the joined rows, as a reader of one file would number them: file
	 * f's ids are in that order within f, and a value new to the joined
	 * list first occurs in f (every value of a table occurs in it) */
	for (size_t j = 0; j < nc; j++) {
		struct ft_values *w = &s->vals[j];
		size_t bytes = 0, off = 0;
		if (ft_strmap_init(&m))
			goto nomem;
		at = 0;
		for (size_t f = 0; f < n; f++) {
			const struct ft_values *v = &t[f]->vals[j];
			for (size_t id = 0; id < v->n; id++) {
				long k = ft_strmap_put(&m, v->str[id], v->len[id], NULL);
				if (k < 0)
					goto nomem;
				map[id] = (uint32_t)k;
			}
			for (size_t i = 0; i < t[f]->n_rows; i++, at++) {
				uint32_t id = ft_cell_id(t[f], i, j);
				s->cell[at * nc + j] = id == FT_MISSING ? FT_MISSING : map[id];
			}
		}
		for (size_t k = 0; k < m.n; k++)
			bytes += m.klen[k] + 1;
		w->str = malloc((m.n ? m.n : 1) * sizeof *w->str);
		w->len = malloc((m.n ? m.n : 1) * sizeof *w->len);
		w->text = malloc(bytes ? bytes : 1);
		if (!w->str || !w->len || !w->text)
			goto nomem;
		w->n = m.n;
		for (size_t k = 0; k < m.n; k++) {
			memcpy(w->text + off, ft_strmap_key(&m, k), m.klen[k] + 1);
			w->str[k] = w->text + off;
			w->len[k] = m.klen[k];
			off += m.klen[k] + 1;
		}
		ft_strmap_free(&m);
	}
	*out = s;
	s = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", paths[0]);
done:
	ft_strmap_free(&m);
	free(map);
	ft_table_free(s);
	return rc;
}

/* An empty table (no rows) with these column names. */
static int empty_table(const char *path, char *const *names, size_t nc,
                       struct ft_table **out, struct ft_error *err)
{
	struct ft_table *t = calloc(1, sizeof *t);

	*out = NULL;
	if (!t || !(t->path = ft_strdup(path)) || !(t->names = ft_strv_copy(names, nc)) ||
	    !(t->vals = calloc(nc ? nc : 1, sizeof *t->vals))) {
		ft_table_free(t);
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
	}
	t->n_cols = nc;
	for (size_t j = 0; j < nc; j++) {
		struct ft_values *v = &t->vals[j];
		v->str = malloc(sizeof *v->str);
		v->len = malloc(sizeof *v->len);
		v->text = malloc(1);
		if (!v->str || !v->len || !v->text) {
			ft_table_free(t);
			return ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		}
	}
	*out = t;
	return 0;
}

/* Read files[0 .. n) on this process and join them. */
static int read_files(const char *const *files, size_t n, const struct ft_read_opts *o,
                      struct ft_table **out, struct ft_error *err)
{
	struct ft_table **t;
	int rc = 0;

	*out = NULL;
	if (n == 1)
		return ft_table_read(files[0], o, out, err);
	if (!(t = calloc(n, sizeof *t)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	for (size_t f = 0; f < n && !rc; f++)
		rc = ft_table_read(files[f], o, &t[f], err);
	if (!rc)
		rc = ft_table_concat(t, files, n, out, err);
	for (size_t f = 0; f < n; f++)
		ft_table_free(t[f]);
	free(t);
	return rc;
}

/* ------------------------------------------------------ names across ranks */

/* Column names as one block: "name\0name\0...". */
static char *pack_names(char *const *names, size_t nc, size_t *bytes)
{
	size_t len = 0, at = 0;
	char *b;

	for (size_t j = 0; j < nc; j++)
		len += strlen(names[j]) + 1;
	if (!(b = malloc(len ? len : 1)))
		return NULL;
	for (size_t j = 0; j < nc; j++) {
		size_t l = strlen(names[j]) + 1;
		memcpy(b + at, names[j], l);
		at += l;
	}
	*bytes = len;
	return b;
}

/* Rank `from`'s column names (t; NULL elsewhere) onto every rank: *names
 * (nc of them, malloc'ed strings).  Collective. */
static int share_names(const struct ft_table *t, int from, char ***names, size_t *nc)
{
	uint64_t head[2] = {0, 0};
	char *b = NULL, **v = NULL;
	size_t bytes = 0, at = 0;
	int fail = 0;

	*names = NULL;
	*nc = 0;
	if (ft_dist_me() == from) {
		b = pack_names(t->names, t->n_cols, &bytes);
		fail = !b;
		head[0] = t->n_cols;
		head[1] = bytes;
	}
	ft_dist_bcast(head, sizeof head, from);
	if (ft_dist_me() != from && !(b = malloc(head[1] ? head[1] : 1)))
		fail = 1;
	v = calloc(head[0] ? head[0] : 1, sizeof *v);
	fail |= !v;
	if (ft_dist_agree(fail ? FT_ENOMEM : 0, NULL)) {
		free(b);
		free(v);
		return FT_ENOMEM;
	}
	ft_dist_bcast(b, head[1], from);
	for (size_t j = 0; j < head[0]; j++) {
		v[j] = b + at;
		at += strlen(b + at) + 1;
	}
	/* own copies, so that the block can go */
	*names = ft_strv_copy(v, head[0]);
	*nc = head[0];
	free(v);
	free(b);
	return ft_dist_agree(*names ? 0 : FT_ENOMEM, NULL);
}

/* --------------------------------------------------------- byte ranges */

/* Where the data rows of path begin: the byte after skip_rows lines and,
 * with a header, after the blank lines and the header line that follow;
 * *lines counts the lines before it; *size the file's size. */
static int scan_head(const char *path, const struct ft_read_opts *o, uint64_t *start,
                     size_t *lines, uint64_t *size, struct ft_error *err)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;
	uint64_t at = 0;
	int rc = 0, header = o->header != 0;

	*lines = 0;
	if (!fp)
		return ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fileno(fp), &st) != 0) {
		rc = ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	*size = (uint64_t)st.st_size;
	while ((*lines < o->skip_rows || header) && (got = getline(&buf, &cap, fp)) > 0) {
		size_t i = 0;
		at += (uint64_t)got;
		++*lines;
		if (*lines <= o->skip_rows)
			continue;
		/* the byte order mark, then blanks: a blank line is no header */
		if (*lines == 1 && got >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
			i = 3;
		while (i < (size_t)got && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
		                           buf[i] == '\n'))
			i++;
		if (i < (size_t)got)
			header = 0;
	}
	if (ferror(fp))
		rc = ft_error_set(err, FT_EIO, "%s: read error: %s", path, strerror(errno));
	*start = at;
done:
	free(buf);
	fclose(fp);
	return rc;
}

/* The cut of rank r: its nominal byte moved up to the next line start. */
static int cut_of(FILE *fp, const char *path, uint64_t start, uint64_t size, int r,
                  uint64_t *cut, struct ft_error *err)
{
	uint64_t nominal = start + (size - start) * (uint64_t)r / (uint64_t)ft_dist_np();
	int c;

	if (r == 0 || nominal <= start) {
		*cut = start;
		return 0;
	}
	if (r == ft_dist_np() || nominal >= size) {
		*cut = size;
		return 0;
	}
	/* a line starts at nominal when the byte before it is '\n' */
	if (fseeko(fp, (off_t)(nominal - 1), SEEK_SET) != 0)
		return ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
	*cut = nominal - 1;
	while ((c = getc(fp)) != EOF) {
		++*cut;
		if (c == '\n')
			return 0;
	}
	if (ferror(fp))
		return ft_error_set(err, FT_EIO, "%s: read error: %s", path, strerror(errno));
	*cut = size;
	return 0;
}

/* Lines (newlines) in the bytes [a, b) of fp. */
static int count_lines(FILE *fp, const char *path, uint64_t a, uint64_t b, uint64_t *n,
                       struct ft_error *err)
{
	char buf[65536];

	*n = 0;
	if (b > a && fseeko(fp, (off_t)a, SEEK_SET) != 0)
		return ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
	while (a < b) {
		size_t want = b - a < sizeof buf ? (size_t)(b - a) : sizeof buf;
		size_t got = fread(buf, 1, want, fp);
		const char *p = buf, *e = buf + got;
		if (got == 0)
			return ft_error_set(err, FT_EIO, "%s: read error: %s", path,
			                    ferror(fp) ? strerror(errno) : "unexpected end of file");
		while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
			++*n;
			p++;
		}
		a += got;
	}
	return 0;
}

/* This rank's byte range of path, parsed.  Collective. */
static int read_range(const char *path, const struct ft_read_opts *o,
                      struct ft_table **out, struct ft_error *err)
{
	struct ft_read_opts ro = *o;
	struct ft_table *head = NULL;
	uint64_t start = 0, size = 0, lo = 0, hi = 0, nl = 0, before = 0;
	size_t lines = 0;
	FILE *fp = NULL;
	int rc;

	*out = NULL;
	rc = scan_head(path, o, &start, &lines, &size, err);
	/* the header through the reader (checks, renaming of repeats) */
	if (!rc && (o->header || !o->names))
		rc = ft_table_read_part(path, o, 0, start, 1, FT_READ_ALLOW_EMPTY, &head, err);
	if (!rc && !(fp = fopen(path, "rb")))
		rc = ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
	if (!rc)
		rc = cut_of(fp, path, start, size, ft_dist_me(), &lo, err);
	if (!rc)
		rc = cut_of(fp, path, start, size, ft_dist_me() + 1, &hi, err);
	if (!rc)
		rc = count_lines(fp, path, lo, hi, &nl, err);
	if (fp)
		fclose(fp);
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	ft_dist_scan_u64(nl, &before, NULL);
	if (head) {
		ro.names = head->names;
		ro.n_names = head->n_cols;
	}
	ro.header = 0;
	ro.skip_rows = 0;
	rc = ft_table_read_part(path, &ro, lo, hi - lo, lines + 1 + (size_t)before,
	                        FT_READ_ALLOW_EMPTY, out, err);
done:
	ft_table_free(head);
	return rc;
}

int ft_shard_read(const char *const *files, size_t n, const struct ft_read_opts *o,
                  struct ft_table **out, struct ft_error *err)
{
	struct ft_table *t = NULL;
	char **names = NULL;
	size_t nc = 0, f0, f1, np = (size_t)ft_dist_np(), me = (size_t)ft_dist_me();
	uint64_t rows = 0;
	int rc = 0, from = 0;

	*out = NULL;
	if (n == 0)
		return ft_error_set(err, FT_EINVAL, "no data files");
	if (!ft_dist_on())
		return read_files(files, n, o, out, err);
	if (n == 1) {
		rc = read_range(files[0], o, &t, err);
	} else {
		/* whole files: rank r reads n r / np .. n (r+1) / np - 1 */
		f0 = n * me / np;
		f1 = n * (me + 1) / np;
		if (f1 > f0)
			rc = read_files(files + f0, f1 - f0, o, &t, err);
	}
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	if (n > 1) {
		/* the first rank with files gives everyone the names */
		while (n * ((size_t)from + 1) / np == 0)
			from++;
		if ((rc = share_names(t, from, &names, &nc)))
			goto done;
		if (t) {
			struct ft_table ref = {0};
			ref.n_cols = nc;
			ref.names = names;
			rc = same_columns(&ref, files[0], t, files[n * me / np], err);
		} else {
			rc = empty_table(files[0], names, nc, &t, err);
		}
		if ((rc = ft_dist_agree(rc, err)))
			goto done;
	}
	rows = t->n_rows;
	ft_dist_sum_u64(&rows, 1);
	if (rows == 0) {
		rc = ft_error_set(err, FT_EDATA, "%s: no data rows", files[0]);
		goto done;
	}
	*out = t;
	t = NULL;
done:
	ft_strv_free(names, nc);
	ft_table_free(t);
	return rc;
}

/* ------------------------------------------------------- named items */

void ft_named_free(struct ft_named *a)
{
	if (!a)
		return;
	ft_strv_free(a->name, a->n);
	free(a->first);
	free(a->count);
	memset(a, 0, sizeof *a);
}

struct named_ref {
	const char *name;
	uint64_t first, count;
};

static int by_first(const void *x, const void *y)
{
	const struct named_ref *a = x, *b = y;

	return (a->first > b->first) - (a->first < b->first);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct named_ref *)x)->name, ((const struct named_ref *)y)->name);
}

int ft_dist_merge_named(char *const *name, const uint64_t *first, const uint64_t *count,
                        size_t n, struct ft_named *all, size_t *pos)
{
	struct ft_strmap m;
	struct named_ref *ref = NULL;
	char *b = NULL, *got = NULL;
	size_t len = 0, at = 0, *off = NULL, np = (size_t)ft_dist_np(), k = 0;
	int rc = FT_ENOMEM;

	memset(all, 0, sizeof *all);
	memset(&m, 0, sizeof m);
	/* "first count name\0" records, gathered from every rank */
	for (size_t i = 0; i < n; i++)
		len += 2 * sizeof(uint64_t) + strlen(name[i]) + 1;
	if ((b = malloc(len ? len : 1)) != NULL)
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(name[i]) + 1;
			memcpy(b + at, &first[i], sizeof first[i]);
			memcpy(b + at + 8, &count[i], sizeof count[i]);
			memcpy(b + at + 16, name[i], l);
			at += 16 + l;
		}
	if (ft_dist_agree(b ? 0 : FT_ENOMEM, NULL) ||
	    ft_dist_allgather(b, len, (void **)&got, &off))
		goto done;
	/* per name: the earliest first, the counts added */
	if (ft_strmap_init(&m) ||
	    !(ref = malloc((off[np] / 17 + 1) * sizeof *ref)))
		goto done;
	for (at = 0; at < off[np]; ) {
		uint64_t f, c;
		const char *nm = got + at + 16;
		size_t l = strlen(nm);
		int added;
		long id;
		memcpy(&f, got + at, 8);
		memcpy(&c, got + at + 8, 8);
		if ((id = ft_strmap_put(&m, nm, l, &added)) < 0)
			goto done;
		if (added) {
			ref[id].first = f;
			ref[id].count = c;
		} else {
			ref[id].first = f < ref[id].first ? f : ref[id].first;
			ref[id].count += c;
		}
		at += 16 + l + 1;
	}
	k = m.n;
	for (size_t i = 0; i < k; i++)
		ref[i].name = ft_strmap_key(&m, i);
	qsort(ref, k, sizeof *ref, by_first);
	all->name = calloc(k ? k : 1, sizeof *all->name);
	all->first = malloc((k ? k : 1) * sizeof *all->first);
	all->count = malloc((k ? k : 1) * sizeof *all->count);
	if (!all->name || !all->first || !all->count)
		goto done;
	all->n = k;
	for (size_t i = 0; i < k; i++) {
		if (!(all->name[i] = ft_strdup(ref[i].name)))
			goto done;
		all->first[i] = ref[i].first;
		all->count[i] = ref[i].count;
	}
	/* each local name's place in the merged order: the names sorted,
	 * each knowing its place (ref reused: first holds the place) */
	for (size_t i = 0; i < k; i++) {
		ref[i].name = all->name[i];
		ref[i].first = i;
	}
	qsort(ref, k, sizeof *ref, by_name);
	for (size_t i = 0; i < n; i++) {
		struct named_ref key = {name[i], 0, 0};
		struct named_ref *hit = bsearch(&key, ref, k, sizeof *ref, by_name);
		pos[i] = (size_t)hit->first;
	}
	rc = 0;
done:
	if (rc)
		ft_named_free(all);
	ft_strmap_free(&m);
	free(ref);
	free(b);
	free(got);
	free(off);
	return ft_dist_agree(rc, NULL);
}


/* ------------------------------------------------- one file, two threads */

/* Below this size a file is read by one thread: the second thread's
 * wake-up, the scan for the cut and the join cost more than they save. */
uint64_t ft_read_split_min = (uint64_t)8 << 20;

/* The cut of the bytes [start, size) of fp into two parts at a record
 * boundary: the first newline at or after share of the bytes (mid) that
 * is outside quotes.  Under CSV_STRICT a quote opens, closes or doubles
 * inside a quoted field, so the parity of the quotes before a byte says
 * exactly whether it is inside one (as csv.c's scan_line counts); a
 * malformed file may be cut wrongly, and then a part fails and the caller
 * reads the file whole, for the message of one reading.  *lines gets the
 * newlines in [start, cut).  0 with *cut = 0 when no such newline
 * exists. */
static int cut_quoted(FILE *fp, const char *path, uint64_t start, uint64_t size, double share,
                      uint64_t *cut, size_t *lines, struct ft_error *err)
{
	char buf[65536];
	uint64_t mid = start + (uint64_t)((double)(size - start) * share), at = start;
	int inq = 0;

	*cut = 0;
	*lines = 0;
	if (fseeko(fp, (off_t)start, SEEK_SET) != 0)
		return ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
	while (at < size) {
		size_t got = fread(buf, 1, sizeof buf, fp);
		const char *p = buf, *e = buf + got;
		if (got == 0)
			return ferror(fp) ? ft_error_set(err, FT_EIO, "%s: read error: %s", path,
			                                 strerror(errno)) : 0;
		/* before mid only the parity and the lines matter */
		if (at + got <= mid) {
			for (const char *q = p; (q = memchr(q, '"', (size_t)(e - q))) != NULL; q++)
				inq = !inq;
			for (const char *q = p; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
				++*lines;
			at += got;
			continue;
		}
		for (; p < e; p++, at++) {
			if (*p == '"')
				inq = !inq;
			else if (*p == '\n') {
				++*lines;
				if (at >= mid && !inq) {
					*cut = at + 1;
					return 0;
				}
			}
		}
	}
	return 0;
}

int ft_read_plan_make(struct ft_read_plan *pl, const char *path, const struct ft_read_opts *o,
                      int flags, int threads, double share)
{
	struct stat st;
	uint64_t start = 0, size = 0, cut = 0;
	size_t lines = 0, mid_lines = 0;
	FILE *fp = NULL;
	struct ft_error e = {0};

	memset(pl, 0, sizeof *pl);
	pl->path = path;
	pl->o = o;
	pl->flags = flags;
	if (threads < 2 || !o || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < ft_read_split_min)
		return 0;
	if (scan_head(path, o, &start, &lines, &size, &e) != 0)
		return 0;
	/* the lines before the data rows through the reader too: the names,
	 * and the checks of the first line (UTF-16, a byte order mark) even
	 * when it is skipped */
	if (start > 0 &&
	    ft_table_read_part(path, o, 0, start, 1, FT_READ_ALLOW_EMPTY, &pl->head, &e) != 0)
		return 0;   /* read whole: its own error */
	/* a header line that holds rows too (a carriage return ends a row
	 * inside it): read whole */
	if (pl->head && pl->head->n_rows > 0)
		goto whole;
	if (!(fp = fopen(path, "rb")))
		goto whole;
	if (!(share > 0 && share < 1))
		share = 0.5;
	if (cut_quoted(fp, path, start, size, share, &cut, &mid_lines, &e) != 0 || cut == 0 ||
	    cut >= size)
		goto whole;
	fclose(fp);
	pl->ro = *o;
	if (pl->head && o->header) {
		pl->ro.names = pl->head->names;
		pl->ro.n_names = pl->head->n_cols;
	}
	pl->ro.header = 0;
	pl->ro.skip_rows = 0;
	pl->cut[0] = start;
	pl->cut[1] = cut;
	pl->cut[2] = size;
	pl->first_line[0] = lines + 1;
	pl->first_line[1] = lines + mid_lines + 1;
	pl->split = 1;
	return 0;
whole:
	if (fp)
		fclose(fp);
	ft_table_free(pl->head);
	pl->head = NULL;
	return 0;
}

void ft_read_plan_part(struct ft_read_plan *pl, int k)
{
	if (!pl->split) {
		if (k == 0)
			pl->rc[0] = ft_table_read_part(pl->path, pl->o, 0, UINT64_MAX, 1, pl->flags,
			                               &pl->part[0], &pl->err[0]);
		return;
	}
	pl->rc[k] = ft_table_read_part(pl->path, &pl->ro, pl->cut[k], pl->cut[k + 1] - pl->cut[k],
	                               pl->first_line[k], pl->flags | FT_READ_ALLOW_EMPTY,
	                               &pl->part[k], &pl->err[k]);
}

int ft_read_plan_finish(struct ft_read_plan *pl, struct ft_table **out, struct ft_error *err)
{
	int rc;

	*out = NULL;
	if (!pl->split) {
		rc = pl->rc[0];
		if (rc)
			*err = pl->err[0];
		*out = pl->part[0];
		pl->part[0] = NULL;
		goto done;
	}
	/* a part failed (the message of one reading of the file may differ:
	 * the first error in file order, a quote that the cut misread), or no
	 * rows: read it whole */
	if (pl->rc[0] || pl->rc[1] || pl->part[0]->n_rows + pl->part[1]->n_rows == 0 ||
	    (rc = ft_table_append(pl->part[0], pl->part[1])) == FT_EINVAL) {
		rc = ft_table_read_part(pl->path, pl->o, 0, UINT64_MAX, 1, pl->flags, out, err);
		goto done;
	}
	if (rc) {
		rc = ft_error_set(err, rc, "%s: out of memory", pl->path);
		goto done;
	}
	*out = pl->part[0];
	pl->part[0] = NULL;
done:
	ft_table_free(pl->head);
	ft_table_free(pl->part[0]);
	ft_table_free(pl->part[1]);
	memset(pl, 0, sizeof *pl);
	return rc;
}
