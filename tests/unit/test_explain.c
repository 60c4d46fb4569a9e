/*
 * test_explain.c - gap decomposition and proxy report on hand-made data.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"
#include "metrics/metrics.h"

/* 6 rows: numeric x0, x1; one categorical column with codes 2..3 (2 cats);
 * groups 0,0,0,1,1,1; weights 1 except row 2 (weight 2). */
static double NUM[12] = {1, 0,  2, 1,  3, 0,  -1, 2,  0, 2,  1, 5};
static int32_t CODE[6] = {2, 2, 3, 3, 3, -1};
static double W[6] = {1, 1, 2, 1, 1, 1};
static int32_t GRP[6] = {0, 0, 0, 1, 1, 1};
static double Y[6] = {1, 0, 1, 0, 1, 0};

static struct ft_dataset make(void)
{
	struct ft_dataset d;
	memset(&d, 0, sizeof d);
	d.n = 6; d.p = 4; d.n_num = 2; d.num = NUM; d.n_cat = 1; d.code = CODE;
	d.y = Y; d.w = W; d.group = GRP; d.n_groups = 2;
	return d;
}

static void test_decomposition_by_hand(void)
{
	struct ft_dataset d = make();
	double coef[4] = {0.5, -1.0, 2.0, 3.0}, contrib[4], gap, dec[6];
	struct ft_linear_model m = {.type = FT_MODEL_LOGREG, .p = 4, .coef = coef, .intercept = 0.25};
	struct ft_error err = {0};
	/* weighted means, group 0 (weights 1,1,2; total 4): x0 (1+2+6)/4 = 2.25,
	 * x1 (0+1+0)/4 = 0.25, cat2 (1+1)/4 = 0.5, cat3 2/4 = 0.5.
	 * group 1 (total 3): x0 0/3 = 0, x1 9/3 = 3, cat2 0, cat3 2/3. */
	T_CHECK(ft_gap_decomposition(&m, &d, 0, 1, contrib, &gap, &err) == 0);
	T_NEAR(contrib[0], 0.5 * 2.25, 1e-15);
	T_NEAR(contrib[1], -1.0 * (0.25 - 3.0), 1e-15);
	T_NEAR(contrib[2], 2.0 * 0.5, 1e-15);
	T_NEAR(contrib[3], 3.0 * (0.5 - 2.0 / 3.0), 1e-15);
	/* the contributions add up to the gap in mean decision value */
	ft_linear_decision(&m, &d, dec);
	double m0 = (dec[0] + dec[1] + 2 * dec[2]) / 4, m1 = (dec[3] + dec[4] + dec[5]) / 3;
	T_NEAR(gap, m0 - m1, 1e-14);
	T_NEAR(contrib[0] + contrib[1] + contrib[2] + contrib[3], gap, 1e-14);
}

static void test_decomposition_errors(void)
{
	struct ft_dataset d = make();
	double coef[4] = {0}, contrib[4], gap;
	struct ft_linear_model m = {.type = FT_MODEL_LOGREG, .p = 4, .coef = coef, .intercept = 0};
	struct ft_error err = {0};
	T_CHECK(ft_gap_decomposition(&m, &d, 0, 0, contrib, &gap, &err) == FT_EINVAL);
	ft_error_clear(&err);
	T_CHECK(ft_gap_decomposition(&m, &d, 0, 2, contrib, &gap, &err) == FT_EINVAL);
	m.p = 3;
	ft_error_clear(&err);
	T_CHECK(ft_gap_decomposition(&m, &d, 0, 1, contrib, &gap, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "features") != NULL);
}

/* An encoder with one numeric and one categorical feature column. */
static void encoder(struct ft_encoder *e, struct ft_column cols[2], char *names[2])
{
	memset(e, 0, sizeof *e);
	memset(cols, 0, 2 * sizeof *cols);
	cols[0].name = names[0]; cols[0].role = FT_ROLE_FEATURE; cols[0].type = FT_NUMERIC;
	cols[0].offset = 0;
	cols[1].name = names[1]; cols[1].role = FT_ROLE_FEATURE; cols[1].type = FT_CATEGORICAL;
	cols[1].n_cats = 2; cols[1].offset = 1;
	e->n_cols = 2; e->cols = cols; e->n_features = 3; e->n_num = 1; e->n_cat = 1;
	e->n_groups = 2;
}

/* The rows of that encoder: n rows, two groups. */
static void dataset_2col(struct ft_dataset *d, size_t n, double *num, int32_t *code,
                         double *w, int32_t *grp)
{
	memset(d, 0, sizeof *d);
	d->n = n; d->p = 3; d->n_num = 1; d->num = num; d->n_cat = 1; d->code = code;
	d->w = w; d->group = grp; d->n_groups = 2;
}

static void test_proxy_perfect_and_independent(void)
{
	/* 20 rows: the categorical column equals the group (a perfect proxy);
	 * the numeric column takes values 0..9 in both groups alike. */
	enum { N = 20 };
	double num[N], w[N];
	int32_t code[N], grp[N];
	struct ft_dataset d;
	struct ft_encoder e;
	struct ft_column cols[2];
	char *names[2] = {"x", "c"};
	struct ft_proxy *px = NULL;
	size_t np = 0;
	struct ft_error err = {0};

	for (int i = 0; i < N; i++) {
		grp[i] = i % 2;
		code[i] = 1 + grp[i];
		num[i] = i / 2;
		w[i] = 1;
	}
	dataset_2col(&d, N, num, code, w, grp);
	encoder(&e, cols, names);
	T_CHECK(ft_proxy_report(&e, &d, &px, &np, &err) == 0);
	T_CHECK(np == 2);
	if (np == 2) {
		T_STREQ(px[0].column, "x");
		T_NEAR(px[0].mi, 0.0, 1e-15);          /* same distribution in both groups */
		T_NEAR(px[0].auc.value, 0.5, 1e-15);
		T_STREQ(px[1].column, "c");
		T_NEAR(px[1].mi, log(2.0), 1e-15);     /* I = H(group) = ln 2 */
		T_NEAR(px[1].nmi, 1.0, 1e-15);
		T_NEAR(px[1].auc.value, 1.0, 1e-15);
	}
	free(px);
}

static void test_proxy_partial_by_hand(void)
{
	/* categorical column vs group: counts (cat0: g0 3, g1 1), (cat1: g0 1, g1 3).
	 * I = sum p log(p / (pk pg)) = 2 * (3/8 ln(3/2) + 1/8 ln(1/2)); AUC of the
	 * share score: shares 1/4 and 3/4 -> P(g1 above g0) = (3*3 + 0.5*... ) */
	enum { N = 8 };
	double num[N] = {0, 0, 0, 0, 0, 0, 0, 0}, w[N] = {1, 1, 1, 1, 1, 1, 1, 1};
	int32_t code[N] = {1, 1, 1, 2, 1, 2, 2, 2}, grp[N] = {0, 0, 0, 0, 1, 1, 1, 1};
	struct ft_dataset d;
	struct ft_encoder e;
	struct ft_column cols[2];
	char *names[2] = {"x", "c"};
	struct ft_proxy *px = NULL;
	size_t np = 0;
	struct ft_error err = {0};
	double mi = 2 * (3.0 / 8 * log(1.5) + 1.0 / 8 * log(0.5));
	/* pairs (g1, g0): g1 in cat1 (3) beats g0 in cat0 (3): 9 wins; g1 cat1 vs
	 * g0 cat1 (1): 3 ties; g1 cat0 (1) vs g0 cat0 (3): 3 ties; g1 cat0 vs g0
	 * cat1: 1 loss.  AUC = (9 + 0.5 * 6) / 16 = 0.75 */
	dataset_2col(&d, N, num, code, w, grp);
	encoder(&e, cols, names);
	T_CHECK(ft_proxy_report(&e, &d, &px, &np, &err) == 0);
	if (np == 2) {
		T_NEAR(px[1].mi, mi, 1e-15);
		T_NEAR(px[1].nmi, mi / log(2.0), 1e-15);
		T_NEAR(px[1].auc.value, 0.75, 1e-15);
		T_NEAR(px[0].mi, 0.0, 1e-15);          /* a constant column says nothing */
	}
	free(px);
	/* three groups: no AUC, with a reason */
	grp[7] = 2;
	d.n_groups = 3;
	e.n_groups = 3;
	T_CHECK(ft_proxy_report(&e, &d, &px, &np, &err) == 0);
	if (np == 2)
		T_CHECK(px[1].auc.why != NULL && isnan(px[1].auc.value));
	free(px);
	d.group = NULL;
	T_CHECK(ft_proxy_report(&e, &d, &px, &np, &err) == FT_EINVAL);
}

/* An ID-like column: 4 rows, 4 distinct categories, two groups.  The
 * AUC table needs two entries per category (8) where there are 4 rows: the
 * buffer sized by rows overflowed here (COMPAS as shipped, a 3-row CSV). */
static void test_proxy_more_categories_than_rows(void)
{
	enum { N = 4, K = 4 };
	double num[N] = {0, 1, 2, 3}, w[N] = {1, 1, 1, 1};
	int32_t code[N] = {1, 2, 3, 4}, grp[N] = {0, 1, 0, 1};
	struct ft_dataset d;
	struct ft_encoder e;
	struct ft_column cols[2];
	char *names[2] = {"x", "id"};
	struct ft_proxy *px = NULL;
	size_t np = 0;
	struct ft_error err = {0};

	memset(&d, 0, sizeof d);
	d.n = N; d.p = 1 + K; d.n_num = 1; d.num = num; d.n_cat = 1; d.code = code;
	d.w = w; d.group = grp; d.n_groups = 2;
	encoder(&e, cols, names);
	cols[1].n_cats = K;
	e.n_features = 1 + K;
	T_CHECK(ft_proxy_report(&e, &d, &px, &np, &err) == 0);
	T_CHECK(np == 2);
	if (np == 2) {
		/* each category holds one row: it determines the group */
		T_NEAR(px[1].nmi, 1.0, 1e-15);
		T_NEAR(px[1].auc.value, 1.0, 1e-15);
	}
	free(px);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The radix sort behind AUCs and deciles orders any finite doubles,
 * negative ones included, like a comparison sort. */
static void test_radix_order_signed(void)
{
	enum { N = 5000 };
	double v[N], sorted[N];
	uint32_t *order = NULL;
	struct ft_rng r;

	ft_rng_seed(&r, 3);
	for (int i = 0; i < N; i++) {
		double u = ft_rng_normal(&r) * (i % 7 == 0 ? 1e-300 : i % 5 == 0 ? 1e300 : 3);
		v[i] = i % 11 == 0 ? -0.0 : i % 13 == 0 ? 0.0 : i % 17 == 0 ? 2.5 : u;
	}
	memcpy(sorted, v, sizeof v);
	qsort(sorted, N, sizeof *sorted, cmp_double);
	T_CHECK(ft_score_order(v, N, &order) == 0);
	for (int i = 0; order && i < N; i++)
		T_CHECKF(v[order[i]] == sorted[i], "position %d: %g, expected %g", i,
		         v[order[i]], sorted[i]);
	/* stable: equal values keep their input order */
	for (int i = 1; order && i < N; i++)
		if (v[order[i]] == v[order[i - 1]])
			T_CHECK(order[i] > order[i - 1]);
	free(order);
}

/* A numeric column against brute force: the AUC of the column's values
 * between groups 1 and 0 over every pair of rows (weights, ties at one
 * half, rows without a group left out), and the mutual information of its
 * deciles (the values at ranks floor((k + 1) m / 10) of the m rows with a
 * group, sorted by qsort) with the group. */
static void proxy_numeric_brute(size_t distinct_max)
{
	enum { N = 3001 };
	double *num = malloc(N * sizeof *num), *w = malloc(N * sizeof *w);
	double *sorted = malloc(N * sizeof *sorted), q[9], t[10][2] = {{0}}, wt = 0;
	int32_t *code = malloc(N * sizeof *code), *grp = malloc(N * sizeof *grp);
	double wins = 0, w1 = 0, w0 = 0, auc, mi = 0;
	struct ft_dataset d;
	struct ft_encoder e;
	struct ft_column cols[2];
	char *names[2] = {"x", "c"};
	struct ft_proxy *px = NULL;
	size_t np = 0, m = 0;
	struct ft_error err = {0};
	uint64_t r = 12345;

	if (!num || !w || !sorted || !code || !grp) {
		T_FAIL("malloc");
		goto done;
	}
	for (int i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		grp[i] = (r >> 33) % 13 == 0 ? -1 : (int32_t)((r >> 40) % 2);
		/* 151 values, more often high in group 1: many ties */
		num[i] = (double)((r >> 20) % 151) / 7.0 - 9 + (grp[i] == 1 ? 3 : 0);
		w[i] = ((r >> 50) % 3 + 1) * 0.5;
		code[i] = 1 + (int32_t)((r >> 45) % 2);
	}
	for (int a = 0; a < N; a++) {
		if (grp[a] < 0)
			continue;
		sorted[m++] = num[a];
		if (grp[a] == 1)
			w1 += w[a];
		else
			w0 += w[a];
		if (grp[a] != 1)
			continue;
		for (int b = 0; b < N; b++)
			if (grp[b] == 0)
				wins += w[a] * w[b] * (num[a] > num[b] ? 1 : num[a] == num[b] ? 0.5 : 0);
	}
	auc = wins / (w1 * w0);
	if (auc < 0.5)
		auc = 1 - auc;
	qsort(sorted, m, sizeof *sorted, cmp_double);
	for (int k = 0; k < 9; k++)
		q[k] = sorted[(size_t)((k + 1) * (double)m / 10.0 - 1e-9)];
	for (int i = 0; i < N; i++) {
		int k = 0;
		if (grp[i] < 0)
			continue;
		while (k < 9 && num[i] > q[k])
			k++;
		t[k][grp[i]] += w[i];
		wt += w[i];
	}
	for (int k = 0; k < 10; k++)
		for (int g = 0; g < 2; g++) {
			double pk = (t[k][0] + t[k][1]) / wt, pg = (g ? w1 : w0) / wt, p = t[k][g] / wt;
			if (p > 0)
				mi += p * log(p / (pk * pg));
		}
	dataset_2col(&d, N, num, code, w, grp);
	encoder(&e, cols, names);
	ft_proxy_distinct_max = distinct_max;
	T_CHECK(ft_proxy_report(&e, &d, &px, &np, &err) == 0);
	ft_proxy_distinct_max = (size_t)1 << 17;
	T_CHECK(np == 2);
	if (np == 2) {
		T_CHECKF(auc > 0.55, "auc %g", auc);
		T_NEAR(px[0].auc.value, auc, 1e-12);
		T_NEAR(px[0].mi, mi, 1e-12);
	}
done:
	free(px);
	free(num);
	free(w);
	free(sorted);
	free(code);
	free(grp);
}

/* The brute force of the numbers above with the column counted by value
 * (151 values: the table's way) and by a sort of its rows. */
static void test_proxy_numeric_brute(void)
{
	proxy_numeric_brute((size_t)1 << 17);
	proxy_numeric_brute(0);
}

/* A numeric column's report is the same bits whether its rows are sorted
 * or counted by distinct value (proxy_distinct): weights that do not add
 * exactly, unit weights (counted as integers by the table), no weights,
 * -0.0 beside +0.0 (one value), rows without a group, two and three
 * groups; and a column of more values than the table takes, which falls
 * back to the sort. */
static void test_proxy_distinct_same_bits(void)
{
	enum { N = 20000 };
	double *num = malloc(3 * N * sizeof *num), *w = malloc(N * sizeof *w);
	double *w1 = malloc(N * sizeof *w1);
	int32_t *code = malloc(N * sizeof *code), *grp = malloc(N * sizeof *grp);
	int32_t *grp3 = malloc(N * sizeof *grp3);
	struct ft_dataset d;
	struct ft_encoder e;
	struct ft_column cols[4];
	char *names[4] = {"few", "many", "late", "c"};
	const char *wname[3] = {"weights", "unit weights", "no weights"};
	struct ft_error err = {0};
	uint64_t r = 99;

	if (!num || !w || !w1 || !code || !grp || !grp3) {
		T_FAIL("malloc");
		goto done;
	}
	for (int i = 0; i < N; i++) {
		int v;
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		grp[i] = (r >> 33) % 17 == 0 ? -1 : (int32_t)((r >> 40) % 3);
		v = (int)((r >> 20) % 301) - 150 + (grp[i] == 1 ? 20 : 0);
		/* 321 values, zero as often -0.0 as +0.0 */
		num[3 * i] = v == 0 ? ((r >> 50) & 1 ? -0.0 : 0.0) : v / 7.0;
		/* every row its own value: more than the table takes */
		num[3 * i + 1] = (double)(r >> 11) * 0x1p-53 + (grp[i] == 1 ? 0.1 : 0);
		/* 50 values in the first sixteenth of the rows, then every row
		 * its own: the table takes the column at first, and gives it up
		 * when its values pass 9/20 of the rows */
		num[3 * i + 2] = i < N / 16 ? (double)(i % 50) : num[3 * i + 1] + 2.0;
		w[i] = (double)((r >> 44) % 2900 + 100) / 1000.0;
		/* unit weights: a row without a group may weigh anything */
		w1[i] = grp[i] < 0 ? 2.5 : 1.0;
		code[i] = 3 + (int32_t)((r >> 45) % 2);
		grp3[i] = grp[i];
	}
	memset(&d, 0, sizeof d);
	d.n = N; d.p = 5; d.n_num = 3; d.num = num; d.n_cat = 1; d.code = code;
	d.w = w; d.group = grp;
	memset(&e, 0, sizeof e);
	memset(cols, 0, sizeof cols);
	for (int c = 0; c < 4; c++) {
		cols[c].name = names[c];
		cols[c].role = FT_ROLE_FEATURE;
		cols[c].type = c < 3 ? FT_NUMERIC : FT_CATEGORICAL;
		cols[c].offset = (size_t)c;
	}
	cols[3].n_cats = 2;
	e.n_cols = 4; e.cols = cols; e.n_features = 5; e.n_num = 3; e.n_cat = 1;
	for (int wm = 0; wm < 3; wm++)
	for (int ng = 2; ng <= 3; ng++) {
		struct ft_proxy *px[2] = {NULL, NULL};
		size_t np[2] = {0, 0};
		/* two groups: the third joins group 0 */
		for (int i = 0; i < N; i++)
			grp[i] = ng == 2 && grp3[i] == 2 ? 0 : grp3[i];
		d.w = wm == 0 ? w : wm == 1 ? w1 : NULL;
		d.n_groups = e.n_groups = (size_t)ng;
		for (int way = 0; way < 2; way++) {
			ft_proxy_distinct_max = way ? 0 : (size_t)1 << 17;
			T_CHECK(ft_proxy_report(&e, &d, &px[way], &np[way], &err) == 0);
		}
		ft_proxy_distinct_max = (size_t)1 << 17;
		T_CHECK(np[0] == 4 && np[1] == 4);
		for (size_t k = 0; px[0] && px[1] && k < 4 && np[0] == 4 && np[1] == 4; k++) {
			T_CHECKF(memcmp(&px[0][k].mi, &px[1][k].mi, sizeof(double)) == 0,
			         "%s, %d groups, %s: mi %a by value, %a sorted", wname[wm], ng,
			         names[k], px[0][k].mi, px[1][k].mi);
			T_CHECKF(memcmp(&px[0][k].auc.value, &px[1][k].auc.value, sizeof(double)) == 0,
			         "%s, %d groups, %s: auc %a by value, %a sorted", wname[wm], ng,
			         names[k], px[0][k].auc.value, px[1][k].auc.value);
			T_CHECK(px[0][k].mi > 0);
			T_CHECK(ng == 3 || (px[0][k].auc.value > 0.5 && px[0][k].auc.value < 1));
		}
		free(px[0]);
		free(px[1]);
	}
done:
	free(num);
	free(w);
	free(w1);
	free(code);
	free(grp);
	free(grp3);
}

/* Mutual information of a count table t[k * 2 + g], the textbook sum. */
static double mi_of(const double *t, size_t nk)
{
	double tot = 0, pg[2] = {0, 0}, mi = 0;

	for (size_t k = 0; k < nk; k++)
		for (int g = 0; g < 2; g++) {
			tot += t[2 * k + g];
			pg[g] += t[2 * k + g];
		}
	for (size_t k = 0; k < nk; k++) {
		double pk = (t[2 * k] + t[2 * k + 1]) / tot;
		for (int g = 0; g < 2; g++)
			if (t[2 * k + g] > 0)
				mi += t[2 * k + g] / tot * log(t[2 * k + g] / tot / (pk * pg[g] / tot));
	}
	return mi;
}

/* Categorical columns counted together, with columns that are not
 * features (a sensitive one, as in Adult) and a numeric one between them:
 * each column's mutual information is that of its own codes, in the order
 * of the columns. */
static void test_proxy_categorical_columns(void)
{
	enum { N = 4000 };
	static double num[N], w[N];
	static int32_t code[2 * N], grp[N];
	double t1[4][2] = {{0}}, t2[5][2] = {{0}};
	struct ft_dataset d;
	struct ft_encoder e;
	struct ft_column cols[5];
	char *names[5] = {"sex", "c1", "x", "y", "c2"};
	struct ft_proxy *px = NULL;
	size_t np = 0;
	struct ft_error err = {0};
	uint64_t r = 7;

	memset(cols, 0, sizeof cols);
	for (int c = 0; c < 5; c++) {
		cols[c].name = names[c];
		cols[c].type = c == 2 ? FT_NUMERIC : FT_CATEGORICAL;
	}
	cols[0].role = FT_ROLE_SENSITIVE;
	cols[0].n_cats = 2;
	cols[3].role = FT_ROLE_TARGET;
	cols[3].n_cats = 2;
	cols[1].n_cats = 3;           /* features 1 .. 3 */
	cols[1].offset = 1;
	cols[4].n_cats = 4;           /* features 4 .. 7 */
	cols[4].offset = 4;
	memset(&e, 0, sizeof e);
	e.n_cols = 5; e.cols = cols; e.n_features = 8; e.n_num = 1; e.n_cat = 2;
	e.n_groups = 2;
	for (int i = 0; i < N; i++) {
		int32_t k1, k2;
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		grp[i] = (r >> 33) % 11 == 0 ? -1 : (int32_t)((r >> 40) % 2);
		/* c1 leans on the group, c2 hardly; -1: unseen */
		k1 = grp[i] == 1 && (r >> 50) % 3 == 0 ? 2 : (int32_t)((r >> 20) % 3);
		k2 = (r >> 44) % 17 == 0 ? -1 : (int32_t)((r >> 24) % 4);
		code[2 * i] = 1 + k1;
		code[2 * i + 1] = k2 < 0 ? -1 : 4 + k2;
		num[i] = (double)((r >> 30) % 50);
		w[i] = 0.5 + (double)((r >> 56) % 4);
		if (grp[i] < 0)
			continue;
		t1[k1][grp[i]] += w[i];
		t2[k2 < 0 ? 4 : k2][grp[i]] += w[i];
	}
	memset(&d, 0, sizeof d);
	d.n = N; d.p = 8; d.n_num = 1; d.num = num; d.n_cat = 2; d.code = code;
	d.w = w; d.group = grp; d.n_groups = 2;
	T_CHECK(ft_proxy_report(&e, &d, &px, &np, &err) == 0);
	T_CHECK(np == 3);
	if (px && np == 3) {
		T_CHECK(!strcmp(px[0].column, "c1") && !strcmp(px[1].column, "x") &&
		        !strcmp(px[2].column, "c2"));
		T_NEAR(px[0].mi, mi_of(&t1[0][0], 4), 1e-12);
		T_NEAR(px[2].mi, mi_of(&t2[0][0], 5), 1e-12);
		T_CHECKF(px[0].mi > 10 * px[2].mi, "c1 %g, c2 %g", px[0].mi, px[2].mi);
	}
	free(px);
}

int main(void)
{
	T_RUN(test_radix_order_signed);
	T_RUN(test_decomposition_by_hand);
	T_RUN(test_decomposition_errors);
	T_RUN(test_proxy_perfect_and_independent);
	T_RUN(test_proxy_partial_by_hand);
	T_RUN(test_proxy_more_categories_than_rows);
	T_RUN(test_proxy_numeric_brute);
	T_RUN(test_proxy_distinct_same_bits);
	T_RUN(test_proxy_categorical_columns);
	return t_done();
}
