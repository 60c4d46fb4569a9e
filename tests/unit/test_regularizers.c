/*
 * test_regularizers.c - the fairness regularizers (src/fair/regularizers.c):
 * penalty gradients and the exact objective Hessians (dense and
 * Hessian-vector product, every method) against central finite
 * differences (two and three groups, weights, categorical codes, duplicate
 * codes, with and without intercept), R against hand-computed values and a naive dense
 * reference, weights as duplicated rows, lambda = 0 as the plain logistic
 * fit bit for bit, increasing lambda shrinking the gap on a synthetic
 * biased data set, optimality of the returned model, diagnostics, and
 * every error case.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "fair/fair.h"
#include "t.h"


static const char *const METHODS[4] = { "reg-dp", "reg-eo", "reg-eop", "reg-cov" };
static const char *const NAMES3[3] = { "A", "B", "C" };

/* ------------------------------------------------------- a mixed data set */

/* 12 rows, 2 numeric features (0, 1), a categorical column with 3 levels
 * (features 2..4) and one with 2 levels (5, 6); -1 is "no level".  Weights
 * include 0 and fractions.  p = 7, x has 8 entries. */
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
/* two groups: (i / 2) % 2; three groups: i % 3 (each has both labels) */
static int32_t m_g2[MN] = { 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1 };
static int32_t m_g3[MN] = { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2 };

static struct ft_dataset mixed(size_t G)
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
	d.group = G == 2 ? m_g2 : m_g3;
	d.n_groups = G;
	return d;
}

static void random_x(double *x, size_t n, uint64_t seed, double scale)
{
	struct ft_rng r;
	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		x[i] = scale * ft_rng_normal(&r);
}

/* ------------------------------------------- a naive dense reference */

/* Dense row i; two categorical columns on one feature add up (as the
 * library's x_i . beta counts each column). */
static void dense_row(const struct ft_dataset *d, size_t i, double *row)
{
	for (size_t j = 0; j < d->p; j++)
		row[j] = j < d->n_num ? d->num[i * d->n_num + j] : 0.0;
	for (size_t c = 0; c < d->n_cat; c++)
		if (d->code[i * d->n_cat + c] >= 0)
			row[d->code[i * d->n_cat + c]] += 1.0;
}

static double sigm(double z)
{
	return 1.0 / (1.0 + exp(-z));
}

/* Gap of one row set (set: -1 all rows, 1 positives, 0 negatives). */
static double naive_gap(const struct ft_dataset *d, size_t G, const double *x,
                        int set)
{
	double sw[8] = { 0 }, swp[8] = { 0 }, W = 0, S = 0, row[64], R = 0;

	for (size_t i = 0; i < d->n; i++) {
		double z = x[d->p], w = d->w ? d->w[i] : 1;
		if (set >= 0 && d->y[i] != set)
			continue;
		dense_row(d, i, row);
		for (size_t j = 0; j < d->p; j++)
			z += row[j] * x[j];
		sw[d->group[i]] += w;
		swp[d->group[i]] += w * sigm(z);
		W += w;
		S += w * sigm(z);
	}
	if (G == 2)
		return pow(swp[0] / sw[0] - swp[1] / sw[1], 2);
	for (size_t g = 0; g < G; g++)
		R += pow(swp[g] / sw[g] - S / W, 2);
	return R;
}

static double naive_cov(const struct ft_dataset *d, size_t G, const double *x)
{
	double W = 0, Wg[8] = { 0 }, row[64], R = 0;

	for (size_t i = 0; i < d->n; i++) {
		W += d->w ? d->w[i] : 1;
		Wg[d->group[i]] += d->w ? d->w[i] : 1;
	}
	for (size_t k = 0; k < (G == 2 ? 1 : G); k++) {
		size_t grp = G == 2 ? 1 : k;
		double cov = 0;
		for (size_t i = 0; i < d->n; i++) {
			double z = x[d->p], w = d->w ? d->w[i] : 1;
			dense_row(d, i, row);
			for (size_t j = 0; j < d->p; j++)
				z += row[j] * x[j];
			cov += w * (((size_t)d->group[i] == grp) - Wg[grp] / W) * z;
		}
		cov /= W;
		R += cov * cov;
	}
	return R;
}

static double naive_R(int kind, const struct ft_dataset *d, size_t G,
                      const double *x)
{
	switch (kind) {
	case 0: return naive_gap(d, G, x, -1);
	case 1: return naive_gap(d, G, x, 1) + naive_gap(d, G, x, 0);
	case 2: return naive_gap(d, G, x, 1);
	default: return naive_cov(d, G, x);
	}
}

/* ------------------------------------------------ finite differences */

/* The dense Hessian H of o at x, column by column against central
 * differences of the gradient; Hv against H v and against the directional
 * difference of the gradient; H symmetric (to rounding). */
#define HD (MP + 1)
static void check_hessian(const struct ft_objective *o, const double *x,
                          const char *what)
{
	double H[HD * HD], hv[HD], v[HD], xs[HD], gp[HD], gm[HD], f, h = 1e-5;

	T_CHECK(o->hessian != NULL && o->hess_vec != NULL);
	if (!o->hessian || !o->hess_vec || o->dim != HD)
		return;
	T_CHECK(o->hessian(o->ctx, x, H) == 0);
	for (size_t j = 0; j < HD; j++) {
		memcpy(xs, x, sizeof xs);
		xs[j] = x[j] + h;
		T_CHECK(o->value_grad(o->ctx, xs, &f, gp) == 0);
		xs[j] = x[j] - h;
		T_CHECK(o->value_grad(o->ctx, xs, &f, gm) == 0);
		for (size_t r = 0; r < HD; r++) {
			double fd = (gp[r] - gm[r]) / (2 * h), hr = H[r * HD + j];
			T_CHECKF(fabs(hr - fd) <= 1e-6 * fmax(1, fabs(hr)),
			         "%s: H[%zu][%zu] = %.12g, finite difference %.12g",
			         what, r, j, hr, fd);
			T_CHECKF(fabs(hr - H[j * HD + r]) <= 1e-13 * fmax(1, fabs(hr)),
			         "%s: H[%zu][%zu] = %.17g, H[%zu][%zu] = %.17g",
			         what, r, j, hr, j, r, H[j * HD + r]);
		}
	}
	random_x(v, HD, 5, 1.0);
	T_CHECK(o->hess_vec(o->ctx, x, v, hv) == 0);
	for (size_t j = 0; j < HD; j++)
		xs[j] = x[j] + h * v[j];
	T_CHECK(o->value_grad(o->ctx, xs, &f, gp) == 0);
	for (size_t j = 0; j < HD; j++)
		xs[j] = x[j] - h * v[j];
	T_CHECK(o->value_grad(o->ctx, xs, &f, gm) == 0);
	for (size_t r = 0; r < HD; r++) {
		double hd = 0, fd = (gp[r] - gm[r]) / (2 * h);
		for (size_t e = 0; e < HD; e++)
			hd += H[r * HD + e] * v[e];
		T_CHECKF(fabs(hv[r] - hd) <= 1e-10 * fmax(1, fabs(hd)),
		         "%s: (Hv)[%zu] = %.15g, H v = %.15g", what, r, hv[r], hd);
		T_CHECKF(fabs(hv[r] - fd) <= 1e-6 * fmax(1, fabs(hv[r])),
		         "%s: (Hv)[%zu] = %.12g, finite difference %.12g", what, r, hv[r], fd);
	}
}

/* Penalty and full-objective gradients at a random point by central
 * differences, then the dense Hessian and the Hessian-vector product
 * (check_hessian).  The penalty value is compared with the naive
 * reference. */
static void fd_case(int kind, size_t G, int fit_intercept, double C,
                    double lambda)
{
	struct ft_dataset d = mixed(G);
	struct ft_objective o;
	struct ft_error err = { 0 };
	enum { D = MP + 1 };
	double x[D], g[D], gr[D], xs[D];
	double f, fp, fm, R, Rp, Rm, h = 1e-5;
	char what[64];
	int rc;

	rc = ft_reg_objective(METHODS[kind], &d, G, NAMES3, C, fit_intercept,
	                      lambda, &o, &err);
	T_CHECKF(rc == 0, "%s: %s", METHODS[kind], err.msg);
	if (rc)
		return;
	T_CHECK(o.dim == D);
	T_CHECK(o.hessian != NULL && o.hess_vec != NULL);
	random_x(x, D, 11 + (uint64_t)kind + 7 * G, 0.7);
	if (!fit_intercept)
		x[MP] = 0;
	T_CHECK(ft_reg_penalty(&o, x, &R, gr) == 0);
	T_NEAR(R, naive_R(kind, &d, G, x), 1e-12);
	T_CHECK(o.value_grad(o.ctx, x, &f, g) == 0);
	for (size_t j = 0; j < D; j++) {
		memcpy(xs, x, sizeof xs);
		xs[j] = x[j] + h;
		T_CHECK(ft_reg_penalty(&o, xs, &Rp, NULL) == 0);
		T_CHECK(o.value_grad(o.ctx, xs, &fp, NULL) == 0);
		xs[j] = x[j] - h;
		T_CHECK(ft_reg_penalty(&o, xs, &Rm, NULL) == 0);
		T_CHECK(o.value_grad(o.ctx, xs, &fm, NULL) == 0);
		if (!fit_intercept && j == MP) {
			T_CHECKF(gr[j] == 0.0, "%s: penalty gradient on a pinned intercept %g",
			         METHODS[kind], gr[j]);
			continue;
		}
		T_CHECKF(fabs(gr[j] - (Rp - Rm) / (2 * h)) <= 1e-8 * fmax(1, fabs(gr[j])),
		         "%s G=%zu fi=%d: dR/dx%zu = %.12g, finite difference %.12g",
		         METHODS[kind], G, fit_intercept, j, gr[j], (Rp - Rm) / (2 * h));
		T_CHECKF(fabs(g[j] - (fp - fm) / (2 * h)) <= 1e-6 * fmax(1, fabs(g[j])),
		         "%s G=%zu fi=%d: dF/dx%zu = %.12g, finite difference %.12g",
		         METHODS[kind], G, fit_intercept, j, g[j], (fp - fm) / (2 * h));
	}
	snprintf(what, sizeof what, "%s G=%zu fi=%d", METHODS[kind], G, fit_intercept);
	check_hessian(&o, x, what);
	ft_reg_objective_free(&o);
}

static void test_fd_two_groups(void)
{
	for (int k = 0; k < 4; k++)
		fd_case(k, 2, 1, 1.0, 3.0);
}

static void test_fd_three_groups(void)
{
	for (int k = 0; k < 4; k++)
		fd_case(k, 3, 1, 0.5, 2.0);
}

static void test_fd_no_intercept(void)
{
	for (int k = 0; k < 4; k++) {
		fd_case(k, 2, 0, 2.0, 1.0);
		fd_case(k, 3, 0, 1.0, 10.0);
	}
}

/* Two categorical columns hitting one feature, and unit weights (d->w NULL). */
static void test_fd_duplicate_codes_no_weights(void)
{
	static int32_t code[MN * 2];
	struct ft_dataset d = mixed(3);
	struct ft_objective o;
	struct ft_error err = { 0 };
	enum { D = MP + 1 };
	double x[D], g[D], xs[D], R, Rp, Rm, h = 1e-5;

	memcpy(code, m_code, sizeof code);
	code[1] = 2;        /* row 0: both columns on feature 2 */
	code[9] = 3;        /* row 4: both on feature 3 */
	d.code = code;
	d.w = NULL;
	random_x(x, D, 99, 0.6);
	for (int k = 0; k < 4; k++) {
		if (ft_reg_objective(METHODS[k], &d, 3, NULL, 1.0, 1, 1.0, &o, &err) != 0) {
			T_FAIL("%s", err.msg);
			return;
		}
		T_CHECK(ft_reg_penalty(&o, x, &R, g) == 0);
		T_NEAR(R, naive_R(k, &d, 3, x), 1e-12);
		for (size_t j = 0; j < D; j++) {
			memcpy(xs, x, sizeof xs);
			xs[j] += h;
			ft_reg_penalty(&o, xs, &Rp, NULL);
			xs[j] -= 2 * h;
			ft_reg_penalty(&o, xs, &Rm, NULL);
			T_CHECKF(fabs(g[j] - (Rp - Rm) / (2 * h)) <= 1e-8 * fmax(1, fabs(g[j])),
			         "%s: dR/dx%zu = %.12g, finite difference %.12g",
			         METHODS[k], j, g[j], (Rp - Rm) / (2 * h));
		}
		check_hessian(&o, x, METHODS[k]);
		ft_reg_objective_free(&o);
	}
}

/* ------------------------------------------------------ exact values */

/* One feature t, beta = ln 3, so p = 3/4 (t = 1), 1/2 (t = 0), 1/4 (t = -1).
 * A: (t 1, y 1), (t 0, y 0);  B: (t -1, y 1), (t 0, y 0);
 * C (three groups): (t 1, y 1), (t 1, y 0). */
static double h_num[6] = { 1, 0, -1, 0, 1, 1 };
static double h_y[6] = { 1, 0, 1, 0, 1, 0 };
static int32_t h_g[6] = { 0, 0, 1, 1, 2, 2 };

static struct ft_dataset hand(size_t n, double *w)
{
	struct ft_dataset d;

	memset(&d, 0, sizeof d);
	d.n = n;
	d.p = 1;
	d.n_num = 1;
	d.num = h_num;
	d.y = h_y;
	d.w = w;
	d.group = h_g;
	d.n_groups = n / 2;
	return d;
}

static double hand_R(const char *method, struct ft_dataset *d, double b)
{
	struct ft_objective o;
	struct ft_error err = { 0 };
	double x[2] = { log(3.0), b }, R = NAN;

	if (ft_reg_objective(method, d, d->n_groups, NAMES3, 1.0, 1, 1.0, &o, &err) != 0) {
		T_FAIL("%s", err.msg);
		return NAN;
	}
	T_CHECK(ft_reg_penalty(&o, x, &R, NULL) == 0);
	ft_reg_objective_free(&o);
	return R;
}

static void test_hand_values(void)
{
	double w[6] = { 1, 3, 1, 1, 1, 1 };
	struct ft_dataset d2 = hand(4, NULL), d2w = hand(4, w), d3 = hand(6, NULL);

	/* means A 5/8, B 3/8 */
	T_NEAR(hand_R("reg-dp", &d2, 0), 0.0625, 1e-15);
	/* weighted: A (3/4 + 3 * 1/2) / 4 = 9/16, B 3/8: gap 3/16 */
	T_NEAR(hand_R("reg-dp", &d2w, 0), 9.0 / 256, 1e-15);
	/* TPR 3/4 vs 1/4, FPR 1/2 vs 1/2 */
	T_NEAR(hand_R("reg-eo", &d2, 0), 0.25, 1e-15);
	T_NEAR(hand_R("reg-eop", &d2, 0), 0.25, 1e-15);
	/* cov of 1[B] with z: W = 4, zbar 1/2: (1/4)(-ln3/2 - ln3/2) = -ln3/4,
	 * whatever the intercept */
	T_NEAR(hand_R("reg-cov", &d2, 0), pow(log(3.0), 2) / 16, 1e-15);
	T_NEAR(hand_R("reg-cov", &d2, 0.7), pow(log(3.0), 2) / 16, 1e-14);
	/* three groups: means 5/8, 3/8, 3/4, overall 7/12: gaps 1/24, -5/24, 4/24 */
	T_NEAR(hand_R("reg-dp", &d3, 0), 42.0 / 576, 1e-15);
	/* TPR 3/4, 1/4, 3/4 (overall 7/12: gaps 4/24, -8/24, 4/24);
	 * FPR 1/2, 1/2, 3/4 (overall 7/12: gaps -2/24, -2/24, 4/24) */
	T_NEAR(hand_R("reg-eop", &d3, 0), (16.0 + 64 + 16) / 576, 1e-15);
	T_NEAR(hand_R("reg-eo", &d3, 0), (16.0 + 64 + 16) / 576 + (4.0 + 4 + 16) / 576, 1e-15);
	/* three indicators: cov_k = (W_k / W)(mean_k z - mean z), mean z = ln3/3:
	 * A (1/3)(ln3/2 - ln3/3), B (1/3)(-ln3/2 - ln3/3), C (1/3)(ln3 - ln3/3) */
	T_NEAR(hand_R("reg-cov", &d3, 0),
	       pow(log(3.0), 2) / 9 * (1.0 / 36 + 25.0 / 36 + 16.0 / 36), 1e-14);
}

/* A weight of 2 is the row twice: the same R and gradient. */
static void test_weights_are_duplicates(void)
{
	enum { N2 = MN + 3, D = MP + 1 };
	static double num[N2 * 2], y[N2], w[N2];
	static int32_t code[N2 * 2], grp[N2];
	struct ft_dataset a = mixed(3), b = mixed(3);
	struct ft_objective oa, ob;
	struct ft_error err = { 0 };
	double x[D], ga[D], gb[D], Ra, Rb;
	size_t dup[3] = { 1, 4, 8 };

	memcpy(num, m_num, sizeof m_num);
	memcpy(code, m_code, sizeof m_code);
	memcpy(y, m_y, sizeof m_y);
	memcpy(w, m_w, sizeof m_w);
	memcpy(grp, m_g3, sizeof m_g3);
	for (size_t k = 0; k < 3; k++) {
		size_t i = dup[k], r = MN + k;
		w[i] = w[i] / 2;    /* half stays, half moves to the copy */
		memcpy(num + r * 2, m_num + i * 2, 2 * sizeof *num);
		memcpy(code + r * 2, m_code + i * 2, 2 * sizeof *code);
		y[r] = m_y[i];
		w[r] = w[i];
		grp[r] = m_g3[i];
	}
	b.n = N2;
	b.num = num;
	b.code = code;
	b.y = y;
	b.w = w;
	b.group = grp;
	random_x(x, D, 3, 0.8);
	for (int k = 0; k < 4; k++) {
		if (ft_reg_objective(METHODS[k], &a, 3, NULL, 1.0, 1, 1.0, &oa, &err) != 0 ||
		    ft_reg_objective(METHODS[k], &b, 3, NULL, 1.0, 1, 1.0, &ob, &err) != 0) {
			T_FAIL("%s", err.msg);
			ft_reg_objective_free(&oa);
			return;
		}
		ft_reg_penalty(&oa, x, &Ra, ga);
		ft_reg_penalty(&ob, x, &Rb, gb);
		T_NEAR(Ra, Rb, 1e-13);
		for (size_t j = 0; j < D; j++)
			T_NEAR(ga[j], gb[j], 1e-13);
		ft_reg_objective_free(&oa);
		ft_reg_objective_free(&ob);
	}
}

/* ------------------------------------------- a synthetic biased data set */

/* n rows, G groups (group g = i % G), numeric x1 = N + shift_g (a proxy),
 * x2 = N, and the group one-hot as features 2 .. 2 + G - 1 (the model sees
 * it); labels 1[x1 + x2 + 0.9 g + N/2 > 0.8]: group 0 is disadvantaged. */
struct synth {
	struct ft_dataset d;
	double *num, *y;
	int32_t *code, *group;
};

static int synth_make(struct synth *s, size_t n, size_t G, uint64_t seed)
{
	struct ft_rng r;

	memset(s, 0, sizeof *s);
	s->num = malloc(n * 2 * sizeof *s->num);
	s->y = malloc(n * sizeof *s->y);
	s->code = malloc(n * sizeof *s->code);
	s->group = malloc(n * sizeof *s->group);
	if (!s->num || !s->y || !s->code || !s->group)
		return -1;
	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++) {
		size_t g = i % G;
		double x1 = ft_rng_normal(&r) + 0.7 * (double)g, x2 = ft_rng_normal(&r);
		s->num[i * 2] = x1;
		s->num[i * 2 + 1] = x2;
		s->code[i] = (int32_t)(2 + g);
		s->group[i] = (int32_t)g;
		s->y[i] = x1 + x2 + 0.9 * (double)g + 0.5 * ft_rng_normal(&r) > 0.8;
	}
	s->d.n = n;
	s->d.p = 2 + G;
	s->d.n_num = 2;
	s->d.num = s->num;
	s->d.n_cat = 1;
	s->d.code = s->code;
	s->d.y = s->y;
	s->d.group = s->group;
	s->d.n_groups = G;
	return 0;
}

static void synth_free(struct synth *s)
{
	free(s->num);
	free(s->y);
	free(s->code);
	free(s->group);
}

static void fit_input(struct ft_fit_input *in, const struct ft_dataset *d,
                      const struct ft_logreg_params *lp,
                      const struct ft_linear_model *base, const double *params)
{
	memset(in, 0, sizeof *in);
	in->train = d;
	in->n_groups = d->n_groups;
	in->group_names = NAMES3;
	in->privileged = -1;
	in->lr = lp;
	in->baseline = base;
	in->params = params;
}

typedef int (*fit_fn)(const struct ft_fit_input *, struct ft_fit_output *,
                      struct ft_error *);
static const fit_fn FITS[4] = { ft_fit_reg_dp, ft_fit_reg_eo, ft_fit_reg_eop,
                                ft_fit_reg_cov };

static double diag(const struct ft_fit_output *o, const char *name)
{
	for (size_t k = 0; k < o->n_diag; k++)
		if (strcmp(o->diag_name[k], name) == 0)
			return o->diag[k];
	return NAN;
}

/* Hard-prediction rate gaps (max - min over groups): selection rate (set
 * -1), TPR (set 1), FPR (set 0). */
static double hard_gap(const struct ft_linear_model *m, const struct ft_dataset *d,
                       int set)
{
	double *s = malloc(d->n * sizeof *s), num[8] = { 0 }, den[8] = { 0 };
	double lo = INFINITY, hi = -INFINITY;

	if (!s)
		return NAN;
	ft_linear_predict_proba(m, d, s);
	for (size_t i = 0; i < d->n; i++) {
		if (set >= 0 && d->y[i] != set)
			continue;
		num[d->group[i]] += s[i] >= 0.5;
		den[d->group[i]] += 1;
	}
	for (size_t g = 0; g < d->n_groups; g++) {
		lo = fmin(lo, num[g] / den[g]);
		hi = fmax(hi, num[g] / den[g]);
	}
	free(s);
	return hi - lo;
}

/* lambda = 0 is ft_logreg_fit bit for bit, for every method. */
static void test_lambda_zero_is_logreg(void)
{
	struct synth s;
	struct ft_logreg_params lp;
	struct ft_linear_model *base = NULL;
	struct ft_solver_result res;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error err = { 0 };
	double lambda = 0;

	if (synth_make(&s, 2000, 2, 1) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_logreg_params_init(&lp);
	if (ft_logreg_fit(&s.d, &lp, &base, &res, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	fit_input(&in, &s.d, &lp, base, &lambda);
	for (int k = 0; k < 4; k++) {
		if (FITS[k](&in, &out, &err) != 0) {
			T_FAIL("%s: %s", METHODS[k], err.msg);
			continue;
		}
		T_CHECK(out.pred.linear->type == FT_MODEL_LOGREG);
		T_CHECK(out.pred.linear->p == s.d.p && out.pred.linear->n_groups == 0);
		T_CHECK(memcmp(out.pred.linear->coef, base->coef, s.d.p * sizeof *base->coef) == 0);
		T_CHECK(out.pred.linear->intercept == base->intercept);
		T_CHECK(out.res.converged && out.res.solver == res.solver);
		T_CHECK(diag(&out, "lambda") == 0.0);
		T_CHECK(diag(&out, "penalty") > 0.0);
		T_NEAR(diag(&out, "logistic_objective"), res.f, 1e-12);
		ft_linear_model_free(out.pred.linear);
	}
done:
	ft_linear_model_free(base);
	synth_free(&s);
}

/* Increasing lambda shrinks the penalised gap; the soft and hard gaps at
 * lambda = 100 are a fraction of the baseline's; every fit is a stationary
 * point of F. */
static void behaviour_case(size_t G)
{
	static const double lambdas[5] = { 0, 0.1, 1, 10, 100 };
	struct synth s;
	struct ft_logreg_params lp;
	struct ft_linear_model *base = NULL;
	struct ft_solver_result res;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error err = { 0 };
	double lambda;

	if (synth_make(&s, 6000, G, 2) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_logreg_params_init(&lp);
	if (ft_logreg_fit(&s.d, &lp, &base, &res, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	fit_input(&in, &s.d, &lp, base, &lambda);
	for (int k = 0; k < 4; k++) {
		double prevR = INFINITY, R0 = 0, gap0 = 0, gap;
		int set = k == 0 || k == 3 ? -1 : 1;
		for (size_t l = 0; l < 5; l++) {
			struct ft_objective o;
			double x[8], g[8], f, gn = 0, R;
			lambda = lambdas[l];
			if (FITS[k](&in, &out, &err) != 0) {
				T_FAIL("%s G=%zu lambda %g: %s", METHODS[k], G, lambda, err.msg);
				continue;
			}
			R = diag(&out, "penalty");
			gap = hard_gap(out.pred.linear, &s.d, set);
			if (k == 1)
				gap = fmax(gap, hard_gap(out.pred.linear, &s.d, 0));
			T_CHECKF(R <= prevR * (1 + 1e-9), "%s G=%zu: penalty %g at lambda %g > %g before",
			         METHODS[k], G, R, lambda, prevR);
			if (l == 0) {
				R0 = R;
				gap0 = gap;
			}
			prevR = R;
			/* stationary: ||grad F|| small against C W */
			if (ft_reg_objective(METHODS[k], &s.d, G, NAMES3, 1.0, 1, lambda, &o, &err) == 0) {
				memcpy(x, out.pred.linear->coef, s.d.p * sizeof *x);
				x[s.d.p] = out.pred.linear->intercept;
				o.value_grad(o.ctx, x, &f, g);
				for (size_t j = 0; j <= s.d.p; j++)
					gn += g[j] * g[j];
				T_CHECKF(sqrt(gn) <= 1e-4 * (double)s.d.n,
				         "%s G=%zu lambda %g: |grad F| = %g (converged %d, %d iterations)",
				         METHODS[k], G, lambda, sqrt(gn), out.res.converged,
				         out.res.iterations);
				T_NEAR(f, out.res.f, 1e-9);
				ft_reg_objective_free(&o);
			} else {
				T_FAIL("%s", err.msg);
			}
			if (l == 4) {
				T_CHECKF(R < 0.05 * R0, "%s G=%zu: penalty %g at lambda 100, %g at 0",
				         METHODS[k], G, R, R0);
				T_CHECKF(gap < 0.5 * gap0, "%s G=%zu: hard gap %g at lambda 100, %g at 0",
				         METHODS[k], G, gap, gap0);
			}
			ft_linear_model_free(out.pred.linear);
		}
	}
done:
	ft_linear_model_free(base);
	synth_free(&s);
}

static void test_lambda_shrinks_gap_two_groups(void)
{
	behaviour_case(2);
}

static void test_lambda_shrinks_gap_three_groups(void)
{
	behaviour_case(3);
}

/* The diagnostics: names and values (soft rates agree with a direct
 * computation from the model). */
static void test_diagnostics(void)
{
	struct ft_dataset d = mixed(2);
	struct ft_logreg_params lp;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error err = { 0 };
	double lambda = 2, p[MN], tpr[2] = { 0 }, wp[2] = { 0 }, mp[2] = { 0 }, wa[2] = { 0 };

	ft_logreg_params_init(&lp);
	fit_input(&in, &d, &lp, NULL, &lambda);
	if (ft_fit_reg_eo(&in, &out, &err) != 0) {
		T_FAIL("%s", err.msg);
		return;
	}
	ft_linear_predict_proba(out.pred.linear, &d, p);
	for (size_t i = 0; i < MN; i++) {
		wa[d.group[i]] += m_w[i];
		mp[d.group[i]] += m_w[i] * p[i];
		if (m_y[i] == 1) {
			wp[d.group[i]] += m_w[i];
			tpr[d.group[i]] += m_w[i] * p[i];
		}
	}
	T_CHECK(out.n_diag == 3 + 4);
	T_STREQ(out.diag_name[0], "lambda");
	T_STREQ(out.diag_name[1], "penalty");
	T_STREQ(out.diag_name[2], "logistic_objective");
	T_STREQ(out.diag_name[3], "soft_tpr[A]");
	T_STREQ(out.diag_name[6], "soft_fpr[B]");
	T_CHECK(diag(&out, "lambda") == 2);
	T_NEAR(diag(&out, "soft_tpr[A]"), tpr[0] / wp[0], 1e-12);
	T_NEAR(diag(&out, "soft_tpr[B]"), tpr[1] / wp[1], 1e-12);
	ft_linear_model_free(out.pred.linear);

	if (ft_fit_reg_cov(&in, &out, &err) != 0) {
		T_FAIL("%s", err.msg);
		return;
	}
	ft_linear_predict_proba(out.pred.linear, &d, p);
	mp[0] = mp[1] = 0;
	for (size_t i = 0; i < MN; i++)
		mp[d.group[i]] += m_w[i] * p[i];
	T_CHECK(out.res.solver == FT_SOLVER_NEWTON && out.res.converged);
	T_STREQ(out.diag_name[3], "cov[B]");
	T_NEAR(pow(diag(&out, "cov[B]"), 2), diag(&out, "penalty"), 1e-12);
	T_NEAR(diag(&out, "mean_p[A]"), mp[0] / wa[0], 1e-12);
	T_NEAR(diag(&out, "mean_p[B]"), mp[1] / wa[1], 1e-12);
	ft_linear_model_free(out.pred.linear);
}

/* fit_intercept = 0 keeps b = 0; a warm start from a baseline and from zero
 * reach the same point on a convex problem (reg-cov). */
static void test_no_intercept_and_warm_start(void)
{
	struct synth s;
	struct ft_logreg_params lp;
	struct ft_linear_model *base = NULL;
	struct ft_fit_input in;
	struct ft_fit_output a, b;
	struct ft_error err = { 0 };
	double lambda = 5;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	if (synth_make(&s, 3000, 2, 4) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	ft_logreg_params_init(&lp);
	lp.fit_intercept = 0;
	if (ft_logreg_fit(&s.d, &lp, &base, NULL, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	fit_input(&in, &s.d, &lp, base, &lambda);
	for (int k = 0; k < 4; k++) {
		if (FITS[k](&in, &a, &err) != 0) {
			T_FAIL("%s", err.msg);
			goto done;
		}
		T_CHECK(a.pred.linear->intercept == 0.0);
		ft_linear_model_free(a.pred.linear);
		a.pred.linear = NULL;
	}
	lp.fit_intercept = 1;
	ft_linear_model_free(base);
	base = NULL;
	if (ft_logreg_fit(&s.d, &lp, &base, NULL, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	in.baseline = base;
	if (ft_fit_reg_cov(&in, &a, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	in.baseline = NULL;
	if (ft_fit_reg_cov(&in, &b, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	for (size_t j = 0; j < s.d.p; j++)
		T_NEAR(a.pred.linear->coef[j], b.pred.linear->coef[j], 1e-6);
	T_NEAR(a.pred.linear->intercept, b.pred.linear->intercept, 1e-6);
done:
	ft_linear_model_free(a.pred.linear);
	ft_linear_model_free(b.pred.linear);
	ft_linear_model_free(base);
	synth_free(&s);
}

/* reg-dp / reg-eo / reg-eop follow the solver options: AUTO is dense
 * Newton (the exact Hessian), an explicit L-BFGS is kept and reaches the
 * same point from the same warm start, and an explicit max_iter is kept. */
static void test_solver_follows_options(void)
{
	struct synth s;
	struct ft_logreg_params lp;
	struct ft_linear_model *base = NULL;
	struct ft_fit_input in;
	struct ft_fit_output a, b;
	struct ft_error err = { 0 };
	double lambda = 10;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	for (size_t G = 2; G <= 3; G++) {
		if (synth_make(&s, 3000, G, 8) != 0) {
			T_FAIL("out of memory");
			synth_free(&s);
			return;
		}
		ft_logreg_params_init(&lp);
		if (ft_logreg_fit(&s.d, &lp, &base, NULL, &err) != 0) {
			T_FAIL("%s", err.msg);
			goto next;
		}
		fit_input(&in, &s.d, &lp, base, &lambda);
		for (int k = 0; k < 3; k++) {
			lp.solver.solver = FT_SOLVER_AUTO;
			lp.solver.max_iter = 0;
			if (FITS[k](&in, &a, &err) != 0) {
				T_FAIL("%s: %s", METHODS[k], err.msg);
				continue;
			}
			T_CHECKF(a.res.solver == FT_SOLVER_NEWTON && a.res.converged,
			         "%s G=%zu: solver %s, converged %d after %d iterations", METHODS[k],
			         G, ft_solver_name(a.res.solver), a.res.converged, a.res.iterations);
			T_CHECKF(a.res.iterations <= 30, "%s G=%zu: %d newton iterations",
			         METHODS[k], G, a.res.iterations);
			lp.solver.solver = FT_SOLVER_LBFGS;
			if (FITS[k](&in, &b, &err) != 0) {
				T_FAIL("%s: %s", METHODS[k], err.msg);
			} else {
				T_CHECK(b.res.solver == FT_SOLVER_LBFGS && b.res.converged);
				T_CHECKF(fabs(a.res.f - b.res.f) <= 1e-7 * fabs(a.res.f),
				         "%s G=%zu: newton f %.12g, lbfgs f %.12g", METHODS[k], G,
				         a.res.f, b.res.f);
				for (size_t j = 0; j < s.d.p; j++)
					T_NEAR(a.pred.linear->coef[j], b.pred.linear->coef[j], 1e-3);
				ft_linear_model_free(b.pred.linear);
				b.pred.linear = NULL;
			}
			ft_linear_model_free(a.pred.linear);
			a.pred.linear = NULL;
			lp.solver.solver = FT_SOLVER_NEWTON;
			lp.solver.max_iter = 1;
			if (FITS[k](&in, &a, &err) != 0) {
				T_FAIL("%s: %s", METHODS[k], err.msg);
				continue;
			}
			T_CHECK(a.res.solver == FT_SOLVER_NEWTON && a.res.iterations <= 1);
			ft_linear_model_free(a.pred.linear);
			a.pred.linear = NULL;
		}
next:
		ft_linear_model_free(base);
		base = NULL;
		synth_free(&s);
	}
}

/* ------------------------------------------------------------ errors */

static void expect_fit_error(int k, const struct ft_fit_input *in, int code,
                             const char *needle)
{
	struct ft_fit_output out;
	struct ft_error err = { 0 };
	int rc = FITS[k](in, &out, &err);

	T_CHECKF(rc == code, "%s: rc %d, expected %d (%s)", METHODS[k], rc, code, err.msg);
	T_CHECKF(err.code == code, "%s: err.code %d", METHODS[k], err.code);
	T_CHECKF(strstr(err.msg, needle) != NULL, "%s: message \"%s\" lacks \"%s\"",
	         METHODS[k], err.msg, needle);
	T_CHECK(out.pred.linear == NULL && out.n_diag == 0);
	if (rc == 0)
		ft_linear_model_free(out.pred.linear);
}

static void test_errors(void)
{
	static const char *const names[3] = { "Male", "Female", "Other" };
	struct ft_dataset d = mixed(2);
	struct ft_logreg_params lp;
	struct ft_linear_model base;
	struct ft_fit_input in;
	struct ft_objective o;
	struct ft_error err = { 0 };
	int32_t grp[MN];
	double y[MN], w[MN], lambda = 1, coef[MP + 3] = { 0 };

	ft_logreg_params_init(&lp);
	fit_input(&in, &d, &lp, NULL, &lambda);
	in.group_names = names;

	/* a group without rows (group 2 of 3), every method */
	in.n_groups = 3;
	for (int k = 0; k < 4; k++)
		expect_fit_error(k, &in, FT_EDATA,
		                 k == 0 ? "reg-dp: group 'Other' has no rows" : "group 'Other' has no rows");
	in.n_groups = 2;

	/* group Female (1) without positives: EO / EOP fail, DP / COV do not */
	memcpy(y, m_y, sizeof y);
	for (size_t i = 0; i < MN; i++)
		if (m_g2[i] == 1)
			y[i] = 0;
	d.y = y;
	expect_fit_error(1, &in, FT_EDATA, "reg-eo: group 'Female' has no positive labels");
	expect_fit_error(2, &in, FT_EDATA, "reg-eop: group 'Female' has no positive labels");
	/* only negatives in Female: no negatives in Male either?  no - DP is fine */
	{
		struct ft_fit_output out;
		T_CHECKF(ft_fit_reg_dp(&in, &out, &err) == 0, "%s", err.msg);
		ft_linear_model_free(out.pred.linear);
	}
	/* group Male (0) without negatives: EO fails, EOP does not */
	memcpy(y, m_y, sizeof y);
	for (size_t i = 0; i < MN; i++)
		if (m_g2[i] == 0)
			y[i] = 1;
	expect_fit_error(1, &in, FT_EDATA, "reg-eo: group 'Male' has no negative labels");
	{
		struct ft_fit_output out;
		T_CHECKF(ft_fit_reg_eop(&in, &out, &err) == 0, "%s", err.msg);
		ft_linear_model_free(out.pred.linear);
	}
	d.y = m_y;

	/* positives of Female weigh nothing */
	memcpy(w, m_w, sizeof w);
	for (size_t i = 0; i < MN; i++)
		if (m_g2[i] == 1 && m_y[i] == 1)
			w[i] = 0;
	d.w = w;
	expect_fit_error(2, &in, FT_EDATA, "reg-eop: group 'Female' has zero weight on positive labels");
	/* a group with rows of weight 0 only */
	for (size_t i = 0; i < MN; i++)
		w[i] = m_g2[i] == 1 ? 0 : 1;
	expect_fit_error(0, &in, FT_EDATA, "reg-dp: group 'Female' has zero total weight");
	d.w = m_w;

	/* fewer than two groups; no group column; a group index out of range */
	in.n_groups = 1;
	expect_fit_error(0, &in, FT_EDATA, "at least two groups (found 1)");
	in.n_groups = 2;
	d.group = NULL;
	expect_fit_error(3, &in, FT_EDATA, "at least two groups (found 0)");
	memcpy(grp, m_g2, sizeof grp);
	grp[5] = 2;
	d.group = grp;
	expect_fit_error(1, &in, FT_EDATA, "row 5 has group 2 outside 0..1");
	grp[5] = -1;
	expect_fit_error(1, &in, FT_EDATA, "row 5 has group -1");
	d.group = m_g2;

	/* parameters */
	lambda = -1;
	expect_fit_error(0, &in, FT_EINVAL, "reg-dp: lambda must be a finite number >= 0");
	lambda = NAN;
	expect_fit_error(3, &in, FT_EINVAL, "reg-cov: lambda must be");
	lambda = INFINITY;
	expect_fit_error(2, &in, FT_EINVAL, "lambda must be");
	lambda = 1;
	in.params = NULL;
	expect_fit_error(0, &in, FT_EINVAL, "no parameters");
	in.params = &lambda;
	lp.C = -1;
	expect_fit_error(0, &in, FT_EINVAL, "reg-dp: C must be");
	lp.C = 1;
	memset(&base, 0, sizeof base);
	base.p = MP + 2;
	base.coef = coef;
	in.baseline = &base;
	expect_fit_error(1, &in, FT_EINVAL, "the baseline has 9 features, the data 7");
	in.baseline = NULL;
	in.train = NULL;
	expect_fit_error(0, &in, FT_EINVAL, "no training data");
	in.train = &d;

	/* data errors of the logistic part come through */
	memcpy(y, m_y, sizeof y);
	y[3] = 2;
	d.y = y;
	expect_fit_error(0, &in, FT_EDATA, "label 2 is not 0 or 1");
	d.y = m_y;

	/* the objective itself */
	T_CHECK(ft_reg_objective("reg-xx", &d, 2, NULL, 1, 1, 1, &o, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "unknown method 'reg-xx'") != NULL);
	T_CHECK(o.ctx == NULL);
	ft_reg_objective_free(&o);
	ft_reg_objective_free(NULL);
	T_CHECK(ft_fit_reg_dp(&in, NULL, NULL) == FT_EINVAL);
	T_CHECK(ft_fit_reg_dp(NULL, NULL, NULL) == FT_EINVAL);
	{
		struct ft_fit_output out;
		T_CHECK(ft_fit_reg_dp(NULL, &out, NULL) == FT_EINVAL);
	}
}

int main(void)
{
	T_RUN(test_fd_two_groups);
	T_RUN(test_fd_three_groups);
	T_RUN(test_fd_no_intercept);
	T_RUN(test_fd_duplicate_codes_no_weights);
	T_RUN(test_hand_values);
	T_RUN(test_weights_are_duplicates);
	T_RUN(test_lambda_zero_is_logreg);
	T_RUN(test_lambda_shrinks_gap_two_groups);
	T_RUN(test_lambda_shrinks_gap_three_groups);
	T_RUN(test_diagnostics);
	T_RUN(test_no_intercept_and_warm_start);
	T_RUN(test_solver_follows_options);
	T_RUN(test_errors);
	return t_done();
}
