/*
 * test_config.c - ft_config_parse / ft_config_read (src/run/config.c), the
 * reader of compare --config: what each kind of line gives as arguments,
 * and each refusal as one line naming path:line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fairtrain.h"
#include "t.h"

static const struct ft_config_option OPTS[] = {
	{ "data", 1, 1 }, { "folds", 1, 1 }, { "quiet", 0, 1 }, { "force", 0, 1 },
	{ "config", 1, 0 }, { "help", 0, 0 },
};
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

/* Parse text; the arguments joined with '|', or "!" and the message. */
static const char *parse(const char *text, size_t len)
{
	static char got[1024];
	struct ft_error err = { 0, "" };
	char **a = NULL;
	size_t n = 7;
	int rc = ft_config_parse(text, len, "c.conf", OPTS, N_OPTS, &a, &n, &err);

	got[0] = '\0';
	if (rc) {
		T_CHECK(a == NULL && n == 0 && rc == err.code && !strchr(err.msg, '\n'));
		snprintf(got, sizeof got, "!%s", err.msg);
		return got;
	}
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "|" : "", a[i]);
	ft_config_free(a, n);
	return got;
}
#define P(s) parse(s, sizeof s - 1)

static void test_lines(void)
{
	T_STREQ(P(""), "");
	T_STREQ(P("# only a comment\n\n   \n"), "");
	T_STREQ(P("data = a.csv\nfolds=3\n"), "--data|a.csv|--folds|3");
	T_STREQ(P("--data = 'x y.csv'   # a comment\r\n"), "--data|x y.csv");
	T_STREQ(P("data = \"a#b.csv\"\n"), "--data|a#b.csv");
	T_STREQ(P("data = a#b\n"), "--data|a#b");
	T_STREQ(P("quiet\nforce = yes\n"), "--quiet|--force");
	T_STREQ(P("quiet = no\nforce = 0\nquiet = false\n"), "");
	T_STREQ(P("data = \"\n"), "--data|\"");
	T_STREQ(P("data = \n"), "--data|");
	T_STREQ(P("data = a = b"), "--data|a = b");
}

static void test_refusals(void)
{
	T_STREQ(P("data = x\nfolds 3\n"), "!c.conf:2: expected 'option = value', not 'folds 3'");
	T_STREQ(P("# x\n\nfolds\n"), "!c.conf:3: option 'folds' needs '= value'");
	T_STREQ(P("nosuch = 1\n"), "!c.conf:1: unknown option 'nosuch'");
	T_STREQ(P("config = other.conf\n"), "!c.conf:1: not a config file option 'config'");
	T_STREQ(P("help\n"), "!c.conf:1: not a config file option 'help'");
	T_STREQ(P("quiet = maybe\n"), "!c.conf:1: 'quiet' is a flag: give it alone or '= yes'");
	T_STREQ(P("data = x\n\nfolds = 2\0junk\n"), "!c.conf:3: a NUL byte (not a text file?)");
	T_STREQ(P("= 3\n"), "!c.conf:1: unknown option ''");
}

static void test_read(void)
{
	char dir[] = "/tmp/ft_test_config.XXXXXX", path[64];
	struct ft_error err = { 0, "" };
	char **a = NULL;
	size_t n = 0;
	FILE *fp;

	if (!mkdtemp(dir)) {
		T_FAIL("mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/c.conf", dir);
	fp = fopen(path, "w");
	fputs("data = d.csv\nquiet\n", fp);
	fclose(fp);
	T_CHECK(ft_config_read(path, OPTS, N_OPTS, &a, &n, &err) == 0 && n == 3 &&
	        !strcmp(a[0], "--data") && !strcmp(a[1], "d.csv") && !strcmp(a[2], "--quiet"));
	ft_config_free(a, n);
	T_CHECK(ft_config_read(dir, OPTS, N_OPTS, &a, &n, &err) == FT_EIO &&
	        strstr(err.msg, "cannot read") && a == NULL);
	unlink(path);
	T_CHECKF(ft_config_read(path, OPTS, N_OPTS, &a, &n, &err) == FT_EIO &&
	         strstr(err.msg, "c.conf: cannot read: No such file") && a == NULL,
	         "%s", err.msg);
	/* more than 1 MiB is not a config file */
	fp = fopen(path, "w");
	for (int i = 0; i < 70000; i++)
		fputs("# a long comment\n", fp);
	fclose(fp);
	T_CHECK(ft_config_read(path, OPTS, N_OPTS, &a, &n, &err) == FT_EINVAL &&
	        strstr(err.msg, "larger than 1048576 bytes") && a == NULL);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	T_RUN(test_lines);
	T_RUN(test_refusals);
	T_RUN(test_read);
	return t_done();
}
