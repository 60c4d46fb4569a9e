/*
 * fuzz_method.c - ft_method_parse, the "name:choice:k=v,k=v" specs of
 * `train --method` and `compare --methods`, then the registry's own check
 * that every parsed parameter is in its range.
 */
#include "fuzz.h"
#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ft_method *m = NULL;
	double params[FT_MAX_PARAMS];
	struct ft_error err = { 0, "" };
	char *spec = fuzz_string(data, size);

	if (ft_method_parse(spec, &m, params, &err) == 0) {
		if (!m || m->n_params > FT_MAX_PARAMS)
			abort();
		for (size_t k = 0; k < m->n_params; k++)
			if (isnan(params[k]))
				abort();
	} else {
		fuzz_one_line(&err);
	}
	free(spec);
	return 0;
}
