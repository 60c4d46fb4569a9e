/*
 * test_adult_sklearn.c - end to end on UCI Adult: fairtrain's own pipeline
 * (ft_table_read, ft_encoder_fit / ft_encoder_apply, ft_logreg_fit with C = 1)
 * against scikit-learn's LogisticRegression on the same preprocessing,
 * coefficient by feature name.  The reference,
 * tests/fixtures/adult_sklearn_coef.tsv, is made independently of fairtrain by
 * scripts/fixtures/make_logreg_fixtures.py.  Skipped when the data folder
 * (t_data_dir()) is absent.  Run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "fairtrain.h"
#include "t.h"

#define FIX "tests/fixtures/adult_sklearn_coef.tsv"
#define MAX_REF 256

struct ref {
	size_t n;
	char name[MAX_REF][128];
	double coef[MAX_REF];
	int seen[MAX_REF];
};

static int read_ref(struct ref *r)
{
	FILE *fp = fopen(FIX, "r");
	char line[512];

	r->n = 0;
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp) && r->n < MAX_REF) {
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		if (strlen(line) >= sizeof r->name[0])
			continue;
		strcpy(r->name[r->n], line);
		r->coef[r->n] = strtod(tab + 1, NULL);
		r->seen[r->n] = 0;
		r->n++;
	}
	fclose(fp);
	return r->n > 0 ? 0 : -1;
}

static long ref_find(const struct ref *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->name[i], name) == 0)
			return (long)i;
	return -1;
}

/* |a - b| <= 1e-4 |b| + 1e-8 for every coefficient and the intercept. */
static void test_adult_matches_sklearn(void)
{
	static struct ref ref;
	char path[4096];
	char *sens[] = { "sex" }, *drop[] = { "fnlwgt" };
	struct ft_read_opts ro;
	struct ft_spec sp;
	struct ft_logreg_params lp;
	struct ft_table *t = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_dataset *d = NULL;
	struct ft_linear_model *m = NULL;
	struct ft_solver_result res;
	struct ft_encode_stats st;
	struct ft_error err = { 0 };
	double worst = 0, t0, t1;
	const char *worst_name = "";
	long k;

	if (read_ref(&ref) != 0) {
		T_FAIL("cannot read %s (run from the repository root)", FIX);
		return;
	}
	snprintf(path, sizeof path, "%s/adult/adult.data", t_data_dir());
	ft_read_opts_init(&ro);
	ro.header = 0;
	ro.names = t_adult_names();
	ro.n_names = T_ADULT_N_NAMES;
	if (ft_table_read(path, &ro, &t, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	ft_spec_init(&sp);
	sp.target = "income";
	sp.positive = ">50K";
	sp.sensitive = sens;
	sp.n_sensitive = 1;
	sp.drop = drop;
	sp.n_drop = 1;
	if (ft_encoder_fit(t, &sp, &enc, &err) != 0 ||
	    ft_encoder_apply(enc, t, FT_APPLY_TRAIN, &d, &st, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	T_CHECKF(d->n == 30162, "%zu rows after dropping missing values", d->n);
	T_CHECKF(d->p + 1 == ref.n, "%zu features, sklearn has %zu", d->p, ref.n - 1);
	ft_logreg_params_init(&lp);
	lp.C = 1;
	t0 = t_now();
	if (ft_logreg_fit(d, &lp, &m, &res, &err) != 0) {
		T_FAIL("%s", err.msg);
		goto done;
	}
	t1 = t_now();
	T_CHECK(res.converged);
	T_CHECK(res.solver == FT_SOLVER_NEWTON);
	for (size_t j = 0; j <= d->p; j++) {
		const char *name = j < d->p ? enc->feature_names[j] : "(intercept)";
		double a = j < d->p ? m->coef[j] : m->intercept, b, rel;
		if ((k = ref_find(&ref, name)) < 0) {
			T_FAIL("feature %s is not in %s", name, FIX);
			continue;
		}
		b = ref.coef[k];
		ref.seen[k] = 1;
		rel = fabs(a - b) / (fabs(b) > 0 ? fabs(b) : 1);
		if (rel > worst) {
			worst = rel;
			worst_name = name;
		}
		T_CHECKF(fabs(a - b) <= 1e-4 * fabs(b) + 1e-8,
		         "%s: fairtrain %.10g, sklearn %.10g", name, a, b);
	}
	for (size_t i = 0; i < ref.n; i++)
		T_CHECKF(ref.seen[i], "sklearn feature %s missing in fairtrain", ref.name[i]);
	/* the numbers a reviewer wants, on stderr so tests/run.sh ignores them */
	fprintf(stderr, "adult: %zu rows, %zu features, %s %d iterations, %.1f ms, "
	        "|g| %.3g, max rel diff vs sklearn %.3g (%s)\n", d->n, d->p,
	        ft_solver_name(res.solver), res.iterations, 1e3 * (t1 - t0),
	        res.grad_norm, worst, worst_name);
done:
	ft_linear_model_free(m);
	ft_dataset_free(d);
	ft_encoder_free(enc);
	ft_table_free(t);
}

int main(void)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof path, "%s/adult/adult.data", t_data_dir());
	if (stat(path, &sb) != 0)
		T_SKIP(test_adult_matches_sklearn, "adult/adult.data not found under $FAIRTRAIN_DATA");
	else
		T_RUN(test_adult_matches_sklearn);
	return t_done();
}
