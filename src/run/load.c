/*
 * load.c - ft_load: raw files (or in-memory tables) to encoded training and
 * test parts: read, filter, split, fit the encoder on the training part
 * only, encode both.  The data file and the test file with their SHA-256
 * (the model file's provenance) are read on two cores.
 *
 * Several data files are read as one table (src/data/shard.c).  In a
 * distributed run every step is collective: each rank reads its part of
 * the files, filters and encodes its rows, the split and the encoder come
 * from statistics over every rank, counts are summed, and both parts are
 * then laid out as whole chunks on each rank (ft_run_align); an error on
 * any rank is every rank's.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "data/data.h"
#include "run/run.h"

void ft_loaded_free(struct ft_loaded *l)
{
	if (!l)
		return;
	ft_table_free(l->train_t);
	ft_table_free(l->test_t);
	ft_dataset_free(l->train);
	ft_dataset_free(l->test);
	free(l->sha256_files);
	ft_dist_parts_free(l->dist);
	if (l->owns_enc)
		ft_encoder_free(l->enc);
	free(l);
}

/* Filters that keep no row of t: say so, naming them (issue 12 item 7:
 * it was reported as an empty training part). */
static int no_row_passes(const struct ft_data_opts *o, const struct ft_table *t,
                         struct ft_error *err)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	char list[512];
	size_t len = 0;

	list[0] = '\0';
	for (size_t i = 0; i < o->n_filter && len < sizeof list; i++) {
		const struct ft_filter *f = &o->filter[i];
		const char *op = f->op >= 0 && f->op < 6 ? ops[f->op] : "?";
		len += (size_t)snprintf(list + len, sizeof list - len, "%s'%s%s%s'",
		                        i ? ", " : "", f->col, op, f->value);
	}
	return ft_error_set(err, FT_EDATA, "%s: no row passes the filter%s %s "
	                    "(%zu row%s before %s)", t->path ? t->path : "(table)",
	                    o->n_filter > 1 ? "s" : "", list, t->n_rows,
	                    t->n_rows == 1 ? "" : "s", o->n_filter > 1 ? "them" : "it");
}

/* Keep the rows of *t that pass o's filters (in place); *n_removed adds
 * the rows dropped.  Filters that remove every row are an error. */
static int apply_filters(const struct ft_data_opts *o, struct ft_table **t,
                         size_t *n_removed, struct ft_error *err)
{
	struct ft_table *f = NULL;
	size_t k = 0;
	int rc;

	if (o->n_filter == 0 || !*t)
		return 0;
	if ((rc = ft_table_filter(*t, o->filter, o->n_filter, &f, &k, err)))
		return rc;
	if (f->n_rows == 0 && (*t)->n_rows > 0) {
		ft_table_free(f);
		return no_row_passes(o, *t, err);
	}
	ft_table_free(*t);
	*t = f;
	*n_removed += k;
	return 0;
}

/* A table given in memory, as an owned copy of all its rows. */
static int copy_table(const struct ft_table *t, struct ft_table **out,
                      struct ft_error *err)
{
	size_t *rows = malloc((t->n_rows ? t->n_rows : 1) * sizeof *rows);
	int rc;

	if (!rows)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->n_rows; i++)
		rows[i] = i;
	rc = ft_table_subset(t, rows, t->n_rows, out, err);
	free(rows);
	return rc;
}

/* Read data (and test) with their SHA-256; in-memory tables are copied.
 * The jobs (each file in two parts when it is big, ft_read_plan_make; the
 * hashes) are OpenMP tasks, taken by the threads as they come free.
 *
 * The first part is the shorter, by about the hash's time: on two threads
 * the thread that ends its part first then hashes the file while the
 * other still reads, and both end together.  Hashing a file costs about a
 * sixth of reading it (SHA-NI; at 1M rows, 104 MB: 0.085 s against
 * 0.49 s), so the first part takes (1 - 1/6) / 2 of the bytes.  Either
 * cut gives the same table (ft_table_append). */
#define HASHED_SHARE 0.41
static int read_both(const struct ft_data_opts *o, struct ft_loaded *l,
                     struct ft_table **all, struct ft_error *err)
{
	/* k = 0 the data, 1 the test file; rc and e: 2k its reading, 2k + 1
	 * its hash, which is also the order of the errors of one thread */
	struct ft_read_opts ro = o->read;
	struct ft_read_plan p[2];
	struct ft_error e[4];
	int rc[4] = {0, 0, 0, 0}, threads = omp_get_max_threads();
	const char *path[2] = {o->data, o->test};
	const struct ft_read_opts *opt[2] = {&o->read, &ro};
	struct ft_table **dst[2] = {all, &l->test_t};
	int on[2] = {!o->table, o->test && !o->test_table};

	memset(p, 0, sizeof p);
	memset(e, 0, sizeof e);
	if (o->table)
		rc[0] = copy_table(o->table, all, &e[0]);
	if (o->test_table && !rc[0])
		rc[2] = copy_table(o->test_table, &l->test_t, &e[2]);
	if (o->test_skip_rows >= 0)
		ro.skip_rows = (size_t)o->test_skip_rows;
	for (int k = 0; k < 2; k++)
		if (on[k])
			ft_read_plan_make(&p[k], path[k], opt[k], FT_READ_NUMBERS, threads,
			                  HASHED_SHARE);
	#pragma omp parallel if (threads > 1 && (on[0] || on[1]))
	#pragma omp single
	for (int k = 0; k < 2; k++) {
		if (!on[k])
			continue;
		#pragma omp task
		ft_read_plan_part(&p[k], 0);
		#pragma omp task
		ft_read_plan_part(&p[k], 1);
		#pragma omp task
		rc[2 * k + 1] = ft_sha256_file(path[k], l->sha256[k], &e[2 * k + 1]);
	}
	for (int k = 0; k < 2; k++)
		if (on[k])
			rc[2 * k] = ft_read_plan_finish(&p[k], dst[k], &e[2 * k]);
	for (int q = 0; q < 4; q++)
		if (rc[q]) {
			*err = e[q];
			return rc[q];
		}
	return 0;
}

/* Several data files, or a distributed run: each file list read through
 * shard.c (collective), one after the other, then the hashes. */
static int read_shards(const struct ft_data_opts *o, struct ft_loaded *l,
                       struct ft_table **all, struct ft_error *err)
{
	const char *const *files = o->n_files ? o->files : &o->data;
	size_t n = o->n_files ? o->n_files : 1;
	struct ft_read_opts ro = o->read;
	int rc = 0;

	if (o->table)
		rc = ft_dist_agree(copy_table(o->table, all, err), err);
	else
		rc = ft_shard_read(files, n, &o->read, all, err);
	if (!rc && o->test_table)
		rc = ft_dist_agree(copy_table(o->test_table, &l->test_t, err), err);
	else if (!rc && o->test) {
		if (o->test_skip_rows >= 0)
			ro.skip_rows = (size_t)o->test_skip_rows;
		rc = ft_shard_read(&o->test, 1, &ro, &l->test_t, err);
	}
	if (rc || o->table)
		return rc;
	if (n > 1)
		l->sha256_files = calloc(n, sizeof *l->sha256_files);
	if (ft_dist_agree(n > 1 && !l->sha256_files ? FT_ENOMEM : 0, NULL))
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = ft_run_hash(files, n, n > 1 ? l->sha256_files : l->sha256, err)))
		return rc;
	if (n > 1)
		memcpy(l->sha256[0], l->sha256_files[0], 65);
	if (o->test && !o->test_table)
		rc = ft_run_hash(&o->test, 1, &l->sha256[1], err);
	return rc;
}

/* The columns of t that are read as text (the spec's roles, the
 * categorical overrides, the filters' columns; with enc, its categorical
 * columns and roles) turned into text where the reader stored them as
 * numbers: only plain numeric features stay numbers. */
static int text_roles(const struct ft_data_opts *o, const struct ft_encoder *enc,
                      struct ft_table *t, struct ft_error *err)
{
	const struct ft_spec *s = &o->spec;
	char *one[3] = {(char *)s->target, (char *)s->weight, (char *)s->query};
	int rc;

	if (!t || !t->num)
		return 0;
	rc = ft_table_text_named(t, one, 3) ||
	     ft_table_text_named(t, s->sensitive, s->n_sensitive) ||
	     ft_table_text_named(t, s->categorical, s->n_categorical);
	for (size_t i = 0; i < o->n_filter && !rc; i++) {
		char *col = (char *)o->filter[i].col;
		rc = ft_table_text_named(t, &col, 1);
	}
	if (enc && !rc) {
		char *two[2] = {enc->target, enc->weight};
		rc = ft_table_text_named(t, two, 2) ||
		     ft_table_text_named(t, enc->sensitive, enc->n_sensitive);
		for (size_t j = 0; j < enc->n_cols && !rc; j++)
			if (enc->cols[j].type != FT_NUMERIC)
				rc = ft_table_text_named(t, &enc->cols[j].name, 1);
	}
	return rc ? ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path) : 0;
}

/* Read, filter and split: l's tables, not yet encoded. */
static int load_tables(const struct ft_data_opts *o, const struct ft_monitor *mon,
                       struct ft_loaded *l, struct ft_error *err)
{
	struct ft_table *all = NULL;
	int rc, has_test = o->test || o->test_table;

	if (!o->data && !o->table)
		return ft_error_set(err, FT_EINVAL, "no data (a file or a table)");
	ft_threads_setup();
	if ((rc = ft_run_progress(mon, "read", 0, 0, o->data, err)) ||
	    (rc = ft_dist_on() || o->n_files > 1 ? read_shards(o, l, &all, err) :
	          read_both(o, l, &all, err)))
		goto done;
	if ((rc = text_roles(o, NULL, all, err)) || (rc = text_roles(o, NULL, l->test_t, err)))
		goto done;
	l->n_rows_file = ft_run_rows(all->n_rows);
	rc = apply_filters(o, &all, &l->n_filtered, err);
	if (!rc)
		rc = apply_filters(o, &l->test_t, &l->n_filtered, err);
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	l->n_filtered = ft_run_rows(l->n_filtered);
	if (!has_test && o->split > 0) {
		/* the training part keeps all's rows in place: the table is not
		 * held twice (issue 20 item 7) */
		if (!(rc = ft_table_split_keep(all, &o->spec, o->split, o->seed, &l->test_t,
		                               err))) {
			l->train_t = all;
			all = NULL;
		}
	} else {
		l->train_t = all;
		all = NULL;
	}
done:
	ft_table_free(all);
	return rc;
}

int ft_load_tables(const struct ft_data_opts *o, struct ft_loaded **out,
                   struct ft_error *err)
{
	struct ft_loaded *l = calloc(1, sizeof *l);
	int rc;

	*out = NULL;
	if (!l)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = load_tables(o, NULL, l, err))) {
		ft_loaded_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

/* A sensitive column of numbers with many values (age) makes one group a
 * value: say so, since that is rarely meant. */
static void warn_numeric_groups(const struct ft_encoder *e, const char *what,
                                const struct ft_monitor *mon)
{
	enum { MANY = 10 };

	if (e->n_sensitive != 1 || e->n_groups <= MANY)
		return;
	for (size_t g = 0; g < e->n_groups; g++) {
		char *end;
		(void)strtod(e->group_names[g], &end);
		if (end == e->group_names[g] || *end)
			return;
	}
	ft_run_warn(mon, "%s: the sensitive column '%s' holds %zu different numbers, each "
	            "its own group; if that is not meant, bin it into a few groups first (a "
	            "derived column, as experiments/german-age/run.sh makes)",
	            what, e->sensitive[0], e->n_groups);
}

int ft_load(const struct ft_data_opts *o, const struct ft_encoder *enc,
            const struct ft_monitor *mon, struct ft_loaded **out, struct ft_error *err)
{
	return ft_load_ex(o, enc, mon, 0, out, err);
}

int ft_load_ex(const struct ft_data_opts *o, const struct ft_encoder *enc,
               const struct ft_monitor *mon, int consume, struct ft_loaded **out,
               struct ft_error *err)
{
	struct ft_loaded *l = calloc(1, sizeof *l);
	struct ft_error err_test = {0};
	int rc, rc_test = 0;

	ft_error_clear(err);
	*out = NULL;
	if (!l)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if ((rc = load_tables(o, mon, l, err)))
		goto fail;
	if (!enc) {
		if ((rc = ft_encoder_fit(l->train_t, &o->spec, &l->enc, err)))
			goto fail;
		l->owns_enc = 1;
		warn_numeric_groups(l->enc, o->data ? o->data : "(table)", mon);
	} else {
		l->enc = (struct ft_encoder *)enc;
		if ((rc = text_roles(o, enc, l->train_t, err)) ||
		    (rc = text_roles(o, enc, l->test_t, err)))
			goto fail;
	}
	if (consume && !ft_dist_on()) {
		/* the test part first, checked, and its table freed before the
		 * training table is consumed: the two tables and the two parts'
		 * rows are never all held at once (the messages come in the
		 * order of the other branch: training, test, test labels) */
		struct ft_error err_chk = {0};
		int rc_chk = 0;
		if (l->test_t) {
			rc_test = ft_encoder_apply(l->enc, l->test_t, FT_APPLY_TRAIN, &l->test,
			                           &l->st_test, &err_test);
			if (!rc_test && !o->allow_no_positive)
				rc_chk = ft_run_check_positive(l->test_t, l->test, l->enc,
				                               "the test part", "--allow-no-positive",
				                               &err_chk);
			ft_table_free(l->test_t);
			l->test_t = NULL;
		}
		rc = ft_encoder_apply_consume(l->enc, l->train_t, FT_APPLY_TRAIN, &l->train,
		                              &l->st_train, err);
		if (!rc && (rc_test || rc_chk)) {
			*err = rc_test ? err_test : err_chk;
			rc = rc_test ? rc_test : rc_chk;
		}
	} else {
		/* one after the other, each on every thread (blocks of rows) */
		rc = consume ? ft_encoder_apply_consume(l->enc, l->train_t, FT_APPLY_TRAIN,
		                                        &l->train, &l->st_train, err) :
		     ft_encoder_apply(l->enc, l->train_t, FT_APPLY_TRAIN, &l->train,
		                      &l->st_train, err);
		if (l->test_t)
			rc_test = ft_encoder_apply(l->enc, l->test_t, FT_APPLY_TRAIN, &l->test,
			                           &l->st_test, &err_test);
		if (!rc && rc_test) {
			*err = err_test;
			rc = rc_test;
		}
		/* agreed first: the check of the test labels is collective */
		if (!(rc = ft_dist_agree(rc, err)) && l->test && !o->allow_no_positive)
			rc = ft_run_check_positive(l->test_t, l->test, l->enc, "the test part",
			                           "--allow-no-positive", err);
	}
	if (rc)
		goto fail;
	ft_run_sum_stats(&l->st_train);
	ft_run_sum_stats(&l->st_test);
	if (ft_dist_on()) {
		/* a part without rows on every rank (one rank may hold none) */
		if (ft_run_rows(l->train->n) == 0)
			rc = ft_encode_none_left(l->train_t->path, &l->st_train, err);
		else if (l->test && ft_run_rows(l->test->n) == 0)
			rc = ft_encode_none_left(l->test_t->path, &l->st_test, err);
		if (rc)
			goto fail;
		/* whole chunks of each part on each rank, in row order */
		rc = (l->dist = calloc(1, sizeof *l->dist)) ? 0 :
		     ft_error_set(err, FT_ENOMEM, "out of memory");
		if ((rc = ft_dist_agree(rc, err)) ||
		    (rc = ft_run_align(l->train, &l->dist->train, err)) ||
		    (l->test && (rc = ft_run_align(l->test, &l->dist->test, err))))
			goto fail;
	}
	if (consume) {
		ft_table_free(l->train_t);
		ft_table_free(l->test_t);
		l->train_t = l->test_t = NULL;
		/* nothing is left for the rows' table rows to point into */
		free(l->train->row);
		l->train->row = NULL;
		if (l->test) {
			free(l->test->row);
			l->test->row = NULL;
		}
	}
	*out = l;
	return 0;
fail:
	ft_loaded_free(l);
	return rc;
}
