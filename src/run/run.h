/*
 * run.h - what the verbs of src/run share (internal, not installed): the
 * monitor's calls, the measurement of one model on one part, provenance.
 */
#ifndef FT_RUN_H
#define FT_RUN_H

#include <stdio.h>
#include "fairtrain.h"

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
/* Append a copy of the rows of model from on split as model to. */
int ft_run_copy_rows(struct ft_comparison *cmp, const char *from, const char *to,
                     const char *split, struct ft_error *err);
/* One CSV field, quoted (RFC 4180) when it holds a comma, quote or line
 * break; NULL writes nothing.  -1 on a write error (report.c). */
int ft_csv_field(FILE *fp, const char *s);
/* "2026-11-22T10:00:00Z" now, malloc'ed. */
char *ft_run_utc_now(void);
/* mf's provenance: version, time, command line, the inputs with their
 * SHA-256 (data and test of o; tables are named "(table)"), read options. */
int ft_run_provenance(struct ft_model_file *mf, const struct ft_data_opts *o,
                      const char sha256[2][65], const char *command_line,
                      struct ft_error *err);
/* A method's name, parameters (with choices by name) and diagnostics into
 * mf (owned copies). */
int ft_run_store_method(struct ft_model_file *mf, const struct ft_method_spec *s,
                        size_t n_diag, const char (*diag_name)[FT_DIAG_NAME],
                        const double *diag, struct ft_error *err);

/* load.c: ft_load without encoding: the tables read, filtered and split. */
int ft_load_tables(const struct ft_data_opts *o, struct ft_loaded **out,
                   struct ft_error *err);

/* train_rank.c: ft_train_check and ft_train of task rank. */
int ft_train_rank_check(const struct ft_train_opts *o, struct ft_error *err);
int ft_train_rank(const struct ft_train_opts *o, struct ft_train_result *r,
                  struct ft_error *err);

/* Ranking (rank.c): the measurement of a ranking on one part (model on
 * split; score NULL for a re-ranked order, whose Kendall's tau uses the
 * ranks), the ranking table's rows in this order. */
int ft_run_rank_measure(struct ft_comparison *cmp, const char *model, const char *split,
                        const struct ft_rank_data *rd, const double *score,
                        const size_t *order, int32_t prot, struct ft_error *err);

/* The baseline's (weights wb; may be NULL), the mitigated (w) and, with a
 * re-ranker rr, the re-ranked rankings of rd measured as split; same: the
 * two weights are one fit (its rows copied).  *n_short counts the queries
 * the re-ranker's table asked more protected items of than they hold. */
int ft_run_rank_part(struct ft_comparison *cmp, const char *split,
                     const struct ft_rank_data *rd, const double *wb, const double *w,
                     int same, const struct ft_method_spec *rr, int32_t prot,
                     size_t *n_short, struct ft_error *err);

#endif
