# Bad input: each gets one clear error line, the right exit status, and no
# output file (nor temp file) left behind.
. tests/cli/lib.sh

"$FT" synth --rows 400 --seed 2 --out "$TMP/ok.csv" >/dev/null
O="$TMP/out.h5"
T="--target hired --positive yes --sensitive gender"

expect_error err_no_command 2 "fairtrain: unknown command 'frobnicate'" "" -- "$FT" frobnicate
expect_error err_unknown_option 2 "unknown option '--frob'" "$O" -- "$FT" train --frob --data "$TMP/ok.csv" $T --out "$O"
expect_error err_missing_value 2 "option '--out' needs a value" "" -- "$FT" train --data "$TMP/ok.csv" $T --out
expect_error err_no_target 2 "--target COL is required" "$O" -- "$FT" train --data "$TMP/ok.csv" --positive yes --out "$O"
expect_error err_bad_split 2 "--split takes a fraction" "$O" -- "$FT" train --data "$TMP/ok.csv" $T --split 1.5 --out "$O"
expect_error err_bad_C 2 "C" "$O" -- "$FT" train --data "$TMP/ok.csv" $T --C -1 --out "$O"
expect_error err_no_file 1 "nosuch.csv: No such file or directory" "$O" -- "$FT" train --data "$TMP/nosuch.csv" $T --out "$O"

# wrong number of fields names file and line
{ head -5 "$TMP/ok.csv"; echo "female,30,5,master"; tail -n +6 "$TMP/ok.csv"; } >"$TMP/short.csv"
expect_error err_short_row 1 "short.csv:6: expected 9 fields, found 4" "$O" -- "$FT" train --data "$TMP/short.csv" $T --out "$O"
# unterminated quote
{ head -3 "$TMP/ok.csv"; echo 'female,"30,5,master,50,5,yoga,no,yes'; } >"$TMP/quote.csv"
expect_error err_bad_quote 1 "quote.csv:4" "$O" -- "$FT" train --data "$TMP/quote.csv" $T --out "$O"
# unknown columns
expect_error err_unknown_target 1 "no column 'hird'" "$O" -- "$FT" train --data "$TMP/ok.csv" --target hird --positive yes --out "$O"
expect_error err_unknown_sensitive 1 "no column 'sex'" "$O" -- "$FT" train --data "$TMP/ok.csv" --target hired --positive yes --sensitive sex --out "$O"
# positive value never seen
expect_error err_bad_positive 1 "ok.csv: .*'Yes'.*'hired'" "$O" -- "$FT" train --data "$TMP/ok.csv" --target hired --positive Yes --out "$O"
# NaN in a numeric column
sed '5s/^female,[0-9]*,/female,nan,/; 5s/^male,[0-9]*,/male,nan,/' "$TMP/ok.csv" >"$TMP/nan.csv"
expect_error err_nan 1 "nan.csv:5: column 'age': non-finite value 'nan'" "$O" -- "$FT" train --data "$TMP/nan.csv" $T --out "$O"
# a sensitive attribute with one group only
grep -v '^male,' "$TMP/ok.csv" >"$TMP/onegroup.csv"
expect_error err_one_group 1 "gender.*only one" "$O" -- "$FT" train --data "$TMP/onegroup.csv" $T --out "$O"
# only one class
grep -v ',yes$' "$TMP/ok.csv" >"$TMP/oneclass.csv"
expect_error err_one_class 1 "oneclass.csv" "$O" -- "$FT" train --data "$TMP/oneclass.csv" --target hired --positive no --out "$O"
# empty file, header only
: >"$TMP/empty.csv"
expect_error err_empty_file 1 "empty.csv: no data rows" "$O" -- "$FT" train --data "$TMP/empty.csv" $T --out "$O"
head -1 "$TMP/ok.csv" >"$TMP/header.csv"
expect_error err_header_only 1 "header.csv: no data rows" "$O" -- "$FT" train --data "$TMP/header.csv" $T --out "$O"
# unknown privileged group
expect_error err_bad_privileged 1 "privileged.*'Male'" "$O" -- "$FT" train --data "$TMP/ok.csv" $T --privileged Male --out "$O"
# negative weight
awk -F, 'BEGIN{OFS=","} NR==1{print $0",w"; next} {print $0","(NR==7?-1:1)}' "$TMP/ok.csv" >"$TMP/w.csv"
expect_error err_negative_weight 1 "w.csv:7: .*weight" "$O" -- "$FT" train --data "$TMP/w.csv" $T --weight w --out "$O"
# unwritable output paths
expect_error err_out_no_dir 1 "nodir/m.h5" "" -- "$FT" train --data "$TMP/ok.csv" $T --out "$TMP/nodir/m.h5"
mkdir -p "$TMP/isdir.h5"
expect_error err_out_is_dir 1 "isdir.h5" "" -- "$FT" train --data "$TMP/ok.csv" $T --out "$TMP/isdir.h5"
[ -z "$(ls "$TMP" | grep '\.tmp\.')" ] && pass err_out_no_temp || fail err_out_no_temp "$(ls "$TMP")"

# model files that are not ours, broken or newer
P="$TMP/p.csv"
echo "not an hdf5 file" >"$TMP/text.h5"
expect_error err_model_text 1 "text.h5: not an HDF5 file" "$P" -- "$FT" predict --model "$TMP/text.h5" --data "$TMP/ok.csv" --out "$P"
expect_error err_model_missing 1 "none.h5: .*No such file or directory" "$P" -- "$FT" predict --model "$TMP/none.h5" --data "$TMP/ok.csv" --out "$P"
"$FT" train --quiet --data "$TMP/ok.csv" $T --out "$TMP/good.h5"
head -c 3000 "$TMP/good.h5" >"$TMP/trunc.h5"
expect_error err_model_truncated 1 "trunc.h5" "$P" -- "$FT" predict --model "$TMP/trunc.h5" --data "$TMP/ok.csv" --out "$P"
$PY -c "import h5py; f = h5py.File('$TMP/foreign.h5', 'w'); f['x'] = [1, 2, 3]"
expect_error err_model_foreign 1 "foreign.h5: not a fairtrain model file" "$P" -- "$FT" predict --model "$TMP/foreign.h5" --data "$TMP/ok.csv" --out "$P"
cp "$TMP/good.h5" "$TMP/newer.h5"
$PY -c "import h5py, numpy; f = h5py.File('$TMP/newer.h5', 'r+'); f.attrs['format_version'] = numpy.int32(6)"
# edited in place, the checksum no longer holds: refused before HDF5 reads it
expect_error err_model_edited 1 "newer.h5: corrupt model file \(checksum mismatch\)$" "$P" -- "$FT" predict --model "$TMP/newer.h5" --data "$TMP/ok.csv" --out "$P"
reseal "$TMP/newer.h5"
expect_error err_model_newer 1 "newer.h5: format_version 6 is newer than this fairtrain supports \(5\)" "$P" -- "$FT" predict --model "$TMP/newer.h5" --data "$TMP/ok.csv" --out "$P"
expect_error err_inspect_foreign 1 "foreign.h5: not a fairtrain model file" "" -- "$FT" inspect "$TMP/foreign.h5"
# predict on data without a feature column
cut -d, -f1,3- "$TMP/ok.csv" >"$TMP/noage.csv"
expect_error err_predict_missing_column 1 "noage.csv.*'age'" "$P" -- "$FT" predict --model "$TMP/good.h5" --data "$TMP/noage.csv" --out "$P"
# predict into an unwritable place
expect_error err_predict_out 1 "nodir/p.csv" "" -- "$FT" predict --model "$TMP/good.h5" --data "$TMP/ok.csv" --out "$TMP/nodir/p.csv"

# A 3-row file whose categorical column has a value a row: the proxy report
# once overflowed its buffer (two entries per category, one per row)
printf 'id,sex,y\na,F,1\nb,M,0\nc,F,0\n' > "$TMP/three.csv"
check tiny_id_column "$FT" train --quiet --data "$TMP/three.csv" --target y --positive 1 \
	--sensitive sex --split 0 --bootstrap 0 --permutations 0 --out "$TMP/three.h5"
# and eval of 4 valid rows with 4 values of that column (eval's proxy report)
printf 'id,sex,y\nd,F,1\ne,M,0\nf,F,0\ng,M,1\n' > "$TMP/four.csv"
check tiny_id_column_eval "$FT" eval --quiet --model "$TMP/three.h5" --data "$TMP/four.csv" \
	--bootstrap 0 --report "$TMP/four_eval.csv"

# A test part or evaluation file whose labels never match --positive while
# the training part had it (adult.test's '>50K.' without --label-strip):
# one line naming the labels seen and the likely fix, unless expected
$PY - "$TMP" <<'PYEOF'
import random, sys
random.seed(3)
rows = [(random.choice("FM"), random.gauss(0, 1)) for _ in range(200)]
with open(sys.argv[1] + "/lab_train.csv", "w") as f:
    f.write("sex,x,y\n")
    for s, x in rows:
        f.write("%s,%.3f,%s\n" % (s, x, "yes" if x + random.gauss(0, 1) > 0 else "no"))
with open(sys.argv[1] + "/lab_test.csv", "w") as f:
    f.write("sex,x,y\n")
    for s, x in rows[:60]:
        f.write("%s,%.3f,%s\n" % (s, x, "yes." if x > 0 else "no."))
PYEOF
L="--target y --positive yes --sensitive sex --bootstrap 0 --permutations 0"
expect_error err_test_never_positive 1 \
	"lab_test.csv: the positive label 'yes' of 'y' never occurs in the test part \(values: 'no.', 'yes.'|'yes.', 'no.'; is --label-strip missing\?\); give --allow-no-positive" \
	"$TMP/lab.h5" -- "$FT" train --data "$TMP/lab_train.csv" --test "$TMP/lab_test.csv" $L --out "$TMP/lab.h5"
check test_never_positive_allowed "$FT" train --quiet --data "$TMP/lab_train.csv" --test "$TMP/lab_test.csv" \
	$L --allow-no-positive --out "$TMP/lab.h5"
check test_label_strip_fixes "$FT" train --quiet --data "$TMP/lab_train.csv" --test "$TMP/lab_test.csv" \
	$L --label-strip . --out "$TMP/lab2.h5"
expect_error err_eval_never_positive 1 "lab_test.csv: the positive label 'yes' of 'y' never occurs in the evaluation rows" \
	"" -- "$FT" eval --model "$TMP/lab.h5" --data "$TMP/lab_test.csv"
check eval_never_positive_allowed "$FT" eval --quiet --model "$TMP/lab.h5" --data "$TMP/lab_test.csv" --allow-no-positive
expect_error err_compare_test_never_positive 1 "lab_test.csv: the positive label 'yes' of 'y' never occurs in the test part" \
	"$TMP/labcmp" -- "$FT" compare --data "$TMP/lab_train.csv" --test "$TMP/lab_test.csv" \
	--target y --positive yes --sensitive sex --methods "baseline reweigh" --out "$TMP/labcmp"

# An output that is an input is refused before any work, and the input is
# untouched (issue 12 item 6: --out equal to --data replaced the CSV with
# the model); a threshold outside (0, 1] is refused (it decided every row
# alike)
cp "$TMP/ok.csv" "$TMP/in.csv"
expect_error err_out_is_data 2 "the output .*in.csv is the input .*in.csv, which it would replace" "" -- \
	"$FT" train --data "$TMP/in.csv" $T --out "$TMP/in.csv"
cmp -s "$TMP/in.csv" "$TMP/ok.csv" && pass out_is_data_untouched || fail out_is_data_untouched "in.csv changed"
expect_error err_report_is_test 2 "is the input" "" -- \
	"$FT" train --data "$TMP/ok.csv" --test "$TMP/in.csv" $T --report "$TMP/in.csv" --out "$TMP/x.h5"
expect_error err_predict_out_is_model 2 "the output .*good.h5 is the input" "" -- \
	"$FT" predict --model "$TMP/good.h5" --data "$TMP/ok.csv" --out "$TMP/good.h5"
ln -s "$TMP/in.csv" "$TMP/link.csv"
expect_error err_out_is_data_via_link 2 "link.csv is the input" "" -- \
	"$FT" predict --model "$TMP/good.h5" --data "$TMP/in.csv" --out "$TMP/link.csv"
for t in 2 0 -0.5 nan; do
	expect_error "err_threshold_$t" 2 "--threshold takes a number in \(0, 1\], not '$t'" "$TMP/t.h5" -- \
		"$FT" train --data "$TMP/ok.csv" $T --threshold "$t" --out "$TMP/t.h5"
done
check threshold_one "$FT" train --quiet --data "$TMP/ok.csv" $T --threshold 1 --out "$TMP/t1.h5"

# A file read with the wrong delimiter: the message says which one it holds
tr ',' ';' <"$TMP/ok.csv" >"$TMP/semi.csv"
expect_error err_semicolon_hint 1 "semi.csv: no column 'hired' .*one column whose name holds ';': --delimiter ';'\?" \
	"$TMP/x.h5" -- "$FT" train --data "$TMP/semi.csv" $T --out "$TMP/x.h5"
check semicolon_with_delimiter "$FT" train --quiet --data "$TMP/semi.csv" --delimiter ';' $T --out "$TMP/x.h5"

# A numeric sensitive column with many values becomes one group a value:
# a warning says so (it was silent)
"$FT" train --data "$TMP/ok.csv" --target hired --positive yes --sensitive age --bootstrap 0 \
	--permutations 0 --out "$TMP/age.h5" >/dev/null 2>"$TMP/err"
grep -q "warning: .*ok.csv: the sensitive column 'age' holds [0-9]* different numbers, each its own group" "$TMP/err" &&
	pass warn_numeric_sensitive || fail warn_numeric_sensitive "$(cat "$TMP/err")"
"$FT" train --data "$TMP/ok.csv" $T --bootstrap 0 --permutations 0 --out "$TMP/g.h5" >/dev/null 2>"$TMP/err"
! grep -q "different numbers" "$TMP/err" && pass no_warn_categorical_sensitive ||
	fail no_warn_categorical_sensitive "$(cat "$TMP/err")"

# An unquoted >50K: the shell redirects, --positive takes the next option
# as its value, and the leftover word gets a hint about quoting
(cd "$TMP" && "$FT" train --data ok.csv --target hired --positive >50K --sensitive gender \
	--out x50.h5 2>err50) ; rm -f "$TMP/50K"
head -1 "$TMP/err50" | grep -q "unexpected argument 'gender': --positive took '--sensitive' as its value (a value holding '>' or '<' must be quoted" &&
	[ ! -e "$TMP/x50.h5" ] && pass err_unquoted_redirect_hint ||
	fail err_unquoted_redirect_hint "$(cat "$TMP/err50")"
expect_error err_unexpected_plain 2 "unexpected argument 'extra'$" "" -- \
	"$FT" train --data "$TMP/ok.csv" $T --out "$TMP/x.h5" extra
