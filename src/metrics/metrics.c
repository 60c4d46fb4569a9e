/*
 * metrics.c - per-group classification metrics (ft_group_metrics) and the
 * pieces every metrics file shares: input checks, confusion cells per
 * stratum, rates from cells with their "undefined" reasons, the score sort
 * and the exact weighted ROC AUC.
 *
 * Definitions (src/metrics/METRICS.md has them all, with every convention):
 * rates are weighted by w (NULL = 1), yhat = score >= threshold; a rate
 * whose denominator has zero weight is undefined, NaN with a static reason,
 * never 0.  Sums over rows go through ft_parallel_sum, so the bits do not
 * depend on the thread count.
 *
 * Randomized classifiers (in->pos set; fairtrain.h, "Randomized
 * classifiers and post-processing"): pos[i] = P(yhat_i = 1), and every rate
 * metric is computed from the EXPECTED confusion cells, row i adding
 * w_i pos_i to (y_i, 1) and w_i (1 - pos_i) to (y_i, 0) (the expectations
 * Agarwal et al., ICML 2018, sec. 2, and Hardt et al., NeurIPS 2016,
 * sec. 4, constrain).  Selection rate, TPR, FPR, TNR, FNR, accuracy and
 * balanced accuracy have denominators that do not depend on yhat, so they
 * are exactly the expected rates; PPV and NPV are ratios of expectations,
 * E[TP] / E[TP + FP], not expectations of the ratio.  Equivalently: the
 * metrics of the data set in which row i is split into a row with
 * yhat = 1 and weight w_i pos_i and a row with yhat = 0 and weight
 * w_i (1 - pos_i).  A rate is undefined ("no predicted positives") when no
 * row of the target has pos > 0, zero-weight when those rows have no weight
 * (struct ft_conf in metrics.h: counts are of rows that CAN land in a
 * cell).  Score metrics (log loss, Brier, AUC, ECE) always use score.
 * With pos[i] = 1[score_i >= threshold] every value is bit-identical to
 * pos = NULL.
 *
 * Not here: fairness summaries (fairness.c), intervals (bootstrap.c), the
 * permutation test (permutation.c), the quick ft_accuracy / ft_log_loss
 * (basic.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "metrics/metrics.h"

/* ------------------------------------------------------------ names */

const char *ft_metric_name(int metric)
{
	static const char *const names[FT_N_METRICS] = {
		"count", "weight", "base_rate", "selection_rate", "tpr", "fpr", "tnr",
		"fnr", "ppv", "npv", "accuracy", "balanced_accuracy", "log_loss",
		"brier", "auc", "ece",
	};
	return metric >= 0 && metric < FT_N_METRICS ? names[metric] : "unknown";
}

const char *ft_why_text(int why)
{
	static const char *const text[FT_N_WHY] = {
		NULL,
		"no rows in group",
		"no rows",
		"zero total weight",
		"no positive labels",
		"positive labels have zero total weight",
		"no negative labels",
		"negative labels have zero total weight",
		"no predicted positives",
		"predicted positives have zero total weight",
		"no predicted negatives",
		"predicted negatives have zero total weight",
	};
	return why > 0 && why < FT_N_WHY ? text[why] : NULL;
}

void ft_eval_input_init(struct ft_eval_input *in)
{
	memset(in, 0, sizeof *in);
	in->privileged = -1;
	in->threshold = 0.5;
	in->ece_bins = 10;
}

/* ----------------------------------------------------------- checks */

#define MAX_ECE_BINS 1000000

/* Rows looked at in one branch-free pass of ft_eval_check. */
#define CHECK_BLOCK 4096

/* The first complaint about row i, or 0. */
static int check_row(const struct ft_eval_input *in, size_t i, struct ft_error *err)
{
	double y = in->y[i], s = in->score[i];

	if (y != 0.0 && y != 1.0)
		return ft_error_set(err, FT_EINVAL, "metrics: y[%zu] = %g is not a 0/1 label",
		                    i, y);
	if (!(s >= 0.0 && s <= 1.0))
		return ft_error_set(err, FT_EINVAL, "metrics: score[%zu] = %g is not in [0, 1]",
		                    i, s);
	if (in->w && !(in->w[i] >= 0.0 && in->w[i] < INFINITY))
		return ft_error_set(err, FT_EINVAL,
		                    "metrics: w[%zu] = %g is not a finite non-negative weight",
		                    i, in->w[i]);
	if (in->pos && !(in->pos[i] >= 0.0 && in->pos[i] <= 1.0))
		return ft_error_set(err, FT_EINVAL,
		                    "metrics: pos[%zu] = %g is not a probability in [0, 1]",
		                    i, in->pos[i]);
	if (in->group && (in->group[i] < -1 ||
	                  (in->group[i] >= 0 && (size_t)in->group[i] >= in->n_groups)))
		return ft_error_set(err, FT_EINVAL,
		                    "metrics: group[%zu] = %ld is not -1 or a group index below %zu",
		                    i, (long)in->group[i], in->n_groups);
	return 0;
}

/* Is every row of [lo, hi) well formed?  Each array is read in one pass
 * without branches (vectorized); check_row finds the first bad row of a
 * block that is not. */
static int rows_ok(const struct ft_eval_input *in, size_t lo, size_t hi)
{
	const double *y = in->y, *s = in->score, *w = in->w, *p = in->pos;
	const int32_t *g = in->group;
	long G = (long)in->n_groups;
	int bad = 0;

#pragma omp simd reduction(|:bad)
	for (size_t i = lo; i < hi; i++)
		bad |= ((y[i] != 0.0) & (y[i] != 1.0)) | !((s[i] >= 0.0) & (s[i] <= 1.0));
	if (w) {
#pragma omp simd reduction(|:bad)
		for (size_t i = lo; i < hi; i++)
			bad |= !((w[i] >= 0.0) & (w[i] < INFINITY));
	}
	if (p) {
#pragma omp simd reduction(|:bad)
		for (size_t i = lo; i < hi; i++)
			bad |= !((p[i] >= 0.0) & (p[i] <= 1.0));
	}
	if (g) {
#pragma omp simd reduction(|:bad)
		for (size_t i = lo; i < hi; i++)
			bad |= (g[i] < -1) | (g[i] >= G);
	}
	return !bad;
}

int ft_eval_check(const struct ft_eval_input *in, struct ft_error *err)
{
	if (!in)
		return ft_error_set(err, FT_EINVAL, "metrics: no input");
	if (in->n > 0 && (!in->y || !in->score))
		return ft_error_set(err, FT_EINVAL, "metrics: %s is NULL with %zu rows",
		                    in->y ? "score" : "y", in->n);
	if (in->n > UINT32_MAX)
		return ft_error_set(err, FT_EINVAL, "metrics: %zu rows, at most %lu supported",
		                    in->n, (unsigned long)UINT32_MAX);
	if (in->n_groups > INT32_MAX)
		return ft_error_set(err, FT_EINVAL, "metrics: %zu groups is too many",
		                    in->n_groups);
	if (in->n_groups > 0 && !in->group && in->n > 0)
		return ft_error_set(err, FT_EINVAL, "metrics: n_groups is %zu but group is NULL",
		                    in->n_groups);
	if (in->privileged < -1 || (in->privileged >= 0 &&
	                            (size_t)in->privileged >= in->n_groups))
		return ft_error_set(err, FT_EINVAL,
		                    "metrics: privileged = %ld is not -1 or a group index below %zu",
		                    in->privileged, in->n_groups);
	if (isnan(in->threshold))
		return ft_error_set(err, FT_EINVAL, "metrics: threshold is not a number");
	if (in->ece_bins == 0 || in->ece_bins > MAX_ECE_BINS)
		return ft_error_set(err, FT_EINVAL, "metrics: ece_bins = %zu is not in 1 .. %d",
		                    in->ece_bins, MAX_ECE_BINS);
	for (size_t lo = 0; lo < in->n; lo += CHECK_BLOCK) {
		size_t hi = in->n - lo < CHECK_BLOCK ? in->n : lo + CHECK_BLOCK;
		if (rows_ok(in, lo, hi))
			continue;
		for (size_t i = lo; i < hi; i++) {
			int rc = check_row(in, i, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ------------------------------------------------- rates from cells */

void ft_conf_add(struct ft_conf *a, const struct ft_conf *b)
{
	for (int k = 0; k < 4; k++) {
		a->w[k] += b->w[k];
		a->c[k] += b->c[k];
	}
	a->bvar += b->bvar;
	a->bjen += b->bjen;
}

#define LN2 0.693147180559945309417232121458176568

/* Benefit B = yhat - y + 1 with P(yhat = 1) = p: y = 0 gives B in {1, 2},
 * b = E[B] = 1 + p, E[B ln B] = 2 p ln 2; y = 1 gives B in {0, 1}, b = p,
 * E[B ln B] = 0.  Var B = p (1 - p) either way.  log1p keeps (1 + p) ln(1 + p)
 * accurate for small p.  p = 0 and 1 give exact zeros by the test, not by
 * rounding luck. */
void ft_benefit_terms(int y, double w, double p, double *bvar, double *bjen)
{
	if (!(p > 0 && p < 1)) {
		*bvar = *bjen = 0;
		return;
	}
	*bvar = w * (p * (1 - p));
	*bjen = w * (y ? p * log(p) : (1 + p) * log1p(p) - 2 * p * LN2);
}

/* The denominator of cells i + j: 0 when it has weight, else why_none (no
 * rows) or why_zero (rows of zero weight). */
static int den_why(const struct ft_conf *c, int i, int j, int why_none, int why_zero)
{
	if (c->c[i] + c->c[j] == 0)
		return why_none;
	if (!(c->w[i] + c->w[j] > 0))
		return why_zero;
	return 0;
}

/* Rows and weight of the whole target. */
static int all_why(const struct ft_conf *c, int is_group)
{
	if (c->c[0] + c->c[1] + c->c[2] + c->c[3] == 0)
		return is_group ? FT_WHY_NO_ROWS_GROUP : FT_WHY_NO_ROWS;
	if (!(c->w[0] + c->w[1] + c->w[2] + c->w[3] > 0))
		return FT_WHY_ZERO_WEIGHT;
	return 0;
}

/* num / (w[i] + w[j]) when that denominator is defined */
static double ratio(const struct ft_conf *c, double num, int i, int j, int why_none,
                    int why_zero, int *why)
{
	*why = den_why(c, i, j, why_none, why_zero);
	return *why ? NAN : num / (c->w[i] + c->w[j]);
}

double ft_conf_rate(const struct ft_conf *c, int metric, int is_group, int *why)
{
	const double *w = c->w;
	double W = w[0] + w[1] + w[2] + w[3], tpr, tnr;

	*why = all_why(c, is_group);
	if (*why)
		return NAN;
	switch (metric) {
	case FT_M_BASE_RATE:
		return (w[FT_FN] + w[FT_TP]) / W;
	case FT_M_SELECTION_RATE:
		return (w[FT_FP] + w[FT_TP]) / W;
	case FT_M_TPR:
		return ratio(c, w[FT_TP], FT_TP, FT_FN, FT_WHY_NO_POS, FT_WHY_ZERO_POS, why);
	case FT_M_FNR:
		return ratio(c, w[FT_FN], FT_TP, FT_FN, FT_WHY_NO_POS, FT_WHY_ZERO_POS, why);
	case FT_M_FPR:
		return ratio(c, w[FT_FP], FT_FP, FT_TN, FT_WHY_NO_NEG, FT_WHY_ZERO_NEG, why);
	case FT_M_TNR:
		return ratio(c, w[FT_TN], FT_FP, FT_TN, FT_WHY_NO_NEG, FT_WHY_ZERO_NEG, why);
	case FT_M_PPV:
		return ratio(c, w[FT_TP], FT_TP, FT_FP, FT_WHY_NO_PPOS, FT_WHY_ZERO_PPOS, why);
	case FT_M_NPV:
		return ratio(c, w[FT_TN], FT_TN, FT_FN, FT_WHY_NO_PNEG, FT_WHY_ZERO_PNEG, why);
	case FT_M_ACCURACY:
		return (w[FT_TP] + w[FT_TN]) / W;
	case FT_M_BALANCED_ACCURACY:
		/* (TPR + TNR) / 2, undefined unless both classes are there
		 * (scikit-learn would average the recall of the one class present) */
		tpr = ratio(c, w[FT_TP], FT_TP, FT_FN, FT_WHY_NO_POS, FT_WHY_ZERO_POS, why);
		if (*why)
			return NAN;
		tnr = ratio(c, w[FT_TN], FT_FP, FT_TN, FT_WHY_NO_NEG, FT_WHY_ZERO_NEG, why);
		return *why ? NAN : (tpr + tnr) / 2;
	default:
		*why = FT_WHY_NO_ROWS;
		return NAN;
	}
}

double ft_conf_error(const struct ft_conf *c, int is_group, int *why)
{
	const double *w = c->w;

	*why = all_why(c, is_group);
	return *why ? NAN : (w[FT_FP] + w[FT_FN]) / (w[0] + w[1] + w[2] + w[3]);
}

int ft_conf_auc_why(const struct ft_conf *c, int is_group)
{
	int why = all_why(c, is_group);

	if (!why)
		why = den_why(c, FT_TP, FT_FN, FT_WHY_NO_POS, FT_WHY_ZERO_POS);
	if (!why)
		why = den_why(c, FT_FP, FT_TN, FT_WHY_NO_NEG, FT_WHY_ZERO_NEG);
	return why;
}

/* ----------------------------------------------- sums over the rows */

/* Per stratum: the cells (S_W, S_C), the row count, bvar and bjen, then
 * when full: sum w logloss, sum w (s - y)^2, and per ECE bin (weight,
 * sum w y, sum w s). */
enum { S_W = 0, S_C = 4, S_ROWS = 8, S_BVAR = 9, S_BJEN = 10, S_CONF = 11,
       S_LL = 11, S_BRIER = 12, S_ECE = 13 };

struct rows_ctx {
	const struct ft_eval_input *in;
	int full;
	size_t stride;
};

#define LL_CLIP 1e-15

static void rows_chunk(void *vctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct rows_ctx *ctx = vctx;
	const struct ft_eval_input *in = ctx->in;
	double t = in->threshold, B = (double)in->ece_bins;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double *p = part + ft_stratum(in, i) * ctx->stride;
		double wi = in->w ? in->w[i] : 1.0, s = in->score[i], y = in->y[i];

		if (in->pos) {
			/* expected cells (metrics.h, struct ft_conf), same
			 * arithmetic as ft_conf_add_row */
			double pi = in->pos[i], bv, bj;
			int c1 = 2 * (y == 1.0) + 1;

			p[S_W + c1] += wi * pi;
			p[S_W + c1 - 1] += wi * (1 - pi);
			p[S_C + c1] += pi > 0;
			p[S_C + c1 - 1] += pi < 1;
			ft_benefit_terms(y == 1.0, wi, pi, &bv, &bj);
			p[S_BVAR] += bv;
			p[S_BJEN] += bj;
		} else {
			int cell = 2 * (y == 1.0) + (s >= t);

			p[S_W + cell] += wi;
			p[S_C + cell] += 1;
		}
		p[S_ROWS] += 1;
		if (ctx->full) {
			/* log loss with the probability clipped to [1e-15, 1 - 1e-15];
			 * log1p keeps log(1 - q) accurate for small q */
			double q = fmin(fmax(s, LL_CLIP), 1 - LL_CLIP);
			size_t bin = (size_t)floor(s * B);
			double *e;

			p[S_LL] -= wi * (y == 1.0 ? log(q) : log1p(-q));
			p[S_BRIER] += wi * (s - y) * (s - y);
			/* bins [k/B, (k+1)/B), the last one closed: s = 1 goes to B-1 */
			if (bin >= in->ece_bins)
				bin = in->ece_bins - 1;
			e = p + S_ECE + 3 * bin;
			e[0] += wi;
			e[1] += wi * y;
			e[2] += wi * s;
		}
	}
}

static int rows_sum(const struct ft_eval_input *in, int full, double *sums, size_t *stride)
{
	struct rows_ctx ctx = { in, full, full ? S_ECE + 3 * in->ece_bins : S_CONF };
	size_t len = (in->n_groups + 1) * ctx.stride;

	*stride = ctx.stride;
	memset(sums, 0, len * sizeof *sums);
	return ft_parallel_sum(in->n, len, sums, rows_chunk, &ctx);
}

static void conf_from(struct ft_conf *c, const double *p)
{
	for (int k = 0; k < 4; k++) {
		c->w[k] = p[S_W + k];
		c->c[k] = p[S_C + k];
	}
	c->bvar = p[S_BVAR];
	c->bjen = p[S_BJEN];
}

int ft_strata_conf(const struct ft_eval_input *in, struct ft_conf *conf)
{
	size_t S = in->n_groups + 1, stride;
	double *sums = malloc(S * S_CONF * sizeof *sums);
	int rc;

	if (!sums)
		return FT_ENOMEM;
	rc = rows_sum(in, 0, sums, &stride);
	if (rc == 0)
		for (size_t s = 0; s < S; s++)
			conf_from(&conf[s], sums + s * stride);
	free(sums);
	return rc;
}

void ft_targets_from_strata(struct ft_conf *conf, size_t G, long priv)
{
	struct ft_conf *all = &conf[FT_T_OVERALL(G)], *pool = &conf[FT_T_POOL(G)];

	memset(all, 0, sizeof *all);
	memset(pool, 0, sizeof *pool);
	for (size_t s = 0; s <= G; s++) {
		ft_conf_add(all, &conf[s]);
		if (priv >= 0 && s < G && s != (size_t)priv)
			ft_conf_add(pool, &conf[s]);
	}
}

/* ------------------------------------------------------------- sort */

/* Sorted by (score, row): the order of a stable sort.  Two stages:
 *   1. The items (key32 << 32 | row) sorted as 64-bit keys, key32 the
 *      bits of (float)score made to order as unsigned (sign bit of
 *      positives set, negatives inverted; + 0.0f turns -0.0 into +0.0).
 *      Rounding to float is monotone (x <= y gives (float)x <= (float)y),
 *      so the items come out ordered by key32 and, within a key32, by
 *      row.  The sort is in place (ft_sort_u64_inplace, an MSD radix
 *      sort): an LSD sort's second array of items was the peak of the
 *      measurement and of the proxy report (issue 20 item 7).
 *   2. Runs of one key32 are put in (score, row) order: a run whose scores
 *      are already ascending (equal values, the common case) is left as
 *      it is; a short one by insertion, a long one by qsort on
 *      (score, row).
 * The result is exactly the order of a stable sort by score.  When the
 * caller wants the scores in order as well, they are gathered once after
 * stage 1, fetched ahead, and stage 2 reads them in sequence: a column of
 * few distinct values is one long run after another, and stage 2 reading
 * every row again in place, at random, took twice the time of the radix
 * passes.  No NaN. */
#define RUN_INSERTION 32
/* Rows ahead of the scan of runs whose scores are fetched (score_sort). */
#define SORT_AHEAD 64

struct srow { double s; uint32_t i; };

static int cmp_srow(const void *x, const void *y)
{
	const struct srow *a = x, *b = y;
	if (a->s != b->s)
		return a->s < b->s ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

/* Put it[lo .. hi) (one key32, rows ascending) in (score, row) order;
 * row i's score is score[i * st], or sv[k] the score of it[k] when sv is
 * given (and reordered with it). */
static int fix_run(const double *score, size_t st, uint64_t *it, double *sv, size_t lo,
                   size_t hi)
{
	size_t m = hi - lo, k;
	struct srow *t;
#define SCORE_AT(k) (sv ? sv[k] : score[(uint32_t)it[k] * st])

	for (k = lo + 1; k < hi; k++) {
		if (!sv && k + SORT_AHEAD < hi)
			__builtin_prefetch(&score[(uint32_t)it[k + SORT_AHEAD] * st]);
		if (SCORE_AT(k) < SCORE_AT(k - 1))
			break;
	}
	if (k == hi)
		return 0;      /* ascending scores, rows ascending within ties */
	if (m <= RUN_INSERTION) {
		for (k = lo + 1; k < hi; k++) {
			uint64_t v = it[k];
			double sk = SCORE_AT(k);
			size_t j = k;
			/* rows ascend in the run, so a tie keeps v after it */
			while (j > lo && SCORE_AT(j - 1) > sk) {
				it[j] = it[j - 1];
				if (sv)
					sv[j] = sv[j - 1];
				j--;
			}
			it[j] = v;
			if (sv)
				sv[j] = sk;
		}
		return 0;
	}
	if (!(t = malloc(m * sizeof *t)))
		return FT_ENOMEM;
	for (k = 0; k < m; k++)
		t[k] = (struct srow){SCORE_AT(lo + k), (uint32_t)it[lo + k]};
#undef SCORE_AT
	qsort(t, m, sizeof *t, cmp_srow);
	for (k = 0; k < m; k++) {
		it[lo + k] = (it[lo + k] & ~(uint64_t)UINT32_MAX) | t[k].i;
		if (sv)
			sv[lo + k] = t[k].s;
	}
	free(t);
	return 0;
}

int ft_score_order(const double *score, size_t n, uint32_t **order)
{
	return ft_score_order_stride(score, 1, n, order, NULL);
}

/* ft_score_order_stride, or with keys (order and sorted NULL) the sorted
 * radix items themselves. */
static int score_sort(const double *score, size_t st, size_t n, uint64_t **keys,
                      uint32_t **order, double **sorted)
{
	uint64_t *it = NULL;
	uint32_t *ix = NULL;
	double *sv = NULL;
	int rc = FT_ENOMEM;

	if (keys)
		*keys = NULL;
	if (order)
		*order = NULL;
	if (sorted)
		*sorted = NULL;
	/* huge pages where the system has them: each radix level moves keys
	 * among 2,048 places at once, which on 4 KiB pages costs a TLB miss a
	 * row */
	if (!(it = ft_xalloc(n, sizeof *it)))
		goto done;
	for (size_t i = 0; i < n; i++) {
		float f = (float)score[i * st] + 0.0f;
		uint32_t k;
		memcpy(&k, &f, sizeof k);
		/* IEEE order as unsigned order */
		k ^= (k >> 31) ? ~(uint32_t)0 : (uint32_t)1 << 31;
		it[i] = (uint64_t)k << 32 | (uint32_t)i;
	}
	if ((rc = ft_sort_u64_inplace(it, n)) != 0)
		goto done;
	rc = FT_ENOMEM;
	if (sorted) {
		if (!(sv = ft_xalloc(n, sizeof *sv)))
			goto done;
		for (size_t i = 0; i < n; i++) {
			if (i + FT_EVAL_AHEAD < n)
				__builtin_prefetch(&score[(uint32_t)it[i + FT_EVAL_AHEAD] * st]);
			sv[i] = score[(uint32_t)it[i] * st];
		}
	}
	/* fix_run reads the scores of a run's rows in random order (unless
	 * sv holds them): those of the runs ahead are fetched first, so the
	 * reads overlap: 750,000 values of four decimals in a row-major
	 * block (about seven rows to a run) sorted in 17.4 ms before, 13.7
	 * after, on one thread of an AMD EPYC */
	for (size_t lo = 0, hi, pf = 1; lo < n; lo = hi) {
		uint32_t k = (uint32_t)(it[lo] >> 32);
		for (; !sv && pf < n && pf < lo + SORT_AHEAD; pf++)
			if ((uint32_t)(it[pf] >> 32) == (uint32_t)(it[pf - 1] >> 32)) {
				__builtin_prefetch(&score[(uint32_t)it[pf - 1] * st]);
				__builtin_prefetch(&score[(uint32_t)it[pf] * st]);
			}
		for (hi = lo + 1; hi < n && (uint32_t)(it[hi] >> 32) == k; hi++)
			;
		if (hi - lo > 1 && fix_run(score, st, it, sv, lo, hi))
			goto done;
	}
	if (keys) {
		*keys = it;
		it = NULL;
		rc = 0;
		goto done;
	}
	/* the rows in place of the items (row i's 4 bytes end where item i's
	 * 8 begin), the block then shrunk: no second array */
	{
		unsigned char *p = (unsigned char *)it;   /* memcpy: any type may alias */
		for (size_t i = 0; i < n; i++) {
			uint64_t v;
			uint32_t r;
			memcpy(&v, p + i * sizeof v, sizeof v);
			r = (uint32_t)v;
			memcpy(p + i * sizeof r, &r, sizeof r);
		}
		ix = (uint32_t *)(void *)p;
	}
	if (!(*order = realloc(ix, (n ? n : 1) * sizeof *ix)))
		*order = ix;
	it = NULL;
	if (sorted) {
		*sorted = sv;
		sv = NULL;
	}
	rc = 0;
done:
	free(it);
	free(sv);
	return rc;
}

int ft_score_order_stride(const double *score, size_t st, size_t n, uint32_t **order,
                          double **sorted)
{
	return score_sort(score, st, n, NULL, order, sorted);
}

int ft_score_sort_keys(const double *score, size_t st, size_t n, uint64_t **keys)
{
	return score_sort(score, st, n, keys, NULL, NULL);
}

/* -------------------------------------------------------- exact AUC */

/* Blocks of the gather: whichever thread takes a block writes its own
 * places, so the view is the same for any thread count. */
#define SORTED_BLOCK 16384

/* The view of in's rows in order (order, or the rows of keys' items, whose
 * 8 bytes each then take the score: ft_sorted_from_keys). */
static int sorted_make(const struct ft_eval_input *in, const uint32_t *order,
                       uint64_t *keys, struct ft_sorted *v)
{
	size_t n = in->n, nb = (n + SORTED_BLOCK - 1) / SORTED_BLOCK;
	int unit = 1;

	memset(v, 0, sizeof *v);
	v->n = n;
	for (size_t i = 0; in->w && unit && i < n; i++)
		unit = in->w[i] == 1.0;
	v->score = keys ? NULL : ft_xalloc(n ? n : 1, sizeof *v->score);
	if (in->n_groups <= 127)
		v->sy8 = ft_xalloc(n ? n : 1, sizeof *v->sy8);
	else
		v->sy = ft_xalloc(n ? n : 1, sizeof *v->sy);
	v->w = unit ? NULL : ft_xalloc(n ? n : 1, sizeof *v->w);
	v->pos = in->pos ? ft_xalloc(n ? n : 1, sizeof *v->pos) : NULL;
	if ((!keys && !v->score) || (!v->sy8 && !v->sy) || (!unit && !v->w) ||
	    (in->pos && !v->pos)) {
		ft_sorted_free(v);
		return FT_ENOMEM;
	}
	#pragma omp parallel for schedule(dynamic, 1) \
		if (nb > 1 && ft_get_threads() > 1 && ft_parallel_worth(n * 16))
	for (size_t k = 0; k < nb; k++) {
		size_t lo = k * SORTED_BLOCK, hi = lo + SORTED_BLOCK < n ? lo + SORTED_BLOCK : n;
		unsigned char *kb = (unsigned char *)keys;   /* memcpy: any type may alias */

		for (size_t j = lo; j < hi; j++) {
			size_t r;

			if (keys) {
				uint64_t item;
				memcpy(&item, kb + j * sizeof item, sizeof item);
				r = (uint32_t)item;
				if (j + FT_EVAL_AHEAD < hi) {
					memcpy(&item, kb + (j + FT_EVAL_AHEAD) * sizeof item, sizeof item);
					__builtin_prefetch(&in->score[(uint32_t)item]);
					__builtin_prefetch(&in->y[(uint32_t)item]);
					if (in->group)
						__builtin_prefetch(&in->group[(uint32_t)item]);
				}
				/* the item's place takes the row's score */
				memcpy(kb + j * sizeof(double), &in->score[r], sizeof(double));
			} else {
				r = order[j];
				ft_eval_prefetch(in, order, j);
				v->score[j] = in->score[r];
			}
			if (v->sy8)
				v->sy8[j] = (uint8_t)(ft_stratum(in, r) << 1 | (in->y[r] == 1.0));
			else
				v->sy[j] = (uint32_t)(ft_stratum(in, r) << 1) | (in->y[r] == 1.0);
			if (v->w)
				v->w[j] = in->w[r];
			if (v->pos)
				v->pos[j] = in->pos[r];
		}
	}
	if (keys)
		v->score = (double *)(void *)keys;
	return 0;
}

int ft_sorted_make(const struct ft_eval_input *in, const uint32_t *order,
                   struct ft_sorted *v)
{
	return sorted_make(in, order, NULL, v);
}

int ft_sorted_from_keys(const struct ft_eval_input *in, uint64_t *keys,
                        struct ft_sorted *v)
{
	int rc = sorted_make(in, NULL, keys, v);

	if (rc)
		free(keys);
	return rc;
}

void ft_sorted_free(struct ft_sorted *v)
{
	free(v->score);
	free(v->sy8);
	free(v->sy);
	free(v->w);
	free(v->pos);
	memset(v, 0, sizeof *v);
}

int ft_auc_sweep(const struct ft_eval_input *in, const uint32_t *order,
                 const uint8_t *pool, double *num, double *pos, double *neg)
{
	struct ft_sorted v;
	int rc;

	if ((rc = ft_sorted_make(in, order, &v)) != 0)
		return rc;
	rc = ft_auc_sweep_sorted(in, &v, pool, num, pos, neg);
	ft_sorted_free(&v);
	return rc;
}

int ft_auc_sweep_sorted(const struct ft_eval_input *in, const struct ft_sorted *v,
                        const uint8_t *pool, double *num, double *pos, double *neg)
{
	size_t G = in->n_groups, S = G + 1, T = FT_N_TARGETS(G), nt, n = v->n;
	size_t ov = FT_T_OVERALL(G), pl = FT_T_POOL(G);
	double *bpos = calloc(S, sizeof *bpos), *bneg = calloc(S, sizeof *bneg);
	double *below = calloc(T, sizeof *below);
	size_t *touched = malloc(S * sizeof *touched);
	uint8_t *mark = calloc(S, 1);
	const double *sc = v->score, *w = v->w;
	int rc = FT_ENOMEM;

	if (!bpos || !bneg || !below || !touched || !mark)
		goto done;
	memset(num, 0, T * sizeof *num);
	memset(pos, 0, T * sizeof *pos);
	memset(neg, 0, T * sizeof *neg);
	/* Mann-Whitney over blocks of tied scores, in ascending order: a
	 * positive beats the negative weight below its block and ties with half
	 * of its own block's negative weight.  Each row touches its stratum;
	 * the overall and pooled targets add the strata's block sums. */
	for (size_t i = 0, j; i < n; i = j) {
		double s0 = sc[i], op = 0, on = 0, pp = 0, pn = 0;

		nt = 0;
		for (j = i; j < n && sc[j] == s0; j++) {
			size_t sy = ft_sorted_sy(v, j), s = sy >> 1;
			double wi = w ? w[j] : 1.0;

			if (!mark[s]) {
				mark[s] = 1;
				touched[nt++] = s;
				bpos[s] = bneg[s] = 0;
			}
			if (sy & 1)
				bpos[s] += wi;
			else
				bneg[s] += wi;
		}
		for (size_t t = 0; t < nt; t++) {
			size_t s = touched[t];

			mark[s] = 0;
			num[s] += bpos[s] * (below[s] + 0.5 * bneg[s]);
			below[s] += bneg[s];
			pos[s] += bpos[s];
			neg[s] += bneg[s];
			op += bpos[s];
			on += bneg[s];
			if (pool && pool[s]) {
				pp += bpos[s];
				pn += bneg[s];
			}
		}
		num[ov] += op * (below[ov] + 0.5 * on);
		below[ov] += on;
		pos[ov] += op;
		neg[ov] += on;
		num[pl] += pp * (below[pl] + 0.5 * pn);
		below[pl] += pn;
		pos[pl] += pp;
		neg[pl] += pn;
	}
	rc = 0;
done:
	free(bpos);
	free(bneg);
	free(below);
	free(touched);
	free(mark);
	return rc;
}

double ft_auc_binned(const double *pos, const double *neg, size_t nb)
{
	double num = 0, below = 0, P = 0;

	for (size_t k = 0; k < nb; k++) {
		num += pos[k] * (below + 0.5 * neg[k]);
		below += neg[k];
		P += pos[k];
	}
	return num / (P * below);
}

/* ------------------------------------------------ per-group metrics */

/* Fill one row of the table from a stratum's (or the total's) sums. */
static void fill_row(struct ft_value *row, const double *p, const double *auc3,
                     size_t n_ece, int is_group)
{
	struct ft_conf c;
	double W, C;
	int why;

	conf_from(&c, p);
	W = c.w[0] + c.w[1] + c.w[2] + c.w[3];
	/* rows, not the sum of c[] (a randomized row counts in two cells) */
	C = p[S_ROWS];
	row[FT_M_COUNT] = (struct ft_value){ C, NULL };
	row[FT_M_WEIGHT] = (struct ft_value){ W, NULL };
	for (int m = FT_M_BASE_RATE; m <= FT_M_BALANCED_ACCURACY; m++) {
		double v = ft_conf_rate(&c, m, is_group, &why);
		row[m] = (struct ft_value){ v, ft_why_text(why) };
	}
	why = all_why(&c, is_group);
	if (why) {
		row[FT_M_LOG_LOSS] = row[FT_M_BRIER] = row[FT_M_ECE] =
			(struct ft_value){ NAN, ft_why_text(why) };
	} else {
		double e = 0;

		row[FT_M_LOG_LOSS] = (struct ft_value){ p[S_LL] / W, NULL };
		row[FT_M_BRIER] = (struct ft_value){ p[S_BRIER] / W, NULL };
		/* ECE = sum_b (W_b / W) |mean_b y - mean_b s| = sum_b |S_b y - S_b s| / W */
		for (size_t b = 0; b < n_ece; b++)
			e += fabs(p[S_ECE + 3 * b + 1] - p[S_ECE + 3 * b + 2]);
		row[FT_M_ECE] = (struct ft_value){ e / W, NULL };
	}
	why = ft_conf_auc_why(&c, is_group);
	row[FT_M_AUC] = why ? (struct ft_value){ NAN, ft_why_text(why) }
	                    : (struct ft_value){ auc3[0] / (auc3[1] * auc3[2]), NULL };
}

void ft_swept_free(struct ft_swept *sw)
{
	free(sw->num);
	free(sw->pos);
	free(sw->neg);
	ft_boot_free(sw->boot);
	ft_sorted_free(&sw->view);
	memset(sw, 0, sizeof *sw);
}

int ft_eval_sweep_sorted(const struct ft_eval_input *in, int with_pool, struct ft_swept *sw)
{
	size_t G = in->n_groups, T = FT_N_TARGETS(G);
	uint8_t *pool = NULL;
	int rc = FT_ENOMEM;

	sw->num = malloc(T * sizeof *sw->num);
	sw->pos = malloc(T * sizeof *sw->pos);
	sw->neg = malloc(T * sizeof *sw->neg);
	if (with_pool && (pool = malloc(G + 1)) != NULL)
		/* the pooled target: the groups other than the privileged one */
		for (size_t g = 0; g <= G; g++)
			pool[g] = in->privileged >= 0 && g < G && g != (size_t)in->privileged;
	if (sw->num && sw->pos && sw->neg && (!with_pool || pool))
		rc = ft_auc_sweep_sorted(in, &sw->view, pool, sw->num, sw->pos, sw->neg);
	free(pool);
	return rc;
}

int ft_eval_sweep(const struct ft_eval_input *in, int with_pool, struct ft_swept *sw)
{
	uint64_t *keys = NULL;
	int rc;

	memset(sw, 0, sizeof *sw);
	if ((rc = ft_score_sort_keys(in->score, 1, in->n, &keys)) == 0 &&
	    (rc = ft_sorted_from_keys(in, keys, &sw->view)) == 0)
		rc = ft_eval_sweep_sorted(in, with_pool, sw);
	if (rc)
		ft_swept_free(sw);
	return rc;
}

int ft_group_tally(const struct ft_eval_input *in, struct ft_group_sums *gs)
{
	size_t S = in->n_groups + 1, per = S_ECE + 3 * in->ece_bins;
	int rc;

	memset(gs, 0, sizeof *gs);
	gs->sums = malloc(S * per * sizeof *gs->sums);
	gs->tot = calloc(per, sizeof *gs->tot);
	if (!gs->sums || !gs->tot) {
		ft_group_sums_free(gs);
		return FT_ENOMEM;
	}
	if ((rc = rows_sum(in, 1, gs->sums, &gs->stride)) != 0) {
		ft_group_sums_free(gs);
		return rc;
	}
	/* overall = the strata added in order (the rows with group -1 too) */
	for (size_t s = 0; s < S; s++)
		for (size_t k = 0; k < gs->stride; k++)
			gs->tot[k] += gs->sums[s * gs->stride + k];
	return 0;
}

void ft_group_sums_free(struct ft_group_sums *gs)
{
	free(gs->sums);
	free(gs->tot);
	memset(gs, 0, sizeof *gs);
}

int ft_group_table_of(const struct ft_eval_input *in, const struct ft_group_sums *gs,
                      const struct ft_swept *sw, struct ft_group_table **out)
{
	size_t G = in->n_groups;
	struct ft_group_table *t = calloc(1, sizeof *t);

	*out = NULL;
	if (!t || !(t->v = malloc((G + 1) * FT_N_METRICS * sizeof *t->v))) {
		ft_group_table_free(t);
		return FT_ENOMEM;
	}
	t->n_groups = G;
	{
		size_t ov = FT_T_OVERALL(G);
		double a3[3] = { sw ? sw->num[ov] : NAN, sw ? sw->pos[ov] : 0, sw ? sw->neg[ov] : 0 };
		fill_row(&FT_GT(t, 0, 0), gs->tot, a3, in->ece_bins, 0);
	}
	for (size_t g = 0; g < G; g++) {
		double a3[3] = { sw ? sw->num[g] : NAN, sw ? sw->pos[g] : 0, sw ? sw->neg[g] : 0 };
		fill_row(&FT_GT(t, 1 + g, 0), gs->sums + g * gs->stride, a3, in->ece_bins, 1);
	}
	*out = t;
	return 0;
}

int ft_group_metrics_swept(const struct ft_eval_input *in, const struct ft_swept *sw,
                           struct ft_group_table **out, struct ft_error *err)
{
	struct ft_group_sums gs;
	int rc;

	*out = NULL;
	if ((rc = ft_group_tally(in, &gs)) == 0)
		rc = ft_group_table_of(in, &gs, sw, out);
	ft_group_sums_free(&gs);
	if (rc == FT_ENOMEM)
		ft_error_set(err, rc, "metrics: out of memory for %zu rows", in->n);
	return rc;
}

int ft_group_metrics(const struct ft_eval_input *in, struct ft_group_table **out,
                     struct ft_error *err)
{
	struct ft_swept sw;
	int rc;

	if (out)
		*out = NULL;
	rc = ft_eval_check(in, err);
	if (rc)
		return rc;
	if (!out)
		return ft_error_set(err, FT_EINVAL, "metrics: no output");
	if ((rc = ft_eval_sweep(in, 0, &sw)) != 0)
		return ft_error_set(err, rc, "metrics: out of memory for %zu rows", in->n);
	rc = ft_group_metrics_swept(in, &sw, out, err);
	ft_swept_free(&sw);
	return rc;
}

void ft_group_table_free(struct ft_group_table *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}
