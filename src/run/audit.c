/*
 * audit.c - ft_audit: measure the predictions of any model (a table of
 * labels, scores and sensitive attributes) without training anything.
 *
 * The label, sensitive and weight columns go through the same encoder as
 * training data (the same missing-value, group and label rules); the
 * scores are read from the raw cells, so a score of exactly the threshold
 * is compared as written.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"
#include "run/run.h"
#include "metrics/metrics.h"

void ft_audit_opts_init(struct ft_audit_opts *o)
{
	memset(o, 0, sizeof *o);
	ft_data_opts_init(&o->data);
	o->data.split = 0;
	ft_measure_opts_init(&o->measure);
}

void ft_audit_result_free(struct ft_audit_result *r)
{
	if (!r)
		return;
	ft_comparison_free(r->cmp);
	ft_strv_free(r->group_names, r->n_groups);
	ft_dp_audit_free(r->dp);
	free(r->budget);
	free(r);
}

/* The spec of an audit: every column but label, score, sensitive and
 * weight dropped; the score numeric. */
static int audit_spec(const struct ft_audit_opts *o, const struct ft_table *t,
                      struct ft_spec *s, char ***drop, char **numeric)
{
	const char *keep[3] = {o->label, o->score, o->data.spec.weight};

	*s = o->data.spec;
	if (ft_run_drop_others(t, keep, 3, s, drop))
		return FT_ENOMEM;
	s->target = o->label;
	if (!s->positive)
		s->positive = "1";
	numeric[0] = (char *)o->score;
	s->numeric = numeric;
	s->n_numeric = 1;
	s->categorical = NULL;
	s->n_categorical = 0;
	s->missing_policy = FT_MISSING_DROP;
	s->use_sensitive = 0;
	return 0;
}

/* The score of every encoded row, from its raw cell (the table row it
 * came from: d->row). */
static int read_scores(const struct ft_audit_opts *o, const struct ft_table *t, long scol,
                       const struct ft_dataset *ds, double *sc, struct ft_error *err)
{
	for (size_t i = 0; i < ds->n; i++) {
		const char *cell = ft_table_cell(t, ds->row[i], (size_t)scol);
		const char *path = o->data.data || o->data.n_files ?
		                   ft_table_row_path(t, ds->row[i]) : ft_run_data_name(&o->data);
		char *end;
		if (!cell)
			return ft_error_set(err, FT_EDATA, "%s:%zu: score missing", path,
			                    ds->line[i]);
		errno = 0;
		sc[i] = strtod(cell, &end);
		if (*end || errno || !isfinite(sc[i]) || sc[i] < 0 || sc[i] > 1)
			return ft_error_set(err, FT_EDATA, "%s:%zu: column '%s': score '%s' is not "
			                    "in [0, 1] (give probabilities or 0/1 predictions)", path,
			                    ds->line[i], o->score, cell);
	}
	return 0;
}

int ft_audit(const struct ft_audit_opts *o, struct ft_audit_result **out,
             struct ft_error *err)
{
	struct ft_audit_result *r = calloc(1, sizeof *r);
	struct ft_loaded *l = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_dataset *ds = NULL;
	struct ft_encode_stats st;
	struct ft_eval_input in;
	struct ft_error e2 = {0};
	struct ft_data_opts d = o->data;
	struct ft_spec s;
	char **drop = NULL, *numeric[1];
	double *sc = NULL;
	long scol;
	int rc;

	ft_error_clear(err);
	*out = NULL;
	if ((rc = ft_run_check_measure(&o->measure, err))) {
		free(r);
		return rc;
	}
	if (o->measure.consistency_k) {
		free(r);
		return ft_error_set(err, FT_EINVAL, "consistency needs the model's features, "
		                    "and audit reads predictions only (eval measures it)");
	}
	if (!r)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (o->task == FT_TASK_RANK) {
		ft_threads_setup();
		if ((rc = ft_audit_rank(o, r, err)))
			goto done;
		*out = r;
		return 0;
	}
	if (!o->label || !o->score || !o->data.spec.n_sensitive) {
		rc = ft_error_set(err, FT_EINVAL, "an audit needs the label, score and "
		                  "sensitive columns");
		goto done;
	}
	ft_threads_setup();
	d.split = 0;
	d.test = NULL;
	d.test_table = NULL;
	if ((rc = ft_load_tables(&d, &l, err)))
		goto done;
	r->n_filtered = l->n_filtered;
	if ((scol = ft_table_col(l->train_t, o->score)) < 0) {
		rc = ft_error_set(err, FT_EDATA, "%s: no column '%s'",
		                  ft_run_data_name(&o->data), o->score);
		goto done;
	}
	if (audit_spec(o, l->train_t, &s, &drop, numeric)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = ft_encoder_fit(l->train_t, &s, &enc, err)))
		goto done;
	/* each rank its rows (a distributed run), the first bad one named */
	if (!(rc = ft_encoder_apply(enc, l->train_t, FT_APPLY_TRAIN, &ds, &st, err)) &&
	    !(sc = malloc((ds->n ? ds->n : 1) * sizeof *sc)))
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
	if (!rc)
		rc = read_scores(o, l->train_t, scol, ds, sc, err);
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	ft_run_sum_stats(&st);
	if (ft_dist_on() && ft_run_rows(ds->n) == 0) {
		rc = ft_encode_none_left(l->train_t->path, &st, err);
		goto done;
	}
	ft_eval_input_init(&in);
	in.n = ds->n;
	in.y = ds->y;
	in.score = sc;
	in.w = ds->w;
	in.group = ds->group;
	in.n_groups = enc->n_groups;
	in.group_names = (const char *const *)enc->group_names;
	in.threshold = o->measure.threshold;
	in.privileged = ft_run_privileged(enc);
	if (!(r->cmp = ft_run_comparison_new(&o->measure, o->data.seed)) ||
	    !(r->group_names = ft_strv_copy(enc->group_names, enc->n_groups))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	r->n_groups = enc->n_groups;
	if ((rc = ft_run_measure_input(r->cmp, o->measure.n_perm, "audited", "audit", &in,
	                               &e2))) {
		ft_error_set(err, rc, "%s: %s", ft_run_data_name(&o->data), e2.msg);
		goto done;
	}
	if (o->measure.dp_epsilon > 0 &&
	    (rc = ft_run_dp_release(&o->measure, &in, &r->budget, &r->dp, err)))
		goto done;
	r->n_read = st.n_in;
	r->n_measured = ft_run_rows(ds->n);
	r->n_dropped = st.n_dropped;
done:
	free(sc);
	free(drop);
	ft_dataset_free(ds);
	ft_encoder_free(enc);
	ft_loaded_free(l);
	if (rc) {
		ft_audit_result_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
