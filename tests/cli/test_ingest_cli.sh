# Ingest at scale end to end (issue 20 item 6): a 300,000-row CSV of about
# 9 MB, big enough to be read in two parts on two threads, with columns
# of many distinct plain decimals (stored as numbers), a categorical column,
# and a quoted field with a newline every 997 rows (so the cut must find a
# boundary outside quotes).  The model of `train` is the same to the bit on
# one and on two threads, and the same as from a copy of the file whose
# numbers are written so that they stay text ("+1.25" reads as 1.25 but is
# not reprinted so): only the provenance (paths, hashes, time, command
# line) differs.  A bad row and a negative weight in the second half are
# named by their lines, with no model left behind.
. tests/cli/lib.sh

gen() {  # gen OUT PLUS BAD [NEG]: PLUS=1 writes "+" before non-negative
         # numbers; BAD > 0 gives row BAD one field too few, NEG > 0 row NEG
         # the weight -1
	awk -v plus="$2" -v bad="$3" -v neg="${4:-0}" 'BEGIN {
		srand(7)
		print "x1,x2,x3,note,cat,sex,w,y"
		for (i = 1; i <= 300000; i++) {
			x1 = int(rand() * 800000 - 400000) / 100
			x2 = int(rand() * 60000) / 1000
			x3 = int(rand() * 2000) - 1000
			cat = "c" int(rand() * 12)
			sex = rand() < 0.4 ? "F" : "M"
			z = 0.002 * x1 + 0.05 * x2 - 0.001 * x3 + (sex == "F" ? -0.4 : 0.3) + (cat == "c3" ? 0.8 : 0)
			y = rand() < 1 / (1 + exp(-z)) ? 1 : 0
			note = i % 997 == 0 ? "\"two\nlines, " i "\"" : "n" (i % 50)
			s1 = (plus && x1 >= 0 ? "+" : "") sprintf("%.2f", x1)
			s2 = (plus ? "+" : "") sprintf("%.3f", x2)
			s3 = (plus && x3 >= 0 ? "+" : "") x3
			w = i == neg ? -1 : 1
			if (i == bad)
				print s1 "," s2 "," s3 "," note "," cat "," sex "," w
			else
				print s1 "," s2 "," s3 "," note "," cat "," sex "," w "," y
		}
	}' >"$1"
}

gen "$TMP/big.csv" 0 0
gen "$TMP/text.csv" 1 0
TRAIN="--target y --positive 1 --sensitive sex --weight w --split 0.3 --seed 3 --bootstrap 20 --permutations 20"
size=$(wc -c <"$TMP/big.csv")
[ "$size" -gt 8388608 ] && pass ingest_file_is_split_size || fail ingest_file_is_split_size "$size bytes"

check ingest_train_1_thread env OMP_NUM_THREADS=1 "$FT" train --quiet --data "$TMP/big.csv" $TRAIN --out "$TMP/m1.h5"
check ingest_train_2_threads env OMP_NUM_THREADS=2 "$FT" train --quiet --data "$TMP/big.csv" $TRAIN --out "$TMP/m2.h5"
check ingest_train_text_numbers env OMP_NUM_THREADS=2 "$FT" train --quiet --data "$TMP/text.csv" $TRAIN --out "$TMP/mt.h5"
if $PY tests/cli/h5same.py "$TMP/m1.h5" "$TMP/m2.h5" --skip command_line --skip created_utc \
	>"$TMP/same.out" 2>&1; then
	pass ingest_same_model_1_2_threads
else
	fail ingest_same_model_1_2_threads "$(head -3 "$TMP/same.out")"
fi
if $PY tests/cli/h5same.py "$TMP/m2.h5" "$TMP/mt.h5" --skip command_line --skip created_utc \
	--skip inputs >"$TMP/same.out" 2>&1; then
	pass ingest_numbers_equal_text
else
	fail ingest_numbers_equal_text "$(head -3 "$TMP/same.out")"
fi
# every row read once: none lost or doubled at the cut
$PY - "$TMP/m2.h5" <<'PYEOF' && pass ingest_rows_counted || fail ingest_rows_counted "see above"
import sys, h5py
a = h5py.File(sys.argv[1], "r")["/training"].attrs
tr, te = int(a["n_train"]), int(a["n_test"])
assert tr + te == 300000 and int(a["n_dropped"]) == 0, (tr, te)
PYEOF
# data row 240,000 is on line 240,000 + 1 (the header) + 240 (the quoted
# newlines before it, one every 997 rows)
gen "$TMP/bad.csv" 0 240000
expect_error ingest_bad_row_second_half 1 "bad\.csv:240241: expected 8 fields, found 7" \
	"$TMP/bad.h5" -- env OMP_NUM_THREADS=2 "$FT" train --quiet --data "$TMP/bad.csv" $TRAIN \
	--out "$TMP/bad.h5"
# an error found after reading (by the encoder) names the line too: the
# second part's line numbers are the file's
gen "$TMP/neg.csv" 0 0 240000
expect_error ingest_bad_weight_second_half 1 "neg\.csv:240241: .*-1" \
	"$TMP/neg.h5" -- env OMP_NUM_THREADS=2 "$FT" train --quiet --data "$TMP/neg.csv" $TRAIN \
	--out "$TMP/neg.h5"
