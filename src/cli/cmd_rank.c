/*
 * cmd_rank.c - `fairtrain train --task rank`: options -> ft_train of task
 * rank -> model file and a summary (README, "Fair ranking").
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_TASK = OPT_CMD_BASE, OPT_FORMAT, OPT_QUERY, OPT_RELEVANCE,
       OPT_PROTECTED, OPT_SENS_FEATURE, OPT_METHOD, OPT_COLORBLIND,
       OPT_RERANK, OPT_NO_STD, OPT_OUT, OPT_QUIET, OPT_HELP, OPT_GROUP_VALUES };

static const char HELP[] =
"Usage: fairtrain train --task rank --data FILE --out M.h5\n"
"         (--query COL --relevance COL | --format letor)\n"
"         [--test FILE | --split FRAC]\n"
"         [--sensitive COL --protected VALUE] [--method SPEC] [--rerank SPEC]\n\n"
"Fit a linear ranker s = x.w, scored and sorted per query, with a fairness\n"
"method; beside it the unmitigated baseline (the same loss, features and mode\n"
"without the fairness term); optionally re-rank the top k of each query;\n"
"measure every model per query on the training and the test part (NDCG,\n"
"precision, Kendall's tau, exposure, skew, NDKL, infeasible index,\n"
"rND/rKL/rRD, pairwise accuracy; means over the queries with bootstrap\n"
"intervals, paired tests of each model against the one before it) and save\n"
"models, preprocessing, provenance and the before/after table to one HDF5\n"
"file (atomically).\n\n"
"Data:\n"
"  --format csv|letor     csv (default): a table, read as for classification;\n"
"                         letor: LETOR / SVMlight lines 'REL qid:Q 1:V 2:V ...'\n"
"  --data FILE            training data\n"
"  --test FILE            separate test file (same format)\n"
"  --split FRAC           else hold out FRAC of the queries as test (default\n"
"                         0.25; 0 = no test part); a query stays in one part\n"
"  --seed N               seed of the split (default 1)\n"
"  --names, --header, --no-header, --delimiter, --skip-rows, --test-skip-rows,\n"
"  --missing-tokens, --missing, --filter, --drop, --categorical, --numeric\n"
"                         as for classification ('fairtrain train --help'; csv)\n"
"  --query COL            the query-id column (csv; required)\n"
"  --relevance COL        the graded relevance column, a number (csv; required)\n"
"  --sensitive COL[,COL]  the group column(s) (csv)\n"
"  --sensitive-feature I  letor: feature I (1-based) defines two groups,\n"
"                         protected where its value is --protected\n"
"  --group-values         letor: every value of feature I is a group\n"
"                         ('fI=v'; --protected names one of them)\n"
"  --protected VALUE      the protected group: a group name (csv) or the value\n"
"                         of feature I (letor); required with groups\n"
"  --colorblind           the sensitive attribute is not a feature (by default\n"
"                         it is one, as in DELTR)\n"
"  --no-standardize       use numeric columns as given (csv; letor always is)\n"
"Model:\n"
"  --method SPEC          a ranking method below (default listnet), with its\n"
"                         parameters: NAME[:k=v,...]\n"
"Re-ranking (after scoring, per query; needs groups):\n"
"  --rerank SPEC          a re-ranker below, with its parameters\n"
CLI_RANK_MEASURE_HELP
CLI_RANK_TESTS_HELP
"Output:\n"
"  --out FILE.h5          model file (required)\n"
"  --report FILE          also write the table: FILE.json, FILE.md or FILE.csv\n"
"  --quiet                no summary or warnings\n";

/* Options that only a table has. */
static const int CSV_ONLY[] = {OPT_NAMES, OPT_HEADER, OPT_NO_HEADER, OPT_DELIMITER,
                               OPT_SKIP_ROWS, OPT_TEST_SKIP_ROWS, OPT_MISSING,
                               OPT_MISSING_TOKENS, OPT_FILTER, OPT_DROP,
                               OPT_CATEGORICAL, OPT_NUMERIC, OPT_SENSITIVE,
                               OPT_QUERY, OPT_RELEVANCE, OPT_NO_STD};

/* "--name" of option value c in LONG. */
static const char *opt_name(const struct option *LONG, int c, char *buf, size_t n)
{
	for (; LONG->name; LONG++)
		if (LONG->val == c) {
			snprintf(buf, n, "--%s", LONG->name);
			return buf;
		}
	return "?";
}

static void print_method(const struct ft_rank_params *p, const char *spec)
{
	static const char *const FAIR[] = {"", "DELTR", "pairwise regularizer",
	                                   "pairwise constraint"};
	printf("method    %s: %s loss%s%s", spec, p->loss == FT_RANK_RANKNET ?
	       "RankNet" : p->loss == FT_RANK_LAMBDALOSS ? "LambdaLoss" : "ListNet", p->fair ? " + " : "", FAIR[p->fair]);
	if (p->fair == FT_RANK_FAIR_DELTR && p->target_ratio > 0)
		printf(", gamma chosen for an exposure ratio of %g (below)", p->target_ratio);
	else if (p->fair == FT_RANK_FAIR_DELTR)
		printf(", gamma = %g", p->gamma);
	if (p->fair == FT_RANK_FAIR_PAIR_REG)
		printf(", lambda = %g", p->lambda);
	if (p->fair == FT_RANK_FAIR_PAIR_CON)
		printf(", c = %g", p->c);
	if (p->l2 > 0)
		printf(", l2 = %g", p->l2);
	if (p->reference)
		printf("; reference mode (%d gradient steps of %g)", p->iterations,
		       p->learning_rate);
	printf("\n");
}

static void print_fit(const char *label, const struct ft_rank_result *r)
{
	cli_print_solver(label, &r->res);
}

static void print_summary(const struct ft_train_opts *o, const struct ft_train_result *r,
                          const char *out, const char *report, double t0)
{
	const struct ft_model_file *mf = r->mf;
	const struct ft_encoder *e = mf->enc;
	const char *pg = mf->ranking->protected_group;

	printf("data      %s (%s): %zu rows; train %zu in %zu quer%s", o->data.data,
	       o->rank.letor ? "letor" : "csv", r->n_rows_file, mf->n_train,
	       r->n_queries_train, r->n_queries_train == 1 ? "y" : "ies");
	if (r->has_test)
		printf(", test %zu in %zu quer%s (%s)", mf->n_test, r->n_queries_test,
		       r->n_queries_test == 1 ? "y" : "ies", o->data.test ? o->data.test :
		       "held out");
	printf("; %zu dropped for missing values", mf->n_dropped);
	if (r->n_filtered)
		printf(", %zu removed by --filter", r->n_filtered);
	printf("\n");
	if (e->n_groups) {
		printf("groups    ");
		for (size_t k = 0; k < e->n_sensitive; k++)
			printf("%s%s", k ? "&" : "", e->sensitive[k]);
		printf(":");
		for (size_t g = 0; g < e->n_groups; g++)
			printf(" %s %zu%s", e->group_names[g], r->group_count[g],
			       g + 1 < e->n_groups ? "," : "");
		printf(" (train); protected %s; %s\n", pg, mf->ranking->colorblind ?
		       "not a feature (colorblind)" : "also a feature");
	}
	{
		struct ft_rank_params p;
		struct ft_error err = {0};
		const char *spec = o->method ? o->method : "listnet";
		if (ft_rank_method_parse(spec, &p, &err) == 0)
			print_method(&p, spec);
	}
	print_fit("fit", &r->fit);
	for (size_t k = 0; k < r->fit.n_diag; k++)
		printf("          %-32s %.6g\n", r->fit.diag_name[k], r->fit.diag[k]);
	if (!r->same_fit)
		print_fit("baseline", &r->baseline_fit);
	printf("weights   %-24s %14s %14s\n", "feature", "baseline", "mitigated");
	for (size_t j = 0; j < e->n_features; j++)
		printf("          %-24s %14.6f %14.6f\n", e->feature_names[j],
		       mf->baseline->linear->coef[j], mf->model->linear->coef[j]);
	if (*mf->model->rerank)
		printf("rerank    %s (of the mitigated scores)\n", mf->model->rerank);
	printf("\nbefore/after on the %s part (means over queries):\n",
	       r->has_test ? "test" : "train");
	cli_print_ranking(mf->comparison, r->has_test ? "test" : "train", o->measure.ties);
	printf("\nwrote     %s", out);
	if (report)
		printf(" and %s", report);
	printf(" (%.2f s)\n", cli_now() - t0);
}

/* A ranking option: 1 handled, 0 not one, or -(exit code) */
static int rank_option(struct ft_rank_opts *ro, int c, const char *arg)
{
	switch (c) {
	case OPT_FORMAT:
		if (strcmp(arg, "csv") && strcmp(arg, "letor")) {
			cli_usage_error("train", "--format takes csv or letor, not '%s'", arg);
			return -EXIT_USAGE;
		}
		ro->letor = !strcmp(arg, "letor");
		return 1;
	case OPT_QUERY: ro->query = arg; return 1;
	case OPT_RELEVANCE: ro->relevance = arg; return 1;
	case OPT_PROTECTED: ro->protected_group = arg; return 1;
	case OPT_SENS_FEATURE:
		if (cli_parse_size(arg, &ro->sensitive_feature) || ro->sensitive_feature == 0) {
			cli_usage_error("train", "--sensitive-feature takes a feature index (1, 2, "
			                "...), not '%s'", arg);
			return -EXIT_USAGE;
		}
		return 1;
	case OPT_COLORBLIND: ro->colorblind = 1; return 1;
	case OPT_RERANK: ro->rerank = arg; return 1;
	case OPT_NO_STD: ro->raw_numeric = 1; return 1;
	case OPT_GROUP_VALUES: ro->group_values = 1; return 1;
	default: return 0;
	}
}

/* --method and --rerank through the registry, and the groups they need,
 * named by their options. */
static int check_specs(const struct ft_train_opts *o, const struct cli_data *d)
{
	const char *groups = o->rank.letor ? "--sensitive-feature" : "--sensitive";
	int has = o->rank.letor ? o->rank.sensitive_feature > 0 : d->o.spec.n_sensitive > 0;
	struct ft_method_spec s;
	struct ft_error err = {0};

	if (has != (o->rank.protected_group != NULL))
		return cli_usage_error("train", o->rank.protected_group ? "--protected needs %s" :
		                       "%s needs --protected VALUE (the protected group)", groups);
	if (ft_method_spec_parse(o->method ? o->method : "listnet", FT_TASK_RANK, FT_STAGE_IN,
	                         &s, &err))
		return cli_usage_error("train", "--method: %s", err.msg);
	if (s.method->needs_groups && !o->rank.protected_group)
		return cli_usage_error("train", "--method %s needs groups: %s and --protected",
		                       o->method, groups);
	if (!o->rank.rerank || !strcmp(o->rank.rerank, "none"))
		return 0;
	ft_error_clear(&err);
	if (ft_method_spec_parse(o->rank.rerank, FT_TASK_RANK, FT_STAGE_RERANK, &s, &err))
		return cli_usage_error("train", "--rerank: %s", err.msg);
	if (!o->rank.protected_group)
		return cli_usage_error("train", "--rerank needs groups: %s and --protected", groups);
	return 0;
}

static int parse(int argc, char **argv, struct cli_data *d, struct ft_train_opts *o,
                 const char **out, const char **report)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		CLI_MEASURE_LONGOPTS,
		CLI_RANK_MEASURE_LONGOPTS,
		{"group-values", no_argument, NULL, OPT_GROUP_VALUES},
		{"task", required_argument, NULL, OPT_TASK},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"query", required_argument, NULL, OPT_QUERY},
		{"relevance", required_argument, NULL, OPT_RELEVANCE},
		{"protected", required_argument, NULL, OPT_PROTECTED},
		{"sensitive-feature", required_argument, NULL, OPT_SENS_FEATURE},
		{"method", required_argument, NULL, OPT_METHOD},
		{"colorblind", no_argument, NULL, OPT_COLORBLIND},
		{"rerank", required_argument, NULL, OPT_RERANK},
		{"no-standardize", no_argument, NULL, OPT_NO_STD},
		{"out", required_argument, NULL, OPT_OUT},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	char csv_opt[64] = "", name[64];
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		for (size_t k = 0; k < sizeof CSV_ONLY / sizeof *CSV_ONLY; k++)
			if (c == CSV_ONLY[k] && !*csv_opt)
				opt_name(LONG, c, csv_opt, sizeof csv_opt);
		if ((r = rank_option(&o->rank, c, optarg)) < 0)
			return -r;
		if (r)
			continue;
		switch (c) {
		case OPT_TASK: continue;
		case OPT_METHOD: o->method = optarg; continue;
		case OPT_OUT: *out = optarg; continue;
		case OPT_REPORT: case OPT_BOOTSTRAP: case OPT_LEVEL: case OPT_PERMUTATIONS:
			if (cli_measure_option(&o->measure, report, "train", c, optarg) < 0)
				return EXIT_USAGE;
			continue;
		case OPT_AT: case OPT_TIES: case OPT_TIE_SEED: case OPT_TARGET_SHARES:
			if (cli_rank_measure_option(&o->measure, "train", c, optarg) < 0)
				return EXIT_USAGE;
			continue;
		case OPT_QUIET: cli_quiet = 1; continue;
		case 'h': case OPT_HELP:
			fputs(HELP, stdout);
			printf("\nRanking methods (parameters with defaults):\n");
			cli_print_methods(FT_TASK_RANK, FT_STAGE_IN);
			printf("\nRe-rankers:\n");
			cli_print_methods(FT_TASK_RANK, FT_STAGE_RERANK);
			return -1;
		case OPT_TARGET: case OPT_POSITIVE: case OPT_PRIVILEGED: case OPT_WEIGHT:
		case OPT_USE_SENSITIVE: case OPT_LABEL_STRIP: case OPT_THRESHOLD:
			return cli_usage_error("train", "option '%s' is not for --task rank%s",
			                       opt_name(LONG, c, name, sizeof name), c == OPT_TARGET ?
			                       " (the relevance column is --relevance)" :
			                       c == OPT_USE_SENSITIVE ? " (the sensitive attribute "
			                       "is a feature unless --colorblind)" : "");
		default:
			break;
		}
		if ((r = cli_data_option(d, "train", c, optarg)) < 0)
			return EXIT_USAGE;
		if (r == 0)
			return cli_bad_option("train", c, argv);
	}
	if (optind < argc)
		return cli_unexpected_arg("train", argc, argv, LONG);
	if (!d->o.data)
		return cli_usage_error("train", "--data FILE is required");
	if (!*out)
		return cli_usage_error("train", "--out FILE.h5 is required");
	if (d->o.test && d->split_given)
		return cli_usage_error("train", "give either --test or --split, not both");
	if (o->rank.letor && *csv_opt)
		return cli_usage_error("train", "%s is for --format csv, not letor", csv_opt);
	if (o->rank.group_values && !o->rank.sensitive_feature)
		return cli_usage_error("train", "--group-values needs --format letor and "
		                       "--sensitive-feature I");
	if (!o->rank.letor && o->rank.sensitive_feature)
		return cli_usage_error("train", "--sensitive-feature is for --format letor "
		                       "(csv: --sensitive COL)");
	if (!o->rank.letor && (!o->rank.query || !o->rank.relevance))
		return cli_usage_error("train", "--task rank needs --query COL and --relevance "
		                       "COL (or --format letor)");
	return check_specs(o, d);
}

int cmd_rank_train(int argc, char **argv)
{
	struct cli_data d;
	struct ft_train_opts o;
	struct ft_train_result *r = NULL;
	struct ft_error err = {0};
	const char *out = NULL, *report = NULL;
	char *cmdline = NULL;
	double t0 = cli_now();
	int rc;

	cli_data_init(&d);
	ft_train_opts_init(&o);
	o.task = FT_TASK_RANK;
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
	return rc;
}
