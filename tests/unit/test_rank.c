/*
 * test_rank.c - ranking data and linear rankers: the LETOR reader (layout,
 * regrouping, every error), CSV through the encoder (numeric relevance,
 * query column, raw features), query-level splits, groups from a feature,
 * dropping a feature; ListNet and RankNet objectives against an independent
 * numpy computation (tests/fixtures/deltr_exact.tsv, made by
 * scripts/fixtures/make_deltr_fixtures.py) and against finite differences,
 * Hessians against differences of gradients, fitted minima against scipy;
 * per-query positions and the exposure ratio by hand; method parsing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fairtrain.h"
#include "t.h"
#include "rank_fixture.h"

static char tmpdir[] = "/tmp/ft_test_rank.XXXXXX";

/* Write text to tmpdir/name; the path (static storage, 8 slots). */
static const char *put(const char *name, const char *text)
{
	static char paths[8][512];
	static int k;
	char *p = paths[k++ % 8];
	FILE *fp;

	snprintf(p, 512, "%s/%s", tmpdir, name);
	fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	return p;
}

/* --------------------------------------------------------------- LETOR */

static void t_letor_read(void)
{
	const char *path = put("ok.txt",
		"# a comment line\n"
		"2 qid:10 1:0.5 3:-1 # doc a\n"
		"0 qid:10 2:1.5\n"
		"1\tqid:7 1:1 2:2 3:3\r\n"
		"\n"
		"1 qid:10 1:2.5e-1\n");
	struct ft_rank_data *rd = NULL;
	struct ft_error err = { 0 };

	T_CHECK(ft_letor_read(path, &rd, &err) == 0);
	if (!rd)
		return;
	T_CHECK(rd->n == 4 && rd->p == 3 && rd->n_queries == 2);
	T_STREQ(rd->qid[0], "10");
	T_STREQ(rd->qid[1], "7");
	T_CHECK(rd->qoff[0] == 0 && rd->qoff[1] == 3 && rd->qoff[2] == 4);
	/* query 10's rows in file order, then query 7 */
	T_CHECK(rd->line[0] == 2 && rd->line[1] == 3 && rd->line[2] == 6 && rd->line[3] == 4);
	T_CHECK(rd->rel[0] == 2 && rd->rel[1] == 0 && rd->rel[2] == 1 && rd->rel[3] == 1);
	T_CHECK(rd->x[0] == 0.5 && rd->x[1] == 0 && rd->x[2] == -1);
	T_CHECK(rd->x[3] == 0 && rd->x[4] == 1.5 && rd->x[5] == 0);
	T_CHECK(rd->x[6] == 0.25 && rd->x[7] == 0 && rd->x[8] == 0);
	T_CHECK(rd->x[9] == 1 && rd->x[10] == 2 && rd->x[11] == 3);
	T_STREQ(rd->feature_names[2], "f3");
	T_CHECK(rd->group == NULL);
	ft_rank_data_free(rd);
}

static void t_letor_errors(void)
{
	static const struct { const char *line, *msg; int code; } BAD[] = {
		{ "x qid:1 1:1\n", "bad.txt:2: relevance 'x' is not a number", FT_EPARSE },
		{ "nan qid:1 1:1\n", "bad.txt:2: relevance 'nan' is not finite", FT_EPARSE },
		{ "1 1:1\n", "bad.txt:2: missing qid (expected 'qid:Q' after the relevance, found '1:1')", FT_EPARSE },
		{ "1\n", "bad.txt:2: missing qid (expected 'qid:Q' after the relevance)", FT_EPARSE },
		{ "1 qid: 1:1\n", "bad.txt:2: missing qid", FT_EPARSE },
		{ "1 qid:1 2:1 1:1\n", "bad.txt:2: feature index 1 follows 2 (indices must increase)", FT_EPARSE },
		{ "1 qid:1 1:1 1:2\n", "bad.txt:2: feature index 1 follows 1", FT_EPARSE },
		{ "1 qid:1 1:nan\n", "bad.txt:2: feature 1: value 'nan' is not finite", FT_EPARSE },
		{ "1 qid:1 1:1e999\n", "bad.txt:2: feature 1: value '1e999' is not finite", FT_EPARSE },
		{ "1 qid:1 1:\n", "bad.txt:2: feature 1: value '' is not a number", FT_EPARSE },
		{ "1 qid:1 a:1\n", "bad.txt:2: bad feature 'a:1' (expected INDEX:VALUE)", FT_EPARSE },
		{ "1 qid:1 0:1\n", "bad.txt:2: bad feature index in '0:1'", FT_EPARSE },
		{ "1 qid:1 1x:1\n", "bad.txt:2: bad feature index in '1x:1'", FT_EPARSE },
		{ "1 qid:1 qid:2\n", "bad.txt:2: bad feature 'qid:2'", FT_EPARSE },
	};
	char text[256];

	for (size_t k = 0; k < sizeof BAD / sizeof *BAD; k++) {
		struct ft_rank_data *rd = NULL;
		struct ft_error err = { 0 };
		snprintf(text, sizeof text, "1 qid:1 1:0.5\n%s", BAD[k].line);
		T_CHECKF(ft_letor_read(put("bad.txt", text), &rd, &err) == BAD[k].code,
		         "%s: code %d", BAD[k].line, err.code);
		T_CHECKF(strstr(err.msg, BAD[k].msg) != NULL, "'%s' lacks '%s'", err.msg, BAD[k].msg);
		T_CHECK(rd == NULL);
	}
	{
		struct ft_rank_data *rd = NULL;
		struct ft_error err = { 0 };
		T_CHECK(ft_letor_read(put("empty.txt", "# nothing\n\n"), &rd, &err) == FT_EDATA);
		T_CHECK(strstr(err.msg, "empty.txt: no data lines") != NULL);
		ft_error_clear(&err);
		T_CHECK(ft_letor_read(put("nofeat.txt", "1 qid:1\n"), &rd, &err) == FT_EDATA);
		ft_error_clear(&err);
		T_CHECK(ft_letor_read("/nonexistent/x.txt", &rd, &err) == FT_EIO);
	}
}

/* Values a model cannot use are refused at read time, naming the line:
 * a relevance whose NDCG gain 2^rel - 1 overflows (issue 12: 1e308 trained
 * and failed at save), a feature value whose square overflows. */
static void t_letor_range(void)
{
	static const struct { const char *line, *msg; } BAD[] = {
		{ "1e308 qid:1 1:1\n", "bad.txt:2: relevance '1e308' is too large (at most 1000" },
		{ "-1001 qid:1 1:1\n", "bad.txt:2: relevance '-1001' is too large" },
		{ "1 qid:1 1:1e200\n", "bad.txt:2: feature 1: value '1e200' is too large (at most 1e+150" },
		{ "1 qid:1 2:-1e151\n", "bad.txt:2: feature 2: value '-1e151' is too large" },
	};
	char text[256];

	for (size_t k = 0; k < sizeof BAD / sizeof *BAD; k++) {
		struct ft_rank_data *rd = NULL;
		struct ft_error err = { 0 };
		snprintf(text, sizeof text, "1 qid:1 1:0.5\n%s", BAD[k].line);
		T_CHECKF(ft_letor_read(put("bad.txt", text), &rd, &err) == FT_EPARSE,
		         "%s: code %d", BAD[k].line, err.code);
		T_CHECKF(strstr(err.msg, BAD[k].msg) != NULL, "'%s' lacks '%s'", err.msg, BAD[k].msg);
		T_CHECK(rd == NULL);
	}
	{
		struct ft_rank_data *rd = NULL;
		struct ft_error err = { 0 };
		T_CHECK(ft_letor_read(put("edge.txt", "1000 qid:1 1:1e150\n-1000 qid:1 1:-1e150\n"),
		                      &rd, &err) == 0);
		T_CHECK(rd && rd->rel[0] == 1000 && rd->x[1] == -1e150);
		ft_rank_data_free(rd);
	}
}

/* Memory is bounded by what the file holds: the 31-byte file of issue 12
 * (p = 30,000,000: 480 MB dense, 10 GB in the CLI) is refused at its line
 * 2; raising max_features lets a wide file through while the matrix stays
 * within 16 cells per value beyond 2^20; a wide sparse file beyond that
 * is refused naming the line of its largest index, and loads once
 * max_cells_per_value is raised. */
static void t_letor_limits(void)
{
	struct ft_letor_opts o;
	struct ft_rank_data *rd = NULL;
	struct ft_error err = { 0 };
	char *text = malloc(64 * 1024);
	size_t len = 0;

	T_CHECK(ft_letor_read(put("wide.txt", "1 qid:1 1:1\n0 qid:1 30000000:1\n"),
	                      &rd, &err) == FT_EDATA);
	T_STREQ(err.msg, "wide.txt:2: feature index 30000000 is above the limit "
	        "of 100000 features (max_features)");
	T_CHECK(rd == NULL);

	ft_letor_opts_init(&o);
	T_CHECK(o.max_features == 100000 && o.max_cells_per_value == 16);
	o.max_features = 500000;
	ft_error_clear(&err);
	T_CHECK(ft_letor_read_opts(put("w2.txt", "1 qid:1 1:1\n0 qid:1 400000:1\n"),
	                           &o, &rd, &err) == 0);
	T_CHECK(rd && rd->p == 400000 && rd->x[400000 + 399999] == 1);
	ft_rank_data_free(rd);
	rd = NULL;

	/* 8 rows x 400000 = 3.2 M cells for 16 values: above 2^20 + 16 x 24 */
	for (int i = 0; i < 8; i++)
		len += (size_t)snprintf(text + len, 64 * 1024 - len,
		                        "%d qid:%d 1:1 %d:1\n", i % 2, i / 4,
		                        i == 5 ? 400000 : 2);
	ft_error_clear(&err);
	T_CHECK(ft_letor_read_opts(put("w3.txt", text), &o, &rd, &err) == FT_EDATA);
	T_STREQ(err.msg, "w3.txt:6: feature index 400000 makes a dense matrix of "
	        "8 x 400000 cells for 16 values in the file (more than 16 per "
	        "value: max_cells_per_value)");
	T_CHECK(rd == NULL);
	o.max_cells_per_value = SIZE_MAX;
	ft_error_clear(&err);
	T_CHECK(ft_letor_read_opts(put("w3.txt", text), &o, &rd, &err) == 0);
	T_CHECK(rd && rd->n == 8 && rd->p == 400000);
	ft_rank_data_free(rd);
	free(text);
}

/* The reader writes rows straight into the matrix while the file looks
 * dense, and moves to (index, value) lists once the matrix would hold more
 * cells than check_dense allows for the rows read so far: both must give
 * the same matrix.  Here 10,000 rows of one value at index 1 (among them
 * explicit 0 and -0), then 1,000 rows of 1,000 values: at line 10,001 the
 * 16,384 rows of 1,000 cells pass the allowance (2^20 + 16 x 21,001), so
 * the first rows go to the lists there; the whole file is within it
 * (11,000 x 1,000 against 2^20 + 16 x 1,021,000).  Then
 * rows that widen the matrix one index at a time (the matrix re-laid out
 * as it grows).  Every cell is checked against what was written, -0.0 by
 * its sign. */
static double ways_value(size_t m, size_t j)
{
	static const double V[5] = {-0.5, 0.0, -0.0, 0.25, 1.5};
	return V[(m + j) % 5];
}

static void t_letor_ways(void)
{
	static const char *const TXT[5] = {"-0.5", "0", "-0", "0.25", "1.5"};
	static const double EARLY[4] = {0.0, -0.0, 0.5, 3.0};
	static const char *const ETXT[4] = {"0", "-0", "0.5", "3"};
	enum { NE = 10000, NL = 1000, PL = 1000 };
	char path[600];
	FILE *fp;
	struct ft_rank_data *rd = NULL;
	struct ft_error err = { 0 };
	size_t bad = 0;

	snprintf(path, sizeof path, "%s/ways.txt", tmpdir);
	if (!(fp = fopen(path, "w")))
		return;
	for (size_t r = 0; r < NE; r++)
		fprintf(fp, "%zu qid:a%zu 1:%s\n", r % 3, r / 10, ETXT[r % 4]);
	for (size_t m = 0; m < NL; m++) {
		fprintf(fp, "%zu qid:b%zu", m % 2, m / 10);
		for (size_t j = 0; j < PL; j++)
			fprintf(fp, " %zu:%s", j + 1, TXT[(m + j) % 5]);
		fputc('\n', fp);
	}
	fclose(fp);
	T_CHECK(ft_letor_read(path, &rd, &err) == 0);
	if (!rd)
		return;
	T_CHECK(rd->n == NE + NL && rd->p == PL && rd->n_queries == NE / 10 + NL / 10);
	for (size_t r = 0; r < rd->n; r++) {
		const double *xr = rd->x + r * PL;
		for (size_t j = 0; j < PL; j++) {
			double want = r < NE ? (j == 0 ? EARLY[r % 4] : 0.0) : ways_value(r - NE, j);
			bad += xr[j] != want || signbit(xr[j]) != signbit(want);
		}
		bad += rd->line[r] != r + 1 || rd->rel[r] != (double)(r < NE ? r % 3 : (r - NE) % 2);
	}
	T_CHECKF(bad == 0, "%zu cells or rows differ", bad);
	ft_rank_data_free(rd);
	rd = NULL;

	/* widening: row i names index i + 1 only (and index 1) */
	if (!(fp = fopen(path, "w")))
		return;
	for (size_t i = 0; i < 300; i++)
		fprintf(fp, "1 qid:%zu 1:-0 %zu:%zu\n", i % 7, i + 2, i + 1);
	fclose(fp);
	ft_error_clear(&err);
	T_CHECK(ft_letor_read(path, &rd, &err) == 0);
	if (!rd)
		return;
	T_CHECK(rd->n == 300 && rd->p == 301 && rd->n_queries == 7);
	bad = 0;
	for (size_t k = 0; k < rd->n; k++) {
		/* rows gathered by query: query q holds lines q + 1, q + 8, ... */
		size_t i = rd->line[k] - 1;
		for (size_t j = 0; j < rd->p; j++) {
			double want = j == i + 1 ? (double)(i + 1) : j == 0 ? -0.0 : 0.0;
			bad += rd->x[k * rd->p + j] != want ||
			       signbit(rd->x[k * rd->p + j]) != signbit(want);
		}
		bad += k > 0 && rd->line[k] <= rd->line[k - 1] &&
		       (rd->line[k] - 1) % 7 == (rd->line[k - 1] - 1) % 7;
	}
	T_CHECKF(bad == 0, "%zu cells or rows differ", bad);
	for (size_t q = 0; q < 7; q++)
		T_CHECK(rd->line[rd->qoff[q]] == q + 1);
	ft_rank_data_free(rd);
}

static void t_group_and_drop(void)
{
	const char *path = put("g.txt",
		"1 qid:1 1:1 2:5 3:7\n0 qid:1 1:0 2:6 3:8\n2 qid:2 1:1 2:4 3:9\n");
	struct ft_rank_data *rd = NULL;
	struct ft_error err = { 0 };

	T_CHECK(ft_letor_read(path, &rd, &err) == 0);
	if (!rd)
		return;
	T_CHECK(ft_rank_data_group_by_feature(rd, 0, 1.0, &err) == 0);
	T_CHECK(rd->n_groups == 2 && rd->group[0] == 1 && rd->group[1] == 0 && rd->group[2] == 1);
	T_STREQ(rd->group_names[1], "f1=1");
	T_STREQ(rd->group_names[0], "f1!=1");
	T_CHECK(ft_rank_data_drop_feature(rd, 0, &err) == 0);
	T_CHECK(rd->p == 2);
	T_CHECK(rd->x[0] == 5 && rd->x[1] == 7 && rd->x[2] == 6 && rd->x[3] == 8 &&
	        rd->x[4] == 4 && rd->x[5] == 9);
	T_STREQ(rd->feature_names[0], "f2");
	T_CHECK(ft_rank_data_drop_feature(rd, 2, &err) == FT_EINVAL);
	T_CHECK(ft_rank_data_group_by_feature(rd, 5, 1.0, &err) == FT_EINVAL);
	T_CHECK(ft_rank_data_drop_feature(rd, 1, &err) == 0);
	T_CHECK(ft_rank_data_drop_feature(rd, 0, &err) == FT_EDATA);
	ft_rank_data_free(rd);
}

/* ---------------------------------------------------- CSV and encoder */

static const char CSV[] =
	"q,prot,a,b,rel\n"
	"A,0,1,2,3\n"
	"B,1,2,0,1\n"
	"A,1,0,1,2.5\n"
	"B,0,1,1,0\n"
	"C,0,5,5,1\n";

static void spec_rank(struct ft_spec *s, char **sens, char **num)
{
	ft_spec_init(s);
	s->target = "rel";
	s->numeric_target = 1;
	s->query = "q";
	s->sensitive = sens;
	s->n_sensitive = 1;
	s->use_sensitive = 1;
	s->numeric = num;
	s->n_numeric = 1;
}

static void t_csv_encoder(void)
{
	static char *sens[] = { "prot" }, *num[] = { "prot" };
	struct ft_read_opts o;
	struct ft_spec s;
	struct ft_table *t = NULL;
	struct ft_encoder *e = NULL;
	struct ft_rank_data *rd = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0 };
	static const double X[5][3] = { {0, 1, 2}, {1, 0, 1}, {1, 2, 0}, {0, 1, 1}, {0, 5, 5} };
	static const double REL[5] = { 3, 2.5, 1, 0, 1 };
	static const size_t LINE[5] = { 2, 4, 3, 5, 6 };

	ft_read_opts_init(&o);
	T_CHECK(ft_table_read(put("r.csv", CSV), &o, &t, &err) == 0);
	spec_rank(&s, sens, num);
	s.raw_numeric = 1;
	T_CHECK(ft_encoder_fit(t, &s, &e, &err) == 0);
	if (!e)
		goto done;
	T_CHECK(e->positive == NULL && e->n_features == 3);
	T_CHECK(ft_rank_data_from_table(t, e, "q", FT_APPLY_TRAIN, &rd, &st, &err) == 0);
	if (!rd)
		goto done;
	T_CHECK(rd->n == 5 && rd->p == 3 && rd->n_queries == 3 && st.n_in == 5);
	T_STREQ(rd->qid[0], "A");
	T_STREQ(rd->qid[2], "C");
	T_CHECK(rd->qoff[1] == 2 && rd->qoff[2] == 4 && rd->qoff[3] == 5);
	T_STREQ(rd->feature_names[0], "prot");
	T_STREQ(rd->feature_names[2], "b");
	for (size_t i = 0; i < 5; i++) {
		T_CHECK(rd->rel[i] == REL[i] && rd->line[i] == LINE[i]);
		T_CHECK(rd->group[i] == (int32_t)X[i][0]);
		for (size_t j = 0; j < 3; j++)
			T_CHECK(rd->x[i * 3 + j] == X[i][j]);
	}
	T_CHECK(rd->n_groups == 2);
	T_STREQ(rd->group_names[1], "1");
	ft_rank_data_free(rd);
	rd = NULL;
	ft_encoder_free(e);
	e = NULL;
	/* standardized by default: column a has mean 9/5 */
	s.raw_numeric = 0;
	T_CHECK(ft_encoder_fit(t, &s, &e, &err) == 0);
	T_CHECK(ft_rank_data_from_table(t, e, "q", FT_APPLY_TRAIN, &rd, NULL, &err) == 0);
	if (rd) {
		double m = 0;
		for (size_t i = 0; i < 5; i++)
			m += rd->x[i * 3 + 1];
		T_NEAR(m, 0.0, 1e-12);
		T_NEAR(e->cols[2].mean, 1.8, 1e-15);
	}
done:
	ft_rank_data_free(rd);
	ft_encoder_free(e);
	ft_table_free(t);
}

static void t_csv_errors(void)
{
	static char *sens[] = { "prot" }, *num[] = { "prot" };
	struct ft_read_opts o;
	struct ft_spec s;
	struct ft_table *t = NULL, *bad = NULL, *miss = NULL;
	struct ft_encoder *e = NULL;
	struct ft_rank_data *rd = NULL;
	struct ft_error err = { 0 };

	ft_read_opts_init(&o);
	T_CHECK(ft_table_read(put("r.csv", CSV), &o, &t, &err) == 0);
	spec_rank(&s, sens, num);
	s.positive = "1";
	T_CHECK(ft_encoder_fit(t, &s, &e, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "a numeric target takes no positive label") != NULL);
	ft_error_clear(&err);
	s.positive = NULL;
	/* a bad relevance: at fit and at apply time, named by file:line */
	T_CHECK(ft_table_read(put("bad.csv", "q,prot,a,b,rel\nA,0,1,2,3\nA,1,1,1,x\n"),
	                      &o, &bad, &err) == 0);
	T_CHECK(ft_encoder_fit(bad, &s, &e, &err) == FT_EPARSE);
	T_CHECKF(strstr(err.msg, "bad.csv:3: column 'rel': not a number 'x'") != NULL, "%s", err.msg);
	ft_error_clear(&err);
	T_CHECK(ft_encoder_fit(t, &s, &e, &err) == 0);
	T_CHECK(ft_rank_data_from_table(bad, e, "q", FT_APPLY_PREDICT, &rd, NULL, &err) == FT_EPARSE);
	T_CHECKF(strstr(err.msg, "bad.csv:3: column 'rel': not a number 'x'") != NULL, "%s", err.msg);
	ft_error_clear(&err);
	ft_table_free(bad);
	bad = NULL;
	/* a relevance whose gain 2^rel - 1 overflows, as in a LETOR file */
	T_CHECK(ft_table_read(put("big.csv", "q,prot,a,b,rel\nA,0,1,2,3\nA,1,1,1,1e308\n"),
	                      &o, &bad, &err) == 0);
	{
		struct ft_encoder *e2 = NULL;
		T_CHECK(ft_encoder_fit(bad, &s, &e2, &err) == FT_EPARSE);
		T_CHECKF(strstr(err.msg, "big.csv:3: column 'rel': relevance '1e308' is too "
		                "large (at most 1000") != NULL, "%s", err.msg);
		ft_encoder_free(e2);
	}
	ft_error_clear(&err);
	T_CHECK(ft_rank_data_from_table(bad, e, "q", FT_APPLY_PREDICT, &rd, NULL, &err) == FT_EPARSE);
	T_CHECKF(strstr(err.msg, "big.csv:3: column 'rel': relevance '1e308'") != NULL, "%s", err.msg);
	ft_error_clear(&err);
	/* the query column must exist and must not be a feature */
	T_CHECK(ft_rank_data_from_table(t, e, "nosuch", FT_APPLY_TRAIN, &rd, NULL, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "no query column 'nosuch' (columns: q, prot, a, b, rel)") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_rank_data_from_table(t, e, "a", FT_APPLY_TRAIN, &rd, NULL, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "query column 'a' is a feature") != NULL);
	ft_error_clear(&err);
	/* a row without a query id; PREDICT: unknown relevance is NaN */
	T_CHECK(ft_table_read(put("miss.csv", "q,prot,a,b,rel\nA,0,1,2,\n,1,1,1,2\n"),
	                      &o, &miss, &err) == 0);
	T_CHECK(ft_rank_data_from_table(miss, e, "q", FT_APPLY_TRAIN, &rd, NULL, &err) == FT_EDATA);
	T_CHECKF(strstr(err.msg, "miss.csv:3: missing query id in column 'q'") != NULL, "%s", err.msg);
	ft_table_free(miss);
	miss = NULL;
	T_CHECK(ft_table_read(put("miss2.csv", "q,prot,a,b,rel\nA,0,1,2,\nA,1,1,1,2\n"),
	                      &o, &miss, &err) == 0);
	T_CHECK(ft_rank_data_from_table(miss, e, "q", FT_APPLY_PREDICT, &rd, NULL, &err) == 0);
	T_CHECK(rd && isnan(rd->rel[0]) && rd->rel[1] == 2);
	ft_rank_data_free(rd);
	rd = NULL;
	/* TRAIN drops the row without relevance */
	T_CHECK(ft_rank_data_from_table(miss, e, "q", FT_APPLY_TRAIN, &rd, NULL, &err) == 0);
	T_CHECK(rd && rd->n == 1 && rd->line[0] == 3);
	ft_rank_data_free(rd);
	ft_encoder_free(e);
	ft_table_free(t);
	ft_table_free(bad);
	ft_table_free(miss);
}

/* ------------------------------------------------------------- splits */

static void t_split_rank_data(void)
{
	struct ft_rank_data *rd = t_synthetic(), *a = NULL, *b = NULL, *a2 = NULL, *b2 = NULL;
	struct ft_error err = { 0 };

	T_CHECK(ft_rank_data_split(rd, 0.5, 7, &a, &b, &err) == 0);
	if (!a || !b)
		goto done;
	T_CHECK(a->n_queries == 2 && b->n_queries == 2 && a->n + b->n == rd->n);
	/* every query whole, rows in their original order */
	for (size_t q = 0; q < b->n_queries; q++) {
		size_t k = (size_t)atoi(b->qid[q]);
		T_CHECK(b->qoff[q + 1] - b->qoff[q] == rd->qoff[k + 1] - rd->qoff[k]);
		for (size_t i = 0; i < b->qoff[q + 1] - b->qoff[q]; i++) {
			T_CHECK(b->line[b->qoff[q] + i] == rd->line[rd->qoff[k] + i]);
			T_CHECK(b->group[b->qoff[q] + i] == rd->group[rd->qoff[k] + i]);
			T_CHECK(b->x[(b->qoff[q] + i) * 3 + 2] == rd->x[(rd->qoff[k] + i) * 3 + 2]);
		}
	}
	T_CHECK(strcmp(a->qid[0], a->qid[1]) < 0);   /* original order kept */
	T_CHECK(ft_rank_data_split(rd, 0.5, 7, &a2, &b2, &err) == 0);
	T_CHECK(a2 && strcmp(a2->qid[0], a->qid[0]) == 0 && strcmp(a2->qid[1], a->qid[1]) == 0);
	ft_error_clear(&err);
	ft_rank_data_free(a2);
	ft_rank_data_free(b2);
	T_CHECK(ft_rank_data_split(rd, 0.01, 7, &a2, &b2, &err) == FT_EDATA);
	T_CHECK(a2 == NULL && b2 == NULL);
	T_CHECK(ft_rank_data_split(rd, 1.5, 7, &a2, &b2, &err) == FT_EINVAL);
done:
	ft_rank_data_free(a);
	ft_rank_data_free(b);
	ft_rank_data_free(rd);
}

static void t_split_table(void)
{
	struct ft_read_opts o;
	struct ft_table *t = NULL, *a = NULL, *b = NULL;
	struct ft_error err = { 0 };
	int seen[3] = { 0, 0, 0 };

	ft_read_opts_init(&o);
	T_CHECK(ft_table_read(put("r.csv", CSV), &o, &t, &err) == 0);
	for (uint64_t seed = 0; seed < 12; seed++) {
		T_CHECK(ft_table_split_query(t, "q", 0.34, seed, &a, &b, &err) == 0);
		if (!a || !b)
			break;
		/* one query of three to test; each query wholly on one side */
		T_CHECK(a->n_rows + b->n_rows == 5);
		for (size_t i = 0; i < b->n_rows; i++)
			T_CHECK(strcmp(ft_table_cell(b, i, 0), ft_table_cell(b, 0, 0)) == 0);
		for (size_t i = 0; i < a->n_rows; i++)
			T_CHECK(strcmp(ft_table_cell(a, i, 0), ft_table_cell(b, 0, 0)) != 0);
		seen[ft_table_cell(b, 0, 0)[0] - 'A'] = 1;
		ft_table_free(a);
		ft_table_free(b);
	}
	T_CHECK(seen[0] && seen[1] && seen[2]);   /* seeds pick different queries */
	T_CHECK(ft_table_split_query(t, "nosuch", 0.5, 1, &a, &b, &err) == FT_EINVAL);
	T_CHECK(ft_table_split_query(t, "q", 0.1, 1, &a, &b, &err) == FT_EDATA);
	ft_table_free(t);
}

/* ---------------------------------------------------------- objectives */

#define W0 T_W0

static void check_fg(const char *key, int loss, int doc_weight)
{
	struct ft_rank_params p;

	ft_rank_params_init(&p);
	p.loss = loss;
	p.doc_weight = doc_weight;
	p.l2 = 0.1;
	t_check_fg(&p, key);
}

static void t_listnet_value_grad(void)
{
	check_fg("listnet", FT_RANK_LISTNET, 0);
	check_fg("listnet_dw", FT_RANK_LISTNET, 1);
}

static void t_ranknet_value_grad(void)
{
	check_fg("ranknet", FT_RANK_RANKNET, 0);
	check_fg("ranknet_dw", FT_RANK_RANKNET, 1);
}

/* Hessian columns against central differences of the gradient, and
 * Hessian-vector products against the Hessian (ListNet) or against
 * differences of the gradient along v (RankNet). */
static void t_hessians(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_objective obj;
	struct ft_error err = { 0 };
	double H[9], hv[3], gp[3], gm[3], f, x[3], v[3] = { 0.7, -0.4, 1.1 }, h = 1e-6;

	for (int loss = 0; loss < 2; loss++) {
		ft_rank_params_init(&p);
		p.loss = loss;
		p.l2 = 0.3;
		p.doc_weight = loss;
		T_CHECK(ft_rank_objective(rd, &p, &obj, &err) == 0);
		T_CHECK(obj.hess_vec != NULL);
		T_CHECK((obj.hessian != NULL) == (loss == FT_RANK_LISTNET));
		if (obj.hessian) {
			T_CHECK(obj.hessian(obj.ctx, W0, H) == 0);
			for (int k = 0; k < 3; k++) {
				memcpy(x, W0, sizeof x);
				x[k] += h;
				obj.value_grad(obj.ctx, x, &f, gp);
				x[k] -= 2 * h;
				obj.value_grad(obj.ctx, x, &f, gm);
				for (int j = 0; j < 3; j++)
					T_NEAR(H[j * 3 + k], (gp[j] - gm[j]) / (2 * h), 1e-7);
			}
		}
		T_CHECK(obj.hess_vec(obj.ctx, W0, v, hv) == 0);
		for (int j = 0; j < 3; j++) {
			x[j] = W0[j] + h * v[j];
		}
		obj.value_grad(obj.ctx, x, &f, gp);
		for (int j = 0; j < 3; j++)
			x[j] = W0[j] - h * v[j];
		obj.value_grad(obj.ctx, x, &f, gm);
		for (int j = 0; j < 3; j++)
			T_NEAR(hv[j], (gp[j] - gm[j]) / (2 * h), 1e-7);
		if (obj.hessian)
			for (int j = 0; j < 3; j++)
				T_NEAR(hv[j], H[j * 3] * v[0] + H[j * 3 + 1] * v[1] + H[j * 3 + 2] * v[2], 1e-12);
		ft_rank_objective_free(&obj);
	}
	ft_rank_data_free(rd);
}

static void check_min(const char *key, int loss, int doc_weight, int solver)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_rank_result res;
	struct ft_error err = { 0 };
	double ref[8], w[3] = { 0, 0, 0 };
	char k[64];

	ft_rank_params_init(&p);
	p.loss = loss;
	p.doc_weight = doc_weight;
	p.l2 = 0.1;
	p.solver.solver = solver;
	p.solver.tol = 1e-12;
	snprintf(k, sizeof k, "%s.min", key);
	T_CHECK(t_fix_row(FIX_EXACT, k, ref, 8) == 4);
	T_CHECKF(ft_rank_fit(rd, &p, w, &res, &err) == 0, "%s", err.msg);
	T_CHECK(res.res.converged);
	T_NEAR(res.res.f, ref[0], 1e-12);
	for (int j = 0; j < 3; j++)
		T_NEAR(w[j], ref[1 + j], 1e-7);
	T_CHECK(res.n_diag >= 4);
	T_STREQ(res.diag_name[0], "loss");
	T_NEAR(res.diag[0] + 0.05 * (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]), ref[0], 1e-12);
	T_STREQ(res.diag_name[1], "exposure_g0");
	ft_rank_data_free(rd);
}

static void t_fit_minima(void)
{
	check_min("listnet", FT_RANK_LISTNET, 0, FT_SOLVER_AUTO);
	check_min("listnet", FT_RANK_LISTNET, 0, FT_SOLVER_LBFGS);
	check_min("listnet_dw", FT_RANK_LISTNET, 1, FT_SOLVER_NEWTON);
	check_min("ranknet", FT_RANK_RANKNET, 0, FT_SOLVER_AUTO);
	check_min("ranknet_dw", FT_RANK_RANKNET, 1, FT_SOLVER_NEWTON);
}

static void t_fit_errors(void)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_rank_params p;
	struct ft_error err = { 0 };
	double w[3] = { 0, 0, 0 };

	ft_rank_params_init(&p);
	p.l2 = -1;
	T_CHECK(ft_rank_fit(rd, &p, w, NULL, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "l2 must be") != NULL);
	ft_rank_params_init(&p);
	p.reference = 1;
	p.loss = FT_RANK_RANKNET;
	ft_error_clear(&err);
	T_CHECK(ft_rank_fit(rd, &p, w, NULL, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "listnet or deltr only") != NULL);
	ft_rank_params_init(&p);
	p.fair = FT_RANK_FAIR_DELTR;
	p.protected_group = 2;
	ft_error_clear(&err);
	T_CHECK(ft_rank_fit(rd, &p, w, NULL, &err) == FT_EDATA);
	T_CHECKF(strstr(err.msg, "protected group 2 is not one of the 2 groups") != NULL, "%s", err.msg);
	ft_rank_params_init(&p);
	rd->rel[4] = NAN;
	ft_error_clear(&err);
	T_CHECK(ft_rank_fit(rd, &p, w, NULL, &err) == FT_EDATA);
	T_CHECKF(strstr(err.msg, "synthetic:5: relevance is unknown") != NULL, "%s", err.msg);
	/* RankNet needs two relevances in some query */
	for (size_t i = 0; i < rd->n; i++)
		rd->rel[i] = 1;
	p.loss = FT_RANK_RANKNET;
	ft_error_clear(&err);
	T_CHECK(ft_rank_fit(rd, &p, w, NULL, &err) == FT_EDATA);
	T_CHECK(strstr(err.msg, "no query has two documents of different relevance") != NULL);
	ft_rank_data_free(rd);
}

/* Sums over queries on several threads: 6,000 rows make two chunks of
 * ft_parallel_sum, cut inside a query; each half of the queries (3,000-odd
 * rows, one chunk) is evaluated alone, and the whole must be their
 * weighted sum: value and gradient of ListNet, RankNet and DELTR, the
 * ListNet Hessian, and one step of the reference loop. */
static void t_chunked_sums(void)
{
	enum { NQ = 300 };
	size_t sizes[NQ], half = 0, n1 = 0, n = 0;
	struct ft_rank_data *all, *a, *b;
	struct ft_error err = { 0 };

	for (size_t q = 0; q < NQ; q++) {
		sizes[q] = 15 + q % 7;
		n += sizes[q];
	}
	for (half = 0; n1 + sizes[half] <= n / 2 + 9; half++)
		n1 += sizes[half];
	all = t_make(NQ, sizes, 0);
	a = t_make(half, sizes, 0);
	b = t_make(NQ - half, sizes + half, n1);
	T_CHECK(n > 4096 && n1 < 4096 && n - n1 < 4096);
	for (int m = 0; m < 4; m++) {
		struct ft_rank_params p;
		struct ft_objective o[3];
		struct ft_rank_data *d[3] = { all, a, b };
		double f[3], g[3][3], H[3][9], wt[3];
		ft_rank_params_init(&p);
		p.loss = m == 1 ? FT_RANK_RANKNET : FT_RANK_LISTNET;
		p.doc_weight = m >= 2;
		if (m == 3) {
			p.fair = FT_RANK_FAIR_DELTR;
			p.gamma = 30;
		}
		for (int k = 0; k < 3; k++) {
			T_CHECK(ft_rank_objective(d[k], &p, &o[k], &err) == 0);
			T_CHECK(o[k].value_grad(o[k].ctx, W0, &f[k], g[k]) == 0);
			if (o[k].hessian)
				o[k].hessian(o[k].ctx, W0, H[k]);
			/* f is a mean over queries (or documents) */
			wt[k] = p.doc_weight ? (double)d[k]->n : (double)d[k]->n_queries;
		}
		T_NEAR(f[0] * wt[0], f[1] * wt[1] + f[2] * wt[2], 1e-12);
		for (int j = 0; j < 3; j++)
			T_NEAR(g[0][j] * wt[0], g[1][j] * wt[1] + g[2][j] * wt[2], 1e-12);
		if (o[0].hessian)
			for (int j = 0; j < 9; j++)
				T_NEAR(H[0][j] * wt[0], H[1][j] * wt[1] + H[2][j] * wt[2], 1e-12);
		for (int k = 0; k < 3; k++)
			ft_rank_objective_free(&o[k]);
	}
	{
		struct ft_rank_params p;
		double w[3][3];
		ft_rank_params_init(&p);
		p.reference = 1;
		p.iterations = 1;
		p.fair = FT_RANK_FAIR_DELTR;
		p.gamma = 30;
		for (int k = 0; k < 3; k++) {
			memcpy(w[k], W0, sizeof w[k]);
			T_CHECK(ft_rank_fit(k == 0 ? all : k == 1 ? a : b, &p, w[k], NULL, &err) == 0);
		}
		for (int j = 0; j < 3; j++)
			T_NEAR(w[0][j] - W0[j], (w[1][j] - W0[j]) + (w[2][j] - W0[j]), 1e-12);
	}
	ft_rank_data_free(all);
	ft_rank_data_free(a);
	ft_rank_data_free(b);
}

/* ---------------------------------------------------------- prediction */

static void t_positions(void)
{
	struct ft_rank_data *rd = t_synthetic();
	double *s = calloc(rd->n, sizeof *s);
	size_t *rank = calloc(rd->n, sizeof *rank);
	struct ft_error err = { 0 };
	/* query 0 (5 rows): ties keep row order, NaN last */
	static const double S0[5] = { 1.0, 3.0, 1.0, NAN, 2.0 };
	static const size_t R0[5] = { 3, 1, 4, 5, 2 };
	double w[3] = { 1, 0, 0 };

	memcpy(s, S0, sizeof S0);
	for (size_t i = 5; i < rd->n; i++)
		s[i] = -(double)i;          /* descending in row order */
	T_CHECK(ft_rank_positions(rd, s, rank, &err) == 0);
	for (size_t i = 0; i < 5; i++)
		T_CHECK(rank[i] == R0[i]);
	for (size_t q = 1; q < 4; q++)
		for (size_t i = rd->qoff[q]; i < rd->qoff[q + 1]; i++)
			T_CHECK(rank[i] == i - rd->qoff[q] + 1);
	ft_rank_scores(rd, w, s);
	for (size_t i = 0; i < rd->n; i++)
		T_CHECK(s[i] == rd->x[i * 3]);
	free(s);
	free(rank);
	ft_rank_data_free(rd);
}

/* Query 0: groups 0 0 1 0 0 (rows 0 .. 4), query 1: rows 5 .. 11 with row
 * 11 unknown.  Ranks in row order: exposures 1/log2(1 + r). */
static void t_exposure_ratio(void)
{
	struct ft_rank_data *rd = t_synthetic();
	size_t *rank = calloc(rd->n, sizeof *rank);
	struct ft_error err = { 0 };
	double ratio, e1, e0, m[2] = { 0, 0 }, cnt[2] = { 0, 0 };

	for (size_t q = 0; q < 4; q++)
		for (size_t i = rd->qoff[q]; i < rd->qoff[q + 1]; i++)
			rank[i] = i - rd->qoff[q] + 1;
	/* the expected value, written out from the definition */
	for (size_t q = 0; q < 4; q++) {
		double s[2] = { 0, 0 }, c[2] = { 0, 0 };
		for (size_t i = rd->qoff[q]; i < rd->qoff[q + 1]; i++) {
			if (rd->group[i] < 0)
				continue;
			s[rd->group[i]] += 1.0 / log2(1.0 + (double)rank[i]);
			c[rd->group[i]] += 1;
		}
		for (int k = 0; k < 2; k++)
			if (c[k] > 0) {
				m[k] += s[k] / c[k];
				cnt[k]++;
			}
	}
	T_CHECK(rd->group[0] == 0 && rd->group[2] == 1 && rd->group[4] == 0 && rd->group[11] == -1);
	T_CHECK(ft_rank_exposure_ratio(rd, rank, 1, &ratio, &e1, &e0, &err) == 0);
	T_NEAR(e1, m[1] / cnt[1], 1e-15);
	T_NEAR(e0, m[0] / cnt[0], 1e-15);
	T_NEAR(ratio, e1 / e0, 1e-15);
	/* one query by hand: ranks 1..5, G1 = {3}, G0 = {1, 2, 4, 5} */
	{
		double g1 = 0.5;
		double g0 = (1.0 + 1.0 / log2(3.0) + 1.0 / log2(5.0) + 1.0 / log2(6.0)) / 4;
		size_t nq = rd->n_queries;
		rd->n_queries = 1;
		T_CHECK(ft_rank_exposure_ratio(rd, rank, 1, &ratio, NULL, NULL, &err) == 0);
		T_NEAR(ratio, g1 / g0, 1e-15);
		rd->n_queries = nq;
	}
	for (size_t i = 0; i < rd->n; i++)
		rd->group[i] = 0;
	T_CHECK(ft_rank_exposure_ratio(rd, rank, 1, &ratio, NULL, NULL, &err) == FT_EDATA);
	T_CHECK(strstr(err.msg, "the protected group has no documents") != NULL);
	free(rank);
	ft_rank_data_free(rd);
}

static void t_method_parse(void)
{
	struct ft_rank_params p;
	struct ft_error err = { 0 };
	static const struct { const char *spec, *msg; } BAD[] = {
		{ "nosuch", "unknown ranking method 'nosuch' (methods: listnet, ranknet, lambdaloss, deltr, pair-reg, pair-con)" },
		{ "deltr:gamma", "deltr: 'gamma' is not NAME=VALUE nor a loss (listnet|ranknet|lambdaloss)" },
		{ "deltr:lambda=1", "deltr has no parameter 'lambda' (l2, doc_weight, max_iter, loss, gamma, reference, iterations, lr, target_ratio)" },
		{ "listnet:protected=1", "no parameter 'protected'" },
		{ "deltr:gamma=-1", "deltr: gamma = -1 is outside [0, 1e+15]" },
		{ "deltr:reference=0.5", "reference = 0.5 is outside [0, 1] (whole numbers)" },
		{ "deltr:gamma=x", "gamma takes a number, not 'x'" },
		{ "pair-reg:loss=svm", "loss takes one of listnet|ranknet|lambdaloss, not 'svm'" },
		{ "deltr:gamma=1,gamma=2", "'gamma' given twice" },
		{ "deltr:", "'deltr:': nothing after ':'" },
		{ "deltr:reference=1,l2=1", "reference mode has no l2 term" },
		{ "deltr:reference=1,loss=ranknet", "listnet or deltr only" },
		/* the protected group is the data's (--protected), not a parameter */
		{ "deltr:protected=0", "has no parameter 'protected'" },
		/* a re-ranker or a classification method is not a ranking method */
		{ "fair:k=10", "'fair' is a re-ranker" },
		{ "eg", "'eg' is a classification method" },
	};

	T_CHECK(ft_rank_method_parse("listnet", &p, &err) == 0);
	T_CHECK(p.loss == FT_RANK_LISTNET && p.fair == FT_RANK_FAIR_NONE && !p.reference);
	T_CHECK(ft_rank_method_parse("deltr:gamma=2e5,reference=1", &p, &err) == 0);
	T_CHECK(p.fair == FT_RANK_FAIR_DELTR && p.gamma == 2e5 && p.reference == 1 &&
	        p.iterations == 3000 && p.learning_rate == 1e-5 && p.protected_group == 1);
	T_CHECK(ft_rank_method_parse("pair-con:c=0.05,loss=ranknet,max_outer=9,l2=0.5,tol_feas=1e-4", &p, &err) == 0);
	T_CHECK(p.fair == FT_RANK_FAIR_PAIR_CON && p.c == 0.05 && p.loss == FT_RANK_RANKNET &&
	        p.protected_group == 1 && p.max_outer == 9 && p.l2 == 0.5 && p.tol_feas == 1e-4);
	T_CHECK(ft_rank_method_parse("ranknet:doc_weight=1,max_iter=50", &p, &err) == 0);
	T_CHECK(p.doc_weight == 1 && p.solver.max_iter == 50);
	for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
		ft_error_clear(&err);
		T_CHECKF(ft_rank_method_parse(BAD[i].spec, &p, &err) == FT_EINVAL, "%s accepted", BAD[i].spec);
		T_CHECKF(strstr(err.msg, BAD[i].msg) != NULL, "%s: '%s' lacks '%s'", BAD[i].spec,
		         err.msg, BAD[i].msg);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	T_RUN(t_letor_read);
	T_RUN(t_letor_errors);
	T_RUN(t_letor_range);
	T_RUN(t_letor_limits);
	T_RUN(t_letor_ways);
	T_RUN(t_group_and_drop);
	T_RUN(t_csv_encoder);
	T_RUN(t_csv_errors);
	T_RUN(t_split_rank_data);
	T_RUN(t_split_table);
	T_RUN(t_listnet_value_grad);
	T_RUN(t_ranknet_value_grad);
	T_RUN(t_hessians);
	T_RUN(t_fit_minima);
	T_RUN(t_fit_errors);
	T_RUN(t_chunked_sums);
	T_RUN(t_positions);
	T_RUN(t_exposure_ratio);
	T_RUN(t_method_parse);
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return t_done();
}
