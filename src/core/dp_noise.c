/*
 * dp_noise.c - where differentially private noise comes from, and the
 * mechanisms that add it to one released value.
 *
 * Source.  The operating system's cryptographic generator, getrandom(2)
 * (blocking until the pool is seeded; EINTR and short reads retried),
 * read 256 bytes at a time.  A seeded xoshiro256** (struct ft_rng) exists
 * for tests and reproducible experiments only, and marks itself
 * (ns->seeded), since a known seed undoes the noise.
 *
 * Mechanisms.
 *  - Counts: the geometric mechanism (two-sided geometric = discrete
 *    Laplace noise), sampled exactly with integer arithmetic by Canonne,
 *    Kamath & Steinke (NeurIPS 2020), Algorithms 1 and 2: Bernoulli(exp(-g))
 *    for a rational g by the alternating series, then the discrete Laplace
 *    by rejection.  No floating point touches the released value, so
 *    Mironov's attack (below) has nothing to work on.  The rate eps / sens
 *    must be rational: eps is rounded down to a multiple of 2^-20, which
 *    only adds noise.
 *  - Real values: the snapping mechanism (Mironov, CCS 2012, sec. 5.2).
 *    Textbook Laplace noise x + lambda ln(U) in floating point leaves holes
 *    in the set of outputs that depend on x, so some outputs identify the
 *    input (Mironov, sec. 3-4).  Snapping clamps the input to [-B, B],
 *    draws U over every double of (0, 1) with its proper probability (a
 *    geometric exponent and uniform mantissa bits; ft_noise_uniform),
 *    rounds the sum to the nearest multiple of Lambda, the smallest power
 *    of two >= lambda, and clamps again.  Theorem 2 there: for f of
 *    sensitivity 1 and lambda < B < 2^46 lambda this is (1/lambda +
 *    2^-49 B / lambda)-DP.  We work in units of the sensitivity (f / sens,
 *    B / sens; the final multiplication by sens is post-processing) and
 *    solve for lambda = (1 + 2^-49 B') / eps.  The proof assumes a
 *    correctly rounded logarithm; glibc's log is accurate to within about
 *    0.52 ulp and not always correctly rounded, a difference far below the
 *    2^-49 B slack but not covered by the theorem as stated.
 *  - Vectors of L2 sensitivity (Chaudhuri et al.'s objective and output
 *    perturbation, src/fair/dp_logreg.c): density exp(-||b|| / scale), the
 *    norm Gamma(d, scale) as a sum of d exponentials, the direction
 *    normalised Gaussians.  And the Gaussian mechanism, calibrated exactly
 *    (Balle & Wang, ICML 2018, Theorem 8).  Both are sampled in floating
 *    point from the cryptographic source; no snapping analysis exists for
 *    them (see README, "Differential privacy": what is and is not proved).
 *
 * Not here: the accounting (dp_budget.c), what is released (the callers).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "core/dp.h"

/* ------------------------------------------------------------- source */

void ft_noise_init(struct ft_noise *ns, uint64_t seed)
{
	memset(ns, 0, sizeof *ns);
	ns->pos = sizeof ns->buf / sizeof ns->buf[0];   /* empty */
	if (seed) {
		ns->seeded = 1;
		ft_rng_seed(&ns->rng, seed);
	}
}

/* Fill buf from getrandom(2): EINTR is retried, a short read continues
 * where it stopped.  0 or FT_EIO. */
static int os_fill(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t r = getrandom(p, len, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return FT_EIO;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

uint64_t ft_noise_u64(struct ft_noise *ns)
{
	size_t cap = sizeof ns->buf / sizeof ns->buf[0];

	if (ns->seeded)
		return ft_rng_next(&ns->rng);
	if (ns->err)
		return 0;
	if (ns->pos >= cap) {
		if (os_fill(ns->buf, sizeof ns->buf)) {
			ns->err = FT_EIO;
			return 0;
		}
		ns->pos = 0;
	}
	return ns->buf[ns->pos++];
}

uint64_t ft_noise_below(struct ft_noise *ns, uint64_t n)
{
	uint64_t x, lim;

	if (n == 0)
		return 0;
	/* reject the top 2^64 mod n values so that x mod n is uniform */
	lim = -n % n;
	do
		x = ft_noise_u64(ns);
	while (x < lim && !ns->err);
	return x % n;
}

double ft_noise_uniform(struct ft_noise *ns)
{
	/* exponent e with P(e) = 2^-e (count the zero bits before the first
	 * one), then [1, 2) x 2^-e with 52 uniform mantissa bits: each double
	 * of [2^-e, 2^-e+1) has probability 2^-e 2^-52, its width */
	int e = 1;
	uint64_t bits, mant;

	for (;;) {
		bits = ft_noise_u64(ns);
		if (ns->err)
			return 0.5;
		if (bits) {
			while (!(bits & 1)) {
				e++;
				bits >>= 1;
			}
			break;
		}
		e += 64;
		if (e > 1074)
			return ldexp(1.0, -1074);   /* probability below 2^-1000 */
	}
	mant = ft_noise_u64(ns) >> 12;
	return ldexp(1.0 + (double)mant * 0x1.0p-52, -e);
}

double ft_noise_normal(struct ft_noise *ns)
{
	double u = ft_noise_uniform(ns), v = ft_noise_uniform(ns);

	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

double ft_noise_laplace(struct ft_noise *ns, double scale)
{
	double u = ft_noise_uniform(ns);

	return (ft_noise_u64(ns) & 1 ? -scale : scale) * log(u);
}

double ft_noise_gamma_int(struct ft_noise *ns, size_t k, double scale)
{
	double s = 0.0;

	for (size_t i = 0; i < k; i++)
		s -= log(ft_noise_uniform(ns));
	return s * scale;
}

void ft_noise_vector(struct ft_noise *ns, double *b, size_t d, double scale)
{
	double nrm = 0.0, r;

	if (d == 0)
		return;
	do {
		nrm = 0.0;
		for (size_t j = 0; j < d; j++) {
			b[j] = ft_noise_normal(ns);
			nrm += b[j] * b[j];
		}
	} while (!(nrm > 0.0) && !ns->err);
	r = ft_noise_gamma_int(ns, d, scale) / sqrt(nrm);
	for (size_t j = 0; j < d; j++)
		b[j] *= r;
}

/* --------------------------------------------- exact discrete Laplace */

/* Bernoulli(num / den), 0 < num <= den. */
static int bern(struct ft_noise *ns, uint64_t num, uint64_t den)
{
	return ft_noise_below(ns, den) < num;
}

/* Bernoulli(exp(-num / den)) for 0 <= num <= den (CKS Algorithm 1, gamma
 * in [0, 1]): draw A_k ~ Bernoulli(gamma / k) for k = 1, 2, .. until one is
 * 0; the answer is 1 when that k is odd.  P(k = K) = gamma^(K-1) / (K-1)!
 * - gamma^K / K!, whose sum over odd K is exp(-gamma). */
static int bern_exp_frac(struct ft_noise *ns, uint64_t num, uint64_t den)
{
	uint64_t k = 1;

	if (num == 0)
		return 1;
	for (;;) {
		/* gamma / k = num / (den k); den k stays far below 2^64 (den <=
		 * 2^42, and k grows past 2^20 with probability below 1 / 2^20!) */
		if (k > (UINT64_MAX / den) || !bern(ns, num, den * k) || ns->err)
			break;
		k++;
	}
	return (int)(k & 1);
}

int64_t ft_noise_discrete_laplace(struct ft_noise *ns, uint64_t s, uint64_t t)
{
	/* CKS Algorithm 2, scale t / s: U uniform on {0..t-1} accepted with
	 * probability exp(-U / t), V ~ Geometric(1 - exp(-1)) by repeated
	 * Bernoulli(exp(-1)), X = U + t V is then Geometric(1 - exp(-1/t)),
	 * Y = floor(X / s) Geometric(1 - exp(-s/t)); a random sign, with the
	 * negative zero rejected so that 0 is not counted twice */
	for (;;) {
		uint64_t u = ft_noise_below(ns, t), v = 0, x, y;
		int neg;
		if (ns->err)
			return 0;
		if (!bern_exp_frac(ns, u, t))
			continue;
		while (bern_exp_frac(ns, 1, 1) && !ns->err)
			v++;
		x = u + t * v;
		y = x / s;
		neg = (int)(ft_noise_u64(ns) & 1);
		if (ns->err)
			return 0;
		if (neg && y == 0)
			continue;
		if (y > (uint64_t)INT64_MAX)
			y = (uint64_t)INT64_MAX;   /* probability exp(-2^63 s / t) */
		return neg ? -(int64_t)y : (int64_t)y;
	}
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t r = a % b;
		a = b;
		b = r;
	}
	return a;
}

int ft_dp_geometric_rate(double eps, int64_t sens, uint64_t *s, uint64_t *t)
{
	double m;
	uint64_t g;

	if (!(eps >= 0x1.0p-20) || !(eps <= 0x1.0p22) || sens < 1 || sens > (1 << 20))
		return FT_EINVAL;
	m = floor(ldexp(eps, 20));     /* eps' 2^20, exact: eps <= 2^22 */
	*s = (uint64_t)m;
	*t = (uint64_t)sens << 20;
	g = gcd(*s, *t);
	*s /= g;
	*t /= g;
	return 0;
}

int ft_dp_geometric(struct ft_noise *ns, int64_t count, int64_t sens, double eps,
                    int64_t *out, struct ft_error *err)
{
	uint64_t s, t;
	int64_t z;

	if (ft_dp_geometric_rate(eps, sens, &s, &t))
		return ft_error_set(err, FT_EINVAL, "geometric mechanism: needs epsilon in "
		                    "[2^-20, 2^22] and a sensitivity of 1 .. 2^20, not %g and "
		                    "%lld", eps, (long long)sens);
	z = ft_noise_discrete_laplace(ns, s, t);
	if (ns->err)
		return ft_error_set(err, FT_EIO, "geometric mechanism: getrandom failed");
	if ((z > 0 && count > INT64_MAX - z) || (z < 0 && count < INT64_MIN - z))
		return ft_error_set(err, FT_ENUMERIC, "geometric mechanism: count overflows");
	*out = count + z;
	return 0;
}

/* ------------------------------------------------------------ snapping */

/* The smallest power of two >= x (x > 0, normal). */
static double pow2_ceil(double x)
{
	int e;
	double m = frexp(x, &e);     /* x = m 2^e, m in [0.5, 1) */

	return m == 0.5 ? x : ldexp(1.0, e);
}

static double clampd(double x, double B)
{
	return x < -B ? -B : x > B ? B : x;
}

int ft_dp_snapping(struct ft_noise *ns, double value, double sens, double eps,
                   double B, double *out, double *lambda_out, double *grid_out,
                   struct ft_error *err)
{
	double Bn, lam, Lam, f, y;
	int neg;

	if (!(sens > 0.0) || !isfinite(sens) || !(eps > 0.0) || !isfinite(eps) ||
	    !(B > 0.0) || !isfinite(B) || !isfinite(value))
		return ft_error_set(err, FT_EINVAL, "snapping mechanism: needs a finite value, "
		                    "sensitivity, epsilon and bound > 0 (value %g, sensitivity "
		                    "%g, epsilon %g, bound %g)", value, sens, eps, B);
	Bn = B / sens;
	lam = (1.0 + 0x1.0p-49 * Bn) / eps;
	if (!(Bn > lam))
		Bn = 2.0 * lam;
	if (!(Bn < 0x1.0p46 * lam) || !isfinite(lam) || !(lam >= 0x1.0p-1000))
		return ft_error_set(err, FT_EINVAL, "snapping mechanism: bound %g is more than "
		                    "2^46 noise scales (%g) for epsilon %g", B, lam * sens, eps);
	Lam = pow2_ceil(lam);
	f = clampd(value / sens, Bn);
	neg = (int)(ft_noise_u64(ns) & 1);
	y = f + (neg ? -lam : lam) * log(ft_noise_uniform(ns));
	if (ns->err)
		return ft_error_set(err, FT_EIO, "snapping mechanism: getrandom failed");
	/* Lam is a power of two: y / Lam and the product are exact */
	y = clampd(round(y / Lam) * Lam, Bn);
	*out = y * sens;
	if (lambda_out)
		*lambda_out = lam * sens;
	if (grid_out)
		*grid_out = Lam * sens;
	return 0;
}

/* ------------------------------------------------------------ Gaussian */

double ft_cdf_normal(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

/* delta(sigma) of the Gaussian mechanism (Balle & Wang 2018, Theorem 8):
 * Phi(D / 2s - eps s / D) - e^eps Phi(-D / 2s - eps s / D). */
static double gauss_delta(double sens, double eps, double sigma)
{
	double a = sens / (2.0 * sigma), b = eps * sigma / sens;
	double p2 = ft_cdf_normal(-a - b);

	return ft_cdf_normal(a - b) - (p2 > 0.0 ? exp(eps + log(p2)) : 0.0);
}

int ft_dp_gaussian_sigma(double sens2, double eps, double delta, double *sigma,
                         struct ft_error *err)
{
	double lo, hi;

	if (!(sens2 > 0.0) || !isfinite(sens2) || !(eps > 0.0) || !(eps <= 100.0) ||
	    !(delta > 0.0) || !(delta < 1.0))
		return ft_error_set(err, FT_EINVAL, "gaussian mechanism: needs sensitivity > 0, "
		                    "epsilon in (0, 100] and delta in (0, 1), not %g, %g, %g",
		                    sens2, eps, delta);
	/* delta(sigma) falls as sigma grows: bracket, then bisect to the
	 * smallest sigma that meets delta (hi always meets it) */
	lo = hi = sens2;
	while (gauss_delta(sens2, eps, hi) > delta)
		hi *= 2.0;
	while (lo > 1e-300 && gauss_delta(sens2, eps, lo) <= delta)
		lo /= 2.0;
	for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
		double mid = 0.5 * (lo + hi);
		if (gauss_delta(sens2, eps, mid) <= delta)
			hi = mid;
		else
			lo = mid;
	}
	*sigma = hi;
	return 0;
}

/* ------------------------------------------------------ CDFs and KS */

double ft_cdf_laplace(double x, double scale)
{
	return x < 0.0 ? 0.5 * exp(x / scale) : 1.0 - 0.5 * exp(-x / scale);
}

double ft_cdf_discrete_laplace(double k, double scale)
{
	/* P(Z = z) = (1 - a) / (1 + a) a^|z|, a = exp(-1 / scale):
	 * F(k) = a^-k / (1 + a) for k < 0, 1 - a^(k+1) / (1 + a) for k >= 0 */
	double a = exp(-1.0 / scale);

	k = floor(k);
	if (k < 0.0)
		return exp(k / scale) / (1.0 + a);
	return 1.0 - exp(-(k + 1.0) / scale) / (1.0 + a);
}

double ft_cdf_gamma_int(double x, size_t k)
{
	/* 1 - sum_{j<k} Poisson(j; x), terms exp(j ln x - x - ln j!) */
	double s = 0.0, lt;

	if (!(x > 0.0))
		return 0.0;
	lt = -x;                      /* log of the j = 0 term */
	for (size_t j = 0; j < k; j++) {
		if (j > 0)
			lt += log(x) - log((double)j);
		s += exp(lt);
	}
	return s >= 1.0 ? 0.0 : 1.0 - s;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double ft_ks_continuous(double *x, size_t n, double (*cdf)(double, const void *),
                        const void *ctx)
{
	double D = 0.0;

	qsort(x, n, sizeof *x, cmp_dbl);
	for (size_t i = 0; i < n; i++) {
		double F = cdf(x[i], ctx);
		D = fmax(D, fmax((double)(i + 1) / (double)n - F, F - (double)i / (double)n));
	}
	return D;
}

double ft_ks_lattice(double *x, size_t n, double step,
                     double (*cdf)(double, const void *), const void *ctx)
{
	double D = 0.0;
	size_t i = 0;

	if (n == 0)
		return 0.0;
	qsort(x, n, sizeof *x, cmp_dbl);
	/* lattice points k step for k from (min / step) - 1 to max / step: F_n
	 * and F are both constant between consecutive points */
	for (double k = round(x[0] / step) - 1.0; k <= round(x[n - 1] / step); k += 1.0) {
		double v = k * step;
		while (i < n && x[i] <= v + 0.25 * step)
			i++;
		D = fmax(D, fabs((double)i / (double)n - cdf(v, ctx)));
	}
	return D;
}

double ft_ks_critical(double alpha)
{
	return sqrt(-log(alpha / 2.0) / 2.0);
}
