/*
 * dp_reductions.c - the method dp-eg: the exponentiated-gradient reduction
 * (Agarwal et al., ICML 2018; the non-private "eg" is reductions.c) made
 * differentially private as in
 *
 *   Jagielski, Kearns, Mao, Oprea, Roth, Sharifi-Malvajerdi & Ullman,
 *   "Differentially Private Fair Learning", ICML 2019, sec. 4: the
 *   Lagrangian game played for a fixed number of rounds T, the Learner's
 *   best responses computed by a private learner, the Auditor's (lambda
 *   player's) exponentiated-gradient steps taken on noisy constraint
 *   values, the answer the uniform mixture of the T best responses, and
 *   the privacy of the whole by composition over the 2T mechanisms.
 *
 * No public code of the paper was found; this follows the paper's
 * algorithm with two substitutions, both stated here: the private learner
 * is objective perturbation of the weighted logistic regression (Chaudhuri
 * et al. 2011, src/fair/dp_logreg.c; the paper's analysis uses the
 * exponential mechanism over a finite class, which is not efficient for
 * linear models), and the moments are computed from counts released by the
 * geometric mechanism (the paper adds Laplace noise to the same empirical
 * quantities).
 *
 * Per round t (lambda_t from theta as in eg, B = 1 / eps):
 *   1. Learner.  The cost-sensitive problem of lambda_t
 *      (reductions.c, "Best response"): for the rows of group a and label
 *      y, the signed weight s(a, y) = (2y - 1) + c(a, y; lambda), which
 *      depends only on the row's cell and on the event shares P_e, P_e,a,
 *      here taken from noisy counts N~(g, y) released once at the start.
 *      Label 1(s > 0), weight |s| rescaled so the weights sum to the
 *      (noisy) total N~ (the rescaling uses noisy counts, not the data).
 *      When every cell asks for the same label the answer is the constant
 *      classifier (no data is read).  Otherwise ft_dplr_fit with epsilon_0
 *      and the largest cell weight as the public weight bound.
 *   2. Auditor.  The tally of h_t's decisions per (group, label) cell
 *      (ft_moment_tally) is released by the geometric mechanism with
 *      epsilon_0 (L1 sensitivity 2: a replaced row can leave one cell and
 *      change its decision: at most two cells change, by 1 each), clamped
 *      to [0, N~(g, y)]; the error and gamma(h_t) follow from the noisy
 *      tallies and counts (ft_moment_eval), and theta += eta (gamma - eps).
 * Output: the uniform mixture of h_1 .. h_T (identical members merged);
 * out->pred.linear, its deterministic choice, minimises 0.5 error + 0.5 max
 * gamma by the noisy values.
 *
 * Accounting.  10% of epsilon (COUNT_SHARE) for the (group, label) counts
 * (L1 sensitivity 2), the rest eps_r for the 2T round mechanisms, each with
 * epsilon_0: delta = 0: basic composition, epsilon_0 = eps_r / 2T;
 * delta > 0: the larger of that and the epsilon_0 of advanced composition
 * (Dwork, Rothblum & Vadhan 2010; Dwork & Roth, Theorem 3.20: k mechanisms
 * of epsilon_0 are (sqrt(2k ln(1/delta)) epsilon_0 + k epsilon_0
 * (e^epsilon_0 - 1), delta)-DP), solved for epsilon_0 by bisection.
 * Everything reported (diagnostics, mixture weights, the deterministic
 * choice) is computed from released values only.
 *
 * Requirements: unit row weights and a known group for every row.
 * epsilon = 0: the non-private eg with the same constraint, eps, max_iter
 * and eta0 (ratio 0, nu 0: Fairlearn's defaults), exactly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/dp.h"
#include "fair/postproc.h"
#include "fair/reductions.h"
#include "core/dp.h"

#define COUNT_SHARE 0.1
/* The constant classifier's decision value (as reductions.c). */
#define CONST_Z 30.0

/* The per-mechanism epsilon_0 for k mechanisms and a total (eps, delta). */
static double round_eps(double eps, double delta, size_t k, int *advanced)
{
	double basic = eps / (double)k, lo = 0.0, hi = eps;

	*advanced = 0;
	if (!(delta > 0.0))
		return basic;
	for (int it = 0; it < 200; it++) {
		double mid = 0.5 * (lo + hi);
		double tot = sqrt(2.0 * (double)k * log(1.0 / delta)) * mid +
		             (double)k * mid * expm1(mid);
		if (tot <= eps)
			lo = mid;
		else
			hi = mid;
	}
	if (lo > basic) {
		*advanced = 1;
		return lo;
	}
	return basic;
}

static double vmax(size_t n, const double *a)
{
	double s = -INFINITY;
	for (size_t i = 0; i < n; i++)
		s = fmax(s, a[i]);
	return s;
}

int ft_fit_dp_eg(const struct ft_fit_input *in, struct ft_fit_output *out,
                 struct ft_error *err)
{
	const double *P = in->params;
	const struct ft_dataset *d = in->train;
	size_t G = in->n_groups, T, m = 0, n, K = 0, det = 0, n_const = 0;
	struct ft_moment mo;
	struct ft_dataset cells, view;
	struct ft_dplr_params p;
	struct ft_noise ns;
	struct ft_budget bud;
	struct ft_linear_model **h = NULL;
	struct ft_mixture *mx = NULL;
	double eps, epsilon, delta, eta0, eps0, eps_r, B, eta;
	double *buf = NULL, *cnt, *cy, *cw, *cs, *S, *theta, *lam, *gam, *herr, *hgam;
	double *ry = NULL, *rw = NULL, *pred = NULL, *Q = NULL, e_mix = 0.0, v_mix;
	int32_t *cg = NULL;
	int kind, rc, advanced;
	char what[FT_DP_NAME];

	memset(&mo, 0, sizeof mo);
	if (!d || !in->lr || !P || !d->y || !d->group)
		return ft_error_set(err, FT_EINVAL, "dp-eg: needs labels and groups");
	kind = (int)P[0];
	eps = P[1];
	epsilon = P[2];
	delta = P[3];
	T = (size_t)P[4];
	eta0 = P[7];
	n = d->n;
	if (epsilon == 0.0) {
		/* infinity: eg itself (constraint, eps, ratio, max_iter, eta0, nu) */
		struct ft_fit_input fi = *in;
		double ep[6] = {P[0], eps, 0.0, P[4], eta0, 0.0};
		fi.params = ep;
		return ft_fit_eg(&fi, out, err);
	}
	if (kind < 0 || kind >= FT_RED_N || T < 1 || !(eps > 0.0) || !(eta0 > 0.0))
		return ft_error_set(err, FT_EINVAL, "dp-eg: bad constraint, eps, max_iter or eta0");
	for (size_t i = 0; i < n; i++) {
		if (d->w && d->w[i] != 1.0)
			return ft_error_set(err, FT_EDATA, "dp-eg: row %zu has weight %g; private "
			                    "methods take no weight column", i + 1, d->w[i]);
		if (d->group[i] < 0 || (size_t)d->group[i] >= G)
			return ft_error_set(err, FT_EDATA, "dp-eg: row %zu has no group", i + 1);
	}
	/* the exact moment is made only to be overwritten with noisy counts */
	if ((rc = ft_moment_init(&mo, d, G, in->group_names, kind, eps, 1.0, "dp-eg",
	                         err)) != 0)
		return rc;
	m = mo.m;
	B = 1.0 / eps;
	eta = eta0 / B;
	eps_r = (1.0 - COUNT_SHARE) * epsilon;
	eps0 = round_eps(eps_r, delta, 2 * T, &advanced);
	ft_dplr_params_init(&p);
	p.epsilon = eps0;
	p.row_norm = P[5];
	p.C = in->lr->C;
	p.fit_intercept = in->lr->fit_intercept;
	p.solver = in->lr->solver;
	ft_noise_init(&ns, (uint64_t)P[6]);
	if ((rc = ft_budget_init(&bud, epsilon, delta, err)) != 0)
		goto done;
	buf = calloc(G * 2 * 5 + (G + 1) * 2 + 3 * m + T * (1 + m) + 1, sizeof *buf);
	cg = calloc(G * 2 + 1, sizeof *cg);
	h = calloc(T, sizeof *h);
	ry = malloc((n ? n : 1) * sizeof *ry);
	rw = malloc((n ? n : 1) * sizeof *rw);
	pred = malloc((n ? n : 1) * sizeof *pred);
	Q = calloc(T, sizeof *Q);
	if (!buf || !cg || !h || !ry || !rw || !pred || !Q) {
		rc = ft_error_set(err, FT_ENOMEM, "dp-eg: out of memory");
		goto done;
	}
	cnt = buf;                 /* G x 2 noisy counts */
	cy = cnt + G * 2;          /* the cells as a tiny data set: labels */
	cw = cy + G * 2;           /* its weights (1) */
	cs = cw + G * 2;           /* per-cell signed weights */
	S = cs + G * 2 + G * 2;    /* (G + 1) x 2 tallies */
	theta = S + (G + 1) * 2;
	lam = theta + m;
	gam = lam + m;
	herr = gam + m;            /* T */
	hgam = herr + T;           /* T x m */
	/* check the learner's parameters, then record the whole spending
	 * before any noise is drawn */
	{
		struct ft_dplr_calib cal;
		if ((rc = ft_dplr_calibrate(&p, n, d->p, &cal, err)) != 0)
			goto done;
	}
	if ((rc = ft_budget_spend(&bud, FT_DP_TRAINING, "geometric", "(group, label) counts",
	                          COUNT_SHARE * epsilon, 0.0, err)) != 0)
		goto done;
	snprintf(what, sizeof what, "%zu rounds, %s composition", T,
	         advanced ? "advanced" : "basic");
	if ((rc = ft_budget_spend(&bud, FT_DP_TRAINING, "objective-perturbation+geometric",
	                          what, eps_r, advanced ? delta : 0.0, err)) != 0)
		goto done;
	if ((rc = ft_dp_group_label_counts(d, G, COUNT_SHARE * epsilon, 1.0, &ns, cnt, NULL,
	                                   err)) != 0)
		goto done;
	/* the moment's weights from the noisy counts (no rows of no group) */
	mo.W = 0.0;
	memset(mo.We, 0, mo.E * sizeof *mo.We);
	memset(mo.Wea, 0, mo.E * G * sizeof *mo.Wea);
	for (size_t g = 0; g <= G; g++)
		for (int y = 0; y < 2; y++) {
			double c = g < G ? cnt[g * 2 + (size_t)y] : 0.0;
			int e = ft_red_event_of(kind, y);
			mo.Wgy[g * 2 + (size_t)y] = c;
			mo.W += c;
			if (g < G && e >= 0) {
				mo.Wea[(size_t)e * G + g] += c;
				mo.We[e] += c;
			}
		}
	/* one row per (group, label) cell, for the per-cell signed weights */
	memset(&cells, 0, sizeof cells);
	for (size_t g = 0; g < G; g++)
		for (int y = 0; y < 2; y++) {
			cy[g * 2 + (size_t)y] = y;
			cw[g * 2 + (size_t)y] = 1.0;
			cg[g * 2 + (size_t)y] = (int32_t)g;
		}
	cells.n = G * 2;
	cells.y = cy;
	cells.w = cw;
	cells.group = cg;
	cells.n_groups = G;
	view = *d;
	view.y = ry;
	view.w = rw;

	for (size_t t = 0; t < T; t++) {
		struct ft_moment mc = mo;
		double tot = 0.0, wmax = 0.0, f;
		int any_pos = 0, any_neg = 0;

		ft_red_lambda_of_theta(m, theta, B, lam);
		mc.d = &cells;
		if (ft_moment_signed(&mc, lam, cs)) {
			rc = ft_error_set(err, FT_ENOMEM, "dp-eg: out of memory");
			goto done;
		}
		for (size_t k = 0; k < G * 2; k++) {
			tot += cnt[k] * fabs(cs[k]);
			any_pos |= cs[k] > 0.0;
			any_neg |= !(cs[k] > 0.0) && cs[k] != 0.0;
		}
		if (!any_pos || !any_neg || !(tot > 0.0) || !isfinite(tot)) {
			/* one label asked for everywhere: the constant classifier */
			h[t] = calloc(1, sizeof *h[t]);
			if (h[t])
				h[t]->coef = calloc(d->p ? d->p : 1, sizeof *h[t]->coef);
			if (!h[t] || !h[t]->coef) {
				rc = ft_error_set(err, FT_ENOMEM, "dp-eg: out of memory");
				goto done;
			}
			h[t]->type = FT_MODEL_LOGREG;
			h[t]->p = d->p;
			h[t]->intercept = any_pos ? CONST_Z : -CONST_Z;
			n_const++;
		} else {
			f = mo.W / tot;
			for (size_t k = 0; k < G * 2; k++)
				wmax = fmax(wmax, fabs(cs[k]) * f);
			for (size_t i = 0; i < n; i++) {
				size_t k = (size_t)d->group[i] * 2 + (d->y[i] > 0.5);
				ry[i] = cs[k] > 0.0;
				rw[i] = fabs(cs[k]) * f;
			}
			p.weight_max = wmax;
			if ((rc = ft_dplr_fit(&view, &p, &ns, NULL, FT_DP_TRAINING, &h[t], NULL,
			                      err)) != 0)
				goto done;
		}
		/* the Auditor: noisy tallies of h_t's decisions */
		ft_linear_predict_proba(h[t], d, pred);
		for (size_t i = 0; i < n; i++)
			pred[i] = pred[i] >= 0.5;
		if ((rc = ft_moment_tally(&mo, pred, S)) != 0) {
			rc = ft_error_set(err, rc, "dp-eg: out of memory");
			goto done;
		}
		for (size_t k = 0; k < G * 2; k++) {
			int64_t o;
			if ((rc = ft_dp_geometric(&ns, (int64_t)llround(S[k]), 2, eps0, &o, err)) != 0)
				goto done;
			S[k] = fmin(fmax((double)o, 0.0), cnt[k]);
		}
		S[G * 2] = S[G * 2 + 1] = 0.0;
		ft_moment_eval(&mo, S, &herr[t], hgam + t * m);
		for (size_t k = 0; k < m; k++)
			theta[k] += eta * (hgam[t * m + k] - eps);
	}
	/* the uniform mixture, identical members merged */
	for (size_t t = 0; t < T; t++) {
		size_t j;
		for (j = 0; j < t; j++)
			if (Q[j] > 0.0 && h[j]->intercept == h[t]->intercept &&
			    !memcmp(h[j]->coef, h[t]->coef, d->p * sizeof *h[t]->coef))
				break;
		Q[j] += 1.0 / (double)T;
	}
	memset(gam, 0, m * sizeof *gam);
	for (size_t t = 0; t < T; t++) {
		e_mix += herr[t] / (double)T;
		for (size_t k = 0; k < m; k++)
			gam[k] += hgam[t * m + k] / (double)T;
		if (Q[t] > 0.0) {
			double sc = 0.5 * herr[t] + 0.5 * vmax(m, hgam + t * m);
			double sd = 0.5 * herr[det] + 0.5 * vmax(m, hgam + det * m);
			K++;
			if (sc < sd || !(Q[det] > 0.0))
				det = t;
		}
	}
	v_mix = vmax(m, gam);
	mx = calloc(1, sizeof *mx);
	if (mx) {
		mx->weight = calloc(K, sizeof *mx->weight);
		mx->h = calloc(K, sizeof *mx->h);
	}
	if (!mx || !mx->weight || !mx->h) {
		rc = ft_error_set(err, FT_ENOMEM, "dp-eg: out of memory");
		goto done;
	}
	for (size_t t = 0, k = 0; t < T; t++) {
		if (!(Q[t] > 0.0))
			continue;
		mx->weight[k] = Q[t];
		if (t == det && !(out->pred.linear = ft_linear_model_copy(h[t]))) {
			rc = ft_error_set(err, FT_ENOMEM, "dp-eg: out of memory");
			goto done;
		}
		mx->h[k++] = h[t];
		mx->k = k;
		h[t] = NULL;
	}
	out->pred.mixture = mx;
	out->pred.kind = FT_PRED_MIXTURE;
	mx = NULL;
	memset(&out->res, 0, sizeof out->res);
	out->res.solver = FT_SOLVER_NEWTON;
	out->res.iterations = (int)T;
	out->res.converged = 1;
	bud.seeded = ns.seeded;
	if ((rc = ft_dp_output_budget(out, &bud, err)) != 0)
		goto done;
	ft_fit_diag(out, "rounds", (double)T);
	ft_fit_diag(out, "round_epsilon", eps0);
	ft_fit_diag(out, "counts_epsilon", COUNT_SHARE * epsilon);
	ft_fit_diag(out, "advanced_composition", advanced);
	ft_fit_diag(out, "B", B);
	ft_fit_diag(out, "eta", eta);
	ft_fit_diag(out, "noisy_error", e_mix);
	ft_fit_diag(out, "noisy_violation", v_mix);
	ft_fit_diag(out, "support", (double)K);
	ft_fit_diag(out, "constant_responses", (double)n_const);
done:
	if (rc)
		ft_fit_output_clear(out);
	ft_mixture_free(mx);
	for (size_t t = 0; h && t < T; t++)
		ft_linear_model_free(h[t]);
	free(h);
	free(buf);
	free(cg);
	free(ry);
	free(rw);
	free(pred);
	free(Q);
	ft_moment_free(&mo);
	return rc;
}
