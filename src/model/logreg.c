/*
 * logreg.c - weighted L2-regularised logistic regression, the objective of
 * scikit-learn's LogisticRegression(C=C) with sample_weight:
 *
 *   F(beta, b) = C sum_i w_i l(y_i, z_i) + 1/2 ||beta||^2,
 *   z_i = x_i.beta + b,  l(y, z) = y softplus(-z) + (1 - y) softplus(z),
 *
 * the intercept b not penalised.  sklearn minimises F / C, the same point.
 *
 * Layout: the solver sees x = (beta[0..p-1], b), dim p + 1, always.  With
 * fit_intercept = 0 the loss ignores x[p] and the objective adds 1/2 b^2
 * instead, so b is pinned: its gradient is b, its Hessian row is e_p, and
 * from the zero start every solver keeps b = 0 exactly.  This keeps one
 * layout for ft_logreg_block, the solver and the model.
 *
 * Derivatives, with s_i = sigmoid(z_i) and xt_i = (x_i, 1):
 *   gradient  C sum_i w_i (s_i - y_i) xt_i           + (beta, 0)
 *   Hessian   C sum_i w_i s_i (1 - s_i) xt_i xt_i^T  + diag(1, .., 1, 0)
 * Every sum over rows is a function over a block of rows [lo, hi) that adds
 * its partial sums (value+gradient, Hessian, Hessian-vector), so threads or a
 * distributed build only have to add the blocks' results.  Speed without
 * changing a bit (test_logreg's test_passes_bitwise): margins four rows at
 * a time, the Hessian's numeric-by-code block gathered contiguously, and
 * the Hessian's row curvatures kept from the value-and-gradient pass at the
 * same point (issue 20 item 8).  Rows are read
 * through their non-zeros only (dense numeric block + one code per
 * categorical column): the full Hessian costs O(nnz_i^2) per row.
 *
 * This file does not encode data, choose a solver or write models to disk.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "model/model.h"
#include "optim/optim.h"
#include "core/internal.h"
#include "core/dist.h"

/* Rows per block in the callbacks: the unit a threaded build would hand
 * out.  Summing per block also keeps the rounding error of f small. */
#define BLOCK_ROWS 4096

/* The stride of hess_block's numeric-by-code rows (hnc): up to 16 numeric
 * features a row of 8 or 16 entries, so that a row's update is a fixed
 * number of whole vectors (the padding adds zeros, and is never read). */
static size_t hnc_row(size_t nn)
{
	return nn <= 8 ? 8 : nn <= 16 ? 16 : nn;
}

/* The most doubles of hnc a chunk keeps on its stack (32 KiB). */
#define HNC_STACK 4096

struct logreg_ctx {
	const struct ft_dataset *d;   /* borrowed */
	double C;
	int fit_intercept;
	/* The Hessian's row weights C w_i l''(z_i) from the last value and
	 * gradient pass, at tx (dim entries) when tvalid: Newton asks for the
	 * Hessian where the line search's last evaluation was accepted, so
	 * the Hessian pass reads them instead of recomputing the margins and
	 * the exponentials (the same expression, so the same bits).  NULL
	 * when the n doubles could not be had: then nothing is cached. */
	double *tc, *tx;
	int tvalid;
};

/* l''(z) of a row (the loss terms: ft_logistic_loss and ft_logistic_curv_e,
 * model.h). */
static inline double curv(double z)
{
	return ft_logistic_curv_e(ft_exp_neg(fabs(z)));
}

static double weight(const struct ft_dataset *d, size_t i)
{
	return d->w ? d->w[i] : 1.0;
}

/* g[j] += a_r x_rj over the numeric features of rows r[0 .. nr) (nr <= 4,
 * in row order): each entry takes the rows' terms one after the other, as
 * ft_row_axpy row by row does, between one load and one store. */
static inline void axpy_num_rows(double *g, size_t nn, size_t nr, const double *a,
                                 const double *const *r)
{
	if (nr == 4) {
		const double *x0 = r[0], *x1 = r[1], *x2 = r[2], *x3 = r[3];
		double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
		#pragma omp simd
		for (size_t j = 0; j < nn; j++)
			g[j] = (((g[j] + a0 * x0[j]) + a1 * x1[j]) + a2 * x2[j]) + a3 * x3[j];
		return;
	}
	for (size_t q = 0; q < nr; q++) {
		const double *x0 = r[q];
		double a0 = a[q];
		#pragma omp simd
		for (size_t j = 0; j < nn; j++)
			g[j] += a0 * x0[j];
	}
}

/* Loss and gradient over rows [lo, hi): adds C sum w_i l_i to *f and its
 * gradient to g (dim p + 1; g may be NULL).  b = x[p] when fit_intercept.
 * A batch of rows at a time: the margins four rows at a time (ft_row_dot4:
 * four independent chains of additions instead of one; each row summed in
 * ft_row_dot's order), then each row's loss, residual and curvature in
 * SIMD lanes (ft_logistic_batch), then the weighted sums and the gradient
 * in row order (the numeric features' part four rows at a time,
 * axpy_num_rows).  So the bits are those of one row at a time.
 * tc (when not NULL): tc[i] gets row i's Hessian weight C w l''(z),
 * written as hess_block computes it (see logreg_ctx). */
static void vg_block(const struct ft_dataset *d, size_t lo, size_t hi,
                     const double *x, double C, int fit_intercept, double *f,
                     double *g, double *tc)
{
	size_t p = d->p, nn = d->n_num, nr = 0;
	double b = fit_intercept ? x[p] : 0.0, sum = 0.0, gb = 0.0, ar[4];
	double z[FT_LOGISTIC_BATCH], lz[FT_LOGISTIC_BATCH], rz[FT_LOGISTIC_BATCH],
	       cz[FT_LOGISTIC_BATCH];
	const double *xr[4];

	for (size_t i0 = lo; i0 < hi; i0 += FT_LOGISTIC_BATCH) {
		size_t m = hi - i0 < FT_LOGISTIC_BATCH ? hi - i0 : FT_LOGISTIC_BATCH, k = 0;

		for (; k + 4 <= m; k += 4)
			ft_row_dot4(d, i0 + k, x, z + k);
		for (; k < m; k++)
			z[k] = ft_row_dot(d, i0 + k, x);
		for (k = 0; k < m; k++)
			z[k] += b;
		ft_logistic_batch(d->y + i0, z, m, lz, rz, tc ? cz : NULL);
		for (k = 0; k < m; k++) {
			double w = weight(d, i0 + k), r;
			if (w == 0.0)
				continue;
			sum += w * lz[k];
			if (tc)
				tc[i0 + k] = C * w * cz[k];
			if (g) {
				r = rz[k] * (C * w);
				if (nn > 0) {
					ar[nr] = r;
					xr[nr++] = d->num + (i0 + k) * nn;
					if (nr == 4) {
						axpy_num_rows(g, nn, 4, ar, xr);
						nr = 0;
					}
				}
				ft_row_axpy_codes(d, i0 + k, r, g);
				gb += r;
			}
		}
	}
	if (g)
		axpy_num_rows(g, nn, nr, ar, xr);
	*f += C * sum;
	if (g && fit_intercept)
		g[p] += gb;
}

/* The numeric block's upper triangle of rows r[0 .. nr) (nr <= 4, in row
 * order, weights t): each entry H[j][k] += t_r x_rj x_rk, the rows' terms
 * added one after the other, as row by row; but the entry is loaded and
 * stored once for the rows (one row at a time, its loads and stores were
 * a third of the pass). */
static inline void hess_num_rows(double *H, size_t dim, size_t nn, size_t nr,
                                 const double *t, const double *const *r)
{
	if (nr == 4) {
		const double *x0 = r[0], *x1 = r[1], *x2 = r[2], *x3 = r[3];
		for (size_t j = 0; j < nn; j++) {
			double a0 = t[0] * x0[j], a1 = t[1] * x1[j], a2 = t[2] * x2[j],
			       a3 = t[3] * x3[j], *Hj = H + j * dim;
			#pragma omp simd
			for (size_t k = j; k < nn; k++)
				Hj[k] = (((Hj[k] + a0 * x0[k]) + a1 * x1[k]) + a2 * x2[k]) + a3 * x3[k];
		}
		return;
	}
	for (size_t q = 0; q < nr; q++) {
		const double *x0 = r[q];
		for (size_t j = 0; j < nn; j++) {
			double a0 = t[q] * x0[j], *Hj = H + j * dim;
			#pragma omp simd
			for (size_t k = j; k < nn; k++)
				Hj[k] += a0 * x0[k];
		}
	}
}

/* Hessian of the loss over rows [lo, hi): adds C sum w_i l''_i xt_i xt_i^T
 * to the upper triangle (H[a * dim + c], a <= c) of the dim x dim H, row by
 * row through its non-zeros, as ft_row_outer does, except that
 *   - the numeric block takes four rows at a time (hess_num_rows): each
 *     entry still gets the terms t x_j x_k in row order;
 *   - the block of numeric features against codes and the intercept goes
 *     to hnc[u * hnc_row(n_num) + j] (u the code or the intercept, j the
 *     numeric feature), contiguous in j, instead of down H's columns: each entry
 *     gets the same terms t x_j in the same (row) order; hess_chunk adds
 *     hnc into H once, at the end of its chunk, where H's entry is still 0.
 * So the bits are those of adding into H row by row.  idx: n_cat + 1
 * scratch. */
static void hess_block(const struct ft_dataset *d, size_t lo, size_t hi,
                       const double *x, double C, int fit_intercept, double *H,
                       double *hnc, size_t *idx, const double *tc)
{
	size_t p = d->p, dim = p + 1, nn = d->n_num, nc = d->n_cat, i = lo, nr = 0;
	size_t hs = hnc_row(nn);
	double b = fit_intercept ? x[p] : 0.0, z4[4], tx[64], tr[4];
	const double *xr[4];

	/* the padding of hnc's rows (hs <= 16) adds zeros */
	for (size_t j = nn; j < hs; j++)
		tx[j] = 0.0;
	for (; i < hi; i++) {
		double w = weight(d, i), t, z;
		const double *xi = nn > 0 ? d->num + i * nn : NULL;
		const int32_t *ci = nc > 0 ? d->code + i * nc : NULL;
		size_t m = 0;

		if (!tc && (i - lo) % 4 == 0 && i + 4 <= hi)
			ft_row_dot4(d, i, x, z4);
		if (w == 0.0)
			continue;
		if (tc) {
			t = tc[i];
		} else {
			z = (i + 4 - (i - lo) % 4 <= hi ? z4[(i - lo) % 4] : ft_row_dot(d, i, x)) + b;
			t = C * w * curv(z);
		}
		if (nn > 0) {
			tr[nr] = t;
			xr[nr++] = xi;
			if (nr == 4) {
				hess_num_rows(H, dim, nn, 4, tr, xr);
				nr = 0;
			}
		}
		for (size_t c = 0; c < nc; c++)
			if (ci[c] >= 0)
				idx[m++] = (size_t)ci[c];
		if (fit_intercept)
			idx[m++] = p;
		/* element-wise updates: SIMD lanes are different entries, each
		 * still gets its own product and sum, so the same bits */
		if (nn > 0 && hs <= 16) {
			for (size_t j = 0; j < nn; j++)
				tx[j] = t * xi[j];
			for (size_t k = 0; k < m; k++) {
				double *hu = hnc + idx[k] * hs;
				if (hs == 8) {
					#pragma omp simd
					for (size_t j = 0; j < 8; j++)
						hu[j] += tx[j];
				} else {
					#pragma omp simd
					for (size_t j = 0; j < 16; j++)
						hu[j] += tx[j];
				}
			}
		} else {
			for (size_t j0 = 0; j0 < nn; j0 += 64) {
				size_t jn = nn - j0 < 64 ? nn - j0 : 64;
				#pragma omp simd
				for (size_t j = 0; j < jn; j++)
					tx[j] = t * xi[j0 + j];
				for (size_t k = 0; k < m; k++) {
					double *hu = hnc + idx[k] * hs + j0;
					#pragma omp simd
					for (size_t j = 0; j < jn; j++)
						hu[j] += tx[j];
				}
			}
		}
		/* the codes ascending (one per column, the columns' codes in
		 * column order: the usual case), each pair goes to row u */
		size_t up = 1;
		for (size_t k = 1; k < m; k++)
			up &= idx[k - 1] < idx[k];
		for (size_t k = 0; up && k < m; k++) {
			double *Hu = H + idx[k] * dim;
			Hu[idx[k]] += t;
			for (size_t e = k + 1; e < m; e++)
				Hu[idx[e]] += t;
		}
		for (size_t k = 0; !up && k < m; k++) {
			size_t u = idx[k];
			H[u * dim + u] += t;
			for (size_t e = k + 1; e < m; e++) {
				size_t v = idx[e];
				if (u < v)
					H[u * dim + v] += t;
				else if (u > v)
					H[v * dim + u] += t;
				else
					H[u * dim + u] += 2.0 * t;
			}
		}
	}
	hess_num_rows(H, dim, nn, nr, tr, xr);
}

/* Hessian-vector product of the loss over rows [lo, hi): adds
 * C sum w_i l''_i (xt_i . v) xt_i to hv (dim p + 1).  A batch of rows at a
 * time, as vg_block: both margins four rows at a time, the curvatures in
 * SIMD lanes, then the rows in row order. */
static void hv_block(const struct ft_dataset *d, size_t lo, size_t hi,
                     const double *x, const double *v, double C,
                     int fit_intercept, double *hv)
{
	size_t p = d->p;
	double b = fit_intercept ? x[p] : 0.0, vb = fit_intercept ? v[p] : 0.0;
	double hb = 0.0, z[FT_LOGISTIC_BATCH], zv[FT_LOGISTIC_BATCH], cz[FT_LOGISTIC_BATCH];

	for (size_t i0 = lo; i0 < hi; i0 += FT_LOGISTIC_BATCH) {
		size_t m = hi - i0 < FT_LOGISTIC_BATCH ? hi - i0 : FT_LOGISTIC_BATCH, k = 0;

		for (; k + 4 <= m; k += 4) {
			ft_row_dot4(d, i0 + k, x, z + k);
			ft_row_dot4(d, i0 + k, v, zv + k);
		}
		for (; k < m; k++) {
			z[k] = ft_row_dot(d, i0 + k, x);
			zv[k] = ft_row_dot(d, i0 + k, v);
		}
		for (k = 0; k < m; k++)
			z[k] += b;
		ft_logistic_curv_batch(z, m, cz);
		for (k = 0; k < m; k++) {
			double w = weight(d, i0 + k), t;
			if (w == 0.0)
				continue;
			t = C * w * cz[k] * (zv[k] + vb);
			ft_row_axpy(d, i0 + k, t, hv);
			hb += t;
		}
	}
	if (fit_intercept)
		hv[p] += hb;
}

/* The three row loops again for wider vectors (internal.h: the same bits
 * at every level), and the pick of the widest this CPU has.  On 750,000
 * rows of 98 features, one thread of an AMD EPYC (bench_scale kernels),
 * SSE2 -> AVX-512: value and gradient 25 -> 15 ns a row, Hessian-vector
 * 19 -> 17, the full Hessian 65 -> 60 (before hess_num_rows and hnc_row,
 * which took the AVX-512 full Hessian from 66 to 54). */
FT_SIMD_VARIANTS(vg_block,
                 (const struct ft_dataset *d, size_t lo, size_t hi, const double *x,
                  double C, int fit_intercept, double *f, double *g, double *tc),
                 (d, lo, hi, x, C, fit_intercept, f, g, tc))
FT_SIMD_VARIANTS(hv_block,
                 (const struct ft_dataset *d, size_t lo, size_t hi, const double *x,
                  const double *v, double C, int fit_intercept, double *hv),
                 (d, lo, hi, x, v, C, fit_intercept, hv))
FT_SIMD_VARIANTS(hess_block,
                 (const struct ft_dataset *d, size_t lo, size_t hi, const double *x,
                  double C, int fit_intercept, double *H, double *hnc, size_t *idx,
                  const double *tc),
                 (d, lo, hi, x, C, fit_intercept, H, hnc, idx, tc))

void ft_logreg_block(const struct ft_dataset *d, size_t lo, size_t hi,
                     const double *x, double C, double *f, double *g)
{
	vg_block_pick()(d, lo, hi, x, C, 1, f, g, NULL);
}

/* ---------------------------------------------------------- the vtable */

/* Chunks for ft_parallel_sum.  The partial buffer holds the gradient (dim
 * entries) then f, or the dim x dim Hessian, or Hv. */
struct lr_call {
	const struct logreg_ctx *c;
	const double *x, *v;
	int with_grad;
	size_t *idx;                  /* hessian scratch, n_cat + 1 per chunk, */
	size_t idx_stride;            /* idx_stride apart */
	double *hnc;                  /* hessian scratch, (p + 1) hnc_row(n_num) a chunk, */
	size_t hnc_stride;            /* hnc_stride apart; NULL: on the chunk's stack */
	const double *tc;             /* cached row weights, or NULL */
	/* the row loops, from the *_pick functions */
	void (*vg)(const struct ft_dataset *, size_t, size_t, const double *, double, int,
	           double *, double *, double *);
	void (*hv)(const struct ft_dataset *, size_t, size_t, const double *, const double *,
	           double, int, double *);
	void (*hs)(const struct ft_dataset *, size_t, size_t, const double *, double, int,
	           double *, double *, size_t *, const double *);
};

static void vg_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct lr_call *a = ctx;
	const struct ft_dataset *d = a->c->d;
	(void)chunk;
	for (; lo < hi; lo += BLOCK_ROWS) {
		size_t e = hi - lo < BLOCK_ROWS ? hi : lo + BLOCK_ROWS;
		a->vg(d, lo, e, a->x, a->c->C, a->c->fit_intercept,
		      a->with_grad ? part + d->p + 1 : part,
		      a->with_grad ? part : NULL, a->c->tc);
	}
}

static void hv_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct lr_call *a = ctx;
	(void)chunk;
	for (; lo < hi; lo += BLOCK_ROWS) {
		size_t e = hi - lo < BLOCK_ROWS ? hi : lo + BLOCK_ROWS;
		a->hv(a->c->d, lo, e, a->x, a->v, a->c->C, a->c->fit_intercept, part);
	}
}

static void hess_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct lr_call *a = ctx;
	const struct ft_dataset *d = a->c->d;
	size_t *idx = a->idx + chunk * a->idx_stride, nn = d->n_num, dim = d->p + 1;
	size_t hs = hnc_row(nn);
	double own[HNC_STACK];
	double *hnc = a->hnc ? a->hnc + chunk * a->hnc_stride : own;

	memset(hnc, 0, dim * hs * sizeof *hnc);
	for (; lo < hi; lo += BLOCK_ROWS) {
		size_t e = hi - lo < BLOCK_ROWS ? hi : lo + BLOCK_ROWS;
		a->hs(d, lo, e, a->x, a->c->C, a->c->fit_intercept, part, hnc, idx, a->tc);
	}
	/* the numeric-by-code block into H (upper triangle: j < u) */
	for (size_t u = nn; u < dim; u++)
		for (size_t j = 0; j < nn; j++)
			part[j * dim + u] += hnc[u * hs + j];
}

static int lr_value_grad(void *ctx, const double *x, double *f, double *g)
{
	struct logreg_ctx *c = ctx;
	const struct ft_dataset *d = c->d;
	size_t p = d->p;
	struct lr_call a = {.c = c, .x = x, .with_grad = g != NULL, .vg = vg_block_pick()};
	double *buf, fs = 0.0;
	int rc;

	/* f travels at the end of the gradient buffer */
	buf = calloc(p + 2, sizeof *buf);
	if (!buf)
		return FT_ENOMEM;
	c->tvalid = 0;
	rc = ft_parallel_sum(d->n, g ? p + 2 : 1, g ? buf : &fs, vg_chunk, &a);
	if (rc) {
		free(buf);
		return rc;
	}
	if (c->tc) {
		memcpy(c->tx, x, (p + 1) * sizeof *x);
		c->tvalid = 1;
	}
	if (g) {
		memcpy(g, buf, (p + 1) * sizeof *g);
		fs = buf[p + 1];
	}
	free(buf);
	*f = fs;
	/* 1/2 ||beta||^2, and 1/2 b^2 when b is pinned (see the top) */
	for (size_t j = 0; j < p; j++) {
		*f += 0.5 * x[j] * x[j];
		if (g)
			g[j] += x[j];
	}
	if (!c->fit_intercept) {
		*f += 0.5 * x[p] * x[p];
		if (g)
			g[p] += x[p];
	}
	return 0;
}

static int lr_hess_vec(void *ctx, const double *x, const double *v, double *hv)
{
	const struct logreg_ctx *c = ctx;
	const struct ft_dataset *d = c->d;
	size_t p = d->p;
	struct lr_call a = {.c = c, .x = x, .v = v, .hv = hv_block_pick()};
	int rc;

	memset(hv, 0, (p + 1) * sizeof *hv);
	rc = ft_parallel_sum(d->n, p + 1, hv, hv_chunk, &a);
	if (rc)
		return rc;
	for (size_t j = 0; j < p; j++)
		hv[j] += v[j];
	if (!c->fit_intercept)
		hv[p] += v[p];
	return 0;
}

static int lr_hessian(void *ctx, const double *x, double *H)
{
	const struct logreg_ctx *c = ctx;
	const struct ft_dataset *d = c->d;
	size_t p = d->p, dim = p + 1;
	struct lr_call a = {.c = c, .x = x, .hs = hess_block_pick()};
	size_t k = ft_parallel_chunks(d->n, dim * dim);
	int rc, hnc_heap = dim * hnc_row(d->n_num) > HNC_STACK;

	a.idx = ft_chunk_scratch(k, d->n_cat + 1, sizeof *a.idx, &a.idx_stride);
	/* hnc on the chunk's stack when it fits (bench_scale's 98 features:
	 * 12.7 KB); one block for all 256 chunks was 3.2 MB, and glibc then
	 * raised its mmap threshold to that size when it was freed, so that
	 * later arrays of the run came from its heap: the peak of train
	 * --split 0 on the 1M-row bench file grew 6 MB */
	if (hnc_heap)
		a.hnc = ft_chunk_scratch(k, dim * hnc_row(d->n_num), sizeof *a.hnc,
		                         &a.hnc_stride);
	if (!a.idx || (hnc_heap && !a.hnc)) {
		free(a.idx);
		free(a.hnc);
		return FT_ENOMEM;
	}
	if (c->tc && c->tvalid && !memcmp(x, c->tx, dim * sizeof *x))
		a.tc = c->tc;
	/* zero: a single chunk adds straight into H (hess_chunk relies on it) */
	memset(H, 0, dim * dim * sizeof *H);
	rc = ft_parallel_sum(d->n, dim * dim, H, hess_chunk, &a);
	free(a.idx);
	free(a.hnc);
	if (rc)
		return rc;
	for (size_t r = 0; r < dim; r++)
		for (size_t e = r + 1; e < dim; e++)
			H[e * dim + r] = H[r * dim + e];
	for (size_t j = 0; j < p; j++)
		H[j * dim + j] += 1.0;
	if (!c->fit_intercept)
		H[p * dim + p] += 1.0;
	return 0;
}

/* ------------------------------------------------------------- checks */

void ft_logreg_params_init(struct ft_logreg_params *p)
{
	p->C = 1.0;
	p->fit_intercept = 1;
	ft_solver_opts_init(&p->solver);
}

const char *ft_logreg_check(const struct ft_logreg_params *p)
{
	if (!p)
		return "no parameters";
	if (!(p->C > 0.0) || !isfinite(p->C))
		return "C must be a positive finite number";
	if (p->fit_intercept != 0 && p->fit_intercept != 1)
		return "fit_intercept must be 0 or 1";
	return ft_solver_opts_check(&p->solver);
}

/* "line 17" when the data set knows its source lines, else "row 16"
 * (0-based). */
static const char *where(const struct ft_dataset *d, size_t i, char *buf,
                         size_t n)
{
	if (d->line)
		snprintf(buf, n, "line %zu", d->line[i]);
	else
		snprintf(buf, n, "row %zu", i);
	return buf;
}

/* Labels 0/1, weights finite and >= 0, finite numeric features, codes in
 * range: the first bad row of d. */
static int check_rows(const struct ft_dataset *d, char *at, size_t n_at,
                      struct ft_error *err)
{
	for (size_t i = 0; i < d->n; i++) {
		double y = d->y[i], w = weight(d, i);
		if (y != 0.0 && y != 1.0)
			return ft_error_set(err, FT_EDATA, "logreg: %s: label %g is not 0 or 1",
			                    where(d, i, at, n_at), y);
		if (!(w >= 0.0) || !isfinite(w))
			return ft_error_set(err, FT_EDATA,
			                    "logreg: %s: weight %g is not a finite number >= 0",
			                    where(d, i, at, n_at), w);
		for (size_t j = 0; j < d->n_num; j++)
			if (!isfinite(d->num[i * d->n_num + j]))
				return ft_error_set(err, FT_EDATA,
				                    "logreg: %s: numeric feature %zu is %g",
				                    where(d, i, at, n_at), j,
				                    d->num[i * d->n_num + j]);
		for (size_t c = 0; c < d->n_cat; c++) {
			int32_t k = d->code[i * d->n_cat + c];
			if (k < -1 || (k >= 0 && ((size_t)k < d->n_num || (size_t)k >= d->p)))
				return ft_error_set(err, FT_EINVAL,
				                    "logreg: %s: categorical code %ld is outside %zu..%zu",
				                    where(d, i, at, n_at), (long)k,
				                    d->n_num, d->p - 1);
		}
	}
	return 0;
}

/* Everything the objective relies on: shapes, labels 0/1, weights finite and
 * >= 0, finite numeric features, codes inside the categorical range, and
 * both classes with positive total weight (otherwise the intercept runs off
 * to infinity). */
/* The weight of each class over rows [lo, hi) (ft_parallel_sum). */
static void cls_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct ft_dataset *d = ctx;

	(void)chunk;
	for (size_t i = lo; i < hi; i++)
		part[d->y[i] == 1.0] += weight(d, i);
}

static int check_data(const struct ft_dataset *d, struct ft_error *err)
{
	char at[64];
	double w[2] = {0.0, 0.0}, w0, w1;
	int rc;

	if (!d)
		return ft_error_set(err, FT_EINVAL, "logreg: no data set");
	if (ft_dist_rows_total(d->n) == 0)
		return ft_error_set(err, FT_EDATA, "logreg: no training rows");
	if (!d->y)
		return ft_error_set(err, FT_EDATA, "logreg: the data set has no labels");
	if (d->n_num > d->p || (d->n_num > 0 && !d->num) || (d->n_cat > 0 && !d->code))
		return ft_error_set(err, FT_EINVAL,
		                    "logreg: malformed data set (p %zu, n_num %zu, n_cat %zu)",
		                    d->p, d->n_num, d->n_cat);
	if (d->p >= (size_t)INT32_MAX)
		return ft_error_set(err, FT_EINVAL, "logreg: too many features (%zu)", d->p);
	/* every row checked (a distributed data set: each rank its own, the
	 * first bad row over the ranks named), then the class weights */
	rc = check_rows(d, at, sizeof at, err);
	if ((rc = ft_dist_agree(rc, err)))
		return rc;
	if (ft_parallel_sum(d->n, 2, w, cls_chunk, (void *)d))
		return ft_error_set(err, FT_ENOMEM, "logreg: out of memory");
	w0 = w[0];
	w1 = w[1];
	if (!(w0 > 0.0) || !(w1 > 0.0))
		return ft_error_set(err, FT_EDATA,
		                    "logreg: only one class has positive weight (label 0: %g, label 1: %g)",
		                    w0, w1);
	if (!isfinite(w0 + w1))
		return ft_error_set(err, FT_EDATA, "logreg: the total weight overflows");
	return 0;
}

/* -------------------------------------------------------------- the API */

int ft_logreg_objective(const struct ft_dataset *d, double C, int fit_intercept,
                        struct ft_objective *obj, struct ft_error *err)
{
	struct logreg_ctx *c;
	int rc;

	memset(obj, 0, sizeof *obj);
	if (!(C > 0.0) || !isfinite(C))
		return ft_error_set(err, FT_EINVAL, "logreg: C must be a positive finite number");
	if (fit_intercept != 0 && fit_intercept != 1)
		return ft_error_set(err, FT_EINVAL, "logreg: fit_intercept must be 0 or 1");
	if ((rc = check_data(d, err)) != 0)
		return rc;
	c = malloc(sizeof *c);
	if (!c)
		return ft_error_set(err, FT_ENOMEM, "logreg: out of memory");
	c->d = d;
	c->C = C;
	c->fit_intercept = fit_intercept;
	c->tc = malloc(d->n * sizeof *c->tc);
	c->tx = malloc((d->p + 1) * sizeof *c->tx);
	if (!c->tc || !c->tx) {
		free(c->tc);
		free(c->tx);
		c->tc = c->tx = NULL;
	}
	c->tvalid = 0;
	obj->dim = d->p + 1;
	obj->ctx = c;
	obj->value_grad = lr_value_grad;
	obj->hess_vec = lr_hess_vec;
	obj->hessian = lr_hessian;
	return 0;
}

void ft_logreg_objective_free(struct ft_objective *obj)
{
	struct logreg_ctx *c;

	if (!obj)
		return;
	if ((c = obj->ctx) != NULL) {
		free(c->tc);
		free(c->tx);
	}
	free(obj->ctx);
	obj->ctx = NULL;
}

int ft_logreg_fit(const struct ft_dataset *d, const struct ft_logreg_params *p,
                  struct ft_linear_model **out, struct ft_solver_result *res,
                  struct ft_error *err)
{
	struct ft_logreg_params def;
	struct ft_objective obj;
	struct ft_linear_model *m = NULL;
	double *x = NULL;
	const char *msg;
	int rc;

	memset(&obj, 0, sizeof obj);
	if (!out)
		return ft_error_set(err, FT_EINVAL, "logreg: no output model");
	*out = NULL;
	if (!p) {
		ft_logreg_params_init(&def);
		p = &def;
	}
	if ((msg = ft_logreg_check(p)) != NULL)
		return ft_error_set(err, FT_EINVAL, "logreg: %s", msg);
	if ((rc = ft_logreg_objective(d, p->C, p->fit_intercept, &obj, err)) != 0)
		goto done;
	x = calloc(obj.dim, sizeof *x);
	m = calloc(1, sizeof *m);
	if (m)
		m->coef = malloc((d->p > 0 ? d->p : 1) * sizeof *m->coef);
	if (!x || !m || !m->coef) {
		rc = ft_error_set(err, FT_ENOMEM, "logreg: out of memory (%zu features)", d->p);
		goto done;
	}
	/* start from zero, as sklearn does */
	if ((rc = ft_minimize(&obj, x, &p->solver, res, err)) != 0)
		goto done;
	for (size_t j = 0; j < obj.dim; j++)
		if (!isfinite(x[j])) {
			rc = ft_error_set(err, FT_ENUMERIC, "logreg: coefficient %zu is %g", j, x[j]);
			goto done;
		}
	m->type = FT_MODEL_LOGREG;
	m->p = d->p;
	if (d->p > 0)
		memcpy(m->coef, x, d->p * sizeof *x);
	m->intercept = p->fit_intercept ? x[d->p] : 0.0;
	*out = m;
	m = NULL;
done:
	free(x);
	ft_linear_model_free(m);
	ft_logreg_objective_free(&obj);
	return rc;
}
