/*
 * test_kfold.c - stratified k folds (ft_table_kfold): every row in exactly
 * one fold, fold counts balanced within each (label, group) stratum and
 * overall, determinism for a seed, agreement with ft_table_split where the
 * two must agree, and the errors; the radix sort of the split's row
 * keys against qsort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fairtrain.h"
#include "core/internal.h"
#include "t.h"

static char dir[] = "/tmp/ft_kfold_XXXXXX";

static struct ft_table *table(const char *name, const char *text)
{
	char path[256];
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_error err = {0};
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	ft_read_opts_init(&o);
	if (ft_table_read(path, &o, &t, &err))
		printf("# %s\n", err.msg);
	return t;
}

/* y,g rows: strata (1,a) x7, (0,a) x5, (1,b) x4, (0,b) x2, and two rows
 * with a missing label (a stratum of their own), interleaved. */
static struct ft_table *strata_table(void)
{
	static const char *const kinds[] = {"1,a", "0,a", "1,b", "0,b", ",a"};
	static const int count[] = {7, 5, 4, 2, 2};
	char text[1024] = "y,g,x\n";
	int left[5], any = 1, x = 0;

	memcpy(left, count, sizeof left);
	while (any) {
		any = 0;
		for (int k = 0; k < 5; k++)
			if (left[k]-- > 0) {
				char line[32];
				snprintf(line, sizeof line, "%s,%d\n", kinds[k], x++);
				strcat(text, line);
				any = 1;
			}
	}
	return table("s.csv", text);
}

static void spec(struct ft_spec *s, char **sens)
{
	ft_spec_init(s);
	s->target = "y";
	s->positive = "1";
	s->sensitive = sens;
	s->n_sensitive = 1;
}

/* The stratum of row i of strata_table(), by its cells. */
static int kind_of(const struct ft_table *t, size_t i)
{
	const char *y = ft_table_cell(t, i, 0), *g = ft_table_cell(t, i, 1);
	if (!y)
		return 4;
	return (strcmp(y, "1") ? 1 : 0) + (strcmp(g, "a") ? 2 : 0);
}

static void test_balanced(void)
{
	struct ft_table *t = strata_table();
	char *sens[] = {"g"};
	struct ft_spec s;
	uint32_t fold[20], again[20], other[20];
	struct ft_error err = {0};

	spec(&s, sens);
	T_CHECK(t && t->n_rows == 20);
	if (!t)
		return;
	for (size_t k = 2; k <= 6; k++) {
		size_t per[5][6] = {{0}}, size[6] = {0};
		T_CHECKF(ft_table_kfold(t, &s, k, 7, fold, &err) == 0, "%s", err.msg);
		for (size_t i = 0; i < 20; i++) {
			T_CHECK(fold[i] < k);
			if (fold[i] >= k)
				continue;
			per[kind_of(t, i)][fold[i]]++;
			size[fold[i]]++;
		}
		/* within each stratum and overall, counts differ by at most one */
		for (int c = 0; c < 5; c++) {
			size_t lo = 99, hi = 0;
			for (size_t f = 0; f < k; f++) {
				lo = per[c][f] < lo ? per[c][f] : lo;
				hi = per[c][f] > hi ? per[c][f] : hi;
			}
			T_CHECKF(hi - lo <= 1, "k %zu stratum %d: %zu..%zu", k, c, lo, hi);
		}
		{
			size_t lo = 99, hi = 0;
			for (size_t f = 0; f < k; f++) {
				lo = size[f] < lo ? size[f] : lo;
				hi = size[f] > hi ? size[f] : hi;
			}
			T_CHECKF(hi - lo <= 1 && lo >= 20 / k, "k %zu: fold sizes %zu..%zu", k, lo, hi);
		}
	}
	/* the same seed gives the same folds; another seed other folds */
	T_CHECK(ft_table_kfold(t, &s, 4, 11, fold, NULL) == 0);
	T_CHECK(ft_table_kfold(t, &s, 4, 11, again, NULL) == 0);
	T_CHECK(memcmp(fold, again, sizeof fold) == 0);
	T_CHECK(ft_table_kfold(t, &s, 4, 12, other, NULL) == 0);
	T_CHECK(memcmp(fold, other, sizeof fold) != 0);
	ft_table_free(t);
}

/* With every stratum of size two, two folds and a split of one half
 * shuffle the same way and must put the same row of each pair first: the
 * split's test part is fold 0. */
static void test_agrees_with_split(void)
{
	struct ft_table *t = table("p.csv", "y,g\n1,a\n0,a\n1,b\n0,b\n1,a\n0,b\n1,b\n0,a\n");
	char *sens[] = {"g"};
	struct ft_spec s;
	struct ft_table *tr = NULL, *te = NULL;
	uint32_t fold[8];

	spec(&s, sens);
	if (!t) {
		T_CHECK(t != NULL);
		return;
	}
	for (uint64_t seed = 1; seed <= 20; seed++) {
		T_CHECK(ft_table_kfold(t, &s, 2, seed, fold, NULL) == 0);
		T_CHECK(ft_table_split(t, &s, 0.5, seed, &tr, &te, NULL) == 0);
		if (te) {
			size_t j = 0;
			T_CHECK(te->n_rows == 4);
			for (size_t i = 0; i < 8; i++)
				if (fold[i] == 0) {
					T_CHECKF(j < te->n_rows && te->line[j] == t->line[i],
					         "seed %llu: fold 0 row %zu not the split's test row",
					         (unsigned long long)seed, i);
					j++;
				}
			T_CHECK(j == 4);
		}
		ft_table_free(tr);
		ft_table_free(te);
		tr = te = NULL;
	}
	ft_table_free(t);
}

static void test_errors(void)
{
	struct ft_table *t = table("e.csv", "y,g\n1,a\n0,b\n1,a\n");
	char *sens[] = {"g"}, *nosuch[] = {"zz"};
	struct ft_spec s;
	uint32_t fold[3];
	struct ft_error err = {0};

	spec(&s, sens);
	if (!t) {
		T_CHECK(t != NULL);
		return;
	}
	T_CHECK(ft_table_kfold(t, &s, 1, 1, fold, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "need at least 2") != NULL);
	ft_error_clear(&err);
	T_CHECK(ft_table_kfold(t, &s, 4, 1, fold, &err) == FT_EDATA);
	T_CHECK(strstr(err.msg, "e.csv: 4 folds of 3 rows") != NULL);
	ft_error_clear(&err);
	s.sensitive = nosuch;
	T_CHECK(ft_table_kfold(t, &s, 2, 1, fold, &err) == FT_EINVAL);
	T_CHECK(strstr(err.msg, "no column 'zz'") != NULL);
	/* k = rows: one row a fold */
	s.sensitive = sens;
	T_CHECK(ft_table_kfold(t, &s, 3, 1, fold, NULL) == 0);
	T_CHECK(fold[0] != fold[1] && fold[1] != fold[2] && fold[0] != fold[2]);
	ft_table_free(t);
}

static int cmp_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* ft_sort_u64 and ft_sort_u64_inplace against qsort: empty and single
 * arrays, sizes about the in-place sort's insertion bound (32), random
 * keys over all 64 bits, keys that differ only in their low bits (the
 * passes over equal digits skipped), many duplicates, keys whose digits
 * differ only in the last pass (the result copied back from the buffer),
 * keys that differ in one high bit only, and the score sort's keys
 * (few float keys above the row); 300,001 keys sorted in place on 1, 2
 * and 3 threads (its first level's buckets on all of them). */
static void test_sort_u64(void)
{
	static const size_t sizes[] = {0, 1, 2, 3, 31, 32, 33, 1000, 2049, 70001, 300001};
	int threads = ft_get_threads();
	uint64_t st = 0x9e3779b97f4a7c15ULL;

	for (int kind = 0; kind < 6; kind++)
		for (size_t q = 0; q < sizeof sizes / sizeof *sizes; q++) {
			size_t n = sizes[q], bad = 0, bad2 = 0;
			uint64_t *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
			uint64_t *c = malloc((n ? n : 1) * sizeof *c);
			if (!a || !b || !c) {
				T_FAIL("malloc");
				free(a);
				free(b);
				free(c);
				return;
			}
			for (size_t i = 0; i < n; i++) {
				st ^= st << 13, st ^= st >> 7, st ^= st << 17;
				a[i] = kind == 0 ? st : kind == 1 ? (0xabcdef0000000000ULL | (st & 0xfff))
				     : kind == 2 ? st % 7 : kind == 3 ? (st & 0xff00000000000000ULL)
				     : kind == 4 ? (st & 0x8000000000000000ULL) | 12345
				     : (uint64_t)(0xbf000000u + (uint32_t)(st % 5) * 0x1000u) << 32 | i;
			}
			memcpy(b, a, n * sizeof *a);
			qsort(b, n, sizeof *b, cmp_key);
			for (int th = 1; th <= (n > 100000 ? 3 : 1); th++) {
				memcpy(c, a, n * sizeof *a);
				ft_set_threads(th);
				T_CHECK(ft_sort_u64_inplace(c, n) == 0);
				ft_set_threads(threads);
				bad2 = 0;
				for (size_t i = 0; i < n; i++)
					bad2 += c[i] != b[i];
				T_CHECKF(bad2 == 0, "in place, kind %d, %zu keys, %d threads: %zu out of "
				         "place", kind, n, th, bad2);
			}
			T_CHECK(ft_sort_u64(a, n) == 0);
			for (size_t i = 0; i < n; i++)
				bad += a[i] != b[i];
			T_CHECKF(bad == 0, "kind %d, %zu keys: %zu out of place", kind, n, bad);
			free(a);
			free(b);
			free(c);
		}
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	T_RUN(test_balanced);
	T_RUN(test_agrees_with_split);
	T_RUN(test_errors);
	T_RUN(test_sort_u64);
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return t_done();
}
