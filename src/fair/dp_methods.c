/*
 * dp_methods.c - the differentially private methods of the method table:
 * dp-logreg, dp-reweigh and dp-threshold (dp-eg: dp_reductions.c).
 *
 * Every one takes epsilon (0 = infinity: the non-private method itself,
 * bit for bit), a seed (0: noise from getrandom(2); k > 0: a seeded
 * generator for tests and reproducible experiments, marked "dp_seeded" in
 * the diagnostics and in out->budget->seeded) and reports its spending in
 * out->budget (struct ft_budget) and in the diagnostics dp_epsilon,
 * dp_delta (the totals spent), dp_seeded.  C = 0 takes the run's --C.
 *
 * Neighbouring data sets differ in one row (replace-one); n is public.
 * The encoder's statistics are NOT private here: `train` standardizes with
 * the training data's means and sds, and takes the category lists and
 * groups from the data; see README "Differential privacy" and
 * ft_dp_encoder_bounds.
 *
 * dp-logreg: ft_dplr_fit (dp_logreg.c), the whole epsilon on the
 *   coefficients.
 * dp-reweigh (Kamiran & Calders 2012, privately): the (group, label)
 *   counts are released by the geometric mechanism with share x epsilon.
 *   Sensitivity: replacing one row moves one unit from one cell to another
 *   (two cells change by 1): L1 sensitivity 2.  The noisy counts are
 *   clamped at 1 (so every weight is positive and finite), the weights
 *   w(g, y) = N_g N_y / (N N_gy) computed from them (post-processing), and
 *   dp-logreg is fitted with the rest, (1 - share) x epsilon, with the
 *   largest weight as its public weight bound.  Total: epsilon (sequential
 *   composition).
 * dp-threshold (Jagielski et al., ICML 2019, sec. 3: the private version
 *   of Hardt et al.'s post-processing): the base model is dp-logreg with
 *   (1 - share) x epsilon; its scores are cut into `bins` public bins of
 *   equal width on [0, 1], and per group the counts of positives and
 *   negatives in each bin (a histogram of 2 x bins x G cells, L1
 *   sensitivity 2) are released by the geometric mechanism with share x
 *   epsilon.  Clamped at 0, their cumulative sums from the top bin down are
 *   each group's ROC points (TP_k, FP_k at the bin edges), which the exact
 *   solver of src/fair/postproc.c turns into group thresholds (post-
 *   processing: no further privacy cost).  Jagielski et al. noise the
 *   counts of a binary base classifier (one threshold); the bins here give
 *   the solver a whole noisy ROC curve.  A group whose noisy counts leave
 *   it without positives (or negatives, as the constraint needs) gets one
 *   pseudo-count in the lowest bin.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/dp.h"
#include "fair/fair.h"
#include "fair/postproc.h"
#include "core/dp.h"
#include "model/model.h"

int ft_dp_output_budget(struct ft_fit_output *out, const struct ft_budget *b,
                        struct ft_error *err)
{
	double e, d;

	free(out->budget);
	out->budget = malloc(sizeof *out->budget);
	if (!out->budget)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	*out->budget = *b;
	ft_budget_spent(b, -1, &e, &d);
	ft_fit_diag(out, "dp_epsilon", e);
	ft_fit_diag(out, "dp_delta", d);
	ft_fit_diag(out, "dp_seeded", b->seeded);
	return 0;
}

/* The budget of a method run: (epsilon, delta), infinity for epsilon 0. */
static int method_budget(struct ft_budget *b, double eps, double delta, const char *tag,
                         struct ft_error *err)
{
	if (ft_budget_init(b, eps > 0.0 ? eps : INFINITY, delta, err))
		return ft_error_set(err, FT_EINVAL, "%s: bad epsilon or delta", tag);
	return 0;
}

static void dplr_from(struct ft_dplr_params *p, const struct ft_fit_input *in,
                      double eps, double delta, int mech, double row_norm, double C)
{
	ft_dplr_params_init(p);
	p->epsilon = eps;
	p->delta = delta;
	p->mechanism = mech;
	p->row_norm = row_norm;
	p->C = C > 0.0 ? C : in->lr->C;
	p->fit_intercept = in->lr->fit_intercept;
	p->solver = in->lr->solver;
}

/* The counts these methods release are counts of rows: a weight column
 * would need a public bound.  dp-logreg alone takes weights in [0, 1]. */
static int unit_weights(const struct ft_dataset *d, const char *tag, struct ft_error *err)
{
	for (size_t i = 0; d->w && i < d->n; i++)
		if (d->w[i] != 1.0)
			return ft_error_set(err, FT_EDATA, "%s: row %zu has weight %g; this private "
			                    "method takes no weight column", tag, i + 1, d->w[i]);
	return 0;
}

/* ----------------------------------------------------------- dp-logreg */

/* params: epsilon, delta, mechanism, row_norm, C, seed */
int ft_fit_dp_logreg(const struct ft_fit_input *in, struct ft_fit_output *out,
                     struct ft_error *err)
{
	const double *P = in->params;
	struct ft_dplr_params p;
	struct ft_noise ns;
	struct ft_budget bud;
	int rc;

	if (!in->train || !in->lr || !P)
		return ft_error_set(err, FT_EINVAL, "dp-logreg: incomplete fit input");
	dplr_from(&p, in, P[0], P[1], (int)P[2], P[3], P[4]);
	ft_noise_init(&ns, (uint64_t)P[5]);
	if ((rc = method_budget(&bud, p.epsilon, p.delta, "dp-logreg", err)) != 0)
		return rc;
	if ((rc = ft_dplr_fit(in->train, &p, &ns, &bud, FT_DP_TRAINING, &out->pred.linear,
	                      &out->res, err)) != 0)
		goto done;
	bud.seeded = ns.seeded && p.epsilon > 0.0;
	rc = ft_dp_output_budget(out, &bud, err);
done:
	if (rc)
		ft_fit_output_clear(out);
	return rc;
}

/* ---------------------------------------------------------- dp-reweigh */

int ft_dp_group_label_counts(const struct ft_dataset *d, size_t G, double eps,
                             double floor_, struct ft_noise *ns, double *noisy,
                             double *exact, struct ft_error *err)
{
	int64_t *c = calloc(G * 2 + 1, sizeof *c);
	int rc = 0;

	if (!c)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (!d->y || !d->group) {
		free(c);
		return ft_error_set(err, FT_EINVAL, "needs labels and groups");
	}
	for (size_t i = 0; i < d->n; i++) {
		int32_t g = d->group[i];
		if (g >= 0 && (size_t)g < G)
			c[(size_t)g * 2 + (d->y[i] > 0.5)]++;
	}
	for (size_t k = 0; k < G * 2; k++) {
		int64_t o;
		if (exact)
			exact[k] = (double)c[k];
		/* L1 sensitivity 2: a replaced row leaves one cell for another */
		if ((rc = ft_dp_geometric(ns, c[k], 2, eps, &o, err)) != 0)
			break;
		noisy[k] = fmax((double)o, floor_);
	}
	memset(c, 0, (G * 2 + 1) * sizeof *c);
	free(c);
	return rc;
}

/* params: epsilon, delta, mechanism, row_norm, share, C, seed */
int ft_fit_dp_reweigh(const struct ft_fit_input *in, struct ft_fit_output *out,
                      struct ft_error *err)
{
	const double *P = in->params;
	const struct ft_dataset *d = in->train;
	size_t G = in->n_groups;
	struct ft_dplr_params p;
	struct ft_dataset view;
	struct ft_noise ns;
	struct ft_budget bud;
	double eps, share, *cnt = NULL, *w = NULL, tot = 0.0, ny[2] = {0, 0}, wmax = 0.0;
	char name[FT_DIAG_NAME];
	int rc;

	if (!d || !in->lr || !P || !d->y || !d->group)
		return ft_error_set(err, FT_EINVAL, "dp-reweigh: needs labels and groups");
	eps = P[0];
	share = P[4];
	dplr_from(&p, in, eps, P[1], (int)P[2], P[3], P[5]);
	if (eps == 0.0) {
		/* infinity: reweighing itself */
		struct ft_logreg_params lp = *in->lr;
		struct ft_fit_input fi = *in;
		lp.C = p.C;
		fi.lr = &lp;
		return ft_fit_reweigh(&fi, out, err);
	}
	if (!(share > 0.0 && share < 1.0))
		return ft_error_set(err, FT_EINVAL, "dp-reweigh: share must be in (0, 1)");
	if ((rc = unit_weights(d, "dp-reweigh", err)) != 0)
		return rc;
	ft_noise_init(&ns, (uint64_t)P[6]);
	if ((rc = method_budget(&bud, eps, p.delta, "dp-reweigh", err)) != 0)
		return rc;
	cnt = calloc(G * 2 + 1, sizeof *cnt);
	w = malloc((d->n ? d->n : 1) * sizeof *w);
	if (!cnt || !w) {
		rc = ft_error_set(err, FT_ENOMEM, "dp-reweigh: out of memory");
		goto done;
	}
	/* check the second stage's parameters before any noise is drawn */
	p.epsilon = (1.0 - share) * eps;
	{
		struct ft_dplr_calib cal;
		if ((rc = ft_dplr_calibrate(&p, d->n, d->p, &cal, err)) != 0)
			goto done;
	}
	if ((rc = ft_budget_spend(&bud, FT_DP_TRAINING, "geometric", "(group, label) counts",
	                          share * eps, 0.0, err)) != 0)
		goto done;
	if ((rc = ft_dp_group_label_counts(d, G, share * eps, 1.0, &ns, cnt, NULL, err)) != 0)
		goto done;
	for (size_t g = 0; g < G; g++)
		for (int y = 0; y < 2; y++) {
			ny[y] += cnt[g * 2 + (size_t)y];
			tot += cnt[g * 2 + (size_t)y];
		}
	/* w(g, y) = N_g N_y / (N N_gy) from the noisy counts (K&C eq. 1) */
	for (size_t g = 0; g < G; g++) {
		double ng = cnt[g * 2] + cnt[g * 2 + 1];
		for (int y = 0; y < 2; y++) {
			double v = ng * ny[y] / (tot * cnt[g * 2 + (size_t)y]);
			cnt[g * 2 + (size_t)y] = v;     /* now the weight table */
			wmax = fmax(wmax, v);
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		int32_t g = d->group[i];
		w[i] = g >= 0 && (size_t)g < G ? cnt[(size_t)g * 2 + (d->y[i] > 0.5)] : 1.0;
	}
	view = *d;
	view.w = w;
	p.weight_max = fmax(wmax, 1.0);
	if ((rc = ft_dplr_fit(&view, &p, &ns, &bud, FT_DP_TRAINING, &out->pred.linear, &out->res,
	                      err)) != 0)
		goto done;
	bud.seeded = ns.seeded;
	if ((rc = ft_dp_output_budget(out, &bud, err)) != 0)
		goto done;
	ft_fit_diag(out, "counts_epsilon", share * eps);
	ft_fit_diag(out, "model_epsilon", p.epsilon);
	for (size_t g = 0; g < G; g++)
		for (int y = 0; y < 2; y++) {
			snprintf(name, sizeof name, "weight[%s,%d]",
			         in->group_names ? in->group_names[g] : "?", y);
			ft_fit_diag(out, name, cnt[g * 2 + (size_t)y]);
		}
done:
	if (rc)
		ft_fit_output_clear(out);
	free(cnt);
	free(w);
	return rc;
}

/* -------------------------------------------------------- dp-threshold */

/* The bin of score s among `bins` equal bins of [0, 1], decided by the
 * same comparisons s >= b / bins that the thresholds make at predict time. */
static size_t score_bin(double s, size_t bins)
{
	double f = floor(s * (double)bins);
	size_t b = f < 0 ? 0 : f >= (double)bins ? bins - 1 : (size_t)f;

	while (b + 1 < bins && s >= (double)(b + 1) / (double)bins)
		b++;
	while (b > 0 && s < (double)b / (double)bins)
		b--;
	return b;
}

void ft_dp_score_histogram(const struct ft_dataset *d, const double *s, size_t G,
                           size_t bins, int64_t *cnt)
{
	memset(cnt, 0, G * 2 * bins * sizeof *cnt);
	for (size_t i = 0; i < d->n; i++) {
		int32_t g = d->group[i];
		if (g >= 0 && (size_t)g < G)
			cnt[((size_t)g * 2 + (d->y[i] > 0.5)) * bins + score_bin(s[i], bins)]++;
	}
}

/* params: epsilon, constraint, objective, row_norm, share, bins, C, seed */
int ft_fit_dp_threshold(const struct ft_fit_input *in, struct ft_fit_output *out,
                        struct ft_error *err)
{
	const double *P = in->params;
	const struct ft_dataset *d = in->train;
	size_t G = in->n_groups, bins, n;
	struct ft_dplr_params p;
	struct ft_noise ns;
	struct ft_budget bud;
	struct ft_roc *roc = NULL;
	double eps, share, *s = NULL, *pts = NULL;
	int64_t *cnt = NULL;
	int constraint, objective, rc;

	if (!d || !in->lr || !P || !d->y || !d->group)
		return ft_error_set(err, FT_EINVAL, "dp-threshold: needs labels and groups");
	eps = P[0];
	constraint = (int)P[1];
	objective = (int)P[2];
	share = P[4];
	bins = (size_t)P[5];
	n = d->n;
	if (eps == 0.0) {
		/* infinity: the non-private post-processing of the baseline */
		struct ft_fit_input fi = *in;
		double tp[2] = {P[1], P[2]};
		fi.params = tp;
		return ft_fit_threshold(&fi, out, err);
	}
	if (!(share > 0.0 && share < 1.0) || bins < 2)
		return ft_error_set(err, FT_EINVAL, "dp-threshold: needs share in (0, 1) and "
		                    "bins >= 2");
	if ((rc = unit_weights(d, "dp-threshold", err)) != 0)
		return rc;
	dplr_from(&p, in, (1.0 - share) * eps, 0.0, FT_DP_OBJECTIVE, P[3], P[6]);
	ft_noise_init(&ns, (uint64_t)P[7]);
	if ((rc = method_budget(&bud, eps, 0.0, "dp-threshold", err)) != 0)
		return rc;
	s = malloc((n ? n : 1) * sizeof *s);
	cnt = calloc(G * 2 * bins, sizeof *cnt);
	pts = malloc(G * 3 * (bins + 1) * sizeof *pts);
	roc = calloc(G, sizeof *roc);
	if (!s || !cnt || !pts || !roc) {
		rc = ft_error_set(err, FT_ENOMEM, "dp-threshold: out of memory");
		goto done;
	}
	/* the base model, private */
	if ((rc = ft_dplr_fit(d, &p, &ns, &bud, FT_DP_TRAINING, &out->pred.linear, &out->res,
	                      err)) != 0)
		goto done;
	if ((rc = ft_budget_spend(&bud, FT_DP_POSTPROC, "geometric", "per-group score "
	                          "histograms", share * eps, 0.0, err)) != 0)
		goto done;
	if ((rc = ft_classify(out->pred.linear, NULL, NULL, d, 0.5, s, NULL, err)) != 0)
		goto done;
	ft_dp_score_histogram(d, s, G, bins, cnt);
	for (size_t k = 0; k < G * 2 * bins; k++) {
		int64_t o;
		/* L1 sensitivity 2: a replaced row leaves one (group, label, bin)
		 * cell for another */
		if ((rc = ft_dp_geometric(&ns, cnt[k], 2, share * eps, &o, err)) != 0)
			goto done;
		cnt[k] = o > 0 ? o : 0;
	}
	for (size_t g = 0; g < G; g++) {
		int64_t *neg = cnt + g * 2 * bins, *pos = neg + bins;
		double *tp = pts + g * 3 * (bins + 1), *fp = tp + bins + 1, *thr = fp + bins + 1;
		int64_t sp = 0, sn = 0;
		for (size_t b = 0; b < bins; b++) {
			sp += pos[b];
			sn += neg[b];
		}
		/* a pseudo-count where the noise left a group without positives or
		 * negatives (post-processing; see the top) */
		if (sp == 0)
			pos[0] = 1;
		if (sn == 0)
			neg[0] = 1;
		/* point k selects the top k bins: s >= (bins - k) / bins */
		tp[0] = fp[0] = 0.0;
		thr[0] = INFINITY;
		for (size_t k = 1; k <= bins; k++) {
			size_t b = bins - k;
			tp[k] = tp[k - 1] + (double)pos[b];
			fp[k] = fp[k - 1] + (double)neg[b];
			thr[k] = k == bins ? -INFINITY : (double)b / (double)bins;
		}
		roc[g].m = bins;
		roc[g].tp = tp;
		roc[g].fp = fp;
		roc[g].thr = thr;
	}
	if ((rc = ft_threshold_solve_roc(roc, G, in->group_names, constraint, objective,
	                                 &out->pred.thresholds, NULL, err)) != 0)
		goto done;
	out->pred.kind = FT_PRED_THRESHOLDS;
	bud.seeded = ns.seeded;
	if ((rc = ft_dp_output_budget(out, &bud, err)) != 0)
		goto done;
	ft_fit_diag(out, "model_epsilon", p.epsilon);
	ft_fit_diag(out, "counts_epsilon", share * eps);
	ft_fit_diag(out, "bins", (double)bins);
done:
	if (rc)
		ft_fit_output_clear(out);
	if (cnt)
		memset(cnt, 0, G * 2 * bins * sizeof *cnt);
	free(cnt);
	free(s);
	free(pts);
	free(roc);
	return rc;
}
