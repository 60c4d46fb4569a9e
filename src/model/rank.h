/*
 * rank.h - what the ranking files share (src/model/rank.c, src/fair/deltr.c,
 * src/fair/pairwise.c); internal, not installed.
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
	double *scratch;       /* ListNet Hessian: p doubles per chunk */
};

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

/* deltr.c: the DELTR penalty in score space.  Adds sum_q aq[q] U_q to *u
 * and gamma aq[q] dU_q/ds to c (c may be NULL); e0, e1 (may be NULL) get
 * the sums over the queries holding both groups of E_q(G0), E_q(G1), and
 * *nboth their number.  P is scratch (n).  0 or FT_ENOMEM. */
int ft_deltr_part(const struct ft_rank_data *rd, const double *s,
                  const double *aq, int32_t pg, double gamma, double *P,
                  double *c, double *u, double *e0, double *e1, double *nboth);
/* deltr.c: the authors' training loop (struct ft_rank_params.reference);
 * fills res->res and appends the oscillation diagnostics. */
int ft_deltr_reference_fit(const struct ft_rank_data *rd,
                           const struct ft_rank_params *p, double *w,
                           struct ft_rank_result *res, struct ft_error *err);

/* pairwise.c: the cross-group pair counts n01 (G0 doc more relevant than a
 * G1 doc of the same query) and n10. */
void ft_pair_counts(const struct ft_rank_data *rd, int32_t pg, double *n01,
                    double *n10);
/* pairwise.c: sums of sigmoid(s_i - s_j) over the two kinds of pairs
 * (num01, num10) and, when cg is not NULL, d gap / d s into cg (zeroed
 * first), gap = num01 / n01 - num10 / n10.  0 or FT_ENOMEM. */
int ft_pair_part(const struct ft_rank_data *rd, const double *s, int32_t pg,
                 double n01, double n10, double *num01, double *num10,
                 double *cg);
/* pairwise.c: min loss s.t. |gap| <= c by the augmented Lagrangian. */
int ft_pair_con_fit(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                    double *w, struct ft_rank_result *res, struct ft_error *err);

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
