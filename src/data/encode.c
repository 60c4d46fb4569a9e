/*
 * encode.c - learn the preprocessing from a training table (struct
 * ft_encoder) and apply it to any table with the same columns (struct
 * ft_dataset): column roles, numeric/categorical type detection, sorted
 * categories, standardization, missing values, labels, weights and
 * (intersectional) groups; plus the libsvm export of a dataset.
 *
 * Numeric features become one dense block, standardized with the training
 * mean and population standard deviation (ddof 0, as scikit-learn's
 * StandardScaler); each categorical feature becomes one integer code per row,
 * the global index of its hot column, so no one-hot matrix is ever built.
 *
 * It does not read files (csv.c) or split rows (split.c), and it never
 * reaches back into parsing: everything it needs is in struct ft_table.
 *
 * Speed: a table cell is the id of its value in its column's list of
 * distinct values (struct ft_values), so everything that looks at text is
 * done once per distinct value: type detection and number parsing, label
 * matching, category and group lookups.  Fitting then counts value ids in
 * one pass over the row-major cells; encoding maps each cell through an
 * array indexed by value id.  Sums and error messages still follow the rows
 * in file order, so results are exactly those of a cell-by-cell scan (the
 * same doubles, the same first bad row).
 *
 * The encoder owns plain malloc'ed copies of every string, field by field,
 * so that a reader of model files can build one the same way and release it
 * with ft_encoder_free.
 *
 * Contract details the header leaves open:
 * - errors: a bad spec (unknown column, two roles, bad privileged group) is
 *   FT_EINVAL, unusable data (one class, one group, no rows, a missing
 *   column at apply time) FT_EDATA, a bad number FT_EPARSE ("file:line:");
 * - the positive label is stripped like the target values before comparing;
 * - type overrides name existing columns and act on features only;
 * - impute_cat is set for every categorical feature whatever the policy,
 *   because PREDICT always imputes; a constant numeric column gets mean =
 *   its value and sd = 1 exactly, so it standardizes to exactly 0;
 * - columns that are not features keep neutral values (mean 0, sd 1,
 *   offset 0, impute_cat -1, no categories; type numeric for the weight,
 *   categorical otherwise);
 * - PREDICT uses the weight column when present (a missing cell weighs 1),
 *   builds groups only when every sensitive column is present, and counts
 *   unseen groups in n_unseen_groups without dropping them;
 * - on failure *st is zeroed; libsvm writes an unknown label (y = -1) as 0;
 * - ranking: spec->query gets role drop (checked like the other roles);
 *   spec->numeric_target makes y the target's number (no positive label:
 *   the encoder has positive == NULL, which is how apply and a model file
 *   know), a bad number (or a relevance above 1000 in magnitude, whose
 *   NDCG gain overflows) is FT_EPARSE naming file:line, a missing one is
 *   dropped (TRAIN) or NaN (PREDICT); spec->raw_numeric stores mean 0 and
 *   sd 1 for every numeric feature, so values pass through unchanged;
 * - every dataset row records the table row it came from (d->row).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "core/dist.h"
#include "data/data.h"

/* Everything empty; missing_policy FT_MISSING_DROP. */
void ft_spec_init(struct ft_spec *s)
{
	memset(s, 0, sizeof *s);
	s->missing_policy = FT_MISSING_DROP;
}

/* ---------------------------------------------------------------- helpers */

static const char *role_name(int role)
{
	switch (role) {
	case FT_ROLE_TARGET: return "the target";
	case FT_ROLE_SENSITIVE: return "sensitive";
	case FT_ROLE_WEIGHT: return "the weight";
	case FT_ROLE_DROP: return "dropped";
	default: return "a feature";
	}
}


static int no_column(const struct ft_table *t, const char *name, int code,
                     struct ft_error *err)
{
	return ft_no_column(t, "", name, code, err);
}

/* Parse a weight cell: finite and >= 0, else an error naming file:line. */
static int parse_weight(const struct ft_table *t, size_t row, const char *col,
                        const char *v, double *w, struct ft_error *err)
{
	int r = ft_parse_double(v, w);

	if (r == 1)
		return ft_error_set(err, FT_EPARSE,
		                    "%s:%zu: column '%s': not a number '%s'",
		                    ft_table_row_path(t, row), t->line[row], col, v);
	if (r == 2)
		return ft_error_set(err, FT_EPARSE,
		                    "%s:%zu: column '%s': non-finite value '%s'",
		                    ft_table_row_path(t, row), t->line[row], col, v);
	if (*w < 0)
		return ft_error_set(err, FT_EDATA,
		                    "%s:%zu: column '%s': negative weight '%s'",
		                    ft_table_row_path(t, row), t->line[row], col, v);
	return 0;
}

/* Number statuses beyond ft_parse_double's: finite, but not once
 * standardized with the training mean and sd (apply); a relevance (numeric
 * target) above MAX_RELEVANCE in magnitude, whose NDCG gain 2^rel - 1
 * overflows (1e308 trained, then failed at save with a NaN metric; the
 * LETOR reader has the same bound). */
#define ST_TOO_LARGE 3
#define ST_RELEVANCE 4
#define MAX_RELEVANCE 1000.0

/* Row `row` of t has value v in column col that ft_parse_double rejected
 * with status st (1 not a number, 2 not finite), or that standardizes to
 * a non-finite number (ST_TOO_LARGE): the message. */
static int bad_number(const struct ft_table *t, size_t row, const char *col,
                      int st, const char *v, struct ft_error *err)
{
	if (st == ST_TOO_LARGE)
		return ft_error_set(err, FT_EDATA, "%s:%zu: column '%s': value '%s' "
		                    "is too large to standardize", t->path,
		                    t->line[row], col, v);
	if (st == ST_RELEVANCE)
		return ft_error_set(err, FT_EPARSE, "%s:%zu: column '%s': relevance "
		                    "'%s' is too large (at most %g: NDCG's gain 2^rel "
		                    "- 1 must stay finite)", t->path, t->line[row], col,
		                    v, MAX_RELEVANCE);
	return ft_error_set(err, FT_EPARSE, "%s:%zu: column '%s': %s '%s'",
	                    ft_table_row_path(t, row), t->line[row], col,
	                    st == 1 ? "not a number" : "non-finite value", v);
}

/* ft_parse_double of every distinct value of a column, once: st[id] is its
 * result (0 finite, 1 not a number, 2 not finite) and x[id] the number.
 * Both arrays are allocated here; the caller frees them, also on failure. */
static int parse_values(const struct ft_values *v, double **x,
                        unsigned char **st)
{
	*x = ft_xalloc(v->n, sizeof **x);
	*st = ft_xalloc(v->n, 1);
	if (!*x || !*st)
		return FT_ENOMEM;
	for (size_t id = 0; id < v->n; id++) {
		(*x)[id] = 0;
		(*st)[id] = (unsigned char)ft_parse_double(v->str[id], &(*x)[id]);
	}
	return 0;
}

/* Mark the relevances (numeric target values) out of range. */
static void relevance_range(const struct ft_values *v, const double *x,
                            unsigned char *st)
{
	for (size_t id = 0; id < v->n; id++)
		if (!st[id] && fabs(x[id]) > MAX_RELEVANCE)
			st[id] = ST_RELEVANCE;
}

/* ------------------------------------------------------------------- fit */

static int has_null(char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i])
			return 1;
	return 0;
}

/* Parameters checked up front: NULL when fine, else a static message. */
static const char *check_spec(const struct ft_spec *s)
{
	if (!s)
		return "no column spec given";
	if (!s->target || !*s->target)
		return "no target column given";
	if (s->numeric_target && s->positive)
		return "a numeric target takes no positive label";
	if (!s->numeric_target && (!s->positive || !*s->positive))
		return "no positive label given";
	if (s->query && !*s->query)
		return "empty query column name";
	if ((s->n_sensitive && !s->sensitive) || (s->n_drop && !s->drop) ||
	    (s->n_categorical && !s->categorical) || (s->n_numeric && !s->numeric) ||
	    has_null(s->sensitive, s->n_sensitive) || has_null(s->drop, s->n_drop) ||
	    has_null(s->categorical, s->n_categorical) ||
	    has_null(s->numeric, s->n_numeric))
		return "column name list missing or with a NULL name";
	if (s->missing_policy != FT_MISSING_DROP &&
	    s->missing_policy != FT_MISSING_IMPUTE)
		return "unknown missing-value policy";
	if (s->privileged && !s->n_sensitive)
		return "a privileged group needs sensitive columns";
	return NULL;
}

/* Give column `name` the role `role`; one role per column. */
static int assign_role(const struct ft_table *t, int *role, const char *name,
                       int r, long *col, struct ft_error *err)
{
	long j = ft_table_col(t, name);

	if (j < 0)
		return no_column(t, name, FT_EINVAL, err);
	if (role[j] == r)
		return ft_error_set(err, FT_EINVAL,
		                    "%s: column '%s' is listed twice as %s",
		                    t->path, name, role_name(r));
	if (role[j] != FT_ROLE_FEATURE)
		return ft_error_set(err, FT_EINVAL,
		                    "%s: column '%s' cannot be both %s and %s",
		                    t->path, name, role_name(role[j]), role_name(r));
	role[j] = r;
	if (col)
		*col = j;
	return 0;
}

/* Type overrides: 'c' or 'n' per column. */
static int assign_force(const struct ft_table *t, char *force, char **names,
                        size_t n, char kind, struct ft_error *err)
{
	for (size_t i = 0; i < n; i++) {
		long j = ft_table_col(t, names[i]);
		if (j < 0)
			return no_column(t, names[i], FT_EINVAL, err);
		if (force[j] && force[j] != kind)
			return ft_error_set(err, FT_EINVAL,
			                    "%s: column '%s' cannot be both categorical and numeric",
			                    t->path, names[i]);
		force[j] = kind;
	}
	return 0;
}

/* Fitting state of one feature column of the training table.  A first
 * pass over the rows counts each column's value ids (fit_counts); type
 * detection then looks at each distinct value once (fit_feature); numeric
 * columns are summed row by row (fit_numeric). */
struct fitcol {
	struct ft_column *c;
	size_t j;                /* table column */
	char force;              /* type override: 'c', 'n' or 0 */
	size_t *count;           /* value id -> training rows that have it */
	size_t n;                /* training rows with a value */
	double *xv;              /* numeric: value id -> its number */
	double sum, ss, lo, hi, mean;  /* numeric: sums over those rows */
};

/* Learn the numeric features among fc[0..n_fc): mean and population sd.
 * Exact sums (struct ft_xsum) over each column's distinct values, each
 * value times its count among the used rows: the sum of the column's
 * values, rounded once, whatever the order of the rows or how they are
 * split over the ranks of a distributed run (the sums are merged over the
 * ranks, collectively).  mean = sum / n; then the exact sum of the
 * rounded squared deviations (x - mean)^2, so sd = sqrt(ss / n): two
 * passes rather than sum of squares minus square of sum, which cancels
 * catastrophically.  f->n is the column's used rows over every rank.
 * Values near +-1e308 are finite but their sum or squares are not:
 * refused here, naming the column and which sum overflowed (else they
 * became "feature 2 is -nan" in the solver), unless raw
 * (spec->raw_numeric: no standardization, nothing summed is used). */
static int fit_numeric(const struct ft_table *t, const unsigned char *use,
                       struct fitcol *fc, size_t n_fc, int raw, struct ft_error *err)
{
	struct ft_xsum *acc = ft_xalloc(n_fc, sizeof *acc);
	double *lo = ft_xalloc(n_fc, sizeof *lo), *hi = ft_xalloc(n_fc, sizeof *hi);
	int64_t *ovf = calloc(n_fc ? n_fc : 1, sizeof *ovf);
	int rc = !acc || !lo || !hi || !ovf ? FT_ENOMEM : 0;

	if ((rc = ft_dist_agree(rc, NULL)))
		goto done;
	for (int pass = 0; pass < 2 && !rc; pass++) {
		/* each column's sums alone (exact, so the same on any thread);
		 * the columns stored as numbers are a pass over their rows each */
		#pragma omp parallel for schedule(dynamic, 1) \
			if (t->num && ft_parallel_worth(t->n_rows * n_fc))
		for (size_t q = 0; q < n_fc; q++) {
			const struct ft_values *v = &t->vals[fc[q].j];
			ft_xsum_init(&acc[q]);
			lo[q] = INFINITY;   /* all values are finite */
			hi[q] = -INFINITY;
			if (fc[q].c->type != FT_NUMERIC)
				continue;
			if (t->num && t->num[fc[q].j]) {
				/* stored as numbers: the same exact sums, row by row */
				const double *xs = t->num[fc[q].j];
				double l = INFINITY, h = -INFINITY, mean = fc[q].mean;
				double blk[FT_XSUM_BLOCK];
				size_t nb = 0;
				struct ft_xsum a;
				int64_t o = 0;
				/* locals: the threads' columns share cache lines; the
				 * terms go to the sum a block at a time */
				ft_xsum_init(&a);
				for (size_t i = 0; i < t->n_rows; i++) {
					double x = xs[i];
					if (!use[i] || isnan(x))
						continue;
					if (pass == 0) {
						blk[nb++] = x;
						l = x < l ? x : l;
						h = x > h ? x : h;
					} else {
						double d2 = (x - mean) * (x - mean);
						if (isfinite(d2))
							blk[nb++] = d2;
						else
							o = 1;
					}
					if (nb == FT_XSUM_BLOCK) {
						ft_xsum_add_block(&a, blk, nb);
						nb = 0;
					}
				}
				ft_xsum_add_block(&a, blk, nb);
				acc[q] = a;
				lo[q] = l;
				hi[q] = h;
				ovf[q] |= o;
				continue;
			}
			for (size_t id = 0; id < v->n; id++) {
				double x = fc[q].xv[id];
				if (!fc[q].count[id])
					continue;
				if (pass == 0) {
					ft_xsum_add_n(&acc[q], x, fc[q].count[id]);
					lo[q] = x < lo[q] ? x : lo[q];
					hi[q] = x > hi[q] ? x : hi[q];
				} else {
					double d2 = (x - fc[q].mean) * (x - fc[q].mean);
					/* a square beyond the doubles (|x| near 1e308):
					 * the sum of squares overflows (reported below) */
					if (isfinite(d2))
						ft_xsum_add_n(&acc[q], d2, fc[q].count[id]);
					else
						ovf[q] = 1;
				}
			}
		}
		if ((rc = ft_dist_agree(ft_xsum_dist(acc, n_fc), NULL)))
			break;
		if (pass == 0) {
			ft_dist_min_double(lo, n_fc);
			ft_dist_max_double(hi, n_fc);
			for (size_t q = 0; q < n_fc; q++) {
				fc[q].lo = lo[q];
				fc[q].hi = hi[q];
				fc[q].sum = ft_xsum_round(&acc[q]);
				fc[q].mean = fc[q].sum / (double)fc[q].n;
			}
		} else {
			ft_dist_max_i64(ovf, n_fc);
			for (size_t q = 0; q < n_fc; q++)
				fc[q].ss = ovf[q] ? INFINITY : ft_xsum_round(&acc[q]);
		}
	}
	if (rc)
		goto done;
	for (size_t q = 0; q < n_fc; q++) {
		struct fitcol *f = &fc[q];
		struct ft_column *c = f->c;
		if (c->type != FT_NUMERIC)
			continue;
		if (!raw && f->lo != f->hi && (!isfinite(f->sum) || !isfinite(f->ss))) {
			/* the sums are every rank's: the same on every rank */
			rc = ft_error_set(err, FT_EDATA, "%s: column '%s': values too "
			                  "large to standardize (%s overflows)", t->path,
			                  c->name, isfinite(f->sum) ? "sum of squares" :
			                  "sum");
			goto done;
		}
		if (f->lo == f->hi) {
			/* A constant column: decide exactly rather than by a
			 * rounded variance, so every value standardizes to
			 * exactly 0. */
			c->mean = f->lo;
			c->sd = 1;
		} else {
			c->mean = f->mean;
			c->sd = sqrt(f->ss / (double)f->n);
			if (!(c->sd > 0))
				c->sd = 1;
		}
	}
done:
	free(acc);
	free(lo);
	free(hi);
	free(ovf);
	return rc;
}

/* Learn one categorical feature from the counts of its values (value id ->
 * occurrences in the training rows, on every rank): the values that occur,
 * sorted, and the most frequent one (for imputation; ties go to the first
 * in sorted order).  Collective. */
static int fit_categorical(const struct ft_values *v, const size_t *count,
                           struct ft_column *c)
{
	size_t *cnt = NULL, m = 0, best = 0;
	int rc;

	if ((rc = ft_enc_merge_values(v, count, &c->cats, &cnt, &m)))
		return rc;
	c->type = FT_CATEGORICAL;
	c->n_cats = m;
	for (size_t k = 0; k < m; k++)
		if (cnt[k] > best) {
			best = cnt[k];
			c->impute_cat = (long)k;
		}
	free(cnt);
	return 0;
}

/* Type detection of the features from their counts: each distinct value
 * that occurs in the training rows is parsed once; whether some value of a
 * column is not a number, or not a finite one, is then decided over every
 * rank (collectively).  A categorical feature is fitted here; a numeric
 * one keeps its parsed values in f->xv and sets c->type, and fit_numeric
 * does the rest.  Errors come in column order; f->n becomes the count over
 * every rank. */
static int fit_features(const struct ft_table *t, const unsigned char *use,
                        struct fitcol *fc, size_t n_fc, struct ft_error *err)
{
	int64_t *fl = ft_xalloc(2 * n_fc, sizeof *fl);  /* per column: a value is
	                                                   not a number; not a
	                                                   finite number */
	uint64_t *nn = ft_xalloc(n_fc, sizeof *nn);
	unsigned char **st = calloc(n_fc ? n_fc : 1, sizeof *st);
	int rc = !fl || !nn || !st;

	for (size_t q = 0; q < n_fc && !rc; q++) {
		struct fitcol *f = &fc[q];
		const struct ft_values *v = &t->vals[f->j];
		nn[q] = f->n;
		fl[2 * q] = fl[2 * q + 1] = 0;
		if (f->force == 'c')
			continue;
		f->xv = ft_xalloc(v->n, sizeof *f->xv);
		st[q] = ft_xalloc(v->n, 1);
		if (!f->xv || !st[q]) {
			rc = 1;
			break;
		}
		for (size_t k = 0; k < v->n; k++) {
			st[q][k] = 0;
			if (!f->count[k])
				continue;
			st[q][k] = (unsigned char)ft_parse_double(v->str[k], &f->xv[k]);
			fl[2 * q] |= st[q][k] == 1;
			fl[2 * q + 1] |= st[q][k] != 0;
			if (fl[2 * q] && f->force != 'n')
				break;  /* categorical for sure; the scan is done */
		}
	}
	if ((rc = ft_dist_agree(rc ? ft_error_set(err, FT_ENOMEM, "%s: out of memory",
	                                          t->path) : 0, err)))
		goto done;
	ft_dist_sum_u64(nn, n_fc);
	ft_dist_max_i64(fl, 2 * n_fc);
	for (size_t q = 0; q < n_fc; q++) {
		struct fitcol *f = &fc[q];
		const struct ft_values *v = &t->vals[f->j];
		struct ft_column *c = f->c;
		int mine = 0;
		if ((f->n = (size_t)nn[q]) == 0) {
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: column '%s' has no values in the training rows",
			                  t->path, c->name);
			goto done;
		}
		if (f->force == 'c' || (f->force != 'n' && fl[2 * q])) {
			if (fit_categorical(v, f->count, c) != 0) {
				rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
				goto done;
			}
			continue;
		}
		if (!fl[2 * q + 1]) {
			c->type = FT_NUMERIC;
			continue;
		}
		/* numeric, by detection or by force: every value must be
		 * finite, and the first training row with a bad one is named
		 * (the first rank that has one) */
		for (size_t i = 0; i < t->n_rows && !mine; i++) {
			uint32_t id = ft_cell_id(t, i, f->j);
			if (use[i] && id != FT_MISSING && st[q][id])
				mine = bad_number(t, i, c->name, st[q][id], v->str[id], err);
		}
		rc = ft_dist_agree(mine, err);
		goto done;
	}
done:
	for (size_t q = 0; st && q < n_fc; q++)
		free(st[q]);
	free(st);
	free(fl);
	free(nn);
	return rc;
}

/* The rows used for fitting (use[i], returns how many, or (size_t)-1 when
 * out of memory) and, over them, the counts of each feature's value ids:
 * one pass over the row-major cells.
 * req[0..n_req) are the columns a used row must have: target, groups and
 * weight are never imputed; features are, unless the policy drops their
 * rows. */
static size_t fit_counts(const struct ft_table *t, const size_t *req,
                         size_t n_req, unsigned char *use, struct fitcol *fc,
                         size_t n_fc)
{
	size_t n_use = 0;

	/* columns of text first (counts by value id); a column stored as
	 * numbers needs only its count, taken afterwards column by column */
	size_t n_text = 0, at = n_fc;
	struct fitcol **f = ft_xalloc(n_fc, sizeof *f);
	/* where each column's cell is in a row (ft_cell_pos) */
	uint32_t *rpos = ft_xalloc(n_req + n_fc, sizeof *rpos), *fpos = rpos + n_req;

	if (!f || !rpos) {
		free(f);
		free(rpos);
		return (size_t)-1;
	}
	for (size_t q = 0; q < n_fc; q++)
		if (t->num && t->num[fc[q].j])
			f[--at] = &fc[q];
		else
			f[n_text++] = &fc[q];
	for (size_t q = 0; q < n_req; q++)
		rpos[q] = ft_cell_pos(t, req[q]);
	for (size_t q = 0; q < n_text; q++)
		fpos[q] = ft_cell_pos(t, f[q]->j);
	for (size_t i = 0; i < t->n_rows; i++) {
		const uint32_t *row = ft_cell_row(t, i);
		int ok = 1;
		for (size_t q = 0; q < n_req && ok; q++)
			ok = ft_cell_in(t, row, i, req[q], rpos[q]) != FT_MISSING;
		use[i] = (unsigned char)ok;
		if (!ok)
			continue;
		n_use++;
		for (size_t q = 0; q < n_text; q++) {
			uint32_t id = row[fpos[q]];
			if (id != FT_MISSING) {
				f[q]->count[id]++;
				f[q]->n++;
			}
		}
	}
	for (size_t q = n_text; q < n_fc; q++) {
		const double *x = t->num[f[q]->j];
		size_t n = 0;
		for (size_t i = 0; i < t->n_rows; i++)
			n += use[i] && x[i] == x[i];
		f[q]->n = n;
	}
	free(f);
	free(rpos);
	return n_use;
}

/* The target: the positive label must occur and so must another one.  The
 * label of each distinct value is decided once; a used row never has a
 * missing target (use excludes those).  Counts over every rank
 * (collective). */
static int fit_target(const struct ft_table *t, size_t j,
                      const unsigned char *use, const struct ft_spec *s,
                      struct ft_error *err)
{
	const struct ft_values *v = &t->vals[j];
	size_t pl = ft_label_len(s->positive, s->label_strip);
	uint64_t cnt[2] = {0, 0};         /* used rows, positives */
	unsigned char *pos = ft_xalloc(v->n, 1);
	char list[200];
	int rc = pos ? 0 : FT_ENOMEM, more = 0;

	if ((rc = ft_dist_agree(rc, NULL)))
		goto done;
	for (size_t id = 0; id < v->n; id++)
		pos[id] = ft_label_len(v->str[id], s->label_strip) == pl &&
		          memcmp(v->str[id], s->positive, pl) == 0;
	for (size_t i = 0; i < t->n_rows; i++) {
		if (!use[i])
			continue;
		cnt[0]++;
		cnt[1] += pos[ft_cell_id(t, i, j)];
	}
	ft_dist_sum_u64(cnt, 2);
	if (cnt[1] > 0 && cnt[1] < cnt[0])
		goto done;
	if (cnt[1] == cnt[0] && pl < strlen(s->positive)) {
		/* one class only because stripping, which cuts into the positive
		 * label itself, made different labels equal (--label-strip yesno:
		 * 'yes' and 'no' both become ''): say so, with the first two
		 * values (over every rank, in row order) */
		char l1[200];
		int m1 = 0;
		if ((rc = ft_enc_first_values(t, j, use, 1, l1, sizeof l1, &m1)) ||
		    (rc = ft_enc_first_values(t, j, use, 2, list, sizeof list, &more)))
			goto done;
		if (strlen(list) > strlen(l1) + 2) {
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: column '%s' has only one class after "
			                  "stripping '%s' from the end of the labels (%s "
			                  "and %s both become '%.*s')", t->path, s->target,
			                  s->label_strip, l1, list + strlen(l1) + 2, (int)pl,
			                  s->positive);
			goto done;
		}
	}
	if (cnt[1] == cnt[0]) {
		rc = ft_error_set(err, FT_EDATA,
		                  "%s: column '%s' has only one class in the training rows (all '%s')",
		                  t->path, s->target, s->positive);
		goto done;
	}
	/* The positive label never occurs: list what does, since the usual
	 * cause is a missing label_strip ('>50K.' vs '>50K'). */
	if ((rc = ft_enc_first_values(t, j, use, 8, list, sizeof list, &more)))
		goto done;
	rc = ft_error_set(err, FT_EDATA,
	                  "%s: positive label '%s' does not occur in column '%s' (values: %s%s)",
	                  t->path, s->positive, s->target, list, more ? ", ..." : "");
done:
	free(pos);
	if (rc == FT_ENOMEM)
		ft_error_set(err, rc, "%s: out of memory", t->path);
	return rc;
}

/* The numbers of the used rows of column j, a numeric target or the
 * weight: finite, and for a weight also >= 0 and not all zero.  Each
 * distinct value is parsed once; rows are visited in order, so the first
 * bad row is the one named (of the first rank that has one). */
static int fit_numbers(const struct ft_table *t, size_t j,
                       const unsigned char *use, const char *name, int weight,
                       struct ft_error *err)
{
	const struct ft_values *v = &t->vals[j];
	double w, *wx = NULL;
	int64_t any_pos = 0;
	unsigned char *st = NULL;
	int rc = 0;

	if (parse_values(v, &wx, &st) != 0)
		rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
	else if (!weight)
		relevance_range(v, wx, st);
	for (size_t i = 0; i < t->n_rows && !rc; i++) {
		uint32_t id;
		if (!use[i])
			continue;
		id = ft_cell_id(t, i, j);
		if (weight && (st[id] || wx[id] < 0))
			/* the message comes from the one place that words it */
			rc = parse_weight(t, i, name, v->str[id], &w, err);
		else if (st[id])
			rc = bad_number(t, i, name, st[id], v->str[id], err);
		else
			any_pos |= wx[id] > 0;
	}
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	/* weights >= 0: they sum to zero exactly when none is positive */
	ft_dist_max_i64(&any_pos, 1);
	if (weight && !any_pos)
		rc = ft_error_set(err, FT_EDATA,
		                  "%s: column '%s': weights sum to zero", t->path, name);
done:
	free(wx);
	free(st);
	return rc;
}

/* A group name is stored in every row of a comparison (model files,
 * results.h5) and printed in every table: a sensitive value longer than
 * this is refused (issue 12: a 1 MB value made a 65 MB model file). */
#define GROUP_VALUE_MAX 1024

/* Groups: each sensitive column needs two values, each at most
 * GROUP_VALUE_MAX bytes; group names are the observed combinations,
 * sorted.  Used rows have no missing sensitive cell.  Over every rank
 * (collective). */
static int fit_groups(const struct ft_table *t, const long *scol,
                      const unsigned char *use, const struct ft_spec *s,
                      struct ft_encoder *e, struct ft_error *err)
{
	struct ft_strmap m;
	int rc = 0;

	memset(&m, 0, sizeof m);
	for (size_t k = 0; k < s->n_sensitive; k++) {
		char *first = NULL;
		int two = 0;
		size_t j = (size_t)scol[k];
		if ((rc = ft_enc_first_value(t, j, use, &first, &two)))
			goto nomem;
		/* each rank its own rows; the first bad row of the first rank
		 * that has one is named */
		for (size_t i = 0; i < t->n_rows && !rc; i++) {
			const char *v;
			if (!use[i])
				continue;
			v = t->vals[j].str[ft_cell_id(t, i, j)];
			if (strlen(v) > GROUP_VALUE_MAX)
				rc = ft_error_set(err, FT_EDATA, "%s:%zu: sensitive column '%s': "
				                  "a value of %zu bytes; a group name is at most %d "
				                  "(is this the sensitive column?)", t->path,
				                  t->line ? t->line[i] : i + 1, s->sensitive[k],
				                  strlen(v), GROUP_VALUE_MAX);
		}
		if ((rc = ft_dist_agree(rc, err))) {
			free(first);
			goto done;
		}
		if (!two)
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: sensitive column '%s' has only one value ('%s') in the training rows",
			                  t->path, s->sensitive[k], first ? first : "");
		free(first);
		if (rc)
			goto done;
	}
	rc = ft_strmap_init(&m) || ft_group_ids(t, scol, s->n_sensitive, use, NULL, &m);
	if ((rc = ft_dist_agree(rc ? FT_ENOMEM : 0, NULL)) ||
	    (rc = ft_enc_merge_keys(&m, &e->group_names, &e->n_groups)))
		goto nomem;
	if (s->privileged) {
		char list[320];
		size_t at = 0;
		for (size_t g = 0; g < e->n_groups; g++)
			if (strcmp(e->group_names[g], s->privileged) == 0)
				goto done;
		list[0] = '\0';
		for (size_t g = 0; g < e->n_groups && at + 8 < sizeof list; g++) {
			int w = snprintf(list + at, sizeof list - at, "%s%s",
			                 g ? ", " : "", e->group_names[g]);
			at = at + (size_t)w < sizeof list ? at + (size_t)w : sizeof list;
		}
		rc = ft_error_set(err, FT_EINVAL,
		                  "%s: privileged group '%s' is not one of the groups: %s",
		                  t->path, s->privileged, list);
	}
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	ft_strmap_free(&m);
	return rc;
}

/* Feature layout: numeric columns first, then one block per categorical
 * column, both in input order; names "age" and "workclass=Private". */
static int layout(struct ft_encoder *e)
{
	size_t k = 0;

	for (size_t j = 0; j < e->n_cols; j++) {
		struct ft_column *c = &e->cols[j];
		if (ft_column_is_feature(e, c) && c->type == FT_NUMERIC) {
			c->offset = k++;
			e->n_num++;
		}
	}
	for (size_t j = 0; j < e->n_cols; j++) {
		struct ft_column *c = &e->cols[j];
		if (ft_column_is_feature(e, c) && c->type == FT_CATEGORICAL) {
			c->offset = k;
			k += c->n_cats;
			e->n_cat++;
		}
	}
	/* dataset codes are int32 */
	if (k >= INT32_MAX)
		return FT_EDATA;
	e->n_features = k;
	e->feature_names = calloc(k ? k : 1, sizeof *e->feature_names);
	if (!e->feature_names)
		return FT_ENOMEM;
	for (size_t j = 0; j < e->n_cols; j++) {
		struct ft_column *c = &e->cols[j];
		if (!ft_column_is_feature(e, c))
			continue;
		if (c->type == FT_NUMERIC) {
			if (!(e->feature_names[c->offset] = ft_strdup(c->name)))
				return FT_ENOMEM;
			continue;
		}
		for (size_t q = 0; q < c->n_cats; q++) {
			size_t l = strlen(c->name) + strlen(c->cats[q]) + 2;
			char *s = malloc(l);
			if (!s)
				return FT_ENOMEM;
			snprintf(s, l, "%s=%s", c->name, c->cats[q]);
			e->feature_names[c->offset + q] = s;
		}
	}
	return 0;
}

/* A column the encoder reads as text (a role, a categorical feature) but
 * stored as numbers: the loader turns such columns into text first
 * (ft_table_text), so this is a caller's mistake. */
static int num_as_text(const struct ft_table *t, size_t j, struct ft_error *err)
{
	return ft_error_set(err, FT_EINVAL, "%s: column '%s' is stored as numbers "
	                    "but read as text (ft_table_text it first)", t->path,
	                    t->names[j]);
}

/* Learn everything from the rows of t that the policy keeps.  Order of
 * checks: spec, roles, rows left, target classes, weights, feature types,
 * groups.  On failure *out is NULL. */
int ft_encoder_fit(const struct ft_table *t, const struct ft_spec *s,
                   struct ft_encoder **out, struct ft_error *err)
{
	struct ft_encoder *e = NULL;
	int *role = NULL;
	char *force = NULL;
	unsigned char *use = NULL;
	struct fitcol *fc = NULL;
	size_t *req = NULL, n_fc = 0, n_req = 0;
	long tcol = -1, wcol = -1, *scol = NULL;
	size_t nc = t->n_cols, n_use = 0;
	const char *msg;
	int rc = 0;

	*out = NULL;
	if ((msg = check_spec(s)) != NULL) {
		rc = ft_error_set(err, FT_EINVAL, "%s: %s", t->path, msg);
		goto agreed;
	}
	role = calloc(nc, sizeof *role);
	force = calloc(nc, 1);
	use = calloc(t->n_rows ? t->n_rows : 1, 1);
	scol = ft_xalloc(s->n_sensitive, sizeof *scol);
	fc = calloc(nc ? nc : 1, sizeof *fc);
	req = ft_xalloc(nc, sizeof *req);
	if (!role || !force || !use || !scol || !fc || !req)
		goto agreed_nomem;

	/* Roles by name; FT_ROLE_FEATURE is 0, so unnamed columns are
	 * features. */
	if ((rc = assign_role(t, role, s->target, FT_ROLE_TARGET, &tcol, err)))
		goto agreed;
	for (size_t k = 0; k < s->n_sensitive; k++)
		if ((rc = assign_role(t, role, s->sensitive[k], FT_ROLE_SENSITIVE,
		                      &scol[k], err)))
			goto agreed;
	if (s->weight &&
	    (rc = assign_role(t, role, s->weight, FT_ROLE_WEIGHT, &wcol, err)))
		goto agreed;
	for (size_t k = 0; k < s->n_drop; k++)
		if ((rc = assign_role(t, role, s->drop[k], FT_ROLE_DROP, NULL, err)))
			goto agreed;
	if (s->query &&
	    (rc = assign_role(t, role, s->query, FT_ROLE_DROP, NULL, err)))
		goto agreed;
	if ((rc = assign_force(t, force, s->categorical, s->n_categorical, 'c', err)) ||
	    (rc = assign_force(t, force, s->numeric, s->n_numeric, 'n', err)))
		goto agreed;

	for (size_t j = 0; t->num && j < nc; j++)
		if (t->num[j] && ((role[j] != FT_ROLE_FEATURE && role[j] != FT_ROLE_DROP) ||
		                  force[j] == 'c')) {
			rc = num_as_text(t, j, err);
			goto agreed;
		}

	e = calloc(1, sizeof *e);
	if (!e)
		goto agreed_nomem;
	e->cols = calloc(nc ? nc : 1, sizeof *e->cols);
	if (!e->cols)
		goto agreed_nomem;
	e->n_cols = nc;
	e->missing_policy = s->missing_policy;
	e->use_sensitive = s->use_sensitive != 0;
	for (size_t j = 0; j < nc; j++) {
		struct ft_column *c = &e->cols[j];
		c->role = role[j];
		c->type = role[j] == FT_ROLE_WEIGHT ? FT_NUMERIC : FT_CATEGORICAL;
		c->sd = 1;
		c->impute_cat = -1;
		if (!(c->name = ft_strdup(t->names[j])))
			goto agreed_nomem;
	}
	if (!(e->target = ft_strdup(s->target)) ||
	    (!s->numeric_target && !(e->positive = ft_strdup(s->positive))) ||
	    (s->label_strip && !(e->label_strip = ft_strdup(s->label_strip))) ||
	    (s->privileged && !(e->privileged = ft_strdup(s->privileged))) ||
	    (s->weight && !(e->weight = ft_strdup(s->weight))) ||
	    !(e->sensitive = ft_strv_copy(s->sensitive, s->n_sensitive)))
		goto agreed_nomem;
	e->n_sensitive = s->n_sensitive;

	/* Rows used for fitting: target, groups and weight are never imputed;
	 * features are, unless the policy drops their rows.  Feature values
	 * are counted in the same pass. */
	for (size_t j = 0; j < nc; j++) {
		int imputable = role[j] == FT_ROLE_FEATURE &&
		                s->missing_policy == FT_MISSING_IMPUTE;
		if (role[j] != FT_ROLE_DROP && !imputable)
			req[n_req++] = j;
		if (!ft_column_is_feature(e, &e->cols[j]))
			continue;
		fc[n_fc].c = &e->cols[j];
		fc[n_fc].j = j;
		fc[n_fc].force = force[j];
		if (!(fc[n_fc++].count = calloc(t->vals[j].n ? t->vals[j].n : 1,
		                                sizeof *fc->count)))
			goto agreed_nomem;
	}
	goto agreed;
agreed_nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
agreed:
	/* a distributed run goes on together or not at all */
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	n_use = fit_counts(t, req, n_req, use, fc, n_fc);
	if (ft_dist_agree(n_use == (size_t)-1 ? ft_error_set(err, FT_ENOMEM, "%s: out of "
	                                                    "memory", t->path) : 0, err)) {
		rc = FT_ENOMEM;
		goto done;
	}
	/* counted over every rank of a distributed run, as every statistic
	 * below (each step collective, its errors agreed) */
	{
		uint64_t cnt[2] = {n_use, t->n_rows};
		ft_dist_sum_u64(cnt, 2);
		if (cnt[0] == 0) {
			rc = ft_error_set(err, FT_EDATA,
			                  "%s: no rows left after dropping %llu rows with missing values",
			                  t->path, (unsigned long long)cnt[1]);
			goto done;
		}
	}

	if (s->numeric_target)
		rc = fit_numbers(t, (size_t)tcol, use, s->target, 0, err);
	else
		rc = fit_target(t, (size_t)tcol, use, s, err);
	if (rc)
		goto done;
	if (wcol >= 0 && (rc = fit_numbers(t, (size_t)wcol, use, s->weight, 1, err)))
		goto done;
	if ((rc = fit_features(t, use, fc, n_fc, err)))
		goto done;
	if ((rc = fit_numeric(t, use, fc, n_fc, s->raw_numeric, err)) != 0) {
		if (rc == FT_ENOMEM)
			ft_error_set(err, rc, "%s: out of memory", t->path);
		goto done;
	}
	if (s->raw_numeric)
		for (size_t q = 0; q < n_fc; q++)
			if (fc[q].c->type == FT_NUMERIC) {
				fc[q].c->mean = 0;
				fc[q].c->sd = 1;
			}
	if (s->n_sensitive && (rc = fit_groups(t, scol, use, s, e, err)))
		goto done;
	if ((rc = layout(e)) != 0)
		rc = rc == FT_ENOMEM ? ft_error_set(err, rc, "%s: out of memory", t->path)
		     : ft_error_set(err, rc, "%s: too many features", t->path);
	if ((rc = ft_dist_agree(rc, err)))
		goto done;
	*out = e;
	e = NULL;
done:
	ft_encoder_free(e);
	free(role);
	free(force);
	free(use);
	free(scol);
	if (fc)
		for (size_t q = 0; q < n_fc; q++) {
			free(fc[q].count);
			free(fc[q].xv);
		}
	free(fc);
	free(req);
	return rc;
}

void ft_encoder_free(struct ft_encoder *e)
{
	if (!e)
		return;
	if (e->cols) {
		for (size_t j = 0; j < e->n_cols; j++) {
			free(e->cols[j].name);
			ft_strv_free(e->cols[j].cats, e->cols[j].n_cats);
		}
		free(e->cols);
	}
	ft_strv_free(e->feature_names, e->n_features);
	free(e->target);
	free(e->positive);
	free(e->label_strip);
	ft_strv_free(e->sensitive, e->n_sensitive);
	ft_strv_free(e->group_names, e->n_groups);
	free(e->privileged);
	free(e->weight);
	free(e);
}

/* ----------------------------------------------------------------- apply */

/* One feature of the encoder as found in the table being encoded, with its
 * encoding decided once per distinct value of the table column; rows then
 * only index these arrays by value id. */
struct feat {
	const struct ft_column *c;
	size_t tcol;             /* table column */
	uint32_t pos;            /* its cell in a row of cells (ft_cell_pos) */
	int32_t *code;           /* categorical: value id -> hot column, or -1 (unseen) */
	int32_t impute;          /* categorical: the code of a missing cell */
	double *x;               /* numeric: value id -> standardized value */
	unsigned char *st;       /* numeric: value id -> ft_parse_double's result */
};

/* Per-call state of ft_encoder_apply. */
struct apply {
	struct feat *f;          /* the features, in encoder column order */
	size_t n_f;
	struct ft_strmap cats;   /* scratch: one feature's category -> index */
	long *scol;              /* table columns of the sensitive columns */
	int have_groups;
	long target, weight;
	unsigned char *ypos;     /* target value id -> 1 when the positive label */
	double *yx;              /* numeric target: value id -> its number */
	unsigned char *yst;      /* numeric target: value id -> ft_parse_double's result */
	double *wx;              /* weight value id -> weight */
	unsigned char *wst;      /* weight value id -> ft_parse_double's result */
};

/* The per-value arrays of feature f in table t. */
static int prepare_feat(const struct ft_table *t, struct apply *a,
                        struct feat *f)
{
	const struct ft_column *c = f->c;
	const struct ft_values *v = &t->vals[f->tcol];

	if (t->num && t->num[f->tcol] && c->type != FT_NUMERIC)
		return FT_EINVAL;
	if (c->type == FT_NUMERIC && t->num && t->num[f->tcol])
		return 0;  /* standardized row by row */
	if (c->type == FT_NUMERIC) {
		if (parse_values(v, &f->x, &f->st) != 0)
			return FT_ENOMEM;
		for (size_t id = 0; id < v->n; id++)
			if (f->st[id] == 0) {
				f->x[id] = (f->x[id] - c->mean) / c->sd;
				if (!isfinite(f->x[id]))
					f->st[id] = ST_TOO_LARGE;
			}
		return 0;
	}
	f->impute = c->impute_cat < 0 ? -1 : (int32_t)(c->offset + (size_t)c->impute_cat);
	f->code = ft_xalloc(v->n, sizeof *f->code);
	ft_strmap_free(&a->cats);
	if (!f->code || ft_strmap_init(&a->cats) != 0)
		return FT_ENOMEM;
	for (size_t q = 0; q < c->n_cats; q++)
		if (ft_strmap_put(&a->cats, c->cats[q], strlen(c->cats[q]),
		                  NULL) != (long)q)
			return FT_ENOMEM;
	for (size_t id = 0; id < v->n; id++) {
		long q = ft_strmap_get(&a->cats, v->str[id], v->len[id]);
		f->code[id] = q < 0 ? -1 : (int32_t)(c->offset + (size_t)q);
	}
	return 0;
}

/* Encode t row by row in one pass; rows dropped in TRAIN mode leave no
 * trace but the counts.  Everything that looks at text (parsing, labels,
 * category and group lookups) is done first, once per distinct value of
 * each column; the row loop only maps value ids through arrays, in the
 * order of the old cell-by-cell loop, so that the same error comes first.
 * On failure *out is NULL. */
int ft_encode_none_left(const char *path, const struct ft_encode_stats *st,
                        struct ft_error *err)
{
	if (st->n_unseen_groups)
		return ft_error_set(err, FT_EDATA,
		                    "%s: no rows left after dropping %zu rows with missing values and %zu rows with unseen groups",
		                    path, st->n_dropped, st->n_unseen_groups);
	return ft_error_set(err, FT_EDATA,
	                    "%s: no rows left after dropping %zu rows with missing values",
	                    path, st->n_dropped);
}

/* ft_encoder_apply; with rel (t itself), t's rows are given back to the
 * system as they are encoded, and the dataset has no rows' table rows
 * (d->row NULL: nothing is left for them to point into). */
/* The rows [lo, hi) of t into d, the rows it keeps from row lo of d on,
 * in order; their counts into *s and their number into *kept.  gkey: hi -
 * lo entries of scratch; groups: the encoder's groups as ids 0 ..
 * n_groups - 1 (keys only t has are added after them: the caller's own
 * copy).  At a bad cell the error of the block's first bad row, as one
 * pass over the rows would give it. */
static int apply_block(const struct ft_encoder *e, const struct ft_table *t,
                       const struct apply *a, struct ft_dataset *d, int train, size_t lo,
                       size_t hi, long *gkey, struct ft_strmap *groups,
                       struct ft_encode_stats *s, size_t *kept, struct ft_error *err)
{
	size_t k = lo;
	int rc;

	*kept = 0;
	if (a->have_groups && ft_group_ids_range(t, a->scol, e->n_sensitive, lo, hi, NULL, gkey,
	                                         groups))
		return ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
	for (size_t i = lo; i < hi; i++) {
		/* target, weight and groups are text here (num_as_text above) */
		const uint32_t *row = ft_cell_row(t, i);
		uint32_t tv = a->target >= 0 ? row[ft_cell_pos(t, (size_t)a->target)] : FT_MISSING;
		uint32_t wv = a->weight >= 0 ? row[ft_cell_pos(t, (size_t)a->weight)] : FT_MISSING;
		double *num = d->num + k * e->n_num;
		int32_t *code = d->code + k * e->n_cat;
		long g = -1;

		if (train) {
			/* target, groups and weight are never imputed */
			int miss = tv == FT_MISSING || (e->weight && wv == FT_MISSING);
			for (size_t q = 0; q < e->n_sensitive && !miss; q++)
				miss = row[ft_cell_pos(t, (size_t)a->scol[q])] == FT_MISSING;
			for (size_t q = 0; q < a->n_f && !miss; q++)
				if (e->missing_policy == FT_MISSING_DROP)
					miss = ft_cell_in(t, row, i, a->f[q].tcol, a->f[q].pos) ==
					       FT_MISSING;
			if (miss) {
				s->n_dropped++;
				continue;
			}
		}
		if (a->have_groups) {
			long gk = gkey[i - lo];
			if (gk >= 0) {
				g = gk < (long)e->n_groups ? gk : -1;
				if (g < 0) {
					s->n_unseen_groups++;
					if (train)
						continue;
				}
			}
			d->group[k] = (int32_t)g;
		}
		d->w[k] = 1;
		if (wv != FT_MISSING) {
			if (a->wst[wv] || a->wx[wv] < 0) {
				/* the message comes from the one place that words it */
				rc = parse_weight(t, i, e->weight, t->vals[a->weight].str[wv],
				                  &d->w[k], err);
				return rc;
			}
			d->w[k] = a->wx[wv];
		}
		if (d->y && a->yx) {
			if (tv != FT_MISSING && a->yst[tv]) {
				rc = bad_number(t, i, e->target, a->yst[tv],
				                t->vals[a->target].str[tv], err);
				return rc;
			}
			d->y[k] = tv == FT_MISSING ? NAN : a->yx[tv];
		} else if (d->y) {
			d->y[k] = tv == FT_MISSING ? -1 : a->ypos[tv];
		}
		for (size_t q = 0; q < a->n_f; q++) {
			const struct feat *f = &a->f[q];
			uint32_t id = ft_cell_in(t, row, i, f->tcol, f->pos);
			if (f->c->type == FT_NUMERIC) {
				double x = 0;  /* the mean, standardized */
				if (id == FT_MISSING) {
					s->n_imputed++;
				} else if (!f->x) {
					/* stored as numbers */
					x = (t->num[f->tcol][i] - f->c->mean) / f->c->sd;
					if (!isfinite(x)) {
						rc = bad_number(t, i, f->c->name, ST_TOO_LARGE,
						                ft_table_cell(t, i, f->tcol), err);
						return rc;
					}
				} else if (f->st[id]) {
					rc = bad_number(t, i, f->c->name, f->st[id],
					                t->vals[f->tcol].str[id], err);
					return rc;
				} else {
					x = f->x[id];
				}
				*num++ = x;
			} else {
				int32_t cd;
				if (id == FT_MISSING) {
					s->n_imputed++;
					cd = f->impute;
				} else if ((cd = f->code[id]) < 0) {
					s->n_unseen++;
				}
				*code++ = cd;
			}
		}
		d->line[k] = t->line[i];
		if (d->row)
			d->row[k] = i;
		k++;
	}
	*kept = k - lo;
	return 0;
}

/* The encoder's groups as ids 0 .. n_groups - 1 in m. */
static int groups_map(const struct ft_encoder *e, struct ft_strmap *m)
{
	if (ft_strmap_init(m) != 0)
		return FT_ENOMEM;
	for (size_t g = 0; g < e->n_groups; g++)
		if (ft_strmap_put(m, e->group_names[g], strlen(e->group_names[g]), NULL) !=
		    (long)g)
			return FT_ENOMEM;
	return 0;
}

/* Rows of one block of the encoding: the unit a thread takes, that the
 * consuming form gives back, and whose group keys are interned at once
 * (their ids take 8 bytes a row of the block, a thread).  A quarter of
 * ft_release_rows (16,384): with a block on each of two threads, about one
 * block more of the table is held than by one pass, and `train --split 0`
 * on the 1M-row bench file peaked 1.5-3.5 MB higher with blocks of 65,536
 * rows, none higher with these (issue 20 item 7). */
static size_t apply_rows(void)
{
	size_t r = ft_release_rows / 4;

	return r > 0 ? r : 1;
}

static int apply_table(const struct ft_encoder *e, const struct ft_table *t,
                       struct ft_table *rel, int mode, struct ft_dataset **out,
                       struct ft_encode_stats *st, struct ft_error *err)
{
	struct apply a;
	struct ft_dataset *d = NULL;
	struct ft_encode_stats s0;
	size_t nc = e->n_cols, n_in = t->n_rows, k = 0, pl = 0;
	int train = mode == FT_APPLY_TRAIN, rc = 0;

	*out = NULL;
	memset(&a, 0, sizeof a);
	memset(&s0, 0, sizeof s0);
	s0.n_in = n_in;
	a.target = a.weight = -1;
	if (mode != FT_APPLY_TRAIN && mode != FT_APPLY_PREDICT) {
		rc = ft_error_set(err, FT_EINVAL, "%s: unknown apply mode %d",
		                  t->path, mode);
		goto done;
	}
	a.f = calloc(nc ? nc : 1, sizeof *a.f);
	a.scol = ft_xalloc(e->n_sensitive, sizeof *a.scol);
	if (!a.f || !a.scol)
		goto nomem;

	/* Columns by name; features are always needed, the rest by mode. */
	for (size_t j = 0; j < nc; j++) {
		const struct ft_column *c = &e->cols[j];
		long tj;
		if (!ft_column_is_feature(e, c))
			continue;
		if ((tj = ft_table_col(t, c->name)) < 0) {
			rc = no_column(t, c->name, FT_EDATA, err);
			goto done;
		}
		a.f[a.n_f].c = c;
		a.f[a.n_f].pos = ft_cell_pos(t, (size_t)tj);
		a.f[a.n_f++].tcol = (size_t)tj;
	}
	if (e->target && (a.target = ft_table_col(t, e->target)) < 0 && train) {
		rc = no_column(t, e->target, FT_EDATA, err);
		goto done;
	}
	if (e->weight && (a.weight = ft_table_col(t, e->weight)) < 0 && train) {
		rc = no_column(t, e->weight, FT_EDATA, err);
		goto done;
	}
	a.have_groups = e->n_sensitive > 0;
	for (size_t q = 0; q < e->n_sensitive; q++) {
		if ((a.scol[q] = ft_table_col(t, e->sensitive[q])) >= 0)
			continue;
		if (train) {
			rc = no_column(t, e->sensitive[q], FT_EDATA, err);
			goto done;
		}
		a.have_groups = 0;  /* predict: no groups without all columns */
	}

	/* Per distinct value: features, label, weight, group. */
	for (size_t q = 0; q < a.n_f; q++)
		if ((rc = prepare_feat(t, &a, &a.f[q])) != 0) {
			if (rc == FT_EINVAL) {
				rc = num_as_text(t, a.f[q].tcol, err);
				goto done;
			}
			goto nomem;
		}
	{
		long role_col[3] = {a.target, a.weight, -1};
		for (size_t q = 0; q < e->n_sensitive; q++)
			if (t->num && a.scol[q] >= 0 && t->num[a.scol[q]])
				role_col[2] = a.scol[q];
		for (int q = 0; q < 3; q++)
			if (t->num && role_col[q] >= 0 && t->num[role_col[q]]) {
				rc = num_as_text(t, (size_t)role_col[q], err);
				goto done;
			}
	}
	if (a.target >= 0 && !e->positive) {
		if (parse_values(&t->vals[a.target], &a.yx, &a.yst) != 0)
			goto nomem;
		relevance_range(&t->vals[a.target], a.yx, a.yst);
	} else if (a.target >= 0) {
		const struct ft_values *v = &t->vals[a.target];
		pl = ft_label_len(e->positive, e->label_strip);
		if (!(a.ypos = ft_xalloc(v->n, 1)))
			goto nomem;
		for (size_t id = 0; id < v->n; id++)
			a.ypos[id] = ft_label_len(v->str[id], e->label_strip) == pl &&
			             memcmp(v->str[id], e->positive, pl) == 0;
	}
	if (a.weight >= 0 && parse_values(&t->vals[a.weight], &a.wx, &a.wst) != 0)
		goto nomem;

	d = calloc(1, sizeof *d);
	if (!d)
		goto nomem;
	d->p = e->n_features;
	d->n_num = e->n_num;
	d->n_cat = e->n_cat;
	d->n_groups = e->n_groups;
	d->num = ft_xalloc(n_in * e->n_num, sizeof *d->num);
	d->code = ft_xalloc(n_in * e->n_cat, sizeof *d->code);
	d->w = ft_xalloc(n_in, sizeof *d->w);
	d->line = ft_xalloc(n_in, sizeof *d->line);
	if (!rel && !(d->row = ft_xalloc(n_in, sizeof *d->row)))
		goto nomem;
	if (!d->num || !d->code || !d->w || !d->line)
		goto nomem;
	if (a.target >= 0 && !(d->y = ft_xalloc(n_in, sizeof *d->y)))
		goto nomem;
	if (a.have_groups && !(d->group = ft_xalloc(n_in, sizeof *d->group)))
		goto nomem;

	{
		/* blocks of rows on any thread, each written from its first row's
		 * place; then the failed block nearest the top gives the error
		 * (its first bad row is the file's first), and the kept rows of
		 * each block move down after the blocks above it.  Every row is
		 * encoded as it was one at a time, the counts are sums of whole
		 * numbers: the same dataset on any number of threads. */
		size_t br = apply_rows(), nb = (n_in + br - 1) / br;
		struct blk {
			int rc;
			size_t kept;
			struct ft_encode_stats s;
			struct ft_error err;
		} *bk = calloc(nb ? nb : 1, sizeof *bk);
		if (!bk)
			goto nomem;
		#pragma omp parallel if (nb > 1 && ft_parallel_worth(n_in * (a.n_f + 2)))
		{
			long *gkey = a.have_groups ? ft_xalloc(br, sizeof *gkey) : NULL;
			struct ft_strmap groups;
			int ok;

			memset(&groups, 0, sizeof groups);
			ok = !a.have_groups || (gkey && groups_map(e, &groups) == 0);
			#pragma omp for schedule(dynamic, 1)
			for (size_t b = 0; b < nb; b++) {
				size_t lo = b * br, hi = n_in - lo < br ? n_in : lo + br;
				if (!ok) {
					bk[b].rc = ft_error_set(&bk[b].err, FT_ENOMEM, "%s: out of memory",
					                        t->path);
					continue;
				}
				bk[b].rc = apply_block(e, t, &a, d, train, lo, hi, gkey, &groups, &bk[b].s,
				                       &bk[b].kept, &bk[b].err);
				/* the block's rows are encoded: give back the pages
				 * wholly theirs (a page shared with the next block
				 * stays until the table is freed) */
				if (rel)
					ft_table_release_within(rel, lo, hi);
			}
			free(gkey);
			ft_strmap_free(&groups);
		}
		for (size_t b = 0; b < nb; b++)
			if (bk[b].rc) {
				rc = ft_error_set(err, bk[b].rc, "%s", bk[b].err.msg);
				free(bk);
				goto done;
			}
		for (size_t b = 0; b < nb; b++) {
			size_t lo = b * br, m = bk[b].kept;
			s0.n_dropped += bk[b].s.n_dropped;
			s0.n_imputed += bk[b].s.n_imputed;
			s0.n_unseen += bk[b].s.n_unseen;
			s0.n_unseen_groups += bk[b].s.n_unseen_groups;
			if (k != lo && m) {
#define MOVE(f, w) do { if (d->f) memmove(d->f + k * (w), d->f + lo * (w), m * (w) * sizeof *d->f); } while (0)
				MOVE(num, e->n_num);
				MOVE(code, e->n_cat);
				MOVE(y, 1);
				MOVE(w, 1);
				MOVE(group, 1);
				MOVE(line, 1);
				MOVE(row, 1);
#undef MOVE
			}
			k += m;
		}
		free(bk);
	}
	/* a rank of a distributed run may hold no rows: the caller checks
	 * every rank's (ft_encode_none_left) */
	if (train && k == 0 && !ft_dist_on()) {
		rc = ft_encode_none_left(t->path, &s0, err);
		goto done;
	}
	d->n = k;
	/* Rows were dropped: give the unused tails back (shrinking never
	 * fails in practice; keep the old block if it does). */
	if (k < n_in) {
		void *p;
#define SHRINK(f, cnt) do { if (d->f && (p = realloc(d->f, ((cnt) > 0 ? (cnt) : 1) * sizeof *d->f))) d->f = p; } while (0)
		SHRINK(num, k * e->n_num);
		SHRINK(code, k * e->n_cat);
		SHRINK(y, k);
		SHRINK(w, k);
		SHRINK(group, k);
		SHRINK(line, k);
		SHRINK(row, k);
#undef SHRINK
	}
	*out = d;
	d = NULL;
	goto done;
nomem:
	rc = ft_error_set(err, FT_ENOMEM, "%s: out of memory", t->path);
done:
	/* counts describe a dataset: none on failure */
	if (st && rc)
		memset(&s0, 0, sizeof s0);
	if (st)
		*st = s0;
	ft_dataset_free(d);
	if (a.f)
		for (size_t q = 0; q < a.n_f; q++) {
			free(a.f[q].code);
			free(a.f[q].x);
			free(a.f[q].st);
		}
	free(a.f);
	ft_strmap_free(&a.cats);
	free(a.scol);
	free(a.ypos);
	free(a.yx);
	free(a.yst);
	free(a.wx);
	free(a.wst);
	return rc;
}

int ft_encoder_apply(const struct ft_encoder *e, const struct ft_table *t,
                     int mode, struct ft_dataset **out,
                     struct ft_encode_stats *st, struct ft_error *err)
{
	return apply_table(e, t, NULL, mode, out, st, err);
}

int ft_encoder_apply_consume(const struct ft_encoder *e, struct ft_table *t, int mode,
                             struct ft_dataset **out, struct ft_encode_stats *st,
                             struct ft_error *err)
{
	return apply_table(e, t, t, mode, out, st, err);
}

void ft_dataset_free(struct ft_dataset *d)
{
	if (!d)
		return;
	free(d->num);
	free(d->code);
	free(d->y);
	free(d->w);
	free(d->group);
	free(d->line);
	free(d->row);
	free(d);
}

/* x gets d->p doubles: the numeric block, then 1 at each hot column. */
void ft_dataset_row(const struct ft_dataset *d, size_t i, double *x)
{
	memset(x, 0, d->p * sizeof *x);
	for (size_t j = 0; j < d->n_num; j++)
		x[j] = d->num[i * d->n_num + j];
	for (size_t j = 0; j < d->n_cat; j++) {
		int32_t c = d->code[i * d->n_cat + j];
		if (c >= 0)
			x[c] = 1;
	}
}

/* "+1 1:-0.5 7:1": labels +1/-1 (0 when unknown or absent), 1-based
 * ascending indices, exact zeros skipped, the shortest decimal that reads
 * back bit-exact (ft_fmt_double).  Atomic: on failure the destination is untouched. */
int ft_dataset_write_libsvm(const struct ft_dataset *d, const char *path,
                            struct ft_error *err)
{
	struct ft_atomic a;
	char b[FT_FMT_DOUBLE_LEN];
	FILE *fp;
	int rc;

	if ((rc = ft_atomic_open(&a, path, err)) != 0)
		return rc;
	fp = a.fp;
	for (size_t i = 0; i < d->n; i++) {
		/* y = -1 marks an unknown label (predict mode): written as 0 */
		const char *label = !d->y ? "0" : d->y[i] == 1 ? "+1" :
		                    d->y[i] == 0 ? "-1" : "0";
		fputs(label, fp);
		/* numeric block first, then codes: indices come out ascending */
		for (size_t j = 0; j < d->n_num; j++) {
			double v = d->num[i * d->n_num + j];
			if (v != 0)
				fprintf(fp, " %zu:%s", j + 1, ft_fmt_double(b, v));
		}
		for (size_t j = 0; j < d->n_cat; j++) {
			int32_t c = d->code[i * d->n_cat + j];
			if (c >= 0)
				fprintf(fp, " %ld:1", (long)c + 1);
		}
		fputc('\n', fp);
	}
	/* write errors surface in the flush inside commit */
	return ft_atomic_commit(&a, err);
}
