/*
 * common.c - what the verbs share: default options, the monitor's calls,
 * measuring one model on one part into the before/after table, and a model
 * file's provenance and method.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"
#include "fair/rerankers.h"
#include "run/run.h"
#include "metrics/metrics.h"

void ft_data_opts_init(struct ft_data_opts *o)
{
	memset(o, 0, sizeof *o);
	ft_read_opts_init(&o->read);
	ft_spec_init(&o->spec);
	o->test_skip_rows = -1;
	o->split = 0.25;
	o->seed = 1;
}

void ft_measure_opts_init(struct ft_measure_opts *m)
{
	/* every field: a caller's struct on the stack holds garbage, and a
	 * field left out (ref, n_ref, consistency_k) was read as a request */
	memset(m, 0, sizeof *m);
	m->threshold = 0.5;
	m->n_bootstrap = 1000;
	m->level = 0.95;
	m->n_perm = 1000;
	m->n_cutoffs = 1;
	m->cutoffs[0] = 10;
	m->ties = FT_TIE_EXPECT;
	m->tie_seed = 1;
	m->n_target = 0;
	m->dp_epsilon = 0;
	m->dp_seed = 0;
}

void ft_run_warn(const struct ft_monitor *mon, const char *fmt, ...)
{
	char msg[FT_ERROR_MAX];
	va_list ap;

	if (!mon || !mon->warning)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mon->warning(mon->ctx, msg);
}

int ft_run_check_measure(const struct ft_measure_opts *m, struct ft_error *err)
{
	if (!(m->threshold > 0 && m->threshold <= 1))
		return ft_error_set(err, FT_EINVAL, "the threshold must be in (0, 1] (scores are "
		                    "probabilities; %g decides every row alike)", m->threshold);
	if (!(m->level > 0 && m->level < 1))
		return ft_error_set(err, FT_EINVAL, "the interval level must be in (0, 1)");
	if (!(m->dp_epsilon >= 0 && m->dp_epsilon <= 100))
		return ft_error_set(err, FT_EINVAL, "the private release's epsilon must be in "
		                    "(0, 100] (0: none), not %g", m->dp_epsilon);
	if (m->consistency_k > 1000)
		return ft_error_set(err, FT_EINVAL, "consistency takes 1 to 1000 neighbours (0: "
		                    "none), not %zu", m->consistency_k);
	if (m->n_ref && !m->ref)
		return ft_error_set(err, FT_EINVAL, "n_ref = %zu but no reference scores",
		                    m->n_ref);
	for (size_t i = 0; m->ref && i < m->n_ref; i++)
		if (!(m->ref[i] >= 0 && m->ref[i] <= 1))
			return ft_error_set(err, FT_EINVAL, "reference score %zu is %g, not in "
			                    "[0, 1]", i + 1, m->ref[i]);
	return 0;
}

int ft_read_scores(const char *path, const char *column, double **out, size_t *n,
                   struct ft_error *err)
{
	struct ft_read_opts ro;
	struct ft_table *t = NULL;
	double *v = NULL, *val = NULL;
	size_t j, m = 0;
	int rc;

	*out = NULL;
	*n = 0;
	ft_read_opts_init(&ro);
	if ((rc = ft_table_read(path, &ro, &t, err)))
		return rc;
	for (j = 0; j < t->n_cols && strcmp(t->names[j], column); j++)
		;
	if (j == t->n_cols) {
		rc = ft_error_set(err, FT_EDATA, "%s: no column '%s' (the reference scores)",
		                  path, column);
		goto done;
	}
	/* each distinct cell parsed once */
	val = ft_xalloc(t->vals[j].n ? t->vals[j].n : 1, sizeof *val);
	v = ft_xalloc(t->n_rows ? t->n_rows : 1, sizeof *v);
	if (!val || !v) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t k = 0; k < t->vals[j].n; k++)
		if (ft_parse_double(t->vals[j].str[k], &val[k]) || !(val[k] >= 0 && val[k] <= 1))
			val[k] = NAN;
	for (size_t i = 0; i < t->n_rows; i++) {
		uint32_t id = ft_cell_id(t, i, j);
		if (id == FT_MISSING)
			continue;   /* an empty cell is no score */
		if (isnan(val[id])) {
			rc = ft_error_set(err, FT_EDATA, "%s:%zu: column '%s': '%.40s' is not a "
			                  "score in [0, 1]", path, t->line[i], column,
			                  t->vals[j].str[id]);
			goto done;
		}
		v[m++] = val[id];
	}
	if (m == 0) {
		rc = ft_error_set(err, FT_EDATA, "%s: column '%s' holds no score", path, column);
		goto done;
	}
	*out = v;
	*n = m;
	v = NULL;
done:
	free(v);
	free(val);
	ft_table_free(t);
	return rc;
}

int ft_run_dp_release(const struct ft_measure_opts *m, const struct ft_eval_input *in,
                      struct ft_budget **bud, struct ft_dp_audit **out, struct ft_error *err)
{
	struct ft_noise ns;
	int rc;

	if (!*bud) {
		if (!(*bud = calloc(1, sizeof **bud)))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		if ((rc = ft_budget_init(*bud, INFINITY, 0, err)))
			return rc;
	}
	ft_noise_init(&ns, m->dp_seed);
	if ((rc = ft_dp_audit(in, m->dp_epsilon, m->n_bootstrap, m->level, &ns, *bud, out, err)))
		return rc;
	(*bud)->seeded |= ns.seeded;
	return 0;
}

int ft_run_progress(const struct ft_monitor *mon, const char *stage, size_t done,
                    size_t total, const char *what, struct ft_error *err)
{
	if (!mon || !mon->progress || !mon->progress(mon->ctx, stage, done, total, what))
		return 0;
	return ft_error_set(err, FT_ECANCELED, "canceled");
}

void ft_run_warn_stats(const struct ft_monitor *mon, const char *path,
                       const struct ft_encode_stats *st)
{
	if (st->n_unseen)
		ft_run_warn(mon, "%s: %zu cell%s with a category unseen in training "
		            "(encoded as all zeros)", path, st->n_unseen,
		            st->n_unseen == 1 ? "" : "s");
	if (st->n_unseen_groups)
		ft_run_warn(mon, "%s: %zu row%s of a group unseen in training dropped", path,
		            st->n_unseen_groups, st->n_unseen_groups == 1 ? "" : "s");
}

long ft_run_privileged(const struct ft_encoder *e)
{
	for (size_t g = 0; e->privileged && g < e->n_groups; g++)
		if (!strcmp(e->group_names[g], e->privileged))
			return (long)g;
	return -1;
}

void ft_run_warn_short(const struct ft_monitor *mon, const char *what,
                       const struct ft_method_spec *rr, size_t n_short, size_t nq)
{
	if (n_short)
		ft_run_warn(mon, "%s: %s: %zu of %zu quer%s %s", what, rr->method->name, n_short,
		            nq, nq == 1 ? "y" : "ies", ft_rerank_short_text(rr->method));
}

struct ft_comparison *ft_run_comparison_new(const struct ft_measure_opts *ms,
                                            uint64_t seed)
{
	struct ft_comparison *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->n_bootstrap = ms->n_bootstrap;
	c->level = ms->level;
	c->seed = seed;
	c->threshold = ms->threshold;
	c->consistency_k = ms->consistency_k;
	if (ms->ref && ms->n_ref) {
		if (!(c->ref = ft_xalloc(ms->n_ref, sizeof *c->ref))) {
			free(c);
			return NULL;
		}
		memcpy(c->ref, ms->ref, ms->n_ref * sizeof *c->ref);
		c->n_ref = ms->n_ref;
	}
	return c;
}

const struct ft_comparison_row *ft_comparison_find(const struct ft_comparison *c,
                                                   const char *metric, const char *model,
                                                   const char *split, const char *group,
                                                   const char *convention)
{
	for (size_t i = 0; c && i < c->n; i++) {
		const struct ft_comparison_row *r = &c->rows[i];
		if (!strcmp(r->metric, metric) && !strcmp(r->model, model) &&
		    !strcmp(r->split, split) && !strcmp(r->group, group) &&
		    !strcmp(r->convention, convention))
			return r;
	}
	return NULL;
}

/* p's scores and decisions on ds as an evaluation input; prob and pos
 * (ds->n each) hold them and are the caller's to free. */
static int decide_input(const struct ft_predictor *p, int deterministic, double threshold,
                        const struct ft_dataset *ds, const struct ft_encoder *e,
                        const char *model, const char *split, struct ft_eval_input *in,
                        double **prob, double **pos, struct ft_error *err)
{
	struct ft_error e2 = {0};
	size_t n = ds->n ? ds->n : 1;
	/* a randomized classifier is measured by expectation over its
	 * decisions; the others' decisions are their scores against the
	 * threshold, and no array of them is kept */
	int expect = ft_predictor_randomized(p) && !(deterministic && p->kind == FT_PRED_MIXTURE);
	int rc;

	*prob = malloc(n * sizeof **prob);
	*pos = expect ? malloc(n * sizeof **pos) : NULL;
	if (!*prob || (expect && !*pos))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = ft_predictor_decide(p, ds, threshold, deterministic, *prob, *pos, &e2)))
		return ft_error_set(err, rc, "scoring the %s model on the %s part: %s", model,
		                    split, e2.msg);
	ft_eval_input_init(in);
	in->n = ds->n;
	in->y = ds->y;
	in->score = *prob;
	in->pos = *pos;
	in->w = ds->w;
	in->group = ds->group;
	in->n_groups = ds->group ? e->n_groups : 0;
	in->group_names = (const char *const *)e->group_names;
	in->threshold = threshold;
	in->privileged = ft_run_privileged(e);
	return 0;
}

int ft_run_dp_measure(const struct ft_measure_opts *m, const struct ft_predictor *p,
                      const struct ft_dataset *ds, const struct ft_encoder *e,
                      const char *split, struct ft_budget **bud, struct ft_dp_audit **out,
                      struct ft_error *err)
{
	struct ft_eval_input in;
	double *prob = NULL, *pos = NULL;
	int rc;

	/* every rank holds a part of the rows: one release would need the
	 * cells summed first and the noise drawn once (not built) */
	if (ft_dist_on())
		return ft_error_set(err, FT_EINVAL, "a private release of the tables "
		                    "(--dp-epsilon) is not available in a distributed run");
	if (!(rc = decide_input(p, 0, m->threshold, ds, e, "mitigated", split, &in, &prob, &pos,
	                        err)))
		rc = ft_run_dp_release(m, &in, bud, out, err);
	free(prob);
	free(pos);
	return rc;
}

int ft_run_consistency(struct ft_comparison *c, const char *model, const char *split,
                       const struct ft_eval_input *in, const struct ft_dataset *ds,
                       struct ft_error *err)
{
	struct ft_eval_input all = *in;
	struct ft_dataset xall;
	const struct ft_dataset *x = ds;
	void *keep[5];
	int rc, gathered = 0;

	if (!c->consistency_k)
		return 0;
	/* every rank's rows and decisions: nearest neighbours cross ranks */
	if (ft_dist_on()) {
		if (ft_dataset_gather(ds, &xall))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		x = &xall;
		gathered = 1;
	}
	if ((rc = ft_run_gather_eval(&all, keep, err)) == 0) {
		if (ft_dist_me() == 0) {
			ft_dist_solo(1);
			rc = ft_comparison_add_consistency(c, model, split, &all, x,
			                                   c->consistency_k, err);
			ft_dist_solo(0);
		}
		for (int k = 0; k < 5; k++)
			free(keep[k]);
	}
	if (gathered)
		ft_dataset_gathered_free(&xall);
	return ft_dist_agree(rc, err);
}

int ft_run_measure(struct ft_comparison *cmp, size_t n_perm, const char *model,
                   const char *split, const struct ft_predictor *p, int deterministic,
                   const struct ft_dataset *ds, const struct ft_encoder *e,
                   struct ft_error *err)
{
	struct ft_eval_input in;
	struct ft_error e2 = {0};
	double *prob = NULL, *pos = NULL;
	int rc;

	rc = decide_input(p, deterministic, cmp->threshold, ds, e, model, split, &in, &prob,
	                  &pos, err);
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	rc = ft_run_measure_input(cmp, n_perm, model, split, &in, &e2);
	if (!rc)
		rc = ft_run_consistency(cmp, model, split, &in, ds, &e2);
	if (rc)
		ft_error_set(err, rc, "measuring the %s model on the %s part: %s", model, split,
		             e2.msg);
done:
	free(prob);
	free(pos);
	return rc;
}

int ft_run_measure_input(struct ft_comparison *cmp, size_t n_perm, const char *model,
                         const char *split, const struct ft_eval_input *in,
                         struct ft_error *err)
{
	struct ft_eval_input all = *in;
	void *keep[5];
	int rc;

	/* a distributed part: every row's decision on rank 0, which measures */
	if ((rc = ft_run_gather_eval(&all, keep, err)))
		return rc;
	if (ft_dist_me() == 0) {
		ft_dist_solo(1);
		rc = ft_comparison_measure_all(cmp, model, split, &all, n_perm, err);
		ft_dist_solo(0);
	}
	for (int k = 0; k < 5; k++)
		free(keep[k]);
	return ft_dist_agree(rc, err);
}

int ft_run_copy_rows(struct ft_comparison *cmp, const char *from, const char *to,
                     const char *split, struct ft_error *err)
{
	size_t n = cmp->n;

	for (size_t i = 0; i < n; i++) {
		/* copy the row's fields first: adding may move the rows */
		struct ft_comparison_row r = cmp->rows[i];
		struct ft_value v = {r.value, r.why}, lo = {r.lo, r.ci_why}, hi = {r.hi, r.ci_why};
		if (strcmp(r.model, from) || strcmp(r.split, split))
			continue;
		if (ft_comparison_add(cmp, r.metric, to, split, r.group, r.convention, v, lo, hi))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	return 0;
}

char *ft_run_utc_now(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ft_strdup(buf);
}

int ft_run_provenance(struct ft_model_file *mf, const struct ft_data_opts *o,
                      const char sha256[2][65], const char (*files_sha)[65],
                      const char *command_line, struct ft_error *err)
{
	const char *paths[2] = {o->data ? o->data : "(table)",
	                        o->test ? o->test : o->test_table ? "(table)" : NULL};
	size_t nd = o->n_files > 1 && files_sha && !o->table ? o->n_files : 1;
	size_t n = nd + (paths[1] != NULL);

	mf->fairtrain_version = ft_strdup(FT_VERSION);
	mf->created_utc = ft_run_utc_now();
	mf->command_line = ft_strdup(command_line ? command_line : "");
	mf->input_paths = calloc(n, sizeof(char *));
	mf->input_sha256 = calloc(n, sizeof(char *));
	if (!mf->fairtrain_version || !mf->created_utc || !mf->command_line ||
	    !mf->input_paths || !mf->input_sha256)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	mf->n_inputs = n;
	/* every data file, then the test file */
	for (size_t i = 0; i < n; i++) {
		const char *path = i < nd ? (nd > 1 ? o->files[i] : paths[0]) : paths[1];
		const char *sha = i < nd ? (nd > 1 ? files_sha[i] : sha256[0]) : sha256[1];
		if (!(mf->input_paths[i] = ft_strdup(path)) ||
		    !(mf->input_sha256[i] = ft_strdup(sha)))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	mf->read = o->read;
	/* NULL means "defaults"; an empty list stays a list */
	mf->read.names = NULL;
	mf->read.missing = NULL;
	if ((o->read.names && !(mf->read.names = ft_strv_copy(o->read.names,
	                                                       o->read.n_names))) ||
	    (o->read.missing && !(mf->read.missing = ft_strv_copy(o->read.missing,
	                                                           o->read.n_missing))))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	return 0;
}

int ft_run_store_method(struct ft_model_file *mf, const struct ft_method_spec *s,
                        size_t n_diag, const char (*diag_name)[FT_DIAG_NAME],
                        const double *diag, struct ft_error *err)
{
	const struct ft_method *m = s->method;
	size_t np = m->n_params;

	mf->method = ft_strdup(m->name);
	mf->param_names = calloc(np ? np : 1, sizeof *mf->param_names);
	mf->param_values = calloc(np ? np : 1, sizeof *mf->param_values);
	mf->param_choices = calloc(np ? np : 1, sizeof *mf->param_choices);
	mf->diag_names = calloc(n_diag ? n_diag : 1, sizeof *mf->diag_names);
	mf->diag_values = calloc(n_diag ? n_diag : 1, sizeof *mf->diag_values);
	if (!mf->method || !mf->param_names || !mf->param_values || !mf->param_choices ||
	    !mf->diag_names || !mf->diag_values)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	mf->n_params = np;
	for (size_t k = 0; k < np; k++) {
		const char *ch = ft_param_choice(&m->params[k], s->params[k]);
		mf->param_values[k] = s->params[k];
		if (!(mf->param_names[k] = ft_strdup(m->params[k].name)) ||
		    !(mf->param_choices[k] = ft_strdup(ch ? ch : "")))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	mf->n_diag = n_diag;
	for (size_t k = 0; k < n_diag; k++) {
		mf->diag_values[k] = diag[k];
		if (!(mf->diag_names[k] = ft_strdup(diag_name[k])))
			return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	return 0;
}

int ft_run_check_positive(const struct ft_table *t, const struct ft_dataset *d,
                          const struct ft_encoder *e, const char *what,
                          const char *allow, struct ft_error *err)
{
	char list[256];
	size_t len = 0, n_seen = 0;
	uint64_t cnt[2] = {0, 0};      /* positive rows, labelled rows */
	long j;

	if (!e->target || !e->positive || !d->y)
		return 0;
	for (size_t i = 0; i < d->n; i++) {
		cnt[0] += d->y[i] == 1.0;
		cnt[1] += d->y[i] == 0.0 || d->y[i] == 1.0;
	}
	/* over every rank of a distributed run (collective: every rank gets
	 * here with the same encoder) */
	ft_dist_sum_u64(cnt, 2);
	if (cnt[0] > 0 || cnt[1] == 0 || (j = ft_table_col(t, e->target)) < 0)
		return 0;
	/* the distinct values, for the message (the usual cause is a missing
	 * --label-strip: '>50K.' vs '>50K') */
	list[0] = '\0';
	for (size_t i = 0; i < d->n && n_seen < 6; i++) {
		const char *c = ft_table_cell(t, d->row ? d->row[i] : i, (size_t)j);
		char q[64];
		int k = snprintf(q, sizeof q, "'%.40s'", c);
		if (k < 0 || strstr(list, q))
			continue;
		if (len + (size_t)k + 3 >= sizeof list)
			break;
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", n_seen ? ", " : "",
		                        q);
		n_seen++;
	}
	return ft_error_set(err, FT_EDATA, "%s: the positive label '%s' of '%s' never occurs "
	                    "in %s (values: %s%s); give %s if that is expected", t->path,
	                    e->positive, e->target, what, list,
	                    e->label_strip && *e->label_strip ? "" :
	                    "; is --label-strip missing?", allow);
}

int ft_run_drop_others(const struct ft_table *t, const char *const *keep, size_t n,
                       struct ft_spec *s, char ***drop)
{
	*drop = calloc(t->n_cols ? t->n_cols : 1, sizeof **drop);
	if (!*drop)
		return FT_ENOMEM;
	s->n_drop = 0;
	for (size_t j = 0; j < t->n_cols; j++) {
		int kept = 0;
		for (size_t k = 0; k < n && !kept; k++)
			kept = keep[k] && !strcmp(t->names[j], keep[k]);
		for (size_t k = 0; k < s->n_sensitive && !kept; k++)
			kept = !strcmp(t->names[j], s->sensitive[k]);
		if (!kept)
			(*drop)[s->n_drop++] = t->names[j];
	}
	s->drop = *drop;
	return 0;
}

const char *ft_run_data_name(const struct ft_data_opts *d)
{
	const struct ft_table *t = d->table;

	return d->data ? d->data : t && t->path ? t->path : "(table)";
}

static int fit_gathered(const struct ft_method *m, const struct ft_fit_input *fi,
                        struct ft_fit_output *fo, struct ft_error *err);

/* Methods whose fits are not sums over ft_parallel_sum's chunks (SGD
 * passes over shuffled rows, rows drawn at random, an auditor's sweeps,
 * quantile tables, a transform fitted before the model):
 * on several ranks they fit every rank's rows gathered (ft_run_fit). */
static int gathered_method(const struct ft_method *m)
{
	static const char *const NAMES[] = {"adversarial", "gerryfair", "meta", "dir",
	                                    "corr-remove", "lfr", "optim-pre"};

	for (size_t k = 0; m && k < sizeof NAMES / sizeof *NAMES; k++)
		if (!strcmp(m->name, NAMES[k]))
			return 1;
	return 0;
}

/* "name" + printf tail, malloc'ed (NULL when out of memory). */
static char *cat_name(const char *name, size_t len, const char *fmt, double a, double b)
{
	char tail[96];
	char *s;
	int k = snprintf(tail, sizeof tail, fmt, a, b);

	if (k < 0 || !(s = malloc(len + (size_t)k + 1)))
		return NULL;
	memcpy(s, name, len);
	memcpy(s + len, tail, (size_t)k + 1);
	return s;
}

int ft_run_name_transform(struct ft_transform *t, const struct ft_encoder *e)
{
	size_t o = 0;

	if (!t || t->names)
		return 0;
	if (!(t->names = calloc(t->p_out, sizeof *t->names)))
		return FT_ENOMEM;
	if (t->kind != FT_TRANSFORM_OPTIM_PRE) {
		for (size_t j = 0; j < t->p_out; j++)
			if (!(t->names[j] = ft_strdup(j < e->n_features ? e->feature_names[j] : "?")))
				return FT_ENOMEM;
		return 0;
	}
	for (size_t c = 0; c < t->opt.n_cols; c++) {
		const double *cuts = t->opt.cuts + t->opt.cut_off[c];
		size_t nl = t->opt.n_levels[c];
		if (t->opt.is_cat[c]) {
			/* the column's name: its level names up to '=' */
			const char *col = "?";
			size_t len = 1;
			for (size_t l = 0; l < nl; l++)
				if (cuts[l] >= 0 && (size_t)cuts[l] < e->n_features) {
					col = e->feature_names[(size_t)cuts[l]];
					len = strcspn(col, "=");
					break;
				}
			for (size_t l = 0; l < nl; l++, o++) {
				if (cuts[l] >= 0 && (size_t)cuts[l] < e->n_features)
					t->names[o] = ft_strdup(e->feature_names[(size_t)cuts[l]]);
				else
					t->names[o] = cat_name(col, len, "=(none)", 0, 0);
				if (!t->names[o])
					return FT_ENOMEM;
			}
		} else {
			/* numeric column col of the numeric block: cuts back in the
			 * data's units */
			size_t j = t->opt.col[c];
			const char *name = j < e->n_features ? e->feature_names[j] : "?";
			double mean = 0, sd = 1;
			for (size_t k = 0; k < e->n_cols; k++)
				if (e->cols[k].role == FT_ROLE_FEATURE && e->cols[k].type == FT_NUMERIC &&
				    e->cols[k].offset == j) {
					mean = e->cols[k].mean;
					sd = e->cols[k].sd;
				}
			for (size_t l = 0; l < nl; l++, o++) {
				double a = l ? cuts[l - 1] * sd + mean : 0, b = l + 1 < nl ?
				           cuts[l] * sd + mean : 0;
				t->names[o] = nl == 1 ? ft_strdup(name) :
				              l == 0 ? cat_name(name, strlen(name), "<%.6g", b, 0) :
				              l + 1 == nl ? cat_name(name, strlen(name), ">=%.6g", a, 0) :
				              cat_name(name, strlen(name), "[%.6g,%.6g)", a, b);
				if (!t->names[o])
					return FT_ENOMEM;
			}
		}
	}
	return 0;
}

int ft_run_fit(const struct ft_method *m, const struct ft_fit_input *fi,
               const struct ft_encoder *e, struct ft_fit_output *fo,
               struct ft_error *err)
{
	int rc = fit_gathered(m, fi, fo, err);

	if (rc == 0 && fo->pred.transform && ft_run_name_transform(fo->pred.transform, e)) {
		ft_fit_output_clear(fo);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	return rc;
}

static int fit_gathered(const struct ft_method *m, const struct ft_fit_input *fi,
                        struct ft_fit_output *fo, struct ft_error *err)
{
	struct ft_fit_input g = *fi;
	struct ft_dataset all;
	int rc;

	if (!gathered_method(m) || !ft_dist_rows_here(fi->train->n))
		return m->fit(fi, fo, err);
	/* every rank fits all the rows alone, as one process would: the same
	 * model on every rank, bit for bit, at the memory of one process */
	if (ft_dataset_gather(fi->train, &all))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	g.train = &all;
	ft_dist_scope_push(NULL);
	ft_dist_solo(1);
	rc = m->fit(&g, fo, err);
	ft_dist_solo(0);
	ft_dist_scope_pop();
	ft_dataset_gathered_free(&all);
	return ft_dist_agree(rc, err);
}
