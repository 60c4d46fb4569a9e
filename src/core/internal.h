/*
 * internal.h - helpers shared inside libfairtrain; not part of the public API
 * and not installed.
 */
#ifndef FT_INTERNAL_H
#define FT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"

/* Pin OpenBLAS to one thread, once per process (runtime.c): called by
 * every verb and by ft_set_threads. */
void ft_threads_setup(void);

/* The vector instructions the row loops of the fit may use (runtime.c):
 * FT_SIMD_BASE (the compiler's baseline, SSE2 on x86-64), FT_SIMD_AVX2 or
 * FT_SIMD_AVX512 (F, DQ and VL), the widest this CPU has, no wider than
 * the cap.  A loop compiled for each (FT_TARGET_AVX2, FT_TARGET_AVX512
 * below, on a copy of the same code) gives the same bits at every level:
 * only +, -, *, / and bit moves in lanes, no contraction (-std=c11), and
 * each lane one row, so a row's arithmetic does not depend on the width.
 * ft_simd_cap lowers the level for the whole process (tests compare the
 * levels; -1 lifts the cap); a build without the attributes (not gcc, not
 * x86-64) has only FT_SIMD_BASE. */
enum { FT_SIMD_BASE, FT_SIMD_AVX2, FT_SIMD_AVX512 };
int ft_simd_level(void);
void ft_simd_cap(int level);
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FT_SIMD_DISPATCH 1
/* flatten: the loop's inline helpers are compiled into the copy, for its
 * instructions */
#define FT_TARGET_AVX2 __attribute__((target("avx2"), flatten))
#define FT_TARGET_AVX512 \
	__attribute__((target("avx512f,avx512dq,avx512vl,prefer-vector-width=512"), flatten))
#endif
/* FT_SIMD_VARIANTS(fn, (params), (args)), after the static void function
 * fn: its copies fn_avx2 and fn_avx512 (where FT_SIMD_DISPATCH) and
 * fn_pick(), which returns the one for ft_simd_level(). */
#ifdef FT_SIMD_DISPATCH
#define FT_SIMD_VARIANTS(fn, params, args)                                           \
	static FT_TARGET_AVX2 void fn##_avx2 params { fn args; }                      \
	static FT_TARGET_AVX512 void fn##_avx512 params { fn args; }                  \
	static void (*fn##_pick(void)) params                                          \
	{                                                                              \
		int level_ = ft_simd_level();                                          \
		return level_ == FT_SIMD_AVX512 ? fn##_avx512 :                        \
		       level_ == FT_SIMD_AVX2 ? fn##_avx2 : fn;                        \
	}
#else
#define FT_SIMD_VARIANTS(fn, params, args)                                           \
	static void (*fn##_pick(void)) params { return fn; }
#endif

/* The seed of one named thing's random stream (rng.c): the same text and
 * seed give the same stream wherever the thing appears. */
uint64_t ft_seed_of_text(uint64_t seed, const char *text);
/* strdup that returns NULL for NULL (and on allocation failure). */
char *ft_strdup(const char *s);
/* malloc for count elements of size bytes: NULL when the product
 * overflows or memory is short, never NULL for count 0, so that NULL keeps
 * meaning "out of memory" (or "absent" in struct ft_dataset). */
void *ft_xalloc(size_t count, size_t size);
/* a[0 .. n) sorted ascending (radix sort, sort.c); FT_ENOMEM when its
 * buffer cannot be had, a unchanged then. */
int ft_sort_u64(uint64_t *a, size_t n);
/* The same order in place (sort.c): no second array, slower; FT_ENOMEM
 * (its counts, 112 KiB) or FT_EINVAL (n > UINT32_MAX), a unchanged then. */
int ft_sort_u64_inplace(uint64_t *a, size_t n);
/* Free n strings and the array (NULL v is a no-op). */
void ft_strv_free(char **v, size_t n);
/* Copy n strings (none may be NULL) into a new array, never NULL for
 * n = 0; NULL on allocation failure, with the partial copy freed. */
char **ft_strv_copy(char *const *v, size_t n);
/* The whole pages of bytes [from, to) of the allocation at base given back
 * to the system (madvise MADV_DONTNEED; nothing where that is missing):
 * their content is lost and reads of them give zeros, so only for memory
 * the caller never reads again before freeing it (rows already encoded).
 * Earlier bytes of the same allocation count as consumed: the page that
 * holds from goes too, unless it holds base. */
void ft_mem_release(void *base, size_t from, size_t to);
/* ft_mem_release of the whole pages inside [from, to) only: for blocks of
 * one array released by several threads, where the page holding from may
 * hold bytes of another block still in use. */
void ft_mem_release_within(void *base, size_t from, size_t to);
/* Ask for transparent huge pages (madvise MADV_HUGEPAGE) over the pages
 * of an allocation of p..p+bytes not yet written, when it is FT_HUGE_MIN
 * bytes or more: one page fault then maps 2 MiB
 * instead of 4 KiB (in a virtual machine a fault costs microseconds, and
 * reading a 100 MB CSV faulted 25% of its time away).  Only advice: where
 * the system has no huge pages, or refuses, nothing changes.  ft_xalloc
 * calls it for every allocation that large; callers that grow an array
 * with realloc call it after each growth (the grown part is a new
 * mapping). */
#define FT_HUGE_MIN ((size_t)2 << 20)
void ft_mem_huge(void *p, size_t bytes);
/* bytes (>= 1) on whole 2 MiB pages, advised as huge (mem.c); NULL when
 * memory is short.  ft_xalloc uses it from FT_HUGE_FROM on: from 1 MiB,
 * so that a block of just under 2 MiB (a column of the 250,000 test rows
 * of a 1M-row file: 2,000,000 bytes) takes one fault instead of 489; the
 * rounding costs less than the block itself. */
#define FT_HUGE_FROM ((size_t)1 << 20)
void *ft_huge_alloc(size_t bytes);
/* The allocator's free memory given back to the system between the phases
 * of a run (glibc's malloc_trim; nothing elsewhere).  glibc raises its
 * mmap threshold to the size of each large block freed (up to 32 MiB), so
 * that a phase's scratch arrays come from the heap afterwards and stay
 * resident when freed: at 1M rows the measurement began with 16 MB of the
 * fit's, and the proxies' sorts on two threads peaked 15 MB higher.  Free
 * memory only: it changes no result.  data: the bytes of the run's encoded
 * rows; below FT_TRIM_MIN nothing is trimmed.  A trim gives back every
 * free page, and each is faulted in again, zeroed, when the next phase
 * (or the caller: a Python session's next DataFrame) asks for memory:
 * on UCI Adult (3 MB of rows) that was ~1,000 page faults, about a third
 * of a Python fit's time in the library on a VM, for a few MB of peak. */
#define FT_TRIM_MIN ((size_t)64 << 20)
void ft_mem_trim(size_t data);

/* A file being written for path, atomically (atomic.c): an unnamed file
 * in path's directory (O_TMPFILE) or, where there is none, a named one
 * "<path>.tmp.XXXXXX" (tmp).  fd is open for reading and writing. */
struct ft_tmpfile {
	int fd;
	char *path;          /* the destination (owned) */
	char *tmp;           /* the temp file's name, NULL while it has none */
};
/* Make it (and first remove leftovers of killed writers to path). */
int ft_tmpfile_open(struct ft_tmpfile *t, const char *path,
                    struct ft_error *err);
/* fsync it and give it the name path (replacing a file there atomically),
 * then fsync the directory.  fd stays open.  On failure a named temp file
 * is removed and path is as it was. */
int ft_tmpfile_publish(struct ft_tmpfile *t, struct ft_error *err);
/* Close fd, remove a named temp file that was not published, free. */
void ft_tmpfile_close(struct ft_tmpfile *t);
/* write(2) all of buf across short writes and EINTR: 0, or -1 (errno). */
int ft_write_full(int fd, const void *buf, size_t n);

/* Base name of a path, for short messages ("adult.test:7: ..."): a pointer
 * into path. */
const char *ft_basename(const char *path);


/* A chunk of a row sum: add the partial sums of rows [lo, hi) to partial
 * (len doubles; fn must only add to it).  chunk is the chunk's index (for
 * per-chunk scratch space).  Runs concurrently with other chunks. */
typedef void (*ft_chunk_fn)(void *ctx, size_t chunk, size_t lo, size_t hi,
                            double *partial);
/* The number of chunks ft_parallel_sum uses for n rows and len partials
 * (depends on nothing else, so callers can size per-chunk scratch: fn's
 * chunk index is below it; on a rank of a distributed data set it counts
 * the rank's own chunks). */
size_t ft_parallel_chunks(size_t n, size_t len);
/* Scratch of per elements of size bytes for each of k chunks, every
 * chunk's on cache lines of its own (FT_LINE bytes, aligned), the chunks
 * *stride elements apart: two threads writing neighbouring chunks' scratch
 * on every row would otherwise pass the shared line back and forth (the
 * full Hessian's index scratch, 72 bytes a chunk, made two threads 2.5x
 * slower than one).  NULL when memory is short; free() frees it. */
#define FT_LINE 128
void *ft_chunk_scratch(size_t k, size_t per, size_t size, size_t *stride);
/* out[0..len) += sum over chunks of fn's partials (callers zero out first), chunks run on all cores
 * (OpenMP) and added in a fixed order: bitwise the same for any thread
 * count, and for any rank count when the n rows are a distributed data set
 * (core/dist.h: then out must be the same on every rank, and the call is
 * collective).  FT_ENOMEM when the partial buffers cannot be allocated. */
int ft_parallel_sum(size_t n, size_t len, double *out, ft_chunk_fn fn,
                    void *ctx);
/* Whether a parallel region over work units (rows times the values each
 * row touches) is worth waking the threads for: below the threshold one
 * thread does it, because on a busy machine a region waits for its
 * slowest thread, which may sit out a whole scheduler time slice.  Never
 * changes a result, only who computes it. */
int ft_parallel_worth(size_t work);
/* Its threshold (4M units); tests set 0 so that the threads run their
 * regions on small tables too. */
extern size_t ft_parallel_min_work;

/* Exact sums of finite doubles (xsum.c): the correctly rounded sum,
 * whatever the order of the terms or how they are split up. */
#define FT_XSUM_LIMBS 72
struct ft_xsum {
	int64_t limb[FT_XSUM_LIMBS];
	uint32_t adds;
};
void ft_xsum_init(struct ft_xsum *a);
void ft_xsum_add(struct ft_xsum *a, double x);
/* n times x, exactly. */
void ft_xsum_add_n(struct ft_xsum *a, double x, uint64_t n);
/* Every term of x[0 .. n), n <= FT_XSUM_BLOCK: the same integer as n calls
 * of ft_xsum_add, at a fraction of their time (a 128-bit sum in registers
 * first). */
#define FT_XSUM_BLOCK 4096
void ft_xsum_add_block(struct ft_xsum *a, const double *x, size_t n);
/* a += b. */
void ft_xsum_merge(struct ft_xsum *a, const struct ft_xsum *b);
/* Carries propagated (done as needed by the others). */
void ft_xsum_norm(struct ft_xsum *a);
/* The sum rounded to the nearest double, ties to even. */
double ft_xsum_round(const struct ft_xsum *a);
/* a[0 .. n) summed over the ranks of a distributed run, on every rank
 * (core/dist.h; nothing to do otherwise).  0 or FT_ENOMEM (local). */
int ft_xsum_dist(struct ft_xsum *a, size_t n);

/* Proportions as exact fractions (ratio.c).  FT_PROP_TOL: how far a given
 * proportion, and the sum of a set of them, may be from exact. */
#define FT_PROP_TOL 1e-9
/* The simplest fraction num / den (smallest den) within tol of x in
 * [0, 1]; x <= tol gives 0/1. */
void ft_ratio_simplest(double x, double tol, uint64_t *num, uint64_t *den);
/* Check G proportions (each in [0, 1], the sum 1, within FT_PROP_TOL),
 * divide them by their sum and read each as ft_ratio_simplest.  tag names
 * the caller in messages (FT_EINVAL). */
int ft_props_rational(const double *p, size_t G, uint64_t *num, uint64_t *den,
                      const char *tag, struct ft_error *err);
/* count[g] / total exactly (total 0: all 0/1). */
void ft_props_counts(const size_t *count, size_t G, uint64_t *num, uint64_t *den);
/* floor(r num / den), ceil(r num / den), exact. */
uint64_t ft_ratio_floor(uint64_t r, uint64_t num, uint64_t den);
uint64_t ft_ratio_ceil(uint64_t r, uint64_t num, uint64_t den);
/* sign of a b c - d e f, exact (each factor below 2^42). */
int ft_ratio_cmp3(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                  uint64_t f);

/* The shortest of %.15g, %.16g and %.17g that reads back as v (nan, inf
 * and -inf as those words), written into buf; returns buf (fmt.c). */
#define FT_FMT_DOUBLE_LEN 32
const char *ft_fmt_double(char buf[FT_FMT_DOUBLE_LEN], double v);

#endif
