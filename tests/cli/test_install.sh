# make install puts the binary, the shared and static library, the header
# and fairtrain.pc under DESTDIR/PREFIX; the shared library exports exactly
# the functions the header declares; a program built with pkg-config alone
# (shared, and static with --static) works.
. tests/cli/lib.sh

san=0
[ "$BUILD" = build/san ] && san=1
if make --no-print-directory -s install SANITIZE=$san PREFIX=/opt/ft DESTDIR="$TMP/root" >"$TMP/out" 2>&1; then
	pass make_install
else
	fail make_install "$(tail -3 "$TMP/out")"
fi
R="$TMP/root/opt/ft"
ok=1
for f in bin/fairtrain lib/libfairtrain.so.0.2.0 lib/libfairtrain.so.0 lib/libfairtrain.so \
	lib/libfairtrain.a lib/pkgconfig/fairtrain.pc include/fairtrain.h; do
	[ -e "$R/$f" ] || { ok=0; fail install_files "missing $f"; }
done
[ $ok = 1 ] && pass install_files
[ "$(readlink "$R/lib/libfairtrain.so")" = libfairtrain.so.0 ] &&
	objdump -p "$R/lib/libfairtrain.so.0.2.0" | grep -q 'SONAME *libfairtrain.so.0$' &&
	pass soname || fail soname "$(objdump -p "$R/lib/libfairtrain.so.0.2.0" | grep SONAME)"
"$R/bin/fairtrain" --version | grep -q "^fairtrain " && pass installed_binary_runs || fail installed_binary_runs "no version"

# The exports of the shared library are exactly the functions of the header.
$PY - "$R/include/fairtrain.h" >"$TMP/header.syms" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
print("\n".join(sorted(set(re.findall(r"^FT_API [^;{]*?\b(ft_[a-z0-9_]+)\(", text, re.M)))))
PYEOF
nm -D --defined-only "$R/lib/libfairtrain.so" | awk '$2 == "T" || $2 == "W" || $2 == "D" || $2 == "B" { print $3 }' |
	grep -v '^_' | sort -u >"$TMP/lib.syms"
if [ -s "$TMP/header.syms" ] && cmp -s "$TMP/header.syms" "$TMP/lib.syms"; then
	pass exports_equal_header
else
	fail exports_equal_header "$(diff "$TMP/header.syms" "$TMP/lib.syms" | head -5)"
fi

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
	printf("%zu %zu %s\n", t->n_rows, t->n_cols, ft_version());
	ft_table_free(t);
	return argc != 2;
}
CEOF
SANF=
[ $san = 1 ] && SANF="-fsanitize=address,undefined"
# pkg-config finds the installed fairtrain.pc; its prefix is moved to DESTDIR
export PKG_CONFIG_PATH="$R/lib/pkgconfig"
# shellcheck disable=SC2046
if cc -std=c11 $SANF "$TMP/use.c" $(pkg-config --define-variable=prefix="$R" --cflags --libs fairtrain) -o "$TMP/use" 2>"$TMP/err" &&
   [ "$(LD_LIBRARY_PATH="$R/lib" "$TMP/use" "$TMP/s.csv")" = "50 9 0.2.0" ]; then
	pass pkgconfig_shared
else
	fail pkgconfig_shared "$(head -3 "$TMP/err")"
fi
# static: an install without the shared library, linked with --static
mkdir -p "$TMP/static"
cp -r "$TMP/root/opt" "$TMP/static/"
rm -f "$TMP/static/opt/ft/lib/libfairtrain.so"*
export PKG_CONFIG_PATH="$TMP/static/opt/ft/lib/pkgconfig"
# shellcheck disable=SC2046
if cc -std=c11 $SANF "$TMP/use.c" $(pkg-config --define-variable=prefix="$TMP/static/opt/ft" \
	--static --cflags --libs fairtrain) -o "$TMP/use_static" 2>"$TMP/err" &&
   ! ldd "$TMP/use_static" | grep -q libfairtrain &&
   [ "$("$TMP/use_static" "$TMP/s2.csv")" = "50 9 0.2.0" ]; then
	pass pkgconfig_static
else
	fail pkgconfig_static "$(head -3 "$TMP/err")"
fi
