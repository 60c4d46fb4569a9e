/*
 * fuzz_csv.c - the CSV reader with the encoder.  Byte 0 chooses the read
 * options (delimiter ',' ';' TAB or runs of blanks, header or 1..8 given
 * names, custom missing tokens, a skipped line), byte 1 the spec (label
 * strip, missing policy, sensitive column used as a feature, a numeric
 * target, raw numbers), the rest is the file.
 *
 * The file is read three ways, which must agree (else abort): libcsv on
 * every line into a table of text (the reference); the reader's own split
 * of lines without quotes with columns stored as numbers (after 2
 * distinct values here, 1024 normally); and the same cut in two parts at
 * a record boundary and joined (every file here, 8 MB and up normally).
 * The same code and message on failure; otherwise the same rows, line
 * numbers and cell texts.  A table with two or more columns is then fitted
 * (target: the last column, positive: its first value; sensitive: the
 * first column when there are three or more) from the reference and from
 * the joined table (its role columns turned into text, as the loader
 * does), and the encoder applied in both modes: the same errors, and
 * datasets equal to the last bit.
 */
#include "fuzz.h"
#include "data/data.h"

/* Same rows, lines and cell texts; aborts (with what differs) when not. */
static void same_tables(const struct ft_table *a, const struct ft_table *b, const char *what)
{
	int bad = a->n_rows != b->n_rows || a->n_cols != b->n_cols;

	for (size_t j = 0; !bad && j < a->n_cols; j++)
		bad = strcmp(a->names[j], b->names[j]) != 0;
	for (size_t i = 0; !bad && i < a->n_rows; i++) {
		bad = a->line[i] != b->line[i];
		for (size_t j = 0; !bad && j < a->n_cols; j++) {
			char x[64];
			const char *c = ft_table_cell(a, i, j), *d;
			/* the text of a number lives in a per-thread buffer */
			if (c && a->num && a->num[j]) {
				snprintf(x, sizeof x, "%s", c);
				c = x;
			}
			d = ft_table_cell(b, i, j);
			bad = (c == NULL) != (d == NULL) || (c && strcmp(c, d) != 0);
			if (bad)
				fprintf(stderr, "row %zu column %zu: '%s' and '%s'\n", i, j,
				        c ? c : "(missing)", d ? d : "(missing)");
		}
	}
	if (bad) {
		fprintf(stderr, "fuzz_csv: %s differs from libcsv's table\n", what);
		abort();
	}
}

static int same_bits(const void *a, const void *b, size_t n)
{
	return (!a && !b) || (a && b && memcmp(a, b, n) == 0);
}

/* The encoder on t: fit, then apply in both modes; the datasets and
 * messages in out (two each).  consume: the second apply (the last use of
 * t) is ft_encoder_apply_consume, as train's, which gives t's rows back
 * as it goes. */
struct enc_out {
	int rc[3];
	char msg[3][FT_ERROR_MAX];
	struct ft_dataset *d[2];
};

static void encode(struct ft_table *t, int consume, const struct ft_spec *s,
                   struct enc_out *o)
{
	struct ft_encoder *e = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0, "" };

	memset(o, 0, sizeof *o);
	if ((o->rc[0] = ft_encoder_fit(t, s, &e, &err))) {
		fuzz_one_line(&err);
		snprintf(o->msg[0], sizeof o->msg[0], "%s", err.msg);
		return;
	}
	for (int mode = 0; mode < 2; mode++) {
		ft_error_clear(&err);
		o->rc[1 + mode] = consume && mode ?
			ft_encoder_apply_consume(e, t, FT_APPLY_TRAIN, &o->d[mode], &st, &err) :
			ft_encoder_apply(e, t, mode ? FT_APPLY_TRAIN : FT_APPLY_PREDICT,
			                 &o->d[mode], &st, &err);
		if (o->rc[1 + mode]) {
			fuzz_one_line(&err);
			snprintf(o->msg[1 + mode], sizeof o->msg[0], "%s", err.msg);
		} else {
			/* touch every row, as a trainer would */
			struct ft_dataset *d = o->d[mode];
			double *x = malloc((d->p ? d->p : 1) * sizeof *x);
			if (!x)
				abort();
			for (size_t i = 0; i < d->n; i++)
				ft_dataset_row(d, i, x);
			free(x);
		}
	}
	ft_encoder_free(e);
}

static void same_encoding(const struct enc_out *a, const struct enc_out *b)
{
	for (int k = 0; k < 3; k++)
		if (a->rc[k] != b->rc[k] || strcmp(a->msg[k], b->msg[k]) != 0) {
			fprintf(stderr, "fuzz_csv: encoder step %d: %d '%s' and %d '%s'\n", k,
			        a->rc[k], a->msg[k], b->rc[k], b->msg[k]);
			abort();
		}
	for (int m = 0; m < 2; m++) {
		const struct ft_dataset *x = a->d[m], *y = b->d[m];
		if (!x || !y)
			continue;
		if (x->n != y->n || x->p != y->p || x->n_num != y->n_num || x->n_cat != y->n_cat ||
		    !same_bits(x->num, y->num, x->n * x->n_num * sizeof *x->num) ||
		    !same_bits(x->code, y->code, x->n * x->n_cat * sizeof *x->code) ||
		    !same_bits(x->y, y->y, x->n * sizeof *x->y) ||
		    !same_bits(x->w, y->w, x->n * sizeof *x->w) ||
		    !same_bits(x->group, y->group, x->n * sizeof *x->group) ||
		    !same_bits(x->line, y->line, x->n * sizeof *x->line)) {
			fprintf(stderr, "fuzz_csv: the datasets of mode %d differ\n", m);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *names[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
	static char *missing[] = { "-", "NA", "" };
	struct ft_read_opts o;
	struct ft_table *t = NULL, *tn = NULL, *tj = NULL;
	struct ft_error err[3] = { { 0, "" }, { 0, "" }, { 0, "" } };
	struct ft_read_plan pl;
	struct enc_out ea, eb;
	struct ft_spec s;
	const char *pos = NULL, *path;
	int rc[3];
	uint8_t r, m;

	if (size < 2)
		return 0;
	r = data[0];
	m = data[1];
	ft_read_opts_init(&o);
	switch (r & 3) {
	case 1: o.delimiter = ';'; break;
	case 2: o.delimiter = '\t'; break;
	case 3: o.whitespace = 1; break;
	default: break;
	}
	if (r & 4) {
		o.header = 0;
		o.names = names;
		o.n_names = 1 + (size_t)(r >> 5);
	}
	if (r & 8) {
		o.missing = missing;
		o.n_missing = 3;
	}
	o.skip_rows = (r & 16) ? 1 : 0;
	path = fuzz_file(0, data + 2, size - 2);
	ft_csv_num_switch = 2;
	ft_csv_compact_rows = 1 + (size_t)(m >> 5);
	ft_read_split_min = 0;
	ft_release_rows = 1;
	rc[0] = ft_table_read_part(path, &o, 0, UINT64_MAX, 1, FT_READ_LIBCSV_ONLY, &t, &err[0]);
	rc[1] = ft_table_read_numbers(path, &o, &tn, &err[1]);
	/* the cut anywhere from a ninth of the rows' bytes to eight ninths */
	ft_read_plan_make(&pl, path, &o, FT_READ_NUMBERS, 2, (1 + (m >> 5)) / 9.0);
	ft_read_plan_part(&pl, 0);
	ft_read_plan_part(&pl, 1);
	rc[2] = ft_read_plan_finish(&pl, &tj, &err[2]);
	for (int k = 1; k < 3; k++)
		if (rc[k] != rc[0] || (rc[0] && strcmp(err[k].msg, err[0].msg) != 0)) {
			fprintf(stderr, "fuzz_csv: read %d: %d '%s', libcsv's %d '%s'\n", k, rc[k],
			        err[k].msg, rc[0], err[0].msg);
			abort();
		}
	if (rc[0]) {
		fuzz_one_line(&err[0]);
		return 0;
	}
	same_tables(t, tn, "the table of numbers");
	same_tables(t, tj, "the table read in two parts");
	if (t->n_cols < 2)
		goto done;
	ft_spec_init(&s);
	s.target = t->names[t->n_cols - 1];
	for (size_t i = 0; i < t->n_rows && !pos; i++)
		pos = ft_table_cell(t, i, t->n_cols - 1);
	if (m & 16) {
		s.numeric_target = 1;
	} else {
		if (!pos)
			goto done;
		s.positive = pos;
	}
	if (m & 1)
		s.label_strip = ".";
	if (t->n_cols >= 3) {
		s.sensitive = &t->names[0];
		s.n_sensitive = 1;
	}
	s.missing_policy = (m & 2) ? FT_MISSING_IMPUTE : FT_MISSING_DROP;
	s.use_sensitive = (m & 4) != 0;
	s.raw_numeric = (m & 8) != 0;
	/* the roles as text, as the loader makes them */
	if (ft_table_text(tj, tj->n_cols - 1) || (t->n_cols >= 3 && ft_table_text(tj, 0)))
		abort();
	encode(t, 0, &s, &ea);
	encode(tj, 1, &s, &eb);
	same_encoding(&ea, &eb);
	for (int k = 0; k < 2; k++) {
		ft_dataset_free(ea.d[k]);
		ft_dataset_free(eb.d[k]);
	}
done:
	ft_table_free(t);
	ft_table_free(tn);
	ft_table_free(tj);
	return 0;
}
