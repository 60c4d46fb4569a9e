/*
 * test_adversarial.c - adversarial debiasing (src/fair/adversarial.c; Zhang,
 * Lemoine & Mitchell, AIES 2018): the predictor's and the adversary's
 * gradients against central finite differences of their losses, for dp
 * and eo, on a small data set with numeric and categorical features,
 * weights and a row of no group; the projected update by its defining
 * properties; the fit's determinism (same seed: same bits on one and two
 * threads; another seed: another model); the adversary's targets and the
 * errors; on UCI Adult (skipped without the data) the training
 * demographic-parity difference falls as alpha grows, and equalized odds
 * improves under eo.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "fair/inproc.h"
#include "model/model.h"
#include "t.h"
#include "adult_fixture.h"

#define SN 61
#define SP 5

struct small {
	struct ft_dataset d;
	double num[SN * 2], y[SN], w[SN];
	int32_t code[SN], group[SN];
	int8_t a[SN];
	size_t line[SN];
};

static uint64_t lcg = 11;

static double unif(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((lcg >> 11) + 0.5) / 9007199254740992.0;
}

/* Two numeric features, one categorical column of three categories
 * (features 2, 3, 4; code -1 = none), weights in [0.5, 1.5], two groups
 * and one row of no group (the last). */
static void small_make(struct small *s)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < SN; i++) {
		double x0 = 2 * unif() - 1, x1 = 2 * unif() - 1;
		int32_t g = unif() < 0.45;
		s->num[i * 2] = x0 + 0.6 * g;
		s->num[i * 2 + 1] = x1;
		s->code[i] = unif() < 0.1 ? -1 : 2 + (int32_t)(unif() * 3);
		s->y[i] = unif() < 1 / (1 + exp(-(1.5 * x0 - x1 + 0.8 * g - 0.2)));
		s->w[i] = 0.5 + unif();
		s->group[i] = i + 1 == SN ? -1 : g;
		s->a[i] = i + 1 == SN ? -1 : (int8_t)g;
		s->line[i] = i + 1;
	}
	s->d.n = SN;
	s->d.p = SP;
	s->d.n_num = 2;
	s->d.num = s->num;
	s->d.n_cat = 1;
	s->d.code = s->code;
	s->d.y = s->y;
	s->d.w = s->w;
	s->d.group = s->group;
	s->d.n_groups = 2;
	s->d.line = s->line;
}

/* Central differences of LP and LA in every coordinate of x and th against
 * the analytic gradients, on a batch of some rows (one twice). */
static void check_grad(int eo)
{
	static struct small s;
	static const size_t idx[9] = { 3, 17, 60, 5, 17, 42, 0, 29, 51 };
	size_t k = eo ? 4 : 1, dim = SP + 1;
	double x[SP + 1] = { 0.4, -0.7, 0.3, -0.2, 0.5, -0.1 };
	double th[6] = { -0.6, 0.9, -1.3, 0.7, 0.4, 0.2 }, gP[SP + 1], gA[SP + 1], gT[6];
	double LP, LA, worst = 0.0, h = 1e-6;

	small_make(&s);
	if (!eo)
		th[2] = 0.2;                /* th = (c, u0, b_a) */
	ft_adv_losses(&s.d, s.a, eo, 0.7, idx, 9, x, th, &LP, gP, &LA, gA, gT);
	for (size_t j = 0; j < dim; j++) {
		double xp[SP + 1], xm[SP + 1], lpp, lpm, lap, lam;
		memcpy(xp, x, sizeof x);
		memcpy(xm, x, sizeof x);
		xp[j] += h;
		xm[j] -= h;
		ft_adv_losses(&s.d, s.a, eo, 0.7, idx, 9, xp, th, &lpp, NULL, &lap, NULL, NULL);
		ft_adv_losses(&s.d, s.a, eo, 0.7, idx, 9, xm, th, &lpm, NULL, &lam, NULL, NULL);
		worst = fmax(worst, fabs((lpp - lpm) / (2 * h) - gP[j]));
		worst = fmax(worst, fabs((lap - lam) / (2 * h) - gA[j]));
	}
	for (size_t j = 0; j < 2 + k; j++) {
		double tp[6], tm[6], lap, lam;
		memcpy(tp, th, sizeof th);
		memcpy(tm, th, sizeof th);
		tp[j] += h;
		tm[j] -= h;
		ft_adv_losses(&s.d, s.a, eo, 0.7, idx, 9, x, tp, NULL, NULL, &lap, NULL, NULL);
		ft_adv_losses(&s.d, s.a, eo, 0.7, idx, 9, x, tm, NULL, NULL, &lam, NULL, NULL);
		worst = fmax(worst, fabs((lap - lam) / (2 * h) - gT[j]));
	}
	T_CHECKF(worst < 1e-8, "%s: worst gradient error %.3g", eo ? "eo" : "dp", worst);
	T_CHECK(LP > 0 && LA > 0);
	/* the row of no group (60) is not in LA: the same batch without it */
	{
		static const size_t idx2[8] = { 3, 17, 5, 17, 42, 0, 29, 51 };
		double la2;
		ft_adv_losses(&s.d, s.a, eo, 0.7, idx2, 8, x, th, NULL, NULL, &la2, NULL, NULL);
		T_NEAR(LA * 9.0, la2 * 8.0, 1e-13);
	}
	fprintf(stderr, "adversarial %s: largest gradient error vs central differences %.2g\n",
	        eo ? "eo" : "dp", worst);
}

static void test_grad_dp(void)
{
	check_grad(0);
}

static void test_grad_eo(void)
{
	check_grad(1);
}

/* The update direction: dir + alpha gA is orthogonal to gA (the
 * projection took out all of gP along gA), and what is left of gP is gP's
 * part orthogonal to gA; so a small step -h dir raises LA by h alpha
 * |gA|^2 and lowers LP by h (|gP|^2 - (gP.u)^2), first order, which the
 * losses confirm. */
static void test_direction(void)
{
	static struct small s;
	double x[SP + 1] = { 0.4, -0.7, 0.3, -0.2, 0.5, -0.1 }, th[6] = { 0.5, 2.0, -0.4 };
	double gP[SP + 1], gA[SP + 1], dir[SP + 1], d2[SP + 1], LP, LA, xs[SP + 1];
	double ort = 0.0, nA = 0.0, pu = 0.0, nP = 0.0, h = 1e-5, alpha = 0.7;
	double lp1, la1;

	small_make(&s);
	ft_adv_losses(&s.d, s.a, 0, 1.0, NULL, SN, x, th, &LP, gP, &LA, gA, NULL);
	ft_adv_direction(SP + 1, gP, gA, alpha, dir);
	for (size_t j = 0; j <= SP; j++) {
		ort += (dir[j] + alpha * gA[j]) * gA[j];
		nA += gA[j] * gA[j];
		nP += gP[j] * gP[j];
	}
	for (size_t j = 0; j <= SP; j++)
		pu += gP[j] * gA[j] / sqrt(nA);
	T_CHECKF(fabs(ort) < 1e-15 * (1 + nA), "(dir + alpha gA).gA = %.3g", ort);
	T_CHECK(nA > 1e-6);
	for (size_t j = 0; j <= SP; j++)
		xs[j] = x[j] - h * dir[j];
	ft_adv_losses(&s.d, s.a, 0, 1.0, NULL, SN, xs, th, &lp1, NULL, &la1, NULL, NULL);
	T_NEAR((la1 - LA) / h, alpha * nA, 1e-4);
	T_NEAR((lp1 - LP) / h, -(nP - pu * pu) + alpha * (pu * sqrt(nA)), 1e-4);
	/* no adversary gradient: the plain gradient */
	memset(gA, 0, sizeof gA);
	ft_adv_direction(SP + 1, gP, gA, alpha, d2);
	T_CHECK(!memcmp(d2, gP, sizeof d2));
	/* gP along gA: only - alpha gA is left */
	for (size_t j = 0; j <= SP; j++)
		gA[j] = -0.5 * gP[j];
	ft_adv_direction(SP + 1, gP, gA, alpha, d2);
	for (size_t j = 0; j <= SP; j++)
		T_NEAR(d2[j], -alpha * gA[j], 1e-14);
}

static void fit_input(struct small *s, const double *params, struct ft_logreg_params *lp,
                      struct ft_fit_input *in)
{
	ft_logreg_params_init(lp);
	memset(in, 0, sizeof *in);
	in->train = &s->d;
	in->n_groups = 2;
	in->privileged = -1;
	in->lr = lp;
	in->params = params;
}

/* Same seed: the same bits, on one thread and on two; another seed or
 * another alpha: another model.  The diagnostics are finite. */
static void test_deterministic(void)
{
	static struct small s;
	struct ft_logreg_params lp;
	struct ft_fit_input in;
	struct ft_fit_output o1, o2, o3;
	struct ft_error e = { 0 };
	double params[FT_MAX_PARAMS] = { 1, 0.5, 20, 8, 0.1, 0, 7 };

	small_make(&s);
	memset(&o1, 0, sizeof o1);
	memset(&o2, 0, sizeof o2);
	memset(&o3, 0, sizeof o3);
	fit_input(&s, params, &lp, &in);
	ft_set_threads(1);
	T_CHECK(ft_fit_adversarial(&in, &o1, &e) == 0);
	ft_set_threads(2);
	T_CHECK(ft_fit_adversarial(&in, &o2, &e) == 0);
	ft_set_threads(0);
	if (!o1.pred.linear || !o2.pred.linear) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	T_CHECK(!memcmp(o1.pred.linear->coef, o2.pred.linear->coef, SP * sizeof(double)));
	T_CHECK(o1.pred.linear->intercept == o2.pred.linear->intercept);
	T_CHECK(o1.n_diag == o2.n_diag && !memcmp(o1.diag, o2.diag, o1.n_diag * sizeof(double)));
	T_CHECK(fx_diag(&o1, "steps") == 20 * (SN / 8));
	for (size_t k = 0; k < o1.n_diag; k++)
		T_CHECKF(isfinite(o1.diag[k]), "%s = %g", o1.diag_name[k], o1.diag[k]);
	params[6] = 8;
	T_CHECK(ft_fit_adversarial(&in, &o3, &e) == 0);
	T_CHECK(o3.pred.linear && memcmp(o1.pred.linear->coef, o3.pred.linear->coef, SP * sizeof(double)));
	ft_fit_output_clear(&o3);
	memset(&o3, 0, sizeof o3);
	/* inv_t schedule: lr_final = lr / steps */
	params[5] = 1;
	T_CHECK(ft_fit_adversarial(&in, &o3, &e) == 0);
	T_NEAR(fx_diag(&o3, "lr_final"), 0.1 / fx_diag(&o3, "steps"), 1e-15);
done:
	ft_fit_output_clear(&o1);
	ft_fit_output_clear(&o2);
	ft_fit_output_clear(&o3);
}

static void test_targets_and_errors(void)
{
	static struct small s;
	struct ft_logreg_params lp;
	struct ft_fit_input in;
	struct ft_fit_output o;
	double params[FT_MAX_PARAMS] = { 0, 0.1, 1, 16, 0.1, 0, 1 };
	int8_t a[SN];
	struct ft_error e = { 0 };

	small_make(&s);
	memset(&o, 0, sizeof o);
	fit_input(&s, params, &lp, &in);
	T_CHECK(ft_adv_targets(&in, "adversarial", a, &e) == 0);
	T_CHECK(!memcmp(a, s.a, SN));
	in.privileged = 0;              /* group 0 is now the a = 1 side */
	T_CHECK(ft_adv_targets(&in, "adversarial", a, &e) == 0);
	for (size_t i = 0; i + 1 < SN; i++)
		T_CHECK(a[i] == (s.group[i] == 0));
	in.n_groups = 3;
	in.privileged = -1;
	T_CHECK(ft_fit_adversarial(&in, &o, &e) == FT_EDATA);
	T_CHECKF(strstr(e.msg, "adversarial: with 3 groups it needs a privileged group") != NULL,
	         "%s", e.msg);
	T_CHECK(!o.pred.linear);
	ft_error_clear(&e);
	in.n_groups = 2;
	for (size_t i = 0; i < SN; i++)
		s.group[i] = s.group[i] < 0 ? -1 : 0;
	T_CHECK(ft_fit_adversarial(&in, &o, &e) == FT_EDATA);
	T_CHECKF(strstr(e.msg, "privileged side") != NULL, "%s", e.msg);
	ft_error_clear(&e);
	small_make(&s);
	params[4] = 1e5;                /* a step this large diverges */
	params[2] = 50;
	params[1] = 1e5;
	T_CHECK(ft_fit_adversarial(&in, &o, &e) == FT_ENUMERIC);
	T_CHECKF(strstr(e.msg, "(lower lr)") != NULL, "%s", e.msg);
	T_CHECK(!o.pred.linear);
}

/* Equalized-odds difference (the larger of the TPR and FPR gaps) of
 * P(yhat = 1) = pos, two groups. */
static double eo_diff(const struct ft_dataset *d, const double *pos)
{
	double yw[2][2] = { { 0 } }, ys[2][2] = { { 0 } };

	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1.0;
		int g = d->group[i] == 1, y = d->y[i] > 0.5;
		yw[y][g] += w;
		ys[y][g] += w * pos[i];
	}
	return fmax(fabs(ys[1][0] / yw[1][0] - ys[1][1] / yw[1][1]),
	            fabs(ys[0][0] / yw[0][0] - ys[0][1] / yw[0][1]));
}

/* Adult by sex: the training demographic-parity difference of the model's
 * decisions falls as alpha grows over 0, 0.03, 0.1, 0.3, 1 (dp, the
 * defaults: 50 epochs, batches of 128, lr 0.1, exp schedule); eo at alpha
 * 3 lowers the training equalized-odds difference below the baseline's. */
static void test_adult_curve(void)
{
	static struct adult_fx a;
	static const double ALPHA[5] = { 0, 0.03, 0.1, 0.3, 1 };
	char *sens[] = { "sex" };
	double *sc = NULL, *pos = NULL, dp0, acc0, last = INFINITY;
	struct ft_error e = { 0 };

	if (adult_fx_load(&a, sens, 1, "Male", 1) != 0)
		goto done;
	sc = malloc(a.d->n * sizeof *sc);
	pos = malloc(a.d->n * sizeof *pos);
	if (!sc || !pos)
		goto done;
	ft_classify(a.base, NULL, NULL, a.d, 0.5, sc, pos, &e);
	fx_dp_acc(a.d, pos, &dp0, &acc0);
	fprintf(stderr, "adult adversarial dp curve (train dp diff, train accuracy; test): "
	        "baseline %.4f %.4f\n", dp0, acc0);
	for (int k = 0; k < 5; k++) {
		double params[FT_MAX_PARAMS] = { 0, ALPHA[k], 50, 128, 0.1, 0, 1 };
		struct ft_fit_input in;
		struct ft_fit_output o;
		double dp, acc, tdp, tacc, *ts, *tp;
		memset(&o, 0, sizeof o);
		adult_fx_input(&a, params, &in);
		if (ft_fit_adversarial(&in, &o, &e) != 0) {
			T_FAIL("%s", e.msg);
			goto done;
		}
		ft_classify(o.pred.linear, NULL, NULL, a.d, 0.5, sc, pos, &e);
		fx_dp_acc(a.d, pos, &dp, &acc);
		ts = malloc(a.dt->n * sizeof *ts);
		tp = malloc(a.dt->n * sizeof *tp);
		if (ts && tp) {
			ft_classify(o.pred.linear, NULL, NULL, a.dt, 0.5, ts, tp, &e);
			fx_dp_acc(a.dt, tp, &tdp, &tacc);
			fprintf(stderr, "  alpha %-5g train dp %.4f acc %.4f; test dp %.4f acc %.4f; "
			        "adversary accuracy %.4f\n", ALPHA[k], dp, acc, tdp, tacc,
			        fx_diag(&o, "adversary_accuracy"));
		}
		free(ts);
		free(tp);
		T_CHECKF(dp < last, "alpha %g: dp %.4f not below %.4f", ALPHA[k], dp, last);
		last = dp;
		ft_fit_output_clear(&o);
	}
	T_CHECKF(last < 0.25 * dp0, "alpha 1: dp %.4f, baseline %.4f", last, dp0);
	{
		double params[FT_MAX_PARAMS] = { 1, 3, 50, 128, 0.1, 0, 1 }, eo0, eo;
		struct ft_fit_input in;
		struct ft_fit_output o;
		memset(&o, 0, sizeof o);
		ft_classify(a.base, NULL, NULL, a.d, 0.5, sc, pos, &e);
		eo0 = eo_diff(a.d, pos);
		adult_fx_input(&a, params, &in);
		if (ft_fit_adversarial(&in, &o, &e) != 0) {
			T_FAIL("%s", e.msg);
			goto done;
		}
		ft_classify(o.pred.linear, NULL, NULL, a.d, 0.5, sc, pos, &e);
		eo = eo_diff(a.d, pos);
		fprintf(stderr, "adult adversarial eo alpha 3: train eo diff %.4f (baseline %.4f)\n",
		        eo, eo0);
		T_CHECKF(eo < 0.5 * eo0, "eo alpha 3: train eo difference %.4f, baseline %.4f", eo,
		         eo0);
		ft_fit_output_clear(&o);
	}
done:
	free(sc);
	free(pos);
	adult_fx_free(&a);
}

int main(void)
{
	char path[4096];

	T_RUN(test_grad_dp);
	T_RUN(test_grad_eo);
	T_RUN(test_direction);
	T_RUN(test_deterministic);
	T_RUN(test_targets_and_errors);
	if (t_have_data("adult/adult.data", path, sizeof path))
		T_RUN(test_adult_curve);
	else
		T_SKIP(test_adult_curve, "no adult/adult.data");
	return t_done();
}
