/*
 * cmd_inspect.c - `fairtrain inspect M.h5`: a human summary of a model file.
 * Scripts should read the file itself (h5py); this output may change.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const char HELP[] =
"Usage: fairtrain inspect [--top N] MODEL.h5\n\n"
"Print a human summary of a model file: provenance, inputs and their\n"
"SHA-256, preprocessing, training diagnostics and the largest coefficients.\n\n"
"  --top N   coefficients to list, by absolute value (default 15; 0 = all)\n";

static const char *const ROLE[] = {"feature", "target", "sensitive", "weight", "drop"};

/* Indices of the coefficients by decreasing absolute value (an insertion
 * sort of a few hundred features; ties keep the feature order). */
static void by_abs_coef(const double *coef, size_t *idx, size_t p)
{
	for (size_t j = 0; j < p; j++)
		idx[j] = j;
	for (size_t i = 1; i < p; i++) {
		size_t x = idx[i], j = i;
		while (j > 0 && fabs(coef[idx[j - 1]]) < fabs(coef[x])) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = x;
	}
}

static void print_head(const char *path, const struct ft_model_file *mf)
{
	const struct ft_encoder *e = mf->enc;

	printf("%s: %s version %d, written by fairtrain %s at %s\n", path, FT_FORMAT_NAME,
	       mf->format_version, mf->fairtrain_version, mf->created_utc);
	printf("command   %s\n", mf->command_line);
	for (size_t i = 0; i < mf->n_inputs; i++)
		printf("input     %s  sha256 %s\n", mf->input_paths[i], mf->input_sha256[i]);
	if (mf->ranking) {
		const struct ft_model_ranking *rk = mf->ranking;
		if (!strcmp(rk->format, "letor"))
			printf("ranking   linear ranker on letor data (relevance: first field)");
		else
			printf("ranking   linear ranker on csv data: query '%s', relevance '%s'",
			       rk->query, rk->relevance);
		if (*rk->protected_group)
			printf("; protected group '%s'%s", rk->protected_group,
			       rk->colorblind ? " (colorblind)" : "");
		printf("; re-ranker %s\n", mf->model->rerank && *mf->model->rerank ?
		       mf->model->rerank : "none");
	} else {
		printf("target    %s = '%s' is the favourable label%s%s%s\n", e->target,
		       e->positive, e->label_strip ? " (stripping '" : "",
		       e->label_strip ? e->label_strip : "", e->label_strip ? "')" : "");
	}
	if (e->n_sensitive) {
		printf("groups    ");
		for (size_t k = 0; k < e->n_sensitive; k++)
			printf("%s%s", k ? "&" : "", e->sensitive[k]);
		printf(":");
		for (size_t g = 0; g < e->n_groups; g++)
			printf(" %s%s", e->group_names[g], g + 1 < e->n_groups ? "," : "");
		if (e->privileged)
			printf(" (privileged: %s)", e->privileged);
		printf("%s\n", e->use_sensitive ? "; also used as features" : "; not features");
	}
	printf("columns   %zu in the input; %zu features; missing values: %s\n",
	       e->n_cols, e->n_features,
	       e->missing_policy == FT_MISSING_IMPUTE ? "impute" : "drop rows");
	for (size_t j = 0; j < e->n_cols; j++) {
		const struct ft_column *col = &e->cols[j];
		printf("  %-22s %-9s", col->name, ROLE[col->role]);
		if (col->role == FT_ROLE_FEATURE || (col->role == FT_ROLE_SENSITIVE && e->use_sensitive)) {
			if (col->type == FT_NUMERIC)
				printf(" numeric      mean %g, sd %g", col->mean, col->sd);
			else
				printf(" categorical  %zu categories", col->n_cats);
		}
		printf("\n");
	}
}

/* The method with its parameters (choices by name), diagnostics, and the
 * parts of the predictor. */
static void print_training(const struct ft_model_file *mf)
{
	const struct ft_predictor *p = mf->model;
	const struct ft_method *mt = ft_method_find(mf->method);

	if (mf->ranking)
		printf("training  %s, %zu train rows, %zu test rows, %zu dropped\n",
		       mf->method, mf->n_train, mf->n_test, mf->n_dropped);
	else
		printf("training  %s, C = %g, %zu train rows, %zu test rows, %zu dropped\n",
		       mf->method, mf->C, mf->n_train, mf->n_test, mf->n_dropped);
	if (mf->n_params) {
		printf("method    %s:", mf->method);
		for (size_t k = 0; k < mf->n_params; k++) {
			const char *ch = mf->param_choices && *mf->param_choices[k] ?
			                 mf->param_choices[k] : NULL;
			for (size_t j = 0; !ch && mt && j < mt->n_params; j++)
				if (!strcmp(mt->params[j].name, mf->param_names[k]))
					ch = ft_param_choice(&mt->params[j], mf->param_values[k]);
			if (ch)
				printf("%s %s = %s", k ? "," : "", mf->param_names[k], ch);
			else
				printf("%s %s = %g", k ? "," : "", mf->param_names[k], mf->param_values[k]);
		}
		printf("\n");
	}
	for (size_t k = 0; k < mf->n_diag; k++)
		printf("          %-32s %.6g\n", mf->diag_names[k], mf->diag_values[k]);
	if (mf->budget)
		cli_print_dp(NULL, mf->budget, NULL, NULL);
	if (mf->budget && mf->budget->seeded)
		printf("WARNING: seeded noise: this model was NOT trained privately\n");
	if (p->linear->n_groups)
		printf("model     one weight vector per group (%zu groups): predict needs the "
		       "sensitive column\n", p->linear->n_groups);
	if (p->kind == FT_PRED_MIXTURE) {
		printf("mixture   randomized: %zu predictors, weights", p->mixture->k);
		for (size_t k = 0; k < p->mixture->k; k++)
			printf("%s %.4g", k ? "," : "", p->mixture->weight[k]);
		printf("; the model below is its single best predictor (predict "
		       "--deterministic)\n");
	}
	if (p->kind == FT_PRED_FRONTIER)
		printf("frontier  %zu grid points (h5py: f['model/frontier']: lambda, error, "
		       "violation, coef); chosen point %zu is the model below\n",
		       p->frontier->k, p->frontier->chosen);
	if (p->kind == FT_PRED_THRESHOLDS) {
		const struct ft_thresholds *th = p->thresholds;
		printf("thresholds on the model's score, per group (predict needs the "
		       "sensitive column):\n");
		for (size_t g = 0; g < th->n_groups; g++) {
			printf("  %-22s P(yhat=1) = %.4g [s >= %.6g] + %.4g [s >= %.6g]",
			       mf->enc->group_names[g], (1 - th->q[g]) * th->p[g], th->t0[g],
			       (1 - th->q[g]) * (1 - th->p[g]), th->t1[g]);
			if (th->q[g] > 0)
				printf(" + %.4g", th->q[g] * th->c[g]);
			printf("\n");
		}
	}
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option LONG[] = {
		{"top", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	struct ft_model_file *mf = NULL;
	struct ft_error err = {0};
	const struct ft_linear_model *m;
	const struct ft_solver_result *sr;
	size_t top = 15, *idx = NULL;
	char *const *names;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_size(optarg, &top))
				return cli_usage_error("inspect", "--top takes a non-negative integer, "
				                       "not '%s'", optarg);
			break;
		case 'h': fputs(HELP, stdout); return EXIT_OK;
		default: return cli_bad_option("inspect", c, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("inspect", "give exactly one model file");
	if (ft_model_load(argv[optind], &mf, &err)) {
		cli_fail("%s", err.msg);
		return EXIT_FAIL;
	}
	m = mf->model->linear;
	/* behind a feature transform the model reads the transform's outputs */
	names = mf->model->transform ? mf->model->transform->names : mf->enc->feature_names;
	sr = &mf->solver_result;
	print_head(argv[optind], mf);
	print_training(mf);
	printf("baseline  %s; comparison table: %zu rows (%s)\n",
	       mf->baseline ? "saved" : "none", mf->comparison ? mf->comparison->n : 0,
	       "h5py: f['comparison'], README 'Model file'");
	cli_print_solver("solver", sr);
	printf("intercept %.6f\n", m->intercept);
	if ((idx = malloc((m->p ? m->p : 1) * sizeof *idx)) != NULL) {
		by_abs_coef(m->coef, idx, m->p);
		if (top == 0 || top > m->p)
			top = m->p;
		printf("largest coefficients (%zu of %zu):\n", top, m->p);
		for (size_t k = 0; k < top; k++)
			printf("  %-40s %+.6f\n", names[idx[k]], m->coef[idx[k]]);
	}
	free(idx);
	ft_model_file_free(mf);
	return EXIT_OK;
}
