# Each name is stored once in a model file (issue 12 item 8): a 5 MB cell
# of a categorical feature column was stored four times (the column's
# categories, /preprocessing/feature_names and the copies in /model and
# /baseline: a 20 MB model); format 4 keeps one copy, so the model is the
# cell plus a few hundred KB.  The model predicts what its encoder says,
# and inspect and eval read it.  compare's results.h5 stores the names
# once per fold.
. tests/cli/lib.sh

# big_cell FILE ROWS BYTES SEED: a CSV g,age,c,y whose first row's c is
# BYTES x's and the others' c0..c2
big_cell() {
	$PY - "$@" <<'PYEOF'
import random, sys
path, rows, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(seed)
big = "x" * size
with open(path, "w") as f:
    f.write("g,age,c,y\n")
    for i in range(rows):
        c = big if i == 0 else "c%d" % (i % 3)
        f.write("%s,%d,%s,%s\n" % ("mf"[i % 2], random.randint(18, 70), c,
                                   "yes" if random.random() < 0.5 else "no"))
PYEOF
}

big_cell "$TMP/big.csv" 200 5000000 3
# --split 0: every row trains, the cell's row too
T="--target y --positive yes --sensitive g --bootstrap 0 --permutations 0 --split 0"
if "$FT" train --quiet --data "$TMP/big.csv" $T --out "$TMP/big.h5" 2>"$TMP/err"; then
	size=$(wc -c <"$TMP/big.h5" | tr -d ' ')
	# one copy: 5,000,000 bytes of the cell, under 5,500,000 in all (four
	# copies made 20,077,624 before format 4)
	[ "$size" -gt 5000000 ] && [ "$size" -lt 5500000 ] &&
		pass "names_once_size" || fail "names_once_size" "$size bytes for one 5 MB cell"
	"$FT" predict --quiet --model "$TMP/big.h5" --data "$TMP/big.csv" --out "$TMP/p.csv" 2>"$TMP/err" &&
	[ "$(wc -l <"$TMP/p.csv")" -eq 201 ] && "$FT" inspect "$TMP/big.h5" >/dev/null 2>>"$TMP/err" &&
	"$FT" eval --quiet --model "$TMP/big.h5" --data "$TMP/big.csv" --report "$TMP/ev.csv" 2>>"$TMP/err" &&
		pass "names_once_reads" || fail "names_once_reads" "$(head -2 "$TMP/err")"
	# the cell's row gets the cell's feature: its score differs from a row
	# whose cell is unseen (scored with no category)
	sed '2s/,x*,/,unseen,/' "$TMP/big.csv" >"$TMP/unseen.csv"
	"$FT" predict --quiet --model "$TMP/big.h5" --data "$TMP/unseen.csv" --out "$TMP/u.csv" 2>/dev/null
	a=$(sed -n 2p "$TMP/p.csv" | cut -d, -f2) b=$(sed -n 2p "$TMP/u.csv" | cut -d, -f2)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] &&
		pass "names_once_category" || fail "names_once_category" "score $a vs unseen $b"
else
	fail "names_once_size" "$(head -2 "$TMP/err")"
fi

# results.h5 of compare: the runs of one fold share their encoder's feature
# names, stored once per fold (a 1 MB cell, 3 settings x 2 folds: 3.33 MB
# when every run kept its own copy), and h5py reads each run's list
big_cell "$TMP/cbig.csv" 300 1000000 1
if "$FT" compare --quiet --data "$TMP/cbig.csv" --target y --positive yes --sensitive g \
	--methods "baseline reweigh threshold:dp" --folds 2 --bootstrap 0 --out "$TMP/cb" >/dev/null 2>"$TMP/err"; then
	size=$(wc -c <"$TMP/cb/results.h5" | tr -d ' ')
	[ "$size" -gt 1000000 ] && [ "$size" -lt 1600000 ] &&
		pass "names_once_results_size" || fail "names_once_results_size" "$size bytes for one 1 MB cell"
	$PY - "$TMP/cb/results.h5" <<'PYEOF' && pass names_once_results_h5py || fail names_once_results_h5py "see above"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
by_fold = {}
for k in sorted(f["models"]):
    d = f["models/%s/model/feature_names" % k]
    names = list(d.asstr()[()])
    by_fold.setdefault(int(f["models/" + k].attrs["fold"]), []).append(
        (h5py.h5o.get_info(d.id).addr, names))
assert len(by_fold) == 2, by_fold.keys()
for fold, runs in by_fold.items():
    assert len(runs) == 3 and len({a for a, _ in runs}) == 1, fold
    assert all(n == runs[0][1] for _, n in runs), fold
assert any(len(n) == 1000002 for runs in by_fold.values() for _, ns in runs for n in ns)
PYEOF
else
	fail "names_once_results_size" "$(head -2 "$TMP/err")"
fi

# A group name is stored in every row of /comparison and printed in every
# table: a sensitive value of 1 MB made a 65 MB model.  Values over 1024
# bytes are refused naming the line (the 40th row here); 1024 are fine.
for n in 1024 1025; do
	$PY - "$TMP/g$n.csv" "$n" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("g,a,y\n")
    for i in range(40):
        g = "m" if i < 20 else "f" if i < 39 else "G" * int(sys.argv[2])
        f.write("%s,%d,%s\n" % (g, i, "yes" if i % 2 else "no"))
PYEOF
done
G="--target y --positive yes --sensitive g --split 0 --bootstrap 0 --permutations 0"
# shellcheck disable=SC2086
check names_once_group_1024 "$FT" train --quiet --data "$TMP/g1024.csv" $G --out "$TMP/g1024.h5"
# shellcheck disable=SC2086
expect_error names_once_group_1025 1 "^fairtrain: .*g1025.csv:41: sensitive column 'g': a value of 1025 bytes; a group name is at most 1024 \(is this the sensitive column\?\)$" "$TMP/g1025.h5" -- \
	"$FT" train --data "$TMP/g1025.csv" $G --out "$TMP/g1025.h5"
