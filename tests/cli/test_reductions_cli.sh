# Reductions (eg, grid) and threshold post-processing (threshold, cal-eo,
# reject-option) from the CLI on the three classification data sets, with
# every constraint: each trains, saves
# its full state, reloads, and predicts what train measured (the mean
# P(yhat = 1) per group of predict's output equals the model file's test
# selection rates), and the same twice.
. tests/cli/lib.sh

Q="--quiet --bootstrap 0 --permutations 0"

SPECS="eg:dp eg:eo eg:tpr eg:fpr eg:erp grid:dp grid:eo grid:tpr grid:fpr grid:erp threshold:dp threshold:eo threshold:tpr threshold:fpr"
POST="cal-eo cal-eo:fnr cal-eo:fpr reject-option reject-option:aod reject-option:eod"

if ! have_data; then
	skip reductions_real "no data in $DATA (scripts/fetch-datasets.sh gets it)"
else
	cls_data_prep
	run_set adult "$CD_ADULT" "$CD_ADULT_TEST" sex $SPECS $POST
	run_set german "$CD_GERMAN" "$CD_GERMAN_TEST" personal $SPECS
	run_set german "$CD_GERMAN --privileged A93" "$CD_GERMAN_TEST" personal $POST
	run_set compas "$CD_COMPAS" "$CD_COMPAS_TEST" race $SPECS $POST
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
