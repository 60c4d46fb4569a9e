/*
 * linear.c - what every struct ft_linear_model can do once fitted: free
 * itself, score rows (x.w + b) and turn scores into probabilities.
 *
 * Scoring reads only the non-zeros of each row (dense numeric block plus one
 * code per categorical column).  It does not fit, check or encode anything.
 *
 * Per-group models (m->n_groups > 0, the prejudice remover's model of
 * Kamishima et al. 2012, sec. 4.1) score row i with the weight vector of its
 * group g = d->group[i]: x_i . group_coef[g] + group_intercept[g].  A row
 * whose group is unknown (d->group NULL, -1, or >= n_groups) scores NaN, so
 * that no caller mistakes it for a prediction.  The shared-model loop is
 * kept separate and unchanged, so the common path pays nothing for this.
 */
#include <math.h>
#include <stdlib.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "model/model.h"

void ft_linear_model_free(struct ft_linear_model *m)
{
	if (!m)
		return;
	free(m->coef);
	free(m->group_coef);
	free(m->group_intercept);
	free(m);
}

/* Contract: d was encoded by the encoder the model was trained with, so
 * d->p == m->p.  Defensively, numeric columns and codes outside the model's
 * p features contribute nothing rather than reading past coef. */
static double row_score(const struct ft_dataset *d, size_t i, size_t nn,
                        size_t p, const double *coef, double b)
{
	double s = b;

	if (nn > 0) {
		const double *xi = d->num + i * d->n_num;
		for (size_t j = 0; j < nn; j++)
			s += xi[j] * coef[j];
	}
	if (d->n_cat > 0) {
		const int32_t *ci = d->code + i * d->n_cat;
		for (size_t c = 0; c < d->n_cat; c++)
			if (ci[c] >= 0 && (size_t)ci[c] < p)
				s += coef[ci[c]];
	}
	return s;
}

/* Rows lo .. hi-1 of d into out, each row with its own vector: the
 * group's (per-group models; NaN when the group is unknown) or the shared
 * one; then their sigmoids when proba is set. */
static void score_rows(const struct ft_linear_model *m, const struct ft_dataset *d,
                       size_t nn, size_t lo, size_t hi, int proba, double *out)
{
	if (m->n_groups > 0) {
		for (size_t i = lo; i < hi; i++) {
			int32_t g = d->group ? d->group[i] : -1;
			if (g < 0 || (size_t)g >= m->n_groups || !m->group_coef ||
			    !m->group_intercept) {
				out[i] = NAN;
				continue;
			}
			out[i] = row_score(d, i, nn, m->p, m->group_coef + (size_t)g * m->p,
			                   m->group_intercept[g]);
		}
	} else {
		for (size_t i = lo; i < hi; i++) {
			double s = m->intercept;
			if (nn > 0) {
				const double *xi = d->num + i * d->n_num;
				for (size_t j = 0; j < nn; j++)
					s += xi[j] * m->coef[j];
			}
			if (d->n_cat > 0) {
				const int32_t *ci = d->code + i * d->n_cat;
				for (size_t c = 0; c < d->n_cat; c++)
					if (ci[c] >= 0 && (size_t)ci[c] < m->p)
						s += m->coef[ci[c]];
			}
			out[i] = s;
		}
	}
	if (proba)
		for (size_t i = lo; i < hi; i++)
			out[i] = ft_sigmoid(out[i]);
}

/* Every row's score is its own, computed the same way whichever thread
 * takes its block, so the scores are the same bits for any thread count.
 * Blocks of SCORE_BLOCK rows, dynamic: a thread that other work on the
 * machine holds up keeps one block, not half the rows; below
 * ft_parallel_worth's work (rows x values read) the calling thread alone. */
#define SCORE_BLOCK 8192
static void score_all(const struct ft_linear_model *m, const struct ft_dataset *d,
                      int proba, double *out)
{
	size_t nn = d->n_num < m->p ? d->n_num : m->p, n = d->n;
	size_t nb = (n + SCORE_BLOCK - 1) / SCORE_BLOCK;

	#pragma omp parallel for schedule(dynamic, 1) \
		if (nb > 1 && ft_get_threads() > 1 && ft_parallel_worth(n * (nn + d->n_cat + 1)))
	for (size_t b = 0; b < nb; b++) {
		size_t lo = b * SCORE_BLOCK, hi = lo + SCORE_BLOCK < n ? lo + SCORE_BLOCK : n;
		score_rows(m, d, nn, lo, hi, proba, out);
	}
}

void ft_linear_decision(const struct ft_linear_model *m,
                        const struct ft_dataset *d, double *out)
{
	score_all(m, d, 0, out);
}

void ft_linear_predict_proba(const struct ft_linear_model *m,
                             const struct ft_dataset *d, double *out)
{
	score_all(m, d, 1, out);
}
