/*
 * basic.c - the two overall metrics `fairtrain train` prints for every run.
 * The full metric and fairness suite lives beside it (issue 3).
 */
#include <math.h>
#include "fairtrain.h"

double ft_accuracy(const double *y, const double *p, const double *w, size_t n)
{
	double good = 0, tot = 0;

	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		good += wi * ((p[i] >= 0.5) == (y[i] > 0.5));
		tot += wi;
	}
	return tot > 0 ? good / tot : NAN;
}

double ft_log_loss(const double *y, const double *p, const double *w, size_t n)
{
	double s = 0, tot = 0;

	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		double q = fmin(fmax(p[i], 1e-15), 1 - 1e-15);
		s -= wi * (y[i] > 0.5 ? log(q) : log1p(-q));
		tot += wi;
	}
	return tot > 0 ? s / tot : NAN;
}
