/*
 * util.c - option parsing and messages shared by the subcommands.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
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

char *cli_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

const char *cli_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

char **cli_strv_copy(char *const *v, size_t n)
{
	char **c = calloc(n ? n : 1, sizeof *c);

	for (size_t i = 0; c && i < n; i++)
		if (!(c[i] = strdup(v[i]))) {
			while (i-- > 0)
				free(c[i]);
			free(c);
			return NULL;
		}
	return c;
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
	d->split = 0.25;
	d->seed = 1;
	d->test_skip_rows = -1;
	ft_read_opts_init(&d->read);
	ft_spec_init(&d->spec);
}

void cli_data_free(struct cli_data *d)
{
	for (size_t i = 0; i < sizeof d->lists / sizeof d->lists[0]; i++)
		free(d->lists[i]);
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
	case OPT_DATA: d->data = arg; return 1;
	case OPT_TEST: d->test = arg; return 1;
	case OPT_SPLIT:
		if (cli_parse_double(arg, &d->split) || d->split < 0 || d->split >= 1) {
			cli_usage_error(cmd, "--split takes a fraction in [0, 1), not '%s'", arg);
			return -1;
		}
		d->split_given = 1;
		return 1;
	case OPT_SEED:
		if (cli_parse_u64(arg, &d->seed)) {
			cli_usage_error(cmd, "--seed takes a non-negative integer, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_FILTER: {
		struct ft_error err = {0};
		if (d->n_filter == sizeof d->filter / sizeof d->filter[0]) {
			cli_usage_error(cmd, "at most %zu --filter options",
			                sizeof d->filter / sizeof d->filter[0]);
			return -1;
		}
		if (ft_filter_parse(arg, &d->filter[d->n_filter], &err)) {
			cli_usage_error(cmd, "%s", err.msg);
			return -1;
		}
		d->n_filter++;
		return 1;
	}
	case OPT_TARGET: d->spec.target = arg; return 1;
	case OPT_POSITIVE: d->spec.positive = arg; return 1;
	case OPT_LABEL_STRIP: d->spec.label_strip = arg; return 1;
	case OPT_PRIVILEGED: d->spec.privileged = arg; return 1;
	case OPT_WEIGHT: d->spec.weight = arg; return 1;
	case OPT_USE_SENSITIVE: d->spec.use_sensitive = 1; return 1;
	case OPT_SENSITIVE:
		d->spec.sensitive = own_list(d, slot_of(OPT_SENSITIVE), arg, &n);
		d->spec.n_sensitive = n;
		break;
	case OPT_DROP:
		d->spec.drop = own_list(d, slot_of(OPT_DROP), arg, &n);
		d->spec.n_drop = n;
		break;
	case OPT_CATEGORICAL:
		d->spec.categorical = own_list(d, slot_of(OPT_CATEGORICAL), arg, &n);
		d->spec.n_categorical = n;
		break;
	case OPT_NUMERIC:
		d->spec.numeric = own_list(d, slot_of(OPT_NUMERIC), arg, &n);
		d->spec.n_numeric = n;
		break;
	case OPT_NAMES:
		d->read.names = own_list(d, slot_of(OPT_NAMES), arg, &n);
		d->read.n_names = n;
		if (!d->header_given)
			d->read.header = 0;
		break;
	case OPT_MISSING_TOKENS:
		d->read.missing = own_list(d, slot_of(OPT_MISSING_TOKENS), arg, &n);
		d->read.n_missing = n;
		break;
	case OPT_HEADER: d->read.header = 1; d->header_given = 1; return 1;
	case OPT_NO_HEADER: d->read.header = 0; d->header_given = 1; return 1;
	case OPT_DELIMITER:
		d->read.whitespace = 0;
		if (!strcmp(arg, "whitespace")) {
			d->read.whitespace = 1;
			d->read.delimiter = ' ';
		} else if (!strcmp(arg, "tab") || !strcmp(arg, "\\t")) {
			d->read.delimiter = '\t';
		} else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r') {
			d->read.delimiter = arg[0];
		} else {
			cli_usage_error(cmd, "--delimiter takes one character, 'tab' or 'whitespace', not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_SKIP_ROWS:
		if (cli_parse_size(arg, &d->read.skip_rows)) {
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
		d->test_skip_rows = (long)v;
		return 1;
	}
	case OPT_MISSING:
		if (!strcmp(arg, "drop"))
			d->spec.missing_policy = FT_MISSING_DROP;
		else if (!strcmp(arg, "impute"))
			d->spec.missing_policy = FT_MISSING_IMPUTE;
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
	if (!d->data) {
		cli_usage_error(cmd, "--data FILE is required");
		return -1;
	}
	if (need_target && !d->spec.target) {
		cli_usage_error(cmd, "--target COL is required");
		return -1;
	}
	if (need_target && !d->spec.positive) {
		cli_usage_error(cmd, "--positive VALUE is required (the favourable label)");
		return -1;
	}
	if (d->test && d->split_given) {
		cli_usage_error(cmd, "give either --test or --split, not both");
		return -1;
	}
	return 0;
}

void cli_read_set_mark(struct cli_read_set *set, int opt)
{
	switch (opt) {
	case OPT_HEADER: case OPT_NO_HEADER: set->header = 1; break;
	case OPT_DELIMITER: set->delim = 1; break;
	case OPT_SKIP_ROWS: set->skip = 1; break;
	case OPT_NAMES: set->names = 1; break;
	case OPT_MISSING_TOKENS: set->missing = 1; break;
	default: break;
	}
}

void cli_override_read(struct ft_read_opts *ro, const struct cli_data *d,
                       const struct cli_read_set *set)
{
	if (set->header || set->names)
		ro->header = d->read.header;
	if (set->names) {
		ro->names = d->read.names;
		ro->n_names = d->read.n_names;
	}
	if (set->delim) {
		ro->delimiter = d->read.delimiter;
		ro->whitespace = d->read.whitespace;
	}
	if (set->skip)
		ro->skip_rows = d->read.skip_rows;
	if (set->missing) {
		ro->missing = d->read.missing;
		ro->n_missing = d->read.n_missing;
	}
}
