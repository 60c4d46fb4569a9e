/*
 * rank.c - linear rankers: the ListNet and RankNet objectives (value,
 * gradient, Hessian or Hessian-vector product) as an ft_objective with a
 * hook for a fairness term (struct ft_rank_obj.penalty, which src/fair
 * installs: this layer knows no fairness method), parameters and their
 * checks, and prediction (scores, per-query positions, the DELTR paper's
 * exposure ratio).  The fit driver and the fairness terms are in src/fair
 * (rankfit.c, deltr.c, pairwise.c); the registry parses method specs.
 *
 *   ListNet: Cao, Qin, Liu, Tsai & Li, "Learning to Rank: From Pairwise
 *   Approach to Listwise Approach", ICML 2007, section 4 (top-one
 *   probabilities, cross entropy, a linear network).  The target
 *   distribution is softmax(rel_q), as in the DELTR authors' code
 *   (DELTR-Experiments, deltr-src/listwise_cost.m: topp(ly)), not a
 *   normalisation of the raw labels.
 *   RankNet: Burges et al., "Learning to Rank using Gradient Descent", ICML
 *   2005, section 3: pairwise logistic loss on s_i - s_j with target
 *   probability 1 for rel_i > rel_j.
 *
 * Objective (struct ft_rank_params; a_q = 1 or n_q, A = sum_q a_q):
 *   f(w) = (1/A) sum_q a_q [loss_q(s_q) + gamma U_q(s_q)] + lambda gap(s)^2
 *          + (l2/2) ||w||^2,                                   s = X w.
 * Dividing by A makes f a mean, so that l2, lambda and the pairwise bound
 * mean the same on a data set of 10 queries and of 10,000, and a_q = n_q
 * with A = sum n_q gives the DELTR authors' weighting (each query's terms
 * once per document) with the same minimiser.
 * Gradients in score space (rank.h): ListNet d CE_q / d s_i = P_s(i) -
 * P_y(i); RankNet d/ds_i log(1 + e^{-(s_i - s_j)}) = -sigmoid(-(s_i - s_j)).
 * Hessians: ListNet X_q^T (diag P - P P^T) X_q (dense, O(n p^2)); RankNet
 * sum over pairs sigma (1 - sigma) (x_i - x_j)(x_i - x_j)^T, used only as
 * a product H v = X^T L (X v) (O(pairs + n p)), since a dense one costs
 * O(pairs p^2).
 *
 * Not here: reading data (src/data/letor.c), ranking metrics beyond the
 * exposure ratio the DELTR reproduction needs, the model file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "core/dist.h"
#include "model/model.h"
#include "model/rank.h"
#include "optim/optim.h"

/* ------------------------------------------------------------ parameters */

void ft_rank_params_init(struct ft_rank_params *p)
{
	memset(p, 0, sizeof *p);
	p->loss = FT_RANK_LISTNET;
	p->fair = FT_RANK_FAIR_NONE;
	p->c = 0.01;
	p->protected_group = 1;
	p->iterations = 3000;
	p->learning_rate = 1e-5;
	ft_solver_opts_init(&p->solver);
	p->max_outer = 50;
	p->tol_feas = 1e-6;
	p->pair_temp = 0.1;
}

static int finite_ge0(double v)
{
	return isfinite(v) && v >= 0.0;
}

const char *ft_rank_check(const struct ft_rank_params *p)
{
	const char *msg;

	if (!p)
		return "no ranking parameters";
	if (p->loss != FT_RANK_LISTNET && p->loss != FT_RANK_RANKNET &&
	    p->loss != FT_RANK_LAMBDALOSS)
		return "loss must be listnet, ranknet or lambdaloss";
	if (p->fair < FT_RANK_FAIR_NONE || p->fair > FT_RANK_FAIR_PAIR_CON)
		return "unknown fairness term";
	if (!finite_ge0(p->l2))
		return "l2 must be a finite number >= 0";
	if (p->doc_weight != 0 && p->doc_weight != 1)
		return "doc_weight must be 0 or 1";
	if (!finite_ge0(p->gamma))
		return "gamma must be a finite number >= 0";
	if (!finite_ge0(p->target_ratio))
		return "target_ratio must be a finite number >= 0";
	if (p->target_ratio > 0 && p->fair != FT_RANK_FAIR_DELTR)
		return "target_ratio is DELTR's (a target for its exposure ratio)";
	if (p->target_ratio > 0 && p->gamma > 0)
		return "give gamma or target_ratio, not both (target_ratio chooses gamma)";
	if (!finite_ge0(p->lambda))
		return "lambda must be a finite number >= 0";
	if (!finite_ge0(p->c))
		return "c must be a finite number >= 0";
	if (!finite_ge0(p->pair_temp))
		return "pair temperature must be a finite number >= 0";
	if (p->protected_group < 0)
		return "protected group must be a group index >= 0";
	if (p->reference != 0 && p->reference != 1)
		return "reference must be 0 or 1";
	if (p->reference) {
		if (p->loss != FT_RANK_LISTNET ||
		    (p->fair != FT_RANK_FAIR_NONE && p->fair != FT_RANK_FAIR_DELTR))
			return "reference mode is the DELTR authors' loop: listnet or deltr only";
		if (p->l2 != 0.0)
			return "reference mode has no l2 term (the authors' gradient has none)";
		if (p->iterations < 1)
			return "iterations must be >= 1";
		if (!(p->learning_rate > 0.0) || !isfinite(p->learning_rate))
			return "learning rate must be a finite number > 0";
	}
	if ((msg = ft_solver_opts_check(&p->solver)) != NULL)
		return msg;
	if (p->max_outer < 1)
		return "max_outer must be >= 1";
	if (!(p->tol_feas > 0.0) || !isfinite(p->tol_feas))
		return "tol_feas must be a finite number > 0";
	return NULL;
}

/* --------------------------------------------------------------- helpers */

void ft_rank_query_range(const struct ft_rank_data *rd, size_t lo, size_t hi,
                         size_t *q0, size_t *q1)
{
	/* first query with qoff[q] >= x, by bisection over qoff[0 .. nq] */
	size_t bound[2] = { lo, hi }, *out[2] = { q0, q1 };

	for (int k = 0; k < 2; k++) {
		size_t a = 0, b = rd->n_queries;
		while (a < b) {
			size_t mid = a + (b - a) / 2;
			if (rd->qoff[mid] < bound[k])
				a = mid + 1;
			else
				b = mid;
		}
		*out[k] = a;
	}
	if (hi >= rd->n)
		*q1 = rd->n_queries;
}

double ft_rank_softmax(const double *v, size_t n, double *P)
{
	double mx = -INFINITY, z = 0.0, inv;

	for (size_t i = 0; i < n; i++)
		mx = v[i] > mx ? v[i] : mx;
	for (size_t i = 0; i < n; i++)
		z += (P[i] = exp(v[i] - mx));
	inv = 1.0 / z;
	for (size_t i = 0; i < n; i++)
		P[i] *= inv;
	return mx + log(z);
}

void ft_rank_scores(const struct ft_rank_data *rd, const double *w, double *s)
{
	size_t p = rd->p;

	for (size_t i = 0; i < rd->n; i++) {
		const double *xi = rd->x + i * p;
		double v = 0.0;
		for (size_t j = 0; j < p; j++)
			v += xi[j] * w[j];
		s[i] = v;
	}
}

struct xtc_call {
	const struct ft_rank_data *rd;
	const double *c;
};

static void xtc_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                      double *g)
{
	const struct xtc_call *a = ctx;
	size_t p = a->rd->p;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		const double *xi = a->rd->x + i * p;
		double ci = a->c[i];
		if (ci == 0.0)
			continue;
		for (size_t j = 0; j < p; j++)
			g[j] += ci * xi[j];
	}
}

int ft_rank_xtc(const struct ft_rank_data *rd, const double *c, double *g)
{
	struct xtc_call a = { rd, c };

	return ft_parallel_sum(rd->n, rd->p, g, xtc_chunk, &a);
}

void ft_rank_query_weights(const struct ft_rank_data *rd, int doc_weight,
                           double *aq)
{
	double A = 0.0;

	/* whole numbers: exact in any order, and over every rank's queries */
	ft_dist_fold_begin(rd->n, &A, 1);
	for (size_t q = 0; q < rd->n_queries; q++)
		A += (aq[q] = doc_weight ? (double)(rd->qoff[q + 1] - rd->qoff[q]) : 1.0);
	ft_dist_fold_end(rd->n, &A, 1);
	for (size_t q = 0; q < rd->n_queries; q++)
		aq[q] /= A;
}

int ft_rank_check_groups(const struct ft_rank_data *rd, int32_t pg,
                         const char *tag, struct ft_error *err)
{
	if (!rd->group)
		return ft_error_set(err, FT_EDATA, "%s: %s needs groups (a sensitive column)",
		                    rd->path, tag);
	if (pg < 0 || (size_t)pg >= rd->n_groups)
		return ft_error_set(err, FT_EDATA,
		                    "%s: %s: protected group %ld is not one of the %zu groups",
		                    rd->path, tag, (long)pg, rd->n_groups);
	return 0;
}

void ft_rank_diag(struct ft_rank_result *res, const char *name, double v)
{
	if (!res || res->n_diag >= FT_MAX_DIAG)
		return;
	snprintf(res->diag_name[res->n_diag], FT_DIAG_NAME, "%s", name);
	res->diag[res->n_diag++] = v;
}

const char *ft_rank_fair_tag(int fair)
{
	switch (fair) {
	case FT_RANK_FAIR_DELTR: return "deltr";
	case FT_RANK_FAIR_PAIR_REG: return "pair-reg";
	case FT_RANK_FAIR_PAIR_CON: return "pair-con";
	default: return "ranking";
	}
}

/* What every fit needs of the data: rows, features, finite relevances,
 * groups for the fairness terms. */
int ft_rank_check_data(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                       struct ft_error *err)
{
	int rc = 0;

	if (!rd || ft_dist_rows_total(rd->n) == 0)
		return ft_error_set(err, FT_EDATA, "%s: no documents",
		                    rd && rd->path ? rd->path : "ranking data");
	if (rd->p == 0)
		return ft_error_set(err, FT_EDATA, "%s: no features", rd->path);
	for (size_t i = 0; i < rd->n && !rc; i++)
		if (!isfinite(rd->rel[i]))
			rc = ft_error_set(err, FT_EDATA,
			                  "%s:%zu: relevance is unknown (training needs every row's relevance)",
			                  rd->path, rd->line[i]);
	/* the first such row over the ranks of a distributed data set */
	if (ft_dist_rows_here(rd->n) && (rc = ft_dist_agree(rc, err)))
		return rc;
	if (rc)
		return rc;
	if (p->fair != FT_RANK_FAIR_NONE)
		return ft_rank_check_groups(rd, p->protected_group, ft_rank_fair_tag(p->fair), err);
	return 0;
}

/* ------------------------------------------------------------ objective */

/* ListNet over the queries of a chunk: part[0] += sum_q aq CE_q; P and c of
 * their rows. */
static void listnet_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                          double *part)
{
	struct ft_rank_obj *o = ctx;
	const struct ft_rank_data *rd = o->rd;
	size_t q0, q1;

	(void)chunk;
	ft_rank_query_range(rd, lo, hi, &q0, &q1);
	for (size_t q = q0; q < q1; q++) {
		size_t a = rd->qoff[q], m = rd->qoff[q + 1] - a;
		double lse, ys = 0.0, aq = o->aq[q];
		if (m == 0)
			continue;
		lse = ft_rank_softmax(o->s + a, m, o->P + a);
		for (size_t i = a; i < a + m; i++) {
			ys += o->Py[i] * o->s[i];
			o->c[i] = aq * (o->P[i] - o->Py[i]);
		}
		part[0] += aq * (lse - ys);
	}
}

/* log(1 + e^t) without overflow. */
static double softplus(double t)
{
	return t > 0.0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

/* RankNet over the queries of a chunk: part[0] += sum_q aq/mq sum_pairs
 * softplus(-(s_i - s_j)); c of their rows. */
static void ranknet_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                          double *part)
{
	struct ft_rank_obj *o = ctx;
	const struct ft_rank_data *rd = o->rd;
	const double *rel = rd->rel, *s = o->s;
	size_t q0, q1;

	(void)chunk;
	ft_rank_query_range(rd, lo, hi, &q0, &q1);
	for (size_t q = q0; q < q1; q++) {
		size_t a = rd->qoff[q], b = rd->qoff[q + 1];
		double wq, loss = 0.0;
		for (size_t i = a; i < b; i++)
			o->c[i] = 0.0;
		if (o->mq[q] == 0.0)
			continue;
		wq = o->aq[q] / o->mq[q];
		for (size_t i = a; i < b; i++)
			for (size_t j = a; j < b; j++) {
				double d, sg;
				if (!(rel[i] > rel[j]))
					continue;
				d = s[i] - s[j];
				loss += softplus(-d);
				sg = ft_sigmoid(-d);
				o->c[i] -= wq * sg;
				o->c[j] += wq * sg;
			}
		part[0] += wq * loss;
	}
}

static int rank_value_grad(void *ctx, const double *x, double *f, double *g)
{
	struct ft_rank_obj *o = ctx;
	const struct ft_rank_data *rd = o->rd;
	const struct ft_rank_params *p = &o->p;
	size_t n = rd->n, dim = rd->p;
	double loss = 0.0, reg = 0.0;
	int rc;

	ft_rank_scores(rd, x, o->s);
	if (p->loss == FT_RANK_LAMBDALOSS)
		rc = ft_lambdaloss_part(rd, o->s, o->aq, o->c, &loss);
	else
		rc = ft_parallel_sum(n, 1, &loss, p->loss == FT_RANK_RANKNET ?
		                     ranknet_chunk : listnet_chunk, o);
	if (rc)
		return rc;
	/* the fairness term, installed by src/fair (rankfit.c): its value
	 * and its score-space derivative into o->c */
	if (o->penalty && (rc = o->penalty(o, &loss)))
		return rc;
	for (size_t j = 0; j < dim; j++)
		reg += x[j] * x[j];
	*f = loss + 0.5 * p->l2 * reg;
	if (!g)
		return 0;
	memset(g, 0, dim * sizeof *g);
	if ((rc = ft_rank_xtc(rd, o->c, g)))
		return rc;
	for (size_t j = 0; j < dim; j++)
		g[j] += p->l2 * x[j];
	return 0;
}

/* ListNet Hessian over the queries of a chunk into part (p x p, upper
 * triangle): aq (sum_i P_i x_i x_i^T - m m^T), m = sum_i P_i x_i. */
static void listnet_hess_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                               double *H)
{
	struct ft_rank_obj *o = ctx;
	const struct ft_rank_data *rd = o->rd;
	size_t p = rd->p, q0, q1;
	double *m = o->scratch + chunk * o->scratch_stride;

	ft_rank_query_range(rd, lo, hi, &q0, &q1);
	for (size_t q = q0; q < q1; q++) {
		size_t a = rd->qoff[q], b = rd->qoff[q + 1];
		double aq = o->aq[q];
		if (a == b)
			continue;
		ft_rank_softmax(o->s + a, b - a, o->P + a);
		memset(m, 0, p * sizeof *m);
		for (size_t i = a; i < b; i++) {
			const double *xi = rd->x + i * p;
			double t = aq * o->P[i];
			for (size_t j = 0; j < p; j++) {
				double tj = t * xi[j];
				m[j] += o->P[i] * xi[j];
				for (size_t k = j; k < p; k++)
					H[j * p + k] += tj * xi[k];
			}
		}
		for (size_t j = 0; j < p; j++)
			for (size_t k = j; k < p; k++)
				H[j * p + k] -= aq * m[j] * m[k];
	}
}

static int rank_hessian(void *ctx, const double *x, double *H)
{
	struct ft_rank_obj *o = ctx;
	size_t p = o->rd->p;
	int rc;

	ft_rank_scores(o->rd, x, o->s);
	memset(H, 0, p * p * sizeof *H);
	if ((rc = ft_parallel_sum(o->rd->n, p * p, H, listnet_hess_chunk, o)))
		return rc;
	for (size_t j = 0; j < p; j++) {
		H[j * p + j] += o->p.l2;
		for (size_t k = j + 1; k < p; k++)
			H[k * p + j] = H[j * p + k];
	}
	return 0;
}

/* Score-space Hessian times u = X v, into c: ListNet aq P (u - P.u);
 * RankNet sum over pairs t (u_i - u_j) (e_i - e_j), t = sigma (1 - sigma). */
static void hv_chunk(void *ctx, size_t chunk, size_t lo, size_t hi,
                     double *part)
{
	struct ft_rank_obj *o = ctx;
	const struct ft_rank_data *rd = o->rd;
	const double *u = o->u, *s = o->s, *rel = rd->rel;
	size_t q0, q1;

	(void)chunk;
	(void)part;
	ft_rank_query_range(rd, lo, hi, &q0, &q1);
	for (size_t q = q0; q < q1; q++) {
		size_t a = rd->qoff[q], b = rd->qoff[q + 1];
		if (a == b)
			continue;
		if (o->p.loss == FT_RANK_LISTNET) {
			double pu = 0.0;
			ft_rank_softmax(s + a, b - a, o->P + a);
			for (size_t i = a; i < b; i++)
				pu += o->P[i] * u[i];
			for (size_t i = a; i < b; i++)
				o->c[i] = o->aq[q] * o->P[i] * (u[i] - pu);
			continue;
		}
		for (size_t i = a; i < b; i++)
			o->c[i] = 0.0;
		if (o->mq[q] == 0.0)
			continue;
		for (size_t i = a; i < b; i++)
			for (size_t j = a; j < b; j++) {
				double sg, t;
				if (!(rel[i] > rel[j]))
					continue;
				sg = ft_sigmoid(s[i] - s[j]);
				t = o->aq[q] / o->mq[q] * sg * (1.0 - sg) * (u[i] - u[j]);
				o->c[i] += t;
				o->c[j] -= t;
			}
	}
}

static int rank_hess_vec(void *ctx, const double *x, const double *v, double *hv)
{
	struct ft_rank_obj *o = ctx;
	size_t p = o->rd->p;
	double dummy = 0.0;
	int rc;

	ft_rank_scores(o->rd, x, o->s);
	ft_rank_scores(o->rd, v, o->u);
	if ((rc = ft_parallel_sum(o->rd->n, 1, &dummy, hv_chunk, o)))
		return rc;
	memset(hv, 0, p * sizeof *hv);
	if ((rc = ft_rank_xtc(o->rd, o->c, hv)))
		return rc;
	for (size_t j = 0; j < p; j++)
		hv[j] += o->p.l2 * v[j];
	return 0;
}

static void obj_ctx_free(struct ft_rank_obj *o)
{
	if (!o)
		return;
	free(o->aq);
	free(o->Py);
	free(o->s);
	free(o->P);
	free(o->c);
	free(o->cg);
	free(o->u);
	free(o->mq);
	free(o->scratch);
	free(o);
}

void ft_rank_objective_free(struct ft_objective *obj)
{
	if (!obj)
		return;
	obj_ctx_free(obj->ctx);
	obj->ctx = NULL;
}

int ft_rank_loss_objective(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                           struct ft_objective *obj, struct ft_error *err)
{
	struct ft_rank_obj *o = NULL;
	const char *msg;
	size_t n, nq, chunks;
	int rc;

	memset(obj, 0, sizeof *obj);
	if ((msg = ft_rank_check(p)) != NULL)
		return ft_error_set(err, FT_EINVAL, "ranking: %s", msg);
	if ((rc = ft_rank_check_data(rd, p, err)) != 0)
		return rc;
	n = rd->n;
	nq = rd->n_queries;
	chunks = ft_parallel_chunks(n, rd->p * rd->p);
	if (!(o = calloc(1, sizeof *o)))
		goto nomem;
	o->rd = rd;
	o->p = *p;
	o->aq = malloc(nq * sizeof *o->aq);
	o->mq = calloc(nq, sizeof *o->mq);
	o->Py = malloc(n * sizeof *o->Py);
	o->s = malloc(n * sizeof *o->s);
	o->P = malloc(n * sizeof *o->P);
	o->c = calloc(n, sizeof *o->c);
	o->cg = calloc(n, sizeof *o->cg);
	o->u = malloc(n * sizeof *o->u);
	o->scratch = ft_chunk_scratch(chunks, rd->p, sizeof *o->scratch, &o->scratch_stride);
	if (!o->aq || !o->mq || !o->Py || !o->s || !o->P || !o->c || !o->cg ||
	    !o->u || !o->scratch)
		goto nomem;
	ft_rank_query_weights(rd, p->doc_weight, o->aq);
	for (size_t q = 0; q < nq; q++) {
		size_t a = rd->qoff[q], b = rd->qoff[q + 1];
		ft_rank_softmax(rd->rel + a, b - a, o->Py + a);
		if (p->loss == FT_RANK_RANKNET)
			for (size_t i = a; i < b; i++)
				for (size_t j = a; j < b; j++)
					o->mq[q] += rd->rel[i] > rd->rel[j];
	}
	if (p->loss == FT_RANK_RANKNET) {
		size_t q = 0;
		int64_t some;
		while (q < nq && o->mq[q] == 0.0)
			q++;
		/* any query of any rank */
		some = q < nq;
		if (ft_dist_rows_here(n))
			ft_dist_max_i64(&some, 1);
		if (!some) {
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: ranknet: no query has two documents of different relevance",
			                  rd->path);
			goto done;
		}
	}
	obj->dim = rd->p;
	obj->ctx = o;
	obj->value_grad = rank_value_grad;
	if (p->loss != FT_RANK_LAMBDALOSS &&
	    (p->fair == FT_RANK_FAIR_NONE || p->fair == FT_RANK_FAIR_PAIR_CON ||
	     (p->fair == FT_RANK_FAIR_DELTR && p->gamma == 0.0) ||
	     (p->fair == FT_RANK_FAIR_PAIR_REG && p->lambda == 0.0))) {
		obj->hess_vec = rank_hess_vec;
		if (p->loss == FT_RANK_LISTNET)
			obj->hessian = rank_hessian;
	}
	o = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
done:
	obj_ctx_free(o);
	return rc;
}

/* ----------------------------------------------------------- prediction */

struct key {
	double s;
	size_t i;
};

/* Descending score, NaN last, then row order: a stable descending sort. */
static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int nx = isnan(x->s), ny = isnan(y->s);

	if (nx != ny)
		return nx - ny;
	if (!nx && x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

int ft_rank_positions(const struct ft_rank_data *rd, const double *s,
                      size_t *rank, struct ft_error *err)
{
	size_t mx = 0;
	struct key *k;

	for (size_t q = 0; q < rd->n_queries; q++)
		if (rd->qoff[q + 1] - rd->qoff[q] > mx)
			mx = rd->qoff[q + 1] - rd->qoff[q];
	if (!(k = malloc((mx ? mx : 1) * sizeof *k)))
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
	for (size_t q = 0; q < rd->n_queries; q++) {
		size_t a = rd->qoff[q], m = rd->qoff[q + 1] - a;
		for (size_t i = 0; i < m; i++) {
			k[i].s = s[a + i];
			k[i].i = i;
		}
		qsort(k, m, sizeof *k, cmp_key);
		for (size_t r = 0; r < m; r++)
			rank[a + k[r].i] = r + 1;
	}
	free(k);
	return 0;
}

int ft_rank_exposure_ratio(const struct ft_rank_data *rd, const size_t *rank,
                           int32_t protected_group, double *ratio, double *e1,
                           double *e0, struct ft_error *err)
{
	double mean[2] = { 0.0, 0.0 }, nq[2] = { 0.0, 0.0 };
	int rc;

	if ((rc = ft_rank_check_groups(rd, protected_group, "exposure ratio", err)))
		return rc;
	{
		/* mean[], nq[] continue over every rank's queries */
		double acc[4] = {0.0, 0.0, 0.0, 0.0};
		ft_dist_fold_begin(rd->n, acc, 4);
		mean[0] = acc[0], mean[1] = acc[1], nq[0] = acc[2], nq[1] = acc[3];
	}
	for (size_t q = 0; q < rd->n_queries; q++) {
		double sum[2] = { 0.0, 0.0 }, cnt[2] = { 0.0, 0.0 };
		for (size_t i = rd->qoff[q]; i < rd->qoff[q + 1]; i++) {
			int side = ft_rank_side(rd, i, protected_group);
			if (side < 0)
				continue;
			sum[side] += 1.0 / log2(1.0 + (double)rank[i]);
			cnt[side] += 1.0;
		}
		for (int k = 0; k < 2; k++)
			if (cnt[k] > 0.0) {
				mean[k] += sum[k] / cnt[k];
				nq[k] += 1.0;
			}
	}
	{
		double acc[4] = {mean[0], mean[1], nq[0], nq[1]};
		ft_dist_fold_end(rd->n, acc, 4);
		mean[0] = acc[0], mean[1] = acc[1], nq[0] = acc[2], nq[1] = acc[3];
	}
	if (nq[0] == 0.0 || nq[1] == 0.0)
		return ft_error_set(err, FT_EDATA, "%s: exposure ratio: the %s group has no documents",
		                    rd->path, nq[1] == 0.0 ? "protected" : "non-protected");
	mean[0] /= nq[0];
	mean[1] /= nq[1];
	*ratio = mean[1] / mean[0];
	if (e1)
		*e1 = mean[1];
	if (e0)
		*e0 = mean[0];
	return 0;
}
