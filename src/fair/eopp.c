/*
 * eopp.c - LiFT's equality-of-opportunity score transformation for
 * rankings, with the position-bias correction: Nandy, Diciccio, Venugopalan,
 * Logan, Basu & El Karoui, "Achieving Fairness via Post-Processing in
 * Web-Scale Recommender Systems", FAccT 2022 (arXiv 2006.11350), sec. 3-4;
 * linkedin/LiFT (commit b1cef85) lift/src/main/scala/com/linkedin/lift/
 * mitigation/EOppUtils.scala and lib/PositionBiasUtils.scala.
 *
 * The transformation maps a group's score s to F_g(s), the CDF of the
 * scores of that group's POSITIVE items: at any cut t on the transformed
 * score, every group's true positive rate is about 1 - t (equality of
 * opportunity), so the transformed scores rank items of different groups on
 * one scale (a re-ranker: sort by ft_eopp_apply's output).
 *
 * As LiFT computes it (eOppTransformation, cdfTransformation,
 * transformScore, adjustScale):
 *   - knots: the quantiles Q_g(k / K), k = 0 .. K, of the group's positive
 *     scores, each mapped to k / K; where quantiles repeat, the largest
 *     k / K is kept (Scala's toMap keeps the last);
 *   - a score is mapped by linear interpolation between the knots around
 *     it, and to the first or last knot's value outside them;
 *   - quantiles are Spark's approxQuantile at relative error ~0: the
 *     smallest score whose (weighted) cumulative share reaches p (the
 *     element of rank ceil(p N)), the minimum for p = 0;
 *   - original_scale (adjustScale): each knot's value v is mapped back to
 *     the score scale through the quantile-quantile map from the
 *     transformed scores of all rows to their original scores (the same
 *     K + 1 probabilities), so that the transformed scores keep the
 *     overall score distribution.
 * Position bias (debiasPositiveLabelScores, estimatePositionBias,
 * estimateAdjacentPositionBias): clicks (positive labels) at lower positions
 * are rarer for the same item; LiFT estimates the bias of each position
 * relative to the one above by importance weighting with Gaussian kernel
 * densities (bandwidth 1.06 sd n^-1/5, population sd, Silverman's rule) of
 * the scores at the two positions:
 *   b(i) = sum over positives at position i of min(f_{i-1}(s) / f_i(s), W)
 *          / (number of positives at position i - 1),
 * the bias of position i is the product of b up to i (1 at the top), and
 * constant beyond the cut-off; a positive at position i then counts with
 * weight min_j bias(j) / bias(i).  LiFT draws a random subsample of the
 * positives with those rates (repeatTimes copies); here the positives are
 * weighted by them, the expectation of that draw, so the fit is
 * deterministic.  A position whose scores are constant has no density and
 * is an error, as is a position above the cut-off without positives.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/fair.h"
#include "fair/rerankers.h"

void ft_eopp_params_init(struct ft_eopp_params *p)
{
	memset(p, 0, sizeof *p);
	p->n_quantiles = 10000;
	p->original_scale = 0;
	p->max_importance_weight = 1000;
	p->cutoff = 0;
}


struct sw {
	double s, w;
};

static int cmp_sw(const void *pa, const void *pb)
{
	const struct sw *a = pa, *b = pb;
	return (a->s > b->s) - (a->s < b->s);
}

/* Quantiles at k / K, k = 0 .. K, of sorted weighted values v[0 .. m):
 * q[k] = the smallest value whose cumulative weight reaches (k / K) W. */
static void quantiles(const struct sw *v, size_t m, size_t K, double *q)
{
	double W = 0, cum = 0;
	size_t i = 0;

	for (size_t a = 0; a < m; a++)
		W += v[a].w;
	for (size_t k = 0; k <= K; k++) {
		double p = (double)k / (double)K;
		if (k == 0) {
			q[k] = v[0].s;
			continue;
		}
		while (i < m && !(cum + v[i].w >= p * W)) {
			cum += v[i].w;
			i++;
		}
		q[k] = v[i < m ? i : m - 1].s;
	}
}

/* Knots (key -> value) from K + 1 pairs, keys non-decreasing: a repeated
 * key keeps its last value.  Returns the number of knots. */
static size_t knots(const double *keys, const double *vals, size_t n, double *ko, double *vo)
{
	size_t m = 0;

	for (size_t k = 0; k < n; k++) {
		if (m && ko[m - 1] == keys[k]) {
			vo[m - 1] = vals[k];
			continue;
		}
		ko[m] = keys[k];
		vo[m++] = vals[k];
	}
	return m;
}

/* ------------------------------------------------------ position bias */

static int cmp_i32(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
	return (a > b) - (a < b);
}

/* Gaussian kernel density of sample x[0 .. m) with bandwidth h at t. */
static double kde(const double *x, size_t m, double h, double t)
{
	double acc = 0;

	for (size_t i = 0; i < m; i++) {
		double z = (t - x[i]) / h;
		acc += exp(-0.5 * z * z);
	}
	return acc / ((double)m * h * 2.5066282746310002);   /* sqrt(2 pi) */
}

/* Silverman's bandwidth 1.06 sd n^-1/5 (population sd), LiFT's getBandwidth. */
static double bandwidth(const double *x, size_t m)
{
	double mean = 0, ss = 0;

	for (size_t i = 0; i < m; i++)
		mean += x[i];
	mean /= (double)m;
	for (size_t i = 0; i < m; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return 1.06 * sqrt(ss / (double)m) * pow((double)m, -0.2);
}

int ft_position_bias(const double *score, const double *label, const int32_t *position,
                     size_t n, double max_iw, size_t cutoff, size_t *n_pos,
                     int32_t **positions, double **bias, struct ft_error *err)
{
	int32_t *pos = NULL;
	double *b = NULL, *xa = NULL, *xb = NULL, *pa = NULL;
	size_t np = 0;
	int rc = 0;

	*n_pos = 0;
	*positions = NULL;
	*bias = NULL;
	if (!(max_iw > 0))
		return ft_error_set(err, FT_EINVAL, "position bias: the largest importance "
		                    "weight must be > 0");
	pos = ft_xalloc(n, sizeof *pos);
	xa = ft_xalloc(n, sizeof *xa);
	xb = ft_xalloc(n, sizeof *xb);
	pa = ft_xalloc(n, sizeof *pa);
	if (!pos || !xa || !xb || !pa) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(pos, position, n * sizeof *pos);
	qsort(pos, n, sizeof *pos, cmp_i32);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || pos[i] != pos[i - 1])
			pos[np++] = pos[i];
	b = ft_xalloc(np, sizeof *b);
	if (!b) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if (np)
		b[0] = 1.0;
	for (size_t k = 1; k < np; k++) {
		size_t na = 0, nb = 0, npa = 0, npos_base = 0;
		double total = 0, ha, hb;
		if (k >= cutoff) {
			b[k] = b[k - 1];
			continue;
		}
		/* target = positions[k], base = positions[k - 1] */
		for (size_t i = 0; i < n; i++) {
			if (position[i] == pos[k]) {
				xa[na++] = score[i];
				if (label[i] > 0.5)
					pa[npa++] = score[i];
			} else if (position[i] == pos[k - 1]) {
				xb[nb++] = score[i];
				npos_base += label[i] > 0.5;
			}
		}
		ha = bandwidth(xa, na);
		hb = bandwidth(xb, nb);
		if (!(ha > 0) || !(hb > 0)) {
			rc = ft_error_set(err, FT_EDATA, "position bias: the scores at position %d "
			                  "are constant (no kernel density)", (int)pos[ha > 0 ? k - 1 : k]);
			goto done;
		}
		if (npos_base == 0) {
			rc = ft_error_set(err, FT_EDATA, "position bias: position %d has no positive "
			                  "rows", (int)pos[k - 1]);
			goto done;
		}
		for (size_t i = 0; i < npa; i++) {
			double ft = kde(xa, na, ha, pa[i]), fb = kde(xb, nb, hb, pa[i]);
			total += ft > 0 ? fmin(fb / ft, max_iw) : max_iw;
		}
		b[k] = b[k - 1] * (total / (double)npos_base);
	}
	*n_pos = np;
	*positions = pos;
	*bias = b;
	pos = NULL;
	b = NULL;
done:
	free(pos);
	free(b);
	free(xa);
	free(xb);
	free(pa);
	return rc;
}

/* ------------------------------------------------------------ fit */

int ft_eopp_fit(const double *score, const double *label, const int32_t *group,
                const int32_t *position, size_t n, size_t n_groups,
                const struct ft_eopp_params *p, struct ft_eopp **out,
                struct ft_error *err)
{
	struct ft_eopp *e = NULL;
	struct sw *v = NULL;
	double *w = NULL, *q = NULL, *pk = NULL, *bias = NULL, *qb = NULL, *qa = NULL;
	double *kk = NULL, *kv = NULL;
	int32_t *posv = NULL;
	size_t K = p->n_quantiles, n_pos = 0, tot = 0;
	int rc = 0;

	*out = NULL;
	if (K < 1 || K > 10000000)
		return ft_error_set(err, FT_EINVAL, "eopp: n_quantiles = %zu is not in 1 .. 1e7", K);
	if (n_groups == 0 || !group || !label || !score)
		return ft_error_set(err, FT_EINVAL, "eopp: needs scores, labels and groups");
	for (size_t i = 0; i < n; i++)
		if (!isfinite(score[i]) || (label[i] != 0 && label[i] != 1))
			return ft_error_set(err, FT_EINVAL, "eopp: row %zu has a score that is not "
			                    "finite or a label that is not 0/1", i + 1);
	w = ft_xalloc(n, sizeof *w);
	v = ft_xalloc(n, sizeof *v);
	q = ft_xalloc(K + 1, sizeof *q);
	pk = ft_xalloc(K + 1, sizeof *pk);
	e = calloc(1, sizeof *e);
	if (!w || !v || !q || !pk || !e) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	e->n_groups = n_groups;
	e->off = calloc(n_groups + 1, sizeof *e->off);
	e->key = ft_xalloc(n_groups * (K + 1), sizeof *e->key);
	e->val = ft_xalloc(n_groups * (K + 1), sizeof *e->val);
	if (!e->off || !e->key || !e->val) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t k = 0; k <= K; k++)
		pk[k] = (double)k / (double)K;
	/* weights of the positives: min bias / bias(position) */
	for (size_t i = 0; i < n; i++)
		w[i] = 1.0;
	if (position && p->cutoff >= 1) {
		double mn = INFINITY;
		if ((rc = ft_position_bias(score, label, position, n, p->max_importance_weight,
		                           p->cutoff, &n_pos, &posv, &bias, err)) != 0)
			goto done;
		for (size_t k = 0; k < n_pos; k++)
			mn = fmin(mn, bias[k]);
		for (size_t i = 0; i < n; i++) {
			size_t lo = 0, hi = n_pos;
			while (hi - lo > 1) {
				size_t mid = lo + (hi - lo) / 2;
				if (posv[mid] <= position[i])
					lo = mid;
				else
					hi = mid;
			}
			w[i] = mn / bias[lo];
		}
	}
	/* each group's knots */
	for (size_t g = 0; g < n_groups; g++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (group[i] == (int32_t)g && label[i] > 0.5 && w[i] > 0) {
				v[m].s = score[i];
				v[m++].w = w[i];
			}
		e->off[g] = tot;
		if (m == 0) {
			rc = ft_error_set(err, FT_EDATA, "eopp: group %zu has no positive rows", g);
			goto done;
		}
		qsort(v, m, sizeof *v, cmp_sw);
		quantiles(v, m, K, q);
		tot += knots(q, pk, K + 1, e->key + tot, e->val + tot);
	}
	e->off[n_groups] = tot;
	if (p->original_scale) {
		/* the quantile-quantile map from the transformed to the original
		 * scores of every row of a known group */
		size_t m = 0, nk;
		qb = ft_xalloc(K + 1, sizeof *qb);
		qa = ft_xalloc(K + 1, sizeof *qa);
		kk = ft_xalloc(K + 1, sizeof *kk);
		kv = ft_xalloc(K + 1, sizeof *kv);
		if (!qb || !qa || !kk || !kv) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < n; i++)
			if (group[i] >= 0 && (size_t)group[i] < n_groups) {
				v[m].s = score[i];
				v[m++].w = 1.0;
			}
		qsort(v, m, sizeof *v, cmp_sw);
		quantiles(v, m, K, qb);
		m = 0;
		for (size_t i = 0; i < n; i++)
			if (group[i] >= 0 && (size_t)group[i] < n_groups) {
				size_t g = (size_t)group[i];
				v[m].s = ft_eopp_interp(e->key + e->off[g], e->val + e->off[g],
				                        e->off[g + 1] - e->off[g], score[i]);
				v[m++].w = 1.0;
			}
		qsort(v, m, sizeof *v, cmp_sw);
		quantiles(v, m, K, qa);
		nk = knots(qa, qb, K + 1, kk, kv);
		for (size_t k = 0; k < tot; k++)
			e->val[k] = ft_eopp_interp(kk, kv, nk, e->val[k]);
	}
	*out = e;
	e = NULL;
done:
	ft_eopp_free(e);
	free(v);
	free(w);
	free(q);
	free(pk);
	free(bias);
	free(posv);
	free(qa);
	free(qb);
	free(kk);
	free(kv);
	return rc;
}


int ft_rerank_eopp(const struct ft_method_spec *s, const double *score,
                   const int32_t *group, size_t n, size_t n_groups,
                   int32_t protected_group, size_t *order, size_t *k, int *flags,
                   struct ft_error *err)
{
	double *t;
	int rc;

	(void)n_groups;
	(void)protected_group;
	(void)flags;
	if (!s->eopp)
		return ft_error_set(err, FT_EINVAL, "eopp-rank: the score map is not fitted "
		                    "(train --task rank fits it on the training part)");
	if (!(t = ft_xalloc(n ? n : 1, sizeof *t)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	/* the mapped scores in a stable descending sort: equal mapped scores
	 * (flat stretches of a group's CDF) keep the items' order */
	if ((rc = ft_eopp_apply(s->eopp, score, group, n, t, err)) == 0)
		rc = ft_rank_order(t, n, order, err);
	free(t);
	*k = n;
	return rc;
}
