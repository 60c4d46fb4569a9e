/*
 * xsum.c - exact sums of doubles (struct ft_xsum): the correctly rounded
 * value of a sum, whatever the order of its terms.
 *
 * Every finite double is an integer multiple of 2^-1074 below 2^1024, so a
 * sum of them is an integer in units of 2^-1074: the accumulator holds it
 * as FT_XSUM_LIMBS signed 64-bit limbs of 32 bits each (limb i weighs
 * 2^(32 i - 1088)), the spare 31 bits of each limb absorbing carries so
 * that an addition touches three to five limbs and no carry chain (Kulisch's
 * long accumulator, with lazy carries as in Neal's xsum).  Carries are
 * propagated every 2^28 additions and before reading.  Merging two
 * accumulators is limb-wise integer addition, exact in any order, so a sum
 * split over chunks, threads or ranks gives the same bits.  Rounding to
 * the nearest double (ties to even) reads the top 64 bits and a sticky bit.
 *
 * The encoder standardizes numeric columns with the mean and standard
 * deviation computed this way (src/data/encode.c), from each distinct
 * value's number and count: exact, independent of how the rows are split
 * across ranks, and faster than a pass over the rows.
 *
 * Not for NaN or infinities (callers pass finite values).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/dist.h"

#define LIMB_BITS 32
#define E0 (-1088)              /* weight of limb 0: 2^E0 */

void ft_xsum_init(struct ft_xsum *a)
{
	memset(a, 0, sizeof *a);
}

void ft_xsum_norm(struct ft_xsum *a)
{
	int64_t carry = 0;

	for (size_t i = 0; i < FT_XSUM_LIMBS; i++) {
		int64_t v = a->limb[i] + carry;
		/* arithmetic shift: floor division by 2^32 */
		carry = v >> LIMB_BITS;
		a->limb[i] = v - carry * ((int64_t)1 << LIMB_BITS);
	}
	/* the top limb keeps the sign (it never holds 32 significant bits) */
	a->limb[FT_XSUM_LIMBS - 1] += carry * ((int64_t)1 << LIMB_BITS);
	a->adds = 0;
}

/* Add sign * mag * 2^p (mag < 2^128 as four 32-bit words w[0..4), p >= 0
 * counted from limb 0's lowest bit). */
static void add_words(struct ft_xsum *a, int neg, const uint64_t w[4], int p)
{
	size_t i = (size_t)p / LIMB_BITS;
	unsigned s = (unsigned)p % LIMB_BITS;
	uint64_t piece[5] = {0};

	for (int k = 0; k < 4; k++) {
		uint64_t v = w[k] << s;        /* w[k] < 2^32, s < 32 */
		piece[k] += v & 0xffffffffu;
		piece[k + 1] += v >> LIMB_BITS;
	}
	for (int k = 0; k < 5; k++)
		if (piece[k] && i + (size_t)k < FT_XSUM_LIMBS)
			a->limb[i + (size_t)k] += neg ? -(int64_t)piece[k] : (int64_t)piece[k];
	/* a limb gains less than 2^33 an addition: carry before 2^63 */
	if (++a->adds >= (1u << 28))
		ft_xsum_norm(a);
}

void ft_xsum_add_n(struct ft_xsum *a, double x, uint64_t n)
{
	int e, neg = x < 0;
	double f;
	uint64_t m, w[4];
	unsigned __int128 prod;

	if (x == 0 || n == 0)
		return;
	f = frexp(fabs(x), &e);                 /* |x| = f 2^e, f in [0.5, 1) */
	m = (uint64_t)ldexp(f, 53);             /* exact: 53 bits */
	e -= 53;                                /* |x| = m 2^e */
	if (e < -1074) {                        /* subnormal: m has trailing 0s */
		m >>= -1074 - e;
		e = -1074;
	}
	prod = (unsigned __int128)m * n;        /* < 2^117 */
	w[0] = (uint64_t)prod & 0xffffffffu;
	w[1] = (uint64_t)(prod >> 32) & 0xffffffffu;
	w[2] = (uint64_t)(prod >> 64) & 0xffffffffu;
	w[3] = (uint64_t)(prod >> 96);
	add_words(a, neg, w, e - E0);
}

/* One term, straight from its bits (the encoder adds every cell of a column
 * stored as numbers): x = m 2^(ex - 1075), i.e. m at bit ex + 13 of the
 * accumulator (a subnormal as ex = 1 without the hidden bit); m shifted
 * into place spans three 32-bit limbs.  The same integer as
 * ft_xsum_add_n(a, x, 1) adds. */
void ft_xsum_add(struct ft_xsum *a, double x)
{
	uint64_t b, m;
	unsigned ex, p, s;
	size_t i;
	unsigned __int128 v;
	int64_t l0, l1, l2;

	memcpy(&b, &x, sizeof b);
	ex = (unsigned)(b >> 52) & 0x7ff;
	m = b & ((UINT64_C(1) << 52) - 1);
	if (ex == 0) {
		if (!m)
			return;
		ex = 1;
	} else {
		m |= UINT64_C(1) << 52;
	}
	p = ex + 13;
	i = p / LIMB_BITS;
	s = p % LIMB_BITS;
	v = (unsigned __int128)m << s;          /* < 2^85 */
	l0 = (int64_t)((uint64_t)v & 0xffffffffu);
	l1 = (int64_t)((uint64_t)(v >> 32) & 0xffffffffu);
	l2 = (int64_t)(uint64_t)(v >> 64);
	if (b >> 63) {
		a->limb[i] -= l0;
		a->limb[i + 1] -= l1;
		a->limb[i + 2] -= l2;
	} else {
		a->limb[i] += l0;
		a->limb[i + 1] += l1;
		a->limb[i + 2] += l2;
	}
	if (++a->adds >= (1u << 28))
		ft_xsum_norm(a);
}

/* The terms within WINDOW binary orders of the block's largest exponent
 * are added as integers m 2^(ex - base) in a signed 128-bit sum: each is
 * below 2^(53 + WINDOW) = 2^113, and FT_XSUM_BLOCK = 2^12 of them below
 * 2^125, so the sum cannot overflow.  It is then added once at the
 * accumulator's bit base + 13 (where ft_xsum_add puts a term of exponent
 * field base).  The terms further down (rare: a column whose values span
 * more than 2^60) go one by one through ft_xsum_add.  Same integer in the
 * accumulator, so the same rounding, as one ft_xsum_add a term. */
#define WINDOW 60

void ft_xsum_add_block(struct ft_xsum *a, const double *x, size_t n)
{
	unsigned emax = 0, base;
	__int128 s = 0;
	unsigned __int128 mag;
	uint64_t w[4];

	for (size_t i = 0; i < n; i++) {
		uint64_t b;
		unsigned ex;
		memcpy(&b, &x[i], sizeof b);
		ex = (unsigned)(b >> 52) & 0x7ff;
		emax = ex > emax ? ex : emax;
	}
	if (emax == 0) {          /* zeros and subnormals only */
		for (size_t i = 0; i < n; i++)
			ft_xsum_add(a, x[i]);
		return;
	}
	base = emax > WINDOW + 1 ? emax - WINDOW : 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t b, m;
		unsigned ex;
		__int128 v;
		memcpy(&b, &x[i], sizeof b);
		ex = (unsigned)(b >> 52) & 0x7ff;
		m = b & ((UINT64_C(1) << 52) - 1);
		if (ex == 0)
			ex = 1;               /* a subnormal (or zero, m = 0) */
		else
			m |= UINT64_C(1) << 52;
		if (ex < base) {
			ft_xsum_add(a, x[i]);
			continue;
		}
		{
			/* m 2^sh, sh <= WINDOW < 64, as two words; then negated
			 * without a branch when the sign bit is set (the signs
			 * of a column's values are random: a branch missed half
			 * the time cost more than the rest of the loop) */
			unsigned sh = ex - base;
			uint64_t lo = m << sh, hi = (m >> 1) >> (63 - sh);
			unsigned __int128 u = (unsigned __int128)hi << 64 | lo;
			unsigned __int128 mk = -(unsigned __int128)(b >> 63);
			v = (__int128)((u ^ mk) - mk);
		}
		s += v;
	}
	if (s == 0)
		return;
	mag = s < 0 ? -(unsigned __int128)s : (unsigned __int128)s;
	w[0] = (uint64_t)mag & 0xffffffffu;
	w[1] = (uint64_t)(mag >> 32) & 0xffffffffu;
	w[2] = (uint64_t)(mag >> 64) & 0xffffffffu;
	w[3] = (uint64_t)(mag >> 96);
	add_words(a, s < 0, w, (int)base + 13);
}

void ft_xsum_merge(struct ft_xsum *a, const struct ft_xsum *b)
{
	struct ft_xsum c = *b;

	ft_xsum_norm(a);
	ft_xsum_norm(&c);
	for (size_t i = 0; i < FT_XSUM_LIMBS; i++)
		a->limb[i] += c.limb[i];
	ft_xsum_norm(a);
}

double ft_xsum_round(const struct ft_xsum *in)
{
	struct ft_xsum a = *in;
	int neg, top = -1, sticky = 0, sh;
	uint64_t hi = 0, keep, rem;
	double r;

	ft_xsum_norm(&a);
	neg = a.limb[FT_XSUM_LIMBS - 1] < 0;
	if (neg) {
		/* the magnitude: negate the whole number, then carry again */
		for (size_t i = 0; i < FT_XSUM_LIMBS; i++)
			a.limb[i] = -a.limb[i];
		ft_xsum_norm(&a);
	}
	for (int i = FT_XSUM_LIMBS - 1; i >= 0 && top < 0; i--)
		if (a.limb[i])
			top = i;
	if (top < 0)
		return 0.0;
	/* the top three limbs (up to 96 bits, the leading one of the top
	 * limb's) as hi with everything below in the sticky bit */
	{
		unsigned __int128 v = 0;
		int lz, nbits;
		for (int k = 0; k < 3; k++) {
			int i = top - k;
			v = (v << LIMB_BITS) | (uint64_t)(i >= 0 ? a.limb[i] : 0);
		}
		for (int i = top - 3; i >= 0 && !sticky; i--)
			sticky = a.limb[i] != 0;
		/* v holds 96 bits; the leading one is at bit 95 - lz */
		lz = __builtin_clzll((uint64_t)a.limb[top]) - 32;
		nbits = 96 - lz;
		sh = nbits - 64;                        /* bits below hi */
		hi = (uint64_t)(v >> sh);
		sticky |= (v & (((unsigned __int128)1 << sh) - 1)) != 0;
		sh += (top - 2) * LIMB_BITS + E0;       /* hi's unit is 2^sh */
	}
	keep = hi >> 11;
	rem = hi & 0x7ff;
	if (rem > 0x400 || (rem == 0x400 && (sticky || (keep & 1))))
		keep++;
	r = ldexp((double)keep, sh + 11);
	return neg ? -r : r;
}

int ft_xsum_dist(struct ft_xsum *a, size_t n)
{
	uint64_t *l;

	if (!ft_dist_on() || n == 0)
		return 0;
	/* limbs are integers: their sum over ranks is exact in any order
	 * (two's complement addition of the int64 limbs as uint64) */
	if (!(l = malloc(n * FT_XSUM_LIMBS * sizeof *l)))
		return FT_ENOMEM;
	for (size_t q = 0; q < n; q++) {
		ft_xsum_norm(&a[q]);
		memcpy(l + q * FT_XSUM_LIMBS, a[q].limb, FT_XSUM_LIMBS * sizeof *l);
	}
	ft_dist_sum_u64(l, n * FT_XSUM_LIMBS);
	for (size_t q = 0; q < n; q++) {
		memcpy(a[q].limb, l + q * FT_XSUM_LIMBS, FT_XSUM_LIMBS * sizeof *l);
		ft_xsum_norm(&a[q]);
	}
	free(l);
	return 0;
}
