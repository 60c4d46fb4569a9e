/*
 * csv.c - read a delimited text file into a struct ft_table of strings
 * (and, for the library's pipeline, columns of numbers).
 *
 * The only file in the project that includes <csv.h> (libcsv).  It handles
 * what the distributed data sets need: a header row or given names, any
 * one-character delimiter or runs of blanks (german.data), quoted fields,
 * blanks around fields (adult's ", "), CRLF, UTF-8 BOMs (one or more),
 * blank lines anywhere, physical lines skipped first (adult.test's "|1x3
 * Cross validator"), and missing-value tokens.  It refuses what would be
 * read wrong without a word: a UTF-16 or UTF-32 file (say so and how to
 * convert it) and a NUL byte in a field (C strings would cut the cell
 * there: "4\0 2" read as 4, "ma\0le" as a third group "ma").
 *
 * Representation: cells are interned per column while the file is read.
 * Each column has a hash table of the distinct texts it has seen; a cell is
 * stored as a 32-bit value id (first appearance order), and its text is
 * copied only the first time the column sees it.  Tabular data repeats
 * itself (Adult: 15 columns, 32,561 rows, 488,415 cells, 22,146 distinct
 * values of which 21,648 are fnlwgt's), so the table is small, reading costs
 * no allocation per cell, and everything that looks at text later (the
 * missing-token check here; number parsing, labels, categories and groups
 * in the encoder) runs once per distinct value, not once per cell.
 *
 * Where the time goes (adult.data, 4 MB): libcsv's own byte-by-byte parse
 * is about 60%; interning is one hash and usually one probe per cell
 * (struct dict).  The rest was page faults, which on a virtual machine cost
 * about 2 us per fresh 4 KB page: hence the small reused input buffer
 * (struct input) rather than a whole-file buffer, and hash tables that grow
 * in place (dict_grow).
 *
 * At scale (issue 20 item 6: a million rows of short numbers) two things
 * dominated: libcsv's byte-by-byte state machine with a callback per
 * field, and a random probe into a megabyte hash table for every cell of a
 * column of many distinct numbers.  So a line without quotes (and without
 * a carriage return inside it) is split here (split_plain: the fields
 * libcsv would give, tested and fuzzed against it), and for the library's
 * own pipeline (FT_READ_NUMBERS) a column of many distinct plain decimals
 * is stored as doubles (struct numcol), exactly reversible to the text.
 * shard.c reads a big file in two parts on two threads and joins them
 * (ft_table_append).
 *
 * It does not interpret cells: types, categories and roles belong to the
 * encoder (encode.c).  The file is read through a small buffer, but the
 * table is built whole: there is no row-at-a-time interface.
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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <csv.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "data/data.h"

static const char *const default_missing[] = { "", "?", "NA" };

const char *const *ft_missing_tokens(const struct ft_read_opts *o, size_t *n)
{
	if (o && o->missing) {
		*n = o->n_missing;
		return (const char *const *)o->missing;
	}
	*n = sizeof default_missing / sizeof *default_missing;
	return default_missing;
}

void ft_read_opts_init(struct ft_read_opts *o)
{
	memset(o, 0, sizeof *o);
	o->delimiter = ',';
	o->header = 1;
}

/* The interning table of one column while its file is read: every distinct
 * cell text seen so far (a key), each with its code (the column's value id,
 * or FT_MISSING for a missing-value token).  Open addressing with linear
 * probing, load <= 3/4 rather than 1/2: a table half the size is half the
 * fresh pages to fault in, which costs more than a few extra probes within
 * a cache line (Adult's fnlwgt, 21,648 keys, fits in 32,768 slots).
 *
 * Every cell of the file is looked up here, so a lookup touches one slot
 * and nothing else in the common case.  A slot holds the key's length and
 * its "head" (key_head): the bytes of a key of at most 8 bytes packed
 * without loss, so that the slot alone decides equality; a longer key
 * compares the rest of its bytes with the stored text (such keys are
 * mostly in columns with few distinct values, whose text stays in
 * cache). */
struct slot {
	uint64_t head;       /* key_head() of the key */
	uint32_t len;        /* its length, UINT32_MAX for that or longer */
	uint32_t key;        /* its index + 1; 0 = an empty slot */
};

struct dict {
	struct slot *slot;   /* cap slots */
	size_t cap;          /* a power of two */
	size_t n_keys, keys_cap;
	uint32_t *code;      /* per key: value id or FT_MISSING */
	size_t *koff;        /* per key: offset of its text in text, and
	                        koff[n_keys] = text_len, so key k's length is
	                        koff[k + 1] - koff[k] - 1 */
	char *text;          /* key text, each NUL-terminated, back to back */
	size_t text_len, text_cap;
	size_t n_vals;       /* keys that are values (not missing tokens) */
};

#define DICT_MIN_CAP 16

/* A column stored as numbers (FT_READ_NUMBERS): a column whose interning
 * table reaches ft_csv_num_switch (1024) distinct values, all of them canonical
 * decimals with the same number of decimals (num_canon), is moved to an
 * array of doubles, and later cells are parsed straight into it: a column
 * of many distinct numbers otherwise costs one random probe into a table
 * of megabytes per cell, which was most of the time of reading a file of
 * numbers (issue 20 item 6).  Canonical means the text is exactly what
 * "%.*f" prints of the parsed double, so nothing is lost: a later cell
 * that is not canonical (or has other decimals) moves the column back to
 * interning (num_revert), each earlier cell interned from its printed
 * text, which is the table interning all along would have made. */
size_t ft_csv_num_switch = 1024;

struct numcol {
	signed char state;   /* 0: interned, may switch; 1: numbers; -1:
	                        interned for good */
	unsigned char dec;   /* decimals of every value (state 1) */
	double *x;           /* state 1: every row so far, its digits as an
	                        integer m (the value is m / 10^dec, num_scale),
	                        NaN for a missing cell */
	size_t cap;
};

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
	char **hdr;          /* the header row's fields, copied */
	size_t hdr_len, hdr_cap;
	struct dict *dict;   /* n_cols interning tables, once n_cols is known */
	uint32_t *cell;      /* value ids of the rows so far, row-major */
	size_t n_cells, cells_cap;
	/* Rows [0, k_rows) compacted (compact_rows): stride cells each, column
	 * j's at slot[j], none for a column stored as numbers; the rows after
	 * them n_cols cells each.  k_rows 0 and slot NULL until then. */
	size_t k_rows, stride;
	uint32_t *slot;
	size_t *lines;
	size_t n_rows, rows_cap;
	size_t rows_hint;    /* the part's rows as estimated (reserve), or 0 */
	char **names;        /* column names once the header (or opts) is known */
	int numbers;         /* FT_READ_NUMBERS: columns may be stored as numbers */
	int num_fast;        /* no missing-value token is a canonical decimal
	                        (num_field need not look for them) */
	struct numcol *num;  /* n_cols, with dict, when numbers may be stored */
	int row_nul;         /* a line of the current row holds a NUL byte */
	int line_nul;        /* the line being parsed holds one */
	int rc;              /* first error; callbacks do nothing once set */
	struct ft_error *err;
};

/* realloc(p, bytes), except that a first block as large as a column of
 * the hinted length starts on whole huge pages (ft_huge_alloc): a block
 * malloc maps for itself has 4 KiB pages before its first 2 MiB boundary
 * and after its last, about 400 faults a column of the 1M-row bench file.
 * Later growth (glibc then copies rather than remaps) is rare after the
 * hint. */
static void *regrow(void *p, size_t bytes)
{
	void *q;

	if (!p && bytes >= FT_HUGE_MIN)
		return ft_huge_alloc(bytes);     /* advised there */
	if ((q = realloc(p, bytes)))
		ft_mem_huge(q, bytes);
	return q;
}

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
	if (!(q = regrow(*p, c * elem)))
		return FT_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/* *p to hold need elements if it can; nothing when memory is short (the
 * doubling of grow goes on from where it was).  A reserve as large as a
 * huge page is a new block on whole huge pages (ft_huge_alloc) with the old
 * block's *cap elements copied over (the first RESERVE_ROWS rows: tens of
 * KB), so that the rest of the file faults 2 MiB at a time: realloc'ed,
 * the block's first and last MiB or so took 4 KiB faults (with the split's
 * arrays on huge pages too, ft_load of the 1M-row bench file on one
 * thread went from 25,000 page faults to 1,650). */
static void try_reserve(void **p, size_t *cap, size_t need, size_t elem)
{
	void *q;

	if (need <= *cap)
		return;
	if (need * elem >= FT_HUGE_MIN) {
		if (!(q = ft_huge_alloc(need * elem)))
			return;
		if (*cap)
			memcpy(q, *p, *cap * elem);
		free(*p);
	} else if (!(q = regrow(*p, need * elem))) {
		return;
	}
	*p = q;
	*cap = need;
}

/* Once RESERVE_ROWS rows are read: the part's rows estimated from the
 * bytes they took (fed of total), and the row arrays (cells, lines, the
 * columns stored as numbers) reserved at that length.  Grown by doubling,
 * a 100 MB file's arrays were moved a dozen times (mremap), and pages moved
 * that way read 30x slower the first time on the machines measured (the
 * encoder's first pass over the cells took 85 ms instead of 2.5 ms for
 * 1M rows); reserved, they are written once, in place.  At most the rows
 * the bytes can hold (a row takes at least n_cols bytes), so a file whose
 * first rows are short reserves no more than 4 bytes a byte of the file;
 * the pages never written are never resident. */
#define RESERVE_ROWS 4096
static void reserve(struct reader *r, uint64_t total, uint64_t fed)
{
	double est, max;
	size_t rows;

	if (!r->n_cols || !fed || total <= fed)
		return;
	est = (double)r->n_rows * ((double)total / (double)fed) * 1.05 + 256;
	max = (double)total / (double)r->n_cols + 2;
	if (est > max)
		est = max;
	if (!(est > (double)r->n_rows) || est > (double)SIZE_MAX / 8 / (double)r->n_cols)
		return;
	rows = (size_t)est;
	r->rows_hint = rows;
	try_reserve((void **)&r->cell, &r->cells_cap, rows * r->n_cols, sizeof *r->cell);
	try_reserve((void **)&r->lines, &r->rows_cap, rows, sizeof *r->lines);
	for (size_t j = 0; r->num && j < r->n_cols; j++)
		if (r->num[j].state == 1)
			try_reserve((void **)&r->num[j].x, &r->num[j].cap, rows,
			            sizeof *r->num[j].x);
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
 * but " ? " is still missing).  Called once per distinct cell text. */
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

/* The head of key s[0..n): for n <= 8 its bytes packed into one word so
 * that two keys of the same length have equal heads only when they are
 * equal (two overlapping 4-byte loads cover 4..8 bytes, the first, middle
 * and last byte cover 1..3); for a longer key its first 8 bytes.  Loads
 * stay inside s[0..n): libcsv's field buffer is not NUL-terminated. */
static inline uint64_t key_head(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	uint64_t w;
	uint32_t a, b;

	if (n >= 8) {
		memcpy(&w, s, 8);
		return w;
	}
	if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		return (uint64_t)a << 32 | b;
	}
	if (n > 0)
		return (uint64_t)s[0] << 16 | (uint64_t)s[n >> 1] << 8 | s[n - 1];
	return 0;
}

/* A 64-bit hash of key s[0..n) with head `head`: the length and the head,
 * then for a longer key each further 8 bytes (the last word overlapping),
 * mixed by multiplication and xor-shifts in the style of murmur's
 * finalizer.  Word at a time rather than FNV's byte at a time: this runs
 * once per cell of the file. */
static inline uint64_t key_hash(const char *s, size_t n, uint64_t head)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = (head ^ n * 0xd6e8feb86659fd93ULL) * k, w;

	if (n > 8) {
		for (size_t i = 8; i + 8 < n; i += 8) {
			memcpy(&w, s + i, 8);
			h = (h ^ h >> 29 ^ w) * k;
		}
		memcpy(&w, s + n - 8, 8);
		h = (h ^ h >> 29 ^ w) * k;
	}
	return h ^ h >> 32;
}

/* Whether keys a and b, both n > 8 bytes long with equal first 8 bytes,
 * are equal: the rest compared a word at a time, the last word
 * overlapping. */
static int same_tail(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	for (size_t i = 8; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

static uint32_t len32(size_t n)
{
	return n < UINT32_MAX ? (uint32_t)n : UINT32_MAX;
}

static size_t key_len(const struct dict *d, size_t k)
{
	return d->koff[k + 1] - d->koff[k] - 1;
}

static void dict_free(struct dict *d)
{
	free(d->slot);
	free(d->code);
	free(d->koff);
	free(d->text);
}

/* One empty table per column, once the number of columns is known. */
static int make_dicts(struct reader *r)
{
	r->dict = calloc(r->n_cols, sizeof *r->dict);
	if (!r->dict)
		return fail_nomem(r);
	for (size_t j = 0; j < r->n_cols; j++) {
		r->dict[j].slot = calloc(DICT_MIN_CAP, sizeof *r->dict[j].slot);
		if (!r->dict[j].slot)
			return fail_nomem(r);
		r->dict[j].cap = DICT_MIN_CAP;
	}
	if (r->numbers && !(r->num = calloc(r->n_cols, sizeof *r->num)))
		return fail_nomem(r);
	return 0;
}

/* Double the slots of d; keys keep their indices and are inserted again
 * from the per-key arrays (hashes are not stored, so each key's text is
 * hashed again: growing happens log(n) times).  The slot array is
 * realloc'ed and rebuilt in place rather than copied to a fresh one: a big
 * block is moved by remapping its pages, so only the final table's pages
 * are ever faulted in, not those of every intermediate size too. */
static int dict_grow(struct dict *d)
{
	size_t cap = d->cap * 2, mask = cap - 1;
	struct slot *slot;

	if (cap > ((size_t)-1) / sizeof *slot ||
	    !(slot = realloc(d->slot, cap * sizeof *slot)))
		return FT_ENOMEM;
	memset(slot, 0, cap * sizeof *slot);
	for (size_t k = 0; k < d->n_keys; k++) {
		const char *s = d->text + d->koff[k];
		size_t len = key_len(d, k);
		uint64_t head = key_head(s, len);
		size_t i = (size_t)key_hash(s, len, head) & mask;
		while (slot[i].key)
			i = (i + 1) & mask;
		slot[i].head = head;
		slot[i].len = len32(len);
		slot[i].key = (uint32_t)(k + 1);
	}
	d->slot = slot;
	d->cap = cap;
	return 0;
}

/* Look key s[0..len) (head, hash h) up in d: 1 with its code in *code, or
 * 0 with the empty slot where it belongs in *at. */
static int dict_find(const struct dict *d, const char *s, size_t len,
                     uint64_t head, uint64_t h, uint32_t *code, size_t *at)
{
	size_t mask = d->cap - 1, i = (size_t)h & mask;
	uint32_t l = len32(len);
	const struct slot *sl;

	for (; (sl = &d->slot[i])->key; i = (i + 1) & mask) {
		size_t k = sl->key - 1;
		if (sl->head != head || sl->len != l)
			continue;
		/* short keys are decided by the slot alone */
		if (len <= 8 || (key_len(d, k) == len &&
		                 same_tail(d->text + d->koff[k], s, len))) {
			*code = d->code[k];
			return 1;
		}
	}
	*at = i;
	return 0;
}

/* Add key s[0..len) (head, hash h) of column col to its table d, where
 * dict_find said it belongs at slot i; returns its code.  On failure sets
 * r->rc (the caller checks it) and returns FT_MISSING. */
static uint32_t dict_add(struct reader *r, struct dict *d, size_t col,
                         const char *s, size_t len, uint64_t head, uint64_t h,
                         size_t i)
{
	uint32_t code;

	/* key + 1 must fit in a slot and a value id must stay below
	 * FT_MISSING */
	if (d->n_keys >= UINT32_MAX - 1) {
		r->rc = ft_error_set(r->err, FT_EDATA,
		                     "%s:%zu: column '%s' has too many distinct values",
		                     r->path, r->row_line, r->names[col]);
		return FT_MISSING;
	}
	if (4 * (d->n_keys + 1) > 3 * d->cap) {
		if (dict_grow(d))
			goto nomem;
		i = (size_t)h & (d->cap - 1);
		while (d->slot[i].key)
			i = (i + 1) & (d->cap - 1);
	}
	if (d->n_keys == d->keys_cap) {
		/* code and koff (one more, for the end offset) share a capacity */
		size_t kc = d->keys_cap ? 2 * d->keys_cap : 16;
		uint32_t *co;
		size_t *ko;
		if (!(co = realloc(d->code, kc * sizeof *co)))
			goto nomem;
		d->code = co;
		if (!(ko = realloc(d->koff, (kc + 1) * sizeof *ko)))
			goto nomem;
		d->koff = ko;
		d->keys_cap = kc;
	}
	if (grow((void **)&d->text, &d->text_cap, d->text_len + len + 1, 1))
		goto nomem;
	if (len)
		memcpy(d->text + d->text_len, s, len);
	d->text[d->text_len + len] = '\0';
	code = is_missing(r, s, len) ? FT_MISSING : (uint32_t)d->n_vals++;
	d->code[d->n_keys] = code;
	d->koff[d->n_keys] = d->text_len;
	d->text_len += len + 1;
	d->n_keys++;
	d->koff[d->n_keys] = d->text_len;
	d->slot[i].head = head;
	d->slot[i].len = len32(len);
	d->slot[i].key = (uint32_t)d->n_keys;
	return code;
nomem:
	fail_nomem(r);
	return FT_MISSING;
}

/* The code of cell text s[0..len) of column col, added when new. */
static uint32_t intern(struct reader *r, size_t col, const char *s, size_t len)
{
	struct dict *d = &r->dict[col];
	uint64_t head = key_head(s, len), h = key_hash(s, len, head);
	uint32_t code;
	size_t at;

	if (dict_find(d, s, len, head, h, &code, &at))
		return code;
	return dict_add(r, d, col, s, len, head, h, at);
}

/* Powers of ten exactly representable as doubles. */
static const double pow10_exact[16] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15
};

/* Whether the number t scanned in s is a canonical decimal (below). */
static int num_canon_tok(const char *s, const struct ft_numtok *t)
{
	size_t whole = ft_num_whole(t);

	/* a digit before the point, no leading zero but "0", a digit after
	 * the point, at most 15 digits */
	return whole > 0 && !(s[t->d0] == '0' && whole > 1) && t->dot != t->end &&
	       ft_num_digits(t) <= 15;
}

/* Whether s[0..len) is a canonical decimal: -?(0|[1-9][0-9]*)(\.[0-9]+)?
 * with at most 15 digits in all; then *dec gets its number of decimals and
 * *x its digits as a signed integer m (exact: |m| < 10^15).  Its value is
 * m / 10^dec, one IEEE division of two exact doubles, so the correctly
 * rounded value strtod gives; the reader divides a whole column at once
 * (num_scale), where the divisions vectorize.  "%.*f" of that value with
 * dec decimals prints s again (the double is within 10^-15 relative of s,
 * far inside half a unit of its last decimal). */
static int num_canon(const char *s, size_t len, unsigned *dec, double *x)
{
	struct ft_numtok t;

	ft_num_scan(s, 0, len, &t);
	if (t.end != len || !num_canon_tok(s, &t))
		return 0;
	*dec = t.dot ? (unsigned)(len - t.dot) : 0;
	*x = t.neg ? -(double)t.m : (double)t.m;
	return 1;
}

/* The values of a column from its integers m (num_canon): m / 10^dec,
 * NaN staying NaN. */
static void num_scale(double *x, size_t n, unsigned dec)
{
	const double p = pow10_exact[dec];

	if (dec == 0)
		return;                  /* m / 1 = m, NaN too */
	/* SIMD lanes are IEEE divisions too: the same bits, two or four at a
	 * time (scalar, this loop was a sixth of the reader's own time) */
	#pragma omp simd
	for (size_t i = 0; i < n; i++)
		x[i] /= p;
}

/* Grow the values of numeric column c to hold row `row`. */
static int num_room(const struct reader *r, struct numcol *c, size_t row)
{
	size_t need = row + 1;

	if (c->cap < need && r->rows_hint > need)
		need = r->rows_hint;     /* the column's whole length at once */
	return grow((void **)&c->x, &c->cap, need, sizeof *c->x);
}

/* Rows compacted every ft_csv_compact_rows: the cell of a column stored as
 * numbers only says whether it is missing, which its NaN says, and for the
 * whole table those cells were a quarter of the reader's peak (issue 20
 * item 7).  A change of a column's storage (num_switch, num_revert, rare:
 * at most twice a column) first undoes the compaction (expand_rows), so
 * the compacted rows always have one layout, that of the storage now. */
size_t ft_csv_compact_rows = 65536;

/* The rows read since the last compaction, compacted in place: rows
 * [k_rows, n_rows) go from n_cols cells to stride cells each. */
static void compact_rows(struct reader *r)
{
	size_t nc = r->n_cols, k = r->k_rows, n = r->n_rows, s;
	uint32_t tmp[256], *t = tmp, *base;

	if (!r->num || n == k)
		return;
	if (!r->slot) {
		size_t text = 0;
		for (size_t j = 0; j < nc; j++)
			text += r->num[j].state != 1;
		if (text == nc)
			return;           /* no cell to drop */
		if (!(r->slot = malloc(nc * sizeof *r->slot))) {
			fail_nomem(r);
			return;
		}
		text = 0;
		for (size_t j = 0; j < nc; j++)
			r->slot[j] = r->num[j].state == 1 ? FT_MISSING : (uint32_t)text++;
		r->stride = text;
	}
	s = r->stride;
	if (nc > sizeof tmp / sizeof *tmp && !(t = malloc(nc * sizeof *t))) {
		fail_nomem(r);
		return;
	}
	/* row i's new place ends before its old one does, and that before
	 * row i + 1's old one begins: forward, through a copy of the row */
	base = r->cell + k * s;
	for (size_t i = 0; i < n - k; i++) {
		const uint32_t *o = base + i * nc;
		for (size_t j = 0; j < nc; j++)
			if (r->slot[j] != FT_MISSING)
				t[r->slot[j]] = o[j];
		memcpy(base + i * s, t, s * sizeof *t);
	}
	if (t != tmp)
		free(t);
	r->k_rows = n;
	r->n_cells = n * s;
}

/* The compacted rows back to n_cols cells each (a column stored as
 * numbers gets 0, or FT_MISSING where its number is NaN), with the rows
 * after them and the row being read (its n_cols places): every row then
 * n_cols cells, as before any compaction.  0 or FT_ENOMEM (r->rc set). */
static int expand_rows(struct reader *r)
{
	size_t nc = r->n_cols, k = r->k_rows, s = r->stride, tail;
	uint32_t tmp[256], *t = tmp;

	if (!k)
		return 0;
	tail = r->n_cells - k * s + nc;
	if (grow((void **)&r->cell, &r->cells_cap, k * nc + tail, sizeof *r->cell) ||
	    (nc > sizeof tmp / sizeof *tmp && !(t = malloc(nc * sizeof *t))))
		return fail_nomem(r);
	memmove(r->cell + k * nc, r->cell + k * s, tail * sizeof *r->cell);
	/* row i's new place begins after its old one, and the rows before it
	 * end before its new place: backward, through a copy of the row */
	for (size_t i = k; i-- > 0;) {
		const uint32_t *o = r->cell + i * s;
		for (size_t j = 0; j < nc; j++)
			t[j] = r->slot[j] != FT_MISSING ? o[r->slot[j]] :
			       isnan(r->num[j].x[i]) ? FT_MISSING : 0;
		memcpy(r->cell + i * nc, t, nc * sizeof *t);
	}
	if (t != tmp)
		free(t);
	r->n_cells = k * nc + tail - nc;
	r->k_rows = 0;
	free(r->slot);
	r->slot = NULL;
	return 0;
}

/* Column col's interning table is full enough: store it as numbers when
 * every value is a canonical decimal with the same decimals; else it stays
 * interned for good.  The current row's cell is already in r->cell. */
static void num_switch(struct reader *r, size_t col)
{
	struct dict *d = &r->dict[col];
	struct numcol *c = &r->num[col];
	double *v = malloc(d->n_vals * sizeof *v);
	size_t nc = r->n_cols;
	unsigned dec = 0, dk;
	int first = 1;

	c->state = -1;
	if (!v) {
		fail_nomem(r);
		return;
	}

	for (size_t k = 0; k < d->n_keys; k++) {
		if (d->code[k] == FT_MISSING)
			continue;
		if (!num_canon(d->text + d->koff[k], key_len(d, k), &dk, &v[d->code[k]]) ||
		    (!first && dk != dec)) {
			free(v);
			return;
		}
		dec = dk;
		first = 0;
	}
	if (expand_rows(r) || num_room(r, c, r->n_rows)) {
		free(v);
		fail_nomem(r);
		return;
	}
	for (size_t i = 0; i <= r->n_rows; i++) {
		uint32_t *cell = &r->cell[i * nc + col];
		c->x[i] = *cell == FT_MISSING ? NAN : v[*cell];
		*cell = *cell == FT_MISSING ? FT_MISSING : 0;
	}
	free(v);
	dict_free(d);
	memset(d, 0, sizeof *d);
	if (!(d->slot = calloc(DICT_MIN_CAP, sizeof *d->slot))) {
		fail_nomem(r);
		return;
	}
	d->cap = DICT_MIN_CAP;
	c->dec = (unsigned char)dec;
	c->state = 1;
}

/* A cell of numeric column col that is not a canonical decimal with its
 * decimals: back to interning, every earlier row's cell interned from its
 * printed text in row order (so value ids come in the same order of first
 * appearance), missing cells missing. */
static void num_revert(struct reader *r, size_t col)
{
	struct numcol *c = &r->num[col];
	char buf[40];

	if (expand_rows(r))
		return;
	c->state = -1;
	for (size_t i = 0; i < r->n_rows && !r->rc; i++) {
		uint32_t *cell = &r->cell[i * r->n_cols + col];
		if (isnan(c->x[i]))
			continue;
		snprintf(buf, sizeof buf, "%.*f", (int)c->dec, c->x[i] / pow10_exact[c->dec]);
		*cell = intern(r, col, buf, strlen(buf));
	}
	free(c->x);
	c->x = NULL;
	c->cap = 0;
}

/* Cell s[0..len) of column col, stored as a number: 1 when stored (the
 * cell's code in *code: 0, or FT_MISSING), 0 when the column went back to
 * interning (the caller interns the cell). */
static int num_cell(struct reader *r, size_t col, const char *s, size_t len,
                    uint32_t *code)
{
	struct numcol *c = &r->num[col];
	unsigned dec;
	double x;

	if (num_room(r, c, r->n_rows)) {
		fail_nomem(r);
		return 1;
	}
	if (is_missing(r, s, len)) {
		c->x[r->n_rows] = NAN;
		*code = FT_MISSING;
		return 1;
	}
	if (num_canon(s, len, &dec, &x) && dec == c->dec) {
		c->x[r->n_rows] = x;
		*code = 0;
		return 1;
	}
	num_revert(r, col);
	return 0;
}

/* Hand the values of column table d over to v: the key text block moves,
 * missing tokens stay in it unreferenced. */
static int dict_finish(struct dict *d, struct ft_values *v)
{
	v->n = d->n_vals;
	v->str = malloc((v->n ? v->n : 1) * sizeof *v->str);
	v->len = malloc((v->n ? v->n : 1) * sizeof *v->len);
	if (!v->str || !v->len)
		return FT_ENOMEM;
	if (!d->text && !(d->text = malloc(1)))
		return FT_ENOMEM;
	v->text = d->text;
	d->text = NULL;
	for (size_t k = 0; k < d->n_keys; k++) {
		uint32_t c = d->code[k];
		if (c == FT_MISSING)
			continue;
		v->str[c] = v->text + d->koff[k];
		v->len[c] = key_len(d, k);
	}
	return 0;
}

/* A field of the header row: copied, since it becomes a column name. */
static void header_field(struct reader *r, const char *s, size_t len)
{
	char *c;

	if (grow((void **)&r->hdr, &r->hdr_cap, r->hdr_len + 1, sizeof *r->hdr) ||
	    !(c = malloc(len + 1))) {
		fail_nomem(r);
		return;
	}
	if (len)
		memcpy(c, s, len);
	c[len] = '\0';
	r->hdr[r->hdr_len++] = c;
}

/* libcsv field callback: intern the field in its column's table and append
 * its code to the cells.  This is the hot path of reading: one hash and
 * (usually) one probe per cell; text is copied only the first time a
 * column sees it, and the missing-token check runs then too. */
static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	size_t col;
	uint32_t code = FT_MISSING;

	if (r->rc)
		return;
	/* Whitespace mode sets CSV_EMPTY_IS_NULL: an unquoted empty field is a
	 * gap between two blanks (or at a line's ends), not a field. */
	if (r->o->whitespace && s == NULL)
		return;
	col = r->nf++;
	/* A NUL would cut the cell short wherever it is read as a C string
	 * ("4\0 2" read as 4): refused, found only on rows that have one. */
	if (r->row_nul && s && memchr(s, '\0', len)) {
		r->rc = ft_error_set(r->err, FT_EPARSE, "%s:%zu: NUL byte in field %zu",
		                     r->path, r->row_line, col + 1);
		return;
	}
	/* Too many fields: keep counting for the message, store nothing. */
	if (r->n_cols && col >= r->n_cols)
		return;
	if (r->in_header) {
		/* with names given, the header row is only counted */
		if (!r->o->names)
			header_field(r, s ? s : "", len);
		return;
	}
	/* Data rows come after n_cols is known (header or names), so col is a
	 * column here. */
	if (!r->num || r->num[col].state != 1 || !num_cell(r, col, s ? s : "", len, &code))
		code = intern(r, col, s ? s : "", len);
	if (r->rc)
		return;
	if (r->n_cells == r->cells_cap &&
	    grow((void **)&r->cell, &r->cells_cap, r->n_cells + 1, sizeof *r->cell)) {
		fail_nomem(r);
		return;
	}
	r->cell[r->n_cells++] = code;
	if (r->num && r->num[col].state == 0 && r->dict[col].n_keys >= ft_csv_num_switch)
		num_switch(r, col);
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
		return;
	}
	/* n_cols was 0, so every field was kept: hdr holds n names */
	r->names = r->hdr;
	r->n_cols = n;
	r->hdr = NULL;
	r->hdr_len = r->hdr_cap = 0;
	for (size_t j = 0; j < n; j++)
		if (!*r->names[j]) {
			r->rc = ft_error_set(r->err, FT_EPARSE,
			                     "%s:%zu: empty column name (column %zu)",
			                     r->path, r->row_line, j + 1);
			return;
		}
	if (dedupe_names(r, n) == 0)
		make_dicts(r);
}

/* libcsv row callback. */
static void on_row(int c, void *data)
{
	struct reader *r = data;

	(void)c;
	/* a row can end inside a line (a CR ends it for libcsv): the rest of
	 * the line is the next row's, NUL and all */
	r->row_nul = r->line_nul;
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
		if (r->num && r->n_rows - r->k_rows >= ft_csv_compact_rows)
			compact_rows(r);
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

/* The file, read through one buffer that is refilled as lines are used
 * up, rather than slurped: a buffer as big as the file is that many fresh
 * pages, and on Adult (4 MB, 1,000 pages) faulting them in took longer than
 * the read() calls that fill them; a small buffer is reused and stays in
 * cache.
 * Lines are handed out whole and edited in place (tabs in whitespace
 * mode); a line longer than the buffer grows it. */
#define INPUT_CHUNK 65536

struct input {
	FILE *fp;
	char *buf;
	size_t cap;
	size_t beg, end;     /* buf[beg..end) is read but not handed out */
	int eof;
	uint64_t left;       /* bytes of the file still to read (a part) */
};

/* The next physical line, with its '\n' when it has one, as *s[0..*len):
 * returns 1, or 0 at the end of the file, or FT_EIO / FT_ENOMEM (the
 * error is set here).  *s is valid until the next call. */
static int next_line(struct input *in, const char *path, char **s,
                     size_t *len, struct ft_error *err)
{
	size_t scanned = 0;  /* bytes after beg known to hold no '\n' */

	for (;;) {
		char *b = in->buf + in->beg;
		size_t have = in->end - in->beg, n;
		char *nl = memchr(b + scanned, '\n', have - scanned);

		if (nl || (in->eof && have > 0)) {
			n = nl ? (size_t)(nl - b) + 1 : have;
			*s = b;
			*len = n;
			in->beg += n;
			return 1;
		}
		if (in->eof)
			return 0;
		scanned = have;
		/* keep the partial line, at the front; grow when it fills all */
		if (in->beg > 0) {
			memmove(in->buf, b, have);
			in->beg = 0;
			in->end = have;
		}
		if (in->end == in->cap &&
		    grow((void **)&in->buf, &in->cap, in->cap + 1, 1))
			return ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		n = in->cap - in->end < in->left ? in->cap - in->end : (size_t)in->left;
		n = n ? fread(in->buf + in->end, 1, n, in->fp) : 0;
		in->left -= n;
		in->end += n;
		if (n == 0) {
			if (ferror(in->fp))
				return ft_error_set(err, FT_EIO, "%s: read error: %s",
				                    path, strerror(errno));
			in->eof = 1;
		}
	}
}

/* Look at one physical line before libcsv sees it.  Returns whether a quoted
 * field is still open at its end, from the state inq at its start: under
 * CSV_STRICT a quote can only open, close or double inside a quoted field,
 * so quote parity is exact.  *blank says the line holds only blanks.  In
 * whitespace mode, tabs outside quotes become spaces, since libcsv takes a
 * single delimiter character. */
static int scan_line(char *s, size_t ll, int whitespace, int inq, int *blank,
                     int *quote)
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
		*quote = 0;
		while ((qp = memchr(qp, '"', (size_t)(qe - qp))) != NULL) {
			inq = !inq;
			qp++;
			*quote = 1;
		}
	}
	return inq;
}

/* A field separator's neighbour that libcsv drops around unquoted fields:
 * a space or a tab, unless it is the delimiter. */
static inline int field_blank(char c, char delim)
{
	return (c == ' ' || c == '\t') && c != delim;
}

/* The field at *at of a row of plain_row's, in numeric column col: when
 * it is a canonical decimal with the column's decimals followed by the
 * delimiter or the row's end, its integer is stored (as num_cell would:
 * no missing token is such a number, r->num_fast), *at moves to the
 * delimiter and 1 is returned; else 0 and the field is read the general
 * way.  The digits are read once, while the field's end is looked for
 * (num_canon scans a field already cut out). */
static int num_field(struct reader *r, size_t col, const char *s, size_t end,
                     char delim, size_t *at)
{
	struct numcol *c = &r->num[col];
	struct ft_numtok t;

	ft_num_scan(s, *at, end, &t);
	if ((t.end < end && s[t.end] != delim) || !num_canon_tok(s, &t) ||
	    (t.dot ? t.end - t.dot : 0) != c->dec || num_room(r, c, r->n_rows))
		return 0;
	c->x[r->n_rows] = t.neg ? -(double)t.m : (double)t.m;
	*at = t.end;
	return 1;
}

/* The data row s[0..end) of a line without quotes (split_plain), its
 * fields stored as on_field stores them, without on_field's checks per
 * field (they hold for the whole row: past the header, the number of
 * columns known, no NUL byte, no error yet): cells go straight into
 * r->cell, numbers into their columns.  Fields past the last column are
 * only counted (on_row reports the count). */
static void plain_row(struct reader *r, const char *s, size_t end, char delim)
{
	size_t i = 0, col = 0, nc = r->n_cols;
	uint32_t *cell;

	if (r->cells_cap - r->n_cells < nc &&
	    grow((void **)&r->cell, &r->cells_cap, r->n_cells + nc, sizeof *r->cell)) {
		fail_nomem(r);
		return;
	}
	cell = r->cell + r->n_cells;
	for (;;) {
		size_t b, e;
		while (i < end && field_blank(s[i], delim))
			i++;
		b = i;
		if (col < nc && r->num_fast && r->num && r->num[col].state == 1 &&
		    num_field(r, col, s, end, delim, &i)) {
			cell[col++] = 0;
			if (i == end)
				break;
			i++;
			continue;
		}
		while (i < end && s[i] != delim)
			i++;
		e = i;
		while (e > b && field_blank(s[e - 1], delim))
			e--;
		if (col < nc) {
			struct numcol *c = r->num ? &r->num[col] : NULL;
			uint32_t code;
			if (!c || c->state != 1 || !num_cell(r, col, s + b, e - b, &code))
				code = intern(r, col, s + b, e - b);
			if (r->rc)
				return;
			/* a change of storage may have moved the cells (expand_rows) */
			cell = r->cell + r->n_cells;
			cell[col] = code;
			if (c && c->state == 0 && r->dict[col].n_keys >= ft_csv_num_switch) {
				num_switch(r, col);
				cell = r->cell + r->n_cells;
			}
		}
		col++;
		if (i == end)
			break;
		i++;
	}
	r->n_cells += col < nc ? col : nc;
	r->nf = col;
}

/* A physical line without quotes, outside a quoted field, split here
 * rather than by libcsv: the same fields libcsv gives (split at the
 * delimiter; spaces and tabs around each field dropped; "\r\n" or "\n"
 * or the end of the file ends the row), without libcsv's byte-by-byte
 * state machine, which was most of the time of reading a file of short
 * numeric fields.  Returns 0, leaving the line to libcsv, when it holds a
 * carriage return before its end (libcsv ends a row there).  The caller
 * guarantees libcsv is between rows (every line it was given ended in a
 * newline outside quotes).  tests/unit/test_csv.c and the csv fuzz target
 * compare the two paths on the same input (FT_READ_LIBCSV_ONLY). */
static int split_plain(struct reader *r, char *s, size_t ll, char delim)
{
	size_t end = ll, i = 0;

	if (end && s[end - 1] == '\n')
		end--;
	if (end && s[end - 1] == '\r')
		end--;
	if (memchr(s, '\r', end))
		return 0;
	if (!r->in_header && r->n_cols && !r->row_nul && !r->rc) {
		plain_row(r, s, end, delim);
		on_row('\n', r);
		return 1;
	}
	for (;;) {
		size_t b, e;
		const char *d;
		while (i < end && field_blank(s[i], delim))
			i++;
		b = i;
		d = memchr(s + i, delim, end - i);
		i = d ? (size_t)(d - s) : end;
		e = i;
		while (e > b && field_blank(s[e - 1], delim))
			e--;
		on_field(s + b, e - b, r);
		if (i == end)
			break;
		i++;
	}
	on_row('\n', r);
	return 1;
}

/* The first line of a file: UTF-16 and UTF-32 (a byte order mark, or
 * NUL bytes between the characters of text) are refused with what to do,
 * rather than read as fields full of NULs ("empty column name"); UTF-8
 * byte order marks are skipped, all of them (a file saved twice by a BOM
 * adding editor has two, and the second would become part of the first
 * column's name). */
static int text_start(const char *path, char **s, size_t *ll,
                      struct ft_error *err)
{
	const unsigned char *u = (const unsigned char *)*s;
	size_t n = *ll;
	const char *enc = NULL;

	if (n >= 4 && ((u[0] == 0xff && u[1] == 0xfe && !u[2] && !u[3]) ||
	               (!u[0] && !u[1] && u[2] == 0xfe && u[3] == 0xff)))
		enc = "UTF-32";
	else if (n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) ||
	                    (u[0] == 0xfe && u[1] == 0xff) ||
	                    (u[0] && !u[1]) || (!u[0] && u[1])))
		enc = "UTF-16";
	if (enc)
		return ft_error_set(err, FT_EPARSE, "%s: looks like %s; convert it "
		                    "to UTF-8", path, enc);
	while (*ll >= 3 && memcmp(*s, "\xef\xbb\xbf", 3) == 0) {
		*s += 3;
		*ll -= 3;
	}
	return 0;
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
	return ft_table_read_part(path, o, 0, UINT64_MAX, 1, 0, out, err);
}

/* The canonical layout of t's cells (struct ft_table, cell_slot): column
 * j's cell at the number of columns of text before it, no cell for a
 * column stored as numbers except column `keep` (SIZE_MAX: none), which
 * counts as text.  *slot NULL when every column has its cell (the layout
 * without cell_slot); 0 or FT_ENOMEM. */
static int cells_canon(const struct ft_table *t, size_t keep, uint32_t **slot,
                       size_t *stride)
{
	size_t nc = t->n_cols, k = 0;
	uint32_t *s;

	*slot = NULL;
	*stride = nc;
	for (size_t j = 0; j < nc; j++)
		k += !(t->num && t->num[j] && j != keep);
	if (k == nc)
		return 0;
	if (!(s = malloc(nc * sizeof *s)))
		return FT_ENOMEM;
	k = 0;
	for (size_t j = 0; j < nc; j++)
		s[j] = t->num && t->num[j] && j != keep ? FT_MISSING : (uint32_t)k++;
	*slot = s;
	*stride = k;
	return 0;
}

/* t's cells moved to the layout slot / stride (cells_canon; slot is t's
 * on success): a column held before and after keeps its ids, one new to
 * the cells gets FT_MISSING (the caller fills it in).  In place, row by
 * row through one row's copy: forward when the rows get shorter (row i's
 * new place ends before row i + 1's old one begins), backward into the
 * grown block when they get longer.  0 or FT_ENOMEM (t unchanged). */
static int cells_relayout(struct ft_table *t, uint32_t *slot, size_t stride)
{
	size_t nc = t->n_cols, n = t->n_rows;
	size_t os = t->cell_slot ? t->cell_stride : nc, bytes = (n * stride > 0 ? n * stride : 1) *
	                                                   sizeof *t->cell;
	uint32_t *tmp = malloc((nc ? nc : 1) * sizeof *tmp), *cell = t->cell;

	if (!tmp) {
		free(slot);
		return FT_ENOMEM;
	}
	if (stride > os) {
		if (!(cell = realloc(t->cell, bytes))) {
			free(tmp);
			free(slot);
			return FT_ENOMEM;
		}
		ft_mem_huge(cell, n * stride * sizeof *cell);
		t->cell = cell;
	}
	for (size_t q = 0; q < n; q++) {
		size_t i = stride > os ? n - 1 - q : q;
		const uint32_t *o = cell + i * os;
		uint32_t *w = cell + i * stride;
		for (size_t j = 0; j < nc; j++) {
			uint32_t a = t->cell_slot ? t->cell_slot[j] : (uint32_t)j;
			uint32_t b = slot ? slot[j] : (uint32_t)j;
			if (b != FT_MISSING)
				tmp[b] = a == FT_MISSING ? FT_MISSING : o[a];
		}
		memcpy(w, tmp, stride * sizeof *w);
	}
	if (stride < os && (cell = realloc(t->cell, bytes)))
		t->cell = cell;
	free(tmp);
	free(t->cell_slot);
	t->cell_slot = slot;
	t->cell_stride = slot ? stride : 0;
	return 0;
}

/* t's cells in their canonical layout (cells_canon, keep as there); 0 or
 * FT_ENOMEM (t unchanged). */
static int cells_settle(struct ft_table *t, size_t keep)
{
	uint32_t *slot;
	size_t stride;

	if (cells_canon(t, keep, &slot, &stride))
		return FT_ENOMEM;
	if (!slot && !t->cell_slot)
		return 0;
	if (slot && t->cell_slot && stride == t->cell_stride &&
	    memcmp(slot, t->cell_slot, t->n_cols * sizeof *slot) == 0) {
		free(slot);
		return 0;
	}
	return cells_relayout(t, slot, stride);
}

/* The bytes [off, off + len) of the file (data.h). */
int ft_table_read_part(const char *path, const struct ft_read_opts *o, uint64_t off,
                       uint64_t len, size_t first_line, int flags,
                       struct ft_table **out, struct ft_error *err)
{
	int allow_empty = (flags & FT_READ_ALLOW_EMPTY) != 0;
	struct ft_read_opts def;
	struct reader r;
	struct csv_parser p;
	struct input in;
	int parser_ok = 0, inq = 0, rc = 0, got, quote = 0;
	int plain;
	unsigned char copts = CSV_STRICT | CSV_STRICT_FINI;
	char *s = NULL;
	size_t ll = 0;
	uint64_t total = 0, fed = 0;    /* the part's bytes, and those read */
	int reserved = 0;
	struct ft_table *t = NULL;

	*out = NULL;
	memset(&r, 0, sizeof r);
	memset(&in, 0, sizeof in);
	if (!o) {
		ft_read_opts_init(&def);
		o = &def;
	}
	/* lines without quotes are split by split_plain (not in whitespace
	 * mode, whose runs of blanks are libcsv's) */
	plain = !o->whitespace && !(flags & FT_READ_LIBCSV_ONLY);
	r.path = path;
	r.o = o;
	r.err = err;
	r.numbers = (flags & FT_READ_NUMBERS) != 0;
	r.missing = ft_missing_tokens(o, &r.n_missing);
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
	r.num_fast = 1;
	for (size_t i = 0; i < r.n_missing; i++) {
		unsigned dec;
		double x;
		r.miss_len[i] = strlen(r.missing[i]);
		if (r.miss_len[i] > r.miss_max)
			r.miss_max = r.miss_len[i];
		if (num_canon(r.missing[i], r.miss_len[i], &dec, &x))
			r.num_fast = 0;
	}
	if (o->names) {
		if ((rc = copy_names(&r)) != 0 || (rc = make_dicts(&r)) != 0)
			goto done;
	} else if (!o->header) {
		rc = ft_error_set(err, FT_EINVAL,
		                  "%s: no header and no column names given", path);
		goto done;
	}
	r.in_header = o->header != 0;

	in.fp = fopen(path, "rb");
	if (!in.fp) {
		rc = ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (off > 0 && fseeko(in.fp, (off_t)off, SEEK_SET) != 0) {
		rc = ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	in.left = len;
	if (len == UINT64_MAX) {
		struct stat sb;
		total = fstat(fileno(in.fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
		        (uint64_t)sb.st_size > off ? (uint64_t)sb.st_size - off : 0;
	} else {
		total = len;
	}
	r.lineno = first_line - 1;
	in.cap = INPUT_CHUNK;
	if (!(in.buf = malloc(in.cap))) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}

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

	while (!r.rc && (got = next_line(&in, path, &s, &ll, err)) != 0) {
		int blank, q;

		if (got < 0) {
			rc = got;
			goto done;
		}
		r.lineno++;
		fed += ll;
		if (!reserved && r.n_rows >= RESERVE_ROWS) {
			reserved = 1;        /* once: a declined estimate is not retried */
			reserve(&r, total, fed);
		}
		if (r.lineno == 1 && (rc = text_start(path, &s, &ll, err)) != 0)
			goto done;
		r.line_nul = memchr(s, '\0', ll) != NULL;
		r.row_nul |= r.line_nul;
		if (r.lineno <= o->skip_rows)
			continue;
		q = scan_line(s, ll, o->whitespace, inq, &blank, &quote);
		if (!inq) {
			if (blank)
				continue;
			r.row_line = r.lineno;
		}
		if (plain && !inq && !quote && split_plain(&r, s, ll, o->delimiter))
			continue;
		inq = q;
		if (csv_parse(&p, s, ll, on_field, on_row, &r) != ll && !r.rc) {
			if (csv_error(&p) == CSV_EPARSE)
				r.rc = ft_error_set(err, FT_EPARSE,
				                    "%s:%zu: malformed quote in field %zu",
				                    path, r.lineno, r.nf + 1);
			else
				fail_nomem(&r);
		}
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
	if (r.n_rows == 0 && !allow_empty) {
		rc = ft_error_set(err, FT_EDATA, "%s: no data rows", path);
		goto done;
	}

	t = calloc(1, sizeof *t);
	if (!t || !(t->path = ft_strdup(path)) ||
	    !(t->vals = calloc(r.n_cols, sizeof *t->vals))) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	t->n_rows = r.n_rows;
	t->n_cols = r.n_cols;
	t->names = r.names;
	r.names = NULL;
	for (size_t j = 0; j < r.n_cols; j++)
		if (dict_finish(&r.dict[j], &t->vals[j]) != 0) {
			rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
			goto done;
		}
	for (size_t j = 0; r.num && j < r.n_cols; j++) {
		struct numcol *c = &r.num[j];
		double *x;
		if (c->state != 1)
			continue;
		if (!t->num && (!(t->num = calloc(r.n_cols, sizeof *t->num)) ||
		                !(t->num_dec = calloc(r.n_cols, 1)))) {
			rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
			goto done;
		}
		x = realloc(c->x, (r.n_rows ? r.n_rows : 1) * sizeof *x);
		t->num[j] = x ? x : c->x;
		num_scale(t->num[j], r.n_rows, c->dec);
		t->num_dec[j] = c->dec;
		c->x = NULL;
	}
	/* the last rows compacted too, the layout the table's */
	compact_rows(&r);
	if (r.rc) {
		rc = r.rc;
		goto done;
	}
	t->cell_slot = r.slot;
	t->cell_stride = r.slot ? r.stride : 0;
	r.slot = NULL;
	/* give back the slack of the doubling growth */
	t->cell = realloc(r.cell, (r.n_cells ? r.n_cells : 1) * sizeof *r.cell);
	if (!t->cell)
		t->cell = r.cell;
	r.cell = NULL;
	t->line = r.lines;
	r.lines = NULL;
	/* the layout of the storage (compact_rows made it already) */
	if (cells_settle(t, SIZE_MAX)) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	*out = t;
	t = NULL;
done:
	if (parser_ok)
		csv_free(&p);
	if (in.fp)
		fclose(in.fp);
	free(in.buf);
	free(r.miss_len);
	free_names(r.hdr, r.hdr_len);
	/* the names came from opts or from hdr, n_cols of them either way */
	free_names(r.names, r.n_cols);
	if (r.dict)
		for (size_t j = 0; j < r.n_cols; j++)
			dict_free(&r.dict[j]);
	free(r.dict);
	if (r.num)
		for (size_t j = 0; j < r.n_cols; j++)
			free(r.num[j].x);
	free(r.num);
	free(r.cell);
	free(r.slot);
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
	if (t->vals)
		for (size_t j = 0; j < t->n_cols; j++) {
			free(t->vals[j].str);
			free(t->vals[j].len);
			free(t->vals[j].text);
		}
	free(t->vals);
	if (t->num)
		for (size_t j = 0; j < t->n_cols; j++)
			free(t->num[j]);
	free(t->num);
	free(t->num_dec);
	free(t->cell);
	free(t->cell_slot);
	free(t->line);
	ft_strv_free(t->files, t->n_files);
	free(t->file);
	free(t);
}

const char *ft_table_cell(const struct ft_table *t, size_t row, size_t col)
{
	static _Thread_local char buf[40];
	uint32_t id = ft_cell_id(t, row, col);

	if (id == FT_MISSING)
		return NULL;
	if (t->num && t->num[col]) {
		snprintf(buf, sizeof buf, "%.*f", (int)t->num_dec[col], t->num[col][row]);
		return buf;
	}
	return t->vals[col].str[id];
}

int ft_table_read_numbers(const char *path, const struct ft_read_opts *o,
                          struct ft_table **out, struct ft_error *err)
{
	return ft_table_read_part(path, o, 0, UINT64_MAX, 1, FT_READ_NUMBERS, out, err);
}

/* The values of column j of t as a map (ids = value ids). */
static int values_map(const struct ft_values *v, struct ft_strmap *m)
{
	if (ft_strmap_init(m) != 0)
		return FT_ENOMEM;
	for (size_t k = 0; k < v->n; k++)
		if (ft_strmap_put(m, v->str[k], v->len[k], NULL) != (long)k)
			return FT_ENOMEM;
	return 0;
}

/* v made anew from the keys of m (ids = value ids). */
static int values_from_map(const struct ft_strmap *m, struct ft_values *v)
{
	size_t bytes = 0;

	memset(v, 0, sizeof *v);
	for (size_t k = 0; k < m->n; k++)
		bytes += m->klen[k] + 1;
	v->str = malloc((m->n ? m->n : 1) * sizeof *v->str);
	v->len = malloc((m->n ? m->n : 1) * sizeof *v->len);
	v->text = malloc(bytes ? bytes : 1);
	if (!v->str || !v->len || !v->text) {
		free(v->str);
		free(v->len);
		free(v->text);
		return FT_ENOMEM;
	}
	v->n = m->n;
	bytes = 0;
	for (size_t k = 0; k < m->n; k++) {
		v->len[k] = m->klen[k];
		v->str[k] = v->text + bytes;
		memcpy(v->str[k], m->keys + m->koff[k], m->klen[k] + 1);
		bytes += m->klen[k] + 1;
	}
	return 0;
}

int ft_table_text(struct ft_table *t, size_t j)
{
	struct ft_strmap m;
	struct ft_values v;
	uint32_t *id = NULL, pos;
	char buf[40];
	int rc = 0;

	if (!t->num || !t->num[j])
		return 0;
	if (ft_strmap_init(&m) != 0 || !(id = malloc((t->n_rows ? t->n_rows : 1) * sizeof *id)))
		goto nomem;
	for (size_t i = 0; i < t->n_rows; i++) {
		long k;
		if (isnan(t->num[j][i])) {
			id[i] = FT_MISSING;
			continue;
		}
		snprintf(buf, sizeof buf, "%.*f", (int)t->num_dec[j], t->num[j][i]);
		if ((k = ft_strmap_put(&m, buf, strlen(buf), NULL)) < 0)
			goto nomem;
		id[i] = (uint32_t)k;
	}
	if (values_from_map(&m, &v))
		goto nomem;
	/* a cell for column j in every row */
	if (cells_settle(t, j)) {
		free(v.str);
		free(v.len);
		free(v.text);
		goto nomem;
	}
	free(t->vals[j].str);
	free(t->vals[j].len);
	free(t->vals[j].text);
	t->vals[j] = v;
	pos = ft_cell_pos(t, j);
	for (size_t i = 0, st = t->cell_slot ? t->cell_stride : t->n_cols; i < t->n_rows; i++)
		t->cell[i * st + pos] = id[i];
	free(t->num[j]);
	t->num[j] = NULL;
	goto done;
nomem:
	rc = FT_ENOMEM;
done:
	ft_strmap_free(&m);
	free(id);
	return rc;
}

/* The first part's array p (used bytes of it) grown to bytes for the
 * join.  A large one is a new block, advised to huge pages before the used
 * bytes are copied into it, then p freed: realloc moved it by mremap to an
 * address where the kernel mapped it 4 KiB at a time, and the grown part,
 * advised only afterwards, faulted 4 KiB at a time (ft_load of the 1M-row
 * bench file on two threads: 0.678 s against 0.558 s now).  NULL, p
 * untouched, when memory is short. */
static void *join_grow(void *p, size_t used, size_t bytes)
{
	void *q, *q2;

	if (bytes < FT_HUGE_MIN) {
		if ((q = realloc(p, bytes)))
			ft_mem_huge(q, bytes);
		return q;
	}
	if (!(q = malloc(bytes)))
		return NULL;
	ft_mem_huge(q, bytes);
	if (used)
		memcpy(q, p, used);
	/* shrunk before it is freed: glibc raises its mmap threshold to the
	 * size of a large block freed, and the run's later arrays then came
	 * from the heap (train --split 0 on the 1M-row file peaked 3-5 MB
	 * higher); a shrink gives the pages back by mremap and moves no
	 * threshold (elsewhere it is only a realloc) */
	if ((q2 = realloc(p, 1)))
		p = q2;
	free(p);
	return q;
}

int ft_table_append(struct ft_table *a, struct ft_table *b)
{
	size_t na = a->n_rows, nb = b->n_rows, nc = a->n_cols, st;
	uint32_t *cell, **map = NULL;
	size_t *line;
	int rc = 0;

	if (b->n_cols != nc || a->file || b->file)
		return FT_EINVAL;
	if (nb == 0)
		return 0;
	/* a column of numbers in one part and text (or other decimals) in
	 * the other: text in both */
	for (size_t j = 0; j < nc && !rc; j++) {
		int an = a->num && a->num[j], bn = b->num && b->num[j];
		if (an && bn && a->num_dec[j] == b->num_dec[j])
			continue;
		if (an)
			rc = ft_table_text(a, j);
		if (bn && !rc)
			rc = ft_table_text(b, j);
	}
	if (rc)
		return rc;
	/* the same columns of numbers now, so the same layout of cells (both
	 * canonical: cells_settle) */
	st = a->cell_slot ? a->cell_stride : nc;
	if (st != (b->cell_slot ? b->cell_stride : nc) || !a->cell_slot != !b->cell_slot ||
	    (a->cell_slot && memcmp(a->cell_slot, b->cell_slot, nc * sizeof *a->cell_slot)))
		return FT_EINVAL;
	if (!(cell = join_grow(a->cell, na * st * sizeof *cell,
	                       ((na + nb) * st > 0 ? (na + nb) * st : 1) * sizeof *cell)))
		return FT_ENOMEM;
	a->cell = cell;
	if (!(line = join_grow(a->line, na * sizeof *line, (na + nb ? na + nb : 1) * sizeof *line)))
		return FT_ENOMEM;
	a->line = line;
	/* the columns of numbers: each grown and b's appended, a column to a
	 * thread (the copies and their page faults were most of the join) */
	#pragma omp parallel for schedule(dynamic, 1) if (nb >= ft_release_rows) reduction(|:rc)
	for (size_t j = 0; j < nc; j++) {
		double *x;
		if (!a->num || !a->num[j] || rc)
			continue;
		if (!(x = join_grow(a->num[j], na * sizeof *x, (na + nb ? na + nb : 1) * sizeof *x))) {
			rc = FT_ENOMEM;
			continue;
		}
		memcpy(x + na, b->num[j], nb * sizeof *x);
		a->num[j] = x;
		free(b->num[j]);
		b->num[j] = NULL;
	}
	if (rc)
		return FT_ENOMEM;
	/* b's value ids to a's, per column of text: values new to a get ids
	 * after a's, in b's order of first appearance, as one read of both
	 * parts would have numbered them; the cells are then copied in one
	 * block and renumbered row by row (one pass over the memory) */
	if (!(map = calloc(nc ? nc : 1, sizeof *map)))
		return FT_ENOMEM;
	for (size_t j = 0; j < nc && !rc; j++) {
		const struct ft_values *v = &b->vals[j];
		struct ft_strmap m;
		struct ft_values w;
		int same = 1;
		if (a->num && a->num[j])
			continue;    /* appended above */
		if (!(map[j] = malloc((v->n ? v->n : 1) * sizeof *map[j])) ||
		    values_map(&a->vals[j], &m)) {
			if (map[j])
				ft_strmap_free(&m);
			rc = FT_ENOMEM;
			break;
		}
		for (size_t k = 0; k < v->n && !rc; k++) {
			long id = ft_strmap_put(&m, v->str[k], v->len[k], NULL);
			if (id < 0 || (uint64_t)id >= FT_MISSING)
				rc = FT_ENOMEM;
			else
				same &= (map[j][k] = (uint32_t)id) == k;
		}
		if (!rc && m.n > a->vals[j].n && (rc = values_from_map(&m, &w)) == 0) {
			free(a->vals[j].str);
			free(a->vals[j].len);
			free(a->vals[j].text);
			a->vals[j] = w;
		}
		ft_strmap_free(&m);
		if (same) {
			free(map[j]);
			map[j] = NULL;
		}
	}
	if (rc)
		goto done;
	/* b's rows are given back as they are copied, so that the join holds
	 * about one table, not two (issue 20 item 7); blocks of rows on any
	 * thread, each giving back only the pages wholly its own (the page
	 * two blocks share may hold rows not yet copied) */
	#pragma omp parallel for schedule(dynamic, 1) if (nb >= 2 * ft_release_rows)
	for (size_t i0 = 0; i0 < nb; i0 += ft_release_rows) {
		size_t i1 = nb - i0 < ft_release_rows ? nb : i0 + ft_release_rows;
		memcpy(cell + (na + i0) * st, b->cell + i0 * st, (i1 - i0) * st * sizeof *cell);
		memcpy(line + na + i0, b->line + i0, (i1 - i0) * sizeof *line);
		for (size_t i = i0; i < i1; i++) {
			uint32_t *row = cell + (na + i) * st;
			for (size_t j = 0; j < nc; j++) {
				uint32_t p = ft_cell_pos(a, j);
				if (map[j] && row[p] != FT_MISSING)
					row[p] = map[j][row[p]];
			}
		}
		ft_mem_release_within(b->cell, i0 * st * sizeof *cell, i1 * st * sizeof *cell);
	}
	a->n_rows = na + nb;
	b->n_rows = 0;  /* its rows are a's now */
done:
	for (size_t j = 0; map && j < nc; j++)
		free(map[j]);
	free(map);
	return rc;
}

size_t ft_release_rows = (size_t)1 << 16;

void ft_table_release_within(struct ft_table *t, size_t a, size_t b)
{
	size_t nc = t->n_cols, st = t->cell_slot ? t->cell_stride : nc;

	if (b > t->n_rows)
		b = t->n_rows;
	if (a >= b)
		return;
	ft_mem_release_within(t->cell, a * st * sizeof *t->cell, b * st * sizeof *t->cell);
	ft_mem_release_within(t->line, a * sizeof *t->line, b * sizeof *t->line);
	ft_mem_release_within(t->file, a * sizeof *t->file, b * sizeof *t->file);
	for (size_t j = 0; t->num && j < nc; j++)
		ft_mem_release_within(t->num[j], a * sizeof *t->num[j], b * sizeof *t->num[j]);
}

int ft_table_text_named(struct ft_table *t, char *const *names, size_t n)
{
	int rc = 0;

	for (size_t q = 0; q < n && !rc && t && t->num; q++) {
		long j = names[q] ? ft_table_col(t, names[q]) : -1;
		if (j >= 0)
			rc = ft_table_text(t, (size_t)j);
	}
	return rc;
}

long ft_table_col(const struct ft_table *t, const char *name)
{
	for (size_t j = 0; j < t->n_cols; j++)
		if (strcmp(t->names[j], name) == 0)
			return (long)j;
	return -1;
}

/* w made of the values ids[0 .. n) of v, in that order (ids NULL: the
 * first n); 0 or FT_ENOMEM (w then empty). */
static int values_pick(const struct ft_values *v, const uint32_t *ids, size_t n,
                       struct ft_values *w)
{
	size_t bytes = 0, at = 0;

	for (size_t q = 0; q < n; q++)
		bytes += v->len[ids ? ids[q] : q] + 1;
	w->n = n;
	w->str = malloc((n ? n : 1) * sizeof *w->str);
	w->len = malloc((n ? n : 1) * sizeof *w->len);
	w->text = malloc(bytes ? bytes : 1);
	if (!w->str || !w->len || !w->text) {
		free(w->str);
		free(w->len);
		free(w->text);
		memset(w, 0, sizeof *w);
		return FT_ENOMEM;
	}
	for (size_t q = 0; q < n; q++) {
		size_t id = ids ? ids[q] : q, l = v->len[id];
		memcpy(w->text + at, v->str[id], l + 1);
		w->str[q] = w->text + at;
		w->len[q] = l;
		at += l + 1;
	}
	return 0;
}

int ft_table_keep_rows(struct ft_table *t, const size_t *rows, size_t n)
{
	size_t nc = t->n_cols, tot = 0, *off = NULL, st = t->cell_slot ? t->cell_stride : nc;
	uint32_t *map = NULL, *inv = NULL;
	void *p;
	int rc = FT_ENOMEM;

	/* per text column: old id -> new (FT_MISSING until seen), and back */
	if (!(off = malloc((nc + 1) * sizeof *off)))
		return FT_ENOMEM;
	for (size_t j = 0; j < nc; j++) {
		off[j] = tot;
		tot += t->num && t->num[j] ? 0 : t->vals[j].n;
	}
	off[nc] = tot;
	if (!(map = malloc((tot ? tot : 1) * sizeof *map)) ||
	    !(inv = malloc((tot ? tot : 1) * sizeof *inv)))
		goto done;
	for (size_t q = 0; q < tot; q++)
		map[q] = FT_MISSING;
	/* the kept rows moved up (k <= rows[k]), their value ids renumbered in
	 * order of first appearance among them, as one reading of these rows
	 * numbers them */
	{
		size_t *m = calloc(nc ? nc : 1, sizeof *m);
		if (!m)
			goto done;
		for (size_t k = 0; k < n; k++) {
			size_t i = rows ? rows[k] : k;
			uint32_t *row = t->cell + k * st;
			if (i != k) {
				memmove(row, t->cell + i * st, st * sizeof *row);
				t->line[k] = t->line[i];
				if (t->file)
					t->file[k] = t->file[i];
			}
			for (size_t j = 0; j < nc; j++) {
				uint32_t at, id, *mj = map + off[j];
				if (off[j + 1] == off[j])
					continue;
				at = ft_cell_pos(t, j);
				if ((id = row[at]) == FT_MISSING)
					continue;
				if (mj[id] == FT_MISSING) {
					inv[off[j] + m[j]] = id;
					mj[id] = (uint32_t)m[j]++;
				}
				row[at] = mj[id];
			}
		}
		for (size_t j = 0; rows && t->num && j < nc; j++)
			if (t->num[j])
				for (size_t k = 0; k < n; k++)
					t->num[j][k] = t->num[j][rows[k]];
		t->n_rows = n;
		rc = 0;
		/* the values of each text column: those seen, in the new order */
		for (size_t j = 0; j < nc && !rc; j++) {
			const struct ft_values *v = &t->vals[j];
			struct ft_values w;
			size_t same = m[j] == v->n;
			if (off[j + 1] == off[j])
				continue;
			for (size_t q = 0; q < m[j]; q++)
				same &= inv[off[j] + q] == q;
			if (same)
				continue;
			if ((rc = values_pick(v, inv + off[j], m[j], &w)))
				break;
			free(v->str);
			free(v->len);
			free(v->text);
			t->vals[j] = w;
		}
		free(m);
	}
	/* the rows let go (shrinking never fails in practice; keep the old
	 * block if it does) */
	if ((p = realloc(t->cell, (n * st > 0 ? n * st : 1) * sizeof *t->cell)))
		t->cell = p;
	if ((p = realloc(t->line, (n ? n : 1) * sizeof *t->line)))
		t->line = p;
	if (t->file && (p = realloc(t->file, (n ? n : 1) * sizeof *t->file)))
		t->file = p;
	for (size_t j = 0; t->num && j < nc; j++)
		if (t->num[j] && (p = realloc(t->num[j], (n ? n : 1) * sizeof *t->num[j])))
			t->num[j] = p;
done:
	free(off);
	free(map);
	free(inv);
	return rc;
}

/* Rows may repeat and come in any order; n may be 0.  Names, path, line
 * numbers and numbers are copied; the rows are copied whole with every
 * value of t, then ft_table_keep_rows (the one place that renumbers)
 * numbers each column's values in order of first appearance in the new
 * table and drops those that do not occur, so the subset keeps the
 * invariants of a table read from a file. */
int ft_table_subset(const struct ft_table *t, const size_t *rows, size_t n,
                    struct ft_table **out, struct ft_error *err)
{
	struct ft_table *s = NULL;
	size_t nc = t->n_cols, st = t->cell_slot ? t->cell_stride : nc;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		if (rows[i] >= t->n_rows)
			return ft_error_set(err, FT_EINVAL, "%s: row %zu out of range (%zu rows)",
			                    t->path, rows[i], t->n_rows);
	if (!(s = calloc(1, sizeof *s)))
		goto nomem;
	s->n_rows = n;
	s->n_cols = nc;
	s->path = ft_strdup(t->path);
	s->names = calloc(nc ? nc : 1, sizeof *s->names);
	s->vals = calloc(nc ? nc : 1, sizeof *s->vals);
	s->cell = ft_xalloc(n * st, sizeof *s->cell);
	s->line = ft_xalloc(n, sizeof *s->line);
	if (!s->path || !s->names || !s->vals || !s->cell || !s->line)
		goto nomem;
	if (t->cell_slot) {
		if (!(s->cell_slot = malloc(nc * sizeof *s->cell_slot)))
			goto nomem;
		memcpy(s->cell_slot, t->cell_slot, nc * sizeof *s->cell_slot);
		s->cell_stride = st;
	}
	for (size_t j = 0; j < nc; j++)
		if (!(s->names[j] = ft_strdup(t->names[j])) ||
		    values_pick(&t->vals[j], NULL, t->vals[j].n, &s->vals[j]))
			goto nomem;
	/* the copies on every thread (the rows are gathered from all over the
	 * table, and the subset's pages are fresh): the same bytes */
	#pragma omp parallel for schedule(static) if (ft_parallel_worth(n * (st + 2)))
	for (size_t i = 0; i < n; i++) {
		memcpy(s->cell + i * st, t->cell + rows[i] * st, st * sizeof *s->cell);
		s->line[i] = t->line[rows[i]];
	}
	if (t->file) {
		/* a table of several files: each row keeps its file */
		if (!(s->files = ft_strv_copy(t->files, t->n_files)) ||
		    !(s->file = ft_xalloc(n, sizeof *s->file)))
			goto nomem;
		s->n_files = t->n_files;
		for (size_t i = 0; i < n; i++)
			s->file[i] = t->file[rows[i]];
	}
	if (t->num) {
		/* columns of numbers: their values (and missing marks, in cell) */
		if (!(s->num = calloc(nc ? nc : 1, sizeof *s->num)) ||
		    !(s->num_dec = malloc(nc ? nc : 1)))
			goto nomem;
		memcpy(s->num_dec, t->num_dec, nc);
		int short_mem = 0;
		#pragma omp parallel for schedule(dynamic, 1) if (ft_parallel_worth(n * nc)) \
			reduction(|:short_mem)
		for (size_t j = 0; j < nc; j++) {
			if (!t->num[j] || short_mem)
				continue;
			if (!(s->num[j] = ft_xalloc(n, sizeof *s->num[j]))) {
				short_mem = 1;
				continue;
			}
			for (size_t i = 0; i < n; i++)
				s->num[j][i] = t->num[j][rows[i]];
		}
		if (short_mem)
			goto nomem;
	}
	if (ft_table_keep_rows(s, NULL, n))
		goto nomem;
	*out = s;
	return 0;
nomem:
	ft_table_free(s);
	return ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
}
