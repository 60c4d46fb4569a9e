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

/* Skip: counted as neither pass nor fail, with the reason (a missing data
 * set says how to get it). */
#define T_SKIP(fn, why) printf("SKIP %s: %s%s\n", #fn, why, \
	strstr(why, "FAIRTRAIN_DATA") ? " (scripts/fetch-datasets.sh gets the data)" : "")

static inline int t_done(void)
{
	return t_n_fail ? 1 : 0;
}

/* The data-set folder: $FAIRTRAIN_DATA or datasets (scripts/fetch-datasets.sh fills it). */
static inline const char *t_data_dir(void)
{
	const char *d = getenv("FAIRTRAIN_DATA");
	return d && *d ? d : "datasets";
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

/* The German recipe of the real-data tests, on t_german_csv's files:
 * target class with 1 (good credit) favourable, the age group sensitive,
 * age and personal status dropped, rate, residence, credits and
 * dependents categorical. */
static inline void t_german_opts(struct ft_read_opts *ro, struct ft_spec *sp)
{
	static char *sens[] = { "age_group" }, *drop[] = { "age", "personal" };
	static char *cat[] = { "rate", "residence", "credits", "dependents" };

	ft_read_opts_init(ro);
	ft_spec_init(sp);
	sp->target = "class";
	sp->positive = "1";
	sp->sensitive = sens;
	sp->n_sensitive = 1;
	sp->drop = drop;
	sp->n_drop = 2;
	sp->categorical = cat;
	sp->n_categorical = 4;
}
#endif

/* German credit (german.data, 21 blank-separated fields a row) as a CSV
 * with a header and the age group derived as experiments/german-age/run.sh
 * does ("over25" when age > 25, else "25orless"): the data rows first ..
 * first + count - 1 (0-based, in file order) written to out.  0 ok, -1
 * (with a message on stderr) when the file cannot be read or written. */
static inline int t_german_csv(const char *out, size_t first, size_t count)
{
	char path[4096], line[1024];
	FILE *in, *o;
	size_t row = 0;
	int rc = 0;

	snprintf(path, sizeof path, "%s/german/german.data", t_data_dir());
	if (!(in = fopen(path, "r")))
		return fprintf(stderr, "cannot read %s\n", path), -1;
	if (!(o = fopen(out, "w"))) {
		fclose(in);
		return fprintf(stderr, "cannot write %s\n", out), -1;
	}
	fprintf(o, "checking,duration,history,purpose,amount,savings,employment,rate,"
	        "personal,debtors,residence,property,age,plans,housing,credits,job,"
	        "dependents,telephone,foreign,class,age_group\n");
	while (fgets(line, sizeof line, in)) {
		char *f[32], *p = strtok(line, " \t\r\n");
		int nf = 0;
		while (p && nf < 32) {
			f[nf++] = p;
			p = strtok(NULL, " \t\r\n");
		}
		if (nf == 0)
			continue;
		if (nf != 21) {
			fprintf(stderr, "%s: expected 21 fields, found %d\n", path, nf);
			rc = -1;
			break;
		}
		if (row >= first && row - first < count) {
			for (int k = 0; k < nf; k++)
				fprintf(o, "%s,", f[k]);
			fprintf(o, "%s\n", atoi(f[12]) > 25 ? "over25" : "25orless");
		}
		row++;
	}
	fclose(in);
	if (fclose(o) != 0)
		rc = -1;
	return rc;
}

#endif
