"""A trained model: a struct ft_model_file held by Python, the same object
`fairtrain train` writes and `fairtrain predict` reads.  Loading, saving,
prediction and evaluation on in-memory tables are the library's verbs
(ft_model_load, ft_model_save, ft_predict, ft_eval)."""
import ctypes
import os
import tempfile

import numpy as np

from . import _frames, _lib


def _array(p, n, dtype=np.float64):
    """A copy of n values at C pointer p (None when p is NULL)."""
    if not p:
        return None
    return np.ctypeslib.as_array(p, shape=(n,)).astype(dtype, copy=True)


class Model:
    """Owns one struct ft_model_file (freed with this object)."""

    def __init__(self, ptr):
        self.ptr = ptr

    def __del__(self):
        if getattr(self, "ptr", None):
            _lib.lib.ft_model_file_free(self.ptr)
            self.ptr = None

    def __reduce__(self):
        # pickled as the model file's bytes
        return (Model.from_bytes, (self.to_bytes(),))

    # ----------------------------------------------------------- files

    @classmethod
    def load(cls, path):
        p = ctypes.POINTER(_lib.ft_model_file)()
        _lib.call(_lib.lib.ft_model_load, _lib.enc(os.fspath(path)), ctypes.byref(p))
        return cls(p)

    def save(self, path):
        _lib.call(_lib.lib.ft_model_save, _lib.enc(os.fspath(path)), self.ptr)

    def to_bytes(self):
        """The model file's bytes (for pickling)."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.h5")
            self.save(path)
            with open(path, "rb") as fp:
                return fp.read()

    @classmethod
    def from_bytes(cls, data):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.h5")
            with open(path, "wb") as fp:
                fp.write(data)
            return cls.load(path)

    # ------------------------------------------------------- what it is

    @property
    def mf(self):
        return self.ptr.contents

    @property
    def enc(self):
        return self.mf.enc.contents

    @property
    def method(self):
        return _lib.s(self.mf.method)

    @property
    def is_ranker(self):
        return bool(self.mf.ranking)

    @property
    def kind(self):
        return _lib.s(_lib.lib.ft_predictor_kind_name(self.mf.model.contents.kind))

    @property
    def randomized(self):
        return bool(_lib.lib.ft_predictor_randomized(self.mf.model))

    @property
    def needs_groups(self):
        return bool(_lib.lib.ft_predictor_needs_groups(self.mf.model))

    def params(self):
        """The method's parameters: name -> number, or the choice's name."""
        mf, out = self.mf, {}
        for k in range(mf.n_params):
            choice = _lib.s(mf.param_choices[k]) if mf.param_choices else ""
            v = mf.param_values[k]
            out[_lib.s(mf.param_names[k])] = choice if choice else (
                int(v) if float(v).is_integer() and abs(v) < 2 ** 53 else v)
        return out

    def diagnostics(self):
        mf = self.mf
        return {_lib.s(mf.diag_names[k]): mf.diag_values[k] for k in range(mf.n_diag)}

    def columns(self, role=None):
        """The encoder's input columns (name, role, type) in order."""
        e, out = self.enc, []
        for j in range(e.n_cols):
            c = e.cols[j]
            if role is None or c.role == role:
                out.append((_lib.s(c.name), c.role, c.type))
        return out

    @property
    def feature_columns(self):
        return [c[0] for c in self.columns(_lib.FT_ROLE_FEATURE)]

    @property
    def features(self):
        """The names of the features the model reads: the encoded features
        ("age", "workclass=Private"), or a feature transform's outputs
        (optim-pre: "age[28.5,37.5)")."""
        t = self.mf.model.contents.transform
        if t:
            n = ctypes.c_size_t()
            names = _lib.lib.ft_transform_output_names(t, ctypes.byref(n))
            return _lib.strv(names, n.value)
        e = self.enc
        return _lib.strv(e.feature_names, e.n_features)

    @property
    def sensitive(self):
        e = self.enc
        return _lib.strv(e.sensitive, e.n_sensitive)

    @property
    def groups(self):
        e = self.enc
        return _lib.strv(e.group_names, e.n_groups)

    @property
    def target(self):
        return _lib.s(self.enc.target)

    @property
    def positive(self):
        return _lib.s(self.enc.positive)

    @property
    def privileged(self):
        return _lib.s(self.enc.privileged)

    def linear(self, which="model"):
        """coef (p,) and intercept of the model's (or the baseline's) linear
        part; per-group models: coef (groups, p) and intercepts (groups,)."""
        pred = getattr(self.mf, which)
        if not pred:
            return None, None
        lm = pred.contents.linear.contents
        if lm.n_groups:
            coef = _array(lm.group_coef, lm.n_groups * lm.p).reshape(lm.n_groups, lm.p)
            return coef, _array(lm.group_intercept, lm.n_groups)
        return _array(lm.coef, lm.p), lm.intercept

    def solver_result(self):
        r = self.mf.solver_result
        return {"iterations": r.iterations, "objective": r.f, "grad_norm": r.grad_norm,
                "converged": bool(r.converged)}

    def comparison(self):
        return _frames.comparison_frame(self.mf.comparison)

    # ----------------------------------------------------------- verbs

    def _apply_opts(self, table, seed=1, deterministic=False, rerank=None, mon=None,
                    measure=None):
        o = _lib.ft_apply_opts()
        _lib.lib.ft_apply_opts_init(ctypes.byref(o))
        o.table = table.ptr
        o.seed = seed
        o.deterministic = 1 if deterministic else 0
        o.rerank = _lib.enc(rerank)
        if measure is not None:
            o.measure.n_bootstrap = measure[0]
            o.measure.n_perm = measure[1]
            o.measure.level = measure[2]
        if mon is not None:
            o.mon = mon.ptr
        return o

    def predict(self, table, seed=1, deterministic=False, rerank=None, mon=None):
        """ft_predict on an in-memory table: a dict of numpy arrays (row
        order kept for classification; rankings per query for rankers)."""
        o = self._apply_opts(table, seed, deterministic, rerank, mon)
        p = ctypes.POINTER(_lib.ft_predictions)()
        (mon.run if mon else _lib.call)(_lib.lib.ft_predict, self.ptr, ctypes.byref(o),
                                        ctypes.byref(p))
        try:
            r = p.contents
            n = r.n
            out = {"line": _array(r.line, n, np.int64), "score": _array(r.score, n),
                   "p_positive": _array(r.p_positive, n), "n_unseen": r.n_unseen,
                   "n_imputed": r.n_imputed}
            if r.task == _lib.FT_TASK_CLASSIFY:
                out["label"] = _array(r.label, n, np.int64)
            else:
                nq = r.n_queries
                out.update(qid=_lib.strv(r.qid, nq), qoff=_array(r.qoff, nq + 1, np.int64),
                           order=_array(r.order, n, np.int64), k=_array(r.k, nq, np.int64),
                           group=_array(r.group, n, np.int64),
                           group_names=_lib.strv(r.group_names, r.n_groups),
                           rerank=_lib.s(r.rerank), n_short=r.n_short)
            return out
        finally:
            _lib.lib.ft_predictions_free(p)

    def evaluate(self, table, seed=1, rerank=None, mon=None, bootstrap=1000,
                 permutations=1000, level=0.95):
        """ft_eval on an in-memory table: the tidy comparison (split
        "eval") and the counts."""
        o = self._apply_opts(table, seed, False, rerank, mon,
                             (bootstrap, permutations, level))
        p = ctypes.POINTER(_lib.ft_eval_result)()
        (mon.run if mon else _lib.call)(_lib.lib.ft_eval, self.ptr, ctypes.byref(o),
                                        ctypes.byref(p))
        try:
            r = p.contents
            return _frames.comparison_frame(r.cmp), {
                "n_read": r.n_read, "n_measured": r.n_measured, "n_dropped": r.n_dropped}
        finally:
            _lib.lib.ft_eval_result_free(p)

    def encode(self, table, train=False):
        """The encoded rows of table as the model's encoder makes them:
        X (n, features) dense, and y, w, group (None when absent)."""
        d = ctypes.POINTER(_lib.ft_dataset)()
        st = _lib.ft_encode_stats()
        _lib.call(_lib.lib.ft_encoder_apply, self.mf.enc, table.ptr,
                  _lib.FT_APPLY_TRAIN if train else _lib.FT_APPLY_PREDICT,
                  ctypes.byref(d), ctypes.byref(st))
        try:
            ds = d.contents
            n, p, nn, nc = ds.n, ds.p, ds.n_num, ds.n_cat
            X = np.zeros((n, p))
            if nn:
                X[:, :nn] = np.ctypeslib.as_array(ds.num, shape=(n * nn,)).reshape(n, nn)
            if nc:
                code = np.ctypeslib.as_array(ds.code, shape=(n * nc,)).reshape(n, nc)
                rows = np.repeat(np.arange(n), nc)
                flat = code.ravel()
                hot = flat >= 0
                X[rows[hot], flat[hot]] = 1.0
            return (X, _array(ds.y, n), _array(ds.w, n),
                    _array(ds.group, n, np.int64), _array(ds.row, n, np.int64))
        finally:
            _lib.lib.ft_dataset_free(d)

    def decision(self, table):
        """x.beta + b of the model's linear part for every row of table
        (per-group models use each row's group)."""
        d = ctypes.POINTER(_lib.ft_dataset)()
        st = _lib.ft_encode_stats()
        _lib.call(_lib.lib.ft_encoder_apply, self.mf.enc, table.ptr,
                  _lib.FT_APPLY_PREDICT, ctypes.byref(d), ctypes.byref(st))
        try:
            n = d.contents.n
            out = np.empty(n)
            # through the model's feature transform, when it has one
            _lib.call(_lib.lib.ft_predictor_decision, self.mf.model, d,
                      out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
            return out
        finally:
            _lib.lib.ft_dataset_free(d)
