/*
 * rank_fixture.h - what test_rank.c and test_deltr.c share: the small
 * synthetic ranking data set that scripts/fixtures/make_deltr_fixtures.py
 * rebuilds from the same integer formulas (synthetic() there), a reader for
 * the "KEY<TAB>v<TAB>v..." rows of tests/fixtures/deltr_*.tsv, and
 * finite-difference checks.  Include t.h first.
 */
#ifndef FT_RANK_FIXTURE_H
#define FT_RANK_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"

#define FIX_EXACT "tests/fixtures/deltr_exact.tsv"
#define FIX_LSAT "tests/fixtures/deltr_lsat.tsv"

/* The point at which the fixture's values and gradients are taken. */
static const double T_W0[3] = { 0.3, -0.2, 0.1 };

static char *t_strdup(const char *s)
{
	char *d = malloc(strlen(s) + 1);

	if (d)
		strcpy(d, s);
	return d;
}

/* nq queries of sizes[q] rows whose row i (counting from i0) has 3
 * features x_ij = ((7i + 5j + 3) mod 13) / 4 - 1.5, relevance (3i + 1) mod
 * 5, group 1 where (5i + 2) mod 3 == 0, else 0, and group -1 for i == 11.
 * Free with ft_rank_data_free. */
static struct ft_rank_data *t_make(size_t nq, const size_t *sizes, size_t i0)
{
	struct ft_rank_data *rd = calloc(1, sizeof *rd);
	size_t n = 0, p = 3;

	for (size_t q = 0; q < nq; q++)
		n += sizes[q];
	rd->path = t_strdup("synthetic");
	rd->n = n;
	rd->p = p;
	rd->x = malloc(n * p * sizeof *rd->x);
	rd->rel = malloc(n * sizeof *rd->rel);
	rd->group = malloc(n * sizeof *rd->group);
	rd->line = malloc(n * sizeof *rd->line);
	rd->feature_names = calloc(p, sizeof *rd->feature_names);
	rd->n_groups = 2;
	rd->group_names = calloc(2, sizeof *rd->group_names);
	rd->group_names[0] = t_strdup("other");
	rd->group_names[1] = t_strdup("protected");
	rd->n_queries = nq;
	rd->qoff = calloc(nq + 1, sizeof *rd->qoff);
	rd->qid = calloc(nq, sizeof *rd->qid);
	for (size_t j = 0; j < p; j++) {
		char b[8];
		snprintf(b, sizeof b, "f%zu", j + 1);
		rd->feature_names[j] = t_strdup(b);
	}
	for (size_t q = 0; q < nq; q++) {
		char b[24];
		snprintf(b, sizeof b, "%zu", q);
		rd->qid[q] = t_strdup(b);
		rd->qoff[q + 1] = rd->qoff[q] + sizes[q];
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = i0 + k;
		for (size_t j = 0; j < p; j++)
			rd->x[k * p + j] = (double)((i * 7 + j * 5 + 3) % 13) / 4.0 - 1.5;
		rd->rel[k] = (double)((i * 3 + 1) % 5);
		rd->group[k] = i == 11 ? -1 : (i * 5 + 2) % 3 == 0 ? 1 : 0;
		rd->line[k] = i + 1;
	}
	return rd;
}

/* 4 queries of 5, 7, 6, 8 rows (26 rows, row 11 of unknown group): the
 * data of make_deltr_fixtures.py's synthetic(). */
static struct ft_rank_data *t_synthetic(void)
{
	static const size_t sizes[4] = { 5, 7, 6, 8 };

	return t_make(4, sizes, 0);
}

/* The numbers of fixture row `key` into v (at most max); their count, or
 * -1 when the file or the row is missing. */
static int t_fix_row(const char *path, const char *key, double *v, int max)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	int n = -1;

	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		char *save = NULL, *tok = strtok_r(line, "\t\n", &save);
		if (!tok || tok[0] == '#' || strcmp(tok, key) != 0)
			continue;
		n = 0;
		while (n < max && (tok = strtok_r(NULL, "\t\n", &save)) != NULL)
			v[n++] = strtod(tok, NULL);
		break;
	}
	fclose(fp);
	return n;
}

/* Largest |g_k - central difference_k| / max(1, |g_k|) of obj at x. */
static double t_fd_error(const struct ft_objective *obj, const double *x)
{
	size_t d = obj->dim;
	double *xx = malloc(d * sizeof *xx), *g = malloc(d * sizeof *g), f, fp, fm;
	double worst = 0.0, h = 1e-6;

	memcpy(xx, x, d * sizeof *xx);
	obj->value_grad(obj->ctx, x, &f, g);
	for (size_t k = 0; k < d; k++) {
		double e;
		xx[k] = x[k] + h;
		obj->value_grad(obj->ctx, xx, &fp, NULL);
		xx[k] = x[k] - h;
		obj->value_grad(obj->ctx, xx, &fm, NULL);
		xx[k] = x[k];
		e = fabs((fp - fm) / (2 * h) - g[k]) / fmax(1.0, fabs(g[k]));
		worst = fmax(worst, e);
	}
	free(xx);
	free(g);
	return worst;
}

/* The objective of p on t_synthetic() at T_W0 against fixture row
 * "KEY.fg" of deltr_exact.tsv (value, then gradient) and against central
 * differences. */
static void t_check_fg(const struct ft_rank_params *p, const char *key)
{
	struct ft_rank_data *rd = t_synthetic();
	struct ft_objective obj;
	struct ft_error err = { 0 };
	double ref[8], f, g[3], fd;
	char k[64];

	snprintf(k, sizeof k, "%s.fg", key);
	T_CHECKF(t_fix_row(FIX_EXACT, k, ref, 8) == 4, "fixture row %s", k);
	T_CHECKF(ft_rank_objective(rd, p, &obj, &err) == 0, "%s", err.msg);
	if (obj.ctx) {
		T_CHECK(obj.value_grad(obj.ctx, T_W0, &f, g) == 0);
		T_NEAR(f, ref[0], 1e-12);
		for (int j = 0; j < 3; j++)
			T_NEAR(g[j], ref[1 + j], 1e-12);
		fd = t_fd_error(&obj, T_W0);
		T_CHECKF(fd < 1e-7, "%s: finite-difference error %g", key, fd);
	}
	ft_rank_objective_free(&obj);
	ft_rank_data_free(rd);
}

#endif
