/*
 * exposure.c - fair exposure as a target: the optimal stochastic ranking
 * of one query under exposure constraints, its Birkhoff-von Neumann
 * decomposition, and rankings sampled from it.
 *
 *   Singh & Joachims, "Fairness of Exposure in Rankings", KDD 2018:
 *   section 3 (probabilistic rankings as doubly stochastic matrices P,
 *   utility u^T P v, the linear program), 4.1 (demographic parity of
 *   exposure), 4.2 (disparate treatment: exposure proportional to
 *   relevance), 3.3 (sampling through the Birkhoff-von Neumann
 *   decomposition, Birkhoff 1946).
 *
 * The LP (include/fairtrain.h): variables P_ij >= 0 (item i at rank
 * j + 1), the n row sums and n column sums equal to 1, one constraint
 * |f_g^T P v| <= delta per group g > g0 present in the query (g0 the
 * lowest-numbered group present; delta = 0: an equality), maximise
 * u^T P v.  Solved by src/optim/simplex.c.
 *
 * Birkhoff-von Neumann.  Every doubly stochastic matrix is a convex
 * combination of permutation matrices (Birkhoff 1946); the constructive
 * proof takes a perfect matching in the bipartite graph of the positive
 * entries (one exists by Hall's theorem while the remainder has equal row
 * and column sums), subtracts its smallest entry times the permutation,
 * and repeats, each step zeroing at least one entry.  We take the
 * matching whose smallest entry is largest (bisection over the entry
 * values, Kuhn's augmenting paths for each test), which tends to give
 * fewer, heavier permutations; entries at or below tol count as zero (the
 * LP's rounding leaves ~1e-16 noise).  An LP vertex has at most 3n
 * positive entries, so the decomposition has O(n) terms.
 *
 * Not here: the simplex (src/optim/simplex.c), a DELTR mode targeting an
 * exposure ratio, reading or writing sampled rankings.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "optim/optim.h"

/* ------------------------------------------------------------- the LP */

static double gain(double rel)
{
	return expm1(rel * 0.69314718055994530942);
}

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y) - (x > y);
}

int ft_exposure_lp(const double *rel, const int32_t *group, size_t n,
                   size_t n_groups, int kind, double delta, double *P,
                   double *utility, struct ft_error *err)
{
	size_t nv = n * n, m, row = 0, *cnt = NULL, g0 = SIZE_MAX;
	double *A = NULL, *b = NULL, *c = NULL, *u = NULL, *v = NULL, *U = NULL;
	double idcg = 0, val;
	int *rel_t = NULL, rc = 0;

	if (kind < 0 || kind >= FT_N_EXPOSURE)
		return ft_error_set(err, FT_EINVAL, "exposure lp: unknown kind %d", kind);
	if (!(delta >= 0) || !isfinite(delta))
		return ft_error_set(err, FT_EINVAL, "exposure lp: delta = %g is not >= 0", delta);
	if (n == 0)
		return ft_error_set(err, FT_EDATA, "exposure lp: no items");
	if (n > 1000)
		return ft_error_set(err, FT_EINVAL,
		                    "exposure lp: %zu items (the dense LP has n^2 variables; at most 1000)", n);
	if (!rel || !group || !P || n_groups == 0)
		return ft_error_set(err, FT_EINVAL, "exposure lp: %s",
		                    !rel ? "rel is NULL" : !group ? "group is NULL" :
		                    !P ? "P is NULL" : "no groups");
	for (size_t i = 0; i < n; i++) {
		if (!(rel[i] >= 0 && rel[i] < INFINITY))
			return ft_error_set(err, FT_EINVAL,
			                    "exposure lp: rel[%zu] = %g is not a finite relevance >= 0",
			                    i, rel[i]);
		if (group[i] < -1 || (group[i] >= 0 && (size_t)group[i] >= n_groups))
			return ft_error_set(err, FT_EINVAL,
			                    "exposure lp: group[%zu] = %ld is not -1 or a group index below %zu",
			                    i, (long)group[i], n_groups);
	}
	cnt = calloc(n_groups, sizeof *cnt);
	U = calloc(n_groups, sizeof *U);
	u = malloc(n * sizeof *u);
	v = malloc(n * sizeof *v);
	if (!cnt || !U || !u || !v)
		goto nomem;
	/* u = gains / IDCG, v = the DCG discounts */
	for (size_t i = 0; i < n; i++)
		u[i] = gain(rel[i]);
	memcpy(v, u, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_desc);
	for (size_t j = 0; j < n; j++)
		idcg += v[j] / log2(2.0 + (double)j);
	if (!(idcg > 0)) {
		rc = ft_error_set(err, FT_EDATA, "exposure lp: no relevant item (the utility is 0)");
		goto done;
	}
	for (size_t j = 0; j < n; j++) {
		u[j] /= idcg;
		v[j] = 1.0 / log2(2.0 + (double)j);
	}
	for (size_t i = 0; i < n; i++)
		if (group[i] >= 0) {
			cnt[group[i]]++;
			U[group[i]] += u[i];
		}
	for (size_t g = 0; g < n_groups; g++) {
		if (!cnt[g])
			continue;
		U[g] /= (double)cnt[g];
		if (g0 == SIZE_MAX)
			g0 = g;
		if (kind == FT_EXPOSURE_DT && !(U[g] > 0)) {
			rc = ft_error_set(err, FT_EDATA,
			                  "exposure lp: group %zu has no relevant item (disparate treatment "
			                  "divides by its mean utility)", g);
			goto done;
		}
	}
	m = 2 * n;
	for (size_t g = 0; g < n_groups; g++)
		if (cnt[g] && g != g0)
			m += delta > 0 ? 2 : 1;
	A = calloc(m * nv, sizeof *A);
	b = malloc(m * sizeof *b);
	c = malloc(nv * sizeof *c);
	rel_t = malloc(m * sizeof *rel_t);
	if (!A || !b || !c || !rel_t)
		goto nomem;
	for (size_t i = 0; i < n; i++, row++) {      /* row sums */
		for (size_t j = 0; j < n; j++)
			A[row * nv + i * n + j] = 1.0;
		b[row] = 1.0;
		rel_t[row] = 0;
	}
	for (size_t j = 0; j < n; j++, row++) {      /* column sums */
		for (size_t i = 0; i < n; i++)
			A[row * nv + i * n + j] = 1.0;
		b[row] = 1.0;
		rel_t[row] = 0;
	}
	for (size_t g = 0; g < n_groups; g++) {
		double a0, ag;
		if (!cnt[g] || g == g0)
			continue;
		a0 = 1.0 / (double)cnt[g0];
		ag = 1.0 / (double)cnt[g];
		if (kind == FT_EXPOSURE_DT) {
			a0 /= U[g0];
			ag /= U[g];
		}
		for (int s = 0; s < (delta > 0 ? 2 : 1); s++, row++) {
			double sign = s ? -1.0 : 1.0;
			for (size_t i = 0; i < n; i++) {
				double f = group[i] == (int32_t)g0 ? a0 :
				           group[i] == (int32_t)g ? -ag : 0.0;
				if (f != 0.0)
					for (size_t j = 0; j < n; j++)
						A[row * nv + i * n + j] = sign * f * v[j];
			}
			b[row] = delta;
			rel_t[row] = delta > 0 ? -1 : 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			c[i * n + j] = -u[i] * v[j];
	rc = ft_lp_solve_dense(m, nv, A, b, rel_t, c, P, &val);
	if (rc == FT_EDATA) {
		rc = ft_error_set(err, FT_EDATA,
		                  "exposure lp: the exposure constraints cannot be met (delta = %g)",
		                  delta);
		goto done;
	}
	if (rc == FT_ENOMEM)
		goto nomem;
	if (rc) {
		rc = ft_error_set(err, rc, "exposure lp: the simplex found no optimum (%zu items)", n);
		goto done;
	}
	if (utility)
		*utility = -val;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "exposure lp: out of memory");
done:
	free(cnt);
	free(U);
	free(u);
	free(v);
	free(A);
	free(b);
	free(c);
	free(rel_t);
	return rc;
}

/* ------------------------------------------- Birkhoff-von Neumann */

/* Kuhn's augmenting path from row i over entries R > thr. */
static int augment(const double *R, size_t n, double thr, size_t i,
                   unsigned char *seen, size_t *match_col)
{
	for (size_t j = 0; j < n; j++) {
		if (seen[j] || !(R[i * n + j] > thr))
			continue;
		seen[j] = 1;
		if (match_col[j] == SIZE_MAX ||
		    augment(R, n, thr, match_col[j], seen, match_col)) {
			match_col[j] = i;
			return 1;
		}
	}
	return 0;
}

/* A perfect matching on the entries > thr: perm[j] = the row at column j. */
static int matching(const double *R, size_t n, double thr, unsigned char *seen,
                    size_t *perm)
{
	for (size_t j = 0; j < n; j++)
		perm[j] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		memset(seen, 0, n);
		if (!augment(R, n, thr, i, seen, perm))
			return 0;
	}
	return 1;
}

static int cmp_asc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void ft_bvn_free(struct ft_bvn *d)
{
	if (!d)
		return;
	free(d->weight);
	free(d->perm);
	free(d);
}

int ft_bvn_decompose(const double *P, size_t n, double tol, struct ft_bvn **out,
                     struct ft_error *err)
{
	struct ft_bvn *d = NULL;
	double *R = NULL, *vals = NULL, *S = NULL;
	size_t *perm = NULL, cap = 0;
	unsigned char *seen = NULL;
	int rc = 0;

	*out = NULL;
	if (tol <= 0)
		tol = 1e-13;
	if (n == 0 || !P)
		return ft_error_set(err, FT_EINVAL, "bvn: %s", n ? "P is NULL" : "no items");
	for (size_t i = 0; i < n; i++) {
		double rs = 0, cs = 0;
		for (size_t j = 0; j < n; j++) {
			if (!(P[i * n + j] >= -1e-9) || !isfinite(P[i * n + j]))
				return ft_error_set(err, FT_EINVAL, "bvn: P[%zu][%zu] = %g is not a probability",
				                    i, j, P[i * n + j]);
			rs += P[i * n + j];
			cs += P[j * n + i];
		}
		if (fabs(rs - 1) > 1e-9 || fabs(cs - 1) > 1e-9)
			return ft_error_set(err, FT_EINVAL,
			                    "bvn: %s %zu of P sums to %.17g, not 1 (not doubly stochastic)",
			                    fabs(rs - 1) > 1e-9 ? "row" : "column", i,
			                    fabs(rs - 1) > 1e-9 ? rs : cs);
	}
	d = calloc(1, sizeof *d);
	R = malloc(n * n * sizeof *R);
	S = calloc(n * n, sizeof *S);
	vals = malloc(n * n * sizeof *vals);
	perm = malloc(n * sizeof *perm);
	seen = malloc(n);
	if (!d || !R || !S || !vals || !perm || !seen)
		goto nomem;
	d->n = n;
	for (size_t k = 0; k < n * n; k++)
		R[k] = fmax(P[k], 0.0);
	for (;;) {
		size_t nv = 0, lo, hi;
		double w;

		for (size_t k = 0; k < n * n; k++)
			if (R[k] > tol)
				vals[nv++] = R[k];
		if (nv < n || !matching(R, n, tol, seen, perm))
			break;
		/* the largest threshold vals[lo] with a matching on entries >= it */
		qsort(vals, nv, sizeof *vals, cmp_asc);
		lo = 0;
		hi = nv - 1;
		while (lo < hi) {
			size_t mid = lo + (hi - lo + 1) / 2;
			if (matching(R, n, nextafter(vals[mid], 0.0), seen, perm))
				lo = mid;
			else
				hi = mid - 1;
		}
		matching(R, n, nextafter(vals[lo], 0.0), seen, perm);
		w = INFINITY;
		for (size_t j = 0; j < n; j++)
			w = fmin(w, R[perm[j] * n + j]);
		if (d->m == cap) {
			size_t nc = cap ? 2 * cap : 16;
			double *nw = realloc(d->weight, nc * sizeof *nw);
			size_t *np;
			if (!nw)
				goto nomem;
			d->weight = nw;
			if (!(np = realloc(d->perm, nc * n * sizeof *np)))
				goto nomem;
			d->perm = np;
			cap = nc;
		}
		d->weight[d->m] = w;
		for (size_t j = 0; j < n; j++) {
			d->perm[d->m * n + j] = perm[j];
			R[perm[j] * n + j] -= w;
			S[perm[j] * n + j] += w;
		}
		d->m++;
	}
	if (d->m == 0) {
		rc = ft_error_set(err, FT_ENUMERIC, "bvn: no permutation in the support of P");
		goto done;
	}
	d->residual = 0;
	for (size_t k = 0; k < n * n; k++)
		d->residual = fmax(d->residual, fabs(P[k] - S[k]));
	*out = d;
	d = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "bvn: out of memory");
done:
	ft_bvn_free(d);
	free(R);
	free(S);
	free(vals);
	free(perm);
	free(seen);
	return rc;
}

size_t ft_bvn_sample(const struct ft_bvn *d, struct ft_rng *r, size_t *order)
{
	double total = 0, u, acc = 0;
	size_t k;

	for (k = 0; k < d->m; k++)
		total += d->weight[k];
	u = ft_rng_uniform(r) * total;
	for (k = 0; k + 1 < d->m; k++) {
		acc += d->weight[k];
		if (u < acc)
			break;
	}
	memcpy(order, d->perm + k * d->n, d->n * sizeof *order);
	return k;
}
