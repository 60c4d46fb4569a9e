/*
 * replay.c - run a libFuzzer harness without libFuzzer.  `make test`
 * builds each tests/fuzz/fuzz_NAME.c into build/tests/test_fuzz_NAME with
 * this main() (gcc, the normal or the SANITIZE=1 build: no clang needed),
 * which feeds it every file of tests/fuzz/regressions/NAME/ (each input
 * that ever crashed it, kept forever) and of tests/fuzz/corpus/NAME/ (the
 * seeds), and prints one PASS line per folder.  A crash or a sanitizer
 * report ends the program, and tests/run.sh reports it with the output.
 * With arguments it feeds those files instead (to reproduce a finding).
 */
#include "fuzz.h"  /* first: it sets _GNU_SOURCE */
#include <dirent.h>
#include FUZZ_HARNESS

static int feed(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, k;

	if (!fp)
		return -1;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(buf = realloc(buf, cap)))
				abort();
		}
		if ((k = fread(buf + n, 1, cap - n, fp)) == 0)
			break;
		n += k;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

/* Every regular file of dir, in name order; -1 when dir is absent. */
static long feed_dir(const char *dir)
{
	struct dirent **ents;
	char path[1024];
	long done = 0;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
			printf("# %s\n", path);
			fflush(stdout);
			if (feed(path) == 0)
				done++;
		}
		free(ents[i]);
	}
	free(ents);
	return done;
}

int main(int argc, char **argv)
{
	static const char *const kinds[] = { "regressions", "corpus" };
	char dir[256];
	int rc = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (feed(argv[i]) != 0) {
				perror(argv[i]);
				rc = 1;
			}
		return rc;
	}
	for (size_t k = 0; k < 2; k++) {
		long n;
		snprintf(dir, sizeof dir, "tests/fuzz/%s/%s", kinds[k], FUZZ_NAME);
		n = feed_dir(dir);
		if (n < 0 && k == 0)
			printf("PASS fuzz_%s_%s: none yet\n", FUZZ_NAME, kinds[k]);
		else if (n <= 0)
			printf("FAIL fuzz_%s_%s: no inputs in %s\n", FUZZ_NAME,
			       kinds[k], dir), rc = 1;
		else
			printf("PASS fuzz_%s_%s: %ld inputs replayed\n", FUZZ_NAME,
			       kinds[k], n);
	}
	return rc;
}
