/*
 * score_map.c - LiFT's equality-of-opportunity score map (struct ft_eopp,
 * fitted by src/fair/eopp.c): free, apply, check.  A fitted map is a part
 * of a ranker's predictor (struct ft_predictor.eopp: the re-ranker
 * eopp-rank sorts by the mapped scores), so it lives in the model layer
 * beside the predictor; src/io/predictor_io.c stores it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/fair.h"

void ft_eopp_free(struct ft_eopp *e)
{
	if (!e)
		return;
	free(e->off);
	free(e->key);
	free(e->val);
	free(e);
}

double ft_eopp_interp(const double *key, const double *val, size_t m, double s)
{
	size_t lo = 0, hi = m - 1;

	if (s <= key[0])
		return val[0];
	if (s >= key[m - 1])
		return val[m - 1];
	while (hi - lo > 1) {           /* key[lo] < s < key[hi] */
		size_t mid = lo + (hi - lo) / 2;
		if (key[mid] <= s)
			lo = mid;
		else
			hi = mid;
	}
	return val[lo] + (s - key[lo]) / (key[hi] - key[lo]) * (val[hi] - val[lo]);
}

int ft_eopp_apply(const struct ft_eopp *e, const double *score, const int32_t *group,
                  size_t n, double *out, struct ft_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int32_t g = group ? group[i] : -1;
		if (g < 0 || (size_t)g >= e->n_groups)
			return ft_error_set(err, FT_EDATA, "eopp: item %zu has no group (the "
			                    "transformation is per group)", i + 1);
		if (!isfinite(score[i]))
			return ft_error_set(err, FT_EINVAL, "eopp: item %zu has a score that is not "
			                    "finite", i + 1);
		out[i] = ft_eopp_interp(e->key + e->off[g], e->val + e->off[g],
		                        e->off[g + 1] - e->off[g], score[i]);
	}
	return 0;
}

int ft_eopp_check(const struct ft_eopp *e, size_t n_groups, struct ft_error *err)
{
	if (!e || !e->off || e->n_groups == 0 || e->n_groups != n_groups)
		return ft_error_set(err, FT_EFORMAT, "eopp: %zu groups, the encoder has %zu",
		                    e ? e->n_groups : 0, n_groups);
	if (e->off[0] != 0)
		return ft_error_set(err, FT_EFORMAT, "eopp: the knots do not start at 0");
	for (size_t g = 0; g < e->n_groups; g++) {
		size_t a = e->off[g], b = e->off[g + 1];
		if (b <= a)
			return ft_error_set(err, FT_EFORMAT, "eopp: group %zu has no knot", g);
		for (size_t k = a; k < b; k++) {
			if (!isfinite(e->key[k]) || !isfinite(e->val[k]))
				return ft_error_set(err, FT_EFORMAT, "eopp: knot %zu is not finite", k);
			if (k > a && !(e->key[k - 1] < e->key[k]))
				return ft_error_set(err, FT_EFORMAT, "eopp: group %zu: knots not "
				                    "strictly increasing at %zu", g, k);
		}
	}
	return 0;
}
