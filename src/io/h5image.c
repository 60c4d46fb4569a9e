/*
 * h5image.c - HDF5 files as whole images: the atomic, self-verifying write
 * shared by model files (model_file.c) and comparison results
 * (results_file.c), and the verified read that keeps libhdf5 away from
 * bytes nobody has checked.
 *
 * Why the file is built in memory: HDF5 1.10 cannot recover from a write
 * error at H5Fclose (ENOSPC, EFBIG, EIO while flushing metadata).  The
 * failed H5Fclose leaves the file id open in a half-closed state, closing it
 * again crashes, and so does the library's own clean-up at exit.  So HDF5
 * writes to the core (memory) driver without a backing store, where nothing
 * can fail but malloc; the finished image (H5Fflush, H5Fget_file_image) is
 * then written with plain write(2), whose errors we report with errno, to
 * an unnamed file that ft_tmpfile_publish fsyncs and names (atomic.c).
 *
 * Why every file carries a checksum: libhdf5 1.10.8 is not safe on damaged
 * input.  One flipped bit in a global heap makes H5Dread of a
 * variable-length string segfault (a memcpy overlap in H5HG_read), two
 * zeroed bytes make it loop forever, and h5dump fails the same way.  So
 * the first 512 bytes of every file we write are an HDF5 user block
 * (H5Pset_userblock: HDF5, h5py and h5dump skip it and find the superblock
 * at 512) holding, in plain text:
 *
 *     fairtrain-checksum 1
 *     algorithm sha256
 *     length N                   the length of the whole file in bytes
 *     sha256 HEX                 SHA-256 (nettle) of bytes 512 .. N-1
 *     covers bytes 512 to length: the HDF5 file after this block
 *
 * and NUL bytes to 512.  A reader (ft_h5_open_verified) reads the whole
 * file into memory, checks the length and the digest, and checks the block
 * itself byte for byte against the one those two values give; only then
 * does HDF5 see the bytes, from that memory (the core driver with a file
 * image), so what was checked is exactly what is parsed, whatever happens
 * to the file on disk meanwhile.  Any difference is one line, "PATH:
 * corrupt KIND (checksum mismatch)", before a single HDF5 call.
 *
 * Files without the block (fairtrain before this change: their superblock
 * is at byte 0) are read as before, unverified: libhdf5 parses them, and
 * the readers' own checks (types, shapes, sizes bounded by the file's
 * length, finite values) are all that stands between damage and a crash.
 * README.md, "What a reader checks", says so.
 *
 * What this does not do: it does not protect against a file crafted with
 * a correct checksum (SHA-256 here detects damage; it is not a signature),
 * and it does not stream: a file is held in memory whole while it is
 * written or opened (model files are kilobytes to a few megabytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <nettle/sha2.h>
#include "core/internal.h"
#include "io/io.h"

#define UB_SIZE 512
#define UB_MAGIC "fairtrain-checksum 1\n"

/* The 8-byte HDF5 format signature that starts a superblock. */
static const unsigned char h5_signature[8] = {
	0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'
};

/* A process-unique name for an in-memory file: the core driver without a
 * backing store never touches it, but HDF5 refuses two open files of one
 * name. */
static void image_name(char buf[64])
{
	static unsigned long counter;

	snprintf(buf, 64, "fairtrain-image-%ld-%lu", (long)getpid(), ++counter);
}

static void to_hex(const unsigned char *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* SHA-256 of buf[0..n) as 64 lower-case hex digits. */
static void sha256_hex(const unsigned char *buf, size_t n, char hex[65])
{
	struct sha256_ctx ctx;
	unsigned char dig[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	/* nettle takes size_t lengths: no chunking needed */
	sha256_update(&ctx, n, buf);
	sha256_digest(&ctx, sizeof dig, dig);
	to_hex(dig, sizeof dig, hex);
}

/* The user block for a file of len bytes whose bytes after the block have
 * digest hex. */
static void ub_make(unsigned char ub[UB_SIZE], size_t len, const char *hex)
{
	memset(ub, 0, UB_SIZE);
	snprintf((char *)ub, UB_SIZE,
	         UB_MAGIC "algorithm sha256\nlength %zu\nsha256 %s\n"
	         "covers bytes %d to length: the HDF5 file after this block\n",
	         len, hex, UB_SIZE);
}

void ft_h5_seal_image(unsigned char *img, size_t len)
{
	char hex[65];

	sha256_hex(img + UB_SIZE, len - UB_SIZE, hex);
	ub_make(img, len, hex);
}

/* Whether the 64-digit digests a and b are equal, by one test of all the
 * bytes at once rather than strcmp: a fuzzer (libFuzzer hooks strcmp and
 * traces comparisons) otherwise learns the computed digest from the
 * comparison and writes it into the file within seconds, and its damaged
 * files then pass as intact.  Neither does a program that makes damaged
 * files on purpose need to: SHA-256 here detects damage, it is not a
 * signature. */
static int same_digest(const char *a, const char *b)
{
	unsigned diff = 0;

	for (size_t i = 0; i < 64; i++)
		diff |= (unsigned)(unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

int ft_h5_check_image(const unsigned char *img, size_t len, size_t *want)
{
	char head[UB_SIZE + 1], hex[65], num[24];
	unsigned char ub[UB_SIZE];
	unsigned long long n;
	size_t have = len < UB_SIZE ? len : UB_SIZE;
	int ours;

	*want = 0;
	if (len >= sizeof h5_signature &&
	    memcmp(img, h5_signature, sizeof h5_signature) == 0)
		return FT_H5_UNVERIFIED;
	/* ours: the magic line, or (the block damaged) a superblock where
	 * ours would be */
	ours = have >= sizeof UB_MAGIC - 1 &&
	       memcmp(img, UB_MAGIC, sizeof UB_MAGIC - 1) == 0;
	if (!ours && !(len >= UB_SIZE + sizeof h5_signature &&
	               memcmp(img + UB_SIZE, h5_signature,
	                      sizeof h5_signature) == 0))
		return FT_H5_NOT_HDF5;
	memcpy(head, img, have);
	head[have] = '\0';
	if (sscanf(head, UB_MAGIC "algorithm sha256\nlength %20[0-9]\nsha256 "
	           "%64[0-9a-f]\n", num, hex) != 2 || strlen(hex) != 64)
		return FT_H5_MISMATCH;
	errno = 0;
	n = strtoull(num, NULL, 10);
	if (errno || n > SIZE_MAX || n < UB_SIZE + sizeof h5_signature)
		return FT_H5_MISMATCH;
	*want = (size_t)n;
	if (len < *want)
		return FT_H5_TRUNCATED;
	/* the block is exactly what its two values give, and they hold */
	ub_make(ub, *want, hex);
	if (len != *want || memcmp(ub, img, UB_SIZE) != 0)
		return FT_H5_MISMATCH;
	sha256_hex(img + UB_SIZE, len - UB_SIZE, head);
	return same_digest(head, hex) ? FT_H5_VERIFIED : FT_H5_MISMATCH;
}

/* ---------------------------------------------------------------- writing */

int ft_h5_save_image(const char *path, size_t increment, ft_h5_build_fn build,
                     void *ctx, struct ft_error *err)
{
	struct ft_h5_types t = { H5I_INVALID_HID, H5I_INVALID_HID };
	struct ft_tmpfile tf = { -1, NULL, NULL };
	unsigned char *image = NULL;
	char name[64];
	int rc;
	hid_t fapl = H5I_INVALID_HID, fcpl = H5I_INVALID_HID;
	hid_t f = H5I_INVALID_HID;
	ssize_t size = 0;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	t.str = H5Tcopy(H5T_C_S1);
	if (t.str < 0 || H5Tset_size(t.str, H5T_VARIABLE) < 0 ||
	    H5Tset_cset(t.str, H5T_CSET_UTF8) < 0 ||
	    (t.scalar = H5Screate(H5S_SCALAR)) < 0 ||
	    (fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
	    H5Pset_fapl_core(fapl, increment, 0) < 0 ||
	    (fcpl = H5Pcreate(H5P_FILE_CREATE)) < 0 ||
	    H5Pset_userblock(fcpl, UB_SIZE) < 0) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: hdf5 setup "
		                  "failed", path);
		goto done;
	}
	image_name(name);
	f = H5Fcreate(name, H5F_ACC_TRUNC, fcpl, fapl);
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
	/* the image starts at the superblock, whose addresses already count
	 * the user block in front of it: the file is the block, then the
	 * image */
	size = H5Fget_file_image(f, NULL, 0);
	if (size > 0 && (image = malloc(UB_SIZE + (size_t)size)) == NULL) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	if (size <= 0 ||
	    H5Fget_file_image(f, image + UB_SIZE, (size_t)size) != size) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: hdf5 cannot "
		                  "produce the file image", path);
		goto done;
	}
	ft_h5_seal_image(image, UB_SIZE + (size_t)size);
	if ((rc = ft_tmpfile_open(&tf, path, err)))
		goto done;
	if (ft_write_full(tf.fd, image, UB_SIZE + (size_t)size) != 0) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot write: %s", path,
		                  strerror(errno));
		goto done;
	}
	rc = ft_tmpfile_publish(&tf, err);
done:
	ft_tmpfile_close(&tf);
	if (f >= 0)
		H5Fclose(f);  /* memory only: cannot fail on I/O */
	if (fcpl >= 0)
		H5Pclose(fcpl);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (t.scalar >= 0)
		H5Sclose(t.scalar);
	if (t.str >= 0)
		H5Tclose(t.str);
	free(image);
	return rc;
}

/* ---------------------------------------------------------------- reading */

/* read(2) n bytes at offset off; returns the count read (short at the end
 * of the file), or -1. */
static ssize_t read_at(int fd, unsigned char *buf, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, buf + got, n - got, off + (off_t)got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* H5Ewalk2 callback: keep the innermost (first, walking upward) error
 * description, which says what was wrong with the file. */
static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data)
{
	char *buf = data;

	if (n == 0 && e->desc)
		snprintf(buf, 160, "%s", e->desc);
	return 0;
}

/* Open the checked image img[0..len) with HDF5 (core driver, read-only). */
static int open_image(const char *path, const char *kind,
                      const unsigned char *img, size_t len, hid_t *out,
                      struct ft_error *err)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	char name[64], detail[160] = "";
	unsigned long long have, want;
	const char *eof;
	int rc = 0;

	if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
	    H5Pset_file_image(fapl, (void *)img, len) < 0) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	image_name(name);
	*out = H5Fopen(name, H5F_ACC_RDONLY, fapl);
	if (*out >= 0)
		goto done;
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, detail);
	/* HDF5 says "truncated file: eof = 10000, sblock->base_addr = 0,
	 * stored_eof = 29344": say it without the internals */
	eof = strstr(detail, "stored_eof = ");
	if (sscanf(detail, "truncated file: eof = %llu", &have) == 1 &&
	    eof && sscanf(eof, "stored_eof = %llu", &want) == 1)
		rc = ft_error_set(err, FT_EFORMAT, "%s: corrupt %s: truncated "
		                  "(%llu of %llu bytes)", path, kind, have, want);
	else
		rc = ft_error_set(err, FT_EFORMAT, "%s: corrupt %s: cannot open%s%s",
		                  path, kind, *detail ? ": " : "", detail);
done:
	if (fapl >= 0)
		H5Pclose(fapl);
	return rc;
}

int ft_h5_open_verified(const char *path, const char *kind, hid_t *out,
                        size_t *file_len, int *verified, struct ft_error *err)
{
	unsigned char head[UB_SIZE + sizeof h5_signature], *img = NULL;
	struct stat st;
	size_t len = 0, want = 0;
	ssize_t got;
	int fd, rc = 0, status;

	*out = H5I_INVALID_HID;
	*file_len = 0;
	if (verified)
		*verified = 0;
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ft_error_set(err, FT_EIO, "%s: cannot open: %s", path,
		                    strerror(errno));
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		rc = ft_error_set(err, FT_EIO, "%s: cannot open: %s", path,
		                  strerror(S_ISDIR(st.st_mode) ? EISDIR : errno));
		goto done;
	}
	/* the head decides what the file is before the rest is read */
	got = read_at(fd, head, sizeof head, 0);
	if (got < 0) {
		rc = ft_error_set(err, FT_EIO, "%s: read error: %s", path,
		                  strerror(errno));
		goto done;
	}
	status = ft_h5_check_image(head, (size_t)got, &want);
	if (status == FT_H5_NOT_HDF5 || status == FT_H5_MISMATCH) {
		len = (size_t)got;
		goto verdict;
	}
	/* a block that claims more bytes than the file has: truncated (or a
	 * damaged length), before anything of that size is allocated */
	if (want && (uint64_t)st.st_size < want) {
		len = (size_t)st.st_size;
		status = FT_H5_TRUNCATED;
		goto verdict;
	}
	/* ours: the block says how long the file is; read that and one byte
	 * more (a longer file is damaged too).  Unverified: what fstat says. */
	if (want)
		len = want < SIZE_MAX ? want + 1 : want;
	else if (st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX)
		len = (size_t)st.st_size;
	else
		len = (size_t)got;
	if (!(img = malloc(len ? len : 1))) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory (%zu bytes)",
		                  path, len);
		goto done;
	}
	got = read_at(fd, img, len, 0);
	if (got < 0) {
		rc = ft_error_set(err, FT_EIO, "%s: read error: %s", path,
		                  strerror(errno));
		goto done;
	}
	len = (size_t)got;
	status = ft_h5_check_image(img, len, &want);
verdict:
	switch (status) {
	case FT_H5_VERIFIED:
		if (verified)
			*verified = 1;
		break;
	case FT_H5_UNVERIFIED:
		break;
	case FT_H5_TRUNCATED:
		rc = ft_error_set(err, FT_EFORMAT, "%s: corrupt %s: truncated "
		                  "(%zu of %zu bytes)", path, kind, len, want);
		goto done;
	case FT_H5_NOT_HDF5:
		rc = ft_error_set(err, FT_EFORMAT, "%s: not an HDF5 file", path);
		goto done;
	default:
		rc = ft_error_set(err, FT_EFORMAT, "%s: corrupt %s (checksum "
		                  "mismatch)", path, kind);
		goto done;
	}
	if ((rc = open_image(path, kind, img, len, out, err)))
		goto done;
	*file_len = len;
done:
	close(fd);
	free(img);
	return rc;
}
