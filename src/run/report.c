/*
 * report.c - the before/after comparison as a file people and programs
 * read (ft_report_write): JSON, Markdown or CSV, chosen by the file's
 * extension, written atomically.  A table without classification metrics
 * (a ranker's) is written to Markdown as it stands: one row per metric and
 * group, one column per model.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run/run.h"
#include "core/internal.h"

static void json_str(FILE *fp, const char *s)
{
	if (!s) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}

static void json_num(FILE *fp, double v, int defined)
{
	char b[FT_FMT_DOUBLE_LEN];

	if (defined && isfinite(v))
		fputs(ft_fmt_double(b, v), fp);
	else
		fputs("null", fp);
}

static void write_json(FILE *fp, const struct ft_comparison *c,
                       const struct ft_explain *x)
{
	fprintf(fp, "{\n  \"format\": \"fairtrain-report\",\n  \"version\": 1,\n");
	fprintf(fp, "  \"threshold\": ");
	json_num(fp, c->threshold, 1);
	fprintf(fp, ",\n  \"n_bootstrap\": %zu,\n  \"level\": ", c->n_bootstrap);
	json_num(fp, c->level, 1);
	fprintf(fp, ",\n  \"seed\": %llu,\n", (unsigned long long)c->seed);
	fprintf(fp, "  \"comparison\": [\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct ft_comparison_row *r = &c->rows[i];
		fprintf(fp, "    {\"metric\": ");
		json_str(fp, r->metric);
		fprintf(fp, ", \"model\": ");
		json_str(fp, r->model);
		fprintf(fp, ", \"split\": ");
		json_str(fp, r->split);
		fprintf(fp, ", \"group\": ");
		json_str(fp, r->group);
		fprintf(fp, ", \"convention\": ");
		json_str(fp, r->convention);
		fprintf(fp, ", \"value\": ");
		json_num(fp, r->value, !r->why);
		fprintf(fp, ", \"undefined\": ");
		json_str(fp, r->why);
		fprintf(fp, ", \"lo\": ");
		json_num(fp, r->lo, !r->ci_why);
		fprintf(fp, ", \"hi\": ");
		json_num(fp, r->hi, !r->ci_why);
		fprintf(fp, "}%s\n", i + 1 < c->n ? "," : "");
	}
	fprintf(fp, "  ]");
	if (x && x->n_contrib) {
		fprintf(fp, ",\n  \"gap_decomposition\": {\"model\": ");
		json_str(fp, x->model);
		fprintf(fp, ", \"split\": ");
		json_str(fp, x->split);
		fprintf(fp, ", \"group_a\": ");
		json_str(fp, x->group_a);
		fprintf(fp, ", \"group_b\": ");
		json_str(fp, x->group_b);
		fprintf(fp, ", \"gap\": ");
		json_num(fp, x->gap, 1);
		fprintf(fp, ", \"contributions\": [\n");
		for (size_t j = 0; j < x->n_contrib; j++) {
			fprintf(fp, "    {\"feature\": ");
			json_str(fp, x->contrib_names[j]);
			fprintf(fp, ", \"contribution\": ");
			json_num(fp, x->contrib[j], 1);
			fprintf(fp, "}%s\n", j + 1 < x->n_contrib ? "," : "");
		}
		fprintf(fp, "  ]}");
	}
	if (x && x->n_proxy) {
		fprintf(fp, ",\n  \"proxies\": [\n");
		for (size_t j = 0; j < x->n_proxy; j++) {
			fprintf(fp, "    {\"column\": ");
			json_str(fp, x->proxy[j].column);
			fprintf(fp, ", \"mutual_information\": ");
			json_num(fp, x->proxy[j].mi, 1);
			fprintf(fp, ", \"normalized_mi\": ");
			json_num(fp, x->proxy[j].nmi, 1);
			fprintf(fp, ", \"auc\": ");
			json_num(fp, x->proxy[j].auc.value, !x->proxy[j].auc.why);
			fprintf(fp, "}%s\n", j + 1 < x->n_proxy ? "," : "");
		}
		fprintf(fp, "  ]");
	}
	fprintf(fp, "\n}\n");
}

int ft_csv_field(FILE *fp, const char *s)
{
	if (!s)
		return 0;
	if (!strpbrk(s, ",\"\n\r"))
		return fputs(s, fp) < 0 ? -1 : 0;
	if (fputc('"', fp) == EOF)
		return -1;
	for (; *s; s++)
		if ((*s == '"' && fputc('"', fp) == EOF) || fputc(*s, fp) == EOF)
			return -1;
	return fputc('"', fp) == EOF ? -1 : 0;
}

static void write_csv(FILE *fp, const struct ft_comparison *c)
{
	fprintf(fp, "metric,model,split,group,convention,value,undefined,lo,hi\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct ft_comparison_row *r = &c->rows[i];
		const char *f[5] = {r->metric, r->model, r->split, r->group, r->convention};
		for (int k = 0; k < 5; k++) {
			ft_csv_field(fp, f[k]);
			fputc(',', fp);
		}
		char b[FT_FMT_DOUBLE_LEN], b2[FT_FMT_DOUBLE_LEN];

		if (!r->why)
			fputs(ft_fmt_double(b, r->value), fp);
		fputc(',', fp);
		ft_csv_field(fp, r->why);
		if (!r->ci_why)
			fprintf(fp, ",%s,%s\n", ft_fmt_double(b, r->lo), ft_fmt_double(b2, r->hi));
		else
			fprintf(fp, ",,\n");
	}
}

static void md_val(FILE *fp, const struct ft_comparison_row *r)
{
	if (!r)
		fprintf(fp, " – |");
	else if (r->why)
		fprintf(fp, " undefined (%s) |", r->why);
	else
		fprintf(fp, " %.4f |", r->value);
}

static void write_md(FILE *fp, const struct ft_comparison *c,
                     const struct ft_explain *x, size_t n_groups,
                     char *const *group_names)
{
	static const char *const SPLITS[] = {"train", "test", "eval", "audit"};
	const char *models[2] = {NULL, NULL};

	/* models in order of appearance: baseline first */
	for (size_t i = 0; i < c->n && !models[1]; i++)
		if (!models[0])
			models[0] = c->rows[i].model;
		else if (strcmp(models[0], c->rows[i].model))
			models[1] = c->rows[i].model;
	fprintf(fp, "# fairtrain report\n\nyhat = score >= %g. Intervals: %zu bootstrap "
	        "resamples, %.0f%% percentile, seed %llu.\n", c->threshold,
	        c->n_bootstrap, 100 * c->level, (unsigned long long)c->seed);
	for (size_t s = 0; s < sizeof SPLITS / sizeof *SPLITS; s++) {
		int any = 0;
		for (size_t i = 0; i < c->n && !any; i++)
			any = !strcmp(c->rows[i].split, SPLITS[s]);
		if (!any)
			continue;
		fprintf(fp, "\n## %s\n\n### Metrics\n\n| metric | group |", SPLITS[s]);
		for (int m = 0; m < 2 && models[m]; m++)
			fprintf(fp, " %s |", models[m]);
		fprintf(fp, "\n|---|---|%s\n", models[1] ? "---:|---:|" : "---:|");
		for (int m = 0; m < FT_N_METRICS; m++)
			for (size_t g = 0; g <= n_groups; g++) {
				const char *gn = g ? group_names[g - 1] : "overall";
				fprintf(fp, "| %s | %s |", ft_metric_name(m), gn);
				for (int k = 0; k < 2 && models[k]; k++)
					md_val(fp, ft_comparison_find(c, ft_metric_name(m), models[k], SPLITS[s], gn, ""));
				fputc('\n', fp);
			}
		fprintf(fp, "\n### Fairness\n\n| metric | convention |");
		for (int m = 0; m < 2 && models[m]; m++)
			fprintf(fp, " %s |", models[m]);
		fprintf(fp, " interval (%s) |\n|---|---|%s---|\n", models[1] ? models[1] : models[0],
		        models[1] ? "---:|---:|" : "---:|");
		for (int f = 0; f < FT_N_FAIRNESS; f++)
			for (int v = 0; v < FT_N_CONV; v++) {
				const char *last = models[1] ? models[1] : models[0];
				const struct ft_comparison_row *r = ft_comparison_find(c, ft_fairness_name(f), last,
				                                                 SPLITS[s], "", ft_convention_name(v));
				if (!r)
					continue;
				fprintf(fp, "| %s | %s |", ft_fairness_name(f), ft_convention_name(v));
				for (int k = 0; k < 2 && models[k]; k++)
					md_val(fp, ft_comparison_find(c, ft_fairness_name(f), models[k], SPLITS[s], "",
					                        ft_convention_name(v)));
				if (r->ci_why)
					fprintf(fp, " – |\n");
				else
					fprintf(fp, " [%.4f, %.4f] |\n", r->lo, r->hi);
			}
	}
	if (x && x->n_contrib) {
		fprintf(fp, "\n## Where the gap comes from (%s, %s)\n\nMean decision value, "
		        "%s minus %s: %.4f.\n\n| feature | contribution |\n|---|---:|\n",
		        x->model, x->split, x->group_a, x->group_b, x->gap);
		for (size_t j = 0; j < x->n_contrib; j++)
			fprintf(fp, "| %s | %+.4f |\n", x->contrib_names[j], x->contrib[j]);
	}
	if (x && x->n_proxy) {
		fprintf(fp, "\n## Proxies of the sensitive attribute (training data)\n\n"
		        "| column | mutual information (nats) | normalized | AUC |\n|---|---:|---:|---:|\n");
		for (size_t j = 0; j < x->n_proxy; j++) {
			fprintf(fp, "| %s | %.4f | %.4f |", x->proxy[j].column, x->proxy[j].mi,
			        x->proxy[j].nmi);
			if (x->proxy[j].auc.why)
				fprintf(fp, " – |\n");
			else
				fprintf(fp, " %.4f |\n", x->proxy[j].auc.value);
		}
	}
}

/* Markdown of any tidy table: per split, one row per (metric, group,
 * convention) and one column per model, both in order of first
 * appearance.  For tables that are not classification tables (rankers). */
static void write_md_tidy(FILE *fp, const struct ft_comparison *c)
{
	const char *models[8], *splits[8];
	size_t nm = 0, ns = 0;

	for (size_t i = 0; i < c->n; i++) {
		size_t k;
		for (k = 0; k < nm && strcmp(models[k], c->rows[i].model); k++)
			;
		if (k == nm && nm < 8)
			models[nm++] = c->rows[i].model;
		for (k = 0; k < ns && strcmp(splits[k], c->rows[i].split); k++)
			;
		if (k == ns && ns < 8)
			splits[ns++] = c->rows[i].split;
	}
	fprintf(fp, "# fairtrain report\n");
	for (size_t s = 0; s < ns; s++) {
		fprintf(fp, "\n## %s\n\n| metric | group |", splits[s]);
		for (size_t m = 0; m < nm; m++)
			fprintf(fp, " %s |", models[m]);
		fprintf(fp, "\n|---|---|");
		for (size_t m = 0; m < nm; m++)
			fprintf(fp, "---:|");
		fputc('\n', fp);
		for (size_t i = 0; i < c->n; i++) {
			const struct ft_comparison_row *r = &c->rows[i];
			int first = 1;
			if (strcmp(r->split, splits[s]))
				continue;
			/* one line per (metric, group, convention): its first row */
			for (size_t j = 0; j < i && first; j++)
				first = strcmp(c->rows[j].split, r->split) ||
				        strcmp(c->rows[j].metric, r->metric) ||
				        strcmp(c->rows[j].group, r->group) ||
				        strcmp(c->rows[j].convention, r->convention);
			if (!first)
				continue;
			fprintf(fp, "| %s | %s%s%s |", r->metric, r->group,
			        *r->convention ? " " : "", r->convention);
			for (size_t m = 0; m < nm; m++)
				md_val(fp, ft_comparison_find(c, r->metric, models[m], r->split, r->group,
				                        r->convention));
			fputc('\n', fp);
		}
	}
}

int ft_report_write(const char *path, const struct ft_comparison *c,
                    const struct ft_explain *x, size_t n_groups,
                    char *const *group_names, struct ft_error *err)
{
	const char *dot = strrchr(path, '.');
	struct ft_atomic a;
	int kind, rc;

	if (dot && !strcmp(dot, ".json"))
		kind = 0;
	else if (dot && !strcmp(dot, ".md"))
		kind = 1;
	else if (dot && !strcmp(dot, ".csv"))
		kind = 2;
	else
		return ft_error_set(err, FT_EINVAL, "%s: report format unknown: use .json, "
		                    ".md or .csv", path);
	if ((rc = ft_atomic_open(&a, path, err)))
		return rc;
	if (kind == 0)
		write_json(a.fp, c, x);
	else if (kind == 1) {
		int classify = 0;
		for (size_t i = 0; i < c->n && !classify; i++)
			for (int m = 0; m < FT_N_METRICS && !classify; m++)
				classify = !strcmp(c->rows[i].metric, ft_metric_name(m));
		if (classify || c->n == 0)
			write_md(a.fp, c, x, n_groups, group_names);
		else
			write_md_tidy(a.fp, c);
	}
	else
		write_csv(a.fp, c);
	return ft_atomic_commit(&a, err);
}
