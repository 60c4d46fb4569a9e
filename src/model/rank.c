/*
 * rank.c - linear rankers: the ListNet and RankNet objectives (value,
 * gradient, Hessian or Hessian-vector product) as an ft_objective, the fit
 * driver that adds the fairness terms of src/fair/deltr.c and
 * src/fair/pairwise.c, parameters and their "name:k=v" parser, and
 * prediction (scores, per-query positions, the DELTR paper's exposure
 * ratio).
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

/* The methods of ft_rank_method_parse and the parameters each takes. */
enum { M_LISTNET = 1, M_RANKNET = 2, M_DELTR = 4, M_PREG = 8, M_PCON = 16,
       M_LAMBDA = 32, M_ALL = 63, M_FAIR = M_DELTR | M_PREG | M_PCON };
static const struct {
	const char *name;
	int mask, loss, fair;
} METHODS[] = {
	{ "listnet", M_LISTNET, FT_RANK_LISTNET, FT_RANK_FAIR_NONE },
	{ "ranknet", M_RANKNET, FT_RANK_RANKNET, FT_RANK_FAIR_NONE },
	{ "deltr", M_DELTR, FT_RANK_LISTNET, FT_RANK_FAIR_DELTR },
	{ "pair-reg", M_PREG, FT_RANK_LISTNET, FT_RANK_FAIR_PAIR_REG },
	{ "pair-con", M_PCON, FT_RANK_LISTNET, FT_RANK_FAIR_PAIR_CON },
	{ "lambdaloss", M_LAMBDA, FT_RANK_LAMBDALOSS, FT_RANK_FAIR_NONE },
};
#define N_METHODS (sizeof METHODS / sizeof *METHODS)

static const struct {
	const char *name;
	int mask;
	double lo, hi;
	int integer;
} PARAMS[] = {
	{ "l2", M_ALL, 0, 1e12, 0 },
	{ "doc_weight", M_ALL, 0, 1, 1 },
	{ "max_iter", M_ALL, 0, 1e9, 1 },
	{ "protected", M_FAIR, 0, 1e9, 1 },
	{ "loss", M_PREG | M_PCON | M_DELTR, 0, 2, 1 },   /* listnet|ranknet|lambdaloss */
	{ "gamma", M_DELTR, 0, 1e15, 0 },
	{ "reference", M_DELTR | M_LISTNET, 0, 1, 1 },
	{ "iterations", M_DELTR | M_LISTNET, 1, 1e9, 1 },
	{ "lr", M_DELTR | M_LISTNET, 1e-300, 1e300, 0 },
	{ "lambda", M_PREG, 0, 1e15, 0 },
	{ "c", M_PCON, 0, 1, 0 },
	{ "max_outer", M_PCON, 1, 1e6, 1 },
	{ "temp", M_PCON, 0, 1e6, 0 },
};
#define N_PARAMS (sizeof PARAMS / sizeof *PARAMS)

static void set_param(struct ft_rank_params *p, size_t k, double v)
{
	switch (k) {
	case 0: p->l2 = v; break;
	case 1: p->doc_weight = (int)v; break;
	case 2: p->solver.max_iter = (int)v; break;
	case 3: p->protected_group = (int32_t)v; break;
	case 4: p->loss = (int)v; break;
	case 5: p->gamma = v; break;
	case 6: p->reference = (int)v; break;
	case 7: p->iterations = (int)v; break;
	case 8: p->learning_rate = v; break;
	case 9: p->lambda = v; break;
	case 10: p->c = v; break;
	case 11: p->max_outer = (int)v; break;
	default: p->pair_temp = v; break;
	}
}

int ft_rank_method_parse(const char *spec, struct ft_rank_params *p,
                         struct ft_error *err)
{
	char buf[512], *save = NULL, *tok, *colon;
	unsigned seen = 0;
	size_t m;
	const char *msg;

	ft_rank_params_init(p);
	if (!spec || strlen(spec) >= sizeof buf)
		return ft_error_set(err, FT_EINVAL, "ranking method: missing or too long");
	strcpy(buf, spec);
	if ((colon = strchr(buf, ':')) != NULL)
		*colon = '\0';
	for (m = 0; m < N_METHODS; m++)
		if (strcmp(buf, METHODS[m].name) == 0)
			break;
	if (m == N_METHODS)
		return ft_error_set(err, FT_EINVAL,
		                    "unknown ranking method '%s' (methods: listnet, ranknet, deltr, pair-reg, pair-con, lambdaloss)",
		                    buf);
	p->loss = METHODS[m].loss;
	p->fair = METHODS[m].fair;
	if (colon && !colon[1])
		return ft_error_set(err, FT_EINVAL, "%s: nothing after ':'", buf);
	for (tok = colon ? strtok_r(colon + 1, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		size_t k;
		double v;
		if (!eq)
			return ft_error_set(err, FT_EINVAL, "%s: '%s' is not NAME=VALUE",
			                    METHODS[m].name, tok);
		*eq = '\0';
		for (k = 0; k < N_PARAMS; k++)
			if (strcmp(tok, PARAMS[k].name) == 0 && (PARAMS[k].mask & METHODS[m].mask))
				break;
		if (k == N_PARAMS) {
			char list[256];
			size_t at = 0;
			list[0] = '\0';
			for (size_t q = 0; q < N_PARAMS; q++)
				if (PARAMS[q].mask & METHODS[m].mask)
					at += (size_t)snprintf(list + at, sizeof list - at, "%s%s",
					                       at ? ", " : "", PARAMS[q].name);
			return ft_error_set(err, FT_EINVAL, "%s: no parameter '%s' (%s)",
			                    METHODS[m].name, tok, list);
		}
		if (seen & (1u << k))
			return ft_error_set(err, FT_EINVAL, "%s: '%s' given twice",
			                    METHODS[m].name, tok);
		seen |= 1u << k;
		if (k == 4 && (strcmp(eq + 1, "listnet") == 0 || strcmp(eq + 1, "ranknet") == 0 ||
		               strcmp(eq + 1, "lambdaloss") == 0)) {
			v = strcmp(eq + 1, "ranknet") == 0 ? FT_RANK_RANKNET :
			    strcmp(eq + 1, "lambdaloss") == 0 ? FT_RANK_LAMBDALOSS : FT_RANK_LISTNET;
		} else {
			v = strtod(eq + 1, &end);
			if (!eq[1] || *end || !isfinite(v))
				return ft_error_set(err, FT_EINVAL, "%s: %s takes %s, not '%s'",
				                    METHODS[m].name, tok,
				                    k == 4 ? "listnet, ranknet or lambdaloss" : "a number", eq + 1);
		}
		if (v < PARAMS[k].lo || v > PARAMS[k].hi)
			return ft_error_set(err, FT_EINVAL, "%s: %s = %g is outside [%g, %g]",
			                    METHODS[m].name, tok, v, PARAMS[k].lo, PARAMS[k].hi);
		if (PARAMS[k].integer && v != floor(v))
			return ft_error_set(err, FT_EINVAL, "%s: %s = %g (whole numbers)",
			                    METHODS[m].name, tok, v);
		set_param(p, k, v);
	}
	if ((msg = ft_rank_check(p)) != NULL)
		return ft_error_set(err, FT_EINVAL, "%s: %s", METHODS[m].name, msg);
	return 0;
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

	for (size_t q = 0; q < rd->n_queries; q++)
		A += (aq[q] = doc_weight ? (double)(rd->qoff[q + 1] - rd->qoff[q]) : 1.0);
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

static const char *fair_tag(int fair)
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
static int check_data(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                      struct ft_error *err)
{
	if (!rd || rd->n == 0 || rd->n_queries == 0)
		return ft_error_set(err, FT_EDATA, "%s: no documents",
		                    rd && rd->path ? rd->path : "ranking data");
	if (rd->p == 0)
		return ft_error_set(err, FT_EDATA, "%s: no features", rd->path);
	for (size_t i = 0; i < rd->n; i++)
		if (!isfinite(rd->rel[i]))
			return ft_error_set(err, FT_EDATA,
			                    "%s:%zu: relevance is unknown (training needs every row's relevance)",
			                    rd->path, rd->line[i]);
	if (p->fair != FT_RANK_FAIR_NONE)
		return ft_rank_check_groups(rd, p->protected_group, fair_tag(p->fair), err);
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
	if (p->fair == FT_RANK_FAIR_DELTR && p->gamma > 0.0) {
		double u = 0.0;
		if ((rc = ft_deltr_part(rd, o->s, o->aq, p->protected_group, p->gamma,
		                        o->P, o->c, &u, NULL, NULL, NULL)))
			return rc;
		loss += p->gamma * u;
	}
	if (p->fair == FT_RANK_FAIR_PAIR_REG && p->lambda > 0.0) {
		double num01 = 0.0, num10 = 0.0, gap;
		if ((rc = ft_pair_part(rd, o->s, p->protected_group, o->n01, o->n10,
		                       &num01, &num10, o->cg)))
			return rc;
		gap = num01 / o->n01 - num10 / o->n10;
		loss += p->lambda * gap * gap;
		for (size_t i = 0; i < n; i++)
			o->c[i] += 2.0 * p->lambda * gap * o->cg[i];
	}
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
	double *m = o->scratch + chunk * p;

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

int ft_rank_objective(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                      struct ft_objective *obj, struct ft_error *err)
{
	struct ft_rank_obj *o = NULL;
	const char *msg;
	size_t n, nq, chunks;
	int rc;

	memset(obj, 0, sizeof *obj);
	if ((msg = ft_rank_check(p)) != NULL)
		return ft_error_set(err, FT_EINVAL, "ranking: %s", msg);
	if ((rc = check_data(rd, p, err)) != 0)
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
	o->scratch = malloc(chunks * rd->p * sizeof *o->scratch);
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
		while (q < nq && o->mq[q] == 0.0)
			q++;
		if (q == nq) {
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: ranknet: no query has two documents of different relevance",
			                  rd->path);
			goto done;
		}
	}
	if (p->fair == FT_RANK_FAIR_PAIR_REG || p->fair == FT_RANK_FAIR_PAIR_CON) {
		ft_pair_counts(rd, p->protected_group, &o->n01, &o->n10);
		if (o->n01 == 0.0 || o->n10 == 0.0) {
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: %s: no pair of one query with a %s document more relevant than a %s one",
			                  rd->path, fair_tag(p->fair),
			                  o->n01 == 0.0 ? "non-protected" : "protected",
			                  o->n01 == 0.0 ? "protected" : "non-protected");
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

/* ------------------------------------------------------------------ fit */

/* Diagnostics at the solution: the plain loss, DELTR's exposures, and for
 * the pairwise methods the accuracies and gap. */
static int fit_diags(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                     const double *w, struct ft_rank_result *res,
                     struct ft_error *err)
{
	struct ft_rank_params q = *p;
	struct ft_objective obj;
	double f, e0, e1, u;
	int rc;

	q.fair = FT_RANK_FAIR_NONE;
	q.l2 = 0.0;
	q.reference = 0;
	q.doc_weight = p->reference ? 1 : p->doc_weight;
	if ((rc = ft_rank_objective(rd, &q, &obj, err)) != 0)
		return rc;
	rc = obj.value_grad(obj.ctx, w, &f, NULL);
	ft_rank_objective_free(&obj);
	if (rc)
		return ft_error_set(err, rc, "%s: out of memory", rd->path);
	ft_rank_diag(res, "loss", f);
	if (!rd->group || p->protected_group >= (int32_t)rd->n_groups)
		return 0;
	if ((rc = ft_deltr_exposure(rd, w, p->protected_group, q.doc_weight, &e0,
	                            &e1, &u, err)) != 0)
		return rc;
	ft_rank_diag(res, "exposure_g0", e0);
	ft_rank_diag(res, "exposure_g1", e1);
	ft_rank_diag(res, "deltr_penalty", u);
	if (p->fair == FT_RANK_FAIR_PAIR_REG || p->fair == FT_RANK_FAIR_PAIR_CON) {
		double a01, a10, gap;
		if ((rc = ft_pair_gap(rd, w, p->protected_group, &a01, &a10, &gap,
		                      NULL, err)) != 0)
			return rc;
		ft_rank_diag(res, "pair_acc_g0_over_g1", a01);
		ft_rank_diag(res, "pair_acc_g1_over_g0", a10);
		ft_rank_diag(res, "pair_gap", gap);
	}
	return 0;
}

int ft_rank_fit(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                double *w, struct ft_rank_result *res, struct ft_error *err)
{
	struct ft_rank_result local;
	struct ft_objective obj;
	const char *msg;
	int rc;

	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	res->res.f = NAN;
	res->res.grad_norm = NAN;
	memset(&obj, 0, sizeof obj);
	if ((msg = ft_rank_check(p)) != NULL)
		return ft_error_set(err, FT_EINVAL, "ranking: %s", msg);
	if ((rc = check_data(rd, p, err)) != 0)
		return rc;
	for (size_t j = 0; j < rd->p; j++)
		if (!isfinite(w[j]))
			return ft_error_set(err, FT_EINVAL, "ranking: start weight %zu is %g",
			                    j, w[j]);
	if (p->reference) {
		rc = ft_deltr_reference_fit(rd, p, w, res, err);
	} else if (p->fair == FT_RANK_FAIR_PAIR_CON) {
		rc = ft_pair_con_fit(rd, p, w, res, err);
	} else {
		if ((rc = ft_rank_objective(rd, p, &obj, err)) == 0)
			rc = ft_minimize(&obj, w, &p->solver, &res->res, err);
		ft_rank_objective_free(&obj);
	}
	if (rc)
		return rc;
	if ((rc = fit_diags(rd, p, w, res, err)) != 0 || p->reference)
		return rc;
	return ft_rank_conditioning(rd, p, w, res, err);
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
