/*
 * internal.h - helpers shared inside libfairtrain; not part of the public API
 * and not installed.
 */
#ifndef FT_INTERNAL_H
#define FT_INTERNAL_H

#include <stddef.h>
#include "fairtrain.h"

/* Pin OpenBLAS to one thread, once per process (runtime.c): called by
 * every verb and by ft_set_threads. */
void ft_threads_setup(void);

/* strdup that returns NULL for NULL (and on allocation failure). */
char *ft_strdup(const char *s);
/* malloc for count elements of size bytes: NULL when the product
 * overflows or memory is short, never NULL for count 0, so that NULL keeps
 * meaning "out of memory" (or "absent" in struct ft_dataset). */
void *ft_xalloc(size_t count, size_t size);
/* Free n strings and the array (NULL v is a no-op). */
void ft_strv_free(char **v, size_t n);
/* Copy n strings (none may be NULL) into a new array, never NULL for
 * n = 0; NULL on allocation failure, with the partial copy freed. */
char **ft_strv_copy(char *const *v, size_t n);

/* Make "<path>.tmp.XXXXXX" beside path (for writers that need a file name,
 * like HDF5): *tmp_out is malloc'ed, *fd_out is open for writing. */
int ft_tmpfile_make(const char *path, char **tmp_out, int *fd_out,
                    struct ft_error *err);
/* fsync tmp, rename it over path, fsync the directory.  Removes tmp on
 * failure.  Does not free tmp. */
int ft_tmpfile_finish(const char *tmp, const char *path, struct ft_error *err);

/* Base name of a path, for short messages ("adult.test:7: ..."): a pointer
 * into path. */
const char *ft_basename(const char *path);


/* A chunk of a row sum: add the partial sums of rows [lo, hi) to partial
 * (len doubles; fn must only add to it).  chunk is the chunk's index (for
 * per-chunk scratch space).  Runs concurrently with other chunks. */
typedef void (*ft_chunk_fn)(void *ctx, size_t chunk, size_t lo, size_t hi,
                            double *partial);
/* The number of chunks ft_parallel_sum uses for n rows and len partials
 * (depends on nothing else, so callers can size per-chunk scratch). */
size_t ft_parallel_chunks(size_t n, size_t len);
/* out[0..len) += sum over chunks of fn's partials (callers zero out first), chunks run on all cores
 * (OpenMP) and added in a fixed order: bitwise the same for any thread
 * count.  FT_ENOMEM when the partial buffers cannot be allocated. */
int ft_parallel_sum(size_t n, size_t len, double *out, ft_chunk_fn fn,
                    void *ctx);

#endif
