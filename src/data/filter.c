/*
 * filter.c - row filters on a raw table, evaluated once per distinct value
 * of the filtered column (cells are value ids), so a filter costs a lookup
 * per row.  Used for published preprocessing such as ProPublica's COMPAS
 * filter: |days_b_screening_arrest| <= 30, is_recid != -1,
 * c_charge_degree != O, score_text != N/A.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "data/data.h"

static const char *const OPS[] = {"==", "!=", "<=", ">=", "<", ">"};
static const int OP_CODE[] = {FT_OP_EQ, FT_OP_NE, FT_OP_LE, FT_OP_GE, FT_OP_LT, FT_OP_GT};

static int number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return *s && !*end && !errno && isfinite(*v);
}

int ft_filter_parse(const char *expr, struct ft_filter *f, struct ft_error *err)
{
	/* the first operator in the text; two-character operators first */
	const char *best = NULL;
	size_t bi = 0;
	double v;

	for (size_t k = 0; k < sizeof OPS / sizeof *OPS; k++) {
		const char *at = strstr(expr, OPS[k]);
		if (at && (!best || at < best)) {
			best = at;
			bi = k;
		}
	}
	if (!best || best == expr)
		return ft_error_set(err, FT_EINVAL, "filter '%s': expected COL OP VALUE "
		                    "with OP one of == != < <= > >=", expr);
	if ((size_t)(best - expr) >= sizeof f->col || strlen(best + strlen(OPS[bi])) >= sizeof f->value)
		return ft_error_set(err, FT_EINVAL, "filter '%s': too long", expr);
	memcpy(f->col, expr, (size_t)(best - expr));
	f->col[best - expr] = '\0';
	strcpy(f->value, best + strlen(OPS[bi]));
	f->op = OP_CODE[bi];
	if (f->op != FT_OP_EQ && f->op != FT_OP_NE && !number(f->value, &v))
		return ft_error_set(err, FT_EINVAL, "filter '%s': '%s' is not a number",
		                    expr, f->value);
	return 0;
}

int ft_table_filter(const struct ft_table *t, const struct ft_filter *f, size_t n,
                    struct ft_table **out, size_t *n_removed, struct ft_error *err)
{
	uint8_t *keep = NULL, *pass = NULL;
	size_t *rows = NULL, m = 0;
	int rc = FT_ENOMEM;

	*out = NULL;
	keep = malloc(t->n_rows ? t->n_rows : 1);
	rows = malloc((t->n_rows ? t->n_rows : 1) * sizeof *rows);
	if (!keep || !rows)
		goto fail;
	memset(keep, 1, t->n_rows);
	for (size_t k = 0; k < n; k++) {
		long c = ft_table_col(t, f[k].col);
		const struct ft_values *vals;
		double bound = 0;
		if (c < 0) {
			rc = ft_error_set(err, FT_EINVAL, "%s: filter on unknown column '%s'",
			                  t->path, f[k].col);
			goto done;
		}
		vals = &t->vals[c];
		free(pass);
		pass = malloc(vals->n ? vals->n : 1);
		if (!pass)
			goto fail;
		if (f[k].op != FT_OP_EQ && f[k].op != FT_OP_NE)
			number(f[k].value, &bound);
		/* decide once per distinct value; 2 = not a number (an error if used) */
		for (size_t id = 0; id < vals->n; id++) {
			const char *s = vals->str[id];
			double x;
			switch (f[k].op) {
			case FT_OP_EQ: pass[id] = strcmp(s, f[k].value) == 0; break;
			case FT_OP_NE: pass[id] = strcmp(s, f[k].value) != 0; break;
			default:
				if (!number(s, &x))
					pass[id] = 2;
				else if (f[k].op == FT_OP_LT)
					pass[id] = x < bound;
				else if (f[k].op == FT_OP_LE)
					pass[id] = x <= bound;
				else if (f[k].op == FT_OP_GT)
					pass[id] = x > bound;
				else
					pass[id] = x >= bound;
			}
		}
		for (size_t i = 0; i < t->n_rows; i++) {
			uint32_t id = ft_cell_id(t, i, (size_t)c);
			if (!keep[i])
				continue;
			if (id == FT_MISSING) {
				keep[i] = 0;
			} else if (pass[id] == 2) {
				rc = ft_error_set(err, FT_EPARSE, "%s:%zu: column '%s': filter needs "
				                  "a number, not '%s'", ft_table_row_path(t, i),
				                  t->line[i], f[k].col, vals->str[id]);
				goto done;
			} else {
				keep[i] = pass[id];
			}
		}
	}
	for (size_t i = 0; i < t->n_rows; i++)
		if (keep[i])
			rows[m++] = i;
	*n_removed = t->n_rows - m;
	rc = ft_table_subset(t, rows, m, out, err);
	goto done;
fail:
	rc = ft_error_set(err, FT_ENOMEM, "out of memory");
done:
	free(keep);
	free(pass);
	free(rows);
	return rc;
}
