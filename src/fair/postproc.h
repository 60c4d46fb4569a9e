/*
 * postproc.h - threshold post-processing (internal, not installed): the
 * method "threshold" of the method table and the solver behind it, which
 * works on bare arrays so that tests can give it scores directly.
 *
 * Hardt, Price & Srebro, "Equality of Opportunity in Supervised Learning",
 * NeurIPS 2016, sec. 4; Fairlearn's ThresholdOptimizer.
 */
#ifndef FT_POSTPROC_H
#define FT_POSTPROC_H

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

/* The choices of the method's parameters, in table order. */
enum ft_thr_constraint { FT_THR_DP = 0, FT_THR_EO, FT_THR_TPR, FT_THR_FPR };
enum ft_thr_objective { FT_THR_ACCURACY = 0, FT_THR_BALANCED_ACCURACY };

/* The group-specific randomized thresholds (struct ft_thresholds) on scores
 * s[0..n-1] that maximise the weighted training objective (accuracy or
 * balanced accuracy) subject to exactly equal constrained rates across the
 * n_groups groups: selection rate (dp), true positive rate (tpr), false
 * positive rate (fpr) or both TPR and FPR (eo).  y: 0/1 labels; w: weights
 * >= 0 (NULL = all 1); group[i] in [0, n_groups) for every row.  names
 * (may be NULL) name the groups in messages.  *out is the caller's (free
 * with ft_thresholds_free); *objective (may be NULL) receives the optimum.
 * Fails with FT_EDATA naming the group when a group has no rows (no
 * weight), or no positives (tpr, eo) or no negatives (fpr, eo). */
int ft_threshold_solve(const double *s, const double *y, const double *w,
                       const int32_t *group, size_t n, size_t n_groups,
                       const char *const *names, int constraint, int objective,
                       struct ft_thresholds **out, double *objective_value,
                       struct ft_error *err);

/* The same from each group's threshold points instead of rows (dp-threshold
 * feeds it noisy counts): point k = 0 .. m makes positive the rows with
 * score >= thr[k], of which tp[k] (tp[m] = all positives) are positive and
 * fp[k] negative; tp and fp cumulative (non-decreasing, starting at 0),
 * thr decreasing from thr[0] = +inf (nobody) to thr[m] (everybody). */
struct ft_roc {
	size_t m;
	const double *tp, *fp, *thr;     /* m + 1 each */
};
int ft_threshold_solve_roc(const struct ft_roc *roc, size_t n_groups,
                           const char *const *names, int constraint, int objective,
                           struct ft_thresholds **out, double *objective_value,
                           struct ft_error *err);

/* A deep copy of m (per-group coefficients included), or NULL when memory
 * is short. */
struct ft_linear_model *ft_linear_model_copy(const struct ft_linear_model *m);

/* The method: params constraint (enum ft_thr_constraint) and objective
 * (enum ft_thr_objective).  Scores are the baseline's sigmoid(x.beta + b)
 * on in->train; out->model is a copy of in->baseline, out->thresholds the
 * thresholds; diagnostics: objective_baseline (the baseline at threshold
 * 0.5), objective, and per group t0, t1, p, q, c and the achieved rates. */
int ft_fit_threshold(const struct ft_fit_input *in, struct ft_fit_output *out,
                     struct ft_error *err);


/* ---- postproc_aif.c: AIF360's post-processors as struct ft_thresholds ---- */

/* cal-eo (Pleiss et al. 2017; AIF360's CalibratedEqOddsPostprocessing).
 * Classes: 0 = every group but the privileged one pooled, 1 = privileged. */
enum ft_caleo_cost { FT_CALEO_FNR = 0, FT_CALEO_FPR, FT_CALEO_WEIGHTED };
struct ft_caleo {
	double base_rate[2], gfpr[2], gfnr[2];   /* weighted, per class */
	double cost[2], trivial_cost[2];
	double mix_rate[2];                      /* clipped to [0, 1] */
	double raw_mix_rate[2];                  /* before clipping (0 if unused) */
	double threshold;
};
/* The mixing rates from scores s in [0, 1] (labels y, weights w or NULL,
 * groups in [0, n_groups)); FT_EDATA when a class lacks positives or
 * negatives. */
int ft_caleo_solve(const double *s, const double *y, const double *w,
                   const int32_t *group, size_t n, size_t n_groups, long privileged,
                   int cost, double threshold, struct ft_caleo *out,
                   struct ft_error *err);
/* params: cost (fnr|fpr|weighted), threshold. */
int ft_fit_caleo(const struct ft_fit_input *in, struct ft_fit_output *out,
                 struct ft_error *err);

/* reject-option (Kamiran et al. 2012; AIF360's RejectOptionClassification). */
enum ft_roc_metric { FT_ROC_SPD = 0, FT_ROC_AOD, FT_ROC_EOD };
struct ft_roc_params {
	int metric;              /* enum ft_roc_metric; spd */
	double lb, ub;           /* bounds on the metric; -0.05, 0.05 */
	double low, high;        /* classification thresholds searched; 0.01, 0.99 */
	size_t n_thresh;         /* 100 */
	size_t n_margin;         /* 50 */
};
void ft_roc_params_init(struct ft_roc_params *p);
struct ft_reject_choice {
	double threshold, margin;        /* the chosen grid point */
	double balanced_accuracy, metric;
	int feasible;                    /* 0: no point met the bounds */
	size_t index, n_points;          /* its index in grid order, grid size */
	double cut[2];                   /* decision cuts (s >= cut): [0] unprivileged,
	                                    [1] privileged */
	double W[2][2];                  /* weight of class c, label y */
};
int ft_roc_solve(const double *s, const double *y, const double *w,
                 const int32_t *group, size_t n, size_t n_groups, long privileged,
                 const struct ft_roc_params *p, struct ft_reject_choice *out,
                 struct ft_error *err);
/* params: metric (spd|aod|eod), lb, ub, low, high, n_thresh, n_margin. */
int ft_fit_reject_option(const struct ft_fit_input *in, struct ft_fit_output *out,
                         struct ft_error *err);
/* np.linspace(lo, hi, n)[i], bit for bit. */
double ft_linspace_at(double lo, double hi, size_t n, size_t i);

#endif
