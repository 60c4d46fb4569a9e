/*
 * compare.h - what `fairtrain compare` (cmd_compare.c) hands to its plot
 * driver (plot.c): one point per setting, means and sds across folds.
 */
#ifndef FT_CLI_COMPARE_H
#define FT_CLI_COMPARE_H

#include <stddef.h>

/* A mean and sample sd over the folds where a value is defined (n of
 * them); sd is NaN when n < 2, mean NaN when n == 0. */
struct cmp_stat {
	double mean, sd;
	size_t n;
};

/* Per-group rates drawn in groups.svg/png, in this order. */
enum { CMP_G_SEL = 0, CMP_G_TPR, CMP_G_FPR, CMP_N_G };

/* One setting of one method. */
struct cmp_point {
	const char *method;          /* "baseline" or a method table name */
	const char *setting;         /* canonical method string */
	const char *label;           /* the point's label: its parameters, or the method */
	struct cmp_stat acc, fair;   /* test part, across folds */
	struct cmp_stat *group;      /* n_groups * CMP_N_G (test part), group-major */
	int pareto;                  /* on the accuracy/fairness Pareto front */
	int baseline;
	int best;                    /* the method's setting shown in groups.svg */
};

struct cmp_plot {
	const char *fairness;        /* x axis: a fairness summary name */
	const char *convention;
	int higher_fairer;           /* 1 for ratios (1 = parity) */
	const char *title;           /* "adult.data, 5-fold cross-validation" */
	size_t n_points;
	const struct cmp_point *pt;
	size_t n_groups;
	char *const *group_names;
};

/* Write plots.gp (the gnuplot script, data inline) into dir and run
 * gnuplot ($FAIRTRAIN_GNUPLOT, else gnuplot on PATH) there to draw
 * tradeoff.svg/png and groups.svg/png.  Returns 0 when the four plots
 * were drawn, 1 when gnuplot is missing or failed (a warning was printed
 * unless --quiet; no plot file is left in dir), -1 when the script could
 * not be written (message printed). */
int cli_compare_plots(const struct cmp_plot *p, const char *dir);

/* The names of the files cli_compare_plots may write, NULL-terminated. */
extern const char *const cli_plot_files[];

#endif
