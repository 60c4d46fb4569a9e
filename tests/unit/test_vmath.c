/*
 * test_vmath.c - the inline exp(-a) and log1p(e) of src/core/vmath.h (the
 * logistic loss's, issue 20 item 8) against long double expl and log1pl,
 * which are independent of them (x87 extended precision, 64-bit
 * significands): the error of every sampled value below one ulp of the
 * double result, the edges of their ranges (0, the subnormal results, the
 * underflow to 0, infinity and NaN), and the same bits in SIMD lanes as in
 * a call that the compiler cannot vectorize.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include "core/vmath.h"
#include "t.h"

/* |got - ref| in ulps of the double nearest ref (subnormal ulps below
 * DBL_MIN); 1e9 when ref is 0 and got is not. */
static double ulps(double got, long double ref)
{
	int e;

	if (ref == 0.0L)
		return got == 0.0 ? 0.0 : 1e9;
	if (fabsl(ref) < (long double)DBL_MIN)
		return (double)(fabsl((long double)got - ref) / 0x1p-1074L);
	(void)frexpl(ref, &e);
	return (double)(fabsl((long double)got - ref) / ldexpl(1.0L, e - 53));
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static double unif(void)   /* [0, 1) */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) * 0x1p-53;
}

static void t_exp_accuracy(void)
{
	/* ranges: tiny arguments, the reduction's first interval, the
	 * logistic loss's usual margins, and down to the underflow */
	static const double span[] = {1e-9, 0.35, 1.0, 40.0, 746.0};
	double worst = 0.0, at = 0.0;

	T_CHECKF(LDBL_MANT_DIG >= 64, "long double has %d bits, too few for a reference",
	         LDBL_MANT_DIG);
	for (size_t s = 0; s < sizeof span / sizeof *span; s++)
		for (int i = 0; i < 400000; i++) {
			double a = unif() * span[s], u = ulps(ft_exp_neg(a), expl(-(long double)a));
			if (u > worst)
				worst = u, at = a;
		}
	/* the ends of the reduction intervals, k ln2 +- ln2 / 2 */
	for (int k = 0; k <= 1076; k++)
		for (int j = -2; j <= 2; j++) {
			double a = (k + 0.5) * 0.6931471805599453 + j * 1e-13;
			double u = a >= 0.0 ? ulps(ft_exp_neg(a), expl(-(long double)a)) : 0.0;
			if (u > worst)
				worst = u, at = a;
		}
	T_CHECKF(worst < 1.0, "exp(-%.17g): %.3f ulp", at, worst);
	printf("  ft_exp_neg: largest error %.3f ulp, at %.17g\n", worst, at);
}

static void t_log1p_accuracy(void)
{
	static const double span[] = {1e-300, 1e-17, 1e-8, 0.01, 0.41, 1.0};
	double worst = 0.0, at = 0.0;

	for (size_t s = 0; s < sizeof span / sizeof *span; s++)
		for (int i = 0; i < 400000; i++) {
			double e = unif() * span[s], u = ulps(ft_log1p_unit(e), log1pl((long double)e));
			if (u > worst)
				worst = u, at = e;
		}
	/* around the switch at 1 + e = sqrt(2), and 1 + e near 1 */
	for (int j = -1000; j <= 1000; j++) {
		double e = 0.41421356237309503 + j * 0x1p-52, f = 0x1p-40 * (j + 1001);
		double u = ulps(ft_log1p_unit(e), log1pl((long double)e));
		if (u > worst)
			worst = u, at = e;
		u = ulps(ft_log1p_unit(f), log1pl((long double)f));
		if (u > worst)
			worst = u, at = f;
	}
	T_CHECKF(worst < 1.0, "log1p(%.17g): %.3f ulp", at, worst);
	printf("  ft_log1p_unit: largest error %.3f ulp, at %.17g\n", worst, at);
}

static void t_edges(void)
{
	T_CHECK(ft_exp_neg(0.0) == 1.0);
	T_CHECK(ft_exp_neg(-0.0) == 1.0);
	T_CHECK(ft_exp_neg(0x1p-1074) == 1.0);
	T_CHECK(ft_exp_neg(1.0) == 0.36787944117144233);      /* correctly rounded */
	/* subnormal results, rounded once: exp(-745) = 4.94e-324 = 2^-1074
	 * (5e-324 is the nearest double), exp(-740) = 4.2e-322 */
	T_CHECK(ft_exp_neg(745.0) == 0x1p-1074);
	T_CHECKF(ulps(ft_exp_neg(740.0), expl(-740.0L)) <= 0.5,
	         "exp(-740) = %.17g", ft_exp_neg(740.0));
	T_CHECKF(ulps(ft_exp_neg(708.5), expl(-708.5L)) < 1.0,
	         "exp(-708.5) = %.17g", ft_exp_neg(708.5));
	T_CHECK(ft_exp_neg(745.2) == 0.0);                    /* below 2^-1075 */
	T_CHECK(ft_exp_neg(746.0) == 0.0);
	T_CHECK(ft_exp_neg(1e300) == 0.0);
	T_CHECK(ft_exp_neg(INFINITY) == 0.0);
	T_CHECK(isnan(ft_exp_neg(NAN)));

	T_CHECK(ft_log1p_unit(0.0) == 0.0);
	T_CHECK(ft_log1p_unit(0x1p-1074) == 0x1p-1074);
	T_CHECK(ft_log1p_unit(1e-300) == 1e-300);
	T_CHECK(ft_log1p_unit(0x1p-60) == 0x1p-60);           /* log1p(x) = x - x^2/2 rounds to x */
	T_CHECK(ft_log1p_unit(1.0) == 0.69314718055994529);   /* ln 2, correctly rounded */
	T_CHECK(isnan(ft_log1p_unit(NAN)));
}

/* The same bits in SIMD lanes as one value at a time: the loop below is
 * vectorized (omp simd), the calls through a volatile pointer are not. */
static double (*volatile exp_one)(double) = ft_exp_neg;
static double (*volatile log1p_one)(double) = ft_log1p_unit;

static void t_lanes(void)
{
	enum { N = 4099 };
	static double a[N], ea[N], la[N];
	size_t bad = 0;

	for (int i = 0; i < N; i++)
		a[i] = i % 7 == 0 ? unif() * 800.0 : unif() * 30.0;
	a[5] = 0.0, a[6] = INFINITY, a[7] = 745.0;
	#pragma omp simd
	for (int i = 0; i < N; i++) {
		ea[i] = ft_exp_neg(a[i]);
		la[i] = ft_log1p_unit(ea[i]);
	}
	for (int i = 0; i < N; i++) {
		double e = exp_one(a[i]);
		if (memcmp(&e, &ea[i], sizeof e) != 0 || log1p_one(e) != la[i])
			bad++;
	}
	T_CHECKF(bad == 0, "%zu of %d values differ between lanes and single calls", bad, N);
}

int main(void)
{
	T_RUN(t_exp_accuracy);
	T_RUN(t_log1p_accuracy);
	T_RUN(t_edges);
	T_RUN(t_lanes);
	return t_done();
}
