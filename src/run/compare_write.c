/*
 * compare_write.c - the files of a comparison (ft_compare_write): results.h5
 * (everything, models included: ft_results_save), results.csv (one tidy row
 * per method, setting, fold, split, group, metric and convention, values to
 * 17 digits), runs.csv (one row per fit), summary.md (mean and sd across
 * folds, the Pareto-optimal settings, timing; ft_compare_summary) and the
 * plots (plot.c).
 *
 * Publishing is all or nothing, for readers too: the new bundle is built
 * in a hidden sibling of the output directory (PARENT/.NAME.fairtrain-PID-
 * XXXXXX) and then takes the directory's place in one step, rename(2) when
 * it does not exist and renameat2(RENAME_EXCHANGE) when it does (the old
 * bundle then sits at the sibling's name and is removed).  A reader sees
 * the whole old bundle or the whole new one, never a mix.  A run killed at
 * any moment leaves at most a hidden sibling, which the next run for the
 * same directory removes (its process is gone), so nothing blocks or
 * pollutes it.  The output directory may be absent, empty, or hold a
 * previous comparison (which is replaced); a directory holding other files
 * is refused unless force, which carries those files over into the new
 * bundle (hard links, same file system) and refuses subfolders.
 */
#define _GNU_SOURCE     /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/internal.h"
#include "run/compare.h"
#include "run/run.h"

#define FT_MAX_MADE 32
#define FT_MAX_FOREIGN 256

struct outdir {
	const char *dir;
	char *parent, *base;       /* dir split: "a/b/out" -> "a/b", "out" */
	char *stage;               /* the new bundle, a hidden sibling of dir */
	char *made[FT_MAX_MADE];   /* parents we created, outermost first:
	                              removed again on failure */
	int n_made;
	int exists;                /* dir existed when we started */
	char *foreign[FT_MAX_FOREIGN]; /* force: other files of dir, carried over */
	size_t n_foreign;
};

static const char *const OUT_FILES[] = {
	"results.h5", "results.csv", "runs.csv", "summary.md", NULL
};

static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (p) {
		memcpy(p, a, la);
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	}
	return p;
}

/* 1 when name is a file a comparison writes. */
static int ours(const char *name)
{
	for (size_t i = 0; OUT_FILES[i]; i++)
		if (!strcmp(name, OUT_FILES[i]))
			return 1;
	for (size_t i = 0; ft_run_plot_files[i]; i++)
		if (!strcmp(name, ft_run_plot_files[i]))
			return 1;
	return 0;
}

/* Remove path and, for a directory, what it holds (symbolic links are
 * removed, not followed). */
static void remove_tree(const char *path)
{
	struct stat sb;
	DIR *dp;
	struct dirent *e;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if ((dp = opendir(path)) != NULL) {
		while ((e = readdir(dp)) != NULL) {
			char *q;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if ((q = path_join(path, e->d_name)) != NULL)
				remove_tree(q);
			free(q);
		}
		closedir(dp);
	}
	rmdir(path);
}

/* Remove the parents we created, innermost first (they are empty). */
static void remove_made(struct outdir *o)
{
	while (o->n_made > 0) {
		o->n_made--;
		rmdir(o->made[o->n_made]);
		free(o->made[o->n_made]);
	}
}

/* mkdir -p: dir and its missing parents, each recorded in o->made.  -1
 * with errno on failure (what was made stays recorded). */
static int make_dirs(struct outdir *o, const char *dir)
{
	char *parent, *slash;
	int rc;

	if (mkdir(dir, 0777) != 0) {
		if (errno == EEXIST)
			return 0;
		if (errno != ENOENT)
			return -1;
		if (!(parent = strdup(dir))) {
			errno = ENOMEM;
			return -1;
		}
		slash = parent + strlen(parent);
		while (slash > parent && slash[-1] == '/')       /* "a/b/" */
			*--slash = '\0';
		slash = strrchr(parent, '/');
		if (!slash || slash == parent) {
			free(parent);
			errno = ENOENT;
			return -1;
		}
		*slash = '\0';
		rc = make_dirs(o, parent);
		free(parent);
		if (rc != 0 || mkdir(dir, 0777) != 0)
			return -1;
	}
	if (o->n_made == FT_MAX_MADE || !(o->made[o->n_made] = strdup(dir))) {
		rmdir(dir);
		errno = o->n_made == FT_MAX_MADE ? ENAMETOOLONG : ENOMEM;
		return -1;
	}
	o->n_made++;
	return 0;
}

/* "a/b/out/" -> parent "a/b", base "out"; "out" -> ".", "out". */
static int split_dir(struct outdir *o, const char *dir)
{
	char *d = strdup(dir), *end, *slash;

	if (!d)
		return FT_ENOMEM;
	end = d + strlen(d);
	while (end > d + 1 && end[-1] == '/')
		*--end = '\0';
	slash = strrchr(d, '/');
	if (!slash) {
		o->parent = strdup(".");
		o->base = strdup(d);
	} else {
		o->base = strdup(slash + 1);
		*(slash == d ? slash + 1 : slash) = '\0';
		o->parent = strdup(d);
	}
	free(d);
	if (!o->parent || !o->base)
		return FT_ENOMEM;
	return *o->base && strcmp(o->base, ".") && strcmp(o->base, "..") ? 0 : FT_EINVAL;
}

/* The hidden siblings of earlier runs for the same directory whose process
 * is gone (killed): removed. */
static void clean_stale(const struct outdir *o)
{
	DIR *dp = opendir(o->parent);
	struct dirent *e;
	char prefix[512];
	size_t pl;

	if (!dp)
		return;
	pl = (size_t)snprintf(prefix, sizeof prefix, ".%s.fairtrain-", o->base);
	while (pl < sizeof prefix && (e = readdir(dp)) != NULL) {
		char *end, *q;
		long pid;
		if (strncmp(e->d_name, prefix, pl) != 0)
			continue;
		pid = strtol(e->d_name + pl, &end, 10);
		if (end == e->d_name + pl || *end != '-' || pid <= 0 ||
		    pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if ((q = path_join(o->parent, e->d_name)) != NULL)
			remove_tree(q);
		free(q);
	}
	closedir(dp);
}

/* What dir holds: 0 when nothing but a comparison's files; else the
 * others are refused, or recorded when force. */
static int check_existing(struct outdir *o, int force, struct ft_error *err)
{
	DIR *dp = opendir(o->dir);
	struct dirent *e;
	int rc = 0;

	if (!dp)
		return ft_error_set(err, FT_EIO, "%s: cannot read: %s", o->dir, strerror(errno));
	while (!rc && (e = readdir(dp)) != NULL) {
		struct stat sb;
		char *q;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || ours(e->d_name))
			continue;
		if (!force) {
			rc = ft_error_set(err, FT_EIO, "%s: holds '%s', which is not a file of a "
			                  "comparison (--force writes beside such files)", o->dir,
			                  e->d_name);
			break;
		}
		q = path_join(o->dir, e->d_name);
		if (!q)
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		else if (lstat(q, &sb) != 0 || S_ISDIR(sb.st_mode))
			rc = ft_error_set(err, FT_EIO, "%s: holds the folder '%s'; a comparison "
			                  "replaces the whole directory, so it is not written there",
			                  o->dir, e->d_name);
		else if (o->n_foreign == FT_MAX_FOREIGN)
			rc = ft_error_set(err, FT_EIO, "%s: holds more than %d other files", o->dir,
			                  FT_MAX_FOREIGN);
		else if (!(o->foreign[o->n_foreign++] = ft_strdup(e->d_name)))
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		free(q);
	}
	closedir(dp);
	return rc;
}

static void out_free(struct outdir *o)
{
	while (o->n_made > 0)            /* kept: forget them */
		free(o->made[--o->n_made]);
	for (size_t i = 0; i < o->n_foreign; i++)
		free(o->foreign[i]);
	o->n_foreign = 0;
	free(o->parent);
	free(o->base);
	free(o->stage);
	o->parent = o->base = o->stage = NULL;
}

static int out_prepare(struct outdir *o, const char *dir, int force, struct ft_error *err)
{
	struct stat sb;
	char name[600];
	int e, rc;

	memset(o, 0, sizeof *o);
	o->dir = dir;
	if ((rc = split_dir(o, dir)))
		return ft_error_set(err, rc, rc == FT_ENOMEM ? "out of memory" :
		                    "%s: not a directory name", dir);
	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return ft_error_set(err, FT_EIO, "%s: not a directory", dir);
		o->exists = 1;
		if ((rc = check_existing(o, force, err)))
			return rc;
	} else if (errno != ENOENT) {
		return ft_error_set(err, FT_EIO, "%s: cannot create directory: %s", dir,
		                    strerror(errno));
	} else if (make_dirs(o, o->parent) != 0) {
		e = errno;
		remove_made(o);
		return ft_error_set(err, FT_EIO, "%s: cannot create directory: %s", o->parent,
		                    strerror(e));
	}
	clean_stale(o);
	snprintf(name, sizeof name, ".%s.fairtrain-%ld-XXXXXX", o->base, (long)getpid());
	o->stage = path_join(o->parent, name);
	if (!o->stage || !mkdtemp(o->stage)) {
		e = errno;
		ft_error_set(err, FT_EIO, "%s: cannot write: %s", dir,
		             o->stage ? strerror(e) : "out of memory");
		free(o->stage);
		o->stage = NULL;
		remove_made(o);
		return FT_EIO;
	}
	return 0;
}

/* Remove the staging directory and what is in it (and the parents we
 * made): nothing of a failed run is left. */
static void out_abort(struct outdir *o)
{
	if (!o->stage)
		return;
	remove_tree(o->stage);
	remove_made(o);
	free(o->stage);
	o->stage = NULL;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* The staged bundle takes the place of dir in one step. */
static int out_publish(struct outdir *o, struct ft_error *err)
{
	int rc = 0;

	/* force: the other files of dir come along (hard links) */
	for (size_t i = 0; i < o->n_foreign && !rc; i++) {
		char *from = path_join(o->dir, o->foreign[i]);
		char *to = path_join(o->stage, o->foreign[i]);
		if (!from || !to)
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		else if (link(from, to) != 0)
			rc = ft_error_set(err, FT_EIO, "%s: cannot keep it beside the new "
			                  "results: %s", from, strerror(errno));
		free(from);
		free(to);
	}
	if (rc)
		return rc;
	fsync_dir(o->stage);
	if (!o->exists) {
		if (rename(o->stage, o->dir) != 0)
			return ft_error_set(err, FT_EIO, "%s: cannot write: %s", o->dir,
			                    strerror(errno));
	} else if (renameat2(AT_FDCWD, o->stage, AT_FDCWD, o->dir, RENAME_EXCHANGE) == 0) {
		remove_tree(o->stage);         /* the old bundle */
	} else if (errno == EINVAL || errno == ENOSYS) {
		/* a file system without the exchange: the old bundle moves aside,
		 * the new one in (dir is briefly absent, never mixed) */
		char *old = malloc(strlen(o->stage) + 5);
		if (!old)
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		sprintf(old, "%s-old", o->stage);
		if (rename(o->dir, old) != 0 || rename(o->stage, o->dir) != 0) {
			rc = ft_error_set(err, FT_EIO, "%s: cannot write: %s", o->dir,
			                  strerror(errno));
			if (access(o->dir, F_OK) != 0)
				rename(old, o->dir);   /* put the old one back */
			free(old);
			return rc;
		}
		remove_tree(old);
		free(old);
	} else {
		return ft_error_set(err, FT_EIO, "%s: cannot write: %s", o->dir, strerror(errno));
	}
	fsync_dir(o->parent);
	free(o->stage);
	o->stage = NULL;
	return 0;
}

/* An atomic text file in the staging directory. */
static FILE *stage_open(struct outdir *o, const char *name, struct ft_atomic *a,
                        struct ft_error *err)
{
	char *p = path_join(o->stage, name);
	int rc = p ? ft_atomic_open(a, p, err) : ft_error_set(err, FT_ENOMEM, "out of memory");

	free(p);
	return rc ? NULL : a->fp;
}


/* ------------------------------------------------------------- tables */

static void csv_num(FILE *fp, int defined, double v)
{
	char b[FT_FMT_DOUBLE_LEN];

	if (defined)
		fprintf(fp, ",%s", ft_fmt_double(b, v));
	else
		fputc(',', fp);
}

static int write_results_csv(struct outdir *o, const struct ft_compare_result *r,
                             struct ft_error *err)
{
	const struct ft_sweep *sw = r->sweep;
	struct ft_atomic a;
	FILE *fp = stage_open(o, "results.csv", &a, err);

	if (!fp)
		return err->code ? err->code : FT_EIO;
	fputs("method,setting,fold,split,group,metric,convention,value,lo,hi,why\n", fp);
	for (size_t f = 0; f < r->n_folds; f++)
		for (size_t s = 0; s < sw->n; s++) {
			const struct ft_compare_run *u = &r->runs[f * sw->n + s];
			for (size_t i = 0; u->cmp && i < u->cmp->n; i++) {
				const struct ft_comparison_row *row = &u->cmp->rows[i];
				ft_csv_field(fp, sw->s[s].method);
				fputc(',', fp);
				ft_csv_field(fp, sw->s[s].setting);
				fprintf(fp, ",%zu,", f + 1);
				ft_csv_field(fp, row->split);
				fputc(',', fp);
				ft_csv_field(fp, row->group);
				fputc(',', fp);
				ft_csv_field(fp, row->metric);
				fputc(',', fp);
				ft_csv_field(fp, row->convention);
				csv_num(fp, !row->why, row->value);
				csv_num(fp, !row->ci_why, row->lo);
				csv_num(fp, !row->ci_why, row->hi);
				fputc(',', fp);
				ft_csv_field(fp, row->why ? row->why : "");
				fputc('\n', fp);
			}
		}
	return ft_atomic_commit(&a, err);
}

static int write_runs_csv(struct outdir *o, const struct ft_compare_result *r,
                          struct ft_error *err)
{
	const struct ft_sweep *sw = r->sweep;
	struct ft_atomic a;
	FILE *fp = stage_open(o, "runs.csv", &a, err);

	if (!fp)
		return err->code ? err->code : FT_EIO;
	fputs("method,setting,fold,status,seconds,n_train,n_test,solver,iterations,"
	      "converged,error\n", fp);
	for (size_t f = 0; f < r->n_folds; f++)
		for (size_t s = 0; s < sw->n; s++) {
			const struct ft_compare_run *u = &r->runs[f * sw->n + s];
			ft_csv_field(fp, sw->s[s].method);
			fputc(',', fp);
			ft_csv_field(fp, sw->s[s].setting);
			fprintf(fp, ",%zu,%s,%.6f,%zu,%zu,%s,%d,%d,", f + 1,
			        u->error ? "failed" : "ok", u->seconds, u->n_train, u->n_test,
			        u->fitted ? ft_solver_name(u->fo.res.solver) : "",
			        u->fitted ? u->fo.res.iterations : 0, u->fitted && u->fo.res.converged);
			ft_csv_field(fp, u->error ? u->error : "");
			fputc('\n', fp);
		}
	return ft_atomic_commit(&a, err);
}

/* ------------------------------------------------------------ summary */

/* Short column heads of the fairness summaries, in enum ft_fairness order. */
static const char *const FAIR_HEAD[FT_N_FAIRNESS] = {
	"DP diff", "DP ratio", "EOp diff", "EO diff", "EO diff (mean)", "AOD",
	"error diff", "PP diff", "AUC diff", "GEI", "Theil", "GEI between",
	"Theil between"
};

static void md_stat(FILE *fp, struct ft_compare_stat st)
{
	if (st.n == 0)
		fputs(" | undefined", fp);
	else if (st.n == 1 || isnan(st.sd))
		fprintf(fp, " | %.4f", st.mean);
	else
		fprintf(fp, " | %.4f ± %.4f", st.mean, st.sd);
}

/* The head of the summary: data, design, criterion. */
static void summary_head(FILE *mem, const struct ft_compare_result *r)
{
	const struct ft_encoder *e = r->folds[0].enc;
	size_t ntr = 0, nte = 0;

	for (size_t f = 0; f < r->n_folds; f++) {
		ntr += r->folds[f].n_train;
		nte += r->folds[f].n_test;
	}
	fprintf(mem, "# fairtrain compare\n\n");
	fprintf(mem, "- data: `%s`, %zu rows", r->data, r->n_rows_file);
	if (r->n_filtered)
		fprintf(mem, ", %zu removed by --filter", r->n_filtered);
	if (r->test)
		fprintf(mem, "; test file `%s`", r->test);
	fprintf(mem, "\n- target: %s = %s; sensitive: ", e->target, e->positive);
	for (size_t k = 0; k < e->n_sensitive; k++)
		fprintf(mem, "%s%s", k ? "&" : "", e->sensitive[k]);
	fprintf(mem, " (groups:");
	for (size_t g = 0; g < e->n_groups; g++)
		fprintf(mem, "%s %s", g ? "," : "", e->group_names[g]);
	fprintf(mem, "%s%s)\n", e->privileged ? "; privileged " : "",
	        e->privileged ? e->privileged : "");
	if (!strcmp(r->scheme, "stratified_kfold"))
		fprintf(mem, "- design: %zu-fold cross-validation stratified by label and group, "
		        "seed %llu", r->n_folds, (unsigned long long)r->seed);
	else if (!strcmp(r->scheme, "repeated_split"))
		fprintf(mem, "- design: %zu random splits stratified by label and group, %g "
		        "held out, seed %llu", r->n_folds, r->split, (unsigned long long)r->seed);
	else
		fprintf(mem, "- design: one split: train on `%s`, test on `%s`", r->data, r->test);
	fprintf(mem, "; %.0f training and %.0f test rows a fold on average after "
	        "encoding\n", (double)ntr / (double)r->n_folds, (double)nte / (double)r->n_folds);
	fprintf(mem, "- every setting of a fold shares its encoder, its baseline fit and "
	        "its test rows; yhat = score >= %g", r->threshold);
	if (r->n_bootstrap)
		fprintf(mem, "; %zu bootstrap resamples per interval (results.csv)", r->n_bootstrap);
	fprintf(mem, "\n- fairness criterion: %s (%s; %s is fairer)\n\n",
	        ft_fairness_name(r->fairness), ft_run_fair_convention(r->fairness),
	        r->fairness == FT_F_DP_RATIO ? "higher" : "lower");
}

double ft_run_md_setting(FILE *mem, const struct ft_compare_result *r, size_t s)
{
	const struct ft_sweep *sw = r->sweep;
	double sec = 0;
	size_t ok = 0;

	for (size_t f = 0; f < r->n_folds; f++) {
		sec += r->runs[f * sw->n + s].seconds;
		ok += r->runs[f * sw->n + s].error == NULL;
	}
	fprintf(mem, "| %s | `%s`", sw->s[s].method, sw->s[s].setting);
	if (ok < r->n_folds)
		fprintf(mem, " (%zu of %zu folds)", ok, r->n_folds);
	return sec;
}

/* The test results: one row per setting. */
static void summary_table(FILE *mem, const struct ft_compare_result *r)
{
	static const int STD[] = {FT_F_DP_DIFF, FT_F_DP_RATIO, FT_F_EO_DIFF, FT_F_EOP_DIFF};
	static const struct { const char *metric, *head; } PERF[] = {
		{"accuracy", "accuracy"}, {"balanced_accuracy", "balanced accuracy"}, {"auc", "AUC"},
	};
	const struct ft_sweep *sw = r->sweep;
	size_t np = sizeof PERF / sizeof PERF[0];
	int fcols[5], nf = 0;

	fcols[nf++] = r->fairness;
	for (size_t k = 0; k < sizeof STD / sizeof STD[0]; k++)
		if (STD[k] != r->fairness)
			fcols[nf++] = STD[k];
	fprintf(mem, "## Test results (mean ± sd over %zu fold%s)\n\n", r->n_folds,
	        r->n_folds == 1 ? "" : "s");
	fprintf(mem, "| method | setting");
	for (size_t k = 0; k < np; k++)
		fprintf(mem, " | %s", PERF[k].head);
	for (int k = 0; k < nf; k++)
		fprintf(mem, " | %s%s", FAIR_HEAD[fcols[k]], k ? "" : " *");
	fprintf(mem, " | Pareto | fit (s) |\n|---|---");
	for (size_t k = 0; k < np + (size_t)nf + 2; k++)
		fprintf(mem, "|---:");
	fprintf(mem, "|\n");
	for (size_t s = 0; s < sw->n; s++) {
		double sec = ft_run_md_setting(mem, r, s);
		for (size_t k = 0; k < np; k++)
			md_stat(mem, ft_run_fold_stat(r, s, PERF[k].metric, "overall", ""));
		for (int k = 0; k < nf; k++)
			md_stat(mem, ft_run_fold_stat(r, s, ft_fairness_name(fcols[k]), "",
			                              ft_run_fair_convention(fcols[k])));
		fprintf(mem, " | %s | %.3f |\n", r->points[s].pareto ? "yes" : "",
		        sec / (double)r->n_folds);
	}
	fprintf(mem, "\n\\* the fairness criterion. DP: demographic parity (selection rate), "
	        "EO: equalized odds (worst of the TPR and FPR gaps), EOp: equal opportunity "
	        "(TPR gap); differences are max - min over groups, ratios min / max.\n\n");
	fprintf(mem, "Pareto-optimal for accuracy against %s:", ft_fairness_name(r->fairness));
	for (size_t s = 0, first = 1; s < sw->n; s++)
		if (r->points[s].pareto) {
			fprintf(mem, "%s `%s`", first ? "" : ",", sw->s[s].setting);
			first = 0;
		}
}

/* Timing, failed fits, the files. */
static void summary_tail(FILE *mem, const struct ft_compare_result *r, int plotted)
{
	const struct ft_sweep *sw = r->sweep;

	fprintf(mem, "\n\n## Timing\n\n| method | settings | fits | total fit (s) | mean fit (s) |\n"
	        "|---|---:|---:|---:|---:|\n");
	for (size_t s = 0; s < sw->n; s++) {
		size_t nset = 0, fits = 0;
		double tot = 0;
		if (s > 0 && !strcmp(sw->s[s].method, sw->s[s - 1].method))
			continue;
		for (size_t t = s; t < sw->n && !strcmp(sw->s[t].method, sw->s[s].method); t++) {
			nset++;
			for (size_t f = 0; f < r->n_folds; f++) {
				tot += r->runs[f * sw->n + t].seconds;
				fits++;
			}
		}
		fprintf(mem, "| %s | %zu | %zu | %.3f | %.3f |\n", sw->s[s].method, nset, fits,
		        tot, tot / (double)fits);
	}
	fprintf(mem, "\nWall time %.2f s: splitting and encoding %.2f s, fitting %.2f s, "
	        "measuring %.2f s.\n", r->t_total, r->t_prep, r->t_fit, r->t_measure);
	if (r->n_failed) {
		fprintf(mem, "\n## Failed fits\n\n| setting | fold | error |\n|---|---:|---|\n");
		for (size_t f = 0; f < r->n_folds; f++)
			for (size_t s = 0; s < sw->n; s++)
				if (r->runs[f * sw->n + s].error)
					fprintf(mem, "| `%s` | %zu | %s |\n", sw->s[s].setting, f + 1,
					        r->runs[f * sw->n + s].error);
	}
	fprintf(mem, "\n## Files\n\n- `results.csv`: one row per method, setting, fold, split, "
	        "group, metric and convention\n- `results.h5`: the same table, the settings, "
	        "every fitted model and the provenance\n- `runs.csv`: one row per fit (status, "
	        "time, solver)\n");
	if (plotted == 0 && r->task == FT_TASK_RANK)
		fprintf(mem, "- `tradeoff.svg`, `tradeoff.png`: mean ndcg@%zu against mean "
		        "exposure_ratio, sd bars, Pareto front\n- `groups.svg`, `groups.png`: "
		        "exposure, pairwise accuracy and skew@%zu per group of the baseline and "
		        "each method's best setting\n- `plots.gp`: the gnuplot script that draws "
		        "them\n", r->rank_k, r->rank_k);
	else if (plotted == 0)
		fprintf(mem, "- `tradeoff.svg`, `tradeoff.png`: mean accuracy against mean %s, "
		        "sd bars, Pareto front\n- `groups.svg`, `groups.png`: selection rate, TPR "
		        "and FPR per group of the baseline and each method's best setting\n"
		        "- `plots.gp`: the gnuplot script that draws them\n",
		        ft_fairness_name(r->fairness));
	else
		fprintf(mem, "- `plots.gp`: the gnuplot script for the plots (gnuplot did not "
		        "draw them: `cd DIR && gnuplot plots.gp`)\n");
}

int ft_compare_summary(const struct ft_compare_result *r, int plotted, char **text,
                       struct ft_error *err)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);

	*text = NULL;
	if (!mem)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (r->task == FT_TASK_RANK) {
		ft_run_rank_summary(mem, r);
	} else {
		summary_head(mem, r);
		summary_table(mem, r);
	}
	summary_tail(mem, r, plotted);
	if (fclose(mem) != 0 || !buf) {
		free(buf);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	*text = buf;
	return 0;
}

static int write_summary(struct outdir *o, const struct ft_compare_result *r, int plotted,
                         struct ft_error *err)
{
	struct ft_atomic a;
	char *text = NULL;
	FILE *fp;
	int rc;

	if ((rc = ft_compare_summary(r, plotted, &text, err)))
		return rc;
	if (!(fp = stage_open(o, "summary.md", &a, err))) {
		free(text);
		return err->code ? err->code : FT_EIO;
	}
	fputs(text, fp);
	free(text);
	return ft_atomic_commit(&a, err);
}

/* ---------------------------------------------------------- results.h5 */

static int write_h5(struct outdir *o, const struct ft_compare_result *r,
                    struct ft_error *err)
{
	const struct ft_sweep *sw = r->sweep;
	size_t ns = sw->n, nr = ns * r->n_folds;
	struct ft_results R;
	struct ft_results_run *rr = calloc(nr + 1, sizeof *rr);
	const char **meth = calloc(ns + 1, sizeof *meth), **spec = calloc(ns + 1, sizeof *spec);
	int *pareto = calloc(ns + 1, sizeof *pareto);
	double *v = calloc(5 * ns + 1, sizeof *v);
	char *paths[2] = {r->data, r->test};
	char *shas[2] = {(char *)r->sha256[0], (char *)r->sha256[1]};
	char *path = path_join(o->stage, "results.h5"), acc[32];
	int rc;

	if (!rr || !meth || !spec || !pareto || !v || !path) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	memset(&R, 0, sizeof R);
	R.fairtrain_version = FT_VERSION;
	R.created_utc = r->created_utc;
	R.command_line = r->command_line;
	R.n_inputs = r->test ? 2 : 1;
	R.input_paths = paths;
	R.input_sha256 = shas;
	R.scheme = r->scheme;
	R.n_folds = r->n_folds;
	R.seed = r->seed;
	R.split = r->split;
	R.fairness = r->task == FT_TASK_RANK ? "exposure_ratio" : ft_fairness_name(r->fairness);
	R.convention = r->task == FT_TASK_RANK ? "" : ft_run_fair_convention(r->fairness);
	if (r->task == FT_TASK_RANK) {
		snprintf(acc, sizeof acc, "ndcg@%zu", r->rank_k);
		R.task = "rank";
		R.accuracy_metric = acc;
	}
	R.threshold = r->threshold;
	R.level = r->level;
	R.n_bootstrap = r->n_bootstrap;
	R.C = r->C;
	R.n_groups = r->folds[0].enc->n_groups;
	R.group_names = r->folds[0].enc->group_names;
	R.n_settings = ns;
	for (size_t s = 0; s < ns; s++) {
		meth[s] = sw->s[s].method;
		spec[s] = sw->s[s].setting;
		pareto[s] = r->points[s].pareto;
		v[s] = r->points[s].acc.mean;
		v[ns + s] = r->points[s].acc.sd;
		v[2 * ns + s] = r->points[s].fair.mean;
		v[3 * ns + s] = r->points[s].fair.sd;
		for (size_t f = 0; f < r->n_folds; f++)
			v[4 * ns + s] += r->runs[f * ns + s].seconds / (double)r->n_folds;
	}
	R.setting_method = meth;
	R.setting = spec;
	R.pareto = pareto;
	R.acc_mean = v;
	R.acc_sd = v + ns;
	R.fair_mean = v + 2 * ns;
	R.fair_sd = v + 3 * ns;
	R.seconds = v + 4 * ns;
	R.n_runs = nr;
	R.runs = rr;
	for (size_t f = 0; f < r->n_folds; f++)
		for (size_t s = 0; s < ns; s++) {
			const struct ft_compare_run *u = &r->runs[f * ns + s];
			struct ft_results_run *x = &rr[f * ns + s];
			x->method = sw->s[s].method;
			x->setting = sw->s[s].setting;
			x->fold = f + 1;
			x->error = u->error;
			x->seconds = u->seconds;
			x->n_train = u->n_train;
			x->n_test = u->n_test;
			x->n_features = r->folds[f].enc->n_features;
			x->feature_names = r->folds[f].enc->feature_names;
			x->fit = u->fitted ? &u->fo : NULL;
			x->metrics = u->error ? NULL : u->cmp;
		}
	rc = ft_results_save(path, &R, err);
done:
	free(rr);
	free(meth);
	free(spec);
	free(pareto);
	free(v);
	free(path);
	return rc;
}

/* ---------------------------------------------------------------- plots */

static int draw(struct outdir *o, const struct ft_compare_result *r,
                const struct ft_monitor *mon, int *plotted, struct ft_error *err)
{
	const struct ft_sweep *sw = r->sweep;
	const struct ft_encoder *e = r->folds[0].enc;
	struct ft_plot_point *pts = calloc(sw->n + 1, sizeof *pts);
	size_t *midx = calloc(sw->n + 1, sizeof *midx);
	const char *base = strrchr(r->data, '/');
	struct ft_plot pl;
	char title[512], yname[32];
	int rc;

	if (!pts || !midx) {
		free(pts);
		free(midx);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	base = base ? base + 1 : r->data;
	if (!strcmp(r->scheme, "stratified_kfold"))
		snprintf(title, sizeof title, "%s, %zu-fold cross-validation (test folds)", base,
		         r->n_folds);
	else if (!strcmp(r->scheme, "repeated_split"))
		snprintf(title, sizeof title, "%s, %zu random splits (test parts)", base,
		         r->n_folds);
	else if (!strcmp(r->scheme, "query_kfold"))
		snprintf(title, sizeof title, "%s, %zu-fold cross-validation over queries (test "
		         "folds)", base, r->n_folds);
	else if (!strcmp(r->scheme, "repeated_query_split"))
		snprintf(title, sizeof title, "%s, %zu random query splits (test parts)", base,
		         r->n_folds);
	else
		snprintf(title, sizeof title, "%s, tested on %s", base,
		         strrchr(r->test, '/') ? strrchr(r->test, '/') + 1 : r->test);
	for (size_t s = 0; s < sw->n; s++) {
		pts[s].method = sw->s[s].method;
		pts[s].setting = sw->s[s].setting;
		pts[s].label = sw->s[s].label;
		pts[s].acc = r->points[s].acc;
		pts[s].fair = r->points[s].fair;
		pts[s].group = r->points[s].group;
		pts[s].pareto = r->points[s].pareto;
		pts[s].best = r->points[s].best;
		pts[s].baseline = s == 0;
	}
	pl.fairness = ft_fairness_name(r->fairness);
	pl.convention = ft_run_fair_convention(r->fairness);
	pl.higher_fairer = r->fairness == FT_F_DP_RATIO;
	pl.y_name = NULL;
	pl.x_note = NULL;
	pl.panel = NULL;
	if (r->task == FT_TASK_RANK) {
		static const char *const PANEL[FT_CMP_N_RATES] = {
			"exposure (mean 1/log2(1 + rank))", "pairwise accuracy", "skew (LiFT)"
		};
		snprintf(yname, sizeof yname, "ndcg@%zu", r->rank_k);
		pl.fairness = "exposure_ratio";
		pl.convention = "protected / others";
		pl.x_note = "closer to 1 is fairer";
		pl.y_name = yname;
		pl.panel = PANEL;
	}
	pl.title = title;
	pl.n_points = sw->n;
	pl.pt = pts;
	pl.n_groups = e->n_groups;
	pl.group_names = e->group_names;
	pl.midx = midx;
	rc = ft_run_plots(&pl, o->stage, mon, err);
	free(pts);
	free(midx);
	if (rc < 0)
		return rc;
	*plotted = rc;
	return 0;
}

int ft_compare_write(const struct ft_compare_result *r, const char *dir, int force,
                     const struct ft_monitor *mon, int *plotted, struct ft_error *err)
{
	struct outdir od;
	int rc, drawn = 1;

	ft_error_clear(err);
	if ((rc = out_prepare(&od, dir, force, err)))
		goto done;
	/* plots first: the summary says whether they were drawn */
	if ((rc = draw(&od, r, mon, &drawn, err)) ||
	    (rc = write_results_csv(&od, r, err)) || (rc = write_runs_csv(&od, r, err)) ||
	    (rc = write_h5(&od, r, err)) || (rc = write_summary(&od, r, drawn, err)))
		goto done;
	rc = out_publish(&od, err);
done:
	if (od.stage)
		out_abort(&od);
	out_free(&od);
	if (!rc && plotted)
		*plotted = drawn;
	return rc;
}
