/*
 * encode.c - learn the preprocessing from a training table (struct
 * ft_encoder) and apply it to any table with the same columns (struct
 * ft_dataset): column roles, numeric/categorical type detection, sorted
 * categories, standardization, missing values, labels, weights and
 * (intersectional) groups; plus the libsvm export of a dataset.
 *
 * Numeric features become one dense block, standardized with the training
 * mean and population standard deviation (ddof 0, as scikit-learn's
 * StandardScaler); each categorical feature becomes one integer code per row,
 * the global index of its hot column, so no one-hot matrix is ever built.
 *
 * It does not read files (csv.c) or split rows (split.c), and it never
 * reaches back into parsing: everything it needs is in struct ft_table.
 *
 * The encoder owns plain malloc'ed copies of every string, field by field,
 * so that a reader of model files can build one the same way and release it
 * with ft_encoder_free.
 *
 * Contract details the header leaves open:
 * - errors: a bad spec (unknown column, two roles, bad privileged group) is
 *   FT_EINVAL, unusable data (one class, one group, no rows, a missing
 *   column at apply time) FT_EDATA, a bad number FT_EPARSE ("file:line:");
 * - the positive label is stripped like the target values before comparing;
 * - type overrides name existing columns and act on features only;
 * - impute_cat is set for every categorical feature whatever the policy,
 *   because PREDICT always imputes; a constant numeric column gets mean =
 *   its value and sd = 1 exactly, so it standardizes to exactly 0;
 * - columns that are not features keep neutral values (mean 0, sd 1,
 *   offset 0, impute_cat -1, no categories; type numeric for the weight,
 *   categorical otherwise);
 * - PREDICT uses the weight column when present (a missing cell weighs 1),
 *   builds groups only when every sensitive column is present, and counts
 *   unseen groups in n_unseen_groups without dropping them;
 * - on failure *st is zeroed; libsvm writes an unknown label (y = -1) as 0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "data/data.h"

/* Everything empty; missing_policy FT_MISSING_DROP. */
void ft_spec_init(struct ft_spec *s)
{
	memset(s, 0, sizeof *s);
	s->missing_policy = FT_MISSING_DROP;
}

/* ---------------------------------------------------------------- helpers */

static const char *role_name(int role)
{
	switch (role) {
	case FT_ROLE_TARGET: return "the target";
	case FT_ROLE_SENSITIVE: return "sensitive";
	case FT_ROLE_WEIGHT: return "the weight";
	case FT_ROLE_DROP: return "dropped";
	default: return "a feature";
	}
}

/* Is encoder column c a model feature?  Sensitive columns are features only
 * when the encoder says so (use_sensitive). */
static int is_feature(const struct ft_encoder *e, const struct ft_column *c)
{
	return c->role == FT_ROLE_FEATURE ||
	       (c->role == FT_ROLE_SENSITIVE && e->use_sensitive);
}

/* malloc for count elements that never returns NULL for count 0, so that
 * "NULL" keeps meaning "out of memory" (or "absent" in ft_dataset). */
static void *xalloc(size_t count, size_t size)
{
	if (count && size > ((size_t)-1) / count)
		return NULL;
	return malloc(count ? count * size : 1);
}

static int no_column(const struct ft_table *t, const char *name, int code,
                     struct ft_error *err)
{
	char list[320];

	ft_col_list(t, list, sizeof list);
	return ft_error_set(err, code, "%s: no column '%s' (columns: %s)",
	                    t->path, name, list);
}

/* Parse a weight cell: finite and >= 0, else an error naming file:line. */
static int parse_weight(const struct ft_table *t, size_t row, const char *col,
                        const char *v, double *w, struct ft_error *err)
{
	int r = ft_parse_double(v, w);

	if (r == 1)
		return ft_error_set(err, FT_EPARSE,
		                    "%s:%zu: column '%s': not a number '%s'",
		                    t->path, t->line[row], col, v);
	if (r == 2)
		return ft_error_set(err, FT_EPARSE,
		                    "%s:%zu: column '%s': non-finite value '%s'",
		                    t->path, t->line[row], col, v);
	if (*w < 0)
		return ft_error_set(err, FT_EDATA,
		                    "%s:%zu: column '%s': negative weight '%s'",
		                    t->path, t->line[row], col, v);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ------------------------------------------------------------------- fit */

static int has_null(char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i])
			return 1;
	return 0;
}

/* Parameters checked up front: NULL when fine, else a static message. */
static const char *check_spec(const struct ft_spec *s)
{
	if (!s)
		return "no column spec given";
	if (!s->target || !*s->target)
		return "no target column given";
	if (!s->positive || !*s->positive)
		return "no positive label given";
	if ((s->n_sensitive && !s->sensitive) || (s->n_drop && !s->drop) ||
	    (s->n_categorical && !s->categorical) || (s->n_numeric && !s->numeric) ||
	    has_null(s->sensitive, s->n_sensitive) || has_null(s->drop, s->n_drop) ||
	    has_null(s->categorical, s->n_categorical) ||
	    has_null(s->numeric, s->n_numeric))
		return "column name list missing or with a NULL name";
	if (s->missing_policy != FT_MISSING_DROP &&
	    s->missing_policy != FT_MISSING_IMPUTE)
		return "unknown missing-value policy";
	if (s->privileged && !s->n_sensitive)
		return "a privileged group needs sensitive columns";
	return NULL;
}

/* Give column `name` the role `role`; one role per column. */
static int assign_role(const struct ft_table *t, int *role, const char *name,
                       int r, long *col, struct ft_error *err)
{
	long j = ft_table_col(t, name);

	if (j < 0)
		return no_column(t, name, FT_EINVAL, err);
	if (role[j] == r)
		return ft_error_set(err, FT_EINVAL,
		                    "%s: column '%s' is listed twice as %s",
		                    t->path, name, role_name(r));
	if (role[j] != FT_ROLE_FEATURE)
		return ft_error_set(err, FT_EINVAL,
		                    "%s: column '%s' cannot be both %s and %s",
		                    t->path, name, role_name(role[j]), role_name(r));
	role[j] = r;
	if (col)
		*col = j;
	return 0;
}

/* Type overrides: 'c' or 'n' per column. */
static int assign_force(const struct ft_table *t, char *force, char **names,
                        size_t n, char kind, struct ft_error *err)
{
	for (size_t i = 0; i < n; i++) {
		long j = ft_table_col(t, names[i]);
		if (j < 0)
			return no_column(t, names[i], FT_EINVAL, err);
		if (force[j] && force[j] != kind)
			return ft_error_set(err, FT_EINVAL,
			                    "%s: column '%s' cannot be both categorical and numeric",
			                    t->path, names[i]);
		force[j] = kind;
	}
	return 0;
}

/* Learn one numeric feature from its n parsed training values: mean and
 * population sd. */
static void fit_numeric(const double *x, size_t n, struct ft_column *c)
{
	double sum = 0, ss = 0, lo = x[0], hi = x[0], mean;

	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		lo = x[i] < lo ? x[i] : lo;
		hi = x[i] > hi ? x[i] : hi;
	}
	mean = sum / (double)n;
	/* Two passes (mean, then squared deviations) rather than sum of
	 * squares minus square of sum, which cancels catastrophically. */
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	c->type = FT_NUMERIC;
	if (lo == hi) {
		/* A constant column: decide exactly rather than by a rounded
		 * variance, so every value standardizes to exactly 0. */
		c->mean = lo;
		c->sd = 1;
	} else {
		c->mean = mean;
		c->sd = sqrt(ss / (double)n);
		if (!(c->sd > 0))
			c->sd = 1;
	}
}

/* Learn one categorical feature: sorted unique values and the most
 * frequent one (for imputation; ties go to the first in sorted order). */
static int fit_categorical(const struct ft_table *t, size_t j,
                           const unsigned char *use, struct ft_column *c)
{
	struct ft_strmap m;
	size_t *count = NULL, cap = 0, best = 0;
	char **sorted = NULL;
	int rc = 0;

	if ((rc = ft_strmap_init(&m)) != 0)
		goto done;
	for (size_t i = 0; i < t->n_rows; i++) {
		const char *v;
		long id;
		if (!use[i] || !(v = ft_table_cell(t, i, j)))
			continue;
		id = ft_strmap_put(&m, v, strlen(v), NULL);
		if (id < 0) {
			rc = FT_ENOMEM;
			goto done;
		}
		if ((size_t)id >= cap) {
			size_t nc = cap ? 2 * cap : 64, *p;
			p = realloc(count, nc * sizeof *p);
			if (!p) {
				rc = FT_ENOMEM;
				goto done;
			}
			memset(p + cap, 0, (nc - cap) * sizeof *p);
			count = p;
			cap = nc;
		}
		count[id]++;
	}
	sorted = xalloc(m.n, sizeof *sorted);
	c->cats = calloc(m.n ? m.n : 1, sizeof *c->cats);
	if (!sorted || !c->cats) {
		rc = FT_ENOMEM;
		goto done;
	}
	for (size_t k = 0; k < m.n; k++)
		sorted[k] = (char *)ft_strmap_key(&m, k);
	qsort(sorted, m.n, sizeof *sorted, cmp_str);
	c->type = FT_CATEGORICAL;
	c->n_cats = m.n;
	for (size_t k = 0; k < m.n; k++) {
		long id = ft_strmap_get(&m, sorted[k], strlen(sorted[k]));
		if (!(c->cats[k] = ft_strdup(sorted[k]))) {
			rc = FT_ENOMEM;
			goto done;
		}
		if (count[id] > best) {
			best = count[id];
			c->impute_cat = (long)k;
		}
	}
done:
	free(sorted);
	free(count);
	ft_strmap_free(&m);
	return rc;
}

/* Type detection and fitting of feature column j of the training table.
 * x is scratch space for one value per row, so each cell is parsed once. */
static int fit_feature(const struct ft_table *t, size_t j, char force,
                       const unsigned char *use, double *x,
                       struct ft_column *c, struct ft_error *err)
{
	size_t n = 0, bad_num = (size_t)-1, bad_fin = (size_t)-1, bad;

	for (size_t i = 0; i < t->n_rows; i++) {
		const char *v;
		int r;
		if (!use[i] || !(v = ft_table_cell(t, i, j)))
			continue;
		r = ft_parse_double(v, &x[n++]);
		if (r == 1 && bad_num == (size_t)-1)
			bad_num = i;
		else if (r == 2 && bad_fin == (size_t)-1)
			bad_fin = i;
		if (force == 'c' || (bad_num != (size_t)-1 && force != 'n'))
			break;  /* categorical for sure; the scan is done */
	}
	if (n == 0)
		return ft_error_set(err, FT_EDATA,
		                    "%s: column '%s' has no values in the training rows",
		                    t->path, c->name);
	if (force == 'c' || (force != 'n' && bad_num != (size_t)-1))
		return fit_categorical(t, j, use, c) ?
		       ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path) : 0;
	/* numeric, by detection or by force: every value must be finite */
	bad = bad_num < bad_fin ? bad_num : bad_fin;
	if (bad != (size_t)-1)
		return ft_error_set(err, FT_EPARSE, "%s:%zu: column '%s': %s '%s'",
		                    t->path, t->line[bad], c->name,
		                    bad == bad_num ? "not a number" : "non-finite value",
		                    ft_table_cell(t, bad, j));
	fit_numeric(x, n, c);
	return 0;
}

/* The target: the positive label must occur and so must another one. */
static int fit_target(const struct ft_table *t, size_t j,
                      const unsigned char *use, const struct ft_spec *s,
                      struct ft_error *err)
{
	size_t pl = ft_label_len(s->positive, s->label_strip), n_pos = 0, n = 0;
	struct ft_strmap seen;
	char list[200];
	size_t len = 0;
	int rc = 0;

	for (size_t i = 0; i < t->n_rows; i++) {
		const char *v;
		if (!use[i])
			continue;
		v = ft_table_cell(t, i, j);
		n++;
		if (ft_label_len(v, s->label_strip) == pl &&
		    memcmp(v, s->positive, pl) == 0)
			n_pos++;
	}
	if (n_pos > 0 && n_pos < n)
		return 0;
	if (n_pos == n)
		return ft_error_set(err, FT_EDATA,
		                    "%s: column '%s' has only one class in the training rows (all '%s')",
		                    t->path, s->target, s->positive);
	/* The positive label never occurs: list what does, since the usual
	 * cause is a missing label_strip ('>50K.' vs '>50K'). */
	if (ft_strmap_init(&seen) != 0) {
		rc = FT_ENOMEM;
		goto done;
	}
	list[0] = '\0';
	for (size_t i = 0; i < t->n_rows && seen.n < 8; i++) {
		const char *v;
		int added;
		size_t vl;
		if (!use[i])
			continue;
		v = ft_table_cell(t, i, j);
		vl = strlen(v);
		if (ft_strmap_put(&seen, v, vl, &added) < 0) {
			rc = FT_ENOMEM;
			goto done;
		}
		if (added && len + vl + 8 < sizeof list)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s'%s'",
			                        len ? ", " : "", v);
	}
	rc = ft_error_set(err, FT_EDATA,
	                  "%s: positive label '%s' does not occur in column '%s' (values: %s%s)",
	                  t->path, s->positive, s->target, list,
	                  seen.n >= 8 ? ", ..." : "");
done:
	ft_strmap_free(&seen);
	if (rc == FT_ENOMEM)
		ft_error_set(err, rc, "%s: out of memory", t->path);
	return rc;
}

/* Weights of the used rows: numbers, finite, >= 0, not all zero. */
static int fit_weight(const struct ft_table *t, size_t j,
                      const unsigned char *use, const char *name,
                      struct ft_error *err)
{
	double total = 0, w;
	int rc;

	for (size_t i = 0; i < t->n_rows; i++) {
		if (!use[i])
			continue;
		rc = parse_weight(t, i, name, ft_table_cell(t, i, j), &w, err);
		if (rc)
			return rc;
		total += w;
	}
	if (!(total > 0))
		return ft_error_set(err, FT_EDATA,
		                    "%s: column '%s': weights sum to zero", t->path, name);
	return 0;
}

/* Groups: each sensitive column needs two values; group names are the
 * observed combinations, sorted. */
static int fit_groups(const struct ft_table *t, const long *scol,
                      const unsigned char *use, const struct ft_spec *s,
                      struct ft_encoder *e, struct ft_error *err)
{
	struct ft_strmap m;
	char *buf = NULL, **names = NULL;
	size_t cap = 0, len;
	int rc = 0;

	memset(&m, 0, sizeof m);
	for (size_t k = 0; k < s->n_sensitive; k++) {
		const char *first = NULL;
		int two = 0;
		for (size_t i = 0; i < t->n_rows && !two; i++) {
			const char *v;
			if (!use[i])
				continue;
			v = ft_table_cell(t, i, (size_t)scol[k]);
			if (!first)
				first = v;
			else if (strcmp(first, v) != 0)
				two = 1;
		}
		if (!two) {
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: sensitive column '%s' has only one value ('%s') in the training rows",
			                  t->path, s->sensitive[k], first ? first : "");
			goto done;
		}
	}
	if ((rc = ft_strmap_init(&m)) != 0)
		goto nomem;
	for (size_t i = 0; i < t->n_rows; i++) {
		if (!use[i])
			continue;
		rc = ft_group_key(t, i, scol, s->n_sensitive, &buf, &cap, &len);
		if (rc < 0 || ft_strmap_put(&m, buf, len, NULL) < 0)
			goto nomem;
	}
	names = calloc(m.n, sizeof *names);
	if (!names)
		goto nomem;
	for (size_t g = 0; g < m.n; g++)
		if (!(names[g] = ft_strdup(ft_strmap_key(&m, g))))
			goto nomem;
	qsort(names, m.n, sizeof *names, cmp_str);
	e->group_names = names;
	e->n_groups = m.n;
	names = NULL;
	if (s->privileged) {
		char list[320];
		size_t at = 0;
		for (size_t g = 0; g < e->n_groups; g++)
			if (strcmp(e->group_names[g], s->privileged) == 0)
				goto done;
		list[0] = '\0';
		for (size_t g = 0; g < e->n_groups && at + 8 < sizeof list; g++) {
			int w = snprintf(list + at, sizeof list - at, "%s%s",
			                 g ? ", " : "", e->group_names[g]);
			at = at + (size_t)w < sizeof list ? at + (size_t)w : sizeof list;
		}
		rc = ft_error_set(err, FT_EINVAL,
		                  "%s: privileged group '%s' is not one of the groups: %s",
		                  t->path, s->privileged, list);
	}
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	if (names) {
		for (size_t g = 0; g < m.n; g++)
			free(names[g]);
		free(names);
	}
	free(buf);
	ft_strmap_free(&m);
	return rc;
}

/* Copy a list of strings; NULL on allocation failure (partial copies freed). */
static char **copy_strv(char *const *v, size_t n)
{
	char **c = calloc(n ? n : 1, sizeof *c);

	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(c[i] = ft_strdup(v[i]))) {
			for (size_t k = 0; k < i; k++)
				free(c[k]);
			free(c);
			return NULL;
		}
	return c;
}

/* Feature layout: numeric columns first, then one block per categorical
 * column, both in input order; names "age" and "workclass=Private". */
static int layout(struct ft_encoder *e)
{
	size_t k = 0;

	for (size_t j = 0; j < e->n_cols; j++) {
		struct ft_column *c = &e->cols[j];
		if (is_feature(e, c) && c->type == FT_NUMERIC) {
			c->offset = k++;
			e->n_num++;
		}
	}
	for (size_t j = 0; j < e->n_cols; j++) {
		struct ft_column *c = &e->cols[j];
		if (is_feature(e, c) && c->type == FT_CATEGORICAL) {
			c->offset = k;
			k += c->n_cats;
			e->n_cat++;
		}
	}
	/* dataset codes are int32 */
	if (k >= INT32_MAX)
		return FT_EDATA;
	e->n_features = k;
	e->feature_names = calloc(k ? k : 1, sizeof *e->feature_names);
	if (!e->feature_names)
		return FT_ENOMEM;
	for (size_t j = 0; j < e->n_cols; j++) {
		struct ft_column *c = &e->cols[j];
		if (!is_feature(e, c))
			continue;
		if (c->type == FT_NUMERIC) {
			if (!(e->feature_names[c->offset] = ft_strdup(c->name)))
				return FT_ENOMEM;
			continue;
		}
		for (size_t q = 0; q < c->n_cats; q++) {
			size_t l = strlen(c->name) + strlen(c->cats[q]) + 2;
			char *s = malloc(l);
			if (!s)
				return FT_ENOMEM;
			snprintf(s, l, "%s=%s", c->name, c->cats[q]);
			e->feature_names[c->offset + q] = s;
		}
	}
	return 0;
}

/* Learn everything from the rows of t that the policy keeps.  Order of
 * checks: spec, roles, rows left, target classes, weights, feature types,
 * groups.  On failure *out is NULL. */
int ft_encoder_fit(const struct ft_table *t, const struct ft_spec *s,
                   struct ft_encoder **out, struct ft_error *err)
{
	struct ft_encoder *e = NULL;
	int *role = NULL;
	char *force = NULL;
	unsigned char *use = NULL;
	double *x = NULL;
	long tcol = -1, wcol = -1, *scol = NULL;
	size_t nc = t->n_cols, n_use = 0;
	const char *msg;
	int rc = 0;

	*out = NULL;
	if ((msg = check_spec(s)) != NULL) {
		rc = ft_error_set(err, FT_EINVAL, "%s: %s", t->path, msg);
		goto done;
	}
	role = calloc(nc, sizeof *role);
	force = calloc(nc, 1);
	use = calloc(t->n_rows ? t->n_rows : 1, 1);
	scol = xalloc(s->n_sensitive, sizeof *scol);
	x = xalloc(t->n_rows, sizeof *x);
	if (!role || !force || !use || !scol || !x)
		goto nomem;

	/* Roles by name; FT_ROLE_FEATURE is 0, so unnamed columns are
	 * features. */
	if ((rc = assign_role(t, role, s->target, FT_ROLE_TARGET, &tcol, err)))
		goto done;
	for (size_t k = 0; k < s->n_sensitive; k++)
		if ((rc = assign_role(t, role, s->sensitive[k], FT_ROLE_SENSITIVE,
		                      &scol[k], err)))
			goto done;
	if (s->weight &&
	    (rc = assign_role(t, role, s->weight, FT_ROLE_WEIGHT, &wcol, err)))
		goto done;
	for (size_t k = 0; k < s->n_drop; k++)
		if ((rc = assign_role(t, role, s->drop[k], FT_ROLE_DROP, NULL, err)))
			goto done;
	if ((rc = assign_force(t, force, s->categorical, s->n_categorical, 'c', err)) ||
	    (rc = assign_force(t, force, s->numeric, s->n_numeric, 'n', err)))
		goto done;

	e = calloc(1, sizeof *e);
	if (!e)
		goto nomem;
	e->cols = calloc(nc ? nc : 1, sizeof *e->cols);
	if (!e->cols)
		goto nomem;
	e->n_cols = nc;
	e->missing_policy = s->missing_policy;
	e->use_sensitive = s->use_sensitive != 0;
	for (size_t j = 0; j < nc; j++) {
		struct ft_column *c = &e->cols[j];
		c->role = role[j];
		c->type = role[j] == FT_ROLE_WEIGHT ? FT_NUMERIC : FT_CATEGORICAL;
		c->sd = 1;
		c->impute_cat = -1;
		if (!(c->name = ft_strdup(t->names[j])))
			goto nomem;
	}
	if (!(e->target = ft_strdup(s->target)) ||
	    !(e->positive = ft_strdup(s->positive)) ||
	    (s->label_strip && !(e->label_strip = ft_strdup(s->label_strip))) ||
	    (s->privileged && !(e->privileged = ft_strdup(s->privileged))) ||
	    (s->weight && !(e->weight = ft_strdup(s->weight))) ||
	    !(e->sensitive = copy_strv(s->sensitive, s->n_sensitive)))
		goto nomem;
	e->n_sensitive = s->n_sensitive;

	/* Rows used for fitting: target, groups and weight are never imputed;
	 * features are, unless the policy drops their rows. */
	for (size_t i = 0; i < t->n_rows; i++) {
		int ok = 1;
		for (size_t j = 0; j < nc && ok; j++) {
			int imputable = role[j] == FT_ROLE_FEATURE &&
			                s->missing_policy == FT_MISSING_IMPUTE;
			if (role[j] != FT_ROLE_DROP && !imputable)
				ok = t->off[i * nc + j] != FT_MISSING;
		}
		use[i] = (unsigned char)ok;
		n_use += (size_t)ok;
	}
	if (n_use == 0) {
		rc = ft_error_set(err, FT_EDATA,
		                  "%s: no rows left after dropping %zu rows with missing values",
		                  t->path, t->n_rows);
		goto done;
	}

	if ((rc = fit_target(t, (size_t)tcol, use, s, err)))
		goto done;
	if (wcol >= 0 && (rc = fit_weight(t, (size_t)wcol, use, s->weight, err)))
		goto done;
	for (size_t j = 0; j < nc; j++)
		if (is_feature(e, &e->cols[j]) &&
		    (rc = fit_feature(t, j, force[j], use, x, &e->cols[j], err)))
			goto done;
	if (s->n_sensitive && (rc = fit_groups(t, scol, use, s, e, err)))
		goto done;
	if ((rc = layout(e)) != 0) {
		rc = rc == FT_ENOMEM ? ft_error_set(err, rc, "%s: out of memory", t->path)
		     : ft_error_set(err, rc, "%s: too many features", t->path);
		goto done;
	}
	*out = e;
	e = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	ft_encoder_free(e);
	free(role);
	free(force);
	free(use);
	free(scol);
	free(x);
	return rc;
}

static void free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ft_encoder_free(struct ft_encoder *e)
{
	if (!e)
		return;
	if (e->cols) {
		for (size_t j = 0; j < e->n_cols; j++) {
			free(e->cols[j].name);
			free_strv(e->cols[j].cats, e->cols[j].n_cats);
		}
		free(e->cols);
	}
	free_strv(e->feature_names, e->n_features);
	free(e->target);
	free(e->positive);
	free(e->label_strip);
	free_strv(e->sensitive, e->n_sensitive);
	free_strv(e->group_names, e->n_groups);
	free(e->privileged);
	free(e->weight);
	free(e);
}

/* ----------------------------------------------------------------- apply */

/* Per-call state of ft_encoder_apply. */
struct apply {
	long *tcol;              /* encoder column -> table column, or -1 */
	struct ft_strmap *cat;   /* per encoder column: category -> index */
	struct ft_strmap groups; /* group name -> index */
	long *scol;              /* table columns of the sensitive columns */
	int have_groups;
	long target, weight;
	char *key;
	size_t key_cap;
};

/* Encode t row by row in one pass; rows dropped in TRAIN mode leave no
 * trace but the counts.  On failure *out is NULL. */
int ft_encoder_apply(const struct ft_encoder *e, const struct ft_table *t,
                     int mode, struct ft_dataset **out,
                     struct ft_encode_stats *st, struct ft_error *err)
{
	struct apply a;
	struct ft_dataset *d = NULL;
	struct ft_encode_stats s0;
	size_t nc = e->n_cols, n_in = t->n_rows, k = 0, pl = 0;
	int train = mode == FT_APPLY_TRAIN, rc = 0;

	*out = NULL;
	memset(&a, 0, sizeof a);
	memset(&s0, 0, sizeof s0);
	s0.n_in = n_in;
	a.target = a.weight = -1;
	if (mode != FT_APPLY_TRAIN && mode != FT_APPLY_PREDICT) {
		rc = ft_error_set(err, FT_EINVAL, "%s: unknown apply mode %d",
		                  t->path, mode);
		goto done;
	}
	a.tcol = xalloc(nc, sizeof *a.tcol);
	a.cat = calloc(nc ? nc : 1, sizeof *a.cat);
	a.scol = xalloc(e->n_sensitive, sizeof *a.scol);
	if (!a.tcol || !a.cat || !a.scol)
		goto nomem;

	/* Columns by name; features are always needed, the rest by mode. */
	for (size_t j = 0; j < nc; j++) {
		const struct ft_column *c = &e->cols[j];
		a.tcol[j] = -1;
		if (!is_feature(e, c))
			continue;
		if ((a.tcol[j] = ft_table_col(t, c->name)) < 0) {
			rc = no_column(t, c->name, FT_EDATA, err);
			goto done;
		}
		if (c->type == FT_CATEGORICAL) {
			if (ft_strmap_init(&a.cat[j]) != 0)
				goto nomem;
			for (size_t q = 0; q < c->n_cats; q++)
				if (ft_strmap_put(&a.cat[j], c->cats[q],
				                  strlen(c->cats[q]), NULL) != (long)q)
					goto nomem;
		}
	}
	if (e->target && (a.target = ft_table_col(t, e->target)) < 0 && train) {
		rc = no_column(t, e->target, FT_EDATA, err);
		goto done;
	}
	if (e->weight && (a.weight = ft_table_col(t, e->weight)) < 0 && train) {
		rc = no_column(t, e->weight, FT_EDATA, err);
		goto done;
	}
	a.have_groups = e->n_sensitive > 0;
	for (size_t q = 0; q < e->n_sensitive; q++) {
		if ((a.scol[q] = ft_table_col(t, e->sensitive[q])) >= 0)
			continue;
		if (train) {
			rc = no_column(t, e->sensitive[q], FT_EDATA, err);
			goto done;
		}
		a.have_groups = 0;  /* predict: no groups without all columns */
	}
	if (a.have_groups) {
		if (ft_strmap_init(&a.groups) != 0)
			goto nomem;
		for (size_t g = 0; g < e->n_groups; g++)
			if (ft_strmap_put(&a.groups, e->group_names[g],
			                  strlen(e->group_names[g]), NULL) != (long)g)
				goto nomem;
	}
	if (a.target >= 0)
		pl = ft_label_len(e->positive, e->label_strip);

	d = calloc(1, sizeof *d);
	if (!d)
		goto nomem;
	d->p = e->n_features;
	d->n_num = e->n_num;
	d->n_cat = e->n_cat;
	d->n_groups = e->n_groups;
	d->num = xalloc(n_in * e->n_num, sizeof *d->num);
	d->code = xalloc(n_in * e->n_cat, sizeof *d->code);
	d->w = xalloc(n_in, sizeof *d->w);
	d->line = xalloc(n_in, sizeof *d->line);
	if (!d->num || !d->code || !d->w || !d->line)
		goto nomem;
	if (a.target >= 0 && !(d->y = xalloc(n_in, sizeof *d->y)))
		goto nomem;
	if (a.have_groups && !(d->group = xalloc(n_in, sizeof *d->group)))
		goto nomem;

	for (size_t i = 0; i < n_in; i++) {
		const char *tv = a.target >= 0 ? ft_table_cell(t, i, (size_t)a.target) : NULL;
		const char *wv = a.weight >= 0 ? ft_table_cell(t, i, (size_t)a.weight) : NULL;
		long g = -1;
		size_t inum = 0, icat = 0;

		if (train) {
			/* target, groups and weight are never imputed */
			int miss = !tv || (e->weight && !wv);
			for (size_t q = 0; q < e->n_sensitive && !miss; q++)
				miss = !ft_table_cell(t, i, (size_t)a.scol[q]);
			for (size_t j = 0; j < nc && !miss; j++)
				if (a.tcol[j] >= 0 && e->missing_policy == FT_MISSING_DROP)
					miss = !ft_table_cell(t, i, (size_t)a.tcol[j]);
			if (miss) {
				s0.n_dropped++;
				continue;
			}
		}
		if (a.have_groups) {
			size_t kl;
			int r = ft_group_key(t, i, a.scol, e->n_sensitive, &a.key,
			                     &a.key_cap, &kl);
			if (r < 0)
				goto nomem;
			if (r == 0) {
				g = ft_strmap_get(&a.groups, a.key, kl);
				if (g < 0) {
					s0.n_unseen_groups++;
					if (train)
						continue;
				}
			}
			d->group[k] = (int32_t)g;
		}
		d->w[k] = 1;
		if (wv && (rc = parse_weight(t, i, e->weight, wv, &d->w[k], err)))
			goto done;
		if (d->y)
			d->y[k] = !tv ? -1 :
			          ft_label_len(tv, e->label_strip) == pl &&
			          memcmp(tv, e->positive, pl) == 0 ? 1 : 0;
		for (size_t j = 0; j < nc; j++) {
			const struct ft_column *c = &e->cols[j];
			const char *v;
			if (a.tcol[j] < 0)
				continue;
			v = ft_table_cell(t, i, (size_t)a.tcol[j]);
			if (c->type == FT_NUMERIC) {
				double x = 0;  /* the mean, standardized */
				if (!v) {
					s0.n_imputed++;
				} else {
					int r = ft_parse_double(v, &x);
					if (r) {
						rc = ft_error_set(err, FT_EPARSE,
						                  "%s:%zu: column '%s': %s '%s'",
						                  t->path, t->line[i], c->name,
						                  r == 1 ? "not a number" : "non-finite value", v);
						goto done;
					}
					x = (x - c->mean) / c->sd;
				}
				d->num[k * e->n_num + inum++] = x;
			} else {
				long q;
				if (!v) {
					s0.n_imputed++;
					q = c->impute_cat;
				} else if ((q = ft_strmap_get(&a.cat[j], v, strlen(v))) < 0) {
					s0.n_unseen++;
				}
				d->code[k * e->n_cat + icat++] =
					q < 0 ? -1 : (int32_t)(c->offset + (size_t)q);
			}
		}
		d->line[k] = t->line[i];
		k++;
	}
	if (train && k == 0) {
		if (s0.n_unseen_groups)
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: no rows left after dropping %zu rows with missing values and %zu rows with unseen groups",
			                  t->path, s0.n_dropped, s0.n_unseen_groups);
		else
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: no rows left after dropping %zu rows with missing values",
			                  t->path, s0.n_dropped);
		goto done;
	}
	d->n = k;
	/* Rows were dropped: give the unused tails back (shrinking never
	 * fails in practice; keep the old block if it does). */
	if (k < n_in) {
		void *p;
#define SHRINK(f, cnt) do { if (d->f && (p = realloc(d->f, ((cnt) > 0 ? (cnt) : 1) * sizeof *d->f))) d->f = p; } while (0)
		SHRINK(num, k * e->n_num);
		SHRINK(code, k * e->n_cat);
		SHRINK(y, k);
		SHRINK(w, k);
		SHRINK(group, k);
		SHRINK(line, k);
#undef SHRINK
	}
	*out = d;
	d = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	/* counts describe a dataset: none on failure */
	if (st && rc)
		memset(&s0, 0, sizeof s0);
	if (st)
		*st = s0;
	ft_dataset_free(d);
	if (a.cat)
		for (size_t j = 0; j < nc; j++)
			ft_strmap_free(&a.cat[j]);
	free(a.cat);
	ft_strmap_free(&a.groups);
	free(a.tcol);
	free(a.scol);
	free(a.key);
	return rc;
}

void ft_dataset_free(struct ft_dataset *d)
{
	if (!d)
		return;
	free(d->num);
	free(d->code);
	free(d->y);
	free(d->w);
	free(d->group);
	free(d->line);
	free(d);
}

/* x gets d->p doubles: the numeric block, then 1 at each hot column. */
void ft_dataset_row(const struct ft_dataset *d, size_t i, double *x)
{
	memset(x, 0, d->p * sizeof *x);
	for (size_t j = 0; j < d->n_num; j++)
		x[j] = d->num[i * d->n_num + j];
	for (size_t j = 0; j < d->n_cat; j++) {
		int32_t c = d->code[i * d->n_cat + j];
		if (c >= 0)
			x[c] = 1;
	}
}

/* "+1 1:-0.5 7:1": labels +1/-1 (0 when unknown or absent), 1-based
 * ascending indices, exact zeros skipped, %.17g so values read back
 * bit-exact.  Atomic: on failure the destination is untouched. */
int ft_dataset_write_libsvm(const struct ft_dataset *d, const char *path,
                            struct ft_error *err)
{
	struct ft_atomic a;
	FILE *fp;
	int rc;

	if ((rc = ft_atomic_open(&a, path, err)) != 0)
		return rc;
	fp = a.fp;
	for (size_t i = 0; i < d->n; i++) {
		/* y = -1 marks an unknown label (predict mode): written as 0 */
		const char *label = !d->y ? "0" : d->y[i] == 1 ? "+1" :
		                    d->y[i] == 0 ? "-1" : "0";
		fputs(label, fp);
		/* numeric block first, then codes: indices come out ascending */
		for (size_t j = 0; j < d->n_num; j++) {
			double v = d->num[i * d->n_num + j];
			if (v != 0)
				fprintf(fp, " %zu:%.17g", j + 1, v);
		}
		for (size_t j = 0; j < d->n_cat; j++) {
			int32_t c = d->code[i * d->n_cat + j];
			if (c >= 0)
				fprintf(fp, " %ld:1", (long)c + 1);
		}
		fputc('\n', fp);
	}
	/* write errors surface in the flush inside commit */
	return ft_atomic_commit(&a, err);
}
