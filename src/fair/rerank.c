/*
 * rerank.c - fair re-ranking of one query's items: FA*IR (Zehlike, Bonchi,
 * Castillo, Hajian, Megahed & Baeza-Yates, "FA*IR: A Fair Top-k Ranking
 * Algorithm", CIKM 2017) with its table of minimum protected counts, the
 * exact failure probability of a table and the multiple-testing adjustment
 * of its significance level; and the deterministic re-rankers DetGreedy,
 * DetCons and DetRelaxed of Geyik, Ambler & Kenthapadi ("Fairness-Aware
 * Ranking in Search & Recommendation Systems with Application to LinkedIn
 * Talent Search", KDD 2019, Section 4, Algorithm 1) for any number of
 * groups.  Contracts: include/fairtrain.h ("ranking metrics and
 * re-ranking").  The metrics that judge the results (NDKL, skew,
 * InfeasibleIndex, rND ...) are in src/metrics/ranking.c.
 *
 * FA*IR's test (Section 3.2): a prefix of length i holding t protected
 * items is fair when F(t; i, p) > alpha, F the binomial CDF, so the table is
 * m(i) = min{t : F(t; i, p) > alpha}.  (scipy's binom.ppf(alpha), which
 * fairsearchcore uses, is min{t : F(t) >= alpha}; the two differ only when
 * some F(t; i, p) equals alpha exactly.)  m(i + 1) is m(i) or m(i) + 1,
 * because Bin(i + 1, p) is Bin(i, p) plus one Bernoulli draw.
 *
 * Failure probability (Section 4.2).  Under the null model every rank
 * holds a protected item independently with probability p; the ranking
 * fails when X_i < m(i) for SOME i = 1 .. k, X_i the protected count of
 * the top i.  A forward pass over the positions keeps q[c] = P(X_i = c and
 * no test failed so far): q'[c] = (1 - p) q[c] + p q[c - 1], then the mass
 * at c < m(i) fails and is removed.  The failure probability is the sum of
 * the removed mass (summing it, rather than taking 1 - survivors, keeps
 * the relative accuracy when it is small).  Every position 1 .. k takes
 * part, the last one too.  The Python package fairsearchcore (the
 * authors' library) computes the same quantity from "blocks" of the table
 * in compute_aux_mtable, whose loop `for position in range(1, len(mtable))`
 * runs over positions 1 .. k-1 of a table indexed 1 .. k: when the table
 * steps up at position k, that last test is dropped and the failure
 * probability is underestimated (so its adjusted alpha is too large).
 *
 * Adjustment.  The table, and so the failure probability, changes with the
 * level only at the values alpha = F(t; i, p): it is a non-decreasing step
 * function of the level.  We bisect on (0, alpha] for the step that
 * crosses alpha, keeping a lower level whose table fails at most alpha and
 * an upper one whose table fails more, until the two tables differ in one
 * entry (or no double lies between the levels); the first step above the
 * lower level then sits exactly at a* = min F(m_lo(i); i, p) over the
 * entries that differ, and alpha_c
 * is the largest double below a* (at a* itself the strict test already
 * takes the larger table).  This is the correction of Zehlike, Suehr &
 * Castillo ("A note on the significance adjustment for FA*IR with two
 * protected groups", 2020): a search over the discrete set of tables.
 *
 * Geyik et al.: the proportions are read as exact fractions (the simplest
 * within 1e-9 of each given value, src/core/ratio.c; p = NULL: the exact
 * group shares count / n), and floor(r p), ceil(r p) and DetCons' and
 * DetRelaxed's keys ceil(r p) / p are compared in integer arithmetic, so
 * two groups whose keys are equal as rationals tie exactly and the
 * documented tie-break (higher next score, then lower index) decides, not
 * the rounding of a double division.  Proportions within 1e-9 of valid
 * (a sum of 1 + 4e-16 from adding 1/n n times) are accepted and divided by
 * their sum.  DetConstSort (Algorithm 3) follows AIF360's port (0-based
 * latest places, see det_const_sort).
 *
 * Not here: multinomial FA*IR (src/fair/mfair.c), the randomized variant.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"

/* ------------------------------------------------------- binomial CDF */

static double binom_lpmf(size_t j, size_t n, double p)
{
	return lgamma((double)n + 1) - lgamma((double)j + 1) -
	       lgamma((double)(n - j) + 1) + (double)j * log(p) +
	       (double)(n - j) * log1p(-p);
}

/* F(m; n, p) = P(Bin(n, p) <= m).
 *
 * When q^n = (1 - p)^n does not underflow, sum the pmf upward from j = 0:
 * pmf(j) = pmf(j - 1) (n - j + 1) p / (j q), multiplying before dividing.
 * All terms are positive, so the relative error stays near m machine
 * epsilons, and for p = 1/2 (p / q = 1) every term C(n, j) 2^-n and, for
 * n <= 50, every partial sum is exact: the table's exact ties (F(1; 7, 1/2)
 * = F(0; 4, 1/2) = 1/16) stay ties, as in exact arithmetic.
 *
 * Otherwise (large n): the pmf falls away from the mode (n + 1) p on both
 * sides, so below the mode sum the pmf downward from m (pmf(j - 1) =
 * pmf(j) j q / ((n - j + 1) p)), at or above it take 1 - the upper tail
 * summed upward from m + 1, the first term from lgamma in log space; each
 * sum stops when a term is below 1e-17 of the sum, the rest falling at
 * least as fast. */
static double binom_cdf(size_t m, size_t n, double p)
{
	double q = 1 - p, t, s = 0;

	if (m >= n)
		return 1.0;
	t = pow(q, (double)n);
	if (t > 1e-280) {
		double r = p / q;

		for (size_t j = 0;; j++) {
			s += t;
			if (j == m)
				return s;
			t = t * (double)(n - j) * r / (double)(j + 1);
		}
	}
	if ((double)m < ((double)n + 1) * p) {
		t = exp(binom_lpmf(m, n, p));
		for (size_t j = m;; j--) {
			s += t;
			if (j == 0 || t <= 1e-17 * s)
				break;
			t *= (double)j * q / ((double)(n - j + 1) * p);
		}
		return s;
	}
	t = exp(binom_lpmf(m + 1, n, p));
	for (size_t j = m + 1;; j++) {
		s += t;
		if (j == n || t <= 1e-17 * s)
			break;
		t *= (double)(n - j) * p / ((double)(j + 1) * q);
	}
	return 1.0 - s;
}

/* --------------------------------------------------------- FA*IR table */

static int check_pa(double p, double alpha, struct ft_error *err)
{
	if (!(p > 0 && p < 1))
		return ft_error_set(err, FT_EINVAL, "fa*ir: p = %g is not in (0, 1)", p);
	if (!(alpha > 0 && alpha < 1))
		return ft_error_set(err, FT_EINVAL, "fa*ir: alpha = %g is not in (0, 1)", alpha);
	return 0;
}

/* The table without checks. */
static void mtable(size_t k, double p, double alpha, size_t *m)
{
	size_t t = 0;

	for (size_t i = 1; i <= k; i++) {
		/* terminates: F(i; i, p) = 1 > alpha */
		while (!(binom_cdf(t, i, p) > alpha))
			t++;
		m[i - 1] = t;
	}
}

int ft_fair_mtable(size_t k, double p, double alpha, size_t *m,
                   struct ft_error *err)
{
	int rc;

	if ((rc = check_pa(p, alpha, err)) < 0)
		return rc;
	if (k > 0 && !m)
		return ft_error_set(err, FT_EINVAL, "fa*ir: m is NULL with k = %zu", k);
	mtable(k, p, alpha, m);
	return 0;
}

/* The failure probability by the forward pass; q has k + 2 entries. */
static double fail_prob(const size_t *m, size_t k, double p, double *q)
{
	double fail = 0;
	size_t lo = 0;          /* q[c] = 0 for every c < lo */

	q[0] = 1;
	for (size_t i = 1; i <= k; i++) {
		size_t need = m[i - 1] < i + 1 ? m[i - 1] : i + 1;

		/* one more rank: counts 0 .. i; downward so q[c - 1] is still old */
		q[i] = 0;
		for (size_t c = i; c > lo; c--)
			q[c] = q[c] * (1 - p) + q[c - 1] * p;
		q[lo] *= 1 - p;
		for (size_t c = lo; c < need; c++) {
			fail += q[c];
			q[c] = 0;
		}
		if (need > lo)
			lo = need;
	}
	return fail;
}

int ft_fair_fail_prob(const size_t *m, size_t k, double p, double *prob,
                      struct ft_error *err)
{
	double *q;

	if (!(p > 0 && p < 1))
		return ft_error_set(err, FT_EINVAL, "fa*ir: p = %g is not in (0, 1)", p);
	if (k > 0 && !m)
		return ft_error_set(err, FT_EINVAL, "fa*ir: m is NULL with k = %zu", k);
	q = malloc((k + 2) * sizeof *q);
	if (!q)
		return ft_error_set(err, FT_ENOMEM, "fa*ir: out of memory");
	*prob = fail_prob(m, k, p, q);
	free(q);
	return 0;
}

int ft_fair_adjust_alpha(size_t k, double p, double alpha, double *alpha_c,
                         size_t *m, double *fail, struct ft_error *err)
{
	size_t *mlo = NULL, *mhi = NULL, *mmid = NULL, *sw, diff = 0;
	double *q = NULL, lo = 0, hi = alpha, flo = 0, fhi;
	int rc;

	if ((rc = check_pa(p, alpha, err)) < 0)
		return rc;
	if (k > 0 && !m)
		return ft_error_set(err, FT_EINVAL, "fa*ir: m is NULL with k = %zu", k);
	mlo = calloc(k + 1, sizeof *mlo);      /* the table of level 0: all 0 */
	mhi = calloc(k + 1, sizeof *mhi);
	mmid = calloc(k + 1, sizeof *mmid);
	q = malloc((k + 2) * sizeof *q);
	if (!mlo || !mhi || !mmid || !q) {
		rc = ft_error_set(err, FT_ENOMEM, "fa*ir: out of memory");
		goto done;
	}
	mtable(k, p, alpha, mhi);
	fhi = fail_prob(mhi, k, p, q);
	if (fhi <= alpha) {              /* no adjustment needed */
		*alpha_c = alpha;
		if (k > 0)
			memcpy(m, mhi, k * sizeof *m);
		if (fail)
			*fail = fhi;
		goto done;
	}
	/* invariant: fail(table(lo)) <= alpha < fail(table(hi)) */
	for (;;) {
		double mid = lo + (hi - lo) / 2, fmid;

		diff = 0;
		for (size_t i = 0; i < k; i++)
			diff += mhi[i] - mlo[i];
		if (diff <= 1 || !(mid > lo && mid < hi))
			break;
		mtable(k, p, mid, mmid);
		fmid = fail_prob(mmid, k, p, q);
		if (fmid <= alpha) {
			lo = mid;
			flo = fmid;
			sw = mlo, mlo = mmid, mmid = sw;
		} else {
			hi = mid;
			sw = mhi, mhi = mmid, mmid = sw;
		}
	}
	/* The first step above lo is at a* = min F(mlo[i]; i + 1, p) over the
	 * entries that differ (one entry, or several that step at the same
	 * level when the bisection ran out of doubles between them). */
	*alpha_c = lo;
	{
		double a = INFINITY;

		for (size_t i = 0; i < k; i++)
			if (mhi[i] != mlo[i])
				a = fmin(a, binom_cdf(mlo[i], i + 1, p));
		a = nextafter(a, 0.0);
		mtable(k, p, a, mmid);
		if (a >= lo && memcmp(mmid, mlo, k * sizeof *mlo) == 0)
			*alpha_c = a;
	}
	if (k > 0)
		memcpy(m, mlo, k * sizeof *m);
	if (fail)
		*fail = flo;
done:
	free(mlo);
	free(mhi);
	free(mmid);
	free(q);
	return rc;
}

/* -------------------------------------------------- FA*IR re-ranking */

int ft_fair_rerank(const double *score, const int32_t *group, size_t n,
                   int32_t protected_group, const size_t *m, size_t k,
                   size_t *out, struct ft_error *err)
{
	size_t *order = NULL, *P = NULL, *Q = NULL, np = 0, nq = 0, need = 0;
	size_t ip = 0, iq = 0;
	int rc;

	if (k > n)
		return ft_error_set(err, FT_EINVAL, "fa*ir: k = %zu is more than the %zu items",
		                    k, n);
	if (protected_group < 0)
		return ft_error_set(err, FT_EINVAL, "fa*ir: protected group %ld is not a group index",
		                    (long)protected_group);
	if (n > 0 && (!score || !group || (k > 0 && (!m || !out))))
		return ft_error_set(err, FT_EINVAL, "fa*ir: %s is NULL", !score ? "score" :
		                    !group ? "group" : !m ? "m" : "out");
	for (size_t i = 0; i < n; i++)
		if (group[i] < -1)
			return ft_error_set(err, FT_EINVAL, "fa*ir: group[%zu] = %ld is not -1 or a group index",
			                    i, (long)group[i]);
	for (size_t i = 0; i < k; i++) {
		if (m[i] > (i ? m[i - 1] : 0) + 1)
			return ft_error_set(err, FT_EINVAL,
			                    "fa*ir: table entry m[%zu] = %zu rises by more than 1", i, m[i]);
		if (m[i] > need)
			need = m[i];
	}
	if (n == 0 || k == 0)
		return 0;
	order = malloc(n * sizeof *order);
	P = malloc(n * sizeof *P);
	Q = malloc(n * sizeof *Q);
	if (!order || !P || !Q) {
		rc = ft_error_set(err, FT_ENOMEM, "fa*ir: out of memory");
		goto done;
	}
	if ((rc = ft_rank_order(score, n, order, err)) < 0)
		goto done;
	/* the two priority queues: each class in stable score order */
	for (size_t r = 0; r < n; r++) {
		if (group[order[r]] == protected_group)
			P[np++] = order[r];
		else
			Q[nq++] = order[r];
	}
	if (need > np) {
		rc = ft_error_set(err, FT_EDATA,
		                  "fa*ir: the table needs %zu protected items in the top %zu, "
		                  "only %zu items are protected", need, k, np);
		goto done;
	}
	for (size_t i = 0; i < k; i++) {
		int take_p;

		if (ip < m[i])                  /* the table forces a protected item */
			take_p = 1;
		else if (ip == np)
			take_p = 0;
		else if (iq == nq)
			take_p = 1;
		else
			take_p = score[P[ip]] >= score[Q[iq]];
		out[i] = take_p ? P[ip++] : Q[iq++];
	}
done:
	free(order);
	free(P);
	free(Q);
	return rc;
}

int ft_fair_topk(const double *score, const int32_t *group, size_t n,
                 int32_t protected_group, size_t k, double p, double alpha,
                 int adjust, size_t *out, double *alpha_used,
                 struct ft_error *err)
{
	size_t *m = NULL;
	double a = alpha;
	int rc;

	if (k > n)
		return ft_error_set(err, FT_EINVAL, "fa*ir: k = %zu is more than the %zu items",
		                    k, n);
	m = malloc((k + 1) * sizeof *m);
	if (!m)
		return ft_error_set(err, FT_ENOMEM, "fa*ir: out of memory");
	if (adjust)
		rc = ft_fair_adjust_alpha(k, p, alpha, &a, m, NULL, err);
	else
		rc = ft_fair_mtable(k, p, alpha, m, err);
	if (rc == 0)
		rc = ft_fair_rerank(score, group, n, protected_group, m, k, out, err);
	if (rc == 0 && alpha_used)
		*alpha_used = a;
	free(m);
	return rc;
}

/* ------------------------------------------------- Geyik et al. 2019 */

const char *ft_det_name(int algo)
{
	static const char *const names[FT_N_DET] = {
		"det_greedy", "det_cons", "det_relaxed", "det_const_sort",
	};
	return algo >= 0 && algo < FT_N_DET ? names[algo] : "unknown";
}

/* DetCons' key ceil(r a/b) / (a/b) = ceil(r a/b) b / a, as the fraction
 * kn / kd; DetRelaxed's ceil of it, kn' / 1.  a > 0. */
static void det_key(int algo, uint64_t a, uint64_t b, size_t r, uint64_t *kn,
                    uint64_t *kd)
{
	uint64_t c = ft_ratio_ceil(r, a, b);

	*kn = c * b;
	*kd = a;
	if (algo == FT_DET_RELAXED) {
		*kn = (*kn + a - 1) / a;
		*kd = 1;
	}
}

/* Geyik et al.'s Algorithm 3 (DetConstSort), as AIF360's
 * DeterministicReranking "Constrained" writes it with 0-based places: an
 * item inserted at place `last` for rank r gets the latest place r - 1 and
 * moves up while the item above it scores lower and may move down one
 * place (latest place >= its current place + 1). */
static void det_const_sort(size_t G, const double *const *score, const size_t *len,
                           const uint64_t *a, const uint64_t *b, size_t k,
                           size_t *cnt, size_t *og, size_t *oi, size_t *maxi,
                           size_t *ord)
{
	size_t last = 0;

	for (uint64_t r = 1; last < k; r++) {
		size_t n_changed = 0, live = 0;
		uint64_t next = UINT64_MAX;

		/* the first rank >= r at which a live group's minimum rises:
		 * the ranks between add nothing, and a proportion of 1e-9 would
		 * otherwise take 1e9 empty rounds */
		for (size_t g = 0; g < G; g++) {
			if (a[g] > 0 && cnt[g] < len[g]) {
				uint64_t rise = ft_ratio_ceil(ft_ratio_floor(r - 1, a[g], b[g]) + 1,
				                              b[g], a[g]);
				live++;
				if (rise < next)
					next = rise;
			}
		}
		if (!live)
			break;
		r = next;
		/* groups whose minimum rose at r and still have items */
		for (size_t g = 0; g < G; g++)
			if (a[g] > 0 && cnt[g] < len[g] &&
			    ft_ratio_floor(r, a[g], b[g]) > ft_ratio_floor(r - 1, a[g], b[g]))
				ord[n_changed++] = g;
		/* by next score, descending (ties: lower group index first) */
		for (size_t i = 1; i < n_changed; i++)
			for (size_t j = i; j > 0 &&
			     score[ord[j]][cnt[ord[j]]] > score[ord[j - 1]][cnt[ord[j - 1]]]; j--) {
				size_t t = ord[j];
				ord[j] = ord[j - 1];
				ord[j - 1] = t;
			}
		for (size_t c = 0; c < n_changed && last < k; c++) {
			size_t g = ord[c], at = last;

			og[at] = g;
			oi[at] = cnt[g]++;
			maxi[at] = (size_t)r - 1;
			while (at > 0 && maxi[at - 1] >= at &&
			       score[og[at - 1]][oi[at - 1]] < score[og[at]][oi[at]]) {
				size_t t;
				t = maxi[at - 1], maxi[at - 1] = maxi[at], maxi[at] = t;
				t = og[at - 1], og[at - 1] = og[at], og[at] = t;
				t = oi[at - 1], oi[at - 1] = oi[at], oi[at] = t;
				at--;
			}
			last++;
		}
	}
	/* every group with a target ran out: the best remaining items */
	for (; last < k; last++) {
		size_t best = SIZE_MAX;

		for (size_t g = 0; g < G; g++)
			if (cnt[g] < len[g] &&
			    (best == SIZE_MAX || score[g][cnt[g]] > score[best][cnt[best]]))
				best = g;
		og[last] = best;
		oi[last] = cnt[best]++;
	}
}

int ft_det_rerank(int algo, size_t n_groups, const double *const *score,
                  const size_t *len, const double *p, size_t k,
                  size_t *out_group, size_t *out_index, struct ft_error *err)
{
	size_t *cnt = NULL, *maxi = NULL, *ord = NULL, total = 0;
	uint64_t *a = NULL, *b = NULL;
	int rc;

	if (algo < 0 || algo >= FT_N_DET)
		return ft_error_set(err, FT_EINVAL, "det re-rank: unknown algorithm %d", algo);
	if (n_groups == 0)
		return ft_error_set(err, FT_EINVAL, "det re-rank: no groups");
	if (!score || !len)
		return ft_error_set(err, FT_EINVAL, "det re-rank: %s is NULL",
		                    score ? "len" : "score");
	for (size_t g = 0; g < n_groups; g++) {
		if (len[g] > 0 && !score[g])
			return ft_error_set(err, FT_EINVAL, "det re-rank: score[%zu] is NULL", g);
		for (size_t j = 0; j < len[g]; j++)
			if (isnan(score[g][j]) || (j > 0 && score[g][j] > score[g][j - 1]))
				return ft_error_set(err, FT_EINVAL,
				                    "det re-rank: score[%zu][%zu] = %g %s", g, j,
				                    score[g][j], isnan(score[g][j]) ? "is NaN" :
				                    "breaks the descending order");
		total += len[g];
	}
	if (k > total)
		return ft_error_set(err, FT_EINVAL, "det re-rank: k = %zu is more than the %zu items",
		                    k, total);
	if (k > 0 && (!out_group || !out_index))
		return ft_error_set(err, FT_EINVAL, "det re-rank: output is NULL");
	cnt = calloc(n_groups, sizeof *cnt);
	ord = calloc(n_groups, sizeof *ord);
	a = calloc(n_groups, sizeof *a);
	b = calloc(n_groups, sizeof *b);
	maxi = calloc(k + 1, sizeof *maxi);
	if (!cnt || !ord || !a || !b || !maxi) {
		rc = ft_error_set(err, FT_ENOMEM, "det re-rank: out of memory");
		goto done;
	}
	if (p)
		rc = ft_props_rational(p, n_groups, a, b, "det re-rank", err);
	else
		ft_props_counts(len, n_groups, a, b), rc = 0;
	if (rc)
		goto done;
	if (algo == FT_DET_CONST_SORT) {
		det_const_sort(n_groups, score, len, a, b, k, cnt, out_group, out_index,
		               maxi, ord);
		goto done;
	}
	for (size_t r = 1; r <= k; r++) {
		size_t best = SIZE_MAX;
		uint64_t best_kn = 0, best_kd = 1;
		int found_min;

#define NEXT(g) (score[g][cnt[g]])
		/* below the minimum: the highest next score */
		for (size_t g = 0; g < n_groups; g++)
			if (cnt[g] < len[g] && cnt[g] < ft_ratio_floor(r, a[g], b[g]) &&
			    (best == SIZE_MAX || NEXT(g) > NEXT(best)))
				best = g;
		found_min = best != SIZE_MAX;
		/* else below the maximum: by the algorithm's rule */
		for (size_t g = 0; !found_min && g < n_groups; g++) {
			uint64_t kn = 0, kd = 1;
			int c = 0;

			if (!(cnt[g] < len[g] && cnt[g] >= ft_ratio_floor(r, a[g], b[g]) &&
			      cnt[g] < ft_ratio_ceil(r, a[g], b[g])))
				continue;
			if (algo != FT_DET_GREEDY) {
				det_key(algo, a[g], b[g], r, &kn, &kd);  /* a[g] > 0: ceil > 0 */
				if (best != SIZE_MAX)  /* kn/kd vs best: cross-multiplied */
					c = ft_ratio_cmp3(kn, best_kd, 1, best_kn, kd, 1);
			}
			if (best == SIZE_MAX || c < 0 || (c == 0 && NEXT(g) > NEXT(best))) {
				best = g;
				best_kn = kn;
				best_kd = kd;
			}
		}
		/* no group qualifies: the best remaining item */
		if (best == SIZE_MAX)
			for (size_t g = 0; g < n_groups; g++)
				if (cnt[g] < len[g] && (best == SIZE_MAX || NEXT(g) > NEXT(best)))
					best = g;
#undef NEXT
		out_group[r - 1] = best;
		out_index[r - 1] = cnt[best]++;
	}
done:
	free(cnt);
	free(ord);
	free(a);
	free(b);
	free(maxi);
	return rc;
}

int ft_group_proportions(const int32_t *group, size_t n, size_t n_groups,
                         double *p, struct ft_error *err)
{
	size_t *cnt, total = 0;

	if (n_groups == 0 || n_groups > INT32_MAX)
		return ft_error_set(err, FT_EINVAL, "group proportions: n_groups = %zu is not in 1 .. %ld",
		                    n_groups, (long)INT32_MAX);
	if ((n > 0 && !group) || !p)
		return ft_error_set(err, FT_EINVAL, "group proportions: %s is NULL",
		                    p ? "group" : "p");
	cnt = calloc(n_groups, sizeof *cnt);
	if (!cnt)
		return ft_error_set(err, FT_ENOMEM, "group proportions: out of memory");
	for (size_t i = 0; i < n; i++) {
		if (group[i] < -1 || (group[i] >= 0 && (size_t)group[i] >= n_groups)) {
			free(cnt);
			return ft_error_set(err, FT_EINVAL,
			                    "group proportions: group[%zu] = %ld is not -1 or a group index below %zu",
			                    i, (long)group[i], n_groups);
		}
		if (group[i] >= 0) {
			cnt[group[i]]++;
			total++;
		}
	}
	/* one division each: n / n is exactly 1, never 1/n added n times */
	for (size_t g = 0; g < n_groups; g++)
		p[g] = total ? (double)cnt[g] / (double)total : 0.0;
	free(cnt);
	if (!total)
		return ft_error_set(err, FT_EDATA, "group proportions: no item has a known group");
	return 0;
}

int ft_det_rerank_items(int algo, const double *score, const int32_t *group,
                        size_t n, size_t n_groups, const double *p, size_t k,
                        size_t *out, struct ft_error *err)
{
	size_t *order = NULL, *len = NULL, *start = NULL, *item = NULL;
	size_t *og = NULL, *oi = NULL;
	double *sorted = NULL, **lists = NULL;
	int rc;

	if (n_groups == 0 || n_groups > INT32_MAX)
		return ft_error_set(err, FT_EINVAL, "det re-rank: n_groups = %zu is not in 1 .. %ld",
		                    n_groups, (long)INT32_MAX);
	if (k > n)
		return ft_error_set(err, FT_EINVAL, "det re-rank: k = %zu is more than the %zu items",
		                    k, n);
	if (n > 0 && (!score || !group || (k > 0 && !out)))
		return ft_error_set(err, FT_EINVAL, "det re-rank: %s is NULL",
		                    !score ? "score" : !group ? "group" : "out");
	for (size_t i = 0; i < n; i++)
		if (group[i] < 0 || (size_t)group[i] >= n_groups)
			return ft_error_set(err, FT_EINVAL,
			                    "det re-rank: group[%zu] = %ld is not a group index below %zu "
			                    "(every item needs its group)", i, (long)group[i], n_groups);
	order = malloc((n + 1) * sizeof *order);
	item = malloc((n + 1) * sizeof *item);
	sorted = malloc((n + 1) * sizeof *sorted);
	len = calloc(n_groups, sizeof *len);
	start = calloc(n_groups, sizeof *start);
	lists = malloc(n_groups * sizeof *lists);
	og = malloc((k + 1) * sizeof *og);
	oi = malloc((k + 1) * sizeof *oi);
	if (!order || !item || !sorted || !len || !start || !lists || !og || !oi) {
		rc = ft_error_set(err, FT_ENOMEM, "det re-rank: out of memory");
		goto done;
	}
	if ((rc = ft_rank_order(score, n, order, err)) < 0)
		goto done;
	/* lay the groups' lists out one after another, each in score order */
	for (size_t i = 0; i < n; i++)
		len[group[i]]++;
	for (size_t g = 1; g < n_groups; g++)
		start[g] = start[g - 1] + len[g - 1];
	for (size_t g = 0; g < n_groups; g++)
		lists[g] = sorted + start[g];
	memset(len, 0, n_groups * sizeof *len);
	for (size_t r = 0; r < n; r++) {
		size_t i = order[r], g = (size_t)group[i], at = start[g] + len[g]++;

		sorted[at] = score[i];
		item[at] = i;
	}
	if ((rc = ft_det_rerank(algo, n_groups, (const double *const *)lists, len, p, k,
	                        og, oi, err)) < 0)
		goto done;
	for (size_t r = 0; r < k; r++)
		out[r] = item[start[og[r]] + oi[r]];
done:
	free(order);
	free(item);
	free(sorted);
	free(len);
	free(start);
	free(lists);
	free(og);
	free(oi);
	return rc;
}
