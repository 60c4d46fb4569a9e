# The README stays true: the commands of "The first hour" run as printed
# (fairtrain as the build's binary, A as the data folder's adult/), the rows
# of the before/after table it quotes are what train prints, and the table
# of contents lists every section, in order, and nothing else.
. tests/cli/lib.sh

R=$(pwd)/README.md

# The commands: indented lines from "## The first hour" to "### 4." that
# start with "fairtrain", with their continuation lines.
awk '/^## The first hour/ { on = 1 } /^### 4\./ { on = 0 }
	on && /^    fairtrain / { cmd = 1 }
	on && cmd { sub(/^    /, ""); print; if (!/\\$/) { cmd = 0; print "" } }' "$R" >"$TMP/cmds"
n=$(grep -c '^fairtrain ' "$TMP/cmds")
if [ "$n" -lt 4 ]; then
	fail readme_first_hour_found "only $n commands found"
elif ! have_data; then
	skip readme_first_hour "no Adult data in $DATA (scripts/fetch-datasets.sh gets it)"
else
	pass readme_first_hour_found
	# fairtrain on PATH as the build's binary; the clone's experiments/
	# where the commands expect them
	mkdir -p "$TMP/run" "$TMP/bin"
	ln -s "$FT" "$TMP/bin/fairtrain"
	ln -s "$(dirname "$R")/experiments" "$TMP/run/experiments"
	awk -v RS= -v dir="$TMP/run" '{ print > sprintf("%s/cmd%02d.sh", dir, NR) }' "$TMP/cmds"
	for f in "$TMP"/run/cmd*.sh; do
		c=$(basename "$f" .sh)
		if (cd "$TMP/run" && PATH="$TMP/bin:$PATH" A="$DATA/adult" sh "$f" \
		    >"$TMP/run/$c.out" 2>"$TMP/run/$c.err"); then
			pass "readme_first_hour_$c"
		else
			fail "readme_first_hour_$c" "$(head -c 200 "$f"): $(head -2 "$TMP/run/$c.err")"
		fi
	done
	# the quoted rows of the before/after table (spaces squeezed) are in
	# train's output
	awk '/^### 1\. Train/ { on = 1 } /^### 2\./ { on = 0 }
		on && /^    [a-z_]+ +(overall|Female|Male|between_groups) +[0-9]/' "$R" |
		sed 's/^ *//; s/  */ /g' >"$TMP/rows"
	sed 's/^ *//; s/  */ /g' "$TMP/run/cmd01.out" >"$TMP/train.out"
	missing=0
	while IFS= read -r row; do
		grep -qF -- "$row" "$TMP/train.out" || { missing=$((missing + 1)); echo "    not printed: $row"; }
	done <"$TMP/rows"
	[ "$(wc -l <"$TMP/rows")" -ge 5 ] && [ "$missing" -eq 0 ] && pass readme_first_hour_table ||
		fail readme_first_hour_table "$missing of $(wc -l <"$TMP/rows") quoted rows not printed"
fi

# The table of contents: the "- [Title](#anchor)" lines under "## Contents"
# are the "## " headings after it, in order, with GitHub's anchors
awk '/^## Contents/ { on = 1; next } on && /^## / { on = 0 } on && /^ *- \[/' "$R" |
	sed 's/^ *- \[\(.*\)\](#\(.*\))$/\1|\2/' >"$TMP/toc"
awk '/^## Contents/ { after = 1; next } after && /^## / { sub(/^## /, ""); print }' "$R" |
	while IFS= read -r h; do
		a=$(printf '%s' "$h" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 _-]//g; s/ /-/g')
		echo "$h|$a"
	done >"$TMP/heads"
if [ -s "$TMP/toc" ] && cmp -s "$TMP/toc" "$TMP/heads"; then
	pass readme_toc
else
	fail readme_toc "$(diff "$TMP/toc" "$TMP/heads" | head -6)"
fi
