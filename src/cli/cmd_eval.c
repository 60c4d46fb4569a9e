/*
 * cmd_eval.c - `fairtrain eval`: options -> ft_eval -> the before/after
 * tables of a saved model (and the baseline saved beside it) on new data.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_MODEL = OPT_CMD_BASE, OPT_QUIET, OPT_HELP, OPT_RERANK };

static const char HELP[] =
"Usage: fairtrain eval --model M.h5 --data RAW.csv [OPTIONS]\n\n"
"Measure a saved model on new raw data with its saved preprocessing: the\n"
"metrics per group and the fairness summaries with bootstrap intervals, for\n"
"the model and for the unmitigated baseline saved beside it.  The data must\n"
"have the target and sensitive columns; rows missing them are dropped (and\n"
"counted), missing features are treated by the model's missing policy.\n"
"A ranking model is measured with the ranking metrics of train --task rank\n"
"(baseline, mitigated, and re-ranked by the saved re-ranker); the data need\n"
"the relevance column; --threshold does not apply, and the options below\n"
"say how rankings are measured.\n\n"
"  --model FILE.h5        model file (required)\n"
"  --data FILE            raw rows (required)\n"
"  --seed N               bootstrap seed (default 1)\n"
CLI_MEASURE_HELP
CLI_RANK_MEASURE_HELP
CLI_RANK_TESTS_NOTE
CLI_DP_HELP
"  --names a,b,c, --header, --no-header, --delimiter C, --skip-rows N,\n"
"  --missing-tokens LIST  override how the file is read\n"
"  --filter EXPR          keep rows where EXPR holds (as for train)\n"
"  --allow-no-positive    rows without the positive label are expected (else\n"
"                         an error naming the labels seen)\n"
"  --rerank SPEC|none     ranking models: replace the saved re-ranker\n"
"  --quiet                print nothing but errors\n";

static int parse(int argc, char **argv, struct cli_data *d, struct ft_apply_opts *o,
                 const char **model, const char **report)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		CLI_MEASURE_LONGOPTS,
		CLI_RANK_MEASURE_LONGOPTS,
		CLI_DP_LONGOPTS,
		{"model", required_argument, NULL, OPT_MODEL},
		{"rerank", required_argument, NULL, OPT_RERANK},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		if ((r = cli_measure_option(&o->measure, report, "eval", c, optarg)) < 0 ||
		    (!r && (r = cli_rank_measure_option(&o->measure, "eval", c, optarg)) < 0) ||
		    (!r && (r = cli_dp_option(&o->measure, "eval", c, optarg)) < 0))
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_MODEL: *model = optarg; continue;
		case OPT_RERANK: o->rerank = optarg; continue;
		case OPT_QUIET: cli_quiet = 1; continue;
		case 'h': case OPT_HELP: fputs(HELP, stdout); return -1;
		case OPT_HEADER: case OPT_NO_HEADER: case OPT_DELIMITER: case OPT_SKIP_ROWS:
		case OPT_NAMES: case OPT_MISSING_TOKENS: case OPT_DATA: case OPT_SEED:
		case OPT_FILTER: case OPT_ALLOW_NO_POSITIVE:
			break;
		default:
			if (c >= OPT_DATA && c < OPT_CMD_BASE)
				return cli_usage_error("eval", "option '%s' is for train, not eval",
				                       argv[optind - 1]);
			return cli_bad_option("eval", c, argv);
		}
		if (cli_data_option(d, "eval", c, optarg) < 0)
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_unexpected_arg("eval", argc, argv, LONG);
	if (!*model || !d->o.data)
		return cli_usage_error("eval", "--model and --data are required");
	return 0;
}

static void print_eval(const struct ft_model_file *mf, const struct ft_eval_result *r,
                       const struct ft_apply_opts *o, const char *model)
{
	const struct ft_encoder *e = mf->enc;

	if (mf->ranking) {
		printf("eval      %s (ranker) on %s: %zu rows in %zu quer%s measured, %zu dropped",
		       model, o->data, r->n_measured, r->n_queries,
		       r->n_queries == 1 ? "y" : "ies", r->n_dropped);
		if (r->n_filtered)
			printf(", %zu removed by --filter", r->n_filtered);
		printf("\n");
		if (*r->rerank)
			printf("rerank    %s (of the mitigated scores)\n", r->rerank);
		printf("\n%s (means over queries):\n", mf->baseline ? "before/after" : "metrics");
		cli_print_ranking(r->cmp, "eval", o->measure.ties);
		return;
	}
	printf("eval      %s on %s: %zu rows read, %zu measured, %zu dropped, "
	       "%zu removed by --filter\n", model, o->data, r->n_read, r->n_measured,
	       r->n_dropped, r->n_filtered);
	printf("\n%s (yhat = score >= %g", mf->baseline ? "before/after" : "metrics",
	       o->measure.threshold);
	if (o->measure.n_bootstrap)
		printf("; %.0f%% intervals from %zu bootstrap resamples", 100 * o->measure.level,
		       o->measure.n_bootstrap);
	printf("):\n");
	cli_print_comparison(r->cmp, "eval", mf->baseline ? "baseline" : NULL, "mitigated",
	                     e->n_groups, e->group_names);
	cli_print_explain(r->explain, e);
	cli_print_dp(r->dp, r->budget, e->group_names, "the mitigated model on these rows");
}

/* The report, by rank 0 of a distributed run (cli_rank0). */
struct rw {
	const char *report;
	const struct ft_comparison *cmp;
	const struct ft_explain *explain;
	const struct ft_encoder *enc;
};

static int write_report(const void *ctx)
{
	const struct rw *w = ctx;
	struct ft_error err = {0};

	if (ft_report_write(w->report, w->cmp, w->explain, w->enc->n_groups,
	                    w->enc->group_names, &err)) {
		cli_fail("%s", err.msg);
		return -1;
	}
	return 0;
}

int cmd_eval(int argc, char **argv)
{
	struct cli_data d;
	struct ft_apply_opts o;
	struct ft_model_file *mf = NULL;
	struct ft_eval_result *r = NULL;
	struct ft_error err = {0};
	const char *model = NULL, *report = NULL;
	struct rw rw;
	int rc;

	cli_data_init(&d);
	ft_apply_opts_init(&o);
	if ((rc = parse(argc, argv, &d, &o, &model, &report)) != 0 ||
	    (rc = cli_check_outputs("eval", (const char *[]){report}, 1,
	                            (const char *[]){d.o.data, model}, 2)) != 0) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto done;
	}
	rc = EXIT_FAIL;
	if (ft_model_load(model, &mf, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if ((rc = cli_check_rerank("eval", model, mf, o.rerank)) != 0)
		goto done;
	rc = EXIT_FAIL;
	o.data = d.o.data;
	o.files = d.o.files;
	o.n_files = d.o.n_files;
	o.read = d.o.read;
	o.read_set = d.read_set;
	o.filter = d.o.filter;
	o.n_filter = d.o.n_filter;
	o.seed = d.o.seed;
	o.allow_no_positive = d.o.allow_no_positive;
	o.mon = &cli_monitor;
	if (ft_eval(mf, &o, &r, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	rw.report = report;
	rw.cmp = r->cmp;
	rw.explain = r->explain;
	rw.enc = mf->enc;
	if (report && cli_rank0(write_report, &rw))
		goto done;
	if (!cli_quiet)
		print_eval(mf, r, &o, model);
	rc = EXIT_OK;
done:
	ft_eval_result_free(r);
	ft_model_file_free(mf);
	cli_data_free(&d);
	return rc;
}
