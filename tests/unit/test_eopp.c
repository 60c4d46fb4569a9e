/*
 * test_eopp.c - LiFT's equality-of-opportunity re-ranking transformation
 * (src/fair/eopp.c): the cases of LiFT's own EOppUtilsTest.scala
 * (transformScoreTest, applyTransformationTest, adjustScaleTest), error
 * paths, and a numpy port of LiFT's code on synthetic clicks with position
 * bias (tests/fixtures/eopp.tsv, scripts/fixtures/make_eopp_fixture.py).
 *
 * Tolerances: 1e-12 for the position biases (kernel densities summed in
 * the same order) and for every transformed score (the same knots; the
 * interpolation is one division).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "fair/fair.h"
#include "t.h"

#define FIX "tests/fixtures/eopp.tsv"

/* LiFT EOppUtilsTest.transformScoreTest and applyTransformationTest. */
static void test_lift_cases(void)
{
	const double k0[5] = {1, 2, 3, 6, 7}, v0[5] = {2, 4, 5, 11, 11};
	const double k1[3] = {1, 3, 5}, v1[3] = {10, 4, 2};

	T_CHECK(ft_eopp_interp(k0, v0, 5, 0.0) == 2.0);
	T_CHECK(ft_eopp_interp(k0, v0, 5, 1.0) == 2.0);
	T_CHECK(ft_eopp_interp(k0, v0, 5, 1.5) == 3.0);
	T_NEAR(ft_eopp_interp(k0, v0, 5, 3.2), 5.4, 1e-15);
	T_CHECK(ft_eopp_interp(k0, v0, 5, 6.2) == 11.0);
	T_CHECK(ft_eopp_interp(k0, v0, 5, 10) == 11.0);
	T_CHECK(ft_eopp_interp(k1, v1, 3, 0.0) == 10.0);
	T_CHECK(ft_eopp_interp(k1, v1, 3, 1.5) == 8.5);
	T_CHECK(ft_eopp_interp(k1, v1, 3, 4.0) == 3.0);
	T_CHECK(ft_eopp_interp(k1, v1, 3, 6.0) == 2.0);
}

/* adjustScaleTest: scores 1, 2, 3 in each group, all positive.  Each
 * group's map is {1 -> 0, 2 -> .5, 3 -> 1} (K = 2); the overall quantiles
 * before (1, 2, 3) and after (0, .5, 1) map it back to the identity. */
static void test_original_scale(void)
{
	const double s[6] = {1, 1, 2, 2, 3, 3}, y[6] = {1, 1, 1, 1, 1, 1};
	const int32_t g[6] = {0, 1, 0, 1, 0, 1};
	const double probe[4] = {1, 1.5, 2, 3};
	const int32_t pg[4] = {0, 1, 1, 0};
	struct ft_eopp_params p;
	struct ft_eopp *e = NULL;
	struct ft_error err = {0};
	double out[4];

	ft_eopp_params_init(&p);
	p.n_quantiles = 2;
	T_CHECK(ft_eopp_fit(s, y, g, NULL, 6, 2, &p, &e, &err) == 0);
	T_CHECK(ft_eopp_apply(e, probe, pg, 4, out, &err) == 0);
	T_CHECK(out[0] == 0 && out[1] == 0.25 && out[2] == 0.5 && out[3] == 1);
	ft_eopp_free(e);
	e = NULL;
	p.original_scale = 1;
	T_CHECK(ft_eopp_fit(s, y, g, NULL, 6, 2, &p, &e, &err) == 0);
	T_CHECK(ft_eopp_apply(e, probe, pg, 4, out, &err) == 0);
	for (int i = 0; i < 4; i++)
		T_NEAR(out[i], probe[i], 1e-15);
	/* an item without a group */
	T_CHECK(ft_eopp_apply(e, probe, (const int32_t[4]){0, -1, 0, 0}, 4, out, &err) ==
	        FT_EDATA);
	ft_eopp_free(e);
	e = NULL;
	/* a group without positives */
	ft_error_clear(&err);
	T_CHECK(ft_eopp_fit(s, (const double[6]){1, 0, 1, 0, 1, 0}, g, NULL, 6, 2, &p, &e,
	                    &err) == FT_EDATA && !e);
	T_CHECKF(strstr(err.msg, "group 1 has no positive rows") != NULL, "%s", err.msg);
	p.n_quantiles = 0;
	T_CHECK(ft_eopp_fit(s, y, g, NULL, 6, 2, &p, &e, &err) == FT_EINVAL);
}

static void test_fixture(void)
{
	FILE *fp = fopen(FIX, "r");
	char line[512];
	double *s = malloc(4000 * sizeof *s), *y = malloc(4000 * sizeof *y);
	int32_t *g = malloc(4000 * sizeof *g), *pos = malloc(4000 * sizeof *pos);
	size_t n = 0, n_bias = 0, n_probe = 0, np = 0;
	int32_t *pv = NULL;
	double *bias = NULL;
	struct ft_eopp *cases[4] = {NULL, NULL, NULL, NULL};
	static const char *const NAMES[4] = {"k100", "k10000", "k1000pb", "k100scale"};
	struct ft_error err = {0};

	if (!fp || !s || !y || !g || !pos) {
		T_FAIL("cannot open %s", FIX);
		goto done;
	}
	while (fgets(line, sizeof line, fp)) {
		char name[32];
		int gi, pi;
		double a, b;
		if (!strncmp(line, "row\t", 4) && n < 4000) {
			if (sscanf(line + 4, "%lf %lf %d %d", &s[n], &y[n], &gi, &pi) == 4) {
				g[n] = gi;
				pos[n] = pi;
				n++;
			}
			continue;
		}
		if (sscanf(line, "bias %d %lf", &pi, &a) == 2) {
			if (!pv) {
				double t0 = t_now();
				if (ft_position_bias(s, y, pos, n, 1000, 10, &np, &pv, &bias, &err)) {
					T_FAIL("%s", err.msg);
					goto done;
				}
				fprintf(stderr, "position bias of %zu items: %.1f ms\n", n,
				        1e3 * (t_now() - t0));
			}
			T_CHECK(n_bias < np && pv[n_bias] == pi);
			if (n_bias < np)
				T_NEAR(bias[n_bias], a, 1e-12);
			n_bias++;
			continue;
		}
		if (sscanf(line, "probe %31s %d %lf %lf", name, &gi, &a, &b) == 4) {
			int k;
			double o;
			int32_t gg = gi;
			for (k = 0; k < 4 && strcmp(name, NAMES[k]); k++)
				;
			if (k == 4)
				continue;
			if (!cases[k]) {
				struct ft_eopp_params p;
				ft_eopp_params_init(&p);
				p.n_quantiles = k == 1 ? 10000 : k == 2 ? 1000 : 100;
				p.cutoff = k == 2 ? 10 : 0;
				p.original_scale = k == 3;
				if (ft_eopp_fit(s, y, g, pos, n, 2, &p, &cases[k], &err)) {
					T_FAIL("%s", err.msg);
					goto done;
				}
			}
			T_CHECK(ft_eopp_apply(cases[k], &a, &gg, 1, &o, &err) == 0);
			T_CHECKF(fabs(o - b) <= 1e-12, "%s group %d score %.17g: %.17g, reference "
			         "%.17g", name, gi, a, o, b);
			n_probe++;
		}
	}
	T_CHECKF(n == 2000 && n_bias == 20 && n_probe == 808, "%zu rows, %zu biases, %zu "
	         "probes", n, n_bias, n_probe);
done:
	if (fp)
		fclose(fp);
	for (int k = 0; k < 4; k++)
		ft_eopp_free(cases[k]);
	free(s);
	free(y);
	free(g);
	free(pos);
	free(pv);
	free(bias);
}

int main(void)
{
	T_RUN(test_lift_cases);
	T_RUN(test_original_scale);
	T_RUN(test_fixture);
	return t_done();
}
