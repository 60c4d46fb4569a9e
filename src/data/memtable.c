/*
 * memtable.c - a struct ft_table from columns held in memory (numbers, or
 * integer codes into a list of strings), for front ends whose data live in
 * arrays: the Python package hands over numpy arrays and pandas columns
 * without writing them to a file.
 *
 * The table is the one ft_table_read would make of the same values written
 * to a CSV file, so that everything after it (ft_encoder_fit and
 * ft_encoder_apply: type detection, categories, missing values, labels,
 * groups) follows exactly the rules of the command line:
 *  - a value is text.  A string has the blanks around it removed (libcsv
 *    trims unquoted fields) and is missing when it equals a missing-value
 *    token of the read options (default "", "?", "NA"), as in csv.c;
 *  - a number is written as "%.15g" writes it when that reads back as the
 *    same double (integers, decimals of up to 15 digits: the text of a CSV
 *    file), else as "%.17g", so the encoder's ft_parse_double gets the
 *    number exactly (any double round-trips at 17 digits); NaN is a
 *    missing cell; +-inf are written "inf" and "-inf", which the encoder
 *    treats as it treats them in a file (a numeric column refuses them);
 *  - values are numbered in order of first appearance over the rows, one id
 *    per distinct text (two codes whose strings are equal once trimmed are
 *    one value; -0 and 0 are two texts, as in a file), and only values that
 *    occur are kept: the invariants of struct ft_table.
 * Row i (0-based) gets line number i + 1, so messages read "X:13: ..." for
 * the 13th row.
 *
 * It does not interpret values (numeric or categorical, roles, labels): that
 * is the encoder's work, and the reason this file exists instead of an
 * encoder for arrays.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "data/data.h"

/* A code of a CODES column not looked at yet. */
#define UNSEEN (FT_MISSING - 1)

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Distinct doubles by bit pattern -> value id (order of first appearance);
 * open addressing, load <= 1/2. */
struct numset {
	uint32_t *slot;          /* id + 1, 0 = empty */
	size_t cap;
	double *x;               /* the values by id */
	size_t n, n_alloc;
};

static uint64_t bits_of(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof u);
	return u;
}

/* splitmix64's finalizer: every bit of the pattern moves the slot. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int numset_grow(struct numset *s)
{
	size_t cap = s->cap ? 2 * s->cap : 64, mask = cap - 1;
	uint32_t *slot = calloc(cap, sizeof *slot);

	if (!slot)
		return FT_ENOMEM;
	for (size_t id = 0; id < s->n; id++) {
		size_t i = (size_t)mix(bits_of(s->x[id])) & mask;
		while (slot[i])
			i = (i + 1) & mask;
		slot[i] = (uint32_t)(id + 1);
	}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	return 0;
}

/* The id of x, added when new; FT_MISSING when out of memory. */
static uint32_t numset_put(struct numset *s, double x)
{
	uint64_t b = bits_of(x);
	size_t i, mask;

	if (2 * (s->n + 1) > s->cap && numset_grow(s))
		return FT_MISSING;
	mask = s->cap - 1;
	for (i = (size_t)mix(b) & mask; s->slot[i]; i = (i + 1) & mask)
		if (bits_of(s->x[s->slot[i] - 1]) == b)
			return s->slot[i] - 1;
	if (s->n == s->n_alloc) {
		size_t na = s->n_alloc ? 2 * s->n_alloc : 64;
		double *nx = realloc(s->x, na * sizeof *nx);
		if (!nx)
			return FT_MISSING;
		s->x = nx;
		s->n_alloc = na;
	}
	s->x[s->n] = x;
	s->slot[i] = (uint32_t)(s->n + 1);
	return (uint32_t)s->n++;
}

/* x written as "%.15g" writes it, when x is a decimal of at most 15
 * significant digits in fixed notation (1e-4 <= |x| < 1e15): 0 when it is
 * not.  The common case (integers, a few decimals) without printf, which
 * costs a third of a microsecond a value.  With m = rint(x 10^k) for the
 * least k: m / 10^k is one correctly rounded division of two exact doubles
 * (m < 1e15 < 2^53, 10^k exact up to 10^22), so it equals x exactly when
 * strtod reads "m / 10^k" back as x; then that decimal is within half an
 * ulp of x, far inside half a unit of the 15th digit, so it is also what
 * "%.15g" rounds x to.  x 10^k is off by at most m 2^-52 < 0.25, so rint
 * finds that m. */
static int format_fixed(double x, char *buf)
{
	static const double p10[20] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	                                1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
	                                1e18, 1e19 };
	double a = fabs(x);
	char digits[24];

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	for (int k = 0; k < 20; k++) {
		double m = rint(a * p10[k]);
		int n = 0, at = 0;
		uint64_t u;
		if (m >= 1e15)
			return 0;
		if (m / p10[k] != a)
			continue;
		for (u = (uint64_t)m; u; u /= 10)
			digits[n++] = (char)('0' + u % 10);
		while (n <= k)                   /* leading zeros of 0.000123 */
			digits[n++] = '0';
		if (x < 0)
			buf[at++] = '-';
		while (n > 0) {
			if (n == k)
				buf[at++] = '.';
			buf[at++] = digits[--n];
		}
		buf[at] = '\0';
		return 1;
	}
	return 0;
}

/* x as "%.15g" writes it when that reads back as x, else "%.17g" (which
 * always does): the text a CSV file written with 15 significant digits
 * holds, and every double exactly (buf: 32 bytes). */
static void format_number(double x, char *buf)
{
	if (isinf(x)) {
		strcpy(buf, x < 0 ? "-inf" : "inf");
		return;
	}
	if (format_fixed(x, buf))
		return;
	if (!(fabs(x) >= 1e-4 && fabs(x) < 1e15)) {
		/* outside fixed notation (and 0, -0): a short exponent form? */
		snprintf(buf, 32, "%.15g", x);
		if (strtod(buf, NULL) == x)
			return;
	}
	snprintf(buf, 32, "%.17g", x);
}

/* The values of one column from n texts (NUL-terminated, back to back in
 * text, text_len bytes in all). */
static int values_from_text(struct ft_values *v, size_t n, const char *text,
                            size_t text_len)
{
	size_t at = 0;

	v->n = n;
	v->str = ft_xalloc(n, sizeof *v->str);
	v->len = ft_xalloc(n, sizeof *v->len);
	v->text = malloc(text_len ? text_len : 1);
	if (!v->str || !v->len || !v->text)
		return FT_ENOMEM;
	memcpy(v->text, text, text_len);
	for (size_t k = 0; k < n; k++) {
		v->str[k] = v->text + at;
		v->len[k] = strlen(v->str[k]);
		at += v->len[k] + 1;
	}
	return 0;
}

/* Column j of numbers into t. */
static int fill_numbers(struct ft_table *t, size_t j, const struct ft_mem_column *c,
                        struct ft_error *err)
{
	struct numset s;
	char *text = NULL;
	size_t nc = t->n_cols;
	int rc = 0;

	memset(&s, 0, sizeof s);
	for (size_t i = 0; i < t->n_rows; i++) {
		double x = c->num[i];
		uint32_t id = FT_MISSING;
		if (isnan(x)) {
			if (c->required) {
				rc = ft_error_set(err, FT_EDATA, "%s:%zu: column '%s': missing "
				                  "value (NaN)", t->path, t->line[i], c->name);
				goto done;
			}
		} else if ((id = numset_put(&s, x)) == FT_MISSING) {
			goto nomem;
		}
		t->cell[i * nc + j] = id;
	}
	if (!(text = ft_xalloc(s.n, 32)))
		goto nomem;
	{
		size_t len = 0;
		for (size_t k = 0; k < s.n; k++) {
			format_number(s.x[k], text + len);
			len += strlen(text + len) + 1;
		}
		if (values_from_text(&t->vals[j], s.n, text, len))
			goto nomem;
	}
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	free(s.slot);
	free(s.x);
	free(text);
	return rc;
}

/* Is s[0..len) one of the missing-value tokens? */
static int is_token(const char *s, size_t len, const char *const *tok, size_t n_tok)
{
	for (size_t k = 0; k < n_tok; k++)
		if (strlen(tok[k]) == len && memcmp(tok[k], s, len) == 0)
			return 1;
	return 0;
}

/* Column j of codes into t: each code's string is trimmed and looked up
 * once, when the code first occurs. */
static int fill_codes(struct ft_table *t, size_t j, const struct ft_mem_column *c,
                      const char *const *tok, size_t n_tok, struct ft_error *err)
{
	struct ft_strmap m;
	uint32_t *map = NULL;
	size_t nc = t->n_cols;
	int rc = 0;

	memset(&m, 0, sizeof m);
	if (ft_strmap_init(&m) || !(map = ft_xalloc(c->n_cats, sizeof *map)))
		goto nomem;
	for (size_t k = 0; k < c->n_cats; k++)
		map[k] = UNSEEN;
	for (size_t i = 0; i < t->n_rows; i++) {
		int32_t code = c->code[i];
		uint32_t id = FT_MISSING;
		if (code < -1 || (code >= 0 && (size_t)code >= c->n_cats)) {
			rc = ft_error_set(err, FT_EINVAL, "%s:%zu: column '%s': code %ld is "
			                  "not a category (%zu of them) or -1 (missing)", t->path,
			                  t->line[i], c->name, (long)code, c->n_cats);
			goto done;
		}
		if (code >= 0 && (id = map[code]) == UNSEEN) {
			const char *s = c->cats[code];
			size_t len = s ? strlen(s) : 0;
			long got;
			while (len > 0 && is_blank((unsigned char)*s)) {
				s++;
				len--;
			}
			while (len > 0 && is_blank((unsigned char)s[len - 1]))
				len--;
			if (!s || is_token(s, len, tok, n_tok)) {
				id = FT_MISSING;
			} else {
				if ((got = ft_strmap_put(&m, s, len, NULL)) < 0)
					goto nomem;
				id = (uint32_t)got;
			}
			map[code] = id;
		}
		if (id == FT_MISSING && c->required) {
			rc = ft_error_set(err, FT_EDATA, "%s:%zu: column '%s': missing value",
			                  t->path, t->line[i], c->name);
			goto done;
		}
		t->cell[i * nc + j] = id;
	}
	if (values_from_text(&t->vals[j], m.n, m.keys ? m.keys : "", m.keys_len))
		goto nomem;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	ft_strmap_free(&m);
	free(map);
	return rc;
}

/* The columns' names and arrays, before anything is allocated. */
static int check_columns(const char *name, size_t n_rows, const struct ft_mem_column *cols,
                         size_t n_cols, struct ft_error *err)
{
	if (n_cols == 0)
		return ft_error_set(err, FT_EINVAL, "%s: no columns", name);
	if (n_rows == 0)
		return ft_error_set(err, FT_EDATA, "%s: no data rows", name);
	if (n_rows > (FT_MISSING - 2) || n_cols > SIZE_MAX / sizeof(uint32_t) / n_rows)
		return ft_error_set(err, FT_EINVAL, "%s: %zu rows of %zu columns is too large",
		                    name, n_rows, n_cols);
	for (size_t j = 0; j < n_cols; j++) {
		const struct ft_mem_column *c = &cols[j];
		if (!c->name || !*c->name)
			return ft_error_set(err, FT_EINVAL, "%s: column %zu has no name", name,
			                    j + 1);
		for (size_t k = 0; k < j; k++)
			if (!strcmp(cols[k].name, c->name))
				return ft_error_set(err, FT_EINVAL, "%s: column name '%s' given "
				                    "twice", name, c->name);
		if (c->kind != FT_COL_NUMBERS && c->kind != FT_COL_CODES)
			return ft_error_set(err, FT_EINVAL, "%s: column '%s': unknown kind %d",
			                    name, c->name, c->kind);
		if (c->kind == FT_COL_NUMBERS ? !c->num :
		    !c->code || (c->n_cats && !c->cats) || c->n_cats > FT_MISSING - 2)
			return ft_error_set(err, FT_EINVAL, "%s: column '%s': no %s", name,
			                    c->name, c->kind == FT_COL_NUMBERS ? "numbers" :
			                    c->code ? "valid list of categories" : "codes");
	}
	return 0;
}

int ft_table_from_columns(const char *name, size_t n_rows,
                          const struct ft_mem_column *cols, size_t n_cols,
                          const struct ft_read_opts *o, struct ft_table **out,
                          struct ft_error *err)
{
	struct ft_table *t = NULL;
	size_t n_tok;
	const char *const *tok = ft_missing_tokens(o, &n_tok);
	int rc;

	*out = NULL;
	if (!name || !*name)
		name = "(table)";
	if ((rc = check_columns(name, n_rows, cols, n_cols, err)))
		return rc;
	if (!(t = calloc(1, sizeof *t)) || !(t->path = ft_strdup(name)) ||
	    !(t->names = calloc(n_cols, sizeof *t->names)) ||
	    !(t->vals = calloc(n_cols, sizeof *t->vals)) ||
	    !(t->cell = ft_xalloc(n_rows * n_cols, sizeof *t->cell)) ||
	    !(t->line = ft_xalloc(n_rows, sizeof *t->line))) {
		if (t)
			t->n_cols = n_cols;
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	t->n_rows = n_rows;
	t->n_cols = n_cols;
	for (size_t i = 0; i < n_rows; i++)
		t->line[i] = i + 1;
	for (size_t j = 0; j < n_cols; j++) {
		if (!(t->names[j] = ft_strdup(cols[j].name))) {
			rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", name);
			goto done;
		}
		rc = cols[j].kind == FT_COL_NUMBERS ? fill_numbers(t, j, &cols[j], err) :
		     fill_codes(t, j, &cols[j], tok, n_tok, err);
		if (rc)
			goto done;
	}
	*out = t;
	t = NULL;
done:
	ft_table_free(t);
	return rc;
}
