/*
 * test_model_file.c - src/io/model_file.c: HDF5 model files.
 *
 * Round trips (every field compared exactly, identical decisions; rankers
 * with /ranking, CSV and LETOR forms), the
 * column-group naming past 1000 columns, empty arrays, the optional
 * /baseline and /comparison groups (their layout as h5py sees it, files
 * without them loading with NULLs), and every refusal:
 * missing, non-HDF5, foreign, newer, truncated and hand-damaged files, NaN at
 * save, unwritable destinations and a write that fails half-way (a file-size
 * limit), each checking the message, that no temp file is left and that an
 * existing destination is byte-identical afterwards.  After every call no
 * HDF5 object may remain open.
 *
 * The test includes hdf5.h only to make foreign and damaged files.
 */
#include <errno.h>
#include <dirent.h>
#include <float.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hdf5.h>
#include <nettle/sha2.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "io/io.h"
#include "t.h"
#include "model/model.h"

static char dir[64];

/* ---------------------------------------------------------------- helpers */

static const char *in_dir(const char *name)
{
	static char buf[8][256];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

/* Files in dir whose name contains ".tmp." (leftover temp files). */
static int count_tmp(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;

	if (!dp)
		return -1;
	while ((de = readdir(dp)))
		if (strstr(de->d_name, ".tmp."))
			n++;
	closedir(dp);
	return n;
}

/* Open HDF5 objects of any kind in the process: must be 0 between calls. */
static long h5_open_objects(void)
{
	return (long)H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

static char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	*n = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)len + 1);
		if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		*n = (size_t)len;
	}
	fclose(f);
	return buf;
}

static int write_all(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(buf, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int same_bytes(const char *a, const char *b)
{
	size_t na, nb;
	char *x = read_all(a, &na), *y = read_all(b, &nb);
	int same = x && y && na == nb && memcmp(x, y, na) == 0;

	free(x);
	free(y);
	return same;
}

static int copy_file(const char *from, const char *to)
{
	size_t n;
	char *buf = read_all(from, &n);
	int rc = buf ? write_all(to, buf, n) : -1;

	free(buf);
	return rc;
}

static char **strv(size_t n, ...)
{
	char **v = calloc(n ? n : 1, sizeof *v);
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		v[i] = ft_strdup(va_arg(ap, const char *));
	va_end(ap);
	return v;
}

/* A linear model as a predictor (a ranker for a ranking model). */
static struct ft_predictor *pred_of(struct ft_linear_model *m)
{
	struct ft_predictor *p = calloc(1, sizeof *p);

	p->kind = m->type == FT_MODEL_RANKER ? FT_PRED_RANKER : FT_PRED_LINEAR;
	p->linear = m;
	return p;
}

/* A model file built by hand, as the CLI would: numeric, categorical,
 * target, sensitive and dropped columns; UTF-8 text; a seed above 2^63. */
static struct ft_model_file *sample(void)
{
	struct ft_model_file *mf = calloc(1, sizeof *mf);
	struct ft_encoder *e = calloc(1, sizeof *e);
	struct ft_linear_model *m = calloc(1, sizeof *m);
	static const double coef[7] = {
		0.1, -1e-300, 1.0 / 3.0, -0.0, 2.5e10, DBL_MAX, -DBL_MIN
	};
	struct ft_column *c;

	mf->fairtrain_version = ft_strdup("0.1.0");
	mf->created_utc = ft_strdup("2026-11-22T10:00:00Z");
	mf->command_line = ft_strdup("fairtrain train --data 'donn\xc3\xa9""es.csv' "
	                             "--sensitive sex");
	mf->n_inputs = 2;
	mf->input_paths = strv(2, "donn\xc3\xa9""es.csv", "adult.test");
	mf->input_sha256 = strv(2,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"0000000000000000000000000000000000000000000000000000000000000001");
	ft_read_opts_init(&mf->read);
	mf->read.delimiter = ';';
	mf->read.header = 0;
	mf->read.skip_rows = 3;
	mf->read.n_names = 7;
	mf->read.names = strv(7, "age", "workclass", "income", "sex", "fnlwgt",
	                      "hours", "race");
	mf->read.n_missing = 2;
	mf->read.missing = strv(2, "?", "");

	e->n_cols = 7;
	e->cols = calloc(7, sizeof *e->cols);
	c = e->cols;
	c[0] = (struct ft_column){ ft_strdup("age"), FT_ROLE_FEATURE, FT_NUMERIC,
	                           38.5, 13.25, NULL, 0, -1, 0 };
	c[1] = (struct ft_column){ ft_strdup("workclass"), FT_ROLE_FEATURE,
	                           FT_CATEGORICAL, 0, 1,
	                           strv(3, "Private", "Self-emp", "State-gov"), 3,
	                           0, 2 };
	c[2] = (struct ft_column){ ft_strdup("income"), FT_ROLE_TARGET,
	                           FT_CATEGORICAL, 0, 1,
	                           strv(2, "<=50K", ">50K"), 2, -1, 0 };
	c[3] = (struct ft_column){ ft_strdup("sex"), FT_ROLE_SENSITIVE,
	                           FT_CATEGORICAL, 0, 1,
	                           strv(2, "Female", "Male"), 2, -1, 0 };
	c[4] = (struct ft_column){ ft_strdup("fnlwgt"), FT_ROLE_DROP, FT_NUMERIC,
	                           0, 1, NULL, 0, -1, 0 };
	c[5] = (struct ft_column){ ft_strdup("hours"), FT_ROLE_FEATURE, FT_NUMERIC,
	                           40.125, 12.0625, NULL, 0, -1, 1 };
	c[6] = (struct ft_column){ ft_strdup("race"), FT_ROLE_FEATURE,
	                           FT_CATEGORICAL, 0, 1,
	                           strv(2, "Black", "Wei\xc3\x9f"), 2, 1, 5 };
	e->n_features = 7;
	e->feature_names = strv(7, "age", "hours", "workclass=Private",
	                        "workclass=Self-emp", "workclass=State-gov",
	                        "race=Black", "race=Wei\xc3\x9f");
	e->n_num = 2;
	e->n_cat = 2;
	e->target = ft_strdup("income");
	e->positive = ft_strdup(">50K");
	e->label_strip = ft_strdup(".");
	e->n_sensitive = 1;
	e->sensitive = strv(1, "sex");
	e->n_groups = 2;
	e->group_names = strv(2, "Female", "Male");
	e->privileged = ft_strdup("Male");
	e->weight = NULL;
	e->missing_policy = FT_MISSING_IMPUTE;
	e->use_sensitive = 0;
	mf->enc = e;

	m->type = FT_MODEL_LOGREG;
	m->p = 7;
	m->coef = malloc(sizeof coef);
	memcpy(m->coef, coef, sizeof coef);
	m->intercept = -0.5;
	mf->model = pred_of(m);

	mf->method = ft_strdup("logreg");
	mf->C = 0.5;
	mf->fit_intercept = 1;
	mf->solver_opts = (struct ft_solver_opts){ FT_SOLVER_AUTO, 100, 1e-8,
	                                           10, 2000 };
	mf->solver_result = (struct ft_solver_result){ FT_SOLVER_NEWTON, 7,
	                                               123.456, 1e-10, 1 };
	mf->n_train = 100;
	mf->n_test = 25;
	mf->n_dropped = 3;
	mf->seed = UINT64_MAX - 1;
	mf->split = 0.2;
	return mf;
}

/* The unmitigated model beside sample()'s: other coefficients, same p. */
static struct ft_linear_model *sample_baseline(void)
{
	struct ft_linear_model *m = calloc(1, sizeof *m);
	static const double coef[7] = {
		-0.25, 1e-310, -1.0 / 7.0, 0.0, -2.5e10, -DBL_MAX, DBL_MIN
	};

	m->type = FT_MODEL_LOGREG;
	m->p = 7;
	m->coef = malloc(sizeof coef);
	memcpy(m->coef, coef, sizeof coef);
	m->intercept = -0.0;
	return m;
}

static struct ft_value val(double v)
{
	struct ft_value x = { v, NULL };
	return x;
}

/* Undefined, as the metrics code returns it: NaN and a reason. */
static struct ft_value undef(const char *why)
{
	struct ft_value x = { NAN, why };
	return x;
}

/* A comparison built with ft_comparison_add: defined values with and
 * without intervals, undefined values with and without intervals, -0.0,
 * extreme doubles, UTF-8, summaries (group "") and per-group rows. */
static struct ft_comparison *sample_comparison(void)
{
	struct ft_comparison *c = calloc(1, sizeof *c);

	c->n_bootstrap = 200;
	c->level = 0.95;
	c->seed = UINT64_MAX;
	c->threshold = 0.5;
	ft_comparison_add(c, "accuracy", "baseline", "test", "overall", "",
	                  val(0.8125), val(0.75), val(0.875));
	ft_comparison_add(c, "tpr", "mitigated", "test", "Wei\xc3\x9f", "",
	                  undef("no positive labels in group"),
	                  undef("no bootstrap"), undef("no bootstrap"));
	ft_comparison_add(c, "demographic_parity_difference", "mitigated",
	                  "train", "", "between_groups", val(-0.0),
	                  undef("too few resamples"), val(0.5));
	ft_comparison_add(c, "demographic_parity_ratio", "baseline", "train", "",
	                  "unprivileged_minus_privileged",
	                  undef("no selected rows in the privileged group"),
	                  val(0.25), val(1.0 / 3.0));
	ft_comparison_add(c, "log_loss", "baseline", "train", "Female", "",
	                  val(DBL_MAX), val(-DBL_MIN), val(1e-300));
	return c;
}

/* sample() with a baseline and a comparison. */
static struct ft_model_file *sample_full(void)
{
	struct ft_model_file *mf = sample();

	mf->baseline = pred_of(sample_baseline());
	mf->comparison = sample_comparison();
	return mf;
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int strv_eq(char **a, char **b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!str_eq(a[i], b[i]))
			return 0;
	return 1;
}

/* Doubles compared bit for bit (so -0.0 != 0.0). */
static int same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* The per-group parts of two models (either may be NULL) are identical. */
static int same_groups(const struct ft_linear_model *a,
                       const struct ft_linear_model *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->n_groups != b->n_groups)
		return 0;
	if (a->n_groups == 0)
		return !b->group_coef && !b->group_intercept;
	for (i = 0; i < a->n_groups * a->p; i++)
		if (!same_double(a->group_coef[i], b->group_coef[i]))
			return 0;
	for (i = 0; i < a->n_groups; i++)
		if (!same_double(a->group_intercept[i], b->group_intercept[i]))
			return 0;
	return 1;
}

#define EQ(cond) do { if (!(cond)) { T_FAIL("round trip differs: %s", #cond); return; } } while (0)

static void check_equal(const struct ft_model_file *a,
                        const struct ft_model_file *b)
{
	const struct ft_encoder *x = a->enc, *y = b->enc;
	size_t i;

	EQ(str_eq(a->fairtrain_version, b->fairtrain_version));
	EQ(str_eq(a->created_utc, b->created_utc));
	EQ(str_eq(a->command_line, b->command_line));
	EQ(a->n_inputs == b->n_inputs);
	EQ(strv_eq(a->input_paths, b->input_paths, a->n_inputs));
	EQ(strv_eq(a->input_sha256, b->input_sha256, a->n_inputs));
	EQ(a->read.delimiter == b->read.delimiter);
	EQ(a->read.whitespace == b->read.whitespace);
	EQ(a->read.header == b->read.header);
	EQ(a->read.skip_rows == b->read.skip_rows);
	EQ(a->read.n_names == b->read.n_names);
	EQ(strv_eq(a->read.names, b->read.names, a->read.n_names));
	EQ((a->read.missing == NULL) == (b->read.missing == NULL));
	EQ(a->read.n_missing == b->read.n_missing);
	EQ(strv_eq(a->read.missing, b->read.missing, a->read.n_missing));

	EQ(x->n_cols == y->n_cols);
	for (i = 0; i < x->n_cols; i++) {
		const struct ft_column *c = &x->cols[i], *d = &y->cols[i];
		EQ(str_eq(c->name, d->name));
		EQ(c->role == d->role);
		EQ(c->type == d->type);
		EQ(same_double(c->mean, d->mean));
		EQ(same_double(c->sd, d->sd));
		EQ(c->n_cats == d->n_cats);
		EQ(strv_eq(c->cats, d->cats, c->n_cats));
		EQ(c->impute_cat == d->impute_cat);
		EQ(c->offset == d->offset);
	}
	EQ(x->n_features == y->n_features);
	EQ(strv_eq(x->feature_names, y->feature_names, x->n_features));
	EQ(x->n_num == y->n_num);
	EQ(x->n_cat == y->n_cat);
	EQ(str_eq(x->target, y->target));
	EQ(str_eq(x->positive, y->positive));
	EQ(str_eq(x->label_strip, y->label_strip));
	EQ(x->n_sensitive == y->n_sensitive);
	EQ(strv_eq(x->sensitive, y->sensitive, x->n_sensitive));
	EQ(x->n_groups == y->n_groups);
	EQ(strv_eq(x->group_names, y->group_names, x->n_groups));
	EQ(str_eq(x->privileged, y->privileged));
	EQ(str_eq(x->weight, y->weight));
	EQ(x->missing_policy == y->missing_policy);
	EQ(x->use_sensitive == y->use_sensitive);

	EQ(a->model->linear->type == b->model->linear->type);
	EQ(a->model->linear->p == b->model->linear->p);
	for (i = 0; i < a->model->linear->p; i++)
		EQ(same_double(a->model->linear->coef[i], b->model->linear->coef[i]));
	EQ(same_double(a->model->linear->intercept, b->model->linear->intercept));
	EQ(a->model->kind == b->model->kind);
	EQ(same_groups(a->model->linear, b->model->linear));
	EQ(same_groups(a->baseline ? a->baseline->linear : NULL, b->baseline ? b->baseline->linear : NULL));
	EQ(!a->baseline == !b->baseline && (!a->baseline || a->baseline->kind == b->baseline->kind));
	EQ(a->n_params == b->n_params);
	EQ(strv_eq(a->param_names, b->param_names, a->n_params));
	for (i = 0; i < a->n_params; i++)
		EQ(same_double(a->param_values[i], b->param_values[i]));
	EQ(a->n_diag == b->n_diag);
	EQ(strv_eq(a->diag_names, b->diag_names, a->n_diag));
	for (i = 0; i < a->n_diag; i++)
		EQ(same_double(a->diag_values[i], b->diag_values[i]));

	EQ((a->baseline == NULL) == (b->baseline == NULL));
	if (a->baseline) {
		EQ(a->baseline->linear->type == b->baseline->linear->type);
		EQ(a->baseline->linear->p == b->baseline->linear->p);
		for (i = 0; i < a->baseline->linear->p; i++)
			EQ(same_double(a->baseline->linear->coef[i], b->baseline->linear->coef[i]));
		EQ(same_double(a->baseline->linear->intercept, b->baseline->linear->intercept));
	}
	EQ((a->comparison == NULL) == (b->comparison == NULL));
	if (a->comparison) {
		const struct ft_comparison *p = a->comparison, *q = b->comparison;

		EQ(p->n == q->n);
		EQ(p->n_bootstrap == q->n_bootstrap);
		EQ(same_double(p->level, q->level));
		EQ(p->seed == q->seed);
		EQ(same_double(p->threshold, q->threshold));
		for (i = 0; i < p->n; i++) {
			const struct ft_comparison_row *u = &p->rows[i];
			const struct ft_comparison_row *v = &q->rows[i];

			EQ(str_eq(u->metric, v->metric));
			EQ(str_eq(u->model, v->model));
			EQ(str_eq(u->split, v->split));
			EQ(str_eq(u->group, v->group));
			EQ(str_eq(u->convention, v->convention));
			EQ(same_double(u->value, v->value));
			EQ(str_eq(u->why, v->why));
			EQ(same_double(u->lo, v->lo));
			EQ(same_double(u->hi, v->hi));
			EQ(str_eq(u->ci_why, v->ci_why));
		}
	}

	EQ(str_eq(a->method, b->method));
	EQ(same_double(a->C, b->C));
	EQ(a->fit_intercept == b->fit_intercept);
	EQ(a->solver_opts.solver == b->solver_opts.solver);
	EQ(a->solver_opts.max_iter == b->solver_opts.max_iter);
	EQ(same_double(a->solver_opts.tol, b->solver_opts.tol));
	EQ(a->solver_opts.lbfgs_m == b->solver_opts.lbfgs_m);
	EQ(a->solver_opts.dense_max_dim == b->solver_opts.dense_max_dim);
	EQ(a->solver_result.solver == b->solver_result.solver);
	EQ(a->solver_result.iterations == b->solver_result.iterations);
	EQ(same_double(a->solver_result.f, b->solver_result.f));
	EQ(same_double(a->solver_result.grad_norm, b->solver_result.grad_norm));
	EQ(a->solver_result.converged == b->solver_result.converged);
	EQ(a->n_train == b->n_train);
	EQ(a->n_test == b->n_test);
	EQ(a->n_dropped == b->n_dropped);
	EQ(a->seed == b->seed);
	EQ(same_double(a->split, b->split));
}

/* Save mf to name in dir, expecting success. */
static int save_ok(const char *name, const struct ft_model_file *mf)
{
	struct ft_error err = { 0, "" };
	int rc = ft_model_save(in_dir(name), mf, &err);

	if (rc)
		T_FAIL("save %s: %d %s", name, rc, err.msg);
	return rc;
}

/* A valid model file called name, made from sample(). */
static int make_valid(const char *name)
{
	struct ft_model_file *mf = sample();
	int rc = save_ok(name, mf);

	ft_model_file_free(mf);
	return rc;
}

/* Load path and expect failure with code and exactly msg (when msg starts
 * with '=') or a message containing msg. */
static void expect_load_fail(const char *path, int code, const char *msg)
{
	static struct ft_model_file sentinel;  /* load must overwrite it */
	struct ft_error err = { 0, "" };
	struct ft_model_file *mf = &sentinel;
	int rc = ft_model_load(path, &mf, &err);

	T_CHECKF(rc == code, "rc = %d, expected %d (%s)", rc, code, err.msg);
	T_CHECKF(err.code == code, "err.code = %d", err.code);
	T_CHECK(mf == NULL);
	if (msg[0] == '=')
		T_STREQ(err.msg, msg + 1);
	else
		T_CHECKF(strstr(err.msg, msg) != NULL, "message \"%s\" lacks \"%s\"",
		         err.msg, msg);
	T_CHECKF(h5_open_objects() == 0, "%ld hdf5 objects left open",
	         h5_open_objects());
	if (mf != &sentinel)
		ft_model_file_free(mf);
}

/* ------------------------------------------- editing files with the API */

static hid_t open_rw(const char *path)
{
	return H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
}

/* Close a file edited in place and seal it again (its checksum block made
 * for the new bytes, ft_h5_seal_image), so that a test of the reader's own
 * checks gets past the checksum, as a file written that way would. */
static herr_t close_rw(hid_t f, const char *path)
{
	herr_t rc = H5Fclose(f);
	size_t n = 0;
	char *buf;

	if (rc < 0)
		return rc;
	buf = read_all(path, &n);
	if (!buf)
		return -1;
	if (n > 512 && memcmp(buf, "fairtrain-checksum", 18) == 0) {
		ft_h5_seal_image((unsigned char *)buf, n);
		if (write_all(path, buf, n) != 0)
			rc = -1;
	}
	free(buf);
	return rc;
}

static int set_attr_str(const char *path, const char *obj, const char *name,
                        const char *val)
{
	hid_t f = open_rw(path), t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
	hid_t a;
	int rc = -1;

	H5Tset_size(t, H5T_VARIABLE);
	H5Tset_cset(t, H5T_CSET_UTF8);
	if (H5Aexists_by_name(f, obj, name, H5P_DEFAULT) > 0)
		H5Adelete_by_name(f, obj, name, H5P_DEFAULT);
	a = H5Acreate_by_name(f, obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT,
	                      H5P_DEFAULT);
	if (a >= 0 && H5Awrite(a, t, &val) >= 0)
		rc = 0;
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(s);
	H5Tclose(t);
	if (close_rw(f, path) < 0)
		rc = -1;
	return rc;
}

static int set_attr_int(const char *path, const char *obj, const char *name,
                        long long v)
{
	hid_t f = open_rw(path), s = H5Screate(H5S_SCALAR), a;
	int rc = -1;

	if (H5Aexists_by_name(f, obj, name, H5P_DEFAULT) > 0)
		H5Adelete_by_name(f, obj, name, H5P_DEFAULT);
	a = H5Acreate_by_name(f, obj, name, H5T_STD_I64LE, s, H5P_DEFAULT,
	                      H5P_DEFAULT, H5P_DEFAULT);
	if (a >= 0 && H5Awrite(a, H5T_NATIVE_LLONG, &v) >= 0)
		rc = 0;
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(s);
	if (close_rw(f, path) < 0)
		rc = -1;
	return rc;
}

static int delete_link(const char *path, const char *obj)
{
	hid_t f = open_rw(path);
	int rc = H5Ldelete(f, obj, H5P_DEFAULT) < 0 ? -1 : 0;

	if (close_rw(f, path) < 0)
		rc = -1;
	return rc;
}

/* Replace dataset obj by a 1-D dataset of n values of file type ftype. */
static int replace_dset(const char *path, const char *obj, hid_t ftype,
                        hid_t mtype, const void *v, size_t n)
{
	hid_t f = open_rw(path), s, d;
	hsize_t dims[1];
	int rc = -1;

	dims[0] = n;
	H5Ldelete(f, obj, H5P_DEFAULT);
	s = H5Screate_simple(1, dims, NULL);
	d = H5Dcreate2(f, obj, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (d >= 0 && (n == 0 || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL,
	                                  H5P_DEFAULT, v) >= 0))
		rc = 0;
	if (d >= 0)
		H5Dclose(d);
	H5Sclose(s);
	if (close_rw(f, path) < 0)
		rc = -1;
	return rc;
}

static int replace_f64(const char *path, const char *obj, const double *v,
                       size_t n)
{
	return replace_dset(path, obj, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v, n);
}

static int replace_i8(const char *path, const char *obj, const int8_t *v,
                      size_t n)
{
	return replace_dset(path, obj, H5T_STD_I8LE, H5T_NATIVE_INT8, v, n);
}

/* n variable-length UTF-8 strings, as fairtrain and h5py write them. */
static int replace_strv(const char *path, const char *obj,
                        const char *const *v, size_t n)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	int rc;

	H5Tset_size(t, H5T_VARIABLE);
	H5Tset_cset(t, H5T_CSET_UTF8);
	rc = replace_dset(path, obj, t, t, v, n);
	H5Tclose(t);
	return rc;
}

/* ------------------------------------------------------------ round trips */

static void test_round_trip(void)
{
	struct ft_model_file *mf = sample(), *back = NULL;
	struct ft_error err = { 0, "" };
	const char *p = in_dir("rt.h5");
	int rc;

	if (save_ok("rt.h5", mf))
		goto done;
	T_CHECK(count_tmp(dir) == 0);
	T_CHECK(h5_open_objects() == 0);
	rc = ft_model_load(p, &back, &err);
	T_CHECKF(rc == 0, "load: %s", err.msg);
	T_CHECK(h5_open_objects() == 0);
	if (rc == 0)
		check_equal(mf, back);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* The model applied to a hand-made design matrix gives bit-identical scores
 * before and after the round trip. */
static void test_round_trip_decisions(void)
{
	struct ft_model_file *mf = sample(), *back = NULL;
	struct ft_error err = { 0, "" };
	double num[3 * 2] = { 0.5, -1.25, 0, 0, 1e3, -2 };
	int32_t code[3 * 2] = { 2, 5, 4, 6, -1, 5 };
	double w[3] = { 1, 1, 1 }, y[3] = { 1, 0, 1 };
	size_t line[3] = { 2, 3, 4 };
	double s1[3], s2[3];
	struct ft_dataset d;

	memset(&d, 0, sizeof d);
	d.n = 3;
	d.p = 7;
	d.n_num = 2;
	d.num = num;
	d.n_cat = 2;
	d.code = code;
	d.y = y;
	d.w = w;
	d.line = line;
	if (save_ok("dec.h5", mf))
		goto done;
	if (ft_model_load(in_dir("dec.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	ft_linear_decision(mf->model->linear, &d, s1);
	ft_linear_decision(back->model->linear, &d, s2);
	T_CHECK(memcmp(s1, s2, sizeof s1) == 0);
	/* and they are the scores: row 0 = 0.1*0.5 + -1e-300*-1.25 + coef[2] +
	 * coef[5] + intercept */
	T_NEAR(s1[0], 0.05 + 1.0 / 3.0 + DBL_MAX - 0.5, 1e-15);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* Absent and empty things: no inputs, header names, default missing tokens
 * (NULL), no sensitive columns or groups, no optional strings, no features
 * at all (a zero-length coef), whitespace-separated (delimiter NUL). */
static void test_round_trip_empty(void)
{
	struct ft_model_file *mf = calloc(1, sizeof *mf), *back = NULL;
	struct ft_encoder *e = calloc(1, sizeof *e);
	struct ft_error err = { 0, "" };
	int rc;

	ft_read_opts_init(&mf->read);
	mf->read.delimiter = '\0';
	mf->read.whitespace = 1;
	e->n_cols = 1;
	e->cols = calloc(1, sizeof *e->cols);
	e->cols[0] = (struct ft_column){ ft_strdup("y"), FT_ROLE_TARGET,
	                                 FT_NUMERIC, 0, 1, NULL, 0, -1, 0 };
	e->target = ft_strdup("y");
	mf->enc = e;
	mf->model = pred_of(calloc(1, sizeof(struct ft_linear_model)));
	mf->model->linear->intercept = 1.5;
	mf->method = ft_strdup("logreg");
	mf->C = 1;
	mf->split = 0;
	if (save_ok("empty.h5", mf))
		goto done;
	rc = ft_model_load(in_dir("empty.h5"), &back, &err);
	T_CHECKF(rc == 0, "load: %s", err.msg);
	if (rc)
		goto done;
	T_CHECK(back->read.missing == NULL);
	T_CHECK(back->read.names == NULL);
	/* NULL provenance strings are written as "" */
	T_STREQ(back->fairtrain_version, "");
	T_STREQ(back->command_line, "");
	T_CHECK(back->model->linear->p == 0);
	T_CHECK(back->enc->positive == NULL && back->enc->privileged == NULL);
	free(back->fairtrain_version);
	free(back->created_utc);
	free(back->command_line);
	back->fairtrain_version = back->created_utc = back->command_line = NULL;
	check_equal(mf, back);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* An empty, non-NULL missing list means "no token is missing" and stays
 * distinct from NULL (the defaults). */
static void test_round_trip_missing_empty(void)
{
	struct ft_model_file *mf = sample(), *back = NULL;
	struct ft_error err = { 0, "" };

	for (size_t i = 0; i < mf->read.n_missing; i++)
		free(mf->read.missing[i]);
	mf->read.n_missing = 0;
	if (save_ok("nomiss.h5", mf))
		goto done;
	if (ft_model_load(in_dir("nomiss.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	T_CHECK(back->read.missing != NULL && back->read.n_missing == 0);
	check_equal(mf, back);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* 1001 columns: group names widen to 4 digits ("0000" .. "1000") so that
 * name order stays input order; the round trip keeps the order. */
static void test_many_columns(void)
{
	struct ft_model_file *mf = sample(), *back = NULL;
	struct ft_error err = { 0, "" };
	struct ft_encoder *e = mf->enc;
	size_t i, n = 1001;
	hid_t f;

	e->cols = realloc(e->cols, n * sizeof *e->cols);
	for (i = e->n_cols; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "extra%zu", i);
		e->cols[i] = (struct ft_column){ ft_strdup(name), FT_ROLE_DROP,
		                                 FT_NUMERIC, 0, 1, NULL, 0, -1, 0 };
	}
	e->n_cols = n;
	if (save_ok("many.h5", mf))
		goto done;
	f = H5Fopen(in_dir("many.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
	T_CHECK(H5Lexists(f, "/preprocessing/columns/0000", H5P_DEFAULT) > 0);
	T_CHECK(H5Lexists(f, "/preprocessing/columns/1000", H5P_DEFAULT) > 0);
	H5Fclose(f);
	if (ft_model_load(in_dir("many.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	check_equal(mf, back);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* Saving over an existing model replaces it. */
static void test_overwrite(void)
{
	struct ft_model_file *mf = sample(), *back = NULL;
	struct ft_error err = { 0, "" };

	if (make_valid("over.h5"))
		goto done;
	mf->model->linear->intercept = 42;
	if (save_ok("over.h5", mf))
		goto done;
	if (ft_model_load(in_dir("over.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	T_CHECK(back->model->linear->intercept == 42);
	T_CHECK(count_tmp(dir) == 0);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* The real thing: an encoder learned by ft_encoder_fit (numeric and
 * categorical features, sensitive columns that are also features, two-column
 * groups, a weight, a dropped column, imputation) is accepted by save, and
 * the loaded encoder encodes a table exactly as the original does. */
static void test_round_trip_fitted_encoder(void)
{
	static const char csv[] =
		"id,age,workclass,sex,race,hours,w,income\n"
		"1,39,State-gov,Male,White,40,1,<=50K\n"
		"2,50,Self-emp,Male,White,13,2,>50K.\n"
		"3,38,Private,Female,Black,?,1,<=50K\n"
		"4,53,Private,Male,Black,40,1,>50K\n"
		"5,28,Private,Female,White,40,0.5,<=50K.\n"
		"6,37,?,Female,White,45,1,>50K\n"
		"7,49,Private,Female,Black,16,1,<=50K\n"
		"8,52,Self-emp,Male,White,45,1,>50K\n";
	char *sens[2] = { "sex", "race" }, *drop[1] = { "id" };
	struct ft_read_opts ro;
	struct ft_spec sp;
	struct ft_table *t = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_model_file *mf = NULL, *back = NULL;
	struct ft_dataset *d1 = NULL, *d2 = NULL;
	struct ft_error err = { 0, "" };
	const char *p = in_dir("fit.csv");
	double *s1 = NULL, *s2 = NULL;
	size_t i;

	ft_read_opts_init(&ro);
	ft_spec_init(&sp);
	sp.target = "income";
	sp.positive = ">50K";
	sp.label_strip = ".";
	sp.sensitive = sens;
	sp.n_sensitive = 2;
	sp.privileged = "Male&White";
	sp.weight = "w";
	sp.drop = drop;
	sp.n_drop = 1;
	sp.missing_policy = FT_MISSING_IMPUTE;
	sp.use_sensitive = 1;
	if (write_all(p, csv, sizeof csv - 1) ||
	    ft_table_read(p, &ro, &t, &err) ||
	    ft_encoder_fit(t, &sp, &enc, &err)) {
		T_FAIL("setup: %s", err.msg);
		goto done;
	}
	mf = sample();
	ft_encoder_free(mf->enc);
	mf->enc = enc;
	enc = NULL;
	mf->model->linear->p = mf->enc->n_features;
	mf->model->linear->coef = realloc(mf->model->linear->coef,
	                          (mf->model->linear->p ? mf->model->linear->p : 1) * sizeof(double));
	for (i = 0; i < mf->model->linear->p; i++)
		mf->model->linear->coef[i] = 0.25 * (double)i - 1;
	if (save_ok("fit.h5", mf))
		goto done;
	if (ft_model_load(in_dir("fit.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	check_equal(mf, back);
	if (ft_encoder_apply(mf->enc, t, FT_APPLY_PREDICT, &d1, NULL, &err) ||
	    ft_encoder_apply(back->enc, t, FT_APPLY_PREDICT, &d2, NULL, &err)) {
		T_FAIL("apply: %s", err.msg);
		goto done;
	}
	T_CHECK(d1->n == d2->n && d1->p == d2->p && d1->n_num == d2->n_num &&
	        d1->n_cat == d2->n_cat);
	T_CHECK(memcmp(d1->num, d2->num, d1->n * d1->n_num * sizeof *d1->num) == 0);
	T_CHECK(memcmp(d1->code, d2->code, d1->n * d1->n_cat * sizeof *d1->code) == 0);
	T_CHECK(d1->group && d2->group &&
	        memcmp(d1->group, d2->group, d1->n * sizeof *d1->group) == 0);
	s1 = malloc(d1->n * sizeof *s1);
	s2 = malloc(d1->n * sizeof *s2);
	ft_linear_decision(mf->model->linear, d1, s1);
	ft_linear_decision(back->model->linear, d2, s2);
	T_CHECK(memcmp(s1, s2, d1->n * sizeof *s1) == 0);
done:
	free(s1);
	free(s2);
	ft_dataset_free(d1);
	ft_dataset_free(d2);
	ft_model_file_free(back);
	ft_model_file_free(mf);
	ft_encoder_free(enc);
	ft_table_free(t);
}

/* Freeing NULL is a no-op. */
static void test_free_null(void)
{
	ft_model_file_free(NULL);
}

/* --------------------------------------------------------- refused loads */

static void test_load_missing_file(void)
{
	char want[512];

	snprintf(want, sizeof want, "=%s: cannot open: %s", in_dir("nope.h5"),
	         strerror(ENOENT));
	expect_load_fail(in_dir("nope.h5"), FT_EIO, want);
}

static void test_load_directory(void)
{
	char want[512];

	snprintf(want, sizeof want, "=%s: cannot open: %s", dir,
	         strerror(EISDIR));
	expect_load_fail(dir, FT_EIO, want);
}

static void test_load_text_file(void)
{
	const char *p = in_dir("text.h5");
	char want[512];

	write_all(p, "age,sex\n1,F\n", 12);
	snprintf(want, sizeof want, "=%s: not an HDF5 file", p);
	expect_load_fail(p, FT_EFORMAT, want);
	write_all(p, "", 0);
	expect_load_fail(p, FT_EFORMAT, want);
}

/* An HDF5 file from someone else: a dataset and no format attribute. */
static void test_load_foreign(void)
{
	const char *p = in_dir("foreign.h5");
	char want[512];
	hsize_t dims[1] = { 3 };
	double v[3] = { 1, 2, 3 };
	hid_t f, s, d;

	f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	s = H5Screate_simple(1, dims, NULL);
	d = H5Dcreate2(f, "data", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT,
	               H5P_DEFAULT);
	H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
	H5Dclose(d);
	H5Sclose(s);
	H5Fclose(f);
	snprintf(want, sizeof want, "=%s: not a fairtrain model file (no format "
	         "attribute)", p);
	expect_load_fail(p, FT_EFORMAT, want);
}

/* A format attribute that is a fixed-length string (numpy bytes_, as h5py
 * writes it) naming another format. */
static void test_load_wrong_format(void)
{
	const char *p = in_dir("wrongfmt.h5");
	char want[512];
	hid_t f, s, t, a;

	f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	s = H5Screate(H5S_SCALAR);
	t = H5Tcopy(H5T_C_S1);
	H5Tset_size(t, 3);
	H5Tset_strpad(t, H5T_STR_NULLPAD);
	a = H5Acreate2(f, "format", t, s, H5P_DEFAULT, H5P_DEFAULT);
	H5Awrite(a, t, "foo");
	H5Aclose(a);
	H5Tclose(t);
	H5Sclose(s);
	H5Fclose(f);
	snprintf(want, sizeof want, "=%s: not a fairtrain model file (format "
	         "'foo')", p);
	expect_load_fail(p, FT_EFORMAT, want);

	/* our own file with its format renamed (variable-length string) */
	if (make_valid("renamed.h5"))
		return;
	p = in_dir("renamed.h5");
	T_CHECK(set_attr_str(p, "/", "format", "other-model") == 0);
	snprintf(want, sizeof want, "=%s: not a fairtrain model file (format "
	         "'other-model')", p);
	expect_load_fail(p, FT_EFORMAT, want);

	/* a format that is not a string at all */
	T_CHECK(set_attr_int(p, "/", "format", 7) == 0);
	snprintf(want, sizeof want, "=%s: not a fairtrain model file (format is "
	         "not a string)", p);
	expect_load_fail(p, FT_EFORMAT, want);
}

static void test_load_newer_version(void)
{
	const char *p = in_dir("v2.h5");
	char want[512];

	if (make_valid("v2.h5"))
		return;
	T_CHECK(set_attr_int(p, "/", "format_version", FT_FORMAT_VERSION + 1) == 0);
	snprintf(want, sizeof want, "=%s: format_version %d is newer than this "
	         "fairtrain supports (%d)", p, FT_FORMAT_VERSION + 1, FT_FORMAT_VERSION);
	expect_load_fail(p, FT_EFORMAT, want);
	T_CHECK(set_attr_int(p, "/", "format_version", 0) == 0);
	expect_load_fail(p, FT_EFORMAT, "corrupt model file: format_version 0 "
	                 "is not valid");
}

/* The first half of a valid file. */
static void test_load_truncated(void)
{
	const char *full = in_dir("full.h5"), *half = in_dir("half.h5");
	char want[512];
	size_t n;
	char *buf;

	if (make_valid("full.h5"))
		return;
	buf = read_all(full, &n);
	T_CHECK(buf && write_all(half, buf, n / 2) == 0);
	free(buf);
	snprintf(want, sizeof want, "=%s: corrupt model file: truncated (%zu of "
	         "%zu bytes)", half, n / 2, n);
	expect_load_fail(half, FT_EFORMAT, want);
	/* a few more cut points: never a crash, always a refusal */
	buf = read_all(full, &n);
	for (size_t cut = 64; buf && cut < n; cut += n / 7) {
		write_all(half, buf, cut);
		expect_load_fail(half, FT_EFORMAT, "corrupt model file");
	}
	free(buf);
}

static void test_load_missing_coef(void)
{
	const char *p = in_dir("nocoef.h5");
	char want[512];

	if (make_valid("nocoef.h5"))
		return;
	T_CHECK(delete_link(p, "/model/coef") == 0);
	snprintf(want, sizeof want, "=%s: corrupt model file: missing "
	         "/model/coef", p);
	expect_load_fail(p, FT_EFORMAT, want);
}

static void test_load_coef_length(void)
{
	const char *p = in_dir("coeflen.h5");
	double v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char want[512];

	if (make_valid("coeflen.h5"))
		return;
	T_CHECK(replace_f64(p, "/model/coef", v, 8) == 0);
	snprintf(want, sizeof want, "=%s: corrupt model file: /model/coef has "
	         "8 values, expected 7 (n_features)", p);
	expect_load_fail(p, FT_EFORMAT, want);
}

static void test_load_nan_coef(void)
{
	const char *p = in_dir("nancoef.h5");
	double v[7] = { 1, 2, NAN, 4, 5, 6, 7 };
	char want[512];

	if (make_valid("nancoef.h5"))
		return;
	T_CHECK(replace_f64(p, "/model/coef", v, 7) == 0);
	snprintf(want, sizeof want, "=%s: corrupt model file: /model/coef[2] "
	         "is nan", p);
	expect_load_fail(p, FT_EFORMAT, want);
}

/* Hand edits that break one rule each. */
static void test_load_damaged(void)
{
	const char *p = in_dir("damaged.h5");
	const char *m = "corrupt model file";
	double v1[1] = { 0.5 };

	if (make_valid("damaged.h5"))
		return;
	T_CHECK(set_attr_str(p, "/preprocessing/columns/001", "role",
	                     "bogus") == 0);
	expect_load_fail(p, FT_EFORMAT, "corrupt model file: "
	                 "/preprocessing/columns/001 has unknown role 'bogus'");

	make_valid("damaged.h5");
	T_CHECK(set_attr_str(p, "/preprocessing/columns/000", "type",
	                     "text") == 0);
	expect_load_fail(p, FT_EFORMAT, "/preprocessing/columns/000 has "
	                 "unknown type 'text'");

	make_valid("damaged.h5");
	T_CHECK(set_attr_str(p, "/preprocessing", "missing_policy", "ask") == 0);
	expect_load_fail(p, FT_EFORMAT, "unknown missing_policy 'ask'");

	make_valid("damaged.h5");
	T_CHECK(set_attr_str(p, "/training", "solver", "sgd") == 0);
	expect_load_fail(p, FT_EFORMAT, "/training has unknown solver 'sgd'");

	make_valid("damaged.h5");
	T_CHECK(set_attr_str(p, "/model", "type", "svm") == 0);
	expect_load_fail(p, FT_EFORMAT, "/model has unknown type 'svm'");

	/* sizes that disagree */
	make_valid("damaged.h5");
	T_CHECK(set_attr_int(p, "/preprocessing", "n_features", 8) == 0);
	expect_load_fail(p, FT_EFORMAT, "/preprocessing/feature_names has 7 "
	                 "names, expected 8 (n_features)");

	make_valid("damaged.h5");
	T_CHECK(set_attr_int(p, "/model", "n_features", 6) == 0);
	expect_load_fail(p, FT_EFORMAT, "attribute 'n_features' on /model is 6");

	make_valid("damaged.h5");
	T_CHECK(set_attr_int(p, "/preprocessing/columns/006", "offset", 4) == 0);
	/* format 4: race's categories are feature_names[4..6), which are not
	 * race's names: refused before the layout check */
	expect_load_fail(p, FT_EFORMAT, "/preprocessing/feature_names[4] 'workclass=State-gov' is "
	                 "not of column 'race' (/preprocessing/columns/006)");

	make_valid("damaged.h5");
	T_CHECK(set_attr_int(p, "/preprocessing", "n_num", 3) == 0);
	expect_load_fail(p, FT_EFORMAT, m);

	make_valid("damaged.h5");
	T_CHECK(set_attr_int(p, "/preprocessing/columns/001", "impute_cat",
	                     3) == 0);
	expect_load_fail(p, FT_EFORMAT, "impute_cat 3 is out of range");

	make_valid("damaged.h5");
	T_CHECK(set_attr_int(p, "/training", "n_train", -1) == 0);
	expect_load_fail(p, FT_EFORMAT, "attribute 'n_train' on /training is "
	                 "negative (-1)");

	make_valid("damaged.h5");
	T_CHECK(set_attr_str(p, "/read", "delimiter", ";;") == 0);
	expect_load_fail(p, FT_EFORMAT, "not one ASCII character");

	make_valid("damaged.h5");
	T_CHECK(set_attr_str(p, "/preprocessing", "privileged", "Other") == 0);
	expect_load_fail(p, FT_EFORMAT, "privileged group 'Other' is not in "
	                 "group_names");

	/* wrong kinds of object */
	make_valid("damaged.h5");
	T_CHECK(replace_f64(p, "/model/feature_names", v1, 1) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/feature_names is not a string "
	                 "dataset");

	make_valid("damaged.h5");
	T_CHECK(replace_f64(p, "/model/intercept", v1, 1) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/intercept is not a scalar");

	make_valid("damaged.h5");
	T_CHECK(set_attr_str(p, "/training", "C", "1") == 0);
	expect_load_fail(p, FT_EFORMAT, "attribute 'C' on /training is not a "
	                 "number");

	make_valid("damaged.h5");
	T_CHECK(delete_link(p, "/training") == 0);
	expect_load_fail(p, FT_EFORMAT, "missing /training");

	make_valid("damaged.h5");
	T_CHECK(delete_link(p, "/preprocessing/columns/003") == 0);
	expect_load_fail(p, FT_EFORMAT, m);

	make_valid("damaged.h5");
	{
		hid_t f = open_rw(p);
		H5Adelete_by_name(f, "/training", "seed", H5P_DEFAULT);
		close_rw(f, p);
	}
	expect_load_fail(p, FT_EFORMAT, "missing attribute 'seed' on /training");
}

/* --------------------------------------------------------- refused saves */

static void expect_save_fail(const char *path, const struct ft_model_file *mf,
                             int code, const char *msg)
{
	struct ft_error err = { 0, "" };
	int rc = ft_model_save(path, mf, &err);

	T_CHECKF(rc == code, "rc = %d, expected %d (%s)", rc, code, err.msg);
	T_CHECKF(strstr(err.msg, msg) != NULL, "message \"%s\" lacks \"%s\"",
	         err.msg, msg);
	T_CHECK(count_tmp(dir) == 0);
	T_CHECKF(h5_open_objects() == 0, "%ld hdf5 objects left open",
	         h5_open_objects());
}

static void test_save_nan(void)
{
	struct ft_model_file *mf = sample();
	const char *p = in_dir("nan.h5");
	char want[512];

	mf->model->linear->coef[3] = NAN;
	snprintf(want, sizeof want, "%s: cannot save: /model/coef[3] is nan", p);
	expect_save_fail(p, mf, FT_ENUMERIC, want);
	T_CHECK(access(p, F_OK) != 0);
	mf->model->linear->coef[3] = 0;
	mf->model->linear->intercept = -INFINITY;
	expect_save_fail(p, mf, FT_ENUMERIC, "/model/intercept is -inf");
	mf->model->linear->intercept = 0;
	mf->enc->cols[0].sd = NAN;
	expect_save_fail(p, mf, FT_ENUMERIC, "column 'age' sd is nan");
	mf->enc->cols[0].sd = 1;
	mf->solver_result.grad_norm = INFINITY;
	expect_save_fail(p, mf, FT_ENUMERIC, "/training grad_norm is inf");
	T_CHECK(access(p, F_OK) != 0);
	ft_model_file_free(mf);
}

/* Inconsistent structs are refused before anything is written. */
static void test_save_invalid(void)
{
	struct ft_model_file *mf = sample();
	const char *p = in_dir("invalid.h5");
	char *keep;

	mf->enc->cols[6].offset = 4;
	expect_save_fail(p, mf, FT_EINVAL, "column 'race' has offset 4");
	mf->enc->cols[6].offset = 5;
	mf->model->linear->p = 6;
	expect_save_fail(p, mf, FT_EINVAL, "/model/coef has 6 values, expected 7");
	mf->model->linear->p = 7;
	keep = mf->enc->cols[1].cats[0];
	mf->enc->cols[1].cats[0] = mf->enc->cols[1].cats[1];
	mf->enc->cols[1].cats[1] = keep;
	expect_save_fail(p, mf, FT_EINVAL, "categories are not distinct strings "
	                 "in sorted order");
	mf->enc->cols[1].cats[1] = mf->enc->cols[1].cats[0];
	mf->enc->cols[1].cats[0] = keep;
	mf->enc->cols[2].role = 9;
	expect_save_fail(p, mf, FT_EINVAL, "column 'income' has role 9");
	mf->enc->cols[2].role = FT_ROLE_TARGET;
	mf->read.delimiter = (char)0xa7;
	expect_save_fail(p, mf, FT_EINVAL, "delimiter 0xa7 is not ASCII");
	mf->read.delimiter = ',';
	mf->solver_opts.solver = 7;
	expect_save_fail(p, mf, FT_EINVAL, "solver 7 is unknown");
	T_CHECK(access(p, F_OK) != 0);
	ft_model_file_free(mf);
}

static void test_save_no_directory(void)
{
	struct ft_model_file *mf = sample();
	const char *p = in_dir("no/such/dir/m.h5");
	char want[512];

	snprintf(want, sizeof want, "%s: cannot create: %s", p,
	         strerror(ENOENT));
	expect_save_fail(p, mf, FT_EIO, want);
	ft_model_file_free(mf);
}

/* Saving onto a directory fails at the rename; the directory is kept and
 * the temp file beside it is removed. */
static void test_save_onto_directory(void)
{
	struct ft_model_file *mf = sample();
	const char *p = in_dir("adir");
	struct stat st;

	mkdir(p, 0755);
	expect_save_fail(p, mf, FT_EIO, "adir: cannot write: ");
	T_CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	rmdir(p);
	ft_model_file_free(mf);
}

/* A failed save leaves an existing destination byte-identical: refused
 * before writing (NaN) and failing half-way through HDF5's writes (a file
 * size limit makes write(2) fail with EFBIG; this works for root too). */
static void test_save_keeps_existing(void)
{
	struct ft_model_file *mf = sample();
	const char *p = in_dir("keep.h5"), *ref = in_dir("keep.ref");
	struct rlimit old, lim;
	void (*oldsig)(int);
	struct ft_error err = { 0, "" };
	int rc;

	if (make_valid("keep.h5") || copy_file(p, ref))
		goto done;
	mf->model->linear->coef[0] = NAN;
	expect_save_fail(p, mf, FT_ENUMERIC, "is nan");
	T_CHECK(same_bytes(p, ref));
	mf->model->linear->coef[0] = 9;

	T_CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	oldsig = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 2048;
	T_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	rc = ft_model_save(p, mf, &err);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, oldsig);
	T_CHECKF(rc == FT_EIO, "rc %d: %s", rc, err.msg);
	T_CHECKF(strstr(err.msg, "keep.h5: cannot write") != NULL, "%s",
	         err.msg);
	T_CHECK(count_tmp(dir) == 0);
	T_CHECKF(h5_open_objects() == 0, "%ld hdf5 objects left open",
	         h5_open_objects());
	T_CHECK(same_bytes(p, ref));

	/* the same save without the limit succeeds */
	if (save_ok("keep.h5", mf) == 0)
		T_CHECK(!same_bytes(p, ref));
done:
	ft_model_file_free(mf);
}

/* ----------------------------------------- /baseline and /comparison */

/* A valid model file with a baseline and a comparison, called name. */
static int make_full(const char *name)
{
	struct ft_model_file *mf = sample_full();
	int rc = save_ok(name, mf);

	ft_model_file_free(mf);
	return rc;
}

/* Every field of the baseline and of every comparison row comes back bit
 * for bit; undefined values and missing intervals come back as 0 with their
 * reason, defined ones with NULL reasons; the loaded table grows with
 * ft_comparison_add like one built by the API. */
static void test_round_trip_full(void)
{
	struct ft_model_file *mf = sample_full(), *back = NULL;
	struct ft_error err = { 0, "" };
	const struct ft_comparison_row *r;
	int rc;

	if (save_ok("full.h5", mf))
		goto done;
	T_CHECK(count_tmp(dir) == 0);
	rc = ft_model_load(in_dir("full.h5"), &back, &err);
	T_CHECKF(rc == 0, "load: %s", err.msg);
	T_CHECK(h5_open_objects() == 0);
	if (rc)
		goto done;
	check_equal(mf, back);
	if (!back->baseline || !back->comparison || back->comparison->n != 5) {
		T_FAIL("baseline or comparison missing");
		goto done;
	}
	r = back->comparison->rows;
	T_CHECK(r[0].why == NULL && r[0].ci_why == NULL && r[0].lo == 0.75);
	T_STREQ(r[1].why, "no positive labels in group");
	T_STREQ(r[1].ci_why, "no bootstrap");
	T_CHECK(r[1].value == 0 && r[1].lo == 0 && r[1].hi == 0);
	T_STREQ(r[1].group, "Wei\xc3\x9f");
	T_CHECK(r[2].why == NULL && signbit(r[2].value));
	T_STREQ(r[2].ci_why, "too few resamples");
	T_STREQ(r[3].why, "no selected rows in the privileged group");
	T_CHECK(r[3].ci_why == NULL && r[3].hi == 1.0 / 3.0);
	T_STREQ(r[4].convention, "");
	/* the loaded table is an ordinary one */
	for (int k = 0; k < 40; k++)
		T_CHECK(ft_comparison_add(back->comparison, "count", "baseline",
		                          "test", "overall", "", val(k), val(0),
		                          val(0)) == 0);
	T_CHECK(back->comparison->n == 45);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* Each addition on its own; a file without them (as version 1 wrote
 * before they existed) has neither group and loads with NULLs. */
static void test_round_trip_partial(void)
{
	struct ft_model_file *mf = sample(), *back = NULL;
	struct ft_error err = { 0, "" };
	hid_t f;

	if (save_ok("plain.h5", mf))
		goto done;
	f = H5Fopen(in_dir("plain.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
	T_CHECK(H5Lexists(f, "baseline", H5P_DEFAULT) == 0);
	T_CHECK(H5Lexists(f, "comparison", H5P_DEFAULT) == 0);
	H5Fclose(f);
	if (ft_model_load(in_dir("plain.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	T_CHECK(back->baseline == NULL && back->comparison == NULL);
	check_equal(mf, back);
	ft_model_file_free(back);
	back = NULL;

	mf->baseline = pred_of(sample_baseline());
	if (save_ok("onlybase.h5", mf))
		goto done;
	if (ft_model_load(in_dir("onlybase.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	T_CHECK(back->baseline != NULL && back->comparison == NULL);
	check_equal(mf, back);
	ft_model_file_free(back);
	back = NULL;

	ft_predictor_free(mf->baseline);
	mf->baseline = NULL;
	mf->comparison = sample_comparison();
	if (save_ok("onlycmp.h5", mf))
		goto done;
	if (ft_model_load(in_dir("onlycmp.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	T_CHECK(back->baseline == NULL && back->comparison != NULL);
	check_equal(mf, back);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* An empty table (n = 0, no intervals) is a table: zero-length columns,
 * loaded as a comparison with no rows. */
static void test_round_trip_empty_comparison(void)
{
	struct ft_model_file *mf = sample(), *back = NULL;
	struct ft_error err = { 0, "" };
	hid_t f, d, s;

	mf->comparison = calloc(1, sizeof *mf->comparison);
	mf->comparison->threshold = 0.5;
	if (save_ok("emptycmp.h5", mf))
		goto done;
	f = H5Fopen(in_dir("emptycmp.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
	d = H5Dopen2(f, "/comparison/ci_why", H5P_DEFAULT);
	s = H5Dget_space(d);
	T_CHECK(H5Sget_simple_extent_ndims(s) == 1 &&
	        H5Sget_simple_extent_npoints(s) == 0);
	H5Sclose(s);
	H5Dclose(d);
	H5Fclose(f);
	if (ft_model_load(in_dir("emptycmp.h5"), &back, &err)) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	T_CHECK(back->comparison && back->comparison->n == 0);
	check_equal(mf, back);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* The type class, size, sign and character set of dataset or attribute
 * type t. */
static int type_is(hid_t t, H5T_class_t cls, size_t size, int is_signed)
{
	if (H5Tget_class(t) != cls)
		return 0;
	if (cls == H5T_STRING)
		return H5Tis_variable_str(t) > 0 &&
		       H5Tget_cset(t) == H5T_CSET_UTF8;
	if (H5Tget_size(t) != size)
		return 0;
	return cls != H5T_INTEGER ||
	       (H5Tget_sign(t) != H5T_SGN_NONE) == is_signed;
}

/* What a reader without fairtrain sees: the columns attribute, 1-D columns
 * of one length with the documented types, scalar attributes, 0 (not NaN)
 * where a value is undefined. */
static void test_comparison_layout(void)
{
	static const struct { const char *name; H5T_class_t cls; size_t size;
	                      int sgn; } cols[] = {
		{ "metric", H5T_STRING, 0, 0 }, { "model", H5T_STRING, 0, 0 },
		{ "split", H5T_STRING, 0, 0 }, { "group", H5T_STRING, 0, 0 },
		{ "convention", H5T_STRING, 0, 0 }, { "value", H5T_FLOAT, 8, 0 },
		{ "defined", H5T_INTEGER, 1, 1 }, { "why", H5T_STRING, 0, 0 },
		{ "lo", H5T_FLOAT, 8, 0 }, { "hi", H5T_FLOAT, 8, 0 },
		{ "ci_defined", H5T_INTEGER, 1, 1 }, { "ci_why", H5T_STRING, 0, 0 },
	};
	static const struct { const char *name; H5T_class_t cls; size_t size;
	                      int sgn; } attrs[] = {
		{ "n_bootstrap", H5T_INTEGER, 8, 0 }, { "level", H5T_FLOAT, 8, 0 },
		{ "threshold", H5T_FLOAT, 8, 0 }, { "seed", H5T_INTEGER, 8, 0 },
		{ "columns", H5T_STRING, 0, 0 },
	};
	hid_t f, g, d, t, s, a, st;
	double v[5];
	int8_t def[5];
	char *names = NULL;
	H5G_info_t info;
	size_t k;

	if (make_full("layout.h5"))
		return;
	f = H5Fopen(in_dir("layout.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
	g = H5Gopen2(f, "comparison", H5P_DEFAULT);
	T_CHECK(H5Gget_info(g, &info) >= 0 && info.nlinks == 12);
	for (k = 0; k < sizeof cols / sizeof cols[0]; k++) {
		d = H5Dopen2(g, cols[k].name, H5P_DEFAULT);
		t = H5Dget_type(d);
		s = H5Dget_space(d);
		T_CHECKF(d >= 0 && type_is(t, cols[k].cls, cols[k].size,
		                           cols[k].sgn), "column %s", cols[k].name);
		T_CHECKF(H5Sget_simple_extent_ndims(s) == 1 &&
		         H5Sget_simple_extent_npoints(s) == 5, "column %s shape",
		         cols[k].name);
		H5Sclose(s);
		H5Tclose(t);
		H5Dclose(d);
	}
	for (k = 0; k < sizeof attrs / sizeof attrs[0]; k++) {
		a = H5Aopen(g, attrs[k].name, H5P_DEFAULT);
		t = H5Aget_type(a);
		s = H5Aget_space(a);
		T_CHECKF(a >= 0 && type_is(t, attrs[k].cls, attrs[k].size,
		                           attrs[k].sgn), "attribute %s",
		         attrs[k].name);
		T_CHECK(H5Sget_simple_extent_type(s) == H5S_SCALAR);
		H5Sclose(s);
		H5Tclose(t);
		H5Aclose(a);
	}
	st = H5Tcopy(H5T_C_S1);
	H5Tset_size(st, H5T_VARIABLE);
	H5Tset_cset(st, H5T_CSET_UTF8);
	a = H5Aopen(g, "columns", H5P_DEFAULT);
	if (H5Aread(a, st, &names) >= 0 && names) {
		T_STREQ(names, "metric,model,split,group,convention,value,defined,"
		        "why,lo,hi,ci_defined,ci_why");
		H5free_memory(names);
	} else {
		T_FAIL("cannot read columns");
	}
	H5Aclose(a);
	H5Tclose(st);
	d = H5Dopen2(g, "value", H5P_DEFAULT);
	T_CHECK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
	                v) >= 0);
	H5Dclose(d);
	T_CHECK(v[0] == 0.8125 && v[1] == 0 && !signbit(v[1]) && v[3] == 0);
	d = H5Dopen2(g, "defined", H5P_DEFAULT);
	T_CHECK(H5Dread(d, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT,
	                def) >= 0);
	H5Dclose(d);
	T_CHECK(def[0] == 1 && def[1] == 0 && def[2] == 1 && def[3] == 0 &&
	        def[4] == 1);
	H5Gclose(g);
	/* /baseline is laid out like /model */
	T_CHECK(H5Lexists(f, "/baseline/coef", H5P_DEFAULT) > 0);
	T_CHECK(H5Lexists(f, "/baseline/intercept", H5P_DEFAULT) > 0);
	T_CHECK(H5Lexists(f, "/baseline/feature_names", H5P_DEFAULT) > 0);
	T_CHECK(H5Aexists_by_name(f, "/baseline", "type", H5P_DEFAULT) > 0);
	T_CHECK(H5Aexists_by_name(f, "/baseline", "n_features",
	                          H5P_DEFAULT) > 0);
	H5Fclose(f);
	T_CHECK(h5_open_objects() == 0);
}

/* A version 1 reader ignores what it does not know: an extra column, an
 * extra attribute, and the columns attribute itself. */
static void test_comparison_ignores_unknown(void)
{
	const char *p = in_dir("extra.h5");
	struct ft_model_file *back = NULL;
	struct ft_error err = { 0, "" };
	double w[3] = { 1, 2, 3 };
	hid_t f;

	if (make_full("extra.h5"))
		return;
	T_CHECK(replace_f64(p, "/comparison/weight_sum", w, 3) == 0);
	T_CHECK(set_attr_str(p, "/comparison", "note", "later") == 0);
	f = open_rw(p);
	H5Adelete_by_name(f, "/comparison", "columns", H5P_DEFAULT);
	close_rw(f, p);
	T_CHECKF(ft_model_load(p, &back, &err) == 0, "load: %s", err.msg);
	T_CHECK(back && back->comparison && back->comparison->n == 5);
	ft_model_file_free(back);
}

/* Save refuses NaN, Inf and inconsistent additions before anything is
 * written: no temp file, the existing destination byte-identical. */
static void test_save_refuses_additions(void)
{
	struct ft_model_file *mf = sample_full();
	struct ft_comparison_row *r = mf->comparison->rows;
	const char *p = in_dir("keepadd.h5"), *ref = in_dir("keepadd.ref");
	char want[512], *keep;

#define REFUSED(code, msg) do { expect_save_fail(p, mf, code, msg); \
	T_CHECK(same_bytes(p, ref)); } while (0)
	if (make_valid("keepadd.h5") || copy_file(p, ref))
		goto done;
	mf->baseline->linear->coef[2] = NAN;
	snprintf(want, sizeof want, "%s: cannot save: /baseline/coef[2] is nan",
	         p);
	REFUSED(FT_ENUMERIC, want);
	mf->baseline->linear->coef[2] = 0;
	mf->baseline->linear->intercept = INFINITY;
	REFUSED(FT_ENUMERIC, "/baseline/intercept is inf");
	mf->baseline->linear->intercept = 0;
	mf->baseline->linear->p = 6;
	REFUSED(FT_EINVAL, "/baseline/coef has 6 values, expected 7 "
	        "(n_features)");
	mf->baseline->linear->p = 7;
	mf->baseline->linear->type = 3;
	REFUSED(FT_EINVAL, "baseline type 3 is unknown");
	mf->baseline->linear->type = FT_MODEL_LOGREG;

	r[0].value = NAN;
	snprintf(want, sizeof want, "%s: cannot save: /comparison/value[0] is "
	         "nan", p);
	REFUSED(FT_ENUMERIC, want);
	r[0].value = 0.5;
	r[2].hi = -INFINITY;
	REFUSED(FT_ENUMERIC, "/comparison/hi[2] is -inf");
	r[2].hi = 0;
	r[4].lo = NAN;
	REFUSED(FT_ENUMERIC, "/comparison/lo[4] is nan");
	r[4].lo = 0;
	/* undefined by hand, NaN as the metrics code has it: still refused */
	r[1].value = NAN;
	REFUSED(FT_ENUMERIC, "/comparison/value[1] is nan");
	r[1].value = 0.25;
	REFUSED(FT_EINVAL, "/comparison/value[1] is 0.25 but defined is 0");
	r[1].value = 0;
	r[1].lo = 1;
	REFUSED(FT_EINVAL, "/comparison/lo[1] and hi[1] are 1 and 0 but "
	        "ci_defined is 0");
	r[1].lo = 0;
	keep = r[1].why;
	r[1].why = "";
	REFUSED(FT_EINVAL, "/comparison/why[1] is empty but defined is 0");
	r[1].why = keep;
	keep = r[0].metric;
	r[0].metric = NULL;
	REFUSED(FT_EINVAL, "/comparison/metric[0] is missing");
	r[0].metric = "";
	REFUSED(FT_EINVAL, "/comparison/metric[0] is empty");
	r[0].metric = keep;
	mf->comparison->level = NAN;
	REFUSED(FT_ENUMERIC, "/comparison level is nan");
	mf->comparison->level = 95;
	REFUSED(FT_EINVAL, "/comparison level 95 is outside [0, 1]");
	mf->comparison->level = 0.95;
	mf->comparison->threshold = -INFINITY;
	REFUSED(FT_ENUMERIC, "/comparison threshold is -inf");
	mf->comparison->threshold = 0.5;
	/* all put back: it saves */
	if (save_ok("keepadd.h5", mf) == 0)
		T_CHECK(!same_bytes(p, ref));
#undef REFUSED
done:
	ft_model_file_free(mf);
}

/* Hand-damaged /comparison and /baseline groups, each refused with a line
 * that names the object. */
static void test_load_damaged_additions(void)
{
	static const char *const four[4] = { "a", "b", "c", "d" };
	static const char *const blank[5] = { "", "", "", "", "" };
	static const char *const names[7] = {
		"age", "hours", "workclass=Private", "workclass=Self-emp",
		"workclass=State-gov", "race=Black", "race=White"
	};
	const char *p = in_dir("dmgadd.h5");
	double v6[6] = { 0, 0, 0, 0, 0, 0 };
	double v5[5] = { 0.8125, 0, 0, 0, NAN };
	double c8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	double c7[7] = { 1, 2, NAN, 4, 5, 6, 7 };
	int8_t f2[5] = { 1, 0, 2, 0, 1 }, fm[5] = { 1, -1, 0, 1, 1 };
	int8_t ones[5] = { 1, 1, 1, 1, 1 }, zeros[5] = { 0, 0, 0, 0, 0 };
	char want[512];
	hid_t f;

	if (make_full("dmgadd.h5"))
		return;
	/* columns of different lengths */
	T_CHECK(replace_f64(p, "/comparison/lo", v6, 6) == 0);
	snprintf(want, sizeof want, "=%s: corrupt model file: /comparison/lo "
	         "has 6 entries, /comparison/metric 5", p);
	expect_load_fail(p, FT_EFORMAT, want);
	make_full("dmgadd.h5");
	T_CHECK(replace_strv(p, "/comparison/group", four, 4) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/group has 4 entries, "
	                 "/comparison/metric 5");

	/* flags that are not 0/1, or that disagree with the other columns */
	make_full("dmgadd.h5");
	T_CHECK(replace_i8(p, "/comparison/defined", f2, 5) == 0);
	snprintf(want, sizeof want, "=%s: corrupt model file: "
	         "/comparison/defined[2] is 2, not 0 or 1", p);
	expect_load_fail(p, FT_EFORMAT, want);
	make_full("dmgadd.h5");
	T_CHECK(replace_i8(p, "/comparison/ci_defined", fm, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/ci_defined[1] is -1, not "
	                 "0 or 1");
	make_full("dmgadd.h5");
	T_CHECK(replace_i8(p, "/comparison/defined", ones, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/why[1] is 'no positive "
	                 "labels in group' but defined is 1");
	make_full("dmgadd.h5");
	T_CHECK(replace_i8(p, "/comparison/defined", zeros, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/value[0] is 0.8125 but "
	                 "defined is 0");
	make_full("dmgadd.h5");
	T_CHECK(replace_i8(p, "/comparison/ci_defined", zeros, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/lo[0] and hi[0] are 0.75 "
	                 "and 0.875 but ci_defined is 0");
	make_full("dmgadd.h5");
	T_CHECK(replace_i8(p, "/comparison/ci_defined", ones, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/ci_why[1] is 'no "
	                 "bootstrap' but ci_defined is 1");
	make_full("dmgadd.h5");
	T_CHECK(replace_strv(p, "/comparison/why", blank, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/why[1] is empty but "
	                 "defined is 0");
	make_full("dmgadd.h5");
	T_CHECK(replace_strv(p, "/comparison/split", blank, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/split[0] is empty");

	/* non-finite numbers */
	make_full("dmgadd.h5");
	T_CHECK(replace_f64(p, "/comparison/value", v5, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/value[4] is nan");
	make_full("dmgadd.h5");
	f = open_rw(p);
	{
		hid_t s = H5Screate(H5S_SCALAR), a;
		double inf = INFINITY;

		H5Adelete_by_name(f, "/comparison", "level", H5P_DEFAULT);
		a = H5Acreate_by_name(f, "/comparison", "level", H5T_IEEE_F64LE, s,
		                      H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		H5Awrite(a, H5T_NATIVE_DOUBLE, &inf);
		H5Aclose(a);
		H5Sclose(s);
	}
	close_rw(f, p);
	expect_load_fail(p, FT_EFORMAT, "attribute 'level' on /comparison is "
	                 "inf");

	/* wrong kinds of object, missing objects */
	make_full("dmgadd.h5");
	T_CHECK(replace_f64(p, "/comparison/metric", v5, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/metric is not a string "
	                 "dataset");
	make_full("dmgadd.h5");
	T_CHECK(replace_f64(p, "/comparison/defined", v5, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/defined is not an integer "
	                 "dataset");
	make_full("dmgadd.h5");
	T_CHECK(replace_i8(p, "/comparison/value", ones, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "/comparison/value is not a float "
	                 "dataset");
	make_full("dmgadd.h5");
	T_CHECK(delete_link(p, "/comparison/ci_why") == 0);
	expect_load_fail(p, FT_EFORMAT, "missing /comparison/ci_why");
	make_full("dmgadd.h5");
	T_CHECK(set_attr_str(p, "/comparison", "n_bootstrap", "200") == 0);
	expect_load_fail(p, FT_EFORMAT, "attribute 'n_bootstrap' on "
	                 "/comparison is not an integer");
	make_full("dmgadd.h5");
	f = open_rw(p);
	H5Adelete_by_name(f, "/comparison", "seed", H5P_DEFAULT);
	close_rw(f, p);
	expect_load_fail(p, FT_EFORMAT, "missing attribute 'seed' on "
	                 "/comparison");
	make_full("dmgadd.h5");
	T_CHECK(delete_link(p, "/comparison") == 0);
	T_CHECK(replace_f64(p, "/comparison", v5, 5) == 0);
	expect_load_fail(p, FT_EFORMAT, "cannot open /comparison as a group");

	/* the baseline is checked like the model */
	make_full("dmgadd.h5");
	T_CHECK(replace_f64(p, "/baseline/coef", c8, 8) == 0);
	snprintf(want, sizeof want, "=%s: corrupt model file: /baseline/coef "
	         "has 8 values, expected 7 (n_features)", p);
	expect_load_fail(p, FT_EFORMAT, want);
	make_full("dmgadd.h5");
	T_CHECK(replace_f64(p, "/baseline/coef", c7, 7) == 0);
	expect_load_fail(p, FT_EFORMAT, "/baseline/coef[2] is nan");
	make_full("dmgadd.h5");
	T_CHECK(set_attr_int(p, "/baseline", "n_features", 6) == 0);
	expect_load_fail(p, FT_EFORMAT, "attribute 'n_features' on /baseline "
	                 "is 6, /preprocessing has 7");
	make_full("dmgadd.h5");
	T_CHECK(set_attr_str(p, "/baseline", "type", "svm") == 0);
	expect_load_fail(p, FT_EFORMAT, "/baseline has unknown type 'svm'");
	make_full("dmgadd.h5");
	T_CHECK(delete_link(p, "/baseline/intercept") == 0);
	expect_load_fail(p, FT_EFORMAT, "missing /baseline/intercept");
	make_full("dmgadd.h5");
	T_CHECK(replace_strv(p, "/baseline/feature_names", names, 7) == 0);
	expect_load_fail(p, FT_EFORMAT, "/baseline/feature_names[6] is "
	                 "'race=White', /preprocessing has 'race=Wei\xc3\x9f'");
}

/* ------------------------------------------------------------------- main */

static void remove_dir(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	char p[512];

	if (!dp)
		return;
	while ((de = readdir(dp))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", d, de->d_name);
		if (unlink(p) != 0)
			remove_dir(p);
	}
	closedir(dp);
	rmdir(d);
}

/* ------------------------------- per-group models, parameters, diagnostics */

/* Make m a per-group model of 2 groups (sample()'s encoder has 2). */
static void make_per_group(struct ft_linear_model *m, double shift)
{
	m->n_groups = 2;
	m->group_coef = malloc(2 * m->p * sizeof *m->group_coef);
	m->group_intercept = malloc(2 * sizeof *m->group_intercept);
	for (size_t i = 0; i < 2 * m->p; i++)
		m->group_coef[i] = shift + (double)i / 3.0 - (i == 5 ? 1e300 : 0);
	m->group_intercept[0] = -0.0;
	m->group_intercept[1] = shift - 1.0 / 7.0;
}

/* A prejudice-remover file: per-group model and baseline, parameters and
 * diagnostics. */
static struct ft_model_file *sample_prejudice(void)
{
	struct ft_model_file *mf = sample_full();

	make_per_group(mf->model->linear, 0.5);
	make_per_group(mf->baseline->linear, -2.0);
	free(mf->method);
	mf->method = ft_strdup("prejudice");
	mf->n_params = 2;
	mf->param_names = strv(2, "eta", "per_group");
	mf->param_values = malloc(2 * sizeof(double));
	mf->param_values[0] = 25;
	mf->param_values[1] = 1;
	mf->n_diag = 3;
	mf->diag_names = strv(3, "prejudice_index", "log_loss", "\xce\xb7");
	mf->diag_values = malloc(3 * sizeof(double));
	mf->diag_values[0] = 8.25e-5;
	mf->diag_values[1] = 0.3587;
	mf->diag_values[2] = -DBL_MAX;
	return mf;
}

static void test_round_trip_per_group(void)
{
	struct ft_model_file *mf = sample_prejudice(), *back = NULL;
	struct ft_error err = { 0, "" };
	const char *p = in_dir("pg.h5");
	hid_t f, d, s, a, t;
	hsize_t dims[2] = { 0, 0 };
	char *type = NULL;
	int rc;

	if (save_ok("pg.h5", mf))
		goto done;
	rc = ft_model_load(p, &back, &err);
	T_CHECKF(rc == 0, "load: %s", err.msg);
	if (rc == 0) {
		check_equal(mf, back);
		T_CHECK(back->model->linear->n_groups == 2 && back->baseline->linear->n_groups == 2);
		T_CHECK(back->n_params == 2 && back->n_diag == 3);
	}
	T_CHECK(h5_open_objects() == 0);
	/* the layout as h5py sees it */
	f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
	d = H5Dopen2(f, "/model/group_coef", H5P_DEFAULT);
	s = H5Dget_space(d);
	T_CHECK(H5Sget_simple_extent_dims(s, dims, NULL) == 2 && dims[0] == 2 &&
	        dims[1] == 7);
	H5Sclose(s);
	H5Dclose(d);
	t = H5Tcopy(H5T_C_S1);
	H5Tset_size(t, H5T_VARIABLE);
	H5Tset_cset(t, H5T_CSET_UTF8);
	a = H5Aopen_by_name(f, "/baseline", "type", H5P_DEFAULT, H5P_DEFAULT);
	if (H5Aread(a, t, &type) >= 0 && type) {
		T_STREQ(type, "logistic_regression_per_group");
		H5free_memory(type);
	} else {
		T_FAIL("cannot read /baseline type");
	}
	H5Aclose(a);
	H5Tclose(t);
	T_CHECK(H5Aexists_by_name(f, "/model", "n_groups", H5P_DEFAULT) > 0);
	T_CHECK(H5Lexists(f, "/model/group_intercept", H5P_DEFAULT) > 0);
	T_CHECK(H5Lexists(f, "/training/param_names", H5P_DEFAULT) > 0);
	T_CHECK(H5Lexists(f, "/training/diag_values", H5P_DEFAULT) > 0);
	H5Fclose(f);
	T_CHECK(h5_open_objects() == 0);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* Per-group decisions are the same after a round trip. */
static void test_round_trip_per_group_decisions(void)
{
	struct ft_model_file *mf = sample_prejudice(), *back = NULL;
	struct ft_error err = { 0, "" };
	double num[4] = { 1, -2, 0.5, 3 }, o1[2], o2[2];
	int32_t code[4] = { 3, 5, 4, -1 }, grp[2] = { 1, 0 };
	struct ft_dataset d;

	for (size_t i = 0; i < 14; i++)
		mf->model->linear->group_coef[i] = 0.1 * (double)i - 0.4;
	if (save_ok("pgd.h5", mf))
		goto done;
	if (ft_model_load(in_dir("pgd.h5"), &back, &err) != 0) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	memset(&d, 0, sizeof d);
	d.n = 2;
	d.p = 7;
	d.n_num = 2;
	d.num = num;
	d.n_cat = 2;
	d.code = code;
	d.group = grp;
	ft_linear_decision(mf->model->linear, &d, o1);
	ft_linear_decision(back->model->linear, &d, o2);
	T_CHECK(same_double(o1[0], o2[0]) && same_double(o1[1], o2[1]));
	/* group 1: coef_j = 0.1 (7 + j) - 0.4; x = (1, -2), codes 3 and 5 */
	T_NEAR(o1[0], mf->model->linear->group_intercept[1] + 1.0 * 0.3 - 2.0 * 0.4 +
	       0.6 + 0.8, 1e-12);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* Files without the /training pairs (as written before they existed), and
 * with empty pairs, load with n = 0 and NULL arrays; a logistic_regression
 * model has no groups. */
static void test_old_training_layout(void)
{
	struct ft_model_file *mf = sample_prejudice(), *back = NULL;
	struct ft_error err = { 0, "" };
	const char *p = in_dir("oldtr.h5");
	static const char *const del[] = {
		"/training/param_names", "/training/param_values",
		"/training/diag_names", "/training/diag_values", "/training/param_choices",
	};

	if (save_ok("oldtr.h5", mf))
		goto done;
	for (size_t k = 0; k < 5; k++)
		T_CHECK(delete_link(p, del[k]) == 0);
	if (ft_model_load(p, &back, &err) != 0) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	T_CHECK(back->n_params == 0 && !back->param_names && !back->param_values);
	T_CHECK(back->n_diag == 0 && !back->diag_names && !back->diag_values);
	T_CHECK(back->model->linear->n_groups == 2);
	ft_model_file_free(back);
	back = NULL;
	/* a plain model and empty pairs */
	ft_model_file_free(mf);
	mf = sample();
	if (save_ok("oldtr.h5", mf))
		goto done;
	if (ft_model_load(p, &back, &err) != 0) {
		T_FAIL("load: %s", err.msg);
		goto done;
	}
	T_CHECK(back->n_params == 0 && !back->param_names && !back->param_values);
	T_CHECK(back->n_diag == 0 && !back->diag_names && !back->diag_values);
	T_CHECK(back->model->linear->n_groups == 0 && !back->model->linear->group_coef &&
	        !back->model->linear->group_intercept);
	check_equal(mf, back);
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

static void test_save_refuses_per_group(void)
{
	struct ft_model_file *mf = sample_prejudice();
	const char *p = in_dir("pgbad.h5");
	char *keep;

	mf->model->linear->group_coef[9] = NAN;
	expect_save_fail(p, mf, FT_ENUMERIC, "/model/group_coef[1, 2] is nan");
	mf->model->linear->group_coef[9] = 0;
	mf->baseline->linear->group_intercept[1] = INFINITY;
	expect_save_fail(p, mf, FT_ENUMERIC, "/baseline/group_intercept[1] is inf");
	mf->baseline->linear->group_intercept[1] = 0;
	mf->model->linear->n_groups = 3;
	expect_save_fail(p, mf, FT_EINVAL, "/model has 3 groups, the encoder "
	                 "has 2");
	mf->model->linear->n_groups = 2;
	mf->param_values[1] = NAN;
	expect_save_fail(p, mf, FT_ENUMERIC, "/training/param_values[1] "
	                 "(per_group) is nan");
	mf->param_values[1] = 1;
	mf->diag_values[0] = -INFINITY;
	expect_save_fail(p, mf, FT_ENUMERIC, "/training/diag_values[0] "
	                 "(prejudice_index) is -inf");
	mf->diag_values[0] = 0;
	keep = mf->diag_names[1];
	mf->diag_names[1] = "";
	expect_save_fail(p, mf, FT_EINVAL, "/training/diag_names[1] is empty");
	mf->diag_names[1] = NULL;
	expect_save_fail(p, mf, FT_EINVAL, "/training/diag_names[1] is missing");
	mf->diag_names[1] = keep;
	T_CHECK(access(p, F_OK) != 0);
	T_CHECK(save_ok("pgbad.h5", mf) == 0);
	ft_model_file_free(mf);
}

/* Replace obj by a rows x cols float64 dataset. */
static int replace_f64m(const char *path, const char *obj, const double *v,
                        size_t rows, size_t cols)
{
	hid_t f = open_rw(path), s, d;
	hsize_t dims[2];
	int rc = -1;

	dims[0] = rows;
	dims[1] = cols;
	H5Ldelete(f, obj, H5P_DEFAULT);
	s = H5Screate_simple(2, dims, NULL);
	d = H5Dcreate2(f, obj, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT,
	               H5P_DEFAULT);
	if (d >= 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
	                       H5P_DEFAULT, v) >= 0)
		rc = 0;
	if (d >= 0)
		H5Dclose(d);
	H5Sclose(s);
	if (close_rw(f, path) < 0)
		rc = -1;
	return rc;
}

static void test_load_damaged_per_group(void)
{
	struct ft_model_file *mf = sample_prejudice();
	const char *p = in_dir("pgdmg.h5");
	double v[21] = { 0 };
	static const char *const two[2] = { "a", "b" };
	int ok;

#define FRESH() do { ok = save_ok("pgdmg.h5", mf) == 0; } while (0)
	FRESH();
	if (!ok)
		goto done;
	T_CHECK(replace_f64(p, "/model/group_coef", v, 14) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/group_coef is not "
	                 "two-dimensional");
	FRESH();
	T_CHECK(replace_f64m(p, "/model/group_coef", v, 3, 7) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/group_coef is 3 x 7, expected "
	                 "2 x 7 (n_groups x n_features)");
	FRESH();
	T_CHECK(replace_f64m(p, "/baseline/group_coef", v, 2, 6) == 0);
	expect_load_fail(p, FT_EFORMAT, "/baseline/group_coef is 2 x 6");
	FRESH();
	v[4] = NAN;
	T_CHECK(replace_f64m(p, "/model/group_coef", v, 2, 7) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/group_coef[0, 4] is nan");
	v[4] = 0;
	FRESH();
	T_CHECK(replace_f64(p, "/model/group_intercept", v, 3) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/group_intercept has 3 values, "
	                 "expected 2");
	FRESH();
	T_CHECK(set_attr_int(p, "/model", "n_groups", 3) == 0);
	expect_load_fail(p, FT_EFORMAT, "attribute 'n_groups' on /model is 3, "
	                 "/preprocessing has 2 groups");
	FRESH();
	T_CHECK(delete_link(p, "/model/group_intercept") == 0);
	expect_load_fail(p, FT_EFORMAT, "missing /model/group_intercept");
	FRESH();
	T_CHECK(set_attr_str(p, "/model", "type", "logistic_regression_x") == 0);
	expect_load_fail(p, FT_EFORMAT, "/model has unknown type "
	                 "'logistic_regression_x'");
	FRESH();
	T_CHECK(replace_f64(p, "/training/param_values", v, 3) == 0);
	expect_load_fail(p, FT_EFORMAT, "/training/param_names has 2 entries, "
	                 "/training/param_values 3");
	FRESH();
	T_CHECK(delete_link(p, "/training/diag_names") == 0);
	expect_load_fail(p, FT_EFORMAT, "missing /training/diag_names");
	FRESH();
	T_CHECK(replace_strv(p, "/training/diag_names", two, 2) == 0);
	expect_load_fail(p, FT_EFORMAT, "/training/diag_names has 2 entries, "
	                 "/training/diag_values 3");
	FRESH();
	v[2] = INFINITY;
	T_CHECK(replace_f64(p, "/training/diag_values", v, 3) == 0);
	expect_load_fail(p, FT_EFORMAT, "/training/diag_values[2] is inf");
	T_CHECK(count_tmp(dir) == 0);
#undef FRESH
done:
	ft_model_file_free(mf);
}

/* ------------------------------------ mixture, frontier, thresholds (v2) */

static struct ft_linear_model *shifted(double shift)
{
	struct ft_linear_model *m = sample_baseline();

	for (size_t j = 0; j < m->p; j++)
		m->coef[j] = 0.25 * (double)j - shift;
	m->intercept = shift;
	return m;
}

/* A mixture, frontier and thresholds of sample()'s shape. */
static struct ft_mixture *sample_mixture(void)
{
	struct ft_mixture *mx = calloc(1, sizeof *mx);

	mx->k = 2;
	mx->h = calloc(2, sizeof *mx->h);
	mx->weight = malloc(2 * sizeof(double));
	mx->h[0] = shifted(0.5);
	mx->h[1] = shifted(-1.5);
	mx->weight[0] = 0.3;
	mx->weight[1] = 0.7;
	return mx;
}

static struct ft_frontier *sample_frontier(void)
{
	struct ft_frontier *fr = calloc(1, sizeof *fr);

	fr->k = 3;
	fr->n_lambda = 2;
	fr->h = calloc(3, sizeof *fr->h);
	fr->lambda = malloc(6 * sizeof(double));
	fr->error = malloc(3 * sizeof(double));
	fr->violation = malloc(3 * sizeof(double));
	for (size_t k = 0; k < 3; k++) {
		fr->h[k] = shifted((double)k);
		fr->lambda[2 * k] = -1.0 + (double)k;
		fr->lambda[2 * k + 1] = 0.5 * (double)k;
		fr->error[k] = 0.1 + 0.01 * (double)k;
		fr->violation[k] = 0.2 / (1.0 + (double)k);
	}
	fr->chosen = 1;
	return fr;
}

static struct ft_thresholds *sample_thresholds(void)
{
	struct ft_thresholds *th = calloc(1, sizeof *th);

	th->n_groups = 2;
	th->t0 = malloc(2 * sizeof(double));
	th->t1 = malloc(2 * sizeof(double));
	th->p = malloc(2 * sizeof(double));
	th->q = malloc(2 * sizeof(double));
	th->c = malloc(2 * sizeof(double));
	th->t0[0] = 0.4; th->t1[0] = INFINITY; th->p[0] = 0.25; th->q[0] = 0.0; th->c[0] = 0.0;
	th->t0[1] = -INFINITY; th->t1[1] = 0.6; th->p[1] = 1.0; th->q[1] = 0.5; th->c[1] = 0.2;
	return th;
}

/* sample() whose model is a predictor of the given kind (mixture,
 * frontier or thresholds). */
static struct ft_model_file *sample_kind(int kind)
{
	struct ft_model_file *mf = sample();

	mf->model->kind = kind;
	if (kind == FT_PRED_MIXTURE)
		mf->model->mixture = sample_mixture();
	else if (kind == FT_PRED_FRONTIER)
		mf->model->frontier = sample_frontier();
	else
		mf->model->thresholds = sample_thresholds();
	return mf;
}

static int same_model_values(const struct ft_linear_model *a,
                             const struct ft_linear_model *b)
{
	return a->p == b->p && a->n_groups == 0 && b->n_groups == 0 &&
	       memcmp(a->coef, b->coef, a->p * sizeof(double)) == 0 &&
	       same_double(a->intercept, b->intercept);
}

/* Every part comes back; +-inf thresholds come back as 2 and -1, which
 * decide every score in [0, 1] alike (checked through ft_classify). */
/* Every kind of predictor round-trips, and decides as before. */
static void test_round_trip_kinds(void)
{
	static const int KINDS[3] = {FT_PRED_MIXTURE, FT_PRED_FRONTIER, FT_PRED_THRESHOLDS};
	double num[4] = { 1, -2, 0.5, 3 }, s1[2], s2[2], p1[2], p2[2];
	int32_t code[4] = { 3, 5, 4, -1 }, grp[2] = { 1, 0 };
	struct ft_dataset d;

	memset(&d, 0, sizeof d);
	d.n = 2;
	d.p = 7;
	d.n_num = 2;
	d.num = num;
	d.n_cat = 2;
	d.code = code;
	d.group = grp;
	for (int k = 0; k < 3; k++) {
		struct ft_model_file *mf = sample_kind(KINDS[k]), *back = NULL;
		struct ft_error err = { 0, "" };
		const struct ft_predictor *a = mf->model, *b;
		if (save_ok("kind.h5", mf) || ft_model_load(in_dir("kind.h5"), &back, &err) != 0) {
			T_FAIL("%s: %s", ft_predictor_kind_name(KINDS[k]), err.msg);
			ft_model_file_free(mf);
			continue;
		}
		b = back->model;
		T_CHECK(b->kind == KINDS[k] && back->format_version == 4);
		if (b->kind == FT_PRED_MIXTURE && b->mixture) {
			T_CHECK(b->mixture->k == 2 && b->mixture->weight[0] == 0.3 &&
			        b->mixture->weight[1] == 0.7);
			for (size_t j = 0; j < 2; j++)
				T_CHECK(same_model_values(a->mixture->h[j], b->mixture->h[j]));
		}
		if (b->kind == FT_PRED_FRONTIER && b->frontier) {
			T_CHECK(b->frontier->k == 3 && b->frontier->n_lambda == 2 &&
			        b->frontier->chosen == 1);
			T_CHECK(memcmp(b->frontier->lambda, a->frontier->lambda, 6 * sizeof(double)) == 0);
			T_CHECK(memcmp(b->frontier->error, a->frontier->error, 3 * sizeof(double)) == 0);
			T_CHECK(memcmp(b->frontier->violation, a->frontier->violation,
			               3 * sizeof(double)) == 0);
			for (size_t j = 0; j < 3; j++)
				T_CHECK(same_model_values(a->frontier->h[j], b->frontier->h[j]));
		}
		if (b->kind == FT_PRED_THRESHOLDS && b->thresholds) {
			/* +-inf are stored as 2 and -1 and read back as +-inf */
			T_CHECK(b->thresholds->n_groups == 2);
			T_CHECK(b->thresholds->t1[0] == INFINITY && b->thresholds->t0[1] == -INFINITY);
			T_CHECK(b->thresholds->t0[0] == 0.4 && b->thresholds->q[1] == 0.5 &&
			        b->thresholds->c[1] == 0.2 && b->thresholds->p[0] == 0.25);
		}
		T_CHECK(ft_predictor_decide(a, &d, 0.5, 0, s1, p1, &err) == 0);
		T_CHECK(ft_predictor_decide(b, &d, 0.5, 0, s2, p2, &err) == 0);
		T_CHECK(same_double(s1[0], s2[0]) && same_double(s1[1], s2[1]));
		T_CHECK(same_double(p1[0], p2[0]) && same_double(p1[1], p2[1]));
		ft_model_file_free(back);
		ft_model_file_free(mf);
	}
}

/* ft_classify by hand: mixture s = sum w_k s_k, P(yhat = 1) = sum w_k
 * [s_k >= t]; thresholds per group. */
static void test_classify_by_hand(void)
{
	struct ft_model_file *mf = sample_kind(FT_PRED_MIXTURE);
	struct ft_error err = { 0, "" };
	double num[2] = { 0, 0 }, s[1], pp[1], s0, s1;
	int32_t code[2] = { -1, -1 }, grp[1] = { 0 };
	struct ft_dataset d;

	memset(&d, 0, sizeof d);
	d.n = 1;
	d.p = 7;
	d.n_num = 2;
	d.num = num;
	d.n_cat = 2;
	d.code = code;
	d.group = grp;
	/* x = 0: scores are sigmoid(intercept) = sigmoid(0.5), sigmoid(-1.5) */
	s0 = 1.0 / (1.0 + exp(-0.5));
	s1 = 1.0 / (1.0 + exp(1.5));
	T_CHECK(ft_classify(NULL, mf->model->mixture, NULL, &d, 0.5, s, pp, &err) == 0);
	T_NEAR(s[0], 0.3 * s0 + 0.7 * s1, 1e-15);
	T_NEAR(pp[0], 0.3, 1e-15);
	mf->model->thresholds = sample_thresholds();
	/* group 0 thresholds: 0.25 [s >= 0.4] + 0.75 [s >= inf] */
	T_CHECK(ft_classify(NULL, mf->model->mixture, mf->model->thresholds, &d, 0.5, s, pp, &err) == 0);
	T_NEAR(pp[0], 0.3 * s0 + 0.7 * s1 >= 0.4 ? 0.25 : 0.0, 1e-15);
	/* group 1: (1 - 0.5)(1 [s >= -inf] + 0) + 0.5 * 0.2 = 0.6 */
	grp[0] = 1;
	T_CHECK(ft_classify(NULL, mf->model->mixture, mf->model->thresholds, &d, 0.5, s, pp, &err) == 0);
	T_NEAR(pp[0], 0.6, 1e-15);
	/* no group: refused, naming what needs it */
	grp[0] = -1;
	T_CHECK(ft_classify(NULL, mf->model->mixture, mf->model->thresholds, &d, 0.5, s, pp, &err) == FT_EDATA);
	T_CHECK(strstr(err.msg, "group-specific thresholds") != NULL);
	ft_model_file_free(mf);
}

static void test_save_refuses_kinds(void)
{
	struct ft_model_file *mf = sample_kind(FT_PRED_MIXTURE);

	mf->model->mixture->weight[1] = 0.6;
	expect_save_fail(in_dir("bad.h5"), mf, FT_EINVAL, "/model/mixture/weight sums to");
	mf->model->mixture->weight[1] = 0.7;
	mf->model->thresholds = sample_thresholds();
	expect_save_fail(in_dir("bad.h5"), mf, FT_EINVAL, "/model/a mixture predictor with "
	                 "thresholds");
	ft_model_file_free(mf);
	mf = sample_kind(FT_PRED_THRESHOLDS);
	mf->model->thresholds->p[0] = 1.5;
	expect_save_fail(in_dir("bad.h5"), mf, FT_EINVAL, "/model/thresholds/p[0] = 1.5");
	mf->model->thresholds->p[0] = 0.5;
	mf->model->thresholds->t0[1] = NAN;
	expect_save_fail(in_dir("bad.h5"), mf, FT_ENUMERIC, "/model/thresholds/t0[1]");
	ft_model_file_free(mf);
	mf = sample_kind(FT_PRED_FRONTIER);
	mf->model->frontier->chosen = 3;
	expect_save_fail(in_dir("bad.h5"), mf, FT_EINVAL, "/model/frontier chosen = 3");
	mf->model->frontier->chosen = 0;
	mf->model->frontier->error[2] = INFINITY;
	expect_save_fail(in_dir("bad.h5"), mf, FT_ENUMERIC, "/model/frontier/error[2] is inf");
	mf->model->frontier->error[2] = 0;
	mf->model->kind = FT_PRED_LINEAR;
	expect_save_fail(in_dir("bad.h5"), mf, FT_EINVAL, "/model/a linear predictor with a "
	                 "frontier");
	T_CHECK(access(in_dir("bad.h5"), F_OK) != 0);
	ft_model_file_free(mf);
}

static void test_load_damaged_kinds(void)
{
	struct ft_model_file *mf = sample_kind(FT_PRED_MIXTURE);
	const char *p = in_dir("v3d.h5");
	double w3[3] = { 0.2, 0.3, 0.5 }, g3[3] = { 0.1, 0.2, 0.3 };

#define FRESH() do { remove(p); if (save_ok("v3d.h5", mf)) goto done; } while (0)
	FRESH();
	T_CHECK(replace_f64(p, "/model/mixture/weight", w3, 3) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/mixture/weight has 3 values, expected 2");
	FRESH();
	T_CHECK(delete_link(p, "/model/mixture/coef") == 0);
	expect_load_fail(p, FT_EFORMAT, "missing /model/mixture/coef");
	FRESH();
	T_CHECK(delete_link(p, "/model/mixture") == 0);
	expect_load_fail(p, FT_EFORMAT, "missing /model/mixture");
	ft_model_file_free(mf);
	mf = sample_kind(FT_PRED_THRESHOLDS);
	FRESH();
	T_CHECK(replace_f64(p, "/model/thresholds/q", g3, 3) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/thresholds has n_groups 2 but a dataset of 3");
	ft_model_file_free(mf);
	mf = sample_kind(FT_PRED_FRONTIER);
	FRESH();
	T_CHECK(replace_f64(p, "/model/frontier/error", g3, 2) == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/frontier has 3 predictors but lambda has 3 "
	                 "rows, error 2 and violation 3 values");
	T_CHECK(count_tmp(dir) == 0);
#undef FRESH
done:
	ft_model_file_free(mf);
}

/* ------------------------------------------------------ rankers (v2) */

/* A ranker as `train --task rank` writes one from CSV: the query column
 * dropped, the relevance the (numeric) target without a positive label,
 * the protected attribute a numeric feature; /model and /baseline linear
 * rankers (intercept 0); /ranking with a re-ranker. */
static struct ft_model_file *sample_ranker(void)
{
	struct ft_model_file *mf = sample();
	struct ft_encoder *e = calloc(1, sizeof *e);
	struct ft_column *c;
	static const double w[2] = { -0.25, 0.75 }, wb[2] = { -0.5, 0.8 };

	ft_encoder_free(mf->enc);
	ft_predictor_free(mf->model);
	e->n_cols = 4;
	e->cols = calloc(4, sizeof *e->cols);
	c = e->cols;
	c[0] = (struct ft_column){ ft_strdup("qid"), FT_ROLE_DROP, FT_CATEGORICAL,
	                           0, 1, NULL, 0, -1, 0 };
	c[1] = (struct ft_column){ ft_strdup("prot"), FT_ROLE_SENSITIVE, FT_NUMERIC,
	                           0, 1, NULL, 0, -1, 0 };
	c[2] = (struct ft_column){ ft_strdup("x1"), FT_ROLE_FEATURE, FT_NUMERIC,
	                           0.5, 2, NULL, 0, -1, 1 };
	c[3] = (struct ft_column){ ft_strdup("rel"), FT_ROLE_TARGET, FT_CATEGORICAL,
	                           0, 1, NULL, 0, -1, 0 };
	e->n_features = 2;
	e->feature_names = strv(2, "prot", "x1");
	e->n_num = 2;
	e->target = ft_strdup("rel");
	e->n_sensitive = 1;
	e->sensitive = strv(1, "prot");
	e->n_groups = 2;
	e->group_names = strv(2, "0", "1");
	e->missing_policy = FT_MISSING_DROP;
	e->use_sensitive = 1;
	mf->enc = e;
	mf->model = pred_of(calloc(1, sizeof(struct ft_linear_model)));
	mf->baseline = pred_of(calloc(1, sizeof(struct ft_linear_model)));
	mf->model->kind = mf->baseline->kind = FT_PRED_RANKER;
	mf->model->linear->type = mf->baseline->linear->type = FT_MODEL_RANKER;
	mf->model->linear->p = mf->baseline->linear->p = 2;
	mf->model->linear->coef = malloc(sizeof w);
	mf->baseline->linear->coef = malloc(sizeof wb);
	memcpy(mf->model->linear->coef, w, sizeof w);
	memcpy(mf->baseline->linear->coef, wb, sizeof wb);
	mf->ranking = calloc(1, sizeof *mf->ranking);
	mf->ranking->format = ft_strdup("csv");
	mf->ranking->query = ft_strdup("qid");
	mf->ranking->relevance = ft_strdup("rel");
	mf->ranking->protected_group = ft_strdup("1");
	mf->model->rerank = ft_strdup("fair:p=0.5,alpha=0.1,k=10");
	free(mf->method);
	mf->method = ft_strdup("deltr");
	mf->n_params = 2;
	mf->param_names = strv(2, "gamma", "reference");
	mf->param_values = malloc(2 * sizeof(double));
	mf->param_values[0] = 2e5;
	mf->param_values[1] = 1;
	mf->C = 0;
	mf->fit_intercept = 0;
	mf->comparison = calloc(1, sizeof *mf->comparison);
	mf->comparison->level = 0.95;
	ft_comparison_add(mf->comparison, "ndcg@10", "baseline", "test", "overall", "",
	                  val(0.25), undef("no interval for ranking metrics"),
	                  undef("no interval for ranking metrics"));
	ft_comparison_add(mf->comparison, "exposure_ratio", "reranked", "test", "overall",
	                  "", val(0.95), undef("no interval for ranking metrics"),
	                  undef("no interval for ranking metrics"));
	return mf;
}

/* The LETOR form: pass-through columns f1 .. f3, f2 the sensitive feature
 * and not a feature (colorblind), groups named as
 * ft_rank_data_group_by_feature names them. */
static struct ft_model_file *sample_letor_ranker(void)
{
	struct ft_model_file *mf = sample_ranker();
	struct ft_encoder *e = mf->enc;
	struct ft_column *c;

	for (size_t j = 0; j < e->n_cols; j++)
		free(e->cols[j].name);
	free(e->cols);
	e->n_cols = 3;
	e->cols = calloc(3, sizeof *e->cols);
	c = e->cols;
	c[0] = (struct ft_column){ ft_strdup("f1"), FT_ROLE_FEATURE, FT_NUMERIC,
	                           0, 1, NULL, 0, -1, 0 };
	c[1] = (struct ft_column){ ft_strdup("f2"), FT_ROLE_SENSITIVE, FT_NUMERIC,
	                           0, 1, NULL, 0, -1, 0 };
	c[2] = (struct ft_column){ ft_strdup("f3"), FT_ROLE_FEATURE, FT_NUMERIC,
	                           0, 1, NULL, 0, -1, 1 };
	for (size_t j = 0; j < 2; j++)
		free(e->feature_names[j]);
	free(e->feature_names);
	e->feature_names = strv(2, "f1", "f3");
	free(e->target);
	e->target = NULL;
	free(e->sensitive[0]);
	e->sensitive[0] = ft_strdup("f2");
	free(e->group_names[0]);
	free(e->group_names[1]);
	e->group_names[0] = ft_strdup("f2!=1");
	e->group_names[1] = ft_strdup("f2=1");
	e->use_sensitive = 0;
	free(mf->ranking->format);
	free(mf->ranking->query);
	free(mf->ranking->relevance);
	free(mf->ranking->protected_group);
	free(mf->model->rerank);
	mf->ranking->format = ft_strdup("letor");
	mf->ranking->query = ft_strdup("");
	mf->ranking->relevance = ft_strdup("");
	mf->ranking->protected_group = ft_strdup("f2=1");
	mf->model->rerank = ft_strdup("");
	mf->ranking->colorblind = 1;
	mf->ranking->sensitive_feature = 2;
	mf->ranking->protected_value = 1.0;
	return mf;
}

static int file_version(const char *path)
{
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
	int v = 0;

	if (a < 0 || H5Aread(a, H5T_NATIVE_INT, &v) < 0)
		v = -1;
	H5Aclose(a);
	H5Fclose(f);
	return v;
}

/* Everything comes back, /ranking included, in a version 2 file; the
 * ranker's scores are x.coef and ft_classify refuses it. */
static void test_round_trip_ranker(void)
{
	for (int letor = 0; letor < 2; letor++) {
		struct ft_model_file *mf = letor ? sample_letor_ranker() : sample_ranker();
		struct ft_model_file *back = NULL;
		struct ft_error err = { 0, "" };
		double num[2] = { 1, 2 }, s[1], pp[1];
		struct ft_dataset d;
		const char *name = letor ? "rank_letor.h5" : "rank.h5";

		if (save_ok(name, mf)) {
			ft_model_file_free(mf);
			return;
		}
		T_CHECK(file_version(in_dir(name)) == 4);
		if (ft_model_load(in_dir(name), &back, &err) != 0) {
			T_FAIL("load: %s", err.msg);
			ft_model_file_free(mf);
			return;
		}
		check_equal(mf, back);
		T_CHECK(back->model->linear->type == FT_MODEL_RANKER &&
		        back->baseline->linear->type == FT_MODEL_RANKER);
		T_CHECK(back->ranking != NULL);
		if (back->ranking) {
			const struct ft_model_ranking *a = mf->ranking, *b = back->ranking;
			T_STREQ(b->format, a->format);
			T_STREQ(b->query, a->query);
			T_STREQ(b->relevance, a->relevance);
			T_STREQ(b->protected_group, a->protected_group);
			T_STREQ(back->model->rerank, mf->model->rerank);
			T_CHECK(b->colorblind == a->colorblind);
			T_CHECK(b->sensitive_feature == a->sensitive_feature);
			T_CHECK(same_double(b->protected_value, a->protected_value));
		}
		memset(&d, 0, sizeof d);
		d.n = 1;
		d.p = 2;
		d.n_num = 2;
		d.num = num;
		T_CHECK(ft_predictor_decide(back->model, &d, 0.5, 0, s, pp, &err) == FT_EINVAL);
		T_CHECKF(strstr(err.msg, "linear ranker") != NULL, "%s", err.msg);
		ft_model_file_free(back);
		ft_model_file_free(mf);
	}
}

static void test_save_refuses_ranker(void)
{
	struct ft_model_file *mf = sample_ranker();
	struct ft_model_ranking *rk = mf->ranking;
	const char *p = in_dir("badrank.h5");

	mf->ranking = NULL;
	expect_save_fail(p, mf, FT_EINVAL, "/model is a linear ranker but the file has no /ranking");
	mf->ranking = rk;
	mf->model->linear->type = mf->baseline->linear->type = FT_MODEL_LOGREG;
	expect_save_fail(p, mf, FT_EINVAL, "/model/a ranker predictor whose model is a classifier");
	mf->model->linear->type = FT_MODEL_RANKER;
	mf->baseline->kind = FT_PRED_LINEAR;
	expect_save_fail(p, mf, FT_EINVAL, "/model is a ranker but /baseline a classifier");
	mf->baseline->kind = FT_PRED_RANKER;
	mf->baseline->linear->type = FT_MODEL_RANKER;
	mf->model->linear->intercept = 0.5;
	expect_save_fail(p, mf, FT_EINVAL, "/model is a linear ranker with an intercept");
	mf->model->linear->intercept = 0;
	free(rk->format);
	rk->format = ft_strdup("json");
	expect_save_fail(p, mf, FT_EINVAL, "/ranking format 'json' is not csv or letor");
	free(rk->format);
	rk->format = ft_strdup("csv");
	free(rk->protected_group);
	rk->protected_group = ft_strdup("2");
	expect_save_fail(p, mf, FT_EINVAL, "/ranking protected group '2' is not in group_names");
	free(rk->protected_group);
	rk->protected_group = ft_strdup("1");
	rk->colorblind = 1;
	expect_save_fail(p, mf, FT_EINVAL, "/ranking colorblind is 1 but use_sensitive is 1");
	rk->colorblind = 0;
	free(rk->query);
	rk->query = ft_strdup("x1");
	expect_save_fail(p, mf, FT_EINVAL, "/ranking query 'x1' is not a dropped column");
	free(rk->query);
	rk->query = ft_strdup("qid");
	rk->protected_value = NAN;
	expect_save_fail(p, mf, FT_ENUMERIC, "/ranking protected_value is nan");
	rk->protected_value = 0;
	rk->sensitive_feature = 2;
	expect_save_fail(p, mf, FT_EINVAL, "/ranking sensitive_feature is for letor models");
	rk->sensitive_feature = 0;
	/* a classifier's preprocessing under a ranker */
	mf->enc->positive = ft_strdup("1");
	expect_save_fail(p, mf, FT_EINVAL, "a ranker's /preprocessing has a positive label");
	free(mf->enc->positive);
	mf->enc->positive = NULL;
	T_CHECK(access(p, F_OK) != 0);
	T_CHECK(save_ok("goodrank.h5", mf) == 0);
	ft_model_file_free(mf);
	mf = sample_letor_ranker();
	mf->ranking->sensitive_feature = 3;
	expect_save_fail(p, mf, FT_EINVAL, "/ranking sensitive_feature 3 but the sensitive column is 'f2'");
	mf->ranking->sensitive_feature = 0;
	expect_save_fail(p, mf, FT_EINVAL, "/ranking sensitive_feature 0 does not match 1 sensitive columns");
	ft_model_file_free(mf);
	/* a classifier with /ranking */
	mf = sample();
	mf->ranking = calloc(1, sizeof *mf->ranking);
	expect_save_fail(p, mf, FT_EINVAL, "/ranking needs a ranker as /model, not a classifier");
	ft_model_file_free(mf);
	T_CHECK(count_tmp(dir) == 0);
}

static void test_load_damaged_ranker(void)
{
	struct ft_model_file *mf = sample_ranker();
	const char *p = in_dir("rankd.h5");

#define FRESH() do { remove(p); if (save_ok("rankd.h5", mf)) goto done; } while (0)
	FRESH();
	T_CHECK(delete_link(p, "/ranking") == 0);
	expect_load_fail(p, FT_EFORMAT, "/model is a linear ranker but the file has no /ranking");
	FRESH();
	T_CHECK(set_attr_str(p, "/ranking", "task", "classify") == 0);
	expect_load_fail(p, FT_EFORMAT, "/ranking has unknown task 'classify'");
	FRESH();
	T_CHECK(set_attr_str(p, "/model", "type", "logistic_regression") == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/a ranker predictor whose model is a classifier");
	FRESH();
	T_CHECK(set_attr_str(p, "/model", "type", "logistic_regression") == 0);
	T_CHECK(set_attr_str(p, "/model", "kind", "linear") == 0);
	expect_load_fail(p, FT_EFORMAT, "/model is a classifier but /baseline a ranker");
	FRESH();
	T_CHECK(set_attr_str(p, "/model", "type", "logistic_regression") == 0);
	T_CHECK(set_attr_str(p, "/baseline", "type", "logistic_regression") == 0);
	expect_load_fail(p, FT_EFORMAT, "/model/a ranker predictor whose model is a classifier");
	FRESH();
	T_CHECK(set_attr_str(p, "/ranking", "format", "xml") == 0);
	expect_load_fail(p, FT_EFORMAT, "/ranking format 'xml' is not csv or letor");
	FRESH();
	{
		hid_t f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
		T_CHECK(H5Adelete_by_name(f, "/model", "rerank", H5P_DEFAULT) >= 0);
		close_rw(f, p);
	}
	expect_load_fail(p, FT_EFORMAT, "missing attribute 'rerank' on /model");
	FRESH();
	T_CHECK(set_attr_str(p, "/model", "rerank", "det_greedy:p=2") == 0);
	expect_load_fail(p, FT_EFORMAT, "/model rerank 'det_greedy:p=2': re-ranker det_greedy");
	FRESH();
	T_CHECK(set_attr_int(p, "/ranking", "colorblind", 2) == 0);
	expect_load_fail(p, FT_EFORMAT, "attribute 'colorblind' on /ranking is 2");
	FRESH();
	T_CHECK(set_attr_int(p, "/", "format_version", 1) == 0);
	expect_load_fail(p, FT_EFORMAT, "/ranking in a format_version 1 file");
	T_CHECK(count_tmp(dir) == 0);
#undef FRESH
done:
	ft_model_file_free(mf);
}

/* ------------------------------------------------------ the checksum block */

/* Every file begins with the 512-byte block src/io/h5image.c describes;
 * its length is the file's and its digest the SHA-256 of bytes 512 ..,
 * computed here with nettle directly (tests/cli/test_integrity.sh checks
 * the same with Python's hashlib, h5py and h5dump). */
static void test_checksum_block(void)
{
	const char *p = in_dir("sealed.h5");
	char want[512], hex[65];
	unsigned char dig[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	size_t n = 0, k;
	char *buf;

	if (make_valid("sealed.h5"))
		return;
	buf = read_all(p, &n);
	T_CHECK(buf && n > 1024);
	if (!buf || n <= 1024) {
		free(buf);
		return;
	}
	sha256_init(&ctx);
	sha256_update(&ctx, n - 512, (const uint8_t *)buf + 512);
	sha256_digest(&ctx, sizeof dig, dig);
	for (k = 0; k < sizeof dig; k++)
		snprintf(hex + 2 * k, 3, "%02x", dig[k]);
	snprintf(want, sizeof want, "fairtrain-checksum 1\nalgorithm sha256\n"
	         "length %zu\nsha256 %s\ncovers bytes 512 to length: the HDF5 "
	         "file after this block\n", n, hex);
	T_CHECK(memcmp(buf, want, strlen(want)) == 0);
	for (k = strlen(want); k < 512 && buf[k] == 0; k++)
		;
	T_CHECKF(k == 512, "byte %zu of the block is not NUL", k);
	T_CHECK(memcmp(buf + 512, "\211HDF\r\n\032\n", 8) == 0);
	free(buf);
}

/* A changed byte anywhere (magic, digits, padding, the superblock, a data
 * byte, the last byte) or one byte more is refused with exactly one line,
 * before HDF5 opens anything. */
static void test_checksum_refuses(void)
{
	const char *ok = in_dir("sealok.h5"), *p = in_dir("sealbad.h5");
	char want[512];
	size_t n = 0;
	char *buf;

	if (make_valid("sealok.h5"))
		return;
	buf = read_all(ok, &n);
	T_CHECK(buf && n > 1024);
	if (!buf || n <= 1024) {
		free(buf);
		return;
	}
	snprintf(want, sizeof want, "=%s: corrupt model file (checksum "
	         "mismatch)", p);
	{
		size_t at[] = { 0, 3, 40, 60, 300, 511, 512, 519, n / 2, n - 1 };
		for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
			buf[at[i]] ^= 0x10;
			T_CHECK(write_all(p, buf, n) == 0);
			expect_load_fail(p, FT_EFORMAT, want);
			buf[at[i]] ^= 0x10;
		}
	}
	buf[n] = 0;
	T_CHECK(write_all(p, buf, n + 1) == 0);
	expect_load_fail(p, FT_EFORMAT, want);
	/* the block alone, or less */
	T_CHECK(write_all(p, buf, 512) == 0);
	expect_load_fail(p, FT_EFORMAT, "corrupt model file: truncated (512 of");
	T_CHECK(write_all(p, buf, 100) == 0);
	expect_load_fail(p, FT_EFORMAT, want);
	free(buf);
}

/* Files written before the checksum (superblock at byte 0), made by
 * fairtrain 0.2.0 at commit 6ee0136 (each records its command line: train
 * reweigh on `fairtrain synth --rows 200 --seed 3`, and a DELTR ranker on
 * a 40-line LETOR file): they load, unverified, and saving one again gives
 * a sealed file that loads equal. */
/* A block whose length field claims far more than the file holds (a
 * damaged digit, or 18 exabytes) is 'truncated', before anything of that
 * size is allocated: never 'out of memory'. */
static void test_checksum_huge_length(void)
{
	const char *p = in_dir("longblock.h5");
	char want[160], *buf, *at;
	size_t n = 0;

	if (make_valid("longblock.h5"))
		return;
	buf = read_all(p, &n);
	at = buf ? strstr(buf, "length ") : NULL;
	T_CHECK(at != NULL);
	if (!at) {
		free(buf);
		return;
	}
	/* "length N\n" -> "length 18000000000000000000\n", the rest moved on */
	{
		char *eol = strchr(at, '\n'), tail[512];
		size_t keep = (size_t)(buf + 512 - eol);
		memcpy(tail, eol, keep);
		at += snprintf(at, 64, "length 18000000000000000000");
		memcpy(at, tail, (size_t)(buf + 512 - at));
	}
	T_CHECK(write_all(p, buf, n) == 0);
	snprintf(want, sizeof want, "=%s: corrupt model file: truncated (%zu of "
	         "18000000000000000000 bytes)", p, n);
	expect_load_fail(p, FT_EFORMAT, want);
	free(buf);
}

static void test_legacy_files(void)
{
	static const char *const files[] = {
		"tests/fixtures/legacy_model_v1.h5",
		"tests/fixtures/legacy_model_v2.h5",
	};

	for (size_t i = 0; i < 2; i++) {
		struct ft_model_file *mf = NULL, *back = NULL;
		struct ft_error err = { 0, "" };
		size_t n = 0;
		char *buf = read_all(files[i], &n);

		T_CHECKF(buf && n > 8 && memcmp(buf, "\211HDF", 4) == 0,
		         "%s: not a file without the block", files[i]);
		free(buf);
		T_CHECKF(ft_model_load(files[i], &mf, &err) == 0, "%s", err.msg);
		if (!mf)
			continue;
		T_CHECK(mf->format_version == (int)i + 1);
		T_STREQ(mf->method, i ? "deltr" : "reweigh");
		T_CHECK(i ? mf->ranking != NULL : mf->ranking == NULL);
		T_CHECK(save_ok("resaved.h5", mf) == 0);
		T_CHECKF(ft_model_load(in_dir("resaved.h5"), &back, &err) == 0,
		         "%s", err.msg);
		if (back)
			check_equal(mf, back);
		ft_model_file_free(mf);
		ft_model_file_free(back);
	}
}

/* Format 4 stores each name once (issue 12 item 8): /model and /baseline's
 * feature_names are hard links to /preprocessing/feature_names (one HDF5
 * object), and a categorical feature column has n_categories instead of a
 * categories dataset (its categories are its feature names without
 * "name="); a column that is not a feature (the target, a sensitive
 * column) keeps its categories.  A damaged count or name is refused. */
static void test_names_once(void)
{
	const char *p = in_dir("once.h5");
	struct ft_model_file *mf = sample(), *back = NULL;
	struct ft_error err = { 0, "" };
	H5O_info_t a, b, c;
	hid_t f;

	mf->baseline = pred_of(sample_baseline());
	if (save_ok("once.h5", mf))
		goto done;
	f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
	T_CHECK(f >= 0);
	T_CHECK(H5Oget_info_by_name(f, "/preprocessing/feature_names", &a, H5P_DEFAULT) >= 0 &&
	        H5Oget_info_by_name(f, "/model/feature_names", &b, H5P_DEFAULT) >= 0 &&
	        H5Oget_info_by_name(f, "/baseline/feature_names", &c, H5P_DEFAULT) >= 0);
	T_CHECK(a.addr == b.addr && a.addr == c.addr && a.rc == 3);
	T_CHECK(H5Lexists(f, "/preprocessing/columns/001/categories", H5P_DEFAULT) == 0);
	T_CHECK(H5Aexists_by_name(f, "/preprocessing/columns/001", "n_categories",
	                          H5P_DEFAULT) > 0);
	T_CHECK(H5Lexists(f, "/preprocessing/columns/002/categories", H5P_DEFAULT) > 0);
	T_CHECK(H5Lexists(f, "/preprocessing/columns/003/categories", H5P_DEFAULT) > 0);
	H5Fclose(f);
	T_CHECKF(ft_model_load(p, &back, &err) == 0, "%s", err.msg);
	if (back) {
		check_equal(mf, back);
		T_CHECK(back->format_version == 4);
	}

	T_CHECK(set_attr_int(p, "/preprocessing/columns/006", "n_categories", 3) == 0);
	expect_load_fail(p, FT_EFORMAT, "/preprocessing/columns/006: features 5 to "
	                 "5 + 3 are not in /preprocessing/feature_names (7)");
	T_CHECK(set_attr_int(p, "/preprocessing/columns/006", "n_categories", 1) == 0);
	expect_load_fail(p, FT_EFORMAT, "column 'race'");
	T_CHECK(set_attr_int(p, "/preprocessing/columns/006", "n_categories",
	                     (long long)1 << 40) == 0);
	expect_load_fail(p, FT_EFORMAT, "are not in /preprocessing/feature_names");
	save_ok("once.h5", mf);
	T_CHECK(set_attr_str(p, "/preprocessing/columns/001", "name", "work") == 0);
	expect_load_fail(p, FT_EFORMAT, "/preprocessing/feature_names[2] "
	                 "'workclass=Private' is not of column 'work'");
	save_ok("once.h5", mf);
	T_CHECK(delete_link(p, "/preprocessing/feature_names") == 0);
	expect_load_fail(p, FT_EFORMAT, "feature_names");
done:
	ft_model_file_free(back);
	ft_model_file_free(mf);
}

/* A dataset whose dataspace claims 2^37 doubles (1 TiB; HDF5 stores no
 * data until written) is corruption, refused before any allocation of
 * that size: never "out of memory" (and no ASan allocation abort). */
static void test_load_huge_dataset(void)
{
	const char *p = in_dir("huge.h5");
	hsize_t dims[1] = { (hsize_t)1 << 37 };
	hid_t f, s, d;

	if (make_valid("huge.h5"))
		return;
	f = open_rw(p);
	H5Ldelete(f, "/model/coef", H5P_DEFAULT);
	s = H5Screate_simple(1, dims, NULL);
	d = H5Dcreate2(f, "/model/coef", H5T_IEEE_F64LE, s, H5P_DEFAULT,
	               H5P_DEFAULT, H5P_DEFAULT);
	T_CHECK(d >= 0);
	if (d >= 0)
		H5Dclose(d);
	H5Sclose(s);
	T_CHECK(close_rw(f, p) >= 0);
	expect_load_fail(p, FT_EFORMAT, "corrupt model file: /model/coef claims "
	                 "137438953472 values, more than the file's");
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/ft_test_model_file.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

	T_RUN(test_round_trip);
	T_RUN(test_round_trip_decisions);
	T_RUN(test_round_trip_empty);
	T_RUN(test_round_trip_missing_empty);
	T_RUN(test_many_columns);
	T_RUN(test_round_trip_fitted_encoder);
	T_RUN(test_overwrite);
	T_RUN(test_free_null);
	T_RUN(test_load_missing_file);
	T_RUN(test_load_directory);
	T_RUN(test_load_text_file);
	T_RUN(test_load_foreign);
	T_RUN(test_load_wrong_format);
	T_RUN(test_load_newer_version);
	T_RUN(test_load_truncated);
	T_RUN(test_load_missing_coef);
	T_RUN(test_load_coef_length);
	T_RUN(test_load_nan_coef);
	T_RUN(test_load_damaged);
	T_RUN(test_save_nan);
	T_RUN(test_save_invalid);
	T_RUN(test_save_no_directory);
	T_RUN(test_save_onto_directory);
	T_RUN(test_save_keeps_existing);
	T_RUN(test_round_trip_full);
	T_RUN(test_round_trip_partial);
	T_RUN(test_round_trip_empty_comparison);
	T_RUN(test_comparison_layout);
	T_RUN(test_comparison_ignores_unknown);
	T_RUN(test_save_refuses_additions);
	T_RUN(test_load_damaged_additions);
	T_RUN(test_round_trip_per_group);
	T_RUN(test_round_trip_per_group_decisions);
	T_RUN(test_old_training_layout);
	T_RUN(test_save_refuses_per_group);
	T_RUN(test_load_damaged_per_group);
	T_RUN(test_round_trip_kinds);
	T_RUN(test_classify_by_hand);
	T_RUN(test_save_refuses_kinds);
	T_RUN(test_load_damaged_kinds);
	T_RUN(test_round_trip_ranker);
	T_RUN(test_save_refuses_ranker);
	T_RUN(test_load_damaged_ranker);

	T_RUN(test_checksum_block);
	T_RUN(test_checksum_refuses);
	T_RUN(test_checksum_huge_length);
	T_RUN(test_legacy_files);
	T_RUN(test_load_huge_dataset);
	T_RUN(test_names_once);
	remove_dir(dir);
	return t_done();
}
