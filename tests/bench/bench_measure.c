/*
 * bench_measure.c - the pieces of one measurement of a model (issue 20
 * item 5), each timed alone on the calling thread (`make bench` runs it
 * with OMP_NUM_THREADS=1), as ft_comparison_measure_all runs them:
 *
 *   sort       the scores' sort and the rows gathered in score order
 *   tally      the group metrics' row sums (ft_group_tally)
 *   sweep      the AUC sweep
 *   distrib    the distribution and inequality measures
 *   cells      the bootstrap's cells
 *   subgroups  the rich-subgroup audits
 *   perm       the permutation tests of four rate metrics, PERM permutations
 *   summaries  the fairness summaries with BOOT bootstrap resamples
 *
 *   bench_measure [ROWS [CALLS [BOOT [PERM]]]]   (750000 9 1000 1000)
 *
 * Synthetic rows, the same for every build: two groups (40% in group 1),
 * scores rounded to 1e-6, labels drawn from them, and an array of unit
 * weights as `train` passes them.  Each piece's time is the least of
 * CALLS calls (the machines are shared: the least is the piece's own
 * cost), in ms and ns a row.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "metrics/metrics.h"
#include "bench.h"

enum { P_SORT, P_TALLY, P_SWEEP, P_DIST, P_CELLS, P_SUB, P_PERM, P_SUMM, NP };
static const char *const NAME[NP] = {
	"sort", "tally", "sweep", "distrib", "cells", "subgroups", "perm", "summaries",
};

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 750000;
	int calls = argc > 2 ? atoi(argv[2]) : 9;
	size_t boot = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000;
	size_t perm = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000;
	static const int PM[4] = {FT_M_SELECTION_RATE, FT_M_TPR, FT_M_FPR, FT_M_ACCURACY};
	const char *names[2] = {"a", "b"};
	double *y = malloc(n * sizeof *y), *s = malloc(n * sizeof *s);
	double *w = malloc(n * sizeof *w), best[NP], total = 0;
	int32_t *g = malloc(n * sizeof *g);
	struct ft_eval_input in;
	struct ft_error err = {0};
	struct ft_rng r;

	if (!y || !s || !w || !g || n < 2 || calls < 1) {
		fprintf(stderr, "bench_measure: out of memory or bad arguments\n");
		return 1;
	}
	ft_rng_seed(&r, 17);
	for (size_t i = 0; i < n; i++) {
		double z;
		g[i] = ft_rng_uniform(&r) < 0.4;
		z = 1.2 * ft_rng_normal(&r) - 0.5 + 0.3 * g[i];
		s[i] = round(1e6 / (1 + exp(-z))) / 1e6;
		y[i] = ft_rng_uniform(&r) < s[i];
		w[i] = 1.0;
	}
	ft_eval_input_init(&in);
	in.n = n;
	in.y = y;
	in.score = s;
	in.w = w;
	in.group = g;
	in.n_groups = 2;
	in.group_names = names;
	in.privileged = 1;
	for (int p = 0; p < NP; p++)
		best[p] = INFINITY;
	for (int c = 0; c < calls; c++) {
		struct ft_swept sw;
		struct ft_group_sums gs;
		struct ft_dist_opts o;
		struct ft_measures ms;
		struct ft_subgroup *sg[2] = {NULL, NULL};
		struct ft_summary_table *st = NULL;
		struct ft_value gap[4];
		double t[NP + 1], pv[4];
		uint64_t *keys = NULL;
		int rc = 0;

		memset(&sw, 0, sizeof sw);
		memset(&gs, 0, sizeof gs);
		ft_dist_opts_init(&o);
		t[0] = bench_now();
		rc |= ft_score_sort_keys(in.score, 1, n, &keys) ||
		      ft_sorted_from_keys(&in, keys, &sw.view);
		t[1] = bench_now();
		rc |= ft_group_tally(&in, &gs);
		t[2] = bench_now();
		rc |= ft_eval_sweep_sorted(&in, 1, &sw);
		t[3] = bench_now();
		rc |= ft_distribution_measures_sorted(&in, NULL, &o, &sw.view, &ms, &err);
		t[4] = bench_now();
		rc |= ft_boot_build_sorted(&in, &sw.view, FT_BOOT_BINS, &sw.boot);
		t[5] = bench_now();
		rc |= ft_subgroup_audits(&in, sg, &err);
		t[6] = bench_now();
		rc |= ft_permutation_tests(&in, PM, 4, 0, 1, perm, 1, gap, pv, &err);
		t[7] = bench_now();
		rc |= ft_fairness_summaries_swept(&in, &sw, boot, 1, 0.95, &st, &err);
		t[8] = bench_now();
		if (rc) {
			fprintf(stderr, "bench_measure: %s\n", err.msg[0] ? err.msg : "out of memory");
			return 1;
		}
		for (int p = 0; p < NP; p++)
			if (t[p + 1] - t[p] < best[p])
				best[p] = t[p + 1] - t[p];
		ft_summary_table_free(st);
		ft_subgroup_free(sg[0]);
		ft_subgroup_free(sg[1]);
		ft_group_sums_free(&gs);
		ft_swept_free(&sw);
	}
	printf("measurement pieces on %zu rows, 2 groups, unit weights, one thread "
	       "(%zu resamples, %zu permutations; least of %d calls)\n", n, boot, perm, calls);
	for (int p = 0; p < NP; p++) {
		printf("  %-10s %8.1f ms  %6.1f ns/row\n", NAME[p], 1e3 * best[p],
		       1e9 * best[p] / (double)n);
		total += best[p];
	}
	printf("  %-10s %8.1f ms\n", "all", 1e3 * total);
	free(y);
	free(s);
	free(w);
	free(g);
	return 0;
}
