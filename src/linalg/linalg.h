/*
 * linalg.h - thin wrappers over CBLAS and LAPACKE (internal, not installed).
 *
 * The rest of the library speaks size_t; BLAS and LAPACK speak int.  These
 * wrappers are the one place where the two meet: vector operations are cut
 * into chunks of at most INT_MAX entries so that any length works, and the
 * matrix factorisations refuse an order that does not fit in an int (they
 * return FT_EINVAL) instead of narrowing silently.
 *
 * Matrices are square, dense and symmetric, so row-major and column-major
 * storage are the same thing; only one triangle is read by the factorisation.
 * Nothing here allocates, prints or keeps state.
 */
#ifndef FT_LINALG_H
#define FT_LINALG_H

#include <stddef.h>

/* x . y */
double ft_la_dot(size_t n, const double *x, const double *y);
/* ||x||_2, without overflow for large entries */
double ft_la_nrm2(size_t n, const double *x);
/* y += a x */
void ft_la_axpy(size_t n, double a, const double *x, double *y);
/* x *= a */
void ft_la_scal(size_t n, double a, double *x);
/* y = x */
void ft_la_copy(size_t n, const double *x, double *y);

/* Cholesky factorisation A = L L^T in place of the n x n symmetric matrix A
 * (the lower triangle, column-major, is read and overwritten; the other
 * triangle is left alone).  Returns 0 on success, a positive k when the
 * leading minor of order k is not positive definite, FT_EINVAL when n does
 * not fit in a BLAS int. */
int ft_la_cholesky(size_t n, double *A);
/* Solve A x = b in place of b, given the factor from ft_la_cholesky.  Returns
 * 0 or FT_EINVAL (n too large). */
int ft_la_cholesky_solve(size_t n, const double *L, double *b);

/* The eigenvalues of the n x n symmetric matrix A, ascending, into w (n);
 * A is destroyed.  0, FT_EINVAL (n too large) or FT_ENUMERIC (LAPACK's
 * iteration failed). */
int ft_la_eigvalsh(size_t n, double *A, double *w);
/* Eigenvalues (ascending, into w: n) and eigenvectors of the symmetric n x n
 * A (its lower triangle, column-major, is read): on return column k of A
 * (column-major: A[k * n .. k * n + n)) is the unit eigenvector of w[k].
 * 0, FT_ENUMERIC when LAPACK does not converge, FT_EINVAL when n does not
 * fit in a BLAS int. */
int ft_la_eigh(size_t n, double *A, double *w);

/* Invert the general n x n row-major matrix A in place (LU with partial
 * pivoting, LAPACK dgetrf + dgetri); ipiv has n ints of scratch.  0, a
 * positive k when U(k, k) is exactly zero (singular), FT_EINVAL when n does
 * not fit in a LAPACK int. */
int ft_la_inverse(size_t n, double *A, int *ipiv);

#endif
