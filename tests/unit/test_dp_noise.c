/*
 * test_dp_noise.c - the differential-privacy noise (src/core/dp_noise.c)
 * and the budget (src/core/dp_budget.c).
 *
 * Each mechanism's released noise is tested over 200,000 draws with a
 * Kolmogorov-Smirnov test against its exact target distribution at the
 * stated scale, at the 1e-3 level (sqrt(n) D < 1.9495; for the lattice
 * distributions the asymptotic critical value is conservative).  The KS
 * code itself is checked against scipy.stats.kstest and a numpy lattice
 * computation on samples made by scripts/fixtures/make_dp_fixtures.py
 * (tests/fixtures/dp_ks.tsv), and the analytic Gaussian's sigma against
 * scipy's brentq on the same condition.
 */
#include "t.h"
#include <stdint.h>
#include "core/dp.h"

#define NDRAW 200000
#define KS_ALPHA 1e-3

static double *draws;

struct lap { double scale, x, grid; };

static double cdf_dlap(double k, const void *c)
{
	return ft_cdf_discrete_laplace(k, *(const double *)c);
}

static double cdf_lap(double x, const void *c)
{
	return ft_cdf_laplace(x, *(const double *)c);
}

static double cdf_norm(double x, const void *c)
{
	(void)c;
	return ft_cdf_normal(x);
}

/* The snapping mechanism's output for input x (clamp far away): the
 * Laplace(scale) variable rounded to the nearest multiple of grid. */
static double cdf_snap(double v, const void *c)
{
	const struct lap *l = c;
	return ft_cdf_laplace(v + 0.5 * l->grid - l->x, l->scale);
}

static double cdf_unif01(double x, const void *c)
{
	(void)c;
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

static double cdf_unif11(double x, const void *c)
{
	(void)c;
	return x < -1 ? 0 : x > 1 ? 1 : (x + 1) / 2;
}

struct gam { size_t k; double scale; };

static double cdf_gamma(double x, const void *c)
{
	const struct gam *g = c;
	return ft_cdf_gamma_int(x / g->scale, g->k);
}

static void ks_pass(double D, size_t n, const char *what)
{
	double z = sqrt((double)n) * D, crit = ft_ks_critical(KS_ALPHA);
	printf("  %-46s sqrt(n) D = %.4f (critical %.4f)\n", what, z, crit);
	T_CHECKF(z < crit, "%s: sqrt(n) D = %g >= %g", what, z, crit);
}

/* ------------------------------------------------------------ KS code */

static void test_ks_against_scipy(void)
{
	FILE *f = fopen("tests/fixtures/dp_ks.tsv", "r");
	static char line[1 << 20];
	int seen = 0, sig = 0;

	T_CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char name[32], *p = line, *end;
		double scale, D, x[2000];
		size_t n;
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%31s", name) != 1)
			continue;
		if (!strcmp(name, "gauss_sigma")) {
			double s2, e, d, want, got = 0;
			struct ft_error err = {0};
			T_CHECK(sscanf(line, "%*s %lf %lf %lf %lf", &s2, &e, &d, &want) == 4);
			T_CHECK(ft_dp_gaussian_sigma(s2, e, d, &got, &err) == 0);
			T_NEAR(got, want, 1e-9);
			sig++;
			continue;
		}
		p = strchr(p, '\t') + 1;
		scale = strtod(p, &end);
		D = strtod(end, &end);
		strtod(end, &end);          /* p-value */
		n = (size_t)strtoul(end, &end, 10);
		T_CHECK(n == 2000);
		for (size_t i = 0; i < n; i++)
			x[i] = strtod(end, &end);
		if (!strcmp(name, "laplace"))
			T_NEAR(ft_ks_continuous(x, n, cdf_lap, &scale), D, 1e-12);
		else if (!strcmp(name, "normal"))
			T_NEAR(ft_ks_continuous(x, n, cdf_norm, NULL), D, 1e-12);
		else if (!strcmp(name, "gamma5")) {
			struct gam g = {5, scale};
			T_NEAR(ft_ks_continuous(x, n, cdf_gamma, &g), D, 1e-12);
		} else if (!strcmp(name, "dlaplace"))
			T_NEAR(ft_ks_lattice(x, n, 1.0, cdf_dlap, &scale), D, 1e-12);
		seen++;
	}
	fclose(f);
	T_CHECK(seen == 4);
	T_CHECK(sig == 4);
}

/* --------------------------------------------------------- the draws */

static void test_geometric_ks(void)
{
	/* (epsilon, sensitivity): scale = sensitivity / epsilon', epsilon'
	 * = epsilon rounded down to a multiple of 2^-20 */
	static const double EPS[] = {1.0, 0.5, 0.3, 2.0};
	static const int64_t SENS[] = {1, 2, 1, 2};
	struct ft_noise ns;
	struct ft_error err = {0};

	ft_noise_init(&ns, 42);
	for (size_t c = 0; c < 4; c++) {
		double scale = (double)SENS[c] / (floor(ldexp(EPS[c], 20)) / 1048576.0);
		char what[64];
		for (size_t i = 0; i < NDRAW; i++) {
			int64_t o = 0;
			if (ft_dp_geometric(&ns, 17, SENS[c], EPS[c], &o, &err)) {
				T_FAIL("%s", err.msg);
				return;
			}
			draws[i] = (double)(o - 17);
		}
		snprintf(what, sizeof what, "geometric eps %g sens %lld", EPS[c],
		         (long long)SENS[c]);
		ks_pass(ft_ks_lattice(draws, NDRAW, 1.0, cdf_dlap, &scale), NDRAW, what);
	}
	/* the wrong scale is rejected: the test has power */
	{
		double wrong = 1.1 * (2.0 / 0.5);
		for (size_t i = 0; i < NDRAW; i++) {
			int64_t o = 0;
			ft_dp_geometric(&ns, 0, 2, 0.5, &o, &err);
			draws[i] = (double)o;
		}
		T_CHECK(sqrt((double)NDRAW) * ft_ks_lattice(draws, NDRAW, 1.0, cdf_dlap, &wrong) >
		        ft_ks_critical(KS_ALPHA));
	}
}

static void test_snapping_ks(void)
{
	/* (value, sensitivity, epsilon, bound) */
	static const double V[][4] = {{0.3, 1.0, 0.5, 1000.0}, {5.0, 3.0, 0.7, 5000.0},
	                              {-12.5, 0.25, 2.0, 400.0}};
	struct ft_noise ns;
	struct ft_error err = {0};

	ft_noise_init(&ns, 7);
	for (size_t c = 0; c < 3; c++) {
		struct lap l;
		double lam = 0, grid = 0, o = 0;
		char what[80];
		for (size_t i = 0; i < NDRAW; i++) {
			if (ft_dp_snapping(&ns, V[c][0], V[c][1], V[c][2], V[c][3], &o, &lam, &grid,
			                   &err)) {
				T_FAIL("%s", err.msg);
				return;
			}
			draws[i] = o;
		}
		/* the stated scale: lambda = sens (1 + 2^-49 B / sens) / eps, the
		 * grid the smallest power of two >= lambda / sens, times sens */
		T_NEAR(lam, V[c][1] * (1 + ldexp(V[c][3] / V[c][1], -49)) / V[c][2], 1e-15);
		T_CHECK(grid >= lam && grid < 2 * lam);
		{
			int e;
			T_CHECK(frexp(grid / V[c][1], &e) == 0.5);
		}
		l.scale = lam;
		l.x = V[c][0];
		l.grid = grid;
		for (size_t i = 0; i < NDRAW; i++)
			T_CHECK(draws[i] / grid == round(draws[i] / grid));
		snprintf(what, sizeof what, "snapping value %g sens %g eps %g", V[c][0], V[c][1],
		         V[c][2]);
		ks_pass(ft_ks_lattice(draws, NDRAW, grid, cdf_snap, &l), NDRAW, what);
	}
	/* clamping: a value beyond the bound is released as if at the bound */
	{
		double o = 0;
		T_CHECK(ft_dp_snapping(&ns, 1e9, 1.0, 1.0, 100.0, &o, NULL, NULL, &err) == 0);
		T_CHECK(fabs(o) <= 100.0);
		T_CHECK(ft_dp_snapping(&ns, 1.0, 1.0, 0.0, 100.0, &o, NULL, NULL, &err) == FT_EINVAL);
	}
}

static void test_continuous_ks(void)
{
	struct ft_noise ns;
	double one = 1.0;
	struct gam g = {20, 0.7};
	double b[3];

	ft_noise_init(&ns, 99);
	for (size_t i = 0; i < NDRAW; i++)
		draws[i] = ft_noise_uniform(&ns);
	ks_pass(ft_ks_continuous(draws, NDRAW, cdf_unif01, NULL), NDRAW, "full-precision uniform");
	for (size_t i = 0; i < NDRAW; i++)
		draws[i] = ft_noise_normal(&ns);
	ks_pass(ft_ks_continuous(draws, NDRAW, cdf_norm, NULL), NDRAW, "normal");
	for (size_t i = 0; i < NDRAW; i++)
		draws[i] = ft_noise_laplace(&ns, 1.0);
	ks_pass(ft_ks_continuous(draws, NDRAW, cdf_lap, &one), NDRAW, "laplace (simulation)");
	/* the vector mechanism: the norm is Gamma(d, scale), the direction
	 * uniform (in d = 3 a coordinate of it is uniform on [-1, 1],
	 * Archimedes) */
	{
		double v[20];
		for (size_t i = 0; i < NDRAW / 4; i++) {
			double s = 0;
			ft_noise_vector(&ns, v, 20, 0.7);
			for (int j = 0; j < 20; j++)
				s += v[j] * v[j];
			draws[i] = sqrt(s);
		}
		ks_pass(ft_ks_continuous(draws, NDRAW / 4, cdf_gamma, &g), NDRAW / 4,
		        "vector noise: norm ~ Gamma(20, 0.7)");
	}
	for (size_t i = 0; i < NDRAW; i++) {
		ft_noise_vector(&ns, b, 3, 2.0);
		draws[i] = b[0] / sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]);
	}
	ks_pass(ft_ks_continuous(draws, NDRAW, cdf_unif11, NULL), NDRAW,
	        "vector noise: direction (d = 3)");
}

static void test_os_source(void)
{
	struct ft_noise a, b;
	int differ = 0;

	ft_noise_init(&a, 0);
	ft_noise_init(&b, 0);
	T_CHECK(!a.seeded);
	for (int i = 0; i < 100; i++)
		differ |= ft_noise_u64(&a) != ft_noise_u64(&b);
	T_CHECK(differ);
	T_CHECK(a.err == 0);
	/* more than one buffer of getrandom output, and a KS of its uniforms */
	for (size_t i = 0; i < 20000; i++)
		draws[i] = ft_noise_uniform(&a);
	T_CHECK(a.err == 0);
	ks_pass(ft_ks_continuous(draws, 20000, cdf_unif01, NULL), 20000, "getrandom uniform");
	/* seeded: the same stream for the same seed */
	ft_noise_init(&a, 5);
	ft_noise_init(&b, 5);
	T_CHECK(a.seeded);
	for (int i = 0; i < 100; i++)
		T_CHECK(ft_noise_u64(&a) == ft_noise_u64(&b));
}

static void test_geometric_rate(void)
{
	uint64_t s = 0, t = 0;

	T_CHECK(ft_dp_geometric_rate(1.0, 1, &s, &t) == 0 && s == 1 && t == 1);
	T_CHECK(ft_dp_geometric_rate(0.5, 2, &s, &t) == 0 && s == 1 && t == 4);
	T_CHECK(ft_dp_geometric_rate(0.3, 1, &s, &t) == 0);
	T_CHECK((double)s / (double)t <= 0.3 && (double)s / (double)t > 0.3 - ldexp(1, -20));
	T_CHECK(ft_dp_geometric_rate(1e-7, 1, &s, &t) == FT_EINVAL);
	T_CHECK(ft_dp_geometric_rate(1.0, 0, &s, &t) == FT_EINVAL);
}

static void test_gaussian_sigma(void)
{
	double s = 0, s2 = 0;
	struct ft_error err = {0};

	/* Balle & Wang's sigma is smaller than the classical
	 * sqrt(2 ln(1.25 / delta)) / eps for eps < 1, and scales with the
	 * sensitivity */
	T_CHECK(ft_dp_gaussian_sigma(1, 0.5, 1e-5, &s, &err) == 0);
	T_CHECK(s < sqrt(2 * log(1.25 / 1e-5)) / 0.5);
	T_CHECK(ft_dp_gaussian_sigma(3, 0.5, 1e-5, &s2, &err) == 0);
	T_NEAR(s2, 3 * s, 1e-9);
	T_CHECK(ft_dp_gaussian_sigma(1, 0.5, 0, &s, &err) == FT_EINVAL);
}

/* ------------------------------------------------------------- budget */

static void test_budget(void)
{
	struct ft_budget b, c;
	struct ft_error err = {0};
	double e, d;
	char buf[4096];

	T_CHECK(ft_budget_init(&b, 1.0, 1e-6, &err) == 0);
	T_CHECK(ft_budget_allot(&b, FT_DP_ENCODER, 0.1, 0, &err) == 0);
	T_CHECK(ft_budget_allot(&b, FT_DP_TRAINING, 0.6, 1e-6, &err) == 0);
	T_CHECK(ft_budget_allot(&b, FT_DP_POSTPROC, 0.2, 0, &err) == 0);
	/* the shares may not exceed the total */
	T_CHECK(ft_budget_allot(&b, FT_DP_MEASUREMENT, 0.2, 0, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "more than the run's total") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_budget_allot(&b, FT_DP_MEASUREMENT, 0.1, 0, &err) == 0);
	/* each stage: spend up to its share, then refused */
	T_CHECK(ft_budget_spend(&b, FT_DP_ENCODER, "snapping", "means", 0.1, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&b, FT_DP_ENCODER, "snapping", "sds", 0.01, 0, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "encoder would spend epsilon 0.01") != NULL);
	T_CHECK(strchr(err.msg, '\n') == NULL);
	ft_error_clear(&err);
	T_CHECK(ft_budget_spend(&b, FT_DP_TRAINING, "geometric", "counts", 0.06, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&b, FT_DP_TRAINING, "objective-perturbation", "coefficients",
	                        0.54, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&b, FT_DP_TRAINING, "gaussian", "x", 1e-9, 2e-6, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_budget_spend(&b, FT_DP_POSTPROC, "geometric", "roc counts", 0.2, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&b, FT_DP_MEASUREMENT, "geometric", "cells", 0.1, 0, &err) == 0);
	ft_budget_spent(&b, FT_DP_TRAINING, &e, &d);
	T_NEAR(e, 0.6, 1e-15);
	ft_budget_spent(&b, -1, &e, &d);
	T_NEAR(e, 1.0, 1e-15);
	/* the total is spent: anything more is refused and changes nothing */
	{
		size_t n = b.n;
		T_CHECK(ft_budget_spend(&b, FT_DP_MEASUREMENT, "geometric", "more", 1e-3, 0,
		                        &err) == FT_EINVAL);
		T_CHECK(b.n == n);
		ft_error_clear(&err);
	}
	T_CHECK(ft_budget_format(&b, buf, sizeof buf) < sizeof buf);
	T_CHECK(strstr(buf, "objective-perturbation") != NULL);
	T_CHECK(strstr(buf, "SEEDED") == NULL);
	/* the run's total binds without shares */
	T_CHECK(ft_budget_init(&c, 0.5, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&c, FT_DP_TRAINING, "a", "", 0.3, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&c, FT_DP_POSTPROC, "b", "", 0.3, 0, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "the run has epsilon 0.2") != NULL);
	ft_error_clear(&err);
	/* merge is all or nothing */
	{
		struct ft_budget run, m;
		ft_budget_init(&run, 1.0, 0, &err);
		ft_budget_init(&m, 1.0, 0, &err);
		ft_budget_spend(&m, FT_DP_TRAINING, "a", "", 0.4, 0, &err);
		ft_budget_spend(&m, FT_DP_TRAINING, "b", "", 0.4, 0, &err);
		m.seeded = 1;
		ft_budget_spend(&run, FT_DP_ENCODER, "c", "", 0.3, 0, &err);
		T_CHECK(ft_budget_merge(&run, &m, &err) == FT_EINVAL);
		T_CHECK(run.n == 1 && !run.seeded);
		ft_error_clear(&err);
		ft_budget_init(&run, 1.0, 0, &err);
		T_CHECK(ft_budget_merge(&run, &m, &err) == 0);
		T_CHECK(run.n == 2 && run.seeded);
		ft_budget_format(&run, buf, sizeof buf);
		T_CHECK(strstr(buf, "SEEDED") != NULL);
	}
	/* shares that add up to the total in decimals */
	T_CHECK(ft_budget_init(&c, 1.0, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&c, FT_DP_TRAINING, "a", "", 0.1, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&c, FT_DP_TRAINING, "a", "", 0.2, 0, &err) == 0);
	T_CHECK(ft_budget_spend(&c, FT_DP_TRAINING, "a", "", 0.7, 0, &err) == 0);
	T_CHECK(ft_budget_init(&c, 0, 0, &err) == FT_EINVAL);
}

int main(void)
{
	draws = malloc(NDRAW * sizeof *draws);
	if (!draws)
		return 1;
	T_RUN(test_ks_against_scipy);
	T_RUN(test_geometric_rate);
	T_RUN(test_geometric_ks);
	T_RUN(test_snapping_ks);
	T_RUN(test_continuous_ks);
	T_RUN(test_os_source);
	T_RUN(test_gaussian_sigma);
	T_RUN(test_budget);
	free(draws);
	return t_done();
}
