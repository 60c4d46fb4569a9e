/*
 * cmd_compare.c - `fairtrain compare`: options (from the command line and
 * a --config file) -> ft_compare -> ft_compare_write -> the summary on
 * stdout.  The comparison, its files and plots are the library's
 * (src/run/compare.c, compare_write.c, plot.c).
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_METHODS = OPT_CMD_BASE, OPT_FOLDS, OPT_REPEATS, OPT_OUT, OPT_FORCE,
       OPT_FAIRNESS, OPT_CONFIG, OPT_QUIET,
       OPT_HELP, OPT_TASK, OPT_FORMAT, OPT_QUERY, OPT_RELEVANCE, OPT_PROTECTED,
       OPT_SENS_FEATURE, OPT_GROUP_VALUES, OPT_COLORBLIND, OPT_NO_STD };

#define MAX_FOLDS 100

static const char HELP[] =
"Usage: fairtrain compare --data FILE --target COL --positive VALUE\n"
"                         --sensitive COL --methods \"SPEC ...\" --out DIR\n"
"                         [--folds K | --repeats R [--split FRAC] | --test FILE]\n"
"                         [OPTIONS]\n\n"
"Fit every setting of every listed method on the same folds with the same\n"
"preprocessing and baseline, measure each on the same test rows, and write\n"
"to DIR: results.h5 (everything, models included), results.csv (one tidy\n"
"row per method, setting, fold, split, group, metric and convention),\n"
"runs.csv (one row per fit: status, time, solver), summary.md (mean and sd\n"
"across folds, the Pareto-optimal settings, timing), and tradeoff.svg/png\n"
"and groups.svg/png drawn by gnuplot (plots.gp redraws them).\n\n"
"Sweep:\n"
"  --methods \"SPEC ...\"   settings separated by blanks (repeatable); SPEC is\n"
"                         NAME[:CHOICE][:k=v1,v2,...[,k2=w1,w2]]: values after\n"
"                         k= belong to k until the next k2=, and every\n"
"                         combination is fitted.  'baseline' is logreg, which\n"
"                         is always included.  Example: \"baseline reweigh\n"
"                         prejudice:eta=1,5,25 cov-fair:c=0.1,0.01\"\n"
"  --fairness METRIC      the fairness summary of the x axis and the Pareto\n"
"                         criterion (default demographic_parity_difference,\n"
"                         convention between_groups)\n"
"Folds:\n"
"  --folds K              stratified (label, group) K-fold cross-validation\n"
"                         (default 5)\n"
"  --repeats R            R random stratified splits instead; --split FRAC\n"
"                         is their test fraction (default 0.25)\n"
"  --test FILE            one fold: train on --data, test on FILE (read\n"
"                         like --data)\n"
"  --seed N               seed of the folds and splits (default 1)\n"
"Data:\n"
"  --data FILE            the data (CSV or delimited text)\n"
CLI_DATA_READ_HELP
"Measurement:\n"
"  --threshold T          yhat = score >= T (default 0.5)\n"
"  --bootstrap N          bootstrap resamples per interval (default 0 = none)\n"
"  --level L              interval level (default 0.95)\n"
"  --consistency K        also AIF360's consistency of every run (K nearest\n"
"                         neighbours, exact: O(rows^2) per run and part)\n"
"  --reference FILE[:COL] also the distances of each group's scores to this\n"
"                         distribution (column COL, default score, of a CSV)\n"
"Model:\n"
"  --C VALUE              inverse L2 strength of every fit (default 1)\n"
"  --max-iter N, --tol T  solver limits, as in train\n"
"Output:\n"
"  --out DIR              output directory: created, or replaced as a whole\n"
"                         when it holds an earlier comparison\n"
"  --force                DIR holds other files: keep them beside the results\n"
"  --config FILE          read long options from FILE, one 'option = value'\n"
"                         a line ('#' comments; a flag alone on its line);\n"
"                         the command line adds to and overrides them\n"
"  --quiet                no progress, summary or warnings\n\n"
"Rankings (--task rank; README 'Fair ranking'): ranking methods and\n"
"re-rankers (of the baseline ListNet's scores) over folds of the queries,\n"
"measured as train --task rank measures (means over the test queries, ties\n"
"pooled); the plot and the Pareto set are ndcg@K (the first --at) against\n"
"the exposure ratio (|ratio - 1| lower is fairer).\n"
"  --task rank            compare rankers; then no --target/--positive\n"
"  --format csv|letor, --query COL, --relevance COL, --sensitive COL,\n"
"  --sensitive-feature I, --group-values, --protected VALUE, --colorblind,\n"
"  --no-standardize       the data, as for train --task rank (--protected is\n"
"                         required: the exposure ratio's protected group)\n"
"  The folds (--folds K, default 5; --repeats R: R random splits of --split)\n"
"  and the bootstrap (--bootstrap N) are over queries.\n"
CLI_RANK_MEASURE_HELP;

/* The classification rows of the registry in one line a method: name and
 * parameters (choices spelled out); `fairtrain train --help` has the help. */
static void print_methods(void)
{
	size_t n;
	const struct ft_method *m = ft_method_list(&n);

	printf("\nMethods (parameters; 'fairtrain train --help' explains them):\n");
	for (size_t i = 0; i < n; i++) {
		char list[1024];
		size_t len = 0;
		int lead;
		if (m[i].task != FT_TASK_CLASSIFY)
			continue;
		list[0] = '\0';
		for (size_t k = 0; k < m[i].n_params && len < sizeof list; k++) {
			const struct ft_param_def *p = &m[i].params[k];
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s%s%s",
			                        k ? ", " : "", p->name, p->choices ? "=" : "",
			                        p->choices ? p->choices : "");
		}
		if (!strcmp(m[i].name, "logreg"))
			snprintf(list, sizeof list, "(the baseline)");
		if (!list[0]) {
			printf("  %s\n", m[i].name);
			continue;
		}
		lead = printf("  %-14s", m[i].name);
		cli_print_wrapped((size_t)(lead > 0 ? lead : 0), 17, list);
	}
}

/* --------------------------------------------------------- config file */

/* argv with the options of --config FILE spliced in before the command
 * line's own, which therefore add to them (lists, --filter) and override
 * them (single values: the last one wins).  Why this format rather than a
 * parser library (TOML, INI): the file holds exactly the long options, so
 * it needs no schema, no documentation and no dependency of its own,
 * `--help` describes both, and results.h5 records the run as one command
 * line with the file's options spliced in.  Experiments that need loops or
 * several runs are shell scripts calling the CLI, as experiments/ does.
 * The file is read by the library (ft_config_read, src/run/config.c). */
struct argstore {
	char **argv;               /* argc entries and a NULL */
	int argc;
	char **args;               /* the file's arguments (owned) */
	size_t n_args;
};

static void argstore_free(struct argstore *st)
{
	ft_config_free(st->args, st->n_args);
	free(st->argv);
	memset(st, 0, sizeof *st);
}

/* 0 ok; else EXIT_USAGE (message printed) or EXIT_FAIL. */
static int load_config(int argc, char **argv, const struct option *longopts,
                       struct argstore *st)
{
	struct ft_config_option *opts;
	struct ft_error err = {0};
	const char *path = NULL;
	size_t n_opts = 0;
	int n = 0, rc;

	memset(st, 0, sizeof *st);
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
	}
	while (longopts[n_opts].name)
		n_opts++;
	if (!(opts = malloc(n_opts * sizeof *opts))) {
		cli_fail("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < n_opts; i++)
		opts[i] = (struct ft_config_option){
			longopts[i].name, longopts[i].has_arg != no_argument,
			strcmp(longopts[i].name, "config") && strcmp(longopts[i].name, "help") };
	rc = path ? ft_config_read(path, opts, n_opts, &st->args, &st->n_args, &err) : 0;
	free(opts);
	if (rc == FT_EINVAL)
		return cli_usage_error("compare", "%s", err.msg);
	if (rc) {
		cli_fail("%s", err.msg);
		return EXIT_FAIL;
	}
	st->argv = calloc((size_t)argc + st->n_args + 1, sizeof *st->argv);
	if (!st->argv) {
		cli_fail("out of memory");
		return EXIT_FAIL;
	}
	st->argv[n++] = argv[0];
	for (size_t i = 0; i < st->n_args; i++)
		st->argv[n++] = st->args[i];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			i++;
		else if (strncmp(argv[i], "--config=", 9))
			st->argv[n++] = argv[i];
	}
	st->argc = n;
	return 0;
}

/* ---------------------------------------------------------------- main */

static const struct option LONG[] = {
	CLI_DATA_LONGOPTS,
	{"threshold", required_argument, NULL, OPT_THRESHOLD},
	{"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
	{"level", required_argument, NULL, OPT_LEVEL},
	{"consistency", required_argument, NULL, OPT_CONSISTENCY},
	{"reference", required_argument, NULL, OPT_REFERENCE},
	{"methods", required_argument, NULL, OPT_METHODS},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"repeats", required_argument, NULL, OPT_REPEATS},
	{"out", required_argument, NULL, OPT_OUT},
	{"force", no_argument, NULL, OPT_FORCE},
	{"fairness", required_argument, NULL, OPT_FAIRNESS},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"C", required_argument, NULL, OPT_C},
	{"max-iter", required_argument, NULL, OPT_MAX_ITER},
	{"tol", required_argument, NULL, OPT_TOL},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"help", no_argument, NULL, OPT_HELP},
	{"task", required_argument, NULL, OPT_TASK},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"query", required_argument, NULL, OPT_QUERY},
	{"relevance", required_argument, NULL, OPT_RELEVANCE},
	{"protected", required_argument, NULL, OPT_PROTECTED},
	{"sensitive-feature", required_argument, NULL, OPT_SENS_FEATURE},
	{"group-values", no_argument, NULL, OPT_GROUP_VALUES},
	{"colorblind", no_argument, NULL, OPT_COLORBLIND},
	{"no-standardize", no_argument, NULL, OPT_NO_STD},
	CLI_RANK_MEASURE_LONGOPTS,
	{NULL, 0, NULL, 0}
};

/* A ranking option (--task rank): 1 handled, 0 not one, -(exit code). */
static int rank_option(struct ft_compare_opts *o, int c, const char *arg)
{
	struct ft_rank_opts *ro = &o->rank;

	switch (c) {
	case OPT_TASK:
		if (strcmp(arg, "classify") && strcmp(arg, "rank"))
			return -cli_usage_error("compare", "--task takes classify or rank, not '%s'",
			                        arg);
		o->task = !strcmp(arg, "rank") ? FT_TASK_RANK : FT_TASK_CLASSIFY;
		return 1;
	case OPT_FORMAT:
		if (strcmp(arg, "csv") && strcmp(arg, "letor"))
			return -cli_usage_error("compare", "--format takes csv or letor, not '%s'", arg);
		ro->letor = !strcmp(arg, "letor");
		return 1;
	case OPT_QUERY: ro->query = arg; return 1;
	case OPT_RELEVANCE: ro->relevance = arg; return 1;
	case OPT_PROTECTED: ro->protected_group = arg; return 1;
	case OPT_SENS_FEATURE:
		if (cli_parse_size(arg, &ro->sensitive_feature) || ro->sensitive_feature == 0)
			return -cli_usage_error("compare", "--sensitive-feature takes a feature index "
			                        "(1, 2, ...), not '%s'", arg);
		return 1;
	case OPT_GROUP_VALUES: ro->group_values = 1; return 1;
	case OPT_COLORBLIND: ro->colorblind = 1; return 1;
	case OPT_NO_STD: ro->raw_numeric = 1; return 1;
	case OPT_AT: case OPT_TIES: case OPT_TIE_SEED: case OPT_TARGET_SHARES:
		return cli_rank_measure_option(&o->measure, "compare", c, arg) < 0 ? -EXIT_USAGE : 1;
	default:
		return 0;
	}
}

/* The checks of --task rank after parsing. */
static int rank_check(const struct cli_data *d, const struct ft_compare_opts *o)
{
	const struct ft_rank_opts *ro = &o->rank;

	if (cli_data_check((struct cli_data *)d, "compare", 0))
		return EXIT_USAGE;
	if (d->o.spec.target || d->o.spec.positive)
		return cli_usage_error("compare", "--task rank: no --target or --positive (the "
		                       "relevance is --relevance)");
	if (!ro->letor && (!ro->query || !ro->relevance))
		return cli_usage_error("compare", "--task rank needs --query COL and --relevance "
		                       "COL (or --format letor)");
	if (ro->letor ? !ro->sensitive_feature : !d->o.spec.n_sensitive)
		return cli_usage_error("compare", "--task rank needs groups: %s",
		                       ro->letor ? "--sensitive-feature I" : "--sensitive COL");
	if (!ro->protected_group)
		return cli_usage_error("compare", "--task rank needs --protected VALUE");
	return 0;
}

/* --methods adds to what came before; 0 or -1 (out of memory). */
static int add_methods(char **methods, const char *arg)
{
	size_t ol = *methods ? strlen(*methods) : 0, nl = strlen(arg);
	char *m = realloc(*methods, ol + nl + 2);

	if (!m)
		return -1;
	if (ol)
		m[ol++] = ' ';
	memcpy(m + ol, arg, nl + 1);
	*methods = m;
	return 0;
}

/* --fairness NAME: its index, or -1 (usage message printed). */
static int fairness_option(const char *arg)
{
	char list[1024] = "";

	for (int f = 0; f < FT_N_FAIRNESS; f++)
		if (!strcmp(ft_fairness_name(f), arg))
			return f;
	for (int f = 0; f < FT_N_FAIRNESS; f++) {
		strncat(list, ft_fairness_name(f), sizeof list - strlen(list) - 1);
		if (f + 1 < FT_N_FAIRNESS)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
	}
	cli_usage_error("compare", "--fairness: unknown metric '%s' (%s)", arg, list);
	return -1;
}

/* One command-specific option: 1 handled, or -(exit code). */
static int compare_option(struct ft_compare_opts *o, int c, char **methods,
                          const char **out, int *force)
{
	size_t v;

	switch (c) {
	case OPT_METHODS:
		if (add_methods(methods, optarg)) {
			cli_fail("out of memory");
			return -EXIT_FAIL;
		}
		return 1;
	case OPT_FOLDS:
		if (cli_parse_size(optarg, &v) || v < 2 || v > MAX_FOLDS)
			return -cli_usage_error("compare", "--folds takes an integer from 2 to %d, "
			                        "not '%s'", MAX_FOLDS, optarg);
		o->folds = v;
		return 1;
	case OPT_REPEATS:
		if (cli_parse_size(optarg, &v) || v < 1 || v > MAX_FOLDS)
			return -cli_usage_error("compare", "--repeats takes an integer from 1 to %d, "
			                        "not '%s'", MAX_FOLDS, optarg);
		o->repeats = v;
		return 1;
	case OPT_OUT: *out = optarg; return 1;
	case OPT_FORCE: *force = 1; return 1;
	case OPT_FAIRNESS:
		if ((o->fairness = fairness_option(optarg)) < 0)
			return -EXIT_USAGE;
		return 1;
	case OPT_QUIET: cli_quiet = 1; return 1;
	default: return 0;
	}
}

/* Every option of the command line (the config file's spliced in). */
static int parse(struct argstore *as, struct cli_data *d, struct ft_compare_opts *o,
                 char **methods, const char **out, int *force)
{
	const char *report = NULL;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(as->argc, as->argv, ":h", LONG, NULL)) != -1) {
		r = cli_data_option(d, "compare", c, optarg);
		if (!r && c != OPT_REPORT && c != OPT_PERMUTATIONS)
			r = cli_measure_option(&o->measure, &report, "compare", c, optarg);
		if (!r)
			r = cli_fit_option(&o->lr, "compare", c, optarg);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if ((r = compare_option(o, c, methods, out, force)) < 0 ||
		    (!r && (r = rank_option(o, c, optarg)) < 0))
			return -r;
		if (r > 0)
			continue;
		if (c == 'h' || c == OPT_HELP) {
			fputs(HELP, stdout);
			print_methods();
			printf("\nRanking methods and re-rankers (--task rank; 'baseline' is listnet):\n");
			cli_print_methods(FT_TASK_RANK, -2);
			return -1;
		}
		return cli_bad_option("compare", c, as->argv);
	}
	if (optind < as->argc)
		return cli_unexpected_arg("compare", as->argc, as->argv, LONG);
	if (o->task == FT_TASK_RANK ? rank_check(d, o) != 0 : cli_data_check(d, "compare", 1))
		return EXIT_USAGE;
	if (o->task != FT_TASK_RANK && d->o.spec.n_sensitive == 0)
		return cli_usage_error("compare", "--sensitive COL is required");
	if (!*out)
		return cli_usage_error("compare", "--out DIR is required");
	if (!*methods)
		return cli_usage_error("compare", "--methods \"SPEC ...\" is required");
	if (o->folds && o->repeats)
		return cli_usage_error("compare", "give either --folds or --repeats, not both");
	if (d->o.test && (o->folds || o->repeats))
		return cli_usage_error("compare", "--test is the one fold: no --folds or "
		                       "--repeats with it");
	if (d->split_given && !o->repeats)
		return cli_usage_error("compare", "--split goes with --repeats (the test "
		                       "fraction of each split)");
	if (d->split_given && d->o.split <= 0)
		return cli_usage_error("compare", "--split takes a fraction in (0, 1) with "
		                       "--repeats");
	return 0;
}

/* The results directory and the summary, by rank 0 of a distributed
 * run (cli_rank0). */
struct wr {
	const struct ft_compare_result *r;
	const char *out;
	int force, *plotted;
	char **summary;
};

static int write_rank0(const void *ctx)
{
	const struct wr *w = ctx;
	struct ft_error err = {0};

	if (ft_compare_write(w->r, w->out, w->force, &cli_monitor, w->plotted, &err) ||
	    ft_compare_summary(w->r, *w->plotted, w->summary, &err)) {
		cli_fail("%s", err.msg);
		return -1;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct argstore as = {0};
	struct cli_data d;
	struct ft_compare_opts o;
	struct ft_compare_result *r = NULL;
	struct ft_sweep *sw = NULL;
	struct ft_error err = {0};
	const char *out = NULL;
	char *methods = NULL, *cmdline = NULL, *summary = NULL;
	struct wr wr;
	int rc, force = 0, plotted = 1;

	cli_data_init(&d);
	ft_compare_opts_init(&o);
	if ((rc = load_config(argc, argv, LONG, &as)) != 0 ||
	    (rc = parse(&as, &d, &o, &methods, &out, &force)) != 0) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto done;
	}
	o.data = d.o;
	o.methods = methods;
	o.mon = &cli_monitor;
	/* every check before anything is read or fitted */
	if (ft_compare_check(&o, &err) || ft_sweep_parse_task(methods, o.task, &sw, &err)) {
		rc = cli_usage_error("compare", "%s", err.msg);
		goto done;
	}
	{
		/* "fairtrain compare ...", with the config file's options spliced in */
		char *j = cli_join_argv(as.argc, as.argv);
		size_t len = j ? strlen(j) : 0;
		cmdline = j ? malloc(len + 11) : NULL;
		if (cmdline)
			snprintf(cmdline, len + 11, "fairtrain %s", j);
		free(j);
	}
	rc = EXIT_FAIL;
	o.command_line = cmdline;
	if (!cmdline || ft_compare(&o, &r, &err)) {
		cli_fail("%s", cmdline ? err.msg : "out of memory");
		goto done;
	}
	/* rank 0 of a distributed run writes (it holds the measurements) */
	wr.r = r;
	wr.out = out;
	wr.force = force;
	wr.plotted = &plotted;
	wr.summary = &summary;
	if (cli_rank0(write_rank0, &wr))
		goto done;
	if (!cli_quiet && summary) {
		fputs(summary, stdout);
		printf("\nwrote %s/: results.h5, results.csv, runs.csv, summary.md%s (%.1f s)\n",
		       out, plotted == 0 ? ", tradeoff.svg/png, groups.svg/png, plots.gp" :
		       ", plots.gp", r->t_total);
	}
	rc = EXIT_OK;
done:
	ft_compare_result_free(r);
	ft_sweep_free(sw);
	free(methods);
	free(cmdline);
	free(summary);
	argstore_free(&as);
	cli_data_free(&d);
	return rc;
}
