/*
 * runtime.c - what a program asks of the library as a whole: its version at
 * run time (the header's FT_VERSION says what a program was compiled
 * against) and its threads; and, inside the library, the vector width the
 * fits' row loops run at (ft_simd_level, internal.h).
 *
 * Threads: every row sum and resample runs on OpenMP threads, in fixed
 * chunks added in a fixed order, so any thread count gives the same bits.
 * OpenBLAS is pinned to one thread: fairtrain's BLAS and LAPACK calls are
 * small (dimensions in the hundreds), its own threads would only spin
 * beside the OpenMP ones, and a threaded factorization need not give the
 * same bits for every thread count.  ft_threads_setup does this once for
 * the whole process; the verbs (ft_train, ft_compare, ...) call it, so an
 * embedding program gets it without asking.
 */
#include <pthread.h>
#include <cblas.h>
#include <omp.h>
#include "fairtrain.h"
#include "core/internal.h"

const char *ft_version(void)
{
	return FT_VERSION;
}

int ft_version_number(void)
{
	return FT_VERSION_NUMBER;
}

static pthread_once_t pin_once = PTHREAD_ONCE_INIT;

static void pin_blas(void)
{
	openblas_set_num_threads(1);
}

void ft_threads_setup(void)
{
	pthread_once(&pin_once, pin_blas);
}

void ft_set_threads(int n)
{
	ft_threads_setup();
	if (n > 0)
		omp_set_num_threads(n);
}

int ft_get_threads(void)
{
	return omp_get_max_threads();
}

/* The cap of ft_simd_level, -1 for none (internal.h).  Set by tests
 * before the calls they compare, read on every call. */
static int simd_cap = -1;

void ft_simd_cap(int level)
{
	simd_cap = level;
}

int ft_simd_level(void)
{
	int level = FT_SIMD_BASE;
#ifdef FT_SIMD_DISPATCH
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512vl"))
		level = FT_SIMD_AVX512;
	else if (__builtin_cpu_supports("avx2"))
		level = FT_SIMD_AVX2;
#endif
	return simd_cap >= 0 && simd_cap < level ? simd_cap : level;
}
