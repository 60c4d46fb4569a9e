# lib.sh - helpers for the CLI tests (sourced).  Each check prints one
# "PASS name" or "FAIL name: why" line for tests/run.sh to count.
BUILD=${FAIRTRAIN_BUILD:-build}
FT="$(pwd)/$BUILD/fairtrain"
DATA=${FAIRTRAIN_DATA:-datasets}
case "$DATA" in /*) ;; *) DATA="$(pwd)/$DATA" ;; esac
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
have_data() { [ -f "$DATA/adult/adult.data" ]; }

# expect_error NAME EXIT REGEX OUTFILE -- CMD...: CMD exits with EXIT, prints
# exactly one stderr line matching REGEX (usage errors may add a "Try" line),
# and leaves neither OUTFILE nor any temp file beside it.
expect_error() {
	_name=$1 _want=$2 _re=$3 _outf=$4
	shift 5
	"$@" >"$TMP/out" 2>"$TMP/err"
	_rc=$?
	_msg=$(head -n 1 "$TMP/err")
	_lines=$(grep -vc '^Try ' "$TMP/err")
	if [ "$_rc" -ne "$_want" ]; then
		fail "$_name" "exit $_rc, expected $_want (stderr: $_msg)"
	elif [ "$_lines" -ne 1 ]; then
		fail "$_name" "expected one error line, got $_lines: $(cat "$TMP/err")"
	elif ! printf '%s\n' "$_msg" | grep -Eq -- "$_re"; then
		fail "$_name" "message '$_msg' does not match /$_re/"
	elif [ -n "$_outf" ] && [ -e "$_outf" ]; then
		fail "$_name" "output $_outf was left behind"
	elif [ -n "$_outf" ] && ls "$(dirname "$_outf")" | grep -q '\.tmp\.'; then
		fail "$_name" "a temp file was left in $(dirname "$_outf")"
	else
		pass "$_name"
	fi
}

# check NAME CMD...: CMD must succeed.
check() {
	_name=$1; shift
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		pass "$_name"
	else
		fail "$_name" "exit $?: $(head -n 3 "$TMP/err")"
	fi
}

ADULT_NAMES=age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income

# cls_data_prep: the three classification data sets as CSV files with a
# header, split into training and test parts, for the method tests (run it
# only when have_data).  Sets CD_ADULT, CD_GERMAN, CD_COMPAS (train's data
# options) and CD_ADULT_TEST, CD_GERMAN_TEST, CD_COMPAS_TEST (test files).
cls_data_prep() {
	# Adult: a header line is added so that predict's rows carry names
	{ echo "$ADULT_NAMES"; grep -v '^$' "$DATA/adult/adult.data"; } >"$TMP/adult.csv"
	{ echo "$ADULT_NAMES"; tail -n +2 "$DATA/adult/adult.test" | grep -v '^$' | sed 's/\.$//'; } >"$TMP/adult_test.csv"
	# rows with '?' are dropped by training; predict needs complete rows
	grep -v '?' "$TMP/adult_test.csv" >"$TMP/adult_test_c.csv"
	CD_ADULT_TEST="$TMP/adult_test_c.csv"
	CD_ADULT="--data $TMP/adult.csv --test $CD_ADULT_TEST --target income --positive >50K --sensitive sex --privileged Male --drop fnlwgt"
	# German credit: space separated, no header; column 9 (personal status
	# and sex, A91..A94) as a four-group sensitive attribute
	GN=checking,duration,history,purpose,amount,savings,employment,rate,personal,debtors,residence,property,age,plans,housing,credits,job,dependents,telephone,foreign,class
	{ echo "$GN"; tr -s ' ' ',' <"$DATA/german/german.data" | sed 's/,$//'; } >"$TMP/german.csv"
	head -701 "$TMP/german.csv" >"$TMP/g_train.csv"
	{ head -1 "$TMP/german.csv"; tail -n +702 "$TMP/german.csv"; } >"$TMP/g_test.csv"
	CD_GERMAN_TEST="$TMP/g_test.csv"
	CD_GERMAN="--data $TMP/g_train.csv --test $CD_GERMAN_TEST --target class --positive 1 --sensitive personal --categorical rate,residence,credits,dependents"
	# COMPAS: ProPublica's filter, written out so that predict sees the same rows
	$PY - "$DATA/compas/compas-scores-two-years.csv" "$TMP/compas.csv" <<'PYEOF'
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
	CD_COMPAS_TEST="$TMP/c_test.csv"
	CD_COMPAS="--data $TMP/c_train.csv --test $CD_COMPAS_TEST --target two_year_recid --positive 0 --sensitive race --privileged Caucasian --categorical age_cat,sex,c_charge_degree"
}

# predict_with_group NAME MODEL TEST GCOL: predict TEST twice (the two
# outputs must be the same bytes) into $TMP/NAME.p1 and write
# $TMP/NAME.pg, predict's rows with the group column GCOL of TEST added
# (predict's id is the line number).  Prints FAIL lines itself; status 1
# when predict failed.
predict_with_group() {
	_n=$1 _m=$2 _t=$3 _g=$4
	"$FT" predict --quiet --model "$_m" --data "$_t" --out "$TMP/$_n.p1" &&
	"$FT" predict --quiet --model "$_m" --data "$_t" --out "$TMP/$_n.p2" ||
		{ fail "predict_$_n" "predict failed"; return 1; }
	cmp -s "$TMP/$_n.p1" "$TMP/$_n.p2" || fail "predict_twice_$_n" "differs"
	$PY - "$_t" "$TMP/$_n.p1" "$_g" "$TMP/$_n.pg" <<'PYEOF'
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
}

# verify MODEL PRED NAME GCOL: the predictor the model file must hold for
# its method (model/ of kind mixture for eg and gerryfair, frontier for
# grid, thresholds for threshold, linear for the others; one weight vector
# per group for meta, none for adversarial; model/transform for the
# feature transforms), the choice parameters by name,
# and predict's p_positive (or label) per group against the model file's
# mitigated test selection rates.
verify() {
	$PY - "$1" "$2" "$4" <<'PYEOF' && pass "$3" || fail "$3" "see above"
import collections, csv, sys, h5py
model, pred, gcol = sys.argv[1:]
f = h5py.File(model, "r")
meth = f["training"].attrs["method"]
names = list(f["preprocessing/group_names"].asstr()[()])
transforms = ("dir", "corr-remove", "lfr", "optim-pre")
# version 5 only for a model behind a feature transform
assert int(f.attrs["format_version"]) == (5 if meth in transforms else 4)
kind = f["model"].attrs["kind"]
if meth in transforms:
    t = f["model/transform"]
    assert kind == "linear" and t.attrs["kind"] == meth
    assert t.attrs["n_inputs"] == f["preprocessing/feature_names"].shape[0]
    assert t.attrs["n_outputs"] == f["model/coef"].shape[0] == f["model/feature_names"].shape[0]
    assert t.attrs["needs_group"] == (meth != "lfr")
elif meth in ("eg", "gerryfair"):
    assert kind == "mixture" and "mixture" in f["model"]
    w = f["model/mixture/weight"][()]
    assert abs(w.sum() - 1) < 1e-9 and (w > 0).all()
    assert f["model/mixture/coef"].shape == (len(w), f["model/coef"].shape[0])
elif meth == "grid":
    assert kind == "frontier"
    assert f["model/frontier/error"].shape[0] == f["model/frontier/coef"].shape[0]
elif meth in ("threshold", "cal-eo", "reject-option"):
    assert kind == "thresholds"
    assert f["model/thresholds/t0"].shape[0] == len(names)
elif meth == "meta":
    assert kind == "linear"
    assert f["model/group_coef"].shape == (len(names), f["model/coef"].shape[0])
else:
    assert meth == "adversarial" and kind == "linear" and "group_coef" not in f["model"], meth
# the method's choice parameters by name as well as by index
tr = f["training"]
pc = dict(zip(tr["param_names"].asstr()[()], tr["param_choices"].asstr()[()]))
allowed = {"constraint": ("dp", "eo", "tpr", "fpr", "erp", "bgl"), "rate": ("fp", "fn"),
           "type": ("sr", "fdr"), "cost": ("fnr", "fpr", "weighted"),
           "metric": ("spd", "aod", "eod")}
key = {"cal-eo": "cost", "reject-option": "metric"}.get(meth)
assert key is None or key in pc, (meth, pc)
for k, v in allowed.items():
    assert k not in pc or pc[k] in v, pc
cmp = f["comparison"]
rows = zip(cmp["metric"].asstr()[()], cmp["model"].asstr()[()], cmp["split"].asstr()[()],
           cmp["group"].asstr()[()], cmp["value"][()])
want = {g: v for m, mo, s, g, v in rows if m == "selection_rate" and mo == "mitigated" and s == "test"}
rd = list(csv.DictReader(open(pred)))
col = "p_positive" if "p_positive" in rd[0] else "label"
acc = collections.defaultdict(lambda: [0.0, 0])
for r in rd:
    acc[r[gcol]][0] += float(r[col]); acc[r[gcol]][1] += 1
for g, (s, n) in acc.items():
    assert abs(s / n - want[g]) < 1e-9, (g, s / n, want[g])
print("  %s: test selection rates %s" % (meth, {g: round(s / n, 4) for g, (s, n) in acc.items()}),
      file=sys.stderr)
PYEOF
}

# run_set TAG DATA_OPTIONS TEST GCOL SPEC...: for each method SPEC, train
# ($Q and the data options), predict TEST (predict_with_group), then
# verify.
run_set() {
	_tag=$1 _args=$2 _test=$3 _gcol=$4
	shift 4
	for _spec in "$@"; do
		_name=${_tag}_$(echo "$_spec" | tr ':=,' '___')
		if ! "$FT" train $Q $_args --method "$_spec" --out "$TMP/$_name.h5" 2>"$TMP/err"; then
			fail "train_$_name" "$(head -2 "$TMP/err")"
			continue
		fi
		predict_with_group "$_name" "$TMP/$_name.h5" "$_test" "$_gcol" || continue
		verify "$TMP/$_name.h5" "$TMP/$_name.pg" "state_$_name" "$_gcol"
	done
}

# same_values A B: two CSV files hold the same cells, numbers compared by
# value (0.95 equals 0.94999999999999996: both read back as one double),
# everything else as text.  Exit 0 when they do.
same_values() {
	awk -F, 'NR == FNR { a[FNR] = $0; n = FNR; next }
	function num(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
	{
		if (!(FNR in a)) { bad = 1; exit }
		k = split(a[FNR], f, ",")
		if (k != NF) { bad = 1; exit }
		for (i = 1; i <= NF; i++)
			if (num(f[i]) && num($i) ? f[i] + 0 != $i + 0 : f[i] != $i) { bad = 1; exit }
		m = FNR
	}
	END { exit bad || m != n }' "$1" "$2"
}

# reseal FILE: write the checksum block of a model or results file again
# after FILE was edited in place (h5py 'r+'), as fairtrain writes it
# (src/io/h5image.c); a second implementation of that layout, in Python.
reseal() {
	$PY - "$1" <<'PYEOF'
import hashlib, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
assert b.startswith(b'fairtrain-checksum 1\n'), 'no checksum block'
head = ('fairtrain-checksum 1\nalgorithm sha256\nlength %d\nsha256 %s\n'
        'covers bytes 512 to length: the HDF5 file after this block\n'
        % (len(b), hashlib.sha256(b[512:]).hexdigest())).encode()
b[:512] = head + bytes(512 - len(head))
open(p, 'wb').write(b)
PYEOF
}
