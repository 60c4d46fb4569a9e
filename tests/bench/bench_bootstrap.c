/*
 * bench_bootstrap.c - time ft_fairness_summaries with bootstrap intervals
 * on synthetic data (`make bench`; target: 10^6 rows, 10 groups, privileged
 * group given, 1000 resamples, under 2 s on one core, OMP_NUM_THREADS=1).
 *
 *   bench_bootstrap [ROWS [GROUPS [RESAMPLES [SEED [weighted|continuous]]]]]
 *
 * Synthetic data, deterministic for SEED: group g has a share proportional
 * to 1 + g, a latent x ~ N(0, 1), label y ~ Bernoulli(sigmoid(1.5 x - 1 +
 * 0.1 g)) and a score sigmoid(1.3 x - 1 + 0.15 g + 0.3 N(0, 1)) rounded to
 * 1e-6 (continuous scores, a few ties: 200 equal-frequency bins in the
 * bootstrap).  "weighted" adds reweighing-like weights, one per (group,
 * label), which keeps the cells exact and cheap.
 *
 * Prints one line: "bootstrap: N rows, G groups, B resamples, X.XX s"
 * (wall time of the ft_fairness_summaries call alone).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fairtrain.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double sigmoid(double z)
{
	return 1 / (1 + exp(-z));
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	size_t G = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
	size_t B = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000;
	uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
	int weighted = argc > 5 ? strcmp(argv[5], "weighted") == 0 ? 1 :
	               strcmp(argv[5], "continuous") == 0 ? 2 : 0 : 0;
	double *y = malloc(n * sizeof *y), *score = malloc(n * sizeof *score);
	double *w = weighted ? malloc(n * sizeof *w) : NULL;
	int32_t *group = malloc(n * sizeof *group);
	char **names = malloc(G * sizeof *names);
	struct ft_eval_input in;
	struct ft_summary_table *t = NULL;
	struct ft_error err = { 0 };
	struct ft_rng r;
	double t0, t1, tot = (double)G * (G + 1) / 2;
	int rc;

	if (!y || !score || !group || !names || (weighted && !w) || G == 0) {
		fprintf(stderr, "bench_bootstrap: out of memory or no groups\n");
		return 1;
	}
	ft_rng_seed(&r, seed);
	for (size_t g = 0; g < G; g++) {
		names[g] = malloc(24);
		if (!names[g])
			return 1;
		snprintf(names[g], 24, "g%zu", g);
	}
	for (size_t i = 0; i < n; i++) {
		/* group g with probability (1 + g) / tot */
		double u = ft_rng_uniform(&r) * tot, acc = 0, x;
		size_t g = 0;
		while (g + 1 < G && (acc += (double)(g + 1)) <= u)
			g++;
		x = ft_rng_normal(&r);
		group[i] = (int32_t)g;
		y[i] = ft_rng_uniform(&r) < sigmoid(1.5 * x - 1 + 0.1 * (double)g);
		score[i] = round(1e6 * sigmoid(1.3 * x - 1 + 0.15 * (double)g +
		                               0.3 * ft_rng_normal(&r))) / 1e6;
		if (weighted == 1)
			w[i] = 0.5 + 0.1 * (double)g + 0.25 * y[i];
		else if (weighted == 2)
			w[i] = 0.5 + ft_rng_uniform(&r);
	}
	ft_eval_input_init(&in);
	in.n = n;
	in.y = y;
	in.score = score;
	in.w = w;
	in.group = group;
	in.n_groups = G;
	in.group_names = (const char *const *)names;
	in.privileged = (long)G - 1;
	t0 = now();
	rc = ft_fairness_summaries(&in, B, seed, 0.95, &t, &err);
	t1 = now();
	if (rc) {
		fprintf(stderr, "bench_bootstrap: %s\n", err.msg);
		return 1;
	}
	printf("bootstrap: %zu rows, %zu groups, %zu resamples, %.2f s\n", n, G, B, t1 - t0);
	ft_summary_table_free(t);
	for (size_t g = 0; g < G; g++)
		free(names[g]);
	free(names);
	free(y);
	free(score);
	free(w);
	free(group);
	return 0;
}
