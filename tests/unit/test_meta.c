/*
 * test_meta.c - the meta-fair classifier (src/fair/meta.c; Celis, Huang,
 * Keswani & Vishnoi, FAT* 2019, as AIF360's MetaFairClassifier with the
 * sensitive attribute observed) against a numpy port of AIF360's code with
 * the same change (tests/fixtures/meta_ref.tsv, made by
 * scripts/fixtures/make_meta_fixture.py), on German credit (1000 rows,
 * personal status A93 privileged) and the first 2000 rows of UCI Adult
 * (sex, Male privileged), for sr and fdr at tau 0.8 (skipped without the
 * data): the chosen (a, b), the multipliers, the training accuracy and
 * ratio, P(y = 1 | x, z) and t at fixed rows, sums of t and t^2, and the
 * positive decisions per group.  Tolerance 1e-10 relative (absolute below
 * 1): the Gaussian's pseudo-inverse comes from two LAPACK
 * eigendecompositions (measured: 1.3e-13 at worst), and the 441 gradient
 * steps per candidate sum their 20 points in numpy's order; the counts
 * must be equal.  Also: the saved per-group linear model decides
 * every training row as t > 0 does, and the errors.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "fair/inproc.h"
#include "model/model.h"
#include "t.h"
#include "adult_fixture.h"

#define FIX "tests/fixtures/meta_ref.tsv"

struct ref {
	char set[16], type[8];
	double a, b, acc, ratio, sum_t, sum_t2, q[4];
	long pos[2];
	size_t n_rows, row[32];
	double eta[32], t[32];
};

static size_t read_refs(struct ref *r, size_t max)
{
	FILE *fp = fopen(FIX, "r");
	char buf[2048], *f[24], *sv;
	size_t n = 0;

	if (!fp)
		return 0;
	while (fgets(buf, sizeof buf, fp)) {
		size_t nf = 0;
		if (buf[0] == '#')
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		for (char *tok = strtok_r(buf, "\t", &sv); tok && nf < 24; tok = strtok_r(NULL, "\t", &sv))
			f[nf++] = tok;
		if (!strcmp(f[0], "fit") && nf >= 15 && n < max) {
			struct ref *x = &r[n++];
			memset(x, 0, sizeof *x);
			snprintf(x->set, sizeof x->set, "%s", f[1]);
			snprintf(x->type, sizeof x->type, "%s", f[2]);
			x->a = atof(f[5]);
			x->b = atof(f[6]);
			x->acc = atof(f[7]);
			x->ratio = atof(f[8]);
			x->pos[0] = atol(f[9]);
			x->pos[1] = atol(f[10]);
			x->sum_t = atof(f[11]);
			x->sum_t2 = atof(f[12]);
			for (size_t k = 13; k < nf && k < 17; k++)
				x->q[k - 13] = atof(f[k]);
		} else if (!strcmp(f[0], "row") && nf == 6 && n > 0) {
			struct ref *x = &r[n - 1];
			if (x->n_rows < 32 && !strcmp(x->set, f[1]) && !strcmp(x->type, f[2])) {
				x->row[x->n_rows] = (size_t)atol(f[3]);
				x->eta[x->n_rows] = atof(f[4]);
				x->t[x->n_rows++] = atof(f[5]);
			}
		}
	}
	fclose(fp);
	return n;
}

struct set {
	struct ft_table *t, *sub;
	struct ft_encoder *enc;
	struct ft_dataset *d;
	struct ft_logreg_params lp;
	long privileged;
};

static void set_free(struct set *s)
{
	ft_dataset_free(s->d);
	ft_encoder_free(s->enc);
	ft_table_free(s->sub);
	ft_table_free(s->t);
	memset(s, 0, sizeof *s);
}

/* The data as the fixture reads it: German in full, Adult's first 2000 rows. */
static int load(struct set *s, int adult)
{
	static char *gnames[] = { "checking", "duration", "history", "purpose", "amount",
	    "savings", "employment", "rate", "personal", "debtors", "residence", "property",
	    "age", "plans", "housing", "credits", "job", "dependents", "telephone", "foreign",
	    "class" };
	static char *gcat[] = { "rate", "residence", "credits", "dependents" };
	char path[4096], *sens[1], *drop[] = { "fnlwgt" };
	struct ft_read_opts ro;
	struct ft_spec sp;
	struct ft_error e = { 0 };
	const char *priv = adult ? "Male" : "A93";

	memset(s, 0, sizeof *s);
	ft_read_opts_init(&ro);
	ro.header = 0;
	ft_spec_init(&sp);
	if (adult) {
		ro.names = t_adult_names();
		ro.n_names = T_ADULT_N_NAMES;
		sp.target = "income";
		sp.positive = ">50K";
		sp.label_strip = ".";
		sens[0] = "sex";
		sp.drop = drop;
		sp.n_drop = 1;
		snprintf(path, sizeof path, "%s/adult/adult.data", t_data_dir());
	} else {
		ro.names = gnames;
		ro.n_names = 21;
		ro.whitespace = 1;
		sp.target = "class";
		sp.positive = "1";
		sens[0] = "personal";
		sp.categorical = gcat;
		sp.n_categorical = 4;
		snprintf(path, sizeof path, "%s/german/german.data", t_data_dir());
	}
	sp.sensitive = sens;
	sp.n_sensitive = 1;
	sp.privileged = priv;
	ft_logreg_params_init(&s->lp);
	if (ft_table_read(path, &ro, &s->t, &e) != 0) {
		T_FAIL("%s", e.msg);
		return -1;
	}
	{
		size_t n = adult ? 2000 : s->t->n_rows, *rows = malloc(n * sizeof *rows);
		for (size_t i = 0; rows && i < n; i++)
			rows[i] = i;
		if (!rows || ft_table_subset(s->t, rows, n, &s->sub, &e) != 0 ||
		    ft_encoder_fit(s->sub, &sp, &s->enc, &e) != 0 ||
		    ft_encoder_apply(s->enc, s->sub, FT_APPLY_TRAIN, &s->d, NULL, &e) != 0) {
			free(rows);
			T_FAIL("%s", e.msg);
			return -1;
		}
		free(rows);
	}
	s->privileged = -1;
	for (size_t g = 0; g < s->enc->n_groups; g++)
		if (!strcmp(s->enc->group_names[g], priv))
			s->privileged = (long)g;
	return 0;
}

static double rel(double a, double b)
{
	return fabs(a - b) / fmax(1.0, fabs(b));
}

/* t of row i from eta and the fit's diagnostics (the formula of meta.c's
 * header, written again here). */
static double t_of(const struct ft_fit_output *o, int fdr, double eta, int z, double zp)
{
	double a = fx_diag(o, "a"), b = fx_diag(o, "b");
	if (!fdr)
		return eta - 0.5 + (z ? fx_diag(o, "l2") / zp : fx_diag(o, "l1") / (1 - zp));
	{
		double u = fx_diag(o, z ? "u2" : "u1"), l = fx_diag(o, z ? "l2" : "l1");
		double pm = 1 - eta;
		return eta - 0.5 + u * (pm - a) + l * (-pm + b);
	}
}

static void check_set(int adult)
{
	static struct set s;
	static struct ref refs[8];
	size_t nr = read_refs(refs, 8);
	const char *name = adult ? "adult2000" : "german";

	if (nr == 0) {
		T_FAIL("cannot read %s (run from the repository root)", FIX);
		return;
	}
	if (load(&s, adult) != 0)
		goto done;
	for (int fdr = 0; fdr < 2; fdr++) {
		const struct ref *r = NULL;
		double params[FT_MAX_PARAMS] = { fdr, 0.8, 1 }, worst = 0.0, st = 0, st2 = 0, c[2];
		double *w = malloc(s.d->p * sizeof *w), *sc = malloc(s.d->n * sizeof *sc);
		double *pos = malloc(s.d->n * sizeof *pos), zp;
		int8_t *z = malloc(s.d->n);
		long npos[2] = { 0, 0 };
		size_t rank, mism = 0;
		struct ft_fit_input in;
		struct ft_fit_output o;
		struct ft_error e = { 0 };

		for (size_t k = 0; k < nr; k++)
			if (!strcmp(refs[k].set, name) && !strcmp(refs[k].type, fdr ? "fdr" : "sr"))
				r = &refs[k];
		memset(&o, 0, sizeof o);
		memset(&in, 0, sizeof in);
		in.train = s.d;
		in.n_groups = s.enc->n_groups;
		in.group_names = (const char *const *)s.enc->group_names;
		in.privileged = s.privileged;
		in.lr = &s.lp;
		in.params = params;
		if (!r || !w || !sc || !pos || !z || ft_fit_meta(&in, &o, &e) != 0 ||
		    ft_adv_targets(&in, "meta", z, &e) != 0 ||
		    ft_meta_gauss(s.d, z, w, c, &rank, &e) != 0) {
			T_FAIL("%s %s: %s", name, fdr ? "fdr" : "sr", r ? e.msg : "no reference");
			goto next;
		}
		zp = fx_diag(&o, "p_privileged");
		worst = fmax(worst, rel(fx_diag(&o, "a"), r->a));
		worst = fmax(worst, rel(fx_diag(&o, "b"), r->b));
		worst = fmax(worst, rel(fx_diag(&o, fdr ? "u1" : "l1"), r->q[0]));
		worst = fmax(worst, rel(fx_diag(&o, fdr ? "u2" : "l2"), r->q[1]));
		if (fdr) {
			worst = fmax(worst, rel(fx_diag(&o, "l1"), r->q[2]));
			worst = fmax(worst, rel(fx_diag(&o, "l2"), r->q[3]));
		}
		worst = fmax(worst, rel(fx_diag(&o, "accuracy"), r->acc));
		worst = fmax(worst, rel(fx_diag(&o, "ratio"), r->ratio));
		for (size_t i = 0; i < s.d->n; i++) {
			double eta, lin = 0.0, t;
			/* w.x over the row's non-zeros */
			for (size_t j = 0; j < s.d->n_num; j++)
				lin += w[j] * s.d->num[i * s.d->n_num + j];
			for (size_t k = 0; k < s.d->n_cat; k++)
				if (s.d->code[i * s.d->n_cat + k] >= 0)
					lin += w[s.d->code[i * s.d->n_cat + k]];
			eta = 1.0 / (1.0 + exp(-(lin + c[z[i]])));
			t = t_of(&o, fdr, eta, z[i], zp);
			st += t;
			st2 += t * t;
			npos[z[i]] += t > 0;
			for (size_t k = 0; k < r->n_rows; k++)
				if (r->row[k] == i) {
					worst = fmax(worst, rel(eta, r->eta[k]));
					worst = fmax(worst, rel(t, r->t[k]));
				}
			sc[i] = t;
		}
		worst = fmax(worst, rel(st, r->sum_t));
		worst = fmax(worst, rel(st2, r->sum_t2));
		T_CHECKF(worst < 1e-10, "%s %s: worst relative difference from the numpy port %.3g",
		         name, fdr ? "fdr" : "sr", worst);
		T_CHECKF(npos[0] == r->pos[0] && npos[1] == r->pos[1], "%s %s: positives %ld %ld, "
		         "the port %ld %ld", name, fdr ? "fdr" : "sr", npos[0], npos[1], r->pos[0],
		         r->pos[1]);
		/* the saved per-group linear model decides every row as t > 0 */
		T_CHECK(o.pred.linear && o.pred.linear->n_groups == s.enc->n_groups);
		{
			double *t = sc;
			double *score = malloc(s.d->n * sizeof *score);
			if (score && ft_classify(o.pred.linear, NULL, NULL, s.d, 0.5, score, pos, &e) == 0)
				for (size_t i = 0; i < s.d->n; i++)
					mism += (pos[i] > 0.5) != (t[i] > 0);
			free(score);
		}
		T_CHECKF(mism == 0, "%s %s: %zu rows decided otherwise by the model", name,
		         fdr ? "fdr" : "sr", mism);
		fprintf(stderr, "meta %s %s tau 0.8: a %.2f b %.4f, accuracy %.4f, ratio %.4f, "
		        "positives %ld + %ld; largest relative difference from the numpy port %.2g\n",
		        name, fdr ? "fdr" : "sr", fx_diag(&o, "a"), fx_diag(&o, "b"),
		        fx_diag(&o, "accuracy"), fx_diag(&o, "ratio"), npos[0], npos[1], worst);
next:
		ft_fit_output_clear(&o);
		free(w);
		free(sc);
		free(pos);
		free(z);
	}
done:
	set_free(&s);
}

static void test_german(void)
{
	check_set(0);
}

static void test_adult(void)
{
	check_set(1);
}

static void test_errors(void)
{
	static struct set s;
	struct ft_fit_input in;
	struct ft_fit_output o;
	struct ft_error e = { 0 };
	double params[FT_MAX_PARAMS] = { 0, 0.8, 1 };

	memset(&o, 0, sizeof o);
	if (load(&s, 0) != 0)
		return;
	memset(&in, 0, sizeof in);
	in.train = s.d;
	in.n_groups = s.enc->n_groups;      /* four groups */
	in.group_names = (const char *const *)s.enc->group_names;
	in.privileged = -1;
	in.lr = &s.lp;
	in.params = params;
	T_CHECK(ft_fit_meta(&in, &o, &e) == FT_EDATA);
	T_CHECKF(strstr(e.msg, "meta: with 4 groups it needs a privileged group") != NULL, "%s",
	         e.msg);
	T_CHECK(!o.pred.linear);
	ft_error_clear(&e);
	params[1] = 1.5;
	in.privileged = s.privileged;
	T_CHECK(ft_fit_meta(&in, &o, &e) == FT_EINVAL);
	set_free(&s);
}

int main(void)
{
	char path[4096];

	if (t_have_data("german/german.data", path, sizeof path)) {
		T_RUN(test_german);
		T_RUN(test_errors);
	} else {
		T_SKIP(test_german, "no german/german.data");
		T_SKIP(test_errors, "no german/german.data");
	}
	if (t_have_data("adult/adult.data", path, sizeof path))
		T_RUN(test_adult);
	else
		T_SKIP(test_adult, "no adult/adult.data");
	return t_done();
}
