#!/bin/sh
# test_mpi.sh - the MPI build (make MPI=1) under mpirun --oversubscribe on
# this machine's loopback: every method's model file equals the one the
# default build writes in one process, dataset by dataset and bit for bit
# (tests/cli/h5same.py; provenance aside: the time and command line), for
# 1, 2, 3 and 4 ranks, on Adult and on a synthetic set whose rows do not
# divide evenly over the ranks; sharded input (one file cut into byte
# ranges, three files, several files per rank, a rank without a file)
# gives the same model; a malformed row in one shard is one message naming
# that shard and line, exit 1 on every rank, and no file.  Also eval,
# audit, predict and compare on sharded data, and the ranker.
#
# Runs when `make test` found Open MPI (FAIRTRAIN_MPI_BUILD, build/mpi);
# skips otherwise.
. tests/cli/lib.sh

MB=${FAIRTRAIN_MPI_BUILD:-}
if [ -z "$MB" ] || [ ! -x "$MB/fairtrain" ] || ! command -v mpirun >/dev/null 2>&1; then
	# CI installs Open MPI (.ci/run): there the tests may not skip
	if [ "${FAIRTRAIN_REQUIRE_MPI:-0}" = 1 ]; then
		fail mpi "no MPI build, but FAIRTRAIN_REQUIRE_MPI=1"
	else
		skip mpi "no MPI build (make MPI=1 with Open MPI: scripts/install-deps.sh mpi)"
	fi
	exit 0
fi
FTM="$(pwd)/$MB/fairtrain"
# CI runs as root; one thread per rank (2 cores, up to 4 ranks); shared
# memory without the cross-memory-attach that containers refuse
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
mpi() { _np=$1; shift; mpirun -q --oversubscribe -np "$_np" "$FTM" "$@"; }
same() {
	_a=$1 _b=$2
	shift 2
	$PY tests/cli/h5same.py "$_a" "$_b" --skip command_line --skip created_utc "$@"
}

# A distributed run that exits 0 with a model file equal to REF.
# check_same NAME REF NP ARGS... (ARGS end with --out FILE)
check_same() {
	_n=$1 _ref=$2 _np=$3
	shift 3
	eval "_out=\${$#}"
	if ! mpi "$_np" "$@" >"$TMP/out" 2>"$TMP/err"; then
		fail "$_n" "np $_np exit $?: $(grep -v '^$' "$TMP/err" | head -n 3)"
	elif ! same "$_ref" "$_out" >"$TMP/diff"; then
		fail "$_n" "np $_np: $(head -n 5 "$TMP/diff" | tr '\n' ' ')"
	else
		pass "$_n"
	fi
	rm -f "$_out"
}

METHODS="logreg reweigh prejudice prejudice:per_group=0 reg-dp reg-eo reg-eop reg-cov
cov-fair cov-acc mistreat eg eg:eo eg:constraint=bgl grid grid:constraint=bgl adversarial
gerryfair meta threshold threshold:eo cal-eo reject-option dp-logreg:seed=3 dp-reweigh:seed=3
dp-threshold:seed=3 dp-eg:seed=3 dir corr-remove lfr:restarts=1,max_iter=60
optim-pre:col1=1,col2=2,epsilon=0.2,d1=0.3,d2=0.2"
# every registry row of the classification task is in the list (adversarial,
# gerryfair, meta and the feature transforms fit every rank's rows
# gathered: ft_run_fit)
for m in $("$FT" train --help | awk '/^Methods/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	case " $(echo $METHODS | tr '\n' ' ') " in
	*" $m "*|*" $m:"*) ;;
	*) fail "mpi_method_list" "method $m has no MPI test"; ;;
	esac
done
MEAS="--bootstrap 20 --permutations 20 --quiet"

# every_method NAME ARGS...: each method in one process, then on 1 to 4
# ranks, the same model file
every_method() {
	_set=$1
	shift
	for m in $METHODS; do
		f=$(echo "$m" | tr ':=,' '___')
		if ! "$FT" train "$@" --method "$m" --out "$TMP/ref.h5" >/dev/null 2>"$TMP/err"; then
			fail "mpi_${_set}_$f" "single process: $(head -n 1 "$TMP/err")"
			continue
		fi
		for np in 1 2 3 4; do
			check_same "mpi_${_set}_${f}_np$np" "$TMP/ref.h5" $np train "$@" \
				--method "$m" --out "$TMP/m.h5"
		done
	done
}

# -------------------------------------------------------- every method
if have_data; then
	A="$DATA/adult"
	ADULT="--data $A/adult.data --names $ADULT_NAMES --target income --positive >50K
	       --label-strip . --sensitive sex --privileged Male --drop fnlwgt $MEAS"
	every_method adult $ADULT
	# weights that are not whole numbers: sums whose order shows in the bits
	for m in logreg reweigh eg threshold; do
		W="--data $A/adult.data --names $ADULT_NAMES --target income --positive >50K
		   --label-strip . --sensitive sex --privileged Male --weight fnlwgt $MEAS"
		"$FT" train $W --method "$m" --out "$TMP/ref.h5" >/dev/null 2>&1
		check_same "mpi_adult_weighted_${m}_np3" "$TMP/ref.h5" 3 train $W --method "$m" \
			--out "$TMP/m.h5"
	done
else
	skip mpi_adult "no data sets"
fi

# A synthetic set of 20011 rows: 15008 training rows make 7 chunks, 5003
# test rows 2, over 2, 3 and 4 ranks unevenly (and a rank without test rows).
"$FT" synth --rows 20011 --seed 5 --out "$TMP/syn.csv" >/dev/null
SYN="--data $TMP/syn.csv --target hired --positive yes --sensitive gender --privileged male
     --split 0.25 --seed 7 $MEAS"
every_method synth $SYN
# a comparison with a gathered method: the same results.h5 as one process
"$FT" compare --data "$TMP/syn.csv" --target hired --positive yes --sensitive gender \
	--folds 2 --methods "eg gerryfair meta" --out "$TMP/gc1" >/dev/null 2>&1
mpi 3 compare --data "$TMP/syn.csv" --target hired --positive yes --sensitive gender \
	--folds 2 --methods "eg gerryfair meta" --out "$TMP/gc3" >/dev/null 2>&1
if same "$TMP/gc1/results.h5" "$TMP/gc3/results.h5" --skip runs/seconds \
	--skip settings/seconds_mean >"$TMP/diff" 2>&1; then
	pass mpi_compare_gathered_np3
else
	fail mpi_compare_gathered_np3 "$(head -n 3 "$TMP/diff" | tr '\n' ' ')"
fi
# not yet distributed: the kept columns of predict, the private release
"$FT" train $SYN --out "$TMP/lr.h5" >/dev/null 2>&1
expect_error mpi_keep_refused 1 "keep: not available in a distributed run" "$TMP/k.csv" -- \
	mpi 2 predict --model "$TMP/lr.h5" --data "$TMP/syn.csv" --keep gender --out "$TMP/k.csv"
expect_error mpi_dp_release_refused 1 "private release of the tables \(--dp-epsilon\) is not available in a distributed run" \
	"$TMP/dp.h5" -- mpi 2 train $SYN --dp-epsilon 1 --dp-seed 3 --out "$TMP/dp.h5"

# ------------------------------------------------------------ shards
# The synthetic set as one file, as three files (each with the header),
# as byte ranges of the one file: one model.
head -n 1 "$TMP/syn.csv" >"$TMP/h"
tail -n +2 "$TMP/syn.csv" | split -l 7000 -d -a 1 - "$TMP/body-"
for k in 0 1 2; do cat "$TMP/h" "$TMP/body-$k" >"$TMP/part-$k.csv"; done
P3="--target hired --positive yes --sensitive gender --privileged male --split 0.25 --seed 7 $MEAS"
"$FT" train --data "$TMP/syn.csv" $P3 --method eg --out "$TMP/one.h5" >/dev/null 2>&1
check_3() {
	# the inputs (provenance) name the files read
	if "$@" >"$TMP/out" 2>"$TMP/err" && same "$TMP/one.h5" "$TMP/s.h5" --skip inputs \
		>"$TMP/diff"; then
		pass "$_n"
	else
		fail "$_n" "$(head -n 3 "$TMP/err" "$TMP/diff" | tr '\n' ' ')"
	fi
	rm -f "$TMP/s.h5"
}
_n=mpi_shards_three_files_one_process
check_3 "$FT" train --data "$TMP/part-*.csv" $P3 --method eg --out "$TMP/s.h5"
_n=mpi_shards_repeated_data
check_3 "$FT" train --data "$TMP/part-0.csv" --data "$TMP/part-1.csv" --data "$TMP/part-2.csv" \
	$P3 --method eg --out "$TMP/s.h5"
for np in 2 3 4; do
	_n=mpi_shards_byte_ranges_np$np
	check_3 mpi $np train --data "$TMP/syn.csv" $P3 --method eg --out "$TMP/s.h5"
	_n=mpi_shards_three_files_np$np
	check_3 mpi $np train --data "$TMP/part-*.csv" $P3 --method eg --out "$TMP/s.h5"
done
# each file names itself in the model file's provenance
"$FT" train --data "$TMP/part-*.csv" $P3 --out "$TMP/p3.h5" >/dev/null 2>&1
if $PY - "$TMP/p3.h5" <<'PYEOF'; then pass mpi_shards_provenance; else fail mpi_shards_provenance "inputs/path"; fi
import sys, h5py
f = h5py.File(sys.argv[1], "r")
p = [x.decode() if isinstance(x, bytes) else x for x in f["inputs/path"][()]]
s = [x.decode() if isinstance(x, bytes) else x for x in f["inputs/sha256"][()]]
sys.exit(0 if [q.rsplit("/", 1)[-1] for q in p] == ["part-0.csv", "part-1.csv", "part-2.csv"]
         and all(len(h) == 64 for h in s) else 1)
PYEOF

# ------------------------------------------------------------ errors
# A malformed row in the last shard (read by the last rank): one message
# naming that file and line, exit 1 on every rank, no model file.
cp "$TMP/part-2.csv" "$TMP/bad-2.csv"
sed -i '18s/,[^,]*$//' "$TMP/bad-2.csv"
cp "$TMP/part-0.csv" "$TMP/bad-0.csv"
cp "$TMP/part-1.csv" "$TMP/bad-1.csv"
rm -f "$TMP/codes"
mpirun -q --oversubscribe -np 3 sh -c '"$0" train --data "$1/bad-*.csv" --target hired \
	--positive yes --sensitive gender --out "$1/bad.h5" 2>>"$1/bad.err"; echo "exit $?" >>"$1/codes"' \
	"$FTM" "$TMP" >/dev/null 2>&1
msg=$(cat "$TMP/bad.err" 2>/dev/null)
if [ "$(grep -c '^exit 1$' "$TMP/codes" 2>/dev/null)" != 3 ]; then
	fail mpi_error_every_rank "exit codes: $(tr '\n' ' ' <"$TMP/codes")"
elif [ "$(printf '%s\n' "$msg" | grep -c .)" != 1 ]; then
	fail mpi_error_every_rank "expected one message, got: $msg"
elif ! printf '%s\n' "$msg" | grep -Eq '^fairtrain: .*bad-2\.csv:18: expected 9 fields, found 8$'; then
	fail mpi_error_every_rank "message: $msg"
elif [ -e "$TMP/bad.h5" ] || ls "$TMP" | grep -q '\.tmp\.'; then
	fail mpi_error_every_rank "a file was left behind"
else
	pass mpi_error_every_rank
fi
# the same row in byte ranges of one file: the message names the file's line
cat "$TMP/h" "$TMP/body-0" "$TMP/body-1" >"$TMP/whole.csv"
tail -n +2 "$TMP/bad-2.csv" >>"$TMP/whole.csv"
expect_error mpi_error_byte_range 1 "whole\.csv:14018: expected 9 fields, found 8$" \
	"$TMP/w.h5" -- mpi 4 train --data "$TMP/whole.csv" --target hired --positive yes \
	--sensitive gender --out "$TMP/w.h5"

# ------------------------------------------------- eval, predict, audit
# A saved model on new sharded data: the report and the predictions of 2
# and 3 ranks are those of one process, byte for byte.
"$FT" train --data "$TMP/part-0.csv" $P3 --method eg --out "$TMP/eg.h5" >/dev/null 2>&1
"$FT" eval --model "$TMP/eg.h5" --data "$TMP/syn.csv" --report "$TMP/ev1.json" \
	--bootstrap 20 --permutations 20 >"$TMP/ev1.out" 2>&1
"$FT" predict --model "$TMP/eg.h5" --data "$TMP/syn.csv" --out "$TMP/pr1.csv" 2>/dev/null
awk -F, 'NR == 1 { print "gender,y,p,w"; next }
	{ printf "%s,%s,%.4f,%.3f\n", $1, ($9 == "yes"), $6 / 10, 0.5 + (NR % 7) / 3 }' \
	"$TMP/syn.csv" >"$TMP/aud.csv"
AUD="--label y --score p --sensitive gender --privileged male --weight w --bootstrap 20 --permutations 20"
"$FT" audit --data "$TMP/aud.csv" $AUD --report "$TMP/au1.json" >"$TMP/au1.out" 2>&1
for np in 2 3; do
	mpi $np eval --model "$TMP/eg.h5" --data "$TMP/part-*.csv" --report "$TMP/evm.json" \
		--bootstrap 20 --permutations 20 >/dev/null 2>&1
	# the per-file sources name other files: compare the tables only
	if cmp -s "$TMP/ev1.json" "$TMP/evm.json"; then pass "mpi_eval_np$np"
	else fail "mpi_eval_np$np" "report differs"; fi
	mpi $np predict --model "$TMP/eg.h5" --data "$TMP/syn.csv" --out "$TMP/prm.csv" 2>/dev/null
	if cmp -s "$TMP/pr1.csv" "$TMP/prm.csv"; then pass "mpi_predict_np$np"
	else fail "mpi_predict_np$np" "predictions differ"; fi
	mpi $np audit --data "$TMP/aud.csv" $AUD --report "$TMP/aum.json" >"$TMP/aum.out" 2>&1
	if cmp -s "$TMP/au1.json" "$TMP/aum.json" && cmp -s "$TMP/au1.out" "$TMP/aum.out"; then
		pass "mpi_audit_np$np"
	else
		fail "mpi_audit_np$np" "report or table differs"
	fi
done

# ------------------------------------------------------------- compare
# Folds decided per row: the results of 3 ranks (three files) are those
# of one process (one file), timings and inputs aside.
CMP="--target hired --positive yes --sensitive gender --privileged male --folds 3 --seed 1
     --quiet --force"
M="baseline reweigh prejudice:eta=5 eg:dp:eps=0.05 threshold:eo"
"$FT" compare --data "$TMP/syn.csv" $CMP --methods "$M" --out "$TMP/c1" >/dev/null 2>&1
mpi 3 compare --data "$TMP/part-*.csv" $CMP --methods "$M" --out "$TMP/c3" >/dev/null 2>&1
if same "$TMP/c1/results.h5" "$TMP/c3/results.h5" --skip inputs --skip runs/seconds \
	--skip settings/seconds_mean >"$TMP/diff" && cmp -s "$TMP/c1/results.csv" "$TMP/c3/results.csv"; then
	pass mpi_compare_np3
else
	fail mpi_compare_np3 "$(head -n 3 "$TMP/diff")"
fi

# ------------------------------------------------------------- ranking
# Queries of 3 to 30 rows, rows of a few queries interleaved in the file:
# byte ranges cut through queries, which the ranks then hold whole.
$PY - "$TMP/rank.csv" <<'PYEOF'
import random, sys
random.seed(3)
rows = []
for q in range(700):
    for i in range(random.randint(3, 30)):
        g = random.random() < 0.4
        a, b = random.gauss(-0.7 * g, 1), random.gauss(0, 1)
        rel = max(0, min(3, round(1 + 0.9 * a + 0.3 * b + random.gauss(0, 0.5))))
        rows.append(("q%d" % q, rel, "women" if g else "men", a, b, random.random(),
                     random.choice("xyz")))
random.shuffle(rows)
rows.sort(key=lambda r: int(r[0][1:]) // 3)
with open(sys.argv[1], "w") as f:
    f.write("qid,rel,gender,a,b,c,cat\n")
    for r in rows:
        f.write("%s,%d,%s,%.5f,%.5f,%.5f,%s\n" % r)
PYEOF
R="--task rank --data $TMP/rank.csv --query qid --relevance rel --sensitive gender
   --protected women --split 0.3 --seed 2 --quiet"
for m in listnet ranknet lambdaloss deltr:gamma=1 deltr:gamma=1,reference=1,iterations=200 \
	pair-reg:lambda=1 pair-con:c=0.05 "listnet --rerank fair:p=0.4" \
	"listnet --rerank det_greedy:p=0.4,k=10" "listnet --rerank det_cons:p=0.4" \
	"listnet --rerank det_relaxed:p=0.4" "listnet --rerank det_const_sort:p=0.4" \
	"listnet --rerank mfair:p=0.4/0.6" "listnet --rerank exposure:k=8" \
	"listnet --rerank eopp-rank:n_quantiles=200" \
	deltr:target_ratio=0.9 "listnet --at 3,5 --ties random --tie-seed 4"; do
	f=$(echo "$m" | tr ':=, ' '____' | sed 's/--rerank_//')
	if ! "$FT" train $R --method $m --out "$TMP/ref.h5" >/dev/null 2>"$TMP/err"; then
		fail "mpi_rank_$f" "single process: $(head -n 1 "$TMP/err")"
		continue
	fi
	for np in 2 4; do
		check_same "mpi_rank_${f}_np$np" "$TMP/ref.h5" $np train $R --method $m \
			--out "$TMP/m.h5"
	done
done
"$FT" train $R --method deltr:gamma=1 --rerank fair:p=0.4 --out "$TMP/rk.h5" >/dev/null 2>&1
"$FT" predict --model "$TMP/rk.h5" --data "$TMP/rank.csv" --out "$TMP/rp1.csv" 2>/dev/null
"$FT" eval --model "$TMP/rk.h5" --data "$TMP/rank.csv" --report "$TMP/re1.json" >/dev/null 2>&1
mpi 3 predict --model "$TMP/rk.h5" --data "$TMP/rank.csv" --out "$TMP/rp3.csv" 2>/dev/null
mpi 3 eval --model "$TMP/rk.h5" --data "$TMP/rank.csv" --report "$TMP/re3.json" >/dev/null 2>&1
if cmp -s "$TMP/rp1.csv" "$TMP/rp3.csv" && cmp -s "$TMP/re1.json" "$TMP/re3.json"; then
	pass mpi_rank_predict_eval_np3
else
	fail mpi_rank_predict_eval_np3 "predictions or report differ"
fi
# a comparison of rankers: every rank runs it whole, rank 0 writes the
# single-process results
RC="--task rank --data $TMP/rank.csv --query qid --relevance rel --sensitive gender
    --protected women --folds 2 --quiet"
# shellcheck disable=SC2086
"$FT" compare $RC --methods "deltr:gamma=1,10 det_greedy" --out "$TMP/rc1" >/dev/null 2>&1
# shellcheck disable=SC2086
mpi 3 compare $RC --methods "deltr:gamma=1,10 det_greedy" --out "$TMP/rc3" >/dev/null 2>&1
if same "$TMP/rc1/results.h5" "$TMP/rc3/results.h5" --skip runs/seconds \
	--skip settings/seconds_mean >"$TMP/diff" 2>&1 &&
	cmp -s "$TMP/rc1/results.csv" "$TMP/rc3/results.csv"; then
	pass mpi_rank_compare_np3
else
	fail mpi_rank_compare_np3 "$(head -n 3 "$TMP/diff" | tr '\n' ' ')"
fi
