"""test_parity.py - Python and the command line give the same models on UCI
Adult, for every classification method of the registry:

  * the same predictor: every number under /model and /baseline of the
    model file (coefficients, intercepts, mixture weights, thresholds,
    frontier) within 1e-12 (relative, for numbers above 1), read with h5py
    from the file `fairtrain train` wrote and from the one .save wrote;
  * the same before/after table: every row of the CLI's --report CSV (the
    tidy table: metric, model, split, group, convention, value, interval)
    equals the row of clf.comparison_, values and intervals within 1e-12;
  * model files interchange: `fairtrain predict` on the model saved from
    Python, and fairtrain.load() of the CLI's model, score adult.test
    (every row, missing cells imputed) exactly as the other side does.

The data reach Python through pandas.read_csv (no header, '?' missing,
blanks after commas skipped, adult.test's '>50K.' stripped), the CLI reads
the files; fit runs with bootstrap and permutations 20 on both sides.
"""
import csv
import math
import os
import subprocess
import tempfile
import warnings

import numpy as np

from harness import ADULT_NAMES, DATA, FT, adult_frames, check, done, have_adult, skip

import fairtrain
from fairtrain import _registry

TOL = 1e-12
A = os.path.join(DATA, "adult")
COMMON = ["--names", ",".join(ADULT_NAMES), "--target", "income", "--positive", ">50K",
          "--label-strip", ".", "--sensitive", "sex", "--privileged", "Male",
          "--drop", "fnlwgt", "--bootstrap", "20", "--permutations", "20"]


def spec_of(m):
    return m + ":seed=1" if m.startswith("dp-") else m


def cli_train(m, out, report):
    """`fairtrain train`, started (the caller waits, fitting in Python
    meanwhile)."""
    return subprocess.Popen([FT, "train", "--quiet", "--data", os.path.join(A, "adult.data"),
                             "--test", os.path.join(A, "adult.test"), "--test-skip-rows", "1",
                             "--method", spec_of(m), "--out", out, "--report", report] + COMMON,
                            stderr=subprocess.PIPE)


def wait(p):
    err = p.communicate()[1]
    assert p.returncode == 0, "fairtrain: %s" % err.decode().strip()


def cli_predict(model, out):
    subprocess.run([FT, "predict", "--quiet", "--model", model, "--data",
                    os.path.join(A, "adult.test"), "--skip-rows", "1",
                    "--names", ",".join(ADULT_NAMES), "--out", out], check=True,
                   capture_output=True)
    return read_scores(out)


def read_scores(out):
    with open(out) as fp:
        rows = list(csv.DictReader(fp))
    score = np.array([float(r["score"]) for r in rows])
    pos = np.array([float(r["p_positive"]) for r in rows]) if "p_positive" in rows[0] else None
    return score, pos


def numbers(path):
    """Every numeric dataset under /model and /baseline, by name."""
    import h5py
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu":
                out[name] = np.asarray(obj[()], dtype=np.float64)
        for g in ("model", "baseline"):
            f[g].visititems(lambda n, o, g=g: visit(g + "/" + n, o))
    return out


def close(a, b):
    return a == b or (math.isnan(a) and math.isnan(b)) or \
        abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def same_predictor(cli, py):
    a, b = numbers(cli), numbers(py)
    assert sorted(a) == sorted(b), "datasets differ: %s / %s" % (sorted(a), sorted(b))
    worst = 0.0
    for k in a:
        assert a[k].shape == b[k].shape, "%s: shape %s / %s" % (k, a[k].shape, b[k].shape)
        for x, y in zip(a[k].ravel(), b[k].ravel()):
            assert close(x, y), "%s: %r (CLI) != %r (Python)" % (k, x, y)
            if x != y and not (math.isnan(x) and math.isnan(y)):
                worst = max(worst, abs(x - y) / max(1.0, abs(x)))
    return sum(v.size for v in a.values()), worst


def same_table(report, df):
    with open(report) as fp:
        rows = list(csv.DictReader(fp))
    assert len(rows) == len(df), "%d CLI rows, %d Python rows" % (len(rows), len(df))
    for i, (r, p) in enumerate(zip(rows, df.itertuples(index=False))):
        key = (r["metric"], r["model"], r["split"], r["group"], r["convention"])
        assert key == (p.metric, p.model, p.split, p.group, p.convention), \
            "row %d: %s / %s" % (i, key, (p.metric, p.model, p.split, p.group, p.convention))
        if r["value"] == "":
            assert p.undefined == r["undefined"], "row %d %s: why %r / %r" % (
                i, key, r["undefined"], p.undefined)
        else:
            assert close(float(r["value"]), p.value), "row %d %s: %s / %r" % (
                i, key, r["value"], p.value)
        for c in ("lo", "hi"):
            if r[c] == "":
                assert math.isnan(getattr(p, c)), "row %d %s: %s" % (i, key, c)
            else:
                assert close(float(r[c]), getattr(p, c)), "row %d %s: %s %s / %r" % (
                    i, key, c, r[c], getattr(p, c))
    return len(rows)


def parity(m, frames, tmp):
    Xtr, ytr, str_, Xte, yte, ste = frames[:6]
    cli_h5, report = os.path.join(tmp, m + ".cli.h5"), os.path.join(tmp, m + ".csv")
    py_h5 = os.path.join(tmp, m + ".py.h5")
    job = cli_train(m, cli_h5, report)
    kw = {"seed": 1} if m.startswith("dp-") else {}
    clf = fairtrain.FairClassifier(m, privileged="Male", positive=">50K", missing="drop",
                                   handle_unknown="ignore",
                                   bootstrap=20, permutations=20, **kw)
    clf.fit(Xtr, ytr, sensitive_features=str_, eval_set=(Xte, yte, ste))
    clf.save(py_h5)
    wait(job)
    n_num, worst = same_predictor(cli_h5, py_h5)
    n_rows = same_table(report, clf.comparison_)
    # interchange: every row of adult.test, missing cells imputed
    X_all, s_all = frames[6], frames[7]
    score, pos = cli_predict(py_h5, os.path.join(tmp, m + ".pred.csv"))
    q = clf.predict_proba(X_all, sensitive_features=s_all)[:, list(clf.classes_).index(">50K")]
    want = pos if pos is not None else score
    assert len(q) == len(want) and np.array_equal(q, want), \
        "Python model: fairtrain predict differs in %d rows" % np.sum(q != want)
    score2, pos2 = cli_predict(cli_h5, os.path.join(tmp, m + ".pred2.csv"))
    loaded = fairtrain.load(cli_h5)
    q2 = loaded.predict_proba(X_all, sensitive_features=s_all)[:, 1]
    want2 = pos2 if pos2 is not None else score2
    assert np.array_equal(q2, want2), "CLI model: load().predict_proba differs in %d rows" \
        % np.sum(q2 != want2)
    lab = fairtrain.load(py_h5).predict(X_all, sensitive_features=s_all)
    print("# %s: %d predictor numbers (largest difference %.1e), %d table rows, %d rows "
          "predicted both ways, %d positive" % (m, n_num, worst, n_rows, len(q), lab.sum()))


def full_test():
    """adult.test with every row (the predictions impute missing cells)."""
    import pandas as pd
    df = pd.read_csv(os.path.join(A, "adult.test"), header=None, names=ADULT_NAMES,
                     skiprows=1, skipinitialspace=True, na_values=["?"], keep_default_na=False)
    return df.drop(columns=["fnlwgt", "income", "sex"]), df["sex"]


if not have_adult():
    skip("python_parity_adult", "no data sets (set FAIRTRAIN_DATA)")
else:
    try:
        import h5py   # noqa: F401
        import pandas  # noqa: F401
        ok = True
    except ImportError as e:
        skip("python_parity_adult", "needs python3-pandas and python3-h5py (%s)" % e)
        ok = False
    if ok:
        warnings.simplefilter("ignore", fairtrain.FairtrainWarning)
        frames = adult_frames() + list(full_test())
        with tempfile.TemporaryDirectory() as tmp:
            for m in [r.name for r in _registry.METHODS if r.task == "classify"]:
                check("python_parity_adult[%s]" % m, parity, m, frames, tmp)
done()
