/*
 * h5w.c - the primitives every HDF5 writer of fairtrain uses (model files,
 * comparison results), with a sticky error: the first failure sets the
 * error and every later call does nothing, so a writer reads straight
 * through and checks once.  Files are built in memory (h5image.c), so a
 * failure here is a failed allocation inside HDF5 or a bug, never the disk.
 *
 * Conventions (README, "Model file"): strings are variable-length UTF-8
 * (h5py returns str), numbers little-endian int8 / int32 / int64 / uint64 /
 * float64, string arrays 1-D datasets of the string type.
 */
#include <stdio.h>
#include "io/io.h"

static void failed(struct ft_h5w *w, const char *what, const char *name)
{
	if (!w->rc)
		w->rc = ft_error_set(w->err, FT_EIO, "%s: cannot write %s '%s'", w->path,
		                     what, name);
}

void ft_h5w_nomem(struct ft_h5w *w)
{
	if (!w->rc)
		w->rc = ft_error_set(w->err, FT_ENOMEM, "%s: out of memory", w->path);
}

static void attr(struct ft_h5w *w, hid_t loc, const char *name, hid_t ftype,
                 hid_t mtype, const void *buf)
{
	hid_t a;

	if (w->rc)
		return;
	a = H5Acreate2(loc, name, ftype, w->scalar, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0 || H5Awrite(a, mtype, buf) < 0)
		failed(w, "attribute", name);
	if (a >= 0 && H5Aclose(a) < 0)
		failed(w, "attribute", name);
}

void ft_h5w_attr_str(struct ft_h5w *w, hid_t loc, const char *name, const char *s)
{
	const char *v = s ? s : "";

	attr(w, loc, name, w->str, w->str, &v);
}

void ft_h5w_attr_i32(struct ft_h5w *w, hid_t loc, const char *name, int v)
{
	attr(w, loc, name, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
}

void ft_h5w_attr_i64(struct ft_h5w *w, hid_t loc, const char *name, int64_t v)
{
	attr(w, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

void ft_h5w_attr_u64(struct ft_h5w *w, hid_t loc, const char *name, uint64_t v)
{
	attr(w, loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

void ft_h5w_attr_f64(struct ft_h5w *w, hid_t loc, const char *name, double v)
{
	attr(w, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

void ft_h5w_dset(struct ft_h5w *w, hid_t loc, const char *name, hid_t ftype,
                 hid_t mtype, int rank, size_t n0, size_t n1, const void *buf)
{
	hsize_t dims[2] = {(hsize_t)n0, (hsize_t)n1};
	hid_t s = H5I_INVALID_HID, d = H5I_INVALID_HID;

	if (w->rc)
		return;
	s = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
	if (s >= 0)
		d = H5Dcreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	/* a zero-length dataset has nothing to write */
	if (d < 0 || ((rank == 0 || n0 * (rank == 2 ? n1 : 1) > 0) &&
	    H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0))
		failed(w, "dataset", name);
	if (d >= 0 && H5Dclose(d) < 0)
		failed(w, "dataset", name);
	if (s >= 0)
		H5Sclose(s);
}

void ft_h5w_link(struct ft_h5w *w, hid_t loc, const char *name, const char *target)
{
	if (!w->rc && H5Lcreate_hard(loc, target, loc, name, H5P_DEFAULT,
	                             H5P_DEFAULT) < 0)
		failed(w, "link", name);
}

void ft_h5w_str_v(struct ft_h5w *w, hid_t loc, const char *name,
                  const char *const *v, size_t n)
{
	ft_h5w_dset(w, loc, name, w->str, w->str, 1, n, 0, v);
}

void ft_h5w_f64_v(struct ft_h5w *w, hid_t loc, const char *name,
                  const double *v, size_t n)
{
	ft_h5w_dset(w, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, n, 0, v);
}

void ft_h5w_f64_m(struct ft_h5w *w, hid_t loc, const char *name,
                  const double *v, size_t rows, size_t cols)
{
	ft_h5w_dset(w, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, rows, cols, v);
}

void ft_h5w_f64_s(struct ft_h5w *w, hid_t loc, const char *name, double v)
{
	ft_h5w_dset(w, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, 1, 0, &v);
}

void ft_h5w_i64_v(struct ft_h5w *w, hid_t loc, const char *name,
                  const int64_t *v, size_t n)
{
	ft_h5w_dset(w, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, n, 0, v);
}

void ft_h5w_i8_v(struct ft_h5w *w, hid_t loc, const char *name,
                 const int8_t *v, size_t n)
{
	ft_h5w_dset(w, loc, name, H5T_STD_I8LE, H5T_NATIVE_INT8, 1, n, 0, v);
}

hid_t ft_h5w_group(struct ft_h5w *w, hid_t loc, const char *name)
{
	hid_t g;

	if (w->rc)
		return H5I_INVALID_HID;
	g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (g < 0)
		failed(w, "group", name);
	return g;
}

void ft_h5w_close(struct ft_h5w *w, hid_t g, const char *name)
{
	if (g >= 0 && H5Gclose(g) < 0)
		failed(w, "group", name);
}
