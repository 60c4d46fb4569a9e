/*
 * letor_groups.c - more than two groups from a LETOR feature: LETOR and
 * MSLR files carry the protected attribute as a feature column, which may
 * hold k values (a race or age band coded 0 .. k-1); each distinct value
 * becomes one group, so the multi-group re-rankers and metrics see them
 * all (ft_rank_data_group_by_feature gives the two groups "= v" and
 * "!= v").
 *
 * Not here: reading the file (letor.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"

#define MAX_VALUES 256

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int ft_rank_data_groups_by_values(struct ft_rank_data *rd, size_t f,
                                  struct ft_error *err)
{
	double *v = NULL;
	int32_t *g = NULL;
	char **names = NULL;
	size_t k = 0, p = rd->p;
	const char *nm = rd->feature_names && rd->feature_names[f] ? rd->feature_names[f]
	                                                          : "feature";

	if (f >= p)
		return ft_error_set(err, FT_EINVAL, "%s: feature %zu out of range (%zu features)",
		                    rd->path, f, p);
	if (rd->n == 0)
		return ft_error_set(err, FT_EDATA, "%s: no documents", rd->path);
	v = ft_xalloc(rd->n, sizeof *v);
	g = ft_xalloc(rd->n, sizeof *g);
	if (!v || !g)
		goto nomem;
	for (size_t i = 0; i < rd->n; i++)
		v[i] = rd->x[i * p + f];
	qsort(v, rd->n, sizeof *v, cmp_double);
	for (size_t i = 0; i < rd->n; i++)
		if (i == 0 || v[i] != v[k - 1]) {
			if (k == MAX_VALUES) {
				free(v);
				free(g);
				return ft_error_set(err, FT_EDATA,
				                    "%s: feature %s has more than %d distinct values (not a group attribute)",
				                    rd->path, nm, MAX_VALUES);
			}
			v[k++] = v[i];
		}
	names = calloc(k, sizeof *names);
	if (!names)
		goto nomem;
	for (size_t j = 0; j < k; j++) {
		size_t l = strlen(nm) + 32;
		if (!(names[j] = malloc(l)))
			goto nomem;
		snprintf(names[j], l, "%s=%.15g", nm, v[j]);
	}
	for (size_t i = 0; i < rd->n; i++) {
		/* bisection in the k sorted values */
		double x = rd->x[i * p + f];
		size_t lo = 0, hi = k - 1;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (v[mid] < x)
				lo = mid + 1;
			else
				hi = mid;
		}
		g[i] = (int32_t)lo;
	}
	free(rd->group);
	ft_strv_free(rd->group_names, rd->n_groups);
	rd->group = g;
	rd->group_names = names;
	rd->n_groups = k;
	free(v);
	return 0;
nomem:
	free(v);
	free(g);
	ft_strv_free(names, k);
	return ft_error_set(err, FT_ENOMEM, "%s: out of memory", rd->path);
}
