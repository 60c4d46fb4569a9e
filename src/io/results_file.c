/*
 * results_file.c - the results of `fairtrain compare` as one HDF5 file
 * (format "fairtrain-compare", format_version 2).
 *
 * ft_results_save writes a struct ft_results.  The layout is documented in
 * README.md ("Comparison results"); it is made for h5py and pandas without
 * fairtrain: strings are variable-length UTF-8, numbers little-endian
 * int8 / int64 / uint64 / float64, and every table is a group of 1-D
 * column datasets of one length whose `columns` attribute lists them in
 * order, so that pandas reads each as a data frame (one column at a time;
 * strings through h5py's .asstr()).  Tables: /settings (one row per
 * setting, with the mean and sd across folds and the Pareto flag), /runs
 * (one row per fit: method, setting, fold, status, time, solver) and
 * /metrics (one row per run x split x group x metric x convention, `run`
 * indexing /runs).  The fitted predictor of run r is /models/NNNN/model (r
 * zero-padded to four or more digits), written exactly as a model file's
 * /model (predictor_io.c), beside its diagnostics.
 *
 * Values are encoded as in model files: an undefined metric is 0 with
 * `defined` = 0 and the reason in `why` (version 1 wrote NaN), thresholds
 * of +-inf are 2 and -1.
 *
 * Writes are atomic as for model files (ft_h5_save_image, h5image.c: the
 * file is built in memory, written to a temp file and renamed).  Errors are
 * sticky (h5w.c): the first failed HDF5 call sets the error and later
 * helpers do nothing, so the writers read straight through and check once.
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
	struct ft_h5w h;           /* the sticky writer */
	const struct ft_results *r;
};

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
		ft_h5w_nomem(&w->h);
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

/* A run's fit: its predictor (the layout of model files, predictor_io.c)
 * and its diagnostics. */
static void fit_output(struct w *w, hid_t g, const struct ft_fit_output *fo,
                       char *const *feature_names, size_t n_features,
                       const char *names_at)
{
	const char *dn[FT_MAX_DIAG];
	size_t nd = fo->n_diag < FT_MAX_DIAG ? fo->n_diag : FT_MAX_DIAG;

	ft_h5w_predictor(&w->h, g, "model", &fo->pred, feature_names, n_features,
	                 names_at);
	for (size_t k = 0; k < nd; k++)
		dn[k] = fo->diag_name[k];
	ft_h5w_str_v(&w->h, g, "diag_names", dn, nd);
	ft_h5w_f64_v(&w->h, g, "diag_values", fo->diag, nd);
}

/* Among the runs reps[0..n) (each the first of its list of feature
 * names), the one whose names run k has, or k (the runs of one fold share
 * its encoder, so there are about as many lists as folds). */
static size_t same_names(const struct ft_results *r, const size_t *reps, size_t n,
                         size_t k)
{
	const struct ft_results_run *u = &r->runs[k];

	for (size_t t = 0; t < n; t++) {
		const struct ft_results_run *v = &r->runs[reps[t]];
		size_t i = 0;
		if (v->n_features != u->n_features)
			continue;
		if (v->feature_names == u->feature_names)
			return reps[t];
		while (i < u->n_features && !strcmp(v->feature_names[i], u->feature_names[i]))
			i++;
		if (i == u->n_features)
			return reps[t];
	}
	return k;
}

/* /models/NNNN: the fitted models of every run that has them.  A run
 * whose feature names an earlier run has links to that run's list (one
 * HDF5 dataset with several names), so that names are stored once per
 * fold, not once per run (issue 12 item 8). */
static void write_models(struct w *w, hid_t f, const struct ft_results *r)
{
	hid_t g = ft_h5w_group(&w->h, f, "models");
	unsigned digits = 4;
	char name[32], at[64];
	size_t *reps = malloc((r->n_runs ? r->n_runs : 1) * sizeof *reps), n_reps = 0;

	if (!reps)
		ft_h5w_nomem(&w->h);
	for (size_t n = r->n_runs; n >= 10000; n /= 10)
		digits++;
	for (size_t k = 0; k < r->n_runs && !w->h.rc; k++) {
		const struct ft_results_run *u = &r->runs[k];
		size_t j;
		hid_t m;

		if (!u->fit || !u->fit->pred.linear)
			continue;
		snprintf(name, sizeof name, "%0*zu", (int)(digits & 31u), k);
		if ((j = same_names(r, reps, n_reps, k)) == k)
			reps[n_reps++] = k;
		snprintf(at, sizeof at, "/models/%0*zu/model/feature_names",
		         (int)(digits & 31u), j);
		m = ft_h5w_group(&w->h, g, name);
		ft_h5w_attr_str(&w->h, m, "method", u->method);
		ft_h5w_attr_str(&w->h, m, "setting", u->setting);
		ft_h5w_attr_i64(&w->h, m, "fold", (int64_t)u->fold);
		fit_output(w, m, u->fit, u->feature_names, u->n_features,
		           j < k ? at : NULL);
		ft_h5w_close(&w->h, m, name);
	}
	free(reps);
	ft_h5w_close(&w->h, g, "models");
}

/* ------------------------------------------------------------- writers */

static void root(struct w *w, hid_t f, const struct ft_results *r)
{
	hid_t g;

	ft_h5w_attr_str(&w->h, f, "format", FT_RESULTS_FORMAT_NAME);
	ft_h5w_attr_i64(&w->h, f, "format_version", FT_RESULTS_FORMAT_VERSION);
	ft_h5w_attr_str(&w->h, f, "fairtrain_version", r->fairtrain_version);
	ft_h5w_attr_str(&w->h, f, "created_utc", r->created_utc);
	ft_h5w_attr_str(&w->h, f, "command_line", r->command_line);
	ft_h5w_attr_str(&w->h, f, "scheme", r->scheme);
	ft_h5w_attr_u64(&w->h, f, "n_folds", r->n_folds);
	ft_h5w_attr_u64(&w->h, f, "seed", r->seed);
	ft_h5w_attr_f64(&w->h, f, "split", r->split);
	ft_h5w_attr_str(&w->h, f, "fairness", r->fairness);
	ft_h5w_attr_str(&w->h, f, "convention", r->convention);
	ft_h5w_attr_f64(&w->h, f, "threshold", r->threshold);
	ft_h5w_attr_u64(&w->h, f, "n_bootstrap", r->n_bootstrap);
	ft_h5w_attr_f64(&w->h, f, "level", r->level);
	ft_h5w_attr_f64(&w->h, f, "C", r->C);
	if (r->task) {
		ft_h5w_attr_str(&w->h, f, "task", r->task);
		ft_h5w_attr_str(&w->h, f, "accuracy_metric",
		                r->accuracy_metric ? r->accuracy_metric : "");
	}
	ft_h5w_str_v(&w->h, f, "group_names", (const char *const *)r->group_names,
	         r->n_groups);
	g = ft_h5w_group(&w->h, f, "inputs");
	ft_h5w_str_v(&w->h, g, "paths", (const char *const *)r->input_paths, r->n_inputs);
	ft_h5w_str_v(&w->h, g, "sha256", (const char *const *)r->input_sha256, r->n_inputs);
	ft_h5w_close(&w->h, g, "inputs");
}

static void write_settings(struct w *w, hid_t f, const struct ft_results *r)
{
	static const char COLS[] = "method,setting,pareto,accuracy_mean,accuracy_sd,"
	                           "fairness_mean,fairness_sd,seconds_mean";
	hid_t g = ft_h5w_group(&w->h, f, "settings");
	struct cols c;
	size_t n = r->n_settings;

	if (cols_new(w, &c, n) == 0) {
		ft_h5w_attr_str(&w->h, g, "columns", COLS);
		ft_h5w_str_v(&w->h, g, "method", r->setting_method, n);
		ft_h5w_str_v(&w->h, g, "setting", r->setting, n);
		for (size_t k = 0; k < n; k++)
			c.b[k] = (int8_t)(r->pareto[k] != 0);
		ft_h5w_i8_v(&w->h, g, "pareto", c.b, n);
		ft_h5w_f64_v(&w->h, g, "accuracy_mean", r->acc_mean, n);
		ft_h5w_f64_v(&w->h, g, "accuracy_sd", r->acc_sd, n);
		ft_h5w_f64_v(&w->h, g, "fairness_mean", r->fair_mean, n);
		ft_h5w_f64_v(&w->h, g, "fairness_sd", r->fair_sd, n);
		ft_h5w_f64_v(&w->h, g, "seconds_mean", r->seconds, n);
	}
	cols_free(&c);
	ft_h5w_close(&w->h, g, "settings");
}

static void write_runs(struct w *w, hid_t f, const struct ft_results *r)
{
	static const char COLS[] = "method,setting,fold,status,error,seconds,"
	                           "n_train,n_test,solver,iterations,converged";
	hid_t g = ft_h5w_group(&w->h, f, "runs");
	struct cols c;
	size_t n = r->n_runs;
	const struct ft_results_run *u = r->runs;

	if (cols_new(w, &c, n) == 0) {
		ft_h5w_attr_str(&w->h, g, "columns", COLS);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].method;
		ft_h5w_str_v(&w->h, g, "method", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].setting;
		ft_h5w_str_v(&w->h, g, "setting", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.i[k] = (int64_t)u[k].fold;
		ft_h5w_i64_v(&w->h, g, "fold", c.i, n);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].error ? "failed" : "ok";
		ft_h5w_str_v(&w->h, g, "status", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].error ? u[k].error : "";
		ft_h5w_str_v(&w->h, g, "error", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.f[k] = u[k].seconds;
		ft_h5w_f64_v(&w->h, g, "seconds", c.f, n);
		for (size_t k = 0; k < n; k++)
			c.i[k] = (int64_t)u[k].n_train;
		ft_h5w_i64_v(&w->h, g, "n_train", c.i, n);
		for (size_t k = 0; k < n; k++)
			c.i[k] = (int64_t)u[k].n_test;
		ft_h5w_i64_v(&w->h, g, "n_test", c.i, n);
		for (size_t k = 0; k < n; k++)
			c.s[k] = u[k].fit ? ft_solver_name(u[k].fit->res.solver) : "";
		ft_h5w_str_v(&w->h, g, "solver", c.s, n);
		for (size_t k = 0; k < n; k++)
			c.i[k] = u[k].fit ? u[k].fit->res.iterations : 0;
		ft_h5w_i64_v(&w->h, g, "iterations", c.i, n);
		for (size_t k = 0; k < n; k++)
			c.b[k] = (int8_t)(u[k].fit && u[k].fit->res.converged);
		ft_h5w_i8_v(&w->h, g, "converged", c.b, n);
	}
	cols_free(&c);
	ft_h5w_close(&w->h, g, "runs");
}

/* The rows of every run's comparison, flattened: row j of the table is row
 * ro[j] of run ru[j]. */
static void write_metrics(struct w *w, hid_t f, const struct ft_results *r)
{
	static const char COLS[] = "run,method,setting,fold,split,group,metric,"
	                           "convention,value,defined,why,lo,hi,ci_defined";
	hid_t g = ft_h5w_group(&w->h, f, "metrics");
	struct cols c = {0};
	size_t n = 0, j = 0, *ru = NULL, *ro = NULL;
	const struct ft_results_run *u = r->runs;

	for (size_t k = 0; k < r->n_runs; k++)
		n += u[k].metrics ? u[k].metrics->n : 0;
	ru = malloc((n ? n : 1) * sizeof *ru);
	ro = malloc((n ? n : 1) * sizeof *ro);
	if (!ru || !ro || cols_new(w, &c, n) != 0) {
		ft_h5w_nomem(&w->h);
		goto done;
	}
	for (size_t k = 0; k < r->n_runs; k++)
		for (size_t i = 0; u[k].metrics && i < u[k].metrics->n; i++) {
			ru[j] = k;
			ro[j++] = i;
		}
#define ROW(j) (&u[ru[j]].metrics->rows[ro[j]])
	ft_h5w_attr_str(&w->h, g, "columns", COLS);
	for (j = 0; j < n; j++)
		c.i[j] = (int64_t)ru[j];
	ft_h5w_i64_v(&w->h, g, "run", c.i, n);
	for (j = 0; j < n; j++)
		c.s[j] = u[ru[j]].method;
	ft_h5w_str_v(&w->h, g, "method", c.s, n);
	for (j = 0; j < n; j++)
		c.s[j] = u[ru[j]].setting;
	ft_h5w_str_v(&w->h, g, "setting", c.s, n);
	for (j = 0; j < n; j++)
		c.i[j] = (int64_t)u[ru[j]].fold;
	ft_h5w_i64_v(&w->h, g, "fold", c.i, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->split;
	ft_h5w_str_v(&w->h, g, "split", c.s, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->group;
	ft_h5w_str_v(&w->h, g, "group", c.s, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->metric;
	ft_h5w_str_v(&w->h, g, "metric", c.s, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->convention;
	ft_h5w_str_v(&w->h, g, "convention", c.s, n);
	for (j = 0; j < n; j++)
		c.f[j] = ROW(j)->why ? 0.0 : ROW(j)->value;
	ft_h5w_f64_v(&w->h, g, "value", c.f, n);
	for (j = 0; j < n; j++)
		c.b[j] = (int8_t)!ROW(j)->why;
	ft_h5w_i8_v(&w->h, g, "defined", c.b, n);
	for (j = 0; j < n; j++)
		c.s[j] = ROW(j)->why ? ROW(j)->why : "";
	ft_h5w_str_v(&w->h, g, "why", c.s, n);
	for (j = 0; j < n; j++)
		c.f[j] = ROW(j)->ci_why ? 0.0 : ROW(j)->lo;
	ft_h5w_f64_v(&w->h, g, "lo", c.f, n);
	for (j = 0; j < n; j++)
		c.f[j] = ROW(j)->ci_why ? 0.0 : ROW(j)->hi;
	ft_h5w_f64_v(&w->h, g, "hi", c.f, n);
	for (j = 0; j < n; j++)
		c.b[j] = (int8_t)!ROW(j)->ci_why;
	ft_h5w_i8_v(&w->h, g, "ci_defined", c.b, n);
#undef ROW
done:
	cols_free(&c);
	free(ru);
	free(ro);
	ft_h5w_close(&w->h, g, "metrics");
}

/* Every group of the file (ft_h5_build_fn); the sticky error is checked
 * once at the end. */
static int build_results(hid_t f, const struct ft_h5_types *t, void *ctx)
{
	struct w *w = ctx;

	w->h.str = t->str;
	w->h.scalar = t->scalar;
	root(w, f, w->r);
	write_settings(w, f, w->r);
	write_runs(w, f, w->r);
	write_metrics(w, f, w->r);
	write_models(w, f, w->r);
	return w->h.rc;
}

int ft_results_save(const char *path, const struct ft_results *r,
                    struct ft_error *err)
{
	struct w w = {{path, err, 0, H5I_INVALID_HID, H5I_INVALID_HID}, r};

	if (!path || !r)
		return ft_error_set(err, FT_EINVAL, "ft_results_save: no %s",
		                    path ? "results" : "path");
	return ft_h5_save_image(path, (size_t)1 << 20, build_results, &w, err);
}
