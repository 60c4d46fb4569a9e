/*
 * metrics.h - internals shared by src/metrics/{metrics,fairness,bootstrap,
 * permutation}.c; not part of the public API and not installed.  Tests
 * include it to reach the pieces the public calls compose (the binned AUC,
 * the percentile rule, the bootstrap replicates).
 *
 * Vocabulary:
 *   stratum  a group 0 .. G-1, or G for the rows with group -1 (G = n_groups)
 *   target   what a value is measured on: a stratum, FT_T_OVERALL(G) (every
 *            row) or FT_T_POOL(G) (the unprivileged groups pooled: rows with
 *            group >= 0 and != privileged)
 *   cell     one of the four (y, yhat) combinations, index 2 y + yhat
 *   pos      P(yhat = 1) of a row: in->pos[i] for a randomized classifier,
 *            else 1[score >= threshold]
 */
#ifndef FT_METRICS_INTERNAL_H
#define FT_METRICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

enum { FT_TN = 0, FT_FP = 1, FT_FN = 2, FT_TP = 3 };

#define FT_T_OVERALL(G) ((G) + 1)
#define FT_T_POOL(G) ((G) + 2)
#define FT_N_TARGETS(G) ((G) + 3)

/* Confusion cells of one target.
 *
 * w[k] is the expected weight of cell k: a row of label y, weight w and
 * P(yhat = 1) = p adds w p to cell (y, 1) and w (1 - p) to cell (y, 0)
 * (with in->pos NULL, p is 0 or 1 and the row adds w to one cell).
 *
 * c[k] counts the rows that can land in cell k (p > 0 for yhat = 1, p < 1
 * for yhat = 0).  Counts only decide whether a value is undefined ("no
 * predicted positives": no row that could be one) and whether a target has
 * rows; they are exact in a double up to 2^53.  A row with 0 < p < 1 counts
 * in both of its label's cells, so the sum of c[] is the number of rows only
 * when every p is 0 or 1 (ft_group_metrics counts rows separately).
 *
 * bvar and bjen are what GE(2) and Theil of the expected benefit
 * b = p - y + 1 need beyond the cells (fairness.c): sums over rows of
 * w p (1 - p), the variance of the benefit B = yhat - y + 1, and of
 * w (b ln b - E[B ln B]) (<= 0, Jensen).  Both are exactly 0 for a row with
 * p = 0 or 1, so a deterministic classifier gives the old values bit for
 * bit. */
struct ft_conf {
	double w[4];
	double c[4];
	double bvar, bjen;
};

/* Why a per-group value is undefined (static texts: ft_why_text). */
enum ft_why {
	FT_WHY_OK = 0,
	FT_WHY_NO_ROWS_GROUP,    /* "no rows in group" */
	FT_WHY_NO_ROWS,          /* "no rows" (overall, pooled) */
	FT_WHY_ZERO_WEIGHT,      /* "zero total weight" */
	FT_WHY_NO_POS, FT_WHY_ZERO_POS,
	FT_WHY_NO_NEG, FT_WHY_ZERO_NEG,
	FT_WHY_NO_PPOS, FT_WHY_ZERO_PPOS,
	FT_WHY_NO_PNEG, FT_WHY_ZERO_PNEG,
	FT_N_WHY
};
const char *ft_why_text(int why);

/* Check an evaluation input up front (every row): 0 or FT_EINVAL with a
 * message naming the array and index ("y[12] = 0.5 is not a 0/1 label"). */
int ft_eval_check(const struct ft_eval_input *in, struct ft_error *err);

/* The stratum of row i. */
static inline size_t ft_stratum(const struct ft_eval_input *in, size_t i)
{
	return in->group && in->group[i] >= 0 ? (size_t)in->group[i] : in->n_groups;
}

/* Rows visited in score order are scattered in memory: a sweep over
 * order[] fetches row order[j + FT_EVAL_AHEAD]'s cells (score, label,
 * group, weight) while it works on row order[j]. */
#define FT_EVAL_AHEAD 16
/* always_inline: GCC takes a function whose only effect is prefetching for
 * a pure one and deletes its calls before an ordinary inline would keep
 * them (gcc 12 -O2: none of the prefetches was left). */
static inline __attribute__((always_inline)) void
ft_eval_prefetch(const struct ft_eval_input *in, const uint32_t *order, size_t j)
{
	if (j + FT_EVAL_AHEAD < in->n) {
		size_t f = order[j + FT_EVAL_AHEAD];
		__builtin_prefetch(&in->score[f]);
		__builtin_prefetch(&in->y[f]);
		if (in->group)
			__builtin_prefetch(&in->group[f]);
		if (in->w)
			__builtin_prefetch(&in->w[f]);
	}
}

/* P(yhat = 1) of row i: the randomized classifier's pos, or the
 * deterministic decision score >= threshold. */
static inline double ft_eval_pos(const struct ft_eval_input *in, size_t i)
{
	return in->pos ? in->pos[i] : (double)(in->score[i] >= in->threshold);
}

/* A rate metric (FT_M_BASE_RATE .. FT_M_BALANCED_ACCURACY) of the cells;
 * NaN and *why != 0 when undefined.  is_group picks "no rows in group" over
 * "no rows". */
double ft_conf_rate(const struct ft_conf *c, int metric, int is_group, int *why);
/* Error rate (FP + FN) / W. */
double ft_conf_error(const struct ft_conf *c, int is_group, int *why);
/* Why an AUC of these cells is undefined (0 when both classes have weight). */
int ft_conf_auc_why(const struct ft_conf *c, int is_group);
/* a += b */
void ft_conf_add(struct ft_conf *a, const struct ft_conf *b);

/* Add one row (label y, weight w, P(yhat = 1) = p in [0, 1]) to the cells
 * w[] and c[] as struct ft_conf says; bvar and bjen untouched.  For p = 0
 * or 1 this is the deterministic row bit for bit (w 1 = w; the other cell
 * gets + 0). */
static inline void ft_conf_add_row(struct ft_conf *c, int y, double w, double p)
{
	c->w[2 * y + 1] += w * p;
	c->w[2 * y] += w * (1 - p);
	c->c[2 * y + 1] += p > 0;
	c->c[2 * y] += p < 1;
}

/* The two benefit terms of one row for struct ft_conf's bvar and bjen,
 * weight w included: w p (1 - p) and w (b ln b - E[B ln B]); exactly 0 for
 * p = 0 or 1. */
void ft_benefit_terms(int y, double w, double p, double *bvar, double *bjen);

/* Per-stratum confusion cells of every row (G + 1 of them, zeroed here),
 * summed over blocks of rows with ft_parallel_sum. */
int ft_strata_conf(const struct ft_eval_input *in, struct ft_conf *conf);
/* conf[0 .. G] filled: add the overall and (priv >= 0) pooled targets. */
void ft_targets_from_strata(struct ft_conf *conf, size_t G, long priv);

/* What the walks of the rows in score order read, gathered once in that
 * order, so that each walk reads its rows one after the other instead of
 * fetching four arrays at random places a row (the AUC sweep, the earth
 * mover's distances and the bootstrap's cells: about 30 ns a row each at
 * 3.75 million rows):
 *   score[j]  in->score[order[j]];
 *   sy[j]     2 ft_stratum(in, order[j]) + (in->y[order[j]] == 1), a
 *             byte (sy8) up to 127 groups, else 4 (groups are int32_t, so
 *             2 G + 1 fits): ft_sorted_sy;
 *   w[j]      in->w[order[j]], or NULL when every weight is 1 or in->w is
 *             NULL (a walk then takes 1, as it does for in->w NULL);
 *   pos[j]    in->pos[order[j]], or NULL when in->pos is.
 * 9 bytes a row, 17 with weights, 8 more for a randomized classifier.
 * The same values in the same order: a walk of the view gives the same
 * bits as the walk of in by order.  The view does not keep order: a
 * caller may free it once the view is made. */
struct ft_boot;
struct ft_sorted {
	size_t n;
	double *score;
	uint8_t *sy8;            /* one of sy8 and sy is set */
	uint32_t *sy;
	double *w;
	double *pos;
};
static inline size_t ft_sorted_sy(const struct ft_sorted *v, size_t j)
{
	return v->sy8 ? v->sy8[j] : v->sy[j];
}
int ft_sorted_make(const struct ft_eval_input *in, const uint32_t *order,
                   struct ft_sorted *v);
/* The same from the sorted items of ft_score_sort_keys(in->score, 1, in->n,
 * &keys), which the view takes over (freed on failure too): each item's 8
 * bytes become its row's score, so the view costs a byte a row more than
 * the sort (with unit weights, no pos and up to 127 groups) and no order
 * array is made. */
int ft_sorted_from_keys(const struct ft_eval_input *in, uint64_t *keys,
                        struct ft_sorted *v);
void ft_sorted_free(struct ft_sorted *v);
/* ft_auc_sweep and ft_boot_build from the view (in for the groups, the
 * privileged group, the threshold and, for the bootstrap, pos). */
int ft_auc_sweep_sorted(const struct ft_eval_input *in, const struct ft_sorted *v,
                        const uint8_t *pool, double *num, double *pos, double *neg);
int ft_boot_build_sorted(const struct ft_eval_input *in, const struct ft_sorted *v,
                         size_t nbins, struct ft_boot **out);
/* ft_distribution_measures_ordered from the view. */
int ft_distribution_measures_sorted(const struct ft_eval_input *in,
                                    const struct ft_dataset *x,
                                    const struct ft_dist_opts *o, const struct ft_sorted *v,
                                    struct ft_measures *out, struct ft_error *err);

/* One sort and one sweep of in's scores, which ft_group_metrics,
 * ft_fairness_summaries and the comparison share so that measuring a model
 * sorts its scores once: the rows gathered in score order (ft_sorted, from
 * the sort's items) and the AUC sums of every target (ft_auc_sweep_sorted
 * with ft_eval_pool's pool when with_pool; the strata's and the overall
 * sums do not depend on the pool).  in is not checked here (the caller
 * did: ft_eval_check). */
struct ft_swept {
	double *num, *pos, *neg;
	/* the rows gathered in score order, which the AUC sweep and the
	 * bootstrap's cells read */
	struct ft_sorted view;
	/* the bootstrap's cells (ft_boot_build_sorted), when the caller
	 * built them beside its other work; NULL: ft_fairness_summaries_swept
	 * builds them itself.  ft_swept_free frees them. */
	struct ft_boot *boot;
};
int ft_eval_sweep(const struct ft_eval_input *in, int with_pool, struct ft_swept *sw);
/* The AUC sums of ft_eval_sweep (num, pos, neg allocated) from sw->view,
 * made by the caller (ft_sorted_from_keys); on failure the caller frees sw
 * (ft_swept_free). */
int ft_eval_sweep_sorted(const struct ft_eval_input *in, int with_pool, struct ft_swept *sw);
void ft_swept_free(struct ft_swept *sw);
int ft_group_metrics_swept(const struct ft_eval_input *in, const struct ft_swept *sw,
                           struct ft_group_table **out, struct ft_error *err);
/* ft_group_metrics_swept in two steps: the row sums of every stratum (the
 * one pass over the rows), then the table from them and the sweep's AUC
 * sums (sw NULL: the AUC cells undefined, every other cell as with them;
 * the comparison picks the permutation tests' pair from such a table while
 * another thread sweeps).  rows_sum's errors: FT_ENOMEM. */
struct ft_group_sums {
	double *sums, *tot;
	size_t stride;
};
int ft_group_tally(const struct ft_eval_input *in, struct ft_group_sums *gs);
void ft_group_sums_free(struct ft_group_sums *gs);
int ft_group_table_of(const struct ft_eval_input *in, const struct ft_group_sums *gs,
                      const struct ft_swept *sw, struct ft_group_table **out);
int ft_fairness_summaries_swept(const struct ft_eval_input *in, const struct ft_swept *sw,
                                size_t n_bootstrap, uint64_t seed, double level,
                                struct ft_summary_table **out, struct ft_error *err);

/* ft_inequality_index of k indices (kind[q], param[q], k <= 8) of one
 * benefit vector into out[q], from one check of the rows and one pass:
 * each index's sum runs in row order as it does alone, so every value is
 * the same bits as ft_inequality_index's. */
int ft_inequality_indices(const int *kind, const double *param, size_t k, const double *b,
                          const double *w, size_t n, struct ft_value *out,
                          struct ft_error *err);

/* ft_distribution_measures given order, the stable ascending order of
 * in->score over every row (ft_score_order), or NULL: the groups' scores
 * are then taken in that order instead of sorted again.  in checked by the
 * caller (ft_eval_check). */
int ft_distribution_measures_ordered(const struct ft_eval_input *in,
                                     const struct ft_dataset *x,
                                     const struct ft_dist_opts *o, const uint32_t *order,
                                     struct ft_measures *out, struct ft_error *err);
/* ft_comparison_measure then ft_comparison_permutation, the same rows, from
 * one check, one sort and one sweep of in's scores; then the distribution
 * and inequality rows (ft_distribution_measures but consistency) and the
 * rich-subgroup audits (ft_subgroup_audit, false positives and negatives). */
int ft_comparison_measure_all(struct ft_comparison *c, const char *model,
                              const char *split, const struct ft_eval_input *in,
                              size_t n_perm, struct ft_error *err);
/* AIF360's consistency of in's decisions over x's rows (k neighbours, the
 * row included): one row "consistency" (convention individual). */
int ft_comparison_add_consistency(struct ft_comparison *c, const char *model,
                                  const char *split, const struct ft_eval_input *in,
                                  const struct ft_dataset *x, size_t k,
                                  struct ft_error *err);

/* ft_permutation_test of k rate metrics on one pair from one scan of the
 * rows: metric[q] with seed + q into gap[q], p_value[q].  in is not
 * checked here (the caller did: ft_eval_check). */
int ft_permutation_tests(const struct ft_eval_input *in, const int *metric, size_t k,
                         size_t a, size_t b, size_t n_perm, uint64_t seed,
                         struct ft_value *gap, double *p_value, struct ft_error *err);
/* explain.c: the most distinct values for which the proxy report counts a
 * numeric column by value instead of sorting its rows (2^17; both ways give
 * the same bits: the tests set it to 0 to compare them). */
extern size_t ft_proxy_distinct_max;

/* Row indices sorted by score ascending, stable (LSD radix sort on the
 * bits of the doubles; any finite values).  n < 2^32.  *order is malloc'ed. */
int ft_score_order(const double *score, size_t n, uint32_t **order);
/* The same order of score[0], score[st], ..., score[(n - 1) st] (a column
 * of a row-major block, read in place); with sorted, also the scores in
 * that order (*sorted malloc'ed, n of them), so that a caller need not
 * gather them. */
int ft_score_order_stride(const double *score, size_t st, size_t n, uint32_t **order,
                          double **sorted);
/* The same order as n 64-bit items (*keys malloc'ed): the row of item r is
 * (uint32_t)keys[r] (the high half is the sort's key, a float of the
 * score).  8 bytes a row once sorted, where order and sorted take 12 and
 * the sort 20 at its peak: for callers that read the scores in place. */
int ft_score_sort_keys(const double *score, size_t st, size_t n, uint64_t **keys);

/* Exact weighted ROC AUC numerators of every target by one sweep over the
 * sorted rows: num = sum over (positive i, negative j) of w_i w_j
 * ([s_i > s_j] + [s_i == s_j] / 2); AUC = num / (pos neg).  pool[s] says
 * which strata form FT_T_POOL (NULL: none).  Arrays have FT_N_TARGETS(G)
 * entries, zeroed here. */
int ft_auc_sweep(const struct ft_eval_input *in, const uint32_t *order,
                 const uint8_t *pool, double *num, double *pos, double *neg);

/* AUC of a binned score: pos[k], neg[k] are the weights of the two classes
 * in bin k (bins in ascending score order); pairs within a bin count 1/2. */
double ft_auc_binned(const double *pos, const double *neg, size_t nb);

/* The q-quantile of sorted x[0 .. m) by linear interpolation between order
 * statistics (numpy's default "linear", R type 7): h = (m - 1) q,
 * x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). */
double ft_quantile_sorted(const double *x, size_t m, double q);
/* The same value from x in any order (no NaN), reordered here: its two
 * order statistics found by selection, O(m) where sorting is O(m log m). */
double ft_quantile_select(double *x, size_t m, double q);

/* ------------------------------------------------ fairness summaries */

/* Why a summary is undefined.  code is a FT_FW_* kind; base an ft_why;
 * rate the FT_R_* whose value was missing; who a target index. */
struct ft_fwhy {
	uint8_t code, base, rate, pad;
	int32_t who;
};
enum {
	FT_FW_OK = 0,
	FT_FW_RATE,          /* "<rate> undefined for group 'X': <base>" */
	FT_FW_FEW_GROUPS,    /* "fewer than two groups with rows" */
	FT_FW_NO_GROUPS,     /* "no groups with rows" */
	FT_FW_PRIV_EMPTY,    /* "privileged group 'X' has no rows" */
	FT_FW_POOL_EMPTY,    /* "no rows outside the privileged group" */
	FT_FW_RATIO_ZERO,    /* "<rate> is 0 in every group / overall / for privileged group 'X'" */
	FT_FW_MEAN_ZERO,     /* "mean benefit is 0 (every row is a false negative)" */
	FT_FW_NO_ROWS        /* "no rows" / "zero total weight" (base says which) */
};
/* The rates summaries are built on. */
enum { FT_R_SEL = 0, FT_R_TPR, FT_R_FPR, FT_R_ERR, FT_R_PPV, FT_R_AUC, FT_N_RATES };
/* who for FT_FW_RATIO_ZERO over all groups */
#define FT_WHO_ALL (-1)

struct ft_fval {
	double v;
	struct ft_fwhy why;
};

/* What the summaries are computed from: cells of every target, the AUC of
 * every target (read only where ft_conf_auc_why says it is defined), and
 * which groups exist in the full input. */
struct ft_fstats {
	size_t G;
	long priv;
	const uint8_t *present;      /* G flags */
	const struct ft_conf *conf;  /* FT_N_TARGETS(G) */
	const double *auc;           /* FT_N_TARGETS(G) */
};

/* The table's (metric, convention) slots in order; returns how many (at
 * most FT_N_FAIRNESS * FT_N_CONV). */
size_t ft_fair_slots(long priv, int *metric, int *conv);
/* Every slot's value. */
void ft_fair_eval(const struct ft_fstats *st, size_t n_slots, const int *metric,
                  const int *conv, struct ft_fval *out);
/* A reason as one line of text. */
void ft_fwhy_text(const struct ft_fwhy *w, const struct ft_eval_input *in,
                  char *buf, size_t len);

/* ----------------------------------------------------------- bootstrap */

/* The cells the count-based bootstrap resamples (bootstrap.c). */
struct ft_boot;
/* Number of equal-frequency score bins for the AUC in the bootstrap. */
#define FT_BOOT_BINS 200
/* Build the cells from rows sorted by score. nbins: FT_BOOT_BINS normally. */
int ft_boot_build(const struct ft_eval_input *in, const uint32_t *order,
                  size_t nbins, struct ft_boot **out);
void ft_boot_free(struct ft_boot *b);
/* How the resampling goes: fine cells, of which row-list cells (weights, or
 * (weight, pos) pairs, too varied to refine), and the number of score bins. */
void ft_boot_info(const struct ft_boot *b, size_t *cells, size_t *list_cells,
                  size_t *bins);
/* The cells and the binned AUC of every target on the full data, as a
 * resample that drew every row once (for tests, and for measuring the
 * binning error); FT_N_TARGETS(G) entries each, either may be NULL. */
int ft_boot_full(const struct ft_boot *b, struct ft_conf *conf, double *auc);
/* Resample b = 0 .. n_boot-1 (its own RNG stream from (seed, b)): every
 * slot's value into out[slot * n_boot + b].  Any thread count gives the
 * same bits. */
int ft_boot_run(const struct ft_boot *b, const uint8_t *present,
                size_t n_slots, const int *metric, const int *conv,
                size_t n_boot, uint64_t seed, struct ft_fval *out);

/* Shared by the ranking metrics (ranking.c, rank_ties.c): rel finite and
 * >= 0 (FT_EINVAL naming the index); the gain 2^rel - 1; a qsort
 * comparison of doubles, descending. */
int ft_rank_check_rel(const double *rel, size_t n, struct ft_error *err);
double ft_rank_gain(double rel);
int ft_cmp_double_desc(const void *a, const void *b);

/* The permutation FT_TIE_RANDOM puts items in before its stable sort
 * (rank_ties.c): a Fisher-Yates shuffle from seed. */
void ft_tie_perm(uint64_t seed, size_t n, size_t *perm);

/* ------------------------------------------------ soft group sequences
 * The known-group items of a ranking in rank order as m slots with
 * F[r G + g] = the probability that slot r holds an item of group g (0/1
 * for a ranking; expected shares when tied items are exchangeable,
 * rank_expect.c).  The metrics of ranking.c on them (include/fairtrain.h
 * gives the definitions; counts are the sums of F over the prefix). */
/* t = the group shares of the m slots (the column sums, counts, over m). */
void ft_soft_shares(const double *F, size_t m, size_t G, double *t);
/* c[g] = the expected count of group g in the top kk = min(k, m). */
void ft_soft_topk(const double *F, size_t m, size_t G, size_t k, double *c, size_t *kk);
/* Skew (plain, ft_skew) and LiFT-smoothed skew (smooth, alpha) of the
 * counts c of the top kk of m known items against t; either may be NULL. */
void ft_skew_of_counts(const double *c, size_t kk, size_t m, const double *t, size_t G,
                       double alpha, struct ft_value *plain, struct ft_value *smooth);
/* MinSkew / MaxSkew of the defined values v[0 .. G-1] (ties: lowest index). */
void ft_skew_extremes(const struct ft_value *v, size_t G, struct ft_value *min_skew,
                      struct ft_value *max_skew, int32_t *argmin, int32_t *argmax);
void ft_soft_ndkl(const double *F, size_t m, size_t G, const double *t,
                  struct ft_value *out);
/* InfeasibleIndex against the exact proportions a[g] / b[g]: prefixes
 * i <= min(k, m) where an expected count is below floor(i a / b); cnt is
 * G doubles of scratch. */
size_t ft_soft_infeasible(const double *F, size_t m, size_t G, const uint64_t *a,
                          const uint64_t *b, size_t k, double *cnt);
/* rND / rKL / rRD (measure), protected group prot; FT_ENOMEM or 0. */
int ft_soft_rank_fairness(int measure, const double *F, size_t N, size_t G,
                          int32_t prot, size_t step, struct ft_value *out);
/* Pairwise accuracies from above[a G + b] (expected pairs of a relevant
 * item of a above an irrelevant item of b) and the counts of relevant and
 * irrelevant items of each group; FT_ENOMEM or 0. */
int ft_pairwise_finish(const double *above, const double *nrel, const double *nirr,
                       size_t G, struct ft_pairwise **out);

/* --------------------------- rankings with exchangeable items (rank_expect.c)
 * Items in pools of exchangeable items; slots in segments; a slot of
 * segment s holds an item of pool P with probability count / length. */
enum { FT_XR_SINGLE = 0, FT_XR_SCORE, FT_XR_RERANK, FT_N_XR };
struct ft_xrank {
	size_t n;
	const size_t *order;     /* borrowed: slot r -> item */
	size_t n_pool, n_seg;
	size_t *pool;            /* item -> pool */
	double *psize;           /* pool sizes */
	size_t *seg_lo;          /* n_seg + 1 slot offsets */
	size_t *ent_off;         /* n_seg + 1 offsets into ent_pool, ent_cnt */
	size_t *ent_pool;
	double *ent_cnt;
};
/* The pools and segments of a ranking `order` of n items (mode FT_XR_*;
 * score needed unless SINGLE, group for RERANK; k: the re-ranked top).
 * For FT_XR_SCORE, order must be sorted by score. */
int ft_xrank_build(struct ft_xrank *x, const size_t *order, size_t n,
                   const double *score, const int32_t *group, int mode, size_t k,
                   struct ft_error *err);
void ft_xrank_free(struct ft_xrank *x);
/* Expected NDCG@k and precision@k (rel >= 0; k = 0: n), as ft_ndcg and
 * ft_precision. */
int ft_xrank_ndcg(const struct ft_xrank *x, const double *rel, size_t k,
                  struct ft_value *out, struct ft_error *err);
int ft_xrank_precision(const struct ft_xrank *x, const double *rel, size_t k,
                       struct ft_value *out, struct ft_error *err);
/* Each item's expected rank (1-based). */
int ft_xrank_erank(const struct ft_xrank *x, double *erank);
/* Each group's mean expected exposure (exposure, may be NULL) and the
 * ratio of protected to the other known items (ratio, may be NULL), as
 * ft_group_exposure and ft_exposure_ratio. */
int ft_xrank_exposure(const struct ft_xrank *x, const int32_t *group, size_t G,
                      int32_t prot, struct ft_value *exposure, struct ft_value *ratio);
/* The soft sequence of the known-group items (*F malloc'ed). */
int ft_xrank_soft(const struct ft_xrank *x, const int32_t *group, size_t G,
                  double **F, size_t *m);
/* Expected pairwise accuracies, as ft_pairwise_accuracy. */
int ft_xrank_pairwise(const struct ft_xrank *x, const double *rel, const int32_t *group,
                      size_t G, struct ft_pairwise **out);
/* subgroup.c: the rich-subgroup auditor (ft_subgroup_audit) on tallies,
 * for the learner of gerryfair.c.  The space of x': G groups, dim
 * one-hot columns, x (G x dim), names (dim), as fairtrain.h describes. */
struct ft_sg_space {
	size_t G, dim;
	double *x;
	char **names;
};
int ft_sg_space_make(size_t G, const char *const *group_names, struct ft_sg_space *sp,
                     struct ft_error *err);
void ft_sg_space_free(struct ft_sg_space *sp);
/* The audit from per-group tallies (subgroup.c): Wl[g], Pl[g] for g < G,
 * their totals over every row including rows of no group, and W, the
 * weight of all rows. */
int ft_sg_audit_tallies(const struct ft_sg_space *sp, int rate, const double *Wl,
                        const double *Pl, double Wl_all, double Pl_all, double W,
                        struct ft_subgroup **out, struct ft_error *err);
/* ft_subgroup_audit of false positives (out[0]) and false negatives
 * (out[1]) from one pass over the rows, the same bits; in checked by the
 * caller (ft_eval_check). */
int ft_subgroup_audits(const struct ft_eval_input *in, struct ft_subgroup *out[2],
                       struct ft_error *err);

#endif
