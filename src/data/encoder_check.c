/*
 * encoder_check.c - the rules of a learned encoder (struct ft_encoder),
 * stated once: which columns are features, and whether an encoder is whole
 * and consistent (roles and types known, statistics finite, categories
 * sorted and unique, and the feature layout fairtrain.h promises: numeric
 * feature columns first in input order, then one one-hot block per
 * categorical feature column).  The encoder (encode.c) builds encoders that
 * keep them; the model-file reader (src/io) asks these functions instead of
 * restating them.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "data/data.h"

static const int N_ROLES = FT_ROLE_DROP + 1, N_TYPES = FT_CATEGORICAL + 1,
                 N_POLICIES = FT_MISSING_IMPUTE + 1;

int ft_column_is_feature(const struct ft_encoder *e, const struct ft_column *c)
{
	return c->role == FT_ROLE_FEATURE ||
	       (c->role == FT_ROLE_SENSITIVE && e->use_sensitive);
}

long ft_encoder_find_col(const struct ft_encoder *e, const char *name, int role)
{
	for (size_t i = 0; i < e->n_cols; i++)
		if (e->cols[i].role == role && e->cols[i].name &&
		    strcmp(e->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

__attribute__((format(printf, 4, 5)))
static int bad(char *why, size_t n, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return code;
}

static const char *nonfinite_word(double x)
{
	return isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
}


/* n non-NULL strings (v may be NULL only when n == 0). */
int ft_strv_ok(char *const *v, size_t n)
{
	size_t i;

	if (n && !v)
		return 0;
	for (i = 0; i < n; i++)
		if (!v[i])
			return 0;
	return 1;
}

/* n non-NULL strings in strictly increasing strcmp order. */
static int strv_sorted(char *const *v, size_t n)
{
	size_t i;

	if (!ft_strv_ok(v, n))
		return 0;
	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1], v[i]) >= 0)
			return 0;
	return 1;
}

/* Check one column: roles and types known, statistics finite, categories
 * sorted and unique, the imputation index in range. */
static int check_column(const struct ft_encoder *e, size_t i, char *why,
                        size_t n)
{
	const struct ft_column *c = &e->cols[i];

	if (!c->name)
		return bad(why, n, FT_EINVAL, "column %zu has no name", i);
	if (c->role < 0 || c->role >= N_ROLES)
		return bad(why, n, FT_EINVAL, "column '%s' has role %d", c->name,
		           c->role);
	if (c->type < 0 || c->type >= N_TYPES)
		return bad(why, n, FT_EINVAL, "column '%s' has type %d", c->name,
		           c->type);
	if (c->impute_cat < -1)
		return bad(why, n, FT_EINVAL, "column '%s': impute_cat %ld is "
		           "below -1", c->name, c->impute_cat);
	if (!isfinite(c->mean))
		return bad(why, n, FT_ENUMERIC, "column '%s' mean is %s", c->name,
		           nonfinite_word(c->mean));
	if (!isfinite(c->sd))
		return bad(why, n, FT_ENUMERIC, "column '%s' sd is %s", c->name,
		           nonfinite_word(c->sd));
	if (c->type == FT_NUMERIC) {
		if (c->n_cats)
			return bad(why, n, FT_EINVAL,
			           "numeric column '%s' has categories", c->name);
		if (ft_column_is_feature(e, c) && !(c->sd > 0))
			return bad(why, n, FT_EINVAL,
			           "numeric feature '%s' has sd %g (must be > 0)",
			           c->name, c->sd);
		return 0;
	}
	if (!strv_sorted(c->cats, c->n_cats))
		return bad(why, n, FT_EINVAL, "column '%s': categories are not "
		           "distinct strings in sorted order", c->name);
	if (c->impute_cat >= 0 && (size_t)c->impute_cat >= c->n_cats)
		return bad(why, n, FT_EINVAL, "column '%s': impute_cat %ld is "
		           "out of range (%zu categories)", c->name, c->impute_cat,
		           c->n_cats);
	return 0;
}

/* The feature layout promised by fairtrain.h: numeric feature columns take
 * indices 0 .. n_num-1 in input order, then each categorical feature column
 * takes one block of n_cats indices, in input order, ending at n_features.
 * Checking it exactly guarantees that applying the encoder never indexes
 * outside the coefficient vector. */
static int check_layout(const struct ft_encoder *e, char *why, size_t n)
{
	size_t i, next_num = 0, next_cat = e->n_num, n_catcols = 0;

	if (e->n_num > e->n_features)
		return bad(why, n, FT_EINVAL, "n_num %zu exceeds n_features %zu",
		           e->n_num, e->n_features);
	for (i = 0; i < e->n_cols; i++) {
		const struct ft_column *c = &e->cols[i];

		if (!ft_column_is_feature(e, c))
			continue;
		if (c->type == FT_NUMERIC) {
			if (c->offset != next_num || next_num >= e->n_num)
				return bad(why, n, FT_EINVAL, "column '%s' has "
				           "offset %zu, expected %zu", c->name,
				           c->offset, next_num);
			next_num++;
		} else {
			if (c->offset != next_cat ||
			    c->n_cats > e->n_features - next_cat)
				return bad(why, n, FT_EINVAL, "column '%s' has "
				           "offset %zu and %zu categories, which do "
				           "not fit the feature layout (next %zu of "
				           "%zu)", c->name, c->offset, c->n_cats,
				           next_cat, e->n_features);
			next_cat += c->n_cats;
			n_catcols++;
		}
	}
	if (next_num != e->n_num)
		return bad(why, n, FT_EINVAL, "n_num is %zu but %zu numeric "
		           "feature columns", e->n_num, next_num);
	if (n_catcols != e->n_cat)
		return bad(why, n, FT_EINVAL, "n_cat is %zu but %zu categorical "
		           "feature columns", e->n_cat, n_catcols);
	if (next_cat != e->n_features)
		return bad(why, n, FT_EINVAL, "n_features is %zu but the columns "
		           "make %zu features", e->n_features, next_cat);
	return 0;
}

int ft_encoder_check(const struct ft_encoder *e, char *why, size_t n)
{
	size_t i, k, n_sens = 0;
	int rc;

	if (e->n_cols && !e->cols)
		return bad(why, n, FT_EINVAL, "encoder has no columns array");
	if (e->missing_policy < 0 || e->missing_policy >= N_POLICIES)
		return bad(why, n, FT_EINVAL, "missing_policy %d is unknown",
		           e->missing_policy);
	if (e->use_sensitive != 0 && e->use_sensitive != 1)
		return bad(why, n, FT_EINVAL, "use_sensitive is %d, not 0 or 1",
		           e->use_sensitive);
	for (i = 0; i < e->n_cols; i++) {
		if ((rc = check_column(e, i, why, n)))
			return rc;
		n_sens += e->cols[i].role == FT_ROLE_SENSITIVE;
	}
	if ((rc = check_layout(e, why, n)))
		return rc;
	if (!ft_strv_ok(e->feature_names, e->n_features))
		return bad(why, n, FT_EINVAL, "feature_names has a missing name");
	if (e->target && ft_encoder_find_col(e, e->target, FT_ROLE_TARGET) < 0)
		return bad(why, n, FT_EINVAL, "target '%s' is not a column with "
		           "role target", e->target);
	if (e->weight && ft_encoder_find_col(e, e->weight, FT_ROLE_WEIGHT) < 0)
		return bad(why, n, FT_EINVAL, "weight '%s' is not a column with "
		           "role weight", e->weight);
	if (!ft_strv_ok(e->sensitive, e->n_sensitive))
		return bad(why, n, FT_EINVAL, "sensitive has a missing name");
	for (k = 0; k < e->n_sensitive; k++)
		if (ft_encoder_find_col(e, e->sensitive[k], FT_ROLE_SENSITIVE) < 0)
			return bad(why, n, FT_EINVAL, "sensitive '%s' is not a "
			           "column with role sensitive", e->sensitive[k]);
	if (n_sens != e->n_sensitive)
		return bad(why, n, FT_EINVAL, "%zu columns have role sensitive "
		           "but sensitive lists %zu", n_sens, e->n_sensitive);
	if (!strv_sorted(e->group_names, e->n_groups))
		return bad(why, n, FT_EINVAL, "group_names are not distinct "
		           "strings in sorted order");
	if (e->privileged) {
		for (k = 0; k < e->n_groups; k++)
			if (strcmp(e->group_names[k], e->privileged) == 0)
				break;
		if (k == e->n_groups)
			return bad(why, n, FT_EINVAL, "privileged group '%s' is "
			           "not in group_names", e->privileged);
	}
	return 0;
}
