# Differentially private methods from the CLI (dp-logreg, dp-reweigh,
# dp-threshold, dp-eg): they train through the method table, epsilon = 0
# equals the non-private method bit for bit (coefficients, mixture,
# thresholds in the model file), seeded runs reproduce and are marked,
# getrandom runs are not, and bad parameters fail with one line.
. tests/cli/lib.sh

"$FT" synth --rows 3000 --seed 5 --out "$TMP/h.csv" >/dev/null
T="--target hired --positive yes --sensitive gender --privileged male --split 0.3 --seed 2"
Q="--quiet --bootstrap 0 --permutations 0"

check dp_methods_in_help "$FT" train --help
for m in dp-logreg dp-reweigh dp-threshold dp-eg; do
	grep -q "^  $m " "$TMP/out" || fail "dp_in_help_$m" "not listed"
done
grep -q "standardization is not private" "$TMP/out" && pass dp_help_says_leak ||
	fail dp_help_says_leak "the help does not say the encoder's statistics leak"

train() {   # name spec
	"$FT" train $Q --data "$TMP/h.csv" $T --method "$2" --out "$TMP/$1.h5" 2>"$TMP/err" ||
		{ fail "train_$1" "$(head -2 "$TMP/err")"; return 1; }
}

# same A B NAME: the two model files hold the same model, mixture and
# thresholds, bit for bit
same() {
	$PY - "$TMP/$1.h5" "$TMP/$2.h5" <<'PYEOF' && pass "$3" || fail "$3" "model files differ"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def walk(f, g):
    out = {}
    if g in f:
        f[g].visititems(lambda k, v: out.__setitem__(k, v[()]) if isinstance(v, h5py.Dataset) else None)
    return out
for g in ("model", "mixture", "thresholds"):
    x, y = walk(a, g), walk(b, g)
    assert x.keys() == y.keys(), (g, x.keys(), y.keys())
    for k in x:
        assert np.array_equal(x[k], y[k]), (g, k)
ca = a["comparison"]; cb = b["comparison"]
va = ca["value"][()]; vb = cb["value"][()]
ma = ca["model"].asstr()[()]
assert np.array_equal(va[ma == "mitigated"], vb[cb["model"].asstr()[()] == "mitigated"])
PYEOF
}

train logreg logreg && train dplr0 dp-logreg:epsilon=0 && same logreg dplr0 dp_logreg_eps0_is_logreg
train rw reweigh && train dprw0 dp-reweigh:epsilon=0 && same rw dprw0 dp_reweigh_eps0_is_reweigh
train thr threshold:dp && train dpthr0 dp-threshold:dp:epsilon=0 &&
	same thr dpthr0 dp_threshold_eps0_is_threshold
train eg eg:dp:eps=0.05:max_iter=10 && train dpeg0 dp-eg:dp:epsilon=0 &&
	same eg dpeg0 dp_eg_eps0_is_eg

# private runs: seeded ones reproduce and are marked; another seed differs
for spec in "dp-logreg:epsilon=1,row_norm=3" "dp-logreg:epsilon=2,mechanism=output,delta=1e-5" \
	"dp-reweigh:epsilon=1,row_norm=3" "dp-threshold:epsilon=2,row_norm=3" \
	"dp-eg:epsilon=5,row_norm=3,max_iter=5"; do
	name=$(echo "$spec" | tr ':=,' '___')
	train "${name}_a" "$spec,seed=11" && train "${name}_b" "$spec,seed=11" &&
		same "${name}_a" "${name}_b" "dp_seeded_reproduces_$name"
	train "${name}_c" "$spec,seed=12" || continue
	$PY - "$TMP/${name}_a.h5" "$TMP/${name}_c.h5" "$spec" <<'PYEOF' && pass "dp_marked_$name" || fail "dp_marked_$name" "see above"
import sys, h5py, numpy as np
a, c = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def diag(f):
    t = f["training"]
    return dict(zip(t["diag_names"].asstr()[()], t["diag_values"][()]))
da, dc = diag(a), diag(c)
eps = float(sys.argv[3].split("epsilon=")[1].split(",")[0])
assert da["dp_seeded"] == 1, da
assert abs(da["dp_epsilon"] - eps) < 1e-12, (da["dp_epsilon"], eps)
assert not np.array_equal(a["model/coef"][()], c["model/coef"][()])
PYEOF
done
train os "dp-logreg:epsilon=1,row_norm=3" && $PY - "$TMP/os.h5" <<'PYEOF' && pass dp_getrandom_not_marked || fail dp_getrandom_not_marked "see above"
import h5py
t = h5py.File(__import__("sys").argv[1], "r")["training"]
d = dict(zip(t["diag_names"].asstr()[()], t["diag_values"][()]))
assert d["dp_seeded"] == 0 and d["dp_epsilon"] == 1, d
PYEOF

# errors: one line, no model file
expect_error dp_objective_delta 1 "objective perturbation is pure epsilon-DP" "$TMP/x.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $T --method dp-logreg:delta=0.01 --out "$TMP/x.h5"
expect_error dp_negative_epsilon 2 "epsilon = -1 is outside" "$TMP/x.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $T --method dp-logreg:epsilon=-1 --out "$TMP/x.h5"
expect_error dp_weight_column 1 "bound the privacy proof needs" "$TMP/x.h5" -- \
	"$FT" train $Q --data "$TMP/h.csv" $T --weight age --method dp-logreg --out "$TMP/x.h5"
