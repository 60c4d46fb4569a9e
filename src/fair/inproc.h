/*
 * inproc.h - the in-processing methods of issue 18 (internal, not
 * installed): adversarial debiasing (adversarial.c), rich-subgroup
 * fairness learning (gerryfair.c) and the meta-fair classifier (meta.c).
 * The fit functions have the signature of struct ft_method.fit; the other
 * functions are the pieces they are made of, exposed for the tests.
 */
#ifndef FT_INPROC_H
#define FT_INPROC_H

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

/* ------------------------------------------------------ adversarial.c */

/* params: constraint (0 dp, 1 eo), alpha, epochs, batch_size, lr, schedule
 * (0 exp, 1 inv_t), seed. */
int ft_fit_adversarial(const struct ft_fit_input *in, struct ft_fit_output *out,
                       struct ft_error *err);

/* The binary sensitive attribute of each row (the adversary's target; the
 * z of meta.c): 1 for the privileged group (or, with two groups and none
 * privileged, group 1), 0 for the others, -1 for rows of no group (which
 * the adversary does not see).  a: d->n entries.
 * FT_EDATA when there are more than two groups and none is privileged, or
 * when a side is empty. */
int ft_adv_targets(const struct ft_fit_input *in, const char *tag, int8_t *a,
                   struct ft_error *err);

/* The two losses on the rows idx[0 .. m) and their gradients (adversarial.c
 * has the formulas): x = (beta, b) the predictor (dim p + 1), th = (c, u,
 * b_a) the adversary (dim 2 + k, k = 1 for dp, 4 for eo).
 *   LP = (1/m) sum_i w_i logloss(y_i, z_i) + ||beta||^2 / (2 C n),
 *   LA = (1/m) sum_i w_i logloss(a_i, u.f_i + b_a),  f_i = (s_i) or
 *        (s_i, s_i y_i, s_i (1 - y_i), y_i),  s_i = sigmoid((1 + |c|) z_i),
 * z_i = x_i.beta + b, n = d->n, rows with a_i = -1 left out of LA.
 * gP, gA (dim p + 1): d LP / d x and d LA / d x; gT (2 + k): d LA / d th.
 * Any gradient pointer may be NULL. */
void ft_adv_losses(const struct ft_dataset *d, const int8_t *a, int eo, double C,
                   const size_t *idx, size_t m, const double *x, const double *th,
                   double *LP, double *gP, double *LA, double *gA, double *gT);
/* The predictor's update direction (Zhang et al. 2018's update rule):
 *   dir = gP - (gP . u) u - alpha gA,  u = gA / (||gA|| + tiny),
 * all of dim entries. */
void ft_adv_direction(size_t dim, const double *gP, const double *gA, double alpha,
                      double *dir);

/* ------------------------------------------------------- gerryfair.c */

/* params: rate (0 fp, 1 fn), gamma, C, max_iter. */
int ft_fit_gerryfair(const struct ft_fit_input *in, struct ft_fit_output *out,
                     struct ft_error *err);

/* ------------------------------------------------------------ meta.c */

/* params: type (0 sr, 1 fdr), tau, seed. */
int ft_fit_meta(const struct ft_fit_input *in, struct ft_fit_output *out,
                struct ft_error *err);
/* The Gaussian of the meta-fair classifier fitted to (x, y in {-1, 1}, z)
 * on d with z (d->n entries, 0 or 1): its P(y = 1 | x, z) is sigmoid(w.x
 * + c[z]) (w: d->p entries); *rank: the eigenvalues of the covariance
 * kept by the pseudo-inverse. */
int ft_meta_gauss(const struct ft_dataset *d, const int8_t *z, double *w, double c[2],
                  size_t *rank, struct ft_error *err);

#endif
