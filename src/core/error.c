/*
 * error.c - struct ft_error: one lowercase line per failure.
 *
 * The first error set wins, so a low-level message that names the file and
 * line is not replaced by a vaguer one from a caller on its way out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fairtrain.h"
#include "core/internal.h"

int ft_error_set(struct ft_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code != 0)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
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
