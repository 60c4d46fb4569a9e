#!/bin/sh
# Adult by sex: reweighing (Kamiran & Calders 2012), the prejudice remover
# (Kamishima et al. 2012), covariance constraints (Zafar et al. 2017), the
# regularizers, the feature transforms (dir, corr-remove, lfr, optim-pre)
# and AIF360's post-processors (cal-eo, reject-option), each swept over its
# strength on the standard split
# (adult.data / adult.test, the profile of datasets/README.md).
#   experiments/adult-sex/run.sh [OUTDIR]
set -eu
cd "$(dirname "$0")/../.."
FT=${FAIRTRAIN_BUILD:-build}/fairtrain
A=${FAIRTRAIN_DATA:-datasets}/adult
OUT=${1:-build/experiments/adult-sex}
mkdir -p "$OUT"
NAMES=age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income
echo "| method | test accuracy | p%-rule | DP difference | FPR gap (F-M) | FNR gap (F-M) |"
echo "|---|---:|---:|---:|---:|---:|"
for spec in logreg reweigh \
	prejudice:eta=1 prejudice:eta=5 prejudice:eta=25 prejudice:eta=100 \
	cov-fair:c=1 cov-fair:c=0.1 cov-fair:c=0.01 cov-fair:c=0.001 cov-fair:c=0 \
	cov-acc:gamma=0.01 cov-acc:gamma=0.05 cov-acc:gamma=0.1 \
	reg-dp:lambda=0.1 reg-dp:lambda=1 reg-dp:lambda=10 \
	reg-cov:lambda=0.1 reg-cov:lambda=1 reg-cov:lambda=10 \
	dir dir:repair_level=0.5 corr-remove corr-remove:alpha=0.5 \
	lfr:restarts=1,max_iter=300 optim-pre:col1=1,col2=2 \
	cal-eo reject-option; do
	f=$(echo "$spec" | tr ':=,' '___')
	"$FT" train --quiet --bootstrap 0 --permutations 0 --data "$A/adult.data" --test "$A/adult.test" \
		--test-skip-rows 1 --names "$NAMES" --target income --positive '>50K' --label-strip . \
		--sensitive sex --privileged Male --drop fnlwgt --method "$spec" \
		--out "$OUT/$f.h5" --report "$OUT/$f.csv"
	experiments/summarize.sh "$OUT/$f.csv" "$spec"
done
