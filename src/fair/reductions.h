/*
 * reductions.h - the reductions approach to fair classification (Agarwal,
 * Beygelzimer, Dudik, Langford & Wallach, ICML 2018): the fit functions of
 * methods "eg" and "grid", and the pieces they are made of, exposed for the
 * tests (internal, not installed).  See reductions.c for the algorithms.
 */
#ifndef FT_REDUCTIONS_H
#define FT_REDUCTIONS_H

#include <stddef.h>
#include "fairtrain.h"

/* params: constraint (choice), eps, ratio, max_iter, eta0, nu, loss
 * (bgl: 0 log, 1 zero_one), upper_bound (bgl). */
int ft_fit_eg(const struct ft_fit_input *in, struct ft_fit_output *out,
              struct ft_error *err);
/* ft_fit_eg is ft_red_eg with run_lp = 1; run_lp = 0 leaves out the LP
 * step (Fairlearn's run_linprog_step = False): plain exponentiated
 * gradient, for the tests. */
int ft_red_eg(const struct ft_fit_input *in, int run_lp, struct ft_fit_output *out,
              struct ft_error *err);
/* params: constraint (choice), eps, ratio, grid_size, grid_limit,
 * constraint_weight, loss (bgl), upper_bound (bgl). */
int ft_fit_grid(const struct ft_fit_input *in, struct ft_fit_output *out,
                struct ft_error *err);

/* The constraints ("moments"), in the order of the choice parameter. */
enum ft_red_kind {
	FT_RED_DP = 0,   /* demographic parity: E[h | A = a] vs E[h] */
	FT_RED_EO,       /* equalized odds: the TPR and FPR moments together */
	FT_RED_TPR,      /* true-positive-rate parity: E[h | A = a, Y = 1] vs E[h | Y = 1] */
	FT_RED_FPR,      /* false-positive-rate parity: the same given Y = 0 */
	FT_RED_ERP,      /* error-rate parity: E[1(h != y) | A = a] vs E[1(h != y)] */
	FT_RED_BGL,      /* bounded group loss (Agarwal, Dudik & Wu, ICML 2019): the mean
	                    loss of every group <= upper_bound */
	FT_RED_N
};
/* The losses of bounded group loss, in the order of the choice parameter. */
enum ft_red_loss { FT_RED_LOSS_LOG = 0, FT_RED_LOSS_ZERO_ONE };

/* A moment on a data set.  Bounded group loss (kind FT_RED_BGL) has one
 * constraint per group, k = a: gamma_a = the mean loss of group a (loss:
 * log loss of sigmoid(x.beta + b), or the zero-one loss of its decision),
 * bounded by eps = upper_bound; its objective is the overall mean of the
 * same loss.  The others: constraint k = (s * E + e) * G + a for sign s
 * (0 = "+", 1 = "-"), event e < E and group a < G:
 *   gamma_{+,e,a} = r M_{e,a} - M_e,   gamma_{-,e,a} = -M_{e,a} + r M_e,
 * M_{e,a} = weighted mean utility of the rows of event e and group a, M_e
 * the same over all groups, r = ratio (1 for the difference bound).  The
 * bound of every constraint is eps: gamma_k <= eps.  Events: one for dp,
 * tpr, fpr and erp; two for eo (e = 0: y = 0, the FPR moment; e = 1:
 * y = 1, the TPR moment).  Rows of no group (group -1) count in the error
 * only. */
struct ft_moment {
	int kind;                 /* enum ft_red_kind */
	int loss;                 /* bgl: enum ft_red_loss (set after ft_moment_init) */
	int span;                 /* bgl: 1 leaves the objective out of the signed
	                             weights (grid search's lambda carries it) */
	double ratio, eps;
	size_t G, E, m;           /* groups, events, constraints = 2 E G (bgl: G) */
	const struct ft_dataset *d;
	const char *const *names; /* group names (may be NULL) */
	double W;                 /* total weight, every row */
	double *Wgy;              /* (G + 1) x 2: weight per (group block, label) */
	double *We, *Wea;         /* E, E x G: weight per event, per (event, group) */
};

/* The event of a row with label y under moment kind, or -1 (the row is in
 * no constraint). */
int ft_red_event_of(int kind, int y);
/* lambda = B exp(theta) / (1 + sum_k exp(theta_k)) (m entries), shifted so
 * that no exponential overflows: eg's multipliers from its weights. */
void ft_red_lambda_of_theta(size_t m, const double *theta, double B, double *lam);

/* Check the data (labels, groups, weights) and fill mo.  Fails with
 * FT_EDATA naming the group when a group has no rows (no weight), or when
 * an event of the moment (y = 1 for tpr, y = 0 for fpr, both for eo) has
 * none in some group; tag names the method in messages. */
int ft_moment_init(struct ft_moment *mo, const struct ft_dataset *d,
                   size_t n_groups, const char *const *names, int kind,
                   double eps, double ratio, const char *tag,
                   struct ft_error *err);
void ft_moment_free(struct ft_moment *mo);
/* S[(g * 2) + y] = sum of w_i pred_i over rows of group block g (G = no
 * group) and label y, for P(yhat = 1) = pred (n entries in [0, 1]). */
int ft_moment_tally(const struct ft_moment *mo, const double *pred, double *S);
/* The training error and gamma (m entries) of a classifier with tally S
 * (bgl: the zero-one loss whatever mo->loss says). */
void ft_moment_eval(const struct ft_moment *mo, const double *S, double *error,
                    double *gamma);
/* Signed weights of the best-response problem for multipliers lambda (m):
 * s_i = w_i ((2 y_i - 1) + c_i(lambda)), proportional to
 * cost(yhat_i = 0) - cost(yhat_i = 1) in the Lagrangian err + lambda.gamma
 * (s has n entries; see reductions.c); bgl: s_i = (2 y_i - 1) w_i (1 +
 * lambda_a W / W_a) for a row of group a (without the 1 when mo->span),
 * so that relabelling keeps the labels and weighs the rows.  0 or
 * FT_ENOMEM. */
int ft_moment_signed(const struct ft_moment *mo, const double *lambda, double *s);
/* "+,Female" or, for eo, "+,y=1,Female" (bgl: "Female"): the name of
 * constraint k. */
void ft_moment_name(const struct ft_moment *mo, size_t k, char *buf, size_t size);

/* The best-response problem for lambda as weighted classification
 * (Fairlearn's _call_oracle): s = ft_moment_signed, label y_i = 1(s_i > 0),
 * weight w_i = |s_i| rescaled so that the weights sum to mo->W, the total
 * sample weight (n when unweighted).  *one_label = 1 (-1) when every unit
 * of weight asks for label 1 (0): the answer is then the constant
 * classifier, and w is left unscaled; else 0.  s, y, w: n entries.  0,
 * FT_ENOMEM, or FT_ENUMERIC when the weights overflow. */
int ft_red_relabel(const struct ft_moment *mo, const double *lambda, double *s,
                   double *y, double *w, int *one_label);
/* One best response to lambda on in->train (from in->baseline), as eg and
 * grid fit it: *h (the caller's), its training error and gamma (m). */
int ft_red_best_response(const struct ft_fit_input *in, int kind, double eps,
                         double ratio, const double *lambda,
                         struct ft_linear_model **h, double *error, double *gamma,
                         struct ft_error *err);

/* The LP over K found predictors (Fairlearn's solve_linprog):
 *   min_{Q, z} sum_h err_h Q_h + B z
 *   s.t. sum_h (gam[h * m + k] - eps) Q_h <= z (k < m), sum_h Q_h = 1,
 *        Q >= 0, z >= 0,
 * and its dual max_{lambda >= 0, sum lambda <= B} min_h err_h +
 * lambda.(gam_h - eps), by one simplex solve of the dual (Bland's rule).
 * Q: K entries summing to 1; lambda: m; *value: the optimal value.
 * FT_ENUMERIC when the simplex stalls (iteration cap), FT_ENOMEM. */
int ft_red_lp(size_t K, size_t m, const double *err, const double *gam,
              double eps, double B, double *Q, double *lambda, double *value);

/* Grid search's grid of multiplier coordinates (Fairlearn's _GridGenerator
 * without the L1-norm constraint): the integer points of the smallest L1
 * ball in dim dimensions holding at least size points, the size points of
 * smallest L1 norm kept (ties in enumeration order), listed in enumeration
 * order (lexicographic, each coordinate from -r to r) and scaled by
 * limit / r.  *coef: size x dim doubles (malloc'ed); *ipt: the same as
 * integers (malloc'ed; may be NULL). */
int ft_red_grid(size_t dim, size_t size, double limit, double **coef,
                long **ipt, struct ft_error *err);
/* The group of each grid coordinate (dim = E (G - 1) entries in axis):
 * per event, every group but the one of least weight in the event (the
 * last such on ties), in index order.  For two groups the one axis is the
 * larger group's multiplier: see reductions.c, "the axis rule". */
void ft_red_grid_axes(const struct ft_moment *mo, size_t *axis);

/* A cost-sensitive learner on in->train, the one eg and grid use for their
 * best responses (weighted logistic fits on a relabelled view of the data,
 * a looser gradient tolerance, a lagged Hessian; reductions.c), for other
 * methods whose learner plays best responses (gerryfair.c). */
struct ft_csc;
int ft_csc_new(const struct ft_fit_input *in, const char *tag, struct ft_csc **out,
               struct ft_error *err);
void ft_csc_free(struct ft_csc *c);
/* The best response to signed costs s (n entries: cost(yhat_i = 0) -
 * cost(yhat_i = 1), in any positive scale): label 1(s_i > 0) and weight
 * |s_i| rescaled to sum to the total sample weight, fitted from start
 * (dim = p + 1 entries; NULL: the baseline, or zero) into x (dim);
 * *is_const = +1 / -1 when every unit of weight asks for label 1 / 0 (x is
 * then the constant classifier), else 0.  ft_csc_dim gives dim. */
int ft_csc_fit(struct ft_csc *c, const double *s, const double *start, double *x,
               int *is_const, struct ft_error *err);
size_t ft_csc_dim(const struct ft_csc *c);
/* What the fits cost so far: learner fits, Newton iterations, the largest
 * final gradient norm, whether every fit converged, the solver used. */
void ft_csc_stats(const struct ft_csc *c, size_t *fits, long *newton_iters,
                  double *max_grad, int *all_converged, int *solver);
/* A model from x (dim entries), or NULL when out of memory. */
struct ft_linear_model *ft_csc_model(const struct ft_csc *c, const double *x);

#endif
