/*
 * test_memtable.c - ft_table_from_columns (src/data/memtable.c): the table
 * built from columns in memory is the one ft_table_read makes of the same
 * values in a CSV file (cell texts, missing cells, value order), so the
 * encoder gives the same encoder and the same encoded rows, bit for bit
 * (tiny data, then UCI Adult rebuilt column by column); numbers round-trip
 * through their text exactly; every error message; and a fuzz-style loop of
 * random, often malformed, columns that must give either a well-formed
 * table or one error line, never a crash or a leak (run it under
 * make SANITIZE=1 test).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fairtrain.h"
#include "t.h"

static char tmpdir[] = "/tmp/ft_test_memtable.XXXXXX";

static struct ft_mem_column numbers(const char *name, const double *x)
{
	struct ft_mem_column c;

	memset(&c, 0, sizeof c);
	c.name = name;
	c.kind = FT_COL_NUMBERS;
	c.num = x;
	return c;
}

static struct ft_mem_column codes(const char *name, const int32_t *code,
                                  const char *const *cats, size_t n_cats)
{
	struct ft_mem_column c;

	memset(&c, 0, sizeof c);
	c.name = name;
	c.kind = FT_COL_CODES;
	c.code = code;
	c.cats = cats;
	c.n_cats = n_cats;
	return c;
}

/* The texts of column j, "(missing)" for a missing cell, joined by '|'. */
static void column_text(const struct ft_table *t, size_t j, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->n_rows && at < n; i++) {
		const char *s = ft_table_cell(t, i, j);
		at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? "|" : "",
		                       s ? s : "(missing)");
	}
}

/* Numbers are written in the shortest form that reads back exactly;
 * NaN is missing; equal doubles share one value id, in order of first
 * appearance; -0 and 0 are two texts as in a file. */
static void t_numbers(void)
{
	static const double x[] = { 39, 0.1, NAN, 1e-300, 5e-324, 1.7976931348623157e308,
	                            -0.0, 0.0, 39, 123456789012345678.0, 1.0 / 3, INFINITY,
	                            -INFINITY, 2.5 };
	size_t n = sizeof x / sizeof *x;
	struct ft_mem_column c = numbers("x", x);
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };
	char buf[512];

	T_CHECKF(ft_table_from_columns("X", n, &c, 1, NULL, &t, &e) == 0, "%s", e.msg);
	if (!t)
		return;
	column_text(t, 0, buf, sizeof buf);
	T_STREQ(buf, "39|0.1|(missing)|1e-300|4.94065645841247e-324|1.7976931348623157e+308|"
	        "-0|0|39|1.2345678901234568e+17|0.33333333333333331|inf|-inf|2.5");
	T_CHECK(t->vals[0].n == 12);
	T_CHECK(t->cell[0] == t->cell[8]);
	T_CHECK(t->cell[2] == FT_MISSING);
	for (size_t i = 0; i < n; i++) {
		const char *s = ft_table_cell(t, i, 0);
		T_CHECK(t->line[i] == i + 1);
		if (s)
			T_CHECKF(strtod(s, NULL) == x[i] &&
			         signbit(strtod(s, NULL)) == signbit(x[i]), "row %zu: %s", i, s);
	}
	T_STREQ(t->path, "X");
	T_STREQ(t->names[0], "x");
	ft_table_free(t);
}

/* The text of a number is "%.15g" when that reads back as the number,
 * else "%.17g" (the fast path for short decimals must agree with printf):
 * integers, decimals of 1 to 15 digits across scales, random doubles of
 * every exponent, the edges of fixed notation. */
static void t_number_text(void)
{
	enum { N = 60000 };
	static double x[N];
	static const double edge[] = { 1e-4, 9.9999999999999e-5, 1e15, 999999999999999.0,
	                               1e15 - 0.5, 0.1 + 0.2, 1.0 / 3, 123456.789, -0.000123,
	                               5e-5, 1e14 + 0.5, 0.30000000000000004, 1e-5, 1e20 };
	struct ft_rng r;
	struct ft_mem_column c = numbers("x", x);
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };
	size_t bad = 0, fixed = 0;

	ft_rng_seed(&r, 7);
	for (size_t i = 0; i < N; i++) {
		uint64_t u = ft_rng_next(&r);
		double scale = pow(10.0, (double)((int)(u % 40) - 20));
		switch ((u >> 8) % 4) {
		case 0:
			x[i] = (double)(int64_t)(ft_rng_next(&r) % 2000000) - 1e6;
			break;
		case 1:        /* a decimal of up to 15 digits */
			x[i] = (double)(ft_rng_next(&r) % 1000000000000000ULL) /
			       pow(10.0, (double)(ft_rng_next(&r) % 20));
			break;
		case 2:
			x[i] = (ft_rng_uniform(&r) - 0.5) * scale;
			break;
		default:
			x[i] = i < sizeof edge / sizeof *edge ? edge[i] :
			       (double)(ft_rng_next(&r) % 100000) * scale;
		}
	}
	if (ft_table_from_columns("X", N, &c, 1, NULL, &t, &e)) {
		T_FAIL("%s", e.msg);
		return;
	}
	for (size_t i = 0; i < N; i++) {
		char want[32];
		const char *got = ft_table_cell(t, i, 0);
		snprintf(want, sizeof want, "%.15g", x[i]);
		if (strtod(want, NULL) != x[i])
			snprintf(want, sizeof want, "%.17g", x[i]);
		else
			fixed++;
		if (strcmp(got, want) && bad++ < 5)
			T_FAIL("%.17g written '%s', printf '%s'", x[i], got, want);
	}
	printf("# %zu numbers, %zu of them short (%%.15g), %zu differ from printf\n",
	       (size_t)N, fixed, bad);
	ft_table_free(t);
}

/* Codes: strings trimmed of blanks, equal strings one value, missing
 * tokens and NULL strings missing, unused categories absent. */
static void t_codes(void)
{
	static const char *const cats[] = { " a", "b ", "a\t", "?", NULL, "unused", "NA",
	                                    " ", "c" };
	static const int32_t code[] = { 1, 0, 2, -1, 3, 4, 6, 7, 8, 0 };
	static const char *const tok[] = { "b" };
	struct ft_read_opts o;
	struct ft_mem_column c = codes("k", code, cats, 9);
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };
	char buf[256];

	T_CHECKF(ft_table_from_columns(NULL, 10, &c, 1, NULL, &t, &e) == 0, "%s", e.msg);
	if (!t)
		return;
	column_text(t, 0, buf, sizeof buf);
	T_STREQ(buf, "b|a|a|(missing)|(missing)|(missing)|(missing)|(missing)|c|a");
	T_CHECK(t->vals[0].n == 3);
	T_STREQ(t->vals[0].str[0], "b");
	T_CHECK(t->vals[0].len[1] == 1);
	T_STREQ(t->path, "(table)");
	ft_table_free(t);
	/* the caller's tokens replace the defaults */
	ft_read_opts_init(&o);
	o.missing = (char **)tok;
	o.n_missing = 1;
	T_CHECKF(ft_table_from_columns("T", 10, &c, 1, &o, &t, &e) == 0, "%s", e.msg);
	if (!t)
		return;
	column_text(t, 0, buf, sizeof buf);
	/* " " is the empty text, a value when "" is no token */
	T_STREQ(buf, "(missing)|a|a|(missing)|?|(missing)|NA||c|a");
	ft_table_free(t);
}

/* One error: code and exact message; out stays NULL. */
static void expect_error(size_t n_rows, const struct ft_mem_column *c, size_t nc,
                         int code, const char *msg)
{
	struct ft_table *t = (struct ft_table *)1;
	struct ft_error e = { 0 };
	int rc = ft_table_from_columns("X", n_rows, c, nc, NULL, &t, &e);

	T_CHECKF(rc == code, "rc = %d, expected %d (%s)", rc, code, e.msg);
	T_STREQ(e.msg, msg);
	T_CHECK(t == NULL);
}

static void t_errors(void)
{
	static const double x[] = { 1, NAN, 3 };
	static const int32_t bad[] = { 0, 2, 0 }, low[] = { 0, -2, 0 }, miss[] = { 0, 0, -1 };
	static const char *const cats[] = { "a", "b" }, *const qcats[] = { "a", "?" };
	struct ft_mem_column c[2];

	c[0] = numbers("x", x);
	expect_error(3, c, 0, FT_EINVAL, "X: no columns");
	expect_error(0, c, 1, FT_EDATA, "X: no data rows");
	c[1] = numbers("x", x);
	expect_error(3, c, 2, FT_EINVAL, "X: column name 'x' given twice");
	c[1].name = "";
	expect_error(3, c, 2, FT_EINVAL, "X: column 2 has no name");
	c[1].name = NULL;
	expect_error(3, c, 2, FT_EINVAL, "X: column 2 has no name");
	c[1] = numbers("y", NULL);
	expect_error(3, c, 2, FT_EINVAL, "X: column 'y': no numbers");
	c[1] = codes("k", NULL, cats, 2);
	expect_error(3, c, 2, FT_EINVAL, "X: column 'k': no codes");
	c[1] = codes("k", bad, NULL, 2);
	expect_error(3, c, 2, FT_EINVAL, "X: column 'k': no valid list of categories");
	c[1].kind = 7;
	expect_error(3, c, 2, FT_EINVAL, "X: column 'k': unknown kind 7");
	c[1] = codes("k", bad, cats, 2);
	expect_error(3, c, 2, FT_EINVAL,
	             "X:2: column 'k': code 2 is not a category (2 of them) or -1 (missing)");
	c[1] = codes("k", low, cats, 2);
	expect_error(3, c, 2, FT_EINVAL,
	             "X:2: column 'k': code -2 is not a category (2 of them) or -1 (missing)");
	c[0].required = 1;
	expect_error(3, c, 1, FT_EDATA, "X:2: column 'x': missing value (NaN)");
	c[1] = codes("k", miss, cats, 2);
	c[1].required = 1;
	c[0].required = 0;
	expect_error(3, c, 2, FT_EDATA, "X:3: column 'k': missing value");
	/* a missing-value token is a missing value */
	c[1] = codes("k", bad, qcats, 2);
	c[1].code = (const int32_t[]){ 0, 1, 0 };
	c[1].required = 1;
	expect_error(3, c, 2, FT_EDATA, "X:2: column 'k': missing value");
	c[0] = numbers("x", x);
	expect_error(SIZE_MAX / 2, c, 1, FT_EINVAL,
	             "X: 9223372036854775807 rows of 1 columns is too large");
}

/* Write rows of text to a CSV file. */
static const char *put_csv(const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Two tables encode the same: encoder statistics and every encoded row,
 * bit for bit. */
static void same_encoding(const struct ft_table *a, const struct ft_table *b,
                          const struct ft_spec *s)
{
	struct ft_encoder *ea = NULL, *eb = NULL;
	struct ft_dataset *da = NULL, *db = NULL;
	struct ft_encode_stats sa, sb;
	struct ft_error e = { 0 };

	if (ft_encoder_fit(a, s, &ea, &e) || ft_encoder_fit(b, s, &eb, &e) ||
	    ft_encoder_apply(ea, a, FT_APPLY_TRAIN, &da, &sa, &e) ||
	    ft_encoder_apply(eb, b, FT_APPLY_TRAIN, &db, &sb, &e)) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	T_CHECK(ea->n_features == eb->n_features && ea->n_num == eb->n_num &&
	        ea->n_groups == eb->n_groups);
	for (size_t k = 0; k < ea->n_features && k < eb->n_features; k++)
		T_STREQ(ea->feature_names[k], eb->feature_names[k]);
	for (size_t j = 0; j < ea->n_cols && j < eb->n_cols; j++) {
		T_CHECK(ea->cols[j].type == eb->cols[j].type);
		T_CHECK(ea->cols[j].mean == eb->cols[j].mean && ea->cols[j].sd == eb->cols[j].sd);
		T_CHECK(ea->cols[j].impute_cat == eb->cols[j].impute_cat);
	}
	for (size_t g = 0; g < ea->n_groups && g < eb->n_groups; g++)
		T_STREQ(ea->group_names[g], eb->group_names[g]);
	T_CHECK(da->n == db->n && da->p == db->p && da->n_cat == db->n_cat);
	T_CHECK(sa.n_dropped == sb.n_dropped && sa.n_imputed == sb.n_imputed);
	if (da->n == db->n && da->p == db->p && da->n_cat == db->n_cat) {
		T_CHECK(!memcmp(da->num, db->num, da->n * da->n_num * sizeof *da->num));
		T_CHECK(!memcmp(da->code, db->code, da->n * da->n_cat * sizeof *da->code));
		T_CHECK(!memcmp(da->y, db->y, da->n * sizeof *da->y));
		T_CHECK(!memcmp(da->w, db->w, da->n * sizeof *da->w));
		T_CHECK((!da->group && !db->group) ||
		        !memcmp(da->group, db->group, da->n * sizeof *da->group));
		T_CHECK(!memcmp(da->row, db->row, da->n * sizeof *da->row));
	}
done:
	ft_dataset_free(da);
	ft_dataset_free(db);
	ft_encoder_free(ea);
	ft_encoder_free(eb);
}

/* The same little data set as a CSV file and as arrays: the same cells,
 * the same encoding (types detected, '?' missing, blanks trimmed, the
 * weight and the label stripped). */
static void t_same_as_csv(void)
{
	static const double age[] = { 30, 40, 50, NAN, 20, 0.1 }, w[] = { 1, 2, 1, 0.5, 1, 3 };
	static const char *const color_c[] = { "red", " blue", "green", "?" };
	static const int32_t color[] = { 0, 1, 0, 2, 3, 1 };
	static const char *const sex_c[] = { "F", "M" };
	static const int32_t sex[] = { 0, 1, 0, 1, 0, 1 };
	static const char *const inc_c[] = { "yes", "no", "yes." };
	static const int32_t inc[] = { 0, 1, 2, 1, 1, 0 };
	/* a numeric-looking code column is detected numeric, as in a file */
	static const char *const num_c[] = { "1.5", "2", "-3e2" };
	static const int32_t num[] = { 0, 1, 2, 0, 1, 2 };
	static char *sens[] = { "sex" };
	struct ft_mem_column c[6];
	struct ft_table *a = NULL, *b = NULL;
	struct ft_error e = { 0 };
	struct ft_spec s;
	const char *path = put_csv("tiny.csv",
	                           "age,color,sex,income,w,num\n"
	                           "30,red,F,yes,1,1.5\n"
	                           "40, blue,M,no,2,2\n"
	                           "50,red,F,yes.,1,-3e2\n"
	                           "?,green,M,no,0.5,1.5\n"
	                           "20,?,F,no,1,2\n"
	                           "0.1,blue,M,yes,3,-3e2\n");

	c[0] = numbers("age", age);
	c[1] = codes("color", color, color_c, 4);
	c[2] = codes("sex", sex, sex_c, 2);
	c[3] = codes("income", inc, inc_c, 3);
	c[4] = numbers("w", w);
	c[5] = codes("num", num, num_c, 3);
	if (ft_table_read(path, NULL, &a, &e) ||
	    ft_table_from_columns("X", 6, c, 6, NULL, &b, &e)) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	for (size_t j = 0; j < 6; j++) {
		char ta[256], tb[256];
		column_text(a, j, ta, sizeof ta);
		column_text(b, j, tb, sizeof tb);
		T_STREQ(tb, ta);
		T_CHECK(a->vals[j].n == b->vals[j].n);
	}
	T_CHECK(memcmp(a->cell, b->cell, 36 * sizeof *a->cell) == 0);
	ft_spec_init(&s);
	s.target = "income";
	s.positive = "yes";
	s.label_strip = ".";
	s.sensitive = sens;
	s.n_sensitive = 1;
	s.weight = "w";
	same_encoding(a, b, &s);
	s.missing_policy = FT_MISSING_IMPUTE;
	same_encoding(a, b, &s);
done:
	ft_table_free(a);
	ft_table_free(b);
}

/* UCI Adult rebuilt from its own table as arrays (numbers where every
 * value is a finite number, else codes into the column's values): the
 * encoder of the training run, and every encoded row, are the file's. */
static void t_adult(void)
{
	char path[512];
	struct ft_read_opts o;
	struct ft_table *a = NULL, *b = NULL;
	struct ft_mem_column *c = NULL;
	double *num = NULL;
	int32_t *code = NULL;
	struct ft_error e = { 0 };
	struct ft_spec s;
	static char *sens[] = { "sex" }, *drop[] = { "fnlwgt" };

	t_have_data("adult/adult.data", path, sizeof path);
	ft_read_opts_init(&o);
	o.header = 0;
	o.names = t_adult_names();
	o.n_names = T_ADULT_N_NAMES;
	if (ft_table_read(path, &o, &a, &e)) {
		T_FAIL("%s", e.msg);
		return;
	}
	c = calloc(a->n_cols, sizeof *c);
	num = malloc(a->n_rows * a->n_cols * sizeof *num);
	code = malloc(a->n_rows * a->n_cols * sizeof *code);
	if (!c || !num || !code) {
		T_FAIL("out of memory");
		goto done;
	}
	for (size_t j = 0; j < a->n_cols; j++) {
		const struct ft_values *v = &a->vals[j];
		int all_num = 1;
		for (size_t k = 0; k < v->n && all_num; k++) {
			char *end;
			double x = strtod(v->str[k], &end);
			all_num = *end == '\0' && isfinite(x);
		}
		for (size_t i = 0; i < a->n_rows; i++) {
			uint32_t id = a->cell[i * a->n_cols + j];
			num[j * a->n_rows + i] = id == FT_MISSING ? NAN : strtod(v->str[id], NULL);
			code[j * a->n_rows + i] = id == FT_MISSING ? -1 : (int32_t)id;
		}
		c[j] = all_num ? numbers(a->names[j], num + j * a->n_rows) :
		       codes(a->names[j], code + j * a->n_rows, (const char *const *)v->str, v->n);
	}
	if (ft_table_from_columns("X", a->n_rows, c, a->n_cols, NULL, &b, &e)) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	ft_spec_init(&s);
	s.target = "income";
	s.positive = ">50K";
	s.sensitive = sens;
	s.n_sensitive = 1;
	s.drop = drop;
	s.n_drop = 1;
	same_encoding(a, b, &s);
	T_CHECK(memcmp(a->cell, b->cell, a->n_rows * a->n_cols * sizeof *a->cell) == 0);
done:
	free(c);
	free(num);
	free(code);
	ft_table_free(a);
	ft_table_free(b);
}

/* ------------------------------------------------------------ fuzzing */

static const char *const fuzz_strings[] = {
	"a", "b", " a", "a ", "?", "NA", "", " ", "\t", "1", "1.0", "-2e3", "x,y", "\"q\"",
	"inf", "nan", "0x10", "é", "long value with spaces", NULL
};
#define N_FUZZ_STRINGS (sizeof fuzz_strings / sizeof *fuzz_strings)

/* Any double: specials, small integers, or random bits. */
static double fuzz_double(struct ft_rng *r)
{
	uint64_t u = ft_rng_next(r);
	double x;

	switch (u % 8) {
	case 0: return NAN;
	case 1: return (u >> 8) & 1 ? INFINITY : -INFINITY;
	case 2: return (double)((int)(u >> 8) % 5);
	case 3: return -0.0;
	default:
		u = ft_rng_next(r);
		memcpy(&x, &u, sizeof x);
		return x;
	}
}

/* A table built without error keeps the invariants of struct ft_table. */
static void check_table(const struct ft_table *t, size_t n_rows,
                        const struct ft_mem_column *c, size_t nc, size_t iter)
{
	for (size_t j = 0; j < nc; j++) {
		const struct ft_values *v = &t->vals[j];
		unsigned char *used = calloc(v->n ? v->n : 1, 1);
		if (!used)
			return;
		for (size_t i = 0; i < n_rows; i++) {
			uint32_t id = t->cell[i * nc + j];
			const char *s = ft_table_cell(t, i, j);
			if (id != FT_MISSING) {
				T_CHECKF(id < v->n, "iteration %zu: id %u of %zu", iter, id, v->n);
				if (id >= v->n)
					break;
				used[id] = 1;
			}
			if (c[j].kind == FT_COL_NUMBERS) {
				double x = c[j].num[i];
				T_CHECKF(isnan(x) ? !s : s && (isinf(x) ? !strcmp(s, x < 0 ? "-inf" : "inf") :
				         strtod(s, NULL) == x), "iteration %zu: %g as '%s'", iter, x,
				         s ? s : "(missing)");
			}
			if (c[j].required)
				T_CHECKF(s != NULL, "iteration %zu: a required cell is missing", iter);
		}
		for (size_t k = 0; k < v->n; k++) {
			T_CHECKF(used[k], "iteration %zu: value '%s' occurs nowhere", iter, v->str[k]);
			T_CHECK(strlen(v->str[k]) == v->len[k]);
			for (size_t l = 0; l < k; l++)
				T_CHECKF(strcmp(v->str[k], v->str[l]), "iteration %zu: '%s' twice", iter,
				         v->str[k]);
		}
		free(used);
	}
}

/* Random, mostly malformed, columns: either a table that keeps the
 * invariants, then fitted and applied by the encoder with a random spec
 * (which may refuse it with one line), or one error line and no table. */
static void t_fuzz(void)
{
	struct ft_rng r;
	static const char *const names[] = { "a", "b", "c", "a", "", NULL, "y" };
	size_t n_ok = 0, n_err = 0, n_enc = 0;

	ft_rng_seed(&r, 20240607);
	for (size_t iter = 0; iter < 3000; iter++) {
		size_t n_rows = ft_rng_below(&r, 12), nc = ft_rng_below(&r, 5);
		struct ft_mem_column c[4];
		double x[4][12];
		int32_t code[4][12];
		const char *cats[4][6];
		struct ft_table *t = (struct ft_table *)1;
		struct ft_error e = { 0 };
		int rc;

		for (size_t j = 0; j < nc; j++) {
			size_t n_cats = ft_rng_below(&r, 6);
			memset(&c[j], 0, sizeof c[j]);
			c[j].name = ft_rng_below(&r, 10) ? (const char *[]){ "a", "b", "c", "y" }[j] :
			            names[ft_rng_below(&r, 7)];
			c[j].kind = ft_rng_below(&r, 40) ? (int)ft_rng_below(&r, 2) : 5;
			c[j].required = ft_rng_below(&r, 20) == 0;
			for (size_t k = 0; k < n_cats; k++)
				cats[j][k] = fuzz_strings[ft_rng_below(&r, N_FUZZ_STRINGS)];
			for (size_t i = 0; i < n_rows; i++) {
				x[j][i] = fuzz_double(&r);
				code[j][i] = (int32_t)ft_rng_below(&r, n_cats + 1) - 1;
				if (ft_rng_below(&r, 400) == 0)
					code[j][i] = (int32_t)ft_rng_next(&r);
			}
			c[j].num = ft_rng_below(&r, 50) ? x[j] : NULL;
			c[j].code = ft_rng_below(&r, 50) ? code[j] : NULL;
			c[j].cats = cats[j];
			c[j].n_cats = n_cats;
		}
		rc = ft_table_from_columns("F", n_rows, c, nc, NULL, &t, &e);
		if (rc) {
			n_err++;
			T_CHECKF(rc < 0 && e.code == rc && t == NULL, "iteration %zu: rc %d", iter, rc);
			T_CHECKF(e.msg[0] && !strchr(e.msg, '\n') && !strncmp(e.msg, "F", 1),
			         "iteration %zu: message '%s'", iter, e.msg);
			continue;
		}
		n_ok++;
		check_table(t, n_rows, c, nc, iter);
		{
			struct ft_spec s;
			struct ft_encoder *enc = NULL;
			struct ft_dataset *d = NULL;
			struct ft_encode_stats st;
			char *sens[] = { (char *)t->names[ft_rng_below(&r, t->n_cols)] };
			ft_spec_init(&s);
			s.target = t->names[ft_rng_below(&r, t->n_cols)];
			{
				/* a value of the target column, mostly */
				long tj = ft_table_col(t, s.target);
				const struct ft_values *tv = &t->vals[tj];
				s.positive = tv->n && ft_rng_below(&r, 4) ?
				             tv->str[ft_rng_below(&r, tv->n)] :
				             fuzz_strings[ft_rng_below(&r, N_FUZZ_STRINGS - 1)];
			}
			if (ft_rng_below(&r, 2) && strcmp(sens[0], s.target)) {
				s.sensitive = sens;
				s.n_sensitive = 1;
			}
			s.missing_policy = (int)ft_rng_below(&r, 2);
			e.msg[0] = '\0';
			rc = ft_encoder_fit(t, &s, &enc, &e);
			if (!rc)
				rc = ft_encoder_apply(enc, t, (int)ft_rng_below(&r, 2), &d, &st, &e);
			if (!rc)
				n_enc++;
			else
				T_CHECKF(e.msg[0] && !strchr(e.msg, '\n'), "iteration %zu: encoder "
				         "message '%s'", iter, e.msg);
			ft_dataset_free(d);
			ft_encoder_free(enc);
		}
		ft_table_free(t);
	}
	printf("# fuzz: %zu tables, %zu errors, %zu encoded\n", n_ok, n_err, n_enc);
	T_CHECK(n_ok > 300 && n_err > 300 && n_enc > 20);
}

int main(void)
{
	char probe[512];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	T_RUN(t_numbers);
	T_RUN(t_number_text);
	T_RUN(t_codes);
	T_RUN(t_errors);
	T_RUN(t_same_as_csv);
	T_RUN(t_fuzz);
	if (t_have_data("adult/adult.data", probe, sizeof probe))
		T_RUN(t_adult);
	else
		T_SKIP(t_adult, "no data sets (set FAIRTRAIN_DATA)");
	{
		char p[300];
		snprintf(p, sizeof p, "%s/tiny.csv", tmpdir);
		unlink(p);
		rmdir(tmpdir);
	}
	return t_done();
}
