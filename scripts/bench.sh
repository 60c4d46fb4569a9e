#!/bin/sh
# bench.sh - `make bench`: fairtrain against a peer measured in the same run.
#
# Logistic regression on UCI Adult: `fairtrain train` from the raw CSV files
# (parse, encode, fit the model and the baseline, measure both on train and
# test, SHA-256 of the inputs, write the HDF5 model file) against
# `liblinear-train -s 0 -c 1` on the same rows already encoded (made once by
# `fairtrain export`, not timed).  The ratio is taken with --bootstrap 0
# --permutations 0 (point estimates only: liblinear computes no intervals);
# the default run with 1000 bootstrap resamples and permutations is timed
# too.  RUNS runs each, interleaved so that machine noise hits all alike;
# medians of wall time, and peak resident memory.  Then the bootstrap,
# the mitigation methods, and DELTR against its numpy port (below).
set -eu
BUILD=${FAIRTRAIN_BUILD:-build}
FT="$BUILD/fairtrain"
DATA=${FAIRTRAIN_DATA:-datasets}
RUNS=${RUNS:-5}
A="$DATA/adult"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM

if [ ! -f "$A/adult.data" ]; then
	echo "bench: $A/adult.data not found (set FAIRTRAIN_DATA or run scripts/fetch-datasets.sh)" >&2
	exit 1
fi
command -v liblinear-train >/dev/null || { echo "bench: liblinear-train missing (make deps)" >&2; exit 1; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: /usr/bin/time missing (make deps)" >&2; exit 1; }

NAMES=age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income
COMMON="--names $NAMES --target income --positive >50K --label-strip . --sensitive sex --drop fnlwgt"

"$FT" export --quiet --format libsvm --data "$A/adult.data" $COMMON --out "$W/adult.svm"

# Every time below is of this machine under its load at the time: say which.
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)," \
	"$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
	"load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$W/ft.t"; : >"$W/ll.t"; : >"$W/ft.m"; : >"$W/ll.m"; : >"$W/fd.t"; : >"$W/fd.m"
i=0
while [ $i -lt "$RUNS" ]; do
	t0=$(now)
	$TIME -f %M -o "$W/mem" "$FT" train --quiet --data "$A/adult.data" $COMMON \
		--test "$A/adult.test" --test-skip-rows 1 --bootstrap 0 --permutations 0 --out "$W/m.h5"
	t1=$(now)
	awk "BEGIN { print $t1 - $t0 }" >>"$W/ft.t"; cat "$W/mem" >>"$W/ft.m"
	t0=$(now)
	$TIME -f %M -o "$W/mem" "$FT" train --quiet --data "$A/adult.data" $COMMON \
		--test "$A/adult.test" --test-skip-rows 1 --out "$W/m.h5"
	t1=$(now)
	awk "BEGIN { print $t1 - $t0 }" >>"$W/fd.t"; cat "$W/mem" >>"$W/fd.m"
	t0=$(now)
	$TIME -f %M -o "$W/mem" liblinear-train -q -s 0 -c 1 "$W/adult.svm" "$W/ll.model"
	t1=$(now)
	awk "BEGIN { print $t1 - $t0 }" >>"$W/ll.t"; cat "$W/mem" >>"$W/ll.m"
	i=$((i + 1))
done

ft=$(median <"$W/ft.t"); ll=$(median <"$W/ll.t")
ftm=$(median <"$W/ft.m"); llm=$(median <"$W/ll.m")
fd=$(median <"$W/fd.t"); fdm=$(median <"$W/fd.m")
echo "logistic regression on Adult (30,162 training rows, $RUNS runs each, medians)"
printf '  %-58s %8.3f s  %7d KiB\n' "fairtrain train (raw CSV -> HDF5 model, + test file)" "$ft" "$ftm"
printf '  %-58s %8.3f s  %7d KiB\n' "  the same with 1000 bootstrap resamples + permutations" "$fd" "$fdm"
printf '  %-58s %8.3f s  %7d KiB\n' "liblinear-train -s 0 -c 1 (pre-encoded libsvm file)" "$ll" "$llm"
printf '  ratio fairtrain / liblinear: %.2f (target <= 1.0)\n' "$(awk "BEGIN { print $ft / $ll }")"

# Bootstrap intervals of every fairness summary: 1,000 resamples of
# 1,000,000 rows in 10 groups, on one core (target: under 2 s).
echo
OMP_NUM_THREADS=1 "$BUILD/bench/bench_bootstrap"

# The pieces of one measurement (issue 20 item 5), each alone on one
# core: 750,000 rows (the training part of the 1M-row file below), two
# groups, 1,000 resamples and permutations, the least of 9 calls.
echo
OMP_NUM_THREADS=1 "$BUILD/bench/bench_measure" 750000 9

# Mitigation methods on Adult against the plain logistic fit, same run
# (targets: prejudice remover at eta = 25 and the covariance-constrained
# fit under 0.5 s each).
echo
FAIRTRAIN_DATA=$DATA "$BUILD/bench/bench_methods" "$RUNS"

# The feature transforms (dir, corr-remove, lfr above) against the reference
# Python code the fixtures check them with (BlackBoxAuditing's repair,
# Fairlearn's CorrelationRemover, AIF360's LFR fit), German and Adult.
echo
if /usr/bin/python3 -c 'import numpy, scipy, pandas' 2>/dev/null; then
	FAIRTRAIN_LIB=$BUILD/libfairtrain.so.0 /usr/bin/python3 scripts/peers/transform_timing.py \
		"$DATA" "$RUNS"
else
	echo "bench: python3-numpy, -scipy or -pandas missing: the transforms' peers are not timed" >&2
fi

# The meta-fair classifier (meta:sr, meta:fdr above) against the numpy port
# of AIF360's celisMeta with fairtrain's change (the sensitive attribute
# observed) and against AIF360's algorithm unchanged, on all of Adult.
echo
/usr/bin/python3 scripts/fixtures/make_meta_fixture.py "$DATA" --time "$RUNS"

# The full Adult comparison (experiments/adult-sex/compare.conf: every
# classification method, 41 settings, 5 folds, no bootstrap), against the
# plain `fairtrain train` above in the same run.  Target: under 30 s (before issue 17's eight settings; lfr's five fits take about 9 s, 1.8 s each in the method fits above).
CRUNS=${COMPARE_RUNS:-3}
: >"$W/cmp.t"
i=0
while [ $i -lt "$CRUNS" ]; do
	t0=$(now)
	"$FT" compare --quiet --config experiments/adult-sex/compare.conf --data "$A/adult.data" \
		--out "$W/cmp" --force
	t1=$(now)
	awk "BEGIN { print $t1 - $t0 }" >>"$W/cmp.t"
	i=$((i + 1))
done
cmp=$(median <"$W/cmp.t")
echo
echo "fairtrain compare, Adult by sex, every method (41 settings x 5 folds = 205 fits; $CRUNS runs, median)"
printf '  %-58s %8.3f s\n' "compare --config experiments/adult-sex/compare.conf" "$cmp"
printf '  ratio to one plain train run: %.1f (target: under 30 s)\n' "$(awk "BEGIN { print $cmp / $ft }")"

# Threads under load (issue 14 item 3): the same Adult comparison on the
# idle machine and beside two CPU-bound processes (busy loops started and
# killed here), with fairtrain's default (GOMP_SPINCOUNT=10000, set by the
# program itself), libgomp's own default (300,000 spins), passive waiting,
# and one thread; CRUNS runs each, interleaved, medians.
spin_run() { # $1 = file, rest = env assignments
	f=$1; shift
	t0=$(now)
	env "$@" "$FT" compare --quiet --config experiments/adult-sex/compare.conf \
		--data "$A/adult.data" --out "$W/cmpl" --force
	t1=$(now)
	awk "BEGIN { print $t1 - $t0 }" >>"$W/$f"
}
for load in idle busy; do
	hogs=""
	if [ $load = busy ]; then
		for k in 1 2; do
			sh -c 'while :; do :; done' & hogs="$hogs $!"
		done
	fi
	: >"$W/$load.ft"; : >"$W/$load.gomp"; : >"$W/$load.pas"; : >"$W/$load.one"
	i=0
	while [ $i -lt "$CRUNS" ]; do
		spin_run $load.ft FAIRTRAIN_BENCH=1
		spin_run $load.gomp GOMP_SPINCOUNT=300000
		spin_run $load.pas OMP_WAIT_POLICY=passive
		spin_run $load.one OMP_NUM_THREADS=1
		i=$((i + 1))
	done
	[ -n "$hogs" ] && kill $hogs
done
echo
echo "threads under load: compare, Adult by sex ($CRUNS runs each, medians, s; busy = beside 2 CPU-bound processes)"
printf '  %-44s %8s %8s\n' "" idle busy
for k in ft:"fairtrain's default (GOMP_SPINCOUNT=10000)" gomp:"libgomp's default (GOMP_SPINCOUNT=300000)" \
	pas:"OMP_WAIT_POLICY=passive" one:"OMP_NUM_THREADS=1"; do
	printf '  %-44s %8.3f %8.3f\n' "${k#*:}" "$(median <"$W/idle.${k%%:*}")" "$(median <"$W/busy.${k%%:*}")"
done
printf '  busy/idle: fairtrain %.2f, libgomp default %.2f; idle default/passive %.2f\n' \
	"$(awk "BEGIN { print $(median <"$W/busy.ft") / $(median <"$W/idle.ft") }")" \
	"$(awk "BEGIN { print $(median <"$W/busy.gomp") / $(median <"$W/idle.gomp") }")" \
	"$(awk "BEGIN { print $(median <"$W/idle.ft") / $(median <"$W/idle.pas") }")"

# DELTR in reference mode (the authors' loop: 3000 gradient steps, gamma =
# 2e5) on the LSAT gender training split (1,743 documents) against its
# numpy port scripts/peers/deltr_reference.py, same run; medians of RUNS
# fits each (reading and encoding not timed on either side).
echo
G="$DATA/deltr-lsat/gender"
if [ -f "$G/train.txt" ]; then
	FAIRTRAIN_DATA=$DATA "$BUILD/bench/bench_deltr" "$RUNS" | tee "$W/deltr.out"
	/usr/bin/python3 scripts/peers/deltr_reference.py "$G" --time "$RUNS" | tee "$W/peer.out"
	dft=$(awk '/^deltr reference/ { for (i = 1; i < NF; i++) if ($i == "median") print $(i + 1) }' "$W/deltr.out")
	py=$(awk '{ for (i = 1; i < NF; i++) if ($i == "median") print $(i + 1) }' "$W/peer.out")
	printf '  ratio fairtrain / numpy port (DELTR reference, gamma = 2e5): %.3f\n' \
		"$(awk "BEGIN { print $dft / $py }")"
else
	echo "bench: $G/train.txt not found: DELTR skipped" >&2
fi

# The MPI build (issue 15), when it is there (make MPI=1: build/mpi):
# `train --method eg` on the synthetic hiring data (MPI_ROWS rows) in one
# process of the default build against mpirun -np 1, 2 and 4 of the MPI
# build (one thread a rank), interleaved, CRUNS runs each, medians of wall
# time; every model file compared with the single-process one (h5same.py,
# provenance aside).  On one machine this measures the cost of the
# distributed path (the ordered reductions, the gathers), not a speed-up:
# the ranks share its cores.
if [ -x "$BUILD/mpi/fairtrain" ] && command -v mpirun >/dev/null 2>&1; then
	MROWS=${MPI_ROWS:-200000}
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	export OMPI_MCA_btl_vader_single_copy_mechanism=none
	"$FT" synth --quiet --rows "$MROWS" --seed 3 --out "$W/msyn.csv"
	MARGS="--data $W/msyn.csv --target hired --positive yes --sensitive gender --privileged male --method eg --quiet"
	echo
	echo "MPI build: train --method eg on $MROWS synthetic rows ($CRUNS runs each, medians, wall time)"
	: >"$W/m0.t"; : >"$W/m1.t"; : >"$W/m2.t"; : >"$W/m4.t"
	i=0
	while [ $i -lt "$CRUNS" ]; do
		t0=$(now)
		# shellcheck disable=SC2086
		"$FT" train $MARGS --out "$W/m0.h5"
		t1=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$W/m0.t"
		for np in 1 2 4; do
			t0=$(now)
			# shellcheck disable=SC2086
			OMP_NUM_THREADS=1 mpirun -q --oversubscribe -np $np "$BUILD/mpi/fairtrain" train \
				$MARGS --out "$W/m$np.h5"
			t1=$(now)
			awk "BEGIN { print $t1 - $t0 }" >>"$W/m$np.t"
			/usr/bin/python3 tests/cli/h5same.py "$W/m0.h5" "$W/m$np.h5" --skip command_line \
				--skip created_utc >/dev/null ||
				{ echo "bench: the model of $np ranks differs from one process" >&2; exit 1; }
		done
		i=$((i + 1))
	done
	t0=$(median <"$W/m0.t")
	printf '  one process (default build, default threads)  %8.3f s\n' "$t0"
	for np in 1 2 4; do
		tn=$(median <"$W/m$np.t")
		printf '  mpirun -np %d (one thread a rank)             %8.3f s  %.2fx one process; model identical\n' \
			"$np" "$tn" "$(awk "BEGIN { print $tn / $t0 }")"
	done
	rm -f "$W"/msyn.csv "$W"/m?.h5
fi

# The times the READMEs quote (issue 20 item 4): each experiment's script
# as a whole (reading, every fit, measurement, model files, reports), the
# median of CRUNS runs, and the exposure LP of 50 items.
echo
echo "experiments as the READMEs quote them ($CRUNS runs each, medians, wall time)"
for e in adult-sex/run.sh adult-sex/compare.sh compas-race/run.sh german-age/run.sh \
	deltr-lsat/run.sh; do
	: >"$W/e.t"
	i=0
	while [ $i -lt "$CRUNS" ]; do
		t0=$(now)
		FAIRTRAIN_BUILD=$BUILD FAIRTRAIN_DATA=$DATA "experiments/$e" "$W/exp" >/dev/null 2>&1 ||
			{ echo "bench: experiments/$e failed" >&2; exit 1; }
		t1=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$W/e.t"
		i=$((i + 1))
	done
	printf '  %-58s %8.3f s\n' "experiments/$e" "$(median <"$W/e.t")"
done
"$BUILD/bench/bench_rank_lp"

# compare --task rank (issue 16): the LSAT gender split (one training query
# of 1,743 documents, the test file as the fold) and a synthetic set of
# 1,000 queries of 25 items (5 features, two groups, relevance 0-3; mawk's
# seeded rand, 5 folds of queries), 8 settings each.  The peer in the same
# run is `train --task rank` of the baseline alone on the same data (one
# fold's split, no intervals, as compare computes none): the ratio is the
# comparison's time per fit against one standalone training.
awk 'BEGIN { srand(7); print "query,x1,x2,x3,x4,x5,group,rel";
	for (q = 1; q <= 1000; q++) for (i = 0; i < 25; i++) {
		g = rand() < 0.35; s = 0; line = q;
		for (j = 1; j <= 5; j++) { x = rand() * 2 - 1 - (j == 1 ? 0.4 * g : 0);
			s += x * j / 5; line = line sprintf(",%.4f", x) }
		r = int(2 * s + rand()); r = r < 0 ? 0 : r > 3 ? 3 : r;
		print line "," (g ? "p" : "u") "," r } }' >"$W/rank1k.csv"
RSET="deltr:gamma=1e3,1e4 pair-reg:lambda=1 lambdaloss det_greedy det_const_sort fair:p=0.5"
echo
echo "compare --task rank, 8 settings ($CRUNS runs each, medians, wall time)"
for set in lsat syn1k; do
	if [ $set = lsat ]; then
		L="$DATA/deltr-lsat/gender"
		RARGS="--data $L/train.txt --test $L/test.txt --names query,protected,LSAT,UGPA,ZFYA --query query --relevance ZFYA --sensitive protected --protected 1 --no-standardize"
		fits=8
	else
		RARGS="--data $W/rank1k.csv --query query --relevance rel --sensitive group --protected p --folds 5"
		fits=40
	fi
	: >"$W/rc.t"; : >"$W/rt.t"
	i=0
	while [ $i -lt "$CRUNS" ]; do
		t0=$(now)
		"$FT" compare --quiet --task rank $RARGS --methods "$RSET" --force \
			--out "$W/rcmp" >/dev/null ||
			{ echo "bench: compare --task rank on $set failed" >&2; exit 1; }
		t1=$(now)
		# shellcheck disable=SC2086
		"$FT" train --quiet --task rank $(echo "$RARGS" | sed 's/--folds 5/--split 0.2/') \
			--bootstrap 0 --permutations 0 --out "$W/r1.h5" >/dev/null ||
			{ echo "bench: train --task rank on $set failed" >&2; exit 1; }
		t2=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$W/rc.t"
		awk "BEGIN { print $t2 - $t1 }" >>"$W/rt.t"
		i=$((i + 1))
	done
	tc=$(median <"$W/rc.t"); tt=$(median <"$W/rt.t")
	printf '  %-6s compare %7.3f s (%d fits and measurements), train of the baseline %7.3f s: %.2fx a standalone train per fit\n' \
		"$set" "$tc" "$fits" "$tt" "$(awk "BEGIN { print $tc / $fits / $tt }")"
done
rm -rf "$W/rcmp" "$W/r1.h5" "$W/rank1k.csv"

# Whole jobs on Adult (issue 20 item 10): `fairtrain train` against the
# Python anchor's whole script (scripts/peers/adult_anchor.py: read, encode,
# fit baseline and method, measure both on both parts, save), the same
# method, interleaved, RUNS each, medians of wall time; fairtrain without
# intervals (--bootstrap 0 --permutations 0), as the anchor computes none.
# eg and threshold run Fairlearn 0.9 from its source: FAIRLEARN_SRC is the
# folder that holds its fairlearn package (git archive v0.9.0 fairlearn).
PY=/usr/bin/python3
echo
if ! $PY -c 'import sklearn, pandas' 2>/dev/null; then
	echo "bench: python3-sklearn or python3-pandas missing: whole-job ratios skipped" >&2
else
	echo "whole jobs on Adult: fairtrain train / the Python anchor's script ($RUNS runs each, medians)"
	for m in logreg:logreg reweigh:reweigh eg:eg:dp threshold:threshold:dp; do
		name=${m%%:*}
		spec=${m#*:}
		fl=
		case $name in eg|threshold)
			if [ ! -f "${FAIRLEARN_SRC:-/nonexistent}/fairlearn/__init__.py" ]; then
				printf '  %-10s skipped: set FAIRLEARN_SRC to a Fairlearn 0.9 source tree\n' "$name"
				continue
			fi
			fl="--fairlearn $FAIRLEARN_SRC"
			peer="scikit-learn + Fairlearn $($PY -c "import sys; sys.path.insert(0, '$FAIRLEARN_SRC'); import fairlearn; print(fairlearn.__version__)")" ;;
		*) peer="scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)')" ;;
		esac
		: >"$W/wf.t"; : >"$W/wp.t"
		i=0
		while [ $i -lt "$RUNS" ]; do
			t0=$(now)
			"$FT" train --quiet --data "$A/adult.data" $COMMON --test "$A/adult.test" \
				--test-skip-rows 1 --bootstrap 0 --permutations 0 --method "$spec" --out "$W/m.h5"
			t1=$(now)
			# shellcheck disable=SC2086
			$PY scripts/peers/adult_anchor.py "$name" "$A" "$W/anchor" $fl
			t2=$(now)
			awk "BEGIN { print $t1 - $t0 }" >>"$W/wf.t"
			awk "BEGIN { print $t2 - $t1 }" >>"$W/wp.t"
			i=$((i + 1))
		done
		wf=$(median <"$W/wf.t"); wp=$(median <"$W/wp.t")
		printf '  %-10s fairtrain %7.3f s  %-30s %7.3f s  ratio %.3f\n' "$name" "$wf" "$peer" "$wp" \
			"$(awk "BEGIN { print $wf / $wp }")"
	done
fi

# At scale (issue 20 items 5, 8, 10): the synthetic table of
# tests/bench/bench_widecsv.c (10 numeric and 8 categorical columns, 98
# features) at SCALE_ROWS rows, made and exported once (not timed).
#  - the phases of one training run (bench_scale phases): measurement
#    (metrics, bootstrap cells, permutation tests; gap decomposition and
#    proxies) against the plain fit, goal <= 0.3;
#  - the fit's passes against a STREAM-style read (bench_scale kernels),
#    goal: value and gradient >= 0.5 of the read on one thread, and the
#    same pass on the baseline vectors (SSE2) beside the widest the CPU has;
#  - whole processes: `fairtrain train --split 0 --bootstrap 0
#    --permutations 0` (read, encode, fit, measure, model file) against
#    `liblinear-train -s 0 -c 1` on the same rows, pre-encoded.
SCALE_ROWS=${SCALE_ROWS:-1000000 5000000}
SRUNS=${SCALE_RUNS:-3}
for n in $SCALE_ROWS; do
	echo
	"$BUILD/bench/bench_widecsv" "$n" 1 "$W/wide.csv"
	WIDE="--target y --positive 1 --sensitive sex"
	"$FT" export --quiet --format libsvm --data "$W/wide.csv" $WIDE --out "$W/wide.svm"
	echo "at scale: $n rows, $(($(wc -c <"$W/wide.csv") / 1000000)) MB of CSV"
	# the same rows as LETOR lines (relevance y, 100 rows a query, the 10
	# numeric columns) for the per-byte comparison of the two readers
	awk -F, 'NR > 1 { printf "%s qid:%d", $20, int((NR - 2) / 100);
		for (j = 1; j <= 10; j++) printf " %d:%s", j, $j; printf "\n" }' "$W/wide.csv" >"$W/wide.letor"
	"$BUILD/bench/bench_ingest" "$W/wide.csv" "$SRUNS" y sex "$W/wide.letor"
	rm -f "$W/wide.letor"
	"$BUILD/bench/bench_scale" phases "$W/wide.csv" "$SRUNS"
	"$BUILD/bench/bench_scale" kernels "$W/wide.csv" "$SRUNS"
	# item 7's constant: the peak of the same command on the first 1,000
	# rows (libraries, threads, HDF5 and a run's fixed scratch)
	head -n 1001 "$W/wide.csv" >"$W/small.csv"
	: >"$W/sf.t"; : >"$W/sl.t"; : >"$W/sf.m"; : >"$W/sl.m"; : >"$W/ss.m"
	i=0
	while [ $i -lt "$SRUNS" ]; do
		t0=$(now)
		$TIME -f %M -o "$W/mem" "$FT" train --quiet --data "$W/wide.csv" $WIDE --split 0 \
			--bootstrap 0 --permutations 0 --out "$W/m.h5"
		t1=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$W/sf.t"; cat "$W/mem" >>"$W/sf.m"
		t0=$(now)
		$TIME -f %M -o "$W/mem" liblinear-train -q -s 0 -c 1 "$W/wide.svm" "$W/ll.model"
		t1=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$W/sl.t"; cat "$W/mem" >>"$W/sl.m"
		$TIME -f %M -o "$W/mem" "$FT" train --quiet --data "$W/small.csv" $WIDE --split 0 \
			--bootstrap 0 --permutations 0 --out "$W/m.h5"
		cat "$W/mem" >>"$W/ss.m"
		i=$((i + 1))
	done
	sf=$(median <"$W/sf.t"); sl=$(median <"$W/sl.t")
	printf '  %-58s %8.3f s  %7d KiB\n' "fairtrain train --split 0 (CSV -> HDF5, no intervals)" \
		"$sf" "$(median <"$W/sf.m")"
	printf '  %-58s %8.3f s  %7d KiB\n' "liblinear-train -s 0 -c 1 (pre-encoded libsvm file)" \
		"$sl" "$(median <"$W/sl.m")"
	printf '  whole-process ratio fairtrain / liblinear: %.2f\n' "$(awk "BEGIN { print $sf / $sl }")"
	# issue 20 item 7: peak against the compact design matrix, 8 bytes a
	# numeric cell (10), 4 a category code (8), 16 for label and weight,
	# plus the constant (above)
	pk=$(median <"$W/sf.m"); c0=$(median <"$W/ss.m")
	printf '  peak of train / compact design matrix (%d MB, 128 B a row): %.2f\n' \
		"$((n * 128 / 1000000))" "$(awk "BEGIN { print $pk * 1024 / ($n * 128) }")"
	printf '  (peak - peak on the first 1,000 rows, %d KiB) / matrix: %.2f (goal <= 1.25)\n' \
		"$c0" "$(awk "BEGIN { print ($pk - $c0) * 1024 / ($n * 128) }")"
	rm -f "$W/wide.csv" "$W/wide.svm" "$W/small.csv"
done

# Threads on a busy machine (issue 20 item 9): beside one CPU-bound
# process of ours (the other developers' work comes on top), `train` and
# `compare` on Adult with the default threads against one thread,
# interleaved; goal: the ratio default / one thread <= 1.
echo
sh -c 'while :; do :; done' &
HOG=$!
# until it is gone, an exit also stops it (a failing kill must not end
# the script under set -e)
trap 'kill $HOG 2>/dev/null || :; rm -rf "$W"' EXIT INT TERM
: >"$W/t1.t"; : >"$W/tn.t"; : >"$W/c1.t"; : >"$W/cn.t"
i=0
while [ $i -lt "$RUNS" ]; do
	for th in 1 n; do
		t0=$(now)
		if [ $th = 1 ]; then
			OMP_NUM_THREADS=1 "$FT" train --quiet --data "$A/adult.data" $COMMON --test "$A/adult.test" \
				--test-skip-rows 1 --out "$W/m.h5"
		else
			"$FT" train --quiet --data "$A/adult.data" $COMMON --test "$A/adult.test" \
				--test-skip-rows 1 --out "$W/m.h5"
		fi
		t1=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$W/t$th.t"
	done
	i=$((i + 1))
done
i=0
while [ $i -lt "$CRUNS" ]; do
	for th in 1 n; do
		t0=$(now)
		if [ $th = 1 ]; then
			OMP_NUM_THREADS=1 "$FT" compare --quiet --config experiments/adult-sex/compare.conf \
				--data "$A/adult.data" --out "$W/cmp" --force
		else
			"$FT" compare --quiet --config experiments/adult-sex/compare.conf \
				--data "$A/adult.data" --out "$W/cmp" --force
		fi
		t1=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$W/c$th.t"
	done
	i=$((i + 1))
done
kill $HOG 2>/dev/null || :
wait $HOG 2>/dev/null || :
trap 'rm -rf "$W"' EXIT INT TERM
echo "beside a CPU-bound process: default threads ($(nproc) cores) against one thread (medians)"
for k in t c; do
	one=$(median <"$W/${k}1.t"); def=$(median <"$W/${k}n.t")
	printf '  %-40s %8.3f s default  %8.3f s one thread  ratio %.3f (goal <= 1)\n' \
		"$([ $k = t ] && echo "train on Adult ($RUNS runs)" || echo "compare on Adult ($CRUNS runs)")" \
		"$def" "$one" "$(awk "BEGIN { print $def / $one }")"
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# Before and after a change: with FAIRTRAIN_BEFORE=/path/to/an/older/fairtrain,
# the plain Adult train and the Adult comparison run with both binaries,
# interleaved, RUNS times each; the ratio of the medians (this build /
# the other) says whether the change made them slower.
if [ -n "${FAIRTRAIN_BEFORE:-}" ]; then
	: >"$W/b.t"; : >"$W/a.t"; : >"$W/bc.t"; : >"$W/ac.t"
	i=0
	while [ $i -lt "$RUNS" ]; do
		for who in b a; do
			bin=$FT
			[ $who = b ] && bin=$FAIRTRAIN_BEFORE
			t0=$(now)
			"$bin" train --quiet --data "$A/adult.data" $COMMON --test "$A/adult.test" \
				--test-skip-rows 1 --bootstrap 0 --permutations 0 --out "$W/m.h5"
			t1=$(now)
			awk "BEGIN { print $t1 - $t0 }" >>"$W/$who.t"
			t0=$(now)
			"$bin" compare --quiet --config experiments/adult-sex/compare.conf \
				--data "$A/adult.data" --out "$W/cmp" --force
			t1=$(now)
			awk "BEGIN { print $t1 - $t0 }" >>"$W/${who}c.t"
		done
		i=$((i + 1))
	done
	echo
	echo "this build against $FAIRTRAIN_BEFORE ($RUNS interleaved runs each, medians)"
	printf '  %-40s %8.3f s before  %8.3f s now  ratio %.3f\n' "train on Adult (no intervals)" \
		"$(median <"$W/b.t")" "$(median <"$W/a.t")" \
		"$(awk "BEGIN { print $(median <"$W/a.t") / $(median <"$W/b.t") }")"
	printf '  %-40s %8.3f s before  %8.3f s now  ratio %.3f\n' "compare, Adult by sex, every method" \
		"$(median <"$W/bc.t")" "$(median <"$W/ac.t")" \
		"$(awk "BEGIN { print $(median <"$W/ac.t") / $(median <"$W/bc.t") }")"
fi

# The Python package (scripts/bench_python.py): FairClassifier.fit of
# logreg and eg on Adult against the ft_train call it makes, in the same
# process (target: within 1.2x), and against scikit-learn's
# LogisticRegression on the same encoded rows.
echo
if /usr/bin/python3 -c 'import numpy, pandas' 2>/dev/null; then
	FAIRTRAIN_BUILD=$BUILD FAIRTRAIN_DATA=$DATA RUNS=$RUNS /usr/bin/python3 scripts/bench_python.py
else
	echo "bench: python3-numpy or python3-pandas missing: the Python package is not timed" >&2
fi
