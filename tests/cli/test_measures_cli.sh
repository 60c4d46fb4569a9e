# The distribution, inequality and rich-subgroup rows of every before/after
# table (issue 17, items 8 and 9), checked against an independent
# computation in numpy/scipy from predict's scores of the same rows: LiFT's
# KL (Laplace-smoothed, bits), JS and TV over 10 equal-width score bins,
# scipy's wasserstein_distance, Atkinson (eps 0.5), Theil L and the
# coefficient of variation of the benefit yhat - y + 1, the smoothed
# empirical differential fairness (Foulds et al.; concentration 1), the
# distances to a --reference distribution, and the rich subgroup of largest
# size-weighted FP and FN rate disparity by brute force over every set of
# groups (with intersections of two columns, where every set of the 4
# groups but the empty and the full one is a candidate the exact audit may
# choose among those a hyperplane separates).  Then the errors.
. tests/cli/lib.sh

Q="--quiet --bootstrap 0 --permutations 0"
"$FT" synth --rows 4000 --seed 4 --out "$TMP/m.csv" >/dev/null
S="--target hired --positive yes --sensitive gender,referral --privileged male&yes"
"$FT" train $Q --data "$TMP/m.csv" $S --method reweigh --out "$TMP/m.h5" 2>"$TMP/err" ||
	fail train_measures "$(head -1 "$TMP/err")"
"$FT" predict --quiet --model "$TMP/m.h5" --data "$TMP/m.csv" --out "$TMP/p.csv"
# a reference: the scores of the first 1000 rows as another model saw them
head -1001 "$TMP/p.csv" >"$TMP/ref.csv"
check eval_measures "$FT" eval --model "$TMP/m.h5" --data "$TMP/m.csv" $Q \
	--reference "$TMP/ref.csv" --report "$TMP/rep.csv"
$PY - "$TMP/m.csv" "$TMP/p.csv" "$TMP/ref.csv" "$TMP/rep.csv" <<'PYEOF' && pass measures_match_numpy || fail measures_match_numpy "see above"
import csv, itertools, math, sys
import numpy as np
from scipy.stats import wasserstein_distance
data, pred, ref, rep = sys.argv[1:]
rows = list(csv.DictReader(open(data)))
pr = {int(r["id"]): r for r in csv.DictReader(open(pred))}
g = np.array([r["gender"] + "&" + r["referral"] for r in rows])
s = np.array([float(pr[i + 2]["score"]) for i in range(len(rows))])
y = np.array([1.0 if r["hired"] == "yes" else 0.0 for r in rows])
yh = (s >= 0.5).astype(float)
refs = np.array([float(r["score"]) for r in csv.DictReader(open(ref))])
got = {}
for r in csv.DictReader(open(rep)):
    if r["model"] == "mitigated":
        got[(r["metric"], r["group"])] = float(r["value"]) if not r["undefined"] else None
groups = sorted(set(g))
def hist(v):
    return np.bincount(np.minimum((v * 10).astype(int), 9), minlength=10).astype(float)
def kl(p, q, a=1.0):
    keys = (p > 0) | (q > 0)
    P = p / p.sum(); Q = (q + a * keys) / (q.sum() + a * keys.sum())
    m = P > 0
    return float(np.sum(P[m] * np.log2(P[m] / Q[m])))
def js(p, q):
    P, Q = p / p.sum(), q / q.sum(); M = (P + Q) / 2
    f = lambda A: float(np.sum(A[A > 0] * np.log2(A[A > 0] / M[A > 0])))
    return (f(P) + f(Q)) / 2
tv = lambda p, q: 0.5 * float(np.abs(p / p.sum() - q / q.sum()).sum())
H = {k: hist(s[g == k]) for k in groups}
pairs = [(a, b) for a in groups for b in groups if a != b]
want = {
    "score_kl_divergence": max(kl(H[a], H[b]) for a, b in pairs),
    "score_js_divergence": max(js(H[a], H[b]) for a, b in pairs),
    "score_total_variation": max(tv(H[a], H[b]) for a, b in pairs),
    "score_earth_movers_distance": max(wasserstein_distance(s[g == a], s[g == b]) for a, b in pairs),
    "score_kl_divergence_to_reference": max(kl(H[a], hist(refs)) for a in groups),
    "score_js_divergence_to_reference": max(js(H[a], hist(refs)) for a in groups),
    "score_total_variation_to_reference": max(tv(H[a], hist(refs)) for a in groups),
    "score_earth_movers_distance_to_reference": max(wasserstein_distance(s[g == a], refs) for a in groups),
}
b = yh - y + 1; mu = b.mean(); x = b / mu
want["atkinson_index"] = 1 - np.mean(x ** 0.5) ** 2
want["coefficient_of_variation"] = math.sqrt(np.mean((b - mu) ** 2)) / mu
# smoothed EDF: r_g = (N+ + 1/2) / (N + 1), the largest log-ratio over pairs
r = {k: (yh[g == k].sum() + 0.5) / ((g == k).sum() + 1.0) for k in groups}
want["smoothed_empirical_differential_fairness"] = max(
    max(abs(math.log(r[a]) - math.log(r[c])), abs(math.log(1 - r[a]) - math.log(1 - r[c])))
    for a, c in pairs)
bad = []
for k, v in want.items():
    gv = got.get((k, ""))
    if gv is None or abs(gv - v) > 1e-9 * max(1, abs(v)):
        bad.append((k, gv, v))
# Theil L: a false negative has benefit 0, so ln 0: undefined
fn = ((yh == 0) & (y == 1)).any()
if fn and got.get(("theil_l_index", "")) is not None:
    bad.append(("theil_l_index", got.get(("theil_l_index", "")), "undefined"))
# rich subgroups: brute force over every nonempty proper set of groups
for rate, lab, name in ((0, 0.0, "fp"), (1, 1.0, "fn")):
    m = y == lab
    e = yh if rate == 0 else 1 - yh
    allr = e[m].mean()
    best, bset = -1, None
    for k in range(1, len(groups)):
        for sub in itertools.combinations(groups, k):
            inn = m & np.isin(g, sub)
            if not inn.any():
                continue
            wd = inn.sum() / len(y) * abs(e[inn].mean() - allr)
            if wd > best + 1e-15:
                best, bset = wd, sub
    key = [kk for kk in got if kk[0] == "subgroup_%s_weighted_disparity" % name]
    if len(key) != 1 or abs(got[key[0]] - best) > 1e-9:
        bad.append((name, key, got.get(key[0]) if key else None, best, bset))
    else:
        print("  subgroup %s: %s weighted disparity %.6f (brute force %s %.6f)"
              % (name, key[0][1], got[key[0]], "{" + ", ".join(bset) + "}", best), file=sys.stderr)
assert not bad, bad
print("  %d distribution rows equal numpy/scipy within 1e-9" % len(want), file=sys.stderr)
PYEOF

# consistency: only where asked, in train and eval, not in audit
"$FT" eval --model "$TMP/m.h5" --data "$TMP/m.csv" $Q --consistency 5 --report "$TMP/rc.csv" >/dev/null 2>&1
if grep -q '^consistency,mitigated,eval,,individual,0\.[0-9]' "$TMP/rc.csv" && ! grep -q '^consistency' "$TMP/rep.csv"; then
	pass consistency_on_request
else
	fail consistency_on_request "$(grep '^consistency' "$TMP/rc.csv" "$TMP/rep.csv")"
fi
# audit (predictions only) has the same rows, the same values as eval's
"$FT" predict --quiet --model "$TMP/m.h5" --data "$TMP/m.csv" --keep gender,referral --out "$TMP/pk.csv"
check audit_measures "$FT" audit --data "$TMP/pk.csv" --label target --score score \
	--sensitive gender,referral $Q --reference "$TMP/ref.csv" --report "$TMP/ra.csv"
$PY - "$TMP/rep.csv" "$TMP/ra.csv" <<'PYEOF' && pass audit_measures_equal_eval || fail audit_measures_equal_eval "see above"
import csv, sys
def rows(p, model):
    return {(r["metric"], r["group"]): r["value"] for r in csv.DictReader(open(p))
            if r["model"] == model and (r["metric"].startswith(("score_", "subgroup_"))
                                         or r["convention"] in ("between_groups", "individual"))}
e, a = rows(sys.argv[1], "mitigated"), rows(sys.argv[2], "audited")
names = [k for k in e if k[0].startswith(("score_", "subgroup_", "atkinson", "smoothed"))]
assert len(names) >= 15, names
bad = [(k, e[k], a.get(k)) for k in names if a.get(k) is None or abs(float(e[k]) - float(a[k])) > 1e-12]
assert not bad, bad
PYEOF
expect_error err_audit_consistency 1 "consistency needs the model's features, and audit reads predictions only" "" -- \
	"$FT" audit --data "$TMP/pk.csv" --label target --score score --sensitive gender --consistency 5
expect_error err_consistency_zero 2 "--consistency takes an integer from 1 to 1000, not '0'" "" -- \
	"$FT" eval --model "$TMP/m.h5" --data "$TMP/m.csv" --consistency 0
expect_error err_reference_missing 2 "--reference: .*nope.csv" "" -- \
	"$FT" eval --model "$TMP/m.h5" --data "$TMP/m.csv" --reference "$TMP/nope.csv"
expect_error err_reference_column 2 "--reference: .*ref.csv: no column 'prob' \(the reference scores\)" "" -- \
	"$FT" eval --model "$TMP/m.h5" --data "$TMP/m.csv" --reference "$TMP/ref.csv:prob"
printf 'score\n0.5\n1.5\n' >"$TMP/bad.csv"
expect_error err_reference_range 2 "--reference: .*bad.csv:3: column 'score': '1.5' is not a score in \[0, 1\]" "" -- \
	"$FT" eval --model "$TMP/m.h5" --data "$TMP/m.csv" --reference "$TMP/bad.csv"
