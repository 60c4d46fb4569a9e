/*
 * dist_run.c - the distributed steps of the verbs (run.h): rows laid out
 * as whole chunks on each rank, the hashes of files read by different
 * ranks, counts summed over ranks, and the rows a measurement needs
 * gathered on rank 0.
 *
 * A training run in the MPI build reads, filters, splits and encodes each
 * rank's part of the data (load.c); ft_run_align then moves rows between
 * neighbouring ranks so that each rank holds whole chunks of ft_parallel_sum
 * (core/dist.h), in global row order.  Every fit is then a sequence of row
 * sums added along the ranks in chunk order, and every rank computes the
 * same model.  Measuring a model needs its decisions on every row (sorting
 * for the AUC, the bootstrap's cells, permutation tests): each rank decides
 * its own rows and only (label, score, P(yhat = 1), weight, group) of each
 * row travel, to rank 0, which measures with the single-process code and
 * keeps the before/after table; the design matrix never moves.
 *
 * In one process every function here is a no-op or the plain computation.
 */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "core/dist.h"
#include "run/run.h"

void ft_dist_parts_free(struct ft_dist_parts *p)
{
	if (!p)
		return;
	ft_dist_part_free(&p->train);
	ft_dist_part_free(&p->test);
	free(p);
}

int ft_run_align(struct ft_dataset *d, struct ft_dist_part *p, struct ft_error *err)
{
	uint64_t row0 = 0, n_all = 0;
	size_t np = (size_t)ft_dist_np(), *dest = NULL;
	struct {
		void **a;
		size_t elem;
	} arr[7];
	int rc;

	if (!ft_dist_on())
		return 0;
	ft_dist_scan_u64(d->n, &row0, &n_all);
	rc = ft_dist_part_init(p, (size_t)n_all, NULL, 0);
	if (!rc && !(dest = malloc((np + 1) * sizeof *dest)))
		rc = FT_ENOMEM;
	if ((rc = ft_dist_agree(rc ? ft_error_set(err, rc, "out of memory") : 0, err)))
		goto done;
	for (size_t r = 0; r <= np; r++)
		dest[r] = p->bound[p->first[r]];
	arr[0].a = (void **)&d->num;   arr[0].elem = d->n_num * sizeof *d->num;
	arr[1].a = (void **)&d->code;  arr[1].elem = d->n_cat * sizeof *d->code;
	arr[2].a = (void **)&d->y;     arr[2].elem = sizeof *d->y;
	arr[3].a = (void **)&d->w;     arr[3].elem = sizeof *d->w;
	arr[4].a = (void **)&d->group; arr[4].elem = sizeof *d->group;
	arr[5].a = (void **)&d->line;  arr[5].elem = sizeof *d->line;
	arr[6].a = (void **)&d->row;   arr[6].elem = sizeof *d->row;
	for (size_t k = 0; k < 7 && !rc; k++)
		if (arr[k].elem)
			rc = ft_dist_move(arr[k].a, arr[k].elem, d->n, (size_t)row0, dest);
	if (rc) {
		rc = ft_error_set(err, rc, "out of memory");
		goto done;
	}
	d->n = p->n;
done:
	free(dest);
	return rc;
}

/* The rank that hashes file f of n: the one that reads it whole, or rank 0
 * for the byte ranges of one file. */
static int owner(size_t f, size_t n)
{
	size_t np = (size_t)ft_dist_np(), r = 0;

	if (n == 1)
		return 0;
	while (n * (r + 1) / np <= f)
		r++;
	return (int)r;
}

int ft_run_hash(const char *const *files, size_t n, char (*hex)[65], struct ft_error *err)
{
	int rc = 0;

	for (size_t f = 0; f < n; f++) {
		hex[f][0] = '\0';
		if (!rc && owner(f, n) == ft_dist_me())
			rc = ft_sha256_file(files[f], hex[f], err);
	}
	if ((rc = ft_dist_agree(rc, err)))
		return rc;
	for (size_t f = 0; f < n; f++)
		ft_dist_bcast(hex[f], 65, owner(f, n));
	return 0;
}

void ft_run_sum_stats(struct ft_encode_stats *st)
{
	uint64_t v[5] = {st->n_in, st->n_dropped, st->n_imputed, st->n_unseen,
	                 st->n_unseen_groups};

	ft_dist_sum_u64(v, 5);
	st->n_in = (size_t)v[0];
	st->n_dropped = (size_t)v[1];
	st->n_imputed = (size_t)v[2];
	st->n_unseen = (size_t)v[3];
	st->n_unseen_groups = (size_t)v[4];
}

size_t ft_run_rows(size_t n)
{
	uint64_t v = n;

	ft_dist_sum_u64(&v, 1);
	return (size_t)v;
}

/* Every rank's n elements of elem bytes, in rank order, on rank 0 (*all
 * NULL elsewhere; a NULL array stays NULL). */
static int gather0(const void *a, size_t n, size_t elem, void **all)
{
	size_t *off = NULL;
	int64_t absent = a == NULL;
	int rc;

	*all = NULL;
	ft_dist_max_i64(&absent, 1);
	if (absent)
		return 0;
	rc = ft_dist_gather0(a, n * elem, all, &off);
	free(off);
	return rc;
}

int ft_run_gather_eval(struct ft_eval_input *in, void *keep[5], struct ft_error *err)
{
	int rc = 0;

	for (int k = 0; k < 5; k++)
		keep[k] = NULL;
	if (!ft_dist_on())
		return 0;
	if ((rc = gather0(in->y, in->n, sizeof *in->y, &keep[0])) ||
	    (rc = gather0(in->score, in->n, sizeof *in->score, &keep[1])) ||
	    (rc = gather0(in->pos, in->n, sizeof *in->pos, &keep[2])) ||
	    (rc = gather0(in->w, in->n, sizeof *in->w, &keep[3])) ||
	    (rc = gather0(in->group, in->n, sizeof *in->group, &keep[4]))) {
		for (int k = 0; k < 5; k++) {
			free(keep[k]);
			keep[k] = NULL;
		}
		return ft_error_set(err, rc, "out of memory");
	}
	in->n = ft_run_rows(in->n);
	in->y = keep[0];
	in->score = keep[1];
	in->pos = keep[2];
	in->w = keep[3];
	in->group = keep[4];
	return 0;
}
