/*
 * cmd_compare.c - `fairtrain compare`: sweep mitigation methods and their
 * parameters across stratified cross-validation folds (or repeated random
 * splits, or one given test file) on identical preprocessing and splits,
 * and write the results to one directory: results.h5, results.csv,
 * runs.csv, summary.md, and the trade-off and per-group plots (gnuplot,
 * plot.c).
 *
 * Every (setting, fold) sees exactly the same data: the fold's training
 * part fits one encoder and one unmitigated baseline, which every method of
 * that fold reuses (ft_fit_input.baseline, the warm start of most
 * methods), and every setting is measured on the same test rows.  Methods
 * go through the generic path only: method->fit, then ft_classify on the
 * fit output's model, mixture and thresholds (so randomized classifiers
 * and post-processing plug in with no change here), then
 * ft_comparison_measure with ft_eval_input.pos set.
 *
 * Everything the user asks for is checked before the first fit (the sweep
 * is expanded and every setting parsed by ft_method_parse; usage errors
 * exit 2), and the output directory is prepared before the data are read.
 * Files are written into a hidden staging directory inside --out and
 * renamed into place only when all of them are complete, so a failed run
 * leaves no partial output.
 *
 * It does not run fits in parallel processes: the row sums inside each fit
 * already use every core (OpenMP).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/compare.h"

enum { OPT_METHODS = OPT_CMD_BASE, OPT_FOLDS, OPT_REPEATS, OPT_OUT, OPT_FORCE,
       OPT_FAIRNESS, OPT_CONFIG, OPT_QUIET,
       OPT_HELP };

#define MAX_SETTINGS 1000
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
"                         is always included.  Example:\n"
"                         \"baseline reweigh prejudice:eta=1,5,25 cov-fair:c=0.1,0.01\"\n"
"  --fairness METRIC      the fairness summary of the x axis and the Pareto\n"
"                         criterion (default demographic_parity_difference,\n"
"                         convention between_groups)\n"
"Folds:\n"
"  --folds K              stratified (label, group) K-fold cross-validation\n"
"                         (default 5)\n"
"  --repeats R            R random stratified splits instead; --split FRAC\n"
"                         is their test fraction (default 0.25)\n"
"  --test FILE            one fold: train on --data, test on FILE\n"
"  --seed N               seed of the folds and splits (default 1)\n\n"
CLI_DATA_HELP
"Measurement:\n"
"  --threshold T          yhat = score >= T (default 0.5)\n"
"  --bootstrap N          bootstrap resamples per interval (default 0 = none)\n"
"  --level L              interval level (default 0.95)\n"
"Model:\n"
"  --C VALUE              inverse L2 strength of every fit (default 1)\n"
"  --max-iter N, --tol T  solver limits, as in train\n"
"Output:\n"
"  --out DIR              output directory (created; must be empty)\n"
"  --force                write into a non-empty DIR (replacing our files)\n"
"  --config FILE          read long options from FILE, one 'option = value'\n"
"                         a line ('#' comments; a flag alone on its line);\n"
"                         the command line adds to and overrides them\n"
"  --quiet                no progress, summary or warnings\n";

/* The method table in one line a method: name and parameters (choices
 * spelled out); `fairtrain train --help` has the help texts. */
static void print_methods(void)
{
	size_t n;
	const struct ft_method *m = ft_method_list(&n);

	printf("\nMethods (parameters; 'fairtrain train --help' explains them):\n");
	for (size_t i = 0; i < n; i++) {
		printf(m[i].n_params || !strcmp(m[i].name, "logreg") ? "  %-10s" : "  %s", m[i].name);
		for (size_t k = 0; k < m[i].n_params; k++) {
			const struct ft_param_def *p = &m[i].params[k];
			if (p->choices)
				printf("%s %s=%s", k ? "," : "", p->name, p->choices);
			else
				printf("%s %s", k ? "," : "", p->name);
		}
		printf("%s\n", strcmp(m[i].name, "logreg") ? "" : " (the baseline)");
	}
}

/* ------------------------------------------------------------ settings */

struct setting {
	const struct ft_method *m;
	double params[FT_MAX_PARAMS];
	char *method;              /* "baseline" or the method's name */
	char *spec;                /* canonical, accepted by ft_method_parse */
	char *label;               /* the parameter part, or the method */
};

struct sweep {
	size_t n;
	struct setting s[MAX_SETTINGS];
};

/* Shortest "%g" text that reads back as exactly v, with at least the
 * integer digits of v, so that 10 is "10" and not "1e+01". */
static void fmt_num(char *buf, size_t n, double v)
{
	int p0 = fabs(v) >= 1 && fabs(v) < 1e15 ? (int)floor(log10(fabs(v))) + 1 : 1;

	for (int p = p0; p <= 17; p++) {
		snprintf(buf, n, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static int sweep_push(struct sweep *sw, const struct ft_method *m, const double *params,
                      const char *method, const char *spec, const char *label)
{
	struct setting *s;

	for (size_t k = 0; k < sw->n; k++)
		if (!strcmp(sw->s[k].spec, spec))
			return 0;    /* listed twice: one setting */
	if (sw->n == MAX_SETTINGS)
		return -1;
	s = &sw->s[sw->n];
	s->m = m;
	memcpy(s->params, params, sizeof s->params);
	s->method = cli_strdup(method);
	s->spec = cli_strdup(spec);
	s->label = cli_strdup(label);
	if (!s->method || !s->spec || !s->label) {
		free(s->method);
		free(s->spec);
		free(s->label);
		return -1;
	}
	sw->n++;
	return 0;
}

static void sweep_free(struct sweep *sw)
{
	for (size_t k = 0; k < sw->n; k++) {
		free(sw->s[k].method);
		free(sw->s[k].spec);
		free(sw->s[k].label);
	}
	sw->n = 0;
}

/* The canonical string of one combination: the method's first choice
 * parameter bare when given (bare = 1), then the given parameters
 * "k=v" in table order.  *label gets the part after "name:". */
static void canonical(const struct ft_method *m, const int *given, const double *v,
                      int bare, char *spec, size_t n, char *label, size_t nl)
{
	size_t fc = m->n_params, len;
	char num[40];

	for (size_t k = 0; k < m->n_params; k++)
		if (m->params[k].choices) {
			fc = k;
			break;
		}
	label[0] = '\0';
	if (bare && fc < m->n_params && given[fc])
		snprintf(label, nl, "%s", ft_param_choice(&m->params[fc], v[fc]));
	for (size_t k = 0; k < m->n_params; k++) {
		const struct ft_param_def *p = &m->params[k];
		if (!given[k] || (bare && k == fc))
			continue;
		if (p->choices)
			snprintf(num, sizeof num, "%s", ft_param_choice(p, v[k]));
		else
			fmt_num(num, sizeof num, v[k]);
		len = strlen(label);
		snprintf(label + len, nl - len, "%s%s=%s", len ? "," : "", p->name, num);
	}
	snprintf(spec, n, "%s%s%s", m->name, label[0] ? ":" : "", label);
}

/* Expand one sweep token into settings.  On a usage error, msg holds one
 * line and -1 is returned. */
static int sweep_token(struct sweep *sw, const char *tok, char *msg, size_t msz)
{
	enum { MAXV = 64 };
	const struct ft_method *m;
	struct ft_error err = {0};
	const char *colon = strchr(tok, ':');
	size_t len = colon ? (size_t)(colon - tok) : strlen(tok), fc, total = 1;
	char name[64], *copy = NULL, *p, spec[512], label[448];
	double vals[FT_MAX_PARAMS][MAXV], params[FT_MAX_PARAMS];
	size_t nv[FT_MAX_PARAMS] = {0};
	int baseline, given[FT_MAX_PARAMS] = {0}, cur = -1, rc = -1;

	if (len == 0 || len >= sizeof name) {
		snprintf(msg, msz, "--methods: '%s' has no method name", tok);
		return -1;
	}
	memcpy(name, tok, len);
	name[len] = '\0';
	baseline = !strcmp(name, "baseline") || !strcmp(name, "logreg");
	if (ft_method_parse(baseline ? "logreg" : name, &m, params, &err)) {
		snprintf(msg, msz, "--methods: %s (or baseline)", err.msg);
		return -1;
	}
	for (fc = 0; fc < m->n_params && !m->params[fc].choices; fc++)
		;
	if (colon) {
		if (!colon[1]) {
			snprintf(msg, msz, "--methods: '%s': nothing after ':'", tok);
			return -1;
		}
		copy = cli_strdup(colon + 1);
		if (!copy) {
			snprintf(msg, msz, "out of memory");
			return -1;
		}
		/* "eg:dp:eps=1,2" reads as "eg:dp,eps=1,2" */
		for (p = copy; *p; p++)
			if (*p == ':')
				*p = ',';
		for (p = copy;;) {
			char *comma = strchr(p, ','), *eq, *val;
			int k;
			char one[256];
			double pv[FT_MAX_PARAMS];
			const struct ft_method *m2;

			if (comma)
				*comma = '\0';
			if (!*p) {
				snprintf(msg, msz, "--methods: '%s': empty value", tok);
				goto done;
			}
			eq = strchr(p, '=');
			if (eq) {
				*eq = '\0';
				for (k = 0; k < (int)m->n_params && strcmp(m->params[k].name, p); k++)
					;
				if (k == (int)m->n_params) {
					snprintf(one, sizeof one, "%s:%s=%s", m->name, p, eq + 1);
					ft_error_clear(&err);
					ft_method_parse(one, &m2, pv, &err);
					snprintf(msg, msz, "--methods: %s", err.msg);
					goto done;
				}
				if (given[k]) {
					snprintf(msg, msz, "--methods: '%s': parameter '%s' given twice", tok, p);
					goto done;
				}
				cur = k;
				val = eq + 1;
			} else {
				if (cur < 0) {
					if (fc == m->n_params) {
						snprintf(msg, msz, "--methods: '%s': '%s' is not NAME=VALUE",
						         tok, p);
						goto done;
					}
					cur = (int)fc;
				}
				val = p;
			}
			given[cur] = 1;
			/* one value alone through the library's parser: its
			 * checks and messages, its reading of the number */
			snprintf(one, sizeof one, "%s:%s=%s", m->name, m->params[cur].name, val);
			ft_error_clear(&err);
			if (ft_method_parse(one, &m2, pv, &err)) {
				snprintf(msg, msz, "--methods: %s", err.msg);
				goto done;
			}
			if (nv[cur] == MAXV) {
				snprintf(msg, msz, "--methods: '%s': at most %d values a parameter", tok, MAXV);
				goto done;
			}
			vals[cur][nv[cur]++] = pv[cur];
			if (!comma)
				break;
			p = comma + 1;
		}
	}
	for (size_t k = 0; k < m->n_params; k++)
		if (given[k]) {
			total *= nv[k];
			if (total > MAX_SETTINGS) {
				snprintf(msg, msz, "--methods: '%s' makes more than %d settings", tok,
				         MAX_SETTINGS);
				goto done;
			}
		}
	/* the Cartesian product, the last parameter varying fastest */
	for (size_t idx = 0; idx < total; idx++) {
		double want[FT_MAX_PARAMS], got[FT_MAX_PARAMS];
		const struct ft_method *m2;
		size_t r = idx;
		int ok = 0;

		memcpy(want, params, sizeof want);
		for (size_t k = m->n_params; k-- > 0;)
			if (given[k]) {
				want[k] = vals[k][r % nv[k]];
				r /= nv[k];
			}
		/* the bare form where the parser takes it, else choice by name;
		 * either way the string must parse back to the same values */
		for (int bare = 1; bare >= 0 && !ok; bare--) {
			canonical(m, given, want, bare, spec, sizeof spec, label, sizeof label);
			ft_error_clear(&err);
			ok = ft_method_parse(spec, &m2, got, &err) == 0 && m2 == m;
			for (size_t k = 0; ok && k < m->n_params; k++)
				ok = got[k] == want[k];
		}
		if (!ok) {
			snprintf(msg, msz, "--methods: '%s': %s", tok, err.msg[0] ? err.msg :
			         "setting does not parse back");
			goto done;
		}
		if (sweep_push(sw, m, want, baseline ? "baseline" : m->name, spec,
		               label[0] ? label : (baseline ? "baseline" : m->name))) {
			snprintf(msg, msz, "--methods: more than %d settings (or out of memory)",
			         MAX_SETTINGS);
			goto done;
		}
	}
	rc = 0;
done:
	free(copy);
	return rc;
}

/* All of --methods: blank-separated tokens; the baseline goes first. */
static int sweep_parse(struct sweep *sw, const char *text, char *msg, size_t msz)
{
	char tok[512];
	const char *p = text;

	while (*p) {
		size_t len;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " \t\n");
		if (len >= sizeof tok) {
			snprintf(msg, msz, "--methods: a setting of %zu characters is too long", len);
			return -1;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		p += len;
		if (sweep_token(sw, tok, msg, msz))
			return -1;
	}
	/* the settings of one method together, methods in order of first
	 * appearance (a stable insertion sort on that order) */
	for (size_t i = 1; i < sw->n; i++) {
		struct setting x = sw->s[i];
		size_t first = 0, j = i;
		while (strcmp(sw->s[first].method, x.method))
			first++;
		/* move x back to just after the last setting of its method */
		while (j > first + 1 && strcmp(sw->s[j - 1].method, x.method)) {
			sw->s[j] = sw->s[j - 1];
			j--;
		}
		sw->s[j] = x;
	}
	return 0;
}

/* --------------------------------------------------------- config file */

/* argv with the options of --config FILE spliced in before the command
 * line's own, which therefore add to them (lists, --filter) and override
 * them (single values: the last one wins).  Why this format rather than a
 * parser library (TOML, INI): the file holds exactly the long options, so
 * it needs no schema, no documentation and no dependency of its own,
 * `--help` describes both, and results.h5 records the run as one command
 * line with the file's options spliced in.  Experiments that need loops or
 * several runs are shell scripts calling the CLI, as experiments/ does. */
struct argstore {
	char **argv;               /* argc entries and a NULL */
	int argc;
	char *text;                /* the file; values point into it */
	char **owned;              /* the "--name" strings made here */
	size_t n_owned;
};

static void argstore_free(struct argstore *st)
{
	for (size_t i = 0; i < st->n_owned; i++)
		free(st->owned[i]);
	free(st->owned);
	free(st->argv);
	free(st->text);
	memset(st, 0, sizeof *st);
}

/* Cut blanks (and a CR) from both ends of s, in place. */
static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t\r");
	for (e = s + strlen(s); e > s && strchr(" \t\r", e[-1]); e--)
		;
	*e = '\0';
	return s;
}

static int read_text(const char *path, char **out)
{
	FILE *fp = fopen(path, "r");
	char *text = NULL, *t;
	size_t len = 0, cap = 0, k;

	*out = NULL;
	if (!fp) {
		cli_fail("%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (len + 4097 > cap) {
			cap = 2 * cap + 8192;
			if (!(t = realloc(text, cap))) {
				free(text);
				fclose(fp);
				cli_fail("out of memory");
				return -1;
			}
			text = t;
		}
		k = fread(text + len, 1, 4096, fp);
		len += k;
	} while (k > 0);
	if (ferror(fp)) {
		cli_fail("%s: cannot read: %s", path, strerror(errno));
		free(text);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	text[len] = '\0';
	*out = text;
	return 0;
}

/* 0 ok; else EXIT_USAGE (message printed) or EXIT_FAIL. */
static int load_config(int argc, char **argv, const struct option *longopts,
                       struct argstore *st)
{
	const char *path = NULL;
	char *line, *save = NULL;       /* save: the line after this one */
	size_t lines = 1, lineno;
	int n = 0;

	memset(st, 0, sizeof *st);
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
	}
	if (path && read_text(path, &st->text))
		return EXIT_FAIL;
	for (const char *c = st->text; c && *c; c++)
		lines += *c == '\n';
	st->argv = calloc((size_t)argc + 2 * lines + 1, sizeof *st->argv);
	st->owned = calloc(lines, sizeof *st->owned);
	if (!st->argv || !st->owned) {
		cli_fail("out of memory");
		return EXIT_FAIL;
	}
	st->argv[n++] = argv[0];
	for (line = st->text, lineno = 1; line && *line; line = save, lineno++) {
		char *name, *val = NULL, *eq, *opt;
		const struct option *o;
		size_t len;

		if ((save = strchr(line, '\n')) != NULL)
			*save++ = '\0';
		/* a comment runs from '#' at the start or after a blank */
		for (char *e = line; *e; e++)
			if (*e == '#' && (e == line || e[-1] == ' ' || e[-1] == '\t')) {
				*e = '\0';
				break;
			}
		if ((eq = strchr(line, '=')) != NULL) {
			*eq = '\0';
			val = trim(eq + 1);
			len = strlen(val);
			if (len >= 2 && (val[0] == '"' || val[0] == '\'') && val[len - 1] == val[0]) {
				val[len - 1] = '\0';
				val++;
			}
		}
		name = trim(line);
		if (!*name && !val)
			continue;
		if (!strncmp(name, "--", 2))
			name += 2;
		if (name[strcspn(name, " \t")])
			return cli_usage_error("compare", "%s:%zu: expected 'option = value', not "
			                       "'%s'", path, lineno, name);
		for (o = longopts; o->name && strcmp(o->name, name); o++)
			;
		if (!o->name || !strcmp(name, "config") || !strcmp(name, "help"))
			return cli_usage_error("compare", "%s:%zu: %s option '%s'", path, lineno,
			                       o->name ? "not a config file" : "unknown", name);
		if (o->has_arg == no_argument) {
			if (val && (!strcmp(val, "no") || !strcmp(val, "false") || !strcmp(val, "0")))
				continue;
			if (val && strcmp(val, "yes") && strcmp(val, "true") && strcmp(val, "1"))
				return cli_usage_error("compare", "%s:%zu: '%s' is a flag: give it "
				                       "alone or '= yes'", path, lineno, name);
		} else if (!val) {
			return cli_usage_error("compare", "%s:%zu: option '%s' needs '= value'",
			                       path, lineno, name);
		}
		len = strlen(o->name);
		if (!(opt = malloc(len + 3))) {
			cli_fail("out of memory");
			return EXIT_FAIL;
		}
		memcpy(opt, "--", 2);
		memcpy(opt + 2, o->name, len + 1);
		st->owned[st->n_owned++] = opt;
		st->argv[n++] = opt;
		if (o->has_arg != no_argument)
			st->argv[n++] = val;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			i++;
		else if (strncmp(argv[i], "--config=", 9))
			st->argv[n++] = argv[i];
	}
	st->argc = n;
	return 0;
}

/* ---------------------------------------------------- output directory */

/* Files are made in a hidden staging directory inside --out, then renamed
 * into place when every one of them is complete. */
struct outdir {
	const char *dir;
	char *stage;
	int created;               /* we made dir: removed again on failure */
	int force;
};

static const char *const OUT_FILES[] = {
	"results.h5", "results.csv", "runs.csv", "summary.md", NULL
};

static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (p) {
		memcpy(p, a, la);
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	}
	return p;
}

/* 1 empty, 0 not, -1 unreadable (errno set). */
static int dir_empty(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int empty = 1;

	if (!dp)
		return -1;
	while (empty && (e = readdir(dp)) != NULL)
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(dp);
	return empty;
}

static int out_prepare(struct outdir *o, const char *dir, int force)
{
	struct stat sb;
	int e;

	memset(o, 0, sizeof *o);
	o->dir = dir;
	o->force = force;
	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			cli_fail("%s: not a directory", dir);
			return -1;
		}
		e = dir_empty(dir);
		if (e < 0) {
			cli_fail("%s: cannot read: %s", dir, strerror(errno));
			return -1;
		}
		if (!e && !force) {
			cli_fail("%s: directory is not empty (--force writes into it)", dir);
			return -1;
		}
	} else if (errno != ENOENT || mkdir(dir, 0777) != 0) {
		cli_fail("%s: cannot create directory: %s", dir, strerror(errno));
		return -1;
	} else {
		o->created = 1;
	}
	o->stage = path_join(dir, ".fairtrain-compare.XXXXXX");
	if (!o->stage || !mkdtemp(o->stage)) {
		e = errno;
		cli_fail("%s: cannot write: %s", dir, o->stage ? strerror(e) : "out of memory");
		free(o->stage);
		o->stage = NULL;
		if (o->created)
			rmdir(dir);
		return -1;
	}
	return 0;
}

/* Remove the staging directory and what is in it (and --out when we made
 * it): nothing of a failed run is left. */
static void out_abort(struct outdir *o)
{
	DIR *dp;
	struct dirent *e;

	if (!o->stage)
		return;
	if ((dp = opendir(o->stage)) != NULL) {
		while ((e = readdir(dp)) != NULL) {
			char *p;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if ((p = path_join(o->stage, e->d_name)) != NULL)
				unlink(p);
			free(p);
		}
		closedir(dp);
	}
	rmdir(o->stage);
	if (o->created)
		rmdir(o->dir);
	free(o->stage);
	o->stage = NULL;
}

/* Move every staged file of names into dir.  A plot that was not drawn
 * this time is removed from dir (--force), so no stale plot stays beside
 * new results. */
static int out_publish(struct outdir *o, const char *const *names)
{
	int rc = 0, fd;

	for (size_t k = 0; names[k] && !rc; k++) {
		char *from = path_join(o->stage, names[k]), *to = path_join(o->dir, names[k]);
		if (!from || !to) {
			cli_fail("out of memory");
			rc = -1;
		} else if (access(from, F_OK) == 0) {
			if (rename(from, to) != 0) {
				cli_fail("%s: cannot write: %s", to, strerror(errno));
				rc = -1;
			}
		} else if (o->force) {
			unlink(to);
		}
		free(from);
		free(to);
	}
	if (!rc) {
		if ((fd = open(o->dir, O_RDONLY)) >= 0) {
			fsync(fd);
			close(fd);
		}
		rmdir(o->stage);
		free(o->stage);
		o->stage = NULL;
	}
	return rc;
}

/* An atomic text file in the staging directory. */
static FILE *stage_open(struct outdir *o, const char *name, struct ft_atomic *a)
{
	struct ft_error err = {0};
	char *p = path_join(o->stage, name);
	int rc = p ? ft_atomic_open(a, p, &err) : ft_error_set(&err, FT_ENOMEM, "out of memory");

	free(p);
	if (rc) {
		cli_fail("%s", err.msg);
		return NULL;
	}
	return a->fp;
}

static int stage_commit(struct ft_atomic *a)
{
	struct ft_error err = {0};

	if (ft_atomic_commit(a, &err)) {
		cli_fail("%s", err.msg);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ the runs */

struct run {
	struct ft_fit_output fo;
	int fitted;                /* fo holds a fit */
	struct ft_comparison *cmp; /* train and test rows, model = setting spec */
	char *error;               /* why the fit (or its measurement) failed */
	double seconds;            /* fit time */
	size_t n_train, n_test;
};

struct fold {
	struct ft_encoder *enc;
	size_t n_train, n_test;
	double seconds;            /* splitting and encoding */
};

/* The folds: k-fold assignment, split seeds, or the given test file. */
struct design {
	int scheme;                /* 0 k-fold, 1 repeated split, 2 test file */
	size_t n;
	uint32_t *fold;            /* k-fold: fold of every row */
	uint64_t seeds[MAX_FOLDS]; /* repeated splits */
	double split;
};

static const char *scheme_name(int s)
{
	return s == 0 ? "stratified_kfold" : s == 1 ? "repeated_split" : "test_file";
}

/* Training and test table of fold f; *owned says whether to free them. */
static int fold_tables(const struct design *ds, const struct cli_data *d,
                       struct ft_table *all, struct ft_table *test, size_t f,
                       struct ft_table **tr, struct ft_table **te, int *owned)
{
	struct ft_error err = {0};
	size_t *rows = NULL, n_te = 0, n_tr = 0, n = all->n_rows;
	int rc = 0;

	*tr = *te = NULL;
	*owned = 1;
	if (ds->scheme == 2) {
		*tr = all;
		*te = test;
		*owned = 0;
		return 0;
	}
	if (ds->scheme == 1) {
		rc = ft_table_split(all, &d->spec, ds->split, ds->seeds[f], tr, te, &err);
	} else {
		rows = malloc((n ? n : 1) * sizeof *rows);
		if (!rows) {
			cli_fail("out of memory");
			return -1;
		}
		/* test rows first, training rows from the end: one array */
		for (size_t i = 0; i < n; i++) {
			if (ds->fold[i] == f)
				rows[n_te++] = i;
			else
				rows[n - 1 - n_tr++] = i;
		}
		/* the training rows went in backwards: put them in file order */
		for (size_t i = 0; i < n_tr / 2; i++) {
			size_t x = rows[n_te + i];
			rows[n_te + i] = rows[n - 1 - i];
			rows[n - 1 - i] = x;
		}
		rc = ft_table_subset(all, rows + n_te, n_tr, tr, &err);
		if (!rc)
			rc = ft_table_subset(all, rows, n_te, te, &err);
		free(rows);
	}
	if (rc) {
		cli_fail("%s", err.msg);
		ft_table_free(*tr);
		ft_table_free(*te);
		*tr = *te = NULL;
		return -1;
	}
	return 0;
}

static long privileged_index(const struct ft_encoder *e)
{
	for (size_t g = 0; e->privileged && g < e->n_groups; g++)
		if (!strcmp(e->group_names[g], e->privileged))
			return (long)g;
	return -1;
}

/* Decide on ds with the fit output (the generic path: model, mixture,
 * thresholds) and append the measurements of split to c. */
static int measure(struct ft_comparison *c, const char *model, const char *split,
                   const struct ft_fit_output *fo, const struct ft_dataset *ds,
                   const struct ft_encoder *e, double *score, double *pos,
                   struct ft_error *err)
{
	struct ft_eval_input in;
	int rc;

	rc = ft_classify(fo->model, fo->mixture, fo->thresholds, ds, c->threshold,
	                 score, pos, err);
	if (rc)
		return rc;
	ft_eval_input_init(&in);
	in.n = ds->n;
	in.y = ds->y;
	in.score = score;
	in.pos = pos;
	in.w = ds->w;
	in.group = ds->group;
	in.n_groups = ds->group ? e->n_groups : 0;
	in.group_names = (const char *const *)e->group_names;
	in.privileged = privileged_index(e);
	in.threshold = c->threshold;
	return ft_comparison_measure(c, model, split, &in, err);
}

/* Progress on stderr (a terminal, not --quiet): a bar, fits done, elapsed
 * time and the time left at the mean pace so far. */
static void progress(size_t done, size_t total, double t0, const char *what)
{
	char bar[31];
	double el = cli_now() - t0, left = done ? el / (double)done * (double)(total - done) : 0;
	size_t fill = total ? done * 30 / total : 30;

	if (cli_quiet || !isatty(STDERR_FILENO))
		return;
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %zu/%zu fits  %d:%02d elapsed  ", bar, done, total,
	        (int)el / 60, (int)el % 60);
	if (done)
		fprintf(stderr, "%d:%02d left  ", (int)(left + 0.5) / 60, (int)(left + 0.5) % 60);
	else
		fprintf(stderr, "--:-- left  ");
	fprintf(stderr, "%-28.28s", what);
	if (done == total)
		fprintf(stderr, "\r%*s\r", 110, "");
	fflush(stderr);
}

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	va_list ap;

	if (cli_quiet)
		return;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%*s\r", 110, "");
	fputs("fairtrain: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* What the summary reports beside the table. */
struct report {
	const char *data;
	size_t n_rows_file, n_filtered;
	const struct design *ds;
	const struct cli_data *d;
	const struct ft_encoder *enc;     /* fold 1's */
	int fairness;
	double threshold;
	size_t n_bootstrap;
	double t_total, t_prep, t_fit, t_measure;
	size_t n_failed;
	int plotted;                       /* 0 drawn, 1 not */
};

/* What the folds share while they run. */
struct fold_ctx {
	struct cli_data *d;
	const struct design *ds;
	const struct sweep *sw;
	const struct ft_logreg_params *lp;
	const struct cli_measure *ms;
	struct ft_table *all, *test;
	struct run *runs;             /* ds->n * sw->n, fold-major */
	struct fold *folds;
	double *score, *pos;          /* scratch of the largest part so far */
	struct report *rp;            /* timings and the failure count */
	size_t unseen, unseen_groups; /* test cells and rows, summed over folds */
	size_t done, total;           /* fits, for the progress bar */
	double t0;
};

/* Fold f: split, encode, fit the baseline, then every setting with the
 * baseline as its warm start, and measure each on both parts.  A failed fit
 * of a mitigated setting is recorded in its run; anything else is an
 * error (printed, -1). */
static int run_fold(struct fold_ctx *C, size_t f)
{
	const struct sweep *sw = C->sw;
	struct ft_table *tr_t = NULL, *te_t = NULL;
	struct ft_dataset *tr = NULL, *te = NULL;
	struct ft_encode_stats st_tr, st_te;
	struct ft_linear_model *base = NULL;
	struct ft_solver_result bres;
	struct ft_fit_input fi;
	struct ft_error err = {0};
	struct fold *fo = &C->folds[f];
	int owned = 0, rc = -1;
	double *sc, *ps, t = cli_now();
	size_t nmax;

	if (fold_tables(C->ds, C->d, C->all, C->test, f, &tr_t, &te_t, &owned))
		goto done;
	if (ft_encoder_fit(tr_t, &C->d->spec, &fo->enc, &err) ||
	    ft_encoder_apply(fo->enc, tr_t, FT_APPLY_TRAIN, &tr, &st_tr, &err) ||
	    ft_encoder_apply(fo->enc, te_t, FT_APPLY_TRAIN, &te, &st_te, &err)) {
		if (C->ds->scheme == 2)
			cli_fail("%s", err.msg);
		else
			cli_fail("fold %zu: %s", f + 1, err.msg);
		goto done;
	}
	C->unseen += st_te.n_unseen;
	C->unseen_groups += st_te.n_unseen_groups;
	fo->n_train = tr->n;
	fo->n_test = te->n;
	nmax = tr->n > te->n ? tr->n : te->n;
	if ((sc = realloc(C->score, (nmax ? nmax : 1) * sizeof *sc)) != NULL)
		C->score = sc;
	if ((ps = realloc(C->pos, (nmax ? nmax : 1) * sizeof *ps)) != NULL)
		C->pos = ps;
	if (!sc || !ps) {
		cli_fail("out of memory");
		goto done;
	}
	fo->seconds = cli_now() - t;
	C->rp->t_prep += fo->seconds;

	/* the baseline: setting 0, and every method's in->baseline */
	t = cli_now();
	if (ft_logreg_fit(tr, C->lp, &base, &bres, &err)) {
		cli_fail("%s: fold %zu: baseline: %s", C->d->data, f + 1, err.msg);
		goto done;
	}
	memset(&fi, 0, sizeof fi);
	fi.train = tr;
	fi.n_groups = fo->enc->n_groups;
	fi.group_names = (const char *const *)fo->enc->group_names;
	fi.privileged = privileged_index(fo->enc);
	fi.lr = C->lp;
	fi.baseline = base;
	fi.baseline_objective = bres.f;
	for (size_t s = 0; s < sw->n; s++) {
		struct run *u = &C->runs[f * sw->n + s];
		const struct setting *se = &sw->s[s];
		double tm;

		u->n_train = tr->n;
		u->n_test = te->n;
		ft_error_clear(&err);
		if (s == 0) {
			u->fo.model = base;      /* the run owns it from here */
			base = NULL;
			u->fo.res = bres;
			u->seconds = cli_now() - t;
		} else {
			fi.params = se->params;
			t = cli_now();
			if (se->m->fit(&fi, &u->fo, &err) == 0 && !u->fo.model)
				ft_error_set(&err, FT_EINVAL, "the fit returned no model");
			u->seconds = cli_now() - t;
		}
		C->rp->t_fit += u->seconds;
		if (!err.code) {
			u->fitted = 1;
			tm = cli_now();
			u->cmp = cli_comparison_new(C->ms, C->d->seed);
			if (!u->cmp)
				ft_error_set(&err, FT_ENOMEM, "out of memory");
			else if (!measure(u->cmp, se->spec, "train", &u->fo, tr, fo->enc,
			                  C->score, C->pos, &err))
				measure(u->cmp, se->spec, "test", &u->fo, te, fo->enc,
				        C->score, C->pos, &err);
			C->rp->t_measure += cli_now() - tm;
		}
		if (err.code) {
			if (s == 0 || err.code == FT_ENOMEM) {
				cli_fail("%s: fold %zu: %s: %s", C->d->data, f + 1, se->spec, err.msg);
				goto done;
			}
			u->error = cli_strdup(err.msg);
			ft_comparison_free(u->cmp);
			u->cmp = NULL;
			C->rp->n_failed++;
			warn("fold %zu: %s: %s", f + 1, se->spec, err.msg);
		}
		progress(++C->done, C->total, C->t0, se->spec);
	}
	rc = 0;
done:
	ft_linear_model_free(base);
	if (owned) {
		ft_table_free(tr_t);
		ft_table_free(te_t);
	}
	ft_dataset_free(tr);
	ft_dataset_free(te);
	return rc;
}

/* ---------------------------------------------------------- statistics */

/* Short column heads of the fairness summaries, in enum ft_fairness order. */
static const char *const FAIR_HEAD[FT_N_FAIRNESS] = {
	"DP diff", "DP ratio", "EOp diff", "EO diff", "EO diff (mean)", "AOD",
	"error diff", "PP diff", "AUC diff", "GEI", "Theil", "GEI between",
	"Theil between"
};

/* Summaries that are a gap between groups have a between_groups value;
 * the inequality indices are over rows ("individual"). */
static const char *fair_convention(int f)
{
	return f <= FT_F_AUC_GAP ? ft_convention_name(FT_CONV_BETWEEN) :
	       ft_convention_name(FT_CONV_INDIVIDUAL);
}

/* Mean and sample sd over the folds where (metric, group, convention) of
 * the test part is defined. */
static struct cmp_stat fold_stat(const struct run *runs, size_t n_folds, size_t n_set,
                                 size_t s, const char *spec, const char *metric,
                                 const char *group, const char *conv)
{
	struct cmp_stat st = {NAN, NAN, 0};
	double sum = 0, ss = 0, v[MAX_FOLDS];

	for (size_t f = 0; f < n_folds; f++) {
		const struct run *r = &runs[f * n_set + s];
		const struct ft_comparison_row *row;
		if (!r->cmp)
			continue;
		row = cli_find_row(r->cmp, metric, spec, "test", group, conv);
		if (row && !row->why)
			v[st.n++] = row->value;
	}
	for (size_t k = 0; k < st.n; k++)
		sum += v[k];
	if (st.n)
		st.mean = sum / (double)st.n;
	for (size_t k = 0; k < st.n; k++)
		ss += (v[k] - st.mean) * (v[k] - st.mean);
	if (st.n > 1)
		st.sd = sqrt(ss / (double)(st.n - 1));
	return st;
}

/* Is a at least as good as b on both axes and better on one? */
static int dominates(const struct cmp_point *a, const struct cmp_point *b, int higher)
{
	double fa = higher ? -a->fair.mean : a->fair.mean;
	double fb = higher ? -b->fair.mean : b->fair.mean;

	return a->acc.mean >= b->acc.mean && fa <= fb &&
	       (a->acc.mean > b->acc.mean || fa < fb);
}

static int point_ok(const struct cmp_point *p)
{
	return p->acc.n > 0 && p->fair.n > 0;
}

/* Pareto flags, and the best setting of each method for groups.svg: the
 * one closest to the ideal point (the best accuracy and the best fairness
 * seen in the run), each axis scaled by its range over all settings - a
 * compromise that neither keeps the most accurate setting nor the one
 * that buys parity with a constant classifier. */
static void mark_points(struct cmp_point *pt, size_t n, int higher)
{
	double amin = INFINITY, amax = -INFINITY, fmin_ = INFINITY, fmax_ = -INFINITY;

	for (size_t i = 0; i < n; i++) {
		pt[i].pareto = point_ok(&pt[i]);
		for (size_t j = 0; j < n && pt[i].pareto; j++)
			if (j != i && point_ok(&pt[j]) && dominates(&pt[j], &pt[i], higher))
				pt[i].pareto = 0;
		if (point_ok(&pt[i])) {
			amin = fmin(amin, pt[i].acc.mean);
			amax = fmax(amax, pt[i].acc.mean);
			fmin_ = fmin(fmin_, pt[i].fair.mean);
			fmax_ = fmax(fmax_, pt[i].fair.mean);
		}
	}
	for (size_t i = 0; i < n; i++) {
		double best = INFINITY;
		size_t arg = n;
		if (pt[i].baseline || (i > 0 && !strcmp(pt[i].method, pt[i - 1].method)))
			continue;  /* once per method, from its first setting */
		for (size_t j = i; j < n && !strcmp(pt[j].method, pt[i].method); j++) {
			double da, df, d;
			if (!point_ok(&pt[j]))
				continue;
			da = (amax - pt[j].acc.mean) / (amax > amin ? amax - amin : 1);
			df = (higher ? fmax_ - pt[j].fair.mean : pt[j].fair.mean - fmin_) /
			     (fmax_ > fmin_ ? fmax_ - fmin_ : 1);
			d = da * da + df * df;
			if (d < best) {
				best = d;
				arg = j;
			}
		}
		if (arg < n)
			pt[arg].best = 1;
	}
}

/* ------------------------------------------------------------- writers */

static void csv_num(FILE *fp, int defined, double v)
{
	if (defined)
		fprintf(fp, ",%.17g", v);
	else
		fputc(',', fp);
}

/* results.csv: one tidy row per method, setting, fold, split, group,
 * metric and convention; values to 17 digits (exactly the stored double). */
static int write_results_csv(struct outdir *o, const struct sweep *sw,
                             const struct run *runs, size_t n_folds)
{
	struct ft_atomic a;
	FILE *fp = stage_open(o, "results.csv", &a);

	if (!fp)
		return -1;
	fputs("method,setting,fold,split,group,metric,convention,value,lo,hi,why\n", fp);
	for (size_t f = 0; f < n_folds; f++)
		for (size_t s = 0; s < sw->n; s++) {
			const struct run *r = &runs[f * sw->n + s];
			for (size_t i = 0; r->cmp && i < r->cmp->n; i++) {
				const struct ft_comparison_row *row = &r->cmp->rows[i];
				cli_csv_field(fp, sw->s[s].method);
				fputc(',', fp);
				cli_csv_field(fp, sw->s[s].spec);
				fprintf(fp, ",%zu,", f + 1);
				cli_csv_field(fp, row->split);
				fputc(',', fp);
				cli_csv_field(fp, row->group);
				fputc(',', fp);
				cli_csv_field(fp, row->metric);
				fputc(',', fp);
				cli_csv_field(fp, row->convention);
				csv_num(fp, !row->why, row->value);
				csv_num(fp, !row->ci_why, row->lo);
				csv_num(fp, !row->ci_why, row->hi);
				fputc(',', fp);
				cli_csv_field(fp, row->why ? row->why : "");
				fputc('\n', fp);
			}
		}
	return stage_commit(&a);
}

/* runs.csv: one row per fit. */
static int write_runs_csv(struct outdir *o, const struct sweep *sw,
                          const struct run *runs, size_t n_folds)
{
	struct ft_atomic a;
	FILE *fp = stage_open(o, "runs.csv", &a);

	if (!fp)
		return -1;
	fputs("method,setting,fold,status,seconds,n_train,n_test,solver,iterations,"
	      "converged,error\n", fp);
	for (size_t f = 0; f < n_folds; f++)
		for (size_t s = 0; s < sw->n; s++) {
			const struct run *r = &runs[f * sw->n + s];
			cli_csv_field(fp, sw->s[s].method);
			fputc(',', fp);
			cli_csv_field(fp, sw->s[s].spec);
			fprintf(fp, ",%zu,%s,%.6f,%zu,%zu,%s,%d,%d,", f + 1,
			        r->error ? "failed" : "ok", r->seconds, r->n_train, r->n_test,
			        r->fitted ? ft_solver_name(r->fo.res.solver) : "",
			        r->fitted ? r->fo.res.iterations : 0,
			        r->fitted && r->fo.res.converged);
			cli_csv_field(fp, r->error ? r->error : "");
			fputc('\n', fp);
		}
	return stage_commit(&a);
}

static void md_stat(FILE *fp, struct cmp_stat st)
{
	if (st.n == 0)
		fputs(" | undefined", fp);
	else if (st.n == 1 || isnan(st.sd))
		fprintf(fp, " | %.4f", st.mean);
	else
		fprintf(fp, " | %.4f ± %.4f", st.mean, st.sd);
}


/* summary.md; also what compare prints. */
static int write_summary(struct outdir *o, const struct report *rp,
                         const struct sweep *sw, const struct run *runs,
                         const struct fold *folds, const struct cmp_point *pt,
                         char **text)
{
	struct ft_atomic a;
	FILE *fp = stage_open(o, "summary.md", &a), *mem = NULL;
	const struct design *ds = rp->ds;
	const struct ft_encoder *e = rp->enc;
	int fcols[5], nf = 0, rc;
	char *buf = NULL;
	size_t bufsize = 0, ntr = 0, nte = 0;
	static const int STD[] = {FT_F_DP_DIFF, FT_F_DP_RATIO, FT_F_EO_DIFF, FT_F_EOP_DIFF};
	static const struct { const char *metric, *head; } PERF[] = {
		{"accuracy", "accuracy"}, {"balanced_accuracy", "balanced accuracy"}, {"auc", "AUC"},
	};

	if (!fp)
		return -1;
	/* written to memory first: the same text is printed */
	mem = open_memstream(&buf, &bufsize);
	if (!mem) {
		ft_atomic_abort(&a);
		cli_fail("out of memory");
		return -1;
	}
	fcols[nf++] = rp->fairness;
	for (size_t k = 0; k < sizeof STD / sizeof STD[0]; k++)
		if (STD[k] != rp->fairness)
			fcols[nf++] = STD[k];
	for (size_t f = 0; f < ds->n; f++) {
		ntr += folds[f].n_train;
		nte += folds[f].n_test;
	}
	fprintf(mem, "# fairtrain compare\n\n");
	fprintf(mem, "- data: `%s`, %zu rows", rp->data, rp->n_rows_file);
	if (rp->n_filtered)
		fprintf(mem, ", %zu removed by --filter", rp->n_filtered);
	if (rp->d->test)
		fprintf(mem, "; test file `%s`", rp->d->test);
	fprintf(mem, "\n- target: %s = %s; sensitive: ", e->target, e->positive);
	for (size_t k = 0; k < e->n_sensitive; k++)
		fprintf(mem, "%s%s", k ? "&" : "", e->sensitive[k]);
	fprintf(mem, " (groups:");
	for (size_t g = 0; g < e->n_groups; g++)
		fprintf(mem, "%s %s", g ? "," : "", e->group_names[g]);
	fprintf(mem, "%s%s)\n", e->privileged ? "; privileged " : "",
	        e->privileged ? e->privileged : "");
	if (ds->scheme == 0)
		fprintf(mem, "- design: %zu-fold cross-validation stratified by label and group, "
		        "seed %llu", ds->n, (unsigned long long)rp->d->seed);
	else if (ds->scheme == 1)
		fprintf(mem, "- design: %zu random splits stratified by label and group, %g "
		        "held out, seed %llu", ds->n, ds->split, (unsigned long long)rp->d->seed);
	else
		fprintf(mem, "- design: one split: train on `%s`, test on `%s`", rp->data,
		        rp->d->test);
	fprintf(mem, "; %.0f training and %.0f test rows a fold on average after "
	        "encoding\n", (double)ntr / (double)ds->n, (double)nte / (double)ds->n);
	fprintf(mem, "- every setting of a fold shares its encoder, its baseline fit and "
	        "its test rows; yhat = score >= %g", rp->threshold);
	if (rp->n_bootstrap)
		fprintf(mem, "; %zu bootstrap resamples per interval (results.csv)", rp->n_bootstrap);
	fprintf(mem, "\n- fairness criterion: %s (%s; %s is fairer)\n\n",
	        ft_fairness_name(rp->fairness), fair_convention(rp->fairness),
	        rp->fairness == FT_F_DP_RATIO ? "higher" : "lower");

	fprintf(mem, "## Test results (mean ± sd over %zu fold%s)\n\n", ds->n,
	        ds->n == 1 ? "" : "s");
	fprintf(mem, "| method | setting");
	for (size_t k = 0; k < sizeof PERF / sizeof PERF[0]; k++)
		fprintf(mem, " | %s", PERF[k].head);
	for (int k = 0; k < nf; k++)
		fprintf(mem, " | %s%s", FAIR_HEAD[fcols[k]], k ? "" : " *");
	fprintf(mem, " | Pareto | fit (s) |\n|---|---");
	for (size_t k = 0; k < sizeof PERF / sizeof PERF[0] + (size_t)nf + 2; k++)
		fprintf(mem, "|---:");
	fprintf(mem, "|\n");
	for (size_t s = 0; s < sw->n; s++) {
		double sec = 0;
		size_t ok = 0;
		for (size_t f = 0; f < ds->n; f++) {
			sec += runs[f * sw->n + s].seconds;
			ok += runs[f * sw->n + s].error == NULL;
		}
		fprintf(mem, "| %s | `%s`", sw->s[s].method, sw->s[s].spec);
		if (ok < ds->n)
			fprintf(mem, " (%zu of %zu folds)", ok, ds->n);
		for (size_t k = 0; k < sizeof PERF / sizeof PERF[0]; k++)
			md_stat(mem, fold_stat(runs, ds->n, sw->n, s, sw->s[s].spec, PERF[k].metric,
			                       "overall", ""));
		for (int k = 0; k < nf; k++)
			md_stat(mem, fold_stat(runs, ds->n, sw->n, s, sw->s[s].spec,
			                       ft_fairness_name(fcols[k]), "",
			                       fair_convention(fcols[k])));
		fprintf(mem, " | %s | %.3f |\n", pt[s].pareto ? "yes" : "",
		        sec / (double)ds->n);
	}
	fprintf(mem, "\n\\* the fairness criterion. DP: demographic parity (selection rate), "
	        "EO: equalized odds (worst of the TPR and FPR gaps), EOp: equal opportunity "
	        "(TPR gap); differences are max - min over groups, ratios min / max.\n\n");
	fprintf(mem, "Pareto-optimal for accuracy against %s:", ft_fairness_name(rp->fairness));
	for (size_t s = 0, first = 1; s < sw->n; s++)
		if (pt[s].pareto) {
			fprintf(mem, "%s `%s`", first ? "" : ",", sw->s[s].spec);
			first = 0;
		}
	fprintf(mem, "\n\n## Timing\n\n| method | settings | fits | total fit (s) | mean fit (s) |\n"
	        "|---|---:|---:|---:|---:|\n");
	for (size_t s = 0; s < sw->n; s++) {
		size_t nset = 0, fits = 0;
		double tot = 0;
		if (s > 0 && !strcmp(sw->s[s].method, sw->s[s - 1].method))
			continue;
		for (size_t t = s; t < sw->n && !strcmp(sw->s[t].method, sw->s[s].method); t++) {
			nset++;
			for (size_t f = 0; f < ds->n; f++) {
				tot += runs[f * sw->n + t].seconds;
				fits++;
			}
		}
		fprintf(mem, "| %s | %zu | %zu | %.3f | %.3f |\n", sw->s[s].method, nset, fits,
		        tot, tot / (double)fits);
	}
	fprintf(mem, "\nWall time %.2f s: splitting and encoding %.2f s, fitting %.2f s, "
	        "measuring %.2f s.\n", rp->t_total, rp->t_prep, rp->t_fit, rp->t_measure);
	if (rp->n_failed) {
		fprintf(mem, "\n## Failed fits\n\n| setting | fold | error |\n|---|---:|---|\n");
		for (size_t f = 0; f < ds->n; f++)
			for (size_t s = 0; s < sw->n; s++)
				if (runs[f * sw->n + s].error)
					fprintf(mem, "| `%s` | %zu | %s |\n", sw->s[s].spec, f + 1,
					        runs[f * sw->n + s].error);
	}
	fprintf(mem, "\n## Files\n\n- `results.csv`: one row per method, setting, fold, split, "
	        "group, metric and convention\n- `results.h5`: the same table, the settings, "
	        "every fitted model and the provenance\n- `runs.csv`: one row per fit (status, "
	        "time, solver)\n");
	if (rp->plotted == 0)
		fprintf(mem, "- `tradeoff.svg`, `tradeoff.png`: mean accuracy against mean %s, "
		        "sd bars, Pareto front\n- `groups.svg`, `groups.png`: selection rate, TPR "
		        "and FPR per group of the baseline and each method's best setting\n"
		        "- `plots.gp`: the gnuplot script that draws them\n",
		        ft_fairness_name(rp->fairness));
	else
		fprintf(mem, "- `plots.gp`: the gnuplot script for the plots (gnuplot did not "
		        "draw them: `cd DIR && gnuplot plots.gp`)\n");
	rc = fclose(mem);
	mem = NULL;
	if (rc != 0 || !buf) {
		ft_atomic_abort(&a);
		free(buf);
		cli_fail("out of memory");
		return -1;
	}
	fputs(buf, fp);
	*text = buf;
	return stage_commit(&a);
}

/* ---------------------------------------------------------------- main */

static char *utc_now(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return cli_strdup(buf);
}

/* results.h5 from everything computed. */
static int write_h5(struct outdir *o, const struct report *rp, const struct sweep *sw,
                    const struct run *runs, const struct fold *folds,
                    const struct cmp_point *pt, const char *cmdline,
                    const char sha[2][65], const struct cli_measure *ms, double C)
{
	struct ft_results R;
	struct ft_results_run *rr = calloc(sw->n * rp->ds->n + 1, sizeof *rr);
	const char **meth = calloc(sw->n + 1, sizeof *meth), **spec = calloc(sw->n + 1, sizeof *spec);
	int *pareto = calloc(sw->n + 1, sizeof *pareto);
	double *v = calloc(5 * sw->n + 1, sizeof *v);
	char *paths[2] = {(char *)rp->d->data, (char *)rp->d->test};
	char *shas[2] = {(char *)sha[0], (char *)sha[1]};
	char *created = utc_now(), *path = path_join(o->stage, "results.h5");
	struct ft_error err = {0};
	int rc = -1;

	if (!rr || !meth || !spec || !pareto || !v || !created || !path) {
		cli_fail("out of memory");
		goto done;
	}
	memset(&R, 0, sizeof R);
	R.fairtrain_version = FT_VERSION;
	R.created_utc = created;
	R.command_line = cmdline;
	R.n_inputs = rp->d->test ? 2 : 1;
	R.input_paths = paths;
	R.input_sha256 = shas;
	R.scheme = scheme_name(rp->ds->scheme);
	R.n_folds = rp->ds->n;
	R.seed = rp->d->seed;
	R.split = rp->ds->scheme == 1 ? rp->ds->split : 0;
	R.fairness = ft_fairness_name(rp->fairness);
	R.convention = fair_convention(rp->fairness);
	R.threshold = ms->threshold;
	R.level = ms->level;
	R.n_bootstrap = ms->n_bootstrap;
	R.C = C;
	R.n_groups = rp->enc->n_groups;
	R.group_names = rp->enc->group_names;
	R.n_settings = sw->n;
	for (size_t s = 0; s < sw->n; s++) {
		meth[s] = sw->s[s].method;
		spec[s] = sw->s[s].spec;
		pareto[s] = pt[s].pareto;
		v[s] = pt[s].acc.mean;
		v[sw->n + s] = pt[s].acc.sd;
		v[2 * sw->n + s] = pt[s].fair.mean;
		v[3 * sw->n + s] = pt[s].fair.sd;
		for (size_t f = 0; f < rp->ds->n; f++)
			v[4 * sw->n + s] += runs[f * sw->n + s].seconds / (double)rp->ds->n;
	}
	R.setting_method = meth;
	R.setting = spec;
	R.pareto = pareto;
	R.acc_mean = v;
	R.acc_sd = v + sw->n;
	R.fair_mean = v + 2 * sw->n;
	R.fair_sd = v + 3 * sw->n;
	R.seconds = v + 4 * sw->n;
	R.n_runs = sw->n * rp->ds->n;
	R.runs = rr;
	for (size_t f = 0; f < rp->ds->n; f++)
		for (size_t s = 0; s < sw->n; s++) {
			const struct run *u = &runs[f * sw->n + s];
			struct ft_results_run *x = &rr[f * sw->n + s];
			x->method = sw->s[s].method;
			x->setting = sw->s[s].spec;
			x->fold = f + 1;
			x->error = u->error;
			x->seconds = u->seconds;
			x->n_train = u->n_train;
			x->n_test = u->n_test;
			x->n_features = folds[f].enc->n_features;
			x->feature_names = folds[f].enc->feature_names;
			x->fit = u->fitted ? &u->fo : NULL;
			x->metrics = u->error ? NULL : u->cmp;
		}
	if (ft_results_save(path, &R, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	rc = 0;
done:
	free(rr);
	free(meth);
	free(spec);
	free(pareto);
	free(v);
	free(created);
	free(path);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		{"threshold", required_argument, NULL, OPT_THRESHOLD},
		{"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
		{"level", required_argument, NULL, OPT_LEVEL},
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
		{NULL, 0, NULL, 0}
	};
	static struct sweep sw;
	struct argstore as = {0};
	struct cli_data d;
	struct cli_measure ms;
	struct ft_logreg_params lp;
	struct outdir od = {0};
	struct design ds = {0};
	struct report rp = {0};
	struct ft_error err = {0};
	struct ft_table *all = NULL, *test = NULL;
	struct run *runs = NULL;
	struct fold *folds = NULL;
	struct cmp_point *pt = NULL;
	struct cmp_stat *gstat = NULL;
	double t0 = cli_now();
	const char *out = NULL, *bad;
	char *methods = NULL, *cmdline = NULL, *summary = NULL, msg[FT_ERROR_MAX + 64];
	char sha[2][65] = {"", ""};
	size_t folds_k = 0, repeats = 0, n_runs = 0;
	int c, r, rc = EXIT_FAIL, force = 0, fairness = FT_F_DP_DIFF;
	const char *plot_names[16];

	cli_data_init(&d);
	cli_measure_init(&ms);
	ms.n_bootstrap = 0;
	ms.n_perm = 0;
	ft_logreg_params_init(&lp);
	sw.n = 0;
	if ((rc = load_config(argc, argv, LONG, &as)) != 0)
		goto done;
	rc = EXIT_FAIL;
	opterr = 0;
	while ((c = getopt_long(as.argc, as.argv, ":h", LONG, NULL)) != -1) {
		r = cli_data_option(&d, "compare", c, optarg);
		if (!r)
			r = cli_measure_option(&ms, "compare", c, optarg);
		if (!r)
			r = cli_fit_option(&lp, "compare", c, optarg);
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		if (r > 0)
			continue;
		switch (c) {
		case OPT_METHODS: {
			/* repeated --methods add up */
			size_t ol = methods ? strlen(methods) : 0, nl = strlen(optarg);
			char *m = realloc(methods, ol + nl + 2);
			if (!m) {
				cli_fail("out of memory");
				goto done;
			}
			if (ol)
				m[ol++] = ' ';
			memcpy(m + ol, optarg, nl + 1);
			methods = m;
			break;
		}
		case OPT_FOLDS:
			if (cli_parse_size(optarg, &folds_k) || folds_k < 2 || folds_k > MAX_FOLDS) {
				rc = cli_usage_error("compare", "--folds takes an integer from 2 to %d, "
				                     "not '%s'", MAX_FOLDS, optarg);
				goto done;
			}
			break;
		case OPT_REPEATS:
			if (cli_parse_size(optarg, &repeats) || repeats < 1 || repeats > MAX_FOLDS) {
				rc = cli_usage_error("compare", "--repeats takes an integer from 1 to %d, "
				                     "not '%s'", MAX_FOLDS, optarg);
				goto done;
			}
			break;
		case OPT_OUT: out = optarg; break;
		case OPT_FORCE: force = 1; break;
		case OPT_FAIRNESS:
			for (fairness = 0; fairness < FT_N_FAIRNESS &&
			     strcmp(ft_fairness_name(fairness), optarg); fairness++)
				;
			if (fairness == FT_N_FAIRNESS) {
				char list[1024] = "";
				for (int f = 0; f < FT_N_FAIRNESS; f++) {
					strncat(list, ft_fairness_name(f), sizeof list - strlen(list) - 1);
					if (f + 1 < FT_N_FAIRNESS)
						strncat(list, ", ", sizeof list - strlen(list) - 1);
				}
				rc = cli_usage_error("compare", "--fairness: unknown metric '%s' (%s)",
				                     optarg, list);
				goto done;
			}
			break;
		case OPT_QUIET: cli_quiet = 1; break;
		case 'h': case OPT_HELP: fputs(HELP, stdout); print_methods(); rc = EXIT_OK; goto done;
		default: rc = cli_bad_option("compare", c, as.argv); goto done;
		}
	}
	if (optind < as.argc) {
		rc = cli_usage_error("compare", "unexpected argument '%s'", as.argv[optind]);
		goto done;
	}

	/* ---- every check before anything is read or fitted */
	rc = EXIT_USAGE;
	if (cli_data_check(&d, "compare", 1))
		goto done;
	if (d.spec.n_sensitive == 0) {
		cli_usage_error("compare", "--sensitive COL is required");
		goto done;
	}
	if (!out) {
		cli_usage_error("compare", "--out DIR is required");
		goto done;
	}
	if (!methods) {
		cli_usage_error("compare", "--methods \"SPEC ...\" is required");
		goto done;
	}
	if (folds_k && repeats) {
		cli_usage_error("compare", "give either --folds or --repeats, not both");
		goto done;
	}
	if (d.test && (folds_k || repeats)) {
		cli_usage_error("compare", "--test is the one fold: no --folds or --repeats with it");
		goto done;
	}
	if (d.split_given && !repeats) {
		cli_usage_error("compare", "--split goes with --repeats (the test fraction of "
		                "each split)");
		goto done;
	}
	if (d.split_given && d.split <= 0) {
		cli_usage_error("compare", "--split takes a fraction in (0, 1) with --repeats");
		goto done;
	}
	if ((bad = ft_logreg_check(&lp)) != NULL) {
		cli_usage_error("compare", "%s", bad);
		goto done;
	}
	{
		/* the baseline first, always */
		double p0[FT_MAX_PARAMS] = {0};
		if (sweep_push(&sw, ft_method_find("logreg"), p0, "baseline", "logreg", "baseline")) {
			cli_fail("out of memory");
			rc = EXIT_FAIL;
			goto done;
		}
	}
	if (sweep_parse(&sw, methods, msg, sizeof msg)) {
		cli_usage_error("compare", "%s", msg);
		goto done;
	}
	ds.scheme = d.test ? 2 : repeats ? 1 : 0;
	ds.n = d.test ? 1 : repeats ? repeats : folds_k ? folds_k : 5;
	ds.split = d.split;
	rc = EXIT_FAIL;

	if (out_prepare(&od, out, force))
		goto done;
	{
		/* "fairtrain compare ...", with the config file's options spliced in */
		char *j = cli_join_argv(as.argc, as.argv);
		size_t len = j ? strlen(j) : 0;
		cmdline = j ? malloc(len + 11) : NULL;
		if (cmdline)
			snprintf(cmdline, len + 11, "fairtrain %s", j);
		free(j);
		if (!cmdline) {
			cli_fail("out of memory");
			goto done;
		}
	}

	/* ---- data */
	cli_progress("reading %s...\n", d.data);
	if (ft_table_read(d.data, &d.read, &all, &err) ||
	    ft_sha256_file(d.data, sha[0], &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (d.test) {
		struct ft_read_opts ro = d.read;
		if (d.test_skip_rows >= 0)
			ro.skip_rows = (size_t)d.test_skip_rows;
		if (ft_table_read(d.test, &ro, &test, &err) ||
		    ft_sha256_file(d.test, sha[1], &err)) {
			cli_fail("%s", err.msg);
			goto done;
		}
	}
	rp.n_rows_file = all->n_rows;
	if (cli_apply_filters(&d, &all, &rp.n_filtered) ||
	    cli_apply_filters(&d, &test, &rp.n_filtered))
		goto done;
	if (ds.scheme == 0) {
		ds.fold = malloc((all->n_rows ? all->n_rows : 1) * sizeof *ds.fold);
		if (!ds.fold) {
			cli_fail("out of memory");
			goto done;
		}
		if (ft_table_kfold(all, &d.spec, ds.n, d.seed, ds.fold, &err)) {
			cli_fail("%s", err.msg);
			goto done;
		}
	} else if (ds.scheme == 1) {
		/* one seed a split, drawn from --seed */
		struct ft_rng rng;
		ft_rng_seed(&rng, d.seed);
		for (size_t f = 0; f < ds.n; f++)
			ds.seeds[f] = ft_rng_next(&rng);
	}

	n_runs = ds.n * sw.n;
	runs = calloc(n_runs, sizeof *runs);
	folds = calloc(ds.n, sizeof *folds);
	if (!runs || !folds) {
		cli_fail("out of memory");
		goto done;
	}
	rp.t_prep = cli_now() - t0;
	progress(0, n_runs, t0, "");

	/* ---- the folds */
	{
		struct fold_ctx fc = {&d, &ds, &sw, &lp, &ms, all, test, runs, folds, NULL, NULL,
		                      &rp, 0, 0, 0, n_runs, t0};
		int bad_fold = 0;
		for (size_t f = 0; f < ds.n && !bad_fold; f++)
			bad_fold = run_fold(&fc, f);
		free(fc.score);
		free(fc.pos);
		if (bad_fold)
			goto done;
		if (fc.unseen)
			warn("%zu test cell%s with a category unseen in its fold's training part "
			     "(encoded as all zeros)", fc.unseen, fc.unseen == 1 ? "" : "s");
		if (fc.unseen_groups)
			warn("%zu test row%s of a group unseen in its fold's training part dropped",
			     fc.unseen_groups, fc.unseen_groups == 1 ? "" : "s");
	}
	/* ---- aggregate */
	{
		const struct ft_encoder *e = folds[0].enc;
		size_t G = e->n_groups;
		static const char *const GM[CMP_N_G] = {"selection_rate", "tpr", "fpr"};

		pt = calloc(sw.n, sizeof *pt);
		gstat = calloc(sw.n * G * CMP_N_G + 1, sizeof *gstat);
		if (!pt || !gstat) {
			cli_fail("out of memory");
			goto done;
		}
		for (size_t s = 0; s < sw.n; s++) {
			pt[s].method = sw.s[s].method;
			pt[s].setting = sw.s[s].spec;
			pt[s].label = sw.s[s].label;
			pt[s].baseline = s == 0;
			pt[s].acc = fold_stat(runs, ds.n, sw.n, s, sw.s[s].spec, "accuracy",
			                      "overall", "");
			pt[s].fair = fold_stat(runs, ds.n, sw.n, s, sw.s[s].spec,
			                       ft_fairness_name(fairness), "",
			                       fair_convention(fairness));
			pt[s].group = gstat + s * G * CMP_N_G;
			for (size_t g = 0; g < G; g++)
				for (int m = 0; m < CMP_N_G; m++)
					pt[s].group[g * CMP_N_G + (size_t)m] = fold_stat(
						runs, ds.n, sw.n, s, sw.s[s].spec, GM[m],
						e->group_names[g], "");
		}
		mark_points(pt, sw.n, fairness == FT_F_DP_RATIO);
	}

	/* ---- write: plots first (the summary says whether they were drawn) */
	{
		struct cmp_plot pl;
		char title[512];
		if (ds.scheme == 0)
			snprintf(title, sizeof title, "%s, %zu-fold cross-validation (test folds)",
			         cli_basename(d.data), ds.n);
		else if (ds.scheme == 1)
			snprintf(title, sizeof title, "%s, %zu random splits (test parts)",
			         cli_basename(d.data), ds.n);
		else
			snprintf(title, sizeof title, "%s, tested on %s", cli_basename(d.data),
			         cli_basename(d.test));
		pl.fairness = ft_fairness_name(fairness);
		pl.convention = fair_convention(fairness);
		pl.higher_fairer = fairness == FT_F_DP_RATIO;
		pl.title = title;
		pl.n_points = sw.n;
		pl.pt = pt;
		pl.n_groups = folds[0].enc->n_groups;
		pl.group_names = folds[0].enc->group_names;
		rp.plotted = cli_compare_plots(&pl, od.stage);
		if (rp.plotted < 0)
			goto done;
	}
	rp.data = d.data;
	rp.ds = &ds;
	rp.d = &d;
	rp.enc = folds[0].enc;
	rp.fairness = fairness;
	rp.threshold = ms.threshold;
	rp.n_bootstrap = ms.n_bootstrap;
	rp.t_total = cli_now() - t0;
	if (write_results_csv(&od, &sw, runs, ds.n) || write_runs_csv(&od, &sw, runs, ds.n) ||
	    write_h5(&od, &rp, &sw, runs, folds, pt, cmdline, (const char (*)[65])sha, &ms,
	             lp.C) ||
	    write_summary(&od, &rp, &sw, runs, folds, pt, &summary))
		goto done;
	{
		size_t k = 0;
		for (size_t i = 0; OUT_FILES[i]; i++)
			plot_names[k++] = OUT_FILES[i];
		for (size_t i = 0; cli_plot_files[i]; i++)
			plot_names[k++] = cli_plot_files[i];
		plot_names[k] = NULL;
	}
	if (out_publish(&od, plot_names))
		goto done;
	if (!cli_quiet) {
		fputs(summary, stdout);
		printf("\nwrote %s/: results.h5, results.csv, runs.csv, summary.md%s (%.1f s)\n",
		       out, rp.plotted == 0 ? ", tradeoff.svg/png, groups.svg/png, plots.gp" :
		       ", plots.gp", cli_now() - t0);
	}
	rc = EXIT_OK;
done:
	if (od.stage)
		out_abort(&od);
	for (size_t k = 0; runs && k < n_runs; k++) {
		ft_fit_output_clear(&runs[k].fo);
		ft_comparison_free(runs[k].cmp);
		free(runs[k].error);
	}
	for (size_t f = 0; folds && f < ds.n; f++)
		ft_encoder_free(folds[f].enc);
	free(runs);
	free(folds);
	free(pt);
	free(gstat);
	free(ds.fold);
	free(methods);
	free(cmdline);
	free(summary);
	ft_table_free(all);
	ft_table_free(test);
	sweep_free(&sw);
	argstore_free(&as);
	cli_data_free(&d);
	return rc;
}
