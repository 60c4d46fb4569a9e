/*
 * atomic.c - all-or-nothing file output, with no visible half-written file.
 *
 * A writer gets an unnamed file in the destination's directory
 * (open(dir, O_TMPFILE), Linux 3.11): while it is being written it has no
 * name, so a kill (SIGKILL, SIGTERM, SIGINT: the library installs no
 * handlers) or a crash leaves nothing behind, and the kernel frees it.
 * Once written it is fsync'ed and published:
 *   - when the destination does not exist, linkat(2) through
 *     /proc/self/fd gives the file its final name in one step;
 *   - when it exists, linkat cannot replace it, so the file is linked to
 *     "<path>.tmp.XXXXXX" and renamed over the destination (rename(2) is
 *     atomic within one file system, hence the same directory).  A visible
 *     temp file then exists only between the link and the rename, and it
 *     is complete and fsync'ed.
 * Then the directory is fsync'ed, which makes the new name durable.
 *
 * Where O_TMPFILE is not supported (older kernels, some file systems) the
 * file is "<path>.tmp.XXXXXX" from the start (mkstemp), as it always was;
 * where /proc is not mounted the unnamed file is copied into such a file
 * at publish time.
 *
 * Leftovers: every writer holds an flock(2) on its file from creation to
 * close.  Each new write to a path first removes the "<path>.tmp.XXXXXX"
 * files that no process holds locked, which can only be leftovers of a
 * killed writer (the fallback's whole write time, or the link-to-rename
 * instant); a live writer's temp file is locked and kept.  (A writer of a
 * fairtrain older than this file holds no lock: its temp file could be
 * removed under it, and its rename then fails with an error.)
 *
 * On any failure the temp file (if named) is removed and the destination
 * is left as it was.
 */
#define _GNU_SOURCE  /* O_TMPFILE, flock */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fairtrain.h"
#include "core/internal.h"

#define TMP_SUFFIX ".tmp."
#define TMP_RAND 6   /* the XXXXXX */

/* The directory of path as a new string ("." for a bare name). */
static char *dir_of(const char *path)
{
	char *copy = ft_strdup(path), *d;

	if (!copy)
		return NULL;
	d = ft_strdup(dirname(copy));
	free(copy);
	return d;
}

static int is_rand_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Remove the leftovers "<base>.tmp.XXXXXX" of killed writers in dir:
 * those no process holds an flock on (see the top of the file).  Best
 * effort: any failure leaves the file where it is. */
static void sweep(const char *dir, const char *base)
{
	size_t bl = strlen(base), sl = strlen(TMP_SUFFIX);
	DIR *d = opendir(dir);
	struct dirent *e;
	int dfd;

	if (!d)
		return;
	dfd = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		struct stat a, b;
		int fd, ok = 1;

		if (strlen(n) != bl + sl + TMP_RAND || memcmp(n, base, bl) != 0 ||
		    memcmp(n + bl, TMP_SUFFIX, sl) != 0)
			continue;
		for (size_t i = bl + sl; i < bl + sl + TMP_RAND; i++)
			ok &= is_rand_char((unsigned char)n[i]);
		if (!ok)
			continue;
		fd = openat(dfd, n, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* unlocked, and the name still names the file we locked */
		if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dfd, n, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			unlinkat(dfd, n, 0);
		close(fd);
	}
	closedir(d);
}

/* "<path>.tmp." followed by TMP_RAND random characters, as a new string. */
static char *tmp_name(const char *path)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static uint64_t counter;
	size_t n = strlen(path), sl = strlen(TMP_SUFFIX);
	char *t = malloc(n + sl + TMP_RAND + 1);
	struct timespec ts;
	struct ft_rng rng;

	if (!t)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	ft_rng_seed(&rng, (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
	            (uint64_t)getpid() << 40 ^ ++counter);
	memcpy(t, path, n);
	memcpy(t + n, TMP_SUFFIX, sl);
	for (size_t i = 0; i < TMP_RAND; i++)
		t[n + sl + i] = chars[ft_rng_below(&rng, sizeof chars - 1)];
	t[n + sl + TMP_RAND] = '\0';
	return t;
}

/* A named temp file beside t->path, created, open and locked; the
 * fallback where no unnamed file can be made. */
static int make_named(struct ft_tmpfile *t, struct ft_error *err)
{
	for (int tries = 0; tries < 100; tries++) {
		char *tmp = tmp_name(t->path);
		struct stat a, b;
		int fd;

		if (!tmp)
			return ft_error_set(err, FT_ENOMEM, "%s: out of memory",
			                    t->path);
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0) {
			int e = errno;
			free(tmp);
			if (e == EEXIST)
				continue;
			return ft_error_set(err, FT_EIO, "%s: cannot create: %s",
			                    t->path, strerror(e));
		}
		/* a sweep by another writer may take the file between the
		 * create and the lock: then start again with a new name */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
		    stat(tmp, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			t->fd = fd;
			t->tmp = tmp;
			return 0;
		}
		close(fd);
		free(tmp);
	}
	return ft_error_set(err, FT_EIO, "%s: cannot create a temp file",
	                    t->path);
}

int ft_tmpfile_open(struct ft_tmpfile *t, const char *path,
                    struct ft_error *err)
{
	char *dir;
	int rc = 0;

	t->fd = -1;
	t->tmp = NULL;
	t->path = ft_strdup(path);
	dir = path ? dir_of(path) : NULL;
	if (!t->path || !dir) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory",
		                  path ? path : "");
		goto done;
	}
	sweep(dir, ft_basename(path));
#ifdef O_TMPFILE
	/* the mode is 0666 less the umask, as for open(2) */
	t->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
	if (t->fd >= 0) {
		flock(t->fd, LOCK_EX | LOCK_NB);  /* a new inode: cannot fail */
		goto done;
	}
#endif
	rc = make_named(t, err);
done:
	free(dir);
	if (rc)
		ft_tmpfile_close(t);
	return rc;
}

/* Copy the unnamed file t->fd into a new named temp file (where /proc is
 * not mounted).  On success t->tmp names the copy and t->fd refers to it
 * (dup2 over the old descriptor, so a FILE that owns the number keeps
 * owning it; the copy's lock comes along). */
static int copy_to_named(struct ft_tmpfile *t, struct ft_error *err)
{
	struct ft_tmpfile n = { -1, t->path, NULL };
	char buf[1 << 16];
	off_t off = 0;
	ssize_t k;
	int rc = make_named(&n, err);

	if (rc)
		return rc;
	for (;;) {
		k = pread(t->fd, buf, sizeof buf, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (ft_write_full(n.fd, buf, (size_t)k) != 0)
			break;
		off += k;
	}
	if (k != 0 || fsync(n.fd) != 0 || dup2(n.fd, t->fd) < 0) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: %s", t->path,
		                  strerror(errno));
		unlink(n.tmp);
		free(n.tmp);
	} else {
		t->tmp = n.tmp;
	}
	close(n.fd);
	return rc;
}

/* linkat(proc -> tmp), then rename(tmp -> path): 0 or an errno value.
 * The two run in a vfork'ed child that blocks every signal, so that no
 * signal to the writer can fall between them and leave tmp behind: the
 * parent is suspended until the child exits, and if the parent is killed
 * meanwhile the child still finishes (its fd table is a copy, and
 * /proc/self is the child's).  Only a signal to the whole process group
 * could stop the child too.  The child calls nothing but system calls and
 * _exit.  Where vfork fails the two run here.  The outcome is read from
 * the child's exit status, or (when the caller reaps children itself, or
 * ignores SIGCHLD) from whether path is now our file. */
static int link_then_rename(const char *proc, const char *tmp,
                            const char *path)
{
	int e;

	if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) != 0)
		return errno;
	if (rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return e;
	}
	return 0;
}

static int link_rename(int fd, const char *proc, const char *tmp,
                       const char *path)
{
	sigset_t all, old;
	struct stat a, b;
	pid_t pid;
	int st;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = vfork();
	if (pid == 0)
		_exit(link_then_rename(proc, tmp, path) & 255);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return link_then_rename(proc, tmp, path);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			goto by_inode;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
by_inode:
	if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return 0;
	unlink(tmp);  /* in case the child died between the two */
	return EIO;
}

/* Put the unnamed file t->fd in place of the existing t->path. */
static int replace_unnamed(struct ft_tmpfile *t, const char *proc,
                           struct ft_error *err)
{
	for (int tries = 0; tries < 100; tries++) {
		char *tmp = tmp_name(t->path);
		int e;

		if (!tmp)
			return ft_error_set(err, FT_ENOMEM, "%s: out of memory",
			                    t->path);
		e = link_rename(t->fd, proc, tmp, t->path);
		free(tmp);
		if (e == 0)
			return 0;
		if (e != EEXIST)
			return ft_error_set(err, FT_EIO, "%s: cannot write: %s",
			                    t->path, strerror(e));
	}
	return ft_error_set(err, FT_EIO, "%s: cannot create a temp file",
	                    t->path);
}

int ft_tmpfile_publish(struct ft_tmpfile *t, struct ft_error *err)
{
	char proc[64], *dir;
	int rc = 0, dfd;

	if (fsync(t->fd) != 0) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot sync: %s", t->path,
		                  strerror(errno));
		goto fail;
	}
	if (!t->tmp) {
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", t->fd);
		/* a new name: one atomic step, no temp name ever */
		if (linkat(AT_FDCWD, proc, AT_FDCWD, t->path, AT_SYMLINK_FOLLOW) == 0)
			goto durable;
		if (errno == EEXIST) {
			if ((rc = replace_unnamed(t, proc, err)))
				goto fail;
			goto durable;
		}
		if (errno == ENOENT && access("/proc/self/fd", X_OK) != 0)
			rc = copy_to_named(t, err);   /* no /proc */
		else
			rc = ft_error_set(err, FT_EIO, "%s: cannot write: %s",
			                  t->path, strerror(errno));
		if (rc)
			goto fail;
	}
	if (rename(t->tmp, t->path) != 0) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: %s", t->path,
		                  strerror(errno));
		goto fail;
	}
	free(t->tmp);
	t->tmp = NULL;
durable:
	/* make the new name itself durable */
	if ((dir = dir_of(t->path)) != NULL) {
		if ((dfd = open(dir, O_RDONLY | O_CLOEXEC)) >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	return 0;
fail:
	if (t->tmp) {
		unlink(t->tmp);
		free(t->tmp);
		t->tmp = NULL;
	}
	return rc;
}

void ft_tmpfile_close(struct ft_tmpfile *t)
{
	if (t->tmp)
		unlink(t->tmp);
	if (t->fd >= 0)
		close(t->fd);
	free(t->tmp);
	free(t->path);
	t->fd = -1;
	t->tmp = t->path = NULL;
}

int ft_write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* ft_atomic keeps the public struct's fields: fp owns the descriptor,
 * tmp is the temp file's name or NULL while it has none. */
int ft_atomic_open(struct ft_atomic *a, const char *path, struct ft_error *err)
{
	struct ft_tmpfile t;
	int rc;

	a->fp = NULL;
	a->path = NULL;
	a->tmp = NULL;
	rc = ft_tmpfile_open(&t, path, err);
	if (rc)
		return rc;
	a->fp = fdopen(t.fd, "w");
	if (!a->fp) {
		ft_tmpfile_close(&t);
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
	}
	a->path = t.path;
	a->tmp = t.tmp;
	return 0;
}

int ft_atomic_commit(struct ft_atomic *a, struct ft_error *err)
{
	FILE *fp = a->fp;
	struct ft_tmpfile t = { fileno(fp), a->path, a->tmp };
	int rc;

	a->fp = NULL;
	a->path = a->tmp = NULL;
	if (fflush(fp) != 0 || ferror(fp)) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: %s", t.path,
		                  strerror(errno));
		if (t.tmp)
			unlink(t.tmp);
	} else {
		rc = ft_tmpfile_publish(&t, err);
	}
	/* flushed and fsync'ed: closing can lose nothing */
	fclose(fp);
	free(t.tmp);
	free(t.path);
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
