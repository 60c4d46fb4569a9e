# train --task rank, predict and eval of ranking models (src/cli/cmd_rank.c).
# A small multi-query LETOR file made here: predict's rankings checked in
# Python against the FA*IR table (scipy's binomial CDF) and DetGreedy's
# proportions; eval's metrics recomputed in Python from predict's output.
# The DELTR LSAT splits: train / predict round trip (scores recomputed from
# the raw file and /model/coef), eval equal to train's test rows, the
# experiment's four gender models against the published weights and ratios.
# /ranking and the comparison rows through h5py; error cases.
. tests/cli/lib.sh

# 14 queries of 12 documents: 5 protected (feature 3 = 1), 7 not; the
# protected documents score lower on the features that predict relevance,
# so neither re-ranker's constraints hold by themselves.
$PY - "$TMP" <<'PYEOF'
import sys, random
d = sys.argv[1]
random.seed(7)
with open(d + "/tr.letor", "w") as tr, open(d + "/te.letor", "w") as te:
    for q in range(1, 15):
        out = tr if q <= 10 else te
        prot = [1] * 5 + [0] * 7
        random.shuffle(prot)
        for i, p in enumerate(prot):
            a = random.gauss(-0.8 * p, 1)
            b = random.gauss(0, 1)
            rel = max(0, min(3, round(1.0 + 0.9 * a + 0.3 * b + random.gauss(0, 0.4))))
            out.write("%d qid:q%d 1:%.4f 2:%.4f 3:%d 4:%.3f # doc %d\n" % (rel, q, a, b, p, random.random(), i))
PYEOF
L="--task rank --format letor --sensitive-feature 3 --protected 1"

"$FT" train --task rank --help >"$TMP/help" 2>&1 && grep -q -- "--rerank SPEC" "$TMP/help" &&
	"$FT" train --help | grep -q -- "--task classify|rank" &&
	pass rank_help || fail rank_help "$(head -3 "$TMP/help")"

check letor_train_fair "$FT" train $L --data "$TMP/tr.letor" --test "$TMP/te.letor" \
	--method deltr:gamma=1 --rerank fair:p=0.6,alpha=0.1,k=8 --out "$TMP/lf.h5" --report "$TMP/lf.md"
grep -q "^  exposure_ratio .*reranked\|reranked" "$TMP/out" && grep -q "^  rnd " "$TMP/out" &&
	pass letor_prints_table || fail letor_prints_table "$(head -30 "$TMP/out")"
grep -q "^| ndcg@10 | overall |" "$TMP/lf.md" && grep -q "| metric | group | baseline | mitigated | reranked |" "$TMP/lf.md" &&
	pass rank_report_md || fail rank_report_md "$(head -12 "$TMP/lf.md")"
check letor_predict_fair "$FT" predict --model "$TMP/lf.h5" --data "$TMP/te.letor" --out "$TMP/pf.csv"
check letor_predict_plain "$FT" predict --model "$TMP/lf.h5" --data "$TMP/te.letor" --rerank none --out "$TMP/pn.csv"
check letor_train_det "$FT" train $L --quiet --data "$TMP/tr.letor" --test "$TMP/te.letor" \
	--method listnet --rerank det_greedy:p=0.5,k=8 --out "$TMP/ld.h5"
check letor_predict_det "$FT" predict --model "$TMP/ld.h5" --data "$TMP/te.letor" --out "$TMP/pd.csv"
check letor_train_lambdaloss "$FT" train $L --data "$TMP/tr.letor" --test "$TMP/te.letor" \
	--method lambdaloss --rerank det_const_sort:p=0.5,k=8 --out "$TMP/ll.h5"
grep -q "^method    lambdaloss: LambdaLoss loss" "$TMP/out" && grep -q "listnet_start *1" "$TMP/out" &&
	grep -q "^rerank    det_const_sort:p=0.5,k=8" "$TMP/out" &&
	pass lambdaloss_prints || fail lambdaloss_prints "$(head -12 "$TMP/out")"
check letor_predict_const_sort "$FT" predict --model "$TMP/ll.h5" --data "$TMP/te.letor" --out "$TMP/pcs.csv"
check letor_eval "$FT" eval --model "$TMP/lf.h5" --data "$TMP/te.letor" --rerank none --report "$TMP/ev.csv"

$PY - "$TMP" <<'PYEOF' && pass letor_rerank_tables || fail letor_rerank_tables "see above"
import csv, sys
from scipy.stats import binom
d = sys.argv[1]
def queries(path):
    qs = {}
    for r in csv.DictReader(open(path)):
        qs.setdefault(r["query"], []).append(r)
    return qs
def mtable(k, p, alpha):
    return [min(t for t in range(i + 1) if binom.cdf(t, i, p) > alpha) for i in range(1, k + 1)]
m = mtable(8, 0.6, 0.1)
fair, plain, det = queries(d + "/pf.csv"), queries(d + "/pn.csv"), queries(d + "/pd.csv")
assert sorted(fair) == ["q11", "q12", "q13", "q14"], sorted(fair)
binding = 0
for q, rows in fair.items():
    assert len(rows) == 12
    ranks = [r["rank"] for r in rows]
    assert ranks == [str(i) for i in range(1, 9)] + [""] * 4, ranks
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in plain[q])
    tail = [float(r["score"]) for r in rows[8:]]
    assert tail == sorted(tail, reverse=True), "items past k in score order"
    prot = [r["group"] == "f3=1" for r in rows]
    for i in range(8):
        assert sum(prot[:i + 1]) >= m[i], (q, i + 1, sum(prot[:i + 1]), m[i])
    # the same constraint on the plain score order: must fail somewhere
    pp = [r["group"] == "f3=1" for r in plain[q]]
    binding += any(sum(pp[:i + 1]) < m[i] for i in range(8))
    s = [float(r["score"]) for r in plain[q]]
    assert s == sorted(s, reverse=True) and all(r["rank"] for r in plain[q])
assert binding > 0, "the fa*ir table never binds: the test proves nothing"
binding = 0
for q, rows in det.items():
    prot = [r["group"] == "f3=1" for r in rows]
    for i in range(1, 9):
        n1 = sum(prot[:i])
        assert n1 >= i // 2 and i - n1 >= i // 2, (q, i, n1)     # floor(i p) each
    binding += any(sum(pp[:i]) < i // 2 for i in range(1, 9) for pp in [[r["group"] == "f3=1" for r in plain[q]]])
assert binding > 0, "the det proportions never bind"
print("ok")
PYEOF

# eval's metrics from predict's ranking, recomputed independently.
$PY - "$TMP" <<'PYEOF' && pass letor_metrics_independent || fail letor_metrics_independent "see above"
import csv, math, sys
import numpy as np
from scipy.stats import kendalltau
d = sys.argv[1]
qs = {}
for r in csv.DictReader(open(d + "/pn.csv")):
    qs.setdefault(r["query"], []).append(r)
def dcg(rels, k):
    return sum((2 ** r - 1) / math.log2(i + 2) for i, r in enumerate(rels[:k]))
nd10, nd, p10, tau, ratio, pg = [], [], [], [], [], []
for q, rows in qs.items():
    rel = [float(r["relevance"]) for r in rows]
    prot = np.array([r["group"] == "f3=1" for r in rows])
    ideal = sorted(rel, reverse=True)
    nd10.append(dcg(rel, 10) / dcg(ideal, 10))
    nd.append(dcg(rel, len(rel)) / dcg(ideal, len(rel)))
    p10.append(sum(x > 0 for x in rel[:10]) / 10)
    tau.append(kendalltau([float(r["score"]) for r in rows], rel).statistic)
    expo = 1 / np.log2(np.arange(1, len(rows) + 1) + 1)
    ratio.append(expo[prot].mean() / expo[~prot].mean())
    # Beutel's pairwise accuracy of each group: relevant item of the group
    # above an irrelevant item of any group
    acc = []
    for g in (False, True):
        pairs = above = 0
        for i in range(len(rows)):
            if rel[i] > 0 and prot[i] == g:
                for j in range(len(rows)):
                    if rel[j] == 0:
                        pairs += 1
                        above += i < j
        acc.append(above / pairs)
    pg.append(max(acc) - min(acc))
want = {"ndcg@10": np.mean(nd10), "ndcg": np.mean(nd), "precision@10": np.mean(p10),
        "kendall_tau": np.mean(tau), "exposure_ratio": np.mean(ratio), "pairwise_gap": np.mean(pg)}
got = {r["metric"]: float(r["value"]) for r in csv.DictReader(open(d + "/ev.csv"))
       if r["model"] == "mitigated" and r["group"] == "overall" and r["value"]}
for k, v in want.items():
    assert abs(got[k] - v) < 1e-12, (k, got[k], v)
print("ok")
PYEOF

# /ranking and the comparison rows as h5py sees them.
$PY - "$TMP/lf.h5" <<'PYEOF' && pass rank_model_file || fail rank_model_file "see above"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format_version"] == 4
r = dict(f["ranking"].attrs)
assert r["task"] == "rank" and r["format"] == "letor" and r["protected_group"] == "f3=1", r
assert f["model"].attrs["kind"] == "ranker" and f["baseline"].attrs["kind"] == "ranker"
assert f["model"].attrs["rerank"] == "fair:p=0.6,alpha=0.1,k=8"
assert r["colorblind"] == 0 and r["sensitive_feature"] == 3
assert r["protected_value"] == 1.0 and r["query"] == "" and r["relevance"] == ""
assert f["model"].attrs["type"] == "linear_ranker" and f["baseline"].attrs["type"] == "linear_ranker"
assert f["model/intercept"][()] == 0 and list(f["model/feature_names"].asstr()[()]) == ["f1", "f2", "f3", "f4"]
assert f["training"].attrs["method"] == "deltr"
pn = list(f["training/param_names"].asstr()[()])
assert f["training/param_values"][pn.index("gamma")] == 1
dn = list(f["training/diag_names"].asstr()[()])
assert "exposure_g0" in dn and "deltr_penalty" in dn, dn
c = f["comparison"]
rows = set(zip(*(c[k].asstr()[()] for k in ("metric", "model", "split", "group"))))
for split in ("train", "test"):
    for model in ("baseline", "mitigated", "reranked"):
        for m in ("ndcg@10", "ndcg", "precision@10", "kendall_tau", "exposure_ratio", "ndkl",
                  "rnd", "rkl", "rrd", "pairwise_gap", "pairwise_inter_gap"):
            assert (m, model, split, "overall") in rows, (m, model, split)
        for m in ("exposure", "skew@10", "pairwise_accuracy"):
            for g in ("f3!=1", "f3=1"):
                assert (m, model, split, g) in rows, (m, model, split, g)
print("ok")
PYEOF

# A split by query and the colorblind form: feature 3 is not a feature.
check letor_split_colorblind "$FT" train $L --quiet --data "$TMP/tr.letor" --split 0.3 --seed 2 \
	--colorblind --method pair-reg:lambda=1 --out "$TMP/lc.h5"
$PY - "$TMP/lc.h5" <<'PYEOF' && pass letor_colorblind_file || fail letor_colorblind_file "see above"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert list(f["model/feature_names"].asstr()[()]) == ["f1", "f2", "f4"]
assert f["ranking"].attrs["colorblind"] == 1 and f["training"].attrs["n_test"] == 36
PYEOF

# ----------------------------------------------------------------- errors
E="$TMP/err.h5"
expect_error err_no_query 2 "needs --query COL and --relevance COL" "$E" -- \
	"$FT" train --task rank --data "$TMP/tr.letor" --relevance r --out "$E"
expect_error err_bad_task 2 "--task takes classify or rank, not 'sort'" "$E" -- \
	"$FT" train --task sort --data "$TMP/tr.letor" --out "$E"
expect_error err_bad_rerank 2 "--rerank: re-ranker fair has no parameter 'q' \(p, alpha, adjust, k\)" "$E" -- \
	"$FT" train $L --data "$TMP/tr.letor" --rerank fair:q=1 --out "$E"
expect_error err_unknown_rerank 2 "--rerank: unknown re-ranker 'top'" "$E" -- \
	"$FT" train $L --data "$TMP/tr.letor" --rerank top:k=3 --out "$E"
expect_error err_rerank_props 2 "--rerank: re-ranker det_cons: the proportions of p do not sum to 1" "$E" -- \
	"$FT" train $L --data "$TMP/tr.letor" --rerank det_cons:p=0.5/0.4 --out "$E"
expect_error err_rerank_no_groups 2 "--rerank needs groups" "$E" -- \
	"$FT" train --task rank --format letor --data "$TMP/tr.letor" --rerank fair --out "$E"
expect_error err_method_no_groups 2 "--method deltr needs groups" "$E" -- \
	"$FT" train --task rank --format letor --data "$TMP/tr.letor" --method deltr --out "$E"
expect_error err_bad_method 2 "--method: unknown ranking method 'lambdamart'" "$E" -- \
	"$FT" train $L --data "$TMP/tr.letor" --method lambdamart --out "$E"
expect_error err_no_protected 2 "--sensitive-feature needs --protected VALUE" "$E" -- \
	"$FT" train --task rank --format letor --sensitive-feature 3 --data "$TMP/tr.letor" --out "$E"
expect_error err_protected_not_group 1 "tr.letor: no training document in the protected group 'f3=2'" "$E" -- \
	"$FT" train --task rank --format letor --sensitive-feature 3 --protected 2 --data "$TMP/tr.letor" --out "$E"
expect_error err_letor_csv_option 2 "--query is for --format csv, not letor" "$E" -- \
	"$FT" train $L --query q --data "$TMP/tr.letor" --out "$E"
expect_error err_target_option 2 "option '--target' is not for --task rank" "$E" -- \
	"$FT" train --task rank --target y --data "$TMP/tr.letor" --out "$E"
expect_error err_bad_format 2 "--format takes csv or letor, not 'svm'" "$E" -- \
	"$FT" train --task rank --format svm --data "$TMP/tr.letor" --out "$E"
# a CSV file read as LETOR, and a LETOR file read as CSV
printf 'q,x,rel\n1,0.5,1\n1,0.2,0\n' >"$TMP/small.csv"
expect_error err_wrong_format_letor 1 "small.csv:1: relevance 'q,x,rel' is not a number" "$E" -- \
	"$FT" train --task rank --format letor --data "$TMP/small.csv" --out "$E"
expect_error err_wrong_format_csv 1 "tr.letor: no column 'rel' \(columns: 2 qid:q1 " "$E" -- \
	"$FT" train --task rank --data "$TMP/tr.letor" --query qid --relevance rel --split 0 --out "$E"
# a classification model where a ranking one is needed, and back
"$FT" synth --rows 300 --seed 3 --out "$TMP/h.csv" >/dev/null
"$FT" train --quiet --data "$TMP/h.csv" --target hired --positive yes --sensitive gender \
	--bootstrap 0 --permutations 0 --out "$TMP/clf.h5"
P="$TMP/p.csv"
expect_error err_classifier_rank_predict 1 "clf.h5: a classification model \(method logreg\): --rerank needs a ranking model" "$P" -- \
	"$FT" predict --model "$TMP/clf.h5" --data "$TMP/h.csv" --rerank fair --out "$P"
expect_error err_ranker_deterministic 2 "--deterministic: .*lf.h5 is a ranking model" "$P" -- \
	"$FT" predict --model "$TMP/lf.h5" --data "$TMP/te.letor" --deterministic --out "$P"
expect_error err_predict_bad_rerank 2 "--rerank: re-ranker fair: p takes the protected share in \(0, 1\)" "$P" -- \
	"$FT" predict --model "$TMP/lf.h5" --data "$TMP/te.letor" --rerank fair:p=1 --out "$P"
expect_error err_ranker_export 1 "lf.h5: a ranking model: export writes classification" "$P" -- \
	"$FT" export --format libsvm --model "$TMP/lf.h5" --data "$TMP/h.csv" --out "$P"

# ----------------------------------------------------------- DELTR LSAT
G="$DATA/deltr-lsat/gender"
if [ ! -f "$G/train.txt" ] || [ ! -f "$G/test.txt" ]; then
	skip lsat "deltr-lsat/gender not found under $DATA (scripts/fetch-datasets.sh gets it)"
	exit 0
fi
C="--task rank --names query,protected,LSAT,UGPA,ZFYA --query query --relevance ZFYA
	--sensitive protected --protected 1 --no-standardize"
check lsat_train "$FT" train $C --data "$G/train.txt" --test "$G/test.txt" \
	--method deltr:gamma=2e5,reference=1 --rerank fair:p=0.5,alpha=0.1,k=50 --out "$TMP/g.h5"
check lsat_predict "$FT" predict --model "$TMP/g.h5" --data "$G/test.txt" --rerank none --out "$TMP/gp.csv"
check lsat_predict_fair "$FT" predict --model "$TMP/g.h5" --data "$G/test.txt" --out "$TMP/gf.csv"
check lsat_eval "$FT" eval --model "$TMP/g.h5" --data "$G/test.txt" --report "$TMP/ge.csv"
# a colorblind model without the sensitive column: plain scores work, the
# re-ranker needs the group; DELTR's model needs it as a feature
cut -d, -f1,3- "$G/test.txt" >"$TMP/nosens.txt"
check lsat_train_colorblind "$FT" train $C --quiet --colorblind --data "$G/train.txt" --split 0 \
	--method listnet:reference=1 --rerank det_greedy:k=20 --out "$TMP/gc.h5"
check lsat_predict_no_group "$FT" predict --model "$TMP/gc.h5" --data "$TMP/nosens.txt" \
	--names query,LSAT,UGPA,ZFYA --rerank none --out "$TMP/gn.csv"
expect_error err_rerank_needs_group 1 "nosens.txt:1: the re-ranker det_greedy needs the item's group" "$P" -- \
	"$FT" predict --model "$TMP/gc.h5" --data "$TMP/nosens.txt" --names query,LSAT,UGPA,ZFYA --out "$P"
expect_error err_deltr_needs_feature 1 "nosens.txt: no column 'protected'" "$P" -- \
	"$FT" predict --model "$TMP/g.h5" --data "$TMP/nosens.txt" --names query,LSAT,UGPA,ZFYA --out "$P"
expect_error err_eval_no_relevance 1 "no relevance column 'ZFYA'" "" -- \
	"$FT" eval --model "$TMP/g.h5" --data "$TMP/nosens.txt" --names query,protected,LSAT,UGPA
$PY - "$TMP" "$G/test.txt" <<'PYEOF' && pass lsat_round_trip || fail lsat_round_trip "see above"
import csv, sys, h5py
import numpy as np
d, test = sys.argv[1:]
f = h5py.File(d + "/g.h5", "r")
w = f["model/coef"][()]
assert list(f["model/feature_names"].asstr()[()]) == ["protected", "LSAT", "UGPA"]
assert abs(w[0] - -0.06193107724760724) < 1e-9, w
X = np.loadtxt(test, delimiter=",")
s = X[:, 1:4] @ w
rows = list(csv.DictReader(open(d + "/gp.csv")))
assert len(rows) == 4358 and [r["rank"] for r in rows] == [str(i) for i in range(1, 4359)]
for r in rows:
    i = int(r["id"]) - 1                       # the line number
    assert abs(float(r["score"]) - s[i]) < 1e-12 and r["group"] == "%d" % X[i, 1]
    assert float(r["relevance"]) == X[i, 4]
order = [int(r["id"]) - 1 for r in rows]
assert order == list(np.argsort(-s, kind="stable")), "stable descending order"
# the test exposure ratio of the file's comparison, from predict's order
prot = X[order, 1] == 1
e = 1 / np.log2(np.arange(2, len(order) + 2))
ratio = e[prot].mean() / e[~prot].mean()
c = f["comparison"]
col = {k: (c[k].asstr()[()] if c[k].dtype.kind == "O" else c[k][()]) for k in c}
def val(metric, model, split, group="overall", src=col):
    for i in range(len(src["metric"])):
        if (src["metric"][i], src["model"][i], src["split"][i], src["group"][i]) == (metric, model, split, group):
            return float(src["value"][i])
    raise KeyError((metric, model, split, group))
assert abs(val("exposure_ratio", "mitigated", "test") - ratio) < 1e-12
assert abs(ratio - 0.9501) < 1e-4, ratio
# eval on the test file = train's test rows, re-ranked model included
ev = {k: [] for k in ("metric", "model", "split", "group", "value")}
for r in csv.DictReader(open(d + "/ge.csv")):
    for k in ev:
        ev[k].append(r[k])
n = 0
for i in range(len(ev["metric"])):
    m, model, g, v = ev["metric"][i], ev["model"][i], ev["group"][i], ev["value"][i]
    if v == "":
        continue
    assert abs(float(v) - val(m, model, "test", g)) < 1e-12, (m, model, g)
    n += 1
assert n > 40, n
# FA*IR on the predicted LSAT ranking: the table holds in the top 50
from scipy.stats import binom
fr = list(csv.DictReader(open(d + "/gf.csv")))
m = [min(t for t in range(i + 1) if binom.cdf(t, i, 0.5) > 0.1) for i in range(1, 51)]
cnt = 0
for i in range(50):
    cnt += fr[i]["group"] == "1"
    assert cnt >= m[i], (i, cnt, m[i])
assert fr[50]["rank"] == "" and fr[49]["rank"] == "50"
gn = list(csv.DictReader(open(d + "/gn.csv")))
assert "group" in gn[0] and all(r["group"] == "" for r in gn) and len(gn) == 4358
wc = h5py.File(d + "/gc.h5", "r")["model/coef"][()]
assert [r["id"] for r in gn] == [str(i + 1) for i in np.argsort(-(X[:, 2:4] @ wc), kind="stable")]
print("ok")
PYEOF

# The experiment: the four gender models of the paper.
if sh experiments/deltr-lsat/run.sh "$TMP/exp" >"$TMP/exp.out" 2>&1; then
	$PY - "$TMP/exp/summary.tsv" <<'PYEOF' && pass deltr_lsat_experiment || fail deltr_lsat_experiment "see above"
import csv, sys
PUB = {
    "colorblind": ((None, 0.226927276079946, 0.1188916544216122), 0.9940),
    "gamma0": ((-0.160043102180475, 0.2119440930374281, 0.1319775500746015), 0.8998),
    "gamma2e5": ((-0.06193107724760724, 0.2132830871923884, 0.1328858525694674), 0.9501),
    "gamma1e6": ((-0.003966745669430672, 0.2126675457945814, 0.1324635506817409), 0.9915),
}
seen = set()
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    if r["data"] != "gender":
        continue
    w, ratio = PUB[r["setting"]]
    got = (r["w_protected"], r["w_LSAT"], r["w_UGPA"])
    for a, b in zip(got, w):
        assert (b is None and a == "") or abs(float(a) - b) <= 1e-5, (r["setting"], a, b)
    assert abs(float(r["ratio"]) - ratio) <= 1e-4, (r["setting"], r["ratio"], ratio)
    seen.add(r["setting"])
assert seen == set(PUB), seen
print("ok")
PYEOF
else
	fail deltr_lsat_experiment "run.sh failed: $(tail -3 "$TMP/exp.out")"
fi

# inspect of a reference-mode model (a fixed number of gradient steps) says
# so instead of "NOT converged", and a ranker shows no C (issue 14 item 10)
"$FT" train $L --quiet --data "$TMP/tr.letor" --method deltr:gamma=1,reference=1,iterations=50 \
	--out "$TMP/ref.h5" && "$FT" inspect "$TMP/ref.h5" >"$TMP/ref.txt" 2>&1
grep -q "^solver    gradient descent: 50 fixed steps" "$TMP/ref.txt" && ! grep -q "NOT converged\|C = " "$TMP/ref.txt" &&
	pass inspect_reference_mode || fail inspect_reference_mode "$(grep 'solver\|training' "$TMP/ref.txt")"
