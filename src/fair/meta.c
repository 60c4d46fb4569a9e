/*
 * meta.c - the meta-fair classifier of Celis, Huang, Keswani & Vishnoi,
 * "Classification with Fairness Constraints: A Meta-Algorithm with
 * Provable Guarantees", FAT* 2019, as AIF360's MetaFairClassifier runs it
 * (aif360/algorithms/inprocessing/celisMeta: General.py, StatisticalRate.py,
 * FalseDiscovery.py), for statistical rate (sr: the ratio of the groups'
 * selection rates) and false discovery rate (fdr: the ratio of their
 * P(y = -1 | yhat = 1)), with fairness target tau.
 *
 * The reference models the data as one Gaussian over (x, y, z), y in {-1,
 * 1}, z in {0, 1} (1 = the privileged group: ft_adv_targets), fitted by
 * the weighted mean and covariance (np.cov's aweights denominator V1 -
 * V2 / V1, n - 1 for unit weights), densities through the pseudo-inverse P
 * of the covariance (scipy's allow_singular: eigenvalues below 1e6 DBL_EPSILON
 * times the largest are dropped).  Its classifier is the sign of
 *   t = P(y = 1 | x) - 1/2 + (the dual terms of the fairness constraints),
 * sr: + l1 P(z = 0 | x) / P(z = 0) + l2 P(z = 1 | x) / P(z = 1);
 * fdr: + u1 (P(y = -1, z = 0 | x) - a P(z = 0 | x)) + u2 (...z = 1...)
 *      + l1 (-P(y = -1, z = 0 | x) + b P(z = 0 | x)) + l2 (...z = 1...).
 * For each (a, b) of the grid a = 0, 0.1, 0.2, ... < ceil(tau / 0.01) 0.01,
 * b = min((a + 0.01) / tau, 1) it finds the multipliers by 9 restarts of 49
 * gradient steps of size 1/k on the dual smoothed by mu = 0.01 (|t| ~
 * sqrt(t^2 + mu^2)), on 20 sampled points, and keeps the (a, b) of the best
 * training accuracy among those whose fairness ratio is at least tau - 0.2.
 * Its gradientDescent returns the list it keeps changing, so the answer is
 * the last iterate of the last restart that improved the objective; that
 * is kept here.
 *
 * The one change, so that the classifier is one fairtrain can store and
 * apply (a linear rule per group): the sensitive attribute is observed,
 * P(z = z_i | x_i) = 1, where the reference infers it from the Gaussian.
 * Then t(x, z) = A_z P(y = 1 | x, z) + B_z with
 *   sr:  A_z = 1, B_z = -1/2 + l_z / P(z),
 *   fdr: A_z = 1 - u_z + l_z, B_z = -1/2 + u_z (1 - a) - l_z (1 - b),
 * and the Gaussian's P(y = 1 | x, z) = sigmoid(r), r = w.x + c_z linear in
 * x (the log-density difference between y = 1 and y = -1: w = -2 P_yx,
 * c_z = 2 (P_yx.mu_x + P_yy mu_y - P_yz (z - mu_z))).  So t > 0 is, per
 * group, r > logit(-B_z / A_z) (or < when A_z < 0), a linear rule: the
 * fitted model is a per-group linear model (struct ft_linear_model
 * n_groups > 0; predict needs the sensitive column), a constant where the
 * threshold falls outside (0, 1).  Its score sigmoid(x.beta_g + b_g) is
 * the margin of that rule, not a probability.  The 20 points of each (a,
 * b) are training rows (x_i, z_i) drawn uniformly with replacement by an
 * ft_rng seeded with `seed` (the reference samples x from the Gaussian,
 * which has no z).  Sums over the 20 points follow numpy's pairwise order
 * (np_sum), so that scripts/fixtures/make_meta_fixture.py, a numpy port of
 * the reference with the same change, gives the same multipliers to
 * round-off.  The pseudo-inverse's cutoff is relative to the largest
 * eigenvalue, so the answer depends on the features' scales (the densities
 * alone would not): fairtrain's features are standardized; on Adult's raw
 * capital-gain (variance 5e7) the cutoff would drop the directions of
 * every rare category.
 *
 * Diagnostics: a, b, the multipliers (l1, l2 or u1, u2, l1, l2), training
 * accuracy and fairness ratio of the chosen rule, candidates tried and
 * accepted, P(z = 1), the rank of the covariance kept.  res.f = the
 * training accuracy's complement, res.iterations = candidates.
 *
 * Not here: other fairness metrics of the paper (the reference has only
 * these two), more than two groups except as the privileged group
 * against the rest, the unobserved-attribute classifier (not linear).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/inproc.h"
#include "model/model.h"
#include "linalg/linalg.h"
#include "core/internal.h"

#define EPS 0.01          /* General.getModel's eps */
#define MU 0.01           /* the smoothing of |t| */
#define N_SAMPLES 20
#define RESTARTS 9
#define STEPS 49
#define CONST_Z 30.0      /* the decision value of a constant rule */

/* numpy's pairwise summation (numpy/core/src/umath/loops_utils.h.src,
 * pairwise_sum), for the same round-off as np.sum / np.mean. */
static double np_sum(const double *a, size_t n)
{
	if (n < 8) {
		double s = 0.0;
		for (size_t i = 0; i < n; i++)
			s += a[i];
		return s;
	}
	if (n <= 128) {
		double r[8], s;
		size_t i;
		for (int j = 0; j < 8; j++)
			r[j] = a[j];
		for (i = 8; i < n - (n % 8); i += 8)
			for (int j = 0; j < 8; j++)
				r[j] += a[i + j];
		s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			s += a[i];
		return s;
	}
	{
		size_t n2 = n / 2;
		n2 -= n2 % 8;
		return np_sum(a, n2) + np_sum(a + n2, n - n2);
	}
}

/* ------------------------------------------------------ the Gaussian */

struct cov_call {
	const struct ft_dataset *d;
	const int8_t *z;
	size_t p, m;              /* m = p + 3: x, 1, y, z */
	size_t *idx;              /* per chunk: n_cat + 1 */
};

/* raw weighted moments of (x, 1, y, z): part = M (m x m, upper), then
 * sum w^2 */
static void cov_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct cov_call *a = ctx;
	const struct ft_dataset *d = a->d;
	size_t p = a->p, m = a->m, *idx = a->idx + chunk * (d->n_cat + 1);

	for (size_t i = lo; i < hi; i++) {
		double w = d->w ? d->w[i] : 1.0, y = d->y[i] > 0.5 ? 1.0 : -1.0, z = a->z[i];
		double *My = part + p + 1, *Mz = part + p + 2;   /* columns y and z */
		ft_row_outer(d, i, w, 1, 0, part, m, idx);
		/* x_j y and x_j z: column p + 1 and p + 2 of rows j */
		if (d->n_num > 0) {
			const double *xi = d->num + i * d->n_num;
			for (size_t j = 0; j < d->n_num; j++) {
				My[j * m] += w * xi[j] * y;
				Mz[j * m] += w * xi[j] * z;
			}
		}
		for (size_t c = 0; c < d->n_cat; c++) {
			int32_t k = d->code[i * d->n_cat + c];
			if (k >= 0) {
				My[(size_t)k * m] += w * y;
				Mz[(size_t)k * m] += w * z;
			}
		}
		part[p * m + p + 1] += w * y;
		part[p * m + p + 2] += w * z;
		part[(p + 1) * m + p + 1] += w * y * y;
		part[(p + 1) * m + p + 2] += w * y * z;
		part[(p + 2) * m + p + 2] += w * z * z;
		part[m * m] += w * w;
	}
}

int ft_meta_gauss(const struct ft_dataset *d, const int8_t *z, double *wv, double c[2],
                  size_t *rank, struct ft_error *err)
{
	size_t p = d->p, m = p + 3, D = p + 2, nch = ft_parallel_chunks(d->n, m * m + 1);
	struct cov_call a = { d, z, p, m, NULL };
	double *M = calloc(m * m + 1, sizeof *M), *C = malloc(D * D * sizeof *C);
	double *ev = malloc(D * sizeof *ev), *mu = malloc(D * sizeof *mu);
	double *Py = calloc(D, sizeof *Py), W, V2, den, cut, smax = 0.0;
	int rc = 0;

	a.idx = malloc(nch * (d->n_cat + 1) * sizeof *a.idx);
	if (!M || !C || !ev || !mu || !Py || !a.idx) {
		rc = ft_error_set(err, FT_ENOMEM, "meta: out of memory");
		goto done;
	}
	if ((rc = ft_parallel_sum(d->n, m * m + 1, M, cov_chunk, &a)) != 0) {
		rc = ft_error_set(err, rc, "meta: out of memory");
		goto done;
	}
	W = M[p * m + p];
	V2 = M[m * m];
	den = W - V2 / W;
	if (!(W > 0.0) || !(den > 0.0)) {
		rc = ft_error_set(err, FT_EDATA, "meta: needs at least two rows of positive weight");
		goto done;
	}
	/* means of x, y, z (the column of the constant 1) */
	for (size_t j = 0; j < p; j++)
		mu[j] = M[j * m + p] / W;
	mu[p] = M[p * m + p + 1] / W;
	mu[p + 1] = M[p * m + p + 2] / W;
	/* the covariance of (x, y, z), symmetric, from the upper triangle */
	for (size_t r = 0; r < D; r++)
		for (size_t s = r; s < D; s++) {
			size_t mr = r < p ? r : r + 1, ms = s < p ? s : s + 1;
			double v = (M[mr * m + ms] - W * mu[r] * mu[s]) / den;
			C[r * D + s] = C[s * D + r] = v;
		}
	if ((rc = ft_la_eigh(D, C, ev)) != 0) {
		rc = ft_error_set(err, rc, "meta: the eigendecomposition of the %zu x %zu "
		                  "covariance failed", D, D);
		goto done;
	}
	for (size_t k = 0; k < D; k++)
		smax = fmax(smax, fabs(ev[k]));
	cut = 1e6 * DBL_EPSILON * smax;       /* scipy's _eigvalsh_to_eps */
	*rank = 0;
	/* row y of the pseudo-inverse: sum_k [s_k > cut] v_k[y] v_k / s_k */
	for (size_t k = 0; k < D; k++) {
		const double *v = C + k * D;
		if (!(ev[k] > cut))
			continue;
		(*rank)++;
		for (size_t j = 0; j < D; j++)
			Py[j] += v[p] * v[j] / ev[k];
	}
	/* r = logpdf(x, 1, z) - logpdf(x, -1, z) = -2 e_y' P (x - mu_x, -mu_y, z - mu_z) */
	{
		double base = 0.0;
		for (size_t j = 0; j < p; j++) {
			wv[j] = -2.0 * Py[j];
			base += Py[j] * mu[j];
		}
		base += Py[p] * mu[p];
		for (int zz = 0; zz < 2; zz++)
			c[zz] = 2.0 * (base - Py[p + 1] * ((double)zz - mu[p + 1]));
	}
done:
	free(M);
	free(C);
	free(ev);
	free(mu);
	free(Py);
	free(a.idx);
	return rc;
}

/* ------------------------------------------------------ the dual */

struct meta {
	int fdr;
	double a, b, zp;          /* zp = P(z = 1) */
	const double *eta;        /* the 20 points' P(y = 1 | x, z) */
	const int8_t *zs;         /* their z */
	double t[N_SAMPLES], tmp[4][N_SAMPLES];
};

static double mean20(const double *v)
{
	return np_sum(v, N_SAMPLES) / (double)N_SAMPLES;
}

/* t at the points (into M->t); FDR's probc and prob_z, SR's c_1, c_2 into
 * M->tmp */
static void tval(struct meta *M, const double *q)
{
	for (size_t s = 0; s < N_SAMPLES; s++) {
		double z0 = M->zs[s] == 0, z1 = M->zs[s] == 1, eta = M->eta[s];
		if (!M->fdr) {
			double c1 = z0 / (1.0 - M->zp), c2 = z1 / M->zp;
			M->t[s] = eta - 0.5 + c1 * q[0] + c2 * q[1];
			M->tmp[0][s] = c1;
			M->tmp[1][s] = c2;
		} else {
			double pm0 = z0 * (1.0 - eta), pm1 = z1 * (1.0 - eta);
			double c1 = q[0] * (pm0 - M->a * z0) + q[1] * (pm1 - M->a * z1);
			double c2 = q[2] * (-pm0 + M->b * z0) + q[3] * (-pm1 + M->b * z1);
			M->t[s] = eta - 0.5 + c1 + c2;
			M->tmp[0][s] = pm0;
			M->tmp[1][s] = pm1;
			M->tmp[2][s] = z0;
			M->tmp[3][s] = z1;
		}
	}
}

/* getExpectedGrad */
static void grad(struct meta *M, const double *q, double *g)
{
	double v[4][N_SAMPLES], a = M->a, b = M->b;

	tval(M, q);
	for (size_t s = 0; s < N_SAMPLES; s++) {
		double t = M->t[s], r = sqrt(t * t + MU * MU);
		if (!M->fdr) {
			v[0][s] = t * M->tmp[0][s] / r;
			v[1][s] = t * M->tmp[1][s] / r;
		} else {
			double f = t / r;
			v[0][s] = (M->tmp[0][s] - a * M->tmp[2][s]) * f;
			v[1][s] = (M->tmp[1][s] - a * M->tmp[3][s]) * f;
			v[2][s] = (-M->tmp[0][s] + b * M->tmp[2][s]) * f;
			v[3][s] = (-M->tmp[1][s] + b * M->tmp[3][s]) * f;
		}
	}
	if (!M->fdr) {
		for (int j = 0; j < 2; j++)
			g[j] = mean20(v[j]) - b + (b - a) / 2.0 +
			       (b - a) * q[j] / (2.0 * sqrt(q[j] * q[j] + MU * MU));
	} else {
		for (int j = 0; j < 4; j++)
			g[j] = mean20(v[j]);
	}
}

/* getFuncValue */
static double func(struct meta *M, const double *q)
{
	double at[N_SAMPLES], r;

	tval(M, q);
	for (size_t s = 0; s < N_SAMPLES; s++)
		at[s] = fabs(M->t[s]);
	r = mean20(at);
	if (!M->fdr) {
		r = r - M->b * q[0] - M->b * q[1];
		if (q[0] > 0)
			r += (M->b - M->a) * q[0];
		if (q[1] > 0)
			r += (M->b - M->a) * q[1];
	}
	return r;
}

/* gradientDescent: the last iterate of the last restart that improved */
static void descend(struct meta *M, double *best)
{
	size_t k = M->fdr ? 4 : 2;
	double min_val = INFINITY, q[4], g[4];

	memset(best, 0, 4 * sizeof *best);
	for (int i = 1; i <= RESTARTS; i++) {
		int improved = 0;
		for (size_t j = 0; j < k; j++)
			q[j] = M->fdr ? i : i - 5;
		for (int s = 1; s <= STEPS; s++) {
			double f;
			grad(M, q, g);
			for (size_t j = 0; j < k; j++)
				q[j] = q[j] - 1.0 / s * g[j];
			f = func(M, q);
			if (f < min_val) {
				min_val = f;
				improved = 1;
			}
		}
		if (improved)
			memcpy(best, q, k * sizeof *q);
	}
}

/* A and B of t = A eta + B for the rows of z (see the top). */
static void rule(int fdr, double a, double b, double zp, const double *q, int z, double *A,
                 double *B)
{
	if (!fdr) {
		*A = 1.0;
		*B = -0.5 + (z ? q[1] / zp : q[0] / (1.0 - zp));
	} else {
		double u = q[z], l = q[2 + z];
		*A = 1.0 - u + l;
		*B = -0.5 + u * (1.0 - a) - l * (1.0 - b);
	}
}

/* The training accuracy and fairness ratio of t (StatisticalRate.gamma /
 * FalseDiscovery.gamma, weighted) for the multipliers q. */
static void evaluate(const struct ft_dataset *d, const int8_t *z, const double *eta, int fdr,
                     double a, double b, double zp, const double *q, double *acc,
                     double *ratio)
{
	double A[2], B[2], W = 0.0, ok = 0.0, wz[2] = { 0 }, pos[2] = { 0 }, neg[2] = { 0 };

	rule(fdr, a, b, zp, q, 0, &A[0], &B[0]);
	rule(fdr, a, b, zp, q, 1, &A[1], &B[1]);
	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1.0;
		int y = d->y[i] > 0.5, yh = A[z[i]] * eta[i] + B[z[i]] > 0.0;
		W += w;
		ok += w * (yh == y);
		wz[z[i]] += w;
		pos[z[i]] += w * yh;
		neg[z[i]] += w * (yh && !y);
	}
	*acc = ok / W;
	if (!fdr) {
		double p0 = pos[0] / wz[0], p1 = pos[1] / wz[1];
		*ratio = p0 == 0 || p1 == 0 ? 0 : fmin(p0 / p1, p1 / p0);
	} else {
		double f0, f1;
		if (pos[0] == 0 || pos[1] == 0) {
			*ratio = 0;
			return;
		}
		f0 = neg[0] / pos[0];
		f1 = neg[1] / pos[1];
		*ratio = f0 == 0 || f1 == 0 ? 0 : fmin(f0 / f1, f1 / f0);
	}
}

int ft_fit_meta(const struct ft_fit_input *in, struct ft_fit_output *out,
                struct ft_error *err)
{
	const struct ft_dataset *d;
	struct ft_linear_model *m = NULL;
	int8_t *z = NULL, zs[N_SAMPLES];
	double *w = NULL, *eta = NULL, c[2], tau, zp = 0.0, W = 0.0, q[4], best_q[4] = { 0 };
	double best_acc = 0.0, best_a = 0.0, best_b = 0.0, acc, ratio, es[N_SAMPLES], na;
	size_t p, rank = 0, n_cand = 0, n_ok = 0;
	int fdr, rc = 0;
	struct ft_rng rng;
	struct meta M;

	if (!in || !in->train || !in->train->y || !in->lr || !in->params)
		return ft_error_set(err, FT_EINVAL, "meta: incomplete fit input");
	d = in->train;
	p = d->p;
	fdr = in->params[0] == 1.0;
	tau = in->params[1];
	if ((in->params[0] != 0.0 && !fdr) || !(tau > 0.0 && tau <= 1.0) ||
	    !(in->params[2] >= 0.0))
		return ft_error_set(err, FT_EINVAL, "meta: needs type sr or fdr, tau in (0, 1] "
		                    "and seed >= 0");
	if (d->n == 0)
		return ft_error_set(err, FT_EDATA, "meta: no training rows");
	z = malloc(d->n * sizeof *z);
	w = malloc((p ? p : 1) * sizeof *w);
	eta = malloc(d->n * sizeof *eta);
	if (!z || !w || !eta) {
		rc = ft_error_set(err, FT_ENOMEM, "meta: out of memory");
		goto done;
	}
	if ((rc = ft_adv_targets(in, "meta", z, err)) != 0)
		goto done;
	for (size_t i = 0; i < d->n; i++) {
		double wi = d->w ? d->w[i] : 1.0;
		if (z[i] < 0) {
			rc = ft_error_set(err, FT_EDATA, "meta: training row %zu has no group", i + 1);
			goto done;
		}
		W += wi;
		zp += wi * z[i];
	}
	zp /= W;
	if ((rc = ft_meta_gauss(d, z, w, c, &rank, err)) != 0)
		goto done;
	for (size_t i = 0; i < d->n; i++)
		eta[i] = ft_sigmoid(ft_row_dot(d, i, w) + c[z[i]]);
	/* General.range: a = 0, 10 eps, 20 eps, ... below ceil(tau / eps) eps */
	na = ceil(tau / EPS);
	ft_rng_seed(&rng, (uint64_t)in->params[2]);
	memset(&M, 0, sizeof M);
	M.fdr = fdr;
	M.zp = zp;
	M.eta = es;
	M.zs = zs;
	for (double k = 0; k < na; k += 10) {
		M.a = k * EPS;
		M.b = fmin((M.a + EPS) / tau, 1.0);
		for (size_t s = 0; s < N_SAMPLES; s++) {
			size_t i = (size_t)ft_rng_below(&rng, d->n);
			es[s] = eta[i];
			zs[s] = z[i];
		}
		descend(&M, q);
		evaluate(d, z, eta, fdr, M.a, M.b, zp, q, &acc, &ratio);
		n_cand++;
		if (ratio >= tau - 0.2)
			n_ok++;
		if (best_acc < acc && ratio >= tau - 0.2) {
			best_acc = acc;
			memcpy(best_q, q, sizeof q);
			best_a = M.a;
			best_b = M.b;
		}
	}
	evaluate(d, z, eta, fdr, best_a, best_b, zp, best_q, &acc, &ratio);
	for (size_t j = 0; j < 4; j++)
		if (!isfinite(best_q[j])) {
			rc = ft_error_set(err, FT_ENUMERIC, "meta: multiplier %zu is %g", j, best_q[j]);
			goto done;
		}
	/* the per-group linear rule t > 0 */
	m = calloc(1, sizeof *m);
	if (m) {
		m->coef = calloc(p ? p : 1, sizeof *m->coef);
		m->group_coef = calloc((p ? p : 1) * in->n_groups, sizeof *m->group_coef);
		m->group_intercept = calloc(in->n_groups, sizeof *m->group_intercept);
	}
	if (!m || !m->coef || !m->group_coef || !m->group_intercept) {
		rc = ft_error_set(err, FT_ENOMEM, "meta: out of memory");
		goto done;
	}
	m->type = FT_MODEL_LOGREG;
	m->p = p;
	m->n_groups = in->n_groups;
	{
		/* the groups' z: the privileged one (or group 1 of two) is 1 */
		long pz = in->privileged >= 0 ? in->privileged : 1;
		double wg;
		for (size_t g = 0; g < in->n_groups; g++) {
			int zg = (long)g == pz;
			double A, B, *beta = m->group_coef + g * p, *b0 = m->group_intercept + g, th;
			rule(fdr, best_a, best_b, zp, best_q, zg, &A, &B);
			th = A != 0.0 ? -B / A : 0.0;
			if (A == 0.0 || !(th > 0.0 && th < 1.0)) {
				/* a constant: t > 0 for every row, or for none */
				int always = A == 0.0 ? B > 0.0 : (A > 0 ? th <= 0.0 : th >= 1.0);
				*b0 = always ? CONST_Z : -CONST_Z;
			} else {
				/* A eta + B > 0  <=>  sign(A) (r - logit(th)) > 0 */
				double sg = A > 0 ? 1.0 : -1.0;
				for (size_t j = 0; j < p; j++)
					beta[j] = sg * w[j];
				*b0 = sg * (c[zg] - log(th / (1.0 - th)));
			}
		}
		/* coef / intercept: the groups' weighted average (for reading only) */
		for (size_t i = 0; i < d->n; i++) {
			int32_t g = d->group[i];
			wg = d->w ? d->w[i] : 1.0;
			if (g < 0)
				continue;
			for (size_t j = 0; j < p; j++)
				m->coef[j] += wg * m->group_coef[(size_t)g * p + j];
			m->intercept += wg * m->group_intercept[g];
		}
		for (size_t j = 0; j < p; j++)
			m->coef[j] /= W;
		m->intercept /= W;
	}
	out->pred.linear = m;
	out->pred.kind = FT_PRED_LINEAR;
	m = NULL;
	out->res.solver = FT_SOLVER_AUTO;
	out->res.iterations = (int)n_cand;
	out->res.f = 1.0 - acc;
	out->res.grad_norm = 0.0;
	out->res.converged = n_ok > 0;
	ft_fit_diag(out, "a", best_a);
	ft_fit_diag(out, "b", best_b);
	if (!fdr) {
		ft_fit_diag(out, "l1", best_q[0]);
		ft_fit_diag(out, "l2", best_q[1]);
	} else {
		ft_fit_diag(out, "u1", best_q[0]);
		ft_fit_diag(out, "u2", best_q[1]);
		ft_fit_diag(out, "l1", best_q[2]);
		ft_fit_diag(out, "l2", best_q[3]);
	}
	ft_fit_diag(out, "accuracy", acc);
	ft_fit_diag(out, "ratio", ratio);
	ft_fit_diag(out, "candidates", (double)n_cand);
	ft_fit_diag(out, "accepted", (double)n_ok);
	ft_fit_diag(out, "p_privileged", zp);
	ft_fit_diag(out, "covariance_rank", (double)rank);
done:
	ft_linear_model_free(m);
	free(z);
	free(w);
	free(eta);
	return rc;
}
