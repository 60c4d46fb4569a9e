/*
 * fair.h - the fit functions behind the method table (src/fair/methods.c).
 * Each has the signature of struct ft_method.fit; parameters arrive in
 * in->params in the order of the method's table entry.
 */
#ifndef FT_FAIR_H
#define FT_FAIR_H

#include "fairtrain.h"
#include "model/rank.h"

/* methods.c: the unmitigated model and reweighing (Kamiran & Calders 2012). */
int ft_fit_logreg(const struct ft_fit_input *in, struct ft_fit_output *out,
                  struct ft_error *err);
int ft_fit_reweigh(const struct ft_fit_input *in, struct ft_fit_output *out,
                   struct ft_error *err);
/* Reweighing weights w(g, y) = P(g) P(y) / P(g, y) from weighted counts,
 * multiplied into w (n rows).  table[g * 2 + y] receives w(g, y) (n_groups
 * * 2 entries; 0 for empty cells). */
int ft_reweigh_weights(const struct ft_dataset *d, size_t n_groups, double *w,
                       double *table, struct ft_error *err);

/* prejudice.c: prejudice remover (Kamishima et al. 2012).
 * params: eta, per_group (1: one weight vector per group, the paper's model). */
int ft_fit_prejudice(const struct ft_fit_input *in, struct ft_fit_output *out,
                     struct ft_error *err);

/* regularizers.c: logistic loss + lambda * penalty.  params: lambda. */
int ft_fit_reg_dp(const struct ft_fit_input *in, struct ft_fit_output *out,
                  struct ft_error *err);
int ft_fit_reg_eo(const struct ft_fit_input *in, struct ft_fit_output *out,
                  struct ft_error *err);
int ft_fit_reg_eop(const struct ft_fit_input *in, struct ft_fit_output *out,
                   struct ft_error *err);
int ft_fit_reg_cov(const struct ft_fit_input *in, struct ft_fit_output *out,
                   struct ft_error *err);
/* The penalised objective for method "reg-dp" / "reg-eo" / "reg-eop" /
 * "reg-cov" over d's groups (names may be NULL: groups are named by index),
 * and R(x) with its gradient (g: dim entries or NULL); for the tests. */
int ft_reg_objective(const char *method, const struct ft_dataset *d,
                     size_t n_groups, const char *const *group_names,
                     double C, int fit_intercept, double lambda,
                     struct ft_objective *obj, struct ft_error *err);
void ft_reg_objective_free(struct ft_objective *obj);
int ft_reg_penalty(const struct ft_objective *obj, const double *x, double *R,
                   double *g);

/* covariance.c: Zafar et al. (AISTATS 2017, WWW 2017).
 * cov-fair: min loss s.t. |cov_k| <= c for each group indicator k.  params: c.
 * cov-acc: min sum_k cov_k^2 s.t. loss <= (1 + gamma) loss*.  params: gamma.
 * mistreat: min loss s.t. |cov(misclassification distance)| <= c on
 *   negatives (fpr = 1) and/or positives (fnr = 1).  params: c, fpr, fnr. */
int ft_fit_cov_fair(const struct ft_fit_input *in, struct ft_fit_output *out,
                    struct ft_error *err);
int ft_fit_cov_acc(const struct ft_fit_input *in, struct ft_fit_output *out,
                   struct ft_error *err);
int ft_fit_mistreat(const struct ft_fit_input *in, struct ft_fit_output *out,
                    struct ft_error *err);

/* ------------------------------------------------ fair ranking (rank.h) */

/* deltr.c: the DELTR penalty in score space.  Adds sum_q aq[q] U_q to *u
 * and gamma aq[q] dU_q/ds to c (c may be NULL); e0, e1 (may be NULL) get
 * the sums over the queries holding both groups of E_q(G0), E_q(G1), and
 * *nboth their number.  P is scratch (n).  0 or FT_ENOMEM. */
int ft_deltr_part(const struct ft_rank_data *rd, const double *s,
                  const double *aq, int32_t pg, double gamma, double *P,
                  double *c, double *u, double *e0, double *e1, double *nboth);
/* deltr.c: the authors' training loop (struct ft_rank_params.reference);
 * fills res->res and appends the oscillation diagnostics. */
int ft_deltr_reference_fit(const struct ft_rank_data *rd,
                           const struct ft_rank_params *p, double *w,
                           struct ft_rank_result *res, struct ft_error *err);

/* pairwise.c: the cross-group pair counts n01 (G0 doc more relevant than a
 * G1 doc of the same query) and n10. */
void ft_pair_counts(const struct ft_rank_data *rd, int32_t pg, double *n01,
                    double *n10);
/* pairwise.c: sums of sigmoid(s_i - s_j) over the two kinds of pairs
 * (num01, num10) and, when cg is not NULL, d gap / d s into cg (zeroed
 * first), gap = num01 / n01 - num10 / n10.  0 or FT_ENOMEM. */
int ft_pair_part(const struct ft_rank_data *rd, const double *s, int32_t pg,
                 double n01, double n10, double *num01, double *num10,
                 double *cg);
/* pairwise.c: min loss s.t. |gap| <= c by the augmented Lagrangian. */
int ft_pair_con_fit(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                    double *w, struct ft_rank_result *res, struct ft_error *err);

/* score_map.c: LiFT's transformScore, the piecewise linear map through the
 * knots (key[0 .. m) increasing -> val), constant beyond the ends. */
double ft_eopp_interp(const double *key, const double *val, size_t m, double s);

#endif
