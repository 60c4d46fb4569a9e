/*
 * cmd_audit.c - `fairtrain audit`: measure predictions from any model (a CSV
 * of labels, scores and sensitive attributes) without training anything.
 *
 * The label, sensitive and weight columns go through the same encoder as
 * training data (same missing-value, group and label rules); the scores are
 * read from the raw cells, so a score of exactly the threshold is compared
 * as written.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_LABEL = OPT_CMD_BASE, OPT_SCORE, OPT_QUIET, OPT_HELP };

static const char HELP[] =
"Usage: fairtrain audit --data PREDS.csv --label COL --score COL\n"
"                       --sensitive COL[,COL] [OPTIONS]\n\n"
"Measure predictions of any model: metrics per group and fairness\n"
"summaries with bootstrap intervals.  Scores are probabilities in [0, 1] or\n"
"0/1 predictions; yhat = score >= --threshold.\n\n"
"  --data FILE            predictions (CSV; read options as for train)\n"
"  --label COL            true label column (required)\n"
"  --positive VALUE       the favourable label value (default 1)\n"
"  --label-strip CHARS    strip these trailing characters from labels\n"
"  --score COL            score or 0/1 prediction column (required)\n"
"  --sensitive COL[,COL]  sensitive attribute(s) (required)\n"
"  --privileged VALUE     privileged group (for signed metrics)\n"
"  --weight COL           sample-weight column\n"
"  --seed N               bootstrap seed (default 1)\n"
CLI_MEASURE_HELP
"  --names a,b,c, --header, --no-header, --delimiter C, --skip-rows N,\n"
"  --filter EXPR          keep rows where EXPR holds (as for train)\n"
"  --missing-tokens LIST  how the file is read (rows with a missing label,\n"
"                         score or group are dropped and counted)\n"
"  --quiet                print nothing but errors\n";

static int by_line(const void *key, const void *elt)
{
	size_t a = *(const size_t *)key, b = *(const size_t *)elt;
	return (a > b) - (a < b);
}

int cmd_audit(int argc, char **argv)
{
	static const struct option LONG[] = {
		CLI_DATA_LONGOPTS,
		CLI_MEASURE_LONGOPTS,
		{"label", required_argument, NULL, OPT_LABEL},
		{"score", required_argument, NULL, OPT_SCORE},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	struct cli_data d;
	struct cli_measure ms;
	struct ft_table *t = NULL;
	struct ft_encoder *enc = NULL;
	struct ft_dataset *ds = NULL;
	struct ft_comparison *cmp = NULL;
	struct ft_encode_stats st;
	struct ft_eval_input in;
	struct ft_error err = {0};
	const char *label = NULL, *score = NULL;
	char **drop = NULL, *numeric[1];
	double *sc = NULL;
	long scol;
	size_t n_filtered = 0;
	int c, r, rc = EXIT_FAIL;

	cli_data_init(&d);
	cli_measure_init(&ms);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		r = cli_measure_option(&ms, "audit", c, optarg);
		if (r == 0)
			switch (c) {
			case OPT_LABEL: label = optarg; r = 1; break;
			case OPT_SCORE: score = optarg; r = 1; break;
			case OPT_QUIET: cli_quiet = 1; r = 1; break;
			case 'h': case OPT_HELP: fputs(HELP, stdout); rc = EXIT_OK; goto done;
			case OPT_TARGET: case OPT_TEST: case OPT_SPLIT: case OPT_DROP:
			case OPT_CATEGORICAL: case OPT_NUMERIC: case OPT_USE_SENSITIVE:
			case OPT_MISSING: case OPT_TEST_SKIP_ROWS:
				rc = cli_usage_error("audit", "option '%s' is for train, not audit",
				                     argv[optind - 1]);
				goto done;
			default:
				r = cli_data_option(&d, "audit", c, optarg);
				if (r == 0) {
					rc = cli_bad_option("audit", c, argv);
					goto done;
				}
			}
		if (r < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("audit", "unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (!d.data || !label || !score || !d.spec.n_sensitive) {
		rc = cli_usage_error("audit", "--data, --label, --score and --sensitive are required");
		goto done;
	}
	if (ft_table_read(d.data, &d.read, &t, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	if (cli_apply_filters(&d, &t, &n_filtered))
		goto done;
	scol = ft_table_col(t, score);
	if (scol < 0) {
		cli_fail("%s: no column '%s'", d.data, score);
		goto done;
	}
	/* every column but label, score, sensitive and weight is dropped */
	drop = calloc(t->n_cols ? t->n_cols : 1, sizeof *drop);
	if (!drop) {
		cli_fail("out of memory");
		goto done;
	}
	d.spec.n_drop = 0;
	for (size_t j = 0; j < t->n_cols; j++) {
		int keep = !strcmp(t->names[j], label) || !strcmp(t->names[j], score) ||
		           (d.spec.weight && !strcmp(t->names[j], d.spec.weight));
		for (size_t k = 0; k < d.spec.n_sensitive; k++)
			keep |= !strcmp(t->names[j], d.spec.sensitive[k]);
		if (!keep)
			drop[d.spec.n_drop++] = t->names[j];
	}
	d.spec.drop = drop;
	d.spec.target = label;
	if (!d.spec.positive)
		d.spec.positive = "1";
	numeric[0] = (char *)score;
	d.spec.numeric = numeric;
	d.spec.n_numeric = 1;
	d.spec.missing_policy = FT_MISSING_DROP;
	if (ft_encoder_fit(t, &d.spec, &enc, &err) ||
	    ft_encoder_apply(enc, t, FT_APPLY_TRAIN, &ds, &st, &err)) {
		cli_fail("%s", err.msg);
		goto done;
	}
	sc = malloc((ds->n ? ds->n : 1) * sizeof *sc);
	if (!sc) {
		cli_fail("out of memory");
		goto done;
	}
	for (size_t i = 0; i < ds->n; i++) {
		const size_t *row = bsearch(&ds->line[i], t->line, t->n_rows, sizeof *t->line, by_line);
		const char *cell = row ? ft_table_cell(t, (size_t)(row - t->line), (size_t)scol) : NULL;
		char *end;
		if (!cell) {
			cli_fail("%s:%zu: score missing", d.data, ds->line[i]);
			goto done;
		}
		errno = 0;
		sc[i] = strtod(cell, &end);
		if (*end || errno || !isfinite(sc[i]) || sc[i] < 0 || sc[i] > 1) {
			cli_fail("%s:%zu: column '%s': score '%s' is not in [0, 1] (give "
			         "probabilities or 0/1 predictions)", d.data, ds->line[i], score, cell);
			goto done;
		}
	}
	ft_eval_input_init(&in);
	in.n = ds->n;
	in.y = ds->y;
	in.score = sc;
	in.w = ds->w;
	in.group = ds->group;
	in.n_groups = enc->n_groups;
	in.group_names = (const char *const *)enc->group_names;
	in.threshold = ms.threshold;
	for (size_t g = 0; enc->privileged && g < enc->n_groups; g++)
		if (!strcmp(enc->group_names[g], enc->privileged))
			in.privileged = (long)g;
	cmp = cli_comparison_new(&ms, d.seed);
	if (!cmp) {
		cli_fail("out of memory");
		goto done;
	}
	if (ft_comparison_measure(cmp, "audited", "audit", &in, &err) ||
	    ft_comparison_permutation(cmp, "audited", "audit", &in, ms.n_perm, &err)) {
		cli_fail("%s: %s", d.data, err.msg);
		goto done;
	}
	if (ms.report && cli_write_report(ms.report, cmp, NULL, enc->n_groups, enc->group_names))
		goto done;
	if (!cli_quiet) {
		printf("audit     %s: %zu rows read, %zu measured, %zu dropped for missing values\n",
		       d.data, st.n_in, ds->n, st.n_dropped);
		printf("\nmetrics (yhat = %s >= %g", score, ms.threshold);
		if (ms.n_bootstrap)
			printf("; %.0f%% intervals from %zu bootstrap resamples", 100 * ms.level,
			       ms.n_bootstrap);
		printf("):\n");
		cli_print_comparison(cmp, "audit", NULL, "audited", enc->n_groups, enc->group_names);
	}
	rc = EXIT_OK;
done:
	free(sc);
	free(drop);
	ft_comparison_free(cmp);
	ft_dataset_free(ds);
	ft_encoder_free(enc);
	ft_table_free(t);
	cli_data_free(&d);
	return rc;
}
