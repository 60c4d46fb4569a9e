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
	FT_EDATA = -7      /* data unusable: empty, one class, empty group ... */
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
 * value id). */
FT_API const char *ft_table_cell(const struct ft_table *t, size_t row, size_t col);
/* Column index by name, or -1. */
FT_API long ft_table_col(const struct ft_table *t, const char *name);
/* A new table made of the given rows of t (copied). */
FT_API int ft_table_subset(const struct ft_table *t, const size_t *rows, size_t n,
                    struct ft_table **out, struct ft_error *err);

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
	                          from (ranking data reads the query column by it) */
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
 * free with ft_logreg_objective_free.  Sample weights are d->w times C. */
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

/* Geyik, Ambler & Kenthapadi (KDD 2019), Algorithm 1 and its variants, for
 * any number of groups with target proportions p[g] (>= 0, summing to 1).
 * At rank r, group g is below its minimum when it has fewer than
 * floor(r p[g]) items so far and below its maximum when it has at least
 * that but fewer than ceil(r p[g]).  A group below its minimum goes first
 * (the one whose next item scores highest); otherwise among the groups
 * below their maximum DET_GREEDY takes the highest next score, DET_CONS
 * the smallest ceil(r p[g]) / p[g] (the group whose minimum rises
 * soonest), DET_RELAXED the highest next score among the groups with the
 * smallest ceil(ceil(r p[g]) / p[g]).  Ties go to the higher next score,
 * then the lower group index; exhausted groups drop out, and when no group
 * qualifies the best remaining item is taken. */
enum ft_det { FT_DET_GREEDY = 0, FT_DET_CONS, FT_DET_RELAXED, FT_N_DET };
FT_API const char *ft_det_name(int algo);            /* "det_greedy", ... */
/* Per-group lists: score[g][0 .. len[g]-1] sorted descending.  Rank r gets
 * item out_index[r] of group out_group[r]; k <= total items. */
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
 * floor(i p[g]) items. */
FT_API int ft_infeasible_index(const int32_t *group, const size_t *order, size_t n,
                        size_t n_groups, const double *p, size_t k,
                        size_t *count, struct ft_error *err);

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

/* ------------------------------------------------- mitigation methods */

/* A mitigation method is one entry in the method table (src/fair/methods.c):
 * name, stage, numeric parameters with defaults, ranges and help, and a fit
 * function.  `train --method NAME:k=v,...`, `--help` and the model file all
 * read the table. */
enum ft_stage { FT_STAGE_PRE = 0, FT_STAGE_IN, FT_STAGE_POST };
FT_API const char *ft_stage_name(int stage);     /* "pre", "in", "post" */

#define FT_MAX_PARAMS 8
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
};
/* The name of choice `index` of p (NULL when p is not a choice parameter
 * or index is out of range); points into p->choices' static storage copy. */
FT_API const char *ft_param_choice(const struct ft_param_def *p, double index);

/* What a fit function gets (all borrowed). */
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
 * `chosen` is the one the trade-off rule picked (the model file's model). */
struct ft_frontier {
	size_t k;                        /* grid points */
	size_t n_lambda;                 /* multipliers per point */
	double *lambda;                  /* k * n_lambda */
	double *error, *violation;       /* k each (training data) */
	struct ft_linear_model **h;      /* k, owned */
	size_t chosen;
};
FT_API void ft_frontier_free(struct ft_frontier *fr);

/* Scores and P(yhat = 1) of n = d->n rows: the mixture mx when not NULL,
 * else model m; then the thresholds th (when not NULL) applied to that
 * score.  pos may be NULL.  Fails (naming the row's source line) when a row
 * needs its group (per-group models, thresholds) and has none.  A linear
 * ranker (FT_MODEL_RANKER) is FT_EINVAL: it gives no probabilities. */
FT_API int ft_classify(const struct ft_linear_model *m, const struct ft_mixture *mx,
                const struct ft_thresholds *th, const struct ft_dataset *d,
                double threshold, double *score, double *pos,
                struct ft_error *err);

/* What it returns.  model is owned by the caller afterwards. */
struct ft_fit_output {
	struct ft_linear_model *model;
	struct ft_solver_result res;
	/* diagnostics saved in the model file: constraint values, multipliers,
	 * KKT residual, reweighing weights, penalty values ... */
	size_t n_diag;
	char diag_name[FT_MAX_DIAG][FT_DIAG_NAME];
	double diag[FT_MAX_DIAG];
	/* Reductions and post-processing (NULL otherwise; owned by the caller
	 * afterwards).  With a mixture, model is its deterministic choice (the
	 * single best predictor); with thresholds, model is the base model whose
	 * scores they cut; with a frontier, model is its chosen point. */
	struct ft_mixture *mixture;
	struct ft_thresholds *thresholds;
	struct ft_frontier *frontier;
};
/* Free what a fit output owns (model, mixture, thresholds, frontier) and
 * zero those pointers. */
FT_API void ft_fit_output_clear(struct ft_fit_output *out);
/* Append a diagnostic (ignored beyond FT_MAX_DIAG; the name is truncated). */
FT_API void ft_fit_diag(struct ft_fit_output *out, const char *name, double value);

struct ft_method {
	const char *name;
	int stage;                                /* enum ft_stage */
	const char *help;                         /* one line */
	size_t n_params;
	const struct ft_param_def *params;
	int needs_groups;                         /* needs a sensitive attribute */
	int (*fit)(const struct ft_fit_input *in, struct ft_fit_output *out,
	           struct ft_error *err);
};
/* The table, and lookup by name (NULL when unknown). */
FT_API const struct ft_method *ft_method_list(size_t *n);
FT_API const struct ft_method *ft_method_find(const char *name);
/* Parse "name", "name:k=v,k=v" or "name:choice:k=v" (',' and ':' both
 * separate parameters; a bare first token is the first choice parameter):
 * the method and every parameter (defaults filled in, ranges checked).
 * Errors name the bad part. */
FT_API int ft_method_parse(const char *spec, const struct ft_method **m,
                    double params[FT_MAX_PARAMS], struct ft_error *err);

/* -------------------------------------------------------------- model files */

#define FT_FORMAT_NAME "fairtrain-model"
#define FT_FORMAT_VERSION 2     /* reads 1 and 2 */

/* How a ranking model file's /model is used (the /ranking group, format
 * version 2; README "Fair ranking").  Every string is owned and non-NULL
 * ("" when empty). */
struct ft_model_ranking {
	char *format;              /* "csv" or "letor": how raw files are read */
	char *query;               /* csv: the query-id column; letor: "" */
	char *relevance;           /* csv: the relevance column; letor: "" */
	char *protected_group;     /* one of the encoder's group_names, or ""
	                              when the model has no groups */
	int colorblind;            /* 1: the protected attribute is not a feature */
	char *rerank;              /* the re-ranker applied after scoring
	                              ("fair:p=0.4,alpha=0.1,k=10"), "" for none */
	uint64_t sensitive_feature;/* letor: 1-based index of the feature that
	                              defines the groups, 0 for none */
	double protected_value;    /* letor: feature value of the protected group */
};

/* Everything a model file holds (schema version 2; see README). */
struct ft_model_file {
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
	struct ft_linear_model *model;
	struct ft_linear_model *baseline;
	/* reductions and post-processing (NULL when absent; struct
	 * ft_fit_output says how they relate to model) */
	struct ft_mixture *mixture;
	struct ft_thresholds *thresholds;
	struct ft_frontier *frontier;
	/* before/after tables (NULL when absent) */
	struct ft_comparison *comparison;
	/* a ranker: how to read, group, score and re-rank (NULL for a
	 * classifier; present exactly when model->type is FT_MODEL_RANKER) */
	struct ft_model_ranking *ranking;
	/* training */
	char *method;               /* a method table name; "logreg" = unmitigated */
	size_t n_params;            /* the method's parameters */
	char **param_names;
	double *param_values;
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
};
FT_API void ft_model_file_free(struct ft_model_file *mf);

/* Write atomically: temp file in the same directory, fsync, rename.  On
 * failure the destination is untouched and no temp file remains. */
FT_API int ft_model_save(const char *path, const struct ft_model_file *mf,
                  struct ft_error *err);
/* The format_version ft_model_save writes for mf: 2 when it holds a part
 * a version 1 reader would misuse (/mixture, /frontier, /thresholds,
 * /ranking), else 1. */
FT_API int ft_model_file_version(const struct ft_model_file *mf);
/* Refuses foreign, corrupt or newer files with a message naming both. */
FT_API int ft_model_load(const char *path, struct ft_model_file **out,
                  struct ft_error *err);

/* ------------------------------------------------- comparison results */

#define FT_RESULTS_FORMAT_NAME "fairtrain-compare"
#define FT_RESULTS_FORMAT_VERSION 1

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
	const struct ft_fit_output *fit; /* model (+ mixture, thresholds, frontier),
	                                    solver result, diagnostics; NULL when
	                                    the fit failed */
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
};

/* Write r to path as HDF5 (layout in README.md, "Comparison results"),
 * atomically like ft_model_save: on failure path is untouched and no temp
 * file remains.  Undefined metric values are written as NaN with a flag
 * and the reason. */
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
 *     pair add nothing. */
enum ft_rank_loss { FT_RANK_LISTNET = 0, FT_RANK_RANKNET };
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
 *     Lagrangian, src/optim/auglag.c). */
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
	double tol_feas;       /* PAIR_CON: allowed violation of |gap| <= c; 1e-6 */
};
FT_API void ft_rank_params_init(struct ft_rank_params *p);
/* NULL when fine, else a static message naming the bad parameter. */
FT_API const char *ft_rank_check(const struct ft_rank_params *p);
/* Parse "NAME" or "NAME:k=v,k=v" into p (defaults first): listnet, ranknet,
 * deltr (gamma, reference, iterations, lr), pair-reg (lambda), pair-con
 * (c, max_outer); every method takes l2 and doc_weight, the fair ones
 * protected, the exact ones max_iter.  Errors name the bad part. */
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
 * "pair_acc_g1_over_g0", "pair_gap" (ft_pair_gap).  res may be NULL.
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
