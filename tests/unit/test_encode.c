/*
 * test_encode.c - the encoder, the stratified split and the libsvm export
 * (src/data/encode.c, split.c): hand-computed means, sds, categories,
 * offsets and counts on tiny files, every error message, then the real data
 * sets (Adult, German, COMPAS; skipped when the folder is absent).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fairtrain.h"
#include "t.h"
#include "data/data.h"

static char tmpdir[] = "/tmp/ft_test_encode.XXXXXX";
static char paths[64][256];
static size_t n_paths;

static const char *put_file(const char *name, const char *text, size_t len)
{
	char *p = paths[n_paths++];
	FILE *fp;

	snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
	fp = fopen(p, "wb");
	if (!fp) {
		perror(p);
		exit(2);
	}
	fwrite(text, 1, len, fp);
	fclose(fp);
	return p;
}
#define PUT(name, text) put_file(name, text, sizeof(text) - 1)

static struct ft_table *read_csv(const char *path)
{
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };

	if (ft_table_read(path, NULL, &t, &e) != 0)
		T_FAIL("read %s: %s", path, e.msg);
	return t;
}

/* Lines 2..6.  Row 4 (line 5) misses age and has a category ("green") seen
 * only there; row 5 (line 6) misses color.  "yes." is "yes" after stripping. */
static const char tiny_text[] =
	"age,color,sex,race,income,w\n"
	"30,red,F,A,yes,1\n"
	"40,blue,M,A,no,2\n"
	"50,red,F,B,yes.,1\n"
	"?,green,M,B,no,0.5\n"
	"20,?,F,A,no,1\n";
static const char *tiny_path;

static char *s_sex[] = { "sex" }, *s_sex_race[] = { "sex", "race" };
static char *d_w[] = { "w" };

static void tiny_spec(struct ft_spec *s)
{
	ft_spec_init(s);
	s->target = "income";
	s->positive = "yes";
	s->label_strip = ".";
	s->sensitive = s_sex;
	s->n_sensitive = 1;
	s->drop = d_w;
	s->n_drop = 1;
}

/* Fit expecting an error: code and exact message; out stays NULL. */
static void fit_error(const struct ft_table *t, const struct ft_spec *s,
                      int code, const char *msg)
{
	struct ft_encoder *e = (struct ft_encoder *)1;
	struct ft_error err = { 0 };
	int rc = ft_encoder_fit(t, s, &e, &err);

	T_CHECKF(rc == code, "rc = %d, expected %d (%s)", rc, code, err.msg);
	T_STREQ(err.msg, msg);
	T_CHECK(e == NULL);
}

static void t_spec_init(void)
{
	struct ft_spec s;

	memset(&s, 0x5a, sizeof s);
	ft_spec_init(&s);
	T_CHECK(s.target == NULL && s.positive == NULL && s.label_strip == NULL);
	T_CHECK(s.sensitive == NULL && s.n_sensitive == 0);
	T_CHECK(s.privileged == NULL && s.weight == NULL);
	T_CHECK(s.drop == NULL && s.n_drop == 0);
	T_CHECK(s.categorical == NULL && s.numeric == NULL);
	T_CHECK(s.missing_policy == FT_MISSING_DROP && s.use_sensitive == 0);
}

static void t_fit_drop(void)
{
	struct ft_table *t = read_csv(tiny_path);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0 };
	double sd = sqrt(200.0 / 3.0), x[5];

	if (!t)
		return;
	tiny_spec(&s);
	T_CHECKF(ft_encoder_fit(t, &s, &e, &err) == 0, "%s", err.msg);
	if (!e)
		goto done;
	/* rows on lines 2, 3, 4 are used: age 30, 40, 50 */
	T_CHECK(e->n_cols == 6);
	T_STREQ(e->cols[0].name, "age");
	T_CHECK(e->cols[0].role == FT_ROLE_FEATURE && e->cols[0].type == FT_NUMERIC);
	T_NEAR(e->cols[0].mean, 40.0, 1e-15);
	T_NEAR(e->cols[0].sd, sd, 1e-15);
	T_CHECK(e->cols[0].offset == 0);
	T_CHECK(e->cols[1].type == FT_CATEGORICAL && e->cols[1].n_cats == 2);
	T_STREQ(e->cols[1].cats[0], "blue");   /* green was on a dropped row */
	T_STREQ(e->cols[1].cats[1], "red");
	T_CHECK(e->cols[1].impute_cat == 1);   /* red: 2 of 3 */
	T_CHECK(e->cols[1].offset == 1);
	T_CHECK(e->cols[2].role == FT_ROLE_SENSITIVE);
	T_CHECK(e->cols[3].offset == 3 && e->cols[3].n_cats == 2);
	T_CHECK(e->cols[4].role == FT_ROLE_TARGET);
	T_CHECK(e->cols[5].role == FT_ROLE_DROP);
	T_CHECK(e->n_features == 5 && e->n_num == 1 && e->n_cat == 2);
	T_STREQ(e->feature_names[0], "age");
	T_STREQ(e->feature_names[1], "color=blue");
	T_STREQ(e->feature_names[2], "color=red");
	T_STREQ(e->feature_names[3], "race=A");
	T_STREQ(e->feature_names[4], "race=B");
	T_STREQ(e->target, "income");
	T_STREQ(e->positive, "yes");
	T_STREQ(e->label_strip, ".");
	T_CHECK(e->n_sensitive == 1);
	T_STREQ(e->sensitive[0], "sex");
	T_CHECK(e->n_groups == 2);
	T_STREQ(e->group_names[0], "F");
	T_STREQ(e->group_names[1], "M");
	T_CHECK(e->privileged == NULL && e->weight == NULL);
	T_CHECK(e->missing_policy == FT_MISSING_DROP && e->use_sensitive == 0);

	T_CHECKF(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, &st, &err) == 0,
	         "%s", err.msg);
	if (!d)
		goto done;
	T_CHECK(st.n_in == 5 && st.n_dropped == 2 && st.n_imputed == 0);
	T_CHECK(st.n_unseen == 0 && st.n_unseen_groups == 0);
	T_CHECK(d->n == 3 && d->p == 5 && d->n_num == 1 && d->n_cat == 2);
	T_NEAR(d->num[0], -10.0 / sd, 1e-15);
	T_CHECK(d->num[1] == 0.0);
	T_NEAR(d->num[2], 10.0 / sd, 1e-15);
	T_CHECK(d->code[0] == 2 && d->code[1] == 3);
	T_CHECK(d->code[2] == 1 && d->code[3] == 3);
	T_CHECK(d->code[4] == 2 && d->code[5] == 4);
	T_CHECK(d->y && d->y[0] == 1 && d->y[1] == 0 && d->y[2] == 1);
	T_CHECK(d->w[0] == 1 && d->w[1] == 1 && d->w[2] == 1);
	T_CHECK(d->group && d->group[0] == 0 && d->group[1] == 1 && d->group[2] == 0);
	T_CHECK(d->n_groups == 2);
	T_CHECK(d->line[0] == 2 && d->line[1] == 3 && d->line[2] == 4);
	ft_dataset_row(d, 2, x);
	T_NEAR(x[0], 10.0 / sd, 1e-15);
	T_CHECK(x[1] == 0 && x[2] == 1 && x[3] == 0 && x[4] == 1);
	ft_dataset_free(d);
	d = NULL;

	/* predict: nothing dropped, age imputed (0), green unseen, missing
	 * color imputed with red */
	T_CHECKF(ft_encoder_apply(e, t, FT_APPLY_PREDICT, &d, &st, &err) == 0,
	         "%s", err.msg);
	if (!d)
		goto done;
	T_CHECK(d->n == 5);
	T_CHECK(st.n_in == 5 && st.n_dropped == 0 && st.n_imputed == 2);
	T_CHECK(st.n_unseen == 1 && st.n_unseen_groups == 0);
	T_CHECK(d->num[3] == 0.0);
	T_NEAR(d->num[4], -20.0 / sd, 1e-15);
	T_CHECK(d->code[6] == -1 && d->code[7] == 4);   /* green, B */
	T_CHECK(d->code[8] == 2 && d->code[9] == 3);    /* imputed red, A */
	T_CHECK(d->y[3] == 0 && d->y[4] == 0);
	T_CHECK(d->group[3] == 1 && d->group[4] == 0);
	T_CHECK(d->line[4] == 6);
	ft_dataset_row(d, 3, x);
	T_CHECK(x[0] == 0 && x[1] == 0 && x[2] == 0 && x[3] == 0 && x[4] == 1);
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

static void t_fit_impute(void)
{
	struct ft_table *t = read_csv(tiny_path);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0 };

	if (!t)
		return;
	tiny_spec(&s);
	s.missing_policy = FT_MISSING_IMPUTE;
	T_CHECKF(ft_encoder_fit(t, &s, &e, &err) == 0, "%s", err.msg);
	if (!e)
		goto done;
	/* all five rows: age 30 40 50 20 -> mean 35, sd sqrt(500/4) */
	T_NEAR(e->cols[0].mean, 35.0, 1e-15);
	T_NEAR(e->cols[0].sd, sqrt(125.0), 1e-15);
	T_CHECK(e->cols[1].n_cats == 3);
	T_STREQ(e->cols[1].cats[1], "green");
	T_CHECK(e->cols[1].impute_cat == 2);
	T_CHECK(e->cols[3].offset == 4 && e->n_features == 6);
	T_CHECK(e->missing_policy == FT_MISSING_IMPUTE);
	T_CHECKF(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, &st, &err) == 0,
	         "%s", err.msg);
	if (!d)
		goto done;
	T_CHECK(d->n == 5 && st.n_dropped == 0 && st.n_imputed == 2);
	T_CHECK(d->num[3] == 0.0);
	T_CHECK(d->code[6] == 2);   /* green */
	T_CHECK(d->code[8] == 3);   /* imputed red */
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

static void t_impute_ties_and_types(void)
{
	/* c: b a b a -> tie, the first in sorted order ("a") wins;
	 * n: numbers except one token -> categorical; k: numbers forced
	 * categorical sort as strings; z: constant -> sd 1 */
	const char *p = PUT("types.csv",
	                    "c,n,k,z,y\n"
	                    "b,1,10,0.1,p\n"
	                    "a,2,9,0.1,q\n"
	                    "b,x,100,0.1,p\n"
	                    "a,2.5,9,0.1,q\n");
	struct ft_table *t = read_csv(p);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	char *cat[] = { "k" };

	if (!t)
		return;
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "p";
	s.categorical = cat;
	s.n_categorical = 1;
	T_CHECK(ft_encoder_fit(t, &s, &e, NULL) == 0);
	if (!e)
		goto done;
	T_CHECK(e->cols[0].impute_cat == 0);
	T_CHECK(e->cols[1].type == FT_CATEGORICAL && e->cols[1].n_cats == 4);
	T_STREQ(e->cols[1].cats[0], "1");
	T_STREQ(e->cols[1].cats[3], "x");
	T_CHECK(e->cols[2].type == FT_CATEGORICAL && e->cols[2].n_cats == 3);
	T_STREQ(e->cols[2].cats[0], "10");
	T_STREQ(e->cols[2].cats[1], "100");
	T_STREQ(e->cols[2].cats[2], "9");
	T_CHECK(e->cols[2].impute_cat == 2);
	T_CHECK(e->cols[3].type == FT_NUMERIC);
	T_CHECK(e->cols[3].sd == 1.0 && e->cols[3].mean == 0.1);
	/* layout: z (the only numeric) first, then c, n, k blocks */
	T_CHECK(e->cols[3].offset == 0);
	T_CHECK(e->cols[0].offset == 1 && e->cols[1].offset == 3 &&
	        e->cols[2].offset == 7 && e->n_features == 10);
	T_STREQ(e->feature_names[9], "k=9");
	T_CHECK(e->cols[4].impute_cat == -1);
	T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
	if (d) {
		for (size_t i = 0; i < 4; i++)
			T_CHECK(d->num[i] == 0.0);  /* exactly, not 1e-17 */
		T_CHECK(d->code[0] == 2 && d->code[1] == 3 && d->code[2] == 7);
	}
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

/* A constant column whose mean does not round back to its value
 * (0.1 * 3 / 3 = 0.10000000000000002): sd 1 and exact zeros, not the
 * noise of a 1e-17 "standard deviation". */
static void t_constant_column(void)
{
	const char *p = PUT("const.csv", "z,y\n0.1,p\n0.1,q\n0.1,p\n");
	struct ft_table *t = read_csv(p);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;

	if (!t)
		return;
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "p";
	T_CHECK(ft_encoder_fit(t, &s, &e, NULL) == 0);
	if (e) {
		T_CHECK(e->cols[0].sd == 1.0 && e->cols[0].mean == 0.1);
		T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
		if (d)
			T_CHECK(d->num[0] == 0 && d->num[1] == 0 && d->num[2] == 0);
	}
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

static void t_number_errors(void)
{
	const char *pn = PUT("nan.csv", "x,y\n1,a\nnan,b\n3,a\n");
	const char *pi = PUT("big.csv", "x,y\n1,a\n2,b\n1e999,a\n");
	const char *pa = PUT("abc.csv", "x,y\n1,a\nabc,b\n-inf,a\n");
	struct ft_table *tn = read_csv(pn), *ti = read_csv(pi), *ta = read_csv(pa);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	char *num[] = { "x" }, msg[512];

	if (!tn || !ti || !ta)
		goto done;
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "a";
	snprintf(msg, sizeof msg, "%s:3: column 'x': non-finite value 'nan'", pn);
	fit_error(tn, &s, FT_EPARSE, msg);
	snprintf(msg, sizeof msg, "%s:4: column 'x': non-finite value '1e999'", pi);
	fit_error(ti, &s, FT_EPARSE, msg);
	/* not all numbers: categorical, no error */
	T_CHECK(ft_encoder_fit(ta, &s, &e, NULL) == 0);
	T_CHECK(e && e->cols[0].type == FT_CATEGORICAL && e->cols[0].n_cats == 3);
	ft_encoder_free(e);
	/* forced numeric: the first bad value, whatever its kind */
	s.numeric = num;
	s.n_numeric = 1;
	snprintf(msg, sizeof msg, "%s:3: column 'x': not a number 'abc'", pa);
	fit_error(ta, &s, FT_EPARSE, msg);
	snprintf(msg, sizeof msg, "%s:3: column 'x': non-finite value 'nan'", pn);
	fit_error(tn, &s, FT_EPARSE, msg);
done:
	ft_table_free(tn);
	ft_table_free(ti);
	ft_table_free(ta);
}

static void t_spec_errors(void)
{
	struct ft_table *t = read_csv(tiny_path);
	struct ft_spec s;
	char msg[600], *twice[] = { "sex", "sex" }, *bad[] = { "colour" };
	char *age[] = { "age" };

	if (!t)
		return;
#define P tiny_path
	tiny_spec(&s);
	s.target = "incme";
	snprintf(msg, sizeof msg, "%s: no column 'incme' (columns: age, color, sex, race, income, w)", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.target = NULL;
	snprintf(msg, sizeof msg, "%s: no target column given", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.positive = NULL;
	snprintf(msg, sizeof msg, "%s: no positive label given", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.missing_policy = 7;
	snprintf(msg, sizeof msg, "%s: unknown missing-value policy", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.n_sensitive = 0;
	s.privileged = "F";
	snprintf(msg, sizeof msg, "%s: a privileged group needs sensitive columns", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.target = "sex";
	snprintf(msg, sizeof msg, "%s: column 'sex' cannot be both the target and sensitive", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.sensitive = twice;
	s.n_sensitive = 2;
	snprintf(msg, sizeof msg, "%s: column 'sex' is listed twice as sensitive", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.weight = "w";
	snprintf(msg, sizeof msg, "%s: column 'w' cannot be both the weight and dropped", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.sensitive = bad;
	snprintf(msg, sizeof msg, "%s: no column 'colour' (columns: age, color, sex, race, income, w)", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.categorical = bad;
	s.n_categorical = 1;
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.categorical = age;
	s.n_categorical = 1;
	s.numeric = age;
	s.n_numeric = 1;
	snprintf(msg, sizeof msg, "%s: column 'age' cannot be both categorical and numeric", P);
	fit_error(t, &s, FT_EINVAL, msg);
	tiny_spec(&s);
	s.privileged = "X";
	snprintf(msg, sizeof msg, "%s: privileged group 'X' is not one of the groups: F, M", P);
	fit_error(t, &s, FT_EINVAL, msg);
	/* the usual mistake: no label_strip, so "yes." is a third label */
	tiny_spec(&s);
	s.positive = "Yes";
	snprintf(msg, sizeof msg, "%s: positive label 'Yes' does not occur in column 'income' (values: 'yes', 'no', 'yes.')", P);
	fit_error(t, &s, FT_EDATA, msg);
#undef P
	ft_table_free(t);
}

static void t_long_column_list(void)
{
	char text[4096], msg[600];
	size_t at = 0;
	const char *p;
	struct ft_table *t;
	struct ft_spec s;
	struct ft_error err = { 0 };
	struct ft_encoder *e = NULL;

	for (int j = 0; j < 60; j++)
		at += (size_t)snprintf(text + at, sizeof text - at, "%scolumn_number_%02d",
		                       j ? "," : "", j);
	at += (size_t)snprintf(text + at, sizeof text - at, "\n");
	for (int j = 0; j < 60; j++)
		at += (size_t)snprintf(text + at, sizeof text - at, "%s%d", j ? "," : "", j);
	at += (size_t)snprintf(text + at, sizeof text - at, "\n");
	p = put_file("wide.csv", text, at);
	t = read_csv(p);
	if (!t)
		return;
	ft_spec_init(&s);
	s.target = "nope";
	s.positive = "1";
	T_CHECK(ft_encoder_fit(t, &s, &e, &err) == FT_EINVAL && !e);
	snprintf(msg, sizeof msg, "%s: no column 'nope' (columns: column_number_00, column_number_01, ", p);
	T_CHECKF(strncmp(err.msg, msg, strlen(msg)) == 0, "%s", err.msg);
	T_CHECKF(strlen(err.msg) > 200 && strlen(err.msg) < FT_ERROR_MAX - 1, "%s", err.msg);
	T_CHECKF(strcmp(err.msg + strlen(err.msg) - 6, ", ...)") == 0, "%s", err.msg);
	ft_table_free(t);
}

static void t_data_errors(void)
{
	const char *p1 = PUT("one.csv", "x,s,y\n1,F,a\n2,F,b\n");
	const char *p2 = PUT("allmiss.csv", "x,s,y\n?,F,a\n2,?,b\n");
	const char *p3 = PUT("novals.csv", "x,z,s,y\n?,1,F,a\n?,2,M,b\n");
	struct ft_table *t1 = read_csv(p1), *t2 = read_csv(p2), *t3 = read_csv(p3);
	struct ft_table *tt = read_csv(tiny_path), *sub = NULL;
	struct ft_spec s;
	char msg[600];
	char *sv[] = { "s" };
	size_t yes_rows[] = { 0, 2 }, no_rows[] = { 1, 3, 4 };

	if (!t1 || !t2 || !t3 || !tt)
		goto done;
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "a";
	s.sensitive = sv;
	s.n_sensitive = 1;
	snprintf(msg, sizeof msg, "%s: sensitive column 's' has only one value ('F') in the training rows", p1);
	fit_error(t1, &s, FT_EDATA, msg);
	snprintf(msg, sizeof msg, "%s: no rows left after dropping 2 rows with missing values", p2);
	fit_error(t2, &s, FT_EDATA, msg);
	s.missing_policy = FT_MISSING_IMPUTE;  /* x may be missing, s may not */
	/* row 2 keeps: x imputable; row 3 drops (s missing) -> one row, one
	 * class: the class check comes first */
	snprintf(msg, sizeof msg, "%s: column 'y' has only one class in the training rows (all 'a')", p2);
	fit_error(t2, &s, FT_EDATA, msg);
	snprintf(msg, sizeof msg, "%s: column 'x' has no values in the training rows", p3);
	fit_error(t3, &s, FT_EDATA, msg);

	/* one class: only positives, or only negatives */
	tiny_spec(&s);
	T_CHECK(ft_table_subset(tt, yes_rows, 2, &sub, NULL) == 0);
	snprintf(msg, sizeof msg, "%s: column 'income' has only one class in the training rows (all 'yes')", tiny_path);
	fit_error(sub, &s, FT_EDATA, msg);
	ft_table_free(sub);
	sub = NULL;
	T_CHECK(ft_table_subset(tt, no_rows, 3, &sub, NULL) == 0);
	snprintf(msg, sizeof msg, "%s: positive label 'yes' does not occur in column 'income' (values: 'no')", tiny_path);
	fit_error(sub, &s, FT_EDATA, msg);
done:
	ft_table_free(sub);
	ft_table_free(t1);
	ft_table_free(t2);
	ft_table_free(t3);
	ft_table_free(tt);
}

/* Issue 12: values near +-1e308 are finite, but their sum or squares are
 * not, and standardization became "numeric feature 2 is -nan" in the
 * solver.  Refused at fit naming the column and which sum overflowed; a
 * constant column of them is fine (sd 1), and so is raw_numeric; at apply
 * a value that standardizes to infinity is refused naming file:line. */
static void t_overflow(void)
{
	const char *p1 = PUT("ovf1.csv", "x,s,y\n1e308,F,a\n1e308,M,b\n-1,F,a\n1,M,b\n");
	const char *p2 = PUT("ovf2.csv", "x,s,y\n1e200,F,a\n-1e200,M,b\n1,F,a\n1,M,b\n");
	const char *p3 = PUT("ovf3.csv", "x,s,y\n1e308,F,a\n1e308,M,b\n1e308,F,a\n1e308,M,b\n");
	const char *p4 = PUT("ovf4.csv", "x,s,y\n1,F,a\n1.5,M,b\n1,F,a\n1.5,M,b\n");
	const char *p5 = PUT("ovf5.csv", "x,s\n1.2,F\n1e308,M\n");
	struct ft_table *t1 = read_csv(p1), *t2 = read_csv(p2), *t3 = read_csv(p3);
	struct ft_table *t4 = read_csv(p4), *t5 = read_csv(p5);
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_error err = { 0 };
	struct ft_spec s;
	char msg[600], *sv[] = { "s" };

	if (!t1 || !t2 || !t3 || !t4 || !t5)
		goto done;
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "a";
	s.sensitive = sv;
	s.n_sensitive = 1;
	snprintf(msg, sizeof msg, "%s: column 'x': values too large to standardize (sum overflows)", p1);
	fit_error(t1, &s, FT_EDATA, msg);
	snprintf(msg, sizeof msg, "%s: column 'x': values too large to standardize (sum of squares overflows)", p2);
	fit_error(t2, &s, FT_EDATA, msg);
	T_CHECK(ft_encoder_fit(t3, &s, &e, NULL) == 0);
	T_CHECK(e && e->cols[0].mean == 1e308 && e->cols[0].sd == 1);
	ft_encoder_free(e);
	e = NULL;
	s.raw_numeric = 1;
	T_CHECK(ft_encoder_fit(t1, &s, &e, NULL) == 0);
	ft_encoder_free(e);
	e = NULL;
	s.raw_numeric = 0;
	/* sd 0.25: 1e308 standardizes to 4e308 */
	T_CHECK(ft_encoder_fit(t4, &s, &e, NULL) == 0);
	if (!e)
		goto done;
	T_CHECK(ft_encoder_apply(e, t5, FT_APPLY_PREDICT, &d, NULL, &err) == FT_EDATA);
	snprintf(msg, sizeof msg, "%s:3: column 'x': value '1e308' is too large to standardize", p5);
	T_STREQ(err.msg, msg);
	T_CHECK(d == NULL);
done:
	ft_encoder_free(e);
	ft_table_free(t1);
	ft_table_free(t2);
	ft_table_free(t3);
	ft_table_free(t4);
	ft_table_free(t5);
}

/* Issue 12: --label-strip yesno strips the letters of the labels
 * themselves, 'yes' and 'no' both become '', and the message said only
 * "one class (all 'yes')".  It now says what stripping did; stripping that
 * leaves the positive label alone ('.' on 'yes.') keeps the plain message
 * (t_data_errors). */
static void t_label_strip_one_class(void)
{
	const char *p = PUT("strip.csv", "x,s,y\n1,F,yes\n2,M,no\n3,F,no\n4,M,yes\n");
	struct ft_table *t = read_csv(p);
	struct ft_spec s;
	char msg[600], *sv[] = { "s" };

	if (!t)
		return;
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "yes";
	s.label_strip = "yesno";
	s.sensitive = sv;
	s.n_sensitive = 1;
	snprintf(msg, sizeof msg, "%s: column 'y' has only one class after stripping "
	         "'yesno' from the end of the labels ('yes' and 'no' both become '')", p);
	fit_error(t, &s, FT_EDATA, msg);
	ft_table_free(t);
}

static void t_weights(void)
{
	const char *pb = PUT("wabc.csv", "x,w,y\n1,1,a\n2,abc,b\n");
	const char *pn = PUT("wneg.csv", "x,w,y\n1,1,a\n2,-1,b\n");
	const char *pi = PUT("winf.csv", "x,w,y\n1,1,a\n2,inf,b\n");
	const char *pz = PUT("wzero.csv", "x,w,y\n1,0,a\n2,0.0,b\n");
	const char *pm = PUT("wmiss.csv", "x,w,y\n1,0.5,a\n5,?,b\n3,2,b\n");
	struct ft_table *tb = read_csv(pb), *tn = read_csv(pn), *ti = read_csv(pi);
	struct ft_table *tz = read_csv(pz), *tm = read_csv(pm), *tt = read_csv(tiny_path);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_encode_stats st;
	char msg[600];

	if (!tb || !tn || !ti || !tz || !tm || !tt)
		goto done;
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "a";
	s.weight = "w";
	snprintf(msg, sizeof msg, "%s:3: column 'w': not a number 'abc'", pb);
	fit_error(tb, &s, FT_EPARSE, msg);
	snprintf(msg, sizeof msg, "%s:3: column 'w': negative weight '-1'", pn);
	fit_error(tn, &s, FT_EDATA, msg);
	snprintf(msg, sizeof msg, "%s:3: column 'w': non-finite value 'inf'", pi);
	fit_error(ti, &s, FT_EPARSE, msg);
	snprintf(msg, sizeof msg, "%s: column 'w': weights sum to zero", pz);
	fit_error(tz, &s, FT_EDATA, msg);
	/* a row missing its weight is not used (even under impute) */
	s.missing_policy = FT_MISSING_IMPUTE;
	T_CHECK(ft_encoder_fit(tm, &s, &e, NULL) == 0);
	if (!e)
		goto done;
	T_STREQ(e->weight, "w");
	T_CHECK(e->cols[1].role == FT_ROLE_WEIGHT);
	T_NEAR(e->cols[0].mean, 2.0, 1e-15);  /* rows 1 and 3 */
	T_CHECK(ft_encoder_apply(e, tm, FT_APPLY_TRAIN, &d, &st, NULL) == 0);
	T_CHECK(d && d->n == 2 && st.n_dropped == 1);
	if (d)
		T_CHECK(d->w[0] == 0.5 && d->w[1] == 2.0);
	ft_dataset_free(d);
	d = NULL;
	/* predict: a missing weight is 1, and nothing is dropped */
	T_CHECK(ft_encoder_apply(e, tm, FT_APPLY_PREDICT, &d, &st, NULL) == 0);
	T_CHECK(d && d->n == 3);
	if (d)
		T_CHECK(d->w[0] == 0.5 && d->w[1] == 1.0 && d->w[2] == 2.0);
	ft_dataset_free(d);
	d = NULL;
	ft_encoder_free(e);
	e = NULL;
	/* tiny with weights: used rows' weights 1, 2, 1 */
	tiny_spec(&s);
	s.weight = "w";
	s.drop = NULL;
	s.n_drop = 0;
	T_CHECK(ft_encoder_fit(tt, &s, &e, NULL) == 0);
	T_CHECK(ft_encoder_apply(e, tt, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
	if (d)
		T_CHECK(d->n == 3 && d->w[0] == 1 && d->w[1] == 2 && d->w[2] == 1);
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(tb);
	ft_table_free(tn);
	ft_table_free(ti);
	ft_table_free(tz);
	ft_table_free(tm);
	ft_table_free(tt);
}

static void t_groups(void)
{
	struct ft_table *t = read_csv(tiny_path), *sub = NULL;
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0 };
	size_t first3[] = { 0, 1, 2 };
	char msg[600];

	if (!t)
		return;
	tiny_spec(&s);
	s.sensitive = s_sex_race;
	s.n_sensitive = 2;
	s.privileged = "M&A";
	T_CHECK(ft_encoder_fit(t, &s, &e, &err) == 0);
	if (!e)
		goto done;
	/* used rows: F&A, M&A, F&B (M&B is on a dropped row) */
	T_CHECK(e->n_groups == 3);
	T_STREQ(e->group_names[0], "F&A");
	T_STREQ(e->group_names[1], "F&B");
	T_STREQ(e->group_names[2], "M&A");
	T_STREQ(e->privileged, "M&A");
	T_CHECK(e->n_features == 3);  /* age, color=blue, color=red */
	T_CHECK(ft_encoder_apply(e, t, FT_APPLY_PREDICT, &d, &st, NULL) == 0);
	if (d) {
		T_CHECK(d->group[0] == 0 && d->group[1] == 2 && d->group[2] == 1);
		T_CHECK(d->group[3] == -1 && d->group[4] == 0);
		T_CHECK(st.n_unseen_groups == 1);
	}
	ft_dataset_free(d);
	d = NULL;
	ft_encoder_free(e);
	e = NULL;

	/* train mode drops rows of unseen groups (fitted on three rows) */
	s.missing_policy = FT_MISSING_IMPUTE;
	s.privileged = NULL;
	T_CHECK(ft_table_subset(t, first3, 3, &sub, NULL) == 0);
	T_CHECK(ft_encoder_fit(sub, &s, &e, NULL) == 0);
	T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, &st, NULL) == 0);
	if (d) {
		T_CHECK(d->n == 4 && st.n_unseen_groups == 1 && st.n_dropped == 0);
		T_CHECK(st.n_imputed == 1);  /* the missing color of line 6 */
		T_CHECK(d->line[3] == 6 && d->group[3] == 0);
	}
	ft_dataset_free(d);
	d = NULL;
	/* all rows unseen: nothing left */
	{
		const char *p = PUT("unseen.csv", "age,color,sex,race,income\n1,red,M,B,yes\n");
		struct ft_table *u = read_csv(p);
		struct ft_error e2 = { 0 };
		if (u) {
			d = (struct ft_dataset *)1;
			T_CHECK(ft_encoder_apply(e, u, FT_APPLY_TRAIN, &d, &st, &e2) == FT_EDATA);
			T_CHECK(d == NULL);
			snprintf(msg, sizeof msg, "%s: no rows left after dropping 0 rows with missing values and 1 rows with unseen groups", p);
			T_STREQ(e2.msg, msg);
			ft_table_free(u);
		}
	}
	/* no sensitive columns at all */
	ft_encoder_free(e);
	e = NULL;
	s.n_sensitive = 0;
	T_CHECK(ft_encoder_fit(t, &s, &e, NULL) == 0);
	if (e) {
		T_CHECK(e->n_groups == 0 && e->group_names == NULL);
		/* sex is now an ordinary feature */
		T_CHECK(e->cols[2].role == FT_ROLE_FEATURE && e->cols[2].n_cats == 2);
		T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
		T_CHECK(d && d->group == NULL && d->n_groups == 0);
	}
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(sub);
	ft_table_free(t);
}

/* Groups are the joined text of the sensitive values, not their
 * combinations: "a&b" + "c" and "a" + "b&c" are one group "a&b&c", in
 * fitting, encoding and splitting alike. */
static void t_group_key_text(void)
{
	const char *p = PUT("amp.csv",
	                    "x,g1,g2,y\n"
	                    "1,a&b,c,yes\n"
	                    "2,a,b&c,no\n"
	                    "3,a,c,yes\n"
	                    "4,a&b,c,no\n"
	                    "5,a,b&c,yes\n"
	                    "6,a,c,no\n");
	char *sens[] = { "g1", "g2" };
	struct ft_table *t = read_csv(p), *tr = NULL, *te = NULL;
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;

	if (!t)
		return;
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "yes";
	s.sensitive = sens;
	s.n_sensitive = 2;
	T_CHECK(ft_encoder_fit(t, &s, &e, NULL) == 0);
	if (!e)
		goto done;
	T_CHECK(e->n_groups == 2);
	T_STREQ(e->group_names[0], "a&b&c");
	T_STREQ(e->group_names[1], "a&c");
	T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
	if (d) {
		T_CHECK(d->n == 6 && d->group[0] == 0 && d->group[1] == 0);
		T_CHECK(d->group[2] == 1 && d->group[4] == 0 && d->group[5] == 1);
	}
	/* strata (label, group): ("yes", a&b&c) is lines 2 and 6 and
	 * ("no", a&b&c) lines 3 and 5, so one of each pair is in the test part
	 * (as strata of their own, each line would be: round(0.5) = 1) */
	T_CHECK(ft_table_split(t, &s, 0.5, 3, &tr, &te, NULL) == 0);
	if (te) {
		size_t yes = 0, no = 0;
		for (size_t i = 0; i < te->n_rows; i++) {
			yes += te->line[i] == 2 || te->line[i] == 6;
			no += te->line[i] == 3 || te->line[i] == 5;
		}
		T_CHECK(te->n_rows == 4 && tr->n_rows == 2 && yes == 1 && no == 1);
	}
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(tr);
	ft_table_free(te);
	ft_table_free(t);
}

static void t_use_sensitive(void)
{
	struct ft_table *t = read_csv(tiny_path);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;

	if (!t)
		return;
	tiny_spec(&s);
	s.use_sensitive = 1;
	T_CHECK(ft_encoder_fit(t, &s, &e, NULL) == 0);
	if (!e)
		goto done;
	T_CHECK(e->use_sensitive == 1);
	T_CHECK(e->cols[2].role == FT_ROLE_SENSITIVE && e->cols[2].type == FT_CATEGORICAL);
	T_CHECK(e->cols[2].offset == 3 && e->cols[3].offset == 5 && e->n_features == 7);
	T_STREQ(e->feature_names[3], "sex=F");
	T_STREQ(e->feature_names[4], "sex=M");
	T_CHECK(e->n_cat == 3 && e->n_groups == 2);
	T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
	if (d)
		T_CHECK(d->n_cat == 3 && d->code[1] == 3 && d->code[4] == 4 && d->group[1] == 1);
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

static void t_apply_other_table(void)
{
	/* columns reordered, an extra column, no target, no weight, no sex */
	const char *p = PUT("other.csv",
	                    "extra,race,color,age\n"
	                    "z,B,blue,45\n"
	                    "z,C,purple,?\n");
	const char *pn = PUT("noage.csv", "race,color\nA,red\n");
	const char *py = PUT("ymiss.csv", "age,color,sex,race,income\n30,red,F,A,?\n40,red,M,A,yes.\n");
	struct ft_table *t = read_csv(tiny_path), *o = read_csv(p), *na = read_csv(pn);
	struct ft_table *ym = read_csv(py);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0 };
	double sd = sqrt(200.0 / 3.0);
	char msg[600];

	if (!t || !o || !na || !ym)
		goto done;
	tiny_spec(&s);
	T_CHECK(ft_encoder_fit(t, &s, &e, NULL) == 0);
	if (!e)
		goto done;
	T_CHECKF(ft_encoder_apply(e, o, FT_APPLY_PREDICT, &d, &st, &err) == 0, "%s", err.msg);
	if (d) {
		T_CHECK(d->n == 2 && d->y == NULL && d->group == NULL);
		T_NEAR(d->num[0], 5.0 / sd, 1e-15);
		T_CHECK(d->code[0] == 1 && d->code[1] == 4);
		T_CHECK(d->num[1] == 0 && d->code[2] == -1 && d->code[3] == -1);
		T_CHECK(st.n_unseen == 2 && st.n_imputed == 1 && st.n_dropped == 0);
		T_CHECK(d->w[0] == 1 && d->w[1] == 1);
	}
	ft_dataset_free(d);
	d = (struct ft_dataset *)1;
	/* train mode needs the target */
	snprintf(msg, sizeof msg, "%s: no column 'income' (columns: extra, race, color, age)", p);
	T_CHECK(ft_encoder_apply(e, o, FT_APPLY_TRAIN, &d, NULL, &err) == FT_EDATA);
	T_STREQ(err.msg, msg);
	T_CHECK(d == NULL);
	/* a feature column is always needed */
	ft_error_clear(&err);
	snprintf(msg, sizeof msg, "%s: no column 'age' (columns: race, color)", pn);
	T_CHECK(ft_encoder_apply(e, na, FT_APPLY_PREDICT, &d, NULL, &err) == FT_EDATA);
	T_STREQ(err.msg, msg);
	ft_error_clear(&err);
	T_CHECK(ft_encoder_apply(e, na, 5, &d, NULL, &err) == FT_EINVAL);
	/* predict: a missing target cell is y = -1 */
	T_CHECK(ft_encoder_apply(e, ym, FT_APPLY_PREDICT, &d, NULL, NULL) == 0);
	if (d)
		T_CHECK(d->y[0] == -1 && d->y[1] == 1 && d->group[1] == 1);
	ft_dataset_free(d);
	d = NULL;
	/* train: it is dropped */
	T_CHECK(ft_encoder_apply(e, ym, FT_APPLY_TRAIN, &d, &st, NULL) == 0);
	if (d)
		T_CHECK(d->n == 1 && st.n_dropped == 1 && d->y[0] == 1 && d->line[0] == 3);
	ft_dataset_free(d);
	d = NULL;
	/* a bad number in a numeric feature */
	{
		const char *pb = PUT("badnum.csv", "age,color,race\n3x,red,A\n");
		struct ft_table *b = read_csv(pb);
		ft_error_clear(&err);
		snprintf(msg, sizeof msg, "%s:2: column 'age': not a number '3x'", pb);
		T_CHECK(b && ft_encoder_apply(e, b, FT_APPLY_PREDICT, &d, NULL, &err) == FT_EPARSE);
		T_STREQ(err.msg, msg);
		ft_table_free(b);
	}
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
	ft_table_free(o);
	ft_table_free(na);
	ft_table_free(ym);
}

/* An encoder built field by field with malloc, as a model-file reader
 * would, is released by ft_encoder_free (checked by ASan). */
static char *sdup(const char *s)
{
	char *d = malloc(strlen(s) + 1);
	strcpy(d, s);
	return d;
}

static void t_encoder_free_handmade(void)
{
	struct ft_encoder *e = calloc(1, sizeof *e);

	e->n_cols = 2;
	e->cols = calloc(2, sizeof *e->cols);
	e->cols[0].name = sdup("age");
	e->cols[1].name = sdup("sex");
	e->cols[1].type = FT_CATEGORICAL;
	e->cols[1].n_cats = 2;
	e->cols[1].cats = calloc(2, sizeof(char *));
	e->cols[1].cats[0] = sdup("F");
	e->cols[1].cats[1] = sdup("M");
	e->n_features = 3;
	e->feature_names = calloc(3, sizeof(char *));
	e->feature_names[0] = sdup("age");
	e->feature_names[1] = sdup("sex=F");
	e->feature_names[2] = sdup("sex=M");
	e->target = sdup("y");
	e->positive = sdup("1");
	e->n_sensitive = 1;
	e->sensitive = calloc(1, sizeof(char *));
	e->sensitive[0] = sdup("sex");
	e->n_groups = 2;
	e->group_names = calloc(2, sizeof(char *));
	e->group_names[0] = sdup("F");
	e->group_names[1] = sdup("M");
	e->privileged = sdup("M");
	ft_encoder_free(e);
	ft_encoder_free(NULL);
	ft_dataset_free(NULL);
	T_CHECK(1);
}

static int read_text(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp)
		return -1;
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return 0;
}

static int count_tmp_files(void)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -1;
	while ((de = readdir(dir)) != NULL)
		n += strstr(de->d_name, ".tmp.") != NULL;
	closedir(dir);
	return n;
}

static void t_libsvm(void)
{
	const char *p = PUT("svm.csv",
	                    "x,z,c,y\n"
	                    "1,5,a,p\n"
	                    "3,5,b,n\n"
	                    "1,5,b,n\n"
	                    "3,5,a,p\n");
	const char *pq = PUT("svmq.csv", "c,x,z\na,0,1\nb,2,3\n");
	struct ft_table *t = read_csv(p), *q = read_csv(pq);
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_error err = { 0 };
	char out[300], text[1024], want[1024];

	if (!t || !q)
		goto done;
	snprintf(out, sizeof out, "%s/out.svm", tmpdir);
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "p";
	T_CHECK(ft_encoder_fit(t, &s, &e, NULL) == 0);
	T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
	if (!d)
		goto done;
	/* x: mean 2, sd 1; z constant: 0, never written; c=a is 3, c=b is 4 */
	T_CHECKF(ft_dataset_write_libsvm(d, out, &err) == 0, "%s", err.msg);
	T_CHECK(read_text(out, text, sizeof text) == 0);
	T_STREQ(text, "+1 1:-1 3:1\n-1 1:1 4:1\n-1 1:-1 4:1\n+1 1:1 3:1\n");
	T_CHECK(count_tmp_files() == 0);
	ft_dataset_free(d);
	d = NULL;
	/* no target: label 0; %.17g for values that need it; x: 0 and 2 ->
	 * mean 1, sd 1, the 0 of z's mean 3 ... skipped only when exactly 0 */
	T_CHECK(ft_encoder_apply(e, q, FT_APPLY_PREDICT, &d, NULL, NULL) == 0);
	if (!d)
		goto done;
	T_CHECK(ft_dataset_write_libsvm(d, out, &err) == 0);
	T_CHECK(read_text(out, text, sizeof text) == 0);
	snprintf(want, sizeof want, "0 1:%.15g 2:%.15g 3:1\n0 2:%.15g 4:1\n",
	         (0.0 - 2.0) / 1.0, (1.0 - 5.0) / 1.0, (3.0 - 5.0) / 1.0);
	T_STREQ(text, want);
	/* fractional values: the shortest decimal that reads back (1/3 needs 16
	 * digits, 0.1 one), never a longer one */
	d->num[0] = 1.0 / 3.0;
	T_CHECK(ft_dataset_write_libsvm(d, out, &err) == 0);
	T_CHECK(read_text(out, text, sizeof text) == 0);
	{
		const char *lit = "0 1:0.3333333333333333 2:-4 3:1\n";
		T_CHECKF(strncmp(text, lit, strlen(lit)) == 0, "%s", text);
		T_CHECK(strtod(text + 4, NULL) == 1.0 / 3.0);
	}
	d->num[0] = 0.1;
	T_CHECK(ft_dataset_write_libsvm(d, out, &err) == 0);
	T_CHECK(read_text(out, text, sizeof text) == 0);
	T_CHECKF(strncmp(text, "0 1:0.1 2:", 10) == 0, "%s", text);
	/* a directory that does not exist: an error, nothing left behind */
	{
		char bad[400];
		snprintf(bad, sizeof bad, "%s/no/such/dir/out.svm", tmpdir);
		T_CHECK(ft_dataset_write_libsvm(d, bad, NULL) == FT_EIO);
	}
	T_CHECK(count_tmp_files() == 0);
	unlink(out);
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
	ft_table_free(q);
}

/* ------------------------------------------------------------------ split */

/* 40 rows: strata (p,A) 10 (two written "p."), (n,A) 6, (p,B) 4, (n,B) 20,
 * interleaved. */
static const char *split_file(void)
{
	static char text[2048];
	size_t at = 0;
	int cnt[4] = { 10, 6, 4, 20 };
	const char *y[4] = { "p", "n", "p", "n" }, *g[4] = { "A", "A", "B", "B" };

	at += (size_t)snprintf(text + at, sizeof text - at, "id,y,g\n");
	for (int i = 0; at < sizeof text && (cnt[0] + cnt[1] + cnt[2] + cnt[3]); i++) {
		int k = i % 4;
		if (!cnt[k])
			continue;
		cnt[k]--;
		at += (size_t)snprintf(text + at, sizeof text - at, "%d,%s%s,%s\n", i,
		                       y[k], (k == 0 && cnt[k] < 2) ? "." : "", g[k]);
	}
	return put_file("split.csv", text, at);
}

static int stratum_of(const struct ft_table *t, size_t i)
{
	const char *y = ft_table_cell(t, i, 1), *g = ft_table_cell(t, i, 2);
	return (y[0] == 'p' ? 0 : 1) + (g[0] == 'A' ? 0 : 2);
}

static void t_split(void)
{
	const char *p = split_file();
	struct ft_table *t = read_csv(p), *tr = NULL, *te = NULL, *tr2 = NULL, *te2 = NULL;
	struct ft_spec s;
	struct ft_error err = { 0 };
	char *sg[] = { "g" };
	int in_test[4] = { 0 }, total[4] = { 0 };
	/* strata (p,A) 10, (n,A) 6, (p,B) 4, (n,B) 20: round(.25 n) with
	 * halves rounded up */
	const int expect[4] = { 3, 2, 1, 5 };

	if (!t)
		return;
	T_CHECK(t->n_rows == 40);
	ft_spec_init(&s);
	s.target = "y";
	s.positive = "p";
	s.label_strip = ".";
	s.sensitive = sg;
	s.n_sensitive = 1;
	T_CHECKF(ft_table_split(t, &s, 0.25, 42, &tr, &te, &err) == 0, "%s", err.msg);
	if (!tr || !te)
		goto done;
	T_CHECK(te->n_rows == 11 && tr->n_rows == 29);
	for (size_t i = 0; i < te->n_rows; i++)
		in_test[stratum_of(te, i)]++;
	for (size_t i = 0; i < t->n_rows; i++)
		total[stratum_of(t, i)]++;
	T_CHECK(total[0] == 10 && total[1] == 6 && total[2] == 4 && total[3] == 20);
	for (int k = 0; k < 4; k++)
		T_CHECKF(in_test[k] == expect[k], "stratum %d: %d in test", k, in_test[k]);
	/* original order kept in both parts */
	for (size_t i = 1; i < te->n_rows; i++)
		T_CHECK(te->line[i] > te->line[i - 1]);
	for (size_t i = 1; i < tr->n_rows; i++)
		T_CHECK(tr->line[i] > tr->line[i - 1]);
	/* the same seed gives the same split; another seed another one */
	T_CHECK(ft_table_split(t, &s, 0.25, 42, &tr2, &te2, NULL) == 0);
	if (te2) {
		int same = te2->n_rows == te->n_rows;
		for (size_t i = 0; same && i < te->n_rows; i++)
			same = te->line[i] == te2->line[i];
		T_CHECK(same);
	}
	ft_table_free(tr2);
	ft_table_free(te2);
	tr2 = te2 = NULL;
	T_CHECK(ft_table_split(t, &s, 0.25, 43, &tr2, &te2, NULL) == 0);
	if (te2) {
		int same = te2->n_rows == te->n_rows;
		for (size_t i = 0; same && i < te->n_rows; i++)
			same = te->line[i] == te2->line[i];
		T_CHECK(!same);
	}
	/* the documented algorithm, redone here: within each stratum the
	 * rows with the round(f * n) smallest keys ft_split_key(seed, row)
	 * go to test */
	{
		size_t mark[40] = { 0 }, n[4] = { 0 }, k = 0;
		for (size_t i = 0; i < t->n_rows; i++)
			n[stratum_of(t, i)]++;
		for (size_t i = 0; i < t->n_rows; i++) {
			int st = stratum_of(t, i);
			size_t below = 0, nt = (size_t)floor(0.25 * (double)n[st] + 0.5);
			for (size_t j = 0; j < t->n_rows; j++)
				below += stratum_of(t, j) == st &&
				         ft_split_key(42, j) < ft_split_key(42, i);
			mark[i] = below < nt;
		}
		for (size_t i = 0; i < t->n_rows; i++) {
			if (!mark[i])
				continue;
			T_CHECK(k < te->n_rows && te->line[k] == t->line[i]);
			k++;
		}
		T_CHECK(k == te->n_rows);
	}
done:
	ft_table_free(tr);
	ft_table_free(te);
	ft_table_free(tr2);
	ft_table_free(te2);
	ft_table_free(t);
}

static void t_split_errors(void)
{
	const char *p = PUT("sp.csv", "y,g\na,x\nb,y\nb,y\n");
	struct ft_table *t = read_csv(p), *tr = (struct ft_table *)1, *te = (struct ft_table *)1;
	struct ft_spec s;
	struct ft_error err = { 0 };
	char msg[600], *bad[] = { "gg" };

	if (!t)
		return;
	ft_spec_init(&s);
	s.target = "y";
	snprintf(msg, sizeof msg, "%s: test fraction 0 is not in (0, 1)", p);
	T_CHECK(ft_table_split(t, &s, 0.0, 1, &tr, &te, &err) == FT_EINVAL);
	T_STREQ(err.msg, msg);
	T_CHECK(tr == NULL && te == NULL);
	T_CHECK(ft_table_split(t, &s, 1.0, 1, &tr, &te, NULL) == FT_EINVAL);
	T_CHECK(ft_table_split(t, &s, NAN, 1, &tr, &te, NULL) == FT_EINVAL);
	ft_error_clear(&err);
	s.target = "yy";
	snprintf(msg, sizeof msg, "%s: no column 'yy' (columns: y, g)", p);
	T_CHECK(ft_table_split(t, &s, 0.5, 1, &tr, &te, &err) == FT_EINVAL);
	T_STREQ(err.msg, msg);
	ft_error_clear(&err);
	s.target = "y";
	s.sensitive = bad;
	s.n_sensitive = 1;
	snprintf(msg, sizeof msg, "%s: no column 'gg' (columns: y, g)", p);
	T_CHECK(ft_table_split(t, &s, 0.5, 1, &tr, &te, &err) == FT_EINVAL);
	T_STREQ(err.msg, msg);
	s.n_sensitive = 0;
	/* strata a:1, b:2 -> round(0.1) = 0 and round(0.2) = 0: test empty */
	ft_error_clear(&err);
	snprintf(msg, sizeof msg, "%s: a test fraction of 0.1 leaves the test part empty (3 rows)", p);
	T_CHECK(ft_table_split(t, &s, 0.1, 1, &tr, &te, &err) == FT_EDATA);
	T_STREQ(err.msg, msg);
	/* round(0.9) = 1 and round(1.8) = 2: training empty */
	ft_error_clear(&err);
	snprintf(msg, sizeof msg, "%s: a test fraction of 0.9 leaves the training part empty (3 rows)", p);
	T_CHECK(ft_table_split(t, &s, 0.9, 1, &tr, &te, &err) == FT_EDATA);
	T_STREQ(err.msg, msg);
	T_CHECK(tr == NULL && te == NULL);
	ft_table_free(t);
}

/* -------------------------------------------------------------- real data */

static struct ft_table *read_adult(const char *file, size_t skip)
{
	char path[1024];
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };

	snprintf(path, sizeof path, "%s/adult/%s", t_data_dir(), file);
	ft_read_opts_init(&o);
	o.header = 0;
	o.names = t_adult_names();
	o.n_names = T_ADULT_N_NAMES;
	o.skip_rows = skip;
	if (ft_table_read(path, &o, &t, &e) != 0)
		T_FAIL("%s", e.msg);
	return t;
}

static void t_adult(void)
{
	struct ft_table *tr = NULL, *te = NULL;
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL, *dt = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0 };
	char *drop[] = { "fnlwgt" };
	double t0 = t_now(), t1, t2, pos = 0;
	size_t nf = 0, k;

	tr = read_adult("adult.data", 0);
	t1 = t_now();
	if (!tr)
		goto done;
	ft_spec_init(&s);
	s.target = "income";
	s.positive = ">50K";
	s.label_strip = ".";
	s.sensitive = s_sex;
	s.n_sensitive = 1;
	s.privileged = "Male";
	s.drop = drop;
	s.n_drop = 1;
	T_CHECKF(ft_encoder_fit(tr, &s, &e, &err) == 0, "%s", err.msg);
	if (!e)
		goto done;
	T_CHECKF(ft_encoder_apply(e, tr, FT_APPLY_TRAIN, &d, &st, &err) == 0, "%s", err.msg);
	t2 = t_now();
	printf("# adult.data: read %.1f ms, fit + encode %.1f ms\n",
	       1e3 * (t1 - t0), 1e3 * (t2 - t1));
	if (!d)
		goto done;
	T_CHECKF(d->n == 30162, "n = %zu", d->n);
	T_CHECK(st.n_dropped == 32561 - 30162);
	T_CHECK(e->n_features == 101 && e->n_num == 5 && e->n_cat == 7);
	T_NEAR(e->cols[0].mean, 38.437901995888865, 1e-13);
	T_NEAR(e->cols[0].sd, 13.134447039742648, 1e-13);
	T_NEAR(e->cols[10].mean, 1092.0078575691268, 1e-13);
	/* the exact population sd (Python fractions over the 30,162 values:
	 * 7406.22371954860016); the standardization sums are exact (xsum.c),
	 * a left-to-right sum of the squared deviations gives 7406.223719547088 */
	T_NEAR(e->cols[10].sd, 7406.2237195486002, 1e-15);
	T_NEAR(d->num[0], 0.04279571133907049, 1e-12);
	T_CHECK(e->cols[1].n_cats == 7);    /* workclass without '?' */
	T_CHECK(e->cols[13].n_cats == 41);  /* native-country */
	T_STREQ(e->cols[1].cats[0], "Federal-gov");
	T_CHECK(e->cols[1].offset == 5 && e->cols[3].offset == 12);
	T_STREQ(e->feature_names[5], "workclass=Federal-gov");
	T_CHECK(e->cols[2].role == FT_ROLE_DROP && e->cols[9].role == FT_ROLE_SENSITIVE);
	T_CHECK(e->n_groups == 2);
	T_STREQ(e->group_names[0], "Female");
	for (k = 0; k < d->n; k++) {
		pos += d->y[k];
		nf += d->group[k] == 0;
	}
	T_CHECK(pos == 7508 && nf == 9782);
	/* the test file: labels with a period, same preprocessing */
	te = read_adult("adult.test", 1);
	if (!te)
		goto done;
	T_CHECKF(ft_encoder_apply(e, te, FT_APPLY_TRAIN, &dt, &st, &err) == 0, "%s", err.msg);
	if (!dt)
		goto done;
	T_CHECK(dt->n == 15060 && st.n_dropped == 1221 && st.n_unseen == 0);
	for (pos = 0, k = 0; k < dt->n; k++)
		pos += dt->y[k];
	T_CHECK(pos == 3700);
	T_CHECK(dt->line[0] == 2);
	ft_dataset_free(dt);
	dt = NULL;
	/* predict mode keeps every row and imputes the '?' */
	T_CHECK(ft_encoder_apply(e, te, FT_APPLY_PREDICT, &dt, &st, NULL) == 0);
	T_CHECK(dt && dt->n == 16281 && st.n_imputed == 2203);
	ft_encoder_free(e);
	e = NULL;
	/* intersectional groups: sex x race */
	s.sensitive = s_sex_race;
	s.n_sensitive = 2;
	s.privileged = "Male&White";
	T_CHECKF(ft_encoder_fit(tr, &s, &e, &err) == 0, "%s", err.msg);
	if (e) {
		T_CHECK(e->n_groups == 10);
		T_STREQ(e->group_names[0], "Female&Amer-Indian-Eskimo");
		T_STREQ(e->group_names[9], "Male&White");
		T_CHECK(e->n_features == 96);
	}
done:
	ft_dataset_free(d);
	ft_dataset_free(dt);
	ft_encoder_free(e);
	ft_table_free(tr);
	ft_table_free(te);
}

static void t_adult_split(void)
{
	struct ft_table *t = read_adult("adult.data", 0), *tr = NULL, *te = NULL;
	struct ft_spec s;
	size_t pos_tr = 0, pos_te = 0, f_tr = 0, f_te = 0;

	if (!t)
		return;
	ft_spec_init(&s);
	s.target = "income";
	s.positive = ">50K";
	s.sensitive = s_sex;
	s.n_sensitive = 1;
	T_CHECK(ft_table_split(t, &s, 0.3, 7, &tr, &te, NULL) == 0);
	if (!tr || !te)
		goto done;
	/* round(.3 * {15128, 9592, 6662, 1179}) = 4538 + 2878 + 1999 + 354 */
	T_CHECKF(te->n_rows == 9769 && tr->n_rows == 32561 - 9769, "%zu", te->n_rows);
	for (size_t i = 0; i < te->n_rows; i++) {
		pos_te += strcmp(ft_table_cell(te, i, 14), ">50K") == 0;
		f_te += strcmp(ft_table_cell(te, i, 9), "Female") == 0;
	}
	for (size_t i = 0; i < tr->n_rows; i++) {
		pos_tr += strcmp(ft_table_cell(tr, i, 14), ">50K") == 0;
		f_tr += strcmp(ft_table_cell(tr, i, 9), "Female") == 0;
	}
	T_CHECK(pos_te == 1999 + 354 && f_te == 2878 + 354);
	T_CHECK(pos_tr + pos_te == 7841 && f_tr + f_te == 10771);
done:
	ft_table_free(t);
	ft_table_free(tr);
	ft_table_free(te);
}

static void t_german(void)
{
	char path[1024], nb[21][16], *names[21], *sens[] = { "c9" };
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_error err = { 0 };
	double pos = 0;

	t_have_data("german/german.data", path, sizeof path);
	for (int i = 0; i < 21; i++) {
		snprintf(nb[i], sizeof nb[i], "c%d", i + 1);
		names[i] = nb[i];
	}
	ft_read_opts_init(&o);
	o.whitespace = 1;
	o.header = 0;
	o.names = names;
	o.n_names = 21;
	T_CHECKF(ft_table_read(path, &o, &t, &err) == 0, "%s", err.msg);
	if (!t)
		return;
	ft_spec_init(&s);
	s.target = "c21";
	s.positive = "1";
	s.sensitive = sens;
	s.n_sensitive = 1;
	T_CHECKF(ft_encoder_fit(t, &s, &e, &err) == 0, "%s", err.msg);
	if (!e)
		goto done;
	/* numeric: c2 c5 c8 c11 c13 c16 c18; 12 categorical columns, 50 codes */
	T_CHECK(e->n_num == 7 && e->n_cat == 12 && e->n_features == 57);
	T_NEAR(e->cols[1].mean, 20.903, 1e-14);
	T_NEAR(e->cols[1].sd, 12.05278353742406, 1e-13);
	T_CHECK(e->n_groups == 4);
	T_STREQ(e->group_names[0], "A91");
	T_STREQ(e->group_names[3], "A94");
	T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
	if (d) {
		for (size_t i = 0; i < d->n; i++)
			pos += d->y[i];
		T_CHECK(d->n == 1000 && pos == 700);
	}
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

static void t_compas(void)
{
	static const char *keep[] = { "age", "priors_count", "c_charge_degree", "sex",
	                              "race", "two_year_recid", "juv_fel_count" };
	char path[1024], *drop[64], *sens[] = { "race" };
	struct ft_table *t = NULL;
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_error err = { 0 };
	size_t n_drop = 0;
	double pos = 0;

	t_have_data("compas/compas-scores-two-years.csv", path, sizeof path);
	T_CHECKF(ft_table_read(path, NULL, &t, &err) == 0, "%s", err.msg);
	if (!t)
		return;
	for (size_t j = 0; j < t->n_cols; j++) {
		int kept = 0;
		for (size_t q = 0; q < sizeof keep / sizeof *keep; q++)
			kept |= strcmp(t->names[j], keep[q]) == 0;
		if (!kept)
			drop[n_drop++] = t->names[j];
	}
	ft_spec_init(&s);
	s.target = "two_year_recid";
	s.positive = "1";
	s.sensitive = sens;
	s.n_sensitive = 1;
	s.privileged = "Caucasian";
	s.drop = drop;
	s.n_drop = n_drop;
	T_CHECKF(ft_encoder_fit(t, &s, &e, &err) == 0, "%s", err.msg);
	if (!e)
		goto done;
	/* age, juv_fel_count, priors_count numeric; c_charge_degree F/M, sex */
	T_CHECK(e->n_num == 3 && e->n_cat == 2 && e->n_features == 7);
	T_NEAR(e->cols[ft_table_col(t, "priors_count")].mean, 3.472414749098974, 1e-13);
	T_NEAR(e->cols[ft_table_col(t, "priors_count")].sd, 4.882199929178532, 1e-13);
	T_CHECK(e->n_groups == 6);
	T_STREQ(e->group_names[0], "African-American");
	T_STREQ(e->group_names[5], "Other");
	T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, NULL) == 0);
	if (d) {
		for (size_t i = 0; i < d->n; i++)
			pos += d->y[i];
		T_CHECK(d->n == 7214 && pos == 3251);
	}
done:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

static void cleanup(void)
{
	for (size_t i = 0; i < n_paths; i++)
		unlink(paths[i]);
	rmdir(tmpdir);
}

int main(void)
{
	char probe[1024];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	tiny_path = PUT("tiny.csv", tiny_text);
	T_RUN(t_spec_init);
	T_RUN(t_fit_drop);
	T_RUN(t_fit_impute);
	T_RUN(t_impute_ties_and_types);
	T_RUN(t_constant_column);
	T_RUN(t_number_errors);
	T_RUN(t_spec_errors);
	T_RUN(t_long_column_list);
	T_RUN(t_data_errors);
	T_RUN(t_overflow);
	T_RUN(t_label_strip_one_class);
	T_RUN(t_weights);
	T_RUN(t_groups);
	T_RUN(t_group_key_text);
	T_RUN(t_use_sensitive);
	T_RUN(t_apply_other_table);
	T_RUN(t_encoder_free_handmade);
	T_RUN(t_libsvm);
	T_RUN(t_split);
	T_RUN(t_split_errors);
	if (t_have_data("adult/adult.data", probe, sizeof probe)) {
		T_RUN(t_adult);
		T_RUN(t_adult_split);
	} else {
		T_SKIP(t_adult, "no data sets (set FAIRTRAIN_DATA)");
		T_SKIP(t_adult_split, "no data sets (set FAIRTRAIN_DATA)");
	}
	if (t_have_data("german/german.data", probe, sizeof probe))
		T_RUN(t_german);
	else
		T_SKIP(t_german, "no data sets (set FAIRTRAIN_DATA)");
	if (t_have_data("compas/compas-scores-two-years.csv", probe, sizeof probe))
		T_RUN(t_compas);
	else
		T_SKIP(t_compas, "no data sets (set FAIRTRAIN_DATA)");
	cleanup();
	return t_done();
}
