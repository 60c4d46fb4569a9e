/*
 * bench_scale.c - where the time of a training run goes at scale, and how
 * close the fit's passes come to the memory bandwidth.
 *
 *   bench_scale phases FILE.csv RUNS
 *     ft_train (as `fairtrain train --data FILE --target y --positive 1
 *     --sensitive sex`, default split, 1000 bootstrap resamples and
 *     permutations) timed by its progress events: read + encode, the plain
 *     fit, measurement (metrics, bootstrap cells, permutation tests on both
 *     parts: "measure" to "explain"), gap decomposition and proxies
 *     ("explain" to the end), then ft_model_save.  Medians of RUNS runs;
 *     the ratio measurement / fit is issue 20's goal 5 (<= 0.3).
 *
 *   bench_scale kernels FILE.csv RUNS
 *     On the encoded training part: a STREAM-style read (the sum of an
 *     array as large as the design matrix, one thread), then the
 *     objective's value-and-gradient pass, Hessian-vector pass and full
 *     Hessian pass on one thread and on the default threads, each as GB/s
 *     of the design matrix (8 bytes a numeric cell, 4 a code, 8 label,
 *     8 weight) and as the fraction of the read in the same run (goal 8:
 *     value-and-gradient >= 0.5 on one thread); the value-and-gradient
 *     pass again on the baseline's vectors (ft_simd_cap: SSE2 on x86-64,
 *     against the widest the CPU has above); the whole plain fit.
 *     Medians of RUNS passes each, interleaved.  On one thread the clock
 *     is the thread's CPU time (read and kernels alike), so that other
 *     work on a shared machine does not skew the fraction.  The read's
 *     array is advised for huge pages as the library's large arrays are
 *     (the design matrix among them): on 4 KiB pages the same read
 *     measured 11 GB/s against 20 on this machine, which would flatter
 *     the kernels' fraction.
 *
 * Both load the file the same way (the CLI's defaults); neither prints
 * anything that is not measured here.
 */
#define _DEFAULT_SOURCE  /* MADV_HUGEPAGE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <omp.h>
#include "fairtrain.h"
#include "core/internal.h"   /* ft_simd_level, ft_simd_cap */
#include "bench.h"

#define MAXR 32
enum { P_READ, P_FIT, P_MEASURE, P_EXPLAIN, P_SAVE, NP };
static const char *const PNAME[NP] = {
	"read + encode", "plain fit (logreg)", "measurement (metrics, bootstrap, permutation)",
	"gap decomposition + proxies", "write the model file"};

struct mark {
	double t[8];
	int n;
	const char *stage[8];
};

static int on_progress(void *ctx, const char *stage, size_t done, size_t total,
                       const char *what)
{
	struct mark *m = ctx;
	(void)done, (void)total, (void)what;
	if (m->n < 8) {
		m->stage[m->n] = stage;
		m->t[m->n++] = bench_now();
	}
	return 0;
}

static double at(const struct mark *m, const char *stage)
{
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->stage[i], stage))
			return m->t[i];
	return -1.0;
}

static char *sens[] = {"sex"};

static void opts(struct ft_train_opts *o, const char *file, struct ft_monitor *mon)
{
	ft_train_opts_init(o);
	o->data.data = file;
	o->data.spec.target = "y";
	o->data.spec.positive = "1";
	o->data.spec.sensitive = sens;
	o->data.spec.n_sensitive = 1;
	o->mon = mon;
}

static int phases(const char *file, int runs)
{
	double t[NP][MAXR], tot[MAXR];
	struct ft_error err = {0};
	size_t n_train = 0;
	char out[4096];

	snprintf(out, sizeof out, "%s.bench.h5", file);

	for (int r = 0; r < runs; r++) {
		struct mark m = {{0}, 0, {0}};
		struct ft_monitor mon = {on_progress, NULL, &m};
		struct ft_train_opts o;
		struct ft_train_result *res = NULL;
		double t0 = bench_now(), t1, t2;

		opts(&o, file, &mon);
		if (ft_train(&o, &res, &err)) {
			fprintf(stderr, "bench_scale: %s\n", err.msg);
			return 1;
		}
		t1 = bench_now();
		if (ft_model_save(out, res->mf, &err)) {
			fprintf(stderr, "bench_scale: %s\n", err.msg);
			return 1;
		}
		remove(out);
		t2 = bench_now();
		n_train = res->mf->n_train;
		t[P_READ][r] = at(&m, "fit") - t0;
		t[P_FIT][r] = at(&m, "measure") - at(&m, "fit");
		if (at(&m, "explain") < 0) {
			/* a library without the "explain" stage: both in one */
			t[P_MEASURE][r] = t1 - at(&m, "measure");
			t[P_EXPLAIN][r] = 0.0;
		} else {
			t[P_MEASURE][r] = at(&m, "explain") - at(&m, "measure");
			t[P_EXPLAIN][r] = t1 - at(&m, "explain");
		}
		t[P_SAVE][r] = t2 - t1;
		tot[r] = t2 - t0;
		ft_train_result_free(res);
	}
	printf("ft_train on %s (%zu training rows, %d threads; %d runs, medians)\n", file,
	       n_train, ft_get_threads(), runs);
	double med[NP];
	for (int p = 0; p < NP; p++) {
		med[p] = bench_median(t[p], runs);
		printf("  %-50s %8.3f s\n", PNAME[p], med[p]);
	}
	printf("  %-50s %8.3f s\n", "whole run", bench_median(tot, runs));
	printf("  measurement / plain fit: %.3f; with gap decomposition and proxies: %.3f "
	       "(goal <= 0.3)\n", med[P_MEASURE] / med[P_FIT],
	       (med[P_MEASURE] + med[P_EXPLAIN]) / med[P_FIT]);
	return 0;
}

/* The clock of a kernel: on one thread the thread's CPU time, so that a
 * busy machine's time slices taken by others do not count (the read and
 * the kernels are compared on the same footing); on several threads the
 * wall time. */
static double clk(int threads)
{
	struct timespec t;

	if (threads > 1)
		return bench_now();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/* A STREAM-style read: the sum of a (kept in *sink, so the loop stays) in
 * 16 independent lanes, so that the loads, not the latency of the adds,
 * bound it (SSE2 is enough: 8 registers of two lanes). */
static double stream_read(const double *a, size_t n, double *sink)
{
	double s[16] = {0}, t0 = clk(1), tot = 0.0;
	size_t i = 0;

	for (; i + 16 <= n; i += 16)
		for (int k = 0; k < 16; k++)
			s[k] += a[i + k];
	for (; i < n; i++)
		s[0] += a[i];
	for (int k = 0; k < 16; k++)
		tot += s[k];
	*sink += tot;
	return clk(1) - t0;
}

/* One pass's line: median time s of a pass over bytes of design (n rows),
 * as GB/s and as the fraction of the read's rd GB/s. */
static void pass_line(const char *name, double s, size_t bytes, size_t n, double rd)
{
	double gb = (double)bytes / s / 1e9;

	printf("  %-44s %8.4f s %7.2f GB/s  %5.1f ns/row  %.3f of the read\n", name, s, gb,
	       s / (double)n * 1e9, gb / rd);
}

static int kernels(const char *file, int runs)
{
	struct ft_train_opts o;
	struct ft_loaded *l = NULL;
	struct ft_objective obj;
	struct ft_error err = {0};
	struct ft_linear_model *m = NULL;
	struct ft_solver_result sr;
	double *x, *g, *v, *H, *a, f, sink = 0.0;
	double tr[MAXR], tvg[2][MAXR], thv[2][MAXR], th[2][MAXR], tfit[MAXR], tvb[MAXR];
	int nth = ft_get_threads();
	size_t bytes, na;

	opts(&o, file, NULL);
	if (ft_load(&o.data, NULL, NULL, &l, &err) ||
	    ft_logreg_objective(l->train, 1.0, 1, &obj, &err)) {
		fprintf(stderr, "bench_scale: %s\n", err.msg);
		return 1;
	}
	const struct ft_dataset *d = l->train;
	bytes = d->n * (d->n_num * 8 + d->n_cat * 4 + 16);
	na = bytes / sizeof(double);
	x = calloc(obj.dim, sizeof *x);
	g = calloc(obj.dim, sizeof *g);
	v = calloc(obj.dim, sizeof *v);
	H = calloc(obj.dim * obj.dim, sizeof *H);
	a = malloc(na * sizeof *a);
	if (!x || !g || !v || !H || !a)
		return 1;
#ifdef MADV_HUGEPAGE
	{
		uintptr_t lo = (uintptr_t)a & ~(uintptr_t)4095;
		(void)madvise((void *)lo, (uintptr_t)(a + na) - lo, MADV_HUGEPAGE);
	}
#endif
	for (size_t i = 0; i < na; i++)
		a[i] = (double)(i & 1023);
	for (size_t j = 0; j < obj.dim; j++) {
		x[j] = 0.01 * (double)(j % 7) - 0.03;
		v[j] = 1.0 / (double)(j + 1);
	}
	for (int r = 0; r < runs; r++) {
		double t0;
		tr[r] = stream_read(a, na, &sink);
		for (int k = 0; k < 2; k++) {
			int th_k = k ? nth : 1;
			ft_set_threads(th_k);
			t0 = clk(th_k);
			obj.value_grad(obj.ctx, x, &f, g);
			tvg[k][r] = clk(th_k) - t0;
			t0 = clk(th_k);
			obj.hess_vec(obj.ctx, x, v, g);
			thv[k][r] = clk(th_k) - t0;
			t0 = clk(th_k);
			obj.hessian(obj.ctx, x, H);
			th[k][r] = clk(th_k) - t0;
		}
		/* the same pass on the baseline's vectors (SSE2 on x86-64) */
		ft_set_threads(1);
		ft_simd_cap(FT_SIMD_BASE);
		t0 = clk(1);
		obj.value_grad(obj.ctx, x, &f, g);
		tvb[r] = clk(1) - t0;
		ft_simd_cap(-1);
		t0 = clk(1);
		if (ft_logreg_fit(d, NULL, &m, &sr, &err)) {
			fprintf(stderr, "bench_scale: %s\n", err.msg);
			return 1;
		}
		tfit[r] = clk(1) - t0;
		ft_set_threads(nth);
		ft_linear_model_free(m);
	}
	double rd = (double)bytes / bench_median(tr, runs) / 1e9;
	printf("fit kernels on %s: %zu training rows, %zu features (%zu numeric, %zu "
	       "categorical columns), design %.1f MB (%d runs, medians; sink %g)\n", file, d->n,
	       d->p, d->n_num, d->n_cat, bytes / 1e6, runs, sink > 0 ? 1.0 : 0.0);
	printf("  one thread: CPU time of the thread; %d threads: wall time; vectors: %s\n", nth,
	       (const char *const[]){"baseline", "AVX2", "AVX-512"}[ft_simd_level()]);
	printf("  %-44s %8.4f s %7.2f GB/s\n", "STREAM-style read, 1 thread", bench_median(tr, runs), rd);
	/* the Hessian comes after a value pass at the same point, as Newton
	 * asks for it (it then reuses that pass's curvatures) */
	static const char *const KN[3] = {"value + gradient", "hessian-vector", "full hessian"};
	double (*tt[3])[MAXR] = {tvg, thv, th};
	for (int q = 0; q < 3; q++)
		for (int k = 0; k < 2; k++) {
			char name[80];
			snprintf(name, sizeof name, "%s, %d thread%s", KN[q], k ? nth : 1,
			         (k ? nth : 1) > 1 ? "s" : "");
			pass_line(name, bench_median(tt[q][k], runs), bytes, d->n, rd);
		}
	pass_line("value + gradient, 1 thread, baseline vectors", bench_median(tvb, runs), bytes,
	          d->n, rd);
	printf("  %-44s %8.4f s  (%d iterations)\n", "plain fit (ft_logreg_fit), 1 thread", bench_median(tfit, runs),
	       sr.iterations);
	free(x), free(g), free(v), free(H), free(a);
	ft_logreg_objective_free(&obj);
	ft_loaded_free(l);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 3 ? atoi(argv[3]) : 3;

	if (argc < 3 || (strcmp(argv[1], "phases") && strcmp(argv[1], "kernels"))) {
		fprintf(stderr, "usage: bench_scale phases|kernels FILE.csv [RUNS]\n");
		return 2;
	}
	if (runs < 1 || runs > MAXR)
		runs = 3;
	ft_set_threads(0);   /* pins BLAS to one thread, as the CLI does */
	return !strcmp(argv[1], "phases") ? phases(argv[2], runs) : kernels(argv[2], runs);
}
