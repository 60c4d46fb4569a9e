/*
 * test_dp_methods.c - dp-threshold, dp-eg (src/fair/dp_methods.c,
 * dp_reductions.c), the private encoder statistics (src/data/
 * dp_encode.c) and the private audit (src/metrics/dp_audit.c).
 *
 * Independent checks: epsilon = 0 against the non-private methods, bit for
 * bit; the ROC-points entry of the threshold solver against its rows entry;
 * the audit's rates at a negligible noise against ft_group_metrics, and
 * the coverage of its intervals on simulated populations; every released
 * quantity's sensitivity on neighbouring data sets that differ in one row.
 */
#include "t.h"
#include "dp_data.h"
#include <stdint.h>
#include "core/dp.h"
#include "fair/dp.h"
#include "fair/fair.h"
#include "fair/postproc.h"
#include "fair/reductions.h"
#include "metrics/sample.h"
#include "model/model.h"

static const char *const NAMES[2] = {"a", "b"};

static void dd_make3(struct dd *s, size_t n, size_t p, uint64_t seed)
{
	dd_make(s, n, p, seed, 0.4, 1.2, -0.5, 0.8, 0.6);
}

static int same_model(const struct ft_linear_model *a, const struct ft_linear_model *b)
{
	return a && b && a->p == b->p && a->intercept == b->intercept &&
	       !memcmp(a->coef, b->coef, a->p * sizeof *a->coef);
}

/* The selection-rate gap of a fit's decisions on s (training data). */
static double dp_gap(const struct ft_fit_output *o, const struct dd *s)
{
	double *sc = malloc(s->d.n * sizeof *sc), *pos = malloc(s->d.n * sizeof *pos);
	double sel[2] = {0, 0}, cnt[2] = {0, 0};
	struct ft_error err = {0};

	ft_classify(o->pred.linear, o->pred.mixture, o->pred.thresholds, &s->d, 0.5, sc, pos, &err);
	for (size_t i = 0; i < s->d.n; i++) {
		sel[s->g[i]] += pos[i];
		cnt[s->g[i]] += 1;
	}
	free(sc);
	free(pos);
	return fabs(sel[1] / cnt[1] - sel[0] / cnt[0]);
}

/* ------------------------------------------------------ dp-threshold */

static void test_threshold_roc_entry(void)
{
	/* scores on a grid: the points built from rows and the cumulative
	 * counts of the same rows give the same thresholds */
	size_t n = 600, bins = 10;
	struct ft_rng r;
	double *s = malloc(n * sizeof *s), *y = malloc(n * sizeof *y), pts[2][3][11];
	int32_t *g = malloc(n * sizeof *g);
	int64_t cnt[2 * 2 * 10];
	struct ft_dataset d;
	struct ft_roc roc[2];
	struct ft_error err = {0};

	ft_rng_seed(&r, 4);
	for (size_t i = 0; i < n; i++) {
		g[i] = (int32_t)(i % 3 == 0);
		s[i] = ((double)ft_rng_below(&r, bins) + 0.5) / (double)bins;
		y[i] = ft_rng_uniform(&r) < s[i] * (g[i] ? 1.0 : 0.7);
	}
	memset(&d, 0, sizeof d);
	d.n = n;
	d.y = y;
	d.group = g;
	ft_dp_score_histogram(&d, s, 2, bins, cnt);
	for (size_t gg = 0; gg < 2; gg++) {
		double *tp = pts[gg][0], *fp = pts[gg][1], *thr = pts[gg][2];
		tp[0] = fp[0] = 0;
		thr[0] = INFINITY;
		for (size_t k = 1; k <= bins; k++) {
			size_t b = bins - k;
			tp[k] = tp[k - 1] + (double)cnt[(gg * 2 + 1) * bins + b];
			fp[k] = fp[k - 1] + (double)cnt[(gg * 2) * bins + b];
			thr[k] = k == bins ? -INFINITY : (double)b / (double)bins;
		}
		roc[gg].m = bins;
		roc[gg].tp = tp;
		roc[gg].fp = fp;
		roc[gg].thr = thr;
	}
	for (int c = 0; c < 4; c++) {
		struct ft_thresholds *a = NULL, *b = NULL;
		double va = 0, vb = 0, *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
		T_CHECK(ft_threshold_solve(s, y, NULL, g, n, 2, NAMES, c, 0, &a, &va, &err) == 0);
		T_CHECK(ft_threshold_solve_roc(roc, 2, NAMES, c, 0, &b, &vb, &err) == 0);
		T_NEAR(vb, va, 1e-12);
		/* the decisions agree row by row (cuts differ: midpoints vs edges) */
		if (a && b)
			for (size_t i = 0; i < n; i++) {
				const struct ft_thresholds *t[2] = {a, b};
				double *po[2] = {pa, pb};
				for (int k = 0; k < 2; k++) {
					size_t gg = (size_t)g[i];
					const struct ft_thresholds *h = t[k];
					double d0 = s[i] >= h->t0[gg], d1 = s[i] >= h->t1[gg];
					po[k][i] = (1 - h->q[gg]) * (h->p[gg] * d0 + (1 - h->p[gg]) * d1) +
					           h->q[gg] * h->c[gg];
				}
				T_NEAR(pa[i], pb[i], 1e-12);
			}
		ft_thresholds_free(a);
		ft_thresholds_free(b);
		free(pa);
		free(pb);
	}
	/* a replaced row changes the histogram by at most 2 in L1 */
	{
		int64_t c2[40];
		for (size_t i = 0; i < 30; i++) {
			double os = s[i], oy = y[i];
			int32_t og = g[i];
			int64_t l1 = 0;
			s[i] = 0.999;
			y[i] = 1 - y[i];
			g[i] = 1 - g[i];
			ft_dp_score_histogram(&d, s, 2, bins, c2);
			for (size_t k = 0; k < 40; k++)
				l1 += llabs(c2[k] - cnt[k]);
			T_CHECK(l1 <= 2);
			s[i] = os;
			y[i] = oy;
			g[i] = og;
		}
	}
	free(s);
	free(y);
	free(g);
}

static void test_dp_threshold(void)
{
	struct dd s;
	struct ft_logreg_params lp;
	struct ft_linear_model *base = NULL;
	struct ft_fit_input fi;
	struct ft_fit_output a, b;
	struct ft_error err = {0};
	/* epsilon, constraint, objective, row_norm, share, bins, C, seed */
	double pz[8] = {0, 0, 0, 1, 0.5, 50, 0, 0}, pt[2] = {0, 0};
	double pp[8] = {50, 0, 0, 3, 0.5, 20, 0, 9};
	double e, dl;

	dd_make3(&s, 3000, 3, 21);
	ft_logreg_params_init(&lp);
	T_CHECK(ft_logreg_fit(&s.d, &lp, &base, NULL, &err) == 0);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	dd_fit_input(&fi, &s, &lp, base, pz);
	T_CHECK(ft_fit_dp_threshold(&fi, &a, &err) == 0);
	dd_fit_input(&fi, &s, &lp, base, pt);
	T_CHECK(ft_fit_threshold(&fi, &b, &err) == 0);
	T_CHECK(same_model(a.pred.linear, b.pred.linear) && a.pred.thresholds && b.pred.thresholds &&
	        !memcmp(a.pred.thresholds->t0, b.pred.thresholds->t0, 2 * sizeof(double)) &&
	        !memcmp(a.pred.thresholds->p, b.pred.thresholds->p, 2 * sizeof(double)));
	ft_fit_output_clear(&a);
	ft_fit_output_clear(&b);
	/* private: two spends on two stages; the thresholds close the gap */
	memset(&a, 0, sizeof a);
	dd_fit_input(&fi, &s, &lp, base, pp);
	T_CHECK(ft_fit_dp_threshold(&fi, &a, &err) == 0);
	T_CHECK(a.budget && a.budget->n == 2 && a.budget->seeded);
	if (a.budget) {
		T_CHECK(a.budget->spend[0].stage == FT_DP_TRAINING &&
		        a.budget->spend[1].stage == FT_DP_POSTPROC);
		ft_budget_spent(a.budget, -1, &e, &dl);
		T_NEAR(e, 50.0, 1e-15);
	}
	if (a.pred.linear) {
		double gap = dp_gap(&a, &s);
		printf("  dp-threshold eps 50: training selection-rate gap %.4f\n", gap);
		T_CHECK(gap < 0.05);
	}
	ft_fit_output_clear(&a);
	ft_linear_model_free(base);
	dd_free(&s);
}

/* --------------------------------------------------------------- dp-eg */

static void test_dp_eg(void)
{
	struct dd s;
	struct ft_logreg_params lp;
	struct ft_linear_model *base = NULL;
	struct ft_fit_input fi;
	struct ft_fit_output a, b, c;
	struct ft_error err = {0};
	/* constraint, eps, epsilon, delta, max_iter, row_norm, seed, eta0 */
	double pz[8] = {0, 0.05, 0, 0, 10, 1, 0, 2.0};
	double pe[6] = {0, 0.05, 0, 10, 2.0, 0};
	double pp[8] = {0, 0.02, 3000, 0, 15, 3, 5, 2.0};
	double pl[6] = {3000, 0, 0, 3, 0, 5};
	double e, dl;

	dd_make3(&s, 4000, 3, 22);
	ft_logreg_params_init(&lp);
	T_CHECK(ft_logreg_fit(&s.d, &lp, &base, NULL, &err) == 0);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	dd_fit_input(&fi, &s, &lp, base, pz);
	T_CHECK(ft_fit_dp_eg(&fi, &a, &err) == 0);
	dd_fit_input(&fi, &s, &lp, base, pe);
	T_CHECK(ft_fit_eg(&fi, &b, &err) == 0);
	T_CHECK(same_model(a.pred.linear, b.pred.linear) && a.pred.mixture && b.pred.mixture &&
	        a.pred.mixture->k == b.pred.mixture->k &&
	        !memcmp(a.pred.mixture->weight, b.pred.mixture->weight, b.pred.mixture->k * sizeof(double)));
	ft_fit_output_clear(&a);
	ft_fit_output_clear(&b);
	/* private, with little noise: the mixture is fairer than dp-logreg
	 * under the same budget; the spending adds up */
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	dd_fit_input(&fi, &s, &lp, base, pp);
	T_CHECK(ft_fit_dp_eg(&fi, &a, &err) == 0);
	dd_fit_input(&fi, &s, &lp, base, pl);
	T_CHECK(ft_fit_dp_logreg(&fi, &b, &err) == 0);
	if (a.pred.mixture && b.pred.linear) {
		double w = 0, ga = dp_gap(&a, &s), gb = dp_gap(&b, &s);
		for (size_t k = 0; k < a.pred.mixture->k; k++)
			w += a.pred.mixture->weight[k];
		T_NEAR(w, 1.0, 1e-12);
		printf("  eps 3000: dp-eg training gap %.4f, dp-logreg %.4f\n", ga, gb);
		T_CHECK(ga < 0.5 * gb);
	}
	T_CHECK(a.budget && a.budget->n == 2);
	if (a.budget) {
		ft_budget_spent(a.budget, -1, &e, &dl);
		T_NEAR(e, 3000.0, 1e-12);
		T_NEAR(a.budget->spend[0].epsilon, 300.0, 1e-12);
	}
	ft_fit_output_clear(&a);
	ft_fit_output_clear(&b);
	/* advanced composition with delta > 0: per-round epsilon_0 larger than
	 * the basic eps_r / 2T, and the composed bound within eps_r */
	{
		double pd[8] = {0, 0.05, 1.0, 1e-5, 100, 3, 6, 2.0}, e0 = 0, adv = 0;
		memset(&a, 0, sizeof a);
		dd_fit_input(&fi, &s, &lp, base, pd);
		T_CHECK(ft_fit_dp_eg(&fi, &a, &err) == 0);
		for (size_t k = 0; k < a.n_diag; k++) {
			if (!strcmp(a.diag_name[k], "round_epsilon"))
				e0 = a.diag[k];
			if (!strcmp(a.diag_name[k], "advanced_composition"))
				adv = a.diag[k];
		}
		T_CHECK(adv == 1 && e0 > 0.9 / 200);
		T_CHECK(sqrt(2 * 200 * log(1e5)) * e0 + 200 * e0 * expm1(e0) <= 0.9 * (1 + 1e-12));
		T_CHECK(a.budget && a.budget->spend[1].delta == 1e-5);
		ft_fit_output_clear(&a);
	}
	/* the noisy tallies: a replaced row changes the (group, label) tally of
	 * decisions by at most 2 in L1, whatever the decisions */
	{
		struct ft_moment mo;
		double *pred = malloc(s.d.n * sizeof *pred), S0[6], S1[6];
		T_CHECK(ft_moment_init(&mo, &s.d, 2, NAMES, FT_RED_DP, 0.05, 1.0, "t", &err) == 0);
		for (size_t i = 0; i < s.d.n; i++)
			pred[i] = s.x[i * 3] > 0.3;
		ft_moment_tally(&mo, pred, S0);
		for (size_t i = 0; i < 20; i++) {
			double oy = s.y[i], op = pred[i], l1 = 0;
			int32_t og = s.g[i];
			s.y[i] = 1 - oy;
			s.g[i] = 1 - og;
			pred[i] = 1 - op;
			ft_moment_tally(&mo, pred, S1);
			for (int k = 0; k < 6; k++)
				l1 += fabs(S1[k] - S0[k]);
			T_CHECK(l1 <= 2.0);
			s.y[i] = oy;
			s.g[i] = og;
			pred[i] = op;
		}
		ft_moment_free(&mo);
		free(pred);
	}
	ft_linear_model_free(base);
	dd_free(&s);
}

/* --------------------------------------------------------- the audit */

static void test_audit_against_metrics(void)
{
	struct dd s;
	struct ft_eval_input in;
	struct ft_group_table *gt = NULL;
	struct ft_dp_audit *a = NULL;
	struct ft_noise ns;
	struct ft_budget bud;
	struct ft_error err = {0};
	double *score;
	static const int M[FT_DPA_N] = {FT_M_SELECTION_RATE, FT_M_TPR, FT_M_FPR, FT_M_ACCURACY};

	dd_make3(&s, 2000, 2, 30);
	score = malloc(2000 * sizeof *score);
	for (size_t i = 0; i < 2000; i++)
		score[i] = 1 / (1 + exp(-(s.x[i * 2] - 0.4)));
	ft_eval_input_init(&in);
	in.n = 2000;
	in.y = s.y;
	in.score = score;
	in.group = s.g;
	in.n_groups = 2;
	in.group_names = NAMES;
	T_CHECK(ft_group_metrics(&in, &gt, &err) == 0);
	/* epsilon 2^22: P(noise != 0) = 2 e^-(2^21) / (1 + e^-(2^21)) = 0 */
	ft_noise_init(&ns, 1);
	ft_budget_init(&bud, 1e7, 0, &err);
	T_CHECK(ft_dp_audit(&in, 4194304.0, 200, 0.95, &ns, &bud, &a, &err) == 0);
	if (a && gt)
		for (size_t g = 0; g < 2; g++)
			for (int k = 0; k < FT_DPA_N; k++)
				T_NEAR(a->rate[g * FT_DPA_N + (size_t)k], FT_GT(gt, 1 + g, M[k]).value,
				       1e-12);
	T_CHECK(bud.n == 1 && bud.spend[0].stage == FT_DP_MEASUREMENT);
	ft_dp_audit_free(a);
	a = NULL;
	/* refused when the budget is short, before anything is released */
	ft_budget_init(&bud, 0.5, 0, &err);
	T_CHECK(ft_dp_audit(&in, 1.0, 10, 0.95, &ns, &bud, &a, &err) == FT_EINVAL && !a);
	T_CHECK(strstr(err.msg, "measurement would spend epsilon 1") != NULL);
	ft_error_clear(&err);
	/* cells: a replaced row moves one count (L1 <= 2) */
	{
		int64_t c0[8], c1[8];
		ft_dp_audit_cells(&in, &ns, c0);
		for (size_t i = 0; i < 25; i++) {
			double oy = s.y[i], os = score[i];
			int32_t og = s.g[i];
			int64_t l1 = 0;
			s.y[i] = 1 - oy;
			s.g[i] = 1 - og;
			score[i] = 1 - os;
			ft_dp_audit_cells(&in, &ns, c1);
			for (int k = 0; k < 8; k++)
				l1 += llabs(c1[k] - c0[k]);
			T_CHECK(l1 <= 2);
			s.y[i] = oy;
			s.g[i] = og;
			score[i] = os;
		}
	}
	ft_group_table_free(gt);
	free(score);
	dd_free(&s);
}

/* Coverage: a population of two groups with known cell probabilities;
 * each repetition samples n rows, releases an audit with epsilon 0.5 and
 * checks whether the intervals hold the population's rates and gap. */
static void test_audit_coverage(void)
{
	static const double PR[8] = {0.30, 0.06, 0.05, 0.09,    /* group 0: TN FP FN TP */
	                             0.22, 0.08, 0.04, 0.16};   /* group 1 */
	uint64_t w[8], cnt[8];
	size_t reps = 300, n = 600, hit[FT_DPA_N + 1] = {0}, tot[FT_DPA_N + 1] = {0};
	double truth[2][FT_DPA_N], tgap;
	struct ft_rng r;
	struct ft_noise ns;
	struct ft_error err = {0};
	double *y = malloc(n * sizeof *y), *sc = malloc(n * sizeof *sc);
	int32_t *g = malloc(n * sizeof *g);

	for (int k = 0; k < 8; k++)
		w[k] = (uint64_t)llround(PR[k] * 1e6);
	for (int gg = 0; gg < 2; gg++) {
		const double *c = PR + 4 * gg;
		double t = c[0] + c[1] + c[2] + c[3];
		truth[gg][FT_DPA_SELECTION] = (c[1] + c[3]) / t;
		truth[gg][FT_DPA_TPR] = c[3] / (c[2] + c[3]);
		truth[gg][FT_DPA_FPR] = c[1] / (c[0] + c[1]);
		truth[gg][FT_DPA_ACCURACY] = (c[0] + c[3]) / t;
	}
	tgap = truth[1][FT_DPA_SELECTION] - truth[0][FT_DPA_SELECTION];
	ft_rng_seed(&r, 77);
	ft_noise_init(&ns, 78);
	for (size_t rep = 0; rep < reps; rep++) {
		struct ft_eval_input in;
		struct ft_dp_audit *a = NULL;
		size_t i = 0;
		ft_sample_multinomial(&r, n, w, 8, 1000000, cnt);
		for (int k = 0; k < 8; k++)
			for (uint64_t j = 0; j < cnt[k]; j++, i++) {
				g[i] = k / 4;
				y[i] = (k % 4) >= 2;
				sc[i] = k % 2;          /* yhat */
			}
		ft_eval_input_init(&in);
		in.n = n;
		in.y = y;
		in.score = sc;
		in.group = g;
		in.n_groups = 2;
		in.group_names = NAMES;
		if (ft_dp_audit(&in, 0.5, 400, 0.95, &ns, NULL, &a, &err)) {
			T_FAIL("%s", err.msg);
			break;
		}
		for (int gg = 0; gg < 2; gg++)
			for (int k = 0; k < FT_DPA_N; k++) {
				double lo = a->lo[gg * FT_DPA_N + k], hi = a->hi[gg * FT_DPA_N + k];
				tot[k]++;
				hit[k] += lo <= truth[gg][k] && truth[gg][k] <= hi;
			}
		tot[FT_DPA_N]++;
		hit[FT_DPA_N] += a->gap_lo[FT_DPA_SELECTION] <= tgap &&
		                 tgap <= a->gap_hi[FT_DPA_SELECTION];
		ft_dp_audit_free(a);
	}
	for (int k = 0; k <= FT_DPA_N; k++) {
		double cov = (double)hit[k] / (double)tot[k];
		printf("  coverage of 95%% intervals, %s: %.3f (%zu intervals)\n",
		       k < FT_DPA_N ? ft_dp_audit_rate_name(k) : "selection-rate gap", cov, tot[k]);
		/* the binomial sd of a 0.95 coverage over 300 to 600 intervals is
		 * at most 0.013: 0.90 is more than 3.8 sd below */
		T_CHECK(cov >= 0.90);
	}
	free(y);
	free(sc);
	free(g);
}

/* --------------------------------------------------------- the encoder */

static void test_encoder(void)
{
	char path[] = "/tmp/ft_dp_synthXXXXXX";
	int fd = mkstemp(path);
	struct ft_table *t = NULL;
	struct ft_spec sp;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_noise ns;
	struct ft_budget bud;
	struct ft_error err = {0};
	char *sens[1] = {"gender"};
	struct ft_dp_bounds b[3] = {{"age", 18, 70}, {"experience_years", 0, 40},
	                            {"skill_test", 0, 100}};
	long col;

	T_CHECK(fd >= 0);
	close(fd);
	T_CHECK(ft_synth_write(path, 3000, 5, &err) == 0);
	T_CHECK(ft_table_read(path, NULL, &t, &err) == 0);
	ft_spec_init(&sp);
	sp.target = "hired";
	sp.positive = "yes";
	sp.sensitive = sens;
	sp.n_sensitive = 1;
	T_CHECK(ft_encoder_fit(t, &sp, &e, &err) == 0);
	if (!e || !t)
		goto out;
	/* a numeric feature column without bounds is refused, by name */
	{
		size_t k = 0;
		for (size_t c = 0; c < e->n_cols; c++)
			k += e->cols[c].role == FT_ROLE_FEATURE && e->cols[c].type == FT_NUMERIC;
		printf("  synthetic data: %zu numeric feature columns\n", k);
	}
	T_CHECK(ft_dp_encoder_bounds(e, b, 3, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "numeric column 'interview_score' has no public bounds") != NULL);
	ft_error_clear(&err);
	{
		struct ft_dp_bounds all[8];
		size_t k = 0;
		for (size_t c = 0; c < e->n_cols && k < 8; c++)
			if (e->cols[c].role == FT_ROLE_FEATURE && e->cols[c].type == FT_NUMERIC) {
				all[k].column = e->cols[c].name;
				all[k].lo = !strcmp(e->cols[c].name, "age") ? 18 : 0;
				all[k].hi = !strcmp(e->cols[c].name, "age") ? 70 : 100;
				k++;
			}
		T_CHECK(ft_dp_encoder_bounds(e, all, k, &err) == 0);
		for (size_t c = 0; c < e->n_cols; c++)
			if (!strcmp(e->cols[c].name, "age"))
				T_CHECK(e->cols[c].mean == 44 && e->cols[c].sd == 26);
		/* private means and sds: with a large epsilon they are the clamped
		 * data's, which the released sums' sensitivity bounds */
		ft_noise_init(&ns, 12);
		ft_budget_init(&bud, 1e6, 0, &err);
		T_CHECK(ft_dp_encoder_private(e, t, all, k, 1e5, &ns, &bud, &err) == 0);
		T_CHECK(bud.n == 1 && bud.spend[0].stage == FT_DP_ENCODER);
		col = ft_table_col(t, "age");
		if (col >= 0) {
			double s1, s2, m, v, s1b, s2b;
			ft_dp_clamped_sums(t, (size_t)col, 18, 70, &s1, &s2);
			m = s1 / (double)t->n_rows;
			v = s2 / (double)t->n_rows - (m - 44) * (m - 44);
			for (size_t c = 0; c < e->n_cols; c++)
				if (!strcmp(e->cols[c].name, "age")) {
					T_NEAR(e->cols[c].mean, m, 1e-3);
					T_NEAR(e->cols[c].sd, sqrt(v), 1e-3);
				}
			/* a replaced row (any value of the column, or missing) moves
			 * the sums by at most hi - lo and ((hi - lo) / 2)^2 */
			for (size_t i = 0; i < 10; i++) {
				uint32_t *cell = &t->cell[i * t->n_cols + (size_t)col], old = *cell;
				for (uint32_t v2 = 0; v2 < t->vals[col].n && v2 < 40; v2++) {
					*cell = v2;
					ft_dp_clamped_sums(t, (size_t)col, 18, 70, &s1b, &s2b);
					T_CHECK(fabs(s1b - s1) <= 52 * (1 + 1e-12));
					T_CHECK(fabs(s2b - s2) <= 26.0 * 26.0 * (1 + 1e-12));
				}
				*cell = FT_MISSING;
				ft_dp_clamped_sums(t, (size_t)col, 18, 70, &s1b, &s2b);
				T_CHECK(fabs(s1b - s1) <= 52 && fabs(s2b - s2) <= 676);
				*cell = old;
			}
		}
		/* clipping to the bounds' image */
		T_CHECK(ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, &err) == 0);
		if (d) {
			d->num[0] = 1e6;
			T_CHECK(ft_dp_clip_numeric(e, d, all, k, &err) == 0);
			T_CHECK(d->num[0] < 1e6);
			for (size_t c = 0; c < e->n_cols; c++) {
				const struct ft_column *cc = &e->cols[c];
				if (cc->role == FT_ROLE_FEATURE && cc->type == FT_NUMERIC && cc->offset == 0)
					T_NEAR(d->num[0] * cc->sd + cc->mean,
					       !strcmp(cc->name, "age") ? 70.0 : 100.0, 1e-9);
			}
		}
	}
out:
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
	unlink(path);
}

int main(void)
{
	T_RUN(test_threshold_roc_entry);
	T_RUN(test_dp_threshold);
	T_RUN(test_dp_eg);
	T_RUN(test_audit_against_metrics);
	T_RUN(test_audit_coverage);
	T_RUN(test_encoder);
	return t_done();
}
