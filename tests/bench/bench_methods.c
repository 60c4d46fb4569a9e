/*
 * bench_methods.c - fit times of the mitigation methods on UCI Adult (sex),
 * against the plain logistic fit measured in the same run: median of RUNS
 * fits each, interleaved.  Data from $FAIRTRAIN_DATA (default datasets/).
 *
 *   bench_methods [RUNS]
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

static const char *const SPECS[] = {
	"logreg", "reweigh", "prejudice:eta=25", "prejudice:eta=25,per_group=0",
	"cov-fair:c=0.01", "cov-acc:gamma=0.05", "mistreat:c=0.01",
	"reg-cov:lambda=1", "reg-dp:lambda=1", "threshold:dp", "threshold:eo",
	"eg:dp,eps=0.01", "eg:eo,eps=0.01", "grid:dp,grid_size=41",
	"adversarial:dp,alpha=0.3", "adversarial:eo,alpha=3", "gerryfair:fp", "gerryfair:fn",
	"meta:sr", "meta:fdr", "eg:bgl,loss=log,upper_bound=0.39",
	"grid:bgl,loss=log,upper_bound=0.39", "cal-eo", "reject-option",
	"dp-logreg:epsilon=1", "dp-reweigh:epsilon=1", "dp-threshold:epsilon=1",
	"dp-eg:epsilon=1", "dir", "corr-remove", "lfr:restarts=1,max_iter=300",
	"optim-pre:col1=1,col2=2",
};
#define NS (sizeof SPECS / sizeof *SPECS)

int main(int argc, char **argv)
{
	static char *names[] = {"age", "workclass", "fnlwgt", "education", "education-num",
		"marital-status", "occupation", "relationship", "race", "sex", "capital-gain",
		"capital-loss", "hours-per-week", "native-country", "income"};
	static char *sens[] = {"sex"}, *drop[] = {"fnlwgt"};
	const char *dir = getenv("FAIRTRAIN_DATA");
	char path[4096];
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	struct ft_read_opts o;
	struct ft_spec s;
	struct ft_table *t = NULL;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_logreg_params lp;
	struct ft_linear_model *base = NULL;
	struct ft_solver_result bres;
	struct ft_error err = {0};
	double times[NS][64];
	/* as the CLI does (src/cli/main.c): BLAS on one thread beside OpenMP */
	openblas_set_num_threads(1);

	if (runs < 1 || runs > 64)
		runs = 5;
	snprintf(path, sizeof path, "%s/adult/adult.data", dir && *dir ? dir : "datasets");
	ft_read_opts_init(&o);
	o.header = 0;
	o.names = names;
	o.n_names = 15;
	ft_spec_init(&s);
	s.target = "income";
	s.positive = ">50K";
	s.sensitive = sens;
	s.n_sensitive = 1;
	s.privileged = "Male";
	s.drop = drop;
	s.n_drop = 1;
	ft_logreg_params_init(&lp);
	if (ft_table_read(path, &o, &t, &err) || ft_encoder_fit(t, &s, &e, &err) ||
	    ft_encoder_apply(e, t, FT_APPLY_TRAIN, &d, NULL, &err) ||
	    ft_logreg_fit(d, &lp, &base, &bres, &err)) {
		fprintf(stderr, "bench_methods: %s\n", err.msg);
		return 1;
	}
	for (int r = 0; r < runs; r++)
		for (size_t k = 0; k < NS; k++) {
			const struct ft_method *m;
			double params[FT_MAX_PARAMS], t0;
			struct ft_fit_input in;
			struct ft_fit_output *out = calloc(1, sizeof *out);
			if (!out || ft_method_parse(SPECS[k], &m, params, &err))
				return 1;
			memset(&in, 0, sizeof in);
			in.train = d;
			in.n_groups = e->n_groups;
			in.group_names = (const char *const *)e->group_names;
			in.privileged = 1;
			in.lr = &lp;
			in.baseline = base;
			in.baseline_objective = bres.f;
			in.params = params;
			t0 = now();
			if (m->fit(&in, out, &err)) {
				fprintf(stderr, "bench_methods: %s: %s\n", SPECS[k], err.msg);
				return 1;
			}
			times[k][r] = now() - t0;
			ft_fit_output_clear(out);   /* model, and a mixture or frontier */
			free(out);
		}
	printf("method fits on Adult (30,162 rows, 101 features; median of %d, warm start "
	       "from the baseline; ratio to the plain logistic fit)\n", runs);
	for (size_t k = 0; k < NS; k++)
		qsort(times[k], (size_t)runs, sizeof(double), cmp);
	for (size_t k = 0; k < NS; k++) {
		double med = times[k][runs / 2], base_med = times[0][runs / 2];
		printf("  %-32s %8.3f s  %6.2fx\n", SPECS[k], med, med / base_med);
	}
	ft_linear_model_free(base);
	ft_dataset_free(d);
	ft_encoder_free(e);
	ft_table_free(t);
	return 0;
}
