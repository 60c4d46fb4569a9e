/*
 * parallel.c - sums over rows on every core, with the same bits for any
 * number of threads.
 *
 * Every training quantity is a sum over rows.  ft_parallel_sum cuts [0, n)
 * into a fixed number of contiguous chunks that depends only on n and on the
 * length of the partial sum (never on the thread count), lets OpenMP run the
 * chunks on the available cores, each into its own zeroed partial buffer,
 * then adds the partials in chunk order.  Floating-point addition is not
 * associative, so this fixed order is what makes a fit reproducible to the
 * last bit on a laptop and on a 64-core server alike.
 *
 * OpenMP (libgomp, shipped with gcc) rather than hand-rolled pthreads: its
 * thread pool is persistent, so a parallel region costs microseconds, which
 * matters for the dozens of passes a Newton fit makes.  Small sums (fewer
 * than MIN_PARALLEL_ROWS rows) run on the calling thread alone: the same
 * chunks in the same order, so the same bits, without the threads.
 */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"

/* At most this many chunks, and at most this many bytes of partials. */
#define MAX_CHUNKS 8
#define MIN_CHUNK_ROWS 2048
#define MAX_PARTIAL_BYTES (64u << 20)

/* Below these a region runs on one thread (ft_parallel_worth): rows of
 * a row sum, and work (rows x values a row touches) of other regions.  A
 * pass over 65,536 rows of Adult's width takes about 2 ms on one core;
 * below that, waking a second thread (and the spinning of the idle one
 * afterwards, which on a busy machine takes CPU from the one that works)
 * costs more than it saves: two threads made `train` on Adult 1.4-2.5x
 * slower than one on a loaded machine. */
#define MIN_PARALLEL_ROWS ((size_t)1 << 16)
#define MIN_PARALLEL_WORK ((size_t)1 << 22)

int ft_parallel_worth(size_t work)
{
	return work >= MIN_PARALLEL_WORK;
}

size_t ft_parallel_chunks(size_t n, size_t len)
{
	size_t k = n / MIN_CHUNK_ROWS;

	if (k > MAX_CHUNKS)
		k = MAX_CHUNKS;
	if (len > 0 && k * len * sizeof(double) > MAX_PARTIAL_BYTES)
		k = MAX_PARTIAL_BYTES / (len * sizeof(double));
	return k < 1 ? 1 : k;
}

int ft_parallel_sum(size_t n, size_t len, double *out, ft_chunk_fn fn,
                    void *ctx)
{
	size_t k = ft_parallel_chunks(n, len);
	double *part;

	if (k == 1) {
		/* one chunk: fn adds straight into out */
		fn(ctx, 0, 0, n, out);
		return 0;
	}
	part = calloc(k * len, sizeof *part);
	if (!part)
		return FT_ENOMEM;
	/* dynamic: a thread that the machine's other work holds up keeps one
	 * chunk, not its static share, from the others; the sum does not
	 * depend on who computes a chunk */
	#pragma omp parallel for schedule(dynamic, 1) if (n >= MIN_PARALLEL_ROWS)
	for (size_t c = 0; c < k; c++) {
		size_t lo = n / k * c + (c < n % k ? c : n % k);
		size_t hi = lo + n / k + (c < n % k);
		fn(ctx, c, lo, hi, part + c * len);
	}
	for (size_t c = 0; c < k; c++) {
		const double *pc = part + c * len;
		for (size_t j = 0; j < len; j++)
			out[j] += pc[j];
	}
	free(part);
	return 0;
}
