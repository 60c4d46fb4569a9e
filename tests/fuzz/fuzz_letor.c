/*
 * fuzz_letor.c - the LETOR / SVMlight reader, with limits small enough
 * for a fuzzer (4,096 features, the default density), then what the
 * ranking CLI does to what it read: groups from feature 1, a query-level
 * split and dropping feature 1.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ft_letor_opts o;
	struct ft_rank_data *rd = NULL, *tr = NULL, *te = NULL;
	struct ft_error err = { 0, "" };

	ft_letor_opts_init(&o);
	o.max_features = 4096;
	if (ft_letor_read_opts(fuzz_file(0, data, size), &o, &rd, &err)) {
		fuzz_one_line(&err);
		return 0;
	}
	if (ft_rank_data_group_by_feature(rd, 0, 1.0, &err) == 0 &&
	    ft_rank_data_split(rd, 0.5, 1, &tr, &te, &err) == 0) {
		ft_rank_data_free(tr);
		ft_rank_data_free(te);
	}
	if (rd->p > 1)
		ft_rank_data_drop_feature(rd, 0, &err);
	fuzz_one_line(&err);
	ft_rank_data_free(rd);
	return 0;
}
