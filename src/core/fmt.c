/* fmt.c - the shortest decimal that reads back as the same double.
 *
 * Text outputs (predictions, reports, comparison tables, group names made
 * from numbers) print a double with the fewest significant digits (15, 16
 * or 17) for which strtod gives back the same bits, so 0.95 prints as 0.95
 * and not 0.94999999999999996, while every value still round-trips exactly.
 * Not a general shortest-digits algorithm (Ryu, Grisu): 15 digits are
 * always tried first, which is what makes this cheap; values that need 16
 * or 17 digits cost two or three snprintf calls.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

const char *ft_fmt_double(char buf[FT_FMT_DOUBLE_LEN], double v)
{
	if (!isfinite(v)) {
		snprintf(buf, FT_FMT_DOUBLE_LEN, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
		return buf;
	}
	for (int digits = 15; digits < 17; digits++) {
		snprintf(buf, FT_FMT_DOUBLE_LEN, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, FT_FMT_DOUBLE_LEN, "%.17g", v);
	return buf;
}
