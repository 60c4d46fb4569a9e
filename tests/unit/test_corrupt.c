/*
 * test_corrupt.c - damaged files never reach libhdf5: every single-bit
 * flip at 2,000 random byte positions (8 flips each, 16,000 files) of a
 * model file made by `fairtrain train` and of a results.h5 made by
 * `fairtrain compare` is refused with one line (FT_EFORMAT, "PATH: ...",
 * no newline), and none crashes or hangs (each load runs under alarm(10):
 * a hang kills the test, and tests/run.sh reports its exit status).
 *
 * A flip that loaded would have to leave the file's SHA-256 unchanged, so
 * with the checksum block (src/io/h5image.c) the expected count of loads
 * is zero; the test counts them and fails on any.  The model file goes
 * through ft_model_load; results.h5, which fairtrain does not read back
 * yet, through ft_h5_open_verified, the open every reader uses.
 *
 * The files are made by the command-line program of this build
 * ($FAIRTRAIN_BUILD/fairtrain, as tests/run.sh sets it), in a temp folder.
 * Positions come from ft_rng with a fixed seed (FT_FLIP_SEED overrides
 * it), so a failure is reproducible; the seed is printed with the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hdf5.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "io/io.h"
#include "t.h"

#define POSITIONS 2000

static char dir[64];
static const char *build_dir(void)
{
	const char *b = getenv("FAIRTRAIN_BUILD");
	return b && *b ? b : "build";
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		T_FAIL("command failed (%d): %s", rc, cmd);
	return rc;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	struct stat st;
	unsigned char *buf = NULL;
	int fd = open(path, O_RDONLY);

	*n = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && (buf = malloc((size_t)st.st_size + 1)) &&
	    read(fd, buf, (size_t)st.st_size) == st.st_size)
		*n = (size_t)st.st_size;
	close(fd);
	return buf;
}

/* One line naming the file: "PATH: ...", no newline. */
static int one_line(const struct ft_error *e, const char *path)
{
	size_t pl = strlen(path);

	return strncmp(e->msg, path, pl) == 0 && e->msg[pl] == ':' &&
	       e->msg[pl + 1] == ' ' && strchr(e->msg, '\n') == NULL &&
	       strlen(e->msg) > pl + 2;
}

/* The load of a damaged file: 0 refused properly, 1 loaded, -1 a bad
 * refusal (the message is printed). */
static int load_once(const char *path, int results)
{
	struct ft_error err = { 0, "" };
	int rc;

	alarm(10);
	if (results) {
		hid_t f = H5I_INVALID_HID;
		size_t len = 0;
		int verified = 0;
		rc = ft_h5_open_verified(path, "results file", &f, &len, &verified,
		                         &err);
		if (!rc)
			H5Fclose(f);
	} else {
		struct ft_model_file *mf = NULL;
		rc = ft_model_load(path, &mf, &err);
		ft_model_file_free(mf);
	}
	alarm(0);
	if (rc == 0)
		return 1;
	if (rc != FT_EFORMAT || err.code != FT_EFORMAT || !one_line(&err, path)) {
		printf("    rc %d: %s\n", rc, err.msg);
		return -1;
	}
	return 0;
}

/* Flip every bit at POSITIONS random bytes of path, one at a time, in
 * place, and load each. */
static void flip_file(const char *path, int results, uint64_t seed)
{
	size_t n = 0, loaded = 0, bad = 0, refused = 0;
	unsigned char *img = slurp(path, &n);
	struct ft_rng rng;
	int fd = open(path, O_WRONLY);
	double t0 = t_now();

	T_CHECKF(img && n > 1024 && fd >= 0, "%s: cannot read", path);
	if (!img || n <= 1024 || fd < 0)
		goto done;
	/* the intact file loads */
	T_CHECKF(load_once(path, results) == 1, "%s: the intact file does not "
	         "load", path);
	ft_rng_seed(&rng, seed);
	for (int k = 0; k < POSITIONS; k++) {
		off_t at = (off_t)ft_rng_below(&rng, n);
		for (int bit = 0; bit < 8; bit++) {
			unsigned char c = img[at] ^ (unsigned char)(1u << bit);
			int r;
			if (pwrite(fd, &c, 1, at) != 1) {
				T_FAIL("pwrite: %s", strerror(errno));
				goto done;
			}
			r = load_once(path, results);
			if (r < 0 && bad++ < 5)
				printf("    (byte %lld bit %d)\n", (long long)at, bit);
			else if (r > 0 && loaded++ < 5)
				printf("    loaded with byte %lld bit %d flipped\n",
				       (long long)at, bit);
			refused += r == 0;
		}
		if (pwrite(fd, &img[at], 1, at) != 1) {
			T_FAIL("pwrite: %s", strerror(errno));
			goto done;
		}
	}
	printf("    %s: %zu bytes, %d flips: %zu refused with one line, %zu "
	       "loaded, %zu other (seed %llu, %.1f s)\n", ft_basename(path), n,
	       8 * POSITIONS, refused, loaded, bad, (unsigned long long)seed,
	       t_now() - t0);
	T_CHECKF(bad == 0 && loaded == 0, "%zu refusals not one FT_EFORMAT line, "
	         "%zu damaged files loaded", bad, loaded);
done:
	if (fd >= 0)
		close(fd);
	free(img);
}

static uint64_t seed(void)
{
	const char *s = getenv("FT_FLIP_SEED");
	return s && *s ? strtoull(s, NULL, 10) : 20240612;
}

static char ft[512], data[256];

static void test_flip_model(void)
{
	char cmd[2048], m[256];

	snprintf(m, sizeof m, "%s/m.h5", dir);
	snprintf(cmd, sizeof cmd, "'%s' train --data '%s' --target hired "
	         "--positive yes --sensitive gender --method reweigh --bootstrap 0 "
	         "--permutations 0 --quiet --out '%s'", ft, data, m);
	if (run(cmd))
		return;
	flip_file(m, 0, seed());
}

static void test_flip_results(void)
{
	char cmd[2048], r[256];

	snprintf(cmd, sizeof cmd, "'%s' compare --data '%s' --target hired "
	         "--positive yes --sensitive gender --methods 'baseline reweigh' "
	         "--folds 2 --quiet --out '%s/cmp' >/dev/null", ft, data, dir);
	if (run(cmd))
		return;
	snprintf(r, sizeof r, "%s/cmp/results.h5", dir);
	flip_file(r, 1, seed() + 1);
}

int main(void)
{
	char cmd[1024];

	snprintf(dir, sizeof dir, "/tmp/ft_test_corrupt.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	snprintf(ft, sizeof ft, "%s/fairtrain", build_dir());
	snprintf(data, sizeof data, "%s/s.csv", dir);
	snprintf(cmd, sizeof cmd, "'%s' synth --rows 300 --seed 5 --out '%s' "
	         ">/dev/null", ft, data);
	t_name = "test_corrupt_setup";
	if (access(ft, X_OK) != 0 || system(cmd) != 0) {
		printf("FAIL test_corrupt_setup: cannot run %s\n", ft);
		return 1;
	}
	T_RUN(test_flip_model);
	T_RUN(test_flip_results);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
