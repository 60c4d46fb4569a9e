/*
 * bench_ingest.c - reading a CSV against a bare libcsv loop over the same
 * file (issue 20 item 6).
 *
 *   bench_ingest FILE.csv RUNS TARGET SENSITIVE [FILE.letor]
 *
 * Interleaved RUNS times, one process, wall clock:
 *   bare libcsv   fread in 64 KiB blocks into csv_parse (CSV_STRICT, the
 *                 reader's options) with callbacks that only count fields
 *                 and rows: the least any reader built on libcsv can do;
 *   read          ft_table_read with the CLI's defaults (the public table
 *                 of interned text), one thread;
 *   read+encode   ft_load as `train --split 0` loads (read with columns of
 *                 numbers, SHA-256 of the file, the encoder fitted, the
 *                 rows encoded), on one thread and on two (ft_set_threads).
 * With FILE.letor (the same rows as LETOR lines), ft_letor_read of it on
 * one thread, per byte against ft_load's one-thread time per byte (goal:
 * at least as fast, a ratio <= 1).
 * Medians, MB/s of the file and the ratios to the bare loop (goals: read
 * and encode within 1.5x on one thread, below 1x on two).  The peak
 * resident memory of a whole `fairtrain train` is scripts/bench.sh's (at
 * scale).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include "fairtrain.h"
#include "bench.h"

#define MAXR 32

struct counts {
	size_t fields, rows;
};

static void on_field(void *s, size_t len, void *ctx)
{
	(void)s, (void)len;
	((struct counts *)ctx)->fields++;
}

static void on_row(int c, void *ctx)
{
	(void)c;
	((struct counts *)ctx)->rows++;
}

/* The bare loop: 0, or -1 when the file cannot be read or parsed. */
static int bare(const char *path, struct counts *n)
{
	static char buf[1 << 16];
	struct csv_parser p;
	FILE *f = fopen(path, "rb");
	size_t got;
	int rc = 0;

	memset(n, 0, sizeof *n);
	if (!f || csv_init(&p, CSV_STRICT) != 0) {
		if (f)
			fclose(f);
		return -1;
	}
	csv_set_blk_size(&p, 4096);
	while ((got = fread(buf, 1, sizeof buf, f)) > 0)
		if (csv_parse(&p, buf, got, on_field, on_row, n) != got) {
			rc = -1;
			break;
		}
	if (!rc && csv_fini(&p, on_field, on_row, n) != 0)
		rc = -1;
	csv_free(&p);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	double tb[MAXR], tr[MAXR], tl[MAXR], t2[MAXR], tq[MAXR], mb, mbq = 0;
	struct counts n;
	struct ft_error err;
	char *sens[1];
	int runs;
	FILE *f;

	if ((argc != 5 && argc != 6) || (runs = atoi(argv[2])) < 1 || runs > MAXR) {
		fprintf(stderr, "usage: bench_ingest FILE.csv RUNS(1-%d) TARGET SENSITIVE "
		        "[FILE.letor]\n", MAXR);
		return 2;
	}
	sens[0] = argv[4];
	if (!(f = fopen(argv[1], "rb")) || fseek(f, 0, SEEK_END) != 0) {
		fprintf(stderr, "bench_ingest: cannot read %s\n", argv[1]);
		return 1;
	}
	mb = (double)ftell(f) / 1e6;
	fclose(f);
	if (argc == 6) {
		if (!(f = fopen(argv[5], "rb")) || fseek(f, 0, SEEK_END) != 0) {
			fprintf(stderr, "bench_ingest: cannot read %s\n", argv[5]);
			return 1;
		}
		mbq = (double)ftell(f) / 1e6;
		fclose(f);
	}
	for (int r = 0; r < runs; r++) {
		struct ft_read_opts ro;
		struct ft_data_opts d;
		struct ft_table *t = NULL;
		struct ft_loaded *l = NULL;
		double t0 = bench_now();

		if (bare(argv[1], &n) != 0) {
			fprintf(stderr, "bench_ingest: libcsv cannot parse %s\n", argv[1]);
			return 1;
		}
		tb[r] = bench_now() - t0;
		ft_read_opts_init(&ro);
		t0 = bench_now();
		if (ft_table_read(argv[1], &ro, &t, &err) != 0) {
			fprintf(stderr, "bench_ingest: %s\n", err.msg);
			return 1;
		}
		tr[r] = bench_now() - t0;
		ft_table_free(t);
		ft_data_opts_init(&d);
		d.data = argv[1];
		d.split = 0.0;
		d.spec.target = argv[3];
		d.spec.positive = "1";
		d.spec.sensitive = sens;
		d.spec.n_sensitive = 1;
		for (int th = 1; th <= 2; th++) {
			ft_set_threads(th);
			t0 = bench_now();
			if (ft_load(&d, NULL, NULL, &l, &err) != 0) {
				fprintf(stderr, "bench_ingest: %s\n", err.msg);
				return 1;
			}
			(th == 1 ? tl : t2)[r] = bench_now() - t0;
			ft_loaded_free(l);
		}
		ft_set_threads(1);
		if (argc == 6) {
			struct ft_rank_data *rd = NULL;
			t0 = bench_now();
			if (ft_letor_read(argv[5], &rd, &err) != 0) {
				fprintf(stderr, "bench_ingest: %s\n", err.msg);
				return 1;
			}
			tq[r] = bench_now() - t0;
			ft_rank_data_free(rd);
		}
	}
	{
		double b = bench_median(tb, runs), rd = bench_median(tr, runs);
		double ld = bench_median(tl, runs), l2 = bench_median(t2, runs);
		printf("  ingest of %.0f MB (%zu rows, %zu fields), medians of %d:\n",
		       mb, n.rows, n.fields, runs);
		printf("    bare libcsv loop (counts fields), 1 thread  %7.3f s  %6.0f MB/s\n", b,
		       mb / b);
		printf("    ft_table_read (table of text), 1 thread     %7.3f s  %6.0f MB/s  %.2fx the "
		       "bare loop\n", rd, mb / rd, rd / b);
		printf("    ft_load (read, SHA-256, encode), 1 thread   %7.3f s  %6.0f MB/s  %.2fx the "
		       "bare loop (goal <= 1.5)\n", ld, mb / ld, ld / b);
		printf("    ft_load (read, SHA-256, encode), 2 threads  %7.3f s  %6.0f MB/s  %.2fx the "
		       "bare loop (goal < 1)\n", l2, mb / l2, l2 / b);
		if (argc == 6) {
			double q = bench_median(tq, runs);
			printf("    ft_letor_read of %.0f MB, 1 thread          %7.3f s  %6.0f MB/s  %.2fx "
			       "ft_load's time per byte (goal <= 1)\n", mbq, q, mbq / q,
			       (q / mbq) / (ld / mb));
		}
	}
	return 0;
}
