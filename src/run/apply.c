/*
 * apply.c - a saved model on new data: ft_predict (decisions, or each
 * query's ranking after the saved re-ranker) and ft_eval (the before/after
 * table of the model and the baseline saved beside it).
 *
 * New data are read the way the training data were (the model's /read),
 * with the caller's read options where it says so, and encoded with the
 * model's encoder: predict keeps every row (missing features imputed, a
 * missing target or group allowed), eval drops rows without target or
 * group, as training did.  A model that reads each row's group (per-group
 * weights, group thresholds, a re-ranker) refuses rows without one, naming
 * the line.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"
#include "fair/rerankers.h"
#include "run/run.h"

void ft_apply_opts_init(struct ft_apply_opts *o)
{
	memset(o, 0, sizeof *o);
	ft_read_opts_init(&o->read);
	o->seed = 1;
	ft_measure_opts_init(&o->measure);
}

void ft_predictions_free(struct ft_predictions *p)
{
	if (!p)
		return;
	free(p->line);
	free(p->score);
	free(p->p_positive);
	free(p->label);
	free(p->target);
	ft_strv_free(p->qid, p->n_queries);
	free(p->qoff);
	free(p->order);
	free(p->k);
	free(p->group);
	ft_strv_free(p->group_names, p->n_groups);
	free(p->relevance);
	free(p->rerank);
	ft_strv_free(p->keep_names, p->n_keep);
	ft_strv_free(p->keep_values, p->n * p->n_keep);
	free(p);
}

void ft_eval_result_free(struct ft_eval_result *r)
{
	if (!r)
		return;
	ft_comparison_free(r->cmp);
	ft_explain_free(r->explain);
	free(r->rerank);
	ft_dp_audit_free(r->dp);
	free(r->budget);
	free(r);
}

static const char *data_name(const struct ft_apply_opts *o)
{
	return o->data ? o->data : o->table && o->table->path ? o->table->path : "(table)";
}

/* The model's read options with the caller's where read_set says. */
static struct ft_read_opts read_opts(const struct ft_model_file *mf,
                                     const struct ft_apply_opts *o)
{
	struct ft_read_opts ro = mf->read;

	if (o->read_set & (FT_READ_HEADER | FT_READ_NAMES))
		ro.header = o->read.header;
	if (o->read_set & FT_READ_NAMES) {
		ro.names = o->read.names;
		ro.n_names = o->read.n_names;
	}
	if (o->read_set & FT_READ_DELIMITER) {
		ro.delimiter = o->read.delimiter;
		ro.whitespace = o->read.whitespace;
	}
	if (o->read_set & FT_READ_SKIP)
		ro.skip_rows = o->read.skip_rows;
	if (o->read_set & FT_READ_MISSING) {
		ro.missing = o->read.missing;
		ro.n_missing = o->read.n_missing;
	}
	return ro;
}

/* The new data as a table: read (or the caller's, copied), filtered. */
static int read_table(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                      struct ft_table **t, size_t *n_filtered, struct ft_error *err)
{
	struct ft_data_opts d;
	struct ft_loaded *l = NULL;
	int rc;

	ft_data_opts_init(&d);
	d.data = o->data;
	d.files = o->files;
	d.n_files = o->n_files;
	d.table = o->table;
	d.read = read_opts(mf, o);
	d.filter = o->filter;
	d.n_filter = o->n_filter;
	d.split = 0;
	*t = NULL;
	if ((rc = ft_load_tables(&d, &l, err)))
		return rc;
	*t = l->train_t;
	l->train_t = NULL;
	if (n_filtered)
		*n_filtered = l->n_filtered;
	ft_loaded_free(l);
	return 0;
}

/* Can the rows of ds be decided by predictor p of mf (the sensitive group,
 * for per-group models, group thresholds and transforms by group)? */
static int check_groups(const struct ft_model_file *mf, const struct ft_predictor *p,
                        const struct ft_dataset *ds, const char *path, struct ft_error *err)
{
	const char *what = p->kind == FT_PRED_THRESHOLDS ? "uses group-specific thresholds" :
	                   p->transform && p->transform->needs_group ?
	                   "transforms each row's features by its group" :
	                   "scores each group with its own weights";

	if (!ft_predictor_needs_groups(p))
		return 0;
	if (!ds->group)
		return ft_error_set(err, FT_EDATA, "%s: this model (%s) %s: the data needs the "
		                    "sensitive column%s %s", path, mf->method, what,
		                    mf->enc->n_sensitive > 1 ? "s" : "",
		                    mf->enc->n_sensitive ? mf->enc->sensitive[0] : "");
	for (size_t i = 0; i < ds->n; i++)
		if (ds->group[i] < 0)
			return ft_error_set(err, FT_EDATA, "%s:%zu: group missing or not seen in "
			                    "training; this model %s", path, ds->line[i], what);
	return 0;
}

/* New data encoded with mf's encoder and checked for the groups the model
 * needs (mode: FT_APPLY_*); in a distributed run each rank's rows, the
 * outcome agreed, the counts summed over the ranks. */
static int encode_new(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                      const struct ft_table *t, int mode, struct ft_dataset **ds,
                      struct ft_encode_stats *st, struct ft_error *err)
{
	int rc = ft_encoder_apply(mf->enc, t, mode, ds, st, err);

	if (!rc)
		rc = check_groups(mf, mf->model, *ds, data_name(o), err);
	if ((rc = ft_dist_agree(rc, err)))
		return rc;
	ft_run_sum_stats(st);
	if (ft_dist_on() && mode == FT_APPLY_TRAIN && ft_run_rows((*ds)->n) == 0)
		return ft_encode_none_left(t->path, st, err);
	return 0;
}

/* ---------------------------------------------------------- ranking */

/* The re-ranker in use (the saved one, or the caller's; "none" is none):
 * *have 0 without one. */
static int rank_reranker(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                         struct ft_method_spec *rr, int *have, const char **spec,
                         struct ft_error *err)
{
	struct ft_error e2 = {0};
	int rc;

	*spec = o->rerank ? o->rerank : mf->model->rerank ? mf->model->rerank : "";
	*have = **spec && strcmp(*spec, "none");
	if (!*have)
		return 0;
	if ((rc = ft_method_spec_parse(*spec, FT_TASK_RANK, FT_STAGE_RERANK, rr, &e2)) ||
	    (rc = ft_rerank_check_groups(rr, mf->enc->n_groups, &e2))) {
		if (o->rerank)
			return ft_error_set(err, FT_EINVAL, "re-ranker: %s", e2.msg);
		return ft_error_set(err, FT_EFORMAT, "%s: the saved re-ranker '%s': %s",
		                    data_name(o), *spec, e2.msg);
	}
	/* eopp-rank sorts by the score map saved with the model; without one
	 * (another model's file, --rerank eopp-rank given here) it says so */
	rr->eopp = mf->model->eopp;
	if (ft_run_is_eopp(rr) && !rr->eopp)
		return ft_error_set(err, FT_EINVAL, "re-ranker eopp-rank: the model has no "
		                    "score map (train --task rank --rerank eopp-rank fits one on "
		                    "the training part)");
	return 0;
}

/* The protected group's index, or -1. */
static int32_t rank_protected(const struct ft_model_file *mf)
{
	const char *pg = mf->ranking->protected_group;

	for (size_t g = 0; *pg && g < mf->enc->n_groups; g++)
		if (!strcmp(mf->enc->group_names[g], pg))
			return (int32_t)g;
	return -1;
}

/* New data as the ranking model reads them (mode TRAIN drops rows without
 * relevance or group, PREDICT keeps them); *has_rel: the data carry
 * relevance labels. */
static int rank_read(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                     int mode, struct ft_rank_data **out, int *has_rel,
                     size_t *n_dropped, size_t *n_filtered, size_t *n_extra,
                     struct ft_dist_part *part, struct ft_error *err)
{
	const struct ft_model_ranking *rk = mf->ranking;
	struct ft_table *t = NULL;
	struct ft_rank_data *raw = NULL;
	struct ft_encode_stats st = {0};
	int rc;

	*out = NULL;
	*n_dropped = *n_extra = 0;
	if (!strcmp(rk->format, "letor")) {
		*has_rel = 1;
		if (!o->data)
			return ft_error_set(err, FT_EINVAL, "a LETOR model reads a file, not a table");
		if (!(rc = ft_letor_read(o->data, &raw, err)) &&
		    !(rc = ft_letor_apply(mf->enc, (size_t)rk->sensitive_feature,
		                          rk->protected_value, rk->group_values, raw, out, n_extra,
		                          err)) &&
		    *n_extra)
			ft_run_warn(o->mon, "%s: %zu feature index%s beyond the model's %zu ignored",
			            o->data, *n_extra, *n_extra == 1 ? "" : "es", mf->enc->n_cols);
		ft_rank_data_free(raw);
		/* a distributed run: every rank read it all and keeps its queries */
		if (!rc && ft_dist_on())
			rc = ft_run_rank_keep_own(out, part, err);
		return rc;
	}
	if ((rc = read_table(mf, o, &t, n_filtered, err)))
		return rc;
	*has_rel = ft_table_col(t, rk->relevance) >= 0;
	if (mode == FT_APPLY_TRAIN && !*has_rel)
		rc = ft_error_set(err, FT_EDATA, "%s: no relevance column '%s': eval measures "
		                  "against relevance labels", data_name(o), rk->relevance);
	else if (!(rc = ft_dist_on() ?
	               ft_run_rank_spread_table(t, mf->enc, rk->query, mode, out, part, &st,
	                                        err) :
	               ft_rank_data_from_table(t, mf->enc, rk->query, mode, out, &st, err))) {
		*n_dropped = st.n_dropped;
		ft_run_warn_stats(o->mon, data_name(o), &st);
	}
	ft_table_free(t);
	return rc;
}

/* The predictions' arrays of a ranking of rd (the model's groups e: the
 * group column is there whenever the model has groups, empty where the
 * data have none). */
static int rank_fill(struct ft_predictions *p, const struct ft_rank_data *rd,
                     int has_rel, const struct ft_encoder *e)
{
	size_t n = rd->n ? rd->n : 1, nq = rd->n_queries;

	p->task = FT_TASK_RANK;
	p->n = rd->n;
	p->n_queries = nq;
	if (!(p->line = malloc(n * sizeof *p->line)) ||
	    !(p->score = malloc(n * sizeof *p->score)) ||
	    !(p->order = malloc(n * sizeof *p->order)) ||
	    !(p->k = malloc((nq ? nq : 1) * sizeof *p->k)) ||
	    !(p->qoff = malloc((nq + 1) * sizeof *p->qoff)) ||
	    !(p->qid = ft_strv_copy(rd->qid, nq)))
		return FT_ENOMEM;
	memcpy(p->line, rd->line, rd->n * sizeof *p->line);
	memcpy(p->qoff, rd->qoff, (nq + 1) * sizeof *p->qoff);
	if (has_rel) {
		if (!(p->relevance = malloc(n * sizeof *p->relevance)))
			return FT_ENOMEM;
		memcpy(p->relevance, rd->rel, rd->n * sizeof *p->relevance);
	}
	if (e->n_groups) {
		p->n_groups = e->n_groups;
		if (!(p->group = malloc(n * sizeof *p->group)) ||
		    !(p->group_names = ft_strv_copy(e->group_names, e->n_groups)))
			return FT_ENOMEM;
		for (size_t i = 0; i < rd->n; i++)
			p->group[i] = rd->group ? rd->group[i] : -1;
	}
	return 0;
}

static int predict_rank(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                        struct ft_predictions *p, struct ft_error *err)
{
	struct ft_rank_data *rd = NULL, *g = NULL;
	struct ft_method_spec rr;
	struct ft_dist_part part;
	const char *spec;
	size_t n_dropped = 0;
	double *s = NULL, *all = NULL;
	int have_rr, has_rel = 0, rc, solo = 0;

	if (o->n_keep)
		return ft_error_set(err, FT_EINVAL, "keep: a ranking model's predictions "
		                    "carry the query, id, group and relevance; no other "
		                    "columns");

	memset(&part, 0, sizeof part);
	if (o->deterministic)
		return ft_error_set(err, FT_EINVAL, "deterministic: the model is a ranker");
	if ((rc = rank_reranker(mf, o, &rr, &have_rr, &spec, err)) ||
	    (rc = rank_read(mf, o, FT_APPLY_PREDICT, &rd, &has_rel, &n_dropped, NULL,
	                    &p->n_extra, &part, err)))
		goto done;
	if (ft_dist_on()) {
		/* each rank scores its queries; rank 0 orders and keeps every
		 * rank's (rank_dist.c) */
		const double *sc[1];
		if ((s = ft_xalloc(rd->n, sizeof *s)))
			ft_rank_scores(rd, mf->model->linear->coef, s);
		sc[0] = s;
		if ((rc = ft_dist_agree(s ? 0 : ft_error_set(err, FT_ENOMEM, "out of memory"),
		                        err)) ||
		    (rc = ft_run_rank_gather(rd, sc, 1, &g, &all, err)))
			goto done;
		ft_rank_data_free(rd);
		rd = g;
		g = NULL;
		/* what follows is rank 0's alone */
		solo = rd != NULL;
		if (solo)
			ft_dist_solo(1);
	}
	if (!(p->rerank = ft_strdup(have_rr ? spec : "")) ||
	    (rd && rank_fill(p, rd, has_rel, mf->enc))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if (!rd)       /* a rank other than 0 of a distributed run */
		goto done;
	if (all)
		memcpy(p->score, all, rd->n * sizeof *p->score);
	else
		ft_rank_scores(rd, mf->model->linear->coef, p->score);
	/* an order is stable or random; the expectation (for metrics) writes
	 * the input order of ties */
	p->ties = o->measure.ties == FT_TIE_RANDOM ? FT_TIE_RANDOM : FT_TIE_STABLE;
	if ((rc = ft_rank_orders(rd, p->score, have_rr ? &rr : NULL, rank_protected(mf),
	                         p->ties, o->measure.tie_seed, p->order, p->k, &p->n_short,
	                         err)))
		goto done;
	for (size_t q = 0; q < rd->n_queries; q++) {
		size_t t = 0, ns = 0;
		if ((rc = ft_rank_ties(p->score + rd->qoff[q], rd->qoff[q + 1] - rd->qoff[q], &t,
		                       &ns, err)))
			goto done;
		p->n_tied += t;
		p->n_tie_sets += ns;
	}
	/* order holds positions within each query: make them row indices */
	for (size_t q = 0; q < rd->n_queries; q++)
		for (size_t r = rd->qoff[q]; r < rd->qoff[q + 1]; r++)
			p->order[r] += rd->qoff[q];
	if (p->n_tied)
		ft_run_warn(o->mon, "%s: %zu items share their score with another item of their "
		            "query (%zu sets); %s", data_name(o), p->n_tied, p->n_tie_sets,
		            ft_tie_rule(p->ties));
	if (have_rr)
		ft_run_warn_short(o->mon, data_name(o), &rr, p->n_short, rd->n_queries);
done:
	if (solo)
		ft_dist_solo(0);
	if (ft_dist_on())
		rc = ft_dist_agree(rc, err);
	ft_dist_part_free(&part);
	ft_rank_data_free(rd);
	free(s);
	free(all);
	return rc;
}

static int eval_rank(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                     struct ft_eval_result *r, struct ft_error *err)
{
	struct ft_rank_data *rd = NULL;
	struct ft_method_spec rr;
	struct ft_dist_part part;
	struct ft_error e2 = {0};
	const char *spec;
	int have_rr, has_rel = 0, rc;

	memset(&part, 0, sizeof part);
	if ((rc = rank_reranker(mf, o, &rr, &have_rr, &spec, err)) ||
	    (rc = rank_read(mf, o, FT_APPLY_TRAIN, &rd, &has_rel, &r->n_dropped,
	                    &r->n_filtered, &r->n_extra, &part, err)))
		goto done;
	if (ft_run_rows(rd->n) == 0) {
		rc = ft_error_set(err, FT_EDATA, "%s: no rows to measure", data_name(o));
		goto done;
	}
	if (!(r->rerank = ft_strdup(have_rr ? spec : "")) ||
	    !(r->cmp = calloc(1, sizeof *r->cmp))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	{
		struct ft_run_rankers M = {mf->baseline ? mf->baseline->linear->coef : NULL,
		                           mf->model->linear->coef, 0, have_rr ? &rr : NULL,
		                           rank_protected(mf)};
		r->cmp->level = o->measure.level;
		r->cmp->n_bootstrap = o->measure.n_bootstrap;
		r->cmp->seed = o->seed;
		if ((rc = ft_run_rank_part(r->cmp, "eval", rd, &M, &o->measure, &r->n_short,
		                           &e2))) {
			ft_error_set(err, rc, "%s: %s", data_name(o), e2.msg);
			goto done;
		}
	}
	r->n_measured = ft_run_rows(rd->n);
	r->n_queries = ft_run_rows(rd->n_queries);
	if (have_rr)
		ft_run_warn_short(o->mon, data_name(o), &rr, r->n_short, r->n_queries);
done:
	ft_dist_part_free(&part);
	ft_rank_data_free(rd);
	return rc;
}

/* ---------------------------------------------------- classification */

/* The per-row arrays of p (and the decisions pos), this rank's rows, as
 * every rank's on rank 0 (n the total) and none elsewhere (n 0): only
 * rank 0 writes the predictions.  Nothing to do in one process. */
static int gather_predictions(struct ft_predictions *p, double **pos, struct ft_error *err)
{
	void **a[4] = {(void **)&p->line, (void **)&p->score, (void **)pos,
	               (void **)&p->target};
	size_t elem[4] = {sizeof *p->line, sizeof *p->score, sizeof **pos,
	                  sizeof *p->target}, *off = NULL, tot;
	int rc = 0;

	if (!ft_dist_on())
		return 0;
	for (int k = 0; k < 4 && !rc; k++) {
		void *all = NULL;
		int64_t absent = *a[k] == NULL;
		ft_dist_max_i64(&absent, 1);
		if (absent)
			continue;
		if ((rc = ft_dist_gather0(*a[k], p->n * elem[k], &all, &off)))
			break;
		free(off);
		free(*a[k]);
		*a[k] = ft_dist_me() == 0 ? all : malloc(1);
		if (!*a[k])
			rc = FT_ENOMEM;
	}
	tot = ft_run_rows(p->n);
	p->n = ft_dist_me() == 0 ? tot : 0;
	rc = ft_dist_agree(rc, NULL);
	return rc ? ft_error_set(err, rc, "out of memory") : 0;
}

/* Copy the input columns o->keep of every encoded row of t into p. */
static int keep_columns(const struct ft_table *t, const struct ft_dataset *ds,
                        const struct ft_apply_opts *o, struct ft_predictions *p,
                        struct ft_error *err)
{
	static const char *const OURS[] = {"id", "score", "p_positive", "label", "target"};
	long col[64];

	if (!o->n_keep)
		return 0;
	/* the kept cells would have to travel to rank 0 with the rows */
	if (ft_dist_on())
		return ft_error_set(err, FT_EINVAL, "keep: not available in a distributed "
		                    "run");
	if (o->n_keep > sizeof col / sizeof *col)
		return ft_error_set(err, FT_EINVAL, "keep: at most %zu columns",
		                    sizeof col / sizeof *col);
	for (size_t k = 0; k < o->n_keep; k++) {
		for (size_t j = 0; j < sizeof OURS / sizeof *OURS; j++)
			if (!strcmp(o->keep[k], OURS[j]))
				return ft_error_set(err, FT_EINVAL, "keep: '%s' is a column of the "
				                    "predictions already", o->keep[k]);
		if ((col[k] = ft_table_col(t, o->keep[k])) < 0)
			return ft_error_set(err, FT_EINVAL, "%s: no column '%s' to keep",
			                    data_name(o), o->keep[k]);
	}
	p->keep_names = calloc(o->n_keep, sizeof *p->keep_names);
	p->keep_values = calloc(ds->n * o->n_keep + 1, sizeof *p->keep_values);
	if (!p->keep_names || !p->keep_values)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	p->n_keep = o->n_keep;
	p->n = ds->n;               /* for ft_predictions_free on failure */
	for (size_t k = 0; k < o->n_keep; k++)
		if (!(p->keep_names[k] = ft_strdup(o->keep[k])))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
	for (size_t i = 0; i < ds->n; i++)
		for (size_t k = 0; k < o->n_keep; k++)
			if (!(p->keep_values[i * o->n_keep + k] =
			      ft_strdup(ft_table_cell(t, ds->row ? ds->row[i] : i, (size_t)col[k]))))
				return ft_error_set(err, FT_ENOMEM, "out of memory");
	return 0;
}

static int predict_classify(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                            struct ft_predictions *p, struct ft_error *err)
{
	struct ft_table *t = NULL;
	struct ft_dataset *ds = NULL;
	struct ft_encode_stats st;
	struct ft_rng rng;
	struct ft_error e2 = {0};
	double *pos = NULL;
	size_t n;
	int rc, randomized;

	if (o->deterministic && mf->model->kind != FT_PRED_MIXTURE)
		return ft_error_set(err, FT_EINVAL, "deterministic: the model holds no "
		                    "randomized mixture (method %s)", mf->method);
	if ((rc = read_table(mf, o, &t, NULL, err)) ||
	    (rc = encode_new(mf, o, t, FT_APPLY_PREDICT, &ds, &st, err)))
		goto done;
	ft_run_warn_stats(o->mon, data_name(o), &st);
	if (st.n_imputed)
		ft_run_warn(o->mon, "%s: %zu missing cell%s imputed", data_name(o), st.n_imputed,
		            st.n_imputed == 1 ? "" : "s");
	p->task = FT_TASK_CLASSIFY;
	if ((rc = keep_columns(t, ds, o, p, err)))
		goto done;
	p->n = n = ds->n;
	p->n_imputed = st.n_imputed;
	p->n_unseen = st.n_unseen;
	randomized = ft_predictor_randomized(mf->model) &&
	             !(o->deterministic && mf->model->kind == FT_PRED_MIXTURE);
	pos = malloc((n ? n : 1) * sizeof *pos);
	if (!pos || !(p->line = malloc((n ? n : 1) * sizeof *p->line)) ||
	    !(p->score = malloc((n ? n : 1) * sizeof *p->score)) ||
	    !(p->label = malloc((n ? n : 1) * sizeof *p->label)) ||
	    (ds->y && !(p->target = malloc((n ? n : 1) * sizeof *p->target)))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = ft_predictor_decide(mf->model, ds, 0.5, o->deterministic, p->score, pos,
	                              &e2)))
		ft_error_set(err, rc, "%s: %s", data_name(o), e2.msg);
	for (size_t i = 0; !rc && i < n; i++) {
		p->line[i] = ds->line[i];
		if (p->target)
			p->target[i] = ds->y[i];
	}
	/* a distributed run: every rank's rows, in order, on rank 0 */
	if ((rc = ft_dist_agree(rc, err)) || (rc = gather_predictions(p, &pos, err)))
		goto done;
	n = p->n;
	if (ft_dist_on()) {
		int *lab = realloc(p->label, (n ? n : 1) * sizeof *p->label);
		if (!lab) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
		p->label = lab;
	}
	/* a randomized model's label is one draw of P(yhat = 1): u_i < pos_i
	 * with u_i the i-th uniform of the seed's stream */
	ft_rng_seed(&rng, o->seed);
	for (size_t i = 0; i < n; i++) {
		p->label[i] = randomized ? ft_rng_uniform(&rng) < pos[i] : p->score[i] >= 0.5;
		if (p->target)
			p->target[i] = p->target[i] < 0 ? -1 : p->target[i] > 0.5;
	}
	if (randomized) {
		p->p_positive = pos;
		pos = NULL;
	}
done:
	free(pos);
	ft_dataset_free(ds);
	ft_table_free(t);
	return rc;
}

static int eval_classify(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                         struct ft_eval_result *r, struct ft_error *err)
{
	struct ft_table *t = NULL;
	struct ft_dataset *ds = NULL;
	struct ft_encode_stats st;
	struct ft_dist_part part;
	size_t np = o->measure.n_perm;
	int rc;

	memset(&part, 0, sizeof part);
	if ((rc = read_table(mf, o, &t, &r->n_filtered, err)) ||
	    (rc = encode_new(mf, o, t, FT_APPLY_TRAIN, &ds, &st, err)) ||
	    (!o->allow_no_positive &&
	     (rc = ft_run_check_positive(t, ds, mf->enc, "the evaluation rows",
	                                 "--allow-no-positive", err))))
		goto done;
	ft_run_warn_stats(o->mon, data_name(o), &st);
	if (!(r->cmp = ft_run_comparison_new(&o->measure, o->seed))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	/* the explanation's sums: whole chunks on each rank */
	if ((rc = ft_run_align(ds, &part, err)) ||
	    (mf->baseline && (rc = ft_run_measure(r->cmp, np, "baseline", "eval", mf->baseline,
	                                          0, ds, mf->enc, err))) ||
	    (rc = ft_run_measure(r->cmp, np, "mitigated", "eval", mf->model, 0, ds, mf->enc,
	                         err)) ||
	    (mf->model->kind == FT_PRED_MIXTURE &&
	     (rc = ft_run_measure(r->cmp, np, "mitigated_deterministic", "eval", mf->model, 1,
	                          ds, mf->enc, err))) ||
	    (rc = ft_run_explain_parts(mf->model->linear, mf->model->transform, ds, "mitigated", "eval", mf->enc, ds,
	                               ft_dist_on() ? &part : NULL, ft_dist_on() ? &part : NULL,
	                               &r->explain, err)) ||
	    (o->measure.dp_epsilon > 0 &&
	     (rc = ft_run_dp_measure(&o->measure, mf->model, ds, mf->enc, "eval", &r->budget,
	                             &r->dp, err))))
		goto done;
	r->n_read = st.n_in + r->n_filtered;
	r->n_measured = ft_run_rows(ds->n);
	r->n_dropped = st.n_dropped;
done:
	ft_dist_part_free(&part);
	ft_dataset_free(ds);
	ft_table_free(t);
	return rc;
}

static int rerank_needs_ranking(const struct ft_model_file *mf,
                                const struct ft_apply_opts *o, struct ft_error *err)
{
	if (!mf->ranking && o->rerank)
		return ft_error_set(err, FT_EINVAL, "a classification model (method %s): "
		                    "a re-ranker needs a ranking model", mf->method);
	return 0;
}

int ft_predict(const struct ft_model_file *mf, const struct ft_apply_opts *o,
               struct ft_predictions **out, struct ft_error *err)
{
	struct ft_predictions *p = calloc(1, sizeof *p);
	int rc;

	ft_error_clear(err);
	*out = NULL;
	if (!p)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	ft_threads_setup();
	rc = rerank_needs_ranking(mf, o, err);
	if (!rc)
		rc = mf->ranking ? predict_rank(mf, o, p, err) : predict_classify(mf, o, p, err);
	if (rc) {
		ft_predictions_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int ft_eval(const struct ft_model_file *mf, const struct ft_apply_opts *o,
            struct ft_eval_result **out, struct ft_error *err)
{
	struct ft_eval_result *r = calloc(1, sizeof *r);
	int rc;

	ft_error_clear(err);
	*out = NULL;
	if (!r)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	ft_threads_setup();
	rc = rerank_needs_ranking(mf, o, err);
	if (!rc && !mf->ranking)
		rc = ft_run_check_measure(&o->measure, err);
	if (!rc)
		rc = mf->ranking && o->measure.dp_epsilon > 0 ?
		     ft_error_set(err, FT_EINVAL, "a ranking model: the private release is for "
		                  "classification models") :
		     mf->ranking ? eval_rank(mf, o, r, err) : eval_classify(mf, o, r, err);
	if (rc) {
		ft_eval_result_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* ------------------------------------------------------------- output */

static int write_classify(const struct ft_predictions *p, FILE *fp)
{
	char b[FT_FMT_DOUBLE_LEN];

	if (fputs("id", fp) == EOF)
		return -1;
	for (size_t k = 0; k < p->n_keep; k++)
		if (fputc(',', fp) == EOF || ft_csv_field(fp, p->keep_names[k]))
			return -1;
	if (fprintf(fp, ",score%s,label%s\n", p->p_positive ? ",p_positive" : "",
	            p->target ? ",target" : "") < 0)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		int r = fprintf(fp, "%zu", p->line[i]);
		for (size_t k = 0; r >= 0 && k < p->n_keep; k++)
			r = fputc(',', fp) == EOF || ft_csv_field(fp, p->keep_values[i * p->n_keep + k]) ?
			    -1 : 0;
		if (r >= 0)
			r = fprintf(fp, ",%s", ft_fmt_double(b, p->score[i]));
		if (r >= 0 && p->p_positive)
			r = fprintf(fp, ",%s", ft_fmt_double(b, p->p_positive[i]));
		if (r >= 0)
			r = fprintf(fp, ",%d", p->label[i]);
		if (r >= 0 && p->target)
			r = p->target[i] < 0 ? fprintf(fp, ",") :
			    fprintf(fp, ",%d", (int)p->target[i]);
		if (r < 0 || fputc('\n', fp) == EOF)
			return -1;
	}
	return 0;
}

/* query,rank,id,score[,group][,relevance], per query by rank; the items
 * past a query's k have an empty rank. */
static int write_rank(const struct ft_predictions *p, FILE *fp)
{
	char b[FT_FMT_DOUBLE_LEN];

	if (fprintf(fp, "query,rank,id,score%s%s\n", p->n_groups ? ",group" : "",
	            p->relevance ? ",relevance" : "") < 0)
		return -1;
	for (size_t q = 0; q < p->n_queries; q++) {
		size_t lo = p->qoff[q], n = p->qoff[q + 1] - lo;
		for (size_t r = 0; r < n; r++) {
			size_t i = p->order[lo + r];
			int e = ft_csv_field(fp, p->qid[q]);
			if (!e)
				e = r < p->k[q] ? fprintf(fp, ",%zu", r + 1) < 0 : fputc(',', fp) == EOF;
			if (!e)
				e = fprintf(fp, ",%zu,%s", p->line[i], ft_fmt_double(b, p->score[i])) < 0;
			if (!e && p->n_groups)
				e = fputc(',', fp) == EOF || (p->group[i] >= 0 &&
				    ft_csv_field(fp, p->group_names[p->group[i]]));
			if (!e && p->relevance)
				e = isnan(p->relevance[i]) ? fputc(',', fp) == EOF :
				    fprintf(fp, ",%s", ft_fmt_double(b, p->relevance[i])) < 0;
			if (e || fputc('\n', fp) == EOF)
				return -1;
		}
	}
	return 0;
}

int ft_predictions_csv(const struct ft_predictions *p, FILE *fp)
{
	return p->task == FT_TASK_RANK ? write_rank(p, fp) : write_classify(p, fp);
}
