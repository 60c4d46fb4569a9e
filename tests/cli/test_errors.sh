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
$PY -c "import h5py, numpy; f = h5py.File('$TMP/newer.h5', 'r+'); f.attrs['format_version'] = numpy.int32(4)"
# edited in place, the checksum no longer holds: refused before HDF5 reads it
expect_error err_model_edited 1 "newer.h5: corrupt model file \(checksum mismatch\)$" "$P" -- "$FT" predict --model "$TMP/newer.h5" --data "$TMP/ok.csv" --out "$P"
reseal "$TMP/newer.h5"
expect_error err_model_newer 1 "newer.h5: format_version 4 is newer than this fairtrain supports \(3\)" "$P" -- "$FT" predict --model "$TMP/newer.h5" --data "$TMP/ok.csv" --out "$P"
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
