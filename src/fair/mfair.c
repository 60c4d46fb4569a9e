/*
 * mfair.c - FA*IR with several protected groups:
 *
 *   Zehlike, Suehr, Baeza-Yates, Bonchi, Castillo & Hajian, "Fair Top-k
 *   Ranking with Multiple Protected Groups", Information Processing &
 *   Management 59(1), 2022, sections 3-4 (the multinomial ranked group
 *   fairness test, the tree of minimum-count vectors "mTree", the failure
 *   probability and the adjustment of alpha).
 *
 * The test (include/fairtrain.h): a prefix of length i with protected
 * counts tau passes when F(tau; i, p) = P(X_g <= tau_g for every protected
 * g) > alpha, X ~ Multinomial(i, p), the base (non-protected) group taking
 * the rest.  The set of passing tau is an up-set (F grows with every
 * tau_g), so position i's requirement is the antichain of its minimal
 * vectors: our table.  The authors' code (MilkaLichtblau/Multinomial_FA-IR,
 * algorithm/src/main/java/algorithm/MTree.java) grows a tree whose level
 * i + 1 holds the children of level i's nodes (the node itself if it still
 * passes, else the node plus one in each protected group that then
 * passes); its nodes are passing vectors, and we list instead every
 * minimal passing vector of each position, which the fixture checks
 * against exact enumeration of the multinomial CDF.
 *
 * Failure probability.  The authors estimate it by 10,000 random rankings
 * (FailProbabilityEstimator.java, RUNS_FOR_FAILPROB) and adjust alpha by a
 * bisection that stops within EPS = 0.001 of the target (MTree.java).  We
 * compute it exactly, as FA*IR's binomial case (rerank.c): a forward pass
 * over the protected counts keeps q(tau) = P(counts tau after i items and
 * no failed test so far), q_i(tau) = p_base q_{i-1}(tau) + sum_g p_g
 * q_{i-1}(tau - e_g), removing (and adding to the failure probability)
 * the mass at failing tau.  The adjustment bisects on the level in (0,
 * alpha] down to adjacent doubles, keeping the larger level whose failure
 * probability is at most alpha (a step function of the level).
 *
 * Arithmetic.  The counts of the d = G - 1 protected groups index a cube
 * of side k + 1 (protected group j, in increasing group order, is digit j
 * with the first the most significant, so increasing index is
 * lexicographic order).  Position i uses the sub-cube of counts <= i: the
 * multinomial pmf is updated in place in decreasing index order (tau - e_g
 * has a smaller index, so it still holds level i - 1), and F is its
 * prefix sum along every axis; all terms are positive.  Work per position
 * is O((i + 1)^d d), memory three cubes; the cube is capped at 2^22
 * entries.
 *
 * Not here: the binomial tables (rerank.c), which this equals for two
 * groups.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"

#define MAX_CUBE ((size_t)1 << 22)

struct mf {
	size_t G, d, k, side, S;
	int32_t base;
	size_t *pg;            /* d protected groups */
	double *pp;            /* their probabilities */
	double pbase;
	size_t *stride;        /* d */
	double *pmf, *F, *q;   /* S each (q may be NULL) */
	size_t *c;             /* d: odometer */
};

static void mf_free(struct mf *m)
{
	free(m->pg);
	free(m->pp);
	free(m->stride);
	free(m->pmf);
	free(m->F);
	free(m->q);
	free(m->c);
}

static int mf_init(struct mf *m, size_t k, size_t G, const double *p, int32_t base,
                   double alpha, int want_q, struct ft_error *err)
{
	double s = 0;
	size_t j = 0;

	memset(m, 0, sizeof *m);
	if (G < 2)
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: %zu groups (at least 2)", G);
	if (base < 0 || (size_t)base >= G)
		return ft_error_set(err, FT_EINVAL,
		                    "multinomial fa*ir: base group %ld is not a group index below %zu",
		                    (long)base, G);
	if (!p)
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: p is NULL");
	if (!(alpha > 0 && alpha < 1))
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: alpha = %g is not in (0, 1)",
		                    alpha);
	for (size_t g = 0; g < G; g++) {
		if (!(p[g] >= 0 && p[g] <= 1))
			return ft_error_set(err, FT_EINVAL,
			                    "multinomial fa*ir: p[%zu] = %g is not a proportion", g, p[g]);
		s += p[g];
	}
	if (!(fabs(s - 1) <= FT_PROP_TOL))
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: p sums to %.17g, not 1", s);
	m->G = G;
	m->d = G - 1;
	m->k = k;
	m->side = k + 1;
	m->base = base;
	m->S = 1;
	for (size_t t = 0; t < m->d; t++) {
		if (m->S > MAX_CUBE / m->side)
			return ft_error_set(err, FT_EINVAL,
			                    "multinomial fa*ir: (k + 1)^%zu protected counts exceed %zu states "
			                    "(fewer groups or a smaller k)", m->d, MAX_CUBE);
		m->S *= m->side;
	}
	m->pg = malloc(m->d * sizeof *m->pg);
	m->pp = malloc(m->d * sizeof *m->pp);
	m->stride = malloc(m->d * sizeof *m->stride);
	m->c = malloc(m->d * sizeof *m->c);
	m->pmf = calloc(m->S, sizeof *m->pmf);
	m->F = calloc(m->S, sizeof *m->F);
	m->q = want_q ? calloc(m->S, sizeof *m->q) : NULL;
	if (!m->pg || !m->pp || !m->stride || !m->c || !m->pmf || !m->F ||
	    (want_q && !m->q)) {
		mf_free(m);
		return ft_error_set(err, FT_ENOMEM, "multinomial fa*ir: out of memory");
	}
	for (size_t g = 0; g < G; g++)
		if ((int32_t)g != base) {
			m->pg[j] = g;
			m->pp[j] = p[g] / s;
			j++;
		}
	m->pbase = p[base] / s;
	for (size_t t = m->d; t-- > 0;)
		m->stride[t] = t + 1 == m->d ? 1 : m->stride[t + 1] * m->side;
	m->pmf[0] = 1.0;
	if (m->q)
		m->q[0] = 1.0;
	return 0;
}

/* Odometer over the counts <= lim: first (all 0 or all lim) and next. */
static size_t odo_index(const struct mf *m)
{
	size_t idx = 0;

	for (size_t t = 0; t < m->d; t++)
		idx += m->c[t] * m->stride[t];
	return idx;
}

static int odo_up(struct mf *m, size_t lim)
{
	for (size_t t = m->d; t-- > 0;) {
		if (m->c[t] < lim) {
			m->c[t]++;
			return 1;
		}
		m->c[t] = 0;
	}
	return 0;
}

static int odo_down(struct mf *m, size_t lim)
{
	for (size_t t = m->d; t-- > 0;) {
		if (m->c[t] > 0) {
			m->c[t]--;
			return 1;
		}
		m->c[t] = lim;
	}
	return 0;
}

/* One more item: v_i from v_{i-1} in place (pmf or q), over counts <= i. */
static void step(struct mf *m, double *v, size_t i)
{
	for (size_t t = 0; t < m->d; t++)
		m->c[t] = i;
	do {
		size_t idx = odo_index(m);
		double x = m->pbase * v[idx];
		for (size_t t = 0; t < m->d; t++)
			if (m->c[t] > 0)
				x += m->pp[t] * v[idx - m->stride[t]];
		v[idx] = x;
	} while (odo_down(m, i));
}

/* F over counts <= i from pmf (level i). */
static void cdf_level(struct mf *m, size_t i)
{
	memset(m->c, 0, m->d * sizeof *m->c);
	do {
		size_t idx = odo_index(m);
		m->F[idx] = m->pmf[idx];
	} while (odo_up(m, i));
	for (size_t t = 0; t < m->d; t++) {
		memset(m->c, 0, m->d * sizeof *m->c);
		do {
			if (m->c[t] > 0) {
				size_t idx = odo_index(m);
				m->F[idx] += m->F[idx - m->stride[t]];
			}
		} while (odo_up(m, i));
	}
}

/* Advance pmf (and q) to level i and compute F; with q, remove the mass
 * that fails at alpha and return it. */
static double level(struct mf *m, size_t i, double alpha)
{
	double fail = 0;

	step(m, m->pmf, i);
	cdf_level(m, i);
	if (!m->q)
		return 0;
	step(m, m->q, i);
	memset(m->c, 0, m->d * sizeof *m->c);
	do {
		size_t idx = odo_index(m);
		if (!(m->F[idx] > alpha)) {
			fail += m->q[idx];
			m->q[idx] = 0;
		}
	} while (odo_up(m, i));
	return fail;
}

int ft_mfair_cdf(size_t i, size_t n_groups, const double *p, int32_t base,
                 const size_t *tau, double *F, struct ft_error *err)
{
	struct mf m;
	int rc;

	if (!tau || !F)
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: %s is NULL",
		                    tau ? "F" : "tau");
	if ((rc = mf_init(&m, i, n_groups, p, base, 0.5, 0, err)) < 0)
		return rc;
	for (size_t l = 1; l <= i; l++)
		step(&m, m.pmf, l);
	cdf_level(&m, i);
	for (size_t t = 0; t < m.d; t++)
		m.c[t] = tau[m.pg[t]] < i ? tau[m.pg[t]] : i;
	*F = fmin(1.0, m.F[odo_index(&m)]);
	mf_free(&m);
	return 0;
}

void ft_mtable_free(struct ft_mtable *t)
{
	if (!t)
		return;
	free(t->off);
	free(t->m);
	free(t);
}

int ft_mfair_mtable(size_t k, size_t n_groups, const double *p, int32_t base,
                    double alpha, struct ft_mtable **out, struct ft_error *err)
{
	struct ft_mtable *t = NULL;
	struct mf m;
	size_t cap = 16, rows = 0;
	int rc;

	*out = NULL;
	if ((rc = mf_init(&m, k, n_groups, p, base, alpha, 0, err)) < 0)
		return rc;
	t = calloc(1, sizeof *t);
	if (!t || !(t->off = calloc(k + 1, sizeof *t->off)) ||
	    !(t->m = malloc(cap * n_groups * sizeof *t->m)))
		goto nomem;
	t->k = k;
	t->n_groups = n_groups;
	t->base = base;
	t->alpha = alpha;
	for (size_t i = 1; i <= k; i++) {
		level(&m, i, alpha);
		memset(m.c, 0, m.d * sizeof *m.c);
		do {
			size_t idx = odo_index(&m), *row;
			int minimal = m.F[idx] > alpha;
			for (size_t u = 0; minimal && u < m.d; u++)
				if (m.c[u] > 0 && m.F[idx - m.stride[u]] > alpha)
					minimal = 0;
			if (!minimal)
				continue;
			if (rows == cap) {
				size_t *nm = realloc(t->m, 2 * cap * n_groups * sizeof *nm);
				if (!nm)
					goto nomem;
				t->m = nm;
				cap *= 2;
			}
			row = t->m + rows * n_groups;
			memset(row, 0, n_groups * sizeof *row);
			for (size_t u = 0; u < m.d; u++)
				row[m.pg[u]] = m.c[u];
			rows++;
		} while (odo_up(&m, i));
		t->off[i] = rows;
	}
	*out = t;
	mf_free(&m);
	return 0;
nomem:
	mf_free(&m);
	ft_mtable_free(t);
	return ft_error_set(err, FT_ENOMEM, "multinomial fa*ir: out of memory");
}

/* The failure probability without the argument checks of the caller. */
static int fail_of(size_t k, size_t G, const double *p, int32_t base, double alpha,
                   double *prob, struct ft_error *err)
{
	struct mf m;
	double fail = 0;
	int rc;

	if ((rc = mf_init(&m, k, G, p, base, alpha, 1, err)) < 0)
		return rc;
	for (size_t i = 1; i <= k; i++)
		fail += level(&m, i, alpha);
	*prob = fail;
	mf_free(&m);
	return 0;
}

int ft_mfair_fail_prob(size_t k, size_t n_groups, const double *p, int32_t base,
                       double alpha, double *prob, struct ft_error *err)
{
	if (!prob)
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: prob is NULL");
	return fail_of(k, n_groups, p, base, alpha, prob, err);
}

int ft_mfair_adjust_alpha(size_t k, size_t n_groups, const double *p,
                          int32_t base, double alpha, double *alpha_c,
                          double *fail, struct ft_error *err)
{
	double lo = 0, hi = alpha, flo = 0, f;
	int rc;

	if (!alpha_c)
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: alpha_c is NULL");
	if ((rc = fail_of(k, n_groups, p, base, alpha, &f, err)) < 0)
		return rc;
	if (f <= alpha) {
		*alpha_c = alpha;
		if (fail)
			*fail = f;
		return 0;
	}
	/* invariant: fail(lo) <= alpha < fail(hi); fail(0+) = 0 */
	for (;;) {
		double mid = lo + (hi - lo) / 2;
		if (!(mid > lo && mid < hi))
			break;
		if ((rc = fail_of(k, n_groups, p, base, mid, &f, err)) < 0)
			return rc;
		if (f <= alpha) {
			lo = mid;
			flo = f;
		} else {
			hi = mid;
		}
	}
	if (lo == 0) {            /* the level just above 0 */
		lo = nextafter(0.0, 1.0);
		if ((rc = fail_of(k, n_groups, p, base, lo, &flo, err)) < 0)
			return rc;
	}
	*alpha_c = lo;
	if (fail)
		*fail = flo;
	return 0;
}

/* F of the prefix at the current level with one more item of group g
 * (g = base: tau itself). */
static double f_with(struct mf *m, const size_t *tau, size_t g)
{
	for (size_t u = 0; u < m->d; u++)
		m->c[u] = tau[m->pg[u]] + (m->pg[u] == g);
	return m->F[odo_index(m)];
}

int ft_mfair_rerank(const double *score, const int32_t *group, size_t n,
                    size_t n_groups, const double *p, int32_t base, double alpha,
                    size_t k, size_t *out, size_t *n_failed, struct ft_error *err)
{
	struct mf m;
	size_t *order = NULL, *lists = NULL, *len = NULL, *start = NULL, *head = NULL;
	size_t *tau = NULL, nfail = 0;
	int rc;

	if (n_failed)
		*n_failed = 0;
	if (k > n)
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: k = %zu is more than the %zu items",
		                    k, n);
	if (n > 0 && (!score || !group || (k > 0 && !out)))
		return ft_error_set(err, FT_EINVAL, "multinomial fa*ir: %s is NULL",
		                    !score ? "score" : !group ? "group" : "out");
	for (size_t i = 0; i < n; i++)
		if (group[i] < -1 || (group[i] >= 0 && (size_t)group[i] >= n_groups))
			return ft_error_set(err, FT_EINVAL,
			                    "multinomial fa*ir: group[%zu] = %ld is not -1 or a group index below %zu",
			                    i, (long)group[i], n_groups);
	if ((rc = mf_init(&m, k, n_groups, p, base, alpha, 0, err)) < 0)
		return rc;
	order = malloc((n + 1) * sizeof *order);
	lists = malloc((n + 1) * sizeof *lists);
	len = calloc(n_groups, sizeof *len);
	start = calloc(n_groups, sizeof *start);
	head = calloc(n_groups, sizeof *head);
	tau = calloc(n_groups, sizeof *tau);
	if (!order || !lists || !len || !start || !head || !tau) {
		rc = ft_error_set(err, FT_ENOMEM, "multinomial fa*ir: out of memory");
		goto done;
	}
	if ((rc = ft_rank_order(score, n, order, err)) < 0)
		goto done;
#define GRP(i) (group[i] < 0 ? (size_t)base : (size_t)group[i])
	for (size_t i = 0; i < n; i++)
		len[GRP(i)]++;
	for (size_t g = 1; g < n_groups; g++)
		start[g] = start[g - 1] + len[g - 1];
	memset(len, 0, n_groups * sizeof *len);
	for (size_t r = 0; r < n; r++) {
		size_t g = GRP(order[r]);
		lists[start[g] + len[g]++] = order[r];
	}
#undef GRP
	for (size_t i = 1; i <= k; i++) {
		size_t best = SIZE_MAX, pick = SIZE_MAX, fallback = SIZE_MAX;
		double fbest = -1, ffall = -1;

		level(&m, i, alpha);
#define LEFT(g) (head[g] < len[g])
#define NEXT(g) (score[lists[start[g] + head[g]]])
		/* the best remaining item; equal scores: protected, then lower index */
		for (size_t g = 0; g < n_groups; g++) {
			if (!LEFT(g))
				continue;
			if (best == SIZE_MAX || NEXT(g) > NEXT(best) ||
			    (NEXT(g) == NEXT(best) && (int32_t)best == base))
				best = g;
		}
		if (f_with(&m, tau, best) > alpha) {
			pick = best;
		} else {
			for (size_t u = 0; u < m.d; u++) {
				size_t g = m.pg[u];
				double f;
				if (!LEFT(g))
					continue;
				f = f_with(&m, tau, g);
				if (f > alpha && (pick == SIZE_MAX || f > fbest ||
				                  (f == fbest && NEXT(g) > NEXT(pick)))) {
					pick = g;
					fbest = f;
				}
				if (fallback == SIZE_MAX || f > ffall) {
					fallback = g;
					ffall = f;
				}
			}
			if (pick == SIZE_MAX) {
				nfail++;
				pick = fallback != SIZE_MAX ? fallback : best;
			}
		}
		out[i - 1] = lists[start[pick] + head[pick]++];
		if ((int32_t)pick != base)
			tau[pick]++;
#undef LEFT
#undef NEXT
	}
	if (n_failed)
		*n_failed = nfail;
done:
	mf_free(&m);
	free(order);
	free(lists);
	free(len);
	free(start);
	free(head);
	free(tau);
	return rc;
}
