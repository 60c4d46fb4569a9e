# Model files of format versions 1 to 3, written by the fairtrain of
# those days (scripts/fixtures/make_legacy_models.sh says how), load and
# predict exactly what that fairtrain predicted (the same doubles: it
# printed 17 digits, today the shortest that read back); inspect names the version;
# eval runs on them.
. tests/cli/lib.sh

L=tests/fixtures/legacy
for f in "$L"/v*.h5; do
	n=$(basename "$f" .h5)
	# the version-2 writer wrote version 1 when nothing needed 2 (a
	# mixture, thresholds, a frontier or a ranker)
	case $n in
	v1_*|v2_logreg|v2_prejudice) v=1 ;;
	v3_*) v=3 ;;
	*) v=2 ;;
	esac
	data=$L/data.csv
	case $n in *_deltr) data=$L/rank.letor ;; esac
	if "$FT" predict --quiet --model "$f" --data "$data" --out "$TMP/$n.csv" 2>"$TMP/err" &&
	   same_values "$TMP/$n.csv" "$L/$n.pred.csv"; then
		pass "legacy_predict_$n"
	else
		fail "legacy_predict_$n" "$(head -2 "$TMP/err") $(diff "$TMP/$n.csv" "$L/$n.pred.csv" 2>&1 | head -3)"
	fi
	if "$FT" inspect "$f" >"$TMP/inspect" 2>"$TMP/err" &&
	   head -1 "$TMP/inspect" | grep -q "fairtrain-model version $v, "; then
		pass "legacy_inspect_$n"
	else
		fail "legacy_inspect_$n" "$(head -3 "$TMP/inspect") $(head -2 "$TMP/err")"
	fi
	"$FT" eval --quiet --model "$f" --data "$data" --report "$TMP/$n.ev.csv" 2>"$TMP/err" &&
		grep -q "^ndcg\|^accuracy" "$TMP/$n.ev.csv" && pass "legacy_eval_$n" ||
		fail "legacy_eval_$n" "$(head -2 "$TMP/err")"
done
