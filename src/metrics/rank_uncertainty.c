/*
 * rank_uncertainty.c - how sure a ranking metric is: percentile bootstrap
 * intervals over queries, and a paired permutation (randomization) test of
 * two systems on the same queries.
 *
 * Queries, not items, are the units: a ranking metric is computed per
 * query and averaged, and queries are the independent draws of a test
 * collection (Smucker, Allan & Carterette, "A Comparison of Statistical
 * Significance Tests for Information Retrieval Evaluation", CIKM 2007:
 * the randomization test flips the sign of each query's difference).  The
 * caller passes per-query values (ft_ndcg, ft_skew_smoothed, ...) or, for
 * a pooled statistic such as the pooled skew, per-query numerators and
 * denominators.
 *
 * Determinism: resample b draws from its own xoshiro256** stream seeded by
 * stream_seed(seed, b), the seeding of the fairness bootstrap
 * (src/metrics/bootstrap.c), and writes only its own slot, so OpenMP may
 * run the resamples on any number of threads and the answer is the same
 * bits.  Quantiles interpolate linearly between order statistics (numpy's
 * default "linear" method), so a numpy port of the same streams gives the
 * same interval (scripts/fixtures/make_rank_multi_fixtures.py).
 *
 * Not here: the classification bootstrap over confusion counts
 * (bootstrap.c) and its permutation test (permutation.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"

#define UNDEF(o, w) do { (o)->value = NAN; (o)->why = (w); } while (0)
#define DEF(o, v) do { (o)->value = (v); (o)->why = NULL; } while (0)

/* splitmix64's finalizer of seed ^ (golden ratio (b + 1)). */
static uint64_t stream_seed(uint64_t seed, uint64_t b)
{
	uint64_t z = seed ^ (0x9e3779b97f4a7c15ULL * (b + 1));

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* numpy.quantile(x, q) (method "linear") of sorted x[0 .. n). */
static double quantile(const double *x, size_t n, double q)
{
	double h = (double)(n - 1) * q, lo = floor(h);
	size_t i = (size_t)lo;

	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + (h - lo) * (x[i + 1] - x[i]);
}

static int check_common(size_t n_boot, double level, struct ft_interval *out,
                        struct ft_error *err)
{
	if (!out)
		return ft_error_set(err, FT_EINVAL, "query bootstrap: out is NULL");
	if (n_boot < 2)
		return ft_error_set(err, FT_EINVAL, "query bootstrap: %zu resamples (at least 2)",
		                    n_boot);
	if (!(level > 0 && level < 1))
		return ft_error_set(err, FT_EINVAL, "query bootstrap: level = %g is not in (0, 1)",
		                    level);
	return 0;
}

/* One statistic: kind 0 the mean of the defined v, kind 1 sum num / sum
 * den (log_ratio: its log).  idx: the queries drawn (NULL = all once). */
struct stat_in {
	int kind, log_ratio;
	const struct ft_value *v;
	const double *num, *den;
	size_t n;
};

static double statistic(const struct stat_in *s, const size_t *idx, size_t *used)
{
	double a = 0, b = 0;
	size_t c = 0;

	for (size_t i = 0; i < s->n; i++) {
		size_t q = idx ? idx[i] : i;

		if (s->kind == 0) {
			if (!s->v[q].why) {
				a += s->v[q].value;
				c++;
			}
		} else {
			a += s->num[q];
			b += s->den[q];
			c++;
		}
	}
	if (used)
		*used = c;
	if (s->kind == 0)
		return c ? a / (double)c : NAN;
	if (!(b > 0) || (s->log_ratio && !(a > 0)))
		return NAN;
	return s->log_ratio ? log(a / b) : a / b;
}

static int boot(const struct stat_in *s, size_t n_boot, uint64_t seed,
                double level, struct ft_interval *out, struct ft_error *err)
{
	double *stat = NULL, est;
	size_t used = 0, nb = 0;
	int failed = 0, rc = 0;

	memset(out, 0, sizeof *out);
	est = statistic(s, NULL, &used);
	out->n_used = used;
	if (isnan(est)) {
		UNDEF(&out->est, s->n ? "undefined on these queries" : "no queries");
		UNDEF(&out->lo, "the statistic is undefined");
		UNDEF(&out->hi, "the statistic is undefined");
		return 0;
	}
	DEF(&out->est, est);
	stat = malloc(n_boot * sizeof *stat);
	if (!stat)
		return ft_error_set(err, FT_ENOMEM, "query bootstrap: out of memory");
	#pragma omp parallel
	{
		size_t *idx = malloc(s->n * sizeof *idx);

		if (!idx) {
			#pragma omp atomic write
			failed = 1;
		}
		#pragma omp for schedule(static)
		for (size_t b = 0; b < n_boot; b++) {
			struct ft_rng r;

			if (!idx)
				continue;
			ft_rng_seed(&r, stream_seed(seed, b));
			for (size_t i = 0; i < s->n; i++)
				idx[i] = (size_t)ft_rng_below(&r, s->n);
			stat[b] = statistic(s, idx, NULL);
		}
		free(idx);
	}
	if (failed) {
		rc = ft_error_set(err, FT_ENOMEM, "query bootstrap: out of memory");
		goto done;
	}
	for (size_t b = 0; b < n_boot; b++)
		if (!isnan(stat[b]))
			stat[nb++] = stat[b];
	out->n_boot = nb;
	if (nb < 2) {
		UNDEF(&out->lo, "fewer than two resamples with a defined statistic");
		UNDEF(&out->hi, "fewer than two resamples with a defined statistic");
		goto done;
	}
	qsort(stat, nb, sizeof *stat, cmp_double);
	DEF(&out->lo, quantile(stat, nb, (1 - level) / 2));
	DEF(&out->hi, quantile(stat, nb, (1 + level) / 2));
done:
	free(stat);
	return rc;
}

int ft_query_bootstrap(const struct ft_value *v, size_t n, size_t n_boot,
                       uint64_t seed, double level, struct ft_interval *out,
                       struct ft_error *err)
{
	struct stat_in s = { 0, 0, v, NULL, NULL, n };
	int rc;

	if ((rc = check_common(n_boot, level, out, err)) < 0)
		return rc;
	if (n > 0 && !v)
		return ft_error_set(err, FT_EINVAL, "query bootstrap: v is NULL with %zu queries", n);
	return boot(&s, n_boot, seed, level, out, err);
}

int ft_query_bootstrap_ratio(const double *num, const double *den, size_t n,
                             int log_ratio, size_t n_boot, uint64_t seed,
                             double level, struct ft_interval *out,
                             struct ft_error *err)
{
	struct stat_in s = { 1, log_ratio != 0, NULL, num, den, n };
	int rc;

	if ((rc = check_common(n_boot, level, out, err)) < 0)
		return rc;
	if (n > 0 && (!num || !den))
		return ft_error_set(err, FT_EINVAL, "query bootstrap: %s is NULL with %zu queries",
		                    num ? "den" : "num", n);
	for (size_t q = 0; q < n; q++)
		if (!isfinite(num[q]) || !isfinite(den[q]))
			return ft_error_set(err, FT_EINVAL, "query bootstrap: query %zu: %s is not finite",
			                    q, isfinite(num[q]) ? "den" : "num");
	return boot(&s, n_boot, seed, level, out, err);
}

int ft_query_paired_test(const struct ft_value *a, const struct ft_value *b,
                         size_t n, size_t n_perm, uint64_t seed,
                         struct ft_value *diff, double *p_value, size_t *n_used,
                         struct ft_error *err)
{
	double *d = NULL, obs = 0;
	size_t m = 0, hits = 0;

	if (n > 0 && (!a || !b))
		return ft_error_set(err, FT_EINVAL, "paired test: %s is NULL", a ? "b" : "a");
	if (n_perm < 1)
		return ft_error_set(err, FT_EINVAL, "paired test: n_perm must be at least 1");
	d = malloc((n ? n : 1) * sizeof *d);
	if (!d)
		return ft_error_set(err, FT_ENOMEM, "paired test: out of memory");
	for (size_t q = 0; q < n; q++)
		if (!a[q].why && !b[q].why)
			d[m++] = a[q].value - b[q].value;
	if (n_used)
		*n_used = m;
	if (m == 0) {
		UNDEF(diff, "no query where both are defined");
		*p_value = NAN;
		free(d);
		return 0;
	}
	for (size_t q = 0; q < m; q++)
		obs += d[q];
	obs /= (double)m;
	DEF(diff, obs);
	#pragma omp parallel for schedule(static) reduction(+:hits)
	for (size_t k = 0; k < n_perm; k++) {
		struct ft_rng r;
		double s = 0;

		ft_rng_seed(&r, stream_seed(seed, k));
		for (size_t q = 0; q < m; q++)
			s += (ft_rng_next(&r) >> 63) ? -d[q] : d[q];
		/* 1e-12 relative: sums equal in exact arithmetic count as >= */
		hits += fabs(s / (double)m) >= fabs(obs) * (1.0 - 1e-12);
	}
	*p_value = (1.0 + (double)hits) / (1.0 + (double)n_perm);
	free(d);
	return 0;
}
