/*
 * t.h - a minimal unit-test harness.  Each test function prints one line,
 * "PASS name" or "FAIL name: file:line: message"; tests/run.sh counts them.
 */
#ifndef FT_T_H
#define FT_T_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int t_failed_now;
static int t_n_pass, t_n_fail;
static const char *t_name;

#define T_FAIL(...) do { \
	if (!t_failed_now) { \
		printf("FAIL %s: %s:%d: ", t_name, __FILE__, __LINE__); \
		printf(__VA_ARGS__); printf("\n"); } \
	t_failed_now = 1; } while (0)

#define T_CHECK(cond) do { if (!(cond)) T_FAIL("check failed: %s", #cond); } while (0)
#define T_CHECKF(cond, ...) do { if (!(cond)) T_FAIL(__VA_ARGS__); } while (0)
/* |a - b| <= tol * max(1, |b|) */
#define T_NEAR(a, b, tol) do { double t_a_ = (a), t_b_ = (b); \
	if (!(fabs(t_a_ - t_b_) <= (tol) * fmax(1.0, fabs(t_b_)))) \
		T_FAIL("%s = %.12g, expected %s = %.12g (tol %g)", #a, t_a_, #b, t_b_, (double)(tol)); } while (0)
#define T_STREQ(a, b) do { const char *t_a_ = (a), *t_b_ = (b); \
	if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) \
		T_FAIL("%s = \"%s\", expected \"%s\"", #a, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); } while (0)

#define T_RUN(fn) do { t_name = #fn; t_failed_now = 0; fn(); \
	if (t_failed_now) t_n_fail++; else { t_n_pass++; printf("PASS %s\n", #fn); } \
	fflush(stdout); } while (0)

/* Skip: counted as neither pass nor fail, with the reason. */
#define T_SKIP(fn, why) printf("SKIP %s: %s\n", #fn, why)

static inline int t_done(void)
{
	return t_n_fail ? 1 : 0;
}

/* The data-set folder: $FAIRTRAIN_DATA or ../shared/datasets. */
static inline const char *t_data_dir(void)
{
	const char *d = getenv("FAIRTRAIN_DATA");
	return d && *d ? d : "../shared/datasets";
}

/* path = $FAIRTRAIN_DATA/rel; 1 when that file is readable. */
static inline int t_have_data(const char *rel, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", t_data_dir(), rel);
	return access(path, R_OK) == 0;
}

/* UCI Adult's 15 column names (adult.names), for the real-data tests. */
#define T_ADULT_N_NAMES 15
static inline char **t_adult_names(void)
{
	static char *names[T_ADULT_N_NAMES] = {
		"age", "workclass", "fnlwgt", "education", "education-num",
		"marital-status", "occupation", "relationship", "race", "sex",
		"capital-gain", "capital-loss", "hours-per-week", "native-country",
		"income"
	};
	return names;
}

/* Monotonic seconds, for the timings real-data tests print. */
static inline double t_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#ifdef FAIRTRAIN_H
/* The standard Adult recipe of the real-data tests: no header (the names
 * above), target income with '>50K' favourable ('.' stripped, for
 * adult.test), sex sensitive, fnlwgt dropped. */
static inline void t_adult_opts(struct ft_read_opts *ro, struct ft_spec *sp)
{
	static char *sens[] = { "sex" }, *drop[] = { "fnlwgt" };

	ft_read_opts_init(ro);
	ro->header = 0;
	ro->names = t_adult_names();
	ro->n_names = T_ADULT_N_NAMES;
	ft_spec_init(sp);
	sp->target = "income";
	sp->positive = ">50K";
	sp->label_strip = ".";
	sp->sensitive = sens;
	sp->n_sensitive = 1;
	sp->drop = drop;
	sp->n_drop = 1;
}
#endif

#endif
