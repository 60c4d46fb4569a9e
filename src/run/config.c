/*
 * config.c - the reader of `compare --config FILE` (and of any command
 * that takes its long options from a file): lines "name = value", a flag
 * alone or "name = yes|no|true|false|1|0", '#' comments (at the start of a
 * line or after a blank), blank lines, a value in matching single or double
 * quotes.  It returns the options as command-line arguments ("--name",
 * "value", ...) for the front end to splice in before its own, so that the
 * file holds exactly the long options and needs no schema of its own
 * (README "Compare": why not TOML or INI).
 *
 * It was part of the command-line program; it is a library function so
 * that every front end reads such files alike and so that it can be fuzzed
 * (tests/fuzz/fuzz_config.c).  What it does not do: no option's value is
 * checked here (the front end parses the arguments as if typed), no
 * include files, no escapes inside quotes, no continuation lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"

/* A config file is a few hundred bytes; refuse what cannot be one before
 * reading it all. */
#define CONFIG_MAX ((size_t)1 << 20)

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

void ft_config_free(char **args, size_t n_args)
{
	ft_strv_free(args, n_args);
}

/* Append a copy of s to args (room for it was made by the caller). */
static int push(char **args, size_t *n, const char *s)
{
	if (!(args[*n] = ft_strdup(s)))
		return FT_ENOMEM;
	(*n)++;
	return 0;
}

/* The option named name, or NULL. */
static const struct ft_config_option *find(const struct ft_config_option *opts,
                                           size_t n_opts, const char *name)
{
	for (size_t i = 0; i < n_opts; i++)
		if (!strcmp(opts[i].name, name))
			return &opts[i];
	return NULL;
}

/* One line (NUL-terminated, comment not yet cut) into args. */
static int line_args(char *line, const char *path, size_t lineno,
                     const struct ft_config_option *opts, size_t n_opts,
                     char **args, size_t *n, struct ft_error *err)
{
	const struct ft_config_option *o;
	char *name, *val = NULL, *eq, opt[128];
	size_t len;

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
		return 0;
	if (!strncmp(name, "--", 2))
		name += 2;
	if (name[strcspn(name, " \t")])
		return ft_error_set(err, FT_EINVAL, "%s:%zu: expected 'option = value', "
		                    "not '%.80s'", path, lineno, name);
	o = find(opts, n_opts, name);
	if (!o || !o->in_file)
		return ft_error_set(err, FT_EINVAL, "%s:%zu: %s option '%.80s'", path,
		                    lineno, o ? "not a config file" : "unknown", name);
	if (!o->has_value) {
		if (val && (!strcmp(val, "no") || !strcmp(val, "false") || !strcmp(val, "0")))
			return 0;
		if (val && strcmp(val, "yes") && strcmp(val, "true") && strcmp(val, "1"))
			return ft_error_set(err, FT_EINVAL, "%s:%zu: '%s' is a flag: give it "
			                    "alone or '= yes'", path, lineno, o->name);
	} else if (!val) {
		return ft_error_set(err, FT_EINVAL, "%s:%zu: option '%s' needs '= value'",
		                    path, lineno, o->name);
	}
	snprintf(opt, sizeof opt, "--%s", o->name);
	if (push(args, n, opt) || (o->has_value && push(args, n, val)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	return 0;
}

int ft_config_parse(const char *text, size_t len, const char *path,
                    const struct ft_config_option *opts, size_t n_opts,
                    char ***out, size_t *n_out, struct ft_error *err)
{
	char *buf = NULL, *line, *next, **args = NULL;
	size_t lines = 1, n = 0, lineno = 1;
	const char *nul;
	int rc = 0;

	ft_error_clear(err);
	*out = NULL;
	*n_out = 0;
	if (!path)
		path = "(config)";
	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (const char *c = text; c < nul; c++)
			lineno += *c == '\n';
		return ft_error_set(err, FT_EINVAL, "%s:%zu: a NUL byte (not a text "
		                    "file?)", path, lineno);
	}
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	buf = malloc(len + 1);
	args = calloc(2 * lines, sizeof *args);   /* a line gives at most two */
	if (!buf || !args) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (line = buf; line && *line && !rc; line = next, lineno++) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		rc = line_args(line, path, lineno, opts, n_opts, args, &n, err);
	}
	if (!rc) {
		*out = args;
		*n_out = n;
		args = NULL;
	}
done:
	ft_config_free(args, n);
	free(buf);
	return rc;
}

int ft_config_read(const char *path, const struct ft_config_option *opts,
                   size_t n_opts, char ***out, size_t *n_out, struct ft_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, k;
	int rc = 0;

	ft_error_clear(err);
	*out = NULL;
	*n_out = 0;
	if (!fp)
		return ft_error_set(err, FT_EIO, "%s: cannot read: %s", path, strerror(errno));
	if (!(text = malloc(CONFIG_MAX + 1))) {
		fclose(fp);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	while ((k = fread(text + len, 1, CONFIG_MAX + 1 - len, fp)) > 0)
		len += k;
	if (ferror(fp))
		rc = ft_error_set(err, FT_EIO, "%s: cannot read: %s", path, strerror(errno));
	else if (len > CONFIG_MAX)
		rc = ft_error_set(err, FT_EINVAL, "%s: larger than %zu bytes: not a "
		                  "config file", path, CONFIG_MAX);
	else
		rc = ft_config_parse(text, len, path, opts, n_opts, out, n_out, err);
	fclose(fp);
	free(text);
	return rc;
}
