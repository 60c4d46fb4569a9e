#!/bin/sh
# fuzz.sh - run each libFuzzer harness for a while (make fuzz).
#
#   scripts/fuzz.sh SECONDS TARGET...
#
# Target NAME is build/fuzz/fuzz_NAME (tests/fuzz/fuzz_NAME.c).  It starts
# from its seeds (tests/fuzz/corpus/NAME, read only) and the corpus it grew
# before (build/fuzz/corpus/NAME, where new inputs go); a crash, leak,
# sanitizer report, timeout (10 s) or allocation over 2 GB is written to
# build/fuzz/crashes/NAME/.  Keep every such input: fix the bug, then copy
# the file to tests/fuzz/regressions/NAME/, which `make test` replays
# through the normal build.  The log of each run is build/fuzz/NAME.log;
# the last lines printed per target are libFuzzer's final figures (cov:,
# exec/s and the number of executions).  Exit 1 when any target found
# something.
set -u
secs=${1:?usage: fuzz.sh SECONDS TARGET...}
shift
status=0
summary=""
for t in "$@"; do
	bin=build/fuzz/fuzz_$t
	mkdir -p "build/fuzz/corpus/$t" "build/fuzz/crashes/$t"
	echo "fuzz: $t for $secs s"
	# one thread: the row sums would otherwise start OpenMP teams per input
	OMP_NUM_THREADS=1 "$bin" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/crashes/$t/" \
		"build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" >"build/fuzz/$t.log" 2>&1
	rc=$?
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "build/fuzz/$t.log" | tail -n 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$t.log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		status=1
		echo "fuzz: $t FOUND SOMETHING (exit $rc); see build/fuzz/$t.log and build/fuzz/crashes/$t/"
		grep -E 'ERROR|SUMMARY|Test unit written' "build/fuzz/$t.log" | head -n 5
	fi
	summary="$summary
$t: ${runs:-?} executions; ${done_line:-no final line}"
done
echo "fuzz: summary (target: executions; libFuzzer's last line)$summary"
exit $status
