#!/bin/sh
# demo.sh - the README's first command (`make demo`): make the synthetic
# hiring data set, train a reweighed logistic regression beside the
# unmitigated baseline, show the before/after table and the model file.
set -eu
BUILD=${FAIRTRAIN_BUILD:-build}
FT="$BUILD/fairtrain"
OUT="$BUILD/demo"
mkdir -p "$OUT"

echo "== fairtrain synth: 5000 applicants, historical bias against women"
"$FT" synth --rows 5000 --seed 1 --out "$OUT/hiring.csv"
echo
echo "== fairtrain train: reweighing against the unmitigated baseline, gender not a feature, 25% held out"
"$FT" train --data "$OUT/hiring.csv" --target hired --positive yes \
	--sensitive gender --privileged male --split 0.25 --seed 1 \
	--method reweigh --out "$OUT/model.h5" --report "$OUT/report.md"
echo
echo "== fairtrain inspect"
"$FT" inspect --top 8 "$OUT/model.h5"
echo
echo "== fairtrain predict"
"$FT" predict --model "$OUT/model.h5" --data "$OUT/hiring.csv" --out "$OUT/scores.csv"
awk -F, 'NR > 1 { n++; if ($3 == $4) ok++ }
	END { printf "scored %d rows into %s; agreement with the historical label %.3f\n", n, FILENAME, ok / n }' \
	"$OUT/scores.csv"
echo
echo "The hobby column stands in for gender (a proxy): see its coefficients above."
echo "Files: $OUT/hiring.csv, $OUT/model.h5 (h5dump -H or h5py), $OUT/report.md, $OUT/scores.csv"
