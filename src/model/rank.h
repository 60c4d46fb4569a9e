/*
 * rank.h - what the ranking files share (src/model/rank.c, src/fair/deltr.c,
 * src/fair/pairwise.c, src/fair/rankfit.c); internal, not installed.
 *
 * Every ranking quantity is a sum over queries of a function of the query's
 * scores s_q = X_q w, so each part is written in score space: it adds its
 * value and its derivative c_i = d f / d s_i for the rows of its queries,
 * and the weight gradient is X^T c, one pass over the rows.  Parts run on
 * ft_parallel_sum's row chunks with query granularity: a chunk [lo, hi)
 * owns the queries whose first row lies in it (ft_rank_query_range), so it
 * writes only its own queries' entries of the per-row arrays.
 */
#ifndef FT_RANK_H
#define FT_RANK_H

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

#define FT_LN2 0.69314718055994530942

/* The context of ft_rank_objective's vtable (rank.c). */
struct ft_rank_obj {
	const struct ft_rank_data *rd;
	struct ft_rank_params p;
	double *aq;            /* n_queries: a_q / A */
	double *Py;            /* n: softmax(rel_q), fixed */
	double *s;             /* n: scores at the last evaluation */
	double *P;             /* n: softmax(s_q) (ListNet, DELTR) */
	double *c;             /* n: d f / d s */
	double *cg;            /* n: d gap / d s (pairwise) */
	double *u;             /* n: scratch (Hessian-vector products) */
	double *mq;            /* n_queries: RankNet pairs rel_i > rel_j */
	double n01, n10;       /* pairwise: cross-group pairs G0 > G1, G1 > G0 */
	double *scratch;       /* ListNet Hessian: p doubles per chunk, */
	size_t scratch_stride; /* scratch_stride apart */
	/* The fairness term (NULL for none), installed by src/fair/rankfit.c:
	 * adds its weighted value to *f and its derivative d/ds to c, at the
	 * scores s of the current evaluation. */
	int (*penalty)(struct ft_rank_obj *o, double *f);
};

/* rank.c: the loss and L2 of p over rd as an ft_objective whose ctx is a
 * struct ft_rank_obj (penalty NULL; the Hessian entries set only when p
 * has no active fairness term).  rd is checked (ft_rank_check_data).
 * Free with ft_rank_objective_free. */
int ft_rank_loss_objective(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                           struct ft_objective *obj, struct ft_error *err);
/* rank.c: documents, features, known relevance, and groups when p has a
 * fairness term. */
int ft_rank_check_data(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                       struct ft_error *err);
/* rank.c: "deltr", "pair-reg", "pair-con" or "ranking", for messages. */
const char *ft_rank_fair_tag(int fair);

/* Queries whose first row lies in [lo, hi): q0 .. q1-1. */
void ft_rank_query_range(const struct ft_rank_data *rd, size_t lo, size_t hi,
                         size_t *q0, size_t *q1);
/* P = softmax(v[0 .. n)) with the max shift; returns log sum exp v. */
double ft_rank_softmax(const double *v, size_t n, double *P);
/* g[0 .. p) += X^T c over all rows (ft_parallel_sum).  0 or FT_ENOMEM. */
int ft_rank_xtc(const struct ft_rank_data *rd, const double *c, double *g);
/* Query weights a_q / A (doc_weight: a_q = n_q, else 1) into aq. */
void ft_rank_query_weights(const struct ft_rank_data *rd, int doc_weight,
                           double *aq);
/* Which side row i is on: 1 = G1 (the protected group), 0 = G0 (another
 * known group), -1 = unknown group. */
static inline int ft_rank_side(const struct ft_rank_data *rd, size_t i,
                               int32_t pg)
{
	int32_t g = rd->group[i];

	return g < 0 ? -1 : g == pg ? 1 : 0;
}
/* FT_EDATA unless rd has groups and pg names one of them (tag names the
 * method in the message). */
int ft_rank_check_groups(const struct ft_rank_data *rd, int32_t pg,
                         const char *tag, struct ft_error *err);

/* lambdaloss.c: LambdaLoss (NDCG-Loss2) of every query, sum_q aq[q] l_q
 * added to *loss, d/ds into c (set, every row).  0 or FT_ENOMEM. */
int ft_lambdaloss_part(const struct ft_rank_data *rd, const double *s,
                       const double *aq, double *c, double *loss);
/* rank_cond.c: the exact mode's conditioning diagnostics at w
 * ("hessian_rcond", "weight_norm", "ill_conditioned"; ft_rank_fit). */
int ft_rank_conditioning(const struct ft_rank_data *rd,
                         const struct ft_rank_params *p, const double *w,
                         struct ft_rank_result *res, struct ft_error *err);

/* rank.c: append a diagnostic (ignored beyond FT_MAX_DIAG). */
void ft_rank_diag(struct ft_rank_result *res, const char *name, double v);

#endif
