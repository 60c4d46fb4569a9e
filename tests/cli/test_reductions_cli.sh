# Reductions (eg, grid) and threshold post-processing (threshold, cal-eo,
# reject-option) from the CLI on the three classification data sets, with
# every constraint: each trains, saves
# its full state, reloads, and predicts what train measured (the mean
# P(yhat = 1) per group of predict's output equals the model file's test
# selection rates), and the same twice.
. tests/cli/lib.sh

Q="--quiet --bootstrap 0 --permutations 0"

# verify MODEL PRED NAME: predict's p_positive (or label) per group against
# the model file's mitigated test selection rates, and the stored parts
verify() {
	$PY - "$1" "$2" "$4" <<'PYEOF' && pass "$3" || fail "$3" "see above"
import csv, sys, h5py
model, pred, gcol = sys.argv[1], sys.argv[2], sys.argv[3]
f = h5py.File(model, "r")
meth = f["training"].attrs["method"]
assert meth in ("eg", "grid", "threshold", "cal-eo", "reject-option"), meth
assert int(f.attrs["format_version"]) == 3
kind = f["model"].attrs["kind"]
if meth == "eg":
    assert kind == "mixture" and "mixture" in f["model"]
    w = f["model/mixture/weight"][()]
    assert abs(w.sum() - 1) < 1e-9 and (w > 0).all()
    assert f["model/mixture/coef"].shape == (len(w), f["model/coef"].shape[0])
elif meth == "grid":
    assert kind == "frontier"
    assert f["model/frontier/error"].shape[0] == f["model/frontier/coef"].shape[0]
else:
    assert kind == "thresholds"
    assert f["model/thresholds/t0"].shape[0] == len(f["preprocessing/group_names"])
# the method's choice parameters by name as well as by index
tr = f["training"]
pc = dict(zip(tr["param_names"].asstr()[()], tr["param_choices"].asstr()[()]))
key, allowed = {"cal-eo": ("cost", ("fnr", "fpr", "weighted")),
                "reject-option": ("metric", ("spd", "aod", "eod"))}.get(
    meth, ("constraint", ("dp", "eo", "tpr", "fpr", "erp")))
assert pc[key] in allowed, pc
names = list(f["preprocessing/group_names"].asstr()[()])
cmp = f["comparison"]
rows = zip(cmp["metric"].asstr()[()], cmp["model"].asstr()[()], cmp["split"].asstr()[()],
           cmp["group"].asstr()[()], cmp["value"][()])
want = {g: v for m, mo, s, g, v in rows if m == "selection_rate" and mo == "mitigated" and s == "test"}
rd = list(csv.DictReader(open(pred)))
col = "p_positive" if "p_positive" in rd[0] else "label"
got = {}
import collections
acc = collections.defaultdict(lambda: [0.0, 0])
for r in rd:
    acc[r[gcol]][0] += float(r[col]); acc[r[gcol]][1] += 1
for g, (s, n) in acc.items():
    assert abs(s / n - want[g]) < 1e-9, (g, s / n, want[g])
print("  %s: test selection rates %s" % (meth, {g: round(s / n, 4) for g, (s, n) in acc.items()}), file=sys.stderr)
PYEOF
}

# predict output has no group column: paste it from the data (same rows)
run_set() {
	# $1 tag, $2 data args, $3 test file, $4 sensitive column, $5.. specs
	tag=$1 args=$2 test=$3 gcol=$4
	shift 4
	for spec in "$@"; do
		name=${tag}_$(echo "$spec" | tr ':=,' '___')
		if ! "$FT" train $Q $args --method "$spec" --out "$TMP/$name.h5" 2>"$TMP/err"; then
			fail "train_$name" "$(head -2 "$TMP/err")"
			continue
		fi
		"$FT" predict --quiet --model "$TMP/$name.h5" --data "$test" --out "$TMP/$name.p1" &&
		"$FT" predict --quiet --model "$TMP/$name.h5" --data "$test" --out "$TMP/$name.p2" ||
			{ fail "predict_$name" "predict failed"; continue; }
		cmp -s "$TMP/$name.p1" "$TMP/$name.p2" || fail "predict_twice_$name" "differs"
		$PY - "$test" "$TMP/$name.p1" "$gcol" "$TMP/$name.pg" <<'PYEOF'
import csv, sys
src, pred, gcol, out = sys.argv[1:]
# the data rows by line number (predict's id)
lines = open(src).read().splitlines()
hdr = next(csv.reader([lines[0]]))
gi = hdr.index(gcol)
rd = list(csv.DictReader(open(pred)))
w = csv.DictWriter(open(out, "w", newline=""), fieldnames=list(rd[0].keys()) + [gcol])
w.writeheader()
for r in rd:
    row = next(csv.reader([lines[int(r["id"]) - 1]]))
    r[gcol] = row[gi].strip()
    w.writerow(r)
PYEOF
		verify "$TMP/$name.h5" "$TMP/$name.pg" "state_$name" "$gcol"
	done
}

SPECS="eg:dp eg:eo eg:tpr eg:fpr eg:erp grid:dp grid:eo grid:tpr grid:fpr grid:erp threshold:dp threshold:eo threshold:tpr threshold:fpr"
POST="cal-eo cal-eo:fnr cal-eo:fpr reject-option reject-option:aod reject-option:eod"

if ! have_data; then
	skip reductions_real "no data in $DATA (scripts/fetch-datasets.sh gets it)"
else
	# Adult: a header line is added so that predict's rows carry names
	{ echo "$ADULT_NAMES"; grep -v '^$' "$DATA/adult/adult.data"; } >"$TMP/adult.csv"
	{ echo "$ADULT_NAMES"; tail -n +2 "$DATA/adult/adult.test" | grep -v '^$' | sed 's/\.$//'; } >"$TMP/adult_test.csv"
	# rows with '?' are dropped by training; predict needs complete rows
	grep -v '?' "$TMP/adult_test.csv" >"$TMP/adult_test_c.csv"
	A="--data $TMP/adult.csv --test $TMP/adult_test_c.csv --target income --positive >50K --sensitive sex --privileged Male --drop fnlwgt"
	run_set adult "$A" "$TMP/adult_test_c.csv" sex $SPECS $POST
	# German credit: space separated, no header; column 9 (personal status
	# and sex, A91..A94) as a four-group sensitive attribute
	GN=checking,duration,history,purpose,amount,savings,employment,rate,personal,debtors,residence,property,age,plans,housing,credits,job,dependents,telephone,foreign,class
	{ echo "$GN"; tr -s ' ' ',' <"$DATA/german/german.data" | sed 's/,$//'; } >"$TMP/german.csv"
	head -701 "$TMP/german.csv" >"$TMP/g_train.csv"
	{ head -1 "$TMP/german.csv"; tail -n +702 "$TMP/german.csv"; } >"$TMP/g_test.csv"
	G="--data $TMP/g_train.csv --test $TMP/g_test.csv --target class --positive 1 --sensitive personal --categorical rate,residence,credits,dependents"
	run_set german "$G" "$TMP/g_test.csv" personal $SPECS
	# AIF360's post-processors need a privileged group (A93: single men)
	run_set german "$G --privileged A93" "$TMP/g_test.csv" personal $POST
	# COMPAS: ProPublica's filter, written out so that predict sees the same rows
	C="$DATA/compas/compas-scores-two-years.csv"
	$PY - "$C" "$TMP/compas.csv" <<'PYEOF'
import csv, sys
rd = csv.reader(open(sys.argv[1], newline=""))
hdr = next(rd)
keep = ["age_cat", "sex", "priors_count", "c_charge_degree", "race", "two_year_recid"]
ix = {h: hdr.index(h) for h in keep + ["days_b_screening_arrest", "is_recid", "score_text"]}
w = csv.writer(open(sys.argv[2], "w", newline=""))
w.writerow(keep)
for r in rd:
    d = r[ix["days_b_screening_arrest"]]
    if d == "" or abs(float(d)) > 30 or r[ix["is_recid"]] == "-1" or r[ix["c_charge_degree"]] == "O" \
       or r[ix["score_text"]] == "N/A" or r[ix["race"]] not in ("African-American", "Caucasian"):
        continue
    w.writerow([r[ix[k]] for k in keep])
PYEOF
	head -3701 "$TMP/compas.csv" >"$TMP/c_train.csv"
	{ head -1 "$TMP/compas.csv"; tail -n +3702 "$TMP/compas.csv"; } >"$TMP/c_test.csv"
	CO="--data $TMP/c_train.csv --test $TMP/c_test.csv --target two_year_recid --positive 0 --sensitive race --privileged Caucasian --categorical age_cat,sex,c_charge_degree"
	run_set compas "$CO" "$TMP/c_test.csv" race $SPECS $POST
fi

# Group thresholds need the sensitive column at prediction time, and say so;
# --deterministic applies to mixtures only.
"$FT" synth --rows 2000 --seed 3 --out "$TMP/h.csv" >/dev/null
S="--target hired --positive yes --sensitive gender --split 0.3 --seed 2"
"$FT" train $Q --data "$TMP/h.csv" $S --method threshold:eo --out "$TMP/thr.h5" 2>/dev/null
"$FT" train $Q --data "$TMP/h.csv" $S --method eg:dp:eps=0.05 --out "$TMP/eg.h5" 2>/dev/null
cut -d, -f2- "$TMP/h.csv" >"$TMP/nog.csv"
expect_error err_threshold_needs_sensitive 1 "nog.csv: this model \(threshold\) uses group-specific thresholds: the data needs the sensitive column gender" "$TMP/p.csv" -- \
	"$FT" predict --model "$TMP/thr.h5" --data "$TMP/nog.csv" --out "$TMP/p.csv"
"$FT" train $Q --data "$TMP/h.csv" $S --privileged male --method cal-eo --out "$TMP/ce.h5" 2>/dev/null
expect_error err_caleo_needs_sensitive 1 "nog.csv: this model \(cal-eo\) uses group-specific thresholds: the data needs the sensitive column gender" "$TMP/p.csv" -- \
	"$FT" predict --model "$TMP/ce.h5" --data "$TMP/nog.csv" --out "$TMP/p.csv"
expect_error err_caleo_needs_privileged 1 "cal-eo: needs a privileged group" "$TMP/p.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $S --method cal-eo --out "$TMP/p.h5"
expect_error err_roc_bad_range 1 "reject-option: need 0 <= low < high <= 1" "$TMP/p.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $S --privileged male --method reject-option:low=0.9,high=0.1 --out "$TMP/p.h5"
expect_error err_deterministic_not_mixture 2 "--deterministic: .*thr.h5 holds no randomized mixture" "$TMP/p.csv" -- \
	"$FT" predict --model "$TMP/thr.h5" --data "$TMP/h.csv" --deterministic --out "$TMP/p.csv"
check predict_eg_deterministic "$FT" predict --model "$TMP/eg.h5" --data "$TMP/h.csv" --deterministic --out "$TMP/pd.csv"
if head -1 "$TMP/pd.csv" | grep -q p_positive; then fail predict_eg_deterministic_cols "p_positive in a deterministic prediction"; else pass predict_eg_deterministic_cols; fi
check predict_eg_seed "$FT" predict --model "$TMP/eg.h5" --data "$TMP/h.csv" --seed 7 --out "$TMP/ps.csv"
$PY - "$TMP/ps.csv" <<'PYEOF' && pass eg_labels_follow_p || fail eg_labels_follow_p "see above"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
p = [float(r["p_positive"]) for r in rows]; l = [int(r["label"]) for r in rows]
# labels are draws: never 1 where p = 0, never 0 where p = 1, and their mean near the mean p
assert all(not (pi == 0 and li == 1) and not (pi == 1 and li == 0) for pi, li in zip(p, l))
assert abs(sum(l) / len(l) - sum(p) / len(p)) < 0.03, (sum(l) / len(l), sum(p) / len(p))
PYEOF
