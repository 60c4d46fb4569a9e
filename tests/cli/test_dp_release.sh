# Private training, measurement and audits from the command line (issue 19):
# --dp-epsilon releases the confusion cells privately (train, eval, audit),
# --dp-total makes a private run (its budget enforced, only private outputs
# in the model file), --dp-row-norm, --dp-bounds and --dp-encoder-epsilon
# feed the private methods and the encoder; the budget is printed, stored
# in /training/budget and shown by inspect; epsilon 0 (infinity) is the
# non-private method exactly.  Seeded noise (--dp-seed, the methods' seed)
# keeps the tests reproducible and is marked as not private.
. tests/cli/lib.sh

"$FT" synth --rows 3000 --seed 11 --out "$TMP/h.csv" >/dev/null
T="--data $TMP/h.csv --target hired --positive yes --sensitive gender --privileged male --bootstrap 100 --permutations 0"
B="age=18:70,experience_years=0:45,skill_test=0:100,interview_score=0:10"

# a private run: budget printed, stored, enforced; no non-private tables in the file
check dp_private_run "$FT" train $T --method dp-logreg:epsilon=1,seed=3 --dp-epsilon 0.5 \
	--dp-seed 4 --dp-total 2 --dp-bounds "$B" --dp-row-norm 2 --out "$TMP/p.h5"
grep -q "^private release (the mitigated model on the test part)" "$TMP/out" &&
	grep -q "^run  *total .*epsilon 1.5 .*(budget 2, 0)" "$TMP/out" &&
	grep -q "WARNING: seeded noise" "$TMP/out" &&
	pass dp_private_run_printed || fail dp_private_run_printed "$(tail -12 "$TMP/out")"
$PY - "$TMP/p.h5" <<'PYEOF' && pass dp_budget_stored || fail dp_budget_stored "see above"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
b = f["training/budget"]
assert b.attrs["epsilon_total"] == 2 and b.attrs["seeded"] == 1, dict(b.attrs)
assert list(b["stage"].asstr()[()]) == ["training", "measurement"], list(b["stage"].asstr()[()])
assert list(b["epsilon"][()]) == [1.0, 0.5]
assert "baseline" not in f and "comparison" not in f, list(f)
r = f["private_release"]
assert r.attrs["epsilon"] == 0.5 and r.attrs["split"] == "test"
assert r["cells"].shape == (8,)
tr = f["training"]
p = dict(zip(tr["param_names"].asstr()[()], tr["param_values"][()]))
assert p["row_norm"] == 2, p
PYEOF
check dp_inspect "$FT" inspect "$TMP/p.h5"
grep -q "^privacy budget:" "$TMP/out" && grep -q "NOT trained privately" "$TMP/out" &&
	pass dp_inspect_budget || fail dp_inspect_budget "$(grep -A3 privacy "$TMP/out")"
check dp_predict_private_file "$FT" predict --quiet --model "$TMP/p.h5" --data "$TMP/h.csv" \
	--keep gender --out "$TMP/p.csv"

# the encoder's statistics estimated privately inside the bounds
check dp_encoder_private "$FT" train $T --method dp-logreg:epsilon=1,seed=3 --dp-seed 4 \
	--dp-total 2 --dp-bounds "$B" --dp-encoder-epsilon 0.5 --out "$TMP/e.h5"
grep -q "^encoder  *snapping  *numeric means and sds  *epsilon 0.5" "$TMP/out" &&
	pass dp_encoder_spent || fail dp_encoder_spent "$(grep -A8 'privacy budget' "$TMP/out")"

# overspending is refused before anything is written
expect_error dp_overspend 1 "budget: measurement would spend epsilon 0.5.*left of its total 1.2" \
	"$TMP/o.h5" -- "$FT" train $T --method dp-logreg:epsilon=1,seed=3 --dp-epsilon 0.5 \
	--dp-seed 4 --dp-total 1.2 --dp-bounds "$B" --out "$TMP/o.h5"
expect_error dp_method_over_total 1 "the run's budget: budget: training would spend epsilon 3" \
	"$TMP/o.h5" -- "$FT" train $T --method dp-logreg:epsilon=3,seed=3 --dp-total 2 \
	--dp-bounds "$B" --out "$TMP/o.h5"
expect_error dp_total_needs_private_method 2 "a private run .* needs a private method .* not logreg" \
	"$TMP/o.h5" -- "$FT" train $T --dp-total 2 --out "$TMP/o.h5"
expect_error dp_total_needs_bounds 1 "a private run needs public bounds of every numeric feature" \
	"$TMP/o.h5" -- "$FT" train $T --method dp-logreg --dp-total 2 --out "$TMP/o.h5"
expect_error dp_row_norm_not_private 2 "method logreg clips no rows" "$TMP/o.h5" -- \
	"$FT" train $T --dp-row-norm 2 --out "$TMP/o.h5"
expect_error dp_bad_epsilon 2 "--dp-epsilon takes a number in \(0, 100\]" "$TMP/o.h5" -- \
	"$FT" train $T --dp-epsilon -1 --out "$TMP/o.h5"
expect_error dp_bad_bounds 2 "--dp-bounds: age needs LO < HI" "$TMP/o.h5" -- \
	"$FT" train $T --method dp-logreg --dp-bounds age=70:18 --out "$TMP/o.h5"
expect_error dp_bounds_unknown_column 1 "dp bounds of 'nosuch': not a numeric feature column" "$TMP/o.h5" -- \
	"$FT" train $T --method dp-logreg --dp-bounds "$B,nosuch=0:1" --out "$TMP/o.h5"

# eval and audit release privately too
check dp_eval "$FT" eval --model "$TMP/p.h5" --data "$TMP/h.csv" --dp-epsilon 1 --dp-seed 2 \
	--bootstrap 50 --permutations 0
grep -q "^private release (the mitigated model on these rows)" "$TMP/out" &&
	grep -q "^measurement  *geometric  *per-group confusion cells  *epsilon 1 " "$TMP/out" &&
	pass dp_eval_printed || fail dp_eval_printed "$(tail -8 "$TMP/out")"
check dp_audit "$FT" audit --data "$TMP/p.csv" --label target --score label --sensitive gender \
	--dp-epsilon 1 --bootstrap 0 --permutations 0
grep -q "^private release (the audited predictions)" "$TMP/out" &&
	pass dp_audit_printed || fail dp_audit_printed "$(tail -8 "$TMP/out")"

# epsilon 0 (infinity) of a private method is the non-private method, bit
# for bit
"$FT" train $T --method dp-logreg:epsilon=0 --bootstrap 0 --quiet --out "$TMP/z.h5" &&
"$FT" train $T --method logreg --bootstrap 0 --quiet --out "$TMP/l.h5" &&
h5diff -d 0 "$TMP/z.h5" "$TMP/l.h5" /model/coef /model/coef >/dev/null &&
h5diff -d 0 "$TMP/z.h5" "$TMP/l.h5" /model/intercept /model/intercept >/dev/null &&
	pass dp_epsilon_infinity_exact || fail dp_epsilon_infinity_exact "dp-logreg:epsilon=0 differs from logreg"

# delta: the Gaussian output mechanism spends delta, which a total must allow
check dp_total_with_delta "$FT" train $T --method dp-logreg:epsilon=1,mechanism=output,delta=1e-5,seed=3 \
	--dp-total 2,1e-4 --dp-bounds "$B" --quiet --out "$TMP/g.h5"
expect_error dp_total_without_delta 1 "training would spend epsilon 1, delta 1e-05 .*left of its total 2, 0" \
	"$TMP/g0.h5" -- "$FT" train $T --method dp-logreg:epsilon=1,mechanism=output,delta=1e-5,seed=3 \
	--dp-total 2 --dp-bounds "$B" --out "$TMP/g0.h5"

# the private release is for classification
L=$DATA/deltr-lsat/gender
if [ -f "$L/train.txt" ]; then
	if "$FT" train --task rank --names query,protected,LSAT,UGPA,ZFYA --query query \
		--relevance ZFYA --sensitive protected --protected 1 --split 0 --quiet \
		--data "$L/train.txt" --out "$TMP/r.h5" 2>"$TMP/err"; then
		expect_error dp_eval_ranker 1 "a ranking model: the private release is for classification" \
			"" -- "$FT" eval --model "$TMP/r.h5" --data "$L/test.txt" --dp-epsilon 1
	else
		fail dp_eval_ranker "training the ranker: $(head -1 "$TMP/err")"
	fi
else
	skip dp_eval_ranker "no LSAT data in $DATA (scripts/fetch-datasets.sh gets it)"
fi
