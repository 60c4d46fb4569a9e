/*
 * predictor_io.c - one layout on disk for the one fitted-predictor type
 * (struct ft_predictor) and for the before/after comparison table, written
 * and read the same way in model files (model_file.c) and in comparison
 * results (results_file.c).  README, "Predictors" and "/comparison", has
 * every path and type.
 *
 * A predictor is a group: attribute kind ("linear", "mixture",
 * "thresholds", "frontier", "ranker") and the linear model's type
 * ("logistic_regression", "logistic_regression_per_group",
 * "linear_ranker"), n_features, datasets coef, intercept, feature_names
 * (and n_groups, group_coef, group_intercept for one weight vector per
 * group); a ranker has the attribute rerank; the other kinds one subgroup:
 * mixture (n_predictors, coef k x p, intercept k, weight k), thresholds
 * (n_groups, t0, t1, p, q, c, with +inf stored as 2 and -inf as -1 since
 * scores lie in [0, 1]; read back as +-inf, so that a predictor round-trips
 * bit for bit) or frontier (n_predictors, coef, intercept, chosen,
 * lambda k x m, error, violation).  No NaN or Inf is ever written: the
 * callers check the predictor first (ft_predictor_check).
 *
 * The comparison is a group of 1-D column datasets of one length (pandas
 * reads it as a data frame), an undefined value written as 0 with defined
 * = 0 and its reason in why, a missing interval as 0, 0 with ci_defined =
 * 0 and the reason in ci_why.
 *
 * Format version 2 kept /mixture, /frontier and /thresholds at the root
 * beside /model; ft_h5r_legacy_parts reads them.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "io/io.h"

#define LOGREG_NAME "logistic_regression"
#define PER_GROUP_NAME "logistic_regression_per_group"
#define RANKER_NAME "linear_ranker"

/* ------------------------------------------------------------- writing */

/* k shared-weight models as n_predictors, coef (k x p) and intercept (k). */
static void write_stack(struct ft_h5w *w, hid_t g, struct ft_linear_model *const *h,
                        size_t k, size_t p)
{
	double *coef = malloc((k && p ? k * p : 1) * sizeof *coef);
	double *b = malloc((k ? k : 1) * sizeof *b);

	if (!coef || !b) {
		ft_h5w_nomem(w);
	} else {
		for (size_t i = 0; i < k; i++) {
			memcpy(coef + i * p, h[i]->coef, p * sizeof *coef);
			b[i] = h[i]->intercept;
		}
		ft_h5w_attr_u64(w, g, "n_predictors", k);
		ft_h5w_f64_m(w, g, "coef", coef, k, p);
		ft_h5w_f64_v(w, g, "intercept", b, k);
	}
	free(coef);
	free(b);
}

/* A threshold as stored: scores are in [0, 1], so +inf (never positive)
 * is 2 and -inf (always positive) is -1, which decide every score alike. */
static double stored_threshold(double t)
{
	return t > 2.0 ? 2.0 : t < -1.0 ? -1.0 : t;
}

static void write_thresholds(struct ft_h5w *w, hid_t loc, const struct ft_thresholds *th)
{
	size_t G = th->n_groups;
	double *t0 = malloc((G ? G : 1) * sizeof *t0), *t1 = malloc((G ? G : 1) * sizeof *t1);
	hid_t g = ft_h5w_group(w, loc, "thresholds");

	if (!t0 || !t1) {
		ft_h5w_nomem(w);
	} else {
		for (size_t k = 0; k < G; k++) {
			t0[k] = stored_threshold(th->t0[k]);
			t1[k] = stored_threshold(th->t1[k]);
		}
		ft_h5w_attr_str(w, g, "rule", "P(yhat=1) = (1-q)(p [s>=t0] + (1-p) [s>=t1]) "
		                "+ q c, per group of /preprocessing group_names, s = the "
		                "predictor's probability");
		ft_h5w_attr_u64(w, g, "n_groups", G);
		ft_h5w_f64_v(w, g, "t0", t0, G);
		ft_h5w_f64_v(w, g, "t1", t1, G);
		ft_h5w_f64_v(w, g, "p", th->p, G);
		ft_h5w_f64_v(w, g, "q", th->q, G);
		ft_h5w_f64_v(w, g, "c", th->c, G);
	}
	free(t0);
	free(t1);
	ft_h5w_close(w, g, "thresholds");
}

/* size_t values as an int64 dataset. */
static void write_sizes(struct ft_h5w *w, hid_t g, const char *name, const size_t *v,
                        size_t n)
{
	int64_t *a = malloc((n ? n : 1) * sizeof *a);

	if (!a) {
		ft_h5w_nomem(w);
		return;
	}
	for (size_t i = 0; i < n; i++)
		a[i] = (int64_t)v[i];
	ft_h5w_i64_v(w, g, name, a, n);
	free(a);
}

/* Doubles that may be NaN (undefined): NaN written as 0 in name, and
 * name_defined (int8 0/1) beside it. */
static void write_nan_v(struct ft_h5w *w, hid_t g, const char *name, const double *v,
                        size_t n)
{
	double *a = malloc((n ? n : 1) * sizeof *a);
	int8_t *f = malloc(n ? n : 1);
	char fname[64];

	if (!a || !f) {
		ft_h5w_nomem(w);
	} else {
		for (size_t i = 0; i < n; i++) {
			f[i] = !isnan(v[i]);
			a[i] = f[i] ? v[i] : 0.0;
		}
		snprintf(fname, sizeof fname, "%s_defined", name);
		ft_h5w_f64_v(w, g, name, a, n);
		ft_h5w_i8_v(w, g, fname, f, n);
	}
	free(a);
	free(f);
}

/* A feature transformation (struct ft_transform) as the predictor's
 * subgroup "transform": attributes kind, n_inputs, n_outputs, n_groups,
 * needs_group and each kind's tables under the names of its struct. */
static void write_transform(struct ft_h5w *w, hid_t loc, const struct ft_transform *t)
{
	static const char *const KIND[] = {"", "dir", "corr-remove", "lfr", "optim-pre"};
	hid_t g = ft_h5w_group(w, loc, "transform");
	size_t p = t->p_in, G = t->n_groups;

	ft_h5w_attr_str(w, g, "kind", KIND[t->kind]);
	ft_h5w_attr_u64(w, g, "n_inputs", p);
	ft_h5w_attr_u64(w, g, "n_outputs", t->p_out);
	ft_h5w_attr_u64(w, g, "n_groups", G);
	ft_h5w_attr_i32(w, g, "needs_group", t->needs_group);
	switch (t->kind) {
	case FT_TRANSFORM_DIR: {
		const struct ft_transform_dir *r = &t->dir;
		size_t nb = r->q_off[p];
		ft_h5w_attr_f64(w, g, "repair_level", r->repair_level);
		write_sizes(w, g, "val_off", r->val_off, p + 1);
		ft_h5w_f64_v(w, g, "vals", r->vals, r->val_off[p]);
		write_sizes(w, g, "n_q", r->n_q, p);
		write_sizes(w, g, "q_off", r->q_off, p + 1);
		write_nan_v(w, g, "lo", r->lo, nb * G);
		write_nan_v(w, g, "hi", r->hi, nb * G);
		write_sizes(w, g, "target", r->target, nb);
		break;
	}
	case FT_TRANSFORM_CORR_REMOVE:
		ft_h5w_attr_f64(w, g, "alpha", t->corr.alpha);
		ft_h5w_f64_v(w, g, "mean", t->corr.mean, p);
		write_nan_v(w, g, "group_mean", t->corr.group_mean, G * p);
		break;
	case FT_TRANSFORM_LFR:
		ft_h5w_attr_u64(w, g, "k", t->lfr.k);
		ft_h5w_attr_f64(w, g, "Ax", t->lfr.Ax);
		ft_h5w_attr_f64(w, g, "Ay", t->lfr.Ay);
		ft_h5w_attr_f64(w, g, "Az", t->lfr.Az);
		ft_h5w_attr_f64(w, g, "objective", t->lfr.objective);
		ft_h5w_f64_m(w, g, "prototypes", t->lfr.prototypes, t->lfr.k, p);
		ft_h5w_f64_v(w, g, "w", t->lfr.w, t->lfr.k);
		break;
	case FT_TRANSFORM_OPTIM_PRE: {
		const struct ft_transform_optim *o = &t->opt;
		size_t nx = o->n_x;
		int64_t *cat = malloc((o->n_cols ? o->n_cols : 1) * sizeof *cat);
		if (!cat) {
			ft_h5w_nomem(w);
			break;
		}
		for (size_t c = 0; c < o->n_cols; c++)
			cat[c] = o->is_cat[c];
		ft_h5w_attr_u64(w, g, "n_cols", o->n_cols);
		ft_h5w_attr_u64(w, g, "n_x", nx);
		ft_h5w_attr_f64(w, g, "epsilon", o->epsilon);
		ft_h5w_attr_f64(w, g, "objective", o->objective);
		ft_h5w_attr_u64(w, g, "pivots", o->pivots);
		write_sizes(w, g, "col", o->col, o->n_cols);
		ft_h5w_i64_v(w, g, "is_cat", cat, o->n_cols);
		write_sizes(w, g, "n_levels", o->n_levels, o->n_cols);
		write_sizes(w, g, "cut_off", o->cut_off, o->n_cols + 1);
		ft_h5w_f64_v(w, g, "cuts", o->cuts, o->cut_off[o->n_cols]);
		ft_h5w_f64_v(w, g, "map", o->map, G * nx * nx);
		ft_h5w_f64_v(w, g, "map_xy", o->map_xy, G * 4 * nx * nx);
		ft_h5w_f64_v(w, g, "p_dxy", o->p_dxy, G * 2 * nx);
		free(cat);
		break;
	}
	default:
		break;
	}
	ft_h5w_close(w, g, "transform");
}

void ft_h5w_predictor(struct ft_h5w *w, hid_t loc, const char *name,
                      const struct ft_predictor *p, char *const *feature_names,
                      size_t n_features, const char *names_at)
{
	const struct ft_linear_model *m = p->linear;
	hid_t g = ft_h5w_group(w, loc, name), sub;

	/* behind a transform the models read its outputs, under its names */
	if (p->transform) {
		feature_names = p->transform->names;
		n_features = p->transform->p_out;
		names_at = NULL;
	}

	ft_h5w_attr_str(w, g, "kind", ft_predictor_kind_name(p->kind));
	ft_h5w_attr_str(w, g, "type", m->type == FT_MODEL_RANKER ? RANKER_NAME :
	                m->n_groups ? PER_GROUP_NAME : LOGREG_NAME);
	ft_h5w_attr_u64(w, g, "n_features", m->p);
	ft_h5w_f64_v(w, g, "coef", m->coef, m->p);
	ft_h5w_f64_s(w, g, "intercept", m->intercept);
	if (names_at)
		ft_h5w_link(w, g, "feature_names", names_at);
	else
		ft_h5w_str_v(w, g, "feature_names", (const char *const *)feature_names,
		             n_features);
	if (m->n_groups) {
		ft_h5w_attr_u64(w, g, "n_groups", m->n_groups);
		ft_h5w_f64_m(w, g, "group_coef", m->group_coef, m->n_groups, m->p);
		ft_h5w_f64_v(w, g, "group_intercept", m->group_intercept, m->n_groups);
	}
	if (p->kind == FT_PRED_RANKER)
		ft_h5w_attr_str(w, g, "rerank", p->rerank ? p->rerank : "");
	if (p->kind == FT_PRED_MIXTURE) {
		sub = ft_h5w_group(w, g, "mixture");
		write_stack(w, sub, p->mixture->h, p->mixture->k, m->p);
		ft_h5w_f64_v(w, sub, "weight", p->mixture->weight, p->mixture->k);
		ft_h5w_close(w, sub, "mixture");
	} else if (p->kind == FT_PRED_THRESHOLDS) {
		write_thresholds(w, g, p->thresholds);
	} else if (p->kind == FT_PRED_FRONTIER) {
		const struct ft_frontier *fr = p->frontier;
		sub = ft_h5w_group(w, g, "frontier");
		write_stack(w, sub, fr->h, fr->k, m->p);
		ft_h5w_attr_u64(w, sub, "chosen", fr->chosen);
		ft_h5w_f64_m(w, sub, "lambda", fr->lambda, fr->k, fr->n_lambda);
		ft_h5w_f64_v(w, sub, "error", fr->error, fr->k);
		ft_h5w_f64_v(w, sub, "violation", fr->violation, fr->k);
		ft_h5w_close(w, sub, "frontier");
	}
	if (p->transform)
		write_transform(w, g, p->transform);
	if (p->eopp) {
		const struct ft_eopp *e = p->eopp;
		size_t nk = e->off[e->n_groups];
		sub = ft_h5w_group(w, g, "eopp");
		ft_h5w_attr_str(w, sub, "rule", "a group's score s maps to the piecewise linear "
		                "interpolation of (key, val) over the group's knots "
		                "off[g] .. off[g+1], constant beyond the ends");
		ft_h5w_attr_u64(w, sub, "n_groups", e->n_groups);
		write_sizes(w, sub, "off", e->off, e->n_groups + 1);
		ft_h5w_f64_v(w, sub, "key", e->key, nk);
		ft_h5w_f64_v(w, sub, "val", e->val, nk);
		ft_h5w_close(w, sub, "eopp");
	}
	ft_h5w_close(w, g, name);
}

/* The columns of a comparison table, in the order its columns attribute
 * lists them.  A string column holds the char * at off in struct
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

/* The string (char *) or double member at offset off of a comparison row. */
static const char *row_str(const struct ft_comparison_row *r, size_t off)
{
	return *(char *const *)(const void *)((const char *)r + off);
}

static double row_f64(const struct ft_comparison_row *r, size_t off)
{
	return *(const double *)(const void *)((const char *)r + off);
}

void ft_h5w_comparison(struct ft_h5w *w, hid_t loc, const char *name,
                       const struct ft_comparison *c)
{
	size_t n = c->n, len = 0;
	const char **sv = calloc(n ? n : 1, sizeof *sv);
	double *dv = calloc(n ? n : 1, sizeof *dv);
	int8_t *fv = calloc(n ? n : 1, sizeof *fv);
	char names[128];
	hid_t g = ft_h5w_group(w, loc, name);

	if (!sv || !dv || !fv) {
		ft_h5w_nomem(w);
		goto done;
	}
	names[0] = '\0';
	for (size_t k = 0; k < N_CMP; k++)
		len += (size_t)snprintf(names + len, sizeof names - len, "%s%s",
		                        k ? "," : "", cmp_cols[k].name);
	ft_h5w_attr_str(w, g, "columns", names);
	ft_h5w_attr_u64(w, g, "n_bootstrap", c->n_bootstrap);
	ft_h5w_attr_f64(w, g, "level", c->level);
	ft_h5w_attr_f64(w, g, "threshold", c->threshold);
	ft_h5w_attr_u64(w, g, "seed", c->seed);
	for (size_t k = 0; k < N_CMP; k++) {
		const struct cmp_col *col = &cmp_cols[k];
		for (size_t i = 0; i < n; i++) {
			const struct ft_comparison_row *row = &c->rows[i];
			const char *s;
			switch (col->kind) {
			case CMP_STR:
				s = row_str(row, col->off);
				sv[i] = s ? s : "";
				break;
			case CMP_F64:
				dv[i] = row_f64(row, col->off);
				break;
			default:
				fv[i] = row_str(row, col->off) ? 0 : 1;
			}
		}
		if (col->kind == CMP_STR)
			ft_h5w_str_v(w, g, col->name, sv, n);
		else if (col->kind == CMP_F64)
			ft_h5w_f64_v(w, g, col->name, dv, n);
		else
			ft_h5w_i8_v(w, g, col->name, fv, n);
	}
done:
	ft_h5w_close(w, g, name);
	free(sv);
	free(dv);
	free(fv);
}

/* ------------------------------------------------------------- reading */

/* The per-group part of a model of type logistic_regression_per_group:
 * attribute n_groups (> 0, the encoder's group count), group_coef
 * (n_groups x n_features) and group_intercept (n_groups). */
static int read_groups(struct ft_h5r *r, hid_t g, const char *obj, size_t n_groups,
                       struct ft_linear_model *m)
{
	size_t ng = 0, rows = 0, cols = 0, ni = 0;
	int rc;

	(void)((rc = ft_h5r_size(r, g, obj, "n_groups", &ng)) ||
	       (rc = ft_h5r_f64m(r, g, obj, "group_coef", &m->group_coef, &rows, &cols)) ||
	       (rc = ft_h5r_f64v(r, g, obj, "group_intercept", 1, &m->group_intercept,
	                         &ni)));
	if (rc)
		return rc;
	if (ng == 0 || ng != n_groups)
		return ft_h5r_corrupt(r, "attribute 'n_groups' on %s is %zu, /preprocessing "
		                      "has %zu groups", obj, ng, n_groups);
	if (rows != ng || cols != m->p)
		return ft_h5r_corrupt(r, "%s/group_coef is %zu x %zu, expected %zu x %zu "
		                      "(n_groups x n_features)", obj, rows, cols, ng, m->p);
	if (ni != ng)
		return ft_h5r_corrupt(r, "%s/group_intercept has %zu values, expected %zu "
		                      "(n_groups)", obj, ni, ng);
	m->n_groups = ng;
	return 0;
}

int ft_h5r_linear(struct ft_h5r *r, hid_t g, const char *obj,
                  char *const *feature_names, size_t n_features, size_t n_groups,
                  struct ft_linear_model **out)
{
	struct ft_linear_model *m = NULL;
	char *type = NULL, **names = NULL;
	double *b = NULL;
	size_t nf = 0, n_names = 0, nb = 0, k;
	int rc;

	*out = NULL;
	m = calloc(1, sizeof *m);
	if (!m) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	m->type = FT_MODEL_LOGREG;
	if ((rc = ft_h5r_str(r, g, obj, "type", 0, &type)))
		goto done;
	if (strcmp(type, RANKER_NAME) == 0)
		m->type = FT_MODEL_RANKER;
	else if (strcmp(type, LOGREG_NAME) != 0 && strcmp(type, PER_GROUP_NAME) != 0) {
		rc = ft_h5r_corrupt(r, "%s has unknown type '%.60s'", obj, type);
		goto done;
	}
	(void)((rc = ft_h5r_size(r, g, obj, "n_features", &nf)) ||
	       (rc = ft_h5r_f64v(r, g, obj, "coef", 1, &m->coef, &m->p)) ||
	       (rc = ft_h5r_f64v(r, g, obj, "intercept", 0, &b, &nb)) ||
	       (rc = ft_h5r_strv(r, g, obj, "feature_names", 0, &names, &n_names)));
	if (rc)
		goto done;
	m->intercept = b[0];
	if (nf != n_features) {
		rc = ft_h5r_corrupt(r, "attribute 'n_features' on %s is %zu, /preprocessing "
		                    "has %zu", obj, nf, n_features);
		goto done;
	}
	if (m->p != nf) {
		rc = ft_h5r_corrupt(r, "%s/coef has %zu values, expected %zu (n_features)",
		                    obj, m->p, nf);
		goto done;
	}
	if (n_names != nf) {
		rc = ft_h5r_corrupt(r, "%s/feature_names has %zu names, expected %zu "
		                    "(n_features)", obj, n_names, nf);
		goto done;
	}
	for (k = 0; k < nf; k++)
		if (strcmp(names[k], feature_names[k]) != 0) {
			rc = ft_h5r_corrupt(r, "%s/feature_names[%zu] is '%.60s', /preprocessing "
			                    "has '%.60s'", obj, k, names[k], feature_names[k]);
			goto done;
		}
	if (strcmp(type, PER_GROUP_NAME) == 0 && (rc = read_groups(r, g, obj, n_groups, m)))
		goto done;
	*out = m;
	m = NULL;
done:
	ft_linear_model_free(m);
	ft_strv_free(names, n_names);
	free(type);
	free(b);
	return rc;
}

/* coef (k x p) and intercept (k) of group obj into k new shared-weight
 * models. */
static int read_stack(struct ft_h5r *r, hid_t g, const char *obj, size_t p,
                      struct ft_linear_model ***out, size_t *k_out)
{
	struct ft_linear_model **h = NULL;
	double *coef = NULL, *b = NULL;
	size_t k = 0, rows = 0, cols = 0, nb = 0;
	int rc;

	*out = NULL;
	*k_out = 0;
	(void)((rc = ft_h5r_size(r, g, obj, "n_predictors", &k)) ||
	       (rc = ft_h5r_f64m(r, g, obj, "coef", &coef, &rows, &cols)) ||
	       (rc = ft_h5r_f64v(r, g, obj, "intercept", 1, &b, &nb)));
	if (rc)
		goto done;
	if (k == 0 || rows != k || cols != p || nb != k) {
		rc = ft_h5r_corrupt(r, "%s has %zu predictors but coef is %zu x %zu and "
		                    "intercept has %zu values (expected %zu x %zu, %zu)", obj,
		                    k, rows, cols, nb, k, p, k);
		goto done;
	}
	h = calloc(k, sizeof *h);
	if (!h) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	for (size_t i = 0; i < k; i++) {
		h[i] = calloc(1, sizeof *h[i]);
		if (!h[i] || !(h[i]->coef = malloc((p ? p : 1) * sizeof(double)))) {
			rc = ft_h5r_nomem(r);
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

static int read_mixture(struct ft_h5r *r, hid_t g, const char *obj, size_t p,
                        struct ft_mixture **out)
{
	struct ft_mixture *mx = calloc(1, sizeof *mx);
	size_t n = 0;
	int rc;

	*out = mx;
	if (!mx)
		return ft_h5r_nomem(r);
	if ((rc = read_stack(r, g, obj, p, &mx->h, &mx->k)) ||
	    (rc = ft_h5r_f64v(r, g, obj, "weight", 1, &mx->weight, &n)))
		return rc;
	if (n != mx->k)
		return ft_h5r_corrupt(r, "%s/weight has %zu values, expected %zu", obj, n,
		                      mx->k);
	return 0;
}

static int read_frontier(struct ft_h5r *r, hid_t g, const char *obj, size_t p,
                         struct ft_frontier **out)
{
	struct ft_frontier *fr = calloc(1, sizeof *fr);
	size_t rows = 0, ne = 0, nv = 0;
	int rc;

	*out = fr;
	if (!fr)
		return ft_h5r_nomem(r);
	(void)((rc = read_stack(r, g, obj, p, &fr->h, &fr->k)) ||
	       (rc = ft_h5r_size(r, g, obj, "chosen", &fr->chosen)) ||
	       (rc = ft_h5r_f64m(r, g, obj, "lambda", &fr->lambda, &rows, &fr->n_lambda)) ||
	       (rc = ft_h5r_f64v(r, g, obj, "error", 1, &fr->error, &ne)) ||
	       (rc = ft_h5r_f64v(r, g, obj, "violation", 1, &fr->violation, &nv)));
	if (!rc && (rows != fr->k || ne != fr->k || nv != fr->k))
		rc = ft_h5r_corrupt(r, "%s has %zu predictors but lambda has %zu rows, error "
		                    "%zu and violation %zu values", obj, fr->k, rows, ne, nv);
	return rc;
}

/* The inverse of stored_threshold: 2 and above is +inf, -1 and below -inf
 * (no cut of a score in [0, 1] is stored there otherwise). */
static double loaded_threshold(double t)
{
	return t >= 2.0 ? INFINITY : t <= -1.0 ? -INFINITY : t;
}

static int read_thresholds(struct ft_h5r *r, hid_t g, const char *obj,
                           struct ft_thresholds **out)
{
	struct ft_thresholds *th = calloc(1, sizeof *th);
	size_t G = 0, c[5] = {0};
	int rc;

	*out = th;
	if (!th)
		return ft_h5r_nomem(r);
	(void)((rc = ft_h5r_size(r, g, obj, "n_groups", &G)) ||
	       (rc = ft_h5r_f64v(r, g, obj, "t0", 1, &th->t0, &c[0])) ||
	       (rc = ft_h5r_f64v(r, g, obj, "t1", 1, &th->t1, &c[1])) ||
	       (rc = ft_h5r_f64v(r, g, obj, "p", 1, &th->p, &c[2])) ||
	       (rc = ft_h5r_f64v(r, g, obj, "q", 1, &th->q, &c[3])) ||
	       (rc = ft_h5r_f64v(r, g, obj, "c", 1, &th->c, &c[4])));
	if (rc)
		return rc;
	th->n_groups = G;
	for (int j = 0; j < 5; j++)
		if (c[j] != G)
			return ft_h5r_corrupt(r, "%s has n_groups %zu but a dataset of %zu "
			                      "values", obj, G, c[j]);
	/* back to the cuts as fitted: 2 is +inf, -1 is -inf */
	for (size_t k = 0; k < G; k++) {
		th->t0[k] = loaded_threshold(th->t0[k]);
		th->t1[k] = loaded_threshold(th->t1[k]);
	}
	return 0;
}


static int read_part(struct ft_h5r *r, hid_t g, const char *obj, const char *name,
                     int optional, int (*fn)(struct ft_h5r *, hid_t, const char *,
                                             size_t, void *), size_t p, void *out)
{
	hid_t sub = H5I_INVALID_HID;
	char full[160];
	int rc;

	ft_h5_join(full, sizeof full, obj, name);
	if ((rc = ft_h5r_group(r, g, obj, name, optional, &sub)) || sub < 0)
		return rc;
	rc = fn(r, sub, full, p, out);
	ft_h5r_gclose(sub);
	return rc;
}

static int part_mixture(struct ft_h5r *r, hid_t g, const char *obj, size_t p, void *out)
{
	return read_mixture(r, g, obj, p, out);
}

static int part_frontier(struct ft_h5r *r, hid_t g, const char *obj, size_t p, void *out)
{
	return read_frontier(r, g, obj, p, out);
}

static int part_thresholds(struct ft_h5r *r, hid_t g, const char *obj, size_t p,
                           void *out)
{
	(void)p;
	return read_thresholds(r, g, obj, out);
}

int ft_h5r_legacy_parts(struct ft_h5r *r, hid_t f, size_t n_features,
                        struct ft_predictor *p)
{
	int rc;

	if ((rc = read_part(r, f, "/", "mixture", 1, part_mixture, n_features,
	                    &p->mixture)) ||
	    (rc = read_part(r, f, "/", "frontier", 1, part_frontier, n_features,
	                    &p->frontier)) ||
	    (rc = read_part(r, f, "/", "thresholds", 1, part_thresholds, n_features,
	                    &p->thresholds)))
		return rc;
	if ((p->mixture != NULL) + (p->frontier != NULL) + (p->thresholds != NULL) > 1)
		return ft_h5r_corrupt(r, "more than one of /mixture, /frontier and "
		                      "/thresholds");
	p->kind = p->mixture ? FT_PRED_MIXTURE : p->frontier ? FT_PRED_FRONTIER :
	          p->thresholds ? FT_PRED_THRESHOLDS : FT_PRED_LINEAR;
	return 0;
}

/* An int64 dataset of sizes (each in [0, 2^40]) with exactly n values
 * (n = SIZE_MAX: any count, in *cnt). */
static int read_sizes(struct ft_h5r *r, hid_t g, const char *obj, const char *name,
                      size_t n, size_t **out, size_t *cnt)
{
	int64_t *v = NULL;
	size_t m = 0;
	int rc;

	*out = NULL;
	if ((rc = ft_h5r_i64v(r, g, obj, name, 0, (int64_t)1 << 40, &v, &m)))
		return rc;
	if (n != SIZE_MAX && m != n) {
		free(v);
		return ft_h5r_corrupt(r, "%s/%s has %zu values, expected %zu", obj, name, m, n);
	}
	/* int64 and size_t have the same width here; convert in place */
	*out = malloc((m ? m : 1) * sizeof **out);
	if (!*out) {
		free(v);
		return ft_h5r_nomem(r);
	}
	for (size_t i = 0; i < m; i++)
		(*out)[i] = (size_t)v[i];
	free(v);
	if (cnt)
		*cnt = m;
	return 0;
}

/* n finite doubles (any count when n = SIZE_MAX; *cnt gets it). */
static int read_f64n(struct ft_h5r *r, hid_t g, const char *obj, const char *name,
                     size_t n, double **out, size_t *cnt)
{
	size_t m = 0;
	int rc;

	if ((rc = ft_h5r_f64v(r, g, obj, name, 1, out, &m)))
		return rc;
	if (n != SIZE_MAX && m != n)
		return ft_h5r_corrupt(r, "%s/%s has %zu values, expected %zu", obj, name, m, n);
	if (cnt)
		*cnt = m;
	return 0;
}

/* The inverse of write_nan_v: n values, NaN where name_defined is 0. */
static int read_nan_v(struct ft_h5r *r, hid_t g, const char *obj, const char *name,
                      size_t n, double **out)
{
	int64_t *f = NULL;
	size_t m = 0;
	char fname[64];
	int rc;

	snprintf(fname, sizeof fname, "%s_defined", name);
	if ((rc = read_f64n(r, g, obj, name, n, out, NULL)) ||
	    (rc = ft_h5r_flagv(r, g, obj, fname, &f, &m)))
		return rc;
	if (m != n) {
		free(f);
		return ft_h5r_corrupt(r, "%s/%s has %zu values, expected %zu", obj, fname, m, n);
	}
	for (size_t i = 0; i < n; i++)
		if (!f[i]) {
			if ((*out)[i] != 0) {
				free(f);
				return ft_h5r_corrupt(r, "%s/%s[%zu] is undefined but not 0", obj,
				                      name, i);
			}
			(*out)[i] = NAN;
		}
	free(f);
	return 0;
}

/* a * b * c without overflow (SIZE_MAX when it would) */
static size_t mul3(size_t a, size_t b, size_t c)
{
	if (a && b > SIZE_MAX / a)
		return SIZE_MAX;
	a *= b;
	if (a && c > SIZE_MAX / a)
		return SIZE_MAX;
	return a * c;
}

/* A ranker's eopp-rank score map (n_groups groups), checked. */
static int part_eopp(struct ft_h5r *r, hid_t g, const char *obj, size_t n_groups,
                     void *out)
{
	struct ft_eopp *e = calloc(1, sizeof *e);
	struct ft_error er = {0};
	size_t nk = 0, nv = 0;
	int rc;

	*(struct ft_eopp **)out = e;
	if (!e)
		return ft_h5r_nomem(r);
	if ((rc = ft_h5r_size(r, g, obj, "n_groups", &e->n_groups)))
		return rc;
	if (e->n_groups != n_groups)
		return ft_h5r_corrupt(r, "%s has %zu groups, /preprocessing has %zu", obj,
		                      e->n_groups, n_groups);
	if ((rc = read_sizes(r, g, obj, "off", n_groups + 1, &e->off, NULL)) ||
	    (rc = read_f64n(r, g, obj, "key", SIZE_MAX, &e->key, &nk)) ||
	    (rc = read_f64n(r, g, obj, "val", nk, &e->val, &nv)))
		return rc;
	for (size_t k = 0; k < n_groups; k++)
		if (e->off[k] > e->off[k + 1])
			return ft_h5r_corrupt(r, "%s/off decreases at %zu", obj, k);
	if (e->off[n_groups] != nk)
		return ft_h5r_corrupt(r, "%s/off ends at %zu, key has %zu values", obj,
		                      e->off[n_groups], nk);
	if (ft_eopp_check(e, n_groups, &er)) {
		rc = ft_h5r_corrupt(r, "%s: %s", obj, er.msg);
		ft_error_clear(&er);
	}
	return rc;
}

/* The predictor's transform group (write_transform) into a new transform
 * reading n_features inputs for n_groups groups; names (its outputs, the
 * linear model's feature names) become its own. */
static int read_transform(struct ft_h5r *r, hid_t tg, const char *obj, size_t n_features,
                          size_t n_groups, struct ft_transform **out)
{
	static const char *const KIND[] = {"dir", "corr-remove", "lfr", "optim-pre"};
	struct ft_transform *t = calloc(1, sizeof *t);
	struct ft_error e = {0};
	size_t p, G, n = 0, nb;
	int rc, kind = 0;

	*out = NULL;
	if (!t)
		return ft_h5r_nomem(r);
	(void)((rc = ft_h5r_enum(r, tg, obj, "kind", KIND, 4, &kind)) ||
	       (rc = ft_h5r_size(r, tg, obj, "n_inputs", &t->p_in)) ||
	       (rc = ft_h5r_size(r, tg, obj, "n_outputs", &t->p_out)) ||
	       (rc = ft_h5r_size(r, tg, obj, "n_groups", &t->n_groups)) ||
	       (rc = ft_h5r_i32(r, tg, obj, "needs_group", 0, 1, &t->needs_group)));
	if (rc)
		goto done;
	t->kind = kind + 1;
	p = t->p_in;
	G = t->n_groups;
	if (p != n_features || (G && G != n_groups) || p > (size_t)1 << 24 ||
	    t->p_out > (size_t)1 << 24) {
		rc = ft_h5r_corrupt(r, "%s reads %zu features for %zu groups, /preprocessing "
		                    "has %zu and %zu", obj, p, G, n_features, n_groups);
		goto done;
	}
	switch (t->kind) {
	case FT_TRANSFORM_DIR: {
		struct ft_transform_dir *d = &t->dir;
		(void)((rc = ft_h5r_f64(r, tg, obj, "repair_level", &d->repair_level)) ||
		       (rc = read_sizes(r, tg, obj, "val_off", p + 1, &d->val_off, NULL)) ||
		       (rc = read_f64n(r, tg, obj, "vals", d->val_off[p], &d->vals, NULL)) ||
		       (rc = read_sizes(r, tg, obj, "n_q", p, &d->n_q, NULL)) ||
		       (rc = read_sizes(r, tg, obj, "q_off", p + 1, &d->q_off, NULL)));
		if (rc)
			goto done;
		nb = d->q_off[p];
		if (mul3(nb, G, 1) == SIZE_MAX) {
			rc = ft_h5r_corrupt(r, "%s/q_off is out of range", obj);
			goto done;
		}
		(void)((rc = read_nan_v(r, tg, obj, "lo", nb * G, &d->lo)) ||
		       (rc = read_nan_v(r, tg, obj, "hi", nb * G, &d->hi)) ||
		       (rc = read_sizes(r, tg, obj, "target", nb, &d->target, NULL)));
		/* offsets must stay inside the tables they index */
		for (size_t j = 0; !rc && j < p; j++)
			if (d->val_off[j] > d->val_off[j + 1] || d->q_off[j] > d->q_off[j + 1])
				rc = ft_h5r_corrupt(r, "%s: offsets of feature %zu decrease", obj, j);
		break;
	}
	case FT_TRANSFORM_CORR_REMOVE:
		(void)((rc = ft_h5r_f64(r, tg, obj, "alpha", &t->corr.alpha)) ||
		       (rc = read_f64n(r, tg, obj, "mean", p, &t->corr.mean, NULL)) ||
		       (rc = read_nan_v(r, tg, obj, "group_mean", mul3(G, p, 1),
		                        &t->corr.group_mean)));
		break;
	case FT_TRANSFORM_LFR: {
		size_t rows = 0, cols = 0;
		(void)((rc = ft_h5r_size(r, tg, obj, "k", &t->lfr.k)) ||
		       (rc = ft_h5r_f64(r, tg, obj, "Ax", &t->lfr.Ax)) ||
		       (rc = ft_h5r_f64(r, tg, obj, "Ay", &t->lfr.Ay)) ||
		       (rc = ft_h5r_f64(r, tg, obj, "Az", &t->lfr.Az)) ||
		       (rc = ft_h5r_f64(r, tg, obj, "objective", &t->lfr.objective)) ||
		       (rc = ft_h5r_f64m(r, tg, obj, "prototypes", &t->lfr.prototypes, &rows,
		                         &cols)) ||
		       (rc = read_f64n(r, tg, obj, "w", t->lfr.k, &t->lfr.w, NULL)));
		if (!rc && (rows != t->lfr.k || cols != p))
			rc = ft_h5r_corrupt(r, "%s/prototypes is %zu x %zu, expected %zu x %zu", obj,
			                    rows, cols, t->lfr.k, p);
		break;
	}
	case FT_TRANSFORM_OPTIM_PRE: {
		struct ft_transform_optim *o = &t->opt;
		int64_t *cat = NULL;
		size_t nx;
		(void)((rc = ft_h5r_size(r, tg, obj, "n_cols", &o->n_cols)) ||
		       (rc = ft_h5r_size(r, tg, obj, "n_x", &o->n_x)) ||
		       (rc = ft_h5r_f64(r, tg, obj, "epsilon", &o->epsilon)) ||
		       (rc = ft_h5r_f64(r, tg, obj, "objective", &o->objective)) ||
		       (rc = ft_h5r_size(r, tg, obj, "pivots", &o->pivots)));
		if (rc)
			goto done;
		nx = o->n_x;
		if (o->n_cols == 0 || o->n_cols > 64 || nx == 0 || nx > (size_t)1 << 24 ||
		    mul3(G, 4 * nx, nx) == SIZE_MAX) {
			rc = ft_h5r_corrupt(r, "%s has %zu columns and %zu joint levels", obj,
			                    o->n_cols, nx);
			goto done;
		}
		(void)((rc = read_sizes(r, tg, obj, "col", o->n_cols, &o->col, NULL)) ||
		       (rc = ft_h5r_flagv(r, tg, obj, "is_cat", &cat, &n)) ||
		       (rc = read_sizes(r, tg, obj, "n_levels", o->n_cols, &o->n_levels, NULL)) ||
		       (rc = read_sizes(r, tg, obj, "cut_off", o->n_cols + 1, &o->cut_off, NULL)));
		if (!rc && n != o->n_cols)
			rc = ft_h5r_corrupt(r, "%s/is_cat has %zu values, expected %zu", obj, n,
			                    o->n_cols);
		if (!rc && !(o->is_cat = malloc(o->n_cols * sizeof *o->is_cat)))
			rc = ft_h5r_nomem(r);
		for (size_t c = 0; !rc && c < o->n_cols; c++) {
			o->is_cat[c] = (int)cat[c];
			if (o->cut_off[c] > o->cut_off[c + 1])
				rc = ft_h5r_corrupt(r, "%s/cut_off decreases at %zu", obj, c);
		}
		free(cat);
		if (!rc && o->cut_off[0] != 0)
			rc = ft_h5r_corrupt(r, "%s/cut_off does not start at 0", obj);
		if (rc)
			goto done;
		(void)((rc = read_f64n(r, tg, obj, "cuts", o->cut_off[o->n_cols], &o->cuts,
		                       NULL)) ||
		       (rc = read_f64n(r, tg, obj, "map", mul3(G, nx, nx), &o->map, NULL)) ||
		       (rc = read_f64n(r, tg, obj, "map_xy", mul3(G, 4 * nx, nx), &o->map_xy,
		                       NULL)) ||
		       (rc = read_f64n(r, tg, obj, "p_dxy", mul3(G, 2, nx), &o->p_dxy, NULL)));
		break;
	}
	default:
		break;
	}
	if (rc)
		goto done;
	if (ft_transform_check(t, &e)) {
		rc = ft_h5r_corrupt(r, "%s: %s", obj, e.msg);
		ft_error_clear(&e);
		goto done;
	}
	*out = t;
	t = NULL;
done:
	ft_transform_free(t);
	return rc;
}

int ft_h5r_predictor(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                     int optional, char *const *feature_names, size_t n_features,
                     size_t n_groups, struct ft_predictor **out)
{
	static const char *const KINDS[FT_N_PRED] = {
		"linear", "mixture", "thresholds", "frontier", "ranker"
	};
	struct ft_predictor *p = NULL;
	hid_t g = H5I_INVALID_HID, tg = H5I_INVALID_HID;
	char full[160];
	int rc;

	*out = NULL;
	ft_h5_join(full, sizeof full, obj, name);
	if ((rc = ft_h5r_group(r, loc, obj, name, optional, &g)) || g < 0)
		return rc;
	if (!(p = calloc(1, sizeof *p))) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	if ((rc = ft_h5r_enum(r, g, full, "kind", KINDS, FT_N_PRED, &p->kind)))
		goto done;
	/* a transform: the models read its outputs, named by the predictor's
	 * feature_names, which the transform owns */
	if ((rc = ft_h5r_group(r, g, full, "transform", 1, &tg)))
		goto done;
	if (tg >= 0) {
		char tfull[192];
		size_t nn = 0;
		ft_h5_join(tfull, sizeof tfull, full, "transform");
		rc = read_transform(r, tg, tfull, n_features, n_groups, &p->transform);
		ft_h5r_gclose(tg);
		if (rc || (rc = ft_h5r_strv(r, g, full, "feature_names", 0, &p->transform->names,
		                            &nn)))
			goto done;
		if (nn != p->transform->p_out) {
			ft_strv_free(p->transform->names, nn);
			p->transform->names = NULL;
			rc = ft_h5r_corrupt(r, "%s/feature_names has %zu names, the transform "
			                    "writes %zu", full, nn, p->transform->p_out);
			goto done;
		}
		feature_names = p->transform->names;
		n_features = p->transform->p_out;
	}
	if ((rc = ft_h5r_linear(r, g, full, feature_names, n_features, n_groups,
	                        &p->linear)))
		goto done;
	switch (p->kind) {
	case FT_PRED_MIXTURE:
		rc = read_part(r, g, full, "mixture", 0, part_mixture, n_features, &p->mixture);
		break;
	case FT_PRED_FRONTIER:
		rc = read_part(r, g, full, "frontier", 0, part_frontier, n_features,
		               &p->frontier);
		break;
	case FT_PRED_THRESHOLDS:
		rc = read_part(r, g, full, "thresholds", 0, part_thresholds, n_features,
		               &p->thresholds);
		break;
	case FT_PRED_RANKER:
		if ((rc = ft_h5r_str(r, g, full, "rerank", 0, &p->rerank)))
			break;
		rc = read_part(r, g, full, "eopp", 1, part_eopp, n_groups, &p->eopp);
		break;
	default:
		break;
	}
	if (rc)
		goto done;
	*out = p;
	p = NULL;
done:
	ft_predictor_free(p);
	ft_h5r_gclose(g);
	return rc;
}

/* One column of a comparison as read: strings, doubles or flags. */
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
static int cmp_row(struct ft_h5r *r, const char *obj, struct ft_comparison *c,
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
		return ft_h5r_corrupt(r, "%s/why[%zu] is '%.60s' but defined is 1", obj, i,
		                      why);
	if (!def && v.value != 0)
		return ft_h5r_corrupt(r, "%s/value[%zu] is %g but defined is 0", obj, i,
		                      v.value);
	if (ci_def && *ci_why)
		return ft_h5r_corrupt(r, "%s/ci_why[%zu] is '%.60s' but ci_defined is 1", obj,
		                      i, ci_why);
	if (!ci_def && (lo.value != 0 || hi.value != 0))
		return ft_h5r_corrupt(r, "%s/lo[%zu] and hi[%zu] are %g and %g but "
		                      "ci_defined is 0", obj, i, i, lo.value, hi.value);
	v.why = def ? NULL : why;
	lo.why = hi.why = ci_def ? NULL : ci_why;
	if (ft_comparison_add(c, cd[CMP_METRIC].s[i], cd[CMP_MODEL].s[i],
	                      cd[CMP_SPLIT].s[i], cd[CMP_GROUP].s[i],
	                      cd[CMP_CONVENTION].s[i], v, lo, hi))
		return ft_h5r_nomem(r);
	return 0;
}

int ft_h5r_comparison(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                      struct ft_comparison **out)
{
	struct cmp_data cd[N_CMP];
	struct ft_comparison *c = NULL;
	hid_t g = H5I_INVALID_HID;
	char C[160];
	size_t i, k;
	int rc;

	*out = NULL;
	memset(cd, 0, sizeof cd);
	ft_h5_join(C, sizeof C, obj, name);
	rc = ft_h5r_group(r, loc, obj, name, 1, &g);
	if (rc || g < 0)
		goto done;
	c = calloc(1, sizeof *c);
	if (!c) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	(void)((rc = ft_h5r_size(r, g, C, "n_bootstrap", &c->n_bootstrap)) ||
	       (rc = ft_h5r_f64(r, g, C, "level", &c->level)) ||
	       (rc = ft_h5r_f64(r, g, C, "threshold", &c->threshold)) ||
	       (rc = ft_h5r_u64(r, g, C, "seed", &c->seed)));
	for (k = 0; !rc && k < N_CMP; k++) {
		const char *cn = cmp_cols[k].name;

		if (cmp_cols[k].kind == CMP_STR)
			rc = ft_h5r_strv(r, g, C, cn, 0, &cd[k].s, &cd[k].n);
		else if (cmp_cols[k].kind == CMP_F64)
			rc = ft_h5r_f64v(r, g, C, cn, 1, &cd[k].d, &cd[k].n);
		else
			rc = ft_h5r_flagv(r, g, C, cn, &cd[k].f, &cd[k].n);
		if (!rc && cd[k].n != cd[0].n)
			rc = ft_h5r_corrupt(r, "%s/%s has %zu entries, %s/%s %zu", C, cn, cd[k].n,
			                    C, cmp_cols[0].name, cd[0].n);
	}
	for (i = 0; !rc && i < cd[0].n; i++)
		rc = cmp_row(r, C, c, cd, i);
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
	ft_h5r_gclose(g);
	return rc;
}
