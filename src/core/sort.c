/*
 * sort.c - an LSD radix sort of 64-bit unsigned keys: the split's random
 * row keys, a stratum at a time (qsort of them was 3% of a whole `train`
 * at 1M rows; issue 20 item 6).  Six passes of 11 bits, each stable, a
 * pass skipped when every key has the same digit there.
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
