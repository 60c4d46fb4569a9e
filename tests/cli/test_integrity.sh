# Self-verifying files (src/io/h5image.c): a model file and results.h5
# begin with the 512-byte checksum block, which h5py and h5dump skip; the
# block's digest is the SHA-256 of the rest, recomputed here with Python's
# hashlib; a changed byte is refused with one line; files written before
# the block (tests/fixtures/legacy_model_v*.h5) still work.
. tests/cli/lib.sh

"$FT" synth --rows 400 --seed 9 --out "$TMP/s.csv" >/dev/null
T="--target hired --positive yes --sensitive gender --bootstrap 0 --permutations 0"
"$FT" train --quiet --data "$TMP/s.csv" $T --out "$TMP/m.h5"
"$FT" compare --quiet --data "$TMP/s.csv" --target hired --positive yes \
	--sensitive gender --methods "baseline reweigh" --folds 2 --out "$TMP/cmp" >/dev/null
R="$TMP/cmp/results.h5"

for f in "$TMP/m.h5" "$R"; do
	n=$(basename "$f")
	# the block as Python computes it, and the file unchanged by resealing
	cp "$f" "$TMP/copy.h5" && reseal "$TMP/copy.h5" && cmp -s "$f" "$TMP/copy.h5" &&
	head -c 512 "$f" | tr -d '\0' | grep -q "^length $(wc -c <"$f" | tr -d ' ')\$" &&
		pass "integrity_block_$n" || fail "integrity_block_$n" "block differs from hashlib's"
	$PY -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
assert f.userblock_size == 512, f.userblock_size
assert f.attrs['format'] in ('fairtrain-model', 'fairtrain-compare'), f.attrs['format']
" "$f" && pass "integrity_h5py_$n" || fail "integrity_h5py_$n" "h5py cannot read $n"
	h5dump -A "$f" >"$TMP/dump" 2>&1 && grep -q 'ATTRIBUTE "format"' "$TMP/dump" &&
		pass "integrity_h5dump_$n" || fail "integrity_h5dump_$n" "$(head -n 3 "$TMP/dump")"
done

# one changed byte, anywhere: one line, before HDF5
P="$TMP/pred.csv"
for at in 7 300 600 5000; do
	cp "$TMP/m.h5" "$TMP/flip.h5"
	printf '\377' | dd of="$TMP/flip.h5" bs=1 seek=$at conv=notrunc 2>/dev/null
	expect_error "integrity_flip_$at" 1 "^fairtrain: .*/flip.h5: corrupt model file \(checksum mismatch\)$" "$P" -- \
		"$FT" predict --model "$TMP/flip.h5" --data "$TMP/s.csv" --out "$P"
done
cp "$TMP/m.h5" "$TMP/long.h5" && printf 'x' >>"$TMP/long.h5"
expect_error integrity_appended 1 "long.h5: corrupt model file \(checksum mismatch\)$" "" -- "$FT" inspect "$TMP/long.h5"

# older files: no block, still read (unverified; README "What a reader checks")
for v in 1 2; do
	f=tests/fixtures/legacy_model_v$v.h5
	"$FT" inspect "$f" >"$TMP/out" 2>"$TMP/err" && grep -q "fairtrain-model version $v" "$TMP/out" &&
		pass "integrity_legacy_v$v" || fail "integrity_legacy_v$v" "$(cat "$TMP/err")"
done
"$FT" synth --rows 200 --seed 3 --out "$TMP/synth200.csv" >/dev/null
check integrity_legacy_predict "$FT" predict --model tests/fixtures/legacy_model_v1.h5 \
	--data "$TMP/synth200.csv" --out "$TMP/legacy.csv"

# nothing but the outputs in the folder
[ "$(ls -a "$TMP/cmp" | grep -c '\.tmp\.')" -eq 0 ] && [ -z "$(ls -a "$TMP" | grep '\.tmp\.')" ] &&
	pass integrity_no_temp || fail integrity_no_temp "$(ls -a "$TMP")"
