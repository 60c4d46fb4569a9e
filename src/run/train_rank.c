/*
 * train_rank.c - ft_train of task rank: ranking data from a table or a
 * LETOR file -> a linear ranker with a fairness method of the registry,
 * beside it the unmitigated baseline -> optional re-ranking -> ranking
 * metrics before/after -> a model file with /ranking.
 *
 * The work is the library's: ListNet / RankNet and DELTR (Zehlike &
 * Castillo, WWW 2020) and the pairwise fairness regularizer / constraint
 * (Beutel et al., KDD 2019) through ft_rank_fit; FA*IR and Geyik's Det*
 * re-rankers through the registry (src/fair/rerankers.c); the metrics in
 * rank.c.  Choices (README, "Fair ranking"):
 *  - the baseline is the same loss, features and mode (reference or exact)
 *    as the method, without its fairness term; for listnet and ranknet the
 *    two are the same fit and share their rows;
 *  - a re-ranker orders each query's top k from the mitigated model's
 *    scores (src/fair/rerankers.c);
 *  - LETOR data are used as given (no standardization): the model file
 *    keeps a pass-through encoder with one column per feature index of the
 *    training file; the protected group comes from one of them, and other
 *    files are aligned to those indices (src/data/letor_encode.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"
#include "fair/rerankers.h"
#include "run/run.h"

/* The data of a ranking run (in a distributed run each rank's queries,
 * laid out by ptrain and ptest; counts over every rank). */
struct rank_loaded {
	struct ft_run_rank_split s;
	size_t n_rows_file, n_filtered;
	char sha256[2][65];
	struct ft_dist_part ptrain, ptest;
};

static void rank_loaded_free(struct rank_loaded *L)
{
	ft_run_rank_split_free(&L->s);
	ft_dist_part_free(&L->ptrain);
	ft_dist_part_free(&L->ptest);
}

/* The protected feature value of a LETOR run. */
static int letor_value(const struct ft_rank_opts *ro, double *v)
{
	char *end;

	*v = strtod(ro->protected_group, &end);
	return *ro->protected_group && !*end && isfinite(*v) ? 0 : -1;
}

/* The training data's name in messages: the file, or the name of a table
 * given in memory. */
static const char *data_name(const struct ft_train_opts *o)
{
	return ft_run_data_name(&o->data);
}

/* A fit's message e2 with the data's name in front, unless it names the
 * data already (the ranking fits name rd->path: no 'x.letor: x.letor:'). */
static int fit_error(const struct ft_train_opts *o, int rc, const struct ft_error *e2,
                     struct ft_error *err)
{
	const char *n = data_name(o);
	size_t l = strlen(n);

	if (strncmp(e2->msg, n, l) == 0 && e2->msg[l] == ':')
		return ft_error_set(err, rc, "%s", e2->msg);
	return ft_error_set(err, rc, "%s: %s", n, e2->msg);
}

int ft_train_rank_check(const struct ft_train_opts *o, struct ft_error *err)
{
	const struct ft_rank_opts *ro = &o->rank;
	struct ft_method_spec s, rr;
	double v;
	int groups = ro->letor ? ro->sensitive_feature > 0 : o->data.spec.n_sensitive > 0;
	int rc;

	if (!o->data.data && (ro->letor || !o->data.table))
		return ft_error_set(err, FT_EINVAL, "no training data");
	if (!ro->letor && ro->sensitive_feature)
		return ft_error_set(err, FT_EINVAL, "a sensitive feature is for LETOR data "
		                    "(a table has sensitive columns)");
	if (!ro->letor && (!ro->query || !ro->relevance))
		return ft_error_set(err, FT_EINVAL, "ranking a table needs its query and "
		                    "relevance columns");
	if (groups != (ro->protected_group != NULL))
		return ft_error_set(err, FT_EINVAL, ro->protected_group ?
		                    "a protected group needs a sensitive %s" :
		                    "a sensitive %s needs the protected group",
		                    ro->letor ? "feature" : "column");
	if (ro->letor && ro->protected_group && letor_value(ro, &v))
		return ft_error_set(err, FT_EINVAL, "the protected group of LETOR data is the "
		                    "sensitive feature's value (a number), not '%s'",
		                    ro->protected_group);
	if (ro->colorblind && !ro->protected_group)
		return ft_error_set(err, FT_EINVAL, "colorblind needs a sensitive attribute");
	if (ro->group_values && !(ro->letor && ro->sensitive_feature))
		return ft_error_set(err, FT_EINVAL, "groups by value are for a LETOR sensitive "
		                    "feature");
	if ((rc = ft_run_rank_check(&o->measure, 0, err)))
		return rc;
	if ((rc = ft_method_spec_parse(o->method ? o->method : "listnet", FT_TASK_RANK,
	                               FT_STAGE_IN, &s, err)))
		return rc;
	if (s.method->needs_groups && !ro->protected_group)
		return ft_error_set(err, FT_EINVAL, "method %s needs groups: a sensitive "
		                    "attribute and the protected group", s.method->name);
	if (ro->rerank && strcmp(ro->rerank, "none")) {
		if ((rc = ft_method_spec_parse(ro->rerank, FT_TASK_RANK, FT_STAGE_RERANK, &rr,
		                               err)))
			return rc;
		if (!ro->protected_group)
			return ft_error_set(err, FT_EINVAL, "re-ranking needs groups: a sensitive "
			                    "attribute and the protected group");
	}
	return 0;
}

void ft_run_rank_spec(const struct ft_rank_opts *ro, struct ft_data_opts *d)
{
	d->split = 0;
	d->spec.target = ro->relevance;
	d->spec.numeric_target = 1;
	d->spec.query = ro->query;
	d->spec.use_sensitive = !ro->colorblind;
	d->spec.raw_numeric = ro->raw_numeric;
}

int ft_run_rank_encode_csv(const struct ft_data_opts *d, const struct ft_rank_opts *ro,
                           const struct ft_table *tr, const struct ft_table *te,
                           struct ft_run_rank_split *out, struct ft_dist_part *ptrain,
                           struct ft_dist_part *ptest, struct ft_error *err)
{
	struct ft_data_opts dd = *d;
	struct ft_encode_stats s1 = {0};
	int rc;

	ft_run_rank_spec(ro, &dd);
	if ((rc = ft_encoder_fit(tr, &dd.spec, &out->enc, err)))
		return rc;
	if (ft_dist_on() && ptrain) {
		/* both parts: whole queries on each rank */
		if ((rc = ft_run_rank_spread_table(tr, out->enc, ro->query, FT_APPLY_TRAIN,
		                                   &out->train, ptrain, &s1, err)) ||
		    (te && (rc = ft_run_rank_spread_table(te, out->enc, ro->query, FT_APPLY_TRAIN,
		                                          &out->test, ptest, &out->st_test,
		                                          err))))
			return rc;
	} else if ((rc = ft_rank_data_from_table(tr, out->enc, ro->query, FT_APPLY_TRAIN,
	                                         &out->train, &s1, err)) ||
	           (te && (rc = ft_rank_data_from_table(te, out->enc, ro->query,
	                                                FT_APPLY_TRAIN, &out->test,
	                                                &out->st_test, err)))) {
		return rc;
	}
	out->n_dropped = s1.n_dropped + out->st_test.n_dropped;
	return 0;
}

int ft_run_rank_encode_letor(const struct ft_rank_opts *ro, const char *path,
                             struct ft_rank_data *tr, const struct ft_rank_data *te,
                             struct ft_run_rank_split *out, struct ft_error *err)
{
	size_t extra = 0, K = ro->sensitive_feature;
	double V = 0;
	int rc;

	if (ro->protected_group)
		letor_value(ro, &V);
	if (K > tr->p)
		return ft_error_set(err, FT_EINVAL, "%s: sensitive feature %zu: the file has %zu "
		                    "features", path, K, tr->p);
	if (K && (rc = ro->group_values ? ft_rank_data_groups_by_values(tr, K - 1, err) :
	               ft_rank_data_group_by_feature(tr, K - 1, V, err)))
		return rc;
	if (!(out->enc = ft_letor_encoder(tr, K, ro->colorblind)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (out->enc->n_features == 0)
		return ft_error_set(err, FT_EDATA, "%s: no features left without the sensitive "
		                    "one", path);
	if ((rc = ft_letor_apply(out->enc, K, V, ro->group_values, tr, &out->train, &extra,
	                         err)) ||
	    (te && (rc = ft_letor_apply(out->enc, K, V, ro->group_values, te, &out->test,
	                                &out->n_extra, err))))
		return rc;
	return 0;
}

void ft_run_rank_split_free(struct ft_run_rank_split *s)
{
	ft_rank_data_free(s->train);
	ft_rank_data_free(s->test);
	ft_encoder_free(s->enc);
	memset(s, 0, sizeof *s);
}

/* A table: read, filter, split by query (or the test file), fit the
 * encoder on the training part, ranking data of both parts. */
static int load_csv(const struct ft_train_opts *o, struct rank_loaded *L,
                    struct ft_error *err)
{
	const struct ft_rank_opts *ro = &o->rank;
	struct ft_data_opts d = o->data;
	struct ft_loaded *l = NULL;
	struct ft_table *tr = NULL, *te = NULL;
	int rc;

	/* read and filter only: the split is by query, the encoder ranking's */
	ft_run_rank_spec(ro, &d);
	if ((rc = ft_load_tables(&d, &l, err)))
		return rc;
	memcpy(L->sha256, l->sha256, sizeof L->sha256);
	L->n_rows_file = l->n_rows_file;
	L->n_filtered = l->n_filtered;
	if (!l->test_t && o->data.split > 0) {
		if ((rc = ft_table_split_query(l->train_t, ro->query, o->data.split,
		                               o->data.seed, &tr, &te, err)))
			goto done;
	} else {
		tr = l->train_t;
		te = l->test_t;
		l->train_t = l->test_t = NULL;
	}
	if ((rc = ft_run_rank_encode_csv(&o->data, ro, tr, te, &L->s, &L->ptrain, &L->ptest,
	                                 err)))
		goto done;
	ft_run_warn_stats(o->mon, o->data.test ? o->data.test : data_name(o), &L->s.st_test);
done:
	ft_table_free(tr);
	ft_table_free(te);
	ft_loaded_free(l);
	return rc;
}

/* LETOR: read, split by query (or the test file), groups from the
 * sensitive feature, the pass-through encoder, both parts aligned to it. */
static int load_letor(const struct ft_train_opts *o, struct rank_loaded *L,
                      struct ft_error *err)
{
	const struct ft_data_opts *d = &o->data;
	struct ft_rank_data *raw = NULL, *tr = NULL, *te = NULL;
	int rc;

	if ((rc = ft_letor_read(d->data, &raw, err)) ||
	    (rc = ft_sha256_file(d->data, L->sha256[0], err)) ||
	    (d->test && ((rc = ft_letor_read(d->test, &te, err)) ||
	                 (rc = ft_sha256_file(d->test, L->sha256[1], err)))))
		goto done;
	L->n_rows_file = raw->n;
	if (!d->test && d->split > 0) {
		if ((rc = ft_rank_data_split(raw, d->split, d->seed, &tr, &te, err)))
			goto done;
		/* the parts are copies: the whole file's matrix is not needed
		 * any more (it was a third of the peak) */
		ft_rank_data_free(raw);
		raw = NULL;
	} else {
		tr = raw;
		raw = NULL;
	}
	if ((rc = ft_run_rank_encode_letor(&o->rank, d->data, tr, te, &L->s, err)))
		goto done;
	if (L->s.n_extra)
		ft_run_warn(o->mon, "%s: %zu feature index%s beyond the training file's %zu "
		            "ignored", d->test, L->s.n_extra, L->s.n_extra == 1 ? "" : "es",
		            L->s.enc->n_cols);
	/* a distributed run: each rank read it all and keeps its queries */
	if (ft_dist_on() && ((rc = ft_run_rank_keep_own(&L->s.train, &L->ptrain, err)) ||
	                     (L->s.test && (rc = ft_run_rank_keep_own(&L->s.test, &L->ptest,
	                                                              err)))))
		goto done;
done:
	ft_rank_data_free(raw);
	ft_rank_data_free(tr);
	ft_rank_data_free(te);
	return rc;
}

int ft_run_rank_protected(const struct ft_rank_opts *ro, const char *path,
                          const struct ft_encoder *e, const struct ft_rank_data *train,
                          int32_t *prot, struct ft_error *err)
{
	const char *want = ro->protected_group;
	char name[64], list[256] = "";
	size_t n_prot = 0;

	*prot = -1;
	if (!want)
		return 0;
	if (ro->letor) {
		double v = 0;
		char b[FT_FMT_DOUBLE_LEN];

		letor_value(ro, &v);
		/* the name ft_rank_data_group_by_feature (or _groups_by_values)
		 * gives the protected group */
		if (ro->group_values)
			snprintf(name, sizeof name, "%s=%.15g", e->sensitive[0], v);
		else
			snprintf(name, sizeof name, "%s=%s", e->sensitive[0], ft_fmt_double(b, v));
		want = name;
	}
	for (size_t g = 0; g < e->n_groups; g++)
		if (!strcmp(e->group_names[g], want))
			*prot = (int32_t)g;
	if (*prot < 0) {
		for (size_t g = 0, at = 0; g < e->n_groups && at < sizeof list; g++)
			at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", g ? ", " : "",
			                       e->group_names[g]);
		return ft_error_set(err, FT_EDATA, "%s: protected group '%s' is not a group of "
		                    "the training data (groups: %s)", path, ro->protected_group,
		                    list);
	}
	if (e->n_groups < 2)
		return ft_error_set(err, FT_EDATA, "%s: one group only (%s) in the training "
		                    "data", path, e->group_names[0]);
	for (size_t i = 0; i < train->n && !n_prot; i++)
		n_prot += train->group[i] == *prot;
	if (!ft_run_rows(n_prot))
		return ft_error_set(err, FT_EDATA, "%s: no training document in the protected "
		                    "group '%s'", path, e->group_names[*prot]);
	return 0;
}

/* A ranker's linear model with weights w. */
static struct ft_linear_model *ranker(const double *w, size_t p)
{
	struct ft_linear_model *m = calloc(1, sizeof *m);

	if (!m || !(m->coef = malloc((p ? p : 1) * sizeof *m->coef))) {
		free(m);
		return NULL;
	}
	m->type = FT_MODEL_RANKER;
	m->p = p;
	memcpy(m->coef, w, p * sizeof *w);
	return m;
}

static struct ft_model_ranking *ranking_info(const struct ft_rank_opts *ro,
                                             const char *prot)
{
	struct ft_model_ranking *rk = calloc(1, sizeof *rk);

	if (!rk)
		return NULL;
	rk->format = ft_strdup(ro->letor ? "letor" : "csv");
	rk->query = ft_strdup(ro->letor ? "" : ro->query);
	rk->relevance = ft_strdup(ro->letor ? "" : ro->relevance);
	rk->protected_group = ft_strdup(prot ? prot : "");
	rk->colorblind = ro->colorblind;
	rk->sensitive_feature = ro->sensitive_feature;
	rk->group_values = ro->group_values;
	if (ro->letor && ro->protected_group)
		letor_value(ro, &rk->protected_value);
	if (!rk->format || !rk->query || !rk->relevance || !rk->protected_group) {
		free(rk->format);
		free(rk->query);
		free(rk->relevance);
		free(rk->protected_group);
		free(rk);
		return NULL;
	}
	return rk;
}

/* The model file of the fit: both rankers, the re-ranker, /ranking. */
static int assemble(const struct ft_train_opts *o, struct rank_loaded *L,
                    const struct ft_method_spec *s, const struct ft_method_spec *rr,
                    const double *w, const double *wb, int32_t prot,
                    struct ft_train_result *r, struct ft_model_file *mf,
                    struct ft_error *err)
{
	char spec[512];
	int rc;

	if (!(mf->model = calloc(1, sizeof *mf->model)) ||
	    !(mf->baseline = calloc(1, sizeof *mf->baseline)) ||
	    !(mf->model->linear = ranker(w, L->s.train->p)) ||
	    !(mf->baseline->linear = ranker(wb, L->s.train->p)) ||
	    !(mf->ranking = ranking_info(&o->rank, prot >= 0 ? L->s.enc->group_names[prot] :
	                                 NULL)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	mf->model->kind = mf->baseline->kind = FT_PRED_RANKER;
	if (rr)
		ft_method_spec_format(rr, spec, sizeof spec);
	if (!(mf->model->rerank = ft_strdup(rr ? spec : "")))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = ft_run_store_method(mf, s, r->fit.n_diag,
	                              (const char (*)[FT_DIAG_NAME])r->fit.diag_name,
	                              r->fit.diag, err)) ||
	    (rc = ft_run_provenance(mf, &o->data, (const char (*)[65])L->sha256, NULL,
	                            o->command_line, err)))
		return rc;
	{
		struct ft_rank_params p;
		s->method->rank_params(s->params, &p, err);
		mf->solver_opts = p.solver;
	}
	mf->solver_result = r->fit.res;
	mf->n_train = ft_run_rows(L->s.train->n);
	mf->n_test = L->s.test ? ft_run_rows(L->s.test->n) : 0;
	mf->n_dropped = L->s.n_dropped;
	mf->seed = o->data.seed;
	mf->split = o->data.test || o->data.test_table ? 0 : o->data.split;
	return 0;
}

/* Both parts measured.  A re-ranker that fails (a query it cannot order)
 * does not throw the finished fits away: the model is measured and saved
 * without it, with a warning (r->rerank_ok = 0). */
static int measure(const struct ft_train_opts *o, const struct rank_loaded *L,
                   const double *w, const double *wb, int same,
                   const struct ft_method_spec *rr, int32_t prot,
                   struct ft_model_file *mf, struct ft_train_result *r,
                   struct ft_error *err)
{
	struct ft_run_rankers M = {wb, w, same, rr, prot};
	struct ft_error e2 = {0};
	int rc;

	r->rerank_ok = rr != NULL;
	rc = ft_run_rank_part(mf->comparison, "train", L->s.train, &M, &o->measure,
	                      &r->n_short_train, &e2);
	if (!rc && L->s.test)
		rc = ft_run_rank_part(mf->comparison, "test", L->s.test, &M, &o->measure,
		                      &r->n_short_test, &e2);
	if (rc && rr && rc != FT_ENOMEM && rc != FT_ECANCELED) {
		ft_run_warn(o->mon, "%s: re-ranker %s failed (%s); the models are saved "
		            "without it", data_name(o),
		            rr->method->name, e2.msg);
		r->rerank_ok = 0;
		r->n_short_train = r->n_short_test = 0;
		M.rr = NULL;
		ft_comparison_free(mf->comparison);
		if (!(mf->comparison = ft_run_comparison_new(&o->measure, o->data.seed)))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		ft_error_clear(&e2);
		rc = ft_run_rank_part(mf->comparison, "train", L->s.train, &M, &o->measure,
		                      &r->n_short_train, &e2);
		if (!rc && L->s.test)
			rc = ft_run_rank_part(mf->comparison, "test", L->s.test, &M, &o->measure,
			                      &r->n_short_test, &e2);
	}
	if (rc)
		return ft_error_set(err, rc, "%s", e2.msg);
	if (rr && r->rerank_ok) {
		ft_run_warn_short(o->mon, "train", rr, r->n_short_train, L->s.train->n_queries);
		if (L->s.test)
			ft_run_warn_short(o->mon, "test", rr, r->n_short_test, L->s.test->n_queries);
	}
	return 0;
}

int ft_train_rank(const struct ft_train_opts *o, struct ft_train_result *r,
                  struct ft_error *err)
{
	struct rank_loaded L;
	struct ft_method_spec s, rr;
	struct ft_rank_params rp, bp;
	struct ft_model_file *mf = NULL;
	struct ft_error e2 = {0};
	int have_rr = o->rank.rerank && strcmp(o->rank.rerank, "none"), rc;
	double *w = NULL, *wb = NULL;
	int32_t prot = -1;
	struct ft_eopp *eopp = NULL;

	memset(&L, 0, sizeof L);
	if ((rc = ft_method_spec_parse(o->method ? o->method : "listnet", FT_TASK_RANK,
	                               FT_STAGE_IN, &s, err)) ||
	    (rc = s.method->rank_params(s.params, &rp, err)) ||
	    (have_rr && (rc = ft_method_spec_parse(o->rank.rerank, FT_TASK_RANK,
	                                           FT_STAGE_RERANK, &rr, err))) ||
	    (rc = ft_run_progress(o->mon, "read", 0, 0, o->data.data, err)) ||
	    (rc = o->rank.letor ? load_letor(o, &L, err) : load_csv(o, &L, err)) ||
	    (rc = ft_run_rank_protected(&o->rank, data_name(o),
	                                L.s.enc, L.s.train, &prot, err)) ||
	    (rc = ft_run_rank_check(&o->measure, L.s.enc->n_groups, err)) ||
	    (have_rr && (rc = ft_rerank_check_groups(&rr, L.s.enc->n_groups, err))))
		goto done;
	if (prot >= 0)
		rp.protected_group = prot;
	bp = rp;
	bp.fair = FT_RANK_FAIR_NONE;
	bp.target_ratio = 0;
	r->same_fit = rp.fair == FT_RANK_FAIR_NONE;
	w = calloc(L.s.train->p ? L.s.train->p : 1, sizeof *w);
	wb = calloc(L.s.train->p ? L.s.train->p : 1, sizeof *wb);
	mf = calloc(1, sizeof *mf);
	if (!w || !wb || !mf ||
	    !(mf->comparison = ft_run_comparison_new(&o->measure, o->data.seed))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = ft_run_progress(o->mon, "fit", 0, 2, "baseline", err)))
		goto done;
	/* a distributed run: the training queries' sums add along the ranks */
	if (ft_dist_on())
		ft_dist_scope_push(&L.ptrain);
	if ((rc = ft_rank_fit(L.s.train, &bp, wb, &r->baseline_fit, &e2))) {
		fit_error(o, rc, &e2, err);
	} else if (r->same_fit) {
		memcpy(w, wb, L.s.train->p * sizeof *w);
		r->fit = r->baseline_fit;
	} else if ((rc = ft_run_progress(o->mon, "fit", 1, 2, s.method->name, err)) ||
	           (rc = ft_rank_fit(L.s.train, &rp, w, &r->fit, &e2))) {
		if (rc != FT_ECANCELED)
			fit_error(o, rc, &e2, err);
	}
	if (ft_dist_on())
		ft_dist_scope_pop();
	if (rc)
		goto done;
	/* eopp-rank learns its score map from the training part's items as the
	 * mitigated ranker scores them */
	if (have_rr && ft_run_is_eopp(&rr)) {
		if ((rc = ft_run_progress(o->mon, "fit", 1, 2, rr.method->name, err)) ||
		    (rc = ft_run_fit_eopp(L.s.train, w, &rr, &eopp, &e2))) {
			if (rc != FT_ECANCELED)
				rc = ft_error_set(err, rc, "%s: eopp-rank: %s", data_name(o), e2.msg);
			goto done;
		}
		rr.eopp = eopp;
	}
	if ((rc = ft_run_progress(o->mon, "measure", 0, 1, NULL, err)) ||
	    (rc = measure(o, &L, w, wb, r->same_fit, have_rr ? &rr : NULL, prot, mf, r, err)))
		goto done;
	have_rr = have_rr && r->rerank_ok;
	if ((rc = assemble(o, &L, &s, have_rr ? &rr : NULL, w, wb, prot, r, mf, err)))
		goto done;
	if (have_rr && eopp) {
		mf->model->eopp = eopp;     /* the model file's from here */
		eopp = NULL;
	}
	r->n_rows_file = L.n_rows_file;
	r->n_filtered = L.n_filtered;
	r->n_extra = L.s.n_extra;
	r->has_test = L.s.test != NULL;
	r->n_queries_train = ft_run_rows(L.s.train->n_queries);
	r->n_queries_test = L.s.test ? ft_run_rows(L.s.test->n_queries) : 0;
	if (!(r->group_count = calloc(L.s.enc->n_groups + 1, sizeof *r->group_count))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; L.s.train->group && i < L.s.train->n; i++)
		if (L.s.train->group[i] >= 0)
			r->group_count[L.s.train->group[i]]++;
	for (size_t g = 0; g < L.s.enc->n_groups; g++)
		r->group_count[g] = ft_run_rows(r->group_count[g]);
	mf->enc = L.s.enc;
	L.s.enc = NULL;
	r->mf = mf;
	mf = NULL;
done:
	free(w);
	free(wb);
	ft_eopp_free(eopp);
	ft_model_file_free(mf);
	rank_loaded_free(&L);
	return rc;
}
