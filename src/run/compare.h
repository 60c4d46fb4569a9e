/*
 * compare.h - what the comparison's files (compare_write.c) and plots
 * (plot.c) share with the comparison itself (compare.c); internal.
 */
#ifndef FT_RUN_COMPARE_H
#define FT_RUN_COMPARE_H

#include <stddef.h>
#include <stdio.h>
#include "fairtrain.h"

/* Seconds on a monotonic clock. */
double ft_run_now(void);
/* The convention a fairness summary is compared under: between_groups for
 * the gaps, individual for the inequality indices. */
const char *ft_run_fair_convention(int fairness);
/* Mean and sample sd of (metric, group, convention) of setting s on the
 * test parts, over the folds where it is defined. */
struct ft_compare_stat ft_run_fold_stat(const struct ft_compare_result *r, size_t s,
                                        const char *metric, const char *group,
                                        const char *conv);

/* Rankings (compare_rank.c): the checks before any data is read, the
 * comparison itself, and its summary (after summary_head's place). */
int ft_run_compare_rank_check(const struct ft_compare_opts *o, struct ft_error *err);
int ft_run_compare_rank(const struct ft_compare_opts *o, struct ft_compare_result *r,
                        struct ft_error *err);
void ft_run_rank_summary(FILE *mem, const struct ft_compare_result *r);

/* What the plots show: one point per setting. */
struct ft_plot_point {
	const char *method;          /* "baseline" or a method's name */
	const char *setting;         /* canonical spec */
	const char *label;           /* the point's label */
	struct ft_compare_stat acc, fair;
	const struct ft_compare_stat *group; /* n_groups * FT_CMP_N_RATES */
	int pareto, baseline, best;
};
struct ft_plot {
	const char *fairness;        /* x axis: a fairness summary name */
	const char *convention;
	int higher_fairer;           /* 1 for ratios (1 = parity) */
	const char *title;           /* "adult.data, 5-fold cross-validation" */
	size_t n_points;
	const struct ft_plot_point *pt;
	size_t n_groups;
	char *const *group_names;
	size_t *midx;                /* n_points of scratch: each point's method
	                                index (the caller's memory) */
	/* NULL for classification: "accuracy", "higher/lower is fairer", and
	 * the panels selection rate, TPR, FPR; rankings name their own */
	const char *y_name, *x_note;
	const char *const *panel;    /* FT_CMP_N_RATES titles */
};
/* Write plots.gp (the gnuplot script, data inline) into dir and run
 * gnuplot ($FAIRTRAIN_GNUPLOT, else gnuplot on PATH) there to draw
 * tradeoff.svg/png and groups.svg/png.  0: drawn; 1: gnuplot missing or
 * failed (a warning to mon; no plot file is left in dir); < 0: the script
 * could not be written (err set). */
int ft_run_plots(const struct ft_plot *p, const char *dir, const struct ft_monitor *mon,
                 struct ft_error *err);
/* The names of the files ft_run_plots may write, NULL-terminated. */
extern const char *const ft_run_plot_files[];

#endif
