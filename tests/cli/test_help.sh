# Every --help fits 79 columns, lists each option once, and exits 0
# (issue 14 item 10: help lines of up to 141 columns, compare listing
# --test, --seed and --split twice with different meanings).
. tests/cli/lib.sh

for c in "" train "train --task rank" predict eval audit inspect export synth compare; do
	n=help_$(echo "${c:-main}" | tr ' -' '__')
	# shellcheck disable=SC2086
	if ! "$FT" $c --help >"$TMP/h" 2>&1; then
		fail "$n" "exit status $?"
		continue
	fi
	long=$(awk 'length > 79 { print length ": " $0; exit }' "$TMP/h")
	dup=$(grep -oE '^  --[a-z-]+' "$TMP/h" | sort | uniq -d | head -3 | tr '\n' ' ')
	if [ -n "$long" ]; then
		fail "$n" "line of $long"
	elif [ -n "$dup" ]; then
		fail "$n" "options listed twice: $dup"
	else
		pass "$n"
	fi
done
