/*
 * test_consume.c - memory given back while it is consumed (issue 20 item
 * 7): ft_mem_release touches only whole pages inside the range it is given
 * and never the page of the allocation's start; ft_encoder_apply_consume
 * makes the dataset ft_encoder_apply makes, to the bit, from a table of
 * several release blocks with dropped rows (but no rows' table rows: that
 * table is gone), and the same error for a bad row late in the table,
 * while the rows it has encoded are given back; the group keys interned a
 * block of rows at a time are those of one call over the table; the
 * encoding in blocks of rows on two threads makes the dataset, counts and
 * first error of one block on one thread; ft_table_keep_rows (the
 * training part of a split kept in place) makes the table ft_table_subset
 * makes (its copies on two threads), and the table a file of those rows
 * alone reads as.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "fairtrain.h"
#include "core/internal.h"
#include "data/data.h"
#include "t.h"

static char tmpdir[] = "/tmp/ft_test_consume.XXXXXX";

static size_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	return ps > 0 ? (size_t)ps : 4096;
}

/* p[0 .. len) after a release: the bytes at addresses [lo, hi) read zero
 * (on Linux: their pages were given back), all others still 0xab. */
static void check_released(const unsigned char *p, size_t len, uintptr_t lo, uintptr_t hi,
                           const char *what)
{
	size_t bad = 0, zero = 0;

	for (size_t i = 0; i < len; i++) {
		uintptr_t a = (uintptr_t)p + i;
		if (a >= lo && a < hi)
			zero += p[i] == 0;
		else
			bad += p[i] != 0xab;
	}
	T_CHECKF(bad == 0, "%s: %zu bytes outside the released pages changed", what, bad);
#ifdef __linux__
	T_CHECKF(zero == hi - lo, "%s: %zu of %zu released bytes read zero", what, zero,
	         (size_t)(hi - lo));
#else
	(void)zero;
#endif
}

/* Bytes outside the whole pages of [from, to) keep their value; inside,
 * on Linux, they read zero (the pages were given back). */
static void t_release(void)
{
	size_t pg = page_size(), len = 64 * pg + 123;
	unsigned char *p = malloc(len);
	uintptr_t b, lo, hi;
	size_t bad = 0;

	if (!p) {
		T_FAIL("malloc");
		return;
	}
	/* nothing: an empty range, and a range inside base's page */
	memset(p, 0xab, len);
	ft_mem_release(p, 10, 10);
	ft_mem_release(p, 0, 1);
	ft_mem_release(NULL, 0, len);
	for (size_t i = 0; i < len; i++)
		bad += p[i] != 0xab;
	T_CHECKF(bad == 0, "%zu bytes changed by empty releases", bad);
	/* a range from an unaligned offset into the middle */
	ft_mem_release(p, 3 * pg + 17, 40 * pg + 5);
	b = (uintptr_t)p;
	lo = (b + 3 * pg + 17) & ~(uintptr_t)(pg - 1);
	hi = (b + 40 * pg + 5) & ~(uintptr_t)(pg - 1);
	check_released(p, len, lo, hi, "release");
	/* from 0: base's page stays (the allocator's header may share it) */
	memset(p, 0xab, len);
	ft_mem_release(p, 0, 10 * pg);
	lo = (b + pg - 1) & ~(uintptr_t)(pg - 1);
	bad = 0;
	for (size_t i = 0; b + i < lo; i++)
		bad += p[i] != 0xab;
	T_CHECKF(bad == 0, "%zu bytes of base's page changed", bad);
	/* within: the page holding from keeps its bytes (another thread's
	 * block may use them), the pages wholly inside go */
	memset(p, 0xab, len);
	ft_mem_release_within(p, 3 * pg + 17, 40 * pg + 5);
	ft_mem_release_within(p, 50 * pg + 1, 51 * pg - 1);   /* no whole page */
	lo = ((b + 3 * pg + 17) + pg - 1) & ~(uintptr_t)(pg - 1);
	hi = (b + 40 * pg + 5) & ~(uintptr_t)(pg - 1);
	check_released(p, len, lo, hi, "release within");
	/* the memory is still the allocator's to reuse and free */
	memset(p, 1, len);
	free(p);
}

/* rows data rows; bad_row >= 0: that row's weight is negative.  Columns:
 * x (numbers, 3 decimals), k (category), w (weight), g (group, missing
 * every 101st row), y (label, missing every 211th row), z (numbers, missing
 * every 97th row). */
static long bad_row2 = -1;   /* a second row with a negative weight */

static void write_rows(const char *path, long rows, long bad_row)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		exit(2);
	fprintf(fp, "x,k,w,g,y,z\n");
	for (long i = 0; i < rows; i++) {
		long v = (i * 7919L) % 100003 - 50000;
		fprintf(fp, "%s%ld.%03ld,c%ld,%s,%s,%s,", v < 0 ? "-" : "", labs(v) / 13 + 1,
		        labs(v) % 1000, (i * 31) % 17, i == bad_row || i == bad_row2 ? "-1" : i % 3 ? "1" : "2.5",
		        i % 101 == 50 ? "" : i % 2 ? "a" : "b",
		        i % 211 == 9 ? "" : (i * 13) % 7 < 3 ? "1" : "0");
		if (i % 97 == 3)
			fprintf(fp, "\n");
		else
			fprintf(fp, "%ld\n", (i * 104729L) % 65537);
	}
	if (fclose(fp))
		exit(2);
}

/* The spec of write_rows' files: label y (positive 1), group g (sens[0]),
 * weight w. */
static void rows_spec(struct ft_spec *s, char **sens)
{
	ft_spec_init(s);
	s->target = "y";
	s->positive = "1";
	s->sensitive = sens;
	s->n_sensitive = 1;
	s->weight = "w";
	sens[0] = "g";
}

#define SAME(f, cnt) (a->f == b->f || (a->f && b->f && \
	memcmp(a->f, b->f, (cnt) * sizeof *a->f) == 0))

static int same_dataset(const struct ft_dataset *a, const struct ft_dataset *b)
{
	return a->n == b->n && a->n_num == b->n_num && a->n_cat == b->n_cat &&
	       SAME(num, a->n * a->n_num) && SAME(code, a->n * a->n_cat) && SAME(y, a->n) &&
	       SAME(w, a->n) && SAME(group, a->n) && SAME(line, a->n);
}

static void t_apply_consume(void)
{
	enum { ROWS = 4 * 65536 + 777 };
	char path[300], *sens[] = {"g"};
	struct ft_read_opts o;
	struct ft_spec s;
	struct ft_table *t1 = NULL, *t2 = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_dataset *d1 = NULL, *d2 = NULL;
	struct ft_encode_stats s1, s2;
	struct ft_error e1 = {0}, e2 = {0};
	size_t zero = 0, pg = page_size();

	T_CHECK(ROWS > 3 * ft_release_rows);
	snprintf(path, sizeof path, "%s/rows.csv", tmpdir);
	write_rows(path, ROWS, -1);
	ft_read_opts_init(&o);
	rows_spec(&s, sens);
	for (int policy = 0; policy < 2; policy++) {
		s.missing_policy = policy ? FT_MISSING_IMPUTE : FT_MISSING_DROP;
		if (ft_table_read_numbers(path, &o, &t1, &e1) ||
		    ft_table_read_numbers(path, &o, &t2, &e1)) {
			T_FAIL("read: %s", e1.msg);
			goto done;
		}
		T_CHECK(t1->num && t1->num[0] && t1->num[5]);  /* x and z as numbers */
		T_CHECKF(ft_encoder_fit(t1, &s, &enc, &e1) == 0, "%s", e1.msg);
		if (!enc)
			goto done;
		T_CHECKF(ft_encoder_apply(enc, t1, FT_APPLY_TRAIN, &d1, &s1, &e1) == 0, "%s",
		         e1.msg);
		T_CHECKF(ft_encoder_apply_consume(enc, t2, FT_APPLY_TRAIN, &d2, &s2, &e2) == 0,
		         "%s", e2.msg);
		if (!d1 || !d2)
			goto done;
		T_CHECK(d1->n < (size_t)ROWS && d1->n > (size_t)ROWS / 2);
		T_CHECK(same_dataset(d1, d2));
		T_CHECK(d1->row != NULL && d2->row == NULL);
		T_CHECK(memcmp(&s1, &s2, sizeof s1) == 0);
#ifdef __linux__
		/* the first block's numbers of x were given back: whole pages
		 * of zeros (x is 0 in no row of the file) */
		for (size_t i = pg / sizeof(double); i < ft_release_rows - pg / sizeof(double); i++)
			zero += t2->num[0][i] == 0.0;
		T_CHECKF(zero > ft_release_rows / 2, "%zu values of the first block zero", zero);
		for (size_t i = 0; i < (size_t)ROWS; i++)
			T_CHECKF(t1->num[0][i] != 0.0, "x = 0 in row %zu", i);
#else
		(void)zero;
		(void)pg;
#endif
		zero = 0;
		ft_dataset_free(d1);
		ft_dataset_free(d2);
		ft_encoder_free(enc);
		ft_table_free(t1);
		ft_table_free(t2);
		d1 = d2 = NULL;
		enc = NULL;
		t1 = t2 = NULL;
	}
	/* a negative weight in the fourth block of rows encoded with the
	 * encoder of the clean file: the message of one apply, naming its
	 * line, whatever was given back before it */
	if (ft_table_read_numbers(path, &o, &t1, &e1)) {
		T_FAIL("read: %s", e1.msg);
		goto done;
	}
	T_CHECKF(ft_encoder_fit(t1, &s, &enc, &e1) == 0, "%s", e1.msg);
	ft_table_free(t1);
	t1 = NULL;
	if (!enc)
		goto done;
	write_rows(path, ROWS, 3 * 65536 + 5);
	if (ft_table_read_numbers(path, &o, &t1, &e1) ||
	    ft_table_read_numbers(path, &o, &t2, &e1)) {
		T_FAIL("read: %s", e1.msg);
		goto done;
	}
	T_CHECK(ft_encoder_apply(enc, t1, FT_APPLY_TRAIN, &d1, NULL, &e1) != 0);
	T_CHECK(ft_encoder_apply_consume(enc, t2, FT_APPLY_TRAIN, &d2, NULL, &e2) != 0);
	T_CHECK(!d1 && !d2);
	T_STREQ(e2.msg, e1.msg);
	T_CHECKF(strstr(e1.msg, ":196615:") != NULL, "%s", e1.msg);
done:
	ft_dataset_free(d1);
	ft_dataset_free(d2);
	ft_encoder_free(enc);
	ft_table_free(t1);
	ft_table_free(t2);
	unlink(path);
}

/* ft_encoder_apply in blocks of rows on threads: the dataset and the
 * counts of one block (a table smaller than a block, one thread: the rows
 * one after the other), to the bit, for blocks of 1, 3 and 100 rows on one
 * and two threads, with rows dropped in many blocks (the kept rows moved
 * down) and in both forms; with two bad rows in different blocks, the
 * message of the first (line 703), whichever block a thread ends first. */
static void t_apply_blocks(void)
{
	enum { ROWS = 3000 };
	static const size_t rel[] = {4, 12, 400};
	char path[300], *sens[] = {"g"};
	struct ft_read_opts o;
	struct ft_spec s;
	struct ft_table *t = NULL, *t2 = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_dataset *ref = NULL, *d = NULL;
	struct ft_encode_stats sr, sd;
	struct ft_error e = {0};
	size_t keep_rel = ft_release_rows, keep_work = ft_parallel_min_work;
	int keep_threads = ft_get_threads();

	snprintf(path, sizeof path, "%s/blocks.csv", tmpdir);
	write_rows(path, ROWS, -1);
	ft_read_opts_init(&o);
	rows_spec(&s, sens);
	if (ft_table_read_numbers(path, &o, &t, &e) || ft_encoder_fit(t, &s, &enc, &e)) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	ft_release_rows = (size_t)1 << 20;
	ft_set_threads(1);
	ft_parallel_min_work = 0;   /* the threads on a small table too */
	if (ft_encoder_apply(enc, t, FT_APPLY_TRAIN, &ref, &sr, &e)) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	T_CHECK(sr.n_dropped > 20 && ref->n == ROWS - sr.n_dropped);
	for (size_t r = 0; r < sizeof rel / sizeof *rel; r++)
		for (int th = 1; th <= 2; th++) {
			ft_release_rows = rel[r];
			ft_set_threads(th);
			T_CHECKF(ft_encoder_apply(enc, t, FT_APPLY_TRAIN, &d, &sd, &e) == 0, "%s",
			         e.msg);
			T_CHECKF(d && same_dataset(ref, d) && memcmp(d->row, ref->row, d->n *
			         sizeof *d->row) == 0, "blocks of %zu rows, %d threads", rel[r] / 4, th);
			T_CHECK(memcmp(&sd, &sr, sizeof sd) == 0);
			ft_dataset_free(d);
			d = NULL;
			/* the consuming form, on a copy of the table */
			if (ft_table_read_numbers(path, &o, &t2, &e)) {
				T_FAIL("read: %s", e.msg);
				goto done;
			}
			T_CHECKF(ft_encoder_apply_consume(enc, t2, FT_APPLY_TRAIN, &d, &sd, &e) == 0,
			         "%s", e.msg);
			T_CHECK(d && same_dataset(ref, d) && memcmp(&sd, &sr, sizeof sd) == 0);
			ft_dataset_free(d);
			ft_table_free(t2);
			d = NULL;
			t2 = NULL;
		}
	/* bad weights in rows 701 (line 703) and 2901 */
	ft_table_free(t);
	t = NULL;
	bad_row2 = 2901;
	write_rows(path, ROWS, 701);
	bad_row2 = -1;
	if (ft_table_read_numbers(path, &o, &t, &e)) {
		T_FAIL("read: %s", e.msg);
		goto done;
	}
	for (size_t r = 0; r < sizeof rel / sizeof *rel; r++)
		for (int th = 1; th <= 2; th++) {
			struct ft_error eb = {0};
			ft_release_rows = rel[r];
			ft_set_threads(th);
			T_CHECK(ft_encoder_apply(enc, t, FT_APPLY_TRAIN, &d, &sd, &eb) == FT_EDATA);
			T_CHECKF(!d && strstr(eb.msg, ":703:") != NULL, "%s", eb.msg);
		}
done:
	ft_release_rows = keep_rel;
	ft_parallel_min_work = keep_work;
	ft_set_threads(keep_threads);
	ft_dataset_free(ref);
	ft_dataset_free(d);
	ft_encoder_free(enc);
	ft_table_free(t);
	ft_table_free(t2);
	unlink(path);
}

/* ft_group_ids_range over consecutive ranges of nine lengths, from 1 row
 * to more than the table, with one map, against one ft_group_ids call: the same
 * key of every row and the same keys in the same order.  Keys of two
 * columns (g, missing in every 101st row, and k) and of one (g); the map
 * starts with two keys, as the encoder's groups start apply's. */
static void t_group_ids_range(void)
{
	enum { ROWS = 3000 };
	static const size_t len[] = {1, 2, 7, 100, 101, 999, 2999, 3000, 5000};
	char path[300];
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_error e = {0};
	long *ref = malloc(ROWS * sizeof *ref), *got = malloc(ROWS * sizeof *got);
	long cols[2];

	snprintf(path, sizeof path, "%s/groups.csv", tmpdir);
	write_rows(path, ROWS, -1);
	ft_read_opts_init(&o);
	if (!ref || !got || ft_table_read(path, &o, &t, &e)) {
		T_FAIL("read: %s", e.msg);
		goto done;
	}
	cols[0] = ft_table_col(t, "g");
	cols[1] = ft_table_col(t, "k");
	T_CHECK(cols[0] >= 0 && cols[1] >= 0);
	for (size_t nc = 1; nc <= 2; nc++)
		for (size_t q = 0; q < sizeof len / sizeof *len; q++) {
			struct ft_strmap m1, m2;
			size_t bad = 0, nk;
			T_CHECK(ft_strmap_init(&m1) == 0 && ft_strmap_init(&m2) == 0);
			T_CHECK(ft_strmap_put(&m1, "3", 1, NULL) == 0 &&
			        ft_strmap_put(&m2, "3", 1, NULL) == 0);
			T_CHECK(ft_strmap_put(&m1, "0&5", 3, NULL) == 1 &&
			        ft_strmap_put(&m2, "0&5", 3, NULL) == 1);
			T_CHECK(ft_group_ids(t, cols, nc, NULL, ref, &m1) == 0);
			for (size_t lo = 0; lo < ROWS; lo += len[q]) {
				size_t hi = ROWS - lo < len[q] ? ROWS : lo + len[q];
				T_CHECK(ft_group_ids_range(t, cols, nc, lo, hi, NULL, got + lo,
				                           &m2) == 0);
			}
			for (size_t i = 0; i < ROWS; i++)
				bad += got[i] != ref[i];
			T_CHECKF(bad == 0, "%zu columns, ranges of %zu: %zu rows' keys differ", nc,
			         len[q], bad);
			nk = m1.n;
			/* g: a, b; g & k: a and b each with the 17 values of k */
			T_CHECKF(nk == m2.n && nk == 2 + (nc == 1 ? 2 : 34), "%zu keys against %zu",
			         m2.n, nk);
			for (size_t k = 0; k < nk && k < m2.n; k++)
				T_STREQ(ft_strmap_key(&m2, k), ft_strmap_key(&m1, k));
			/* rows with a missing group cell have no key */
			T_CHECK(ref[50] == -1 && ref[151] == -1 && ref[0] >= 2);
			ft_strmap_free(&m1);
			ft_strmap_free(&m2);
		}
done:
	free(ref);
	free(got);
	ft_table_free(t);
	unlink(path);
}

/* 0 when a and b hold the same rows: lines, files, cells, values in the
 * same order, numbers to the bit. */
static int table_diff(const struct ft_table *a, const struct ft_table *b)
{
	size_t n = a->n_rows, nc = a->n_cols, st = a->cell_slot ? a->cell_stride : nc;

	if (n != b->n_rows || nc != b->n_cols || !a->num != !b->num ||
	    !a->cell_slot != !b->cell_slot || (a->cell_slot && (a->cell_stride != b->cell_stride ||
	    memcmp(a->cell_slot, b->cell_slot, nc * sizeof *a->cell_slot))) ||
	    memcmp(a->line, b->line, n * sizeof *a->line) ||
	    memcmp(a->cell, b->cell, n * st * sizeof *a->cell) || !a->file != !b->file ||
	    (a->file && memcmp(a->file, b->file, n * sizeof *a->file)))
		return 1;
	for (size_t j = 0; j < nc; j++) {
		if (strcmp(a->names[j], b->names[j]) || a->vals[j].n != b->vals[j].n)
			return 2;
		for (size_t q = 0; q < a->vals[j].n; q++)
			if (a->vals[j].len[q] != b->vals[j].len[q] ||
			    strcmp(a->vals[j].str[q], b->vals[j].str[q]))
				return 3;
		if (a->num && (!a->num[j] != !b->num[j] ||
		               (a->num[j] && (a->num_dec[j] != b->num_dec[j] ||
		                              memcmp(a->num[j], b->num[j], n * sizeof(double))))))
			return 4;
	}
	return 0;
}

/* ft_table_keep_rows against ft_table_subset (a new table of the same
 * rows), on the table of text and the table of numbers, with rows whose
 * first values are dropped (the value ids are renumbered); and the split
 * that keeps the training rows in place against ft_table_split. */
static void t_keep_rows(void)
{
	enum { ROWS = 5000 };
	char path[300], *sens[] = {"g"};
	struct ft_read_opts o;
	struct ft_spec s;
	struct ft_table *t = NULL, *sub = NULL, *tr = NULL, *te = NULL, *te2 = NULL, *ref = NULL;
	struct ft_error e = {0};
	size_t *rows = malloc(ROWS * sizeof *rows), n = 0, keep_work = ft_parallel_min_work;
	int keep_threads = ft_get_threads();

	snprintf(path, sizeof path, "%s/keep.csv", tmpdir);
	write_rows(path, ROWS, -1);
	ft_read_opts_init(&o);
	if (!rows) {
		T_FAIL("malloc");
		return;
	}
	/* ft_table_subset's copies on two threads, small as the table is */
	ft_parallel_min_work = 0;
	ft_set_threads(2);
	/* not the first rows (their values come first), then 4 rows in 5 */
	for (size_t i = 40; i < ROWS; i++)
		if (i % 5 != 2)
			rows[n++] = i;
	/* the independent reference: a file of those rows alone, read */
	{
		char path2[300], line[256];
		FILE *in = fopen(path, "r"), *outf;
		size_t i = 0, k = 0;
		snprintf(path2, sizeof path2, "%s/kept.csv", tmpdir);
		outf = fopen(path2, "w");
		if (!in || !outf || !fgets(line, sizeof line, in) || fputs(line, outf) < 0)
			exit(2);
		while (fgets(line, sizeof line, in)) {
			if (k < n && rows[k] == i) {
				fputs(line, outf);
				k++;
			}
			i++;
		}
		fclose(in);
		if (fclose(outf) || ft_table_read(path2, &o, &ref, &e)) {
			T_FAIL("kept.csv: %s", e.msg);
			goto done;
		}
		unlink(path2);
	}
	for (int numbers = 0; numbers < 2; numbers++) {
		int d;
		if ((numbers ? ft_table_read_numbers(path, &o, &t, &e) :
		               ft_table_read(path, &o, &t, &e))) {
			T_FAIL("read: %s", e.msg);
			goto done;
		}
		T_CHECK(!numbers || (t->num && t->num[0]));
		T_CHECKF(ft_table_subset(t, rows, n, &sub, &e) == 0, "%s", e.msg);
		T_CHECK(ft_table_keep_rows(t, rows, n) == 0);
		if (!sub)
			goto done;
		T_CHECKF((d = table_diff(t, sub)) == 0, "numbers %d: tables differ (%d)", numbers,
		         d);
		if (!numbers) {
			/* the file of the kept rows: the same cells and values (its
			 * own line numbers) */
			size_t *keep_line = t->line;
			t->line = ref->line;
			T_CHECKF((d = table_diff(t, ref)) == 0, "the file of the kept rows: %d", d);
			t->line = keep_line;
		}
		T_CHECK(t->vals[1].n > 0);
		ft_table_free(sub);
		ft_table_free(t);
		sub = t = NULL;
	}
	/* the split */
	ft_spec_init(&s);
	s.target = "y";
	s.sensitive = sens;
	s.n_sensitive = 1;
	if (ft_table_read_numbers(path, &o, &t, &e)) {
		T_FAIL("read: %s", e.msg);
		goto done;
	}
	T_CHECKF(ft_table_split(t, &s, 0.3, 7, &tr, &te, &e) == 0, "%s", e.msg);
	T_CHECKF(ft_table_split_keep(t, &s, 0.3, 7, &te2, &e) == 0, "%s", e.msg);
	if (!tr || !te || !te2)
		goto done;
	T_CHECK(table_diff(t, tr) == 0 && table_diff(te, te2) == 0);
	T_CHECK(t->n_rows + te2->n_rows == ROWS && te2->n_rows > 1000);
done:
	ft_parallel_min_work = keep_work;
	ft_set_threads(keep_threads);
	ft_table_free(t);
	ft_table_free(sub);
	ft_table_free(ref);
	ft_table_free(tr);
	ft_table_free(te);
	ft_table_free(te2);
	free(rows);
	unlink(path);
}

#ifdef __linux__
/* The VmFlags of the mapping of /proc/self/smaps that holds address a,
 * and that mapping's bounds; 0 when found. */
static int vm_flags(uintptr_t a, char *flags, size_t cap, uintptr_t *lo, uintptr_t *hi)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, rc = 1;

	if (!f)
		return 1;
	while (fgets(line, sizeof line, f)) {
		unsigned long l, h;
		if (sscanf(line, "%lx-%lx ", &l, &h) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = a >= l && a < h;
			if (in) {
				*lo = l;
				*hi = h;
			}
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, cap, "%s", line + 8);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}
#endif

/* A large ft_xalloc is one mapping advised for huge pages as a whole (the
 * advice on its 2 MiB-aligned middle only split it in three, and realloc's
 * mremap cannot move a block across mappings, so it copied); a small one
 * is not advised; the reader's growth keeps the advice; the content is
 * untouched. */
static void t_huge(void)
{
#ifdef __linux__
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char mode[128] = "", flags[512];
	size_t big = 24u << 20, grown = 40u << 20;
	uintptr_t lo, hi;
	unsigned char *p, *q, *s;

	if (f) {
		if (!fgets(mode, sizeof mode, f))
			mode[0] = 0;
		fclose(f);
	}
	if (!mode[0] || strstr(mode, "[never]")) {
		T_SKIP(t_huge, "no transparent huge pages on this system");
		return;
	}
	p = ft_xalloc(big, 1);
	s = ft_xalloc(FT_HUGE_MIN / 2, 1);
	if (!p || !s) {
		T_FAIL("ft_xalloc");
		free(p);
		free(s);
		return;
	}
	memset(p, 7, big);
	T_CHECK(vm_flags((uintptr_t)p, flags, sizeof flags, &lo, &hi) == 0);
	T_CHECKF(strstr(flags, " hg") != NULL, "the large block's mapping is not advised: %s", flags);
	T_CHECKF(lo <= (uintptr_t)p && hi >= (uintptr_t)p + big,
	         "the advice split the block's mapping: %#lx-%#lx for %p + %zu", (unsigned long)lo,
	         (unsigned long)hi, (void *)p, big);
	/* grown as the reader grows its arrays: moved, not copied, and
	 * advised again */
	q = realloc(p, grown);
	if (!q) {
		T_FAIL("realloc");
		free(p);
		free(s);
		return;
	}
	ft_mem_huge(q, grown);
	T_CHECK(q[0] == 7 && q[big - 1] == 7);
	T_CHECK(vm_flags((uintptr_t)q + grown - 1, flags, sizeof flags, &lo, &hi) == 0);
	T_CHECKF(strstr(flags, " hg") != NULL, "the grown block's end is not advised: %s", flags);
	T_CHECK(lo <= (uintptr_t)q);
	/* small blocks are left alone: advice on a small heap block would
	 * split the heap's mapping for nothing */
	memset(s, 1, FT_HUGE_MIN / 2);
	if (vm_flags((uintptr_t)s, flags, sizeof flags, &lo, &hi) == 0 && hi - lo < FT_HUGE_MIN)
		T_CHECKF(strstr(flags, " hg") == NULL, "a small block was advised: %s", flags);
	free(q);
	free(s);
#else
	T_SKIP(t_huge, "huge-page advice is checked on Linux only");
#endif
}

/* ft_huge_alloc (ft_xalloc from FT_HUGE_MIN on): the block starts on a
 * 2 MiB boundary and all of its length rounded up to 2 MiB is the
 * caller's (written here to its last byte), so that huge pages can cover
 * it whole; it is freed and realloc'ed as any other block; a length that
 * cannot be rounded is refused. */
static void t_huge_alloc(void)
{
	const size_t huge = (size_t)2 << 20, len = (24u << 20) + 12345;
	const size_t whole = (len + huge - 1) / huge * huge;
	unsigned char *p = ft_xalloc(len, 1), *q;

	if (!p) {
		T_FAIL("ft_xalloc");
		return;
	}
	T_CHECKF((uintptr_t)p % huge == 0, "a large block at %p, not on a 2 MiB boundary",
	         (void *)p);
#ifdef __GLIBC__
	T_CHECKF(malloc_usable_size(p) >= whole, "%zu usable bytes of %zu",
	         malloc_usable_size(p), whole);
#endif
	memset(p, 5, whole);
	q = realloc(p, len / 2);   /* the encoder's shrink after dropped rows */
	if (!q) {
		T_FAIL("realloc");
		free(p);
		return;
	}
	T_CHECK(q[0] == 5 && q[len / 2 - 1] == 5);
	p = realloc(q, 2 * len);
	if (!p) {
		T_FAIL("realloc");
		free(q);
		return;
	}
	T_CHECK(p[0] == 5 && p[len / 2 - 1] == 5);
	free(p);
	T_CHECK(ft_huge_alloc((size_t)-1 - 5) == NULL);
	T_CHECK(ft_xalloc(((size_t)-1 >> 1) + 1, 2) == NULL);
}

/* Every chunk's scratch on cache lines of its own, aligned, at least per
 * elements; nonsense sizes refused. */
static void t_chunk_scratch(void)
{
	static const size_t per[] = {0, 1, 9, 16, 17, 99, 9801};
	size_t stride = 0;

	for (size_t i = 0; i < sizeof per / sizeof *per; i++) {
		double *d = ft_chunk_scratch(5, per[i], sizeof *d, &stride);
		uintptr_t b = (uintptr_t)d;
		if (!d) {
			T_FAIL("ft_chunk_scratch(5, %zu)", per[i]);
			continue;
		}
		T_CHECKF(b % FT_LINE == 0, "scratch at %p is not line-aligned", (void *)d);
		T_CHECKF(stride >= per[i] && stride * sizeof *d % FT_LINE == 0 &&
		         stride * sizeof *d < per[i] * sizeof *d + FT_LINE + (per[i] ? 0 : 1),
		         "stride %zu for %zu doubles", stride, per[i]);
		/* chunk c's last element and chunk c + 1's first on different lines */
		if (per[i])
			for (size_t c = 0; c + 1 < 5; c++)
				T_CHECK((b + (c * stride + per[i] - 1) * sizeof *d) / FT_LINE !=
				        (b + (c + 1) * stride * sizeof *d) / FT_LINE);
		memset(d, 0, 5 * stride * sizeof *d);  /* all of it is ours */
		free(d);
	}
	T_CHECK(ft_chunk_scratch(4, 3, 3, &stride) == NULL);       /* 3 bytes do not tile a line */
	T_CHECK(ft_chunk_scratch(4, (size_t)-1 / 4, 8, &stride) == NULL);
	T_CHECK(ft_chunk_scratch((size_t)-1 / 64, 100, 8, &stride) == NULL);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 2;
	T_RUN(t_huge);
	T_RUN(t_huge_alloc);
	T_RUN(t_chunk_scratch);
	T_RUN(t_release);
	T_RUN(t_apply_consume);
	T_RUN(t_apply_blocks);
	T_RUN(t_group_ids_range);
	T_RUN(t_keep_rows);
	rmdir(tmpdir);
	return t_done();
}
