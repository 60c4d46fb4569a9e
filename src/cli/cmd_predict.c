/*
 * cmd_predict.c - `fairtrain predict`: apply a saved model's preprocessing
 * and coefficients to raw rows; write id,score,label[,target] as CSV.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_MODEL = OPT_CMD_BASE, OPT_OUT, OPT_QUIET, OPT_HELP };

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
"0/1 label, empty when missing) when RAW.csv has the target column.\n\n"
"  --model FILE.h5        model file (required)\n"
"  --data FILE            raw rows (required)\n"
"  --out FILE.csv         output (required; written atomically; '-' = stdout)\n"
"  --names a,b,c, --header, --no-header, --delimiter C, --skip-rows N,\n"
"  --missing-tokens LIST  override how the file is read\n"
"  --quiet                no warnings on stderr\n";

static int write_scores(FILE *fp, const struct ft_dataset *ds, const double *prob)
{
	if (fprintf(fp, ds->y ? "id,score,label,target\n" : "id,score,label\n") < 0)
		return -1;
	for (size_t i = 0; i < ds->n; i++) {
		int r = fprintf(fp, "%zu,%.17g,%d", ds->line[i], prob[i], prob[i] >= 0.5);
		if (r >= 0 && ds->y)
			r = ds->y[i] < 0 ? fprintf(fp, ",") : fprintf(fp, ",%d", ds->y[i] > 0.5);
		if (r < 0 || fputc('\n', fp) == EOF)
			return -1;
	}
	return 0;
}

int cmd_predict(int argc, char **argv)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		{"model", required_argument, NULL, OPT_MODEL},
		{"out", required_argument, NULL, OPT_OUT},
		{"quiet", no_argument, NULL, OPT_QUIET},
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
	struct ft_atomic a = {0};
	const char *model = NULL, *out = NULL;
	double *prob = NULL;
	int c, r, rc = EXIT_FAIL;
	struct cli_read_set set = {0};

	cli_data_init(&d);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		switch (c) {
		case OPT_MODEL: model = optarg; continue;
		case OPT_OUT: out = optarg; continue;
		case OPT_QUIET: cli_quiet = 1; continue;
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
	ro = mf->read;
	cli_override_read(&ro, &d, &set);
	if (ft_table_read(d.data, &ro, &t, &err) ||
	    ft_encoder_apply(mf->enc, t, FT_APPLY_PREDICT, &ds, &st, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (mf->model->n_groups > 0) {
		/* one weight vector per group: every row needs its group */
		if (!ds->group) {
			cli_fail("%s: this model (%s) scores each group with its own weights: "
			         "the data needs the sensitive column%s", d.data, mf->method,
			         mf->enc->n_sensitive > 1 ? "s" : "");
			goto done;
		}
		for (size_t i = 0; i < ds->n; i++)
			if (ds->group[i] < 0) {
				cli_fail("%s:%zu: group missing or not seen in training; this model "
				         "scores each group with its own weights", d.data, ds->line[i]);
				goto done;
			}
	}
	cli_warn_stats(d.data, &st);
	if (!cli_quiet && st.n_imputed)
		fprintf(stderr, "fairtrain: warning: %s: %zu missing cell%s imputed\n",
		        d.data, st.n_imputed, st.n_imputed == 1 ? "" : "s");
	prob = malloc((ds->n ? ds->n : 1) * sizeof *prob);
	if (!prob) {
		cli_fail("out of memory");
		goto done;
	}
	ft_linear_predict_proba(mf->model, ds, prob);
	if (!strcmp(out, "-")) {
		if (write_scores(stdout, ds, prob) || fflush(stdout)) {
			cli_fail("stdout: write error");
			goto done;
		}
	} else {
		if (ft_atomic_open(&a, out, &err)) {
			cli_fail("%s", err.msg);
			goto done;
		}
		if (write_scores(a.fp, ds, prob)) {
			ft_atomic_abort(&a);
			cli_fail("%s: write error", out);
			goto done;
		}
		if (ft_atomic_commit(&a, &err)) {
			cli_fail("%s", err.msg);
			goto done;
		}
	}
	rc = EXIT_OK;
done:
	free(prob);
	ft_dataset_free(ds);
	ft_table_free(t);
	ft_model_file_free(mf);
	cli_data_free(&d);
	return rc;
}
