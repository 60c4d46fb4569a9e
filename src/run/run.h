/*
 * run.h - what the verbs of src/run share (internal, not installed): the
 * monitor's calls, the measurement of one model on one part, provenance.
 */
#ifndef FT_RUN_H
#define FT_RUN_H

#include <stdio.h>
#include "fairtrain.h"
#include "core/dist.h"

/* mon->warning with a printf-style line (nothing when mon or it is NULL). */
void ft_run_warn(const struct ft_monitor *mon, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* mon->progress; FT_ECANCELED (with err set) when the caller asks to stop. */
/* A classification part (what: "the test part", "the evaluation rows")
 * whose labelled rows never carry the positive label, while the training
 * part had it: FT_EDATA naming the values seen and the likely cause (a
 * missing label strip), and allow, the way to say it is expected.  0 when
 * a row is positive, nothing is labelled, or there is no class target. */
int ft_run_check_positive(const struct ft_table *t, const struct ft_dataset *d,
                          const struct ft_encoder *e, const char *what,
                          const char *allow, struct ft_error *err);
/* The threshold in (0, 1] and the level in (0, 1): 0 or FT_EINVAL. */
int ft_run_check_measure(const struct ft_measure_opts *m, struct ft_error *err);
/* The private release of in's per-group confusion cells with
 * m->dp_epsilon (ft_dp_audit; m->dp_seed 0: getrandom), spent on the
 * measurement stage of *bud (made, with no total, when NULL). */
int ft_run_dp_release(const struct ft_measure_opts *m, const struct ft_eval_input *in,
                      struct ft_budget **bud, struct ft_dp_audit **out, struct ft_error *err);
/* The same for predictor p on ds (the mitigated model on a part). */
int ft_run_dp_measure(const struct ft_measure_opts *m, const struct ft_predictor *p,
                      const struct ft_dataset *ds, const struct ft_encoder *e,
                      const char *split, struct ft_budget **bud, struct ft_dp_audit **out,
                      struct ft_error *err);
int ft_run_progress(const struct ft_monitor *mon, const char *stage, size_t done,
                    size_t total, const char *what, struct ft_error *err);
/* The warnings of encoding path: unseen categories and groups. */
/* m->fit(fi, fo, err); in a distributed run a method whose fit is not a
 * sum over chunks (adversarial, gerryfair, meta, the transforms) fits
 * every rank's rows gathered, on every rank alone: the single-process
 * model.  A fitted feature transform gets its output names from e
 * (ft_run_name_transform).  Collective. */
/* The consistency row of c (when c->consistency_k > 0) for the decisions
 * in over ds's rows (ds's rows gathered in a distributed run).
 * Collective. */
int ft_run_consistency(struct ft_comparison *c, const char *model, const char *split,
                       const struct ft_eval_input *in, const struct ft_dataset *ds,
                       struct ft_error *err);
int ft_run_fit(const struct ft_method *m, const struct ft_fit_input *fi,
               const struct ft_encoder *e, struct ft_fit_output *fo,
               struct ft_error *err);
/* Names of t's outputs (t->names, when it has none) from the encoder's
 * features: dir, corr-remove and lfr write one value per input feature,
 * under its name; optim-pre one per level of each discretized column:
 * "age<31.5", "age[31.5,47.5)", "age>=47.5" (cuts in the data's units),
 * "workclass=Private" ("workclass=(none)" for rows of no category). */
int ft_run_name_transform(struct ft_transform *t, const struct ft_encoder *e);
/* s->drop: every column of t but those named in keep[0 .. n) (NULL
 * entries ignored) and s's sensitive columns; *drop (malloc'ed) holds the
 * list.  FT_ENOMEM or 0. */
int ft_run_drop_others(const struct ft_table *t, const char *const *keep, size_t n,
                       struct ft_spec *s, char ***drop);
/* summary.md: the start of setting s's row of a results table ("| method
 * | `setting`", and how many folds it fitted when not all); returns its
 * fit seconds summed over the folds (compare_write.c). */
double ft_run_md_setting(FILE *mem, const struct ft_compare_result *r, size_t s);
/* The data's name in messages: the file, the name of a table given in
 * memory, or "(table)". */
const char *ft_run_data_name(const struct ft_data_opts *d);
void ft_run_warn_stats(const struct ft_monitor *mon, const char *path,
                       const struct ft_encode_stats *st);
/* The index of e's privileged group, or -1. */
long ft_run_privileged(const struct ft_encoder *e);
/* A new comparison table with these measurement settings and seed. */
struct ft_comparison *ft_run_comparison_new(const struct ft_measure_opts *ms,
                                            uint64_t seed);
/* Decide ds with predictor p (deterministic: a mixture by its best
 * predictor) and append its rows to cmp as model on split: every metric
 * and summary (ft_comparison_measure), and n_perm permutation tests. */
int ft_run_measure(struct ft_comparison *cmp, size_t n_perm, const char *model,
                   const char *split, const struct ft_predictor *p, int deterministic,
                   const struct ft_dataset *ds, const struct ft_encoder *e,
                   struct ft_error *err);
/* ft_comparison_measure and n_perm permutation tests of in, its rows
 * being this rank's of a distributed part (measured on rank 0, which
 * alone keeps the rows of cmp; the outcome agreed by every rank). */
int ft_run_measure_input(struct ft_comparison *cmp, size_t n_perm, const char *model,
                         const char *split, const struct ft_eval_input *in,
                         struct ft_error *err);
/* Append a copy of the rows of model from on split as model to. */
int ft_run_copy_rows(struct ft_comparison *cmp, const char *from, const char *to,
                     const char *split, struct ft_error *err);
/* One CSV field, quoted (RFC 4180) when it holds a comma, quote or line
 * break; NULL writes nothing.  -1 on a write error (report.c). */
int ft_csv_field(FILE *fp, const char *s);
/* "2026-11-22T10:00:00Z" now, malloc'ed. */
char *ft_run_utc_now(void);
/* mf's provenance: version, time, command line, the inputs with their
 * SHA-256 (data and test of o, or each of o's files with files_sha;
 * tables are named "(table)"), read options. */
int ft_run_provenance(struct ft_model_file *mf, const struct ft_data_opts *o,
                      const char sha256[2][65], const char (*files_sha)[65],
                      const char *command_line, struct ft_error *err);
/* A method's name, parameters (with choices by name) and diagnostics into
 * mf (owned copies). */
int ft_run_store_method(struct ft_model_file *mf, const struct ft_method_spec *s,
                        size_t n_diag, const char (*diag_name)[FT_DIAG_NAME],
                        const double *diag, struct ft_error *err);

/* dist_run.c: the distributed steps (no-ops in one process).  The row
 * layouts of a loaded run's parts (struct ft_loaded.dist). */
struct ft_dist_parts {
	struct ft_dist_part train, test;
};
void ft_dist_parts_free(struct ft_dist_parts *p);
/* Move d's rows so that this rank holds whole chunks (p, its layout). */
int ft_run_align(struct ft_dataset *d, struct ft_dist_part *p, struct ft_error *err);
/* SHA-256 of each file, hashed by the rank that reads it, on every rank. */
int ft_run_hash(const char *const *files, size_t n, char (*hex)[65], struct ft_error *err);
/* Counts over every rank. */
void ft_run_sum_stats(struct ft_encode_stats *st);
size_t ft_run_rows(size_t n);
/* in's rows (this rank's) replaced by every rank's on rank 0, where the
 * arrays are keep[0 .. 5) (the caller frees them), n by the total
 * everywhere; other ranks get NULL arrays. */
int ft_run_gather_eval(struct ft_eval_input *in, void *keep[5], struct ft_error *err);

/* explain.c: ft_explain of model m on l's test part (or training part
 * when there is none), proxies on the training part, the parts being
 * distributed when l is. */
int ft_run_explain(const struct ft_predictor *p, const struct ft_loaded *l,
                   struct ft_explain **out, struct ft_error *err);
/* ft_explain with the row layouts of ds and train when they are parts of
 * a distributed run (NULL: not); t (may be NULL): m reads ds's rows
 * through this transform, and the gap is decomposed over its outputs. */
int ft_run_explain_parts(const struct ft_linear_model *m, const struct ft_transform *t,
                         const struct ft_dataset *ds,
                         const char *model, const char *split, const struct ft_encoder *e,
                         const struct ft_dataset *train, const struct ft_dist_part *pds,
                         const struct ft_dist_part *ptrain, struct ft_explain **out,
                         struct ft_error *err);

/* rank_dist.c: rd's queries spread over the ranks, whole, in the global
 * order of first appearance (qfirst: each query's first table row, row0:
 * this rank's first table row), rows laid out as ft_parallel_sum's chunks
 * moved up to query starts (part).  Collective. */
int ft_run_rank_spread(struct ft_rank_data *rd, const size_t *qfirst, uint64_t row0,
                       struct ft_dist_part *part, struct ft_error *err);
/* A distributed run: ranking data of this rank's rows of t (mode:
 * FT_APPLY_*), its queries then spread over the ranks whole
 * (ft_run_rank_spread); the encoding counts summed over the ranks. */
int ft_run_rank_spread_table(const struct ft_table *t, const struct ft_encoder *e,
                             const char *query, int mode, struct ft_rank_data **out,
                             struct ft_dist_part *part, struct ft_encode_stats *st,
                             struct ft_error *err);
/* A distributed run of ranking data every rank read whole (LETOR): each
 * rank keeps the queries its chunks start (part), as the spread lays them. */
int ft_run_rank_keep_own(struct ft_rank_data **rd, struct ft_dist_part *part,
                         struct ft_error *err);
/* On rank 0 every rank's rows of rd without features (*out; NULL
 * elsewhere) and of the k score arrays (all_scores[j], malloc'ed on rank
 * 0).  Collective. */
int ft_run_rank_gather(const struct ft_rank_data *rd, const double *const *score, size_t k,
                       struct ft_rank_data **out, double **all_scores,
                       struct ft_error *err);

/* eopp-rank: LiFT's score map fitted on rd's items scored by w (labels:
 * relevance > 0; positions: each item's rank in its query by score, for
 * the position-bias correction), the parameters of spec rr; every rank's
 * items in a distributed run (the same map on every rank).  Collective. */
int ft_run_fit_eopp(const struct ft_rank_data *rd, const double *w,
                    const struct ft_method_spec *rr, struct ft_eopp **out,
                    struct ft_error *err);
/* Is rr the re-ranker eopp-rank (which is fitted)? */
int ft_run_is_eopp(const struct ft_method_spec *rr);

/* load.c: ft_load; consume = 1 when the caller has no use for the tables
 * of text: the training table is then given back to the system row by
 * row as it is encoded, and both tables are freed (train_t and test_t
 * NULL), so that the table and the encoded rows are not held whole at
 * once (issue 20 item 7). */
int ft_load_ex(const struct ft_data_opts *o, const struct ft_encoder *enc,
               const struct ft_monitor *mon, int consume, struct ft_loaded **out,
               struct ft_error *err);
/* load.c: ft_load without encoding: the tables read, filtered and split. */
int ft_load_tables(const struct ft_data_opts *o, struct ft_loaded **out,
                   struct ft_error *err);

/* train_rank.c: ft_train_check and ft_train of task rank. */
int ft_train_rank_check(const struct ft_train_opts *o, struct ft_error *err);
int ft_train_rank(const struct ft_train_opts *o, struct ft_train_result *r,
                  struct ft_error *err);

/* The warning of n_short of nq queries that re-ranker rr flagged
 * (FT_RERANK_SHORT), on part `what`; nothing when n_short is 0. */
void ft_run_warn_short(const struct ft_monitor *mon, const char *what,
                       const struct ft_method_spec *rr, size_t n_short, size_t nq);

/* Ranking (rank.c; README "Fair ranking"): the models one part measures. */
struct ft_run_rankers {
	const double *wb;              /* baseline weights, or NULL */
	const double *w;               /* the mitigated weights */
	int same;                      /* wb and w are one fit (rows copied) */
	const struct ft_method_spec *rr; /* re-ranker of w's scores, or NULL */
	int32_t prot;                  /* the protected group, or -1 */
};
/* The ranking options that do not need the data checked (ties, cut-offs,
 * bootstrap, the target's shares; with n_groups > 0 its length too). */
int ft_run_rank_check(const struct ft_measure_opts *ms, size_t n_groups,
                      struct ft_error *err);
/* The baseline, mitigated and re-ranked rankings of rd measured as split:
 * rows per metric (means over queries, bootstrap intervals), and the paired
 * tests of mitigated against baseline and re-ranked against mitigated.
 * *n_short counts the queries the re-ranker flagged (FT_RERANK_SHORT). */
int ft_run_rank_part(struct ft_comparison *cmp, const char *split,
                     const struct ft_rank_data *rd, const struct ft_run_rankers *m,
                     const struct ft_measure_opts *ms, size_t *n_short,
                     struct ft_error *err);
/* Ranking data of one split (train_rank.c), encoded. */
struct ft_run_rank_split {
	struct ft_rank_data *train, *test;  /* test may be NULL */
	struct ft_encoder *enc;
	size_t n_dropped, n_extra;          /* rows without relevance or group;
	                                       letor test features beyond train's */
	struct ft_encode_stats st_test;
};
void ft_run_rank_split_free(struct ft_run_rank_split *s);
/* The column roles of a ranking table: d's read options, ro's columns. */
void ft_run_rank_spec(const struct ft_rank_opts *ro, struct ft_data_opts *d);
/* A table's training part tr fits the encoder; tr and te (may be NULL)
 * become ranking data.  In a distributed run with ptrain (and ptest) the
 * parts' queries are spread over the ranks whole, laid out there. */
int ft_run_rank_encode_csv(const struct ft_data_opts *d, const struct ft_rank_opts *ro,
                           const struct ft_table *tr, const struct ft_table *te,
                           struct ft_run_rank_split *out, struct ft_dist_part *ptrain,
                           struct ft_dist_part *ptest, struct ft_error *err);
/* LETOR: tr's groups from the sensitive feature (tr is changed), the
 * pass-through encoder, tr and te (may be NULL) aligned to it. */
int ft_run_rank_encode_letor(const struct ft_rank_opts *ro, const char *path,
                             struct ft_rank_data *tr, const struct ft_rank_data *te,
                             struct ft_run_rank_split *out, struct ft_error *err);
/* The index of ro's protected group in e's groups (-1 without one),
 * checked against the training data. */
int ft_run_rank_protected(const struct ft_rank_opts *ro, const char *path,
                          const struct ft_encoder *e, const struct ft_rank_data *train,
                          int32_t *prot, struct ft_error *err);

/* The audit of rankings (audit_rank.c): r's counts, groups and table. */
int ft_audit_rank(const struct ft_audit_opts *o, struct ft_audit_result *r,
                  struct ft_error *err);
/* One ranking given by scores (higher first), re-ranked by rr when not
 * NULL, as model on split (an audit, one setting of a comparison). */
int ft_run_rank_model(struct ft_comparison *cmp, const char *model, const char *split,
                      const struct ft_rank_data *rd, const double *score,
                      const struct ft_method_spec *rr, int32_t prot,
                      const struct ft_measure_opts *ms, size_t *n_short,
                      struct ft_error *err);

#endif
