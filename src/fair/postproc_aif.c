/*
 * postproc_aif.c - two post-processors users know from AIF360, both
 * decision rules on the baseline's score s = sigmoid(x.beta + b) that are
 * written as struct ft_thresholds (fairtrain.h):
 *
 *   P(yhat = 1) = (1 - q) (p 1[s >= t0] + (1 - p) 1[s >= t1]) + q c
 *
 * per group.  Neither refits or changes the model.
 *
 * cal-eo: calibrated equalized odds.  Pleiss, Raghavan, Wu, Kleinberg &
 *   Weinberger, "On Fairness and Calibration", NeurIPS 2017, sec. 4
 *   (Algorithm 1); AIF360's CalibratedEqOddsPostprocessing
 *   (aif360/algorithms/postprocessing/calibrated_eq_odds_postprocessing.py).
 *   Two classes, the privileged group and every other group pooled (AIF360's
 *   unprivileged_groups).  Per class c: base rate mu_c = P(y = 1 | c), the
 *   generalized rates GFPR_c = E[s | y = 0, c], GFNR_c = E[1 - s | y = 1, c]
 *   (weighted), and the cost
 *     fnr       GFNR_c
 *     fpr       GFPR_c
 *     weighted  (GFPR_c (1 - mu_c) + GFNR_c mu_c) / 2
 *   of the classifier and of the trivial one that scores every row mu_c
 *   (GFPR = mu_c, GFNR = 1 - mu_c).  The class with the lower cost mixes in
 *   the trivial classifier with rate
 *     m = (cost_other - cost_own) / (trivial_own - cost_own),
 *   the other keeps m = 0.  AIF360's predict replaces the score of each row
 *   of class c by mu_c with probability m (np.random.random() <= m) and
 *   decides yhat = 1[score >= threshold]; so
 *     P(yhat = 1) = (1 - m) 1[s >= threshold] + m 1[mu_c >= threshold],
 *   which is ft_thresholds with t0 = t1 = threshold, p = 1, q = m and
 *   c = 1[mu_c >= threshold].  A rate outside [0, 1] (the trivial
 *   classifier cannot close the gap, or is no worse than the model) acts
 *   in AIF360 as 1 or 0 (a uniform draw is always or never <= it); it is
 *   clipped so here.
 *   Scores: AIF360 also hands the randomized score (s or mu_c) to its
 *   metrics, so its AUC, log loss and calibration are those of one random
 *   draw.  Here the score stays the model's s (the expected randomized
 *   score (1 - m) s + m mu_c is a within-class affine map of s, so the AUC
 *   within each class is unchanged; the pooled AUC and the calibration
 *   metrics are those of the base model) and only the decision is
 *   randomized, as the rate metrics of every randomized classifier are
 *   expectations over its coin (fairtrain.h, ft_eval_input.pos).
 *
 * reject-option: reject option classification.  Kamiran, Karim & Zhang,
 *   "Decision Theory for Discrimination-Aware Classification", ICDM 2012,
 *   sec. III (ROC); AIF360's RejectOptionClassification
 *   (aif360/algorithms/postprocessing/reject_option_classification.py).
 *   With classification threshold t and margin theta, a row is positive
 *   when s > t, except in the critical region t - theta < s <= t + theta,
 *   where privileged rows are negative and the others positive; so an
 *   unprivileged row is positive iff s > t - theta and a privileged row iff
 *   s > t + theta (for theta >= 0): group thresholds t0 = t1 = the next
 *   double above t -+ theta (s > a  <=>  s >= nextafter(a, +inf)), p = 1,
 *   q = 0.  The search is AIF360's grid: t over np.linspace(low, high,
 *   n_thresh), theta over np.linspace(0, min(t, 1 - t), n_margin); each
 *   point's balanced accuracy 1/2 (TPR + TNR) and fairness metric (of the
 *   unprivileged pool minus the privileged group, weighted):
 *     spd  selection rate difference (AIF360's mean_difference)
 *     aod  average odds difference 1/2 ((FPR_u - FPR_p) + (TPR_u - TPR_p))
 *     eod  equal opportunity difference TPR_u - TPR_p
 *   The first point (grid order) of highest balanced accuracy among those
 *   with lb <= metric <= ub wins; when no point qualifies AIF360 takes the
 *   first point of the smallest metric value (not the smallest |metric|),
 *   and so does this port (diagnostic "feasible" = 0).
 *   Each point is evaluated exactly in O(log n) from cumulative weights of
 *   the rows sorted by score, not by a pass over the rows.
 *
 * Not here: the Hardt et al. thresholds (postproc.c), which cal-eo and
 * reject-option reuse only as the decision-rule structure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "fair/postproc.h"
#include "model/model.h"

static const char *const COST_NAME[] = {"fnr", "fpr", "weighted"};
static const char *const ROC_METRIC_NAME[] = {"spd", "aod", "eod"};

/* The name of group g (or its index) into buf. */
static const char *group_label(const struct ft_fit_input *in, size_t g, char *buf,
                               size_t size)
{
	if (in->group_names && in->group_names[g])
		return in->group_names[g];
	snprintf(buf, size, "%zu", g);
	return buf;
}

static struct ft_thresholds *thresholds_new(size_t G)
{
	struct ft_thresholds *th = calloc(1, sizeof *th);

	if (!th)
		return NULL;
	th->n_groups = G;
	th->t0 = ft_xalloc(G, sizeof *th->t0);
	th->t1 = ft_xalloc(G, sizeof *th->t1);
	th->p = ft_xalloc(G, sizeof *th->p);
	th->q = ft_xalloc(G, sizeof *th->q);
	th->c = ft_xalloc(G, sizeof *th->c);
	if (!th->t0 || !th->t1 || !th->p || !th->q || !th->c) {
		ft_thresholds_free(th);
		return NULL;
	}
	return th;
}

/* Checks shared by both methods: labels, groups, baseline, a privileged
 * group, and rows in both classes. */
static int check_input(const struct ft_fit_input *in, const char *method,
                       struct ft_error *err)
{
	const struct ft_dataset *d = in->train;

	if (!d || !d->y || !d->group || !in->baseline)
		return ft_error_set(err, FT_EINVAL, "%s: needs labels, groups and the "
		                    "baseline model", method);
	if (in->privileged < 0 || (size_t)in->privileged >= in->n_groups)
		return ft_error_set(err, FT_EINVAL, "%s: needs a privileged group (AIF360's "
		                    "privileged_groups; --privileged NAME)", method);
	for (size_t i = 0; i < d->n; i++)
		if (d->group[i] < 0 || (size_t)d->group[i] >= in->n_groups)
			return ft_error_set(err, FT_EDATA, "%s: row %zu has no group", method,
			                    i + 1);
	return 0;
}

/* The baseline's scores on the training rows (*s malloc'ed). */
static int baseline_scores(const struct ft_fit_input *in, double **s, struct ft_error *err)
{
	*s = ft_xalloc(in->train->n, sizeof **s);
	if (!*s)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	return ft_classify(in->baseline, NULL, NULL, in->train, 0.5, *s, NULL, err);
}

/* The fit output of a rule with class values (index 0 the unprivileged
 * pool, 1 the privileged group): t0 = t1 = cut[c], p = 1, q[c], c[c]; the
 * model is a copy of the baseline. */
static int rule_output(const struct ft_fit_input *in, const double cut[2],
                       const double q[2], const double c[2], struct ft_fit_output *out,
                       struct ft_error *err)
{
	struct ft_thresholds *th = thresholds_new(in->n_groups);

	out->pred.linear = ft_linear_model_copy(in->baseline);
	if (!th || !out->pred.linear) {
		ft_thresholds_free(th);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	for (size_t g = 0; g < in->n_groups; g++) {
		int k = (long)g == in->privileged;
		th->t0[g] = th->t1[g] = cut[k];
		th->p[g] = 1.0;
		th->q[g] = q[k];
		th->c[g] = c[k];
	}
	memset(&out->res, 0, sizeof out->res);
	out->res.converged = 1;
	out->res.f = in->baseline_objective;
	out->pred.thresholds = th;
	out->pred.kind = FT_PRED_THRESHOLDS;
	return 0;
}

/* ------------------------------------------------------------- cal-eo */

int ft_caleo_solve(const double *s, const double *y, const double *w,
                   const int32_t *group, size_t n, size_t n_groups, long privileged,
                   int cost, double threshold, struct ft_caleo *out,
                   struct ft_error *err)
{
	/* per class (0 unprivileged pool, 1 privileged): weight of negatives
	 * and positives, sum w s over negatives, sum w (1 - s) over positives */
	double W[2][2] = {{0, 0}, {0, 0}}, gfp[2] = {0, 0}, gfn[2] = {0, 0};

	memset(out, 0, sizeof *out);
	if (cost < FT_CALEO_FNR || cost > FT_CALEO_WEIGHTED)
		return ft_error_set(err, FT_EINVAL, "cal-eo: unknown cost constraint %d", cost);
	if (privileged < 0 || (size_t)privileged >= n_groups)
		return ft_error_set(err, FT_EINVAL, "cal-eo: needs a privileged group");
	if (!(threshold >= 0 && threshold <= 1))
		return ft_error_set(err, FT_EINVAL, "cal-eo: threshold %g is outside [0, 1]",
		                    threshold);
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		int c, yi = y[i] > 0.5;
		if (group[i] < 0 || (size_t)group[i] >= n_groups)
			return ft_error_set(err, FT_EDATA, "cal-eo: row %zu has no group", i + 1);
		if (!(s[i] >= 0 && s[i] <= 1) || !(wi >= 0) || !isfinite(wi))
			return ft_error_set(err, FT_EDATA, "cal-eo: row %zu has a score outside "
			                    "[0, 1] or a bad weight", i + 1);
		c = group[i] == privileged;
		W[c][yi] += wi;
		if (yi)
			gfn[c] += wi * (1.0 - s[i]);
		else
			gfp[c] += wi * s[i];
	}
	for (int c = 0; c < 2; c++) {
		double mu, r_fp, r_fn, t_fp, t_fn;
		if (!(W[c][0] > 0) || !(W[c][1] > 0))
			return ft_error_set(err, FT_EDATA, "cal-eo: the %s has no %s training "
			                    "rows (its generalized %s is undefined)",
			                    c ? "privileged group" : "unprivileged pool",
			                    W[c][0] > 0 ? "positive" : "negative",
			                    W[c][0] > 0 ? "false negative rate" :
			                    "false positive rate");
		mu = W[c][1] / (W[c][0] + W[c][1]);
		r_fp = gfp[c] / W[c][0];
		r_fn = gfn[c] / W[c][1];
		t_fp = mu;               /* the trivial classifier scores mu */
		t_fn = 1.0 - mu;
		out->base_rate[c] = mu;
		out->gfpr[c] = r_fp;
		out->gfnr[c] = r_fn;
		switch (cost) {
		case FT_CALEO_FNR:
			out->cost[c] = r_fn;
			out->trivial_cost[c] = t_fn;
			break;
		case FT_CALEO_FPR:
			out->cost[c] = r_fp;
			out->trivial_cost[c] = t_fp;
			break;
		default:
			/* AIF360's weighted_cost with fp_rate = fn_rate = 1:
			 * norm_const = 2 */
			out->cost[c] = 0.5 * r_fp * (1 - mu) + 0.5 * r_fn * mu;
			out->trivial_cost[c] = 0.5 * t_fp * (1 - mu) + 0.5 * t_fn * mu;
			break;
		}
	}
	/* AIF360: unpriv_costs_more = unpriv_cost > priv_cost; the cheaper
	 * class mixes.  A zero denominator (AIF360: 0/0 = nan, and a draw is
	 * never <= nan) is no mixing. */
	{
		double cu = out->cost[0], cp = out->cost[1], m;
		if (cu > cp) {
			double den = out->trivial_cost[1] - cp;
			m = den != 0 ? (cu - cp) / den : 0.0;
			out->mix_rate[1] = isnan(m) ? 0.0 : fmin(1.0, fmax(0.0, m));
			out->mix_rate[0] = 0.0;
			out->raw_mix_rate[1] = den != 0 ? m : 0.0;
		} else {
			double den = out->trivial_cost[0] - cu;
			m = den != 0 ? (cp - cu) / den : 0.0;
			out->mix_rate[0] = isnan(m) ? 0.0 : fmin(1.0, fmax(0.0, m));
			out->mix_rate[1] = 0.0;
			out->raw_mix_rate[0] = den != 0 ? m : 0.0;
		}
	}
	out->threshold = threshold;
	return 0;
}

int ft_fit_caleo(const struct ft_fit_input *in, struct ft_fit_output *out,
                 struct ft_error *err)
{
	const struct ft_dataset *d = in->train;
	int cost = (int)in->params[0], rc;
	double thr = in->params[1], *s = NULL;
	struct ft_caleo ce;
	char name[FT_DIAG_NAME];
	static const char *const CLS[2] = {"unprivileged", "privileged"};

	if ((rc = check_input(in, "cal-eo", err)) != 0)
		return rc;
	if ((rc = baseline_scores(in, &s, err)) != 0 ||
	    (rc = ft_caleo_solve(s, d->y, d->w, d->group, d->n, in->n_groups,
	                         in->privileged, cost, thr, &ce, err)) != 0)
		goto done;
	{
		double cut[2] = {thr, thr};
		double c[2] = {ce.base_rate[0] >= thr, ce.base_rate[1] >= thr};
		if ((rc = rule_output(in, cut, ce.mix_rate, c, out, err)) != 0)
			goto done;
	}
	for (int k = 0; k < 2; k++) {
		snprintf(name, sizeof name, "base_rate[%s]", CLS[k]);
		ft_fit_diag(out, name, ce.base_rate[k]);
		snprintf(name, sizeof name, "generalized_fpr[%s]", CLS[k]);
		ft_fit_diag(out, name, ce.gfpr[k]);
		snprintf(name, sizeof name, "generalized_fnr[%s]", CLS[k]);
		ft_fit_diag(out, name, ce.gfnr[k]);
		snprintf(name, sizeof name, "%s_cost[%s]", COST_NAME[cost], CLS[k]);
		ft_fit_diag(out, name, ce.cost[k]);
		snprintf(name, sizeof name, "trivial_cost[%s]", CLS[k]);
		ft_fit_diag(out, name, ce.trivial_cost[k]);
		snprintf(name, sizeof name, "mix_rate[%s]", CLS[k]);
		ft_fit_diag(out, name, ce.mix_rate[k]);
	}
	/* the cost after mixing, from the expected randomized score
	 * (1 - m) s + m mu: equal in the two classes when the rate is not
	 * clipped */
	for (int k = 0; k < 2; k++) {
		double m = ce.mix_rate[k], mu = ce.base_rate[k];
		double fp = (1 - m) * ce.gfpr[k] + m * mu, fn = (1 - m) * ce.gfnr[k] + m * (1 - mu);
		double v = cost == FT_CALEO_FNR ? fn : cost == FT_CALEO_FPR ? fp :
			0.5 * fp * (1 - mu) + 0.5 * fn * mu;
		snprintf(name, sizeof name, "%s_cost_after[%s]", COST_NAME[cost], CLS[k]);
		ft_fit_diag(out, name, v);
	}
done:
	if (rc)
		ft_fit_output_clear(out);
	free(s);
	return rc;
}

/* ------------------------------------------------------ reject option */

/* np.linspace(lo, hi, n)[i]: i * step + lo with step = (hi - lo) / (n - 1),
 * the last point exactly hi; n = 1 gives lo. */
double ft_linspace_at(double lo, double hi, size_t n, size_t i)
{
	if (n <= 1)
		return lo;
	if (i == n - 1)
		return hi;
	return (double)i * ((hi - lo) / (double)(n - 1)) + lo;
}

struct roc_row {
	double s, w;
	int y;
};

static int cmp_roc(const void *pa, const void *pb)
{
	const struct roc_row *a = pa, *b = pb;

	return (a->s > b->s) - (a->s < b->s);
}

/* One class's rows sorted by score, and suffix sums: above[k][y] = weight
 * of the rows k .. m-1 with label y. */
struct roc_class {
	size_t m;
	struct roc_row *r;
	double (*above)[2];
};

/* Weight of label-y rows with s > x. */
static double weight_above(const struct roc_class *c, double x, int y)
{
	size_t lo = 0, hi = c->m;

	/* first row with s > x */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->r[mid].s > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return c->above[lo][y];
}

int ft_roc_solve(const double *s, const double *y, const double *w,
                 const int32_t *group, size_t n, size_t n_groups, long privileged,
                 const struct ft_roc_params *p, struct ft_reject_choice *out,
                 struct ft_error *err)
{
	struct roc_class cl[2];
	double P = 0, N = 0, best_ba = -INFINITY, best_m = INFINITY;
	size_t cnt[2] = {0, 0}, best = SIZE_MAX, best_any = SIZE_MAX, k = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	memset(cl, 0, sizeof cl);
	if (p->metric < FT_ROC_SPD || p->metric > FT_ROC_EOD)
		return ft_error_set(err, FT_EINVAL, "reject-option: unknown metric %d", p->metric);
	if (!(p->low >= 0 && p->high <= 1 && p->low < p->high) || p->n_thresh < 1 ||
	    p->n_margin < 1)
		return ft_error_set(err, FT_EINVAL, "reject-option: need 0 <= low < high <= 1 "
		                    "and at least one threshold and margin");
	if (!(p->lb <= p->ub))
		return ft_error_set(err, FT_EINVAL, "reject-option: lb %g exceeds ub %g",
		                    p->lb, p->ub);
	if (privileged < 0 || (size_t)privileged >= n_groups)
		return ft_error_set(err, FT_EINVAL, "reject-option: needs a privileged group");
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		if (group[i] < 0 || (size_t)group[i] >= n_groups)
			return ft_error_set(err, FT_EDATA, "reject-option: row %zu has no group",
			                    i + 1);
		if (isnan(s[i]) || !(wi >= 0) || !isfinite(wi))
			return ft_error_set(err, FT_EDATA, "reject-option: row %zu has a score "
			                    "that is not a number or a bad weight", i + 1);
		cnt[group[i] == privileged]++;
	}
	for (int c = 0; c < 2; c++) {
		cl[c].r = ft_xalloc(cnt[c], sizeof *cl[c].r);
		cl[c].above = ft_xalloc(cnt[c] + 1, sizeof *cl[c].above);
		if (!cl[c].r || !cl[c].above) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct roc_class *c = &cl[group[i] == privileged];
		struct roc_row *r = &c->r[c->m++];
		r->s = s[i];
		r->w = w ? w[i] : 1.0;
		r->y = y[i] > 0.5;
	}
	for (int c = 0; c < 2; c++) {
		size_t m = cl[c].m;
		qsort(cl[c].r, m, sizeof *cl[c].r, cmp_roc);
		cl[c].above[m][0] = cl[c].above[m][1] = 0;
		for (size_t j = m; j-- > 0;) {
			cl[c].above[j][0] = cl[c].above[j + 1][0];
			cl[c].above[j][1] = cl[c].above[j + 1][1];
			cl[c].above[j][cl[c].r[j].y] += cl[c].r[j].w;
		}
		out->W[c][0] = cl[c].above[0][0];
		out->W[c][1] = cl[c].above[0][1];
		P += out->W[c][1];
		N += out->W[c][0];
	}
	if (!(out->W[0][0] + out->W[0][1] > 0) || !(out->W[1][0] + out->W[1][1] > 0)) {
		rc = ft_error_set(err, FT_EDATA, "reject-option: the %s has no training weight",
		                  out->W[0][0] + out->W[0][1] > 0 ? "privileged group" :
		                  "unprivileged pool");
		goto done;
	}
	if (!(P > 0) || !(N > 0)) {
		rc = ft_error_set(err, FT_EDATA, "reject-option: balanced accuracy needs "
		                  "positive and negative training rows");
		goto done;
	}
	for (int c = 0; c < 2; c++)
		if (p->metric != FT_ROC_SPD && (!(out->W[c][1] > 0) ||
		    (p->metric == FT_ROC_AOD && !(out->W[c][0] > 0)))) {
			rc = ft_error_set(err, FT_EDATA, "reject-option: the %s has no %s "
			                  "training rows (metric %s needs its rates)",
			                  c ? "privileged group" : "unprivileged pool",
			                  out->W[c][1] > 0 ? "negative" : "positive",
			                  ROC_METRIC_NAME[p->metric]);
			goto done;
		}
	for (size_t a = 0; a < p->n_thresh; a++) {
		double t = ft_linspace_at(p->low, p->high, p->n_thresh, a);
		double hm = t <= 0.5 ? t : 1.0 - t;
		for (size_t b = 0; b < p->n_margin; b++, k++) {
			double th = ft_linspace_at(0.0, hm, p->n_margin, b);
			double tp[2], fp[2], ba, m, sr[2], tpr[2], fpr[2];
			/* unprivileged: s > t - theta; privileged: s > t + theta */
			double cut[2] = { t - th, t + th };
			for (int c = 0; c < 2; c++) {
				tp[c] = weight_above(&cl[c], cut[c], 1);
				fp[c] = weight_above(&cl[c], cut[c], 0);
				sr[c] = (tp[c] + fp[c]) / (out->W[c][0] + out->W[c][1]);
				tpr[c] = tp[c] / out->W[c][1];
				fpr[c] = fp[c] / out->W[c][0];
			}
			ba = 0.5 * ((tp[0] + tp[1]) / P + (N - fp[0] - fp[1]) / N);
			switch (p->metric) {
			case FT_ROC_SPD: m = sr[0] - sr[1]; break;
			case FT_ROC_AOD: m = 0.5 * ((fpr[0] - fpr[1]) + (tpr[0] - tpr[1])); break;
			default: m = tpr[0] - tpr[1]; break;
			}
			if (m >= p->lb && m <= p->ub && ba > best_ba) {
				best_ba = ba;
				best = k;
				out->threshold = t;
				out->margin = th;
				out->balanced_accuracy = ba;
				out->metric = m;
			}
			if (m < best_m) {
				best_m = m;
				best_any = k;
				if (best == SIZE_MAX) {
					out->threshold = t;
					out->margin = th;
					out->balanced_accuracy = ba;
					out->metric = m;
				}
			}
		}
	}
	out->feasible = best != SIZE_MAX;
	out->index = out->feasible ? best : best_any;
	out->n_points = k;
	/* the decision rule: s > t -+ theta as s >= the next double */
	out->cut[0] = nextafter(out->threshold - out->margin, INFINITY);
	out->cut[1] = nextafter(out->threshold + out->margin, INFINITY);
done:
	for (int c = 0; c < 2; c++) {
		free(cl[c].r);
		free(cl[c].above);
	}
	return rc;
}

void ft_roc_params_init(struct ft_roc_params *p)
{
	memset(p, 0, sizeof *p);
	p->metric = FT_ROC_SPD;
	p->ub = 0.05;
	p->lb = -0.05;
	p->low = 0.01;
	p->high = 0.99;
	p->n_thresh = 100;
	p->n_margin = 50;
}

int ft_fit_reject_option(const struct ft_fit_input *in, struct ft_fit_output *out,
                         struct ft_error *err)
{
	const struct ft_dataset *d = in->train;
	struct ft_roc_params p;
	struct ft_reject_choice roc;
	double *s = NULL, zero[2] = {0, 0};
	char name[FT_DIAG_NAME], nb[32];
	int rc;

	if ((rc = check_input(in, "reject-option", err)) != 0)
		return rc;
	ft_roc_params_init(&p);
	p.metric = (int)in->params[0];
	p.lb = in->params[1];
	p.ub = in->params[2];
	p.low = in->params[3];
	p.high = in->params[4];
	p.n_thresh = (size_t)in->params[5];
	p.n_margin = (size_t)in->params[6];
	if ((rc = baseline_scores(in, &s, err)) != 0 ||
	    (rc = ft_roc_solve(s, d->y, d->w, d->group, d->n, in->n_groups, in->privileged,
	                       &p, &roc, err)) != 0 ||
	    (rc = rule_output(in, roc.cut, zero, zero, out, err)) != 0)
		goto done;
	ft_fit_diag(out, "classification_threshold", roc.threshold);
	ft_fit_diag(out, "roc_margin", roc.margin);
	ft_fit_diag(out, "balanced_accuracy", roc.balanced_accuracy);
	ft_fit_diag(out, ROC_METRIC_NAME[p.metric], roc.metric);
	ft_fit_diag(out, "feasible", roc.feasible);
	ft_fit_diag(out, "grid_points", (double)roc.n_points);
	for (size_t g = 0; g < in->n_groups; g++) {
		snprintf(name, sizeof name, "cut[%s]", group_label(in, g, nb, sizeof nb));
		ft_fit_diag(out, name, out->pred.thresholds->t0[g]);
	}
done:
	if (rc)
		ft_fit_output_clear(out);
	free(s);
	return rc;
}
