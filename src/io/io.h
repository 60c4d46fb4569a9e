/*
 * io.h - what the HDF5 readers and writers in src/io share (internal, not
 * installed).  hdf5.h is included only in src/io.
 */
#ifndef FT_IO_H
#define FT_IO_H

#include <stddef.h>
#include <stdint.h>
#include <hdf5.h>
#include "fairtrain.h"

/* ------------------------------------------------------------ writing */

/* The handles every writer uses: the variable-length UTF-8 string type
 * (h5py reads it as str) and a scalar dataspace for attributes. */
struct ft_h5_types {
	hid_t str;
	hid_t scalar;
};

/* Fill the in-memory file f; return 0, or an FT_E* code with err set. */
typedef int (*ft_h5_build_fn)(hid_t f, const struct ft_h5_types *t, void *ctx);

/* Build an HDF5 file in memory with build and write it to path
 * atomically and self-verifying (h5image.c says why and how): a 512-byte
 * user block with the SHA-256 of the rest, an unnamed temp file beside
 * path, write(2), fsync, link or rename, fsync of the directory.
 * increment is the core driver's growth step.  On any failure path is as
 * it was, no temp file remains and err names path. */
int ft_h5_save_image(const char *path, size_t increment, ft_h5_build_fn build,
                     void *ctx, struct ft_error *err);

/* What ft_h5_check_image finds in a file's bytes. */
enum {
	FT_H5_VERIFIED = 0,   /* our user block, and the bytes match it */
	FT_H5_UNVERIFIED,     /* HDF5 from byte 0: no checksum (an older file) */
	FT_H5_MISMATCH,       /* our block (or a superblock at 512) that does
	                         not match the bytes */
	FT_H5_TRUNCATED,      /* our block, intact, for a longer file */
	FT_H5_NOT_HDF5        /* neither */
};
/* Classify img[0..len), the whole file; *want is the length our block
 * records (0 when there is none). */
int ft_h5_check_image(const unsigned char *img, size_t len, size_t *want);
/* Write the user block of img[0..len) (len > 512) for its bytes 512 ..
 * len-1: what the writer does, and what a test does after editing a file
 * in place with HDF5. */
void ft_h5_seal_image(unsigned char *img, size_t len);

/* Open path read-only for a reader, verified first: the file is read into
 * memory whole and checked (ft_h5_check_image); HDF5 then parses that
 * memory (core driver), never the file, so it sees only checked bytes (or
 * those of an older file without a checksum: *verified = 0).  kind names
 * the file in messages ("model file": "PATH: corrupt model file (checksum
 * mismatch)").  *file_len is the file's length, the bound for every size a
 * reader takes from the file (struct ft_h5r).  Errors (one line naming
 * path): FT_EIO cannot open or read, a directory; FT_EFORMAT not HDF5,
 * checksum mismatch, truncated, HDF5 cannot open it; FT_ENOMEM.  The
 * caller H5Fcloses *out.  For the readers of model files and results. */
int ft_h5_open_verified(const char *path, const char *kind, hid_t *out,
                        size_t *file_len, int *verified, struct ft_error *err);

/* A writer (h5w.c) with a sticky error: the first failed HDF5 call or
 * allocation sets rc and err, and every later call does nothing, so that
 * writers read straight through and check rc once. */
struct ft_h5w {
	const char *path;          /* the destination, for messages */
	struct ft_error *err;
	int rc;                    /* the first failure */
	hid_t str, scalar;         /* struct ft_h5_types */
};
void ft_h5w_nomem(struct ft_h5w *w);
/* Scalar attributes; a NULL string is written as "". */
void ft_h5w_attr_str(struct ft_h5w *w, hid_t loc, const char *name, const char *s);
void ft_h5w_attr_i32(struct ft_h5w *w, hid_t loc, const char *name, int v);
void ft_h5w_attr_i64(struct ft_h5w *w, hid_t loc, const char *name, int64_t v);
void ft_h5w_attr_u64(struct ft_h5w *w, hid_t loc, const char *name, uint64_t v);
void ft_h5w_attr_f64(struct ft_h5w *w, hid_t loc, const char *name, double v);
/* A dataset of rank 0 (scalar), 1 (n0) or 2 (n0 x n1); n0 may be 0. */
void ft_h5w_dset(struct ft_h5w *w, hid_t loc, const char *name, hid_t ftype,
                 hid_t mtype, int rank, size_t n0, size_t n1, const void *buf);
/* A hard link name in loc to the object at the absolute path target. */
void ft_h5w_link(struct ft_h5w *w, hid_t loc, const char *name, const char *target);
void ft_h5w_str_v(struct ft_h5w *w, hid_t loc, const char *name,
                  const char *const *v, size_t n);
void ft_h5w_f64_v(struct ft_h5w *w, hid_t loc, const char *name,
                  const double *v, size_t n);
void ft_h5w_f64_m(struct ft_h5w *w, hid_t loc, const char *name,
                  const double *v, size_t rows, size_t cols);
void ft_h5w_f64_s(struct ft_h5w *w, hid_t loc, const char *name, double v);
void ft_h5w_i64_v(struct ft_h5w *w, hid_t loc, const char *name,
                  const int64_t *v, size_t n);
void ft_h5w_i8_v(struct ft_h5w *w, hid_t loc, const char *name,
                 const int8_t *v, size_t n);
/* A new group (H5I_INVALID_HID after a failure), and its close. */
hid_t ft_h5w_group(struct ft_h5w *w, hid_t loc, const char *name);
void ft_h5w_close(struct ft_h5w *w, hid_t g, const char *name);

/* ------------------------------------------------------------ reading */

/* A reader (h5r.c): the file, for messages ("PATH: corrupt WHAT: ..."). */
struct ft_h5r {
	const char *path;
	struct ft_error *err;
	int64_t version;           /* format_version, once the root is read */
	const char *what;          /* "model file" (NULL), "results file" */
	size_t file_len;           /* the file's length (ft_h5_open_verified):
	                              bounds every size read from it */
};
/* "nan", "inf" or "-inf". */
const char *ft_nonfinite_word(double x);
/* "/model" + "coef" -> "/model/coef"; "/" + "inputs" -> "/inputs". */
void ft_h5_join(char *buf, size_t n, const char *obj, const char *name);
int ft_h5r_corrupt(struct ft_h5r *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ft_h5r_nomem(struct ft_h5r *r);
/* Close a group that was only read. */
void ft_h5r_gclose(hid_t g);
/* n strings of an attribute (is_attr) or dataset as malloc'ed copies
 * (variable- or fixed-length); 0, -1 on an HDF5 failure, FT_ENOMEM. */
int ft_h5r_strings(hid_t obj, int is_attr, hid_t ftype, hid_t space, size_t n,
                   char **out);
enum { FT_H5_STR, FT_H5_F64, FT_H5_I64, FT_H5_U64 };
int ft_h5r_attr_open(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                     int kind, int optional, hid_t *a, hid_t *t, hid_t *s);
void ft_h5r_attr_close(hid_t a, hid_t t, hid_t s);
/* Attributes: a string (NULL when absent and optional), a finite float, an
 * integer in [lo, hi], an unsigned integer, a size, one of names. */
int ft_h5r_str(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
               int optional, char **out);
int ft_h5r_num(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
               int kind, double *f, int64_t *i, uint64_t *u);
int ft_h5r_f64(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
               double *out);
int ft_h5r_i64(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
               int64_t lo, int64_t hi, int64_t *out);
int ft_h5r_i32(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
               int lo, int hi, int *out);
int ft_h5r_u64(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
               uint64_t *out);
int ft_h5r_size(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                size_t *out);
int ft_h5r_enum(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                const char *const *names, size_t n, int *out);
/* Group name of obj (H5I_INVALID_HID and 0 when absent and optional). */
int ft_h5r_group(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                 int optional, hid_t *g);
int ft_h5r_dset_open(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                     H5T_class_t cls, int rank, int optional, hid_t *d, hid_t *t,
                     hid_t *s, size_t *n);
void ft_h5r_dset_close(hid_t d, hid_t t, hid_t s);
/* Datasets: 1-D strings (NULL, 0 when absent and optional), finite
 * float64 of rank 0 or 1, a finite 2-D float64, 1-D 0/1 flags. */
int ft_h5r_strv(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                int optional, char ***out, size_t *n);
int ft_h5r_f64v(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                int rank, double **out, size_t *n);
int ft_h5r_f64m(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                double **out, size_t *rows, size_t *cols);
int ft_h5r_flagv(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                 int64_t **out, size_t *n);
/* A 1-D integer dataset whose every value is in [lo, hi]. */
int ft_h5r_i64v(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                int64_t lo, int64_t hi, int64_t **out, size_t *n);

/* ------------------------------------------- predictors and comparisons */

/* A predictor as group name of loc (predictor_io.c; README "Predictors"):
 * the same layout in model files and comparison results.  feature_names
 * (n_features) are written beside the coefficients, or, when names_at is
 * not NULL, a hard link to the dataset at that absolute path (which holds
 * them: stored once, read by any HDF5 reader as a dataset of its own). */
void ft_h5w_predictor(struct ft_h5w *w, hid_t loc, const char *name,
                      const struct ft_predictor *p, char *const *feature_names,
                      size_t n_features, const char *names_at);
/* Read it back (obj is its path, for messages; optional: absent gives
 * *out NULL): sizes must be n_features and feature_names must match;
 * per-group parts and thresholds must have n_groups groups. */
int ft_h5r_predictor(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                     int optional, char *const *feature_names, size_t n_features,
                     size_t n_groups, struct ft_predictor **out);
/* The linear model of a group (the layout of format versions 1 and 2, and
 * of a version 3 predictor's linear part) into a new model. */
int ft_h5r_linear(struct ft_h5r *r, hid_t g, const char *obj,
                  char *const *feature_names, size_t n_features, size_t n_groups,
                  struct ft_linear_model **out);
/* The parts of format version 2 at the root (/mixture, /frontier,
 * /thresholds), into p (kind set by what is there). */
int ft_h5r_legacy_parts(struct ft_h5r *r, hid_t f, size_t n_features,
                        struct ft_predictor *p);
/* A comparison table as group name: one 1-D dataset per column, undefined
 * values 0 with defined = 0 and the reason in why (README "/comparison"). */
void ft_h5w_comparison(struct ft_h5w *w, hid_t loc, const char *name,
                       const struct ft_comparison *c);
int ft_h5r_comparison(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                      struct ft_comparison **out);

#endif
