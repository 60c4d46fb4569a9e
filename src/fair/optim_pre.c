/*
 * optim_pre.c - optimized pre-processing: Calmon, Wei, Vinzamuri, Natesan
 * Ramamurthy & Varshney, "Optimized Pre-Processing for Discrimination
 * Prevention", NeurIPS 2017, sec. 3 (the convex program (5)); the
 * formulation AIF360 implements (aif360/algorithms/preprocessing/
 * optim_preproc.py and optim_preproc_helpers/opt_tools.py, OptTools):
 *
 *   variables  P(x', y' | d, x, y), a randomized mapping of the discretized
 *              features and the label, for every (d, x, y)
 *   objective  1/2 sum_{x', y'} |P(x', y') - P(x, y)|  (total variation
 *              between the transformed and the original distribution,
 *              cp.norm(PXhYh - PxyMarginal, 1) / 2)
 *   fairness   |P(y' | d) - P(y' | d2)| <= epsilon for every pair of groups
 *              and both y' (AIF360: "for all combinations of groups")
 *   distortion for each (x, y) and each i: P(delta((x, y), (x', y')) >=
 *              c_i | x, y) <= d_i (AIF360 conditions on (x, y), summing
 *              over d with weights P(d, x, y) / P(x, y); the paper's (5)
 *              conditions on (d, x, y))
 *
 * Every part is linear in the mapping: the total variation is a linear
 * program with one t_c >= |...| per (x', y') (two inequalities each), so the
 * whole program is an LP, not a general convex program; AIF360 hands it to
 * cvxpy's default conic solver.  Here it is solved exactly (a vertex) by
 * the project's simplex method (src/optim/simplex.c).  Were the objective a
 * KL or another smooth convex function (the paper allows it), a general
 * convex solver would be needed: the Debian package would be
 * python3-cvxopt / libglpk-dev's glpk for LPs only, or for C code
 * coinor-libipopt-dev (Ipopt, an interior-point NLP solver kept in Debian)
 * - not needed for AIF360's default.
 *
 * Differences from AIF360, none of which moves the optimum by more than
 * about 1e-10: AIF360 adds 1e-10 to every P(d, x, y) inside the distortion
 * constraint; (d, x, y) cells without training rows are left out of the
 * program (they enter AIF360's only through those 1e-10 terms, and their
 * mapping is free) and map to themselves.  Probabilities are the training
 * rows' frequencies (AIF360 ignores instance weights too).
 *
 * The transform for new rows (which have no label) is P(x' | d, x) =
 * sum_{y, y'} P(d, x, y) P(x', y' | d, x, y) / P(d, x), the identity for an
 * unseen (d, x); transform.c outputs its expected one-hot encoding.  AIF360's
 * transform_Y = False branch divides P(d, x, x') by the column sums P(x')
 * before normalizing the rows, which is not P(x' | d, x); this is.
 * The classifier is fitted on the transformed training distribution in
 * expectation: each (x', y') cell with weight sum_i w_i P(x', y' | row i),
 * reading the one-hot x' (AIF360 draws one (x', y') per row at random).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/transform.h"
#include "optim/optim.h"

void ft_optim_pre_params_init(struct ft_optim_pre_params *p)
{
	memset(p, 0, sizeof *p);
	p->epsilon = 0.05;
	p->n_c = 3;
	p->clist[0] = 0.99;
	p->clist[1] = 1.99;
	p->clist[2] = 2.99;
	p->dlist[0] = 0.1;
	p->dlist[1] = 0.05;
	p->dlist[2] = 0.0;
	p->max_x = 4096;
}

static int cmp_i32(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
	return (a > b) - (a < b);
}

/* The joint level of row i (levels of t->opt already set). */
static size_t joint_level(const struct ft_transform *t, const struct ft_dataset *d,
                          size_t i)
{
	const struct ft_transform_optim *o = &t->opt;
	size_t xj = 0;

	for (size_t c = 0; c < o->n_cols; c++) {
		const double *cuts = o->cuts + o->cut_off[c];
		size_t nc = o->cut_off[c + 1] - o->cut_off[c], lev = 0;
		if (o->is_cat[c]) {
			double code = d->code[i * d->n_cat + o->col[c]];
			while (lev < nc && cuts[lev] != code)
				lev++;
		} else {
			double v = d->num[i * d->n_num + o->col[c]];
			while (lev < nc && cuts[lev] <= v)
				lev++;
		}
		xj = xj * o->n_levels[c] + lev;
	}
	return xj;
}

/* Set up the columns: levels, cuts, output names. */
static int setup_columns(struct ft_transform *t, const struct ft_dataset *d,
                         const struct ft_optim_pre_params *p, const char *const *names,
                         struct ft_error *err)
{
	struct ft_transform_optim *o = &t->opt;
	size_t tot = 0, nx = 1, pout = 0;
	int32_t *codes = NULL;

	o->n_cols = p->n_cols;
	o->col = ft_xalloc(p->n_cols, sizeof *o->col);
	o->is_cat = ft_xalloc(p->n_cols, sizeof *o->is_cat);
	o->n_levels = ft_xalloc(p->n_cols, sizeof *o->n_levels);
	o->cut_off = ft_xalloc(p->n_cols + 1, sizeof *o->cut_off);
	codes = ft_xalloc(d->n, sizeof *codes);
	if (!o->col || !o->is_cat || !o->n_levels || !o->cut_off || !codes) {
		free(codes);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	/* sizes first */
	for (size_t c = 0; c < p->n_cols; c++) {
		size_t nl;
		o->col[c] = p->col[c];
		o->is_cat[c] = p->is_cat[c] != 0;
		if (o->is_cat[c]) {
			if (p->col[c] >= d->n_cat) {
				free(codes);
				return ft_error_set(err, FT_EINVAL, "optim-pre: column %zu: categorical "
				                    "column %zu of %zu", c, p->col[c], d->n_cat);
			}
			for (size_t i = 0; i < d->n; i++)
				codes[i] = d->code[i * d->n_cat + p->col[c]];
			qsort(codes, d->n, sizeof *codes, cmp_i32);
			nl = 0;
			for (size_t i = 0; i < d->n; i++)
				nl += i == 0 || codes[i] != codes[i - 1];
		} else {
			if (p->col[c] >= d->n_num || (p->n_cuts[c] && (!p->cuts || !p->cuts[c]))) {
				free(codes);
				return ft_error_set(err, FT_EINVAL, "optim-pre: column %zu: numeric column "
				                    "%zu of %zu, or no cut points", c, p->col[c], d->n_num);
			}
			for (size_t k = 0; k < p->n_cuts[c]; k++)
				if (!isfinite(p->cuts[c][k]) || (k && !(p->cuts[c][k - 1] < p->cuts[c][k]))) {
					free(codes);
					return ft_error_set(err, FT_EINVAL, "optim-pre: column %zu: cut "
					                    "points must be finite and increasing", c);
				}
			nl = p->n_cuts[c] + 1;
		}
		o->n_levels[c] = nl;
		o->cut_off[c] = tot;
		tot += o->is_cat[c] ? nl : nl - 1;
		if (nx > p->max_x / nl) {
			free(codes);
			return ft_error_set(err, FT_EINVAL, "optim-pre: the discretized columns have "
			                    "more than %zu joint levels (max_x)", p->max_x);
		}
		nx *= nl;
		pout += nl;
	}
	o->cut_off[p->n_cols] = tot;
	o->n_x = nx;
	t->p_out = pout;
	o->cuts = ft_xalloc(tot, sizeof *o->cuts);
	if (!o->cuts) {
		free(codes);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	for (size_t c = 0; c < p->n_cols; c++) {
		double *cuts = o->cuts + o->cut_off[c];
		if (o->is_cat[c]) {
			size_t k = 0;
			for (size_t i = 0; i < d->n; i++)
				codes[i] = d->code[i * d->n_cat + p->col[c]];
			qsort(codes, d->n, sizeof *codes, cmp_i32);
			for (size_t i = 0; i < d->n; i++)
				if (i == 0 || codes[i] != codes[i - 1])
					cuts[k++] = codes[i];
		} else if (p->n_cuts[c]) {
			memcpy(cuts, p->cuts[c], p->n_cuts[c] * sizeof *cuts);
		}
	}
	free(codes);
	if (names) {
		size_t k = 0;
		t->names = calloc(pout, sizeof *t->names);
		if (!t->names)
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		for (size_t c = 0; c < p->n_cols; c++)
			for (size_t l = 0; l < o->n_levels[c]; l++) {
				char buf[512];
				const double *cuts = o->cuts + o->cut_off[c];
				if (o->is_cat[c] && cuts[l] >= 0)
					snprintf(buf, sizeof buf, "%s", names[(size_t)cuts[l]]);
				else if (o->is_cat[c])
					snprintf(buf, sizeof buf, "categorical column %zu=(unseen)", o->col[c]);
				else
					snprintf(buf, sizeof buf, "%s:bin=%zu", names[o->col[c]], l);
				if (!(t->names[k++] = ft_strdup(buf)))
					return ft_error_set(err, FT_ENOMEM, "out of memory");
			}
	}
	return 0;
}

/* The generic distortion between joint (x, y) indices a and b. */
static double generic_dist(const struct ft_transform_optim *o, size_t a, size_t b)
{
	double v = (a & 1) != (b & 1);
	size_t xa = a >> 1, xb = b >> 1;

	for (size_t c = o->n_cols; c-- > 0;) {
		size_t la = xa % o->n_levels[c], lb = xb % o->n_levels[c];
		xa /= o->n_levels[c];
		xb /= o->n_levels[c];
		if (o->is_cat[c])
			v += la != lb;
		else
			v += la > lb ? (double)(la - lb) : (double)(lb - la);
	}
	return v;
}

int ft_transform_fit_optim_pre(const struct ft_dataset *d, size_t n_groups,
                               const struct ft_optim_pre_params *p,
                               const char *const *names, struct ft_transform **t,
                               struct ft_error *err)
{
	struct ft_transform *tr = NULL;
	struct ft_transform_optim *o;
	size_t G = n_groups, nx, nxy, *rows = NULL, nr = 0, n_var, m, nnz, e, iters = 0;
	size_t *cs = NULL, *ri = NULL, row_dist0, row_disc0, n_dist = 0, n_pairs = 0;
	size_t *dist_row = NULL;
	double *pdxy = NULL, *pxy = NULL, *pd = NULL, *D = NULL, *cv = NULL, *cost = NULL;
	double *b = NULL, *sol = NULL, obj;
	signed char *sense = NULL;
	int rc;

	*t = NULL;
	if ((rc = ft_transform_check_input(d, n_groups, 1, "optim-pre", err)) != 0)
		return rc;
	if (!p || p->n_cols == 0 || !p->col || !p->is_cat || !p->n_cuts)
		return ft_error_set(err, FT_EINVAL, "optim-pre: no columns to discretize");
	if (!(p->epsilon >= 0) || p->n_c > 4)
		return ft_error_set(err, FT_EINVAL, "optim-pre: epsilon must be >= 0 and at most "
		                    "4 distortion levels");
	for (size_t i = 0; i < d->n; i++)
		if (d->y[i] != 0 && d->y[i] != 1)
			return ft_error_set(err, FT_EDATA, "optim-pre: row %zu has label %g, not 0/1",
			                    i + 1, d->y[i]);
	tr = ft_transform_new(FT_TRANSFORM_OPTIM_PRE, d->p, 0, G, 1);
	if (!tr)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	o = &tr->opt;
	if ((rc = setup_columns(tr, d, p, names, err)) != 0)
		goto done;
	o->epsilon = p->epsilon;
	nx = o->n_x;
	nxy = 2 * nx;
	o->p_dxy = calloc(G * nxy, sizeof *o->p_dxy);
	o->map_xy = calloc(G * nxy * nxy, sizeof *o->map_xy);
	o->map = calloc(G * nx * nx, sizeof *o->map);
	pxy = calloc(nxy, sizeof *pxy);
	pd = calloc(G, sizeof *pd);
	D = ft_xalloc(nxy * nxy, sizeof *D);
	rows = ft_xalloc(G * nxy, sizeof *rows);
	if (!o->p_dxy || !o->map_xy || !o->map || !pxy || !pd || !D || !rows) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	/* the training distribution P(d, x, y): frequencies, as AIF360 */
	pdxy = o->p_dxy;
	for (size_t i = 0; i < d->n; i++)
		pdxy[(size_t)d->group[i] * nxy + 2 * joint_level(tr, d, i) + (d->y[i] > 0.5)] += 1;
	for (size_t r = 0; r < G * nxy; r++) {
		pdxy[r] /= (double)d->n;
		pxy[r % nxy] += pdxy[r];
		pd[r / nxy] += pdxy[r];
		if (pdxy[r] > 0)
			rows[nr++] = r;
	}
	for (size_t a = 0; a < nxy; a++)
		for (size_t c = 0; c < nxy; c++) {
			D[a * nxy + c] = p->dist ? p->dist[a * nxy + c] : generic_dist(o, a, c);
			if (!isfinite(D[a * nxy + c])) {
				rc = ft_error_set(err, FT_EINVAL, "optim-pre: distortion (%zu, %zu) is "
				                  "not finite", a, c);
				goto done;
			}
		}
	/* the LP.  Columns: P[r, c] (r < nr, c < nxy), then t_c.  Rows: the
	 * nr row sums (=), 2 nxy total-variation rows (>=), the distortion
	 * rows (<=), 4 per pair of groups with rows (<=). */
	dist_row = ft_xalloc(nxy * (p->n_c ? p->n_c : 1), sizeof *dist_row);
	if (!dist_row) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	row_dist0 = nr + 2 * nxy;
	for (size_t a = 0; a < nxy; a++)
		for (size_t i = 0; i < p->n_c; i++) {
			int any = 0;
			for (size_t c = 0; c < nxy && !any; c++)
				any = D[a * nxy + c] >= p->clist[i];
			dist_row[a * p->n_c + i] = pxy[a] > 0 && any ? row_dist0 + n_dist++ : SIZE_MAX;
		}
	row_disc0 = row_dist0 + n_dist;
	for (size_t g1 = 0; g1 < G; g1++)
		for (size_t g2 = g1 + 1; g2 < G; g2++)
			n_pairs += pd[g1] > 0 && pd[g2] > 0;
	m = row_disc0 + 4 * n_pairs;
	n_var = nr * nxy + nxy;
	nnz = nr * nxy * (3 + p->n_c + 2 * (G > 1 ? G - 1 : 0)) + 2 * nxy;
	cs = ft_xalloc(n_var + 1, sizeof *cs);
	ri = ft_xalloc(nnz, sizeof *ri);
	cv = ft_xalloc(nnz, sizeof *cv);
	cost = calloc(n_var, sizeof *cost);
	b = calloc(m, sizeof *b);
	sense = calloc(m, sizeof *sense);
	sol = ft_xalloc(n_var, sizeof *sol);
	if (!cs || !ri || !cv || !cost || !b || !sense || !sol) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	e = 0;
	for (size_t k = 0; k < nr; k++) {
		size_t r = rows[k], g = r / nxy, a = r % nxy;
		double pr = pdxy[r];
		for (size_t c = 0; c < nxy; c++) {
			size_t q = 0;
			cs[k * nxy + c] = e;
			ri[e] = k;                          /* row sum */
			cv[e++] = 1.0;
			ri[e] = nr + 2 * c;                 /* t_c - P >= -Pxy */
			cv[e++] = -pr;
			ri[e] = nr + 2 * c + 1;             /* t_c + P >= Pxy */
			cv[e++] = pr;
			for (size_t i = 0; i < p->n_c; i++)
				if (D[a * nxy + c] >= p->clist[i] && dist_row[a * p->n_c + i] != SIZE_MAX) {
					ri[e] = dist_row[a * p->n_c + i];
					cv[e++] = pr / pxy[a];
				}
			/* P(y' = c & 1 | d): pairs (g1 < g2) with rows, rows 4q ..
			 * 4q + 3: y' = 0 and y' = 1, both signs */
			for (size_t g1 = 0; g1 < G; g1++)
				for (size_t g2 = g1 + 1; g2 < G; g2++) {
					double s;
					if (!(pd[g1] > 0 && pd[g2] > 0))
						continue;
					if (g == g1 || g == g2) {
						s = g == g1 ? pr / pd[g1] : -pr / pd[g2];
						ri[e] = row_disc0 + 4 * q + 2 * (c & 1);
						cv[e++] = s;
						ri[e] = row_disc0 + 4 * q + 2 * (c & 1) + 1;
						cv[e++] = -s;
					}
					q++;
				}
		}
	}
	for (size_t c = 0; c < nxy; c++) {
		size_t j = nr * nxy + c;
		cs[j] = e;
		ri[e] = nr + 2 * c;
		cv[e++] = 1.0;
		ri[e] = nr + 2 * c + 1;
		cv[e++] = 1.0;
		cost[j] = 0.5;
	}
	cs[n_var] = e;
	for (size_t k = 0; k < nr; k++) {
		b[k] = 1.0;
		sense[k] = 0;
	}
	for (size_t c = 0; c < nxy; c++) {
		b[nr + 2 * c] = -pxy[c];
		b[nr + 2 * c + 1] = pxy[c];
		sense[nr + 2 * c] = sense[nr + 2 * c + 1] = 1;
	}
	for (size_t a = 0; a < nxy; a++)
		for (size_t i = 0; i < p->n_c; i++)
			if (dist_row[a * p->n_c + i] != SIZE_MAX) {
				b[dist_row[a * p->n_c + i]] = p->dlist[i];
				sense[dist_row[a * p->n_c + i]] = -1;
			}
	for (size_t r = row_disc0; r < m; r++) {
		b[r] = p->epsilon;
		sense[r] = -1;
	}
	{
		struct ft_lp lp = {m, n_var, cs, ri, cv, cost, b, sense};
		struct ft_error e2 = {0};
		if ((rc = ft_lp_solve(&lp, sol, &obj, &iters, &e2)) != 0) {
			ft_error_set(err, rc, rc == FT_EDATA ? "optim-pre: the parity and distortion "
			             "bounds cannot all be met (%s); raise epsilon or the "
			             "distortion bounds d1, d2, d3" : "optim-pre: %s", e2.msg);
			goto done;
		}
	}
	o->objective = obj;
	/* the mapping: solved rows, the identity elsewhere */
	for (size_t r = 0; r < G * nxy; r++)
		o->map_xy[r * nxy + r % nxy] = 1.0;
	for (size_t k = 0; k < nr; k++) {
		double *row = o->map_xy + rows[k] * nxy, s = 0;
		for (size_t c = 0; c < nxy; c++) {
			row[c] = sol[k * nxy + c] < 1e-12 ? 0.0 : sol[k * nxy + c];
			s += row[c];
		}
		for (size_t c = 0; c < nxy; c++)
			row[c] /= s;
	}
	/* P(x' | d, x) */
	for (size_t g = 0; g < G; g++)
		for (size_t x = 0; x < nx; x++) {
			double *row = o->map + (g * nx + x) * nx, pdx = 0;
			for (int y = 0; y < 2; y++) {
				double w = pdxy[g * nxy + 2 * x + (size_t)y];
				const double *mr = o->map_xy + (g * nxy + 2 * x + (size_t)y) * nxy;
				pdx += w;
				for (size_t c = 0; c < nxy; c++)
					row[c >> 1] += w * mr[c];
			}
			if (pdx > 0) {
				for (size_t c = 0; c < nx; c++)
					row[c] /= pdx;
			} else {
				memset(row, 0, nx * sizeof *row);
				row[x] = 1.0;
			}
		}
	o->pivots = iters;
	*t = tr;
	tr = NULL;
done:
	ft_transform_free(tr);
	free(pxy);
	free(pd);
	free(D);
	free(rows);
	free(dist_row);
	free(cs);
	free(ri);
	free(cv);
	free(cost);
	free(b);
	free(sense);
	free(sol);
	return rc;
}

int ft_fit_optim_pre(const struct ft_fit_input *in, const struct ft_optim_pre_params *p,
                     const char *const *names, struct ft_transform **t,
                     struct ft_fit_output *out, struct ft_error *err)
{
	const struct ft_dataset *d = in->train;
	struct ft_transform *tr = NULL;
	struct ft_dataset agg;
	size_t nx, nxy, G = in->n_groups, rowsn = 0, iters;
	double *cell = NULL, gap = 0;
	int rc;

	*t = NULL;
	memset(&agg, 0, sizeof agg);
	if ((rc = ft_transform_fit_optim_pre(d, G, p, names, &tr, err)) != 0)
		return rc;
	iters = tr->opt.pivots;
	nx = tr->opt.n_x;
	nxy = 2 * nx;
	cell = calloc(nxy, sizeof *cell);
	agg.num = ft_xalloc(nxy * tr->p_out, sizeof *agg.num);
	agg.y = ft_xalloc(nxy, sizeof *agg.y);
	agg.w = ft_xalloc(nxy, sizeof *agg.w);
	if (!cell || !agg.num || !agg.y || !agg.w) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	/* the weight of every transformed (x', y') cell */
	for (size_t i = 0; i < d->n; i++) {
		size_t r = (size_t)d->group[i] * nxy + 2 * joint_level(tr, d, i) + (d->y[i] > 0.5);
		const double *mr = tr->opt.map_xy + r * nxy;
		for (size_t c = 0; c < nxy; c++)
			cell[c] += d->w[i] * mr[c];
	}
	for (size_t c = 0; c < nxy; c++) {
		size_t rem = c >> 1, off = tr->p_out;
		double *xr;
		if (!(cell[c] > 0))
			continue;
		xr = agg.num + rowsn * tr->p_out;
		memset(xr, 0, tr->p_out * sizeof *xr);
		for (size_t k = tr->opt.n_cols; k-- > 0;) {
			off -= tr->opt.n_levels[k];
			xr[off + rem % tr->opt.n_levels[k]] = 1.0;
			rem /= tr->opt.n_levels[k];
		}
		agg.y[rowsn] = (double)(c & 1);
		agg.w[rowsn] = cell[c];
		rowsn++;
	}
	agg.n = rowsn;
	agg.p = agg.n_num = tr->p_out;
	if ((rc = ft_logreg_fit(&agg, in->lr, &out->pred.linear, &out->res, err)) != 0)
		goto done;
	/* the fairness reached on the training distribution: the largest gap
	 * in P(y' = 1 | d) */
	{
		double *py = calloc(2 * G, sizeof *py);
		if (!py) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t r = 0; r < G * nxy; r++) {
			const double *mr = tr->opt.map_xy + r * nxy;
			for (size_t c = 0; c < nxy; c++)
				py[2 * (r / nxy) + (c & 1)] += tr->opt.p_dxy[r] * mr[c];
		}
		for (size_t g1 = 0; g1 < G; g1++)
			for (size_t g2 = 0; g2 < G; g2++) {
				double a = py[2 * g1] + py[2 * g1 + 1], bb = py[2 * g2] + py[2 * g2 + 1];
				if (a > 0 && bb > 0)
					gap = fmax(gap, py[2 * g1 + 1] / a - py[2 * g2 + 1] / bb);
			}
		free(py);
	}
	ft_fit_diag(out, "total_variation", tr->opt.objective);
	ft_fit_diag(out, "epsilon", tr->opt.epsilon);
	ft_fit_diag(out, "max_label_rate_gap", gap);
	ft_fit_diag(out, "joint_levels", (double)nx);
	ft_fit_diag(out, "simplex_pivots", (double)iters);
	*t = tr;
	tr = NULL;
done:
	if (rc)
		ft_fit_output_clear(out);
	ft_transform_free(tr);
	free(cell);
	free(agg.num);
	free(agg.y);
	free(agg.w);
	return rc;
}
