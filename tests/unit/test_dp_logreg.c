/*
 * test_dp_logreg.c - differentially private logistic regression
 * (src/fair/dp_logreg.c) and the private methods dp-logreg and dp-reweigh
 * (src/fair/dp_methods.c).
 *
 * Independent checks: the calibration and the minimiser against a numpy
 * port of diffprivlib's LogisticRegression (scripts/fixtures/
 * make_dp_logreg_fixture.py, where the two algorithms coincide: row norm
 * 1, no intercept; same noise vector); the minimiser against finite
 * differences of a dense re-implementation of the perturbed objective;
 * every sensitivity the mechanisms use, measured on neighbouring data sets
 * that differ in one row; epsilon = 0 against the non-private fits, bit
 * for bit.
 */
#include "t.h"
#include "dp_data.h"
#include <stdint.h>
#include "core/dp.h"
#include "fair/dp.h"
#include "fair/fair.h"
#include "model/model.h"
#include "core/internal.h"

static void dd_make_g(struct dd *s, size_t n, size_t p, uint64_t seed, int groups)
{
	dd_make(s, n, p, seed, 0.35, 0.8, -0.3, 0.7, -0.5);
	if (!groups) {
		s->d.group = NULL;
		s->d.n_groups = 0;
	}
}

/* ------------------------------------------------- against diffprivlib */

static void test_diffprivlib_port(void)
{
	FILE *f = fopen("tests/fixtures/dp_logreg_diffprivlib.tsv", "r");
	static char line[1 << 16];
	size_t n = 0, p = 0, row = 0, cases = 0;
	double *x = NULL, *y = NULL, b[16];
	struct ft_dataset d;

	T_CHECK(f != NULL);
	if (!f)
		return;
	memset(&d, 0, sizeof d);
	while (fgets(line, sizeof line, f)) {
		char *e = line;
		if (line[0] == '#')
			continue;
		if (!strncmp(line, "n\t", 2)) {
			T_CHECK(sscanf(line, "n %zu p %zu", &n, &p) == 2);
			x = malloc(n * p * sizeof *x);
			y = malloc(n * sizeof *y);
		} else if (!strncmp(line, "x\t", 2)) {
			e = line + 2;
			for (size_t j = 0; j < p; j++)
				x[row * p + j] = strtod(e, &e);
			row++;
		} else if (!strncmp(line, "y\t", 2)) {
			e = line + 2;
			for (size_t i = 0; i < n; i++)
				y[i] = strtod(e, &e);
		} else if (!strncmp(line, "b\t", 2)) {
			e = line + 2;
			for (size_t j = 0; j < p; j++)
				b[j] = strtod(e, &e);
		} else if (!strncmp(line, "case\t", 5)) {
			struct ft_dplr_params prm;
			struct ft_dplr_calib cal;
			struct ft_error err = {0};
			double eps, C, ep, dl, sc, w[16], xs[17];
			e = line + 5;
			eps = strtod(e, &e);
			C = strtod(e, &e);
			ep = strtod(e, &e);
			dl = strtod(e, &e);
			sc = strtod(e, &e);
			for (size_t j = 0; j < p; j++)
				w[j] = strtod(e, &e);
			d.n = n;
			d.p = p;
			d.n_num = p;
			d.num = x;
			d.y = y;
			ft_dplr_params_init(&prm);
			prm.epsilon = eps;
			prm.C = C;
			prm.row_norm = 1.0;
			prm.fit_intercept = 0;
			T_CHECK(ft_dplr_calibrate(&prm, n, p, &cal, &err) == 0);
			T_NEAR(cal.eps_prime, ep, 1e-12);
			/* diffprivlib's delta is the paper's Delta */
			T_NEAR(cal.Delta, dl, 1e-12);
			T_NEAR(cal.scale, sc, 1e-12);
			T_CHECK(cal.dim == p);
			T_CHECK(ft_dplr_fit_noise(&d, &prm, &cal, b, xs, NULL, &err) == 0);
			for (size_t j = 0; j < p; j++)
				T_NEAR(xs[j], w[j], 1e-6);
			T_CHECK(xs[p] == 0.0);
			printf("  eps %g C %g: eps' %.6g Delta %.3g scale %.4g, |coef - port| "
			       "checked to 1e-6\n", eps, C, cal.eps_prime, cal.Delta, cal.scale);
			cases++;
		}
	}
	fclose(f);
	T_CHECK(row == n && cases == 5);
	free(x);
	free(y);
}

/* ----------------------------------------------------- the minimiser */

/* The perturbed objective written out densely (independent of
 * dp_logreg.c's sparse sums): C sum w l(y, s x.beta + b0) + reg/2 ||x||^2
 * + C bn.x. */
static double dense_obj(const struct dd *s, const double *sc, double C, double reg,
                        const double *bn, const double *x)
{
	size_t n = s->d.n, p = s->d.p;
	double f = 0;

	for (size_t i = 0; i < n; i++) {
		double z = x[p];
		for (size_t j = 0; j < p; j++)
			z += sc[i] * s->x[i * p + j] * x[j];
		f += (s->y[i] ? log1p(exp(-z)) : log1p(exp(z)));
	}
	f *= C;
	for (size_t j = 0; j <= p; j++)
		f += 0.5 * reg * x[j] * x[j] + C * bn[j] * x[j];
	return f;
}

/* The minimiser's two regimes for n rows of d features: prm's epsilon
 * and C for case c (c = 0: eps' > 0; c = 1: eps' <= 0, the Delta
 * regulariser), their calibration, and d + 1 noise draws from the stream
 * seed + c.  0, or calibration's error code. */
static int dp_case(struct ft_dplr_params *prm, int c, size_t n, size_t d, uint64_t seed,
                   struct ft_dplr_calib *cal, double *bn, struct ft_error *err)
{
	struct ft_noise ns;
	int rc;

	prm->epsilon = c ? 0.2 : 2.0;
	prm->C = c ? 5.0 : 0.5;
	if ((rc = ft_dplr_calibrate(prm, n, d, cal, err)) != 0)
		return rc;
	ft_noise_init(&ns, seed + (uint64_t)c);
	ft_noise_vector(&ns, bn, d + 1, cal->scale);
	return 0;
}

static void test_minimiser_fd(void)
{
	struct dd s;
	struct ft_dplr_params prm;
	struct ft_dplr_calib cal;
	struct ft_error err = {0};
	double x[6], bn[6], sc[400], g, h = 1e-6;

	dd_make_g(&s, 400, 5, 3, 0);
	ft_dplr_params_init(&prm);
	prm.row_norm = 1.5;
	for (int c = 0; c < 2; c++) {
		T_CHECK(dp_case(&prm, c, 400, 5, 11, &cal, bn, &err) == 0);
		T_CHECK(c ? cal.Delta > 0 : cal.Delta == 0);
		T_CHECK(ft_dplr_fit_noise(&s.d, &prm, &cal, bn, x, NULL, &err) == 0);
		ft_dplr_clip_factors(&s.d, prm.row_norm, sc);
		/* at the minimiser every partial derivative of the dense
		 * objective vanishes (central differences, h = 1e-6) */
		for (size_t j = 0; j < 6; j++) {
			double xp[6], xm[6];
			memcpy(xp, x, sizeof xp);
			memcpy(xm, x, sizeof xm);
			xp[j] += h;
			xm[j] -= h;
			g = (dense_obj(&s, sc, cal.C, cal.reg, bn, xp) -
			     dense_obj(&s, sc, cal.C, cal.reg, bn, xm)) / (2 * h);
			T_CHECKF(fabs(g) < 1e-5, "case %d: d/dx%zu = %g at the minimiser", c, j, g);
		}
	}
	dd_free(&s);
}

/* ------------------------------------------------- the sensitivities */

/* Neighbours: row k of s replaced by an extreme row (large features, the
 * other label).  Checks, for each k: (1) the clipped augmented rows have
 * norm <= q; (2) the gradient of one row's loss term has norm <= q, so the
 * gradient sums of neighbours differ by <= 2 q (objective perturbation's
 * sensitivity); (3) the loss Hessian of one row has its largest eigenvalue
 * (l'' ||x||^2 for a rank-one term) <= c q^2; (4) the unperturbed
 * minimisers of neighbours differ by <= 2 q C (output perturbation,
 * Corollary 8). */
static void test_neighbours(void)
{
	struct dd s, t;
	struct ft_dplr_params prm;
	struct ft_dplr_calib cal;
	struct ft_error err = {0};
	size_t n = 300, p = 4;
	double sc[300], x0[5], x1[5], maxd = 0, maxg = 0, maxh = 0;

	dd_make_g(&s, n, p, 5, 0);
	dd_make_g(&t, n, p, 5, 0);
	ft_dplr_params_init(&prm);
	prm.row_norm = 2.0;
	prm.C = 0.7;
	prm.mechanism = FT_DP_OUTPUT;
	T_CHECK(ft_dplr_calibrate(&prm, n, p, &cal, &err) == 0);
	T_NEAR(cal.q, sqrt(5.0), 1e-15);
	T_NEAR(cal.scale, 2 * sqrt(5.0) * 0.7 / prm.epsilon, 1e-15);
	T_CHECK(ft_dplr_fit_noise(&s.d, &prm, &cal, NULL, x0, NULL, &err) == 0);
	for (size_t k = 0; k < 12; k++) {
		double diff = 0;
		memcpy(t.x, s.x, n * p * sizeof *t.x);
		memcpy(t.y, s.y, n * sizeof *t.y);
		for (size_t j = 0; j < p; j++)
			t.x[k * p + j] = (j % 2 ? -9.0 : 7.0) * (double)(k + 1);
		t.y[k] = 1 - s.y[k];
		ft_dplr_clip_factors(&t.d, prm.row_norm, sc);
		for (size_t i = 0; i < n; i++) {
			double r2 = 1;       /* the intercept's constant */
			for (size_t j = 0; j < p; j++)
				r2 += sc[i] * sc[i] * t.x[i * p + j] * t.x[i * p + j];
			T_CHECKF(sqrt(r2) <= cal.q * (1 + 1e-15), "row %zu norm %g > q", i, sqrt(r2));
			/* one row's loss gradient |l'| ||xt|| and curvature l'' ||xt||^2
			 * at a few points x */
			for (int a = 0; a < 3; a++) {
				double z = 0.5 * (a - 1) * 3, e = exp(-fabs(z));
				double l1 = t.y[i] ? 1 / (1 + exp(z)) : 1 / (1 + exp(-z));
				double l2 = e / ((1 + e) * (1 + e));
				maxg = fmax(maxg, l1 * sqrt(r2) / cal.q);
				maxh = fmax(maxh, l2 * r2 / (0.25 * cal.q * cal.q));
			}
		}
		T_CHECK(ft_dplr_fit_noise(&t.d, &prm, &cal, NULL, x1, NULL, &err) == 0);
		for (size_t j = 0; j <= p; j++)
			diff += (x1[j] - x0[j]) * (x1[j] - x0[j]);
		diff = sqrt(diff);
		maxd = fmax(maxd, diff / (2 * cal.q * cal.C));
		T_CHECKF(diff <= 2 * cal.q * cal.C, "neighbour %zu: |x* - x*'| = %g > 2 q C = %g",
		         k, diff, 2 * cal.q * cal.C);
	}
	printf("  largest ratios to the bounds: minimiser change %.3f of 2qC, row gradient "
	       "%.3f of q, row curvature %.3f of c q^2\n", maxd, maxg, maxh);
	T_CHECK(maxg <= 1.0 && maxh <= 1.0);
	dd_free(&s);
	dd_free(&t);
}

/* -------------------------------------------------- eps = 0, budget */

static void test_eps_zero_is_logreg(void)
{
	struct dd s;
	struct ft_dplr_params prm;
	struct ft_logreg_params lp;
	struct ft_linear_model *a = NULL, *b = NULL;
	struct ft_solver_result r1, r2;
	struct ft_noise ns;
	struct ft_error err = {0};

	dd_make_g(&s, 500, 4, 8, 0);
	ft_dplr_params_init(&prm);
	prm.epsilon = 0;
	prm.C = 2.5;
	ft_logreg_params_init(&lp);
	lp.C = 2.5;
	ft_noise_init(&ns, 0);
	T_CHECK(ft_dplr_fit(&s.d, &prm, &ns, NULL, FT_DP_TRAINING, &a, &r1, &err) == 0);
	T_CHECK(ft_logreg_fit(&s.d, &lp, &b, &r2, &err) == 0);
	T_CHECK(a && b && !memcmp(a->coef, b->coef, 4 * sizeof *a->coef) &&
	        a->intercept == b->intercept);
	ft_linear_model_free(a);
	ft_linear_model_free(b);
	dd_free(&s);
}

static void test_budget_and_seed(void)
{
	struct dd s;
	struct ft_dplr_params prm;
	struct ft_linear_model *a = NULL, *b = NULL, *c = NULL;
	struct ft_noise n1, n2, n3;
	struct ft_budget bud;
	struct ft_error err = {0};

	dd_make_g(&s, 300, 3, 9, 0);
	ft_dplr_params_init(&prm);
	prm.epsilon = 0.8;
	ft_budget_init(&bud, 1.0, 0, &err);
	ft_noise_init(&n1, 77);
	ft_noise_init(&n2, 77);
	ft_noise_init(&n3, 78);
	T_CHECK(ft_dplr_fit(&s.d, &prm, &n1, &bud, FT_DP_TRAINING, &a, NULL, &err) == 0);
	T_CHECK(bud.n == 1 && bud.seeded && bud.spend[0].epsilon == 0.8);
	T_STREQ(bud.spend[0].mechanism, "objective-perturbation");
	/* 0.2 left: a second fit of 0.8 is refused, before any noise */
	T_CHECK(ft_dplr_fit(&s.d, &prm, &n2, &bud, FT_DP_TRAINING, &b, NULL, &err) == FT_EINVAL);
	T_CHECK(b == NULL && bud.n == 1);
	T_CHECK(strstr(err.msg, "training would spend epsilon 0.8") != NULL);
	ft_error_clear(&err);
	/* the same seed, the same model; another seed, another model */
	T_CHECK(ft_dplr_fit(&s.d, &prm, &n2, NULL, FT_DP_TRAINING, &b, NULL, &err) == 0);
	T_CHECK(ft_dplr_fit(&s.d, &prm, &n3, NULL, FT_DP_TRAINING, &c, NULL, &err) == 0);
	T_CHECK(a && b && c && !memcmp(a->coef, b->coef, 3 * sizeof *a->coef));
	T_CHECK(c && a && memcmp(a->coef, c->coef, 3 * sizeof *a->coef) != 0);
	/* objective perturbation refuses delta > 0; weights above the bound
	 * are refused */
	ft_linear_model_free(c);
	c = NULL;
	prm.delta = 1e-5;
	T_CHECK(ft_dplr_fit(&s.d, &prm, &n3, NULL, FT_DP_TRAINING, &c, NULL, &err) == FT_EINVAL);
	ft_error_clear(&err);
	prm.delta = 0;
	s.w = malloc(300 * sizeof *s.w);
	for (size_t i = 0; i < 300; i++)
		s.w[i] = i == 7 ? 1.5 : 1.0;
	s.d.w = s.w;
	T_CHECK(ft_dplr_fit(&s.d, &prm, &n3, NULL, FT_DP_TRAINING, &c, NULL, &err) == FT_EDATA);
	T_CHECK(strstr(err.msg, "row 8: weight 1.5") != NULL);
	ft_linear_model_free(a);
	ft_linear_model_free(b);
	ft_linear_model_free(c);
	dd_free(&s);
}

static void test_threads(void)
{
	struct dd s;
	struct ft_dplr_params prm;
	struct ft_linear_model *a = NULL, *b = NULL;
	struct ft_noise n1, n2;
	struct ft_error err = {0};

	dd_make_g(&s, 20000, 6, 10, 0);
	ft_dplr_params_init(&prm);
	prm.epsilon = 1.0;
	prm.row_norm = 3.0;
	ft_noise_init(&n1, 5);
	ft_noise_init(&n2, 5);
	ft_set_threads(1);
	T_CHECK(ft_dplr_fit(&s.d, &prm, &n1, NULL, FT_DP_TRAINING, &a, NULL, &err) == 0);
	ft_set_threads(2);
	T_CHECK(ft_dplr_fit(&s.d, &prm, &n2, NULL, FT_DP_TRAINING, &b, NULL, &err) == 0);
	ft_set_threads(0);
	T_CHECK(a && b && !memcmp(a->coef, b->coef, 6 * sizeof *a->coef) &&
	        a->intercept == b->intercept);
	ft_linear_model_free(a);
	ft_linear_model_free(b);
	dd_free(&s);
}

/* The passes compiled for every vector width this CPU has
 * (core/internal.h) give the baseline's bits: the minimiser, with the
 * Delta regulariser and without, 20,003 rows of 7 features (on 20,000
 * rows of 6, test_threads's, the same mutation, fused multiply-adds in the
 * AVX-512 copy, left the fit's bits unchanged; these rows show it). */
static void test_simd_levels(void)
{
	struct dd s;
	struct ft_dplr_params prm;
	struct ft_dplr_calib cal;
	struct ft_error err = {0};
	double x[8], x0[8], bn[8];
	int top = ft_simd_level();

	dd_make_g(&s, 20003, 7, 12, 0);
	ft_dplr_params_init(&prm);
	prm.row_norm = 2.0;
	for (int c = 0; c < 2; c++) {
		T_CHECK(dp_case(&prm, c, 20003, 7, 30, &cal, bn, &err) == 0);
		for (int l = FT_SIMD_BASE; l <= top; l++) {
			ft_simd_cap(l);
			T_CHECK(ft_dplr_fit_noise(&s.d, &prm, &cal, bn, l ? x : x0, NULL, &err) == 0);
			if (l)
				T_CHECKF(!memcmp(x, x0, sizeof x), "vector level %d (case %d): the "
				         "minimiser differs from the baseline's", l, c);
		}
		ft_simd_cap(-1);
	}
	if (top == FT_SIMD_BASE)
		printf("  (test_simd_levels: this CPU has no AVX2, only the baseline ran)\n");
	dd_free(&s);
}

/* ----------------------------------------------------------- methods */

static void test_reweigh_counts_neighbours(void)
{
	struct dd s;
	struct ft_noise ns;
	struct ft_error err = {0};
	double noisy[4], e0[4], e1[4];
	size_t n = 200;

	dd_make_g(&s, n, 2, 12, 1);
	ft_noise_init(&ns, 3);
	T_CHECK(ft_dp_group_label_counts(&s.d, 2, 1.0, 1.0, &ns, noisy, e0, &err) == 0);
	T_CHECK(e0[0] + e0[1] + e0[2] + e0[3] == (double)n);
	for (int k = 0; k < 4; k++)
		T_CHECK(noisy[k] >= 1.0 && noisy[k] == floor(noisy[k]));
	/* every replacement of one row changes the count vector by at most 2
	 * in L1 (the sensitivity the mechanism is calibrated to) */
	for (size_t i = 0; i < 20; i++)
		for (int g = 0; g < 2; g++)
			for (int y = 0; y < 2; y++) {
				int32_t og = s.g[i];
				double oy = s.y[i], l1 = 0;
				s.g[i] = g;
				s.y[i] = y;
				ft_dp_group_label_counts(&s.d, 2, 1.0, 1.0, &ns, noisy, e1, &err);
				for (int k = 0; k < 4; k++)
					l1 += fabs(e1[k] - e0[k]);
				T_CHECK(l1 <= 2.0);
				s.g[i] = og;
				s.y[i] = oy;
			}
	dd_free(&s);
}

static void test_methods_eps_zero(void)
{
	struct dd s;
	struct ft_logreg_params lp;
	struct ft_fit_input fi;
	struct ft_fit_output a, b;
	struct ft_error err = {0};
	/* dp-reweigh: epsilon, delta, mechanism, row_norm, share, C, seed */
	double pr[7] = {0, 0, 0, 1, 0.1, 0, 0}, none[1] = {0};
	/* dp-logreg: epsilon, delta, mechanism, row_norm, C, seed */
	double pl[6] = {0, 0, 0, 1, 0, 0};

	dd_make_g(&s, 1000, 3, 13, 1);
	ft_logreg_params_init(&lp);
	lp.C = 0.3;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	dd_fit_input(&fi, &s, &lp, NULL, pr);
	T_CHECK(ft_fit_dp_reweigh(&fi, &a, &err) == 0);
	dd_fit_input(&fi, &s, &lp, NULL, none);
	T_CHECK(ft_fit_reweigh(&fi, &b, &err) == 0);
	T_CHECK(a.pred.linear && b.pred.linear && !memcmp(a.pred.linear->coef, b.pred.linear->coef, 3 * sizeof(double)) &&
	        a.pred.linear->intercept == b.pred.linear->intercept);
	ft_fit_output_clear(&a);
	ft_fit_output_clear(&b);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	dd_fit_input(&fi, &s, &lp, NULL, pl);
	T_CHECK(ft_fit_dp_logreg(&fi, &a, &err) == 0);
	T_CHECK(ft_fit_logreg(&fi, &b, &err) == 0);
	T_CHECK(a.pred.linear && b.pred.linear && !memcmp(a.pred.linear->coef, b.pred.linear->coef, 3 * sizeof(double)) &&
	        a.pred.linear->intercept == b.pred.linear->intercept);
	T_CHECK(a.budget && a.budget->n == 0 && isinf(a.budget->epsilon));
	ft_fit_output_clear(&a);
	ft_fit_output_clear(&b);
	dd_free(&s);
}

static void test_reweigh_budget(void)
{
	struct dd s;
	struct ft_logreg_params lp;
	struct ft_fit_input fi;
	struct ft_fit_output a;
	struct ft_error err = {0};
	double pr[7] = {2.0, 0, 0, 2, 0.25, 0, 4};
	double e, d;

	dd_make_g(&s, 2000, 3, 14, 1);
	ft_logreg_params_init(&lp);
	memset(&a, 0, sizeof a);
	dd_fit_input(&fi, &s, &lp, NULL, pr);
	T_CHECK(ft_fit_dp_reweigh(&fi, &a, &err) == 0);
	T_CHECK(a.budget && a.budget->n == 2 && a.budget->seeded);
	if (a.budget) {
		T_STREQ(a.budget->spend[0].mechanism, "geometric");
		T_NEAR(a.budget->spend[0].epsilon, 0.5, 1e-15);
		T_STREQ(a.budget->spend[1].mechanism, "objective-perturbation");
		T_NEAR(a.budget->spend[1].epsilon, 1.5, 1e-15);
		ft_budget_spent(a.budget, -1, &e, &d);
		T_NEAR(e, 2.0, 1e-15);
	}
	ft_fit_output_clear(&a);
	dd_free(&s);
}

int main(void)
{
	T_RUN(test_diffprivlib_port);
	T_RUN(test_minimiser_fd);
	T_RUN(test_neighbours);
	T_RUN(test_eps_zero_is_logreg);
	T_RUN(test_budget_and_seed);
	T_RUN(test_threads);
	T_RUN(test_simd_levels);
	T_RUN(test_reweigh_counts_neighbours);
	T_RUN(test_methods_eps_zero);
	T_RUN(test_reweigh_budget);
	return t_done();
}
