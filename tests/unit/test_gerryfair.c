/*
 * test_gerryfair.c - the rich-subgroup auditor (src/metrics/subgroup.c,
 * ft_subgroup_audit) and the fictitious-play learner (src/fair/gerryfair.c;
 * Kearns, Neel, Roth & Wu, ICML 2018).
 *
 * The auditor against brute force on data small enough to enumerate every
 * linear-threshold subgroup: two binary sensitive attributes (the four
 * corners of a square: every subset but the two diagonals, found by hand),
 * three (the cube: the subsets some integer hyperplane cuts off, found here
 * by scanning small integer weights, which finds all 104 threshold
 * functions of three variables, OEIS A000609), and one attribute of many
 * values (every subset; above 16 groups the regression heuristic, which is
 * exact there because the one-hot fit is saturated); FP and FN; the
 * reported size, rates and disparity against a recomputation from the
 * membership.  The learner: on synthetic data and on UCI Adult by sex and
 * race (skipped without the data) its mixture, audited again from
 * ft_classify's P(yhat = 1), is gamma-fair on the training data, as it
 * reports.
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

static uint64_t lcg = 5;

static double unif(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((lcg >> 11) + 0.5) / 9007199254740992.0;
}

#define NMAX 4000

struct data {
	size_t n, G;
	double y[NMAX], p[NMAX], w[NMAX];
	int32_t g[NMAX];
	const char *const *names;
};

/* alpha beta of the set of groups `mask` for rate FN (fn = 1) or FP,
 * straight from the rows. */
static double ab_of(const struct data *d, uint64_t mask, int fn)
{
	double W = 0, wl = 0, pl = 0, ws = 0, ps = 0, r;

	for (size_t i = 0; i < d->n; i++) {
		W += d->w[i];
		if ((d->y[i] > 0.5) != fn)
			continue;
		wl += d->w[i];
		pl += d->w[i] * (fn ? 1 - d->p[i] : d->p[i]);
		if (d->g[i] >= 0 && (mask >> d->g[i] & 1)) {
			ws += d->w[i];
			ps += d->w[i] * (fn ? 1 - d->p[i] : d->p[i]);
		}
	}
	r = pl / wl;
	return fabs(ps - r * ws) / W;
}

static int audit(const struct data *d, int fn, struct ft_subgroup **sg)
{
	struct ft_eval_input in;
	struct ft_error e = { 0 };

	ft_eval_input_init(&in);
	in.n = d->n;
	in.y = d->y;
	in.score = d->p;
	in.pos = d->p;
	in.w = d->w;
	in.group = d->g;
	in.n_groups = d->G;
	in.group_names = d->names;
	if (ft_subgroup_audit(&in, fn ? FT_SUBGROUP_FN : FT_SUBGROUP_FP, sg, &e) != 0) {
		T_FAIL("%s", e.msg);
		return -1;
	}
	return 0;
}

/* The reported values against the rows, given the membership. */
static void check_values(const struct data *d, const struct ft_subgroup *sg, int fn)
{
	double W = 0, wl = 0, pl = 0, ws = 0, ps = 0, r, rin;
	uint64_t mask = 0;

	for (size_t a = 0; a < d->G; a++)
		mask |= (uint64_t)sg->member[a] << a;
	for (size_t i = 0; i < d->n; i++) {
		double v = fn ? 1 - d->p[i] : d->p[i];
		W += d->w[i];
		if ((d->y[i] > 0.5) != fn)
			continue;
		wl += d->w[i];
		pl += d->w[i] * v;
		if (d->g[i] >= 0 && (mask >> d->g[i] & 1)) {
			ws += d->w[i];
			ps += d->w[i] * v;
		}
	}
	r = pl / wl;
	rin = ws > 0 ? ps / ws : r;
	T_NEAR(sg->rate_all, r, 1e-12);
	T_NEAR(sg->rate_in, rin, 1e-12);
	T_NEAR(sg->size, ws / W, 1e-12);
	T_NEAR(sg->disparity, fabs(rin - r), 1e-12);
	T_NEAR(sg->weighted, ab_of(d, mask, fn), 1e-12);
	T_CHECK(sg->direction == (rin > r ? 1 : rin < r ? -1 : 0));
	/* the hyperplane over x' gives the membership; x' rebuilt here from
	 * the names: feature "k:v" (or "v" for one part) is 1 when part k of
	 * the group's name is v */
	for (size_t a = 0; a < d->G; a++) {
		double f = sg->intercept;
		for (size_t j = 0; j < sg->dim; j++) {
			const char *fname = sg->feature_names[j], *colon = strchr(fname, ':');
			const char *part = d->names[a], *val = colon ? colon + 1 : fname;
			long k = colon ? atol(fname) : 1;
			size_t len;
			for (long q = 1; q < k && part; q++)
				part = strchr(part, '&') ? strchr(part, '&') + 1 : NULL;
			if (!part)
				continue;
			len = strchr(part, '&') ? (size_t)(strchr(part, '&') - part) : strlen(part);
			if (strlen(val) == len && !strncmp(part, val, len))
				f += sg->coef[j];
		}
		T_CHECKF(sg->member[a] == (f > 0), "group %s: member %d, hyperplane %g", d->names[a],
		         sg->member[a], f);
	}
}

/* Random rows over G groups: labels, weights, P(yhat = 1) with a group
 * effect (each group its own shift), one row of no group. */
static void make(struct data *d, size_t n, size_t G, const char *const *names)
{
	double shift[64];

	for (size_t a = 0; a < G; a++)
		shift[a] = 0.5 * (unif() - 0.5);
	d->n = n;
	d->G = G;
	d->names = names;
	for (size_t i = 0; i < n; i++) {
		d->g[i] = i + 1 == n ? -1 : (int32_t)(unif() * (double)G);
		d->y[i] = unif() < 0.4;
		d->w[i] = 0.5 + unif();
		d->p[i] = fmin(1.0, fmax(0.0, unif() * 0.6 + (d->g[i] >= 0 ? shift[d->g[i]] : 0.0)));
	}
}

/* sum w (v - r) / W over the rows of group a with the rate's label, v = p
 * (FP) or 1 - p (FN), r the overall rate. */
static double signed_c(const struct data *d, size_t a, int fn)
{
	double W = 0, wl = 0, pl = 0, wa = 0, pa = 0;

	for (size_t i = 0; i < d->n; i++) {
		double v = fn ? 1 - d->p[i] : d->p[i];
		W += d->w[i];
		if ((d->y[i] > 0.5) != fn)
			continue;
		wl += d->w[i];
		pl += d->w[i] * v;
		if (d->g[i] == (int32_t)a) {
			wa += d->w[i];
			pa += d->w[i] * v;
		}
	}
	return (pa - pl / wl * wa) / W;
}

/* Brute force over the given family of masks. */
static double brute(const struct data *d, const uint64_t *fam, size_t nf, int fn)
{
	double best = 0.0;
	for (size_t k = 0; k < nf; k++)
		best = fmax(best, ab_of(d, fam[k], fn));
	return best;
}

static int in_family(uint64_t mask, const uint64_t *fam, size_t nf)
{
	for (size_t k = 0; k < nf; k++)
		if (fam[k] == mask)
			return 1;
	return 0;
}

static uint64_t member_mask(const struct ft_subgroup *sg)
{
	uint64_t m = 0;
	for (size_t a = 0; a < sg->n_groups; a++)
		m |= (uint64_t)sg->member[a] << a;
	return m;
}

static void compare_family(struct data *d, const uint64_t *fam, size_t nf, size_t trials,
                           const char *what)
{
	double worst = 0.0;
	size_t beyond = 0;

	for (size_t t = 0; t < trials; t++) {
		for (int fn = 0; fn < 2; fn++) {
			struct ft_subgroup *sg = NULL;
			double b;
			make(d, 200 + (7 * t) % 500, d->G, d->names);
			if (audit(d, fn, &sg) != 0)
				return;
			b = brute(d, fam, nf, fn);
			worst = fmax(worst, fabs(sg->weighted - b));
			T_CHECK(sg->exact == 1);
			T_CHECKF(in_family(member_mask(sg), fam, nf), "%s: subgroup %llx is no linear "
			         "threshold", what, (unsigned long long)member_mask(sg));
			check_values(d, sg, fn);
			/* cases where the best of all sets is no threshold set, so that
			 * the search had to go past it */
			{
				double all = 0.0;
				for (uint64_t m = 0; m < (uint64_t)1 << d->G; m++)
					all = fmax(all, ab_of(d, m, fn));
				beyond += all > b + 1e-12;
			}
			ft_subgroup_free(sg);
		}
	}
	T_CHECKF(worst < 1e-12, "%s: audit vs brute force, worst %.3g", what, worst);
	T_CHECKF(beyond > 0, "%s: no case where the best set is no threshold set", what);
	fprintf(stderr, "subgroup audit, %s: %zu random cases equal to brute force "
	        "(worst %.2g; in %zu the best of all sets was no linear threshold)\n", what,
	        2 * trials, worst, beyond);
}

static const char *const SQ[4] = { "x&p", "x&q", "y&p", "y&q" };

/* The 14 linear-threshold subsets of the square's corners: all but the
 * diagonals 0x9 = {x&p, y&q} and 0x6 = {x&q, y&p}. */
static size_t square_family(uint64_t *fam)
{
	size_t nf = 0;
	for (uint64_t m = 0; m < 16; m++)
		if (m != 0x9 && m != 0x6)
			fam[nf++] = m;
	return nf;
}

/* Two binary attributes: groups 0 = x&p, 1 = x&q, 2 = y&p, 3 = y&q at the
 * corners of the square; every subset but the diagonals {x&p, y&q} and
 * {x&q, y&p} is a linear threshold. */
static void test_square(void)
{
	static struct data d;
	uint64_t fam[16];
	size_t nf = square_family(fam);

	d.G = 4;
	d.names = SQ;
	compare_family(&d, fam, nf, 100, "two binary attributes");
}

/* The case built so that the best set is a diagonal: x&p and y&q above
 * the overall rate, the other two below; the audit must not return it. */
static void test_square_diagonal(void)
{
	static struct data d;
	static const double P4[4] = { 0.9, 0.1, 0.1, 0.9 };
	struct ft_subgroup *sg = NULL;
	uint64_t fam[16];
	size_t nf = square_family(fam);

	d.G = 4;
	d.names = SQ;
	d.n = 400;
	for (size_t i = 0; i < d.n; i++) {
		d.g[i] = (int32_t)(i % 4);
		d.y[i] = 0;
		d.w[i] = 1.0 + 0.1 * (double)(i % 4);
		d.p[i] = P4[i % 4];
	}
	if (audit(&d, 0, &sg) != 0)
		return;
	T_CHECK(member_mask(sg) != 0x9 && member_mask(sg) != 0x6);
	T_NEAR(sg->weighted, brute(&d, fam, nf, 0), 1e-13);
	T_CHECKF(sg->weighted < ab_of(&d, 0x9, 0) - 0.01, "the diagonal's %.4f, the audit's %.4f",
	         ab_of(&d, 0x9, 0), sg->weighted);
	check_values(&d, sg, 0);
	T_CHECK(sg->dim == 4);
	T_STREQ(sg->feature_names[0], "1:x");
	T_STREQ(sg->feature_names[3], "2:q");
	ft_subgroup_free(sg);
}

/* Three binary attributes: groups are the cube's corners in the order of
 * their names (bit 2: a/b, bit 1: c/d, bit 0: e/f).  The family: every set
 * {v : w.v + b > 0} over integer w in [-3, 3]^3 and b in {-9.5, ..., 9.5}. */
static void test_cube(void)
{
	static const char *const CUBE[8] = { "a&c&e", "a&c&f", "a&d&e", "a&d&f",
	                                    "b&c&e", "b&c&f", "b&d&e", "b&d&f" };
	static struct data d;
	uint64_t fam[256];
	size_t nf = 0;

	for (int w0 = -3; w0 <= 3; w0++)
		for (int w1 = -3; w1 <= 3; w1++)
			for (int w2 = -3; w2 <= 3; w2++)
				for (int b2 = -19; b2 <= 19; b2 += 2) {
					uint64_t m = 0;
					for (int v = 0; v < 8; v++)
						if (w0 * (v >> 2 & 1) + w1 * (v >> 1 & 1) + w2 * (v & 1) +
						    0.5 * b2 > 0)
							m |= (uint64_t)1 << v;
					if (!in_family(m, fam, nf))
						fam[nf++] = m;
				}
	T_CHECKF(nf == 104, "%zu threshold functions of 3 variables, not 104", nf);
	d.G = 8;
	d.names = CUBE;
	compare_family(&d, fam, nf, 60, "three binary attributes");
}

/* One attribute: every subset is a subgroup, so the answer is the groups
 * above (or below) the overall rate; with 20 groups (> 16) the regression
 * heuristic gives it too (the one-hot fit reproduces each group's rate). */
static void test_one_attribute(void)
{
	static const char *const N20[20] = { "g00", "g01", "g02", "g03", "g04", "g05", "g06",
	    "g07", "g08", "g09", "g10", "g11", "g12", "g13", "g14", "g15", "g16", "g17",
	    "g18", "g19" };
	static struct data d;

	for (size_t G = 5; G <= 20; G += 15)
		for (int t = 0; t < 20; t++)
			for (int fn = 0; fn < 2; fn++) {
				struct ft_subgroup *sg = NULL;
				double up = 0.0, dn = 0.0, want;
				make(&d, 2000, G, N20);
				/* every set is a subgroup: the best adds up the groups of one
				 * sign of sum w (v - r) over the rows with the label */
				for (size_t a = 0; a < G; a++) {
					double c = signed_c(&d, a, fn);
					if (c > 0)
						up += c;
					else
						dn -= c;
				}
				want = fmax(up, dn);
				if (audit(&d, fn, &sg) != 0)
					return;
				T_CHECK(sg->exact == (G <= 16));
				T_NEAR(sg->weighted, want, 1e-9);
				check_values(&d, sg, fn);
				ft_subgroup_free(sg);
			}
}

static void test_audit_errors(void)
{
	static struct data d;
	struct ft_eval_input in;
	struct ft_subgroup *sg = NULL;
	struct ft_error e = { 0 };

	make(&d, 100, 4, SQ);
	ft_eval_input_init(&in);
	in.n = d.n;
	in.y = d.y;
	in.score = d.p;
	in.w = d.w;
	in.group = d.g;
	in.n_groups = 4;
	in.group_names = SQ;
	T_CHECK(ft_subgroup_audit(&in, 2, &sg, &e) == FT_EINVAL && !sg);
	ft_error_clear(&e);
	d.y[3] = 0.5;
	T_CHECK(ft_subgroup_audit(&in, 0, &sg, &e) == FT_EINVAL && !sg);
	T_CHECKF(strstr(e.msg, "y[3]") != NULL, "%s", e.msg);
	/* no rows with y = 0: the empty subgroup */
	for (size_t i = 0; i < d.n; i++)
		d.y[i] = 1;
	T_CHECK(ft_subgroup_audit(&in, 0, &sg, &e) == 0 && sg);
	if (sg) {
		T_CHECK(sg->weighted == 0 && sg->size == 0 && sg->intercept < 0);
		for (size_t a = 0; a < 4; a++)
			T_CHECK(!sg->member[a]);
	}
	ft_subgroup_free(sg);
}

/* ------------------------------------------------------------ learner */

#define LN 3000

struct ldata {
	struct ft_dataset d;
	double num[LN * 2], y[LN], w[LN];
	int32_t group[LN];
	size_t line[LN];
};

/* Two numeric features; four groups (two binary attributes) whose labels
 * depend on the features differently, so the baseline's FP rates differ
 * by group. */
static void lmake(struct ldata *s)
{
	lcg = 17;
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < LN; i++) {
		int32_t g = (int32_t)(unif() * 4);
		double x0 = 2 * unif() - 1 + 0.4 * (g & 1), x1 = 2 * unif() - 1 - 0.3 * (g >> 1);
		s->group[i] = g;
		s->num[i * 2] = x0;
		s->num[i * 2 + 1] = x1;
		s->y[i] = unif() < 1 / (1 + exp(-(2 * x0 + x1 - 0.8 * (g == 3) + 0.5 * (g == 0))));
		s->w[i] = 0.5 + unif();
		s->line[i] = i + 1;
	}
	s->d.n = LN;
	s->d.p = 2;
	s->d.n_num = 2;
	s->d.num = s->num;
	s->d.y = s->y;
	s->d.w = s->w;
	s->d.group = s->group;
	s->d.n_groups = 4;
	s->d.line = s->line;
}

/* Fit, then audit the mixture again from ft_classify's P(yhat = 1): below
 * gamma and equal to the reported violation; mixture weights sum to 1;
 * the deterministic model is a member. */
static void fit_and_reaudit(const struct ft_dataset *d, size_t G, const char *const *names,
                            const struct ft_logreg_params *lp,
                            const struct ft_linear_model *base, double *params,
                            const char *what)
{
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_eval_input ev;
	struct ft_subgroup *sg = NULL, *sg0 = NULL;
	struct ft_error e = { 0 };
	double *sc = malloc(d->n * sizeof *sc), *pos = malloc(d->n * sizeof *pos), sum = 0.0;
	double t0 = t_now();
	int member = 0;

	memset(&in, 0, sizeof in);
	memset(&out, 0, sizeof out);
	in.train = d;
	in.n_groups = G;
	in.group_names = names;
	in.privileged = -1;
	in.lr = lp;
	in.baseline = base;
	in.params = params;
	if (!sc || !pos || ft_fit_gerryfair(&in, &out, &e) != 0 || !out.pred.mixture) {
		T_FAIL("%s: %s", what, e.msg);
		goto done;
	}
	T_CHECKF(out.res.converged, "%s: not certified (violation %g)", what,
	         fx_diag(&out, "violation"));
	for (size_t k = 0; k < out.pred.mixture->k; k++) {
		sum += out.pred.mixture->weight[k];
		member |= out.pred.mixture->h[k]->intercept == out.pred.linear->intercept &&
		          !memcmp(out.pred.mixture->h[k]->coef, out.pred.linear->coef, d->p * sizeof(double));
	}
	T_NEAR(sum, 1.0, 1e-12);
	T_CHECK(member);
	ft_classify(NULL, out.pred.mixture, NULL, d, 0.5, sc, pos, &e);
	ft_eval_input_init(&ev);
	ev.n = d->n;
	ev.y = d->y;
	ev.score = sc;
	ev.pos = pos;
	ev.w = d->w;
	ev.group = d->group;
	ev.n_groups = G;
	ev.group_names = names;
	if (ft_subgroup_audit(&ev, params[0] == 1 ? FT_SUBGROUP_FN : FT_SUBGROUP_FP, &sg, &e)) {
		T_FAIL("%s", e.msg);
		goto done;
	}
	T_CHECKF(sg->weighted < params[1], "%s: mixture's alpha beta %.6f, gamma %g", what,
	         sg->weighted, params[1]);
	T_NEAR(sg->weighted, fx_diag(&out, "violation"), 1e-12);
	/* the baseline was not gamma-fair: the fit did something */
	ft_classify(base, NULL, NULL, d, 0.5, sc, pos, &e);
	ev.pos = NULL;
	ft_subgroup_audit(&ev, params[0] == 1 ? FT_SUBGROUP_FN : FT_SUBGROUP_FP, &sg0, &e);
	T_CHECKF(sg0 && sg0->weighted > params[1], "%s: the baseline is already fair", what);
	fprintf(stderr, "gerryfair %s: baseline alpha beta %.5f -> mixture %.5f (gamma %g), "
	        "training error %.4f, %g of %g rounds kept, %zu predictors, %.2f s\n", what,
	        sg0 ? sg0->weighted : NAN, sg->weighted, params[1], fx_diag(&out, "error"),
	        fx_diag(&out, "rounds_kept"), fx_diag(&out, "iterations"), out.pred.mixture->k,
	        t_now() - t0);
done:
	ft_subgroup_free(sg);
	ft_subgroup_free(sg0);
	ft_fit_output_clear(&out);
	free(sc);
	free(pos);
}

static void test_learner_synth(void)
{
	static struct ldata s;
	struct ft_logreg_params lp;
	struct ft_linear_model *base = NULL;
	struct ft_solver_result r;
	struct ft_error e = { 0 };
	double fp[FT_MAX_PARAMS] = { 0, 0.01, 10, 40 }, fn[FT_MAX_PARAMS] = { 1, 0.01, 10, 40 };

	lmake(&s);
	ft_logreg_params_init(&lp);
	if (ft_logreg_fit(&s.d, &lp, &base, &r, &e) != 0) {
		T_FAIL("%s", e.msg);
		return;
	}
	fit_and_reaudit(&s.d, 4, SQ, &lp, base, fp, "synthetic fp");
	fit_and_reaudit(&s.d, 4, SQ, &lp, base, fn, "synthetic fn");
	ft_linear_model_free(base);
}

static void test_learner_errors(void)
{
	static struct ldata s;
	struct ft_logreg_params lp;
	struct ft_fit_input in;
	struct ft_fit_output out;
	struct ft_error e = { 0 };
	double params[FT_MAX_PARAMS] = { 0, 0, 10, 5 };

	lmake(&s);
	ft_logreg_params_init(&lp);
	memset(&in, 0, sizeof in);
	memset(&out, 0, sizeof out);
	in.train = &s.d;
	in.n_groups = 4;
	in.group_names = SQ;
	in.lr = &lp;
	in.params = params;
	T_CHECK(ft_fit_gerryfair(&in, &out, &e) == FT_EINVAL);
	T_CHECKF(strstr(e.msg, "gamma > 0") != NULL, "%s", e.msg);
	ft_error_clear(&e);
	params[1] = 0.01;
	in.n_groups = 1;
	T_CHECK(ft_fit_gerryfair(&in, &out, &e) == FT_EDATA);
	T_CHECK(!out.pred.linear && !out.pred.mixture);
}

/* Adult by sex and race (10 groups, exact audits): fp and fn. */
static void test_adult(void)
{
	static struct adult_fx a;
	char *sens[] = { "sex", "race" };
	double fp[FT_MAX_PARAMS] = { 0, 0.01, 10, 50 }, fn[FT_MAX_PARAMS] = { 1, 0.002, 10, 50 };

	if (adult_fx_load(&a, sens, 2, NULL, 0) != 0)
		goto done;
	T_CHECK(a.enc->n_groups == 10);
	fit_and_reaudit(a.d, a.enc->n_groups, (const char *const *)a.enc->group_names, &a.lp,
	                a.base, fp, "adult fp");
	fit_and_reaudit(a.d, a.enc->n_groups, (const char *const *)a.enc->group_names, &a.lp,
	                a.base, fn, "adult fn");
done:
	adult_fx_free(&a);
}

int main(void)
{
	char path[4096];

	T_RUN(test_square);
	T_RUN(test_square_diagonal);
	T_RUN(test_cube);
	T_RUN(test_one_attribute);
	T_RUN(test_audit_errors);
	T_RUN(test_learner_synth);
	T_RUN(test_learner_errors);
	if (t_have_data("adult/adult.data", path, sizeof path))
		T_RUN(test_adult);
	else
		T_SKIP(test_adult, "no adult/adult.data");
	return t_done();
}
