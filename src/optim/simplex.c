/*
 * simplex.c - a small dense linear-program solver: min c.x subject to rows
 * A_r x <= b_r, = b_r or >= b_r, and x >= 0.  For the exposure LPs of
 * src/fair/exposure.c (Singh & Joachims 2018: n^2 variables, 2n + a few
 * rows, n up to about a hundred).
 *
 * The textbook two-phase tableau method (Chvatal, "Linear Programming",
 * 1983, chapters 2-3 and 8):
 *   - rows with b < 0 are negated, so every right-hand side is >= 0;
 *   - a <= row gets a slack (its first basic variable), a >= row a surplus
 *     and an artificial, an = row an artificial;
 *   - phase 1 minimises the sum of the artificials; a positive optimum
 *     (above 1e-9 of the largest |b|) is infeasibility (FT_EDATA); the
 *     artificials still basic at 0 are pivoted out on any other column,
 *     and a row with none is redundant (the assignment polytope's row and
 *     column sums have one such row) and dropped;
 *   - phase 2 minimises c.x with the artificials barred from entering.
 * Pricing: Dantzig's rule (the most negative reduced cost), switching to
 * Bland's rule (the lowest index, which cannot cycle) after 50 degenerate
 * pivots in a row until the objective moves again; the assignment
 * polytope is highly degenerate.  The ratio test takes the smallest ratio,
 * ties to the largest pivot element (Harris-like, for accuracy) or, under
 * Bland, the lowest basic index.  Tolerances: 1e-9 for a pivot element,
 * 1e-11 (times the cost scale) for a reduced cost.
 *
 * Not here: sparse or interior-point methods (large queries), the
 * reductions LP of src/fair/reductions.c (its own dual simplex, older).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "optim/optim.h"

#define PIV_TOL 1e-9
#define DEGEN_SWITCH 50

struct tab {
	size_t m, nc, ld;        /* rows, columns (without rhs), row length */
	double *T;               /* (m + 1) x ld; row m is the objective */
	size_t *basis;           /* m */
	unsigned char *barred;   /* nc: may not enter */
	unsigned char *dead;     /* m: redundant row */
};

static void pivot(struct tab *t, size_t r, size_t j)
{
	double *pr = t->T + r * t->ld, piv = pr[j];

	for (size_t k = 0; k < t->ld; k++)
		pr[k] /= piv;
	pr[j] = 1.0;
	for (size_t i = 0; i <= t->m; i++) {
		double *row, f;
		if (i == r || (i < t->m && t->dead[i]))
			continue;
		row = t->T + i * t->ld;
		f = row[j];
		if (f == 0.0)
			continue;
		for (size_t k = 0; k < t->ld; k++)
			row[k] -= f * pr[k];
		row[j] = 0.0;
	}
	t->basis[r] = j;
}

/* Optimise the objective row; 0, or FT_ENUMERIC (unbounded, or the pivot
 * cap). */
static int optimise(struct tab *t, double dtol)
{
	size_t cap = 50 * (t->m + t->nc) + 1000, degen = 0;
	double *obj = t->T + t->m * t->ld;

	for (size_t it = 0;; it++) {
		size_t enter = t->nc, leave = t->m;
		double best = -dtol, ratio = INFINITY, piv = 0;
		int bland = degen >= DEGEN_SWITCH;

		for (size_t j = 0; j < t->nc; j++) {
			if (t->barred[j] || !(obj[j] < best))
				continue;
			enter = j;
			if (bland)
				break;
			best = obj[j];
		}
		if (enter == t->nc)
			return 0;
		if (it >= cap)
			return FT_ENUMERIC;
		for (size_t r = 0; r < t->m; r++) {
			double a, q;
			if (t->dead[r])
				continue;
			a = t->T[r * t->ld + enter];
			if (!(a > PIV_TOL))
				continue;
			q = t->T[r * t->ld + t->nc] / a;
			if (q < ratio - 1e-12 ||
			    (q <= ratio + 1e-12 &&
			     (bland ? t->basis[r] < t->basis[leave] : a > piv))) {
				ratio = q < ratio ? q : ratio;
				leave = r;
				piv = a;
			}
		}
		if (leave == t->m)
			return FT_ENUMERIC;
		degen = ratio <= 1e-12 ? degen + 1 : 0;
		pivot(t, leave, enter);
	}
}

int ft_lp_solve(size_t m, size_t nv, const double *A, const double *b,
                const int *rel, const double *c, double *x, double *value)
{
	struct tab t;
	size_t n_slack = 0, n_art = 0, col_s, col_a;
	double bmax = 0, cmax = 0, *obj;
	int rc = 0;

	memset(&t, 0, sizeof t);
	for (size_t r = 0; r < m; r++)
		n_slack += rel[r] != 0;
	/* an artificial for every row but <= with b >= 0 (after negation) */
	n_art = 0;
	for (size_t r = 0; r < m; r++) {
		int rl = b[r] < 0 ? -rel[r] : rel[r];
		n_art += rl >= 0;
	}
	t.m = m;
	t.nc = nv + n_slack + n_art;
	t.ld = t.nc + 1;
	t.T = calloc((m + 1) * t.ld, sizeof *t.T);
	t.basis = malloc((m ? m : 1) * sizeof *t.basis);
	t.barred = calloc(t.nc, 1);
	t.dead = calloc(m ? m : 1, 1);
	if (!t.T || !t.basis || !t.barred || !t.dead) {
		rc = FT_ENOMEM;
		goto done;
	}
	col_s = nv;
	col_a = nv + n_slack;
	for (size_t r = 0; r < m; r++) {
		double *row = t.T + r * t.ld, sg = b[r] < 0 ? -1.0 : 1.0;
		int rl = b[r] < 0 ? -rel[r] : rel[r];
		for (size_t j = 0; j < nv; j++)
			row[j] = sg * A[r * nv + j];
		row[t.nc] = sg * b[r];
		bmax = fmax(bmax, fabs(b[r]));
		if (rel[r] != 0)
			row[col_s++] = rl < 0 ? 1.0 : -1.0;
		if (rl < 0) {
			t.basis[r] = col_s - 1;
		} else {
			row[col_a] = 1.0;
			t.basis[r] = col_a++;
		}
	}
	/* phase 1: minimise the artificials' sum */
	obj = t.T + m * t.ld;
	for (size_t r = 0; r < m; r++)
		if (t.basis[r] >= nv + n_slack)
			for (size_t k = 0; k < t.ld; k++)
				if (k < nv + n_slack || k == t.nc)
					obj[k] -= t.T[r * t.ld + k];
	if ((rc = optimise(&t, 1e-11)) != 0)
		goto done;
	if (-obj[t.nc] > 1e-9 * fmax(1.0, bmax)) {
		rc = FT_EDATA;
		goto done;
	}
	for (size_t j = nv + n_slack; j < t.nc; j++)
		t.barred[j] = 1;
	for (size_t r = 0; r < m; r++) {
		size_t j;
		if (t.basis[r] < nv + n_slack)
			continue;
		for (j = 0; j < nv + n_slack; j++)
			if (fabs(t.T[r * t.ld + j]) > PIV_TOL)
				break;
		if (j < nv + n_slack)
			pivot(&t, r, j);
		else
			t.dead[r] = 1;         /* redundant */
	}
	/* phase 2 */
	memset(obj, 0, t.ld * sizeof *obj);
	for (size_t j = 0; j < nv; j++) {
		obj[j] = c[j];
		cmax = fmax(cmax, fabs(c[j]));
	}
	for (size_t r = 0; r < m; r++) {
		size_t j = t.basis[r];
		double cb;
		if (t.dead[r] || j >= nv || (cb = obj[j]) == 0.0)
			continue;
		for (size_t k = 0; k < t.ld; k++)
			obj[k] -= cb * t.T[r * t.ld + k];
	}
	if ((rc = optimise(&t, 1e-11 * fmax(1.0, cmax))) != 0)
		goto done;
	memset(x, 0, nv * sizeof *x);
	for (size_t r = 0; r < m; r++)
		if (!t.dead[r] && t.basis[r] < nv)
			x[t.basis[r]] = fmax(0.0, t.T[r * t.ld + t.nc]);
	*value = 0;
	for (size_t j = 0; j < nv; j++)
		*value += c[j] * x[j];
done:
	free(t.T);
	free(t.basis);
	free(t.barred);
	free(t.dead);
	return rc;
}
