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
#include "core/internal.h"
#include "fair/dp.h"
#include "fair/fair.h"
#include "fair/postproc.h"
#include "fair/reductions.h"
#include "fair/rerankers.h"
#include "fair/inproc.h"
#include "fair/transform.h"

static const struct ft_param_def P_NONE[1] = {{NULL, 0, 0, 0, 0, NULL, NULL, 0}};
static const struct ft_param_def P_PREJUDICE[] = {
	{"eta", 1.0, 0.0, 1e6, 0, "weight of the prejudice index (paper's eta)", NULL, 0},
	{"per_group", 1.0, 0.0, 1.0, 1, "1: one weight vector per group (the paper's "
	 "model; predict needs the sensitive column), 0: shared weights", NULL, 0},
	{"penalize_intercept", 0.0, 0.0, 1.0, 1, "1: the intercepts are in the L2 penalty "
	 "(Kamishima's and AIF360's objective), 0: not (scikit-learn's)", NULL, 0},
};
static const struct ft_param_def P_LAMBDA[] = {
	{"lambda", 1.0, 0.0, 1e9, 0, "penalty weight, relative to the mean log loss", NULL, 0},
};
static const struct ft_param_def P_COV_FAIR[] = {
	{"c", 0.0, 0.0, 1e9, 0, "bound on |decision-boundary covariance| per group", NULL, 0},
};
static const struct ft_param_def P_COV_ACC[] = {
	{"gamma", 0.1, 1e-6, 1e9, 0, "allowed relative loss increase over the baseline "
	 "(> 0: at 0 the baseline is the only feasible model)", NULL, 0},
};
static const struct ft_param_def P_MISTREAT[] = {
	{"c", 0.0, 0.0, 1e9, 0, "bound on |covariance| of group and misclassification "
	 "distance", NULL, 0},
	{"fpr", 1.0, 0.0, 1.0, 1, "1: constrain on negatives (false positive rates)", NULL, 0},
	{"fnr", 1.0, 0.0, 1.0, 1, "1: constrain on positives (false negative rates)", NULL, 0},
};
static const struct ft_param_def P_THRESHOLD[] = {
	{"constraint", 0, 0, 3, 1, "rates made equal across groups: selection rate (dp), "
	 "TPR and FPR (eo), TPR (tpr), FPR (fpr)", "dp|eo|tpr|fpr", 0},
	{"objective", 0, 0, 1, 1, "training objective maximised",
	 "accuracy|balanced_accuracy", 0},
};
/* bounded group loss (constraint bgl) in eg and grid */
#define BGL_PARAMS \
	{"loss", 0, 0, 1, 1, "bgl: the loss bounded in every group and minimised overall", \
	 "log|zero_one", 0}, \
	{"upper_bound", 0.5, 1e-9, 1e9, 0, "bgl: the bound on every group's mean loss", NULL, 0}
static const struct ft_param_def P_EG[] = {
	{"constraint", 0, 0, 5, 1, "moment: demographic parity, equalized odds, TPR, FPR, "
	 "error-rate parity or bounded group loss", "dp|eo|tpr|fpr|erp|bgl", 0},
	{"eps", 0.01, 1e-6, 1.0, 0, "allowed violation of each group-vs-overall constraint "
	 "(multipliers bounded by 1/eps)", NULL, 0},
	{"ratio", 0.0, 0.0, 1.0, 0, "0: difference bound; r in (0, 1]: ratio bound "
	 "r M_group - M_all <= eps and r M_all - M_group <= eps", NULL, 0},
	{"max_iter", 50, 1, 10000, 1, "maximum exponentiated-gradient iterations", NULL, 0},
	{"eta0", 2.0, 1e-9, 1e6, 0, "initial learning rate, as a multiple of eps "
	 "(eta = eta0 / B)", NULL, 0},
	{"nu", 0.0, 0.0, 1e6, 0, "duality-gap tolerance; 0: 0.5 std(|h0 - y|) / sqrt(n) "
	 "as Fairlearn", NULL, 0},
	BGL_PARAMS,
};
static const struct ft_param_def P_GRID[] = {
	{"constraint", 0, 0, 5, 1, "moment: demographic parity, equalized odds, TPR, FPR, "
	 "error-rate parity or bounded group loss", "dp|eo|tpr|fpr|erp|bgl", 0},
	{"eps", 0.01, 1e-6, 1.0, 0, "constraint bound, reported against "
	 "(violation_over_eps)", NULL, 0},
	{"ratio", 0.0, 0.0, 1.0, 0, "0: difference bound; r in (0, 1]: ratio bound", NULL, 0},
	{"grid_size", 10, 1, 100000, 1, "number of multiplier vectors (grid points)", NULL, 0},
	{"grid_limit", 2.0, 1e-9, 1e9, 0, "largest multiplier: the grid spans "
	 "[-grid_limit, grid_limit] per free coordinate", NULL, 0},
	{"constraint_weight", 0.5, 0.0, 1.0, 0, "choice rule: minimise (1 - w) error + "
	 "w max violation", NULL, 0},
	BGL_PARAMS,
};

static const struct ft_param_def P_ADVERSARIAL[] = {
	{"constraint", 0, 0, 1, 1, "what the adversary sees: the predictor's logit (dp, "
	 "demographic parity) or the logit and the label (eo, equalized odds)", "dp|eo", 0},
	{"alpha", 0.1, 0.0, 1e6, 0, "weight of the adversary's gradient in the predictor's "
	 "update (AIF360's adversary_loss_weight)", NULL, 0},
	{"epochs", 50, 1, 100000, 1, "passes over the training rows", NULL, 0},
	{"batch_size", 128, 1, 1e9, 1, "rows per minibatch", NULL, 0},
	{"lr", 0.1, 1e-9, 1e6, 0, "learning rate of the first step", NULL, 0},
	{"schedule", 0, 0, 1, 1, "learning-rate decay: lr 0.96^floor((t - 1) / 1000) at "
	 "step t (exp, AIF360's), or lr / t (inv_t)", "exp|inv_t", 0},
	{"seed", 1, 0, 9007199254740992.0, 1, "seed of the minibatch shuffles", NULL, 0},
};

static const struct ft_param_def P_GERRYFAIR[] = {
	{"rate", 0, 0, 1, 1, "the rate whose disparity is bounded over rich subgroups: "
	 "false positives (fp) or false negatives (fn)", "fp|fn", 0},
	{"gamma", 0.01, 1e-9, 1.0, 0, "bound on every subgroup's size x rate disparity", NULL,
	 0},
	{"C", 10, 1e-9, 1e9, 0, "the Auditor's multiplier (L1 bound of the dual; AIF360's C)",
	 NULL, 0},
	{"max_iter", 50, 1, 100000, 1, "rounds of fictitious play", NULL, 0},
};

static const struct ft_param_def P_META[] = {
	{"type", 0, 0, 1, 1, "the fairness ratio bounded below by tau: statistical rate "
	 "(sr, selection rates) or false discovery rate (fdr)", "sr|fdr", 0},
	{"tau", 0.8, 1e-3, 1.0, 0, "fairness target (AIF360's tau): the ratio must reach "
	 "tau - 0.2 on the training data", NULL, 0},
	{"seed", 1, 0, 9007199254740992.0, 1, "seed of the 20 points drawn per candidate",
	 NULL, 0},
};

/* Ranking methods: the parameters every linear ranker has, then each
 * method's own (names as ft_rank_params' fields; see fairtrain.h,
 * "ranking"). */
#define RANK_COMMON \
	{"l2", 0.0, 0.0, 1e12, 0, "L2 penalty (l2 / 2) ||w||^2", NULL, 0}, \
	{"doc_weight", 0, 0, 1, 1, "1: a query weighs by its number of documents (the " \
	 "DELTR code's weighting); 0: every query alike", NULL, 0}, \
	{"max_iter", 0, 0, 1e9, 1, "solver iterations (0: the solver's default)", NULL, 0}
#define RANK_LOSS \
	{"loss", 0, 0, 2, 1, "the ranking loss under the fairness term", \
	 "listnet|ranknet|lambdaloss", 0}
#define RANK_REFERENCE \
	{"reference", 0, 0, 1, 1, "1: the DELTR authors' training loop (iterations " \
	 "full-batch gradient steps of lr from 0; no l2)", NULL, 0}, \
	{"iterations", 3000, 1, 1e9, 1, "reference mode: gradient steps", NULL, 0}, \
	{"lr", 1e-5, 1e-300, 1e300, 0, "reference mode: step size", NULL, 0}
static const struct ft_param_def P_LISTNET[] = { RANK_COMMON, RANK_REFERENCE };
static const struct ft_param_def P_RANKNET[] = { RANK_COMMON };
static const struct ft_param_def P_LAMBDALOSS[] = { RANK_COMMON };
static const struct ft_param_def P_DELTR[] = {
	RANK_COMMON, RANK_LOSS,
	{"gamma", 0.0, 0.0, 1e15, 0, "weight of the exposure-disparity penalty", NULL, 0},
	RANK_REFERENCE,
	{"target_ratio", 0.0, 0.0, 1e6, 0, "> 0: choose gamma, the smallest whose training "
	 "exposure ratio reaches this (0: gamma as given)", NULL, 0},
};
static const struct ft_param_def P_PAIR_REG[] = {
	RANK_COMMON, RANK_LOSS,
	{"lambda", 0.0, 0.0, 1e15, 0, "weight of the squared pairwise accuracy gap", NULL, 0},
};
static const struct ft_param_def P_PAIR_CON[] = {
	RANK_COMMON, RANK_LOSS,
	{"c", 0.01, 0.0, 1.0, 0, "bound on |pairwise accuracy gap|", NULL, 0},
	{"max_outer", 50, 1, 1e6, 1, "augmented-Lagrangian steps", NULL, 0},
	{"tol_feas", 1e-6, 1e-15, 1.0, 0, "allowed violation of |gap| <= c", NULL, 0},
	{"temp", 0.1, 0.0, 1e6, 0, "sigmoid temperature of the pair accuracies, in units "
	 "of the scores' standard deviation (0: the raw score differences)", NULL, 0},
};

/* Re-rankers (src/fair/rerankers.c). */
static const struct ft_param_def P_FAIR[] = {
	{"p", 0.0, 0.0, 1.0, 0, "target protected share in (0, 1); 0: the query's own "
	 "share", NULL, 0},
	{"alpha", 0.1, 0.0, 1.0, 0, "significance level of the ranked group fairness "
	 "test, in (0, 1)", NULL, 0},
	{"adjust", 0, 0, 1, 1, "1: adjust alpha for multiple testing (exact failure "
	 "probability)", NULL, 0},
	{"k", 0, 0, 1e9, 1, "length of the re-ranked top (0: the whole query)", NULL, 0},
};
static const struct ft_param_def P_MFAIR[] = {
	{"p", 0.0, 0.0, 1.0, 0, "minimum proportion of each group, in group order, a/b/.. "
	 "summing to 1 (the base group's is the rest); 0: the query's own shares", NULL, 1},
	{"alpha", 0.1, 0.0, 1.0, 0, "significance level of the multinomial test, in (0, 1)",
	 NULL, 0},
	{"adjust", 0, 0, 1, 1, "1: adjust alpha for multiple testing (exact failure "
	 "probability)", NULL, 0},
	{"k", 0, 0, 1e9, 1, "length of the re-ranked top (0: the whole query)", NULL, 0},
	{"base", -1, -1, 63, 1, "index of the non-protected group (-1: the group other "
	 "than --protected; two groups only)", NULL, 0},
};
static const struct ft_param_def P_EXPOSURE[] = {
	{"kind", 0, 0, 1, 1, "dp: equal mean exposure of the groups; dt: exposure "
	 "proportional to mean utility", "dp|dt", 0},
	{"delta", 0.0, 0.0, 1e9, 0, "allowed violation of the exposure constraint", NULL, 0},
	{"k", 20, 1, 100, 1, "the top k items by score get the stochastic ranking (the "
	 "dense LP has k^2 variables: 50 items take about 0.15 s a query)", NULL, 0},
	{"seed", 1, 0, 9007199254740992.0, 1, "seed of the sampled rankings", NULL, 0},
};
static const struct ft_param_def P_DET[] = {
	{"p", 0.0, 0.0, 1.0, 0, "target proportions: the protected share (two groups) "
	 "or one per group in group order, a/b/.. summing to 1; 0: the query's own", NULL, 1},
	{"k", 0, 0, 1e9, 1, "length of the re-ranked top (0: the whole query)", NULL, 0},
};

/* The differentially private methods (src/fair/dp.h; README "Differential
 * privacy").  epsilon = 0 means infinity: the non-private method itself. */
#define DP_EPS {"epsilon", 1.0, 0.0, 1e6, 0, "privacy budget of the method (0: no " \
	"privacy, exactly the non-private method)", NULL, 0}
#define DP_ROW_NORM {"row_norm", 1.0, 1e-6, 1e6, 0, "rows clipped to this L2 norm (the " \
	"user's bound; the encoder's standardization is not private)", NULL, 0}
#define DP_SEED {"seed", 0, 0, 9007199254740992.0, 1, "0: noise from getrandom; k > 0: " \
	"seeded noise for tests (NOT private, marked dp_seeded)", NULL, 0}
#define DP_C {"C", 0, 0, 1e9, 0, "inverse L2 strength; 0: the run's --C", NULL, 0}
static const struct ft_param_def P_DP_LOGREG[] = {
	DP_EPS,
	{"delta", 0, 0, 0.5, 0, "output mechanism only: > 0 uses Gaussian noise", NULL, 0},
	{"mechanism", 0, 0, 1, 1, "objective perturbation (Chaudhuri et al. 2011, Alg. 2) "
	 "or output perturbation (Alg. 1)", "objective|output", 0},
	DP_ROW_NORM, DP_C, DP_SEED,
};
static const struct ft_param_def P_DP_REWEIGH[] = {
	DP_EPS,
	{"delta", 0, 0, 0.5, 0, "output mechanism only: > 0 uses Gaussian noise", NULL, 0},
	{"mechanism", 0, 0, 1, 1, "of the private logistic regression", "objective|output", 0},
	DP_ROW_NORM,
	{"share", 0.1, 1e-3, 0.999, 0, "fraction of epsilon for the (group, label) counts", NULL, 0},
	DP_C, DP_SEED,
};

static const struct ft_param_def P_DP_THRESHOLD[] = {
	DP_EPS,
	{"constraint", 0, 0, 3, 1, "rates made equal across groups (as threshold)",
	 "dp|eo|tpr|fpr", 0},
	{"objective", 0, 0, 1, 1, "training objective maximised", "accuracy|balanced_accuracy", 0},
	DP_ROW_NORM,
	{"share", 0.5, 1e-3, 0.999, 0, "fraction of epsilon for the noisy per-group ROC "
	 "counts (the rest trains the base dp-logreg)", NULL, 0},
	{"bins", 50, 2, 10000, 1, "equal-width score bins of the noisy ROC counts", NULL, 0},
	DP_C, DP_SEED,
};
static const struct ft_param_def P_DP_EG[] = {
	{"constraint", 0, 0, 4, 1, "moment (as eg)", "dp|eo|tpr|fpr|erp", 0},
	{"eps", 0.05, 1e-6, 1.0, 0, "allowed violation of each constraint (multipliers "
	 "bounded by 1/eps)", NULL, 0},
	DP_EPS,
	{"delta", 0, 0, 0.5, 0, "> 0: advanced composition over the rounds", NULL, 0},
	{"max_iter", 10, 1, 1000, 1, "rounds T (a fixed number: each spends budget)", NULL, 0},
	DP_ROW_NORM, DP_SEED,
	{"eta0", 2.0, 1e-9, 1e6, 0, "learning rate, as a multiple of eps (eta = eta0 / B)",
	 NULL, 0},
};

static const struct ft_param_def P_CALEO[] = {
	{"cost", 2, 0, 2, 1, "cost equalized between the privileged group and the "
	 "others: generalized FNR, FPR, or their base-rate weighted mix (AIF360)",
	 "fnr|fpr|weighted", 0},
	{"threshold", 0.5, 0.0, 1.0, 0, "decision threshold on the (randomized) score", NULL, 0},
};
static const struct ft_param_def P_ROC[] = {
	{"metric", 0, 0, 2, 1, "fairness metric bounded (unprivileged minus privileged): "
	 "statistical parity, average odds or equal opportunity difference", "spd|aod|eod", 0},
	{"lb", -0.05, -1.0, 1.0, 0, "lower bound on the metric", NULL, 0},
	{"ub", 0.05, -1.0, 1.0, 0, "upper bound on the metric", NULL, 0},
	{"low", 0.01, 0.0, 1.0, 0, "smallest classification threshold searched", NULL, 0},
	{"high", 0.99, 0.0, 1.0, 0, "largest classification threshold searched", NULL, 0},
	{"n_thresh", 100, 1, 100000, 1, "classification thresholds in [low, high]", NULL, 0},
	{"n_margin", 50, 1, 100000, 1, "margins in [0, min(t, 1 - t)] per threshold", NULL, 0},
};

/* feature transformations (src/fair/dir.c, corr_remove.c, lfr.c,
 * optim_pre.c), each followed by the logistic fit on the transformed rows */
static const struct ft_param_def P_DIR[] = {
	{"repair_level", 1.0, 0.0, 1.0, 0, "how far each feature moves toward the median "
	 "of the groups' quantile functions (0: unchanged, 1: full repair)", NULL, 0},
};
static const struct ft_param_def P_CORR[] = {
	{"alpha", 1.0, 0.0, 1.0, 0, "share of the features' correlation with the one-hot "
	 "sensitive columns removed (1: all)", NULL, 0},
};
static const struct ft_param_def P_LFR[] = {
	{"k", 5, 1, 1000, 1, "prototypes", NULL, 0},
	{"Ax", 0.01, 0.0, 1e6, 0, "weight of the reconstruction error", NULL, 0},
	{"Ay", 1.0, 0.0, 1e6, 0, "weight of the label prediction loss", NULL, 0},
	{"Az", 50.0, 0.0, 1e6, 0, "weight of the statistical parity of the prototype "
	 "memberships", NULL, 0},
	{"restarts", 3, 1, 1000, 1, "seeded L-BFGS starts (the best objective kept)",
	 NULL, 0},
	{"seed", 1, 0, 9007199254740992.0, 1, "seed of the starting prototypes", NULL, 0},
	{"max_iter", 5000, 1, 1000000, 1, "L-BFGS iterations per start", NULL, 0},
};
static const struct ft_param_def P_OPTIM_PRE[] = {
	{"epsilon", 0.05, 0.0, 1.0, 0, "bound on every pair of groups' gap in P(y' = 1)",
	 NULL, 0},
	{"bins", 4, 2, 64, 1, "quantile levels of each numeric column discretized", NULL, 0},
	{"col1", 1, 1, 1e6, 1, "feature column discretized: its position among the data's "
	 "columns as encoded, numeric first (inspect lists them)", NULL, 0},
	{"col2", 0, 0, 1e6, 1, "a second column (0: none)", NULL, 0},
	{"col3", 0, 0, 1e6, 1, "a third column (0: none)", NULL, 0},
	{"d1", 0.1, 0.0, 1.0, 0, "bound on P(distortion >= 1 | x, y)", NULL, 0},
	{"d2", 0.05, 0.0, 1.0, 0, "bound on P(distortion >= 2 | x, y)", NULL, 0},
	{"d3", 0.0, 0.0, 1.0, 0, "bound on P(distortion >= 3 | x, y)", NULL, 0},
};

static const struct ft_param_def P_EOPP[] = {
	{"n_quantiles", 10000, 1, 1e6, 1, "quantile knots of each group's positive items' "
	 "scores (LiFT's numQuantiles)", NULL, 0},
	{"cutoff", 0, 0, 1e6, 1, "positions up to this one get their own position-bias "
	 "estimate (0: no position-bias correction)", NULL, 0},
	{"original_scale", 0, 0, 1, 1, "1: map the transformed scores back to the score "
	 "scale (LiFT's adjustScale)", NULL, 0},
	{"max_importance_weight", 1000, 1, 1e9, 0, "largest importance weight of a "
	 "positive item (position-bias correction)", NULL, 0},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The parameters of ranking rows as struct ft_rank_params. */
static int rank_params_of(const struct ft_method *m, const double *v, int loss,
                          int fair, struct ft_rank_params *p, struct ft_error *err)
{
	const char *msg;

	ft_rank_params_init(p);
	p->loss = loss;
	p->fair = fair;
	for (size_t k = 0; k < m->n_params; k++) {
		const char *n = m->params[k].name;
		if (!strcmp(n, "l2")) p->l2 = v[k];
		else if (!strcmp(n, "doc_weight")) p->doc_weight = (int)v[k];
		else if (!strcmp(n, "max_iter")) p->solver.max_iter = (int)v[k];
		else if (!strcmp(n, "loss")) p->loss = (int)v[k];
		else if (!strcmp(n, "gamma")) p->gamma = v[k];
		else if (!strcmp(n, "reference")) p->reference = (int)v[k];
		else if (!strcmp(n, "iterations")) p->iterations = (int)v[k];
		else if (!strcmp(n, "lr")) p->learning_rate = v[k];
		else if (!strcmp(n, "lambda")) p->lambda = v[k];
		else if (!strcmp(n, "c")) p->c = v[k];
		else if (!strcmp(n, "max_outer")) p->max_outer = (int)v[k];
		else if (!strcmp(n, "tol_feas")) p->tol_feas = v[k];
		else if (!strcmp(n, "temp")) p->pair_temp = v[k];
		else if (!strcmp(n, "target_ratio")) p->target_ratio = v[k];
	}
	if ((msg = ft_rank_check(p)) != NULL)
		return ft_error_set(err, FT_EINVAL, "%s: %s", m->name, msg);
	return 0;
}

static int rp_listnet(const double *v, struct ft_rank_params *p, struct ft_error *err)
{
	return rank_params_of(ft_method_find("listnet"), v, FT_RANK_LISTNET,
	                      FT_RANK_FAIR_NONE, p, err);
}

static int rp_ranknet(const double *v, struct ft_rank_params *p, struct ft_error *err)
{
	return rank_params_of(ft_method_find("ranknet"), v, FT_RANK_RANKNET,
	                      FT_RANK_FAIR_NONE, p, err);
}

static int rp_lambdaloss(const double *v, struct ft_rank_params *p,
                         struct ft_error *err)
{
	return rank_params_of(ft_method_find("lambdaloss"), v, FT_RANK_LAMBDALOSS,
	                      FT_RANK_FAIR_NONE, p, err);
}

static int rp_deltr(const double *v, struct ft_rank_params *p, struct ft_error *err)
{
	return rank_params_of(ft_method_find("deltr"), v, FT_RANK_LISTNET,
	                      FT_RANK_FAIR_DELTR, p, err);
}

static int rp_pair_reg(const double *v, struct ft_rank_params *p, struct ft_error *err)
{
	return rank_params_of(ft_method_find("pair-reg"), v, FT_RANK_LISTNET,
	                      FT_RANK_FAIR_PAIR_REG, p, err);
}

static int rp_pair_con(const double *v, struct ft_rank_params *p, struct ft_error *err)
{
	return rank_params_of(ft_method_find("pair-con"), v, FT_RANK_LISTNET,
	                      FT_RANK_FAIR_PAIR_CON, p, err);
}

/* Cross-parameter checks run when a spec is parsed (liblinear's
 * check_parameter): NULL when fine, else the reason. */
static const char *check_rank(const struct ft_method_spec *s)
{
	static _Thread_local char msg[FT_ERROR_MAX];
	struct ft_rank_params p;
	struct ft_error err = {0};

	if (s->method->rank_params(s->params, &p, &err) == 0)
		return NULL;
	snprintf(msg, sizeof msg, "%s", err.msg);
	return msg;
}

static const char *check_fair(const struct ft_method_spec *s)
{
	if (s->params[0] >= 1.0)
		return "p takes the protected share in (0, 1) (0: the query's own)";
	if (!(s->params[1] > 0.0 && s->params[1] < 1.0))
		return "alpha takes a level in (0, 1)";
	return NULL;
}

static const char *check_det(const struct ft_method_spec *s)
{
	double sum = 0;

	if (s->n_list == 1 && s->list[0] >= 1.0)
		return "p takes the protected share in (0, 1), or one proportion per group";
	if (s->n_list <= 1)
		return NULL;
	for (size_t i = 0; i < s->n_list; i++)
		sum += s->list[i];
	/* proportions typed as decimals sum to 1 only up to rounding */
	if (fabs(sum - 1.0) > 1e-9)
		return "the proportions of p do not sum to 1";
	return NULL;
}

static const char *check_mfair(const struct ft_method_spec *s)
{
	if (s->n_list == 1 && s->list[0] > 0)
		return "p takes one proportion per group (a/b/..), or 0 for the query's own";
	if (!(s->params[1] > 0.0 && s->params[1] < 1.0))
		return "alpha takes a level in (0, 1)";
	return check_det(s);
}

static const struct ft_method METHODS[] = {
	/* classification */
	{"logreg", FT_TASK_CLASSIFY, FT_STAGE_IN, "unmitigated weighted L2 logistic "
	 "regression (the baseline)", 0, P_NONE, 0, ft_fit_logreg, NULL, NULL, NULL},
	{"reweigh", FT_TASK_CLASSIFY, FT_STAGE_PRE, "reweighing, w(g,y) = P(g)P(y)/P(g,y) "
	 "(Kamiran & Calders 2012)", 0, P_NONE, 1, ft_fit_reweigh, NULL, NULL, NULL},
	{"dir", FT_TASK_CLASSIFY, FT_STAGE_PRE, "disparate impact remover: features "
	 "repaired toward the groups' median quantiles (Feldman et al. 2015); predict "
	 "needs the sensitive column", N(P_DIR), P_DIR, 1, ft_fit_dir_method, NULL, NULL,
	 NULL},
	{"corr-remove", FT_TASK_CLASSIFY, FT_STAGE_PRE, "correlation remover: features "
	 "projected off the one-hot sensitive columns (Fairlearn); predict needs the "
	 "sensitive column", N(P_CORR), P_CORR, 1, ft_fit_corr_remove_method, NULL, NULL,
	 NULL},
	{"lfr", FT_TASK_CLASSIFY, FT_STAGE_PRE, "learning fair representations: the "
	 "classifier reads k prototypes' reconstruction (Zemel et al. 2013)", N(P_LFR),
	 P_LFR, 1, ft_fit_lfr_method, NULL, NULL, NULL},
	{"optim-pre", FT_TASK_CLASSIFY, FT_STAGE_PRE, "optimized pre-processing: a "
	 "randomized map of discretized columns under distortion and parity bounds "
	 "(Calmon et al. 2017); predict needs the sensitive column", N(P_OPTIM_PRE),
	 P_OPTIM_PRE, 1, ft_fit_optim_pre_method, NULL, NULL, NULL},
	{"prejudice", FT_TASK_CLASSIFY, FT_STAGE_IN, "prejudice remover regularizer "
	 "(Kamishima et al. 2012)", N(P_PREJUDICE), P_PREJUDICE, 1, ft_fit_prejudice,
	 NULL, NULL, NULL},
	{"reg-dp", FT_TASK_CLASSIFY, FT_STAGE_IN, "squared gap in mean predicted "
	 "probability (demographic parity)", N(P_LAMBDA), P_LAMBDA, 1, ft_fit_reg_dp,
	 NULL, NULL, NULL},
	{"reg-eo", FT_TASK_CLASSIFY, FT_STAGE_IN, "squared gaps in soft TPR and soft FPR "
	 "(equalized odds)", N(P_LAMBDA), P_LAMBDA, 1, ft_fit_reg_eo, NULL, NULL, NULL},
	{"reg-eop", FT_TASK_CLASSIFY, FT_STAGE_IN, "squared gap in soft TPR (equal "
	 "opportunity)", N(P_LAMBDA), P_LAMBDA, 1, ft_fit_reg_eop, NULL, NULL, NULL},
	{"reg-cov", FT_TASK_CLASSIFY, FT_STAGE_IN, "squared decision-boundary covariance "
	 "with group membership", N(P_LAMBDA), P_LAMBDA, 1, ft_fit_reg_cov, NULL, NULL, NULL},
	{"cov-fair", FT_TASK_CLASSIFY, FT_STAGE_IN, "min loss s.t. |boundary covariance| "
	 "<= c (Zafar et al. 2017)", N(P_COV_FAIR), P_COV_FAIR, 1, ft_fit_cov_fair,
	 NULL, NULL, NULL},
	{"cov-acc", FT_TASK_CLASSIFY, FT_STAGE_IN, "min covariance s.t. loss <= (1+gamma) "
	 "baseline loss (Zafar et al. 2017)", N(P_COV_ACC), P_COV_ACC, 1, ft_fit_cov_acc,
	 NULL, NULL, NULL},
	{"mistreat", FT_TASK_CLASSIFY, FT_STAGE_IN, "disparate mistreatment constraints on "
	 "FPR/FNR (Zafar et al. WWW 2017)", N(P_MISTREAT), P_MISTREAT, 1, ft_fit_mistreat,
	 NULL, NULL, NULL},
	{"eg", FT_TASK_CLASSIFY, FT_STAGE_IN, "exponentiated gradient reduction, "
	 "randomized (Agarwal et al. 2018)", N(P_EG), P_EG, 1, ft_fit_eg, NULL, NULL, NULL},
	{"grid", FT_TASK_CLASSIFY, FT_STAGE_IN, "grid search reduction over Lagrange "
	 "multipliers (Agarwal et al. 2018)", N(P_GRID), P_GRID, 1, ft_fit_grid,
	 NULL, NULL, NULL},
	{"adversarial", FT_TASK_CLASSIFY, FT_STAGE_IN, "adversarial debiasing of a logistic "
	 "predictor (Zhang et al. 2018)", N(P_ADVERSARIAL), P_ADVERSARIAL, 1,
	 ft_fit_adversarial, NULL, NULL, NULL},
	{"gerryfair", FT_TASK_CLASSIFY, FT_STAGE_IN, "rich-subgroup fairness by fictitious "
	 "play, randomized (Kearns et al. 2018)", N(P_GERRYFAIR), P_GERRYFAIR, 1,
	 ft_fit_gerryfair, NULL, NULL, NULL},
	{"meta", FT_TASK_CLASSIFY, FT_STAGE_IN, "meta-fair classifier, one linear rule per "
	 "group (Celis et al. 2019); predict needs the sensitive column", N(P_META), P_META,
	 1, ft_fit_meta, NULL, NULL, NULL},
	{"threshold", FT_TASK_CLASSIFY, FT_STAGE_POST, "group-specific randomized "
	 "thresholds on the baseline's score (Hardt et al. 2016)", N(P_THRESHOLD),
	 P_THRESHOLD, 1, ft_fit_threshold, NULL, NULL, NULL},
	{"cal-eo", FT_TASK_CLASSIFY, FT_STAGE_POST, "calibrated equalized odds: mix the "
	 "cheaper group with its base rate (Pleiss et al. 2017)", N(P_CALEO), P_CALEO, 1,
	 ft_fit_caleo, NULL, NULL, NULL},
	{"reject-option", FT_TASK_CLASSIFY, FT_STAGE_POST, "reject option classification: "
	 "flip decisions near the threshold (Kamiran et al. 2012)", N(P_ROC), P_ROC, 1,
	 ft_fit_reject_option, NULL, NULL, NULL},
	/* differentially private (src/fair/dp_*.c) */
	{"dp-logreg", FT_TASK_CLASSIFY, FT_STAGE_IN, "differentially private logistic "
	 "regression (Chaudhuri et al. 2011)", N(P_DP_LOGREG), P_DP_LOGREG, 0,
	 ft_fit_dp_logreg, NULL, NULL, NULL},
	{"dp-reweigh", FT_TASK_CLASSIFY, FT_STAGE_PRE, "reweighing from noisy (group, "
	 "label) counts, then dp-logreg", N(P_DP_REWEIGH), P_DP_REWEIGH, 1,
	 ft_fit_dp_reweigh, NULL, NULL, NULL},
	{"dp-threshold", FT_TASK_CLASSIFY, FT_STAGE_POST, "group thresholds from noisy "
	 "per-group ROC counts on a dp-logreg score (Jagielski et al. 2019)",
	 N(P_DP_THRESHOLD), P_DP_THRESHOLD, 1, ft_fit_dp_threshold, NULL, NULL, NULL},
	{"dp-eg", FT_TASK_CLASSIFY, FT_STAGE_IN, "exponentiated gradient with private best "
	 "responses and noisy moments (Jagielski et al. 2019)", N(P_DP_EG), P_DP_EG, 1,
	 ft_fit_dp_eg, NULL, NULL, NULL},
	/* ranking */
	{"listnet", FT_TASK_RANK, FT_STAGE_IN, "ListNet, top-one cross entropy (Cao et al. "
	 "2007); unmitigated", N(P_LISTNET), P_LISTNET, 0, NULL, rp_listnet, NULL,
	 check_rank},
	{"ranknet", FT_TASK_RANK, FT_STAGE_IN, "RankNet, pairwise logistic loss (Burges "
	 "et al. 2005); unmitigated", N(P_RANKNET), P_RANKNET, 0, NULL, rp_ranknet, NULL,
	 check_rank},
	{"lambdaloss", FT_TASK_RANK, FT_STAGE_IN, "LambdaLoss, NDCG-Loss2 (Wang et al. "
	 "2018); unmitigated", N(P_LAMBDALOSS), P_LAMBDALOSS, 0, NULL, rp_lambdaloss,
	 NULL, check_rank},
	{"deltr", FT_TASK_RANK, FT_STAGE_IN, "DELTR: the loss + gamma x exposure "
	 "disparity (Zehlike & Castillo 2020)", N(P_DELTR), P_DELTR, 1, NULL, rp_deltr,
	 NULL, check_rank},
	{"pair-reg", FT_TASK_RANK, FT_STAGE_IN, "the loss + lambda x squared pairwise "
	 "accuracy gap (Beutel et al. 2019)", N(P_PAIR_REG), P_PAIR_REG, 1, NULL,
	 rp_pair_reg, NULL, check_rank},
	{"pair-con", FT_TASK_RANK, FT_STAGE_IN, "min loss s.t. |pairwise accuracy gap| "
	 "<= c (augmented Lagrangian)", N(P_PAIR_CON), P_PAIR_CON, 1, NULL, rp_pair_con,
	 NULL, check_rank},
	/* re-rankers */
	{"fair", FT_TASK_RANK, FT_STAGE_RERANK, "FA*IR top-k: ranked group fairness test "
	 "at every prefix (Zehlike et al. 2017)", N(P_FAIR), P_FAIR, 1, NULL, NULL,
	 ft_rerank_fair, check_fair},
	{"det_greedy", FT_TASK_RANK, FT_STAGE_RERANK, "DetGreedy: target proportions at "
	 "every prefix (Geyik et al. 2019)", N(P_DET), P_DET, 1, NULL, NULL, ft_rerank_det,
	 check_det},
	{"det_cons", FT_TASK_RANK, FT_STAGE_RERANK, "DetCons: DetGreedy, the group whose "
	 "minimum rises soonest first", N(P_DET), P_DET, 1, NULL, NULL, ft_rerank_det,
	 check_det},
	{"det_relaxed", FT_TASK_RANK, FT_STAGE_RERANK, "DetRelaxed: DetCons relaxed to "
	 "the best score among the most urgent", N(P_DET), P_DET, 1, NULL, NULL,
	 ft_rerank_det, check_det},
	{"det_const_sort", FT_TASK_RANK, FT_STAGE_RERANK, "DetConstSort: each group's next "
	 "item enters when its minimum rises and moves up past lower scores (Geyik et "
	 "al. 2019, Algorithm 3; AIF360's default)", N(P_DET), P_DET, 1, NULL, NULL,
	 ft_rerank_det, check_det},
	{"mfair", FT_TASK_RANK, FT_STAGE_RERANK, "multinomial FA*IR: ranked group fairness "
	 "test of several protected groups at every prefix (Zehlike et al. 2022)",
	 N(P_MFAIR), P_MFAIR, 1, NULL, NULL, ft_rerank_mfair, check_mfair},
	{"eopp-rank", FT_TASK_RANK, FT_STAGE_RERANK, "LiFT's equality-of-opportunity score "
	 "map: each group's scores through the CDF of its positive items' training scores, "
	 "with position-bias correction (Nandy et al. 2022); fitted on the training part",
	 N(P_EOPP), P_EOPP, 1, NULL, NULL, ft_rerank_eopp, NULL},
	{"exposure", FT_TASK_RANK, FT_STAGE_RERANK, "fair exposure: a ranking sampled from "
	 "the optimal stochastic ranking under an exposure constraint (Singh & Joachims "
	 "2018)", N(P_EXPOSURE), P_EXPOSURE, 1, NULL, NULL, ft_rerank_exposure, NULL},
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

const char *ft_task_name(int task)
{
	switch (task) {
	case FT_TASK_CLASSIFY: return "classify";
	case FT_TASK_RANK: return "rank";
	default: return "unknown";
	}
}

const char *ft_stage_name(int stage)
{
	switch (stage) {
	case FT_STAGE_PRE: return "pre";
	case FT_STAGE_IN: return "in";
	case FT_STAGE_POST: return "post";
	case FT_STAGE_RERANK: return "rerank";
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

/* "method" or "re-ranker", for messages. */
#define WHAT(m) ((m)->stage == FT_STAGE_RERANK ? "re-ranker" : "method")

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
	return ft_error_set(err, FT_EINVAL, "%s %s: %s takes one of %s, not '%s'",
	                    WHAT(m), m->name, p->name, p->choices, v);
}

/* One number of parameter k of m from text v (range and integer checked). */
static int number_value(const struct ft_method *m, size_t k, const char *v, double *out,
                        struct ft_error *err)
{
	const struct ft_param_def *p = &m->params[k];
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (!*v || *end || errno || !isfinite(x))
		return ft_error_set(err, FT_EINVAL, "%s %s: %s takes a number, not '%s'",
		                    WHAT(m), m->name, p->name, v);
	if (x < p->lo || x > p->hi || (p->integer && x != floor(x)))
		return ft_error_set(err, FT_EINVAL, "%s %s: %s = %g is outside [%g, %g]%s",
		                    WHAT(m), m->name, p->name, x, p->lo, p->hi,
		                    p->integer ? " (whole numbers)" : "");
	*out = x;
	return 0;
}

/* "a, b, c" of the rows of task (and stage, when >= 0), for messages. */
static void name_list(char *buf, size_t n, int task, int stage)
{
	buf[0] = '\0';
	for (size_t i = 0; i < N(METHODS); i++) {
		if ((task >= 0 && METHODS[i].task != task) ||
		    (stage >= 0 && METHODS[i].stage != stage))
			continue;
		if (buf[0])
			strncat(buf, ", ", n - strlen(buf) - 1);
		strncat(buf, METHODS[i].name, n - strlen(buf) - 1);
	}
}

/* What kind of row m is, for messages: "a ranking method", "a re-ranker". */
static const char *row_kind(const struct ft_method *m)
{
	return m->stage == FT_STAGE_RERANK ? "a re-ranker" :
	       m->task == FT_TASK_RANK ? "a ranking method" : "a classification method";
}

int ft_method_spec_parse(const char *spec, int task, int stage,
                         struct ft_method_spec *s, struct ft_error *err)
{
	char name[64], *copy = NULL, *tok, *save = NULL;
	const char *colon, *msg;
	const struct ft_method *m;
	size_t len;
	int rc = 0;

	memset(s, 0, sizeof *s);
	if (!spec)
		return ft_error_set(err, FT_EINVAL, "no method");
	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len == 0 || len >= sizeof name)
		return ft_error_set(err, FT_EINVAL, "method '%s': no method name", spec);
	memcpy(name, spec, len);
	name[len] = '\0';
	m = ft_method_find(name);
	if (m && ((task >= 0 && m->task != task) || (stage >= 0 && m->stage != stage) ||
	          (stage < 0 && m->stage == FT_STAGE_RERANK && task >= 0))) {
		char list[512];
		name_list(list, sizeof list, task, stage >= 0 ? stage :
		          task == FT_TASK_RANK ? FT_STAGE_IN : -1);
		return ft_error_set(err, FT_EINVAL, "'%s' is %s, not one of %s", name,
		                    row_kind(m), list);
	}
	if (!m) {
		char list[512];
		name_list(list, sizeof list, task, stage >= 0 ? stage :
		          task == FT_TASK_RANK ? FT_STAGE_IN : -1);
		return ft_error_set(err, FT_EINVAL, "unknown %s '%s' (%s: %s)",
		                    stage == FT_STAGE_RERANK ? "re-ranker" :
		                    task == FT_TASK_RANK ? "ranking method" : "method", name,
		                    stage == FT_STAGE_RERANK ? "re-rankers" : "methods", list);
	}
	s->method = m;
	for (size_t k = 0; k < m->n_params; k++)
		s->params[k] = m->params[k].def;
	if (colon && !colon[1])
		return ft_error_set(err, FT_EINVAL, "method '%s': nothing after ':'", spec);
	if (colon) {
		copy = malloc(strlen(colon + 1) + 1);
		if (!copy)
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		strcpy(copy, colon + 1);
	}
	for (tok = copy ? strtok_r(copy, ",:", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",:", &save)) {
		char *eq = strchr(tok, '=');
		size_t k;
		if (!eq) {
			/* a bare choice: the first choice parameter, first token only */
			for (k = 0; k < m->n_params && !m->params[k].choices; k++)
				;
			if (tok != copy || k == m->n_params) {
				rc = ft_error_set(err, FT_EINVAL, "%s %s: '%s' is not NAME=VALUE",
				                  WHAT(m), name, tok);
				goto done;
			}
			s->given[k]++;
			if (choice_value(m, k, tok, &s->params[k], NULL)) {
				rc = ft_error_set(err, FT_EINVAL, "%s %s: '%s' is not NAME=VALUE nor a "
				                  "%s (%s)", WHAT(m), name, tok, m->params[k].name,
				                  m->params[k].choices);
				goto done;
			}
			continue;
		}
		*eq = '\0';
		for (k = 0; k < m->n_params; k++)
			if (!strcmp(m->params[k].name, tok))
				break;
		if (k == m->n_params) {
			char list[256] = "";
			for (size_t j = 0; j < m->n_params; j++) {
				strncat(list, m->params[j].name, sizeof list - strlen(list) - 1);
				if (j + 1 < m->n_params)
					strncat(list, ", ", sizeof list - strlen(list) - 1);
			}
			rc = ft_error_set(err, FT_EINVAL, "%s %s has no parameter '%s' (%s)",
			                  WHAT(m), name, tok, m->n_params ? list : "it takes none");
			goto done;
		}
		if (s->given[k]++) {
			rc = ft_error_set(err, FT_EINVAL, "%s %s: parameter '%s' given twice",
			                  WHAT(m), name, tok);
			goto done;
		}
		if (m->params[k].choices) {
			if ((rc = choice_value(m, k, eq + 1, &s->params[k], err)))
				goto done;
		} else if (m->params[k].list) {
			/* "a/b/c": each value a number of the parameter's range */
			char *part, *save2 = NULL;
			s->n_list = 0;
			for (part = strtok_r(eq + 1, "/", &save2); part;
			     part = strtok_r(NULL, "/", &save2)) {
				if (s->n_list == FT_MAX_LIST) {
					rc = ft_error_set(err, FT_EINVAL, "%s %s: %s takes at most %d "
					                  "values", WHAT(m), name, tok, FT_MAX_LIST);
					goto done;
				}
				if ((rc = number_value(m, k, part, &s->list[s->n_list], err)))
					goto done;
				s->n_list++;
			}
			if (s->n_list == 0) {
				rc = number_value(m, k, "", &s->params[k], err);
				goto done;
			}
			s->params[k] = s->list[0];
		} else if ((rc = number_value(m, k, eq + 1, &s->params[k], err))) {
			goto done;
		}
	}
	if (m->check && (msg = m->check(s)) != NULL)
		rc = ft_error_set(err, FT_EINVAL, "%s %s: %s", WHAT(m), name, msg);
done:
	free(copy);
	if (rc)
		s->method = NULL;
	return rc;
}

/* Shortest "%g" text that reads back as exactly v, with at least the
 * integer digits of v, so that 10 is "10" and not "1e+01". */
static void fmt_num(char *buf, size_t n, double v)
{
	int p0 = fabs(v) >= 1 && fabs(v) < 1e15 ? (int)floor(log10(fabs(v))) + 1 : 1;

	for (int p = p0; p <= 17; p++) {
		snprintf(buf, n, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

int ft_method_spec_format(const struct ft_method_spec *s, char *buf, size_t n)
{
	const struct ft_method *m = s->method;
	size_t fc, at;
	char num[40];

	if (!m)
		return snprintf(buf, n, "%s", "");
	for (fc = 0; fc < m->n_params && !m->params[fc].choices; fc++)
		;
	/* a growing string that never writes past n, but counts what it needs */
#define PUT(...) do { int w_ = snprintf(buf + (at < n ? at : n), at < n ? n - at : 0, \
	                                    __VA_ARGS__); at += (size_t)(w_ > 0 ? w_ : 0); } while (0)
	at = 0;
	if (n)
		buf[0] = '\0';
	PUT("%s", m->name);
	if (fc < m->n_params && s->given[fc])
		PUT(":%s", ft_param_choice(&m->params[fc], s->params[fc]));
	for (size_t k = 0; k < m->n_params; k++) {
		const struct ft_param_def *p = &m->params[k];
		if (!s->given[k] || k == fc)
			continue;
		PUT("%s%s=", at > strlen(m->name) ? "," : ":", p->name);
		if (p->choices) {
			PUT("%s", ft_param_choice(p, s->params[k]));
		} else if (p->list && s->n_list > 0) {
			for (size_t i = 0; i < s->n_list; i++) {
				fmt_num(num, sizeof num, s->list[i]);
				PUT("%s%s", i ? "/" : "", num);
			}
		} else {
			fmt_num(num, sizeof num, s->params[k]);
			PUT("%s", num);
		}
	}
#undef PUT
	return (int)at;
}

int ft_method_parse(const char *spec, const struct ft_method **m,
                    double params[FT_MAX_PARAMS], struct ft_error *err)
{
	struct ft_method_spec s;
	int rc = ft_method_spec_parse(spec, -1, -1, &s, err);

	*m = s.method;
	memcpy(params, s.params, sizeof s.params);
	return rc;
}

int ft_rank_method_parse(const char *spec, struct ft_rank_params *p,
                         struct ft_error *err)
{
	struct ft_method_spec s;
	int rc = ft_method_spec_parse(spec, FT_TASK_RANK, FT_STAGE_IN, &s, err);

	if (rc) {
		ft_rank_params_init(p);
		return rc;
	}
	return s.method->rank_params(s.params, p, err);
}

/* ------------------------------------------------------------ logreg */

int ft_fit_logreg(const struct ft_fit_input *in, struct ft_fit_output *out,
                  struct ft_error *err)
{
	return ft_logreg_fit(in->train, in->lr, &out->pred.linear, &out->res, err);
}

/* ----------------------------------------------------------- reweigh */

/* Weighted counts of (group, label) over rows [lo, hi): part[2 g + y],
 * then W_0, W_1 and W (ft_parallel_sum); rows of unknown group are not
 * counted. */
struct rw_call {
	const struct ft_dataset *d;
	size_t G;
};

static void rw_chunk(void *ctx, size_t chunk, size_t lo, size_t hi, double *part)
{
	const struct rw_call *a = ctx;
	const struct ft_dataset *d = a->d;

	(void)chunk;
	for (size_t i = lo; i < hi; i++) {
		double wi = d->w ? d->w[i] : 1.0;
		int32_t g = d->group[i];
		int y = d->y[i] > 0.5;
		if (g < 0 || (size_t)g >= a->G)
			continue;
		part[(size_t)g * 2 + (size_t)y] += wi;
		part[a->G * 2 + (size_t)y] += wi;
		part[a->G * 2 + 2] += wi;
	}
}

int ft_reweigh_weights(const struct ft_dataset *d, size_t n_groups, double *w,
                       double *table, struct ft_error *err)
{
	double *cnt = calloc(n_groups * 2 + 3, sizeof *cnt), tot, *py;
	struct rw_call a = {d, n_groups};

	if (!cnt)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (!d->group || !d->y) {
		free(cnt);
		return ft_error_set(err, FT_EINVAL, "reweigh: needs labels and groups");
	}
	/* weighted counts of (group, label); rows of unknown group keep their weight */
	if (ft_parallel_sum(d->n, n_groups * 2 + 3, cnt, rw_chunk, &a)) {
		free(cnt);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	py = cnt + n_groups * 2;
	tot = py[2];
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
		rc = ft_logreg_fit(&d, in->lr, &out->pred.linear, &out->res, err);
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
