/*
 * prejudice.h - the prejudice remover's objective as a solver vtable
 * (internal, not installed).  ft_fit_prejudice (fair.h) is the method; this
 * exposes its objective so that tests can check the gradient by finite
 * differences and the prejudice index against closed forms.
 */
#ifndef FT_PREJUDICE_H
#define FT_PREJUDICE_H

#include <stddef.h>
#include "fairtrain.h"

/* The objective of prejudice.c over x: per_group = 1 holds n_groups blocks
 * (beta_g[0..p-1], b_g), dim n_groups * (p + 1); per_group = 0 one block,
 * dim p + 1.  With fit_intercept = 0 each b is pinned as in logreg.c (the
 * objective adds b^2/2); with fit_intercept = 1 and penalize_intercept = 1
 * each b is fitted and penalised like the betas (b^2/2: Kamishima's
 * objective), with penalize_intercept = 0 not penalised.  d (labels,
 * weights, groups 0..n_groups-1) is borrowed and must outlive obj; free
 * with ft_prejudice_objective_free.  Checks the data (as
 * ft_logreg_objective does, plus the groups). */
int ft_prejudice_objective(const struct ft_dataset *d, size_t n_groups,
                           double C, int fit_intercept, int penalize_intercept,
                           double eta, int per_group, struct ft_objective *obj,
                           struct ft_error *err);
void ft_prejudice_objective_free(struct ft_objective *obj);
/* The two terms at x, unscaled: *loss = sum_i w_i logloss_i and *pi = the
 * prejudice index PI = sum_i w_i sum_y P(y|x_i,s_i) ln(Phat(y|s_i)/Phat(y))
 * (nats, a sum over rows); *w_sum = sum_i w_i.  Any output may be NULL. */
int ft_prejudice_terms(const struct ft_objective *obj, const double *x,
                       double *loss, double *pi, double *w_sum);

#endif
