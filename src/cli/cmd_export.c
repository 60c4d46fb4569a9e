/*
 * cmd_export.c - `fairtrain export --format libsvm`: the encoded design
 * matrix of the training part, for liblinear and SVMlight tools.
 */
#include <string.h>
#include "cli/cli.h"

enum { OPT_FORMAT = OPT_CMD_BASE, OPT_OUT, OPT_MODEL, OPT_PART, OPT_QUIET, OPT_HELP };

static const char HELP[] =
"Usage: fairtrain export --format libsvm --data FILE --target COL\n"
"                        --positive VALUE --out FILE.libsvm [OPTIONS]\n\n"
"Encode raw data exactly as `fairtrain train` does (one-hot categoricals,\n"
"standardized numerics, rows with missing values dropped or imputed) and\n"
"write the design matrix in libsvm format: label +1/-1, 1-based feature\n"
"indices in the order of the model file's feature_names.  By default all of\n"
"--data is exported (no split); --part train|test exports one part of the\n"
"split that train would make.\n\n"
"  --format libsvm        output format (the only one)\n"
"  --out FILE             output (required; written atomically)\n"
"  --model M.h5           use this model's preprocessing instead of fitting it\n"
"  --part all|train|test  which rows (default all)\n"
CLI_DATA_HELP;

int cmd_export(int argc, char **argv)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		{"format", required_argument, NULL, OPT_FORMAT},
		{"out", required_argument, NULL, OPT_OUT},
		{"model", required_argument, NULL, OPT_MODEL},
		{"part", required_argument, NULL, OPT_PART},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	struct cli_data d;
	struct ft_loaded *L = NULL;
	struct ft_model_file *mf = NULL;
	struct ft_error err = {0};
	const char *out = NULL, *format = NULL, *model = NULL, *part = "all";
	int c, r, rc = EXIT_FAIL;

	cli_data_init(&d);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		r = cli_data_option(&d, "export", c, optarg);
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		if (r > 0)
			continue;
		switch (c) {
		case OPT_FORMAT: format = optarg; break;
		case OPT_OUT: out = optarg; break;
		case OPT_MODEL: model = optarg; break;
		case OPT_PART: part = optarg; break;
		case OPT_QUIET: cli_quiet = 1; break;
		case 'h': case OPT_HELP: fputs(HELP, stdout); rc = EXIT_OK; goto done;
		default: rc = cli_bad_option("export", c, argv); goto done;
		}
	}
	if (optind < argc) {
		rc = cli_unexpected_arg("export", argc, argv, LONG);
		goto done;
	}
	if (!format || strcmp(format, "libsvm") != 0) {
		rc = cli_usage_error("export", "--format libsvm is required (the only format)");
		goto done;
	}
	/* one file of every row: run it as one process */
	if (ft_dist_size() > 1) {
		rc = cli_usage_error("export", "runs in one process, not under mpirun -np %d",
		                     ft_dist_size());
		goto done;
	}
	if (strcmp(part, "all") && strcmp(part, "train") && strcmp(part, "test")) {
		rc = cli_usage_error("export", "--part takes all, train or test, not '%s'", part);
		goto done;
	}
	if (!out) {
		rc = cli_usage_error("export", "--out FILE is required");
		goto done;
	}
	if (!strcmp(part, "all")) {
		if (d.o.test || d.split_given) {
			rc = cli_usage_error("export", "--test and --split go with --part train|test");
			goto done;
		}
		d.o.split = 0;
	}
	if (cli_data_check(&d, "export", model == NULL)) {
		rc = EXIT_USAGE;
		goto done;
	}
	if (model && ft_model_load(model, &mf, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (mf && mf->ranking) {
		cli_fail("%s: a ranking model: export writes classification design matrices "
		         "(libsvm labels +1/-1), not ranking data", model);
		goto done;
	}
	if (mf) {
		/* read the file the way the model's training data was read, unless told */
		if (d.o.read.n_names == 0 && mf->read.n_names) {
			d.o.read.names = mf->read.names;
			d.o.read.n_names = mf->read.n_names;
			d.o.read.header = mf->read.header;
		}
	}
	if (ft_load(&d.o, mf ? mf->enc : NULL, &cli_monitor, &L, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	const struct ft_dataset *ds = strcmp(part, "test") ? L->train : L->test;
	if (!ds) {
		cli_fail("%s: no test part (give --test FILE or --split FRAC)", d.o.data);
		goto done;
	}
	if (ft_dataset_write_libsvm(ds, out, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (!cli_quiet)
		printf("wrote %s: %zu rows, %zu features\n", out, ds->n, ds->p);
	rc = EXIT_OK;
done:
	ft_loaded_free(L);
	ft_model_file_free(mf);
	cli_data_free(&d);
	return rc;
}
