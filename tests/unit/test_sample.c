/*
 * test_sample.c - the exact samplers of src/metrics/sample.c: log k!
 * against lgamma, mean and variance over many draws in every regime of the
 * binomial (inversion, BTRD, the p > 1/2 symmetry, huge n) and of the
 * hypergeometric (all four symmetries), chi-square goodness of fit against
 * the exact pmf on small cases, the joint law of small multinomial and
 * multivariate hypergeometric draws, degenerate arguments, determinism.
 *
 * Every random check uses a fixed seed, so a run is reproducible; the
 * chi-square critical values are at significance 1e-4 (Wilson-Hilferty), so
 * a correct sampler passes with a wide margin while a wrong constant in BTRD
 * (tried: a in step 1, the recursion bounds in 3.1) fails by orders of
 * magnitude.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "metrics/sample.h"
#include "t.h"

/* Upper 1e-4 point of chi-square with df degrees of freedom
 * (Wilson-Hilferty: accurate to a few percent for df >= 3). */
static double chi2_crit(double df)
{
	double z = 3.719, h = 2.0 / (9.0 * df);
	return df * pow(1 - h + z * sqrt(h), 3);
}

/* Pearson's statistic of obs against expected counts exp (k cells), with
 * adjacent cells pooled left to right until each pool expects >= 5. */
static double chi2_stat(const double *obs, const double *expct, size_t k, double *df)
{
	double stat = 0, o = 0, e = 0;
	size_t bins = 0;

	for (size_t i = 0; i < k; i++) {
		o += obs[i];
		e += expct[i];
		if (e >= 5 && i + 1 < k) {
			/* keep going if the rest would expect < 5 */
			double rest = 0;
			for (size_t j = i + 1; j < k; j++)
				rest += expct[j];
			if (rest >= 5) {
				stat += (o - e) * (o - e) / e;
				bins++;
				o = e = 0;
			}
		}
	}
	if (e > 0) {
		stat += (o - e) * (o - e) / e;
		bins++;
	}
	*df = (double)bins - 1;
	return stat;
}

static double binom_pmf(uint64_t n, double p, uint64_t k)
{
	double lc = lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1);
	if (p <= 0)
		return k == 0;
	if (p >= 1)
		return k == n;
	return exp(lc + (double)k * log(p) + (double)(n - k) * log1p(-p));
}

static double hyper_pmf(uint64_t good, uint64_t bad, uint64_t d, uint64_t k)
{
	if (k > good || k > d || d - k > bad)
		return 0;
	return exp(lgamma(good + 1.0) - lgamma(k + 1.0) - lgamma(good - k + 1.0) +
	           lgamma(bad + 1.0) - lgamma(d - k + 1.0) - lgamma(bad - d + k + 1.0) -
	           lgamma(good + bad + 1.0) + lgamma(d + 1.0) + lgamma(good + bad - d + 1.0));
}

/* ------------------------------------------------------------ log k! */

static void test_log_factorial(void)
{
	uint64_t ks[] = { 0, 1, 2, 5, 10, 29, 30, 31, 50, 100, 1000, 123456, 1000000,
	                  1000000000ULL };

	for (size_t i = 0; i < sizeof ks / sizeof *ks; i++) {
		double ref = lgamma((double)ks[i] + 1);
		double got = (double)ft_log_factorial(ks[i]);
		T_CHECKF(fabs(got - ref) <= 4e-16 * fmax(1, fabs(ref)),
		         "log %llu! = %.17g, lgamma %.17g", (unsigned long long)ks[i], got, ref);
	}
	/* consecutive differences are exactly log k, across the switch at 30 */
	for (uint64_t k = 25; k < 40; k++) {
		long double d = ft_log_factorial(k) - ft_log_factorial(k - 1);
		T_CHECKF(fabsl(d - logl((long double)k)) < 1e-17L, "log %llu!: step %.20Lg",
		         (unsigned long long)k, d);
	}
}

/* ----------------------------------------------------------- binomial */

/* Mean and variance over N draws against n p and n p q, with tolerances of
 * 6 standard errors (the variance's from the binomial fourth moment). */
static void binom_moments(uint64_t n, double p, size_t N, uint64_t seed)
{
	struct ft_rng r;
	double s = 0, s2 = 0, mean, var, q = 1 - p;
	double mu = (double)n * p, sig2 = (double)n * p * q;
	double mu4 = sig2 * (1 + 3 * ((double)n - 2) * p * q);

	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < N; i++) {
		uint64_t x = ft_sample_binomial(&r, n, p);
		double d;
		if (x > n) {
			T_FAIL("binomial(%llu, %g) gave %llu", (unsigned long long)n, p,
			       (unsigned long long)x);
			return;
		}
		d = (double)x - mu;
		s += d;
		s2 += d * d;
	}
	mean = mu + s / (double)N;
	var = s2 / (double)N - (s / (double)N) * (s / (double)N);
	T_CHECKF(fabs(mean - mu) <= 6 * sqrt(sig2 / (double)N) + 1e-12,
	         "binomial(%llu, %g): mean %.6g, expected %.6g", (unsigned long long)n, p,
	         mean, mu);
	T_CHECKF(fabs(var - sig2) <= 6 * sqrt(fmax(mu4 - sig2 * sig2, 0) / (double)N) + 1e-12,
	         "binomial(%llu, %g): variance %.6g, expected %.6g", (unsigned long long)n,
	         p, var, sig2);
}

static void test_binomial_moments(void)
{
	binom_moments(20, 0.3, 200000, 1);          /* inversion */
	binom_moments(1000, 0.005, 200000, 2);      /* inversion, n p = 5 */
	binom_moments(1000000, 2e-6, 200000, 3);    /* inversion, huge n */
	binom_moments(50, 0.2, 200000, 4);          /* BTRD at n p = 10 */
	binom_moments(100, 0.4, 200000, 5);         /* BTRD */
	binom_moments(1000, 0.9, 200000, 6);        /* BTRD through 1 - p */
	binom_moments(1000000, 0.3, 200000, 7);     /* BTRD, huge n: squeeze and 3.3 */
	binom_moments(30, 0.5, 200000, 8);
	binom_moments(3, 0.999, 200000, 9);         /* inversion through 1 - p */
}

static void binom_gof(uint64_t n, double p, size_t N, uint64_t seed)
{
	struct ft_rng r;
	double *obs = calloc(n + 1, sizeof *obs), *ex = calloc(n + 1, sizeof *ex);
	double stat, df;

	if (!obs || !ex) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < N; i++) {
		uint64_t x = ft_sample_binomial(&r, n, p);
		if (x > n) {
			T_FAIL("out of range");
			goto done;
		}
		obs[x]++;
	}
	for (uint64_t k = 0; k <= n; k++)
		ex[k] = (double)N * binom_pmf(n, p, k);
	stat = chi2_stat(obs, ex, n + 1, &df);
	T_CHECKF(df >= 1 && stat < chi2_crit(df),
	         "binomial(%llu, %g): chi-square %.2f on %g df (critical %.2f)",
	         (unsigned long long)n, p, stat, df, chi2_crit(df));
done:
	free(obs);
	free(ex);
}

static void test_binomial_gof(void)
{
	binom_gof(20, 0.3, 400000, 11);       /* inversion */
	binom_gof(12, 0.5, 400000, 12);       /* inversion at p = 1/2 */
	binom_gof(40, 0.45, 400000, 13);      /* BTRD, n p = 18 */
	binom_gof(60, 0.8, 400000, 14);       /* BTRD via 1 - p, n q = 12 */
	binom_gof(1000, 0.02, 400000, 15);    /* BTRD, far tails hit 3.2/3.3 */
	binom_gof(5000, 0.37, 400000, 16);
}

static void test_binomial_edges(void)
{
	struct ft_rng r;

	ft_rng_seed(&r, 3);
	T_CHECK(ft_sample_binomial(&r, 0, 0.4) == 0);
	T_CHECK(ft_sample_binomial(&r, 10, 0) == 0);
	T_CHECK(ft_sample_binomial(&r, 10, -1) == 0);
	T_CHECK(ft_sample_binomial(&r, 10, NAN) == 0);
	T_CHECK(ft_sample_binomial(&r, 10, 1) == 10);
	T_CHECK(ft_sample_binomial(&r, 10, 2) == 10);
	T_CHECK(ft_sample_binomial(&r, 1, 0.5) <= 1);
	/* tiny p with huge n: Poisson(1e-3) in effect, 10 expected in all */
	{
		uint64_t s = 0;
		for (int i = 0; i < 10000; i++)
			s += ft_sample_binomial(&r, 4000000000ULL, 2.5e-13);
		T_CHECKF(s >= 1 && s <= 30, "sum %llu", (unsigned long long)s);
	}
}

static void test_determinism(void)
{
	struct ft_rng a, b;
	int same = 1;

	ft_rng_seed(&a, 99);
	ft_rng_seed(&b, 99);
	for (int i = 0; i < 1000; i++) {
		uint64_t n = 1 + (uint64_t)i * 37;
		if (ft_sample_binomial(&a, n, 0.3) != ft_sample_binomial(&b, n, 0.3))
			same = 0;
		if (ft_sample_hypergeometric(&a, n, 2 * n, n) !=
		    ft_sample_hypergeometric(&b, n, 2 * n, n))
			same = 0;
	}
	T_CHECK(same);
}

/* ----------------------------------------------------- hypergeometric */

static void hyper_gof(uint64_t good, uint64_t bad, uint64_t d, size_t N, uint64_t seed)
{
	struct ft_rng r;
	uint64_t top = d < good ? d : good;
	double *obs = calloc(top + 1, sizeof *obs), *ex = calloc(top + 1, sizeof *ex);
	double stat, df, s = 0, s2 = 0, mean, var, Nn = (double)(good + bad);
	double mu = d * (double)good / Nn;
	double sig2 = mu * (double)bad / Nn * (Nn - d) / (Nn - 1);

	if (!obs || !ex) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < N; i++) {
		uint64_t x = ft_sample_hypergeometric(&r, good, bad, d);
		if (x > top || d - x > bad) {
			T_FAIL("hypergeometric(%llu, %llu, %llu) gave %llu",
			       (unsigned long long)good, (unsigned long long)bad,
			       (unsigned long long)d, (unsigned long long)x);
			goto done;
		}
		obs[x]++;
		s += (double)x - mu;
		s2 += ((double)x - mu) * ((double)x - mu);
	}
	for (uint64_t k = 0; k <= top; k++)
		ex[k] = (double)N * hyper_pmf(good, bad, d, k);
	stat = chi2_stat(obs, ex, top + 1, &df);
	T_CHECKF(df >= 1 && stat < chi2_crit(df),
	         "hypergeometric(%llu, %llu, %llu): chi-square %.2f on %g df (critical %.2f)",
	         (unsigned long long)good, (unsigned long long)bad, (unsigned long long)d,
	         stat, df, chi2_crit(df));
	mean = mu + s / (double)N;
	var = s2 / (double)N - (s / (double)N) * (s / (double)N);
	T_CHECKF(fabs(mean - mu) <= 6 * sqrt(sig2 / (double)N), "mean %.6g vs %.6g", mean, mu);
	T_CHECKF(fabs(var / sig2 - 1) <= 0.03, "variance %.6g vs %.6g", var, sig2);
done:
	free(obs);
	free(ex);
}

static void test_hypergeometric_gof(void)
{
	hyper_gof(10, 15, 12, 300000, 21);        /* plain */
	hyper_gof(15, 10, 12, 300000, 22);        /* good > bad */
	hyper_gof(10, 15, 20, 300000, 23);        /* draws > N / 2 */
	hyper_gof(300, 500, 400, 300000, 24);
	hyper_gof(700, 100, 600, 300000, 25);     /* both symmetries */
	hyper_gof(3, 1000, 500, 300000, 26);      /* mode at the edge */
	hyper_gof(1, 1, 1, 100000, 27);
}

static void test_hypergeometric_large(void)
{
	/* N = 10^6 (a permutation test on Adult-sized data): moments only */
	struct ft_rng r;
	uint64_t good = 300000, bad = 700000, d = 500000;
	double s = 0, s2 = 0, Nn = 1e6, N = 20000;
	double mu = d * good / Nn, sig2 = mu * bad / Nn * (Nn - d) / (Nn - 1);

	ft_rng_seed(&r, 31);
	for (int i = 0; i < (int)N; i++) {
		double x = (double)ft_sample_hypergeometric(&r, good, bad, d) - mu;
		s += x;
		s2 += x * x;
	}
	T_CHECKF(fabs(s / N) <= 6 * sqrt(sig2 / N), "mean off by %.4g", s / N);
	T_CHECKF(fabs((s2 / N - (s / N) * (s / N)) / sig2 - 1) <= 0.06,
	         "variance %.6g vs %.6g", s2 / N, sig2);
	/* degenerate arguments */
	T_CHECK(ft_sample_hypergeometric(&r, 0, 10, 5) == 0);
	T_CHECK(ft_sample_hypergeometric(&r, 10, 0, 5) == 5);
	T_CHECK(ft_sample_hypergeometric(&r, 10, 7, 0) == 0);
	T_CHECK(ft_sample_hypergeometric(&r, 10, 7, 17) == 10);
	T_CHECK(ft_sample_hypergeometric(&r, 10, 7, 99) == 10);
}

/* ------------------------------------------------------ multivariate */

/* Multinomial(4; 1/6, 2/6, 3/6) and the multivariate hypergeometric with
 * 4 draws from an urn (1, 2, 3): every outcome (a, b, 4 - a - b) against
 * its exact probability. */
static void test_multinomial_joint(void)
{
	struct ft_rng r;
	uint64_t cnt[3] = { 1, 2, 3 }, out[3];
	double obs[25] = { 0 }, ex[25] = { 0 }, stat, df, N = 300000;
	size_t n = 4;

	ft_rng_seed(&r, 41);
	for (int i = 0; i < (int)N; i++) {
		ft_sample_multinomial(&r, n, cnt, 3, 6, out);
		if (out[0] + out[1] + out[2] != n) {
			T_FAIL("counts add to %llu", (unsigned long long)(out[0] + out[1] + out[2]));
			return;
		}
		obs[out[0] * 5 + out[1]]++;
	}
	for (size_t a = 0; a <= n; a++)
		for (size_t b = 0; a + b <= n; b++) {
			size_t c = n - a - b;
			double lp = lgamma(n + 1.0) - lgamma(a + 1.0) - lgamma(b + 1.0) -
			            lgamma(c + 1.0) + a * log(1 / 6.0) + b * log(2 / 6.0) +
			            c * log(3 / 6.0);
			ex[a * 5 + b] = N * exp(lp);
		}
	stat = chi2_stat(obs, ex, 25, &df);
	T_CHECKF(stat < chi2_crit(df), "multinomial: chi-square %.2f on %g df", stat, df);

	memset(obs, 0, sizeof obs);
	memset(ex, 0, sizeof ex);
	for (int i = 0; i < (int)N; i++) {
		ft_sample_mvhypergeometric(&r, n, cnt, 3, 6, out, NULL);
		if (out[0] + out[1] + out[2] != n || out[0] > 1 || out[1] > 2 || out[2] > 3) {
			T_FAIL("mv hypergeometric gave (%llu, %llu, %llu)",
			       (unsigned long long)out[0], (unsigned long long)out[1],
			       (unsigned long long)out[2]);
			return;
		}
		obs[out[0] * 5 + out[1]]++;
	}
	/* P(a, b, c) = C(1,a) C(2,b) C(3,c) / C(6,4) */
	for (size_t a = 0; a <= 1; a++)
		for (size_t b = 0; b <= 2 && a + b <= n; b++) {
			size_t c = n - a - b;
			double ch[4][4] = { { 1, 0, 0, 0 }, { 1, 1, 0, 0 }, { 1, 2, 1, 0 },
			                    { 1, 3, 3, 1 } };
			if (c > 3)
				continue;
			ex[a * 5 + b] = N * ch[1][a] * ch[2][b] * ch[3][c] / 15.0;
		}
	stat = chi2_stat(obs, ex, 25, &df);
	T_CHECKF(stat < chi2_crit(df), "mv hypergeometric: chi-square %.2f on %g df", stat, df);
}

/* Marginals of a big multinomial: cell i is Binomial(n, p_i). */
static void test_multinomial_marginals(void)
{
	struct ft_rng r;
	enum { K = 40 };
	uint64_t cnt[K], out[K], total = 0, n = 1000000;
	double s[K] = { 0 }, s2[K] = { 0 }, N = 4000;

	for (int i = 0; i < K; i++) {
		cnt[i] = (uint64_t)(i == 7 ? 0 : 1 + (i * 7919) % 5000);
		total += cnt[i];
	}
	ft_rng_seed(&r, 51);
	for (int b = 0; b < (int)N; b++) {
		uint64_t sum = 0;
		ft_sample_multinomial(&r, n, cnt, K, total, out);
		for (int i = 0; i < K; i++) {
			double p = (double)cnt[i] / (double)total;
			double d = (double)out[i] - (double)n * p;
			s[i] += d;
			s2[i] += d * d;
			sum += out[i];
		}
		if (sum != n) {
			T_FAIL("multinomial counts add to %llu", (unsigned long long)sum);
			return;
		}
	}
	T_CHECK(s[7] == 0 && s2[7] == 0);
	for (int i = 0; i < K; i++) {
		double p = (double)cnt[i] / (double)total, v = (double)n * p * (1 - p);
		if (cnt[i] == 0)
			continue;
		T_CHECKF(fabs(s[i] / N) <= 6 * sqrt(v / N), "cell %d mean off by %.4g", i, s[i] / N);
		T_CHECKF(fabs(s2[i] / N / v - 1) <= 0.15, "cell %d variance ratio %.4g", i,
		         s2[i] / N / v);
	}
	/* n = 0 and a single cell */
	ft_sample_multinomial(&r, 0, cnt, K, total, out);
	for (int i = 0; i < K; i++)
		T_CHECK(out[i] == 0);
	ft_sample_multinomial(&r, 17, cnt + 3, 1, cnt[3], out);
	T_CHECK(out[0] == 17);
}

/* R multinomials at once (ft_sample_multinomial_n, the bootstrap's) are,
 * stream by stream, the bits of ft_sample_multinomial, and leave each
 * stream where it leaves it: empty cells, a cell that takes the rest,
 * small expected counts (inversion) and large ones (BTRD), streams of one
 * cell on both sides of the switch (n = 80, 90), n = 0. */
static void test_multinomial_streams(void)
{
	enum { K = 12, R = FT_SAMPLE_MAX_STREAMS };
	uint64_t cnt[K] = {0, 5, 1, 300000, 0, 2, 70000, 9, 0, 123456, 1, 0};
	uint64_t total = 0, ns[] = {0, 1, 7, 40, 80, 90, 5000, 2000000}, buf[R][K], ref[K];
	uint64_t *out[R];
	size_t bad = 0;

	for (int i = 0; i < K; i++)
		total += cnt[i];
	for (int j = 0; j < R; j++)
		out[j] = buf[j];
	for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
		for (size_t nr = 1; nr <= R; nr += 3) {
			struct ft_rng r[R], q;
			for (size_t j = 0; j < nr; j++)
				ft_rng_seed(&r[j], 1000 * a + 10 * nr + j);
			/* the last cells alone: the final one takes the rest */
			ft_sample_multinomial_n(r, nr, ns[a], cnt, K, total, out);
			for (size_t j = 0; j < nr; j++) {
				ft_rng_seed(&q, 1000 * a + 10 * nr + j);
				ft_sample_multinomial(&q, ns[a], cnt, K, total, ref);
				bad += memcmp(ref, out[j], sizeof ref) != 0;
				bad += ft_rng_next(&q) != ft_rng_next(&r[j]);
			}
			ft_sample_multinomial_n(r, nr, ns[a], cnt + 9, 3, cnt[9] + cnt[10], out);
			for (size_t j = 0; j < nr; j++)
				bad += out[j][0] + out[j][1] != ns[a] || out[j][2] != 0;
		}
	T_CHECKF(bad == 0, "%zu streams differ from ft_sample_multinomial", bad);
}

/* Multivariate hypergeometric draws with the memory of mode probabilities
 * (the permutation tests') are the bits of those without, and leave the
 * stream where those leave it: urns that repeat (every slot found), and
 * thousands of distinct ones (slots taken over, keys that share a slot and
 * differ in good, bad or draws alone). */
static void test_mvhyper_memo(void)
{
	struct ft_hyper_memo *memo = calloc(1, sizeof *memo);
	uint64_t cnt[4] = {120000, 30000, 450000, 99999}, total = 699999, xa[4], xb[4];
	size_t bad = 0, calls = 0;

	if (!memo) {
		T_FAIL("out of memory");
		return;
	}
	for (int round = 0; round < 2; round++)
		for (uint64_t d = 1; d < 6000; d += round ? 1 : 997) {
			struct ft_rng a, b;
			uint64_t draws = round ? 200000 + 37 * d : 350000;
			for (int rep = 0; rep < (round ? 1 : 50); rep++) {
				ft_rng_seed(&a, 7 * d + (uint64_t)rep);
				b = a;
				ft_sample_mvhypergeometric(&a, draws, cnt, 4, total, xa, memo);
				ft_sample_mvhypergeometric(&b, draws, cnt, 4, total, xb, NULL);
				bad += memcmp(xa, xb, sizeof xa) != 0;
				bad += ft_rng_next(&a) != ft_rng_next(&b);
				calls++;
			}
			/* the same draws with the urns' colours in another order:
			 * keys whose good and bad trade places */
			{
				uint64_t c2[4] = {cnt[2], cnt[3], cnt[0], cnt[1]};
				ft_rng_seed(&a, d);
				b = a;
				ft_sample_mvhypergeometric(&a, draws, c2, 4, total, xa, memo);
				ft_sample_mvhypergeometric(&b, draws, c2, 4, total, xb, NULL);
				bad += memcmp(xa, xb, sizeof xa) != 0;
			}
		}
	/* 2,000 draws that differ in good alone, 2,000 in bad alone and 2,000
	 * in draws alone: more than the slots, so some share one; each drawn
	 * in two passes */
	for (int pass = 0; pass < 2; pass++)
		for (int v = 0; v < 3; v++)
			for (uint64_t g = 0; g < 2000; g++) {
				uint64_t c2[2] = {50000 + (v == 0 ? g : 0), 300000 + (v == 1 ? g : 0)};
				uint64_t dr = 100000 + (v == 2 ? g : 0);
				struct ft_rng a, b;
				ft_rng_seed(&a, g);
				for (int rep = 0; rep < 3; rep++) {
					b = a;
					ft_sample_mvhypergeometric(&a, dr, c2, 2, c2[0] + c2[1], xa, memo);
					ft_sample_mvhypergeometric(&b, dr, c2, 2, c2[0] + c2[1], xb, NULL);
					bad += xa[0] != xb[0] || ft_rng_next(&a) != ft_rng_next(&b);
					calls++;
				}
			}
	T_CHECKF(bad == 0 && calls > 6000, "%zu of %zu draws differ with the memory", bad, calls);
	free(memo);
}

int main(void)
{
	T_RUN(test_log_factorial);
	T_RUN(test_binomial_moments);
	T_RUN(test_binomial_gof);
	T_RUN(test_binomial_edges);
	T_RUN(test_determinism);
	T_RUN(test_hypergeometric_gof);
	T_RUN(test_hypergeometric_large);
	T_RUN(test_multinomial_joint);
	T_RUN(test_multinomial_marginals);
	T_RUN(test_multinomial_streams);
	T_RUN(test_mvhyper_memo);
	return t_done();
}
