/*
 * test_rank_losses.c - issue 16's training-side items: LambdaLoss
 * (NDCG-Loss2) value and gradient against finite differences, alone and
 * with the DELTR and pairwise terms added, the same bits for 1 and 2
 * threads, a fit that raises NDCG; DELTR's reference loop telling an
 * oscillating run from a slow one; pair-con's constraint meaning the same
 * whatever the scale of the features, with the constrained and measured
 * gaps reported; the exact mode's conditioning warning on collinear
 * features.  Data: the synthetic queries of rank_fixture.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"
#include "rank_fixture.h"

/* The value of diagnostic `name`, NAN when absent. */
static double diag(const struct ft_rank_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_diag; i++)
		if (!strcmp(r->diag_name[i], name))
			return r->diag[i];
	return NAN;
}

/* Smallest gap between two scores of one query at w (finite differences
 * must not cross a change of order). */
static double min_score_gap(const struct ft_rank_data *rd, const double *w)
{
	double *s = malloc(rd->n * sizeof *s), m = INFINITY;

	ft_rank_scores(rd, w, s);
	for (size_t q = 0; q < rd->n_queries; q++)
		for (size_t i = rd->qoff[q]; i < rd->qoff[q + 1]; i++)
			for (size_t j = i + 1; j < rd->qoff[q + 1]; j++)
				m = fmin(m, fabs(s[i] - s[j]));
	free(s);
	return m;
}

static void test_lambdaloss_gradient(void)
{
	struct ft_rank_data *rd = t_synthetic();
	const int fairs[4] = { FT_RANK_FAIR_NONE, FT_RANK_FAIR_DELTR, FT_RANK_FAIR_PAIR_REG,
	                       FT_RANK_FAIR_PAIR_CON };
	struct ft_error err = { 0 };

	T_CHECKF(min_score_gap(rd, T_W0) > 1e-4, "a near tie at T_W0: %g", min_score_gap(rd, T_W0));
	for (int k = 0; k < 4; k++) {
		struct ft_rank_params p;
		struct ft_objective obj;
		double fd;
		ft_rank_params_init(&p);
		p.loss = FT_RANK_LAMBDALOSS;
		p.fair = fairs[k];
		p.gamma = 50;
		p.lambda = 3;
		p.l2 = 0.1;
		p.doc_weight = k & 1;
		T_CHECKF(ft_rank_objective(rd, &p, &obj, &err) == 0, "%s", err.msg);
		if (!obj.ctx)
			continue;
		T_CHECK(obj.hessian == NULL && obj.hess_vec == NULL);
		fd = t_fd_error(&obj, T_W0);
		T_CHECKF(fd < 1e-7, "fair %d: finite-difference error %g", fairs[k], fd);
		ft_rank_objective_free(&obj);
	}
	ft_rank_data_free(rd);
}

/* By hand: one query, two items, rel 1 and 0, scores s1, s2: ranks 1, 2
 * when s1 > s2, delta = 1/D(1) - 1/D(2) = 1 - 1/log2(3), |G1 - G2| = 1. */
static void test_lambdaloss_hand(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_objective obj;
	double w[3] = { 1, 0, 0 }, f, g[3], d;

	rd->n = 2;
	rd->n_queries = 1;
	rd->qoff[1] = 2;
	rd->rel[0] = 1;
	rd->rel[1] = 0;
	rd->x[0] = 0.7;
	rd->x[3] = 0.2;
	ft_rank_params_init(&p);
	p.loss = FT_RANK_LAMBDALOSS;
	T_CHECK(ft_rank_objective(rd, &p, &obj, NULL) == 0);
	T_CHECK(obj.value_grad(obj.ctx, w, &f, g) == 0);
	d = 1 - 1 / log2(3.0);
	T_NEAR(f, d * log2(1 + exp(-0.5)), 1e-15);
	T_NEAR(g[0], -d / log(2.0) / (1 + exp(0.5)) * (0.7 - 0.2), 1e-15);
	ft_rank_objective_free(&obj);
	rd->n = 26;             /* back to t_synthetic's, so that all is freed */
	rd->n_queries = 4;
	rd->qoff[1] = 5;
	ft_rank_data_free(rd);
}

/* Many rows (several chunks): the same bits for 1 and 2 threads. */
static void test_lambdaloss_threads(void)
{
	size_t sizes[500];
	struct ft_rank_data *rd;
	struct ft_rank_params p;
	struct ft_objective obj;
	double f[2], g[2][3];

	for (int q = 0; q < 500; q++)
		sizes[q] = 10;
	rd = t_make(500, sizes, 0);
	ft_rank_params_init(&p);
	p.loss = FT_RANK_LAMBDALOSS;
	p.fair = FT_RANK_FAIR_DELTR;
	p.gamma = 10;
	T_CHECK(ft_rank_objective(rd, &p, &obj, NULL) == 0);
	for (int t = 0; t < 2; t++) {
		ft_set_threads(t + 1);
		T_CHECK(obj.value_grad(obj.ctx, T_W0, &f[t], g[t]) == 0);
	}
	ft_set_threads(0);
	T_CHECK(f[0] == f[1] && memcmp(g[0], g[1], sizeof g[0]) == 0);
	ft_rank_objective_free(&obj);
	ft_rank_data_free(rd);
}

/* A LambdaLoss fit ranks better than its start (tie-aware NDCG@5). */
static void test_lambdaloss_fit(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_rank_result res;
	struct ft_error err = { 0 };
	double w[3] = { 0.3, -0.2, 0.1 }, s[26], before = 0, after = 0;

	for (int pass = 0; pass < 2; pass++) {
		double *acc = pass ? &after : &before, rel[26];
		ft_rank_scores(rd, w, s);
		for (size_t i = 0; i < rd->n; i++)
			rel[i] = rd->rel[i];
		for (size_t q = 0; q < rd->n_queries; q++) {
			struct ft_value v;
			size_t a = rd->qoff[q];
			T_CHECK(ft_ndcg_ties(rel + a, s + a, rd->qoff[q + 1] - a, 5, &v, NULL) == 0);
			*acc += v.value / (double)rd->n_queries;
		}
		if (!pass) {
			T_CHECK(ft_rank_method_parse("lambdaloss:l2=0.01", &p, &err) == 0);
			T_CHECK(p.loss == FT_RANK_LAMBDALOSS);
			T_CHECKF(ft_rank_fit(rd, &p, w, &res, &err) == 0, "%s", err.msg);
		}
	}
	T_CHECKF(after > before, "NDCG@5 %g -> %g", before, after);
	T_CHECK(!isnan(diag(&res, "hessian_rcond")));
	printf("# lambdaloss fit: mean NDCG@5 %.4f -> %.4f\n", before, after);
	ft_rank_data_free(rd);
}

/* ---------------------------------------------------- DELTR oscillation */

static void test_deltr_oscillation(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_rank_result res;
	struct ft_error err = { 0 };
	double w[3] = { 0, 0, 0 };

	/* gamma 1e4 at step 1e-4: the penalty's kink at E0 = E1 makes the loop
	 * bounce: the objective rises every other step */
	ft_rank_params_init(&p);
	p.fair = FT_RANK_FAIR_DELTR;
	p.reference = 1;
	p.gamma = 1e4;
	p.learning_rate = 1e-4;
	T_CHECKF(ft_rank_fit(rd, &p, w, &res, &err) == 0, "%s", err.msg);
	T_STREQ(res.diag_name[0], "window");
	T_CHECK(diag(&res, "window") == 500);
	T_CHECK(diag(&res, "oscillating") == 1);
	T_CHECK(diag(&res, "loss_increases_last_500") >= 100);
	T_CHECK(diag(&res, "step_sign_flips_last_500") >= 250);
	T_CHECK(res.res.converged == 0);
	printf("# deltr reference gamma=1e4 lr=1e-4: oscillating, %g rises and %g step sign flips "
	       "in the last 500 steps\n", diag(&res, "loss_increases_last_500"),
	       diag(&res, "step_sign_flips_last_500"));
	/* a slow loop: no rises, not oscillating */
	memset(w, 0, sizeof w);
	p.gamma = 0;
	p.learning_rate = 1e-5;
	T_CHECK(ft_rank_fit(rd, &p, w, &res, &err) == 0);
	T_CHECK(diag(&res, "oscillating") == 0 && diag(&res, "loss_increases_last_500") == 0);
	/* a short loop: the window is the whole loop */
	memset(w, 0, sizeof w);
	p.iterations = 40;
	T_CHECK(ft_rank_fit(rd, &p, w, &res, &err) == 0 && diag(&res, "window") == 40);
	ft_rank_data_free(rd);
}

/* ---------------------------------------------------- pair-con scale */

/* Fit pair-con on 60 synthetic queries (6-10 rows) with features times
 * `scale`; the measured (unsmoothed) and constrained gaps. */
static int pair_con_at(double scale, double temp, double c, double *measured,
                       double *smoothed)
{
	size_t sizes[60];
	struct ft_rank_data *rd;
	struct ft_rank_params p;
	struct ft_rank_result res;
	struct ft_error err = { 0 };
	double w[3] = { 0, 0, 0 }, a, b;
	int rc;

	for (int q = 0; q < 60; q++)
		sizes[q] = 6 + (size_t)q % 5;
	rd = t_make(60, sizes, 0);
	for (size_t i = 0; i < rd->n * rd->p; i++)
		rd->x[i] *= scale;
	ft_rank_params_init(&p);
	p.fair = FT_RANK_FAIR_PAIR_CON;
	p.c = c;
	p.l2 = 0.1;
	p.pair_temp = temp;
	rc = ft_rank_fit(rd, &p, w, &res, &err);
	T_CHECKF(rc == 0, "%s", err.msg);
	T_CHECK(ft_pair_gap_hard(rd, w, 1, &a, &b, measured, NULL) == 0);
	T_CHECK(diag(&res, "pair_gap_measured") == *measured);
	*smoothed = diag(&res, "pair_gap_smoothed");
	T_CHECK(fabs(*smoothed) <= c + 1e-5);
	ft_rank_data_free(rd);
	return rc;
}

static void test_pair_con_scale(void)
{
	const double scales[5] = { 0.01, 0.1, 1, 10, 100 }, c = 0.002;
	double m[2][5], s[2][5], lo[2] = { 1, 1 }, hi[2] = { -1, -1 };

	for (int legacy = 0; legacy < 2; legacy++)
		for (int k = 0; k < 5; k++) {
			pair_con_at(scales[k], legacy ? 0 : 0.1, c, &m[legacy][k], &s[legacy][k]);
			lo[legacy] = fmin(lo[legacy], m[legacy][k]);
			hi[legacy] = fmax(hi[legacy], m[legacy][k]);
		}
	/* scale-free: the constrained model's measured gap is the same at
	 * every scale, and near the bound (the unconstrained gap is 0.015) */
	T_CHECKF(hi[0] - lo[0] <= 1e-3, "measured gaps from %g to %g", lo[0], hi[0]);
	for (int k = 0; k < 5; k++)
		T_CHECKF(fabs(m[0][k]) <= c + 1e-3, "scale %g: measured gap %g, bound %g",
		         scales[k], m[0][k], c);
	/* the raw-score smoothing (pair_temp = 0, the former pair-con): the
	 * bound holds on a quantity near 0 and the measured gap moves with the
	 * scale, far from c */
	T_CHECK(hi[1] - lo[1] > 5e-3 && lo[1] > 5 * c);
	printf("# pair-con c=0.002, features x0.01 .. x100: measured gap %.4f .. %.4f "
	       "(raw-score smoothing: %.4f .. %.4f)\n", lo[0], hi[0], lo[1], hi[1]);
}

/* ---------------------------------------------------- conditioning */

static void test_collinear_warning(void)
{
	for (int k = 0; k < 2; k++) {
		struct ft_rank_data *rd = t_synthetic();
		struct ft_rank_params p;
		struct ft_rank_result res;
		struct ft_error err = { 0 };
		double w[3] = { 0, 0, 0 };

		/* feature 3 = feature 1 + a near-constant offset */
		for (size_t i = 0; i < rd->n; i++)
			rd->x[i * 3 + 2] = rd->x[i * 3] + 1e-6 * (double)((i * 3) % 5);
		ft_rank_params_init(&p);
		p.l2 = k ? 1e-2 : 0;
		T_CHECKF(ft_rank_fit(rd, &p, w, &res, &err) == 0, "%s", err.msg);
		if (!k) {
			T_CHECK(res.res.converged);          /* the solver is satisfied ... */
			T_CHECK(diag(&res, "ill_conditioned") == 1);   /* ... the data are not */
			T_CHECK(diag(&res, "hessian_rcond") < 1e-8);
			T_CHECK(diag(&res, "weight_norm") > 100);
			printf("# collinear, l2 = 0: weights %.4g %.4g %.4g, rcond %.3g, ill_conditioned\n",
			       w[0], w[1], w[2], diag(&res, "hessian_rcond"));
		} else {
			T_CHECK(diag(&res, "ill_conditioned") == 0 && diag(&res, "weight_norm") < 10);
		}
		ft_rank_data_free(rd);
	}
	/* RankNet's Hessian comes from its Hessian-vector product */
	{
		struct ft_rank_data *rd = t_synthetic();
		struct ft_rank_params p;
		struct ft_rank_result res;
		double w[3] = { 0, 0, 0 };
		ft_rank_params_init(&p);
		p.loss = FT_RANK_RANKNET;
		p.l2 = 0.5;
		T_CHECK(ft_rank_fit(rd, &p, w, &res, NULL) == 0);
		T_CHECK(diag(&res, "hessian_rcond") > 1e-3 && diag(&res, "ill_conditioned") == 0);
		ft_rank_data_free(rd);
	}
}

/* From w = 0 (every score tied: the ranks are the rows' order and the loss
 * has a kink there) the fit starts at the ListNet solution and goes on
 * from it: the LambdaLoss at the end is at most its value there, and the
 * order (tie-aware NDCG@5) is no worse than ListNet's. */
static void test_lambdaloss_from_zero(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p, pl;
	struct ft_rank_result res, rl;
	struct ft_objective obj;
	struct ft_error err = { 0 };
	double w[3] = { 0, 0, 0 }, wl[3] = { 0, 0, 0 }, s[26], f_l, f, nd[2] = { 0, 0 };

	T_CHECK(ft_rank_method_parse("lambdaloss:l2=0.01", &p, &err) == 0);
	T_CHECK(ft_rank_method_parse("listnet:l2=0.01", &pl, &err) == 0);
	T_CHECKF(ft_rank_fit(rd, &p, w, &res, &err) == 0, "%s", err.msg);
	T_CHECKF(ft_rank_fit(rd, &pl, wl, &rl, &err) == 0, "%s", err.msg);
	T_CHECK(diag(&res, "listnet_start") == 1);
	T_CHECK(isnan(diag(&rl, "listnet_start")));
	T_CHECK(w[0] != 0 || w[1] != 0 || w[2] != 0);
	T_CHECK(ft_rank_objective(rd, &p, &obj, &err) == 0);
	T_CHECK(obj.value_grad(obj.ctx, wl, &f_l, NULL) == 0 &&
	        obj.value_grad(obj.ctx, w, &f, NULL) == 0);
	ft_rank_objective_free(&obj);
	T_CHECKF(f <= f_l, "LambdaLoss %.17g after, %.17g at the ListNet start", f, f_l);
	for (int k = 0; k < 2; k++) {
		double rel[26];
		ft_rank_scores(rd, k ? w : wl, s);
		for (size_t i = 0; i < rd->n; i++)
			rel[i] = rd->rel[i];
		for (size_t q = 0; q < rd->n_queries; q++) {
			struct ft_value v;
			size_t a = rd->qoff[q];
			T_CHECK(ft_ndcg_ties(rel + a, s + a, rd->qoff[q + 1] - a, 5, &v, NULL) == 0);
			nd[k] += v.value / (double)rd->n_queries;
		}
	}
	T_CHECKF(nd[1] >= nd[0] - 1e-12, "NDCG@5 ListNet %g, LambdaLoss %g", nd[0], nd[1]);
	printf("# lambdaloss from 0: loss %.6g at the ListNet start -> %.6g; NDCG@5 %.4f -> "
	       "%.4f\n", f_l, f, nd[0], nd[1]);
	ft_rank_data_free(rd);
}

int main(void)
{
	(void)t_check_fg;
	T_RUN(test_lambdaloss_gradient);
	T_RUN(test_lambdaloss_hand);
	T_RUN(test_lambdaloss_threads);
	T_RUN(test_lambdaloss_fit);
	T_RUN(test_lambdaloss_from_zero);
	T_RUN(test_deltr_oscillation);
	T_RUN(test_pair_con_scale);
	T_RUN(test_collinear_warning);
	return t_done();
}
