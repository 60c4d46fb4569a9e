#!/bin/sh
# run.sh - run every unit-test binary and every CLI test script; count the
# PASS / FAIL lines they print.  The last line is "N passed, N failed".
#
# Environment: FAIRTRAIN_BUILD (default build), FAIRTRAIN_DATA (default
# datasets, which scripts/fetch-datasets.sh fills; `make test` runs it),
# FAIRTRAIN_REQUIRE_DATA=1 makes an absent data folder a failure (.ci/run
# sets it) instead of a skip.
set -u
BUILD=${FAIRTRAIN_BUILD:-build}
FAIRTRAIN_DATA=${FAIRTRAIN_DATA:-datasets}
export FAIRTRAIN_BUILD=$BUILD FAIRTRAIN_DATA
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

run_one() {
	# $1 = name, rest = command.  A crash or non-zero exit without a FAIL line
	# is itself a failure.
	name=$1; shift
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP) ' | tee -a "$log"
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
		echo "FAIL $name: exited with status $rc" | tee -a "$log"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'
	fi
	# show diagnostics (sanitizer reports) of failing runs
	if printf '%s\n' "$out" | grep -q '^FAIL '; then
		printf '%s\n' "$out" | grep -vE '^(PASS|FAIL|SKIP) ' | tail -n 20 | sed 's/^/    /'
	fi
}

if [ ! -f "$FAIRTRAIN_DATA/adult/adult.data" ]; then
	if [ "${FAIRTRAIN_REQUIRE_DATA:-0}" = 1 ]; then
		echo "FAIL datasets: folder $FAIRTRAIN_DATA is absent (set FAIRTRAIN_DATA)" | tee -a "$log"
	else
		echo "SKIP datasets: no data in $FAIRTRAIN_DATA; real-data tests are skipped (scripts/fetch-datasets.sh gets the data)" | tee -a "$log"
	fi
fi

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in tests/cli/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t")" sh "$t"
done

pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
skip=$(grep -c '^SKIP ' "$log")
# the last line is exactly "N passed, N failed" (CI reads it)
echo "$skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
