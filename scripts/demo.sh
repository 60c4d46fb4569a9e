#!/bin/sh
# demo.sh - the README's first command (`make demo`): make the synthetic
# hiring data set and compare the mitigation methods against the
# unmitigated baseline over 5 folds (`fairtrain compare`): the summary table,
# the Pareto-optimal settings, and where the plots are.
#
# Environment: FAIRTRAIN_BUILD (default build), DEMO_OUT (default
# $FAIRTRAIN_BUILD/demo).
set -eu
BUILD=${FAIRTRAIN_BUILD:-build}
FT="$BUILD/fairtrain"
OUT=${DEMO_OUT:-$BUILD/demo}
mkdir -p "$OUT"

echo "== fairtrain synth: 5000 applicants, historical bias against women"
"$FT" synth --rows 5000 --seed 1 --out "$OUT/hiring.csv"

# Pre-, in- and post-processing methods and the reductions, a few
# strengths each.
METHODS="baseline reweigh prejudice:eta=5,25 cov-fair:c=0.01,0.001 reg-dp:lambda=10
	eg:dp:eps=0.01,0.05 grid:dp threshold:dp threshold:eo"

echo
echo "== fairtrain compare: $METHODS"
echo "   5-fold cross-validation stratified by label and gender; gender is not a feature"
"$FT" compare --data "$OUT/hiring.csv" --target hired --positive yes \
	--sensitive gender --privileged male --methods "$METHODS" \
	--folds 5 --seed 1 --out "$OUT/compare" --force
echo
if [ -s "$OUT/compare/tradeoff.png" ]; then
	echo "Trade-off plot: $OUT/compare/tradeoff.png (and .svg); per-group rates: $OUT/compare/groups.png"
else
	echo "No plots (gnuplot missing): 'cd $OUT/compare && gnuplot plots.gp' draws them"
fi
echo "Every number: $OUT/compare/results.csv and results.h5 (h5py)."
echo "The program is $FT (make install puts it on PATH); next: $FT train --help,"
echo "and README.md's 'The first hour' (train with a method, compare, predict -> audit)."
