/*
 * gerryfair.c - learning subject to rich-subgroup fairness: Kearns, Neel,
 * Roth & Wu, "Preventing Fairness Gerrymandering: Auditing and Learning for
 * Subgroup Fairness", ICML 2018 (FairFictPlay: the fictitious-play dynamic
 * of its learning algorithm, with heuristic oracles as in its experiments);
 * AIF360's GerryFairClassifier.
 *
 * A zero-sum game between the Learner, who picks classifiers, and the
 * Auditor, who picks a subgroup and a sign.  The Lagrangian for false
 * positives (FN: the same on the rows with y = 1 and 1 - yhat) is
 *   err(D) + sum_g lambda_g Phi_g(D),
 *   Phi_g = sigma_g alpha_g (FP(D, g) - FP(D))
 *         = (sigma_g / W) [ sum_{y=0, i in g} w_i yhat_i - gw_g sum_{y=0} w_i yhat_i ],
 * gw_g = W0_g / W0 the subgroup's share of the rows with y = 0, sigma_g = +1
 * when the subgroup's rate is above the overall one.  So for a row with y =
 * 0 the cost of yhat = 1 minus that of yhat = 0 is
 *   (w_i / W) [ 1 + sum_g lambda_g sigma_g (1[i in g] - gw_g) ],
 * and w_i / W the other way for a row with y = 1 (its error).
 *
 * Round t: the Learner best-responds to the Auditor's empirical mixture of
 * plays so far (each past round's subgroup with multiplier C and its sign,
 * or no subgroup when that round's audit found none above gamma: the
 * multipliers are C / t summed over the t rounds played; AIF360's
 * Auditor.update_costs keeps the same running average), by the weighted
 * logistic fit of the reductions (ft_csc: label 1(cost(0) > cost(1)),
 * weight |cost difference|, warm started from the last round's answer
 * that was not constant, the first round from the baseline: with no
 * multipliers its answer is the baseline).  The Learner's mixture after
 * round t is the uniform mixture of its answers so far (the paper's
 * D-bar); the Auditor
 * best-responds to it with the subgroup of largest alpha beta
 * (ft_sg_audit_tallies, exact up to 16 groups with rows: see
 * src/metrics/subgroup.c).  After max_iter rounds the answer is, of the
 * mixtures the audit certified (alpha beta < gamma for every
 * linear-threshold subgroup: the paper's guarantee, here checked, not
 * assumed), the one of least training error: the mixture of rounds 1 .. t
 * for that t (res.converged = 1); when none was certified, the mixture of
 * all rounds (res.converged = 0, not an error).  On Adult the early
 * answers of fictitious play swing far (a round's error up to 0.5 with
 * C = 10) and their uniform average only slowly recovers, so the first
 * certified mixture is rarely the best one.
 *
 * Differences from AIF360's code, on purpose: the Learner's oracle is a
 * weighted logistic fit (AIF360 regresses the two costs with linear
 * regression); every row of y = 0 gets its own membership term (AIF360's
 * update_costs resets its index into the y = 0 rows at each row, so all of
 * them get the first one's); the classifier is the randomized mixture
 * (AIF360's predict thresholds the mixture's average at 0.5); it stops
 * when the audit certifies gamma (AIF360 after 5 rounds once the error or
 * the violation repeats below gamma, and answers the last mixture).
 *
 * Output: the mixture (identical answers merged, weights the share of
 * rounds), out->pred.linear its member of smallest 0.5 err + 0.5 alpha beta (its
 * own audit).  Diagnostics: rounds, rounds kept, best responses, distinct predictors,
 * the mixture's training error, its audited alpha beta ("violation"),
 * gamma, the subgroup's size, disparity, direction and exactness, the
 * deterministic member's error and alpha beta, support, Newton iterations,
 * then the subgroup's hyperplane ("subgroup_intercept",
 * "subgroup[Female]", ...) as far as FT_MAX_DIAG allows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/inproc.h"
#include "fair/reductions.h"
#include "metrics/metrics.h"
#include "core/internal.h"

#define DET_CW 0.5

struct gf {
	const struct ft_dataset *d;
	size_t n, G, dim;
	int fn;                    /* 0: FP rows y = 0; 1: FN rows y = 1 */
	double W, Wl_all;
	double *Wl;                /* G + 1: weight of the rows with the rate's label */
	double *s, *prob;          /* n: signed costs, scratch probabilities */
};

static size_t blk(const struct gf *g, size_t i)
{
	int32_t k = g->d->group ? g->d->group[i] : -1;
	return k >= 0 && (size_t)k < g->G ? (size_t)k : g->G;
}

/* chunks of tally(): part[b] += w (bad decision) on rows of the rate's
 * label in block b (b <= G); part[G + 1] += w (error) */
struct tally_call {
	const struct gf *g;
};

static void tally_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct gf *g = ((const struct tally_call *)ctx)->g;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double w = g->d->w ? g->d->w[i] : 1.0, yh = g->prob[i] >= 0.5;
		int y = g->d->y[i] > 0.5;
		part[g->G + 1] += w * (yh != y);
		if (y == g->fn)
			part[blk(g, i)] += w * (g->fn ? 1.0 - yh : yh);
	}
}

/* The decisions of x (1[sigmoid(x.row) >= 0.5], as ft_classify makes
 * them): per block the weight of "bad" decisions on rows of the rate's
 * label (yhat = 1 for FP, yhat = 0 for FN) into P (G + 2 entries; the last
 * is scratch), and the weighted error. */
static int tally(struct gf *g, const struct ft_csc *c, const double *x, double *P,
                 double *error)
{
	struct ft_linear_model *m = ft_csc_model(c, x);
	struct tally_call a = { g };
	int rc;

	if (!m)
		return FT_ENOMEM;
	ft_linear_predict_proba(m, g->d, g->prob);
	ft_linear_model_free(m);
	memset(P, 0, (g->G + 2) * sizeof *P);
	if ((rc = ft_parallel_sum(g->n, g->G + 2, P, tally_chunk, &a)) != 0)
		return rc;
	*error = P[g->G + 1] / g->W;
	return 0;
}

/* Audit tallies P (G + 1 blocks). */
static int audit(const struct gf *g, const struct ft_sg_space *sp, const double *P,
                 struct ft_subgroup **sg, struct ft_error *err)
{
	double Pall = 0.0;

	for (size_t b = 0; b <= g->G; b++)
		Pall += P[b];
	return ft_sg_audit_tallies(sp, g->fn ? FT_SUBGROUP_FN : FT_SUBGROUP_FP, g->Wl, P,
	                           g->Wl_all, Pall, g->W, sg, err);
}

int ft_fit_gerryfair(const struct ft_fit_input *in, struct ft_fit_output *out,
                     struct ft_error *err)
{
	struct gf g;
	struct ft_csc *csc = NULL;
	struct ft_sg_space sp;
	struct ft_subgroup *sg = NULL, *sg_det = NULL;
	struct ft_mixture *mx = NULL;
	double gamma, Cd, *X = NULL, *E = NULL, *Pt = NULL, *Pm = NULL, *A = NULL, *cnt = NULL;
	double err_mix = 0.0, viol = INFINITY, best = INFINITY, e_det = 0.0, v_det = 0.0;
	double best_err = INFINITY;
	const double *from = NULL;
	size_t T, t = 0, plays = 0, det = 0, support = 0, fits, K = 0;
	long newton;
	int rc = 0, is_const, conv, solver;
	char name[FT_DIAG_NAME];

	memset(&g, 0, sizeof g);
	memset(&sp, 0, sizeof sp);
	if (!in || !in->train || !in->train->y || !in->lr || !in->params)
		return ft_error_set(err, FT_EINVAL, "gerryfair: incomplete fit input");
	g.fn = in->params[0] == 1.0;
	gamma = in->params[1];
	Cd = in->params[2];
	T = (size_t)in->params[3];
	if ((in->params[0] != 0.0 && !g.fn) || !(gamma > 0.0) || !(Cd > 0.0) || !isfinite(Cd) ||
	    in->params[3] < 1)
		return ft_error_set(err, FT_EINVAL, "gerryfair: needs rate fp or fn, gamma > 0, "
		                    "C > 0 and max_iter >= 1");
	g.d = in->train;
	g.n = g.d->n;
	g.G = in->n_groups;
	if (!g.d->group || g.G < 2)
		return ft_error_set(err, FT_EDATA, "gerryfair: needs a sensitive attribute with at "
		                    "least two groups");
	if ((rc = ft_csc_new(in, "gerryfair", &csc, err)) != 0)
		return rc;
	g.dim = ft_csc_dim(csc);
	g.Wl = calloc(g.G + 1, sizeof *g.Wl);
	g.s = malloc((g.n ? g.n : 1) * sizeof *g.s);
	g.prob = malloc((g.n ? g.n : 1) * sizeof *g.prob);
	X = malloc(T * g.dim * sizeof *X);
	E = malloc(T * sizeof *E);
	Pt = calloc(T * (g.G + 1), sizeof *Pt);
	Pm = calloc(g.G + 2, sizeof *Pm);
	A = calloc(g.G + 1, sizeof *A);
	cnt = calloc(T, sizeof *cnt);
	if (!g.Wl || !g.s || !g.prob || !X || !E || !Pt || !Pm || !A || !cnt) {
		rc = ft_error_set(err, FT_ENOMEM, "gerryfair: out of memory");
		goto done;
	}
	for (size_t i = 0; i < g.n; i++) {
		double w = g.d->w ? g.d->w[i] : 1.0;
		g.W += w;
		if ((g.d->y[i] > 0.5) == g.fn)
			g.Wl[blk(&g, i)] += w;
	}
	for (size_t b = 0; b <= g.G; b++)
		g.Wl_all += g.Wl[b];
	if (!(g.Wl_all > 0.0)) {
		rc = ft_error_set(err, FT_EDATA, "gerryfair: no training rows with label %d, which "
		                  "the %s rate is taken over", g.fn, g.fn ? "FN" : "FP");
		goto done;
	}
	if ((rc = ft_sg_space_make(g.G, in->group_names, &sp, err)) != 0)
		goto done;
	for (t = 0; t < T; t++) {
		double *x = X + t * g.dim;
		/* the signed costs cost(0) - cost(1) against the Auditor's plays so far */
		for (size_t i = 0; i < g.n; i++) {
			double w = (g.d->w ? g.d->w[i] : 1.0) / g.W;
			int y = g.d->y[i] > 0.5;
			if (y != g.fn)
				g.s[i] = y ? w : -w;     /* its error only */
			else {
				double c = w * (1.0 + (plays ? Cd / (double)plays * A[blk(&g, i)] : 0.0));
				g.s[i] = g.fn ? c : -c;
			}
		}
		/* warm start: the last answer that was not a constant classifier */
		if ((rc = ft_csc_fit(csc, g.s, from, x, &is_const, err)) != 0)
			goto done;
		if (!is_const)
			from = x;
		if ((rc = tally(&g, csc, x, Pm, &E[t])) != 0) {
			rc = ft_error_set(err, rc, "gerryfair: out of memory");
			goto done;
		}
		memcpy(Pt + t * (g.G + 1), Pm, (g.G + 1) * sizeof *Pm);
		/* the uniform mixture of rounds 0 .. t */
		err_mix = 0.0;
		for (size_t b = 0; b <= g.G; b++) {
			Pm[b] = 0.0;
			for (size_t s = 0; s <= t; s++)
				Pm[b] += Pt[s * (g.G + 1) + b];
			Pm[b] /= (double)(t + 1);
		}
		for (size_t s = 0; s <= t; s++)
			err_mix += E[s];
		err_mix /= (double)(t + 1);
		ft_subgroup_free(sg);
		sg = NULL;
		if ((rc = audit(&g, &sp, Pm, &sg, err)) != 0)
			goto done;
		plays++;
		if (sg->weighted < gamma) {
			/* certified; the Auditor plays no subgroup this round */
			if (err_mix < best_err - 1e-12) {
				best_err = err_mix;
				K = t + 1;
			}
			continue;
		}
		/* the Auditor's play: the subgroup with multiplier C and its sign */
		{
			double gw = 0.0;
			for (size_t a = 0; a < g.G; a++)
				if (sg->member[a])
					gw += g.Wl[a];
			gw /= g.Wl_all;
			for (size_t b = 0; b <= g.G; b++)
				A[b] += sg->direction * ((b < g.G && sg->member[b] ? 1.0 : 0.0) - gw);
		}
	}
	/* the answer: the certified mixture of rounds 0 .. K - 1 of least
	 * training error, else all T rounds; its audit */
	t = K ? K : T;
	for (size_t b = 0; b <= g.G; b++) {
		Pm[b] = 0.0;
		for (size_t s = 0; s < t; s++)
			Pm[b] += Pt[s * (g.G + 1) + b];
		Pm[b] /= (double)t;
	}
	err_mix = 0.0;
	for (size_t s = 0; s < t; s++)
		err_mix += E[s];
	err_mix /= (double)t;
	ft_subgroup_free(sg);
	sg = NULL;
	if ((rc = audit(&g, &sp, Pm, &sg, err)) != 0)
		goto done;
	viol = sg->weighted;
	/* merge identical answers; the deterministic member */
	for (size_t k = 0; k < t; k++) {
		cnt[k] = 1.0;
		for (size_t j = 0; j < k; j++)
			if (cnt[j] > 0.0 && !memcmp(X + j * g.dim, X + k * g.dim, g.dim * sizeof *X)) {
				cnt[j] += 1.0;
				cnt[k] = 0.0;
				break;
			}
	}
	for (size_t k = 0; k < t; k++) {
		double sc;
		if (!(cnt[k] > 0.0))
			continue;
		support++;
		ft_subgroup_free(sg_det);
		sg_det = NULL;
		if ((rc = audit(&g, &sp, Pt + k * (g.G + 1), &sg_det, err)) != 0)
			goto done;
		sc = (1.0 - DET_CW) * E[k] + DET_CW * sg_det->weighted;
		if (sc < best) {
			best = sc;
			det = k;
			e_det = E[k];
			v_det = sg_det->weighted;
		}
	}
	mx = calloc(1, sizeof *mx);
	if (mx) {
		mx->weight = calloc(support, sizeof *mx->weight);
		mx->h = calloc(support, sizeof *mx->h);
	}
	if (!mx || !mx->weight || !mx->h)
		goto oom;
	for (size_t k = 0; k < t; k++) {
		if (!(cnt[k] > 0.0))
			continue;
		mx->weight[mx->k] = cnt[k] / (double)t;
		if (!(mx->h[mx->k] = ft_csc_model(csc, X + k * g.dim)))
			goto oom;
		mx->k++;
	}
	if (!(out->pred.linear = ft_csc_model(csc, X + det * g.dim)))
		goto oom;
	out->pred.mixture = mx;
	out->pred.kind = FT_PRED_MIXTURE;
	mx = NULL;
	ft_csc_stats(csc, &fits, &newton, &out->res.grad_norm, &conv, &solver);
	out->res.solver = solver;
	out->res.iterations = (int)T;
	out->res.f = err_mix;
	out->res.converged = viol < gamma;
	ft_fit_diag(out, "iterations", (double)T);
	ft_fit_diag(out, "rounds_kept", (double)t);
	ft_fit_diag(out, "best_responses", (double)fits);
	ft_fit_diag(out, "predictors", (double)support);
	ft_fit_diag(out, "error", err_mix);
	ft_fit_diag(out, "violation", viol);
	ft_fit_diag(out, "gamma", gamma);
	ft_fit_diag(out, "subgroup_size", sg->size);
	ft_fit_diag(out, "subgroup_disparity", sg->disparity);
	ft_fit_diag(out, "subgroup_direction", sg->direction);
	ft_fit_diag(out, "exact", sg->exact);
	ft_fit_diag(out, "det_error", e_det);
	ft_fit_diag(out, "det_violation", v_det);
	ft_fit_diag(out, "support", (double)support);
	ft_fit_diag(out, "newton_iterations", (double)newton);
	ft_fit_diag(out, "subgroup_intercept", sg->intercept);
	for (size_t j = 0; j < sg->dim; j++) {
		snprintf(name, sizeof name, "subgroup[%s]", sg->feature_names[j]);
		ft_fit_diag(out, name, sg->coef[j]);
	}
	goto done;
oom:
	rc = ft_error_set(err, FT_ENOMEM, "gerryfair: out of memory");
done:
	if (rc)
		ft_fit_output_clear(out);
	ft_mixture_free(mx);
	ft_subgroup_free(sg);
	ft_subgroup_free(sg_det);
	ft_sg_space_free(&sp);
	ft_csc_free(csc);
	free(g.Wl);
	free(g.s);
	free(g.prob);
	free(X);
	free(E);
	free(Pt);
	free(Pm);
	free(A);
	free(cnt);
	return rc;
}
