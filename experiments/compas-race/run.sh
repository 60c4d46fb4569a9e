#!/bin/sh
# COMPAS by race (African-American vs Caucasian), ProPublica's filter:
# disparate mistreatment constraints (Zafar et al., WWW 2017) on FPR, FNR
# and both, swept over c.  Features as in the paper: age category, sex,
# priors count, charge degree, and race itself, as the authors' demo does
# (load_compas_data.py stacks every attribute into X); label two_year_recid
# (1 = recidivism, so the FPR is the share of non-recidivists predicted to
# recidivate); 50/50 split as their demo (train_fold_size = 0.5).
#   experiments/compas-race/run.sh [OUTDIR]
# With NO_RACE_FEATURE=1 race is not a feature and the split is 70/30 (the
# variant in README.md, where the FNR and combined constraints collapse).
set -eu
cd "$(dirname "$0")/../.."
FT=${FAIRTRAIN_BUILD:-build}/fairtrain
C=${FAIRTRAIN_DATA:-datasets}/compas/compas-scores-two-years.csv
OUT=${1:-build/experiments/compas-race}
mkdir -p "$OUT"
KEEP="age_cat sex priors_count c_charge_degree race two_year_recid"
DROP=$(head -1 "$C" | tr ',' '\n' | awk -v keep="$KEEP" '
	BEGIN { n = split(keep, k, " "); for (i = 1; i <= n; i++) K[k[i]] = 1 }
	{ sub(/\r$/, ""); name = $0; if (seen[name]++) name = name "." (seen[name] - 1); if (!(name in K)) print name }' | paste -sd, -)
USE="--use-sensitive"; SPLIT=0.5
if [ "${NO_RACE_FEATURE:-0}" = 1 ]; then USE=""; SPLIT=0.3; fi
echo "| method | test accuracy | FPR AA | FPR C | FNR AA | FNR C | FPR gap (AA-C) | FNR gap (AA-C) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for spec in logreg mistreat:c=0.1,fnr=0 mistreat:c=0.01,fnr=0 mistreat:c=0.005,fnr=0 mistreat:c=0.002,fnr=0 mistreat:c=0,fnr=0 \
	mistreat:c=0.01,fpr=0 mistreat:c=0,fpr=0 mistreat:c=0.01 mistreat:c=0; do
	f=$(echo "$spec" | tr ':=,' '___')
	"$FT" train --quiet --bootstrap 0 --permutations 0 --data "$C" --target two_year_recid --positive 1 \
		--sensitive race --privileged Caucasian \
		--filter 'days_b_screening_arrest<=30' --filter 'days_b_screening_arrest>=-30' \
		--filter 'is_recid!=-1' --filter 'c_charge_degree!=O' --filter 'score_text!=N/A' \
		--filter 'race!=Hispanic' --filter 'race!=Other' --filter 'race!=Asian' --filter 'race!=Native American' \
		--drop "$DROP" --categorical age_cat,sex,c_charge_degree $USE \
		--split $SPLIT --seed 1 --method "$spec" --out "$OUT/$f.h5" --report "$OUT/$f.csv"
	awk -F, -v label="$spec" '
		$2 == "mitigated" && $3 == "test" && $1 == "accuracy" && $4 == "overall" { acc = $6 }
		$2 == "mitigated" && $3 == "test" && ($1 == "fpr" || $1 == "fnr") { v[$1, $4] = $6 }
		END { a = "African-American"; c = "Caucasian"
			printf "| %-24s | %.4f | %.3f | %.3f | %.3f | %.3f | %+.3f | %+.3f |\n", label, acc,
				v["fpr", a], v["fpr", c], v["fnr", a], v["fnr", c],
				v["fpr", a] - v["fpr", c], v["fnr", a] - v["fnr", c] }' "$OUT/$f.csv"
done
