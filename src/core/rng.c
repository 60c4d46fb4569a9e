/*
 * rng.c - xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64.
 *
 * Chosen over rand() so that a seed gives the same split and the same
 * synthetic data on every platform and libc.
 */
#include <math.h>
#include "fairtrain.h"
#include "core/internal.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void ft_rng_seed(struct ft_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t ft_rng_next(struct ft_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double ft_rng_uniform(struct ft_rng *r)
{
	/* top 53 bits: every double in [0,1) on the 2^-53 grid */
	return (double)(ft_rng_next(r) >> 11) * 0x1.0p-53;
}

double ft_rng_normal(struct ft_rng *r)
{
	/* Box-Muller; 1 - u keeps the log argument in (0, 1]. */
	double u = 1.0 - ft_rng_uniform(r);
	double v = ft_rng_uniform(r);
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

uint64_t ft_rng_below(struct ft_rng *r, uint64_t n)
{
	/* Lemire's rejection: unbiased without division in the common case. */
	uint64_t x, lim;

	if (n == 0)
		return 0;
	lim = -n % n;
	do
		x = ft_rng_next(r);
	while (x < lim);
	return x % n;
}

/* A seed for the stream of one named thing (a query id): FNV-1a of the
 * text, mixed with seed through splitmix64, so that the same query gets
 * the same stream wherever it is (train, eval, predict) and whatever its
 * position in the file. */
uint64_t ft_seed_of_text(uint64_t seed, const char *text)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	h ^= seed;
	return splitmix64(&h);
}
