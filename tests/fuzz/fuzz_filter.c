/*
 * fuzz_filter.c - ft_filter_parse, the --filter expressions
 * ("days_b_screening_arrest<=30"), then the parsed filter applied to a
 * small table with text, numbers, missing cells and a huge value.
 */
#include "fuzz.h"

static struct ft_table *table(void)
{
	static const char text[] =
		"a,b,c,d\n1,x,2.5,\n?,y,-1,q\n3,,1e308,\n-0,x,nan,inf\n";
	static struct ft_table *t;

	if (!t && ft_table_read(fuzz_file(1, (const uint8_t *)text,
	                                  sizeof text - 1), NULL, &t, NULL))
		abort();
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ft_filter f;
	struct ft_table *out = NULL;
	struct ft_error err = { 0, "" };
	size_t removed = 0;
	char *expr = fuzz_string(data, size);

	if (ft_filter_parse(expr, &f, &err) == 0) {
		if (ft_table_filter(table(), &f, 1, &out, &removed, &err) == 0)
			ft_table_free(out);
	}
	fuzz_one_line(&err);
	free(expr);
	return 0;
}
