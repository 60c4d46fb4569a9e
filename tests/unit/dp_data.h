/*
 * dp_data.h - small synthetic data sets for the differential-privacy tests
 * (test_dp_logreg.c, test_dp_methods.c): n rows of p dense numeric
 * features, two groups, labels from a logistic model.
 */
#ifndef FT_TEST_DP_DATA_H
#define FT_TEST_DP_DATA_H

#include <stdint.h>
#include <stdlib.h>
#include "fairtrain.h"

struct dd {
	struct ft_dataset d;
	double *x, *y, *w;
	int32_t *g;
};

/* Group 1 with probability pg; feature 0 shifted by `shift` in group 1;
 * P(y = 1) = sigmoid(z0 + sum_j a_j x_j), a_j = a_odd for odd j, a_even
 * for even j.  d.group is set (NULL it for a data set without groups). */
static inline void dd_make(struct dd *s, size_t n, size_t p, uint64_t seed, double pg,
                           double shift, double z0, double a_odd, double a_even)
{
	struct ft_rng r;

	memset(s, 0, sizeof *s);
	ft_rng_seed(&r, seed);
	s->x = malloc(n * p * sizeof *s->x);
	s->y = malloc(n * sizeof *s->y);
	s->g = malloc(n * sizeof *s->g);
	for (size_t i = 0; i < n; i++) {
		double z = z0;
		s->g[i] = (int32_t)(ft_rng_uniform(&r) < pg);
		for (size_t j = 0; j < p; j++) {
			s->x[i * p + j] = ft_rng_normal(&r) + (j == 0 ? shift * s->g[i] : 0.0);
			z += (j % 2 ? a_odd : a_even) * s->x[i * p + j];
		}
		s->y[i] = ft_rng_uniform(&r) < 1 / (1 + exp(-z));
	}
	s->d.n = n;
	s->d.p = p;
	s->d.n_num = p;
	s->d.num = s->x;
	s->d.y = s->y;
	s->d.group = s->g;
	s->d.n_groups = 2;
}

/* A fit input over s's two groups "a" and "b" (everything borrowed). */
static inline void dd_fit_input(struct ft_fit_input *fi, const struct dd *s,
                                const struct ft_logreg_params *lp,
                                const struct ft_linear_model *base, const double *params)
{
	static const char *const names[2] = {"a", "b"};

	memset(fi, 0, sizeof *fi);
	fi->train = &s->d;
	fi->n_groups = 2;
	fi->group_names = names;
	fi->privileged = -1;
	fi->lr = lp;
	fi->baseline = base;
	fi->params = params;
}

static inline void dd_free(struct dd *s)
{
	free(s->x);
	free(s->y);
	free(s->w);
	free(s->g);
}

#endif
