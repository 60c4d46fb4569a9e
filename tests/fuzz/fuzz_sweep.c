/*
 * fuzz_sweep.c - the compare sweep parser (--methods "SPEC ...":
 * ft_sweep_parse, and ft_sweep_parse_task for rankings, compare --task
 * rank: ranking methods and re-rankers with list values).  Each input is
 * parsed for both tasks.  A sweep that parses has 1 to FT_SWEEP_MAX
 * settings, the baseline first, and each setting's canonical text parses
 * back to a spec of the same method; else one line.
 */
#include "fuzz.h"

static void check(const char *text, int task)
{
	struct ft_sweep *sw = NULL;
	struct ft_error err = { 0, "" };

	if (ft_sweep_parse_task(text, task, &sw, &err) == 0) {
		if (!sw || sw->n == 0 || sw->n > FT_SWEEP_MAX)
			abort();
		for (size_t i = 0; i < sw->n; i++) {
			struct ft_method_spec s;
			struct ft_error e2 = { 0, "" };
			const struct ft_sweep_setting *x = &sw->s[i];
			if (!x->method || !x->setting || !x->label || !x->spec.method)
				abort();
			if (ft_method_spec_parse(x->setting, -1, -1, &s, &e2) ||
			    s.method != x->spec.method)
				abort();  /* the canonical text must read back */
		}
	} else {
		fuzz_one_line(&err);
		if (sw)
			abort();
	}
	ft_sweep_free(sw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);

	check(text, FT_TASK_CLASSIFY);
	check(text, FT_TASK_RANK);
	free(text);
	return 0;
}
