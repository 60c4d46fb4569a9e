/*
 * adversarial.c - adversarial debiasing of a logistic predictor: Zhang,
 * Lemoine & Mitchell, "Mitigating Unwanted Biases with Adversarial
 * Learning", AIES 2018 (AIF360's AdversarialDebiasing, Fairlearn's
 * AdversarialFairnessClassifier).
 *
 * The predictor is logistic regression, logit z_i = x_i.beta + b, with the
 * loss of the baseline fit scaled per row (so that at alpha = 0 it aims at
 * the baseline):
 *
 *   LP = (1/m) sum_{i in batch} w_i logloss(y_i, z_i) + ||beta||^2 / (2 C n),
 *
 * an unbiased minibatch estimate of F / (C n), F the objective of logreg.c.
 * The adversary is the paper's (its UCI Adult experiment; AIF360's
 * _adversary_model): s_i = sigmoid((1 + |c|) z_i) and a logistic
 * regression that predicts a_i = 1 for the privileged group
 * (ft_adv_targets) from f_i = (s_i) for demographic parity (it sees only
 * the prediction) or, for equalized odds, from f_i = (s_i, s_i y_i,
 * s_i (1 - y_i), y_i): the paper's three terms plus the label itself, so
 * that the adversary can model how the group depends on the label alone
 * and only information about the group beyond the label is penalised
 * (Fairlearn passes the label to the adversary for the same reason).
 * Without the y_i term the adversary's s y and s (1 - y) terms have to
 * carry the label-group correlation, the predictor is pushed to remove
 * it, and on Adult equalized odds got worse instead of better (training
 * eo difference 0.40 at alpha 1 against 0.076 for the baseline; 0.014
 * with the y_i term at alpha 3).  The adversary is fitted with the weighted
 * mean log loss LA; its parameters th = (c, u, b_a) start at c = 1
 * (AIF360), u = 0 and b_a = the logit of the weighted share of a = 1 (the
 * base rate); the predictor starts at the baseline fit (the warm start of
 * struct ft_fit_input), or at zero without one.
 *
 * One step on a minibatch (both gradients at the same point, as AIF360's
 * graph evaluates them; the predictor's update is the paper's rule):
 *
 *   x  <- x  - eta_t [ gP - (gP . u) u - alpha gA ],  u = gA / (||gA|| + tiny),
 *   th <- th - eta_t gT,
 *
 * gP = dLP/dx, gA = dLA/dx, gT = dLA/dth: the projection removes the part
 * of the predictor's step that would help the adversary, and - alpha gA
 * moves against it.  The projection is taken on the whole vector x =
 * (beta, b), the paper's W; AIF360 and Fairlearn project each parameter
 * tensor separately, which for a scalar intercept removes its prediction
 * gradient entirely.  Plain gradient steps (no Adam) with a decaying
 * learning rate: the paper asks for eta to fall as training goes on
 * (with alpha eta -> 0; Fairlearn's user guide, "Training", repeats the
 * advice) but gives no numbers.  schedule = exp: eta_t = lr 0.96^floor((t
 * - 1) / 1000), AIF360's staircase decay (there on Adam's rate); inv_t:
 * eta_t = lr / t, the Robbins-Monro schedule.  t is the global step from 1.
 * On Adult inv_t decays too fast for the adversary to learn to condition on
 * the label: the eo adversary then acts like the dp one (training eo
 * difference 0.21 at lr 10, alpha 1), so exp is the default.  With
 * fit_intercept = 0 the intercept stays 0.
 *
 * Minibatches: every epoch a Fisher-Yates shuffle of the rows from an
 * ft_rng seeded by `seed`, then floor(n / batch_size) batches (the last
 * partial batch is dropped, as AIF360; with batch_size > n one batch of
 * all rows).  Every sum over a batch runs over its rows in order on one
 * thread, so the fit is the same bits for any number of threads.  The
 * result is the final predictor (not an average of iterates).
 *
 * Diagnostics: steps, epochs, the final learning rate, the predictor's
 * loss LP and the adversary's LA on all training rows, the adversary's
 * accuracy and parameters (c, u, b_a).  res.f = LP, res.iterations = steps,
 * res.converged = 1 (a fixed number of steps; nothing to converge).
 *
 * Not here: hidden layers (the predictor is linear by design), Adam,
 * categorical (multi-class) adversary targets: more than two groups need a
 * privileged group, pooled against the rest.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/inproc.h"
#include "model/model.h"
#include "core/internal.h"

/* log(1 + exp(z)) without overflow */
static double log1pexp(double z)
{
	return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* logloss(t, z) = log(1 + exp(z)) - t z for a label t in {0, 1} */
static double logloss(double t, double z)
{
	return log1pexp(z) - t * z;
}

int ft_adv_targets(const struct ft_fit_input *in, const char *tag, int8_t *a,
                   struct ft_error *err)
{
	const struct ft_dataset *d = in->train;
	long pos = in->privileged;
	size_t n1 = 0, n0 = 0;

	if (!d->group)
		return ft_error_set(err, FT_EDATA, "%s: needs a sensitive attribute", tag);
	if (pos < 0) {
		if (in->n_groups != 2)
			return ft_error_set(err, FT_EDATA, "%s: with %zu groups it needs a privileged "
			                    "group (--privileged), pooled against the rest", tag,
			                    in->n_groups);
		pos = 1;
	}
	for (size_t i = 0; i < d->n; i++) {
		int32_t g = d->group[i];
		a[i] = g < 0 || (size_t)g >= in->n_groups ? -1 : g == pos;
		n1 += a[i] == 1;
		n0 += a[i] == 0;
	}
	if (!n1 || !n0)
		return ft_error_set(err, FT_EDATA, "%s: the %s side of the sensitive attribute has "
		                    "no training rows", tag, n1 ? "unprivileged" : "privileged");
	return 0;
}

void ft_adv_losses(const struct ft_dataset *d, const int8_t *a, int eo, double C,
                   const size_t *idx, size_t m, const double *x, const double *th,
                   double *LP, double *gP, double *LA, double *gA, double *gT)
{
	size_t p = d->p, dim = p + 1, k = eo ? 4 : 1;
	double lp = 0.0, la = 0.0, c = th[0], sc = 1.0 + fabs(c);
	double sgn = c > 0 ? 1.0 : c < 0 ? -1.0 : 0.0, reg = 0.0;
	const double *u = th + 1;
	double ba = th[1 + k], inv = m ? 1.0 / (double)m : 0.0;

	if (gP)
		memset(gP, 0, dim * sizeof *gP);
	if (gA)
		memset(gA, 0, dim * sizeof *gA);
	if (gT)
		memset(gT, 0, (2 + k) * sizeof *gT);
	/* in row order, one thread: the same bits for any thread count */
	for (size_t r = 0; r < m; r++) {
		size_t i = idx ? idx[r] : r;
		double w = d->w ? d->w[i] : 1.0, y = d->y[i];
		double z = ft_row_dot(d, i, x) + x[p], q = ft_sigmoid(z);
		double s, f[4], t, qa, ea, ds, dz;

		lp += w * logloss(y, z);
		if (gP) {
			/* d logloss / dz = q - y */
			ft_row_axpy(d, i, w * (q - y), gP);
			gP[p] += w * (q - y);
		}
		if (a[i] < 0)
			continue;
		s = ft_sigmoid(sc * z);
		f[0] = s;
		f[1] = s * y;
		f[2] = s * (1.0 - y);
		f[3] = y;                          /* eo only (k = 4) */
		t = ba;
		for (size_t j = 0; j < k; j++)
			t += u[j] * f[j];
		la += w * logloss(a[i], t);
		qa = ft_sigmoid(t);
		ea = w * (qa - a[i]);              /* w dlogloss/dt */
		/* dt/ds = u0 (dp) or u0 + u1 y + u2 (1 - y) (eo; f[3] = y does not
		 * depend on s); ds/dz = sc s (1 - s) */
		ds = u[0] + (eo ? u[1] * y + u[2] * (1.0 - y) : 0.0);
		dz = ea * ds * sc * s * (1.0 - s);
		if (gA) {
			ft_row_axpy(d, i, dz, gA);
			gA[p] += dz;
		}
		if (gT) {
			/* ds/dc = sign(c) z s (1 - s) */
			gT[0] += ea * ds * sgn * z * s * (1.0 - s);
			for (size_t j = 0; j < k; j++)
				gT[1 + j] += ea * f[j];
			gT[1 + k] += ea;
		}
	}
	for (size_t j = 0; j < p; j++)
		reg += x[j] * x[j];
	if (LP)
		*LP = lp * inv + reg / (2.0 * C * (double)d->n);
	if (LA)
		*LA = la * inv;
	for (size_t j = 0; gP && j < dim; j++)
		gP[j] = gP[j] * inv + (j < p ? x[j] / (C * (double)d->n) : 0.0);
	for (size_t j = 0; gA && j < dim; j++)
		gA[j] *= inv;
	for (size_t j = 0; gT && j < 2 + k; j++)
		gT[j] *= inv;
}

void ft_adv_direction(size_t dim, const double *gP, const double *gA, double alpha,
                      double *dir)
{
	double nrm = 0.0, pr = 0.0;

	for (size_t j = 0; j < dim; j++)
		nrm += gA[j] * gA[j];
	nrm = sqrt(nrm) + DBL_MIN;   /* np.finfo(float).tiny, as Fairlearn */
	for (size_t j = 0; j < dim; j++)
		pr += gP[j] * (gA[j] / nrm);
	for (size_t j = 0; j < dim; j++)
		dir[j] = gP[j] - pr * (gA[j] / nrm) - alpha * gA[j];
}

int ft_fit_adversarial(const struct ft_fit_input *in, struct ft_fit_output *out,
                       struct ft_error *err)
{
	const struct ft_dataset *d;
	int8_t *a = NULL;
	size_t *perm = NULL, n, p, dim, k, bs, nb, steps = 0, epochs;
	double *x = NULL, *gP = NULL, *gA = NULL, *dir = NULL, th[6], gT[6];
	double alpha, lr, eta = 0.0, LP = 0.0, LA = 0.0, wa = 0.0, w1 = 0.0, acc = 0.0, wacc = 0.0;
	uint64_t seed;
	int eo, inv_t, rc = 0;
	struct ft_rng rng;

	if (!in || !in->train || !in->lr || !in->params || !in->train->y)
		return ft_error_set(err, FT_EINVAL, "adversarial: incomplete fit input");
	d = in->train;
	n = d->n;
	p = d->p;
	dim = p + 1;
	eo = in->params[0] == 1.0;
	alpha = in->params[1];
	epochs = (size_t)in->params[2];
	bs = (size_t)in->params[3];
	lr = in->params[4];
	inv_t = in->params[5] == 1.0;
	seed = (uint64_t)in->params[6];
	k = eo ? 4 : 1;
	if ((in->params[0] != 0.0 && !eo) || !(alpha >= 0.0) || !isfinite(alpha) ||
	    in->params[2] < 1 || in->params[3] < 1 || !(lr > 0.0) || !isfinite(lr) ||
	    (in->params[5] != 0.0 && !inv_t) || !(in->params[6] >= 0.0))
		return ft_error_set(err, FT_EINVAL, "adversarial: needs constraint dp or eo, "
		                    "alpha >= 0, epochs >= 1, batch_size >= 1, lr > 0, schedule exp "
		                    "or inv_t, seed >= 0");
	if (n == 0)
		return ft_error_set(err, FT_EDATA, "adversarial: no training rows");
	if (in->baseline && (in->baseline->p != p || in->baseline->n_groups > 0))
		return ft_error_set(err, FT_EINVAL, "adversarial: the baseline is not a shared "
		                    "model of the data's %zu features", p);
	a = malloc(n * sizeof *a);
	perm = malloc(n * sizeof *perm);
	x = calloc(dim, sizeof *x);
	gP = malloc(dim * sizeof *gP);
	gA = malloc(dim * sizeof *gA);
	dir = malloc(dim * sizeof *dir);
	if (!a || !perm || !x || !gP || !gA || !dir) {
		rc = ft_error_set(err, FT_ENOMEM, "adversarial: out of memory");
		goto done;
	}
	if ((rc = ft_adv_targets(in, "adversarial", a, err)) != 0)
		goto done;
	if (in->baseline) {
		memcpy(x, in->baseline->coef, p * sizeof *x);
		x[p] = in->lr->fit_intercept ? in->baseline->intercept : 0.0;
	}
	/* the adversary starts at the base rate of a = 1 */
	for (size_t i = 0; i < n; i++)
		if (a[i] >= 0) {
			double w = d->w ? d->w[i] : 1.0;
			wa += w;
			w1 += w * a[i];
		}
	if (!(w1 > 0.0 && w1 < wa)) {
		rc = ft_error_set(err, FT_EDATA, "adversarial: one side of the sensitive "
		                  "attribute has no training weight");
		goto done;
	}
	memset(th, 0, sizeof th);
	th[0] = 1.0;
	th[1 + k] = log(w1 / (wa - w1));
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	if (bs > n)
		bs = n;
	nb = n / bs;
	ft_rng_seed(&rng, seed);
	for (size_t ep = 0; ep < epochs; ep++) {
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)ft_rng_below(&rng, i), tmp = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = tmp;
		}
		for (size_t b = 0; b < nb; b++) {
			ft_adv_losses(d, a, eo, in->lr->C, perm + b * bs, bs, x, th, NULL, gP,
			              NULL, gA, gT);
			ft_adv_direction(dim, gP, gA, alpha, dir);
			steps++;
			eta = inv_t ? lr / (double)steps :
			      lr * pow(0.96, floor((double)(steps - 1) / 1000.0));
			for (size_t j = 0; j < p; j++)
				x[j] -= eta * dir[j];
			if (in->lr->fit_intercept)
				x[p] -= eta * dir[p];
			for (size_t j = 0; j < 2 + k; j++)
				th[j] -= eta * gT[j];
		}
	}
	for (size_t j = 0; j < dim; j++)
		if (!isfinite(x[j])) {
			rc = ft_error_set(err, FT_ENUMERIC, "adversarial: coefficient %zu is %g after "
			                  "%zu steps (lower lr)", j, x[j], steps);
			goto done;
		}
	for (size_t j = 0; j < 2 + k; j++)
		if (!isfinite(th[j])) {
			rc = ft_error_set(err, FT_ENUMERIC, "adversarial: the adversary diverged after "
			                  "%zu steps (lower lr)", steps);
			goto done;
		}
	ft_adv_losses(d, a, eo, in->lr->C, NULL, n, x, th, &LP, gP, &LA, NULL, NULL);
	/* the adversary's weighted accuracy on the training rows */
	for (size_t i = 0; i < n; i++) {
		double w = d->w ? d->w[i] : 1.0, z, s, t, y = d->y[i];
		if (a[i] < 0)
			continue;
		z = ft_row_dot(d, i, x) + x[p];
		s = ft_sigmoid((1.0 + fabs(th[0])) * z);
		t = th[1 + k] + th[1] * s;
		if (eo)
			t += th[2] * s * y + th[3] * s * (1.0 - y) + th[4] * y;
		acc += w * ((t >= 0.0) == (a[i] == 1));
		wacc += w;
	}
	out->pred.linear = calloc(1, sizeof *out->pred.linear);
	if (out->pred.linear)
		out->pred.linear->coef = malloc((p ? p : 1) * sizeof *out->pred.linear->coef);
	if (!out->pred.linear || !out->pred.linear->coef) {
		rc = ft_error_set(err, FT_ENOMEM, "adversarial: out of memory");
		goto done;
	}
	out->pred.kind = FT_PRED_LINEAR;
	out->pred.linear->type = FT_MODEL_LOGREG;
	out->pred.linear->p = p;
	memcpy(out->pred.linear->coef, x, p * sizeof *x);
	out->pred.linear->intercept = x[p];
	out->res.solver = FT_SOLVER_AUTO;
	out->res.iterations = (int)(steps < (size_t)2147483647 ? steps : 2147483647);
	out->res.f = LP;
	out->res.grad_norm = 0.0;
	for (size_t j = 0; j < dim; j++)
		out->res.grad_norm += gP[j] * gP[j];
	out->res.grad_norm = sqrt(out->res.grad_norm);   /* of LP alone, all rows */
	out->res.converged = 1;
	ft_fit_diag(out, "steps", (double)steps);
	ft_fit_diag(out, "epochs", (double)epochs);
	ft_fit_diag(out, "lr_final", eta);
	ft_fit_diag(out, "predictor_loss", LP);
	ft_fit_diag(out, "adversary_loss", LA);
	ft_fit_diag(out, "adversary_accuracy", acc / wacc);
	ft_fit_diag(out, "adversary_c", th[0]);
	ft_fit_diag(out, "adversary_u_s", th[1]);
	if (eo) {
		ft_fit_diag(out, "adversary_u_sy", th[2]);
		ft_fit_diag(out, "adversary_u_s1my", th[3]);
		ft_fit_diag(out, "adversary_u_y", th[4]);
	}
	ft_fit_diag(out, "adversary_b", th[1 + k]);
done:
	if (rc)
		ft_fit_output_clear(out);
	free(a);
	free(perm);
	free(x);
	free(gP);
	free(gA);
	free(dir);
	return rc;
}
