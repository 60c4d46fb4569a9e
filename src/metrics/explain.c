/*
 * explain.c - where a fairness gap comes from.
 *
 * ft_gap_decomposition: for a linear model the mean decision value of a
 * group is beta . mean(x | group) + b, so the gap between groups a and b
 * splits exactly into per-feature terms beta_j (mean x_j|a - mean x_j|b).
 * A large term on a feature that is not the sensitive attribute points at a
 * proxy or at a real difference between the groups in that feature.
 *
 * ft_proxy_report: how much each input column, alone, tells about group
 * membership: the mutual information I(column; group) in nats (numeric
 * columns cut at their training deciles), normalised by H(group) so that 1
 * means the column determines the group; and for two groups an AUC: of the
 * value itself for numeric columns, of the category's share of group 1 for
 * categorical ones (the best any ordering of the categories can do).
 *
 * The proxy report runs its columns on the OpenMP threads (a column's
 * counts are summed in row order on one thread, so the report is the same
 * bits for any thread count).  A numeric column is met in ascending order
 * a block of equal values at a time, from a table of its distinct values
 * when they are few enough, else from a sort of its rows: the same sums in
 * the same order either way.  Both read the encoded dataset; neither
 * trains anything.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/dist.h"
#include "core/internal.h"
#include "data/data.h"
#include "metrics/metrics.h"

/* Weighted per-group feature sums and weights over rows [lo, hi): part[g *
 * p + j] and part[ng * p + g] (ft_parallel_sum: the same bits for any
 * number of threads and ranks). */
struct gm_call {
	const struct ft_dataset *d;
	size_t ng;
};

static void gm_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct gm_call *a = ctx;
	const struct ft_dataset *d = a->d;
	size_t p = d->p;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		int32_t g = d->group[i];
		double w = d->w ? d->w[i] : 1.0, *mg;
		if (g < 0 || (size_t)g >= a->ng)
			continue;
		mg = part + (size_t)g * p;
		part[a->ng * p + (size_t)g] += w;
		for (size_t j = 0; j < d->n_num; j++)
			mg[j] += w * d->num[i * d->n_num + j];
		for (size_t c = 0; c < d->n_cat; c++) {
			int32_t k = d->code[i * d->n_cat + c];
			if (k >= 0)
				mg[k] += w;
		}
	}
}

/* Weighted per-group feature means: mean[g * p + j], then the weights. */
static int group_means(const struct ft_dataset *d, size_t ng, double **out,
                       double **wsum_out)
{
	size_t p = d->p;
	struct gm_call a = {d, ng};
	double *mean = calloc(ng * p + ng + 1, sizeof *mean);

	if (!mean || ft_parallel_sum(d->n, ng * p + ng, mean, gm_chunk, &a)) {
		free(mean);
		return FT_ENOMEM;
	}
	for (size_t g = 0; g < ng; g++)
		for (size_t j = 0; j < p && mean[ng * p + g] > 0; j++)
			mean[g * p + j] /= mean[ng * p + g];
	*out = mean;
	*wsum_out = mean + ng * p;
	return 0;
}

int ft_gap_decomposition(const struct ft_linear_model *m,
                         const struct ft_dataset *d, size_t a, size_t b,
                         double *contrib, double *gap, struct ft_error *err)
{
	double *mean = NULL, *ws = NULL;
	int rc;

	if (!d->group || a >= d->n_groups || b >= d->n_groups || a == b)
		return ft_error_set(err, FT_EINVAL, "gap decomposition needs two "
		                    "different groups of the data");
	if (m->n_groups > 0)
		return ft_error_set(err, FT_EINVAL, "gap decomposition: the model has one "
		                    "weight vector per group; there is no single beta to split");
	if (m->p != d->p)
		return ft_error_set(err, FT_EINVAL, "gap decomposition: model has %zu "
		                    "features, data %zu", m->p, d->p);
	rc = group_means(d, d->n_groups, &mean, &ws);
	if (rc)
		return ft_error_set(err, rc, "out of memory");
	if (!(ws[a] > 0) || !(ws[b] > 0)) {
		free(mean);
		return ft_error_set(err, FT_EDATA, "gap decomposition: a group has "
		                    "no rows");
	}
	*gap = 0;
	for (size_t j = 0; j < d->p; j++) {
		contrib[j] = m->coef[j] * (mean[a * d->p + j] - mean[b * d->p + j]);
		*gap += contrib[j];
	}
	free(mean);
	return 0;
}

/* Mutual information of a joint weighted count table t[k * ng + g]. */
static double mutual_info(const double *t, size_t nk, size_t ng, double *hg)
{
	double tot = 0, mi = 0, *pk = calloc(nk, sizeof *pk), *pg = calloc(ng, sizeof *pg);

	if (!pk || !pg) {
		free(pk);
		free(pg);
		return NAN;
	}
	for (size_t k = 0; k < nk; k++)
		for (size_t g = 0; g < ng; g++) {
			pk[k] += t[k * ng + g];
			pg[g] += t[k * ng + g];
			tot += t[k * ng + g];
		}
	*hg = 0;
	for (size_t g = 0; g < ng; g++)
		if (pg[g] > 0)
			*hg -= pg[g] / tot * log(pg[g] / tot);
	for (size_t k = 0; k < nk; k++)
		for (size_t g = 0; g < ng; g++) {
			double pkg = t[k * ng + g] / tot;
			if (pkg > 0)
				mi += pkg * log(pkg * tot * tot / (pk[k] * pg[g]));
		}
	free(pk);
	free(pg);
	return mi;
}

/* Weighted AUC of score for label (group == 1) against (group == 0), ties
 * 1/2, by sorting: the probability that a random member of group 1 scores
 * above a random member of group 0. */
struct sv { double s, w; int pos; };
static int by_score(const void *x, const void *y)
{
	double a = ((const struct sv *)x)->s, b = ((const struct sv *)y)->s;
	return (a > b) - (a < b);
}

/* The AUC of scores met in ascending order, a block of ties at a time:
 * tie adds a block's weights of group 1 (tp) and of the others (tn). */
struct auc_acc { double wp, wn, acc, neg_below; };

static void auc_tie(struct auc_acc *a, double tp, double tn)
{
	a->acc += tp * (a->neg_below + 0.5 * tn);
	a->neg_below += tn;
	a->wp += tp;
	a->wn += tn;
}

static struct ft_value auc_end(const struct auc_acc *a)
{
	double wp = a->wp, wn = a->wn, acc = a->acc;
	struct ft_value r = {NAN, NULL};

	if (!(wp > 0) || !(wn > 0)) {
		r.why = "a group has no rows";
		return r;
	}
	r.value = acc / (wp * wn);
	if (r.value < 0.5)
		r.value = 1 - r.value;
	return r;
}

/* v sorted by score. */
static struct ft_value auc2(const struct sv *v, size_t n)
{
	struct auc_acc a = {0, 0, 0, 0};

	for (size_t i = 0; i < n;) {
		size_t e = i;
		double tp = 0, tn = 0;
		while (e < n && v[e].s == v[i].s) {
			if (v[e].pos)
				tp += v[e].w;
			else
				tn += v[e].w;
			e++;
		}
		auc_tie(&a, tp, tn);
		i = e;
	}
	return auc_end(&a);
}

/* The same AUC from a table of categories: t[k * 2 + g] weights, each
 * category scored by its share of group 1, so one sort of the k categories
 * replaces a sort of the rows. */
static struct ft_value auc_table(const double *t, size_t nk, struct sv *v)
{
	size_t m = 0;

	for (size_t k = 0; k < nk; k++) {
		double s = t[2 * k] + t[2 * k + 1];
		if (!(s > 0))
			continue;
		/* one entry per (category, group): score = share, weight = count */
		v[m++] = (struct sv){t[2 * k + 1] / s, t[2 * k], 0};
		v[m++] = (struct sv){t[2 * k + 1] / s, t[2 * k + 1], 1};
	}
	qsort(v, m, sizeof *v, by_score);
	return auc2(v, m);
}

/* Per-thread scratch of the proxy report. */
struct proxy_work {
	struct sv *v;        /* nv: (share, weight, group 1) per category and group */
	double *t;           /* the count table */
	size_t m;            /* rows with a group */
	int unit;            /* each of them weighs 1 */
	double *bw;          /* ng: a block's weights by group */
	uint32_t *touched;   /* ng: the groups met in the block */
	uint8_t *mark;       /* ng: group met in the block */
};

/* A numeric column's deciles and AUC, its values met in ascending order a
 * block of equal values at a time: the block's rows with a group (c) and
 * their weights by group (bw, each summed in row order).  The two ways of
 * meeting them (proxy_distinct and the sort in proxy_column) make the same
 * calls with the same sums, so they give the same bits. */
struct num_acc {
	struct auc_acc a;
	double *t;           /* 10 x ng decile table */
	size_t ng, seen, nq; /* groups, rows so far, deciles below the next block */
	size_t qat[9];       /* the ranks of the nine decile values */
};

/* The block of c rows whose weights by group are bw (the groups in
 * touched[0 .. nt), or every group when touched is NULL: the others hold
 * 0). */
static void num_block(struct num_acc *s, size_t c, const double *bw, const uint32_t *touched,
                      size_t nt)
{
	/* the decile of the block's value: the number of deciles (the values
	 * at ranks qat) below it; those at the value itself or later are not */
	double *t = s->t + s->nq * s->ng, tp = 0, tn = 0;
	size_t ng = s->ng, k = touched ? nt : ng;

	for (size_t j = 0; j < k; j++) {
		size_t g = touched ? touched[j] : j;
		t[g] += bw[g];
		/* the AUC is of group 1 against group 0 (only two groups
		 * report one) */
		if (g == 1)
			tp = bw[g];
		else if (g == 0)
			tn = bw[g];
	}
	auc_tie(&s->a, tp, tn);
	s->seen += c;
	while (s->nq < 9 && s->qat[s->nq] < s->seen)
		s->nq++;
}

/* Distinct values a numeric column may have for proxy_distinct: a table of
 * that many is at most 2 MiB a slot cell (4 MiB without weights and two
 * groups), within the last-level cache's reach. */
#define DISTINCT_MAX ((size_t)1 << 17)
size_t ft_proxy_distinct_max = DISTINCT_MAX;
/* rows of a column's first sixteenth below which the table does not
 * judge the column by them */
#define LOOK_MIN 1024
/* rows ahead whose slots are fetched */
#define PROBE_AHEAD 16

/* The first slot of value x (-0 made +0 by the caller) among 1 << lg
 * (Fibonacci hashing of its bits). */
static size_t slot_of(double x, size_t lg)
{
	uint64_t bits;

	memcpy(&bits, &x, sizeof bits);
	return (size_t)((bits * 0x9E3779B97F4A7C15ull) >> (64 - lg));
}

/* A slot of proxy_distinct's table is ew cells: a value's bits (EMPTY_SLOT
 * when none), then its sums.  Without weights they are its rows by group,
 * two uint32 counts a cell (the same numbers as sums of 1.0 in row order:
 * integers below 2^53 are exact); with weights, or with 2^32 rows or more
 * (a count could overflow), its rows, then its weight by group summed in
 * row order. */
union pcell { uint64_t u; double d; uint32_t c[2]; };
/* a NaN's bits: no value in the table is a NaN */
#define EMPTY_SLOT UINT64_MAX

/* The slot of value x among the 1 << lg slots of tab (ew cells each), or
 * the empty slot where it goes. */
static union pcell *probe(union pcell *tab, size_t ew, size_t lg, double x)
{
	uint64_t bits;
	size_t h = slot_of(x, lg), mask = ((size_t)1 << lg) - 1;

	memcpy(&bits, &x, sizeof bits);
	for (;; h = (h + 1) & mask) {
		union pcell *sl = tab + h * ew;
		if (sl->u == bits || sl->u == EMPTY_SLOT)
			return sl;
	}
}

/* A table of 1 << lg empty slots of ew cells, or NULL. */
static union pcell *slots_new(size_t lg, size_t ew)
{
	size_t cap = (size_t)1 << lg;
	union pcell *tab = malloc(cap * ew * sizeof *tab);

	for (size_t h = 0; tab && h < cap; h++)
		tab[h * ew].u = EMPTY_SLOT;
	return tab;
}

/* The column's blocks from a table of its distinct values, counted in one
 * pass over the rows in row order, then one sort of the distinct values.
 * Ages, counts, hours and decimals of a few digits have far fewer values
 * than rows: on the 750,000 rows of `make bench`'s wide file (values of
 * four decimals, about 56,000 of them a column) the sort of the rows
 * (below) cost about 35 ns a row on one thread, the table about 12.  The
 * value and its sums share a slot of the open-addressing table, so a row
 * touches one place in it (fetched ahead).  At most half the slots are
 * taken: at a quarter the report took 6% less time on warm memory but 5%
 * more where its tables are fresh pages, as in a run (ft_mem_trim before
 * it).
 *
 * 1, with s as it was (the caller sorts the rows), for a NaN, and for a
 * column that repeats too little for the table:
 *   - nearly all (19 in 20) of the first sixteenth's rows with a group are
 *     values of their own (a continuous column: the sixteenth's pass is
 *     what it costs), when that sixteenth is LOOK_MIN rows or more;
 *   - more than min(ft_proxy_distinct_max, 9 n / (5 (2 + ng))) values:
 *     9/20 of the rows with two groups, where the table's pass and the
 *     sort of its values cost about what the sort of the rows does, less
 *     with more groups, whose sums make a slot larger (at the bound, with
 *     the table half full: 14 bytes a row with two groups, at most 17
 *     with more, 29 with weights; twice that just after it doubles).
 * Random samples of the bench file's training rows (`sub.c` of issue 20's
 * notes; 2 threads, the least of 5 calls on fresh pages), with the rule
 * this replaced (the bound n / (2 (2 + ng)), no look at the first rows):
 * 200,000 rows 60-66 ms against 79-89 (45,000 values a column: now by
 * the table), 100,000 rows 47-52 against 47-51, 50,000 rows 23-25 against
 * 26-27, 25,000 rows 11-12 against 12-13 (both by the sort).  A column whose
 * first sixteenth repeats and whose whole does not is the worst case: the
 * pass is given up at the bound, up to 9/20 of it spent.  unit: every row
 * with a group weighs 1 (or the data set has no weights). */
static int proxy_distinct(const struct ft_dataset *d, const double *xs, size_t xst,
                          int unit, struct num_acc *s)
{
	size_t ng = d->n_groups, n = d->n, nd = 0, lg = 9;   /* 1 << lg slots */
	size_t most = n / (2 + ng) / 5 * 9, look = n / 16 >= LOOK_MIN ? n / 16 : 0, seen = 0;
	int wt = !unit || n > UINT32_MAX;
	size_t ew = wt ? 2 + ng : 1 + (ng + 1) / 2;
	union pcell *tab = slots_new(lg, ew);
	double *val = NULL, *bw = malloc(ng * sizeof *bw);
	uint64_t *key = NULL;
	int rc = FT_ENOMEM;

	if (most > ft_proxy_distinct_max)
		most = ft_proxy_distinct_max;
	if (!tab || !bw)
		goto done;
	for (size_t i = 0; i < n; i++) {
		int32_t g = d->group[i];
		double x = xs[i * xst] + 0.0;   /* -0 and +0: one value */
		union pcell *sl;
		/* fetch ahead the slot of a row PROBE_AHEAD rows on */
		if (i + PROBE_AHEAD < n)
			__builtin_prefetch(&tab[slot_of(xs[(i + PROBE_AHEAD) * xst] + 0.0, lg) * ew]);
		if (g < 0)
			continue;
		if (x != x) {
			rc = 1;
			goto done;
		}
		/* the first sixteenth's rows nearly all of their own value: a
		 * column that will not repeat enough for the table */
		if (++seen == look && nd >= seen - seen / 20) {
			rc = 1;
			goto done;
		}
		if (2 * (nd + 1) > (size_t)1 << lg) {
			/* at most half the slots taken: twice as many */
			union pcell *nt = slots_new(lg + 1, ew);
			if (!nt)
				goto done;
			for (size_t h = 0; h < (size_t)1 << lg; h++)
				if (tab[h * ew].u != EMPTY_SLOT)
					memcpy(probe(nt, ew, lg + 1, tab[h * ew].d), tab + h * ew,
					       ew * sizeof *tab);
			free(tab);
			tab = nt;
			lg++;
		}
		sl = probe(tab, ew, lg, x);
		if (sl->u == EMPTY_SLOT) {
			if (nd == most) {
				rc = 1;
				goto done;
			}
			sl->d = x;
			for (size_t j = 1; j < ew; j++)
				sl[j].u = 0;
			nd++;
		}
		if (wt) {
			sl[1].u++;
			sl[2 + g].d += d->w ? d->w[i] : 1.0;
		} else {
			sl[1 + g / 2].c[g % 2]++;
		}
	}
	/* the values ascending (they are distinct: the order is theirs) */
	if (nd && !(val = malloc(nd * sizeof *val)))
		goto done;
	for (size_t h = 0, k = 0; k < nd; h++)
		if (tab[h * ew].u != EMPTY_SLOT) {
			memmove(tab + k * ew, tab + h * ew, ew * sizeof *tab);
			val[k++] = tab[h * ew].d;
		}
	if (nd && ft_score_sort_keys(val, 1, nd, &key))
		goto done;
	for (size_t r = 0; r < nd; r++) {
		union pcell *sl = tab + (uint32_t)key[r] * ew;
		size_t c = 0;
		for (size_t g = 0; g < ng; g++) {
			if (wt) {
				bw[g] = sl[2 + g].d;
			} else {
				bw[g] = sl[1 + g / 2].c[g % 2];
				c += sl[1 + g / 2].c[g % 2];
			}
		}
		num_block(s, wt ? (size_t)sl[1].u : c, bw, NULL, 0);
	}
	rc = 0;
done:
	free(tab);
	free(val);
	free(bw);
	free(key);
	return rc;
}

/* num_block of the sort's block of c rows (its sums in wk, its groups
 * wk->touched[0 .. nt)), which then holds none. */
static void sorted_block(struct num_acc *s, size_t c, struct proxy_work *wk, size_t nt)
{
	num_block(s, c, wk->bw, wk->touched, nt);
	for (size_t j = 0; j < nt; j++) {
		wk->bw[wk->touched[j]] = 0;
		wk->mark[wk->touched[j]] = 0;
	}
}

/* The report of column col (its categorical block cc) into *px. */
static int proxy_column(const struct ft_dataset *d, const struct ft_column *col, size_t cc,
                        struct proxy_work *wk, struct ft_proxy *px)
{
	size_t ng = d->n_groups, n = d->n, nk;
	double hg = 0, *t;
	/* a numeric column's values, read in place (stride n_num) */
	const double *xs = col->type == FT_NUMERIC ? d->num + col->offset : NULL;
	size_t xst = d->n_num;
	struct ft_value auc = {NAN, NULL};

	free(wk->t);
	wk->t = NULL;
	if (col->type == FT_NUMERIC) {
		struct num_acc s;
		int rc;
		nk = 10;
		if (!(t = wk->t = calloc(nk * ng, sizeof *t)))
			return FT_ENOMEM;
		memset(&s, 0, sizeof s);
		s.t = t;
		s.ng = ng;
		for (int k = 0; k < 9; k++)
			s.qat[k] = (size_t)((k + 1) * (double)wk->m / 10.0 - 1e-9);
		if ((rc = proxy_distinct(d, xs, xst, wk->unit, &s)) < 0)
			return rc;
		if (rc) {
			/* one (radix) sort of the values gives the blocks in
			 * order, read in that order (the values in place: the
			 * sort's items alone are 8 bytes a row, where an order
			 * and the sorted values would be 12) */
			uint64_t *key = NULL;
			double last = 0;
			size_t c = 0, nt = 0;
			if (ft_score_sort_keys(xs, xst, n, &key))
				return FT_ENOMEM;
			for (size_t r = 0; r < n; r++) {
				size_t i = (uint32_t)key[r];
				double x;
				int32_t g;
				/* the rows come in random order: fetch ahead */
				if (r + FT_EVAL_AHEAD < n) {
					size_t f = (uint32_t)key[r + FT_EVAL_AHEAD];
					__builtin_prefetch(&xs[f * xst]);
					__builtin_prefetch(&d->group[f]);
					if (d->w)
						__builtin_prefetch(&d->w[f]);
				}
				if ((g = d->group[i]) < 0)
					continue;
				x = xs[i * xst];
				if (c && x != last) {
					sorted_block(&s, c, wk, nt);
					c = nt = 0;
				}
				if (!wk->mark[g]) {
					wk->mark[g] = 1;
					wk->touched[nt++] = (uint32_t)g;
				}
				wk->bw[g] += d->w ? d->w[i] : 1.0;
				last = x;
				c++;
			}
			free(key);
			if (c)
				sorted_block(&s, c, wk, nt);
		}
		auc = auc_end(&s.a);
	} else {
		nk = col->n_cats + 1;   /* + unseen / missing */
		if (!(t = wk->t = calloc(nk * ng, sizeof *t)))
			return FT_ENOMEM;
		/* counts in row order, whatever the thread */
		for (size_t i = 0; i < n; i++) {
			int32_t g = d->group[i], code = d->code[i * d->n_cat + cc];
			if (g >= 0)
				t[(code < 0 ? col->n_cats : (size_t)code - col->offset) * ng + (size_t)g] +=
					d->w ? d->w[i] : 1.0;
		}
	}
	px->column = col->name;
	px->mi = mutual_info(t, nk, ng, &hg);
	px->nmi = hg > 0 ? px->mi / hg : NAN;
	px->auc.value = NAN;
	px->auc.why = "more than two groups";
	if (ng == 2)
		px->auc = col->type == FT_NUMERIC ? auc : auc_table(t, nk, wk->v);
	return 0;
}

/* Columns on threads: each column's numbers are its own (counts in row
 * order, or in the order of its one stable sort), so the report is the
 * same for any thread count. */
int ft_proxy_report(const struct ft_encoder *e, const struct ft_dataset *d,
                    struct ft_proxy **out, size_t *n_out, struct ft_error *err)
{
	size_t ng = d->n_groups, n = d->n, nf = 0, nv = 1, m = 0;
	struct ft_proxy *px = NULL;
	size_t *col_of = NULL, *cc_of = NULL;
	struct ft_dataset all;
	int rc = 0, gathered = 0, unit = 1;

	*out = NULL;
	*n_out = 0;
	if (!d->group || ng < 2)
		return ft_error_set(err, FT_EINVAL, "proxy report needs a sensitive "
		                    "attribute with at least two groups");
	/* a distributed data set: every rank's rows on every rank, in global
	 * order, so that the counts (in row order) and sorts are those of one
	 * process, bit for bit */
	if (ft_dist_rows_here(n)) {
		if ((rc = ft_dataset_gather(d, &all)))
			goto done;
		gathered = 1;
		d = &all;
		n = all.n;
	}
	/* v holds two entries per category (auc_table: one per category and
	 * group) of the largest categorical column */
	for (size_t c = 0; c < e->n_cols; c++) {
		int feat = ft_column_is_feature(e, &e->cols[c]);
		nf += feat;
		if (feat && e->cols[c].type == FT_CATEGORICAL &&
		    2 * (e->cols[c].n_cats + 1) > nv)
			nv = 2 * (e->cols[c].n_cats + 1);
	}
	for (size_t i = 0; i < n; i++)
		if (d->group[i] >= 0) {
			m++;
			unit &= !d->w || d->w[i] == 1.0;
		}
	px = calloc(nf ? nf : 1, sizeof *px);
	col_of = malloc((nf ? nf : 1) * sizeof *col_of);
	cc_of = malloc((nf ? nf : 1) * sizeof *cc_of);
	if (!px || !col_of || !cc_of) {
		rc = FT_ENOMEM;
		goto done;
	}
	/* feature column k: its column and its categorical block */
	for (size_t c = 0, k = 0, cc = 0; c < e->n_cols; c++) {
		if (!ft_column_is_feature(e, &e->cols[c]))
			continue;
		col_of[k] = c;
		cc_of[k++] = cc;
		cc += e->cols[c].type == FT_CATEGORICAL;
	}
	#pragma omp parallel if (ft_parallel_worth(n * nf))
	{
		struct proxy_work wk = {malloc(nv * sizeof(struct sv)), NULL, m, unit,
		                        calloc(ng, sizeof(double)), malloc(ng * sizeof(uint32_t)),
		                        calloc(ng, 1)};
		int my_rc = wk.v && wk.bw && wk.touched && wk.mark ? 0 : FT_ENOMEM;

		#pragma omp for schedule(dynamic, 1)
		for (size_t k = 0; k < nf; k++)
			if (!my_rc)
				my_rc = proxy_column(d, &e->cols[col_of[k]], cc_of[k], &wk, &px[k]);
		if (my_rc) {
			#pragma omp atomic write
			rc = my_rc;
		}
		free(wk.v);
		free(wk.t);
		free(wk.bw);
		free(wk.touched);
		free(wk.mark);
	}
	if (rc)
		goto done;
	*out = px;
	*n_out = nf;
	px = NULL;
done:
	free(px);
	free(col_of);
	free(cc_of);
	if (gathered)
		ft_dataset_gathered_free(&all);
	return rc ? ft_error_set(err, rc, "out of memory") : 0;
}
