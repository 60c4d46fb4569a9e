/*
 * parallel.c - sums over rows on every core, with the same bits for any
 * number of threads and, in the MPI build, of ranks.
 *
 * Every training quantity is a sum over rows.  ft_parallel_sum cuts [0, n)
 * into a fixed number of contiguous chunks that depends only on n (never on
 * the thread count, the rank count or the length of the partial sum), lets
 * OpenMP run the chunks on the available cores, each into its own zeroed
 * partial buffer, then adds the partials in chunk order.  Floating-point
 * addition is not associative, so this fixed order is what makes a fit
 * reproducible to the last bit on a laptop and on a 64-core server alike.
 * The partials are computed in waves of at most MAX_PARTIAL_BYTES (or two
 * chunks a thread, when a partial is bigger), added as each wave ends: the
 * same additions in the same order, bounded memory (4 MB: the full Hessian
 * of 98 features in 256 chunks took 19 MB, 15% of the rows it summed at 1M
 * rows; issue 20 item 7).
 *
 * Chunks have at least MIN_CHUNK_ROWS rows and there are at most
 * MAX_CHUNKS of them: enough to keep every core of a cluster busy (the MPI
 * build gives each rank whole chunks, core/dist.h), few enough that adding
 * the partials (MAX_CHUNKS x len additions) stays small beside the rows.
 * When the rows being summed are a distributed data set (or ranking rows
 * whose chunks must hold whole queries), the scope of core/dist.h says how
 * its chunks lie and ft_dist_sum_part adds them along the ranks.
 *
 * OpenMP (libgomp, shipped with gcc) rather than hand-rolled pthreads: its
 * thread pool is persistent, so a parallel region costs microseconds, which
 * matters for the dozens of passes a Newton fit makes.  Small sums (fewer
 * than MIN_PARALLEL_ROWS rows) run on the calling thread alone: the same
 * chunks in the same order, so the same bits, without the threads.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/dist.h"

/* At least this many rows a chunk, at most this many chunks, at most this
 * many bytes of partials at a time. */
#define MAX_CHUNKS 256
#define MIN_CHUNK_ROWS 2048
#define MAX_PARTIAL_BYTES (4u << 20)

/* Below these a region runs on one thread (ft_parallel_worth): rows of
 * a row sum, and work (rows x values a row touches) of other regions.  A
 * pass over 65,536 rows of Adult's width takes about 2 ms on one core;
 * below that, waking a second thread (and the spinning of the idle one
 * afterwards, which on a busy machine takes CPU from the one that works)
 * costs more than it saves: two threads made `train` on Adult 1.4-2.5x
 * slower than one on a loaded machine. */
#define MIN_PARALLEL_ROWS ((size_t)1 << 16)
#define MIN_PARALLEL_WORK ((size_t)1 << 22)

size_t ft_parallel_min_work = MIN_PARALLEL_WORK;

int ft_parallel_worth(size_t work)
{
	return work >= ft_parallel_min_work;
}

size_t ft_chunk_count(size_t n)
{
	size_t k = n / MIN_CHUNK_ROWS;

	if (k > MAX_CHUNKS)
		k = MAX_CHUNKS;
	return k < 1 ? 1 : k;
}

size_t ft_chunk_bound(size_t n, size_t k, size_t c)
{
	return n / k * c + (c < n % k ? c : n % k);
}

size_t ft_parallel_chunks(size_t n, size_t len)
{
	const struct ft_dist_part *p = ft_dist_scope_for(n);

	(void)len;
	if (p)
		return p->c1 > p->c0 ? p->c1 - p->c0 : 1;
	return ft_chunk_count(n);
}

void *ft_chunk_scratch(size_t k, size_t per, size_t size, size_t *stride)
{
	size_t bytes;

	if (!size || FT_LINE % size || (per && per > ((size_t)-1 - FT_LINE) / size))
		return NULL;
	bytes = (per * size + FT_LINE - 1) / FT_LINE * FT_LINE;
	if (!bytes)
		bytes = FT_LINE;
	if (k > ((size_t)-1) / bytes)
		return NULL;
	*stride = bytes / size;
	return aligned_alloc(FT_LINE, (k ? k : 1) * bytes);
}

/* Chunks c0 .. c1-1 of p (local rows: bound - row0) into part, one
 * partial every stride doubles; fn gets the chunk's index counted from
 * base. */
static void run(const struct ft_dist_part *p, size_t c0, size_t c1, size_t base,
                size_t stride, double *part, ft_chunk_fn fn, void *ctx)
{
	/* dynamic: a thread that the machine's other work holds up keeps one
	 * chunk, not its static share, from the others; the sum does not
	 * depend on who computes a chunk.  Few rows: the calling thread. */
	#pragma omp parallel for schedule(dynamic, 1) \
		if (p->bound[c1] - p->bound[c0] >= MIN_PARALLEL_ROWS)
	for (size_t c = c0; c < c1; c++)
		fn(ctx, c - base, p->bound[c] - p->row0, p->bound[c + 1] - p->row0,
		   part + (c - c0) * stride);
}

void ft_chunks_run(const struct ft_dist_part *p, size_t stride, double *part,
                   ft_chunk_fn fn, void *ctx)
{
	run(p, p->c0, p->c1, p->c0, stride, part, fn, ctx);
}

/* The rows of p on this process alone (p->n == p->n_all): waves of
 * partials, each added to out in chunk order.  Each chunk's partial on
 * cache lines of its own (ft_chunk_scratch): the last entry of one and the
 * first of the next are often written on every row. */
static int sum_local(const struct ft_dist_part *p, size_t len, double *out,
                     ft_chunk_fn fn, void *ctx)
{
	size_t k = p->k, wave = len ? MAX_PARTIAL_BYTES / (len * sizeof(double)) : k;
	size_t busy = 2 * (size_t)omp_get_max_threads(), stride;
	double *part;

	if (k == 1) {
		/* one chunk: fn adds straight into out */
		fn(ctx, 0, 0, p->n, out);
		return 0;
	}
	if (wave < busy)
		wave = busy;
	if (wave > k)
		wave = k;
	part = ft_chunk_scratch(wave, len, sizeof *part, &stride);
	if (!part)
		return FT_ENOMEM;
	for (size_t c0 = 0; c0 < k; c0 += wave) {
		size_t c1 = c0 + wave < k ? c0 + wave : k;
		memset(part, 0, (c1 - c0) * stride * sizeof *part);
		run(p, c0, c1, 0, stride, part, fn, ctx);
		for (size_t c = c0; c < c1; c++) {
			const double *pc = part + (c - c0) * stride;
			for (size_t j = 0; j < len; j++)
				out[j] += pc[j];
		}
	}
	free(part);
	return 0;
}

int ft_parallel_sum(size_t n, size_t len, double *out, ft_chunk_fn fn,
                    void *ctx)
{
	const struct ft_dist_part *p = ft_dist_scope_for(n);
	struct ft_dist_part one;
	size_t bound[MAX_CHUNKS + 1];

	if (p && ft_dist_on())
		return ft_dist_sum_part(p, len, out, fn, ctx);
	if (p)
		return sum_local(p, len, out, fn, ctx);
	/* the plain case: every row here, default bounds */
	memset(&one, 0, sizeof one);
	one.n = one.n_all = n;
	one.k = one.c1 = ft_chunk_count(n);
	for (size_t c = 0; c <= one.k; c++)
		bound[c] = ft_chunk_bound(n, one.k, c);
	one.bound = bound;
	return sum_local(&one, len, out, fn, ctx);
}
