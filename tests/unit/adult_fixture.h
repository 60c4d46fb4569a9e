/*
 * adult_fixture.h - UCI Adult encoded for the method tests (test_adversarial.c,
 * test_gerryfair.c, test_meta.c, test_bgl.c): adult.data, sensitive
 * columns as given ("sex", or "sex" and "race"), fnlwgt dropped, the
 * baseline logistic fit (C = 1) as the warm start, and optionally the test
 * part adult.test.  t_have_data() tells whether the data is there.
 */
#ifndef FT_ADULT_FIXTURE_H
#define FT_ADULT_FIXTURE_H

#include <stdio.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"

struct adult_fx {
	struct ft_table *tr, *te;
	struct ft_encoder *enc;
	struct ft_dataset *d, *dt;
	struct ft_logreg_params lp;
	struct ft_linear_model *base;
	double base_f;
	long privileged;
};

static inline void adult_fx_free(struct adult_fx *a)
{
	ft_linear_model_free(a->base);
	ft_dataset_free(a->d);
	ft_dataset_free(a->dt);
	ft_encoder_free(a->enc);
	ft_table_free(a->tr);
	ft_table_free(a->te);
	memset(a, 0, sizeof *a);
}

/* sens: n_sens column names; privileged: a group name or NULL; test: also
 * read adult.test.  0, or -1 after T_FAIL. */
static inline int adult_fx_load(struct adult_fx *a, char **sens, size_t n_sens,
                                const char *privileged, int test)
{
	char path[4096], *drop[] = { "fnlwgt" };
	struct ft_read_opts ro;
	struct ft_spec sp;
	struct ft_error e = { 0 };
	struct ft_solver_result r;

	memset(a, 0, sizeof *a);
	ft_read_opts_init(&ro);
	ro.header = 0;
	ro.names = t_adult_names();
	ro.n_names = T_ADULT_N_NAMES;
	ft_spec_init(&sp);
	sp.target = "income";
	sp.positive = ">50K";
	sp.label_strip = ".";
	sp.sensitive = sens;
	sp.n_sensitive = n_sens;
	sp.privileged = privileged;
	sp.drop = drop;
	sp.n_drop = 1;
	ft_logreg_params_init(&a->lp);
	snprintf(path, sizeof path, "%s/adult/adult.data", t_data_dir());
	if (ft_table_read(path, &ro, &a->tr, &e) != 0 ||
	    ft_encoder_fit(a->tr, &sp, &a->enc, &e) != 0 ||
	    ft_encoder_apply(a->enc, a->tr, FT_APPLY_TRAIN, &a->d, NULL, &e) != 0 ||
	    ft_logreg_fit(a->d, &a->lp, &a->base, &r, &e) != 0) {
		T_FAIL("%s", e.msg);
		return -1;
	}
	a->base_f = r.f;
	a->privileged = -1;
	for (size_t g = 0; privileged && g < a->enc->n_groups; g++)
		if (!strcmp(a->enc->group_names[g], privileged))
			a->privileged = (long)g;
	if (!test)
		return 0;
	snprintf(path, sizeof path, "%s/adult/adult.test", t_data_dir());
	ro.skip_rows = 1;
	if (ft_table_read(path, &ro, &a->te, &e) != 0 ||
	    ft_encoder_apply(a->enc, a->te, FT_APPLY_TRAIN, &a->dt, NULL, &e) != 0) {
		T_FAIL("%s", e.msg);
		return -1;
	}
	return 0;
}

/* The fit input of a method on the training part. */
static inline void adult_fx_input(const struct adult_fx *a, const double *params,
                                  struct ft_fit_input *in)
{
	memset(in, 0, sizeof *in);
	in->train = a->d;
	in->n_groups = a->enc->n_groups;
	in->group_names = (const char *const *)a->enc->group_names;
	in->privileged = a->privileged;
	in->lr = &a->lp;
	in->baseline = a->base;
	in->baseline_objective = a->base_f;
	in->params = params;
}

/* The value of diagnostic `name` of a fit, NaN when absent. */
static inline double fx_diag(const struct ft_fit_output *o, const char *name)
{
	for (size_t k = 0; k < o->n_diag; k++)
		if (!strcmp(o->diag_name[k], name))
			return o->diag[k];
	return NAN;
}

/* Demographic-parity difference (max - min over groups of the weighted mean
 * of pos) and accuracy of P(yhat = 1) = pos on d. */
static inline void fx_dp_acc(const struct ft_dataset *d, const double *pos, double *dp,
                             double *acc)
{
	double sw[64] = { 0 }, sp[64] = { 0 }, W = 0.0, A = 0.0, lo = INFINITY, hi = -INFINITY;

	for (size_t i = 0; i < d->n; i++) {
		double w = d->w ? d->w[i] : 1.0;
		int32_t g = d->group[i];
		W += w;
		A += w * (d->y[i] > 0.5 ? pos[i] : 1.0 - pos[i]);
		if (g >= 0 && g < 64) {
			sw[g] += w;
			sp[g] += w * pos[i];
		}
	}
	for (size_t g = 0; g < d->n_groups && g < 64; g++)
		if (sw[g] > 0) {
			lo = fmin(lo, sp[g] / sw[g]);
			hi = fmax(hi, sp[g] / sw[g]);
		}
	*dp = hi - lo;
	*acc = A / W;
}

#endif
