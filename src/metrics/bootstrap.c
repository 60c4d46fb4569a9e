/*
 * bootstrap.c - the nonparametric bootstrap of every fairness summary by
 * resampling counts, not rows.
 *
 * The ordinary bootstrap draws n rows with replacement from the n rows.
 * Every summary here depends on the rows only through a few sums per
 * stratum (group, or the rows without a group):
 *   - rate metrics and GE / Theil: the weights of the four (y, yhat) cells;
 *   - the AUC gap: per score bin, the weights of positives and negatives.
 * Partition the rows into "fine cells" (stratum, score bin, y, weight value);
 * yhat is a function of the bin because the threshold is a bin edge.  Under
 * row resampling the numbers of draws that land in the K cells are exactly
 * Multinomial(n; n_1/n, ..., n_K/n), and the resampled weight of a cell is
 * (draws) x (its weight value).  So one resample costs one multinomial draw
 * over K cells (K - 1 conditional binomials, sample.c) instead of n random
 * row indices: at most 11 strata x 201 bins x 2 labels = 4,422 cells for
 * 10 groups (4,011 are non-empty in `make bench`), whatever n is.
 *
 * Weights: the cells are refined by weight value while a (stratum, bin, y)
 * cell holds at most FT_BOOT_MAX_WEIGHTS distinct weights (reweighing gives
 * one per (group, label)); a cell with more keeps the list of its rows'
 * weights, and a resample sums the weights of m rows drawn uniformly with
 * replacement from the list, m being the cell's multinomial count.  That is
 * still exactly the row bootstrap (given the cell counts, the rows drawn
 * within a cell are i.i.d. uniform on it), only as slow as resampling rows
 * for those cells.
 *
 * Randomized classifiers (in->pos set; metrics.h, struct ft_conf): a row
 * adds w pos to its (y, 1) cell and w (1 - pos) to its (y, 0) cell, and
 * yhat is no longer a function of the bin.  The fine cells are then refined
 * by (weight, pos) pairs, exactly as by weight alone above: at most
 * FT_BOOT_MAX_WEIGHTS distinct pairs per (stratum, bin, y), else a row-list
 * cell holding each row's weight, pos and Theil term.  A refined cell
 * drawn m times adds m w pos and m w (1 - pos) (and m times its GE / Theil
 * terms); a row-list cell adds the drawn rows' own values.  The argument
 * above is unchanged (every row of a fine cell contributes the same
 * amounts), so this is still exactly the row bootstrap in distribution.
 * With pos[i] = 1[score_i >= threshold] the cells, the draws and every sum
 * are those of pos = NULL bit for bit (w 1 = w, the other cell gets + 0).
 * The threshold stays a bin edge with pos set: harmless, and it keeps those
 * bins identical.  pos = NULL keeps its own accumulation loop, untouched.
 *
 * The AUC in a resample is computed from the binned scores, pairs within a
 * bin counting 1/2: FT_BOOT_BINS bins of equal frequency in the pooled
 * scores (ties never split; the threshold is an extra edge), or one bin per
 * distinct score when there are no more than that, in which case it is the
 * exact AUC.  The point estimate of the AUC gap stays exact (metrics.c).
 *
 * Resample b draws from its own xoshiro256** stream seeded from (seed, b),
 * so OpenMP may run resamples on any number of threads and the results are
 * the same bits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "metrics/metrics.h"
#include "metrics/sample.h"

#define FT_BOOT_MAX_WEIGHTS 16
/* Resamples a thread draws together (ft_boot_run): four took
 * bench_bootstrap from 0.35 to 0.28 s, eight no further. */
#define BOOT_GROUP 4
_Static_assert(BOOT_GROUP <= FT_SAMPLE_MAX_STREAMS, "ft_sample_multinomial_n's streams");

struct ft_boot {
	size_t G, S, T, nb;      /* groups, strata (G + 1), targets (G + 3), bins */
	long priv;
	uint64_t n;              /* rows */
	size_t K;                /* fine cells */
	uint64_t *cnt;           /* K: rows in the cell */
	double *wv;              /* K: the weight value (refined cells) */
	int rand;                /* in->pos was set: the next five are used */
	double *pv;              /* K: the pos value (refined cells) */
	double *bv, *bj;         /* K: its benefit terms, ft_benefit_terms */
	double *lp, *lbj;        /* per row-list row: pos and its Theil term (the
	                            variance term w p (1 - p) is recomputed) */
	uint32_t *stratum;       /* K */
	uint32_t *bin;           /* K */
	uint8_t *cell;           /* K: 2 y + yhat (2 y when rand) */
	size_t *loff;            /* K + 1: row-list cells own lw[loff[c] .. loff[c+1]) */
	double *lw;
	size_t n_list;
	uint8_t *pool;           /* S: stratum belongs to the unprivileged pool */
	const uint8_t *present;  /* set by ft_boot_run */
};

void ft_boot_free(struct ft_boot *b)
{
	if (!b)
		return;
	free(b->cnt);
	free(b->wv);
	free(b->pv);
	free(b->bv);
	free(b->bj);
	free(b->lp);
	free(b->lbj);
	free(b->stratum);
	free(b->bin);
	free(b->cell);
	free(b->loff);
	free(b->lw);
	free(b->pool);
	free(b);
}

void ft_boot_info(const struct ft_boot *b, size_t *cells, size_t *list_cells,
                  size_t *bins)
{
	*cells = b->K;
	*list_cells = b->n_list;
	*bins = b->nb;
}

/* Grow one of the per-cell double arrays. */
static int grow(double **a, size_t nc)
{
	double *p = realloc(*a, nc * sizeof *p);

	if (!p)
		return FT_ENOMEM;
	*a = p;
	return 0;
}

/* Append a cell (pv: its pos value, ignored unless b->rand); capacity grows
 * by doubling. */
static int add_cell(struct ft_boot *b, size_t *cap, uint64_t cnt, double w, double pv,
                    uint32_t s, uint32_t bin, uint8_t cell, size_t l0, size_t l1)
{
	if (b->K == *cap) {
		size_t nc = *cap ? 2 * *cap : 1024;
		uint64_t *c = realloc(b->cnt, nc * sizeof *c);
		double *wv;
		uint32_t *st, *bn;
		uint8_t *ce;
		size_t *lo;

		if (!c)
			return FT_ENOMEM;
		b->cnt = c;
		if (!(wv = realloc(b->wv, nc * sizeof *wv)))
			return FT_ENOMEM;
		b->wv = wv;
		if (!(st = realloc(b->stratum, nc * sizeof *st)))
			return FT_ENOMEM;
		b->stratum = st;
		if (!(bn = realloc(b->bin, nc * sizeof *bn)))
			return FT_ENOMEM;
		b->bin = bn;
		if (!(ce = realloc(b->cell, nc)))
			return FT_ENOMEM;
		b->cell = ce;
		if (!(lo = realloc(b->loff, (nc + 1) * sizeof *lo)))
			return FT_ENOMEM;
		b->loff = lo;
		if (b->rand && (grow(&b->pv, nc) || grow(&b->bv, nc) || grow(&b->bj, nc)))
			return FT_ENOMEM;
		*cap = nc;
	}
	if (b->rand) {
		b->pv[b->K] = pv;
		ft_benefit_terms(cell >> 1, w, pv, &b->bv[b->K], &b->bj[b->K]);
	}
	b->cnt[b->K] = cnt;
	b->wv[b->K] = w;
	b->stratum[b->K] = s;
	b->bin[b->K] = bin;
	b->cell[b->K] = cell;
	b->loff[b->K] = l0;
	b->loff[b->K + 1] = l1;
	b->K++;
	return 0;
}

int ft_boot_build(const struct ft_eval_input *in, const uint32_t *order,
                  size_t nbins, struct ft_boot **out)
{
	struct ft_sorted v;
	int rc;

	*out = NULL;
	if ((rc = ft_sorted_make(in, order, &v)) != 0)
		return rc;
	rc = ft_boot_build_sorted(in, &v, nbins, out);
	ft_sorted_free(&v);
	return rc;
}

int ft_boot_build_sorted(const struct ft_eval_input *in, const struct ft_sorted *sv,
                         size_t nbins, struct ft_boot **out)
{
	struct ft_boot *b = NULL;
	size_t n = sv->n, S = in->n_groups + 1, distinct = 0, nb = 0, nkeys, cap = 0;
	uint32_t *pbin = NULL;       /* bin of each sorted position */
	const double *ss = sv->score; /* the scores in sorted order */
	uint8_t *yhat = NULL;        /* per bin */
	size_t *kcnt = NULL, *koff = NULL;
	uint32_t *krow = NULL;       /* sorted positions grouped by key (weighted data) */
	/* sv->w is NULL when every weight is 1 */
	int unit = !in->pos && !sv->w, rc = FT_ENOMEM;

	*out = NULL;
	b = calloc(1, sizeof *b);
	pbin = malloc((n ? n : 1) * sizeof *pbin);
	yhat = calloc(nbins + 2, 1);
	if (!b || !pbin || !yhat)
		goto done;
	b->G = in->n_groups;
	b->S = S;
	b->T = FT_N_TARGETS(b->G);
	b->priv = in->privileged;
	b->n = n;
	b->rand = in->pos != NULL;
	b->pool = calloc(S, 1);
	b->loff = calloc(1, sizeof *b->loff);
	if (!b->pool || !b->loff)
		goto done;
	for (size_t s = 0; s < b->G; s++)
		b->pool[s] = b->priv >= 0 && s != (size_t)b->priv;

	/* bins: one per distinct score when there are few; else a new bin
	 * starts at a change of value once the position passes the next of
	 * the equal-frequency cut points k n / nbins, or where the score
	 * crosses the threshold (so yhat is constant in a bin) */
	for (size_t i = 0; i < n; i++)
		distinct += i == 0 || ss[i] != ss[i - 1];
	{
		size_t k = 1, next = distinct <= nbins ? 0 : n / nbins;
		double t = in->threshold;

		for (size_t i = 0; i < n; i++) {
			double v = ss[i];

			if (i > 0 && v != ss[i - 1]) {
				double pv = ss[i - 1];
				if (distinct <= nbins || i >= next || (pv < t && v >= t)) {
					nb++;
					while (k < nbins && next <= i) {
						k++;
						next = k < nbins ? (size_t)((double)k * (double)n / (double)nbins) : n;
					}
					if (k >= nbins && next <= i)
						next = n;
				}
			}
			if (i == 0 || pbin[i - 1] != nb)
				yhat[nb] = v >= t;
			pbin[i] = (uint32_t)nb;
		}
		nb = n ? nb + 1 : 0;
	}
	b->nb = nb;

	/* count the rows of each key (bin, stratum, y), key = (bin S + s) 2 + y */
	nkeys = nb * S * 2;
	kcnt = calloc(nkeys ? nkeys : 1, sizeof *kcnt);
	if (!kcnt)
		goto done;
	for (size_t i = 0; i < n; i++)
		kcnt[(size_t)pbin[i] * S * 2 + ft_sorted_sy(sv, i)]++;
	if (!unit) {
		/* counting sort of the rows by key, then each key's weights */
		koff = malloc((nkeys + 1) * sizeof *koff);
		krow = malloc((n ? n : 1) * sizeof *krow);
		b->lw = malloc((n ? n : 1) * sizeof *b->lw);
		if (!koff || !krow || !b->lw)
			goto done;
		if (b->rand) {
			b->lp = malloc((n ? n : 1) * sizeof *b->lp);
			b->lbj = malloc((n ? n : 1) * sizeof *b->lbj);
			if (!b->lp || !b->lbj)
				goto done;
		}
		koff[0] = 0;
		for (size_t k = 0; k < nkeys; k++)
			koff[k + 1] = koff[k] + kcnt[k];
		for (size_t i = 0; i < n; i++) {
			size_t k = (size_t)pbin[i] * S * 2 + ft_sorted_sy(sv, i);
			krow[koff[k] + --kcnt[k]] = (uint32_t)i;
		}
		for (size_t k = 0; k < nkeys; k++)
			kcnt[k] = koff[k + 1] - koff[k];
	}
	for (size_t k = 0; k < nkeys; k++) {
		uint32_t bin = (uint32_t)(k / 2 / S), s = (uint32_t)(k / 2 % S);
		uint8_t y = (uint8_t)(k % 2), cell = (uint8_t)(2 * y + yhat[bin]);
		size_t l = b->loff[b->K];

		if (kcnt[k] == 0)
			continue;
		if (b->rand)
			cell = (uint8_t)(2 * y);    /* yhat comes from pos */
		if (unit) {
			if ((rc = add_cell(b, &cap, kcnt[k], 1.0, NAN, s, bin, cell, l, l)) != 0)
				goto done;
			continue;
		}
		{
			/* distinct (weight, pos) pairs in row order; pos is 0
			 * without in->pos, so this is by weight alone */
			double val[FT_BOOT_MAX_WEIGHTS], pval[FT_BOOT_MAX_WEIGHTS];
			uint64_t vc[FT_BOOT_MAX_WEIGHTS];
			size_t nv = 0;

			for (size_t j = koff[k]; j < koff[k + 1] && nv <= FT_BOOT_MAX_WEIGHTS; j++) {
				double w = sv->w ? sv->w[krow[j]] : 1.0;
				double p = sv->pos ? sv->pos[krow[j]] : 0.0;
				size_t v = 0;

				while (v < nv && (val[v] != w || pval[v] != p))
					v++;
				if (v == nv) {
					if (nv == FT_BOOT_MAX_WEIGHTS) {
						nv++;       /* too many: a row-list cell */
						break;
					}
					val[nv] = w;
					pval[nv] = p;
					vc[nv++] = 0;
				}
				vc[v]++;
			}
			if (nv <= FT_BOOT_MAX_WEIGHTS) {
				for (size_t v = 0; v < nv; v++)
					if ((rc = add_cell(b, &cap, vc[v], val[v], pval[v], s, bin, cell,
					                   l, l)) != 0)
						goto done;
			} else {
				size_t m = koff[k + 1] - koff[k];

				for (size_t j = 0; j < m; j++) {
					size_t r = krow[koff[k] + j];

					b->lw[l + j] = sv->w ? sv->w[r] : 1.0;
					if (b->rand) {
						double bv;

						b->lp[l + j] = sv->pos[r];
						ft_benefit_terms(y, b->lw[l + j], sv->pos[r], &bv,
						                 &b->lbj[l + j]);
					}
				}
				if ((rc = add_cell(b, &cap, m, NAN, NAN, s, bin, cell, l, l + m)) != 0)
					goto done;
				b->n_list++;
			}
		}
	}
	*out = b;
	b = NULL;
	rc = 0;
done:
	ft_boot_free(b);
	free(pbin);
	free(yhat);
	free(kcnt);
	free(koff);
	free(krow);
	return rc;
}

/* ---------------------------------------------------------- resample */

/* Scratch of one thread. */
struct scratch {
	double *hist;      /* T x nb x 2: per target and bin, (neg, pos) weight */
	struct ft_conf *conf;
	double *auc;
};

static void scratch_free(struct scratch *w)
{
	if (!w)
		return;
	free(w->hist);
	free(w->conf);
	free(w->auc);
	free(w);
}

static struct scratch *scratch_new(const struct ft_boot *b)
{
	struct scratch *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->hist = malloc((b->T * b->nb * 2 + 1) * sizeof *w->hist);
	w->conf = malloc(b->T * sizeof *w->conf);
	w->auc = malloc(b->T * sizeof *w->auc);
	if (!w->hist || !w->conf || !w->auc) {
		scratch_free(w);
		return NULL;
	}
	return w;
}

/* AUC of one target's interleaved histogram h[2 k] = neg, h[2 k + 1] = pos. */
static double auc_hist(const double *h, size_t nb)
{
	double num = 0, below = 0, P = 0;

	for (size_t k = 0; k < nb; k++) {
		num += h[2 * k + 1] * (below + 0.5 * h[2 * k]);
		below += h[2 * k];
		P += h[2 * k + 1];
	}
	return P > 0 && below > 0 ? num / (P * below) : NAN;
}

/* The score histograms get weight W of label y in bin `bin` of stratum s:
 * the stratum's, the overall and (unprivileged strata) the pool's. */
static inline void add_hist(const struct ft_boot *b, struct scratch *w, size_t s,
                            size_t bin, int y, double W)
{
	size_t nb = b->nb;

	w->hist[(s * nb + bin) * 2 + y] += W;
	w->hist[(FT_T_OVERALL(b->G) * nb + bin) * 2 + y] += W;
	if (b->pool[s])
		w->hist[(FT_T_POOL(b->G) * nb + bin) * 2 + y] += W;
}

/* The targets and AUCs from the strata's cells and histograms. */
static void finish(const struct ft_boot *b, struct scratch *w)
{
	ft_targets_from_strata(w->conf, b->G, b->priv);
	for (size_t t = 0; t < b->T; t++)
		w->auc[t] = auc_hist(w->hist + t * b->nb * 2, b->nb);
}

/* Sums of the targets from the draws m (full data: m = cnt). */
static void accumulate(const struct ft_boot *b, const uint64_t *m, struct ft_rng *r,
                       struct scratch *w)
{
	memset(w->hist, 0, b->T * b->nb * 2 * sizeof *w->hist);
	memset(w->conf, 0, b->T * sizeof *w->conf);
	for (size_t c = 0; c < b->K; c++) {
		size_t s = b->stratum[c], bin = b->bin[c];
		int cell = b->cell[c], y = cell >> 1;
		double W;

		if (m[c] == 0)
			continue;
		if (b->loff[c + 1] > b->loff[c]) {
			/* row-list cell: m rows drawn uniformly from the cell */
			const double *lw = b->lw + b->loff[c];
			uint64_t len = b->loff[c + 1] - b->loff[c];

			W = 0;
			if (m[c] == b->cnt[c] && !r) {
				for (uint64_t j = 0; j < len; j++)
					W += lw[j];
			} else {
				for (uint64_t j = 0; j < m[c]; j++)
					W += lw[ft_rng_below(r, len)];
			}
		} else {
			W = (double)m[c] * b->wv[c];
		}
		add_hist(b, w, s, bin, y, W);
		w->conf[s].w[cell] += W;
		w->conf[s].c[cell] += (double)m[c];
	}
	finish(b, w);
}

/* accumulate() for a randomized classifier: a cell's draws split between
 * yhat = 0 and 1 by pos (struct ft_conf); counts go to every cell a drawn
 * row can land in; the score histogram sees the whole weight. */
static void accumulate_rand(const struct ft_boot *b, const uint64_t *m, struct ft_rng *r,
                            struct scratch *w)
{
	memset(w->hist, 0, b->T * b->nb * 2 * sizeof *w->hist);
	memset(w->conf, 0, b->T * sizeof *w->conf);
	for (size_t c = 0; c < b->K; c++) {
		size_t s = b->stratum[c], bin = b->bin[c];
		int y = b->cell[c] >> 1;
		double W, W1, W0, V, J, n1, n0;
		struct ft_conf *cf = &w->conf[s];

		if (m[c] == 0)
			continue;
		if (b->loff[c + 1] > b->loff[c]) {
			/* row-list cell: m rows drawn uniformly from the cell;
			 * w p (1 - p) is ft_benefit_terms' bvar (0 for p = 0, 1)
			 * without a third array to miss in the cache */
			size_t l = b->loff[c];
			uint64_t len = b->loff[c + 1] - l;
			int all = m[c] == b->cnt[c] && !r;
			const double *lw = b->lw + l, *lp = b->lp + l, *lj = b->lbj + l;

			W = W1 = W0 = V = J = n1 = n0 = 0;
			for (uint64_t j = 0; j < m[c]; j++) {
				uint64_t i = all ? j : ft_rng_below(r, len);
				double wi = lw[i], p = lp[i];

				W += wi;
				W1 += wi * p;
				W0 += wi * (1 - p);
				V += wi * (p * (1 - p));
				J += lj[i];
				n1 += p > 0;
				n0 += p < 1;
			}
		} else {
			double dm = (double)m[c], wv = b->wv[c], p = b->pv[c];

			/* the same per-row terms as ft_conf_add_row, m times */
			W = dm * wv;
			W1 = dm * (wv * p);
			W0 = dm * (wv * (1 - p));
			V = dm * b->bv[c];
			J = dm * b->bj[c];
			n1 = p > 0 ? dm : 0;
			n0 = p < 1 ? dm : 0;
		}
		add_hist(b, w, s, bin, y, W);
		cf->w[2 * y + 1] += W1;
		cf->w[2 * y] += W0;
		cf->c[2 * y + 1] += n1;
		cf->c[2 * y] += n0;
		cf->bvar += V;
		cf->bjen += J;
	}
	finish(b, w);
}

/* The sums of one resample (or of the full data: m = cnt, r = NULL). */
static void resample_sums(const struct ft_boot *b, const uint64_t *m, struct ft_rng *r,
                          struct scratch *w)
{
	if (b->rand)
		accumulate_rand(b, m, r, w);
	else
		accumulate(b, m, r, w);
}

int ft_boot_full(const struct ft_boot *b, struct ft_conf *conf, double *auc)
{
	struct scratch *w = scratch_new(b);

	if (!w)
		return FT_ENOMEM;
	resample_sums(b, b->cnt, NULL, w);
	if (conf)
		memcpy(conf, w->conf, b->T * sizeof *conf);
	if (auc)
		memcpy(auc, w->auc, b->T * sizeof *auc);
	scratch_free(w);
	return 0;
}

/* A seed per resample: splitmix64's finalizer of (seed, b), so streams of
 * neighbouring resamples share nothing. */
static uint64_t stream_seed(uint64_t seed, uint64_t b)
{
	uint64_t z = seed ^ (0x9e3779b97f4a7c15ULL * (b + 1));

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int ft_boot_run(const struct ft_boot *b, const uint8_t *present,
                size_t n_slots, const int *metric, const int *conv,
                size_t n_boot, uint64_t seed, struct ft_fval *out)
{
	int failed = 0;

	/* a resample costs about 16 units a cell (a binomial draw and the
	 * sums); a few thousand cells of small data are not worth the threads.
	 * A thread takes BOOT_GROUP resamples at a time and draws their
	 * multinomials together (ft_sample_multinomial_n: the same bits as
	 * one at a time, each from its own stream). */
	size_t n_groups = (n_boot + BOOT_GROUP - 1) / BOOT_GROUP;

	#pragma omp parallel if (ft_parallel_worth(n_boot * b->K * 16))
	{
		struct scratch *w = scratch_new(b);
		uint64_t *m[BOOT_GROUP], *mbuf = malloc(BOOT_GROUP * (b->K ? b->K : 1) * sizeof *mbuf);
		struct ft_fval vals[FT_N_FAIRNESS * FT_N_CONV];

		if (!w || !mbuf) {
			#pragma omp atomic write
			failed = 1;
		}
		for (size_t j = 0; j < BOOT_GROUP; j++)
			m[j] = mbuf ? mbuf + j * (b->K ? b->K : 1) : NULL;
		#pragma omp for schedule(dynamic, 1)
		for (size_t gi = 0; gi < n_groups; gi++) {
			struct ft_rng r[BOOT_GROUP];
			size_t i0 = gi * BOOT_GROUP, R = n_boot - i0 < BOOT_GROUP ? n_boot - i0 : BOOT_GROUP;

			if (!w || !mbuf)
				continue;
			for (size_t j = 0; j < R; j++)
				ft_rng_seed(&r[j], stream_seed(seed, i0 + j));
			ft_sample_multinomial_n(r, R, b->n, b->cnt, b->K, b->n, m);
			for (size_t j = 0; j < R; j++) {
				struct ft_fstats st;

				resample_sums(b, m[j], &r[j], w);
				st.G = b->G;
				st.priv = b->priv;
				st.present = present;
				st.conf = w->conf;
				st.auc = w->auc;
				ft_fair_eval(&st, n_slots, metric, conv, vals);
				for (size_t k = 0; k < n_slots; k++)
					out[k * n_boot + i0 + j] = vals[k];
			}
		}
		free(mbuf);
		scratch_free(w);
	}
	return failed ? FT_ENOMEM : 0;
}
