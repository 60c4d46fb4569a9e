/*
 * test_methods.c - the method table: parsing "name:k=v", defaults, ranges;
 * reweighing weights by hand and their defining property.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "fair/fair.h"
#include "t.h"

static void test_parse_defaults_and_values(void)
{
	const struct ft_method *m;
	double p[FT_MAX_PARAMS];
	struct ft_error err = {0};

	T_CHECK(ft_method_parse("logreg", &m, p, &err) == 0);
	T_STREQ(m->name, "logreg");
	T_CHECK(m->n_params == 0);
	T_CHECK(ft_method_parse("prejudice", &m, p, &err) == 0);
	T_CHECK(m->n_params == 3 && p[0] == 1.0 && p[1] == 1.0 && p[2] == 0.0);
	T_CHECK(ft_method_parse("prejudice:eta=25,per_group=0", &m, p, &err) == 0);
	T_CHECK(p[0] == 25.0 && p[1] == 0.0);
	T_CHECK(ft_method_parse("mistreat:fnr=0", &m, p, &err) == 0);
	T_CHECK(p[0] == 0.0 && p[1] == 1.0 && p[2] == 0.0);
	T_CHECK(ft_method_parse("cov-fair:c=1e-3", &m, p, &err) == 0 && p[0] == 1e-3);
	T_STREQ(ft_stage_name(ft_method_find("reweigh")->stage), "pre");
}

/* Choice parameters: by name, or bare as the first token; ':' and ','
 * both separate; the index is the value; ft_param_choice names it. */
static void test_parse_choices(void)
{
	const struct ft_method *m;
	double p[FT_MAX_PARAMS];
	struct ft_error err = {0};

	T_CHECK(ft_method_parse("eg", &m, p, &err) == 0 && p[0] == 0 && p[1] == 0.01);
	T_CHECK(ft_method_parse("eg:eo:eps=0.05", &m, p, &err) == 0 && p[0] == 1 && p[1] == 0.05);
	T_CHECK(ft_method_parse("eg:eps=0.05,constraint=tpr", &m, p, &err) == 0 && p[0] == 2);
	T_CHECK(ft_method_parse("eg:erp", &m, p, &err) == 0 && p[0] == 4);
	T_CHECK(ft_method_parse("threshold:eo,objective=balanced_accuracy", &m, p, &err) == 0 &&
	        p[0] == 1 && p[1] == 1);
	T_STREQ(ft_param_choice(&m->params[1], 1), "balanced_accuracy");
	T_STREQ(ft_param_choice(&m->params[0], 3), "fpr");
	T_CHECK(ft_param_choice(&m->params[0], 4) == NULL);
	T_CHECK(ft_param_choice(&m->params[0], 0.5) == NULL);
	T_CHECK(ft_method_parse("prejudice:eta=5:per_group=0", &m, p, &err) == 0 &&
	        p[0] == 5 && p[1] == 0);
	T_CHECK(ft_param_choice(&m->params[0], 0) == NULL);
}

static void test_parse_errors(void)
{
	static const struct { const char *spec, *msg; } BAD[] = {
		{"nosuch", "unknown method 'nosuch' (methods: logreg, reweigh"},
		{"prejudice:eta", "'eta' is not NAME=VALUE"},
		{"prejudice:etta=1", "no parameter 'etta' (eta, per_group, penalize_intercept)"},
		{"prejudice:eta=-1", "eta = -1 is outside [0, 1e+06]"},
		{"prejudice:per_group=0.5", "(whole numbers)"},
		{"prejudice:eta=x", "eta takes a number, not 'x'"},
		{"prejudice:eta=nan", "takes a number"},
		{"prejudice:eta=1,eta=2", "'eta' given twice"},
		{"reweigh:x=1", "it takes none"},
		{"prejudice:", "nothing after ':'"},
		{":eta=1", "no method name"},
		{"eg:xx", "'xx' is not NAME=VALUE nor a constraint (dp|eo|tpr|fpr|erp|bgl)"},
		{"eg:dp,constraint=eo", "'constraint' given twice"},
		{"eg:eps=0.1:dp", "'dp' is not NAME=VALUE"},
		{"prejudice:5", "'5' is not NAME=VALUE"},
		{"threshold:objective=auc", "objective takes one of accuracy|balanced_accuracy"},
	};
	for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
		const struct ft_method *m;
		double p[FT_MAX_PARAMS];
		struct ft_error err = {0};
		T_CHECKF(ft_method_parse(BAD[i].spec, &m, p, &err) == FT_EINVAL, "%s accepted", BAD[i].spec);
		T_CHECKF(strstr(err.msg, BAD[i].msg) != NULL, "%s: '%s' lacks '%s'", BAD[i].spec,
		         err.msg, BAD[i].msg);
	}
}

/* 3 groups, weighted rows, one row of unknown group. */
static void test_reweigh_by_hand(void)
{
	double y[9] = {1, 0, 0, 1, 1, 0, 1, 0, 1};
	double w0[9] = {1, 1, 2, 1, 1, 1, 1, 1, 5};
	int32_t g[9] = {0, 0, 0, 1, 1, 1, 2, 2, -1};
	double w[9], table[6];
	struct ft_dataset d;
	struct ft_error err = {0};

	memset(&d, 0, sizeof d);
	d.n = 9; d.y = y; d.w = w0; d.group = g; d.n_groups = 3;
	T_CHECK(ft_reweigh_weights(&d, 3, w, table, &err) == 0);
	/* counts (weighted, known groups): W = 9; y=1: 1+1+1+1 = 4, y=0: 1+2+1+1 = 5.
	 * group 0: W_g = 4, (0: 3, 1: 1); group 1: 3, (0: 1, 1: 2); group 2: 2, (1, 1).
	 * w(g,y) = W_g W_y / (W W_gy) */
	T_NEAR(table[0], 4.0 * 5 / (9 * 3), 1e-15);
	T_NEAR(table[1], 4.0 * 4 / (9 * 1), 1e-15);
	T_NEAR(table[2], 3.0 * 5 / (9 * 1), 1e-15);
	T_NEAR(table[3], 3.0 * 4 / (9 * 2), 1e-15);
	T_NEAR(table[4], 2.0 * 5 / (9 * 1), 1e-15);
	T_NEAR(table[5], 2.0 * 4 / (9 * 1), 1e-15);
	T_NEAR(w[2], 2 * table[0], 1e-15);       /* existing weights multiply */
	T_NEAR(w[8], 5.0, 1e-15);                /* unknown group keeps its weight */
}

/* After reweighing, the weighted labels are independent of the group: every
 * group has the same weighted base rate (zero demographic-parity difference
 * in the labels), and each group keeps its total weight. */
static void test_reweigh_zero_label_dp(void)
{
	enum { N = 3000, G = 4 };
	double *y = malloc(N * sizeof *y), *w0 = malloc(N * sizeof *w0), *w = malloc(N * sizeof *w);
	int32_t *g = malloc(N * sizeof *g);
	double table[2 * G], br[G], tot[G], tot0[G];
	struct ft_dataset d;
	struct ft_error err = {0};
	struct ft_rng r;

	ft_rng_seed(&r, 9);
	for (int i = 0; i < N; i++) {
		g[i] = (int32_t)ft_rng_below(&r, G);
		y[i] = ft_rng_uniform(&r) < 0.2 + 0.15 * g[i];
		w0[i] = 0.5 + ft_rng_uniform(&r);
	}
	memset(&d, 0, sizeof d);
	d.n = N; d.y = y; d.w = w0; d.group = g; d.n_groups = G;
	T_CHECK(ft_reweigh_weights(&d, G, w, table, &err) == 0);
	for (int k = 0; k < G; k++) {
		double pos = 0;
		tot[k] = tot0[k] = 0;
		for (int i = 0; i < N; i++)
			if (g[i] == k) {
				pos += w[i] * y[i];
				tot[k] += w[i];
				tot0[k] += w0[i];
			}
		br[k] = pos / tot[k];
	}
	for (int k = 1; k < G; k++)
		T_NEAR(br[k], br[0], 1e-12);
	for (int k = 0; k < G; k++)
		T_NEAR(tot[k], tot0[k], 1e-9);
	free(y); free(w0); free(w); free(g);
}

int main(void)
{
	T_RUN(test_parse_defaults_and_values);
	T_RUN(test_parse_choices);
	T_RUN(test_parse_errors);
	T_RUN(test_reweigh_by_hand);
	T_RUN(test_reweigh_zero_label_dp);
	return t_done();
}
