/*
 * test_numcol.c - columns stored as numbers (issue 20 item 6): the reader's
 * internal mode (ft_table_read_numbers) against the public table of text
 * read from the same file, which is the independent reference: every cell
 * prints the same text, a column turned back into text (ft_table_text) has
 * the same value ids and strings, subsets agree, and the encoder makes
 * bit-identical datasets from either table.  And the exact sum's one-term
 * addition (ft_xsum_add, from the bits) against the general one
 * (ft_xsum_add_n with n = 1) and against a closed form.  And the reader's
 * reservation of its row arrays from the first 4,096 rows (files whose
 * rows get longer, or shorter, after them; a column that turns into
 * numbers after them): every cell as the file was written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "data/data.h"
#include "t.h"

static char tmpdir[] = "/tmp/ft_test_numcol.XXXXXX";
static char path_mixed[300];

/* Columns (4,000 rows):
 *  a  canonical decimals with 3 decimals, 4,000 distinct minus repeats,
 *     negatives, "-0.000", missing "" and "?"            -> numbers
 *  b  integers, then "1e3" at row 3000 (after the switch) -> back to text
 *  c  decimals of two widths ("1.5", "2") early          -> text
 *  d  few distinct labels "0"/"1"                         -> text
 *  e  integers with a custom missing token "-999"        -> numbers
 *  f  "007"-style leading zeros after the switch         -> back to text
 *  g  text                                                -> text */
static void write_mixed(void)
{
	FILE *fp;

	snprintf(path_mixed, sizeof path_mixed, "%s/mixed.csv", tmpdir);
	fp = fopen(path_mixed, "w");
	if (!fp)
		exit(2);
	fprintf(fp, "a,b,c,d,e,f,g\n");
	for (int i = 0; i < 4000; i++) {
		char a[32], b[32], c[32], e[32], f[32];
		long v = (long)((i * 7919L) % 5003) - 2500;
		if (i % 97 == 5)
			strcpy(a, "");
		else if (i % 101 == 7)
			strcpy(a, "?");
		else if (i == 1234)
			strcpy(a, "-0.000");
		else
			snprintf(a, sizeof a, "%s%ld.%03ld", v < 0 ? "-" : "", labs(v) / 7,
			         labs(v) % 1000);
		if (i == 3000)
			strcpy(b, "1e3");
		else
			snprintf(b, sizeof b, "%ld", v * 13);
		snprintf(c, sizeof c, i % 2 ? "%d.5" : "%d", i);
		if (i % 50 == 3)
			strcpy(e, "-999");
		else
			snprintf(e, sizeof e, "%d", i * 3 - 6000);
		if (i == 2500)
			strcpy(f, "007");
		else
			snprintf(f, sizeof f, "%d", i + 100000);
		fprintf(fp, "%s,%s,%s,%d,%s,%s,g%d\n", a, b, c, i % 3 == 0, e, f, i % 5);
	}
	fclose(fp);
}

static void read_opts(struct ft_read_opts *o)
{
	static char *missing[] = { "", "?", "NA", "-999" };
	ft_read_opts_init(o);
	o->missing = missing;
	o->n_missing = 4;
}

/* Same cells as text (ft_table_cell) in every row and column. */
static size_t cell_diffs(const struct ft_table *a, const struct ft_table *b)
{
	size_t bad = 0;

	if (a->n_rows != b->n_rows || a->n_cols != b->n_cols)
		return 1;
	for (size_t i = 0; i < a->n_rows; i++)
		for (size_t j = 0; j < a->n_cols; j++) {
			char x[64] = "", *px = NULL;
			const char *y = ft_table_cell(b, i, j), *c = ft_table_cell(a, i, j);
			if (c) {
				snprintf(x, sizeof x, "%s", c);
				px = x;
			}
			bad += (px == NULL) != (y == NULL) || (px && strcmp(px, y) != 0);
		}
	return bad;
}

static void t_modes(void)
{
	struct ft_read_opts o;
	struct ft_table *ref = NULL, *t = NULL;
	struct ft_error e = { 0 };

	read_opts(&o);
	T_CHECKF(ft_table_read(path_mixed, &o, &ref, &e) == 0, "%s", e.msg);
	T_CHECKF(ft_table_read_numbers(path_mixed, &o, &t, &e) == 0, "%s", e.msg);
	if (!ref || !t)
		goto done;
	T_CHECK(ref->num == NULL);
	T_CHECK(t->num != NULL);
	if (!t->num)
		goto done;
	T_CHECK(t->num[0] && t->num_dec[0] == 3);
	T_CHECK(t->num[1] == NULL && t->num[2] == NULL && t->num[3] == NULL);
	T_CHECK(t->num[4] && t->num_dec[4] == 0);
	T_CHECK(t->num[5] == NULL && t->num[6] == NULL);
	T_CHECKF(cell_diffs(t, ref) == 0, "%zu cells differ", cell_diffs(t, ref));
	/* values: strtod of the reference text, NaN exactly where missing */
	for (size_t i = 0; i < t->n_rows; i++)
		for (size_t j = 0; j < 5; j += 4) {
			const char *s = ft_table_cell(ref, i, j);
			double x = t->num[j][i];
			if (!s)
				T_CHECKF(isnan(x) && ft_cell_id(t, i, j) == FT_MISSING,
				         "row %zu col %zu", i, j);
			else
				T_CHECKF(x == strtod(s, NULL) && !isnan(x) &&
				         signbit(x) == signbit(strtod(s, NULL)), "row %zu col %zu: %s",
				         i, j, s);
		}
	T_STREQ(ft_table_cell(t, 1234, 0), "-0.000");
	/* the columns stored as numbers hold no cells: a row of cells is the
	 * other columns', in order */
	T_CHECK(t->cell_slot && t->cell_stride == t->n_cols - 2);
	for (size_t j = 0, k = 0; t->cell_slot && j < t->n_cols; j++)
		T_CHECKF(t->cell_slot[j] == (j == 0 || j == 4 ? FT_MISSING : k++),
		         "slot of column %zu", j);
	/* back to text: the reference's value ids and strings, exactly */
	T_CHECK(ft_table_text(t, 0) == 0 && ft_table_text(t, 4) == 0);
	T_CHECK(t->num[0] == NULL && t->num[4] == NULL);
	for (size_t j = 0; j < t->n_cols; j++) {
		size_t bad = 0;
		T_CHECKF(t->vals[j].n == ref->vals[j].n, "column %zu: %zu values, %zu", j,
		         t->vals[j].n, ref->vals[j].n);
		for (size_t k = 0; k < t->vals[j].n && k < ref->vals[j].n; k++)
			bad += strcmp(t->vals[j].str[k], ref->vals[j].str[k]) != 0 ||
			       t->vals[j].len[k] != ref->vals[j].len[k];
		for (size_t i = 0; i < t->n_rows; i++)
			bad += t->cell[i * t->n_cols + j] != ref->cell[i * ref->n_cols + j];
		T_CHECKF(bad == 0, "column %zu: %zu differences", j, bad);
	}
done:
	ft_table_free(ref);
	ft_table_free(t);
}

/* The cells compacted as they are read (every ft_csv_compact_rows rows),
 * with the storage of columns changing after rows were compacted: a and e
 * become numbers at row 1,024 or later, b and f go back to text at rows
 * 3,000 and 2,500.  Read by the reader's own split of lines and by libcsv
 * alone, every cell as one reading of the text gives it, the numbers to
 * the bit those of a reading that compacts only at the end, and the
 * layout that of the storage. */
static void t_compact(void)
{
	static const size_t every[] = {1, 7, 500};
	struct ft_read_opts o;
	struct ft_table *ref = NULL, *base = NULL;
	struct ft_error e = { 0 };
	size_t keep = ft_csv_compact_rows;

	read_opts(&o);
	T_CHECKF(ft_table_read(path_mixed, &o, &ref, &e) == 0, "%s", e.msg);
	ft_csv_compact_rows = SIZE_MAX;
	T_CHECKF(ft_table_read_numbers(path_mixed, &o, &base, &e) == 0, "%s", e.msg);
	for (size_t q = 0; ref && base && base->num && q < sizeof every / sizeof *every; q++)
		for (int libcsv = 0; libcsv < 2; libcsv++) {
			struct ft_table *t = NULL;
			int flags = FT_READ_NUMBERS | (libcsv ? FT_READ_LIBCSV_ONLY : 0);
			ft_csv_compact_rows = every[q];
			T_CHECKF(ft_table_read_part(path_mixed, &o, 0, UINT64_MAX, 1, flags, &t,
			                            &e) == 0, "%s", e.msg);
			if (!t || !t->num) {
				T_FAIL("every %zu, libcsv %d: no table of numbers", every[q], libcsv);
				ft_table_free(t);
				continue;
			}
			T_CHECKF(cell_diffs(t, ref) == 0, "every %zu, libcsv %d: %zu cells differ",
			         every[q], libcsv, cell_diffs(t, ref));
			T_CHECK(t->cell_slot && t->cell_stride == base->cell_stride);
			for (size_t j = 0; j < t->n_cols; j++) {
				T_CHECKF(!t->num[j] == !base->num[j], "every %zu: column %zu", every[q],
				         j);
				if (t->num[j] && base->num[j])
					T_CHECKF(memcmp(t->num[j], base->num[j],
					                t->n_rows * sizeof *t->num[j]) == 0,
					         "every %zu: numbers of column %zu", every[q], j);
				if (t->cell_slot && base->cell_slot)
					T_CHECK(t->cell_slot[j] == base->cell_slot[j]);
			}
			ft_table_free(t);
		}
	ft_csv_compact_rows = keep;
	ft_table_free(ref);
	ft_table_free(base);
}

static void t_subset(void)
{
	struct ft_read_opts o;
	struct ft_table *ref = NULL, *t = NULL, *rs = NULL, *ts = NULL;
	size_t rows[500];

	read_opts(&o);
	for (size_t i = 0; i < 500; i++)
		rows[i] = (i * 2654435761u) % 4000;
	if (ft_table_read(path_mixed, &o, &ref, NULL) || ft_table_read_numbers(path_mixed, &o, &t, NULL)) {
		T_FAIL("read");
		goto done;
	}
	T_CHECK(ft_table_subset(ref, rows, 500, &rs, NULL) == 0);
	T_CHECK(ft_table_subset(t, rows, 500, &ts, NULL) == 0);
	if (!rs || !ts)
		goto done;
	T_CHECK(ts->num && ts->num[0] && ts->num[4] && !ts->num[1]);
	T_CHECKF(cell_diffs(ts, rs) == 0, "%zu cells differ", cell_diffs(ts, rs));
	for (size_t i = 0; i < 500; i++)
		T_CHECK(ts->line[i] == rs->line[i]);
done:
	ft_table_free(ref);
	ft_table_free(t);
	ft_table_free(rs);
	ft_table_free(ts);
}

/* The encoder: numeric features from either table give the same bits;
 * a role column stored as numbers is refused with one line. */
static void t_encoder(void)
{
	struct ft_read_opts o;
	struct ft_table *ref = NULL, *t = NULL;
	struct ft_encoder *er = NULL, *en = NULL;
	struct ft_dataset *dr = NULL, *dn = NULL;
	struct ft_spec s;
	struct ft_error e = { 0 };
	char *sens[] = { "g" }, *drop[] = { "b", "c", "f" };

	read_opts(&o);
	ft_spec_init(&s);
	s.target = "d";
	s.positive = "1";
	s.sensitive = sens;
	s.n_sensitive = 1;
	s.drop = drop;
	s.n_drop = 3;
	for (int policy = 0; policy < 2; policy++) {
		s.missing_policy = policy ? FT_MISSING_IMPUTE : FT_MISSING_DROP;
		if (ft_table_read(path_mixed, &o, &ref, NULL) ||
		    ft_table_read_numbers(path_mixed, &o, &t, NULL)) {
			T_FAIL("read");
			goto done;
		}
		T_CHECKF(ft_encoder_fit(ref, &s, &er, &e) == 0, "%s", e.msg);
		T_CHECKF(ft_encoder_fit(t, &s, &en, &e) == 0, "%s", e.msg);
		if (!er || !en)
			goto done;
		T_CHECK(er->n_features == en->n_features && er->n_num == 2 && en->n_num == 2);
		for (size_t j = 0; j < er->n_cols; j++)
			T_CHECKF(memcmp(&er->cols[j].mean, &en->cols[j].mean, sizeof(double)) == 0 &&
			         memcmp(&er->cols[j].sd, &en->cols[j].sd, sizeof(double)) == 0,
			         "column %zu: mean %.17g / %.17g", j, er->cols[j].mean, en->cols[j].mean);
		T_CHECKF(ft_encoder_apply(er, ref, FT_APPLY_TRAIN, &dr, NULL, &e) == 0, "%s", e.msg);
		/* the reference's encoder on the numbers table, too */
		T_CHECKF(ft_encoder_apply(er, t, FT_APPLY_TRAIN, &dn, NULL, &e) == 0, "%s", e.msg);
		if (!dr || !dn)
			goto done;
		T_CHECK(dr->n == dn->n && dr->n > 3000);
		T_CHECK(memcmp(dr->num, dn->num, dr->n * dr->n_num * sizeof *dr->num) == 0);
		T_CHECK(memcmp(dr->code, dn->code, dr->n * dr->n_cat * sizeof *dr->code) == 0);
		T_CHECK(memcmp(dr->y, dn->y, dr->n * sizeof *dr->y) == 0);
		T_CHECK(memcmp(dr->line, dn->line, dr->n * sizeof *dr->line) == 0);
		ft_dataset_free(dr);
		ft_dataset_free(dn);
		ft_encoder_free(er);
		ft_encoder_free(en);
		dr = dn = NULL;
		er = en = NULL;
		ft_table_free(ref);
		ft_table_free(t);
		ref = t = NULL;
	}
	/* the target stored as numbers: the loader turns it into text first;
	 * without that the encoder says so */
	if (ft_table_read_numbers(path_mixed, &o, &t, NULL))
		goto done;
	s.target = "a";
	s.positive = "1.000";
	T_CHECK(ft_encoder_fit(t, &s, &en, &e) == FT_EINVAL && en == NULL);
	T_CHECK(strstr(e.msg, "column 'a' is stored as numbers but read as text") != NULL);
done:
	ft_dataset_free(dr);
	ft_dataset_free(dn);
	ft_encoder_free(er);
	ft_encoder_free(en);
	ft_table_free(ref);
	ft_table_free(t);
}

/* The same rows, line numbers and cell texts (0), or 1. */
static int same_table(const struct ft_table *a, const struct ft_table *b)
{
	if (a->n_rows != b->n_rows || a->n_cols != b->n_cols)
		return 1;
	for (size_t j = 0; j < a->n_cols; j++)
		if (strcmp(a->names[j], b->names[j]) != 0)
			return 1;
	for (size_t i = 0; i < a->n_rows; i++)
		if (a->line[i] != b->line[i])
			return 1;
	return cell_diffs(a, b) != 0;
}

/* The reader's own split of lines without quotes against libcsv on every
 * line (FT_READ_LIBCSV_ONLY): the same table or the same error, on the
 * cases where the two could part: CRLF, a carriage return inside a line,
 * blanks and tabs around fields, a tab or space delimiter, empty fields,
 * wrong field counts, no final newline, quoted lines between plain ones,
 * blank lines, a NUL byte, a byte order mark, a header only. */
static void t_plain_vs_libcsv(void)
{
	static const struct { const char *text; size_t len; char delim; } in[] = {
#define IN(s, d) { s, sizeof(s) - 1, d }
		IN("a,b\r\n1, 2\r\n 3 ,4\r\n", ','),
		IN("a,b\n1,2\r3,4\n", ','),
		IN("a\tb\n1 \t 2\n\t3\t\n", '\t'),
		IN("a b\n1  2\n", ' '),
		IN("a,b\n1,2,3\n", ','),
		IN("a,b\n1\n", ','),
		IN("a,b\n1,\n,2\n , \n", ','),
		IN("a,b\n1,2", ','),
		IN("a,b\n1,2\r", ','),
		IN("a,b\n\"x\ny\",2\n3,4\n", ','),
		IN("a,b\n1,2\n\n  \n3,4\n", ','),
		IN("a,b\n1,x\0y\n2,3\n", ','),
		IN("\xef\xbb\xbf" "a,b\n1,2\n", ','),
		IN("a,b\n1,2\n3,\"4\"\n5,6\n", ','),
		IN("a,b\n1 2 ,\t3 4\t\n", ','),
		IN("a,b\n", ','),
		IN("a;b\n1;2\n;\n", ';'),
		IN("a,b\n1,2\n3,4\r\n5,6", ','),
		IN("a,b\n1,\"2\n3,4\n", ','),
#undef IN
	};
	for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
		char path[300];
		struct ft_read_opts o;
		struct ft_table *a = NULL, *b = NULL;
		struct ft_error ea = { 0 }, eb = { 0 };
		int ra, rb;
		FILE *fp;
		snprintf(path, sizeof path, "%s/plain%zu.csv", tmpdir, k);
		if (!(fp = fopen(path, "wb")))
			continue;
		fwrite(in[k].text, 1, in[k].len, fp);
		fclose(fp);
		ft_read_opts_init(&o);
		o.delimiter = in[k].delim;
		ra = ft_table_read_part(path, &o, 0, UINT64_MAX, 1, FT_READ_LIBCSV_ONLY, &a, &ea);
		rb = ft_table_read_part(path, &o, 0, UINT64_MAX, 1, 0, &b, &eb);
		T_CHECKF(ra == rb && strcmp(ea.msg, eb.msg) == 0, "input %zu: '%s' and '%s'", k,
		         ea.msg, eb.msg);
		if (a && b)
			T_CHECKF(same_table(a, b) == 0, "input %zu: the tables differ", k);
		ft_table_free(a);
		ft_table_free(b);
		unlink(path);
	}
}

/* A file of 12 MB read in two parts (ft_read_plan) against one reading
 * (its arrays of lines, cells and numbers large enough that the join
 * copies them into new blocks, csv.c join_grow):
 * quoted fields with newlines everywhere (so the cut falls inside or
 * near one), a column of numbers that turns to text only in the second
 * part, text values first seen in the second part, cut in the middle and
 * at 15% of the bytes; then a file with a wrong field count in its second
 * part gives the error of one reading. */
static void t_split(void)
{
	char path[300];
	struct ft_read_opts o;
	struct ft_read_plan pl;
	struct ft_table *a = NULL, *b = NULL;
	struct ft_error ea = { 0 }, eb = { 0 };
	FILE *fp;
	size_t n = 270000;

	snprintf(path, sizeof path, "%s/split.csv", tmpdir);
	for (int c = 0; c < 3; c++) {
		int bad = c == 2;
		double share = c == 1 ? 0.15 : 0.5;
		if (!(fp = fopen(path, "wb")))
			return;
		fprintf(fp, "x,note,num,cat\n");
		for (size_t i = 0; i < n; i++) {
			if (bad && i == n * 3 / 4)
				fprintf(fp, "1,2\n");
			char num[32];
			if (i == n - 5)
				strcpy(num, "7e2");
			else
				snprintf(num, sizeof num, "%zu.%02zu", i % 3001, i % 100);
			fprintf(fp, "%zu,\"line %zu\nof a note, quoted\",%s,%s%zu\n", i, i, num,
			        i < n / 2 ? "early" : "late", i % 7);
		}
		fclose(fp);
		ft_read_opts_init(&o);
		ft_read_plan_make(&pl, path, &o, FT_READ_NUMBERS, 2, share);
		T_CHECK(pl.split == 1);
		T_CHECK(pl.cut[1] > pl.cut[0] && pl.cut[1] < pl.cut[2]);
		T_CHECKF(fabs((double)(pl.cut[1] - pl.cut[0]) / (double)(pl.cut[2] - pl.cut[0]) -
		              share) < 0.001, "cut at %llu of %llu..%llu for %g",
		         (unsigned long long)pl.cut[1], (unsigned long long)pl.cut[0],
		         (unsigned long long)pl.cut[2], share);
		ft_read_plan_part(&pl, 1);
		ft_read_plan_part(&pl, 0);
		if (!bad)
			T_CHECK(pl.rc[0] == 0 && pl.rc[1] == 0 && pl.part[0] && pl.part[1] &&
			        pl.part[0]->num && pl.part[0]->num[0] && pl.part[0]->num[2] &&
			        pl.part[1]->num && !pl.part[1]->num[2]);
		T_CHECKF(ft_read_plan_finish(&pl, &b, &eb) == (bad ? FT_EPARSE : 0), "%s", eb.msg);
		T_CHECK(ft_table_read(path, &o, &a, &ea) == (bad ? FT_EPARSE : 0));
		T_STREQ(eb.msg, ea.msg);
		if (!bad && a && b) {
			T_CHECK(a->n_rows == n);
			T_CHECK(same_table(a, b) == 0);
			/* the text columns: the value ids of one reading */
			for (size_t j = 1; j < 4; j += 2) {
				size_t diff = 0;
				for (size_t i = 0; i < n; i++)
					diff += ft_cell_id(a, i, j) != ft_cell_id(b, i, j);
				T_CHECKF(diff == 0 && a->vals[j].n == b->vals[j].n,
				         "column %zu: %zu ids differ", j, diff);
			}
			T_CHECK(b->line[n - 1] == 2 * n);
		}
		ft_table_free(a);
		ft_table_free(b);
		a = b = NULL;
	}
	unlink(path);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_u64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ft_xsum_add (from the bits) and ft_xsum_add_n(x, 1) hold the same exact
 * sum: over random doubles of every exponent (subnormals, both signs,
 * near the largest), the rounded sums agree bit for bit after every term;
 * and a closed form: 1e308 + 1e308 - 1e308 + 2^-1074 - 2^-1074 is 1e308. */
static void t_xsum_add(void)
{
	struct ft_xsum a, b;
	size_t bad = 0;
	double tiny = 4.9406564584124654e-324;

	for (int round = 0; round < 20; round++) {
		ft_xsum_init(&a);
		ft_xsum_init(&b);
		for (int k = 0; k < 2000; k++) {
			uint64_t bits = next_u64();
			double x;
			if (k % 4 == 0)   /* same scale, so that terms cancel */
				bits = (bits & 0x800fffffffffffffULL) | (uint64_t)(1000 + round) << 52;
			memcpy(&x, &bits, sizeof x);
			if (!isfinite(x))
				continue;
			ft_xsum_add(&a, x);
			ft_xsum_add_n(&b, x, 1);
			if (k % 97 == 0) {
				double ra = ft_xsum_round(&a), rb = ft_xsum_round(&b);
				bad += memcmp(&ra, &rb, sizeof ra) != 0;
			}
		}
		{
			double ra = ft_xsum_round(&a), rb = ft_xsum_round(&b);
			bad += memcmp(&ra, &rb, sizeof ra) != 0;
		}
	}
	T_CHECKF(bad == 0, "%zu sums differ", bad);
	ft_xsum_init(&a);
	ft_xsum_add(&a, 1e308);
	ft_xsum_add(&a, 1e308);
	ft_xsum_add(&a, tiny);
	ft_xsum_add(&a, -1e308);
	ft_xsum_add(&a, -tiny);
	T_CHECK(ft_xsum_round(&a) == 1e308);
	ft_xsum_init(&a);
	ft_xsum_add(&a, 0.1);
	ft_xsum_add(&a, 0.2);
	ft_xsum_add(&a, -0.3);
	/* exact: 0.1 + 0.2 - 0.3 in doubles is 2^-54 + 2^-56 ... = 2.7755575615628914e-17 */
	T_CHECK(ft_xsum_round(&a) == 2.7755575615628914e-17);
}

/* ft_xsum_add_block holds the same integer as ft_xsum_add a term: the
 * normalized limbs equal, over blocks of 1 to 4,096 terms of one scale
 * (random signs: the branch-free negation), of every exponent (terms
 * beyond the 128-bit window go one by one), with zeros, -0.0 and
 * subnormals, and a full block of the largest doubles of one sign (the
 * window's bound on overflow); and against an integer sum: multiples of
 * 2^-20 below 2^40, summed exactly in int64. */
static void t_xsum_block(void)
{
	static double x[FT_XSUM_BLOCK];
	struct ft_xsum a, b;
	size_t bad = 0, badint = 0;

	for (int round = 0; round < 60; round++) {
		size_t n = round == 0 ? 1 : round == 1 ? FT_XSUM_BLOCK :
		           1 + (size_t)(next_u64() % FT_XSUM_BLOCK);
		int64_t isum = 0;
		for (size_t k = 0; k < n; k++) {
			uint64_t bits = next_u64();
			int kind = round % 5;
			if (kind == 0)        /* one scale, both signs */
				bits = (bits & 0x800fffffffffffffULL) | (uint64_t)1023 << 52;
			else if (kind == 1)   /* a few scales within the window */
				bits = (bits & 0x800fffffffffffffULL) |
				       (uint64_t)(1000 + bits % 50) << 52;
			else if (kind == 2)   /* subnormals, zeros, -0.0 */
				bits &= k % 3 == 0 ? 0x8000000000000000ULL : 0x80000000000fffffULL;
			else if (kind == 3) { /* integers of 2^-20 */
				int64_t v = (int64_t)(bits >> 24) - ((int64_t)1 << 39);
				isum += v;
				x[k] = ldexp((double)v, -20);
				continue;
			}
			memcpy(&x[k], &bits, sizeof x[k]);   /* kind 4: every exponent */
			if (!isfinite(x[k]))
				x[k] = 1.0;
		}
		if (round == 1)       /* the largest terms, one sign */
			for (size_t k = 0; k < n; k++)
				x[k] = 1.7976931348623157e308;
		ft_xsum_init(&a);
		ft_xsum_init(&b);
		for (size_t k = 0; k < n; k++)
			ft_xsum_add(&a, x[k]);
		ft_xsum_add_block(&b, x, n);
		ft_xsum_norm(&a);
		ft_xsum_norm(&b);
		bad += memcmp(a.limb, b.limb, sizeof a.limb) != 0;
		if (round % 5 == 3 && round > 1)
			badint += ft_xsum_round(&b) != ldexp((double)isum, -20);
	}
	T_CHECKF(bad == 0, "%zu blocks differ from one term at a time", bad);
	T_CHECKF(badint == 0, "%zu integer sums differ", badint);
	/* an empty block adds nothing */
	ft_xsum_init(&a);
	ft_xsum_add_block(&a, x, 0);
	T_CHECK(ft_xsum_round(&a) == 0.0);
}

/* The LETOR reader's fast path against strtod: random plain decimals of
 * 1 to 18 digits (15 or fewer taken, the rest left to strtod), signs,
 * leading zeros, and forms it must leave alone. */
static void t_plain_decimal(void)
{
	static const char *const no[] = { "", "-", "5.", ".5", "+1", "1e3", "0x10", "1.2.3",
	                                  "1 ", " 1", "inf", "nan", "1234567890123456",
	                                  "0.0000000000000001" };
	size_t bad = 0, taken = 0;
	double v;

	for (int k = 0; k < 200000; k++) {
		char buf[40];
		uint64_t r = next_u64();
		int nd = 1 + (int)(r % 18), dot = (int)((r >> 8) % (unsigned)(nd + 1)), at = 0;
		if (r >> 63)
			buf[at++] = '-';
		for (int d = 0; d < nd; d++) {
			if (d == dot && d > 0)
				buf[at++] = '.';
			buf[at++] = (char)('0' + (next_u64() % 10));
		}
		buf[at] = '\0';
		if (ft_parse_plain_decimal(buf, (size_t)at, &v)) {
			double w = strtod(buf, NULL);
			taken++;
			bad += memcmp(&v, &w, sizeof v) != 0 || nd > 15;
		} else {
			bad += nd <= 15;
		}
	}
	T_CHECKF(bad == 0 && taken > 100000, "%zu differ (%zu taken)", bad, taken);
	for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
		T_CHECKF(!ft_parse_plain_decimal(no[k], strlen(no[k]), &v), "'%s' taken", no[k]);
	T_CHECK(ft_parse_plain_decimal("-0", 2, &v) && v == 0 && signbit(v));
	T_CHECK(ft_parse_plain_decimal("007.50", 6, &v) && v == 7.5);
}

/* Rows of reserve file 2 whose last field is quoted over two lines,
 * around the reserve (after 4,096 rows, at a row's start), so that the
 * rows' line numbers and the fields of a quoted row are carried into the
 * reserved blocks. */
#define SPLIT_LO 4090
#define SPLIT_HI 4110

/* The text of row i, column j of reserve file `kind` (0: rows short
 * then long, 1: long then short, 2: short, 300,000 of them, so that
 * every reserved array is a new block on huge pages (csv.c try_reserve),
 * with rows SPLIT_LO..SPLIT_HI - 1 over two lines); *buf at least 300
 * bytes. */
static void reserve_cell(int kind, int i, int j, char *buf)
{
	int late = i >= 5000, longrow = kind == 0 ? late : kind == 1 ? !late : 0;

	if (kind == 2 && j == 3 && i >= SPLIT_LO && i < SPLIT_HI) {
		sprintf(buf, "q\n%d", i);
		return;
	}

	switch (j) {
	case 0:
		sprintf(buf, "%d", i * 7 - 1000);            /* numbers from the start */
		break;
	case 1:
		sprintf(buf, "%d.%02d", i / 3, i % 100);     /* numbers, two decimals */
		break;
	case 2:                                          /* few values, then all distinct:
		                                                numbers after row 4,096 */
		sprintf(buf, "%d", late ? i : i % 4);
		break;
	default:                                         /* text whose length changes */
		if (longrow) {
			memset(buf, 'a' + i % 26, 240);
			sprintf(buf + 240, "%d", i);
		} else {
			sprintf(buf, "t%d", i % 9);
		}
	}
}

static void t_reserve(void)
{
	for (int kind = 0; kind < 3; kind++) {
		char path[320], buf[300];
		const int n = kind == 2 ? 300000 : 30000;
		FILE *fp;

		snprintf(path, sizeof path, "%s/reserve%d.csv", tmpdir, kind);
		if (!(fp = fopen(path, "w"))) {
			T_FAIL("%s", path);
			return;
		}
		fprintf(fp, "a,b,c,d\n");
		for (int i = 0; i < n; i++)
			for (int j = 0; j < 4; j++) {
				reserve_cell(kind, i, j, buf);
				fprintf(fp, strchr(buf, '\n') ? "\"%s\"%c" : "%s%c", buf,
				        j == 3 ? '\n' : ',');
			}
		fclose(fp);
		for (int mode = 0; mode < 2; mode++) {
			struct ft_read_opts o;
			struct ft_table *t = NULL;
			struct ft_error e = {0};
			size_t bad = 0;
			ft_read_opts_init(&o);
			T_CHECKF((mode ? ft_table_read_numbers(path, &o, &t, &e)
			               : ft_table_read(path, &o, &t, &e)) == 0, "%s", e.msg);
			if (!t)
				continue;
			T_CHECKF(t->n_rows == (size_t)n, "%zu rows", t->n_rows);
			for (size_t i = 0; i < t->n_rows; i++) {
				size_t before = kind < 2 || i <= SPLIT_LO ? 0 :
				                i < SPLIT_HI ? i - SPLIT_LO : SPLIT_HI - SPLIT_LO;
				bad += t->line[i] != i + 2 + before;
				for (size_t j = 0; j < 4; j++) {
					const char *c = ft_table_cell(t, i, j);
					reserve_cell(kind, (int)i, (int)j, buf);
					bad += !c || strcmp(c, buf) != 0;
				}
			}
			T_CHECKF(bad == 0, "file %d, mode %d: %zu cells or lines differ", kind, mode, bad);
			if (mode)
				T_CHECKF(t->num && t->num[0] && t->num[1] && t->num[2] && !t->num[3],
				         "file %d: the numeric columns are not stored as numbers", kind);
			ft_table_free(t);
		}
		unlink(path);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	write_mixed();
	T_RUN(t_modes);
	T_RUN(t_subset);
	T_RUN(t_encoder);
	T_RUN(t_xsum_add);
	T_RUN(t_xsum_block);
	T_RUN(t_plain_vs_libcsv);
	T_RUN(t_split);
	T_RUN(t_plain_decimal);
	T_RUN(t_reserve);
	T_RUN(t_compact);
	/* the read in two parts and its join, compacting every 7 rows */
	ft_csv_compact_rows = 7;
	T_RUN(t_split);
	ft_csv_compact_rows = 65536;
	unlink(path_mixed);
	rmdir(tmpdir);
	return t_done();
}
