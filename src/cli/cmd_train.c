/*
 * cmd_train.c - `fairtrain train`: raw data -> encoder -> weighted L2
 * logistic regression -> HDF5 model file, with a summary on stdout.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"

enum { OPT_OUT = OPT_CMD_BASE,
       OPT_METHOD, OPT_QUIET, OPT_HELP, OPT_TASK };

static const char HELP[] =
"Usage: fairtrain train --data FILE --target COL --positive VALUE --out M.h5\n"
"                       [--test FILE | --split FRAC] [OPTIONS]\n\n"
"Fit a weighted L2 logistic regression (the objective of scikit-learn's\n"
"LogisticRegression(C)) on raw data, beside it the unmitigated baseline on\n"
"the same preprocessing and split, measure both on the training and the\n"
"test part (metrics per group, fairness summaries with bootstrap intervals,\n"
"where the gap comes from, proxies of the sensitive attribute), and save\n"
"models, preprocessing, provenance and the before/after tables to one HDF5\n"
"file (written atomically).  --task rank trains a fair ranker instead\n"
"(see 'fairtrain train --task rank --help').\n\n"
"  --task classify|rank   what to train (default classify)\n"
CLI_DATA_HELP
CLI_MEASURE_HELP
"Model:\n"
"  --method NAME[:k=v,..] mitigation method and its parameters (default logreg,\n"
"                         the unmitigated model); see the list below\n"
"  --C VALUE              inverse L2 strength (default 1)\n"
"  --solver NAME          auto (default), newton or lbfgs\n"
"  --max-iter N           solver iterations (default: 100 newton, 1000 lbfgs)\n"
"  --tol T                stop when |grad| <= T * max(1, |grad at 0|) (1e-8)\n"
"Output:\n"
"  --out FILE.h5          model file (required)\n"
"  --quiet                no progress or warnings on stderr\n";

/* The method table, for --help. */
static void print_methods(void)
{
	size_t n;
	const struct ft_method *m = ft_method_list(&n);

	printf("\nMethods (stage; parameters with defaults):\n");
	for (size_t i = 0; i < n; i++) {
		printf("  %-10s %-4s %s\n", m[i].name, ft_stage_name(m[i].stage), m[i].help);
		for (size_t k = 0; k < m[i].n_params; k++) {
			const struct ft_param_def *p = &m[i].params[k];
			if (p->choices)
				printf("  %15s%s = %s (%s): %s\n", "", p->name,
				       ft_param_choice(p, p->def), p->choices, p->help);
			else
				printf("  %15s%s = %g: %s\n", "", p->name, p->def, p->help);
		}
	}
	printf("Example: --method prejudice:eta=25  --method cov-fair:c=0.01  "
	       "--method eg:eo:eps=0.05\n");
}

static char *utc_now(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return cli_strdup(buf);
}

static struct ft_linear_model *copy_model(const struct ft_linear_model *m)
{
	struct ft_linear_model *c = malloc(sizeof *c);

	if (!c)
		return NULL;
	*c = *m;
	c->coef = malloc((m->p ? m->p : 1) * sizeof *c->coef);
	if (!c->coef) {
		free(c);
		return NULL;
	}
	memcpy(c->coef, m->coef, m->p * sizeof *c->coef);
	return c;
}

int cli_store_method(struct ft_model_file *mf, const char *method, size_t method_len,
                     size_t n_params, const char *const *names, const double *values,
                     size_t n_diag, const char (*diag_name)[FT_DIAG_NAME],
                     const double *diag)
{
	if (!(mf->method = malloc(method_len + 1)))
		return -1;
	memcpy(mf->method, method, method_len);
	mf->method[method_len] = '\0';
	mf->param_names = calloc(n_params ? n_params : 1, sizeof *mf->param_names);
	mf->param_values = calloc(n_params ? n_params : 1, sizeof *mf->param_values);
	mf->diag_names = calloc(n_diag ? n_diag : 1, sizeof *mf->diag_names);
	mf->diag_values = calloc(n_diag ? n_diag : 1, sizeof *mf->diag_values);
	if (!mf->param_names || !mf->param_values || !mf->diag_names || !mf->diag_values)
		return -1;
	mf->n_params = n_params;
	for (size_t k = 0; k < n_params; k++) {
		mf->param_values[k] = values[k];
		if (!(mf->param_names[k] = cli_strdup(names[k])))
			return -1;
	}
	mf->n_diag = n_diag;
	for (size_t k = 0; k < n_diag; k++) {
		mf->diag_values[k] = diag[k];
		if (!(mf->diag_names[k] = cli_strdup(diag_name[k])))
			return -1;
	}
	return 0;
}

static int same_model(const struct ft_linear_model *a, const struct ft_linear_model *b)
{
	return a->type == b->type && a->p == b->p && a->intercept == b->intercept &&
	       memcmp(a->coef, b->coef, a->p * sizeof *a->coef) == 0;
}

int cli_provenance(struct ft_model_file *mf, const struct cli_data *d,
                   char sha256[][65], int argc, char **argv,
                   struct ft_error *err)
{
	const char *paths[2] = {d->data, d->test};
	size_t n = d->test ? 2 : 1;

	mf->fairtrain_version = cli_strdup(FT_VERSION);
	mf->created_utc = utc_now();
	mf->command_line = cli_join_argv(argc + 1, argv - 1);
	mf->input_paths = calloc(n, sizeof(char *));
	mf->input_sha256 = calloc(n, sizeof(char *));
	if (!mf->input_paths || !mf->input_sha256)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	mf->n_inputs = n;
	for (size_t i = 0; i < n; i++) {
		mf->input_paths[i] = cli_strdup(paths[i]);
		mf->input_sha256[i] = cli_strdup(sha256[i]);
	}
	mf->read = d->read;
	/* NULL means "defaults"; an empty list stays a list */
	mf->read.names = d->read.names ? cli_strv_copy(d->read.names, d->read.n_names) : NULL;
	mf->read.missing = d->read.missing ? cli_strv_copy(d->read.missing, d->read.n_missing) : NULL;
	return 0;
}

int cmd_train(int argc, char **argv)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		CLI_MEASURE_LONGOPTS,
		{"out", required_argument, NULL, OPT_OUT},
		{"C", required_argument, NULL, OPT_C},
		{"solver", required_argument, NULL, OPT_SOLVER},
		{"max-iter", required_argument, NULL, OPT_MAX_ITER},
		{"tol", required_argument, NULL, OPT_TOL},
		{"method", required_argument, NULL, OPT_METHOD},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{"task", required_argument, NULL, OPT_TASK},
		{NULL, 0, NULL, 0}
	};
	struct cli_data d;
	struct cli_loaded L;
	struct ft_logreg_params lp;
	struct cli_measure ms;
	struct cli_extras x = {0};
	struct ft_model_file *mf = NULL;
	struct ft_error err = {0};
	const struct ft_method *method = ft_method_find("logreg");
	double params[FT_MAX_PARAMS] = {0};
	const char *pnames[FT_MAX_PARAMS];
	struct ft_fit_output fo = {0};
	const char *out = NULL, *bad;
	int c, r, rc = EXIT_FAIL, loaded = 0;
	double t0 = cli_now();
	const char *task = cli_find_task(argc, argv);

	/* --task rank is another pipeline with its own options (cmd_rank.c) */
	if (task && !strcmp(task, "rank"))
		return cmd_rank_train(argc, argv);
	if (task && strcmp(task, "classify"))
		return cli_usage_error("train", "--task takes classify or rank, not '%s'", task);
	cli_data_init(&d);
	cli_measure_init(&ms);
	ft_logreg_params_init(&lp);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		r = cli_data_option(&d, "train", c, optarg);
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		if (r > 0)
			continue;
		r = cli_measure_option(&ms, "train", c, optarg);
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		if (r > 0)
			continue;
		r = cli_fit_option(&lp, "train", c, optarg);
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		if (r > 0)
			continue;
		switch (c) {
		case OPT_OUT: out = optarg; break;
		case OPT_METHOD:
			if (ft_method_parse(optarg, &method, params, &err)) {
				rc = cli_usage_error("train", "%s", err.msg);
				goto done;
			}
			break;
		case OPT_QUIET: cli_quiet = 1; break;
		case OPT_TASK: break;   /* classify: checked above */
		case 'h': case OPT_HELP: fputs(HELP, stdout); print_methods(); rc = EXIT_OK; goto done;
		default: rc = cli_bad_option("train", c, argv); goto done;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (cli_data_check(&d, "train", 1)) {
		rc = EXIT_USAGE;
		goto done;
	}
	if (!out) {
		rc = cli_usage_error("train", "--out FILE.h5 is required");
		goto done;
	}
	if (method->needs_groups && d.spec.n_sensitive == 0) {
		rc = cli_usage_error("train", "method %s needs --sensitive", method->name);
		goto done;
	}
	if ((bad = ft_logreg_check(&lp)) != NULL) {
		rc = cli_usage_error("train", "%s", bad);
		goto done;
	}

	cli_progress("reading %s...\n", d.data);
	if (cli_load(&d, NULL, &L))
		goto done;
	loaded = 1;
	cli_warn_stats(d.test ? d.test : d.data, &L.st_test);

	mf = calloc(1, sizeof *mf);
	if (!mf) {
		cli_fail("out of memory");
		goto done;
	}
	cli_progress("fitting logistic regression (%zu rows, %zu features)...\n",
	             L.train->n, L.train->p);
	if (ft_logreg_fit(L.train, &lp, &mf->baseline, &mf->solver_result, &err)) {
		cli_fail("%s: %s", d.data, err.msg);
		goto done;
	}
	/* The requested method, on the same data; logreg is the baseline itself. */
	memset(&fo, 0, sizeof fo);
	if (!strcmp(method->name, "logreg")) {
		mf->model = copy_model(mf->baseline);
		fo.res = mf->solver_result;
	} else {
		struct ft_fit_input fi;
		memset(&fi, 0, sizeof fi);
		fi.train = L.train;
		fi.n_groups = L.enc->n_groups;
		fi.group_names = (const char *const *)L.enc->group_names;
		fi.privileged = -1;
		for (size_t g = 0; L.enc->privileged && g < L.enc->n_groups; g++)
			if (!strcmp(L.enc->group_names[g], L.enc->privileged))
				fi.privileged = (long)g;
		fi.lr = &lp;
		fi.baseline = mf->baseline;
		fi.baseline_objective = mf->solver_result.f;
		fi.params = params;
		cli_progress("fitting %s...\n", method->name);
		if (method->fit(&fi, &fo, &err)) {
			cli_fail("%s: %s", d.data, err.msg);
			goto done;
		}
		mf->model = fo.model;
		mf->mixture = fo.mixture;
		mf->thresholds = fo.thresholds;
		mf->frontier = fo.frontier;
		fo.model = NULL;
		fo.mixture = NULL;
		fo.thresholds = NULL;
		fo.frontier = NULL;
		/* post-processing leaves the baseline's fit as it was */
		if (method->stage != FT_STAGE_POST)
			mf->solver_result = fo.res;
	}
	for (size_t k = 0; k < method->n_params; k++)
		pnames[k] = method->params[k].name;
	if (cli_store_method(mf, method->name, strlen(method->name), method->n_params, pnames,
	                     params, fo.n_diag, (const char (*)[FT_DIAG_NAME])fo.diag_name,
	                     fo.diag)) {
		cli_fail("out of memory");
		goto done;
	}
	mf->comparison = cli_comparison_new(&ms, d.seed);
	if (!mf->model || !mf->comparison) {
		cli_fail("out of memory");
		goto done;
	}
	cli_progress("measuring before/after (%zu bootstrap resamples)...\n", ms.n_bootstrap);
	for (int part = 0; part < 2; part++) {
		const struct ft_dataset *ds = part ? L.test : L.train;
		const char *split = part ? "test" : "train";
		if (!ds)
			continue;
		if (cli_measure_model(mf->comparison, ms.n_perm, "baseline", split, mf->baseline,
		                      NULL, NULL, ds, L.enc))
			goto done;
		/* a method that leaves the model as it was (logreg itself) gets the
		 * baseline's rows: the same scores, data and seed give the same
		 * numbers, intervals included, at no cost */
		if (same_model(mf->model, mf->baseline) && !mf->mixture && !mf->thresholds) {
			if (cli_copy_rows(mf->comparison, "baseline", "mitigated", split))
				goto done;
		} else if (cli_measure_model(mf->comparison, ms.n_perm, "mitigated", split,
		                             mf->model, mf->mixture, mf->thresholds, ds, L.enc)) {
			goto done;
		}
		/* a randomized mixture is also reported by its single best predictor */
		if (mf->mixture && cli_measure_model(mf->comparison, ms.n_perm,
		                                     "mitigated_deterministic", split, mf->model,
		                                     NULL, NULL, ds, L.enc))
			goto done;
	}
	if (cli_extras_compute(&x, mf->model, L.test ? L.test : L.train, "mitigated",
	                       L.test ? "test" : "train", L.enc, L.train))
		goto done;
	if (cli_provenance(mf, &d, L.sha256, argc, argv, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	mf->C = lp.C;
	mf->fit_intercept = lp.fit_intercept;
	mf->solver_opts = lp.solver;
	mf->n_train = L.train->n;
	mf->n_test = L.test ? L.test->n : 0;
	mf->n_dropped = L.st_train.n_dropped + L.st_test.n_dropped;
	mf->seed = d.seed;
	mf->split = d.test ? 0 : d.split;
	mf->enc = L.enc;
	if (ms.report && cli_write_report(ms.report, mf->comparison, &x, L.enc->n_groups,
	                                  L.enc->group_names)) {
		mf->enc = NULL;
		goto done;
	}
	if (ft_model_save(out, mf, &err)) {
		mf->enc = NULL;
		cli_fail("%s", err.msg);
		if (ms.report)
			unlink(ms.report);   /* no report of a run that left no model */
		goto done;
	}
	mf->enc = NULL;

	if (!cli_quiet) {
		const struct ft_encoder *e = L.enc;
		const struct ft_solver_result *sr = &mf->solver_result;

		printf("data      %s: %zu rows; train %zu", d.data, L.n_rows_file, L.train->n);
		if (L.test)
			printf(", test %zu (%s)", L.test->n, d.test ? d.test : "held out");
		printf("; %zu dropped for missing values", mf->n_dropped);
		if (L.n_filtered)
			printf(", %zu removed by --filter", L.n_filtered);
		printf("\n");
		printf("features  %zu (%zu numeric, %zu one-hot blocks)\n", e->n_features,
		       e->n_num, e->n_cat);
		if (e->n_groups) {
			printf("groups    ");
			for (size_t k = 0; k < e->n_sensitive; k++)
				printf("%s%s", k ? "&" : "", e->sensitive[k]);
			printf(":");
			for (size_t g = 0; g < e->n_groups; g++) {
				size_t cnt = 0;
				for (size_t i = 0; i < L.train->n; i++)
					cnt += L.train->group[i] == (int32_t)g;
				printf(" %s %zu%s", e->group_names[g], cnt,
				       g + 1 < e->n_groups ? "," : "");
			}
			printf(" (train)%s%s\n", e->privileged ? "; privileged " : "",
			       e->privileged ? e->privileged : "");
		}
		printf("model     %s, C = %g: %s, %d iterations, "
		       "|grad| = %.2e, %s\n", mf->model->n_groups ?
		       "logistic regression, one weight vector per group" :
		       mf->thresholds ? "logistic regression + group-specific thresholds" :
		       mf->mixture ? "randomized mixture of logistic regressions" :
		       "logistic regression",
		       lp.C, ft_solver_name(sr->solver),
		       sr->iterations, sr->grad_norm,
		       sr->converged ? "converged" : "NOT converged");
		if (strcmp(method->name, "logreg")) {
			printf("method    %s (%s-processing)", method->name, ft_stage_name(method->stage));
			for (size_t k = 0; k < method->n_params; k++) {
				const char *ch = ft_param_choice(&method->params[k], params[k]);
				if (ch)
					printf("%s %s = %s", k ? "," : ":", method->params[k].name, ch);
				else
					printf("%s %s = %g", k ? "," : ":", method->params[k].name, params[k]);
			}
			printf("\n");
			for (size_t k = 0; k < mf->n_diag; k++)
				printf("          %-32s %.6g\n", mf->diag_names[k], mf->diag_values[k]);
		}
		for (int part = 0; part < 2; part++) {
			const char *split = part ? "test" : "train";
			const struct ft_comparison_row *acc = cli_find_row(
				mf->comparison, "accuracy", "mitigated", split, "overall", "");
			const struct ft_comparison_row *ll = cli_find_row(
				mf->comparison, "log_loss", "mitigated", split, "overall", "");
			if (acc && ll)
				printf("%-9s accuracy %.4f, log loss %.4f\n", split, acc->value, ll->value);
		}
		printf("\nbefore/after on the %s part (yhat = score >= %g", L.test ? "test" : "train",
		       ms.threshold);
		if (ms.n_bootstrap)
			printf("; %.0f%% intervals of the mitigated model from %zu bootstrap resamples",
			       100 * ms.level, ms.n_bootstrap);
		printf("):\n");
		cli_print_comparison(mf->comparison, L.test ? "test" : "train", "baseline",
		                     "mitigated", e->n_groups, e->group_names);
		cli_extras_print(&x, e);
		printf("\nwrote     %s", out);
		if (ms.report)
			printf(" and %s", ms.report);
		printf(" (%.2f s)\n", cli_now() - t0);
	}
	rc = EXIT_OK;
done:
	ft_fit_output_clear(&fo);
	cli_extras_free(&x);
	ft_model_file_free(mf);
	if (loaded)
		cli_loaded_free(&L, 1);
	cli_data_free(&d);
	return rc;
}
