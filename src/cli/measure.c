/*
 * measure.c - measuring models for train and eval: the before/after rows,
 * the gap decomposition and the proxy report, and their options.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

void cli_measure_init(struct cli_measure *m)
{
	m->threshold = 0.5;
	m->n_bootstrap = 1000;
	m->level = 0.95;
	m->n_perm = 1000;
	m->report = NULL;
}

int cli_measure_option(struct cli_measure *m, const char *cmd, int opt, const char *arg)
{
	switch (opt) {
	case OPT_THRESHOLD:
		if (cli_parse_double(arg, &m->threshold)) {
			cli_usage_error(cmd, "--threshold takes a number, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_BOOTSTRAP:
		if (cli_parse_size(arg, &m->n_bootstrap) || m->n_bootstrap > 1000000) {
			cli_usage_error(cmd, "--bootstrap takes an integer from 0 to 1000000, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_PERMUTATIONS:
		if (cli_parse_size(arg, &m->n_perm) || m->n_perm > 10000000) {
			cli_usage_error(cmd, "--permutations takes an integer from 0 to 10000000, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_LEVEL:
		if (cli_parse_double(arg, &m->level) || !(m->level > 0 && m->level < 1)) {
			cli_usage_error(cmd, "--level takes a number in (0, 1), not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_REPORT: {
		const char *dot = strrchr(arg, '.');
		if (!dot || (strcmp(dot, ".json") && strcmp(dot, ".md") && strcmp(dot, ".csv"))) {
			cli_usage_error(cmd, "--report FILE must end in .json, .md or .csv, not '%s'", arg);
			return -1;
		}
		m->report = arg;
		return 1;
	}
	default:
		return 0;
	}
}

int cli_fit_option(struct ft_logreg_params *lp, const char *cmd, int opt, const char *arg)
{
	size_t v;

	switch (opt) {
	case OPT_C:
		if (cli_parse_double(arg, &lp->C)) {
			cli_usage_error(cmd, "--C takes a number, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_SOLVER:
		if (!strcmp(arg, "auto"))
			lp->solver.solver = FT_SOLVER_AUTO;
		else if (!strcmp(arg, "newton"))
			lp->solver.solver = FT_SOLVER_NEWTON;
		else if (!strcmp(arg, "lbfgs"))
			lp->solver.solver = FT_SOLVER_LBFGS;
		else {
			cli_usage_error(cmd, "--solver takes auto, newton or lbfgs, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_MAX_ITER:
		if (cli_parse_size(arg, &v) || v == 0 || v > 1000000) {
			cli_usage_error(cmd, "--max-iter takes a positive integer, not '%s'", arg);
			return -1;
		}
		lp->solver.max_iter = (int)v;
		return 1;
	case OPT_TOL:
		if (cli_parse_double(arg, &lp->solver.tol)) {
			cli_usage_error(cmd, "--tol takes a number, not '%s'", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

struct ft_comparison *cli_comparison_new(const struct cli_measure *ms, uint64_t seed)
{
	struct ft_comparison *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->n_bootstrap = ms->n_bootstrap;
	c->level = ms->level;
	c->seed = seed;
	c->threshold = ms->threshold;
	return c;
}

int cli_check_groups(const struct ft_model_file *mf, const struct ft_dataset *ds,
                     const char *path)
{
	const char *what = mf->thresholds ? "uses group-specific thresholds" :
	                   "scores each group with its own weights";

	if (!mf->thresholds && mf->model->n_groups == 0)
		return 0;
	if (!ds->group) {
		cli_fail("%s: this model (%s) %s: the data needs the sensitive column%s %s",
		         path, mf->method, what, mf->enc->n_sensitive > 1 ? "s" : "",
		         mf->enc->n_sensitive ? mf->enc->sensitive[0] : "");
		return -1;
	}
	for (size_t i = 0; i < ds->n; i++)
		if (ds->group[i] < 0) {
			cli_fail("%s:%zu: group missing or not seen in training; this model %s",
			         path, ds->line[i], what);
			return -1;
		}
	return 0;
}

int cli_measure_model(struct ft_comparison *cmp, size_t n_perm, const char *model_name,
                      const char *split, const struct ft_linear_model *m,
                      const struct ft_mixture *mx, const struct ft_thresholds *th,
                      const struct ft_dataset *ds, const struct ft_encoder *e)
{
	struct ft_eval_input in;
	struct ft_error err = {0};
	size_t n = ds->n ? ds->n : 1;
	double *prob = malloc(n * sizeof *prob);
	double *pos = mx || th ? malloc(n * sizeof *pos) : NULL;
	int rc;

	if (!prob || ((mx || th) && !pos)) {
		free(prob);
		free(pos);
		cli_fail("out of memory");
		return -1;
	}
	if (ft_classify(m, mx, th, ds, cmp->threshold, prob, pos, &err)) {
		free(prob);
		free(pos);
		cli_fail("scoring the %s model on the %s part: %s", model_name, split, err.msg);
		return -1;
	}
	ft_eval_input_init(&in);
	in.pos = pos;
	in.n = ds->n;
	in.y = ds->y;
	in.score = prob;
	in.w = ds->w;
	in.group = ds->group;
	in.n_groups = ds->group ? e->n_groups : 0;
	in.group_names = (const char *const *)e->group_names;
	in.threshold = cmp->threshold;
	for (size_t g = 0; e->privileged && g < e->n_groups; g++)
		if (!strcmp(e->group_names[g], e->privileged))
			in.privileged = (long)g;
	rc = ft_comparison_measure(cmp, model_name, split, &in, &err);
	if (!rc)
		rc = ft_comparison_permutation(cmp, model_name, split, &in, n_perm, &err);
	free(prob);
	free(pos);
	if (rc) {
		cli_fail("measuring the %s model on the %s part: %s", model_name, split, err.msg);
		return -1;
	}
	return 0;
}

int cli_copy_rows(struct ft_comparison *cmp, const char *from, const char *to,
                  const char *split)
{
	size_t n = cmp->n;

	for (size_t i = 0; i < n; i++) {
		/* copy the row's fields first: adding may move the rows */
		struct ft_comparison_row r = cmp->rows[i];
		struct ft_value v = {r.value, r.why}, lo = {r.lo, r.ci_why}, hi = {r.hi, r.ci_why};
		if (strcmp(r.model, from) || strcmp(r.split, split))
			continue;
		if (ft_comparison_add(cmp, r.metric, to, split, r.group, r.convention, v, lo, hi)) {
			cli_fail("out of memory");
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------- extras */

static const double *sort_vals;
static int by_abs_desc(const void *a, const void *b)
{
	double x = fabs(sort_vals[*(const size_t *)a]), y = fabs(sort_vals[*(const size_t *)b]);
	return (x < y) - (x > y);
}

static int by_nmi_desc(const void *a, const void *b)
{
	double x = ((const struct ft_proxy *)a)->nmi, y = ((const struct ft_proxy *)b)->nmi;
	return (x < y) - (x > y);
}

#define TOP_CONTRIB 8

int cli_extras_compute(struct cli_extras *x, const struct ft_linear_model *m,
                       const struct ft_dataset *ds, const char *model_name,
                       const char *split, const struct ft_encoder *e,
                       const struct ft_dataset *train)
{
	struct ft_error err = {0};
	size_t ng = e->n_groups, a = 0, b = 0, *idx = NULL;
	double *dec = NULL, *sum = NULL, *ws = NULL, *contrib = NULL;
	long priv = -1;
	int rc = -1;

	memset(x, 0, sizeof *x);
	if (!ds->group || ng < 2 || !train->group)
		return 0;
	dec = malloc((ds->n ? ds->n : 1) * sizeof *dec);
	sum = calloc(ng, sizeof *sum);
	ws = calloc(ng, sizeof *ws);
	contrib = malloc((m->p ? m->p : 1) * sizeof *contrib);
	idx = malloc((m->p ? m->p : 1) * sizeof *idx);
	if (!dec || !sum || !ws || !contrib || !idx)
		goto done;
	/* mean decision value per group picks the pair to explain */
	ft_linear_decision(m, ds, dec);
	for (size_t i = 0; i < ds->n; i++)
		if (ds->group[i] >= 0) {
			double w = ds->w ? ds->w[i] : 1.0;
			sum[ds->group[i]] += w * dec[i];
			ws[ds->group[i]] += w;
		}
	for (size_t g = 0; e->privileged && g < ng; g++)
		if (!strcmp(e->group_names[g], e->privileged))
			priv = (long)g;
	{
		double best = -1;
		for (size_t g = 0; g < ng; g++)
			for (size_t h = 0; h < ng; h++) {
				double gap;
				if (g == h || !(ws[g] > 0) || !(ws[h] > 0))
					continue;
				if (priv >= 0 && h != (size_t)priv)
					continue;
				gap = fabs(sum[g] / ws[g] - sum[h] / ws[h]);
				if (gap > best) {
					best = gap;
					a = g;
					b = h;
				}
			}
		if (best < 0)
			goto proxies;
	}
	/* a per-group model has no single beta to split the gap with */
	if (m->n_groups == 0 && ft_gap_decomposition(m, ds, a, b, contrib, &x->gap, &err) == 0) {
		size_t k = m->p < TOP_CONTRIB ? m->p : TOP_CONTRIB;
		for (size_t j = 0; j < m->p; j++)
			idx[j] = j;
		sort_vals = contrib;
		qsort(idx, m->p, sizeof *idx, by_abs_desc);
		x->contrib = malloc((k ? k : 1) * sizeof *x->contrib);
		x->contrib_names = malloc((k ? k : 1) * sizeof *x->contrib_names);
		if (!x->contrib || !x->contrib_names)
			goto done;
		for (size_t j = 0; j < k; j++) {
			x->contrib[j] = contrib[idx[j]];
			x->contrib_names[j] = e->feature_names[idx[j]];
		}
		x->n_contrib = k;
		x->decomp_model = model_name;
		x->decomp_split = split;
		x->group_a = e->group_names[a];
		x->group_b = e->group_names[b];
	}
proxies:
	if (ft_proxy_report(e, train, &x->proxy, &x->n_proxy, &err) == 0)
		qsort(x->proxy, x->n_proxy, sizeof *x->proxy, by_nmi_desc);
	rc = 0;
done:
	if (rc)
		cli_fail("out of memory");
	free(dec);
	free(sum);
	free(ws);
	free(contrib);
	free(idx);
	return rc;
}

void cli_extras_print(const struct cli_extras *x, const struct ft_encoder *e)
{
	if (x->n_contrib) {
		printf("\nwhere the gap comes from (%s model, %s part): mean decision value "
		       "%s - %s = %+.4f\n", x->decomp_model, x->decomp_split, x->group_a,
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

void cli_extras_free(struct cli_extras *x)
{
	free(x->contrib);
	free(x->contrib_names);
	free(x->proxy);
	memset(x, 0, sizeof *x);
}
