/*
 * pairwise.c - pairwise fairness for rankers: the cross-group pairwise
 * accuracy gap as a smooth regularizer and as a constraint.
 *
 *   Beutel, Chen, Doshi, Qian, Wei, Wu, Heldt, Zhao, Hong, Chi & Goodrow,
 *   "Fairness in Recommendation Ranking through Pairwise Comparisons", KDD
 *   2019, section 4 (inter-group pairwise accuracy) and 5 (a pairwise
 *   regularizer added to the ranking loss).
 *   Narasimhan, Cotter, Gupta & Wang, "Pairwise Fairness for Ranking and
 *   Regression", AAAI 2020, section 3 (pairwise accuracy A_{Gi>Gj}, the
 *   constraint |A_{G0>G1} - A_{G1>G0}| <= c, "cross-group equal accuracy")
 *   and 5 (a constrained optimisation with a smooth surrogate).
 *
 * For two groups, G1 the protected group and G0 every other known group,
 * and the pairs (i, j) of one query with rel_i > rel_j:
 *   A(Ga > Gb) = (1 / N_ab) sum_{pairs, i in Ga, j in Gb} sigmoid(s_i - s_j),
 *   gap = A(G0 > G1) - A(G1 > G0),
 * pooled over all queries (N_ab counts the pairs of every query); the
 * sigmoid replaces the indicator 1[s_i > s_j] (the papers' surrogates are
 * hinge or sigmoid relaxations; the sigmoid keeps gap in [-1, 1] and
 * smooth).  gap > 0: a protected document that is more relevant than a
 * non-protected one is put above it less often than the reverse.
 * Derivatives in score space: for a pair of kind ab with t = sigma (1 -
 * sigma), d/ds_i = t / N_ab, d/ds_j = -t / N_ab, with sign + for kind 01
 * and - for kind 10.
 *
 * The scale of the scores.  sigmoid(s_i - s_j) is close to the indicator
 * only when score differences are large against 1: the same ordering of
 * the items gives a smoothed gap near 0 when the scores are small and near
 * the true gap when they are large, and the scale of the scores depends on
 * the features' units, on l2 and on the loss.  A bound c on that quantity
 * means nothing fixed (the case: the table showed 0.079 where the
 * constrained model's unsmoothed gap was -0.041).  PAIR_CON therefore
 * smooths at a temperature relative to the scores the loss produces:
 * sigmoid((s_i - s_j) / tau), tau = pair_temp * sd, sd the pooled
 * within-query standard deviation of the scores of the unconstrained fit
 * (sqrt(sum_q sum_{i in q} (s_i - mean_q s)^2 / n)), computed once before
 * the constrained fit (which starts from that fit).  Multiplying the
 * features by any factor multiplies the unconstrained scores' sd, tau and
 * every score difference alike, so the constraint, and the measured gap
 * of its solution, stay the same; pair_temp = 0.1 counts a pair as
 * ordered once its scores are a third of a standard deviation apart
 * (sigmoid(3.3) = 0.96).  pair_temp = 0 keeps tau = 1 in score units (the
 * smoothing of PAIR_REG and ft_pair_gap).  The fit reports the constrained
 * (smoothed) gap beside the unsmoothed one the metrics measure
 * (ft_pair_gap_hard: 1[s_i > s_j], ties 1/2).
 *
 * PAIR_REG adds lambda gap^2 to the mean ranking loss (src/model/rank.c).
 * PAIR_CON solves  min loss(w) + (l2/2)||w||^2  s.t.  gap - c <= 0 and
 * -gap - c <= 0  with the augmented Lagrangian of src/optim/auglag.c (the
 * loss is a mean, so f_scale = 1; the constraint Hessian is left out, the
 * inner Newton step on the loss Hessian plus rho J^T J stays a descent
 * direction and the line search does the rest).  The work is O(sum_q
 * n_q^2) per evaluation.
 *
 * Not here: the losses (rank.c), groups with more than two members' own
 * pairwise matrices (every non-protected group is pooled into G0).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "model/model.h"
#include "fair/fair.h"
#include "optim/optim.h"

void ft_pair_counts(const struct ft_rank_data *rd, int32_t pg, double *n01,
                    double *n10)
{
	double c[2] = { 0.0, 0.0 };

	for (size_t q = 0; q < rd->n_queries; q++)
		for (size_t i = rd->qoff[q]; i < rd->qoff[q + 1]; i++) {
			int si = ft_rank_side(rd, i, pg);
			if (si < 0)
				continue;
			for (size_t j = rd->qoff[q]; j < rd->qoff[q + 1]; j++) {
				int sj = ft_rank_side(rd, j, pg);
				if (sj >= 0 && sj != si && rd->rel[i] > rd->rel[j])
					c[si] += 1.0;
			}
		}
	*n01 = c[0];
	*n10 = c[1];
}

struct pair_call {
	const struct ft_rank_data *rd;
	const double *s;
	int32_t pg;
	double inv[2];         /* 1 / n01, 1 / n10 */
	double *cg;            /* may be NULL */
	double inv_tau;        /* 1 / temperature; 0: the hard indicator */
};

/* part[0] += sum over 01 pairs of sigmoid, part[1] over 10 pairs. */
static void pair_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                       double *part)
{
	const struct pair_call *a = ctx;
	const struct ft_rank_data *rd = a->rd;
	const double *s = a->s, *rel = rd->rel;
	size_t q0, q1;

	(void)chunk;
	ft_rank_query_range(rd, lo, hi, &q0, &q1);
	for (size_t q = q0; q < q1; q++) {
		size_t b0 = rd->qoff[q], b1 = rd->qoff[q + 1];
		if (a->cg)
			memset(a->cg + b0, 0, (b1 - b0) * sizeof *a->cg);
		for (size_t i = b0; i < b1; i++) {
			int si = ft_rank_side(rd, i, a->pg);
			if (si < 0)
				continue;
			for (size_t j = b0; j < b1; j++) {
				int sj = ft_rank_side(rd, j, a->pg);
				double sg, t;
				if (sj < 0 || sj == si || !(rel[i] > rel[j]))
					continue;
				if (a->inv_tau == 0.0) {   /* unsmoothed, no gradient */
					part[si] += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
					continue;
				}
				sg = ft_sigmoid((s[i] - s[j]) * a->inv_tau);
				part[si] += sg;
				if (!a->cg)
					continue;
				/* + for kind 01 (si = 0), - for kind 10 */
				t = sg * (1.0 - sg) * a->inv_tau * a->inv[si] *
				    (si == 0 ? 1.0 : -1.0);
				a->cg[i] += t;
				a->cg[j] -= t;
			}
		}
	}
}

/* ft_pair_part at temperature 1 / inv_tau (inv_tau = 0: the hard gap,
 * cg must be NULL). */
static int pair_part_t(const struct ft_rank_data *rd, const double *s, int32_t pg,
                       double inv_tau, double n01, double n10, double *num01,
                       double *num10, double *cg)
{
	struct pair_call a = { rd, s, pg, { 1.0 / n01, 1.0 / n10 }, cg, inv_tau };
	double part[2] = { 0.0, 0.0 };
	int rc;

	if ((rc = ft_parallel_sum(rd->n, 2, part, pair_chunk, &a)))
		return rc;
	*num01 = part[0];
	*num10 = part[1];
	return 0;
}

int ft_pair_part(const struct ft_rank_data *rd, const double *s, int32_t pg,
                 double n01, double n10, double *num01, double *num10,
                 double *cg)
{
	return pair_part_t(rd, s, pg, 1.0, n01, n10, num01, num10, cg);
}

/* ft_pair_gap at 1 / inv_tau (0: hard). */
static int pair_gap_t(const struct ft_rank_data *rd, const double *w,
                      int32_t protected_group, double inv_tau, double *acc01,
                      double *acc10, double *gap, double *g, struct ft_error *err)
{
	double n01, n10, num01, num10, *s = NULL, *cg = NULL;
	int rc;

	if ((rc = ft_rank_check_groups(rd, protected_group, "pairwise gap", err)))
		return rc;
	ft_pair_counts(rd, protected_group, &n01, &n10);
	if (n01 == 0.0 || n10 == 0.0)
		return ft_error_set(err, FT_EDATA,
		                    "%s: pairwise gap: no pair of one query with a %s document more relevant than a %s one",
		                    rd->path, n01 == 0.0 ? "non-protected" : "protected",
		                    n01 == 0.0 ? "protected" : "non-protected");
	s = malloc(rd->n * sizeof *s);
	cg = g ? malloc(rd->n * sizeof *cg) : NULL;
	if (!s || (g && !cg)) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
		goto done;
	}
	ft_rank_scores(rd, w, s);
	if ((rc = pair_part_t(rd, s, protected_group, inv_tau, n01, n10, &num01,
	                      &num10, cg)))
		goto nomem;
	*acc01 = num01 / n01;
	*acc10 = num10 / n10;
	*gap = *acc01 - *acc10;
	if (g) {
		memset(g, 0, rd->p * sizeof *g);
		if ((rc = ft_rank_xtc(rd, cg, g)))
			goto nomem;
	}
	goto done;
nomem:
	rc = ft_error_set(err, rc, "%s: out of memory", rd->path);
done:
	free(s);
	free(cg);
	return rc;
}

int ft_pair_gap(const struct ft_rank_data *rd, const double *w,
                int32_t protected_group, double *acc01, double *acc10,
                double *gap, double *g, struct ft_error *err)
{
	return pair_gap_t(rd, w, protected_group, 1.0, acc01, acc10, gap, g, err);
}

int ft_pair_gap_hard(const struct ft_rank_data *rd, const double *w,
                     int32_t protected_group, double *acc01, double *acc10,
                     double *gap, struct ft_error *err)
{
	return pair_gap_t(rd, w, protected_group, 0.0, acc01, acc10, gap, NULL, err);
}

/* ------------------------------------------------------ the constraint */

struct con_ctx {
	const struct ft_rank_data *rd;
	int32_t pg;
	double n01, n10, c, inv_tau;
	double *s, *cg, *gg;   /* n, n, p */
};

/* The pooled within-query standard deviation of s. */
static double within_sd(const struct ft_rank_data *rd, const double *s)
{
	double ss = 0.0;

	for (size_t q = 0; q < rd->n_queries; q++) {
		size_t a = rd->qoff[q], b = rd->qoff[q + 1];
		double mean = 0.0;
		for (size_t i = a; i < b; i++)
			mean += s[i];
		mean /= (double)(b > a ? b - a : 1);
		for (size_t i = a; i < b; i++)
			ss += (s[i] - mean) * (s[i] - mean);
	}
	return sqrt(ss / (double)rd->n);
}

/* c_0 = gap - c, c_1 = -gap - c; J rows +-grad gap. */
static int con_eval(void *ctx, const double *x, double *cv, double *J)
{
	struct con_ctx *k = ctx;
	const struct ft_rank_data *rd = k->rd;
	double num01, num10, gap;
	int rc;

	ft_rank_scores(rd, x, k->s);
	if ((rc = pair_part_t(rd, k->s, k->pg, k->inv_tau, k->n01, k->n10, &num01,
	                      &num10, J ? k->cg : NULL)))
		return rc;
	gap = num01 / k->n01 - num10 / k->n10;
	cv[0] = gap - k->c;
	cv[1] = -gap - k->c;
	if (!J)
		return 0;
	memset(k->gg, 0, rd->p * sizeof *k->gg);
	if ((rc = ft_rank_xtc(rd, k->cg, k->gg)))
		return rc;
	for (size_t j = 0; j < rd->p; j++) {
		J[j] = k->gg[j];
		J[rd->p + j] = -k->gg[j];
	}
	return 0;
}

int ft_pair_con_fit(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                    double *w, struct ft_rank_result *res, struct ft_error *err)
{
	static const char *const names[2] = { "pair_gap", "-pair_gap" };
	struct ft_objective obj;
	struct ft_constraints con;
	struct ft_auglag_opts o;
	struct ft_auglag_result r;
	struct con_ctx k;
	struct ft_solver_result pre;
	double lam[2] = { 0.0, 0.0 }, bound[2], tau = 1.0, cv[2], a01, a10, hard;
	int rc;

	memset(&obj, 0, sizeof obj);
	memset(&k, 0, sizeof k);
	if ((rc = ft_rank_objective(rd, p, &obj, err)) != 0)
		return rc;
	k.rd = rd;
	k.pg = p->protected_group;
	k.c = p->c;
	ft_pair_counts(rd, k.pg, &k.n01, &k.n10);   /* > 0: the objective checked */
	k.s = malloc(rd->n * sizeof *k.s);
	k.cg = malloc(rd->n * sizeof *k.cg);
	k.gg = malloc(rd->p * sizeof *k.gg);
	if (!k.s || !k.cg || !k.gg) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
		goto done;
	}
	if (p->pair_temp > 0.0) {
		/* the unconstrained fit sets the temperature and the start */
		double sd;
		if ((rc = ft_minimize(&obj, w, &p->solver, &pre, err)) != 0)
			goto done;
		ft_rank_scores(rd, w, k.s);
		sd = within_sd(rd, k.s);
		tau = sd > 0.0 && isfinite(sd) ? p->pair_temp * sd : 1.0;
	}
	k.inv_tau = 1.0 / tau;
	bound[0] = bound[1] = p->c;
	con.m = 2;
	con.ctx = &k;
	con.eval = con_eval;
	con.hess = NULL;
	con.names = names;
	con.bound = bound;
	con.scale = NULL;
	ft_auglag_opts_init(&o);
	o.inner = p->solver;
	o.inner.max_iter = 0;
	o.max_outer = p->max_outer;
	o.tol_feas = p->tol_feas;
	o.f_scale = 1.0;
	if ((rc = ft_auglag(&obj, &con, w, lam, &o, &r, err)) != 0)
		goto done;
	res->res.solver = r.inner_solver;
	res->res.iterations = r.inner_iterations;
	res->res.f = r.f;
	res->res.grad_norm = r.grad_norm;
	res->res.converged = r.converged;
	/* signed multiplier of |gap| <= c: > 0 when gap <= c binds */
	ft_rank_diag(res, "pair_lambda", lam[0] - lam[1]);
	ft_rank_diag(res, "max_violation", r.max_violation);
	ft_rank_diag(res, "kkt_residual", r.kkt_residual);
	ft_rank_diag(res, "outer_iterations", r.outer_iterations);
	ft_rank_diag(res, "converged", r.converged);
	ft_rank_diag(res, "pair_tau", tau);
	if ((rc = con_eval(&k, w, cv, NULL)) != 0 ||
	    (rc = ft_pair_gap_hard(rd, w, k.pg, &a01, &a10, &hard, err)) != 0) {
		rc = ft_error_set(err, rc, "%s: pair-con: out of memory", rd->path);
		goto done;
	}
	ft_rank_diag(res, "pair_gap_smoothed", cv[0] + k.c);
	ft_rank_diag(res, "pair_gap_measured", hard);
done:
	ft_rank_objective_free(&obj);
	free(k.s);
	free(k.cg);
	free(k.gg);
	return rc;
}
