/*
 * cmd_rank.c - fair ranking from the command line: `fairtrain train --task
 * rank` (ranking data from CSV or LETOR -> linear ranker with a fairness
 * method, beside it the unmitigated baseline -> optional re-ranking ->
 * ranking metrics before/after -> HDF5 model file), and `predict` / `eval`
 * of a ranking model file (cmd_predict.c and cmd_eval.c hand a file with
 * /ranking to this file).
 *
 * The work is the library's: ListNet / RankNet and DELTR (Zehlike &
 * Castillo, WWW 2020) and the pairwise fairness regularizer / constraint
 * (Beutel et al., KDD 2019) in src/model/rank.c, src/fair/deltr.c and
 * src/fair/pairwise.c; FA*IR (Zehlike et al., CIKM 2017) and DetGreedy /
 * DetCons / DetRelaxed (Geyik, Ambler & Kenthapadi, KDD 2019) in
 * src/fair/rerank.c; the metrics in src/metrics/ranking.c.  This file reads
 * options and data, chains those calls, prints and writes.
 *
 * Choices made here (README.md, "Fair ranking"):
 *  - the baseline is the same loss, features and mode (reference or exact)
 *    as the method, without its fairness term; for listnet and ranknet the
 *    two are the same fit and share their rows;
 *  - every metric is computed per query and averaged over the queries where
 *    it is defined (ft_query_mean); skew@10 and NDKL take each query's own
 *    group proportions as the target;
 *  - relevance labels below 0 (LSAT's ZFYA is a z-score) give no gain in
 *    NDCG, and an item is relevant for precision and pairwise accuracy when
 *    its label is above 0; Kendall's tau compares scores with the labels as
 *    given;
 *  - a re-ranker orders each query's top k (k clipped to the query's size;
 *    the whole query when k is not given) from the mitigated model's
 *    scores; the other items follow in score order.  Metrics of the
 *    re-ranked model see that whole order; predict lists those items after
 *    the top k with an empty rank, since the re-ranker did not place them;
 *  - FA*IR: a query with fewer protected items than the table asks for gets
 *    all of them as early as the table asks and the rest by score (the
 *    table is capped at the protected count; a warning counts the queries);
 *    p defaults to the query's protected share, alpha to 0.1;
 *  - LETOR data are used as given (no standardization).  The model file
 *    keeps a pass-through numeric encoder with one column per feature index
 *    of the training file ("f1" .. "fP"); the protected group comes from
 *    one of them (--sensitive-feature, ft_rank_data_group_by_feature), and
 *    other files are aligned to those indices: a feature the file lacks is
 *    0, an index beyond P is ignored (with a warning).
 *
 * Not here: bootstrap intervals of ranking metrics (none are computed), a
 * per-query table in the model file (the averages are stored).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"

enum { OPT_TASK = OPT_CMD_BASE, OPT_FORMAT, OPT_QUERY, OPT_RELEVANCE,
       OPT_PROTECTED, OPT_SENS_FEATURE, OPT_METHOD, OPT_COLORBLIND,
       OPT_RERANK, OPT_NO_STD, OPT_OUT, OPT_QUIET, OPT_HELP };

static const char HELP[] =
"Usage: fairtrain train --task rank --data FILE --out M.h5\n"
"         (--query COL --relevance COL | --format letor) [--test FILE | --split FRAC]\n"
"         [--sensitive COL --protected VALUE] [--method SPEC] [--rerank SPEC]\n\n"
"Fit a linear ranker s = x.w, scored and sorted per query, with a fairness\n"
"method; beside it the unmitigated baseline (the same loss, features and mode\n"
"without the fairness term); optionally re-rank the top k of each query;\n"
"measure every model per query on the training and the test part (NDCG,\n"
"precision, Kendall's tau, exposure, skew, NDKL, rND/rKL/rRD, pairwise\n"
"accuracy; averaged over the queries) and save models, preprocessing,\n"
"provenance and the before/after table to one HDF5 file (atomically).\n\n"
"Data:\n"
"  --format csv|letor     csv (default): a table, read as for classification;\n"
"                         letor: LETOR / SVMlight lines 'REL qid:Q 1:V 2:V ...'\n"
"  --data FILE            training data\n"
"  --test FILE            separate test file (same format)\n"
"  --split FRAC           else hold out FRAC of the queries as test (default\n"
"                         0.25; 0 = no test part); a query stays in one part\n"
"  --seed N               seed of the split (default 1)\n"
"  --names, --header, --no-header, --delimiter, --skip-rows, --test-skip-rows,\n"
"  --missing-tokens, --missing, --filter, --drop, --categorical, --numeric\n"
"                         as for classification ('fairtrain train --help'; csv)\n"
"  --query COL            the query-id column (csv; required)\n"
"  --relevance COL        the graded relevance column, a number (csv; required)\n"
"  --sensitive COL[,COL]  the group column(s) (csv)\n"
"  --sensitive-feature I  letor: feature I (1-based) defines two groups,\n"
"                         protected where its value is --protected\n"
"  --protected VALUE      the protected group: a group name (csv) or the value\n"
"                         of feature I (letor); required with groups\n"
"  --colorblind           the sensitive attribute is not a feature (by default\n"
"                         it is one, as in DELTR)\n"
"  --no-standardize       use numeric columns as given (csv; letor always is)\n"
"Model:\n"
"  --method SPEC          listnet (default), ranknet,\n"
"                         deltr[:gamma=G,reference=1,iterations=N,lr=E],\n"
"                         pair-reg[:lambda=L], pair-con[:c=C,max_outer=N];\n"
"                         every method takes l2=, doc_weight=, max_iter=; the\n"
"                         fair ones loss=listnet|ranknet.  reference=1: the\n"
"                         DELTR authors' gradient-descent loop\n"
"Re-ranking (after scoring, per query; needs groups):\n"
"  --rerank SPEC          fair[:p=P,alpha=A,adjust=1,k=K]   FA*IR top k\n"
"                         det_greedy|det_cons|det_relaxed[:p=P,k=K]\n"
"                         p: the protected share (default: the query's own);\n"
"                         det also takes p=a/b/.. (one per group, in group\n"
"                         order); alpha: FA*IR's level (0.1), adjust=1 its\n"
"                         multiple-testing correction; k: default the query\n"
"Output:\n"
"  --out FILE.h5          model file (required)\n"
"  --report FILE          also write the table: FILE.json, FILE.md or FILE.csv\n"
"  --quiet                no summary or warnings\n";

const char *cli_find_task(int argc, char **argv)
{
	const char *task = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--task") && i + 1 < argc)
			task = argv[++i];
		else if (!strncmp(argv[i], "--task=", 7))
			task = argv[i] + 7;
	}
	return task;
}

/* ------------------------------------------------------------ re-rankers */

enum { RR_NONE = 0, RR_FAIR, RR_DET };
#define RR_MAX_P 64

struct rerank {
	int kind;
	int algo;                /* RR_DET: enum ft_det */
	size_t n_p;              /* 0: per query; 1: the protected share; else
	                            one proportion per group */
	double p[RR_MAX_P];
	double alpha;            /* FA*IR's level */
	int adjust;              /* FA*IR's multiple-testing adjustment */
	size_t k;                /* 0: the whole query */
};

/* Parse "none", "fair[:...]" or "det_*[:...]" (see HELP); msg gets the
 * reason on failure. */
static int rerank_parse(const char *spec, struct rerank *rr, char *msg, size_t len)
{
	char buf[512], *colon, *tok, *save = NULL;
	unsigned seen = 0;

	memset(rr, 0, sizeof *rr);
	rr->alpha = 0.1;
	if (strlen(spec) >= sizeof buf) {
		snprintf(msg, len, "re-ranker spec too long");
		return -1;
	}
	strcpy(buf, spec);
	if (!*buf || !strcmp(buf, "none"))
		return 0;
	if ((colon = strchr(buf, ':')) != NULL)
		*colon = '\0';
	if (!strcmp(buf, "fair"))
		rr->kind = RR_FAIR;
	for (int a = 0; a < FT_N_DET; a++)
		if (!strcmp(buf, ft_det_name(a))) {
			rr->kind = RR_DET;
			rr->algo = a;
		}
	if (!rr->kind) {
		snprintf(msg, len, "unknown re-ranker '%s' (fair, det_greedy, det_cons, "
		         "det_relaxed, none)", buf);
		return -1;
	}
	if (colon && !colon[1]) {
		snprintf(msg, len, "%s: nothing after ':'", buf);
		return -1;
	}
	for (tok = colon ? strtok_r(colon + 1, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *v;
		static const char *const KEYS[] = {"p", "alpha", "adjust", "k"};
		int key = -1;
		double x;

		if (eq) {
			*eq = '\0';
			for (int q = 0; q < 4; q++)
				if (!strcmp(tok, KEYS[q]))
					key = q;
		}
		if (!eq || key < 0 || (rr->kind == RR_DET && (key == 1 || key == 2))) {
			snprintf(msg, len, "%s: '%s' is not %s", buf, tok, rr->kind == RR_FAIR ?
			         "p=, alpha=, adjust= or k=" : "p= or k=");
			return -1;
		}
		if (seen & (1u << key)) {
			snprintf(msg, len, "%s: %s given twice", buf, tok);
			return -1;
		}
		seen |= 1u << key;
		v = eq + 1;
		if (key == 3) {
			if (cli_parse_size(v, &rr->k) || rr->k == 0) {
				snprintf(msg, len, "%s: k takes a positive integer, not '%s'", buf, v);
				return -1;
			}
		} else if (key == 0) {
			char *part, *save2 = NULL;
			double sum = 0;
			for (part = strtok_r(v, "/", &save2); part; part = strtok_r(NULL, "/", &save2)) {
				if (rr->n_p == RR_MAX_P || cli_parse_double(part, &x) || x < 0 || x > 1) {
					snprintf(msg, len, "%s: p takes proportions in [0, 1], not '%s'",
					         buf, part);
					return -1;
				}
				rr->p[rr->n_p++] = x;
				sum += x;
			}
			if (rr->n_p == 0 || (rr->n_p == 1 && !(rr->p[0] > 0 && rr->p[0] < 1))) {
				snprintf(msg, len, "%s: p takes the protected share in (0, 1)", buf);
				return -1;
			}
			if (rr->n_p > 1 && (rr->kind == RR_FAIR || fabs(sum - 1) > 1e-9)) {
				snprintf(msg, len, rr->kind == RR_FAIR ? "%s: p takes one number "
				         "(FA*IR has two groups)" : "%s: the proportions of p sum "
				         "to %g, not 1", buf, sum);
				return -1;
			}
		} else if (key == 1) {
			if (cli_parse_double(v, &rr->alpha) || !(rr->alpha > 0 && rr->alpha < 1)) {
				snprintf(msg, len, "%s: alpha takes a level in (0, 1), not '%s'", buf, v);
				return -1;
			}
		} else if (strcmp(v, "0") && strcmp(v, "1")) {
			snprintf(msg, len, "%s: adjust takes 0 or 1, not '%s'", buf, v);
			return -1;
		} else {
			rr->adjust = v[0] == '1';
		}
	}
	return 0;
}

/* The re-ranker against the data's groups; msg gets the reason. */
static int rerank_check(const struct rerank *rr, size_t n_groups, char *msg, size_t len)
{
	if (rr->kind == RR_NONE)
		return 0;
	if (n_groups > RR_MAX_P) {
		snprintf(msg, len, "re-ranking takes at most %d groups, not %zu", RR_MAX_P,
		         n_groups);
		return -1;
	}
	if (n_groups < 2) {
		snprintf(msg, len, "re-ranking needs groups (--sensitive or "
		         "--sensitive-feature, and --protected)");
		return -1;
	}
	if (rr->kind == RR_DET && rr->n_p == 1 && n_groups != 2) {
		snprintf(msg, len, "%s: p=%g gives the protected share, which fixes the "
		         "proportions only with two groups (there are %zu: give p=a/b/..)",
		         ft_det_name(rr->algo), rr->p[0], n_groups);
		return -1;
	}
	if (rr->kind == RR_DET && rr->n_p > 1 && rr->n_p != n_groups) {
		snprintf(msg, len, "%s: p gives %zu proportions for %zu groups",
		         ft_det_name(rr->algo), rr->n_p, n_groups);
		return -1;
	}
	return 0;
}

/* Re-rank one query of n items (scores s, groups g; G groups, protected
 * prot): order gets all n items, the re-ranker's top k first, then the
 * other items in score order; *k_out = k.  *short_p is set when FA*IR's
 * table asked for more protected items than the query holds.  DET needs
 * every item's group (the caller checks). */
static int rerank_query(const struct rerank *rr, const double *s, const int32_t *g,
                        size_t n, size_t G, int32_t prot, size_t *order,
                        size_t *k_out, int *short_p, struct ft_error *err)
{
	size_t k = rr->k && rr->k < n ? rr->k : n, *m = NULL, *all = NULL, at;
	unsigned char *used = NULL;
	double props[RR_MAX_P];
	int rc = 0;

	*k_out = k;
	*short_p = 0;
	if (n == 0)
		return 0;
	m = malloc(n * sizeof *m);
	all = malloc(n * sizeof *all);
	used = calloc(n, 1);
	if (!m || !all || !used) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = ft_rank_order(s, n, all, err)))
		goto done;
	if (rr->kind == RR_FAIR) {
		size_t np = 0;
		double p, a;
		for (size_t i = 0; i < n; i++)
			np += g[i] == prot;
		p = rr->n_p ? rr->p[0] : (double)np / (double)n;
		if (!(p > 0 && p < 1)) {
			/* no protected item, or nothing else: the score order */
			memcpy(order, all, k * sizeof *order);
		} else {
			rc = rr->adjust ? ft_fair_adjust_alpha(k, p, rr->alpha, &a, m, NULL, err) :
			     ft_fair_mtable(k, p, rr->alpha, m, err);
			for (size_t i = 0; !rc && i < k; i++)
				if (m[i] > np) {
					m[i] = np;
					*short_p = 1;
				}
			if (!rc)
				rc = ft_fair_rerank(s, g, n, prot, m, k, order, err);
		}
	} else {
		if (rr->n_p > 1) {
			memcpy(props, rr->p, G * sizeof *props);
		} else if (rr->n_p == 1) {
			props[prot] = rr->p[0];
			props[1 - prot] = 1 - rr->p[0];
		} else {
			memset(props, 0, G * sizeof *props);
			for (size_t i = 0; i < n; i++)
				props[g[i]] += 1.0 / (double)n;
		}
		rc = ft_det_rerank_items(rr->algo, s, g, n, G, props, k, order, err);
	}
	if (rc)
		goto done;
	for (size_t r = 0; r < k; r++)
		used[order[r]] = 1;
	at = k;
	for (size_t r = 0; r < n; r++)
		if (!used[all[r]])
			order[at++] = all[r];
done:
	free(m);
	free(all);
	free(used);
	return rc;
}

/* Orders of every query of rd (order[qoff[q] + r] = the item of query q,
 * 0-based within it, at rank r + 1): by score s, or re-ranked by rr (kq,
 * when not NULL, gets each query's k; *n_short counts FA*IR's short
 * queries). */
static int rank_orders(const struct ft_rank_data *rd, const double *s,
                       const struct rerank *rr, int32_t prot, size_t *order,
                       size_t *kq, size_t *n_short, struct ft_error *err)
{
	if (n_short)
		*n_short = 0;
	for (size_t q = 0; q < rd->n_queries; q++) {
		size_t lo = rd->qoff[q], n = rd->qoff[q + 1] - lo, k = n;
		int sh = 0, rc;
		if (rr && rr->kind != RR_NONE)
			rc = rerank_query(rr, s + lo, rd->group + lo, n, rd->n_groups, prot,
			                  order + lo, &k, &sh, err);
		else
			rc = ft_rank_order(s + lo, n, order + lo, err);
		if (rc)
			return rc;
		if (kq)
			kq[q] = k;
		if (n_short)
			*n_short += (size_t)sh;
	}
	return 0;
}

/* ---------------------------------------------------------------- metrics */

/* The rows of the comparison, in this order: name, one row per group (1)
 * or one "overall" row (0), needs groups. */
static const struct {
	const char *name;
	int per_group, groups;
} METRICS[] = {
	{"ndcg@10", 0, 0}, {"ndcg", 0, 0}, {"precision@10", 0, 0},
	{"kendall_tau", 0, 0}, {"exposure", 1, 1}, {"exposure_ratio", 0, 1},
	{"skew@10", 1, 1}, {"ndkl", 0, 1}, {"rnd", 0, 1}, {"rkl", 0, 1},
	{"rrd", 0, 1}, {"pairwise_accuracy", 1, 1}, {"pairwise_gap", 0, 1},
	{"pairwise_inter_gap", 0, 1},
};
enum { M_NDCG10, M_NDCG, M_P10, M_TAU, M_EXPOSURE, M_RATIO, M_SKEW, M_NDKL,
       M_RND, M_RKL, M_RRD, M_PAIRWISE, M_PGAP, M_PINTER, N_M };
#define CUTOFF 10

static const struct ft_value NO_CI = {0.0, "no interval for ranking metrics"};

/* Measure one model on rd (orders as rank_orders; score NULL for a
 * re-ranked order, whose Kendall's tau then uses the ranks) and append its
 * rows to cmp: each metric per query, then the mean over the queries where
 * it is defined. */
static int measure(struct ft_comparison *cmp, const char *model, const char *split,
                   const struct ft_rank_data *rd, const double *score,
                   const size_t *order, int32_t prot, struct ft_error *err)
{
	size_t nq = rd->n_queries, G = rd->group ? rd->n_groups : 0, off[N_M + 1];
	size_t nmax = 0;
	struct ft_value *v = NULL, *tmp = NULL, mean;
	struct ft_pairwise *pw = NULL;
	double *relc = NULL, *pseudo = NULL;
	int rc = 0;

	off[0] = 0;
	for (int m = 0; m < N_M; m++)
		off[m + 1] = off[m] + (METRICS[m].groups && !G ? 0 :
		                       METRICS[m].per_group ? G : 1);
	for (size_t q = 0; q < nq; q++)
		if (rd->qoff[q + 1] - rd->qoff[q] > nmax)
			nmax = rd->qoff[q + 1] - rd->qoff[q];
	v = calloc(off[N_M] * (nq ? nq : 1), sizeof *v);
	tmp = calloc(G ? G : 1, sizeof *tmp);
	relc = malloc((nmax ? nmax : 1) * sizeof *relc);
	pseudo = malloc((nmax ? nmax : 1) * sizeof *pseudo);
	if (!v || !tmp || !relc || !pseudo) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
#define V(m, slot, q) (&v[(off[m] + (slot)) * nq + (q)])
	for (size_t q = 0; q < nq && !rc; q++) {
		size_t lo = rd->qoff[q], n = rd->qoff[q + 1] - lo;
		const size_t *o = order + lo;
		const int32_t *g = G ? rd->group + lo : NULL;
		const double *rel = rd->rel + lo;

		for (size_t i = 0; i < n; i++)
			relc[i] = rel[i] > 0 ? rel[i] : 0;
		if (!score)
			for (size_t r = 0; r < n; r++)
				pseudo[o[r]] = -(double)r;
		if ((rc = ft_ndcg(relc, o, n, CUTOFF, V(M_NDCG10, 0, q), err)) ||
		    (rc = ft_ndcg(relc, o, n, 0, V(M_NDCG, 0, q), err)) ||
		    (rc = ft_precision(relc, o, n, CUTOFF, V(M_P10, 0, q), err)) ||
		    (rc = ft_kendall_tau(score ? score + lo : pseudo, rel, n, V(M_TAU, 0, q), err)))
			break;
		if (!G)
			continue;
		if ((rc = ft_exposure_ratio(g, o, n, G, prot, V(M_RATIO, 0, q), err)) ||
		    (rc = ft_ndkl(g, o, n, G, NULL, V(M_NDKL, 0, q), err)) ||
		    (rc = ft_rank_fairness(FT_RF_RND, g, o, n, G, prot, CUTOFF, V(M_RND, 0, q), err)) ||
		    (rc = ft_rank_fairness(FT_RF_RKL, g, o, n, G, prot, CUTOFF, V(M_RKL, 0, q), err)) ||
		    (rc = ft_rank_fairness(FT_RF_RRD, g, o, n, G, prot, CUTOFF, V(M_RRD, 0, q), err)) ||
		    (rc = ft_group_exposure(g, o, n, G, tmp, err)))
			break;
		for (size_t a = 0; a < G; a++)
			*V(M_EXPOSURE, a, q) = tmp[a];
		if ((rc = ft_skew(g, o, n, G, NULL, CUTOFF, tmp, err)))
			break;
		for (size_t a = 0; a < G; a++)
			*V(M_SKEW, a, q) = tmp[a];
		if ((rc = ft_pairwise_accuracy(relc, g, o, n, G, &pw, err)))
			break;
		for (size_t a = 0; a < G; a++)
			*V(M_PAIRWISE, a, q) = pw->row[a];
		*V(M_PGAP, 0, q) = pw->gap;
		*V(M_PINTER, 0, q) = pw->inter_gap;
		ft_pairwise_free(pw);
		pw = NULL;
	}
	for (int m = 0; m < N_M && !rc; m++)
		for (size_t slot = 0; slot < off[m + 1] - off[m]; slot++) {
			const struct ft_value *vq = V(m, slot, 0);
			ft_query_mean(vq, nq, &mean, NULL);
			/* undefined everywhere for one reason: keep that reason */
			for (size_t q = 0; mean.why && q < nq && vq[q].why; q++)
				if (strcmp(vq[q].why, vq[0].why))
					break;
				else if (q + 1 == nq)
					mean.why = vq[0].why;
			if (ft_comparison_add(cmp, METRICS[m].name, model, split,
			                      METRICS[m].per_group ? rd->group_names[slot] : "overall",
			                      "", mean, NO_CI, NO_CI)) {
				rc = ft_error_set(err, FT_ENOMEM, "out of memory");
				break;
			}
		}
#undef V
done:
	ft_pairwise_free(pw);
	free(v);
	free(tmp);
	free(relc);
	free(pseudo);
	return rc;
}

/* The compact table of one split: baseline, mitigated and their change,
 * and the re-ranked model when there is one (models absent from c are
 * left out). */
static void print_table(const struct ft_comparison *c, const char *split,
                        size_t G, char *const *names)
{
	const char *models[3] = {"baseline", "mitigated", "reranked"};
	int have[3];

	for (int k = 0; k < 3; k++)
		have[k] = cli_find_row(c, "ndcg", models[k], split, "overall", "") != NULL;
	printf("  %-20s %-18s", "metric", "group");
	for (int k = 0; k < 3; k++) {
		if (have[k])
			printf(" %10s", models[k]);
		if (k == 1 && have[0] && have[1])
			printf(" %10s", "change");
	}
	printf("\n");
	for (int m = 0; m < N_M; m++) {
		size_t ns = METRICS[m].per_group ? G : 1;
		if (METRICS[m].groups && !G)
			continue;
		for (size_t slot = 0; slot < ns; slot++) {
			const char *grp = METRICS[m].per_group ? names[slot] : "overall";
			const struct ft_comparison_row *r[3];
			printf("  %-20s %-18s", METRICS[m].name, grp);
			for (int k = 0; k < 3; k++) {
				r[k] = cli_find_row(c, METRICS[m].name, models[k], split, grp, "");
				if (have[k]) {
					if (!r[k] || r[k]->why)
						printf(" %10s", "undefined");
					else
						printf(" %10.4f", r[k]->value);
				}
				if (k == 1 && have[0] && have[1]) {
					if (r[0] && r[1] && !r[0]->why && !r[1]->why)
						printf(" %+10.4f", r[1]->value - r[0]->value);
					else
						printf(" %10s", "");
				}
			}
			printf("\n");
		}
	}
}

/* ----------------------------------------------------------------- LETOR */

/* The pass-through encoder of LETOR data rd (training part): one numeric
 * column per feature index "f1" .. "fP", mean 0 and sd 1 (values pass
 * unchanged); column K (1-based, 0 = none) is the sensitive one, a feature
 * unless colorblind, and the groups are rd's (set by
 * ft_rank_data_group_by_feature). */
static struct ft_encoder *letor_encoder(const struct ft_rank_data *rd, size_t K,
                                        int colorblind)
{
	struct ft_encoder *e = calloc(1, sizeof *e);
	size_t nf = 0;

	if (!e || !(e->cols = calloc(rd->p, sizeof *e->cols)))
		goto nomem;
	e->n_cols = rd->p;
	e->use_sensitive = K ? !colorblind : 0;
	e->missing_policy = FT_MISSING_DROP;
	for (size_t j = 0; j < rd->p; j++) {
		struct ft_column *c = &e->cols[j];
		c->role = K && j == K - 1 ? FT_ROLE_SENSITIVE : FT_ROLE_FEATURE;
		c->type = FT_NUMERIC;
		c->sd = 1;
		c->impute_cat = -1;
		if (!(c->name = cli_strdup(rd->feature_names[j])))
			goto nomem;
		if (c->role == FT_ROLE_FEATURE || e->use_sensitive)
			c->offset = nf++;
	}
	e->n_features = e->n_num = nf;
	if (!(e->feature_names = calloc(nf ? nf : 1, sizeof *e->feature_names)))
		goto nomem;
	for (size_t j = 0; j < rd->p; j++)
		if (e->cols[j].role == FT_ROLE_FEATURE || e->use_sensitive)
			if (!(e->feature_names[e->cols[j].offset] = cli_strdup(e->cols[j].name)))
				goto nomem;
	if (K) {
		if (!(e->sensitive = calloc(1, sizeof *e->sensitive)) ||
		    !(e->sensitive[0] = cli_strdup(rd->feature_names[K - 1])))
			goto nomem;
		e->n_sensitive = 1;
		if (!(e->group_names = calloc(rd->n_groups, sizeof *e->group_names)))
			goto nomem;
		e->n_groups = rd->n_groups;
		for (size_t g = 0; g < rd->n_groups; g++)
			if (!(e->group_names[g] = cli_strdup(rd->group_names[g])))
				goto nomem;
	}
	return e;
nomem:
	ft_encoder_free(e);
	return NULL;
}

/* LETOR data raw aligned to encoder e (letor_encoder's layout): the
 * encoder's features by column index, 0 where raw has no such index;
 * groups from column K (1-based) == V.  *n_extra counts raw's feature
 * indices beyond the encoder's columns (ignored). */
static int letor_apply(const struct ft_encoder *e, size_t K, double V,
                       const struct ft_rank_data *raw, struct ft_rank_data **out,
                       size_t *n_extra, struct ft_error *err)
{
	struct ft_rank_data *rd = calloc(1, sizeof *rd);
	size_t p = e->n_features, n = raw->n, nq = raw->n_queries, P = raw->p;
	size_t *src = malloc((p ? p : 1) * sizeof *src);

	*out = NULL;
	*n_extra = P > e->n_cols ? P - e->n_cols : 0;
	for (size_t j = 0; j < e->n_cols; j++) {
		char want[32];
		snprintf(want, sizeof want, "f%zu", j + 1);
		if (strcmp(e->cols[j].name, want)) {
			free(src);
			free(rd);
			return ft_error_set(err, FT_EFORMAT, "column %zu of the model's "
			                    "encoder is '%s', not the letor feature '%s'",
			                    j, e->cols[j].name, want);
		}
	}
	if (!rd || !src)
		goto nomem;
	rd->n = n;
	rd->p = p;
	rd->n_queries = nq;
	rd->path = cli_strdup(raw->path);
	rd->x = malloc((n && p ? n * p : 1) * sizeof *rd->x);
	rd->rel = malloc((n ? n : 1) * sizeof *rd->rel);
	rd->line = malloc((n ? n : 1) * sizeof *rd->line);
	rd->feature_names = calloc(p ? p : 1, sizeof *rd->feature_names);
	rd->qoff = malloc((nq + 1) * sizeof *rd->qoff);
	rd->qid = calloc(nq ? nq : 1, sizeof *rd->qid);
	if (!rd->path || !rd->x || !rd->rel || !rd->line || !rd->feature_names ||
	    !rd->qoff || !rd->qid)
		goto nomem;
	for (size_t j = 0; j < e->n_cols; j++)
		if (e->cols[j].role == FT_ROLE_FEATURE ||
		    (e->cols[j].role == FT_ROLE_SENSITIVE && e->use_sensitive))
			src[e->cols[j].offset] = j;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < p; j++)
			rd->x[i * p + j] = src[j] < P ? raw->x[i * P + src[j]] : 0.0;
	memcpy(rd->rel, raw->rel, n * sizeof *rd->rel);
	memcpy(rd->line, raw->line, n * sizeof *rd->line);
	memcpy(rd->qoff, raw->qoff, (nq + 1) * sizeof *rd->qoff);
	for (size_t j = 0; j < p; j++)
		if (!(rd->feature_names[j] = cli_strdup(e->feature_names[j])))
			goto nomem;
	for (size_t q = 0; q < nq; q++)
		if (!(rd->qid[q] = cli_strdup(raw->qid[q])))
			goto nomem;
	if (K) {
		rd->group = malloc((n ? n : 1) * sizeof *rd->group);
		rd->group_names = calloc(e->n_groups, sizeof *rd->group_names);
		if (!rd->group || !rd->group_names)
			goto nomem;
		rd->n_groups = e->n_groups;
		for (size_t g = 0; g < e->n_groups; g++)
			if (!(rd->group_names[g] = cli_strdup(e->group_names[g])))
				goto nomem;
		/* as ft_rank_data_group_by_feature: group 1 where x_K == V */
		for (size_t i = 0; i < n; i++)
			rd->group[i] = (K - 1 < P ? raw->x[i * P + K - 1] : 0.0) == V;
	}
	free(src);
	*out = rd;
	return 0;
nomem:
	free(src);
	ft_rank_data_free(rd);
	return ft_error_set(err, FT_ENOMEM, "%s: out of memory", raw->path);
}

/* ------------------------------------------------------------ training */

struct rank_args {
	int letor, colorblind, no_std;
	const char *query, *relevance, *protected;
	size_t sens_feature;       /* 1-based; 0 = none */
	double prot_value;         /* letor: --protected as a number */
	const char *method, *rerank, *out, *report;
};

struct rank_loaded {
	struct ft_rank_data *train, *test;
	struct ft_encoder *enc;
	size_t n_rows_file, n_filtered, n_dropped, n_extra;
	char sha256[2][65];
};

static void rank_loaded_free(struct rank_loaded *L)
{
	ft_rank_data_free(L->train);
	ft_rank_data_free(L->test);
	ft_encoder_free(L->enc);
}

/* CSV: read, filter, split by query (or --test), fit the encoder on the
 * training part, ranking data of both parts.  Prints the error, -1. */
static int load_csv(const struct rank_args *a, struct cli_data *d, struct rank_loaded *L)
{
	struct ft_error err = {0};
	struct ft_table *all = NULL, *tr = NULL, *te = NULL;
	struct ft_encode_stats s1 = {0}, s2 = {0};
	int rc = -1;

	if (ft_table_read(d->data, &d->read, &all, &err) ||
	    ft_sha256_file(d->data, L->sha256[0], &err))
		goto fail;
	if (d->test) {
		struct ft_read_opts ro = d->read;
		if (d->test_skip_rows >= 0)
			ro.skip_rows = (size_t)d->test_skip_rows;
		if (ft_table_read(d->test, &ro, &te, &err) ||
		    ft_sha256_file(d->test, L->sha256[1], &err))
			goto fail;
	}
	L->n_rows_file = all->n_rows;
	if (cli_apply_filters(d, &all, &L->n_filtered) ||
	    cli_apply_filters(d, &te, &L->n_filtered))
		goto done;
	if (!d->test && d->split > 0) {
		if (ft_table_split_query(all, a->query, d->split, d->seed, &tr, &te, &err))
			goto fail;
	} else {
		tr = all;
		all = NULL;
	}
	d->spec.target = a->relevance;
	d->spec.numeric_target = 1;
	d->spec.query = a->query;
	d->spec.use_sensitive = !a->colorblind;
	d->spec.raw_numeric = a->no_std;
	if (ft_encoder_fit(tr, &d->spec, &L->enc, &err) ||
	    ft_rank_data_from_table(tr, L->enc, a->query, FT_APPLY_TRAIN, &L->train,
	                            &s1, &err) ||
	    (te && ft_rank_data_from_table(te, L->enc, a->query, FT_APPLY_TRAIN,
	                                   &L->test, &s2, &err)))
		goto fail;
	L->n_dropped = s1.n_dropped + s2.n_dropped;
	cli_warn_stats(d->test ? d->test : d->data, &s2);
	rc = 0;
	goto done;
fail:
	cli_fail("%s", err.msg);
done:
	ft_table_free(all);
	ft_table_free(tr);
	ft_table_free(te);
	return rc;
}

/* LETOR: read, split by query (or --test), groups from the sensitive
 * feature, the pass-through encoder, both parts aligned to it. */
static int load_letor(const struct rank_args *a, struct cli_data *d, struct rank_loaded *L)
{
	struct ft_error err = {0};
	struct ft_rank_data *raw = NULL, *tr = NULL, *te = NULL;
	size_t extra = 0;
	int rc = -1;

	if (ft_letor_read(d->data, &raw, &err) ||
	    ft_sha256_file(d->data, L->sha256[0], &err))
		goto fail;
	if (d->test && (ft_letor_read(d->test, &te, &err) ||
	                ft_sha256_file(d->test, L->sha256[1], &err)))
		goto fail;
	L->n_rows_file = raw->n;
	if (!d->test && d->split > 0) {
		if (ft_rank_data_split(raw, d->split, d->seed, &tr, &te, &err))
			goto fail;
	} else {
		tr = raw;
		raw = NULL;
	}
	if (a->sens_feature > tr->p) {
		ft_error_set(&err, FT_EINVAL, "%s: --sensitive-feature %zu: the file has %zu "
		             "features", d->data, a->sens_feature, tr->p);
		goto fail;
	}
	if (a->sens_feature &&
	    ft_rank_data_group_by_feature(tr, a->sens_feature - 1, a->prot_value, &err))
		goto fail;
	if (!(L->enc = letor_encoder(tr, a->sens_feature, a->colorblind))) {
		ft_error_set(&err, FT_ENOMEM, "out of memory");
		goto fail;
	}
	if (L->enc->n_features == 0) {
		ft_error_set(&err, FT_EDATA, "%s: no features left without the sensitive one",
		             d->data);
		goto fail;
	}
	if (letor_apply(L->enc, a->sens_feature, a->prot_value, tr, &L->train, &extra, &err) ||
	    (te && letor_apply(L->enc, a->sens_feature, a->prot_value, te, &L->test,
	                       &L->n_extra, &err)))
		goto fail;
	rc = 0;
	goto done;
fail:
	cli_fail("%s", err.msg);
done:
	ft_rank_data_free(raw);
	ft_rank_data_free(tr);
	ft_rank_data_free(te);
	return rc;
}

/* Index of name in the encoder's groups, or -1. */
static int32_t group_index(const struct ft_encoder *e, const char *name)
{
	for (size_t g = 0; g < e->n_groups; g++)
		if (!strcmp(e->group_names[g], name))
			return (int32_t)g;
	return -1;
}

/* The rank parameters as /training param_names / param_values. */
static int store_params(struct ft_model_file *mf, const char *method,
                        const struct ft_rank_params *p, const struct ft_rank_result *res)
{
	const char *names[] = {"loss", "l2", "doc_weight", "gamma", "lambda", "c",
	                       "protected", "reference", "iterations", "lr",
	                       "max_iter", "max_outer", "tol_feas"};
	const double vals[] = {p->loss, p->l2, p->doc_weight, p->gamma, p->lambda, p->c,
	                       p->protected_group, p->reference, p->iterations,
	                       p->learning_rate, p->solver.max_iter, p->max_outer,
	                       p->tol_feas};

	return cli_store_method(mf, method, strcspn(method, ":"), sizeof names / sizeof *names,
	                        names, vals, res->n_diag,
	                        (const char (*)[FT_DIAG_NAME])res->diag_name, res->diag);
}

static struct ft_linear_model *ranker(const double *w, size_t p)
{
	struct ft_linear_model *m = calloc(1, sizeof *m);

	if (!m || !(m->coef = malloc((p ? p : 1) * sizeof *m->coef))) {
		free(m);
		return NULL;
	}
	m->type = FT_MODEL_RANKER;
	m->p = p;
	memcpy(m->coef, w, p * sizeof *w);
	return m;
}

static struct ft_model_ranking *ranking_info(const struct rank_args *a, const char *prot)
{
	struct ft_model_ranking *rk = calloc(1, sizeof *rk);

	if (!rk)
		return NULL;
	rk->format = cli_strdup(a->letor ? "letor" : "csv");
	rk->query = cli_strdup(a->letor ? "" : a->query);
	rk->relevance = cli_strdup(a->letor ? "" : a->relevance);
	rk->protected_group = cli_strdup(prot ? prot : "");
	rk->rerank = cli_strdup(a->rerank && strcmp(a->rerank, "none") ? a->rerank : "");
	rk->colorblind = a->colorblind;
	rk->sensitive_feature = a->sens_feature;
	rk->protected_value = a->letor ? a->prot_value : 0;
	if (!rk->format || !rk->query || !rk->relevance || !rk->protected_group ||
	    !rk->rerank) {
		free(rk->format);
		free(rk->query);
		free(rk->relevance);
		free(rk->protected_group);
		free(rk->rerank);
		free(rk);
		return NULL;
	}
	return rk;
}

/* Measure baseline, mitigated and (rr) re-ranked scores of one part. */
static int measure_part(struct ft_comparison *cmp, const char *split,
                        const struct ft_rank_data *rd, const double *wb,
                        const double *w, int same, const struct rerank *rr,
                        int32_t prot, size_t *n_short, struct ft_error *err)
{
	double *sb = malloc((rd->n ? rd->n : 1) * sizeof *sb);
	double *sm = malloc((rd->n ? rd->n : 1) * sizeof *sm);
	size_t *order = malloc((rd->n ? rd->n : 1) * sizeof *order);
	int rc;

	*n_short = 0;
	if (!sb || !sm || !order) {
		rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	if (wb) {
		ft_rank_scores(rd, wb, sb);
		if ((rc = rank_orders(rd, sb, NULL, prot, order, NULL, NULL, err)) ||
		    (rc = measure(cmp, "baseline", split, rd, sb, order, prot, err)))
			goto done;
	}
	ft_rank_scores(rd, w, sm);
	if (same && wb) {
		/* the same fit: the same rows, at no cost */
		if (cli_copy_rows(cmp, "baseline", "mitigated", split)) {
			rc = FT_ENOMEM;
			goto done;
		}
	} else if ((rc = rank_orders(rd, sm, NULL, prot, order, NULL, NULL, err)) ||
	           (rc = measure(cmp, "mitigated", split, rd, sm, order, prot, err))) {
		goto done;
	}
	if (rr->kind != RR_NONE &&
	    ((rc = rank_orders(rd, sm, rr, prot, order, NULL, n_short, err)) ||
	     (rc = measure(cmp, "reranked", split, rd, NULL, order, prot, err))))
		goto done;
	rc = 0;
done:
	if (rc == FT_ENOMEM)
		ft_error_set(err, rc, "out of memory");
	free(sb);
	free(sm);
	free(order);
	return rc;
}

static void warn_short(const char *what, size_t n_short, size_t nq)
{
	if (n_short && !cli_quiet)
		fprintf(stderr, "fairtrain: warning: %s: fa*ir: %zu of %zu quer%s have fewer "
		        "protected items than the table asks for; all of them are placed "
		        "as early as it asks\n", what, n_short, nq, nq == 1 ? "y" : "ies");
}

static void print_method(const struct ft_rank_params *p, const char *spec)
{
	static const char *const FAIR[] = {"", "DELTR", "pairwise regularizer",
	                                   "pairwise constraint"};
	printf("method    %s: %s loss%s%s", spec, p->loss == FT_RANK_RANKNET ?
	       "RankNet" : "ListNet", p->fair ? " + " : "", FAIR[p->fair]);
	if (p->fair == FT_RANK_FAIR_DELTR)
		printf(", gamma = %g", p->gamma);
	if (p->fair == FT_RANK_FAIR_PAIR_REG)
		printf(", lambda = %g", p->lambda);
	if (p->fair == FT_RANK_FAIR_PAIR_CON)
		printf(", c = %g", p->c);
	if (p->l2 > 0)
		printf(", l2 = %g", p->l2);
	if (p->reference)
		printf("; reference mode (%d gradient steps of %g)", p->iterations,
		       p->learning_rate);
	printf("\n");
}

static void print_fit(const char *label, const struct ft_rank_result *r)
{
	if (r->res.solver == FT_SOLVER_AUTO && !r->res.converged)
		printf("%-9s gradient descent: %d steps, objective %.10g\n", label,
		       r->res.iterations, r->res.f);
	else
		printf("%-9s %s: %d iterations, objective %.10g, |grad| = %.2e, %s\n", label,
		       ft_solver_name(r->res.solver), r->res.iterations, r->res.f,
		       r->res.grad_norm, r->res.converged ? "converged" : "NOT converged");
}

/* "--name" of option value c in LONG (for messages: argv[optind - 1] is
 * the option's value when it was given as a separate argument). */
static const char *opt_name(const struct option *LONG, int c, char *buf, size_t n)
{
	for (; LONG->name; LONG++)
		if (LONG->val == c) {
			snprintf(buf, n, "--%s", LONG->name);
			return buf;
		}
	return "?";
}

int cmd_rank_train(int argc, char **argv)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		CLI_MEASURE_LONGOPTS,
		{"task", required_argument, NULL, OPT_TASK},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"query", required_argument, NULL, OPT_QUERY},
		{"relevance", required_argument, NULL, OPT_RELEVANCE},
		{"protected", required_argument, NULL, OPT_PROTECTED},
		{"sensitive-feature", required_argument, NULL, OPT_SENS_FEATURE},
		{"method", required_argument, NULL, OPT_METHOD},
		{"colorblind", no_argument, NULL, OPT_COLORBLIND},
		{"rerank", required_argument, NULL, OPT_RERANK},
		{"no-standardize", no_argument, NULL, OPT_NO_STD},
		{"out", required_argument, NULL, OPT_OUT},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	/* options that only a CSV table has */
	static const int CSV_ONLY[] = {OPT_NAMES, OPT_HEADER, OPT_NO_HEADER, OPT_DELIMITER,
	                               OPT_SKIP_ROWS, OPT_TEST_SKIP_ROWS, OPT_MISSING,
	                               OPT_MISSING_TOKENS, OPT_FILTER, OPT_DROP,
	                               OPT_CATEGORICAL, OPT_NUMERIC, OPT_SENSITIVE,
	                               OPT_QUERY, OPT_RELEVANCE, OPT_NO_STD};
	struct cli_data d;
	struct rank_args a;
	struct rank_loaded L;
	struct rerank rr;
	struct ft_rank_params rp, bp;
	struct ft_rank_result res, resb;
	struct ft_model_file *mf = NULL;
	struct ft_comparison *cmp = NULL;
	struct ft_error err = {0};
	struct cli_measure ms;
	char msg[FT_ERROR_MAX], csv_opt[64] = "", name[64];
	double *w = NULL, *wb = NULL, t0 = cli_now();
	int c, r, rc = EXIT_FAIL, same;
	int32_t prot = -1;
	size_t sh_train = 0, sh_test = 0, n_prot = 0;

	memset(&a, 0, sizeof a);
	memset(&L, 0, sizeof L);
	memset(&res, 0, sizeof res);
	memset(&resb, 0, sizeof resb);
	a.method = "listnet";
	cli_data_init(&d);
	cli_measure_init(&ms);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		for (size_t k = 0; k < sizeof CSV_ONLY / sizeof *CSV_ONLY; k++)
			if (c == CSV_ONLY[k] && !*csv_opt)
				opt_name(LONG, c, csv_opt, sizeof csv_opt);
		switch (c) {
		case OPT_TASK: continue;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") && strcmp(optarg, "letor")) {
				rc = cli_usage_error("train", "--format takes csv or letor, not '%s'",
				                     optarg);
				goto done;
			}
			a.letor = !strcmp(optarg, "letor");
			continue;
		case OPT_QUERY: a.query = optarg; continue;
		case OPT_RELEVANCE: a.relevance = optarg; continue;
		case OPT_PROTECTED: a.protected = optarg; continue;
		case OPT_SENS_FEATURE:
			if (cli_parse_size(optarg, &a.sens_feature) || a.sens_feature == 0) {
				rc = cli_usage_error("train", "--sensitive-feature takes a feature "
				                     "index (1, 2, ...), not '%s'", optarg);
				goto done;
			}
			continue;
		case OPT_METHOD: a.method = optarg; continue;
		case OPT_COLORBLIND: a.colorblind = 1; continue;
		case OPT_RERANK: a.rerank = optarg; continue;
		case OPT_NO_STD: a.no_std = 1; continue;
		case OPT_OUT: a.out = optarg; continue;
		case OPT_REPORT:
			if (cli_measure_option(&ms, "train", c, optarg) < 0) {
				rc = EXIT_USAGE;
				goto done;
			}
			a.report = ms.report;
			continue;
		case OPT_QUIET: cli_quiet = 1; continue;
		case 'h': case OPT_HELP: fputs(HELP, stdout); rc = EXIT_OK; goto done;
		case OPT_TARGET: case OPT_POSITIVE: case OPT_PRIVILEGED: case OPT_WEIGHT:
		case OPT_USE_SENSITIVE: case OPT_LABEL_STRIP: case OPT_THRESHOLD:
		case OPT_BOOTSTRAP: case OPT_LEVEL: case OPT_PERMUTATIONS:
			rc = cli_usage_error("train", "option '%s' is not for --task rank%s",
			                     opt_name(LONG, c, name, sizeof name), c == OPT_TARGET ?
			                     " (the relevance column is --relevance)" :
			                     c == OPT_USE_SENSITIVE ? " (the sensitive attribute "
			                     "is a feature unless --colorblind)" : "");
			goto done;
		default:
			break;
		}
		r = cli_data_option(&d, "train", c, optarg);
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		if (r == 0) {
			rc = cli_bad_option("train", c, argv);
			goto done;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (!d.data) {
		rc = cli_usage_error("train", "--data FILE is required");
		goto done;
	}
	if (!a.out) {
		rc = cli_usage_error("train", "--out FILE.h5 is required");
		goto done;
	}
	if (d.test && d.split_given) {
		rc = cli_usage_error("train", "give either --test or --split, not both");
		goto done;
	}
	if (a.letor && *csv_opt) {
		rc = cli_usage_error("train", "%s is for --format csv, not letor", csv_opt);
		goto done;
	}
	if (!a.letor && a.sens_feature) {
		rc = cli_usage_error("train", "--sensitive-feature is for --format letor "
		                     "(csv: --sensitive COL)");
		goto done;
	}
	if (!a.letor && (!a.query || !a.relevance)) {
		rc = cli_usage_error("train", "--task rank needs --query COL and --relevance COL "
		                     "(or --format letor)");
		goto done;
	}
	if ((a.letor ? a.sens_feature > 0 : d.spec.n_sensitive > 0) != (a.protected != NULL)) {
		rc = cli_usage_error("train", a.protected ? "--protected needs %s" :
		                     "%s needs --protected VALUE (the protected group)",
		                     a.letor ? "--sensitive-feature" : "--sensitive");
		goto done;
	}
	if (a.letor && a.protected && cli_parse_double(a.protected, &a.prot_value)) {
		rc = cli_usage_error("train", "--protected takes the sensitive feature's value "
		                     "(a number) with --format letor, not '%s'", a.protected);
		goto done;
	}
	if (a.colorblind && !a.protected) {
		rc = cli_usage_error("train", "--colorblind needs a sensitive attribute");
		goto done;
	}
	if (ft_rank_method_parse(a.method, &rp, &err)) {
		rc = cli_usage_error("train", "--method: %s", err.msg);
		goto done;
	}
	if (strstr(a.method, "protected=")) {
		rc = cli_usage_error("train", "--method: give the protected group with "
		                     "--protected VALUE, not protected=");
		goto done;
	}
	if (rp.fair != FT_RANK_FAIR_NONE && !a.protected) {
		rc = cli_usage_error("train", "--method %s needs groups: %s and --protected",
		                     a.method, a.letor ? "--sensitive-feature" : "--sensitive");
		goto done;
	}
	if (a.rerank && rerank_parse(a.rerank, &rr, msg, sizeof msg)) {
		rc = cli_usage_error("train", "--rerank: %s", msg);
		goto done;
	}
	if (!a.rerank)
		memset(&rr, 0, sizeof rr);
	if (rr.kind != RR_NONE && !a.protected) {
		rc = cli_usage_error("train", "--rerank needs groups: %s and --protected",
		                     a.letor ? "--sensitive-feature" : "--sensitive");
		goto done;
	}

	cli_progress("reading %s...\n", d.data);
	if (a.letor ? load_letor(&a, &d, &L) : load_csv(&a, &d, &L))
		goto done;
	if (a.protected) {
		const char *want = a.protected;
		if (a.letor) {
			/* the name ft_rank_data_group_by_feature gives the protected group */
			snprintf(name, sizeof name, "%s=%.17g", L.enc->sensitive[0], a.prot_value);
			want = name;
		}
		if ((prot = group_index(L.enc, want)) < 0) {
			char list[256] = "";
			for (size_t g = 0, at = 0; g < L.enc->n_groups && at < sizeof list; g++)
				at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", g ? ", " : "",
				                       L.enc->group_names[g]);
			cli_fail("%s: --protected '%s' is not a group of the training data (groups: %s)",
			         d.data, a.protected, list);
			goto done;
		}
		if (L.enc->n_groups < 2) {
			cli_fail("%s: one group only (%s) in the training data", d.data,
			         L.enc->group_names[0]);
			goto done;
		}
		for (size_t i = 0; i < L.train->n && !n_prot; i++)
			n_prot += L.train->group[i] == prot;
		if (!n_prot) {
			cli_fail("%s: no training document in the protected group '%s'", d.data,
			         L.enc->group_names[prot]);
			goto done;
		}
	}
	if (rerank_check(&rr, L.enc->n_groups, msg, sizeof msg)) {
		rc = cli_usage_error("train", "--rerank: %s", msg);
		goto done;
	}
	if (L.n_extra && !cli_quiet)
		fprintf(stderr, "fairtrain: warning: %s: %zu feature index%s beyond the training "
		        "file's %zu ignored\n", d.test, L.n_extra, L.n_extra == 1 ? "" : "es",
		        L.enc->n_cols);
	if (prot >= 0)
		rp.protected_group = prot;
	bp = rp;
	bp.fair = FT_RANK_FAIR_NONE;
	same = rp.fair == FT_RANK_FAIR_NONE;
	w = calloc(L.train->p ? L.train->p : 1, sizeof *w);
	wb = calloc(L.train->p ? L.train->p : 1, sizeof *wb);
	mf = calloc(1, sizeof *mf);
	cmp = calloc(1, sizeof *cmp);
	if (!w || !wb || !mf || !cmp) {
		cli_fail("out of memory");
		goto done;
	}
	cmp->level = 0.95;
	cmp->seed = d.seed;
	cli_progress("fitting the baseline (%zu documents, %zu queries, %zu features)...\n",
	             L.train->n, L.train->n_queries, L.train->p);
	if (ft_rank_fit(L.train, &bp, wb, &resb, &err)) {
		cli_fail("%s: %s", d.data, err.msg);
		goto done;
	}
	if (same) {
		memcpy(w, wb, L.train->p * sizeof *w);
		res = resb;
	} else {
		cli_progress("fitting %s...\n", a.method);
		if (ft_rank_fit(L.train, &rp, w, &res, &err)) {
			cli_fail("%s: %s", d.data, err.msg);
			goto done;
		}
	}
	cli_progress("measuring...\n");
	if (measure_part(cmp, "train", L.train, wb, w, same, &rr, prot, &sh_train, &err) ||
	    (L.test && measure_part(cmp, "test", L.test, wb, w, same, &rr, prot, &sh_test,
	                            &err))) {
		cli_fail("%s", err.msg);
		goto done;
	}
	warn_short("train", sh_train, L.train->n_queries);
	if (L.test)
		warn_short("test", sh_test, L.test->n_queries);

	mf->model = ranker(w, L.train->p);
	mf->baseline = ranker(wb, L.train->p);
	mf->ranking = ranking_info(&a, prot >= 0 ? L.enc->group_names[prot] : NULL);
	if (!mf->model || !mf->baseline || !mf->ranking ||
	    store_params(mf, a.method, &rp, &res)) {
		cli_fail("out of memory");
		goto done;
	}
	if (cli_provenance(mf, &d, L.sha256, argc, argv, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	mf->comparison = cmp;
	cmp = NULL;
	mf->solver_opts = rp.solver;
	mf->solver_result = res.res;
	mf->n_train = L.train->n;
	mf->n_test = L.test ? L.test->n : 0;
	mf->n_dropped = L.n_dropped;
	mf->seed = d.seed;
	mf->split = d.test ? 0 : d.split;
	mf->enc = L.enc;
	if (a.report && cli_write_report(a.report, mf->comparison, NULL, L.enc->n_groups,
	                                 L.enc->group_names)) {
		mf->enc = NULL;
		goto done;
	}
	if (ft_model_save(a.out, mf, &err)) {
		mf->enc = NULL;
		cli_fail("%s", err.msg);
		if (a.report)
			unlink(a.report);   /* no report of a run that left no model */
		goto done;
	}
	mf->enc = NULL;

	if (!cli_quiet) {
		const struct ft_encoder *e = L.enc;
		printf("data      %s (%s): %zu rows; train %zu in %zu quer%s", d.data,
		       a.letor ? "letor" : "csv", L.n_rows_file, L.train->n, L.train->n_queries,
		       L.train->n_queries == 1 ? "y" : "ies");
		if (L.test)
			printf(", test %zu in %zu quer%s (%s)", L.test->n, L.test->n_queries,
			       L.test->n_queries == 1 ? "y" : "ies", d.test ? d.test : "held out");
		printf("; %zu dropped for missing values", L.n_dropped);
		if (L.n_filtered)
			printf(", %zu removed by --filter", L.n_filtered);
		printf("\n");
		if (e->n_groups) {
			printf("groups    ");
			for (size_t k = 0; k < e->n_sensitive; k++)
				printf("%s%s", k ? "&" : "", e->sensitive[k]);
			printf(":");
			for (size_t g = 0; g < e->n_groups; g++) {
				size_t cnt = 0;
				for (size_t i = 0; i < L.train->n; i++)
					cnt += L.train->group[i] == (int32_t)g;
				printf(" %s %zu%s", e->group_names[g], cnt, g + 1 < e->n_groups ? "," : "");
			}
			printf(" (train); protected %s; %s\n", e->group_names[prot],
			       a.colorblind ? "not a feature (colorblind)" : "also a feature");
		}
		print_method(&rp, a.method);
		print_fit("fit", &res);
		for (size_t k = 0; k < res.n_diag; k++)
			printf("          %-32s %.6g\n", res.diag_name[k], res.diag[k]);
		if (!same)
			print_fit("baseline", &resb);
		printf("weights   %-24s %14s %14s\n", "feature", "baseline", "mitigated");
		for (size_t j = 0; j < L.train->p; j++)
			printf("          %-24s %14.6f %14.6f\n", e->feature_names[j], wb[j], w[j]);
		if (rr.kind != RR_NONE)
			printf("rerank    %s (of the mitigated scores)\n", a.rerank);
		printf("\nbefore/after on the %s part (means over queries):\n",
		       L.test ? "test" : "train");
		print_table(mf->comparison, L.test ? "test" : "train", e->n_groups, e->group_names);
		printf("\nwrote     %s", a.out);
		if (a.report)
			printf(" and %s", a.report);
		printf(" (%.2f s)\n", cli_now() - t0);
	}
	rc = EXIT_OK;
done:
	free(w);
	free(wb);
	ft_comparison_free(cmp);
	ft_model_file_free(mf);
	rank_loaded_free(&L);
	cli_data_free(&d);
	return rc;
}

/* ---------------------------------------------------- predict and eval */

/* What a saved ranking model needs to be applied. */
struct rank_model {
	const struct ft_model_file *mf;
	const struct ft_model_ranking *rk;
	int letor;
	int32_t prot;
	struct rerank rr;
	const char *rerank;        /* the spec in use, "" for none */
};

/* Check mf's /ranking and the re-ranker (the saved one, or override
 * from command cmd's --rerank).  Returns 0 or an exit code. */
static int rank_model(const char *cmd, const char *model, const struct ft_model_file *mf,
                      const char *override, struct rank_model *M)
{
	char msg[FT_ERROR_MAX];

	memset(M, 0, sizeof *M);
	M->mf = mf;
	M->rk = mf->ranking;
	M->letor = !strcmp(M->rk->format, "letor");
	M->prot = *M->rk->protected_group ? group_index(mf->enc, M->rk->protected_group) : -1;
	M->rerank = override ? override : M->rk->rerank;
	if (rerank_parse(M->rerank, &M->rr, msg, sizeof msg) ||
	    rerank_check(&M->rr, mf->enc->n_groups, msg, sizeof msg)) {
		if (override)
			return cli_usage_error(cmd, "--rerank: %s", msg);
		cli_fail("%s: the saved re-ranker '%s': %s", model, M->rerank, msg);
		return EXIT_FAIL;
	}
	return 0;
}

/* Read path as model M reads raw data (mode FT_APPLY_TRAIN drops rows
 * without relevance or group, PREDICT keeps them).  *has_rel: the data
 * carry relevance labels.  Prints the error, -1. */
static int rank_read(const struct rank_model *M, struct cli_data *d,
                     const struct cli_read_set *set, int mode,
                     struct ft_rank_data **out, int *has_rel, size_t *n_dropped,
                     size_t *n_filtered)
{
	const struct ft_model_file *mf = M->mf;
	struct ft_error err = {0};
	struct ft_table *t = NULL;
	struct ft_rank_data *raw = NULL;
	struct ft_encode_stats st = {0};
	struct ft_read_opts ro = mf->read;
	size_t extra = 0;
	int rc = -1;

	*out = NULL;
	*n_dropped = 0;
	if (M->letor) {
		if (ft_letor_read(d->data, &raw, &err) ||
		    letor_apply(mf->enc, (size_t)M->rk->sensitive_feature,
		                M->rk->protected_value, raw, out, &extra, &err))
			goto fail;
		if (extra && !cli_quiet)
			fprintf(stderr, "fairtrain: warning: %s: %zu feature index%s beyond the "
			        "model's %zu ignored\n", d->data, extra, extra == 1 ? "" : "es",
			        mf->enc->n_cols);
		*has_rel = 1;
		rc = 0;
		goto done;
	}
	cli_override_read(&ro, d, set);
	if (ft_table_read(d->data, &ro, &t, &err))
		goto fail;
	if (n_filtered && cli_apply_filters(d, &t, n_filtered))
		goto done;
	*has_rel = ft_table_col(t, M->rk->relevance) >= 0;
	if (mode == FT_APPLY_TRAIN && !*has_rel) {
		cli_fail("%s: no relevance column '%s': eval measures against relevance labels",
		         d->data, M->rk->relevance);
		goto done;
	}
	if (ft_rank_data_from_table(t, mf->enc, M->rk->query, mode, out, &st, &err))
		goto fail;
	*n_dropped = st.n_dropped;
	cli_warn_stats(d->data, &st);
	rc = 0;
	goto done;
fail:
	cli_fail("%s", err.msg);
done:
	ft_table_free(t);
	ft_rank_data_free(raw);
	return rc;
}

/* query,rank,id,score[,group][,relevance], per query by rank; the items
 * past a query's k have an empty rank. */
static int write_ranked(FILE *fp, const struct ft_rank_data *rd, const double *s,
                        const size_t *order, const size_t *kq, int groups, int has_rel)
{
	if (fprintf(fp, "query,rank,id,score%s%s\n", groups ? ",group" : "",
	            has_rel ? ",relevance" : "") < 0)
		return -1;
	for (size_t q = 0; q < rd->n_queries; q++) {
		size_t lo = rd->qoff[q], n = rd->qoff[q + 1] - lo;
		for (size_t r = 0; r < n; r++) {
			size_t i = lo + order[lo + r];
			int e = cli_csv_field(fp, rd->qid[q]);
			if (!e)
				e = r < kq[q] ? fprintf(fp, ",%zu", r + 1) < 0 : fputc(',', fp) == EOF;
			if (!e)
				e = fprintf(fp, ",%zu,%.17g", rd->line[i], s[i]) < 0;
			if (!e && groups)
				e = fputc(',', fp) == EOF || (rd->group && rd->group[i] >= 0 &&
				    cli_csv_field(fp, rd->group_names[rd->group[i]]));
			if (!e && has_rel)
				e = isnan(rd->rel[i]) ? fputc(',', fp) == EOF :
				    fprintf(fp, ",%.17g", rd->rel[i]) < 0;
			if (e || fputc('\n', fp) == EOF)
				return -1;
		}
	}
	return 0;
}

struct ranked {
	const struct ft_rank_data *rd;
	const double *s;
	const size_t *order, *kq;
	int groups, has_rel;
};

static int write_ranked_cb(FILE *fp, void *ctx)
{
	const struct ranked *r = ctx;

	return write_ranked(fp, r->rd, r->s, r->order, r->kq, r->groups, r->has_rel);
}

int cli_rank_predict(const char *model, const struct ft_model_file *mf,
                     struct cli_data *d, const struct cli_read_set *set,
                     const char *out, const char *rerank)
{
	struct rank_model M;
	struct ft_rank_data *rd = NULL;
	struct ft_error err = {0};
	struct ranked out_ctx;
	double *s = NULL;
	size_t *order = NULL, *kq = NULL, n_short = 0, n_dropped = 0;
	int has_rel = 0, rc;

	if ((rc = rank_model("predict", model, mf, rerank, &M)) != 0)
		return rc;
	rc = EXIT_FAIL;
	if (rank_read(&M, d, set, FT_APPLY_PREDICT, &rd, &has_rel, &n_dropped, NULL))
		goto done;
	if (M.rr.kind != RR_NONE)
		for (size_t i = 0; i < rd->n; i++)
			if (!rd->group || rd->group[i] < 0) {
				cli_fail("%s:%zu: the re-ranker %s needs the item's group (%s), and it "
				         "has none (--rerank none scores without it)", d->data,
				         rd->line[i], M.rerank, mf->enc->sensitive[0]);
				goto done;
			}
	s = malloc((rd->n ? rd->n : 1) * sizeof *s);
	order = malloc((rd->n ? rd->n : 1) * sizeof *order);
	kq = malloc((rd->n_queries ? rd->n_queries : 1) * sizeof *kq);
	if (!s || !order || !kq) {
		cli_fail("out of memory");
		goto done;
	}
	ft_rank_scores(rd, mf->model->coef, s);
	if (rank_orders(rd, s, &M.rr, M.prot, order, kq, &n_short, &err)) {
		cli_fail("%s: %s", d->data, err.msg);
		goto done;
	}
	warn_short(d->data, n_short, rd->n_queries);
	out_ctx.rd = rd;
	out_ctx.s = s;
	out_ctx.order = order;
	out_ctx.kq = kq;
	out_ctx.groups = mf->enc->n_groups > 0;
	out_ctx.has_rel = has_rel;
	if (cli_write_output(out, write_ranked_cb, &out_ctx))
		goto done;
	rc = EXIT_OK;
done:
	free(s);
	free(order);
	free(kq);
	ft_rank_data_free(rd);
	return rc;
}

int cli_rank_eval(const char *model, const struct ft_model_file *mf,
                  struct cli_data *d, const struct cli_read_set *set,
                  const struct cli_measure *ms, const char *rerank)
{
	struct rank_model M;
	struct ft_rank_data *rd = NULL;
	struct ft_comparison *cmp = calloc(1, sizeof *cmp);
	struct ft_error err = {0};
	size_t n_short = 0, n_dropped = 0, n_filtered = 0;
	int has_rel = 0, rc;

	if (!cmp) {
		cli_fail("out of memory");
		return EXIT_FAIL;
	}
	cmp->level = 0.95;
	cmp->seed = d->seed;
	if ((rc = rank_model("eval", model, mf, rerank, &M)) != 0)
		goto done;
	rc = EXIT_FAIL;
	if (rank_read(&M, d, set, FT_APPLY_TRAIN, &rd, &has_rel, &n_dropped, &n_filtered))
		goto done;
	if (rd->n == 0) {
		cli_fail("%s: no rows to measure", d->data);
		goto done;
	}
	if (measure_part(cmp, "eval", rd, mf->baseline ? mf->baseline->coef : NULL,
	                 mf->model->coef, 0, &M.rr, M.prot, &n_short, &err)) {
		cli_fail("%s: %s", d->data, err.msg);
		goto done;
	}
	warn_short(d->data, n_short, rd->n_queries);
	if (ms->report && cli_write_report(ms->report, cmp, NULL, mf->enc->n_groups,
	                                   mf->enc->group_names))
		goto done;
	if (!cli_quiet) {
		printf("eval      %s (ranker) on %s: %zu rows in %zu quer%s measured, %zu dropped",
		       model, d->data, rd->n, rd->n_queries, rd->n_queries == 1 ? "y" : "ies",
		       n_dropped);
		if (n_filtered)
			printf(", %zu removed by --filter", n_filtered);
		printf("\n");
		if (M.rr.kind != RR_NONE)
			printf("rerank    %s (of the mitigated scores)\n", M.rerank);
		printf("\n%s (means over queries):\n", mf->baseline ? "before/after" : "metrics");
		print_table(cmp, "eval", mf->enc->n_groups, mf->enc->group_names);
	}
	rc = EXIT_OK;
done:
	ft_comparison_free(cmp);
	ft_rank_data_free(rd);
	return rc;
}
