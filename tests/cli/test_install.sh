# make install puts the binary, library and header under DESTDIR/PREFIX, and
# a program built against the installed header and library works.
. tests/cli/lib.sh

san=0
[ "$BUILD" = build/san ] && san=1
if make --no-print-directory -s install SANITIZE=$san PREFIX=/opt/ft DESTDIR="$TMP/root" >"$TMP/out" 2>&1; then
	pass make_install
else
	fail make_install "$(tail -3 "$TMP/out")"
fi
R="$TMP/root/opt/ft"
[ -x "$R/bin/fairtrain" ] && [ -f "$R/lib/libfairtrain.a" ] && [ -f "$R/include/fairtrain.h" ] &&
	pass install_files || fail install_files "$(find "$TMP/root" -type f)"
"$R/bin/fairtrain" --version | grep -q "^fairtrain " && pass installed_binary_runs || fail installed_binary_runs "no version"

cat >"$TMP/use.c" <<'CEOF'
#include <stdio.h>
#include <fairtrain.h>
int main(int argc, char **argv)
{
	struct ft_error err = {0};
	struct ft_table *t = NULL;
	struct ft_read_opts o;
	if (ft_synth_write(argv[1], 50, 3, &err)) { puts(err.msg); return 1; }
	ft_read_opts_init(&o);
	if (ft_table_read(argv[1], &o, &t, &err)) { puts(err.msg); return 1; }
	printf("%zu %zu\n", t->n_rows, t->n_cols);
	ft_table_free(t);
	return argc != 2;
}
CEOF
SANF=
[ $san = 1 ] && SANF="-fsanitize=address,undefined"
if cc -std=c11 $SANF -I"$R/include" "$TMP/use.c" -L"$R/lib" -lfairtrain \
	$(pkg-config --libs hdf5 openblas lapacke nettle) -lcsv -lm -fopenmp -o "$TMP/use" 2>"$TMP/err" &&
   [ "$("$TMP/use" "$TMP/s.csv")" = "50 9" ]; then
	pass library_usable_from_install
else
	fail library_usable_from_install "$(head -3 "$TMP/err")"
fi
