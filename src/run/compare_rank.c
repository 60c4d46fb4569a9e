/*
 * compare_rank.c - ft_compare of rankings (task rank; README "Fair
 * ranking", Comparing rankers): every ranking method and re-ranker of the
 * sweep on the same folds of the queries, with the same encoder and the
 * same baseline per fold, measured on the same test queries as train
 * --task rank measures (src/run/rank.c), then the fold statistics and the
 * Pareto set of NDCG@k against the exposure ratio.
 *
 * Choices:
 *  - folds are folds of queries (a query lies wholly in one part): k-fold
 *    over a seeded shuffle of the queries (5 by default), repeated query
 *    splits, or the test file;
 *  - setting 0 is the unmitigated ListNet ranker; every ranking method is
 *    fitted from w = 0 on the fold's training part; a re-ranker re-ranks
 *    the baseline's scores (a re-ranker of another method's scores is one
 *    train --task rank run);
 *  - the Pareto criterion is NDCG@k (the first cut-off) higher and
 *    |exposure ratio - 1| lower: a ratio above 1 over-exposes the protected
 *    group, which is no fairer than under-exposing it;
 *  - the per-group panels are each group's exposure, pairwise accuracy and
 *    skew@k (LiFT-smoothed).
 * Writing the files is compare_write.c's; the summary is here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "data/data.h"
#include "fair/rerankers.h"
#include "run/compare.h"
#include "run/run.h"

/* The data a comparison reads once: a table, or LETOR files. */
struct rank_input {
	struct ft_table *all, *test;           /* csv */
	struct ft_rank_data *rall, *rtest;     /* letor */
	uint64_t seeds[100];                   /* repeated splits */
	int scheme;                            /* 0 k-fold, 1 repeats, 2 test file */
	size_t k;
};

static void input_free(struct rank_input *in)
{
	ft_table_free(in->all);
	ft_table_free(in->test);
	ft_rank_data_free(in->rall);
	ft_rank_data_free(in->rtest);
}

int ft_run_compare_rank_check(const struct ft_compare_opts *o, struct ft_error *err)
{
	const struct ft_rank_opts *ro = &o->rank;
	int has_test = o->data.test || o->data.test_table;

	if (!o->data.data && !o->data.table)
		return ft_error_set(err, FT_EINVAL, "no data");
	if (ro->letor ? !ro->sensitive_feature : !o->data.spec.n_sensitive)
		return ft_error_set(err, FT_EINVAL, "a comparison of rankings needs groups "
		                    "(a sensitive %s)", ro->letor ? "feature" : "column");
	if (!ro->protected_group)
		return ft_error_set(err, FT_EINVAL, "a comparison of rankings needs the protected "
		                    "group (its exposure ratio is the fairness axis)");
	if (!ro->letor && (!ro->query || !ro->relevance))
		return ft_error_set(err, FT_EINVAL, "ranking a table needs its query and "
		                    "relevance columns");
	if (ro->letor && (o->data.table || o->data.test_table))
		return ft_error_set(err, FT_EINVAL, "LETOR data are read from files");
	if (o->folds && o->repeats)
		return ft_error_set(err, FT_EINVAL, "folds or repeats, not both");
	if (has_test && (o->folds || o->repeats))
		return ft_error_set(err, FT_EINVAL, "a test file is the one fold: no folds or "
		                    "repeats with it");
	if (o->folds > 100 || o->repeats > 100 || o->folds == 1)
		return ft_error_set(err, FT_EINVAL, "folds take 2 to 100, repeats 1 to 100");
	if (o->repeats && !(o->data.split > 0 && o->data.split < 1))
		return ft_error_set(err, FT_EINVAL, "repeated splits need a test fraction in "
		                    "(0, 1)");
	if (ro->group_values && !(ro->letor && ro->sensitive_feature))
		return ft_error_set(err, FT_EINVAL, "groups by value are for a LETOR sensitive "
		                    "feature");
	return ft_run_rank_check(&o->measure, 0, err);
}

/* Read the data once. */
static int input_read(const struct ft_compare_opts *o, struct ft_compare_result *r,
                      struct rank_input *in, struct ft_error *err)
{
	const struct ft_data_opts *d = &o->data;
	int rc;

	in->scheme = d->test || d->test_table ? 2 : o->repeats ? 1 : 0;
	in->k = in->scheme == 2 ? 1 : o->repeats ? o->repeats : o->folds ? o->folds : 5;
	r->scheme = in->scheme == 0 ? "query_kfold" : in->scheme == 1 ?
	            "repeated_query_split" : "test_file";
	r->n_folds = in->k;
	if (in->scheme == 1) {
		struct ft_rng rng;
		ft_rng_seed(&rng, d->seed);
		for (size_t f = 0; f < in->k; f++)
			in->seeds[f] = ft_rng_next(&rng);
	}
	if (o->rank.letor) {
		if ((rc = ft_letor_read(d->data, &in->rall, err)) ||
		    (rc = ft_sha256_file(d->data, r->sha256[0], err)) ||
		    (d->test && ((rc = ft_letor_read(d->test, &in->rtest, err)) ||
		                 (rc = ft_sha256_file(d->test, r->sha256[1], err)))))
			return rc;
		r->n_rows_file = in->rall->n;
	} else {
		struct ft_data_opts dd = *d;
		struct ft_loaded *l = NULL;
		ft_run_rank_spec(&o->rank, &dd);
		if ((rc = ft_load_tables(&dd, &l, err)))
			return rc;
		memcpy(r->sha256, l->sha256, sizeof r->sha256);
		r->n_rows_file = l->n_rows_file;
		r->n_filtered = l->n_filtered;
		in->all = l->train_t;
		in->test = l->test_t;
		l->train_t = l->test_t = NULL;
		ft_loaded_free(l);
	}
	return 0;
}

/* Fold f split and encoded (the test-file design's one fold groups the
 * LETOR training file in place). */
static int fold_split(const struct ft_compare_opts *o, struct rank_input *in, size_t f,
                      struct ft_run_rank_split *S, struct ft_error *err)
{
	const char *path = ft_run_data_name(&o->data);
	double frac = in->scheme == 1 ? o->data.split : 0;
	size_t k = in->scheme == 0 ? in->k : 0;
	uint64_t seed = in->scheme == 1 ? in->seeds[f] : o->data.seed;
	int rc;

	memset(S, 0, sizeof *S);
	if (in->scheme == 2)
		return o->rank.letor ?
		       ft_run_rank_encode_letor(&o->rank, path, in->rall, in->rtest, S, err) :
		       ft_run_rank_encode_csv(&o->data, &o->rank, in->all, in->test, S, NULL, NULL, err);
	if (o->rank.letor) {
		struct ft_rank_data *tr = NULL, *te = NULL;
		if (!(rc = ft_rank_data_fold(in->rall, frac, k, f, seed, &tr, &te, err)))
			rc = ft_run_rank_encode_letor(&o->rank, path, tr, te, S, err);
		ft_rank_data_free(tr);
		ft_rank_data_free(te);
	} else {
		struct ft_table *tr = NULL, *te = NULL;
		if (!(rc = ft_table_fold_query(in->all, o->rank.query, frac, k, f, seed, &tr, &te,
		                               err)))
			rc = ft_run_rank_encode_csv(&o->data, &o->rank, tr, te, S, NULL, NULL, err);
		ft_table_free(tr);
		ft_table_free(te);
	}
	return rc;
}

/* A ranker predictor of weights w (and a re-ranker's spec). */
static int ranker_pred(struct ft_predictor *p, const double *w, size_t dim,
                       const char *rerank)
{
	memset(p, 0, sizeof *p);
	p->kind = FT_PRED_RANKER;
	if (!(p->linear = calloc(1, sizeof *p->linear)) ||
	    !(p->linear->coef = malloc((dim ? dim : 1) * sizeof *p->linear->coef)) ||
	    !(p->rerank = ft_strdup(rerank)))
		return FT_ENOMEM;
	p->linear->type = FT_MODEL_RANKER;
	p->linear->p = dim;
	memcpy(p->linear->coef, w, dim * sizeof *w);
	return 0;
}

/* One setting on one fold: fit (or re-rank the baseline wb) and measure
 * both parts.  A failed fit or re-ranker is the run's error. */
static int one_setting(const struct ft_compare_opts *o, const struct ft_sweep_setting *se,
                       const struct ft_run_rank_split *S, int32_t prot, const double *wb,
                       struct ft_compare_run *u, double *score, struct ft_error *e)
{
	const struct ft_method *m = se->spec.method;
	const struct ft_method_spec *rr = m->stage == FT_STAGE_RERANK ? &se->spec : NULL;
	struct ft_method_spec rr_fitted;
	struct ft_eopp *eopp = NULL;
	size_t dim = S->train->p;
	double *w = calloc(dim ? dim : 1, sizeof *w), t = ft_run_now();
	struct ft_rank_result res;
	struct ft_rank_params p;
	int rc;

	memset(&res, 0, sizeof res);
	if (!w)
		return ft_error_set(e, FT_ENOMEM, "out of memory");
	if (rr) {
		memcpy(w, wb, dim * sizeof *w);
		rc = ft_rerank_check_groups(rr, S->enc->n_groups, e);
		/* eopp-rank: the score map from this fold's training part */
		if (!rc && ft_run_is_eopp(rr) &&
		    !(rc = ft_run_fit_eopp(S->train, w, rr, &eopp, e))) {
			rr_fitted = *rr;
			rr_fitted.eopp = eopp;
			rr = &rr_fitted;
		}
	} else if (!(rc = m->rank_params(se->spec.params, &p, e))) {
		p.protected_group = prot;
		rc = ft_rank_fit(S->train, &p, w, &res, e);
	}
	u->seconds = ft_run_now() - t;
	u->n_train = S->train->n;
	u->n_test = S->test->n;
	if (!rc && ranker_pred(&u->fo.pred, w, dim, rr ? se->setting : ""))
		rc = ft_error_set(e, FT_ENOMEM, "out of memory");
	if (!rc && eopp) {
		u->fo.pred.eopp = eopp;      /* the run's from here; rr borrows it */
		eopp = NULL;
	}
	if (!rc) {
		u->fitted = 1;
		u->fo.res = res.res;
		u->fo.n_diag = res.n_diag;
		memcpy(u->fo.diag_name, res.diag_name, sizeof res.diag_name);
		memcpy(u->fo.diag, res.diag, sizeof res.diag);
		if (!(u->cmp = ft_run_comparison_new(&o->measure, o->data.seed)))
			rc = ft_error_set(e, FT_ENOMEM, "out of memory");
	}
	for (int part = 0; part < 2 && !rc; part++) {
		const struct ft_rank_data *rd = part ? S->test : S->train;
		ft_rank_scores(rd, w, score);
		rc = ft_run_rank_model(u->cmp, se->setting, part ? "test" : "train", rd, score, rr,
		                       prot, &o->measure, NULL, e);
	}
	free(w);
	ft_eopp_free(eopp);
	return rc;
}

/* Fold f: split, encode, the baseline, every setting. */
static int run_fold(const struct ft_compare_opts *o, struct rank_input *in,
                    struct ft_compare_result *r, size_t f, size_t *done,
                    struct ft_error *err)
{
	const struct ft_sweep *sw = r->sweep;
	struct ft_run_rank_split S;
	const char *path = ft_run_data_name(&o->data);
	double *score = NULL, *wb = NULL, t = ft_run_now();
	int32_t prot = -1;
	int rc;

	if ((rc = fold_split(o, in, f, &S, err)) ||
	    (rc = ft_run_rank_protected(&o->rank, path, S.enc, S.train, &prot, err))) {
		char msg[FT_ERROR_MAX];
		snprintf(msg, sizeof msg, "%s", err->msg);
		ft_error_clear(err);
		if (in->scheme != 2)
			ft_error_set(err, rc, "fold %zu: %s", f + 1, msg);
		else
			ft_error_set(err, rc, "%s", msg);
		goto done;
	}
	r->folds[f].n_train = S.train->n;
	r->folds[f].n_test = S.test->n;
	if (f == 0) {
		/* the protected group by its name in the data ("f3=1" for LETOR) */
		r->n_queries = S.train->n_queries + S.test->n_queries;
		free(r->protected_group);
		if (!(r->protected_group = ft_strdup(S.enc->group_names[prot]))) {
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
			goto done;
		}
	}
	r->folds[f].seconds = ft_run_now() - t;
	r->t_prep += r->folds[f].seconds;
	score = malloc(((S.train->n > S.test->n ? S.train->n : S.test->n) + 1) * sizeof *score);
	if (!score) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t s = 0; s < sw->n; s++) {
		struct ft_compare_run *u = &r->runs[f * sw->n + s];
		struct ft_error e = {0};
		double tm = ft_run_now();
		rc = one_setting(o, &sw->s[s], &S, prot, wb, u, score, &e);
		r->t_fit += u->seconds;
		r->t_measure += ft_run_now() - tm - u->seconds;
		if (rc && (s == 0 || rc == FT_ENOMEM || rc == FT_ECANCELED)) {
			ft_error_set(err, rc, "%s: fold %zu: %s: %s", r->data, f + 1,
			             sw->s[s].setting, e.msg);
			goto done;
		}
		if (rc) {
			u->error = ft_strdup(e.msg);
			ft_comparison_free(u->cmp);
			u->cmp = NULL;
			r->n_failed++;
			ft_run_warn(o->mon, "fold %zu: %s: %s", f + 1, sw->s[s].setting, e.msg);
		}
		if (s == 0)
			wb = u->fo.pred.linear->coef;   /* the baseline's, owned by its run */
		if ((rc = ft_run_progress(o->mon, "fit", ++*done, r->n_folds * sw->n,
		                          sw->s[s].setting, err)))
			goto done;
	}
	rc = 0;
	r->folds[f].enc = S.enc;
	S.enc = NULL;
done:
	free(score);
	ft_run_rank_split_free(&S);
	return rc;
}

/* |ratio - 1| of a point (the fairness distance), NaN when undefined. */
static double fair_dist(const struct ft_compare_point *p)
{
	return p->fair.n ? fabs(p->fair.mean - 1) : NAN;
}

/* Pareto flags (NDCG higher, |ratio - 1| lower) and each method's setting
 * closest to the ideal (both axes scaled by their ranges). */
static void mark_points(struct ft_compare_point *pt, const struct ft_sweep *sw)
{
	double amin = INFINITY, amax = -INFINITY, dmin = INFINITY, dmax = -INFINITY;
	size_t n = sw->n;

	for (size_t i = 0; i < n; i++) {
		int ok = pt[i].acc.n && pt[i].fair.n;
		pt[i].pareto = ok;
		for (size_t j = 0; j < n && pt[i].pareto; j++) {
			if (j == i || !pt[j].acc.n || !pt[j].fair.n)
				continue;
			if (pt[j].acc.mean >= pt[i].acc.mean && fair_dist(&pt[j]) <= fair_dist(&pt[i]) &&
			    (pt[j].acc.mean > pt[i].acc.mean || fair_dist(&pt[j]) < fair_dist(&pt[i])))
				pt[i].pareto = 0;
		}
		if (ok) {
			amin = fmin(amin, pt[i].acc.mean);
			amax = fmax(amax, pt[i].acc.mean);
			dmin = fmin(dmin, fair_dist(&pt[i]));
			dmax = fmax(dmax, fair_dist(&pt[i]));
		}
	}
	for (size_t i = 1; i < n; i++) {
		double best = INFINITY;
		size_t arg = n;
		if (i > 1 && !strcmp(sw->s[i].method, sw->s[i - 1].method))
			continue;
		for (size_t j = i; j < n && !strcmp(sw->s[j].method, sw->s[i].method); j++) {
			double da, dd;
			if (!pt[j].acc.n || !pt[j].fair.n)
				continue;
			da = (amax - pt[j].acc.mean) / (amax > amin ? amax - amin : 1);
			dd = (fair_dist(&pt[j]) - dmin) / (dmax > dmin ? dmax - dmin : 1);
			if (da * da + dd * dd < best) {
				best = da * da + dd * dd;
				arg = j;
			}
		}
		if (arg < n)
			pt[arg].best = 1;
	}
}

static int aggregate(struct ft_compare_result *r, struct ft_error *err)
{
	const struct ft_encoder *e = r->folds[0].enc;
	size_t G = e->n_groups, ns = r->sweep->n;
	char nd[32], sk[32];
	const char *gm[FT_CMP_N_RATES] = {"exposure", "pairwise_accuracy", sk};

	snprintf(nd, sizeof nd, "ndcg@%zu", r->rank_k);
	snprintf(sk, sizeof sk, "skew@%zu", r->rank_k);
	if (!(r->points = calloc(ns, sizeof *r->points)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	for (size_t s = 0; s < ns; s++) {
		struct ft_compare_point *p = &r->points[s];
		if (!(p->group = calloc(G * FT_CMP_N_RATES + 1, sizeof *p->group)))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		p->acc = ft_run_fold_stat(r, s, nd, "overall", "");
		p->fair = ft_run_fold_stat(r, s, "exposure_ratio", "overall", "");
		for (size_t g = 0; g < G; g++)
			for (int m = 0; m < FT_CMP_N_RATES; m++)
				p->group[g * FT_CMP_N_RATES + (size_t)m] =
					ft_run_fold_stat(r, s, gm[m], e->group_names[g], "");
	}
	mark_points(r->points, r->sweep);
	return 0;
}

int ft_run_compare_rank(const struct ft_compare_opts *o, struct ft_compare_result *r,
                        struct ft_error *err)
{
	struct rank_input in;
	size_t done = 0;
	double t0 = ft_run_now();
	int rc;

	memset(&in, 0, sizeof in);
	r->task = FT_TASK_RANK;
	r->rank_k = o->measure.n_cutoffs ? o->measure.cutoffs[0] : 10;
	if (!(r->protected_group = ft_strdup(o->rank.protected_group)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = ft_run_progress(o->mon, "read", 0, 0, o->data.data, err)) ||
	    (rc = input_read(o, r, &in, err)))
		goto done;
	r->runs = calloc(r->n_folds * r->sweep->n + 1, sizeof *r->runs);
	r->folds = calloc(r->n_folds, sizeof *r->folds);
	if (!r->runs || !r->folds) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	r->t_prep = ft_run_now() - t0;
	for (size_t f = 0; f < r->n_folds && !rc; f++)
		rc = run_fold(o, &in, r, f, &done, err);
	if (!rc)
		rc = aggregate(r, err);
	r->t_total = ft_run_now() - t0;
done:
	input_free(&in);
	return rc;
}

/* ------------------------------------------------------------ summary */

static void md_stat(FILE *fp, struct ft_compare_stat st)
{
	if (st.n == 0)
		fputs(" | undefined", fp);
	else if (st.n == 1 || isnan(st.sd))
		fprintf(fp, " | %.4f", st.mean);
	else
		fprintf(fp, " | %.4f ± %.4f", st.mean, st.sd);
}

void ft_run_rank_summary(FILE *mem, const struct ft_compare_result *r)
{
	const struct ft_sweep *sw = r->sweep;
	const struct ft_encoder *e = r->folds[0].enc;
	static const char *const COLS[] = {"ndcg@%zu", "ndcg", "precision@%zu",
	                                   "exposure_ratio", "skew@%zu", "ndkl", "rnd",
	                                   "pairwise_gap"};
	size_t nq_tr = 0, nq_te = 0;

	for (size_t f = 0; f < r->n_folds; f++) {
		nq_tr += r->folds[f].n_train;
		nq_te += r->folds[f].n_test;
	}
	fprintf(mem, "# fairtrain compare (rankings)\n\n- data: `%s`, %zu rows", r->data,
	        r->n_rows_file);
	if (r->n_filtered)
		fprintf(mem, ", %zu removed by --filter", r->n_filtered);
	if (r->test)
		fprintf(mem, "; test file `%s`", r->test);
	fprintf(mem, "\n- groups:");
	for (size_t g = 0; g < e->n_groups; g++)
		fprintf(mem, "%s %s", g ? "," : "", e->group_names[g]);
	fprintf(mem, "; protected %s\n", r->protected_group);
	if (!strcmp(r->scheme, "query_kfold"))
		fprintf(mem, "- design: %zu-fold cross-validation over queries, seed %llu",
		        r->n_folds, (unsigned long long)r->seed);
	else if (!strcmp(r->scheme, "repeated_query_split"))
		fprintf(mem, "- design: %zu random query splits, %g of the queries held out, "
		        "seed %llu", r->n_folds, r->split, (unsigned long long)r->seed);
	else
		fprintf(mem, "- design: one split: train on `%s`, test on `%s`", r->data, r->test);
	fprintf(mem, "; %.0f training and %.0f test items a fold on average\n",
	        (double)nq_tr / (double)r->n_folds, (double)nq_te / (double)r->n_folds);
	fprintf(mem, "- every setting of a fold shares its encoder and its test queries; "
	        "re-rankers re-rank the baseline's (ListNet) scores; metrics are means over "
	        "the test queries, ties pooled\n- Pareto criterion: ndcg@%zu higher and "
	        "|exposure_ratio - 1| lower\n\n", r->rank_k);
	fprintf(mem, "## Test results (mean ± sd over %zu fold%s)\n\n| method | setting",
	        r->n_folds, r->n_folds == 1 ? "" : "s");
	for (size_t c = 0; c < sizeof COLS / sizeof *COLS; c++) {
		char h[32];
		snprintf(h, sizeof h, COLS[c], r->rank_k);
		fprintf(mem, " | %s%s", h, c == 0 || c == 3 ? " *" : "");
	}
	fprintf(mem, " | Pareto | fit (s) |\n|---|---");
	for (size_t c = 0; c < sizeof COLS / sizeof *COLS + 2; c++)
		fprintf(mem, "|---:");
	fprintf(mem, "|\n");
	for (size_t s = 0; s < sw->n; s++) {
		double sec = ft_run_md_setting(mem, r, s);
		for (size_t c = 0; c < sizeof COLS / sizeof *COLS; c++) {
			char h[32];
			snprintf(h, sizeof h, COLS[c], r->rank_k);
			/* skew: of the protected group */
			md_stat(mem, ft_run_fold_stat(r, s, h, c == 4 ? r->protected_group : "overall",
			                              ""));
		}
		fprintf(mem, " | %s | %.3f |\n", r->points[s].pareto ? "yes" : "",
		        sec / (double)r->n_folds);
	}
	fprintf(mem, "\n\\* the axes. skew@%zu is the protected group's (LiFT-smoothed); "
	        "rnd and ndkl against each query's own group shares; pairwise_gap the "
	        "spread of the groups' pairwise accuracies.\n\nPareto-optimal for ndcg@%zu "
	        "against |exposure_ratio - 1|:", r->rank_k, r->rank_k);
	for (size_t s = 0, first = 1; s < sw->n; s++)
		if (r->points[s].pareto) {
			fprintf(mem, "%s `%s`", first ? "" : ",", sw->s[s].setting);
			first = 0;
		}
}
