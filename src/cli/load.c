/*
 * load.c - raw files to encoded training and test parts, for train and
 * export: read, split, fit the encoder on the training part only, encode.
 */
#include <string.h>
#include "cli/cli.h"

void cli_loaded_free(struct cli_loaded *L, int free_enc)
{
	ft_table_free(L->train_t);
	ft_table_free(L->test_t);
	ft_dataset_free(L->train);
	ft_dataset_free(L->test);
	if (free_enc)
		ft_encoder_free(L->enc);
	memset(L, 0, sizeof *L);
}

void cli_warn_stats(const char *path, const struct ft_encode_stats *st)
{
	if (cli_quiet)
		return;
	if (st->n_unseen)
		fprintf(stderr, "fairtrain: warning: %s: %zu cell%s with a category "
		        "unseen in training (encoded as all zeros)\n", path,
		        st->n_unseen, st->n_unseen == 1 ? "" : "s");
	if (st->n_unseen_groups)
		fprintf(stderr, "fairtrain: warning: %s: %zu row%s of a group unseen "
		        "in training dropped\n", path, st->n_unseen_groups,
		        st->n_unseen_groups == 1 ? "" : "s");
}

int cli_apply_filters(const struct cli_data *d, struct ft_table **t, size_t *n_removed)
{
	struct ft_error err = {0};
	struct ft_table *f = NULL;
	size_t k = 0;

	if (d->n_filter == 0 || !*t)
		return 0;
	if (ft_table_filter(*t, d->filter, d->n_filter, &f, &k, &err)) {
		cli_fail("%s", err.msg);
		return -1;
	}
	ft_table_free(*t);
	*t = f;
	*n_removed += k;
	return 0;
}

int cli_load(struct cli_data *d, const struct ft_encoder *enc, struct cli_loaded *L)
{
	struct ft_error err = {0};
	struct ft_table *all = NULL;
	struct ft_encoder *fitted = NULL;

	struct ft_error err_test = {0};
	int rc_data = 0, rc_test = 0;

	memset(L, 0, sizeof *L);
	/* The two files, and their SHA-256 for the model file's provenance, are
	 * independent: read them on two cores. */
	#pragma omp parallel sections
	{
		#pragma omp section
		rc_data = ft_table_read(d->data, &d->read, &all, &err);
		#pragma omp section
		{
			/* the shorter job: hash both files, read the test file */
			if (d->test) {
				struct ft_read_opts ro = d->read;
				if (d->test_skip_rows >= 0)
					ro.skip_rows = (size_t)d->test_skip_rows;
				rc_test = ft_table_read(d->test, &ro, &L->test_t, &err_test);
				if (!rc_test)
					rc_test = ft_sha256_file(d->test, L->sha256[1], &err_test);
			}
			if (!rc_test)
				rc_test = ft_sha256_file(d->data, L->sha256[0], &err_test);
		}
	}
	if (rc_data)
		goto fail;
	if (rc_test) {
		err = err_test;
		goto fail;
	}
	L->n_rows_file = all->n_rows;
	if (cli_apply_filters(d, &all, &L->n_filtered) ||
	    cli_apply_filters(d, &L->test_t, &L->n_filtered)) {
		ft_table_free(all);
		cli_loaded_free(L, 0);
		return -1;
	}
	if (d->test) {
		L->train_t = all;
		all = NULL;
	} else if (d->split > 0) {
		if (ft_table_split(all, &d->spec, d->split, d->seed, &L->train_t,
		                   &L->test_t, &err))
			goto fail;
	} else {
		L->train_t = all;
		all = NULL;
	}
	if (!enc) {
		if (ft_encoder_fit(L->train_t, &d->spec, &fitted, &err))
			goto fail;
		enc = fitted;
	}
	L->enc = (struct ft_encoder *)enc;
	#pragma omp parallel sections
	{
		#pragma omp section
		rc_data = ft_encoder_apply(enc, L->train_t, FT_APPLY_TRAIN, &L->train,
		                           &L->st_train, &err);
		#pragma omp section
		if (L->test_t)
			rc_test = ft_encoder_apply(enc, L->test_t, FT_APPLY_TRAIN, &L->test,
			                           &L->st_test, &err_test);
	}
	if (rc_data)
		goto fail;
	if (rc_test) {
		err = err_test;
		goto fail;
	}
	ft_table_free(all);
	return 0;
fail:
	cli_fail("%s", err.msg);
	ft_table_free(all);
	L->enc = NULL;
	ft_encoder_free(fitted);
	cli_loaded_free(L, 0);
	return -1;
}
