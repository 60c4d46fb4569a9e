/*
 * fuzz_csv.c - the CSV reader with the encoder.  Byte 0 chooses the read
 * options (delimiter ',' ';' TAB or runs of blanks, header or 1..8 given
 * names, custom missing tokens, a skipped line), byte 1 the spec (label
 * strip, missing policy, sensitive column used as a feature, a numeric
 * target, raw numbers), the rest is the file.  A table with two or more
 * columns is fitted (target: the last column, positive: its first
 * value; sensitive: the first column when there are three or more) and
 * the encoder applied to it in both modes.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *names[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
	static char *missing[] = { "-", "NA", "" };
	struct ft_read_opts o;
	struct ft_table *t = NULL;
	struct ft_encoder *e = NULL;
	struct ft_dataset *d = NULL;
	struct ft_encode_stats st;
	struct ft_error err = { 0, "" };
	struct ft_spec s;
	const char *pos = NULL;
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
	if (ft_table_read(fuzz_file(0, data + 2, size - 2), &o, &t, &err)) {
		fuzz_one_line(&err);
		return 0;
	}
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
	if (ft_encoder_fit(t, &s, &e, &err)) {
		fuzz_one_line(&err);
		goto done;
	}
	for (int mode = 0; mode < 2; mode++) {
		ft_error_clear(&err);
		if (ft_encoder_apply(e, t, mode ? FT_APPLY_TRAIN : FT_APPLY_PREDICT,
		                     &d, &st, &err) == 0) {
			/* touch every row, as a trainer would */
			double *x = malloc((d->p ? d->p : 1) * sizeof *x);
			if (!x)
				abort();
			for (size_t i = 0; i < d->n; i++)
				ft_dataset_row(d, i, x);
			free(x);
		} else {
			fuzz_one_line(&err);
		}
		ft_dataset_free(d);
		d = NULL;
	}
done:
	ft_encoder_free(e);
	ft_table_free(t);
	return 0;
}
