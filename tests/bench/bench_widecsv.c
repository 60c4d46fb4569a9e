/*
 * bench_widecsv.c - writes the synthetic table of the at-scale benchmarks:
 * ROWS rows of 10 numeric columns x0..x9 (4 decimals), 8 categorical
 * columns c0..c7 with 2, 4, 6, 8, 10, 12, 16 and 30 categories (88 one-hot
 * features, 98 in all), a sensitive column sex (F 40%, M) and a 0/1 label
 * y drawn from a logistic model that depends on the features and on sex.
 * About 81 bytes a row (5M rows: about 405 MB).  The same bytes for the
 * same ROWS and SEED (xorshift64*, fixed formats).  Not timed: it only
 * makes the input of scripts/bench.sh's scale runs.
 *
 *   bench_widecsv ROWS SEED OUT.csv
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const int NCAT[8] = {2, 4, 6, 8, 10, 12, 16, 30};

static uint64_t rs;

static double unif(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return ((rs * 2685821657736338717ull) >> 11) * 0x1.0p-53;
}

static double gauss(void)
{
	double u = unif(), v = unif();
	return sqrt(-2.0 * log(u > 0.0 ? u : 1e-300)) * cos(6.283185307179586 * v);
}

int main(int argc, char **argv)
{
	unsigned long long n;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_widecsv ROWS SEED OUT.csv\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 10);
	rs = 0x9E3779B97F4A7C15ull ^ strtoull(argv[2], NULL, 10);
	if (!(f = fopen(argv[3], "w"))) {
		perror(argv[3]);
		return 1;
	}
	fputs("x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,c0,c1,c2,c3,c4,c5,c6,c7,sex,y\n", f);
	for (unsigned long long i = 0; i < n; i++) {
		int female = unif() < 0.4;
		double z = female ? -0.6 : 0.2;
		for (int j = 0; j < 10; j++) {
			double x = gauss() + (j == 0 && female ? -0.5 : 0.0);
			z += (j % 3 - 1) * 0.3 * x;
			fprintf(f, "%.4f,", x);
		}
		for (int c = 0; c < 8; c++) {
			int k = (int)(unif() * NCAT[c]);
			if (c == 7 && female && unif() < 0.3)
				k = 0;   /* a proxy of sex */
			z += 0.2 * ((k % 3) - 1);
			fprintf(f, "k%d,", k);
		}
		fprintf(f, "%c,%d\n", female ? 'F' : 'M', unif() < 1.0 / (1.0 + exp(-z)));
	}
	if (fclose(f)) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
