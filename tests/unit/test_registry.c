/*
 * test_registry.c - every row of the method registry, end to end through
 * the library verbs (issue 11): each row has a fixture here (a row without
 * one fails), fits on tiny data with finite diagnostics, classifies or
 * ranks, gives the same predictor bit for bit with 1 and 2 threads,
 * round-trips through a model file (same predictor, same predictions) and,
 * for classification rows, through a comparison's results.h5, and is listed
 * by the --help of the commands that take it.
 *
 * Data: the synthetic hiring set (ft_synth_write, 600 rows; gender is the
 * sensitive column, male the privileged group) and a LETOR file of 12
 * queries x 8 documents written here (feature 3 is the group).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hdf5.h>
#include "fairtrain.h"
#include "io/io.h"
#include "t.h"

/* The fixture of every row: the spec it is fitted with (small settings for
 * speed; the seeded noise of the dp rows for reproducibility). */
static const struct { const char *name, *spec; } FIXTURE[] = {
	{"logreg", "logreg"},
	{"reweigh", "reweigh"},
	{"dir", "dir:repair_level=0.8"},
	{"corr-remove", "corr-remove:alpha=0.9"},
	{"lfr", "lfr:k=3,restarts=2,max_iter=300"},
	{"optim-pre", "optim-pre:bins=3,col1=1,col2=2,epsilon=0.2,d1=0.3,d2=0.2"},
	{"prejudice", "prejudice:eta=2"},
	{"reg-dp", "reg-dp:lambda=2"},
	{"reg-eo", "reg-eo:lambda=2"},
	{"reg-eop", "reg-eop:lambda=2"},
	{"reg-cov", "reg-cov:lambda=2"},
	{"cov-fair", "cov-fair:c=0.01"},
	{"cov-acc", "cov-acc:gamma=0.1"},
	{"mistreat", "mistreat:c=0.01"},
	{"eg", "eg:dp:eps=0.05,max_iter=20"},
	{"grid", "grid:eo:grid_size=6"},
	{"adversarial", "adversarial:dp:alpha=0.3,epochs=5"},
	{"gerryfair", "gerryfair:fp:max_iter=5"},
	{"meta", "meta:sr:tau=0.8"},
	{"threshold", "threshold:eo"},
	{"cal-eo", "cal-eo:fnr"},
	{"reject-option", "reject-option:n_thresh=20,n_margin=10"},
	{"dp-logreg", "dp-logreg:epsilon=2,seed=7"},
	{"dp-reweigh", "dp-reweigh:epsilon=2,seed=7"},
	{"dp-threshold", "dp-threshold:epsilon=2,seed=7"},
	{"dp-eg", "dp-eg:epsilon=2,max_iter=5,seed=7"},
	{"listnet", "listnet:l2=0.01"},
	{"ranknet", "ranknet:l2=0.01"},
	{"lambdaloss", "lambdaloss:l2=0.01"},
	{"deltr", "deltr:gamma=1,l2=0.01"},
	{"pair-reg", "pair-reg:lambda=1,l2=0.01"},
	{"pair-con", "pair-con:c=0.05,l2=0.01"},
	{"fair", "fair:p=0.5,k=6"},
	{"det_greedy", "det_greedy:p=0.5,k=6"},
	{"det_cons", "det_cons:k=6"},
	{"det_relaxed", "det_relaxed:p=0.4"},
	{"det_const_sort", "det_const_sort:p=0.5,k=6"},
	{"mfair", "mfair:p=0.5/0.5,k=6"},
	{"exposure", "exposure:dt,k=6,seed=3"},
	{"eopp-rank", "eopp-rank:n_quantiles=50"},
};
#define N_FIXTURE (sizeof FIXTURE / sizeof *FIXTURE)

static char dir[64], csv[128], letor[128];

static const char *fixture_of(const char *name)
{
	for (size_t i = 0; i < N_FIXTURE; i++)
		if (!strcmp(FIXTURE[i].name, name))
			return FIXTURE[i].spec;
	return NULL;
}

/* ------------------------------------------------------------ predictors */

static int same_linear(const struct ft_linear_model *a, const struct ft_linear_model *b)
{
	if (!a || !b)
		return a == b;
	return a->type == b->type && a->p == b->p && a->n_groups == b->n_groups &&
	       !memcmp(a->coef, b->coef, a->p * sizeof *a->coef) &&
	       !memcmp(&a->intercept, &b->intercept, sizeof a->intercept) &&
	       (!a->n_groups ||
	        (!memcmp(a->group_coef, b->group_coef, a->n_groups * a->p * sizeof(double)) &&
	         !memcmp(a->group_intercept, b->group_intercept, a->n_groups * sizeof(double))));
}

static int same_thresholds(const struct ft_thresholds *a, const struct ft_thresholds *b)
{
	size_t n;

	if (!a || !b)
		return a == b;
	n = a->n_groups * sizeof(double);
	return a->n_groups == b->n_groups && !memcmp(a->t0, b->t0, n) &&
	       !memcmp(a->t1, b->t1, n) && !memcmp(a->p, b->p, n) &&
	       !memcmp(a->q, b->q, n) && !memcmp(a->c, b->c, n);
}

static int same_f64(const double *a, const double *b, size_t n)
{
	/* bit for bit, NaN equal to NaN */
	return n == 0 || (a && b && !memcmp(a, b, n * sizeof *a));
}

static int same_sizes(const size_t *a, const size_t *b, size_t n)
{
	return n == 0 || (a && b && !memcmp(a, b, n * sizeof *a));
}

/* Two feature transforms with the same tables and output names. */
static int same_transform(const struct ft_transform *a, const struct ft_transform *b)
{
	size_t p, G;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->p_in != b->p_in || a->p_out != b->p_out ||
	    a->n_groups != b->n_groups || a->needs_group != b->needs_group ||
	    !a->names != !b->names)
		return 0;
	for (size_t j = 0; a->names && j < a->p_out; j++)
		if (strcmp(a->names[j], b->names[j]))
			return 0;
	p = a->p_in;
	G = a->n_groups;
	switch (a->kind) {
	case FT_TRANSFORM_DIR: {
		const struct ft_transform_dir *x = &a->dir, *y = &b->dir;
		size_t nb = x->q_off[p];
		return x->repair_level == y->repair_level && same_sizes(x->val_off, y->val_off, p + 1) &&
		       same_f64(x->vals, y->vals, x->val_off[p]) && same_sizes(x->n_q, y->n_q, p) &&
		       same_sizes(x->q_off, y->q_off, p + 1) && same_f64(x->lo, y->lo, nb * G) &&
		       same_f64(x->hi, y->hi, nb * G) && same_sizes(x->target, y->target, nb);
	}
	case FT_TRANSFORM_CORR_REMOVE:
		return a->corr.alpha == b->corr.alpha && same_f64(a->corr.mean, b->corr.mean, p) &&
		       same_f64(a->corr.group_mean, b->corr.group_mean, G * p);
	case FT_TRANSFORM_LFR:
		return a->lfr.k == b->lfr.k && same_f64(a->lfr.prototypes, b->lfr.prototypes,
		                                        a->lfr.k * p) &&
		       same_f64(a->lfr.w, b->lfr.w, a->lfr.k) && a->lfr.Ax == b->lfr.Ax &&
		       a->lfr.Ay == b->lfr.Ay && a->lfr.Az == b->lfr.Az &&
		       !memcmp(&a->lfr.objective, &b->lfr.objective, sizeof(double));
	case FT_TRANSFORM_OPTIM_PRE: {
		const struct ft_transform_optim *x = &a->opt, *y = &b->opt;
		size_t nx = x->n_x;
		if (x->n_cols != y->n_cols || nx != y->n_x || x->pivots != y->pivots)
			return 0;
		for (size_t c = 0; c < x->n_cols; c++)
			if (x->is_cat[c] != y->is_cat[c])
				return 0;
		return same_sizes(x->col, y->col, x->n_cols) &&
		       same_sizes(x->n_levels, y->n_levels, x->n_cols) &&
		       same_sizes(x->cut_off, y->cut_off, x->n_cols + 1) &&
		       same_f64(x->cuts, y->cuts, x->cut_off[x->n_cols]) &&
		       same_f64(x->map, y->map, G * nx * nx) &&
		       same_f64(x->map_xy, y->map_xy, G * 4 * nx * nx) &&
		       same_f64(x->p_dxy, y->p_dxy, G * 2 * nx) && x->epsilon == y->epsilon &&
		       !memcmp(&x->objective, &y->objective, sizeof(double));
	}
	default:
		return 0;
	}
}

/* The same predictor bit for bit (frontier error and violation compared
 * when both have them: results.h5 and model files keep them). */
static int same_pred(const struct ft_predictor *a, const struct ft_predictor *b)
{
	if (!a || !b || a->kind != b->kind || !same_linear(a->linear, b->linear) ||
	    !same_thresholds(a->thresholds, b->thresholds) ||
	    !same_transform(a->transform, b->transform))
		return 0;
	if (a->kind == FT_PRED_MIXTURE) {
		if (!a->mixture || !b->mixture || a->mixture->k != b->mixture->k ||
		    memcmp(a->mixture->weight, b->mixture->weight, a->mixture->k * sizeof(double)))
			return 0;
		for (size_t k = 0; k < a->mixture->k; k++)
			if (!same_linear(a->mixture->h[k], b->mixture->h[k]))
				return 0;
	}
	if (a->kind == FT_PRED_FRONTIER) {
		const struct ft_frontier *x = a->frontier, *y = b->frontier;
		if (!x || !y || x->k != y->k || x->n_lambda != y->n_lambda ||
		    x->chosen != y->chosen ||
		    memcmp(x->lambda, y->lambda, x->k * x->n_lambda * sizeof(double)) ||
		    memcmp(x->error, y->error, x->k * sizeof(double)) ||
		    memcmp(x->violation, y->violation, x->k * sizeof(double)))
			return 0;
		for (size_t k = 0; k < x->k; k++)
			if (!same_linear(x->h[k], y->h[k]))
				return 0;
	}
	if (!a->eopp != !b->eopp)
		return 0;
	if (a->eopp) {
		const struct ft_eopp *x = a->eopp, *y = b->eopp;
		size_t m = x->off[x->n_groups];
		if (x->n_groups != y->n_groups || !same_sizes(x->off, y->off, x->n_groups + 1) ||
		    !same_f64(x->key, y->key, m) || !same_f64(x->val, y->val, m))
			return 0;
	}
	if (a->kind == FT_PRED_RANKER)
		return !strcmp(a->rerank ? a->rerank : "", b->rerank ? b->rerank : "");
	return 1;
}

static int same_predictions(const struct ft_predictions *a, const struct ft_predictions *b)
{
	if (a->n != b->n || a->n_queries != b->n_queries ||
	    memcmp(a->score, b->score, a->n * sizeof(double)) ||
	    (!a->p_positive) != (!b->p_positive) ||
	    (a->p_positive && memcmp(a->p_positive, b->p_positive, a->n * sizeof(double))))
		return 0;
	if (a->label && memcmp(a->label, b->label, a->n * sizeof(int)))
		return 0;
	if (a->order && (memcmp(a->order, b->order, a->n * sizeof(size_t)) ||
	                 memcmp(a->k, b->k, a->n_queries * sizeof(size_t))))
		return 0;
	return 1;
}

/* ------------------------------------------------------------------ data */

static int write_letor(const char *path)
{
	struct ft_rng r;
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	ft_rng_seed(&r, 11);
	for (int q = 0; q < 12; q++)
		for (int i = 0; i < 8; i++) {
			double a = ft_rng_normal(&r), b = ft_rng_normal(&r);
			int g = ft_rng_uniform(&r) < 0.4;
			double rel = round(1.0 + 0.9 * a + 0.3 * b - 0.5 * g +
			                   0.4 * ft_rng_normal(&r));
			fprintf(f, "%d qid:q%d 1:%.4f 2:%.4f 3:%d\n",
			        (int)fmax(0, fmin(3, rel)), q, a, b, g);
		}
	return fclose(f);
}

static void classify_opts(struct ft_train_opts *o, const char *spec, char **sens)
{
	ft_train_opts_init(o);
	o->data.data = csv;
	o->data.spec.target = "hired";
	o->data.spec.positive = "yes";
	o->data.spec.sensitive = sens;
	o->data.spec.n_sensitive = 1;
	o->data.spec.privileged = "male";
	o->measure.n_bootstrap = 0;
	o->measure.n_perm = 0;
	o->method = spec;
}

static void rank_opts(struct ft_train_opts *o, const struct ft_method *m, const char *spec)
{
	ft_train_opts_init(o);
	o->task = FT_TASK_RANK;
	o->data.data = letor;
	o->rank.letor = 1;
	o->rank.sensitive_feature = 3;
	o->rank.protected_group = "1";
	/* a re-ranker follows the unmitigated ranker */
	o->method = m->stage == FT_STAGE_RERANK ? "listnet:l2=0.01" : spec;
	o->rank.rerank = m->stage == FT_STAGE_RERANK ? spec : NULL;
}

/* ------------------------------------------------------------------ tests */

/* A row without a fixture fails; a fixture without a row too. */
static void test_every_row_has_a_fixture(void)
{
	size_t n;
	const struct ft_method *m = ft_method_list(&n);

	for (size_t i = 0; i < n; i++)
		T_CHECKF(fixture_of(m[i].name), "registry row '%s' has no fixture in "
		         "tests/unit/test_registry.c", m[i].name);
	for (size_t i = 0; i < N_FIXTURE; i++)
		T_CHECKF(ft_method_find(FIXTURE[i].name), "fixture '%s' has no registry row",
		         FIXTURE[i].name);
}

/* The diagnostics of a fit are finite and named. */
static int diag_ok(const struct ft_model_file *mf, const char *name)
{
	for (size_t i = 0; i < mf->n_diag; i++)
		if (!isfinite(mf->diag_values[i]) || !mf->diag_names[i][0]) {
			T_FAIL("%s: diagnostic '%s' = %g", name, mf->diag_names[i],
			       mf->diag_values[i]);
			return 0;
		}
	return 1;
}

/* Predictions are well-formed: classification scores in [0, 1], P(yhat =
 * 1) in [0, 1], labels 0/1; rankings a permutation within each query. */
static int predictions_ok(const struct ft_predictions *p, const char *name)
{
	if (p->n == 0) {
		T_FAIL("%s: no predictions", name);
		return 0;
	}
	for (size_t i = 0; i < p->n; i++)
		if (!isfinite(p->score[i]) ||
		    (p->task == FT_TASK_CLASSIFY &&
		     (p->score[i] < 0 || p->score[i] > 1 || (p->label[i] != 0 && p->label[i] != 1) ||
		      (p->p_positive && !(p->p_positive[i] >= 0 && p->p_positive[i] <= 1))))) {
			T_FAIL("%s: row %zu: score %g", name, i, p->score[i]);
			return 0;
		}
	if (p->task == FT_TASK_RANK) {
		char *seen = calloc(p->n, 1);
		int ok = seen != NULL;
		for (size_t q = 0; ok && q < p->n_queries; q++)
			for (size_t r = p->qoff[q]; r < p->qoff[q + 1]; r++) {
				size_t i = p->order[r];
				ok = i >= p->qoff[q] && i < p->qoff[q + 1] && !seen[i];
				if (ok)
					seen[i] = 1;
			}
		free(seen);
		if (!ok) {
			T_FAIL("%s: the order is not a permutation within queries", name);
			return 0;
		}
	}
	return 1;
}

static void one_row(const struct ft_method *m)
{
	const char *spec = fixture_of(m->name);
	char *sens[1] = {"gender"}, path[192];
	struct ft_train_opts o;
	struct ft_train_result *r1 = NULL, *r2 = NULL;
	struct ft_model_file *back = NULL;
	struct ft_predictions *p1 = NULL, *p2 = NULL;
	struct ft_apply_opts ao;
	struct ft_error err = { 0 };

	if (!spec)
		return;
	if (m->task == FT_TASK_CLASSIFY)
		classify_opts(&o, spec, sens);
	else
		rank_opts(&o, m, spec);
	ft_set_threads(1);
	if (ft_train(&o, &r1, &err)) {
		T_FAIL("%s: train (1 thread): %s", spec, err.msg);
		goto done;
	}
	ft_set_threads(2);
	if (ft_train(&o, &r2, &err)) {
		T_FAIL("%s: train (2 threads): %s", spec, err.msg);
		goto done;
	}
	T_CHECKF(same_pred(r1->mf->model, r2->mf->model), "%s: 1 and 2 threads give "
	         "different predictors", spec);
	T_CHECKF(same_pred(r1->mf->baseline, r2->mf->baseline), "%s: 1 and 2 threads give "
	         "different baselines", spec);
	if (!diag_ok(r1->mf, spec))
		goto done;
	if (m->stage == FT_STAGE_RERANK)
		T_CHECKF(r1->mf->model->rerank && !strcmp(r1->mf->model->rerank, spec),
		         "%s: the model's re-ranker is '%s'", spec,
		         r1->mf->model->rerank ? r1->mf->model->rerank : "(none)");
	else
		T_CHECKF(!strcmp(r1->mf->method, m->name), "%s: method '%s'", spec,
		         r1->mf->method);
	snprintf(path, sizeof path, "%s/%s.h5", dir, m->name);
	if (ft_model_save(path, r1->mf, &err) || ft_model_load(path, &back, &err)) {
		T_FAIL("%s: model file: %s", spec, err.msg);
		goto done;
	}
	T_CHECKF(same_pred(r1->mf->model, back->model) &&
	         same_pred(r1->mf->baseline, back->baseline),
	         "%s: the predictor read back differs", spec);
	T_CHECKF(back->n_params == r1->mf->n_params, "%s: %zu parameters read back, %zu "
	         "written", spec, back->n_params, r1->mf->n_params);
	ft_apply_opts_init(&ao);
	ao.data = o.data.data;
	if (ft_predict(r1->mf, &ao, &p1, &err) || ft_predict(back, &ao, &p2, &err)) {
		T_FAIL("%s: predict: %s", spec, err.msg);
		goto done;
	}
	if (predictions_ok(p1, spec))
		T_CHECKF(same_predictions(p1, p2), "%s: predictions differ after the round "
		         "trip", spec);
done:
	ft_set_threads(0);
	ft_predictions_free(p1);
	ft_predictions_free(p2);
	ft_model_file_free(back);
	ft_train_result_free(r1);
	ft_train_result_free(r2);
}

static void test_every_row_end_to_end(void)
{
	size_t n;
	const struct ft_method *m = ft_method_list(&n);

	for (size_t i = 0; i < n; i++) {
		int before = t_failed_now;
		one_row(&m[i]);
		printf("# %-15s %s\n", m[i].name, t_failed_now && !before ? "FAILED" : "ok");
	}
}

/* Every classification row in one comparison (a test file: one fold);
 * results.h5 holds each run's predictor as fitted. */
static void test_results_round_trip(void)
{
	size_t n, len = 0;
	const struct ft_method *m = ft_method_list(&n);
	char methods[4096] = "", *sens[1] = {"gender"}, out[192], path[256];
	struct ft_compare_opts o;
	struct ft_compare_result *r = NULL;
	struct ft_error err = { 0 };
	struct ft_h5r rd = { 0 };
	hid_t f = H5I_INVALID_HID;

	for (size_t i = 0; i < n; i++)
		if (m[i].task == FT_TASK_CLASSIFY && strcmp(m[i].name, "logreg"))
			len += (size_t)snprintf(methods + len, sizeof methods - len, "%s%s",
			                        len ? " " : "", fixture_of(m[i].name));
	ft_compare_opts_init(&o);
	o.data.data = csv;
	o.data.test = csv;
	o.data.spec.target = "hired";
	o.data.spec.positive = "yes";
	o.data.spec.sensitive = sens;
	o.data.spec.n_sensitive = 1;
	o.data.spec.privileged = "male";
	o.methods = methods;
	snprintf(out, sizeof out, "%s/compare", dir);
	if (ft_compare(&o, &r, &err) || ft_compare_write(r, out, 0, NULL, NULL, &err)) {
		T_FAIL("compare: %s", err.msg);
		goto done;
	}
	T_CHECK(r->n_failed == 0);
	snprintf(path, sizeof path, "%s/results.h5", out);
	rd.path = path;
	rd.err = &err;
	rd.what = "results file";
	/* the open every reader uses: checked, and file_len set for the
	 * readers' size bounds */
	if (ft_h5_open_verified(path, "results file", &f, &rd.file_len, NULL, &err)) {
		T_FAIL("%s does not open: %s", path, err.msg);
		goto done;
	}
	for (size_t k = 0; k < r->n_folds * r->sweep->n; k++) {
		const struct ft_compare_run *run = &r->runs[k];
		struct ft_predictor *p = NULL;
		char obj[64];
		if (!run->fitted)
			continue;
		hid_t g;
		int rc;
		snprintf(obj, sizeof obj, "/models/%04zu", k);
		if ((g = H5Gopen2(f, obj, H5P_DEFAULT)) < 0) {
			T_FAIL("%s is missing", obj);
			continue;
		}
		rc = ft_h5r_predictor(&rd, g, obj, "model", 0, r->folds[0].enc->feature_names,
		                      r->folds[0].enc->n_features, r->folds[0].enc->n_groups, &p);
		H5Gclose(g);
		if (rc) {
			T_FAIL("%s/model: %s", obj, err.msg);
			continue;
		}
		T_CHECKF(same_pred(&run->fo.pred, p), "%s (%s): the predictor in results.h5 "
		         "differs", obj, r->sweep->s[k % r->sweep->n].setting);
		ft_predictor_free(p);
	}
done:
	if (f >= 0)
		H5Fclose(f);
	ft_compare_result_free(r);
}

/* name at the start of an indented line of text, as a word */
static int listed(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *at = strstr(text, name); at; at = strstr(at + 1, name))
		if (at - text >= 3 && !strncmp(at - 3, "\n  ", 3) &&
		    (at[n] == ' ' || at[n] == '\n'))
			return 1;
	return 0;
}

/* Every row is listed by the --help of the commands that take it. */
static void test_every_row_in_help(void)
{
	const char *build = getenv("FAIRTRAIN_BUILD");
	static const char *const CMD[3] = {"train --help", "train --task rank --help",
	                                   "compare --help"};
	char *text[3] = {NULL, NULL, NULL};
	size_t n;
	const struct ft_method *m = ft_method_list(&n);

	for (int c = 0; c < 3; c++) {
		char cmd[512];
		size_t len = 0, cap = 1 << 16;
		FILE *p;
		snprintf(cmd, sizeof cmd, "%s/fairtrain %s 2>&1", build && *build ? build : "build",
		         CMD[c]);
		text[c] = calloc(cap + 1, 1);
		if (!text[c] || !(p = popen(cmd, "r"))) {
			T_FAIL("%s: cannot run", cmd);
			goto done;
		}
		len = fread(text[c], 1, cap, p);
		text[c][len] = '\0';
		T_CHECKF(pclose(p) == 0 && len > 0, "'%s' failed", cmd);
	}
	for (size_t i = 0; i < n; i++) {
		if (m[i].task == FT_TASK_CLASSIFY) {
			T_CHECKF(listed(text[0], m[i].name), "'%s' is not in 'train --help'",
			         m[i].name);
			T_CHECKF(listed(text[2], m[i].name), "'%s' is not in 'compare --help'",
			         m[i].name);
		} else {
			T_CHECKF(listed(text[1], m[i].name), "'%s' is not in 'train --task rank "
			         "--help'", m[i].name);
		}
	}
done:
	for (int c = 0; c < 3; c++)
		free(text[c]);
}

int main(void)
{
	struct ft_error err = { 0 };

	snprintf(dir, sizeof dir, "/tmp/ft-registry-XXXXXX");
	if (!mkdtemp(dir)) {
		printf("FAIL test_registry: no temp folder\n");
		return 1;
	}
	snprintf(csv, sizeof csv, "%s/synth.csv", dir);
	snprintf(letor, sizeof letor, "%s/rank.letor", dir);
	if (ft_synth_write(csv, 600, 3, &err) || write_letor(letor)) {
		printf("FAIL test_registry: fixture data: %s\n", err.msg);
		return 1;
	}
	T_RUN(test_every_row_has_a_fixture);
	T_RUN(test_every_row_end_to_end);
	T_RUN(test_results_round_trip);
	T_RUN(test_every_row_in_help);
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return t_done();
}
