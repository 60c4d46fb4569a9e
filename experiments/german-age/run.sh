#!/bin/sh
# German credit by age (> 25 privileged; AIF360's profile uses >= 25, see
# README.md) and by sex: every method in one `fairtrain compare` each,
# 5-fold cross-validation.  german.data is space separated without a header;
# the age group and the sex (column 9: A92 and A95 female) are derived into
# a CSV first, since they are not columns of the file.
#   experiments/german-age/run.sh [OUTDIR] [extra compare options]
set -eu
cd "$(dirname "$0")/../.."
FT=${FAIRTRAIN_BUILD:-build}/fairtrain
G=${FAIRTRAIN_DATA:-datasets}/german/german.data
OUT=${1:-build/experiments/german-age}
[ $# -gt 0 ] && shift
mkdir -p "$OUT"
awk 'BEGIN { OFS = ","
	print "checking,duration,history,purpose,amount,savings,employment,rate,personal,debtors," \
	      "residence,property,age,plans,housing,credits,job,dependents,telephone,foreign,class,age_group,sex" }
	NF == 21 { $1 = $1; print $0, ($13 > 25 ? "over25" : "25orless"), ($9 == "A92" || $9 == "A95" ? "female" : "male") }
	NF != 21 && NF > 0 { printf "%s:%d: expected 21 fields, found %d\n", FILENAME, NR, NF > "/dev/stderr"; exit 1 }' \
	"$G" >"$OUT/german.csv"
METHODS="baseline reweigh prejudice:eta=1,5,25 cov-fair:c=0.1,0.01 reg-dp:lambda=1,10
	eg:dp:eps=0.01,0.05 grid:dp:grid_size=41 threshold:dp threshold:eo"
"$FT" compare --data "$OUT/german.csv" --target class --positive 1 --sensitive age_group \
	--privileged over25 --drop age,personal,sex --categorical rate,residence,credits,dependents \
	--folds 5 --seed 1 --methods "$METHODS" --out "$OUT/age" --force "$@"
