/*
 * bench_rank_lp.c - time of Singh & Joachims' exposure LP per query
 * (ft_exposure_lp: the dense two-phase simplex over n^2 variables) and of
 * the Birkhoff-von Neumann decomposition of its solution, for queries of
 * 10, 20 and 50 items (two groups, graded relevance 0-3 drawn from a fixed
 * seed, the protected group's labels one grade lower), demographic parity
 * of exposure, delta 0; median of RUNS queries per size, each a new query.
 *
 *   bench_rank_lp [RUNS]      (default 5)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "fairtrain.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const size_t sizes[3] = { 10, 20, 50 };
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	struct ft_rng r;

	if (runs < 1)
		runs = 1;
	ft_rng_seed(&r, 2018);
	printf("%-6s %12s %12s %10s %12s\n", "items", "lp_ms", "bvn_ms", "perms", "utility");
	for (int c = 0; c < 3; c++) {
		size_t n = sizes[c], m = 0;
		double *rel = malloc(n * sizeof *rel), *P = malloc(n * n * sizeof *P);
		double *tl = malloc((size_t)runs * sizeof *tl), *tb = malloc((size_t)runs * sizeof *tb);
		int32_t *g = malloc(n * sizeof *g);
		double u = 0;

		for (int k = 0; k < runs; k++) {
			struct ft_error err = { 0 };
			struct ft_bvn *d = NULL;
			double t0, t1, t2;
			for (size_t i = 0; i < n; i++) {
				g[i] = ft_rng_uniform(&r) < 0.4;
				rel[i] = (double)ft_rng_below(&r, 4);
				if (g[i] && rel[i] > 0)
					rel[i] -= 1;
			}
			rel[0] = 3;
			g[1] = 1;
			rel[1] = 2;
			t0 = now();
			if (ft_exposure_lp(rel, g, n, 2, FT_EXPOSURE_DP, 0, P, &u, &err)) {
				fprintf(stderr, "bench_rank_lp: %s\n", err.msg);
				return 1;
			}
			t1 = now();
			if (ft_bvn_decompose(P, n, 0, &d, &err)) {
				fprintf(stderr, "bench_rank_lp: %s\n", err.msg);
				return 1;
			}
			t2 = now();
			m = d->m;
			ft_bvn_free(d);
			tl[k] = (t1 - t0) * 1e3;
			tb[k] = (t2 - t1) * 1e3;
		}
		qsort(tl, (size_t)runs, sizeof *tl, cmp);
		qsort(tb, (size_t)runs, sizeof *tb, cmp);
		printf("%-6zu %12.3f %12.3f %10zu %12.6f\n", n, tl[runs / 2], tb[runs / 2], m, u);
		free(rel);
		free(P);
		free(tl);
		free(tb);
		free(g);
	}
	return 0;
}
