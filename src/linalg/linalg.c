/*
 * linalg.c - CBLAS / LAPACKE wrappers with size_t lengths.
 *
 * Level-1 operations loop over chunks of at most INT_MAX entries, so a vector
 * longer than a BLAS int is still handled exactly; the factorisations check
 * that the order (and the leading dimension) fits in an int before calling
 * LAPACK.  OpenBLAS provides both cblas.h and the LAPACKE it is built with.
 */
#include <limits.h>
#include <math.h>
#include <cblas.h>
#include <lapacke.h>
#include "fairtrain.h"
#include "linalg/linalg.h"

/* The largest chunk handed to a level-1 BLAS call. */
#define LA_CHUNK ((size_t)INT_MAX)

static int chunk(size_t n)
{
	return (int)(n < LA_CHUNK ? n : LA_CHUNK);
}

double ft_la_dot(size_t n, const double *x, const double *y)
{
	double s = 0.0;

	while (n > 0) {
		int k = chunk(n);
		s += cblas_ddot(k, x, 1, y, 1);
		x += k;
		y += k;
		n -= (size_t)k;
	}
	return s;
}

double ft_la_nrm2(size_t n, const double *x)
{
	/* Combine chunk norms r_k as scale * sqrt(sum (r_k/scale)^2) with scale
	 * the largest r_k, so the sum of squares never overflows. */
	double scale = 0.0, ssq = 1.0;

	while (n > 0) {
		int k = chunk(n);
		double r = cblas_dnrm2(k, x, 1);
		if (r > 0.0) {
			if (scale < r) {
				ssq = 1.0 + ssq * (scale / r) * (scale / r);
				scale = r;
			} else {
				ssq += (r / scale) * (r / scale);
			}
		} else if (isnan(r)) {
			return r;
		}
		x += k;
		n -= (size_t)k;
	}
	return scale * sqrt(ssq);
}

void ft_la_axpy(size_t n, double a, const double *x, double *y)
{
	while (n > 0) {
		int k = chunk(n);
		cblas_daxpy(k, a, x, 1, y, 1);
		x += k;
		y += k;
		n -= (size_t)k;
	}
}

void ft_la_scal(size_t n, double a, double *x)
{
	while (n > 0) {
		int k = chunk(n);
		cblas_dscal(k, a, x, 1);
		x += k;
		n -= (size_t)k;
	}
}

void ft_la_copy(size_t n, const double *x, double *y)
{
	while (n > 0) {
		int k = chunk(n);
		cblas_dcopy(k, x, 1, y, 1);
		x += k;
		y += k;
		n -= (size_t)k;
	}
}

int ft_la_cholesky(size_t n, double *A)
{
	lapack_int info;

	if (n == 0)
		return 0;
	if (n > (size_t)INT_MAX)
		return FT_EINVAL;
	info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)n, A,
	                      (lapack_int)n);
	if (info < 0)
		return FT_EINVAL;  /* an argument was illegal: a bug here */
	return (int)info;
}

int ft_la_cholesky_solve(size_t n, const double *L, double *b)
{
	lapack_int info;

	if (n == 0)
		return 0;
	if (n > (size_t)INT_MAX)
		return FT_EINVAL;
	info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, L,
	                      (lapack_int)n, b, (lapack_int)n);
	return info == 0 ? 0 : FT_EINVAL;
}

int ft_la_eigvalsh(size_t n, double *A, double *w)
{
	lapack_int info;

	if (n == 0)
		return 0;
	if (n > (size_t)INT_MAX)
		return FT_EINVAL;
	info = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, A,
	                     (lapack_int)n, w);
	return info == 0 ? 0 : info < 0 ? FT_EINVAL : FT_ENUMERIC;
}

int ft_la_eigh(size_t n, double *A, double *w)
{
	lapack_int info;

	if (n == 0)
		return 0;
	if (n > (size_t)INT_MAX)
		return FT_EINVAL;
	info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)n, A, (lapack_int)n, w);
	if (info < 0)
		return FT_EINVAL;
	return info == 0 ? 0 : FT_ENUMERIC;
}

int ft_la_inverse(size_t n, double *A, int *ipiv)
{
	lapack_int info;

	if (n == 0)
		return 0;
	if (n > (size_t)INT_MAX)
		return FT_EINVAL;
	info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)n, A,
	                      (lapack_int)n, ipiv);
	if (info < 0)
		return FT_EINVAL;
	if (info > 0)
		return (int)info;
	info = LAPACKE_dgetri(LAPACK_ROW_MAJOR, (lapack_int)n, A, (lapack_int)n, ipiv);
	return info < 0 ? FT_EINVAL : (int)info;
}
