/*
 * mem.c - the small allocation helpers every part of the library shares:
 * a NULL-safe strdup, an array allocation that checks the product and never
 * returns NULL for zero elements, the copy and the free of an array of
 * strings, and the release of the pages of an array already consumed.
 */
#define _DEFAULT_SOURCE  /* MADV_DONTNEED, MADV_HUGEPAGE */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
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
	void *p;

	if (count && size > ((size_t)-1) / count)
		return NULL;
	if (count * size >= FT_HUGE_FROM)
		return ft_huge_alloc(count * size);
	p = malloc(count ? count * size : 1);
	return p;
}

/* A large block on whole huge pages: its start on a 2 MiB boundary and
 * its length rounded up to 2 MiB, so that the kernel can back all of it
 * with transparent huge pages.  A block malloc maps for itself starts
 * wherever the mapping does: the part before its first 2 MiB boundary and
 * the part after its last (1 MiB each on average) were faulted in 4 KiB
 * at a time: the encoded rows' arrays of ft_load on the 1M-row bench
 * file took ~3,500 page faults that way (a fault costs microseconds in a
 * VM).  The block is freed, and may be realloc'ed, as any other (glibc
 * copies an aligned block where it would remap a plain one; the join of
 * the reader's parts copies into a new advised block anyway, csv.c
 * join_grow). */
void *ft_huge_alloc(size_t bytes)
{
	const size_t huge = (size_t)2 << 20;
	size_t whole = bytes + (huge - 1);
	void *p = NULL;

	if (whole < bytes)
		return NULL;
	whole &= ~(huge - 1);
	if (posix_memalign(&p, huge, whole))
		return NULL;
	ft_mem_huge(p, whole);
	return p;
}

void ft_mem_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096, lo, hi;

	if (!p || bytes < FT_HUGE_MIN)
		return;
	/* the allocation's whole pages, not only its 2 MiB-aligned middle: a
	 * large block is a mapping of its own, and advice on part of it would
	 * split it in several, which realloc's mremap cannot move (it would
	 * copy instead); the kernel uses huge pages where they fit */
	lo = (uintptr_t)p & ~(page - 1);
	hi = ((uintptr_t)p + bytes + page - 1) & ~(page - 1);
	(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
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

void ft_mem_release(void *base, size_t from, size_t to)
{
#ifdef MADV_DONTNEED
	long ps = sysconf(_SC_PAGESIZE);
	size_t page = ps > 0 ? (size_t)ps : 4096;
	uintptr_t b = (uintptr_t)base, lo, hi;

	if (!base || to <= from)
		return;
	/* whole pages only, none below base (the allocator's header may share
	 * base's page) nor past to (nor the next block's) */
	lo = (b + from) & ~(uintptr_t)(page - 1);
	if (lo < b)
		lo = (b + page - 1) & ~(uintptr_t)(page - 1);
	hi = (b + to) & ~(uintptr_t)(page - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
#else
	(void)base;
	(void)from;
	(void)to;
#endif
}

void ft_mem_release_within(void *base, size_t from, size_t to)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t page = ps > 0 ? (size_t)ps : 4096;
	uintptr_t b = (uintptr_t)base, lo;

	if (!base || to <= from)
		return;
	/* from moved up to a page boundary: ft_mem_release then takes no
	 * page that bytes before from share */
	lo = ((b + from) + page - 1) & ~(uintptr_t)(page - 1);
	if (lo - b < to)
		ft_mem_release(base, lo - b, to);
}

void ft_mem_trim(size_t data)
{
#ifdef __GLIBC__
	if (data >= FT_TRIM_MIN)
		(void)malloc_trim(0);
#else
	(void)data;
#endif
}
