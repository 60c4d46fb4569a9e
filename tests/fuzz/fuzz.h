/*
 * fuzz.h - what the libFuzzer harnesses (tests/fuzz/fuzz_*.c) share.
 *
 * A harness defines LLVMFuzzerTestOneInput and nothing else; `make fuzz`
 * links it with libFuzzer (clang, ASan + UBSan), and `make test` links it
 * with replay.c's main() (the normal build), which feeds it the seed
 * corpus and every input that ever crashed it.  The readers take paths, so
 * the input is handed over as a file that lives in memory (memfd_create),
 * reached through /proc/self/fd; the parsers take C strings.  Include it
 * before any system header (it sets _GNU_SOURCE).
 */
#ifndef FT_FUZZ_H
#define FT_FUZZ_H

#define _GNU_SOURCE  /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fairtrain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data[0..size) as the content of a file; its path.  slot picks one of
 * four files (a harness may need two at once). */
static inline const char *fuzz_file(int slot, const uint8_t *data, size_t size)
{
	static int fd[4] = { -1, -1, -1, -1 };
	static char path[4][64];

	if (fd[slot] < 0) {
		fd[slot] = memfd_create("fuzz", 0);
		if (fd[slot] < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path[slot], sizeof path[slot], "/proc/self/fd/%d", fd[slot]);
	}
	if (ftruncate(fd[slot], 0) != 0 ||
	    (size && pwrite(fd[slot], data, size, 0) != (ssize_t)size)) {
		perror("fuzz_file");
		abort();
	}
	return path[slot];
}

/* data[0..size) as a malloc'ed C string (an embedded NUL ends it). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A message must be one line: a newline in it is a bug. */
static inline void fuzz_one_line(const struct ft_error *e)
{
	if (strchr(e->msg, '\n'))
		abort();
}

#endif
