/*
 * distribution.c - distribution, inequality and individual-fairness
 * measures of one model's predictions (fairtrain.h, "distribution and
 * inequality measures"):
 *
 * Distances between the groups' score distributions, and from each group's
 * to a reference distribution the caller gives as a sample of scores.
 * LiFT's definitions (linkedin/LiFT, lift/src/main/scala/com/linkedin/lift/
 * lib/DivergenceUtils.scala, commit b1cef85):
 *   KL(p || q) = sum_k p_k log2(p_k / q'_k), q' = (q_k + alpha) / (Q + B' alpha)
 *     (computeKullbackLeiblerDivergence: Laplace smoothing of the second
 *     distribution's counts, alpha = 1 by default, in bits; 0 log 0 = 0;
 *     B' counts the bins where p or q has weight, the keys of LiFT's sparse
 *     Distribution maps);
 *   JS(p, q) = (KL(p || m) + KL(q || m)) / 2, m = (p + q) / 2, no smoothing
 *     (computeJensenShannonDivergence);
 *   TV(p, q) = 1/2 sum_k |p_k - q_k| (computeTotalVariationDistance);
 * over the weighted counts of B equal-width score bins on [0, 1] (bin
 * min(floor(s B), B - 1)): LiFT works on discrete distributions, so
 * continuous scores are binned.  The earth mover's (Wasserstein-1)
 * distance is exact in one dimension: the integral of |F_a(x) - F_b(x)|
 * between the weighted empirical CDFs (scipy.stats.wasserstein_distance).
 * Between groups the measure is the largest over (ordered, for KL) pairs of
 * groups with weight; to the reference, the largest over groups.
 *
 * Inequality of the benefit b_i = yhat_i - y_i + 1 (AIF360's
 * ClassificationMetric.generalized_entropy_index; E[yhat] = pos_i for a
 * randomized classifier, as fairness.c) with LiFT's formulas
 * (lift/src/main/scala/com/linkedin/lift/types/BenefitMap.scala), weighted
 * by w_i / W (LiFT's and AIF360's unweighted forms when every w_i = 1),
 * x_i = b_i / mu, mu = sum (w_i / W) b_i:
 *   GE(alpha)  sum (w/W) (x^alpha - 1) / (alpha (alpha - 1)); alpha = 1:
 *              sum (w/W) x ln x (Theil T); alpha = 0: -sum (w/W) ln x
 *              (Theil L, the mean log deviation); |alpha - 1| and |alpha|
 *              below 1e-12 count as 1 and 0 (LiFT's errorTolerance)
 *   Atkinson(eps)  1 - (sum (w/W) x^(1 - eps))^(1 / (1 - eps)); eps = 1:
 *              1 - exp(sum (w/W) ln x) (LiFT: 1 - (prod x)^(1/n)); a zero
 *              benefit with eps >= 1 gives 1, as LiFT's floating point does
 *   CV         sqrt(sum (w/W) (b - mu)^2) / mu (population variance, as
 *              LiFT; two passes instead of LiFT's E[b^2] - mu^2, the same
 *              number without the cancellation)
 * Theil L and GE(alpha <= 0) are undefined when some row of positive weight
 * has b = 0 (a false negative): ln 0.  ft_inequality_index takes any
 * non-negative vector, so LiFT's BenefitMap over per-group values (w =
 * NULL) is one call.
 *
 * Individual fairness: AIF360's BinaryLabelDatasetMetric.consistency
 * (aif360/metrics/binary_label_dataset_metric.py): 1 - mean_i |yhat_i -
 * mean of yhat over the k nearest neighbours of x_i|, where AIF360 asks
 * sklearn's NearestNeighbors(k).kneighbors(X) on the rows themselves, so a
 * row is among its own k neighbours.  Here: the row itself and its k - 1
 * nearest other rows by Euclidean distance in the encoded feature space
 * (numeric block as encoded, one-hot columns), ties to the lower row index;
 * exact brute force, O(n^2 (n_num + n_cat)) spread over ft_parallel_sum's
 * fixed chunks.  The outer mean is weighted by w_i / W (AIF360's when all
 * w_i = 1).  Squared distances are sum over numeric columns of (a - b)^2
 * in column order plus an exact integer for the categorical columns (2 per
 * column whose codes differ, 1 when one of them is -1, the all-zero row of
 * an unseen category).
 *
 * Smoothed empirical differential fairness (Foulds, Islam, Keya & Pan, "An
 * Intersectional Definition of Fairness", ICDE 2020, eq. 5 with Dirichlet
 * smoothing; AIF360's smoothed_empirical_differential_fairness and
 * _smoothed_base_rates): per group with rows, r_g = (N_g^+ + a/2) /
 * (N_g + a) (weighted counts of positive decisions, a = concentration), and
 * epsilon = max over pairs g != h of max(|ln r_g - ln r_h|,
 * |ln(1 - r_g) - ln(1 - r_h)|).  The groups are fairtrain's (already
 * intersections of the sensitive columns); rows of unknown group are left
 * out.
 *
 * Not here: the per-group rate metrics and summaries (metrics.c,
 * fairness.c), whose GE(2) and Theil index this file's GE(2) and Theil T
 * reproduce (tests/unit/test_distribution.c checks it).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "metrics/metrics.h"

#define LIFT_TOL 1e-12
#define INF_KL "infinite: a bin is empty in the second distribution (kl_alpha = 0)"

static struct ft_value defined(double v)
{
	struct ft_value r = { v, NULL };
	return r;
}

static struct ft_value undef(const char *why)
{
	struct ft_value r = { NAN, why };
	return r;
}

void ft_dist_opts_init(struct ft_dist_opts *o)
{
	memset(o, 0, sizeof *o);
	o->bins = 10;
	o->kl_alpha = 1.0;
	o->ge_alpha = 2.0;
	o->atkinson_eps = 0.5;
	o->k = 5;
	o->concentration = 1.0;
}

/* ------------------------------------------------ discrete distances */

double ft_kl_divergence(const double *p, const double *q, size_t B, double alpha)
{
	double P = 0, Q = 0, acc = 0, used = 0;

	for (size_t k = 0; k < B; k++) {
		P += p[k];
		Q += q[k];
		used += p[k] != 0 || q[k] != 0;
	}
	/* LiFT's maps hold only the categories seen in p or q: smoothing adds
	 * alpha to those */
	Q += alpha * used;
	if (!(P > 0) || !(Q > 0))
		return NAN;
	/* LiFT: (1/ln 2) (sum_k p_k ln(p_k / (q_k + alpha)) / P + ln(Q' / P)) */
	for (size_t k = 0; k < B; k++) {
		if (p[k] == 0)
			continue;
		if (!(q[k] + alpha > 0))
			return INFINITY;
		acc += p[k] * log(p[k] / (q[k] + alpha));
	}
	return (acc / P + log(Q / P)) / log(2.0);
}

double ft_js_divergence(const double *p, const double *q, size_t B)
{
	double P = 0, Q = 0, *m;
	double v;

	for (size_t k = 0; k < B; k++) {
		P += p[k];
		Q += q[k];
	}
	if (!(P > 0) || !(Q > 0))
		return NAN;
	m = malloc((B ? B : 1) * sizeof *m);
	if (!m)
		return NAN;
	for (size_t k = 0; k < B; k++)
		m[k] = 0.5 * (p[k] / P + q[k] / Q);
	v = 0.5 * (ft_kl_divergence(p, m, B, 0.0) + ft_kl_divergence(q, m, B, 0.0));
	free(m);
	return v;
}

double ft_total_variation(const double *p, const double *q, size_t B)
{
	double P = 0, Q = 0, acc = 0;

	for (size_t k = 0; k < B; k++) {
		P += p[k];
		Q += q[k];
	}
	if (!(P > 0) || !(Q > 0))
		return NAN;
	for (size_t k = 0; k < B; k++)
		acc += fabs(p[k] / P - q[k] / Q);
	return 0.5 * acc;
}

/* ------------------------------------------------ earth mover's distance */

struct wv {
	double v, w;
};

static int cmp_wv(const void *pa, const void *pb)
{
	const struct wv *a = pa, *b = pb;
	return (a->v > b->v) - (a->v < b->v);
}

/* Sorted copy of (values, weights); NULL on allocation failure. */
static struct wv *sorted_sample(const double *v, const double *w, size_t n, double *W)
{
	struct wv *s = ft_xalloc(n, sizeof *s);

	*W = 0;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[i].v = v[i];
		s[i].w = w ? w[i] : 1.0;
		*W += s[i].w;
	}
	qsort(s, n, sizeof *s, cmp_wv);
	return s;
}

/* W1 between sorted weighted samples: sweep the merged values, adding
 * |F_a - F_b| times each gap. */
static double emd_sorted(const struct wv *a, size_t na, double Wa, const struct wv *b,
                         size_t nb, double Wb)
{
	size_t i = 0, j = 0;
	double ca = 0, cb = 0, acc = 0, x;

	if (!(Wa > 0) || !(Wb > 0))
		return NAN;
	x = na && (!nb || a[0].v <= b[0].v) ? a[0].v : b[0].v;
	while (i < na || j < nb) {
		double next = i < na && (j >= nb || a[i].v <= b[j].v) ? a[i].v : b[j].v;
		acc += fabs(ca / Wa - cb / Wb) * (next - x);
		x = next;
		while (i < na && a[i].v == x)
			ca += a[i++].w;
		while (j < nb && b[j].v == x)
			cb += b[j++].w;
	}
	return acc;
}

int ft_emd_1d(const double *a, const double *wa, size_t na, const double *b,
              const double *wb, size_t nb, double *out, struct ft_error *err)
{
	double Wa, Wb;
	struct wv *sa, *sb;

	for (size_t i = 0; i < na + nb; i++) {
		double v = i < na ? a[i] : b[i - na];
		double w = i < na ? (wa ? wa[i] : 1) : (wb ? wb[i - na] : 1);
		if (!isfinite(v) || !(w >= 0) || !isfinite(w))
			return ft_error_set(err, FT_EINVAL, "emd: value or weight %zu of sample "
			                    "%c is not finite and non-negative",
			                    i < na ? i : i - na, i < na ? 'a' : 'b');
	}
	sa = sorted_sample(a, wa, na, &Wa);
	sb = sorted_sample(b, wb, nb, &Wb);
	if (!sa || !sb) {
		free(sa);
		free(sb);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	*out = emd_sorted(sa, na, Wa, sb, nb, Wb);
	free(sa);
	free(sb);
	if (isnan(*out))
		return ft_error_set(err, FT_EDATA, "emd: a sample has no weight");
	return 0;
}

/* ----------------------------------------------------------- inequality */

const char *ft_inequality_name(int kind)
{
	switch (kind) {
	case FT_INEQ_GE: return "ge_index";
	case FT_INEQ_ATKINSON: return "atkinson_index";
	case FT_INEQ_THEIL_L: return "theil_l_index";
	case FT_INEQ_THEIL_T: return "theil_t_index";
	case FT_INEQ_CV: return "coefficient_of_variation";
	default: return "unknown";
	}
}

/* How one index of ft_inequality_indices is computed. */
enum ineq_mode {
	IM_DONE,         /* its value is known before the pass over the rows */
	IM_CV,           /* sum w d^2, d = b - mu */
	IM_ATK_LOG,      /* Atkinson, epsilon = 1: sum w ln x */
	IM_ATK_POW,      /* Atkinson: sum w x^(1 - epsilon) */
	IM_GE_T,         /* GE(1), Theil T: sum w x ln x */
	IM_GE_L,         /* GE(0), Theil L: - sum w ln x */
	IM_GE_POW        /* GE(alpha): sum w (x^alpha - 1) */
};

/* The per-row function values of one distinct benefit, for every index
 * (memoized by the benefit's bits: deterministic decisions give three
 * benefits, 0, 1 and 2, so pow and log run once per distinct value instead
 * of once per row, and every sum is the same bits as without the memo). */
#define MEMO_N 4
#define MAX_KINDS 8
struct memo {
	uint64_t key[MEMO_N];
	double val[MEMO_N][MAX_KINDS];
	unsigned n, next;
};

static const double *memo_row(struct memo *m, double b, double mu, size_t k,
                              const enum ineq_mode *mode, const double *pw)
{
	uint64_t key;
	unsigned j;
	double x = b / mu;

	memcpy(&key, &b, sizeof key);
	for (j = 0; j < m->n; j++)
		if (m->key[j] == key)
			return m->val[j];
	j = m->n < MEMO_N ? m->n++ : m->next++ % MEMO_N;
	m->key[j] = key;
	for (size_t q = 0; q < k; q++)
		m->val[j][q] = mode[q] == IM_ATK_LOG || mode[q] == IM_GE_T || mode[q] == IM_GE_L ?
		               log(x) : mode[q] == IM_ATK_POW || mode[q] == IM_GE_POW ?
		               pow(x, pw[q]) : 0.0;
	return m->val[j];
}

/* Benefit i: b[i], or with b NULL the benefit of in's decision in row i,
 * ft_eval_pos - y + 1 (the value the caller's array would hold), so that
 * the measurement needs no array of them (issue 20 item 7). */
static inline double benefit(const double *b, const struct ft_eval_input *in, size_t i)
{
	return b ? b[i] : ft_eval_pos(in, i) - in->y[i] + 1.0;
}

/* Row terms of the indices: benefit bi, weight share wi, added to acc[q]
 * (nothing where an index takes nothing from the row). */
static void ineq_terms(double bi, double wi, double mu, size_t k, const enum ineq_mode *mode,
                       const double *pw, struct memo *memo, double *acc)
{
	double x = bi / mu, d = bi - mu;
	const double *f = NULL;

	for (size_t q = 0; q < k; q++) {
		if (mode[q] == IM_CV) {
			acc[q] += wi * d * d;
			continue;
		}
		/* x ln x -> 0 at x = 0: Theil T adds + 0.0 there */
		if (mode[q] == IM_DONE || wi == 0 || (mode[q] == IM_GE_T && !(x > 0)))
			continue;
		if (!f)
			f = memo_row(memo, bi, mu, k, mode, pw);
		switch (mode[q]) {
		case IM_ATK_LOG:
		case IM_ATK_POW: acc[q] += wi * f[q]; break;
		case IM_GE_T: acc[q] += wi * x * f[q]; break;
		case IM_GE_L: acc[q] -= wi * f[q]; break;
		default: acc[q] += wi * (f[q] - 1.0); break;
		}
	}
}

static int ineq(const int *kind, const double *param, size_t k, const double *b,
                const struct ft_eval_input *in, const double *w, size_t n,
                struct ft_value *out, struct ft_error *err)
{
	double W = 0, mu = 0, w1, acc[MAX_KINDS] = {0}, pw[MAX_KINDS] = {0};
	enum ineq_mode mode[MAX_KINDS];
	struct memo memo;
	int zero = 0, unit = 1, small = 1;

	if (k > MAX_KINDS)
		return ft_error_set(err, FT_EINVAL, "inequality: %zu indices at once, at most %d",
		                    k, MAX_KINDS);
	for (size_t q = 0; q < k; q++) {
		out[q] = undef("no rows");
		if (kind[q] < FT_INEQ_GE || kind[q] > FT_INEQ_CV)
			return ft_error_set(err, FT_EINVAL, "inequality: unknown index %d", kind[q]);
		if ((kind[q] == FT_INEQ_GE && !isfinite(param[q])) ||
		    (kind[q] == FT_INEQ_ATKINSON && !(param[q] >= 0 && isfinite(param[q]))))
			return ft_error_set(err, FT_EINVAL, "inequality: %s parameter %g is not %s",
			                    ft_inequality_name(kind[q]), param[q],
			                    kind[q] == FT_INEQ_GE ? "finite" : "finite and >= 0");
	}
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0, bi = benefit(b, in, i);
		if (!(bi >= 0) || !isfinite(bi) || !(wi >= 0) || !isfinite(wi))
			return ft_error_set(err, FT_EINVAL, "inequality: value or weight %zu is "
			                    "not finite and non-negative", i);
		W += wi;
		mu += wi * bi;
		zero |= bi == 0 && wi > 0;
		unit &= wi == 1.0;
		small &= bi == 0.0 || bi == 1.0 || bi == 2.0;
	}
	if (n == 0)
		return 0;
	for (size_t q = 0; q < k; q++)
		out[q] = undef(!(W > 0) ? "zero total weight" : "mean benefit is 0");
	if (!(W > 0))
		return 0;
	mu /= W;
	w1 = 1.0 / W;    /* a unit weight's share, the same bits in every row */
	if (!(mu > 0))
		return 0;
	/* each index's mode, and the value of those known without the rows */
	for (size_t q = 0; q < k; q++) {
		double p = kind[q] == FT_INEQ_THEIL_L ? 0.0 : kind[q] == FT_INEQ_THEIL_T ? 1.0 :
		           param[q];
		if (kind[q] == FT_INEQ_CV) {
			mode[q] = IM_CV;
		} else if (kind[q] == FT_INEQ_ATKINSON) {
			pw[q] = 1.0 - p;
			mode[q] = zero && pw[q] <= LIFT_TOL ? IM_DONE :
			          fabs(pw[q]) < LIFT_TOL ? IM_ATK_LOG : IM_ATK_POW;
			if (mode[q] == IM_DONE)
				out[q] = defined(1.0);     /* the power mean is 0 */
		} else if (zero && p < LIFT_TOL) {
			mode[q] = IM_DONE;
			out[q] = undef(fabs(p) < LIFT_TOL ? "a row has benefit 0 (a false "
			               "negative): ln 0 in Theil L" : "a row has benefit 0 (a false "
			               "negative): 0 to a negative power");
		} else {
			pw[q] = p;
			mode[q] = fabs(p - 1.0) < LIFT_TOL ? IM_GE_T :
			          fabs(p) < LIFT_TOL ? IM_GE_L : IM_GE_POW;
		}
	}
	/* one pass: each index's sum in row order, as alone */
	memset(&memo, 0, sizeof memo);
	if (!b && !in->pos && unit && small) {
		/* deterministic decisions and unit weights (w[i] / W is then
		 * w1 in every row): a row's terms depend on its benefit alone
		 * (0, 1 or 2: labels 0 and 1, which the callers have checked,
		 * and small says), so each is computed once (by the loop below
		 * on one row of that benefit) and the rows add them in row
		 * order, the same bits */
		double term[3][MAX_KINDS] = {{0}};
		for (int c = 0; c < 3; c++)
			ineq_terms(c, w1, mu, k, mode, pw, &memo, term[c]);
		for (size_t i = 0; i < n; i++) {
			const double *t = term[(int)benefit(NULL, in, i)];
			for (size_t q = 0; q < k; q++)
				acc[q] += t[q];
		}
	} else {
		for (size_t i = 0; i < n; i++)
			ineq_terms(benefit(b, in, i), w ? w[i] / W : w1, mu, k, mode, pw, &memo,
			           acc);
	}
	for (size_t q = 0; q < k; q++)
		switch (mode[q]) {
		case IM_DONE: break;
		case IM_CV: out[q] = defined(sqrt(acc[q]) / mu); break;
		case IM_ATK_LOG: out[q] = defined(1.0 - exp(acc[q])); break;
		case IM_ATK_POW: out[q] = defined(1.0 - pow(acc[q], 1.0 / pw[q])); break;
		case IM_GE_POW: out[q] = defined(acc[q] / (pw[q] * (pw[q] - 1.0))); break;
		default: out[q] = defined(acc[q]); break;
		}
	return 0;
}

int ft_inequality_indices(const int *kind, const double *param, size_t k, const double *b,
                          const double *w, size_t n, struct ft_value *out,
                          struct ft_error *err)
{
	return ineq(kind, param, k, b, NULL, w, n, out, err);
}

int ft_inequality_index(int kind, double param, const double *b, const double *w,
                        size_t n, struct ft_value *out, struct ft_error *err)
{
	return ft_inequality_indices(&kind, &param, 1, b, w, n, out, err);
}

/* ----------------------------------------------------------- consistency */

struct knn_ctx {
	const struct ft_dataset *x;
	const double *yhat, *w;
	size_t k;
	const size_t *order, *rank;  /* rows sorted by their features, and back */
	double *scratch_d;       /* chunks * (k - 1), stride_d apart */
	size_t *scratch_i;       /* stride_i apart */
	size_t stride_d, stride_i;
};

/* (d, j) before (bd, bj): nearer, or as near and a lower row index. */
static int knn_before(double d, size_t j, double bd, size_t bj)
{
	return d < bd || (d == bd && j < bj);
}

/* Rows [lo, hi): sum of w_i |yhat_i - mean yhat over its neighbours|.
 * Candidates are visited outward from the row's place in the feature
 * order, so that the k - 1 nearest are found early and the rest are
 * dropped after a few columns (a lower bound on the squared distance that
 * already exceeds the k - 1-th best, or equals it at a higher row index).
 * The order of visits changes nothing but the time: the neighbours are
 * the k - 1 first other rows in (distance, index) order. */
static void knn_chunk(void *vctx, size_t chunk, size_t lo, size_t hi, double *partial)
{
	const struct knn_ctx *c = vctx;
	const struct ft_dataset *x = c->x;
	size_t n = x->n, nn = x->n_num, nc = x->n_cat, km = c->k - 1;
	double *bd = c->scratch_d + chunk * c->stride_d;
	size_t *bi = c->scratch_i + chunk * c->stride_i;

	for (size_t i = lo; i < hi; i++) {
		size_t have = 0, r = c->rank[i];
		const double *xi = x->num + i * nn;
		const int32_t *ci = x->code + i * nc;
		double mean;

		for (size_t step = 1; step < n && km > 0; step++) {
			for (int side = 0; side < 2; side++) {
				size_t j, pos;
				const double *xj;
				const int32_t *cj;
				double d = 0, wd = have == km ? bd[km - 1] : INFINITY;
				size_t wj = have == km ? bi[km - 1] : SIZE_MAX;
				int out = 0;
				if (side == 0 ? step > r : r + step >= n)
					continue;
				j = c->order[side == 0 ? r - step : r + step];
				xj = x->num + j * nn;
				cj = x->code + j * nc;
				/* categorical part first: exact small integers */
				for (size_t a = 0; a < nc && !out; a++) {
					if (ci[a] != cj[a])
						d += ci[a] >= 0 && cj[a] >= 0 ? 2.0 : 1.0;
					out = !knn_before(d, j, wd, wj) && d >= wd;
				}
				if (out)
					continue;
				{
					double num = 0;
					/* partial sums of non-negative terms never
					 * decrease, so each is a lower bound */
					for (size_t a = 0; a < nn && !out; a++) {
						double t = xi[a] - xj[a];
						num += t * t;
						out = num + d > wd || (num + d == wd && j > wj);
					}
					if (out)
						continue;
					d = num + d;
				}
				if (have == km && !knn_before(d, j, wd, wj))
					continue;
				pos = have < km ? have++ : km - 1;
				while (pos > 0 && knn_before(d, j, bd[pos - 1], bi[pos - 1])) {
					bd[pos] = bd[pos - 1];
					bi[pos] = bi[pos - 1];
					pos--;
				}
				bd[pos] = d;
				bi[pos] = j;
			}
		}
		mean = c->yhat[i];
		for (size_t a = 0; a < have; a++)
			mean += c->yhat[bi[a]];
		mean /= (double)(have + 1);
		partial[0] += (c->w ? c->w[i] : 1.0) * fabs(c->yhat[i] - mean);
		partial[1] += c->w ? c->w[i] : 1.0;
	}
}

/* qsort_r is not C11: the data set for the comparison. */
static _Thread_local const struct ft_dataset *sort_x;

/* Rows by their categorical codes, then their numeric values, then index. */
static int cmp_rows(const void *pa, const void *pb)
{
	const struct ft_dataset *x = sort_x;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	for (size_t k = 0; k < x->n_cat; k++) {
		int32_t ca = x->code[a * x->n_cat + k], cb = x->code[b * x->n_cat + k];
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	for (size_t k = 0; k < x->n_num; k++) {
		double va = x->num[a * x->n_num + k], vb = x->num[b * x->n_num + k];
		if (va != vb)
			return va < vb ? -1 : 1;
	}
	return (a > b) - (a < b);
}

int ft_consistency(const struct ft_dataset *x, const double *yhat, const double *w,
                   size_t k, struct ft_value *out, struct ft_error *err)
{
	struct knn_ctx c;
	size_t chunks, *order = NULL, *rank = NULL;
	double sums[2] = {0, 0};
	int rc = 0;

	memset(&c, 0, sizeof c);
	*out = undef("no rows");
	if (!x || !yhat)
		return ft_error_set(err, FT_EINVAL, "consistency: needs features and decisions");
	if (k < 1)
		return ft_error_set(err, FT_EINVAL, "consistency: k must be at least 1");
	if (x->n == 0)
		return 0;
	if ((x->n_num && !x->num) || (x->n_cat && !x->code))
		return ft_error_set(err, FT_EINVAL, "consistency: the data set has no features");
	if (k > x->n) {
		*out = undef("fewer rows than neighbours");
		return 0;
	}
	for (size_t i = 0; i < x->n; i++)
		if (!(yhat[i] >= 0 && yhat[i] <= 1) || (w && !(w[i] >= 0 && isfinite(w[i]))))
			return ft_error_set(err, FT_EINVAL, "consistency: row %zu has a decision "
			                    "outside [0, 1] or a bad weight", i + 1);
	chunks = ft_parallel_chunks(x->n, 2);
	order = ft_xalloc(x->n, sizeof *order);
	rank = ft_xalloc(x->n, sizeof *rank);
	c.scratch_d = ft_chunk_scratch(chunks, k > 1 ? k - 1 : 1, sizeof *c.scratch_d, &c.stride_d);
	c.scratch_i = ft_chunk_scratch(chunks, k > 1 ? k - 1 : 1, sizeof *c.scratch_i, &c.stride_i);
	if (!order || !rank || !c.scratch_d || !c.scratch_i) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < x->n; i++)
		order[i] = i;
	sort_x = x;
	qsort(order, x->n, sizeof *order, cmp_rows);
	sort_x = NULL;
	for (size_t i = 0; i < x->n; i++)
		rank[order[i]] = i;
	c.x = x;
	c.yhat = yhat;
	c.w = w;
	c.k = k;
	c.order = order;
	c.rank = rank;
	if ((rc = ft_parallel_sum(x->n, 2, sums, knn_chunk, &c)) != 0) {
		rc = ft_error_set(err, rc, "out of memory");
		goto done;
	}
	*out = sums[1] > 0 ? defined(1.0 - sums[0] / sums[1]) : undef("zero total weight");
done:
	free(order);
	free(rank);
	free(c.scratch_d);
	free(c.scratch_i);
	return rc;
}

/* --------------------------------------------------------- smoothed EDF */

/* yhat NULL: in's decisions (ft_eval_pos), as for ineq. */
static int smoothed_edf(const double *yhat, const struct ft_eval_input *in,
                        const double *w, const int32_t *group, size_t n, size_t n_groups,
                        double concentration, struct ft_value *out, struct ft_error *err)
{
	double *pos = NULL, *tot = NULL, eps = 0;
	size_t *cnt = NULL, m = 0;
	int rc = 0;

	*out = undef("fewer than two groups with rows");
	if (!(concentration >= 0) || !isfinite(concentration))
		return ft_error_set(err, FT_EINVAL, "smoothed edf: concentration %g must be "
		                    "finite and non-negative", concentration);
	if (!group || n_groups < 2)
		return 0;
	pos = calloc(n_groups, sizeof *pos);
	tot = calloc(n_groups, sizeof *tot);
	cnt = calloc(n_groups, sizeof *cnt);
	if (!pos || !tot || !cnt) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		if (group[i] < 0 || (size_t)group[i] >= n_groups)
			continue;
		pos[group[i]] += wi * (yhat ? yhat[i] : ft_eval_pos(in, i));
		tot[group[i]] += wi;
		cnt[group[i]]++;
	}
	/* smoothed base rates of the groups present, in place */
	for (size_t g = 0; g < n_groups; g++) {
		if (!cnt[g])
			continue;
		pos[m] = (pos[g] + concentration / 2) / (tot[g] + concentration);
		if (!(pos[m] > 0 && pos[m] < 1)) {
			*out = undef(isnan(pos[m]) ? "a group has no weight (concentration 0)" :
			             "a group's rate is 0 or 1 (concentration 0): ln 0");
			goto done;
		}
		m++;
	}
	if (m < 2)
		goto done;
	for (size_t a = 0; a < m; a++)
		for (size_t b = 0; b < m; b++) {
			double r1, r2;
			if (a == b)
				continue;
			r1 = fabs(log(pos[a]) - log(pos[b]));
			r2 = fabs(log(1 - pos[a]) - log(1 - pos[b]));
			eps = fmax(eps, fmax(r1, r2));
		}
	*out = defined(eps);
done:
	free(pos);
	free(tot);
	free(cnt);
	return rc;
}

int ft_smoothed_edf(const double *yhat, const double *w, const int32_t *group,
                    size_t n, size_t n_groups, double concentration,
                    struct ft_value *out, struct ft_error *err)
{
	return smoothed_edf(yhat, NULL, w, group, n, n_groups, concentration, out, err);
}

/* ------------------------------------------------------- the whole set */

/* The earth mover's distances of the pairs of groups a < c with weight
 * and a0 <= a < a1 (emd[(a - a0) * S + c], S = G + 1), and of each such
 * group a to the reference (emd[(a - a0) * S + G]; rs sorted, n_ref of it,
 * weight Wref > 0), from one walk over the rows in order of score instead
 * of a sorted copy of each group's scores (16 bytes a row; issue 20 item
 * 7).  The caller bounds a1 - a0 so that the per-pair state, 24 bytes a
 * pair, stays small for any number of groups.  Each pair gets
 * exactly emd_sorted's sums: a step at each distinct value either of its
 * two samples has, |F_a - F_c| times the gap since the pair's last step,
 * and each sample's weight accumulated in its own order (the rows' order
 * within a tie: the order of a stable sort). */
static int emd_walk(const struct ft_sorted *v, size_t G,
                    const double *gw, const struct wv *rs, size_t n_ref, double Wref,
                    size_t a0, size_t a1, double *emd)
{
	size_t S = G + 1, n = v->n, np = 0, r = 0, q = 0, nr = a1 - a0;
	const double *sc = v->score, *w = v->w;
	double *cum = calloc(S, sizeof *cum), *tot = malloc(S * sizeof *tot);
	double *last = malloc(nr * S * sizeof *last);
	size_t *stamp = calloc(nr * S, sizeof *stamp), *present = malloc(S * sizeof *present);
	unsigned char *seen = calloc(S, 1), *with = calloc(S, 1);
	size_t step = 0;
	int rc = FT_ENOMEM;

	if (!cum || !tot || !last || !stamp || !present || !seen || !with)
		goto done;
	for (size_t g = 0; g < G; g++) {
		tot[g] = gw[g];
		with[g] = gw[g] > 0;
	}
	tot[G] = Wref;
	with[G] = n_ref > 0 && Wref > 0;
	for (size_t k = 0; k < nr * S; k++)
		emd[k] = NAN;
	if (G == 2 && !with[G] && with[0] && with[1] && a0 == 0 && a1 == 2) {
		/* two groups with weight and no reference (train's case): the
		 * one pair (0, 1) steps at every distinct value either group has,
		 * the same sums as the walk below, without its bookkeeping */
		double e = 0, lx = 0, c0 = 0, c1 = 0;
		int started = 0;
		while (r < n) {
			double x;
			if ((ft_sorted_sy(v, r) >> 1) >= 2) {
				r++;
				continue;
			}
			x = sc[r];
			if (started)
				e += fabs(c0 / tot[0] - c1 / tot[1]) * (x - lx);
			started = 1;
			lx = x;
			for (; r < n && sc[r] == x; r++) {
				size_t g = ft_sorted_sy(v, r) >> 1;
				if (g == 0)
					c0 += w ? w[r] : 1.0;
				else if (g == 1)
					c1 += w ? w[r] : 1.0;
			}
		}
		if (started)
			emd[1] = e;
		rc = 0;
		goto done;
	}
	while (r < n || q < n_ref) {
		double x;
		/* the next distinct value, of the rows or of the reference */
		/* a row's stratum is its group, or G for none (then skipped) */
		while (r < n && !((ft_sorted_sy(v, r) >> 1) < G && with[ft_sorted_sy(v, r) >> 1]))
			r++;
		if (r == n && (q == n_ref || !with[G]))
			break;
		x = r < n && (q == n_ref || !with[G] || sc[r] <= rs[q].v) ? sc[r] : rs[q].v;
		/* the samples with a value x */
		step++;
		np = 0;
		for (size_t k = r; k < n && sc[k] == x; k++) {
			size_t g = ft_sorted_sy(v, k) >> 1;
			if (g < G && with[g] && !seen[g]) {
				seen[g] = 1;
				present[np++] = (size_t)g;
			}
		}
		if (with[G] && q < n_ref && rs[q].v == x) {
			seen[G] = 1;
			present[np++] = G;
		}
		/* each pair with one of them steps: its gap since its last step */
		for (size_t k = 0; k < np; k++) {
			size_t a = present[k];
			for (size_t c = 0; c < S; c++) {
				size_t lo = a < c ? a : c, hi = a < c ? c : a, pq;
				if (c == a || !with[c] || lo < a0 || lo >= a1)
					continue;
				pq = (lo - a0) * S + hi;
				if (stamp[pq] == step)
					continue;
				if (!stamp[pq])
					emd[pq] = 0;        /* the pair's first value */
				else
					emd[pq] += fabs(cum[lo] / tot[lo] - cum[hi] / tot[hi]) *
					           (x - last[pq]);
				stamp[pq] = step;
				last[pq] = x;
			}
		}
		/* then their weights, each sample's in its own order */
		for (; r < n && sc[r] == x; r++) {
			size_t g = ft_sorted_sy(v, r) >> 1;
			if (g < G && with[g])
				cum[g] += w ? w[r] : 1.0;
		}
		for (; with[G] && q < n_ref && rs[q].v == x; q++)
			cum[G] += rs[q].w;
		for (size_t k = 0; k < np; k++)
			seen[present[k]] = 0;
	}
	rc = 0;
done:
	free(cum);
	free(tot);
	free(last);
	free(stamp);
	free(present);
	free(seen);
	free(with);
	return rc;
}

static void add(struct ft_measures *m, const char *name, double param, struct ft_value v)
{
	if (m->n >= FT_N_MEASURES)
		return;
	m->m[m->n].name = name;
	m->m[m->n].param = param;
	m->m[m->n].v = v;
	m->n++;
}

static size_t bin_of(double s, size_t B)
{
	double f = floor(s * (double)B);
	return f >= (double)B ? B - 1 : f < 0 ? 0 : (size_t)f;
}

int ft_distribution_measures(const struct ft_eval_input *in, const struct ft_dataset *x,
                             const struct ft_dist_opts *o, struct ft_measures *out,
                             struct ft_error *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = ft_eval_check(in, err)) != 0)
		return rc;
	return ft_distribution_measures_ordered(in, x, o, NULL, out, err);
}

static int measures(const struct ft_eval_input *in, const struct ft_dataset *x,
                    const struct ft_dist_opts *o, const uint32_t *order,
                    const struct ft_sorted *view, struct ft_measures *out,
                    struct ft_error *err);

int ft_distribution_measures_ordered(const struct ft_eval_input *in,
                                     const struct ft_dataset *x,
                                     const struct ft_dist_opts *o, const uint32_t *order,
                                     struct ft_measures *out, struct ft_error *err)
{
	return measures(in, x, o, order, NULL, out, err);
}

int ft_distribution_measures_sorted(const struct ft_eval_input *in,
                                    const struct ft_dataset *x,
                                    const struct ft_dist_opts *o, const struct ft_sorted *v,
                                    struct ft_measures *out, struct ft_error *err)
{
	return measures(in, x, o, NULL, v, out, err);
}

/* view: the rows in score order gathered (ft_sorted_make), or NULL: made
 * here from order (or from the sort here when order is NULL too). */
static int measures(const struct ft_eval_input *in, const struct ft_dataset *x,
                    const struct ft_dist_opts *o, const uint32_t *order,
                    const struct ft_sorted *view, struct ft_measures *out,
                    struct ft_error *err)
{
	struct ft_sorted own_view;
	struct ft_dist_opts def;
	size_t G, B, n;
	double *hist = NULL, *ref = NULL, *yh = NULL, *emd = NULL, Wref = 0;
	double em_pair = -INFINITY, em_ref = -INFINITY;   /* the largest distances */
	struct wv *rs = NULL;
	uint32_t *own = NULL;
	double *gw = NULL;
	struct ft_value ineq_v[5];
	int rc;

	memset(&own_view, 0, sizeof own_view);
	memset(out, 0, sizeof *out);
	if (!o) {
		ft_dist_opts_init(&def);
		o = &def;
	}
	if (o->bins < 1 || o->bins > 100000)
		return ft_error_set(err, FT_EINVAL, "distribution: bins = %zu is not in 1 .. 100000",
		                    o->bins);
	if (!(o->kl_alpha >= 0) || !isfinite(o->kl_alpha))
		return ft_error_set(err, FT_EINVAL, "distribution: kl_alpha %g must be >= 0",
		                    o->kl_alpha);
	if (o->n_ref && !o->ref)
		return ft_error_set(err, FT_EINVAL, "distribution: n_ref = %zu but no reference",
		                    o->n_ref);
	for (size_t i = 0; i < o->n_ref; i++)
		if (!(o->ref[i] >= 0 && o->ref[i] <= 1) ||
		    (o->ref_w && !(o->ref_w[i] >= 0 && isfinite(o->ref_w[i]))))
			return ft_error_set(err, FT_EINVAL, "distribution: reference score %zu is "
			                    "not in [0, 1] or has a bad weight", i);
	if (x && x->n != in->n)
		return ft_error_set(err, FT_EINVAL, "distribution: %zu feature rows for %zu "
		                    "predictions", x->n, in->n);
	n = in->n;
	G = in->group ? in->n_groups : 0;
	B = o->bins;
	hist = calloc((G + 1) * B + 1, sizeof *hist);
	ref = calloc(B + 1, sizeof *ref);
	gw = calloc(G + 1, sizeof *gw);
	if (!hist || !ref || !gw) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		double wi = in->w ? in->w[i] : 1.0;
		if (G && in->group[i] >= 0 && (size_t)in->group[i] < G) {
			hist[(size_t)in->group[i] * B + bin_of(in->score[i], B)] += wi;
			gw[in->group[i]] += wi;   /* in row order, whatever the order below */
		}
	}
	for (size_t i = 0; i < o->n_ref; i++)
		ref[bin_of(o->ref[i], B)] += o->ref_w ? o->ref_w[i] : 1.0;
	if (o->n_ref && !(rs = sorted_sample(o->ref, o->ref_w, o->n_ref, &Wref))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	/* the rows in ascending order of score, ties in row order (the
	 * caller's, or one stable sort here), walked once for every earth
	 * mover's distance */
	if (G && !order && !view && ft_score_order(in->score, n, &own)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	/* the groups a walk takes (pairs with the smaller group among them):
	 * all of them up to 1,024 groups, else a block of a million pairs'
	 * state (24 MB) a walk */
	if (G && !view) {
		if (ft_sorted_make(in, order ? order : own, &own_view)) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		view = &own_view;
	}
	if (G) {
		size_t S = G + 1, blk = S <= 1024 ? S : S >= ((size_t)1 << 20) ? 1 :
		                                        ((size_t)1 << 20) / S;
		if (!(emd = malloc(blk * S * sizeof *emd))) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t a0 = 0; a0 < G; a0 += blk) {
			size_t a1 = G - a0 < blk ? G : a0 + blk;
			if (emd_walk(view, G, gw, rs, o->n_ref, Wref, a0, a1, emd)) {
				rc = ft_error_set(err, FT_ENOMEM, "out of memory");
				goto done;
			}
			for (size_t a = a0; a < a1; a++) {
				if (!(gw[a] > 0))
					continue;
				for (size_t c = a + 1; c < G; c++)
					if (gw[c] > 0)
						em_pair = fmax(em_pair, emd[(a - a0) * S + c]);
				if (Wref > 0)
					em_ref = fmax(em_ref, emd[(a - a0) * S + G]);
			}
		}
	}
	ft_sorted_free(&own_view);
	free(own);
	own = NULL;
	/* between groups: the largest over pairs of groups with weight */
	{
		double kl = -INFINITY, js = -INFINITY, tv = -INFINITY;
		size_t pairs = 0;
		for (size_t a = 0; a < G; a++)
			for (size_t c = 0; c < G; c++) {
				if (a == c || !(gw[a] > 0) || !(gw[c] > 0))
					continue;
				pairs++;
				kl = fmax(kl, ft_kl_divergence(hist + a * B, hist + c * B, B, o->kl_alpha));
				if (a > c)
					continue;
				js = fmax(js, ft_js_divergence(hist + a * B, hist + c * B, B));
				tv = fmax(tv, ft_total_variation(hist + a * B, hist + c * B, B));
			}
		const char *why = "fewer than two groups with weight";
		add(out, "score_kl_divergence", (double)B, !pairs ? undef(why) :
		    isinf(kl) ? undef(INF_KL) : defined(kl));
		add(out, "score_js_divergence", (double)B, pairs ? defined(js) : undef(why));
		add(out, "score_total_variation", (double)B, pairs ? defined(tv) : undef(why));
		add(out, "score_earth_movers_distance", NAN, pairs ? defined(em_pair) : undef(why));
	}
	/* to the reference: the largest over groups */
	{
		double kl = -INFINITY, js = -INFINITY, tv = -INFINITY;
		size_t used = 0;
		const char *why = !o->n_ref ? "no reference distribution given" :
			!(Wref > 0) ? "the reference has no weight" : "no group with weight";
		for (size_t g = 0; Wref > 0 && g < G; g++) {
			if (!(gw[g] > 0))
				continue;
			used++;
			kl = fmax(kl, ft_kl_divergence(hist + g * B, ref, B, o->kl_alpha));
			js = fmax(js, ft_js_divergence(hist + g * B, ref, B));
			tv = fmax(tv, ft_total_variation(hist + g * B, ref, B));
		}
		add(out, "score_kl_divergence_to_reference", (double)B, !used ? undef(why) :
		    isinf(kl) ? undef(INF_KL) : defined(kl));
		add(out, "score_js_divergence_to_reference", (double)B, used ? defined(js) : undef(why));
		add(out, "score_total_variation_to_reference", (double)B,
		    used ? defined(tv) : undef(why));
		add(out, "score_earth_movers_distance_to_reference", NAN,
		    used ? defined(em_ref) : undef(why));
	}
	/* inequality of the benefit (the five indices from one pass) and the
	 * smoothed EDF from the decisions as they are read: no array of them,
	 * except the one consistency needs */
	{
		static const int kinds[5] = {FT_INEQ_GE, FT_INEQ_ATKINSON, FT_INEQ_THEIL_L,
		                             FT_INEQ_THEIL_T, FT_INEQ_CV};
		double param[5];
		for (int k = 0; k < 5; k++)
			param[k] = kinds[k] == FT_INEQ_GE ? o->ge_alpha :
				kinds[k] == FT_INEQ_ATKINSON ? o->atkinson_eps : NAN;
		if ((rc = ineq(kinds, param, 5, NULL, in, in->w, n, ineq_v, err)) != 0)
			goto done;
		for (int k = 0; k < 5; k++)
			add(out, ft_inequality_name(kinds[k]), param[k], ineq_v[k]);
	}
	{
		struct ft_value v;
		if (x) {
			if (!(yh = ft_xalloc(n, sizeof *yh))) {
				rc = ft_error_set(err, FT_ENOMEM, "out of memory");
				goto done;
			}
			for (size_t i = 0; i < n; i++)
				yh[i] = ft_eval_pos(in, i);
			if ((rc = ft_consistency(x, yh, in->w, o->k, &v, err)) != 0)
				goto done;
		} else {
			v = undef("no feature matrix given");
		}
		add(out, "consistency", (double)o->k, v);
		if ((rc = smoothed_edf(yh, in, in->w, in->group, n, G, o->concentration, &v,
		                       err)) != 0)
			goto done;
		add(out, "smoothed_empirical_differential_fairness", o->concentration, v);
	}
done:
	ft_sorted_free(&own_view);
	free(gw);
	free(emd);
	free(own);
	free(hist);
	free(ref);
	free(rs);
	free(yh);
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}
