/*
 * synth.c - the synthetic hiring data set that `make demo` and the tests use.
 *
 * A deterministic, documented generator (README.md, "Synthetic data"): each
 * row is an applicant.  Qualification depends only on skill, interview,
 * experience, education and referral; the historical decision `hired` also
 * subtracts a fixed penalty for women (label bias) and one for a
 * feminine-coded hobby, knitting or yoga, whoever lists it (proxy bias).
 * `hobby` carries no merit but is strongly correlated with gender (70% of
 * women, 15% of men list one of the two), so a model trained on `hired`
 * learns the bias even when gender is not a feature: on 5000 rows the
 * baseline's test demographic-parity difference is about 0.22 (ratio 0.56;
 * README gives the numbers of `make demo`).
 *
 * It does not read anything, and the numbers are printed with fixed formats
 * from ft_rng draws, so the same seed gives the same bytes everywhere.
 */
#include <math.h>
#include <stdio.h>
#include "fairtrain.h"

/* Label bias: the historical penalty on the decision score for women. */
#define SYNTH_BIAS 1.0
/* Proxy bias: the historical penalty for a feminine-coded hobby (knitting,
 * yoga) on the CV, whatever the applicant's gender. */
#define SYNTH_PROXY_BIAS 1.0

static const char *const EDU[] = {"high_school", "bachelor", "master", "phd"};
static const double EDU_P[] = {0.30, 0.40, 0.22, 0.08};
static const double EDU_SKILL[] = {0.0, 4.0, 7.0, 9.0};
static const double EDU_MERIT[] = {0.0, 0.3, 0.5, 0.6};
static const char *const HOBBY[] = {"football", "gaming", "hiking", "knitting", "yoga"};
static const double HOBBY_P_F[] = {0.05, 0.10, 0.15, 0.35, 0.35};
static const double HOBBY_P_M[] = {0.35, 0.35, 0.15, 0.10, 0.05};
static const int HOBBY_FEM[] = {0, 0, 0, 1, 1};

static size_t draw(struct ft_rng *r, const double *p, size_t n)
{
	double u = ft_rng_uniform(r), c = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		c += p[i];
		if (u < c)
			return i;
	}
	return n - 1;
}

static double clip(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

int ft_synth_write(const char *path, size_t rows, uint64_t seed,
                   struct ft_error *err)
{
	struct ft_atomic a;
	struct ft_rng r;
	FILE *fp;
	int rc;

	if (rows == 0)
		return ft_error_set(err, FT_EINVAL, "synth: --rows must be at least 1");
	rc = ft_atomic_open(&a, path, err);
	if (rc)
		return rc;
	fp = a.fp;
	ft_rng_seed(&r, seed);
	fprintf(fp, "gender,age,experience_years,education,skill_test,"
	            "interview_score,hobby,referral,hired\n");
	for (size_t i = 0; i < rows; i++) {
		int female = ft_rng_uniform(&r) < 0.45;
		int age = 22 + (int)ft_rng_below(&r, 40);
		double ex = round((age - 22) * 0.6 + 3.0 * ft_rng_normal(&r));
		int exp_years = (int)clip(ex, 0, age - 18);
		size_t edu = draw(&r, EDU_P, 4);
		double skill = clip(50 + 10 * ft_rng_normal(&r) + EDU_SKILL[edu], 0, 100);
		double interview = clip(5.5 + 0.12 * (skill - 55) +
		                        1.2 * ft_rng_normal(&r), 1, 10);
		size_t hobby = draw(&r, female ? HOBBY_P_F : HOBBY_P_M, 5);
		int referral = ft_rng_uniform(&r) < (female ? 0.08 : 0.15);
		/* round to what is printed, so the label is a function of the file */
		skill = round(skill * 10) / 10;
		interview = round(interview * 10) / 10;
		double merit = 0.08 * (skill - 55) + 0.35 * (interview - 5.5) +
		               0.06 * exp_years + EDU_MERIT[edu] + 0.8 * referral;
		int hired = merit + ft_rng_normal(&r) - SYNTH_BIAS * female -
		            SYNTH_PROXY_BIAS * HOBBY_FEM[hobby] - 0.5 > 0;

		fprintf(fp, "%s,%d,%d,%s,%.1f,%.1f,%s,%s,%s\n",
		        female ? "female" : "male", age, exp_years, EDU[edu], skill,
		        interview, HOBBY[hobby], referral ? "yes" : "no",
		        hired ? "yes" : "no");
	}
	return ft_atomic_commit(&a, err);
}
