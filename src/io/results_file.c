/*
 * results_file.c - the results of `fairtrain compare` as one HDF5 file
 * (format "fairtrain-compare", format_version 1).
 *
 * ft_results_save writes a struct ft_results.  The layout is documented in
 * README.md ("Comparison results"); it is made for h5py and pandas without
 * fairtrain: strings are variable-length UTF-8, numbers little-endian
 * int8 / int64 / uint64 / float64, and every table is a group of 1-D
 * column datasets of one length whose `columns` attribute lists them in
 * order, so that pandas reads each as a data frame (one column at a
 * time; strings through h5py's .asstr()).  Tables: /settings (one row per setting, with
 * the mean and sd across folds and the Pareto flag), /runs (one row per
 * fit: method, setting, fold, status, time, solver) and /metrics (one row
 * per run x split x group x metric x convention, `run` indexing /runs).
 * The fitted models of run r are in /models/NNNN (r zero-padded to four or
 * more digits): the linear model (coef, intercept, per-group weights),
 * diagnostics, and the mixture, group thresholds or frontier of reductions
 * and post-processing when the run has them.
 *
 * Unlike a model file this one is not read back by fairtrain, so there is
 * no reader here; undefined metric values are NaN (with `defined` = 0 and
 * the reason in `why`), the honest value for a table meant for analysis.
 *
 * Writes are atomic as for model files (ft_h5_save_image, h5image.c: the
 * file is built in memory, written to a temp file and renamed).  hdf5.h is
 * included only in src/io.  Errors are
 * sticky: the first failed HDF5 call sets the error and later helpers do
 * nothing, so the writers read straight through and check once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "io/io.h"

struct w {
	const char *path;
	struct ft_error *err;
	int rc;                    /* the first failure, sticky */
	hid_t str;                 /* variable-length UTF-8 string type */
	hid_t scalar;
	const struct ft_results *r;
};

static void failed(struct w *w, const char *what, const char *name)
{
	if (!w->rc)
		w->rc = ft_error_set(w->err, FT_EIO, "%s: cannot write %s '%s'",
		                     w->path, what, name);
}

static void nomem(struct w *w)
{
	if (!w->rc)
		w->rc = ft_error_set(w->err, FT_ENOMEM, "%s: out of memory", w->path);
}

/* ---------------------------------------------------------- primitives */

static void attr(struct w *w, hid_t loc, const char *name, hid_t ftype,
                 hid_t mtype, const void *buf)
{
	hid_t a;

	if (w->rc)
		return;
	a = H5Acreate2(loc, name, ftype, w->scalar, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0 || H5Awrite(a, mtype, buf) < 0)
		failed(w, "attribute", name);
	if (a >= 0)
		H5Aclose(a);
}

static void attr_str(struct w *w, hid_t loc, const char *name, const char *s)
{
	const char *v = s ? s : "";
	attr(w, loc, name, w->str, w->str, &v);
}

static void attr_i64(struct w *w, hid_t loc, const char *name, int64_t v)
{
	attr(w, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

static void attr_u64(struct w *w, hid_t loc, const char *name, uint64_t v)
{
	attr(w, loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

static void attr_f64(struct w *w, hid_t loc, const char *name, double v)
{
	attr(w, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

/* A dataset of rank 0 (scalar), 1 (n0) or 2 (n0 x n1); n0 may be 0. */
static void dset(struct w *w, hid_t loc, const char *name, hid_t ftype,
                 hid_t mtype, int rank, size_t n0, size_t n1, const void *buf)
{
	hsize_t dims[2] = {(hsize_t)n0, (hsize_t)n1};
	hid_t s = H5I_INVALID_HID, d = H5I_INVALID_HID;

	if (w->rc)
		return;
	s = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
	if (s >= 0)
		d = H5Dcreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT,
		               H5P_DEFAULT);
	if (d < 0 || ((rank == 0 || n0 * (rank == 2 ? n1 : 1) > 0) &&
	    H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0))
		failed(w, "dataset", name);
	if (d >= 0)
		H5Dclose(d);
	if (s >= 0)
		H5Sclose(s);
}

static void dset_str(struct w *w, hid_t loc, const char *name,
                     const char *const *v, size_t n)
{
	dset(w, loc, name, w->str, w->str, 1, n, 0, v);
}

static void dset_f64(struct w *w, hid_t loc, const char *name,
                     const double *v, size_t n)
{
	dset(w, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, n, 0, v);
}

static void dset_i64(struct w *w, hid_t loc, const char *name,
                     const int64_t *v, size_t n)
{
	dset(w, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, n, 0, v);
}

static void dset_i8(struct w *w, hid_t loc, const char *name,
                    const int8_t *v, size_t n)
{
	dset(w, loc, name, H5T_STD_I8LE, H5T_NATIVE_INT8, 1, n, 0, v);
}

static hid_t group(struct w *w, hid_t loc, const char *name)
{
	hid_t g;

	if (w->rc)
		return H5I_INVALID_HID;
	g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (g < 0)
		failed(w, "group", name);
	return g;
}

static void gclose(struct w *w, hid_t g, const char *name)
{
	if (g >= 0 && H5Gclose(g) < 0)
		failed(w, "group", name);
}

/* ------------------------------------------------------------- tables */

/* Scratch columns of a table of n rows: strings, doubles, integers and
 * flags, filled by the caller row by row and written column by column. */
struct cols {
	size_t n;
	const char **s;
	double *f;
	int64_t *i;
	int8_t *b;
};

static int cols_new(struct w *w, struct cols *c, size_t n)
{
	size_t k = n ? n : 1;

	c->n = n;
	c->s = malloc(k * sizeof *c->s);
	c->f = malloc(k * sizeof *c->f);
	c->i = malloc(k * sizeof *c->i);
	c->b = malloc(k * sizeof *c->b);
	if (!c->s || !c->f || !c->i || !c->b) {
		nomem(w);
		return -1;
	}
	return 0;
}

static void cols_free(struct cols *c)
{
	free(c->s);
	free(c->f);
	free(c->i);
	free(c->b);
}

/* -------------------------------------------------------------- models */

static void linear(struct w *w, hid_t loc, const char *name,
                   const struct ft_linear_model *m)
{
	hid_t g = group(w, loc, name);

	attr_str(w, g, "type", m->n_groups ? "logistic_regression_per_group" :
	         "logistic_regression");
	attr_u64(w, g, "n_features", m->p);
	dset_f64(w, g, "coef", m->coef, m->p);
	dset(w, g, "intercept", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, 1, 0,
	     &m->intercept);
	if (m->n_groups) {
		attr_u64(w, g, "n_groups", m->n_groups);
		dset(w, g, "group_coef", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2,
		     m->n_groups, m->p, m->group_coef);
		dset_f64(w, g, "group_intercept", m->group_intercept, m->n_groups);
	}
	gclose(w, g, name);
}

/* Members "000", "001", ... of a mixture or frontier, one linear model each. */
static void members(struct w *w, hid_t loc, struct ft_linear_model *const *h,
                    size_t k)
{
	char name[32];

	for (size_t j = 0; j < k && !w->rc; j++) {
		snprintf(name, sizeof name, "%03zu", j);
		linear(w, loc, name, h[j]);
	}
}

static void fit_output(struct w *w, hid_t g, const struct ft_fit_output *fo)
{
	const char *dn[FT_MAX_DIAG];
	size_t nd = fo->n_diag < FT_MAX_DIAG ? fo->n_diag : FT_MAX_DIAG;

	linear(w, g, "model", fo->model);
	for (size_t k = 0; k < nd; k++)
		dn[k] = fo->diag_name[k];
	dset_str(w, g, "diag_names", dn, nd);
	dset_f64(w, g, "diag_values", fo->diag, nd);
	if (fo->mixture) {
		hid_t m = group(w, g, "mixture");
		attr_u64(w, m, "k", fo->mixture->k);
		dset_f64(w, m, "weight", fo->mixture->weight, fo->mixture->k);
		members(w, m, fo->mixture->h, fo->mixture->k);
		gclose(w, m, "mixture");
	}
	if (fo->thresholds) {
		const struct ft_thresholds *th = fo->thresholds;
		hid_t t = group(w, g, "thresholds");
		/* t0 / t1 may be +-inf (never / always positive): HDF5 and
		 * h5py keep IEEE infinities as they are */
		dset_f64(w, t, "t0", th->t0, th->n_groups);
		dset_f64(w, t, "t1", th->t1, th->n_groups);
		dset_f64(w, t, "p", th->p, th->n_groups);
		dset_f64(w, t, "q", th->q, th->n_groups);
		dset_f64(w, t, "c", th->c, th->n_groups);
		gclose(w, t, "thresholds");
	}
	if (fo->frontier) {
		const struct ft_frontier *fr = fo->frontier;
		hid_t f = group(w, g, "frontier");
		attr_u64(w, f, "chosen", fr->chosen);
		dset(w, f, "lambda", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, fr->k,
		     fr->n_lambda, fr->lambda);
		dset_f64(w, f, "error", fr->error, fr->k);
		dset_f64(w, f, "violation", fr->violation, fr->k);
		members(w, f, fr->h, fr->k);
		gclose(w, f, "frontier");
	}
}

/* /models/NNNN: the fitted models of every run that has them. */
static void write_models(struct w *w, hid_t f, const struct ft_results *r)
{
	hid_t g = group(w, f, "models");
	unsigned digits = 4;
	char name[32];

	for (size_t n = r->n_runs; n >= 10000; n /= 10)
		digits++;
	for (size_t k = 0; k < r->n_runs && !w->rc; k++) {
		const struct ft_results_run *u = &r->runs[k];
		hid_t m;

		if (!u->fit || !u->fit->model)
			continue;
		snprintf(name, sizeof name, "%0*zu", (int)(digits & 31u), k);
		m = group(w, g, name);
		attr_str(w, m, "method", u->method);
		attr_str(w, m, "setting", u->setting);
		attr_i64(w, m, "fold", (int64_t)u->fold);
		dset_str(w, m, "feature_names", (const char *const *)u->feature_names,
		         u->n_features);
		fit_output(w, m, u->fit);
		gclose(w, m, name);
	}
	gclose(w, g, "models");
}

/* ------------------------------------------------------------- writers */

static void root(struct w *w, hid_t f, const struct ft_results *r)
{
	hid_t g;

	attr_str(w, f, "format", FT_RESULTS_FORMAT_NAME);
	attr_i64(w, f, "format_version", FT_RESULTS_FORMAT_VERSION);
	attr_str(w, f, "fairtrain_version", r->fairtrain_version);
	attr_str(w, f, "created_utc", r->created_utc);
	attr_str(w, f, "command_line", r->command_line);
	attr_str(w, f, "scheme", r->scheme);
	attr_u64(w, f, "n_folds", r->n_folds);
	attr_u64(w, f, "seed", r->seed);
	attr_f64(w, f, "split", r->split);
	attr_str(w, f, "fairness", r->fairness);
	attr_str(w, f, "convention", r->convention);
	attr_f64(w, f, "threshold", r->threshold);
	attr_u64(w, f, "n_bootstrap", r->n_bootstrap);
	attr_f64(w, f, "level", r->level);
	attr_f64(w, f, "C", r->C);
	dset_str(w, f, "group_names", (const char *const *)r->group_names,
	         r->n_groups);
	g = group(w, f, "inputs");
	dset_str(w, g, "paths", (const char *const *)r->input_paths, r->n_inputs);
	dset_str(w, g, "sha256", (const char *const *)r->input_sha256, r->n_inputs);
	gclose(w, g, "inputs");
}

static void write_settings(struct w *w, hid_t f, const struct ft_results *r)
{
	static const char COLS[] = "method,setting,pareto,accuracy_mean,accuracy_sd,"
	                           "fairness_mean,fairness_sd,seconds_mean";
	hid_t g = group(w, f, "settings");
	struct cols c;
	size_t n = r->n_settings;

	if (cols_new(w, &c, n) == 0) {
		attr_str(w, g, "columns", COLS);
		dset_str(w, g, "method", r->setting_method, n);
		dset_str(w, g, "setting", r->setting, n);
		for (size_t k = 0; k < n; k++)
			c.b[k] = (int8_t)(r->pareto[k] != 0);
		dset_i8(w, g, "pareto", c.b, n);
		dset_f64(w, g, "accuracy_mean", r->acc_mean, n);
		dset_f64(w, g, "accuracy_sd", r->acc_sd, n);
		dset_f64(w, g, "fairness_mean", r->fair_mean, n);
		dset_f64(w, g, "fairness_sd", r->fair_sd, n);
		dset_f64(w, g, "seconds_mean", r->seconds, n);
	}
	cols_free(&c);
	gclose(w, g, "settings");
}

static void write_runs(struct w *w, hid_t f, const struct ft_results *r)
{
	static const char COLS[] = "method,setting,fold,status,error,seconds,"
	                           "n_train,n_test,solver,iterations,converged";
	hid_t g = group(w, f, "runs");
	struct cols c;
	size_t n = r->n_runs;
	const struct ft_results_run *u = r->runs;

	if (cols_new(w, &c, n) == 0) {
		attr_str(w, g, "columns", COLS);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].method;
		dset_str(w, g, "method", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].setting;
		dset_str(w, g, "setting", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.i[k] = (int64_t)u[k].fold;
		dset_i64(w, g, "fold", c.i, n);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].error ? "failed" : "ok";
		dset_str(w, g, "status", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].error ? u[k].error : "";
		dset_str(w, g, "error", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.f[k] = u[k].seconds;
		dset_f64(w, g, "seconds", c.f, n);
		for (size_t k = 0; k < n; k++)
			c.i[k] = (int64_t)u[k].n_train;
		dset_i64(w, g, "n_train", c.i, n);
		for (size_t k = 0; k < n; k++)
			c.i[k] = (int64_t)u[k].n_test;
		dset_i64(w, g, "n_test", c.i, n);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].fit ? ft_solver_name(u[k].fit->res.solver) : "";
		dset_str(w, g, "solver", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.i[k] = u[k].fit ? u[k].fit->res.iterations : 0;
		dset_i64(w, g, "iterations", c.i, n);
		for (size_t k = 0; k < n; k++)
			c.b[k] = (int8_t)(u[k].fit && u[k].fit->res.converged);
		dset_i8(w, g, "converged", c.b, n);
	}
	cols_free(&c);
	gclose(w, g, "runs");
}

/* The rows of every run's comparison, flattened: row j of the table is row
 * ro[j] of run ru[j]. */
static void write_metrics(struct w *w, hid_t f, const struct ft_results *r)
{
	static const char COLS[] = "run,method,setting,fold,split,group,metric,"
	                           "convention,value,defined,why,lo,hi,ci_defined";
	hid_t g = group(w, f, "metrics");
	struct cols c = {0};
	size_t n = 0, j = 0, *ru = NULL, *ro = NULL;
	const struct ft_results_run *u = r->runs;

	for (size_t k = 0; k < r->n_runs; k++)
		n += u[k].metrics ? u[k].metrics->n : 0;
	ru = malloc((n ? n : 1) * sizeof *ru);
	ro = malloc((n ? n : 1) * sizeof *ro);
	if (!ru || !ro || cols_new(w, &c, n) != 0) {
		nomem(w);
		goto done;
	}
	for (size_t k = 0; k < r->n_runs; k++)
		for (size_t i = 0; u[k].metrics && i < u[k].metrics->n; i++) {
			ru[j] = k;
			ro[j++] = i;
		}
#define ROW(j) (&u[ru[j]].metrics->rows[ro[j]])
	attr_str(w, g, "columns", COLS);
	for (j = 0; j < n; j++)
		c.i[j] = (int64_t)ru[j];
	dset_i64(w, g, "run", c.i, n);
	for (j = 0; j < n; j++)
		c.s[j] = u[ru[j]].method;
	dset_str(w, g, "method", c.s, n);
	for (j = 0; j < n; j++)
		c.s[j] = u[ru[j]].setting;
	dset_str(w, g, "setting", c.s, n);
	for (j = 0; j < n; j++)
		c.i[j] = (int64_t)u[ru[j]].fold;
	dset_i64(w, g, "fold", c.i, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->split;
	dset_str(w, g, "split", c.s, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->group;
	dset_str(w, g, "group", c.s, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->metric;
	dset_str(w, g, "metric", c.s, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->convention;
	dset_str(w, g, "convention", c.s, n);
	for (j = 0; j < n; j++)
		c.f[j] = ROW(j)->why ? NAN : ROW(j)->value;
	dset_f64(w, g, "value", c.f, n);
	for (j = 0; j < n; j++)
		c.b[j] = (int8_t)!ROW(j)->why;
	dset_i8(w, g, "defined", c.b, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->why ? ROW(j)->why : "";
	dset_str(w, g, "why", c.s, n);
	for (j = 0; j < n; j++)
		c.f[j] = ROW(j)->ci_why ? NAN : ROW(j)->lo;
	dset_f64(w, g, "lo", c.f, n);
	for (j = 0; j < n; j++)
		c.f[j] = ROW(j)->ci_why ? NAN : ROW(j)->hi;
	dset_f64(w, g, "hi", c.f, n);
	for (j = 0; j < n; j++)
		c.b[j] = (int8_t)!ROW(j)->ci_why;
	dset_i8(w, g, "ci_defined", c.b, n);
#undef ROW
done:
	cols_free(&c);
	free(ru);
	free(ro);
	gclose(w, g, "metrics");
}

/* Every group of the file (ft_h5_build_fn); the sticky error is checked
 * once at the end. */
static int build_results(hid_t f, const struct ft_h5_types *t, void *ctx)
{
	struct w *w = ctx;

	w->str = t->str;
	w->scalar = t->scalar;
	root(w, f, w->r);
	write_settings(w, f, w->r);
	write_runs(w, f, w->r);
	write_metrics(w, f, w->r);
	write_models(w, f, w->r);
	return w->rc;
}

int ft_results_save(const char *path, const struct ft_results *r,
                    struct ft_error *err)
{
	struct w w = {path, err, 0, H5I_INVALID_HID, H5I_INVALID_HID, r};

	if (!path || !r)
		return ft_error_set(err, FT_EINVAL, "ft_results_save: no %s",
		                    path ? "results" : "path");
	return ft_h5_save_image(path, (size_t)1 << 20, build_results, &w, err);
}
