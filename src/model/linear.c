/*
 * linear.c - what every struct ft_linear_model can do once fitted: free
 * itself, score rows (x.w + b) and turn scores into probabilities.
 *
 * Scoring reads only the non-zeros of each row (dense numeric block plus one
 * code per categorical column).  It does not fit, check or encode anything.
 */
#include <stdlib.h>
#include "fairtrain.h"
#include "model/model.h"

void ft_linear_model_free(struct ft_linear_model *m)
{
	if (!m)
		return;
	free(m->coef);
	free(m);
}

/* Contract: d was encoded by the encoder the model was trained with, so
 * d->p == m->p.  Defensively, numeric columns and codes outside the model's
 * p features contribute nothing rather than reading past coef. */
void ft_linear_decision(const struct ft_linear_model *m,
                        const struct ft_dataset *d, double *out)
{
	size_t nn = d->n_num < m->p ? d->n_num : m->p;

	for (size_t i = 0; i < d->n; i++) {
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

void ft_linear_predict_proba(const struct ft_linear_model *m,
                             const struct ft_dataset *d, double *out)
{
	ft_linear_decision(m, d, out);
	for (size_t i = 0; i < d->n; i++)
		out[i] = ft_sigmoid(out[i]);
}
