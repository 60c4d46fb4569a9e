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

# A C program of under 40 lines trains a fair model through the verb, with
# the before/after measurement, and saves it; the CLI's model for the same
# options must be the same model.
cat >"$TMP/use.c" <<'CEOF'
#include <stdio.h>
#include <fairtrain.h>
/* use DATA METHOD OUT: train METHOD on the synthetic hiring data, save OUT */
int main(int argc, char **argv)
{
	struct ft_error err = {0};
	struct ft_train_opts o;
	struct ft_train_result *r = NULL;
	const struct ft_comparison_row *b, *m;
	char *sensitive[] = {"gender"};
	if (argc != 4 || ft_synth_write(argv[1], 2000, 3, &err))
		goto fail;
	ft_train_opts_init(&o);
	o.data.data = argv[1];
	o.data.spec.target = "hired";
	o.data.spec.positive = "yes";
	o.data.spec.sensitive = sensitive;
	o.data.spec.n_sensitive = 1;
	o.method = argv[2];
	if (ft_train(&o, &r, &err) || ft_model_save(argv[3], r->mf, &err))
		goto fail;
	b = ft_comparison_find(r->mf->comparison, "demographic_parity_difference",
	                       "baseline", "test", "", "between_groups");
	m = ft_comparison_find(r->mf->comparison, "demographic_parity_difference",
	                       "mitigated", "test", "", "between_groups");
	printf("%s dp %.4f -> %.4f\n", ft_version(), b->value, m->value);
	ft_train_result_free(r);
	return 0;
fail:
	fprintf(stderr, "use: %s\n", argc == 4 ? err.msg : "use DATA METHOD OUT");
	ft_train_result_free(r);
	return 1;
}
CEOF
lines=$(wc -l <"$TMP/use.c")
[ "$lines" -lt 40 ] && pass training_program_short || fail training_program_short "$lines lines"
SANF=
[ $san = 1 ] && SANF="-fsanitize=address,undefined"
# pkg-config finds the installed fairtrain.pc; its prefix is moved to DESTDIR
export PKG_CONFIG_PATH="$R/lib/pkgconfig"
# shellcheck disable=SC2046
if cc -std=c11 $SANF "$TMP/use.c" $(pkg-config --define-variable=prefix="$R" --cflags --libs fairtrain) -o "$TMP/use" 2>"$TMP/err" &&
   LD_LIBRARY_PATH="$R/lib" "$TMP/use" "$TMP/s.csv" eg:dp "$TMP/c.h5" >"$TMP/use.out" 2>>"$TMP/err" &&
   grep -q "^0.2.0 dp 0\.[0-9]* -> 0\.[0-9]*$" "$TMP/use.out"; then
	pass pkgconfig_shared
else
	fail pkgconfig_shared "$(head -3 "$TMP/err")"
fi
# the same options from the command line: the same model, bit for bit
"$FT" train --quiet --data "$TMP/s.csv" --target hired --positive yes --sensitive gender \
	--method eg:dp --out "$TMP/cli.h5" 2>"$TMP/err"
if h5diff -q "$TMP/c.h5" "$TMP/cli.h5" /model /model && h5diff -q "$TMP/c.h5" "$TMP/cli.h5" /baseline /baseline &&
   h5diff -q "$TMP/c.h5" "$TMP/cli.h5" /comparison /comparison; then
	pass program_model_equals_cli
else
	fail program_model_equals_cli "$(h5diff "$TMP/c.h5" "$TMP/cli.h5" /model /model 2>&1 | head -3)"
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
   "$TMP/use_static" "$TMP/s2.csv" eg:dp "$TMP/s.h5" >"$TMP/use.out" 2>>"$TMP/err" &&
   h5diff -q "$TMP/s.h5" "$TMP/cli.h5" /model /model; then
	pass pkgconfig_static
else
	fail pkgconfig_static "$(head -3 "$TMP/err")"
fi

# The Python package: installed where Debian's python3 looks for this
# PREFIX, it imports from there, loads the installed library (the loader
# finds it through LD_LIBRARY_PATH here, as DESTDIR moved it away from the
# LIBDIR written into the package), and trains eg:dp on the same data: the
# same model as the command line's, bit for bit.
PYD=$(ls -d "$R"/lib/python3*/dist-packages 2>/dev/null | head -n 1)
if ! $PY -c 'import numpy, pandas' 2>/dev/null; then
	skip python_installed "python3-numpy or python3-pandas is not installed"
elif [ ! -f "$PYD/fairtrain/__init__.py" ] || ! grep -q "LIBDIR = '/opt/ft/lib'" "$PYD/fairtrain/_config.py"; then
	fail python_installed "no package (or a wrong LIBDIR) under $R/lib/python3*/dist-packages"
else
	PRE=
	[ $san = 1 ] && PRE="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
	if env -u PYTHONPATH -u FAIRTRAIN_LIB PYTHONPATH="$PYD" LD_LIBRARY_PATH="$R/lib" LD_PRELOAD="$PRE" \
		ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 $PY - "$TMP/s.csv" "$TMP/py.h5" "$R" \
		>"$TMP/py.out" 2>&1 <<'PYEOF'
import sys, pandas as pd, fairtrain
data, out, root = sys.argv[1:]
assert fairtrain.__file__.startswith(root), fairtrain.__file__
maps = [l.split()[-1] for l in open("/proc/self/maps") if "libfairtrain" in l]
assert maps and all(m.startswith(root) for m in maps), maps
df = pd.read_csv(data, float_precision="round_trip")
clf = fairtrain.FairClassifier("eg", constraint="dp", positive="yes", missing="drop")
clf.fit(df.drop(columns=["hired", "gender"]), df["hired"], sensitive_features=df["gender"])
clf.save(out)
print(fairtrain.version(), clf.comparison_.shape[0])
PYEOF
	then
		# fit uses every row: the CLI's --split 0
		"$FT" train --quiet --data "$TMP/s.csv" --target hired --positive yes --sensitive gender \
			--method eg:dp --split 0 --out "$TMP/cli0.h5" 2>"$TMP/err"
		if h5diff -q "$TMP/py.h5" "$TMP/cli0.h5" /model /model &&
		   h5diff -q "$TMP/py.h5" "$TMP/cli0.h5" /baseline /baseline; then
			pass python_installed
		else
			fail python_installed "the installed package's model differs from the CLI's"
		fi
	else
		fail python_installed "$(tail -n 3 "$TMP/py.out")"
	fi
fi
