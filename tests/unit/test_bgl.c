/*
 * test_bgl.c - bounded group loss in eg and grid (constraint bgl;
 * src/fair/reductions.c; Agarwal, Dudik & Wu, ICML 2019; Fairlearn's
 * BoundedGroupLoss): the moment and its signed weights by hand, and as the
 * derivative of the Lagrangian; eg and grid on a toy problem whose answers
 * are known independently (tests/fixtures/bgl_toy.tsv, made by
 * scripts/fixtures/make_bgl_fixture.py: scipy's linprog over the mixtures
 * of the finite set of classifiers for the zero-one loss, a convex program
 * for the log loss, and every grid point's exact best response); on UCI
 * Adult (skipped without the data) every group's training loss of eg's
 * mixture within the bound.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "fair/reductions.h"
#include "model/model.h"
#include "t.h"
#include "adult_fixture.h"

#define FIX "tests/fixtures/bgl_toy.tsv"
#define TMAX 512

/* ------------------------------------------------------------ by hand */

/* Five rows: groups 0, 0, 1, 1 and one of no group; labels, weights and
 * P(yhat = 1). */
static void test_moment_by_hand(void)
{
	static const int32_t G5[5] = { 0, 0, 1, 1, -1 };
	static double Y5[5] = { 1, 0, 1, 0, 1 }, W5[5] = { 1, 3, 2, 2, 2 };
	static const double P5[5] = { 0.25, 0.5, 1, 0, 0.5 };
	static const char *const names[2] = { "A", "B" };
	struct ft_dataset d;
	struct ft_moment mo;
	struct ft_error e = { 0 };
	int32_t g[5];
	double S[6], err, gam[2], s[5], lam[2] = { 0.5, 2.0 }, y[5], w[5];
	char buf[32];
	int one;

	memset(&d, 0, sizeof d);
	memcpy(g, G5, sizeof g);
	d.n = 5;
	d.y = Y5;
	d.w = W5;
	d.group = g;
	d.n_groups = 2;
	if (ft_moment_init(&mo, &d, 2, names, FT_RED_BGL, 0.3, 1.0, "t", &e) != 0) {
		T_FAIL("%s", e.msg);
		return;
	}
	T_CHECK(mo.m == 2);
	ft_moment_tally(&mo, P5, S);
	ft_moment_eval(&mo, S, &err, gam);
	/* errors: row 0 1 x 0.75, row 1 3 x 0.5, row 2 0, row 3 0, row 4 2 x
	 * 0.5: total 3.25 / 10; group A 2.25 / 4, group B 0 / 4 */
	T_NEAR(err, 0.325, 1e-15);
	T_NEAR(gam[0], 2.25 / 4, 1e-15);
	T_NEAR(gam[1], 0.0, 1e-15);
	/* s_i = (2 y - 1) w (1 + lambda_a W / W_a): W = 10, W_A = W_B = 4 */
	T_CHECK(ft_moment_signed(&mo, lam, s) == 0);
	T_NEAR(s[0], 1 * (1 + 0.5 * 2.5), 1e-15);
	T_NEAR(s[1], -3 * (1 + 0.5 * 2.5), 1e-15);
	T_NEAR(s[2], 2 * (1 + 2.0 * 2.5), 1e-15);
	T_NEAR(s[3], -2 * (1 + 2.0 * 2.5), 1e-15);
	T_NEAR(s[4], 2.0, 1e-15);
	/* relabelling keeps the labels */
	T_CHECK(ft_red_relabel(&mo, lam, s, y, w, &one) == 0 && one == 0);
	for (int i = 0; i < 5; i++)
		T_CHECK(y[i] == Y5[i]);
	/* grid's span mode: no objective term */
	mo.span = 1;
	T_CHECK(ft_moment_signed(&mo, lam, s) == 0);
	T_NEAR(s[0], 1.25, 1e-15);
	T_NEAR(s[4], 0.0, 1e-15);
	ft_moment_name(&mo, 1, buf, sizeof buf);
	T_STREQ(buf, "B");
	ft_moment_free(&mo);
}

/* The signed weights are the derivative of err + lambda.gamma (zero-one
 * loss, through the tally): raising row i's P(yhat = 1) by delta changes
 * it by -delta s_i / W. */
static void test_signed_is_derivative(void)
{
	static const int32_t G7[7] = { 0, 1, 0, 1, 1, -1, 0 };
	static double Y7[7] = { 1, 0, 0, 1, 1, 0, 1 }, W7[7] = { 1, 2, 0.5, 1, 3, 1, 2 };
	struct ft_dataset d;
	struct ft_moment mo;
	struct ft_error e = { 0 };
	int32_t g[7];
	double lam[2] = { 0.7, 1.9 }, s[7], p[7], S[6], gam[2], L0, W = 10.5, worst = 0;

	memset(&d, 0, sizeof d);
	memcpy(g, G7, sizeof g);
	d.n = 7;
	d.y = Y7;
	d.w = W7;
	d.group = g;
	if (ft_moment_init(&mo, &d, 2, NULL, FT_RED_BGL, 0.3, 1.0, "t", &e) != 0) {
		T_FAIL("%s", e.msg);
		return;
	}
	ft_moment_signed(&mo, lam, s);
	for (int i = 0; i < 7; i++)
		p[i] = 0.5;
	ft_moment_tally(&mo, p, S);
	ft_moment_eval(&mo, S, &L0, gam);
	L0 += lam[0] * gam[0] + lam[1] * gam[1];
	for (int i = 0; i < 7; i++) {
		double L1;
		p[i] = 0.8;
		ft_moment_tally(&mo, p, S);
		ft_moment_eval(&mo, S, &L1, gam);
		L1 += lam[0] * gam[0] + lam[1] * gam[1];
		p[i] = 0.5;
		worst = fmax(worst, fabs((L1 - L0) - (-0.3 * s[i] / W)));
	}
	T_CHECKF(worst < 1e-14, "worst %.3g", worst);
	ft_moment_free(&mo);
}

/* ------------------------------------------------------------ the toy */

struct toy {
	struct ft_dataset d;
	double y[TMAX], w[TMAX];
	int32_t code[TMAX], group[TMAX];
	size_t line[TMAX];
	struct ft_logreg_params lp;
	struct ft_linear_model *base;
	/* [0] zero_one, [1] log */
	double zeta[2], eps[2], opt[2], opt_pen[2];
	double gerr[2][16], gmax[2][16], glam[2][16][2];
	size_t n_grid[2], chosen[2];
};

static int fx_loss(const char *s)
{
	return strcmp(s, "log") == 0;
}

/* The toy: one categorical feature v (4 one-hot columns), C = 1e4 so that
 * the weighted logistic best response is the exact one (per v: the
 * weighted-majority label; for the log loss the weighted rate, to about
 * 1e-4). */
static int toy_load(struct toy *t)
{
	FILE *fp = fopen(FIX, "r");
	char buf[1024], *f[16], *sv;
	struct ft_error e = { 0 };
	struct ft_solver_result r;

	memset(t, 0, sizeof *t);
	if (!fp) {
		T_FAIL("cannot read %s (run from the repository root)", FIX);
		return -1;
	}
	while (fgets(buf, sizeof buf, fp)) {
		size_t nf = 0;
		if (buf[0] == '#')
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		for (char *tok = strtok_r(buf, "\t", &sv); tok && nf < 16; tok = strtok_r(NULL, "\t", &sv))
			f[nf++] = tok;
		if (nf == 6 && !strcmp(f[0], "block")) {
			for (long c = 0; c < atol(f[4]) && t->d.n < TMAX; c++) {
				size_t i = t->d.n++;
				t->group[i] = atoi(f[1]);
				t->code[i] = atoi(f[2]);
				t->y[i] = atof(f[3]);
				t->w[i] = atof(f[5]);
				t->line[i] = i + 1;
			}
		} else if (nf == 6 && !strcmp(f[0], "opt")) {
			int k = fx_loss(f[1]);
			t->zeta[k] = atof(f[2]);
			t->eps[k] = atof(f[3]);
			t->opt[k] = atof(f[4]);
			t->opt_pen[k] = atof(f[5]);
		} else if (nf == 7 && !strcmp(f[0], "grid")) {
			int k = fx_loss(f[1]);
			size_t j = (size_t)atol(f[2]);
			if (j >= 16)
				continue;
			t->gerr[k][j] = atof(f[3]);
			t->gmax[k][j] = atof(f[4]);
			t->glam[k][j][0] = atof(f[5]);
			t->glam[k][j][1] = atof(f[6]);
			if (j + 1 > t->n_grid[k])
				t->n_grid[k] = j + 1;
		} else if (nf == 3 && !strcmp(f[0], "grid_chosen")) {
			t->chosen[fx_loss(f[1])] = (size_t)atol(f[2]);
		}
	}
	fclose(fp);
	t->d.p = 4;
	t->d.n_cat = 1;
	t->d.code = t->code;
	t->d.y = t->y;
	t->d.w = t->w;
	t->d.group = t->group;
	t->d.n_groups = 2;
	t->d.line = t->line;
	ft_logreg_params_init(&t->lp);
	t->lp.C = 1e4;
	if (t->d.n < 100 || !t->n_grid[0] || !t->n_grid[1] ||
	    ft_logreg_fit(&t->d, &t->lp, &t->base, &r, &e) != 0) {
		T_FAIL("toy: %zu rows; %s", t->d.n, e.msg);
		return -1;
	}
	return 0;
}

static const char *const NAMES[2] = { "A", "B" };

static void toy_input(struct toy *t, const double *params, struct ft_fit_input *in)
{
	memset(in, 0, sizeof *in);
	in->train = &t->d;
	in->n_groups = 2;
	in->group_names = NAMES;
	in->privileged = -1;
	in->lr = &t->lp;
	in->baseline = t->base;
	in->params = params;
}

/* The mean loss overall and per group of the mixture Q (its members'
 * losses averaged by their weights), computed here from the members'
 * probabilities: zero-one of 1[s >= 0.5] or the log loss of s. */
static void mix_losses(const struct ft_dataset *d, const struct ft_mixture *mx, int log_loss,
                       double *all, double *grp)
{
	double *s = malloc(d->n * sizeof *s), sw[2] = { 0 }, W = 0.0;

	*all = 0.0;
	grp[0] = grp[1] = 0.0;
	for (size_t k = 0; s && k < mx->k; k++) {
		ft_linear_predict_proba(mx->h[k], d, s);
		for (size_t i = 0; i < d->n; i++) {
			double w = d->w[i], y = d->y[i], l;
			l = log_loss ? -(y * log(s[i]) + (1 - y) * log(1 - s[i])) :
			    (double)((s[i] >= 0.5) != (y > 0.5));
			*all += mx->weight[k] * w * l;
			if (d->group[i] >= 0)
				grp[d->group[i]] += mx->weight[k] * w * l;
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		W += d->w[i];
		if (d->group[i] >= 0)
			sw[d->group[i]] += d->w[i];
	}
	*all /= W;
	grp[0] /= sw[0];
	grp[1] /= sw[1];
	free(s);
}

/* eg against the optimum: with duality gap g and an exact learner,
 *   OPT_pen <= err(Q) + B max(0, max_a loss_a(Q) - zeta) <= OPT + 2 g
 * (as test_reductions.c's eg_toy); the mixture's losses recomputed here
 * match the diagnostics. */
static void eg_toy(int log_loss)
{
	static struct toy t;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error e = { 0 };
	double params[FT_MAX_PARAMS], all, grp[2], mg, gap, Lh, B, tol = log_loss ? 1e-4 : 1e-9;

	memset(&out, 0, sizeof out);
	if (toy_load(&t) != 0)
		return;
	B = 1.0 / t.eps[log_loss];
	params[0] = FT_RED_BGL;
	params[1] = t.eps[log_loss];
	params[2] = 0;
	params[3] = 50;
	params[4] = 2.0;
	params[5] = 1e-7;
	params[6] = log_loss ? FT_RED_LOSS_LOG : FT_RED_LOSS_ZERO_ONE;
	params[7] = t.zeta[log_loss];
	toy_input(&t, params, &in);
	if (ft_fit_eg(&in, &out, &e) != 0 || !out.pred.mixture) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	mix_losses(&t.d, out.pred.mixture, log_loss, &all, grp);
	mg = fmax(grp[0], grp[1]);
	T_NEAR(fx_diag(&out, "error"), all, 1e-12);
	T_NEAR(fx_diag(&out, "violation"), mg, 1e-12);
	gap = fx_diag(&out, "gap");
	Lh = all + B * fmax(0.0, mg - t.zeta[log_loss]);
	T_CHECKF(Lh <= t.opt[log_loss] + 2 * gap + tol, "loss + B viol %.12g above OPT %.12g + "
	         "2 gap %.3g", Lh, t.opt[log_loss], gap);
	T_CHECKF(Lh >= t.opt_pen[log_loss] - tol, "loss + B viol %.12g below the bound %.12g", Lh,
	         t.opt_pen[log_loss]);
	T_CHECKF(mg <= t.zeta[log_loss] + (1 + 2 * gap) / B, "group loss %.6g", mg);
	T_CHECK(!isnan(fx_diag(&out, "lambda[B]")));
	fprintf(stderr, "bgl eg toy %s: loss %.6f, group losses %.6f %.6f (bound %g), OPT %.6f, "
	        "gap %.3g, support %zu\n", log_loss ? "log" : "zero_one", all, grp[0], grp[1],
	        t.zeta[log_loss], t.opt[log_loss], gap, out.pred.mixture->k);
done:
	ft_fit_output_clear(&out);
	ft_linear_model_free(t.base);
}

static void test_eg_toy_zero_one(void)
{
	eg_toy(0);
}

static void test_eg_toy_log(void)
{
	eg_toy(1);
}

/* grid: every point's multipliers, loss and largest group loss are the
 * fixture's exact best response's (zero-one: exactly, the learner decides
 * each v as the exact oracle; log: to 2e-5, the L2 term with C = 1e4), and
 * the chosen point is the fixture's. */
static void grid_toy(int log_loss)
{
	static struct toy t;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error e = { 0 };
	double params[FT_MAX_PARAMS], worst = 0.0, tol = log_loss ? 2e-5 : 1e-12;
	const struct ft_frontier *fr;

	memset(&out, 0, sizeof out);
	if (toy_load(&t) != 0)
		return;
	params[0] = FT_RED_BGL;
	params[1] = 0.05;
	params[2] = 0;
	params[3] = (double)t.n_grid[log_loss];
	params[4] = 2.0;
	params[5] = 0.5;
	params[6] = log_loss ? FT_RED_LOSS_LOG : FT_RED_LOSS_ZERO_ONE;
	params[7] = t.zeta[log_loss];
	toy_input(&t, params, &in);
	if (ft_fit_grid(&in, &out, &e) != 0 || !(fr = out.pred.frontier)) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	T_CHECK(fr->k == t.n_grid[log_loss] && fr->n_lambda == 2);
	for (size_t j = 0; j < fr->k && j < 16; j++) {
		T_NEAR(fr->lambda[j * 2], t.glam[log_loss][j][0], 1e-14);
		T_NEAR(fr->lambda[j * 2 + 1], t.glam[log_loss][j][1], 1e-14);
		worst = fmax(worst, fabs(fr->error[j] - t.gerr[log_loss][j]));
		worst = fmax(worst, fabs(fr->violation[j] - t.gmax[log_loss][j]));
	}
	T_CHECKF(worst < tol, "frontier vs the exact best responses: worst %.3g", worst);
	T_CHECKF(fr->chosen == t.chosen[log_loss], "chose %zu, the fixture %zu", fr->chosen,
	         t.chosen[log_loss]);
	T_NEAR(fx_diag(&out, "violation_over_eps"), fr->violation[fr->chosen] - t.zeta[log_loss],
	       1e-15);
	fprintf(stderr, "bgl grid toy %s: %zu points, chose %zu (loss %.6f, max group loss "
	        "%.6f); largest difference from the exact best responses %.2g\n",
	        log_loss ? "log" : "zero_one", fr->k, fr->chosen, fr->error[fr->chosen],
	        fr->violation[fr->chosen], worst);
done:
	ft_fit_output_clear(&out);
	ft_linear_model_free(t.base);
}

static void test_grid_toy_zero_one(void)
{
	grid_toy(0);
}

static void test_grid_toy_log(void)
{
	grid_toy(1);
}

static void test_errors(void)
{
	static struct toy t;
	struct ft_fit_input in;
	struct ft_fit_output out;
	double params[FT_MAX_PARAMS] = { FT_RED_BGL, 0.05, 0, 50, 2.0, 0, 0, 0 };
	const struct ft_method *m;
	struct ft_error e = { 0 };

	memset(&out, 0, sizeof out);
	if (toy_load(&t) != 0)
		return;
	toy_input(&t, params, &in);
	T_CHECK(ft_fit_eg(&in, &out, &e) == FT_EINVAL);
	T_CHECKF(strstr(e.msg, "eg: bgl needs loss log or zero_one and upper_bound > 0") != NULL,
	         "%s", e.msg);
	T_CHECK(!out.pred.linear && !out.pred.mixture);
	ft_error_clear(&e);
	T_CHECK(ft_method_parse("grid:bgl:loss=zero_one,upper_bound=0.2", &m, params, &e) == 0);
	T_CHECK(params[0] == FT_RED_BGL && params[6] == FT_RED_LOSS_ZERO_ONE && params[7] == 0.2);
	T_CHECK(ft_method_parse("eg:bgl:loss=hinge", &m, params, &e) == FT_EINVAL);
	T_CHECKF(strstr(e.msg, "log|zero_one") != NULL, "%s", e.msg);
	ft_linear_model_free(t.base);
}

/* ------------------------------------------------------------ Adult */

/* Adult by sex: the males' training loss is the larger and barely moves
 * with the group weights (log loss 0.389 to 0.393 over grid search's
 * weightings; the baseline's 0.391): eg's mixture with bounds 0.39 (log)
 * and 0.1876 (zero-one), both binding and feasible, has every group's
 * training loss within the bound (the LP step's mixture meets it to
 * round-off). */
static void test_adult(void)
{
	static struct adult_fx a;
	char *sens[] = { "sex" };
	struct ft_error e = { 0 };

	if (adult_fx_load(&a, sens, 1, "Male", 0) != 0)
		goto done;
	for (int log_loss = 0; log_loss < 2; log_loss++) {
		double zeta = log_loss ? 0.39 : 0.1876, all, grp[2], t0;
		double params[FT_MAX_PARAMS] = { FT_RED_BGL, 0.01, 0, 50, 2.0, 0,
		                                 log_loss ? FT_RED_LOSS_LOG : FT_RED_LOSS_ZERO_ONE,
		                                 zeta };
		struct ft_fit_input in;
		struct ft_fit_output out;
		memset(&out, 0, sizeof out);
		adult_fx_input(&a, params, &in);
		t0 = t_now();
		if (ft_fit_eg(&in, &out, &e) != 0) {
			T_FAIL("%s", e.msg);
			goto done;
		}
		mix_losses(a.d, out.pred.mixture, log_loss, &all, grp);
		T_CHECKF(grp[0] <= zeta + 1e-9 && grp[1] <= zeta + 1e-9, "%s: group losses %.9f "
		         "%.9f above %g", log_loss ? "log" : "zero_one", grp[0], grp[1], zeta);
		T_CHECK(fx_diag(&out, "lambda[Male]") > 0);   /* the bound binds */
		fprintf(stderr, "adult eg bgl %s, bound %g: training loss %.6f, Female %.6f, Male "
		        "%.6f, support %zu, gap %.2g, %.3f s\n", log_loss ? "log" : "zero_one", zeta,
		        all, grp[0], grp[1], out.pred.mixture->k, fx_diag(&out, "gap"), t_now() - t0);
		ft_fit_output_clear(&out);
	}
done:
	adult_fx_free(&a);
}

int main(void)
{
	char path[4096];

	T_RUN(test_moment_by_hand);
	T_RUN(test_signed_is_derivative);
	T_RUN(test_eg_toy_zero_one);
	T_RUN(test_eg_toy_log);
	T_RUN(test_grid_toy_zero_one);
	T_RUN(test_grid_toy_log);
	T_RUN(test_errors);
	if (t_have_data("adult/adult.data", path, sizeof path))
		T_RUN(test_adult);
	else
		T_SKIP(test_adult, "no adult/adult.data");
	return t_done();
}
