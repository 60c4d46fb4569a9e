/*
 * test_filter.c - row filters: parsing, text and numeric comparisons,
 * missing cells, errors with file and line.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fairtrain.h"
#include "t.h"

static char dir[] = "/tmp/ft_filter_XXXXXX";

static struct ft_table *table(const char *name, const char *text)
{
	char path[256];
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_error err = {0};
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	ft_read_opts_init(&o);
	if (ft_table_read(path, &o, &t, &err))
		printf("# %s\n", err.msg);
	return t;
}

static void test_parse(void)
{
	struct ft_filter f;
	struct ft_error err = {0};

	T_CHECK(ft_filter_parse("days<=30", &f, &err) == 0);
	T_STREQ(f.col, "days");
	T_CHECK(f.op == FT_OP_LE);
	T_STREQ(f.value, "30");
	T_CHECK(ft_filter_parse("a>=-30", &f, &err) == 0 && f.op == FT_OP_GE && !strcmp(f.value, "-30"));
	T_CHECK(ft_filter_parse("score_text!=N/A", &f, &err) == 0 && f.op == FT_OP_NE);
	T_STREQ(f.value, "N/A");
	T_CHECK(ft_filter_parse("x==", &f, &err) == 0 && f.op == FT_OP_EQ && f.value[0] == '\0');
	T_CHECK(ft_filter_parse("x<3", &f, &err) == 0 && f.op == FT_OP_LT);
	T_CHECK(ft_filter_parse("x>3", &f, &err) == 0 && f.op == FT_OP_GT);
	T_CHECK(ft_filter_parse("x~3", &f, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "expected COL OP VALUE") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_filter_parse("<=3", &f, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_filter_parse("x<=abc", &f, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "'abc' is not a number") != NULL);
}

static void test_filter_rows(void)
{
	struct ft_table *t = table("a.csv", "d,c,s\n-31,F,Low\n-30,O,N/A\n0,F,High\n30,M,\n31,F,Low\n5,F,Low\n");
	struct ft_filter f[3];
	struct ft_table *out = NULL;
	struct ft_error err = {0};
	size_t removed = 0;

	if (!t) {
		T_FAIL("table not read");
		return;
	}
	ft_filter_parse("d>=-30", &f[0], &err);
	ft_filter_parse("d<=30", &f[1], &err);
	ft_filter_parse("c!=O", &f[2], &err);
	T_CHECK(ft_table_filter(t, f, 3, &out, &removed, &err) == 0);
	T_CHECK(removed == 3);
	if (out) {
		T_CHECK(out->n_rows == 3);
		T_STREQ(ft_table_cell(out, 0, 0), "0");
		T_STREQ(ft_table_cell(out, 1, 0), "30");
		T_STREQ(ft_table_cell(out, 2, 0), "5");
		T_CHECK(out->line[2] == 7);
	}
	ft_table_free(out);
	out = NULL;
	/* a missing cell passes no filter, not even != */
	ft_filter_parse("s!=N/A", &f[0], &err);
	T_CHECK(ft_table_filter(t, f, 1, &out, &removed, &err) == 0);
	T_CHECK(removed == 2 && out && out->n_rows == 4);
	ft_table_free(out);
	out = NULL;
	/* numeric comparison on text: error with file and line */
	ft_filter_parse("c<3", &f[0], &err);
	T_CHECK(ft_table_filter(t, f, 1, &out, &removed, &err) == FT_EPARSE);
	T_CHECK(strstr(err.msg, "a.csv:2: column 'c': filter needs a number, not 'F'") != NULL);
	T_CHECK(out == NULL);
	ft_error_clear(&err);
	ft_filter_parse("zz==1", &f[0], &err);
	T_CHECK(ft_table_filter(t, f, 1, &out, &removed, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "unknown column 'zz'") != NULL);
	ft_table_free(t);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	T_RUN(test_parse);
	T_RUN(test_filter_rows);
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return t_done();
}
