# No module reaches back (issue 11): the library's directories form layers
#   core < linalg < optim < data < model < metrics < fair < io < run
# and no object file of a layer uses a symbol defined in a later one (nm of
# the built objects; model/ calling fair/ was the cycle this replaced).
. tests/cli/lib.sh

O=$BUILD/obj/src
LAYERS="core linalg optim data model metrics fair io run"
for d in $LAYERS; do
	for f in "$O/$d"/*.o; do
		nm --defined-only "$f" | awk '$2 ~ /[TDBR]/ { print $3 }'
	done | sort -u >"$TMP/def.$d"
	for f in "$O/$d"/*.o; do
		nm -u "$f" | awk '{ print $2 }'
	done | sort -u >"$TMP/und.$d"
done
for d in $LAYERS; do
	later=0 bad=
	for x in $LAYERS; do
		if [ "$x" = "$d" ]; then later=1; continue; fi
		[ $later = 1 ] || continue
		uses=$(comm -12 "$TMP/und.$d" "$TMP/def.$x" | head -3 | tr '\n' ' ')
		[ -n "$uses" ] && bad="$bad $x ($uses)"
	done
	if [ -s "$TMP/def.$d" ] && [ -z "$bad" ]; then
		pass "layer_$d"
	else
		fail "layer_$d" "uses later layers:${bad:- (no objects found in $O/$d)}"
	fi
done
