/*
 * data.h - helpers shared by the files of src/data/ (CSV reader, splitter,
 * encoder); not part of the public API and not installed.
 *
 * A small string hash map that owns copies of its keys, number parsing with
 * one definition of "a finite number", target-label stripping, group keys,
 * and the "(columns: a, b, ...)" list that error messages append.
 */
#ifndef FT_DATA_H
#define FT_DATA_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

/* Reading t->cell in either of its layouts (struct ft_table, cell_slot):
 * the cells of row i, the position of column j's cell in such a row
 * (FT_MISSING when its cells are not held: a column stored as numbers),
 * and the value id of row i, column j from them (for a column stored as
 * numbers 0, or FT_MISSING where its number is NaN). */
static inline const uint32_t *ft_cell_row(const struct ft_table *t, size_t i)
{
	return t->cell + i * (t->cell_slot ? t->cell_stride : t->n_cols);
}
static inline uint32_t ft_cell_pos(const struct ft_table *t, size_t j)
{
	return t->cell_slot ? t->cell_slot[j] : (uint32_t)j;
}
static inline uint32_t ft_cell_in(const struct ft_table *t, const uint32_t *row,
                                  size_t i, size_t j, uint32_t pos)
{
	if (pos == FT_MISSING)
		return isnan(t->num[j][i]) ? FT_MISSING : 0;
	return row[pos];
}
static inline uint32_t ft_cell_id(const struct ft_table *t, size_t i, size_t j)
{
	return ft_cell_in(t, ft_cell_row(t, i), i, j, ft_cell_pos(t, j));
}

/* String -> dense id (0, 1, 2 ... in insertion order).  Keys are copied into
 * one growing buffer, so callers may pass pointers into scratch space.
 * Open addressing with linear probing, FNV-1a hashes, load <= 1/2. */
struct ft_strmap {
	size_t n;            /* keys stored; ids are 0 .. n-1 */
	size_t cap;          /* slots, a power of two */
	uint32_t *slot;      /* id + 1, or 0 when empty */
	uint64_t *hash;      /* n hashes, so growing does not rehash strings */
	size_t *koff;        /* n offsets into keys */
	size_t *klen;        /* n key lengths */
	size_t n_alloc;      /* capacity of hash/koff/klen */
	char *keys;          /* NUL-terminated key text */
	size_t keys_len, keys_cap;
};

/* Empty map; 0 or FT_ENOMEM.  Free with ft_strmap_free (also after a failed
 * init: the struct is always left safe to free). */
int ft_strmap_init(struct ft_strmap *m);
void ft_strmap_free(struct ft_strmap *m);
/* Id of key s[0..len), inserting it when new; -1 when out of memory.
 * *added (may be NULL) is set to 1 when the key was new. */
long ft_strmap_put(struct ft_strmap *m, const char *s, size_t len, int *added);
/* Id of key s[0..len), or -1 when absent. */
long ft_strmap_get(const struct ft_strmap *m, const char *s, size_t len);
/* The NUL-terminated key of an id (valid until the next put). */
const char *ft_strmap_key(const struct ft_strmap *m, size_t id);

/* csv.c: ft_table_read of the bytes [off, off + len) of path only (len
 * UINT64_MAX: to the end), whose first line is physical line first_line of
 * the file (for messages; skip_rows and the byte order mark count from the
 * file's start, so a part that starts later gives names in o and header
 * 0).  flags: FT_READ_ALLOW_EMPTY, a part without data rows is a table of
 * 0 rows rather than FT_EDATA; FT_READ_NUMBERS, columns may be stored as
 * numbers (ft_table_read_numbers); FT_READ_LIBCSV_ONLY, every line goes
 * through libcsv (the reference the tests compare the reader's own split
 * of lines without quotes with). */
enum { FT_READ_ALLOW_EMPTY = 1, FT_READ_NUMBERS = 2, FT_READ_LIBCSV_ONLY = 4 };
int ft_table_read_part(const char *path, const struct ft_read_opts *o, uint64_t off,
                       uint64_t len, size_t first_line, int flags,
                       struct ft_table **out, struct ft_error *err);
/* csv.c: ft_table_read that may store columns of many distinct numbers as
 * doubles (t->num); for the readers of tables that know them (ft_load). */
int ft_table_read_numbers(const char *path, const struct ft_read_opts *o,
                          struct ft_table **out, struct ft_error *err);
/* csv.c: column j of t interned as text (t->cell, t->vals) when it is
 * stored as numbers, as the reader would have made it; 0 or FT_ENOMEM
 * (t unchanged then). */
int ft_table_text(struct ft_table *t, size_t j);
/* csv.c: the rows of b appended to a (same columns, both of one file
 * read in parts, in order; b is left to free, its rows consumed unless
 * the columns differ): value ids renumbered as one read of both would
 * have numbered them.  0, FT_ENOMEM or FT_EINVAL (on failure a is only
 * fit to be freed; on FT_EINVAL nothing has changed). */
int ft_table_append(struct ft_table *a, struct ft_table *b);
/* split.c: ft_table_split whose training part is t itself, its rows kept
 * in place (ft_table_keep_rows): the rows of ft_table_split's training
 * table, without a copy of them.  On failure t is only fit to be freed
 * (and *test NULL). */
int ft_table_split_keep(struct ft_table *t, const struct ft_spec *s, double test_frac,
                        uint64_t seed, struct ft_table **test, struct ft_error *err);
/* csv.c: t becomes ft_table_subset(t, rows, n) in place (rows ascending,
 * each < t->n_rows; NULL: the first n rows): the same cells, value ids,
 * values and lines, without a second table.  0 or FT_ENOMEM (t is then
 * only fit to be freed). */
int ft_table_keep_rows(struct ft_table *t, const size_t *rows, size_t n);
/* csv.c: rows [a, b) of t will not be read again: the pages of their
 * cells, numbers and line numbers that hold nothing of other rows are
 * given back to the system (ft_mem_release_within), so that blocks of
 * rows may be given back in any order.  Only for a table about to be
 * freed. */
void ft_table_release_within(struct ft_table *t, size_t a, size_t b);
/* encode.c: ft_encoder_apply that gives t's rows back as it encodes them,
 * a block of rows at a time (ft_table_release_within): t
 * is only fit to be freed afterwards, whatever the outcome; error messages
 * are those of ft_encoder_apply. */
int ft_encoder_apply_consume(const struct ft_encoder *e, struct ft_table *t, int mode,
                             struct ft_dataset **out, struct ft_encode_stats *st,
                             struct ft_error *err);
/* csv.c: rows consumed between two releases of the join (65,536: a
 * table of 20 columns gives back about 5 MB at a time; the fuzz harness
 * sets 1); ft_encoder_apply's blocks are a quarter of it. */
extern size_t ft_release_rows;
/* csv.c: every column of t named in names[0 .. n) (unknown names are
 * skipped) as text. */
int ft_table_text_named(struct ft_table *t, char *const *names, size_t n);

/* Knobs that tests and fuzz targets lower to reach these paths with
 * small inputs (set once, before any read): the distinct values a column
 * has before it may be stored as numbers (csv.c, 1024), the rows read
 * between two compactions of the cells (csv.c, 65,536), and the smallest
 * file ft_read_plan_make cuts in two (shard.c, 8 MB). */
extern size_t ft_csv_num_switch;
extern size_t ft_csv_compact_rows;
extern uint64_t ft_read_split_min;

/* shard.c: one file read by two threads (issue 20 item 6): make cuts the
 * data rows of a regular file of 8 MB or more, when threads >= 2, at the
 * first record boundary past share of their bytes (0.5, the middle, when
 * share is not in (0, 1); quotes counted, so that a quoted field with
 * newlines is never cut); part(pl, 0) and part(pl, 1) each read one
 * part, on any thread, concurrently; finish joins them (ft_table_append:
 * the table, value ids and line numbers of one reading) or, when a part
 * failed, reads the file whole for the error of one reading.  Without a
 * split, part 0 reads the whole file and part 1 does nothing.  make never
 * fails (a file it cannot plan for is read whole); finish frees the plan.
 * flags as ft_table_read_part's. */
struct ft_read_plan {
	const char *path;
	const struct ft_read_opts *o;
	int flags, split;
	struct ft_table *head;     /* the header's names */
	struct ft_read_opts ro;    /* the parts': head's names, no header */
	uint64_t cut[3];
	size_t first_line[2];
	struct ft_table *part[2];
	int rc[2];
	struct ft_error err[2];
};
int ft_read_plan_make(struct ft_read_plan *pl, const char *path,
                      const struct ft_read_opts *o, int flags, int threads, double share);
void ft_read_plan_part(struct ft_read_plan *pl, int k);
int ft_read_plan_finish(struct ft_read_plan *pl, struct ft_table **out,
                        struct ft_error *err);

/* shard.c: the file row `row` of t came from (t->path, or its file of a
 * table of several files). */
const char *ft_table_row_path(const struct ft_table *t, size_t row);
/* shard.c: the rows of t[0 .. n) (read from paths[0 .. n), the same
 * columns) as one table, whose rows know their files. */
int ft_table_concat(struct ft_table *const *t, const char *const *paths, size_t n,
                    struct ft_table **out, struct ft_error *err);
/* shard.c: the data files[0 .. n) as one table: all of it in one process;
 * in a distributed run this rank's part (whole files of a list, or a byte
 * range of one file), collectively, errors agreed on every rank. */
int ft_shard_read(const char *const *files, size_t n, const struct ft_read_opts *o,
                  struct ft_table **out, struct ft_error *err);

/* shard.c: items named by strings (the queries of ranking data) seen on
 * every rank: each rank gives its n distinct names with the global index
 * of their first occurrence and their count; every rank gets the union in
 * order of first occurrence with total counts (all), and pos[i], the place
 * of name[i] in it.  Collective; 0 or FT_ENOMEM on every rank.  In one
 * process: its own names, ordered by first occurrence. */
struct ft_named {
	size_t n;
	char **name;
	uint64_t *first, *count;
};
int ft_dist_merge_named(char *const *name, const uint64_t *first, const uint64_t *count,
                        size_t n, struct ft_named *all, size_t *pos);
void ft_named_free(struct ft_named *a);

/* encode_dist.c: the encoder's statistics over every rank (one process:
 * over its rows).  Collective; 0 or FT_ENOMEM on every rank.
 * merge_values: the texts of v whose count (value id -> used rows) is not
 * 0, over every rank: sorted (strcmp), each with its total count.
 * merge_keys: the sorted union of the keys of a map over every rank.
 * first_values: up to max distinct values of column j over the used rows
 * in row order, as "'a', 'b'" in list (size bytes); *more when max were
 * found.  first_value: the first used value of column j (malloc'ed, NULL
 * without used rows) and whether another value occurs. */
int ft_enc_merge_values(const struct ft_values *v, const size_t *count, char ***out_s,
                        size_t **out_c, size_t *out_n);
int ft_enc_merge_keys(const struct ft_strmap *keys, char ***out, size_t *n);
int ft_enc_first_values(const struct ft_table *t, size_t j, const unsigned char *use,
                        size_t max, char *list, size_t size, int *more);
int ft_enc_first_value(const struct ft_table *t, size_t j, const unsigned char *use,
                       char **first, int *two);

/* encode_dist.c: every rank's rows of d on every rank, in global order:
 * *out owns num, code, w, y, group and line (row, the local table rows,
 * is NULL); free it with ft_dataset_gathered_free.  Collective; FT_ENOMEM
 * or 0 on every rank. */
int ft_dataset_gather(const struct ft_dataset *d, struct ft_dataset *out);
void ft_dataset_gathered_free(struct ft_dataset *d);

/* encode.c: the error of a training part left without rows by encoding
 * (the counts of st). */
int ft_encode_none_left(const char *path, const struct ft_encode_stats *st,
                        struct ft_error *err);

/* split.c: the key of global row i under seed: a bijection of i, so
 * that keys never tie; rows of a stratum go to parts and folds in key
 * order. */
uint64_t ft_split_key(uint64_t seed, uint64_t i);
/* The missing-value tokens of o (csv.c): o->missing, or the defaults "",
 * "?", "NA" when o or o->missing is NULL; *n gets their number. */
const char *const *ft_missing_tokens(const struct ft_read_opts *o, size_t *n);

/* Parse a whole cell as a double: leading and trailing blanks allowed,
 * nothing else.  Returns 0 for a finite number, 1 when s is not a number,
 * 2 when it is a number but not finite ("nan", "inf", "1e999"). */
int ft_parse_double(const char *s, double *v);

/* A number as the readers scan it: the longest prefix of s[at..end) of the
 * form -?[0-9]*(\.[0-9]*)?, its digits as an integer m (exact up to 19
 * digits; the callers take at most 15), where they start (d0) and end,
 * and the position after the point (dot, 0 without one).  csv.c's
 * canonical decimals and ft_parse_plain_decimal are rules on top. */
struct ft_numtok {
	size_t d0, end, dot;
	uint64_t m;
	int neg;
};

static inline void ft_num_scan(const char *s, size_t at, size_t end, struct ft_numtok *t)
{
	size_t k = at;

	t->neg = k < end && s[k] == '-';
	k += (size_t)t->neg;
	t->d0 = k;
	t->dot = 0;
	t->m = 0;
	for (; k < end; k++) {
		unsigned d = (unsigned)((unsigned char)s[k] - '0');
		if (d <= 9)
			t->m = t->m * 10 + d;
		else if (s[k] == '.' && !t->dot)
			t->dot = k + 1;
		else
			break;
	}
	t->end = k;
}

/* Digits before the point, and in all. */
static inline size_t ft_num_whole(const struct ft_numtok *t)
{
	return (t->dot ? t->dot - 1 : t->end) - t->d0;
}

static inline size_t ft_num_digits(const struct ft_numtok *t)
{
	return t->end - t->d0 - (t->dot != 0);
}

/* The len bytes at s (s[len] is not read) of the form -?[0-9]+(\.[0-9]+)?
 * with at most 15 digits: 1 with its value in *v (m / 10^dec of two exact
 * doubles, one correctly rounded division: the double strtod gives), else
 * 0 and the caller parses it the general way (the LETOR reader's fast
 * path). */
int ft_parse_plain_decimal(const char *s, size_t len, double *v);

/* Length of target value v after stripping, repeatedly, any character of
 * strip (may be NULL) from its end: ">50K." with "." -> 4. */
size_t ft_label_len(const char *v, const char *strip);

/* The group key of a row: the cells of columns cols[0..n) joined with "&"
 * into *buf (grown as needed, NUL-terminated, length in *len).  Returns 0,
 * 1 when one of the cells is missing (buf is then unspecified), or
 * FT_ENOMEM. */
int ft_group_key(const struct ft_table *t, size_t row, const long *cols,
                 size_t n, char **buf, size_t *cap, size_t *len);

/* The group key of every row of t (as ft_group_key makes it), interned:
 * key[i] is the id in *keys of row i's key, or -1 when use[i] is 0 (use
 * may be NULL: every row is used) or one of the row's cells is missing;
 * key may be NULL when only the set of keys is wanted.
 * keys is an initialised map; keys new to it get ids in order of first
 * appearance over the used rows, exactly as if each row's key were put in
 * turn.  The work per row is an array lookup (n == 1) or one hash of the
 * row's n value ids; the key text is built once per distinct combination.
 * Returns 0 or FT_ENOMEM. */
int ft_group_ids(const struct ft_table *t, const long *cols, size_t n,
                 const unsigned char *use, long *key, struct ft_strmap *keys);
/* The same for rows [lo, hi) of t alone: key[i - lo] (and use[i - lo]) is
 * row i's.  Calls over consecutive ranges with one map give the ids of one
 * call over all of them. */
int ft_group_ids_range(const struct ft_table *t, const long *cols, size_t n, size_t lo,
                       size_t hi, const unsigned char *use, long *key,
                       struct ft_strmap *keys);

/* Write "a, b, c" (the table's column names) into buf, cut with ", ..." so
 * that it fits in size bytes; used in "no column 'x' (columns: ...)". */
void ft_col_list(const struct ft_table *t, char *buf, size_t size);
/* "PATH: no WHATcolumn 'NAME' (columns: ...)" with a hint when the file
 * looks read with the wrong delimiter (one column whose name holds ';',
 * tabs, '|' or blanks); returns code. */
int ft_no_column(const struct ft_table *t, const char *what, const char *name, int code,
                 struct ft_error *err);

/* encoder_check.c: is column c of e a model feature (sensitive columns
 * are when e->use_sensitive)?  The column of e with name and role, or -1.
 * n non-NULL strings (v may be NULL when n is 0)? */
int ft_column_is_feature(const struct ft_encoder *e, const struct ft_column *c);
long ft_encoder_find_col(const struct ft_encoder *e, const char *name, int role);
int ft_strv_ok(char *const *v, size_t n);
/* Is e whole and consistent (roles, types, finite statistics, sorted
 * categories, the feature layout of fairtrain.h, names)?  0, or FT_EINVAL /
 * FT_ENUMERIC with the reason in why (n bytes). */
int ft_encoder_check(const struct ft_encoder *e, char *why, size_t n);

/* letor.c: ft_rank_data_from_table, and when qfirst is not NULL the
 * table row of each query's first row (*qfirst malloc'ed, n_queries). */
int ft_rank_data_from_table_at(const struct ft_table *t, const struct ft_encoder *e,
                               const char *query, int mode, struct ft_rank_data **out,
                               struct ft_encode_stats *st, size_t **qfirst,
                               struct ft_error *err);

/* letor.c: the queries q of rd with keep[q] == want, as a new struct. */
int ft_rank_data_select(const struct ft_rank_data *rd, const unsigned char *keep,
                        unsigned char want, struct ft_rank_data **out);

/* letor_encode.c: the pass-through encoder of LETOR training data rd: one
 * numeric column per feature index "f1" .. "fP", mean 0 and sd 1; column K
 * (1-based, 0 = none) is the sensitive one, a feature unless colorblind,
 * with rd's groups.  NULL when out of memory. */
struct ft_encoder *ft_letor_encoder(const struct ft_rank_data *rd, size_t K,
                                   int colorblind);
/* Query folds (letor.c): the split of ft_table_split_query and
 * ft_rank_data_split with k = 0, or fold `fold` of k >= 2: the same shuffle
 * of the queries, the queries at shuffled positions p with p mod k ==
 * fold in the test part (FT_EDATA with fewer queries than folds). */
int ft_table_fold_query(const struct ft_table *t, const char *query, double test_frac,
                        size_t k, size_t fold, uint64_t seed, struct ft_table **train,
                        struct ft_table **test, struct ft_error *err);
int ft_rank_data_fold(const struct ft_rank_data *rd, double test_frac, size_t k,
                      size_t fold, uint64_t seed, struct ft_rank_data **train,
                      struct ft_rank_data **test, struct ft_error *err);

/* LETOR data raw aligned to such an encoder e: e's features by column
 * index, 0 where raw has no such index; groups from column K == V, or
 * (by_value) the encoder's group "fK=v" of the item's value (-1 for a value
 * the training data did not have).  *n_extra counts raw's feature indices
 * beyond e's columns (ignored). */
int ft_letor_apply(const struct ft_encoder *e, size_t K, double V, int by_value,
                   const struct ft_rank_data *raw, struct ft_rank_data **out,
                   size_t *n_extra, struct ft_error *err);

#endif
