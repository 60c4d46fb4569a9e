/*
 * audit_rank.c - ft_audit of rankings (task rank): a ranking produced by
 * any system, as a table of query, item score or rank, relevance and
 * group, measured as train --task rank measures a model (src/run/rank.c:
 * ties pooled by default, means over queries with bootstrap intervals).
 *
 * The columns go through an encoder as ranking training data do: the
 * relevance is the numeric target, the sensitive columns give the groups,
 * the query column the queries, the score (or rank) is the one feature,
 * used as given; rows with a missing relevance, group or score are dropped
 * and counted.  A rank r is read as the score -r (rank 1 first; equal
 * ranks are ties).  Not here: the audit of classifiers (audit.c).
 */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "run/run.h"

/* Every column but query, score/rank, relevance and sensitive dropped. */
static int rank_spec(const struct ft_audit_opts *o, const struct ft_table *t,
                     struct ft_spec *s, char ***drop, char **numeric)
{
	const char *sc = o->rank ? o->rank : o->score;
	const char *keep[3] = {sc, o->relevance, o->query};

	*s = o->data.spec;
	if (ft_run_drop_others(t, keep, 3, s, drop))
		return FT_ENOMEM;
	s->target = o->relevance;
	s->numeric_target = 1;
	s->query = o->query;
	s->weight = NULL;
	numeric[0] = (char *)sc;
	s->numeric = numeric;
	s->n_numeric = 1;
	s->categorical = NULL;
	s->n_categorical = 0;
	s->missing_policy = FT_MISSING_DROP;
	s->use_sensitive = 0;
	s->raw_numeric = 1;
	return 0;
}

/* Checks that need no data. */
static int check(const struct ft_audit_opts *o, struct ft_error *err)
{
	if (!o->query || !o->relevance || !o->data.spec.n_sensitive)
		return ft_error_set(err, FT_EINVAL, "an audit of rankings needs the query, "
		                    "relevance and sensitive columns");
	if (!o->score == !o->rank)
		return ft_error_set(err, FT_EINVAL, "an audit of rankings needs a score or a "
		                    "rank column (one of them)");
	if (o->data.spec.weight)
		return ft_error_set(err, FT_EINVAL, "an audit of rankings takes no weight "
		                    "column");
	return ft_run_rank_check(&o->measure, 0, err);
}

/* The protected group's index (-1 without one). */
static int protected_of(const struct ft_audit_opts *o, const struct ft_encoder *e,
                        int32_t *prot, struct ft_error *err)
{
	*prot = -1;
	if (!o->protected_group)
		return 0;
	for (size_t g = 0; g < e->n_groups; g++)
		if (!strcmp(e->group_names[g], o->protected_group))
			*prot = (int32_t)g;
	if (*prot < 0)
		return ft_error_set(err, FT_EDATA, "%s: protected group '%s' is not a group of "
		                    "the data", ft_run_data_name(&o->data),
		                    o->protected_group);
	return 0;
}

int ft_audit_rank(const struct ft_audit_opts *o, struct ft_audit_result *r,
                  struct ft_error *err)
{
	const char *path = ft_run_data_name(&o->data);
	struct ft_data_opts d = o->data;
	struct ft_loaded *l = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_rank_data *rd = NULL;
	struct ft_encode_stats st = {0};
	struct ft_spec s;
	struct ft_error e2 = {0};
	char **drop = NULL, *numeric[1];
	double *sc = NULL;
	int32_t prot;
	int rc;

	if ((rc = check(o, err)))
		return rc;
	d.split = 0;
	d.test = NULL;
	d.test_table = NULL;
	if ((rc = ft_load_tables(&d, &l, err)))
		goto done;
	r->n_filtered = l->n_filtered;
	if (ft_table_col(l->train_t, o->rank ? o->rank : o->score) < 0 ||
	    ft_table_col(l->train_t, o->query) < 0 || ft_table_col(l->train_t, o->relevance) < 0) {
		const char *c = ft_table_col(l->train_t, o->query) < 0 ? o->query :
		                ft_table_col(l->train_t, o->relevance) < 0 ? o->relevance :
		                o->rank ? o->rank : o->score;
		rc = ft_error_set(err, FT_EDATA, "%s: no column '%s'", path, c);
		goto done;
	}
	if (rank_spec(o, l->train_t, &s, &drop, numeric)) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = ft_encoder_fit(l->train_t, &s, &enc, err)) ||
	    (rc = ft_rank_data_from_table(l->train_t, enc, o->query, FT_APPLY_TRAIN, &rd, &st,
	                                  err)) ||
	    (rc = protected_of(o, enc, &prot, err)))
		goto done;
	if (rd->n == 0) {
		rc = ft_error_set(err, FT_EDATA, "%s: no rows to measure", path);
		goto done;
	}
	ft_run_warn_stats(o->mon, path, &st);
	if (!(sc = malloc(rd->n * sizeof *sc)) ||
	    !(r->cmp = ft_run_comparison_new(&o->measure, o->data.seed)) ||
	    !(r->group_names = ft_strv_copy(enc->group_names, enc->n_groups))) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	r->n_groups = enc->n_groups;
	for (size_t i = 0; i < rd->n; i++)
		sc[i] = o->rank ? -rd->x[i] : rd->x[i];
	if ((rc = ft_run_rank_model(r->cmp, "audited", "audit", rd, sc, NULL, prot,
	                            &o->measure, NULL, &e2))) {
		ft_error_set(err, rc, "%s: %s", path, e2.msg);
		goto done;
	}
	r->n_read = st.n_in;
	r->n_measured = rd->n;
	r->n_dropped = st.n_dropped;
	r->n_queries = rd->n_queries;
done:
	free(sc);
	free(drop);
	ft_rank_data_free(rd);
	ft_encoder_free(enc);
	ft_loaded_free(l);
	return rc;
}
