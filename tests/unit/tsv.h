/*
 * tsv.h - reading the tab-separated fixture rows of tests/fixtures/ (.tsv files)
 * written by scripts/fixtures/make_rank_multi_fixtures.py.
 */
#ifndef FT_TSV_H
#define FT_TSV_H

#include <stdlib.h>
#include <string.h>

/* Split s at commas into up to max doubles ("nan" allowed); the count. */
static inline size_t parse_d(const char *s, double *v, size_t max)
{
	size_t n = 0;
	char *end;

	while (*s && n < max) {
		v[n++] = strtod(s, &end);
		if (end == s)
			break;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* The tab-separated fields of a line (in place): their count. */
static inline int fields(char *line, char **f, int max)
{
	int n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, "\t\n", &save); tok && n < max;
	     tok = strtok_r(NULL, "\t\n", &save))
		f[n++] = tok;
	return n;
}

#endif
