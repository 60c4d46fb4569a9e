/*
 * postproc.c - threshold post-processing: group-specific randomized
 * thresholds on a fixed model's score that maximise training accuracy (or
 * balanced accuracy) subject to exactly equal selection rates (dp), true
 * positive rates (tpr, equal opportunity), false positive rates (fpr), or
 * both (eo, equalized odds) across groups.
 *
 *   Hardt, Price & Srebro, "Equality of Opportunity in Supervised
 *   Learning", NeurIPS 2016, sec. 4 (derived predictors; the ROC-hull
 *   construction and the mix with a constant predictor for equalized odds).
 *   Fairlearn's ThresholdOptimizer (p_ignore = q, prediction_constant = c).
 *
 * It does not refit or change the model: the score is the baseline's
 * s = sigmoid(x.beta + b), and only the decision rule of struct
 * ft_thresholds is chosen.  Unlike Fairlearn, which evaluates the hulls on
 * a grid of 1000 points, the optimum here is exact.
 *
 * Threshold points.  Sort a group's rows by score, descending, with m
 * distinct values v_1 > ... > v_m.  Threshold k (k = 0 .. m) makes the top
 * k distinct values positive; its cut t_k lies in (v_{k+1}, v_k] (the
 * midpoint), t_0 = +inf (never), t_m = -inf (always), so `s >= t_k` selects
 * exactly those rows, and rows with equal scores always share a decision.
 * TP_k and FP_k are the selected weights of positives and negatives.
 *
 * Objective.  With P, N, W the total positive, negative and all weight,
 *   accuracy          = N/W + sum_g (TP_g - FP_g) / W,
 *   balanced accuracy = 1/2 + sum_g (TP_g / 2P - FP_g / 2N),
 * both const + sum_g (a TP_g - b FP_g) with a, b > 0: linear in each
 * group's (TP, FP), so a randomized mixture of thresholds scores the same
 * mixture of its points' values.
 *
 * One rate (dp, tpr, fpr).  Group g's rate u_k (selection rate (TP+FP)/W_g,
 * TP/P_g or FP/N_g) and value v_k = a TP_k - b FP_k: mixtures of thresholds
 * reach the convex hull of the points (u_k, v_k), so the best value at rate
 * r is the upper concave hull F_g(r), on [0, 1] (u_0 = 0, u_m = 1).  The
 * total sum_g F_g(r) is concave and piecewise linear; its maximum lies at
 * one of the hulls' vertices, and all of them are tried.  Each group then
 * mixes the two hull vertices around r* (p on the left one).
 *
 * Both rates (eo).  Group g's feasible (FPR, TPR) set is the convex hull of
 * its ROC points, which holds (0, 0) and (1, 1) and so the diagonal of
 * constant predictors.  The objective is a TPR - b FPR summed over groups,
 * a P y - b N x at the common point (x, y), increasing in y: for a given x
 * the best feasible y is U(x) = min_g U_g(x), U_g the upper ROC hull; the
 * exact 2-D LP over the intersection of the hulls is thus the 1-D
 * maximisation of a P U(x) - b N x, concave and piecewise linear, whose
 * maximum lies at a vertex of some U_g or where two U_g cross; all are
 * tried.  At the optimum (x*, y*) a group with U_g(x*) > y* mixes its hull
 * point H = (x*, U_g(x*)) with the constant predictor c = x* (the point
 * (x*, x*) on the diagonal): q = (U_g(x*) - y*) / (U_g(x*) - x*) gives
 * (1 - q) H + q (c, c) = (x*, y*) - Fairlearn's construction.
 *
 * Diagnostics must be finite (the model file refuses inf), so there a cut
 * of +inf (never positive) is shown as 2 and -inf (always) as -1; scores
 * lie in [0, 1], so these decide alike.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/postproc.h"
#include "model/model.h"

static const char *const CONSTRAINT_NAME[] = {"dp", "eo", "tpr", "fpr"};

struct row {
	double s, w;
	int32_t g;
	int y;
};

/* One group: its threshold points and the upper hull over them. */
struct grp {
	size_t n;               /* rows */
	size_t m;               /* distinct scores: thresholds k = 0 .. m */
	double W, P, N;         /* weights: all, positives, negatives */
	double *tp, *fp, *thr;  /* m + 1 each */
	size_t h;               /* hull vertices */
	double *hu, *hv;        /* h: rate (x) and value (y), hu ascending */
	size_t *hk;             /* h: the threshold of each vertex */
};

static int cmp_row(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	return (a->s < b->s) - (a->s > b->s);        /* descending score */
}

/* A cut in (lo, hi] for distinct scores lo < hi: the midpoint, or hi when
 * they are adjacent doubles and the midpoint rounds onto lo. */
static double between(double lo, double hi)
{
	double t = lo + (hi - lo) / 2;

	if (!(t > lo) || t > hi)
		t = hi;
	return t;
}

static const char *gname(const char *const *names, size_t g, char *buf, size_t size)
{
	if (names && names[g])
		return names[g];
	snprintf(buf, size, "%zu", g);
	return buf;
}

/* Upper hull, in place, of the points (hu[k], hv[k]), k = 0 .. m, whose hu
 * never decrease (monotone chain).  Of points with equal rate only the best
 * is kept; collinear vertices are kept, so a rate that lands on one needs
 * no coin flip. */
static void upper_hull(struct grp *G)
{
	size_t h = 0;

	for (size_t k = 0; k <= G->m; k++) {
		double u = G->hu[k], v = G->hv[k];
		if (h > 0 && u == G->hu[h - 1]) {
			if (!(v > G->hv[h - 1]))
				continue;
			h--;
		}
		/* drop the last vertex while it lies strictly below the chord
		 * from the one before it to the new point */
		while (h >= 2) {
			double u0 = G->hu[h - 2], v0 = G->hv[h - 2];
			double u1 = G->hu[h - 1], v1 = G->hv[h - 1];
			if ((u1 - u0) * (v - v0) - (v1 - v0) * (u - u0) > 0)
				h--;
			else
				break;
		}
		G->hu[h] = u;
		G->hv[h] = v;
		G->hk[h] = k;
		h++;
	}
	G->h = h;
}

/* Where rate x falls on G's hull: the cuts t0, t1 of the two vertices
 * around it, *p the probability of t0, and the hull's value there. */
static double place(const struct grp *G, double x, double *t0, double *t1, double *p)
{
	size_t lo = 0, hi = G->h - 1;

	/* the last vertex j with hu[j] <= x (hu[0] = 0 <= x) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (G->hu[mid] <= x)
			lo = mid;
		else
			hi = mid - 1;
	}
	*t0 = *t1 = G->thr[G->hk[lo]];
	*p = 1.0;
	if (lo + 1 == G->h || G->hu[lo] == x)
		return G->hv[lo];
	*t1 = G->thr[G->hk[lo + 1]];
	*p = (G->hu[lo + 1] - x) / (G->hu[lo + 1] - G->hu[lo]);
	return *p * G->hv[lo] + (1.0 - *p) * G->hv[lo + 1];
}

static double hull_at(const struct grp *G, double x)
{
	double t0, t1, p;

	return place(G, x, &t0, &t1, &p);
}

/* dp, tpr, fpr: the rate r maximising sum_g F_g(r), tried at every vertex. */
static double best_rate(const struct grp *gs, size_t ng)
{
	double best = -INFINITY, r_best = 0;

	for (size_t g = 0; g < ng; g++)
		for (size_t j = 0; j < gs[g].h; j++) {
			double r = gs[g].hu[j], f = 0;
			for (size_t e = 0; e < ng; e++)
				f += hull_at(&gs[e], r);
			if (f > best) {
				best = f;
				r_best = r;
			}
		}
	return r_best;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* a P min_g U_g(x) - b N x at x. */
static double eo_value(const struct grp *gs, size_t ng, double A, double B, double x)
{
	double y = INFINITY;

	for (size_t g = 0; g < ng; g++)
		y = fmin(y, hull_at(&gs[g], x));
	return A * y - B * x;
}

/* eo: the FPR x maximising A U(x) - B x, tried at every hull vertex and
 * every crossing of two hulls (between consecutive vertices all hulls are
 * linear, so a crossing is a sign change of a difference there). */
static int best_fpr(const struct grp *gs, size_t ng, double A, double B,
                    double *x_best, struct ft_error *err)
{
	size_t nx = 0, k = 0;
	double *X, *Uv = NULL, best = -INFINITY;

	for (size_t g = 0; g < ng; g++)
		nx += gs[g].h;
	X = malloc(nx * sizeof *X);
	if (X)
		Uv = malloc(nx * ng * sizeof *Uv);
	if (!X || !Uv) {
		free(X);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	for (size_t g = 0; g < ng; g++)
		for (size_t j = 0; j < gs[g].h; j++)
			X[k++] = gs[g].hu[j];
	qsort(X, nx, sizeof *X, cmp_double);
	k = 0;
	for (size_t j = 0; j < nx; j++)
		if (k == 0 || X[j] != X[k - 1])
			X[k++] = X[j];
	nx = k;
	for (size_t j = 0; j < nx; j++)
		for (size_t g = 0; g < ng; g++)
			Uv[j * ng + g] = hull_at(&gs[g], X[j]);
	*x_best = 0;
	for (size_t j = 0; j < nx; j++) {
		double f = eo_value(gs, ng, A, B, X[j]);
		if (f > best) {
			best = f;
			*x_best = X[j];
		}
		for (size_t g = 0; j + 1 < nx && g < ng; g++)
			for (size_t e = g + 1; e < ng; e++) {
				double dl = Uv[j * ng + g] - Uv[j * ng + e];
				double dr = Uv[(j + 1) * ng + g] - Uv[(j + 1) * ng + e];
				double x;
				if (!((dl < 0 && dr > 0) || (dl > 0 && dr < 0)))
					continue;
				x = X[j] + (X[j + 1] - X[j]) * (dl / (dl - dr));
				f = eo_value(gs, ng, A, B, x);
				if (f > best) {
					best = f;
					*x_best = x;
				}
			}
	}
	free(Uv);
	free(X);
	return 0;
}

/* Rows to groups: sort, then each group's threshold points and weights. */
static void build_points(struct row *r, size_t n, struct grp *gs, size_t ng,
                         double *buf, size_t *kbuf)
{
	size_t i = 0, off = 0;

	qsort(r, n, sizeof *r, cmp_row);
	for (size_t g = 0; g < ng; g++) {
		struct grp *G = &gs[g];
		size_t lo = i, k = 0;
		double TP = 0, FP = 0;

		while (i < n && (size_t)r[i].g == g)
			i++;
		G->n = i - lo;
		G->tp = buf + off;
		G->fp = buf + (n + ng) + off;
		G->thr = buf + 2 * (n + ng) + off;
		G->hu = buf + 3 * (n + ng) + off;
		G->hv = buf + 4 * (n + ng) + off;
		G->hk = kbuf + off;
		off += G->n + 1;
		G->tp[0] = G->fp[0] = 0;
		G->thr[0] = INFINITY;
		for (size_t a = lo; a < i;) {
			double v = r[a].s;
			for (; a < i && r[a].s == v; a++) {
				if (r[a].y)
					TP += r[a].w;
				else
					FP += r[a].w;
			}
			k++;
			G->tp[k] = TP;
			G->fp[k] = FP;
			G->thr[k] = a < i ? between(r[a].s, v) : -INFINITY;
		}
		G->m = k;
		/* the totals are the last cumulative sums, so that the last
		 * point's rates are exactly 1 */
		G->P = TP;
		G->N = FP;
		G->W = TP + FP;
	}
}

/* The thresholds from each group's threshold points (gs[g].m, tp, fp, thr,
 * P, N, W and room for the hull in hu, hv, hk): checks, hulls, the best
 * common rate, into th (allocated by the caller, arrays allocated here). */
static int solve_points(struct grp *gs, size_t n_groups, const char *const *names,
                        int constraint, int objective, struct ft_thresholds *th,
                        double *objective_value, struct ft_error *err)
{
	double a, b, c0, P = 0, N = 0, W = 0, value = 0;
	char nb[32];
	int rc = 0;

	for (size_t g = 0; g < n_groups; g++) {
		const char *nm = gname(names, g, nb, sizeof nb);
		int need_pos = constraint == FT_THR_TPR || constraint == FT_THR_EO;
		int need_neg = constraint == FT_THR_FPR || constraint == FT_THR_EO;
		if (!(gs[g].W > 0)) {
			rc = ft_error_set(err, FT_EDATA, "threshold: group '%s' has no training %s",
			                  nm, gs[g].n ? "weight" : "rows");
			goto done;
		}
		if ((need_pos && !(gs[g].P > 0)) || (need_neg && !(gs[g].N > 0))) {
			rc = ft_error_set(err, FT_EDATA, "threshold: group '%s' has no %s training "
			                  "rows (constraint %s needs its %s)", nm,
			                  need_pos && !(gs[g].P > 0) ? "positive" : "negative",
			                  CONSTRAINT_NAME[constraint],
			                  need_pos && !(gs[g].P > 0) ? "true positive rate" :
			                  "false positive rate");
			goto done;
		}
		P += gs[g].P;
		N += gs[g].N;
		W += gs[g].W;
	}
	if (objective == FT_THR_BALANCED_ACCURACY) {
		if (!(P > 0) || !(N > 0)) {
			rc = ft_error_set(err, FT_EDATA, "threshold: balanced accuracy needs "
			                  "positive and negative training rows");
			goto done;
		}
		a = 0.5 / P;
		b = 0.5 / N;
		c0 = 0.5;
	} else {
		a = b = 1.0 / W;
		c0 = N / W;
	}
	/* each group's points (rate, value) and their upper hull */
	for (size_t g = 0; g < n_groups; g++) {
		struct grp *G = &gs[g];
		for (size_t k = 0; k <= G->m; k++) {
			double tp = G->tp[k], fp = G->fp[k];
			switch (constraint) {
			case FT_THR_DP:  G->hu[k] = (tp + fp) / G->W; break;
			case FT_THR_TPR: G->hu[k] = tp / G->P; break;
			default:         G->hu[k] = fp / G->N; break;   /* fpr, eo */
			}
			G->hv[k] = constraint == FT_THR_EO ? tp / G->P : a * tp - b * fp;
		}
		upper_hull(G);
	}
	th->n_groups = n_groups;
	th->t0 = malloc(n_groups * sizeof *th->t0);
	th->t1 = malloc(n_groups * sizeof *th->t1);
	th->p = malloc(n_groups * sizeof *th->p);
	th->q = calloc(n_groups, sizeof *th->q);
	th->c = calloc(n_groups, sizeof *th->c);
	if (!th->t0 || !th->t1 || !th->p || !th->q || !th->c) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if (constraint != FT_THR_EO) {
		double rs = best_rate(gs, n_groups);
		value = c0;
		for (size_t g = 0; g < n_groups; g++)
			value += place(&gs[g], rs, &th->t0[g], &th->t1[g], &th->p[g]);
	} else {
		double x = 0, yy = INFINITY, *U = NULL;
		if ((rc = best_fpr(gs, n_groups, a * P, b * N, &x, err)) != 0)
			goto done;
		U = malloc(n_groups * sizeof *U);
		if (!U) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t g = 0; g < n_groups; g++) {
			U[g] = place(&gs[g], x, &th->t0[g], &th->t1[g], &th->p[g]);
			yy = fmin(yy, U[g]);
		}
		/* mix each group's hull point with the constant predictor x (Hardt
		 * et al. sec. 4; U_g(x) >= x as the hull holds the diagonal) */
		for (size_t g = 0; g < n_groups; g++) {
			double q = U[g] > x ? (U[g] - yy) / (U[g] - x) : 0.0;
			th->q[g] = fmin(1.0, fmax(0.0, q));
			th->c[g] = x;
		}
		free(U);
		value = c0 + a * P * yy - b * N * x;
	}
	if (objective_value)
		*objective_value = value;
done:
	return rc;
}

int ft_threshold_solve(const double *s, const double *y, const double *w,
                       const int32_t *group, size_t n, size_t n_groups,
                       const char *const *names, int constraint, int objective,
                       struct ft_thresholds **out, double *objective_value,
                       struct ft_error *err)
{
	struct row *r = NULL;
	struct grp *gs = NULL;
	double *buf = NULL;
	size_t *kbuf = NULL;
	struct ft_thresholds *th = NULL;
	int rc = 0;

	*out = NULL;
	if (constraint < FT_THR_DP || constraint > FT_THR_FPR ||
	    (objective != FT_THR_ACCURACY && objective != FT_THR_BALANCED_ACCURACY))
		return ft_error_set(err, FT_EINVAL, "threshold: unknown constraint %d or "
		                    "objective %d", constraint, objective);
	if (n_groups == 0 || !s || !y || !group)
		return ft_error_set(err, FT_EINVAL, "threshold: needs scores, labels and groups");
	r = malloc((n ? n : 1) * sizeof *r);
	gs = calloc(n_groups, sizeof *gs);
	buf = malloc(5 * (n + n_groups) * sizeof *buf);
	kbuf = malloc((n + n_groups) * sizeof *kbuf);
	th = calloc(1, sizeof *th);
	if (!r || !gs || !buf || !kbuf || !th) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		if (group[i] < 0 || (size_t)group[i] >= n_groups) {
			rc = ft_error_set(err, FT_EDATA, "threshold: row %zu has no group", i + 1);
			goto done;
		}
		if (!(s[i] == s[i]) || !(wi >= 0) || !isfinite(wi)) {
			rc = ft_error_set(err, FT_EDATA, "threshold: row %zu has a %s", i + 1,
			                  s[i] == s[i] ? "negative or non-finite weight" :
			                  "score that is not a number");
			goto done;
		}
		r[i].s = s[i];
		r[i].w = wi;
		r[i].g = group[i];
		r[i].y = y[i] > 0.5;
	}
	build_points(r, n, gs, n_groups, buf, kbuf);
	rc = solve_points(gs, n_groups, names, constraint, objective, th, objective_value,
	                  err);
	if (rc)
		goto done;
	*out = th;
	th = NULL;
done:
	ft_thresholds_free(th);
	free(r);
	free(gs);
	free(buf);
	free(kbuf);
	return rc;
}

int ft_threshold_solve_roc(const struct ft_roc *roc, size_t n_groups,
                           const char *const *names, int constraint, int objective,
                           struct ft_thresholds **out, double *objective_value,
                           struct ft_error *err)
{
	struct grp *gs = NULL;
	double *buf = NULL;
	size_t *kbuf = NULL, tot = 0, off = 0;
	struct ft_thresholds *th = NULL;
	int rc = 0;

	*out = NULL;
	if (constraint < FT_THR_DP || constraint > FT_THR_FPR ||
	    (objective != FT_THR_ACCURACY && objective != FT_THR_BALANCED_ACCURACY) ||
	    n_groups == 0 || !roc)
		return ft_error_set(err, FT_EINVAL, "threshold: bad constraint, objective or "
		                    "points");
	for (size_t g = 0; g < n_groups; g++) {
		const struct ft_roc *R = &roc[g];
		if (R->m == 0 || R->tp[0] != 0 || R->fp[0] != 0)
			return ft_error_set(err, FT_EINVAL, "threshold: group %zu's points must "
			                    "start at (0, 0)", g);
		for (size_t k = 1; k <= R->m; k++)
			if (!(R->tp[k] >= R->tp[k - 1]) || !(R->fp[k] >= R->fp[k - 1]) ||
			    !isfinite(R->tp[k] + R->fp[k]) || !(R->thr[k] < R->thr[k - 1]))
				return ft_error_set(err, FT_EINVAL, "threshold: group %zu's points "
				                    "are not cumulative (point %zu)", g, k);
		tot += R->m + 1;
	}
	gs = calloc(n_groups, sizeof *gs);
	buf = malloc(3 * tot * sizeof *buf);
	kbuf = malloc(tot * sizeof *kbuf);
	th = calloc(1, sizeof *th);
	if (!gs || !buf || !kbuf || !th) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t g = 0; g < n_groups; g++) {
		struct grp *G = &gs[g];
		const struct ft_roc *R = &roc[g];
		G->n = R->m;
		G->m = R->m;
		G->tp = (double *)R->tp;      /* read only below */
		G->fp = (double *)R->fp;
		G->thr = (double *)R->thr;
		G->hu = buf + off;
		G->hv = buf + tot + off;
		G->hk = kbuf + off;
		off += R->m + 1;
		G->P = R->tp[R->m];
		G->N = R->fp[R->m];
		G->W = G->P + G->N;
	}
	rc = solve_points(gs, n_groups, names, constraint, objective, th, objective_value,
	                  err);
	if (rc)
		goto done;
	*out = th;
	th = NULL;
done:
	ft_thresholds_free(th);
	free(gs);
	free(buf);
	free(kbuf);
	return rc;
}

/* ------------------------------------------------------------ the method */

struct ft_linear_model *ft_linear_model_copy(const struct ft_linear_model *m)
{
	struct ft_linear_model *c = calloc(1, sizeof *c);
	size_t ng = m->n_groups, np = m->p;

	if (!c)
		return NULL;
	*c = *m;
	c->coef = malloc((np + 1) * sizeof *c->coef);
	c->group_coef = m->group_coef ? malloc((ng * np + 1) * sizeof *c->group_coef) : NULL;
	c->group_intercept = m->group_intercept ?
		malloc((ng + 1) * sizeof *c->group_intercept) : NULL;
	if (!c->coef || (m->group_coef && !c->group_coef) ||
	    (m->group_intercept && !c->group_intercept)) {
		ft_linear_model_free(c);
		return NULL;
	}
	if (np > 0)
		memcpy(c->coef, m->coef, np * sizeof *c->coef);
	if (c->group_coef && ng * np > 0)
		memcpy(c->group_coef, m->group_coef, ng * np * sizeof *c->group_coef);
	if (c->group_intercept && ng > 0)
		memcpy(c->group_intercept, m->group_intercept, ng * sizeof *c->group_intercept);
	return c;
}

/* A cut as a finite diagnostic (see the top of the file). */
static double finite_cut(double t)
{
	return t == INFINITY ? 2.0 : t == -INFINITY ? -1.0 : t;
}

/* Weighted accuracy or balanced accuracy of decisions pos (P(yhat = 1)). */
static double objective_of(const struct ft_dataset *d, const double *pos, int objective)
{
	double c[2][2] = {{0, 0}, {0, 0}};   /* c[y][yhat] */

	for (size_t i = 0; i < d->n; i++) {
		double wi = d->w ? d->w[i] : 1.0;
		int yi = d->y[i] > 0.5;
		c[yi][1] += wi * pos[i];
		c[yi][0] += wi * (1.0 - pos[i]);
	}
	if (objective == FT_THR_BALANCED_ACCURACY)
		return 0.5 * (c[1][1] / (c[1][0] + c[1][1]) + c[0][0] / (c[0][0] + c[0][1]));
	return (c[1][1] + c[0][0]) / (c[0][0] + c[0][1] + c[1][0] + c[1][1]);
}

int ft_fit_threshold(const struct ft_fit_input *in, struct ft_fit_output *out,
                     struct ft_error *err)
{
	const struct ft_dataset *d = in->train;
	size_t n = d ? d->n : 0, G = in->n_groups;
	int constraint = (int)in->params[0], objective = (int)in->params[1], rc;
	double *s = NULL, *pos = NULL, *cnt = NULL;
	struct ft_thresholds *th = NULL;
	char name[FT_DIAG_NAME], nb[32];

	if (!d || !d->y || !d->group || !in->baseline)
		return ft_error_set(err, FT_EINVAL, "threshold: needs labels, groups and "
		                    "the baseline model");
	s = malloc((n ? n : 1) * sizeof *s);
	pos = malloc((n ? n : 1) * sizeof *pos);
	cnt = calloc(4 * G + 1, sizeof *cnt);
	if (!s || !pos || !cnt) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	/* the baseline's scores and its decisions at 0.5, for the diagnostics */
	if ((rc = ft_classify(in->baseline, NULL, NULL, d, 0.5, s, pos, err)) != 0)
		goto done;
	rc = ft_threshold_solve(s, d->y, d->w, d->group, n, G, in->group_names,
	                        constraint, objective, &th, NULL, err);
	if (rc)
		goto done;
	ft_fit_diag(out, "objective_baseline", objective_of(d, pos, objective));
	out->pred.linear = ft_linear_model_copy(in->baseline);
	if (!out->pred.linear) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	memset(&out->res, 0, sizeof out->res);
	out->res.converged = 1;
	out->res.f = in->baseline_objective;
	out->pred.thresholds = th;
	out->pred.kind = FT_PRED_THRESHOLDS;
	th = NULL;
	/* what the decision rule achieves, through the rule itself */
	if ((rc = ft_classify(out->pred.linear, NULL, out->pred.thresholds, d, 0.5, s, pos, err)) != 0)
		goto done;
	ft_fit_diag(out, "objective", objective_of(d, pos, objective));
	for (size_t i = 0; i < n; i++) {
		double wi = d->w ? d->w[i] : 1.0;
		double *c = cnt + 4 * (size_t)d->group[i];   /* groups checked by the solver */
		int yi = d->y[i] > 0.5;
		c[yi] += wi;                  /* weight of negatives, positives */
		c[2 + yi] += wi * pos[i];     /* their expected positive decisions */
	}
	for (size_t g = 0; g < G; g++) {
		const char *nm = gname(in->group_names, g, nb, sizeof nb);
		const struct ft_thresholds *t = out->pred.thresholds;
		const double *c = cnt + 4 * g;
		snprintf(name, sizeof name, "t0[%s]", nm);
		ft_fit_diag(out, name, finite_cut(t->t0[g]));
		snprintf(name, sizeof name, "t1[%s]", nm);
		ft_fit_diag(out, name, finite_cut(t->t1[g]));
		snprintf(name, sizeof name, "p[%s]", nm);
		ft_fit_diag(out, name, t->p[g]);
		snprintf(name, sizeof name, "q[%s]", nm);
		ft_fit_diag(out, name, t->q[g]);
		snprintf(name, sizeof name, "c[%s]", nm);
		ft_fit_diag(out, name, t->c[g]);
		if (constraint == FT_THR_DP) {
			snprintf(name, sizeof name, "selection_rate[%s]", nm);
			ft_fit_diag(out, name, (c[2] + c[3]) / (c[0] + c[1]));
		}
		if (constraint == FT_THR_TPR || constraint == FT_THR_EO) {
			snprintf(name, sizeof name, "tpr[%s]", nm);
			ft_fit_diag(out, name, c[3] / c[1]);
		}
		if (constraint == FT_THR_FPR || constraint == FT_THR_EO) {
			snprintf(name, sizeof name, "fpr[%s]", nm);
			ft_fit_diag(out, name, c[2] / c[0]);
		}
	}
done:
	if (rc)
		ft_fit_output_clear(out);
	ft_thresholds_free(th);
	free(s);
	free(pos);
	free(cnt);
	return rc;
}
