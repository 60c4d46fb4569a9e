/*
 * split.c - stratified splits of a raw table: one train/test split
 * (ft_table_split) and k folds for cross-validation (ft_table_kfold).
 *
 * Rows are grouped into strata by (target value after label_strip, group
 * key = sensitive values joined with "&"); a missing target or sensitive
 * value is a stratum value of its own, so such rows are split too (the
 * encoder drops them later).  Within each stratum, in order of first
 * appearance, the rows (in file order) are shuffled by Fisher-Yates with one
 * struct ft_rng seeded by `seed` (for i = n..2: swap positions i-1 and
 * ft_rng_below(i)).  A split sends the first round(test_frac * n) rows of
 * each shuffled stratum to the test part; k folds deal each shuffled stratum
 * to the folds in turn (scikit-learn's StratifiedKFold balances the same
 * way: per-stratum fold counts differ by at most one).  Parts keep the
 * original row order.  The same table, spec and seed always give the same
 * split, on every platform.
 *
 * It does not encode anything: the parts are tables, so the encoder is fitted
 * on the training part alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "data/data.h"

/* The rows of t grouped by stratum: rows order[start[k] .. start[k+1]) form
 * stratum k (k < *n_strata), each in file order.  *start and *order are
 * malloc'ed (the caller frees them) and NULL on failure. */
static int strata_of(const struct ft_table *t, const struct ft_spec *s,
                     size_t *n_strata, size_t **start_out, size_t **order_out,
                     struct ft_error *err)
{
	struct ft_strmap strata, labels, groups;
	long tcol = -1, *scol = NULL, *gkey = NULL;
	uint32_t *label = NULL;
	size_t *stratum = NULL, *start = NULL, *fill = NULL, *order = NULL;
	size_t n = t->n_rows, n_sens = s ? s->n_sensitive : 0;
	int rc = 0;

	*start_out = *order_out = NULL;
	*n_strata = 0;
	memset(&strata, 0, sizeof strata);
	memset(&labels, 0, sizeof labels);
	memset(&groups, 0, sizeof groups);
	for (size_t k = 0; k < n_sens; k++)
		if (!s->sensitive || !s->sensitive[k]) {
			rc = ft_error_set(err, FT_EINVAL,
			                  "%s: sensitive column names missing", t->path);
			goto done;
		}
	scol = malloc((n_sens ? n_sens : 1) * sizeof *scol);
	if (!scol)
		goto nomem;
	if (s && s->target && (tcol = ft_table_col(t, s->target)) < 0) {
		rc = ft_no_column(t, "", s->target, FT_EINVAL, err);
		goto done;
	}
	for (size_t k = 0; k < n_sens; k++)
		if ((scol[k] = ft_table_col(t, s->sensitive[k])) < 0) {
			rc = ft_no_column(t, "", s->sensitive[k], FT_EINVAL, err);
			goto done;
		}

	/* Stratum of every row: the pair (label, group key), a missing target
	 * or sensitive value being a value of its own, numbered in order of
	 * first appearance.  Labels are stripped once per distinct target
	 * value (label[id] numbers the stripped texts) and group keys are
	 * interned once per distinct combination (ft_group_ids), so a row
	 * costs one hash of its two numbers, UINT32_MAX standing for
	 * missing. */
	stratum = malloc((n ? n : 1) * sizeof *stratum);
	gkey = malloc((n ? n : 1) * sizeof *gkey);
	if (!stratum || !gkey || ft_strmap_init(&strata) != 0 ||
	    ft_strmap_init(&labels) != 0 || ft_strmap_init(&groups) != 0 ||
	    ft_group_ids(t, scol, n_sens, NULL, gkey, &groups) != 0)
		goto nomem;
	if (tcol >= 0) {
		const struct ft_values *v = &t->vals[tcol];
		label = malloc((v->n ? v->n : 1) * sizeof *label);
		if (!label)
			goto nomem;
		for (size_t id = 0; id < v->n; id++) {
			long c = ft_strmap_put(&labels, v->str[id],
			                       ft_label_len(v->str[id], s->label_strip),
			                       NULL);
			if (c < 0)
				goto nomem;
			label[id] = (uint32_t)c;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t pair[2] = { 0, UINT32_MAX }, id;
		long k;

		if (tcol >= 0) {
			id = t->cell[i * t->n_cols + (size_t)tcol];
			pair[0] = id == FT_MISSING ? UINT32_MAX : label[id];
		}
		if (gkey[i] >= 0)
			pair[1] = (uint32_t)gkey[i];
		if ((k = ft_strmap_put(&strata, (const char *)pair, sizeof pair,
		                       NULL)) < 0)
			goto nomem;
		stratum[i] = (size_t)k;
	}

	/* Rows of each stratum, contiguous and in original order (a counting
	 * sort by stratum id). */
	start = calloc(strata.n + 1, sizeof *start);
	fill = calloc(strata.n + 1, sizeof *fill);
	order = malloc((n ? n : 1) * sizeof *order);
	if (!start || !fill || !order)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		start[stratum[i] + 1]++;
	for (size_t k = 0; k < strata.n; k++)
		start[k + 1] += start[k];
	for (size_t i = 0; i < n; i++)
		order[start[stratum[i]] + fill[stratum[i]]++] = i;
	*n_strata = strata.n;
	*start_out = start;
	*order_out = order;
	start = order = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	ft_strmap_free(&strata);
	ft_strmap_free(&labels);
	ft_strmap_free(&groups);
	free(scol);
	free(label);
	free(gkey);
	free(stratum);
	free(start);
	free(fill);
	free(order);
	return rc;
}

/* Durstenfeld's Fisher-Yates over r[0..m), from the last position down. */
static void shuffle(struct ft_rng *rng, size_t *r, size_t m)
{
	for (size_t i = m; i > 1; i--) {
		size_t j = (size_t)ft_rng_below(rng, i), x = r[i - 1];
		r[i - 1] = r[j];
		r[j] = x;
	}
}

/* Uses s->target (may be NULL: groups only), s->label_strip and
 * s->sensitive.  FT_EINVAL for a fraction outside (0, 1) or an unknown
 * column, FT_EDATA when a part would be empty; on failure both outputs are
 * NULL. */
int ft_table_split(const struct ft_table *t, const struct ft_spec *s,
                   double test_frac, uint64_t seed, struct ft_table **train,
                   struct ft_table **test, struct ft_error *err)
{
	struct ft_rng rng;
	size_t *start = NULL, *order = NULL, n_strata = 0;
	size_t *rows_tr = NULL, *rows_te = NULL, n_tr = 0, n_te = 0;
	size_t n = t->n_rows;
	unsigned char *in_test = NULL;
	struct ft_table *a = NULL, *b = NULL;
	int rc = 0;

	*train = *test = NULL;
	if (!(test_frac > 0 && test_frac < 1)) {
		rc = ft_error_set(err, FT_EINVAL,
		                  "%s: test fraction %g is not in (0, 1)", t->path,
		                  test_frac);
		goto done;
	}
	if ((rc = strata_of(t, s, &n_strata, &start, &order, err)))
		goto done;
	in_test = calloc(n ? n : 1, 1);
	if (!in_test)
		goto nomem;
	ft_rng_seed(&rng, seed);
	for (size_t k = 0; k < n_strata; k++) {
		size_t *r = order + start[k], m = start[k + 1] - start[k];
		size_t n_test = (size_t)floor(test_frac * (double)m + 0.5);
		/* the first n_test rows of the shuffled stratum go to test */
		shuffle(&rng, r, m);
		for (size_t i = 0; i < n_test; i++)
			in_test[r[i]] = 1;
	}
	for (size_t i = 0; i < n; i++)
		n_te += in_test[i];
	n_tr = n - n_te;
	if (n_tr == 0 || n_te == 0) {
		rc = ft_error_set(err, FT_EDATA,
		                  "%s: a test fraction of %g leaves the %s part empty (%zu rows)",
		                  t->path, test_frac, n_tr == 0 ? "training" : "test", n);
		goto done;
	}
	rows_tr = malloc(n_tr * sizeof *rows_tr);
	rows_te = malloc(n_te * sizeof *rows_te);
	if (!rows_tr || !rows_te)
		goto nomem;
	n_tr = n_te = 0;
	for (size_t i = 0; i < n; i++) {
		if (in_test[i])
			rows_te[n_te++] = i;
		else
			rows_tr[n_tr++] = i;
	}
	if ((rc = ft_table_subset(t, rows_tr, n_tr, &a, err)) ||
	    (rc = ft_table_subset(t, rows_te, n_te, &b, err)))
		goto done;
	*train = a;
	*test = b;
	a = b = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	ft_table_free(a);
	ft_table_free(b);
	free(start);
	free(order);
	free(in_test);
	free(rows_tr);
	free(rows_te);
	return rc;
}

/* Contract in fairtrain.h.  The deal of stratum j starts at the fold after
 * the one that took the last row of stratum j-1, so that small strata do
 * not all pile their extra row onto fold 0 and the fold sizes differ by at
 * most one in total as well as within each stratum. */
int ft_table_kfold(const struct ft_table *t, const struct ft_spec *s,
                   size_t k, uint64_t seed, uint32_t *fold,
                   struct ft_error *err)
{
	struct ft_rng rng;
	size_t *start = NULL, *order = NULL, n_strata = 0, next = 0;
	int rc;

	if (k < 2 || k > UINT32_MAX)
		return ft_error_set(err, FT_EINVAL, "%s: %zu folds: need at least 2",
		                    t->path, k);
	if (k > t->n_rows)
		return ft_error_set(err, FT_EDATA, "%s: %zu folds of %zu rows leave a "
		                    "fold empty", t->path, k, t->n_rows);
	if ((rc = strata_of(t, s, &n_strata, &start, &order, err)))
		return rc;
	ft_rng_seed(&rng, seed);
	for (size_t j = 0; j < n_strata; j++) {
		size_t *r = order + start[j], m = start[j + 1] - start[j];
		shuffle(&rng, r, m);
		for (size_t i = 0; i < m; i++) {
			fold[r[i]] = (uint32_t)next;
			next = (next + 1) % k;
		}
	}
	free(start);
	free(order);
	return 0;
}
