/*
 * test_error.c - src/core/error.c: the first error wins, and a message is
 * one line whatever it quotes (control characters become C escapes: the
 * fuzzers found newlines from --method, --filter and CSV cells in
 * messages), truncated without splitting an escape.
 */
#include "fairtrain.h"
#include "t.h"

static void t_first_wins(void)
{
	struct ft_error e = { 0, "" };

	T_CHECK(ft_error_set(&e, FT_EPARSE, "first %d", 1) == FT_EPARSE);
	T_CHECK(ft_error_set(&e, FT_EIO, "second") == FT_EIO);
	T_CHECK(e.code == FT_EPARSE);
	T_STREQ(e.msg, "first 1");
	ft_error_clear(&e);
	T_CHECK(e.code == 0 && e.msg[0] == '\0');
	T_CHECK(ft_error_set(NULL, FT_EIO, "nowhere") == FT_EIO);
}

static void t_one_line(void)
{
	struct ft_error e = { 0, "" };

	ft_error_set(&e, FT_EINVAL, "bad spec '%s'", "a\nb\rc\td\001e\177f");
	T_STREQ(e.msg, "bad spec 'a\\nb\\rc\\td\\x01e\\x7ff'");
	ft_error_clear(&e);
	ft_error_set(&e, FT_EINVAL, "utf-8 stays: '%s'", "caf\xc3\xa9");
	T_STREQ(e.msg, "utf-8 stays: 'caf\xc3\xa9'");
}

static void t_truncated(void)
{
	struct ft_error e = { 0, "" };
	char big[2 * FT_ERROR_MAX];
	size_t n;

	memset(big, '\n', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ft_error_set(&e, FT_EINVAL, "%s", big);
	n = strlen(e.msg);
	T_CHECK(n < FT_ERROR_MAX && n >= FT_ERROR_MAX - 3);
	T_CHECK(n % 2 == 0 && e.msg[n - 2] == '\\' && e.msg[n - 1] == 'n');
}

int main(void)
{
	T_RUN(t_first_wins);
	T_RUN(t_one_line);
	T_RUN(t_truncated);
	return t_done();
}
