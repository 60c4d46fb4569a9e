/*
 * model_file.c - fairtrain model files: HDF5, format versions 1 to 4.
 *
 * ft_model_save writes a struct ft_model_file and ft_model_load reads one
 * back.  The layout (every path, type, shape and meaning) is documented in
 * README.md, "Model file"; it is chosen so that h5py can read a file
 * without knowing fairtrain: strings are variable-length UTF-8 (h5py
 * returns str), string arrays are 1-D datasets of that type, numbers are
 * little-endian int8 / int32 / int64 / uint64 / float64.
 *
 * Version 4 (what ft_model_save writes) is version 3 with each name
 * stored once: /model and /baseline's feature_names are hard links to
 * /preprocessing/feature_names, and a categorical feature column holds
 * n_categories instead of its categories (they are its feature names
 * without "name=").  Version 3: /model and /baseline are
 * predictors (struct ft_predictor) in the layout predictor_io.c writes for
 * model files and comparison results alike: the kind, the linear model and,
 * inside the group, the mixture, thresholds or frontier, or a ranker's
 * re-ranker; /training holds the method's parameters by index
 * (param_values) and, for choice parameters, by name (param_choices).
 * Versions 1 to 3 are still read: version 1 has /model and /baseline as
 * plain linear models (per-group ones included), version 2 adds /mixture,
 * /frontier and /thresholds at the root beside /model, and /ranking with
 * the re-ranker among its attributes; they are read into the same
 * predictors.
 *
 * What this file does:
 *   - validates a model file in memory with one function (check_mf) used on
 *     both sides, so that save never writes what load would refuse, and no
 *     NaN or Inf ever reaches a model file; the encoder's rules are asked of
 *     src/data (ft_encoder_check), the predictor's of src/model
 *     (ft_predictor_check);
 *   - writes atomically and self-verifying (ft_h5_save_image, h5image.c):
 *     the file is built in memory (HDF5's core driver), sealed with a
 *     SHA-256 in its user block, written to an unnamed file beside the
 *     destination, fsync'ed and given its name (atomic.c); on any failure
 *     nothing is left and an existing destination is left untouched;
 *   - opens through ft_h5_open_verified (h5image.c): a damaged file is
 *     refused before libhdf5 parses a byte of it, and every size read from
 *     the file is bounded by its length before anything is allocated;
 *   - reads defensively (h5r.c): every attribute and dataset is checked for
 *     presence, type class and shape before it is read, so a foreign, newer,
 *     truncated or hand-edited file is refused with one line naming the file
 *     and the object, never a crash and never a half-built struct.
 *
 * What it does not do: no schema migration on write (a newer
 * format_version is refused), no partial reads, no compression.  HDF5 (the
 * serial build) is not thread-safe: do not call these functions from two
 * threads at once.  hdf5.h is included only in src/io.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hdf5.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "data/data.h"
#include "io/io.h"

/* The last enum ft_solver value: names are mapped back to ids by trying
 * every id from FT_SOLVER_AUTO up to this one with ft_solver_name. */
#define SOLVER_LAST FT_SOLVER_LBFGS

/* Group names under /preprocessing/columns are zero-padded to this many
 * digits, or more when there are more columns, so that name order is input
 * order (h5py lists members by name). */
#define COL_DIGITS 3

/* The one list of feature names (format 4): /model and /baseline link to
 * it, and a categorical feature column's categories are its names without
 * the "column=" prefix, so that each name is stored once (a long cell
 * made a model file four times its size). */
#define FEATURE_NAMES "/preprocessing/feature_names"

static const char *const role_names[] = {
	"feature", "target", "sensitive", "weight", "drop"
};
static const char *const type_names[] = { "numeric", "categorical" };
static const char *const policy_names[] = { "drop", "impute" };

#define N_ROLES (sizeof role_names / sizeof role_names[0])
#define N_TYPES (sizeof type_names / sizeof type_names[0])
#define N_POLICIES (sizeof policy_names / sizeof policy_names[0])

/* ------------------------------------------------------------ validation */

/* Format a reason into why[0..n) and return code. */
__attribute__((format(printf, 4, 5)))
static int bad(char *why, size_t n, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return code;
}

/* A pair of /training datasets (names_name, values_name): n non-empty
 * names and n finite values. */
static int check_pair(const char *names_name, const char *values_name,
                      char *const *names, const double *values, size_t k,
                      char *why, size_t n)
{
	size_t i;

	if (k && (!names || !values))
		return bad(why, n, FT_EINVAL, "/training/%s or /training/%s is "
		           "missing (%zu entries)", names_name, values_name, k);
	for (i = 0; i < k; i++) {
		if (!names[i] || !*names[i])
			return bad(why, n, FT_EINVAL, "/training/%s[%zu] is %s",
			           names_name, i, names[i] ? "empty" : "missing");
		if (!isfinite(values[i]))
			return bad(why, n, FT_ENUMERIC, "/training/%s[%zu] (%.60s) "
			           "is %s", values_name, i, names[i],
			           ft_nonfinite_word(values[i]));
	}
	return 0;
}

/* The comparison table as struct ft_comparison promises it: every label
 * string present (metric, model and split not empty), every number finite,
 * and an undefined value (why set) or a missing interval (ci_why set) held
 * as 0 with a non-empty reason.  Messages use the dataset names of
 * /comparison, so they read the same on save and on load. */
static int check_comparison(const struct ft_comparison *c, char *why,
                            size_t n)
{
	size_t i;

	if (c->n && !c->rows)
		return bad(why, n, FT_EINVAL, "/comparison has no rows");
	if (!isfinite(c->level))
		return bad(why, n, FT_ENUMERIC, "/comparison level is %s",
		           ft_nonfinite_word(c->level));
	if (!isfinite(c->threshold))
		return bad(why, n, FT_ENUMERIC, "/comparison threshold is %s",
		           ft_nonfinite_word(c->threshold));
	if (c->level < 0 || c->level > 1)
		return bad(why, n, FT_EINVAL, "/comparison level %g is outside "
		           "[0, 1]", c->level);
	for (i = 0; i < c->n; i++) {
		const struct ft_comparison_row *r = &c->rows[i];
		struct { const char *name; const char *s; int nonempty; } str[] = {
			{ "metric", r->metric, 1 }, { "model", r->model, 1 },
			{ "split", r->split, 1 }, { "group", r->group, 0 },
			{ "convention", r->convention, 0 },
		};
		struct { const char *name; double v; } num[] = {
			{ "value", r->value }, { "lo", r->lo }, { "hi", r->hi },
		};
		size_t k;

		for (k = 0; k < sizeof str / sizeof str[0]; k++) {
			if (!str[k].s)
				return bad(why, n, FT_EINVAL, "/comparison/%s[%zu] "
				           "is missing", str[k].name, i);
			if (str[k].nonempty && !*str[k].s)
				return bad(why, n, FT_EINVAL, "/comparison/%s[%zu] "
				           "is empty", str[k].name, i);
		}
		for (k = 0; k < sizeof num / sizeof num[0]; k++)
			if (!isfinite(num[k].v))
				return bad(why, n, FT_ENUMERIC, "/comparison/%s[%zu] "
				           "is %s", num[k].name, i,
				           ft_nonfinite_word(num[k].v));
		if (r->why && !*r->why)
			return bad(why, n, FT_EINVAL, "/comparison/why[%zu] is "
			           "empty but defined is 0", i);
		if (r->why && r->value != 0)
			return bad(why, n, FT_EINVAL, "/comparison/value[%zu] is "
			           "%g but defined is 0", i, r->value);
		if (r->ci_why && !*r->ci_why)
			return bad(why, n, FT_EINVAL, "/comparison/ci_why[%zu] is "
			           "empty but ci_defined is 0", i);
		if (r->ci_why && (r->lo != 0 || r->hi != 0))
			return bad(why, n, FT_EINVAL, "/comparison/lo[%zu] and "
			           "hi[%zu] are %g and %g but ci_defined is 0", i,
			           i, r->lo, r->hi);
	}
	return 0;
}

/* /ranking and the model types agree (a ranker has /ranking, a classifier
 * has not), and /ranking is consistent with the encoder. */
static int check_ranking(const struct ft_model_file *mf, char *why, size_t n)
{
	const struct ft_model_ranking *rk = mf->ranking;
	const struct ft_encoder *e = mf->enc;
	int ranker = mf->model->kind == FT_PRED_RANKER, letor;
	size_t g;

	if (mf->baseline && (mf->baseline->kind == FT_PRED_RANKER) != ranker)
		return bad(why, n, FT_EINVAL, "/model is a %s but /baseline a %s",
		           ranker ? "ranker" : "classifier",
		           ranker ? "classifier" : "ranker");
	if (mf->baseline && mf->baseline->kind != FT_PRED_LINEAR && !ranker)
		return bad(why, n, FT_EINVAL, "/baseline is a %s predictor, not a linear "
		           "model", ft_predictor_kind_name(mf->baseline->kind));
	if (!rk)
		return ranker ? bad(why, n, FT_EINVAL, "/model is a linear ranker "
		                    "but the file has no /ranking") : 0;
	if (!ranker)
		return bad(why, n, FT_EINVAL, "/ranking needs a ranker as /model, not "
		           "a classifier");
	if (!rk->format || !rk->query || !rk->relevance || !rk->protected_group)
		return bad(why, n, FT_EINVAL, "/ranking has a missing string");
	if (mf->model->rerank && *mf->model->rerank) {
		struct ft_method_spec sp;
		struct ft_error err = {0};
		if (ft_method_spec_parse(mf->model->rerank, FT_TASK_RANK, FT_STAGE_RERANK,
		                         &sp, &err))
			return bad(why, n, FT_EINVAL, "/model rerank '%.60s': %s",
			           mf->model->rerank, err.msg);
	}
	letor = strcmp(rk->format, "letor") == 0;
	if (!letor && strcmp(rk->format, "csv") != 0)
		return bad(why, n, FT_EINVAL, "/ranking format '%.60s' is not csv "
		           "or letor", rk->format);
	if (rk->colorblind != 0 && rk->colorblind != 1)
		return bad(why, n, FT_EINVAL, "/ranking colorblind is %d, not 0 or 1",
		           rk->colorblind);
	if (!isfinite(rk->protected_value))
		return bad(why, n, FT_ENUMERIC, "/ranking protected_value is %s",
		           ft_nonfinite_word(rk->protected_value));
	if (letor) {
		char name[32];
		if (*rk->query || *rk->relevance)
			return bad(why, n, FT_EINVAL, "/ranking of a letor model has a "
			           "query or relevance column");
		if ((rk->sensitive_feature != 0) != (e->n_sensitive == 1))
			return bad(why, n, FT_EINVAL, "/ranking sensitive_feature %"
			           PRIu64 " does not match %zu sensitive columns",
			           rk->sensitive_feature, e->n_sensitive);
		if (rk->group_values && !rk->sensitive_feature)
			return bad(why, n, FT_EINVAL, "/ranking group_values without a "
			           "sensitive_feature");
		snprintf(name, sizeof name, "f%" PRIu64, rk->sensitive_feature);
		if (rk->sensitive_feature && strcmp(e->sensitive[0], name) != 0)
			return bad(why, n, FT_EINVAL, "/ranking sensitive_feature %"
			           PRIu64 " but the sensitive column is '%.60s'",
			           rk->sensitive_feature, e->sensitive[0]);
	} else {
		if (!*rk->query || !*rk->relevance)
			return bad(why, n, FT_EINVAL, "/ranking of a csv model needs "
			           "query and relevance columns");
		if (rk->sensitive_feature != 0 || rk->group_values)
			return bad(why, n, FT_EINVAL, "/ranking %s is for letor models",
			           rk->group_values ? "group_values" : "sensitive_feature");
		if (!e->target || strcmp(e->target, rk->relevance) != 0)
			return bad(why, n, FT_EINVAL, "/ranking relevance '%.60s' is "
			           "not the target of /preprocessing", rk->relevance);
		if (ft_encoder_find_col(e, rk->query, FT_ROLE_DROP) < 0)
			return bad(why, n, FT_EINVAL, "/ranking query '%.60s' is not "
			           "a dropped column of /preprocessing", rk->query);
	}
	if (e->positive)
		return bad(why, n, FT_EINVAL, "a ranker's /preprocessing has a "
		           "positive label");
	if (e->n_sensitive && e->use_sensitive == rk->colorblind)
		return bad(why, n, FT_EINVAL, "/ranking colorblind is %d but "
		           "use_sensitive is %d", rk->colorblind, e->use_sensitive);
	if (!*rk->protected_group)
		return e->n_groups ? bad(why, n, FT_EINVAL, "/ranking names no "
		                         "protected group of %zu groups",
		                         e->n_groups) : 0;
	for (g = 0; g < e->n_groups; g++)
		if (strcmp(e->group_names[g], rk->protected_group) == 0)
			return 0;
	return bad(why, n, FT_EINVAL, "/ranking protected group '%.60s' is not "
	           "in group_names", rk->protected_group);
}

/* A predictor stored at obj: whole, finite and sized for the encoder
 * (ft_predictor_check), the reason phrased with the file's path. */
static int check_predictor(const char *obj, const struct ft_predictor *p,
                           const struct ft_encoder *e, char *why, size_t n)
{
	char part[FT_ERROR_MAX];
	const char *rest = part;
	int code;

	if (ft_predictor_check(p, e->n_features, e->n_groups, part, sizeof part) == 0)
		return 0;
	/* NaN and Inf are numeric failures; everything else is inconsistency */
	code = strstr(part, " is nan") || strstr(part, " is inf") || strstr(part, " is -inf") ?
	       FT_ENUMERIC : FT_EINVAL;
	/* the linear part is the predictor's group itself: "/model/coef[2]" */
	if (strncmp(rest, "linear model", 12) == 0) {
		rest += 12;
		return bad(why, n, code, "%s%s", obj, rest);
	}
	return bad(why, n, code, "%s/%s", obj, rest);
}

static int check_mf(const struct ft_model_file *mf, char *why, size_t n)
{
	const struct ft_predictor *m = mf->model;
	const struct ft_read_opts *ro = &mf->read;
	size_t i;
	int rc;
	struct { const char *name; double v; } reals[] = {
		{ "C", mf->C }, { "tol", mf->solver_opts.tol },
		{ "grad_norm", mf->solver_result.grad_norm },
		{ "objective", mf->solver_result.f }, { "split", mf->split },
	};

	if (!mf->enc)
		return bad(why, n, FT_EINVAL, "no preprocessing (encoder)");
	if (!m)
		return bad(why, n, FT_EINVAL, "no model");
	if (!ft_strv_ok(mf->input_paths, mf->n_inputs) ||
	    !ft_strv_ok(mf->input_sha256, mf->n_inputs))
		return bad(why, n, FT_EINVAL, "/inputs has a missing string");
	if ((unsigned char)ro->delimiter >= 0x80)
		return bad(why, n, FT_EINVAL, "delimiter 0x%02x is not ASCII",
		           (unsigned char)ro->delimiter);
	if ((ro->whitespace != 0 && ro->whitespace != 1) ||
	    (ro->header != 0 && ro->header != 1))
		return bad(why, n, FT_EINVAL, "/read whitespace and header must "
		           "be 0 or 1");
	if (!ft_strv_ok(ro->names, ro->n_names))
		return bad(why, n, FT_EINVAL, "/read/names has a missing name");
	if (ro->missing && !ft_strv_ok(ro->missing, ro->n_missing))
		return bad(why, n, FT_EINVAL, "/read/missing has a missing token");
	if ((rc = ft_encoder_check(mf->enc, why, n)) ||
	    (rc = check_predictor("/model", m, mf->enc, why, n)) ||
	    (mf->baseline &&
	     (rc = check_predictor("/baseline", mf->baseline, mf->enc, why, n))) ||
	    (mf->comparison &&
	     (rc = check_comparison(mf->comparison, why, n))) ||
	    (rc = check_pair("param_names", "param_values", mf->param_names,
	                     mf->param_values, mf->n_params, why, n)) ||
	    (rc = check_pair("diag_names", "diag_values", mf->diag_names,
	                     mf->diag_values, mf->n_diag, why, n)) ||
	    (rc = check_ranking(mf, why, n)))
		return rc;
	if (mf->param_choices && !ft_strv_ok(mf->param_choices, mf->n_params))
		return bad(why, n, FT_EINVAL, "/training/param_choices has a missing name");
	for (i = 0; i < sizeof reals / sizeof reals[0]; i++)
		if (!isfinite(reals[i].v))
			return bad(why, n, FT_ENUMERIC, "/training %s is %s",
			           reals[i].name, ft_nonfinite_word(reals[i].v));
	if ((mf->fit_intercept != 0 && mf->fit_intercept != 1) ||
	    (mf->solver_result.converged != 0 && mf->solver_result.converged != 1))
		return bad(why, n, FT_EINVAL, "/training fit_intercept and "
		           "converged must be 0 or 1");
	if (mf->solver_opts.solver < FT_SOLVER_AUTO ||
	    mf->solver_opts.solver > SOLVER_LAST)
		return bad(why, n, FT_EINVAL, "solver %d is unknown",
		           mf->solver_opts.solver);
	if (mf->solver_result.solver < FT_SOLVER_AUTO ||
	    mf->solver_result.solver > SOLVER_LAST)
		return bad(why, n, FT_EINVAL, "solver_used %d is unknown",
		           mf->solver_result.solver);
	return 0;
}

/* --------------------------------------------------------------- writing */

/* The group name of column i of n_cols: its index zero-padded to the
 * digits of the largest index, at least COL_DIGITS ("007", "1234"). */
static void col_name(char buf[32], size_t n_cols, size_t i)
{
	char num[24];
	size_t width = COL_DIGITS, len, last = n_cols ? n_cols - 1 : 0;

	len = (size_t)snprintf(num, sizeof num, "%zu", last);
	if (len > width)
		width = len;
	len = (size_t)snprintf(num, sizeof num, "%zu", i);
	if (len > width)
		width = len;
	memset(buf, '0', width - len);
	memcpy(buf + (width - len), num, len + 1);
}

static void write_root(struct ft_h5w *w, hid_t f, const struct ft_model_file *mf)
{
	hid_t g;

	ft_h5w_attr_str(w, f, "format", FT_FORMAT_NAME);
	/* the lowest version that describes the file, so that older readers
	 * read every file they would read correctly */
	ft_h5w_attr_i32(w, f, "format_version", mf->model && (mf->model->transform ||
	                mf->model->eopp) ? FT_FORMAT_VERSION : 4);
	ft_h5w_attr_str(w, f, "fairtrain_version", mf->fairtrain_version);
	ft_h5w_attr_str(w, f, "created_utc", mf->created_utc);
	ft_h5w_attr_str(w, f, "command_line", mf->command_line);
	g = ft_h5w_group(w, f, "inputs");
	ft_h5w_str_v(w, g, "path", (const char *const *)mf->input_paths, mf->n_inputs);
	ft_h5w_str_v(w, g, "sha256", (const char *const *)mf->input_sha256, mf->n_inputs);
	ft_h5w_close(w, g, "inputs");
}

static void write_read(struct ft_h5w *w, hid_t f, const struct ft_read_opts *o)
{
	char delim[2] = { o->delimiter, '\0' };
	hid_t g = ft_h5w_group(w, f, "read");

	ft_h5w_attr_str(w, g, "delimiter", delim);
	ft_h5w_attr_i32(w, g, "whitespace", o->whitespace);
	ft_h5w_attr_i32(w, g, "header", o->header);
	ft_h5w_attr_u64(w, g, "skip_rows", o->skip_rows);
	ft_h5w_str_v(w, g, "names", (const char *const *)o->names, o->n_names);
	if (o->missing)
		ft_h5w_str_v(w, g, "missing", (const char *const *)o->missing, o->n_missing);
	ft_h5w_close(w, g, "read");
}

static void write_preprocessing(struct ft_h5w *w, hid_t f, const struct ft_encoder *e)
{
	hid_t g = ft_h5w_group(w, f, "preprocessing"), cols;

	if (e->target)
		ft_h5w_attr_str(w, g, "target", e->target);
	if (e->positive)
		ft_h5w_attr_str(w, g, "positive", e->positive);
	if (e->label_strip)
		ft_h5w_attr_str(w, g, "label_strip", e->label_strip);
	if (e->privileged)
		ft_h5w_attr_str(w, g, "privileged", e->privileged);
	if (e->weight)
		ft_h5w_attr_str(w, g, "weight", e->weight);
	ft_h5w_attr_str(w, g, "missing_policy", policy_names[e->missing_policy]);
	ft_h5w_attr_i32(w, g, "use_sensitive", e->use_sensitive);
	ft_h5w_attr_u64(w, g, "n_features", e->n_features);
	ft_h5w_attr_u64(w, g, "n_num", e->n_num);
	ft_h5w_attr_u64(w, g, "n_cat", e->n_cat);
	ft_h5w_str_v(w, g, "sensitive", (const char *const *)e->sensitive, e->n_sensitive);
	ft_h5w_str_v(w, g, "group_names", (const char *const *)e->group_names, e->n_groups);
	ft_h5w_str_v(w, g, "feature_names", (const char *const *)e->feature_names,
	             e->n_features);
	cols = ft_h5w_group(w, g, "columns");
	for (size_t i = 0; i < e->n_cols && !w->rc; i++) {
		const struct ft_column *c = &e->cols[i];
		char name[32];
		hid_t cg;

		col_name(name, e->n_cols, i);
		cg = ft_h5w_group(w, cols, name);
		ft_h5w_attr_str(w, cg, "name", c->name);
		ft_h5w_attr_str(w, cg, "role", role_names[c->role]);
		ft_h5w_attr_str(w, cg, "type", type_names[c->type]);
		ft_h5w_attr_f64(w, cg, "mean", c->mean);
		ft_h5w_attr_f64(w, cg, "sd", c->sd);
		ft_h5w_attr_u64(w, cg, "offset", c->offset);
		ft_h5w_attr_i64(w, cg, "impute_cat", c->impute_cat);
		/* a feature column's categories are in feature_names */
		if (c->type == FT_CATEGORICAL && ft_column_is_feature(e, c))
			ft_h5w_attr_u64(w, cg, "n_categories", c->n_cats);
		else if (c->type == FT_CATEGORICAL)
			ft_h5w_str_v(w, cg, "categories", (const char *const *)c->cats,
			             c->n_cats);
		ft_h5w_close(w, cg, name);
	}
	ft_h5w_close(w, cols, "columns");
	ft_h5w_close(w, g, "preprocessing");
}

static void write_ranking(struct ft_h5w *w, hid_t f, const struct ft_model_ranking *rk)
{
	hid_t g = ft_h5w_group(w, f, "ranking");

	ft_h5w_attr_str(w, g, "task", "rank");
	ft_h5w_attr_str(w, g, "format", rk->format);
	ft_h5w_attr_str(w, g, "query", rk->query);
	ft_h5w_attr_str(w, g, "relevance", rk->relevance);
	ft_h5w_attr_str(w, g, "protected_group", rk->protected_group);
	ft_h5w_attr_i32(w, g, "colorblind", rk->colorblind);
	ft_h5w_attr_u64(w, g, "sensitive_feature", rk->sensitive_feature);
	ft_h5w_attr_f64(w, g, "protected_value", rk->protected_value);
	/* written only when set: a file without it reads as two groups */
	if (rk->group_values)
		ft_h5w_attr_i32(w, g, "group_values", rk->group_values);
	ft_h5w_close(w, g, "ranking");
}

/* /training/budget: how a private run spent its budget (attributes
 * epsilon_total and delta_total, 0 for no total; seeded 1 when any noise
 * came from a seeded generator; one row per spend in the datasets stage,
 * mechanism, what, epsilon, delta). */
static void write_budget(struct ft_h5w *w, hid_t loc, const struct ft_budget *b)
{
	const char *stage[FT_DP_MAX_SPENDS], *mech[FT_DP_MAX_SPENDS], *what[FT_DP_MAX_SPENDS];
	double eps[FT_DP_MAX_SPENDS], delta[FT_DP_MAX_SPENDS];
	hid_t g = ft_h5w_group(w, loc, "budget");

	for (size_t k = 0; k < b->n; k++) {
		stage[k] = ft_dp_stage_name(b->spend[k].stage);
		mech[k] = b->spend[k].mechanism;
		what[k] = b->spend[k].what;
		eps[k] = b->spend[k].epsilon;
		delta[k] = b->spend[k].delta;
	}
	ft_h5w_attr_f64(w, g, "epsilon_total", isfinite(b->epsilon) ? b->epsilon : 0);
	ft_h5w_attr_f64(w, g, "delta_total", b->delta);
	ft_h5w_attr_i32(w, g, "seeded", b->seeded);
	ft_h5w_str_v(w, g, "stage", stage, b->n);
	ft_h5w_str_v(w, g, "mechanism", mech, b->n);
	ft_h5w_str_v(w, g, "what", what, b->n);
	ft_h5w_f64_v(w, g, "epsilon", eps, b->n);
	ft_h5w_f64_v(w, g, "delta", delta, b->n);
	ft_h5w_close(w, g, "budget");
}

/* /private_release: the noisy confusion cells of the mitigated model
 * (n_groups x 4: TN, FP, FN, TP, may be negative), released by the
 * geometric mechanism; attributes split, epsilon, scale. */
static void write_private(struct ft_h5w *w, hid_t f, const struct ft_model_file *mf)
{
	hid_t g = ft_h5w_group(w, f, "private_release");

	ft_h5w_attr_str(w, g, "split", mf->dp_split ? mf->dp_split : "");
	ft_h5w_attr_f64(w, g, "epsilon", mf->dp->epsilon);
	ft_h5w_attr_f64(w, g, "scale", mf->dp->scale);
	ft_h5w_i64_v(w, g, "cells", mf->dp->cells, mf->dp->n_groups * 4);
	ft_h5w_close(w, g, "private_release");
}

static void write_training(struct ft_h5w *w, hid_t f, const struct ft_model_file *mf)
{
	const struct ft_solver_opts *o = &mf->solver_opts;
	const struct ft_solver_result *r = &mf->solver_result;
	const char **choices = calloc(mf->n_params ? mf->n_params : 1, sizeof *choices);
	hid_t g = ft_h5w_group(w, f, "training");

	ft_h5w_attr_str(w, g, "method", mf->method);
	ft_h5w_attr_f64(w, g, "C", mf->C);
	ft_h5w_attr_i32(w, g, "fit_intercept", mf->fit_intercept);
	ft_h5w_attr_str(w, g, "solver", ft_solver_name(o->solver));
	ft_h5w_attr_i32(w, g, "max_iter", o->max_iter);
	ft_h5w_attr_f64(w, g, "tol", o->tol);
	ft_h5w_attr_u64(w, g, "lbfgs_m", o->lbfgs_m);
	ft_h5w_attr_u64(w, g, "dense_max_dim", o->dense_max_dim);
	ft_h5w_attr_str(w, g, "solver_used", ft_solver_name(r->solver));
	ft_h5w_attr_i32(w, g, "iterations", r->iterations);
	ft_h5w_attr_f64(w, g, "grad_norm", r->grad_norm);
	ft_h5w_attr_f64(w, g, "objective", r->f);
	ft_h5w_attr_i32(w, g, "converged", r->converged);
	ft_h5w_attr_u64(w, g, "n_train", mf->n_train);
	ft_h5w_attr_u64(w, g, "n_test", mf->n_test);
	ft_h5w_attr_u64(w, g, "n_dropped", mf->n_dropped);
	ft_h5w_attr_u64(w, g, "seed", mf->seed);
	ft_h5w_attr_f64(w, g, "split", mf->split);
	ft_h5w_str_v(w, g, "param_names", (const char *const *)mf->param_names, mf->n_params);
	ft_h5w_f64_v(w, g, "param_values", mf->param_values, mf->n_params);
	/* choice parameters by name too: a reader that is not fairtrain sees
	 * "eo", not 1 */
	if (!choices)
		ft_h5w_nomem(w);
	for (size_t k = 0; choices && k < mf->n_params; k++)
		choices[k] = mf->param_choices && mf->param_choices[k] ? mf->param_choices[k] : "";
	if (choices)
		ft_h5w_str_v(w, g, "param_choices", choices, mf->n_params);
	ft_h5w_str_v(w, g, "diag_names", (const char *const *)mf->diag_names, mf->n_diag);
	ft_h5w_f64_v(w, g, "diag_values", mf->diag_values, mf->n_diag);
	if (mf->budget)
		write_budget(w, g, mf->budget);
	ft_h5w_close(w, g, "training");
	free(choices);
}

struct save_ctx {
	const struct ft_model_file *mf;
	struct ft_h5w w;
};

/* Every group of the file, in order (ft_h5_build_fn); the sticky error is
 * checked once at the end. */
static int build_model(hid_t f, const struct ft_h5_types *t, void *ctx_)
{
	struct save_ctx *ctx = ctx_;
	const struct ft_model_file *mf = ctx->mf;
	struct ft_h5w *w = &ctx->w;
	const struct ft_encoder *e = mf->enc;

	w->str = t->str;
	w->scalar = t->scalar;
	write_root(w, f, mf);
	write_read(w, f, &mf->read);
	write_preprocessing(w, f, e);
	ft_h5w_predictor(w, f, "model", mf->model, e->feature_names, e->n_features,
	                 FEATURE_NAMES);
	if (mf->baseline && !mf->private_run)
		ft_h5w_predictor(w, f, "baseline", mf->baseline, e->feature_names,
		                 e->n_features, FEATURE_NAMES);
	write_training(w, f, mf);
	if (mf->ranking)
		write_ranking(w, f, mf->ranking);
	if (mf->comparison && !mf->private_run)
		ft_h5w_comparison(w, f, "comparison", mf->comparison);
	if (mf->dp)
		write_private(w, f, mf);
	return w->rc;
}

/* The core driver's growth step: model files are kilobytes to a few
 * megabytes (h5image.c says why they are built in memory). */
#define CORE_INCREMENT ((size_t)1 << 16)

/* Contract: mf is borrowed and checked first (check_mf): an inconsistent
 * struct is FT_EINVAL and a NaN or Inf anywhere (baseline and comparison
 * included) is FT_ENUMERIC, both before anything touches the disk.
 * /baseline and /comparison are written only when mf has them.  NULL
 * provenance strings and method are written as "".  Returns 0 when path
 * holds the new file; on any failure (FT_EIO, FT_ENOMEM) path is as it was
 * and no temp file remains. */
int ft_model_save(const char *path, const struct ft_model_file *mf,
                  struct ft_error *err)
{
	struct save_ctx ctx;
	char why[FT_ERROR_MAX];
	int rc;

	if (!path || !mf)
		return ft_error_set(err, FT_EINVAL, "ft_model_save: no %s",
		                    path ? "model file" : "path");
	/* refuse before touching the disk: nothing invalid, no NaN */
	rc = check_mf(mf, why, sizeof why);
	if (rc)
		return ft_error_set(err, rc, "%s: cannot save: %s", path, why);
	memset(&ctx, 0, sizeof ctx);
	ctx.mf = mf;
	ctx.w.path = path;
	ctx.w.err = err;
	ctx.w.str = ctx.w.scalar = H5I_INVALID_HID;
	return ft_h5_save_image(path, CORE_INCREMENT, build_model, &ctx, err);
}

/* --------------------------------------------------------------- reading */


/* A solver name (ft_solver_name of some id) back to the id. */
static int rsolver(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                   int *out)
{
	char *s = NULL;
	int id, rc = ft_h5r_str(r, loc, obj, name, 0, &s);

	if (rc)
		return rc;
	for (id = FT_SOLVER_AUTO; id <= SOLVER_LAST; id++) {
		const char *known = ft_solver_name(id);
		if (known && strcmp(s, known) == 0)
			break;
	}
	if (id > SOLVER_LAST)
		rc = ft_h5r_corrupt(r, "%s has unknown %s '%s'", obj, name, s);
	*out = id;
	free(s);
	return rc;
}

/* Root: format, format_version, provenance.  The format checks come first
 * and have their own messages: a foreign file is not "corrupt". */
static int read_root(struct ft_h5r *r, hid_t f, struct ft_model_file *mf)
{
	char *fmt = NULL;
	hid_t a = H5I_INVALID_HID, t = H5I_INVALID_HID, s = H5I_INVALID_HID;
	int64_t ver = 0;
	int rc = 0;
	htri_t ex = H5Aexists(f, "format");

	if (ex < 0) {
		rc = ft_h5r_corrupt(r, "cannot read attribute 'format' on /");
		goto done;
	}
	if (ex == 0) {
		rc = ft_error_set(r->err, FT_EFORMAT, "%s: not a fairtrain model "
		                  "file (no format attribute)", r->path);
		goto done;
	}
	/* checked here rather than with attr_open: a non-string format means
	 * a foreign file, not a corrupt one */
	a = H5Aopen(f, "format", H5P_DEFAULT);
	if (a >= 0)
		t = H5Aget_type(a);
	if (t >= 0)
		s = H5Aget_space(a);
	if (s < 0 || H5Tget_class(t) != H5T_STRING ||
	    H5Sget_simple_extent_npoints(s) != 1)
		rc = FT_EFORMAT;
	else
		rc = ft_h5r_strings(a, 1, t, s, 1, &fmt);
	if (rc == FT_ENOMEM) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	if (rc) {
		rc = ft_error_set(r->err, FT_EFORMAT, "%s: not a fairtrain model "
		                  "file (format is not a string)", r->path);
		goto done;
	}
	if (strcmp(fmt, FT_FORMAT_NAME) != 0) {
		rc = ft_error_set(r->err, FT_EFORMAT, "%s: not a fairtrain model "
		                  "file (format '%.100s')", r->path, fmt);
		goto done;
	}
	if ((rc = ft_h5r_i64(r, f, "/", "format_version", INT64_MIN, INT64_MAX,
	               &ver)))
		goto done;
	if (ver > FT_FORMAT_VERSION) {
		rc = ft_error_set(r->err, FT_EFORMAT, "%s: format_version %"
		                  PRId64 " is newer than this fairtrain supports "
		                  "(%d)", r->path, ver, FT_FORMAT_VERSION);
		goto done;
	}
	if (ver < 1) {
		rc = ft_h5r_corrupt(r, "format_version %" PRId64 " is not valid", ver);
		goto done;
	}
	r->version = ver;
	(void)((rc = ft_h5r_str(r, f, "/", "fairtrain_version", 0,
	                  &mf->fairtrain_version)) ||
	       (rc = ft_h5r_str(r, f, "/", "created_utc", 0, &mf->created_utc)) ||
	       (rc = ft_h5r_str(r, f, "/", "command_line", 0, &mf->command_line)));
done:
	ft_h5r_attr_close(a, t, s);
	free(fmt);
	return rc;
}

static int read_inputs(struct ft_h5r *r, hid_t f, struct ft_model_file *mf)
{
	hid_t g = H5I_INVALID_HID;
	size_t np = 0, ns = 0;
	int rc;

	(void)((rc = ft_h5r_group(r, f, "/", "inputs", 0, &g)) ||
	       (rc = ft_h5r_strv(r, g, "/inputs", "path", 0, &mf->input_paths, &np)));
	/* the count is set as soon as an array exists, for ft_model_file_free */
	mf->n_inputs = np;
	if (!rc)
		rc = ft_h5r_strv(r, g, "/inputs", "sha256", 0, &mf->input_sha256, &ns);
	if (!rc && ns != np) {
		/* sha256 holds ns strings, not n_inputs: free it here */
		ft_strv_free(mf->input_sha256, ns);
		mf->input_sha256 = NULL;
		rc = ft_h5r_corrupt(r, "/inputs/sha256 has %zu entries, /inputs/path %zu",
		             ns, np);
	}
	ft_h5r_gclose(g);
	return rc;
}

static int read_read(struct ft_h5r *r, hid_t f, struct ft_read_opts *o)
{
	hid_t g = H5I_INVALID_HID;
	char *delim = NULL;
	int rc;
	uint64_t skip = 0;

	rc = ft_h5r_group(r, f, "/", "read", 0, &g);
	if (rc)
		goto done;
	if ((rc = ft_h5r_str(r, g, "/read", "delimiter", 0, &delim)))
		goto done;
	if (strlen(delim) > 1 || (unsigned char)delim[0] >= 0x80) {
		rc = ft_h5r_corrupt(r, "attribute 'delimiter' on /read is '%.20s', not "
		             "one ASCII character", delim);
		goto done;
	}
	o->delimiter = delim[0];
	(void)((rc = ft_h5r_i32(r, g, "/read", "whitespace", 0, 1, &o->whitespace)) ||
	       (rc = ft_h5r_i32(r, g, "/read", "header", 0, 1, &o->header)) ||
	       (rc = ft_h5r_u64(r, g, "/read", "skip_rows", &skip)));
	if (rc)
		goto done;
	if (skip > SIZE_MAX) {
		rc = ft_h5r_corrupt(r, "attribute 'skip_rows' on /read is too large");
		goto done;
	}
	o->skip_rows = (size_t)skip;
	if ((rc = ft_h5r_strv(r, g, "/read", "names", 0, &o->names, &o->n_names)))
		goto done;
	if (o->n_names == 0) {  /* no names: NULL, as ft_read_opts_init has it */
		free(o->names);
		o->names = NULL;
	}
	/* absent: the default missing tokens (NULL); present, even empty: exactly
	 * these tokens */
	rc = ft_h5r_strv(r, g, "/read", "missing", 1, &o->missing, &o->n_missing);
done:
	free(delim);
	ft_h5r_gclose(g);
	return rc;
}

/* Format 4: the categories of categorical feature column c (obj) are
 * feature_names[offset .. offset + n_categories) without "name=". */
static int cats_from_names(struct ft_h5r *r, hid_t g, const char *obj,
                           const struct ft_encoder *e, struct ft_column *c)
{
	size_t n = 0, len = strlen(c->name);
	int rc;

	if ((rc = ft_h5r_size(r, g, obj, "n_categories", &n)))
		return rc;
	if (c->offset > e->n_features || n > e->n_features - c->offset)
		return ft_h5r_corrupt(r, "%s: features %zu to %zu + %zu are not in "
		                      "/preprocessing/feature_names (%zu)", obj,
		                      c->offset, c->offset, n, e->n_features);
	if (!(c->cats = calloc(n ? n : 1, sizeof *c->cats)))
		return ft_h5r_nomem(r);
	c->n_cats = n;
	for (size_t q = 0; q < n; q++) {
		const char *s = e->feature_names[c->offset + q];
		if (strncmp(s, c->name, len) != 0 || s[len] != '=')
			return ft_h5r_corrupt(r, "/preprocessing/feature_names[%zu] "
			                      "'%.60s' is not of column '%.60s' (%s)",
			                      c->offset + q, s, c->name, obj);
		if (!(c->cats[q] = ft_strdup(s + len + 1)))
			return ft_h5r_nomem(r);
	}
	return 0;
}

static int read_column(struct ft_h5r *r, hid_t cols, const struct ft_encoder *e,
                       size_t i, struct ft_column *c)
{
	hid_t g = H5I_INVALID_HID;
	char name[32], obj[64];
	int64_t ic = 0;
	int rc;

	col_name(name, e->n_cols, i);
	snprintf(obj, sizeof obj, "/preprocessing/columns/%s", name);
	c->impute_cat = -1;
	(void)((rc = ft_h5r_group(r, cols, "/preprocessing/columns", name, 0,
	                        &g)) ||
	       (rc = ft_h5r_str(r, g, obj, "name", 0, &c->name)) ||
	       (rc = ft_h5r_enum(r, g, obj, "role", role_names, N_ROLES, &c->role)) ||
	       (rc = ft_h5r_enum(r, g, obj, "type", type_names, N_TYPES, &c->type)) ||
	       (rc = ft_h5r_f64(r, g, obj, "mean", &c->mean)) ||
	       (rc = ft_h5r_f64(r, g, obj, "sd", &c->sd)) ||
	       (rc = ft_h5r_size(r, g, obj, "offset", &c->offset)) ||
	       (rc = ft_h5r_i64(r, g, obj, "impute_cat", -1, LONG_MAX, &ic)));
	if (rc)
		goto done;
	c->impute_cat = (long)ic;
	if (c->type == FT_CATEGORICAL && r->version >= 4 && ft_column_is_feature(e, c)) {
		rc = cats_from_names(r, g, obj, e, c);
	} else if (c->type == FT_CATEGORICAL) {
		rc = ft_h5r_strv(r, g, obj, "categories", 0, &c->cats, &c->n_cats);
	} else {
		htri_t ex = H5Lexists(g, "categories", H5P_DEFAULT);
		if (ex < 0)
			rc = ft_h5r_corrupt(r, "cannot read %s", obj);
		else if (ex > 0)
			rc = ft_h5r_corrupt(r, "numeric column %s has categories", obj);
	}
done:
	ft_h5r_gclose(g);
	return rc;
}

static int read_columns(struct ft_h5r *r, hid_t pre, struct ft_encoder *e)
{
	hid_t g = H5I_INVALID_HID;
	H5G_info_t info;
	size_t i, n;
	int rc;

	rc = ft_h5r_group(r, pre, "/preprocessing", "columns", 0, &g);
	if (rc)
		goto done;
	if (H5Gget_info(g, &info) < 0) {
		rc = ft_h5r_corrupt(r, "cannot read /preprocessing/columns");
		goto done;
	}
	if (info.nlinks > SIZE_MAX / sizeof *e->cols ||
	    info.nlinks > r->file_len) {
		rc = ft_h5r_corrupt(r, "/preprocessing/columns is too large");
		goto done;
	}
	n = (size_t)info.nlinks;
	e->cols = calloc(n ? n : 1, sizeof *e->cols);
	if (!e->cols) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	e->n_cols = n;
	for (i = 0; i < n; i++)
		e->cols[i].impute_cat = -1;
	for (i = 0; !rc && i < n; i++)
		rc = read_column(r, g, e, i, &e->cols[i]);
done:
	ft_h5r_gclose(g);
	return rc;
}

static int read_preprocessing(struct ft_h5r *r, hid_t f, struct ft_encoder *e)
{
	static const char P[] = "/preprocessing";
	hid_t g = H5I_INVALID_HID;
	size_t nf = 0, n_names = 0;
	char **names = NULL;
	int rc;

	rc = ft_h5r_group(r, f, "/", "preprocessing", 0, &g);
	if (rc)
		goto done;
	(void)((rc = ft_h5r_str(r, g, P, "target", 1, &e->target)) ||
	       (rc = ft_h5r_str(r, g, P, "positive", 1, &e->positive)) ||
	       (rc = ft_h5r_str(r, g, P, "label_strip", 1, &e->label_strip)) ||
	       (rc = ft_h5r_str(r, g, P, "privileged", 1, &e->privileged)) ||
	       (rc = ft_h5r_str(r, g, P, "weight", 1, &e->weight)) ||
	       (rc = ft_h5r_enum(r, g, P, "missing_policy", policy_names, N_POLICIES,
	                   &e->missing_policy)) ||
	       (rc = ft_h5r_i32(r, g, P, "use_sensitive", 0, 1, &e->use_sensitive)) ||
	       (rc = ft_h5r_size(r, g, P, "n_num", &e->n_num)) ||
	       (rc = ft_h5r_size(r, g, P, "n_cat", &e->n_cat)) ||
	       (rc = ft_h5r_size(r, g, P, "n_features", &nf)) ||
	       (rc = ft_h5r_strv(r, g, P, "sensitive", 0, &e->sensitive,
	                   &e->n_sensitive)) ||
	       (rc = ft_h5r_strv(r, g, P, "group_names", 0, &e->group_names,
	                   &e->n_groups)) ||
	       (rc = ft_h5r_strv(r, g, P, "feature_names", 0, &names, &n_names)));
	if (rc)
		goto done;
	if (n_names != nf) {
		rc = ft_h5r_corrupt(r, "/preprocessing/feature_names has %zu names, "
		             "expected %zu (n_features)", n_names, nf);
		ft_strv_free(names, n_names);
		goto done;
	}
	e->feature_names = names;
	e->n_features = nf;
	rc = read_columns(r, g, e);
done:
	ft_h5r_gclose(g);
	return rc;
}


/* /model and /baseline: predictors (version 3), or linear models with
 * the parts of version 2 at the root. */
static int read_models(struct ft_h5r *r, hid_t f, struct ft_model_file *mf)
{
	const struct ft_encoder *e = mf->enc;
	static const char *const NAMES[2] = {"model", "baseline"};
	struct ft_predictor **dst[2] = {&mf->model, &mf->baseline};
	int rc = 0;

	if (r->version >= 3) {
		for (int k = 0; k < 2 && !rc; k++)
			rc = ft_h5r_predictor(r, f, "/", NAMES[k], k, e->feature_names,
			                      e->n_features, e->n_groups, dst[k]);
		return rc;
	}
	for (int k = 0; k < 2 && !rc; k++) {
		hid_t g = H5I_INVALID_HID;
		char obj[32];
		ft_h5_join(obj, sizeof obj, "/", NAMES[k]);
		if ((rc = ft_h5r_group(r, f, "/", NAMES[k], k, &g)) || g < 0)
			break;
		if (!(*dst[k] = calloc(1, sizeof **dst[k])))
			rc = ft_h5r_nomem(r);
		else
			rc = ft_h5r_linear(r, g, obj, e->feature_names, e->n_features,
			                   e->n_groups, &(*dst[k])->linear);
		ft_h5r_gclose(g);
	}
	if (!rc && r->version == 2)
		rc = ft_h5r_legacy_parts(r, f, e->n_features, mf->model);
	return rc;
}

/* /ranking (optional): its attributes into mf->ranking. */
static int read_ranking(struct ft_h5r *r, hid_t f, struct ft_model_file *mf)
{
	static const char O[] = "/ranking";
	hid_t g = H5I_INVALID_HID;
	struct ft_model_ranking *rk;
	char *task = NULL;
	int rc;

	if ((rc = ft_h5r_group(r, f, "/", "ranking", 1, &g)) || g < 0)
		return rc;
	/* a version 1 reader would use /model as a classifier: a writer puts
	 * /ranking only in version 2 files and later */
	if (r->version < 2) {
		ft_h5r_gclose(g);
		return ft_h5r_corrupt(r, "/ranking in a format_version %" PRId64 " file "
		               "(rankers need version 2)", r->version);
	}
	rk = calloc(1, sizeof *rk);
	if (!rk) {
		ft_h5r_gclose(g);
		return ft_h5r_nomem(r);
	}
	mf->ranking = rk;
	(void)((rc = ft_h5r_str(r, g, O, "task", 0, &task)) ||
	       (rc = ft_h5r_str(r, g, O, "format", 0, &rk->format)) ||
	       (rc = ft_h5r_str(r, g, O, "query", 0, &rk->query)) ||
	       (rc = ft_h5r_str(r, g, O, "relevance", 0, &rk->relevance)) ||
	       (rc = ft_h5r_str(r, g, O, "protected_group", 0, &rk->protected_group)) ||
	       (rc = ft_h5r_i32(r, g, O, "colorblind", 0, 1, &rk->colorblind)) ||
	       (r->version == 2 && mf->model &&
	        (rc = ft_h5r_str(r, g, O, "rerank", 0, &mf->model->rerank))) ||
	       (rc = ft_h5r_u64(r, g, O, "sensitive_feature", &rk->sensitive_feature)) ||
	       (rc = ft_h5r_f64(r, g, O, "protected_value", &rk->protected_value)) ||
	       (H5Aexists(g, "group_values") > 0 &&
	        (rc = ft_h5r_i32(r, g, O, "group_values", 0, 1, &rk->group_values))));
	if (!rc && strcmp(task, "rank") != 0)
		rc = ft_h5r_corrupt(r, "/ranking has unknown task '%.60s'", task);
	/* version 2 marked a ranker only by /ranking and the model's type */
	if (!rc && r->version == 2) {
		mf->model->kind = FT_PRED_RANKER;
		if (mf->baseline)
			mf->baseline->kind = FT_PRED_RANKER;
	}
	free(task);
	ft_h5r_gclose(g);
	return rc;
}


/* A names / values pair of /training (the method's parameters or its
 * diagnostics): both absent (files written before they existed) gives n =
 * 0 and NULL arrays, as does a pair of empty datasets; otherwise both must
 * be 1-D of the same length, the values finite. */
static int read_pair(struct ft_h5r *r, hid_t g, const char *names_name,
                     const char *values_name, char ***names, double **values,
                     size_t *n)
{
	static const char T[] = "/training";
	htri_t a = H5Lexists(g, names_name, H5P_DEFAULT);
	htri_t b = H5Lexists(g, values_name, H5P_DEFAULT);
	char **nv = NULL;
	double *vv = NULL;
	size_t nn = 0, nvals = 0;
	int rc;

	*names = NULL;
	*values = NULL;
	*n = 0;
	if (a < 0 || b < 0)
		return ft_h5r_corrupt(r, "cannot read /training");
	if (!a && !b)
		return 0;
	(void)((rc = ft_h5r_strv(r, g, T, names_name, 0, &nv, &nn)) ||
	       (rc = ft_h5r_f64v(r, g, T, values_name, 1, &vv, &nvals)));
	if (!rc && nn != nvals)
		rc = ft_h5r_corrupt(r, "/training/%s has %zu entries, /training/%s %zu",
		             names_name, nn, values_name, nvals);
	if (rc || nn == 0) {
		ft_strv_free(nv, nn);
		free(vv);
		return rc;
	}
	*names = nv;
	*values = vv;
	*n = nn;
	return 0;
}

/* /training/budget, when there is one (write_budget). */
static int read_budget(struct ft_h5r *r, hid_t tr, struct ft_model_file *mf)
{
	static const char B[] = "/training/budget";
	hid_t g = H5I_INVALID_HID;
	char **stage = NULL, **mech = NULL, **what = NULL;
	double *eps = NULL, *delta = NULL;
	size_t n[5] = {0, 0, 0, 0, 0};
	int rc;
	struct ft_budget *b;

	if ((rc = ft_h5r_group(r, tr, "/training", "budget", 1, &g)) || g == H5I_INVALID_HID)
		return rc;
	if (!(b = calloc(1, sizeof *b))) {
		ft_h5r_gclose(g);
		return ft_h5r_nomem(r);
	}
	(void)((rc = ft_h5r_f64(r, g, B, "epsilon_total", &b->epsilon)) ||
	       (rc = ft_h5r_f64(r, g, B, "delta_total", &b->delta)) ||
	       (rc = ft_h5r_i32(r, g, B, "seeded", 0, 1, &b->seeded)) ||
	       (rc = ft_h5r_strv(r, g, B, "stage", 0, &stage, &n[0])) ||
	       (rc = ft_h5r_strv(r, g, B, "mechanism", 0, &mech, &n[1])) ||
	       (rc = ft_h5r_strv(r, g, B, "what", 0, &what, &n[2])) ||
	       (rc = ft_h5r_f64v(r, g, B, "epsilon", 1, &eps, &n[3])) ||
	       (rc = ft_h5r_f64v(r, g, B, "delta", 1, &delta, &n[4])));
	if (!rc && (n[0] > FT_DP_MAX_SPENDS || n[1] != n[0] || n[2] != n[0] || n[3] != n[0] ||
	            n[4] != n[0] || b->epsilon < 0 || b->delta < 0 || b->delta >= 1))
		rc = ft_h5r_corrupt(r, "%s: inconsistent sizes or totals", B);
	if (b->epsilon == 0)
		b->epsilon = INFINITY;
	b->n = n[0];
	for (size_t k = 0; !rc && k < b->n; k++) {
		struct ft_dp_spend *s = &b->spend[k];
		s->stage = -1;
		for (int st = 0; st < FT_DP_N_STAGES; st++)
			if (!strcmp(stage[k], ft_dp_stage_name(st)))
				s->stage = st;
		if (s->stage < 0 || !(eps[k] >= 0) || !(delta[k] >= 0 && delta[k] < 1))
			rc = ft_h5r_corrupt(r, "%s: spend %zu is not a stage, epsilon and delta", B, k);
		snprintf(s->mechanism, sizeof s->mechanism, "%s", mech[k]);
		snprintf(s->what, sizeof s->what, "%s", what[k]);
		s->epsilon = eps[k];
		s->delta = delta[k];
	}
	for (int st = 0; st < FT_DP_N_STAGES; st++)
		b->allot_eps[st] = b->allot_delta[st] = INFINITY;
	ft_strv_free(stage, n[0]);
	ft_strv_free(mech, n[1]);
	ft_strv_free(what, n[2]);
	free(eps);
	free(delta);
	ft_h5r_gclose(g);
	if (rc)
		free(b);
	else
		mf->budget = b;
	return rc;
}

static int read_training(struct ft_h5r *r, hid_t f, struct ft_model_file *mf)
{
	static const char T[] = "/training";
	struct ft_solver_opts *o = &mf->solver_opts;
	struct ft_solver_result *res = &mf->solver_result;
	hid_t g = H5I_INVALID_HID;
	int rc;

	(void)((rc = ft_h5r_group(r, f, "/", "training", 0, &g)) ||
	       (rc = ft_h5r_str(r, g, T, "method", 0, &mf->method)) ||
	       (rc = ft_h5r_f64(r, g, T, "C", &mf->C)) ||
	       (rc = ft_h5r_i32(r, g, T, "fit_intercept", 0, 1, &mf->fit_intercept)) ||
	       (rc = rsolver(r, g, T, "solver", &o->solver)) ||
	       (rc = ft_h5r_i32(r, g, T, "max_iter", INT_MIN, INT_MAX, &o->max_iter)) ||
	       (rc = ft_h5r_f64(r, g, T, "tol", &o->tol)) ||
	       (rc = ft_h5r_size(r, g, T, "lbfgs_m", &o->lbfgs_m)) ||
	       (rc = ft_h5r_size(r, g, T, "dense_max_dim", &o->dense_max_dim)) ||
	       (rc = rsolver(r, g, T, "solver_used", &res->solver)) ||
	       (rc = ft_h5r_i32(r, g, T, "iterations", INT_MIN, INT_MAX,
	                  &res->iterations)) ||
	       (rc = ft_h5r_f64(r, g, T, "grad_norm", &res->grad_norm)) ||
	       (rc = ft_h5r_f64(r, g, T, "objective", &res->f)) ||
	       (rc = ft_h5r_i32(r, g, T, "converged", 0, 1, &res->converged)) ||
	       (rc = ft_h5r_size(r, g, T, "n_train", &mf->n_train)) ||
	       (rc = ft_h5r_size(r, g, T, "n_test", &mf->n_test)) ||
	       (rc = ft_h5r_size(r, g, T, "n_dropped", &mf->n_dropped)) ||
	       (rc = ft_h5r_u64(r, g, T, "seed", &mf->seed)) ||
	       (rc = ft_h5r_f64(r, g, T, "split", &mf->split)) ||
	       (rc = read_pair(r, g, "param_names", "param_values",
	                       &mf->param_names, &mf->param_values,
	                       &mf->n_params)) ||
	       (rc = read_pair(r, g, "diag_names", "diag_values",
	                       &mf->diag_names, &mf->diag_values, &mf->n_diag)));
	if (!rc) {
		/* the choices by name (version 3): optional, one per parameter */
		size_t nc = 0;
		rc = ft_h5r_strv(r, g, T, "param_choices", 1, &mf->param_choices, &nc);
		if (!rc && mf->param_choices && nc != mf->n_params) {
			ft_strv_free(mf->param_choices, nc);
			mf->param_choices = NULL;
			if (nc)
				rc = ft_h5r_corrupt(r, "/training/param_choices has %zu entries, "
				                    "/training/param_names %zu", nc, mf->n_params);
		}
	}
	if (!rc)
		rc = read_budget(r, g, mf);
	ft_h5r_gclose(g);
	return rc;
}

/* Contract: *out is NULL on failure and a complete struct on success, every
 * string and array malloc'ed (the encoder field by field, for
 * ft_encoder_free; the comparison row by row with ft_comparison_add, for
 * ft_comparison_free).  baseline and comparison are NULL when the file has
 * no such group.  FT_EIO: the file cannot be opened (strerror).
 * FT_EFORMAT: not HDF5, not a fairtrain model, a newer format_version, or
 * corrupt (truncated, an object missing or of the wrong class or shape, an
 * unknown name, a non-finite number, inconsistent sizes).  Nothing leaks and
 * no HDF5 object stays open in either case. */
int ft_model_load(const char *path, struct ft_model_file **out,
                  struct ft_error *err)
{
	struct ft_h5r r;
	struct ft_model_file *mf = NULL;
	char why[FT_ERROR_MAX];
	hid_t f = H5I_INVALID_HID;
	int rc;

	r.path = path;
	r.err = err;
	r.version = 0;
	r.what = "model file";
	r.file_len = 0;
	if (!out)
		return ft_error_set(err, FT_EINVAL, "ft_model_load: no output");
	*out = NULL;
	if (!path)
		return ft_error_set(err, FT_EINVAL, "ft_model_load: no path");
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

	/* checked before HDF5 parses a byte (h5image.c) */
	rc = ft_h5_open_verified(path, "model file", &f, &r.file_len, NULL, err);
	if (rc)
		goto done;
	mf = calloc(1, sizeof *mf);
	if (!mf) {
		rc = ft_h5r_nomem(&r);
		goto done;
	}
	mf->enc = calloc(1, sizeof *mf->enc);
	if (!mf->enc) {
		rc = ft_h5r_nomem(&r);
		goto done;
	}
	if ((rc = read_root(&r, f, mf)) || (rc = read_inputs(&r, f, mf)) ||
	    (rc = read_read(&r, f, &mf->read)) ||
	    (rc = read_preprocessing(&r, f, mf->enc)) ||
	    (rc = read_models(&r, f, mf)) ||
	    (rc = read_training(&r, f, mf)) ||
	    (rc = read_ranking(&r, f, mf)) ||
	    (rc = ft_h5r_comparison(&r, f, "/", "comparison", &mf->comparison)))
		goto done;
	mf->format_version = (int)r.version;
	/* cross-field consistency, the same rules save enforces */
	if (check_mf(mf, why, sizeof why)) {
		rc = ft_h5r_corrupt(&r, "%s", why);
		goto done;
	}
done:
	if (f >= 0 && H5Fclose(f) < 0 && !rc)
		rc = ft_h5r_corrupt(&r, "cannot close");
	if (rc) {
		ft_model_file_free(mf);
		return rc;
	}
	*out = mf;
	return 0;
}

/* Contract: frees everything ft_model_load allocates, and also a struct
 * built by hand with malloc'ed fields (NULL arrays are skipped); NULL is a
 * no-op. */
void ft_model_file_free(struct ft_model_file *mf)
{
	if (!mf)
		return;
	free(mf->fairtrain_version);
	free(mf->created_utc);
	free(mf->command_line);
	ft_strv_free(mf->input_paths, mf->n_inputs);
	ft_strv_free(mf->input_sha256, mf->n_inputs);
	ft_strv_free(mf->read.names, mf->read.n_names);
	ft_strv_free(mf->read.missing, mf->read.n_missing);
	ft_encoder_free(mf->enc);
	ft_predictor_free(mf->model);
	ft_predictor_free(mf->baseline);
	ft_comparison_free(mf->comparison);
	if (mf->ranking) {
		free(mf->ranking->format);
		free(mf->ranking->query);
		free(mf->ranking->relevance);
		free(mf->ranking->protected_group);
		free(mf->ranking);
	}
	free(mf->method);
	ft_strv_free(mf->param_names, mf->n_params);
	free(mf->param_values);
	ft_strv_free(mf->param_choices, mf->n_params);
	ft_strv_free(mf->diag_names, mf->n_diag);
	free(mf->diag_values);
	free(mf->budget);
	ft_dp_audit_free(mf->dp);
	free(mf->dp_split);
	free(mf);
}
