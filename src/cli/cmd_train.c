/*
 * cmd_train.c - `fairtrain train`: options -> ft_train -> model file and a
 * summary on stdout.  --task rank is cmd_rank.c.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"

enum { OPT_OUT = OPT_CMD_BASE, OPT_METHOD, OPT_QUIET, OPT_HELP, OPT_TASK, OPT_DP_TOTAL,
       OPT_DP_ROW_NORM, OPT_DP_BOUNDS, OPT_DP_ENCODER };

/* --dp-bounds: the parsed bounds and the list their names point into. */
static struct ft_dp_bounds *dp_bounds;
static char **dp_bounds_list;

/* "age=17:90,hours-per-week=1:99" into dp_bounds. */
static int parse_bounds(const char *arg, struct ft_train_opts *o)
{
	size_t n;

	free(dp_bounds);
	free(dp_bounds_list);
	dp_bounds = NULL;
	if (!(dp_bounds_list = cli_split_list(arg, &n)) ||
	    !(dp_bounds = calloc(n ? n : 1, sizeof *dp_bounds)))
		return cli_usage_error("train", "out of memory");
	for (size_t k = 0; k < n; k++) {
		char *eq = strrchr(dp_bounds_list[k], '='), *colon = eq ? strchr(eq, ':') : NULL;
		if (!eq || !colon || eq == dp_bounds_list[k])
			return cli_usage_error("train", "--dp-bounds takes COL=LO:HI,..., not '%s'",
			                       dp_bounds_list[k]);
		*eq = *colon = '\0';
		dp_bounds[k].column = dp_bounds_list[k];
		if (cli_parse_double(eq + 1, &dp_bounds[k].lo) ||
		    cli_parse_double(colon + 1, &dp_bounds[k].hi) ||
		    !(dp_bounds[k].lo < dp_bounds[k].hi))
			return cli_usage_error("train", "--dp-bounds: %s needs LO < HI, both finite "
			                       "numbers", dp_bounds_list[k]);
	}
	o->dp_bounds = dp_bounds;
	o->n_dp_bounds = n;
	return 0;
}

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
CLI_DP_HELP
"  --dp-total E[,DELTA]   the run's total budget: the method's spending and\n"
"                         --dp-epsilon must fit in it, or nothing is written\n"
"  --dp-row-norm B        rows clipped to L2 norm B (the private methods'\n"
"                         row_norm parameter)\n"
"  --dp-bounds COL=LO:HI,...  public bounds of the numeric columns: they\n"
"                         standardize ([LO, HI] -> [-1, 1]) and clip them\n"
"  --dp-encoder-epsilon E estimate the means and sds privately inside the\n"
"                         bounds instead (epsilon E on the encoder stage)\n"
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

/* The summary of a training run. */
static void print_summary(const struct ft_train_opts *o, const struct ft_train_result *r,
                          const char *out, const char *report, double t0)
{
	const struct ft_model_file *mf = r->mf;
	const struct ft_encoder *e = mf->enc;
	const struct ft_solver_result *sr = &mf->solver_result;
	const struct ft_method *m = ft_method_find(mf->method);
	const char *split = r->has_test ? "test" : "train";
	const struct ft_predictor *p = mf->model;

	printf("data      %s: %zu rows; train %zu", o->data.data, r->n_rows_file, mf->n_train);
	if (r->has_test)
		printf(", test %zu (%s)", mf->n_test, o->data.test ? o->data.test : "held out");
	printf("; %zu dropped for missing values", mf->n_dropped);
	if (r->n_filtered)
		printf(", %zu removed by --filter", r->n_filtered);
	printf("\n");
	printf("features  %zu (%zu numeric, %zu one-hot blocks)\n", e->n_features, e->n_num,
	       e->n_cat);
	if (e->n_groups) {
		printf("groups    ");
		for (size_t k = 0; k < e->n_sensitive; k++)
			printf("%s%s", k ? "&" : "", e->sensitive[k]);
		printf(":");
		for (size_t g = 0; g < e->n_groups; g++)
			printf(" %s %zu%s", e->group_names[g], r->group_count[g],
			       g + 1 < e->n_groups ? "," : "");
		printf(" (train)%s%s\n", e->privileged ? "; privileged " : "",
		       e->privileged ? e->privileged : "");
	}
	printf("model     %s, C = %g: %s, %d iterations, |grad| = %.2e, %s\n",
	       p->linear->n_groups ? "logistic regression, one weight vector per group" :
	       p->kind == FT_PRED_THRESHOLDS ? "logistic regression + group-specific thresholds" :
	       p->kind == FT_PRED_MIXTURE ? "randomized mixture of logistic regressions" :
	       "logistic regression", mf->C, ft_solver_name(sr->solver), sr->iterations,
	       sr->grad_norm, sr->converged ? "converged" : "NOT converged");
	if (strcmp(mf->method, "logreg")) {
		printf("method    %s (%s-processing)", mf->method, ft_stage_name(m->stage));
		for (size_t k = 0; k < mf->n_params; k++) {
			if (*mf->param_choices[k])
				printf("%s %s = %s", k ? "," : ":", mf->param_names[k],
				       mf->param_choices[k]);
			else
				printf("%s %s = %g", k ? "," : ":", mf->param_names[k],
				       mf->param_values[k]);
		}
		printf("\n");
		for (size_t k = 0; k < mf->n_diag; k++)
			printf("          %-32s %.6g\n", mf->diag_names[k], mf->diag_values[k]);
	}
	for (int part = 0; part < 2; part++) {
		const char *s = part ? "test" : "train";
		const struct ft_comparison_row *acc = ft_comparison_find(
			mf->comparison, "accuracy", "mitigated", s, "overall", "");
		const struct ft_comparison_row *ll = ft_comparison_find(
			mf->comparison, "log_loss", "mitigated", s, "overall", "");
		if (acc && ll)
			printf("%-9s accuracy %.4f, log loss %.4f\n", s, acc->value, ll->value);
	}
	printf("\nbefore/after on the %s part (yhat = score >= %g", split, o->measure.threshold);
	if (o->measure.n_bootstrap)
		printf("; %.0f%% intervals of the mitigated model from %zu bootstrap resamples",
		       100 * o->measure.level, o->measure.n_bootstrap);
	printf("):\n");
	cli_print_comparison(mf->comparison, split, "baseline", "mitigated", e->n_groups,
	                     e->group_names);
	cli_print_explain(r->explain, e);
	cli_print_dp(mf->dp, mf->budget, e->group_names,
	             r->has_test ? "the mitigated model on the test part" :
	             "the mitigated model on the training part");
	if (mf->budget && mf->budget->seeded)
		printf("WARNING: seeded noise (a dp seed was given): this run is NOT private\n");
	printf("\nwrote     %s", out);
	if (report)
		printf(" and %s", report);
	printf(" (%.2f s)\n", cli_now() - t0);
}

/* The model file and the report: all or nothing (save_run). */
struct save {
	const struct ft_train_result *r;
	const char *out, *report;
};

static int save_run(const void *ctx)
{
	const struct save *s = ctx;
	const struct ft_encoder *e = s->r->mf->enc;
	struct ft_error err = {0};

	if (s->report && ft_report_write(s->report, s->r->mf->comparison, s->r->explain,
	                                 e->n_groups, e->group_names, &err)) {
		cli_fail("%s", err.msg);
		return -1;
	}
	if (ft_model_save(s->out, s->r->mf, &err)) {
		cli_fail("%s", err.msg);
		if (s->report)
			unlink(s->report);   /* no report of a run that left no model */
		return -1;
	}
	return 0;
}

/* Save the model (and the report): all or nothing, by rank 0 of a
 * distributed run, which holds the measurements. */
int cli_save_run(const struct ft_train_result *r, const char *out, const char *report)
{
	struct save s = {r, out, report};

	return cli_rank0(save_run, &s);
}

/* --method through the registry, and the groups it needs. */
static int check_method(const struct ft_train_opts *o, const struct cli_data *d)
{
	struct ft_method_spec s;
	struct ft_error err = {0};

	if (ft_method_spec_parse(o->method ? o->method : "logreg", FT_TASK_CLASSIFY, -1, &s,
	                         &err))
		return cli_usage_error("train", "--method: %s", err.msg);
	if (s.method->needs_groups && d->o.spec.n_sensitive == 0)
		return cli_usage_error("train", "method %s needs --sensitive", s.method->name);
	return 0;
}

/* Every option into o; 0, or an exit code. */
static int parse(int argc, char **argv, struct cli_data *d, struct ft_train_opts *o,
                 const char **out, const char **report)
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
		{"dp-total", required_argument, NULL, OPT_DP_TOTAL},
		{"dp-row-norm", required_argument, NULL, OPT_DP_ROW_NORM},
		{"dp-bounds", required_argument, NULL, OPT_DP_BOUNDS},
		{"dp-encoder-epsilon", required_argument, NULL, OPT_DP_ENCODER},
		CLI_DP_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		if ((r = cli_data_option(d, "train", c, optarg)) == 0 &&
		    (r = cli_measure_option(&o->measure, report, "train", c, optarg)) == 0 &&
		    (r = cli_dp_option(&o->measure, "train", c, optarg)) == 0)
			r = cli_fit_option(&o->lr, "train", c, optarg);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_OUT: *out = optarg; break;
		case OPT_METHOD: o->method = optarg; break;
		case OPT_QUIET: cli_quiet = 1; break;
		case OPT_TASK: break;   /* classify: checked by cmd_train */
		case OPT_DP_TOTAL: {
			char *comma = strchr(optarg, ',');
			if (comma)
				*comma = '\0';
			if (cli_parse_double(optarg, &o->dp_total_epsilon) ||
			    !(o->dp_total_epsilon > 0) ||
			    (comma && (cli_parse_double(comma + 1, &o->dp_total_delta) ||
			               !(o->dp_total_delta >= 0 && o->dp_total_delta < 1)))) {
				if (comma)
					*comma = ',';
				return cli_usage_error("train", "--dp-total takes EPSILON > 0 or "
				                       "EPSILON,DELTA with DELTA in [0, 1), not '%s'",
				                       optarg);
			}
			if (comma)
				*comma = ',';
			break;
		}
		case OPT_DP_BOUNDS:
			if (parse_bounds(optarg, o))
				return EXIT_USAGE;
			break;
		case OPT_DP_ENCODER:
			if (cli_parse_double(optarg, &o->dp_encoder_epsilon) ||
			    !(o->dp_encoder_epsilon > 0))
				return cli_usage_error("train", "--dp-encoder-epsilon takes a number > 0, "
				                       "not '%s'", optarg);
			break;
		case OPT_DP_ROW_NORM:
			if (cli_parse_double(optarg, &o->dp_row_norm) || !(o->dp_row_norm > 0))
				return cli_usage_error("train", "--dp-row-norm takes a number > 0, not "
				                       "'%s'", optarg);
			break;
		case 'h': case OPT_HELP:
			fputs(HELP, stdout);
			printf("\nMethods (stage; parameters with defaults):\n");
			cli_print_methods(FT_TASK_CLASSIFY, -1);
			printf("Examples: --method prejudice:eta=25, --method cov-fair:c=0.01,\n"
			       "          --method eg:eo:eps=0.05\n");
			return -1;
		default: return cli_bad_option("train", c, argv);
		}
	}
	if (optind < argc)
		return cli_unexpected_arg("train", argc, argv, LONG);
	if (cli_data_check(d, "train", 1))
		return EXIT_USAGE;
	if (!*out)
		return cli_usage_error("train", "--out FILE.h5 is required");
	return check_method(o, d);
}

int cmd_train(int argc, char **argv)
{
	struct cli_data d;
	struct ft_train_opts o;
	struct ft_train_result *r = NULL;
	struct ft_error err = {0};
	const char *out = NULL, *report = NULL, *task = cli_find_task(argc, argv);
	char *cmdline = NULL;
	double t0 = cli_now();
	int rc;

	/* --task rank is another pipeline with its own options (cmd_rank.c) */
	if (task && !strcmp(task, "rank"))
		return cmd_rank_train(argc, argv);
	if (task && strcmp(task, "classify"))
		return cli_usage_error("train", "--task takes classify or rank, not '%s'", task);
	cli_data_init(&d);
	ft_train_opts_init(&o);
	if ((rc = parse(argc, argv, &d, &o, &out, &report)) != 0 ||
	    (rc = cli_check_outputs("train", (const char *[]){out, report}, 2,
	                            (const char *[]){d.o.data, d.o.test}, 2)) != 0) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto done;
	}
	o.data = d.o;
	o.mon = &cli_monitor;
	o.command_line = cmdline = cli_join_argv(argc + 1, argv - 1);
	if (ft_train_check(&o, &err)) {
		rc = cli_usage_error("train", "%s", err.msg);
		goto done;
	}
	rc = EXIT_FAIL;
	if (ft_train(&o, &r, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (cli_save_run(r, out, report))
		goto done;
	if (!cli_quiet)
		print_summary(&o, r, out, report, t0);
	rc = EXIT_OK;
done:
	ft_train_result_free(r);
	free(cmdline);
	cli_data_free(&d);
	free(dp_bounds);
	free(dp_bounds_list);
	dp_bounds = NULL;
	dp_bounds_list = NULL;
	return rc;
}
