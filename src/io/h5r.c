/*
 * h5r.c - defensive reading of the HDF5 files fairtrain writes (model files
 * and comparison results): every attribute and dataset is checked for
 * presence, type class, rank and size before it is read, numbers for
 * finiteness and range, so that a foreign, newer, truncated or hand-edited
 * file is refused with one line naming the file and the object ("PATH:
 * corrupt model file: missing /model/coef"), never a crash and never a
 * half-built struct.  Sizes read from the file are bounded by its length
 * (r->file_len, from ft_h5_open_verified) before anything is allocated by
 * them: a damaged count is corruption, never "out of memory".  The readers
 * of each file (model_file.c, predictor_io.c, results_file.c) are built
 * from these.
 *
 * Handle discipline: every hid_t starts as H5I_INVALID_HID and is closed
 * exactly once on the single cleanup path of the function that opened it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "core/internal.h"
#include "io/io.h"

const char *ft_nonfinite_word(double x)
{
	return isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

void ft_h5_join(char *buf, size_t n, const char *obj, const char *name)
{
	snprintf(buf, n, "%s/%s", strcmp(obj, "/") ? obj : "", name);
}

int ft_h5r_corrupt(struct ft_h5r *r, const char *fmt, ...)
{
	char msg[FT_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ft_error_set(r->err, FT_EFORMAT, "%s: corrupt %s: %s", r->path,
	                    r->what ? r->what : "model file", msg);
}

int ft_h5r_nomem(struct ft_h5r *r)
{
	return ft_error_set(r->err, FT_ENOMEM, "%s: out of memory", r->path);
}

/* Close a group that was only read. */
void ft_h5r_gclose(hid_t g)
{
	if (g >= 0)
		H5Gclose(g);
}

/* H5Dvlen_reclaim is deprecated from HDF5 1.12 on, in favour of H5Treclaim. */
#if H5_VERSION_GE(1, 12, 0)
#define vlen_reclaim(t, s, buf) H5Treclaim(t, s, H5P_DEFAULT, buf)
#else
#define vlen_reclaim(t, s, buf) H5Dvlen_reclaim(t, s, H5P_DEFAULT, buf)
#endif

/* Read n strings from an attribute (is_attr) or dataset obj of file type
 * ftype and dataspace space into out[0..n) (all NULL on entry) as malloc'ed
 * copies.  Both variable-length strings (what fairtrain writes) and
 * fixed-length ones (numpy bytes_ written by h5py) are understood.  Returns
 * 0, -1 on an HDF5 failure or FT_ENOMEM; on failure out[] is all NULL. */
int ft_h5r_strings(hid_t obj, int is_attr, hid_t ftype, hid_t space,
                       size_t n, char **out)
{
	hid_t mt = H5I_INVALID_HID;
	htri_t vlen = H5Tis_variable_str(ftype);
	char **vbuf = NULL, *fbuf = NULL;
	size_t i, sz = 0;
	int rc = -1;
	H5T_str_t pad;

	if (vlen < 0)
		goto done;
	if (vlen) {
		H5T_cset_t cs = H5Tget_cset(ftype);

		mt = H5Tcopy(H5T_C_S1);
		if (mt < 0 || cs < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 ||
		    H5Tset_cset(mt, cs) < 0)
			goto done;
		vbuf = calloc(n ? n : 1, sizeof *vbuf);
		if (!vbuf) {
			rc = FT_ENOMEM;
			goto done;
		}
		if ((is_attr ? H5Aread(obj, mt, vbuf) :
		     H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, vbuf)) < 0)
			goto done;
		for (i = 0; i < n; i++) {
			/* a null variable-length string reads as "" */
			out[i] = ft_strdup(vbuf[i] ? vbuf[i] : "");
			if (!out[i]) {
				rc = FT_ENOMEM;
				goto done;
			}
		}
		rc = 0;
		goto done;
	}
	/* fixed length: read the raw bytes with the file's own type */
	sz = H5Tget_size(ftype);
	pad = H5Tget_strpad(ftype);
	mt = H5Tcopy(ftype);
	if (sz == 0 || pad < 0 || mt < 0)
		goto done;
	if (n && sz > SIZE_MAX / n) {
		rc = FT_ENOMEM;
		goto done;
	}
	fbuf = malloc(n ? n * sz : 1);
	if (!fbuf) {
		rc = FT_ENOMEM;
		goto done;
	}
	if ((is_attr ? H5Aread(obj, mt, fbuf) :
	     H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, fbuf)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		const char *s = fbuf + i * sz;
		size_t len = strnlen(s, sz);
		char *c;

		if (pad == H5T_STR_SPACEPAD)
			while (len && s[len - 1] == ' ')
				len--;
		c = malloc(len + 1);
		if (!c) {
			rc = FT_ENOMEM;
			goto done;
		}
		memcpy(c, s, len);
		c[len] = '\0';
		out[i] = c;
	}
	rc = 0;
done:
	/* variable-length data is allocated by HDF5: give it back, also after
	 * a failed read (unread entries are NULL, which reclaim skips) */
	if (vbuf && mt >= 0)
		vlen_reclaim(mt, space, vbuf);
	free(vbuf);
	free(fbuf);
	if (mt >= 0)
		H5Tclose(mt);
	if (rc) {
		for (i = 0; i < n; i++) {
			free(out[i]);
			out[i] = NULL;
		}
	}
	return rc;
}

/* Scalar kinds an attribute can be read as. */

/* Open attribute name of obj (at loc) and check that it holds exactly one
 * value of the right class.  *a is H5I_INVALID_HID and 0 is returned when
 * the attribute is absent and optional.  Whatever it returns, the caller
 * closes *a, *t and *s with attr_close. */
int ft_h5r_attr_open(struct ft_h5r *r, hid_t loc, const char *obj,
                     const char *name, int kind, int optional, hid_t *a,
                     hid_t *t, hid_t *s)
{
	htri_t ex = H5Aexists(loc, name);
	H5T_class_t cls;
	hssize_t np;
	int ok;

	*a = *t = *s = H5I_INVALID_HID;
	if (ex < 0)
		return ft_h5r_corrupt(r, "cannot read attribute '%s' on %s", name, obj);
	if (!ex)
		return optional ? 0 : ft_h5r_corrupt(r, "missing attribute '%s' on %s",
		                              name, obj);
	*a = H5Aopen(loc, name, H5P_DEFAULT);
	if (*a >= 0)
		*t = H5Aget_type(*a);
	if (*t >= 0)
		*s = H5Aget_space(*a);
	if (*s < 0)
		return ft_h5r_corrupt(r, "cannot read attribute '%s' on %s", name, obj);
	cls = H5Tget_class(*t);
	np = H5Sget_simple_extent_npoints(*s);
	switch (kind) {
	case FT_H5_STR:
		ok = cls == H5T_STRING;
		break;
	case FT_H5_F64:
		ok = cls == H5T_FLOAT || cls == H5T_INTEGER;
		break;
	default:
		ok = cls == H5T_INTEGER;
	}
	if (!ok)
		return ft_h5r_corrupt(r, "attribute '%s' on %s is not %s", name, obj,
		               kind == FT_H5_STR ? "a string" : kind == FT_H5_F64 ?
		               "a number" : "an integer");
	if (np != 1)
		return ft_h5r_corrupt(r, "attribute '%s' on %s is not a single value",
		               name, obj);
	if (H5Tget_size(*t) > r->file_len)
		return ft_h5r_corrupt(r, "attribute '%s' on %s claims %zu bytes, "
		                      "more than the file's %zu", name, obj,
		                      H5Tget_size(*t), r->file_len);
	return 0;
}

void ft_h5r_attr_close(hid_t a, hid_t t, hid_t s)
{
	if (s >= 0)
		H5Sclose(s);
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
}

/* A string attribute as a malloc'ed copy; *out is NULL when it is absent
 * and optional. */
int ft_h5r_str(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                int optional, char **out)
{
	hid_t a, t, s;
	int rc;

	*out = NULL;
	rc = ft_h5r_attr_open(r, loc, obj, name, FT_H5_STR, optional, &a, &t, &s);
	if (!rc && a >= 0) {
		rc = ft_h5r_strings(a, 1, t, s, 1, out);
		if (rc == FT_ENOMEM)
			rc = ft_h5r_nomem(r);
		else if (rc)
			rc = ft_h5r_corrupt(r, "cannot read attribute '%s' on %s", name,
			             obj);
	}
	ft_h5r_attr_close(a, t, s);
	return rc;
}

/* A numeric attribute.  Integers are read as int64 or uint64 by the sign of
 * the stored type, so that no value is clamped by a conversion; then range
 * checked by the callers.  Floats must be finite. */
int ft_h5r_num(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                int kind, double *f, int64_t *i, uint64_t *u)
{
	hid_t a, t, s;
	int rc, is_signed;
	int64_t iv = 0;
	uint64_t uv = 0;

	rc = ft_h5r_attr_open(r, loc, obj, name, kind, 0, &a, &t, &s);
	if (rc)
		goto done;
	if (kind == FT_H5_F64) {
		if (H5Aread(a, H5T_NATIVE_DOUBLE, f) < 0)
			rc = ft_h5r_corrupt(r, "cannot read attribute '%s' on %s", name,
			             obj);
		else if (!isfinite(*f))
			rc = ft_h5r_corrupt(r, "attribute '%s' on %s is %s", name, obj,
			             ft_nonfinite_word(*f));
		goto done;
	}
	is_signed = H5Tget_sign(t) != H5T_SGN_NONE;
	if (H5Aread(a, is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64,
	            is_signed ? (void *)&iv : (void *)&uv) < 0) {
		rc = ft_h5r_corrupt(r, "cannot read attribute '%s' on %s", name, obj);
		goto done;
	}
	if (kind == FT_H5_I64) {
		if (!is_signed && uv > INT64_MAX)
			rc = ft_h5r_corrupt(r, "attribute '%s' on %s is out of range",
			             name, obj);
		*i = is_signed ? iv : (int64_t)uv;
	} else {
		if (is_signed && iv < 0)
			rc = ft_h5r_corrupt(r, "attribute '%s' on %s is negative (%" PRId64
			             ")", name, obj, iv);
		*u = is_signed ? (uint64_t)iv : uv;
	}
done:
	ft_h5r_attr_close(a, t, s);
	return rc;
}

int ft_h5r_f64(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                double *out)
{
	return ft_h5r_num(r, loc, obj, name, FT_H5_F64, out, NULL, NULL);
}

/* An integer attribute in [lo, hi]. */
int ft_h5r_i64(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                int64_t lo, int64_t hi, int64_t *out)
{
	int rc = ft_h5r_num(r, loc, obj, name, FT_H5_I64, NULL, out, NULL);

	if (!rc && (*out < lo || *out > hi))
		rc = ft_h5r_corrupt(r, "attribute '%s' on %s is %" PRId64 ", outside "
		             "[%" PRId64 ", %" PRId64 "]", name, obj, *out, lo, hi);
	return rc;
}

int ft_h5r_i32(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                int lo, int hi, int *out)
{
	int64_t v = 0;
	int rc = ft_h5r_i64(r, loc, obj, name, lo, hi, &v);

	*out = (int)v;
	return rc;
}

int ft_h5r_u64(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                uint64_t *out)
{
	return ft_h5r_num(r, loc, obj, name, FT_H5_U64, NULL, NULL, out);
}

int ft_h5r_size(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                 size_t *out)
{
	uint64_t v = 0;
	int rc = ft_h5r_u64(r, loc, obj, name, &v);

	if (!rc && v > SIZE_MAX)
		rc = ft_h5r_corrupt(r, "attribute '%s' on %s is too large", name, obj);
	*out = (size_t)v;
	return rc;
}

/* A string attribute that must be one of names[0..n): its index. */
int ft_h5r_enum(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                 const char *const *names, size_t n, int *out)
{
	char *s = NULL;
	size_t k;
	int rc = ft_h5r_str(r, loc, obj, name, 0, &s);

	if (rc)
		return rc;
	for (k = 0; k < n; k++)
		if (strcmp(s, names[k]) == 0)
			break;
	if (k == n)
		rc = ft_h5r_corrupt(r, "%s has unknown %s '%s'", obj, name, s);
	*out = (int)k;
	free(s);
	return rc;
}


/* Open group name of obj (at loc).  *g is H5I_INVALID_HID and 0 is returned
 * when it is absent and optional. */
int ft_h5r_group(struct ft_h5r *r, hid_t loc, const char *obj,
                      const char *name, int optional, hid_t *g)
{
	char full[128];
	htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);

	ft_h5_join(full, sizeof full, obj, name);
	*g = H5I_INVALID_HID;
	if (ex < 0)
		return ft_h5r_corrupt(r, "cannot read %s", full);
	if (!ex)
		return optional ? 0 : ft_h5r_corrupt(r, "missing %s", full);
	*g = H5Gopen2(loc, name, H5P_DEFAULT);
	if (*g < 0)
		return ft_h5r_corrupt(r, "cannot open %s as a group", full);
	return 0;
}

/* Open dataset name of group obj and check its class and rank (0: scalar,
 * 1: 1-D); *n is its number of elements.  *d is H5I_INVALID_HID and 0 is
 * returned when it is absent and optional.  Whatever it returns, the caller
 * closes *d, *t and *s with dset_close. */
int ft_h5r_dset_open(struct ft_h5r *r, hid_t loc, const char *obj,
                     const char *name, H5T_class_t cls, int rank,
                     int optional, hid_t *d, hid_t *t, hid_t *s, size_t *n)
{
	char full[128];
	htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);
	hssize_t np;
	H5T_class_t c;
	int nd;

	ft_h5_join(full, sizeof full, obj, name);
	*d = *t = *s = H5I_INVALID_HID;
	*n = 0;
	if (ex < 0)
		return ft_h5r_corrupt(r, "cannot read %s", full);
	if (!ex)
		return optional ? 0 : ft_h5r_corrupt(r, "missing %s", full);
	*d = H5Dopen2(loc, name, H5P_DEFAULT);
	if (*d >= 0)
		*t = H5Dget_type(*d);
	if (*t >= 0)
		*s = H5Dget_space(*d);
	if (*s < 0)
		return ft_h5r_corrupt(r, "cannot read %s", full);
	c = H5Tget_class(*t);
	nd = H5Sget_simple_extent_ndims(*s);
	np = H5Sget_simple_extent_npoints(*s);
	if (c != cls)
		return ft_h5r_corrupt(r, "%s is not %s", full, cls == H5T_STRING ?
		               "a string dataset" : cls == H5T_INTEGER ?
		               "an integer dataset" : "a float dataset");
	if (nd != rank || np < 0 || (rank == 0 && np != 1) ||
	    H5Sget_simple_extent_type(*s) == H5S_NULL)
		return ft_h5r_corrupt(r, "%s is not %s", full, rank == 2 ?
		               "two-dimensional" : rank ? "one-dimensional" :
		               "a scalar");
	/* every element takes at least its type's size in the file, so a
	 * count the file cannot hold is damage, refused before anything is
	 * allocated by it */
	if ((uint64_t)np > SIZE_MAX / sizeof(double) || H5Tget_size(*t) == 0 ||
	    (uint64_t)np > r->file_len / H5Tget_size(*t))
		return ft_h5r_corrupt(r, "%s claims %" PRIuMAX " values, more than "
		                      "the file's %zu bytes hold", full, (uintmax_t)np,
		                      r->file_len);
	*n = (size_t)np;
	return 0;
}

void ft_h5r_dset_close(hid_t d, hid_t t, hid_t s)
{
	if (s >= 0)
		H5Sclose(s);
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
}

/* A 1-D string dataset as a malloc'ed array of malloc'ed strings (an empty
 * dataset gives a non-NULL array of zero strings).  When optional and
 * absent: *out NULL and *n 0. */
int ft_h5r_strv(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                 int optional, char ***out, size_t *n)
{
	hid_t d, t, s;
	char **v = NULL;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = ft_h5r_dset_open(r, loc, obj, name, H5T_STRING, 1, optional, &d, &t, &s,
	               &cnt);
	if (rc || d < 0)
		goto done;
	v = calloc(cnt ? cnt : 1, sizeof *v);
	if (!v) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	rc = ft_h5r_strings(d, 0, t, s, cnt, v);
	if (rc == FT_ENOMEM) {
		rc = ft_h5r_nomem(r);
	} else if (rc) {
		char full[128];
		ft_h5_join(full, sizeof full, obj, name);
		rc = ft_h5r_corrupt(r, "cannot read %s", full);
	}
	if (rc) {
		free(v);
		goto done;
	}
	*out = v;
	*n = cnt;
done:
	ft_h5r_dset_close(d, t, s);
	return rc;
}

/* A float64 dataset (rank 0 or 1) as malloc'ed doubles, all finite. */
int ft_h5r_f64v(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                 int rank, double **out, size_t *n)
{
	hid_t d, t, s;
	double *v = NULL;
	size_t cnt = 0, i;
	char full[128];
	int rc;

	*out = NULL;
	*n = 0;
	ft_h5_join(full, sizeof full, obj, name);
	rc = ft_h5r_dset_open(r, loc, obj, name, H5T_FLOAT, rank, 0, &d, &t, &s, &cnt);
	if (rc)
		goto done;
	v = malloc((cnt ? cnt : 1) * sizeof *v);
	if (!v) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	if (cnt && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
	                   v) < 0) {
		rc = ft_h5r_corrupt(r, "cannot read %s", full);
		goto done;
	}
	for (i = 0; i < cnt; i++) {
		if (isfinite(v[i]))
			continue;
		if (rank)
			rc = ft_h5r_corrupt(r, "%s[%zu] is %s", full, i,
			             ft_nonfinite_word(v[i]));
		else
			rc = ft_h5r_corrupt(r, "%s is %s", full, ft_nonfinite_word(v[i]));
		goto done;
	}
	*out = v;
	*n = cnt;
	v = NULL;
done:
	free(v);
	ft_h5r_dset_close(d, t, s);
	return rc;
}

/* A 2-D float64 dataset of rows x cols as malloc'ed doubles, all finite. */
int ft_h5r_f64m(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                 double **out, size_t *rows, size_t *cols)
{
	hid_t d, t, s;
	hsize_t dims[2] = { 0, 0 };
	double *v = NULL;
	size_t cnt = 0, i;
	char full[128];
	int rc;

	*out = NULL;
	*rows = *cols = 0;
	ft_h5_join(full, sizeof full, obj, name);
	rc = ft_h5r_dset_open(r, loc, obj, name, H5T_FLOAT, 2, 0, &d, &t, &s, &cnt);
	if (rc)
		goto done;
	if (H5Sget_simple_extent_dims(s, dims, NULL) != 2 ||
	    (dims[0] && dims[1] > cnt / dims[0]) || dims[0] * dims[1] != cnt) {
		rc = ft_h5r_corrupt(r, "cannot read %s", full);
		goto done;
	}
	v = malloc((cnt ? cnt : 1) * sizeof *v);
	if (!v) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	if (cnt && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
	                   v) < 0) {
		rc = ft_h5r_corrupt(r, "cannot read %s", full);
		goto done;
	}
	for (i = 0; i < cnt; i++)
		if (!isfinite(v[i])) {
			rc = ft_h5r_corrupt(r, "%s[%zu, %zu] is %s", full,
			             i / (size_t)dims[1], i % (size_t)dims[1],
			             ft_nonfinite_word(v[i]));
			goto done;
		}
	*out = v;
	*rows = (size_t)dims[0];
	*cols = (size_t)dims[1];
	v = NULL;
done:
	free(v);
	ft_h5r_dset_close(d, t, s);
	return rc;
}

/* A 1-D integer dataset of 0/1 flags (int8 as written; any integer type is
 * read as int64, so no value is clamped into range by a conversion). */
int ft_h5r_flagv(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                  int64_t **out, size_t *n)
{
	return ft_h5r_i64v(r, loc, obj, name, 0, 1, out, n);
}

int ft_h5r_i64v(struct ft_h5r *r, hid_t loc, const char *obj, const char *name,
                int64_t lo, int64_t hi, int64_t **out, size_t *n)
{
	hid_t d, t, s;
	int64_t *v = NULL;
	size_t cnt = 0, i;
	char full[128];
	int rc;

	*out = NULL;
	*n = 0;
	ft_h5_join(full, sizeof full, obj, name);
	rc = ft_h5r_dset_open(r, loc, obj, name, H5T_INTEGER, 1, 0, &d, &t, &s, &cnt);
	if (rc)
		goto done;
	v = malloc((cnt ? cnt : 1) * sizeof *v);
	if (!v) {
		rc = ft_h5r_nomem(r);
		goto done;
	}
	if (cnt && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
	                   v) < 0) {
		rc = ft_h5r_corrupt(r, "cannot read %s", full);
		goto done;
	}
	for (i = 0; i < cnt; i++)
		if (v[i] < lo || v[i] > hi) {
			if (lo == 0 && hi == 1)
				rc = ft_h5r_corrupt(r, "%s[%zu] is %" PRId64 ", not 0 or 1", full,
				                    i, v[i]);
			else
				rc = ft_h5r_corrupt(r, "%s[%zu] is %" PRId64 ", outside [%" PRId64
				                    ", %" PRId64 "]", full, i, v[i], lo, hi);
			goto done;
		}
	*out = v;
	*n = cnt;
	v = NULL;
done:
	free(v);
	ft_h5r_dset_close(d, t, s);
	return rc;
}
