/*
 * test_verbs.c - what a caller of the verbs sees besides the results: the
 * monitor (progress in order, cancellation leaving nothing, warnings as
 * one line), the option checks before any data is read, and thread
 * settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fairtrain.h"
#include "t.h"

static char dir[64], csv[128], test_csv[128];

struct rec {
	char stages[64][16];
	size_t done[64], total[64];
	size_t n;
	const char *cancel_stage;   /* cancel when this stage reports ... */
	size_t cancel_done;         /* ... with this done count */
	int warnings;
	char warning[256];
};

static int on_progress(void *ctx, const char *stage, size_t done, size_t total,
                       const char *what)
{
	struct rec *r = ctx;

	(void)what;
	if (r->n < 64) {
		snprintf(r->stages[r->n], sizeof r->stages[0], "%s", stage);
		r->done[r->n] = done;
		r->total[r->n] = total;
		r->n++;
	}
	return r->cancel_stage && !strcmp(stage, r->cancel_stage) && done == r->cancel_done;
}

static void on_warning(void *ctx, const char *msg)
{
	struct rec *r = ctx;

	r->warnings++;
	snprintf(r->warning, sizeof r->warning, "%s", msg);
}

static void opts(struct ft_train_opts *o, char **sens, struct ft_monitor *mon)
{
	ft_train_opts_init(o);
	o->data.data = csv;
	o->data.spec.target = "hired";
	o->data.spec.positive = "yes";
	o->data.spec.sensitive = sens;
	o->data.spec.n_sensitive = 1;
	o->measure.n_bootstrap = 20;
	o->measure.n_perm = 20;
	o->method = "reg-dp:lambda=2";
	o->mon = mon;
}

static size_t find(const struct rec *r, const char *stage)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->stages[i], stage))
			return i;
	return (size_t)-1;
}

/* train reports read, fit (baseline, then the method) and measure, in that
 * order, each done <= total. */
static void test_train_progress(void)
{
	char *sens[1] = {"gender"};
	struct rec r = { 0 };
	struct ft_monitor mon = { on_progress, on_warning, &r };
	struct ft_train_opts o;
	struct ft_train_result *res = NULL;
	struct ft_error err = { 0 };
	size_t a, b, c;

	opts(&o, sens, &mon);
	T_CHECKF(ft_train(&o, &res, &err) == 0, "%s", err.msg);
	a = find(&r, "read");
	b = find(&r, "fit");
	c = find(&r, "measure");
	T_CHECKF(a != (size_t)-1 && b != (size_t)-1 && c != (size_t)-1 && a < b && b < c,
	         "stages read %zu, fit %zu, measure %zu of %zu", a, b, c, r.n);
	for (size_t i = 0; i < r.n; i++)
		T_CHECK(!r.total[i] || r.done[i] <= r.total[i]);
	T_CHECK(r.warnings == 0);
	ft_train_result_free(res);
}

/* A cancel at any stage stops train with FT_ECANCELED, no result, and no
 * file behind. */
static void test_train_cancel(void)
{
	static const struct { const char *stage; size_t done; } AT[] = {
		{"read", 0}, {"fit", 0}, {"fit", 1}, {"measure", 0}
	};
	char *sens[1] = {"gender"};

	for (size_t k = 0; k < sizeof AT / sizeof *AT; k++) {
		struct rec r = { 0 };
		struct ft_monitor mon = { on_progress, NULL, &r };
		struct ft_train_opts o;
		struct ft_train_result *res = (struct ft_train_result *)&r;
		struct ft_error err = { 0 };
		int rc;
		r.cancel_stage = AT[k].stage;
		r.cancel_done = AT[k].done;
		opts(&o, sens, &mon);
		rc = ft_train(&o, &res, &err);
		T_CHECKF(rc == FT_ECANCELED && res == NULL, "cancel at %s %zu: rc %d (%s)",
		         AT[k].stage, AT[k].done, rc, err.msg);
		if (rc == 0)
			ft_train_result_free(res);
	}
}

/* compare reports every fit and stops at the third when asked. */
static void test_compare_cancel(void)
{
	char *sens[1] = {"gender"};
	struct rec r = { 0 };
	struct ft_monitor mon = { on_progress, NULL, &r };
	struct ft_compare_opts o;
	struct ft_compare_result *res = NULL;
	struct ft_error err = { 0 };
	size_t fits = 0;
	int rc;

	ft_compare_opts_init(&o);
	o.data.data = csv;
	o.data.spec.target = "hired";
	o.data.spec.positive = "yes";
	o.data.spec.sensitive = sens;
	o.data.spec.n_sensitive = 1;
	o.methods = "baseline reweigh reg-dp:lambda=1,2";
	o.folds = 2;
	o.mon = &mon;
	T_CHECKF(ft_compare(&o, &res, &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < r.n; i++)
		fits += !strcmp(r.stages[i], "fit") && r.done[i] > 0;
	T_CHECKF(fits == 8, "%zu fits reported, 2 folds x 4 settings expected", fits);
	ft_compare_result_free(res);
	res = NULL;
	memset(&r, 0, sizeof r);
	r.cancel_stage = "fit";
	r.cancel_done = 3;
	rc = ft_compare(&o, &res, &err);
	T_CHECKF(rc == FT_ECANCELED && res == NULL, "rc %d (%s)", rc, err.msg);
	T_CHECK(find(&r, "fit") != (size_t)-1 && r.done[r.n - 1] == 3);
	ft_compare_result_free(res);
}

/* An unseen category in the test file is one warning line naming the file;
 * the training still works. */
static void test_train_warning(void)
{
	char *sens[1] = {"gender"};
	struct rec r = { 0 };
	struct ft_monitor mon = { NULL, on_warning, &r };
	struct ft_train_opts o;
	struct ft_train_result *res = NULL;
	struct ft_error err = { 0 };

	opts(&o, sens, &mon);
	o.data.test = test_csv;
	T_CHECKF(ft_train(&o, &res, &err) == 0, "%s", err.msg);
	T_CHECKF(r.warnings >= 1 && strstr(r.warning, test_csv) && !strchr(r.warning, '\n'),
	         "%d warnings, last '%s'", r.warnings, r.warning);
	ft_train_result_free(res);
}

/* Options are checked before any data is read: a bad method or a missing
 * target is one line, without touching the (absent) data file. */
static void test_train_check(void)
{
	char *sens[1] = {"gender"};
	struct ft_train_opts o;
	struct ft_train_result *res = NULL;
	struct ft_error err = { 0 };

	opts(&o, sens, NULL);
	o.data.data = "/nonexistent/never-read.csv";
	o.method = "eg:eps=7";
	T_CHECK(ft_train_check(&o, &err) == FT_EINVAL && strstr(err.msg, "eps") &&
	        !strstr(err.msg, "never-read"));
	T_CHECK(ft_train(&o, &res, &err) == FT_EINVAL && res == NULL &&
	        !strstr(err.msg, "never-read"));
	o.method = "listnet";
	T_CHECK(ft_train_check(&o, &err) == FT_EINVAL && strstr(err.msg, "ranking"));
}

/* The thread setting is the library's and is read back. */
static void test_threads(void)
{
	ft_set_threads(1);
	T_CHECK(ft_get_threads() == 1);
	ft_set_threads(2);
	T_CHECK(ft_get_threads() == 2);
	T_CHECK(ft_version_number() == FT_VERSION_NUMBER);
	T_STREQ(ft_version(), FT_VERSION);
}

int main(void)
{
	struct ft_error err = { 0 };
	FILE *f, *g;
	char line[1024];
	int n = 0;

	snprintf(dir, sizeof dir, "/tmp/ft-verbs-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(csv, sizeof csv, "%s/synth.csv", dir);
	snprintf(test_csv, sizeof test_csv, "%s/test.csv", dir);
	if (ft_synth_write(csv, 800, 4, &err)) {
		printf("FAIL test_verbs: %s\n", err.msg);
		return 1;
	}
	/* the test file: the first 100 rows with the education of row 2 renamed */
	f = fopen(csv, "r");
	g = fopen(test_csv, "w");
	if (!f || !g)
		return 1;
	while (n < 101 && fgets(line, sizeof line, f)) {
		if (n == 2) {
			char *comma = strchr(line, ',');
			for (int c = 0; comma && c < 2; c++)
				comma = strchr(comma + 1, ',');
			if (comma) {
				char *end = strchr(comma + 1, ',');
				fprintf(g, "%.*sphd_in_fairness%s", (int)(comma + 1 - line), line,
				        end ? end : "\n");
				n++;
				continue;
			}
		}
		fputs(line, g);
		n++;
	}
	fclose(f);
	fclose(g);
	T_RUN(test_train_progress);
	T_RUN(test_train_cancel);
	T_RUN(test_compare_cancel);
	T_RUN(test_train_warning);
	T_RUN(test_train_check);
	T_RUN(test_threads);
	snprintf(line, sizeof line, "rm -rf '%s'", dir);
	if (system(line) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done();
}
