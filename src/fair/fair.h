/*
 * fair.h - the fit functions behind the method table (src/fair/methods.c).
 * Each has the signature of struct ft_method.fit; parameters arrive in
 * in->params in the order of the method's table entry.
 */
#ifndef FT_FAIR_H
#define FT_FAIR_H

#include "fairtrain.h"

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

/* eopp.c: LiFT's transformScore, the piecewise linear map through the
 * knots (key[0 .. m) increasing -> val), constant beyond the ends. */
double ft_eopp_interp(const double *key, const double *val, size_t m, double s);

#endif
