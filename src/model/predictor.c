/*
 * predictor.c - the one fitted-predictor type (fairtrain.h, "predictors"):
 * how each kind decides (a linear model, exponentiated gradient's
 * randomized mixture, group-specific randomized thresholds on a model's
 * score, grid search's chosen point), how it is checked before it is saved
 * or after it is read, and how it is freed.  Also the free functions of its
 * parts and of a fit output.
 *
 * It does not fit anything and does not read or write files (src/io writes
 * a predictor the same way wherever one is stored).  A randomized
 * classifier is reported by its probability of a positive decision,
 * P(yhat = 1), not by a random draw: metrics of such a classifier are
 * expectations over its coin flips, as in Agarwal et al. (ICML 2018, sec.
 * 2) and Hardt et al. (NeurIPS 2016, sec. 4).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "model/model.h"

void ft_mixture_free(struct ft_mixture *mx)
{
	if (!mx)
		return;
	for (size_t k = 0; mx->h && k < mx->k; k++)
		ft_linear_model_free(mx->h[k]);
	free(mx->h);
	free(mx->weight);
	free(mx);
}

void ft_thresholds_free(struct ft_thresholds *th)
{
	if (!th)
		return;
	free(th->t0);
	free(th->t1);
	free(th->p);
	free(th->q);
	free(th->c);
	free(th);
}

void ft_frontier_free(struct ft_frontier *fr)
{
	if (!fr)
		return;
	for (size_t k = 0; fr->h && k < fr->k; k++)
		ft_linear_model_free(fr->h[k]);
	free(fr->h);
	free(fr->lambda);
	free(fr->error);
	free(fr->violation);
	free(fr);
}

void ft_predictor_clear(struct ft_predictor *p)
{
	if (!p)
		return;
	ft_linear_model_free(p->linear);
	ft_mixture_free(p->mixture);
	ft_thresholds_free(p->thresholds);
	ft_frontier_free(p->frontier);
	free(p->rerank);
	ft_transform_free(p->transform);
	ft_eopp_free(p->eopp);
	memset(p, 0, sizeof *p);
}

void ft_predictor_free(struct ft_predictor *p)
{
	ft_predictor_clear(p);
	free(p);
}

void ft_fit_output_clear(struct ft_fit_output *out)
{
	ft_predictor_clear(&out->pred);
	free(out->budget);
	out->budget = NULL;
}

const char *ft_predictor_kind_name(int kind)
{
	static const char *const NAMES[FT_N_PRED] = {
		"linear", "mixture", "thresholds", "frontier", "ranker"
	};

	return kind >= 0 && kind < FT_N_PRED ? NAMES[kind] : "unknown";
}

int ft_predictor_randomized(const struct ft_predictor *p)
{
	return p->kind == FT_PRED_MIXTURE || p->kind == FT_PRED_THRESHOLDS;
}

int ft_predictor_needs_groups(const struct ft_predictor *p)
{
	if (p->kind == FT_PRED_THRESHOLDS || (p->transform && p->transform->needs_group))
		return 1;
	if (p->kind == FT_PRED_MIXTURE)
		for (size_t k = 0; p->mixture && k < p->mixture->k; k++)
			if (p->mixture->h[k] && p->mixture->h[k]->n_groups)
				return 1;
	return p->linear && p->linear->n_groups > 0;
}

/* A NaN score means the row's group was needed and unknown (linear.c). */
static int no_group(const struct ft_dataset *d, size_t i, const char *what,
                    struct ft_error *err)
{
	if (d->line)
		return ft_error_set(err, FT_EDATA, "line %zu: %s needs the row's sensitive "
		                    "group, and the row has none", d->line[i], what);
	return ft_error_set(err, FT_EDATA, "row %zu: %s needs the row's sensitive group, "
	                    "and the row has none", i + 1, what);
}

static int decide(const struct ft_predictor *p, const struct ft_dataset *d,
                  double threshold, int deterministic, double *score, double *pos,
                  struct ft_error *err);

/* The rows p's linear part reads: d, or d's rows through p's transform
 * (*own, the caller's to free; the rows keep d's lines and groups, so a row
 * the model cannot decide is named the same way). */
static int model_rows(const struct ft_predictor *p, const struct ft_dataset *d,
                      const struct ft_dataset **rows, struct ft_dataset **own,
                      struct ft_error *err)
{
	int rc;

	*rows = d;
	*own = NULL;
	if (!p || !p->linear)
		return ft_error_set(err, FT_EINVAL, "decide: no model");
	if (p->transform) {
		if ((rc = ft_transform_apply(p->transform, d, own, err)) != 0)
			return rc;
		*rows = *own;
	}
	return 0;
}

int ft_predictor_decision(const struct ft_predictor *p, const struct ft_dataset *d,
                          double *out, struct ft_error *err)
{
	const struct ft_dataset *rows;
	struct ft_dataset *own;
	int rc;

	if ((rc = model_rows(p, d, &rows, &own, err)) != 0)
		return rc;
	ft_linear_decision(p->linear, rows, out);
	ft_dataset_free(own);
	return 0;
}

int ft_predictor_decide(const struct ft_predictor *p, const struct ft_dataset *d,
                        double threshold, int deterministic, double *score,
                        double *pos, struct ft_error *err)
{
	const struct ft_dataset *rows;
	struct ft_dataset *own;
	int rc;

	if ((rc = model_rows(p, d, &rows, &own, err)) != 0)
		return rc;
	rc = decide(p, rows, threshold, deterministic, score, pos, err);
	ft_dataset_free(own);
	return rc;
}

static int decide(const struct ft_predictor *p, const struct ft_dataset *d,
                  double threshold, int deterministic, double *score, double *pos,
                  struct ft_error *err)
{
	switch (p->kind) {
	case FT_PRED_LINEAR:
	case FT_PRED_FRONTIER:
		return ft_classify(p->linear, NULL, NULL, d, threshold, score, pos, err);
	case FT_PRED_MIXTURE:
		return ft_classify(deterministic ? p->linear : NULL,
		                   deterministic ? NULL : p->mixture, NULL, d, threshold,
		                   score, pos, err);
	case FT_PRED_THRESHOLDS:
		return ft_classify(p->linear, NULL, p->thresholds, d, threshold, score,
		                   pos, err);
	case FT_PRED_RANKER:
		return ft_error_set(err, FT_EINVAL, "decide: the model is a linear ranker "
		                    "(it orders items per query and gives no probabilities)");
	default:
		return ft_error_set(err, FT_EINVAL, "decide: unknown predictor kind %d",
		                    p->kind);
	}
}

int ft_classify(const struct ft_linear_model *m, const struct ft_mixture *mx,
                const struct ft_thresholds *th, const struct ft_dataset *d,
                double threshold, double *score, double *pos,
                struct ft_error *err)
{
	size_t n = d->n;

	if (!m && !mx)
		return ft_error_set(err, FT_EINVAL, "classify: no model");
	/* a ranker's scores only order the items of a query: a sigmoid of them
	 * is no probability, so refuse rather than classify with it */
	if ((m && m->type == FT_MODEL_RANKER) ||
	    (mx && mx->k && mx->h[0]->type == FT_MODEL_RANKER))
		return ft_error_set(err, FT_EINVAL, "classify: the model is a linear "
		                    "ranker (it orders items per query and gives no "
		                    "probabilities)");
	if (isnan(threshold))
		return ft_error_set(err, FT_EINVAL, "classify: threshold is not a number");
	if (mx) {
		double *s = malloc((n ? n : 1) * sizeof *s);

		if (!s)
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		memset(score, 0, n * sizeof *score);
		if (pos)
			memset(pos, 0, n * sizeof *pos);
		for (size_t k = 0; k < mx->k; k++) {
			double wk = mx->weight[k];

			if (wk == 0.0)
				continue;
			ft_linear_predict_proba(mx->h[k], d, s);
			for (size_t i = 0; i < n; i++) {
				if (isnan(s[i])) {
					free(s);
					return no_group(d, i, "a per-group model", err);
				}
				score[i] += wk * s[i];
				if (pos)
					pos[i] += wk * (s[i] >= threshold);
			}
		}
		free(s);
		/* the weights sum to 1 up to rounding: keep both in [0, 1] */
		for (size_t i = 0; i < n; i++) {
			score[i] = fmin(1.0, fmax(0.0, score[i]));
			if (pos)
				pos[i] = fmin(1.0, fmax(0.0, pos[i]));
		}
	} else {
		ft_linear_predict_proba(m, d, score);
		for (size_t i = 0; i < n; i++) {
			if (isnan(score[i]))
				return no_group(d, i, "a per-group model", err);
			if (pos)
				pos[i] = score[i] >= threshold;
		}
	}
	if (th && pos) {
		for (size_t i = 0; i < n; i++) {
			int32_t g = d->group ? d->group[i] : -1;
			double s = score[i], a;

			if (g < 0 || (size_t)g >= th->n_groups)
				return no_group(d, i, "group-specific thresholds", err);
			a = th->p[g] * (s >= th->t0[g]) + (1.0 - th->p[g]) * (s >= th->t1[g]);
			pos[i] = (1.0 - th->q[g]) * a + th->q[g] * th->c[g];
		}
	} else if (th) {
		for (size_t i = 0; i < n; i++) {
			int32_t g = d->group ? d->group[i] : -1;
			if (g < 0 || (size_t)g >= th->n_groups)
				return no_group(d, i, "group-specific thresholds", err);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ checking */

__attribute__((format(printf, 3, 4)))
static int bad(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *nonfinite_word(double x)
{
	return isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/* A linear model called obj ("linear", "mixture predictor 2"): a known
 * type, one finite coefficient per feature, a finite intercept, and, for
 * one weight vector per group, one row per group. */
static int check_linear(const char *obj, const struct ft_linear_model *m,
                        size_t p, size_t n_groups, char *why, size_t n)
{
	if (!m)
		return bad(why, n, "%s is missing", obj);
	if (m->type != FT_MODEL_LOGREG && m->type != FT_MODEL_RANKER)
		return bad(why, n, "%s type %d is unknown", obj, m->type);
	if (m->type == FT_MODEL_RANKER && (m->intercept != 0 || m->n_groups))
		return bad(why, n, "%s is a linear ranker with %s", obj,
		           m->n_groups ? "per-group weights" : "an intercept that is not 0");
	if (m->p != p)
		return bad(why, n, "%s/coef has %zu values, expected %zu (n_features)", obj,
		           m->p, p);
	if (m->p && !m->coef)
		return bad(why, n, "%s has no coefficients", obj);
	for (size_t i = 0; i < m->p; i++)
		if (!isfinite(m->coef[i]))
			return bad(why, n, "%s/coef[%zu] is %s", obj, i,
			           nonfinite_word(m->coef[i]));
	if (!isfinite(m->intercept))
		return bad(why, n, "%s/intercept is %s", obj, nonfinite_word(m->intercept));
	if (m->n_groups == 0)
		return 0;
	if (m->n_groups != n_groups)
		return bad(why, n, "%s has %zu groups, the encoder has %zu", obj,
		           m->n_groups, n_groups);
	if ((m->p && !m->group_coef) || !m->group_intercept)
		return bad(why, n, "%s has n_groups %zu but no group_coef or "
		           "group_intercept", obj, m->n_groups);
	if (m->p && m->n_groups > SIZE_MAX / m->p)
		return bad(why, n, "%s/group_coef is too large", obj);
	for (size_t i = 0; i < m->n_groups * m->p; i++)
		if (!isfinite(m->group_coef[i]))
			return bad(why, n, "%s/group_coef[%zu, %zu] is %s", obj, i / m->p,
			           i % m->p, nonfinite_word(m->group_coef[i]));
	for (size_t i = 0; i < m->n_groups; i++)
		if (!isfinite(m->group_intercept[i]))
			return bad(why, n, "%s/group_intercept[%zu] is %s", obj, i,
			           nonfinite_word(m->group_intercept[i]));
	return 0;
}

/* k shared-weight logistic models (a mixture or a frontier). */
static int check_stack(const char *obj, struct ft_linear_model *const *h, size_t k,
                       size_t p, char *why, size_t n)
{
	char name[64];

	if (k == 0 || !h)
		return bad(why, n, "%s has no predictors", obj);
	for (size_t i = 0; i < k; i++) {
		if (!h[i])
			return bad(why, n, "%s predictor %zu is missing", obj, i);
		if (h[i]->n_groups)
			return bad(why, n, "%s predictor %zu is a per-group model", obj, i);
		if (h[i]->type != FT_MODEL_LOGREG)
			return bad(why, n, "%s predictor %zu is not a logistic regression",
			           obj, i);
		snprintf(name, sizeof name, "%s predictor %zu", obj, i);
		if (check_linear(name, h[i], p, 0, why, n))
			return -1;
	}
	return 0;
}

static int check_finite(const char *obj, const double *v, size_t k, char *why, size_t n)
{
	if (k && !v)
		return bad(why, n, "%s is missing", obj);
	for (size_t i = 0; i < k; i++)
		if (!isfinite(v[i]))
			return bad(why, n, "%s[%zu] is %s", obj, i, nonfinite_word(v[i]));
	return 0;
}

/* Probabilities in [0, 1]. */
static int check_prob(const char *obj, const double *v, size_t k, char *why, size_t n)
{
	if (k && !v)
		return bad(why, n, "%s is missing", obj);
	for (size_t i = 0; i < k; i++)
		if (!(v[i] >= 0.0 && v[i] <= 1.0))
			return bad(why, n, "%s[%zu] = %g is not in [0, 1]", obj, i, v[i]);
	return 0;
}

int ft_predictor_check(const struct ft_predictor *p, size_t n_features,
                       size_t n_groups, char *why, size_t n)
{
	const struct ft_mixture *mx = p->mixture;
	const struct ft_thresholds *th = p->thresholds;
	const struct ft_frontier *fr = p->frontier;
	int ranker = p->kind == FT_PRED_RANKER;

	if (p->kind < 0 || p->kind >= FT_N_PRED)
		return bad(why, n, "predictor kind %d is unknown", p->kind);
	if ((mx != NULL) != (p->kind == FT_PRED_MIXTURE) ||
	    (th != NULL) != (p->kind == FT_PRED_THRESHOLDS) ||
	    (fr != NULL) != (p->kind == FT_PRED_FRONTIER) ||
	    (p->rerank && !ranker))
		return bad(why, n, "a %s predictor with %s", ft_predictor_kind_name(p->kind),
		           mx && p->kind != FT_PRED_MIXTURE ? "a mixture" :
		           th && p->kind != FT_PRED_THRESHOLDS ? "thresholds" :
		           fr && p->kind != FT_PRED_FRONTIER ? "a frontier" :
		           p->rerank && !ranker ? "a re-ranker" : "a part missing");
	if (p->eopp) {
		struct ft_error terr = {0};
		if (!ranker)
			return bad(why, n, "a %s predictor with a score map (eopp)",
			           ft_predictor_kind_name(p->kind));
		if (ft_eopp_check(p->eopp, n_groups, &terr)) {
			bad(why, n, "%s", terr.msg);
			ft_error_clear(&terr);
			return -1;
		}
	}
	if (p->transform) {
		struct ft_error terr = {0};
		if (ranker)
			return bad(why, n, "a ranker with a feature transform");
		if (!p->transform->names)
			return bad(why, n, "transform has no output names");
		if (ft_transform_check(p->transform, &terr)) {
			bad(why, n, "%s", terr.msg);
			ft_error_clear(&terr);
			return -1;
		}
		if (p->transform->p_in != n_features)
			return bad(why, n, "transform reads %zu features, the encoder has %zu",
			           p->transform->p_in, n_features);
		if (p->transform->n_groups && p->transform->n_groups != n_groups)
			return bad(why, n, "transform has %zu groups, the encoder has %zu",
			           p->transform->n_groups, n_groups);
		/* the models read the transform's outputs */
		n_features = p->transform->p_out;
	}
	if (check_linear("linear model", p->linear, n_features, n_groups, why, n))
		return -1;
	if ((p->linear->type == FT_MODEL_RANKER) != ranker)
		return bad(why, n, "a %s predictor whose model is %s",
		           ft_predictor_kind_name(p->kind),
		           ranker ? "a classifier" : "a linear ranker");
	if (mx) {
		double sum = 0;
		if (check_stack("mixture", mx->h, mx->k, n_features, why, n) ||
		    check_prob("mixture/weight", mx->weight, mx->k, why, n))
			return -1;
		for (size_t i = 0; i < mx->k; i++)
			sum += mx->weight[i];
		if (fabs(sum - 1.0) > 1e-9)
			return bad(why, n, "mixture/weight sums to %.17g, not 1", sum);
	}
	if (th) {
		/* +-inf thresholds mean never / always positive: allowed here;
		 * only NaN is refused (files store them as 2 and -1) */
		const double *v[2] = { th->t0, th->t1 };
		if (th->n_groups != n_groups || th->n_groups == 0)
			return bad(why, n, "thresholds has %zu groups, the encoder has %zu",
			           th->n_groups, n_groups);
		for (int j = 0; j < 2; j++) {
			if (!v[j])
				return bad(why, n, "thresholds/t%d is missing", j);
			for (size_t g = 0; g < th->n_groups; g++)
				if (isnan(v[j][g]))
					return bad(why, n, "thresholds/t%d[%zu] is nan", j, g);
		}
		if (check_prob("thresholds/p", th->p, th->n_groups, why, n) ||
		    check_prob("thresholds/q", th->q, th->n_groups, why, n) ||
		    check_prob("thresholds/c", th->c, th->n_groups, why, n))
			return -1;
		if (p->linear->n_groups)
			return bad(why, n, "thresholds on a per-group model");
	}
	if (fr) {
		if (check_stack("frontier", fr->h, fr->k, n_features, why, n) ||
		    check_finite("frontier/error", fr->error, fr->k, why, n) ||
		    check_finite("frontier/violation", fr->violation, fr->k, why, n) ||
		    (fr->n_lambda && check_finite("frontier/lambda", fr->lambda,
		                                  fr->k * fr->n_lambda, why, n)))
			return -1;
		if (fr->chosen >= fr->k)
			return bad(why, n, "frontier chosen = %zu is not below %zu", fr->chosen,
			           fr->k);
	}
	return 0;
}
