/*
 * model.h - row helpers shared by the linear models (internal, not
 * installed).
 *
 * A row of struct ft_dataset is a dense numeric part num[i, 0..n_num-1]
 * (features 0..n_num-1) plus, for each categorical column c, one hot feature
 * code[i, c] (or -1 for none).  These helpers touch only those non-zeros;
 * nothing ever builds the dense one-hot row.  Callers guarantee that codes
 * lie in [n_num, p) (ft_logreg_objective checks it; the predictors skip codes
 * outside the model).
 */
#ifndef FT_MODEL_H
#define FT_MODEL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

/* x_i . beta over the non-zeros of row i. */
static inline double ft_row_dot(const struct ft_dataset *d, size_t i,
                                const double *beta)
{
	double s = 0.0;

	if (d->n_num > 0) {
		const double *xi = d->num + i * d->n_num;
		for (size_t j = 0; j < d->n_num; j++)
			s += xi[j] * beta[j];
	}
	if (d->n_cat > 0) {
		const int32_t *ci = d->code + i * d->n_cat;
		for (size_t c = 0; c < d->n_cat; c++)
			if (ci[c] >= 0)
				s += beta[ci[c]];
	}
	return s;
}

/* g += a x_i over the non-zeros of row i. */
static inline void ft_row_axpy(const struct ft_dataset *d, size_t i, double a,
                               double *g)
{
	if (d->n_num > 0) {
		const double *xi = d->num + i * d->n_num;
		for (size_t j = 0; j < d->n_num; j++)
			g[j] += a * xi[j];
	}
	if (d->n_cat > 0) {
		const int32_t *ci = d->code + i * d->n_cat;
		for (size_t c = 0; c < d->n_cat; c++)
			if (ci[c] >= 0)
				g[ci[c]] += a;
	}
}

/* 1 / (1 + exp(-z)) without overflow: exp is only taken of -|z|. */
static inline double ft_sigmoid(double z)
{
	double e;

	if (z >= 0.0) {
		e = exp(-z);
		return 1.0 / (1.0 + e);
	}
	e = exp(z);
	return e / (1.0 + e);
}

#endif
