/*
 * dist.h - the distributed layer (src/core/dist.c); internal, not installed.
 *
 * In the MPI build (make MPI=1) a run is one process per rank; every rank
 * holds a contiguous slice of the rows of each data set, in global row
 * order, and the verbs of src/run are collective: every rank calls the same
 * library functions in the same order.  In the default build, or with one
 * rank, every function here is a no-op or a copy and ft_dist_on() is 0.
 *
 * A distributed data set of n_all rows is cut into the chunks of
 * ft_parallel_sum (a count that depends on n_all only), and each rank holds
 * whole chunks (struct ft_dist_part).  ft_parallel_sum over such a data set
 * (the scope below) computes the partial sums of the local chunks and adds
 * them along the ranks in global chunk order, so that every sum has the bits
 * of the single-process sum whatever the number of ranks.
 */
#ifndef FT_DIST_H
#define FT_DIST_H

#include <stddef.h>
#include <stdint.h>
#include "fairtrain.h"
#include "core/internal.h"

/* 1 when this process is one of several ranks of a run (ft_dist_init in
 * an MPI build, more than one rank); then the collectives below
 * communicate. */
int ft_dist_on(void);
int ft_dist_me(void);                /* this rank (0 when not on) */
int ft_dist_np(void);                /* ranks (1 when not on) */

/* Bytes this rank sent or received through the layer, and collective
 * calls, since the last reset (for the bench). */
void ft_dist_stats(uint64_t *bytes, uint64_t *calls);
void ft_dist_stats_reset(void);

/* Collectives.  Every rank calls them with the same n (and root).  They
 * return 0, or FT_ENOMEM on every rank when any rank was short of memory. */
int ft_dist_sum_u64(uint64_t *v, size_t n);         /* element-wise sums */
int ft_dist_max_i64(int64_t *v, size_t n);          /* element-wise maxima */
int ft_dist_min_double(double *v, size_t n);
int ft_dist_max_double(double *v, size_t n);
int ft_dist_bcast(void *buf, size_t bytes, int root);
/* Exclusive prefix sum of v over ranks (*before) and the total. */
int ft_dist_scan_u64(uint64_t v, uint64_t *before, uint64_t *total);
/* Every rank's bytes, in rank order, on every rank (all = 0 .. 1: NULL on
 * root-less gather of ft_dist_gather0's other ranks).  *out is malloc'ed
 * (never NULL on success), off[0 .. np] the offsets of each rank's part
 * (off malloc'ed too). */
int ft_dist_allgather(const void *mine, size_t bytes, void **out, size_t **off);
/* The same onto rank 0 only (other ranks get *out = NULL, *off = NULL). */
int ft_dist_gather0(const void *mine, size_t bytes, void **out, size_t **off);

/* Every rank's rows of an array (n rows of elem bytes here), in global
 * row order, on every rank: *out malloc'ed, *n_all rows. */
int ft_dist_allrows(const void *a, size_t n, size_t elem, void **out, size_t *n_all);
/* The same for k arrays of n rows each (in[j] rows of elem[j] bytes;
 * NULL on every rank stays NULL): out[j] malloc'ed.  0 or FT_ENOMEM on
 * every rank. */
int ft_dist_allrows_k(size_t n, size_t k, const void *const *in, const size_t *elem,
                      void **out, size_t *n_all);
/* Is n the local row count of a distributed data set being worked on
 * (the scope below, in a run of several ranks)? */
int ft_dist_rows_here(size_t n);

/* The rows of that data set on every rank (n when it is none). */
size_t ft_dist_rows_total(size_t n);
/* on = 1: what follows runs on this rank alone (rank 0 measuring the rows
 * gathered from every rank): the collectives do nothing until
 * ft_dist_solo(0).  Returns whether the run was distributed before. */
int ft_dist_solo(int on);

/* A plain sequential fold across ranks: rank r receives the running value
 * from rank r - 1 (ft_dist_seq_recv; rank 0 keeps its own), continues the
 * very loop a single process would run over its rows, and passes it on
 * (ft_dist_seq_send, after which every rank has the final value).  The
 * result has the bits of one loop over all rows in global order; the ranks
 * run one after the other, so it is for cheap loops. */
int ft_dist_seq_recv(double *acc, size_t n);
int ft_dist_seq_send(double *acc, size_t n);

/* ft_dist_seq_recv / ft_dist_seq_send around a loop over the rows (or
 * the queries) of a data set of rows local rows, when it is a distributed
 * one (ft_dist_rows_here); nothing otherwise.  For small loops that add
 * up per query or per row in order. */
void ft_dist_fold_begin(size_t rows, double *acc, size_t n);
void ft_dist_fold_end(size_t rows, double *acc, size_t n);

/* ------------------------------------------------------------ row layout */

/* The rows of one distributed data set.  Chunk c holds the global rows
 * bound[c] .. bound[c+1]-1; rank r holds chunks first[r] .. first[r+1]-1,
 * so this rank's rows are bound[c0] .. bound[c1]-1, locally 0 .. n-1. */
struct ft_dist_part {
	size_t n, row0, n_all;
	size_t k, c0, c1;
	size_t *bound;           /* k + 1 */
	size_t *first;           /* np + 1 */
};
/* Lay out n_all rows: ft_chunk_count(n_all) chunks of ft_parallel_sum's
 * bounds, each bound moved up to the next cut when cuts are given (the
 * sorted global rows where a query starts: ranking chunks hold whole
 * queries), chunks dealt to the ranks in order.  0 or FT_ENOMEM (local). */
int ft_dist_part_init(struct ft_dist_part *p, size_t n_all, const size_t *cut,
                      size_t n_cut);
void ft_dist_part_free(struct ft_dist_part *p);

/* Make p the layout of the rows ft_parallel_sum sums when it is called with
 * p->n rows (the innermost scope whose n matches wins), until popped.  At
 * most 8 deep.  p NULL hides the scopes below it: the computation inside
 * works on rows every rank holds alike (gathered ones), in each process
 * alone. */
void ft_dist_scope_push(const struct ft_dist_part *p);
void ft_dist_scope_pop(void);
const struct ft_dist_part *ft_dist_scope_for(size_t n);

/* parallel.c: the chunk count of n rows, and chunk c's first row. */
size_t ft_chunk_count(size_t n);
size_t ft_chunk_bound(size_t n, size_t k, size_t c);
/* parallel.c: the partial sums of p's local chunks into part (c1 - c0
 * partials, zeroed, one every stride doubles), on every core. */
void ft_chunks_run(const struct ft_dist_part *p, size_t stride, double *part,
                   ft_chunk_fn fn, void *ctx);
/* dist.c: out += the partials of p's chunks, added in global chunk order
 * along the ranks (collective).  0 or FT_ENOMEM on every rank. */
int ft_dist_sum_part(const struct ft_dist_part *p, size_t len, double *out,
                     ft_chunk_fn fn, void *ctx);

/* Move the rows of a row-major array of elem-byte rows so that rank r holds
 * the global rows dest[r] .. dest[r+1]-1 (dest: np + 1 entries, the same on
 * every rank); the local rows are now global rows row0 .. row0 + n - 1.
 * *a is replaced (freed; NULL stays NULL on every rank). */
int ft_dist_move(void **a, size_t elem, size_t n, size_t row0, const size_t *dest);

/* Records of rec bytes to the ranks: send holds scount[r] records for
 * rank r, rank after rank; *recv (malloc'ed) gets every rank's records for
 * this one, from rank 0 on, *n_recv of them.  Collective; 0 or FT_ENOMEM
 * on every rank.  In one process: nothing (*recv NULL). */
int ft_dist_exchange(const void *send, const size_t *scount, size_t rec, void **recv,
                     size_t *n_recv);

#endif
