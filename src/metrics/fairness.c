/*
 * fairness.c - fairness summaries (ft_fairness_summaries): one number per
 * (metric, convention) out of per-group rates, with percentile bootstrap
 * intervals from bootstrap.c.
 *
 * Conventions (formulas in src/metrics/METRICS.md):
 *   between_groups  max over groups - min over groups; ratio min / max
 *                   (Fairlearn, method='between_groups')
 *   to_overall      max over groups |group - overall|; ratio min over groups
 *                   of min(g / o, o / g) (Fairlearn, method='to_overall')
 *   unprivileged_minus_privileged
 *                   metric(other groups pooled) - metric(privileged); ratio
 *                   unpriv / priv (AIF360's ClassificationMetric)
 *   individual      GE(2), Theil and their between-group parts over rows
 *                   with benefit b = yhat - y + 1 (AIF360)
 * Randomized classifiers (in->pos set): every rate is the expected rate of
 * metrics.c (expected confusion cells), and a summary is that function of
 * the expected rates (the gap of expectations, as the constraints of
 * Agarwal et al. 2018 are written), not the expectation of a gap.  GE(2)
 * and Theil use the EXPECTED benefit b_i = pos_i - y_i + 1 of each row, a
 * number in [0, 2]: the index of the benefits the classifier gives in
 * expectation, not the expected index over its coin flips (which would
 * count the coin's own variance as inequality between individuals).  The
 * cells give sum w E[B^2] and sum w E[B ln B]; the exact GE(2) and Theil of
 * b subtract the per-row variance and Jensen gaps kept in struct ft_conf
 * (bvar, bjen).  The between-group parts need only each stratum's mean
 * benefit, which is linear in pos, so the cells suffice there.
 * The groups compared are those with at least one row in the input; a group
 * named in group_names but absent from the rows is skipped (Fairlearn never
 * sees it).  When any value a summary needs is undefined, the summary is
 * undefined and its reason names the metric and the group.
 *
 * Reasons that name groups are built here, so the table owns them: they live
 * in one buffer freed by ft_summary_table_free.
 *
 * Not here: the resampling itself (bootstrap.c), per-group tables
 * (metrics.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "metrics/metrics.h"

const char *ft_fairness_name(int f)
{
	static const char *const names[FT_N_FAIRNESS] = {
		"demographic_parity_difference",
		"demographic_parity_ratio",
		"equal_opportunity_difference",
		"equalized_odds_difference",
		"equalized_odds_difference_mean",
		"average_odds_difference",
		"error_rate_difference",
		"predictive_parity_difference",
		"auc_difference",
		"generalized_entropy_index",
		"theil_index",
		"between_group_generalized_entropy_index",
		"between_group_theil_index",
	};
	return f >= 0 && f < FT_N_FAIRNESS ? names[f] : "unknown";
}

const char *ft_convention_name(int c)
{
	static const char *const names[FT_N_CONV] = {
		"between_groups", "to_overall", "unprivileged_minus_privileged", "individual",
	};
	return c >= 0 && c < FT_N_CONV ? names[c] : "unknown";
}

/* ------------------------------------------------------------ slots */

size_t ft_fair_slots(long priv, int *metric, int *conv)
{
	size_t n = 0;

	for (int f = 0; f < FT_N_FAIRNESS; f++) {
		for (int c = 0; c < FT_N_CONV; c++) {
			int group_metric = f <= FT_F_AUC_GAP;

			if (group_metric ? c == FT_CONV_INDIVIDUAL : c != FT_CONV_INDIVIDUAL)
				continue;
			if (c == FT_CONV_SIGNED && priv < 0)
				continue;
			metric[n] = f;
			conv[n] = c;
			n++;
		}
	}
	return n;
}

/* ----------------------------------------------------------- values */

static struct ft_fval defined(double v)
{
	struct ft_fval r;

	memset(&r, 0, sizeof r);
	r.v = v;
	return r;
}

static struct ft_fval undefined(int code, int base, int rate, long who)
{
	struct ft_fval r;

	memset(&r, 0, sizeof r);
	r.v = NAN;
	r.why.code = (uint8_t)code;
	r.why.base = (uint8_t)base;
	r.why.rate = (uint8_t)rate;
	r.why.who = (int32_t)who;
	return r;
}

static int is_undef(const struct ft_fval *v)
{
	return v->why.code != FT_FW_OK;
}

/* Rate r of target t. */
static struct ft_fval rate_of(const struct ft_fstats *st, int r, size_t t)
{
	const struct ft_conf *c = &st->conf[t];
	int is_group = t < st->G, why = 0;
	double v = NAN;

	switch (r) {
	case FT_R_SEL: v = ft_conf_rate(c, FT_M_SELECTION_RATE, is_group, &why); break;
	case FT_R_TPR: v = ft_conf_rate(c, FT_M_TPR, is_group, &why); break;
	case FT_R_FPR: v = ft_conf_rate(c, FT_M_FPR, is_group, &why); break;
	case FT_R_ERR: v = ft_conf_error(c, is_group, &why); break;
	case FT_R_PPV: v = ft_conf_rate(c, FT_M_PPV, is_group, &why); break;
	case FT_R_AUC:
		why = ft_conf_auc_why(c, is_group);
		v = why ? NAN : st->auc[t];
		break;
	}
	return why ? undefined(FT_FW_RATE, why, r, (long)t) : defined(v);
}

static double total_rows(const struct ft_conf *c)
{
	return c->c[0] + c->c[1] + c->c[2] + c->c[3];
}

/* The gap (ratio = 0) or ratio (ratio = 1) of rate r under convention conv. */
static struct ft_fval gap(const struct ft_fstats *st, int r, int conv, int ratio)
{
	size_t G = st->G, n_present = 0;
	struct ft_fval x, o, p, u;
	double lo = INFINITY, hi = -INFINITY, best;

	for (size_t g = 0; g < G; g++)
		n_present += st->present[g] != 0;
	switch (conv) {
	case FT_CONV_BETWEEN:
		if (n_present < 2)
			return undefined(FT_FW_FEW_GROUPS, 0, r, 0);
		for (size_t g = 0; g < G; g++) {
			if (!st->present[g])
				continue;
			x = rate_of(st, r, g);
			if (is_undef(&x))
				return x;
			lo = fmin(lo, x.v);
			hi = fmax(hi, x.v);
		}
		if (!ratio)
			return defined(hi - lo);
		if (hi == 0)
			return undefined(FT_FW_RATIO_ZERO, 0, r, FT_WHO_ALL);
		return defined(lo / hi);
	case FT_CONV_TO_OVERALL:
		if (n_present < 1)
			return undefined(FT_FW_NO_GROUPS, 0, r, 0);
		o = rate_of(st, r, FT_T_OVERALL(G));
		if (is_undef(&o))
			return o;
		if (ratio && o.v == 0)
			return undefined(FT_FW_RATIO_ZERO, 0, r, (long)FT_T_OVERALL(G));
		best = ratio ? INFINITY : 0;
		for (size_t g = 0; g < G; g++) {
			if (!st->present[g])
				continue;
			x = rate_of(st, r, g);
			if (is_undef(&x))
				return x;
			if (!ratio)
				best = fmax(best, fabs(x.v - o.v));
			else
				best = fmin(best, x.v == 0 ? 0 : fmin(x.v / o.v, o.v / x.v));
		}
		return defined(best);
	case FT_CONV_SIGNED:
		if (st->priv < 0 || !st->present[st->priv])
			return undefined(FT_FW_PRIV_EMPTY, 0, r, st->priv);
		if (total_rows(&st->conf[FT_T_POOL(G)]) == 0)
			return undefined(FT_FW_POOL_EMPTY, 0, r, (long)FT_T_POOL(G));
		p = rate_of(st, r, (size_t)st->priv);
		if (is_undef(&p))
			return p;
		u = rate_of(st, r, FT_T_POOL(G));
		if (is_undef(&u))
			return u;
		if (!ratio)
			return defined(u.v - p.v);
		if (p.v == 0)
			return undefined(FT_FW_RATIO_ZERO, 0, r, st->priv);
		return defined(u.v / p.v);
	}
	return undefined(FT_FW_NO_GROUPS, 0, r, 0);
}

/* Equalized-odds family from the TPR gap a and the FPR gap b. */
static struct ft_fval odds(const struct ft_fstats *st, int f, int conv)
{
	struct ft_fval a = gap(st, FT_R_TPR, conv, 0), b;
	int sgn = conv == FT_CONV_SIGNED;

	if (is_undef(&a))
		return a;
	b = gap(st, FT_R_FPR, conv, 0);
	if (is_undef(&b))
		return b;
	switch (f) {
	case FT_F_EO_DIFF:
		/* worst case; under the signed convention the larger magnitude */
		return defined(sgn ? fmax(fabs(a.v), fabs(b.v)) : fmax(a.v, b.v));
	case FT_F_EO_DIFF_MEAN:
		/* signed: AIF360's average_abs_odds_difference */
		return defined(sgn ? (fabs(a.v) + fabs(b.v)) / 2 : (a.v + b.v) / 2);
	default:
		/* AOD = ((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2 */
		return defined((a.v + b.v) / 2);
	}
}

/* Benefit b = yhat - y + 1 of each cell: TN 1, FP 2, FN 0, TP 1. */
static const double benefit[4] = { 1, 2, 0, 1 };

/* x ln x with 0 ln 0 = 0 */
static double xlogx(double x)
{
	return x > 0 ? x * log(x) : 0;
}

/* GE(2), Theil and their between-group parts, weighted by w / sum w.
 *   GE(2)   = 1/2 sum_i (w_i/W) [(b_i/mu)^2 - 1]
 *   Theil   = sum_i (w_i/W) (b_i/mu) ln(b_i/mu)
 * Between-group: b_i replaced by the weighted mean benefit of its stratum
 * (the groups, and the rows without a group as one more). */
static struct ft_fval inequality(const struct ft_fstats *st, int f)
{
	const struct ft_conf *all = &st->conf[FT_T_OVERALL(st->G)];
	double W = 0, B = 0, mu, acc = 0;

	for (int k = 0; k < 4; k++) {
		W += all->w[k];
		B += all->w[k] * benefit[k];
	}
	if (total_rows(all) == 0)
		return undefined(FT_FW_NO_ROWS, FT_WHY_NO_ROWS, 0, (long)FT_T_OVERALL(st->G));
	if (!(W > 0))
		return undefined(FT_FW_NO_ROWS, FT_WHY_ZERO_WEIGHT, 0, (long)FT_T_OVERALL(st->G));
	mu = B / W;
	if (mu == 0)
		return undefined(FT_FW_MEAN_ZERO, 0, 0, 0);
	if (f == FT_F_GEI || f == FT_F_THEIL) {
		for (int k = 0; k < 4; k++) {
			double x = benefit[k] / mu;
			acc += all->w[k] / W * (f == FT_F_GEI ? (x * x - 1) / 2 : xlogx(x));
		}
		/* expected benefits b = E[B] (randomized rows only; 0 otherwise):
		 *   sum w b^2 = sum w E[B^2] - sum w Var B, so GE(2) drops by
		 *   bvar / (2 W mu^2);
		 *   Theil = sum w b ln b / (W mu) - ln mu, and the cells hold
		 *   sum w E[B ln B], so Theil moves by bjen / (W mu) */
		if (f == FT_F_GEI && all->bvar != 0)
			acc -= all->bvar / (2 * W * mu * mu);
		if (f == FT_F_THEIL && all->bjen != 0)
			acc += all->bjen / (W * mu);
		return defined(acc);
	}
	for (size_t s = 0; s <= st->G; s++) {
		const struct ft_conf *c = &st->conf[s];
		double Ws = 0, Bs = 0, x;

		for (int k = 0; k < 4; k++) {
			Ws += c->w[k];
			Bs += c->w[k] * benefit[k];
		}
		if (!(Ws > 0))
			continue;
		x = Bs / Ws / mu;
		acc += Ws / W * (f == FT_F_GEI_BETWEEN ? (x * x - 1) / 2 : xlogx(x));
	}
	return defined(acc);
}

void ft_fair_eval(const struct ft_fstats *st, size_t n_slots, const int *metric,
                  const int *conv, struct ft_fval *out)
{
	for (size_t i = 0; i < n_slots; i++) {
		int f = metric[i], c = conv[i];

		switch (f) {
		case FT_F_DP_DIFF: out[i] = gap(st, FT_R_SEL, c, 0); break;
		case FT_F_DP_RATIO: out[i] = gap(st, FT_R_SEL, c, 1); break;
		case FT_F_EOP_DIFF: out[i] = gap(st, FT_R_TPR, c, 0); break;
		case FT_F_EO_DIFF:
		case FT_F_EO_DIFF_MEAN:
		case FT_F_AOD: out[i] = odds(st, f, c); break;
		case FT_F_ERR_DIFF: out[i] = gap(st, FT_R_ERR, c, 0); break;
		case FT_F_PP_DIFF: out[i] = gap(st, FT_R_PPV, c, 0); break;
		case FT_F_AUC_GAP: out[i] = gap(st, FT_R_AUC, c, 0); break;
		default: out[i] = inequality(st, f); break;
		}
	}
}

/* ---------------------------------------------------------- reasons */

static const char *rate_name(int r)
{
	static const char *const names[FT_N_RATES] = {
		"selection_rate", "tpr", "fpr", "error_rate", "ppv", "auc",
	};
	return r >= 0 && r < FT_N_RATES ? names[r] : "metric";
}

static void group_name(const struct ft_eval_input *in, long g, char *buf, size_t len)
{
	if (in->group_names && in->group_names[g])
		snprintf(buf, len, "%s", in->group_names[g]);
	else
		snprintf(buf, len, "#%ld", g);
}

void ft_fwhy_text(const struct ft_fwhy *w, const struct ft_eval_input *in,
                  char *buf, size_t len)
{
	long G = (long)in->n_groups, who = w->who;
	char name[200], where[256];

	if (who >= 0 && who < G)
		group_name(in, who, name, sizeof name);
	else
		name[0] = '\0';
	if (who >= 0 && who < G)
		snprintf(where, sizeof where, "for group '%s'", name);
	else if (who == G)
		snprintf(where, sizeof where, "for the rows without a group");
	else if (who == (long)FT_T_OVERALL((size_t)G))
		snprintf(where, sizeof where, "overall");
	else
		snprintf(where, sizeof where, "for the unprivileged groups");
	switch (w->code) {
	case FT_FW_RATE:
		snprintf(buf, len, "%s undefined %s: %s", rate_name(w->rate), where,
		         ft_why_text(w->base));
		break;
	case FT_FW_FEW_GROUPS:
		snprintf(buf, len, "fewer than two groups with rows");
		break;
	case FT_FW_NO_GROUPS:
		snprintf(buf, len, "no groups with rows");
		break;
	case FT_FW_PRIV_EMPTY:
		snprintf(buf, len, "privileged group '%s' has no rows", name);
		break;
	case FT_FW_POOL_EMPTY:
		snprintf(buf, len, "no rows outside the privileged group");
		break;
	case FT_FW_RATIO_ZERO:
		if (who == FT_WHO_ALL)
			snprintf(buf, len, "%s is 0 in every group", rate_name(w->rate));
		else if (who == (long)FT_T_OVERALL((size_t)G))
			snprintf(buf, len, "%s is 0 overall", rate_name(w->rate));
		else
			snprintf(buf, len, "%s is 0 for privileged group '%s'",
			         rate_name(w->rate), name);
		break;
	case FT_FW_MEAN_ZERO:
		snprintf(buf, len, "mean benefit is 0 (every row is a false negative)");
		break;
	case FT_FW_NO_ROWS:
		snprintf(buf, len, "%s", ft_why_text(w->base));
		break;
	default:
		snprintf(buf, len, "undefined");
		break;
	}
}

/* -------------------------------------------------------- the table */

/* The public table and the text of its reasons, freed together. */
struct summary_owner {
	struct ft_summary_table t;   /* first: ft_summary_table_free casts back */
	char *text;
};

/* The q-quantile's place among m > 0 sorted values: i = floor(h), h = (m -
 * 1) q, and *t = h - i, the weight of value i + 1 (both quantile functions
 * take it from here, so they read the same order statistics). */
static size_t quantile_at(size_t m, double q, double *t)
{
	double h = (double)(m - 1) * q, f = floor(h);

	*t = h - f;
	return (size_t)f;
}

double ft_quantile_sorted(const double *x, size_t m, double q)
{
	double t;
	size_t i;

	if (m == 0)
		return NAN;
	i = quantile_at(m, q, &t);
	if (i + 1 >= m)
		return x[m - 1];
	return x[i] + t * (x[i + 1] - x[i]);
}

/* Put the k-th smallest of x[0 .. m) (k < m, no NaN) at x[k], the smaller
 * ones before it and the larger after (Hoare's FIND, in Wirth's form: the
 * middle item as the pivot, both scans stopping at items equal to it, so
 * ties split evenly). */
static void select_kth(double *x, size_t m, size_t k)
{
	size_t l = 0, r = m - 1;

	while (l < r) {
		double piv = x[k];
		size_t i = l, j = r;

		do {
			while (x[i] < piv)
				i++;
			while (piv < x[j])
				j--;
			if (i <= j) {
				double t = x[i];
				x[i] = x[j];
				x[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		} while (i <= j);
		if (j < k)
			l = i;
		if (k < i)
			r = j;
	}
}

double ft_quantile_select(double *x, size_t m, double q)
{
	double t, lo, hi;
	size_t i;

	if (m == 0)
		return NAN;
	i = quantile_at(m, q, &t);
	if (i + 1 >= m) {
		hi = x[0];
		for (size_t k = 1; k < m; k++)
			hi = x[k] > hi ? x[k] : hi;
		return hi;
	}
	select_kth(x, m, i);
	lo = x[i];
	hi = x[i + 1];
	for (size_t k = i + 2; k < m; k++)
		hi = x[k] < hi ? x[k] : hi;
	return lo + t * (hi - lo);
}

#define WHY_LEN 400
static const char no_boot_why[] = "no bootstrap requested";

/* Interval of one slot from its n_boot replicates; why text into buf when
 * undefined (returns 1). */
static int interval(const struct ft_fval *rep, size_t n_boot, double level,
                    double *tmp, const struct ft_eval_input *in, double *lo,
                    double *hi, char *buf)
{
	size_t m = 0, first = n_boot;

	for (size_t b = 0; b < n_boot; b++) {
		if (is_undef(&rep[b])) {
			if (first == n_boot)
				first = b;
		} else {
			tmp[m++] = rep[b].v;
		}
	}
	/* more than half undefined: no interval */
	if (2 * (n_boot - m) > n_boot) {
		char why[WHY_LEN - 100];

		ft_fwhy_text(&rep[first].why, in, why, sizeof why);
		snprintf(buf, WHY_LEN, "undefined in %zu of %zu resamples (first: %s)",
		         n_boot - m, n_boot, why);
		return 1;
	}
	/* two order statistics each: selected, not sorted (a sort of every
	 * slot's 1,000 values was a tenth of the summaries' time) */
	*lo = ft_quantile_select(tmp, m, (1 - level) / 2);
	*hi = ft_quantile_select(tmp, m, (1 + level) / 2);
	return 0;
}

int ft_fairness_summaries_swept(const struct ft_eval_input *in, const struct ft_swept *sw,
                                size_t n_bootstrap, uint64_t seed, double level,
                                struct ft_summary_table **out, struct ft_error *err)
{
	const double *num = sw->num, *pos = sw->pos, *neg = sw->neg;
	int metric[FT_N_FAIRNESS * FT_N_CONV], conv[FT_N_FAIRNESS * FT_N_CONV];
	struct ft_fval point[FT_N_FAIRNESS * FT_N_CONV];
	struct summary_owner *own = NULL;
	struct ft_conf *conf = NULL;
	struct ft_fstats st;
	struct ft_boot *bt = NULL;
	struct ft_fval *rep = NULL;
	double *auc = NULL, *tmp = NULL;
	uint8_t *present = NULL;
	char (*why)[WHY_LEN] = NULL;
	size_t G, T, n_slots, text_len = 0;
	int rc;

	if (!out)
		return ft_error_set(err, FT_EINVAL, "fairness: no output");
	if (n_bootstrap > 0 && !(level > 0 && level < 1))
		return ft_error_set(err, FT_EINVAL, "fairness: level = %g is not in (0, 1)", level);
	G = in->n_groups;
	T = FT_N_TARGETS(G);
	rc = FT_ENOMEM;
	conf = calloc(T, sizeof *conf);
	auc = malloc(T * sizeof *auc);
	present = calloc(G + 1, 1);
	n_slots = ft_fair_slots(in->privileged, metric, conv);
	why = calloc(3 * n_slots, sizeof *why);
	own = calloc(1, sizeof *own);
	if (!conf || !auc || !present || !why || !own)
		goto done;
	own->t.s = calloc(n_slots, sizeof *own->t.s);
	if (!own->t.s)
		goto done;

	/* point estimates: cells of every stratum, exact AUC of every target */
	if ((rc = ft_strata_conf(in, conf)) != 0)
		goto done;
	ft_targets_from_strata(conf, G, in->privileged);
	for (size_t g = 0; g < G; g++)
		present[g] = total_rows(&conf[g]) > 0;
	for (size_t t = 0; t < T; t++)
		auc[t] = pos[t] > 0 && neg[t] > 0 ? num[t] / (pos[t] * neg[t]) : NAN;
	st.G = G;
	st.priv = in->privileged;
	st.present = present;
	st.conf = conf;
	st.auc = auc;
	ft_fair_eval(&st, n_slots, metric, conv, point);

	/* intervals */
	if (n_bootstrap > 0) {
		rc = FT_ENOMEM;
		rep = malloc(n_slots * n_bootstrap * sizeof *rep);
		tmp = malloc(n_bootstrap * sizeof *tmp);
		if (!rep || !tmp)
			goto done;
		if (!sw->boot &&
		    (rc = ft_boot_build_sorted(in, &sw->view, FT_BOOT_BINS, &bt)) != 0)
			goto done;
		rc = ft_boot_run(sw->boot ? sw->boot : bt, present, n_slots, metric, conv,
		                 n_bootstrap, seed, rep);
		if (rc)
			goto done;
	}
	for (size_t i = 0; i < n_slots; i++) {
		struct ft_summary *s = &own->t.s[i];

		s->metric = metric[i];
		s->convention = conv[i];
		s->v.value = point[i].v;
		if (is_undef(&point[i]))
			ft_fwhy_text(&point[i].why, in, why[3 * i], WHY_LEN);
		s->lo.value = s->hi.value = NAN;
		if (n_bootstrap > 0 &&
		    interval(rep + i * n_bootstrap, n_bootstrap, level, tmp, in,
		             &s->lo.value, &s->hi.value, why[3 * i + 1])) {
			s->lo.value = s->hi.value = NAN;
			memcpy(why[3 * i + 2], why[3 * i + 1], WHY_LEN);
		}
		for (int k = 0; k < 3; k++)
			if (why[3 * i + k][0])
				text_len += strlen(why[3 * i + k]) + 1;
	}
	/* the reasons, in one buffer the table owns */
	own->text = malloc(text_len ? text_len : 1);
	if (!own->text)
		goto done;
	{
		char *p = own->text;

		for (size_t i = 0; i < n_slots; i++) {
			struct ft_summary *s = &own->t.s[i];
			struct ft_value *v[3] = { &s->v, &s->lo, &s->hi };

			for (int k = 0; k < 3; k++) {
				const char *w = why[3 * i + k];

				if (w[0]) {
					size_t l = strlen(w) + 1;
					memcpy(p, w, l);
					v[k]->why = p;
					v[k]->value = NAN;
					p += l;
				} else if (k > 0 && n_bootstrap == 0) {
					v[k]->why = no_boot_why;
				} else {
					v[k]->why = NULL;
				}
			}
		}
	}
	own->t.n = n_slots;
	own->t.n_bootstrap = n_bootstrap;
	own->t.level = level;
	own->t.seed = seed;
	*out = &own->t;
	own = NULL;
	rc = 0;
done:
	if (rc == FT_ENOMEM)
		ft_error_set(err, rc, "fairness: out of memory for %zu rows, %zu resamples",
		             in->n, n_bootstrap);
	if (own) {
		free(own->t.s);
		free(own->text);
		free(own);
	}
	ft_boot_free(bt);
	free(conf);
	free(auc);
	free(present);
	free(why);
	free(rep);
	free(tmp);
	return rc;
}

int ft_fairness_summaries(const struct ft_eval_input *in, size_t n_bootstrap,
                          uint64_t seed, double level,
                          struct ft_summary_table **out, struct ft_error *err)
{
	struct ft_swept sw;
	int rc;

	if (out)
		*out = NULL;
	rc = ft_eval_check(in, err);
	if (rc)
		return rc;
	if ((rc = ft_eval_sweep(in, 1, &sw)) != 0)
		return ft_error_set(err, rc, "fairness: out of memory for %zu rows, %zu resamples",
		                    in->n, n_bootstrap);
	rc = ft_fairness_summaries_swept(in, &sw, n_bootstrap, seed, level, out, err);
	ft_swept_free(&sw);
	return rc;
}

void ft_summary_table_free(struct ft_summary_table *t)
{
	struct summary_owner *own = (struct summary_owner *)t;

	if (!t)
		return;
	free(own->t.s);
	free(own->text);
	free(own);
}
