/*
 * sort.c - radix sorts of 64-bit unsigned keys.
 *
 * ft_sort_u64: LSD, for the split's random row keys, a stratum at a time
 * (qsort of them was 3% of a whole `train` at 1M rows; issue 20 item 6).
 * Six passes of 11 bits, each stable, a pass skipped when every key has
 * the same digit there.  It needs a second array of the keys.
 *
 * ft_sort_u64_inplace: MSD, in place (American flag sort: McIlroy, Bostic
 * and McIlroy, "Engineering radix sort", Computing Systems 6, 1993), for
 * the score sorts of the measurement and the proxy report, where the
 * second array was the peak of those phases (issue 20 item 7).  Each
 * range is split on the 11 bits below the highest bit in which its keys
 * differ, so bits that every key of the range shares cost no pass; a
 * range of at most INSERTION keys is finished by insertion.  Not stable,
 * which sorting whole keys does not need: equal keys are equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"

#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)

int ft_sort_u64(uint64_t *a, size_t n)
{
	uint64_t *tmp, *src = a, *dst;
	size_t *cnt;

	if (n < 2)
		return 0;
	tmp = ft_xalloc(n, sizeof *tmp);
	cnt = malloc(DIGITS * sizeof *cnt);
	if (!tmp || !cnt) {
		free(tmp);
		free(cnt);
		return FT_ENOMEM;
	}
	dst = tmp;
	for (unsigned shift = 0; shift < 64; shift += DIGIT_BITS) {
		size_t sum = 0;
		memset(cnt, 0, DIGITS * sizeof *cnt);
		for (size_t i = 0; i < n; i++)
			cnt[(src[i] >> shift) & (DIGITS - 1)]++;
		if (cnt[(src[0] >> shift) & (DIGITS - 1)] == n)
			continue;            /* one digit value: the order stands */
		for (size_t d = 0; d < DIGITS; d++) {
			size_t c = cnt[d];
			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i] >> shift) & (DIGITS - 1)]++] = src[i];
		{
			uint64_t *t = src;
			src = dst;
			dst = t;
		}
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	free(tmp);
	free(cnt);
	return 0;
}

#define INSERTION 32
/* the depth of the splits: a level takes the 11 bits below the highest
 * that differs (all the rest at the last), so 64 bits take six levels;
 * a seventh only finds its keys equal and counts nothing */
#define LEVELS 7

/* a[0 .. n) ascending; cnt holds 2 * DIGITS counts for this level and
 * each deeper one. */
static void msd(uint64_t *a, size_t n, uint32_t *cnt)
{
	uint32_t *head = cnt, *end = cnt + DIGITS;
	uint64_t x = 0, a0 = a[0];
	unsigned sh;
	int hb;

	if (n <= INSERTION) {
		for (size_t i = 1; i < n; i++) {
			uint64_t v = a[i];
			size_t j = i;
			for (; j > 0 && a[j - 1] > v; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	for (size_t i = 1; i < n; i++)
		x |= a[i] ^ a0;
	if (!x)
		return;                  /* every key equal */
	hb = 63 - __builtin_clzll(x);
	sh = hb + 1 > DIGIT_BITS ? (unsigned)(hb + 1 - DIGIT_BITS) : 0;
	memset(end, 0, DIGITS * sizeof *end);
	for (size_t i = 0; i < n; i++)
		end[(a[i] >> sh) & (DIGITS - 1)]++;
	{
		uint32_t sum = 0;
		for (size_t d = 0; d < DIGITS; d++) {
			head[d] = sum;
			sum += end[d];
			end[d] = sum;
		}
	}
	/* each key taken to its bucket's next free place, the key found there
	 * carried on, until the key carried belongs where the cycle began */
	for (size_t b = 0; b < DIGITS; b++)
		while (head[b] < end[b]) {
			uint64_t v = a[head[b]];
			size_t d = (v >> sh) & (DIGITS - 1);
			while (d != b) {
				uint64_t t = a[head[d]];
				a[head[d]++] = v;
				v = t;
				d = (v >> sh) & (DIGITS - 1);
			}
			a[head[b]++] = v;
		}
	for (size_t b = 0, lo = 0; b < DIGITS; lo = end[b++])
		if (end[b] - lo > 1)
			msd(a + lo, end[b] - lo, cnt + 2 * DIGITS);
}

int ft_sort_u64_inplace(uint64_t *a, size_t n)
{
	uint32_t *cnt;

	if (n < 2)
		return 0;
	if (n > UINT32_MAX)
		return FT_EINVAL;
	if (!(cnt = malloc(LEVELS * 2 * DIGITS * sizeof *cnt)))
		return FT_ENOMEM;
	msd(a, n, cnt);
	free(cnt);
	return 0;
}
