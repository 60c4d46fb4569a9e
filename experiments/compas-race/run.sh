#!/bin/sh
# COMPAS by race (African-American vs Caucasian), ProPublica's filter:
# disparate mistreatment constraints (Zafar et al., WWW 2017) on FPR, FNR
# and both, swept over c.  Features as in the paper: age category, sex,
# priors count, charge degree; label two_year_recid, a recidivism
# prediction of 1 is the unfavourable outcome, so the positive (favourable)
# label is 0 (no recidivism).
#   experiments/compas-race/run.sh [OUTDIR]
set -eu
cd "$(dirname "$0")/../.."
FT=${FAIRTRAIN_BUILD:-build}/fairtrain
C=${FAIRTRAIN_DATA:-../shared/datasets}/compas/compas-scores-two-years.csv
OUT=${1:-build/experiments/compas-race}
mkdir -p "$OUT"
KEEP="age_cat sex priors_count c_charge_degree race two_year_recid"
DROP=$(head -1 "$C" | tr ',' '\n' | awk -v keep="$KEEP" '
	BEGIN { n = split(keep, k, " "); for (i = 1; i <= n; i++) K[k[i]] = 1 }
	{ sub(/\r$/, ""); name = $0; if (seen[name]++) name = name "." (seen[name] - 1); if (!(name in K)) print name }' | paste -sd, -)
echo "| method | test accuracy | p%-rule | DP difference | FPR gap (AA-C) | FNR gap (AA-C) |"
echo "|---|---:|---:|---:|---:|---:|"
for spec in logreg mistreat:c=0.1,fnr=0 mistreat:c=0.01,fnr=0 mistreat:c=0.005,fnr=0 mistreat:c=0.002,fnr=0 mistreat:c=0,fnr=0 \
	mistreat:c=0.01,fpr=0 mistreat:c=0,fpr=0 mistreat:c=0.01 mistreat:c=0; do
	f=$(echo "$spec" | tr ':=,' '___')
	"$FT" train --quiet --bootstrap 0 --permutations 0 --data "$C" --target two_year_recid --positive 1 \
		--sensitive race --privileged Caucasian \
		--filter 'days_b_screening_arrest<=30' --filter 'days_b_screening_arrest>=-30' \
		--filter 'is_recid!=-1' --filter 'c_charge_degree!=O' --filter 'score_text!=N/A' \
		--filter 'race!=Hispanic' --filter 'race!=Other' --filter 'race!=Asian' --filter 'race!=Native American' \
		--drop "$DROP" --categorical age_cat,sex,c_charge_degree \
		--split 0.3 --seed 1 --method "$spec" --out "$OUT/$f.h5" --report "$OUT/$f.csv"
	experiments/summarize.sh "$OUT/$f.csv" "$spec"
done
