/*
 * sort.c - radix sorts of 64-bit unsigned keys.
 *
 * ft_sort_u64: LSD, for the split's random row keys, a stratum at a time
 * (qsort of them was 3% of a whole `train` at 1M rows; issue 20 item 6).
 * Six passes of 11 bits, each stable, a pass skipped when every key has
 * the same digit there.  It needs a second array of the keys.
 *
 * ft_sort_u64_inplace: MSD, in place (American flag sort: McIlroy, Bostic
 * and McIlroy, "Engineering radix sort", Computing Systems 6, 1993; its
 * keys moved in ska_sort's rounds, Skarupke 2016), for the score sorts of
 * the measurement and the proxy report, where the second array was the
 * peak of those phases (issue 20 item 7).  Each range is split on the
 * bits just below the highest bit in which its keys differ (11 of them,
 * fewer in a short range), so bits that every key of the range shares
 * cost no pass; a range of at most INSERTION keys is finished by
 * insertion.  Not stable, which sorting whole keys does not need: equal
 * keys are equal.  At 1M warm keys it takes about twice the LSD sort's
 * time (each level reads its range twice before moving it).  Outside a
 * parallel region the first level's buckets are sorted on all threads:
 * 750,000 score keys took 13.2 ms on one thread and 8.9 on two.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
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
/* the depth of the splits: a level takes at least 3 bits below the
 * highest that differs (all the rest at the last), so 64 bits take at
 * most 22 levels; one more only finds its keys equal and counts nothing */
#define LEVELS 23

/* One level of the sort of a[0 .. n): the keys moved into buckets by the
 * bits just below the highest that differs, bucket b's keys ending at
 * cnt[DIGITS + b] (cnt holds 2 * DIGITS counts); the number of buckets, 0
 * when no bucket is left to sort (a short range, sorted here by
 * insertion, or keys all equal). */
static size_t level(uint64_t *a, size_t n, uint32_t *cnt)
{
	uint32_t *head = cnt, *end = cnt + DIGITS;
	uint64_t x = 0, a0 = a[0], mask;
	unsigned sh, bits;
	size_t nb;
	int hb;

	if (n <= INSERTION) {
		for (size_t i = 1; i < n; i++) {
			uint64_t v = a[i];
			size_t j = i;
			for (; j > 0 && a[j - 1] > v; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return 0;
	}
	for (size_t i = 1; i < n; i++)
		x |= a[i] ^ a0;
	if (!x)
		return 0;                /* every key equal */
	hb = 63 - __builtin_clzll(x);
	/* about four keys a bucket in a short range, where the buckets' own
	 * cost (counts, offsets, the walk over them) would outweigh the keys' */
	bits = 63 - __builtin_clzll((uint64_t)n) - 2;
	bits = bits > DIGIT_BITS ? DIGIT_BITS : bits < 3 ? 3 : bits;
	nb = (size_t)1 << bits;
	mask = nb - 1;
	sh = hb + 1 > (int)bits ? (unsigned)(hb + 1 - (int)bits) : 0;
	memset(end, 0, nb * sizeof *end);
	for (size_t i = 0; i < n; i++)
		end[(a[i] >> sh) & mask]++;
	{
		uint32_t sum = 0;
		for (size_t d = 0; d < nb; d++) {
			head[d] = sum;
			sum += end[d];
			end[d] = sum;
		}
	}
	/* Rounds over the buckets not yet full (Skarupke's ska_sort, 2016):
	 * each key of a bucket's unfilled part is swapped to the next free
	 * place of its own bucket, and the key found there waits for the next
	 * round.  Each step places one key for good (n steps in all), and the
	 * steps do not wait on each other's loads, as those of a cycle do
	 * (carrying one key round a cycle was a third of the sort's time). */
	for (int more = 1; more;) {
		more = 0;
		for (size_t b = 0; b < nb; b++) {
			uint32_t i = head[b], e = end[b];
			if (i == e)
				continue;
			more = 1;
			for (; i < e; i++) {
				uint64_t v = a[i];
				uint32_t h = head[(v >> sh) & mask]++;
				a[i] = a[h];
				a[h] = v;
			}
		}
	}
	return nb;
}

/* a[0 .. n) ascending; cnt holds 2 * DIGITS counts for this level and
 * each deeper one. */
static void msd(uint64_t *a, size_t n, uint32_t *cnt)
{
	size_t nb = level(a, n, cnt);
	const uint32_t *end = cnt + DIGITS;

	for (size_t b = 0, lo = 0; b < nb; lo = end[b++])
		if (end[b] - lo > 1)
			msd(a + lo, end[b] - lo, cnt + 2 * DIGITS);
}

/* The buckets of the first level are sorted on all the threads (outside a
 * parallel region, and when the keys are many enough to be worth it,
 * ft_parallel_worth): each bucket is its own range of a, so the result is
 * the one of one thread.  A thread's deeper levels count in counts of
 * their own. */
int ft_sort_u64_inplace(uint64_t *a, size_t n)
{
	int threads = 1;
	uint32_t *cnt;
	const size_t per = LEVELS * 2 * DIGITS;

	if (n < 2)
		return 0;
	if (n > UINT32_MAX)
		return FT_EINVAL;
	if (!omp_in_parallel() && ft_parallel_worth(n * 32))
		threads = omp_get_max_threads();
	if (!(cnt = malloc((threads > 1 ? 2 * DIGITS + (size_t)threads * per : per) *
	                   sizeof *cnt)))
		return FT_ENOMEM;
	if (threads == 1) {
		msd(a, n, cnt);
	} else {
		size_t nb = level(a, n, cnt);
		const uint32_t *end = cnt + DIGITS;
		#pragma omp parallel for schedule(dynamic, 8) num_threads(threads)
		for (size_t b = 0; b < nb; b++) {
			size_t lo = b ? end[b - 1] : 0;
			if (end[b] - lo > 1)
				msd(a + lo, end[b] - lo,
				    cnt + 2 * DIGITS + (size_t)omp_get_thread_num() * per);
		}
	}
	free(cnt);
	return 0;
}
