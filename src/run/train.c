/*
 * train.c - ft_train: one training run, the work of `fairtrain train`.
 *
 * Classification (this file): read, filter, split, encode (ft_load); fit
 * the unmitigated baseline (weighted L2 logistic regression) and the
 * method on the same encoded data, the baseline being the method's warm
 * start; measure both on the training and the test part (every per-group
 * metric, every fairness summary with bootstrap intervals, permutation
 * tests of the gaps), and a randomized model also by its single best
 * predictor; explain the gap and the proxies; the model file with
 * provenance.  Ranking is train_rank.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/dist.h"
#include "run/run.h"

void ft_train_opts_init(struct ft_train_opts *o)
{
	memset(o, 0, sizeof *o);
	o->task = FT_TASK_CLASSIFY;
	ft_data_opts_init(&o->data);
	ft_logreg_params_init(&o->lr);
	ft_measure_opts_init(&o->measure);
}

void ft_train_result_free(struct ft_train_result *r)
{
	if (!r)
		return;
	ft_model_file_free(r->mf);
	ft_explain_free(r->explain);
	free(r->group_count);
	free(r);
}

/* dp_row_norm > 0: the row_norm parameter of s (a private method). */
static int set_row_norm(const struct ft_train_opts *o, struct ft_method_spec *s,
                        struct ft_error *err)
{
	if (o->dp_row_norm == 0)
		return 0;
	if (!(o->dp_row_norm > 0 && o->dp_row_norm <= 1e6))
		return ft_error_set(err, FT_EINVAL, "the row norm bound must be in (0, 1e6], "
		                    "not %g", o->dp_row_norm);
	for (size_t k = 0; k < s->method->n_params; k++)
		if (!strcmp(s->method->params[k].name, "row_norm")) {
			if (s->given[k] && s->params[k] != o->dp_row_norm)
				return ft_error_set(err, FT_EINVAL, "method %s: row_norm = %g and a row "
				                    "norm bound of %g: give one", s->method->name,
				                    s->params[k], o->dp_row_norm);
			s->params[k] = o->dp_row_norm;
			return 0;
		}
	return ft_error_set(err, FT_EINVAL, "method %s clips no rows: a row norm bound is for "
	                    "the private methods (dp-logreg, dp-reweigh, dp-threshold, dp-eg)",
	                    s->method->name);
}

/* The run's budget: its total (o->dp_total_*, or none); made when the run
 * releases anything privately (before the encoder, which may spend). */
static int run_budget(const struct ft_train_opts *o, int needed, struct ft_budget **out,
                      struct ft_error *err)
{
	int rc;

	if (*out || !(needed || o->dp_total_epsilon > 0 || o->measure.dp_epsilon > 0 ||
	              o->dp_encoder_epsilon > 0))
		return 0;
	if (!(*out = calloc(1, sizeof **out)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = ft_budget_init(*out, o->dp_total_epsilon > 0 ? o->dp_total_epsilon : INFINITY,
	                         o->dp_total_delta, err))) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* Public bounds of the numeric columns (o->dp_bounds): the encoder's
 * standardization from them, or estimated privately inside them, then
 * every part encoded again and clipped to the bounds. */
static int private_encoding(const struct ft_train_opts *o, struct ft_loaded *l,
                            struct ft_budget *bud, struct ft_error *err)
{
	struct ft_noise ns;
	int rc;

	if (!o->n_dp_bounds)
		return 0;
	ft_noise_init(&ns, o->measure.dp_seed);
	if (o->dp_encoder_epsilon > 0)
		rc = ft_dp_encoder_private(l->enc, l->train_t, o->dp_bounds, o->n_dp_bounds,
		                           o->dp_encoder_epsilon, &ns, bud, err);
	else
		rc = ft_dp_encoder_bounds(l->enc, o->dp_bounds, o->n_dp_bounds, err);
	if (rc)
		return rc;
	bud->seeded |= ns.seeded;
	for (int part = 0; part < 2; part++) {
		struct ft_table *t = part ? l->test_t : l->train_t;
		struct ft_dataset **d = part ? &l->test : &l->train;
		struct ft_encode_stats *st = part ? &l->st_test : &l->st_train;
		if (!t)
			continue;
		ft_dataset_free(*d);
		*d = NULL;
		if ((rc = ft_encoder_apply(l->enc, t, FT_APPLY_TRAIN, d, st, err)) ||
		    (rc = ft_dp_clip_numeric(l->enc, *d, o->dp_bounds, o->n_dp_bounds, err)))
			return rc;
	}
	return 0;
}

int ft_train_check(const struct ft_train_opts *o, struct ft_error *err)
{
	struct ft_method_spec s;
	const char *bad;
	int rc;

	ft_error_clear(err);
	if (o->task == FT_TASK_RANK && (o->measure.dp_epsilon > 0 || o->dp_total_epsilon > 0 ||
	                                o->dp_row_norm > 0 || o->n_dp_bounds ||
	                                o->dp_encoder_epsilon > 0))
		return ft_error_set(err, FT_EINVAL, "the private options are for classification, "
		                    "not rankers");
	if (o->task == FT_TASK_RANK)
		return ft_train_rank_check(o, err);
	if (o->task != FT_TASK_CLASSIFY)
		return ft_error_set(err, FT_EINVAL, "unknown task %d", o->task);
	if (!o->data.data && !o->data.table)
		return ft_error_set(err, FT_EINVAL, "no training data");
	if (!o->data.spec.target || !o->data.spec.positive)
		return ft_error_set(err, FT_EINVAL, "no %s", o->data.spec.target ?
		                    "positive label (the favourable value of the target)" :
		                    "target column");
	if ((rc = ft_method_spec_parse(o->method ? o->method : "logreg", FT_TASK_CLASSIFY,
	                               -1, &s, err)) ||
	    (rc = set_row_norm(o, &s, err)))
		return rc;
	if (!(o->dp_total_epsilon >= 0 && o->dp_total_epsilon <= 1e6) ||
	    !(o->dp_total_delta >= 0 && o->dp_total_delta < 1))
		return ft_error_set(err, FT_EINVAL, "the run's budget must have epsilon in "
		                    "(0, 1e6] and delta in [0, 1)");
	if (!(o->dp_encoder_epsilon >= 0 && o->dp_encoder_epsilon <= 1e6))
		return ft_error_set(err, FT_EINVAL, "the encoder's epsilon must be in (0, 1e6]");
	if (o->dp_encoder_epsilon > 0 && !o->n_dp_bounds)
		return ft_error_set(err, FT_EINVAL, "private encoder statistics need public bounds "
		                    "of the numeric columns to clamp to");
	if (o->dp_total_epsilon > 0 && strncmp(s.method->name, "dp-", 3))
		return ft_error_set(err, FT_EINVAL, "a private run (a total budget) needs a "
		                    "private method (dp-logreg, dp-reweigh, dp-threshold, dp-eg), "
		                    "not %s", s.method->name);
	if (s.method->needs_groups && o->data.spec.n_sensitive == 0)
		return ft_error_set(err, FT_EINVAL, "method %s needs a sensitive attribute",
		                    s.method->name);
	if ((bad = ft_logreg_check(&o->lr)) != NULL)
		return ft_error_set(err, FT_EINVAL, "%s", bad);
	return ft_run_check_measure(&o->measure, err);
}

/* The training data's name in messages. */
static const char *data_name(const struct ft_data_opts *d)
{
	return d->data ? d->data : d->table && d->table->path ? d->table->path : "(table)";
}

/* The bytes of l's encoded rows (ft_mem_trim's measure of a run's size). */
static size_t rows_bytes(const struct ft_loaded *l)
{
	const struct ft_dataset *d[2] = {l->train, l->test};
	size_t b = 0;

	for (int k = 0; k < 2; k++)
		if (d[k])
			b += d[k]->n * (d[k]->n_num * sizeof *d[k]->num +
			                d[k]->n_cat * sizeof *d[k]->code + 2 * sizeof(double));
	return b;
}

static int same_model(const struct ft_linear_model *a, const struct ft_linear_model *b)
{
	return a->type == b->type && a->p == b->p && a->intercept == b->intercept &&
	       a->n_groups == b->n_groups &&
	       memcmp(a->coef, b->coef, a->p * sizeof *a->coef) == 0;
}

/* The method's fit on l's training part beside the baseline already in
 * mf->baseline: mf->model, its solver result and diagnostics. */
static int fit_method(const struct ft_train_opts *o, const struct ft_method_spec *s,
                      struct ft_loaded *l, struct ft_model_file *mf,
                      struct ft_fit_output *fo, struct ft_error *err)
{
	struct ft_fit_input fi;
	struct ft_error e2 = {0};
	int rc;

	if (!strcmp(s->method->name, "logreg")) {
		/* the baseline itself */
		if (!(fo->pred.linear = calloc(1, sizeof *fo->pred.linear)))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		*fo->pred.linear = *mf->baseline->linear;
		if (!(fo->pred.linear->coef = malloc((fo->pred.linear->p ? fo->pred.linear->p : 1) *
		                                     sizeof(double)))) {
			free(fo->pred.linear);
			fo->pred.linear = NULL;
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		}
		memcpy(fo->pred.linear->coef, mf->baseline->linear->coef,
		       fo->pred.linear->p * sizeof(double));
		fo->res = mf->solver_result;
		return 0;
	}
	memset(&fi, 0, sizeof fi);
	fi.train = l->train;
	fi.n_groups = l->enc->n_groups;
	fi.group_names = (const char *const *)l->enc->group_names;
	fi.privileged = ft_run_privileged(l->enc);
	fi.lr = &o->lr;
	fi.baseline = mf->baseline->linear;
	fi.baseline_objective = mf->solver_result.f;
	fi.params = s->params;
	if ((rc = ft_run_progress(o->mon, "fit", 1, 2, s->method->name, err)))
		return rc;
	if ((rc = ft_run_fit(s->method, &fi, l->enc, fo, &e2)))
		return ft_error_set(err, rc, "%s: %s", data_name(&o->data), e2.msg);
	if (!fo->pred.linear)
		return ft_error_set(err, FT_EINVAL, "%s: the fit returned no model",
		                    s->method->name);
	/* post-processing leaves the baseline's fit as it was */
	if (s->method->stage != FT_STAGE_POST)
		mf->solver_result = fo->res;
	return 0;
}

/* Baseline, mitigated (and mitigated_deterministic) on both parts. */
static int measure_parts(const struct ft_train_opts *o, const struct ft_loaded *l,
                         struct ft_model_file *mf, struct ft_error *err)
{
	size_t np = o->measure.n_perm;
	int rc;

	for (int part = 0; part < 2; part++) {
		const struct ft_dataset *ds = part ? l->test : l->train;
		const char *split = part ? "test" : "train";
		if (!ds)
			continue;
		if ((rc = ft_run_progress(o->mon, "measure", (size_t)part, 2, split, err)) ||
		    (rc = ft_run_measure(mf->comparison, np, "baseline", split, mf->baseline, 0,
		                         ds, l->enc, err)))
			return rc;
		/* a method that leaves the model as it was (logreg itself) gets the
		 * baseline's rows: the same scores, data and seed give the same
		 * numbers, intervals included, at no cost */
		if (!ft_predictor_randomized(mf->model) &&
		    same_model(mf->model->linear, mf->baseline->linear))
			rc = ft_run_copy_rows(mf->comparison, "baseline", "mitigated", split, err);
		else
			rc = ft_run_measure(mf->comparison, np, "mitigated", split, mf->model, 0,
			                    ds, l->enc, err);
		/* a randomized mixture is also reported by its single best predictor */
		if (!rc && mf->model->kind == FT_PRED_MIXTURE)
			rc = ft_run_measure(mf->comparison, np, "mitigated_deterministic", split,
			                    mf->model, 1, ds, l->enc, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int train_classify(const struct ft_train_opts *o, struct ft_train_result *r,
                          struct ft_error *err)
{
	struct ft_method_spec s;
	struct ft_loaded *l = NULL;
	struct ft_model_file *mf = NULL;
	struct ft_fit_output fo;
	struct ft_error e2 = {0};
	int rc;

	memset(&fo, 0, sizeof fo);
	if ((rc = ft_method_spec_parse(o->method ? o->method : "logreg", FT_TASK_CLASSIFY,
	                               -1, &s, err)) ||
	    (rc = set_row_norm(o, &s, err)) ||
	    (rc = ft_load_ex(&o->data, NULL, o->mon, !o->n_dp_bounds, &l, err)))
		goto done;
	if (!(mf = calloc(1, sizeof *mf))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = run_budget(o, o->n_dp_bounds > 0, &mf->budget, err)) ||
	    (rc = private_encoding(o, l, mf->budget, err)))
		goto done;
	/* the tables of text are encoded: nothing below reads them, and at
	 * scale they are as big as the encoded rows (issue 20 item 7) */
	ft_table_free(l->train_t);
	ft_table_free(l->test_t);
	l->train_t = l->test_t = NULL;
	if (o->dp_total_epsilon > 0 && l->enc->n_num && !o->n_dp_bounds) {
		rc = ft_error_set(err, FT_EINVAL, "%s: a private run needs public bounds of every "
		                  "numeric feature (%s, ...): the means and sds of the data would "
		                  "leak", data_name(&o->data), l->enc->feature_names[0]);
		goto done;
	}
	mf->private_run = o->dp_total_epsilon > 0;
	ft_run_warn_stats(o->mon, o->data.test ? o->data.test : data_name(&o->data),
	                  &l->st_test);
	if (!(mf->baseline = calloc(1, sizeof *mf->baseline)) ||
	    !(mf->model = calloc(1, sizeof *mf->model))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = ft_run_progress(o->mon, "fit", 0, 2, "logreg", err)))
		goto done;
	/* a distributed run: the training rows' sums add along the ranks */
	if (l->dist)
		ft_dist_scope_push(&l->dist->train);
	if ((rc = ft_logreg_fit(l->train, &o->lr, &mf->baseline->linear, &mf->solver_result,
	                        &e2)))
		ft_error_set(err, rc, "%s: %s", data_name(&o->data), e2.msg);
	else
		rc = fit_method(o, &s, l, mf, &fo, err);
	if (l->dist)
		ft_dist_scope_pop();
	if (rc || (rc = run_budget(o, fo.budget != NULL, &mf->budget, err)))
		goto done;
	if (fo.budget) {
		struct ft_error e3 = {0};
		/* without a total the run's delta is the method's own bound */
		if (o->dp_total_epsilon == 0 && fo.budget->delta > mf->budget->delta)
			mf->budget->delta = fo.budget->delta;
		if ((rc = ft_budget_merge(mf->budget, fo.budget, &e3))) {
			ft_error_set(err, rc, "the run's budget: %s", e3.msg);
			goto done;
		}
	}
	*mf->model = fo.pred;
	memset(&fo.pred, 0, sizeof fo.pred);
	if ((rc = ft_run_store_method(mf, &s, fo.n_diag,
	                              (const char (*)[FT_DIAG_NAME])fo.diag_name, fo.diag,
	                              err)))
		goto done;
	if (!(mf->comparison = ft_run_comparison_new(&o->measure, o->data.seed))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	ft_mem_trim(rows_bytes(l));   /* the fits' scratch, before the measurement's */
	if ((rc = measure_parts(o, l, mf, err)))
		goto done;
	if (o->measure.dp_epsilon > 0) {
		const char *split = l->test ? "test" : "train";
		if (!(mf->dp_split = ft_strdup(split))) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		if ((rc = ft_run_dp_measure(&o->measure, mf->model, l->test ? l->test : l->train,
		                            l->enc, split, &mf->budget, &mf->dp, err)))
			goto done;
	}
	ft_mem_trim(rows_bytes(l));
	if ((rc = ft_run_progress(o->mon, "explain", 0, 1, NULL, err)) ||
	    (rc = ft_run_explain(mf->model, l, &r->explain, err)) ||
	    (rc = ft_run_provenance(mf, &o->data, (const char (*)[65])l->sha256,
	                            (const char (*)[65])l->sha256_files, o->command_line,
	                            err)))
		goto done;
	mf->C = o->lr.C;
	mf->fit_intercept = o->lr.fit_intercept;
	mf->solver_opts = o->lr.solver;
	mf->n_train = ft_run_rows(l->train->n);
	mf->n_test = l->test ? ft_run_rows(l->test->n) : 0;
	mf->n_dropped = l->st_train.n_dropped + l->st_test.n_dropped;
	mf->seed = o->data.seed;
	mf->split = o->data.test || o->data.test_table ? 0 : o->data.split;
	r->n_rows_file = l->n_rows_file;
	r->n_filtered = l->n_filtered;
	r->has_test = l->test != NULL;
	if (!(r->group_count = calloc(l->enc->n_groups + 1, sizeof *r->group_count))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; l->train->group && i < l->train->n; i++)
		if (l->train->group[i] >= 0)
			r->group_count[l->train->group[i]]++;
	for (size_t g = 0; g < l->enc->n_groups; g++)
		r->group_count[g] = ft_run_rows(r->group_count[g]);
	/* the model file owns the encoder from here */
	mf->enc = l->enc;
	l->owns_enc = 0;
	r->mf = mf;
	mf = NULL;
done:
	ft_fit_output_clear(&fo);
	ft_model_file_free(mf);
	ft_loaded_free(l);
	return rc;
}

int ft_train(const struct ft_train_opts *o, struct ft_train_result **out,
             struct ft_error *err)
{
	struct ft_train_result *r;
	int rc;

	ft_error_clear(err);
	*out = NULL;
	if ((rc = ft_train_check(o, err)))
		return rc;
	if (!(r = calloc(1, sizeof *r)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	ft_threads_setup();
	rc = o->task == FT_TASK_RANK ? ft_train_rank(o, r, err) : train_classify(o, r, err);
	if (rc) {
		ft_train_result_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
