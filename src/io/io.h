/*
 * io.h - what the HDF5 writers in src/io share (internal, not installed).
 */
#ifndef FT_IO_H
#define FT_IO_H

#include <stddef.h>
#include <hdf5.h>
#include "fairtrain.h"

/* The handles every writer uses: the variable-length UTF-8 string type
 * (h5py reads it as str) and a scalar dataspace for attributes. */
struct ft_h5_types {
	hid_t str;
	hid_t scalar;
};

/* Fill the in-memory file f; return 0, or an FT_E* code with err set. */
typedef int (*ft_h5_build_fn)(hid_t f, const struct ft_h5_types *t, void *ctx);

/* Build an HDF5 file in memory with build and write it to path
 * atomically (h5image.c says why in memory): a temp file beside path,
 * write(2), fsync, rename, fsync of the directory.  increment is the core
 * driver's growth step.  On any failure path is as it was, no temp file
 * remains and err names path. */
int ft_h5_save_image(const char *path, size_t increment, ft_h5_build_fn build,
                     void *ctx, struct ft_error *err);

#endif
