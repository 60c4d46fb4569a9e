/*
 * comparison.c - the before/after comparison table: tidy rows of
 * (metric, model, split, group, convention, value, interval), built by the
 * CLI and stored in the model file's /comparison group.
 */
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"

static void row_free(struct ft_comparison_row *r)
{
	free(r->metric);
	free(r->model);
	free(r->split);
	free(r->group);
	free(r->convention);
	free(r->why);
	free(r->ci_why);
}

int ft_comparison_add(struct ft_comparison *c, const char *metric,
                      const char *model, const char *split, const char *group,
                      const char *convention, struct ft_value v,
                      struct ft_value lo, struct ft_value hi)
{
	struct ft_comparison_row *r, *rows;
	const char *ci_why = lo.why ? lo.why : hi.why;

	/* grow by doubling: the CLI adds a few hundred rows a run */
	if ((c->n & (c->n - 1)) == 0) {
		rows = realloc(c->rows, (c->n ? 2 * c->n : 16) * sizeof *rows);
		if (!rows)
			return FT_ENOMEM;
		c->rows = rows;
	}
	r = &c->rows[c->n];
	memset(r, 0, sizeof *r);
	r->metric = ft_strdup(metric);
	r->model = ft_strdup(model);
	r->split = ft_strdup(split);
	r->group = ft_strdup(group ? group : "");
	r->convention = ft_strdup(convention ? convention : "");
	r->value = v.why ? 0.0 : v.value;
	r->why = v.why ? ft_strdup(v.why) : NULL;
	r->lo = ci_why ? 0.0 : lo.value;
	r->hi = ci_why ? 0.0 : hi.value;
	r->ci_why = ci_why ? ft_strdup(ci_why) : NULL;
	if (!r->metric || !r->model || !r->split || !r->group || !r->convention ||
	    (v.why && !r->why) || (ci_why && !r->ci_why)) {
		row_free(r);
		return FT_ENOMEM;
	}
	c->n++;
	return 0;
}

void ft_comparison_free(struct ft_comparison *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		row_free(&c->rows[i]);
	free(c->rows);
	free(c);
}
