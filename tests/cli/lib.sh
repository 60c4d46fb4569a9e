# lib.sh - helpers for the CLI tests (sourced).  Each check prints one
# "PASS name" or "FAIL name: why" line for tests/run.sh to count.
BUILD=${FAIRTRAIN_BUILD:-build}
FT="$(pwd)/$BUILD/fairtrain"
DATA=${FAIRTRAIN_DATA:-datasets}
case "$DATA" in /*) ;; *) DATA="$(pwd)/$DATA" ;; esac
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
have_data() { [ -f "$DATA/adult/adult.data" ]; }

# expect_error NAME EXIT REGEX OUTFILE -- CMD...: CMD exits with EXIT, prints
# exactly one stderr line matching REGEX (usage errors may add a "Try" line),
# and leaves neither OUTFILE nor any temp file beside it.
expect_error() {
	_name=$1 _want=$2 _re=$3 _outf=$4
	shift 5
	"$@" >"$TMP/out" 2>"$TMP/err"
	_rc=$?
	_msg=$(head -n 1 "$TMP/err")
	_lines=$(grep -vc '^Try ' "$TMP/err")
	if [ "$_rc" -ne "$_want" ]; then
		fail "$_name" "exit $_rc, expected $_want (stderr: $_msg)"
	elif [ "$_lines" -ne 1 ]; then
		fail "$_name" "expected one error line, got $_lines: $(cat "$TMP/err")"
	elif ! printf '%s\n' "$_msg" | grep -Eq -- "$_re"; then
		fail "$_name" "message '$_msg' does not match /$_re/"
	elif [ -n "$_outf" ] && [ -e "$_outf" ]; then
		fail "$_name" "output $_outf was left behind"
	elif [ -n "$_outf" ] && ls "$(dirname "$_outf")" | grep -q '\.tmp\.'; then
		fail "$_name" "a temp file was left in $(dirname "$_outf")"
	else
		pass "$_name"
	fi
}

# check NAME CMD...: CMD must succeed.
check() {
	_name=$1; shift
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		pass "$_name"
	else
		fail "$_name" "exit $?: $(head -n 3 "$TMP/err")"
	fi
}

ADULT_NAMES=age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income

# same_values A B: two CSV files hold the same cells, numbers compared by
# value (0.95 equals 0.94999999999999996: both read back as one double),
# everything else as text.  Exit 0 when they do.
same_values() {
	awk -F, 'NR == FNR { a[FNR] = $0; n = FNR; next }
	function num(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
	{
		if (!(FNR in a)) { bad = 1; exit }
		k = split(a[FNR], f, ",")
		if (k != NF) { bad = 1; exit }
		for (i = 1; i <= NF; i++)
			if (num(f[i]) && num($i) ? f[i] + 0 != $i + 0 : f[i] != $i) { bad = 1; exit }
		m = FNR
	}
	END { exit bad || m != n }' "$1" "$2"
}

# reseal FILE: write the checksum block of a model or results file again
# after FILE was edited in place (h5py 'r+'), as fairtrain writes it
# (src/io/h5image.c); a second implementation of that layout, in Python.
reseal() {
	$PY - "$1" <<'PYEOF'
import hashlib, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
assert b.startswith(b'fairtrain-checksum 1\n'), 'no checksum block'
head = ('fairtrain-checksum 1\nalgorithm sha256\nlength %d\nsha256 %s\n'
        'covers bytes 512 to length: the HDF5 file after this block\n'
        % (len(b), hashlib.sha256(b[512:]).hexdigest())).encode()
b[:512] = head + bytes(512 - len(head))
open(p, 'wb').write(b)
PYEOF
}
