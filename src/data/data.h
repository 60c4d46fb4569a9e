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

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

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

/* The missing-value tokens of o (csv.c): o->missing, or the defaults "",
 * "?", "NA" when o or o->missing is NULL; *n gets their number. */
const char *const *ft_missing_tokens(const struct ft_read_opts *o, size_t *n);

/* Parse a whole cell as a double: leading and trailing blanks allowed,
 * nothing else.  Returns 0 for a finite number, 1 when s is not a number,
 * 2 when it is a number but not finite ("nan", "inf", "1e999"). */
int ft_parse_double(const char *s, double *v);

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
