/*
 * deltr.c - DELTR, disparate exposure in learning to rank:
 *
 *   Zehlike & Castillo, "Reducing Disparate Exposure in Ranking: A Learning
 *   To Rank Approach", The Web Conference (WWW) 2020, section 4 (eq. 4-7:
 *   exposure under the top-one probability, the loss L + gamma U) and
 *   appendix A (the gradient).
 *
 * For query q with scores s_q, P(i) = softmax(s_q)(i), the exposure of a
 * group is its mean top-one probability times the bias of the first
 * position, 1 / ln 2 as the authors' code writes it (listwise_cost.m:
 * sum(topp_prot(...)) ./ log(2) / group size):
 *   E_q(G) = (1 / |G_q|) sum_{i in G_q} P(i) / ln 2,
 *   U_q = max(0, E_q(G0) - E_q(G1))^2,
 * G1 the protected group, G0 every other known group; a query without one
 * of the groups adds nothing (the authors' code gets 0/0 there; Octave's
 * max turns it into 0 in the cost, and the gradient becomes NaN).
 * In score space, with S_g = sum_{k in G_q} P(k) and n_g = |G_q|,
 *   dE_q(G)/ds_i = P(i) ([i in G] - S_g) / (n_g ln 2),
 *   dU_q/ds_i = 2 max(0, D) (dE_q(G0)/ds_i - dE_q(G1)/ds_i),  D = E0 - E1,
 * and the weight gradient is X^T of that (max(0, .)^2 is C^1, so the exact
 * mode hands the sum to L-BFGS).
 *
 * Reference mode reproduces the authors' training loop (MilkaLichtblau/
 * DELTR-Experiments, deltr-src/trainNN.m, listnet_gradient.m, globals.m at
 * the commit that set T = 3000, e = 1e-5; listnet-src/ for the colorblind
 * runs, the same ListNet gradient without U):
 *   - full-batch gradient descent, w <- w - e sum_i f(i), where f(i) is the
 *     gradient of the query of document i, so each query's gradient is
 *     added once per document (n_q times);
 *   - L_q = X_q^T (P - P_y), no L2 term (LAMBDA enters only the reported
 *     cost, never the gradient);
 *   - their fairness gradient: u1 (u2 - u3), u1 = 2 max(E0 - E1, 0) and
 *     u_g = tp_g / (n_g ln 2) with
 *       tp_g = sum_{j in G} P(j) x_j - S_g sum_k P(k) sum_f x_kf,
 *     i.e. the term sum_k P(k) x_k of the exact derivative is replaced by
 *     the scalar sum_k P(k) sum_f x_kf in every component (tp3 =
 *     sum(w' * exp(v)) in listnet_gradient.m);
 *   - gamma = 0 skips U (their code multiplies it by 0).
 * The start point is the caller's: their code starts at rand(p,1) * 0.01,
 * unseeded; from 0 the published LSAT weights come out within 1e-6.
 * An independent numpy port is scripts/peers/deltr_reference.py.
 *
 * Not here: the ListNet loss (src/model/rank.c), evaluation metrics.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "fair/fair.h"

/* ------------------------------------------------------- exact penalty */

struct deltr_call {
	const struct ft_rank_data *rd;
	const double *s, *aq;
	int32_t pg;
	double gamma;
	double *P, *c;
};

/* part: [0] sum aq U_q, [1] sum E0, [2] sum E1, [3] queries with both. */
static void deltr_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                        double *part)
{
	const struct deltr_call *a = ctx;
	const struct ft_rank_data *rd = a->rd;
	size_t q0, q1;

	(void)chunk;
	ft_rank_query_range(rd, lo, hi, &q0, &q1);
	for (size_t q = q0; q < q1; q++) {
		size_t b0 = rd->qoff[q], b1 = rd->qoff[q + 1];
		double S[2] = { 0.0, 0.0 }, nn[2] = { 0.0, 0.0 }, E0, E1, D, k0, k1;
		if (b0 == b1)
			continue;
		ft_rank_softmax(a->s + b0, b1 - b0, a->P + b0);
		for (size_t i = b0; i < b1; i++) {
			int side = ft_rank_side(rd, i, a->pg);
			if (side < 0)
				continue;
			S[side] += a->P[i];
			nn[side] += 1.0;
		}
		if (nn[0] == 0.0 || nn[1] == 0.0)
			continue;
		E0 = S[0] / (nn[0] * FT_LN2);
		E1 = S[1] / (nn[1] * FT_LN2);
		part[1] += E0;
		part[2] += E1;
		part[3] += 1.0;
		D = E0 - E1;
		if (!(D > 0.0))
			continue;
		part[0] += a->aq[q] * D * D;
		if (!a->c)
			continue;
		/* gamma aq 2 D (dE0/ds_i - dE1/ds_i) */
		k0 = 2.0 * a->gamma * a->aq[q] * D / (nn[0] * FT_LN2);
		k1 = 2.0 * a->gamma * a->aq[q] * D / (nn[1] * FT_LN2);
		for (size_t i = b0; i < b1; i++) {
			int side = ft_rank_side(rd, i, a->pg);
			double Pi = a->P[i];
			a->c[i] += k0 * Pi * ((side == 0) - S[0]) -
			           k1 * Pi * ((side == 1) - S[1]);
		}
	}
}

int ft_deltr_part(const struct ft_rank_data *rd, const double *s,
                  const double *aq, int32_t pg, double gamma, double *P,
                  double *c, double *u, double *e0, double *e1, double *nboth)
{
	struct deltr_call a = { rd, s, aq, pg, gamma, P, c };
	double part[4] = { 0.0, 0.0, 0.0, 0.0 };
	int rc;

	if ((rc = ft_parallel_sum(rd->n, 4, part, deltr_chunk, &a)))
		return rc;
	*u += part[0];
	if (e0)
		*e0 = part[1];
	if (e1)
		*e1 = part[2];
	if (nboth)
		*nboth = part[3];
	return 0;
}

int ft_deltr_exposure(const struct ft_rank_data *rd, const double *w,
                      int32_t protected_group, int doc_weight, double *e0,
                      double *e1, double *u, struct ft_error *err)
{
	double *s = NULL, *P = NULL, *aq = NULL, nboth = 0.0, U = 0.0, E0, E1;
	int rc;

	if ((rc = ft_rank_check_groups(rd, protected_group, "deltr", err)))
		return rc;
	s = malloc((rd->n ? rd->n : 1) * sizeof *s);
	P = malloc((rd->n ? rd->n : 1) * sizeof *P);
	aq = malloc((rd->n_queries ? rd->n_queries : 1) * sizeof *aq);
	if (!s || !P || !aq) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
		goto done;
	}
	ft_rank_scores(rd, w, s);
	ft_rank_query_weights(rd, doc_weight, aq);
	if ((rc = ft_deltr_part(rd, s, aq, protected_group, 0.0, P, NULL, &U,
	                        &E0, &E1, &nboth))) {
		rc = ft_error_set(err, rc, "%s: out of memory", rd->path);
		goto done;
	}
	if (nboth == 0.0) {
		rc = ft_error_set(err, FT_EDATA,
		                  "%s: deltr: no query holds documents of both groups",
		                  rd->path);
		goto done;
	}
	*e0 = E0 / nboth;
	*e1 = E1 / nboth;
	*u = U;
done:
	free(s);
	free(P);
	free(aq);
	return rc;
}

/* ------------------------------------------------------- reference mode */

struct ref_call {
	const struct ft_rank_data *rd;
	const double *Py;      /* softmax(rel_q) */
	const double *xsum;    /* sum_f x_if per row */
	const signed char *side; /* per row: 1 G1, 0 G0, -1 unknown */
	double *s, *P;
	double gamma;
	int32_t pg;
	double *scratch;       /* 2 p per chunk: tp_0, tp_1 */
};

/* The authors' gradient of the queries of a chunk, n_q times each, added
 * into g (p entries), and g[p] += sum_q n_q (CE_q + gamma U_q), the
 * objective the loop descends before dividing by sum n_q.  One pass over a
 * query's rows gathers L_q, CE_q and the sums of the fairness term. */
static void ref_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                      double *g)
{
	const struct ref_call *a = ctx;
	const struct ft_rank_data *rd = a->rd;
	size_t p = rd->p, q0, q1;
	double *tp = a->scratch + chunk * 2 * p;
	int fair = a->gamma != 0.0;

	ft_rank_query_range(rd, lo, hi, &q0, &q1);
	for (size_t q = q0; q < q1; q++) {
		size_t b0 = rd->qoff[q], b1 = rd->qoff[q + 1];
		double nq = (double)(b1 - b0), S[2] = { 0.0, 0.0 }, nn[2] = { 0.0, 0.0 };
		double T = 0.0, u1, E0, E1, lse, ys = 0.0;
		if (b0 == b1)
			continue;
		lse = ft_rank_softmax(a->s + b0, b1 - b0, a->P + b0);
		if (fair)
			memset(tp, 0, 2 * p * sizeof *tp);
		for (size_t i = b0; i < b1; i++) {
			const double *xi = rd->x + i * p;
			double Pi = a->P[i], t = nq * (Pi - a->Py[i]);
			int side = a->side[i];
			ys += a->Py[i] * a->s[i];
			/* L_q = X_q^T (P - P_y), n_q times */
			for (size_t j = 0; j < p; j++)
				g[j] += t * xi[j];
			if (!fair)
				continue;
			T += Pi * a->xsum[i];
			if (side < 0)
				continue;
			S[side] += Pi;
			nn[side] += 1.0;
			for (size_t j = 0; j < p; j++)
				tp[side * p + j] += Pi * xi[j];
		}
		g[p] += nq * (lse - ys);
		if (!fair || nn[0] == 0.0 || nn[1] == 0.0)
			continue;      /* a missing group: NaN in the authors' code */
		E0 = S[0] / (nn[0] * FT_LN2);
		E1 = S[1] / (nn[1] * FT_LN2);
		u1 = 2.0 * fmax(E0 - E1, 0.0);
		if (u1 == 0.0)
			continue;
		g[p] += nq * a->gamma * 0.25 * u1 * u1;
		for (size_t j = 0; j < p; j++) {
			double u2 = (tp[j] - S[0] * T) / (FT_LN2 * nn[0]);
			double u3 = (tp[p + j] - S[1] * T) / (FT_LN2 * nn[1]);
			g[j] += nq * a->gamma * u1 * (u2 - u3);
		}
	}
}

/* Oscillation over the last W steps of the loop: the objective before
 * each step, the signs of each weight's steps and of the weights. */
struct osc {
	int W, first;            /* window; first iteration inside it */
	double f_prev;
	int rises;
	signed char *step_sign, *w_sign;  /* dim each: the previous signs */
	int *step_flips, *w_flips;        /* dim each */
};

static int sgn(double x)
{
	return (x > 0) - (x < 0);
}

/* Iteration it had objective f before its step and moved w by -lr g. */
static void osc_step(struct osc *o, int it, double f, const double *g,
                     const double *w, size_t dim)
{
	if (it < o->first)
		return;
	if (it > o->first && f > o->f_prev + 1e-12 * fabs(o->f_prev))
		o->rises++;
	o->f_prev = f;
	for (size_t j = 0; j < dim; j++) {
		int s = -sgn(g[j]), v = sgn(w[j]);
		if (it > o->first && s && o->step_sign[j] && s != o->step_sign[j])
			o->step_flips[j]++;
		if (it > o->first && v && o->w_sign[j] && v != o->w_sign[j])
			o->w_flips[j]++;
		if (s)
			o->step_sign[j] = (signed char)s;
		if (v)
			o->w_sign[j] = (signed char)v;
	}
}

/* The oscillation diagnostics (include/fairtrain.h, ft_rank_fit). */
static void osc_report(const struct osc *o, double f_final, size_t dim,
                       struct ft_rank_result *res)
{
	int rises = o->rises, sf = 0, wf = 0;

	if (f_final > o->f_prev + 1e-12 * fabs(o->f_prev))
		rises++;
	for (size_t j = 0; j < dim; j++) {
		sf = o->step_flips[j] > sf ? o->step_flips[j] : sf;
		wf = o->w_flips[j] > wf ? o->w_flips[j] : wf;
	}
	ft_rank_diag(res, "window", o->W);
	ft_rank_diag(res, "loss_increases_last_500", rises);
	ft_rank_diag(res, "step_sign_flips_last_500", sf);
	ft_rank_diag(res, "sign_flips_last_500", wf);
	ft_rank_diag(res, "oscillating",
	             rises >= 1 && 20 * rises >= o->W && 4 * sf >= o->W);
}

int ft_deltr_reference_fit(const struct ft_rank_data *rd,
                           const struct ft_rank_params *p, double *w,
                           struct ft_rank_result *rr, struct ft_error *err)
{
	struct ref_call a;
	struct ft_rank_params q;
	struct ft_objective obj;
	struct ft_solver_result *res = &rr->res;
	struct osc o;
	size_t n = rd->n, dim = rd->p, chunks = ft_parallel_chunks(rd->n, rd->p + 1);
	double *Py = NULL, *xsum = NULL, *g = NULL, A = 0.0;
	signed char *side = NULL;
	int rc = 0;

	memset(&a, 0, sizeof a);
	memset(&obj, 0, sizeof obj);
	memset(&o, 0, sizeof o);
	o.W = p->iterations < 500 ? p->iterations : 500;
	o.first = p->iterations - o.W;
	o.step_sign = calloc(dim, 1);
	o.w_sign = calloc(dim, 1);
	o.step_flips = calloc(dim, sizeof *o.step_flips);
	o.w_flips = calloc(dim, sizeof *o.w_flips);
	Py = malloc(n * sizeof *Py);
	xsum = malloc(n * sizeof *xsum);
	side = malloc(n);
	a.s = malloc(n * sizeof *a.s);
	a.P = malloc(n * sizeof *a.P);
	a.scratch = malloc(chunks * 2 * dim * sizeof *a.scratch);  /* chunks of the
	                                                            (dim + 1)-long sum */
	g = malloc((dim + 1) * sizeof *g);
	if (!Py || !xsum || !side || !a.s || !a.P || !a.scratch || !g ||
	    !o.step_sign || !o.w_sign || !o.step_flips || !o.w_flips)
		goto nomem;
	a.rd = rd;
	a.Py = Py;
	a.xsum = xsum;
	a.side = side;
	a.gamma = p->fair == FT_RANK_FAIR_DELTR ? p->gamma : 0.0;
	a.pg = p->protected_group;
	for (size_t k = 0; k < rd->n_queries; k++) {
		ft_rank_softmax(rd->rel + rd->qoff[k], rd->qoff[k + 1] - rd->qoff[k],
		                Py + rd->qoff[k]);
		A += (double)(rd->qoff[k + 1] - rd->qoff[k]);
	}
	for (size_t i = 0; i < n; i++) {
		double t = 0.0;
		for (size_t j = 0; j < dim; j++)
			t += rd->x[i * dim + j];
		xsum[i] = t;
		side[i] = a.gamma != 0.0 ? (signed char)ft_rank_side(rd, i, a.pg) : -1;
	}
	for (int it = 0; it < p->iterations; it++) {
		ft_rank_scores(rd, w, a.s);
		memset(g, 0, (dim + 1) * sizeof *g);
		if (ft_parallel_sum(n, dim + 1, g, ref_chunk, &a))
			goto nomem;
		for (size_t j = 0; j < dim; j++) {
			if (!isfinite(g[j])) {
				rc = ft_error_set(err, FT_ENUMERIC,
				                  "deltr reference: gradient entry %zu is %g at iteration %d",
				                  j, g[j], it + 1);
				goto done;
			}
			w[j] -= p->learning_rate * g[j];
		}
		osc_step(&o, it, g[dim] / A, g, w, dim);
	}
	/* what the loop minimises, as a mean: ListNet + gamma U, a_q = n_q */
	q = *p;
	q.reference = 0;
	q.doc_weight = 1;
	if ((rc = ft_rank_objective(rd, &q, &obj, err)) != 0)
		goto done;
	res->solver = FT_SOLVER_AUTO;
	res->iterations = p->iterations;
	res->converged = 0;
	if ((rc = obj.value_grad(obj.ctx, w, &res->f, NULL)) != 0)
		goto nomem;
	res->grad_norm = 0.0;
	for (size_t j = 0; j < dim; j++)
		res->grad_norm += g[j] * g[j];
	res->grad_norm = sqrt(res->grad_norm);
	osc_report(&o, res->f, dim, rr);
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
done:
	ft_rank_objective_free(&obj);
	free(Py);
	free(xsum);
	free(side);
	free(a.s);
	free(a.P);
	free(a.scratch);
	free(g);
	free(o.step_sign);
	free(o.w_sign);
	free(o.step_flips);
	free(o.w_flips);
	return rc;
}
