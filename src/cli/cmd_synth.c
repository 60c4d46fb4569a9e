/*
 * cmd_synth.c - `fairtrain synth`: write the synthetic hiring data set.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const char HELP[] =
"Usage: fairtrain synth --out FILE.csv [--rows N] [--seed S]\n\n"
"Write the synthetic hiring data set (see README, 'Synthetic data'): one row\n"
"per applicant with a sensitive attribute (gender), historical label bias\n"
"against women, a proxy feature (hobby), numeric and categorical columns.\n"
"The same seed gives the same bytes.\n\n"
"  --out FILE   output CSV (written atomically)\n"
"  --rows N     number of rows (default 5000)\n"
"  --seed S     random seed (default 1)\n"
"  --quiet      no progress messages\n";

int cmd_synth(int argc, char **argv)
{
	static const struct option LONG[] = {
		{"out", required_argument, NULL, 'o'},
		{"rows", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const char *out = NULL;
	size_t rows = 5000;
	uint64_t seed = 1;
	struct ft_error err = {0};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'n':
			if (cli_parse_size(optarg, &rows) || rows == 0)
				return cli_usage_error("synth", "--rows takes a positive integer, not '%s'", optarg);
			break;
		case 's':
			if (cli_parse_u64(optarg, &seed))
				return cli_usage_error("synth", "--seed takes a non-negative integer, not '%s'", optarg);
			break;
		case 'q': cli_quiet = 1; break;
		case 'h': fputs(HELP, stdout); return EXIT_OK;
		default: return cli_bad_option("synth", c, argv);
		}
	}
	if (optind < argc)
		return cli_unexpected_arg("synth", argc, argv, LONG);
	if (!out)
		return cli_usage_error("synth", "--out FILE is required");
	/* under mpirun, rank 0 writes */
	if (ft_dist_agree(ft_dist_rank() == 0 ? ft_synth_write(out, rows, seed, &err) : 0,
	                  &err)) {
		cli_fail("%s", err.msg);
		return EXIT_FAIL;
	}
	if (!cli_quiet)
		printf("wrote %s: %zu applicants (seed %llu)\n", out, rows,
		       (unsigned long long)seed);
	return EXIT_OK;
}
