/*
 * dp_encode.c - encoder statistics that do not leak: standardization of
 * the numeric columns from public bounds, or from means and standard
 * deviations estimated under differential privacy, and the clipping that
 * makes the bounds true of every encoded value.
 *
 * Why.  ft_encoder_fit stores each numeric column's training mean and sd
 * in the model: functions of every row, released without noise.  A private
 * model must not be built on them (and its row-norm bound must hold), so:
 *  - ft_dp_encoder_bounds: mean = (lo + hi) / 2, sd = (hi - lo) / 2 from
 *    bounds the user knows without looking at the data ([lo, hi] maps to
 *    [-1, 1]); no budget;
 *  - ft_dp_encoder_private: each column's values clamped to [lo, hi] (a
 *    missing or non-numeric cell counts as the midpoint m, so that n, the
 *    table's rows, is public), then
 *      sum1 = sum_i x_i,            sensitivity hi - lo,
 *      sum2 = sum_i (x_i - m)^2,    sensitivity ((hi - lo) / 2)^2,
 *    under replacement of one row (one term changes, from anything in the
 *    range to anything in it), each released by the snapping mechanism
 *    (bound n times the largest term) with epsilon / (2 k) for k columns:
 *    epsilon in total by sequential composition.  mean = sum1 / n clamped
 *    to [lo, hi]; var = sum2 / n - (mean - m)^2, sd = max(sqrt(var), (hi -
 *    lo) / 1000) (post-processing);
 *  - ft_dp_clip_numeric: standardized values clipped to the bounds'
 *    image, so a value outside [lo, hi] in later data cannot break the
 *    norm bound the private training assumed.
 * The category lists and group names that ft_encoder_fit takes from the
 * data are not touched: they must be public (a data dictionary), which is
 * the user's to ensure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "data/data.h"
#include "core/dp.h"

/* The bounds of column `name`, or NULL. */
static const struct ft_dp_bounds *find(const struct ft_dp_bounds *b, size_t nb,
                                       const char *name)
{
	for (size_t k = 0; k < nb; k++)
		if (b[k].column && !strcmp(b[k].column, name))
			return &b[k];
	return NULL;
}

/* Every bound names a numeric feature column of e, has lo < hi finite, and
 * every numeric feature column has bounds. */
static int check(const struct ft_encoder *e, const struct ft_dp_bounds *b, size_t nb,
                 struct ft_error *err)
{
	for (size_t k = 0; k < nb; k++) {
		size_t c;
		if (!b[k].column)
			return ft_error_set(err, FT_EINVAL, "dp bounds %zu: no column name", k + 1);
		if (!(b[k].lo < b[k].hi) || !isfinite(b[k].lo) || !isfinite(b[k].hi))
			return ft_error_set(err, FT_EINVAL, "dp bounds of '%s': need finite lo < hi, "
			                    "not %g, %g", b[k].column, b[k].lo, b[k].hi);
		for (c = 0; c < e->n_cols; c++)
			if (!strcmp(e->cols[c].name, b[k].column))
				break;
		if (c == e->n_cols || e->cols[c].role != FT_ROLE_FEATURE ||
		    e->cols[c].type != FT_NUMERIC)
			return ft_error_set(err, FT_EINVAL, "dp bounds of '%s': not a numeric feature "
			                    "column", b[k].column);
	}
	for (size_t c = 0; c < e->n_cols; c++) {
		const struct ft_column *col = &e->cols[c];
		if (col->role == FT_ROLE_FEATURE && col->type == FT_NUMERIC &&
		    !find(b, nb, col->name))
			return ft_error_set(err, FT_EINVAL, "numeric column '%s' has no public "
			                    "bounds: its standardization would leak", col->name);
	}
	return 0;
}

void ft_dp_clamped_sums(const struct ft_table *t, size_t col, double lo, double hi,
                        double *s1, double *s2)
{
	double mid = 0.5 * (lo + hi);

	*s1 = *s2 = 0.0;
	for (size_t i = 0; i < t->n_rows; i++) {
		const char *cell = ft_table_cell(t, i, col);
		double x = mid;
		if (cell && ft_parse_double(cell, &x) == 0 && isfinite(x))
			x = x < lo ? lo : x > hi ? hi : x;
		else
			x = mid;
		*s1 += x;
		*s2 += (x - mid) * (x - mid);
	}
}

int ft_dp_encoder_bounds(struct ft_encoder *e, const struct ft_dp_bounds *b,
                         size_t nb, struct ft_error *err)
{
	int rc;

	if ((rc = check(e, b, nb, err)) != 0)
		return rc;
	for (size_t c = 0; c < e->n_cols; c++) {
		struct ft_column *col = &e->cols[c];
		const struct ft_dp_bounds *bd;
		if (col->role != FT_ROLE_FEATURE || col->type != FT_NUMERIC)
			continue;
		bd = find(b, nb, col->name);
		col->mean = 0.5 * (bd->lo + bd->hi);
		col->sd = 0.5 * (bd->hi - bd->lo);
	}
	return 0;
}

int ft_dp_encoder_private(struct ft_encoder *e, const struct ft_table *t,
                          const struct ft_dp_bounds *b, size_t nb, double epsilon,
                          struct ft_noise *ns, struct ft_budget *bud,
                          struct ft_error *err)
{
	size_t k = 0, n;
	double eps_each, *mean = NULL, *sd = NULL;
	int rc;

	if (!t || !e || !ns)
		return ft_error_set(err, FT_EINVAL, "dp encoder: no table, encoder or noise");
	if ((rc = check(e, b, nb, err)) != 0)
		return rc;
	if (!(epsilon > 0.0) || !isfinite(epsilon))
		return ft_error_set(err, FT_EINVAL, "dp encoder: epsilon must be > 0, not %g",
		                    epsilon);
	n = t->n_rows;
	if (n == 0)
		return ft_error_set(err, FT_EDATA, "dp encoder: the table has no rows");
	for (size_t c = 0; c < e->n_cols; c++)
		k += e->cols[c].role == FT_ROLE_FEATURE && e->cols[c].type == FT_NUMERIC;
	if (k == 0)
		return 0;
	eps_each = epsilon / (2.0 * (double)k);
	mean = calloc(e->n_cols, sizeof *mean);
	sd = calloc(e->n_cols, sizeof *sd);
	if (!mean || !sd) {
		rc = ft_error_set(err, FT_ENOMEM, "dp encoder: out of memory");
		goto done;
	}
	if (bud) {
		struct ft_budget trial = *bud;
		if ((rc = ft_budget_spend(&trial, FT_DP_ENCODER, "snapping", "numeric means and "
		                          "sds", epsilon, 0.0, err)) != 0)
			goto done;
	}
	for (size_t c = 0; c < e->n_cols; c++) {
		const struct ft_column *col = &e->cols[c];
		const struct ft_dp_bounds *bd;
		long tc;
		double lo, hi, mid, half, s1 = 0.0, s2 = 0.0, r1, r2, var;
		if (col->role != FT_ROLE_FEATURE || col->type != FT_NUMERIC)
			continue;
		bd = find(b, nb, col->name);
		lo = bd->lo;
		hi = bd->hi;
		mid = 0.5 * (lo + hi);
		half = 0.5 * (hi - lo);
		tc = ft_table_col(t, col->name);
		if (tc < 0) {
			rc = ft_error_set(err, FT_EINVAL, "dp encoder: %s has no column '%s'",
			                  t->path ? t->path : "the table", col->name);
			goto done;
		}
		ft_dp_clamped_sums(t, (size_t)tc, lo, hi, &s1, &s2);
		/* |s1| <= n max(|lo|, |hi|), 0 <= s2 <= n half^2 */
		if ((rc = ft_dp_snapping(ns, s1, hi - lo, eps_each,
		                         (double)n * fmax(fabs(lo), fabs(hi)), &r1, NULL, NULL,
		                         err)) != 0 ||
		    (rc = ft_dp_snapping(ns, s2, half * half, eps_each,
		                         (double)n * half * half, &r2, NULL, NULL, err)) != 0)
			goto done;
		mean[c] = fmin(fmax(r1 / (double)n, lo), hi);
		var = r2 / (double)n - (mean[c] - mid) * (mean[c] - mid);
		sd[c] = fmax(var > 0.0 ? sqrt(var) : 0.0, (hi - lo) / 1000.0);
	}
	for (size_t c = 0; c < e->n_cols; c++)
		if (e->cols[c].role == FT_ROLE_FEATURE && e->cols[c].type == FT_NUMERIC) {
			e->cols[c].mean = mean[c];
			e->cols[c].sd = sd[c];
		}
	if (bud) {
		ft_budget_spend(bud, FT_DP_ENCODER, "snapping", "numeric means and sds", epsilon,
		                0.0, NULL);
		bud->seeded |= ns->seeded;
	}
done:
	free(mean);
	free(sd);
	return rc;
}

int ft_dp_clip_numeric(const struct ft_encoder *e, struct ft_dataset *d,
                       const struct ft_dp_bounds *b, size_t nb, struct ft_error *err)
{
	size_t j = 0;
	int rc;

	if ((rc = check(e, b, nb, err)) != 0)
		return rc;
	/* numeric features are laid out in input column order (fairtrain.h) */
	for (size_t c = 0; c < e->n_cols && j < d->n_num; c++) {
		const struct ft_column *col = &e->cols[c];
		const struct ft_dp_bounds *bd;
		double lo, hi;
		if (col->role != FT_ROLE_FEATURE || col->type != FT_NUMERIC)
			continue;
		bd = find(b, nb, col->name);
		lo = (bd->lo - col->mean) / col->sd;
		hi = (bd->hi - col->mean) / col->sd;
		for (size_t i = 0; i < d->n; i++) {
			double *v = &d->num[i * d->n_num + col->offset];
			if (*v < lo)
				*v = lo;
			else if (*v > hi)
				*v = hi;
		}
		j++;
	}
	return 0;
}
