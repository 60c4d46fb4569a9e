#!/bin/sh
# The price of privacy on Adult (by sex): dp-logreg, dp-reweigh and dp-eg
# for epsilon in {0.1, 0.5, 1, 2, 5, 10, inf}, SEEDS seeds each (20 by
# default), through `fairtrain train` on the standard split (adult.data /
# adult.test, the profile of datasets/README.md).  Writes OUTDIR/runs.tsv
# (one line per run), beside them diffprivlib's LogisticRegression from a
# numpy port of its published algorithm on the same encoded rows
# (diffprivlib_port.py), OUTDIR/table.md (mean and sd of test accuracy and
# test demographic-parity difference) and OUTDIR/plot.png.
#   experiments/adult-privacy/run.sh [OUTDIR]      (SEEDS=20 JOBS=2)
#
# Settings fixed before any run (README.md says why): row_norm = 4, C = 1
# (the default --C), dp-reweigh share 0.1 (its default), dp-eg: constraint
# dp, eps 0.05, 10 rounds.  The runs use the `seed` parameter (seeded noise,
# reproducible and NOT private); real releases leave seed at 0 (getrandom).
# epsilon = inf is the parameter value 0: the non-private method itself,
# deterministic, so it runs once.
set -eu
cd "$(dirname "$0")/../.."
FT=${FAIRTRAIN_BUILD:-build}/fairtrain
A=${FAIRTRAIN_DATA:-datasets}/adult
OUT=${1:-build/experiments/adult-privacy}
SEEDS=${SEEDS:-20}
JOBS=${JOBS:-2}
NAMES=age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income
mkdir -p "$OUT/runs"
rm -f "$OUT/runs/"*

# one job per line: method epsilon seed spec
jobs() {
	for m in dp-logreg dp-reweigh dp-eg; do
		for e in 0.1 0.5 1 2 5 10 inf; do
			if [ "$e" = inf ]; then ev=0; seeds=1; else ev=$e; seeds=$(seq 1 "$SEEDS"); fi
			for s in $seeds; do
				case $m in
				dp-logreg) spec="dp-logreg:epsilon=$ev,row_norm=4,seed=$s" ;;
				dp-reweigh) spec="dp-reweigh:epsilon=$ev,row_norm=4,seed=$s" ;;
				dp-eg) spec="dp-eg:dp:eps=0.05:epsilon=$ev,max_iter=10,row_norm=4,seed=$s" ;;
				esac
				echo "$m $e $s $spec"
			done
		done
	done
}

# each job: train, keep the mitigated model's test accuracy and
# between-groups demographic-parity difference from the report
export OUT FT A NAMES

t0=$(date +%s)
jobs |
	xargs -P "$JOBS" -L 1 sh -c '
		m=$0 e=$1 s=$2 spec=$3
		f="$OUT/runs/$m-$e-$s"
		"$FT" train --quiet --bootstrap 0 --permutations 0 --data "$A/adult.data" \
			--test "$A/adult.test" --test-skip-rows 1 --names "$NAMES" --target income \
			--positive ">50K" --label-strip . --sensitive sex --privileged Male --drop fnlwgt \
			--method "$spec" --out "$f.h5" --report "$f.csv" || exit 255
		awk -F, -v m="$m" -v e="$e" -v s="$s" "
			\$2 == \"mitigated\" && \$3 == \"test\" && \$4 == \"overall\" && \$1 == \"accuracy\" { acc = \$6 }
			\$2 == \"mitigated\" && \$3 == \"test\" && \$5 == \"between_groups\" &&
				\$1 == \"demographic_parity_difference\" { dp = \$6 }
			END { printf \"%s\t%s\t%s\t%.6f\t%.6f\n\", m, e, s, acc, dp }" "$f.csv" >"$f.tsv"
		rm -f "$f.h5" "$f.csv"'
# beside them, diffprivlib's LogisticRegression (a numpy port of its
# published algorithm) on the same encoded rows
for part in train test; do
	"$FT" export --format libsvm --data "$A/adult.data" --test "$A/adult.test" --test-skip-rows 1 \
		--names "$NAMES" --target income --positive '>50K' --label-strip . --sensitive sex \
		--privileged Male --drop fnlwgt --part $part --out "$OUT/$part.svm" >/dev/null
done
/usr/bin/python3 experiments/adult-privacy/diffprivlib_port.py "$OUT/train.svm" "$OUT/test.svm" \
	"$A/adult.test" "$SEEDS" "$OUT/runs/diffprivlib-port.tsv"
rm -f "$OUT/train.svm" "$OUT/test.svm"
t1=$(date +%s)
{ printf 'method\tepsilon\tseed\taccuracy\tdp_difference\n'; cat "$OUT/runs/"*.tsv | sort -k1,1 -k2,2g -k3,3n; } >"$OUT/runs.tsv"

# mean and sd (n - 1) per method and epsilon; inf runs once
awk -F'\t' 'NR > 1 {
		k = $1 SUBSEP $2; n[k]++; sa[k] += $4; qa[k] += $4 * $4; sd_[k] += $5; qd[k] += $5 * $5
		if (!(($1) in seen)) { seen[$1] = 1; order[++nm] = $1 }
	}
	function sd(s, q, c) { return c > 1 ? sqrt((q - s * s / c) / (c - 1) > 0 ? (q - s * s / c) / (c - 1) : 0) : 0 }
	END {
		split("0.1 0.5 1 2 5 10 inf", E, " ")
		print "| method | epsilon | runs | test accuracy (mean +- sd) | DP difference (mean +- sd) |"
		print "|---|---:|---:|---:|---:|"
		for (i = 1; i <= nm; i++) for (j = 1; j <= 7; j++) {
			k = order[i] SUBSEP E[j]; c = n[k]; if (!c) continue
			printf "| %s | %s | %d | %.4f +- %.4f | %.4f +- %.4f |\n", order[i], E[j], c,
				sa[k] / c, sd(sa[k], qa[k], c), sd_[k] / c, sd(sd_[k], qd[k], c)
		}
	}' "$OUT/runs.tsv" >"$OUT/table.md"
# the same as columns for gnuplot: x position (inf plotted at 50)
awk -F'\t' 'NR > 1 { k = $1 "\t" $2; n[k]++; sa[k] += $4; qa[k] += $4 * $4; sd_[k] += $5; qd[k] += $5 * $5 }
	END { for (k in n) { c = n[k]; split(k, a, "\t"); x = a[2] == "inf" ? 50 : a[2]
		va = c > 1 ? (qa[k] - sa[k] * sa[k] / c) / (c - 1) : 0; vd = c > 1 ? (qd[k] - sd_[k] * sd_[k] / c) / (c - 1) : 0
		printf "%s\t%s\t%.6f\t%.6f\t%.6f\t%.6f\n", a[1], x, sa[k] / c, sqrt(va > 0 ? va : 0), sd_[k] / c, sqrt(vd > 0 ? vd : 0) } }' \
	"$OUT/runs.tsv" | sort -k1,1 -k2,2g >"$OUT/summary.tsv"
for m in dp-logreg dp-reweigh dp-eg diffprivlib-port; do grep "^$m	" "$OUT/summary.tsv" >"$OUT/summary-$m.tsv"; done
gnuplot <<GP
set terminal pngcairo size 1200,500 font "sans,11"
set output "$OUT/plot.png"
set multiplot layout 1,2 title "Adult (sex): the price of privacy, mean +- sd over $SEEDS seeds (epsilon = inf: the non-private method)"
set logscale x
set xrange [0.07:80]
set xtics ("0.1" 0.1, "0.5" 0.5, "1" 1, "2" 2, "5" 5, "10" 10, "inf" 50)
set xlabel "epsilon"
set key bottom right
set grid
set ylabel "test accuracy"
plot "$OUT/summary-dp-logreg.tsv" u 2:3:4 w yerrorlines lw 2 t "dp-logreg", \
     "$OUT/summary-dp-reweigh.tsv" u 2:3:4 w yerrorlines lw 2 t "dp-reweigh", \
     "$OUT/summary-dp-eg.tsv" u 2:3:4 w yerrorlines lw 2 t "dp-eg (dp, eps 0.05)", \
     "$OUT/summary-diffprivlib-port.tsv" u 2:3:4 w yerrorlines lw 1 dt 2 t "diffprivlib (numpy port)"
set ylabel "test demographic-parity difference"
set key top right
set yrange [0:0.3]
plot "$OUT/summary-dp-logreg.tsv" u 2:5:6 w yerrorlines lw 2 t "dp-logreg", \
     "$OUT/summary-dp-reweigh.tsv" u 2:5:6 w yerrorlines lw 2 t "dp-reweigh", \
     "$OUT/summary-dp-eg.tsv" u 2:5:6 w yerrorlines lw 2 t "dp-eg (dp, eps 0.05)", \
     "$OUT/summary-diffprivlib-port.tsv" u 2:5:6 w yerrorlines lw 1 dt 2 t "diffprivlib (numpy port)"
unset multiplot
GP
cat "$OUT/table.md"
echo "$(($(wc -l <"$OUT/runs.tsv") - 1)) runs in $((t1 - t0)) s; wrote $OUT/runs.tsv, $OUT/table.md, $OUT/plot.png"
