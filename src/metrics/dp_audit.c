/*
 * dp_audit.c - a differentially private audit: per-group confusion cells
 * released under epsilon, with intervals for the rates and gaps computed
 * from them that include both the sampling error and the privacy noise.
 *
 * Release.  The cells (group g, label y, decision yhat) count rows; under
 * replacement of one row, one count moves from one cell to another, so the
 * vector has L1 sensitivity 2, and the geometric mechanism with epsilon on
 * every cell (ft_dp_geometric, sensitivity 2) is epsilon-DP for the whole
 * vector.  Weights are ignored (a weighted cell would need a public bound
 * on the weights).  A randomized classifier's decision is a coin flip per
 * row, so that the cells are counts.
 *
 * Intervals (post-processing of the released cells only, so they cost no
 * budget).  The released cells c~ are clamped at 0 (c+); each of the
 * n_bootstrap replicates draws cells Multinomial(N, c+ / N), N = sum c+
 * (the count bootstrap of src/metrics/bootstrap.c: resampling rows is
 * resampling cell counts), adds fresh discrete Laplace noise of the
 * release's scale to every cell and clamps at 0 again: the replicate
 * mimics the whole process, sample then release.  Percentile intervals of
 * each rate and of each gap (largest minus smallest group value) at
 * `level`.  Tests check the coverage of these intervals on simulated
 * populations.
 *
 * Replicate randomness (which needs no secrecy) comes from a seeded
 * generator whose seed is drawn once from the release's noise source.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/dp.h"
#include "metrics/metrics.h"
#include "metrics/sample.h"

static const char *const RATE[FT_DPA_N] = {"selection_rate", "tpr", "fpr", "accuracy"};

const char *ft_dp_audit_rate_name(int r)
{
	return r >= 0 && r < FT_DPA_N ? RATE[r] : "unknown";
}

void ft_dp_audit_free(struct ft_dp_audit *a)
{
	if (!a)
		return;
	free(a->cells);
	free(a->rate);
	free(a->lo);
	free(a->hi);
	free(a);
}

void ft_dp_audit_cells(const struct ft_eval_input *in, struct ft_noise *ns,
                       int64_t *cells)
{
	memset(cells, 0, in->n_groups * 4 * sizeof *cells);
	for (size_t i = 0; i < in->n; i++) {
		int32_t g = in->group ? in->group[i] : -1;
		int y = in->y[i] > 0.5, yh;
		if (g < 0 || (size_t)g >= in->n_groups)
			continue;
		if (in->pos)
			yh = (double)(ft_noise_u64(ns) >> 11) * 0x1.0p-53 < in->pos[i];
		else
			yh = in->score[i] >= in->threshold;
		cells[(size_t)g * 4 + 2 * (size_t)y + (size_t)yh]++;
	}
}

/* The four rates of one group's cells (TN, FP, FN, TP); NaN when a
 * denominator is 0. */
static void rates(const double *c, double *r)
{
	double tn = c[FT_TN], fp = c[FT_FP], fn = c[FT_FN], tp = c[FT_TP];
	double tot = tn + fp + fn + tp;

	r[FT_DPA_SELECTION] = tot > 0 ? (fp + tp) / tot : NAN;
	r[FT_DPA_TPR] = tp + fn > 0 ? tp / (tp + fn) : NAN;
	r[FT_DPA_FPR] = fp + tn > 0 ? fp / (fp + tn) : NAN;
	r[FT_DPA_ACCURACY] = tot > 0 ? (tn + tp) / tot : NAN;
}

/* Rates of every group into r (G x FT_DPA_N) and the gaps (FT_DPA_N). */
static void all_rates(const double *c, size_t G, double *r, double *gap)
{
	for (size_t g = 0; g < G; g++)
		rates(c + g * 4, r + g * FT_DPA_N);
	for (int k = 0; k < FT_DPA_N; k++) {
		double mn = INFINITY, mx = -INFINITY;
		size_t def = 0;
		for (size_t g = 0; g < G; g++) {
			double v = r[g * FT_DPA_N + (size_t)k];
			if (v == v) {
				mn = fmin(mn, v);
				mx = fmax(mx, v);
				def++;
			}
		}
		gap[k] = def >= 2 ? mx - mn : NAN;
	}
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The percentile interval of the m replicate values v (NaN ones dropped;
 * NaN bounds when fewer than half are defined). */
static void interval(double *v, size_t m, double level, double *lo, double *hi)
{
	size_t k = 0;

	for (size_t i = 0; i < m; i++)
		if (v[i] == v[i])
			v[k++] = v[i];
	if (k == 0 || 2 * k < m) {
		*lo = *hi = NAN;
		return;
	}
	qsort(v, k, sizeof *v, cmp_dbl);
	*lo = ft_quantile_sorted(v, k, (1.0 - level) / 2.0);
	*hi = ft_quantile_sorted(v, k, (1.0 + level) / 2.0);
}

int ft_dp_audit(const struct ft_eval_input *in, double epsilon, size_t n_bootstrap,
                double level, struct ft_noise *ns, struct ft_budget *bud,
                struct ft_dp_audit **out, struct ft_error *err)
{
	struct ft_dp_audit *a = NULL;
	size_t G, K, nr;
	int64_t *exact = NULL;
	uint64_t *cu = NULL, *draw = NULL, s, t, seed, N = 0;
	double *cl = NULL, *rb = NULL, *gb = NULL, *tmp = NULL, *cb = NULL;
	int rc;

	*out = NULL;
	if (!in || !ns || !in->y || !in->score || in->n_groups == 0)
		return ft_error_set(err, FT_EINVAL, "dp audit: needs labels, scores and groups");
	if ((rc = ft_eval_check(in, err)) != 0)
		return rc;
	if (!(level > 0.0 && level < 1.0))
		return ft_error_set(err, FT_EINVAL, "dp audit: level must be in (0, 1)");
	if (ft_dp_geometric_rate(epsilon, 2, &s, &t))
		return ft_error_set(err, FT_EINVAL, "dp audit: epsilon must be in [2^-20, 2^22], "
		                    "not %g", epsilon);
	if (bud) {
		struct ft_budget trial = *bud;
		if ((rc = ft_budget_spend(&trial, FT_DP_MEASUREMENT, "geometric", "per-group "
		                          "confusion cells", epsilon, 0.0, err)) != 0)
			return rc;
	}
	G = in->n_groups;
	K = G * 4;
	nr = G * FT_DPA_N;
	a = calloc(1, sizeof *a);
	exact = calloc(K, sizeof *exact);
	cl = calloc(K, sizeof *cl);
	cu = calloc(K, sizeof *cu);
	draw = calloc(K, sizeof *draw);
	cb = calloc(K, sizeof *cb);
	rb = malloc((n_bootstrap ? n_bootstrap : 1) * nr * sizeof *rb);
	gb = malloc((n_bootstrap ? n_bootstrap : 1) * FT_DPA_N * sizeof *gb);
	tmp = malloc((n_bootstrap ? n_bootstrap : 1) * sizeof *tmp);
	if (a) {
		a->cells = calloc(K, sizeof *a->cells);
		a->rate = malloc(nr * sizeof *a->rate);
		a->lo = malloc(nr * sizeof *a->lo);
		a->hi = malloc(nr * sizeof *a->hi);
	}
	if (!a || !exact || !cl || !cu || !draw || !cb || !rb || !gb || !tmp || !a->cells ||
	    !a->rate || !a->lo || !a->hi) {
		rc = ft_error_set(err, FT_ENOMEM, "dp audit: out of memory");
		goto done;
	}
	a->n_groups = G;
	a->epsilon = epsilon;
	a->scale = (double)t / (double)s;
	a->n_bootstrap = n_bootstrap;
	a->level = level;
	ft_dp_audit_cells(in, ns, exact);
	for (size_t k = 0; k < K; k++) {
		if ((rc = ft_dp_geometric(ns, exact[k], 2, epsilon, &a->cells[k], err)) != 0)
			goto done;
		cu[k] = a->cells[k] > 0 ? (uint64_t)a->cells[k] : 0;
		cl[k] = (double)cu[k];
		N += cu[k];
	}
	memset(exact, 0, K * sizeof *exact);
	all_rates(cl, G, a->rate, a->gap);
	seed = ft_noise_u64(ns);
	if (ns->err) {
		rc = ft_error_set(err, FT_EIO, "dp audit: getrandom failed");
		goto done;
	}
	for (size_t b = 0; b < n_bootstrap; b++) {
		struct ft_rng r;
		struct ft_noise sim;
		ft_rng_seed(&r, seed + 0x9e3779b97f4a7c15ULL * (b + 1));
		ft_noise_init(&sim, (seed ^ 0xd1b54a32d192ed03ULL) + b + 1);
		if (N > 0)
			ft_sample_multinomial(&r, N, cu, K, N, draw);
		for (size_t k = 0; k < K; k++) {
			int64_t v = (int64_t)draw[k] + ft_noise_discrete_laplace(&sim, s, t);
			cb[k] = v > 0 ? (double)v : 0.0;
		}
		all_rates(cb, G, rb + b * nr, gb + b * FT_DPA_N);
	}
	for (size_t j = 0; j < nr; j++) {
		for (size_t b = 0; b < n_bootstrap; b++)
			tmp[b] = rb[b * nr + j];
		if (n_bootstrap)
			interval(tmp, n_bootstrap, level, &a->lo[j], &a->hi[j]);
		else
			a->lo[j] = a->hi[j] = NAN;
	}
	for (int k = 0; k < FT_DPA_N; k++) {
		for (size_t b = 0; b < n_bootstrap; b++)
			tmp[b] = gb[b * FT_DPA_N + (size_t)k];
		if (n_bootstrap)
			interval(tmp, n_bootstrap, level, &a->gap_lo[k], &a->gap_hi[k]);
		else
			a->gap_lo[k] = a->gap_hi[k] = NAN;
	}
	if (bud) {
		ft_budget_spend(bud, FT_DP_MEASUREMENT, "geometric", "per-group confusion cells",
		                epsilon, 0.0, NULL);
		bud->seeded |= ns->seeded;
	}
	*out = a;
	a = NULL;
done:
	ft_dp_audit_free(a);
	free(exact);
	free(cl);
	free(cu);
	free(draw);
	free(cb);
	free(rb);
	free(gb);
	free(tmp);
	return rc;
}
