/*
 * fuzz_config.c - the compare --config reader (ft_config_read, src/run/
 * config.c) on the input as a file, with compare's long options (a few
 * flags, options with values, and config / help, which a file may not
 * hold).  A file that parses gives "--name" arguments, each followed by
 * its value when the option takes one; else one line naming the file.
 */
#include "fuzz.h"

static const struct ft_config_option OPTS[] = {
	{ "data", 1, 1 }, { "target", 1, 1 }, { "positive", 1, 1 },
	{ "sensitive", 1, 1 }, { "methods", 1, 1 }, { "folds", 1, 1 },
	{ "filter", 1, 1 }, { "seed", 1, 1 }, { "quiet", 0, 1 },
	{ "force", 0, 1 }, { "config", 1, 0 }, { "help", 0, 0 },
};
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ft_error err = { 0, "" };
	char **a = NULL;
	size_t n = 0;

	if (ft_config_read(fuzz_file(0, data, size), OPTS, N_OPTS, &a, &n, &err)) {
		fuzz_one_line(&err);
		if (a || n)
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ft_config_option *o = NULL;
		if (!a[i] || strncmp(a[i], "--", 2))
			abort();
		for (size_t j = 0; j < N_OPTS; j++)
			if (!strcmp(OPTS[j].name, a[i] + 2))
				o = &OPTS[j];
		if (!o || !o->in_file)
			abort();  /* only the file's own options */
		if (o->has_value && (++i >= n || !a[i] || strchr(a[i], '\n')))
			abort();
	}
	ft_config_free(a, n);
	return 0;
}
