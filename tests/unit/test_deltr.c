/*
 * test_deltr.c - DELTR and pairwise fairness for rankers.
 *
 * Checked against (a) finite differences; (b) an independent numpy / scipy
 * computation of the exact objectives, their gradients and minimisers on a
 * small synthetic set (tests/fixtures/deltr_exact.tsv); (c) on the LSAT
 * gender split of the DELTR paper (skipped without the data): the weights
 * the authors published in DELTR-Experiments (results/LawStudents/gender/
 * {COLORBLIND,GAMMA=0,GAMMA=SMALL,GAMMA=LARGE}/model.m) and the test exposure
 * ratios of their evaluation, and a numpy port of their Octave code
 * (scripts/peers/deltr_reference.py, via tests/fixtures/deltr_lsat.tsv):
 * the 3000-step weights, one step's summed gradient, and scipy's minimiser
 * of the exact objective.  Both fixtures are made by
 * scripts/fixtures/make_deltr_fixtures.py.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"
#include "rank_fixture.h"

#define W0 T_W0

/* ---------------------------------------------------- synthetic, exact */

static void t_deltr_value_grad(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_objective obj;
	struct ft_error err = { 0 };
	double ref[8], e0, e1, u;
	double wpos[3] = { -1.0, 0.5, 0.2 };

	ft_rank_params_init(&p);
	p.fair = FT_RANK_FAIR_DELTR;
	p.gamma = 50;
	p.l2 = 0.1;
	p.doc_weight = 1;
	t_check_fg(&p, "deltr");
	/* no Hessian with the penalty; differences at a second point */
	T_CHECK(ft_rank_objective(rd, &p, &obj, &err) == 0);
	T_CHECK(obj.hessian == NULL && obj.hess_vec == NULL);
	T_CHECKF(t_fd_error(&obj, wpos) < 1e-7, "fd %g", t_fd_error(&obj, wpos));
	ft_rank_objective_free(&obj);
	/* the penalty alone, queries weighted once each */
	T_CHECK(t_fix_row(FIX_EXACT, "deltr_u.w0", ref, 8) == 1);
	T_CHECK(ft_deltr_exposure(rd, W0, 1, 0, &e0, &e1, &u, &err) == 0);
	T_NEAR(u, ref[0], 1e-13);
	ft_rank_data_free(rd);
}

/* E(G) by hand: one query of 3 rows, scores 0, ln 2, 0 (x = s, w = 1):
 * P = (1/4, 1/2, 1/4); G1 = {row 1}: E1 = (1/2)/ln 2, E0 = (1/4)/ln 2,
 * D < 0: no penalty; with G1 = {row 0}: E1 = (1/4)/ln2, E0 = (3/8)/ln 2. */
static void t_deltr_by_hand(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_error err = { 0 };
	double w[3] = { 1, 0, 0 }, e0, e1, u, ln2 = log(2.0);

	rd->n = 3;
	rd->n_queries = 1;
	rd->qoff[1] = 3;
	rd->x[0] = 0; rd->x[3] = log(2.0); rd->x[6] = 0;
	rd->group[0] = 0; rd->group[1] = 1; rd->group[2] = 0;
	T_CHECK(ft_deltr_exposure(rd, w, 1, 0, &e0, &e1, &u, &err) == 0);
	T_NEAR(e1, 0.5 / ln2, 1e-15);
	T_NEAR(e0, 0.25 / ln2, 1e-15);
	T_CHECK(u == 0.0);
	rd->group[0] = 1; rd->group[1] = 0;
	T_CHECK(ft_deltr_exposure(rd, w, 1, 0, &e0, &e1, &u, &err) == 0);
	T_NEAR(e1, 0.25 / ln2, 1e-15);
	T_NEAR(e0, 0.375 / ln2, 1e-15);
	T_NEAR(u, pow(0.125 / ln2, 2), 1e-15);
	/* a query without protected rows adds nothing; no query with both */
	rd->group[0] = 0;
	T_CHECK(ft_deltr_exposure(rd, w, 1, 0, &e0, &e1, &u, &err) == FT_EDATA);
	T_CHECK(strstr(err.msg, "no query holds documents of both groups") != NULL);
	rd->n = 26;     /* the struct is freed with its true size */
	rd->n_queries = 4;
	ft_rank_data_free(rd);
}

static void t_deltr_minimum(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_rank_result res;
	struct ft_error err = { 0 };
	double ref[8], w[3] = { 0, 0, 0 };

	ft_rank_params_init(&p);
	p.fair = FT_RANK_FAIR_DELTR;
	p.gamma = 50;
	p.l2 = 0.1;
	p.doc_weight = 1;
	p.solver.tol = 1e-12;
	T_CHECK(t_fix_row(FIX_EXACT, "deltr.min", ref, 8) == 4);
	T_CHECKF(ft_rank_fit(rd, &p, w, &res, &err) == 0, "%s", err.msg);
	T_CHECK(res.res.solver == FT_SOLVER_LBFGS);
	T_NEAR(res.res.f, ref[0], 1e-12);
	for (int j = 0; j < 3; j++)
		T_NEAR(w[j], ref[1 + j], 1e-7);
	T_STREQ(res.diag_name[3], "deltr_penalty");
	ft_rank_data_free(rd);
}

/* Reference mode, one step with gamma = 0: the authors' summed gradient is
 * sum_q n_q grad CE_q = n times the exact gradient with doc_weight = 1. */
static void t_reference_step_listnet(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p, q;
	struct ft_objective obj;
	struct ft_error err = { 0 };
	double w[3], f, g[3];

	ft_rank_params_init(&p);
	p.reference = 1;
	p.iterations = 1;
	p.learning_rate = 1e-3;
	memcpy(w, W0, sizeof w);
	T_CHECK(ft_rank_fit(rd, &p, w, NULL, &err) == 0);
	ft_rank_params_init(&q);
	q.doc_weight = 1;
	T_CHECK(ft_rank_objective(rd, &q, &obj, &err) == 0);
	obj.value_grad(obj.ctx, W0, &f, g);
	for (int j = 0; j < 3; j++)
		T_NEAR((W0[j] - w[j]) / 1e-3, 26.0 * g[j], 1e-10);
	ft_rank_objective_free(&obj);
	ft_rank_data_free(rd);
}

/* ------------------------------------------------------------ pairwise */

static void t_pair_gap(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_error err = { 0 };
	double ref[8], a01, a10, gap, g[3], x[3], gp, gm, h = 1e-6;

	T_CHECK(t_fix_row(FIX_EXACT, "gap.w0", ref, 8) == 6);
	T_CHECK(ft_pair_gap(rd, W0, 1, &a01, &a10, &gap, g, &err) == 0);
	T_NEAR(a01, ref[0], 1e-13);
	T_NEAR(a10, ref[1], 1e-13);
	T_NEAR(gap, ref[2], 1e-13);
	for (int j = 0; j < 3; j++) {
		T_NEAR(g[j], ref[3 + j], 1e-13);
		memcpy(x, W0, sizeof x);
		x[j] += h;
		ft_pair_gap(rd, x, 1, &a01, &a10, &gp, NULL, &err);
		x[j] -= 2 * h;
		ft_pair_gap(rd, x, 1, &a01, &a10, &gm, NULL, &err);
		T_NEAR(g[j], (gp - gm) / (2 * h), 1e-8);
	}
	/* no cross-group pairs of one kind */
	for (size_t i = 0; i < rd->n; i++)
		rd->rel[i] = rd->group[i] == 1 ? 0 : 1;
	T_CHECK(ft_pair_gap(rd, W0, 1, &a01, &a10, &gap, NULL, &err) == FT_EDATA);
	T_CHECKF(strstr(err.msg, "no pair of one query with a protected document more relevant") != NULL,
	         "%s", err.msg);
	ft_rank_data_free(rd);
}

static void check_pairreg(const char *key, int loss)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_rank_result res;
	struct ft_error err = { 0 };
	double ref[8], w[3] = { 0, 0, 0 };
	char k[64];

	ft_rank_params_init(&p);
	p.loss = loss;
	p.fair = FT_RANK_FAIR_PAIR_REG;
	p.lambda = 2;
	p.l2 = 0.1;
	p.solver.tol = 1e-12;
	t_check_fg(&p, key);
	snprintf(k, sizeof k, "%s.min", key);
	T_CHECK(t_fix_row(FIX_EXACT, k, ref, 8) == 4);
	T_CHECKF(ft_rank_fit(rd, &p, w, &res, &err) == 0, "%s", err.msg);
	T_NEAR(res.res.f, ref[0], 1e-12);
	for (int j = 0; j < 3; j++)
		T_NEAR(w[j], ref[1 + j], 1e-7);
	T_STREQ(res.diag_name[6], "pair_gap");
	ft_rank_data_free(rd);
}

static void t_pair_reg(void)
{
	check_pairreg("pairreg", FT_RANK_LISTNET);
	check_pairreg("pairreg_ranknet", FT_RANK_RANKNET);
}

/* ListNet s.t. |gap| <= c with c a quarter of the unconstrained gap: the
 * bound binds, and the solution is SLSQP's. */
static void t_pair_con(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_rank_result res;
	struct ft_error err = { 0 };
	double ref[8], w[3] = { 0, 0, 0 }, a01, a10, gap;

	T_CHECK(t_fix_row(FIX_EXACT, "paircon.min", ref, 8) == 6);
	ft_rank_params_init(&p);
	p.fair = FT_RANK_FAIR_PAIR_CON;
	p.c = ref[0];
	p.l2 = 0.1;
	p.tol_feas = 1e-10;
	p.pair_temp = 0;      /* the fixture's smoothing: sigmoid(s_i - s_j) */
	T_CHECKF(ft_rank_fit(rd, &p, w, &res, &err) == 0, "%s", err.msg);
	T_CHECK(ft_pair_gap(rd, w, 1, &a01, &a10, &gap, NULL, &err) == 0);
	T_CHECKF(fabs(gap) <= p.c + 1e-10, "gap %g bound %g", gap, p.c);
	T_NEAR(gap, ref[2], 1e-9);
	T_NEAR(res.res.f, ref[1], 1e-9);
	for (int j = 0; j < 3; j++)
		T_NEAR(w[j], ref[3 + j], 1e-6);
	T_STREQ(res.diag_name[0], "pair_lambda");
	T_CHECK(res.diag[0] > 0);                 /* gap <= c binds */
	T_STREQ(res.diag_name[4], "converged");
	T_CHECK(res.diag[4] == 1);
	/* no pair with a protected document more relevant: nothing to bound */
	for (size_t i = 0; i < rd->n; i++)
		rd->rel[i] = rd->group[i] == 1 ? 0 : 1;
	ft_error_clear(&err);
	T_CHECK(ft_rank_fit(rd, &p, w, &res, &err) == FT_EDATA);
	T_CHECKF(strstr(err.msg, "pair-con: no pair of one query with a protected document more relevant than a non-protected one") != NULL,
	         "%s", err.msg);
	ft_rank_data_free(rd);
}

/* ------------------------------------------------------------- LSAT */

static const char *const LSAT_NAMES[5] = { "query", "protected", "LSAT", "UGPA", "ZFYA" };

struct lsat {
	struct ft_table *train, *test;
};

static int lsat_read(struct lsat *L, const char *dir)
{
	struct ft_read_opts o;
	struct ft_error err = { 0 };
	char path[2048];

	ft_read_opts_init(&o);
	o.header = 0;
	o.names = (char **)LSAT_NAMES;
	o.n_names = 5;
	snprintf(path, sizeof path, "%s/train.txt", dir);
	if (ft_table_read(path, &o, &L->train, &err) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/test.txt", dir);
	return ft_table_read(path, &o, &L->test, &err);
}

/* Train and test ranking data: the file's features unstandardized, the
 * protected column a numeric 0/1 feature (DELTR) or not a feature
 * (colorblind), groups by it. */
static int lsat_data(const struct lsat *L, int colorblind, struct ft_rank_data **tr,
                     struct ft_rank_data **te)
{
	static char *sens[] = { "protected" }, *num[] = { "protected" };
	struct ft_spec s;
	struct ft_encoder *e = NULL;
	struct ft_error err = { 0 };
	int rc;

	ft_spec_init(&s);
	s.target = "ZFYA";
	s.numeric_target = 1;
	s.query = "query";
	s.sensitive = sens;
	s.n_sensitive = 1;
	s.use_sensitive = !colorblind;
	s.numeric = num;
	s.n_numeric = colorblind ? 0 : 1;
	s.raw_numeric = 1;
	if ((rc = ft_encoder_fit(L->train, &s, &e, &err)) == 0 &&
	    (rc = ft_rank_data_from_table(L->train, e, "query", FT_APPLY_TRAIN, tr, NULL, &err)) == 0)
		rc = ft_rank_data_from_table(L->test, e, "query", FT_APPLY_TRAIN, te, NULL, &err);
	if (rc)
		printf("# %s\n", err.msg);
	ft_encoder_free(e);
	return rc;
}

static struct lsat LS;

/* name, colorblind, gamma, published weights (model.m), published ratio */
static const struct {
	const char *name;
	int colorblind;
	double gamma, w[3], ratio;
} PUB[4] = {
	{ "colorblind", 1, 0, { 0.226927276079946, 0.1188916544216122, 0 }, 0.9940 },
	{ "gamma=0", 0, 0, { -0.160043102180475, 0.2119440930374281, 0.1319775500746015 }, 0.8998 },
	{ "gamma=2e5", 0, 2e5, { -0.06193107724760724, 0.2132830871923884, 0.1328858525694674 }, 0.9501 },
	{ "gamma=1e6", 0, 1e6, { -0.003966745669430672, 0.2126675457945814, 0.1324635506817409 }, 0.9915 },
};

static void t_lsat_reproduction(void)
{
	for (int m = 0; m < 4; m++) {
		struct ft_rank_data *tr = NULL, *te = NULL;
		struct ft_rank_params p;
		struct ft_rank_result res;
		struct ft_error err = { 0 };
		double w[3] = { 0, 0, 0 }, port[8], ratio, *s = NULL;
		size_t *rank = NULL, dim;
		char key[64];
		double t0;

		if (lsat_data(&LS, PUB[m].colorblind, &tr, &te) != 0) {
			T_FAIL("lsat data");
			return;
		}
		dim = tr->p;
		T_CHECK(dim == (PUB[m].colorblind ? 2u : 3u) && tr->n == 1743 && te->n == 4358);
		T_STREQ(tr->feature_names[0], PUB[m].colorblind ? "LSAT" : "protected");
		ft_rank_params_init(&p);
		p.fair = PUB[m].gamma > 0 ? FT_RANK_FAIR_DELTR : FT_RANK_FAIR_NONE;
		p.gamma = PUB[m].gamma;
		p.reference = 1;
		t0 = t_now();
		T_CHECKF(ft_rank_fit(tr, &p, w, &res, &err) == 0, "%s", err.msg);
		snprintf(key, sizeof key, "ref.%s", PUB[m].name);
		T_CHECK(t_fix_row(FIX_LSAT, key, port, 8) == (int)(3 + dim));
		for (size_t j = 0; j < dim; j++) {
			T_CHECKF(fabs(w[j] - PUB[m].w[j]) <= 1e-5, "%s w[%zu] = %.9f, published %.9f",
			         PUB[m].name, j, w[j], PUB[m].w[j]);
			T_NEAR(w[j], port[3 + j], 1e-9);
		}
		s = malloc(te->n * sizeof *s);
		rank = malloc(te->n * sizeof *rank);
		ft_rank_scores(te, w, s);
		T_CHECK(ft_rank_positions(te, s, rank, &err) == 0);
		T_CHECK(ft_rank_exposure_ratio(te, rank, 1, &ratio, NULL, NULL, &err) == 0);
		T_CHECKF(fabs(ratio - PUB[m].ratio) <= 5e-5, "%s ratio %.6f, published %.4f",
		         PUB[m].name, ratio, PUB[m].ratio);
		T_NEAR(ratio, port[2], 1e-9);
		if (dim == 2)
			printf("# %-10s w = (-, %.6f, %.6f)", PUB[m].name, w[0], w[1]);
		else
			printf("# %-10s w = (%.6f, %.6f, %.6f)", PUB[m].name, w[0], w[1], w[2]);
		printf("  test exposure ratio %.4f  (%.0f ms: fit and prediction)\n", ratio,
		       1e3 * (t_now() - t0));
		free(s);
		free(rank);
		ft_rank_data_free(tr);
		ft_rank_data_free(te);
	}
}

/* One step of the authors' loop from w0: their summed gradient, which
 * includes their scalar-sum fairness term, against the numpy port. */
static void t_lsat_reference_step(void)
{
	struct ft_rank_data *tr = NULL, *te = NULL;
	struct ft_error err = { 0 };

	if (lsat_data(&LS, 0, &tr, &te) != 0) {
		T_FAIL("lsat data");
		return;
	}
	for (int k = 0; k < 2; k++) {
		struct ft_rank_params p;
		double ref[8], w[3];
		ft_rank_params_init(&p);
		p.reference = 1;
		p.iterations = 1;
		p.fair = FT_RANK_FAIR_DELTR;
		p.gamma = k ? 2e5 : 0;
		T_CHECK(t_fix_row(FIX_LSAT, k ? "step.200000" : "step.0", ref, 8) == 6);
		memcpy(w, ref, sizeof w);
		T_CHECK(ft_rank_fit(tr, &p, w, NULL, &err) == 0);
		for (int j = 0; j < 3; j++)
			T_NEAR((w[j] - ref[j]) / -p.learning_rate, ref[3 + j], 1e-9);
	}
	ft_rank_data_free(tr);
	ft_rank_data_free(te);
}

/* Exact mode: the minimiser of ListNet + gamma U (a_q = n_q, no L2),
 * against scipy's. */
static void t_lsat_exact(void)
{
	for (int m = 0; m < 4; m++) {
		struct ft_rank_data *tr = NULL, *te = NULL;
		struct ft_rank_params p;
		struct ft_rank_result res;
		struct ft_error err = { 0 };
		double w[3] = { 0, 0, 0 }, ref[8];
		char key[64];

		if (lsat_data(&LS, PUB[m].colorblind, &tr, &te) != 0) {
			T_FAIL("lsat data");
			return;
		}
		ft_rank_params_init(&p);
		p.fair = PUB[m].gamma > 0 ? FT_RANK_FAIR_DELTR : FT_RANK_FAIR_NONE;
		p.gamma = PUB[m].gamma;
		p.doc_weight = 1;
		p.solver.tol = 1e-10;
		snprintf(key, sizeof key, "exact.%s", PUB[m].name);
		T_CHECK(t_fix_row(FIX_LSAT, key, ref, 8) == (int)(3 + tr->p));
		T_CHECKF(ft_rank_fit(tr, &p, w, &res, &err) == 0, "%s", err.msg);
		T_NEAR(res.res.f, ref[2], 1e-12);
		for (size_t j = 0; j < tr->p; j++)
			T_NEAR(w[j], ref[3 + j], 1e-6);
		ft_rank_data_free(tr);
		ft_rank_data_free(te);
	}
}

int main(void)
{
	char probe[1024], dir[1024];

	T_RUN(t_deltr_value_grad);
	T_RUN(t_deltr_by_hand);
	T_RUN(t_deltr_minimum);
	T_RUN(t_reference_step_listnet);
	T_RUN(t_pair_gap);
	T_RUN(t_pair_reg);
	T_RUN(t_pair_con);
	if (t_have_data("deltr-lsat/gender/train.txt", probe, sizeof probe) &&
	    t_have_data("deltr-lsat/gender/test.txt", probe, sizeof probe)) {
		snprintf(dir, sizeof dir, "%s/deltr-lsat/gender", t_data_dir());
		if (lsat_read(&LS, dir) != 0) {
			printf("FAIL lsat: cannot read %s\n", dir);
			return 1;
		}
		T_RUN(t_lsat_reproduction);
		T_RUN(t_lsat_reference_step);
		T_RUN(t_lsat_exact);
		ft_table_free(LS.train);
		ft_table_free(LS.test);
	} else {
		T_SKIP(t_lsat_reproduction, "deltr-lsat/gender not found under $FAIRTRAIN_DATA");
		T_SKIP(t_lsat_reference_step, "deltr-lsat/gender not found under $FAIRTRAIN_DATA");
		T_SKIP(t_lsat_exact, "deltr-lsat/gender not found under $FAIRTRAIN_DATA");
	}
	return t_done();
}
