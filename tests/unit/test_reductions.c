/*
 * test_reductions.c - the reductions approach (src/fair/reductions.c;
 * Agarwal et al., ICML 2018): moments against hand computations, the
 * signed weights of the best-response problem by hand and as the
 * derivative of the Lagrangian, the LP step by hand and against scipy, the
 * grid by hand, and eg and grid on a toy problem whose answers are known
 * independently: tests/fixtures/reductions_toy.tsv, made by
 * scripts/fixtures/make_reductions_fixture.py (scipy's linprog for the best
 * fair randomized classifier, brute force over all labellings for every
 * grid point's best response).  On UCI Adult (skipped without the data)
 * the test-set fairness and accuracy of eg under dp and eo.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "fair/reductions.h"
#include "t.h"
#include "model/model.h"

#define FIX "tests/fixtures/reductions_toy.tsv"

/* ------------------------------------------------------------ tiny data */

/* 8 rows: group, label, weight, P(yhat = 1); row 7 has no group. */
static const int32_t TG[8] = { 0, 0, 0, 0, 1, 1, 1, -1 };
static double TY[8] = { 1, 1, 0, 0, 1, 0, 0, 1 };
static double TW[8] = { 1, 2, 1, 1, 1, 3, 1, 1 };
static const double TP[8] = { 1, 0, 1, 0.5, 1, 0, 1, 0 };

static void tiny(struct ft_dataset *d, int32_t *g)
{
	memset(d, 0, sizeof *d);
	memcpy(g, TG, sizeof TG);
	d->n = 8;
	d->y = TY;
	d->w = TW;
	d->group = g;
	d->n_groups = 2;
}

/* The tiny data in d (g: 8 group entries) and its moment kind / ratio. */
static int tiny_moment(struct ft_dataset *d, int32_t *g, int kind, double ratio,
                       struct ft_moment *mo)
{
	struct ft_error e = { 0 };

	tiny(d, g);
	if (ft_moment_init(mo, d, 2, NULL, kind, 0.01, ratio, "test", &e) != 0) {
		T_FAIL("%s", e.msg);
		return -1;
	}
	return 0;
}

static void moment_of(int kind, double ratio, double *err, double *gam, size_t *m)
{
	struct ft_dataset d;
	struct ft_moment mo;
	int32_t g[8];
	double S[6];

	*m = 0;
	if (tiny_moment(&d, g, kind, ratio, &mo) != 0)
		return;
	T_CHECK(ft_moment_tally(&mo, TP, S) == 0);
	ft_moment_eval(&mo, S, err, gam);
	*m = mo.m;
	ft_moment_free(&mo);
}

/* W = 11 (10 in groups).  Error: rows 1 (2), 2 (1), 3 (0.5), 6 (1), 7 (1)
 * = 5.5 / 11.  Group 0: weight 5, sum w p = 2.5; group 1: 5, 2; overall
 * (grouped rows) 4.5 / 10.  Positives: g0 1/3, g1 1, all 2/4.  Negatives:
 * g0 1.5/2, g1 1/4, all 2.5/6.  Errors: g0 3.5/5, g1 1/5, all 4.5/10. */
static void test_moments_by_hand(void)
{
	double err, g[16];
	size_t m;

	moment_of(FT_RED_DP, 1.0, &err, g, &m);
	T_CHECK(m == 4);
	T_NEAR(err, 0.5, 1e-15);
	T_NEAR(g[0], 0.05, 1e-15);     /* +, group 0: 0.5 - 0.45 */
	T_NEAR(g[1], -0.05, 1e-15);    /* +, group 1: 0.4 - 0.45 */
	T_NEAR(g[2], -0.05, 1e-15);
	T_NEAR(g[3], 0.05, 1e-15);
	moment_of(FT_RED_TPR, 1.0, &err, g, &m);
	T_CHECK(m == 4);
	T_NEAR(g[0], 1.0 / 3 - 0.5, 1e-15);
	T_NEAR(g[1], 0.5, 1e-15);
	T_NEAR(g[2], 0.5 - 1.0 / 3, 1e-15);
	T_NEAR(g[3], -0.5, 1e-15);
	moment_of(FT_RED_FPR, 1.0, &err, g, &m);
	T_NEAR(g[0], 0.75 - 5.0 / 12, 1e-15);
	T_NEAR(g[1], 0.25 - 5.0 / 12, 1e-15);
	moment_of(FT_RED_EO, 1.0, &err, g, &m);
	T_CHECK(m == 8);
	/* event 0 = y 0 (FPR), event 1 = y 1 (TPR); + then - */
	T_NEAR(g[0], 0.75 - 5.0 / 12, 1e-15);
	T_NEAR(g[1], 0.25 - 5.0 / 12, 1e-15);
	T_NEAR(g[2], 1.0 / 3 - 0.5, 1e-15);
	T_NEAR(g[3], 0.5, 1e-15);
	T_NEAR(g[4], -(0.75 - 5.0 / 12), 1e-15);
	T_NEAR(g[7], -0.5, 1e-15);
	moment_of(FT_RED_ERP, 1.0, &err, g, &m);
	T_NEAR(g[0], 0.7 - 0.45, 1e-15);
	T_NEAR(g[1], 0.2 - 0.45, 1e-15);
	T_NEAR(g[3], 0.45 - 0.2, 1e-15);
	/* ratio 0.8: r M_a - M and -M_a + r M */
	moment_of(FT_RED_DP, 0.8, &err, g, &m);
	T_NEAR(g[0], 0.8 * 0.5 - 0.45, 1e-15);
	T_NEAR(g[1], 0.8 * 0.4 - 0.45, 1e-15);
	T_NEAR(g[2], -0.5 + 0.8 * 0.45, 1e-15);
	T_NEAR(g[3], -0.4 + 0.8 * 0.45, 1e-15);
}

/* DP, lambda_+ = (0.3, 0), lambda_- = (0, 0.1): sum_a (l+ - l-) = 0.2,
 * W / W_e = 1.1, W / W_a = 2.2, so c = 0.2 * 1.1 - 0.3 * 2.2 = -0.44 in
 * group 0 and 0.22 + 0.1 * 2.2 = 0.44 in group 1; s = w (2y - 1 + c). */
static void test_signed_by_hand(void)
{
	static const double lam[4] = { 0.3, 0, 0, 0.1 };
	static const double want[8] = { 0.56, 1.12, -1.44, -1.44, 1.44, -1.68, -0.56, 1.0 };
	struct ft_dataset d;
	struct ft_moment mo;
	int32_t g[8];
	double s[8];

	if (tiny_moment(&d, g, FT_RED_DP, 1.0, &mo) != 0)
		return;
	T_CHECK(ft_moment_signed(&mo, lam, s) == 0);
	for (int i = 0; i < 8; i++)
		T_NEAR(s[i], want[i], 1e-14);
	ft_moment_free(&mo);
}

/* The weighted-classification problem: labels 1(s > 0), weights |s|
 * scaled to sum to W = 11 (sum |s| = 9.24 for the lambda above).  With the
 * ratio bound r = 0.5 and lambda_+ = (5, 5): sum (l+ - r l-) = 10 and
 * c = 10 * 1.1 - 0.5 * 5 * 2.2 = 5.5 in both groups, so every row asks for
 * label 1 (the row of no group has s = +1): a constant classifier. */
static void test_relabel_by_hand(void)
{
	static const double lam[4] = { 0.3, 0, 0, 0.1 }, lam5[4] = { 5, 5, 0, 0 };
	static const double s_want[8] = { 0.56, 1.12, -1.44, -1.44, 1.44, -1.68, -0.56, 1.0 };
	struct ft_dataset d;
	struct ft_moment mo;
	int32_t g[8];
	double s[8], y[8], w[8], sum = 0.0;
	int one = 7;

	if (tiny_moment(&d, g, FT_RED_DP, 1.0, &mo) != 0)
		return;
	T_CHECK(ft_red_relabel(&mo, lam, s, y, w, &one) == 0);
	T_CHECK(one == 0);
	for (int i = 0; i < 8; i++) {
		T_CHECK(y[i] == (s_want[i] > 0));
		T_NEAR(w[i], fabs(s_want[i]) * 11.0 / 9.24, 1e-14);
		sum += w[i];
	}
	T_NEAR(sum, 11.0, 1e-14);
	ft_moment_free(&mo);
	if (tiny_moment(&d, g, FT_RED_DP, 0.5, &mo) != 0)
		return;
	T_CHECK(ft_red_relabel(&mo, lam5, s, y, w, &one) == 0);
	T_CHECK(one == 1);
	T_NEAR(s[0], 6.5, 1e-14);        /* w 1 (1 + 5.5) */
	T_NEAR(s[5], 3 * 4.5, 1e-14);    /* w 3 (-1 + 5.5) */
	T_NEAR(s[7], 1.0, 1e-15);
	T_NEAR(w[5], 13.5, 1e-14);       /* unscaled */
	ft_moment_free(&mo);
}

/* Best responses on the tiny data (no features: an intercept only).  The
 * all-label-1 problem above gives the constant classifier 1: error = the
 * weight of negatives 6 / 11, gamma = 0.5 * 1 - 1 = -0.5 everywhere.  At
 * lambda = 0 the logistic fit is the weighted base rate, sigmoid(b) =
 * 5 / 11 < 0.5: every row 0, error 5 / 11. */
static void test_best_response_tiny(void)
{
	static const double lam5[4] = { 5, 5, 0, 0 }, zero[4] = { 0, 0, 0, 0 };
	struct ft_dataset d;
	struct ft_logreg_params lp;
	struct ft_fit_input in;
	struct ft_linear_model *h = NULL;
	struct ft_error e = { 0 };
	int32_t g[8];
	double err, gam[4];

	tiny(&d, g);
	ft_logreg_params_init(&lp);
	memset(&in, 0, sizeof in);
	in.train = &d;
	in.n_groups = 2;
	in.lr = &lp;
	if (ft_red_best_response(&in, FT_RED_DP, 0.01, 0.5, lam5, &h, &err, gam, &e) != 0) {
		T_FAIL("%s", e.msg);
		return;
	}
	T_CHECK(h && h->p == 0 && h->intercept == 30.0);
	T_NEAR(err, 6.0 / 11, 1e-15);
	for (int k = 0; k < 4; k++)
		T_NEAR(gam[k], -0.5, 1e-15);
	ft_linear_model_free(h);
	h = NULL;
	if (ft_red_best_response(&in, FT_RED_DP, 0.01, 1.0, zero, &h, &err, gam, &e) != 0) {
		T_FAIL("%s", e.msg);
		return;
	}
	T_NEAR(h->intercept, log(5.0 / 6.0), 1e-3);
	T_NEAR(err, 5.0 / 11, 1e-15);
	T_NEAR(gam[0], 0.0, 1e-15);
	ft_linear_model_free(h);
}

/* The signed weights are the derivative of the Lagrangian: for every
 * moment and ratio, raising row i's P(yhat = 1) by delta changes
 * err + lambda.gamma by -delta s_i / W (the moments evaluated through the
 * tally, a different path from the signed weights). */
static void test_signed_is_derivative(void)
{
	struct ft_dataset d;
	int32_t g[8];
	double worst = 0.0;

	for (int kind = 0; kind < FT_RED_N; kind++)
		for (int rr = 0; rr < 2; rr++) {
			struct ft_moment mo;
			double lam[8], s[8], S[6], p[8], gam[8], e0, L0, W = 11.0;
			if (tiny_moment(&d, g, kind, rr ? 0.7 : 1.0, &mo) != 0)
				return;
			for (size_t k = 0; k < mo.m; k++)
				lam[k] = 0.1 + 0.37 * (double)((k * 7 + (size_t)kind) % 5);
			T_CHECK(ft_moment_signed(&mo, lam, s) == 0);
			for (int i = 0; i < 8; i++)
				p[i] = 0.5;
			ft_moment_tally(&mo, p, S);
			ft_moment_eval(&mo, S, &e0, gam);
			L0 = e0;
			for (size_t k = 0; k < mo.m; k++)
				L0 += lam[k] * gam[k];
			for (int i = 0; i < 8; i++) {
				double L1;
				p[i] = 0.75;
				ft_moment_tally(&mo, p, S);
				ft_moment_eval(&mo, S, &L1, gam);
				for (size_t k = 0; k < mo.m; k++)
					L1 += lam[k] * gam[k];
				p[i] = 0.5;
				worst = fmax(worst, fabs((L1 - L0) - (-0.25 * s[i] / W)));
			}
			ft_moment_free(&mo);
		}
	T_CHECKF(worst < 1e-13, "signed weight vs derivative: worst %.3g", worst);
}

static void test_moment_errors(void)
{
	struct ft_dataset d;
	struct ft_moment mo;
	int32_t g[8];
	struct {
		int kind;
		size_t G;
		const char *msg;
	} BAD[] = {
		{ FT_RED_DP, 3, "group Other has no training rows" },
		{ FT_RED_DP, 1, "needs at least two groups" },
	};
	const char *names[3] = { "A", "B", "Other" };

	tiny(&d, g);
	for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
		struct ft_error e = { 0 };
		T_CHECK(ft_moment_init(&mo, &d, BAD[i].G, names, BAD[i].kind, 0.01, 1, "eg", &e) ==
		        FT_EDATA);
		T_CHECKF(strstr(e.msg, BAD[i].msg) != NULL, "'%s' lacks '%s'", e.msg, BAD[i].msg);
	}
	/* group B without positives: dp and fpr are fine, tpr and eo are not */
	g[4] = 0;
	{
		struct ft_error e = { 0 };
		T_CHECK(ft_moment_init(&mo, &d, 2, names, FT_RED_DP, 0.01, 1, "eg", &e) == 0);
		ft_moment_free(&mo);
		T_CHECK(ft_moment_init(&mo, &d, 2, names, FT_RED_FPR, 0.01, 1, "eg", &e) == 0);
		ft_moment_free(&mo);
		T_CHECK(ft_moment_init(&mo, &d, 2, names, FT_RED_TPR, 0.01, 1, "eg", &e) == FT_EDATA);
		T_CHECKF(strstr(e.msg, "eg: group B has no training rows with label 1, which the "
		                "tpr constraint") != NULL, "%s", e.msg);
		ft_error_clear(&e);
		T_CHECK(ft_moment_init(&mo, &d, 2, names, FT_RED_EO, 0.01, 1, "eg", &e) == FT_EDATA);
		T_CHECKF(strstr(e.msg, "label 1") != NULL, "%s", e.msg);
	}
	g[4] = 1;
	/* group A without negatives: fpr fails */
	g[2] = g[3] = 1;
	{
		struct ft_error e = { 0 };
		T_CHECK(ft_moment_init(&mo, &d, 2, names, FT_RED_FPR, 0.01, 1, "grid", &e) == FT_EDATA);
		T_CHECKF(strstr(e.msg, "grid: group A has no training rows with label 0") != NULL,
		         "%s", e.msg);
	}
	g[2] = g[3] = 0;
	{
		struct ft_error e = { 0 };
		d.group = NULL;
		T_CHECK(ft_moment_init(&mo, &d, 2, names, FT_RED_DP, 0.01, 1, "eg", &e) == FT_EDATA);
		T_CHECKF(strstr(e.msg, "sensitive attribute") != NULL, "%s", e.msg);
	}
}

/* ------------------------------------------------------------ the LP */

/* h0: err 0.1, gamma (0.2, -0.2); h1: err 0.3, gamma (-0.1, 0.1); eps 0.05.
 * Q = (q, 1 - q): gamma_0 = 0.3 q - 0.1 <= 0.05 gives q <= 1/2, the error
 * 0.3 - 0.2 q is smallest there: 0.2.  Dual: L(h0) = 0.1 + 0.15 l,
 * L(h1) = 0.3 - 0.15 l meet at l = 2/3, value 0.2. */
static void test_lp_by_hand(void)
{
	static const double err[2] = { 0.1, 0.3 };
	static const double gam[4] = { 0.2, -0.2, -0.1, 0.1 };
	double Q[2], lam[2], v;

	T_CHECK(ft_red_lp(2, 2, err, gam, 0.05, 20.0, Q, lam, &v) == 0);
	T_NEAR(v, 0.2, 1e-14);
	T_NEAR(Q[0], 0.5, 1e-14);
	T_NEAR(Q[1], 0.5, 1e-14);
	T_NEAR(lam[0], 2.0 / 3, 1e-14);
	T_NEAR(lam[1], 0.0, 1e-14);
	/* one predictor: all weight on it */
	T_CHECK(ft_red_lp(1, 2, err, gam, 0.05, 20.0, Q, lam, &v) == 0);
	T_NEAR(Q[0], 1.0, 1e-15);
	T_NEAR(v, 0.1 + 20.0 * 0.15, 1e-13);   /* violates by 0.15: z pays B */
}

/* The fixture: every line "tag<TAB>fields"; returns the lines with tag. */
struct fix {
	size_t n;
	char **line;
};

static int fix_read(struct fix *f)
{
	FILE *fp = fopen(FIX, "r");
	char buf[4096];

	memset(f, 0, sizeof *f);
	if (!fp)
		return -1;
	while (fgets(buf, sizeof buf, fp)) {
		char **nl;
		if (buf[0] == '#')
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		nl = realloc(f->line, (f->n + 1) * sizeof *nl);
		if (!nl)
			break;
		f->line = nl;
		f->line[f->n] = malloc(strlen(buf) + 1);
		if (!f->line[f->n])
			break;
		strcpy(f->line[f->n++], buf);
	}
	fclose(fp);
	return f->n ? 0 : -1;
}

static void fix_free(struct fix *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->line[i]);
	free(f->line);
}

/* Split line i into up to max fields (pointers into a copy in buf). */
static size_t fields(const char *line, char *buf, size_t size, char **fld, size_t max)
{
	size_t n = 0;
	char *s, *save = NULL;

	snprintf(buf, size, "%s", line);
	for (s = strtok_r(buf, "\t", &save); s && n < max; s = strtok_r(NULL, "\t", &save))
		fld[n++] = s;
	return n;
}

static void test_lp_scipy(void)
{
	struct fix f;
	char buf[4096], *fl[64];
	size_t K = 0, m = 0, nh = 0;
	double eps = 0, B = 0, ref = NAN, err[16], gam[16 * 16], Q[16], lam[16], v;
	double primal, dual = INFINITY, mg, sl = 0.0;

	if (fix_read(&f) != 0) {
		T_FAIL("cannot read %s (run from the repository root)", FIX);
		return;
	}
	for (size_t i = 0; i < f.n; i++) {
		size_t nf = fields(f.line[i], buf, sizeof buf, fl, 64);
		if (!strcmp(fl[0], "lp") && nf == 6) {
			K = (size_t)atol(fl[1]);
			m = (size_t)atol(fl[2]);
			eps = atof(fl[3]);
			B = atof(fl[4]);
			ref = atof(fl[5]);
		} else if (!strcmp(fl[0], "lp_h") && nf >= 3 && nh < 16) {
			err[nh] = atof(fl[2]);
			for (size_t k = 3; k < nf && k - 3 < 16; k++)
				gam[nh * (nf - 3) + k - 3] = atof(fl[k]);
			nh++;
		}
	}
	fix_free(&f);
	if (K == 0 || nh != K) {
		T_FAIL("no LP instance in %s", FIX);
		return;
	}
	T_CHECK(ft_red_lp(K, m, err, gam, eps, B, Q, lam, &v) == 0);
	T_NEAR(v, ref, 1e-10);
	/* the primal value of Q, and the dual value of lambda */
	primal = 0.0;
	mg = -INFINITY;
	for (size_t h = 0; h < K; h++) {
		T_CHECK(Q[h] >= 0.0);
		primal += Q[h] * err[h];
	}
	for (size_t k = 0; k < m; k++) {
		double gk = 0.0;
		for (size_t h = 0; h < K; h++)
			gk += Q[h] * gam[h * m + k];
		mg = fmax(mg, gk);
		T_CHECK(lam[k] >= 0.0);
		sl += lam[k];
	}
	primal += B * fmax(0.0, mg - eps);
	T_NEAR(primal, ref, 1e-10);
	T_CHECK(sl <= B * (1 + 1e-12));
	for (size_t h = 0; h < K; h++) {
		double L = err[h];
		for (size_t k = 0; k < m; k++)
			L += lam[k] * (gam[h * m + k] - eps);
		dual = fmin(dual, L);
	}
	T_NEAR(dual, ref, 1e-10);
	fprintf(stderr, "lp: %zu predictors, %zu constraints: value %.12f, scipy %.12f\n",
	        K, m, v, ref);
}

/* ------------------------------------------------------------ the grid */

static void test_grid_by_hand(void)
{
	/* dim 2, 7 points: the ball of radius 2 (13 points), all of norm <= 1
	 * and the first two of norm 2 in enumeration order, (-2,0), (-1,-1) */
	static const long want7[14] = { -2, 0, -1, -1, -1, 0, 0, -1, 0, 0, 0, 1, 1, 0 };
	double *c = NULL;
	long *ip = NULL;
	struct ft_error e = { 0 };

	T_CHECK(ft_red_grid(1, 41, 2.0, &c, &ip, &e) == 0);
	for (int j = 0; c && j < 41; j++)
		T_NEAR(c[j], -2.0 + 0.1 * j, 1e-14);
	free(c);
	free(ip);
	/* 10 points in one dimension: radius 5, -5 .. 4 (Fairlearn's too) */
	T_CHECK(ft_red_grid(1, 10, 2.0, &c, &ip, &e) == 0);
	for (int j = 0; c && j < 10; j++)
		T_NEAR(c[j], 0.4 * (j - 5), 1e-14);
	free(c);
	free(ip);
	T_CHECK(ft_red_grid(2, 7, 3.0, &c, &ip, &e) == 0);
	for (int j = 0; ip && j < 14; j++) {
		T_CHECKF(ip[j] == want7[j], "coordinate %d: %ld, expected %ld", j, ip[j], want7[j]);
		T_NEAR(c[j], 1.5 * want7[j], 1e-15);
	}
	free(c);
	free(ip);
	/* one point: the origin */
	T_CHECK(ft_red_grid(3, 1, 2.0, &c, &ip, &e) == 0);
	T_CHECK(c && c[0] == 0.0 && c[1] == 0.0 && c[2] == 0.0);
	free(c);
	free(ip);
	T_CHECK(ft_red_grid(0, 5, 2.0, &c, &ip, &e) == FT_EINVAL);
}

/* ------------------------------------------------------------ toy problem */

#define TOY_MAX 1024

struct toy {
	struct ft_dataset d;
	double y[TOY_MAX], w[TOY_MAX];
	int32_t code[TOY_MAX], group[TOY_MAX];
	size_t line[TOY_MAX];
	struct ft_logreg_params lp;
	struct ft_linear_model *base;
	double base_f;
	double opt[2], opt_pen[2];               /* dp, eo */
	size_t n_grid[2], chosen[2], axis[2][2];  /* [dp/eo][coordinate]: its group */
	double gerr[2][64], gviol[2][64], gc[2][64][2];
};

/* The toy data from the fixture: one categorical feature, the cell (8
 * one-hot columns, the cell index = the feature index), fitted with C = 1e4
 * so that the logistic best response decides each cell as the exact
 * cost-sensitive oracle would (the fixture checks every grid point is far
 * from a tie). */
static int toy_load(struct toy *t)
{
	struct fix f;
	char buf[4096], *fl[16];
	struct ft_error e = { 0 };
	struct ft_solver_result r;

	memset(t, 0, sizeof *t);
	if (fix_read(&f) != 0) {
		T_FAIL("cannot read %s (run from the repository root)", FIX);
		return -1;
	}
	for (size_t i = 0; i < f.n; i++) {
		size_t nf = fields(f.line[i], buf, sizeof buf, fl, 16), k;
		if (!strcmp(fl[0], "block") && nf == 6) {
			long cnt = atol(fl[4]);
			for (long c = 0; c < cnt && t->d.n < TOY_MAX; c++) {
				size_t r0 = t->d.n++;
				t->group[r0] = atoi(fl[1]);
				t->code[r0] = atoi(fl[2]);
				t->y[r0] = atof(fl[3]);
				t->w[r0] = atof(fl[5]);
				t->line[r0] = r0 + 1;
			}
		} else if (!strcmp(fl[0], "opt") && nf == 5) {
			k = strcmp(fl[1], "eo") == 0;
			t->opt[k] = atof(fl[3]);
			t->opt_pen[k] = atof(fl[4]);
		} else if (!strcmp(fl[0], "grid") && nf >= 7) {
			size_t j = (size_t)atol(fl[2]);
			k = strcmp(fl[1], "eo") == 0;
			if (j >= 64)
				continue;
			t->gerr[k][j] = atof(fl[3]);
			t->gviol[k][j] = atof(fl[4]);
			t->gc[k][j][0] = atof(fl[6]);
			t->gc[k][j][1] = nf > 7 ? atof(fl[7]) : 0.0;
			if (j + 1 > t->n_grid[k])
				t->n_grid[k] = j + 1;
		} else if (!strcmp(fl[0], "grid_axis") && nf == 4) {
			size_t j = (size_t)atol(fl[2]);
			if (j < 2)
				t->axis[strcmp(fl[1], "eo") == 0][j] = (size_t)atol(fl[3]);
		} else if (!strcmp(fl[0], "grid_chosen") && nf == 3) {
			t->chosen[strcmp(fl[1], "eo") == 0] = (size_t)atol(fl[2]);
		}
	}
	fix_free(&f);
	t->d.p = 8;
	t->d.n_cat = 1;
	t->d.code = t->code;
	t->d.y = t->y;
	t->d.w = t->w;
	t->d.group = t->group;
	t->d.n_groups = 2;
	t->d.line = t->line;
	ft_logreg_params_init(&t->lp);
	t->lp.C = 1e4;
	if (t->d.n < 100 || ft_logreg_fit(&t->d, &t->lp, &t->base, &r, &e) != 0) {
		T_FAIL("toy data: %zu rows; %s", t->d.n, e.msg);
		return -1;
	}
	t->base_f = r.f;
	return 0;
}

static const char *const TOY_NAMES[2] = { "A", "B" };

static void toy_input(struct toy *t, struct ft_fit_input *in, const double *params)
{
	memset(in, 0, sizeof *in);
	in->train = &t->d;
	in->n_groups = 2;
	in->group_names = TOY_NAMES;
	in->privileged = -1;
	in->lr = &t->lp;
	in->baseline = t->base;
	in->baseline_objective = t->base_f;
	in->params = params;
}

static double diag(const struct ft_fit_output *o, const char *name)
{
	for (size_t k = 0; k < o->n_diag; k++)
		if (!strcmp(o->diag_name[k], name))
			return o->diag[k];
	return NAN;
}

/* Error and moments (dp or eo, difference bound) of P(yhat = 1) = pos,
 * computed here directly from the definitions. */
static void toy_measure(const struct toy *t, const double *pos, int eo, double *err,
                        double *maxg)
{
	double W = 0, e = 0, wy[2][3] = { { 0 } }, sy[2][3] = { { 0 } };

	for (size_t i = 0; i < t->d.n; i++) {
		int g = t->group[i], y = t->y[i] > 0.5;
		double w = t->w[i];
		W += w;
		e += w * (y ? 1 - pos[i] : pos[i]);
		wy[y][g] += w;
		sy[y][g] += w * pos[i];
		wy[y][2] += w;
		sy[y][2] += w * pos[i];
	}
	*err = e / W;
	*maxg = -INFINITY;
	for (int ev = 0; ev < (eo ? 2 : 1); ev++)
		for (int g = 0; g < 2; g++) {
			double Ma, M;
			if (eo) {
				Ma = sy[ev][g] / wy[ev][g];
				M = sy[ev][2] / wy[ev][2];
			} else {
				Ma = (sy[0][g] + sy[1][g]) / (wy[0][g] + wy[1][g]);
				M = (sy[0][2] + sy[1][2]) / (wy[0][2] + wy[1][2]);
			}
			*maxg = fmax(*maxg, fmax(Ma - M, M - Ma));
		}
}

static int same_model(const struct ft_linear_model *a, const struct ft_linear_model *b)
{
	return a->p == b->p && a->intercept == b->intercept &&
	       !memcmp(a->coef, b->coef, a->p * sizeof *a->coef);
}

/* eg on the toy problem against the LP optimum: the randomized classifier
 * Q returned with duality gap g satisfies, when the learner is exact,
 *   OPT_pen <= err(Q) + B max(0, max gamma(Q) - eps) <= OPT + 2 g
 * (the right side from L_high - L <= g and L - L_low <= g, L_low <= OPT;
 * Agarwal et al., Theorem 1's argument).  Plus the mixture's bookkeeping. */
static void eg_toy(int eo)
{
	static struct toy t;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error e = { 0 };
	double params[FT_MAX_PARAMS] = { eo ? FT_RED_EO : FT_RED_DP, 0.05, 0, 50, 2.0, 1e-6 };
	double *s = NULL, *pos = NULL, err, mg, gap, Lh, sum = 0.0, best = INFINITY, dscore;
	int in_support = 0;

	memset(&out, 0, sizeof out);
	if (toy_load(&t) != 0)
		return;
	toy_input(&t, &in, params);
	if (ft_fit_eg(&in, &out, &e) != 0) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	T_CHECK(out.pred.mixture && out.pred.mixture->k >= 1 && out.pred.linear);
	if (!out.pred.mixture || !out.pred.linear)
		goto done;
	for (size_t k = 0; k < out.pred.mixture->k; k++) {
		T_CHECK(out.pred.mixture->weight[k] > 0.0);
		sum += out.pred.mixture->weight[k];
		in_support |= same_model(out.pred.linear, out.pred.mixture->h[k]);
	}
	T_NEAR(sum, 1.0, 1e-12);
	T_CHECKF(in_support, "the deterministic choice is not in the mixture's support");
	s = malloc(t.d.n * sizeof *s);
	pos = malloc(t.d.n * sizeof *pos);
	if (!s || !pos) {
		T_FAIL("out of memory");
		goto done;
	}
	T_CHECK(ft_classify(NULL, out.pred.mixture, NULL, &t.d, 0.5, s, pos, &e) == 0);
	toy_measure(&t, pos, eo, &err, &mg);
	T_NEAR(diag(&out, "error"), err, 1e-12);
	T_NEAR(diag(&out, "violation"), mg, 1e-12);
	gap = diag(&out, "gap");
	T_CHECKF(gap <= diag(&out, "nu"), "gap %g above nu %g", gap, diag(&out, "nu"));
	T_CHECK(out.res.converged);
	Lh = err + 20.0 * fmax(0.0, mg - 0.05);
	T_CHECKF(Lh <= t.opt[eo] + 2 * gap + 1e-9, "err + B viol = %.12g above OPT %.12g + 2 gap",
	         Lh, t.opt[eo]);
	T_CHECKF(Lh >= t.opt_pen[eo] - 1e-9, "err + B viol = %.12g below the LP bound %.12g", Lh,
	         t.opt_pen[eo]);
	/* the deterministic choice: the support member of the smallest
	 * 0.5 err + 0.5 max gamma */
	for (size_t k = 0; k < out.pred.mixture->k; k++) {
		double ek, gk;
		ft_classify(out.pred.mixture->h[k], NULL, NULL, &t.d, 0.5, s, pos, &e);
		toy_measure(&t, pos, eo, &ek, &gk);
		best = fmin(best, 0.5 * ek + 0.5 * gk);
	}
	ft_classify(out.pred.linear, NULL, NULL, &t.d, 0.5, s, pos, &e);
	toy_measure(&t, pos, eo, &err, &mg);
	dscore = 0.5 * err + 0.5 * mg;
	T_NEAR(dscore, best, 1e-12);
	T_NEAR(diag(&out, "det_error"), err, 1e-12);
	T_NEAR(diag(&out, "det_violation"), mg, 1e-12);
	T_CHECK(out.res.iterations == (int)diag(&out, "iterations"));
	T_CHECK(!isnan(diag(&out, eo ? "lambda[-,y=1,B]" : "lambda[+,A]")));
	fprintf(stderr, "eg toy %s: err %.6f, max gamma %.6f (eps 0.05), OPT %.6f, gap %.3g, "
	        "%g iterations, %g best responses, support %zu\n", eo ? "eo" : "dp",
	        diag(&out, "error"), diag(&out, "violation"), t.opt[eo], gap,
	        diag(&out, "iterations"), diag(&out, "best_responses"), out.pred.mixture->k);
done:
	free(s);
	free(pos);
	ft_fit_output_clear(&out);
	ft_linear_model_free(t.base);
}

static void test_eg_toy_dp(void)
{
	eg_toy(0);
}

/* Exponentiated gradient alone (no LP step) for 20 iterations: its average
 * of best responses alternates between two predictors and settles near
 * the optimum but not on it (Fairlearn's eta0 = 2 is a large step); the
 * gap it reports must be small and honest (the same two-sided bound).  A
 * multiplier update of the wrong sign ends with a gap near 2.7. */
static void test_eg_toy_no_lp(void)
{
	static struct toy t;

	if (toy_load(&t) != 0)
		return;
	for (int eo = 0; eo < 2; eo++) {
		struct ft_fit_input in;
		struct ft_fit_output out;
		struct ft_error e = { 0 };
		double params[FT_MAX_PARAMS] = { eo ? FT_RED_EO : FT_RED_DP, 0.05, 0, 20, 2.0, 1e-6 };
		double err, mg, gap, Lh, sum = 0.0;

		memset(&out, 0, sizeof out);
		toy_input(&t, &in, params);
		if (ft_red_eg(&in, 0, &out, &e) != 0) {
			T_FAIL("%s", e.msg);
			break;
		}
		err = diag(&out, "error");
		mg = diag(&out, "violation");
		gap = diag(&out, "gap");
		Lh = err + 20.0 * fmax(0.0, mg - 0.05);
		T_CHECKF(gap < 0.01, "%s: gap %g after 20 iterations", eo ? "eo" : "dp", gap);
		T_CHECK(diag(&out, "lp_step") == 0.0 && diag(&out, "iterations") == 20.0);
		T_CHECKF(Lh <= t.opt[eo] + 2 * gap + 1e-9 && Lh >= t.opt_pen[eo] - 1e-9,
		         "%s: err + B viol = %.9g, OPT %.9g, gap %.3g", eo ? "eo" : "dp", Lh,
		         t.opt[eo], gap);
		for (size_t k = 0; out.pred.mixture && k < out.pred.mixture->k; k++)
			sum += out.pred.mixture->weight[k];
		T_NEAR(sum, 1.0, 1e-12);
		fprintf(stderr, "eg toy %s without the LP step: err %.6f, max gamma %.6f, "
		        "OPT %.6f, gap %.3g\n", eo ? "eo" : "dp", err, mg, t.opt[eo], gap);
		ft_fit_output_clear(&out);
	}
	ft_linear_model_free(t.base);
}

static void test_eg_toy_eo(void)
{
	eg_toy(1);
}

/* grid on the toy problem: every point's error and violation are those of
 * the brute-force best response, and the chosen point is the fixture's. */
static void grid_toy(int eo)
{
	static struct toy t;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error e = { 0 };
	double params[FT_MAX_PARAMS] = { eo ? FT_RED_EO : FT_RED_DP, 0.05, 0, 0, 2.0, 0.5 };
	const struct ft_frontier *fr;
	double worst = 0.0;

	memset(&out, 0, sizeof out);
	if (toy_load(&t) != 0)
		return;
	params[3] = (double)t.n_grid[eo];
	toy_input(&t, &in, params);
	if (ft_fit_grid(&in, &out, &e) != 0) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	fr = out.pred.frontier;
	T_CHECK(fr && out.pred.linear);
	if (!fr || !out.pred.linear)
		goto done;
	T_CHECK(fr->k == t.n_grid[eo]);
	T_CHECK(fr->n_lambda == (eo ? 8u : 4u));
	for (size_t j = 0; j < fr->k && j < 64; j++) {
		const double *l = fr->lambda + j * fr->n_lambda;
		/* lambda: per event, the coordinate is on the fixture's axis group
		 * (the larger in the event); the other group has none */
		for (int ev = 0; ev < (eo ? 2 : 1); ev++) {
			double c = t.gc[eo][j][ev];
			size_t E = eo ? 2 : 1, a = t.axis[eo][ev], b = 1 - a;
			T_NEAR(l[(size_t)ev * 2 + a], c > 0 ? c : 0.0, 1e-15);
			T_NEAR(l[(E + (size_t)ev) * 2 + a], c < 0 ? -c : 0.0, 1e-15);
			T_CHECK(l[(size_t)ev * 2 + b] == 0.0 && l[(E + (size_t)ev) * 2 + b] == 0.0);
		}
		worst = fmax(worst, fabs(fr->error[j] - t.gerr[eo][j]));
		worst = fmax(worst, fabs(fr->violation[j] - t.gviol[eo][j]));
	}
	T_CHECKF(worst < 1e-12, "frontier vs brute force: worst difference %.3g", worst);
	T_CHECKF(fr->chosen == t.chosen[eo], "chose point %zu, the fixture %zu", fr->chosen,
	         t.chosen[eo]);
	T_CHECK(same_model(out.pred.linear, fr->h[fr->chosen]));
	T_NEAR(diag(&out, "error"), t.gerr[eo][t.chosen[eo]], 1e-12);
	fprintf(stderr, "grid toy %s: %zu points, chose %zu (err %.6f, violation %.6f), "
	        "%g Newton iterations\n", eo ? "eo" : "dp", fr->k, fr->chosen,
	        fr->error[fr->chosen], fr->violation[fr->chosen],
	        diag(&out, "newton_iterations"));
done:
	ft_fit_output_clear(&out);
	ft_linear_model_free(t.base);
}

static void test_grid_toy_dp(void)
{
	grid_toy(0);
}

static void test_grid_toy_eo(void)
{
	grid_toy(1);
}

/* ------------------------------------------ three groups, ratio bound */

#define SN 600

struct synth {
	struct ft_dataset d;
	double num[SN * 2], y[SN], w[SN];
	int32_t group[SN];
};

static uint64_t lcg;

static double unif(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((lcg >> 11) + 0.5) / 9007199254740992.0;
}

static void synth_make(struct synth *s)
{
	lcg = 7;
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < SN; i++) {
		int32_t g = (int32_t)(unif() * 3);
		double x0 = 2 * unif() - 1 + 0.5 * g, x1 = 2 * unif() - 1;
		s->group[i] = g;
		s->num[i * 2] = x0;
		s->num[i * 2 + 1] = x1;
		s->y[i] = unif() < 1 / (1 + exp(-(2 * x0 + x1 - 0.5)));
		s->w[i] = 0.5 + unif();
	}
	s->d.n = SN;
	s->d.p = 2;
	s->d.n_num = 2;
	s->d.num = s->num;
	s->d.y = s->y;
	s->d.w = s->w;
	s->d.group = s->group;
	s->d.n_groups = 3;
}

/* Three groups, every moment, difference and ratio bounds: the mixture's
 * constraints, recomputed here, meet Theorem 1's bound eps + (1 + 2 gap)
 * / B, and the diagnostics agree with the recomputation. */
static void test_eg_three_groups(void)
{
	static struct synth s;
	static const char *const names[3] = { "a", "b", "c" };
	struct ft_logreg_params lp;
	struct ft_error e = { 0 };
	double *sc = malloc(SN * sizeof *sc), *pos = malloc(SN * sizeof *pos);

	synth_make(&s);
	ft_logreg_params_init(&lp);
	for (int kind = 0; sc && pos && kind < FT_RED_BGL; kind++)   /* bgl: test_bgl.c */
		for (int rr = 0; rr < 2; rr++) {
			double params[FT_MAX_PARAMS] = { kind, 0.02, rr ? 0.9 : 0, 50, 2.0, 0 };
			struct ft_fit_input in;
			struct ft_fit_output out;
			struct ft_moment mo;
			double S[8], err, gam[12], r = rr ? 0.9 : 1.0, gap, mg;

			memset(&in, 0, sizeof in);
			memset(&out, 0, sizeof out);
			in.train = &s.d;
			in.n_groups = 3;
			in.group_names = names;
			in.privileged = -1;
			in.lr = &lp;
			in.params = params;     /* no baseline: starts from zero */
			if (ft_fit_eg(&in, &out, &e) != 0) {
				T_FAIL("kind %d ratio %g: %s", kind, r, e.msg);
				return;
			}
			ft_classify(NULL, out.pred.mixture, NULL, &s.d, 0.5, sc, pos, &e);
			if (ft_moment_init(&mo, &s.d, 3, names, kind, 0.02, r, "t", &e) != 0) {
				T_FAIL("%s", e.msg);
				return;
			}
			ft_moment_tally(&mo, pos, S);
			ft_moment_eval(&mo, S, &err, gam);
			mg = -INFINITY;
			for (size_t k = 0; k < mo.m; k++)
				mg = fmax(mg, gam[k]);
			gap = diag(&out, "gap");
			T_NEAR(diag(&out, "error"), err, 1e-12);
			T_NEAR(diag(&out, "violation"), mg, 1e-12);
			T_CHECKF(mg <= 0.02 + (1 + 2 * gap) * 0.02, "kind %d ratio %g: violation %g",
			         kind, r, mg);
			T_CHECK(out.n_diag == 14 + mo.m);
			ft_moment_free(&mo);
			ft_fit_output_clear(&out);
		}
	free(sc);
	free(pos);
}

/* ------------------------------------------------ table and fit errors */

static void test_method_table(void)
{
	const struct ft_method *m;
	double p[FT_MAX_PARAMS];
	struct ft_error e = { 0 };

	T_CHECK(ft_method_parse("eg", &m, p, &e) == 0);
	T_STREQ(m->name, "eg");
	T_CHECK(m->n_params == 8 && m->needs_groups && m->stage == FT_STAGE_IN);
	T_CHECK(p[0] == 0 && p[1] == 0.01 && p[2] == 0 && p[3] == 50 && p[4] == 2.0 && p[5] == 0);
	T_STREQ(m->params[5].name, "nu");
	T_CHECK(ft_method_parse("eg:eo,eps=0.05", &m, p, &e) == 0);
	T_CHECK(p[0] == FT_RED_EO && p[1] == 0.05);
	T_CHECK(ft_method_parse("grid", &m, p, &e) == 0);
	T_CHECK(m->n_params == 8);
	T_CHECK(p[0] == 0 && p[1] == 0.01 && p[2] == 0 && p[3] == 10 && p[4] == 2.0 && p[5] == 0.5);
	T_STREQ(m->params[5].name, "constraint_weight");
	T_CHECK(ft_method_parse("grid:constraint=erp,grid_size=41", &m, p, &e) == 0);
	T_CHECK(p[0] == FT_RED_ERP && p[3] == 41);
	T_STREQ(ft_param_choice(&m->params[0], 3), "fpr");
	T_CHECK(ft_method_parse("eg:constraint=xx", &m, p, &e) == FT_EINVAL);
	T_CHECKF(strstr(e.msg, "dp|eo|tpr|fpr|erp|bgl") != NULL, "%s", e.msg);
	ft_error_clear(&e);
	T_CHECK(ft_method_parse("grid:grid_size=0", &m, p, &e) == FT_EINVAL);
	ft_error_clear(&e);
	T_CHECK(ft_method_parse("eg:ratio=1.5", &m, p, &e) == FT_EINVAL);
}

static void test_fit_errors(void)
{
	static struct toy t;
	struct ft_fit_input in;
	struct ft_fit_output out;
	double params[FT_MAX_PARAMS] = { FT_RED_TPR, 0.05, 0, 50, 2.0, 0 };
	const char *names3[3] = { "A", "B", "C" };

	memset(&out, 0, sizeof out);
	if (toy_load(&t) != 0)
		return;
	toy_input(&t, &in, params);
	in.n_groups = 3;      /* group C has no rows */
	in.group_names = names3;
	{
		struct ft_error e = { 0 };
		T_CHECK(ft_fit_eg(&in, &out, &e) == FT_EDATA);
		T_CHECKF(strstr(e.msg, "eg: group C has no training rows") != NULL, "%s", e.msg);
		T_CHECK(!out.pred.linear && !out.pred.mixture);
	}
	{
		struct ft_error e = { 0 };
		params[3] = 11;
		T_CHECK(ft_fit_grid(&in, &out, &e) == FT_EDATA);
		T_CHECKF(strstr(e.msg, "grid: group C has no training rows") != NULL, "%s", e.msg);
		T_CHECK(!out.pred.linear && !out.pred.frontier);
	}
	in.n_groups = 2;
	/* group B's positives moved to group A: tpr cannot be measured in B */
	for (size_t i = 0; i < t.d.n; i++)
		if (t.group[i] == 1 && t.y[i] > 0.5)
			t.group[i] = 0;
	{
		struct ft_error e = { 0 };
		T_CHECK(ft_fit_eg(&in, &out, &e) == FT_EDATA);
		T_CHECKF(strstr(e.msg, "group B has no training rows with label 1") != NULL, "%s",
		         e.msg);
	}
	{
		struct ft_error e = { 0 };
		params[0] = FT_RED_N;
		T_CHECK(ft_fit_eg(&in, &out, &e) == FT_EINVAL);
	}
	ft_linear_model_free(t.base);
}

/* grid_size 1 is the origin, lambda = 0: the baseline's own problem, so
 * the same decisions as the baseline. */
static void test_grid_origin_is_baseline(void)
{
	static struct toy t;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error e = { 0 };
	double params[FT_MAX_PARAMS] = { FT_RED_DP, 0.05, 0, 1, 2.0, 0.5 };
	double a[TOY_MAX], b[TOY_MAX], sa[TOY_MAX], sb[TOY_MAX];

	memset(&out, 0, sizeof out);
	if (toy_load(&t) != 0)
		return;
	toy_input(&t, &in, params);
	if (ft_fit_grid(&in, &out, &e) != 0) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	T_CHECK(out.pred.frontier && out.pred.frontier->k == 1);
	ft_classify(out.pred.linear, NULL, NULL, &t.d, 0.5, sa, a, &e);
	ft_classify(t.base, NULL, NULL, &t.d, 0.5, sb, b, &e);
	T_CHECK(!memcmp(a, b, t.d.n * sizeof *a));
	for (size_t i = 0; i < t.d.n; i++)
		T_NEAR(sa[i], sb[i], 1e-6);
done:
	ft_fit_output_clear(&out);
	ft_linear_model_free(t.base);
}

/* ------------------------------------------------------------ Adult */

struct adult {
	struct ft_table *tr, *te;
	struct ft_encoder *enc;
	struct ft_dataset *d, *dt;
	struct ft_logreg_params lp;
	struct ft_linear_model *base;
	double base_f;
};

static void adult_free(struct adult *a)
{
	ft_linear_model_free(a->base);
	ft_dataset_free(a->d);
	ft_dataset_free(a->dt);
	ft_encoder_free(a->enc);
	ft_table_free(a->tr);
	ft_table_free(a->te);
}

/* As test_adult_sklearn.c: adult.data, sex sensitive, fnlwgt dropped; the
 * test file adult.test (first line skipped, labels end in "."). */
static int adult_load(struct adult *a)
{
	char path[4096];
	struct ft_read_opts ro;
	struct ft_spec sp;
	struct ft_error e = { 0 };
	struct ft_solver_result r;

	memset(a, 0, sizeof *a);
	t_adult_opts(&ro, &sp);
	ft_logreg_params_init(&a->lp);
	snprintf(path, sizeof path, "%s/adult/adult.data", t_data_dir());
	if (ft_table_read(path, &ro, &a->tr, &e) != 0 ||
	    ft_encoder_fit(a->tr, &sp, &a->enc, &e) != 0 ||
	    ft_encoder_apply(a->enc, a->tr, FT_APPLY_TRAIN, &a->d, NULL, &e) != 0 ||
	    ft_logreg_fit(a->d, &a->lp, &a->base, &r, &e) != 0) {
		T_FAIL("%s", e.msg);
		return -1;
	}
	a->base_f = r.f;
	snprintf(path, sizeof path, "%s/adult/adult.test", t_data_dir());
	ro.skip_rows = 1;
	if (ft_table_read(path, &ro, &a->te, &e) != 0 ||
	    ft_encoder_apply(a->enc, a->te, FT_APPLY_TRAIN, &a->dt, NULL, &e) != 0) {
		T_FAIL("%s", e.msg);
		return -1;
	}
	return 0;
}

/* Expected accuracy, demographic-parity difference and equalized-odds
 * difference (max of |TPR gap|, |FPR gap|) of P(yhat = 1) = pos on the
 * test set, two groups. */
static void adult_measure(const struct ft_dataset *dt, const double *pos, double *acc,
                          double *dp, double *eo)
{
	double W = 0, a = 0, sw[2] = { 0 }, sp[2] = { 0 }, yw[2][2] = { { 0 } },
	       ys[2][2] = { { 0 } };

	for (size_t i = 0; i < dt->n; i++) {
		double w = dt->w ? dt->w[i] : 1.0;
		int g = dt->group[i], y = dt->y[i] > 0.5;
		W += w;
		a += w * (y ? pos[i] : 1 - pos[i]);
		sw[g] += w;
		sp[g] += w * pos[i];
		yw[y][g] += w;
		ys[y][g] += w * pos[i];
	}
	*acc = a / W;
	*dp = fabs(sp[0] / sw[0] - sp[1] / sw[1]);
	*eo = fmax(fabs(ys[1][0] / yw[1][0] - ys[1][1] / yw[1][1]),
	           fabs(ys[0][0] / yw[0][0] - ys[0][1] / yw[0][1]));
}

static void test_adult_eg(void)
{
	static struct adult a;
	double *s = NULL, *pos = NULL, acc, dp, eo;
	struct ft_error e = { 0 };

	if (adult_load(&a) != 0)
		goto done;
	s = malloc(a.dt->n * sizeof *s);
	pos = malloc(a.dt->n * sizeof *pos);
	if (!s || !pos) {
		T_FAIL("out of memory");
		goto done;
	}
	T_CHECK(a.enc->n_groups == 2);
	ft_classify(a.base, NULL, NULL, a.dt, 0.5, s, pos, &e);
	adult_measure(a.dt, pos, &acc, &dp, &eo);
	fprintf(stderr, "adult test, baseline: accuracy %.4f, dp diff %.4f, eo diff %.4f\n",
	        acc, dp, eo);
	for (int kind = 0; kind < 2; kind++) {
		double params[FT_MAX_PARAMS] = { kind ? FT_RED_EO : FT_RED_DP, 0.01, 0, 50, 2.0, 0 };
		struct ft_fit_input in;
		struct ft_fit_output out;
		double t0, t1;

		memset(&in, 0, sizeof in);
		memset(&out, 0, sizeof out);
		in.train = a.d;
		in.n_groups = a.enc->n_groups;
		in.group_names = (const char *const *)a.enc->group_names;
		in.privileged = -1;
		in.lr = &a.lp;
		in.baseline = a.base;
		in.baseline_objective = a.base_f;
		in.params = params;
		t0 = t_now();
		if (ft_fit_eg(&in, &out, &e) != 0) {
			T_FAIL("%s", e.msg);
			goto done;
		}
		t1 = t_now();
		T_CHECK(ft_classify(NULL, out.pred.mixture, NULL, a.dt, 0.5, s, pos, &e) == 0);
		adult_measure(a.dt, pos, &acc, &dp, &eo);
		if (kind == 0) {
			T_CHECKF(dp < 0.02, "eg dp: test dp difference %.4f", dp);
			T_CHECKF(acc >= 0.825, "eg dp: test accuracy %.4f", acc);
		} else {
			T_CHECKF(eo < 0.03, "eg eo: test eo difference %.4f", eo);
		}
		fprintf(stderr, "adult test, eg %s eps 0.01: accuracy %.4f, dp diff %.4f, eo diff "
		        "%.4f; train error %.4f, violation %.4f, gap %.2g, %g iterations, %g best "
		        "responses, support %zu, %.3f s\n", kind ? "eo" : "dp", acc, dp, eo,
		        diag(&out, "error"), diag(&out, "violation"), diag(&out, "gap"),
		        diag(&out, "iterations"), diag(&out, "best_responses"), out.pred.mixture->k,
		        t1 - t0);
		ft_classify(out.pred.linear, NULL, NULL, a.dt, 0.5, s, pos, &e);
		adult_measure(a.dt, pos, &acc, &dp, &eo);
		fprintf(stderr, "adult test, eg %s deterministic choice: accuracy %.4f, dp diff "
		        "%.4f, eo diff %.4f\n", kind ? "eo" : "dp", acc, dp, eo);
		ft_fit_output_clear(&out);
	}
done:
	free(s);
	free(pos);
	adult_free(&a);
}

int main(void)
{
	char path[4096];

	T_RUN(test_moments_by_hand);
	T_RUN(test_signed_by_hand);
	T_RUN(test_signed_is_derivative);
	T_RUN(test_relabel_by_hand);
	T_RUN(test_best_response_tiny);
	T_RUN(test_moment_errors);
	T_RUN(test_lp_by_hand);
	T_RUN(test_lp_scipy);
	T_RUN(test_grid_by_hand);
	T_RUN(test_eg_toy_dp);
	T_RUN(test_eg_toy_eo);
	T_RUN(test_eg_toy_no_lp);
	T_RUN(test_grid_toy_dp);
	T_RUN(test_grid_toy_eo);
	T_RUN(test_eg_three_groups);
	T_RUN(test_method_table);
	T_RUN(test_fit_errors);
	T_RUN(test_grid_origin_is_baseline);
	if (!t_have_data("adult/adult.data", path, sizeof path) ||
	    !t_have_data("adult/adult.test", path, sizeof path))
		T_SKIP(test_adult_eg, "adult/adult.data or adult.test not found under $FAIRTRAIN_DATA");
	else
		T_RUN(test_adult_eg);
	return t_done();
}
