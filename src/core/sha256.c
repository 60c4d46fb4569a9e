/*
 * sha256.c - SHA-256 of input files, recorded in every model file.
 *
 * Uses nettle (Debian's nettle-dev) rather than a hand-written digest: it is
 * small, well kept and already on every Debian system through GnuTLS.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <nettle/sha2.h>
#include "fairtrain.h"

int ft_sha256_file(const char *path, char hex[65], struct ft_error *err)
{
	struct sha256_ctx ctx;
	unsigned char buf[1 << 16], dig[SHA256_DIGEST_SIZE];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return ft_error_set(err, FT_EIO, "%s: %s", path, strerror(errno));
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sha256_update(&ctx, n, buf);
	if (ferror(fp)) {
		fclose(fp);
		return ft_error_set(err, FT_EIO, "%s: read error", path);
	}
	fclose(fp);
	sha256_digest(&ctx, sizeof dig, dig);
	for (size_t i = 0; i < sizeof dig; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	return 0;
}
