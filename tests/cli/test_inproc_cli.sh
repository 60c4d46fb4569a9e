# The in-processing methods of issue 18 from the CLI (adversarial,
# gerryfair, meta, eg and grid with bgl) on Adult, German and COMPAS: each
# trains, saves its full state (a plain model, a mixture, a per-group
# model, a frontier), reloads, and predicts what train measured (predict's
# mean P(yhat = 1) per group equals the model file's test selection rates),
# the same bytes twice; the same seed gives the same model file twice; a
# per-group model asks for the sensitive column; bad parameters are usage
# errors.
. tests/cli/lib.sh

Q="--quiet --bootstrap 0 --permutations 0"

SPECS="adversarial:dp:alpha=0.3 adversarial:eo:alpha=3 gerryfair:fp:max_iter=10 gerryfair:fn:max_iter=10 meta:sr meta:fdr eg:bgl:loss=log,upper_bound=0.5 eg:bgl:loss=zero_one,upper_bound=0.2 grid:bgl:loss=log,upper_bound=0.5 grid:bgl:loss=zero_one,upper_bound=0.2"

if ! have_data; then
	skip inproc_real "no data folder $DATA"
else
	cls_data_prep
	run_set adult "$CD_ADULT" "$CD_ADULT_TEST" sex $SPECS
	# adversarial and meta take two sides: A93 (single male) against the rest
	run_set german "$CD_GERMAN --privileged A93" "$CD_GERMAN_TEST" personal $SPECS
	run_set compas "$CD_COMPAS" "$CD_COMPAS_TEST" race $SPECS
fi

# The synthetic data: the same seed gives the same model (the
# comparison's timings aside: the models and diagnostics); a per-group
# model needs the sensitive column at prediction; usage errors.
"$FT" synth --rows 2000 --seed 4 --out "$TMP/h.csv" >/dev/null
S="--target hired --positive yes --sensitive gender --privileged male --split 0.3 --seed 2"
for spec in adversarial:eo:seed=3 meta:fdr:seed=2 gerryfair:fn:max_iter=5; do
	name=$(echo "$spec" | tr ':=,' '___')
	"$FT" train $Q --data "$TMP/h.csv" $S --method "$spec" --out "$TMP/${name}1.h5" 2>/dev/null &&
	"$FT" train $Q --data "$TMP/h.csv" $S --method "$spec" --out "$TMP/${name}2.h5" 2>/dev/null ||
		{ fail "same_seed_$name" "train failed"; continue; }
	$PY - "$TMP/${name}1.h5" "$TMP/${name}2.h5" <<'PYEOF' && pass "same_seed_$name" || fail "same_seed_$name" "differ"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def items(f):
    out = {}
    f.visititems(lambda k, v: out.__setitem__(k, v[()]) if isinstance(v, h5py.Dataset) and
                 (k.startswith("model") or k.startswith("mixture") or k.startswith("training/diag")) else None)
    return out
x, y = items(a), items(b)
assert x.keys() == y.keys() and len(x) > 2
for k in x:
    assert np.array_equal(x[k], y[k]), k
PYEOF
done
cut -d, -f2- "$TMP/h.csv" >"$TMP/nog.csv"
expect_error err_meta_needs_sensitive 1 "nog.csv: this model \(meta\) scores each group with its own weights: the data needs the sensitive column gender" "$TMP/p.csv" -- \
	"$FT" predict --model "$TMP/meta_fdr_seed_21.h5" --data "$TMP/nog.csv" --out "$TMP/p.csv"
check predict_adversarial_without_group "$FT" predict --model "$TMP/adversarial_eo_seed_31.h5" --data "$TMP/nog.csv" --out "$TMP/p.csv"
expect_error err_meta_tau 2 "method meta: tau = 2 is outside" "$TMP/m.h5" -- \
	"$FT" train --data "$TMP/h.csv" $S --method meta:tau=2 --out "$TMP/m.h5"
expect_error err_adversarial_constraint 2 "method adversarial: 'tpr' is not NAME=VALUE nor a constraint \(dp\|eo\)" "$TMP/m.h5" -- \
	"$FT" train --data "$TMP/h.csv" $S --method adversarial:tpr --out "$TMP/m.h5"
expect_error err_gerryfair_rate 2 "method gerryfair: rate takes one of fp\|fn" "$TMP/m.h5" -- \
	"$FT" train --data "$TMP/h.csv" $S --method gerryfair:rate=sp --out "$TMP/m.h5"
expect_error err_bgl_loss 2 "method eg: loss takes one of log\|zero_one, not 'hinge'" "$TMP/m.h5" -- \
	"$FT" train --data "$TMP/h.csv" $S --method eg:bgl:loss=hinge --out "$TMP/m.h5"
# three groups without a privileged one: one line naming what is missing
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR % 3 == 0 { $1 = "other" } { print }' "$TMP/h.csv" >"$TMP/h3.csv"
expect_error err_adversarial_three_groups 1 "adversarial: with 3 groups it needs a privileged group" "$TMP/m.h5" -- \
	"$FT" train --data "$TMP/h3.csv" --target hired --positive yes --sensitive gender --method adversarial --out "$TMP/m.h5"
