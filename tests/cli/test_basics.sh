# CLI basics on the synthetic data: help, version, synth determinism,
# train -> inspect -> predict round trip, h5py reads the file, export.
. tests/cli/lib.sh

check cli_version "$FT" --version
grep -q "^fairtrain [0-9]" "$TMP/out" || fail cli_version_text "$(cat "$TMP/out")"
for c in train predict inspect export synth; do
	check "cli_help_$c" "$FT" "$c" --help
	grep -q "^Usage: fairtrain $c" "$TMP/out" || fail "cli_help_${c}_text" "no usage line"
done

# same seed, same bytes; another seed, other bytes
"$FT" synth --rows 3000 --seed 7 --out "$TMP/a.csv" >/dev/null &&
"$FT" synth --rows 3000 --seed 7 --out "$TMP/b.csv" >/dev/null &&
"$FT" synth --rows 3000 --seed 8 --out "$TMP/c.csv" >/dev/null
if cmp -s "$TMP/a.csv" "$TMP/b.csv" && ! cmp -s "$TMP/a.csv" "$TMP/c.csv" &&
   [ "$(wc -l <"$TMP/a.csv")" -eq 3001 ]; then
	pass synth_deterministic
else
	fail synth_deterministic "seeded outputs differ or have the wrong size"
fi

# The synthetic data must carry what it promises (README, "Synthetic
# data"): label bias against women, a proxy (hobby) correlated with gender,
# and proxy bias: the label penalises the feminine-coded hobbies (knitting,
# yoga) within each gender.  Measured on these 3000 rows (seed 7): female
# share 0.454, hiring rates 0.243 / 0.576 (gap 0.333), feminine-coded hobby
# 0.683 of women / 0.170 of men, and within gender those hobbies are hired
# 0.183 (men) and 0.160 (women) less often.
$PY - "$TMP/a.csv" <<'PYEOF' && pass synth_properties || fail synth_properties "see above"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def rate(rs): return sum(r["hired"] == "yes" for r in rs) / len(rs)
fem = ("knitting", "yoga")
f = [r for r in rows if r["gender"] == "female"]; m = [r for r in rows if r["gender"] == "male"]
gap = rate(m) - rate(f)
knit_f = sum(r["hobby"] in fem for r in f) / len(f)
knit_m = sum(r["hobby"] in fem for r in m) / len(m)
within = [rate([r for r in g if r["hobby"] not in fem]) - rate([r for r in g if r["hobby"] in fem])
          for g in (m, f)]
ok = 0.40 < len(f) / len(rows) < 0.50 and 0.25 < gap < 0.42 and knit_f - knit_m > 0.4
ok = ok and min(within) > 0.1
ok = ok and set(rows[0]) == {"gender","age","experience_years","education","skill_test","interview_score","hobby","referral","hired"}
print("female share %.3f, hiring gap %.3f, proxy gap %.3f, within-gender hobby gaps %.3f %.3f"
      % (len(f)/len(rows), gap, knit_f - knit_m, within[0], within[1]), file=sys.stderr)
sys.exit(0 if ok else 1)
PYEOF

check train_synth "$FT" train --data "$TMP/a.csv" --target hired --positive yes \
	--sensitive gender --privileged male --split 0.3 --seed 3 --out "$TMP/m.h5"
grep -q "converged" "$TMP/out" || fail train_synth_converged "$(cat "$TMP/out")"
[ -z "$(ls "$TMP" | grep '\.tmp\.')" ] && pass train_no_temp_left || fail train_no_temp_left "$(ls "$TMP")"

check inspect_synth "$FT" inspect "$TMP/m.h5"
grep -q "hobby=knitting" "$TMP/out" && grep -q "sha256 [0-9a-f]\{64\}" "$TMP/out" &&
	pass inspect_contents || fail inspect_contents "$(head -5 "$TMP/out")"

# h5py reads the file without fairtrain: strings are str, shapes agree, the
# coefficients give the same scores as `fairtrain predict`.
check predict_synth "$FT" predict --model "$TMP/m.h5" --data "$TMP/a.csv" --out "$TMP/s.csv"
$PY - "$TMP/m.h5" "$TMP/a.csv" "$TMP/s.csv" "$(sha256sum "$TMP/a.csv" | cut -c1-64)" <<'PYEOF' && pass h5py_reads_model || fail h5py_reads_model "see above"
import csv, math, sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
a = f.attrs
assert a["format"] == "fairtrain-model" and isinstance(a["format"], str), a["format"]
assert int(a["format_version"]) == 4 and f["model"].attrs["kind"] == "linear"
assert f["inputs/sha256"].asstr()[0] == sys.argv[4]
names = list(f["model/feature_names"].asstr()[...])
coef = f["model/coef"][...]; b = float(f["model/intercept"][()])
assert len(names) == len(coef) == int(f["model"].attrs["n_features"])
cols = {}
for k in f["preprocessing/columns"]:
    g = f["preprocessing/columns"][k]
    cols[g.attrs["name"]] = g
assert cols["gender"].attrs["role"] == "sensitive" and cols["hired"].attrs["role"] == "target"
# recompute every score from the raw CSV with only h5py and the documented schema
rows = list(csv.DictReader(open(sys.argv[2])))
scores = {int(r["id"]): float(r["score"]) for r in csv.DictReader(open(sys.argv[3]))}
assert len(scores) == len(rows)
idx = {n: i for i, n in enumerate(names)}
worst = 0
for line, r in enumerate(rows, start=2):
    z = b
    for name, g in cols.items():
        if g.attrs["role"] != "feature": continue
        if g.attrs["type"] == "numeric":
            z += coef[idx[name]] * (float(r[name]) - g.attrs["mean"]) / g.attrs["sd"]
        else:
            z += coef[idx["%s=%s" % (name, r[name])]]
    worst = max(worst, abs(1 / (1 + math.exp(-z)) - scores[line]))
assert worst < 1e-12, worst
PYEOF

# predict writes the true label when the target column is present, and
# agrees with itself through stdout
"$FT" predict --model "$TMP/m.h5" --data "$TMP/a.csv" --out - >"$TMP/s2.csv" 2>/dev/null
if cmp -s "$TMP/s.csv" "$TMP/s2.csv" && head -1 "$TMP/s.csv" | grep -qx "id,score,label,target"; then
	pass predict_stdout_same
else
	fail predict_stdout_same "stdout output differs or header wrong"
fi

# predict without the target and sensitive columns still scores every row
cut -d, -f2-8 "$TMP/a.csv" >"$TMP/nolabel.csv"
check predict_no_target "$FT" predict --model "$TMP/m.h5" --data "$TMP/nolabel.csv" --out "$TMP/s3.csv"
if head -1 "$TMP/s3.csv" | grep -qx "id,score,label" &&
   [ "$(cut -d, -f2 "$TMP/s3.csv" | tail -n +2 | md5sum)" = "$(cut -d, -f2 "$TMP/s.csv" | tail -n +2 | md5sum)" ]; then
	pass predict_no_target_same_scores
else
	fail predict_no_target_same_scores "scores differ without the label columns"
fi

# unseen category at prediction time: counted in a warning, encoded as zeros
sed '2s/,football,/,chess,/; 3s/,gaming,/,chess,/' "$TMP/a.csv" >"$TMP/unseen.csv"
"$FT" predict --model "$TMP/m.h5" --data "$TMP/unseen.csv" --out "$TMP/s4.csv" 2>"$TMP/err" >/dev/null
n=$(grep -c chess "$TMP/unseen.csv")
if grep -q "warning: .*unseen.csv: $n cells\? with a category unseen" "$TMP/err"; then
	pass predict_unseen_warning
else
	fail predict_unseen_warning "$(cat "$TMP/err") (expected $n)"
fi

# export: the libsvm file has one line per row and liblinear reads it
check export_libsvm "$FT" export --format libsvm --data "$TMP/a.csv" --target hired \
	--positive yes --sensitive gender --out "$TMP/a.svm"
if [ "$(wc -l <"$TMP/a.svm")" -eq 3000 ] && head -1 "$TMP/a.svm" | grep -Eq '^[+-]1( [0-9]+:[^ ]+)+$'; then
	pass export_libsvm_format
else
	fail export_libsvm_format "$(head -1 "$TMP/a.svm")"
fi
if command -v liblinear-train >/dev/null; then
	check liblinear_reads_export liblinear-train -q -s 0 -c 1 "$TMP/a.svm" "$TMP/a.liblinear"
fi

# --quiet prints nothing
"$FT" train --quiet --data "$TMP/a.csv" --target hired --positive yes --sensitive gender \
	--out "$TMP/q.h5" >"$TMP/out" 2>&1
[ $? -eq 0 ] && [ ! -s "$TMP/out" ] && pass train_quiet || fail train_quiet "$(cat "$TMP/out")"

# replacing an existing model file works; a failed run leaves it byte-identical
cp "$TMP/m.h5" "$TMP/keep.h5"
"$FT" train --data "$TMP/a.csv" --target hired --positive nosuchvalue --out "$TMP/m.h5" >/dev/null 2>&1
cmp -s "$TMP/m.h5" "$TMP/keep.h5" && pass failed_train_keeps_old_model || fail failed_train_keeps_old_model "model file changed"
