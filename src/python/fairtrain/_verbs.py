"""The audit and compare verbs on in-memory data: ft_audit measures any
model's predictions by group; ft_compare runs a sweep of methods over
folds and ft_compare_write writes its files."""
import ctypes
import os

import numpy as np

from . import _frames, _lib, _table
from ._estimators import _check_1d, _n_rows, _seed


def _spec_strings(sp, field, items, keep):
    cs = _lib.CStrings(items)
    keep.append(cs)
    setattr(sp, field, cs.ptr)
    setattr(sp, "n_" + field, cs.n)


def _sensitive(sensitive_features, n, required=False):
    """Columns of the sensitive features apart from any X."""
    if _table.is_frame(sensitive_features):
        vals = [sensitive_features.iloc[:, j] for j in range(sensitive_features.shape[1])]
        names = [str(c) for c in sensitive_features.columns]
    elif _table.is_series(sensitive_features):
        vals = [sensitive_features]
        names = [str(sensitive_features.name) if sensitive_features.name is not None
                 else "sensitive"]
    else:
        arr = np.asarray(sensitive_features, dtype=object)
        if arr.ndim == 1:
            vals, names = [arr], ["sensitive"]
        elif arr.ndim == 2:
            vals = [arr[:, j] for j in range(arr.shape[1])]
            names = ["sensitive_%d" % j for j in range(arr.shape[1])]
        else:
            raise ValueError("sensitive_features should be 1-D or 2-D")
    return [_table.column(nm, _check_1d("sensitive_features", v, n), required=required,
                          kind="categorical") for nm, v in zip(names, vals)], names


class Audit:
    """What ft_audit measured: table (tidy: one row per metric x group x
    convention, with intervals), groups (per-group metrics, one row per
    group and overall), summaries (every fairness summary under each
    convention, with intervals) and tests (the permutation tests); the
    counts n_read, n_measured, n_dropped."""

    def __init__(self, table, counts):
        self.table = table
        self.__dict__.update(counts)
        if _frames.pd is None:
            self.groups = self.summaries = self.tests = None
            return
        t = table
        g = t[t["convention"] == ""]
        self.groups = g.pivot(index="group", columns="metric", values="value")
        self.groups = self.groups.reindex(columns=list(dict.fromkeys(g["metric"])),
                                          index=list(dict.fromkeys(g["group"])))
        s = t[(t["group"] == "") & (t["convention"] != "")]
        self.summaries = s[["metric", "convention", "value", "lo", "hi",
                            "undefined", "ci_undefined"]].reset_index(drop=True)
        self.tests = t[t["convention"] == "permutation_test"][
            ["metric", "group", "value", "undefined"]].reset_index(drop=True)


def _set_reference(m, reference, keep):
    """measure options m: the reference score distribution (array-like of
    scores in [0, 1]; None: none), kept alive in keep."""
    if reference is None:
        return
    ref = np.ascontiguousarray(np.asarray(reference, dtype=np.float64).ravel())
    if ref.size == 0 or not np.all((ref >= 0) & (ref <= 1)):
        raise ValueError("reference: scores in [0, 1] expected")
    keep.append(ref)
    m.ref = ref.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    m.n_ref = ref.size


def audit(y_true, y_score, sensitive_features, *, sample_weight=None, positive=None,
          privileged=None, threshold=0.5, bootstrap=1000, level=0.95, permutations=1000,
          reference=None, random_state=1, verbose=False):
    """Measure the predictions of any model by group (the `audit` verb):
    per-group rates, every fairness summary under each convention with
    bootstrap intervals, permutation tests of the gaps, the distribution
    and inequality measures and the rich-subgroup audits.  y_true: labels
    (positive: the favourable one, default 1, True, or the larger of two);
    y_score: probabilities in [0, 1] or 0/1 predictions; reference: a
    score distribution (scores in [0, 1]) the groups' are also compared
    with.  Returns an Audit."""
    n = len(y_true)
    yv = np.asarray(_check_1d("y_true", y_true, n), dtype=object)
    sc = np.asarray(_check_1d("y_score", y_score, n), dtype=np.float64)
    if positive is None:
        vals = {v for v in yv if not _table._missing(v)}
        positive = 1 if vals <= {0, 1} else (True if vals <= {True, False} else
                                            (max(vals) if len(vals) == 2 else 1))
    cols = [_table.column("label", yv, kind="categorical"),
            _table.Column("score", "numeric", num=np.ascontiguousarray(sc))]
    scols, snames = _sensitive(sensitive_features, n)
    cols += scols
    if sample_weight is not None:
        w = np.asarray(_check_1d("sample_weight", sample_weight, n), dtype=np.float64)
        cols.append(_table.Column("sample_weight", "numeric", num=np.ascontiguousarray(w)))
    table = _table.Table("predictions", cols, n)
    o = _lib.ft_audit_opts()
    _lib.lib.ft_audit_opts_init(ctypes.byref(o))
    keep = [_lib.enc("label"), _lib.enc("score"), _lib.enc(str(positive)),
            _lib.enc(privileged), _lib.enc("sample_weight")]
    o.data.table = table.ptr
    o.label, o.score = keep[0], keep[1]
    sp = o.data.spec
    sp.positive = keep[2]
    sp.privileged = keep[3]
    if sample_weight is not None:
        sp.weight = keep[4]
    _spec_strings(sp, "sensitive", snames, keep)
    o.data.seed = _seed(random_state)
    o.measure.threshold = float(threshold)
    o.measure.n_bootstrap = int(bootstrap)
    o.measure.level = float(level)
    o.measure.n_perm = int(permutations)
    _set_reference(o.measure, reference, keep)
    mon = _lib.Monitor(verbose)
    o.mon = mon.ptr
    r = ctypes.POINTER(_lib.ft_audit_result)()
    mon.run(_lib.lib.ft_audit, ctypes.byref(o), ctypes.byref(r))
    try:
        a = r.contents
        df = _frames.comparison_frame(a.cmp)
        counts = {"n_read": a.n_read, "n_measured": a.n_measured, "n_dropped": a.n_dropped}
    finally:
        _lib.lib.ft_audit_result_free(r)
    return Audit(df, counts)


FAIRNESS = {}
for _f in range(13):
    FAIRNESS[_lib.s(_lib.lib.ft_fairness_name(_f))] = _f


class Comparison:
    """What ft_compare found: runs (tidy: one row per setting x fold x
    split x metric x group x convention, as results.csv), summary (per
    setting, the test accuracy and fairness criterion's mean and sd across
    folds, Pareto and best flags, as summary.md) and paths (the files
    written, by name; empty without out)."""

    def __init__(self, runs, summary, paths):
        self.runs, self.summary, self.paths = runs, summary, paths


def compare(X, y, *, sensitive_features, methods="baseline reweigh eg threshold",
            folds=5, repeats=0, split=0.25, eval_set=None, fairness="demographic_parity_difference",
            C=1.0, positive=None, privileged=None, missing="drop", bootstrap=0, level=0.95,
            consistency=0, reference=None, random_state=1, out=None, force=False,
            verbose=False):
    """Compare mitigation methods over folds (the `compare` verb): every
    setting of the sweep `methods` ("NAME[:CHOICE][:k=v1,v2,...] ...", as
    `fairtrain compare --methods`) on every fold, sharing each fold's
    encoder and baseline.  consistency=K adds AIF360's consistency (K
    neighbours, O(rows^2)); reference: a score distribution the groups'
    are compared with.  With out (a directory), results.h5, results.csv,
    runs.csv, summary.md and the plots are written there.  Returns a
    Comparison."""
    from ._estimators import FairClassifier
    if fairness not in FAIRNESS:
        raise ValueError("unknown fairness summary %r (known: %s)"
                         % (fairness, ", ".join(FAIRNESS)))
    est = FairClassifier(positive=positive, missing=missing)
    n = _n_rows(X)
    xcols = est._x_columns(X, reset=True)
    est._x_names_ = [c.name for c in xcols]
    est._target_name_ = "y"
    while est._target_name_ in est._x_names_:
        est._target_name_ += "_"
    ycol = est._labels(y, n, reset=True)
    scols, snames = _sensitive(sensitive_features, n)
    table = _table.Table("X", xcols + [ycol] + scols, n)
    test = None
    if eval_set is not None:
        Xt, yt, st = eval_set
        nt = _n_rows(Xt)
        tcols = est._x_columns(Xt, reset=False)
        test = _table.Table("X_test", tcols + [est._labels(yt, nt, reset=False)] +
                            _sensitive(st, nt)[0], nt)
    o = _lib.ft_compare_opts()
    _lib.lib.ft_compare_opts_init(ctypes.byref(o))
    keep = []
    o.data.table = table.ptr
    if test is not None:
        o.data.test_table = test.ptr
    o.data.split = float(split)
    o.data.seed = _seed(random_state)
    sp = o.data.spec
    keep += [_lib.enc(est._target_name_), _lib.enc(est._positive_label()),
             _lib.enc(privileged), _lib.enc(methods)]
    sp.target, sp.positive, sp.privileged = keep[0], keep[1], keep[2]
    sp.missing_policy = _lib.FT_MISSING_IMPUTE if missing == "impute" else _lib.FT_MISSING_DROP
    _spec_strings(sp, "sensitive", snames, keep)
    _spec_strings(sp, "numeric", [c.name for c in xcols if c.kind == "numeric"], keep)
    _spec_strings(sp, "categorical", [c.name for c in xcols if c.kind == "categorical"], keep)
    o.methods = keep[3]
    o.folds = int(folds)
    o.repeats = int(repeats)
    o.fairness = FAIRNESS[fairness]
    o.lr.C = float(C)
    o.measure.n_bootstrap = int(bootstrap)
    o.measure.level = float(level)
    o.measure.consistency_k = int(consistency)
    _set_reference(o.measure, reference, keep)
    mon = _lib.Monitor(verbose)
    o.mon = mon.ptr
    r = ctypes.POINTER(_lib.ft_compare_result)()
    mon.run(_lib.lib.ft_compare, ctypes.byref(o), ctypes.byref(r))
    try:
        paths = {}
        if out is not None:
            plotted = ctypes.c_int()
            mon.run(_lib.lib.ft_compare_write, r, _lib.enc(os.fspath(out)), 1 if force else 0,
                    mon.ptr, ctypes.byref(plotted))
            for name in sorted(os.listdir(out)):
                paths[name] = os.path.join(os.fspath(out), name)
        runs, summary = _compare_frames(r.contents)
    finally:
        _lib.lib.ft_compare_result_free(r)
    return Comparison(runs, summary, paths)


def _compare_frames(res):
    sw = res.sweep.contents
    parts = []
    for f in range(res.n_folds):
        for k in range(sw.n):
            u = res.runs[f * sw.n + k]
            st = sw.s[k]
            extra = {"method": _lib.s(st.method), "setting": _lib.s(st.setting), "fold": f + 1}
            if u.cmp:
                parts.append(_frames.comparison_frame(u.cmp, extra))
    summary = {c: [] for c in ("method", "setting", "accuracy_mean", "accuracy_sd",
                               "fairness_mean", "fairness_sd", "pareto", "best")}
    for k in range(sw.n):
        p, st = res.points[k], sw.s[k]
        summary["method"].append(_lib.s(st.method))
        summary["setting"].append(_lib.s(st.setting))
        summary["accuracy_mean"].append(p.acc.mean)
        summary["accuracy_sd"].append(p.acc.sd)
        summary["fairness_mean"].append(p.fair.mean)
        summary["fairness_sd"].append(p.fair.sd)
        summary["pareto"].append(bool(p.pareto))
        summary["best"].append(bool(p.best))
    if _frames.pd is not None:
        runs = _frames.pd.concat(parts, ignore_index=True) if parts else \
            _frames.frame({c: [] for c in ["method", "setting", "fold"] +
                           _frames.COMPARISON_COLUMNS},
                          ["method", "setting", "fold"] + _frames.COMPARISON_COLUMNS)
    else:
        runs = {}
        for p in parts:
            for k, v in p.items():
                runs.setdefault(k, []).extend(v)
    return runs, _frames.frame(summary, list(summary))
