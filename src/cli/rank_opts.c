/*
 * rank_opts.c - the options that say how rankings are measured (--at,
 * --ties, --tie-seed, --target-shares), shared by train --task rank, eval,
 * audit --task rank and compare --task rank, and the ranking table.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

int cli_rank_measure_option(struct ft_measure_opts *m, const char *cmd, int opt,
                            const char *arg)
{
	char *copy, *tok, *save = NULL;
	size_t n = 0;
	int bad = 0;

	switch (opt) {
	case OPT_AT:
		if (!(copy = strdup(arg)))
			return -1;
		for (tok = strtok_r(copy, ",", &save); tok && !bad; tok = strtok_r(NULL, ",", &save))
			bad = n == FT_MAX_CUTOFFS || cli_parse_size(tok, &m->cutoffs[n++]) ||
			      m->cutoffs[n - 1] == 0;
		free(copy);
		if (bad || n == 0) {
			cli_usage_error(cmd, "--at takes up to %d cut-offs k >= 1 (5,10,20), not '%s'",
			                FT_MAX_CUTOFFS, arg);
			return -1;
		}
		m->n_cutoffs = n;
		return 1;
	case OPT_TIES:
		if (!strcmp(arg, "expect"))
			m->ties = FT_TIE_EXPECT;
		else if (!strcmp(arg, "random"))
			m->ties = FT_TIE_RANDOM;
		else if (!strcmp(arg, "input"))
			m->ties = FT_TIE_STABLE;
		else {
			cli_usage_error(cmd, "--ties takes expect, random or input, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_TIE_SEED:
		if (cli_parse_u64(arg, &m->tie_seed)) {
			cli_usage_error(cmd, "--tie-seed takes a non-negative integer, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_TARGET_SHARES:
		if (!(copy = strdup(arg)))
			return -1;
		for (tok = strtok_r(copy, "/", &save); tok && !bad; tok = strtok_r(NULL, "/", &save))
			bad = n == FT_MAX_LIST || cli_parse_double(tok, &m->target[n++]) ||
			      !(m->target[n - 1] >= 0 && m->target[n - 1] <= 1);
		free(copy);
		if (bad || n < 2) {
			cli_usage_error(cmd, "--target-shares takes one share in [0, 1] per group, "
			                "a/b/.. (0.5/0.5), not '%s'", arg);
			return -1;
		}
		m->n_target = n;
		return 1;
	default:
		return 0;
	}
}

/* One value cell: the row's value, "undefined", or blank when absent. */
static void value_cell(const struct ft_comparison_row *r, int p_value)
{
	if (!r)
		printf(" %10s", "");
	else if (r->why)
		printf(" %10s", p_value ? "-" : "undefined");
	else if (p_value)
		printf(" %10.4f", r->value);
	else if (!strncmp(r->metric, "n_queries", 9) || strstr(r->metric, "_queries"))
		printf(" %10.0f", r->value);
	else
		printf(" %10.4f", r->value);
}

void cli_print_ranking(const struct ft_comparison *c, const char *split, int ties)
{
	const char *model[4];
	const struct ft_comparison_row *nq;
	size_t nm = 0;

	/* the models, in order of first appearance */
	for (size_t i = 0; i < c->n && nm < 4; i++) {
		const struct ft_comparison_row *r = &c->rows[i];
		size_t k;
		if (strcmp(r->split, split) || *r->convention)
			continue;
		for (k = 0; k < nm && strcmp(model[k], r->model); k++)
			;
		if (k == nm)
			model[nm++] = r->model;
	}
	if (!nm)
		return;
	printf("  %-28s %-16s", "metric", "group");
	for (size_t k = 0; k < nm; k++) {
		printf(" %10s", model[k]);
		if (k)
			printf(" %10s %10s", "change", "p");
	}
	printf("\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct ft_comparison_row *row = &c->rows[i];
		char ch[96], pv[96];
		if (strcmp(row->model, model[0]) || strcmp(row->split, split) || *row->convention)
			continue;
		printf("  %-28s %-16s", row->metric, row->group);
		snprintf(ch, sizeof ch, "%s_change", row->metric);
		snprintf(pv, sizeof pv, "%s_change_p_value", row->metric);
		for (size_t k = 0; k < nm; k++) {
			value_cell(ft_comparison_find(c, row->metric, model[k], split, row->group, ""),
			           0);
			if (k) {
				value_cell(ft_comparison_find(c, ch, model[k], split, row->group,
				                              "paired_test"), 1);
				value_cell(ft_comparison_find(c, pv, model[k], split, row->group,
				                              "paired_test"), 1);
			}
		}
		printf("\n");
	}
	nq = ft_comparison_find(c, "n_queries", model[0], split, "overall", "");
	if (nm > 1)
		printf("  change, p: each model against the one before it, query by query (mean\n"
		       "  difference, sign-flip test); ");
	else
		printf("  ");
	printf("intervals over queries in --report.  skew@k: LiFT-smoothed\n"
	       "  (alpha = 1) over all %.0f queries; _present: unsmoothed, over the queries\n"
	       "  where the group is in the top k; _pooled: ln(sum count / sum k share).\n"
	       "  Ties: %s.\n", nq ? nq->value : 0.0, ft_tie_rule(ties));
}
