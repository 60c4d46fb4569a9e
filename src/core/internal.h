/*
 * internal.h - helpers shared inside libfairtrain; not part of the public API
 * and not installed.
 */
#ifndef FT_INTERNAL_H
#define FT_INTERNAL_H

#include <stddef.h>
#include "fairtrain.h"

/* strdup that returns NULL for NULL (and on allocation failure). */
char *ft_strdup(const char *s);

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

#endif
