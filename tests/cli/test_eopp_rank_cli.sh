# eopp-rank (issue 17, item 7): LiFT's equality-of-opportunity score map as
# a re-ranker of train --task rank, fitted on the training part, saved in
# /model/eopp (format_version 5) and applied by predict, eval and compare.
# Checked against the numpy port of LiFT's EOppUtils
# (scripts/fixtures/make_eopp_fixture.py: eopp_maps, apply_maps) on the
# DELTR LSAT split by gender: the saved knots are the port's map of the
# training items' scores (positives: relevance > 0), and predict's order of
# every test query is the port's mapped scores sorted (stable, descending).
# Then the errors.
. tests/cli/lib.sh

D=$DATA/deltr-lsat/gender
C="--task rank --names query,protected,LSAT,UGPA,ZFYA --query query --relevance ZFYA
   --sensitive protected --protected 1 --bootstrap 0 --permutations 0 --quiet"
if [ ! -f "$D/train.txt" ]; then
	skip eopp_rank_lsat "no DELTR LSAT data in $DATA (scripts/fetch-datasets.sh gets it)"
else
	# shellcheck disable=SC2086
	check train_eopp_rank "$FT" train $C --data "$D/train.txt" --test "$D/test.txt" \
		--method listnet --rerank eopp-rank:n_quantiles=100 --out "$TMP/e.h5" \
		--report "$TMP/e.csv"
	"$FT" predict --quiet --model "$TMP/e.h5" --data "$D/train.txt" --rerank none --out "$TMP/tr.csv"
	"$FT" predict --quiet --model "$TMP/e.h5" --data "$D/test.txt" --rerank none --out "$TMP/ts.csv"
	check predict_eopp_rank "$FT" predict --quiet --model "$TMP/e.h5" --data "$D/test.txt" \
		--out "$TMP/te.csv"
	$PY - "$TMP/e.h5" "$TMP/tr.csv" "$TMP/ts.csv" "$TMP/te.csv" <<'PYEOF' && pass eopp_rank_matches_lift_port || fail eopp_rank_matches_lift_port "see above"
import csv, os, sys
import h5py
import numpy as np
sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "fixtures"))
from make_eopp_fixture import eopp_maps, apply_maps
model, tr, ts, te = sys.argv[1:]
f = h5py.File(model, "r")
assert int(f.attrs["format_version"]) == 5 and f["model"].attrs["rerank"].startswith("eopp-rank")
e = f["model/eopp"]
off, key, val = e["off"][()], e["key"][()], e["val"][()]
def load(p):
    return list(csv.DictReader(open(p)))
rt = load(tr)
s = np.array([float(r["score"]) for r in rt])
y = np.array([1 if float(r["relevance"]) > 0 else 0 for r in rt])
g = np.array([int(r["group"]) for r in rt])
maps = eopp_maps(s, y, g, np.ones(len(s)), 100)
for grp in (0, 1):
    k = sorted(maps[grp])
    v = [maps[grp][x] for x in k]
    kk, vv = key[off[grp]:off[grp + 1]], val[off[grp]:off[grp + 1]]
    assert len(kk) == len(k), (grp, len(kk), len(k))
    assert np.max(np.abs(kk - k)) == 0 and np.max(np.abs(vv - v)) < 1e-15, grp
# the test queries: the port's mapped scores, sorted stably, are predict's ranks
rs = load(ts)
byid = {(r["query"], r["id"]): r for r in rs}
ss = np.array([float(r["score"]) for r in rs])
gs = np.array([int(r["group"]) for r in rs])
mapped = dict(zip([(r["query"], r["id"]) for r in rs], apply_maps(maps, ss, gs)))
got = {}
for r in load(te):
    got.setdefault(r["query"], []).append((int(r["rank"]), r["id"]))
n = 0
for q, items in got.items():
    ids = [i for _, i in sorted(items)]
    # input order within the query: the file's order of ids (predict's id = line)
    want = sorted(ids, key=lambda i: (-mapped[(q, i)], int(i)))
    assert ids == want, (q, ids[:5], want[:5])
    n += len(ids)
print("  eopp-rank: knots equal the LiFT port; %d test items in the port's order" % n,
      file=sys.stderr)
PYEOF
	# eval measures the same re-ranked model train measured on the test part
	"$FT" eval --quiet --model "$TMP/e.h5" --data "$D/test.txt" --bootstrap 0 --permutations 0 \
		--report "$TMP/ev.csv" >/dev/null 2>&1
	$PY - "$TMP/e.csv" "$TMP/ev.csv" <<'PYEOF' && pass eval_eopp_rank_equals_train || fail eval_eopp_rank_equals_train "see above"
import csv, sys
def rows(p, split):
    return {(r["metric"], r["group"]): r["value"] for r in csv.DictReader(open(p))
            if r["model"] == "reranked" and r["split"] == split}
a, b = rows(sys.argv[1], "test"), rows(sys.argv[2], "eval")
keys = [k for k in a if k[0] in ("ndcg@10", "exposure_ratio", "pairwise_gap", "rnd")]
assert len(keys) >= 3 and all(a[k] == b[k] for k in keys), [(k, a[k], b.get(k)) for k in keys]
PYEOF
	# compare fits the map on its fold's training part: the same rows here
	check compare_eopp_rank "$FT" compare --task rank --names query,protected,LSAT,UGPA,ZFYA \
		--query query --relevance ZFYA --sensitive protected --protected 1 --quiet \
		--data "$D/train.txt" --test "$D/test.txt" \
		--methods "listnet eopp-rank:n_quantiles=100" --out "$TMP/cmp"
	a=$(grep '^pairwise_gap,reranked,test,overall,' "$TMP/e.csv" | cut -d, -f6)
	b=$(grep '^eopp-rank,.*,test,overall,pairwise_gap,' "$TMP/cmp/results.csv" | cut -d, -f8)
	if [ -n "$a" ] && [ "$a" = "$b" ]; then pass compare_eopp_rank_equals_train; else fail compare_eopp_rank_equals_train "train '$a', compare '$b'"; fi
	# a model without a score map, and a damaged one
	# shellcheck disable=SC2086
	"$FT" train $C --data "$D/train.txt" --test "$D/test.txt" --method listnet --out "$TMP/n.h5"
	expect_error err_eopp_not_fitted 1 "re-ranker eopp-rank: the model has no score map" "$TMP/p.csv" -- \
		"$FT" predict --model "$TMP/n.h5" --data "$D/test.txt" --rerank eopp-rank --out "$TMP/p.csv"
	cp "$TMP/e.h5" "$TMP/d.h5"
	$PY -c "
import h5py
f = h5py.File('$TMP/d.h5', 'r+')
k = f['model/eopp/key'][()]; k[1] = k[0]
del f['model/eopp/key']; f['model/eopp/key'] = k"
	reseal "$TMP/d.h5"
	expect_error err_eopp_damaged 1 "d.h5: corrupt model file: .*eopp.*not strictly increasing" "$TMP/p.csv" -- \
		"$FT" predict --model "$TMP/d.h5" --data "$D/test.txt" --out "$TMP/p.csv"
fi
