# lib.sh - helpers for the CLI tests (sourced).  Each check prints one
# "PASS name" or "FAIL name: why" line for tests/run.sh to count.
BUILD=${FAIRTRAIN_BUILD:-build}
FT="$(pwd)/$BUILD/fairtrain"
DATA=${FAIRTRAIN_DATA:-../shared/datasets}
case "$DATA" in /*) ;; *) DATA="$(pwd)/$DATA" ;; esac
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
have_data() { [ -d "$DATA" ]; }

# expect_error NAME EXIT REGEX OUTFILE -- CMD...: CMD exits with EXIT, prints
# exactly one stderr line matching REGEX (usage errors may add a "Try" line),
# and leaves neither OUTFILE nor any temp file beside it.
expect_error() {
	name=$1 want=$2 re=$3 outf=$4
	shift 5
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	msg=$(head -n 1 "$TMP/err")
	lines=$(grep -vc '^Try ' "$TMP/err")
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit $rc, expected $want (stderr: $msg)"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "expected one error line, got $lines: $(cat "$TMP/err")"
	elif ! printf '%s\n' "$msg" | grep -Eq -- "$re"; then
		fail "$name" "message '$msg' does not match /$re/"
	elif [ -n "$outf" ] && [ -e "$outf" ]; then
		fail "$name" "output $outf was left behind"
	elif [ -n "$outf" ] && ls "$(dirname "$outf")" | grep -q '\.tmp\.'; then
		fail "$name" "a temp file was left in $(dirname "$outf")"
	else
		pass "$name"
	fi
}

# check NAME CMD...: CMD must succeed.
check() {
	name=$1; shift
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		pass "$name"
	else
		fail "$name" "exit $?: $(head -n 3 "$TMP/err")"
	fi
}

ADULT_NAMES=age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income
