/*
 * test_logreg.c - the weighted logistic objective and its fit: derivatives
 * against central finite differences, partial sums over row blocks, closed
 * forms, weights as duplicated rows, optimality of the returned model,
 * Newton vs L-BFGS, prediction, parameter and data errors, and scikit-learn's
 * coefficients on a small weighted synthetic set (tests/fixtures, made by
 * scripts/fixtures/make_logreg_fixtures.py).  Run from the repository root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "model/model.h"
#include "t.h"

/* ------------------------------------------------------- a mixed data set */

/* 12 rows, 2 numeric features (0, 1), a categorical column with 3 levels
 * (features 2..4) and one with 2 levels (5, 6); -1 is "no level" (unseen).
 * p = 7, so x = (beta[0..6], b) has 8 entries. */
#define MN 12
#define MP 7
static double m_num[MN * 2] = {
	0.5, -1.2,  1.1, 0.3,  -0.7, 0.8,  0.0, 0.0,  2.0, -0.5,  -1.5, 1.7,
	0.3, 0.3,  -0.2, -2.1,  1.4, 0.9,  -0.9, -0.4,  0.8, 1.2,  -1.1, 0.1,
};
static int32_t m_code[MN * 2] = {
	2, 5,  3, 6,  4, 5,  2, -1,  3, 5,  -1, 6,
	4, 6,  2, 5,  3, -1,  4, 6,  2, 6,  3, 5,
};
static double m_y[MN] = { 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0 };
static double m_w[MN] = { 1, 2, 0.5, 1.5, 1, 3, 0, 2, 1, 0.25, 1, 1 };
static size_t m_line[MN] = { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };

static struct ft_dataset mixed(void)
{
	struct ft_dataset d;

	memset(&d, 0, sizeof d);
	d.n = MN;
	d.p = MP;
	d.n_num = 2;
	d.num = m_num;
	d.n_cat = 2;
	d.code = m_code;
	d.y = m_y;
	d.w = m_w;
	return d;
}

static void random_x(double *x, size_t n, uint64_t seed)
{
	struct ft_rng r;
	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		x[i] = ft_rng_normal(&r);
}

/* Finite-difference checks of gradient, Hessian-vector product and full
 * Hessian at a random point, for one intercept setting. */
static void derivatives_case(int fit_intercept, double C)
{
	struct ft_dataset d = mixed();
	struct ft_objective o;
	struct ft_error err = { 0 };
	enum { D = MP + 1 };
	double x[D], v[D], g[D], gp[D], gm[D], hv[D], H[D * D], xs[D];
	double f, fp, fm, h = 1e-5;
	int rc;

	rc = ft_logreg_objective(&d, C, fit_intercept, &o, &err);
	T_CHECKF(rc == 0, "%s", err.msg);
	if (rc)
		return;
	T_CHECK(o.dim == D);
	random_x(x, D, 7);
	random_x(v, D, 8);
	T_CHECK(o.value_grad(o.ctx, x, &f, g) == 0);
	/* value without the gradient is the same value */
	T_CHECK(o.value_grad(o.ctx, x, &fp, NULL) == 0);
	T_CHECK(fp == f);
	for (int j = 0; j < D; j++) {
		memcpy(xs, x, sizeof x);
		xs[j] = x[j] + h;
		o.value_grad(o.ctx, xs, &fp, NULL);
		xs[j] = x[j] - h;
		o.value_grad(o.ctx, xs, &fm, NULL);
		T_NEAR(g[j], (fp - fm) / (2 * h), 1e-8);
	}
	/* H v against (g(x + h v) - g(x - h v)) / 2h */
	T_CHECK(o.hess_vec(o.ctx, x, v, hv) == 0);
	for (int j = 0; j < D; j++)
		xs[j] = x[j] + h * v[j];
	o.value_grad(o.ctx, xs, &fp, gp);
	for (int j = 0; j < D; j++)
		xs[j] = x[j] - h * v[j];
	o.value_grad(o.ctx, xs, &fm, gm);
	for (int j = 0; j < D; j++)
		T_NEAR(hv[j], (gp[j] - gm[j]) / (2 * h), 1e-8);
	/* full Hessian, column by column; symmetric; agrees with hess_vec */
	T_CHECK(o.hessian(o.ctx, x, H) == 0);
	for (int j = 0; j < D; j++) {
		memcpy(xs, x, sizeof x);
		xs[j] = x[j] + h;
		o.value_grad(o.ctx, xs, &fp, gp);
		xs[j] = x[j] - h;
		o.value_grad(o.ctx, xs, &fm, gm);
		for (int i = 0; i < D; i++) {
			T_NEAR(H[i * D + j], (gp[i] - gm[i]) / (2 * h), 1e-8);
			T_CHECK(H[i * D + j] == H[j * D + i]);
		}
	}
	for (int i = 0; i < D; i++) {
		double s = 0;
		for (int j = 0; j < D; j++)
			s += H[i * D + j] * v[j];
		T_NEAR(s, hv[i], 1e-12);
	}
	if (!fit_intercept) {
		/* b is pinned: gradient b, Hessian row e_p */
		T_NEAR(g[MP], x[MP], 1e-15);
		for (int j = 0; j < D; j++)
			T_CHECK(H[MP * D + j] == (j == MP ? 1.0 : 0.0));
	}
	ft_logreg_objective_free(&o);
	T_CHECK(o.ctx == NULL);
}

static void test_derivatives_intercept(void)
{
	derivatives_case(1, 1.0);
	derivatives_case(1, 3.5);
}

static void test_derivatives_no_intercept(void)
{
	derivatives_case(0, 0.7);
}

/* Two codes of one row pointing at the same feature count as a value of 2
 * there: the Hessian must still match finite differences. */
static void test_derivatives_duplicate_codes(void)
{
	double num[3] = { 0.5, -1, 2 };
	int32_t code[6] = { 1, 1, 2, 1, -1, 2 };
	double y[3] = { 1, 0, 1 }, w[3] = { 1, 2, 1 };
	struct ft_dataset d;
	struct ft_objective o;
	double x[4] = { 0.3, -0.2, 0.5, 0.1 }, H[16], xs[4], gp[4], gm[4], f;

	memset(&d, 0, sizeof d);
	d.n = 3;
	d.p = 3;
	d.n_num = 1;
	d.num = num;
	d.n_cat = 2;
	d.code = code;
	d.y = y;
	d.w = w;
	T_CHECK(ft_logreg_objective(&d, 1.0, 1, &o, NULL) == 0);
	o.hessian(o.ctx, x, H);
	for (int j = 0; j < 4; j++) {
		memcpy(xs, x, sizeof x);
		xs[j] += 1e-5;
		o.value_grad(o.ctx, xs, &f, gp);
		xs[j] -= 2e-5;
		o.value_grad(o.ctx, xs, &f, gm);
		for (int i = 0; i < 4; i++)
			T_NEAR(H[i * 4 + j], (gp[i] - gm[i]) / 2e-5, 1e-8);
	}
	ft_logreg_objective_free(&o);
}

/* The passes compute four margins at a time, take the Hessian's numeric
 * block four rows at a time and gather its numeric-by-code block apart;
 * the result must be the bits of the plain row-at-a-time sums (ft_row_dot,
 * ft_row_outer) over the same chunks added in the same order.  10,003 rows
 * (4 chunks, a tail of 3 rows after the groups of four), NN numeric
 * features (3, 12 and 21: the numeric-by-code rows of 8, 16 and NN
 * entries), 3 categorical columns with unseen codes, two codes on one
 * feature (out of order), zero weights; extra features no row has (with
 * 260 of them the numeric-by-code block is allocated, not on the
 * stack). */
static void passes_bitwise(size_t NN, size_t extra)
{
	enum { N = 10003, NC = 3 };
	size_t P = NN + 6 + extra, D = P + 1;
	double *num = malloc(N * NN * sizeof *num), *y = malloc(N * sizeof *y);
	double *w = malloc(N * sizeof *w), *Hr = calloc(D * D, sizeof *Hr);
	int32_t *code = malloc(N * NC * sizeof *code);
	double *x = calloc(D, sizeof *x), *H = calloc(D * D, sizeof *H), *g = calloc(D, sizeof *g);
	double *gr = calloc(D, sizeof *gr), *x2 = calloc(D, sizeof *x2), *gc = calloc(D, sizeof *gc);
	double *H2 = calloc(D * D, sizeof *H2), *H3 = calloc(D * D, sizeof *H3);
	double f, fr = 0, *part = NULL;
	size_t idx[NC + 1], k, bad = 0;
	struct ft_dataset d;
	struct ft_objective o;
	struct ft_rng r;

	if (!num || !y || !w || !code || !Hr || !x || !H || !g || !gr || !x2 || !gc || !H2 ||
	    !H3) {
		T_CHECK(0);
		goto done;
	}
	ft_rng_seed(&r, 21);
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < NN; j++)
			num[i * NN + j] = ft_rng_normal(&r);
		code[i * NC] = (int32_t)NN + (int32_t)ft_rng_below(&r, 3);
		code[i * NC + 1] = ft_rng_uniform(&r) < 0.1 ? -1 :
		                   (int32_t)NN + 3 + (int32_t)ft_rng_below(&r, 3);
		code[i * NC + 2] = i % 7 == 0 ? code[i * NC] : -1;   /* a duplicate code */
		y[i] = ft_rng_uniform(&r) < 0.4;
		w[i] = i % 11 == 0 ? 0.0 : 0.5 + ft_rng_uniform(&r);
	}
	memset(&d, 0, sizeof d);
	d.n = N; d.p = P; d.n_num = NN; d.num = num; d.n_cat = NC; d.code = code;
	d.y = y; d.w = w;
	random_x(x, D, 5);
	T_CHECK(ft_logreg_objective(&d, 1.5, 1, &o, NULL) == 0);
	T_CHECK(o.hessian(o.ctx, x, H) == 0);
	T_CHECK(o.value_grad(o.ctx, x, &f, g) == 0);
	/* the reference: ft_parallel_sum's chunks, each from zero, added in order */
	k = ft_parallel_chunks(N, D * D);
	T_CHECK(k > 1);
	part = malloc(D * D * sizeof *part);
	for (size_t c = 0; part && c < k; c++) {
		size_t lo = N / k * c + (c < N % k ? c : N % k), hi = lo + N / k + (c < N % k);
		memset(part, 0, D * D * sizeof *part);
		for (size_t i = lo; i < hi; i++) {
			double z = ft_row_dot(&d, i, x) + x[P], e = ft_exp_neg(fabs(z));
			if (w[i] == 0.0)
				continue;
			ft_row_outer(&d, i, 1.5 * w[i] * ft_logistic_curv_e(e), 1, 0, part, D, idx);
		}
		for (size_t e = 0; e < D * D; e++)
			Hr[e] += part[e];
	}
	for (size_t a = 0; a < D; a++)
		for (size_t e = a + 1; e < D; e++)
			Hr[e * D + a] = Hr[a * D + e];
	for (size_t j = 0; j < P; j++)
		Hr[j * D + j] += 1.0;
	for (size_t e = 0; e < D * D; e++)
		bad += memcmp(&H[e], &Hr[e], sizeof(double)) != 0;
	T_CHECKF(bad == 0, "%zu numeric: %zu hessian entries differ from the row-at-a-time "
	         "sums", NN, bad);
	/* after a value-and-gradient pass at x the Hessian reads the cached
	 * row weights: the same bits; at another point it does not */
	T_CHECK(o.value_grad(o.ctx, x, &f, g) == 0);
	T_CHECK(o.hessian(o.ctx, x, H) == 0);
	T_CHECK(memcmp(H, Hr, D * D * sizeof *H) == 0);
	{
		memcpy(x2, x, D * sizeof *x);
		x2[0] += 0.25;
		T_CHECK(o.hessian(o.ctx, x2, H2) == 0);           /* not cached */
		T_CHECK(o.value_grad(o.ctx, x2, &f, g) == 0);
		T_CHECK(o.hessian(o.ctx, x2, H3) == 0);           /* cached */
		T_CHECK(memcmp(H2, H3, D * D * sizeof *H2) == 0);
		T_CHECK(memcmp(H2, Hr, D * D * sizeof *H2) != 0);
	}
	/* value and gradient: row by row (the loss terms written out as
	 * model.h's ft_logistic_loss has them), blocks of 4096 rows within the
	 * same chunks */
	k = ft_parallel_chunks(N, D + 1);
	for (size_t c = 0; c < k; c++) {
		size_t lo = N / k * c + (c < N % k ? c : N % k), hi = lo + N / k + (c < N % k);
		double fc = 0;
		memset(gc, 0, D * sizeof *gc);
		for (size_t b0 = lo; b0 < hi; b0 += 4096) {
			double sum = 0, gb = 0;
			for (size_t i = b0; i < hi && i < b0 + 4096; i++) {
				double z = ft_row_dot(&d, i, x) + x[P], e = ft_exp_neg(fabs(z));
				double q = 1.0 / (1.0 + e), rr;
				if (w[i] == 0.0)
					continue;
				rr = y[i] * -(z >= 0.0 ? e * q : q) + (1.0 - y[i]) * (z >= 0.0 ? q : e * q);
				sum += w[i] * (ft_log1p_unit(e) + y[i] * fmax(-z, 0.0) +
				               (1.0 - y[i]) * fmax(z, 0.0));
				rr *= 1.5 * w[i];
				ft_row_axpy(&d, i, rr, gc);
				gb += rr;
			}
			fc += 1.5 * sum;
			gc[P] += gb;
		}
		fr += fc;
		for (size_t j = 0; j < D; j++)
			gr[j] += gc[j];
	}
	for (size_t j = 0; j < P; j++) {
		fr += 0.5 * x[j] * x[j];
		gr[j] += x[j];
	}
	T_CHECK(o.value_grad(o.ctx, x, &f, g) == 0);
	T_CHECK(memcmp(&f, &fr, sizeof f) == 0);
	T_CHECK(memcmp(g, gr, D * sizeof *g) == 0);
	ft_logreg_objective_free(&o);
done:
	free(num);
	free(y);
	free(w);
	free(code);
	free(Hr);
	free(part);
	free(x);
	free(H);
	free(g);
	free(gr);
	free(x2);
	free(gc);
	free(H2);
	free(H3);
}

static void test_passes_bitwise(void)
{
	passes_bitwise(3, 0);
	passes_bitwise(12, 0);
	passes_bitwise(21, 0);
	/* 279 features of which 12 numeric: hnc too large for a chunk's stack */
	passes_bitwise(12, 260);
}

/* The row loops compiled for each vector width this CPU has
 * (internal.h's ft_simd_level) give the bits of the baseline's: value
 * and gradient (with and without the gradient, with the Hessian's cache),
 * Hessian-vector products and the Hessian after a value pass, on rows
 * whose count leaves remainders of every batch, with 1 and 13 numeric
 * features, and margins out to +-900 (exp(-|z|) subnormal and 0).  On a
 * CPU without AVX2 only the baseline runs, and the test says so. */
static void test_simd_levels(void)
{
	enum { N = 5000 + 67, NC = 2, TRY = 3 };
	static const size_t nns[2] = {1, 13};
	int top = ft_simd_level(), ran = 0;

	for (int q = 0; q < 2; q++) {
		size_t nn = nns[q], P = nn + 6, D = P + 1;
		double *num = malloc(N * nn * sizeof *num), *y = malloc(N * sizeof *y);
		double *w = malloc(N * sizeof *w), *out[TRY] = {NULL};
		int32_t *code = malloc(N * NC * sizeof *code);
		struct ft_dataset d;
		struct ft_rng r;
		double x[20], v[20];

		for (int l = 0; l < TRY; l++)
			out[l] = malloc((3 * D + 2 + D * D) * sizeof(double));
		if (!num || !y || !w || !code || !out[0] || !out[1] || !out[2])
			goto next;
		ft_rng_seed(&r, 40 + q);
		for (size_t i = 0; i < N; i++) {
			for (size_t j = 0; j < nn; j++)
				num[i * nn + j] = ft_rng_normal(&r) * (i % 97 == 0 ? 300.0 : 1.0);
			code[i * NC] = (int32_t)nn + (int32_t)ft_rng_below(&r, 3);
			code[i * NC + 1] = i % 5 == 0 ? -1 : (int32_t)nn + 3 + (int32_t)ft_rng_below(&r, 3);
			y[i] = ft_rng_uniform(&r) < 0.4;
			w[i] = i % 13 == 0 ? 0.0 : 0.5 + ft_rng_uniform(&r);
		}
		memset(&d, 0, sizeof d);
		d.n = N; d.p = P; d.n_num = nn; d.num = num; d.n_cat = NC; d.code = code;
		d.y = y; d.w = w;
		random_x(x, D, 8 + q);
		random_x(v, D, 9 + q);
		for (int l = 0; l < TRY && l <= top; l++) {
			struct ft_objective o;
			double *o_ = out[l];

			ft_simd_cap(l);
			T_CHECK(ft_simd_level() == l);
			if (ft_logreg_objective(&d, 2.0, 1, &o, NULL)) {
				T_CHECK(0);
				break;
			}
			T_CHECK(o.value_grad(o.ctx, x, o_, o_ + 1) == 0);
			T_CHECK(o.value_grad(o.ctx, x, o_ + D + 1, NULL) == 0);
			T_CHECK(o.hess_vec(o.ctx, x, v, o_ + D + 2) == 0);
			T_CHECK(o.hessian(o.ctx, x, o_ + 3 * D + 2) == 0);   /* cached weights */
			T_CHECK(o.hess_vec(o.ctx, v, x, o_ + 2 * D + 2) == 0);
			ft_logreg_objective_free(&o);
			ran += l > 0;
			if (l > 0) {
				size_t bad = 0;
				for (size_t e = 0; e < 3 * D + 2 + D * D; e++)
					bad += memcmp(&out[0][e], &o_[e], sizeof(double)) != 0;
				T_CHECKF(bad == 0, "level %d, %zu numeric: %zu values differ from the "
				         "baseline's", l, nn, bad);
			}
		}
		/* the margins reach where exp(-|z|) is 0 */
		T_CHECK(isfinite(out[0][0]) && out[0][0] > 1e3);
	next:
		ft_simd_cap(-1);
		free(num), free(y), free(w), free(code);
		for (int l = 0; l < TRY; l++)
			free(out[l]);
	}
	if (!ran)
		printf("  (test_simd_levels: this CPU has no AVX2, only the baseline ran)\n");
}

/* ft_logreg_block: partial sums over [lo, hi) add up to the whole, and
 * the objective is their sum plus the regulariser. */
static void test_block_partial_sums(void)
{
	struct ft_dataset d = mixed();
	struct ft_objective o;
	double x[MP + 1], g1[MP + 1] = { 0 }, g2[MP + 1] = { 0 }, g[MP + 1];
	double f1 = 0, f2 = 0, f, reg = 0;
	double C = 2.5;

	random_x(x, MP + 1, 11);
	ft_logreg_block(&d, 0, MN, x, C, &f1, g1);
	ft_logreg_block(&d, 0, 5, x, C, &f2, g2);
	ft_logreg_block(&d, 5, 5, x, C, &f2, g2);   /* empty block */
	ft_logreg_block(&d, 5, MN, x, C, &f2, g2);
	T_NEAR(f2, f1, 1e-14);
	for (int j = 0; j <= MP; j++)
		T_NEAR(g2[j], g1[j], 1e-14);
	/* g may be NULL */
	f2 = 0;
	ft_logreg_block(&d, 0, MN, x, C, &f2, NULL);
	T_NEAR(f2, f1, 1e-15);
	/* the objective adds 1/2 |beta|^2, not the intercept */
	T_CHECK(ft_logreg_objective(&d, C, 1, &o, NULL) == 0);
	o.value_grad(o.ctx, x, &f, g);
	for (int j = 0; j < MP; j++) {
		reg += 0.5 * x[j] * x[j];
		T_NEAR(g[j], g1[j] + x[j], 1e-14);
	}
	T_NEAR(g[MP], g1[MP], 1e-14);
	T_NEAR(f, f1 + reg, 1e-14);
	/* one row by hand: l = w softplus(-z) for y = 1 */
	{
		double z = m_num[0] * x[0] + m_num[1] * x[1] + x[2] + x[5] + x[MP];
		double f0 = 0, g0[MP + 1] = { 0 }, s = 1 / (1 + exp(-z));
		ft_logreg_block(&d, 0, 1, x, C, &f0, g0);
		T_NEAR(f0, C * m_w[0] * log1p(exp(-z)), 1e-14);
		T_NEAR(g0[0], C * m_w[0] * (s - 1) * m_num[0], 1e-14);
		T_NEAR(g0[2], C * m_w[0] * (s - 1), 1e-14);
		T_NEAR(g0[3], 0, 0);
		T_NEAR(g0[MP], C * m_w[0] * (s - 1), 1e-14);
	}
	ft_logreg_objective_free(&o);
}

/* Huge scores: the loss is |z| (not inf), gradients stay finite. */
static void test_stable_extremes(void)
{
	double num[2] = { 1, -1 }, y[2] = { 0, 1 }, w[2] = { 1, 1 };
	struct ft_dataset d;
	double x[2] = { 1000, 0 }, f = 0, g[2] = { 0, 0 }, H[4];
	struct ft_objective o;

	memset(&d, 0, sizeof d);
	d.n = 2;
	d.p = 1;
	d.n_num = 1;
	d.num = num;
	d.y = y;
	d.w = w;
	/* both rows badly wrong: z = 1000 with y = 0, z = -1000 with y = 1 */
	ft_logreg_block(&d, 0, 2, x, 1.0, &f, g);
	T_NEAR(f, 2000, 1e-15);
	T_NEAR(g[0], 2, 1e-15);
	T_NEAR(g[1], 0, 1e-15);
	/* both rows right: tiny but exact loss, Hessian ~ 0 but finite */
	x[0] = -1000;
	f = 0;
	ft_logreg_block(&d, 0, 2, x, 1.0, &f, NULL);
	T_CHECK(f >= 0 && f < 1e-300);
	T_CHECK(ft_logreg_objective(&d, 1.0, 1, &o, NULL) == 0);
	o.hessian(o.ctx, x, H);
	for (int i = 0; i < 4; i++)
		T_CHECK(isfinite(H[i]));
	T_NEAR(H[0], 1, 1e-15);
	ft_logreg_objective_free(&o);
}

/* ------------------------------------------------------------------ fits */

static int fit(const struct ft_dataset *d, double C, int fi, int solver,
               double tol, struct ft_linear_model **m,
               struct ft_solver_result *res, struct ft_error *err)
{
	struct ft_logreg_params p;

	ft_logreg_params_init(&p);
	p.C = C;
	p.fit_intercept = fi;
	p.solver.solver = solver;
	if (tol > 0)
		p.solver.tol = tol;
	return ft_logreg_fit(d, &p, m, res, err);
}

static void test_params(void)
{
	struct ft_logreg_params p;

	ft_logreg_params_init(&p);
	T_NEAR(p.C, 1, 0);
	T_CHECK(p.fit_intercept == 1);
	T_CHECK(p.solver.solver == FT_SOLVER_AUTO);
	T_NEAR(p.solver.tol, 1e-8, 0);
	T_CHECK(ft_logreg_check(&p) == NULL);
	p.C = 0;
	T_CHECK(ft_logreg_check(&p) != NULL && strstr(ft_logreg_check(&p), "C ") != NULL);
	p.C = -1;
	T_CHECK(ft_logreg_check(&p) != NULL);
	p.C = INFINITY;
	T_CHECK(ft_logreg_check(&p) != NULL);
	p.C = NAN;
	T_CHECK(ft_logreg_check(&p) != NULL);
	p.C = 1;
	p.fit_intercept = 2;
	T_CHECK(ft_logreg_check(&p) != NULL);
	p.fit_intercept = 0;
	p.solver.tol = -1;
	T_CHECK(ft_logreg_check(&p) != NULL && strstr(ft_logreg_check(&p), "tol") != NULL);
	T_CHECK(ft_logreg_check(NULL) != NULL);
}

/* No features (p = 0) or all-zero features: the optimum is the unpenalised
 * intercept log(sum w y / sum w (1 - y)), and beta = 0. */
static void test_intercept_only(void)
{
	double y[6] = { 1, 0, 0, 1, 0, 0 }, w[6] = { 2, 1, 0.5, 0.25, 3, 1 };
	double zeros[12] = { 0 };
	double b = log((2 + 0.25) / (1 + 0.5 + 3 + 1));
	struct ft_dataset d;
	struct ft_linear_model *m = NULL;
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	int rc;

	memset(&d, 0, sizeof d);
	d.n = 6;
	d.y = y;
	d.w = w;
	rc = fit(&d, 1.0, 1, FT_SOLVER_AUTO, 0, &m, &res, &err);
	T_CHECKF(rc == 0, "%s", err.msg);
	if (!m)
		return;
	T_CHECK(m->p == 0);
	T_CHECK(m->type == FT_MODEL_LOGREG);
	T_NEAR(m->intercept, b, 1e-12);
	T_CHECK(res.converged);
	ft_linear_model_free(m);
	m = NULL;
	/* with two all-zero numeric columns, under both solvers */
	d.p = d.n_num = 2;
	d.num = zeros;
	for (int s = FT_SOLVER_NEWTON; s <= FT_SOLVER_LBFGS; s++) {
		rc = fit(&d, 0.3, 1, s, 1e-12, &m, &res, &err);
		T_CHECKF(rc == 0, "%s", err.msg);
		if (!m)
			return;
		T_NEAR(m->intercept, b, 1e-10);
		T_CHECK(m->coef[0] == 0 && m->coef[1] == 0);
		ft_linear_model_free(m);
		m = NULL;
	}
}

static double max_coef_diff(const struct ft_linear_model *a,
                            const struct ft_linear_model *b)
{
	double d = fabs(a->intercept - b->intercept);
	for (size_t j = 0; j < a->p; j++)
		d = fmax(d, fabs(a->coef[j] - b->coef[j]));
	return d;
}

/* Integer weights give the fit of the data with rows repeated; weight 0
 * is the fit without the row. */
static void test_weights_are_duplicates(void)
{
	struct ft_dataset d = mixed(), e;
	double num[64 * 2], y[64], w[64];
	int32_t code[64 * 2];
	double iw[MN] = { 1, 2, 3, 1, 1, 2, 0, 2, 1, 4, 1, 1 };
	struct ft_linear_model *m1 = NULL, *m2 = NULL;
	size_t k = 0;

	d.w = iw;
	for (size_t i = 0; i < MN; i++)
		for (int r = 0; r < (int)iw[i]; r++, k++) {
			memcpy(num + 2 * k, m_num + 2 * i, 2 * sizeof *num);
			memcpy(code + 2 * k, m_code + 2 * i, 2 * sizeof *code);
			y[k] = m_y[i];
			w[k] = 1;
		}
	e = d;
	e.n = k;
	e.num = num;
	e.code = code;
	e.y = y;
	e.w = w;
	T_CHECK(fit(&d, 1.3, 1, FT_SOLVER_AUTO, 1e-12, &m1, NULL, NULL) == 0);
	T_CHECK(fit(&e, 1.3, 1, FT_SOLVER_AUTO, 1e-12, &m2, NULL, NULL) == 0);
	if (m1 && m2)
		T_CHECKF(max_coef_diff(m1, m2) < 1e-10, "diff %g", max_coef_diff(m1, m2));
	ft_linear_model_free(m1);
	ft_linear_model_free(m2);
	/* w = NULL means all ones */
	m1 = m2 = NULL;
	e.w = NULL;
	T_CHECK(fit(&e, 1.3, 1, FT_SOLVER_AUTO, 1e-12, &m1, NULL, NULL) == 0);
	e.w = w;
	T_CHECK(fit(&e, 1.3, 1, FT_SOLVER_AUTO, 1e-12, &m2, NULL, NULL) == 0);
	if (m1 && m2)
		T_CHECK(max_coef_diff(m1, m2) == 0);
	ft_linear_model_free(m1);
	ft_linear_model_free(m2);
}

/* The returned point is a minimum: gradient ~ 0 there and at most the
 * relative tolerance asked for. */
static void test_gradient_zero_at_solution(void)
{
	struct ft_dataset d = mixed();
	struct ft_linear_model *m = NULL;
	struct ft_solver_result res;
	struct ft_objective o;
	struct ft_error err = { 0 };
	double x[MP + 1] = { 0 }, g0[MP + 1], g[MP + 1], f, n0 = 0, n1 = 0;

	T_CHECK(fit(&d, 2.0, 1, FT_SOLVER_AUTO, 0, &m, &res, &err) == 0);
	if (!m)
		return;
	T_CHECK(res.solver == FT_SOLVER_NEWTON);
	T_CHECK(res.converged);
	T_CHECKF(res.iterations > 0 && res.iterations <= 15, "iterations %d", res.iterations);
	T_CHECK(ft_logreg_objective(&d, 2.0, 1, &o, NULL) == 0);
	o.value_grad(o.ctx, x, &f, g0);
	memcpy(x, m->coef, MP * sizeof *x);
	x[MP] = m->intercept;
	o.value_grad(o.ctx, x, &f, g);
	for (int j = 0; j <= MP; j++) {
		n0 += g0[j] * g0[j];
		n1 += g[j] * g[j];
	}
	T_CHECKF(sqrt(n1) <= 1e-8 * sqrt(n0), "|g| %g, |g0| %g", sqrt(n1), sqrt(n0));
	T_NEAR(res.f, f, 1e-14);
	T_NEAR(res.grad_norm, sqrt(n1), 1e-6);
	ft_logreg_objective_free(&o);
	ft_linear_model_free(m);
}

static void test_solvers_agree(void)
{
	struct ft_dataset d = mixed();
	struct ft_linear_model *mn = NULL, *ml = NULL, *mc = NULL;
	struct ft_solver_result rn, rl, rcg;
	struct ft_logreg_params p;
	struct ft_error err = { 0 };

	T_CHECK(fit(&d, 5.0, 1, FT_SOLVER_NEWTON, 1e-11, &mn, &rn, &err) == 0);
	T_CHECK(fit(&d, 5.0, 1, FT_SOLVER_LBFGS, 1e-11, &ml, &rl, &err) == 0);
	/* Newton-CG: dense Hessian refused by dense_max_dim */
	ft_logreg_params_init(&p);
	p.C = 5.0;
	p.solver.solver = FT_SOLVER_NEWTON;
	p.solver.dense_max_dim = 0;
	p.solver.tol = 1e-11;
	T_CHECK(ft_logreg_fit(&d, &p, &mc, &rcg, &err) == 0);
	if (!mn || !ml || !mc)
		goto out;
	T_CHECK(rn.solver == FT_SOLVER_NEWTON && rl.solver == FT_SOLVER_LBFGS);
	T_CHECK(rn.converged && rl.converged && rcg.converged);
	T_CHECKF(max_coef_diff(mn, ml) < 1e-8, "newton vs lbfgs %g", max_coef_diff(mn, ml));
	T_CHECKF(max_coef_diff(mn, mc) < 1e-8, "dense vs cg %g", max_coef_diff(mn, mc));
	T_NEAR(rn.f, rl.f, 1e-13);
	T_CHECK(rn.iterations < rl.iterations);
out:
	ft_linear_model_free(mn);
	ft_linear_model_free(ml);
	ft_linear_model_free(mc);
}

static void test_no_intercept(void)
{
	struct ft_dataset d = mixed();
	struct ft_linear_model *m = NULL, *ml = NULL;
	double f = 0, g[MP + 1] = { 0 };

	T_CHECK(fit(&d, 1.0, 0, FT_SOLVER_AUTO, 1e-12, &m, NULL, NULL) == 0);
	T_CHECK(fit(&d, 1.0, 0, FT_SOLVER_LBFGS, 1e-12, &ml, NULL, NULL) == 0);
	if (!m || !ml)
		goto out;
	T_CHECK(m->intercept == 0);
	T_CHECK(ml->intercept == 0);
	/* optimal in beta with b = 0: loss gradient + beta = 0 */
	{
		double x[MP + 1];
		memcpy(x, m->coef, MP * sizeof *x);
		x[MP] = 0;
		ft_logreg_block(&d, 0, MN, x, 1.0, &f, g);
		for (int j = 0; j < MP; j++)
			T_NEAR(g[j] + x[j], 0, 1e-10);
	}
	T_CHECK(max_coef_diff(m, ml) < 1e-8);
out:
	ft_linear_model_free(m);
	ft_linear_model_free(ml);
}

static void test_predict(void)
{
	struct ft_dataset d = mixed();
	double coef[MP] = { 1, -2, 0.5, 0, -1, 3, 0.25 };
	struct ft_linear_model m = { .type = FT_MODEL_LOGREG, .p = MP, .coef = coef, .intercept = 0.1 };
	double s[MN], pr[MN];

	ft_linear_decision(&m, &d, s);
	ft_linear_predict_proba(&m, &d, pr);
	/* row 0: 0.5 - 2 (-1.2) + coef[2] + coef[5] + 0.1 */
	T_NEAR(s[0], 0.5 + 2.4 + 0.5 + 3 + 0.1, 1e-15);
	/* row 3: zeros and one unseen code */
	T_NEAR(s[3], 0.5 + 0.1, 1e-15);
	for (int i = 0; i < MN; i++)
		T_NEAR(pr[i], 1 / (1 + exp(-s[i])), 1e-15);
	/* no overflow for huge scores */
	m.intercept = 1e6;
	ft_linear_predict_proba(&m, &d, pr);
	T_CHECK(pr[0] == 1.0);
	m.intercept = -1e6;
	ft_linear_predict_proba(&m, &d, pr);
	T_CHECK(pr[0] == 0.0);
	ft_linear_model_free(NULL);
	ft_logreg_objective_free(NULL);
}

/* Every bad input gives its error code, a message, and no model. */
static void expect_data_error(struct ft_dataset *d, int code, const char *needle)
{
	struct ft_linear_model *m = (struct ft_linear_model *)&m;
	struct ft_error err = { 0 };
	int rc = ft_logreg_fit(d, NULL, &m, NULL, &err);

	T_CHECKF(rc == code, "rc %d, expected %d (%s)", rc, code, err.msg);
	T_CHECK(err.code == code);
	T_CHECK(m == NULL);
	T_CHECKF(strstr(err.msg, needle) != NULL, "\"%s\" lacks \"%s\"", err.msg, needle);
	T_CHECK(strncmp(err.msg, "logreg: ", 8) == 0);
}

static void test_data_errors(void)
{
	struct ft_dataset d = mixed();
	double y[MN], w[MN], num[MN * 2];
	int32_t code[MN * 2];

	expect_data_error(NULL, FT_EINVAL, "no data set");
	d.n = 0;
	expect_data_error(&d, FT_EDATA, "no training rows");
	d = mixed();
	d.y = NULL;
	expect_data_error(&d, FT_EDATA, "no labels");
	d = mixed();
	memcpy(y, m_y, sizeof y);
	d.y = y;
	y[4] = 2;
	expect_data_error(&d, FT_EDATA, "row 4: label 2 is not 0 or 1");
	d.line = m_line;
	expect_data_error(&d, FT_EDATA, "line 6: label 2");
	y[4] = NAN;
	expect_data_error(&d, FT_EDATA, "label nan");
	d = mixed();
	memcpy(w, m_w, sizeof w);
	d.w = w;
	w[3] = -1;
	expect_data_error(&d, FT_EDATA, "row 3: weight -1");
	w[3] = INFINITY;
	expect_data_error(&d, FT_EDATA, "weight inf");
	w[3] = NAN;
	expect_data_error(&d, FT_EDATA, "weight nan");
	/* one class only: all labels 1, or the 0 rows weigh nothing */
	d = mixed();
	for (int i = 0; i < MN; i++)
		y[i] = 1;
	d.y = y;
	expect_data_error(&d, FT_EDATA, "only one class");
	d = mixed();
	for (int i = 0; i < MN; i++)
		w[i] = m_y[i] == 0 ? 0 : 1;
	d.w = w;
	expect_data_error(&d, FT_EDATA, "label 0: 0");
	d = mixed();
	memcpy(num, m_num, sizeof num);
	d.num = num;
	num[5] = NAN;
	expect_data_error(&d, FT_EDATA, "row 2: numeric feature 1 is nan");
	d = mixed();
	memcpy(code, m_code, sizeof code);
	d.code = code;
	code[3] = 7;
	expect_data_error(&d, FT_EINVAL, "row 1: categorical code 7 is outside 2..6");
	code[3] = 1;   /* a numeric feature's index */
	expect_data_error(&d, FT_EINVAL, "code 1");
	code[3] = -2;
	expect_data_error(&d, FT_EINVAL, "code -2");
	d = mixed();
	d.num = NULL;
	expect_data_error(&d, FT_EINVAL, "malformed");
	d = mixed();
	d.p = 1;
	expect_data_error(&d, FT_EINVAL, "malformed");
}

static void test_param_errors(void)
{
	struct ft_dataset d = mixed();
	struct ft_logreg_params p;
	struct ft_linear_model *m = NULL;
	struct ft_objective o;
	struct ft_error err = { 0 };

	ft_logreg_params_init(&p);
	p.C = -2;
	T_CHECK(ft_logreg_fit(&d, &p, &m, NULL, &err) == FT_EINVAL);
	T_STREQ(err.msg, "logreg: C must be a positive finite number");
	T_CHECK(m == NULL);
	ft_error_clear(&err);
	ft_logreg_params_init(&p);
	p.solver.lbfgs_m = 0;
	T_CHECK(ft_logreg_fit(&d, &p, &m, NULL, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "lbfgs_m") != NULL, "%s", err.msg);
	T_CHECK(ft_logreg_fit(&d, NULL, NULL, NULL, NULL) == FT_EINVAL);
	T_CHECK(ft_logreg_objective(&d, 0, 1, &o, NULL) == FT_EINVAL);
	T_CHECK(o.ctx == NULL);
	T_CHECK(ft_logreg_objective(&d, 1, 3, &o, NULL) == FT_EINVAL);
}

/* Not converging is reported, not an error, and still gives a model. */
static void test_not_converged(void)
{
	struct ft_dataset d = mixed();
	struct ft_logreg_params p;
	struct ft_linear_model *m = NULL;
	struct ft_solver_result res;

	ft_logreg_params_init(&p);
	p.solver.solver = FT_SOLVER_LBFGS;
	p.solver.max_iter = 2;
	T_CHECK(ft_logreg_fit(&d, &p, &m, &res, NULL) == 0);
	T_CHECK(m != NULL);
	T_CHECK(!res.converged);
	T_CHECK(res.iterations == 2);
	ft_linear_model_free(m);
}

/* ------------------------------------------ scikit-learn reference fixture */

#define FIX_DATA "tests/fixtures/logreg_synth_data.tsv"
#define FIX_COEF "tests/fixtures/logreg_synth_coef.tsv"
#define SN 200
#define SP 5

/* Read numbers from a TSV whose comment lines start with '#'. */
static int read_synth(double *y, double *w, double *x)
{
	FILE *fp = fopen(FIX_DATA, "r");
	char line[1024];
	size_t i = 0;

	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		char *s = line, *end;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (i >= SN)
			break;
		y[i] = strtod(s, &end);
		s = end;
		w[i] = strtod(s, &end);
		int ok = end != s;
		for (int j = 0; j < SP && ok; j++) {
			s = end;
			x[i * SP + j] = strtod(s, &end);
			ok = end != s;
		}
		if (!ok)
			break;
		i++;
	}
	fclose(fp);
	return i == SN ? 0 : -1;
}

static int read_coef(double *coef, size_t n)
{
	FILE *fp = fopen(FIX_COEF, "r");
	char line[256], name[64];
	size_t i = 0;

	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp) && i < n) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %lf", name, &coef[i]) == 2)
			i++;
	}
	fclose(fp);
	return i == n ? 0 : -1;
}

static void test_sklearn_synthetic(void)
{
	static double y[SN], w[SN], x[SN * SP], ref[SP + 1];
	struct ft_dataset d;
	struct ft_linear_model *m = NULL;
	struct ft_solver_result res;
	struct ft_error err = { 0 };
	double worst = 0;
	int rc;

	if (read_synth(y, w, x) != 0 || read_coef(ref, SP + 1) != 0) {
		T_FAIL("cannot read %s or %s (run from the repository root)", FIX_DATA, FIX_COEF);
		return;
	}
	memset(&d, 0, sizeof d);
	d.n = SN;
	d.p = d.n_num = SP;
	d.num = x;
	d.y = y;
	d.w = w;
	/* default parameters apart from C: sklearn was asked for C = 0.5 */
	rc = fit(&d, 0.5, 1, FT_SOLVER_AUTO, 0, &m, &res, &err);
	T_CHECKF(rc == 0, "%s", err.msg);
	if (!m)
		return;
	T_CHECK(res.converged);
	for (int j = 0; j <= SP; j++) {
		double a = j < SP ? m->coef[j] : m->intercept;
		worst = fmax(worst, fabs(a - ref[j]) / fabs(ref[j]));
		T_CHECKF(fabs(a - ref[j]) <= 1e-6 * fabs(ref[j]),
		         "%s %d: %.15g vs sklearn %.15g", j < SP ? "coef" : "intercept",
		         j, a, ref[j]);
	}
	/* for the record, on stderr so tests/run.sh ignores it */
	fprintf(stderr, "synthetic: %s %d iterations, max rel diff vs sklearn %.3g\n",
	        ft_solver_name(res.solver), res.iterations, worst);
	ft_linear_model_free(m);
}

/* Scoring 600,000 rows (rows x (values + 1) above ft_parallel_worth: the
 * rows' blocks go to both threads) gives each row's score as the serial
 * sum in the model's order, to the bit, on 1 and 2 threads: a shared
 * model (decision and probability) and a per-group one (a row of no group
 * scores NaN). */
static void test_scoring_threads(void)
{
	enum { N = 600000, NN = 4, NC = 3, P = NN + NC * 5 };
	struct ft_dataset d;
	struct ft_linear_model m, mg;
	double coef[P], gcoef[2 * P], gb[2] = { 0.25, -0.5 };
	double *out[2][3] = {{ NULL }};
	struct ft_rng r;
	size_t bad = 0;

	memset(&d, 0, sizeof d);
	d.n = N;
	d.p = P;
	d.n_num = NN;
	d.n_cat = NC;
	d.num = malloc(N * NN * sizeof *d.num);
	d.code = malloc(N * NC * sizeof *d.code);
	d.group = malloc(N * sizeof *d.group);
	d.n_groups = 2;
	for (int t = 0; t < 2; t++)
		for (int k = 0; k < 3; k++)
			out[t][k] = malloc(N * sizeof **out[t]);
	if (!d.num || !d.code || !d.group || !out[1][2]) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_rng_seed(&r, 12);
	for (size_t j = 0; j < P; j++) {
		coef[j] = ft_rng_normal(&r);
		gcoef[j] = ft_rng_normal(&r);
		gcoef[P + j] = ft_rng_normal(&r);
	}
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < NN; j++)
			d.num[i * NN + j] = ft_rng_normal(&r);
		for (size_t c = 0; c < NC; c++)   /* a missing code now and then */
			d.code[i * NC + c] = ft_rng_below(&r, 11) == 0 ? -1 :
				(int32_t)(NN + c * 5 + ft_rng_below(&r, 5));
		d.group[i] = (int32_t)ft_rng_below(&r, 3) - 1;
	}
	memset(&m, 0, sizeof m);
	m.p = P;
	m.coef = coef;
	m.intercept = 0.125;
	mg = m;
	mg.n_groups = 2;
	mg.group_coef = gcoef;
	mg.group_intercept = gb;
	for (int t = 0; t < 2; t++) {
		ft_set_threads(t + 1);
		ft_linear_decision(&m, &d, out[t][0]);
		ft_linear_predict_proba(&m, &d, out[t][1]);
		ft_linear_decision(&mg, &d, out[t][2]);
	}
	ft_set_threads(0);
	for (size_t i = 0; i < N; i++) {
		int32_t g = d.group[i];
		double s = m.intercept, sg = g >= 0 ? gb[g] : NAN;
		for (size_t j = 0; j < NN; j++) {
			s += d.num[i * NN + j] * coef[j];
			if (g >= 0)
				sg += d.num[i * NN + j] * gcoef[(size_t)g * P + j];
		}
		for (size_t c = 0; c < NC; c++)
			if (d.code[i * NC + c] >= 0) {
				s += coef[d.code[i * NC + c]];
				if (g >= 0)
					sg += gcoef[(size_t)g * P + (size_t)d.code[i * NC + c]];
			}
		for (int t = 0; t < 2; t++) {
			double p = ft_sigmoid(s);
			bad += memcmp(&out[t][0][i], &s, sizeof s) != 0;
			bad += memcmp(&out[t][1][i], &p, sizeof p) != 0;
			bad += g >= 0 ? memcmp(&out[t][2][i], &sg, sizeof sg) != 0
			              : !isnan(out[t][2][i]);
		}
	}
	T_CHECKF(bad == 0, "%zu scores differ from the serial sums", bad);
done:
	ft_set_threads(0);
	free(d.num);
	free(d.code);
	free(d.group);
	for (int t = 0; t < 2; t++)
		for (int k = 0; k < 3; k++)
			free(out[t][k]);
}

int main(void)
{
	T_RUN(test_derivatives_intercept);
	T_RUN(test_derivatives_no_intercept);
	T_RUN(test_derivatives_duplicate_codes);
	T_RUN(test_passes_bitwise);
	T_RUN(test_simd_levels);
	T_RUN(test_block_partial_sums);
	T_RUN(test_stable_extremes);
	T_RUN(test_params);
	T_RUN(test_intercept_only);
	T_RUN(test_weights_are_duplicates);
	T_RUN(test_gradient_zero_at_solution);
	T_RUN(test_solvers_agree);
	T_RUN(test_no_intercept);
	T_RUN(test_predict);
	T_RUN(test_scoring_threads);
	T_RUN(test_data_errors);
	T_RUN(test_param_errors);
	T_RUN(test_not_converged);
	T_RUN(test_sklearn_synthetic);
	return t_done();
}
