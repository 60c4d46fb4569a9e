/*
 * test_postproc.c - threshold post-processing (src/fair/postproc.c, method
 * "threshold"): hand-solved cases for every constraint, the error paths,
 * linear-programming optima from an independent solver
 * (tests/fixtures/postproc_lp.tsv, made by
 * scripts/fixtures/make_postproc_fixture.py with scipy's linprog), and UCI
 * Adult by sex (skipped when the data folder is absent).  Run from the
 * repository root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fairtrain.h"
#include "fair/postproc.h"
#include "t.h"
#include "model/model.h"

#define FIX "tests/fixtures/postproc_lp.tsv"

/* ------------------------------------------------------------- helpers */

/* A data set of one numeric feature x and the model score = sigmoid(x). */
struct toy {
	struct ft_dataset d;
	struct ft_linear_model m;
	double coef[1];
};

static void toy_init(struct toy *t, size_t n, double *x, double *y, double *w,
                     int32_t *g, size_t n_groups)
{
	memset(t, 0, sizeof *t);
	t->d.n = n;
	t->d.p = 1;
	t->d.n_num = 1;
	t->d.num = x;
	t->d.y = y;
	t->d.w = w;
	t->d.group = g;
	t->d.n_groups = n_groups;
	t->coef[0] = 1.0;
	t->m.p = 1;
	t->m.coef = t->coef;
}

/* Per group: weighted mean of pos (selection rate), over positives (TPR),
 * over negatives (FPR); and the accuracy / balanced accuracy of pos. */
struct rates {
	double sr[8], tpr[8], fpr[8], acc, bacc;
};

static void rates_of(const struct ft_dataset *d, const double *pos, size_t G,
                     struct rates *r)
{
	double c[8][4] = {{0}};   /* [g][y = 0 weight, y = 1 weight, pos on y = 0, on y = 1] */
	double t[4] = {0};

	for (size_t i = 0; i < d->n; i++) {
		double wi = d->w ? d->w[i] : 1.0;
		int y = d->y[i] > 0.5;
		c[d->group[i]][y] += wi;
		c[d->group[i]][2 + y] += wi * pos[i];
	}
	for (size_t g = 0; g < G; g++) {
		r->sr[g] = (c[g][2] + c[g][3]) / (c[g][0] + c[g][1]);
		r->tpr[g] = c[g][3] / c[g][1];
		r->fpr[g] = c[g][2] / c[g][0];
		for (int k = 0; k < 4; k++)
			t[k] += c[g][k];
	}
	r->acc = (t[3] + t[0] - t[2]) / (t[0] + t[1]);
	r->bacc = 0.5 * (t[3] / t[1] + (t[0] - t[2]) / t[0]);
}

static double diag_get(const struct ft_fit_output *o, const char *name)
{
	for (size_t k = 0; k < o->n_diag; k++)
		if (!strcmp(o->diag_name[k], name))
			return o->diag[k];
	return NAN;
}

/* Solve on bare scores (unit weights); NULL, and the test fails, on error. */
static struct ft_thresholds *solve(const double *s, const double *y, const int32_t *g,
                                   size_t n, size_t G, int con, int obj, double *val)
{
	struct ft_thresholds *th = NULL;
	struct ft_error err = {0};

	if (ft_threshold_solve(s, y, NULL, g, n, G, NULL, con, obj, &th, val, &err) != 0)
		T_FAIL("constraint %d, objective %d: %s", con, obj, err.msg);
	return th;
}

/* P(yhat = 1) of row i under th (the rule of ft_classify). */
static double rule(const struct ft_thresholds *th, int32_t g, double s)
{
	double a = th->p[g] * (s >= th->t0[g]) + (1 - th->p[g]) * (s >= th->t1[g]);
	return (1 - th->q[g]) * a + th->q[g] * th->c[g];
}

/* --------------------------------------------------------------- parsing */

static void test_parse(void)
{
	const struct ft_method *m;
	double p[FT_MAX_PARAMS];
	struct ft_error err = {0};

	T_CHECK(ft_method_parse("threshold", &m, p, &err) == 0);
	T_STREQ(m->name, "threshold");
	T_CHECK(m->stage == FT_STAGE_POST && m->needs_groups == 1 && m->n_params == 2);
	T_CHECK(p[0] == FT_THR_DP && p[1] == FT_THR_ACCURACY);
	T_CHECK(ft_method_parse("threshold:eo", &m, p, &err) == 0 && p[0] == FT_THR_EO);
	T_CHECK(ft_method_parse("threshold:constraint=fpr,objective=balanced_accuracy",
	                        &m, p, &err) == 0);
	T_CHECK(p[0] == FT_THR_FPR && p[1] == FT_THR_BALANCED_ACCURACY);
	T_CHECK(ft_method_parse("threshold:tpr", &m, p, &err) == 0 && p[0] == FT_THR_TPR);
	T_CHECK(ft_method_parse("threshold:constraint=xx", &m, p, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "dp|eo|tpr|fpr") != NULL, "%s", err.msg);
}

/* ------------------------------------------------------ hand-solved cases */

/* dp, accuracy.  Group 0: scores .9 .8 .7 (y = 1) .2 (y = 0); group 1: .6
 * (1) .1 (0); unit weights, W = 6.  Per group, the best (TP - FP) at
 * selection rate r is the upper hull of the threshold points:
 *   group 0: r = 0, 1/4, 1/2, 3/4, 1 -> 0, 1, 2, 3, 2
 *   group 1: r = 0, 1/2, 1 -> 0, 1, 0 (so 1/2 at r = 1/4 and 3/4)
 * sum: 0, 1.5, 3, 3.5, 2: r* = 3/4, unique.  Group 0 cuts between .7 and .2
 * (t = .45); group 1 mixes "above .35" (p = 1/2) with "always" (rate
 * 1/2 * 1/2 + 1/2 * 1 = 3/4).  Accuracy (4 + 1.5) / 6. */
static void test_dp_by_hand(void)
{
	double s[6] = {0.9, 0.8, 0.7, 0.2, 0.6, 0.1};
	double y[6] = {1, 1, 1, 0, 1, 0};
	int32_t g[6] = {0, 0, 0, 0, 1, 1};
	struct ft_thresholds *th;
	double v = 0;

	th = solve(s, y, g, 6, 2, FT_THR_DP, FT_THR_ACCURACY, &v);
	if (!th)
		return;
	T_CHECK(th->n_groups == 2);
	T_NEAR(th->t0[0], 0.45, 1e-15);
	T_NEAR(th->t1[0], 0.45, 1e-15);
	T_CHECK(th->p[0] == 1.0);
	T_NEAR(th->t0[1], 0.35, 1e-15);
	T_CHECK(th->t1[1] == -INFINITY);
	T_NEAR(th->p[1], 0.5, 1e-15);
	T_CHECK(th->q[0] == 0 && th->q[1] == 0);
	T_NEAR(v, 5.5 / 6, 1e-15);
	T_NEAR(rule(th, 1, 0.1), 0.5, 1e-15);
	T_NEAR(rule(th, 1, 0.6), 1.0, 1e-15);
	ft_thresholds_free(th);
}

/* tpr, accuracy.  Group 0: .9 (1) .8 (0) .7 (1) .2 (0); group 1: .9 (1) .8
 * .7 (0) .6 (1) .5 (0) .4 (1) .3 (0) .2 (1); W = 12.  Best TP - FP at TPR r
 * (upper hulls):
 *   group 0: vertices (0, 0) (1/2, 1) (1, 1)
 *   group 1: vertices (0, 0) (1/4, 1) (1, 0)   [(1/2, 0), (3/4, 0) below]
 * slopes of the sum: 6 up to 1/4, 2 - 4/3 up to 1/2, -4/3 after: r* = 1/2.
 * Group 0 cuts between .9 and .8 (t = .85); group 1 mixes its vertex k = 1
 * (t = .85) with p = 2/3 and "always" (1/3): TPR 2/3 * 1/4 + 1/3 = 1/2.
 * Accuracy: group 0 TP 1, FP 0 -> 3 right; group 1 TP 2/3 + 4/3 = 2,
 * FP 4/3 -> 2 + 8/3 right; total (3 + 14/3) / 12 = 23/36. */
static void test_tpr_by_hand(void)
{
	double s[12] = {0.9, 0.8, 0.7, 0.2,
	                0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2};
	double y[12] = {1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1};
	int32_t g[12] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
	struct ft_thresholds *th;
	double v = 0;

	th = solve(s, y, g, 12, 2, FT_THR_TPR, FT_THR_ACCURACY, &v);
	if (!th)
		return;
	T_NEAR(th->t0[0], 0.85, 1e-15);
	T_CHECK(th->p[0] == 1.0 && th->t1[0] == th->t0[0]);
	T_NEAR(th->t0[1], 0.85, 1e-15);
	T_CHECK(th->t1[1] == -INFINITY);
	T_NEAR(th->p[1], 2.0 / 3, 1e-15);
	T_NEAR(v, 23.0 / 36, 1e-15);
	ft_thresholds_free(th);
}

/* fpr, accuracy.  Group 0: .9 (1) .8 (0) .7 (1) .6 (1) .5 (0); group 1: .9
 * .8 (1) .7 (0) .6 (1) .5 .4 .3 (0) .2 (1); W = 13.  Best TP - FP at FPR r:
 *   group 0: vertices (0, 1) (1/2, 2) (1, 1)
 *   group 1: vertices (0, 2) (1/4, 2) (1, 0)   [(1/2, 1), (3/4, 0) below]
 * slopes of the sum: 2 up to 1/4, 2 - 8/3 after: r* = 1/4.  Group 1 cuts
 * between .6 and .5 (t = .55); group 0 mixes "above .85" (p = 1/2) with
 * "above .55" (FPR 1/2 * 0 + 1/2 * 1/2).  Accuracy: group 0 TP 2, FP 1/2
 * -> 3.5 right; group 1 TP 3 FP 1 -> 6; total 9.5 / 13. */
static void test_fpr_by_hand(void)
{
	double s[13] = {0.9, 0.8, 0.7, 0.6, 0.5,
	                0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2};
	double y[13] = {1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1};
	int32_t g[13] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
	struct ft_thresholds *th;
	double v = 0;

	th = solve(s, y, g, 13, 2, FT_THR_FPR, FT_THR_ACCURACY, &v);
	if (!th)
		return;
	T_NEAR(th->t0[0], 0.85, 1e-15);
	T_NEAR(th->t1[0], 0.55, 1e-15);
	T_NEAR(th->p[0], 0.5, 1e-15);
	T_NEAR(th->t0[1], 0.55, 1e-15);
	T_CHECK(th->p[1] == 1.0 && th->t1[1] == th->t0[1]);
	T_NEAR(v, 9.5 / 13, 1e-15);
	ft_thresholds_free(th);
}

/* eo, accuracy, through the method and ft_classify.  Group 0 is perfectly
 * ranked: .9 .8 (1) .3 .2 (0), ROC points (0, 0) (0, 1/2) (0, 1) (1/2, 1)
 * (1, 1).  Group 1 has two tied blocks: score .9 with three positives and a
 * negative, score .5 with one positive and three negatives: ROC (0, 0)
 * (1/4, 3/4) (1, 1).  P = N = 6, W = 12: accuracy = 1/2 + (TPR - FPR)/2 at
 * the common point, best on group 1's hull at (1/4, 3/4) (TPR - FPR = 1/2
 * there, 0 at both ends).  Group 1 cuts between .9 and .5 (t = .7); group 0
 * reaches (1/4, 3/4) as (1 - q) H + q (c, c) with H = (1/4, 1) on its hull
 * (p = 1/2 between "above .55" (0, 1) and "above .25" (1/2, 1)), c = 1/4,
 * q = (1 - 3/4) / (1 - 1/4) = 1/3.  Accuracy 9/12. */
static void test_eo_by_hand(void)
{
	double x[12], y[12] = {1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0};
	double s[12] = {0.9, 0.8, 0.3, 0.2, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5};
	double w[12], pos[12], sc[12], params[2] = {FT_THR_EO, FT_THR_ACCURACY};
	int32_t g[12] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
	const char *names[2] = {"A", "B"};
	struct toy t;
	struct ft_fit_output out;
	struct ft_fit_input in;
	struct ft_error err = {0};
	struct rates r;
	const struct ft_thresholds *th;

	for (int i = 0; i < 12; i++) {
		x[i] = log(s[i] / (1 - s[i]));      /* sigmoid(x) = s, order kept */
		w[i] = 1;
	}
	toy_init(&t, 12, x, y, w, g, 2);
	memset(&out, 0, sizeof out);
	memset(&in, 0, sizeof in);
	in.train = &t.d;
	in.n_groups = 2;
	in.group_names = names;
	in.privileged = -1;
	in.baseline = &t.m;
	in.params = params;
	T_CHECKF(ft_fit_threshold(&in, &out, &err) == 0, "%s", err.msg);
	if (!out.pred.thresholds || !out.pred.linear)
		goto done;
	th = out.pred.thresholds;
	T_CHECK(out.pred.linear != &t.m && out.pred.linear->coef[0] == 1.0 && out.pred.linear->intercept == 0);
	T_NEAR(th->t0[0], 0.55, 1e-12);
	T_NEAR(th->t1[0], 0.25, 1e-12);
	T_NEAR(th->p[0], 0.5, 1e-15);
	T_NEAR(th->q[0], 1.0 / 3, 1e-15);
	T_NEAR(th->c[0], 0.25, 1e-15);
	T_NEAR(th->t0[1], 0.7, 1e-12);
	T_CHECK(th->p[1] == 1.0 && th->q[1] == 0.0);
	T_CHECK(ft_classify(out.pred.linear, NULL, th, &t.d, 0.5, sc, pos, &err) == 0);
	/* group 0: the positives .9 .8 are positive under both cuts, .3 under
	 * the second only, .2 under neither: (1 - q)(p a + (1 - p) b) + q c */
	T_NEAR(pos[0], 2.0 / 3 + 1.0 / 12, 1e-15);
	T_NEAR(pos[2], 2.0 / 3 * 0.5 + 1.0 / 12, 1e-15);
	T_NEAR(pos[3], 1.0 / 12, 1e-15);
	rates_of(&t.d, pos, 2, &r);
	T_NEAR(r.tpr[0], 0.75, 1e-15);
	T_NEAR(r.tpr[1], 0.75, 1e-15);
	T_NEAR(r.fpr[0], 0.25, 1e-15);
	T_NEAR(r.fpr[1], 0.25, 1e-15);
	T_NEAR(r.acc, 0.75, 1e-15);
	T_NEAR(diag_get(&out, "objective"), 0.75, 1e-15);
	T_NEAR(diag_get(&out, "objective_baseline"), 8.0 / 12, 1e-15);  /* s >= .5: all of 1 */
	T_NEAR(diag_get(&out, "tpr[A]"), 0.75, 1e-15);
	T_NEAR(diag_get(&out, "fpr[B]"), 0.25, 1e-15);
	T_NEAR(diag_get(&out, "q[A]"), 1.0 / 3, 1e-15);
	T_NEAR(diag_get(&out, "t0[B]"), 0.7, 1e-12);
done:
	ft_fit_output_clear(&out);
}

/* One group (every constraint is then void): the best single cut.  Scores
 * .9 (1) .8 (0) .75 (0) .7 (1) .6 .5 .4 .3 (0): P = 2, N = 6.  Accuracy
 * is best above .85 (7/8; above .65 gives 6/8); balanced accuracy above .65
 * ((1 + 4/6)/2 = 5/6; above .85 gives 3/4). */
static void test_one_group(void)
{
	double s[8] = {0.9, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3};
	double y[8] = {1, 0, 0, 1, 0, 0, 0, 0};
	int32_t g[8] = {0};

	for (int con = 0; con < 4; con++)
		for (int obj = 0; obj < 2; obj++) {
			double v = 0;
			struct ft_thresholds *th = solve(s, y, g, 8, 1, con, obj, &v);
			if (!th)
				continue;
			T_NEAR(th->t0[0], obj ? 0.65 : 0.85, 1e-15);
			T_CHECKF(th->p[0] == 1.0 && th->q[0] == 0.0, "con %d obj %d", con, obj);
			T_NEAR(v, obj ? 5.0 / 6 : 7.0 / 8, 1e-15);
			ft_thresholds_free(th);
		}
}

/* Equal scores always share a decision: a group whose rows all tie can
 * only be randomized, never cut in the middle of the tie. */
static void test_ties(void)
{
	double s[6] = {0.5, 0.5, 0.5, 0.5, 0.9, 0.1};
	double y[6] = {1, 0, 1, 0, 1, 0};
	int32_t g[6] = {0, 0, 0, 0, 1, 1};
	struct ft_thresholds *th;
	double v = 0;

	/* dp: group 1 is perfect at rate 1/2; group 0 can only mix never /
	 * always, and its value is the same at every rate; best r = 1/2. */
	th = solve(s, y, g, 6, 2, FT_THR_DP, FT_THR_ACCURACY, &v);
	if (!th)
		return;
	for (int i = 0; i < 4; i++)
		T_NEAR(rule(th, 0, s[i]), 0.5, 1e-15);
	T_NEAR(rule(th, 1, 0.9), 1.0, 1e-15);
	T_NEAR(rule(th, 1, 0.1), 0.0, 1e-15);
	T_NEAR(v, 4.0 / 6, 1e-15);
	ft_thresholds_free(th);
}

/* ------------------------------------------------------------- errors */

static void expect_fail(const double *y, const double *w, const int32_t *g, size_t G,
                        int con, const char *msg)
{
	double s[4] = {0.9, 0.7, 0.5, 0.3};
	const char *names[2] = {"Female", "Male"};
	struct ft_thresholds *th = NULL;
	struct ft_error err = {0};
	int rc = ft_threshold_solve(s, y, w, g, 4, G, names, con, FT_THR_ACCURACY, &th,
	                            NULL, &err);

	T_CHECKF(rc == FT_EDATA, "%s: rc %d", msg, rc);
	T_CHECK(th == NULL);
	T_CHECKF(strstr(err.msg, msg) != NULL, "'%s' lacks '%s'", err.msg, msg);
}

static void test_errors(void)
{
	double y[4] = {1, 0, 1, 1}, w0[4] = {1, 1, 0, 0};
	int32_t g[4] = {0, 0, 1, 1}, g0[4] = {0, 0, 0, 0}, gm[4] = {0, 0, 1, -1};
	double s[4] = {0.9, 0.7, 0.5, 0.3};
	struct ft_thresholds *th = NULL;
	struct ft_error err = {0};

	expect_fail(y, NULL, g0, 2, FT_THR_DP, "group 'Male' has no training rows");
	expect_fail(y, w0, g, 2, FT_THR_DP, "group 'Male' has no training weight");
	expect_fail(y, NULL, g, 2, FT_THR_FPR, "group 'Male' has no negative training rows "
	            "(constraint fpr needs its false positive rate)");
	expect_fail(y, NULL, g, 2, FT_THR_EO, "group 'Male' has no negative");
	expect_fail(y, NULL, gm, 2, FT_THR_DP, "row 4 has no group");
	{
		double y2[4] = {0, 0, 1, 0};
		expect_fail(y2, NULL, g, 2, FT_THR_TPR, "group 'Female' has no positive "
		            "training rows (constraint tpr needs its true positive rate)");
		expect_fail(y2, NULL, g, 2, FT_THR_EO, "group 'Female' has no positive");
	}
	/* dp and tpr need no negatives; dp needs no positives */
	T_CHECK(ft_threshold_solve(s, y, NULL, g, 4, 2, NULL, FT_THR_DP, 0, &th, NULL, &err) == 0);
	ft_thresholds_free(th);
	th = NULL;
	T_CHECK(ft_threshold_solve(s, y, NULL, g, 4, 2, NULL, FT_THR_TPR, 0, &th, NULL, &err) == 0);
	ft_thresholds_free(th);
	th = NULL;
	/* balanced accuracy without negatives at all */
	{
		double y1[4] = {1, 1, 1, 1};
		T_CHECK(ft_threshold_solve(s, y1, NULL, g, 4, 2, NULL, FT_THR_DP,
		                           FT_THR_BALANCED_ACCURACY, &th, NULL, &err) == FT_EDATA);
		T_CHECK(th == NULL);
	}
	err.code = 0;
	err.msg[0] = '\0';
	T_CHECK(ft_threshold_solve(s, y, NULL, g, 4, 2, NULL, 7, 0, &th, NULL, &err) == FT_EINVAL);
}

/* ---------------------------------------------- LP optima from scipy */

struct fixdata {
	size_t n, G;
	double x[128], y[128], w[128];
	int32_t g[128];
};

static int con_index(const char *s)
{
	static const char *const C[] = {"dp", "eo", "tpr", "fpr"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, C[i]))
			return i;
	return -1;
}

/* Fit on the fixture's data; the objective of ft_classify's pos must equal
 * the LP optimum to 1e-9 and the constrained rates must agree to 1e-12. */
static void check_case(struct fixdata *fd, int con, int obj, double want, int *n_checked)
{
	struct toy t;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error err = {0};
	double params[2] = {con, obj}, sc[128], pos[128];
	struct rates r;

	toy_init(&t, fd->n, fd->x, fd->y, fd->w, fd->g, fd->G);
	memset(&in, 0, sizeof in);
	memset(&out, 0, sizeof out);
	in.train = &t.d;
	in.n_groups = fd->G;
	in.privileged = -1;
	in.baseline = &t.m;
	in.params = params;
	if (ft_fit_threshold(&in, &out, &err) != 0) {
		T_FAIL("con %d obj %d: %s", con, obj, err.msg);
		return;
	}
	if (ft_classify(out.pred.linear, NULL, out.pred.thresholds, &t.d, 0.5, sc, pos, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	rates_of(&t.d, pos, fd->G, &r);
	T_CHECKF(fabs((obj ? r.bacc : r.acc) - want) <= 1e-9,
	         "n %zu con %d obj %d: objective %.17g, LP %.17g", fd->n, con, obj,
	         obj ? r.bacc : r.acc, want);
	T_CHECKF(fabs(diag_get(&out, "objective") - want) <= 1e-9, "diag objective");
	for (size_t g = 1; g < fd->G; g++) {
		if (con == FT_THR_DP)
			T_CHECKF(fabs(r.sr[g] - r.sr[0]) <= 1e-12, "sr %g %g", r.sr[g], r.sr[0]);
		if (con == FT_THR_TPR || con == FT_THR_EO)
			T_CHECKF(fabs(r.tpr[g] - r.tpr[0]) <= 1e-12, "tpr %.17g %.17g", r.tpr[g],
			         r.tpr[0]);
		if (con == FT_THR_FPR || con == FT_THR_EO)
			T_CHECKF(fabs(r.fpr[g] - r.fpr[0]) <= 1e-12, "fpr %.17g %.17g", r.fpr[g],
			         r.fpr[0]);
	}
	for (size_t i = 0; i < fd->n; i++)
		T_CHECK(pos[i] >= 0 && pos[i] <= 1);
	(*n_checked)++;
done:
	ft_fit_output_clear(&out);
}

static void test_lp_fixture(void)
{
	static struct fixdata fd;
	FILE *fp = fopen(FIX, "r");
	char line[512];
	int n_checked = 0, n_data = 0;

	if (!fp) {
		T_FAIL("cannot read %s (run from the repository root)", FIX);
		return;
	}
	while (fgets(line, sizeof line, fp)) {
		char a[32], b[32];
		double v, x, y, w;
		int g;
		size_t id, n, G;
		if (line[0] == '#')
			continue;
		if (sscanf(line, "data %zu %zu %zu", &id, &n, &G) == 3) {
			if (n > 128 || G > 8) {
				T_FAIL("fixture data %zu too large", id);
				break;
			}
			fd.n = 0;
			fd.G = G;
			n_data++;
		} else if (sscanf(line, "row %lf %lf %d %lf", &x, &y, &g, &w) == 4) {
			if (fd.n >= 128)
				break;
			fd.x[fd.n] = x;
			fd.y[fd.n] = y;
			fd.g[fd.n] = g;
			fd.w[fd.n] = w;
			fd.n++;
		} else if (sscanf(line, "opt %31s %31s %lf", a, b, &v) == 3) {
			int obj = !strcmp(b, "balanced_accuracy") ? 1 : !strcmp(b, "accuracy") ? 0 : -1;
			if (con_index(a) < 0 || obj < 0) {
				T_FAIL("bad fixture line %s", line);
				break;
			}
			check_case(&fd, con_index(a), obj, v, &n_checked);
		}
	}
	fclose(fp);
	T_CHECKF(n_data == 6 && n_checked == 48, "%d data sets, %d optima checked",
	         n_data, n_checked);
}

/* ----------------------------------------------------------- Adult by sex */

static int read_adult(const char *file, int skip, struct ft_table **t, struct ft_error *err)
{
	char path[4096];
	struct ft_read_opts ro;

	snprintf(path, sizeof path, "%s/adult/%s", t_data_dir(), file);
	ft_read_opts_init(&ro);
	ro.header = 0;
	ro.names = t_adult_names();
	ro.n_names = T_ADULT_N_NAMES;
	ro.skip_rows = (size_t)skip;
	return ft_table_read(path, &ro, t, err);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* threshold:dp on Adult (train adult.data, measured on adult.test): the
 * test demographic-parity difference falls below 0.01.  Prints accuracy,
 * gaps and timings for dp, eo, tpr against the baseline. */
static void test_adult(void)
{
	static const char *const SPEC[] = {"threshold:dp", "threshold:eo", "threshold:tpr"};
	char *sens[] = {"sex"}, *drop[] = {"fnlwgt"};
	struct ft_spec sp;
	struct ft_logreg_params lp;
	struct ft_table *tr = NULL, *te = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_dataset *d = NULL, *dt = NULL;
	struct ft_linear_model *base = NULL;
	struct ft_solver_result bres;
	struct ft_error err = {0};
	double *sc = NULL, *pos = NULL, tb[5];
	struct rates r;

	ft_spec_init(&sp);
	sp.target = "income";
	sp.positive = ">50K";
	sp.label_strip = ".";
	sp.sensitive = sens;
	sp.n_sensitive = 1;
	sp.drop = drop;
	sp.n_drop = 1;
	ft_logreg_params_init(&lp);
	if (read_adult("adult.data", 0, &tr, &err) || read_adult("adult.test", 1, &te, &err) ||
	    ft_encoder_fit(tr, &sp, &enc, &err) ||
	    ft_encoder_apply(enc, tr, FT_APPLY_TRAIN, &d, NULL, &err) ||
	    ft_encoder_apply(enc, te, FT_APPLY_TRAIN, &dt, NULL, &err)) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	T_CHECK(enc->n_groups == 2);
	sc = malloc((d->n > dt->n ? d->n : dt->n) * sizeof *sc);
	pos = malloc((d->n > dt->n ? d->n : dt->n) * sizeof *pos);
	if (!sc || !pos) {
		T_FAIL("out of memory");
		goto done;
	}
	for (int rep = 0; rep < 5; rep++) {
		double t0 = t_now();
		ft_linear_model_free(base);
		base = NULL;
		if (ft_logreg_fit(d, &lp, &base, &bres, &err)) {
			T_FAIL("%s", err.msg);
			goto done;
		}
		tb[rep] = t_now() - t0;
	}
	qsort(tb, 5, sizeof *tb, cmp_d);
	ft_classify(base, NULL, NULL, dt, 0.5, sc, pos, &err);
	rates_of(dt, pos, 2, &r);
	fprintf(stderr, "adult baseline (test): accuracy %.4f, selection rate %s %.4f / %s "
	        "%.4f (dp diff %.4f), tpr %.4f / %.4f, fpr %.4f / %.4f; logreg fit %.1f ms "
	        "(median of 5)\n", r.acc, enc->group_names[0], r.sr[0], enc->group_names[1],
	        r.sr[1], fabs(r.sr[0] - r.sr[1]), r.tpr[0], r.tpr[1], r.fpr[0], r.fpr[1],
	        1e3 * tb[2]);
	for (int k = 0; k < 3; k++) {
		const struct ft_method *m;
		double params[FT_MAX_PARAMS], ttk[5];
		struct ft_fit_input in = {d, enc->n_groups, (const char *const *)enc->group_names,
		                          -1, &lp, base, bres.f, params};
		struct ft_fit_output out;
		struct rates rt;

		memset(&out, 0, sizeof out);
		if (ft_method_parse(SPEC[k], &m, params, &err)) {
			T_FAIL("%s", err.msg);
			goto done;
		}
		for (int rep = 0; rep < 5; rep++) {
			double t0;
			ft_fit_output_clear(&out);
			memset(&out, 0, sizeof out);
			t0 = t_now();
			if (m->fit(&in, &out, &err)) {
				T_FAIL("%s: %s", SPEC[k], err.msg);
				goto done;
			}
			ttk[rep] = t_now() - t0;
		}
		qsort(ttk, 5, sizeof *ttk, cmp_d);
		/* training rates are equal to rounding */
		T_CHECK(ft_classify(out.pred.linear, NULL, out.pred.thresholds, d, 0.5, sc, pos, &err) == 0);
		rates_of(d, pos, 2, &rt);
		if (k == 0)
			T_CHECKF(fabs(rt.sr[0] - rt.sr[1]) <= 1e-12, "train sr %.17g %.17g",
			         rt.sr[0], rt.sr[1]);
		else
			T_CHECKF(fabs(rt.tpr[0] - rt.tpr[1]) <= 1e-12, "train tpr %.17g %.17g",
			         rt.tpr[0], rt.tpr[1]);
		if (k == 1)
			T_CHECKF(fabs(rt.fpr[0] - rt.fpr[1]) <= 1e-12, "train fpr %.17g %.17g",
			         rt.fpr[0], rt.fpr[1]);
		T_NEAR(diag_get(&out, "objective"), rt.acc, 1e-12);
		/* the test split */
		T_CHECK(ft_classify(out.pred.linear, NULL, out.pred.thresholds, dt, 0.5, sc, pos, &err) == 0);
		rates_of(dt, pos, 2, &r);
		if (k == 0)
			T_CHECKF(fabs(r.sr[0] - r.sr[1]) < 0.01, "test dp difference %.4f",
			         fabs(r.sr[0] - r.sr[1]));
		fprintf(stderr, "adult %s (test): accuracy %.4f, selection rate %.4f / %.4f (dp "
		        "diff %.4f), tpr %.4f / %.4f (gap %.4f), fpr %.4f / %.4f (gap %.4f); "
		        "train accuracy %.4f -> %.4f; fit %.2f ms (median of 5)\n", SPEC[k], r.acc,
		        r.sr[0], r.sr[1], fabs(r.sr[0] - r.sr[1]), r.tpr[0], r.tpr[1],
		        fabs(r.tpr[0] - r.tpr[1]), r.fpr[0], r.fpr[1], fabs(r.fpr[0] - r.fpr[1]),
		        diag_get(&out, "objective_baseline"), diag_get(&out, "objective"),
		        1e3 * ttk[2]);
		ft_fit_output_clear(&out);
	}
done:
	free(sc);
	free(pos);
	ft_linear_model_free(base);
	ft_dataset_free(d);
	ft_dataset_free(dt);
	ft_encoder_free(enc);
	ft_table_free(tr);
	ft_table_free(te);
}

int main(void)
{
	char path[4096];
	struct stat sb;

	T_RUN(test_parse);
	T_RUN(test_dp_by_hand);
	T_RUN(test_tpr_by_hand);
	T_RUN(test_fpr_by_hand);
	T_RUN(test_eo_by_hand);
	T_RUN(test_one_group);
	T_RUN(test_ties);
	T_RUN(test_errors);
	T_RUN(test_lp_fixture);
	snprintf(path, sizeof path, "%s/adult/adult.test", t_data_dir());
	if (stat(path, &sb) != 0)
		T_SKIP(test_adult, "adult/adult.test not found under $FAIRTRAIN_DATA");
	else
		T_RUN(test_adult);
	return t_done();
}
