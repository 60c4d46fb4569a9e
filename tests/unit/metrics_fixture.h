/*
 * metrics_fixture.h - read tests/fixtures/metrics_data.tsv and
 * metrics_ref.tsv (made by scripts/fixtures/make_metric_fixtures.py) for
 * test_metrics.c and test_fairness.c.  Run the tests from the repository
 * root.
 */
#ifndef FT_METRICS_FIXTURE_H
#define FT_METRICS_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"

#define MFIX_DATA "tests/fixtures/metrics_data.tsv"
#define MFIX_REF "tests/fixtures/metrics_ref.tsv"
#define MFIX_MAX_SETS 8

struct mfix_set {
	char name[16];
	size_t n, cap;
	double *y, *score, *w;
	int32_t *group;
	double threshold;
	long privileged;
	size_t ece_bins, n_groups;
	int weighted;
};

struct mfix_ref {
	char set[16], kind[16], name[64], target[64];
	double value;
};

struct mfix {
	struct mfix_set sets[MFIX_MAX_SETS];
	size_t n_sets;
	struct mfix_ref *ref;
	size_t n_ref, cap_ref;
};

static struct mfix_set *mfix_set(struct mfix *f, const char *name, int create)
{
	for (size_t i = 0; i < f->n_sets; i++)
		if (strcmp(f->sets[i].name, name) == 0)
			return &f->sets[i];
	if (!create || f->n_sets == MFIX_MAX_SETS)
		return NULL;
	memset(&f->sets[f->n_sets], 0, sizeof f->sets[0]);
	snprintf(f->sets[f->n_sets].name, sizeof f->sets[0].name, "%s", name);
	return &f->sets[f->n_sets++];
}

static void mfix_free(struct mfix *f)
{
	for (size_t i = 0; i < f->n_sets; i++) {
		free(f->sets[i].y);
		free(f->sets[i].score);
		free(f->sets[i].w);
		free(f->sets[i].group);
	}
	free(f->ref);
	memset(f, 0, sizeof *f);
}

/* 0 when both files were read; otherwise a message in msg. */
static int mfix_load(struct mfix *f, char *msg, size_t len)
{
	char line[512], set[16], kind[16], name[64], target[64];
	FILE *fp;
	int header = 0;

	memset(f, 0, sizeof *f);
	if (!(fp = fopen(MFIX_DATA, "r"))) {
		snprintf(msg, len, "cannot open %s (run from the repository root)", MFIX_DATA);
		return -1;
	}
	while (fgets(line, sizeof line, fp)) {
		double y, s, w;
		int g;
		struct mfix_set *st;

		if (line[0] == '#')
			continue;
		if (!header) {
			header = 1;
			continue;
		}
		if (sscanf(line, "%15s %lf %lf %lf %d", set, &y, &s, &w, &g) != 5 ||
		    !(st = mfix_set(f, set, 1))) {
			snprintf(msg, len, "%s: bad line: %s", MFIX_DATA, line);
			fclose(fp);
			return -1;
		}
		if (st->n == st->cap) {
			st->cap = st->cap ? 2 * st->cap : 256;
			st->y = realloc(st->y, st->cap * sizeof *st->y);
			st->score = realloc(st->score, st->cap * sizeof *st->score);
			st->w = realloc(st->w, st->cap * sizeof *st->w);
			st->group = realloc(st->group, st->cap * sizeof *st->group);
			if (!st->y || !st->score || !st->w || !st->group) {
				snprintf(msg, len, "out of memory");
				fclose(fp);
				return -1;
			}
		}
		st->y[st->n] = y;
		st->score[st->n] = s;
		st->w[st->n] = w;
		st->group[st->n] = g;
		st->n++;
	}
	fclose(fp);
	if (!(fp = fopen(MFIX_REF, "r"))) {
		snprintf(msg, len, "cannot open %s", MFIX_REF);
		return -1;
	}
	header = 0;
	while (fgets(line, sizeof line, fp)) {
		double v;
		struct mfix_set *st;

		if (line[0] == '#')
			continue;
		if (!header) {
			header = 1;
			continue;
		}
		if (sscanf(line, "%15s %15s %63s %63s %lf", set, kind, name, target, &v) != 5) {
			snprintf(msg, len, "%s: bad line: %s", MFIX_REF, line);
			fclose(fp);
			return -1;
		}
		if (strcmp(kind, "param") == 0) {
			if (!(st = mfix_set(f, set, 0))) {
				snprintf(msg, len, "%s: unknown set %s", MFIX_REF, set);
				fclose(fp);
				return -1;
			}
			if (strcmp(name, "threshold") == 0)
				st->threshold = v;
			else if (strcmp(name, "privileged") == 0)
				st->privileged = (long)v;
			else if (strcmp(name, "ece_bins") == 0)
				st->ece_bins = (size_t)v;
			else if (strcmp(name, "n_groups") == 0)
				st->n_groups = (size_t)v;
			else if (strcmp(name, "weighted") == 0)
				st->weighted = v != 0;
			continue;
		}
		if (f->n_ref == f->cap_ref) {
			f->cap_ref = f->cap_ref ? 2 * f->cap_ref : 256;
			f->ref = realloc(f->ref, f->cap_ref * sizeof *f->ref);
			if (!f->ref) {
				snprintf(msg, len, "out of memory");
				fclose(fp);
				return -1;
			}
		}
		snprintf(f->ref[f->n_ref].set, sizeof f->ref[0].set, "%s", set);
		snprintf(f->ref[f->n_ref].kind, sizeof f->ref[0].kind, "%s", kind);
		snprintf(f->ref[f->n_ref].name, sizeof f->ref[0].name, "%s", name);
		snprintf(f->ref[f->n_ref].target, sizeof f->ref[0].target, "%s", target);
		f->ref[f->n_ref].value = v;
		f->n_ref++;
	}
	fclose(fp);
	if (f->n_sets == 0 || f->n_ref == 0) {
		snprintf(msg, len, "fixtures are empty");
		return -1;
	}
	return 0;
}

/* The evaluation input of a set (unweighted sets pass w = NULL). */
static void mfix_input(const struct mfix_set *s, struct ft_eval_input *in)
{
	ft_eval_input_init(in);
	in->n = s->n;
	in->y = s->y;
	in->score = s->score;
	in->w = s->weighted ? s->w : NULL;
	in->group = s->group;
	in->n_groups = s->n_groups;
	in->privileged = s->privileged;
	in->threshold = s->threshold;
	in->ece_bins = s->ece_bins;
}

/* |a - b| <= rel |b| (exact equality also passes, for zeros) */
static int mfix_close(double a, double b, double rel)
{
	return a == b || fabs(a - b) <= rel * fabs(b);
}

#endif
