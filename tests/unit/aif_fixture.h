/*
 * aif_fixture.h - the real-data inputs of the AIF360 / Fairlearn / LiFT
 * port fixtures (scripts/fixtures/aif_common.py), built the same way in C:
 * German credit grouped by sex from column 9 (A92, A95 female = group 0,
 * male = group 1), Adult grouped by sex (Female 0, Male 1), and the formula
 * score of Adult rows.  Header-only, for the unit tests.
 */
#ifndef FT_AIF_FIXTURE_H
#define FT_AIF_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "t.h"

static const char *const AF_SEX2[2] = {"female", "male"};

/* German credit encoded by fairtrain (c9 is the sensitive column, not a
 * feature), then regrouped by sex.  Returns 0 or an FT_E* code. */
static inline int af_german(struct ft_table **t, struct ft_encoder **e,
                            struct ft_dataset **d, struct ft_error *err)
{
	static char nb[21][16];
	static char *names[21];
	char path[4096], *sens[] = {"c9"};
	struct ft_read_opts o;
	struct ft_spec s;
	int rc;

	*t = NULL;
	*e = NULL;
	*d = NULL;
	snprintf(path, sizeof path, "%s/german/german.data", t_data_dir());
	for (int i = 0; i < 21; i++) {
		snprintf(nb[i], sizeof nb[i], "c%d", i + 1);
		names[i] = nb[i];
	}
	ft_read_opts_init(&o);
	o.whitespace = 1;
	o.header = 0;
	o.names = names;
	o.n_names = 21;
	if ((rc = ft_table_read(path, &o, t, err)) != 0)
		return rc;
	ft_spec_init(&s);
	s.target = "c21";
	s.positive = "1";
	s.sensitive = sens;
	s.n_sensitive = 1;
	if ((rc = ft_encoder_fit(*t, &s, e, err)) != 0 ||
	    (rc = ft_encoder_apply(*e, *t, FT_APPLY_TRAIN, d, NULL, err)) != 0)
		return rc;
	for (size_t i = 0; i < (*d)->n; i++) {
		const char *g = (*e)->group_names[(*d)->group[i]];
		(*d)->group[i] = !strcmp(g, "A92") || !strcmp(g, "A95") ? 0 : 1;
	}
	(*d)->n_groups = 2;
	return 0;
}

/* Adult (adult.data) read as distributed. */
static inline int af_adult_table(struct ft_table **t, struct ft_error *err)
{
	char path[4096];
	struct ft_read_opts ro;

	snprintf(path, sizeof path, "%s/adult/adult.data", t_data_dir());
	ft_read_opts_init(&ro);
	ro.header = 0;
	ro.names = t_adult_names();
	ro.n_names = T_ADULT_N_NAMES;
	return ft_table_read(path, &ro, t, err);
}

/* Adult encoded the standard way (sex sensitive, fnlwgt dropped). */
static inline int af_adult(struct ft_table **t, struct ft_encoder **e,
                           struct ft_dataset **d, struct ft_error *err)
{
	char *sens[] = {"sex"}, *drop[] = {"fnlwgt"};
	struct ft_spec sp;
	int rc;

	*e = NULL;
	*d = NULL;
	if ((rc = af_adult_table(t, err)) != 0)
		return rc;
	ft_spec_init(&sp);
	sp.target = "income";
	sp.positive = ">50K";
	sp.label_strip = ".";
	sp.sensitive = sens;
	sp.n_sensitive = 1;
	sp.drop = drop;
	sp.n_drop = 1;
	if ((rc = ft_encoder_fit(*t, &sp, e, err)) != 0)
		return rc;
	return ft_encoder_apply(*e, *t, FT_APPLY_TRAIN, d, NULL, err);
}

/* aif_common.squash */
static inline double af_squash(double z)
{
	return 0.5 + 0.5 * z / (1.0 + fabs(z));
}

/* Rows of Adult without a missing cell: aif_common.adult_formula_score,
 * label (>50K) and group (Female 0, Male 1).  Arrays malloc'ed (t->n_rows
 * entries); *n the rows kept. */
static inline int af_adult_formula(const struct ft_table *t, double **s, double **y,
                                   int32_t **g, size_t *n)
{
	long c_age = ft_table_col(t, "age"), c_edu = ft_table_col(t, "education-num");
	long c_h = ft_table_col(t, "hours-per-week"), c_gain = ft_table_col(t, "capital-gain");
	long c_sex = ft_table_col(t, "sex"), c_inc = ft_table_col(t, "income");

	*s = malloc(t->n_rows * sizeof **s);
	*y = malloc(t->n_rows * sizeof **y);
	*g = malloc(t->n_rows * sizeof **g);
	*n = 0;
	if (!*s || !*y || !*g)
		return FT_ENOMEM;
	for (size_t i = 0; i < t->n_rows; i++) {
		int missing = 0;
		double age, edu, h, gain, z;
		for (size_t j = 0; j < t->n_cols; j++)
			missing |= t->cell[i * t->n_cols + j] == FT_MISSING;
		if (missing)
			continue;
		age = atof(ft_table_cell(t, i, (size_t)c_age));
		edu = atof(ft_table_cell(t, i, (size_t)c_edu));
		h = atof(ft_table_cell(t, i, (size_t)c_h));
		gain = atof(ft_table_cell(t, i, (size_t)c_gain));
		z = (age - 38.0) / 12.0 + (edu - 10.0) / 2.5 + (h - 40.0) / 12.0 +
		    (gain > 5000.0 ? 2.0 : 0.0) - 1.2;
		(*s)[*n] = af_squash(z);
		(*y)[*n] = !strncmp(ft_table_cell(t, i, (size_t)c_inc), ">50K", 4);
		(*g)[*n] = !strcmp(ft_table_cell(t, i, (size_t)c_sex), "Male");
		(*n)++;
	}
	return 0;
}

/* aif_common.german_weight */
static inline double af_weight(size_t i)
{
	return 1.0 + 0.5 * (double)(i % 3);
}

#endif
