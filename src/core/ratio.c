/*
 * ratio.c - proportions as exact fractions, for the re-rankers and metrics
 * whose rules take floor(r p) and ceil(r p) (Geyik et al., KDD 2019): a
 * proportion is read as the simplest fraction within a tolerance of the
 * double given, and every later floor, ceil and comparison is integer
 * arithmetic, so 0.3 * 10 is 3 and a group share count / n is the fraction
 * count / n exactly, whatever the rounding of the double.
 *
 * The simplest fraction in [x - tol, x + tol] (the one with the smallest
 * denominator) is a convergent or a semiconvergent of x's continued
 * fraction: a fraction closer to x than every fraction with a smaller
 * denominator is one of them (Khinchin, "Continued Fractions", section 6).
 * So we expand x exactly (a double in [0, 1] is M / 2^E with M < 2^53;
 * for x > 1e-9, E <= 83 and the Euclidean steps fit in 128 bits) and
 * walk the semiconvergents (h2 + j h1) / (k2 + j k1), j = 1 .. a_i, in
 * increasing denominator; along one term their distance to x falls with j,
 * so the first j within tol is found by bisection.
 *
 * Not here: the re-rankers (src/fair/rerank.c) and metrics that use it.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "core/internal.h"

__extension__ typedef unsigned __int128 u128;

static int within(uint64_t h, uint64_t k, long double x, long double tol)
{
	return fabsl((long double)h / (long double)k - x) <= tol;
}

void ft_ratio_simplest(double x, double tol, uint64_t *num, uint64_t *den)
{
	uint64_t h2 = 0, k2 = 1, h1 = 1, k1 = 0;
	long double xl = x, tl = tol;
	u128 a_num, a_den;
	int e;
	double m;

	if (!(x > tol)) {               /* 0 is within tol */
		*num = 0;
		*den = 1;
		return;
	}
	if (x >= 1.0 - tol) {
		*num = 1;
		*den = 1;
		return;
	}
	/* x = m 2^e, m in [0.5, 1): x = M / 2^(53 - e), M = m 2^53 */
	m = frexp(x, &e);
	a_num = (u128)(uint64_t)ldexp(m, 53);
	a_den = (u128)1 << (53 - e);
	for (;;) {
		u128 a = a_num / a_den, rem = a_num - a * a_den;
		uint64_t lo = 1, hi, h, k;

		/* the convergent of this term; the terms here stay below 2^62
		 * because x > tol >= 1e-18 and the loop stops by 1 / tol */
		hi = a > ((u128)1 << 62) ? (uint64_t)1 << 62 : (uint64_t)a;
		if (hi >= 1 && within(h2 + hi * h1, k2 + hi * k1, xl, tl)) {
			while (lo < hi) {       /* the smallest j within tol */
				uint64_t mid = lo + (hi - lo) / 2;
				if (within(h2 + mid * h1, k2 + mid * k1, xl, tl))
					hi = mid;
				else
					lo = mid + 1;
			}
			*num = h2 + lo * h1;
			*den = k2 + lo * k1;
			return;
		}
		h = h2 + hi * h1;
		k = k2 + hi * k1;
		h2 = h1;
		k2 = k1;
		h1 = h;
		k1 = k;
		if (rem == 0 || k1 > ((uint64_t)1 << 40)) {
			*num = h1;               /* x itself (or as close as we go) */
			*den = k1;
			return;
		}
		a_num = a_den;
		a_den = rem;
	}
}

int ft_props_rational(const double *p, size_t G, uint64_t *num, uint64_t *den,
                      const char *tag, struct ft_error *err)
{
	double s = 0;

	if (!p)
		return ft_error_set(err, FT_EINVAL, "%s: p is NULL", tag);
	for (size_t g = 0; g < G; g++) {
		if (!(p[g] >= -FT_PROP_TOL && p[g] <= 1.0 + FT_PROP_TOL))
			return ft_error_set(err, FT_EINVAL, "%s: p[%zu] = %.17g is not a proportion",
			                    tag, g, p[g]);
		s += fmax(p[g], 0.0);
	}
	if (!(fabs(s - 1.0) <= FT_PROP_TOL))
		return ft_error_set(err, FT_EINVAL, "%s: proportions sum to %.17g, not 1",
		                    tag, s);
	for (size_t g = 0; g < G; g++)
		ft_ratio_simplest(fmin(1.0, fmax(p[g], 0.0) / s), FT_PROP_TOL, &num[g], &den[g]);
	return 0;
}

void ft_props_counts(const size_t *count, size_t G, uint64_t *num, uint64_t *den)
{
	size_t total = 0;

	for (size_t g = 0; g < G; g++)
		total += count[g];
	for (size_t g = 0; g < G; g++) {
		num[g] = count[g];
		den[g] = total ? total : 1;
	}
}

uint64_t ft_ratio_floor(uint64_t r, uint64_t num, uint64_t den)
{
	return (uint64_t)((u128)r * num / den);
}

uint64_t ft_ratio_ceil(uint64_t r, uint64_t num, uint64_t den)
{
	u128 t = (u128)r * num;

	return (uint64_t)((t + den - 1) / den);
}

int ft_ratio_cmp3(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                  uint64_t f)
{
	u128 x = (u128)a * b * c, y = (u128)d * e * f;

	return (x > y) - (x < y);
}
