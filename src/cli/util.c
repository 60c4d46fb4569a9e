/*
 * util.c - option parsing and messages shared by the subcommands.
 */
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"

int cli_quiet;

void cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fairtrain: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fairtrain %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'fairtrain %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return cli_usage_error(cmd, "option '%s' needs a value", arg);
	if (optopt && optopt < 256)
		return cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
}

int cli_unexpected_arg(const char *cmd, int argc, char **argv,
                       const struct option *longopts)
{
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i - 1], *v = argv[i];
		if (strncmp(o, "--", 2) || strchr(o, '=') || strncmp(v, "--", 2) || !v[2])
			continue;
		for (const struct option *l = longopts; l->name; l++)
			if (l->has_arg == required_argument && !strcmp(o + 2, l->name))
				return cli_usage_error(cmd, "unexpected argument '%s': %s took "
				                       "'%s' as its value (a value holding '>' or "
				                       "'<' must be quoted, as in --positive "
				                       "'>50K', or the shell reads a redirection)",
				                       argv[optind], o, v);
	}
	return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
}

void cli_progress(const char *fmt, ...)
{
	va_list ap;

	if (cli_quiet || !isatty(STDERR_FILENO))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cli_check_outputs(const char *cmd, const char *const *outs, size_t n_out,
                      const char *const *ins, size_t n_in)
{
	for (size_t i = 0; i < n_out; i++) {
		struct stat so, si;
		if (!outs[i] || !strcmp(outs[i], "-") || stat(outs[i], &so) != 0)
			continue;
		for (size_t j = 0; j < n_in; j++)
			if (ins[j] && stat(ins[j], &si) == 0 && so.st_dev == si.st_dev &&
			    so.st_ino == si.st_ino)
				return cli_usage_error(cmd, "the output %s is the input %s, which it "
				                       "would replace", outs[i], ins[j]);
	}
	return 0;
}

char **cli_split_list(const char *s, size_t *n)
{
	size_t k = 1, len = strlen(s);
	char **v, *buf;

	for (const char *p = s; *p; p++)
		k += *p == ',';
	/* one block: k+1 pointers followed by a copy of the text */
	v = malloc((k + 1) * sizeof *v + len + 1);
	if (!v)
		return NULL;
	buf = (char *)(v + k + 1);
	memcpy(buf, s, len + 1);
	k = 0;
	v[k++] = buf;
	for (char *p = buf; *p; p++)
		if (*p == ',') {
			*p = '\0';
			v[k++] = p + 1;
		}
	v[k] = NULL;
	*n = k;
	return v;
}

int cli_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (size_t)v;
	return 0;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	size_t v;

	if (cli_parse_size(s, &v))
		return -1;
	*out = v;
	return 0;
}

int cli_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

char *cli_join_argv(int argc, char **argv)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = p = malloc(len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		/* quote arguments the shell would split or expand */
		int q = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"\\$`|&;<>()*?[]#~") != NULL;
		if (i)
			*p++ = ' ';
		if (q)
			*p++ = '\'';
		for (const char *c = argv[i]; *c; c++) {
			if (q && *c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		if (q)
			*p++ = '\'';
	}
	*p = '\0';
	return s;
}

int cli_write_output(const char *out, int (*write)(FILE *fp, void *ctx), void *ctx)
{
	struct ft_atomic a = {0};
	struct ft_error err = {0};

	if (!strcmp(out, "-")) {
		if (write(stdout, ctx) || fflush(stdout)) {
			cli_fail("stdout: write error");
			return -1;
		}
		return 0;
	}
	if (ft_atomic_open(&a, out, &err)) {
		cli_fail("%s", err.msg);
		return -1;
	}
	if (write(a.fp, ctx)) {
		ft_atomic_abort(&a);
		cli_fail("%s: write error", out);
		return -1;
	}
	if (ft_atomic_commit(&a, &err)) {
		cli_fail("%s", err.msg);
		return -1;
	}
	return 0;
}

void cli_data_init(struct cli_data *d)
{
	memset(d, 0, sizeof *d);
	ft_data_opts_init(&d->o);
	d->o.filter = d->filter;
}

void cli_data_free(struct cli_data *d)
{
	for (size_t i = 0; i < sizeof d->lists / sizeof d->lists[0]; i++)
		free(d->lists[i]);
	for (size_t i = 0; i < d->n_files; i++)
		free(d->files[i]);
	free(d->files);
}

int cli_data_file(struct cli_data *d, const char *cmd, const char *arg)
{
	glob_t g;
	size_t n = 1;
	char **v;
	int pattern = strpbrk(arg, "*?[") != NULL, r = 0;

	memset(&g, 0, sizeof g);
	if (pattern && (r = glob(arg, 0, NULL, &g)) != 0) {
		globfree(&g);
		if (r == GLOB_NOMATCH)
			cli_usage_error(cmd, "--data '%s': no file matches", arg);
		else
			cli_fail("--data '%s': %s", arg, r == GLOB_NOSPACE ? "out of memory" :
			         "read error");
		return -1;
	}
	if (pattern)
		n = g.gl_pathc;
	if (!(v = realloc(d->files, (d->n_files + n) * sizeof *v))) {
		globfree(&g);
		cli_fail("out of memory");
		return -1;
	}
	d->files = v;
	for (size_t i = 0; i < n; i++) {
		/* glob sorts its matches (LC_COLLATE; "C" in the tools) */
		if (!(v[d->n_files] = strdup(pattern ? g.gl_pathv[i] : arg))) {
			globfree(&g);
			cli_fail("out of memory");
			return -1;
		}
		d->n_files++;
	}
	globfree(&g);
	d->o.data = d->files[0];
	d->o.files = (const char *const *)d->files;
	d->o.n_files = d->n_files > 1 ? d->n_files : 0;
	return 1;
}

int cli_rank0(int (*write)(const void *ctx), const void *ctx)
{
	int rc = ft_dist_rank() == 0 ? write(ctx) : 0;

	/* a file rank 0 could not write fails the run on every rank */
	return ft_dist_agree(rc ? FT_EIO : 0, NULL) ? -1 : 0;
}

/* Keep one owned list per slot; a repeated option replaces the earlier one. */
static char **own_list(struct cli_data *d, int slot, const char *arg, size_t *n)
{
	char **v = cli_split_list(arg, n);

	free(d->lists[slot]);
	d->lists[slot] = (char *)v;
	return v;
}

static int slot_of(int opt)
{
	switch (opt) {
	case OPT_SENSITIVE: return 0;
	case OPT_DROP: return 1;
	case OPT_CATEGORICAL: return 2;
	case OPT_NUMERIC: return 3;
	case OPT_NAMES: return 4;
	default: return 5;  /* OPT_MISSING_TOKENS */
	}
}

int cli_data_option(struct cli_data *d, const char *cmd, int opt, const char *arg)
{
	size_t n = 0;

	switch (opt) {
	case OPT_DATA: return cli_data_file(d, cmd, arg);
	case OPT_TEST: d->o.test = arg; return 1;
	case OPT_SPLIT:
		if (cli_parse_double(arg, &d->o.split) || d->o.split < 0 || d->o.split >= 1) {
			cli_usage_error(cmd, "--split takes a fraction in [0, 1), not '%s'", arg);
			return -1;
		}
		d->split_given = 1;
		return 1;
	case OPT_SEED:
		if (cli_parse_u64(arg, &d->o.seed)) {
			cli_usage_error(cmd, "--seed takes a non-negative integer, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_FILTER: {
		struct ft_error err = {0};
		if (d->o.n_filter == CLI_MAX_FILTERS) {
			cli_usage_error(cmd, "at most %d --filter options", CLI_MAX_FILTERS);
			return -1;
		}
		if (ft_filter_parse(arg, &d->filter[d->o.n_filter], &err)) {
			cli_usage_error(cmd, "%s", err.msg);
			return -1;
		}
		d->o.n_filter++;
		return 1;
	}
	case OPT_TARGET: d->o.spec.target = arg; return 1;
	case OPT_POSITIVE: d->o.spec.positive = arg; return 1;
	case OPT_LABEL_STRIP: d->o.spec.label_strip = arg; return 1;
	case OPT_ALLOW_NO_POSITIVE: d->o.allow_no_positive = 1; return 1;
	case OPT_PRIVILEGED: d->o.spec.privileged = arg; return 1;
	case OPT_WEIGHT: d->o.spec.weight = arg; return 1;
	case OPT_USE_SENSITIVE: d->o.spec.use_sensitive = 1; return 1;
	case OPT_SENSITIVE:
		d->o.spec.sensitive = own_list(d, slot_of(OPT_SENSITIVE), arg, &n);
		d->o.spec.n_sensitive = n;
		break;
	case OPT_DROP:
		d->o.spec.drop = own_list(d, slot_of(OPT_DROP), arg, &n);
		d->o.spec.n_drop = n;
		break;
	case OPT_CATEGORICAL:
		d->o.spec.categorical = own_list(d, slot_of(OPT_CATEGORICAL), arg, &n);
		d->o.spec.n_categorical = n;
		break;
	case OPT_NUMERIC:
		d->o.spec.numeric = own_list(d, slot_of(OPT_NUMERIC), arg, &n);
		d->o.spec.n_numeric = n;
		break;
	case OPT_NAMES:
		d->read_set |= FT_READ_NAMES;
		d->o.read.names = own_list(d, slot_of(OPT_NAMES), arg, &n);
		d->o.read.n_names = n;
		if (!d->header_given)
			d->o.read.header = 0;
		break;
	case OPT_MISSING_TOKENS:
		d->read_set |= FT_READ_MISSING;
		d->o.read.missing = own_list(d, slot_of(OPT_MISSING_TOKENS), arg, &n);
		d->o.read.n_missing = n;
		break;
	case OPT_HEADER: d->o.read.header = 1; d->header_given = 1; d->read_set |= FT_READ_HEADER; return 1;
	case OPT_NO_HEADER: d->o.read.header = 0; d->header_given = 1; d->read_set |= FT_READ_HEADER; return 1;
	case OPT_DELIMITER:
		d->read_set |= FT_READ_DELIMITER;
		d->o.read.whitespace = 0;
		if (!strcmp(arg, "whitespace")) {
			d->o.read.whitespace = 1;
			d->o.read.delimiter = ' ';
		} else if (!strcmp(arg, "tab") || !strcmp(arg, "\\t")) {
			d->o.read.delimiter = '\t';
		} else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r') {
			d->o.read.delimiter = arg[0];
		} else {
			cli_usage_error(cmd, "--delimiter takes one character, 'tab' or 'whitespace', not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_SKIP_ROWS:
		d->read_set |= FT_READ_SKIP;
		if (cli_parse_size(arg, &d->o.read.skip_rows)) {
			cli_usage_error(cmd, "--skip-rows takes a non-negative integer, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_TEST_SKIP_ROWS: {
		size_t v;
		if (cli_parse_size(arg, &v)) {
			cli_usage_error(cmd, "--test-skip-rows takes a non-negative integer, not '%s'", arg);
			return -1;
		}
		d->o.test_skip_rows = (long)v;
		return 1;
	}
	case OPT_MISSING:
		if (!strcmp(arg, "drop"))
			d->o.spec.missing_policy = FT_MISSING_DROP;
		else if (!strcmp(arg, "impute"))
			d->o.spec.missing_policy = FT_MISSING_IMPUTE;
		else {
			cli_usage_error(cmd, "--missing takes 'drop' or 'impute', not '%s'", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
	/* list options land here: the only allocation that can fail */
	if (n == 0 || !d->lists[slot_of(opt)]) {
		cli_fail("out of memory");
		return -1;
	}
	return 1;
}

int cli_data_check(struct cli_data *d, const char *cmd, int need_target)
{
	if (!d->o.data) {
		cli_usage_error(cmd, "--data FILE is required");
		return -1;
	}
	if (need_target && !d->o.spec.target) {
		cli_usage_error(cmd, "--target COL is required");
		return -1;
	}
	if (need_target && !d->o.spec.positive) {
		cli_usage_error(cmd, "--positive VALUE is required (the favourable label)");
		return -1;
	}
	if (d->o.test && d->split_given) {
		cli_usage_error(cmd, "give either --test or --split, not both");
		return -1;
	}
	return 0;
}


/* --reference FILE[:COL]: the scores read now (ft_read_scores), kept until
 * exit. */
static double *g_ref;

static void free_reference(void)
{
	free(g_ref);
	g_ref = NULL;
}

static int reference_option(struct ft_measure_opts *m, const char *cmd, const char *arg)
{
	char path[4096];
	const char *colon = strrchr(arg, ':'), *col = "score";
	struct ft_error err = {0};
	size_t len = strlen(arg);

	if (colon && colon[1] && !strchr(colon, '/')) {
		len = (size_t)(colon - arg);
		col = colon + 1;
	}
	if (len == 0 || len >= sizeof path) {
		cli_usage_error(cmd, "--reference takes FILE or FILE:COLUMN, not '%s'", arg);
		return -1;
	}
	memcpy(path, arg, len);
	path[len] = '\0';
	free_reference();
	if (ft_read_scores(path, col, &g_ref, &m->n_ref, &err)) {
		cli_fail("--reference: %s", err.msg);
		return -1;
	}
	atexit(free_reference);
	m->ref = g_ref;
	return 1;
}

int cli_measure_option(struct ft_measure_opts *m, const char **report, const char *cmd,
                       int opt, const char *arg)
{
	switch (opt) {
	case OPT_THRESHOLD:
		if (cli_parse_double(arg, &m->threshold) ||
		    !(m->threshold > 0 && m->threshold <= 1)) {
			cli_usage_error(cmd, "--threshold takes a number in (0, 1], not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_BOOTSTRAP:
		if (cli_parse_size(arg, &m->n_bootstrap) || m->n_bootstrap > 1000000) {
			cli_usage_error(cmd, "--bootstrap takes an integer from 0 to 1000000, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_PERMUTATIONS:
		if (cli_parse_size(arg, &m->n_perm) || m->n_perm > 10000000) {
			cli_usage_error(cmd, "--permutations takes an integer from 0 to 10000000, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_LEVEL:
		if (cli_parse_double(arg, &m->level) || !(m->level > 0 && m->level < 1)) {
			cli_usage_error(cmd, "--level takes a number in (0, 1), not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_CONSISTENCY:
		if (cli_parse_size(arg, &m->consistency_k) || m->consistency_k < 1 ||
		    m->consistency_k > 1000) {
			cli_usage_error(cmd, "--consistency takes an integer from 1 to 1000, not '%s'",
			                arg);
			return -1;
		}
		return 1;
	case OPT_REFERENCE:
		return reference_option(m, cmd, arg);
	case OPT_REPORT: {
		const char *dot = strrchr(arg, '.');
		if (!dot || (strcmp(dot, ".json") && strcmp(dot, ".md") && strcmp(dot, ".csv"))) {
			cli_usage_error(cmd, "--report FILE must end in .json, .md or .csv, not '%s'", arg);
			return -1;
		}
		*report = arg;
		return 1;
	}
	default:
		return 0;
	}
}

int cli_dp_option(struct ft_measure_opts *m, const char *cmd, int opt, const char *arg)
{
	switch (opt) {
	case OPT_DP_EPSILON:
		if (cli_parse_double(arg, &m->dp_epsilon) ||
		    !(m->dp_epsilon > 0 && m->dp_epsilon <= 100)) {
			cli_usage_error(cmd, "--dp-epsilon takes a number in (0, 100], not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_DP_SEED:
		if (cli_parse_u64(arg, &m->dp_seed) || m->dp_seed == 0) {
			cli_usage_error(cmd, "--dp-seed takes a positive integer, not '%s'", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

int cli_fit_option(struct ft_logreg_params *lp, const char *cmd, int opt, const char *arg)
{
	size_t v;

	switch (opt) {
	case OPT_C:
		if (cli_parse_double(arg, &lp->C)) {
			cli_usage_error(cmd, "--C takes a number, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_SOLVER:
		if (!strcmp(arg, "auto"))
			lp->solver.solver = FT_SOLVER_AUTO;
		else if (!strcmp(arg, "newton"))
			lp->solver.solver = FT_SOLVER_NEWTON;
		else if (!strcmp(arg, "lbfgs"))
			lp->solver.solver = FT_SOLVER_LBFGS;
		else {
			cli_usage_error(cmd, "--solver takes auto, newton or lbfgs, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_MAX_ITER:
		if (cli_parse_size(arg, &v) || v == 0 || v > 1000000) {
			cli_usage_error(cmd, "--max-iter takes a positive integer, not '%s'", arg);
			return -1;
		}
		lp->solver.max_iter = (int)v;
		return 1;
	case OPT_TOL:
		if (cli_parse_double(arg, &lp->solver.tol)) {
			cli_usage_error(cmd, "--tol takes a number, not '%s'", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

const char *cli_find_task(int argc, char **argv)
{
	const char *task = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--task") && i + 1 < argc)
			task = argv[++i];
		else if (!strncmp(argv[i], "--task=", 7))
			task = argv[i] + 7;
	}
	return task;
}

/* ------------------------------------------------------------ monitor */

/* Progress on stderr (a terminal, not --quiet): one line per stage, and
 * for a comparison's fits a bar, fits done, elapsed time and the time left
 * at the mean pace so far. */
static int mon_progress(void *ctx, const char *stage, size_t done, size_t total,
                        const char *what)
{
	static double t0;
	char bar[31];
	double el, left;
	size_t fill;

	(void)ctx;
	if (cli_quiet || !isatty(STDERR_FILENO))
		return 0;
	if (strcmp(stage, "fit") || total < 2) {
		fprintf(stderr, "%s%s%s...\n", stage, what && *what ? " " : "", what ? what : "");
		return 0;
	}
	if (done == 0)
		t0 = cli_now();
	el = cli_now() - t0;
	left = done ? el / (double)done * (double)(total - done) : 0;
	fill = total ? done * 30 / total : 30;
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %zu/%zu fits  %d:%02d elapsed  ", bar, done, total,
	        (int)el / 60, (int)el % 60);
	if (done)
		fprintf(stderr, "%d:%02d left  ", (int)(left + 0.5) / 60, (int)(left + 0.5) % 60);
	else
		fprintf(stderr, "--:-- left  ");
	fprintf(stderr, "%-28.28s", what ? what : "");
	if (done == total)
		fprintf(stderr, "\r%*s\r", 110, "");
	fflush(stderr);
	return 0;
}

static void mon_warning(void *ctx, const char *msg)
{
	(void)ctx;
	if (cli_quiet)
		return;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%*s\r", 110, "");
	fprintf(stderr, "fairtrain: warning: %s\n", msg);
}

const struct ft_monitor cli_monitor = {mon_progress, mon_warning, NULL};

int cli_check_rerank(const char *cmd, const char *model, const struct ft_model_file *mf,
                     const char *rerank)
{
	struct ft_method_spec s;
	struct ft_error err = {0};

	if (!rerank)
		return 0;
	if (!mf->ranking) {
		cli_fail("%s: a classification model (method %s): --rerank needs a ranking "
		         "model (train --task rank)", model, mf->method);
		return EXIT_FAIL;
	}
	if (strcmp(rerank, "none") &&
	    ft_method_spec_parse(rerank, FT_TASK_RANK, FT_STAGE_RERANK, &s, &err))
		return cli_usage_error(cmd, "--rerank: %s", err.msg);
	return 0;
}
