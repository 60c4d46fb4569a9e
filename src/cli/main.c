/*
 * main.c - `fairtrain COMMAND [options]`: dispatch to one file per command.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} COMMANDS[] = {
	{"train", cmd_train, "fit a logistic regression on raw data and save it"},
	{"predict", cmd_predict, "apply a saved model to raw rows"},
	{"eval", cmd_eval, "measure a saved model on new raw data"},
	{"audit", cmd_audit, "measure predictions of any model"},
	{"inspect", cmd_inspect, "summarise a model file"},
	{"export", cmd_export, "write the encoded design matrix (libsvm format)"},
	{"synth", cmd_synth, "write the synthetic hiring data set"},
	{"compare", cmd_compare, "sweep methods and settings across folds; results and plots"},
};

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: fairtrain COMMAND [OPTIONS]\n\n"
	            "Train fair linear models; every result in one HDF5 file.\n\n"
	            "Commands:\n");
	for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
		fprintf(fp, "  %-9s %s\n", COMMANDS[i].name, COMMANDS[i].help);
	fprintf(fp, "\n'fairtrain COMMAND --help' describes each command.\n"
	            "  --version    print the version\n"
	            "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("fairtrain %s (model format %s version %d)\n", ft_version(),
		       FT_FORMAT_NAME, FT_FORMAT_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
		if (!strcmp(argv[1], COMMANDS[i].name))
			return COMMANDS[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "fairtrain: unknown command '%s'\nTry 'fairtrain --help'.\n",
	        argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct ft_error err = {0};
	int rc;

	ft_set_threads(0);
	/* The MPI build under mpirun: one process per rank, every rank runs
	 * the command (the verbs are collective) and rank 0 alone prints and
	 * writes; the others' output goes nowhere (unless
	 * FAIRTRAIN_RANK_OUTPUT is set: every rank's, for debugging). */
	if (ft_dist_init(&argc, &argv, &err)) {
		fprintf(stderr, "fairtrain: %s\n", err.msg);
		return EXIT_FAIL;
	}
	if (ft_dist_rank() > 0 && !getenv("FAIRTRAIN_RANK_OUTPUT") &&
	    (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)))
		rc = EXIT_FAIL;
	else
		rc = run(argc, argv);
	ft_dist_finalize();
	return rc;
}
