# Each name is stored once in a model file (issue 12 item 8): a 5 MB cell
# of a categorical feature column was stored four times (the column's
# categories, /preprocessing/feature_names and the copies in /model and
# /baseline: a 20 MB model); format 4 keeps one copy, so the model is the
# cell plus a few hundred KB.  The model predicts what its encoder says,
# and inspect and eval read it.
. tests/cli/lib.sh

$PY - "$TMP/big.csv" <<'PYEOF'
import random, sys
random.seed(3)
big = "x" * 5000000
with open(sys.argv[1], "w") as f:
    f.write("g,age,c,y\n")
    for i in range(200):
        c = big if i == 0 else "c%d" % (i % 3)
        f.write("%s,%d,%s,%s\n" % ("mf"[i % 2], random.randint(18, 70), c,
                                   "yes" if random.random() < 0.5 else "no"))
PYEOF
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
