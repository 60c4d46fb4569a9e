/*
 * simplex.c - linear programs min c.x s.t. A x (<=, =, >=) b, x >= 0, by
 * the two-phase revised simplex method (Dantzig; Chvatal, "Linear
 * Programming", 1983, ch. 7-8), for optim-pre's convex program
 * (src/fair/optim_pre.c), which is an LP.
 *
 * Standard form: a slack per inequality (+1 for <=, -1 for >=), rows
 * multiplied by -1 where b < 0, an artificial per row that has no +1 slack.
 * Phase 1 minimises the sum of the artificials from the basis of slacks and
 * artificials; phase 2 the objective, with artificials barred from
 * entering (one left basic at 0 sits on a redundant row, or is pivoted out
 * first when its row of B^-1 A is not zero).  The basis inverse is kept
 * dense (m x m) and updated by the product-form pivot, recomputed from the
 * basis columns by LU (ft_la_inverse) every REFACTOR pivots and at the end,
 * when x_B = B^-1 b and the duals are recomputed too, so that the returned
 * point is the vertex of the final basis to working precision.
 *
 * Pricing: Dantzig's rule (the most negative reduced cost); after
 * DEGEN_MAX pivots in a row that leave the objective unchanged, Bland's
 * rule (the lowest index entering, the lowest index leaving among the
 * ratio ties) until the objective moves, which cannot cycle.  Ratio test
 * with a pivot tolerance; among near ties the largest pivot.
 *
 * It is exact in the sense of a vertex method: the answer is a basic
 * solution whose optimality and feasibility hold to the tolerances below,
 * not an interior point approaching the optimum.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "linalg/linalg.h"
#include "optim/optim.h"

#define TOL_PIV 1e-9
#define TOL_OPT 1e-10
#define TOL_FEAS 1e-9
#define REFACTOR 500
#define DEGEN_MAX 50

struct sx {
	size_t m, n;             /* rows; structural columns */
	size_t N;                /* all columns: structural, slacks, artificials */
	size_t *cs, *ri;         /* CSC of all columns */
	double *cv;
	double *b;               /* m, >= 0 */
	double *cost;            /* N: the current phase's costs */
	size_t *basis;           /* m */
	unsigned char *in_basis; /* N */
	unsigned char *barred;   /* N: may not enter */
	double *Binv;            /* m * m row-major */
	double *xB, *y, *alpha, *d, *tmp;
	int *ipiv;
	size_t first_art;        /* columns >= first_art are artificial */
	size_t iter, max_iter;
};

static void sx_free(struct sx *s)
{
	free(s->cs);
	free(s->ri);
	free(s->cv);
	free(s->b);
	free(s->cost);
	free(s->basis);
	free(s->in_basis);
	free(s->barred);
	free(s->Binv);
	free(s->xB);
	free(s->y);
	free(s->alpha);
	free(s->d);
	free(s->tmp);
	free(s->ipiv);
}

/* Recompute B^-1 from the basis columns, then x_B. */
static int refactor(struct sx *s)
{
	size_t m = s->m;
	int rc;

	memset(s->Binv, 0, m * m * sizeof *s->Binv);
	for (size_t k = 0; k < m; k++) {
		size_t j = s->basis[k];
		for (size_t e = s->cs[j]; e < s->cs[j + 1]; e++)
			s->Binv[s->ri[e] * m + k] = s->cv[e];
	}
	if ((rc = ft_la_inverse(m, s->Binv, s->ipiv)) != 0)
		return rc > 0 ? FT_ENUMERIC : rc;
	for (size_t i = 0; i < m; i++) {
		double v = 0;
		for (size_t k = 0; k < m; k++)
			v += s->Binv[i * m + k] * s->b[k];
		s->xB[i] = v;
	}
	return 0;
}

/* y = c_B B^-1 from scratch (after a refactorization; pivots update it). */
static void duals(struct sx *s)
{
	size_t m = s->m;

	memset(s->y, 0, m * sizeof *s->y);
	for (size_t k = 0; k < m; k++) {
		double c = s->cost[s->basis[k]];
		if (c == 0)
			continue;
		for (size_t i = 0; i < m; i++)
			s->y[i] += c * s->Binv[k * m + i];
	}
}

/* The reduced costs of the columns that may enter. */
static void price(struct sx *s)
{
	for (size_t j = 0; j < s->N; j++) {
		double v = s->cost[j];
		if (s->in_basis[j] || s->barred[j]) {
			s->d[j] = 0;
			continue;
		}
		for (size_t e = s->cs[j]; e < s->cs[j + 1]; e++)
			v -= s->y[s->ri[e]] * s->cv[e];
		s->d[j] = v;
	}
}

/* alpha = B^-1 A_j */
static void column(struct sx *s, size_t j)
{
	size_t m = s->m;

	memset(s->alpha, 0, m * sizeof *s->alpha);
	for (size_t e = s->cs[j]; e < s->cs[j + 1]; e++) {
		size_t r = s->ri[e];
		double v = s->cv[e];
		for (size_t i = 0; i < m; i++)
			s->alpha[i] += s->Binv[i * m + r] * v;
	}
}

/* Pivot column q into basis position r. */
static void pivot(struct sx *s, size_t q, size_t r)
{
	size_t m = s->m;
	double ar = s->alpha[r], *row = s->Binv + r * m, t = s->xB[r] / ar;

	for (size_t k = 0; k < m; k++)
		row[k] /= ar;
	for (size_t i = 0; i < m; i++) {
		double a = s->alpha[i];
		if (i == r || a == 0)
			continue;
		for (size_t k = 0; k < m; k++)
			s->Binv[i * m + k] -= a * row[k];
		s->xB[i] -= a * t;
		if (s->xB[i] < 0 && s->xB[i] > -TOL_FEAS)
			s->xB[i] = 0;
	}
	s->xB[r] = t;
	s->in_basis[s->basis[r]] = 0;
	s->basis[r] = q;
	s->in_basis[q] = 1;
}

static double objective(const struct sx *s)
{
	double v = 0;

	for (size_t k = 0; k < s->m; k++)
		v += s->cost[s->basis[k]] * s->xB[k];
	return v;
}

/* Simplex iterations on the current costs; 0 optimal, 1 unbounded. */
static int run(struct sx *s)
{
	size_t degen = 0, since = 0;
	double last = objective(s);
	int rc;

	duals(s);
	for (;;) {
		size_t q = SIZE_MAX, r = SIZE_MAX;
		double best = -TOL_OPT, ratio = INFINITY, piv = 0;
		int bland = degen >= DEGEN_MAX;

		if (s->iter >= s->max_iter)
			return FT_ENUMERIC;
		price(s);
		for (size_t j = 0; j < s->N; j++) {
			if (s->d[j] < best) {
				best = s->d[j];
				q = j;
				if (bland)
					break;
			}
		}
		if (q == SIZE_MAX)
			return 0;
		column(s, q);
		for (size_t i = 0; i < s->m; i++) {
			double a = s->alpha[i], t;
			if (a <= TOL_PIV)
				continue;
			t = s->xB[i] / a;
			if (bland ? (t < ratio - 1e-12 || (t <= ratio + 1e-12 && r != SIZE_MAX &&
			                                   s->basis[i] < s->basis[r]))
			          : (t < ratio - 1e-12 || (t <= ratio + 1e-12 && a > piv))) {
				ratio = fmax(t, 0.0);
				r = i;
				piv = a;
			}
		}
		if (r == SIZE_MAX)
			return 1;
		pivot(s, q, r);
		s->iter++;
		/* the new duals: y + d_q (row r of the new B^-1) makes the
		 * entering column's reduced cost 0 */
		for (size_t k = 0; k < s->m; k++)
			s->y[k] += best * s->Binv[r * s->m + k];
		if (++since >= REFACTOR) {
			since = 0;
			if ((rc = refactor(s)) != 0)
				return rc;
			duals(s);
		}
		{
			double now = objective(s);
			if (now < last - 1e-13 * fmax(1.0, fabs(last))) {
				degen = 0;
				last = now;
			} else {
				degen++;
			}
		}
	}
}

int ft_lp_solve(const struct ft_lp *lp, double *x, double *obj, size_t *iterations,
                struct ft_error *err)
{
	struct sx s;
	size_t m = lp->m, n = lp->n, nnz, n_slack = 0, n_art = 0, e;
	double *sign = NULL;
	int rc = 0;

	memset(&s, 0, sizeof s);
	if (m == 0 || n == 0)
		return ft_error_set(err, FT_EINVAL, "lp: no rows or columns");
	sign = malloc(m * sizeof *sign);
	if (!sign)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	for (size_t i = 0; i < m; i++) {
		sign[i] = lp->b[i] < 0 ? -1.0 : 1.0;
		if (lp->sense[i] != 0)
			n_slack++;
		/* a +1 slack after the sign change: <= with b >= 0, >= with b < 0 */
		if (!(lp->sense[i] < 0 && sign[i] > 0) && !(lp->sense[i] > 0 && sign[i] < 0))
			n_art++;
	}
	nnz = lp->col_start[n] + n_slack + n_art;
	s.m = m;
	s.n = n;
	s.N = n + n_slack + n_art;
	s.first_art = n + n_slack;
	s.cs = malloc((s.N + 1) * sizeof *s.cs);
	s.ri = malloc(nnz * sizeof *s.ri);
	s.cv = malloc(nnz * sizeof *s.cv);
	s.b = malloc(m * sizeof *s.b);
	s.cost = calloc(s.N, sizeof *s.cost);
	s.basis = malloc(m * sizeof *s.basis);
	s.in_basis = calloc(s.N, 1);
	s.barred = calloc(s.N, 1);
	s.Binv = malloc(m * m * sizeof *s.Binv);
	s.xB = malloc(m * sizeof *s.xB);
	s.y = malloc(m * sizeof *s.y);
	s.alpha = malloc(m * sizeof *s.alpha);
	s.d = malloc(s.N * sizeof *s.d);
	s.ipiv = malloc(m * sizeof *s.ipiv);
	if (!s.cs || !s.ri || !s.cv || !s.b || !s.cost || !s.basis || !s.in_basis ||
	    !s.barred || !s.Binv || !s.xB || !s.y || !s.alpha || !s.d || !s.ipiv) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	s.max_iter = 50 * (m + s.N) + 10000;
	/* structural columns, rows scaled by sign */
	e = 0;
	for (size_t j = 0; j < n; j++) {
		s.cs[j] = e;
		for (size_t k = lp->col_start[j]; k < lp->col_start[j + 1]; k++) {
			s.ri[e] = lp->row_idx[k];
			s.cv[e++] = sign[lp->row_idx[k]] * lp->val[k];
		}
	}
	for (size_t i = 0; i < m; i++)
		s.b[i] = sign[i] * lp->b[i];
	/* slacks, then artificials; the initial basis */
	{
		size_t js = n, ja = s.first_art;
		for (size_t i = 0; i < m; i++) {
			double sl = lp->sense[i] < 0 ? 1.0 : -1.0;
			if (lp->sense[i] != 0) {
				s.cs[js] = e;
				s.ri[e] = i;
				s.cv[e++] = sign[i] * sl;
				if (sign[i] * sl > 0) {
					s.basis[i] = js;
					s.in_basis[js] = 1;
				}
				js++;
			}
		}
		for (size_t i = 0; i < m; i++) {
			double sl = lp->sense[i] < 0 ? 1.0 : -1.0;
			if (lp->sense[i] != 0 && sign[i] * sl > 0)
				continue;
			s.cs[ja] = e;
			s.ri[e] = i;
			s.cv[e++] = 1.0;
			s.cost[ja] = 1.0;        /* phase 1 */
			s.basis[i] = ja;
			s.in_basis[ja] = 1;
			ja++;
		}
		s.cs[s.N] = e;
	}
	if ((rc = refactor(&s)) != 0) {
		rc = ft_error_set(err, FT_ENUMERIC, "lp: the starting basis is singular");
		goto done;
	}
	/* phase 1 */
	if (n_art) {
		rc = run(&s);
		if (rc < 0 || (rc == 0 && (rc = refactor(&s)) != 0)) {
			rc = ft_error_set(err, FT_ENUMERIC, "lp: phase 1 failed after %zu pivots "
			                  "(iteration limit or a singular basis)", s.iter);
			goto done;
		}
		if (objective(&s) > 1e-8 * fmax(1.0, (double)m)) {
			rc = ft_error_set(err, FT_EDATA, "lp: infeasible (phase 1 ends at %g)",
			                  objective(&s));
			goto done;
		}
		/* drive zero artificials out of the basis where a structural or
		 * slack column can replace them */
		for (size_t k = 0; k < m; k++) {
			if (s.basis[k] < s.first_art)
				continue;
			for (size_t j = 0; j < s.first_art; j++) {
				double a = 0;
				if (s.in_basis[j])
					continue;
				for (size_t t = s.cs[j]; t < s.cs[j + 1]; t++)
					a += s.Binv[k * m + s.ri[t]] * s.cv[t];
				if (fabs(a) > 1e-7) {
					column(&s, j);
					pivot(&s, j, k);
					break;
				}
			}
		}
		for (size_t j = s.first_art; j < s.N; j++)
			s.barred[j] = 1;
	}
	/* phase 2 */
	memset(s.cost, 0, s.N * sizeof *s.cost);
	memcpy(s.cost, lp->c, n * sizeof *s.cost);
	if ((rc = refactor(&s)) != 0 || (rc = run(&s)) != 0) {
		rc = ft_error_set(err, rc == 1 ? FT_EDATA : FT_ENUMERIC, rc == 1 ?
		                  "lp: unbounded" : "lp: phase 2 failed after %zu pivots "
		                  "(iteration limit or a singular basis)", s.iter);
		goto done;
	}
	if ((rc = refactor(&s)) != 0) {
		rc = ft_error_set(err, FT_ENUMERIC, "lp: the final basis is singular");
		goto done;
	}
	memset(x, 0, n * sizeof *x);
	for (size_t k = 0; k < m; k++)
		if (s.basis[k] < n)
			x[s.basis[k]] = s.xB[k] > 0 ? s.xB[k] : 0.0;
	*obj = 0;
	for (size_t j = 0; j < n; j++)
		*obj += lp->c[j] * x[j];
	if (iterations)
		*iterations = s.iter;
done:
	sx_free(&s);
	free(sign);
	return rc;
}

int ft_lp_solve_dense(size_t m, size_t nv, const double *A, const double *b,
                      const int *rel, const double *c, double *x, double *value)
{
	struct ft_error e = { 0 };
	struct ft_lp lp;
	size_t nnz = 0, *cs = NULL, *ri = NULL;
	double *val = NULL;
	signed char *sense = NULL;
	int rc = FT_ENOMEM;

	for (size_t i = 0; i < m * nv; i++)
		nnz += A[i] != 0.0;
	cs = malloc((nv + 1) * sizeof *cs);
	ri = malloc((nnz ? nnz : 1) * sizeof *ri);
	val = malloc((nnz ? nnz : 1) * sizeof *val);
	sense = malloc((m ? m : 1) * sizeof *sense);
	if (cs && ri && val && sense) {
		size_t k = 0;
		for (size_t j = 0; j < nv; j++) {
			cs[j] = k;
			for (size_t r = 0; r < m; r++)
				if (A[r * nv + j] != 0.0) {
					ri[k] = r;
					val[k++] = A[r * nv + j];
				}
		}
		cs[nv] = k;
		for (size_t r = 0; r < m; r++)
			sense[r] = (signed char)(rel[r] < 0 ? -1 : rel[r] > 0);
		lp.m = m;
		lp.n = nv;
		lp.col_start = cs;
		lp.row_idx = ri;
		lp.val = val;
		lp.c = c;
		lp.b = b;
		lp.sense = sense;
		rc = ft_lp_solve(&lp, x, value, NULL, &e);
	}
	free(cs);
	free(ri);
	free(val);
	free(sense);
	return rc;
}
