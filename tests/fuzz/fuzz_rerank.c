/*
 * fuzz_rerank.c - the re-rank parser (--rerank SPEC: ft_method_spec_parse
 * with FT_TASK_RANK, FT_STAGE_RERANK) and the re-ranker it names.  A spec
 * that parses must format to a canonical text that parses to the same
 * spec; the re-ranker then runs on 13 items of two groups (scores with
 * ties) and must return a permutation of them with its top k <= 13, or
 * refuse with one line.
 */
#include "fuzz.h"

#define N 13

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double score[N] = { 3, 1, 2, 2, 0.5, -1, 7, 2, 0, 0, 4, -3, 1 };
	static const int32_t group[N] = { 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1 };
	struct ft_method_spec s, back;
	struct ft_error err = { 0, "" };
	char *spec = fuzz_string(data, size), canon[1024];
	size_t order[N], k = 0;
	int seen[N] = { 0 }, flags = 0;

	if (ft_method_spec_parse(spec, FT_TASK_RANK, FT_STAGE_RERANK, &s, &err)) {
		fuzz_one_line(&err);
		goto done;
	}
	if (!s.method || !s.method->rerank)
		abort();
	if (ft_method_spec_format(&s, canon, sizeof canon) < (int)sizeof canon) {
		struct ft_error e2 = { 0, "" };
		if (ft_method_spec_parse(canon, FT_TASK_RANK, FT_STAGE_RERANK, &back, &e2) ||
		    back.method != s.method ||
		    memcmp(back.params, s.params, sizeof s.params) != 0)
			abort();  /* the canonical text must read back */
	}
	if (s.method->rerank(&s, score, group, N, 2, 1, order, &k, &flags, &err) == 0) {
		if (k > N)
			abort();
		for (size_t i = 0; i < N; i++) {
			if (order[i] >= N || seen[order[i]]++)
				abort();  /* not a permutation */
		}
	} else {
		fuzz_one_line(&err);
	}
done:
	free(spec);
	return 0;
}
