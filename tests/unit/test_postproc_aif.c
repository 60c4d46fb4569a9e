/*
 * test_postproc_aif.c - cal-eo and reject-option (src/fair/postproc_aif.c):
 * hand-solved tiny cases, the claim that each rule is exactly a struct
 * ft_thresholds (decisions through ft_classify equal AIF360's rule row by
 * row), error paths, and agreement with numpy ports of AIF360's code
 * (tests/fixtures/aif_postproc.tsv, scripts/fixtures/
 * make_aif_postproc_fixture.py) on German credit (sklearn scores, with and
 * without weights) and Adult (a formula score recomputed here).
 *
 * Tolerances: grid points (threshold, margin) must be equal to the last
 * bit (the same np.linspace arithmetic, the same IEEE operations); balanced
 * accuracy and metric 1e-12 (the counts are exact: unit or half-integer
 * weights); cal-eo's rates and costs 1e-12 relative (sums of 1000-30000
 * products in another order).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "model/model.h"
#include "fair/postproc.h"
#include "t.h"
#include "aif_fixture.h"

#define FIX "tests/fixtures/aif_postproc.tsv"

/* Eight rows, one feature x, score = sigmoid(x). */
struct toy {
	struct ft_dataset d;
	struct ft_linear_model m;
	double coef[1], x[8], y[8], w[8];
	int32_t g[8];
};

static double logit(double p)
{
	return log(p / (1 - p));
}

static void toy_init(struct toy *t, const double *s, const double *y, const int32_t *g)
{
	memset(t, 0, sizeof *t);
	for (int i = 0; i < 8; i++) {
		t->x[i] = logit(s[i]);
		t->y[i] = y[i];
		t->w[i] = 1.0;
		t->g[i] = g[i];
	}
	t->d.n = 8;
	t->d.p = 1;
	t->d.n_num = 1;
	t->d.num = t->x;
	t->d.y = t->y;
	t->d.w = t->w;
	t->d.group = t->g;
	t->d.n_groups = 2;
	t->coef[0] = 1.0;
	t->m.p = 1;
	t->m.coef = t->coef;
}

static int fit_spec(const char *spec, const struct toy *t, long privileged,
                    struct ft_fit_output *out, struct ft_error *err)
{
	const struct ft_method *m;
	double params[FT_MAX_PARAMS];
	struct ft_logreg_params lp;
	static const char *const names[2] = {"u", "p"};
	struct ft_fit_input in;

	memset(out, 0, sizeof *out);
	ft_logreg_params_init(&lp);
	if (ft_method_parse(spec, &m, params, err))
		return -1;
	in.train = &t->d;
	in.n_groups = 2;
	in.group_names = names;
	in.privileged = privileged;
	in.lr = &lp;
	in.baseline = &t->m;
	in.baseline_objective = 0;
	in.params = params;
	return m->fit(&in, out, err);
}

/* Priv (group 1): scores .9 .6 (y = 1) .4 .2 (y = 0): base rate 1/2, GFNR
 * (.1 + .4)/2 = .25, GFPR (.4 + .2)/2 = .3.  Unpriv: .8 (y = 1), .3 .1 .2
 * (y = 0): base rate 1/4, GFNR .2, GFPR .2.  fnr: .2 < .25, so the
 * unprivileged pool mixes at (.25 - .2) / ((1 - 1/4) - .2) = 1/11. */
static void test_caleo_hand(void)
{
	const double s[8] = {.9, .6, .4, .2, .8, .3, .1, .2};
	const double y[8] = {1, 1, 0, 0, 1, 0, 0, 0};
	const int32_t g[8] = {1, 1, 1, 1, 0, 0, 0, 0};
	struct toy t;
	struct ft_caleo ce;
	struct ft_fit_output out;
	struct ft_error err = {0};
	double sc[8], pos[8];

	toy_init(&t, s, y, g);
	T_CHECK(ft_caleo_solve(s, y, NULL, g, 8, 2, 1, FT_CALEO_FNR, 0.5, &ce, &err) == 0);
	T_NEAR(ce.base_rate[0], 0.25, 1e-15);
	T_NEAR(ce.base_rate[1], 0.5, 1e-15);
	T_NEAR(ce.gfnr[0], 0.2, 1e-15);
	T_NEAR(ce.gfnr[1], 0.25, 1e-15);
	T_NEAR(ce.gfpr[1], 0.3, 1e-15);
	T_NEAR(ce.mix_rate[0], 1.0 / 11.0, 1e-15);
	T_CHECK(ce.mix_rate[1] == 0);
	/* fpr: .2 < .3, unpriv mixes at (.3 - .2) / (1/4 - .2) = 2 -> clipped 1 */
	T_CHECK(ft_caleo_solve(s, y, NULL, g, 8, 2, 1, FT_CALEO_FPR, 0.5, &ce, &err) == 0);
	T_NEAR(ce.raw_mix_rate[0], 2.0, 1e-12);
	T_CHECK(ce.mix_rate[0] == 1.0 && ce.mix_rate[1] == 0);
	/* weighted: u .5 (.2 .75) + .5 (.2 .25) = .1, p .5 (.3 .5) + .5 (.25 .5)
	 * = .1375; trivial u = .5 (.25 .75) + .5 (.75 .25) = .1875:
	 * m_u = .0375 / .0875 = 3/7 */
	T_CHECK(ft_caleo_solve(s, y, NULL, g, 8, 2, 1, FT_CALEO_WEIGHTED, 0.5, &ce, &err) == 0);
	T_NEAR(ce.cost[0], 0.1, 1e-15);
	T_NEAR(ce.cost[1], 0.1375, 1e-15);
	T_NEAR(ce.mix_rate[0], 3.0 / 7.0, 1e-14);
	/* the rule through the method table and ft_classify */
	T_CHECKF(fit_spec("cal-eo:fnr", &t, 1, &out, &err) == 0, "%s", err.msg);
	if (!out.pred.thresholds)
		return;
	T_CHECK(ft_classify(out.pred.linear, NULL, out.pred.thresholds, &t.d, 0.5, sc, pos, &err) == 0);
	for (int i = 0; i < 8; i++) {
		double m = g[i] ? 0.0 : 1.0 / 11.0, c = g[i] ? 1.0 : 0.0;
		double want = (1 - m) * (s[i] >= 0.5) + m * c;
		T_NEAR(pos[i], want, 1e-15);
		T_NEAR(sc[i], s[i], 1e-15);     /* the score stays the model's */
	}
	ft_fit_output_clear(&out);
}

/* t = 0.5 only (n_thresh 1); margins 0, .25, .5.
 * unpriv (0): .45 (1) .3 (0) .6 (1) .1 (0); priv (1): .55 (0) .7 (1) .9 (1) .4 (0)
 *   theta 0:   TP 3 FP 1 -> BA .75; SPD 1/4 - 3/4 = -.5
 *   theta .25: unpriv s > .25, priv s > .75: TP 3, FP 1 -> BA .75; SPD +.5
 *   theta .5:  unpriv all, priv none: TP 2, FP 2 -> BA .5; SPD 1 */
static void test_roc_hand(void)
{
	const double s[8] = {.45, .3, .6, .1, .55, .7, .9, .4};
	const double y[8] = {1, 0, 1, 0, 0, 1, 1, 0};
	const int32_t g[8] = {0, 0, 0, 0, 1, 1, 1, 1};
	struct ft_roc_params p;
	struct ft_reject_choice r;
	struct ft_error err = {0};
	struct toy t;
	struct ft_fit_output out;
	double sc[8], pos[8];

	ft_roc_params_init(&p);
	p.low = 0.5;
	p.high = 0.9;
	p.n_thresh = 1;
	p.n_margin = 3;
	p.lb = -0.6;
	p.ub = 0.6;
	T_CHECK(ft_roc_solve(s, y, NULL, g, 8, 2, 1, &p, &r, &err) == 0);
	T_CHECK(r.feasible && r.threshold == 0.5 && r.margin == 0 && r.index == 0);
	T_NEAR(r.balanced_accuracy, 0.75, 1e-15);
	T_NEAR(r.metric, -0.5, 1e-15);
	p.lb = 0;
	T_CHECK(ft_roc_solve(s, y, NULL, g, 8, 2, 1, &p, &r, &err) == 0);
	T_CHECK(r.feasible && r.margin == 0.25 && r.index == 1);
	T_NEAR(r.metric, 0.5, 1e-15);
	p.lb = 2;
	p.ub = 3;
	T_CHECK(ft_roc_solve(s, y, NULL, g, 8, 2, 1, &p, &r, &err) == 0);
	T_CHECK(!r.feasible && r.margin == 0);    /* AIF360: smallest metric */
	/* through the table: decisions equal AIF360's predict row by row */
	toy_init(&t, s, y, g);
	T_CHECKF(fit_spec("reject-option:lb=0,ub=0.6,low=0.5,high=0.9,n_thresh=1,n_margin=3",
	                  &t, 1, &out, &err) == 0, "%s", err.msg);
	if (!out.pred.thresholds)
		return;
	T_CHECK(ft_classify(out.pred.linear, NULL, out.pred.thresholds, &t.d, 0.5, sc, pos, &err) == 0);
	for (int i = 0; i < 8; i++) {
		/* AIF360: fav = s > t, critical region t - m < s <= t + m */
		double tt = 0.5, m = 0.25;
		int fav = sc[i] > tt, crit = sc[i] <= tt + m && sc[i] > tt - m;
		if (crit)
			fav = g[i] == 0;
		T_CHECKF(pos[i] == fav, "row %d: %g vs %d", i, pos[i], fav);
	}
	ft_fit_output_clear(&out);
}

static void test_errors(void)
{
	const double s[8] = {.45, .3, .6, .1, .55, .7, .9, .4};
	const double y[8] = {1, 0, 1, 0, 0, 1, 1, 0};
	const int32_t g[8] = {0, 0, 0, 0, 1, 1, 1, 1};
	const double y1[8] = {1, 1, 1, 1, 0, 1, 1, 0};
	struct toy t;
	struct ft_fit_output out;
	struct ft_error err = {0};
	struct ft_caleo ce;
	const struct ft_method *m;
	double params[FT_MAX_PARAMS];

	toy_init(&t, s, y, g);
	T_CHECK(fit_spec("cal-eo", &t, -1, &out, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "privileged") != NULL, "%s", err.msg);
	ft_error_clear(&err);
	T_CHECK(fit_spec("reject-option", &t, -1, &out, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(fit_spec("reject-option:low=0.9,high=0.1", &t, 1, &out, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "low < high") != NULL, "%s", err.msg);
	ft_error_clear(&err);
	T_CHECK(fit_spec("reject-option:lb=0.1,ub=0", &t, 1, &out, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_method_parse("cal-eo:cost=tpr", &m, params, &err) == FT_EINVAL);
	T_CHECKF(strstr(err.msg, "fnr|fpr|weighted") != NULL, "%s", err.msg);
	ft_error_clear(&err);
	T_CHECK(ft_method_parse("reject-option:n_thresh=0", &m, params, &err) == FT_EINVAL);
	ft_error_clear(&err);
	/* an unprivileged pool without negatives: GFPR undefined */
	T_CHECK(ft_caleo_solve(s, y1, NULL, g, 8, 2, 1, FT_CALEO_WEIGHTED, 0.5, &ce,
	                       &err) == FT_EDATA);
	T_CHECKF(strstr(err.msg, "unprivileged pool has no negative") != NULL, "%s", err.msg);
	ft_error_clear(&err);
	toy_init(&t, s, y, g);
	t.g[3] = -1;
	T_CHECK(fit_spec("cal-eo", &t, 1, &out, &err) == FT_EDATA);
	T_CHECKF(strstr(err.msg, "row 4 has no group") != NULL, "%s", err.msg);
}

/* ------------------------------------------------------------ fixtures */

struct dataset {
	double *s, *y, *w;
	int32_t *g;
	size_t n;
};

static int cost_of(const char *c)
{
	return !strcmp(c, "fnr") ? FT_CALEO_FNR : !strcmp(c, "fpr") ? FT_CALEO_FPR :
		FT_CALEO_WEIGHTED;
}

static int metric_of(const char *c)
{
	return !strcmp(c, "spd") ? FT_ROC_SPD : !strcmp(c, "aod") ? FT_ROC_AOD : FT_ROC_EOD;
}

static void test_fixture(void)
{
	FILE *fp = fopen(FIX, "r");
	char line[4096];
	struct dataset ger = {0}, adu = {0};
	struct ft_table *t = NULL;
	size_t cap = 1024, n_caleo = 0, n_roc = 0;
	struct ft_error err = {0};
	int have_adult = 0;

	if (!fp) {
		T_FAIL("cannot open %s", FIX);
		return;
	}
	ger.s = malloc(cap * sizeof *ger.s);
	ger.y = malloc(cap * sizeof *ger.y);
	ger.w = malloc(cap * sizeof *ger.w);
	ger.g = malloc(cap * sizeof *ger.g);
	if (af_adult_table(&t, &err) == 0 &&
	    af_adult_formula(t, &adu.s, &adu.y, &adu.g, &adu.n) == 0)
		have_adult = 1;
	while (fgets(line, sizeof line, fp)) {
		char kind[16], data[16], what[16];
		int weighted;
		if (line[0] == '#')
			continue;
		if (!strncmp(line, "score\t", 6)) {
			int yy, gg;
			if (ger.n == cap || sscanf(line + 6, "%lf %d %d", &ger.s[ger.n], &yy, &gg) != 3) {
				T_FAIL("bad score line");
				break;
			}
			ger.y[ger.n] = yy;
			ger.g[ger.n] = gg;
			ger.w[ger.n] = af_weight(ger.n);
			ger.n++;
			continue;
		}
		if (sscanf(line, "%15s %15s %d %15s", kind, data, &weighted, what) != 4)
			continue;
		struct dataset *ds = !strcmp(data, "german") ? &ger : &adu;
		if (ds == &adu && !have_adult)
			continue;
		const double *w = weighted ? ds->w : NULL;
		char *p = line;
		for (int k = 0; k < 4; k++)
			p = strchr(p, '\t') + 1;
		if (!strcmp(kind, "caleo")) {
			double v[8];
			struct ft_caleo ce;
			if (sscanf(p, "%lf %lf %lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2],
			           &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) {
				T_FAIL("bad caleo line");
				break;
			}
			if (ft_caleo_solve(ds->s, ds->y, w, ds->g, ds->n, 2, 1, cost_of(what), 0.5,
			                   &ce, &err)) {
				T_FAIL("%s", err.msg);
				break;
			}
			T_NEAR(ce.base_rate[0], v[0], 1e-12);
			T_NEAR(ce.base_rate[1], v[1], 1e-12);
			T_NEAR(ce.cost[0], v[2], 1e-12);
			T_NEAR(ce.cost[1], v[3], 1e-12);
			T_NEAR(ce.trivial_cost[0], v[4], 1e-12);
			T_NEAR(ce.trivial_cost[1], v[5], 1e-12);
			/* AIF360 draws np.random.random() <= rate: rates outside
			 * [0, 1] act as 0 or 1 */
			T_NEAR(ce.mix_rate[0], fmin(1, fmax(0, v[6])), 1e-12);
			T_NEAR(ce.mix_rate[1], fmin(1, fmax(0, v[7])), 1e-12);
			n_caleo++;
		} else if (!strcmp(kind, "roc")) {
			double lb, ub, v[4];
			int feas;
			struct ft_roc_params rp;
			struct ft_reject_choice r;
			if (sscanf(p, "%lf %lf %lf %lf %lf %lf %d", &lb, &ub, &v[0], &v[1], &v[2],
			           &v[3], &feas) != 7) {
				T_FAIL("bad roc line");
				break;
			}
			ft_roc_params_init(&rp);
			rp.metric = metric_of(what);
			rp.lb = lb;
			rp.ub = ub;
			if (ft_roc_solve(ds->s, ds->y, w, ds->g, ds->n, 2, 1, &rp, &r, &err)) {
				T_FAIL("%s", err.msg);
				break;
			}
			T_CHECKF(r.threshold == v[0] && r.margin == v[1] && r.feasible == feas,
			         "%s %d %s [%g, %g]: t %.17g m %.17g feasible %d, reference "
			         "%.17g %.17g %d", data, weighted, what, lb, ub, r.threshold,
			         r.margin, r.feasible, v[0], v[1], feas);
			T_NEAR(r.balanced_accuracy, v[2], 1e-12);
			T_NEAR(r.metric, v[3], 1e-12);
			n_roc++;
		}
	}
	fclose(fp);
	T_CHECKF(ger.n == 1000, "%zu German rows", ger.n);
	T_CHECKF(n_caleo == (have_adult ? 9u : 6u) && n_roc == (have_adult ? 25u : 18u),
	         "%zu cal-eo and %zu roc lines checked", n_caleo, n_roc);
	if (have_adult)
		T_CHECK(adu.n == 30162);
	free(ger.s);
	free(ger.y);
	free(ger.w);
	free(ger.g);
	free(adu.s);
	free(adu.y);
	free(adu.g);
	ft_table_free(t);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Fit times on Adult (adult.data, sex), median of 5: the baseline logistic
 * fit and each post-processor's fit (which reuses the baseline); printed
 * for the record, and the rules hold their bounds on the training rows. */
static void test_adult_timing(void)
{
	static const char *const SPEC[] = {"cal-eo", "cal-eo:fnr", "reject-option",
	                                   "reject-option:aod"};
	struct ft_table *t = NULL;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_linear_model *base = NULL;
	struct ft_solver_result res;
	struct ft_logreg_params lp;
	struct ft_error err = {0};
	double tb[5];

	ft_logreg_params_init(&lp);
	if (af_adult(&t, &e, &d, &err)) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	for (int r = 0; r < 5; r++) {
		double t0 = t_now();
		ft_linear_model_free(base);
		base = NULL;
		if (ft_logreg_fit(d, &lp, &base, &res, &err)) {
			T_FAIL("%s", err.msg);
			goto done;
		}
		tb[r] = t_now() - t0;
	}
	qsort(tb, 5, sizeof *tb, cmp_d);
	for (int k = 0; k < 4; k++) {
		const struct ft_method *m;
		double params[FT_MAX_PARAMS], tk[5];
		struct ft_fit_input in = {d, e->n_groups, (const char *const *)e->group_names, 1,
		                          &lp, base, res.f, params};
		T_CHECK(ft_method_parse(SPEC[k], &m, params, &err) == 0);
		for (int r = 0; r < 5; r++) {
			struct ft_fit_output out;
			double t0 = t_now();
			memset(&out, 0, sizeof out);
			if (m->fit(&in, &out, &err)) {
				T_FAIL("%s: %s", SPEC[k], err.msg);
				goto done;
			}
			tk[r] = t_now() - t0;
			ft_fit_output_clear(&out);
		}
		qsort(tk, 5, sizeof *tk, cmp_d);
		fprintf(stderr, "adult %s: fit %.2f ms, logistic baseline %.2f ms (ratio %.2f; "
		        "median of 5)\n", SPEC[k], 1e3 * tk[2], 1e3 * tb[2], tk[2] / tb[2]);
	}
done:
	ft_linear_model_free(base);
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
}

int main(void)
{
	char probe[4096];

	T_RUN(test_caleo_hand);
	T_RUN(test_roc_hand);
	T_RUN(test_errors);
	if (t_have_data("adult/adult.data", probe, sizeof probe)) {
		T_RUN(test_fixture);
		T_RUN(test_adult_timing);
	} else {
		T_SKIP(test_fixture, "adult/adult.data not found under $FAIRTRAIN_DATA");
	}
	return t_done();
}
