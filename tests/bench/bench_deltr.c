/*
 * bench_deltr.c - fit time of DELTR in reference mode (the authors' loop:
 * 3000 full-batch gradient steps, gamma = 2e5) on the LSAT gender training
 * split of the paper (1,743 documents, 3 features), median of RUNS fits;
 * beside it the colorblind ListNet run of the same loop and the exact-mode
 * fit (L-BFGS) of the same objective.  Reading and encoding are not timed.
 * The numpy port is timed the same way by
 *   /usr/bin/python3 scripts/peers/deltr_reference.py DIR --time RUNS
 * Data from $FAIRTRAIN_DATA (default datasets/).
 *
 *   bench_deltr [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#include "fairtrain.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int load(const char *dir, int colorblind, struct ft_rank_data **rd,
                struct ft_error *err)
{
	static char *names[] = { "query", "protected", "LSAT", "UGPA", "ZFYA" };
	static char *sens[] = { "protected" }, *num[] = { "protected" };
	struct ft_read_opts o;
	struct ft_spec s;
	struct ft_table *t = NULL;
	struct ft_encoder *e = NULL;
	char path[4096];
	int rc;

	ft_read_opts_init(&o);
	o.header = 0;
	o.names = names;
	o.n_names = 5;
	ft_spec_init(&s);
	s.target = "ZFYA";
	s.numeric_target = 1;
	s.query = "query";
	s.sensitive = sens;
	s.n_sensitive = 1;
	s.use_sensitive = !colorblind;
	s.numeric = num;
	s.n_numeric = !colorblind;
	s.raw_numeric = 1;
	snprintf(path, sizeof path, "%s/deltr-lsat/gender/train.txt", dir);
	if ((rc = ft_table_read(path, &o, &t, err)) == 0 &&
	    (rc = ft_encoder_fit(t, &s, &e, err)) == 0)
		rc = ft_rank_data_from_table(t, e, "query", FT_APPLY_TRAIN, rd, NULL, err);
	ft_encoder_free(e);
	ft_table_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int colorblind, reference; double gamma; } CASES[] = {
		{ "deltr reference gamma=2e5", 0, 1, 2e5 },
		{ "listnet reference (colorblind)", 1, 1, 0 },
		{ "deltr exact gamma=2e5 (l-bfgs)", 0, 0, 2e5 },
	};
	const char *dir = getenv("FAIRTRAIN_DATA");
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	struct ft_error err = { 0 };
	double *t;
	/* as the CLI does (src/cli/main.c): BLAS on one thread beside OpenMP */
	openblas_set_num_threads(1);

	if (!dir || !*dir)
		dir = "datasets";
	if (runs < 1)
		runs = 1;
	t = malloc((size_t)runs * sizeof *t);
	for (size_t c = 0; c < sizeof CASES / sizeof *CASES; c++) {
		struct ft_rank_data *rd = NULL;
		struct ft_rank_params p;
		struct ft_rank_result res;
		double w[3];
		if (load(dir, CASES[c].colorblind, &rd, &err) != 0) {
			fprintf(stderr, "bench_deltr: %s\n", err.msg);
			free(t);
			return 1;
		}
		ft_rank_params_init(&p);
		p.fair = CASES[c].gamma > 0 ? FT_RANK_FAIR_DELTR : FT_RANK_FAIR_NONE;
		p.gamma = CASES[c].gamma;
		p.reference = CASES[c].reference;
		p.doc_weight = 1;
		for (int r = 0; r < runs; r++) {
			double t0;
			memset(w, 0, sizeof w);
			t0 = now();
			if (ft_rank_fit(rd, &p, w, &res, &err) != 0) {
				fprintf(stderr, "bench_deltr: %s\n", err.msg);
				free(t);
				return 1;
			}
			t[r] = now() - t0;
		}
		qsort(t, (size_t)runs, sizeof *t, cmp);
		printf("%-32s median %.4f s over %d runs (%d iterations), w[0] = %.6f\n",
		       CASES[c].name, t[runs / 2], runs, res.res.iterations, w[0]);
		ft_rank_data_free(rd);
	}
	free(t);
	return 0;
}
