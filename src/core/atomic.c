/*
 * atomic.c - all-or-nothing file output.
 *
 * Output goes to "<path>.tmp.XXXXXX" in the destination's directory (rename
 * is atomic only within one file system), is flushed and fsync'ed, then
 * renamed over the destination and the directory is fsync'ed.  On any failure
 * the temp file is removed and the destination is left as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fairtrain.h"
#include "core/internal.h"

int ft_tmpfile_make(const char *path, char **tmp_out, int *fd_out,
                    struct ft_error *err)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	int fd;

	if (!tmp)
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".tmp.XXXXXX", 12);
	fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return ft_error_set(err, FT_EIO, "%s: cannot create: %s", path,
		                    strerror(e));
	}
	/* mkstemp creates 0600; a model file is an ordinary output file, so give
	 * it the mode open(2) would: 0666 less the umask. */
	{
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	*tmp_out = tmp;
	*fd_out = fd;
	return 0;
}

int ft_tmpfile_finish(const char *tmp, const char *path, struct ft_error *err)
{
	int fd = open(tmp, O_RDONLY), dfd;
	char *dcopy;

	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return ft_error_set(err, FT_EIO, "%s: cannot sync: %s", path,
		                    strerror(e));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return ft_error_set(err, FT_EIO, "%s: cannot write: %s", path,
		                    strerror(e));
	}
	/* make the rename itself durable */
	dcopy = ft_strdup(path);
	if (dcopy) {
		dfd = open(dirname(dcopy), O_RDONLY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dcopy);
	}
	return 0;
}

int ft_atomic_open(struct ft_atomic *a, const char *path, struct ft_error *err)
{
	int fd, rc;

	a->fp = NULL;
	a->path = NULL;
	a->tmp = NULL;
	rc = ft_tmpfile_make(path, &a->tmp, &fd, err);
	if (rc)
		return rc;
	a->path = ft_strdup(path);
	a->fp = fdopen(fd, "w");
	if (!a->path || !a->fp) {
		if (!a->fp)
			close(fd);
		ft_atomic_abort(a);
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
	}
	return 0;
}

int ft_atomic_commit(struct ft_atomic *a, struct ft_error *err)
{
	FILE *fp = a->fp;
	int bad, rc;

	a->fp = NULL;
	bad = fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0;
	if (fclose(fp) != 0)
		bad = 1;
	if (bad) {
		int e = errno;
		unlink(a->tmp);
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: %s", a->path,
		                  strerror(e));
	} else {
		rc = ft_tmpfile_finish(a->tmp, a->path, err);
	}
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
	return rc;
}

void ft_atomic_abort(struct ft_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	a->fp = NULL;
	a->tmp = a->path = NULL;
}
