/*
 * error.c - struct ft_error: one lowercase line per failure.
 *
 * The first error set wins, so a low-level message that names the file and
 * line is not replaced by a vaguer one from a caller on its way out.
 *
 * A message stays one line whatever it quotes: control characters from the
 * input (a newline in a --method spec, a CR or TAB in a cell) are written
 * as C escapes ("\n", "\r", "\t", "\x01").
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"

int ft_error_set(struct ft_error *err, int code, const char *fmt, ...)
{
	char raw[FT_ERROR_MAX], *out;
	size_t k = 0;
	va_list ap;

	if (!err || err->code != 0)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	out = err->msg;
	for (const unsigned char *c = (const unsigned char *)raw; *c; c++) {
		char esc[5];
		size_t n;
		if (*c >= 0x20 && *c != 0x7f) {
			esc[0] = (char)*c;
			n = 1;
		} else if (*c == '\n' || *c == '\r' || *c == '\t') {
			esc[0] = '\\';
			esc[1] = *c == '\n' ? 'n' : *c == '\r' ? 'r' : 't';
			n = 2;
		} else {
			snprintf(esc, sizeof esc, "\\x%02x", *c);
			n = 4;
		}
		if (k + n >= sizeof err->msg)
			break;
		memcpy(out + k, esc, n);
		k += n;
	}
	out[k] = '\0';
	return code;
}

void ft_error_clear(struct ft_error *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

const char *ft_strerror(int code)
{
	switch (code) {
	case FT_OK: return "success";
	case FT_EINVAL: return "invalid argument";
	case FT_ENOMEM: return "out of memory";
	case FT_EIO: return "input/output error";
	case FT_EPARSE: return "parse error";
	case FT_EFORMAT: return "bad model file";
	case FT_ENUMERIC: return "numerical error";
	case FT_EDATA: return "unusable data";
	default: return "unknown error";
	}
}

const char *ft_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}
