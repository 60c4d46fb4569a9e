/*
 * compare.c - ft_compare: sweep mitigation methods and their parameters
 * across stratified cross-validation folds (or repeated random splits, or
 * one given test file) on identical preprocessing and splits.
 *
 * Every (setting, fold) sees exactly the same data: the fold's training
 * part fits one encoder and one unmitigated baseline, which every method of
 * that fold reuses (ft_fit_input.baseline, the warm start of most
 * methods), and every setting is measured on the same test rows.  Methods
 * go through the generic path only: method->fit, then ft_predictor_decide
 * on the fit's predictor, then ft_comparison_measure with the probability
 * of a positive decision (so randomized classifiers and post-processing
 * plug in with no change here).  Then the fold statistics of every setting
 * and the Pareto set for accuracy against the chosen fairness summary.
 *
 * It does not run fits in parallel processes: the row sums inside each fit
 * already use every core (OpenMP), and in a distributed run every rank
 * (each fold's parts laid out as whole chunks on each rank, the settings
 * fitted one after the other by all ranks together, measured on rank 0).
 * Writing the results is compare_write.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"
#include "run/compare.h"
#include "run/run.h"

#define MAX_FOLDS 100

void ft_compare_opts_init(struct ft_compare_opts *o)
{
	memset(o, 0, sizeof *o);
	ft_data_opts_init(&o->data);
	ft_logreg_params_init(&o->lr);
	ft_measure_opts_init(&o->measure);
	o->measure.n_bootstrap = 0;
	o->measure.n_perm = 0;
	o->fairness = FT_F_DP_DIFF;
}

int ft_compare_check(const struct ft_compare_opts *o, struct ft_error *err)
{
	const char *bad;
	int has_test = o->data.test || o->data.test_table;

	ft_error_clear(err);
	if (o->task == FT_TASK_RANK)
		return ft_run_compare_rank_check(o, err);
	if (o->task != FT_TASK_CLASSIFY)
		return ft_error_set(err, FT_EINVAL, "unknown task %d", o->task);
	if (!o->data.data && !o->data.table)
		return ft_error_set(err, FT_EINVAL, "no data");
	if (!o->data.spec.target || !o->data.spec.positive)
		return ft_error_set(err, FT_EINVAL, "no %s", o->data.spec.target ?
		                    "positive label" : "target column");
	if (o->data.spec.n_sensitive == 0)
		return ft_error_set(err, FT_EINVAL, "a comparison needs a sensitive attribute");
	if (o->measure.dp_epsilon > 0)
		return ft_error_set(err, FT_EINVAL, "a comparison releases nothing privately (the "
		                    "private release is for train, eval and audit)");
	if (o->folds && o->repeats)
		return ft_error_set(err, FT_EINVAL, "folds or repeats, not both");
	if (has_test && (o->folds || o->repeats))
		return ft_error_set(err, FT_EINVAL, "a test file is the one fold: no folds or "
		                    "repeats with it");
	if (o->folds > MAX_FOLDS || o->repeats > MAX_FOLDS || o->folds == 1)
		return ft_error_set(err, FT_EINVAL, "folds take 2 to %d, repeats 1 to %d",
		                    MAX_FOLDS, MAX_FOLDS);
	if (o->repeats && !(o->data.split > 0 && o->data.split < 1))
		return ft_error_set(err, FT_EINVAL, "repeated splits need a test fraction in "
		                    "(0, 1)");
	if (o->fairness < 0 || o->fairness >= FT_N_FAIRNESS)
		return ft_error_set(err, FT_EINVAL, "unknown fairness summary %d", o->fairness);
	if ((bad = ft_logreg_check(&o->lr)) != NULL)
		return ft_error_set(err, FT_EINVAL, "%s", bad);
	return ft_run_check_measure(&o->measure, err);
}

void ft_compare_result_free(struct ft_compare_result *r)
{
	size_t ns;

	if (!r)
		return;
	ns = r->sweep ? r->sweep->n : 0;
	for (size_t k = 0; r->runs && k < r->n_folds * ns; k++) {
		ft_fit_output_clear(&r->runs[k].fo);
		ft_comparison_free(r->runs[k].cmp);
		free(r->runs[k].error);
	}
	for (size_t f = 0; r->folds && f < r->n_folds; f++)
		ft_encoder_free(r->folds[f].enc);
	for (size_t s = 0; r->points && s < ns; s++)
		free(r->points[s].group);
	free(r->runs);
	free(r->folds);
	free(r->points);
	ft_sweep_free(r->sweep);
	free(r->data);
	free(r->test);
	free(r->command_line);
	free(r->created_utc);
	free(r->protected_group);
	free(r);
}

double ft_run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *ft_run_fair_convention(int f)
{
	return f <= FT_F_AUC_GAP ? ft_convention_name(FT_CONV_BETWEEN) :
	       ft_convention_name(FT_CONV_INDIVIDUAL);
}

/* The folds: k-fold assignment, split seeds, or the given test file. */
struct design {
	int scheme;                /* 0 k-fold, 1 repeated split, 2 test file */
	size_t n;
	uint32_t *fold;            /* k-fold: fold of every row */
	uint64_t seeds[MAX_FOLDS]; /* repeated splits */
};

/* What the folds share while they run. */
struct fold_ctx {
	const struct ft_compare_opts *o;
	const struct design *ds;
	struct ft_compare_result *r;
	struct ft_table *all, *test;
	struct ft_dist_part ptr, pte;  /* a distributed run: the fold's parts */
	double *score, *pos;          /* scratch of the largest part so far */
	size_t done, total;           /* fits, for the progress */
};

/* Training and test table of fold f; *owned says whether to free them. */
static int fold_tables(const struct fold_ctx *C, size_t f, struct ft_table **tr,
                       struct ft_table **te, int *owned, struct ft_error *err)
{
	const struct design *ds = C->ds;
	size_t *rows = NULL, n_te = 0, n_tr = 0, n = C->all->n_rows;
	int rc;

	*tr = *te = NULL;
	*owned = 1;
	if (ds->scheme == 2) {
		*tr = C->all;
		*te = C->test;
		*owned = 0;
		return 0;
	}
	if (ds->scheme == 1)
		return ft_table_split(C->all, &C->o->data.spec, C->o->data.split, ds->seeds[f],
		                      tr, te, err);
	if (!(rows = malloc((n ? n : 1) * sizeof *rows)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	/* test rows first, training rows from the end: one array */
	for (size_t i = 0; i < n; i++) {
		if (ds->fold[i] == f)
			rows[n_te++] = i;
		else
			rows[n - 1 - n_tr++] = i;
	}
	/* the training rows went in backwards: put them in file order */
	for (size_t i = 0; i < n_tr / 2; i++) {
		size_t x = rows[n_te + i];
		rows[n_te + i] = rows[n - 1 - i];
		rows[n - 1 - i] = x;
	}
	rc = ft_table_subset(C->all, rows + n_te, n_tr, tr, err);
	if (!rc)
		rc = ft_table_subset(C->all, rows, n_te, te, err);
	free(rows);
	if (rc) {
		ft_table_free(*tr);
		ft_table_free(*te);
		*tr = *te = NULL;
	}
	return rc;
}

/* Decide ds with the fit's predictor and append the measurements of split. */
static int measure(struct ft_comparison *c, const char *model, const char *split,
                   const struct ft_fit_output *fo, const struct ft_dataset *ds,
                   const struct ft_encoder *e, double *score, double *pos,
                   struct ft_error *err)
{
	struct ft_eval_input in;
	int rc = ft_predictor_decide(&fo->pred, ds, c->threshold, 0, score, pos, err);

	/* each rank its rows (a distributed run), measured on rank 0 */
	if ((rc = ft_dist_agree(rc, err)))
		return rc;
	ft_eval_input_init(&in);
	in.n = ds->n;
	in.y = ds->y;
	in.score = score;
	in.pos = pos;
	in.w = ds->w;
	in.group = ds->group;
	in.n_groups = ds->group ? e->n_groups : 0;
	in.group_names = (const char *const *)e->group_names;
	in.privileged = ft_run_privileged(e);
	in.threshold = c->threshold;
	if ((rc = ft_run_measure_input(c, 0, model, split, &in, err)))
		return rc;
	return ft_run_consistency(c, model, split, &in, ds, err);
}

/* Split and encode fold f; the scratch grown to its largest part. */
static int fold_data(struct fold_ctx *C, size_t f, struct ft_dataset **tr,
                     struct ft_dataset **te, struct ft_error *err)
{
	struct ft_compare_fold *fo = &C->r->folds[f];
	struct ft_table *tr_t = NULL, *te_t = NULL;
	struct ft_encode_stats st_tr, st_te;
	struct ft_error e2 = {0};
	double *sc, *ps, t = ft_run_now();
	size_t nmax;
	int owned = 0, rc;

	if ((rc = fold_tables(C, f, &tr_t, &te_t, &owned, err)))
		goto done;
	/* a distributed run: the encoder from every rank's rows, each rank
	 * encoding its own, the outcome agreed and the counts summed; then
	 * whole chunks of each part on each rank */
	if (!(rc = ft_encoder_fit(tr_t, &C->o->data.spec, &fo->enc, &e2)) &&
	    !(rc = ft_encoder_apply(fo->enc, tr_t, FT_APPLY_TRAIN, tr, &st_tr, &e2)))
		rc = ft_encoder_apply(fo->enc, te_t, FT_APPLY_TRAIN, te, &st_te, &e2);
	if (!(rc = ft_dist_agree(rc, &e2)) && ft_dist_on()) {
		ft_run_sum_stats(&st_tr);
		ft_run_sum_stats(&st_te);
		if (ft_run_rows((*tr)->n) == 0)
			rc = ft_encode_none_left(tr_t->path, &st_tr, &e2);
		else if (ft_run_rows((*te)->n) == 0)
			rc = ft_encode_none_left(te_t->path, &st_te, &e2);
		if (!rc && !(rc = ft_run_align(*tr, &C->ptr, &e2)))
			rc = ft_run_align(*te, &C->pte, &e2);
	}
	/* a test file's labels (collective: rc is agreed here) */
	if (!rc && C->ds->scheme == 2 && !C->o->data.allow_no_positive)
		rc = ft_run_check_positive(te_t, *te, fo->enc, "the test part",
		                           "--allow-no-positive", &e2);
	if (rc) {
		if (C->ds->scheme == 2)
			ft_error_set(err, rc, "%s", e2.msg);
		else
			ft_error_set(err, rc, "fold %zu: %s", f + 1, e2.msg);
		goto done;
	}
	C->r->n_unseen += st_te.n_unseen;
	C->r->n_unseen_groups += st_te.n_unseen_groups;
	fo->n_train = ft_run_rows((*tr)->n);
	fo->n_test = ft_run_rows((*te)->n);
	nmax = (*tr)->n > (*te)->n ? (*tr)->n : (*te)->n;
	if ((sc = realloc(C->score, (nmax ? nmax : 1) * sizeof *sc)) != NULL)
		C->score = sc;
	if ((ps = realloc(C->pos, (nmax ? nmax : 1) * sizeof *ps)) != NULL)
		C->pos = ps;
	if (!sc || !ps)
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
	fo->seconds = ft_run_now() - t;
	C->r->t_prep += fo->seconds;
done:
	if (owned) {
		ft_table_free(tr_t);
		ft_table_free(te_t);
	}
	return rc;
}

/* Fold f: split, encode, fit the baseline, then every setting with the
 * baseline as its warm start, and measure each on both parts.  A failed
 * fit of a mitigated setting is recorded in its run; anything else is an
 * error. */
static int run_fold(struct fold_ctx *C, size_t f, struct ft_error *err)
{
	const struct ft_sweep *sw = C->r->sweep;
	const struct ft_compare_opts *o = C->o;
	struct ft_dataset *tr = NULL, *te = NULL;
	struct ft_linear_model *base = NULL;
	struct ft_solver_result bres;
	struct ft_fit_input fi;
	struct ft_error e = {0};
	const struct ft_encoder *enc;
	double t;
	int rc;

	ft_dist_part_free(&C->ptr);
	ft_dist_part_free(&C->pte);
	if ((rc = fold_data(C, f, &tr, &te, err)))
		goto done;
	enc = C->r->folds[f].enc;
	/* the baseline: setting 0, and every method's in->baseline */
	t = ft_run_now();
	if (ft_dist_on())
		ft_dist_scope_push(&C->ptr);
	rc = ft_logreg_fit(tr, &o->lr, &base, &bres, &e);
	if (ft_dist_on())
		ft_dist_scope_pop();
	if (rc) {
		ft_error_set(err, rc, "%s: fold %zu: baseline: %s", C->r->data, f + 1, e.msg);
		goto done;
	}
	memset(&fi, 0, sizeof fi);
	fi.train = tr;
	fi.n_groups = enc->n_groups;
	fi.group_names = (const char *const *)enc->group_names;
	fi.privileged = ft_run_privileged(enc);
	fi.lr = &o->lr;
	fi.baseline = base;
	fi.baseline_objective = bres.f;
	for (size_t s = 0; s < sw->n; s++) {
		struct ft_compare_run *u = &C->r->runs[f * sw->n + s];
		const struct ft_sweep_setting *se = &sw->s[s];
		double tm;

		u->n_train = C->r->folds[f].n_train;
		u->n_test = C->r->folds[f].n_test;
		ft_error_clear(&e);
		if (s == 0) {
			u->fo.pred.linear = base;      /* the run owns it from here */
			base = NULL;
			u->fo.res = bres;
			u->seconds = ft_run_now() - t;
		} else {
			fi.params = se->spec.params;
			t = ft_run_now();
			if (ft_dist_on())
				ft_dist_scope_push(&C->ptr);
			if (ft_run_fit(se->spec.method, &fi, enc, &u->fo, &e) == 0 &&
			    !u->fo.pred.linear)
				ft_error_set(&e, FT_EINVAL, "the fit returned no model");
			if (ft_dist_on())
				ft_dist_scope_pop();
			u->seconds = ft_run_now() - t;
		}
		C->r->t_fit += u->seconds;
		if (!e.code) {
			u->fitted = 1;
			tm = ft_run_now();
			if (!(u->cmp = ft_run_comparison_new(&o->measure, o->data.seed)))
				ft_error_set(&e, FT_ENOMEM, "out of memory");
			else if (!measure(u->cmp, se->setting, "train", &u->fo, tr, enc, C->score,
			                  C->pos, &e))
				measure(u->cmp, se->setting, "test", &u->fo, te, enc, C->score, C->pos,
				        &e);
			C->r->t_measure += ft_run_now() - tm;
		}
		if (e.code) {
			if (s == 0 || e.code == FT_ENOMEM) {
				rc = ft_error_set(err, e.code, "%s: fold %zu: %s: %s", C->r->data,
				                  f + 1, se->setting, e.msg);
				goto done;
			}
			u->error = ft_strdup(e.msg);
			ft_comparison_free(u->cmp);
			u->cmp = NULL;
			C->r->n_failed++;
			ft_run_warn(o->mon, "fold %zu: %s: %s", f + 1, se->setting, e.msg);
		}
		if ((rc = ft_run_progress(o->mon, "fit", ++C->done, C->total, se->setting, err)))
			goto done;
	}
	rc = 0;
done:
	ft_linear_model_free(base);
	ft_dataset_free(tr);
	ft_dataset_free(te);
	return rc;
}

/* Mean and sample sd over the folds where (metric, group, convention) of
 * the test part is defined. */
static struct ft_compare_stat fold_stat(const struct ft_compare_result *r, size_t s,
                                        const char *metric, const char *group,
                                        const char *conv)
{
	struct ft_compare_stat st = {NAN, NAN, 0};
	size_t ns = r->sweep->n;
	double sum = 0, ss = 0, v[MAX_FOLDS];

	for (size_t f = 0; f < r->n_folds; f++) {
		const struct ft_compare_run *u = &r->runs[f * ns + s];
		const struct ft_comparison_row *row;
		if (!u->cmp)
			continue;
		row = ft_comparison_find(u->cmp, metric, r->sweep->s[s].setting, "test", group,
		                         conv);
		if (row && !row->why)
			v[st.n++] = row->value;
	}
	for (size_t k = 0; k < st.n; k++)
		sum += v[k];
	if (st.n)
		st.mean = sum / (double)st.n;
	for (size_t k = 0; k < st.n; k++)
		ss += (v[k] - st.mean) * (v[k] - st.mean);
	if (st.n > 1)
		st.sd = sqrt(ss / (double)(st.n - 1));
	return st;
}

struct ft_compare_stat ft_run_fold_stat(const struct ft_compare_result *r, size_t s,
                                        const char *metric, const char *group,
                                        const char *conv)
{
	return fold_stat(r, s, metric, group, conv);
}

/* Is a at least as good as b on both axes and better on one? */
static int dominates(const struct ft_compare_point *a, const struct ft_compare_point *b,
                     int higher)
{
	double fa = higher ? -a->fair.mean : a->fair.mean;
	double fb = higher ? -b->fair.mean : b->fair.mean;

	return a->acc.mean >= b->acc.mean && fa <= fb &&
	       (a->acc.mean > b->acc.mean || fa < fb);
}

static int point_ok(const struct ft_compare_point *p)
{
	return p->acc.n > 0 && p->fair.n > 0;
}

/* Pareto flags, and the best setting of each method for groups.svg: the
 * one closest to the ideal point (the best accuracy and the best fairness
 * seen in the run), each axis scaled by its range over all settings - a
 * compromise that neither keeps the most accurate setting nor the one
 * that buys parity with a constant classifier. */
static void mark_points(struct ft_compare_point *pt, const struct ft_sweep *sw, int higher)
{
	double amin = INFINITY, amax = -INFINITY, fmin_ = INFINITY, fmax_ = -INFINITY;
	size_t n = sw->n;

	for (size_t i = 0; i < n; i++) {
		pt[i].pareto = point_ok(&pt[i]);
		for (size_t j = 0; j < n && pt[i].pareto; j++)
			if (j != i && point_ok(&pt[j]) && dominates(&pt[j], &pt[i], higher))
				pt[i].pareto = 0;
		if (point_ok(&pt[i])) {
			amin = fmin(amin, pt[i].acc.mean);
			amax = fmax(amax, pt[i].acc.mean);
			fmin_ = fmin(fmin_, pt[i].fair.mean);
			fmax_ = fmax(fmax_, pt[i].fair.mean);
		}
	}
	for (size_t i = 1; i < n; i++) {
		double best = INFINITY;
		size_t arg = n;
		if (i > 1 && !strcmp(sw->s[i].method, sw->s[i - 1].method))
			continue;  /* once per method, from its first setting */
		for (size_t j = i; j < n && !strcmp(sw->s[j].method, sw->s[i].method); j++) {
			double da, df, d;
			if (!point_ok(&pt[j]))
				continue;
			da = (amax - pt[j].acc.mean) / (amax > amin ? amax - amin : 1);
			df = (higher ? fmax_ - pt[j].fair.mean : pt[j].fair.mean - fmin_) /
			     (fmax_ > fmin_ ? fmax_ - fmin_ : 1);
			d = da * da + df * df;
			if (d < best) {
				best = d;
				arg = j;
			}
		}
		if (arg < n)
			pt[arg].best = 1;
	}
}

/* The points of every setting: fold statistics, Pareto and best flags. */
static int aggregate(struct ft_compare_result *r, struct ft_error *err)
{
	static const char *const GM[FT_CMP_N_RATES] = {"selection_rate", "tpr", "fpr"};
	const struct ft_encoder *e = r->folds[0].enc;
	size_t G = e->n_groups, ns = r->sweep->n;

	if (!(r->points = calloc(ns, sizeof *r->points)))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	for (size_t s = 0; s < ns; s++) {
		struct ft_compare_point *p = &r->points[s];
		if (!(p->group = calloc(G * FT_CMP_N_RATES + 1, sizeof *p->group)))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		p->acc = fold_stat(r, s, "accuracy", "overall", "");
		p->fair = fold_stat(r, s, ft_fairness_name(r->fairness), "",
		                    ft_run_fair_convention(r->fairness));
		for (size_t g = 0; g < G; g++)
			for (int m = 0; m < FT_CMP_N_RATES; m++)
				p->group[g * FT_CMP_N_RATES + (size_t)m] =
					fold_stat(r, s, GM[m], e->group_names[g], "");
	}
	mark_points(r->points, r->sweep, r->fairness == FT_F_DP_RATIO);
	return 0;
}

/* Read the data, assign the folds (before any fit). */
static int prepare(const struct ft_compare_opts *o, struct ft_compare_result *r,
                   struct design *ds, struct ft_table **all, struct ft_table **test,
                   struct ft_error *err)
{
	struct ft_data_opts d = o->data;
	struct ft_loaded *l = NULL;
	int rc;

	ds->scheme = o->data.test || o->data.test_table ? 2 : o->repeats ? 1 : 0;
	ds->n = ds->scheme == 2 ? 1 : o->repeats ? o->repeats : o->folds ? o->folds : 5;
	r->scheme = ds->scheme == 0 ? "stratified_kfold" : ds->scheme == 1 ?
	            "repeated_split" : "test_file";
	r->n_folds = ds->n;
	d.split = 0;
	if ((rc = ft_run_progress(o->mon, "read", 0, 0, o->data.data, err)) ||
	    (rc = ft_load_tables(&d, &l, err)))
		return rc;
	memcpy(r->sha256, l->sha256, sizeof r->sha256);
	r->n_rows_file = l->n_rows_file;
	r->n_filtered = l->n_filtered;
	*all = l->train_t;
	*test = l->test_t;
	l->train_t = l->test_t = NULL;
	ft_loaded_free(l);
	if (ds->scheme == 0) {
		if (!(ds->fold = malloc(((*all)->n_rows ? (*all)->n_rows : 1) * sizeof *ds->fold)))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		return ft_table_kfold(*all, &o->data.spec, ds->n, o->data.seed, ds->fold, err);
	}
	if (ds->scheme == 1) {
		/* one seed a split, drawn from the seed */
		struct ft_rng rng;
		ft_rng_seed(&rng, o->data.seed);
		for (size_t f = 0; f < ds->n; f++)
			ds->seeds[f] = ft_rng_next(&rng);
	}
	return 0;
}

/* The options the result keeps. */
static int keep_opts(const struct ft_compare_opts *o, struct ft_compare_result *r)
{
	r->fairness = o->fairness;
	r->seed = o->data.seed;
	r->split = o->repeats ? o->data.split : 0;
	r->threshold = o->measure.threshold;
	r->level = o->measure.level;
	r->n_bootstrap = o->measure.n_bootstrap;
	r->C = o->lr.C;
	r->data = ft_strdup(o->data.data ? o->data.data : "(table)");
	r->test = o->data.test ? ft_strdup(o->data.test) :
	          o->data.test_table ? ft_strdup("(table)") : NULL;
	r->command_line = ft_strdup(o->command_line ? o->command_line : "");
	r->created_utc = ft_run_utc_now();
	return r->data && r->command_line && r->created_utc &&
	       (r->test || (!o->data.test && !o->data.test_table)) ? 0 : -1;
}

int ft_compare(const struct ft_compare_opts *o, struct ft_compare_result **out,
               struct ft_error *err)
{
	struct ft_compare_result *r = calloc(1, sizeof *r);
	struct design ds;
	struct fold_ctx C;
	double t0 = ft_run_now();
	int rc;

	ft_error_clear(err);
	*out = NULL;
	memset(&ds, 0, sizeof ds);
	memset(&C, 0, sizeof C);
	if (!r)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = ft_compare_check(o, err)) ||
	    (rc = ft_sweep_parse_task(o->methods, o->task, &r->sweep, err)))
		goto done;

	if (keep_opts(o, r)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	ft_threads_setup();
	if (o->task == FT_TASK_RANK) {
		/* a comparison of rankers in a distributed run: every rank reads
		 * all the data and runs the whole comparison alone (each fold's
		 * queries are not spread over the ranks): the single-process
		 * results on every rank; rank 0 writes them */
		int solo = ft_dist_np() > 1;
		if (solo) {
			ft_dist_scope_push(NULL);
			ft_dist_solo(1);
		}
		rc = ft_run_compare_rank(o, r, err);
		if (solo) {
			ft_dist_solo(0);
			ft_dist_scope_pop();
			rc = ft_dist_agree(rc, err);
		}
		goto done;
	}
	if ((rc = prepare(o, r, &ds, &C.all, &C.test, err)))
		goto done;
	C.o = o;
	C.ds = &ds;
	C.r = r;
	C.total = ds.n * r->sweep->n;
	r->runs = calloc(C.total ? C.total : 1, sizeof *r->runs);
	r->folds = calloc(ds.n, sizeof *r->folds);
	if (!r->runs || !r->folds) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	r->t_prep = ft_run_now() - t0;
	if ((rc = ft_run_progress(o->mon, "fit", 0, C.total, "", err)))
		goto done;
	for (size_t f = 0; f < ds.n && !rc; f++)
		rc = run_fold(&C, f, err);
	if (rc)
		goto done;
	if (r->n_unseen)
		ft_run_warn(o->mon, "%zu test cell%s with a category unseen in its fold's "
		            "training part (encoded as all zeros)", r->n_unseen,
		            r->n_unseen == 1 ? "" : "s");
	if (r->n_unseen_groups)
		ft_run_warn(o->mon, "%zu test row%s of a group unseen in its fold's training "
		            "part dropped", r->n_unseen_groups, r->n_unseen_groups == 1 ? "" : "s");
	if ((rc = aggregate(r, err)))
		goto done;
	r->t_total = ft_run_now() - t0;
done:
	ft_dist_part_free(&C.ptr);
	ft_dist_part_free(&C.pte);
	free(C.score);
	free(C.pos);
	free(ds.fold);
	ft_table_free(C.all);
	ft_table_free(C.test);
	if (rc) {
		ft_compare_result_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
