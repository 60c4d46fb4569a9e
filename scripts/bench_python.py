#!/usr/bin/python3
"""bench_python.py - the Python package's fit against the C call and against
scikit-learn, in the same run (`make bench` runs it; so can you:
FAIRTRAIN_BUILD=build RUNS=5 scripts/bench_python.py).

UCI Adult (adult.data, 30,162 complete rows) is read once, as a user has
it, and that is not timed: into a DataFrame by pandas for Python, into a
struct ft_table by the library's CSV reader for the C call.  Then,
interleaved RUNS times, for METHOD logreg and eg (exponentiated gradient,
demographic parity, eps 0.01):

  C        ft_train on the C reader's table, called directly (the verb
           FairClassifier.fit calls: the baseline and the method on every
           row, the before/after measurement without intervals, the model
           file), in this process, so that both sides run with the same
           library, threads and allocator state (a fresh C process pays
           the first page faults of every large array again and was up to
           25% slower on eg, 20% faster on logreg, than either)
  Python   FairClassifier(METHOD).fit(X, y, sensitive_features=sex): the
           table built from the DataFrame's columns, the call, the fitted
           attributes
  sklearn  LogisticRegression(C=1).fit on the encoded design matrix
           fairtrain's encoder makes of the same rows (dense, 101 columns;
           the encoding is not timed): its defaults (lbfgs, tol=1e-4, which
           stops 3e-2 from the optimum in a rare category's coefficient),
           and newton-cg with tol=1e-8, which reaches fairtrain's optimum
           (fairtrain stops at a relative gradient norm of 1e-8)

Medians of wall time; the target is Python within 1.2x of C.
"""

import ctypes
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("FAIRTRAIN_BUILD", "build")
DATA = os.environ.get("FAIRTRAIN_DATA", os.path.join(ROOT, "datasets"))
RUNS = int(os.environ.get("RUNS", "5"))
sys.path.insert(0, os.path.join(ROOT, "src", "python"))
os.environ.setdefault("FAIRTRAIN_LIB", os.path.join(ROOT, BUILD, "libfairtrain.so.0"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import fairtrain  # noqa: E402
from fairtrain import _lib, _table  # noqa: E402

NAMES = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
         "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
         "hours-per-week", "native-country", "income"]
METHODS = [("logreg", {}), ("eg", {"constraint": "dp", "eps": 0.01})]


def c_table(path):
    """adult.data read by the library's CSV reader."""
    ro = _lib.ft_read_opts()
    _lib.lib.ft_read_opts_init(ctypes.byref(ro))
    names = _lib.CStrings(NAMES)
    ro.header = 0
    ro.names, ro.n_names = names.ptr, names.n
    t = ctypes.POINTER(_lib.ft_table)()
    _lib.call(_lib.lib.ft_table_read, path.encode(), ctypes.byref(ro), ctypes.byref(t))
    return t


def c_fit(table, spec):
    """One ft_train call on the table: its wall time."""
    o = _lib.ft_train_opts()
    _lib.lib.ft_train_opts_init(ctypes.byref(o))
    keep = [_lib.CStrings(["sex"]), _lib.CStrings(["fnlwgt"]), spec.encode()]
    o.data.table = table
    o.data.split = 0.0
    o.data.spec.target = b"income"
    o.data.spec.positive = b">50K"
    o.data.spec.sensitive, o.data.spec.n_sensitive = keep[0].ptr, 1
    o.data.spec.drop, o.data.spec.n_drop = keep[1].ptr, 1
    o.method = keep[2]
    o.measure.n_bootstrap = 0
    o.measure.n_perm = 0
    r = ctypes.POINTER(_lib.ft_train_result)()
    t0 = time.perf_counter()
    _lib.call(_lib.lib.ft_train, ctypes.byref(o), ctypes.byref(r))
    took = time.perf_counter() - t0
    _lib.lib.ft_train_result_free(r)
    return took


def main():
    path = os.path.join(DATA, "adult", "adult.data")
    if not os.path.exists(path):
        sys.exit("bench_python: %s not found (set FAIRTRAIN_DATA)" % path)
    df = pd.read_csv(path, header=None, names=NAMES, skipinitialspace=True,
                     na_values=["?"], keep_default_na=False)
    df = df.dropna()
    y = df.pop("income")
    sex = df.pop("sex")
    X = df.drop(columns=["fnlwgt"])
    table = c_table(path)
    times = {}
    for r in range(RUNS):
        for name, kw in METHODS:
            spec = ":".join([name] + ["%s=%s" % kv for kv in kw.items()])
            times.setdefault(("C", name), []).append(c_fit(table, spec))
            t0 = time.perf_counter()
            clf = fairtrain.FairClassifier(name, **kw).fit(X, y, sensitive_features=sex)
            times.setdefault(("Python", name), []).append(time.perf_counter() - t0)
            if name == "logreg":
                lr_py = clf
        # scikit-learn on the encoded rows (encoding not timed)
        try:
            from sklearn.linear_model import LogisticRegression
        except ImportError:
            continue
        if r == 0:
            Xe = lr_py.model_.encode(_table.Table("X", _table.frame_columns(X), len(X)))[0]
            ye = (y == ">50K").astype(int).values
        t0 = time.perf_counter()
        sk = LogisticRegression(C=1.0, max_iter=10000).fit(Xe, ye)
        times.setdefault(("sklearn", "logreg"), []).append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sk8 = LogisticRegression(C=1.0, max_iter=100000, tol=1e-8,
                                 solver="newton-cg").fit(Xe, ye)
        times.setdefault(("sklearn8", "logreg"), []).append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    print("Python package on Adult (%d training rows, %d features encoded; %d runs each, "
          "interleaved, medians)" % (len(X), len(lr_py.encoded_feature_names_), RUNS))
    for name, _ in METHODS:
        c, p = med[("C", name)], med[("Python", name)]
        print("  %-8s C ft_train %7.3f s   Python fit %7.3f s   ratio %.3f (target <= 1.2)"
              % (name, c, p, p / c))
    for key, model, what in (("sklearn", "sk", "lbfgs, tol=1e-4: its defaults"),
                             ("sklearn8", "sk8", "newton-cg, tol=1e-8")):
        if (key, "logreg") not in med:
            continue
        s = med[(key, "logreg")]
        m = sk if model == "sk" else sk8
        d = np.max(np.abs(m.coef_.ravel() - lr_py.coef_.ravel()))
        print("  scikit-learn LogisticRegression(C=1, %s) on the encoded rows "
              "%7.3f s; Python logreg / sklearn %.3f; largest coefficient difference %.1e"
              % (what, s, med[("Python", "logreg")] / s, d))


if __name__ == "__main__":
    main()
