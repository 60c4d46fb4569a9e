/*
 * test_csv.c - ft_table_read and friends (src/data/csv.c): every feature and
 * every error message on tiny files written to a temporary directory, then
 * the real data sets as distributed (skipped when the folder is absent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fairtrain.h"
#include "t.h"

static char tmpdir[] = "/tmp/ft_test_csv.XXXXXX";
static char paths[64][256];
static size_t n_paths;

/* Write text to a new file in the temporary directory; returns its path. */
static const char *put_file(const char *name, const char *text, size_t len)
{
	char *p = paths[n_paths++];
	FILE *fp;

	snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
	fp = fopen(p, "wb");
	if (!fp) {
		perror(p);
		exit(2);
	}
	fwrite(text, 1, len, fp);
	fclose(fp);
	return p;
}
#define PUT(name, text) put_file(name, text, sizeof(text) - 1)

static char *names3[] = { "a", "b", "c" };

/* Read with an error expected: code and exact message; out stays NULL. */
static void expect_error(const char *path, const struct ft_read_opts *o,
                         int code, const char *msg)
{
	struct ft_table *t = (struct ft_table *)1;
	struct ft_error e = { 0 };
	int rc = ft_table_read(path, o, &t, &e);

	T_CHECKF(rc == code, "rc = %d, expected %d (%s)", rc, code, e.msg);
	T_CHECK(e.code == code);
	T_STREQ(e.msg, msg);
	T_CHECK(t == NULL);
}

static void t_opts_init(void)
{
	struct ft_read_opts o;

	memset(&o, 0x5a, sizeof o);
	ft_read_opts_init(&o);
	T_CHECK(o.delimiter == ',');
	T_CHECK(o.header == 1);
	T_CHECK(o.whitespace == 0);
	T_CHECK(o.skip_rows == 0);
	T_CHECK(o.names == NULL && o.n_names == 0);
	T_CHECK(o.missing == NULL && o.n_missing == 0);
}

static void t_header(void)
{
	const char *p = PUT("h.csv", "a,b,c\n1,2,3\n4,5,6\n");
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };

	T_CHECK(ft_table_read(p, NULL, &t, &e) == 0);
	if (!t)
		return;
	T_STREQ(t->path, p);
	T_CHECK(t->n_rows == 2 && t->n_cols == 3);
	T_STREQ(t->names[0], "a");
	T_STREQ(t->names[2], "c");
	T_STREQ(ft_table_cell(t, 0, 0), "1");
	T_STREQ(ft_table_cell(t, 1, 2), "6");
	T_CHECK(t->line[0] == 2 && t->line[1] == 3);
	T_CHECK(ft_table_col(t, "b") == 1);
	T_CHECK(ft_table_col(t, "B") == -1);
	T_CHECK(ft_table_col(t, "") == -1);
	ft_table_free(t);
	ft_table_free(NULL);
}

static void t_names_given(void)
{
	const char *p = PUT("n.csv", "1,2,3\n4,5,6\n");
	const char *ph = PUT("nh.csv", "x,y,z\n1,2,3\n");
	const char *pbad = PUT("nbad.csv", "x,y\n1,2\n");
	struct ft_read_opts o;
	struct ft_table *t = NULL;

	ft_read_opts_init(&o);
	o.header = 0;
	o.names = names3;
	o.n_names = 3;
	T_CHECK(ft_table_read(p, &o, &t, NULL) == 0);
	if (t) {
		T_CHECK(t->n_rows == 2);
		T_STREQ(t->names[1], "b");
		T_STREQ(ft_table_cell(t, 0, 1), "2");
		T_CHECK(t->line[0] == 1);
		/* the table owns copies */
		T_CHECK(t->names[0] != names3[0]);
		ft_table_free(t);
		t = NULL;
	}
	/* header == 1 with names: the header row is read and replaced */
	o.header = 1;
	T_CHECK(ft_table_read(ph, &o, &t, NULL) == 0);
	if (t) {
		T_CHECK(t->n_rows == 1);
		T_STREQ(t->names[0], "a");
		T_CHECK(t->line[0] == 2);
		ft_table_free(t);
	}
	/* the header row must have as many fields as names */
	{
		char msg[512];
		snprintf(msg, sizeof msg, "%s:1: expected 3 fields, found 2", pbad);
		expect_error(pbad, &o, FT_EPARSE, msg);
	}
	/* without a header, the first row is checked against the names */
	o.header = 0;
	{
		char msg[512];
		snprintf(msg, sizeof msg, "%s:1: expected 3 fields, found 2", pbad);
		expect_error(pbad, &o, FT_EPARSE, msg);
	}
}

static void t_bad_names(void)
{
	const char *p = PUT("bn.csv", "1,2\n");
	char *dup[] = { "a", "a" }, *empty[] = { "a", "" };
	struct ft_read_opts o;
	char msg[512];

	ft_read_opts_init(&o);
	o.header = 0;
	o.names = dup;
	o.n_names = 2;
	snprintf(msg, sizeof msg, "%s: duplicate column name 'a'", p);
	expect_error(p, &o, FT_EINVAL, msg);
	o.names = empty;
	snprintf(msg, sizeof msg, "%s: empty column name (column 2)", p);
	expect_error(p, &o, FT_EINVAL, msg);
	o.names = NULL;
	o.n_names = 0;
	snprintf(msg, sizeof msg, "%s: no header and no column names given", p);
	expect_error(p, &o, FT_EINVAL, msg);
}

static void t_header_names(void)
{
	/* duplicates are renamed as pandas does; a real "a.1" keeps its name */
	const char *p = PUT("dup.csv", "a,b,a,a.1,b\n1,2,3,4,5\n");
	const char *pe = PUT("empty.csv", "a,,c\n1,2,3\n");
	struct ft_table *t = NULL;
	char msg[512];

	T_CHECK(ft_table_read(p, NULL, &t, NULL) == 0);
	if (t) {
		T_STREQ(t->names[0], "a");
		T_STREQ(t->names[1], "b");
		T_STREQ(t->names[2], "a.2");
		T_STREQ(t->names[3], "a.1");
		T_STREQ(t->names[4], "b.1");
		T_CHECK(ft_table_col(t, "a.2") == 2);
		T_STREQ(ft_table_cell(t, 0, 2), "3");
		ft_table_free(t);
	}
	snprintf(msg, sizeof msg, "%s:1: empty column name (column 2)", pe);
	expect_error(pe, NULL, FT_EPARSE, msg);
}

static void t_delimiter(void)
{
	const char *p = PUT("semi.csv", "a;b;c\n1,5;x y;\"q;r\"\n");
	const char *pt = PUT("tab.tsv", "a\tb\tc\n1\t\t3\n");
	struct ft_read_opts o;
	struct ft_table *t = NULL;

	ft_read_opts_init(&o);
	o.delimiter = ';';
	T_CHECK(ft_table_read(p, &o, &t, NULL) == 0);
	if (t) {
		T_STREQ(ft_table_cell(t, 0, 0), "1,5");
		T_STREQ(ft_table_cell(t, 0, 1), "x y");
		T_STREQ(ft_table_cell(t, 0, 2), "q;r");
		ft_table_free(t);
		t = NULL;
	}
	o.delimiter = '\t';
	T_CHECK(ft_table_read(pt, &o, &t, NULL) == 0);
	if (t) {
		T_CHECK(t->n_cols == 3);
		T_CHECK(ft_table_cell(t, 0, 1) == NULL);  /* empty = missing */
		T_STREQ(ft_table_cell(t, 0, 2), "3");
		ft_table_free(t);
		t = NULL;
	}
	o.delimiter = '"';
	{
		char msg[512];
		snprintf(msg, sizeof msg, "%s: invalid delimiter", p);
		expect_error(p, &o, FT_EINVAL, msg);
	}
}

static void t_whitespace(void)
{
	const char *p = PUT("ws.data",
	                    "A11  6\tA34\n"
	                    "  A12 \t 48   A32  \n"
	                    "\n"
	                    "A13 \"two words\" ?\n"
	                    " \t \n");
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };

	ft_read_opts_init(&o);
	o.whitespace = 1;
	o.header = 0;
	o.names = names3;
	o.n_names = 3;
	T_CHECK(ft_table_read(p, &o, &t, &e) == 0);
	if (!t) {
		T_FAIL("%s", e.msg);
		return;
	}
	T_CHECK(t->n_rows == 3);
	T_STREQ(ft_table_cell(t, 0, 0), "A11");
	T_STREQ(ft_table_cell(t, 0, 1), "6");
	T_STREQ(ft_table_cell(t, 0, 2), "A34");
	T_STREQ(ft_table_cell(t, 1, 0), "A12");
	T_STREQ(ft_table_cell(t, 1, 1), "48");
	T_STREQ(ft_table_cell(t, 1, 2), "A32");
	T_STREQ(ft_table_cell(t, 2, 1), "two words");
	T_CHECK(ft_table_cell(t, 2, 2) == NULL);
	T_CHECK(t->line[0] == 1 && t->line[1] == 2 && t->line[2] == 4);
	ft_table_free(t);
}

static void t_quotes_and_spaces(void)
{
	/* adult-style ", " separators, quoted fields keep inner blanks,
	 * doubled quotes, delimiters inside quotes */
	const char *p = PUT("q.csv",
	                    "a, b, c\n"
	                    "1 ,  x  ,y\n"
	                    "\" padded \", \"he said \"\"hi\"\"\", \"a, b\"\n");
	struct ft_table *t = NULL;

	T_CHECK(ft_table_read(p, NULL, &t, NULL) == 0);
	if (!t)
		return;
	T_STREQ(t->names[1], "b");
	T_STREQ(ft_table_cell(t, 0, 0), "1");
	T_STREQ(ft_table_cell(t, 0, 1), "x");
	T_STREQ(ft_table_cell(t, 0, 2), "y");
	T_STREQ(ft_table_cell(t, 1, 0), " padded ");
	T_STREQ(ft_table_cell(t, 1, 1), "he said \"hi\"");
	T_STREQ(ft_table_cell(t, 1, 2), "a, b");
	ft_table_free(t);
}

static void t_crlf_bom_blank(void)
{
	const char *p = PUT("crlf.csv",
	                    "\xef\xbb\xbf" "a,b\r\n"
	                    "\r\n"
	                    "1,2\r\n"
	                    "   \r\n"
	                    "3,4\r\n"
	                    "\r\n\n\n");
	struct ft_table *t = NULL;

	T_CHECK(ft_table_read(p, NULL, &t, NULL) == 0);
	if (!t)
		return;
	T_STREQ(t->names[0], "a");  /* no BOM in the name */
	T_STREQ(t->names[1], "b");  /* no CR in the name */
	T_CHECK(t->n_rows == 2);
	T_STREQ(ft_table_cell(t, 0, 1), "2");
	T_STREQ(ft_table_cell(t, 1, 1), "4");
	T_CHECK(t->line[0] == 3 && t->line[1] == 5);
	ft_table_free(t);
}

/* Issue 12: a NUL byte cut a cell short ("4\0 2" read as 4, "ma\0le" as
 * a third group "ma"): refused naming the line and the field, in data,
 * header, quoted and whitespace-separated fields. */
static void t_nul_byte(void)
{
	struct ft_read_opts ws;
	char want[512];
	const char *p;

	p = PUT("nul1.csv", "a,b\n1,x\n4\0 2,y\n");
	snprintf(want, sizeof want, "%s:3: NUL byte in field 1", p);
	expect_error(p, NULL, FT_EPARSE, want);
	p = PUT("nul2.csv", "a,b\n4,ma\0le\n");
	snprintf(want, sizeof want, "%s:2: NUL byte in field 2", p);
	expect_error(p, NULL, FT_EPARSE, want);
	p = PUT("nul3.csv", "ab\0,c\n1,2\n");
	snprintf(want, sizeof want, "%s:1: NUL byte in field 1", p);
	expect_error(p, NULL, FT_EPARSE, want);
	/* a quoted field over two lines, the NUL on the first: the row's line */
	p = PUT("nul4.csv", "a,b\n1,2\n\"x\0\ny\",1\n");
	snprintf(want, sizeof want, "%s:3: NUL byte in field 1", p);
	expect_error(p, NULL, FT_EPARSE, want);
	ft_read_opts_init(&ws);
	ws.whitespace = 1;
	p = PUT("nul5.txt", "a b\n1 2\0\n");
	snprintf(want, sizeof want, "%s:2: NUL byte in field 2", p);
	expect_error(p, &ws, FT_EPARSE, want);
}

/* UTF-16 and UTF-32 files are refused with what to do (they gave "empty
 * column name"); repeated UTF-8 BOMs are all skipped (a second one became
 * part of the first name, invisible in messages). */
static void t_encodings(void)
{
	static const struct { const char *name, *text; size_t len; const char *enc; } F[] = {
		{ "le.csv", "\xff\xfe" "a\0,\0b\0\n\0" "1\0,\0" "2\0\n\0", 18, "UTF-16" },
		{ "be.csv", "\xfe\xff" "\0a\0,\0b\0\n" "\0" "1\0,\0" "2\0\n", 18, "UTF-16" },
		{ "lenobom.csv", "a\0,\0b\0\n\0" "1\0,\0" "2\0\n\0", 16, "UTF-16" },
		{ "benobom.csv", "\0a\0,\0b\0\n" "\0" "1\0,\0" "2\0\n", 16, "UTF-16" },
		{ "u32.csv", "\xff\xfe\0\0" "a\0\0\0\n\0\0\0", 12, "UTF-32" },
	};
	char want[512];
	struct ft_table *t = NULL;
	const char *p;

	for (size_t k = 0; k < sizeof F / sizeof *F; k++) {
		p = put_file(F[k].name, F[k].text, F[k].len);
		snprintf(want, sizeof want, "%s: looks like %s; convert it to UTF-8",
		         p, F[k].enc);
		expect_error(p, NULL, FT_EPARSE, want);
	}
	p = PUT("bom2.csv", "\xef\xbb\xbf\xef\xbb\xbf" "a,b\n1,2\n");
	T_CHECK(ft_table_read(p, NULL, &t, NULL) == 0);
	if (t) {
		T_STREQ(t->names[0], "a");
		T_CHECK(ft_table_col(t, "a") == 0);
	}
	ft_table_free(t);
}

static void t_skip_rows_no_final_newline(void)
{
	const char *p = PUT("skip.csv", "|1x3 Cross validator\njunk \"\n\na,b\n1,2\n3,4");
	struct ft_read_opts o;
	struct ft_table *t = NULL;

	ft_read_opts_init(&o);
	o.skip_rows = 2;  /* skipped lines are not parsed: the stray quote is fine */
	T_CHECK(ft_table_read(p, &o, &t, NULL) == 0);
	if (!t)
		return;
	T_CHECK(t->n_rows == 2);
	T_STREQ(t->names[0], "a");
	T_CHECK(t->line[0] == 5 && t->line[1] == 6);
	T_STREQ(ft_table_cell(t, 1, 1), "4");
	ft_table_free(t);
}

static void t_multiline_quoted(void)
{
	const char *p = PUT("ml.csv", "a,b\n\"x\ny\",1\n2,\"p\n\nq\"\n3,4\n");
	struct ft_table *t = NULL;

	T_CHECK(ft_table_read(p, NULL, &t, NULL) == 0);
	if (!t)
		return;
	T_CHECK(t->n_rows == 3);
	T_STREQ(ft_table_cell(t, 0, 0), "x\ny");
	T_STREQ(ft_table_cell(t, 1, 1), "p\n\nq");  /* blank line inside quotes kept */
	T_CHECK(t->line[0] == 2 && t->line[1] == 4 && t->line[2] == 7);
	ft_table_free(t);
}

static void t_missing_tokens(void)
{
	const char *p = PUT("miss.csv", "a,b,c,d,e,f\n,?,NA,\" ? \",na,-\n");
	char *custom[] = { "-", "n/a" };
	struct ft_read_opts o;
	struct ft_table *t = NULL;

	T_CHECK(ft_table_read(p, NULL, &t, NULL) == 0);
	if (t) {
		T_CHECK(ft_table_cell(t, 0, 0) == NULL);
		T_CHECK(ft_table_cell(t, 0, 1) == NULL);
		T_CHECK(ft_table_cell(t, 0, 2) == NULL);
		T_CHECK(ft_table_cell(t, 0, 3) == NULL);  /* trimmed before comparing */
		T_STREQ(ft_table_cell(t, 0, 4), "na");   /* case matters */
		T_STREQ(ft_table_cell(t, 0, 5), "-");
		T_CHECK(t->cell[5] != FT_MISSING && t->cell[0] == FT_MISSING);
		ft_table_free(t);
		t = NULL;
	}
	ft_read_opts_init(&o);
	o.missing = custom;
	o.n_missing = 2;
	T_CHECK(ft_table_read(p, &o, &t, NULL) == 0);
	if (t) {
		T_STREQ(ft_table_cell(t, 0, 0), "");
		T_STREQ(ft_table_cell(t, 0, 1), "?");
		T_CHECK(ft_table_cell(t, 0, 5) == NULL);
		ft_table_free(t);
	}
}

static void t_field_count_errors(void)
{
	const char *p1 = PUT("few.csv", "a,b,c\n1,2,3\n\n1,2\n");
	const char *p2 = PUT("many.csv", "a,b,c\n1,2,3,4\n");
	const char *p3 = PUT("qfew.csv", "a,b,c\n\"x\ny\",2\n");
	char msg[512];

	snprintf(msg, sizeof msg, "%s:4: expected 3 fields, found 2", p1);
	expect_error(p1, NULL, FT_EPARSE, msg);
	snprintf(msg, sizeof msg, "%s:2: expected 3 fields, found 4", p2);
	expect_error(p2, NULL, FT_EPARSE, msg);
	/* a row spanning lines is reported at its first line */
	snprintf(msg, sizeof msg, "%s:2: expected 3 fields, found 2", p3);
	expect_error(p3, NULL, FT_EPARSE, msg);
}

static void t_quote_errors(void)
{
	const char *p1 = PUT("badq1.csv", "a,b\n1,2\n1,x\"y\n");
	const char *p2 = PUT("badq2.csv", "a,b\n\"x\"y,1\n");
	const char *p3 = PUT("badq3.csv", "a,b\n1,2\n3,\"abc\n4,5\n");
	const char *p4 = PUT("badq4.csv", "a,b\n1,\"ab\nc\"d\n");
	char msg[512];

	snprintf(msg, sizeof msg, "%s:3: malformed quote in field 2", p1);
	expect_error(p1, NULL, FT_EPARSE, msg);
	snprintf(msg, sizeof msg, "%s:2: malformed quote in field 1", p2);
	expect_error(p2, NULL, FT_EPARSE, msg);
	snprintf(msg, sizeof msg, "%s:3: unterminated quoted field", p3);
	expect_error(p3, NULL, FT_EPARSE, msg);
	/* the bad character is on line 3 of a row that starts on line 2 */
	snprintf(msg, sizeof msg, "%s:3: malformed quote in field 2", p4);
	expect_error(p4, NULL, FT_EPARSE, msg);
}

static void t_file_errors(void)
{
	char missing[300], msg[600];
	const char *pe = PUT("empty.data", "");
	const char *pb = PUT("blank.data", "\n  \n\r\n");
	const char *ph = PUT("hdr.csv", "a,b\n\n");
	struct ft_read_opts o;

	snprintf(missing, sizeof missing, "%s/nope.csv", tmpdir);
	snprintf(msg, sizeof msg, "%s: No such file or directory", missing);
	expect_error(missing, NULL, FT_EIO, msg);
	snprintf(msg, sizeof msg, "%s: no data rows", pe);
	expect_error(pe, NULL, FT_EDATA, msg);
	snprintf(msg, sizeof msg, "%s: no data rows", pb);
	expect_error(pb, NULL, FT_EDATA, msg);
	snprintf(msg, sizeof msg, "%s: no data rows", ph);
	expect_error(ph, NULL, FT_EDATA, msg);
	ft_read_opts_init(&o);
	o.header = 0;
	o.names = names3;
	o.n_names = 3;
	snprintf(msg, sizeof msg, "%s: no data rows", pe);
	expect_error(pe, &o, FT_EDATA, msg);
	/* err may be NULL: the code still comes back */
	{
		struct ft_table *t = NULL;
		T_CHECK(ft_table_read(missing, NULL, &t, NULL) == FT_EIO && !t);
	}
	/* the first error is kept */
	{
		struct ft_error e = { 0 };
		struct ft_table *t = NULL;
		ft_table_read(missing, NULL, &t, &e);
		ft_table_read(pe, NULL, &t, &e);
		T_CHECK(e.code == FT_EIO);
	}
}

static void t_subset(void)
{
	const char *p = PUT("sub.csv", "a,b\n1,x\n2,?\n3,z\n");
	struct ft_table *t = NULL, *s = NULL;
	struct ft_error e = { 0 };
	size_t rows[] = { 2, 1, 2 }, bad[] = { 0, 3 };

	T_CHECK(ft_table_read(p, NULL, &t, NULL) == 0);
	if (!t)
		return;
	T_CHECK(ft_table_subset(t, rows, 3, &s, &e) == 0);
	if (s) {
		T_CHECK(s->n_rows == 3 && s->n_cols == 2);
		T_STREQ(s->path, p);
		T_STREQ(s->names[1], "b");
		T_STREQ(ft_table_cell(s, 0, 1), "z");
		T_CHECK(ft_table_cell(s, 1, 1) == NULL);
		T_STREQ(ft_table_cell(s, 2, 0), "3");
		T_CHECK(s->line[0] == 4 && s->line[1] == 3);
		T_CHECK(s->cell != t->cell && s->names[0] != t->names[0]);
		T_CHECK(s->vals[0].text != t->vals[0].text);
		/* values renumbered by first appearance in the subset; "2" of
		 * row 1 and "x" of row 0 are not in it */
		T_CHECK(s->vals[0].n == 2 && s->vals[1].n == 1);
		T_STREQ(s->vals[0].str[0], "3");
		T_STREQ(s->vals[0].str[1], "2");
		T_CHECK(s->cell[0] == 0 && s->cell[2] == 1 && s->cell[4] == 0);
		T_CHECK(s->cell[3] == FT_MISSING && s->vals[1].len[0] == 1);
		ft_table_free(s);
		s = NULL;
	}
	T_CHECK(ft_table_subset(t, rows, 0, &s, NULL) == 0);
	T_CHECK(s && s->n_rows == 0 && s->n_cols == 2);
	ft_table_free(s);
	s = (struct ft_table *)1;
	T_CHECK(ft_table_subset(t, bad, 2, &s, &e) == FT_EINVAL);
	T_CHECK(s == NULL);
	{
		char msg[512];
		snprintf(msg, sizeof msg, "%s: row 3 out of range (3 rows)", p);
		T_STREQ(e.msg, msg);
	}
	ft_table_free(t);
}

/* Cells are value ids into per-column dictionaries: first appearance
 * order, one id per distinct text, missing tokens not values, keys that
 * share their first 8 bytes told apart, lengths kept. */
static void t_interned(void)
{
	const char *p = PUT("intern.csv",
	                    "a,b\n"
	                    "x,abcdefgh1\n"
	                    "y,abcdefgh12\n"
	                    "x,abcdefgh2\n"
	                    "?,abcdefghijklmnopq\n"
	                    "\" ? \",abcdefghijklmnopr\n"
	                    "na,abcdefgh1\n"
	                    "y,abcdefgh\n"
	                    "\"\",abcdefghijklmnopq\n");
	struct ft_table *t = NULL;

	T_CHECK(ft_table_read(p, NULL, &t, NULL) == 0);
	if (!t)
		return;
	T_CHECK(t->n_rows == 8);
	T_CHECK(t->vals[0].n == 3);
	T_STREQ(t->vals[0].str[0], "x");
	T_STREQ(t->vals[0].str[1], "y");
	T_STREQ(t->vals[0].str[2], "na");
	T_CHECK(t->cell[0] == 0 && t->cell[2] == 1 && t->cell[4] == 0);
	T_CHECK(t->cell[6] == FT_MISSING && t->cell[8] == FT_MISSING);
	T_CHECK(t->cell[10] == 2 && t->cell[12] == 1 && t->cell[14] == FT_MISSING);
	T_CHECK(t->vals[1].n == 6);
	T_STREQ(t->vals[1].str[1], "abcdefgh12");
	T_STREQ(t->vals[1].str[4], "abcdefghijklmnopr");
	T_STREQ(t->vals[1].str[5], "abcdefgh");
	T_CHECK(t->vals[1].len[1] == 10 && t->vals[1].len[5] == 8);
	T_CHECK(t->cell[1] == 0 && t->cell[3] == 1 && t->cell[5] == 2);
	T_CHECK(t->cell[7] == 3 && t->cell[9] == 4 && t->cell[11] == 0);
	T_CHECK(t->cell[13] == 5 && t->cell[15] == 3);
	for (size_t j = 0; j < 2; j++)
		for (size_t k = 0; k < t->vals[j].n; k++)
			T_CHECK(strlen(t->vals[j].str[k]) == t->vals[j].len[k]);
	ft_table_free(t);
}

/* Many distinct values (the dictionary grows many times) and many rows
 * (the file is read in chunks: lines cross chunk boundaries, one line is
 * longer than a chunk, a quoted field with newlines spans a boundary). */
static void t_big(void)
{
	size_t n = 20000, cap = 4u << 20, len = 0, miss = 0, bad = 0;
	char *text = malloc(cap), path[300];
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };
	FILE *fp;

	if (!text)
		return;
	len += (size_t)snprintf(text + len, cap - len, "id,v,w\n");
	for (size_t i = 0; i < n; i++) {
		if (i == 7000) {
			/* a 100,000-byte field */
			len += (size_t)snprintf(text + len, cap - len, "%zu,", i);
			memset(text + len, 'z', 100000);
			len += 100000;
			len += (size_t)snprintf(text + len, cap - len, ",%zu\n", i % 7);
		} else if (i % 1000 == 999) {
			len += (size_t)snprintf(text + len, cap - len,
			                        "%zu,\"multi\nline %zu\",?\n", i, i);
		} else {
			len += (size_t)snprintf(text + len, cap - len, "%zu,v%zu,%zu\n",
			                        i, i * 7919 % 15013, i % 7);
		}
	}
	snprintf(path, sizeof path, "%s/big.csv", tmpdir);
	strcpy(paths[n_paths++], path);
	fp = fopen(path, "wb");
	if (!fp) {
		free(text);
		return;
	}
	fwrite(text, 1, len, fp);
	fclose(fp);
	free(text);

	T_CHECKF(ft_table_read(path, NULL, &t, &e) == 0, "%s", e.msg);
	if (!t)
		return;
	T_CHECK(t->n_rows == n && t->vals[0].n == n);
	/* the multi-line rows push later rows one line down */
	for (size_t i = 0; i < n; i++) {
		char want[64];
		size_t line = i + 2 + i / 1000;
		snprintf(want, sizeof want, "%zu", i);
		bad += strcmp(ft_table_cell(t, i, 0), want) != 0 ||
		       t->line[i] != line || t->cell[i * 3] != i;
		miss += ft_table_cell(t, i, 2) == NULL;
	}
	T_CHECKF(bad == 0, "%zu rows differ", bad);
	T_CHECK(miss == n / 1000);
	T_CHECK(t->vals[1].len[t->cell[7000 * 3 + 1]] == 100000);
	T_STREQ(ft_table_cell(t, 999, 1), "multi\nline 999");
	T_STREQ(ft_table_cell(t, 12345, 1), "v10412");
	T_CHECK(t->vals[2].n == 7);
	ft_table_free(t);
}

/* ------------------------------------------------------------ real files */

static void t_adult_data(void)
{
	char path[1024];
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };
	size_t miss = 0;
	double t0;

	t_have_data("adult/adult.data", path, sizeof path);
	ft_read_opts_init(&o);
	o.header = 0;
	o.names = t_adult_names();
	o.n_names = T_ADULT_N_NAMES;
	t0 = t_now();
	T_CHECKF(ft_table_read(path, &o, &t, &e) == 0, "%s", e.msg);
	if (!t)
		return;
	printf("# adult.data read in %.1f ms\n", 1e3 * (t_now() - t0));
	T_CHECK(t->n_rows == 32561 && t->n_cols == 15);
	T_STREQ(ft_table_cell(t, 0, 0), "39");
	T_STREQ(ft_table_cell(t, 0, 1), "State-gov");
	T_STREQ(ft_table_cell(t, 0, 14), "<=50K");
	T_STREQ(ft_table_cell(t, 32560, 9), "Female");
	T_STREQ(ft_table_cell(t, 32560, 14), ">50K");
	T_CHECK(t->line[0] == 1 && t->line[32560] == 32561);
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		miss += t->cell[i] == FT_MISSING;
	T_CHECKF(miss == 4262, "missing cells %zu", miss);
	/* distinct values per column: fnlwgt has 21,648, sex two */
	T_CHECK(t->vals[2].n == 21648 && t->vals[9].n == 2);
	T_STREQ(t->vals[9].str[0], "Male");
	/* row 15 (line 15) has '?' for native-country */
	T_CHECK(ft_table_cell(t, 14, 13) == NULL);
	ft_table_free(t);
}

static void t_adult_test(void)
{
	char path[1024];
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };
	size_t pos = 0;

	t_have_data("adult/adult.test", path, sizeof path);
	ft_read_opts_init(&o);
	o.header = 0;
	o.names = t_adult_names();
	o.n_names = T_ADULT_N_NAMES;
	o.skip_rows = 1;
	T_CHECKF(ft_table_read(path, &o, &t, &e) == 0, "%s", e.msg);
	if (!t)
		return;
	T_CHECK(t->n_rows == 16281 && t->n_cols == 15);
	T_STREQ(ft_table_cell(t, 0, 0), "25");
	T_STREQ(ft_table_cell(t, 0, 14), "<=50K.");
	T_CHECK(t->line[0] == 2 && t->line[16280] == 16282);
	for (size_t i = 0; i < t->n_rows; i++)
		pos += strcmp(ft_table_cell(t, i, 14), ">50K.") == 0;
	T_CHECKF(pos == 3846, "positives %zu", pos);
	ft_table_free(t);
	/* without skip_rows the cross-validator line is a 1-field row */
	o.skip_rows = 0;
	{
		char msg[1200];
		snprintf(msg, sizeof msg, "%s:1: expected 15 fields, found 1", path);
		expect_error(path, &o, FT_EPARSE, msg);
	}
}

static void t_german(void)
{
	char path[1024], nb[21][16], *names[21];
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };

	t_have_data("german/german.data", path, sizeof path);
	for (int i = 0; i < 21; i++) {
		snprintf(nb[i], sizeof nb[i], "c%d", i + 1);
		names[i] = nb[i];
	}
	ft_read_opts_init(&o);
	o.whitespace = 1;
	o.header = 0;
	o.names = names;
	o.n_names = 21;
	T_CHECKF(ft_table_read(path, &o, &t, &e) == 0, "%s", e.msg);
	if (!t)
		return;
	T_CHECK(t->n_rows == 1000 && t->n_cols == 21);
	T_STREQ(ft_table_cell(t, 0, 0), "A11");
	T_STREQ(ft_table_cell(t, 0, 4), "1169");
	T_STREQ(ft_table_cell(t, 0, 8), "A93");
	T_STREQ(ft_table_cell(t, 999, 1), "45");
	T_STREQ(ft_table_cell(t, 999, 20), "1");
	T_CHECK(t->line[999] == 1000);
	ft_table_free(t);
}

static void t_compas(void)
{
	char path[1024];
	struct ft_table *t = NULL;
	struct ft_error e = { 0 };
	size_t miss = 0;

	t_have_data("compas/compas-scores-two-years.csv", path, sizeof path);
	T_CHECKF(ft_table_read(path, NULL, &t, &e) == 0, "%s", e.msg);
	if (!t)
		return;
	T_CHECK(t->n_rows == 7214 && t->n_cols == 53);
	T_STREQ(t->names[0], "id");
	T_STREQ(t->names[52], "two_year_recid");  /* no CR */
	T_CHECK(ft_table_col(t, "decile_score") == 11);
	T_CHECK(ft_table_col(t, "decile_score.1") == 39);
	T_CHECK(ft_table_col(t, "priors_count.1") == 48);
	T_STREQ(ft_table_cell(t, 0, 9), "Other");
	/* line 12: "Poss 3,4 MDMA (Ecstasy)" is quoted */
	T_STREQ(ft_table_cell(t, 10, ft_table_col(t, "c_charge_desc")),
	        "Poss 3,4 MDMA (Ecstasy)");
	T_CHECK(t->line[10] == 12 && t->line[7213] == 7215);
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		miss += t->cell[i] == FT_MISSING;
	T_CHECKF(miss == 71220, "missing cells %zu", miss);
	ft_table_free(t);
}

static void cleanup(void)
{
	for (size_t i = 0; i < n_paths; i++)
		unlink(paths[i]);
	rmdir(tmpdir);
}

int main(void)
{
	char probe[1024];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	T_RUN(t_opts_init);
	T_RUN(t_header);
	T_RUN(t_names_given);
	T_RUN(t_bad_names);
	T_RUN(t_header_names);
	T_RUN(t_delimiter);
	T_RUN(t_whitespace);
	T_RUN(t_quotes_and_spaces);
	T_RUN(t_crlf_bom_blank);
	T_RUN(t_nul_byte);
	T_RUN(t_encodings);
	T_RUN(t_skip_rows_no_final_newline);
	T_RUN(t_multiline_quoted);
	T_RUN(t_missing_tokens);
	T_RUN(t_field_count_errors);
	T_RUN(t_quote_errors);
	T_RUN(t_file_errors);
	T_RUN(t_subset);
	T_RUN(t_interned);
	T_RUN(t_big);
	if (t_have_data("adult/adult.data", probe, sizeof probe)) {
		T_RUN(t_adult_data);
		T_RUN(t_adult_test);
	} else {
		T_SKIP(t_adult_data, "no data sets (set FAIRTRAIN_DATA)");
		T_SKIP(t_adult_test, "no data sets (set FAIRTRAIN_DATA)");
	}
	if (t_have_data("german/german.data", probe, sizeof probe))
		T_RUN(t_german);
	else
		T_SKIP(t_german, "no data sets (set FAIRTRAIN_DATA)");
	if (t_have_data("compas/compas-scores-two-years.csv", probe, sizeof probe))
		T_RUN(t_compas);
	else
		T_SKIP(t_compas, "no data sets (set FAIRTRAIN_DATA)");
	cleanup();
	return t_done();
}
