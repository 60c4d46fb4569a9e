/*
 * print.c - what the commands print: the compact before/after table of a
 * classifier and of a ranker, where the gap comes from, the proxies, and
 * the registry's methods for --help.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

/* Rows printed in the compact table: (metric, group-or-convention). */
static const char *const SHOW_OVERALL[] = {
	"accuracy", "balanced_accuracy", "auc", "log_loss", "selection_rate", NULL
};
static const char *const SHOW_GROUP[] = {"selection_rate", "tpr", "fpr", NULL};

static void cell(char *buf, size_t n, const struct ft_comparison_row *r)
{
	if (!r)
		snprintf(buf, n, "-");
	else if (r->why)
		snprintf(buf, n, "undefined");
	else
		snprintf(buf, n, "%.4f", r->value);
}

static void line(const struct ft_comparison *c, const char *split,
                 const char *before, const char *after, const char *metric,
                 const char *group, const char *conv, const char *label)
{
	const struct ft_comparison_row *b = before ? ft_comparison_find(c, metric, before, split, group, conv) : NULL;
	const struct ft_comparison_row *a = ft_comparison_find(c, metric, after, split, group, conv);
	char bs[32], as[32], ch[32] = "", ci[64] = "";

	if (!a)
		return;
	cell(bs, sizeof bs, b);
	cell(as, sizeof as, a);
	if (b && !b->why && !a->why)
		snprintf(ch, sizeof ch, "%+.4f", a->value - b->value);
	if (!a->ci_why)
		snprintf(ci, sizeof ci, "[%.4f, %.4f]", a->lo, a->hi);
	if (before)
		printf("  %-39s %-29s %10s %10s %10s  %s\n", metric, label, bs, as, ch, ci);
	else
		printf("  %-39s %-29s %10s  %s\n", metric, label, as, ci);
	if (a->why)
		printf("  %-39s   (%s)\n", "", a->why);
}

static const char *const DIST_ROWS[][2] = {
	{"score_kl_divergence", "between_groups"}, {"score_js_divergence", "between_groups"},
	{"score_total_variation", "between_groups"},
	{"score_earth_movers_distance", "between_groups"},
	{"score_kl_divergence_to_reference", "to_reference"},
	{"score_js_divergence_to_reference", "to_reference"},
	{"score_total_variation_to_reference", "to_reference"},
	{"score_earth_movers_distance_to_reference", "to_reference"},
	{"smoothed_empirical_differential_fairness", "between_groups"},
	{"atkinson_index", "individual"}, {"theil_l_index", "individual"},
	{"coefficient_of_variation", "individual"}, {"consistency", "individual"},
	{NULL, NULL}
};

void cli_print_comparison(const struct ft_comparison *c, const char *split,
                          const char *before, const char *after,
                          size_t n_groups, char *const *group_names)
{
	char head[128];

	snprintf(head, sizeof head, "%.0f%% interval", 100 * c->level);
	if (before)
		printf("  %-39s %-29s %10s %10s %10s  %s\n", "metric", "group / convention",
		       before, after, "change", c->n_bootstrap ? head : "");
	else
		printf("  %-39s %-29s %10s  %s\n", "metric", "group / convention",
		       after, c->n_bootstrap ? head : "");
	for (int k = 0; SHOW_OVERALL[k]; k++)
		line(c, split, before, after, SHOW_OVERALL[k], "overall", "", "overall");
	for (int k = 0; SHOW_GROUP[k]; k++)
		for (size_t g = 0; g < n_groups; g++)
			line(c, split, before, after, SHOW_GROUP[k], group_names[g], "", group_names[g]);
	for (int f = 0; f < FT_N_FAIRNESS; f++)
		for (int v = 0; v < FT_N_CONV; v++)
			line(c, split, before, after, ft_fairness_name(f), "",
			     ft_convention_name(v), ft_convention_name(v));
	/* the distribution and inequality measures (metric, convention) */
	for (int k = 0; DIST_ROWS[k][0]; k++)
		line(c, split, before, after, DIST_ROWS[k][0], "", DIST_ROWS[k][1],
		     DIST_ROWS[k][1]);
	/* the rich subgroups: each model's own, named by its groups */
	for (int m = 0; m < 2; m++) {
		const char *model = m ? after : before;
		if (!model)
			continue;
		for (int rate = 0; rate < 2; rate++) {
			const char *nm[3] = {rate ? "subgroup_fn_weighted_disparity" :
			                     "subgroup_fp_weighted_disparity",
			                     rate ? "subgroup_fn_disparity" : "subgroup_fp_disparity",
			                     rate ? "subgroup_fn_size" : "subgroup_fp_size"};
			const struct ft_comparison_row *r[3] = {NULL, NULL, NULL};
			for (size_t i = 0; i < c->n && !r[0]; i++)
				if (!strcmp(c->rows[i].metric, nm[0]) && !strcmp(c->rows[i].model, model) &&
				    !strcmp(c->rows[i].split, split))
					r[0] = &c->rows[i];
			if (!r[0])
				continue;
			r[1] = ft_comparison_find(c, nm[1], model, split, r[0]->group, "rich_subgroup");
			r[2] = ft_comparison_find(c, nm[2], model, split, r[0]->group, "rich_subgroup");
			printf("  rich subgroup, %s rate, %-10s %s: size %.4f x disparity %.4f = %.4f\n",
			       rate ? "FN" : "FP", model, r[0]->group, r[2] ? r[2]->value : NAN,
			       r[1] ? r[1]->value : NAN, r[0]->value);
		}
	}
	/* permutation tests of the mitigated (after) model */
	for (size_t i = 0; i < c->n; i++) {
		const struct ft_comparison_row *g = &c->rows[i], *p;
		char name[80];
		if (strcmp(g->convention, "permutation_test") || strcmp(g->model, after) ||
		    strcmp(g->split, split))
			continue;
		snprintf(name, sizeof name, "%s_p_value", g->metric);
		p = ft_comparison_find(c, name, after, split, g->group, "permutation_test");
		if (!p)
			continue;
		if (g->why)
			printf("  permutation test %-22s %-29s gap undefined (%s)\n", g->metric,
			       g->group, g->why);
		else
			printf("  permutation test %-22s %-29s gap %+.4f, p = %.4g\n", g->metric,
			       g->group, g->value, p->value);
	}
}

void cli_print_explain(const struct ft_explain *x, const struct ft_encoder *e)
{
	if (!x)
		return;
	if (x->n_contrib) {
		printf("\nwhere the gap comes from (%s model, %s part): mean decision value "
		       "%s - %s = %+.4f\n", x->model, x->split, x->group_a,
		       x->group_b, x->gap);
		for (size_t j = 0; j < x->n_contrib; j++)
			printf("  %-40s %+.4f\n", x->contrib_names[j], x->contrib[j]);
	}
	if (x->n_proxy) {
		size_t k = x->n_proxy < 5 ? x->n_proxy : 5;
		printf("\nproxies of ");
		for (size_t s = 0; s < e->n_sensitive; s++)
			printf("%s%s", s ? "&" : "", e->sensitive[s]);
		printf(" (training data; normalized mutual information%s):\n",
		       e->n_groups == 2 ? ", AUC" : "");
		for (size_t j = 0; j < k; j++) {
			printf("  %-40s %.4f", x->proxy[j].column, x->proxy[j].nmi);
			if (!x->proxy[j].auc.why)
				printf("  %.4f", x->proxy[j].auc.value);
			printf("\n");
		}
	}
}

/* text after lead (already printed, lead_len columns wide), wrapped at
 * 79 columns with continuation lines indented by indent. */
void cli_print_wrapped(size_t lead_len, size_t indent, const char *text)
{
	size_t col = lead_len;
	int space = lead_len > 0;      /* a blank before the next word */

	while (*text) {
		size_t w = strcspn(text, " ");
		if (col > indent && col + space + w > 79) {
			printf("\n%*s", (int)indent, "");
			col = indent;
			space = 0;
		}
		if (space) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)w, text);
		col += w;
		space = 1;
		text += w;
		while (*text == ' ')
			text++;
	}
	putchar('\n');
}

void cli_print_solver(const char *label, const struct ft_solver_result *r)
{
	/* DELTR's reference mode: a fixed number of gradient steps, which has
	 * no convergence to report */
	if (r->solver == FT_SOLVER_AUTO && !r->converged)
		printf("%-9s gradient descent: %d fixed steps, objective %.10g\n", label,
		       r->iterations, r->f);
	else
		printf("%-9s %s: %d iterations, objective %.10g, |grad| = %.2e, %s\n", label,
		       ft_solver_name(r->solver), r->iterations, r->f, r->grad_norm,
		       r->converged ? "converged" : "NOT converged");
}

void cli_print_methods(int task, int stage)
{
	size_t n;
	const struct ft_method *m = ft_method_list(&n);

	for (size_t i = 0; i < n; i++) {
		char lead[128];
		int len;

		/* stage -1: every stage but rerank; -2: every stage */
		if (m[i].task != task || (stage >= 0 ? m[i].stage != stage :
		                          stage == -1 && m[i].stage == FT_STAGE_RERANK))
			continue;
		len = printf("  %-14s %-6s", m[i].name, ft_stage_name(m[i].stage));
		cli_print_wrapped((size_t)(len > 0 ? len : 0), 24, m[i].help);
		for (size_t k = 0; k < m[i].n_params; k++) {
			const struct ft_param_def *p = &m[i].params[k];
			if (p->choices)
				snprintf(lead, sizeof lead, "      %s (%s; default %s):", p->name,
				         p->choices, ft_param_choice(p, p->def));
			else
				snprintf(lead, sizeof lead, "      %s (default %g):", p->name, p->def);
			len = printf("%s", lead);
			cli_print_wrapped((size_t)(len > 0 ? len : 0), 10, p->help);
		}
	}
}

void cli_print_dp(const struct ft_dp_audit *a, const struct ft_budget *b,
                  char *const *group_names, const char *what)
{
	if (a) {
		printf("\nprivate release (%s): every group's confusion cells with geometric "
		       "noise, epsilon %g (scale %.3g); rates of the noisy cells, %.0f%% "
		       "intervals that include the noise:\n", what, a->epsilon, a->scale,
		       100 * a->level);
		printf("  %-20s %8s %8s %8s %8s", "group", "TN", "FP", "FN", "TP");
		for (int k = 0; k < FT_DPA_N; k++)
			printf("  %-24s", ft_dp_audit_rate_name(k));
		printf("\n");
		for (size_t g = 0; g < a->n_groups; g++) {
			const int64_t *c = a->cells + g * 4;
			printf("  %-20s %8lld %8lld %8lld %8lld", group_names[g], (long long)c[0],
			       (long long)c[1], (long long)c[2], (long long)c[3]);
			for (int k = 0; k < FT_DPA_N; k++) {
				size_t i = g * FT_DPA_N + (size_t)k;
				if (isnan(a->rate[i]))
					printf("  %-24s", "undefined");
				else if (a->n_bootstrap)
					printf("  %.4f [%.4f, %.4f]  ", a->rate[i], a->lo[i], a->hi[i]);
				else
					printf("  %-24.4f", a->rate[i]);
			}
			printf("\n");
		}
		printf("  %-20s %35s", "largest gap", "");
		for (int k = 0; k < FT_DPA_N; k++)
			if (isnan(a->gap[k]))
				printf("  %-24s", "undefined");
			else if (a->n_bootstrap)
				printf("  %.4f [%.4f, %.4f]  ", a->gap[k], a->gap_lo[k], a->gap_hi[k]);
			else
				printf("  %-24.4f", a->gap[k]);
		printf("\n");
	}
	if (b) {
		size_t n = ft_budget_format(b, NULL, 0);
		char *buf = malloc(n + 1);
		if (buf) {
			ft_budget_format(b, buf, n + 1);
			printf("\nprivacy budget:\n%s%s", buf, n && buf[n - 1] == '\n' ? "" : "\n");
			free(buf);
		}
	}
}
