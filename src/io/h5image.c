/*
 * h5image.c - the atomic write of an HDF5 file, shared by model files
 * (model_file.c) and comparison results (results_file.c).
 *
 * Why the file is built in memory: HDF5 1.10 cannot recover from a write
 * error at H5Fclose (ENOSPC, EFBIG, EIO while flushing metadata).  The
 * failed H5Fclose leaves the file id open in a half-closed state, closing it
 * again crashes, and so does the library's own clean-up at exit.  So HDF5
 * writes to the core (memory) driver without a backing store, where nothing
 * can fail but malloc; the finished image (H5Fflush, H5Fget_file_image) is
 * then written to the temp file with plain write(2), whose errors we report
 * with errno, and ft_tmpfile_finish fsyncs and renames it.  The files are
 * small (kilobytes to a few megabytes), so the copy is cheap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/internal.h"
#include "io/io.h"

/* write(2) all of buf, across short writes and signals. */
static int write_full(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, buf, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

int ft_h5_save_image(const char *path, size_t increment, ft_h5_build_fn build,
                     void *ctx, struct ft_error *err)
{
	struct ft_h5_types t = { H5I_INVALID_HID, H5I_INVALID_HID };
	char *tmp = NULL, *image = NULL;
	int fd = -1, rc, tmp_exists = 0;
	hid_t fapl = H5I_INVALID_HID, f = H5I_INVALID_HID;
	ssize_t size = 0;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	rc = ft_tmpfile_make(path, &tmp, &fd, err);
	if (rc)
		return rc;
	tmp_exists = 1;

	t.str = H5Tcopy(H5T_C_S1);
	if (t.str < 0 || H5Tset_size(t.str, H5T_VARIABLE) < 0 ||
	    H5Tset_cset(t.str, H5T_CSET_UTF8) < 0 ||
	    (t.scalar = H5Screate(H5S_SCALAR)) < 0 ||
	    (fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
	    H5Pset_fapl_core(fapl, increment, 0) < 0) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: hdf5 setup "
		                  "failed", path);
		goto done;
	}
	/* the name only identifies the in-memory file: nothing is written */
	f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
	if (f < 0) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: hdf5 cannot "
		                  "create a file", path);
		goto done;
	}
	if ((rc = build(f, &t, ctx)))
		goto done;
	/* H5Fget_file_image alone leaves some metadata in the cache (1.10): the
	 * image is complete, and byte-identical to what the sec2 driver would
	 * write but for object timestamps, only after a global flush */
	if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: hdf5 flush "
		                  "failed", path);
		goto done;
	}
	size = H5Fget_file_image(f, NULL, 0);
	if (size > 0 && (image = malloc((size_t)size)) == NULL) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	if (size <= 0 || H5Fget_file_image(f, image, (size_t)size) != size) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: hdf5 cannot "
		                  "produce the file image", path);
		goto done;
	}
	if (write_full(fd, image, (size_t)size) != 0 || close(fd) != 0) {
		int e = errno;
		fd = -1;  /* a failed close(2) still releases the descriptor */
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: %s", path,
		                  strerror(e));
		goto done;
	}
	fd = -1;
	tmp_exists = 0;  /* ft_tmpfile_finish renames it or removes it */
	rc = ft_tmpfile_finish(tmp, path, err);
done:
	if (f >= 0)
		H5Fclose(f);  /* memory only: cannot fail on I/O */
	if (fapl >= 0)
		H5Pclose(fapl);
	if (t.scalar >= 0)
		H5Sclose(t.scalar);
	if (t.str >= 0)
		H5Tclose(t.str);
	if (fd >= 0)
		close(fd);
	if (tmp_exists)
		unlink(tmp);
	free(image);
	free(tmp);
	return rc;
}
