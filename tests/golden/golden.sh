#!/bin/sh
# golden.sh - record what the fairtrain command prints and writes for a fixed
# set of runs, normalized so that two builds can be compared byte for byte.
#
#   tests/golden/golden.sh record DIR    run every command with $FAIRTRAIN_BUILD/fairtrain
#                                        and write the normalized outputs into DIR
#   tests/golden/golden.sh diff OLD NEW  compare two recorded folders (exit 1 on a difference)
#
# What is recorded per run: stdout (the printed tables), and every file the
# run writes: model files as a text dump of every attribute and dataset
# (tests/golden/h5text.py, numbers to 17 significant digits), CSV files as
# they are.  What is normalized away: wall times ("(0.12 s)", the timing
# table and "Wall time" line of compare's summary, the seconds of runs.csv
# and results.h5), provenance that changes from run to run (created_utc,
# command_line, the fairtrain version) and the temp folder's name.
#
# Used to check that a refactoring leaves every model, table and prediction
# as it was (issue 11): record with the old build, record with the new one,
# diff.  Needs the real data sets ($FAIRTRAIN_DATA, default datasets/).
set -eu
cd "$(dirname "$0")/../.."
here=tests/golden
cmd=${1:-}

case "$cmd" in
diff)
	[ $# -eq 3 ] || { echo "usage: $0 diff OLD NEW" >&2; exit 2; }
	if diff -r "$2" "$3" >/dev/null; then
		echo "golden: $(ls "$2" | wc -l) files identical"
		exit 0
	fi
	diff -r "$2" "$3" | head -200
	exit 1 ;;
record)
	[ $# -eq 2 ] || { echo "usage: $0 record DIR" >&2; exit 2; } ;;
*)
	echo "usage: $0 record DIR | diff OLD NEW" >&2; exit 2 ;;
esac

OUT=$2
FT=$(pwd)/${FAIRTRAIN_BUILD:-build}/fairtrain
D=${FAIRTRAIN_DATA:-datasets}
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
mkdir -p "$OUT"
rm -f "$OUT"/*

# norm FILE: drop wall times and the work folder's name
norm() {
	sed -E -e 's/ \([0-9.]+ s\)$//' -e "s#$W#WORK#g" -e "s#$D#DATA#g" \
	    -e '/^Wall time/d' -e 's/ at [0-9T:-]+Z$//' -e 's/written by fairtrain [0-9.]+/written by fairtrain VERSION/' -e 's/\| [0-9]+\.[0-9]{3} \|/| T |/g' \
	    -e 's/\| [0-9]+\.[0-9]{3} \|/| T |/g' "$1"
}

# run NAME CMD...: stdout and exit code of CMD into NAME.out, stderr into NAME.err
run() {
	name=$1
	shift
	set +e
	"$@" >"$W/stdout" 2>"$W/stderr"
	rc=$?
	set -e
	{ echo "exit $rc"; norm "$W/stdout"; } >"$OUT/$name.out"
	norm "$W/stderr" >"$OUT/$name.err"
}

h5() {  # h5 NAME FILE: the model or results file as text
	$PY "$here/h5text.py" "$2" >"$W/h5.txt" 2>&1 || echo "h5text failed" >>"$W/h5.txt"
	norm "$W/h5.txt" >"$OUT/$1.h5.txt"
}
csv() {  # csv NAME FILE
	norm "$2" >"$OUT/$1"
}

ADULT="--data $D/adult/adult.data --test $D/adult/adult.test --test-skip-rows 1
	--names age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income
	--target income --positive >50K --label-strip . --sensitive sex --privileged Male --drop fnlwgt"
GERMAN="--data $D/german/german.data --delimiter whitespace --no-header
	--names status,duration,history,purpose,amount,savings,employment,rate,personal,debtors,residence,property,age,plans,housing,credits,job,people,telephone,foreign,credit
	--target credit --positive 1 --sensitive personal"
COMPAS="--data $D/compas/compas-scores-two-years.csv --target two_year_recid --positive 0
	--sensitive race --filter race!=Hispanic --filter race!=Other --filter race!=Asian
	--filter race!=Native
	--categorical c_charge_degree
	--drop id,name,first,last,compas_screening_date,sex,dob,age_cat,juv_fel_count,decile_score,juv_misd_count,juv_other_count,days_b_screening_arrest,c_jail_in,c_jail_out,c_case_number,c_offense_date,c_arrest_date,c_days_from_compas,c_charge_desc,is_recid,r_case_number,r_charge_degree,r_days_from_arrest,r_offense_date,r_charge_desc,r_jail_in,r_jail_out,violent_recid,is_violent_recid,vr_case_number,vr_charge_degree,vr_offense_date,vr_charge_desc,type_of_assessment,decile_score.1,score_text,screening_date,v_type_of_assessment,v_decile_score,v_score_text,v_screening_date,in_custody,out_custody,start,end,event
	--missing impute --split 0.3"
LSAT="--task rank --names query,protected,LSAT,UGPA,ZFYA --query query --relevance ZFYA
	--sensitive protected --protected 1 --no-standardize"

# ---- the demo data: every classification method, predict, eval, audit
"$FT" synth --rows 3000 --seed 7 --out "$W/synth.csv"
csv synth.csv "$W/synth.csv"
SYN="--data $W/synth.csv --target hired --positive yes --sensitive gender --privileged male
	--bootstrap 200 --permutations 200"
for m in logreg reweigh prejudice:eta=5 prejudice:eta=5,per_group=0 reg-dp:lambda=10 \
	reg-eo:lambda=5 reg-eop:lambda=5 reg-cov:lambda=10 cov-fair:c=0.01 cov-acc:gamma=0.1 \
	mistreat:c=0.01 eg:dp:eps=0.02 eg:eo:eps=0.05,ratio=0.8 grid:dp grid:tpr:grid_size=5 \
	threshold:dp threshold:eo:objective=balanced_accuracy; do
	n=synth-$(echo "$m" | tr ':=,.' '____')
	# shellcheck disable=SC2086
	run "$n-train" "$FT" train $SYN --method "$m" --out "$W/$n.h5" --report "$W/$n.json"
	h5 "$n" "$W/$n.h5"
	csv "$n.report.json" "$W/$n.json"
	run "$n-predict" "$FT" predict --model "$W/$n.h5" --data "$W/synth.csv" --out "$W/$n.pred.csv"
	csv "$n.pred.csv" "$W/$n.pred.csv"
	run "$n-eval" "$FT" eval --model "$W/$n.h5" --data "$W/synth.csv" --bootstrap 100 \
		--permutations 100 --report "$W/$n.eval.csv"
	csv "$n.eval.csv" "$W/$n.eval.csv"
	run "$n-inspect" "$FT" inspect "$W/$n.h5"
done
# predict -> audit: join the scores to the sensitive column
$PY - "$W/synth.csv" "$W/synth-eg_dp_eps_0_02.pred.csv" "$W/audit.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pred = list(csv.DictReader(open(sys.argv[2])))
with open(sys.argv[3], "w", newline="") as f:
    w = csv.writer(f); w.writerow(["gender", "hired", "score", "p_positive"])
    for r, p in zip(rows, pred):
        w.writerow([r["gender"], r["hired"], p["score"], p["p_positive"]])
EOF
run synth-audit "$FT" audit --data "$W/audit.csv" --label hired --positive yes --score score \
	--sensitive gender --privileged male --bootstrap 100 --report "$W/audit.md"
csv synth-audit.md "$W/audit.md"
run synth-audit-pos "$FT" audit --data "$W/audit.csv" --label hired --positive yes --score p_positive \
	--sensitive gender --bootstrap 0 --permutations 50
run synth-export "$FT" export --format libsvm --data "$W/synth.csv" --target hired --positive yes --sensitive gender --out "$W/synth.svm"
csv synth.svm "$W/synth.svm"

# ---- Adult, German, COMPAS
# shellcheck disable=SC2086
run adult-logreg "$FT" train $ADULT --bootstrap 100 --permutations 100 --out "$W/adult.h5"
h5 adult-logreg "$W/adult.h5"
run adult-predict "$FT" predict --model "$W/adult.h5" --data "$D/adult/adult.test" --skip-rows 1 --out "$W/adult.pred"
csv adult-logreg.pred.csv "$W/adult.pred"
for m in eg:dp threshold:eo prejudice:eta=25 reweigh; do
	n=adult-$(echo "$m" | tr ':=,.' '____')
	# shellcheck disable=SC2086
	run "$n" "$FT" train $ADULT --bootstrap 0 --permutations 0 --method "$m" --out "$W/$n.h5"
	h5 "$n" "$W/$n.h5"
	run "$n-eval" "$FT" eval --model "$W/$n.h5" --data "$D/adult/adult.test" --skip-rows 1 \
		--bootstrap 50 --permutations 50
done
for m in reweigh grid:dp:grid_size=7 eg:eo threshold:dp mistreat:c=0.1; do
	n=german-$(echo "$m" | tr ':=,.' '____')
	# shellcheck disable=SC2086
	run "$n" "$FT" train $GERMAN --bootstrap 100 --permutations 100 --method "$m" --out "$W/$n.h5"
	h5 "$n" "$W/$n.h5"
done
for m in logreg mistreat:c=0,fnr=0 cov-fair:c=0.01; do
	n=compas-$(echo "$m" | tr ':=,.' '____')
	# shellcheck disable=SC2086
	run "$n" "$FT" train $COMPAS --bootstrap 100 --permutations 100 --method "$m" --out "$W/$n.h5"
	h5 "$n" "$W/$n.h5"
done

# ---- ranking: LSAT (csv), every ranking method, re-rankers, predict, eval
L="$D/deltr-lsat/gender"
for m in listnet ranknet deltr:gamma=2e5,reference=1,iterations=300 deltr:gamma=50 \
	pair-reg:lambda=1 pair-con:c=0.05; do
	n=lsat-$(echo "$m" | tr ':=,.' '____')
	# shellcheck disable=SC2086
	run "$n" "$FT" train $LSAT --data "$L/train.txt" --test "$L/test.txt" --method "$m" \
		--rerank fair:alpha=0.1,k=20 --out "$W/$n.h5" --report "$W/$n.csv"
	h5 "$n" "$W/$n.h5"
	csv "$n.report.csv" "$W/$n.csv"
done
n=lsat-deltr_gamma_50
run lsat-predict "$FT" predict --model "$W/$n.h5" --data "$L/test.txt" --out "$W/lsat.pred"
csv lsat.pred.csv "$W/lsat.pred"
for rr in det_greedy:k=10 det_cons det_relaxed:p=0.3 none; do
	run "lsat-predict-$(echo "$rr" | tr ':=,.' '____')" "$FT" predict --model "$W/$n.h5" \
		--data "$L/test.txt" --rerank "$rr" --out -
done
run lsat-eval "$FT" eval --model "$W/$n.h5" --data "$L/test.txt"
run lsat-inspect "$FT" inspect "$W/$n.h5"
# LETOR: the LSAT test split written as SVMlight lines
$PY - "$L/train.txt" "$W/lsat.letor" <<'EOF'
import sys
with open(sys.argv[2], "w") as f:
    for line in open(sys.argv[1]):
        q, p, a, b, z = line.strip().split(",")
        f.write("%s qid:%s 1:%s 2:%s 3:%s\n" % (z, q, p, a, b))
EOF
$PY - "$L/test.txt" "$W/lsat-test.letor" <<'EOF'
import sys
with open(sys.argv[2], "w") as f:
    for line in open(sys.argv[1]):
        q, p, a, b, z = line.strip().split(",")
        f.write("%s qid:%s 1:%s 2:%s 3:%s\n" % (z, q, p, a, b))
EOF
run letor-train "$FT" train --task rank --format letor --data "$W/lsat.letor" --test "$W/lsat-test.letor" \
	--sensitive-feature 1 --protected 1 --colorblind --method deltr:gamma=20 \
	--rerank det_greedy --out "$W/letor.h5"
h5 letor "$W/letor.h5"
run letor-predict "$FT" predict --model "$W/letor.h5" --data "$W/lsat.letor" --out -

# ---- compare: the demo sweep, German with repeated splits, Adult with a test file
run compare-synth "$FT" compare --data "$W/synth.csv" --target hired --positive yes \
	--sensitive gender --privileged male --bootstrap 50 --methods "baseline reweigh prejudice:eta=5,25
	cov-fair:c=0.01 reg-dp:lambda=10 eg:dp:eps=0.01,0.05 grid:dp threshold:dp threshold:eo
	mistreat:c=0.01" --folds 3 --seed 3 --out "$W/cmp-synth"
for f in results.csv summary.md plots.gp; do
	csv "compare-synth.$f" "$W/cmp-synth/$f"
done
# runs.csv without its seconds column
$PY -c 'import csv, sys
r = list(csv.reader(open(sys.argv[1])))
w = csv.writer(sys.stdout, lineterminator="\n")
for row in r[1:]: row[4] = "T"
w.writerows(r)' "$W/cmp-synth/runs.csv" >"$OUT/compare-synth.runs.csv"
h5 compare-synth-results "$W/cmp-synth/results.h5"
# shellcheck disable=SC2086
run compare-german "$FT" compare $GERMAN --methods "baseline reweigh eg:eo threshold:dp" \
	--repeats 3 --split 0.3 --out "$W/cmp-german"
for f in results.csv summary.md; do
	csv "compare-german.$f" "$W/cmp-german/$f"
done
# shellcheck disable=SC2086
run compare-adult "$FT" compare $ADULT --methods "baseline threshold:dp eg:dp:eps=0.05" \
	--fairness equalized_odds_difference --out "$W/cmp-adult"
csv compare-adult.summary.md "$W/cmp-adult/summary.md"
h5 compare-adult-results "$W/cmp-adult/results.h5"

# ---- errors: the message and exit code of a few bad inputs
run err-nosens "$FT" train $SYN --method eg --sensitive '' --out "$W/x.h5"
run err-badmethod "$FT" train $SYN --method nope --out "$W/x.h5"
run err-rank-badrr "$FT" train $LSAT --data "$L/train.txt" --rerank fair:p=2 --out "$W/x.h5"
echo "golden: recorded $(ls "$OUT" | wc -l) files in $OUT"
