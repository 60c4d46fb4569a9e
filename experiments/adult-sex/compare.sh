#!/bin/sh
# Adult by sex: every method in one `fairtrain compare` (5 folds), with the
# tidy CSV, the HDF5 bundle, summary.md and the trade-off plot.
#   experiments/adult-sex/compare.sh [OUTDIR] [extra compare options]
set -eu
cd "$(dirname "$0")/../.."
FT=${FAIRTRAIN_BUILD:-build}/fairtrain
A=${FAIRTRAIN_DATA:-datasets}/adult
OUT=${1:-build/experiments/adult-sex/compare}
[ $# -gt 0 ] && shift
"$FT" compare --config experiments/adult-sex/compare.conf --data "$A/adult.data" --out "$OUT" --force "$@"
