/*
 * model_file.c - fairtrain model files: HDF5, schema versions 1 and 2.
 *
 * ft_model_save writes a struct ft_model_file and ft_model_load reads one
 * back.  The layout (every path, type, shape and meaning) is documented in
 * README.md, "Model file (HDF5, schema versions 1 and 2)"; it is chosen so that
 * h5py can read a file without knowing fairtrain: strings are
 * variable-length UTF-8 (h5py returns str), string arrays are 1-D datasets
 * of that type, numbers are little-endian int8 / int32 / int64 / uint64 /
 * float64.  Two groups are optional additions that a version 1 reader
 * ignores, so they keep format_version 1: /baseline (the unmitigated model,
 * laid out like /model) and /comparison (the before/after table, one 1-D
 * dataset per column so that pandas reads it as a data frame; undefined
 * values are 0 with a flag and a reason, never NaN).  Files without them
 * load with mf->baseline and mf->comparison NULL.  Also additions within
 * version 1: per-group models in /model and /baseline (type
 * "logistic_regression_per_group", attribute n_groups, datasets group_coef
 * (n_groups x p, the only 2-D dataset) and group_intercept), which an older
 * reader refuses as an unknown type rather than misreading; and the pairs
 * param_names / param_values and diag_names / diag_values in /training
 * (absent in older files: n = 0 and NULL arrays).
 *
 * Version 2 (format_version 2) adds what a version 1 reader must not
 * misread as a plain logistic regression: /mixture, /frontier,
 * /thresholds, and /ranking.  /ranking marks a linear ranker (model type
 * "linear_ranker", intercept 0): its scores order the items of a query and
 * are not probabilities; the group's attributes say how raw files are read
 * (CSV through the encoder, or LETOR), which group is protected and which
 * re-ranker follows the scores.  A file has /ranking exactly when /model
 * (and /baseline) are rankers, and a ranker has no mixture, frontier or
 * thresholds.
 *
 * What this file does:
 *   - validates a model file in memory with one function (check_mf) used on
 *     both sides, so that save never writes what load would refuse, and no
 *     NaN or Inf ever reaches a model file;
 *   - writes atomically (ft_h5_save_image, h5image.c): the file is built in
 *     memory (HDF5's core driver), written to a temp file beside the
 *     destination, fsync'ed and renamed over it, and the directory is
 *     fsync'ed (ft_tmpfile_make / ft_tmpfile_finish); on any failure every
 *     handle is closed, the temp file is removed and an existing destination
 *     is left untouched;
 *   - reads defensively: every attribute and dataset is checked for presence,
 *     type class and shape before it is read, so a foreign, newer, truncated
 *     or hand-edited file is refused with one line naming the file and the
 *     object, never a crash and never a half-built struct.
 *
 * What it does not do: no schema migration (a newer format_version is
 * refused), no partial reads, no compression.  HDF5 (the serial build) is
 * not thread-safe: do not call these functions from two threads at once.
 * hdf5.h is included only in src/io (here, h5image.c, results_file.c).
 *
 * Handle discipline: every hid_t starts as H5I_INVALID_HID and is closed
 * exactly once on the single cleanup path of the function that opened it.
 * HDF5's automatic error printing is switched off (H5Eset_auto2) and every
 * HDF5 failure becomes an ft_error.
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
#include "io/io.h"

/* The last enum ft_solver value: names are mapped back to ids by trying
 * every id from FT_SOLVER_AUTO up to this one with ft_solver_name. */
#define SOLVER_LAST FT_SOLVER_LBFGS

/* The model types of schema version 1: one weight vector, or one per
 * group (the prejudice remover's model; an older reader refuses the
 * unknown type instead of misreading it). */
#define LOGREG_NAME "logistic_regression"
#define PER_GROUP_NAME "logistic_regression_per_group"
/* Version 2: a linear ranker, s = x.coef (intercept 0), used per query as
 * /ranking says. */
#define RANKER_NAME "linear_ranker"

/* Group names under /preprocessing/columns are zero-padded to this many
 * digits, or more when there are more columns, so that name order is input
 * order (h5py lists members by name). */
#define COL_DIGITS 3

static const char *const role_names[] = {
	"feature", "target", "sensitive", "weight", "drop"
};
static const char *const type_names[] = { "numeric", "categorical" };
static const char *const policy_names[] = { "drop", "impute" };

#define N_ROLES (sizeof role_names / sizeof role_names[0])
#define N_TYPES (sizeof type_names / sizeof type_names[0])
#define N_POLICIES (sizeof policy_names / sizeof policy_names[0])

/* The columns of /comparison, in the order the columns attribute lists
 * them.  A string column holds the char * at off in struct
 * ft_comparison_row (a NULL reason is written as ""), a float column the
 * double at off, and a flag column is 1 when the reason (char *) at off is
 * NULL, i.e. when the value or interval is defined. */
enum { CMP_STR, CMP_F64, CMP_FLAG };
enum {
	CMP_METRIC, CMP_MODEL, CMP_SPLIT, CMP_GROUP, CMP_CONVENTION, CMP_VALUE,
	CMP_DEFINED, CMP_WHY, CMP_LO, CMP_HI, CMP_CI_DEFINED, CMP_CI_WHY, N_CMP
};
struct cmp_col {
	const char *name;
	int kind;
	size_t off;
};
#define ROW_OFF(field) offsetof(struct ft_comparison_row, field)
static const struct cmp_col cmp_cols[N_CMP] = {
	[CMP_METRIC] = { "metric", CMP_STR, ROW_OFF(metric) },
	[CMP_MODEL] = { "model", CMP_STR, ROW_OFF(model) },
	[CMP_SPLIT] = { "split", CMP_STR, ROW_OFF(split) },
	[CMP_GROUP] = { "group", CMP_STR, ROW_OFF(group) },
	[CMP_CONVENTION] = { "convention", CMP_STR, ROW_OFF(convention) },
	[CMP_VALUE] = { "value", CMP_F64, ROW_OFF(value) },
	[CMP_DEFINED] = { "defined", CMP_FLAG, ROW_OFF(why) },
	[CMP_WHY] = { "why", CMP_STR, ROW_OFF(why) },
	[CMP_LO] = { "lo", CMP_F64, ROW_OFF(lo) },
	[CMP_HI] = { "hi", CMP_F64, ROW_OFF(hi) },
	[CMP_CI_DEFINED] = { "ci_defined", CMP_FLAG, ROW_OFF(ci_why) },
	[CMP_CI_WHY] = { "ci_why", CMP_STR, ROW_OFF(ci_why) },
};

/* Room for the column names joined with commas. */
#define CMP_NAMES_MAX 128

/* "metric,model,...,ci_why": the columns attribute of /comparison. */
static void cmp_names(char buf[CMP_NAMES_MAX])
{
	size_t k, len = 0;

	buf[0] = '\0';
	for (k = 0; k < N_CMP && len < CMP_NAMES_MAX; k++)
		len += (size_t)snprintf(buf + len, CMP_NAMES_MAX - len, "%s%s",
		                        k ? "," : "", cmp_cols[k].name);
}

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

static const char *nonfinite_word(double x)
{
	return isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/* Is column c an input of the model?  Sensitive columns are features too
 * when the encoder says use_sensitive. */
static int is_feature(const struct ft_encoder *e, const struct ft_column *c)
{
	return c->role == FT_ROLE_FEATURE ||
	       (c->role == FT_ROLE_SENSITIVE && e->use_sensitive);
}

/* Index of the column called name with the given role, or -1. */
static long find_col(const struct ft_encoder *e, const char *name, int role)
{
	size_t i;

	for (i = 0; i < e->n_cols; i++)
		if (e->cols[i].role == role && e->cols[i].name &&
		    strcmp(e->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* n non-NULL strings (v may be NULL only when n == 0). */
static int strv_ok(char *const *v, size_t n)
{
	size_t i;

	if (n && !v)
		return 0;
	for (i = 0; i < n; i++)
		if (!v[i])
			return 0;
	return 1;
}

/* n non-NULL strings in strictly increasing strcmp order. */
static int strv_sorted(char *const *v, size_t n)
{
	size_t i;

	if (!strv_ok(v, n))
		return 0;
	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1], v[i]) >= 0)
			return 0;
	return 1;
}

/* Check one column: roles and types known, statistics finite, categories
 * sorted and unique, the imputation index in range. */
static int check_column(const struct ft_encoder *e, size_t i, char *why,
                        size_t n)
{
	const struct ft_column *c = &e->cols[i];

	if (!c->name)
		return bad(why, n, FT_EINVAL, "column %zu has no name", i);
	if (c->role < 0 || (size_t)c->role >= N_ROLES)
		return bad(why, n, FT_EINVAL, "column '%s' has role %d", c->name,
		           c->role);
	if (c->type < 0 || (size_t)c->type >= N_TYPES)
		return bad(why, n, FT_EINVAL, "column '%s' has type %d", c->name,
		           c->type);
	if (c->impute_cat < -1)
		return bad(why, n, FT_EINVAL, "column '%s': impute_cat %ld is "
		           "below -1", c->name, c->impute_cat);
	if (!isfinite(c->mean))
		return bad(why, n, FT_ENUMERIC, "column '%s' mean is %s", c->name,
		           nonfinite_word(c->mean));
	if (!isfinite(c->sd))
		return bad(why, n, FT_ENUMERIC, "column '%s' sd is %s", c->name,
		           nonfinite_word(c->sd));
	if (c->type == FT_NUMERIC) {
		if (c->n_cats)
			return bad(why, n, FT_EINVAL,
			           "numeric column '%s' has categories", c->name);
		if (is_feature(e, c) && !(c->sd > 0))
			return bad(why, n, FT_EINVAL,
			           "numeric feature '%s' has sd %g (must be > 0)",
			           c->name, c->sd);
		return 0;
	}
	if (!strv_sorted(c->cats, c->n_cats))
		return bad(why, n, FT_EINVAL, "column '%s': categories are not "
		           "distinct strings in sorted order", c->name);
	if (c->impute_cat >= 0 && (size_t)c->impute_cat >= c->n_cats)
		return bad(why, n, FT_EINVAL, "column '%s': impute_cat %ld is "
		           "out of range (%zu categories)", c->name, c->impute_cat,
		           c->n_cats);
	return 0;
}

/* The feature layout promised by fairtrain.h: numeric feature columns take
 * indices 0 .. n_num-1 in input order, then each categorical feature column
 * takes one block of n_cats indices, in input order, ending at n_features.
 * Checking it exactly guarantees that applying the encoder never indexes
 * outside the coefficient vector. */
static int check_layout(const struct ft_encoder *e, char *why, size_t n)
{
	size_t i, next_num = 0, next_cat = e->n_num, n_catcols = 0;

	if (e->n_num > e->n_features)
		return bad(why, n, FT_EINVAL, "n_num %zu exceeds n_features %zu",
		           e->n_num, e->n_features);
	for (i = 0; i < e->n_cols; i++) {
		const struct ft_column *c = &e->cols[i];

		if (!is_feature(e, c))
			continue;
		if (c->type == FT_NUMERIC) {
			if (c->offset != next_num || next_num >= e->n_num)
				return bad(why, n, FT_EINVAL, "column '%s' has "
				           "offset %zu, expected %zu", c->name,
				           c->offset, next_num);
			next_num++;
		} else {
			if (c->offset != next_cat ||
			    c->n_cats > e->n_features - next_cat)
				return bad(why, n, FT_EINVAL, "column '%s' has "
				           "offset %zu and %zu categories, which do "
				           "not fit the feature layout (next %zu of "
				           "%zu)", c->name, c->offset, c->n_cats,
				           next_cat, e->n_features);
			next_cat += c->n_cats;
			n_catcols++;
		}
	}
	if (next_num != e->n_num)
		return bad(why, n, FT_EINVAL, "n_num is %zu but %zu numeric "
		           "feature columns", e->n_num, next_num);
	if (n_catcols != e->n_cat)
		return bad(why, n, FT_EINVAL, "n_cat is %zu but %zu categorical "
		           "feature columns", e->n_cat, n_catcols);
	if (next_cat != e->n_features)
		return bad(why, n, FT_EINVAL, "n_features is %zu but the columns "
		           "make %zu features", e->n_features, next_cat);
	return 0;
}

static int check_encoder(const struct ft_encoder *e, char *why, size_t n)
{
	size_t i, k, n_sens = 0;
	int rc;

	if (e->n_cols && !e->cols)
		return bad(why, n, FT_EINVAL, "encoder has no columns array");
	if (e->missing_policy < 0 || (size_t)e->missing_policy >= N_POLICIES)
		return bad(why, n, FT_EINVAL, "missing_policy %d is unknown",
		           e->missing_policy);
	if (e->use_sensitive != 0 && e->use_sensitive != 1)
		return bad(why, n, FT_EINVAL, "use_sensitive is %d, not 0 or 1",
		           e->use_sensitive);
	for (i = 0; i < e->n_cols; i++) {
		if ((rc = check_column(e, i, why, n)))
			return rc;
		n_sens += e->cols[i].role == FT_ROLE_SENSITIVE;
	}
	if ((rc = check_layout(e, why, n)))
		return rc;
	if (!strv_ok(e->feature_names, e->n_features))
		return bad(why, n, FT_EINVAL, "feature_names has a missing name");
	if (e->target && find_col(e, e->target, FT_ROLE_TARGET) < 0)
		return bad(why, n, FT_EINVAL, "target '%s' is not a column with "
		           "role target", e->target);
	if (e->weight && find_col(e, e->weight, FT_ROLE_WEIGHT) < 0)
		return bad(why, n, FT_EINVAL, "weight '%s' is not a column with "
		           "role weight", e->weight);
	if (!strv_ok(e->sensitive, e->n_sensitive))
		return bad(why, n, FT_EINVAL, "sensitive has a missing name");
	for (k = 0; k < e->n_sensitive; k++)
		if (find_col(e, e->sensitive[k], FT_ROLE_SENSITIVE) < 0)
			return bad(why, n, FT_EINVAL, "sensitive '%s' is not a "
			           "column with role sensitive", e->sensitive[k]);
	if (n_sens != e->n_sensitive)
		return bad(why, n, FT_EINVAL, "%zu columns have role sensitive "
		           "but sensitive lists %zu", n_sens, e->n_sensitive);
	if (!strv_sorted(e->group_names, e->n_groups))
		return bad(why, n, FT_EINVAL, "group_names are not distinct "
		           "strings in sorted order");
	if (e->privileged) {
		for (k = 0; k < e->n_groups; k++)
			if (strcmp(e->group_names[k], e->privileged) == 0)
				break;
		if (k == e->n_groups)
			return bad(why, n, FT_EINVAL, "privileged group '%s' is "
			           "not in group_names", e->privileged);
	}
	return 0;
}

/* A linear model stored at obj ("/model" or "/baseline"): a known type, one
 * finite coefficient per encoded feature, a finite intercept. */
static int check_linear(const char *obj, const struct ft_linear_model *m,
                        const struct ft_encoder *e, char *why, size_t n)
{
	size_t i;

	if (m->type != FT_MODEL_LOGREG && m->type != FT_MODEL_RANKER)
		return bad(why, n, FT_EINVAL, "%s type %d is unknown", obj + 1,
		           m->type);
	if (m->type == FT_MODEL_RANKER && (m->intercept != 0 || m->n_groups))
		return bad(why, n, FT_EINVAL, "%s is a linear ranker with %s", obj,
		           m->n_groups ? "per-group weights" : "an intercept that is not 0");
	if (m->p != e->n_features)
		return bad(why, n, FT_EINVAL, "%s/coef has %zu values, "
		           "expected %zu (n_features)", obj, m->p, e->n_features);
	if (m->p && !m->coef)
		return bad(why, n, FT_EINVAL, "%s has no coefficients", obj + 1);
	for (i = 0; i < m->p; i++)
		if (!isfinite(m->coef[i]))
			return bad(why, n, FT_ENUMERIC, "%s/coef[%zu] is %s", obj,
			           i, nonfinite_word(m->coef[i]));
	if (!isfinite(m->intercept))
		return bad(why, n, FT_ENUMERIC, "%s/intercept is %s", obj,
		           nonfinite_word(m->intercept));
	if (m->n_groups == 0)
		return 0;
	/* per-group model: one row of group_coef and one group_intercept per
	 * group of /preprocessing, all finite */
	if (m->n_groups != e->n_groups)
		return bad(why, n, FT_EINVAL, "%s has %zu groups, /preprocessing "
		           "has %zu (group_names)", obj, m->n_groups, e->n_groups);
	if ((m->p && !m->group_coef) || !m->group_intercept)
		return bad(why, n, FT_EINVAL, "%s has n_groups %zu but no "
		           "group_coef or group_intercept", obj, m->n_groups);
	if (m->p && m->n_groups > SIZE_MAX / m->p)
		return bad(why, n, FT_EINVAL, "%s/group_coef is too large", obj);
	for (i = 0; i < m->n_groups * m->p; i++)
		if (!isfinite(m->group_coef[i]))
			return bad(why, n, FT_ENUMERIC, "%s/group_coef[%zu, %zu] is "
			           "%s", obj, i / m->p, i % m->p,
			           nonfinite_word(m->group_coef[i]));
	for (i = 0; i < m->n_groups; i++)
		if (!isfinite(m->group_intercept[i]))
			return bad(why, n, FT_ENUMERIC, "%s/group_intercept[%zu] is "
			           "%s", obj, i, nonfinite_word(m->group_intercept[i]));
	return 0;
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
			           nonfinite_word(values[i]));
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
		           nonfinite_word(c->level));
	if (!isfinite(c->threshold))
		return bad(why, n, FT_ENUMERIC, "/comparison threshold is %s",
		           nonfinite_word(c->threshold));
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
				           nonfinite_word(num[k].v));
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

/* Everything that must hold for a model file, on save and on load.  Returns
 * 0, FT_EINVAL (inconsistent) or FT_ENUMERIC (NaN or Inf), with the reason
 * in why, phrased with the schema's names. */
/* k shared-weight predictors of p features each (a mixture or a frontier),
 * all finite. */
static int check_stack(const char *obj, struct ft_linear_model *const *h,
                       size_t k, const struct ft_encoder *e, char *why,
                       size_t n)
{
	char name[64];
	int rc;

	if (k == 0 || !h)
		return bad(why, n, FT_EINVAL, "%s has no predictors", obj);
	for (size_t i = 0; i < k; i++) {
		if (!h[i])
			return bad(why, n, FT_EINVAL, "%s predictor %zu is missing", obj, i);
		if (h[i]->n_groups)
			return bad(why, n, FT_EINVAL, "%s predictor %zu is a per-group "
			           "model", obj, i);
		if (h[i]->type != FT_MODEL_LOGREG)
			return bad(why, n, FT_EINVAL, "%s predictor %zu is not a "
			           "logistic regression", obj, i);
		snprintf(name, sizeof name, "%s predictor %zu", obj, i);
		if ((rc = check_linear(name, h[i], e, why, n)))
			return rc;
	}
	return 0;
}

static int check_finite(const char *obj, const double *v, size_t k,
                        char *why, size_t n)
{
	for (size_t i = 0; i < k; i++)
		if (!isfinite(v[i]))
			return bad(why, n, FT_ENUMERIC, "%s[%zu] is %s", obj, i,
			           nonfinite_word(v[i]));
	return 0;
}

/* Probabilities in [0, 1]. */
static int check_prob(const char *obj, const double *v, size_t k, char *why,
                      size_t n)
{
	for (size_t i = 0; i < k; i++)
		if (!(v[i] >= 0.0 && v[i] <= 1.0))
			return bad(why, n, FT_EINVAL, "%s[%zu] = %g is not in [0, 1]",
			           obj, i, v[i]);
	return 0;
}

/* The reductions and post-processing parts (format_version 2). */
static int check_extras(const struct ft_model_file *mf, char *why, size_t n)
{
	const struct ft_mixture *mx = mf->mixture;
	const struct ft_thresholds *th = mf->thresholds;
	const struct ft_frontier *fr = mf->frontier;
	int rc;

	if (mx) {
		double sum = 0;
		if ((rc = check_stack("/mixture", mx->h, mx->k, mf->enc, why, n)) ||
		    (rc = check_prob("/mixture/weight", mx->weight, mx->k, why, n)))
			return rc;
		for (size_t i = 0; i < mx->k; i++)
			sum += mx->weight[i];
		if (fabs(sum - 1.0) > 1e-9)
			return bad(why, n, FT_EINVAL, "/mixture/weight sums to %.17g, "
			           "not 1", sum);
	}
	if (th) {
		/* +-inf thresholds are stored as -1 and 2 (scores are in [0, 1]),
		 * so only NaN is refused */
		const double *v[2] = { th->t0, th->t1 };
		if (th->n_groups != mf->enc->n_groups || th->n_groups == 0)
			return bad(why, n, FT_EINVAL, "/thresholds has %zu groups, "
			           "/preprocessing has %zu", th->n_groups, mf->enc->n_groups);
		for (int j = 0; j < 2; j++)
			for (size_t g = 0; g < th->n_groups; g++)
				if (isnan(v[j][g]))
					return bad(why, n, FT_ENUMERIC, "/thresholds/t%d[%zu] is "
					           "not a number", j, g);
		if ((rc = check_prob("/thresholds/p", th->p, th->n_groups, why, n)) ||
		    (rc = check_prob("/thresholds/q", th->q, th->n_groups, why, n)) ||
		    (rc = check_prob("/thresholds/c", th->c, th->n_groups, why, n)))
			return rc;
	}
	if (fr) {
		if ((rc = check_stack("/frontier", fr->h, fr->k, mf->enc, why, n)) ||
		    (rc = check_finite("/frontier/error", fr->error, fr->k, why, n)) ||
		    (rc = check_finite("/frontier/violation", fr->violation, fr->k,
		                       why, n)) ||
		    (fr->n_lambda && (rc = check_finite("/frontier/lambda", fr->lambda,
		                                        fr->k * fr->n_lambda, why, n))))
			return rc;
		if (fr->chosen >= fr->k)
			return bad(why, n, FT_EINVAL, "/frontier chosen = %zu is not below "
			           "%zu", fr->chosen, fr->k);
	}
	return 0;
}

/* /ranking and the model types agree (a ranker has /ranking, a classifier
 * has not), and /ranking is consistent with the encoder. */
static int check_ranking(const struct ft_model_file *mf, char *why, size_t n)
{
	const struct ft_model_ranking *rk = mf->ranking;
	const struct ft_encoder *e = mf->enc;
	int ranker = mf->model->type == FT_MODEL_RANKER, letor;
	size_t g;

	if (mf->baseline && mf->baseline->type != mf->model->type)
		return bad(why, n, FT_EINVAL, "/model is a %s but /baseline a %s",
		           ranker ? "ranker" : "classifier",
		           ranker ? "classifier" : "ranker");
	if (!rk)
		return ranker ? bad(why, n, FT_EINVAL, "/model is a linear ranker "
		                    "but the file has no /ranking") : 0;
	if (!ranker)
		return bad(why, n, FT_EINVAL, "/ranking needs a /model of type "
		           RANKER_NAME ", not a classifier");
	if (mf->mixture || mf->thresholds || mf->frontier)
		return bad(why, n, FT_EINVAL, "a ranker has no /mixture, /frontier "
		           "or /thresholds");
	if (!rk->format || !rk->query || !rk->relevance || !rk->protected_group ||
	    !rk->rerank)
		return bad(why, n, FT_EINVAL, "/ranking has a missing string");
	letor = strcmp(rk->format, "letor") == 0;
	if (!letor && strcmp(rk->format, "csv") != 0)
		return bad(why, n, FT_EINVAL, "/ranking format '%.60s' is not csv "
		           "or letor", rk->format);
	if (rk->colorblind != 0 && rk->colorblind != 1)
		return bad(why, n, FT_EINVAL, "/ranking colorblind is %d, not 0 or 1",
		           rk->colorblind);
	if (!isfinite(rk->protected_value))
		return bad(why, n, FT_ENUMERIC, "/ranking protected_value is %s",
		           nonfinite_word(rk->protected_value));
	if (letor) {
		char name[32];
		if (*rk->query || *rk->relevance)
			return bad(why, n, FT_EINVAL, "/ranking of a letor model has a "
			           "query or relevance column");
		if ((rk->sensitive_feature != 0) != (e->n_sensitive == 1))
			return bad(why, n, FT_EINVAL, "/ranking sensitive_feature %"
			           PRIu64 " does not match %zu sensitive columns",
			           rk->sensitive_feature, e->n_sensitive);
		snprintf(name, sizeof name, "f%" PRIu64, rk->sensitive_feature);
		if (rk->sensitive_feature && strcmp(e->sensitive[0], name) != 0)
			return bad(why, n, FT_EINVAL, "/ranking sensitive_feature %"
			           PRIu64 " but the sensitive column is '%.60s'",
			           rk->sensitive_feature, e->sensitive[0]);
	} else {
		if (!*rk->query || !*rk->relevance)
			return bad(why, n, FT_EINVAL, "/ranking of a csv model needs "
			           "query and relevance columns");
		if (rk->sensitive_feature != 0)
			return bad(why, n, FT_EINVAL, "/ranking sensitive_feature is "
			           "for letor models");
		if (!e->target || strcmp(e->target, rk->relevance) != 0)
			return bad(why, n, FT_EINVAL, "/ranking relevance '%.60s' is "
			           "not the target of /preprocessing", rk->relevance);
		if (find_col(e, rk->query, FT_ROLE_DROP) < 0)
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

static int check_mf(const struct ft_model_file *mf, char *why, size_t n)
{
	const struct ft_linear_model *m = mf->model;
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
	if (!strv_ok(mf->input_paths, mf->n_inputs) ||
	    !strv_ok(mf->input_sha256, mf->n_inputs))
		return bad(why, n, FT_EINVAL, "/inputs has a missing string");
	if ((unsigned char)ro->delimiter >= 0x80)
		return bad(why, n, FT_EINVAL, "delimiter 0x%02x is not ASCII",
		           (unsigned char)ro->delimiter);
	if ((ro->whitespace != 0 && ro->whitespace != 1) ||
	    (ro->header != 0 && ro->header != 1))
		return bad(why, n, FT_EINVAL, "/read whitespace and header must "
		           "be 0 or 1");
	if (!strv_ok(ro->names, ro->n_names))
		return bad(why, n, FT_EINVAL, "/read/names has a missing name");
	if (ro->missing && !strv_ok(ro->missing, ro->n_missing))
		return bad(why, n, FT_EINVAL, "/read/missing has a missing token");
	if ((rc = check_encoder(mf->enc, why, n)) ||
	    (rc = check_linear("/model", m, mf->enc, why, n)) ||
	    (mf->baseline &&
	     (rc = check_linear("/baseline", mf->baseline, mf->enc, why, n))) ||
	    (mf->comparison &&
	     (rc = check_comparison(mf->comparison, why, n))) ||
	    (rc = check_pair("param_names", "param_values", mf->param_names,
	                     mf->param_values, mf->n_params, why, n)) ||
	    (rc = check_pair("diag_names", "diag_values", mf->diag_names,
	                     mf->diag_values, mf->n_diag, why, n)) ||
	    (rc = check_extras(mf, why, n)) ||
	    (rc = check_ranking(mf, why, n)))
		return rc;
	for (i = 0; i < sizeof reals / sizeof reals[0]; i++)
		if (!isfinite(reals[i].v))
			return bad(why, n, FT_ENUMERIC, "/training %s is %s",
			           reals[i].name, nonfinite_word(reals[i].v));
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

/* "/model" + "coef" -> "/model/coef"; "/" + "inputs" -> "/inputs". */
static void join(char *buf, size_t n, const char *obj, const char *name)
{
	snprintf(buf, n, "%s/%s", strcmp(obj, "/") ? obj : "", name);
}

struct wr {
	const char *path;          /* the destination, for messages */
	struct ft_error *err;
	const struct ft_model_file *mf;
	hid_t str;                 /* variable-length UTF-8 string */
	hid_t scalar;              /* scalar dataspace */
};

static int wfail(struct wr *w, const char *obj, const char *attr)
{
	if (attr)
		return ft_error_set(w->err, FT_EIO, "%s: cannot write attribute "
		                    "'%s' on %s", w->path, attr, obj);
	return ft_error_set(w->err, FT_EIO, "%s: cannot write %s", w->path, obj);
}

/* One scalar attribute name on loc (the object obj, for messages). */
static int write_attr(struct wr *w, hid_t loc, const char *obj,
                      const char *name, hid_t ftype, hid_t mtype,
                      const void *buf)
{
	hid_t a = H5Acreate2(loc, name, ftype, w->scalar, H5P_DEFAULT,
	                     H5P_DEFAULT);
	int rc = 0;

	if (a < 0 || H5Awrite(a, mtype, buf) < 0)
		rc = wfail(w, obj, name);
	if (a >= 0 && H5Aclose(a) < 0 && !rc)
		rc = wfail(w, obj, name);
	return rc;
}

/* NULL is written as "" (used only where the schema says so). */
static int wstr(struct wr *w, hid_t loc, const char *obj, const char *name,
                const char *s)
{
	const char *v = s ? s : "";
	return write_attr(w, loc, obj, name, w->str, w->str, &v);
}

/* A string attribute that is absent when s is NULL. */
static int wstr_opt(struct wr *w, hid_t loc, const char *obj,
                    const char *name, const char *s)
{
	return s ? wstr(w, loc, obj, name, s) : 0;
}

static int wi32(struct wr *w, hid_t loc, const char *obj, const char *name,
                int v)
{
	return write_attr(w, loc, obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
}

static int wi64(struct wr *w, hid_t loc, const char *obj, const char *name,
                int64_t v)
{
	return write_attr(w, loc, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64,
	                  &v);
}

static int wu64(struct wr *w, hid_t loc, const char *obj, const char *name,
                uint64_t v)
{
	return write_attr(w, loc, obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64,
	                  &v);
}

static int wf64(struct wr *w, hid_t loc, const char *obj, const char *name,
                double v)
{
	return write_attr(w, loc, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
	                  &v);
}

/* A dataset: scalar when rank is 0, else 1-D of n elements (n may be 0). */
static int write_dset(struct wr *w, hid_t loc, const char *obj,
                      const char *name, hid_t ftype, hid_t mtype, int rank,
                      size_t n, const void *buf)
{
	hsize_t dims[1];
	hid_t s = H5I_INVALID_HID, d = H5I_INVALID_HID;
	char full[128];
	int rc = 0;

	join(full, sizeof full, obj, name);
	dims[0] = (hsize_t)n;
	s = rank ? H5Screate_simple(1, dims, NULL) : H5Screate(H5S_SCALAR);
	if (s >= 0)
		d = H5Dcreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT,
		               H5P_DEFAULT);
	/* a zero-length dataset has nothing to write */
	if (d < 0 || ((rank == 0 || n > 0) &&
	    H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0))
		rc = wfail(w, full, NULL);
	if (d >= 0 && H5Dclose(d) < 0 && !rc)
		rc = wfail(w, full, NULL);
	if (s >= 0)
		H5Sclose(s);
	return rc;
}

/* A 2-D float64 dataset of rows x cols (either may be 0). */
static int wf64m(struct wr *w, hid_t loc, const char *obj, const char *name,
                 const double *v, size_t rows, size_t cols)
{
	hsize_t dims[2];
	hid_t s = H5I_INVALID_HID, d = H5I_INVALID_HID;
	char full[128];
	int rc = 0;

	join(full, sizeof full, obj, name);
	dims[0] = (hsize_t)rows;
	dims[1] = (hsize_t)cols;
	s = H5Screate_simple(2, dims, NULL);
	if (s >= 0)
		d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, s, H5P_DEFAULT,
		               H5P_DEFAULT, H5P_DEFAULT);
	if (d < 0 || (rows * cols > 0 &&
	    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0))
		rc = wfail(w, full, NULL);
	if (d >= 0 && H5Dclose(d) < 0 && !rc)
		rc = wfail(w, full, NULL);
	if (s >= 0)
		H5Sclose(s);
	return rc;
}

static int wstrv(struct wr *w, hid_t loc, const char *obj, const char *name,
                 char *const *v, size_t n)
{
	return write_dset(w, loc, obj, name, w->str, w->str, 1, n, v);
}

static int wf64v(struct wr *w, hid_t loc, const char *obj, const char *name,
                 const double *v, size_t n)
{
	return write_dset(w, loc, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
	                  1, n, v);
}

static int mkgroup(struct wr *w, hid_t loc, const char *obj, const char *name,
                   hid_t *g)
{
	*g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (*g < 0)
		return ft_error_set(w->err, FT_EIO, "%s: cannot create group %s",
		                    w->path, obj);
	return 0;
}

/* Close a group made by mkgroup: a failed close of a group we wrote to is a
 * write failure.  Returns rc, or the close failure when rc is 0. */
static int close_group(struct wr *w, hid_t g, const char *obj, int rc)
{
	if (g >= 0 && H5Gclose(g) < 0 && !rc)
		rc = wfail(w, obj, NULL);
	return rc;
}

int ft_model_file_version(const struct ft_model_file *mf)
{
	return mf->mixture || mf->thresholds || mf->frontier || mf->ranking ? 2 : 1;
}

static int write_root(struct wr *w, hid_t f, const struct ft_model_file *mf)
{
	int rc;

	(void)((rc = wstr(w, f, "/", "format", FT_FORMAT_NAME)) ||
	       (rc = wi32(w, f, "/", "format_version", ft_model_file_version(mf))) ||
	       (rc = wstr(w, f, "/", "fairtrain_version", mf->fairtrain_version)) ||
	       (rc = wstr(w, f, "/", "created_utc", mf->created_utc)) ||
	       (rc = wstr(w, f, "/", "command_line", mf->command_line)));
	return rc;
}

static int write_inputs(struct wr *w, hid_t f, const struct ft_model_file *mf)
{
	hid_t g = H5I_INVALID_HID;
	int rc;

	(void)((rc = mkgroup(w, f, "/inputs", "inputs", &g)) ||
	       (rc = wstrv(w, g, "/inputs", "path", mf->input_paths,
	                   mf->n_inputs)) ||
	       (rc = wstrv(w, g, "/inputs", "sha256", mf->input_sha256,
	                   mf->n_inputs)));
	rc = close_group(w, g, "/inputs", rc);
	return rc;
}

static int write_read(struct wr *w, hid_t f, const struct ft_read_opts *o)
{
	hid_t g = H5I_INVALID_HID;
	char delim[2] = { o->delimiter, '\0' };
	int rc;

	(void)((rc = mkgroup(w, f, "/read", "read", &g)) ||
	       (rc = wstr(w, g, "/read", "delimiter", delim)) ||
	       (rc = wi32(w, g, "/read", "whitespace", o->whitespace)) ||
	       (rc = wi32(w, g, "/read", "header", o->header)) ||
	       (rc = wu64(w, g, "/read", "skip_rows", o->skip_rows)) ||
	       (rc = wstrv(w, g, "/read", "names", o->names, o->n_names)) ||
	       (rc = o->missing ? wstrv(w, g, "/read", "missing", o->missing,
	                                o->n_missing) : 0));
	rc = close_group(w, g, "/read", rc);
	return rc;
}

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

static int write_column(struct wr *w, hid_t cols, size_t n_cols, size_t i,
                        const struct ft_column *c)
{
	hid_t g = H5I_INVALID_HID;
	char name[32], obj[64];
	int rc;

	col_name(name, n_cols, i);
	snprintf(obj, sizeof obj, "/preprocessing/columns/%s", name);
	(void)((rc = mkgroup(w, cols, obj, name, &g)) ||
	       (rc = wstr(w, g, obj, "name", c->name)) ||
	       (rc = wstr(w, g, obj, "role", role_names[c->role])) ||
	       (rc = wstr(w, g, obj, "type", type_names[c->type])) ||
	       (rc = wf64(w, g, obj, "mean", c->mean)) ||
	       (rc = wf64(w, g, obj, "sd", c->sd)) ||
	       (rc = wu64(w, g, obj, "offset", c->offset)) ||
	       (rc = wi64(w, g, obj, "impute_cat", c->impute_cat)) ||
	       (rc = c->type == FT_CATEGORICAL ?
	             wstrv(w, g, obj, "categories", c->cats, c->n_cats) : 0));
	rc = close_group(w, g, obj, rc);
	return rc;
}

static int write_preprocessing(struct wr *w, hid_t f, const struct ft_encoder *e)
{
	static const char P[] = "/preprocessing";
	hid_t g = H5I_INVALID_HID, cols = H5I_INVALID_HID;
	int rc;
	size_t i;

	(void)((rc = mkgroup(w, f, P, "preprocessing", &g)) ||
	       (rc = wstr_opt(w, g, P, "target", e->target)) ||
	       (rc = wstr_opt(w, g, P, "positive", e->positive)) ||
	       (rc = wstr_opt(w, g, P, "label_strip", e->label_strip)) ||
	       (rc = wstr_opt(w, g, P, "privileged", e->privileged)) ||
	       (rc = wstr_opt(w, g, P, "weight", e->weight)) ||
	       (rc = wstr(w, g, P, "missing_policy",
	                  policy_names[e->missing_policy])) ||
	       (rc = wi32(w, g, P, "use_sensitive", e->use_sensitive)) ||
	       (rc = wu64(w, g, P, "n_features", e->n_features)) ||
	       (rc = wu64(w, g, P, "n_num", e->n_num)) ||
	       (rc = wu64(w, g, P, "n_cat", e->n_cat)) ||
	       (rc = wstrv(w, g, P, "sensitive", e->sensitive, e->n_sensitive)) ||
	       (rc = wstrv(w, g, P, "group_names", e->group_names, e->n_groups)) ||
	       (rc = wstrv(w, g, P, "feature_names", e->feature_names,
	                   e->n_features)) ||
	       (rc = mkgroup(w, g, "/preprocessing/columns", "columns", &cols)));
	for (i = 0; !rc && i < e->n_cols; i++)
		rc = write_column(w, cols, e->n_cols, i, &e->cols[i]);
	rc = close_group(w, cols, "/preprocessing/columns", rc);
	rc = close_group(w, g, P, rc);
	return rc;
}

/* A linear model as group name of the root ("model" or "baseline"). */
static int write_linear(struct wr *w, hid_t f, const char *name,
                        const struct ft_linear_model *m,
                        const struct ft_encoder *e)
{
	hid_t g = H5I_INVALID_HID;
	char obj[32];
	int rc;

	join(obj, sizeof obj, "/", name);
	(void)((rc = mkgroup(w, f, obj, name, &g)) ||
	       (rc = wstr(w, g, obj, "type", m->type == FT_MODEL_RANKER ?
	                  RANKER_NAME : m->n_groups ? PER_GROUP_NAME :
	                  LOGREG_NAME)) ||
	       (rc = wu64(w, g, obj, "n_features", m->p)) ||
	       (rc = wf64v(w, g, obj, "coef", m->coef, m->p)) ||
	       (rc = write_dset(w, g, obj, "intercept", H5T_IEEE_F64LE,
	                        H5T_NATIVE_DOUBLE, 0, 1, &m->intercept)) ||
	       (rc = wstrv(w, g, obj, "feature_names", e->feature_names,
	                   e->n_features)));
	if (!rc && m->n_groups)
		(void)((rc = wu64(w, g, obj, "n_groups", m->n_groups)) ||
		       (rc = wf64m(w, g, obj, "group_coef", m->group_coef,
		                   m->n_groups, m->p)) ||
		       (rc = wf64v(w, g, obj, "group_intercept",
		                   m->group_intercept, m->n_groups)));
	rc = close_group(w, g, obj, rc);
	return rc;
}

/* k shared-weight predictors as coef (k x p) and intercept (k). */
static int write_stack(struct wr *w, hid_t g, const char *obj,
                       struct ft_linear_model *const *h, size_t k, size_t p)
{
	double *coef = malloc((k && p ? k * p : 1) * sizeof *coef);
	double *b = malloc((k ? k : 1) * sizeof *b);
	int rc;

	if (!coef || !b) {
		free(coef);
		free(b);
		return ft_error_set(w->err, FT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < k; i++) {
		memcpy(coef + i * p, h[i]->coef, p * sizeof *coef);
		b[i] = h[i]->intercept;
	}
	(void)((rc = wu64(w, g, obj, "n_predictors", k)) ||
	       (rc = wf64m(w, g, obj, "coef", coef, k, p)) ||
	       (rc = wf64v(w, g, obj, "intercept", b, k)));
	free(coef);
	free(b);
	return rc;
}

/* A threshold as stored: scores are in [0, 1], so +inf (never positive)
 * is 2 and -inf (always positive) is -1, which decide every score alike. */
static double stored_threshold(double t)
{
	return t > 2.0 ? 2.0 : t < -1.0 ? -1.0 : t;
}

static int write_extras(struct wr *w, hid_t f, const struct ft_model_file *mf)
{
	hid_t g = H5I_INVALID_HID;
	size_t p = mf->enc->n_features;
	int rc = 0;

	if (mf->mixture) {
		const struct ft_mixture *mx = mf->mixture;
		static const char O[] = "/mixture";
		(void)((rc = mkgroup(w, f, O, "mixture", &g)) ||
		       (rc = wstr(w, g, O, "type", "randomized_mixture")) ||
		       (rc = write_stack(w, g, O, mx->h, mx->k, p)) ||
		       (rc = wf64v(w, g, O, "weight", mx->weight, mx->k)));
		rc = close_group(w, g, O, rc);
		g = H5I_INVALID_HID;
		if (rc)
			return rc;
	}
	if (mf->frontier) {
		const struct ft_frontier *fr = mf->frontier;
		static const char O[] = "/frontier";
		(void)((rc = mkgroup(w, f, O, "frontier", &g)) ||
		       (rc = write_stack(w, g, O, fr->h, fr->k, p)) ||
		       (rc = wu64(w, g, O, "chosen", fr->chosen)) ||
		       (rc = wf64m(w, g, O, "lambda", fr->lambda, fr->k, fr->n_lambda)) ||
		       (rc = wf64v(w, g, O, "error", fr->error, fr->k)) ||
		       (rc = wf64v(w, g, O, "violation", fr->violation, fr->k)));
		rc = close_group(w, g, O, rc);
		g = H5I_INVALID_HID;
		if (rc)
			return rc;
	}
	if (mf->thresholds) {
		const struct ft_thresholds *th = mf->thresholds;
		static const char O[] = "/thresholds";
		size_t G = th->n_groups;
		double *t0 = malloc(G * sizeof *t0), *t1 = malloc(G * sizeof *t1);

		if (!t0 || !t1) {
			free(t0);
			free(t1);
			return ft_error_set(w->err, FT_ENOMEM, "out of memory");
		}
		for (size_t k = 0; k < G; k++) {
			t0[k] = stored_threshold(th->t0[k]);
			t1[k] = stored_threshold(th->t1[k]);
		}
		(void)((rc = mkgroup(w, f, O, "thresholds", &g)) ||
		       (rc = wstr(w, g, O, "rule", "P(yhat=1) = (1-q)(p [s>=t0] + "
		                  "(1-p) [s>=t1]) + q c, per group of /preprocessing "
		                  "group_names, s = /model probability")) ||
		       (rc = wu64(w, g, O, "n_groups", G)) ||
		       (rc = wf64v(w, g, O, "t0", t0, G)) ||
		       (rc = wf64v(w, g, O, "t1", t1, G)) ||
		       (rc = wf64v(w, g, O, "p", th->p, G)) ||
		       (rc = wf64v(w, g, O, "q", th->q, G)) ||
		       (rc = wf64v(w, g, O, "c", th->c, G)));
		free(t0);
		free(t1);
		rc = close_group(w, g, O, rc);
	}
	return rc;
}

static int write_ranking(struct wr *w, hid_t f, const struct ft_model_ranking *rk)
{
	static const char O[] = "/ranking";
	hid_t g = H5I_INVALID_HID;
	int rc;

	(void)((rc = mkgroup(w, f, O, "ranking", &g)) ||
	       (rc = wstr(w, g, O, "task", "rank")) ||
	       (rc = wstr(w, g, O, "format", rk->format)) ||
	       (rc = wstr(w, g, O, "query", rk->query)) ||
	       (rc = wstr(w, g, O, "relevance", rk->relevance)) ||
	       (rc = wstr(w, g, O, "protected_group", rk->protected_group)) ||
	       (rc = wi32(w, g, O, "colorblind", rk->colorblind)) ||
	       (rc = wstr(w, g, O, "rerank", rk->rerank)) ||
	       (rc = wu64(w, g, O, "sensitive_feature", rk->sensitive_feature)) ||
	       (rc = wf64(w, g, O, "protected_value", rk->protected_value)));
	rc = close_group(w, g, O, rc);
	return rc;
}

/* The string (char *) or double member at offset off of a comparison row,
 * for the columns of cmp_cols. */
static const char *row_str(const struct ft_comparison_row *r, size_t off)
{
	return *(char *const *)(const void *)((const char *)r + off);
}

static double row_f64(const struct ft_comparison_row *r, size_t off)
{
	return *(const double *)(const void *)((const char *)r + off);
}

/* /comparison as a tidy table: one 1-D dataset per column of cmp_cols, all
 * of length c->n, so that h5py and pandas read it without fairtrain.  The
 * columns are written one at a time through scratch arrays of n strings,
 * doubles or flags. */
static int write_comparison(struct wr *w, hid_t f,
                            const struct ft_comparison *c)
{
	static const char C[] = "/comparison";
	hid_t g = H5I_INVALID_HID;
	const char **sv = NULL;
	double *dv = NULL;
	int8_t *fv = NULL;
	char names[CMP_NAMES_MAX];
	size_t i, k, n = c->n;
	int rc = 0;

	sv = calloc(n ? n : 1, sizeof *sv);
	dv = calloc(n ? n : 1, sizeof *dv);
	fv = calloc(n ? n : 1, sizeof *fv);
	if (!sv || !dv || !fv) {
		rc = ft_error_set(w->err, FT_ENOMEM, "%s: out of memory",
		                  w->path);
		goto done;
	}
	cmp_names(names);
	(void)((rc = mkgroup(w, f, C, "comparison", &g)) ||
	       (rc = wstr(w, g, C, "columns", names)) ||
	       (rc = wu64(w, g, C, "n_bootstrap", c->n_bootstrap)) ||
	       (rc = wf64(w, g, C, "level", c->level)) ||
	       (rc = wf64(w, g, C, "threshold", c->threshold)) ||
	       (rc = wu64(w, g, C, "seed", c->seed)));
	for (k = 0; !rc && k < N_CMP; k++) {
		const struct cmp_col *col = &cmp_cols[k];

		for (i = 0; i < n; i++) {
			const struct ft_comparison_row *row = &c->rows[i];
			const char *s;

			switch (col->kind) {
			case CMP_STR:
				/* a NULL reason (defined) is written as "" */
				s = row_str(row, col->off);
				sv[i] = s ? s : "";
				break;
			case CMP_F64:
				dv[i] = row_f64(row, col->off);
				break;
			default:
				/* defined = no reason given */
				fv[i] = row_str(row, col->off) ? 0 : 1;
			}
		}
		if (col->kind == CMP_STR)
			rc = write_dset(w, g, C, col->name, w->str, w->str, 1, n,
			                sv);
		else if (col->kind == CMP_F64)
			rc = wf64v(w, g, C, col->name, dv, n);
		else
			rc = write_dset(w, g, C, col->name, H5T_STD_I8LE,
			                H5T_NATIVE_INT8, 1, n, fv);
	}
done:
	rc = close_group(w, g, C, rc);
	free(sv);
	free(dv);
	free(fv);
	return rc;
}

static int write_training(struct wr *w, hid_t f, const struct ft_model_file *mf)
{
	static const char T[] = "/training";
	const struct ft_solver_opts *o = &mf->solver_opts;
	const struct ft_solver_result *r = &mf->solver_result;
	hid_t g = H5I_INVALID_HID;
	int rc;

	(void)((rc = mkgroup(w, f, T, "training", &g)) ||
	       (rc = wstr(w, g, T, "method", mf->method)) ||
	       (rc = wf64(w, g, T, "C", mf->C)) ||
	       (rc = wi32(w, g, T, "fit_intercept", mf->fit_intercept)) ||
	       (rc = wstr(w, g, T, "solver", ft_solver_name(o->solver))) ||
	       (rc = wi32(w, g, T, "max_iter", o->max_iter)) ||
	       (rc = wf64(w, g, T, "tol", o->tol)) ||
	       (rc = wu64(w, g, T, "lbfgs_m", o->lbfgs_m)) ||
	       (rc = wu64(w, g, T, "dense_max_dim", o->dense_max_dim)) ||
	       (rc = wstr(w, g, T, "solver_used", ft_solver_name(r->solver))) ||
	       (rc = wi32(w, g, T, "iterations", r->iterations)) ||
	       (rc = wf64(w, g, T, "grad_norm", r->grad_norm)) ||
	       (rc = wf64(w, g, T, "objective", r->f)) ||
	       (rc = wi32(w, g, T, "converged", r->converged)) ||
	       (rc = wu64(w, g, T, "n_train", mf->n_train)) ||
	       (rc = wu64(w, g, T, "n_test", mf->n_test)) ||
	       (rc = wu64(w, g, T, "n_dropped", mf->n_dropped)) ||
	       (rc = wu64(w, g, T, "seed", mf->seed)) ||
	       (rc = wf64(w, g, T, "split", mf->split)) ||
	       (rc = wstrv(w, g, T, "param_names", mf->param_names,
	                   mf->n_params)) ||
	       (rc = wf64v(w, g, T, "param_values", mf->param_values,
	                   mf->n_params)) ||
	       (rc = wstrv(w, g, T, "diag_names", mf->diag_names, mf->n_diag)) ||
	       (rc = wf64v(w, g, T, "diag_values", mf->diag_values,
	                   mf->n_diag)));
	rc = close_group(w, g, T, rc);
	return rc;
}

/* The core driver's growth step: model files are kilobytes to a few
 * megabytes (h5image.c says why they are built in memory). */
#define CORE_INCREMENT ((size_t)1 << 16)

/* Contract: mf is borrowed and checked first (check_mf): an inconsistent
 * struct is FT_EINVAL and a NaN or Inf anywhere (baseline and comparison
 * included) is FT_ENUMERIC, both before anything touches the disk.
 * /baseline and /comparison are written only when mf has them.  NULL
 * provenance strings and method are written as "".  Returns 0 when path holds the new file; on any failure (FT_EIO,
 * FT_ENOMEM) path is as it was and no temp file remains. */
/* Every group of the file, in order (ft_h5_build_fn). */
static int build_model(hid_t f, const struct ft_h5_types *t, void *ctx)
{
	struct wr *w = ctx;
	const struct ft_model_file *mf = w->mf;
	int rc;

	w->str = t->str;
	w->scalar = t->scalar;
	(void)((rc = write_root(w, f, mf)) || (rc = write_inputs(w, f, mf)) ||
	       (rc = write_read(w, f, &mf->read)) ||
	       (rc = write_preprocessing(w, f, mf->enc)) ||
	       (rc = write_linear(w, f, "model", mf->model, mf->enc)) ||
	       (mf->baseline &&
	        (rc = write_linear(w, f, "baseline", mf->baseline, mf->enc))) ||
	       (rc = write_training(w, f, mf)) ||
	       (rc = write_extras(w, f, mf)) ||
	       (mf->ranking && (rc = write_ranking(w, f, mf->ranking))) ||
	       (mf->comparison && (rc = write_comparison(w, f, mf->comparison))));
	return rc;
}

int ft_model_save(const char *path, const struct ft_model_file *mf,
                  struct ft_error *err)
{
	struct wr w;
	char why[FT_ERROR_MAX];
	int rc;

	if (!path || !mf)
		return ft_error_set(err, FT_EINVAL, "ft_model_save: no %s",
		                    path ? "model file" : "path");
	/* refuse before touching the disk: nothing invalid, no NaN */
	rc = check_mf(mf, why, sizeof why);
	if (rc)
		return ft_error_set(err, rc, "%s: cannot save: %s", path, why);
	w.path = path;
	w.err = err;
	w.mf = mf;
	w.str = H5I_INVALID_HID;
	w.scalar = H5I_INVALID_HID;
	return ft_h5_save_image(path, CORE_INCREMENT, build_model, &w, err);
}

/* --------------------------------------------------------------- reading */

struct rd {
	const char *path;          /* the file, for messages */
	struct ft_error *err;
	int64_t version;           /* format_version, once read_root has it */
};

__attribute__((format(printf, 2, 3)))
static int corrupt(struct rd *r, const char *fmt, ...)
{
	char msg[FT_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ft_error_set(r->err, FT_EFORMAT, "%s: corrupt model file: %s",
	                    r->path, msg);
}

static int nomem(struct rd *r)
{
	return ft_error_set(r->err, FT_ENOMEM, "%s: out of memory", r->path);
}

/* Close a group that was only read. */
static void gclose(hid_t g)
{
	if (g >= 0)
		H5Gclose(g);
}

/* H5Dvlen_reclaim is deprecated from HDF5 1.12 on, in favour of H5Treclaim. */
#if H5_VERSION_GE(1, 12, 0)
#define vlen_reclaim(t, s, buf) H5Treclaim(t, s, H5P_DEFAULT, buf)
#else
#define vlen_reclaim(t, s, buf) H5Dvlen_reclaim(t, s, H5P_DEFAULT, buf)
#endif

/* Read n strings from an attribute (is_attr) or dataset obj of file type
 * ftype and dataspace space into out[0..n) (all NULL on entry) as malloc'ed
 * copies.  Both variable-length strings (what fairtrain writes) and
 * fixed-length ones (numpy bytes_ written by h5py) are understood.  Returns
 * 0, -1 on an HDF5 failure or FT_ENOMEM; on failure out[] is all NULL. */
static int get_strings(hid_t obj, int is_attr, hid_t ftype, hid_t space,
                       size_t n, char **out)
{
	hid_t mt = H5I_INVALID_HID;
	htri_t vlen = H5Tis_variable_str(ftype);
	char **vbuf = NULL, *fbuf = NULL;
	size_t i, sz = 0;
	int rc = -1;
	H5T_str_t pad;

	if (vlen < 0)
		goto done;
	if (vlen) {
		H5T_cset_t cs = H5Tget_cset(ftype);

		mt = H5Tcopy(H5T_C_S1);
		if (mt < 0 || cs < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 ||
		    H5Tset_cset(mt, cs) < 0)
			goto done;
		vbuf = calloc(n ? n : 1, sizeof *vbuf);
		if (!vbuf) {
			rc = FT_ENOMEM;
			goto done;
		}
		if ((is_attr ? H5Aread(obj, mt, vbuf) :
		     H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, vbuf)) < 0)
			goto done;
		for (i = 0; i < n; i++) {
			/* a null variable-length string reads as "" */
			out[i] = ft_strdup(vbuf[i] ? vbuf[i] : "");
			if (!out[i]) {
				rc = FT_ENOMEM;
				goto done;
			}
		}
		rc = 0;
		goto done;
	}
	/* fixed length: read the raw bytes with the file's own type */
	sz = H5Tget_size(ftype);
	pad = H5Tget_strpad(ftype);
	mt = H5Tcopy(ftype);
	if (sz == 0 || pad < 0 || mt < 0)
		goto done;
	if (n && sz > SIZE_MAX / n) {
		rc = FT_ENOMEM;
		goto done;
	}
	fbuf = malloc(n ? n * sz : 1);
	if (!fbuf) {
		rc = FT_ENOMEM;
		goto done;
	}
	if ((is_attr ? H5Aread(obj, mt, fbuf) :
	     H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, fbuf)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		const char *s = fbuf + i * sz;
		size_t len = strnlen(s, sz);
		char *c;

		if (pad == H5T_STR_SPACEPAD)
			while (len && s[len - 1] == ' ')
				len--;
		c = malloc(len + 1);
		if (!c) {
			rc = FT_ENOMEM;
			goto done;
		}
		memcpy(c, s, len);
		c[len] = '\0';
		out[i] = c;
	}
	rc = 0;
done:
	/* variable-length data is allocated by HDF5: give it back, also after
	 * a failed read (unread entries are NULL, which reclaim skips) */
	if (vbuf && mt >= 0)
		vlen_reclaim(mt, space, vbuf);
	free(vbuf);
	free(fbuf);
	if (mt >= 0)
		H5Tclose(mt);
	if (rc) {
		for (i = 0; i < n; i++) {
			free(out[i]);
			out[i] = NULL;
		}
	}
	return rc;
}

/* Scalar kinds an attribute can be read as. */
enum { K_STR, K_F64, K_I64, K_U64 };

/* Open attribute name of obj (at loc) and check that it holds exactly one
 * value of the right class.  *a is H5I_INVALID_HID and 0 is returned when
 * the attribute is absent and optional.  Whatever it returns, the caller
 * closes *a, *t and *s with attr_close. */
static int attr_open(struct rd *r, hid_t loc, const char *obj,
                     const char *name, int kind, int optional, hid_t *a,
                     hid_t *t, hid_t *s)
{
	htri_t ex = H5Aexists(loc, name);
	H5T_class_t cls;
	hssize_t np;
	int ok;

	*a = *t = *s = H5I_INVALID_HID;
	if (ex < 0)
		return corrupt(r, "cannot read attribute '%s' on %s", name, obj);
	if (!ex)
		return optional ? 0 : corrupt(r, "missing attribute '%s' on %s",
		                              name, obj);
	*a = H5Aopen(loc, name, H5P_DEFAULT);
	if (*a >= 0)
		*t = H5Aget_type(*a);
	if (*t >= 0)
		*s = H5Aget_space(*a);
	if (*s < 0)
		return corrupt(r, "cannot read attribute '%s' on %s", name, obj);
	cls = H5Tget_class(*t);
	np = H5Sget_simple_extent_npoints(*s);
	switch (kind) {
	case K_STR:
		ok = cls == H5T_STRING;
		break;
	case K_F64:
		ok = cls == H5T_FLOAT || cls == H5T_INTEGER;
		break;
	default:
		ok = cls == H5T_INTEGER;
	}
	if (!ok)
		return corrupt(r, "attribute '%s' on %s is not %s", name, obj,
		               kind == K_STR ? "a string" : kind == K_F64 ?
		               "a number" : "an integer");
	if (np != 1)
		return corrupt(r, "attribute '%s' on %s is not a single value",
		               name, obj);
	return 0;
}

static void attr_close(hid_t a, hid_t t, hid_t s)
{
	if (s >= 0)
		H5Sclose(s);
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
}

/* A string attribute as a malloc'ed copy; *out is NULL when it is absent
 * and optional. */
static int rstr(struct rd *r, hid_t loc, const char *obj, const char *name,
                int optional, char **out)
{
	hid_t a, t, s;
	int rc;

	*out = NULL;
	rc = attr_open(r, loc, obj, name, K_STR, optional, &a, &t, &s);
	if (!rc && a >= 0) {
		rc = get_strings(a, 1, t, s, 1, out);
		if (rc == FT_ENOMEM)
			rc = nomem(r);
		else if (rc)
			rc = corrupt(r, "cannot read attribute '%s' on %s", name,
			             obj);
	}
	attr_close(a, t, s);
	return rc;
}

/* A numeric attribute.  Integers are read as int64 or uint64 by the sign of
 * the stored type, so that no value is clamped by a conversion; then range
 * checked by the callers.  Floats must be finite. */
static int rnum(struct rd *r, hid_t loc, const char *obj, const char *name,
                int kind, double *f, int64_t *i, uint64_t *u)
{
	hid_t a, t, s;
	int rc, is_signed;
	int64_t iv = 0;
	uint64_t uv = 0;

	rc = attr_open(r, loc, obj, name, kind, 0, &a, &t, &s);
	if (rc)
		goto done;
	if (kind == K_F64) {
		if (H5Aread(a, H5T_NATIVE_DOUBLE, f) < 0)
			rc = corrupt(r, "cannot read attribute '%s' on %s", name,
			             obj);
		else if (!isfinite(*f))
			rc = corrupt(r, "attribute '%s' on %s is %s", name, obj,
			             nonfinite_word(*f));
		goto done;
	}
	is_signed = H5Tget_sign(t) != H5T_SGN_NONE;
	if (H5Aread(a, is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64,
	            is_signed ? (void *)&iv : (void *)&uv) < 0) {
		rc = corrupt(r, "cannot read attribute '%s' on %s", name, obj);
		goto done;
	}
	if (kind == K_I64) {
		if (!is_signed && uv > INT64_MAX)
			rc = corrupt(r, "attribute '%s' on %s is out of range",
			             name, obj);
		*i = is_signed ? iv : (int64_t)uv;
	} else {
		if (is_signed && iv < 0)
			rc = corrupt(r, "attribute '%s' on %s is negative (%" PRId64
			             ")", name, obj, iv);
		*u = is_signed ? (uint64_t)iv : uv;
	}
done:
	attr_close(a, t, s);
	return rc;
}

static int rf64(struct rd *r, hid_t loc, const char *obj, const char *name,
                double *out)
{
	return rnum(r, loc, obj, name, K_F64, out, NULL, NULL);
}

/* An integer attribute in [lo, hi]. */
static int ri64(struct rd *r, hid_t loc, const char *obj, const char *name,
                int64_t lo, int64_t hi, int64_t *out)
{
	int rc = rnum(r, loc, obj, name, K_I64, NULL, out, NULL);

	if (!rc && (*out < lo || *out > hi))
		rc = corrupt(r, "attribute '%s' on %s is %" PRId64 ", outside "
		             "[%" PRId64 ", %" PRId64 "]", name, obj, *out, lo, hi);
	return rc;
}

static int ri32(struct rd *r, hid_t loc, const char *obj, const char *name,
                int lo, int hi, int *out)
{
	int64_t v = 0;
	int rc = ri64(r, loc, obj, name, lo, hi, &v);

	*out = (int)v;
	return rc;
}

static int ru64(struct rd *r, hid_t loc, const char *obj, const char *name,
                uint64_t *out)
{
	return rnum(r, loc, obj, name, K_U64, NULL, NULL, out);
}

static int rsize(struct rd *r, hid_t loc, const char *obj, const char *name,
                 size_t *out)
{
	uint64_t v = 0;
	int rc = ru64(r, loc, obj, name, &v);

	if (!rc && v > SIZE_MAX)
		rc = corrupt(r, "attribute '%s' on %s is too large", name, obj);
	*out = (size_t)v;
	return rc;
}

/* A string attribute that must be one of names[0..n): its index. */
static int renum(struct rd *r, hid_t loc, const char *obj, const char *name,
                 const char *const *names, size_t n, int *out)
{
	char *s = NULL;
	size_t k;
	int rc = rstr(r, loc, obj, name, 0, &s);

	if (rc)
		return rc;
	for (k = 0; k < n; k++)
		if (strcmp(s, names[k]) == 0)
			break;
	if (k == n)
		rc = corrupt(r, "%s has unknown %s '%s'", obj, name, s);
	*out = (int)k;
	free(s);
	return rc;
}

/* A solver name (ft_solver_name of some id) back to the id. */
static int rsolver(struct rd *r, hid_t loc, const char *obj, const char *name,
                   int *out)
{
	char *s = NULL;
	int id, rc = rstr(r, loc, obj, name, 0, &s);

	if (rc)
		return rc;
	for (id = FT_SOLVER_AUTO; id <= SOLVER_LAST; id++) {
		const char *known = ft_solver_name(id);
		if (known && strcmp(s, known) == 0)
			break;
	}
	if (id > SOLVER_LAST)
		rc = corrupt(r, "%s has unknown %s '%s'", obj, name, s);
	*out = id;
	free(s);
	return rc;
}

/* Open group name of obj (at loc).  *g is H5I_INVALID_HID and 0 is returned
 * when it is absent and optional. */
static int open_group(struct rd *r, hid_t loc, const char *obj,
                      const char *name, int optional, hid_t *g)
{
	char full[128];
	htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);

	join(full, sizeof full, obj, name);
	*g = H5I_INVALID_HID;
	if (ex < 0)
		return corrupt(r, "cannot read %s", full);
	if (!ex)
		return optional ? 0 : corrupt(r, "missing %s", full);
	*g = H5Gopen2(loc, name, H5P_DEFAULT);
	if (*g < 0)
		return corrupt(r, "cannot open %s as a group", full);
	return 0;
}

/* Open dataset name of group obj and check its class and rank (0: scalar,
 * 1: 1-D); *n is its number of elements.  *d is H5I_INVALID_HID and 0 is
 * returned when it is absent and optional.  Whatever it returns, the caller
 * closes *d, *t and *s with dset_close. */
static int dset_open(struct rd *r, hid_t loc, const char *obj,
                     const char *name, H5T_class_t cls, int rank,
                     int optional, hid_t *d, hid_t *t, hid_t *s, size_t *n)
{
	char full[128];
	htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);
	hssize_t np;
	H5T_class_t c;
	int nd;

	join(full, sizeof full, obj, name);
	*d = *t = *s = H5I_INVALID_HID;
	*n = 0;
	if (ex < 0)
		return corrupt(r, "cannot read %s", full);
	if (!ex)
		return optional ? 0 : corrupt(r, "missing %s", full);
	*d = H5Dopen2(loc, name, H5P_DEFAULT);
	if (*d >= 0)
		*t = H5Dget_type(*d);
	if (*t >= 0)
		*s = H5Dget_space(*d);
	if (*s < 0)
		return corrupt(r, "cannot read %s", full);
	c = H5Tget_class(*t);
	nd = H5Sget_simple_extent_ndims(*s);
	np = H5Sget_simple_extent_npoints(*s);
	if (c != cls)
		return corrupt(r, "%s is not %s", full, cls == H5T_STRING ?
		               "a string dataset" : cls == H5T_INTEGER ?
		               "an integer dataset" : "a float dataset");
	if (nd != rank || np < 0 || (rank == 0 && np != 1) ||
	    H5Sget_simple_extent_type(*s) == H5S_NULL)
		return corrupt(r, "%s is not %s", full, rank == 2 ?
		               "two-dimensional" : rank ? "one-dimensional" :
		               "a scalar");
	if ((uint64_t)np > SIZE_MAX / sizeof(double))
		return corrupt(r, "%s is too large", full);
	*n = (size_t)np;
	return 0;
}

static void dset_close(hid_t d, hid_t t, hid_t s)
{
	if (s >= 0)
		H5Sclose(s);
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
}

/* A 1-D string dataset as a malloc'ed array of malloc'ed strings (an empty
 * dataset gives a non-NULL array of zero strings).  When optional and
 * absent: *out NULL and *n 0. */
static int rstrv(struct rd *r, hid_t loc, const char *obj, const char *name,
                 int optional, char ***out, size_t *n)
{
	hid_t d, t, s;
	char **v = NULL;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = dset_open(r, loc, obj, name, H5T_STRING, 1, optional, &d, &t, &s,
	               &cnt);
	if (rc || d < 0)
		goto done;
	v = calloc(cnt ? cnt : 1, sizeof *v);
	if (!v) {
		rc = nomem(r);
		goto done;
	}
	rc = get_strings(d, 0, t, s, cnt, v);
	if (rc == FT_ENOMEM) {
		rc = nomem(r);
	} else if (rc) {
		char full[128];
		join(full, sizeof full, obj, name);
		rc = corrupt(r, "cannot read %s", full);
	}
	if (rc) {
		free(v);
		goto done;
	}
	*out = v;
	*n = cnt;
done:
	dset_close(d, t, s);
	return rc;
}

/* A float64 dataset (rank 0 or 1) as malloc'ed doubles, all finite. */
static int rf64v(struct rd *r, hid_t loc, const char *obj, const char *name,
                 int rank, double **out, size_t *n)
{
	hid_t d, t, s;
	double *v = NULL;
	size_t cnt = 0, i;
	char full[128];
	int rc;

	*out = NULL;
	*n = 0;
	join(full, sizeof full, obj, name);
	rc = dset_open(r, loc, obj, name, H5T_FLOAT, rank, 0, &d, &t, &s, &cnt);
	if (rc)
		goto done;
	v = malloc((cnt ? cnt : 1) * sizeof *v);
	if (!v) {
		rc = nomem(r);
		goto done;
	}
	if (cnt && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
	                   v) < 0) {
		rc = corrupt(r, "cannot read %s", full);
		goto done;
	}
	for (i = 0; i < cnt; i++) {
		if (isfinite(v[i]))
			continue;
		if (rank)
			rc = corrupt(r, "%s[%zu] is %s", full, i,
			             nonfinite_word(v[i]));
		else
			rc = corrupt(r, "%s is %s", full, nonfinite_word(v[i]));
		goto done;
	}
	*out = v;
	*n = cnt;
	v = NULL;
done:
	free(v);
	dset_close(d, t, s);
	return rc;
}

/* Root: format, format_version, provenance.  The format checks come first
 * and have their own messages: a foreign file is not "corrupt". */
static int read_root(struct rd *r, hid_t f, struct ft_model_file *mf)
{
	char *fmt = NULL;
	hid_t a = H5I_INVALID_HID, t = H5I_INVALID_HID, s = H5I_INVALID_HID;
	int64_t ver = 0;
	int rc = 0;
	htri_t ex = H5Aexists(f, "format");

	if (ex < 0) {
		rc = corrupt(r, "cannot read attribute 'format' on /");
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
		rc = get_strings(a, 1, t, s, 1, &fmt);
	if (rc == FT_ENOMEM) {
		rc = nomem(r);
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
	if ((rc = ri64(r, f, "/", "format_version", INT64_MIN, INT64_MAX,
	               &ver)))
		goto done;
	if (ver > FT_FORMAT_VERSION) {
		rc = ft_error_set(r->err, FT_EFORMAT, "%s: format_version %"
		                  PRId64 " is newer than this fairtrain supports "
		                  "(%d)", r->path, ver, FT_FORMAT_VERSION);
		goto done;
	}
	if (ver < 1) {
		rc = corrupt(r, "format_version %" PRId64 " is not valid", ver);
		goto done;
	}
	r->version = ver;
	(void)((rc = rstr(r, f, "/", "fairtrain_version", 0,
	                  &mf->fairtrain_version)) ||
	       (rc = rstr(r, f, "/", "created_utc", 0, &mf->created_utc)) ||
	       (rc = rstr(r, f, "/", "command_line", 0, &mf->command_line)));
done:
	attr_close(a, t, s);
	free(fmt);
	return rc;
}

static int read_inputs(struct rd *r, hid_t f, struct ft_model_file *mf)
{
	hid_t g = H5I_INVALID_HID;
	size_t np = 0, ns = 0;
	int rc;

	(void)((rc = open_group(r, f, "/", "inputs", 0, &g)) ||
	       (rc = rstrv(r, g, "/inputs", "path", 0, &mf->input_paths, &np)));
	/* the count is set as soon as an array exists, for ft_model_file_free */
	mf->n_inputs = np;
	if (!rc)
		rc = rstrv(r, g, "/inputs", "sha256", 0, &mf->input_sha256, &ns);
	if (!rc && ns != np) {
		/* sha256 holds ns strings, not n_inputs: free it here */
		ft_strv_free(mf->input_sha256, ns);
		mf->input_sha256 = NULL;
		rc = corrupt(r, "/inputs/sha256 has %zu entries, /inputs/path %zu",
		             ns, np);
	}
	gclose(g);
	return rc;
}

static int read_read(struct rd *r, hid_t f, struct ft_read_opts *o)
{
	hid_t g = H5I_INVALID_HID;
	char *delim = NULL;
	int rc;
	uint64_t skip = 0;

	rc = open_group(r, f, "/", "read", 0, &g);
	if (rc)
		goto done;
	if ((rc = rstr(r, g, "/read", "delimiter", 0, &delim)))
		goto done;
	if (strlen(delim) > 1 || (unsigned char)delim[0] >= 0x80) {
		rc = corrupt(r, "attribute 'delimiter' on /read is '%.20s', not "
		             "one ASCII character", delim);
		goto done;
	}
	o->delimiter = delim[0];
	(void)((rc = ri32(r, g, "/read", "whitespace", 0, 1, &o->whitespace)) ||
	       (rc = ri32(r, g, "/read", "header", 0, 1, &o->header)) ||
	       (rc = ru64(r, g, "/read", "skip_rows", &skip)));
	if (rc)
		goto done;
	if (skip > SIZE_MAX) {
		rc = corrupt(r, "attribute 'skip_rows' on /read is too large");
		goto done;
	}
	o->skip_rows = (size_t)skip;
	if ((rc = rstrv(r, g, "/read", "names", 0, &o->names, &o->n_names)))
		goto done;
	if (o->n_names == 0) {  /* no names: NULL, as ft_read_opts_init has it */
		free(o->names);
		o->names = NULL;
	}
	/* absent: the default missing tokens (NULL); present, even empty: exactly
	 * these tokens */
	rc = rstrv(r, g, "/read", "missing", 1, &o->missing, &o->n_missing);
done:
	free(delim);
	gclose(g);
	return rc;
}

static int read_column(struct rd *r, hid_t cols, size_t n_cols, size_t i,
                       struct ft_column *c)
{
	hid_t g = H5I_INVALID_HID;
	char name[32], obj[64];
	int64_t ic = 0;
	int rc;

	col_name(name, n_cols, i);
	snprintf(obj, sizeof obj, "/preprocessing/columns/%s", name);
	c->impute_cat = -1;
	(void)((rc = open_group(r, cols, "/preprocessing/columns", name, 0,
	                        &g)) ||
	       (rc = rstr(r, g, obj, "name", 0, &c->name)) ||
	       (rc = renum(r, g, obj, "role", role_names, N_ROLES, &c->role)) ||
	       (rc = renum(r, g, obj, "type", type_names, N_TYPES, &c->type)) ||
	       (rc = rf64(r, g, obj, "mean", &c->mean)) ||
	       (rc = rf64(r, g, obj, "sd", &c->sd)) ||
	       (rc = rsize(r, g, obj, "offset", &c->offset)) ||
	       (rc = ri64(r, g, obj, "impute_cat", -1, LONG_MAX, &ic)));
	if (rc)
		goto done;
	c->impute_cat = (long)ic;
	if (c->type == FT_CATEGORICAL) {
		rc = rstrv(r, g, obj, "categories", 0, &c->cats, &c->n_cats);
	} else {
		htri_t ex = H5Lexists(g, "categories", H5P_DEFAULT);
		if (ex < 0)
			rc = corrupt(r, "cannot read %s", obj);
		else if (ex > 0)
			rc = corrupt(r, "numeric column %s has categories", obj);
	}
done:
	gclose(g);
	return rc;
}

static int read_columns(struct rd *r, hid_t pre, struct ft_encoder *e)
{
	hid_t g = H5I_INVALID_HID;
	H5G_info_t info;
	size_t i, n;
	int rc;

	rc = open_group(r, pre, "/preprocessing", "columns", 0, &g);
	if (rc)
		goto done;
	if (H5Gget_info(g, &info) < 0) {
		rc = corrupt(r, "cannot read /preprocessing/columns");
		goto done;
	}
	if (info.nlinks > SIZE_MAX / sizeof *e->cols) {
		rc = corrupt(r, "/preprocessing/columns is too large");
		goto done;
	}
	n = (size_t)info.nlinks;
	e->cols = calloc(n ? n : 1, sizeof *e->cols);
	if (!e->cols) {
		rc = nomem(r);
		goto done;
	}
	e->n_cols = n;
	for (i = 0; i < n; i++)
		e->cols[i].impute_cat = -1;
	for (i = 0; !rc && i < n; i++)
		rc = read_column(r, g, n, i, &e->cols[i]);
done:
	gclose(g);
	return rc;
}

static int read_preprocessing(struct rd *r, hid_t f, struct ft_encoder *e)
{
	static const char P[] = "/preprocessing";
	hid_t g = H5I_INVALID_HID;
	size_t nf = 0, n_names = 0;
	char **names = NULL;
	int rc;

	rc = open_group(r, f, "/", "preprocessing", 0, &g);
	if (rc)
		goto done;
	(void)((rc = rstr(r, g, P, "target", 1, &e->target)) ||
	       (rc = rstr(r, g, P, "positive", 1, &e->positive)) ||
	       (rc = rstr(r, g, P, "label_strip", 1, &e->label_strip)) ||
	       (rc = rstr(r, g, P, "privileged", 1, &e->privileged)) ||
	       (rc = rstr(r, g, P, "weight", 1, &e->weight)) ||
	       (rc = renum(r, g, P, "missing_policy", policy_names, N_POLICIES,
	                   &e->missing_policy)) ||
	       (rc = ri32(r, g, P, "use_sensitive", 0, 1, &e->use_sensitive)) ||
	       (rc = rsize(r, g, P, "n_num", &e->n_num)) ||
	       (rc = rsize(r, g, P, "n_cat", &e->n_cat)) ||
	       (rc = rsize(r, g, P, "n_features", &nf)) ||
	       (rc = rstrv(r, g, P, "sensitive", 0, &e->sensitive,
	                   &e->n_sensitive)) ||
	       (rc = rstrv(r, g, P, "group_names", 0, &e->group_names,
	                   &e->n_groups)) ||
	       (rc = rstrv(r, g, P, "feature_names", 0, &names, &n_names)));
	if (rc)
		goto done;
	if (n_names != nf) {
		rc = corrupt(r, "/preprocessing/feature_names has %zu names, "
		             "expected %zu (n_features)", n_names, nf);
		ft_strv_free(names, n_names);
		goto done;
	}
	e->feature_names = names;
	e->n_features = nf;
	rc = read_columns(r, g, e);
done:
	gclose(g);
	return rc;
}

/* A 2-D float64 dataset of rows x cols as malloc'ed doubles, all finite. */
static int rf64m(struct rd *r, hid_t loc, const char *obj, const char *name,
                 double **out, size_t *rows, size_t *cols)
{
	hid_t d, t, s;
	hsize_t dims[2] = { 0, 0 };
	double *v = NULL;
	size_t cnt = 0, i;
	char full[128];
	int rc;

	*out = NULL;
	*rows = *cols = 0;
	join(full, sizeof full, obj, name);
	rc = dset_open(r, loc, obj, name, H5T_FLOAT, 2, 0, &d, &t, &s, &cnt);
	if (rc)
		goto done;
	if (H5Sget_simple_extent_dims(s, dims, NULL) != 2) {
		rc = corrupt(r, "cannot read %s", full);
		goto done;
	}
	v = malloc((cnt ? cnt : 1) * sizeof *v);
	if (!v) {
		rc = nomem(r);
		goto done;
	}
	if (cnt && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
	                   v) < 0) {
		rc = corrupt(r, "cannot read %s", full);
		goto done;
	}
	for (i = 0; i < cnt; i++)
		if (!isfinite(v[i])) {
			rc = corrupt(r, "%s[%zu, %zu] is %s", full,
			             i / (size_t)dims[1], i % (size_t)dims[1],
			             nonfinite_word(v[i]));
			goto done;
		}
	*out = v;
	*rows = (size_t)dims[0];
	*cols = (size_t)dims[1];
	v = NULL;
done:
	free(v);
	dset_close(d, t, s);
	return rc;
}

/* The per-group part of a model of type logistic_regression_per_group:
 * attribute n_groups (> 0, the /preprocessing group count), group_coef
 * (n_groups x n_features) and group_intercept (n_groups). */
static int read_groups(struct rd *r, hid_t g, const char *obj,
                       const struct ft_encoder *e, struct ft_linear_model *m)
{
	size_t ng = 0, rows = 0, cols = 0, ni = 0;
	int rc;

	(void)((rc = rsize(r, g, obj, "n_groups", &ng)) ||
	       (rc = rf64m(r, g, obj, "group_coef", &m->group_coef, &rows,
	                   &cols)) ||
	       (rc = rf64v(r, g, obj, "group_intercept", 1, &m->group_intercept,
	                   &ni)));
	if (rc)
		return rc;
	if (ng == 0 || ng != e->n_groups)
		return corrupt(r, "attribute 'n_groups' on %s is %zu, /preprocessing "
		               "has %zu groups", obj, ng, e->n_groups);
	if (rows != ng || cols != m->p)
		return corrupt(r, "%s/group_coef is %zu x %zu, expected %zu x %zu "
		               "(n_groups x n_features)", obj, rows, cols, ng, m->p);
	if (ni != ng)
		return corrupt(r, "%s/group_intercept has %zu values, expected %zu "
		               "(n_groups)", obj, ni, ng);
	m->n_groups = ng;
	return 0;
}

/* The linear model in group name of the root ("model" or "baseline") into
 * *out; *out is NULL when the group is absent and optional.  Its sizes
 * must be the encoder's n_features and its feature names the encoder's. */
static int read_linear(struct rd *r, hid_t f, const char *name, int optional,
                       const struct ft_encoder *e,
                       struct ft_linear_model **out)
{
	hid_t g = H5I_INVALID_HID;
	struct ft_linear_model *m = NULL;
	char obj[32], *type = NULL, **names = NULL;
	double *b = NULL;
	size_t nf = 0, n_names = 0, nb = 0, k;
	int rc;

	*out = NULL;
	join(obj, sizeof obj, "/", name);
	rc = open_group(r, f, "/", name, optional, &g);
	if (rc || g < 0)
		goto done;
	m = calloc(1, sizeof *m);
	if (!m) {
		rc = nomem(r);
		goto done;
	}
	m->type = FT_MODEL_LOGREG;
	if ((rc = rstr(r, g, obj, "type", 0, &type)))
		goto done;
	if (strcmp(type, RANKER_NAME) == 0)
		m->type = FT_MODEL_RANKER;
	else if (strcmp(type, LOGREG_NAME) != 0 && strcmp(type, PER_GROUP_NAME) != 0) {
		rc = corrupt(r, "%s has unknown type '%.60s'", obj, type);
		goto done;
	}
	(void)((rc = rsize(r, g, obj, "n_features", &nf)) ||
	       (rc = rf64v(r, g, obj, "coef", 1, &m->coef, &m->p)) ||
	       (rc = rf64v(r, g, obj, "intercept", 0, &b, &nb)) ||
	       (rc = rstrv(r, g, obj, "feature_names", 0, &names, &n_names)));
	if (rc)
		goto done;
	m->intercept = b[0];
	if (nf != e->n_features) {
		rc = corrupt(r, "attribute 'n_features' on %s is %zu, "
		             "/preprocessing has %zu", obj, nf, e->n_features);
		goto done;
	}
	if (m->p != nf) {
		rc = corrupt(r, "%s/coef has %zu values, expected %zu "
		             "(n_features)", obj, m->p, nf);
		goto done;
	}
	if (n_names != nf) {
		rc = corrupt(r, "%s/feature_names has %zu names, expected %zu "
		             "(n_features)", obj, n_names, nf);
		goto done;
	}
	for (k = 0; k < nf; k++)
		if (strcmp(names[k], e->feature_names[k]) != 0) {
			rc = corrupt(r, "%s/feature_names[%zu] is '%.60s', "
			             "/preprocessing has '%.60s'", obj, k, names[k],
			             e->feature_names[k]);
			goto done;
		}
	if (strcmp(type, PER_GROUP_NAME) == 0 &&
	    (rc = read_groups(r, g, obj, e, m)))
		goto done;
	*out = m;
	m = NULL;
done:
	ft_linear_model_free(m);
	ft_strv_free(names, n_names);
	free(type);
	free(b);
	gclose(g);
	return rc;
}

/* coef (k x p) and intercept (k) of group obj into k new shared-weight
 * models; p is the encoder's n_features. */
static int read_stack(struct rd *r, hid_t g, const char *obj, size_t p,
                      struct ft_linear_model ***out, size_t *k_out)
{
	struct ft_linear_model **h = NULL;
	double *coef = NULL, *b = NULL;
	size_t k = 0, rows = 0, cols = 0, nb = 0;
	int rc;

	*out = NULL;
	*k_out = 0;
	(void)((rc = rsize(r, g, obj, "n_predictors", &k)) ||
	       (rc = rf64m(r, g, obj, "coef", &coef, &rows, &cols)) ||
	       (rc = rf64v(r, g, obj, "intercept", 1, &b, &nb)));
	if (rc)
		goto done;
	if (k == 0 || rows != k || cols != p || nb != k) {
		rc = corrupt(r, "%s has %zu predictors but coef is %zu x %zu and "
		             "intercept has %zu values (expected %zu x %zu, %zu)", obj,
		             k, rows, cols, nb, k, p, k);
		goto done;
	}
	h = calloc(k, sizeof *h);
	if (!h) {
		rc = nomem(r);
		goto done;
	}
	for (size_t i = 0; i < k; i++) {
		h[i] = calloc(1, sizeof *h[i]);
		if (!h[i] || !(h[i]->coef = malloc((p ? p : 1) * sizeof(double)))) {
			rc = nomem(r);
			goto done;
		}
		h[i]->type = FT_MODEL_LOGREG;
		h[i]->p = p;
		memcpy(h[i]->coef, coef + i * p, p * sizeof(double));
		h[i]->intercept = b[i];
	}
	*out = h;
	*k_out = k;
	h = NULL;
done:
	for (size_t i = 0; h && i < k; i++)
		ft_linear_model_free(h[i]);
	free(h);
	free(coef);
	free(b);
	return rc;
}

static int read_extras(struct rd *r, hid_t f, struct ft_model_file *mf)
{
	hid_t g = H5I_INVALID_HID;
	size_t p = mf->enc->n_features, n;
	int rc;

	if ((rc = open_group(r, f, "/", "mixture", 1, &g)))
		return rc;
	if (g >= 0) {
		struct ft_mixture *mx = calloc(1, sizeof *mx);
		if (!mx)
			rc = nomem(r);
		else
			mf->mixture = mx;
		if (!rc && !(rc = read_stack(r, g, "/mixture", p, &mx->h, &mx->k)) &&
		    !(rc = rf64v(r, g, "/mixture", "weight", 1, &mx->weight, &n)) &&
		    n != mx->k)
			rc = corrupt(r, "/mixture/weight has %zu values, expected %zu",
			             n, mx->k);
		gclose(g);
		g = H5I_INVALID_HID;
		if (rc)
			return rc;
	}
	if ((rc = open_group(r, f, "/", "frontier", 1, &g)))
		return rc;
	if (g >= 0) {
		struct ft_frontier *fr = calloc(1, sizeof *fr);
		size_t rows = 0, ne = 0, nv = 0;
		if (!fr)
			rc = nomem(r);
		else
			mf->frontier = fr;
		(void)(rc || (rc = read_stack(r, g, "/frontier", p, &fr->h, &fr->k)) ||
		       (rc = rsize(r, g, "/frontier", "chosen", &fr->chosen)) ||
		       (rc = rf64m(r, g, "/frontier", "lambda", &fr->lambda, &rows,
		                   &fr->n_lambda)) ||
		       (rc = rf64v(r, g, "/frontier", "error", 1, &fr->error, &ne)) ||
		       (rc = rf64v(r, g, "/frontier", "violation", 1, &fr->violation,
		                   &nv)));
		if (!rc && (rows != fr->k || ne != fr->k || nv != fr->k))
			rc = corrupt(r, "/frontier has %zu predictors but lambda has %zu "
			             "rows, error %zu and violation %zu values", fr->k, rows,
			             ne, nv);
		gclose(g);
		g = H5I_INVALID_HID;
		if (rc)
			return rc;
	}
	if ((rc = open_group(r, f, "/", "thresholds", 1, &g)))
		return rc;
	if (g >= 0) {
		struct ft_thresholds *th = calloc(1, sizeof *th);
		size_t G = 0, c[5] = {0};
		if (!th)
			rc = nomem(r);
		else
			mf->thresholds = th;
		(void)(rc || (rc = rsize(r, g, "/thresholds", "n_groups", &G)) ||
		       (rc = rf64v(r, g, "/thresholds", "t0", 1, &th->t0, &c[0])) ||
		       (rc = rf64v(r, g, "/thresholds", "t1", 1, &th->t1, &c[1])) ||
		       (rc = rf64v(r, g, "/thresholds", "p", 1, &th->p, &c[2])) ||
		       (rc = rf64v(r, g, "/thresholds", "q", 1, &th->q, &c[3])) ||
		       (rc = rf64v(r, g, "/thresholds", "c", 1, &th->c, &c[4])));
		if (!rc) {
			th->n_groups = G;
			for (int j = 0; j < 5 && !rc; j++)
				if (c[j] != G)
					rc = corrupt(r, "/thresholds has n_groups %zu but a "
					             "dataset of %zu values", G, c[j]);
		}
		gclose(g);
	}
	return rc;
}

/* /ranking (optional): its attributes into mf->ranking. */
static int read_ranking(struct rd *r, hid_t f, struct ft_model_file *mf)
{
	static const char O[] = "/ranking";
	hid_t g = H5I_INVALID_HID;
	struct ft_model_ranking *rk;
	char *task = NULL;
	int rc;

	if ((rc = open_group(r, f, "/", "ranking", 1, &g)) || g < 0)
		return rc;
	/* a version 1 reader would use /model as a classifier: a writer puts
	 * /ranking only in version 2 files */
	if (r->version < 2) {
		gclose(g);
		return corrupt(r, "/ranking in a format_version %" PRId64 " file "
		               "(rankers need version 2)", r->version);
	}
	rk = calloc(1, sizeof *rk);
	if (!rk) {
		gclose(g);
		return nomem(r);
	}
	mf->ranking = rk;
	(void)((rc = rstr(r, g, O, "task", 0, &task)) ||
	       (rc = rstr(r, g, O, "format", 0, &rk->format)) ||
	       (rc = rstr(r, g, O, "query", 0, &rk->query)) ||
	       (rc = rstr(r, g, O, "relevance", 0, &rk->relevance)) ||
	       (rc = rstr(r, g, O, "protected_group", 0, &rk->protected_group)) ||
	       (rc = ri32(r, g, O, "colorblind", 0, 1, &rk->colorblind)) ||
	       (rc = rstr(r, g, O, "rerank", 0, &rk->rerank)) ||
	       (rc = ru64(r, g, O, "sensitive_feature", &rk->sensitive_feature)) ||
	       (rc = rf64(r, g, O, "protected_value", &rk->protected_value)));
	if (!rc && strcmp(task, "rank") != 0)
		rc = corrupt(r, "/ranking has unknown task '%.60s'", task);
	free(task);
	gclose(g);
	return rc;
}

/* A 1-D integer dataset of 0/1 flags (int8 as written; any integer type is
 * read as int64, so no value is clamped into range by a conversion). */
static int rflagv(struct rd *r, hid_t loc, const char *obj, const char *name,
                  int64_t **out, size_t *n)
{
	hid_t d, t, s;
	int64_t *v = NULL;
	size_t cnt = 0, i;
	char full[128];
	int rc;

	*out = NULL;
	*n = 0;
	join(full, sizeof full, obj, name);
	rc = dset_open(r, loc, obj, name, H5T_INTEGER, 1, 0, &d, &t, &s, &cnt);
	if (rc)
		goto done;
	v = malloc((cnt ? cnt : 1) * sizeof *v);
	if (!v) {
		rc = nomem(r);
		goto done;
	}
	if (cnt && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
	                   v) < 0) {
		rc = corrupt(r, "cannot read %s", full);
		goto done;
	}
	for (i = 0; i < cnt; i++)
		if (v[i] != 0 && v[i] != 1) {
			rc = corrupt(r, "%s[%zu] is %" PRId64 ", not 0 or 1", full,
			             i, v[i]);
			goto done;
		}
	*out = v;
	*n = cnt;
	v = NULL;
done:
	free(v);
	dset_close(d, t, s);
	return rc;
}

/* One column of /comparison as read: strings, doubles or flags. */
struct cmp_data {
	char **s;
	double *d;
	int64_t *f;
	size_t n;
};

/* Row i of the columns cd appended to c.  The rows are built with
 * ft_comparison_add, so the table is exactly what the API makes and
 * ft_comparison_free frees it.  add stores 0 for an undefined value and
 * drops the reason of a defined one, so what it would hide is checked
 * here first: the file must hold those 0s and empty reasons itself. */
static int cmp_row(struct rd *r, struct ft_comparison *c,
                   const struct cmp_data *cd, size_t i)
{
	int def = cd[CMP_DEFINED].f[i] == 1;
	int ci_def = cd[CMP_CI_DEFINED].f[i] == 1;
	const char *why = cd[CMP_WHY].s[i], *ci_why = cd[CMP_CI_WHY].s[i];
	struct ft_value v, lo, hi;

	v.value = cd[CMP_VALUE].d[i];
	lo.value = cd[CMP_LO].d[i];
	hi.value = cd[CMP_HI].d[i];
	if (def && *why)
		return corrupt(r, "/comparison/why[%zu] is '%.60s' but defined "
		               "is 1", i, why);
	if (!def && v.value != 0)
		return corrupt(r, "/comparison/value[%zu] is %g but defined is 0",
		               i, v.value);
	if (ci_def && *ci_why)
		return corrupt(r, "/comparison/ci_why[%zu] is '%.60s' but "
		               "ci_defined is 1", i, ci_why);
	if (!ci_def && (lo.value != 0 || hi.value != 0))
		return corrupt(r, "/comparison/lo[%zu] and hi[%zu] are %g and %g "
		               "but ci_defined is 0", i, i, lo.value, hi.value);
	v.why = def ? NULL : why;
	lo.why = hi.why = ci_def ? NULL : ci_why;
	if (ft_comparison_add(c, cd[CMP_METRIC].s[i], cd[CMP_MODEL].s[i],
	                      cd[CMP_SPLIT].s[i], cd[CMP_GROUP].s[i],
	                      cd[CMP_CONVENTION].s[i], v, lo, hi))
		return nomem(r);
	return 0;
}

/* /comparison into *out (NULL when the group is absent).  Every column of
 * cmp_cols must be there, 1-D, of its type and of the length of metric;
 * flags are 0 or 1, numbers finite.  Other members and the columns
 * attribute are ignored, as a version 1 reader ignores what it does not
 * know. */
static int read_comparison(struct rd *r, hid_t f, struct ft_comparison **out)
{
	static const char C[] = "/comparison";
	struct cmp_data cd[N_CMP];
	struct ft_comparison *c = NULL;
	hid_t g = H5I_INVALID_HID;
	size_t i, k;
	int rc;

	*out = NULL;
	memset(cd, 0, sizeof cd);
	rc = open_group(r, f, "/", "comparison", 1, &g);
	if (rc || g < 0)
		goto done;
	c = calloc(1, sizeof *c);
	if (!c) {
		rc = nomem(r);
		goto done;
	}
	(void)((rc = rsize(r, g, C, "n_bootstrap", &c->n_bootstrap)) ||
	       (rc = rf64(r, g, C, "level", &c->level)) ||
	       (rc = rf64(r, g, C, "threshold", &c->threshold)) ||
	       (rc = ru64(r, g, C, "seed", &c->seed)));
	for (k = 0; !rc && k < N_CMP; k++) {
		const char *name = cmp_cols[k].name;

		if (cmp_cols[k].kind == CMP_STR)
			rc = rstrv(r, g, C, name, 0, &cd[k].s, &cd[k].n);
		else if (cmp_cols[k].kind == CMP_F64)
			rc = rf64v(r, g, C, name, 1, &cd[k].d, &cd[k].n);
		else
			rc = rflagv(r, g, C, name, &cd[k].f, &cd[k].n);
		if (!rc && cd[k].n != cd[0].n)
			rc = corrupt(r, "/comparison/%s has %zu entries, "
			             "/comparison/%s %zu", name, cd[k].n,
			             cmp_cols[0].name, cd[0].n);
	}
	for (i = 0; !rc && i < cd[0].n; i++)
		rc = cmp_row(r, c, cd, i);
	if (rc)
		goto done;
	*out = c;
	c = NULL;
done:
	for (k = 0; k < N_CMP; k++) {
		ft_strv_free(cd[k].s, cd[k].n);
		free(cd[k].d);
		free(cd[k].f);
	}
	ft_comparison_free(c);
	gclose(g);
	return rc;
}

/* A names / values pair of /training (the method's parameters or its
 * diagnostics): both absent (files written before they existed) gives n =
 * 0 and NULL arrays, as does a pair of empty datasets; otherwise both must
 * be 1-D of the same length, the values finite. */
static int read_pair(struct rd *r, hid_t g, const char *names_name,
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
		return corrupt(r, "cannot read /training");
	if (!a && !b)
		return 0;
	(void)((rc = rstrv(r, g, T, names_name, 0, &nv, &nn)) ||
	       (rc = rf64v(r, g, T, values_name, 1, &vv, &nvals)));
	if (!rc && nn != nvals)
		rc = corrupt(r, "/training/%s has %zu entries, /training/%s %zu",
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

static int read_training(struct rd *r, hid_t f, struct ft_model_file *mf)
{
	static const char T[] = "/training";
	struct ft_solver_opts *o = &mf->solver_opts;
	struct ft_solver_result *res = &mf->solver_result;
	hid_t g = H5I_INVALID_HID;
	int rc;

	(void)((rc = open_group(r, f, "/", "training", 0, &g)) ||
	       (rc = rstr(r, g, T, "method", 0, &mf->method)) ||
	       (rc = rf64(r, g, T, "C", &mf->C)) ||
	       (rc = ri32(r, g, T, "fit_intercept", 0, 1, &mf->fit_intercept)) ||
	       (rc = rsolver(r, g, T, "solver", &o->solver)) ||
	       (rc = ri32(r, g, T, "max_iter", INT_MIN, INT_MAX, &o->max_iter)) ||
	       (rc = rf64(r, g, T, "tol", &o->tol)) ||
	       (rc = rsize(r, g, T, "lbfgs_m", &o->lbfgs_m)) ||
	       (rc = rsize(r, g, T, "dense_max_dim", &o->dense_max_dim)) ||
	       (rc = rsolver(r, g, T, "solver_used", &res->solver)) ||
	       (rc = ri32(r, g, T, "iterations", INT_MIN, INT_MAX,
	                  &res->iterations)) ||
	       (rc = rf64(r, g, T, "grad_norm", &res->grad_norm)) ||
	       (rc = rf64(r, g, T, "objective", &res->f)) ||
	       (rc = ri32(r, g, T, "converged", 0, 1, &res->converged)) ||
	       (rc = rsize(r, g, T, "n_train", &mf->n_train)) ||
	       (rc = rsize(r, g, T, "n_test", &mf->n_test)) ||
	       (rc = rsize(r, g, T, "n_dropped", &mf->n_dropped)) ||
	       (rc = ru64(r, g, T, "seed", &mf->seed)) ||
	       (rc = rf64(r, g, T, "split", &mf->split)) ||
	       (rc = read_pair(r, g, "param_names", "param_values",
	                       &mf->param_names, &mf->param_values,
	                       &mf->n_params)) ||
	       (rc = read_pair(r, g, "diag_names", "diag_values",
	                       &mf->diag_names, &mf->diag_values, &mf->n_diag)));
	gclose(g);
	return rc;
}

/* H5Ewalk2 callback: keep the innermost (first, walking upward) error
 * description, which says what was wrong with the file. */
static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data)
{
	char *buf = data;

	if (n == 0 && e->desc)
		snprintf(buf, 160, "%s", e->desc);
	return 0;
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
	struct rd r;
	struct ft_model_file *mf = NULL;
	struct stat st;
	char why[FT_ERROR_MAX], detail[160] = "";
	hid_t f = H5I_INVALID_HID;
	htri_t is_h5;
	int fd, rc;

	r.path = path;
	r.err = err;
	r.version = 0;
	if (!out)
		return ft_error_set(err, FT_EINVAL, "ft_model_load: no output");
	*out = NULL;
	if (!path)
		return ft_error_set(err, FT_EINVAL, "ft_model_load: no path");
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

	/* our own open first, for an errno message HDF5 does not give */
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return ft_error_set(err, FT_EIO, "%s: cannot open: %s", path,
		                    strerror(errno));
	rc = fstat(fd, &st);
	close(fd);
	if (rc == 0 && S_ISDIR(st.st_mode))
		return ft_error_set(err, FT_EIO, "%s: cannot open: %s", path,
		                    strerror(EISDIR));
	is_h5 = H5Fis_hdf5(path);
	if (is_h5 <= 0)
		return ft_error_set(err, FT_EFORMAT, "%s: not an HDF5 file", path);
	f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0) {
		unsigned long long have, want;
		const char *eof;

		H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, detail);
		/* HDF5 says "truncated file: eof = 10000, sblock->base_addr = 0,
		 * stored_eof = 29344": say it without the internals */
		eof = strstr(detail, "stored_eof = ");
		if (sscanf(detail, "truncated file: eof = %llu", &have) == 1 &&
		    eof && sscanf(eof, "stored_eof = %llu", &want) == 1)
			rc = corrupt(&r, "truncated (%llu of %llu bytes)", have,
			             want);
		else
			rc = corrupt(&r, "cannot open%s%s", *detail ? ": " : "",
			             detail);
		goto done;
	}
	mf = calloc(1, sizeof *mf);
	if (!mf) {
		rc = nomem(&r);
		goto done;
	}
	mf->enc = calloc(1, sizeof *mf->enc);
	if (!mf->enc) {
		rc = nomem(&r);
		goto done;
	}
	if ((rc = read_root(&r, f, mf)) || (rc = read_inputs(&r, f, mf)) ||
	    (rc = read_read(&r, f, &mf->read)) ||
	    (rc = read_preprocessing(&r, f, mf->enc)) ||
	    (rc = read_linear(&r, f, "model", 0, mf->enc, &mf->model)) ||
	    (rc = read_linear(&r, f, "baseline", 1, mf->enc, &mf->baseline)) ||
	    (rc = read_training(&r, f, mf)) ||
	    (rc = read_extras(&r, f, mf)) ||
	    (rc = read_ranking(&r, f, mf)) ||
	    (rc = read_comparison(&r, f, &mf->comparison)))
		goto done;
	/* cross-field consistency, the same rules save enforces */
	if (check_mf(mf, why, sizeof why)) {
		rc = corrupt(&r, "%s", why);
		goto done;
	}
done:
	if (f >= 0 && H5Fclose(f) < 0 && !rc)
		rc = corrupt(&r, "cannot close");
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
	ft_linear_model_free(mf->model);
	ft_linear_model_free(mf->baseline);
	ft_mixture_free(mf->mixture);
	ft_thresholds_free(mf->thresholds);
	ft_frontier_free(mf->frontier);
	ft_comparison_free(mf->comparison);
	if (mf->ranking) {
		free(mf->ranking->format);
		free(mf->ranking->query);
		free(mf->ranking->relevance);
		free(mf->ranking->protected_group);
		free(mf->ranking->rerank);
		free(mf->ranking);
	}
	free(mf->method);
	ft_strv_free(mf->param_names, mf->n_params);
	free(mf->param_values);
	ft_strv_free(mf->diag_names, mf->n_diag);
	free(mf->diag_values);
	free(mf);
}
