/*
 * cmd_predict.c - `fairtrain predict`: options -> ft_predict -> CSV
 * (id[,kept columns],score[,p_positive],label[,target]; a ranker: each
 * query's ranking).
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_MODEL = OPT_CMD_BASE, OPT_OUT, OPT_QUIET, OPT_DETERMINISTIC, OPT_HELP,
       OPT_RERANK, OPT_KEEP };

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
"(reproducible with --seed).  --keep COL,... copies input columns (the\n"
"sensitive ones, an identifier) after id, so that the file can go on to\n"
"`fairtrain audit` (README 'Predict, then audit').\n\n"
"A ranking model (train --task rank) writes query,rank,id,score[,group]\n"
"[,relevance]: each query's items by rank, after the saved re-ranker; items\n"
"past the re-ranker's k follow with an empty rank (README 'Fair ranking').\n"
"Items of equal score keep their input order (--ties random: a seeded random\n"
"order, the one eval --ties random measures); predict says how many there\n"
"are.\n\n"
"  --model FILE.h5        model file (required)\n"
"  --data FILE            raw rows (required)\n"
"  --out FILE.csv         output (required; written atomically; '-' = stdout)\n"
"  --names a,b,c, --header, --no-header, --delimiter C, --skip-rows N,\n"
"  --missing-tokens LIST  override how the file is read\n"
"  --keep COL,...         copy these input columns into the output\n"
"  --deterministic        a mixture's single best predictor instead of the\n"
"                         mixture (eg models)\n"
"  --seed N               seed of the randomized labels (default 1)\n"
"  --rerank SPEC|none     ranking models: replace the saved re-ranker\n"
"  --ties input|random    ranking models: order of equal scores (default input)\n"
"  --tie-seed N           seed of --ties random (default 1)\n"
"  --quiet                no warnings on stderr\n";

static int write_cb(FILE *fp, void *ctx)
{
	return ft_predictions_csv(ctx, fp);
}

/* Every option into o; 0, -1 (help printed) or an exit code. */
static int parse(int argc, char **argv, struct cli_data *d, struct ft_apply_opts *o,
                 const char **model, const char **out, char ***keep)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		{"model", required_argument, NULL, OPT_MODEL},
		{"out", required_argument, NULL, OPT_OUT},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"deterministic", no_argument, NULL, OPT_DETERMINISTIC},
		{"rerank", required_argument, NULL, OPT_RERANK},
		{"ties", required_argument, NULL, OPT_TIES},
		{"tie-seed", required_argument, NULL, OPT_TIE_SEED},
		{"keep", required_argument, NULL, OPT_KEEP},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		switch (c) {
		case OPT_MODEL: *model = optarg; continue;
		case OPT_OUT: *out = optarg; continue;
		case OPT_QUIET: cli_quiet = 1; continue;
		case OPT_DETERMINISTIC: o->deterministic = 1; continue;
		case OPT_RERANK: o->rerank = optarg; continue;
		case OPT_KEEP:
			free(*keep);
			if (!(*keep = cli_split_list(optarg, &o->n_keep)))
				return cli_usage_error("predict", "--keep takes COL,... (not '%s')",
				                       optarg);
			o->keep = (const char *const *)*keep;
			continue;
		case OPT_SEED:
			if (cli_parse_u64(optarg, &o->seed))
				return cli_usage_error("predict", "--seed takes a non-negative "
				                       "integer, not '%s'", optarg);
			continue;
		case 'h': case OPT_HELP: fputs(HELP, stdout); return -1;
		case OPT_TIES: case OPT_TIE_SEED:
			if (c == OPT_TIES && !strcmp(optarg, "expect"))
				return cli_usage_error("predict", "--ties: an order is input or random "
				                       "(expect is for measuring)");
			if (cli_rank_measure_option(&o->measure, "predict", c, optarg) < 0)
				return EXIT_USAGE;
			continue;
		case OPT_HEADER: case OPT_NO_HEADER: case OPT_DELIMITER: case OPT_SKIP_ROWS:
		case OPT_NAMES: case OPT_MISSING_TOKENS: case OPT_DATA:
			break;
		default:
			if (c >= OPT_DATA && c < OPT_CMD_BASE)
				return cli_usage_error("predict", "option '%s' is for train, not "
				                       "predict", argv[optind - 1]);
			return cli_bad_option("predict", c, argv);
		}
		if (cli_data_option(d, "predict", c, optarg) < 0)
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_unexpected_arg("predict", argc, argv, LONG);
	if (!*model || !d->o.data || !*out)
		return cli_usage_error("predict", "--model, --data and --out are required");
	return 0;
}

/* The predictions file, by rank 0 of a distributed run (cli_rank0). */
struct wr {
	const char *out;
	const struct ft_predictions *p;
};

static int write_rank0(const void *ctx)
{
	const struct wr *w = ctx;

	return cli_write_output(w->out, write_cb, (void *)w->p);
}

int cmd_predict(int argc, char **argv)
{
	struct cli_data d;
	struct ft_apply_opts o;
	struct ft_model_file *mf = NULL;
	struct ft_predictions *p = NULL;
	struct ft_error err = {0};
	const char *model = NULL, *out = NULL;
	struct wr wr;
	char **keep = NULL;
	int rc;

	cli_data_init(&d);
	ft_apply_opts_init(&o);
	if ((rc = parse(argc, argv, &d, &o, &model, &out, &keep)) != 0 ||
	    (rc = cli_check_outputs("predict", (const char *[]){out}, 1,
	                            (const char *[]){d.o.data, model}, 2)) != 0) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto done;
	}
	rc = EXIT_FAIL;
	if (ft_model_load(model, &mf, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if ((rc = cli_check_rerank("predict", model, mf, o.rerank)) != 0)
		goto done;
	rc = EXIT_FAIL;
	if (o.deterministic && mf->model->kind != FT_PRED_MIXTURE) {
		rc = cli_usage_error("predict", "--deterministic: %s %s", model, mf->ranking ?
		                     "is a ranking model" : "holds no randomized mixture");
		goto done;
	}
	o.data = d.o.data;
	o.files = d.o.files;
	o.n_files = d.o.n_files;
	o.read = d.o.read;
	o.read_set = d.read_set;
	o.mon = &cli_monitor;
	if (ft_predict(mf, &o, &p, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	wr.out = out;
	wr.p = p;
	if (cli_rank0(write_rank0, &wr))
		goto done;
	rc = EXIT_OK;
done:
	ft_predictions_free(p);
	ft_model_file_free(mf);
	free(keep);              /* one block (cli_split_list) */
	cli_data_free(&d);
	return rc;
}
