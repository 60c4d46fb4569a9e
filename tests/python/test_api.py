"""test_api.py - the rest of the package against the command line on the
same data, each compared field by field:

  * FairRanker on DELTR's LSAT split (DELTR with the FA*IR re-ranker saved
    in the model): the same weights as `fairtrain train --task rank`, the
    same before/after rows, and rank() gives the rankings `fairtrain
    predict` writes (query, rank, row, score, group) with the saved
    re-ranker, from the Python model and from the CLI's loaded one;
  * audit() equals `fairtrain audit --report` row for row;
  * compare() writes the same results.csv and runs.csv bytes as `fairtrain
    compare` on the same rows written to a CSV file;
  * clf.comparison(X_test, y_test) equals `fairtrain eval --report`;
  * pickling and clone() keep the model; DataFrame and array input give
    the same model; the registry listing is the library's table.
"""
import csv
import io
import math
import os
import pickle
import subprocess
import tempfile
import warnings

import numpy as np

from harness import DATA, FT, check, done, skip

import fairtrain
from fairtrain import _lib, _registry

TMP = tempfile.mkdtemp()
warnings.simplefilter("ignore", fairtrain.FairtrainWarning)
try:
    import pandas as pd
except ImportError:
    pd = None
LSAT = os.path.join(DATA, "deltr-lsat", "gender")
LSAT_NAMES = ["query", "protected", "LSAT", "UGPA", "ZFYA"]


def run(*args):
    return subprocess.run([FT] + list(args), check=True, capture_output=True, text=True)


def read_csv_rows(path):
    with open(path) as fp:
        return list(csv.DictReader(fp))


def close(a, b, tol=1e-12):
    return a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol * max(1, abs(a))


def same_report(path, df):
    """The rows of a --report CSV equal the tidy DataFrame's."""
    rows = read_csv_rows(path)
    assert len(rows) == len(df), "%d CLI rows, %d Python rows" % (len(rows), len(df))
    for r, p in zip(rows, df.itertuples(index=False)):
        key = (r["metric"], r["model"], r["split"], r["group"], r["convention"])
        assert key == (p.metric, p.model, p.split, p.group, p.convention), (key, p)
        v = float(r["value"]) if r["value"] else math.nan
        assert close(v, p.value), (key, r["value"], p.value)
        for c in ("lo", "hi"):
            w = float(r[c]) if r[c] else math.nan
            assert close(w, getattr(p, c)), (key, c, r[c], getattr(p, c))
    return len(rows)


# ---------------------------------------------------------------- ranker

def lsat(name):
    # round_trip: pandas' default float parser is not always correctly rounded
    df = pd.read_csv(os.path.join(LSAT, name), header=None, names=LSAT_NAMES,
                     float_precision="round_trip")
    y = df.pop("ZFYA")
    return df, y


def ranker_parity(rr="fair:p=0.5,alpha=0.1,k=100"):
    cli = os.path.join(TMP, "lsat.cli.h5")
    run("train", "--quiet", "--task", "rank", "--data", os.path.join(LSAT, "train.txt"),
        "--test", os.path.join(LSAT, "test.txt"), "--names", ",".join(LSAT_NAMES),
        "--query", "query", "--relevance", "ZFYA", "--sensitive", "protected",
        "--protected", "1", "--no-standardize", "--method", "deltr:gamma=1000",
        "--rerank", rr, "--out", cli, "--report", os.path.join(TMP, "lsat.csv"))
    X, y = lsat("train.txt")
    Xt, yt = lsat("test.txt")
    r = fairtrain.FairRanker("deltr", gamma=1000, query="query", sensitive="protected",
                             protected="1", standardize=False, rerank=rr)
    r.fit(X, y, eval_set=(Xt, yt))
    loaded = fairtrain.load(cli)
    assert np.array_equal(r.coef_, loaded.coef_), (r.coef_, loaded.coef_)
    n_rows = same_report(os.path.join(TMP, "lsat.csv"), r.comparison_)
    py = os.path.join(TMP, "lsat.py.h5")
    r.save(py)
    want = None
    for model, est in ((py, r), (cli, loaded)):
        out = os.path.join(TMP, "rank.csv")
        run("predict", "--quiet", "--model", model, "--data", os.path.join(LSAT, "test.txt"),
            "--names", ",".join(LSAT_NAMES), "--out", out)
        want = read_csv_rows(out)
        got = est.rank(Xt)
        assert len(got) == len(want)
        for w, g in zip(want, got.itertuples(index=False)):
            assert w["query"] == g.query and int(w["id"]) - 1 == g.row, (w, g)
            assert (w["rank"] == "" and math.isnan(g.rank)) or int(w["rank"]) == g.rank, (w, g)
            assert float(w["score"]) == g.score and w["group"] == g.group, (w, g)
    # predict: each row's score in X's row order
    s = r.predict(Xt)
    assert np.allclose(s, Xt[["protected", "LSAT", "UGPA"]].values @ r.coef_.ravel(),
                       rtol=1e-12, atol=1e-12)
    ranked = r.rank(Xt)
    if rr.startswith("fair"):
        top = ranked[ranked["rank"] <= 100]
        assert len(top) == 100 and (top["group"] == "1").sum() >= 35, top["group"].value_counts()
    else:
        # eopp-rank: its score map fitted by the Python fit is the CLI's
        import h5py
        with h5py.File(py, "r") as a, h5py.File(cli, "r") as b:
            for k in ("off", "key", "val"):
                assert np.array_equal(a["model/eopp/" + k][()], b["model/eopp/" + k][()]), k
    print("# LSAT: DELTR weights %s equal the CLI's; %d before/after rows; %d items "
          "ranked as `fairtrain predict` with %s, both ways"
          % (np.round(r.coef_.ravel(), 6).tolist(), n_rows, len(want), rr))


# ------------------------------------------------------------ audit, compare

def synthetic(n=900, seed=11):
    rng = np.random.RandomState(seed)
    g = np.where(rng.rand(n) < 0.35, "f", "m")
    x1 = np.round(rng.normal(size=n), 3)
    job = rng.choice(["a", "b", "c"], size=n)
    y = (x1 + (g == "m") + (job == "a") * 0.4 + rng.normal(size=n) > 0.8).astype(int)
    return pd.DataFrame({"x1": x1, "job": job}), y, g


def audit_parity():
    X, y, g = synthetic()
    p = fairtrain.FairClassifier().fit(X, y).predict_proba(X)[:, 1]
    path = os.path.join(TMP, "preds.csv")
    pd.DataFrame({"label": y, "score": p, "sensitive": g}).to_csv(path, index=False,
                                                                  float_format="%.17g")
    rep = os.path.join(TMP, "audit.csv")
    ref = os.path.join(TMP, "ref.csv")
    pd.DataFrame({"score": p[:300]}).to_csv(ref, index=False, float_format="%.17g")
    run("audit", "--quiet", "--data", path, "--label", "label", "--score", "score",
        "--sensitive", "sensitive", "--privileged", "m", "--bootstrap", "200",
        "--permutations", "200", "--reference", ref, "--report", rep)
    a = fairtrain.audit(y, p, g, privileged="m", bootstrap=200, permutations=200,
                        reference=p[:300])
    n = same_report(rep, a.table)
    # the distribution rows, the distances to the reference among them
    t = a.table
    assert (t["metric"] == "score_earth_movers_distance_to_reference").sum() == 1
    assert (t["convention"] == "rich_subgroup").sum() == 6
    assert list(a.groups.index) == ["overall", "f", "m"], a.groups.index
    assert a.groups.loc["f", "count"] + a.groups.loc["m", "count"] == len(y)
    assert {"between_groups", "to_overall", "unprivileged_minus_privileged",
            "individual", "to_reference"} == set(a.summaries["convention"])
    assert len(a.tests) > 0 and a.n_measured == len(y)
    print("# audit: %d rows equal `fairtrain audit --report`" % n)


def compare_parity():
    X, y, g = synthetic()
    path = os.path.join(TMP, "cmp.csv")
    df = X.copy()
    df["y"] = y
    df["sensitive"] = g
    df.to_csv(path, index=False)
    methods = "baseline reweigh eg:eps=0.02,0.1 threshold"
    cdir, pdir = os.path.join(TMP, "cmp_cli"), os.path.join(TMP, "cmp_py")
    run("compare", "--quiet", "--data", path, "--target", "y", "--positive", "1",
        "--sensitive", "sensitive", "--methods", methods, "--folds", "3", "--out", cdir)
    res = fairtrain.compare(X, y, sensitive_features=g, methods=methods, folds=3, out=pdir)
    for f in ("results.csv", "runs.csv"):
        a = open(os.path.join(cdir, f)).read()
        b = open(os.path.join(pdir, f)).read()
        if f == "runs.csv":   # wall times differ: drop the seconds column
            a, b = ["\n".join(",".join(c for k, c in enumerate(l.split(",")) if k != 4)
                              for l in t.splitlines()) for t in (a, b)]
        assert a == b, "%s differs" % f
    assert set(res.paths) >= {"results.csv", "runs.csv", "summary.md", "results.h5"}, res.paths
    rows = read_csv_rows(os.path.join(cdir, "results.csv"))
    assert len(res.runs) == len(rows), (len(res.runs), len(rows))
    for r, p in zip(rows, res.runs.itertuples(index=False)):
        assert (r["setting"], int(r["fold"]), r["metric"], r["group"]) == \
            (p.setting, p.fold, p.metric, p.group)
        v = float(r["value"]) if r["value"] else math.nan
        assert close(v, p.value), (r, p)
    assert list(res.summary["setting"]) == ["logreg", "reweigh", "eg:eps=0.02",
                                            "eg:eps=0.1", "threshold"], res.summary
    print("# compare: results.csv (%d rows) and runs.csv equal the CLI's; summary:\n%s"
          % (len(rows), "\n".join("#   " + l for l in res.summary[
              ["setting", "accuracy_mean", "fairness_mean", "pareto"]].to_string().splitlines())))


def eval_parity():
    X, y, g = synthetic()
    Xt, yt, gt = synthetic(400, 12)
    clf = fairtrain.FairClassifier("eg", constraint="eo", bootstrap=100, permutations=100)
    clf.fit(X, y, sensitive_features=pd.Series(g, name="sex"))
    model = os.path.join(TMP, "eval.h5")
    clf.save(model)
    path = os.path.join(TMP, "eval.csv")
    d = Xt.copy()
    d["y"] = yt
    d["sex"] = gt
    d.to_csv(path, index=False)
    rep = os.path.join(TMP, "eval_report.csv")
    run("eval", "--quiet", "--model", model, "--data", path, "--bootstrap", "100",
        "--permutations", "100", "--report", rep)
    df = clf.comparison(Xt, yt, sensitive_features=pd.Series(gt, name="sex"))
    n = same_report(rep, df)
    assert set(df["split"]) == {"eval"} and "mitigated_deterministic" in set(df["model"])
    print("# eval: %d rows equal `fairtrain eval --report`" % n)


# ------------------------------------------------------------- the rest

def pickle_clone():
    from sklearn.base import clone
    X, y, g = synthetic()
    clf = fairtrain.FairClassifier("threshold", constraint="eo", sensitive=None)
    clf.fit(X, y, sensitive_features=g)
    p = clf.predict_proba(X, sensitive_features=g)
    back = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(back.predict_proba(X, sensitive_features=g), p)
    assert back.get_params() == clf.get_params()
    c = clone(clf)
    assert not hasattr(c, "model_") and c.get_params()["constraint"] == "eo"
    c.fit(X, y, sensitive_features=g)
    assert np.array_equal(c.predict_proba(X, sensitive_features=g), p)


def frame_equals_array():
    """Arrays and DataFrames of the same numbers give the same model; a
    pandas category column, object column and string column give the same
    categories."""
    X, y, g = synthetic()
    num = X[["x1"]].copy()
    a = fairtrain.FairClassifier("reweigh").fit(num, y, sensitive_features=g)
    b = fairtrain.FairClassifier("reweigh").fit(num.values, y, sensitive_features=list(g))
    assert np.array_equal(a.coef_, b.coef_)
    c1 = fairtrain.FairClassifier().fit(X, y)
    X2 = X.assign(job=X["job"].astype("category"))
    c2 = fairtrain.FairClassifier().fit(X2, y)
    X3 = X.assign(job=X["job"].astype("string"))
    c3 = fairtrain.FairClassifier().fit(X3, y)
    assert np.array_equal(c1.coef_, c2.coef_) and np.array_equal(c1.coef_, c3.coef_)
    assert list(c1.encoded_feature_names_) == ["x1", "job=a", "job=b", "job=c"]
    # labels: strings, with positive=, and the proba columns follow classes_
    ys = np.where(y == 1, "yes", "no")
    c4 = fairtrain.FairClassifier(positive="no").fit(X, ys)
    pr = c4.predict_proba(X)
    assert list(c4.classes_) == ["no", "yes"]
    assert np.all(c4.predict(X) == np.where(pr[:, 0] >= 0.5, "no", "yes"))
    d = c4.decision_function(X)
    assert np.all((d > 0) == (pr[:, 1] > 0.5))


def factorize_identity():
    """_table.factorize numbers object columns by identity, then their
    distinct objects by value: it must equal a factorization by value
    (a plain dict over the cells, written here) for equal strings that are
    different objects, NaN and None objects (shared and not), numbers
    mixed in, a strided view, an empty column, and without pandas."""
    from fairtrain import _table
    import math

    def by_value(vals):
        seen, uniq, codes = {}, [], []
        for v in vals:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                codes.append(-1)
                continue
            if v not in seen:
                seen[v] = len(uniq)
                uniq.append(v)
            codes.append(seen[v])
        return codes, uniq

    rng = np.random.default_rng(5)
    shared = ["a", "b", "Ärger", "c"]
    nan = float("nan")
    cells = []
    for k in rng.integers(0, 9, size=3000):
        if k < 4:
            cells.append(shared[k])                  # one object per value
        elif k == 4:
            cells.append("".join(["a"]))             # equal to "a", another object
        elif k == 5:
            cells.append(nan if rng.random() < 0.5 else float("nan"))
        elif k == 6:
            cells.append(None)
        elif k == 7:
            cells.append(("b" + "x")[:1])            # "b", a fresh object
        else:
            cells.append(7)                          # a number among strings
    full = np.empty((len(cells), 2), dtype=object)
    full[:, 0] = cells
    full[:, 1] = "z"
    cases = {"mixed": full[:, 0].copy(), "strided": full[:, 0], "empty": full[:0, 0],
             "shared": np.array(shared * 5, dtype=object)}
    saved = _table.pd
    try:
        for with_pandas in (True, False):
            _table.pd = saved if with_pandas else None
            for name, arr in cases.items():
                codes, uniq = _table.factorize(arr)
                want_codes, want_uniq = by_value(list(arr))
                assert codes.dtype == np.int32 and list(codes) == want_codes, \
                    (name, with_pandas)
                assert uniq == want_uniq, (name, with_pandas, uniq, want_uniq)
    finally:
        _table.pd = saved


def registry():
    n = ctypes_n()
    df = fairtrain.methods()
    names = list(dict.fromkeys(df["method"]))
    assert len(names) == n, (len(names), n)
    eg = df[df["method"] == "eg"]
    assert list(eg["param"]) == ["constraint", "eps", "ratio", "max_iter", "eta0", "nu",
                                 "loss", "upper_bound"]
    assert eg[eg["param"] == "constraint"]["choices"].iloc[0] == "dp|eo|tpr|fpr|erp|bgl"
    # a method parameter is a keyword argument, in get_params and set_params
    clf = fairtrain.FairClassifier("prejudice", eta=5, per_group=0)
    assert clf.get_params()["eta"] == 5 and clf.set_params(eta=2).eta == 2
    assert "lambda" in fairtrain.FairClassifier("reg-dp", **{"lambda": 3}).get_params()


def ctypes_n():
    import ctypes
    n = ctypes.c_size_t()
    _lib.lib.ft_method_list(ctypes.byref(n))
    return n.value


if pd is None:
    skip("python_api", "python3-pandas is not installed")
else:
    if os.path.exists(os.path.join(LSAT, "train.txt")):
        check("python_ranker_lsat_parity", ranker_parity)
        check("python_ranker_lsat_parity_eopp", ranker_parity, "eopp-rank:n_quantiles=500")
    else:
        skip("python_ranker_lsat_parity", "no data sets (set FAIRTRAIN_DATA)")
    check("python_audit_parity", audit_parity)
    check("python_compare_parity", compare_parity)
    check("python_eval_parity", eval_parity)
    try:
        import sklearn  # noqa: F401
        check("python_pickle_clone", pickle_clone)
    except ImportError:
        skip("python_pickle_clone", "python3-sklearn is not installed")
    check("python_frames_arrays_labels", frame_equals_array)
    check("python_registry", registry)
    check("python_factorize_identity", factorize_identity)
done()
