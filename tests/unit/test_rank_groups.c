/*
 * test_rank_groups.c - more than two groups and exposure targets:
 * multinomial FA*IR tables against exact enumeration of the multinomial
 * CDF and failure probabilities against exact rational arithmetic
 * (tests/fixtures/mfair.tsv, scripts/fixtures/make_rank_multi_fixtures.py),
 * the two-group case against the binomial FA*IR of rerank.c, the
 * adjustment's defining property, the re-ranker; Singh & Joachims' LP
 * against scipy.optimize.linprog (exposure.tsv), its constraints, the
 * Birkhoff-von Neumann decomposition reconstructing P, sampling; groups
 * from a LETOR feature with k values.  Run from the repository root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"
#include "tsv.h"

#define FIX(name) "tests/fixtures/" name

/* ------------------------------------------------- multinomial FA*IR */

/* Position i's row of the fixture: "a,b;c,d;..." (protected counts of
 * groups 1 .. G-1) against table rows off[i-1] .. off[i]-1. */
static int same_rows(const struct ft_mtable *t, size_t i, const char *s)
{
	size_t G = t->n_groups, r = t->off[i - 1];
	const char *c = s;

	while (*c) {
		for (size_t g = 1; g < G; g++) {
			char *end;
			unsigned long v = strtoul(c, &end, 10);
			if (r >= t->off[i] || t->m[r * G + g] != v || t->m[r * G] != 0)
				return 0;
			c = *end == ',' || *end == ';' ? end + 1 : end;
		}
		r++;
	}
	return r == t->off[i];
}

static void test_mfair_fixture(void)
{
	FILE *fp = fopen(FIX("mfair.tsv"), "r");
	char line[8192], *f[6], name[16] = "";
	double p[8], alpha = 0;
	size_t k = 0, G = 0, tables = 0, fails = 0;
	struct ft_mtable *t = NULL;
	double worst = 0;

	T_CHECK(fp != NULL);
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		int nf;
		if (line[0] == '#')
			continue;
		nf = fields(line, f, 6);
		if (nf == 5 && !strcmp(f[0], "case")) {
			snprintf(name, sizeof name, "%s", f[1]);
			k = strtoul(f[2], NULL, 10);
			G = parse_d(f[3], p, 8);
			alpha = strtod(f[4], NULL);
			ft_mtable_free(t);
			t = NULL;
			T_CHECK(ft_mfair_mtable(k, G, p, 0, alpha, &t, NULL) == 0 && t && t->k == k);
		} else if (nf >= 3 && !strcmp(f[0], "m") && t) {
			size_t i = strtoul(f[2], NULL, 10);
			T_CHECKF(same_rows(t, i, nf == 4 ? f[3] : ""), "%s position %zu: table differs from %s",
			         name, i, nf == 4 ? f[3] : "");
			tables++;
		} else if (nf == 3 && !strcmp(f[0], "fail")) {
			double fp_ = 0, want = strtod(f[2], NULL);
			T_CHECK(ft_mfair_fail_prob(k, G, p, 0, alpha, &fp_, NULL) == 0);
			/* doubles against exact rationals: sums of positive terms */
			T_CHECKF(fabs(fp_ - want) <= 1e-12, "%s: fail %.17g, exact %.17g", name, fp_, want);
			worst = fmax(worst, fabs(fp_ - want));
			fails++;
		}
	}
	fclose(fp);
	ft_mtable_free(t);
	T_CHECK(tables >= 60 && fails == 6);
	printf("# mfair: %zu positions' tables equal exact enumeration, %zu failure probabilities "
	       "within %.2g of exact\n", tables, fails, worst);
}

/* Two groups: the binomial FA*IR of rerank.c, table and failure. */
static void test_mfair_binomial(void)
{
	const double ps[] = { 0.2, 0.35, 0.5, 0.7 };
	for (size_t c = 0; c < 4; c++) {
		double p[2] = { 1 - ps[c], ps[c] }, fm, fb;
		size_t m[60];
		struct ft_mtable *t = NULL;
		T_CHECK(ft_fair_mtable(60, ps[c], 0.1, m, NULL) == 0);
		T_CHECK(ft_mfair_mtable(60, 2, p, 0, 0.1, &t, NULL) == 0);
		for (size_t i = 1; t && i <= 60; i++)
			T_CHECKF(t->off[i] - t->off[i - 1] == 1 && t->m[t->off[i - 1] * 2 + 1] == m[i - 1],
			         "p = %g, i = %zu", ps[c], i);
		T_CHECK(ft_fair_fail_prob(m, 60, ps[c], &fb, NULL) == 0);
		T_CHECK(ft_mfair_fail_prob(60, 2, p, 0, 0.1, &fm, NULL) == 0);
		T_NEAR(fm, fb, 1e-13);
		ft_mtable_free(t);
	}
}

/* The adjusted level fails at most alpha; the next double fails more. */
static void test_mfair_adjust(void)
{
	const double p[3] = { 0.5, 0.3, 0.2 };
	double ac, f, fn;

	T_CHECK(ft_mfair_adjust_alpha(30, 3, p, 0, 0.1, &ac, &f, NULL) == 0);
	T_CHECK(ac < 0.1 && f <= 0.1);
	T_CHECK(ft_mfair_fail_prob(30, 3, p, 0, ac, &fn, NULL) == 0 && fn == f);
	T_CHECK(ft_mfair_fail_prob(30, 3, p, 0, nextafter(ac, 1.0), &fn, NULL) == 0);
	T_CHECKF(fn > 0.1, "fail just above alpha_c %.17g is %g", ac, fn);
	printf("# mfair adjust: k = 30, p = (.5, .3, .2), alpha 0.1 -> %.6g (fail %.6g; %.6g above)\n",
	       ac, f, fn);
	/* a level already kept */
	T_CHECK(ft_mfair_adjust_alpha(3, 3, p, 0, 0.01, &ac, &f, NULL) == 0);
	T_CHECK(ft_mfair_fail_prob(3, 3, p, 0, 0.01, &fn, NULL) == 0);
	T_CHECK(fn <= 0.01 ? ac == 0.01 : ac < 0.01);
}

/* Every prefix of the re-ranking passes; two groups equal FA*IR. */
static void test_mfair_rerank(void)
{
	enum { N = 300, K = 80 };
	double s[N], p3[3] = { 0.5, 0.3, 0.2 }, F;
	int32_t g[N];
	size_t out[K], outb[K], nf = 9, tau[3];
	struct ft_rng r;

	ft_rng_seed(&r, 5);
	for (int i = 0; i < N; i++) {
		s[i] = ft_rng_uniform(&r);
		g[i] = ft_rng_uniform(&r) < 0.6 ? 0 : (int32_t)(1 + ft_rng_below(&r, 2));
		if (g[i] > 0)
			s[i] *= 0.5;      /* protected items score lower */
	}
	T_CHECK(ft_mfair_rerank(s, g, N, 3, p3, 0, 0.1, K, out, &nf, NULL) == 0 && nf == 0);
	memset(tau, 0, sizeof tau);
	for (size_t i = 0; i < K; i++) {
		tau[g[out[i]]]++;
		T_CHECK(ft_mfair_cdf(i + 1, 3, p3, 0, tau, &F, NULL) == 0);
		T_CHECKF(F > 0.1, "prefix %zu fails (F = %g)", i + 1, F);
	}
	/* two groups: the binomial re-ranker with the same table */
	{
		double p2[2] = { 0.6, 0.4 };
		size_t m[K];
		for (int i = 0; i < N; i++)
			g[i] = g[i] > 0;
		T_CHECK(ft_mfair_rerank(s, g, N, 2, p2, 0, 0.1, K, out, &nf, NULL) == 0);
		T_CHECK(ft_fair_mtable(K, 0.4, 0.1, m, NULL) == 0);
		T_CHECK(ft_fair_rerank(s, g, N, 1, m, K, outb, NULL) == 0);
		T_CHECK(memcmp(out, outb, sizeof out) == 0);
	}
	/* too few protected items: counted, never an error */
	{
		int32_t g1[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
		double s1[10] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, pp[2] = { 0.2, 0.8 };
		T_CHECK(ft_mfair_rerank(s1, g1, 10, 2, pp, 0, 0.1, 10, out, &nf, NULL) == 0);
		/* rank 1 passes with the best item (P(X <= 0; 1) = 0.2); rank 2 needs
		 * the protected one; from rank 4 on no protected item is left */
		T_CHECK(nf > 0 && out[0] == 0 && out[1] == 9);
	}
	T_CHECK(ft_mfair_rerank(s, g, N, 3, p3, 3, 0.1, K, out, &nf, NULL) == FT_EINVAL);
	T_CHECK(ft_mfair_mtable(2000, 4, (double[]){ .4, .2, .2, .2 }, 0, 0.1,
	                        &(struct ft_mtable *){ NULL }, NULL) == FT_EINVAL);
}

/* --------------------------------------------------------- exposure */

static void check_P(const double *P, size_t n, const double *rel, const int32_t *group,
                    int kind, double delta)
{
	double v[64], U[4] = { 0 }, E[4] = { 0 }, cnt[4] = { 0 };

	for (size_t j = 0; j < n; j++)
		v[j] = 1 / log2(j + 2.0);
	for (size_t i = 0; i < n; i++) {
		double rs = 0, cs = 0;
		for (size_t j = 0; j < n; j++) {
			T_CHECK(P[i * n + j] >= 0);
			rs += P[i * n + j];
			cs += P[j * n + i];
			if (group[i] >= 0)
				E[group[i]] += P[i * n + j] * v[j];
		}
		T_NEAR(rs, 1, 1e-12);
		T_NEAR(cs, 1, 1e-12);
		if (group[i] >= 0) {
			cnt[group[i]]++;
			U[group[i]] += pow(2, rel[i]) - 1;
		}
	}
	for (int g = 1; g < 4; g++) {
		double a, b;
		if (!cnt[g] || !cnt[0])
			continue;
		a = E[0] / cnt[0] / (kind == FT_EXPOSURE_DT ? U[0] / cnt[0] : 1);
		b = E[g] / cnt[g] / (kind == FT_EXPOSURE_DT ? U[g] / cnt[g] : 1);
		/* DT's f is in units of 1/IDCG: compare relative to the size */
		T_CHECKF(fabs(a - b) <= (kind == FT_EXPOSURE_DT ? delta * 50 : delta) + 1e-9 * (1 + a),
		         "group %d: %g vs %g", g, a, b);
	}
}

static void test_exposure_fixture(void)
{
	FILE *fp = fopen(FIX("exposure.tsv"), "r");
	char line[4096], *f[9];
	size_t ok = 0, infeasible = 0, n_bvn = 0;
	double worst = 0, worst_bvn = 0;

	T_CHECK(fp != NULL);
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		double rel[16], gd[16], P[256], u;
		int32_t g[16];
		size_t n;
		int kind, rc;
		double delta;
		struct ft_error err = { 0 };

		if (line[0] == '#' || fields(line, f, 9) != 8)
			continue;
		kind = !strcmp(f[2], "dt") ? FT_EXPOSURE_DT : FT_EXPOSURE_DP;
		delta = strtod(f[3], NULL);
		n = parse_d(f[4], rel, 16);
		T_CHECK(parse_d(f[5], gd, 16) == n);
		for (size_t i = 0; i < n; i++)
			g[i] = (int32_t)gd[i];
		rc = ft_exposure_lp(rel, g, n, 3, kind, delta, P, &u, &err);
		if (!strcmp(f[6], "infeasible")) {
			T_CHECKF(rc == FT_EDATA, "query %s %s delta %g: rc %d, linprog infeasible",
			         f[1], f[2], delta, rc);
			infeasible++;
			continue;
		}
		T_CHECKF(rc == 0, "query %s: %s", f[1], err.msg);
		if (rc)
			continue;
		/* the brief's tolerance: objective within 1e-9 of HiGHS */
		T_CHECKF(fabs(u - strtod(f[7], NULL)) <= 1e-9, "query %s %s %g: %.17g vs linprog %s",
		         f[1], f[2], delta, u, f[7]);
		worst = fmax(worst, fabs(u - strtod(f[7], NULL)));
		check_P(P, n, rel, g, kind, delta);
		{
			struct ft_bvn *d = NULL;
			T_CHECK(ft_bvn_decompose(P, n, 0, &d, NULL) == 0 && d);
			if (d) {
				T_CHECKF(d->residual <= 1e-12, "bvn residual %g", d->residual);
				worst_bvn = fmax(worst_bvn, d->residual);
				n_bvn++;
			}
			ft_bvn_free(d);
		}
		ok++;
	}
	fclose(fp);
	T_CHECK(ok >= 50 && infeasible >= 10);
	printf("# exposure lp: %zu optima within %.2g of linprog, %zu infeasible as linprog; "
	       "%zu BvN decompositions, residual <= %.2g\n", ok, worst, infeasible, n_bvn, worst_bvn);
}

/* Larger queries: the LP's constraints hold, BvN reconstructs P, and the
 * sampled rankings have P's frequencies. */
static void test_exposure_sample(void)
{
	enum { N = 20 };
	double rel[N], P[N * N], u, freq[N * N] = { 0 };
	int32_t g[N];
	size_t order[N];
	struct ft_bvn *d = NULL;
	struct ft_rng r;
	struct ft_error err = { 0 };

	for (int i = 0; i < N; i++) {
		rel[i] = (double)((i * 7) % 4);
		g[i] = i % 3 == 0;
		if (g[i])
			rel[i] = rel[i] > 0 ? rel[i] - 1 : 0;
	}
	T_CHECKF(ft_exposure_lp(rel, g, N, 2, FT_EXPOSURE_DP, 0, P, &u, &err) == 0, "%s", err.msg);
	check_P(P, N, rel, g, FT_EXPOSURE_DP, 0);
	T_CHECK(u > 0.5 && u < 1);
	T_CHECK(ft_bvn_decompose(P, N, 0, &d, &err) == 0);
	if (!d)
		return;
	T_CHECK(d->residual <= 1e-12 && d->m >= 1 && d->m <= N * N);
	ft_rng_seed(&r, 42);
	for (int s = 0; s < 20000; s++) {
		ft_bvn_sample(d, &r, order);
		for (int j = 0; j < N; j++)
			freq[order[j] * N + j] += 1.0 / 20000;
	}
	for (int k = 0; k < N * N; k++)
		T_CHECKF(fabs(freq[k] - P[k]) < 0.015, "entry %d: %g sampled, %g", k, freq[k], P[k]);
	{
		size_t o1[N], o2[N];
		struct ft_rng a, b;
		ft_rng_seed(&a, 7);
		ft_rng_seed(&b, 7);
		for (int s = 0; s < 10; s++) {
			ft_bvn_sample(d, &a, o1);
			ft_bvn_sample(d, &b, o2);
			T_CHECK(memcmp(o1, o2, sizeof o1) == 0);
		}
	}
	ft_bvn_free(d);
	/* errors */
	{
		double bad[4] = { 0.5, 0.5, 0.6, 0.4 };
		T_CHECK(ft_bvn_decompose(bad, 2, 0, &d, NULL) == FT_EINVAL && !d);
		T_CHECK(ft_exposure_lp(rel, g, N, 2, 5, 0, P, &u, NULL) == FT_EINVAL);
		rel[0] = -1;
		T_CHECK(ft_exposure_lp(rel, g, N, 2, 0, 0, P, &u, NULL) == FT_EINVAL);
	}
}

/* ------------------------------------------------------------ LETOR */

static void test_groups_by_values(void)
{
	char path[] = "/tmp/ft_groups.XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	struct ft_rank_data *rd = NULL;
	struct ft_error err = { 0 };

	fputs("1 qid:1 1:0.5 2:2\n0 qid:1 1:0.1 2:0\n2 qid:2 1:0.3 2:1\n1 qid:2 1:0.2 2:2\n", fp);
	fclose(fp);
	T_CHECK(ft_letor_read(path, &rd, &err) == 0);
	if (rd) {
		T_CHECKF(ft_rank_data_groups_by_values(rd, 1, &err) == 0, "%s", err.msg);
		T_CHECK(rd->n_groups == 3);
		T_STREQ(rd->group_names[0], "f2=0");
		T_STREQ(rd->group_names[2], "f2=2");
		T_CHECK(rd->group[0] == 2 && rd->group[1] == 0 && rd->group[2] == 1 && rd->group[3] == 2);
		T_CHECK(ft_rank_data_groups_by_values(rd, 5, &err) == FT_EINVAL);
	}
	ft_rank_data_free(rd);
	unlink(path);
}

int main(void)
{
	T_RUN(test_mfair_fixture);
	T_RUN(test_mfair_binomial);
	T_RUN(test_mfair_adjust);
	T_RUN(test_mfair_rerank);
	T_RUN(test_exposure_fixture);
	T_RUN(test_exposure_sample);
	T_RUN(test_groups_by_values);
	return t_done();
}
