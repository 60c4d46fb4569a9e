/*
 * cmd_predict.c - `fairtrain predict`: apply a saved model's preprocessing
 * and coefficients to raw rows; write id,score,label[,target] as CSV.  A
 * ranking model (a file with /ranking) is handed to cli_rank_predict
 * (cmd_rank.c), which writes each query's ranking.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_MODEL = OPT_CMD_BASE, OPT_OUT, OPT_QUIET, OPT_DETERMINISTIC, OPT_HELP,
       OPT_RERANK };

static const char HELP[] =
"Usage: fairtrain predict --model M.h5 --data RAW.csv --out SCORES.csv\n\n"
"Apply a saved model to raw rows.  The file is read the way the training\n"
"data was (delimiter, header, names, missing tokens); override with the\n"
"options below.  Missing feature values are imputed with training means and\n"
"most frequent categories; unseen categories encode as all zeros (counted in\n"
"a warning).  The sensitive columns are needed only by models with one\n"
"weight vector per group (prejudice:per_group=1); predict says so.\n\n"
"Output columns: id (the row's line number in RAW.csv), score (probability\n"
"of the positive label), label (1 when score >= 0.5), and target (the true\n"
"0/1 label, empty when missing) when RAW.csv has the target column.\n"
"Randomized classifiers (eg: a mixture of predictors; threshold: group\n"
"thresholds, which need the sensitive column) add p_positive, the\n"
"probability of a positive decision, and their label is one draw of it\n"
"(reproducible with --seed).\n\n"
"A ranking model (train --task rank) writes query,rank,id,score[,group]\n"
"[,relevance]: each query's items by rank, after the saved re-ranker; items\n"
"past the re-ranker's k follow with an empty rank (README 'Fair ranking').\n\n"
"  --model FILE.h5        model file (required)\n"
"  --data FILE            raw rows (required)\n"
"  --out FILE.csv         output (required; written atomically; '-' = stdout)\n"
"  --names a,b,c, --header, --no-header, --delimiter C, --skip-rows N,\n"
"  --missing-tokens LIST  override how the file is read\n"
"  --deterministic        a mixture's single best predictor instead of the\n"
"                         mixture (eg models)\n"
"  --seed N               seed of the randomized labels (default 1)\n"
"  --rerank SPEC|none     ranking models: replace the saved re-ranker\n"
"  --quiet                no warnings on stderr\n";

/* pos (NULL for a deterministic model): P(yhat = 1) of a randomized
 * classifier; its label is then one draw, u_i < pos_i with u_i the i-th
 * uniform of the seed's stream, so the same seed gives the same labels. */
static int write_scores(FILE *fp, const struct ft_dataset *ds, const double *prob,
                        const double *pos, uint64_t seed)
{
	struct ft_rng rng;

	ft_rng_seed(&rng, seed);
	if (fprintf(fp, "id,score%s,label%s\n", pos ? ",p_positive" : "",
	            ds->y ? ",target" : "") < 0)
		return -1;
	for (size_t i = 0; i < ds->n; i++) {
		int label = pos ? ft_rng_uniform(&rng) < pos[i] : prob[i] >= 0.5;
		int r = fprintf(fp, "%zu,%.17g", ds->line[i], prob[i]);
		if (r >= 0 && pos)
			r = fprintf(fp, ",%.17g", pos[i]);
		if (r >= 0)
			r = fprintf(fp, ",%d", label);
		if (r >= 0 && ds->y)
			r = ds->y[i] < 0 ? fprintf(fp, ",") : fprintf(fp, ",%d", ds->y[i] > 0.5);
		if (r < 0 || fputc('\n', fp) == EOF)
			return -1;
	}
	return 0;
}

struct scores {
	const struct ft_dataset *ds;
	const double *prob, *pos;
	uint64_t seed;
};

static int write_scores_cb(FILE *fp, void *ctx)
{
	const struct scores *s = ctx;

	return write_scores(fp, s->ds, s->prob, s->pos, s->seed);
}

int cmd_predict(int argc, char **argv)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		{"model", required_argument, NULL, OPT_MODEL},
		{"out", required_argument, NULL, OPT_OUT},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"deterministic", no_argument, NULL, OPT_DETERMINISTIC},
		{"rerank", required_argument, NULL, OPT_RERANK},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	struct cli_data d;
	struct ft_model_file *mf = NULL;
	struct ft_table *t = NULL;
	struct ft_dataset *ds = NULL;
	struct ft_encode_stats st;
	struct ft_read_opts ro;
	struct ft_error err = {0};
	struct scores sc;
	const char *model = NULL, *out = NULL, *rerank = NULL;
	double *prob = NULL, *pos = NULL;
	uint64_t seed = 1;
	int c, r, rc = EXIT_FAIL, deterministic = 0, randomized;
	struct cli_read_set set = {0};

	cli_data_init(&d);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		switch (c) {
		case OPT_MODEL: model = optarg; continue;
		case OPT_OUT: out = optarg; continue;
		case OPT_QUIET: cli_quiet = 1; continue;
		case OPT_DETERMINISTIC: deterministic = 1; continue;
		case OPT_RERANK: rerank = optarg; continue;
		case OPT_SEED:
			if (cli_parse_u64(optarg, &seed)) {
				rc = cli_usage_error("predict", "--seed takes a non-negative integer, "
				                     "not '%s'", optarg);
				goto done;
			}
			continue;
		case 'h': case OPT_HELP: fputs(HELP, stdout); rc = EXIT_OK; goto done;
		case OPT_HEADER: case OPT_NO_HEADER: case OPT_DELIMITER: case OPT_SKIP_ROWS:
		case OPT_NAMES: case OPT_MISSING_TOKENS:
			cli_read_set_mark(&set, c);
			break;
		case OPT_DATA: break;
		default:
			if (c >= OPT_DATA && c < OPT_CMD_BASE) {
				rc = cli_usage_error("predict", "option '%s' is for train, not predict",
				                     argv[optind - 1]);
				goto done;
			}
			rc = cli_bad_option("predict", c, argv);
			goto done;
		}
		r = cli_data_option(&d, "predict", c, optarg);
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("predict", "unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (!model || !d.data || !out) {
		rc = cli_usage_error("predict", "--model, --data and --out are required");
		goto done;
	}
	if (ft_model_load(model, &mf, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (mf->ranking && deterministic) {
		rc = cli_usage_error("predict", "--deterministic: %s is a ranking model", model);
		goto done;
	}
	if (mf->ranking) {
		rc = cli_rank_predict(model, mf, &d, &set, out, rerank);
		goto done;
	}
	if (rerank) {
		cli_fail("%s: a classification model (method %s): --rerank needs a ranking "
		         "model (train --task rank)", model, mf->method);
		goto done;
	}
	ro = mf->read;
	cli_override_read(&ro, &d, &set);
	if (ft_table_read(d.data, &ro, &t, &err) ||
	    ft_encoder_apply(mf->enc, t, FT_APPLY_PREDICT, &ds, &st, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (deterministic && !mf->mixture) {
		rc = cli_usage_error("predict", "--deterministic: %s holds no randomized mixture "
		                     "(method %s)", model, mf->method);
		goto done;
	}
	if (cli_check_groups(mf, ds, d.data))
		goto done;
	cli_warn_stats(d.data, &st);
	if (!cli_quiet && st.n_imputed)
		fprintf(stderr, "fairtrain: warning: %s: %zu missing cell%s imputed\n",
		        d.data, st.n_imputed, st.n_imputed == 1 ? "" : "s");
	prob = malloc((ds->n ? ds->n : 1) * sizeof *prob);
	pos = malloc((ds->n ? ds->n : 1) * sizeof *pos);
	if (!prob || !pos) {
		cli_fail("out of memory");
		goto done;
	}
	if (ft_classify(mf->model, deterministic ? NULL : mf->mixture, mf->thresholds, ds, 0.5,
	                prob, pos, &err)) {
		cli_fail("%s: %s", d.data, err.msg);
		goto done;
	}
	randomized = (mf->mixture && !deterministic) || mf->thresholds;
	sc.ds = ds;
	sc.prob = prob;
	sc.pos = randomized ? pos : NULL;
	sc.seed = seed;
	if (cli_write_output(out, write_scores_cb, &sc))
		goto done;
	rc = EXIT_OK;
done:
	free(prob);
	free(pos);
	ft_dataset_free(ds);
	ft_table_free(t);
	ft_model_file_free(mf);
	cli_data_free(&d);
	return rc;
}
