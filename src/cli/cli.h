/*
 * cli.h - shared pieces of the command-line front end.  src/cli is the only
 * code that prints or exits; everything it computes comes from libfairtrain.
 */
#ifndef FT_CLI_H
#define FT_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "fairtrain.h"

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Options shared by the commands that read raw data (train, export). */
enum {
	OPT_DATA = 1000, OPT_TEST, OPT_SPLIT, OPT_SEED, OPT_TARGET, OPT_POSITIVE,
	OPT_SENSITIVE, OPT_PRIVILEGED, OPT_WEIGHT, OPT_DROP, OPT_CATEGORICAL,
	OPT_NUMERIC, OPT_USE_SENSITIVE, OPT_NAMES, OPT_HEADER, OPT_NO_HEADER,
	OPT_DELIMITER, OPT_SKIP_ROWS, OPT_TEST_SKIP_ROWS, OPT_MISSING,
	OPT_MISSING_TOKENS, OPT_LABEL_STRIP,
	OPT_FILTER,
	OPT_THRESHOLD, OPT_BOOTSTRAP, OPT_REPORT, OPT_LEVEL, OPT_PERMUTATIONS,
	OPT_C, OPT_SOLVER, OPT_MAX_ITER, OPT_TOL,
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
	{"filter", required_argument, NULL, OPT_FILTER}

/* Options of the commands that measure (train, eval, audit). */
#define CLI_MEASURE_LONGOPTS \
	{"threshold", required_argument, NULL, OPT_THRESHOLD}, \
	{"bootstrap", required_argument, NULL, OPT_BOOTSTRAP}, \
	{"level", required_argument, NULL, OPT_LEVEL}, \
	{"permutations", required_argument, NULL, OPT_PERMUTATIONS}, \
	{"report", required_argument, NULL, OPT_REPORT}

#define CLI_MEASURE_HELP \
"Measurement:\n" \
"  --threshold T          yhat = score >= T (default 0.5)\n" \
"  --bootstrap N          bootstrap resamples for the intervals (default 1000;\n" \
"                         0 = none); their seed is --seed\n" \
"  --level L              interval level (default 0.95)\n" \
"  --permutations N       permutation tests of the gaps between the two most\n" \
"                         different groups (default 1000; 0 = none)\n" \
"  --report FILE          also write the tables: FILE.json, FILE.md or FILE.csv\n"

struct cli_measure {
	double threshold;
	size_t n_bootstrap;
	double level;
	size_t n_perm;
	const char *report;
};
void cli_measure_init(struct cli_measure *m);
/* 1: handled, 0: not a measurement option, -1: bad value (message printed). */
int cli_measure_option(struct cli_measure *m, const char *cmd, int opt, const char *arg);

/* The logistic fit's options (train, compare): --C, --solver, --max-iter,
 * --tol into lp.  1: handled, 0: not one of them, -1: bad value (message
 * printed). */
int cli_fit_option(struct ft_logreg_params *lp, const char *cmd, int opt, const char *arg);

#define CLI_DATA_HELP \
"Data:\n" \
"  --data FILE            training data (CSV or delimited text)\n" \
"  --test FILE            separate test file (read like --data)\n" \
"  --split FRAC           else hold out FRAC of --data as test, stratified by\n" \
"                         label and group (default 0.25; 0 = no test part)\n" \
"  --seed N               seed of the split (default 1)\n" \
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
"  --sensitive COL[,COL]  sensitive attribute(s); several form\n" \
"                         intersectional groups ('Female&Black')\n" \
"  --privileged VALUE     privileged group (for signed metrics)\n" \
"  --use-sensitive        also use the sensitive columns as features\n" \
"  --weight COL           sample-weight column\n" \
"  --drop COL,...         columns to ignore\n" \
"  --categorical COL,...  force categorical (one-hot) encoding\n" \
"  --numeric COL,...      force numeric (standardized) encoding\n"

struct cli_data {
	const char *data, *test;
	double split;
	int split_given;
	uint64_t seed;
	long test_skip_rows;       /* -1: same as read.skip_rows */
	int header_given;
	struct ft_read_opts read;
	struct ft_spec spec;
	struct ft_filter filter[16];
	size_t n_filter;
	/* owned lists behind read/spec pointers */
	char *lists[8];
};

void cli_data_init(struct cli_data *d);
void cli_data_free(struct cli_data *d);
/* 1: handled, 0: not a data option, -1: bad value (message printed). */
int cli_data_option(struct cli_data *d, const char *cmd, int opt, const char *arg);
/* Which read options a command got on its command line, so that they
 * override those saved in a model file (predict, eval). */
struct cli_read_set {
	int header, delim, skip, names, missing;
};
void cli_read_set_mark(struct cli_read_set *set, int opt);
/* ro (a model's saved read options) takes d's values where set says so. */
void cli_override_read(struct ft_read_opts *ro, const struct cli_data *d,
                       const struct cli_read_set *set);
/* Check required data options after parsing; 0 ok, else prints and returns -1. */
int cli_data_check(struct cli_data *d, const char *cmd, int need_target);

/* Messages.  cli_fail prints "fairtrain: MSG" on stderr. */
void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "fairtrain CMD: MSG\nTry 'fairtrain CMD --help'." and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* getopt error for argv: unknown option or missing argument. */
int cli_bad_option(const char *cmd, int c, char **argv);
/* Split "a,b,c" into a NULL-terminated array in one allocation block; *n set. */
char **cli_split_list(const char *s, size_t *n);
int cli_parse_size(const char *s, size_t *out);
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_double(const char *s, double *out);
/* Write an output file with write(fp, ctx) (0, or -1 on a write error):
 * out "-" is stdout, else the file is written atomically (ft_atomic_*).
 * Prints the error and returns -1 on failure, leaving no file behind. */
int cli_write_output(const char *out, int (*write)(FILE *fp, void *ctx), void *ctx);
/* The command line as one string (for provenance). */
char *cli_join_argv(int argc, char **argv);
/* Progress messages on stderr only when it is a terminal and not --quiet. */
extern int cli_quiet;
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double cli_now(void);
/* strdup that returns NULL for NULL; the base name of a path (a pointer
 * into it); a copy of n strings (NULL on allocation failure). */
char *cli_strdup(const char *s);
const char *cli_basename(const char *path);
char **cli_strv_copy(char *const *v, size_t n);

int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* Ranking (cmd_rank.c).  cli_find_task: the value of --task in argv (NULL
 * when absent), looked up before option parsing so that train can hand the
 * whole command line to cmd_rank_train. */
const char *cli_find_task(int argc, char **argv);
int cmd_rank_train(int argc, char **argv);
/* predict and eval of a model file with /ranking (mf is borrowed; d and set
 * hold the data options given; rerank, when not NULL, replaces the saved
 * re-ranker, "none" for none).  Return an exit code. */
int cli_rank_predict(const char *model, const struct ft_model_file *mf,
                     struct cli_data *d, const struct cli_read_set *set,
                     const char *out, const char *rerank);
int cli_rank_eval(const char *model, const struct ft_model_file *mf,
                  struct cli_data *d, const struct cli_read_set *set,
                  const struct cli_measure *ms, const char *rerank);

#endif

/* The data of one run: tables, learned encoder, encoded parts. */
struct cli_loaded {
	struct ft_table *train_t, *test_t;
	size_t n_rows_file;            /* rows read from --data before any split */
	size_t n_filtered;             /* rows removed by --filter (both files) */
	struct ft_encoder *enc;
	struct ft_dataset *train, *test;
	struct ft_encode_stats st_train, st_test;
	char sha256[2][65];            /* of --data and --test */
};
/* Read --data (and --test, or split --data), fit the encoder on the training
 * part (or use enc when not NULL: it is then borrowed, not freed) and encode
 * both parts.  Prints the error and returns -1 on failure. */
int cli_load(struct cli_data *d, const struct ft_encoder *enc, struct cli_loaded *L);
void cli_loaded_free(struct cli_loaded *L, int free_enc);
/* Apply d's --filter options to *t in place (prints the error, -1). */
int cli_apply_filters(const struct cli_data *d, struct ft_table **t, size_t *n_removed);
/* Warn (stderr, unless --quiet) about unseen categories and imputed cells. */
void cli_warn_stats(const char *path, const struct ft_encode_stats *st);

/* Score ds with m (or the mixture mx, then the thresholds th; either may be
 * NULL: ft_classify) and append its rows to cmp (ft_comparison_measure, and
 * ft_comparison_permutation with n_perm permutations).  A randomized
 * classifier (mx or th) is measured by expectation over its decisions.
 * Prints the error and returns -1 on failure. */
int cli_measure_model(struct ft_comparison *cmp, size_t n_perm, const char *model_name,
                      const char *split, const struct ft_linear_model *m,
                      const struct ft_mixture *mx, const struct ft_thresholds *th,
                      const struct ft_dataset *ds, const struct ft_encoder *e);
/* Whether the rows of ds carry what model file mf needs to decide them
 * (the sensitive group, for per-group models and group thresholds); prints
 * "PATH:LINE: ..." or "PATH: ..." and returns -1 when not. */
int cli_check_groups(const struct ft_model_file *mf, const struct ft_dataset *ds,
                     const char *path);
/* Append a copy of the rows of model `from` on split as model `to`. */
int cli_copy_rows(struct ft_comparison *cmp, const char *from, const char *to,
                  const char *split);
/* A new comparison table with the measurement settings; NULL on ENOMEM. */
struct ft_comparison *cli_comparison_new(const struct cli_measure *ms, uint64_t seed);

/* Fill mf's provenance (version, time, command line, inputs d->data and
 * d->test with their SHA-256) and read options; the model file owns
 * copies.  argv is a command's (argv[-1] is "train"). */
int cli_provenance(struct ft_model_file *mf, const struct cli_data *d,
                   char sha256[][65], int argc, char **argv,
                   struct ft_error *err);

/* Store a method's name (the first method_len characters of method), its
 * parameters and diagnostics in mf (owned copies); -1 on allocation
 * failure. */
int cli_store_method(struct ft_model_file *mf, const char *method, size_t method_len,
                     size_t n_params, const char *const *names, const double *values,
                     size_t n_diag, const char (*diag_name)[FT_DIAG_NAME],
                     const double *diag);

/* One CSV field, quoted (RFC 4180) when it holds a comma, quote or line
 * break; NULL writes nothing.  -1 on a write error. */
int cli_csv_field(FILE *fp, const char *s);

/* What train prints and reports beside the comparison table. */
struct cli_extras {
	const char *decomp_model, *decomp_split;
	const char *group_a, *group_b;
	double gap;                    /* mean decision value a - b */
	size_t n_contrib;              /* largest contributions, sorted by |.| */
	const char **contrib_names;
	double *contrib;
	size_t n_proxy;                /* sorted by normalized MI, largest first */
	struct ft_proxy *proxy;
};

/* Gap decomposition of model m on ds (the pair of groups with the largest
 * gap in mean decision value, or the privileged group against the group
 * farthest from it) and the proxy report of train.  Missing parts are left
 * empty; returns -1 (message printed) only on allocation failure. */
int cli_extras_compute(struct cli_extras *x, const struct ft_linear_model *m,
                       const struct ft_dataset *ds, const char *model_name,
                       const char *split, const struct ft_encoder *e,
                       const struct ft_dataset *train);
void cli_extras_print(const struct cli_extras *x, const struct ft_encoder *e);
void cli_extras_free(struct cli_extras *x);

const struct ft_comparison_row *cli_find_row(const struct ft_comparison *c,
                                             const char *metric, const char *model,
                                             const char *split, const char *group,
                                             const char *conv);
/* The compact before/after table of one split; before may be NULL (one model). */
void cli_print_comparison(const struct ft_comparison *c, const char *split,
                          const char *before, const char *after,
                          size_t n_groups, char *const *group_names);
/* --report FILE: .json, .md or .csv by extension, written atomically.
 * Prints the error and returns -1 on failure. */
int cli_write_report(const char *path, const struct ft_comparison *c,
                     const struct cli_extras *x, size_t n_groups,
                     char *const *group_names);
