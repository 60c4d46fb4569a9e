# test_python.sh - the Python package (src/python/fairtrain): every
# tests/python/test_*.py run by Debian's python3 against this build's
# libfairtrain.so (FAIRTRAIN_LIB), each printing PASS / FAIL / SKIP lines.
# Skipped, with the reason, only where python3-numpy is absent.  In the
# sanitizer build the library needs the ASan runtime loaded first
# (LD_PRELOAD); leak detection is off there, since the interpreter itself
# keeps memory until exit.
. tests/cli/lib.sh

if ! $PY -c 'import numpy' 2>/dev/null; then
	skip python "python3-numpy is not installed (scripts/install-deps.sh installs it)"
	exit 0
fi
export PYTHONPATH="$(pwd)/src/python:$(pwd)/tests/python"
export FAIRTRAIN_LIB="$(pwd)/$BUILD/libfairtrain.so.0"
export FAIRTRAIN_BUILD="$BUILD" FAIRTRAIN_DATA="$DATA"
if [ "$BUILD" = build/san ]; then
	export LD_PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
	export ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0
fi
status=0
for t in tests/python/test_*.py; do
	$PY "$t" >"$TMP/py.out" 2>&1
	rc=$?
	cat "$TMP/py.out"
	# a crash or an uncaught exception without a FAIL line is a failure
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$TMP/py.out"; then
		echo "FAIL $(basename "$t"): exited with status $rc"
	fi
	[ $rc -eq 0 ] || status=1
done
exit $status
