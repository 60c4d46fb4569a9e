/*
 * cmd_eval.c - `fairtrain eval`: measure a saved model (and the baseline
 * saved beside it) on new raw data: the same before/after tables as train.
 * A ranking model (a file with /ranking) is measured by cli_rank_eval
 * (cmd_rank.c) with the ranking metrics.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_MODEL = OPT_CMD_BASE, OPT_QUIET, OPT_HELP, OPT_RERANK };

static const char HELP[] =
"Usage: fairtrain eval --model M.h5 --data RAW.csv [OPTIONS]\n\n"
"Measure a saved model on new raw data with its saved preprocessing: the\n"
"metrics per group and the fairness summaries with bootstrap intervals, for\n"
"the model and for the unmitigated baseline saved beside it.  The data must\n"
"have the target and sensitive columns; rows missing them are dropped (and\n"
"counted), missing features are treated by the model's missing policy.\n"
"A ranking model is measured with the ranking metrics of train --task rank\n"
"(baseline, mitigated, and re-ranked by the saved re-ranker); the data need\n"
"the relevance column; measurement options other than --report do not apply.\n\n"
"  --model FILE.h5        model file (required)\n"
"  --data FILE            raw rows (required)\n"
"  --seed N               bootstrap seed (default 1)\n"
CLI_MEASURE_HELP
"  --names a,b,c, --header, --no-header, --delimiter C, --skip-rows N,\n"
"  --missing-tokens LIST  override how the file is read\n"
"  --filter EXPR          keep rows where EXPR holds (as for train)\n"
"  --rerank SPEC|none     ranking models: replace the saved re-ranker\n"
"  --quiet                print nothing but errors\n";

int cmd_eval(int argc, char **argv)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		CLI_MEASURE_LONGOPTS,
		{"model", required_argument, NULL, OPT_MODEL},
		{"rerank", required_argument, NULL, OPT_RERANK},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	struct cli_data d;
	struct cli_measure ms;
	struct cli_extras x = {0};
	struct ft_model_file *mf = NULL;
	struct ft_table *t = NULL;
	struct ft_dataset *ds = NULL;
	struct ft_comparison *cmp = NULL;
	struct ft_encode_stats st;
	struct ft_read_opts ro;
	struct ft_error err = {0};
	const char *model = NULL, *rerank = NULL;
	int c, r, rc = EXIT_FAIL;
	size_t n_filtered = 0;
	struct cli_read_set set = {0};

	cli_data_init(&d);
	cli_measure_init(&ms);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		r = cli_measure_option(&ms, "eval", c, optarg);
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		if (r > 0)
			continue;
		switch (c) {
		case OPT_MODEL: model = optarg; continue;
		case OPT_RERANK: rerank = optarg; continue;
		case OPT_QUIET: cli_quiet = 1; continue;
		case 'h': case OPT_HELP: fputs(HELP, stdout); rc = EXIT_OK; goto done;
		case OPT_HEADER: case OPT_NO_HEADER: case OPT_DELIMITER: case OPT_SKIP_ROWS:
		case OPT_NAMES: case OPT_MISSING_TOKENS:
			cli_read_set_mark(&set, c);
			break;
		case OPT_DATA: case OPT_SEED: case OPT_FILTER: break;
		default:
			if (c >= OPT_DATA && c < OPT_CMD_BASE) {
				rc = cli_usage_error("eval", "option '%s' is for train, not eval",
				                     argv[optind - 1]);
				goto done;
			}
			rc = cli_bad_option("eval", c, argv);
			goto done;
		}
		if (cli_data_option(&d, "eval", c, optarg) < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (!model || !d.data) {
		rc = cli_usage_error("eval", "--model and --data are required");
		goto done;
	}
	if (ft_model_load(model, &mf, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (mf->ranking) {
		rc = cli_rank_eval(model, mf, &d, &set, &ms, rerank);
		goto done;
	}
	if (rerank) {
		cli_fail("%s: a classification model (method %s): --rerank needs a ranking "
		         "model (train --task rank)", model, mf->method);
		goto done;
	}
	ro = mf->read;
	cli_override_read(&ro, &d, &set);
	if (ft_table_read(d.data, &ro, &t, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (cli_apply_filters(&d, &t, &n_filtered))
		goto done;
	if (ft_encoder_apply(mf->enc, t, FT_APPLY_TRAIN, &ds, &st, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	cli_warn_stats(d.data, &st);
	cmp = cli_comparison_new(&ms, d.seed);
	if (!cmp) {
		cli_fail("out of memory");
		goto done;
	}
	if (cli_check_groups(mf, ds, d.data))
		goto done;
	if ((mf->baseline && cli_measure_model(cmp, ms.n_perm, "baseline", "eval", mf->baseline,
	                                       NULL, NULL, ds, mf->enc)) ||
	    cli_measure_model(cmp, ms.n_perm, "mitigated", "eval", mf->model, mf->mixture,
	                      mf->thresholds, ds, mf->enc) ||
	    (mf->mixture && cli_measure_model(cmp, ms.n_perm, "mitigated_deterministic", "eval",
	                                      mf->model, NULL, NULL, ds, mf->enc)))
		goto done;
	if (cli_extras_compute(&x, mf->model, ds, "mitigated", "eval", mf->enc, ds))
		goto done;
	if (ms.report && cli_write_report(ms.report, cmp, &x, mf->enc->n_groups,
	                                  mf->enc->group_names))
		goto done;
	if (!cli_quiet) {
		printf("eval      %s on %s: %zu rows read, %zu measured, %zu dropped, "
		       "%zu removed by --filter\n", model, d.data, st.n_in + n_filtered, ds->n,
		       st.n_dropped, n_filtered);
		printf("\n%s (yhat = score >= %g", mf->baseline ? "before/after" : "metrics",
		       ms.threshold);
		if (ms.n_bootstrap)
			printf("; %.0f%% intervals from %zu bootstrap resamples", 100 * ms.level,
			       ms.n_bootstrap);
		printf("):\n");
		cli_print_comparison(cmp, "eval", mf->baseline ? "baseline" : NULL, "mitigated",
		                     mf->enc->n_groups, mf->enc->group_names);
		cli_extras_print(&x, mf->enc);
	}
	rc = EXIT_OK;
done:
	cli_extras_free(&x);
	ft_comparison_free(cmp);
	ft_dataset_free(ds);
	ft_table_free(t);
	ft_model_file_free(mf);
	cli_data_free(&d);
	return rc;
}
