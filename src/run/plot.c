/*
 * plot.c - the plots of `fairtrain compare`, drawn by gnuplot as a child
 * process: tradeoff.svg/png (mean accuracy against the mean fairness
 * summary of every setting, sd bars on both axes, the Pareto front, the
 * baseline highlighted) and groups.svg/png (selection rate, TPR and FPR per
 * group for the baseline and each method's best setting, grouped bars with
 * sd bars).
 *
 * The data go inline into one script, plots.gp, written into the output
 * directory beside the pictures, so that `gnuplot plots.gp` there redraws
 * (or restyles) them without fairtrain.  gnuplot runs in that directory
 * with the script as its argument; its messages go to a log that is read
 * for the warning when it fails and then removed.
 *
 * What it does not do: no plotting of its own, no fonts or colours beyond
 * gnuplot's cairo and SVG terminals.  gnuplot is $FAIRTRAIN_GNUPLOT or
 * `gnuplot` on PATH; when it is missing or fails the caller still writes
 * every other file.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include "run/compare.h"
#include "run/run.h"

const char *const ft_run_plot_files[] = {
	"plots.gp", "tradeoff.svg", "tradeoff.png", "groups.svg", "groups.png", NULL
};

/* Colour-blind-safe colours first (Okabe & Ito), then Tableau's; the
 * baseline in near-black.  A method's point type changes with each round
 * of the colours, so (colour, point) stays distinct for 72 methods. */
static const char *const COLOUR[] = {
	"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
	"#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD", "#AA3377"
};
static const int POINT[] = {7, 9, 11, 13, 15, 5};
#define N_COLOUR (sizeof COLOUR / sizeof COLOUR[0])
#define N_POINT (sizeof POINT / sizeof POINT[0])
#define BASE_COLOUR "#222222"

/* s as a gnuplot single-quoted string ('' stands for '). */
static void gq(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', fp);
		fputc(*s, fp);
	}
	fputc('\'', fp);
}

/* s as a double-quoted field of an inline data block (no quotes inside). */
static void dq(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : *s, fp);
	fputc('"', fp);
}

static double num0(double v)
{
	return isfinite(v) ? v : 0.0;
}

/* The colour index of every point's method: methods numbered in order of
 * first appearance, the baseline apart (p->midx, set by index_methods). */
static size_t method_index(const struct ft_plot *p, size_t i)
{
	return p->midx[i];
}

static void index_methods(const struct ft_plot *p)
{
	size_t n = p->n_points, k = 0, *midx = p->midx;

	for (size_t i = 0; i < n; i++) {
		size_t j;
		if (p->pt[i].baseline)
			continue;
		for (j = 0; j < i && (p->pt[j].baseline || strcmp(p->pt[j].method, p->pt[i].method)); j++)
			;
		midx[i] = j < i ? midx[j] : k++;
	}
}

static int drawable(const struct ft_plot_point *q)
{
	return q->acc.n > 0 && q->fair.n > 0 && isfinite(q->acc.mean) &&
	       isfinite(q->fair.mean);
}

/* ------------------------------------------------------------ labels */

/* A label's box in axis fractions, for the greedy placement below. */
struct box {
	double x0, x1, y0, y1;
};

static int overlap(const struct box *a, const struct box *b)
{
	return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* Place each point's label at the first of sixteen spots around it (the
 * corners, right, left, above, below, then the same farther out, twice)
 * whose box hits no label placed
 * before and no other point; the baseline's label is placed first.  The
 * sizes are in fractions of the plot area for a character of the label
 * font on the PNG (about 7 x 15 pixels on a plot area of about 900 x 600).
 * Writes `set label` commands. */
#define NSPOT 32
static void labels(FILE *fp, const struct ft_plot *p, double x0, double x1,
                   double y0, double y1)
{
	/* above right first: the error bars run right and up from the point;
	 * the last sixteen spots are the first sixteen farther out, for dense
	 * corners of the plot */
	static const double DX[NSPOT] = {1.0, 1.0, -1.0, -1.0, 1.0, -1.0, 0.0, 0.0,
	                                 1.0, 1.0, -1.0, -1.0, 2.5, -2.5, 0.0, 0.0,
	                                 1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0,
	                                 4.0, -4.0, 4.0, -4.0, 0.0, 0.0, 1.0, -1.0};
	static const double DY[NSPOT] = {0.8, -0.8, 0.8, -0.8, 0.0, 0.0, 1.3, -1.3,
	                                 2.0, -2.0, 2.0, -2.0, 1.0, 1.0, 2.6, -2.6,
	                                 3.2, -3.2, 3.2, -3.2, 4.4, -4.4, 4.4, -4.4,
	                                 1.6, 1.6, -1.6, -1.6, 3.8, -3.8, 5.6, -5.6};
	const double cw = 7.0 / 900.0, ch = 15.0 / 600.0;
	size_t n = p->n_points, placed = 0;
	struct box *bx = calloc(n ? n : 1, sizeof *bx);
	double *px = calloc(n ? n : 1, sizeof *px), *py = calloc(n ? n : 1, sizeof *py);

	if (!bx || !px || !py)
		goto done;
	for (size_t i = 0; i < n; i++) {
		px[i] = (num0(p->pt[i].fair.mean) - x0) / (x1 - x0);
		py[i] = (num0(p->pt[i].acc.mean) - y0) / (y1 - y0);
	}
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const struct ft_plot_point *q = &p->pt[i];
			/* the whole setting: a method's parameters alone ("dp") can
			 * belong to several methods */
			const char *text = q->baseline ? q->label : q->setting;
			double w = (double)strlen(text) * cw, best_hits = INFINITY;
			int best = 0;
			if (!drawable(q) || (pass == 0) != (q->baseline != 0))
				continue;
			for (int k = 0; k < NSPOT; k++) {
				struct box b;
				double hits = 0;
				double cx = px[i] + DX[k] * 1.2 * cw, cy = py[i] + DY[k] * ch;
				b.x0 = DX[k] > 0 ? cx : DX[k] < 0 ? cx - w : cx - w / 2;
				b.x1 = b.x0 + w;
				b.y0 = cy - ch / 2;
				b.y1 = cy + ch / 2;
				for (size_t j = 0; j < placed; j++)
					hits += overlap(&b, &bx[j]);
				for (size_t j = 0; j < n; j++) {
					struct box pb = {px[j] - cw / 2, px[j] + cw / 2,
					                 py[j] - ch / 3, py[j] + ch / 3};
					if (j != i && drawable(&p->pt[j]) && overlap(&b, &pb))
						hits += 0.5;
				}
				/* leaving the plot area counts as a collision too */
				hits += (b.x0 < 0) + (b.x1 > 1) + (b.y0 < 0) + (b.y1 > 1);
				if (hits < best_hits) {
					best_hits = hits;
					best = k;
					bx[placed] = b;
				}
				if (hits == 0)
					break;
			}
			placed++;
			fprintf(fp, "set label ");
			gq(fp, text);
			fprintf(fp, " at %.10g,%.10g %s offset char %.2f,%.2f font ',%d' tc rgb '%s'"
			        " boxed front\n", num0(q->fair.mean), num0(q->acc.mean),
			        DX[best] > 0 ? "left" : DX[best] < 0 ? "right" : "center",
			        DX[best] * 1.2, DY[best], q->baseline ? 11 : 9,
			        q->baseline ? BASE_COLOUR : COLOUR[method_index(p, i) % N_COLOUR]);
		}
done:
	free(bx);
	free(px);
	free(py);
}

/* ---------------------------------------------------------- the script */

static void terminal(FILE *fp, int png, int w, int h, const char *name)
{
	/* every plot from gnuplot's defaults (data blocks survive a reset) */
	fprintf(fp, "reset\n");
	if (png)
		fprintf(fp, "set terminal pngcairo size %d,%d noenhanced font 'Sans,11' "
		        "background rgb 'white'\n", w, h);
	else
		fprintf(fp, "set terminal svg size %d,%d dynamic noenhanced font 'Sans,12' "
		        "background rgb 'white'\n", w, h);
	fprintf(fp, "set output '%s.%s'\n", name, png ? "png" : "svg");
}

static void tradeoff(FILE *fp, const struct ft_plot *p, int png)
{
	double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY, dx, dy;
	double mean_min = INFINITY;
	size_t n_methods = 0, n_pareto = 0;
	int first = 1;

	for (size_t i = 0; i < p->n_points; i++) {
		const struct ft_plot_point *q = &p->pt[i];
		if (!drawable(q))
			continue;
		x0 = fmin(x0, q->fair.mean - num0(q->fair.sd));
		mean_min = fmin(mean_min, q->fair.mean);
		x1 = fmax(x1, q->fair.mean + num0(q->fair.sd));
		y0 = fmin(y0, q->acc.mean - num0(q->acc.sd));
		y1 = fmax(y1, q->acc.mean + num0(q->acc.sd));
		n_pareto += q->pareto;
		if (!q->baseline)
			n_methods = method_index(p, i) + 1 > n_methods ? method_index(p, i) + 1 :
			            n_methods;
	}
	if (!(x1 >= x0)) {
		x0 = 0;
		x1 = 1;
		y0 = 0;
		y1 = 1;
	}
	/* room for the labels: a tenth of the span on each side, more on the
	 * right where most labels go; a degenerate span gets a fixed one */
	dx = x1 - x0 > 1e-9 ? x1 - x0 : fmax(1e-3, fabs(x0) * 0.1);
	dy = y1 - y0 > 1e-9 ? y1 - y0 : fmax(1e-3, fabs(y0) * 0.02);
	/* a summary that is never negative (a difference between groups, a
	 * ratio) gets no negative axis, even where an sd bar reaches below 0:
	 * the bar is cut at the axis */
	x0 = mean_min >= 0 ? fmax(0.0, x0 - 0.08 * dx) : x0 - 0.08 * dx;
	x1 += 0.22 * dx;
	y0 -= 0.10 * dy;
	y1 += 0.10 * dy;
	terminal(fp, png, 1200, 780, "tradeoff");
	/* no title baked in: a paper gives its own caption; plots.gp has one
	 * to uncomment */
	fprintf(fp, "# set title ");
	{
		char buf[600];
		snprintf(buf, sizeof buf, "%s against fairness of every setting - %s",
		         p->y_name ? p->y_name : "Accuracy", p->title);
		gq(fp, buf);
	}
	fprintf(fp, "\nset xlabel ");
	{
		char buf[256];
		snprintf(buf, sizeof buf, "%s (%s; %s), mean and sd over folds",
		         p->fairness, p->convention, p->x_note ? p->x_note :
		         p->higher_fairer ? "higher is fairer" : "lower is fairer");
		gq(fp, buf);
	}
	fprintf(fp, "\nset ylabel ");
	{
		char buf[128];
		snprintf(buf, sizeof buf, "%s, mean and sd over folds",
		         p->y_name ? p->y_name : "accuracy");
		gq(fp, buf);
	}
	fprintf(fp, "\n"
	        "set grid lc rgb '#e0e0e0'\nset border lc rgb '#404040'\n"
	        "set key at screen 0.815,screen 0.90 left top vertical Left reverse "
	        "samplen 2 spacing 1.4 box lc rgb '#c0c0c0'\n"
	        "set style textbox opaque noborder margins 0.5,0.5\nset bars small\n"
	        "set xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\n"
	        "set format y '%%.3f'\nset format x '%%.3f'\n"
	        "set rmargin at screen 0.80\n", x0, x1, y0, y1);
	labels(fp, p, x0, x1, y0, y1);
	fprintf(fp, "plot ");
	if (n_pareto > 1) {
		fprintf(fp, "$pareto using 1:2 with lines dt 2 lw 2 lc rgb '#999999' "
		        "title 'Pareto front'");
		first = 0;
	}
	if (n_pareto > 0) {
		fprintf(fp, "%s$pareto using 1:2 with points pt 6 ps 2.6 lw 1.5 lc rgb "
		        "'#999999' title 'Pareto-optimal'", first ? "" : ", \\\n     ");
		first = 0;
	}
	for (size_t m = 0; m < n_methods; m++) {
		const char *name = NULL;
		for (size_t i = 0; i < p->n_points && !name; i++)
			if (!p->pt[i].baseline && method_index(p, i) == m)
				name = p->pt[i].method;
		fprintf(fp, "%s$m%zu using 1:3:2:4 with xyerrorbars pt %d ps 1.4 lw 1.2 "
		        "lc rgb '%s' title ", first ? "" : ", \\\n     ", m,
		        POINT[(m + m / N_COLOUR) % N_POINT], COLOUR[m % N_COLOUR]);
		gq(fp, name ? name : "?");
		first = 0;
	}
	fprintf(fp, "%s$base using 1:3:2:4 with xyerrorbars pt 5 ps 2.0 lw 1.5 "
	        "lc rgb '%s' title 'baseline'\nset output\n\n", first ? "" : ", \\\n     ",
	        BASE_COLOUR);
}

/* Three panels side by side and, below them, a panel that holds only the
 * legend (gnuplot lays a key placed on the screen out within one panel's
 * width, which is too narrow for many models). */
static void groups(FILE *fp, const struct ft_plot *p, int png)
{
	static const char *const TITLE[FT_CMP_N_RATES] = {
		"selection rate P(yhat=1)", "true positive rate (TPR)",
		"false positive rate (FPR)"
	};
	size_t n_show = 0, maxlen = 0, rows;
	int rotate, h, legend_px;
	double yb;

	for (size_t i = 0; i < p->n_points; i++)
		n_show += p->pt[i].baseline || p->pt[i].best;
	for (size_t g = 0; g < p->n_groups; g++)
		maxlen = strlen(p->group_names[g]) > maxlen ? strlen(p->group_names[g]) : maxlen;
	rotate = p->n_groups > 4 || maxlen > 10;
	rows = (n_show + 4) / 5;
	legend_px = 24 + 22 * (int)rows;
	h = 540 + legend_px;
	yb = (double)legend_px / h;
	terminal(fp, png, 1500, h, "groups");
	/* rates: one scale, 0 to 1, on all three panels */
	fprintf(fp, "set xrange [-0.6:%g]\nset yrange [0:1]\nset format y '%%.1f'\n"
	        "set style data histograms\nset style histogram errorbars gap 1.5 lw 1\n"
	        "set style fill solid 0.85 border rgb '#404040'\nset boxwidth 0.9\n"
	        "set grid ytics lc rgb '#e0e0e0'\nset bars large\nunset key\n"
	        "set xtics nomirror scale 0 %s\nset bmargin %d\n",
	        (double)p->n_groups - 0.4, rotate ? "rotate by -25" : "norotate",
	        rotate ? 5 : 3);
	/* no overall title baked in (a caption to uncomment) */
	fprintf(fp, "# set multiplot title ");
	{
		char buf[600];
		snprintf(buf, sizeof buf, "Per-group %s of the baseline and of each method's "
		         "best setting - %s; mean and sd over folds",
		         p->panel ? "measures" : "rates", p->title);
		gq(fp, buf);
	}
	fprintf(fp, " font ',13'\nset multiplot\n");
	for (int m = 0; m < FT_CMP_N_RATES; m++) {
		size_t k = 0;
		/* rates start at 0; a ranking's third panel (skew) may be negative */
		if (p->panel)
			fprintf(fp, "set yrange [%s:*]\nset format y '%%.3f'\n", m == 2 ? "*" : "0");
		fprintf(fp, "set origin %.4f,%.4f\nset size %.4f,%.4f\nset title '%s'\n"
		        "set ylabel 'mean and sd over folds'\nplot ",
		        m / 3.0, yb, 1 / 3.0, 0.99 - yb, p->panel ? p->panel[m] : TITLE[m]);
		for (size_t i = 0; i < p->n_points; i++) {
			const struct ft_plot_point *q = &p->pt[i];
			if (!q->baseline && !q->best)
				continue;
			fprintf(fp, "%s$g%d using %zu:%zu%s lc rgb '%s' notitle",
			        k ? ", \\\n     " : "", m, 2 + 2 * k, 3 + 2 * k,
			        k ? "" : ":xtic(1)", q->baseline ? BASE_COLOUR :
			        COLOUR[method_index(p, i) % N_COLOUR]);
			k++;
		}
		fprintf(fp, "\n");
	}
	/* the legend panel: empty boxes with the models' colours and names */
	fprintf(fp, "set origin 0,0\nset size 1,%.4f\nunset border\nunset tics\nunset title\n"
	        "unset ylabel\n"
	        "unset grid\nset bmargin 0\nset tmargin 0\nset xrange [0:1]\nset yrange [0:1]\n"
	        "set key center center horizontal maxcols 5 samplen 2 box lc rgb '#c0c0c0'\n"
	        "plot ", yb);
	for (size_t i = 0, k = 0; i < p->n_points; i++) {
		const struct ft_plot_point *q = &p->pt[i];
		if (!q->baseline && !q->best)
			continue;
		fprintf(fp, "%sNaN with boxes lc rgb '%s' title ", k++ ? ", \\\n     " : "",
		        q->baseline ? BASE_COLOUR : COLOUR[method_index(p, i) % N_COLOUR]);
		gq(fp, q->baseline ? "baseline" : q->setting);
	}
	fprintf(fp, "\nunset multiplot\nset output\n\n");
}

/* Pareto points sorted by the fairness axis, for the front's line. */
/* The k indices idx in increasing fairness (an insertion sort: the
 * Pareto front has a few points, and the order of ties is kept). */
static void sort_by_fair(const struct ft_plot *p, size_t *idx, size_t k)
{
	for (size_t i = 1; i < k; i++) {
		size_t x = idx[i], j = i;
		while (j > 0 && p->pt[idx[j - 1]].fair.mean > p->pt[x].fair.mean) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = x;
	}
}

static int script(FILE *fp, const struct ft_plot *p)
{
	size_t n = p->n_points, *idx = malloc((n ? n : 1) * sizeof *idx), k = 0, n_methods = 0;

	if (!idx)
		return -1;
	fprintf(fp, "# plots.gp - written by fairtrain compare; draws tradeoff.svg/png and\n"
	        "# groups.svg/png from the data below.  Run it here: gnuplot plots.gp\n\n");
	/* points of the trade-off: x, x sd, y, y sd; one block per method */
	fprintf(fp, "$base << EOD\n");
	for (size_t i = 0; i < n; i++)
		if (p->pt[i].baseline && drawable(&p->pt[i]))
			fprintf(fp, "%.10g %.10g %.10g %.10g\n", p->pt[i].fair.mean,
			        num0(p->pt[i].fair.sd), p->pt[i].acc.mean, num0(p->pt[i].acc.sd));
	fprintf(fp, "EOD\n");
	for (size_t i = 0; i < n; i++)
		if (!p->pt[i].baseline && method_index(p, i) + 1 > n_methods)
			n_methods = method_index(p, i) + 1;
	for (size_t m = 0; m < n_methods; m++) {
		fprintf(fp, "$m%zu << EOD\n", m);
		for (size_t i = 0; i < n; i++)
			if (!p->pt[i].baseline && method_index(p, i) == m && drawable(&p->pt[i])) {
				fprintf(fp, "%.10g %.10g %.10g %.10g ", p->pt[i].fair.mean,
				        num0(p->pt[i].fair.sd), p->pt[i].acc.mean, num0(p->pt[i].acc.sd));
				dq(fp, p->pt[i].setting);
				fputc('\n', fp);
			}
		fprintf(fp, "EOD\n");
	}
	for (size_t i = 0; i < n; i++)
		if (p->pt[i].pareto && drawable(&p->pt[i]))
			idx[k++] = i;
	sort_by_fair(p, idx, k);
	fprintf(fp, "$pareto << EOD\n");
	for (size_t j = 0; j < k; j++)
		fprintf(fp, "%.10g %.10g\n", p->pt[idx[j]].fair.mean, p->pt[idx[j]].acc.mean);
	fprintf(fp, "EOD\n");
	/* per-group rates: a row per group, mean and sd of each model shown */
	for (int m = 0; m < FT_CMP_N_RATES; m++) {
		fprintf(fp, "$g%d << EOD\n", m);
		for (size_t g = 0; g < p->n_groups; g++) {
			dq(fp, p->group_names[g]);
			for (size_t i = 0; i < n; i++)
				if (p->pt[i].baseline || p->pt[i].best) {
					struct ft_compare_stat s = p->pt[i].group[g * FT_CMP_N_RATES + (size_t)m];
					fprintf(fp, " %.10g %.10g", num0(s.mean), num0(s.sd));
				}
			fputc('\n', fp);
		}
		fprintf(fp, "EOD\n");
	}
	fputc('\n', fp);
	free(idx);
	for (int png = 0; png < 2; png++) {
		tradeoff(fp, p, png);
		groups(fp, p, png);
	}
	return 0;
}

/* ------------------------------------------------------------ running */

/* The gnuplot to run, or NULL when there is none. */
static const char *find_gnuplot(char *buf, size_t n)
{
	const char *g = getenv("FAIRTRAIN_GNUPLOT"), *path = getenv("PATH");

	if (!g || !*g)
		g = "gnuplot";
	if (strchr(g, '/'))
		return access(g, X_OK) == 0 ? g : NULL;
	while (path && *path) {
		size_t len = strcspn(path, ":");
		snprintf(buf, n, "%.*s/%s", (int)len, len ? path : ".", g);
		if (access(buf, X_OK) == 0)
			return buf;
		path += len + (path[len] == ':');
	}
	return NULL;
}

/* A path in dir, into buf. */
static const char *in_dir(char buf[4096], const char *dir, const char *name)
{
	snprintf(buf, 4096, "%s/%s", dir, name);
	return buf;
}

int ft_run_plots(const struct ft_plot *p, const char *dir, const struct ft_monitor *mon,
                 struct ft_error *err)
{
	struct ft_atomic a;
	char found[4096], why[256] = "", buf[4096];
	const char *gp;
	pid_t pid;
	int status = 0, ok, rc;

	index_methods(p);
	if ((rc = ft_atomic_open(&a, in_dir(buf, dir, "plots.gp"), err)))
		return rc;
	if (script(a.fp, p)) {
		ft_atomic_abort(&a);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	if ((rc = ft_atomic_commit(&a, err)))
		return rc;
	gp = find_gnuplot(found, sizeof found);
	if (!gp) {
		ft_run_warn(mon, "gnuplot not found: no plots drawn (install gnuplot-nox; "
		          "'gnuplot plots.gp' in the output directory draws them)");
		return 1;
	}
	/* what the caller's stdio holds must not be written twice */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* the child: in dir, messages to a log, no stdin */
		int fd;
		if (chdir(dir) != 0)
			_exit(126);
		fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		execl(gp, gp, "plots.gp", (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		ft_run_warn(mon, "cannot run %s: %s: no plots drawn", gp, strerror(errno));
		return 1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	for (size_t k = 1; ok && ft_run_plot_files[k]; k++) {
		struct stat sb;
		ok = stat(in_dir(buf, dir, ft_run_plot_files[k]), &sb) == 0 && sb.st_size > 0;
	}
	if (!ok) {
		/* the first line gnuplot said, for the warning */
		FILE *log = fopen(in_dir(buf, dir, "gnuplot.log"), "r");
		if (log) {
			while (fgets(why, sizeof why, log))
				if (strspn(why, " \t\n^") < strlen(why))
					break;
			why[strcspn(why, "\n")] = '\0';
			fclose(log);
		}
		for (size_t k = 1; ft_run_plot_files[k]; k++)
			unlink(in_dir(buf, dir, ft_run_plot_files[k]));
		ft_run_warn(mon, "%s failed (%s): no plots drawn", gp,
		          why[0] ? why : WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
		          "cannot execute" : "see plots.gp");
	}
	unlink(in_dir(buf, dir, "gnuplot.log"));
	return ok ? 0 : 1;
}
