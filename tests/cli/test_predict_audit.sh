# predict --keep carries input columns through, so that its output goes on
# to `fairtrain audit` (issue 14 item 5: predict wrote id,score,label,target
# only and audit --sensitive found no column).  The audit of the kept file
# must measure exactly what eval measures on the same rows.
. tests/cli/lib.sh

"$FT" synth --rows 800 --seed 2 --out "$TMP/s.csv" >/dev/null
T="--target hired --positive yes --sensitive gender --bootstrap 0 --permutations 0"
"$FT" train --quiet --data "$TMP/s.csv" $T --method reg-dp:lambda=5 --out "$TMP/m.h5"
check predict_keep "$FT" predict --quiet --model "$TMP/m.h5" --data "$TMP/s.csv" --keep gender,hobby \
	--out "$TMP/p.csv"
head -1 "$TMP/p.csv" | grep -q "^id,gender,hobby,score,label,target$" && pass predict_keep_header ||
	fail predict_keep_header "$(head -1 "$TMP/p.csv")"
# the kept values are the input's, row by row (id is the line number)
$PY - "$TMP/s.csv" "$TMP/p.csv" <<'PYEOF' && pass predict_keep_values || fail predict_keep_values "see above"
import csv, sys
src = list(csv.reader(open(sys.argv[1])))
hdr = src[0]
for r in csv.DictReader(open(sys.argv[2])):
    row = src[int(r["id"]) - 1]
    assert r["gender"] == row[hdr.index("gender")] and r["hobby"] == row[hdr.index("hobby")], r
PYEOF
check audit_of_predictions "$FT" audit --quiet --data "$TMP/p.csv" --label target --score score \
	--sensitive gender --bootstrap 0 --permutations 0 --report "$TMP/audit.csv"
"$FT" eval --quiet --model "$TMP/m.h5" --data "$TMP/s.csv" --bootstrap 0 --permutations 0 \
	--report "$TMP/eval.csv"
$PY - "$TMP/audit.csv" "$TMP/eval.csv" <<'PYEOF' && pass audit_equals_eval || fail audit_equals_eval "see above"
import csv, sys
a = {(r["metric"], r["group"], r["convention"]): r["value"] for r in csv.DictReader(open(sys.argv[1]))}
e = {(r["metric"], r["group"], r["convention"]): r["value"] for r in csv.DictReader(open(sys.argv[2]))
     if r["model"] == "mitigated"}
keys = [k for k in a if k[0] in ("accuracy", "selection_rate", "tpr", "fpr",
                                 "demographic_parity_difference", "equalized_odds_difference")]
assert len(keys) >= 8, keys
for k in keys:
    assert abs(float(a[k]) - float(e[k])) < 1e-12, (k, a[k], e[k])
PYEOF
expect_error err_keep_unknown 1 "s.csv: no column 'nope' to keep" "$TMP/x.csv" -- \
	"$FT" predict --model "$TMP/m.h5" --data "$TMP/s.csv" --keep gender,nope --out "$TMP/x.csv"
expect_error err_keep_ours 1 "keep: 'score' is a column of the predictions already" "$TMP/x.csv" -- \
	"$FT" predict --model "$TMP/m.h5" --data "$TMP/s.csv" --keep score --out "$TMP/x.csv"
