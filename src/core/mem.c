/*
 * mem.c - the small allocation helpers every part of the library shares:
 * a NULL-safe strdup, an array allocation that checks the product and never
 * returns NULL for zero elements, and the copy and the free of an array of
 * strings.
 */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"

char *ft_strdup(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

void *ft_xalloc(size_t count, size_t size)
{
	if (count && size > ((size_t)-1) / count)
		return NULL;
	return malloc(count ? count * size : 1);
}

void ft_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char **ft_strv_copy(char *const *v, size_t n)
{
	char **c = calloc(n ? n : 1, sizeof *c);

	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(c[i] = ft_strdup(v[i]))) {
			ft_strv_free(c, i);
			return NULL;
		}
	return c;
}
