/*
 * cmd_audit.c - `fairtrain audit`: options -> ft_audit -> the metrics of
 * any model's predictions (a CSV of labels, scores and sensitive columns).
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_LABEL = OPT_CMD_BASE, OPT_SCORE, OPT_QUIET, OPT_HELP, OPT_TASK, OPT_QUERY,
       OPT_RELEVANCE, OPT_RANK, OPT_PROTECTED };

static const char HELP[] =
"Usage: fairtrain audit --data PREDS.csv --label COL --score COL\n"
"                       --sensitive COL[,COL] [OPTIONS]\n\n"
"Measure predictions of any model: metrics per group and fairness\n"
"summaries with bootstrap intervals.  Scores are probabilities in [0, 1] or\n"
"0/1 predictions; yhat = score >= --threshold.\n\n"
"  --data FILE            predictions (CSV; read options as for train)\n"
"  --label COL            true label column (required)\n"
"  --positive VALUE       the favourable label value (default 1)\n"
"  --label-strip CHARS    strip these trailing characters from labels\n"
"  --score COL            score or 0/1 prediction column (required)\n"
"  --sensitive COL[,COL]  sensitive attribute(s) (required)\n"
"  --privileged VALUE     privileged group (for signed metrics)\n"
"  --weight COL           sample-weight column\n"
"  --seed N               bootstrap seed (default 1)\n"
CLI_MEASURE_HELP
CLI_DP_HELP
"  --names a,b,c, --header, --no-header, --delimiter C, --skip-rows N,\n"
"  --filter EXPR          keep rows where EXPR holds (as for train)\n"
"  --missing-tokens LIST  how the file is read (rows with a missing label,\n"
"                         score or group are dropped and counted)\n"
"  --quiet                print nothing but errors\n\n"
"Usage: fairtrain audit --task rank --data RANKING.csv --query COL\n"
"                       (--score COL | --rank COL) --relevance COL\n"
"                       --sensitive COL[,COL] [--protected GROUP] [OPTIONS]\n\n"
"Measure a ranking made by any system, one row per item: per query NDCG,\n"
"precision, Kendall's tau, exposure, skew, NDKL, the infeasible index,\n"
"rND/rKL/rRD and pairwise accuracy, then the means over queries with\n"
"bootstrap intervals (README 'Fair ranking').  Rows with a missing\n"
"relevance, score or group are dropped and counted.\n\n"
"  --query COL            the query-id column\n"
"  --rank COL             the item's rank (1 first; equal ranks are ties),\n"
"                         or --score COL: its score (higher first)\n"
"  --relevance COL        the graded relevance (a number; <= 0: not relevant)\n"
"  --protected GROUP      the protected group of the exposure ratio and\n"
"                         rND/rKL/rRD (a group name)\n"
CLI_RANK_MEASURE_HELP
CLI_RANK_TESTS_NOTE;

static int parse(int argc, char **argv, struct cli_data *d, struct ft_audit_opts *o,
                 const char **report)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		CLI_MEASURE_LONGOPTS,
		CLI_RANK_MEASURE_LONGOPTS,
		{"task", required_argument, NULL, OPT_TASK},
		{"query", required_argument, NULL, OPT_QUERY},
		{"relevance", required_argument, NULL, OPT_RELEVANCE},
		{"rank", required_argument, NULL, OPT_RANK},
		{"protected", required_argument, NULL, OPT_PROTECTED},
		CLI_DP_LONGOPTS,
		{"label", required_argument, NULL, OPT_LABEL},
		{"score", required_argument, NULL, OPT_SCORE},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		if ((r = cli_measure_option(&o->measure, report, "audit", c, optarg)) < 0 ||
		    (!r && (r = cli_rank_measure_option(&o->measure, "audit", c, optarg)) < 0) ||
		    (!r && (r = cli_dp_option(&o->measure, "audit", c, optarg)) < 0))
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_LABEL: o->label = optarg; continue;
		case OPT_TASK:
			if (strcmp(optarg, "classify") && strcmp(optarg, "rank"))
				return cli_usage_error("audit", "--task takes classify or rank, not "
				                       "'%s'", optarg);
			o->task = !strcmp(optarg, "rank") ? FT_TASK_RANK : FT_TASK_CLASSIFY;
			continue;
		case OPT_QUERY: o->query = optarg; continue;
		case OPT_RELEVANCE: o->relevance = optarg; continue;
		case OPT_RANK: o->rank = optarg; continue;
		case OPT_PROTECTED: o->protected_group = optarg; continue;
		case OPT_SCORE: o->score = optarg; continue;
		case OPT_QUIET: cli_quiet = 1; continue;
		case 'h': case OPT_HELP: fputs(HELP, stdout); return -1;
		case OPT_TARGET: case OPT_TEST: case OPT_SPLIT: case OPT_DROP:
		case OPT_CATEGORICAL: case OPT_NUMERIC: case OPT_USE_SENSITIVE:
		case OPT_MISSING: case OPT_TEST_SKIP_ROWS:
			return cli_usage_error("audit", "option '%s' is for train, not audit",
			                       argv[optind - 1]);
		default:
			break;
		}
		if ((r = cli_data_option(d, "audit", c, optarg)) < 0)
			return EXIT_USAGE;
		if (r == 0)
			return cli_bad_option("audit", c, argv);
	}
	if (optind < argc)
		return cli_unexpected_arg("audit", argc, argv, LONG);
	if (o->task == FT_TASK_RANK) {
		if (o->label || d->o.spec.weight)
			return cli_usage_error("audit", "--task rank measures rankings: no --label "
			                       "or --weight (the relevance is --relevance)");
		if (!d->o.data || !o->query || !o->relevance || !d->o.spec.n_sensitive)
			return cli_usage_error("audit", "--task rank needs --data, --query, "
			                       "--relevance and --sensitive");
		if (!o->score == !o->rank)
			return cli_usage_error("audit", "--task rank needs --score COL or --rank COL "
			                       "(one of them)");
		return 0;
	}
	if (o->query || o->relevance || o->rank || o->protected_group)
		return cli_usage_error("audit", "--query, --relevance, --rank and --protected "
		                       "are for --task rank");
	if (!d->o.data || !o->label || !o->score || !d->o.spec.n_sensitive)
		return cli_usage_error("audit", "--data, --label, --score and --sensitive are "
		                       "required");
	return 0;
}

/* The report, by rank 0 of a distributed run (cli_rank0). */
struct aw {
	const char *report;
	const struct ft_audit_result *r;
};

static int write_report(const void *ctx)
{
	const struct aw *w = ctx;
	struct ft_error err = {0};

	if (ft_report_write(w->report, w->r->cmp, NULL, w->r->n_groups, w->r->group_names,
	                    &err)) {
		cli_fail("%s", err.msg);
		return -1;
	}
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	struct cli_data d;
	struct ft_audit_opts o;
	struct ft_audit_result *r = NULL;
	struct ft_error err = {0};
	const char *report = NULL;
	int rc;

	cli_data_init(&d);
	ft_audit_opts_init(&o);
	if ((rc = parse(argc, argv, &d, &o, &report)) != 0 ||
	    (rc = cli_check_outputs("audit", (const char *[]){report}, 1,
	                            (const char *[]){d.o.data}, 1)) != 0) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto done;
	}
	rc = EXIT_FAIL;
	o.data = d.o;
	o.mon = &cli_monitor;
	if (ft_audit(&o, &r, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (report && cli_rank0(write_report, &(struct aw){report, r}))
		goto done;
	if (!cli_quiet && o.task == FT_TASK_RANK) {
		printf("audit     %s: a ranking of %zu items in %zu quer%s, %zu dropped for "
		       "missing values\n\nmetrics (means over queries):\n", o.data.data,
		       r->n_measured, r->n_queries, r->n_queries == 1 ? "y" : "ies", r->n_dropped);
		cli_print_ranking(r->cmp, "audit", o.measure.ties);
	} else if (!cli_quiet) {
		printf("audit     %s: %zu rows read, %zu measured, %zu dropped for missing "
		       "values\n", o.data.data, r->n_read, r->n_measured, r->n_dropped);
		printf("\nmetrics (yhat = %s >= %g", o.score, o.measure.threshold);
		if (o.measure.n_bootstrap)
			printf("; %.0f%% intervals from %zu bootstrap resamples",
			       100 * o.measure.level, o.measure.n_bootstrap);
		printf("):\n");
		cli_print_comparison(r->cmp, "audit", NULL, "audited", r->n_groups,
		                     r->group_names);
		cli_print_dp(r->dp, r->budget, r->group_names, "the audited predictions");
	}
	rc = EXIT_OK;
done:
	ft_audit_result_free(r);
	cli_data_free(&d);
	return rc;
}
