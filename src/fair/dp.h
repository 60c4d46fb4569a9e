/*
 * dp.h - the differentially private methods of the method table and the
 * pieces they share (internal, not installed): src/fair/dp_logreg.c,
 * dp_methods.c, dp_reductions.c.  The public side (mechanisms, budget,
 * ft_dplr_fit, the audit) is in fairtrain.h, "differential privacy".
 */
#ifndef FT_FAIR_DP_H
#define FT_FAIR_DP_H

#include <stddef.h>
#include "fairtrain.h"

/* The numbers Chaudhuri et al.'s algorithms run on (dp_logreg.c, top):
 * for n rows of norm <= q and the objective C sum w_i loss_i + 1/2 ||x||^2
 * with weights <= 1 (C already multiplied by the weight bound). */
struct ft_dplr_calib {
	size_t n, dim;         /* rows; coordinates that carry noise */
	double q;              /* row norm bound, intercept's 1 included */
	double C;              /* effective C */
	double Lambda;         /* 1 / (n C) */
	double eps_prime;      /* objective: epsilon' (Algorithm 2) */
	double Delta;          /* objective: the extra regulariser, 0 when eps' > 0 */
	double reg;            /* the quadratic term's weight in C-units: 1 + n C Delta */
	double scale;          /* the noise: density exp(-||b|| / scale), or the
	                          Gaussian's sigma (output perturbation, delta > 0) */
	int gaussian;
};
/* The calibration of p for n rows (no data is read). */
int ft_dplr_calibrate(const struct ft_dplr_params *p, size_t n, size_t n_features,
                      struct ft_dplr_calib *cal, struct ft_error *err);
/* The fit given the noise vector b (cal->dim entries, NULL = no noise):
 * x receives (coefficients, intercept) (n_features + 1).  Objective
 * perturbation when p->mechanism is FT_DP_OBJECTIVE, else the
 * unperturbed minimiser plus b.  For the tests and the diffprivlib
 * comparison; ft_dplr_fit draws b and calls this. */
int ft_dplr_fit_noise(const struct ft_dataset *d, const struct ft_dplr_params *p,
                      const struct ft_dplr_calib *cal, const double *b, double *x,
                      struct ft_solver_result *res, struct ft_error *err);
/* The per-row clipping factors min(1, row_norm / ||x_i||) (n entries). */
int ft_dplr_clip_factors(const struct ft_dataset *d, double row_norm, double *s);

/* Record the method's spending in out->budget (a copy of b). */
int ft_dp_output_budget(struct ft_fit_output *out, const struct ft_budget *b,
                        struct ft_error *err);

/* Method fit functions (parameters in table order: methods.c). */
int ft_fit_dp_logreg(const struct ft_fit_input *in, struct ft_fit_output *out,
                     struct ft_error *err);
int ft_fit_dp_reweigh(const struct ft_fit_input *in, struct ft_fit_output *out,
                      struct ft_error *err);
int ft_fit_dp_threshold(const struct ft_fit_input *in, struct ft_fit_output *out,
                        struct ft_error *err);
int ft_fit_dp_eg(const struct ft_fit_input *in, struct ft_fit_output *out,
                 struct ft_error *err);

/* (group, label) counts of d released by the geometric mechanism with
 * eps (L1 sensitivity 2 under replacement of a row); noisy[g * 2 + y]
 * clamped at `floor` (G x 2 entries).  Rows of no group are not counted.
 * exact (may be NULL) receives the true counts, for tests. */
int ft_dp_group_label_counts(const struct ft_dataset *d, size_t G, double eps,
                             double floor_, struct ft_noise *ns, double *noisy,
                             double *exact, struct ft_error *err);

/* dp-threshold's histogram: cnt[(g * 2 + y) * bins + b] counts the rows of
 * group g, label y whose score s falls in bin b of `bins` equal bins of
 * [0, 1] (s >= b / bins and below the next edge); rows of no group are
 * left out.  Zeroed here. */
void ft_dp_score_histogram(const struct ft_dataset *d, const double *s, size_t G,
                           size_t bins, int64_t *cnt);

#endif
