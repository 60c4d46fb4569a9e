/*
 * main.c - `fairtrain COMMAND [options]`: dispatch to one file per command.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <sys/auxv.h>
#endif
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

/* Two settings that take effect only when the process starts, so the
 * program sets them in its environment and runs itself again, once
 * (if the exec fails the run goes on without them):
 *
 * OpenMP's idle threads spin before they sleep: libgomp's default is
 * 300,000 spins, which on a machine busy with other work steals the cores
 * the other threads and processes need (the Adult comparison took 20-41 s
 * beside two CPU-bound processes on 2 cores, 12.5 s with passive waiting,
 * 5.8 s on the idle machine).  10,000 spins keep the idle-machine speed of
 * the default and the busy-machine speed of passive waiting (make bench,
 * "threads under load").  libgomp reads GOMP_SPINCOUNT once, when it is
 * loaded, before main; set unless the user chose a policy
 * (OMP_WAIT_POLICY or GOMP_SPINCOUNT).
 *
 * glibc's malloc on transparent huge pages (glibc 2.35 and later: the
 * tunable glibc.malloc.hugetlb=1 advises its heap and its large blocks):
 * the library advises its own large arrays, but the tables' many other
 * blocks and glibc's heap faulted in 4 KiB at a time, 40,000 faults in
 * `train` on 1M rows; with it 23,000, and the run took 1.33-1.46 s
 * against 1.54-1.66 on the 2-core VM of issue 20, peak memory within
 * 2.5 MB (Adult: the same time, 1 MB more).  glibc reads GLIBC_TUNABLES when the
 * process starts; appended to the user's unless it names
 * glibc.malloc.hugetlb, and not for a program run with privileges (there
 * glibc ignores the variable, and the program would run itself again
 * forever). */
#define CLI_SPINCOUNT "10000"
#define CLI_TUNABLE "glibc.malloc.hugetlb=1"

static void run_again(char **argv)
{
	int again = 0;

	if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT") &&
	    setenv("GOMP_SPINCOUNT", CLI_SPINCOUNT, 1) == 0)
		again = 1;
#ifdef __GLIBC__
	{
		const char *tun = getenv("GLIBC_TUNABLES");
		char buf[1024];
		if (!getauxval(AT_SECURE) && (!tun || !strstr(tun, "glibc.malloc.hugetlb")) &&
		    (size_t)snprintf(buf, sizeof buf, "%s%s%s", tun ? tun : "", tun && *tun ? ":" : "",
		                     CLI_TUNABLE) < sizeof buf &&
		    setenv("GLIBC_TUNABLES", buf, 1) == 0)
			again = 1;
	}
#endif
	if (again)
		execv("/proc/self/exe", argv);
}

/* --version's second line: the threads and how idle ones wait; with glibc
 * a third: its tunables. */
static void print_threads(void)
{
	const char *pol = getenv("OMP_WAIT_POLICY"), *spin = getenv("GOMP_SPINCOUNT");

	int n = ft_get_threads();

	printf("OpenMP: %d thread%s; idle threads wait with ", n, n == 1 ? "" : "s");
	if (pol)
		printf("OMP_WAIT_POLICY=%s", pol);
	else
		printf("GOMP_SPINCOUNT=%s", spin ? spin : "(libgomp's default)");
	printf("%s\n", spin && !strcmp(spin, CLI_SPINCOUNT) && !pol ? " (fairtrain's default)" : "");
#ifdef __GLIBC__
	{
		const char *tun = getenv("GLIBC_TUNABLES");
		printf("malloc: GLIBC_TUNABLES=%s%s\n", tun ? tun : "(none)",
		       tun && !strcmp(tun, CLI_TUNABLE) ? " (fairtrain's default)" : "");
	}
#endif
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
		print_threads();
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

	run_again(argv);
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
