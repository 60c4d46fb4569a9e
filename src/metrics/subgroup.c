/*
 * subgroup.c - the rich-subgroup auditor of Kearns, Neel, Roth & Wu,
 * "Preventing Fairness Gerrymandering: Auditing and Learning for Subgroup
 * Fairness", ICML 2018 (alpha_FP(g) beta_FP(g), the FP subgroup unfairness
 * of subgroup g; auditing as cost-sensitive classification over the
 * subgroup class), as AIF360's GerryFair Auditor
 * computes it, for linear-threshold subgroups of the sensitive attributes.
 *
 * Everything the audit needs is a sum over rows per group: the weight Wl_g
 * of the rows with the label the rate is taken over (y = 0 for FP, y = 1
 * for FN) and Pl_g, their sum of w p (FP: the expected false positives) or
 * w (1 - p) (FN: the expected false negatives).  A subgroup S (a set of
 * groups: x' is constant within a group) has
 *   alpha beta = |sum_{g in S} Pl_g - r sum_{g in S} Wl_g| / W
 *              = |sum_{g in S} c_g|,  c_g = (Pl_g - r Wl_g) / W,
 * r = Pl / Wl over every row (the overall rate) and W the weight of all
 * rows: the subgroup's share of all rows (with that label) times the
 * distance of its rate from the overall rate.
 *
 * Which sets of groups are subgroups: those a hyperplane over x' (the
 * one-hot encoded sensitive columns, ft_subgroup in fairtrain.h) cuts off,
 * {g : w.x'_g + b > 0}.  Only the K groups with Wl_g > 0 matter (the others
 * add nothing and are placed by the hyperplane).  With K <= EXACT_MAX the
 * search is exact: the 2^K subsets are taken in decreasing order of
 * sum c_g (and of -sum c_g), and the first one a hyperplane separates from
 * the others (a phase-one simplex on s_g (w.x'_g + b) >= 1, Bland's rule)
 * is the best of that sign.  The empty and the full set always are.  With
 * one sensitive column every subset is separable (one-hot points are
 * affinely independent), so the answer is the set of groups above (or
 * below) the overall rate.  Beyond EXACT_MAX, the paper's heuristic as
 * AIF360 runs it (Auditor.get_group): a least-squares fit f of p_i - r
 * on (x', 1) over the rows with the label (weighted; per group that is a
 * fit of the group's rate minus r weighted by Wl_g), and the two subgroups
 * {f < 0} and {f > 0}; the one of larger alpha beta is reported.  AIF360
 * reports the rate of the wrong candidate in one branch
 * (fp_group_rate_neg counts the members of the other group); here each
 * subgroup's rate is its own.
 *
 * Not here: subgroups over features other than the sensitive attributes,
 * statistical-parity (SP) subgroup fairness, non-linear subgroup classes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics/metrics.h"
#include "linalg/linalg.h"
#include "core/internal.h"

/* Exhaustive search up to this many groups with rows (2^16 subsets). */
#define EXACT_MAX 16
#define LP_TOL 1e-9

void ft_sg_space_free(struct ft_sg_space *sp)
{
	if (!sp)
		return;
	free(sp->x);
	ft_strv_free(sp->names, sp->dim);
	sp->x = NULL;
	sp->names = NULL;
	sp->dim = 0;
}

static size_t n_parts(const char *s)
{
	size_t k = 1;
	for (; *s; s++)
		k += *s == '&';
	return k;
}

/* Part j of name (split on '&') into buf. */
static void part_of(const char *name, size_t j, char *buf, size_t size)
{
	const char *s = name, *e;
	size_t len;

	for (size_t i = 0; i < j; i++)
		s = strchr(s, '&') + 1;
	e = strchr(s, '&');
	len = e ? (size_t)(e - s) : strlen(s);
	if (len >= size)
		len = size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ft_sg_space_make(size_t G, const char *const *group_names, struct ft_sg_space *sp,
                     struct ft_error *err)
{
	size_t k = 0, cap = 0, nv = 0, *off = NULL;
	char buf[256], **vals = NULL;
	int same = group_names != NULL && G > 0;

	memset(sp, 0, sizeof *sp);
	sp->G = G;
	for (size_t g = 0; same && g < G; g++) {
		if (!group_names[g] || (g > 0 && n_parts(group_names[g]) != k))
			same = 0;
		else
			k = n_parts(group_names[g]);
	}
	if (!same) {
		/* one column per group: x' = the group's indicator */
		sp->dim = G;
		sp->x = calloc(G * G + 1, sizeof *sp->x);
		sp->names = calloc(G + 1, sizeof *sp->names);
		if (!sp->x || !sp->names)
			goto oom;
		for (size_t g = 0; g < G; g++) {
			sp->x[g * G + g] = 1.0;
			if (group_names && group_names[g])
				snprintf(buf, sizeof buf, "%s", group_names[g]);
			else
				snprintf(buf, sizeof buf, "group %zu", g);
			if (!(sp->names[g] = ft_strdup(buf)))
				goto oom;
		}
		return 0;
	}
	/* block j: the distinct values of part j, sorted; off[j] its first column */
	if (!(off = calloc(k + 1, sizeof *off)))
		goto oom;
	for (size_t j = 0; j < k; j++) {
		off[j] = nv;
		for (size_t g = 0; g < G; g++) {
			size_t c;
			part_of(group_names[g], j, buf, sizeof buf);
			for (c = off[j]; c < nv && strcmp(vals[c], buf); c++)
				;
			if (c < nv)
				continue;
			if (nv == cap) {
				char **t = realloc(vals, (cap = cap ? 2 * cap : 16) * sizeof *t);
				if (!t)
					goto oom;
				vals = t;
			}
			if (!(vals[nv] = ft_strdup(buf)))
				goto oom;
			nv++;
		}
		qsort(vals + off[j], nv - off[j], sizeof *vals, cmp_str);
	}
	off[k] = nv;
	sp->dim = nv;
	sp->x = calloc(G * nv + 1, sizeof *sp->x);
	sp->names = calloc(nv + 1, sizeof *sp->names);
	if (!sp->x || !sp->names)
		goto oom;
	for (size_t j = 0; j < k; j++)
		for (size_t c = off[j]; c < off[j + 1]; c++) {
			if (k > 1)
				snprintf(buf, sizeof buf, "%zu:%s", j + 1, vals[c]);
			else
				snprintf(buf, sizeof buf, "%s", vals[c]);
			if (!(sp->names[c] = ft_strdup(buf)))
				goto oom;
		}
	for (size_t g = 0; g < G; g++)
		for (size_t j = 0; j < k; j++) {
			size_t c;
			part_of(group_names[g], j, buf, sizeof buf);
			for (c = off[j]; c < off[j + 1] && strcmp(vals[c], buf); c++)
				;
			sp->x[g * nv + c] = 1.0;
		}
	ft_strv_free(vals, nv);
	free(off);
	return 0;
oom:
	ft_strv_free(vals, nv);
	free(off);
	ft_sg_space_free(sp);
	return ft_error_set(err, FT_ENOMEM, "subgroup audit: out of memory");
}

/* Is there (w, b) with lab_g (w.x_g + b) >= 1 for the K points x_g (rows of
 * pts, dim D)?  Phase one of the simplex method on
 *   lab_g (x_g.(u - v) + b1 - b2) - e_g + a_g = 1,  all >= 0,
 *   minimise sum_g a_g,
 * with the artificial a_g as the first basis (right-hand sides 1 >= 0) and
 * Bland's rule (no cycling).  1 and (w, b) when feasible, 0 when not, or
 * FT_ENOMEM. */
static int separable(size_t K, size_t D, const double *pts, const int *lab, double *w,
                     double *b)
{
	size_t nc = 2 * D + 2 + 2 * K, ld = nc + 1, *basis = NULL;
	size_t max_pivots = 50 * (K + nc) + 1000;
	double *T = calloc((K + 1) * ld, sizeof *T), *obj, val = 0.0;
	int rc = 0;

	basis = malloc((K ? K : 1) * sizeof *basis);
	if (!T || !basis) {
		rc = FT_ENOMEM;
		goto done;
	}
	for (size_t r = 0; r < K; r++) {
		double *row = T + r * ld, s = lab[r];
		for (size_t j = 0; j < D; j++) {
			row[j] = s * pts[r * D + j];
			row[D + j] = -s * pts[r * D + j];
		}
		row[2 * D] = s;
		row[2 * D + 1] = -s;
		row[2 * D + 2 + r] = -1.0;
		row[2 * D + 2 + K + r] = 1.0;
		row[nc] = 1.0;
		basis[r] = 2 * D + 2 + K + r;
	}
	/* reduced costs of min sum a with the artificial basis: c_j - sum_r A_rj */
	obj = T + K * ld;
	for (size_t j = 0; j <= nc; j++) {
		double c = j >= 2 * D + 2 + K && j < nc ? 1.0 : 0.0;
		for (size_t r = 0; r < K; r++)
			c -= T[r * ld + j];
		obj[j] = c;           /* obj[nc] = -(objective value) */
	}
	for (size_t it = 0;; it++) {
		size_t enter = nc, leave = K;
		double best = INFINITY;
		for (size_t j = 0; j < nc; j++)
			if (obj[j] < -LP_TOL) {
				enter = j;
				break;
			}
		if (enter == nc || it >= max_pivots)
			break;
		for (size_t r = 0; r < K; r++) {
			double a = T[r * ld + enter], ratio;
			if (!(a > LP_TOL))
				continue;
			ratio = T[r * ld + nc] / a;
			if (ratio < best - LP_TOL || (ratio <= best + LP_TOL && basis[r] < basis[leave])) {
				if (ratio < best)
					best = ratio;
				leave = r;
			}
		}
		if (leave == K)
			break;            /* unbounded below: cannot happen (objective >= 0) */
		{
			double *pr = T + leave * ld, piv = pr[enter];
			for (size_t j = 0; j < ld; j++)
				pr[j] /= piv;
			for (size_t r = 0; r <= K; r++) {
				double f, *row;
				if (r == leave)
					continue;
				row = T + r * ld;
				f = row[enter];
				if (f != 0.0)
					for (size_t j = 0; j < ld; j++)
						row[j] -= f * pr[j];
			}
			basis[leave] = enter;
		}
	}
	for (size_t r = 0; r < K; r++)
		if (basis[r] >= 2 * D + 2 + K)
			val += T[r * ld + nc];
	if (val > 1e-7)
		goto done;            /* infeasible: rc 0 */
	memset(w, 0, D * sizeof *w);
	*b = 0.0;
	for (size_t r = 0; r < K; r++) {
		size_t j = basis[r];
		double v = T[r * ld + nc];
		if (j < D)
			w[j] += v;
		else if (j < 2 * D)
			w[j - D] -= v;
		else if (j == 2 * D)
			*b += v;
		else if (j == 2 * D + 1)
			*b -= v;
	}
	rc = 1;
done:
	free(T);
	free(basis);
	return rc;
}

/* The subgroup's values from the tallies and its membership. */
static void fill(struct ft_subgroup *sg, const struct ft_sg_space *sp, const double *Wl,
                 const double *Pl, double Wl_all, double Pl_all, double W)
{
	double ws = 0.0, ps = 0.0;

	sg->rate_all = Wl_all > 0.0 ? Pl_all / Wl_all : 0.0;
	for (size_t g = 0; g < sp->G; g++) {
		double f = sg->intercept;
		for (size_t j = 0; j < sp->dim; j++)
			f += sg->coef[j] * sp->x[g * sp->dim + j];
		sg->member[g] = f > 0.0;
		if (sg->member[g]) {
			ws += Wl[g];
			ps += Pl[g];
		}
	}
	sg->size = W > 0.0 ? ws / W : 0.0;
	sg->rate_in = ws > 0.0 ? ps / ws : sg->rate_all;
	sg->disparity = fabs(sg->rate_in - sg->rate_all);
	sg->weighted = W > 0.0 ? fabs(ps - sg->rate_all * ws) / W : 0.0;
	sg->direction = sg->rate_in > sg->rate_all ? 1 : sg->rate_in < sg->rate_all ? -1 : 0;
}

/* AIF360's regression candidates: a weighted least-squares fit f of
 * (rate_g - r) on (x'_g, 1) with weights Wl_g (a tiny ridge makes the
 * one-hot design, collinear with the intercept, solvable; the fitted values
 * are the least-squares ones to ~1e-10), then {f > 0} (coef, b) and
 * {f < 0} (-coef, -b).  coef: dim + 1 (the intercept last). */
static int regress(const struct ft_sg_space *sp, const double *Wl, const double *Pl, double r,
                   double *coef)
{
	size_t D = sp->dim, m = D + 1;
	double *A = calloc(m * m, sizeof *A), *xg = malloc(m * sizeof *xg), tr = 0.0;
	int rc;

	if (!A || !xg) {
		free(A);
		free(xg);
		return FT_ENOMEM;
	}
	memset(coef, 0, m * sizeof *coef);
	for (size_t g = 0; g < sp->G; g++) {
		double t;
		if (!(Wl[g] > 0.0))
			continue;
		memcpy(xg, sp->x + g * D, D * sizeof *xg);
		xg[D] = 1.0;
		t = Pl[g] / Wl[g] - r;
		for (size_t i = 0; i < m; i++) {
			coef[i] += Wl[g] * xg[i] * t;
			for (size_t j = 0; j < m; j++)
				A[i * m + j] += Wl[g] * xg[i] * xg[j];
		}
	}
	for (size_t i = 0; i < m; i++)
		tr += A[i * m + i];
	for (size_t i = 0; i < m; i++)
		A[i * m + i] += 1e-12 * (tr > 0.0 ? tr : 1.0);
	rc = ft_la_cholesky(m, A);
	if (rc == 0)
		rc = ft_la_cholesky_solve(m, A, coef);
	free(A);
	free(xg);
	return rc;
}

static struct ft_subgroup *sg_new(const struct ft_sg_space *sp, int rate)
{
	struct ft_subgroup *sg = calloc(1, sizeof *sg);

	if (!sg)
		return NULL;
	sg->rate = rate;
	sg->dim = sp->dim;
	sg->n_groups = sp->G;
	sg->coef = calloc(sp->dim + 1, sizeof *sg->coef);
	sg->member = calloc(sp->G + 1, sizeof *sg->member);
	sg->feature_names = ft_strv_copy(sp->names, sp->dim);
	if (!sg->coef || !sg->member || !sg->feature_names) {
		ft_subgroup_free(sg);
		return NULL;
	}
	return sg;
}

void ft_subgroup_free(struct ft_subgroup *s)
{
	if (!s)
		return;
	ft_strv_free(s->feature_names, s->dim);
	free(s->coef);
	free(s->member);
	free(s);
}

/* a subset and its sum; sorted descending by sum, ties by mask */
struct subset {
	double v;
	uint32_t mask;
};

static int cmp_desc(const void *a, const void *b)
{
	const struct subset *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? 1 : -1;
	return (x->mask > y->mask) - (x->mask < y->mask);
}

/* The exact search over the K cells (idx: their groups): the best
 * separable subset of each sign; sg gets the better one's hyperplane. */
static int exact(const struct ft_sg_space *sp, const size_t *idx, size_t K, const double *c,
                 struct ft_subgroup *sg, double *best_val)
{
	size_t D = sp->dim, nm = (size_t)1 << K;
	double *pts = malloc((K * D + 1) * sizeof *pts), *w = malloc((D + 1) * sizeof *w), b;
	struct subset *ord = malloc(nm * sizeof *ord);
	int *lab = malloc((K + 1) * sizeof *lab), rc = 0;

	*best_val = -INFINITY;
	if (!pts || !w || !ord || !lab) {
		rc = FT_ENOMEM;
		goto done;
	}
	for (size_t r = 0; r < K; r++)
		memcpy(pts + r * D, sp->x + idx[r] * D, D * sizeof *pts);
	for (int sign = 1; sign >= -1; sign -= 2) {
		for (size_t mask = 0; mask < nm; mask++) {
			double v = 0.0;
			for (size_t r = 0; r < K; r++)
				if (mask >> r & 1)
					v += c[r];
			ord[mask].v = sign * v;
			ord[mask].mask = (uint32_t)mask;
		}
		qsort(ord, nm, sizeof *ord, cmp_desc);
		for (size_t q = 0; q < nm; q++) {
			size_t mask = ord[q].mask;
			int sep;
			if (!(ord[q].v > *best_val))
				break;        /* no better subset of this sign is left */
			if (mask == 0 || mask == nm - 1) {
				/* empty or everything: the intercept alone */
				memset(w, 0, D * sizeof *w);
				b = mask ? 1.0 : -1.0;
				sep = 1;
			} else {
				for (size_t r = 0; r < K; r++)
					lab[r] = mask >> r & 1 ? 1 : -1;
				if ((sep = separable(K, D, pts, lab, w, &b)) < 0) {
					rc = sep;
					goto done;
				}
			}
			if (sep) {
				*best_val = ord[q].v;
				memcpy(sg->coef, w, D * sizeof *w);
				sg->intercept = b;
				break;
			}
		}
	}
done:
	free(pts);
	free(w);
	free(ord);
	free(lab);
	return rc;
}

int ft_sg_audit_tallies(const struct ft_sg_space *sp, int rate, const double *Wl,
                        const double *Pl, double Wl_all, double Pl_all, double W,
                        struct ft_subgroup **out, struct ft_error *err)
{
	struct ft_subgroup *sg = NULL;
	size_t K = 0, D = sp->dim, *idx = NULL;
	double r = Wl_all > 0.0 ? Pl_all / Wl_all : 0.0, *c = NULL, *beta = NULL, best;
	int rc = 0;

	*out = NULL;
	if (rate != FT_SUBGROUP_FP && rate != FT_SUBGROUP_FN)
		return ft_error_set(err, FT_EINVAL, "subgroup audit: rate must be FP or FN");
	sg = sg_new(sp, rate);
	idx = malloc((sp->G + 1) * sizeof *idx);
	c = malloc((sp->G + 1) * sizeof *c);
	beta = malloc((D + 1) * sizeof *beta);
	if (!sg || !idx || !c || !beta) {
		rc = ft_error_set(err, FT_ENOMEM, "subgroup audit: out of memory");
		goto done;
	}
	sg->intercept = -1.0;          /* the empty subgroup */
	for (size_t g = 0; g < sp->G; g++)
		if (Wl[g] > 0.0) {
			idx[K] = g;
			c[K++] = W > 0.0 ? (Pl[g] - r * Wl[g]) / W : 0.0;
		}
	if (K == 0)
		goto fill;
	if (K <= EXACT_MAX) {
		if ((rc = exact(sp, idx, K, c, sg, &best)) != 0) {
			rc = ft_error_set(err, rc, "subgroup audit: out of memory");
			goto done;
		}
		sg->exact = 1;
		goto fill;
	}
	if ((rc = regress(sp, Wl, Pl, r, beta)) != 0) {
		rc = ft_error_set(err, rc, rc == FT_ENOMEM ? "subgroup audit: out of memory" :
		                  "subgroup audit: the regression over %zu sensitive columns "
		                  "failed", D);
		goto done;
	}
	{
		/* {f > 0}, then {f < 0}: keep the one of larger alpha beta */
		double wpos;
		memcpy(sg->coef, beta, D * sizeof *beta);
		sg->intercept = beta[D];
		fill(sg, sp, Wl, Pl, Wl_all, Pl_all, W);
		wpos = sg->weighted;
		for (size_t j = 0; j < D; j++)
			sg->coef[j] = -beta[j];
		sg->intercept = -beta[D];
		fill(sg, sp, Wl, Pl, Wl_all, Pl_all, W);
		if (wpos > sg->weighted) {
			memcpy(sg->coef, beta, D * sizeof *beta);
			sg->intercept = beta[D];
		}
	}
fill:
	fill(sg, sp, Wl, Pl, Wl_all, Pl_all, W);
	*out = sg;
	sg = NULL;
done:
	ft_subgroup_free(sg);
	free(idx);
	free(c);
	free(beta);
	return rc;
}

/* chunks of the tallies of both rates: part[2 b] += w, part[2 b + 1] += w
 * p over the rows y = 0 (FP) and part[S + 2 b] += w, part[S + 2 b + 1] +=
 * w (1 - p) over the rows y = 1 (FN), S = 2 (G + 1), per group block b (G:
 * no group); part[2 S] += w over every row.  Each sum is the one a tally
 * of one rate alone would make (chunks depend on the rows only). */
static void tally_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct ft_eval_input *in = ctx;
	size_t S = 2 * (in->n_groups + 1);

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double w = in->w ? in->w[i] : 1.0;
		double p = ft_eval_pos(in, i);
		int y = in->y[i] > 0.5;
		size_t b = ft_stratum(in, i);
		double *q = part + (y ? S : 0);
		part[2 * S] += w;
		q[2 * b] += w;
		q[2 * b + 1] += w * (y ? 1.0 - p : p);
	}
}

/* The audit of rate from the tallies t of tally_chunk. */
static int audit_tallies(const struct ft_eval_input *in, int rate, const double *t,
                         struct ft_subgroup **out, struct ft_error *err)
{
	struct ft_sg_space sp;
	size_t G = in->n_groups;
	const double *r = t + (rate == FT_SUBGROUP_FN ? 2 * (G + 1) : 0);
	double *Wl = calloc(G + 1, sizeof *Wl), *Pl = calloc(G + 1, sizeof *Pl);
	double Wl_all = 0.0, Pl_all = 0.0;
	int rc;

	memset(&sp, 0, sizeof sp);
	if (!Wl || !Pl) {
		rc = ft_error_set(err, FT_ENOMEM, "subgroup audit: out of memory");
		goto done;
	}
	for (size_t b = 0; b <= G; b++) {
		if (b < G) {
			Wl[b] = r[2 * b];
			Pl[b] = r[2 * b + 1];
		}
		Wl_all += r[2 * b];
		Pl_all += r[2 * b + 1];
	}
	if ((rc = ft_sg_space_make(G, in->group_names, &sp, err)) != 0)
		goto done;
	rc = ft_sg_audit_tallies(&sp, rate, Wl, Pl, Wl_all, Pl_all, t[4 * (G + 1)], out, err);
done:
	ft_sg_space_free(&sp);
	free(Wl);
	free(Pl);
	return rc;
}

/* The audits of the rates rate[0 .. k) of in (checked) into out[0 .. k),
 * from one pass over the rows. */
static int audits(const struct ft_eval_input *in, const int *rate, size_t k,
                  struct ft_subgroup **out, struct ft_error *err)
{
	size_t G;
	double *t;
	int rc = 0;

	for (size_t q = 0; q < k; q++)
		out[q] = NULL;
	if (!in->group)
		return ft_error_set(err, FT_EINVAL, "subgroup audit: needs groups");
	G = in->n_groups;
	if (!(t = calloc(4 * (G + 1) + 1, sizeof *t)))
		return ft_error_set(err, FT_ENOMEM, "subgroup audit: out of memory");
	if ((rc = ft_parallel_sum(in->n, 4 * (G + 1) + 1, t, tally_chunk, (void *)in)) != 0)
		rc = ft_error_set(err, rc, "subgroup audit: out of memory");
	for (size_t q = 0; q < k && !rc; q++)
		rc = audit_tallies(in, rate[q], t, &out[q], err);
	free(t);
	if (rc)
		for (size_t q = 0; q < k; q++) {
			ft_subgroup_free(out[q]);
			out[q] = NULL;
		}
	return rc;
}

int ft_subgroup_audit(const struct ft_eval_input *in, int rate, struct ft_subgroup **out,
                      struct ft_error *err)
{
	int rc;

	*out = NULL;
	if (rate != FT_SUBGROUP_FP && rate != FT_SUBGROUP_FN)
		return ft_error_set(err, FT_EINVAL, "subgroup audit: rate must be FP (0) or FN "
		                    "(1), not %d", rate);
	if ((rc = ft_eval_check(in, err)) != 0)
		return rc;
	return audits(in, &rate, 1, out, err);
}

int ft_subgroup_audits(const struct ft_eval_input *in, struct ft_subgroup *out[2],
                       struct ft_error *err)
{
	static const int RATES[2] = {FT_SUBGROUP_FP, FT_SUBGROUP_FN};

	return audits(in, RATES, 2, out, err);
}
