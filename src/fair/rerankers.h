/*
 * rerankers.h - the re-rankers of the method registry (stage rerank) and
 * their application to every query of a ranking (internal, not installed).
 */
#ifndef FT_RERANKERS_H
#define FT_RERANKERS_H

#include "fairtrain.h"

/* The registry's rerank functions (struct ft_method.rerank): FA*IR, and
 * DetGreedy / DetCons / DetRelaxed / DetConstSort (by the row's name). */
int ft_rerank_fair(const struct ft_method_spec *s, const double *score,
                   const int32_t *group, size_t n, size_t n_groups,
                   int32_t protected_group, size_t *order, size_t *k, int *flags,
                   struct ft_error *err);
int ft_rerank_det(const struct ft_method_spec *s, const double *score,
                  const int32_t *group, size_t n, size_t n_groups,
                  int32_t protected_group, size_t *order, size_t *k, int *flags,
                  struct ft_error *err);
/* Multinomial FA*IR (mfair.c) and Singh & Joachims' exposure LP with a
 * sampled ranking (exposure.c). */
int ft_rerank_mfair(const struct ft_method_spec *s, const double *score,
                    const int32_t *group, size_t n, size_t n_groups,
                    int32_t protected_group, size_t *order, size_t *k, int *flags,
                    struct ft_error *err);
int ft_rerank_exposure(const struct ft_method_spec *s, const double *score,
                       const int32_t *group, size_t n, size_t n_groups,
                       int32_t protected_group, size_t *order, size_t *k, int *flags,
                       struct ft_error *err);
/* LiFT's equality-of-opportunity re-ranking (eopp.c): the items by their
 * scores mapped through s->eopp (fitted on the training part by
 * ft_run_fit_eopp), all n of them; FT_EINVAL when s->eopp is NULL. */
int ft_rerank_eopp(const struct ft_method_spec *s, const double *score,
                   const int32_t *group, size_t n, size_t n_groups,
                   int32_t protected_group, size_t *order, size_t *k, int *flags,
                   struct ft_error *err);

/* What FT_RERANK_SHORT means for re-ranker m, as the end of a sentence
 * "N of M queries ..." (static). */
const char *ft_rerank_short_text(const struct ft_method *m);

/* Is re-ranker rr usable with n_groups groups (two-group FA*IR, one
 * proportion per group)?  0, or FT_EINVAL naming the reason. */
int ft_rerank_check_groups(const struct ft_method_spec *rr, size_t n_groups,
                           struct ft_error *err);
/* The orders of every query of rd (order[qoff[q] + r] = the item of query
 * q, 0-based within it, at rank r + 1): by score s when rr is NULL, else
 * re-ranked by rr (kq, when not NULL, gets each query's k; *n_short, when
 * not NULL, counts the queries flagged FT_RERANK_SHORT).  Equal scores keep
 * the input order, or with ties = FT_TIE_RANDOM every query's items are
 * first put in a random order drawn from ft_seed_of_text(seed, its id)
 * (the order ft_rank_order_ties gives; a re-ranker sees them so).  A
 * re-ranker needs every item's group: rd->group set, no -1 (FT_EDATA
 * naming the line). */
int ft_rank_orders(const struct ft_rank_data *rd, const double *s,
                   const struct ft_method_spec *rr, int32_t protected_group, int ties,
                   uint64_t seed, size_t *order, size_t *kq, size_t *n_short,
                   struct ft_error *err);

#endif
