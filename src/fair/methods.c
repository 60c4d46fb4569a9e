/*
 * methods.c - the method table: every mitigation method fairtrain knows,
 * its stage, parameters (defaults, ranges, help) and fit function.  `train
 * --method`, `train --help` and the model file read this table, so adding a
 * method is one row here and one fit function.
 *
 * Also here: the unmitigated fit and reweighing (Kamiran & Calders, "Data
 * preprocessing techniques for classification without discrimination",
 * KAIS 33(1), 2012, section 4.2).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fair/fair.h"
#include "fair/postproc.h"
#include "fair/reductions.h"
#include "fair/inproc.h"

static const struct ft_param_def P_NONE[1] = {{NULL, 0, 0, 0, 0, NULL, NULL}};
static const struct ft_param_def P_PREJUDICE[] = {
	{"eta", 1.0, 0.0, 1e6, 0, "weight of the prejudice index (paper's eta)", NULL},
	{"per_group", 1.0, 0.0, 1.0, 1, "1: one weight vector per group (the paper's "
	 "model; predict needs the sensitive column), 0: shared weights", NULL},
};
static const struct ft_param_def P_LAMBDA[] = {
	{"lambda", 1.0, 0.0, 1e9, 0, "penalty weight, relative to the mean log loss", NULL},
};
static const struct ft_param_def P_COV_FAIR[] = {
	{"c", 0.0, 0.0, 1e9, 0, "bound on |decision-boundary covariance| per group", NULL},
};
static const struct ft_param_def P_COV_ACC[] = {
	{"gamma", 0.1, 1e-6, 1e9, 0, "allowed relative loss increase over the baseline "
	 "(> 0: at 0 the baseline is the only feasible model)", NULL},
};
static const struct ft_param_def P_MISTREAT[] = {
	{"c", 0.0, 0.0, 1e9, 0, "bound on |covariance| of group and misclassification distance", NULL},
	{"fpr", 1.0, 0.0, 1.0, 1, "1: constrain on negatives (false positive rates)", NULL},
	{"fnr", 1.0, 0.0, 1.0, 1, "1: constrain on positives (false negative rates)", NULL},
};
static const struct ft_param_def P_THRESHOLD[] = {
	{"constraint", 0, 0, 3, 1, "rates made equal across groups: selection rate (dp), "
	 "TPR and FPR (eo), TPR (tpr), FPR (fpr)", "dp|eo|tpr|fpr"},
	{"objective", 0, 0, 1, 1, "training objective maximised", "accuracy|balanced_accuracy"},
};
/* bounded group loss (constraint bgl) in eg and grid */
#define BGL_PARAMS \
	{"loss", 0, 0, 1, 1, "bgl: the loss bounded in every group and minimised overall", \
	 "log|zero_one"}, \
	{"upper_bound", 0.5, 1e-9, 1e9, 0, "bgl: the bound on every group's mean loss", NULL}
static const struct ft_param_def P_EG[] = {
	{"constraint", 0, 0, 5, 1, "moment: demographic parity, equalized odds, TPR, FPR, "
	 "error-rate parity or bounded group loss", "dp|eo|tpr|fpr|erp|bgl"},
	{"eps", 0.01, 1e-6, 1.0, 0, "allowed violation of each group-vs-overall constraint "
	 "(multipliers bounded by 1/eps)", NULL},
	{"ratio", 0.0, 0.0, 1.0, 0, "0: difference bound; r in (0, 1]: ratio bound "
	 "r M_group - M_all <= eps and r M_all - M_group <= eps", NULL},
	{"max_iter", 50, 1, 10000, 1, "maximum exponentiated-gradient iterations", NULL},
	{"eta0", 2.0, 1e-9, 1e6, 0, "initial learning rate, as a multiple of eps "
	 "(eta = eta0 / B)", NULL},
	{"nu", 0.0, 0.0, 1e6, 0, "duality-gap tolerance; 0: 0.5 std(|h0 - y|) / sqrt(n) "
	 "as Fairlearn", NULL},
	BGL_PARAMS,
};
static const struct ft_param_def P_GRID[] = {
	{"constraint", 0, 0, 5, 1, "moment: demographic parity, equalized odds, TPR, FPR, "
	 "error-rate parity or bounded group loss", "dp|eo|tpr|fpr|erp|bgl"},
	{"eps", 0.01, 1e-6, 1.0, 0, "constraint bound, reported against (violation_over_eps)",
	 NULL},
	{"ratio", 0.0, 0.0, 1.0, 0, "0: difference bound; r in (0, 1]: ratio bound", NULL},
	{"grid_size", 10, 1, 100000, 1, "number of multiplier vectors (grid points)", NULL},
	{"grid_limit", 2.0, 1e-9, 1e9, 0, "largest multiplier: the grid spans "
	 "[-grid_limit, grid_limit] per free coordinate", NULL},
	{"constraint_weight", 0.5, 0.0, 1.0, 0, "choice rule: minimise (1 - w) error + "
	 "w max violation", NULL},
	BGL_PARAMS,
};

static const struct ft_param_def P_ADVERSARIAL[] = {
	{"constraint", 0, 0, 1, 1, "what the adversary sees: the predictor's logit (dp, "
	 "demographic parity) or the logit and the label (eo, equalized odds)", "dp|eo"},
	{"alpha", 0.1, 0.0, 1e6, 0, "weight of the adversary's gradient in the predictor's "
	 "update (AIF360's adversary_loss_weight)", NULL},
	{"epochs", 50, 1, 100000, 1, "passes over the training rows", NULL},
	{"batch_size", 128, 1, 1e9, 1, "rows per minibatch", NULL},
	{"lr", 0.1, 1e-9, 1e6, 0, "learning rate of the first step", NULL},
	{"schedule", 0, 0, 1, 1, "learning-rate decay: lr 0.96^floor((t - 1) / 1000) at "
	 "step t (exp, AIF360's), or lr / t (inv_t)", "exp|inv_t"},
	{"seed", 1, 0, 9007199254740992.0, 1, "seed of the minibatch shuffles", NULL},
};

static const struct ft_param_def P_GERRYFAIR[] = {
	{"rate", 0, 0, 1, 1, "the rate whose disparity is bounded over rich subgroups: "
	 "false positives (fp) or false negatives (fn)", "fp|fn"},
	{"gamma", 0.01, 1e-9, 1.0, 0, "bound on every subgroup's size x rate disparity", NULL},
	{"C", 10, 1e-9, 1e9, 0, "the Auditor's multiplier (L1 bound of the dual; AIF360's C)",
	 NULL},
	{"max_iter", 50, 1, 100000, 1, "rounds of fictitious play", NULL},
};

static const struct ft_param_def P_META[] = {
	{"type", 0, 0, 1, 1, "the fairness ratio bounded below by tau: statistical rate "
	 "(sr, selection rates) or false discovery rate (fdr)", "sr|fdr"},
	{"tau", 0.8, 1e-3, 1.0, 0, "fairness target (AIF360's tau): the ratio must reach "
	 "tau - 0.2 on the training data", NULL},
	{"seed", 1, 0, 9007199254740992.0, 1, "seed of the 20 points drawn per candidate",
	 NULL},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct ft_method METHODS[] = {
	{"logreg", FT_STAGE_IN, "unmitigated weighted L2 logistic regression (the baseline)",
	 0, P_NONE, 0, ft_fit_logreg},
	{"reweigh", FT_STAGE_PRE, "reweighing, w(g,y) = P(g)P(y)/P(g,y) (Kamiran & Calders 2012)",
	 0, P_NONE, 1, ft_fit_reweigh},
	{"prejudice", FT_STAGE_IN, "prejudice remover regularizer (Kamishima et al. 2012)",
	 N(P_PREJUDICE), P_PREJUDICE, 1, ft_fit_prejudice},
	{"reg-dp", FT_STAGE_IN, "squared gap in mean predicted probability (demographic parity)",
	 N(P_LAMBDA), P_LAMBDA, 1, ft_fit_reg_dp},
	{"reg-eo", FT_STAGE_IN, "squared gaps in soft TPR and soft FPR (equalized odds)",
	 N(P_LAMBDA), P_LAMBDA, 1, ft_fit_reg_eo},
	{"reg-eop", FT_STAGE_IN, "squared gap in soft TPR (equal opportunity)",
	 N(P_LAMBDA), P_LAMBDA, 1, ft_fit_reg_eop},
	{"reg-cov", FT_STAGE_IN, "squared decision-boundary covariance with group membership",
	 N(P_LAMBDA), P_LAMBDA, 1, ft_fit_reg_cov},
	{"cov-fair", FT_STAGE_IN, "min loss s.t. |boundary covariance| <= c (Zafar et al. 2017)",
	 N(P_COV_FAIR), P_COV_FAIR, 1, ft_fit_cov_fair},
	{"cov-acc", FT_STAGE_IN, "min covariance s.t. loss <= (1+gamma) baseline loss (Zafar et al. 2017)",
	 N(P_COV_ACC), P_COV_ACC, 1, ft_fit_cov_acc},
	{"mistreat", FT_STAGE_IN, "disparate mistreatment constraints on FPR/FNR (Zafar et al. WWW 2017)",
	 N(P_MISTREAT), P_MISTREAT, 1, ft_fit_mistreat},
	{"eg", FT_STAGE_IN, "exponentiated gradient reduction, randomized (Agarwal et al. 2018)",
	 N(P_EG), P_EG, 1, ft_fit_eg},
	{"grid", FT_STAGE_IN, "grid search reduction over Lagrange multipliers (Agarwal et al. 2018)",
	 N(P_GRID), P_GRID, 1, ft_fit_grid},
	{"adversarial", FT_STAGE_IN, "adversarial debiasing of a logistic predictor "
	 "(Zhang et al. 2018)", N(P_ADVERSARIAL), P_ADVERSARIAL, 1, ft_fit_adversarial},
	{"gerryfair", FT_STAGE_IN, "rich-subgroup fairness by fictitious play, randomized "
	 "(Kearns et al. 2018)", N(P_GERRYFAIR), P_GERRYFAIR, 1, ft_fit_gerryfair},
	{"meta", FT_STAGE_IN, "meta-fair classifier, one linear rule per group (Celis et al. "
	 "2019); predict needs the sensitive column", N(P_META), P_META, 1, ft_fit_meta},
	{"threshold", FT_STAGE_POST, "group-specific randomized thresholds on the baseline's "
	 "score (Hardt et al. 2016)", N(P_THRESHOLD), P_THRESHOLD, 1, ft_fit_threshold},
};

const struct ft_method *ft_method_list(size_t *n)
{
	*n = N(METHODS);
	return METHODS;
}

const struct ft_method *ft_method_find(const char *name)
{
	for (size_t i = 0; i < N(METHODS); i++)
		if (!strcmp(METHODS[i].name, name))
			return &METHODS[i];
	return NULL;
}

const char *ft_stage_name(int stage)
{
	switch (stage) {
	case FT_STAGE_PRE: return "pre";
	case FT_STAGE_IN: return "in";
	case FT_STAGE_POST: return "post";
	default: return "unknown";
	}
}

void ft_fit_diag(struct ft_fit_output *out, const char *name, double value)
{
	if (out->n_diag >= FT_MAX_DIAG)
		return;
	snprintf(out->diag_name[out->n_diag], FT_DIAG_NAME, "%s", name);
	out->diag[out->n_diag++] = value;
}

const char *ft_param_choice(const struct ft_param_def *p, double index)
{
	/* names are cut from p->choices into a small ring of thread-local
	 * buffers, so a caller may hold a few at once without freeing */
	static _Thread_local char buf[8][32];
	static _Thread_local int next;
	const char *s, *bar;
	long want = (long)index;

	if (!p || !p->choices || index != floor(index) || want < 0)
		return NULL;
	s = p->choices;
	for (long i = 0; i < want; i++) {
		s = strchr(s, '|');
		if (!s)
			return NULL;
		s++;
	}
	bar = strchr(s, '|');
	{
		size_t len = bar ? (size_t)(bar - s) : strlen(s);
		char *b = buf[next];
		next = (next + 1) % 8;
		if (len >= sizeof buf[0])
			len = sizeof buf[0] - 1;
		memcpy(b, s, len);
		b[len] = '\0';
		return b;
	}
}

/* The index of choice `v` of parameter k of m, or an error listing them. */
static int choice_value(const struct ft_method *m, size_t k, const char *v, double *out,
                        struct ft_error *err)
{
	const struct ft_param_def *p = &m->params[k];
	const char *c;

	for (long i = 0; (c = ft_param_choice(p, (double)i)) != NULL; i++)
		if (!strcmp(c, v)) {
			if ((double)i < p->lo || (double)i > p->hi)
				break;
			*out = (double)i;
			return 0;
		}
	return ft_error_set(err, FT_EINVAL, "method %s: %s takes one of %s, not '%s'",
	                    m->name, p->name, p->choices, v);
}

int ft_method_parse(const char *spec, const struct ft_method **m,
                    double params[FT_MAX_PARAMS], struct ft_error *err)
{
	char name[64], *copy = NULL, *tok, *save = NULL;
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	int rc = 0, seen[FT_MAX_PARAMS] = {0};

	*m = NULL;
	if (len == 0 || len >= sizeof name)
		return ft_error_set(err, FT_EINVAL, "method '%s': no method name", spec);
	memcpy(name, spec, len);
	name[len] = '\0';
	*m = ft_method_find(name);
	if (!*m) {
		char list[512] = "";
		for (size_t i = 0; i < N(METHODS); i++) {
			strncat(list, METHODS[i].name, sizeof list - strlen(list) - 1);
			if (i + 1 < N(METHODS))
				strncat(list, ", ", sizeof list - strlen(list) - 1);
		}
		return ft_error_set(err, FT_EINVAL, "unknown method '%s' (methods: %s)", name, list);
	}
	for (size_t k = 0; k < (*m)->n_params; k++)
		params[k] = (*m)->params[k].def;
	if (!colon || !colon[1])
		return colon ? ft_error_set(err, FT_EINVAL, "method '%s': nothing after ':'", spec) : 0;
	copy = malloc(strlen(colon + 1) + 1);
	if (!copy)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	strcpy(copy, colon + 1);
	for (tok = strtok_r(copy, ",:", &save); tok; tok = strtok_r(NULL, ",:", &save)) {
		char *eq = strchr(tok, '='), *end;
		size_t k;
		double v;
		if (!eq) {
			/* a bare choice: the first choice parameter, first token only */
			for (k = 0; k < (*m)->n_params && !(*m)->params[k].choices; k++)
				;
			if (tok != copy || k == (*m)->n_params) {
				rc = ft_error_set(err, FT_EINVAL, "method %s: '%s' is not NAME=VALUE",
				                  name, tok);
				goto done;
			}
			seen[k]++;
			if (choice_value(*m, k, tok, &params[k], err)) {
				rc = FT_EINVAL;
				goto done;
			}
			continue;
		}
		*eq = '\0';
		for (k = 0; k < (*m)->n_params; k++)
			if (!strcmp((*m)->params[k].name, tok))
				break;
		if (k == (*m)->n_params) {
			char list[256] = "";
			for (size_t j = 0; j < (*m)->n_params; j++) {
				strncat(list, (*m)->params[j].name, sizeof list - strlen(list) - 1);
				if (j + 1 < (*m)->n_params)
					strncat(list, ", ", sizeof list - strlen(list) - 1);
			}
			rc = ft_error_set(err, FT_EINVAL, "method %s has no parameter '%s' (%s)",
			                  name, tok, (*m)->n_params ? list : "it takes none");
			goto done;
		}
		if (seen[k]++) {
			rc = ft_error_set(err, FT_EINVAL, "method %s: parameter '%s' given twice", name, tok);
			goto done;
		}
		if ((*m)->params[k].choices) {
			if (choice_value(*m, k, eq + 1, &params[k], err)) {
				rc = FT_EINVAL;
				goto done;
			}
			continue;
		}
		errno = 0;
		v = strtod(eq + 1, &end);
		if (!eq[1] || *end || errno || !isfinite(v)) {
			rc = ft_error_set(err, FT_EINVAL, "method %s: %s takes a number, not '%s'",
			                  name, tok, eq + 1);
			goto done;
		}
		if (v < (*m)->params[k].lo || v > (*m)->params[k].hi ||
		    ((*m)->params[k].integer && v != floor(v))) {
			rc = ft_error_set(err, FT_EINVAL, "method %s: %s = %g is outside [%g, %g]%s",
			                  name, tok, v, (*m)->params[k].lo, (*m)->params[k].hi,
			                  (*m)->params[k].integer ? " (whole numbers)" : "");
			goto done;
		}
		params[k] = v;
	}
done:
	free(copy);
	return rc;
}

/* ------------------------------------------------------------ logreg */

int ft_fit_logreg(const struct ft_fit_input *in, struct ft_fit_output *out,
                  struct ft_error *err)
{
	return ft_logreg_fit(in->train, in->lr, &out->model, &out->res, err);
}

/* ----------------------------------------------------------- reweigh */

int ft_reweigh_weights(const struct ft_dataset *d, size_t n_groups, double *w,
                       double *table, struct ft_error *err)
{
	double *cnt = calloc(n_groups * 2 + 1, sizeof *cnt), tot = 0, py[2] = {0, 0};

	if (!cnt)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (!d->group || !d->y) {
		free(cnt);
		return ft_error_set(err, FT_EINVAL, "reweigh: needs labels and groups");
	}
	/* weighted counts of (group, label); rows of unknown group keep their weight */
	for (size_t i = 0; i < d->n; i++) {
		double wi = d->w ? d->w[i] : 1.0;
		int32_t g = d->group[i];
		int y = d->y[i] > 0.5;
		if (g < 0 || (size_t)g >= n_groups)
			continue;
		cnt[(size_t)g * 2 + (size_t)y] += wi;
		py[y] += wi;
		tot += wi;
	}
	if (!(tot > 0)) {
		free(cnt);
		return ft_error_set(err, FT_EDATA, "reweigh: no training weight in any group");
	}
	/* w(g, y) = P(g) P(y) / P(g, y) = (W_g W_y) / (W W_gy): the weight that
	 * makes label and group independent in the weighted data (K&C eq. 1) */
	for (size_t g = 0; g < n_groups; g++) {
		double wg = cnt[g * 2] + cnt[g * 2 + 1];
		for (int y = 0; y < 2; y++) {
			double c = cnt[g * 2 + (size_t)y];
			table[g * 2 + (size_t)y] = c > 0 ? wg * py[y] / (tot * c) : 0.0;
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		int32_t g = d->group[i];
		double wi = d->w ? d->w[i] : 1.0;
		if (g < 0 || (size_t)g >= n_groups)
			w[i] = wi;
		else
			w[i] = wi * table[(size_t)g * 2 + (d->y[i] > 0.5)];
	}
	free(cnt);
	return 0;
}

int ft_fit_reweigh(const struct ft_fit_input *in, struct ft_fit_output *out,
                   struct ft_error *err)
{
	struct ft_dataset d = *in->train;   /* a view with the new weights */
	size_t G = in->n_groups;
	double *w = malloc((d.n ? d.n : 1) * sizeof *w);
	double *table = calloc(G * 2 + 1, sizeof *table);
	char name[FT_DIAG_NAME];
	int rc;

	if (!w || !table) {
		free(w);
		free(table);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	rc = ft_reweigh_weights(in->train, G, w, table, err);
	if (!rc) {
		d.w = w;
		rc = ft_logreg_fit(&d, in->lr, &out->model, &out->res, err);
	}
	for (size_t g = 0; !rc && g < G; g++)
		for (int y = 0; y < 2; y++) {
			snprintf(name, sizeof name, "weight[%s,%d]",
			         in->group_names ? in->group_names[g] : "?", y);
			ft_fit_diag(out, name, table[g * 2 + (size_t)y]);
		}
	free(w);
	free(table);
	return rc;
}
