/*
 * reductions.c - fair classification by reduction to a sequence of
 * cost-sensitive classification problems, solved by weighted logistic
 * regression:
 *
 *   Agarwal, Beygelzimer, Dudik, Langford & Wallach, "A Reductions Approach
 *   to Fair Classification", ICML 2018.  Section 2 (moments), section 3.1
 *   (the Lagrangian and its saddle point), section 3.2 (Algorithm 1,
 *   exponentiated gradient, and the best response of the Q-player:
 *   Examples 3 and 4 give the costs), section 3.4 (grid search); Theorem 1
 *   (what a nu-approximate saddle point guarantees).
 *
 * The details follow Fairlearn's implementation of the paper
 * (fairlearn.reductions: ExponentiatedGradient, GridSearch, _Lagrangian,
 * UtilityParity, _GridGenerator), so that results can be compared with it.
 *
 * Moments (reductions.h, struct ft_moment).  Each group is compared with
 * the overall mean, Fairlearn's definitions: with M_{e,a} the weighted mean
 * utility of rows of event e in group a and M_e that of event e,
 *   gamma_{+,e,a} = r M_{e,a} - M_e,   gamma_{-,e,a} = -M_{e,a} + r M_e,
 * each bounded by eps.  r = 1 is the difference bound |M_{e,a} - M_e| <= eps;
 * r in (0, 1) the ratio bound r M_{e,a} - M_e <= eps and r M_e - M_{e,a} <=
 * eps (Fairlearn's ratio_bound, slack eps).  Utility = yhat for dp
 * (event: every row), tpr (event y = 1), fpr (y = 0) and eo (two events, y
 * = 0 and y = 1); utility = 1(yhat != y) for erp (every row).  All means
 * and the error are weighted by the sample weights d->w.  Rows of no group
 * count in the error only.
 *
 * A classifier's error and moments are linear in its P(yhat = 1) and depend
 * on it only through S[g, y] = sum of w_i P(yhat_i = 1) over rows of group g
 * and label y (ft_moment_tally), so a randomized classifier's values are
 * the mixture of its members' (Agarwal et al., sec. 2: gamma(Q) =
 * sum_h Q(h) gamma(h)).
 *
 * Best response (sec. 3.2, "best response of the Q-player").  For
 * multipliers lambda, the Lagrangian err(h) + lambda.gamma(h) is linear in
 * h's decisions: d L / d h_i = -(w_i / W) (2 y_i - 1 + c_i), with
 *   c_i = u_i [ sum_a' (lambda_{+,e,a'} - r lambda_{-,e,a'}) / P_e
 *               - (r lambda_{+,e,a} - lambda_{-,e,a}) / P_{e,a} ]
 * for row i of event e and group a (0 for rows of no event or group),
 * P_e = W_e / W and P_{e,a} = W_{e,a} / W the weight shares, u_i = 1, or -1
 * for erp rows with y = 1 (whose utility falls as yhat rises).  So the
 * signed weight s_i = w_i (2 y_i - 1 + c_i) is the cost of yhat_i = 0 minus
 * the cost of yhat_i = 1, and minimising L is cost-sensitive
 * classification, reduced to weighted classification (Fairlearn's
 * _call_oracle): label 1(s_i > 0), weight |s_i|.  The weights are rescaled
 * to sum to W = sum_i w_i (n when unweighted, as Fairlearn's n *
 * redW / redW.sum()), so that the L2 penalty of in->lr (C) weighs the same
 * against the loss as in the baseline fit: at lambda = 0 the best response
 * is the baseline exactly.  (Fairlearn's GridSearch passes |s_i| without
 * rescaling; here both methods rescale, for that same reason.)  When all
 * the weight falls on one label the best response is the constant
 * classifier (Fairlearn's DummyClassifier), stored as coefficients 0 and
 * intercept +-CONST_Z.
 *
 * The learner's h is the deterministic classifier 1[sigmoid(x.beta + b) >=
 * 0.5] (Fairlearn calls estimator.predict), so errors and moments of a best
 * response are those of its 0/1 decisions, and a mixture's P(yhat = 1) is
 * sum_k weight_k 1[s_k >= 0.5], what ft_classify computes at threshold 0.5.
 *
 * Exponentiated gradient (Algorithm 1 with Fairlearn's stopping rules):
 * theta = 0; for t = 0, 1, ..., max_iter - 1:
 *   lambda_t = B exp(theta) / (1 + sum exp(theta)), B = 1 / eps (so the
 *     multipliers stay in the simplex scaled by B);
 *   h_t = best response to lambda_t; Q_EG = uniform over h_0 .. h_t;
 *     lambda_hat = mean of lambda_0 .. lambda_t;
 *   the duality gap of (Q_EG, lambda_hat): with L = err(Q) + lambda'.gamma(Q)
 *     - eps sum lambda' (lambda' the projection that keeps only the
 *     positive part of lambda_+ - lambda_- per constraint pair, r = 1),
 *     L_high = err(Q) + B max(0, max gamma(Q) - eps) and L_low = the
 *     smallest L(h, lambda_hat) over best responses to m lambda_hat,
 *     m = 1, 2, 5, 10 (stopping early once the gap exceeds nu),
 *     gap = max(L - L_low, L_high - L);
 *   the LP step (t >= 1): the best mixture of all predictors found so far
 *     and its dual multipliers (ft_red_lp; Fairlearn's solve_linprog,
 *     recomputed only when new predictors were found), with its own gap;
 *   keep the pair of smaller gap; stop when it is below nu and t >= 5;
 *   every so often (t >= 1.6 x the last check, first at t = 5) shrink eta
 *     by 0.8 when the best EG gap did not fall below 0.8 x its value at the
 *     last check;
 *   theta += eta (gamma(h_t) - eps), eta = eta0 / B at first.
 * nu = 0.5 std(|h_0(X) - y|) / sqrt(n) unless given (Fairlearn's
 * _ACCURACY_MUL; with sample weights the weighted error e gives std =
 * sqrt(e (1 - e) n / (n - 1)), pandas' ddof = 1 for unit weights).  The
 * answer is the Q of the lowest gap (the last such iteration on ties within
 * 1e-8, as Fairlearn).  By Theorem 1 a gap nu means err(Q) <= err(Q*) +
 * 2 nu for every feasible Q*, and gamma(Q) <= eps + (1 + 2 nu) / B.
 *
 * Outputs of eg: the mixture (predictors of weight > 1e-12, renormalised;
 * identical predictors merged); out->pred.linear = its deterministic choice, the
 * member minimising (1 - cw) err + cw max_k gamma_k with cw = 0.5 (grid
 * search's trade-off rule applied to the support: one model for users who
 * cannot randomize; it carries none of the mixture's guarantee).
 *
 * Grid search (sec. 3.4; Fairlearn's GridSearch): the free multipliers are,
 * per event, one coordinate per group but one (that group's constraints
 * are implied by the others); coordinate c of group a gives lambda_{+,a} =
 * c for c > 0, lambda_{-,a} = -c for c < 0.
 *
 * The axis rule (ft_red_grid_axes): per event, the group left without a
 * coordinate is the one of least weight in the event (the last such on
 * ties), so for two groups the axis is the larger group's multiplier.
 * Why: for two groups a, b and one event, c (M_{e,a} - M_e) = c (1 - p) (M_{e,a}
 * - M_{e,b}) with p = W_{e,a} / W_e, so a grid step dc moves the
 * multiplier of the gap between the groups by (1 - p) dc: the larger a's
 * share p, the finer the steps (and the narrower the range, (1 - p)
 * grid_limit).  Fairlearn 0.9 leaves out the last group in row order
 * (UtilityParity.load_data: group_vals[:-1] of unique()), so its axis is
 * the first group in row order, which on Adult (Male first) and German by
 * age (over 25 first) is the larger group and the other way round when the
 * rows are ordered otherwise; this rule gives Fairlearn's grid in its
 * finer order whatever the row order (for eo, per event, so each axis is
 * at least as fine as either of Fairlearn's).  The test:
 * tests/unit/test_grid_axis.c against a port of Fairlearn's grid search.
 * The grid (ft_red_grid) holds the
 * grid_size points of smallest L1 norm of the smallest integer L1 ball that
 * has that many, scaled to [-grid_limit, grid_limit] (for two groups and
 * one event: grid_size points evenly spaced from -grid_limit).  Fairlearn
 * keeps the first grid_size points in its enumeration order instead, which
 * drops points near one end of the ball; the two agree whenever the ball is
 * full (for instance 41 points in one dimension).  One best response per
 * point; the chosen point minimises (1 - constraint_weight) err +
 * constraint_weight max_k gamma_k (the first on ties); eps is only
 * reported against.  Points are fitted from the origin outward, each warm
 * started from its neighbour one unit closer to the origin.
 *
 * What the fit output says.  eg: res.iterations = EG iterations, res.f =
 * the mixture's training error, res.converged = (gap < nu); diagnostics
 * (names as written): iterations, best_responses (learner fits),
 * predictors (distinct ones found), gap, nu, eta (final), B, lp_step (1
 * when the answer came from the LP step), error and violation (max_k
 * gamma_k) of the mixture, det_error and det_violation of the
 * deterministic choice, support, newton_iterations, then the multipliers
 * paired with the answer (lambda_hat, or the LP's dual) as
 * "lambda[+,Female]" ("lambda[-,y=1,Female]" for eo), cut at FT_MAX_DIAG.
 * grid: res.iterations = grid points, res.f = the chosen point's error,
 * res.converged = every fit converged; diagnostics points, dimension,
 * chosen, error, violation, violation_over_eps, objective (the trade-off
 * value), constant_responses, newton_iterations and the chosen point's
 * multipliers.  Both: res.grad_norm = the largest final gradient norm of
 * the learner's fits.
 *
 * Speed.  Every fit uses one logistic objective over a view of the data
 * whose labels and weights are rewritten in place; it is warm started (eg:
 * from the earlier fit whose multipliers are nearest; grid: from the
 * neighbour); Newton's method stops at a looser gradient tolerance than the
 * baseline fit (INNER_TOL) and reuses a Hessian while the steps still
 * contract fast (LAG_RHO).
 *
 * Bounded group loss (constraint bgl; Agarwal, Dudik & Wu, "Fair
 * Regression: Quantitative Definitions and Reduction-based Algorithms",
 * ICML 2019, for classification as Fairlearn's BoundedGroupLoss
 * with its ZeroOneLoss): one constraint per group, gamma_a = the mean loss
 * of group a <= upper_bound, objective the overall mean loss, for the
 * zero-one loss of the decisions or the log loss of sigmoid(x.beta + b).
 * The Lagrangian err + sum_a lambda_a gamma_a weighs row i of group a by
 * w_i (1 + lambda_a W / W_a) (Fairlearn's signed weights of the objective
 * plus those of the constraint) and keeps its label, so a best response is
 * a weighted logistic fit.  A mixture's losses are its members' losses
 * averaged by their weights (for the log loss that is the expected loss of
 * the predictor drawn, which by convexity bounds the log loss of the
 * averaged score).  Multipliers are not projected (Fairlearn's
 * project_lambda is the identity for loss moments), B = 1 / eps, every
 * bound is upper_bound; nu for the log loss is 0.5 std(logloss_i of h0) /
 * sqrt(n).  grid uses Fairlearn's grid for loss moments (grid_bgl): the
 * objective is in the span of the constraints, so the points are lambda >= 0
 * with L1 norm grid_limit and the rows weigh w_i lambda_a W / W_a only.
 * "violation" is then the largest group loss (gamma_a's max, compared with
 * upper_bound by violation_over_eps).
 *
 * The learner alone (struct ft_csc: the relabelled view, its objective,
 * the warm starts) serves other methods whose learner plays best responses
 * to arbitrary costs (gerryfair.c).
 *
 * Not here: regression (real-valued labels, squared loss), control features,
 * costs of false positives and negatives other than 1 (Fairlearn's
 * ErrorRate costs), Fairlearn's objective-in-the-span grid
 * (force_L1_norm), user-given grids, a threshold other than 0.5 for the
 * learner's decisions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/reductions.h"
#include "model/model.h"
#include "core/internal.h"
#include "core/dist.h"

/* Fairlearn's constants (fairlearn/reductions/_exponentiated_gradient). */
#define PRECISION 1e-8
#define ACCURACY_MUL 0.5
#define REGRET_CHECK_START_T 5
#define REGRET_CHECK_INCREASE_T 1.6
#define SHRINK_REGRET 0.8
#define SHRINK_ETA 0.8
#define MIN_ITER 5

/* The decision value of a constant best response: sigmoid(30) = 1 - 1e-13. */
#define CONST_Z 30.0
/* Mixture weights at or below this are dropped (LP round-off). */
#define SUPPORT_MIN 1e-12
/* Relative gradient tolerance of the best-response fits (the caller's,
 * 1e-8 by default, when it is looser).  A best response is used only
 * through its 0/1 decisions.  Near the solution Newton converges
 * quadratically, so at a relative gradient of 1e-4 the coefficients are
 * within about 1e-4 x their distance from the start of the last step, and
 * only rows that close to the boundary can still change side.  Measured on
 * Adult (eg dp and eo at eps 0.01, grid dp with 41 points; 85 best
 * responses), continuing every fit to 1e-12 changed no decision at all; at
 * 1e-3 up to 4 rows moved (err and gamma by <= 2e-4, still below nu = 1e-3),
 * so 1e-4 keeps a margin of one order.  It saves 20 to 35% of the Newton
 * iterations over 1e-6. */
#define INNER_TOL 1e-4
/* The deterministic choice of eg: weight of the violation. */
#define DET_CW 0.5

static double wt(const struct ft_dataset *d, size_t i)
{
	return d->w ? d->w[i] : 1.0;
}

static double dot(size_t n, const double *a, const double *b)
{
	double s = 0.0;
	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static double vmax(size_t n, const double *a)
{
	double s = -INFINITY;
	for (size_t i = 0; i < n; i++)
		s = fmax(s, a[i]);
	return s;
}

/* ------------------------------------------------------------ moments */

static const char *const KIND_NAME[FT_RED_N] = { "dp", "eo", "tpr", "fpr", "erp", "bgl" };

/* The event of a row with label y, or -1 (the row is in no constraint). */
int ft_red_event_of(int kind, int y)
{
	switch (kind) {
	case FT_RED_EO: return y;
	case FT_RED_TPR: return y == 1 ? 0 : -1;
	case FT_RED_FPR: return y == 0 ? 0 : -1;
	default: return 0;
	}
}

/* The group block of row i: its group, or G for rows of no group. */
static size_t gblock(const struct ft_dataset *d, size_t G, size_t i)
{
	int32_t g = d->group ? d->group[i] : -1;
	return g >= 0 && (size_t)g < G ? (size_t)g : G;
}

static const char *gname(const char *const *names, size_t g, char *buf, size_t n)
{
	if (names && names[g])
		return names[g];
	snprintf(buf, n, "group %zu", g);
	return buf;
}

void ft_moment_free(struct ft_moment *mo)
{
	if (!mo)
		return;
	free(mo->Wgy);
	free(mo->We);
	free(mo->Wea);
	mo->Wgy = mo->We = mo->Wea = NULL;
}

/* The weights of the moments over rows [lo, hi) (ft_parallel_sum):
 * part[b * 2 + y] (Wgy, b = G for rows of no group), part[2 (G + 1) + e G +
 * a] (Wea), and W last. */
static void wsum_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct ft_moment *mo = ctx;
	const struct ft_dataset *d = mo->d;
	size_t G = mo->G;
	double *wea = part + 2 * (G + 1);

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double w = wt(d, i), y = d->y[i];
		size_t b = gblock(d, G, i);
		int e = ft_red_event_of(mo->kind, (int)y);
		part[b * 2 + (size_t)y] += w;
		part[2 * (G + 1) + mo->E * G] += w;
		if (b < G && e >= 0)
			wea[(size_t)e * G + b] += w;
	}
}

static int moment_sums(struct ft_moment *mo)
{
	size_t G = mo->G, len = 2 * (G + 1) + mo->E * G + 1;
	double *part = calloc(len, sizeof *part);

	if (!part || ft_parallel_sum(mo->d->n, len, part, wsum_chunk, mo)) {
		free(part);
		return FT_ENOMEM;
	}
	memcpy(mo->Wgy, part, 2 * (G + 1) * sizeof *part);
	memcpy(mo->Wea, part + 2 * (G + 1), mo->E * G * sizeof *part);
	mo->W = part[len - 1];
	free(part);
	return 0;
}

int ft_moment_init(struct ft_moment *mo, const struct ft_dataset *d,
                   size_t n_groups, const char *const *names, int kind,
                   double eps, double ratio, const char *tag,
                   struct ft_error *err)
{
	size_t G = n_groups;
	char buf[32];
	int rc = 0;

	memset(mo, 0, sizeof *mo);
	if (!d || !d->y)
		return ft_error_set(err, FT_EINVAL, "%s: no labelled training data", tag);
	if (!d->group)
		return ft_error_set(err, FT_EDATA, "%s: needs a sensitive attribute", tag);
	if (G < 2)
		return ft_error_set(err, FT_EDATA, "%s: needs at least two groups, found %zu",
		                    tag, G);
	if (kind < 0 || kind >= FT_RED_N)
		return ft_error_set(err, FT_EINVAL, "%s: unknown constraint %d", tag, kind);
	if (!(ratio > 0.0 && ratio <= 1.0))
		return ft_error_set(err, FT_EINVAL, "%s: ratio must be in (0, 1], not %g", tag, ratio);
	if (!(eps >= 0.0) || !isfinite(eps))
		return ft_error_set(err, FT_EINVAL, "%s: eps must be a finite number >= 0", tag);
	mo->kind = kind;
	mo->ratio = ratio;
	mo->eps = eps;
	mo->G = G;
	mo->E = kind == FT_RED_EO ? 2 : 1;
	mo->m = kind == FT_RED_BGL ? G : 2 * mo->E * G;
	mo->d = d;
	mo->names = names;
	mo->Wgy = calloc((G + 1) * 2, sizeof *mo->Wgy);
	mo->We = calloc(mo->E, sizeof *mo->We);
	mo->Wea = calloc(mo->E * G, sizeof *mo->Wea);
	if (!mo->Wgy || !mo->We || !mo->Wea) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", tag);
		goto done;
	}
	for (size_t i = 0; i < d->n && !rc; i++) {
		double w = wt(d, i), y = d->y[i];
		if (y != 0.0 && y != 1.0)
			rc = ft_error_set(err, FT_EDATA, "%s: row %zu: label %g is not 0 or 1",
			                  tag, i + 1, y);
		else if (!(w >= 0.0) || !isfinite(w))
			rc = ft_error_set(err, FT_EDATA, "%s: row %zu: weight %g is not a finite "
			                  "number >= 0", tag, i + 1, w);
	}
	/* a distributed data set: the first bad row over the ranks; then the
	 * weights, summed over every rank */
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	if (moment_sums(mo)) {
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", tag);
		goto done;
	}
	if (!(mo->W > 0.0) || !isfinite(mo->W)) {
		rc = ft_error_set(err, FT_EDATA, "%s: total training weight is %g", tag, mo->W);
		goto done;
	}
	for (size_t a = 0; a < G; a++) {
		if (!(mo->Wgy[a * 2] + mo->Wgy[a * 2 + 1] > 0.0)) {
			rc = ft_error_set(err, FT_EDATA, "%s: group %s has no training rows "
			                  "(or only rows of weight 0)", tag,
			                  gname(names, a, buf, sizeof buf));
			goto done;
		}
		for (size_t e = 0; e < mo->E; e++) {
			int y = kind == FT_RED_EO ? (int)e : kind == FT_RED_TPR ? 1 : 0;
			if (kind != FT_RED_DP && kind != FT_RED_ERP && kind != FT_RED_BGL &&
			    !(mo->Wea[e * G + a] > 0.0)) {
				rc = ft_error_set(err, FT_EDATA, "%s: group %s has no training rows with "
				                  "label %d, which the %s constraint conditions on", tag,
				                  gname(names, a, buf, sizeof buf), y, KIND_NAME[kind]);
				goto done;
			}
		}
	}
	for (size_t e = 0; e < mo->E; e++)
		for (size_t a = 0; a < G; a++)
			mo->We[e] += mo->Wea[e * G + a];
done:
	if (rc)
		ft_moment_free(mo);
	return rc;
}

/* chunks of S: part[(g * 2) + y] += w_i pred_i */
struct tally_call {
	const struct ft_moment *mo;
	const double *pred;
};

static void tally_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct tally_call *a = ctx;
	const struct ft_dataset *d = a->mo->d;
	size_t G = a->mo->G;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double w = wt(d, i);
		if (w != 0.0)
			part[gblock(d, G, i) * 2 + (d->y[i] > 0.5)] += w * a->pred[i];
	}
}

int ft_moment_tally(const struct ft_moment *mo, const double *pred, double *S)
{
	struct tally_call a = { mo, pred };

	memset(S, 0, (mo->G + 1) * 2 * sizeof *S);
	return ft_parallel_sum(mo->d->n, (mo->G + 1) * 2, S, tally_chunk, &a);
}

void ft_moment_eval(const struct ft_moment *mo, const double *S, double *error,
                    double *gamma)
{
	size_t G = mo->G, E = mo->E;
	double e = 0.0, r = mo->ratio;

	/* error: positives predicted 0 plus negatives predicted 1 */
	for (size_t b = 0; b <= G; b++)
		e += (mo->Wgy[b * 2 + 1] - S[b * 2 + 1]) + S[b * 2];
	*error = e / mo->W;
	if (mo->kind == FT_RED_BGL) {
		/* each group's zero-one loss */
		for (size_t a = 0; a < G; a++)
			gamma[a] = ((mo->Wgy[a * 2 + 1] - S[a * 2 + 1]) + S[a * 2]) /
			           (mo->Wgy[a * 2] + mo->Wgy[a * 2 + 1]);
		return;
	}
	for (size_t ev = 0; ev < E; ev++) {
		double U = 0.0, Me;
		double *Mea = gamma;   /* the "+" half holds M_{e,a} until M_e is known */
		for (size_t a = 0; a < G; a++) {
			double u = 0.0;
			for (int y = 0; y < 2; y++) {
				if (ft_red_event_of(mo->kind, y) != (int)ev)
					continue;
				/* erp: utility 1(yhat != y), for y = 1 rows that is 1 - yhat */
				u += mo->kind == FT_RED_ERP && y == 1 ?
				     mo->Wgy[a * 2 + 1] - S[a * 2 + 1] : S[a * 2 + (size_t)y];
			}
			U += u;
			Mea[ev * G + a] = u / mo->Wea[ev * G + a];
		}
		Me = U / mo->We[ev];
		for (size_t a = 0; a < G; a++) {
			double M = Mea[ev * G + a];
			gamma[ev * G + a] = r * M - Me;
			gamma[(E + ev) * G + a] = -M + r * Me;
		}
	}
}

int ft_moment_signed(const struct ft_moment *mo, const double *lambda, double *s)
{
	const struct ft_dataset *d = mo->d;
	size_t G = mo->G, E = mo->E;
	double *adj = malloc(E * G * sizeof *adj), r = mo->ratio;

	if (!adj)
		return FT_ENOMEM;
	if (mo->kind == FT_RED_BGL) {
		/* the row's weight in err + sum_a lambda_a loss_a (Fairlearn's
		 * ConditionalLossMoment.signed_weights plus the objective's 1),
		 * signed by the label so that relabelling keeps it */
		for (size_t a = 0; a < G; a++)
			adj[a] = (mo->span ? 0.0 : 1.0) + lambda[a] * mo->W / mo->Wea[a];
		for (size_t i = 0; i < d->n; i++) {
			size_t b = gblock(d, G, i);
			double c = b < G ? adj[b] : (mo->span ? 0.0 : 1.0);
			s[i] = (d->y[i] > 0.5 ? 1.0 : -1.0) * wt(d, i) * c;
		}
		free(adj);
		return 0;
	}
	/* adj[e, a] = c_i / u_i for the rows of event e and group a (see the top) */
	for (size_t e = 0; e < E; e++) {
		double tot = 0.0;
		for (size_t a = 0; a < G; a++)
			tot += lambda[e * G + a] - r * lambda[(E + e) * G + a];
		for (size_t a = 0; a < G; a++)
			adj[e * G + a] = tot * mo->W / mo->We[e] -
			                 (r * lambda[e * G + a] - lambda[(E + e) * G + a]) *
			                 mo->W / mo->Wea[e * G + a];
	}
	for (size_t i = 0; i < d->n; i++) {
		size_t b = gblock(d, G, i);
		int y = d->y[i] > 0.5, e = ft_red_event_of(mo->kind, y);
		double c = 0.0;
		if (b < G && e >= 0) {
			c = adj[(size_t)e * G + b];
			if (mo->kind == FT_RED_ERP && y == 1)
				c = -c;
		}
		s[i] = wt(d, i) * (2.0 * y - 1.0 + c);
	}
	free(adj);
	return 0;
}

void ft_moment_name(const struct ft_moment *mo, size_t k, char *buf, size_t size)
{
	size_t G = mo->G, E = mo->E, a = k % G, e = (k / G) % E, s = k / (G * E);
	char gb[32];
	const char *g = gname(mo->names, a, gb, sizeof gb);

	if (mo->kind == FT_RED_BGL)
		snprintf(buf, size, "%s", g);
	else if (mo->kind == FT_RED_EO)
		snprintf(buf, size, "%c,y=%zu,%s", s ? '-' : '+', e, g);
	else
		snprintf(buf, size, "%c,%s", s ? '-' : '+', g);
}

/* ------------------------------------------------------------ the LP */

/* The dual as a maximisation in canonical form, rows r < K (one per
 * predictor h) and row K:
 *   max mu+ - mu-
 *   s.t. mu+ - mu- - sum_k (gam_hk - eps) lambda_k <= err_h   (r = h < K)
 *        sum_k lambda_k <= B                                   (r = K)
 *        lambda, mu+, mu- >= 0.
 * Its right-hand sides are >= 0, so the slack basis is feasible and one
 * phase suffices.  Its own dual is the primal LP of the header (columns
 * lambda_k, mu+, mu- give sum_h (gam_hk - eps) Q_h <= z, sum Q >= 1 and
 * sum Q <= 1), so at the optimum the objective row under the slack of row
 * r holds the primal Q_r (r < K) and z (r = K): the shadow prices.
 * Bland's rule (lowest index enters, lowest basic index leaves on ties)
 * rules out cycling on these degenerate problems. */
int ft_red_lp(size_t K, size_t m, const double *err, const double *gam,
              double eps, double B, double *Q, double *lambda, double *value)
{
	size_t R = K + 1, nv = m + 2, nc = nv + R, ld = nc + 1;
	size_t *basis = NULL, max_pivots;
	double *T = NULL, tol = 1e-12, sum = 0.0;
	int rc = 0;

	if (K == 0)
		return FT_EINVAL;
	T = calloc((R + 1) * ld, sizeof *T);
	basis = malloc(R * sizeof *basis);
	if (!T || !basis) {
		rc = FT_ENOMEM;
		goto done;
	}
	for (size_t r = 0; r < K; r++) {
		double *row = T + r * ld;
		for (size_t k = 0; k < m; k++)
			row[k] = -(gam[r * m + k] - eps);
		row[m] = 1.0;
		row[m + 1] = -1.0;
		row[nv + r] = 1.0;
		row[nc] = err[r];
		basis[r] = nv + r;
	}
	for (size_t k = 0; k < m; k++)
		T[K * ld + k] = 1.0;
	T[K * ld + nv + K] = 1.0;
	T[K * ld + nc] = B;
	basis[K] = nv + K;
	T[R * ld + m] = -1.0;       /* objective row: z - mu+ + mu- = 0 */
	T[R * ld + m + 1] = 1.0;
	max_pivots = 50 * (R + nc) + 1000;
	for (size_t it = 0;; it++) {
		size_t enter = nc, leave = R;
		double best = INFINITY;
		const double *obj = T + R * ld;

		for (size_t j = 0; j < nc; j++)
			if (obj[j] < -tol) {
				enter = j;
				break;
			}
		if (enter == nc)
			break;                       /* optimal */
		if (it >= max_pivots) {
			rc = FT_ENUMERIC;
			goto done;
		}
		for (size_t r = 0; r < R; r++) {
			double a = T[r * ld + enter], ratio;
			if (!(a > tol))
				continue;
			ratio = T[r * ld + nc] / a;
			if (ratio < best - tol || (ratio <= best + tol && basis[r] < basis[leave])) {
				if (ratio < best)
					best = ratio;
				leave = r;
			}
		}
		if (leave == R) {
			rc = FT_ENUMERIC;            /* unbounded: cannot happen, see above */
			goto done;
		}
		{
			double *pr = T + leave * ld, piv = pr[enter];
			for (size_t j = 0; j < ld; j++)
				pr[j] /= piv;
			pr[enter] = 1.0;
			for (size_t r = 0; r <= R; r++) {
				double f, *row;
				if (r == leave)
					continue;
				row = T + r * ld;
				f = row[enter];
				if (f == 0.0)
					continue;
				for (size_t j = 0; j < ld; j++)
					row[j] -= f * pr[j];
				row[enter] = 0.0;
			}
			basis[leave] = enter;
		}
	}
	for (size_t k = 0; k < m; k++)
		lambda[k] = 0.0;
	for (size_t r = 0; r < R; r++)
		if (basis[r] < m)
			lambda[basis[r]] = fmax(0.0, T[r * ld + nc]);
	for (size_t h = 0; h < K; h++) {
		Q[h] = fmax(0.0, T[R * ld + nv + h]);
		sum += Q[h];
	}
	if (!(sum > 0.0) || !isfinite(sum)) {
		rc = FT_ENUMERIC;
		goto done;
	}
	for (size_t h = 0; h < K; h++)
		Q[h] /= sum;
	*value = T[R * ld + nc];
done:
	free(T);
	free(basis);
	return rc;
}

/* ------------------------------------------------------------ the grid */

/* Points in the L1 ball of radius r in dim dimensions, capped at cap. */
static size_t ball_count(size_t dim, size_t r, size_t cap)
{
	/* sum_k 2^k C(dim, k) C(r, k): k non-zero coordinates */
	double tot = 0.0;

	for (size_t k = 0; k <= dim && k <= r; k++) {
		double c = 1.0;
		for (size_t j = 0; j < k; j++)
			c *= (double)(dim - j) / (double)(j + 1) * (double)(r - j) / (double)(j + 1) * 2.0;
		tot += c;
		if (tot >= (double)cap)
			return cap;
	}
	return (size_t)(tot + 0.5);
}

struct enum_state {
	size_t dim, n;
	long *cur, *pts;          /* pts: n x dim */
};

/* Fairlearn's accumulate_integer_grid: coordinate `index` from -max to max,
 * the rest within the L1 budget left. */
static void enum_ball(struct enum_state *s, size_t index, long max)
{
	if (index == s->dim) {
		memcpy(s->pts + s->n * s->dim, s->cur, s->dim * sizeof *s->cur);
		s->n++;
		return;
	}
	for (long v = -max; v <= max; v++) {
		s->cur[index] = v;
		enum_ball(s, index + 1, max - labs(v));
	}
}

static long l1(const long *v, size_t dim)
{
	long s = 0;
	for (size_t j = 0; j < dim; j++)
		s += labs(v[j]);
	return s;
}

int ft_red_grid(size_t dim, size_t size, double limit, double **coef,
                long **ipt, struct ft_error *err)
{
	struct enum_state s = { dim, 0, NULL, NULL };
	size_t r, total, *cnt = NULL, kept = 0;
	long *out = NULL;
	double *c = NULL, scale;
	int rc = 0;

	*coef = NULL;
	if (ipt)
		*ipt = NULL;
	if (dim == 0 || size == 0 || !(limit > 0.0) || !isfinite(limit))
		return ft_error_set(err, FT_EINVAL, "grid: needs dim >= 1, size >= 1 and a "
		                    "positive limit");
	/* Fairlearn's conservative start, then grow until the ball is big enough */
	{
		double start = pow((double)size / pow(2.0, (double)dim), 1.0 / (double)dim) - 1.0;
		r = start > 0.0 ? (size_t)floor(start) : 0;
	}
	while ((total = ball_count(dim, r, (size_t)1 << 40)) < size)
		r++;
	if (total > 50 * size + 1000)
		return ft_error_set(err, FT_EINVAL, "grid: %zu points in %zu dimensions need a "
		                    "ball of %zu points; use fewer groups or a larger grid_size",
		                    size, dim, total);
	s.cur = calloc(dim, sizeof *s.cur);
	s.pts = malloc(total * dim * sizeof *s.pts);
	cnt = calloc(r + 2, sizeof *cnt);
	out = malloc(size * dim * sizeof *out);
	c = malloc(size * dim * sizeof *c);
	if (!s.cur || !s.pts || !cnt || !out || !c) {
		rc = ft_error_set(err, FT_ENOMEM, "grid: out of memory (%zu points)", total);
		goto done;
	}
	enum_ball(&s, 0, (long)r);
	/* the cut: every point of norm < cut, and the first of norm = cut */
	for (size_t i = 0; i < s.n; i++)
		cnt[l1(s.pts + i * dim, dim)]++;
	{
		size_t below = 0, cut = 0, take_at_cut;
		while (below + cnt[cut] < size) {
			below += cnt[cut];
			cut++;
		}
		take_at_cut = size - below;
		for (size_t i = 0; i < s.n && kept < size; i++) {
			long nrm = l1(s.pts + i * dim, dim);
			if ((size_t)nrm < cut || ((size_t)nrm == cut && take_at_cut > 0)) {
				if ((size_t)nrm == cut)
					take_at_cut--;
				memcpy(out + kept * dim, s.pts + i * dim, dim * sizeof *out);
				kept++;
			}
		}
	}
	scale = r > 0 ? limit / (double)r : 0.0;
	for (size_t i = 0; i < size * dim; i++)
		c[i] = (double)out[i] * scale;
	*coef = c;
	c = NULL;
	if (ipt) {
		*ipt = out;
		out = NULL;
	}
done:
	free(s.cur);
	free(s.pts);
	free(cnt);
	free(out);
	free(c);
	return rc;
}

/* ---------------------------------------------------- the reduction */

/* One run of eg or grid: the data, the relabelled view, the objective and
 * every predictor found. */
struct red {
	const struct ft_fit_input *in;
	const char *tag;
	struct ft_moment mo;
	const struct ft_dataset *d;
	double Wtot;              /* the total sample weight */
	size_t n, p, dim, m;
	double B, eps;
	struct ft_dataset view;   /* in->train with y = ry, w = rw */
	double *ry, *rw, *s;      /* n each */
	struct ft_objective obj;  /* the logistic objective on the view */
	struct ft_objective lag;  /* obj with a lagged Hessian (lag_*) */
	double *H;                /* dim x dim: the lagged Hessian */
	int have_H;               /* H was computed in this fit */
	double g_last, g_prev;    /* ||g|| of the last evaluation; at the last Hessian call */
	struct ft_solver_opts inner;
	double *x0;               /* dim: the baseline (or zero) */
	double *S;                /* (G + 1) x 2 tally */
	/* predictors found (eg) */
	size_t K, cap;
	double *X;                /* cap x dim */
	double *herr;             /* cap */
	double *hgam;             /* cap x m */
	double *Qsum, *Qeg, *Qlp, *Qbest;  /* cap each (eg) */
	/* best-response queries answered, by their exact lambda (eg), with
	 * each fit's solution (for warm starts) */
	size_t nq, qcap;
	double *qlam, *qkey, *qx;
	size_t *qidx;
	int *qconst;
	/* counts */
	size_t n_fits, n_const;
	long newton_iters;
	int inner_solver, all_converged;
	double max_grad;
};

static void red_free(struct red *R)
{
	ft_moment_free(&R->mo);
	ft_logreg_objective_free(&R->obj);
	free(R->H);
	free(R->ry);
	free(R->rw);
	free(R->s);
	free(R->x0);
	free(R->S);
	free(R->X);
	free(R->herr);
	free(R->hgam);
	free(R->Qsum);
	free(R->Qeg);
	free(R->Qlp);
	free(R->Qbest);
	free(R->qlam);
	free(R->qkey);
	free(R->qx);
	free(R->qidx);
	free(R->qconst);
}

/* The logistic objective with a lagged Hessian (Shamanskii's variant of
 * Newton's method): the Hessian is recomputed only when the last Newton
 * step reduced the gradient norm by less than LAG_RHO, else the one of an
 * earlier iteration of the same fit is used again.  A best response starts
 * near its solution (warm start), where the Hessian hardly changes from
 * one iteration to the next, and computing it costs about 2.5 evaluations
 * of f and g on Adult (the profile of eg: 46% of the time in the Hessian
 * with a fresh one every iteration).  The step solves H_old d = -g, still a
 * descent direction (H_old is positive definite), with the same line
 * search and the same gradient test for convergence: the path changes, not
 * the test the answer meets.  On Adult it computes 30 to 50% fewer
 * Hessians for eg and grid, for 15 to 20% less time (0.1 and 0.5 were
 * slower than 0.25). */
#define LAG_RHO 0.25

static int lag_vg(void *ctx, const double *x, double *f, double *g)
{
	struct red *R = ctx;
	int rc = R->obj.value_grad(R->obj.ctx, x, f, g);

	if (!rc && g)
		R->g_last = sqrt(dot(R->dim, g, g));
	return rc;
}

static int lag_hv(void *ctx, const double *x, const double *v, double *hv)
{
	struct red *R = ctx;
	return R->obj.hess_vec(R->obj.ctx, x, v, hv);
}

static int lag_hess(void *ctx, const double *x, double *H)
{
	struct red *R = ctx;
	int rc;

	/* Newton evaluates f and g at the accepted point just before asking
	 * for the Hessian there, so g_last is the gradient norm at x */
	if (!R->have_H || R->g_last > LAG_RHO * R->g_prev) {
		if ((rc = R->obj.hessian(R->obj.ctx, x, R->H)) != 0)
			return rc;
		R->have_H = 1;
	}
	R->g_prev = R->g_last;
	memcpy(H, R->H, R->dim * R->dim * sizeof *H);
	return 0;
}

/* The learner's part of R (no moment): the relabelled view, its
 * objective, the warm start.  R is zeroed by the caller; on failure the
 * caller frees R. */
static int red_learner(struct red *R, const struct ft_fit_input *in, const char *tag,
                       struct ft_error *err)
{
	const struct ft_dataset *d = in->train;
	int rc;

	R->in = in;
	R->tag = tag;
	if (in->baseline && (in->baseline->p != d->p || in->baseline->n_groups > 0))
		return ft_error_set(err, FT_EINVAL, "%s: the baseline is not a shared model of "
		                    "the data's %zu features", tag, d->p);
	R->d = d;
	R->n = d->n;
	R->p = d->p;
	R->dim = d->p + 1;
	R->ry = malloc((R->n ? R->n : 1) * sizeof *R->ry);
	R->rw = malloc((R->n ? R->n : 1) * sizeof *R->rw);
	R->s = malloc((R->n ? R->n : 1) * sizeof *R->s);
	R->x0 = calloc(R->dim, sizeof *R->x0);
	if (!R->ry || !R->rw || !R->s || !R->x0)
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", tag);
	R->Wtot = 0.0;
	for (size_t i = 0; i < R->n; i++) {
		R->ry[i] = d->y[i];
		R->rw[i] = wt(d, i);
		R->Wtot += R->rw[i];
	}
	R->view = *d;
	R->view.y = R->ry;
	R->view.w = R->rw;
	/* created once on the view; fits rewrite ry and rw in place */
	if ((rc = ft_logreg_objective(&R->view, in->lr->C, in->lr->fit_intercept, &R->obj,
	                              err)) != 0)
		return rc;
	R->lag.dim = R->obj.dim;
	R->lag.ctx = R;
	R->lag.value_grad = lag_vg;
	R->lag.hess_vec = lag_hv;
	/* dense Newton is what the lagged Hessian helps; beyond its size the
	 * solvers use Hessian-vector products and this is not needed */
	if (R->obj.hessian && R->dim <= in->lr->solver.dense_max_dim) {
		R->H = malloc(R->dim * R->dim * sizeof *R->H);
		if (!R->H)
			return ft_error_set(err, FT_ENOMEM, "%s: out of memory", tag);
		R->lag.hessian = lag_hess;
	}
	R->inner = in->lr->solver;
	if (R->inner.tol < INNER_TOL)
		R->inner.tol = INNER_TOL;
	if (in->baseline) {
		if (R->p > 0)
			memcpy(R->x0, in->baseline->coef, R->p * sizeof *R->x0);
		R->x0[R->p] = in->lr->fit_intercept ? in->baseline->intercept : 0.0;
	}
	R->inner_solver = FT_SOLVER_NEWTON;
	R->all_converged = 1;
	return 0;
}

static int red_setup(struct red *R, const struct ft_fit_input *in, const char *tag,
                     int kind, double eps, double ratio, struct ft_error *err)
{
	int rc;

	memset(R, 0, sizeof *R);
	if ((rc = ft_moment_init(&R->mo, in->train, in->n_groups, in->group_names, kind,
	                         eps, ratio, tag, err)) != 0)
		return rc;
	if ((rc = red_learner(R, in, tag, err)) != 0)
		goto done;
	R->m = R->mo.m;
	R->eps = eps;
	R->B = eps > 0.0 ? 1.0 / eps : 0.0;
	R->S = calloc((R->mo.G + 1) * 2, sizeof *R->S);
	if (!R->S)
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", tag);
done:
	if (rc)
		red_free(R);
	return rc;
}

/* The total, positive and negative weight of signed weights s over rows
 * [lo, hi) (ft_parallel_sum). */
static void sw_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const double *s = ctx;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		part[0] += fabs(s[i]);
		part[s[i] > 0.0 ? 1 : 2] += fabs(s[i]);
	}
}

/* The weighted classification problem of signed costs s (n rows): labels
 * 1(s_i > 0), weights |s_i| rescaled to sum to W (see ft_red_relabel); the
 * sums in ft_parallel_sum's chunks (and along the ranks). */
static int relabel_signed(size_t n, double W, const double *s, double *y, double *w,
                          int *one_label)
{
	double sum[3] = {0.0, 0.0, 0.0}, tot, wpos, wneg;

	for (size_t i = 0; i < n; i++) {
		y[i] = s[i] > 0.0;
		w[i] = fabs(s[i]);
	}
	if (ft_parallel_sum(n, 3, sum, sw_chunk, (void *)s))
		return FT_ENOMEM;
	tot = sum[0];
	wpos = sum[1];
	wneg = sum[2];
	if (!isfinite(tot))
		return FT_ENUMERIC;
	*one_label = !(wneg > 0.0) && wpos > 0.0 ? 1 : !(wpos > 0.0) ? -1 : 0;
	if (*one_label == 0)
		for (size_t i = 0; i < n; i++)
			w[i] *= W / tot;
	return 0;
}

int ft_red_relabel(const struct ft_moment *mo, const double *lambda, double *s,
                   double *y, double *w, int *one_label)
{
	if (ft_moment_signed(mo, lambda, s))
		return FT_ENOMEM;
	return relabel_signed(mo->d->n, mo->W, s, y, w, one_label);
}

/* The tally of the deterministic classifier 1[sigmoid(x.beta + b) >= 0.5]
 * with x = (beta, b), scored by ft_linear_predict_proba as ft_classify
 * scores, so that every decision here is bitwise the one ft_classify makes
 * at threshold 0.5.  Uses R->s as scratch. */
static int tally_x(struct red *R, const double *x, double *S)
{
	struct ft_linear_model m;

	memset(&m, 0, sizeof m);
	m.type = FT_MODEL_LOGREG;
	m.p = R->p;
	m.coef = (double *)x;       /* read only */
	m.intercept = x[R->p];
	ft_linear_predict_proba(&m, R->d, R->s);
	for (size_t i = 0; i < R->n; i++)
		R->s[i] = R->s[i] >= 0.5;
	return ft_moment_tally(&R->mo, R->s, S);
}

/* Best response to lambda: relabel, reweight, fit from start into x (dim);
 * its training error and gamma (m).  *is_const: the constant classifier. */
/* chunks of the bgl log loss: part[b] += w_i logloss_i for group block b
 * (b <= G), part[G + 1] += w_i logloss_i^2 */
struct loss_call {
	const struct red *R;
	const double *x;
};

static void loss_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct loss_call *a = ctx;
	const struct red *R = a->R;
	const struct ft_dataset *d = R->d;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double w = wt(d, i), z, l;
		if (w == 0.0)
			continue;
		z = ft_row_dot(d, i, a->x) + a->x[R->p];
		/* log(1 + e^z) - y z, without overflow */
		l = (z > 0.0 ? z + log1p(exp(-z)) : log1p(exp(z))) - d->y[i] * z;
		part[gblock(d, R->mo.G, i)] += w * l;
		part[R->mo.G + 1] += w * l * l;
	}
}

/* The objective and gamma (m) of the predictor x: the moment's tally of
 * its decisions, or for bgl with the log loss the mean log loss overall
 * and per group (hgam may then be NULL). */
static int eval_x(struct red *R, const double *x, double *herr, double *hgam)
{
	size_t G = R->mo.G;
	int rc;

	if (R->mo.kind == FT_RED_BGL && R->mo.loss == FT_RED_LOSS_LOG) {
		struct loss_call a = { R, x };
		double tot = 0.0;
		memset(R->S, 0, (G + 1) * 2 * sizeof *R->S);
		if ((rc = ft_parallel_sum(R->n, G + 2, R->S, loss_chunk, &a)) != 0)
			return rc;
		for (size_t b = 0; b <= G; b++)
			tot += R->S[b];
		*herr = tot / R->mo.W;
		for (size_t a2 = 0; hgam && a2 < G; a2++)
			hgam[a2] = R->S[a2] / (R->mo.Wgy[a2 * 2] + R->mo.Wgy[a2 * 2 + 1]);
		return 0;
	}
	if ((rc = tally_x(R, x, R->S)) != 0)
		return rc;
	ft_moment_eval(&R->mo, R->S, herr, hgam);
	return 0;
}

/* Fit the relabelled problem in R->ry, R->rw (one: relabel_signed's
 * one_label) from start into x (dim); *is_const: the constant classifier. */
static int learner_fit(struct red *R, int one, const double *start, double *x,
                       int *is_const, struct ft_error *err)
{
	int rc;

	R->n_fits++;
	*is_const = one != 0;
	if (*is_const) {
		/* every unit of weight asks for one label: the constant classifier */
		memset(x, 0, R->dim * sizeof *x);
		x[R->p] = one > 0 ? CONST_Z : -CONST_Z;
		R->n_const++;
	} else {
		struct ft_solver_result res;
		memcpy(x, start, R->dim * sizeof *x);
		R->have_H = 0;
		if ((rc = ft_minimize(&R->lag, x, &R->inner, &res, err)) != 0)
			return rc;
		R->newton_iters += res.iterations;
		R->inner_solver = res.solver;
		R->all_converged &= res.converged;
		if (res.grad_norm > R->max_grad)
			R->max_grad = res.grad_norm;
		for (size_t j = 0; j < R->dim; j++)
			if (!isfinite(x[j]))
				return ft_error_set(err, FT_ENUMERIC, "%s: best response coefficient "
				                    "%zu is %g", R->tag, j, x[j]);
	}
	return 0;
}

static int fit_one(struct red *R, const double *lambda, const double *start,
                   double *x, double *herr, double *hgam, int *is_const,
                   struct ft_error *err)
{
	int rc, one;

	if ((rc = ft_red_relabel(&R->mo, lambda, R->s, R->ry, R->rw, &one)) != 0)
		return ft_error_set(err, rc, rc == FT_ENOMEM ? "%s: out of memory" :
		                    "%s: the relabelled weights overflow (multipliers too "
		                    "large?)", R->tag);
	if ((rc = learner_fit(R, one, start, x, is_const, err)) != 0)
		return rc;
	if ((rc = eval_x(R, x, herr, hgam)) != 0)
		return ft_error_set(err, rc, "%s: out of memory", R->tag);
	return 0;
}

/* Room for one more predictor (and its mixture weights). */
static int grow(struct red *R, struct ft_error *err)
{
	size_t cap = R->cap ? 2 * R->cap : 16;
	double *p;

	if (R->K < R->cap)
		return 0;
#define GROW(field, per) do { \
		p = realloc(R->field, cap * (per) * sizeof *p); \
		if (!p) \
			return ft_error_set(err, FT_ENOMEM, "%s: out of memory", R->tag); \
		R->field = p; \
	} while (0)
	GROW(X, R->dim);
	GROW(herr, 1);
	GROW(hgam, R->m);
	GROW(Qsum, 1);
	GROW(Qeg, 1);
	GROW(Qlp, 1);
	GROW(Qbest, 1);
#undef GROW
	for (size_t k = R->cap; k < cap; k++)
		R->Qsum[k] = R->Qeg[k] = R->Qlp[k] = R->Qbest[k] = 0.0;
	R->cap = cap;
	return 0;
}

/* What the signed weights see of lambda: per (event, group) the pair
 * lambda_+ - r lambda_- and r lambda_+ - lambda_- (see the top); zero for
 * the baseline's problem. */
static void lam_key(const struct ft_moment *mo, const double *lambda, double *key)
{
	size_t half = mo->m / 2;

	if (mo->kind == FT_RED_BGL) {
		memcpy(key, lambda, mo->m * sizeof *key);
		return;
	}
	for (size_t k = 0; k < half; k++) {
		key[k] = lambda[k] - mo->ratio * lambda[half + k];
		key[half + k] = mo->ratio * lambda[k] - lambda[half + k];
	}
}

static double l1dist(size_t n, const double *a, const double *b)
{
	double s = 0.0;
	for (size_t i = 0; i < n; i++)
		s += fabs(a[i] - (b ? b[i] : 0.0));
	return s;
}

static int grow_queries(struct red *R, struct ft_error *err)
{
	size_t c = R->qcap ? 2 * R->qcap : 32, m = R->m;
	void *p;

	if (R->nq < R->qcap)
		return 0;
	if (!(p = realloc(R->qlam, c * m * sizeof *R->qlam)))
		goto oom;
	R->qlam = p;
	if (!(p = realloc(R->qkey, c * m * sizeof *R->qkey)))
		goto oom;
	R->qkey = p;
	if (!(p = realloc(R->qx, c * R->dim * sizeof *R->qx)))
		goto oom;
	R->qx = p;
	if (!(p = realloc(R->qidx, c * sizeof *R->qidx)))
		goto oom;
	R->qidx = p;
	if (!(p = realloc(R->qconst, c * sizeof *R->qconst)))
		goto oom;
	R->qconst = p;
	R->qcap = c;
	return 0;
oom:
	return ft_error_set(err, FT_ENOMEM, "%s: out of memory", R->tag);
}

/* Fairlearn's best_h: the best response to lambda is kept as a new
 * predictor only when its Lagrangian value beats every predictor found so
 * far by PRECISION; *idx is the best one either way.  Answers to a lambda
 * asked before are remembered (the learner is deterministic).  The fit
 * starts from the earlier fit whose multipliers are nearest (L1 distance
 * of lam_key; the baseline sits at 0): eval_gap asks for 1, 2, 5 and 10
 * times lambda_hat and the LP's multipliers, which lie far from the
 * previous query but near earlier ones. */
static int best_h(struct red *R, const double *lambda, size_t *idx, struct ft_error *err)
{
	size_t m = R->m, best = 0, q;
	double val, best_val = INFINITY, *key, *x, dmin;
	const double *start = R->x0;
	int rc;

	for (q = 0; q < R->nq; q++)
		if (!memcmp(R->qlam + q * m, lambda, m * sizeof *lambda)) {
			*idx = R->qidx[q];
			return 0;
		}
	if ((rc = grow(R, err)) != 0 || (rc = grow_queries(R, err)) != 0)
		return rc;
	q = R->nq;
	key = R->qkey + q * m;
	x = R->qx + q * R->dim;
	lam_key(&R->mo, lambda, key);
	dmin = l1dist(m, key, NULL);
	for (size_t j = 0; j < q; j++) {
		double dj;
		if (R->qconst[j])
			continue;
		dj = l1dist(m, key, R->qkey + j * m);
		if (dj < dmin) {
			dmin = dj;
			start = R->qx + j * R->dim;
		}
	}
	if ((rc = fit_one(R, lambda, start, x, &R->herr[R->K], R->hgam + R->K * m,
	                  &R->qconst[q], err)) != 0)
		return rc;
	memcpy(R->qlam + q * m, lambda, m * sizeof *lambda);
	R->nq++;
	memcpy(R->X + R->K * R->dim, x, R->dim * sizeof *x);
	val = R->herr[R->K] + dot(m, R->hgam + R->K * m, lambda);
	for (size_t j = 0; j < R->K; j++) {
		double v = R->herr[j] + dot(m, R->hgam + j * m, lambda);
		if (v < best_val) {
			best_val = v;
			best = j;
		}
	}
	if (val < best_val - PRECISION) {
		best = R->K;
		R->K++;
	}
	*idx = R->qidx[q] = best;
	return 0;
}

/* err(Q) and gamma(Q) of the mixture Q over the first K predictors. */
static void mix(const struct red *R, const double *Q, size_t K, double *e, double *g)
{
	*e = 0.0;
	memset(g, 0, R->m * sizeof *g);
	for (size_t j = 0; j < K; j++) {
		if (Q[j] == 0.0)
			continue;
		*e += Q[j] * R->herr[j];
		for (size_t k = 0; k < R->m; k++)
			g[k] += Q[j] * R->hgam[j * R->m + k];
	}
}

/* Fairlearn's _eval: L(Q, lambda) with lambda projected (r = 1: only the
 * positive part of lambda_+ - lambda_- of each pair), and L_high, the
 * value under the lambda player's best response. */
static void lag_value(const struct red *R, double e, const double *g,
                      const double *lambda, double *L, double *L_high)
{
	size_t half = R->m / 2;
	double v = e, mg;

	/* bgl: no pairs, nothing to project (Fairlearn's project_lambda is the
	 * identity for loss moments) */
	for (size_t k = 0; R->mo.kind == FT_RED_BGL && k < R->m; k++)
		v += lambda[k] * (g[k] - R->eps);
	for (size_t k = 0; R->mo.kind != FT_RED_BGL && k < half; k++) {
		double lp = lambda[k], ln = lambda[half + k];
		if (R->mo.ratio == 1.0) {
			double dlt = lp - ln;
			lp = dlt > 0.0 ? dlt : 0.0;
			ln = dlt < 0.0 ? -dlt : 0.0;
		}
		v += lp * (g[k] - R->eps) + ln * (g[half + k] - R->eps);
	}
	*L = v;
	mg = vmax(R->m, g);
	*L_high = mg < R->eps ? e : e + R->B * (mg - R->eps);
}

/* Fairlearn's eval_gap: the duality gap of (Q, lambda_hat); Q over the
 * first K predictors.  scratch: 2 m doubles. */
static int eval_gap(struct red *R, const double *Q, size_t K, const double *lam_hat,
                    double nu, double *scratch, double *gap, struct ft_error *err)
{
	static const double MUL[4] = { 1.0, 2.0, 5.0, 10.0 };
	double e, L, L_high, L_low, *g = scratch, *lam = scratch + R->m;
	int rc;

	mix(R, Q, K, &e, g);
	lag_value(R, e, g, lam_hat, &L, &L_high);
	L_low = L;
	*gap = fmax(L - L_low, L_high - L);
	for (int k = 0; k < 4; k++) {
		size_t h;
		double Lh, unused;
		for (size_t j = 0; j < R->m; j++)
			lam[j] = MUL[k] * lam_hat[j];
		if ((rc = best_h(R, lam, &h, err)) != 0)
			return rc;
		lag_value(R, R->herr[h], R->hgam + h * R->m, lam_hat, &Lh, &unused);
		if (Lh < L_low)
			L_low = Lh;
		*gap = fmax(L - L_low, L_high - L);
		if (*gap > nu + PRECISION)
			break;
	}
	return 0;
}

/* A model from x (dim); shared coefficients. */
static struct ft_linear_model *model_of(const struct red *R, const double *x)
{
	struct ft_linear_model *m = calloc(1, sizeof *m);

	if (m)
		m->coef = malloc((R->p > 0 ? R->p : 1) * sizeof *m->coef);
	if (!m || !m->coef) {
		ft_linear_model_free(m);
		return NULL;
	}
	m->type = FT_MODEL_LOGREG;
	m->p = R->p;
	if (R->p > 0)
		memcpy(m->coef, x, R->p * sizeof *x);
	m->intercept = x[R->p];
	return m;
}

static void diag_lambda(struct ft_fit_output *out, const struct red *R,
                        const double *lambda)
{
	char name[FT_DIAG_NAME], c[48];

	for (size_t k = 0; k < R->m; k++) {
		ft_moment_name(&R->mo, k, c, sizeof c);
		snprintf(name, sizeof name, "lambda[%s]", c);
		ft_fit_diag(out, name, lambda[k]);
	}
}

int ft_red_best_response(const struct ft_fit_input *in, int kind, double eps,
                         double ratio, const double *lambda,
                         struct ft_linear_model **h, double *error, double *gamma,
                         struct ft_error *err)
{
	struct red R;
	double *x = NULL;
	int rc, is_const;

	*h = NULL;
	if (!in || !in->train || !in->lr)
		return ft_error_set(err, FT_EINVAL, "best response: incomplete fit input");
	if ((rc = red_setup(&R, in, "best response", kind, eps, ratio, err)) != 0)
		return rc;
	x = malloc(R.dim * sizeof *x);
	if (!x) {
		rc = ft_error_set(err, FT_ENOMEM, "best response: out of memory");
		goto done;
	}
	if ((rc = fit_one(&R, lambda, R.x0, x, error, gamma, &is_const, err)) != 0)
		goto done;
	if (!(*h = model_of(&R, x)))
		rc = ft_error_set(err, FT_ENOMEM, "best response: out of memory");
done:
	free(x);
	red_free(&R);
	return rc;
}

/* ------------------------------------------------------------------ eg */

static int check_common(const struct ft_fit_input *in, const char *tag, int *kind,
                        double *eps, double *ratio, struct ft_error *err)
{
	double k;

	if (!in || !in->train || !in->lr || !in->params)
		return ft_error_set(err, FT_EINVAL, "%s: incomplete fit input", tag);
	k = in->params[0];
	if (k != floor(k) || k < 0 || k >= FT_RED_N)
		return ft_error_set(err, FT_EINVAL, "%s: constraint must be one of dp, eo, tpr, "
		                    "fpr, erp, bgl", tag);
	*kind = (int)k;
	*eps = in->params[1];
	if (!(*eps > 0.0) || !isfinite(*eps))
		return ft_error_set(err, FT_EINVAL, "%s: eps must be a positive number, not %g",
		                    tag, *eps);
	*ratio = in->params[2];
	if (!(*ratio >= 0.0 && *ratio <= 1.0))
		return ft_error_set(err, FT_EINVAL, "%s: ratio must be 0 (difference bound) or "
		                    "in (0, 1], not %g", tag, *ratio);
	if (*ratio == 0.0)
		*ratio = 1.0;
	return 0;
}

/* Bounded group loss (Agarwal, Dudik & Wu, ICML 2019; Fairlearn's
 * BoundedGroupLoss): after red_setup, the loss (in->params[6]) and the
 * bound upper_bound (in->params[7]) replace eps as every constraint's
 * bound; B stays 1 / eps. */
static int bgl_setup(struct red *R, const struct ft_fit_input *in, struct ft_error *err)
{
	double loss = in->params[6], bound = in->params[7];

	if ((loss != FT_RED_LOSS_LOG && loss != FT_RED_LOSS_ZERO_ONE) || !(bound > 0.0) ||
	    !isfinite(bound))
		return ft_error_set(err, FT_EINVAL, "%s: bgl needs loss log or zero_one and "
		                    "upper_bound > 0, not %g", R->tag, bound);
	R->mo.loss = (int)loss;
	R->mo.eps = R->eps = bound;
	return 0;
}

/* eg's nu for the bgl log loss, the analogue of Fairlearn's 0.5 std(|h0 -
 * y|) / sqrt(n): 0.5 std(logloss_i of h0) / sqrt(n) (weighted, ddof 1). */
static int nu_log(struct red *R, const double *x, double *nu)
{
	double e, n = (double)ft_dist_rows_total(R->n), var;
	int rc;

	/* eval_x leaves the sums of w l per group block and of w l^2 in R->S */
	if ((rc = eval_x(R, x, &e, NULL)) != 0)
		return rc;
	var = fmax(0.0, R->S[R->mo.G + 1] / R->mo.W - e * e);
	*nu = n > 1 ? ACCURACY_MUL * sqrt(var * n / (n - 1.0)) / sqrt(n) : 0.0;
	return 0;
}

/* Stable lambda = B exp(theta) / (1 + sum exp(theta)): shift by
 * max(0, max theta) so no exponential overflows. */
void ft_red_lambda_of_theta(size_t m, const double *theta, double B, double *lam)
{
	double mx = 0.0, den;

	for (size_t k = 0; k < m; k++)
		mx = fmax(mx, theta[k]);
	den = exp(-mx);
	for (size_t k = 0; k < m; k++)
		den += exp(theta[k] - mx);
	for (size_t k = 0; k < m; k++)
		lam[k] = B * exp(theta[k] - mx) / den;
}

/* eg's outputs from the best Q (weights R->Qbest over the first K
 * predictors): the mixture of the predictors of weight > SUPPORT_MIN,
 * identical ones merged, weights renormalised (in R->Qbest too), and
 * out->pred.linear, a copy of the deterministic choice *det: the support member
 * of the smallest (1 - DET_CW) err + DET_CW max_k gamma_k. */
static int eg_output(struct red *R, size_t K, struct ft_fit_output *out, size_t *det,
                     size_t *support, struct ft_error *err)
{
	struct ft_mixture *mx = NULL;
	double *Q = R->Qbest, tot = 0.0, best = INFINITY;
	size_t k = 0;
	int rc = 0;

	*support = 0;
	for (size_t j = 0; j < K; j++) {
		if (!(Q[j] > SUPPORT_MIN)) {
			Q[j] = 0.0;
			continue;
		}
		for (size_t i = 0; i < j; i++)
			if (Q[i] > 0.0 && !memcmp(R->X + i * R->dim, R->X + j * R->dim,
			                          R->dim * sizeof *R->X)) {
				Q[i] += Q[j];
				Q[j] = 0.0;
				break;
			}
		tot += Q[j];
	}
	for (size_t j = 0; j < K; j++) {
		double sc;
		Q[j] /= tot;
		if (!(Q[j] > 0.0))
			continue;
		(*support)++;
		sc = (1.0 - DET_CW) * R->herr[j] + DET_CW * vmax(R->m, R->hgam + j * R->m);
		if (sc < best) {
			best = sc;
			*det = j;
		}
	}
	mx = calloc(1, sizeof *mx);
	if (mx) {
		mx->weight = calloc(*support, sizeof *mx->weight);
		mx->h = calloc(*support, sizeof *mx->h);
	}
	if (!mx || !mx->weight || !mx->h)
		goto oom;
	for (size_t j = 0; j < K; j++) {
		if (!(Q[j] > 0.0))
			continue;
		mx->weight[k] = Q[j];
		if (!(mx->h[k] = model_of(R, R->X + j * R->dim)))
			goto oom;
		mx->k = ++k;
	}
	if (!(out->pred.linear = model_of(R, R->X + *det * R->dim)))
		goto oom;
	out->pred.mixture = mx;
	out->pred.kind = FT_PRED_MIXTURE;
	return 0;
oom:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", R->tag);
	ft_mixture_free(mx);
	return rc;
}

int ft_fit_eg(const struct ft_fit_input *in, struct ft_fit_output *out,
              struct ft_error *err)
{
	return ft_red_eg(in, 1, out, err);
}

int ft_red_eg(const struct ft_fit_input *in, int run_lp, struct ft_fit_output *out,
              struct ft_error *err)
{
	struct red R;
	double eps, ratio, eta0, nu, eta = 0.0, *buf = NULL;
	double *theta, *lam, *lam_sum, *lam_hat, *lam_lp, *lam_best, *gam_t, *scr, *gmix;
	double best_min = INFINITY, best_gap = INFINITY, min_gap_eg = INFINITY;
	double last_gap = INFINITY, gap_lp = INFINITY, e_mix, e_det = 0.0, v_det = 0.0;
	size_t K_best = 0, lp_K = 0, det = 0, n_iter = 0, support = 0;
	long max_iter, last_regret_checked = REGRET_CHECK_START_T;
	int kind, rc, best_lp = 0;

	memset(&R, 0, sizeof R);
	if ((rc = check_common(in, "eg", &kind, &eps, &ratio, err)) != 0)
		return rc;
	max_iter = (long)in->params[3];
	eta0 = in->params[4];
	nu = in->params[5];
	if (max_iter < 1 || !(eta0 > 0.0) || !isfinite(eta0) || !(nu >= 0.0) || !isfinite(nu))
		return ft_error_set(err, FT_EINVAL, "eg: needs max_iter >= 1, eta0 > 0 and "
		                    "nu >= 0");
	if ((rc = red_setup(&R, in, "eg", kind, eps, ratio, err)) != 0)
		return rc;
	if (kind == FT_RED_BGL && (rc = bgl_setup(&R, in, err)) != 0)
		goto done;
	buf = calloc(11 * R.m, sizeof *buf);
	if (!buf) {
		rc = ft_error_set(err, FT_ENOMEM, "eg: out of memory");
		goto done;
	}
	theta = buf;
	lam = buf + R.m;
	lam_sum = buf + 2 * R.m;
	lam_hat = buf + 3 * R.m;
	lam_lp = buf + 4 * R.m;
	lam_best = buf + 5 * R.m;
	gam_t = buf + 6 * R.m;
	gmix = buf + 7 * R.m;
	scr = buf + 8 * R.m;         /* 2 m */

	for (long t = 0; t < max_iter; t++) {
		size_t h, K_eg;
		double gap_eg, cur_gap;
		int cur_lp;

		n_iter = (size_t)t + 1;
		ft_red_lambda_of_theta(R.m, theta, R.B, lam);
		for (size_t k = 0; k < R.m; k++) {
			lam_sum[k] += lam[k];
			lam_hat[k] = lam_sum[k] / (double)(t + 1);
		}
		if ((rc = best_h(&R, lam, &h, err)) != 0)
			goto done;
		if (t == 0) {
			if (nu == 0.0 && R.mo.kind == FT_RED_BGL && R.mo.loss == FT_RED_LOSS_LOG) {
				if ((rc = nu_log(&R, R.X + h * R.dim, &nu)) != 0) {
					rc = ft_error_set(err, rc, "eg: out of memory");
					goto done;
				}
			} else if (nu == 0.0) {
				double e = R.herr[h], n = (double)ft_dist_rows_total(R.n);
				double sd = n > 1 ? sqrt(e * (1.0 - e) * n / (n - 1.0)) : 0.0;
				nu = ACCURACY_MUL * sd / sqrt(n);
			}
			eta = eta0 / R.B;
		}
		R.Qsum[h] += 1.0;
		memcpy(gam_t, R.hgam + h * R.m, R.m * sizeof *gam_t);
		K_eg = R.K;
		for (size_t j = 0; j < K_eg; j++)
			R.Qeg[j] = R.Qsum[j] / (double)(t + 1);
		if ((rc = eval_gap(&R, R.Qeg, K_eg, lam_hat, nu, scr, &gap_eg, err)) != 0)
			goto done;
		min_gap_eg = fmin(min_gap_eg, gap_eg);
		/* the LP step, recomputed when new predictors were found */
		if (run_lp && t > 0 && R.K != lp_K) {
			double val;
			size_t K_lp = R.K;
			if (ft_red_lp(K_lp, R.m, R.herr, R.hgam, R.eps, R.B, R.Qlp, lam_lp, &val)) {
				rc = ft_error_set(err, FT_ENUMERIC, "eg: the linear program over %zu "
				                  "predictors did not solve", K_lp);
				goto done;
			}
			lp_K = K_lp;
			if ((rc = eval_gap(&R, R.Qlp, K_lp, lam_lp, nu, scr, &gap_lp, err)) != 0)
				goto done;
			for (size_t j = K_lp; j < R.cap; j++)
				R.Qlp[j] = 0.0;
		}
		cur_lp = run_lp && t > 0 && !(gap_eg < gap_lp);
		cur_gap = cur_lp ? gap_lp : gap_eg;
		/* Fairlearn keeps the last iteration within PRECISION of the lowest gap */
		if (cur_gap <= best_min + PRECISION) {
			size_t K_cur = cur_lp ? lp_K : K_eg;
			memcpy(R.Qbest, cur_lp ? R.Qlp : R.Qeg, K_cur * sizeof *R.Qbest);
			K_best = K_cur;
			memcpy(lam_best, cur_lp ? lam_lp : lam_hat, R.m * sizeof *lam_best);
			best_gap = cur_gap;
			best_lp = cur_lp;
		}
		best_min = fmin(best_min, cur_gap);
		if (cur_gap < nu && t >= MIN_ITER)
			break;
		if ((double)t >= (double)last_regret_checked * REGRET_CHECK_INCREASE_T) {
			if (min_gap_eg > last_gap * SHRINK_REGRET)
				eta *= SHRINK_ETA;
			last_regret_checked = t;
			last_gap = min_gap_eg;
		}
		for (size_t k = 0; k < R.m; k++)
			theta[k] += eta * (gam_t[k] - R.eps);
	}

	if (K_best == 0) {
		rc = ft_error_set(err, FT_ENUMERIC, "eg: the duality gap is not a number");
		goto done;
	}
	if ((rc = eg_output(&R, K_best, out, &det, &support, err)) != 0)
		goto done;
	e_det = R.herr[det];
	v_det = vmax(R.m, R.hgam + det * R.m);
	mix(&R, R.Qbest, K_best, &e_mix, gmix);
	out->res.solver = R.inner_solver;
	out->res.iterations = (int)n_iter;
	out->res.f = e_mix;
	out->res.grad_norm = R.max_grad;
	out->res.converged = best_gap < nu;
	ft_fit_diag(out, "iterations", (double)n_iter);
	ft_fit_diag(out, "best_responses", (double)R.n_fits);
	ft_fit_diag(out, "predictors", (double)R.K);
	ft_fit_diag(out, "gap", best_gap);
	ft_fit_diag(out, "nu", nu);
	ft_fit_diag(out, "eta", eta);
	ft_fit_diag(out, "B", R.B);
	ft_fit_diag(out, "lp_step", best_lp);
	ft_fit_diag(out, "error", e_mix);
	ft_fit_diag(out, "violation", vmax(R.m, gmix));
	ft_fit_diag(out, "det_error", e_det);
	ft_fit_diag(out, "det_violation", v_det);
	ft_fit_diag(out, "support", (double)support);
	ft_fit_diag(out, "newton_iterations", (double)R.newton_iters);
	diag_lambda(out, &R, lam_best);
done:
	if (rc)
		ft_fit_output_clear(out);
	free(buf);
	red_free(&R);
	return rc;
}

/* ---------------------------------------------------------------- grid */

/* Lexicographic order of integer points (the grid's enumeration order). */
static int lexcmp(const long *a, const long *b, size_t dim)
{
	for (size_t j = 0; j < dim; j++)
		if (a[j] != b[j])
			return a[j] < b[j] ? -1 : 1;
	return 0;
}

/* The index of point v among the k sorted points of ipt, or k. */
static size_t find_point(const long *ipt, size_t k, size_t dim, const long *v)
{
	size_t lo = 0, hi = k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = lexcmp(ipt + mid * dim, v, dim);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return k;
}

/* The axes of the grid (see the top, "the axis rule"): per event e, the
 * group left without a coordinate is the one of least weight in the event
 * (the last such on ties); the others get the coordinates e (G - 1) ..
 * e (G - 1) + G - 2 in index order.  axis[k] = the group of coordinate k. */
void ft_red_grid_axes(const struct ft_moment *mo, size_t *axis)
{
	size_t G = mo->G;

	for (size_t e = 0; e < mo->E; e++) {
		const double *w = mo->Wea + e * G;
		size_t implied = 0, k = e * (G - 1);
		for (size_t a = 1; a < G; a++)
			if (w[a] <= w[implied])
				implied = a;
		for (size_t a = 0; a < G; a++)
			if (a != implied)
				axis[k++] = a;
	}
}

/* The multipliers of grid coordinates c: per event e and coordinate k of
 * that event, group a = axis[k]: lambda_{+,e,a} = max(c_k, 0),
 * lambda_{-,e,a} = max(-c_k, 0). */
static void grid_lambda(const struct ft_moment *mo, const size_t *axis, const double *c,
                        double *lam)
{
	size_t G = mo->G, E = mo->E;

	memset(lam, 0, mo->m * sizeof *lam);
	for (size_t e = 0; e < E; e++)
		for (size_t j = 0; j + 1 < G; j++) {
			size_t k = e * (G - 1) + j, a = axis[k];
			double v = c[k];
			lam[e * G + a] = v > 0.0 ? v : 0.0;
			lam[(E + e) * G + a] = v < 0.0 ? -v : 0.0;
		}
}

static int grid_finish(struct red *R, struct ft_frontier **frp, const double *X,
                       double cw, size_t dim, struct ft_fit_output *out,
                       struct ft_error *err);

/* The nonnegative integer points whose coordinates sum to n in G
 * dimensions, in Fairlearn's enumeration order (accumulate_integer_grid
 * with force_L1_norm: coordinate j from 0 up to what is left, the last one
 * takes the rest), the first cap of them into pts (cap x G); the count. */
static size_t enum_simplex(size_t G, size_t j, long left, long *cur, long *pts, size_t n,
                           size_t cap)
{
	if (j + 1 == G) {
		if (n < cap) {
			cur[j] = left;
			memcpy(pts + n * G, cur, G * sizeof *cur);
		}
		return n + 1;
	}
	for (long v = 0; v <= left && n < cap; v++) {
		cur[j] = v;
		n = enum_simplex(G, j + 1, left - v, cur, pts, n, cap);
	}
	return n;
}

/* Grid search for bounded group loss, Fairlearn's GridSearch with a loss
 * moment: the objective lies in the span of the constraints (lambda = the
 * group shares gives the plain mean loss), so the grid is
 * _GridGenerator's with force_L1_norm: the points lambda >= 0 of L1 norm
 * grid_limit, n_units steps per unit, n_units the smallest (from
 * Fairlearn's start floor(size^(1 / (G - 1)) - 1), at least 1) whose
 * C(n_units + G - 1, G - 1) points reach grid_size, the first grid_size in
 * enumeration order (for two groups: (0, L), (L / n, L - L / n), ...,
 * (L, 0)).  Row i of group a weighs w_i lambda_a W / W_a (mo.span: no
 * objective term); the labels stay.  Each point is warm started from the
 * one before.  The chosen point minimises (1 - cw) err + cw max_a loss_a,
 * Fairlearn's rule (its gammas are the group losses). */
static int grid_bgl(struct red *R, size_t size, double limit, double cw,
                    struct ft_fit_output *out, struct ft_error *err)
{
	size_t G = R->mo.G, n_units, got;
	struct ft_frontier *fr = NULL;
	long *pts = NULL, *cur = NULL;
	double *X = NULL, *par = NULL, start;
	const double *from = R->x0;
	int rc = 0, isc = 0;

	start = floor(pow((double)size, 1.0 / (double)(G - 1)) - 1.0);
	n_units = start >= 1.0 ? (size_t)start : 1;
	for (;;) {
		/* C(n_units + G - 1, G - 1) >= size? */
		double c = 1.0;
		for (size_t k = 1; k < G && c < (double)size; k++)
			c = c * (double)(n_units + k) / (double)k;
		if (c >= (double)size)
			break;
		n_units++;
	}
	fr = calloc(1, sizeof *fr);
	if (fr) {
		fr->lambda = calloc(size * G, sizeof *fr->lambda);
		fr->error = calloc(size, sizeof *fr->error);
		fr->violation = calloc(size, sizeof *fr->violation);
		fr->h = calloc(size, sizeof *fr->h);
	}
	pts = malloc(size * G * sizeof *pts);
	cur = calloc(G, sizeof *cur);
	X = malloc(size * R->dim * sizeof *X);
	par = malloc(G * sizeof *par);
	if (!fr || !fr->lambda || !fr->error || !fr->violation || !fr->h || !pts || !cur ||
	    !X || !par) {
		rc = ft_error_set(err, FT_ENOMEM, "grid: out of memory (%zu points)", size);
		goto done;
	}
	got = enum_simplex(G, 0, (long)n_units, cur, pts, 0, size);
	if (got < size) {
		rc = ft_error_set(err, FT_ENUMERIC, "grid: %zu of %zu grid points", got, size);
		goto done;
	}
	fr->k = size;
	fr->n_lambda = G;
	R->mo.span = 1;
	for (size_t i = 0; i < size; i++) {
		double *lam = fr->lambda + i * G;
		for (size_t a = 0; a < G; a++)
			lam[a] = (double)pts[i * G + a] * limit / (double)n_units;
		if ((rc = fit_one(R, lam, from, X + i * R->dim, &fr->error[i], par, &isc, err)) != 0)
			goto done;
		fr->violation[i] = vmax(G, par);
		if (!isc)
			from = X + i * R->dim;
	}
	rc = grid_finish(R, &fr, X, cw, G - 1, out, err);
done:
	ft_frontier_free(fr);
	free(pts);
	free(cur);
	free(X);
	free(par);
	return rc;
}

/* grid's outputs from the frontier *frp whose points' solutions are X
 * (k x dim): the chosen point (the smallest (1 - cw) err + cw violation,
 * the first on ties), its model, the diagnostics; on success *frp moves
 * into out. */
static int grid_finish(struct red *R, struct ft_frontier **frp, const double *X,
                       double cw, size_t dim, struct ft_fit_output *out,
                       struct ft_error *err)
{
	struct ft_frontier *fr = *frp;
	size_t chosen = 0, size = fr->k;

	for (size_t i = 0; i < size; i++) {
		double a = (1.0 - cw) * fr->error[i] + cw * fr->violation[i];
		double b = (1.0 - cw) * fr->error[chosen] + cw * fr->violation[chosen];
		if (a < b)
			chosen = i;
		if (!(fr->h[i] = model_of(R, X + i * R->dim)))
			return ft_error_set(err, FT_ENOMEM, "grid: out of memory");
	}
	fr->chosen = chosen;
	if (!(out->pred.linear = model_of(R, X + chosen * R->dim)))
		return ft_error_set(err, FT_ENOMEM, "grid: out of memory");
	out->pred.frontier = fr;
	out->pred.kind = FT_PRED_FRONTIER;
	*frp = NULL;
	out->res.solver = R->inner_solver;
	out->res.iterations = (int)size;
	out->res.f = fr->error[chosen];
	out->res.grad_norm = R->max_grad;
	out->res.converged = R->all_converged;
	ft_fit_diag(out, "points", (double)size);
	ft_fit_diag(out, "dimension", (double)dim);
	ft_fit_diag(out, "chosen", (double)chosen);
	ft_fit_diag(out, "error", fr->error[chosen]);
	ft_fit_diag(out, "violation", fr->violation[chosen]);
	ft_fit_diag(out, "violation_over_eps", fr->violation[chosen] - R->eps);
	ft_fit_diag(out, "objective", (1.0 - cw) * fr->error[chosen] +
	            cw * fr->violation[chosen]);
	ft_fit_diag(out, "constant_responses", (double)R->n_const);
	ft_fit_diag(out, "newton_iterations", (double)R->newton_iters);
	diag_lambda(out, R, fr->lambda + chosen * R->m);
	return 0;
}

int ft_fit_grid(const struct ft_fit_input *in, struct ft_fit_output *out,
                struct ft_error *err)
{
	struct red R;
	struct ft_frontier *fr = NULL;
	double eps, ratio, limit, cw, *coef = NULL, *X = NULL, *par = NULL;
	long *ipt = NULL, *v = NULL;
	size_t size, dim, *order = NULL, *axis = NULL;
	int kind, rc, *isc = NULL;

	memset(&R, 0, sizeof R);
	if ((rc = check_common(in, "grid", &kind, &eps, &ratio, err)) != 0)
		return rc;
	size = (size_t)in->params[3];
	limit = in->params[4];
	cw = in->params[5];
	if (in->params[3] < 1 || !(limit > 0.0) || !isfinite(limit) || !(cw >= 0.0 && cw <= 1.0))
		return ft_error_set(err, FT_EINVAL, "grid: needs grid_size >= 1, grid_limit > 0 "
		                    "and constraint_weight in [0, 1]");
	if ((rc = red_setup(&R, in, "grid", kind, eps, ratio, err)) != 0)
		return rc;
	if (kind == FT_RED_BGL) {
		if ((rc = bgl_setup(&R, in, err)) == 0)
			rc = grid_bgl(&R, size, limit, cw, out, err);
		goto done;
	}
	dim = R.mo.E * (R.mo.G - 1);
	if ((rc = ft_red_grid(dim, size, limit, &coef, &ipt, err)) != 0)
		goto done;
	fr = calloc(1, sizeof *fr);
	if (fr) {
		fr->lambda = calloc(size * R.m, sizeof *fr->lambda);
		fr->error = calloc(size, sizeof *fr->error);
		fr->violation = calloc(size, sizeof *fr->violation);
		fr->h = calloc(size, sizeof *fr->h);
	}
	X = malloc(size * R.dim * sizeof *X);
	isc = calloc(size, sizeof *isc);
	order = malloc(size * sizeof *order);
	v = malloc(dim * sizeof *v);
	axis = malloc(dim * sizeof *axis);
	par = malloc(R.m * sizeof *par);
	if (!fr || !fr->lambda || !fr->error || !fr->violation || !fr->h || !X || !isc ||
	    !order || !v || !axis || !par) {
		rc = ft_error_set(err, FT_ENOMEM, "grid: out of memory (%zu points)", size);
		goto done;
	}
	fr->k = size;
	fr->n_lambda = R.m;
	ft_red_grid_axes(&R.mo, axis);
	/* from the origin outward (stable by L1 norm), so that each point's
	 * neighbour one unit closer to the origin is fitted before it */
	{
		size_t k = 0;
		long maxn = 0;
		for (size_t i = 0; i < size; i++)
			if (l1(ipt + i * dim, dim) > maxn)
				maxn = l1(ipt + i * dim, dim);
		for (long nrm = 0; nrm <= maxn; nrm++)
			for (size_t i = 0; i < size; i++)
				if (l1(ipt + i * dim, dim) == nrm)
					order[k++] = i;
	}
	for (size_t q = 0; q < size; q++) {
		size_t i = order[q], pi = size;
		const double *start = R.x0;
		double *lam = fr->lambda + i * R.m;
		/* the neighbour: the last non-zero coordinate one unit toward 0 */
		memcpy(v, ipt + i * dim, dim * sizeof *v);
		for (size_t j = dim; j-- > 0;)
			if (v[j] != 0) {
				v[j] += v[j] > 0 ? -1 : 1;
				pi = find_point(ipt, size, dim, v);
				break;
			}
		if (pi < size && !isc[pi])
			start = X + pi * R.dim;
		grid_lambda(&R.mo, axis, coef + i * dim, lam);
		if ((rc = fit_one(&R, lam, start, X + i * R.dim, &fr->error[i], par, &isc[i],
		                  err)) != 0)
			goto done;
		fr->violation[i] = vmax(R.m, par);
	}
	if ((rc = grid_finish(&R, &fr, X, cw, dim, out, err)) != 0)
		goto done;
done:
	if (rc)
		ft_fit_output_clear(out);
	ft_frontier_free(fr);
	free(coef);
	free(ipt);
	free(X);
	free(isc);
	free(order);
	free(v);
	free(axis);
	free(par);
	red_free(&R);
	return rc;
}

/* ------------------------------------------- the cost-sensitive learner */

struct ft_csc {
	struct red R;             /* its learner part only: no moment */
};

int ft_csc_new(const struct ft_fit_input *in, const char *tag, struct ft_csc **out,
               struct ft_error *err)
{
	struct ft_csc *c;
	int rc;

	*out = NULL;
	if (!in || !in->train || !in->train->y || !in->lr)
		return ft_error_set(err, FT_EINVAL, "%s: incomplete fit input", tag);
	if (!(c = calloc(1, sizeof *c)))
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", tag);
	if ((rc = red_learner(&c->R, in, tag, err)) != 0) {
		ft_csc_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void ft_csc_free(struct ft_csc *c)
{
	if (!c)
		return;
	red_free(&c->R);
	free(c);
}

size_t ft_csc_dim(const struct ft_csc *c)
{
	return c->R.dim;
}

int ft_csc_fit(struct ft_csc *c, const double *s, const double *start, double *x,
               int *is_const, struct ft_error *err)
{
	struct red *R = &c->R;
	int rc, one;

	if ((rc = relabel_signed(R->n, R->Wtot, s, R->ry, R->rw, &one)) != 0)
		return ft_error_set(err, rc, "%s: the cost-sensitive weights overflow", R->tag);
	if ((rc = learner_fit(R, one, start ? start : R->x0, x, is_const, err)) != 0)
		return rc;
	*is_const = one;
	return 0;
}

void ft_csc_stats(const struct ft_csc *c, size_t *fits, long *newton_iters,
                  double *max_grad, int *all_converged, int *solver)
{
	*fits = c->R.n_fits;
	*newton_iters = c->R.newton_iters;
	*max_grad = c->R.max_grad;
	*all_converged = c->R.all_converged;
	*solver = c->R.inner_solver;
}

struct ft_linear_model *ft_csc_model(const struct ft_csc *c, const double *x)
{
	return model_of(&c->R, x);
}
