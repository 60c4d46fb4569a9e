/*
 * sample.c - exact binomial, hypergeometric, multinomial and multivariate
 * hypergeometric samplers on top of the xoshiro256** stream (ft_rng_*).
 *
 * What it is for: the count-based bootstrap draws the resampled confusion
 * counts of all groups as one multinomial (conditional binomials), and the
 * permutation test draws the permuted counts of one group as a multivariate
 * hypergeometric (sequential univariate draws).  Both replace O(n) work on
 * rows by O(cells) work on counts, so the samplers must be exact and O(1)
 * (binomial) or O(sd) (hypergeometric) per draw whatever n is.
 *
 * Binomial(n, p), p <= 1/2 by symmetry (X = n - Binomial(n, 1 - p)):
 *   - n p < 10: inversion (Kachitvichyanukul & Schmeiser 1988, "BINV"):
 *     walk the pmf from 0 with f(x) = f(x-1) ((n+1) p/q / x - p/q), starting
 *     at f(0) = q^n = exp(n log1p(-p)); expected n p + 1 steps.
 *   - n p >= 10: BTRD, transformed rejection with decomposition (W. Hormann,
 *     "The generation of binomial random variates", J. Statist. Comput.
 *     Simul. 46 (1993) 101-110, algorithm BTRD): a fast acceptance box that
 *     takes about 86% of the draws without computing the pmf, then a
 *     recursive pmf ratio near the mode, a squeeze, and finally the exact
 *     log-pmf ratio with Stirling tail corrections fc(k).
 *
 * Hypergeometric: inversion that starts at the mode and alternates one step
 * up and one step down (pmf ratios), which needs about 1.6 sd steps; the
 * mode probability comes from long-double log-factorials, so it is right to
 * about 1e-12 even at N = 10^7.
 *
 * Not here: continuous distributions (ft_rng_normal) and row shuffling.
 */
#include <math.h>
#include "metrics/sample.h"

/* ------------------------------------------------------------ log k! */

long double ft_log_factorial(uint64_t k)
{
	/* ln k! for k < 30, to 25 digits (Python's decimal module) */
	static const long double small[30] = {
		0L, 0L,
		6.931471805599453094172321e-1L, 1.791759469228055000812477e+0L,
		3.178053830347945619646942e+0L, 4.787491742782045994247701e+0L,
		6.579251212010100995060178e+0L, 8.525161361065414300165531e+0L,
		1.060460290274525022841723e+1L, 1.280182748008146961120772e+1L,
		1.510441257307551529522571e+1L, 1.750230784587388583928765e+1L,
		1.998721449566188614951736e+1L, 2.255216385312342288557085e+1L,
		2.519122118273868150009343e+1L, 2.789927138384089156608944e+1L,
		3.067186010608067280375837e+1L, 3.350507345013688888400790e+1L,
		3.639544520803305357621562e+1L, 3.933988418719949403622465e+1L,
		4.233561646075348502965988e+1L, 4.538013889847690802616047e+1L,
		4.847118135183522387963965e+1L, 5.160667556776437357044640e+1L,
		5.478472939811231919009334e+1L, 5.800360522298051993929486e+1L,
		6.126170176100200198476558e+1L, 6.455753862700633105895132e+1L,
		6.788974313718153498289114e+1L, 7.125703896716800901007441e+1L,
	};
	long double s, x, x2;

	if (k < 30)
		return small[k];
	/* ln k! = ln Gamma(x), x = k + 1: Stirling's series to x^-9; the next
	 * term is 691 / (360360 x^11) < 1e-19 for x > 30. */
	x = (long double)k + 1;
	x2 = x * x;
	s = 1.0L / 12 - (1.0L / 360 - (1.0L / 1260 - (1.0L / 1680 - 1.0L / (1188 * x2)) / x2) / x2) / x2;
	return (x - 0.5L) * logl(x) - x + 0.91893853320467274178032973640562L + s / x;
}

/* ---------------------------------------------------------- binomial */

/* The mean n p from which a binomial is drawn by BTRD, below it by
 * inversion (binomial_pq and binomial_n must agree on it: a stream's draws
 * are the same bits either way). */
#define BTRD_FROM_NP 10

/* fc(k) = ln k! - [(k + 1/2) ln(k + 1) - (k + 1) + ln sqrt(2 pi)], the tail
 * of Stirling's approximation; exact values below 10 (Hormann 1993, table). */
static double fc(double k)
{
	static const double table[10] = {
		0.08106146679532726, 0.04134069595540929, 0.02767792568499834,
		0.02079067210376509, 0.01664469118982119, 0.01387612882307075,
		0.01189670994589177, 0.01041126526197209, 0.009255462182712733,
		0.008330563433362871,
	};
	double kp1, kp1sq;

	if (k < 10)
		return table[(int)k];
	kp1 = k + 1;
	kp1sq = kp1 * kp1;
	return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / kp1;
}

/* Inversion, p <= 1/2 and n p < 10.  f(x) / f(x-1) = (n - x + 1) p / (x q)
 * = a / x - s with s = p / q, a = (n + 1) s. */
static uint64_t binv(struct ft_rng *r, uint64_t n, double p, double q)
{
	double s = p / q, a = ((double)n + 1) * s;
	double f0 = exp((double)n * log1p(-p));

	for (;;) {
		double u = ft_rng_uniform(r), f = f0;
		uint64_t x = 0;

		while (u >= f) {
			u -= f;
			if (++x > n)
				break;
			f *= a / (double)x - s;
			if (!(f > 0)) {       /* underflow: the rest has no mass */
				x = n + 1;
				break;
			}
		}
		if (x <= n)
			return x;
		/* u fell beyond the rounded total mass: draw again */
	}
}

/* BTRD (Hormann 1993), p <= 1/2 and n p >= 10: its constants, which
 * depend on n and p only (step 0 of the paper). */
struct btrd_set {
	double n, m, rr, nr, npq, b, a, c, alpha, vr, urvr;
};

static inline void btrd_setup(struct btrd_set *s, uint64_t n_, double p, double q)
{
	double n = (double)n_, snpq;

	s->n = n;
	s->m = floor((n + 1) * p);                  /* the mode */
	s->rr = p / q;
	s->nr = (n + 1) * s->rr;
	s->npq = n * p * q;
	snpq = sqrt(s->npq);
	s->b = 1.15 + 2.53 * snpq;
	s->a = -0.0873 + 0.0248 * s->b + 0.01 * p;
	s->c = n * p + 0.5;
	s->alpha = (2.83 + 5.1 / s->b) * snpq;
	s->vr = 0.92 - 4.2 / s->b;
	s->urvr = 0.86 * s->vr;
}

/* Step 1, the box in the centre, accepted without the pmf: k from the
 * uniform v <= urvr, or -1 when k falls outside 0 .. n. */
static inline double btrd_box(const struct btrd_set *s, double v)
{
	double u = v / s->vr - 0.43;
	double k = floor((2 * s->a / (0.5 - fabs(u)) + s->b) * u + s->c);

	return k >= 0 && k <= s->n ? k : -1;
}

/* The draw, from its first uniform v0 on (step numbers as in the paper). */
static uint64_t btrd_from(struct ft_rng *r, const struct btrd_set *s, double v0)
{
	double n = s->n, m = s->m, rr = s->rr, nr = s->nr, npq = s->npq, b = s->b,
	       a = s->a, c = s->c, alpha = s->alpha, vr = s->vr;

	for (double v = v0;; v = ft_rng_uniform(r)) {
		double u, us, k, km, rho, t, nm, nk, h;

		/* 1: the box */
		if (v <= s->urvr) {
			if ((k = btrd_box(s, v)) >= 0)
				return (uint64_t)k;
			continue;
		}
		/* 2: a point of the hat outside the box */
		if (v >= vr) {
			u = ft_rng_uniform(r) - 0.5;
		} else {
			u = v / vr - 0.93;
			u = (u > 0 ? 0.5 : -0.5) - u;
			v = ft_rng_uniform(r) * vr;
		}
		/* 3.0 */
		us = 0.5 - fabs(u);
		k = floor((2 * a / us + b) * u + c);
		if (k < 0 || k > n)
			continue;
		v = v * alpha / (a / (us * us) + b);
		km = fabs(k - m);
		if (km <= 15) {
			/* 3.1: f(k) / f(m) by the recursion f(i) / f(i-1) = nr / i - rr */
			double f = 1;

			if (m < k) {
				for (double i = m + 1; i <= k; i++)
					f *= nr / i - rr;
			} else {
				for (double i = k + 1; i <= m; i++)
					v *= nr / i - rr;
			}
			if (v <= f)
				return (uint64_t)k;
			continue;
		}
		/* 3.2: squeeze on the log scale */
		v = log(v);
		rho = (km / npq) * (((km / 3 + 0.625) * km + 1.0 / 6) / npq + 0.5);
		t = -km * km / (2 * npq);
		if (v < t - rho)
			return (uint64_t)k;
		if (v > t + rho)
			continue;
		/* 3.3: the exact log ratio ln f(k) - ln f(m) */
		nm = n - m + 1;
		h = (m + 0.5) * log((m + 1) / (rr * nm)) + fc(m) + fc(n - m);
		nk = n - k + 1;
		if (v <= h + (n + 1) * log(nm / nk) + (k + 0.5) * log(nk * rr / (k + 1)) -
		         fc(k) - fc(n - k))
			return (uint64_t)k;
	}
}

static uint64_t btrd(struct ft_rng *r, uint64_t n, double p, double q)
{
	struct btrd_set s;

	btrd_setup(&s, n, p, q);
	return btrd_from(r, &s, ft_rng_uniform(r));
}

/* p + q = 1, both given so that a ratio of counts keeps its precision. */
static uint64_t binomial_pq(struct ft_rng *r, uint64_t n, double p, double q)
{
	if (n == 0 || !(p > 0))
		return 0;
	if (!(q > 0))
		return n;
	if (p > q)
		return n - binomial_pq(r, n, q, p);
	if ((double)n * p < BTRD_FROM_NP)
		return binv(r, n, p, q);
	return btrd(r, n, p, q);
}

uint64_t ft_sample_binomial(struct ft_rng *r, uint64_t n, double p)
{
	if (!(p > 0))
		return 0;
	if (p >= 1)
		return n;
	return binomial_pq(r, n, p, 1 - p);
}

/* --------------------------------------------------- hypergeometric */

/* good <= bad and draws <= (good + bad) / 2, so the support is
 * 0 .. min(draws, good).  pmf(x) = C(good, x) C(bad, draws - x) / C(N, draws). */
static uint64_t hyper_mode(struct ft_rng *r, uint64_t good, uint64_t bad,
                           uint64_t draws, struct ft_hyper_memo *memo)
{
	uint64_t N = good + bad, top = draws < good ? draws : good, m;
	long double lp;
	double pm;
	size_t h = 0;

	m = (uint64_t)floorl(((long double)draws + 1) * ((long double)good + 1) /
	                     ((long double)N + 2));
	if (m > top)
		m = top;
	if (memo) {
		h = (size_t)(((good * 0x9E3779B97F4A7C15ull) ^ (bad * 0xC2B2AE3D27D4EB4Full) ^
		              (draws * 0x165667B19E3779F9ull)) >> (64 - FT_HYPER_MEMO_BITS));
		if (memo->good[h] == good && memo->bad[h] == bad && memo->draws[h] == draws) {
			pm = memo->pm[h];
			goto drawn;
		}
	}
	lp = ft_log_factorial(good) - ft_log_factorial(m) - ft_log_factorial(good - m) +
	     ft_log_factorial(bad) - ft_log_factorial(draws - m) -
	     ft_log_factorial(bad - draws + m) - ft_log_factorial(N) +
	     ft_log_factorial(draws) + ft_log_factorial(N - draws);
	pm = (double)expl(lp);
	if (memo) {
		memo->good[h] = good;
		memo->bad[h] = bad;
		memo->draws[h] = draws;
		memo->pm[h] = pm;
	}
drawn:

	for (;;) {
		double u = ft_rng_uniform(r), plo = pm, phi = pm;
		uint64_t lo = m, hi = m;

		if (u < pm)
			return m;
		u -= pm;
		for (;;) {
			/* one step up: pmf(x+1) / pmf(x) = (good-x)(draws-x) / ((x+1)(bad-draws+x+1)) */
			if (hi < top) {
				phi *= (double)(good - hi) * (double)(draws - hi) /
				       ((double)(hi + 1) * (double)(bad - draws + hi + 1));
				hi++;
				if (u < phi)
					return hi;
				u -= phi;
			} else {
				phi = 0;
			}
			/* one step down: pmf(x-1) / pmf(x) = x (bad-draws+x) / ((good-x+1)(draws-x+1)) */
			if (lo > 0) {
				plo *= (double)lo * (double)(bad - draws + lo) /
				       ((double)(good - lo + 1) * (double)(draws - lo + 1));
				lo--;
				if (u < plo)
					return lo;
				u -= plo;
			} else {
				plo = 0;
			}
			if (phi < 1e-300 && plo < 1e-300)
				break;   /* beyond the rounded total mass: draw again */
		}
	}
}

static uint64_t hypergeometric(struct ft_rng *r, uint64_t good, uint64_t bad,
                               uint64_t draws, struct ft_hyper_memo *memo)
{
	uint64_t N = good + bad;

	if (draws >= N)
		return good;
	if (draws == 0 || good == 0)
		return 0;
	if (bad == 0)
		return draws;
	/* the items left behind, and the colours swapped, have the same law */
	if (draws > N / 2)
		return good - hypergeometric(r, good, bad, N - draws, memo);
	if (good > bad)
		return draws - hypergeometric(r, bad, good, draws, memo);
	return hyper_mode(r, good, bad, draws, memo);
}

uint64_t ft_sample_hypergeometric(struct ft_rng *r, uint64_t good,
                                  uint64_t bad, uint64_t draws)
{
	return hypergeometric(r, good, bad, draws, NULL);
}

/* ------------------------------------------------------ multivariate */

void ft_sample_multinomial(struct ft_rng *r, uint64_t n, const uint64_t *cnt,
                           size_t k, uint64_t total, uint64_t *out)
{
	uint64_t rest = total;

	for (size_t i = 0; i < k; i++) {
		uint64_t x;

		if (n == 0 || cnt[i] == 0) {
			out[i] = 0;
		} else if (cnt[i] >= rest) {
			out[i] = n;        /* the last non-empty cell takes the rest */
			n = 0;
		} else {
			/* P(cell i | not cells 0..i-1) = cnt[i] / rest, exactly */
			x = binomial_pq(r, n, (double)cnt[i] / (double)rest,
			                (double)(rest - cnt[i]) / (double)rest);
			out[i] = x;
			n -= x;
		}
		rest -= cnt[i] < rest ? cnt[i] : rest;
	}
}

/* x_j ~ Binomial(left[j], p) from stream r[j] for j < R, into out[j][i],
 * and left[j] -= x_j: the bits and the streams' ends of binomial_pq(&r[j],
 * left[j], p, q) one after the other, but the BTRD draws' setups and first
 * uniforms together, and their boxes tried together before any draw goes
 * on alone (the box ends 71-74% of the draws at the bootstrap's n p q of
 * 300 to 900, 86% as n p q grows): one stream at a time, each
 * draw waited on its setup's square root and divisions and on its box's
 * two divisions, chained by the branches between them. */
static void binomial_n(struct ft_rng *r, size_t R, uint64_t *left, double p, double q,
                       uint64_t *const *out, size_t i)
{
	struct btrd_set s[FT_SAMPLE_MAX_STREAMS];
	double v[FT_SAMPLE_MAX_STREAMS], k[FT_SAMPLE_MAX_STREAMS];
	size_t bj[FT_SAMPLE_MAX_STREAMS], nb = 0;
	int flip = p > q;

	/* binomial_pq's order of cases; p and q are both above 0 here */
	if (flip) {
		double t = p;
		p = q;
		q = t;
	}
	for (size_t j = 0; j < R; j++) {
		uint64_t x;
		if (left[j] == 0) {
			out[j][i] = 0;
			continue;
		}
		if ((double)left[j] * p >= BTRD_FROM_NP) {
			bj[nb++] = j;
			continue;
		}
		x = binv(&r[j], left[j], p, q);
		x = flip ? left[j] - x : x;
		out[j][i] = x;
		left[j] -= x;
	}
	for (size_t t = 0; t < nb; t++) {
		btrd_setup(&s[t], left[bj[t]], p, q);
		v[t] = ft_rng_uniform(&r[bj[t]]);
	}
	for (size_t t = 0; t < nb; t++)
		k[t] = v[t] <= s[t].urvr ? btrd_box(&s[t], v[t]) : -1;
	for (size_t t = 0; t < nb; t++) {
		size_t j = bj[t];
		uint64_t x = k[t] >= 0 ? (uint64_t)k[t] : btrd_from(&r[j], &s[t], v[t]);
		x = flip ? left[j] - x : x;
		out[j][i] = x;
		left[j] -= x;
	}
}

void ft_sample_multinomial_n(struct ft_rng *r, size_t R, uint64_t n, const uint64_t *cnt,
                             size_t k, uint64_t total, uint64_t *const *out)
{
	uint64_t rest = total, left[FT_SAMPLE_MAX_STREAMS];

	for (size_t j = 0; j < R; j++)
		left[j] = n;
	for (size_t i = 0; i < k; i++) {
		if (cnt[i] == 0) {
			for (size_t j = 0; j < R; j++)
				out[j][i] = 0;
		} else if (cnt[i] >= rest) {
			for (size_t j = 0; j < R; j++) {
				out[j][i] = left[j];
				left[j] = 0;
			}
		} else {
			/* the same p and q as ft_sample_multinomial's, once for
			 * all the streams */
			double p = (double)cnt[i] / (double)rest, q = (double)(rest - cnt[i]) / (double)rest;
			binomial_n(r, R, left, p, q, out, i);
		}
		rest -= cnt[i] < rest ? cnt[i] : rest;
	}
}

void ft_sample_mvhypergeometric(struct ft_rng *r, uint64_t draws,
                                const uint64_t *cnt, size_t k, uint64_t total,
                                uint64_t *out, struct ft_hyper_memo *memo)
{
	uint64_t rest = total;

	for (size_t i = 0; i < k; i++) {
		uint64_t c = cnt[i] < rest ? cnt[i] : rest;

		out[i] = hypergeometric(r, c, rest - c, draws, memo);
		draws -= out[i];
		rest -= c;
	}
}
