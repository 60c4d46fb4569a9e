/*
 * test_distribution.c - distribution, inequality and individual-fairness
 * measures (src/metrics/distribution.c): hand-computed tiny cases, the
 * agreement of GE(2) and Theil T with the fairness summaries of
 * fairness.c (also for a randomized classifier), bitwise-equal consistency
 * for 1 and 2 threads, and the references of tests/fixtures/
 * distribution.tsv (scripts/fixtures/make_distribution_fixture.py: ports
 * of LiFT's DivergenceUtils and BenefitMap, scipy's wasserstein_distance,
 * a numpy brute-force kNN, AIF360's smoothed EDF) on German credit and the
 * first 3000 rows of Adult.
 *
 * Tolerances: 1e-12 relative for every fixture value (the same formulas
 * summed in another order over 1000 rows); consistency 1e-12 (the same
 * neighbours: distances are computed in the same order, so ties fall alike).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"
#include "aif_fixture.h"
#include "metrics/metrics.h"

#define FIX "tests/fixtures/distribution.tsv"
#define POSTFIX "tests/fixtures/aif_postproc.tsv"

/* ft_measure_opts_init sets every field: on a struct full of garbage the
 * reference distribution, its length and the consistency's k were left as
 * they were, and ft_comparison_measure_all read them as a request (a
 * crash in a caller's program, found by a benchmark driver). */
static void test_measure_opts_init(void)
{
	struct ft_measure_opts m;

	memset(&m, 0x5a, sizeof m);
	ft_measure_opts_init(&m);
	T_CHECK(m.threshold == 0.5 && m.n_bootstrap == 1000 && m.level == 0.95);
	T_CHECK(m.n_perm == 1000 && m.n_cutoffs == 1 && m.cutoffs[0] == 10);
	T_CHECK(m.ties == FT_TIE_EXPECT && m.tie_seed == 1);
	T_CHECK(m.n_target == 0 && m.target[0] == 0.0);
	T_CHECK(m.dp_epsilon == 0.0 && m.dp_seed == 0);
	T_CHECK(m.consistency_k == 0);
	T_CHECK(m.ref == NULL && m.n_ref == 0);
}

static void test_discrete(void)
{
	const double p[2] = {1, 1}, q[2] = {1, 3}, a[2] = {1, 0}, b[2] = {0, 1};
	const double p3[3] = {1, 0, 1}, q3[3] = {1, 0, 3};

	T_NEAR(ft_kl_divergence(p, q, 2, 0.0), 0.5 + 0.5 * log2(2.0 / 3.0), 1e-15);
	T_NEAR(ft_kl_divergence(p, q, 2, 1.0), 0.5 * log2(1.5) + 0.5 * log2(0.75), 1e-15);
	/* an empty bin in both is no category: the same values */
	T_NEAR(ft_kl_divergence(p3, q3, 3, 1.0), 0.5 * log2(1.5) + 0.5 * log2(0.75), 1e-15);
	T_CHECK(isinf(ft_kl_divergence(a, b, 2, 0.0)));
	T_NEAR(ft_js_divergence(a, b, 2), 1.0, 1e-15);
	T_NEAR(ft_js_divergence(p, p, 2), 0.0, 1e-15);
	T_NEAR(ft_total_variation(a, b, 2), 1.0, 1e-15);
	T_NEAR(ft_total_variation(p, q, 2), 0.25, 1e-15);
	T_CHECK(isnan(ft_total_variation(p, (const double[2]){0, 0}, 2)));
}

static void test_emd(void)
{
	const double a[2] = {0, 1}, b[1] = {0.5}, wa[2] = {3, 1}, c[1] = {1};
	double v;
	struct ft_error err = {0};

	T_CHECK(ft_emd_1d(a, NULL, 2, b, NULL, 1, &v, &err) == 0);
	T_NEAR(v, 0.5, 1e-15);
	T_CHECK(ft_emd_1d(a, wa, 2, c, NULL, 1, &v, &err) == 0);
	T_NEAR(v, 0.75, 1e-15);
	T_CHECK(ft_emd_1d(a, NULL, 2, a, NULL, 2, &v, &err) == 0 && v == 0);
	T_CHECK(ft_emd_1d(a, (const double[2]){0, 0}, 2, c, NULL, 1, &v, &err) == FT_EDATA);
	T_CHECK(ft_emd_1d(a, NULL, 2, (const double[1]){NAN}, NULL, 1, &v, &err) == FT_EINVAL);
}

/* b = TN, FP, FN, TP benefits 1 2 0 1; mean 1. */
static void test_inequality(void)
{
	const double b[4] = {1, 2, 0, 1};
	struct ft_value v;
	struct ft_error err = {0};

	T_CHECK(ft_inequality_index(FT_INEQ_GE, 2, b, NULL, 4, &v, &err) == 0);
	T_NEAR(v.value, 0.25, 1e-15);
	T_CHECK(ft_inequality_index(FT_INEQ_THEIL_T, NAN, b, NULL, 4, &v, &err) == 0);
	T_NEAR(v.value, 2 * log(2.0) / 4, 1e-15);
	T_CHECK(ft_inequality_index(FT_INEQ_THEIL_L, NAN, b, NULL, 4, &v, &err) == 0);
	T_CHECK(v.why && strstr(v.why, "ln 0"));
	T_CHECK(ft_inequality_index(FT_INEQ_GE, -1, b, NULL, 4, &v, &err) == 0 && v.why);
	T_CHECK(ft_inequality_index(FT_INEQ_CV, NAN, b, NULL, 4, &v, &err) == 0);
	T_NEAR(v.value, sqrt(0.5), 1e-15);
	T_CHECK(ft_inequality_index(FT_INEQ_ATKINSON, 0.5, b, NULL, 4, &v, &err) == 0);
	T_NEAR(v.value, 1 - pow((1 + sqrt(2.0) + 0 + 1) / 4, 2), 1e-15);
	T_CHECK(ft_inequality_index(FT_INEQ_ATKINSON, 1, b, NULL, 4, &v, &err) == 0);
	T_CHECK(v.value == 1.0);
	T_CHECK(ft_inequality_index(FT_INEQ_ATKINSON, 0, b, NULL, 4, &v, &err) == 0);
	T_NEAR(v.value, 0.0, 1e-15);
	/* weights: the zero row weightless -> Theil L defined */
	T_CHECK(ft_inequality_index(FT_INEQ_THEIL_L, NAN, b, (const double[4]){1, 1, 0, 2},
	                            4, &v, &err) == 0 && !v.why);
	/* mu = (1 + 2 + 2) / 4 = 1.25: -(ln(.8) + ln(1.6) + 2 ln(.8)) / 4 */
	T_NEAR(v.value, -(3 * log(0.8) + log(1.6)) / 4, 1e-15);
	T_CHECK(ft_inequality_index(FT_INEQ_GE, 2, (const double[2]){0, 0}, NULL, 2, &v,
	                            &err) == 0 && v.why && strstr(v.why, "mean"));
	T_CHECK(ft_inequality_index(FT_INEQ_ATKINSON, -1, b, NULL, 4, &v, &err) == FT_EINVAL);
	T_CHECK(ft_inequality_index(FT_INEQ_GE, 2, (const double[1]){-1}, NULL, 1, &v,
	                            &err) == FT_EINVAL);
}

/* The five indices from one pass (ft_inequality_indices) against each
 * alone, to the bit, and against the formulas summed directly in long
 * double: benefits of six distinct values (more than the memo holds, so
 * entries are evicted), continuous ones, with weights and zero weights,
 * and the zero benefit that leaves Theil L and GE(-1) undefined. */
static double ineq_direct(int kind, double param, const double *b, const double *w, size_t n)
{
	long double W = 0, mu = 0, acc = 0;
	for (size_t i = 0; i < n; i++) {
		W += w ? w[i] : 1.0;
		mu += (w ? w[i] : 1.0) * b[i];
	}
	mu /= W;
	for (size_t i = 0; i < n; i++) {
		long double wi = (w ? w[i] : 1.0) / W, x = b[i] / mu;
		if (wi == 0)
			continue;
		switch (kind) {
		case FT_INEQ_CV: acc += wi * (b[i] - mu) * (b[i] - mu); break;
		case FT_INEQ_ATKINSON: acc += wi * powl(x, 1 - param); break;
		case FT_INEQ_THEIL_T: acc += x > 0 ? wi * x * logl(x) : 0; break;
		case FT_INEQ_THEIL_L: acc -= wi * logl(x); break;
		default: acc += wi * (powl(x, param) - 1); break;
		}
	}
	switch (kind) {
	case FT_INEQ_CV: return (double)(sqrtl(acc) / mu);
	case FT_INEQ_ATKINSON: return (double)(1 - powl(acc, 1 / (1 - param)));
	case FT_INEQ_GE: return (double)(acc / (param * (param - 1)));
	default: return (double)acc;
	}
}

static void test_inequality_fused(void)
{
	enum { N = 5000 };
	static const int kinds[6] = {FT_INEQ_GE, FT_INEQ_ATKINSON, FT_INEQ_THEIL_L,
	                             FT_INEQ_THEIL_T, FT_INEQ_CV, FT_INEQ_GE};
	static const double params[6] = {2, 0.5, NAN, NAN, NAN, -1};
	static double b[N], w[N];
	struct ft_error err = {0};
	struct ft_rng r;

	ft_rng_seed(&r, 17);
	for (int pass = 0; pass < 4; pass++) {
		struct ft_value all[6], one;
		const double *wp = pass & 1 ? w : NULL;
		int has_zero = 0;
		for (size_t i = 0; i < N; i++) {
			/* passes 0, 1: six values (0.5 .. 3, then 0 in pass 1); 2, 3: continuous */
			b[i] = pass < 2 ? 0.5 * (double)(1 + ft_rng_below(&r, 6)) :
			       2 * ft_rng_uniform(&r);
			if (pass == 1 && i % 97 == 0)
				b[i] = 0;
			w[i] = i % 13 == 0 ? 0.0 : 0.25 + ft_rng_uniform(&r);
			has_zero |= b[i] == 0 && (!wp || wp[i] > 0);
		}
		T_CHECK(ft_inequality_indices(kinds, params, 6, b, wp, N, all, &err) == 0);
		for (int k = 0; k < 6; k++) {
			T_CHECK(ft_inequality_index(kinds[k], params[k], b, wp, N, &one, &err) == 0);
			T_CHECKF(memcmp(&one.value, &all[k].value, sizeof one.value) == 0 &&
			         (one.why == NULL) == (all[k].why == NULL),
			         "pass %d index %d: %.17g alone, %.17g fused", pass, k, one.value,
			         all[k].value);
			if (has_zero && (kinds[k] == FT_INEQ_THEIL_L || params[k] < 0)) {
				T_CHECK(all[k].why != NULL);
				continue;
			}
			T_CHECK(all[k].why == NULL);
			T_NEAR(all[k].value, ineq_direct(kinds[k], params[k], b, wp, N), 1e-12);
		}
	}
	/* more indices than one pass takes */
	{
		int k9[9] = {0};
		double p9[9] = {2, 2, 2, 2, 2, 2, 2, 2, 2};
		struct ft_value v9[9];
		T_CHECK(ft_inequality_indices(k9, p9, 9, b, NULL, N, v9, &err) == FT_EINVAL);
	}
}

/* The inequality rows of ft_distribution_measures from decisions (no
 * array of benefits: unit weights take the per-benefit terms once) equal
 * ft_inequality_indices on the array of the same benefits bit for bit:
 * weights NULL, all ones, and others. */
static void test_inequality_from_decisions(void)
{
	enum { N = 3000 };
	static const int kinds[5] = {FT_INEQ_GE, FT_INEQ_ATKINSON, FT_INEQ_THEIL_L,
	                             FT_INEQ_THEIL_T, FT_INEQ_CV};
	static double y[N], s[N], b[N], w[N];
	static int32_t g[N];
	struct ft_dist_opts o;
	struct ft_error err = {0};
	struct ft_rng r;
	double params[5];

	ft_dist_opts_init(&o);
	for (int k = 0; k < 5; k++)
		params[k] = kinds[k] == FT_INEQ_GE ? o.ge_alpha :
		            kinds[k] == FT_INEQ_ATKINSON ? o.atkinson_eps : NAN;
	ft_rng_seed(&r, 23);
	for (size_t i = 0; i < N; i++) {
		y[i] = ft_rng_uniform(&r) < 0.4;
		s[i] = ft_rng_uniform(&r);
		g[i] = (int32_t)ft_rng_below(&r, 2);
		/* benefit ft_eval_pos - y + 1 at threshold 0.5 */
		b[i] = (double)(s[i] >= 0.5) - y[i] + 1.0;
	}
	for (int pass = 0; pass < 3; pass++) {
		struct ft_eval_input in;
		struct ft_measures m;
		struct ft_value want[5];
		for (size_t i = 0; i < N; i++)
			w[i] = pass == 1 ? 1.0 : 0.5 + (double)(i % 7) / 4;
		ft_eval_input_init(&in);
		in.n = N;
		in.y = y;
		in.score = s;
		in.group = g;
		in.n_groups = 2;
		in.w = pass ? w : NULL;
		T_CHECK(ft_inequality_indices(kinds, params, 5, b, in.w, N, want, &err) == 0);
		T_CHECK(ft_distribution_measures(&in, NULL, &o, &m, &err) == 0);
		for (int k = 0; k < 5 && m.n > 12; k++) {
			const struct ft_value *v = &m.m[8 + k].v;
			T_CHECK(!strcmp(m.m[8 + k].name, ft_inequality_name(kinds[k])));
			/* Theil L is undefined (false negatives: ln 0) */
			T_CHECK((want[k].why == NULL) == (v->why == NULL));
			T_CHECK((v->why == NULL) == (kinds[k] != FT_INEQ_THEIL_L));
			T_CHECKF(v->why || memcmp(&want[k].value, &v->value, sizeof v->value) == 0,
			         "pass %d, %s: %a from decisions, %a from benefits", pass,
			         m.m[8 + k].name, v->value, want[k].value);
		}
	}
}

static void test_consistency_hand(void)
{
	double x1[4] = {0, 1, 10, 11}, y1[4] = {1, 0, 1, 1};
	double x2[3] = {0, 1, -1}, y2[3] = {0, 1, 0};
	struct ft_dataset d;
	struct ft_value v;
	struct ft_error err = {0};
	int32_t code[4] = {3, 4, 3, 3};

	memset(&d, 0, sizeof d);
	d.n = 4;
	d.p = 1;
	d.n_num = 1;
	d.num = x1;
	T_CHECK(ft_consistency(&d, y1, NULL, 2, &v, &err) == 0);
	T_NEAR(v.value, 0.75, 1e-15);
	/* k = 1: each row alone */
	T_CHECK(ft_consistency(&d, y1, NULL, 1, &v, &err) == 0 && v.value == 1.0);
	T_CHECK(ft_consistency(&d, y1, NULL, 5, &v, &err) == 0 && v.why);
	/* a tie at distance 1: the lower index (row 1) wins for row 0 */
	d.n = 3;
	d.num = x2;
	T_CHECK(ft_consistency(&d, y2, NULL, 2, &v, &err) == 0);
	/* row 0: {0, 1} -> .5; row 1: {1, 0} -> .5; row 2: {0, 0} -> 0 */
	T_NEAR(v.value, 1 - 1.0 / 3.0, 1e-15);
	/* a categorical column adds 2 per differing code: row 1 moves away */
	d.n = 4;
	d.num = x1;
	d.n_cat = 1;
	d.code = code;
	x1[1] = 0.5;
	T_CHECK(ft_consistency(&d, y1, NULL, 2, &v, &err) == 0);
	/* row 0: nearest other is row 2 (d^2 100) vs row 1 (0.25 + 2): row 1;
	 * so the same pairs as before */
	T_NEAR(v.value, 0.75, 1e-15);
}

static void test_edf_hand(void)
{
	const double yhat[6] = {1, 0, 1, 0, 0, 0};
	const int32_t g[6] = {0, 0, 1, 1, 1, 1};
	struct ft_value v;
	struct ft_error err = {0};

	T_CHECK(ft_smoothed_edf(yhat, NULL, g, 6, 2, 1.0, &v, &err) == 0);
	T_NEAR(v.value, log(0.5 / 0.3), 1e-15);
	T_CHECK(ft_smoothed_edf(yhat, NULL, g, 6, 3, 1.0, &v, &err) == 0);
	T_NEAR(v.value, log(0.5 / 0.3), 1e-15);     /* group 2 has no rows */
	T_CHECK(ft_smoothed_edf(yhat, NULL, g, 2, 2, 1.0, &v, &err) == 0 && v.why);
	/* concentration 0: group 1 has rate 1/4, group 0 1/2 */
	T_CHECK(ft_smoothed_edf(yhat, NULL, g, 6, 2, 0.0, &v, &err) == 0);
	T_NEAR(v.value, log(2.0), 1e-15);
	T_CHECK(ft_smoothed_edf(yhat, NULL, g, 6, 2, -1, &v, &err) == FT_EINVAL);
}

/* German scores (tests/fixtures/aif_postproc.tsv), in row order. */
static double *german_scores(size_t *n)
{
	FILE *fp = fopen(POSTFIX, "r");
	char line[512];
	double *s = malloc(1000 * sizeof *s);

	*n = 0;
	while (fp && s && fgets(line, sizeof line, fp))
		if (!strncmp(line, "score\t", 6) && *n < 1000)
			s[(*n)++] = atof(line + 6);
	if (fp)
		fclose(fp);
	return s;
}

/* GE(2) and Theil T here equal fairness.c's summaries, also for
 * P(yhat = 1) strictly between 0 and 1. */
static void test_matches_summaries(void)
{
	struct ft_table *t = NULL;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_error err = {0};
	struct ft_eval_input in;
	struct ft_summary_table *st = NULL;
	struct ft_measures m;
	size_t n;
	double *s = german_scores(&n), pos[1000];

	if (af_german(&t, &e, &d, &err) || n != d->n) {
		T_FAIL("%s (%zu scores)", err.msg, n);
		goto done;
	}
	for (int rnd = 0; rnd < 2; rnd++) {
		double ge = NAN, th = NAN;
		ft_eval_input_init(&in);
		in.n = n;
		in.y = d->y;
		in.score = s;
		in.group = d->group;
		in.n_groups = 2;
		in.group_names = AF_SEX2;
		if (rnd) {
			for (size_t i = 0; i < n; i++)
				pos[i] = s[i] * s[i];
			in.pos = pos;
		}
		ft_summary_table_free(st);
		st = NULL;
		if (ft_fairness_summaries(&in, 0, 1, 0.95, &st, &err) ||
		    ft_distribution_measures(&in, NULL, NULL, &m, &err)) {
			T_FAIL("%s", err.msg);
			goto done;
		}
		for (size_t k = 0; k < st->n; k++) {
			if (st->s[k].metric == FT_F_GEI)
				ge = st->s[k].v.value;
			if (st->s[k].metric == FT_F_THEIL)
				th = st->s[k].v.value;
		}
		T_CHECK(!strcmp(m.m[8].name, "ge_index") && !strcmp(m.m[11].name, "theil_t_index"));
		T_NEAR(m.m[8].v.value, ge, 1e-12);
		T_NEAR(m.m[11].v.value, th, 1e-12);
		T_CHECK(m.n == 15 && m.m[13].v.why && strstr(m.m[13].v.why, "feature"));
		T_CHECK(m.m[4].v.why && strstr(m.m[4].v.why, "no reference"));
	}
done:
	ft_summary_table_free(st);
	free(s);
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

static double fix_num(const char *tok)
{
	return !strncmp(tok, "nan", 3) ? NAN : atof(tok);
}

/* Every "measure" line of the fixture, and the cross-checks. */
static void test_fixture(void)
{
	FILE *fp = fopen(FIX, "r");
	char line[1024];
	struct ft_table *t = NULL, *ta = NULL;
	struct ft_encoder *e = NULL, *ea = NULL;
	struct ft_dataset *d = NULL, *da = NULL;
	struct ft_error err = {0};
	struct ft_dist_opts opt[8];
	struct ft_measures res[2][8];
	double ref[200], w[1000], yhat[1000], *s = NULL;
	size_t n = 0, n_opt = 0, n_meas = 0, n_check = 0;

	if (!fp) {
		T_FAIL("cannot open %s", FIX);
		return;
	}
	s = german_scores(&n);
	if (af_german(&t, &e, &d, &err) || n != d->n) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	for (int i = 0; i < 200; i++)
		ref[i] = (i + 0.5) / 200;
	for (size_t i = 0; i < n; i++) {
		w[i] = af_weight(i);
		yhat[i] = s[i] >= 0.5;
	}
	while (fgets(line, sizeof line, fp)) {
		char name[128], val[64], val2[64];
		int weighted, id;
		if (!strncmp(line, "opts\t", 5)) {
			struct ft_dist_opts *o = &opt[n_opt];
			size_t bins, k;
			ft_dist_opts_init(o);
			if (n_opt == 8 || sscanf(line + 5, "%d %zu %lf %lf %zu %lf", &id, &bins,
			                         &o->ge_alpha, &o->atkinson_eps, &k,
			                         &o->concentration) != 6) {
				T_FAIL("bad opts line");
				goto done;
			}
			o->bins = bins;
			o->k = k;
			o->ref = ref;
			o->n_ref = 200;
			for (int wt = 0; wt < 2; wt++) {
				struct ft_eval_input in;
				ft_eval_input_init(&in);
				in.n = n;
				in.y = d->y;
				in.score = s;
				in.w = wt ? w : NULL;
				in.group = d->group;
				in.n_groups = 2;
				in.group_names = AF_SEX2;
				if (ft_distribution_measures(&in, d, o, &res[wt][n_opt], &err)) {
					T_FAIL("%s", err.msg);
					goto done;
				}
			}
			n_opt++;
		} else if (sscanf(line, "measure german %d %d %127s %63s", &weighted, &id, name,
		                  val) == 4) {
			const struct ft_measures *m = &res[weighted][id];
			size_t k;
			double want = fix_num(val);
			for (k = 0; k < m->n && strcmp(m->m[k].name, name); k++)
				;
			if (k == m->n || id >= (int)n_opt) {
				T_FAIL("measure %s not computed", name);
				continue;
			}
			if (isnan(want))
				T_CHECKF(m->m[k].v.why != NULL, "%s %d %d: %g, reference undefined",
				         name, weighted, id, m->m[k].v.value);
			else
				T_CHECKF(!m->m[k].v.why && fabs(m->m[k].v.value - want) <=
				         1e-12 * fmax(1, fabs(want)), "%s %d %d: %.17g, reference %.17g "
				         "(%s)", name, weighted, id, m->m[k].v.value, want,
				         m->m[k].v.why ? m->m[k].v.why : "");
			n_meas++;
		} else if (sscanf(line, "check %127s %63s %63s", name, val, val2) >= 2) {
			struct ft_value v = {NAN, NULL};
			double want = fix_num(val);
			if (!strcmp(name, "aif_ge2"))
				v = res[0][0].m[8].v;
			else if (!strcmp(name, "aif_ge1"))
				v = res[0][0].m[11].v;
			else if (!strcmp(name, "aif_consistency_k5"))
				v = res[0][0].m[13].v;
			else if (!strncmp(name, "benefitmap_", 11) && strcmp(name, "benefitmap_values")) {
				static double sr[2];
				int kind = strstr(name, "ge2") ? FT_INEQ_GE : strstr(name, "atkinson") ?
					FT_INEQ_ATKINSON : strstr(name, "theil_l") ? FT_INEQ_THEIL_L :
					strstr(name, "theil_t") ? FT_INEQ_THEIL_T : FT_INEQ_CV;
				double c[4] = {0, 0, 0, 0};
				for (size_t i = 0; i < n; i++) {
					c[2 * d->group[i]] += yhat[i];
					c[2 * d->group[i] + 1] += 1;
				}
				sr[0] = c[0] / c[1];
				sr[1] = c[2] / c[3];
				ft_inequality_index(kind, kind == FT_INEQ_GE ? 2 : 0.5, sr, NULL, 2, &v,
				                    &err);
			} else if (!strcmp(name, "edf4_conc1")) {
				int32_t g4[1000];
				long c20 = ft_table_col(t, "c20");
				for (size_t i = 0; i < n; i++)
					g4[i] = 2 * d->group[i] +
						!strcmp(ft_table_cell(t, d->row[i], (size_t)c20), "A201");
				ft_smoothed_edf(yhat, NULL, g4, n, 4, 1.0, &v, &err);
			} else if (!strcmp(name, "adult3000_consistency_k5")) {
				struct ft_dataset view;
				double *as = NULL, *ay = NULL, *ayh;
				int32_t *ag = NULL;
				size_t an = 0;
				if (af_adult(&ta, &ea, &da, &err) ||
				    af_adult_formula(ta, &as, &ay, &ag, &an) || an != da->n) {
					T_FAIL("adult: %s", err.msg);
					free(as);
					free(ay);
					free(ag);
					continue;
				}
				ayh = as;
				for (size_t i = 0; i < an; i++)
					ayh[i] = as[i] >= 0.5;
				view = *da;
				view.n = 3000;
				ft_consistency(&view, ayh, NULL, 5, &v, &err);
				free(as);
				free(ay);
				free(ag);
			} else {
				fprintf(stderr, "reference %s = %s (for the record)\n", name, val);
				continue;
			}
			T_CHECKF(!v.why && fabs(v.value - want) <= 1e-12 * fmax(1, fabs(want)),
			         "%s: %.17g, reference %.17g", name, v.value, want);
			n_check++;
		}
	}
	T_CHECKF(n_opt == 4 && n_meas == 120 && n_check == 10,
	         "%zu options, %zu measures, %zu checks", n_opt, n_meas, n_check);
done:
	fclose(fp);
	free(s);
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
	ft_dataset_free(da);
	ft_encoder_free(ea);
	ft_table_free(ta);
}

/* The same bits for 1 and 2 threads: 8192 Adult rows make 4 chunks. */
static void test_threads(void)
{
	struct ft_table *t = NULL;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL, view;
	struct ft_error err = {0};
	struct ft_value v1, v2;
	double *yh = NULL;

	if (af_adult(&t, &e, &d, &err)) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	yh = malloc(d->n * sizeof *yh);
	for (size_t i = 0; i < d->n; i++)
		yh[i] = (double)((i * 2654435761u) % 7 < 3);
	view = *d;
	view.n = 8192;
	ft_set_threads(1);
	T_CHECK(ft_consistency(&view, yh, d->w, 5, &v1, &err) == 0);
	ft_set_threads(2);
	T_CHECK(ft_consistency(&view, yh, d->w, 5, &v2, &err) == 0);
	T_CHECKF(memcmp(&v1.value, &v2.value, sizeof v1.value) == 0, "%.17g vs %.17g",
	         v1.value, v2.value);
	ft_set_threads(0);
done:
	free(yh);
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

/* The groups' scores taken in the order of the sort every measurement
 * makes anyway (ft_score_order) give every measure to the bit that sorting
 * them again gives: 20,000 weighted rows in three groups (one without
 * rows of a label), scores with many ties, a reference distribution; and
 * the distances, inequality indices and smoothed EDF those of the
 * functions of one pair or of arrays. */
static void test_ordered(void)
{
	enum { N = 20000, NREF = 500 };
	double *s = malloc(N * sizeof *s), *y = malloc(N * sizeof *y), *w = malloc(N * sizeof *w);
	double ref[NREF];
	int32_t *g = malloc(N * sizeof *g);
	uint32_t *order = NULL;
	struct ft_eval_input in;
	struct ft_dist_opts o;
	struct ft_measures a, b;
	struct ft_error err = {0};
	const char *names[3] = {"a", "b", "c"};
	uint64_t r = 99;
	size_t bad = 0;

	if (!s || !y || !w || !g) {
		T_FAIL("malloc");
		goto done;
	}
	for (size_t i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		s[i] = (double)((r >> 33) % 997) / 996.0;
		y[i] = (double)((r >> 20) & 1);
		w[i] = 0.5 + (double)((r >> 45) % 7) / 3.0;   /* sums that round */
		g[i] = (int32_t)((r >> 50) % 3);
	}
	for (size_t i = 0; i < NREF; i++)
		ref[i] = (double)(i % 101) / 100.0;
	ft_eval_input_init(&in);
	in.n = N;
	in.y = y;
	in.score = s;
	in.w = w;
	in.group = g;
	in.n_groups = 3;
	in.group_names = names;
	ft_dist_opts_init(&o);
	o.ref = ref;
	o.n_ref = NREF;
	if (ft_score_order(s, N, &order)) {
		T_FAIL("order");
		goto done;
	}
	T_CHECKF(ft_distribution_measures(&in, NULL, &o, &a, &err) == 0, "%s", err.msg);
	T_CHECKF(ft_distribution_measures_ordered(&in, NULL, &o, order, &b, &err) == 0, "%s",
	         err.msg);
	T_CHECK(a.n == b.n && a.n > 10);
	for (size_t k = 0; k < a.n && k < b.n; k++)
		if (strcmp(a.m[k].name, b.m[k].name) ||
		    memcmp(&a.m[k].v.value, &b.m[k].v.value, sizeof(double)))
			bad++;
	T_CHECKF(bad == 0, "%zu measures differ", bad);
	/* the one walk of every distance against each pair's own sorted
	 * samples (ft_emd_1d), and the benefits and decisions read from the
	 * input against arrays of them (ft_inequality_indices,
	 * ft_smoothed_edf): to the bit */
	{
		double *gv[3], *gwt[3], *bb = malloc(N * sizeof *bb), *yh = malloc(N * sizeof *yh);
		double emax = -INFINITY, rmax = -INFINITY, e;
		size_t gn[3] = {0, 0, 0};
		static const int kinds[5] = {FT_INEQ_GE, FT_INEQ_ATKINSON, FT_INEQ_THEIL_L,
		                             FT_INEQ_THEIL_T, FT_INEQ_CV};
		double param[5];
		struct ft_value iv[5], ev;
		for (int q = 0; q < 3; q++) {
			gv[q] = malloc(N * sizeof *gv[q]);
			gwt[q] = malloc(N * sizeof *gwt[q]);
		}
		if (!bb || !yh || !gv[0] || !gv[1] || !gv[2] || !gwt[0] || !gwt[1] || !gwt[2]) {
			T_FAIL("malloc");
		} else {
			for (size_t i = 0; i < N; i++) {
				gv[g[i]][gn[g[i]]] = s[i];
				gwt[g[i]][gn[g[i]]++] = w[i];
				yh[i] = s[i] >= in.threshold;
				bb[i] = yh[i] - y[i] + 1.0;
			}
			for (int p = 0; p < 3; p++) {
				for (int q = p + 1; q < 3; q++) {
					T_CHECK(ft_emd_1d(gv[p], gwt[p], gn[p], gv[q], gwt[q], gn[q], &e,
					                  &err) == 0);
					emax = fmax(emax, e);
				}
				T_CHECK(ft_emd_1d(gv[p], gwt[p], gn[p], ref, NULL, NREF, &e, &err) == 0);
				rmax = fmax(rmax, e);
			}
			for (int k = 0; k < 5; k++)
				param[k] = kinds[k] == FT_INEQ_GE ? o.ge_alpha :
				           kinds[k] == FT_INEQ_ATKINSON ? o.atkinson_eps : NAN;
			T_CHECK(ft_inequality_indices(kinds, param, 5, bb, w, N, iv, &err) == 0);
			T_CHECK(ft_smoothed_edf(yh, w, g, N, 3, o.concentration, &ev, &err) == 0);
			for (size_t k = 0; k < a.n; k++) {
				const char *nm = a.m[k].name;
				double want = NAN;
				if (!strcmp(nm, "score_earth_movers_distance"))
					want = emax;
				else if (!strcmp(nm, "score_earth_movers_distance_to_reference"))
					want = rmax;
				else if (!strcmp(nm, "smoothed_empirical_differential_fairness"))
					want = ev.value;
				for (int q = 0; q < 5; q++)
					if (!strcmp(nm, ft_inequality_name(kinds[q])))
						want = iv[q].value;
				if (!isnan(want))
					T_CHECKF(memcmp(&want, &a.m[k].v.value, sizeof want) == 0,
					         "%s: %.17g, pairwise %.17g", nm, a.m[k].v.value, want);
			}
		}
		for (int q = 0; q < 3; q++) {
			free(gv[q]);
			free(gwt[q]);
		}
		free(bb);
		free(yh);
	}
done:
	free(s);
	free(y);
	free(w);
	free(g);
	free(order);
}

/* Two groups and no reference (emd_walk's path for the one pair): the
 * distance must be the bits of ft_emd_1d on the two groups' own samples,
 * with rows of no group among them, scores with ties, and weights absent
 * or with sums that round. */
static void test_emd_two_groups(void)
{
	enum { N = 30011 };
	double *s = malloc(N * sizeof *s), *y = malloc(N * sizeof *y), *w = malloc(N * sizeof *w);
	double *gv[2] = {malloc(N * sizeof(double)), malloc(N * sizeof(double))};
	double *gwt[2] = {malloc(N * sizeof(double)), malloc(N * sizeof(double))};
	int32_t *g = malloc(N * sizeof *g);
	const char *names[2] = {"a", "b"};
	struct ft_eval_input in;
	struct ft_measures m;
	struct ft_error err = {0};
	uint64_t r = 31;

	if (!s || !y || !w || !g || !gv[0] || !gv[1] || !gwt[0] || !gwt[1]) {
		T_FAIL("malloc");
		goto done;
	}
	for (size_t i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		g[i] = (int32_t)((r >> 50) % 5) - 1;
		g[i] = g[i] > 1 ? (int32_t)((r >> 40) & 1) : g[i];   /* -1 a fifth of rows */
		s[i] = (double)((r >> 33) % 1999 + (g[i] == 1 ? 300 : 0)) / 2300.0;
		y[i] = (double)((r >> 20) & 1);
		w[i] = 0.5 + (double)((r >> 45) % 7) / 3.0;
	}
	for (int weighted = 0; weighted < 2; weighted++) {
		size_t gn[2] = {0, 0};
		double want = NAN;
		int found = 0;
		for (size_t i = 0; i < N; i++)
			if (g[i] >= 0) {
				gv[g[i]][gn[g[i]]] = s[i];
				gwt[g[i]][gn[g[i]]++] = weighted ? w[i] : 1.0;
			}
		T_CHECK(ft_emd_1d(gv[0], gwt[0], gn[0], gv[1], gwt[1], gn[1], &want, &err) == 0);
		ft_eval_input_init(&in);
		in.n = N;
		in.y = y;
		in.score = s;
		in.w = weighted ? w : NULL;
		in.group = g;
		in.n_groups = 2;
		in.group_names = names;
		T_CHECKF(ft_distribution_measures(&in, NULL, NULL, &m, &err) == 0, "%s", err.msg);
		for (size_t k = 0; k < m.n; k++)
			if (!strcmp(m.m[k].name, "score_earth_movers_distance")) {
				found = 1;
				T_CHECKF(memcmp(&want, &m.m[k].v.value, sizeof want) == 0,
				         "weighted %d: %.17g, ft_emd_1d %.17g", weighted,
				         m.m[k].v.value, want);
			}
		T_CHECK(found && want > 0.05);
	}
done:
	free(s);
	free(y);
	free(w);
	free(g);
	for (int q = 0; q < 2; q++) {
		free(gv[q]);
		free(gwt[q]);
	}
}

/* More than 1,024 groups: the distances come from walks over blocks of
 * groups, and must still be those of each pair's own samples (ft_emd_1d):
 * 1,100 groups of three weighted rows each, scores with ties, a
 * reference; the largest distances those of the last groups. */
static void test_many_groups(void)
{
	enum { G = 1100, PER = 3, N = G * PER, NREF = 50 };
	double *s = malloc(N * sizeof *s), *y = malloc(N * sizeof *y), *w = malloc(N * sizeof *w);
	double ref[NREF], emax = -INFINITY, rmax = -INFINITY;
	int32_t *g = malloc(N * sizeof *g);
	const char **names = malloc(G * sizeof *names);
	struct ft_eval_input in;
	struct ft_dist_opts o;
	struct ft_measures m;
	struct ft_error err = {0};
	uint64_t r = 7;
	int found = 0;

	if (!s || !y || !w || !g || !names) {
		T_FAIL("malloc");
		goto done;
	}
	for (size_t i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		s[i] = (double)((r >> 33) % 41) / 40.0;
		y[i] = (double)((r >> 20) & 1);
		w[i] = 0.5 + (double)((r >> 45) % 5) / 4.0;
		g[i] = (int32_t)(i / PER);
		/* the farthest pair, and the group farthest from the reference,
		 * in the last block of groups */
		if (g[i] >= G - 2)
			s[i] = g[i] == G - 1 ? 1.0 : 0.0;
	}
	for (size_t k = 0; k < G; k++)
		names[k] = "g";
	for (size_t i = 0; i < NREF; i++)
		ref[i] = (double)(i % 11) / 10.0;
	for (size_t a = 0; a < G; a++) {
		double e;
		T_CHECK(ft_emd_1d(s + a * PER, w + a * PER, PER, ref, NULL, NREF, &e, &err) == 0);
		rmax = fmax(rmax, e);
		for (size_t c = a + 1; c < G; c++) {
			T_CHECK(ft_emd_1d(s + a * PER, w + a * PER, PER, s + c * PER, w + c * PER, PER,
			                  &e, &err) == 0);
			emax = fmax(emax, e);
		}
	}
	ft_eval_input_init(&in);
	in.n = N;
	in.y = y;
	in.score = s;
	in.w = w;
	in.group = g;
	in.n_groups = G;
	in.group_names = names;
	ft_dist_opts_init(&o);
	o.ref = ref;
	o.n_ref = NREF;
	T_CHECKF(ft_distribution_measures(&in, NULL, &o, &m, &err) == 0, "%s", err.msg);
	for (size_t k = 0; k < m.n; k++) {
		double want = !strcmp(m.m[k].name, "score_earth_movers_distance") ? emax :
		              !strcmp(m.m[k].name, "score_earth_movers_distance_to_reference") ?
		              rmax : NAN;
		if (isnan(want))
			continue;
		found++;
		T_CHECKF(memcmp(&want, &m.m[k].v.value, sizeof want) == 0, "%s: %.17g, pairwise %.17g",
		         m.m[k].name, m.m[k].v.value, want);
	}
	T_CHECK(found == 2);
done:
	free(s);
	free(y);
	free(w);
	free(g);
	free(names);
}

int main(void)
{
	char probe[4096];

	T_RUN(test_measure_opts_init);
	T_RUN(test_discrete);
	T_RUN(test_emd);
	T_RUN(test_inequality);
	T_RUN(test_inequality_fused);
	T_RUN(test_inequality_from_decisions);
	T_RUN(test_consistency_hand);
	T_RUN(test_edf_hand);
	T_RUN(test_ordered);
	T_RUN(test_many_groups);
	T_RUN(test_emd_two_groups);
	if (t_have_data("german/german.data", probe, sizeof probe) &&
	    t_have_data("adult/adult.data", probe, sizeof probe)) {
		T_RUN(test_matches_summaries);
		T_RUN(test_fixture);
		T_RUN(test_threads);
	} else {
		T_SKIP(test_fixture, "german or adult data not found under $FAIRTRAIN_DATA");
	}
	return t_done();
}
