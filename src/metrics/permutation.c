/*
 * permutation.c - the permutation test of a rate gap between two groups
 * (ft_permutation_test), as LinkedIn's LiFT does it: pool the rows of groups
 * a and b, deal them out again at random with the group sizes kept, and see
 * how often the permuted gap is at least as large as the observed one.
 *
 * A rate metric depends on a group's rows only through its four (y, yhat)
 * cells.  With unit weights (or any one positive weight shared by every row
 * of a and b, since rates do not see the scale) the permuted cells of group
 * a are exactly a multivariate hypergeometric draw: n_a rows taken without
 * replacement from the pooled cells (sample.c, three univariate draws), and
 * group b gets the rest.  So a permutation costs O(1) draws instead of a
 * shuffle of n_a + n_b rows.  With other weights the rows are dealt out by a
 * partial Fisher-Yates shuffle of the smaller group's size (documented as
 * the slower path).
 *
 * Randomized classifiers (in->pos set): a row adds w pos to its (y, 1) cell
 * and w (1 - pos) to its (y, 0) cell (metrics.h, struct ft_conf), so the
 * observed and every permuted gap are gaps of expected rates, and a row is
 * characterised by (y, pos) instead of its cell.  With one shared weight
 * the fast path deals out "types" (distinct (y, pos) pairs, at most
 * MAX_TYPES of them; reductions and randomized thresholds give a handful)
 * by the same multivariate hypergeometric draw; with more types, or other
 * weights, the rows are shuffled.  When every pos is 0 or 1 the types are
 * the four cells and everything, random draws included, is what pos = NULL
 * with yhat = pos does, bit for bit.
 *
 * p-value: (1 + #{|permuted gap| >= |observed gap|}) / (1 + n_perm), the
 * "+1" counting the observed assignment itself, so p is never 0 and the
 * test is valid at every level.  ">=" allows a relative tolerance of 100
 * machine epsilons (SciPy's permutation_test does the same) so that a
 * permutation that reproduces the observed cells is not lost to rounding.
 * A permutation whose gap is undefined (say group a drew no predicted
 * positives for a PPV gap) counts as at least as extreme: conservative.
 *
 * Not here: intervals (bootstrap.c).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "metrics/metrics.h"
#include "metrics/sample.h"

/* The reasons name the argument (a or b): ft_value.why must be static. */
static const char *const why_a[FT_N_WHY] = {
	NULL,
	"undefined for group a: no rows in group",
	"undefined for group a: no rows",
	"undefined for group a: zero total weight",
	"undefined for group a: no positive labels",
	"undefined for group a: positive labels have zero total weight",
	"undefined for group a: no negative labels",
	"undefined for group a: negative labels have zero total weight",
	"undefined for group a: no predicted positives",
	"undefined for group a: predicted positives have zero total weight",
	"undefined for group a: no predicted negatives",
	"undefined for group a: predicted negatives have zero total weight",
};
static const char *const why_b[FT_N_WHY] = {
	NULL,
	"undefined for group b: no rows in group",
	"undefined for group b: no rows",
	"undefined for group b: zero total weight",
	"undefined for group b: no positive labels",
	"undefined for group b: positive labels have zero total weight",
	"undefined for group b: no negative labels",
	"undefined for group b: negative labels have zero total weight",
	"undefined for group b: no predicted positives",
	"undefined for group b: predicted positives have zero total weight",
	"undefined for group b: no predicted negatives",
	"undefined for group b: predicted negatives have zero total weight",
};

/* Distinct (y, pos) pairs the type fast path handles. */
#define MAX_TYPES 64

static int rate_metric(int m)
{
	switch (m) {
	case FT_M_BASE_RATE: case FT_M_SELECTION_RATE: case FT_M_TPR: case FT_M_FPR:
	case FT_M_TNR: case FT_M_FNR: case FT_M_PPV: case FT_M_NPV: case FT_M_ACCURACY:
		return 1;
	default:
		return 0;
	}
}

/* metric(a) - metric(b); *why_out a static reason when undefined */
static double gap_of(const struct ft_conf *ca, const struct ft_conf *cb, int metric,
                     const char **why_out)
{
	int wa, wb;
	double ra = ft_conf_rate(ca, metric, 1, &wa), rb;

	if (wa) {
		*why_out = why_a[wa];
		return NAN;
	}
	rb = ft_conf_rate(cb, metric, 1, &wb);
	if (wb) {
		*why_out = why_b[wb];
		return NAN;
	}
	*why_out = NULL;
	return ra - rb;
}

/* x rows of type (y, p) with weight 1 each: ft_conf_add_row x times. */
static void add_type(struct ft_conf *c, int y, double p, uint64_t x)
{
	double dx = (double)x;

	c->w[2 * y + 1] += dx * p;
	c->w[2 * y] += dx * (1 - p);
	c->c[2 * y + 1] += p > 0 ? dx : 0;
	c->c[2 * y] += p < 1 ? dx : 0;
}

/* at least as extreme as the observed |gap| (undefined counts as extreme) */
static int extreme(double g, const char *why, double obs)
{
	double tol = 100 * DBL_EPSILON * fabs(obs);
	return why != NULL || fabs(g) >= fabs(obs) - tol;
}

/* What one scan of the rows of groups a and b gives every test of the
 * pair: their cells, sizes, whether they share one weight, whether every
 * decision is deterministic, and the (y, pos) types (read by run_test only
 * when a decision is not: scan_counts leaves them out). */
struct perm_scan {
	struct ft_conf ca, cb;
	size_t na, nb, n_types;
	double w0, tp[MAX_TYPES];
	uint64_t tcnt[MAX_TYPES], ta[MAX_TYPES];
	uint8_t ty[MAX_TYPES];
	int same_w, det;
};

/* scan with unit weights and deterministic decisions: then every sum of
 * the cells is a count (adds of 1 and 0 from +0), so the rows are counted
 * in integers, a row an increment, and the cells are those counts: the
 * bits of scan's sums.  No types: with deterministic decisions run_test
 * draws the cells.  1 (ps untouched) when a weight is not 1. */
static int scan_counts(const struct ft_eval_input *in, size_t a, size_t b,
                       struct perm_scan *ps)
{
	uint64_t cnt[2][4] = {{0}};

	if (in->pos || !in->group)
		return 1;
	for (size_t i = 0; in->w && i < in->n; i++)
		if (in->w[i] != 1.0)
			return 1;
	for (size_t i = 0; i < in->n; i++) {
		int32_t g = in->group[i];
		if (g < 0 || ((size_t)g != a && (size_t)g != b))
			continue;
		cnt[(size_t)g == b][2 * (in->y[i] == 1.0) + (in->score[i] >= in->threshold)]++;
	}
	memset(&ps->ca, 0, sizeof ps->ca);
	memset(&ps->cb, 0, sizeof ps->cb);
	ps->na = ps->nb = 0;
	for (int k = 0; k < 4; k++) {
		ps->ca.w[k] = ps->ca.c[k] = (double)cnt[0][k];
		ps->cb.w[k] = ps->cb.c[k] = (double)cnt[1][k];
		ps->na += cnt[0][k];
		ps->nb += cnt[1][k];
	}
	ps->n_types = 0;
	ps->w0 = ps->na + ps->nb > 0 ? 1.0 : -1;
	ps->same_w = 1;
	ps->det = 1;
	return 0;
}

static void scan(const struct ft_eval_input *in, size_t a, size_t b, struct perm_scan *ps)
{
	struct ft_conf ca, cb;
	size_t na = 0, nb = 0, n_types = 0;
	double w0 = -1, *tp = ps->tp;
	uint64_t *tcnt = ps->tcnt, *ta = ps->ta;
	uint8_t *ty = ps->ty;
	int same_w = 1, det = 1;

	if (!scan_counts(in, a, b, ps))
		return;
	memset(&ca, 0, sizeof ca);
	memset(&cb, 0, sizeof cb);
	for (size_t i = 0; i < in->n; i++) {
		int32_t g = in->group ? in->group[i] : -1;
		double wi = in->w ? in->w[i] : 1.0, p = ft_eval_pos(in, i);
		int y = in->y[i] == 1.0;
		struct ft_conf *c;

		if (g < 0 || ((size_t)g != a && (size_t)g != b))
			continue;
		c = (size_t)g == a ? &ca : &cb;
		ft_conf_add_row(c, y, wi, p);
		if ((size_t)g == a)
			na++;
		else
			nb++;
		if (w0 < 0)
			w0 = wi;
		else if (wi != w0)
			same_w = 0;
		if (p != 0 && p != 1)
			det = 0;
		if (n_types <= MAX_TYPES) {
			size_t t = 0;

			while (t < n_types && (ty[t] != y || tp[t] != p))
				t++;
			if (t == n_types && n_types < MAX_TYPES) {
				ty[t] = (uint8_t)y;
				tp[t] = p;
				tcnt[t] = ta[t] = 0;
				n_types++;
			}
			if (t < n_types) {
				tcnt[t]++;
				ta[t] += (size_t)g == a;
			} else {
				n_types = MAX_TYPES + 1;    /* too many types */
			}
		}
	}
	ps->ca = ca;
	ps->cb = cb;
	ps->na = na;
	ps->nb = nb;
	ps->n_types = n_types;
	ps->w0 = w0;
	ps->same_w = same_w;
	ps->det = det;
}

/* The argument checks of one test (not of in). */
static int check_args(const struct ft_eval_input *in, int metric, size_t a, size_t b,
                      struct ft_error *err)
{
	if (a >= in->n_groups || b >= in->n_groups || a == b)
		return ft_error_set(err, FT_EINVAL,
		                    "permutation test: groups %zu and %zu are not two different "
		                    "groups below %zu", a, b, in->n_groups);
	if (!rate_metric(metric))
		return ft_error_set(err, FT_EINVAL,
		                    "permutation test: '%s' is not a rate metric",
		                    ft_metric_name(metric));
	return 0;
}

/* One test from the scan of its pair; memo (NULL: none) is the
 * hypergeometric draws' memory, shared by the tests of one scan (their urns
 * are the same). */
static int run_test(const struct ft_eval_input *in, const struct perm_scan *ps, int metric,
                    size_t a, size_t b, size_t n_perm, uint64_t seed,
                    struct ft_hyper_memo *memo, struct ft_value *gap, double *p_value,
                    struct ft_error *err)
{
	struct ft_conf ca = ps->ca, cb = ps->cb, tot;
	struct ft_rng r;
	uint32_t *rows = NULL;
	uint8_t *yof = NULL;
	double *pof = NULL, obs;
	const double *tp = ps->tp;
	const uint64_t *tcnt = ps->tcnt, *ta = ps->ta;
	const uint8_t *ty = ps->ty;
	size_t na = ps->na, nb = ps->nb, n_types = ps->n_types, hits = 0;
	double w0 = ps->w0;
	int same_w = ps->same_w, det = ps->det, rc;
	const char *why;

	if (!(w0 > 0))
		same_w = 0;      /* zero weights: keep the weighted arithmetic */
	if (same_w && !det && n_types <= MAX_TYPES) {
		/* the type path's arithmetic: counts of each type as weights */
		memset(&ca, 0, sizeof ca);
		memset(&cb, 0, sizeof cb);
		for (size_t t = 0; t < n_types; t++) {
			add_type(&ca, ty[t], tp[t], ta[t]);
			add_type(&cb, ty[t], tp[t], tcnt[t] - ta[t]);
		}
	} else if (same_w && det) {
		/* rates do not see a common scale: use the counts as weights, the
		 * same arithmetic as the permutations below */
		memcpy(ca.w, ca.c, sizeof ca.w);
		memcpy(cb.w, cb.c, sizeof cb.w);
	}
	obs = gap_of(&ca, &cb, metric, &why);
	if (why) {
		*gap = (struct ft_value){ NAN, why };
		return 0;
	}
	*gap = (struct ft_value){ obs, NULL };
	tot = ca;
	ft_conf_add(&tot, &cb);
	ft_rng_seed(&r, seed);

	if (same_w && det) {
		uint64_t cnt[4], xa[4];

		for (int k = 0; k < 4; k++)
			cnt[k] = (uint64_t)tot.c[k];
		for (size_t p = 0; p < n_perm; p++) {
			struct ft_conf pa, pb;
			double gp;

			ft_sample_mvhypergeometric(&r, na, cnt, 4, na + nb, xa, memo);
			for (int k = 0; k < 4; k++) {
				pa.c[k] = pa.w[k] = (double)xa[k];
				pb.c[k] = pb.w[k] = (double)(cnt[k] - xa[k]);
			}
			gp = gap_of(&pa, &pb, metric, &why);
			hits += extreme(gp, why, obs);
		}
	} else if (same_w && n_types <= MAX_TYPES) {
		/* one weight, few (y, pos) types: group a's types are a
		 * multivariate hypergeometric draw of n_a rows; b gets the rest */
		uint64_t xa[MAX_TYPES];

		for (size_t p = 0; p < n_perm; p++) {
			struct ft_conf pa, pb;
			double gp;

			memset(&pa, 0, sizeof pa);
			memset(&pb, 0, sizeof pb);
			ft_sample_mvhypergeometric(&r, na, tcnt, n_types, na + nb, xa, memo);
			for (size_t t = 0; t < n_types; t++) {
				add_type(&pa, ty[t], tp[t], xa[t]);
				add_type(&pb, ty[t], tp[t], tcnt[t] - xa[t]);
			}
			gp = gap_of(&pa, &pb, metric, &why);
			hits += extreme(gp, why, obs);
		}
	} else {
		/* deal the smaller group's rows by a partial Fisher-Yates shuffle;
		 * the other group gets the rest (total minus the drawn sums) */
		size_t N = na + nb, k = na < nb ? na : nb, j = 0;
		int small_is_a = na <= nb;

		rows = malloc(N * sizeof *rows);
		yof = malloc(N);
		pof = malloc(N * sizeof *pof);
		if (!rows || !yof || !pof) {
			rc = ft_error_set(err, FT_ENOMEM, "permutation test: out of memory");
			goto done;
		}
		for (size_t i = 0; i < in->n; i++) {
			int32_t g = in->group ? in->group[i] : -1;
			if (g >= 0 && ((size_t)g == a || (size_t)g == b)) {
				rows[j] = (uint32_t)i;
				yof[j] = in->y[i] == 1.0;
				pof[j++] = ft_eval_pos(in, i);
			}
		}
		for (size_t p = 0; p < n_perm; p++) {
			struct ft_conf small, rest;
			double gp;

			memset(&small, 0, sizeof small);
			memset(&rest, 0, sizeof rest);
			for (size_t i = 0; i < k; i++) {
				size_t pick = i + (size_t)ft_rng_below(&r, N - i);
				uint32_t tr = rows[i];
				uint8_t ty_ = yof[i];
				double tp_ = pof[i];

				rows[i] = rows[pick];
				yof[i] = yof[pick];
				pof[i] = pof[pick];
				rows[pick] = tr;
				yof[pick] = ty_;
				pof[pick] = tp_;
				ft_conf_add_row(&small, yof[i], in->w ? in->w[rows[i]] : 1.0, pof[i]);
			}
			for (int c = 0; c < 4; c++) {
				rest.w[c] = tot.w[c] - small.w[c];
				rest.c[c] = tot.c[c] - small.c[c];
				/* a rest of zero rows has zero weight, not rounding dust */
				if (rest.c[c] == 0)
					rest.w[c] = 0;
			}
			gp = small_is_a ? gap_of(&small, &rest, metric, &why)
			                : gap_of(&rest, &small, metric, &why);
			hits += extreme(gp, why, obs);
		}
	}
	*p_value = (1.0 + (double)hits) / (1.0 + (double)n_perm);
	rc = 0;
done:
	free(rows);
	free(yof);
	free(pof);
	return rc;
}

int ft_permutation_test(const struct ft_eval_input *in, int metric, size_t a,
                        size_t b, size_t n_perm, uint64_t seed,
                        struct ft_value *gap, double *p_value,
                        struct ft_error *err)
{
	struct perm_scan ps;
	struct ft_hyper_memo *memo;
	int rc;

	if (gap)
		*gap = (struct ft_value){ NAN, NULL };
	if (p_value)
		*p_value = NAN;
	rc = ft_eval_check(in, err);
	if (rc)
		return rc;
	if (!gap || !p_value)
		return ft_error_set(err, FT_EINVAL, "permutation test: no output");
	if ((rc = check_args(in, metric, a, b, err)) != 0)
		return rc;
	scan(in, a, b, &ps);
	memo = n_perm > 1 ? calloc(1, sizeof *memo) : NULL;   /* as below */
	rc = run_test(in, &ps, metric, a, b, n_perm, seed, memo, gap, p_value, err);
	free(memo);
	return rc;
}

int ft_permutation_tests(const struct ft_eval_input *in, const int *metric, size_t k,
                         size_t a, size_t b, size_t n_perm, uint64_t seed,
                         struct ft_value *gap, double *p_value, struct ft_error *err)
{
	struct perm_scan ps;
	struct ft_hyper_memo *memo;
	int rc = 0;

	for (size_t q = 0; q < k; q++) {
		gap[q] = (struct ft_value){ NAN, NULL };
		p_value[q] = NAN;
		if ((rc = check_args(in, metric[q], a, b, err)) != 0)
			return rc;
	}
	scan(in, a, b, &ps);
	/* the draws' urns repeat from one permutation to the next (the first
	 * draw's every time) and from one test to the next: their mode
	 * probabilities are kept (without the memory, for want of 32 KiB, the
	 * draws are the same, only slower) */
	memo = n_perm > 1 ? calloc(1, sizeof *memo) : NULL;
	for (size_t q = 0; q < k && !rc; q++)
		rc = run_test(in, &ps, metric[q], a, b, n_perm, seed + q, memo, &gap[q],
		              &p_value[q], err);
	free(memo);
	return rc;
}
