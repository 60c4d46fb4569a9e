/*
 * test_randomized.c - metrics of a randomized classifier (ft_eval_input.pos:
 * P(yhat = 1) per row; src/metrics/metrics.c, fairness.c, bootstrap.c,
 * permutation.c, comparison.c):
 *   - pos = 1[score >= threshold] gives bit-identical group tables,
 *     summaries, bootstrap intervals, permutation gaps and p-values and
 *     comparison rows to pos = NULL (unit, few-valued and continuous
 *     weights, so refined and row-list bootstrap cells, both permutation
 *     paths);
 *   - row expansion: the rate metrics and rate-based summaries of fractional
 *     pos equal those of the data set in which row i becomes a yhat = 1 row
 *     of weight w_i pos_i and a yhat = 0 row of weight w_i (1 - pos_i),
 *     measured with pos = NULL (itself checked against scikit-learn in
 *     test_metrics.c); score metrics equal those of pos = NULL; GE(2) and
 *     Theil equal their definitions over the expected benefits
 *     pos_i - y_i + 1, written out here;
 *   - a hand-computed six-row case;
 *   - undefined reasons with pos, and the input errors (NaN, 1.5, -0.25).
 * The Monte-Carlo checks (count bootstrap and permutation test against row
 * resampling, with pos) are in test_fairness.c beside their pos = NULL
 * counterparts.  Run from the repository root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"

/* ------------------------------------------------------------ data */

/* n rows, 3 groups (shares 3:2:2) and 1/8 of rows without a group; scores
 * on a grid of `grid` steps; weights: 0 none, 1 three values, 2 continuous;
 * pos: 0 NULL, 1 the indicator 1[score >= threshold], 2 a mixture of three
 * thresholds (a few values), 3 group-specific randomized thresholds, 4
 * continuous (every row its own value), 5 like 2 with some exact 0s and 1s
 * and zero weights. */
struct data {
	size_t n, G;
	double *y, *s, *w, *pos;
	int32_t *g;
	double threshold;
};

static void data_free(struct data *d)
{
	free(d->y);
	free(d->s);
	free(d->w);
	free(d->pos);
	free(d->g);
	memset(d, 0, sizeof *d);
}

static int data_make(struct data *d, size_t n, double grid, int weights, int pos,
                     double threshold, uint64_t seed)
{
	struct ft_rng r;

	memset(d, 0, sizeof *d);
	d->n = n;
	d->G = 3;
	d->threshold = threshold;
	d->y = malloc(n * sizeof *d->y);
	d->s = malloc(n * sizeof *d->s);
	d->w = weights ? malloc(n * sizeof *d->w) : NULL;
	d->pos = pos ? malloc(n * sizeof *d->pos) : NULL;
	d->g = malloc(n * sizeof *d->g);
	if (!d->y || !d->s || (weights && !d->w) || (pos && !d->pos) || !d->g)
		return -1;
	ft_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++) {
		double u = ft_rng_uniform(&r), x = ft_rng_normal(&r), z, s;
		int32_t g = u < 0.125 ? -1 : u < 0.5 ? 0 : u < 0.75 ? 1 : 2;

		d->g[i] = g;
		z = 1.2 * x - 0.3 + 0.4 * (g == 0) - 0.2 * (g == 2);
		s = d->s[i] = round(grid / (1 + exp(-z))) / grid;
		d->y[i] = ft_rng_uniform(&r) < 1 / (1 + exp(-(1.4 * x - 0.2)));
		if (weights == 1)
			d->w[i] = (double)(1 + ft_rng_below(&r, 3)) / 2;
		else if (weights == 2)
			d->w[i] = 0.2 + 2 * ft_rng_uniform(&r);
		switch (pos) {
		case 1:
			d->pos[i] = s >= threshold;
			break;
		case 2:
		case 5:
			d->pos[i] = 0.5 * (s >= 0.4) + 0.3 * (s >= 0.5) + 0.2 * (s >= 0.6);
			if (pos == 5 && d->w && ft_rng_uniform(&r) < 0.05)
				d->w[i] = 0;
			break;
		case 3: {
			/* (1 - q) (p 1[s >= t0] + (1 - p) 1[s >= t1]) + q c */
			static const double t0[] = { 0.45, 0.5, 0.3, 0.6 };
			static const double t1[] = { 0.55, 0.6, 0.5, 0.7 };
			static const double p[] = { 0.3, 0.6, 0.25, 0.5 };
			static const double q[] = { 0.1, 0, 0.2, 0.05 };
			static const double c[] = { 0.5, 0, 1, 0.2 };
			int k = g + 1;
			d->pos[i] = (1 - q[k]) * (p[k] * (s >= t0[k]) + (1 - p[k]) * (s >= t1[k])) +
			            q[k] * c[k];
			break;
		}
		case 4:
			d->pos[i] = fmin(1, fmax(0, s + 0.3 * (ft_rng_uniform(&r) - 0.5)));
			break;
		}
	}
	return 0;
}

static struct ft_eval_input data_input(const struct data *d, long priv)
{
	static const char *const names[] = { "g0", "g1", "g2" };
	struct ft_eval_input in;

	ft_eval_input_init(&in);
	in.n = d->n;
	in.y = d->y;
	in.score = d->s;
	in.w = d->w;
	in.pos = d->pos;
	in.group = d->g;
	in.n_groups = d->G;
	in.group_names = names;
	in.privileged = priv;
	in.threshold = d->threshold;
	return in;
}

/* ------------------------------------------------------ comparisons */

static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static int same_why(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

static int same_value(struct ft_value a, struct ft_value b)
{
	return same_bits(a.value, b.value) && same_why(a.why, b.why);
}

/* Every value of two group tables bit for bit; returns the differences. */
static int diff_group_tables(const struct ft_group_table *a, const struct ft_group_table *b)
{
	int bad = 0;

	for (size_t r = 0; r <= a->n_groups; r++)
		for (int m = 0; m < FT_N_METRICS; m++)
			if (!same_value(FT_GT(a, r, m), FT_GT(b, r, m))) {
				if (!bad)
					T_FAIL("row %zu, %s: %.17g (%s) vs %.17g (%s)", r, ft_metric_name(m),
					       FT_GT(a, r, m).value, FT_GT(a, r, m).why ? FT_GT(a, r, m).why : "-",
					       FT_GT(b, r, m).value, FT_GT(b, r, m).why ? FT_GT(b, r, m).why : "-");
				bad++;
			}
	return bad;
}

static int diff_summaries(const struct ft_summary_table *a, const struct ft_summary_table *b)
{
	int bad = 0;

	if (a->n != b->n) {
		T_FAIL("%zu vs %zu summaries", a->n, b->n);
		return 1;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct ft_summary *x = &a->s[i], *y = &b->s[i];
		if (x->metric != y->metric || x->convention != y->convention ||
		    !same_value(x->v, y->v) || !same_value(x->lo, y->lo) ||
		    !same_value(x->hi, y->hi)) {
			if (!bad)
				T_FAIL("%s / %s: %.17g [%.17g, %.17g] vs %.17g [%.17g, %.17g]",
				       ft_fairness_name(x->metric), ft_convention_name(x->convention),
				       x->v.value, x->lo.value, x->hi.value, y->v.value, y->lo.value,
				       y->hi.value);
			bad++;
		}
	}
	return bad;
}

/* ------------------------------------------- (1) indicator = NULL */

static int diff_comparisons(const struct ft_comparison *a, const struct ft_comparison *b)
{
	if (a->n != b->n) {
		T_FAIL("%zu vs %zu comparison rows", a->n, b->n);
		return 1;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct ft_comparison_row *x = &a->rows[i], *y = &b->rows[i];
		if (strcmp(x->metric, y->metric) || strcmp(x->group, y->group) ||
		    strcmp(x->convention, y->convention) || !same_bits(x->value, y->value) ||
		    !same_bits(x->lo, y->lo) || !same_bits(x->hi, y->hi) ||
		    !same_why(x->why, y->why) || !same_why(x->ci_why, y->ci_why)) {
			T_FAIL("comparison row %zu (%s, %s): %.17g vs %.17g", i, x->metric, x->group,
			       x->value, y->value);
			return 1;
		}
	}
	return 0;
}

static void indicator_case(size_t n, double grid, int weights, double threshold, long priv)
{
	struct data d;
	struct ft_eval_input in0, in1;
	struct ft_group_table *g0 = NULL, *g1 = NULL;
	struct ft_summary_table *s0 = NULL, *s1 = NULL;
	struct ft_comparison *c0 = calloc(1, sizeof *c0), *c1 = calloc(1, sizeof *c1);
	struct ft_error err = { 0 };

	if (!c0 || !c1 || data_make(&d, n, grid, weights, 1, threshold, 77 + (uint64_t)weights) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	in1 = data_input(&d, priv);
	in0 = in1;
	in0.pos = NULL;
	T_CHECK(ft_group_metrics(&in0, &g0, &err) == 0);
	T_CHECK(ft_group_metrics(&in1, &g1, &err) == 0);
	if (g0 && g1)
		T_CHECKF(diff_group_tables(g0, g1) == 0, "weights %d: group tables differ", weights);
	T_CHECK(ft_fairness_summaries(&in0, 200, 31, 0.9, &s0, &err) == 0);
	T_CHECK(ft_fairness_summaries(&in1, 200, 31, 0.9, &s1, &err) == 0);
	if (s0 && s1)
		T_CHECKF(diff_summaries(s0, s1) == 0, "weights %d, grid %g: summaries differ",
		         weights, grid);
	for (int m = FT_M_BASE_RATE; m <= FT_M_ACCURACY; m++) {
		struct ft_value ga, gb;
		double pa, pb;

		T_CHECK(ft_permutation_test(&in0, m, 0, 2, 300, 5, &ga, &pa, &err) == 0);
		T_CHECK(ft_permutation_test(&in1, m, 0, 2, 300, 5, &gb, &pb, &err) == 0);
		T_CHECKF(same_value(ga, gb) && same_bits(pa, pb),
		         "weights %d, %s: gap %.17g p %.17g vs gap %.17g p %.17g", weights,
		         ft_metric_name(m), ga.value, pa, gb.value, pb);
	}
	c0->n_bootstrap = c1->n_bootstrap = 50;
	c0->seed = c1->seed = 9;
	c0->level = c1->level = 0.95;
	c0->threshold = c1->threshold = threshold;
	T_CHECK(ft_comparison_measure(c0, "m", "test", &in0, &err) == 0);
	T_CHECK(ft_comparison_permutation(c0, "m", "test", &in0, 200, &err) == 0);
	T_CHECK(ft_comparison_measure(c1, "m", "test", &in1, &err) == 0);
	T_CHECK(ft_comparison_permutation(c1, "m", "test", &in1, 200, &err) == 0);
	T_CHECKF(c0->n > 90, "%zu rows", c0->n);
	diff_comparisons(c0, c1);
done:
	ft_group_table_free(g0);
	ft_group_table_free(g1);
	ft_summary_table_free(s0);
	ft_summary_table_free(s1);
	ft_comparison_free(c0);
	ft_comparison_free(c1);
	data_free(&d);
}

static void test_indicator_is_deterministic(void)
{
	/* unit weights: refined cells, hypergeometric permutations */
	indicator_case(2000, 20, 0, 0.5, 1);
	/* three weight values, continuous scores, a threshold inside a bin */
	indicator_case(2000, 1e6, 1, 0.37, -1);
	/* continuous weights, 5 scores: row-list cells, shuffled permutations */
	indicator_case(3000, 4, 2, 0.5, 0);
}

/* ------------------------------------------------ (2) row expansion */

/* Row i -> (y_i, score 1, w_i pos_i) when pos_i > 0 and (y_i, score 0,
 * w_i (1 - pos_i)) when pos_i < 1, threshold 0.5: the expanded rows are
 * exactly the rows that can land in each cell. */
static int expand(const struct data *d, struct data *e)
{
	size_t m = 0;

	memset(e, 0, sizeof *e);
	e->G = d->G;
	e->threshold = 0.5;
	e->y = malloc(2 * d->n * sizeof *e->y);
	e->s = malloc(2 * d->n * sizeof *e->s);
	e->w = malloc(2 * d->n * sizeof *e->w);
	e->g = malloc(2 * d->n * sizeof *e->g);
	if (!e->y || !e->s || !e->w || !e->g)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1, p = d->pos[i];
		for (int yhat = 1; yhat >= 0; yhat--) {
			if (yhat ? !(p > 0) : !(p < 1))
				continue;
			e->y[m] = d->y[i];
			e->s[m] = yhat;
			e->w[m] = w * (yhat ? p : 1 - p);
			e->g[m] = d->g[i];
			m++;
		}
	}
	e->n = m;
	return 0;
}

static int near(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(1, fabs(b));
}

static double xlogx(double x)
{
	return x > 0 ? x * log(x) : 0;
}

/* GE(2) and Theil of the expected benefits b_i = pos_i - y_i + 1, weighted
 * by w / sum w, from the definitions. */
static void inequality_by_definition(const struct data *d, double *ge, double *theil)
{
	double W = 0, B = 0, mu, a = 0, t = 0;

	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1;
		W += w;
		B += w * (d->pos[i] - d->y[i] + 1);
	}
	mu = B / W;
	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1, x = (d->pos[i] - d->y[i] + 1) / mu;
		a += w * (x * x - 1);
		t += w * xlogx(x);
	}
	*ge = a / (2 * W);
	*theil = t / W;
}

static void expansion_case(int weights, int pos, double grid, long priv, uint64_t seed)
{
	struct data d, e;
	struct ft_eval_input in, ine, in0;
	struct ft_group_table *gr = NULL, *ge = NULL, *g0 = NULL;
	struct ft_summary_table *sr = NULL, *se = NULL, *s0 = NULL;
	int compared = 0;

	memset(&e, 0, sizeof e);
	if (data_make(&d, 1500, grid, weights, pos, 0.5, seed) != 0 || expand(&d, &e) != 0) {
		T_FAIL("out of memory");
		goto done;
	}
	in = data_input(&d, priv);
	ine = data_input(&e, priv);
	in0 = in;
	in0.pos = NULL;
	if (ft_group_metrics(&in, &gr, NULL) || ft_group_metrics(&ine, &ge, NULL) ||
	    ft_group_metrics(&in0, &g0, NULL) ||
	    ft_fairness_summaries(&in, 0, 0, 0.95, &sr, NULL) ||
	    ft_fairness_summaries(&ine, 0, 0, 0.95, &se, NULL) ||
	    ft_fairness_summaries(&in0, 0, 0, 0.95, &s0, NULL)) {
		T_FAIL("a call failed");
		goto done;
	}
	for (size_t r = 0; r <= d.G; r++) {
		for (int m = 0; m < FT_N_METRICS; m++) {
			struct ft_value a = FT_GT(gr, r, m), b = FT_GT(ge, r, m);

			if (m == FT_M_COUNT || m >= FT_M_LOG_LOSS)
				b = FT_GT(g0, r, m);   /* rows and score metrics: pos = NULL */
			if (m == FT_M_COUNT || m == FT_M_AUC) {
				T_CHECKF(same_value(a, b), "pos %d, row %zu, %s: %.17g vs %.17g", pos, r,
				         ft_metric_name(m), a.value, b.value);
				continue;
			}
			T_CHECKF(same_why(a.why, b.why) && (a.why || near(a.value, b.value, 1e-12)),
			         "weights %d, pos %d, row %zu, %s: %.17g (%s), expanded %.17g (%s)",
			         weights, pos, r, ft_metric_name(m), a.value, a.why ? a.why : "-",
			         b.value, b.why ? b.why : "-");
			compared++;
		}
	}
	T_CHECK(sr->n == se->n && sr->n == s0->n);
	for (size_t k = 0; k < sr->n && k < se->n; k++) {
		const struct ft_summary *a = &sr->s[k], *b = &se->s[k];
		int f = a->metric;

		if (f == FT_F_GEI || f == FT_F_THEIL)
			continue;
		if (f == FT_F_AUC_GAP) {
			b = &s0->s[k];
			T_CHECK(same_value(a->v, b->v));
			continue;
		}
		T_CHECKF(same_why(a->v.why, b->v.why) &&
		         (a->v.why || near(a->v.value, b->v.value, 1e-12)),
		         "weights %d, pos %d, %s / %s: %.17g (%s), expanded %.17g (%s)", weights,
		         pos, ft_fairness_name(f), ft_convention_name(a->convention), a->v.value,
		         a->v.why ? a->v.why : "-", b->v.value, b->v.why ? b->v.why : "-");
		compared++;
	}
	{
		double gei, theil;
		const struct ft_summary *a = NULL, *b = NULL;

		inequality_by_definition(&d, &gei, &theil);
		for (size_t k = 0; k < sr->n; k++) {
			if (sr->s[k].metric == FT_F_GEI)
				a = &sr->s[k];
			if (sr->s[k].metric == FT_F_THEIL)
				b = &sr->s[k];
		}
		T_CHECKF(a && !a->v.why && near(a->v.value, gei, 1e-12), "GE(2) %.17g, expected %.17g",
		         a ? a->v.value : NAN, gei);
		T_CHECKF(b && !b->v.why && near(b->v.value, theil, 1e-12), "Theil %.17g, expected %.17g",
		         b ? b->v.value : NAN, theil);
		/* the expanded rows' indices count the coin flips as inequality:
		 * strictly larger (every pos mode here has fractional values) */
		for (size_t k = 0; a && b && k < se->n; k++) {
			if (se->s[k].metric == FT_F_GEI)
				T_CHECK(se->s[k].v.value > a->v.value);
			if (se->s[k].metric == FT_F_THEIL)
				T_CHECK(se->s[k].v.value > b->v.value);
		}
	}
	T_CHECKF(compared > 70, "only %zu values compared", (size_t)compared);
done:
	ft_group_table_free(gr);
	ft_group_table_free(ge);
	ft_group_table_free(g0);
	ft_summary_table_free(sr);
	ft_summary_table_free(se);
	ft_summary_table_free(s0);
	data_free(&d);
	data_free(&e);
}

static void test_row_expansion(void)
{
	for (int pos = 2; pos <= 5; pos++)
		for (int weights = 0; weights < 3; weights++)
			expansion_case(weights, pos, pos == 4 ? 1e6 : 20, weights == 1 ? -1 : 1,
			               200 + (uint64_t)(10 * pos + weights));
}

/* ------------------------------------------------- (3) a hand case */

/*   row  group  y  w  pos   b = pos - y + 1
 *    0     A    1  1  0.5    0.5
 *    1     A    0  1  0.25   1.25
 *    2     A    1  2  1      1
 *    3     B    1  1  0.2    0.2
 *    4     B    0  2  0.5    1.5
 *    5     B    0  1  0      1
 * A: W 4, selected 0.5 + 0.25 + 2 = 2.75; positives 3, TP 2.5; negatives 1,
 *    FP 0.25; correct TP 2.5 + TN 0.75 = 3.25.
 * B: W 4, selected 0.2 + 1 + 0 = 1.2; positives 1, TP 0.2; negatives 3,
 *    FP 1; correct 0.2 + (1 + 1) = 2.2.
 * The scores are chosen so that score >= 0.5 disagrees with pos. */
static void test_hand_case(void)
{
	static const double y[] = { 1, 0, 1, 1, 0, 0 };
	static const double w[] = { 1, 1, 2, 1, 2, 1 };
	static const double pos[] = { 0.5, 0.25, 1, 0.2, 0.5, 0 };
	static const double s[] = { 0.9, 0.1, 0.2, 0.8, 0.3, 0.7 };
	static const int32_t g[] = { 0, 0, 0, 1, 1, 1 };
	static const char *const names[] = { "A", "B" };
	struct ft_eval_input in;
	struct ft_group_table *t = NULL;
	struct ft_summary_table *st = NULL;
	double srA = 2.75 / 4, srB = 1.2 / 4, tprA = 2.5 / 3, tprB = 0.2;
	double fprA = 0.25, fprB = 1.0 / 3, srO = 3.95 / 8;

	ft_eval_input_init(&in);
	in.n = 6;
	in.y = y;
	in.score = s;
	in.w = w;
	in.pos = pos;
	in.group = g;
	in.n_groups = 2;
	in.group_names = names;
	in.privileged = 0;
	T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
	T_CHECK(ft_fairness_summaries(&in, 0, 0, 0.95, &st, NULL) == 0);
	if (!t || !st)
		goto done;
	T_NEAR(FT_GT(t, 1, FT_M_SELECTION_RATE).value, srA, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_SELECTION_RATE).value, srB, 1e-15);
	T_NEAR(FT_GT(t, 0, FT_M_SELECTION_RATE).value, srO, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_TPR).value, tprA, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_TPR).value, tprB, 1e-15);
	T_NEAR(FT_GT(t, 0, FT_M_TPR).value, 2.7 / 4, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_FPR).value, fprA, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_FPR).value, fprB, 1e-15);
	T_NEAR(FT_GT(t, 0, FT_M_FPR).value, 1.25 / 4, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_ACCURACY).value, 3.25 / 4, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_ACCURACY).value, 2.2 / 4, 1e-15);
	T_NEAR(FT_GT(t, 0, FT_M_ACCURACY).value, 5.45 / 8, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_PPV).value, 2.5 / 2.75, 1e-15);
	T_NEAR(FT_GT(t, 2, FT_M_NPV).value, 2.0 / 2.8, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_BALANCED_ACCURACY).value, (tprA + 0.75) / 2, 1e-15);
	T_NEAR(FT_GT(t, 1, FT_M_COUNT).value, 3, 0);
	T_NEAR(FT_GT(t, 0, FT_M_COUNT).value, 6, 0);
	T_NEAR(FT_GT(t, 0, FT_M_WEIGHT).value, 8, 1e-15);
	/* the AUC is the score's: A has positive scores 0.9, 0.2 (w 2) against
	 * a negative at 0.1: 1 */
	T_NEAR(FT_GT(t, 1, FT_M_AUC).value, 1, 1e-15);
	for (size_t k = 0; k < st->n; k++) {
		const struct ft_summary *x = &st->s[k];
		double v = NAN;

		switch (x->metric * 8 + x->convention) {
		case FT_F_DP_DIFF * 8 + FT_CONV_BETWEEN: v = srA - srB; break;
		case FT_F_DP_DIFF * 8 + FT_CONV_TO_OVERALL: v = srA - srO; break;
		case FT_F_DP_DIFF * 8 + FT_CONV_SIGNED: v = srB - srA; break;
		case FT_F_DP_RATIO * 8 + FT_CONV_BETWEEN: v = srB / srA; break;
		case FT_F_DP_RATIO * 8 + FT_CONV_TO_OVERALL: v = srB / srO; break;
		case FT_F_DP_RATIO * 8 + FT_CONV_SIGNED: v = srB / srA; break;
		case FT_F_EOP_DIFF * 8 + FT_CONV_SIGNED: v = tprB - tprA; break;
		case FT_F_EO_DIFF * 8 + FT_CONV_BETWEEN: v = fmax(tprA - tprB, fprB - fprA); break;
		case FT_F_EO_DIFF * 8 + FT_CONV_SIGNED: v = tprA - tprB; break;
		case FT_F_AOD * 8 + FT_CONV_SIGNED: v = ((fprB - fprA) + (tprB - tprA)) / 2; break;
		case FT_F_GEI * 8 + FT_CONV_INDIVIDUAL: {
			/* sum w b = 7.95, sum w b^2 = 9.3525, W = 8 */
			double mu = 7.95 / 8;
			v = (9.3525 / (8 * mu * mu) - 1) / 2;
			break;
		}
		case FT_F_THEIL * 8 + FT_CONV_INDIVIDUAL: {
			double mu = 7.95 / 8;
			v = (xlogx(0.5 / mu) + xlogx(1.25 / mu) + 2 * xlogx(1 / mu) + xlogx(0.2 / mu) +
			     2 * xlogx(1.5 / mu) + xlogx(1 / mu)) / 8;
			break;
		}
		case FT_F_GEI_BETWEEN * 8 + FT_CONV_INDIVIDUAL: {
			/* group means: A 3.75 / 4, B 4.2 / 4 */
			double mu = 7.95 / 8, a = 3.75 / 4 / mu, b = 4.2 / 4 / mu;
			v = (4 * (a * a - 1) + 4 * (b * b - 1)) / 16;
			break;
		}
		default:
			continue;
		}
		T_CHECKF(x->v.why == NULL && near(x->v.value, v, 1e-14),
		         "%s / %s = %.17g, expected %.17g", ft_fairness_name(x->metric),
		         ft_convention_name(x->convention), x->v.value, v);
	}
done:
	ft_group_table_free(t);
	ft_summary_table_free(st);
}

/* Undefined reasons: "no predicted positives" means no row with pos > 0;
 * rows with pos > 0 and no weight are "zero total weight". */
static void test_undefined_with_pos(void)
{
	double y[] = { 1, 0, 1, 0, 1, 0 }, w[] = { 1, 1, 1, 1, 0, 1 };
	double pos[] = { 0, 0, 1, 1, 0.5, 0 }, s[] = { 0.9, 0.9, 0.1, 0.1, 0.9, 0.9 };
	int32_t g[] = { 0, 0, 1, 1, 2, 2 };
	struct ft_eval_input in;
	struct ft_group_table *t = NULL;

	ft_eval_input_init(&in);
	in.n = 6;
	in.y = y;
	in.score = s;
	in.w = w;
	in.pos = pos;
	in.group = g;
	in.n_groups = 3;
	T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
	if (!t)
		return;
	/* group 0: scores say selected, pos says never */
	T_STREQ(FT_GT(t, 1, FT_M_PPV).why, "no predicted positives");
	T_NEAR(FT_GT(t, 1, FT_M_SELECTION_RATE).value, 0, 0);
	T_NEAR(FT_GT(t, 1, FT_M_NPV).value, 0.5, 0);
	/* group 1: always selected */
	T_STREQ(FT_GT(t, 2, FT_M_NPV).why, "no predicted negatives");
	T_NEAR(FT_GT(t, 2, FT_M_PPV).value, 0.5, 0);
	/* group 2: the only row that may be selected has weight 0 */
	T_STREQ(FT_GT(t, 3, FT_M_PPV).why, "predicted positives have zero total weight");
	T_STREQ(FT_GT(t, 3, FT_M_TPR).why, "positive labels have zero total weight");
	T_NEAR(FT_GT(t, 3, FT_M_COUNT).value, 2, 0);
	T_NEAR(FT_GT(t, 3, FT_M_NPV).value, 1, 0);
	ft_group_table_free(t);
}

/* ----------------------------------------------------- (5) errors */

static void test_pos_errors(void)
{
	static const double y[] = { 1, 0, 1, 0 }, s[] = { .9, .2, .6, .7 };
	static const int32_t g[] = { 0, 0, 1, 1 };
	double pos[] = { 0.5, 0.5, 0.5, 0.5 };
	struct {
		size_t at;
		double v;
		const char *msg;
	} bad[] = {
		{ 3, NAN, "metrics: pos[3] = nan is not a probability in [0, 1]" },
		{ 2, 1.5, "metrics: pos[2] = 1.5 is not a probability in [0, 1]" },
		{ 0, -0.25, "metrics: pos[0] = -0.25 is not a probability in [0, 1]" },
		{ 1, INFINITY, "metrics: pos[1] = inf is not a probability in [0, 1]" },
	};
	struct ft_eval_input in;

	ft_eval_input_init(&in);
	in.n = 4;
	in.y = y;
	in.score = s;
	in.pos = pos;
	in.group = g;
	in.n_groups = 2;
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		struct ft_error err = { 0 };
		struct ft_group_table *t = (struct ft_group_table *)&err;
		struct ft_summary_table *st = (struct ft_summary_table *)&err;
		struct ft_value gap;
		double p;

		pos[bad[k].at] = bad[k].v;
		T_CHECK(ft_group_metrics(&in, &t, &err) == FT_EINVAL && t == NULL);
		T_STREQ(err.msg, bad[k].msg);
		memset(&err, 0, sizeof err);
		T_CHECK(ft_fairness_summaries(&in, 10, 1, 0.95, &st, &err) == FT_EINVAL && st == NULL);
		T_STREQ(err.msg, bad[k].msg);
		memset(&err, 0, sizeof err);
		T_CHECK(ft_permutation_test(&in, FT_M_TPR, 0, 1, 10, 1, &gap, &p, &err) == FT_EINVAL);
		T_STREQ(err.msg, bad[k].msg);
		pos[bad[k].at] = 0.5;
	}
	/* the bounds themselves are fine */
	pos[0] = 0;
	pos[1] = 1;
	{
		struct ft_group_table *t = NULL;
		T_CHECK(ft_group_metrics(&in, &t, NULL) == 0);
		ft_group_table_free(t);
	}
}

int main(void)
{
	T_RUN(test_indicator_is_deterministic);
	T_RUN(test_row_expansion);
	T_RUN(test_hand_case);
	T_RUN(test_undefined_with_pos);
	T_RUN(test_pos_errors);
	return t_done();
}
