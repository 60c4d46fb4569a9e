/*
 * vmath.h - exp(-a) and log1p(e) as branch-free inline code (internal, not
 * installed), so that a loop over rows can run them in SIMD lanes instead
 * of calling libm once a row (issue 20 item 8: exp and log1p were half of
 * the logistic loss's value-and-gradient pass).
 *
 * The algorithms and constants are fdlibm's (Sun Microsystems, 1993, as in
 * FreeBSD's msun e_exp.c and s_log1p.c), with their branches turned into
 * selects over the ranges the logistic loss needs:
 *
 *   ft_exp_neg(a)   = exp(-a) for a >= 0: k = round(-a / ln 2), r = -a -
 *                     k ln 2 in two parts, exp(r) from fdlibm's rational
 *                     form, times 2^k in two steps (2^k alone is not a
 *                     double for k < -1022), so subnormal results are
 *                     rounded once.  a > 746 gives 0, +inf gives 0, NaN
 *                     gives NaN.
 *   ft_log1p_unit(e) = log1p(e) for 0 <= e <= 1: u = 1 + e with its
 *                     rounding error c = (e - (u - 1)) (1 / u), u = 2^k (1 + f)
 *                     with 1 + f in [sqrt(2)/2, sqrt(2)), log(1 + f) from
 *                     fdlibm's series in s = f / (2 + f).
 *
 * fdlibm bounds both errors below one ulp; test_vmath measures them
 * against long double expl/log1pl.  The results are not libm's bits (libm
 * differs between versions anyway), but they are the same on every
 * thread, in every lane and on every machine with IEEE doubles: only
 * +, -, *, / and bit moves, which C11 without contraction (-std=c11
 * turns -ffp-contract off) rounds as written.  Every operand of a select
 * is computed before it: gcc (-ftrapping-math) will not if-convert a
 * select that computes, and a loop with a branch does not vectorize.
 */
#ifndef FT_VMATH_H
#define FT_VMATH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t ft_vm_bits(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static inline double ft_vm_double(uint64_t u)
{
	double x;
	memcpy(&x, &u, sizeof x);
	return x;
}

/* exp(-a), a >= 0 (see the top). */
static inline double ft_exp_neg(double a)
{
	const double ln2_hi = 6.93147180369123816490e-01;  /* 0x3fe62e42fee00000 */
	const double ln2_lo = 1.90821492927058770002e-10;  /* 0x3dea39ef35793c76 */
	const double inv_ln2 = 1.44269504088896338700e+00;
	const double shift = 0x1.8p52;   /* adding it rounds to an integer */
	const double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
	             P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
	             P5 = 4.13813679705723846039e-08;
	double na = -a, x = a > 746.0 ? -746.0 : na;   /* NaN stays NaN */
	double kd = (x * inv_ln2 + shift) - shift;     /* k, in [-1077, 0] */
	double k1 = (kd * 0.5 + shift) - shift, k2 = kd - k1;   /* in [-539, 0] */
	double hi = x - kd * ln2_hi, lo = kd * ln2_lo, r = hi - lo, r2 = r * r;
	double c = r - r2 * (P1 + r2 * (P2 + r2 * (P3 + r2 * (P4 + r2 * P5))));
	double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
	/* 2^k1 and 2^k2 (normal numbers): k + 1023 + shift has k + 1023 in its
	 * low bits, which the shift moves into the exponent field (shift's own
	 * low 12 bits are 0) */
	double s1 = ft_vm_double(ft_vm_bits(k1 + (1023.0 + shift)) << 52);
	double s2 = ft_vm_double(ft_vm_bits(k2 + (1023.0 + shift)) << 52);

	return y * s1 * s2;
}

/* log1p(e), 0 <= e <= 1 (see the top). */
static inline double ft_log1p_unit(double e)
{
	const double ln2_hi = 6.93147180369123816490e-01;
	const double ln2_lo = 1.90821492927058770002e-10;
	const double sqrt2 = 1.41421356237309504880;
	const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
	             Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
	             Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
	             Lg7 = 1.479819860511658591e-01;
	/* u - 1 is exact (u in [1, 2]); c by 1 / u, which a caller that also
	 * needs 1 / (1 + e) shares, so one division serves both */
	double u = 1.0 + e, c = (e - (u - 1.0)) * (1.0 / u);
	double f0 = u - 1.0, f1 = u * 0.5 - 1.0;   /* exact */
	int big = u > sqrt2;
	double f = big ? f1 : f0, k = big ? 1.0 : 0.0;
	double hfsq = 0.5 * f * f, s = f / (2.0 + f), z = s * s, w = z * z;
	double R = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7))) + w * (Lg2 + w * (Lg4 + w * Lg6));

	return k * ln2_hi - ((hfsq - (s * (hfsq + R) + (k * ln2_lo + c))) - f);
}

#endif
