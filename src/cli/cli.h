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
	{"label-strip", required_argument, NULL, OPT_LABEL_STRIP}

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
	/* owned lists behind read/spec pointers */
	char *lists[8];
};

void cli_data_init(struct cli_data *d);
void cli_data_free(struct cli_data *d);
/* 1: handled, 0: not a data option, -1: bad value (message printed). */
int cli_data_option(struct cli_data *d, const char *cmd, int opt, const char *arg);
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
/* The command line as one string (for provenance). */
char *cli_join_argv(int argc, char **argv);
/* Progress messages on stderr only when it is a terminal and not --quiet. */
extern int cli_quiet;
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double cli_now(void);

int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_synth(int argc, char **argv);

#endif

/* The data of one run: tables, learned encoder, encoded parts. */
struct cli_loaded {
	struct ft_table *train_t, *test_t;
	size_t n_rows_file;            /* rows read from --data before any split */
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
/* Warn (stderr, unless --quiet) about unseen categories and imputed cells. */
void cli_warn_stats(const char *path, const struct ft_encode_stats *st);
