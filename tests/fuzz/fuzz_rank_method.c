/*
 * fuzz_rank_method.c - ft_rank_method_parse, the ranking --method specs
 * ("deltr:gamma=1,reference=1"), then ft_rank_check on what it parsed.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ft_rank_params p;
	struct ft_error err = { 0, "" };
	char *spec = fuzz_string(data, size);

	if (ft_rank_method_parse(spec, &p, &err) == 0) {
		const char *why = ft_rank_check(&p);
		if (why && strchr(why, '\n'))
			abort();
	} else {
		fuzz_one_line(&err);
	}
	free(spec);
	return 0;
}
