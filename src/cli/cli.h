/*
 * cli.h - the fairtrain command: option parsing, calling the library's
 * verbs, printing.  src/cli is the only code that prints or exits;
 * everything it computes comes from libfairtrain (it links the shared
 * library and sees only include/fairtrain.h).
 */
#ifndef FT_CLI_H
#define FT_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "fairtrain.h"

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Options shared by the commands that read raw data. */
enum {
	OPT_DATA = 1000, OPT_TEST, OPT_SPLIT, OPT_SEED, OPT_TARGET, OPT_POSITIVE,
	OPT_SENSITIVE, OPT_PRIVILEGED, OPT_WEIGHT, OPT_DROP, OPT_CATEGORICAL,
	OPT_NUMERIC, OPT_USE_SENSITIVE, OPT_NAMES, OPT_HEADER, OPT_NO_HEADER,
	OPT_DELIMITER, OPT_SKIP_ROWS, OPT_TEST_SKIP_ROWS, OPT_MISSING,
	OPT_MISSING_TOKENS, OPT_LABEL_STRIP,
	OPT_FILTER, OPT_ALLOW_NO_POSITIVE,
	OPT_THRESHOLD, OPT_BOOTSTRAP, OPT_REPORT, OPT_LEVEL, OPT_PERMUTATIONS,
	OPT_DP_EPSILON, OPT_DP_SEED, OPT_CONSISTENCY, OPT_REFERENCE,
	OPT_C, OPT_SOLVER, OPT_MAX_ITER, OPT_TOL,
	OPT_AT, OPT_TIES, OPT_TIE_SEED, OPT_TARGET_SHARES,
	OPT_CMD_BASE = 1100         /* command-specific options start here */
};

#define CLI_DATA_LONGOPTS \
	{"data", required_argument, NULL, OPT_DATA}, \
	{"test", required_argument, NULL, OPT_TEST}, \
	{"split", required_argument, NULL, OPT_SPLIT}, \
	{"seed", required_argument, NULL, OPT_SEED}, \
	{"target", required_argument, NULL, OPT_TARGET}, \
	{"positive", required_argument, NULL, OPT_POSITIVE}, \
	{"sensitive", required_argument, NULL, OPT_SENSITIVE}, \
	{"privileged", required_argument, NULL, OPT_PRIVILEGED}, \
	{"weight", required_argument, NULL, OPT_WEIGHT}, \
	{"drop", required_argument, NULL, OPT_DROP}, \
	{"categorical", required_argument, NULL, OPT_CATEGORICAL}, \
	{"numeric", required_argument, NULL, OPT_NUMERIC}, \
	{"use-sensitive", no_argument, NULL, OPT_USE_SENSITIVE}, \
	{"names", required_argument, NULL, OPT_NAMES}, \
	{"header", no_argument, NULL, OPT_HEADER}, \
	{"no-header", no_argument, NULL, OPT_NO_HEADER}, \
	{"delimiter", required_argument, NULL, OPT_DELIMITER}, \
	{"skip-rows", required_argument, NULL, OPT_SKIP_ROWS}, \
	{"test-skip-rows", required_argument, NULL, OPT_TEST_SKIP_ROWS}, \
	{"missing", required_argument, NULL, OPT_MISSING}, \
	{"missing-tokens", required_argument, NULL, OPT_MISSING_TOKENS}, \
	{"label-strip", required_argument, NULL, OPT_LABEL_STRIP}, \
	{"filter", required_argument, NULL, OPT_FILTER}, \
	{"allow-no-positive", no_argument, NULL, OPT_ALLOW_NO_POSITIVE}

/* Options of the commands that measure (train, eval, audit). */
#define CLI_MEASURE_LONGOPTS \
	{"threshold", required_argument, NULL, OPT_THRESHOLD}, \
	{"bootstrap", required_argument, NULL, OPT_BOOTSTRAP}, \
	{"level", required_argument, NULL, OPT_LEVEL}, \
	{"permutations", required_argument, NULL, OPT_PERMUTATIONS}, \
	{"consistency", required_argument, NULL, OPT_CONSISTENCY}, \
	{"reference", required_argument, NULL, OPT_REFERENCE}, \
	{"report", required_argument, NULL, OPT_REPORT}

/* How rankings are measured (train --task rank, eval, audit, compare). */
#define CLI_RANK_MEASURE_LONGOPTS \
	{"at", required_argument, NULL, OPT_AT}, \
	{"ties", required_argument, NULL, OPT_TIES}, \
	{"tie-seed", required_argument, NULL, OPT_TIE_SEED}, \
	{"target-shares", required_argument, NULL, OPT_TARGET_SHARES}

#define CLI_RANK_MEASURE_HELP \
"Measuring rankings (per query, then the mean over queries):\n" \
"  --at K[,K...]          cut-offs of the @k metrics (default 10)\n" \
"  --ties expect|random|input\n" \
"                         tied scores: the expectation over every order of\n" \
"                         the tied items (default), one seeded random order,\n" \
"                         or the input order\n" \
"  --tie-seed N           seed of --ties random (default 1)\n" \
"  --target-shares a/b/.. skew, NDKL and the infeasible index against these\n" \
"                         group shares (in group order; default: each query's)\n"

/* train --task rank: the intervals and tests (listed once elsewhere for
 * eval and audit, whose help gives CLI_RANK_TESTS_NOTE instead). */
#define CLI_RANK_TESTS_HELP \
"  --bootstrap N          resamples of the queries for the intervals (default\n" \
"                         1000; 0 = none); their seed is --seed\n" \
"  --level L              interval level (default 0.95)\n" \
"  --permutations N       sign flips of the paired tests over queries (each\n" \
"                         model against the one before it; default 1000)\n"

#define CLI_RANK_TESTS_NOTE \
"  For rankings, --bootstrap resamples the queries (seed --seed), and the\n" \
"  tests of --permutations are sign flips of paired differences over\n" \
"  queries (each model against the one before it).\n"
/* A private release of the tables (train, eval, audit). */
#define CLI_DP_LONGOPTS \
	{"dp-epsilon", required_argument, NULL, OPT_DP_EPSILON}, \
	{"dp-seed", required_argument, NULL, OPT_DP_SEED}

#define CLI_DP_HELP \
"Private release (differential privacy):\n" \
"  --dp-epsilon E         also release every group's confusion cells with\n" \
"                         geometric noise under epsilon E, with intervals\n" \
"                         that include the noise (spent on the measurement\n" \
"                         stage of the run's budget)\n" \
"  --dp-seed N            seeded noise for tests: NOT private, marked so\n"

#define CLI_MEASURE_HELP \
"Measurement:\n" \
"  --threshold T          yhat = score >= T (default 0.5)\n" \
"  --bootstrap N          bootstrap resamples for the intervals (default 1000;\n" \
"                         0 = none); their seed is --seed\n" \
"  --level L              interval level (default 0.95)\n" \
"  --permutations N       permutation tests of the gaps between the two most\n" \
"                         different groups (default 1000; 0 = none)\n" \
"  --consistency K        also AIF360's consistency (K nearest neighbours over\n" \
"                         the encoded features, exact: O(rows^2); not audit)\n" \
"  --reference FILE[:COL] also each group's score distribution's distances to\n" \
"                         this one: column COL (default score) of a CSV file,\n" \
"                         e.g. another model's predict output\n" \
"  --report FILE          also write the tables: FILE.json, FILE.md or FILE.csv\n"

/* The data options; CLI_DATA_HELP adds train's test part to them (compare
 * says what --test, --split and --seed mean to it). */
#define CLI_DATA_HELP \
"Data:\n" \
"  --data FILE            training data (CSV or delimited text); repeat it, or\n" \
"                         give a pattern ('part-*.csv'), for several files\n" \
"                         read as one (in a distributed run: a file or a\n" \
"                         byte range of one file per rank)\n" \
"  --test FILE            separate test file (read like --data)\n" \
"  --split FRAC           else hold out FRAC of --data as test, stratified by\n" \
"                         label and group (default 0.25; 0 = no test part)\n" \
"  --seed N               seed of the split (default 1)\n" \
CLI_DATA_READ_HELP
#define CLI_DATA_READ_HELP \
"  --names a,b,c          column names (implies --no-header unless --header)\n" \
"  --header, --no-header  whether the first row holds names (default header)\n" \
"  --delimiter C          field delimiter: one character, 'tab' or\n" \
"                         'whitespace' (runs of blanks); default ','\n" \
"  --skip-rows N          physical lines to skip first (default 0)\n" \
"  --test-skip-rows N     the same for --test (default: --skip-rows)\n" \
"  --missing-tokens LIST  cells read as missing (default: '',?,NA)\n" \
"  --missing drop|impute  rows with missing features: drop (default) or\n" \
"                         impute (numeric mean, most frequent category)\n" \
"  --filter EXPR          keep rows where EXPR holds: COL==V, COL!=V (text),\n" \
"                         COL<V, COL<=V, COL>V, COL>=V (numbers); repeat to\n" \
"                         combine (all must hold); applied to --data and --test\n" \
"Columns:\n" \
"  --target COL           label column (required)\n" \
"  --positive VALUE       the favourable label value (required)\n" \
"  --label-strip CHARS    strip these trailing characters from labels\n" \
"                         ('.' makes adult.test's '>50K.' read as '>50K')\n" \
"  --allow-no-positive    a test part without the positive label is expected\n" \
"                         (else an error naming the labels seen)\n" \
"  --sensitive COL[,COL]  sensitive attribute(s); several form\n" \
"                         intersectional groups ('Female&Black')\n" \
"  --privileged VALUE     privileged group (for signed metrics)\n" \
"  --use-sensitive        also use the sensitive columns as features\n" \
"  --weight COL           sample-weight column\n" \
"  --drop COL,...         columns to ignore\n" \
"  --categorical COL,...  force categorical (one-hot) encoding\n" \
"  --numeric COL,...      force numeric (standardized) encoding\n"

/* The data options of a command: the library's struct, and the storage
 * behind its pointers. */
#define CLI_MAX_FILTERS 16
struct cli_data {
	struct ft_data_opts o;
	int split_given, header_given;
	unsigned read_set;             /* FT_READ_* bits given on the command line */
	struct ft_filter filter[CLI_MAX_FILTERS];
	char *lists[8];                /* owned lists behind o's pointers */
	char **files;                  /* --data, repeated or patterns: every file */
	size_t n_files;
};
void cli_data_init(struct cli_data *d);
void cli_data_free(struct cli_data *d);
/* 1: handled, 0: not a data option, -1: bad value (message printed). */
int cli_data_option(struct cli_data *d, const char *cmd, int opt, const char *arg);
/* --data FILE or PATTERN (glob(3), sorted; repeated: in order) into
 * d->files, d->o.data the first and d->o.files the list when there are
 * several; 1, or -1 (message printed). */
int cli_data_file(struct cli_data *d, const char *cmd, const char *arg);
/* Check required data options after parsing; 0 ok, else prints and returns -1. */
int cli_data_check(struct cli_data *d, const char *cmd, int need_target);

/* 1: handled, 0: not a measurement option, -1: bad value (message printed).
 * *report gets --report's file. */
int cli_measure_option(struct ft_measure_opts *m, const char **report, const char *cmd,
                       int opt, const char *arg);
/* The same for the ranking options (CLI_RANK_MEASURE_LONGOPTS). */
int cli_rank_measure_option(struct ft_measure_opts *m, const char *cmd, int opt,
                            const char *arg);
/* The logistic fit's options: --C, --solver, --max-iter, --tol. */
int cli_fit_option(struct ft_logreg_params *lp, const char *cmd, int opt, const char *arg);
/* --dp-epsilon, --dp-seed: as cli_data_option. */
int cli_dp_option(struct ft_measure_opts *m, const char *cmd, int opt, const char *arg);
/* The private release and the budget that paid for it (either may be
 * NULL: nothing printed for it). */
void cli_print_dp(const struct ft_dp_audit *a, const struct ft_budget *b,
                  char *const *group_names, const char *what);

/* Messages.  cli_fail prints "fairtrain: MSG" on stderr. */
void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "fairtrain CMD: MSG\nTry 'fairtrain CMD --help'." and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* getopt error for argv: unknown option or missing argument. */
int cli_bad_option(const char *cmd, int c, char **argv);
/* An argument left over after the options (argv[optind]): a usage error.
 * When an option that takes a value took another option as its value
 * ("--positive --sensitive sex": the shell read an unquoted ">50K" as a
 * redirection), the message says so and how to quote. */
int cli_unexpected_arg(const char *cmd, int argc, char **argv,
                       const struct option *longopts);
/* Split "a,b,c" into a NULL-terminated array in one allocation block; *n set. */
char **cli_split_list(const char *s, size_t *n);
/* An output (--out, --report) that is one of the inputs (--data, --test,
 * --model): a usage error, before any work. */
int cli_check_outputs(const char *cmd, const char *const *outs, size_t n_out,
                      const char *const *ins, size_t n_in);
/* text after a lead of lead_len columns already printed, wrapped at 79
 * columns, continuation lines indented by indent. */
void cli_print_wrapped(size_t lead_len, size_t indent, const char *text);
/* "LABEL    newton: 7 iterations, objective ..., converged" (a fixed-step
 * gradient descent says so instead of "NOT converged"). */
void cli_print_solver(const char *label, const struct ft_solver_result *r);
int cli_parse_size(const char *s, size_t *out);
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_double(const char *s, double *out);
/* Write an output with write(fp, ctx) (0, or -1 on a write error): out
 * "-" is stdout, else the file is written atomically (ft_atomic_*).
 * Prints the error and returns -1 on failure, leaving no file behind. */
int cli_write_output(const char *out, int (*write)(FILE *fp, void *ctx), void *ctx);
/* The command line as one string (for provenance), malloc'ed. */
char *cli_join_argv(int argc, char **argv);
/* Progress and warnings: a monitor that draws progress on stderr when it
 * is a terminal and not --quiet, and prints warnings unless --quiet. */
extern int cli_quiet;
extern const struct ft_monitor cli_monitor;
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double cli_now(void);
/* --rerank of predict and eval against model mf: 0 when fine, else the
 * exit code (message printed). */
int cli_check_rerank(const char *cmd, const char *model, const struct ft_model_file *mf,
                     const char *rerank);
/* The value of --task in argv (NULL when absent). */
const char *cli_find_task(int argc, char **argv);

/* Printing (print.c). */
/* The compact before/after table of one split; before may be NULL. */
void cli_print_comparison(const struct ft_comparison *c, const char *split,
                          const char *before, const char *after,
                          size_t n_groups, char *const *group_names);
/* A ranking table: baseline, mitigated, reranked (those present), each
 * after the first with its paired change and p-value; then what the skew
 * rows mean and how ties were measured (ties: enum ft_tie). */
void cli_print_ranking(const struct ft_comparison *c, const char *split, int ties);
/* Where the gap comes from and the proxies. */
void cli_print_explain(const struct ft_explain *x, const struct ft_encoder *e);
/* The registry's rows of a task and stage (-1: every stage but rerank),
 * with every parameter and its help. */
void cli_print_methods(int task, int stage);

/* Save a training run's model file (and --report): all or nothing; -1
 * with the message printed. */
int cli_save_run(const struct ft_train_result *r, const char *out, const char *report);

/* A distributed run (the MPI build under mpirun): rank 0 writes the
 * output with write(ctx) and every rank returns its result, 0 or -1 (the
 * message printed by rank 0).  In one process: write(ctx). */
int cli_rank0(int (*write)(const void *ctx), const void *ctx);

int cmd_train(int argc, char **argv);
int cmd_rank_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif
